"use client";

import { useRef, useState, type FormEvent } from "react";
import { describeFormError, fieldMessage } from "@/lib/api/errors";
import type { TaskApi } from "@/lib/api/task-api";
import { browserTimeZone } from "@/lib/dates/zoned";
import { lazyPart } from "@/lib/lazy-part";
import { onDemand, PART_NOT_LOADED } from "@/lib/on-demand";
import type { DraftProblem } from "@/lib/tasks/draft";
import { EMPTY_DRAFT, type TaskDraft } from "@/lib/tasks/draft-empty";
import type { TaskDetailsFieldsProps } from "./task-details-fields";
import { useCreateTask } from "./use-tasks";

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 1000;

// React's own lazy rather than next/dynamic: the details only ever render in
// the browser (a form opens them), and next/dynamic's runtime would weigh on
// the page's first load.
const LazyDetails = lazyPart(() => import("./task-details-fields"));

/** The pickers: loaded the first time a form opens its details. */
export function TaskDetailsFields(props: TaskDetailsFieldsProps) {
  return (
    <LazyDetails {...props}
      loading={<p role="status" className="text-sm text-zinc-600 dark:text-zinc-400">Loading…</p>}
      focusAfterRetry={() => document.getElementById(`${props.idPrefix}-priority`)?.focus()}
      failed={(retry) => (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300">
          The details could not be shown: {PART_NOT_LOADED}{" "}
          <button type="button" onClick={retry} className="font-medium underline">
            Try again
          </button>
        </p>
      )} />
  );
}

// The form's checks and its conversion to the API's fields load when the form
// is first used (the title focused or typed in), not with the page.
const draftModule = onDemand(() => import("@/lib/tasks/draft"));

let nextPlaceholderId = -1;

const FORM_FIELDS = ["title", "description", "priority", "tags", "due_at", "recurrence", "remind_at", "time_zone"] as const;
const DETAIL_FIELDS = ["priority", "tags", "due_at", "recurrence", "remind_at", "time_zone"] as const;

