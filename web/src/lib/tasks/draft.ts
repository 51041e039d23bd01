// What the add and edit forms hold, and how it becomes the API's fields.

import type { Task, TaskChanges } from "@/lib/api/types";
import { calendarDate, instantOf, parseDate, wallClock } from "@/lib/dates/zoned";
import { EMPTY_DRAFT, type ReminderChoice, type TaskDraft } from "./draft-empty";
import { fold } from "./fold";
import { parseRRule, toRRule } from "./recurrence";

export { EMPTY_DRAFT, type ReminderChoice, type TaskDraft };

export const REMINDER_CHOICES: { value: ReminderChoice; label: string }[] = [
  { value: "none", label: "No reminder" },
  { value: "at-due", label: "At the due time" },
  { value: "10m", label: "10 minutes before" },
  { value: "1h", label: "1 hour before" },
  { value: "1d", label: "1 day before" },
  { value: "custom", label: "At a chosen moment…" },
];

const OFFSET_MS: Partial<Record<ReminderChoice, number>> = { "at-due": 0, "10m": 600_000, "1h": 3_600_000, "1d": 86_400_000 };

/** An all-day task's reminders count back from this time of its day. */
export const ALL_DAY_REMINDER_HOUR = 9;

function pad(n: number): string {
  return String(n).padStart(2, "0");
}

function localInput(instant: Date, timeZone: string): string {
  const clock = wallClock(instant, timeZone);
  return `${calendarDate(instant, timeZone)}T${pad(clock.hour)}:${pad(clock.minute)}`;
}

function fromLocalInput(value: string, timeZone: string): Date | undefined {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(value);
  if (!match) return undefined;
  const [year, month, day, hour, minute] = match.slice(1).map(Number);
  return instantOf({ year, month, day, hour, minute }, timeZone);
}

/** The due moment of a draft: its time, or the start of its day when all-day. */
function dueInstant(draft: TaskDraft, timeZone: string): Date | undefined {
  if (!draft.dueDate) return undefined;
  const [hour, minute] = draft.dueTime ? draft.dueTime.split(":").map(Number) : [0, 0];
  return instantOf({ ...parseDate(draft.dueDate), hour, minute }, timeZone);
}

/** What relative reminders count back from: the due time, or 09:00 of an all-day task's date. */
function reminderAnchor(draft: TaskDraft, timeZone: string): Date | undefined {
  if (!draft.dueDate) return undefined;
  if (draft.dueTime) return dueInstant(draft, timeZone);
  return instantOf({ ...parseDate(draft.dueDate), hour: ALL_DAY_REMINDER_HOUR, minute: 0 }, timeZone);
}

/** The form's fields for a saved task, in the reader's zone (an all-day date in the task's own). */
export function draftOf(task: Task, timeZone: string): TaskDraft {
  const due = task.due_at ? new Date(task.due_at) : undefined;
  const zone = task.all_day ? task.time_zone : timeZone;
  const clock = due ? wallClock(due, zone) : undefined;
  const draft: TaskDraft = {
    ...EMPTY_DRAFT,
    title: task.title,
    description: task.description ?? "",
    priority: task.priority,
    tags: [...task.tags],
    dueDate: due ? calendarDate(due, zone) : "",
    dueTime: clock && !task.all_day ? `${pad(clock.hour)}:${pad(clock.minute)}` : "",
    repeat: parseRRule(task.recurrence),
  };
  if (task.remind_at) {
    const remind = Date.parse(task.remind_at);
    const anchor = reminderAnchor(draft, zone);
    const choice = anchor
      ? (Object.entries(OFFSET_MS) as [ReminderChoice, number][]).find(([, offset]) => anchor.getTime() - offset === remind)?.[0]
      : undefined;
    draft.reminder = choice ?? "custom";
    draft.reminderAt = localInput(new Date(remind), timeZone);
  }
  return draft;
}

export interface DraftProblem {
  field: "title" | "dueDate" | "repeat" | "reminder" | "reminderAt";
  message: string;
}

/** What the form can say before sending: the API's own rules, in the form's words. */
export function checkDraft(draft: TaskDraft): DraftProblem | undefined {
  if (!draft.title.trim()) return { field: "title", message: "Enter a title for the task." };
  if (draft.repeat.kind !== "none" && !draft.dueDate) return { field: "repeat", message: "A repeating task needs a due date." };
  if (draft.reminder === "custom" && !draft.reminderAt) return { field: "reminderAt", message: "Choose when to be reminded." };
  if (draft.reminder !== "none" && draft.reminder !== "custom" && !draft.dueDate) {
    return { field: "reminder", message: "A reminder before the due time needs a due date." };
  }
  return undefined;
}

export type OrganizeFields = Required<Pick<TaskChanges, "priority" | "tags" | "all_day" | "time_zone">> &
  Pick<TaskChanges, "due_at" | "recurrence" | "remind_at">;

/** The API's organizing fields for a draft; the browser's zone becomes the task's `time_zone`. */
export function organizeFields(draft: TaskDraft, timeZone: string): OrganizeFields {
  const due = dueInstant(draft, timeZone);
  let remind: Date | undefined;
  if (draft.reminder === "custom") remind = fromLocalInput(draft.reminderAt, timeZone);
  else if (draft.reminder !== "none") {
    const anchor = reminderAnchor(draft, timeZone);
    if (anchor) remind = new Date(anchor.getTime() - (OFFSET_MS[draft.reminder] ?? 0));
  }
  return {
    priority: draft.priority,
    tags: draft.tags,
    due_at: due ? due.toISOString() : null,
    all_day: Boolean(draft.dueDate) && !draft.dueTime,
    time_zone: timeZone,
    recurrence: due ? toRRule(draft.repeat) : null,
    remind_at: remind ? remind.toISOString() : null,
  };
}

/**
 * The changes an edit makes to `task`: only fields that differ, so an edit of
 * the title alone leaves a task's dates (and its zone) as they were.
 */
export function changesOf(task: Task, before: TaskDraft, after: TaskDraft, timeZone: string): TaskChanges {
  const changes: TaskChanges = {};
  const title = after.title.trim();
  if (title !== task.title) changes.title = title;
  const description = after.description.trim() || null;
  if (description !== (task.description ?? null)) changes.description = description;
  const fields = organizeFields(after, timeZone);
  if (after.priority !== task.priority) changes.priority = fields.priority;
  if (after.tags.join("\n") !== task.tags.join("\n")) changes.tags = fields.tags;
  const dueChanged = after.dueDate !== before.dueDate || after.dueTime !== before.dueTime;
  if (dueChanged) Object.assign(changes, { due_at: fields.due_at, all_day: fields.all_day, time_zone: fields.time_zone });
  if (toRRule(after.repeat) !== toRRule(before.repeat)) changes.recurrence = fields.recurrence;
  if (dueChanged || after.reminder !== before.reminder || after.reminderAt !== before.reminderAt) {
    const instant = (value: string | null | undefined) => (value ? Date.parse(value) : null);
    if (instant(fields.remind_at) !== instant(task.remind_at)) changes.remind_at = fields.remind_at;
  }
  return changes;
}

/** Adds a tag unless one the API takes for the same tag (another spelling or case) is there already. */
export function withTag(tags: string[], tag: string): string[] {
  const trimmed = tag.trim().replace(/,/g, "");
  const folded = fold(trimmed);
  if (!trimmed || tags.some((other) => fold(other) === folded)) return tags;
  return [...tags, trimmed];
}
