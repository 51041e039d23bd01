"use client";

import { useQueryClient } from "@tanstack/react-query";
import { memo, useEffect, useRef, useState } from "react";
import { describeError, describeFormError, fieldMessage } from "@/lib/api/errors";
import type { TaskApi } from "@/lib/api/task-api";
import type { Task, TaskChanges } from "@/lib/api/types";
import { dueInFull, dueWords } from "@/lib/dates/due-words";
import { browserTimeZone } from "@/lib/dates/zoned";
import { onDemand, PART_NOT_LOADED } from "@/lib/on-demand";
import { isOverdue } from "@/lib/tasks/filters";
import { describeRRule } from "@/lib/tasks/recurrence";
import type { EditDrafts, EditError } from "./task-editor";
import { intendedCompleted, isPlaceholder, latestTask, useSetCompleted, useUpdateTask } from "./use-tasks";

interface TaskItemProps {
  api: TaskApi;
  task: Task;
  /** The clock the due dates are read against (the list ticks it every minute). */
  now: Date;
  /** Reports a failure to the page-level alert, for a row that has gone meanwhile. */
  onFailure: (message: string) => void;
  /** Deletes the task (with Undo: see usePendingDeletes). */
  onDelete: (task: Task) => void;
  /** Says a change to screen readers (ticks and saved edits). */
  announce: (message: string) => void;
  /**
   * What last failed on this task (a tick, a deletion), said at the row. The
   * list keeps it, not the row: a ticked row moves to the Completed group and
   * back, and a deletion outlives its hidden row.
   */
  failure?: string;
  /** Keeps a failure of this task's for its row (or the page, when the row is not shown). */
  onFailureAt: (id: number, message: string) => void;
  /** Forgets `failure` (dismissed, or the person acts on the task again). */
  onDismissFailure: (id: number) => void;
}

// The row's edit mode loads the first time a person edits a task: most visits
// never do, so the page's first load does not carry it (nor the form's
// checks). The Edit button stays until it has loaded, holding the focus, and
// hovering or focusing the button fetches it ahead.
const editorModule = onDemand(() => import("./task-editor"));

const EDIT_FIELDS = ["title", "description", "priority", "tags", "due_at", "recurrence", "remind_at", "time_zone"] as const;

const PRIORITY_MARK = {
  high: { label: "High", className: "border-red-700 text-red-800 dark:border-red-400 dark:text-red-300" },
  medium: { label: "Medium", className: "border-amber-700 text-amber-900 dark:border-amber-400 dark:text-amber-200" },
  low: { label: "Low", className: "border-sky-700 text-sky-900 dark:border-sky-400 dark:text-sky-200" },
} as const;

/** Priority, due date (overdue marked), repetition and tags, in words. */
function TaskMeta({ task, now }: { task: Task; now: Date }) {
  const timeZone = browserTimeZone();
  const words = dueWords(task, now, { timeZone });
  const overdue = isOverdue(task, now, timeZone);
  const repeat = describeRRule(task.recurrence);
  const mark = task.priority !== "none" ? PRIORITY_MARK[task.priority] : undefined;
  if (!mark && !words && !repeat && task.tags.length === 0) return null;
  return (
    <ul aria-label="Details" className="mt-1 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm">
      {mark && (
        <li className={`rounded border px-1.5 text-xs font-semibold ${mark.className}`}>
          {mark.label}
          <span className="sr-only"> priority</span>
        </li>
      )}
      {words && (
        <li className={overdue ? "font-medium text-red-800 dark:text-red-300" : "text-zinc-700 dark:text-zinc-300"}>
          {overdue ? "Overdue: " : "Due "}
          <time dateTime={task.due_at ?? undefined} title={dueInFull(task, { timeZone })}>
            {words}
          </time>
        </li>
      )}
      {repeat && (
        <li className="text-zinc-700 dark:text-zinc-300">
          <span aria-hidden="true">↻ </span>
          {repeat}
        </li>
      )}
      {task.tags.map((tag) => (
        <li key={tag} className="rounded-full bg-zinc-200 px-2 text-xs text-zinc-900 dark:bg-zinc-700 dark:text-zinc-100">
          <span className="sr-only">tag </span>
          {tag}
        </li>
      ))}
    </ul>
  );
}

/** Where keyboard focus goes when a row is deleted: the next row's Delete button, else the list's heading. */
function focusAfterDelete(row: HTMLElement | null) {
  const next = row?.nextElementSibling?.querySelector<HTMLButtonElement>("button[data-delete]:not(:disabled)");
  const target = next ?? document.getElementById("task-list-heading");
  target?.focus();
}

/**
 * One row. Memoized: the list re-renders on every filter change and refetch,
 * and with hundreds of rows loaded, rows whose task and props did not change
 * must not render again (every prop is a stable callback or a cached task).
 */
