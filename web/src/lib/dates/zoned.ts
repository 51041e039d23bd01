// Calendar arithmetic in an IANA time zone, on the zone data the browser (or
// Node) already carries through Intl: no date library, no zone data shipped.

/** A calendar date, `YYYY-MM-DD`. */
export type CalendarDate = string;

export interface WallClock {
  year: number;
  month: number; // 1–12
  day: number;
  hour: number;
  minute: number;
}

let zone: { name: string; at: number } | undefined;

/**
 * The browser's IANA zone (what a new task's `time_zone` is). Read at most once
 * a second: every row asks, and each reading makes an Intl formatter.
 */
export function browserTimeZone(): string {
  const now = Date.now();
  if (!zone || Math.abs(now - zone.at) > 1000) {
    zone = { name: Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC", at: now };
  }
  return zone.name;
}

const partFormatters = new Map<string, Intl.DateTimeFormat>();

function partFormatter(timeZone: string): Intl.DateTimeFormat {
  let formatter = partFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    partFormatters.set(timeZone, formatter);
  }
  return formatter;
}

/** The wall clock in `timeZone` at `instant`. */
export function wallClock(instant: Date, timeZone: string): WallClock & { second: number } {
  const parts: Record<string, number> = {};
  for (const part of partFormatter(timeZone).formatToParts(instant)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return { year: parts.year, month: parts.month, day: parts.day, hour: parts.hour % 24, minute: parts.minute, second: parts.second };
}

/** How far `timeZone` is ahead of UTC at `instant`, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  const clock = wallClock(new Date(instant), timeZone);
  const asUtc = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute, clock.second);
  return asUtc - Math.floor(instant / 1000) * 1000;
}

/**
 * The instant the wall clock in `timeZone` shows `clock`. A time that the clocks
 * skip (a DST gap) moves forward by the gap, as the API does for recurrences.
 */
export function instantOf(clock: WallClock, timeZone: string): Date {
  const asUtc = Date.UTC(clock.year, clock.month - 1, clock.day, clock.hour, clock.minute);
  const first = asUtc - offsetAt(asUtc, timeZone);
  const second = asUtc - offsetAt(first, timeZone);
  if (first === second) return new Date(first);
  // Two candidates: the one whose wall clock reads `clock` wins; in a gap neither
  // does, and the later one (the time moved forward) is taken.
  for (const candidate of [Math.min(first, second), Math.max(first, second)]) {
    const back = wallClock(new Date(candidate), timeZone);
    if (back.hour === clock.hour && back.minute === clock.minute && back.day === clock.day) return new Date(candidate);
  }
  return new Date(Math.max(first, second));
}

export function calendarDate(instant: Date, timeZone: string): CalendarDate {
  const { year, month, day } = wallClock(instant, timeZone);
  return formatDate(year, month, day);
}

function formatDate(year: number, month: number, day: number): CalendarDate {
  return `${String(year).padStart(4, "0")}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
}

export function parseDate(date: CalendarDate): { year: number; month: number; day: number } {
  const [year, month, day] = date.split("-").map(Number);
  return { year, month, day };
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: CalendarDate, to: CalendarDate): number {
  const a = parseDate(from);
  const b = parseDate(to);
  return Math.round((Date.UTC(b.year, b.month - 1, b.day) - Date.UTC(a.year, a.month - 1, a.day)) / 86_400_000);
}

/** Monday = 1 … Sunday = 7, of a calendar date. */
export function isoWeekday(date: CalendarDate): number {
  const { year, month, day } = parseDate(date);
  return ((new Date(Date.UTC(year, month - 1, day)).getUTCDay() + 6) % 7) + 1;
}
