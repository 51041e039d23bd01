//! What a change of a task decides, before a store writes it: the fields it sets,
//! the rules that span fields (todo-domain's), and what completing or
//! un-completing does to the next occurrence. Plain Rust, the same for both stores.

use chrono::{DateTime, Utc};
use todo_domain::task::occurrence_step;
use todo_domain::Refusal;

use super::{TaskChanges, TaskRow};

/// What an update does besides writing the task's new state.
#[derive(Debug)]
pub(super) enum OccurrenceStep {
    None,
    /// Completing a recurring task: insert this occurrence and link to it.
    Create(Box<TaskRow>),
    /// Un-completing: delete the linked occurrence unless it was changed since.
    DeleteIfUntouched(i64),
}

/// An update, decided: the task's new state and what else happens with it.
#[derive(Debug)]
pub(super) struct Edit {
    pub row: TaskRow,
    pub tags_changed: bool,
    /// It goes to another list (first there): the store checks the list and places it.
    pub list_changed: bool,
    pub occurrence: OccurrenceStep,
}

/// Applies `changes` to `current`, checks the rules that span fields, and
/// decides what happens to the next occurrence.
pub(super) fn plan(current: &TaskRow, changes: &TaskChanges, now: DateTime<Utc>) -> Result<Edit, Refusal> {
    let mut row = current.clone();
    if let Some(title) = &changes.title {
        row.title = title.as_str().to_owned();
    }
    if let Some(description) = &changes.description {
        row.description = description.as_ref().map(|d| d.as_str().to_owned());
    }
    if let Some(priority) = changes.priority {
        row.priority = priority;
    }
    if let Some(tags) = &changes.tags {
        row.tags = tags.names();
    }
    if let Some(due_at) = changes.due_at {
        row.due_at = due_at;
    }
    if let Some(all_day) = changes.all_day {
        row.all_day = all_day;
    }
    if let Some(zone) = &changes.time_zone {
        row.time_zone = zone.clone();
    }
    if let Some(recurrence) = &changes.recurrence {
        row.recurrence.clone_from(recurrence);
    }
    if let Some(remind_at) = changes.remind_at {
        row.remind_at = remind_at;
    }
    if let Some(list_id) = changes.list_id {
        row.list_id = list_id;
    }
    row.schedule().check(changes.recurrence.is_some())?;
    row.completed = changes.completed.map_or(current.completed, |completion| completion.apply(current.completed));
    // Never back in time, even when another change of this task committed with a
    // later clock reading, so `updated_at` orders a task's changes (and a changed
    // occurrence never looks untouched).
    row.updated_at = now.max(current.updated_at + chrono::Duration::microseconds(1));

    let occurrence = match occurrence_step(current.completed, row.completed, row.next_occurrence_id) {
        todo_domain::task::OccurrenceStep::None => OccurrenceStep::None,
        todo_domain::task::OccurrenceStep::CreateNext => {
            row.next_occurrence(now).map_or(OccurrenceStep::None, |next| OccurrenceStep::Create(Box::new(next)))
        }
        todo_domain::task::OccurrenceStep::DeleteIfUntouched(id) => OccurrenceStep::DeleteIfUntouched(id),
    };
    Ok(Edit { tags_changed: row.tags != current.tags, list_changed: row.list_id != current.list_id, row, occurrence })
}

#[cfg(test)]
mod tests {
    use todo_domain::{Completion, Priority, Recurrence, Zone};

    use super::*;

    fn recurring(rule: &str, due: &str) -> TaskRow {
        let now = "2026-01-01T00:00:00Z".parse().unwrap();
        TaskRow {
            id: 7,
            user_id: "alice".into(),
            title: "Standup".into(),
            description: None,
            completed: false,
            priority: Priority::High,
            tags: vec!["work".into()],
            due_at: Some(due.parse().unwrap()),
            all_day: false,
            time_zone: Zone::parse("Europe/Berlin").unwrap(),
            recurrence: Some(Recurrence::parse(rule).unwrap()),
            remind_at: Some(due.parse::<DateTime<Utc>>().unwrap() - chrono::Duration::minutes(15)),
            next_occurrence_id: None,
            created_at: now,
            updated_at: now,
            list_id: Some(3),
            position: "7f80".into(),
        }
    }

    fn complete() -> TaskChanges {
        TaskChanges { completed: Some(Completion::Set(true)), ..Default::default() }
    }

    #[test]
    fn completing_a_recurring_task_plans_its_next_occurrence_at_the_same_local_time() {
        // Monday 2026-03-23 09:00 CET; the clocks change on the 29th.
        let task = recurring("FREQ=WEEKLY;BYDAY=MO;COUNT=3", "2026-03-23T08:00:00Z");
        let now = "2026-03-23T10:00:00Z".parse().unwrap();
        let edit = plan(&task, &complete(), now).unwrap();
        assert!(edit.row.completed);
        let OccurrenceStep::Create(next) = edit.occurrence else { panic!("{:?}", edit.occurrence) };
        assert_eq!(next.due_at.unwrap().to_rfc3339(), "2026-03-30T07:00:00+00:00", "09:00 CEST");
        assert_eq!(next.remind_at.unwrap().to_rfc3339(), "2026-03-30T06:45:00+00:00");
        assert_eq!(next.recurrence.unwrap().to_string(), "FREQ=WEEKLY;BYDAY=MO;COUNT=2");
        assert_eq!((next.completed, next.created_at, next.updated_at), (false, now, now));
        assert_eq!(next.list_id, Some(3), "the next occurrence stays in its list");
        assert_eq!(
            (next.title.as_str(), next.priority, next.tags.clone()),
            ("Standup", Priority::High, vec!["work".into()])
        );
    }

    #[test]
    fn the_last_of_a_counted_series_plans_no_occurrence() {
        let task = recurring("FREQ=DAILY;COUNT=1", "2026-03-23T08:00:00Z");
        assert!(matches!(plan(&task, &complete(), task.updated_at).unwrap().occurrence, OccurrenceStep::None));
    }

    #[test]
    fn only_the_step_from_open_to_done_creates_and_back_deletes() {
        let mut task = recurring("FREQ=DAILY", "2026-03-23T08:00:00Z");
        let toggle = TaskChanges { completed: Some(Completion::Toggle), ..Default::default() };
        assert!(matches!(plan(&task, &toggle, task.updated_at).unwrap().occurrence, OccurrenceStep::Create(_)));
        task.completed = true;
        task.next_occurrence_id = Some(8);
        assert!(matches!(plan(&task, &complete(), task.updated_at).unwrap().occurrence, OccurrenceStep::None));
        assert!(matches!(
            plan(&task, &toggle, task.updated_at).unwrap().occurrence,
            OccurrenceStep::DeleteIfUntouched(8)
        ));
    }

    #[test]
    fn a_repeating_task_keeps_its_due_date() {
        let task = recurring("FREQ=DAILY", "2026-03-23T08:00:00Z");
        let clear_due = TaskChanges { due_at: Some(None), ..Default::default() };
        assert_eq!(plan(&task, &clear_due, task.updated_at).unwrap_err().field(), "due_at");
        let mut plain = task.clone();
        (plain.recurrence, plain.due_at) = (None, None);
        let repeat =
            TaskChanges { recurrence: Some(Some(Recurrence::parse("FREQ=DAILY").unwrap())), ..Default::default() };
        assert_eq!(plan(&plain, &repeat, task.updated_at).unwrap_err().field(), "recurrence");
    }
}
