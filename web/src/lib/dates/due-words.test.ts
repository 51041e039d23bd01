import { describe, expect, it } from "vitest";
import { dueInFull, dueWords } from "./due-words";

const timed = (due_at: string, time_zone = "UTC") => ({ due_at, all_day: false, time_zone });
const allDay = (due_at: string, time_zone: string) => ({ due_at, all_day: true, time_zone });

describe("dueWords", () => {
  // Wednesday 2 December 2026, 10:00 UTC.
  const now = new Date("2026-12-02T10:00:00Z");
  const utc = { timeZone: "UTC", hour12: false };

  it("says today, tomorrow and yesterday with the time, weekdays within a week, the date further off", () => {
    expect(dueWords(timed("2026-12-02T17:00:00Z"), now, utc)).toBe("today 17:00");
    expect(dueWords(timed("2026-12-03T09:30:00Z"), now, utc)).toBe("tomorrow 09:30");
    expect(dueWords(timed("2026-12-01T09:30:00Z"), now, utc)).toBe("yesterday 09:30");
    expect(dueWords(timed("2026-12-04T08:00:00Z"), now, utc)).toBe("Fri 08:00");
    expect(dueWords(timed("2026-11-28T08:00:00Z"), now, utc)).toBe("4 days ago");
    // A week or more away: the date, with its weekday while within four weeks.
    expect(dueWords(timed("2026-12-09T08:00:00Z"), now, utc)).toBe("Wed, Dec 9");
    expect(dueWords(timed("2026-12-10T08:00:00Z"), now, utc)).toBe("Thu, Dec 10");
    expect(dueWords(timed("2026-12-23T08:00:00Z"), now, utc)).toBe("Wed, Dec 23");
    expect(dueWords(timed("2026-12-29T08:00:00Z"), now, utc)).toBe("Tue, Dec 29");
    expect(dueWords(timed("2026-12-30T08:00:00Z"), now, utc)).toBe("Dec 30");
    expect(dueWords(timed("2027-01-05T08:00:00Z"), now, utc)).toBe("Jan 5, 2027");
    expect(dueWords(timed("2026-11-25T08:00:00Z"), now, utc)).toBe("Wed, Nov 25");
    expect(dueWords(timed("2026-11-18T08:00:00Z"), now, utc)).toBe("Wed, Nov 18");
    expect(dueWords(timed("2027-01-15T08:00:00Z"), now, utc)).toBe("Jan 15, 2027");
    expect(dueWords(timed("2026-02-15T08:00:00Z"), now, utc)).toBe("Feb 15");
    expect(dueWords({ due_at: null, all_day: false, time_zone: "UTC" }, now, utc)).toBeUndefined();
  });

  it("reads the same instant in the reader's zone: 23:30 UTC is tomorrow morning in Tokyo", () => {
    const task = timed("2026-12-02T23:30:00Z");
    expect(dueWords(task, now, utc)).toBe("today 23:30");
    expect(dueWords(task, now, { timeZone: "Asia/Tokyo", hour12: false })).toBe("tomorrow 08:30");
    expect(dueWords(task, now, { timeZone: "America/Los_Angeles", hour12: true })).toBe("today 3:30 PM");
  });

  it("knows the day has turned in one zone and not in another", () => {
    // 2 December 23:30 in New York is 3 December 04:30 UTC.
    const late = new Date("2026-12-03T04:30:00Z");
    const task = timed("2026-12-03T14:00:00Z");
    expect(dueWords(task, late, { timeZone: "America/New_York", hour12: false })).toBe("tomorrow 09:00");
    expect(dueWords(task, late, { timeZone: "Europe/Berlin", hour12: false })).toBe("today 15:00");
  });

  it("gives an all-day task its own zone's date and no time", () => {
    // 24 December, all day in Berlin: stored as its local midnight, 23:00 UTC the day before.
    const christmasEve = allDay("2026-12-23T23:00:00Z", "Europe/Berlin");
    const evening = new Date("2026-12-24T18:00:00Z");
    expect(dueWords(christmasEve, evening, { timeZone: "Europe/Berlin" })).toBe("today");
    // Read in New York, where it is still 24 December: the date counts, not the instant.
    expect(dueWords(christmasEve, evening, { timeZone: "America/New_York" })).toBe("today");
    expect(dueWords(christmasEve, new Date("2026-12-23T12:00:00Z"), { timeZone: "Europe/Berlin" })).toBe("tomorrow");
  });

  it("keeps the wall-clock time across a DST change", () => {
    // Sunday 29 March 2026 the clocks in Berlin go forward; Monday 09:00 CEST is 07:00 UTC.
    const saturday = new Date("2026-03-28T12:00:00Z");
    expect(dueWords(timed("2026-03-30T07:00:00Z", "Europe/Berlin"), saturday, { timeZone: "Europe/Berlin", hour12: false })).toBe("Mon 09:00");
  });

  it("spells the full date for tooltips and screen readers", () => {
    expect(dueInFull(timed("2026-12-24T16:00:00Z"), { timeZone: "Europe/Berlin", hour12: false })).toBe("Thursday, December 24, 2026 at 17:00");
    expect(dueInFull(allDay("2026-12-23T23:00:00Z", "Europe/Berlin"), { timeZone: "UTC" })).toBe("Thursday, December 24, 2026");
  });
});
