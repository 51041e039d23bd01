// The repeat rules the picker offers, as the RRULE subset the API keeps
// (SPEC "Organizing tasks"), and back, and in words.

export const WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"] as const;
export type Weekday = (typeof WEEKDAYS)[number];

export const WEEKDAY_NAMES: Record<Weekday, { short: string; long: string }> = {
  MO: { short: "Mon", long: "Monday" },
  TU: { short: "Tue", long: "Tuesday" },
  WE: { short: "Wed", long: "Wednesday" },
  TH: { short: "Thu", long: "Thursday" },
  FR: { short: "Fri", long: "Friday" },
  SA: { short: "Sat", long: "Saturday" },
  SU: { short: "Sun", long: "Sunday" },
};

const WORKING_DAYS: Weekday[] = ["MO", "TU", "WE", "TH", "FR"];

export type RepeatKind = "none" | "daily" | "weekdays" | "weekly" | "monthly" | "yearly" | "custom";

export interface RepeatRule {
  kind: RepeatKind;
  /** Every N days/weeks/months/years (1: every one). */
  interval: number;
  /** Weekly: on these days (none: the due date's weekday). */
  days: Weekday[];
  /** A rule from elsewhere (the command line, the API) the picker cannot show: kept as it is. */
  raw?: string;
}

export const NO_REPEAT: RepeatRule = { kind: "none", interval: 1, days: [] };

const FREQ: Partial<Record<RepeatKind, string>> = { daily: "DAILY", weekly: "WEEKLY", monthly: "MONTHLY", yearly: "YEARLY" };

function sortDays(days: Weekday[]): Weekday[] {
  return WEEKDAYS.filter((day) => days.includes(day));
}

/** The RRULE for the API, in its canonical form; `null` for no repeat. */
export function toRRule(rule: RepeatRule): string | null {
  if (rule.kind === "none") return null;
  if (rule.kind === "custom") return rule.raw ?? null;
  if (rule.kind === "weekdays") return `FREQ=WEEKLY;BYDAY=${WORKING_DAYS.join(",")}`;
  const interval = Math.max(1, Math.floor(rule.interval) || 1);
  const parts = [`FREQ=${FREQ[rule.kind]}`];
  if (interval > 1) parts.push(`INTERVAL=${interval}`);
  if (rule.kind === "weekly" && rule.days.length) parts.push(`BYDAY=${sortDays(rule.days).join(",")}`);
  return parts.join(";");
}

/** The picker's rule for a stored RRULE; one it cannot show is kept as "custom". */
export function parseRRule(rrule: string | null | undefined): RepeatRule {
  if (!rrule) return NO_REPEAT;
  const text = rrule.replace(/^RRULE:/i, "").toUpperCase();
  const parts = new Map(text.split(";").filter(Boolean).map((part) => part.split("=") as [string, string]));
  const custom: RepeatRule = { kind: "custom", interval: 1, days: [], raw: rrule };
  const known = new Set(["FREQ", "INTERVAL", "BYDAY"]);
  if ([...parts.keys()].some((key) => !known.has(key))) return custom;
  const interval = parts.has("INTERVAL") ? Number(parts.get("INTERVAL")) : 1;
  if (!Number.isInteger(interval) || interval < 1) return custom;
  const days = (parts.get("BYDAY")?.split(",") ?? []) as Weekday[];
  if (days.some((day) => !WEEKDAYS.includes(day))) return custom;
  switch (parts.get("FREQ")) {
    case "DAILY":
      return days.length ? custom : { kind: "daily", interval, days: [] };
    case "WEEKLY":
      if (interval === 1 && sortDays(days).join(",") === WORKING_DAYS.join(",")) return { kind: "weekdays", interval: 1, days: [] };
      return { kind: "weekly", interval, days: sortDays(days) };
    case "MONTHLY":
      return days.length ? custom : { kind: "monthly", interval, days: [] };
    case "YEARLY":
      return days.length ? custom : { kind: "yearly", interval, days: [] };
    default:
      return custom;
  }
}

const UNIT: Partial<Record<RepeatKind, string>> = { daily: "day", weekly: "week", monthly: "month", yearly: "year" };

/** "Every day", "Every 2 weeks on Mon, Thu", "Every weekday"; a rule the picker cannot show, as it stands. */
export function describeRule(rule: RepeatRule): string {
  switch (rule.kind) {
    case "none":
      return "Does not repeat";
    case "custom":
      return `Repeats (${rule.raw})`;
    case "weekdays":
      return "Every weekday";
    default: {
      const unit = UNIT[rule.kind]!;
      const every = rule.interval > 1 ? `Every ${rule.interval} ${unit}s` : `Every ${unit}`;
      if (rule.kind === "weekly" && rule.days.length) {
        return `${every} on ${sortDays(rule.days).map((day) => WEEKDAY_NAMES[day].short).join(", ")}`;
      }
      return every;
    }
  }
}

export function describeRRule(rrule: string | null | undefined): string | undefined {
  return rrule ? describeRule(parseRRule(rrule)) : undefined;
}
