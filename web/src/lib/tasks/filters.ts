// Which tasks a list holds and in what order, as the API decides it. The list
// queries ask the API; the optimistic cache updates (where a new task's
// placeholder goes) and the component tests' fake API use these same functions.

import type { ListQuery, Priority, SortField, SortOrder, StatusFilter, Task } from "@/lib/api/types";
import { addDays, calendarDate, startOfDay } from "@/lib/dates/zoned";

export type View = "all" | "today" | "upcoming" | "overdue" | "no-date";

export const VIEWS: { value: View; label: string }[] = [
  { value: "all", label: "All" },
  { value: "today", label: "Today" },
  { value: "upcoming", label: "Upcoming" },
  { value: "overdue", label: "Overdue" },
  { value: "no-date", label: "No date" },
];

/** What the person chose in the list controls; the cursor is handled by paging. */
export interface TaskFilters {
  view: View;
  status: StatusFilter;
  q: string;
  sort: SortField;
  order: SortOrder;
  /** All of these (ignoring case). */
  tags: string[];
  /** Any of these; none means every priority. */
  priorities: Priority[];
}

export const DEFAULT_FILTERS: TaskFilters = {
  view: "all",
  status: "all",
  q: "",
  sort: "created_at",
  order: "desc",
  tags: [],
  priorities: [],
};

/** The API's list query without its paging: what decides a list's rows and their order. */
export type ListFilters = Omit<ListQuery, "limit" | "cursor">;

/**
 * The API query for what the person chose, with each view's window in instants
 * of `timeZone`'s calendar (the browser's): Today is the local day, Upcoming
 * from tomorrow on, Overdue open tasks due before now. The zone may be given
 * as a function, read only by the views that need it: the page's first `Intl`
 * use costs tens of ms, and the first list (All) need not wait for it.
 */
export function listFilters(filters: TaskFilters, now: Date, timeZone: string | (() => string)): ListFilters {
  const q = filters.q.trim();
  const query: ListFilters = { status: filters.status, sort: filters.sort, order: filters.order };
  if (q) query.q = q;
  if (filters.tags.length) query.tag = filters.tags;
  if (filters.priorities.length) query.priority = filters.priorities;
  // Today in the zone, the zone read only here (see above).
  const localToday = () => {
    const zone = typeof timeZone === "function" ? timeZone() : timeZone;
    return { zone, today: calendarDate(now, zone) };
  };
  switch (filters.view) {
    case "today": {
      const { zone, today } = localToday();
      query.due_after = startOfDay(today, zone).toISOString();
      query.due_before = startOfDay(addDays(today, 1), zone).toISOString();
      break;
    }
    case "upcoming": {
      const { zone, today } = localToday();
      query.due_after = startOfDay(addDays(today, 1), zone).toISOString();
      break;
    }
    case "overdue":
      query.status = "pending";
      query.due_before = now.toISOString();
      break;
    case "no-date":
      query.has_due = false;
      break;
  }
  return query;
}

/**
 * The API's text folding, as near as JavaScript comes: NFKC and full case
 * folding ("STRASSE" and "straße" fold alike).
 */
export function fold(text: string): string {
  return text.normalize("NFKC").toUpperCase().toLowerCase().normalize("NFKC");
}

/** Whether the API would list `task` under `filters` (the list query's rules, paging aside). */
export function matchesFilters(task: Task, filters: ListFilters): boolean {
  const status = filters.status ?? "all";
  if (status !== "all" && task.completed !== (status === "completed")) return false;
  const q = filters.q?.trim();
  if (q) {
    const needle = fold(q);
    if (!fold(task.title).includes(needle) && !fold(task.description ?? "").includes(needle)) return false;
  }
  if (filters.priority?.length && !filters.priority.includes(task.priority)) return false;
  if (filters.tag?.length) {
    const tags = new Set(task.tags.map(fold));
    if (!filters.tag.every((tag) => tags.has(fold(tag.trim())))) return false;
  }
  const due = task.due_at ? Date.parse(task.due_at) : undefined;
  if (filters.has_due !== undefined && (due !== undefined) !== filters.has_due) return false;
  if (filters.due_after && (due === undefined || due < Date.parse(filters.due_after))) return false;
  if (filters.due_before && (due === undefined || due >= Date.parse(filters.due_before))) return false;
  return true;
}

const PRIORITY_RANK: Record<Priority, number> = { none: 0, low: 1, medium: 2, high: 3 };

/** The priorities in words, lowest first (the forms offer them so; the filter highest first). */
export const PRIORITIES: { value: Priority; label: string }[] = [
  { value: "none", label: "None" },
  { value: "low", label: "Low" },
  { value: "medium", label: "Medium" },
  { value: "high", label: "High" },
];

/**
 * The API's order of a list: by the sort key in the chosen direction, ties by
 * id in the same direction; tasks without a due date last in either order.
 */
export function compareTasks(a: Task, b: Task, filters: Pick<ListFilters, "sort" | "order">): number {
  const direction = filters.order === "asc" ? 1 : -1;
  const byId = (a.id - b.id) * direction;
  let key = 0;
  switch (filters.sort ?? "created_at") {
    case "created_at":
      key = Date.parse(a.created_at) - Date.parse(b.created_at);
      break;
    case "updated_at":
      key = Date.parse(a.updated_at) - Date.parse(b.updated_at);
      break;
    case "title": {
      const [x, y] = [fold(a.title), fold(b.title)];
      key = x < y ? -1 : x > y ? 1 : 0;
      break;
    }
    case "priority":
      key = PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority];
      break;
    case "due_at": {
      if (!a.due_at || !b.due_at) {
        if (a.due_at) return -1;
        if (b.due_at) return 1;
        return byId;
      }
      key = Date.parse(a.due_at) - Date.parse(b.due_at);
      break;
    }
  }
  return key !== 0 ? Math.sign(key) * direction : byId;
}

/** The calendar date an all-day task is due on (in its own zone). */
export function allDayDate(task: Pick<Task, "due_at" | "time_zone">): string | undefined {
  return task.due_at ? calendarDate(new Date(task.due_at), task.time_zone) : undefined;
}

/**
 * Whether an open task is past due: a timed one once its moment has passed, an
 * all-day one once its date is over in the browser's calendar.
 */
export function isOverdue(task: Task, now: Date, timeZone: string): boolean {
  if (task.completed || !task.due_at) return false;
  if (task.all_day) return (allDayDate(task) ?? "") < calendarDate(now, timeZone);
  return Date.parse(task.due_at) < now.getTime();
}

/**
 * The rule of a view beyond what the API's window can say: an all-day task due
 * today is not overdue yet, although its date began before now.
 */
export function belongsToView(task: Task, view: View, now: Date, timeZone: string): boolean {
  if (view !== "overdue" || !task.all_day) return true;
  return (allDayDate(task) ?? "") < calendarDate(now, timeZone);
}
