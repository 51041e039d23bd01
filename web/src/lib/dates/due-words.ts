// Due dates in words, through Intl: "today 17:00", "tomorrow", "Fri 09:00",
// "yesterday", "Thu, Dec 10", "Jan 15", "Mar 3, 2028".

import type { Task } from "@/lib/api/types";
import { calendarDate, daysBetween, parseDate, type CalendarDate } from "./zoned";

export interface DueWordsOptions {
  /** The zone the person reads the app in (the browser's). */
  timeZone: string;
  /** 12-hour clock ("5:00 PM") rather than 24-hour ("17:00"); default: what the browser's locale uses. */
  hour12?: boolean;
}

const LOCALE = "en";

// Intl's formatters are costly to make and cheap to use: a list of hundreds of
// dated rows would otherwise make several per row on every render.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

function dateFormat(options: Intl.DateTimeFormatOptions): Intl.DateTimeFormat {
  const key = JSON.stringify(options);
  let format = dateFormats.get(key);
  if (!format) {
    format = new Intl.DateTimeFormat(LOCALE, options);
    dateFormats.set(key, format);
  }
  return format;
}

let relativeFormat: Intl.RelativeTimeFormat | undefined;
let hour12: boolean | undefined;

export function prefersHour12(): boolean {
  hour12 ??= new Intl.DateTimeFormat(undefined, { hour: "numeric" }).resolvedOptions().hour12 ?? false;
  return hour12;
}

function relative(value: number, unit: Intl.RelativeTimeFormatUnit): string {
  relativeFormat ??= new Intl.RelativeTimeFormat(LOCALE, { numeric: "auto" });
  return relativeFormat.format(value, unit);
}

function relativeDays(days: number): string {
  return relative(days, "day");
}

/** The date an all-day task is due on (its own zone's calendar), or the local date of a timed one. */
export function dueDate(task: Pick<Task, "due_at" | "all_day" | "time_zone">, timeZone: string): CalendarDate | undefined {
  if (!task.due_at) return undefined;
  return calendarDate(new Date(task.due_at), task.all_day ? task.time_zone : timeZone);
}

function dateWords(date: CalendarDate, today: CalendarDate): string {
  const days = daysBetween(today, date);
  if (days >= -1 && days <= 1) return relativeDays(days);
  if (days >= 2 && days <= 6) {
    const { year, month, day } = parseDate(date);
    return dateFormat({ weekday: "short", timeZone: "UTC" }).format(new Date(Date.UTC(year, month - 1, day)));
  }
  if (days >= -6 && days <= -2) return relativeDays(days);
  // Past the coming week the date itself: "next week" would hide which day,
  // and the full date's tooltip is out of reach by keyboard and touch. Within
  // four weeks the weekday too, the year only when it is not this one.
  const { year, month, day } = parseDate(date);
  const sameYear = year === parseDate(today).year;
  return dateFormat({
    ...(Math.abs(days) < 28 ? { weekday: "short" } : {}),
    month: "short",
    day: "numeric",
    ...(sameYear ? {} : { year: "numeric" }),
    timeZone: "UTC",
  }).format(new Date(Date.UTC(year, month - 1, day)));
}

export function timeWords(instant: Date, { timeZone, hour12 = prefersHour12() }: DueWordsOptions): string {
  return dateFormat({ hour: "numeric", minute: "2-digit", hour12, timeZone }).format(instant);
}

/**
 * A task's due date as a person says it, seen from `now` in `timeZone`. Only
 * yesterday and the coming week carry the time of day; further off the date is enough.
 */
export function dueWords(task: Pick<Task, "due_at" | "all_day" | "time_zone">, now: Date, options: DueWordsOptions): string | undefined {
  const date = dueDate(task, options.timeZone);
  if (!task.due_at || !date) return undefined;
  const today = calendarDate(now, options.timeZone);
  const words = dateWords(date, today);
  const days = daysBetween(today, date);
  if (task.all_day || days < -1 || days > 6) return words;
  return `${words} ${timeWords(new Date(task.due_at), options)}`;
}

/** The full date (and time), for a tooltip and for screen readers. */
export function dueInFull(task: Pick<Task, "due_at" | "all_day" | "time_zone">, options: DueWordsOptions): string | undefined {
  if (!task.due_at) return undefined;
  const instant = new Date(task.due_at);
  return dateFormat({
    dateStyle: "full",
    ...(task.all_day ? { timeZone: task.time_zone } : { timeStyle: "short", timeZone: options.timeZone, hour12: options.hour12 }),
  }).format(instant);
}
