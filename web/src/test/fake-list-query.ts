// The fake API's list query: the rules of SPEC "Task API" and "Organizing
// tasks" written out on their own, not the app's, so the component tests check
// the app against the contract (wire/fixtures/list-queries.json checks this).

import type { Priority, Task } from "@/lib/api/types";
import { calendarDate, instantOf, parseDate, type CalendarDate } from "@/lib/dates/zoned";
import { fold } from "@/lib/tasks/fold";

export const VIEWS = ["today", "upcoming", "overdue", "no_date"] as const;
type View = (typeof VIEWS)[number];

const PRIORITY_RANK: Record<Priority, number> = { none: 0, low: 1, medium: 2, high: 3 };

function nextDay(date: CalendarDate): CalendarDate {
  const { year, month, day } = parseDate(date);
  return new Date(Date.UTC(year, month - 1, day + 1)).toISOString().slice(0, 10);
}

/** When `date` begins in `zone`: midnight, or the first moment after it on a day whose clocks skip midnight. */
function dayStart(date: CalendarDate, zone: string): number {
  return instantOf({ ...parseDate(date), hour: 0, minute: 0 }, zone).getTime();
}

function inView(task: Task, view: View, now: number, zone: string): boolean {
  if (view === "no_date") return !task.due_at;
  if (!task.due_at) return false;
  const today = calendarDate(new Date(now), zone);
  if (task.all_day) {
    // Its calendar date in its own zone, against today's date in `zone`.
    const date = calendarDate(new Date(task.due_at), task.time_zone);
    if (view === "today") return date === today;
    if (view === "upcoming") return date > today;
    return !task.completed && date < today;
  }
  const due = Date.parse(task.due_at);
  const tomorrow = dayStart(nextDay(today), zone);
  if (view === "today") return dayStart(today, zone) <= due && due < tomorrow;
  if (view === "upcoming") return due >= tomorrow;
  return !task.completed && due < now;
}

function matches(task: Task, params: URLSearchParams, now: number): boolean {
  const status = params.get("status") ?? "all";
  if (status !== "all" && task.completed !== (status === "completed")) return false;
  // As the API: the text as sent, spaces included (the app trims before sending).
  const q = fold(params.get("q") ?? "");
  if (q && !fold(task.title).includes(q) && !fold(task.description ?? "").includes(q)) return false;
  const priorities = params.getAll("priority");
  if (priorities.length && !priorities.includes(task.priority)) return false;
  const tags = new Set(task.tags.map(fold));
  if (!params.getAll("tag").every((tag) => tags.has(fold(tag.trim())))) return false;
  const due = task.due_at ? Date.parse(task.due_at) : undefined;
  const hasDue = params.get("has_due");
  if (hasDue !== null && (due !== undefined) !== (hasDue === "true")) return false;
  const after = params.get("due_after");
  if (after && (due === undefined || due < Date.parse(after))) return false;
  const before = params.get("due_before");
  if (before && (due === undefined || due >= Date.parse(before))) return false;
  const view = params.get("view") as View | null;
  return !view || inView(task, view, now, params.get("tz") ?? "UTC");
}

/** A task's sort key; `undefined` (no due date) sorts last in either direction. */
function sortKey(task: Task, sort: string): number | string | undefined {
  switch (sort) {
    case "updated_at":
      return Date.parse(task.updated_at);
    case "title":
      return fold(task.title);
    case "priority":
      return PRIORITY_RANK[task.priority];
    case "due_at":
      return task.due_at ? Date.parse(task.due_at) : undefined;
    default:
      return Date.parse(task.created_at);
  }
}

/**
 * The tasks a list query returns, in its order (all pages together): by the
 * sort key in the chosen direction, ties by id in the same direction, tasks
 * without a due date last in either direction. Views are computed at `now`.
 */
export function listQuery(tasks: Task[], params: URLSearchParams, now: number): Task[] {
  const sort = params.get("sort") ?? "created_at";
  const direction = params.get("order") === "asc" ? 1 : -1;
  return tasks
    .filter((task) => matches(task, params, now))
    .sort((a, b) => {
      const [x, y] = [sortKey(a, sort), sortKey(b, sort)];
      if (x === undefined || y === undefined) {
        if (x !== y) return x === undefined ? 1 : -1;
      } else if (x !== y) {
        return (x < y ? -1 : 1) * direction;
      }
      return (a.id - b.id) * direction;
    });
}
