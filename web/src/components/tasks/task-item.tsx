"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import { describeError, describeFormError, fieldMessage } from "@/lib/api/errors";
import type { TaskApi } from "@/lib/api/task-api";
import type { Task } from "@/lib/api/types";
import { DESCRIPTION_MAX, TITLE_MAX } from "./new-task-form";
import { intendedCompleted, isPlaceholder, latestTask, useDeleteTask, useSetCompleted, useUpdateTask } from "./use-tasks";

interface TaskItemProps {
  api: TaskApi;
  task: Task;
  /** Reports a failure to the page-level alert (also after this row has gone). */
  onFailure: (message: string) => void;
}

const EDIT_FIELDS = ["title", "description"] as const;

/** Where keyboard focus goes when a row is deleted: the next row's Delete button, else the list's heading. */
function focusAfterDelete(row: HTMLElement | null) {
  const next = row?.nextElementSibling?.querySelector<HTMLButtonElement>("button[data-delete]:not(:disabled)");
  const target = next ?? document.getElementById("task-list-heading");
  target?.focus();
}

export function TaskItem({ api, task, onFailure }: TaskItemProps) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  const [draftTitle, setDraftTitle] = useState(task.title);
  const [draftDescription, setDraftDescription] = useState(task.description ?? "");
  const [editError, setEditError] = useState<{ message: string; title?: string; description?: string }>();
  const editButtonRef = useRef<HTMLButtonElement>(null);
  const rowRef = useRef<HTMLLIElement>(null);
  const mounted = useRef(false);
  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
    };
  }, []);

  // Failures are reported from the hooks, so they are heard even when this row
  // has unmounted meanwhile (a deleted row, or the list filtered differently).
  const updateTask = useUpdateTask(api, task.id, (error, { changes, titleBefore }) => {
    if (mounted.current) {
      // Reopen the editor with what the person typed (still in the drafts), and say why.
      setEditError({
        message: `Could not save the changes. ${describeFormError(error, EDIT_FIELDS)}`,
        title: fieldMessage(error, "title"),
        description: fieldMessage(error, "description"),
      });
      setEditing(true);
    } else {
      const typed = changes.title && changes.title !== titleBefore ? ` (new title: “${changes.title}”)` : "";
      onFailure(`Could not save your changes to “${titleBefore}”${typed}. ${describeError(error)}`);
    }
  });
  const setCompleted = useSetCompleted(api, task.id, (error, failed) =>
    onFailure(`Could not update “${failed.title}”. ${describeError(error)}`),
  );
  const deleteTask = useDeleteTask(api, task.id, (error, failed) =>
    onFailure(`Could not delete “${failed.title}”. ${describeError(error)}`),
  );
  const placeholder = isPlaceholder(task);
  const baseId = `task-${task.id}`;

  function focusEditButton() {
    requestAnimationFrame(() => editButtonRef.current?.focus());
  }

  function startEditing() {
    setDraftTitle(task.title);
    setDraftDescription(task.description ?? "");
    setEditError(undefined);
    setEditing(true);
  }

  function stopEditing() {
    setEditing(false);
    setEditError(undefined);
    focusEditButton();
  }

  function onSave(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const title = draftTitle.trim();
    if (!title) {
      setEditError({ message: "The title cannot be empty.", title: "Enter a title." });
      return;
    }
    const description = draftDescription.trim() || null;
    if (title === task.title && description === (task.description ?? null)) {
      stopEditing();
      return;
    }
    stopEditing();
    updateTask.mutate({ changes: { title, description }, titleBefore: task.title });
  }

  function onEditorKeyDown(event: KeyboardEvent) {
    if (event.key === "Escape") {
      event.preventDefault();
      stopEditing();
    }
  }

  function onToggle() {
    // Against the latest state, not this render's `task`: a second click may
    // come before the first one's optimistic change has re-rendered the row.
    const completed = !intendedCompleted(queryClient, api.userId, task);
    setCompleted.mutate({ task: latestTask(queryClient, api.userId, task.id) ?? task, completed });
  }

  function onDelete() {
    focusAfterDelete(rowRef.current);
    deleteTask.mutate({ task });
  }

  const inputClass =
    "mt-1 block w-full rounded-md border border-zinc-400 bg-white px-3 py-2 text-base text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100";
  const buttonClass =
    "rounded-md border border-zinc-400 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 disabled:opacity-50 dark:hover:bg-zinc-800";

  if (editing) {
    return (
      <li className="rounded-lg border border-blue-400 p-3">
        <form onSubmit={onSave} onKeyDown={onEditorKeyDown} noValidate aria-label={`Edit “${task.title}”`} className="space-y-2">
          <div>
            <label htmlFor={`${baseId}-title`} className="block text-sm font-medium">
              Title
            </label>
            <input id={`${baseId}-title`} autoFocus value={draftTitle} maxLength={TITLE_MAX}
              aria-invalid={editError?.title ? true : undefined}
              aria-describedby={editError?.title ? `${baseId}-title-error` : undefined}
              onChange={(event) => setDraftTitle(event.target.value)} className={inputClass} />
            {editError?.title && (
              <p id={`${baseId}-title-error`} className="mt-1 text-sm text-red-700 dark:text-red-400">
                {editError.title}
              </p>
            )}
          </div>
          <div>
            <label htmlFor={`${baseId}-description`} className="block text-sm font-medium">
              Description
            </label>
            <textarea id={`${baseId}-description`} value={draftDescription} maxLength={DESCRIPTION_MAX} rows={2}
              aria-invalid={editError?.description ? true : undefined}
              aria-describedby={editError?.description ? `${baseId}-description-error` : undefined}
              onChange={(event) => setDraftDescription(event.target.value)} className={inputClass} />
            {editError?.description && (
              <p id={`${baseId}-description-error`} className="mt-1 text-sm text-red-700 dark:text-red-400">
                {editError.description}
              </p>
            )}
          </div>
          {editError && (
            <p role="alert" className="text-sm text-red-800 dark:text-red-300">
              {editError.message}
            </p>
          )}
          <div className="flex gap-2">
            <button type="submit" className="rounded-md bg-blue-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-blue-800">
              Save
            </button>
            <button type="button" onClick={stopEditing} className={buttonClass}>
              Cancel
            </button>
          </div>
        </form>
      </li>
    );
  }

  return (
    <li ref={rowRef} className="flex flex-wrap items-start gap-3 rounded-lg border border-zinc-300 p-3 dark:border-zinc-700" aria-busy={placeholder || undefined}>
      <input id={`${baseId}-done`} type="checkbox" checked={task.completed} disabled={placeholder} onChange={onToggle}
        className="mt-1 h-5 w-5 shrink-0 accent-blue-700" aria-label={`Done: ${task.title}`} />
      <div className="min-w-0 flex-1">
        <p className={`break-words font-medium ${task.completed ? "text-zinc-500 line-through" : ""}`}>{task.title}</p>
        {task.description && (
          <p className="mt-1 whitespace-pre-wrap break-words text-sm text-zinc-700 dark:text-zinc-300">{task.description}</p>
        )}
        {placeholder && <p className="mt-1 text-xs text-zinc-500">Saving…</p>}
      </div>
      <div className="flex gap-2">
        <button ref={editButtonRef} type="button" onClick={startEditing} disabled={placeholder} className={buttonClass}
          aria-label={`Edit “${task.title}”`}>
          Edit
        </button>
        <button type="button" data-delete onClick={onDelete} disabled={placeholder} className={buttonClass} aria-label={`Delete “${task.title}”`}>
          Delete
        </button>
      </div>
    </li>
  );
}
