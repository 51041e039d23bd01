"use client";

import { useCallback, useEffect, useRef, useState } from "react";
import { describeError } from "@/lib/api/errors";
import type { TaskApi } from "@/lib/api/task-api";
import type { Task } from "@/lib/api/types";
import { useToasts } from "./toasts";
import { useDeleteTask } from "./use-tasks";

/** How long a deleted task can be brought back before the DELETE is sent. */
export const UNDO_MS = 6000;

let toastSerial = 0;

/**
 * A toast id of its own for each deletion: sonner removes a dismissed toast by
 * its id once more a moment after it has gone, which took along a new toast of
 * the same id (the task deleted again right after Undo), and with it the Undo.
 */
const newToastId = (taskId: number) => `delete-${taskId}-${++toastSerial}`;

/** How the toast names the Undo shortcut: ⌘Z on Apple's systems, Ctrl+Z elsewhere. */
function undoShortcut(): string {
  return /Mac|iPhone|iPad/.test(navigator.userAgent) ? "⌘Z" : "Ctrl+Z";
}

/** Where Ctrl+Z (⌘Z) is the field's own undo of typing, not the page's. */
function isTextField(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement) return true;
  return target instanceof HTMLInputElement && !["checkbox", "radio", "button", "submit", "reset", "range", "color", "file"].includes(target.type);
}

/**
 * Moves the focus to the restored row's Delete button. Sonner sends the focus
 * back to where it came from as soon as it leaves the toasts (for a toast
 * reached by its Alt+T, that is the row below the deleted one, which took the
 * focus at the deletion): in Chromium that move wins over one made while it
 * runs, and the next Enter deleted the wrong task. So the focus leaves the
 * toasts first, and sonner's return is over before ours.
 */
function focusRestoredRow(id: number) {
  const target = document.querySelector<HTMLButtonElement>(`[data-task-id="${id}"] button[data-delete]`);
  if (!target) return;
  const active = document.activeElement;
  if (active instanceof HTMLElement && active.closest("[data-sonner-toaster]")) active.blur();
  target.focus();
}

interface PendingDeletionProps {
  api: TaskApi;
  task: Task;
  /** Called once the API has answered (either way). */
  onSettled: (id: number) => void;
  onFailure: (task: Task, message: string) => void;
  /** Where the page finds this deletion's "send it now" (as it goes away). */
  register: (id: number, sendNow: (() => void) | undefined) => void;
  undoMs: number;
  /** Takes away this task's Undo toast. */
  dismissToast: (taskId: number) => void;
}

/**
 * One deletion waiting out its undo window (renders nothing). It lives in the
 * list, not in the row, so it outlives the hidden row; its mutation keeps the
 * task's own scope, so it runs after any change to the task still under way.
 */
function PendingDeletion({ api, task, onSettled, onFailure, register, undoMs, dismissToast }: PendingDeletionProps) {
  // A refused deletion shows its row again at once (the mutation's own
  // settling waits for the refetch that follows).
  const deleteTask = useDeleteTask(api, task.id, (error, failed) => {
    onSettled(failed.id);
    onFailure(failed, `Could not delete “${failed.title}”. ${describeError(error)}`);
  });
  const sent = useRef(false);
  const { mutate } = deleteTask;

  useEffect(() => {
    const send = (keepalive: boolean) => {
      if (sent.current) return;
      sent.current = true;
      // Beyond Undo's reach from here on (Ctrl+Z included).
      register(task.id, undefined);
      dismissToast(task.id);
      mutate({ task, keepalive }, { onSettled: () => onSettled(task.id) });
    };
    const timer = setTimeout(() => send(false), undoMs);
    register(task.id, () => send(true));
    return () => {
      clearTimeout(timer);
      register(task.id, undefined);
    };
  }, [task, mutate, onSettled, register, undoMs, dismissToast]);
  return null;
}

/**
 * Deletion with Undo: `remove` hides the task at once and offers Undo in a
 * toast; only when the window has passed is the DELETE sent. When the page
 * goes away (reload, closing the tab) first, the waiting deletions are sent
 * then, as requests that outlive the page. A refused deletion brings the row
 * back and gives `onFailure` the task and what to say, for the page to say it
 * at that row.
 */
export function usePendingDeletes(api: TaskApi, onFailure: (task: Task, message: string) => void, undoMs = UNDO_MS) {
  const [pending, setPending] = useState<ReadonlyMap<number, Task>>(new Map());
  const senders = useRef(new Map<number, () => void>());
  const toasts = useToasts();
  const { show: showToast, dismiss } = toasts;
  const toastIds = useRef(new Map<number, string>());
  const dismissToast = useCallback(
    (taskId: number) => {
      const id = toastIds.current.get(taskId);
      toastIds.current.delete(taskId);
      if (id) dismiss(id);
    },
    [dismiss],
  );

  const settle = useCallback((id: number) => {
    setPending((current) => {
      const next = new Map(current);
      next.delete(id);
      return next;
    });
  }, []);

  const register = useCallback((id: number, sendNow: (() => void) | undefined) => {
    if (sendNow) senders.current.set(id, sendNow);
    else senders.current.delete(id);
  }, []);

  useEffect(() => {
    const sendAll = () => {
      for (const send of senders.current.values()) send();
    };
    window.addEventListener("pagehide", sendAll);
    return () => window.removeEventListener("pagehide", sendAll);
  }, []);

  const undo = useCallback(
    (task: Task) => {
      if (!senders.current.has(task.id)) return;
      settle(task.id);
      dismissToast(task.id);
      // Back to the row, whose Delete button the person last used.
      requestAnimationFrame(() => focusRestoredRow(task.id));
    },
    [settle, dismissToast],
  );

  // Undo's button is the page's last stop for Tab, and sonner's own Alt+T is
  // said nowhere: Ctrl+Z (⌘Z), named in the toast, reaches it from wherever
  // the person is, latest deletion first. Text fields keep it for their typing.
  const pendingRef = useRef(pending);
  useEffect(() => {
    pendingRef.current = pending;
  }, [pending]);
  useEffect(() => {
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key.toLowerCase() !== "z" || !(event.ctrlKey || event.metaKey) || event.shiftKey || event.altKey) return;
      if (event.defaultPrevented || isTextField(event.target)) return;
      const latest = [...pendingRef.current.values()].filter((task) => senders.current.has(task.id)).at(-1);
      if (!latest) return;
      event.preventDefault();
      undo(latest);
    };
    document.addEventListener("keydown", onKeyDown);
    return () => document.removeEventListener("keydown", onKeyDown);
  }, [undo]);

  const remove = useCallback(
    (task: Task) => {
      setPending((current) => new Map(current).set(task.id, task));
      const id = newToastId(task.id);
      toastIds.current.set(task.id, id);
      showToast(id, `Deleted “${task.title}”`, {
        duration: undoMs,
        description: `Press ${undoShortcut()} to undo.`,
        action: { label: "Undo", onClick: () => undo(task) },
      });
    },
    [undo, undoMs, showToast],
  );

  const runners = [...pending.values()].map((task) => (
    <PendingDeletion key={task.id} api={api} task={task} onSettled={settle} onFailure={onFailure} register={register} undoMs={undoMs}
      dismissToast={dismissToast} />
  ));

  return { pending, remove, runners, toaster: toasts.toaster };
}
