// What the add and edit forms hold, empty: apart from the rest of ./draft, so
// the add form's first render does not need its checks and conversions (those
// load when the form is first used).

import type { Priority } from "@/lib/api/types";
import type { CalendarDate } from "@/lib/dates/zoned";
import { NO_REPEAT, type RepeatRule } from "./recurrence";

export type ReminderChoice = "none" | "at-due" | "10m" | "1h" | "1d" | "custom";

export interface TaskDraft {
  title: string;
  description: string;
  priority: Priority;
  tags: string[];
  /** `YYYY-MM-DD`, or "" for no due date. */
  dueDate: CalendarDate;
  /** `HH:MM`, or "" for all day. */
  dueTime: string;
  repeat: RepeatRule;
  reminder: ReminderChoice;
  /** `YYYY-MM-DDTHH:MM` (a datetime-local value) for a chosen moment. */
  reminderAt: string;
}

export const EMPTY_DRAFT: TaskDraft = {
  title: "",
  description: "",
  priority: "none",
  tags: [],
  dueDate: "",
  dueTime: "",
  repeat: NO_REPEAT,
  reminder: "none",
  reminderAt: "",
};