export function NewTaskForm({ api, onAdded }: { api: TaskApi; /** Called with the title once the API has saved it. */ onAdded?: (title: string) => void }) {
  const createTask = useCreateTask(api);
  const [draft, setDraft] = useState<TaskDraft>(EMPTY_DRAFT);
  const [expanded, setExpanded] = useState(false);
  // A problem with the draft, or with loading the form's checks (the network dropped).
  const [problem, setProblem] = useState<DraftProblem | { field: "form"; message: string } | undefined>();
  const titleRef = useRef<HTMLInputElement>(null);
  const change = (next: Partial<TaskDraft>) => setDraft((current) => ({ ...current, ...next }));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (createTask.isPending) return;
    const form = event.currentTarget;
    if (draftModule.current) submit(form, draftModule.current);
    else
      draftModule.load().then(
        (module) => submit(form, module),
        () => setProblem({ field: "form", message: `Could not add the task: ${PART_NOT_LOADED}` }),
      );
  }

  function submit(form: HTMLFormElement, { checkDraft, organizeFields }: typeof import("@/lib/tasks/draft")) {
    const found = checkDraft(draft);
    setProblem(found);
    if (found) {
      if (found.field === "title") titleRef.current?.focus();
      else setExpanded(true);
      return;
    }
    const sent = draft;
    const description = draft.description.trim();
    createTask.mutate(
      {
        task: {
          title: draft.title.trim(),
          ...(description ? { description } : {}),
          ...organizeFields(draft, browserTimeZone()),
        },
        placeholderId: nextPlaceholderId--,
      },
      {
        // The typed text stays in the form until the API has saved it. The
        // fields stay editable meanwhile: only a field that still holds what
        // was sent is cleared, and focus only moves if it is still in the form.
        onSuccess: (created) => {
          onAdded?.(created.title);
          setDraft((current) => {
            const next = { ...current };
            for (const key of Object.keys(EMPTY_DRAFT) as (keyof TaskDraft)[]) {
              if (JSON.stringify(current[key]) === JSON.stringify(sent[key])) Object.assign(next, { [key]: EMPTY_DRAFT[key] });
            }
            return next;
          });
          if (form.contains(document.activeElement)) titleRef.current?.focus();
        },
      },
    );
  }

  const apiError = createTask.isError ? createTask.error : undefined;
  const titleError = (problem?.field === "title" ? problem.message : undefined) ?? fieldMessage(apiError, "title");
  const descriptionError = fieldMessage(apiError, "description");
  const detailsApiError = DETAIL_FIELDS.map((field) => fieldMessage(apiError, field)).find(Boolean);
  const inputClass =
    "block w-full rounded-md border border-zinc-400 bg-white px-3 py-2 text-base text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100";

  return (
    <form onSubmit={onSubmit} onFocus={draftModule.prefetch} noValidate aria-labelledby="new-task-heading" className="space-y-3 rounded-lg border border-zinc-300 p-3 sm:p-4 dark:border-zinc-700">
      <h2 id="new-task-heading" className="sr-only">
        Add a task
      </h2>
      <div>
        <label htmlFor="new-task-title" className="block text-sm font-medium">
          Title
        </label>
        <div className="mt-1 flex gap-2">
          <input ref={titleRef} id="new-task-title" value={draft.title} maxLength={TITLE_MAX} required
            placeholder="Add a task"
            aria-invalid={titleError ? true : undefined}
            aria-describedby={titleError ? "new-task-title-error" : undefined}
            onChange={(event) => change({ title: event.target.value })} className={`${inputClass} min-w-0 flex-1`} />
          {/* aria-disabled rather than disabled: a disabled button drops the focus
              (to the page), and focus is to come back to the title after the add. */}
          <button type="submit" aria-disabled={createTask.isPending || undefined}
            className="shrink-0 rounded-md bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 aria-disabled:opacity-60">
            {createTask.isPending ? "Adding…" : "Add task"}
          </button>
        </div>
        {titleError && (
          <p id="new-task-title-error" className="mt-1 text-sm text-red-700 dark:text-red-400">
            {titleError}
          </p>
        )}
      </div>
      <button type="button" aria-expanded={expanded} aria-controls="new-task-details" onClick={() => setExpanded((open) => !open)}
        aria-describedby="new-task-details-hint" className="text-sm font-medium text-blue-700 underline dark:text-blue-400">
        {expanded ? "Hide details" : "Add details"}
      </button>
      <span id="new-task-details-hint" className="sr-only">
        Description, priority, tags, due date, repeat and reminder
      </span>
      <div id="new-task-details" hidden={!expanded} className="space-y-3">
        <div>
          <label htmlFor="new-task-description" className="block text-sm font-medium">
            Description <span className="font-normal text-zinc-600 dark:text-zinc-400">(optional)</span>
          </label>
          <textarea id="new-task-description" value={draft.description} maxLength={DESCRIPTION_MAX} rows={2}
            aria-invalid={descriptionError ? true : undefined}
            aria-describedby={descriptionError ? "new-task-description-error" : undefined}
            onChange={(event) => change({ description: event.target.value })} className={`${inputClass} mt-1`} />
          {descriptionError && (
            <p id="new-task-description-error" className="mt-1 text-sm text-red-700 dark:text-red-400">
              {descriptionError}
            </p>
          )}
        </div>
        {expanded && (
          <TaskDetailsFields api={api} idPrefix="new-task" draft={draft} onChange={change}
            errors={{
              repeat: problem?.field === "repeat" ? problem.message : fieldMessage(apiError, "recurrence"),
              reminder: problem?.field === "reminder" ? problem.message : undefined,
              reminderAt: problem?.field === "reminderAt" ? problem.message : fieldMessage(apiError, "remind_at"),
              dueDate: fieldMessage(apiError, "due_at"),
              priority: fieldMessage(apiError, "priority"),
              tags: fieldMessage(apiError, "tags"),
            }} />
        )}
      </div>
      {problem && problem.field !== "title" && (
        <p role="alert" className="text-sm text-red-800 dark:text-red-300">
          {problem.message}
        </p>
      )}
      {apiError && (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          Could not add the task. {describeFormError(apiError, FORM_FIELDS)}
          {detailsApiError && !expanded ? " Open the details to see it." : ""}
        </p>
      )}
    </form>
  );
}
