// What the person chose in the list controls, and the API query it becomes.
// Which tasks a list holds and in what order is the API's to say (SPEC
// "Organizing tasks", Views): nothing here filters or orders tasks.

import type { ListQuery, Priority, SortField, SortOrder, StatusFilter, Task } from "@/lib/api/types";
import { calendarDate } from "@/lib/dates/zoned";

/** A view as the API names it, or every task. */
export type View = "all" | NonNullable<ListQuery["view"]>;

export const VIEWS: { value: View; label: string }[] = [
  { value: "all", label: "All" },
  { value: "today", label: "Today" },
  { value: "upcoming", label: "Upcoming" },
  { value: "overdue", label: "Overdue" },
  { value: "no_date", label: "No date" },
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
 * The API query for what the person chose. A view goes with the browser's zone
 * (`timeZone`), whose calendar its days follow; the API works out the window
 * when it answers. The zone may be given as a function, read only when a view
 * is chosen: the page's first `Intl` use costs tens of ms, and the first list
 * (All) need not wait for it.
 */
export function listFilters(filters: TaskFilters, timeZone: string | (() => string)): ListFilters {
  const q = filters.q.trim();
  const query: ListFilters = { status: filters.status, sort: filters.sort, order: filters.order };
  if (q) query.q = q;
  if (filters.tags.length) query.tag = filters.tags;
  if (filters.priorities.length) query.priority = filters.priorities;
  if (filters.view !== "all") {
    query.view = filters.view;
    query.tz = typeof timeZone === "function" ? timeZone() : timeZone;
  }
  return query;
}

/** The priorities in words, lowest first (the forms offer them so; the filter highest first). */
export const PRIORITIES: { value: Priority; label: string }[] = [
  { value: "none", label: "None" },
  { value: "low", label: "Low" },
  { value: "medium", label: "Medium" },
  { value: "high", label: "High" },
];

/**
 * Whether an open task is past due, for its row's mark: a timed one once its
 * moment has passed, an all-day one once its date (in its own zone) is over in
 * the browser's calendar. The API's Overdue view follows the same rule; a
 * task carries no field for it, so this one display rule stays here.
 */
export function isOverdue(task: Task, now: Date, timeZone: string): boolean {
  if (task.completed || !task.due_at) return false;
  if (task.all_day) return calendarDate(new Date(task.due_at), task.time_zone) < calendarDate(now, timeZone);
  return Date.parse(task.due_at) < now.getTime();
}
