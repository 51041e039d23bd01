// Which reminders are due, and when the next one is: the rules behind the
// reminders a tab shows while it is open.

import type { Task } from "@/lib/api/types";

/** A reminder missed while no tab was open is still shown this long after its time. */
export const LATE_REMINDER_MS = 24 * 3_600_000;

export interface Reminder {
  /** One per task and reminder time: moving `remind_at` makes a new reminder. */
  key: string;
  task: Task;
  at: number;
}

export function reminderOf(task: Task): Reminder | undefined {
  if (!task.remind_at || task.completed) return undefined;
  const at = Date.parse(task.remind_at);
  return Number.isNaN(at) ? undefined : { key: `${task.id}@${at}`, task, at };
}

/** Reminders whose time has come (at most a day late), not yet shown, of open tasks; earliest first. */
export function dueReminders(tasks: Task[], now: number, shown: (key: string) => boolean): Reminder[] {
  return tasks
    .map(reminderOf)
    .filter((reminder): reminder is Reminder => !!reminder && reminder.at <= now && now - reminder.at <= LATE_REMINDER_MS && !shown(reminder.key))
    .sort((a, b) => a.at - b.at);
}

/** When the next reminder after `now` is due, if any. */
export function nextReminderAt(tasks: Task[], now: number): number | undefined {
  let next: number | undefined;
  for (const task of tasks) {
    const reminder = reminderOf(task);
    if (reminder && reminder.at > now && (next === undefined || reminder.at < next)) next = reminder.at;
  }
  return next;
}

const STORAGE_PREFIX = "todo.reminders-shown.";

/**
 * Which reminders have been shown, kept in localStorage (task ids and times,
 * nothing else) so that a reload or a second tab does not show one again.
 */
export class ShownReminders {
  private readonly storageKey: string;
  private readonly memory = new Set<string>();

  constructor(userId: string, private readonly storage: Storage | undefined = globalThis.localStorage) {
    this.storageKey = STORAGE_PREFIX + userId;
  }

  private read(): Record<string, number> {
    try {
      return JSON.parse(this.storage?.getItem(this.storageKey) ?? "{}") as Record<string, number>;
    } catch {
      return {};
    }
  }

  has(key: string): boolean {
    return this.memory.has(key) || key in this.read();
  }

  /** Marks the reminder shown; false when another tab had already claimed it. */
  claim(key: string, now: number): boolean {
    if (this.has(key)) return false;
    this.memory.add(key);
    const entries = this.read();
    entries[key] = now;
    // Forget what can no longer come back (older than the late window).
    for (const [old, at] of Object.entries(entries)) if (now - at > 2 * LATE_REMINDER_MS) delete entries[old];
    try {
      this.storage?.setItem(this.storageKey, JSON.stringify(entries));
    } catch {
      // Storage full or refused: this tab still remembers.
    }
    return true;
  }
}
