"use client";

import { useCallback, useDeferredValue, useEffect, useRef, useState } from "react";
import { ApiError, describeError } from "@/lib/api/errors";
import type { TaskApi } from "@/lib/api/task-api";
import type { Task } from "@/lib/api/types";
import { DEFAULT_FILTERS, type TaskFilters } from "@/lib/tasks/filters";
import { useStoredFlag } from "@/lib/tasks/stored-flag";
import { NewTaskForm } from "./new-task-form";
import { usePendingDeletes } from "./pending-deletes";
import { TaskControls } from "./task-controls";
import { TaskItem } from "./task-item";
import { useTags, useTaskList, useViewsFollowTheDay } from "./use-tasks";

/** The current time, moved on every `intervalMs`: due dates in words and overdue marks follow the clock. */
export function useNow(intervalMs = 60_000): Date {
  const [now, setNow] = useState(() => new Date());
  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), intervalMs);
    return () => clearInterval(timer);
  }, [intervalMs]);
  return now;
}

/**
 * Keeps the keyboard focus in the list when what held it goes away without the
 * person moving it: a ticked task leaving a filtered list, an edited one that no
 * longer matches the search, "Try again" once the list has loaded. The list's
 * heading takes it instead of the page.
 */
function useFocusKeptIn(section: React.RefObject<HTMLElement | null>) {
  useEffect(() => {
    const root = section.current;
    if (!root) return;
    let last: Element | null = null;
    const onFocusIn = (event: FocusEvent) => {
      last = event.target as Element;
    };
    const observer = new MutationObserver(() => {
      const active = document.activeElement;
      if (last && !last.isConnected && (!active || active === document.body)) {
        // A ticked task moves between the open rows and the Completed group:
        // its checkbox (same id) is focused again in its new place.
        const again = last.id ? document.getElementById(last.id) : null;
        last = null;
        (again ?? document.getElementById("task-list-heading"))?.focus();
      }
    });
    root.addEventListener("focusin", onFocusIn);
    observer.observe(root, { childList: true, subtree: true });
    return () => {
      root.removeEventListener("focusin", onFocusIn);
      observer.disconnect();
    };
  }, [section]);
}

/** A polite live region's text: each message is said, also the same one twice. */
function useAnnouncer(): [string, (message: string) => void] {
  const [message, setMessage] = useState("");
  const announce = useCallback((next: string) => {
    setMessage("");
    requestAnimationFrame(() => setMessage(next));
  }, []);
  return [message, announce];
}

/** "5 left · 3 done", of the rows shown. */
export function countWords(tasks: { completed: boolean }[]): string {
  const done = tasks.filter((task) => task.completed).length;
  return `${tasks.length - done} left · ${done} done`;
}

/** Whether the Completed group is open, remembered per browser. */
export const COMPLETED_SHOWN_KEY = "todo.completed-shown";

/**
 * Open tasks first, then the done ones, each in the list's order: in a list of
 * every status the done ones go into a Completed group of their own.
 */
export function groupByDone<T extends { completed: boolean }>(tasks: T[], grouped: boolean): { open: T[]; done: T[] } {
  if (!grouped) return { open: tasks, done: [] };
  return { open: tasks.filter((task) => !task.completed), done: tasks.filter((task) => task.completed) };
}

/** The task page's body, given an API client bound to the signed-in person. */
export interface TasksViewProps {
  api: TaskApi;
  /** How long a deletion can be undone (tests shorten it). */
  undoMs?: number;
}

