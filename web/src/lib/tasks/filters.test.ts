import { describe, expect, it, vi } from "vitest";
import type { Task } from "@/lib/api/types";
import { DEFAULT_FILTERS, isOverdue, listFilters } from "./filters";

let nextId = 1;
function task(fields: Partial<Task> = {}): Task {
  const id = nextId++;
  return {
    id, user_id: "u", title: `Task ${id}`, description: null, completed: false, priority: "none", tags: [],
    due_at: null, all_day: false, time_zone: "UTC", recurrence: null, remind_at: null, next_occurrence_id: null,
    list_id: null, position: "80", created_at: "2026-12-01T10:00:00Z", updated_at: "2026-12-01T10:00:00Z", ...fields,
  };
}

describe("listFilters", () => {
  it("asks the API for a view in the browser's zone, and for no due window of its own", () => {
    expect(listFilters({ ...DEFAULT_FILTERS, view: "today" }, "Europe/Berlin")).toEqual({
      status: "all", sort: "created_at", order: "desc", view: "today", tz: "Europe/Berlin",
    });
    expect(listFilters({ ...DEFAULT_FILTERS, view: "no_date", status: "pending", sort: "due_at", order: "asc" }, "Asia/Tokyo")).toEqual({
      status: "pending", sort: "due_at", order: "asc", view: "no_date", tz: "Asia/Tokyo",
    });
    // Overdue is open tasks by the API's rule: the person's status goes as chosen.
    expect(listFilters({ ...DEFAULT_FILTERS, view: "overdue", status: "completed" }, "UTC")).toMatchObject({ status: "completed", view: "overdue" });
  });

  it("sends tags, priorities and trimmed text only when chosen", () => {
    expect(listFilters(DEFAULT_FILTERS, "UTC")).toEqual({ status: "all", sort: "created_at", order: "desc" });
    expect(listFilters({ ...DEFAULT_FILTERS, q: "  milk ", tags: ["home"], priorities: ["high"] }, "UTC")).toMatchObject({
      q: "milk",
      tag: ["home"],
      priority: ["high"],
    });
  });

  it("reads a zone given as a function only when a view is chosen", () => {
    const zone = vi.fn(() => "Europe/Berlin");
    expect(listFilters(DEFAULT_FILTERS, zone)).not.toHaveProperty("tz");
    expect(zone).not.toHaveBeenCalled();
    expect(listFilters({ ...DEFAULT_FILTERS, view: "upcoming" }, zone)).toMatchObject({ view: "upcoming", tz: "Europe/Berlin" });
    expect(zone).toHaveBeenCalled();
  });
});

describe("isOverdue", () => {
  const now = new Date("2026-12-02T15:00:00Z");

  it("marks a timed task once its moment has passed, an all-day one once its day is over", () => {
    expect(isOverdue(task({ due_at: "2026-12-02T14:59:00Z" }), now, "UTC")).toBe(true);
    expect(isOverdue(task({ due_at: "2026-12-02T15:01:00Z" }), now, "UTC")).toBe(false);
    expect(isOverdue(task({ due_at: "2026-12-02T14:59:00Z", completed: true }), now, "UTC")).toBe(false);
    expect(isOverdue(task({ due_at: "2026-12-01T23:00:00Z", all_day: true, time_zone: "Europe/Berlin" }), now, "Europe/Berlin")).toBe(false);
    expect(isOverdue(task({ due_at: "2026-11-30T23:00:00Z", all_day: true, time_zone: "Europe/Berlin" }), now, "Europe/Berlin")).toBe(true);
  });
});
