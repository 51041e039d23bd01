import { describe, expect, it, vi } from "vitest";
import type { Task } from "@/lib/api/types";
import { belongsToView, compareTasks, DEFAULT_FILTERS, fold, isOverdue, listFilters, matchesFilters } from "./filters";

let nextId = 1;
function task(fields: Partial<Task> = {}): Task {
  const id = nextId++;
  return {
    id, user_id: "u", title: `Task ${id}`, description: null, completed: false, priority: "none", tags: [],
    due_at: null, all_day: false, time_zone: "UTC", recurrence: null, remind_at: null, next_occurrence_id: null,
    created_at: "2026-12-01T10:00:00Z", updated_at: "2026-12-01T10:00:00Z", ...fields,
  };
}

const order = (tasks: Task[], filters: Parameters<typeof compareTasks>[2]) =>
  [...tasks].sort((a, b) => compareTasks(a, b, filters)).map((t) => t.title);

describe("listFilters", () => {
  // 23:30 in Berlin on 2 December is 22:30 UTC.
  const now = new Date("2026-12-02T22:30:00Z");

  it("turns Today into the local day's half-open window", () => {
    expect(listFilters({ ...DEFAULT_FILTERS, view: "today" }, now, "Europe/Berlin")).toMatchObject({
      due_after: "2026-12-01T23:00:00.000Z",
      due_before: "2026-12-02T23:00:00.000Z",
    });
    // The same moment is already 3 December in Tokyo.
    expect(listFilters({ ...DEFAULT_FILTERS, view: "today" }, now, "Asia/Tokyo")).toMatchObject({
      due_after: "2026-12-02T15:00:00.000Z",
      due_before: "2026-12-03T15:00:00.000Z",
    });
  });

  it("makes Upcoming start tomorrow, Overdue open tasks due before now, No date has_due=false", () => {
    expect(listFilters({ ...DEFAULT_FILTERS, view: "upcoming" }, now, "UTC")).toMatchObject({ due_after: "2026-12-03T00:00:00.000Z" });
    expect(listFilters({ ...DEFAULT_FILTERS, view: "overdue", status: "completed" }, now, "UTC")).toMatchObject({
      status: "pending",
      due_before: now.toISOString(),
    });
    expect(listFilters({ ...DEFAULT_FILTERS, view: "no-date" }, now, "UTC")).toMatchObject({ has_due: false });
  });

  it("takes a day that is 23 hours long (DST) as it is", () => {
    const spring = new Date("2026-03-29T12:00:00Z");
    expect(listFilters({ ...DEFAULT_FILTERS, view: "today" }, spring, "Europe/Berlin")).toMatchObject({
      due_after: "2026-03-28T23:00:00.000Z",
      due_before: "2026-03-29T22:00:00.000Z",
    });
  });

  it("sends tags, priorities and trimmed text only when chosen", () => {
    expect(listFilters(DEFAULT_FILTERS, now, "UTC")).toEqual({ status: "all", sort: "created_at", order: "desc" });
    expect(listFilters({ ...DEFAULT_FILTERS, q: "  milk ", tags: ["home"], priorities: ["high"] }, now, "UTC")).toMatchObject({
      q: "milk",
      tag: ["home"],
      priority: ["high"],
    });
  });

  it("reads a zone given as a function only for the views whose window needs it", () => {
    const zone = vi.fn(() => "Europe/Berlin");
    for (const view of ["all", "no-date", "overdue"] as const) listFilters({ ...DEFAULT_FILTERS, view }, now, zone);
    expect(zone).not.toHaveBeenCalled();
    expect(listFilters({ ...DEFAULT_FILTERS, view: "today" }, now, zone)).toEqual(listFilters({ ...DEFAULT_FILTERS, view: "today" }, now, "Europe/Berlin"));
    expect(zone).toHaveBeenCalled();
  });
});

