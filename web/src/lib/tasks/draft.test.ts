import { describe, expect, it } from "vitest";
import type { Task } from "@/lib/api/types";
import { changesOf, checkDraft, draftOf, EMPTY_DRAFT, organizeFields, withTag } from "./draft";

const base: Task = {
  id: 1, user_id: "u", title: "Standup", description: null, completed: false, priority: "none", tags: [],
  due_at: null, all_day: false, time_zone: "UTC", recurrence: null, remind_at: null, next_occurrence_id: null,
  list_id: null, position: "80", created_at: "2026-12-01T10:00:00Z", updated_at: "2026-12-01T10:00:00Z",
};

describe("task drafts", () => {
  it("sends a timed due date, the zone, the rule and a reminder 10 minutes before", () => {
    const fields = organizeFields(
      { ...EMPTY_DRAFT, title: "Standup", dueDate: "2026-03-30", dueTime: "09:00", repeat: { kind: "weekly", interval: 1, days: ["MO"] }, reminder: "10m" },
      "Europe/Berlin",
    );
    expect(fields).toEqual({
      priority: "none", tags: [], due_at: "2026-03-30T07:00:00.000Z", all_day: false, time_zone: "Europe/Berlin",
      recurrence: "FREQ=WEEKLY;BYDAY=MO", remind_at: "2026-03-30T06:50:00.000Z",
    });
  });

  it("makes a date without a time all-day, its reminders counted from 09:00 of that day", () => {
    const fields = organizeFields({ ...EMPTY_DRAFT, dueDate: "2026-12-24", reminder: "1d" }, "Europe/Berlin");
    expect(fields).toMatchObject({ due_at: "2026-12-23T23:00:00.000Z", all_day: true, remind_at: "2026-12-23T08:00:00.000Z" });
  });

  it("reads a task back into the same choices", () => {
    const task = { ...base, due_at: "2026-03-30T07:00:00Z", time_zone: "Europe/Berlin", recurrence: "FREQ=WEEKLY;BYDAY=MO", remind_at: "2026-03-30T06:00:00Z" };
    expect(draftOf(task, "Europe/Berlin")).toMatchObject({ dueDate: "2026-03-30", dueTime: "09:00", reminder: "1h", repeat: { kind: "weekly", days: ["MO"] } });
    const odd = { ...task, remind_at: "2026-03-29T18:15:00Z" };
    expect(draftOf(odd, "Europe/Berlin")).toMatchObject({ reminder: "custom", reminderAt: "2026-03-29T20:15" });
  });

  it("changes only what the edit changed", () => {
    const task = { ...base, due_at: "2026-03-30T07:00:00Z", time_zone: "Asia/Tokyo" };
    const before = draftOf(task, "Europe/Berlin");
    expect(changesOf(task, before, { ...before, priority: "high" }, "Europe/Berlin")).toEqual({ priority: "high" });
    expect(changesOf(task, before, { ...before, dueTime: "10:00" }, "Europe/Berlin")).toEqual({
      due_at: "2026-03-30T08:00:00.000Z", all_day: false, time_zone: "Europe/Berlin",
    });
    expect(changesOf(task, before, before, "Europe/Berlin")).toEqual({});
  });

  it("asks for a due date before a repeat or a relative reminder", () => {
    expect(checkDraft({ ...EMPTY_DRAFT, title: "x", repeat: { kind: "daily", interval: 1, days: [] } })?.field).toBe("repeat");
    expect(checkDraft({ ...EMPTY_DRAFT, title: "x", reminder: "1h" })?.field).toBe("reminder");
    expect(checkDraft({ ...EMPTY_DRAFT, title: " " })?.field).toBe("title");
    expect(checkDraft({ ...EMPTY_DRAFT, title: "x" })).toBeUndefined();
  });

  it("adds a tag once, however the API would spell it alike", () => {
    expect(withTag(["straße"], "STRASSE")).toEqual(["straße"]);
    expect(withTag(["ǅ"], "ǆ")).toEqual(["ǅ"]);
    expect(withTag(["ﬀ"], " FF ")).toEqual(["ﬀ"]);
    expect(withTag(["ΟΔΟΣ"], "οδος")).toEqual(["ΟΔΟΣ"]);
    // Two tags at the API, so two here.
    expect(withTag(["i"], "ı")).toEqual(["i", "ı"]);
    expect(withTag(["home"], "work,")).toEqual(["home", "work"]);
  });
});
