import { describe, expect, it } from "vitest";
import type { Task } from "@/lib/api/types";
import { dueReminders, LATE_REMINDER_MS, nextReminderAt, ShownReminders } from "./reminders";

let nextId = 1;
const task = (fields: Partial<Task>): Task => ({
  id: nextId++, user_id: "u", title: "t", description: null, completed: false, priority: "none", tags: [],
  due_at: null, all_day: false, time_zone: "UTC", recurrence: null, remind_at: null, next_occurrence_id: null,
  list_id: null, position: "80", created_at: "2026-12-01T10:00:00Z", updated_at: "2026-12-01T10:00:00Z", ...fields,
});

const now = Date.parse("2026-12-02T10:00:00Z");

describe("reminders", () => {
  it("are due at their time, earliest first, never for done tasks, at most a day late", () => {
    const soon = task({ title: "soon", remind_at: "2026-12-02T10:05:00Z" });
    const past = task({ title: "past", remind_at: "2026-12-02T09:59:00Z" });
    const earlier = task({ title: "earlier", remind_at: "2026-12-02T08:00:00Z" });
    const done = task({ title: "done", remind_at: "2026-12-02T09:00:00Z", completed: true });
    const stale = task({ title: "stale", remind_at: new Date(now - LATE_REMINDER_MS - 1).toISOString() });
    const tasks = [soon, past, earlier, done, stale, task({})];
    expect(dueReminders(tasks, now, () => false).map((r) => r.task.title)).toEqual(["earlier", "past"]);
    expect(dueReminders(tasks, now, (key) => key === `${past.id}@${Date.parse(past.remind_at!)}`).map((r) => r.task.title)).toEqual(["earlier"]);
    expect(nextReminderAt(tasks, now)).toBe(Date.parse("2026-12-02T10:05:00Z"));
    expect(nextReminderAt([past, done], now)).toBeUndefined();
  });

  it("are shown once across tabs: a claim is remembered in storage, and a moved reminder is a new one", () => {
    const storage = new Map<string, string>();
    const fakeStorage = {
      getItem: (key: string) => storage.get(key) ?? null,
      setItem: (key: string, value: string) => void storage.set(key, value),
    } as Storage;
    const tabA = new ShownReminders("u", fakeStorage);
    const tabB = new ShownReminders("u", fakeStorage);
    expect(tabA.claim("1@100", now)).toBe(true);
    expect(tabA.claim("1@100", now)).toBe(false);
    expect(tabB.claim("1@100", now)).toBe(false);
    expect(tabB.claim("1@200", now)).toBe(true);
    expect(new ShownReminders("someone-else", fakeStorage).has("1@100")).toBe(false);
  });
});
