//! The rules that span a task's fields, and what a change of a task decides:
//! a repeating task needs a due date; completing a repeating task brings its
//! next occurrence; un-completing it takes that occurrence back.
//!
//! The API applies these inside each store's transaction; no client repeats them
//! (they send the change and show the API's answer or refusal).

use std::fmt;

use jiff::Timestamp;

use crate::{Recurrence, Zone};

/// Why a change of a task was refused: it would break a rule that spans fields.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// A repeating task needs a due date. `blame` is the field the change set: the
    /// rule when one was sent, else the due date that was cleared.
    RepeatsWithoutDueDate { blame: ScheduleField },
}

/// A field of a task's schedule, to name in a refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScheduleField {
    DueAt,
    Recurrence,
}

impl Refusal {
    /// The field of the request to name (`due_at`, `recurrence`).
    pub fn field(self) -> &'static str {
        match self {
            Self::RepeatsWithoutDueDate { blame: ScheduleField::DueAt } => "due_at",
            Self::RepeatsWithoutDueDate { blame: ScheduleField::Recurrence } => "recurrence",
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::RepeatsWithoutDueDate { .. } => f.write_str("a repeating task needs a due date (`due_at`)"),
        }
    }
}

impl std::error::Error for Refusal {}

/// When a task is due, how it repeats and when it reminds: the fields the rules span.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Schedule {
    pub due_at: Option<Timestamp>,
    /// The zone the rule's dates and the wall-clock time are kept in.
    pub zone: Zone,
    pub recurrence: Option<Recurrence>,
    pub remind_at: Option<Timestamp>,
}

impl Schedule {
    /// Checks "a repeating task needs a due date". `rule_sent`: whether the change
    /// that led here set the rule (then the rule is blamed, else the due date).
    pub fn check(&self, rule_sent: bool) -> Result<(), Refusal> {
        if self.recurrence.is_some() && self.due_at.is_none() {
            let blame = if rule_sent { ScheduleField::Recurrence } else { ScheduleField::DueAt };
            return Err(Refusal::RepeatsWithoutDueDate { blame });
        }
        Ok(())
    }

    /// The schedule of the occurrence after this one: the rule's next date at the
    /// same local wall-clock time (DST included), the reminder moved by the same
    /// amount, `COUNT` one less. `None` when there is no rule or the series ends.
    pub fn next_occurrence(&self) -> Option<Schedule> {
        let rule = self.recurrence.as_ref()?;
        let due = self.due_at?;
        let (next_due, next_rule) = rule.next_after(due, self.zone.tz())?;
        // The reminder keeps its distance to the due date (a reminder that would
        // leave the representable range is dropped rather than the occurrence).
        let remind_at = self.remind_at.and_then(|remind| remind.checked_add(next_due.duration_since(due)).ok());
        Some(Schedule { due_at: Some(next_due), zone: self.zone.clone(), recurrence: Some(next_rule), remind_at })
    }
}

/// How a change sets a task's `completed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Completion {
    Set(bool),
    Toggle,
}

impl Completion {
    pub fn apply(self, completed: bool) -> bool {
        match self {
            Self::Set(value) => value,
            Self::Toggle => !completed,
        }
    }
}

/// What a change of `completed` does to the occurrences of a repeating task.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OccurrenceStep {
    None,
    /// Completed: create the next occurrence ([`Schedule::next_occurrence`]) and link to it.
    CreateNext,
    /// Un-completed: delete the linked occurrence unless it was changed since, so a
    /// slip of the finger leaves no duplicate.
    DeleteIfUntouched(i64),
}

/// Decides [`OccurrenceStep`] from the task's `completed` before and after the
/// change and the occurrence it links to. Only the step from open to done creates
/// one, and only for a task that has none yet.
pub fn occurrence_step(was_completed: bool, completed: bool, next_occurrence_id: Option<i64>) -> OccurrenceStep {
    match (was_completed, completed, next_occurrence_id) {
        (false, true, None) => OccurrenceStep::CreateNext,
        (true, false, Some(id)) => OccurrenceStep::DeleteIfUntouched(id),
        _ => OccurrenceStep::None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn weekly_standup(rule: &str) -> Schedule {
        // Monday 2026-03-23 09:00 CET; the clocks change on the 29th.
        Schedule {
            due_at: Some("2026-03-23T08:00:00Z".parse().unwrap()),
            zone: Zone::parse("Europe/Berlin").unwrap(),
            recurrence: Some(Recurrence::parse(rule).unwrap()),
            remind_at: Some("2026-03-23T07:45:00Z".parse().unwrap()),
        }
    }

    #[test]
    fn the_next_occurrence_keeps_the_local_time_and_the_reminder_distance() {
        let next = weekly_standup("FREQ=WEEKLY;BYDAY=MO;COUNT=3").next_occurrence().unwrap();
        assert_eq!(next.due_at.unwrap().to_string(), "2026-03-30T07:00:00Z", "09:00 CEST");
        assert_eq!(next.remind_at.unwrap().to_string(), "2026-03-30T06:45:00Z");
        assert_eq!(next.recurrence.unwrap().to_string(), "FREQ=WEEKLY;BYDAY=MO;COUNT=2");
    }

    #[test]
    fn a_series_ends_and_a_task_without_a_rule_has_no_next() {
        assert_eq!(weekly_standup("FREQ=DAILY;COUNT=1").next_occurrence(), None);
        let once = Schedule { recurrence: None, ..weekly_standup("FREQ=DAILY") };
        assert_eq!(once.next_occurrence(), None);
    }

    #[test]
    fn a_repeating_task_needs_a_due_date_and_the_refusal_names_what_was_sent() {
        let undated = Schedule { due_at: None, ..weekly_standup("FREQ=DAILY") };
        assert_eq!(undated.check(true).unwrap_err().field(), "recurrence");
        assert_eq!(undated.check(false).unwrap_err().field(), "due_at");
        assert_eq!(undated.check(false).unwrap_err().to_string(), "a repeating task needs a due date (`due_at`)");
        assert!(weekly_standup("FREQ=DAILY").check(true).is_ok());
    }

    #[test]
    fn only_the_step_from_open_to_done_creates_and_back_deletes() {
        assert_eq!(occurrence_step(false, true, None), OccurrenceStep::CreateNext);
        assert_eq!(occurrence_step(true, true, None), OccurrenceStep::None);
        assert_eq!(occurrence_step(false, true, Some(8)), OccurrenceStep::None, "it has one already");
        assert_eq!(occurrence_step(true, false, Some(8)), OccurrenceStep::DeleteIfUntouched(8));
        assert_eq!(occurrence_step(true, false, None), OccurrenceStep::None);
        assert!(Completion::Toggle.apply(false) && !Completion::Toggle.apply(true));
        assert!(Completion::Set(true).apply(true));
    }
}
