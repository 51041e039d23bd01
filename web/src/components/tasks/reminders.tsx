"use client";

import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import type { TaskApi } from "@/lib/api/task-api";
import { dueWords } from "@/lib/dates/due-words";
import { browserTimeZone } from "@/lib/dates/zoned";
import { dueReminders, nextReminderAt, ShownReminders, type Reminder } from "@/lib/tasks/reminders";
import { latestTask, useReminderTasks } from "./use-tasks";

/** The longest a timer waits before looking again (clocks jump, laptops sleep). */
const MAX_WAIT_MS = 60_000;

type Permission = NotificationPermission | "unsupported";

function currentPermission(): Permission {
  return typeof Notification === "undefined" ? "unsupported" : Notification.permission;
}

function describe(reminder: Reminder, now: Date): string {
  const due = dueWords(reminder.task, now, { timeZone: browserTimeZone() });
  return due ? `Due ${due}.` : "";
}

/**
 * Reminders while the app is open: at a task's `remind_at` a notification
 * (when the person allowed them), else a banner at the top of the page; once
 * per reminder across tabs and reloads; never for a task already done.
 */
export function Reminders({ api }: { api: TaskApi }) {
  const queryClient = useQueryClient();
  const { data: tasks } = useReminderTasks(api);
  const [shown] = useState(() => new ShownReminders(api.userId));
  const [banners, setBanners] = useState<Reminder[]>([]);
  // The server renders no Notification, but nothing here renders before the
  // tasks have loaded in the browser, so both render alike.
  const [permission, setPermission] = useState<Permission>(currentPermission);
  const bannerRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!tasks) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const check = () => {
      const now = Date.now();
      for (const reminder of dueReminders(tasks, now, (key) => shown.has(key))) {
        // The latest state, a tick still on its way included: a task just done is not reminded.
        if (latestTask(queryClient, api.userId, reminder.task.id)?.completed) continue;
        if (!shown.claim(reminder.key, now)) continue;
        if (currentPermission() === "granted") {
          try {
            new Notification(`Reminder: ${reminder.task.title}`, { body: describe(reminder, new Date(now)), tag: reminder.key });
            continue;
          } catch {
            // Some browsers allow notifications only from a service worker: the banner instead.
          }
        }
        setBanners((current) => [...current, reminder]);
      }
      const next = nextReminderAt(tasks, now);
      if (next !== undefined) timer = setTimeout(check, Math.min(next - now, MAX_WAIT_MS));
    };
    check();
    return () => clearTimeout(timer);
  }, [tasks, shown, queryClient, api.userId]);

  function dismiss(key: string) {
    const rest = banners.filter((reminder) => reminder.key !== key);
    setBanners(rest);
    // The focus stays among the reminders, or goes to the list.
    requestAnimationFrame(() => {
      const next = bannerRef.current?.querySelector<HTMLButtonElement>("button[data-dismiss]");
      (next ?? document.getElementById("task-list-heading"))?.focus();
    });
  }

  const wantsReminders = tasks?.some((task) => task.remind_at) ?? false;

  return (
    <>
      {banners.length > 0 && (
        <div ref={bannerRef} role="alert" aria-label="Reminders"
          className="sticky top-0 z-10 space-y-2 rounded-lg border border-amber-400 bg-amber-50 p-3 text-amber-950 shadow dark:border-amber-600 dark:bg-amber-950 dark:text-amber-50">
          {banners.map((reminder) => (
            <div key={reminder.key} className="flex items-start justify-between gap-3">
              <p>
                <span className="font-semibold">Reminder: {reminder.task.title}</span> {describe(reminder, new Date())}
              </p>
              <button type="button" data-dismiss onClick={() => dismiss(reminder.key)}
                aria-label={`Dismiss the reminder for “${reminder.task.title}”`} className="shrink-0 underline">
                Dismiss
              </button>
            </div>
          ))}
        </div>
      )}
      {permission === "default" && wantsReminders && (
        <p className="text-sm text-zinc-700 dark:text-zinc-300">
          Reminders show on this page while it is open.{" "}
          <button type="button" className="font-medium text-blue-700 underline dark:text-blue-400"
            onClick={() => void Notification.requestPermission().then(setPermission, () => setPermission(currentPermission()))}>
            Show them as notifications
          </button>
        </p>
      )}
    </>
  );
}
