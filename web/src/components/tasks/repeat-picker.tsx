"use client";

import { isoWeekday, type CalendarDate } from "@/lib/dates/zoned";
import { LabelledSelect, type Choice } from "./labelled-select";
import { describeRule, NO_REPEAT, WEEKDAY_NAMES, WEEKDAYS, type RepeatKind, type RepeatRule } from "@/lib/tasks/recurrence";

const KINDS: Choice<RepeatKind>[] = [
  { value: "none", label: "Does not repeat" },
  { value: "daily", label: "Daily" },
  { value: "weekdays", label: "Every weekday (Mon–Fri)" },
  { value: "weekly", label: "Weekly" },
  { value: "monthly", label: "Monthly" },
  { value: "yearly", label: "Yearly" },
];

const UNITS: Partial<Record<RepeatKind, string>> = { daily: "days", weekly: "weeks", monthly: "months", yearly: "years" };

interface RepeatPickerProps {
  idPrefix: string;
  rule: RepeatRule;
  onChange: (rule: RepeatRule) => void;
  /** The due date, whose weekday a new weekly rule starts with. */
  dueDate: CalendarDate;
  error?: string;
}

/** None, daily, weekdays, weekly on chosen days, monthly, yearly, each every N. */
export function RepeatPicker({ idPrefix, rule, onChange, dueDate, error }: RepeatPickerProps) {
  const kinds = rule.kind === "custom" ? [...KINDS, { value: "custom" as const, label: describeRule(rule) }] : KINDS;
  const unit = UNITS[rule.kind];

  function onKind(kind: RepeatKind) {
    if (kind === "none") return onChange(NO_REPEAT);
    if (kind === "custom") return;
    const days = kind === "weekly" ? (rule.days.length ? rule.days : dueDate ? [WEEKDAYS[isoWeekday(dueDate) - 1]] : []) : [];
    onChange({ kind, interval: kind === "weekdays" ? 1 : rule.interval, days });
  }

  return (
    <fieldset className="min-w-0 space-y-2">
      <legend className="sr-only">Repeat</legend>
      <LabelledSelect id={`${idPrefix}-repeat`} label="Repeat" value={rule.kind} choices={kinds} onChange={onKind} error={error}
        className="mt-1 block w-full rounded-md border border-zinc-400 bg-white px-2 py-2 text-base text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100" />
      {unit && (
        <div className="flex items-center gap-2 text-sm">
          <label htmlFor={`${idPrefix}-interval`}>Every</label>
          <input id={`${idPrefix}-interval`} type="number" min={1} max={1000} inputMode="numeric" value={rule.interval}
            onChange={(event) => onChange({ ...rule, interval: Math.min(1000, Math.max(1, Number(event.target.value) || 1)) })}
            aria-describedby={`${idPrefix}-interval-unit`}
            className="w-20 rounded-md border border-zinc-400 bg-white px-2 py-1 text-base text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100" />
          <span id={`${idPrefix}-interval-unit`}>{unit}</span>
        </div>
      )}
      {rule.kind === "weekly" && (
        <fieldset>
          <legend className="text-sm">On</legend>
          <div className="mt-1 flex flex-wrap gap-1">
            {WEEKDAYS.map((day) => {
              const checked = rule.days.includes(day);
              return (
                <label key={day} className="flex items-center gap-1 rounded-md border border-zinc-400 px-2 py-1 text-sm has-checked:border-blue-700 has-checked:bg-blue-50 dark:has-checked:bg-blue-950">
                  <input type="checkbox" checked={checked} aria-label={WEEKDAY_NAMES[day].long}
                    onChange={() => onChange({ ...rule, days: checked ? rule.days.filter((d) => d !== day) : [...rule.days, day] })} />
                  <span aria-hidden="true">{WEEKDAY_NAMES[day].short}</span>
                </label>
              );
            })}
          </div>
        </fieldset>
      )}
      {rule.kind !== "none" && <p className="text-sm text-zinc-700 dark:text-zinc-300">{describeRule(rule)}</p>}
    </fieldset>
  );
}
