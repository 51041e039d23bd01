"use client";

// A row's edit mode: loaded the first time a person edits a task (TaskItem
// imports it on demand), so the tasks page's first load does not carry it.

import { useState, type FormEvent, type KeyboardEvent } from "react";
import type { TaskApi } from "@/lib/api/task-api";
import type { Task, TaskChanges } from "@/lib/api/types";
import { browserTimeZone } from "@/lib/dates/zoned";
import { changesOf, checkDraft, draftOf, type DraftProblem, type TaskDraft } from "@/lib/tasks/draft";
import { DESCRIPTION_MAX, TaskDetailsFields, TITLE_MAX } from "./new-task-form";

/** What the person is editing: the form's fields when editing started, and as typed since. */
export interface EditDrafts {
  before: TaskDraft;
  draft: TaskDraft;
}

export interface EditError {
  message: string;
  fields: Partial<Record<string, string>>;
}

export interface TaskEditorProps {
  api: TaskApi;
  task: Task;
  baseId: string;
  /** Kept by the row (an edit the API refused reopens with what was typed); undefined: from the task. */
  drafts: EditDrafts | undefined;
  setDrafts: (update: (current: EditDrafts | undefined) => EditDrafts) => void;
  editError: EditError | undefined;
  setEditError: (error: EditError | undefined) => void;
  /** Leaves edit mode (focus back to the row's Edit button). */
  onStop: () => void;
  /** Sends what changed (called after onStop, only when something did). */
  onSave: (changes: TaskChanges) => void;
  buttonClass: string;
}

export function TaskEditor({ api, task, baseId, drafts, setDrafts, editError, setEditError, onStop, onSave, buttonClass }: TaskEditorProps) {
  const [initial] = useState(() => draftOf(task, browserTimeZone()));
  const before = drafts?.before ?? initial;
  const draft = drafts?.draft ?? initial;
  const change = (next: Partial<TaskDraft>) =>
    setDrafts((current) => ({ before: current?.before ?? initial, draft: { ...(current?.draft ?? initial), ...next } }));

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const problem: DraftProblem | undefined = checkDraft(draft);
    if (problem) {
      const field = { title: "title", dueDate: "due_at", repeat: "recurrence", reminder: "remind_at", reminderAt: "remind_at" }[problem.field];
      setEditError({ message: problem.message, fields: { [field]: problem.field === "title" ? "Enter a title." : problem.message } });
      return;
    }
    const changes = changesOf(task, before, draft, browserTimeZone());
    onStop();
    if (Object.keys(changes).length === 0) return;
    onSave(changes);
  }

  function onKeyDown(event: KeyboardEvent) {
    if (event.key === "Escape") {
      event.preventDefault();
      onStop();
    }
  }

  const inputClass =
    "mt-1 block w-full rounded-md border border-zinc-400 bg-white px-3 py-2 text-base text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100";
  const fieldErrors = editError?.fields ?? {};

  return (
    <li className="rounded-lg border border-blue-400 p-3">
      <form onSubmit={onSubmit} onKeyDown={onKeyDown} noValidate aria-label={`Edit “${task.title}”`} className="space-y-3">
        <div>
          <label htmlFor={`${baseId}-title`} className="block text-sm font-medium">
            Title
          </label>
          <input id={`${baseId}-title`} autoFocus value={draft.title} maxLength={TITLE_MAX}
            aria-invalid={fieldErrors.title ? true : undefined}
            aria-describedby={fieldErrors.title ? `${baseId}-title-error` : undefined}
            onChange={(event) => change({ title: event.target.value })} className={inputClass} />
          {fieldErrors.title && (
            <p id={`${baseId}-title-error`} className="mt-1 text-sm text-red-700 dark:text-red-400">
              {fieldErrors.title}
            </p>
          )}
        </div>
        <div>
          <label htmlFor={`${baseId}-description`} className="block text-sm font-medium">
            Description
          </label>
          <textarea id={`${baseId}-description`} value={draft.description} maxLength={DESCRIPTION_MAX} rows={2}
            aria-invalid={fieldErrors.description ? true : undefined}
            aria-describedby={fieldErrors.description ? `${baseId}-description-error` : undefined}
            onChange={(event) => change({ description: event.target.value })} className={inputClass} />
          {fieldErrors.description && (
            <p id={`${baseId}-description-error`} className="mt-1 text-sm text-red-700 dark:text-red-400">
              {fieldErrors.description}
            </p>
          )}
        </div>
        <TaskDetailsFields api={api} idPrefix={baseId} draft={draft} onChange={change}
          errors={{
            dueDate: fieldErrors.due_at,
            repeat: fieldErrors.recurrence,
            reminder: fieldErrors.remind_at,
            priority: fieldErrors.priority,
            tags: fieldErrors.tags,
          }} />
        {editError && (
          <p role="alert" className="text-sm text-red-800 dark:text-red-300">
            {editError.message}
          </p>
        )}
        <div className="flex gap-2">
          <button type="submit" className="rounded-md bg-blue-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-blue-800">
            Save
          </button>
          <button type="button" onClick={onStop} className={buttonClass}>
            Cancel
          </button>
        </div>
      </form>
    </li>
  );
}
