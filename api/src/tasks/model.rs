//! The task as the API speaks it: the JSON a client reads and the bodies it
//! sends (their shapes are todo-wire's, shared with the command line), each
//! body parsed once into the store's typed input.

use todo_domain::{Completion, Description, Priority, Recurrence, Schedule, Tags, Title, Zone};
pub use todo_wire::{CreateTaskRequest, SetCompletedRequest, Task, UpdateTaskRequest};

use super::instant::{parse_instant, to_timestamp};
use super::store::{NewTask, TaskChanges, TaskRow};
use crate::error::FieldError;

impl From<TaskRow> for Task {
    fn from(row: TaskRow) -> Self {
        Self {
            id: row.id,
            user_id: row.user_id,
            title: row.title,
            description: row.description,
            completed: row.completed,
            priority: row.priority,
            tags: row.tags,
            due_at: row.due_at,
            all_day: row.all_day,
            time_zone: row.time_zone.name().to_owned(),
            recurrence: row.recurrence.as_ref().map(ToString::to_string),
            remind_at: row.remind_at,
            next_occurrence_id: row.next_occurrence_id,
            created_at: row.created_at,
            updated_at: row.updated_at,
            list_id: row.list_id,
            position: row.position,
        }
    }
}

/// Collects every broken rule of one body, so they are all reported together.
#[derive(Default)]
struct Errors(Vec<FieldError>);

impl Errors {
    fn check<T>(&mut self, field: &str, result: Result<T, String>) -> Option<T> {
        result.map_err(|message| self.0.push(FieldError::new(field, message))).ok()
    }

    fn tags(&mut self, raw: &[String]) -> Option<Tags> {
        Tags::parse(raw)
            .map_err(|errors| {
                for (index, message) in errors {
                    let field = index.map_or_else(|| "tags".to_owned(), |i| format!("tags[{i}]"));
                    self.0.push(FieldError::new(field, message));
                }
            })
            .ok()
    }

    fn finish<T>(self, value: impl FnOnce() -> T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value())
        } else {
            Err(self.0)
        }
    }
}

impl TryFrom<CreateTaskRequest> for NewTask {
    type Error = Vec<FieldError>;

    fn try_from(request: CreateTaskRequest) -> Result<Self, Self::Error> {
        let mut errors = Errors::default();
        let title = errors.check("title", Title::parse(&request.title));
        let description = request.description.and_then(|d| errors.check("description", Description::parse(&d)));
        let priority = request.priority.map_or(Some(Priority::None), |p| errors.check("priority", Priority::parse(&p)));
        let tags = errors.tags(request.tags.as_deref().unwrap_or_default());
        let due_at = request.due_at.and_then(|t| errors.check("due_at", parse_instant(&t)));
        let time_zone = match request.time_zone {
            Some(name) => errors.check("time_zone", Zone::parse(&name)),
            None => Some(Zone::utc()),
        };
        let recurrence = request.recurrence.and_then(|r| errors.check("recurrence", Recurrence::parse(&r)));
        let remind_at = request.remind_at.and_then(|t| errors.check("remind_at", parse_instant(&t)));
        // Only when the due date itself was fine: a bad one is reported as such.
        if errors.0.iter().all(|e| e.field != "due_at") {
            let schedule = Schedule {
                due_at: due_at.and_then(to_timestamp),
                zone: time_zone.clone().unwrap_or_default(),
                recurrence: recurrence.clone(),
                remind_at: None,
            };
            if let Err(refusal) = schedule.check(true) {
                errors.0.push(refusal.into());
            }
        }
        errors.finish(|| Self {
            title: title.expect("checked"),
            description,
            completed: request.completed.unwrap_or(false),
            priority: priority.expect("checked"),
            tags: tags.expect("checked"),
            due_at,
            all_day: request.all_day.unwrap_or(false),
            time_zone: time_zone.expect("checked"),
            recurrence,
            remind_at,
            list_id: request.list_id,
        })
    }
}

impl TryFrom<UpdateTaskRequest> for TaskChanges {
    type Error = Vec<FieldError>;

    fn try_from(request: UpdateTaskRequest) -> Result<Self, Self::Error> {
        let UpdateTaskRequest {
            title,
            description,
            completed,
            priority,
            tags,
            due_at,
            all_day,
            time_zone,
            recurrence,
            remind_at,
            list_id,
        } = request;
        let nothing_sent = title.is_none()
            && description.is_none()
            && completed.is_none()
            && priority.is_none()
            && tags.is_none()
            && due_at.is_none()
            && all_day.is_none()
            && time_zone.is_none()
            && recurrence.is_none()
            && remind_at.is_none()
            && list_id.is_none();
        if nothing_sent {
            return Err(vec![FieldError::new("", "send at least one of the task's writable fields")]);
        }
        let mut errors = Errors::default();
        let changes = Self {
            title: title.and_then(|t| errors.check("title", Title::parse(&t))),
            description: nullable(description, |d| errors.check("description", Description::parse(&d))),
            completed: completed.map(Completion::Set),
            priority: priority.and_then(|p| errors.check("priority", Priority::parse(&p))),
            tags: tags.and_then(|t| errors.tags(&t)),
            due_at: nullable(due_at, |t| errors.check("due_at", parse_instant(&t))),
            all_day,
            time_zone: time_zone.and_then(|z| errors.check("time_zone", Zone::parse(&z))),
            recurrence: nullable(recurrence, |r| errors.check("recurrence", Recurrence::parse(&r))),
            remind_at: nullable(remind_at, |t| errors.check("remind_at", parse_instant(&t))),
            list_id,
        };
        errors.finish(|| changes)
    }
}

/// A nullable field of an update: left out, cleared, or set to a value that parsed
/// (a value that did not parse has recorded its error and changes nothing).
fn nullable<T, U>(field: Option<Option<T>>, parse: impl FnOnce(T) -> Option<U>) -> Option<Option<U>> {
    match field {
        None => None,
        Some(None) => Some(None),
        Some(Some(value)) => parse(value).map(Some),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn update_tells_null_from_absent() {
        let cleared: UpdateTaskRequest = serde_json::from_str(r#"{"description":null}"#).unwrap();
        assert!(matches!(cleared.description, Some(None)));
        let untouched: UpdateTaskRequest = serde_json::from_str(r#"{"completed":true}"#).unwrap();
        assert!(untouched.description.is_none());
        assert!(serde_json::from_str::<UpdateTaskRequest>(r#"{"title":null}"#).is_err(), "only nullable fields clear");
        assert!(serde_json::from_str::<UpdateTaskRequest>(r#"{"tags":null}"#).is_err());
        let empty: UpdateTaskRequest = serde_json::from_str("{}").unwrap();
        assert!(TaskChanges::try_from(empty).is_err());
    }

    #[test]
    fn a_recurrence_without_a_due_date_is_refused_on_create() {
        let request: CreateTaskRequest = serde_json::from_str(r#"{"title":"x","recurrence":"FREQ=DAILY"}"#).unwrap();
        let errors = NewTask::try_from(request).unwrap_err();
        assert_eq!(errors[0].field, "recurrence");
    }

    #[test]
    fn every_broken_rule_is_reported_with_its_field() {
        let request: CreateTaskRequest = serde_json::from_str(
            r#"{"title":"","tags":["ok","a,b",""],"time_zone":"Mars/Olympus","due_at":"soon","recurrence":"FREQ=HOURLY"}"#,
        )
        .unwrap();
        let fields: Vec<_> = NewTask::try_from(request).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["title", "tags[1]", "tags[2]", "due_at", "time_zone", "recurrence"]);
    }
}
