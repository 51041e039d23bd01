"use client";

// Loaded on demand (React.lazy) by the add and edit forms: most visits never
// open it, so the tasks page's first load does not carry it.

import type { TaskApi } from "@/lib/api/task-api";
import { REMINDER_CHOICES, type TaskDraft } from "@/lib/tasks/draft";
import { PRIORITIES } from "@/lib/tasks/filters";
import { LabelledSelect } from "./labelled-select";
import { RepeatPicker } from "./repeat-picker";
import { TagsInput } from "./tags-input";
import { useTags } from "./use-tasks";

export interface DetailsErrors {
  dueDate?: string;
  repeat?: string;
  reminder?: string;
  reminderAt?: string;
  priority?: string;
  tags?: string;
}

export interface TaskDetailsFieldsProps {
  api: TaskApi;
  idPrefix: string;
  draft: TaskDraft;
  onChange: (change: Partial<TaskDraft>) => void;
  errors?: DetailsErrors;
}

const fieldClass =
  "mt-1 block w-full rounded-md border border-zinc-400 bg-white px-2 py-2 text-base text-zinc-900 dark:bg-zinc-900 dark:text-zinc-100";

function FieldError({ id, message }: { id: string; message?: string }) {
  if (!message) return null;
  return (
    <p id={id} className="mt-1 text-sm text-red-700 dark:text-red-400">
      {message}
    </p>
  );
}

const invalid = (id: string, message?: string) =>
  message ? { "aria-invalid": true as const, "aria-describedby": id } : {};

export default function TaskDetailsFields({ api, idPrefix, draft, onChange, errors = {} }: TaskDetailsFieldsProps) {
  const tags = useTags(api);
  const id = (name: string) => `${idPrefix}-${name}`;

  return (
    <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
      <LabelledSelect id={id("priority")} label="Priority" value={draft.priority} choices={PRIORITIES}
        onChange={(priority) => onChange({ priority })} className={fieldClass} error={errors.priority} />
      <div>
        <TagsInput tags={draft.tags} onChange={(next) => onChange({ tags: next })} suggestions={tags.data ?? []} />
        <FieldError id={id("tags-error")} message={errors.tags} />
      </div>
      <div className="flex gap-2">
        <div className="min-w-0 flex-1">
          <label htmlFor={id("due-date")} className="block text-sm font-medium">
            Due date
          </label>
          <input id={id("due-date")} type="date" value={draft.dueDate}
            onChange={(event) => onChange({ dueDate: event.target.value, ...(event.target.value ? {} : { dueTime: "" }) })}
            className={fieldClass} {...invalid(id("due-date-error"), errors.dueDate)} />
        </div>
        <div className="w-32">
          <label htmlFor={id("due-time")} className="block text-sm font-medium">
            Time <span className="font-normal text-zinc-600 dark:text-zinc-400">(optional)</span>
          </label>
          <input id={id("due-time")} type="time" value={draft.dueTime} disabled={!draft.dueDate}
            aria-describedby={id("due-time-hint")}
            onChange={(event) => onChange({ dueTime: event.target.value })} className={`${fieldClass} disabled:opacity-50`} />
        </div>
      </div>
      <p id={id("due-time-hint")} className="-mt-2 text-sm text-zinc-600 sm:col-span-2 sm:-mt-1 dark:text-zinc-400">
        {draft.dueDate ? (draft.dueTime ? "Due at that time." : "No time: due all day.") : "No due date."}
      </p>
      <FieldError id={id("due-date-error")} message={errors.dueDate} />
      <RepeatPicker idPrefix={idPrefix} rule={draft.repeat} onChange={(repeat) => onChange({ repeat })} dueDate={draft.dueDate}
        error={errors.repeat} />
      <div className="space-y-2">
        <LabelledSelect id={id("reminder")} label="Reminder" value={draft.reminder} choices={REMINDER_CHOICES}
          onChange={(reminder) => onChange({ reminder })} className={fieldClass} error={errors.reminder} />
        {draft.reminder === "custom" && (
          <div>
            <label htmlFor={id("reminder-at")} className="block text-sm font-medium">
              Remind me at
            </label>
            <input id={id("reminder-at")} type="datetime-local" value={draft.reminderAt}
              onChange={(event) => onChange({ reminderAt: event.target.value })}
              className={fieldClass} {...invalid(id("reminder-at-error"), errors.reminderAt)} />
            <FieldError id={id("reminder-at-error")} message={errors.reminderAt} />
          </div>
        )}
      </div>
    </div>
  );
}