export const TaskItem = memo(function TaskItem({ api, task, now, onFailure, onDelete, announce, failure, onFailureAt, onDismissFailure }: TaskItemProps) {
  const queryClient = useQueryClient();
  const [editing, setEditing] = useState(false);
  // Filled in by the editor (from the task when editing starts), not for every row shown.
  const [drafts, setDrafts] = useState<EditDrafts>();
  const [editError, setEditError] = useState<EditError>();
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
        fields: Object.fromEntries(EDIT_FIELDS.map((field) => [field, fieldMessage(error, field)])),
      });
      setEditing(true);
    } else {
      const typed = changes.title && changes.title !== titleBefore ? ` (new title: “${changes.title}”)` : "";
      onFailure(`Could not save your changes to “${titleBefore}”${typed}. ${describeError(error)}`);
    }
  });
  // Said at the row (next to what failed, also on a phone), wherever the row is by then.
  const setCompleted = useSetCompleted(api, task.id, (error, failed) =>
    onFailureAt(failed.id, `Could not update “${failed.title}”. ${describeError(error)}`),
  );
  const placeholder = isPlaceholder(task);
  const baseId = `task-${task.id}`;
  function clearErrors() {
    if (failure) onDismissFailure(task.id);
  }

  function focusEditButton() {
    requestAnimationFrame(() => editButtonRef.current?.focus());
  }

  function startEditing() {
    const open = () => {
      setDrafts(undefined);
      setEditError(undefined);
      clearErrors();
      setEditing(true);
    };
    if (editorModule.current) open();
    else
      editorModule.load().then(
        () => mounted.current && open(),
        () =>
          mounted.current &&
          onFailureAt(task.id, `Could not open “${task.title}” for editing: ${PART_NOT_LOADED}`),
      );
  }

  function stopEditing() {
    setEditing(false);
    setEditError(undefined);
    focusEditButton();
  }

  function saveChanges(changes: TaskChanges) {
    updateTask.mutate(
      { changes, titleBefore: task.title },
      { onSuccess: (saved) => announce(`Saved “${saved.title}”.`) },
    );
  }

  function onToggle() {
    clearErrors();
    // Against the latest state, not this render's `task`: a second click may
    // come before the first one's optimistic change has re-rendered the row.
    const completed = !intendedCompleted(queryClient, api.userId, task);
    const current = latestTask(queryClient, api.userId, task.id) ?? task;
    setCompleted.mutate({ task: current, completed });
    announce(completed ? `“${current.title}” done.` : `“${current.title}” not done.`);
  }

  function onDeleteClick() {
    clearErrors();
    focusAfterDelete(rowRef.current);
    onDelete(latestTask(queryClient, api.userId, task.id) ?? task);
  }

  const buttonClass =
    "rounded-md border border-zinc-400 px-3 py-1.5 text-sm font-medium hover:bg-zinc-100 disabled:opacity-50 dark:hover:bg-zinc-800";

  const errorId = `${baseId}-error`;

  if (editing && editorModule.current) {
    const { TaskEditor } = editorModule.current;
    return (
      <TaskEditor api={api} task={task} baseId={baseId} drafts={drafts} setDrafts={setDrafts} editError={editError}
        setEditError={setEditError} onStop={stopEditing} onSave={saveChanges} buttonClass={buttonClass} />
    );
  }

  return (
    <li ref={rowRef} data-task-id={task.id} className="rounded-lg border border-zinc-300 p-3 dark:border-zinc-700" aria-busy={placeholder || undefined}>
      <div className="flex flex-wrap items-start gap-3">
        <input id={`${baseId}-done`} type="checkbox" checked={task.completed} disabled={placeholder} onChange={onToggle}
          className="mt-1 h-5 w-5 shrink-0 accent-blue-700" aria-label={`Done: ${task.title}`}
          aria-describedby={failure ? errorId : undefined} />
        <div className="min-w-0 flex-1">
          <p className={`break-words font-medium ${task.completed ? "text-zinc-600 line-through dark:text-zinc-400" : ""}`}>{task.title}</p>
          {task.description && (
            <p className="mt-1 whitespace-pre-wrap break-words text-sm text-zinc-700 dark:text-zinc-300">{task.description}</p>
          )}
          <TaskMeta task={task} now={now} />
          {placeholder && <p className="mt-1 text-xs text-zinc-600 dark:text-zinc-400">Saving…</p>}
        </div>
        <div className="flex gap-2">
          <button ref={editButtonRef} type="button" onClick={startEditing} onPointerEnter={editorModule.prefetch} onFocus={editorModule.prefetch}
            disabled={placeholder} className={buttonClass}
            aria-label={`Edit “${task.title}”`}>
            Edit
          </button>
          <button type="button" data-delete onClick={onDeleteClick} disabled={placeholder} className={buttonClass} aria-label={`Delete “${task.title}”`}>
            Delete
          </button>
        </div>
      </div>
      {failure && (
        <div id={errorId} role="alert" className="mt-2 flex items-start justify-between gap-3 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          <p>{failure}</p>
          <button type="button" onClick={() => { clearErrors(); document.getElementById(`${baseId}-done`)?.focus(); }}
            className="shrink-0 underline">
            Dismiss
          </button>
        </div>
      )}
    </li>
  );
});