describe("matchesFilters", () => {
  it("applies status, folded text, any-of priorities and all-of tags ignoring case", () => {
    const t = task({ title: "Straße fegen", tags: ["Home", "weekend"], priority: "high" });
    expect(matchesFilters(t, { status: "pending" })).toBe(true);
    expect(matchesFilters(t, { status: "completed" })).toBe(false);
    expect(matchesFilters(t, { q: "STRASSE" })).toBe(true);
    expect(matchesFilters(t, { q: "milk" })).toBe(false);
    expect(matchesFilters(t, { priority: ["low", "high"] })).toBe(true);
    expect(matchesFilters(t, { priority: ["low"] })).toBe(false);
    expect(matchesFilters(t, { tag: ["home", "WEEKEND"] })).toBe(true);
    expect(matchesFilters(t, { tag: ["home", "work"] })).toBe(false);
  });

  it("keeps the due window half-open and leaves undated tasks out of it", () => {
    const t = task({ due_at: "2026-12-02T10:00:00Z" });
    expect(matchesFilters(t, { due_after: "2026-12-02T10:00:00Z" })).toBe(true);
    expect(matchesFilters(t, { due_before: "2026-12-02T10:00:00Z" })).toBe(false);
    expect(matchesFilters(task(), { due_before: "2030-01-01T00:00:00Z" })).toBe(false);
    expect(matchesFilters(task(), { has_due: false })).toBe(true);
    expect(matchesFilters(t, { has_due: false })).toBe(false);
  });
});

describe("compareTasks", () => {
  it("orders titles folded, ties by id in the same direction", () => {
    const tasks = [task({ title: "banana" }), task({ title: "Apple" }), task({ title: "apple" })];
    expect(order(tasks, { sort: "title", order: "asc" })).toEqual(["Apple", "apple", "banana"]);
    expect(order(tasks, { sort: "title", order: "desc" })).toEqual(["banana", "apple", "Apple"]);
  });

  it("puts tasks without a due date last in both orders", () => {
    const tasks = [task({ title: "none" }), task({ title: "late", due_at: "2026-12-03T00:00:00Z" }), task({ title: "soon", due_at: "2026-12-02T00:00:00Z" })];
    expect(order(tasks, { sort: "due_at", order: "asc" })).toEqual(["soon", "late", "none"]);
    expect(order(tasks, { sort: "due_at", order: "desc" })).toEqual(["late", "soon", "none"]);
  });

  it("sorts high > medium > low > none, newest first within one by default", () => {
    const tasks = [task({ title: "low", priority: "low" }), task({ title: "high 1", priority: "high" }), task({ title: "none" }), task({ title: "high 2", priority: "high" })];
    expect(order(tasks, { sort: "priority", order: "desc" })).toEqual(["high 2", "high 1", "low", "none"]);
  });

  it("orders by creation newest first by default, ties by id", () => {
    const tasks = [task({ title: "a" }), task({ title: "b" }), task({ title: "c", created_at: "2026-12-01T11:00:00Z" })];
    expect(order(tasks, {})).toEqual(["c", "b", "a"]);
  });
});

describe("overdue", () => {
  const now = new Date("2026-12-02T15:00:00Z");

  it("marks a timed task once its moment has passed, an all-day one once its day is over", () => {
    expect(isOverdue(task({ due_at: "2026-12-02T14:59:00Z" }), now, "UTC")).toBe(true);
    expect(isOverdue(task({ due_at: "2026-12-02T15:01:00Z" }), now, "UTC")).toBe(false);
    expect(isOverdue(task({ due_at: "2026-12-02T14:59:00Z", completed: true }), now, "UTC")).toBe(false);
    const allDayToday = task({ due_at: "2026-12-01T23:00:00Z", all_day: true, time_zone: "Europe/Berlin" });
    expect(isOverdue(allDayToday, now, "Europe/Berlin")).toBe(false);
    expect(belongsToView(allDayToday, "overdue", now, "Europe/Berlin")).toBe(false);
    const allDayYesterday = task({ due_at: "2026-11-30T23:00:00Z", all_day: true, time_zone: "Europe/Berlin" });
    expect(isOverdue(allDayYesterday, now, "Europe/Berlin")).toBe(true);
    expect(belongsToView(allDayYesterday, "overdue", now, "Europe/Berlin")).toBe(true);
  });

  it("folds as the API does for the cases people meet", () => {
    expect(fold("STRASSE")).toBe(fold("straße"));
    expect(fold("cafe\u0301")).toBe(fold("café"));
  });
});
