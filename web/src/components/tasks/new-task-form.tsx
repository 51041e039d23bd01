"use client";

import { useRef, useState, type FormEvent } from "react";
import { describeFormError, fieldMessage } from "@/lib/api/errors";
import type { TaskApi } from "@/lib/api/task-api";
import { useCreateTask } from "./use-tasks";

export const TITLE_MAX = 200;
export const DESCRIPTION_MAX = 1000;

let nextPlaceholderId = -1;

const FORM_FIELDS = ["title", "description"] as const;

export function NewTaskForm({ api }: { api: TaskApi }) {
  const createTask = useCreateTask(api);
  const [title, setTitle] = useState("");
  const [description, setDescription] = useState("");
  const [localError, setLocalError] = useState<string | undefined>();
  const titleRef = useRef<HTMLInputElement>(null);

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (createTask.isPending) return;
    const form = event.currentTarget;
    const trimmed = title.trim();
    if (!trimmed) {
      setLocalError("Enter a title for the task.");
      titleRef.current?.focus();
      return;
    }
    setLocalError(undefined);
    const submittedTitle = title;
    const submittedDescription = description;
    const trimmedDescription = description.trim();
    createTask.mutate(
      {
        task: { title: trimmed, ...(trimmedDescription ? { description: trimmedDescription } : {}) },
        placeholderId: nextPlaceholderId--,
      },
      {
        // The typed text stays in the form until the API has saved it. The
        // fields stay editable meanwhile: only a field that still holds what
        // was sent is cleared, and focus only moves if it is still in the form.
        onSuccess: () => {
          setTitle((current) => (current === submittedTitle ? "" : current));
          setDescription((current) => (current === submittedDescription ? "" : current));
          if (form.contains(document.activeElement)) titleRef.current?.focus();
        },
      },
    );
  }

  const apiError = createTask.isError ? createTask.error : undefined;
  const titleError = localError ?? fieldMessage(apiError, "title");
  const descriptionError = fieldMessage(apiError, "description");
  const inputClass =
    "mt-1 block w-full rounded-md border border-zinc-400 bg-white px-3 py-2 text-base text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100";

  return (
    <form onSubmit={onSubmit} noValidate aria-labelledby="new-task-heading" className="space-y-3 rounded-lg border border-zinc-300 p-4 dark:border-zinc-700">
      <h2 id="new-task-heading" className="text-lg font-semibold">
        Add a task
      </h2>
      <div>
        <label htmlFor="new-task-title" className="block text-sm font-medium">
          Title
        </label>
        <input ref={titleRef} id="new-task-title" value={title} maxLength={TITLE_MAX} required
          aria-invalid={titleError ? true : undefined}
          aria-describedby={titleError ? "new-task-title-error" : undefined}
          onChange={(event) => setTitle(event.target.value)} className={inputClass} />
        {titleError && (
          <p id="new-task-title-error" className="mt-1 text-sm text-red-700 dark:text-red-400">
            {titleError}
          </p>
        )}
      </div>
      <div>
        <label htmlFor="new-task-description" className="block text-sm font-medium">
          Description <span className="font-normal text-zinc-600 dark:text-zinc-400">(optional)</span>
        </label>
        <textarea id="new-task-description" value={description} maxLength={DESCRIPTION_MAX} rows={2}
          aria-invalid={descriptionError ? true : undefined}
          aria-describedby={descriptionError ? "new-task-description-error" : undefined}
          onChange={(event) => setDescription(event.target.value)} className={inputClass} />
        {descriptionError && (
          <p id="new-task-description-error" className="mt-1 text-sm text-red-700 dark:text-red-400">
            {descriptionError}
          </p>
        )}
      </div>
      {apiError && (
        <p role="alert" className="rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          Could not add the task. {describeFormError(apiError, FORM_FIELDS)}
        </p>
      )}
      {/* aria-disabled rather than disabled: a disabled button drops the focus
          (to the page), and focus is to come back to the title after the add. */}
      <button type="submit" aria-disabled={createTask.isPending || undefined}
        className="rounded-md bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 aria-disabled:opacity-60">
        {createTask.isPending ? "Adding…" : "Add task"}
      </button>
    </form>
  );
}