export function TasksView({ api, undoMs }: TasksViewProps) {
  const [chosen, setFilters] = useState<TaskFilters>(DEFAULT_FILTERS);
  // The controls show a change at once; the list follows in a render React may
  // interrupt and split (going back to a list of hundreds of loaded rows is
  // otherwise one long task that blocks the page).
  const filters = useDeferredValue(chosen);
  const [failure, setFailure] = useState<string | undefined>();
  const list = useTaskList(api, filters);
  const tags = useTags(api);
  const now = useNow();
  useViewsFollowTheDay(api, filters, now);
  const onFilters = useCallback((next: TaskFilters) => setFilters(next), []);
  // Refused ticks and deletions by task id, each said at its row (where the
  // person is looking, also on a phone): the latest one per task.
  const [rowFailures, setRowFailures] = useState<ReadonlyMap<number, string>>(new Map());
  const failAt = useCallback(
    (id: number, message: string) => setRowFailures((current) => new Map(current).set(id, message)),
    [],
  );
  const onDeleteFailure = useCallback((task: Task, message: string) => failAt(task.id, message), [failAt]);
  const forgetFailure = useCallback(
    (id: number) =>
      setRowFailures((current) => {
        if (!current.has(id)) return current;
        const next = new Map(current);
        next.delete(id);
        return next;
      }),
    [],
  );
  const deletes = usePendingDeletes(api, onDeleteFailure, undoMs);
  const sectionRef = useRef<HTMLElement>(null);
  useFocusKeptIn(sectionRef);
  const [announcement, announce] = useAnnouncer();

  // The API's rows in the API's order. A task waiting out its undo window (the
  // person's own change, not sent yet) is hidden, also from lists refetched meanwhile.
  const tasks = (list.data?.pages.flatMap((page) => page.tasks) ?? []).filter((task) => !deletes.pending.has(task.id));
  // A list of every status shows what is left to do first; what is done goes
  // into a group the person can fold away (and the browser remembers that).
  const { open, done } = groupByDone(tasks, filters.status === "all");
  const [completedShown, setCompletedShown] = useStoredFlag(COMPLETED_SHOWN_KEY, true);
  const rendered = completedShown ? tasks : open;
  // A failure whose task this list does not show (filtered away, in the
  // folded group, or gone for good) is said above the list instead.
  const shown = new Set(rendered.map((task) => task.id));
  const unplaced = [...rowFailures].filter(([id]) => !shown.has(id));
  const messages = [...(failure ? [failure] : []), ...unplaced.map(([, message]) => message)];
  const row = (task: Task) => (
    <TaskItem key={task.id} api={api} task={task} now={now} onFailure={setFailure} onDelete={deletes.remove}
      announce={announce} failure={rowFailures.get(task.id)} onFailureAt={failAt} onDismissFailure={forgetFailure} />
  );
  const filtered =
    filters.status !== "all" || filters.q.trim() !== "" || filters.view !== "all" || filters.tags.length > 0 || filters.priorities.length > 0;
  // Only when this app's own session has ended does signing in again help; if
  // the API refuses a fresh token the sign-in page would send the person back here.
  const sessionEnded = list.error instanceof ApiError && list.error.kind === "unauthenticated";

  return (
    <div className="space-y-6">
      <NewTaskForm api={api} onAdded={(title) => announce(`Added “${title}”.`)} />
      <p aria-live="polite" className="sr-only">
        {announcement}
      </p>

      {messages.length > 0 && (
        <div role="alert" className="flex items-start justify-between gap-3 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
          <div>
            {messages.map((message) => (
              <p key={message}>{message}</p>
            ))}
          </div>
          <button type="button" className="shrink-0 underline"
            onClick={() => {
              setFailure(undefined);
              for (const [id] of unplaced) forgetFailure(id);
              document.getElementById("task-list-heading")?.focus();
            }}>
            Dismiss
          </button>
        </div>
      )}

      <section ref={sectionRef} aria-labelledby="task-list-heading" className="space-y-4">
        {/* Focusable from script: it takes the focus when the last row is deleted. */}
        <h2 id="task-list-heading" tabIndex={-1} className="text-lg font-semibold">
          Your tasks
        </h2>
        <TaskControls filters={chosen} onChange={onFilters} tags={tags.data ?? []} />

        {list.isPending ? (
          <p role="status" className="text-zinc-600 dark:text-zinc-400">
            Loading tasks…
          </p>
        ) : list.isError && tasks.length === 0 ? (
          <div role="alert" className="space-y-2 rounded-md border border-red-300 bg-red-50 px-3 py-2 text-sm text-red-800 dark:border-red-800 dark:bg-red-950 dark:text-red-200">
            <p>Could not load your tasks. {describeError(list.error)}</p>
            {sessionEnded ? (
              <a href="/sign-in" className="font-medium underline">
                Sign in again
              </a>
            ) : (
              <button type="button" onClick={() => list.refetch()} className="font-medium underline">
                Try again
              </button>
            )}
          </div>
        ) : (
          <>
            {list.isError && (
              <p role="alert" className="text-sm text-red-800 dark:text-red-300">
                Could not refresh your tasks. {describeError(list.error)}
              </p>
            )}
            <p role="status" className="sr-only">
              {/* Background refetches (after a change, on window focus) stay quiet;
                  a list the person asked for by changing the filters is announced. */}
              {list.isPlaceholderData ? "Updating tasks…" : `${tasks.length} ${tasks.length === 1 ? "task" : "tasks"} shown`}
            </p>
            {tasks.length > 0 && (
              <p className="text-sm text-zinc-700 dark:text-zinc-300">
                {countWords(tasks)}
              </p>
            )}
            {tasks.length === 0 ? (
              <p className="rounded-lg border border-dashed border-zinc-400 p-6 text-center text-zinc-600 dark:text-zinc-400">
                {filtered ? "No tasks match these filters." : "No tasks yet. Add your first one above."}
              </p>
            ) : (
              <>
                {open.length > 0 && (
                  <ul className={`space-y-2 ${list.isPlaceholderData ? "opacity-60" : ""}`} aria-label="Tasks">
                    {open.map(row)}
                  </ul>
                )}
                {done.length > 0 && (
                  <div>
                    <h3 className="text-base font-semibold">
                      <button type="button" aria-expanded={completedShown} aria-controls={completedShown ? "completed-tasks" : undefined}
                        onClick={() => setCompletedShown(!completedShown)}
                        className="flex items-center gap-1.5 rounded-md py-1 pr-2 hover:underline">
                        <span aria-hidden="true" className={`inline-block transition-transform ${completedShown ? "rotate-90" : ""}`}>
                          ▸
                        </span>
                        Completed ({done.length})
                      </button>
                    </h3>
                    {completedShown && (
                      <ul id="completed-tasks" className={`mt-2 space-y-2 ${list.isPlaceholderData ? "opacity-60" : ""}`} aria-label="Completed tasks">
                        {done.map(row)}
                      </ul>
                    )}
                  </div>
                )}
              </>
            )}
            {list.hasNextPage && (
              <button type="button" onClick={() => list.fetchNextPage()} disabled={list.isFetchingNextPage}
                className="w-full rounded-md border border-zinc-400 px-4 py-2 text-sm font-medium hover:bg-zinc-100 dark:hover:bg-zinc-800">
                {list.isFetchingNextPage ? "Loading more…" : "Load more"}
              </button>
            )}
          </>
        )}
      </section>
      {deletes.runners}
      {deletes.toaster}
    </div>
  );
}
