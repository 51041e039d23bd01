"use client";

import type { ReactNode } from "react";

/** One choice of a select: the value sent and the words shown. */
export interface Choice<T extends string> {
  value: T;
  label: string;
}

interface LabelledSelectProps<T extends string> {
  id: string;
  label: ReactNode;
  value: T;
  choices: readonly Choice<T>[];
  onChange: (value: T) => void;
  /** What is wrong with the choice: shown below and tied to the select (aria-describedby). */
  error?: string;
  labelClassName?: string;
  className?: string;
}

/**
 * A label, a native select over `choices`, and its problem if any: the one
 * shape of the filters, the details' priority and reminder, and the repeat
 * kind. Native selects: keyboard, screen readers and phones know them.
 */
export function LabelledSelect<T extends string>({ id, label, value, choices, onChange, error, labelClassName = "block text-sm font-medium", className }: LabelledSelectProps<T>) {
  const errorId = `${id}-error`;
  return (
    <div>
      <label htmlFor={id} className={labelClassName}>
        {label}
      </label>
      <select id={id} value={value} onChange={(event) => onChange(event.target.value as T)} className={className}
        aria-invalid={error ? true : undefined} aria-describedby={error ? errorId : undefined}>
        {choices.map((choice) => (
          <option key={choice.value} value={choice.value}>
            {choice.label}
          </option>
        ))}
      </select>
      {error && (
        <p id={errorId} className="mt-1 text-sm text-red-700 dark:text-red-400">
          {error}
        </p>
      )}
    </div>
  );
}
