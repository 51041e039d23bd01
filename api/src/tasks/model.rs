//! What a task is, and the rules its fields obey.

use chrono::{DateTime, SubsecRound, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;

use crate::error::FieldError;

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 1000;

/// A task as stored and as returned by every endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow, ToSchema)]
pub struct Task {
    /// Unique across all users.
    #[schema(example = 42)]
    pub id: i64,
    /// The owner: the `sub` of the token that created it.
    #[schema(example = "3FrSmPSNxg1FiMlMoJ6kGhUHqhJ4Ln0X")]
    pub user_id: String,
    #[schema(example = "Buy milk")]
    pub title: String,
    #[schema(example = json!(null))]
    pub description: Option<String>,
    pub completed: bool,
    /// RFC 3339, UTC.
    pub created_at: DateTime<Utc>,
    /// RFC 3339, UTC; moves on every change.
    pub updated_at: DateTime<Utc>,
}

/// A title that obeys the rules: trimmed, 1–200 characters, no NUL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

/// The case-folded form both stores search and sort on: Unicode-aware and the
/// same for SQLite and PostgreSQL, since the API computes it.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

impl Title {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let trimmed = raw.trim();
        let chars = trimmed.chars().count();
        if chars == 0 {
            Err("must not be empty".into())
        } else if chars > TITLE_MAX_CHARS {
            Err(format!("must be at most {TITLE_MAX_CHARS} characters (got {chars})"))
        } else if trimmed.contains('\0') {
            Err("must not contain NUL characters".into())
        } else {
            Ok(Self(trimmed.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn folded(&self) -> String {
        fold(&self.0)
    }
}

/// A description that obeys the rules: at most 1000 characters, no NUL. Kept as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(String);

impl Description {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if chars > DESCRIPTION_MAX_CHARS {
            Err(format!("must be at most {DESCRIPTION_MAX_CHARS} characters (got {chars})"))
        } else if raw.contains('\0') {
            Err("must not contain NUL characters".into())
        } else {
            Ok(Self(raw.to_owned()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn folded(&self) -> String {
        fold(&self.0)
    }
}

/// Body of `POST /api/{user_id}/tasks`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateTaskRequest {
    /// Trimmed; 1–200 characters.
    #[schema(example = "Buy milk", min_length = 1, max_length = 200)]
    pub title: String,
    /// At most 1000 characters.
    #[serde(default)]
    #[schema(max_length = 1000)]
    pub description: Option<String>,
    /// Defaults to `false`.
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub completed: Option<bool>,
}

/// Body of `PUT`/`PATCH /api/{user_id}/tasks/{id}`: any of the fields, at least one.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateTaskRequest {
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false, min_length = 1, max_length = 200)]
    pub title: Option<String>,
    /// `null` clears the description.
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, max_length = 1000)]
    pub description: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null")]
    #[schema(nullable = false)]
    pub completed: Option<bool>,
}

/// Body of `PATCH /api/{user_id}/tasks/{id}/complete`; without a body the task is toggled.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetCompletedRequest {
    pub completed: bool,
}

/// Tells a field sent as `null` (`Some(None)`) from a field left out (`None`).
fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// An optional field that, when sent, must not be `null`.
fn non_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

/// A validated create.
#[derive(Debug)]
pub struct NewTask {
    pub title: Title,
    pub description: Option<Description>,
    pub completed: bool,
}

/// A validated change; `None` leaves a field as it is.
#[derive(Debug)]
pub struct TaskChanges {
    pub title: Option<Title>,
    pub description: Option<Option<Description>>,
    pub completed: Option<bool>,
}

fn collect<T>(field: &str, result: Result<T, String>, errors: &mut Vec<FieldError>) -> Option<T> {
    result.map_err(|message| errors.push(FieldError::new(field, message))).ok()
}

impl TryFrom<CreateTaskRequest> for NewTask {
    type Error = Vec<FieldError>;

    fn try_from(request: CreateTaskRequest) -> Result<Self, Self::Error> {
        let mut errors = Vec::new();
        let title = collect("title", Title::parse(&request.title), &mut errors);
        let description = request
            .description
            .and_then(|d| collect("description", Description::parse(&d), &mut errors));
        match title {
            Some(title) if errors.is_empty() => {
                Ok(Self { title, description, completed: request.completed.unwrap_or(false) })
            }
            _ => Err(errors),
        }
    }
}

impl TryFrom<UpdateTaskRequest> for TaskChanges {
    type Error = Vec<FieldError>;

    fn try_from(request: UpdateTaskRequest) -> Result<Self, Self::Error> {
        if request.title.is_none() && request.description.is_none() && request.completed.is_none() {
            return Err(vec![FieldError::new(
                "",
                "send at least one of `title`, `description`, `completed`",
            )]);
        }
        let mut errors = Vec::new();
        let title = request.title.and_then(|t| collect("title", Title::parse(&t), &mut errors));
        let description = match request.description {
            None => None,
            Some(None) => Some(None),
            Some(Some(d)) => collect("description", Description::parse(&d), &mut errors).map(Some),
        };
        if errors.is_empty() {
            Ok(Self { title, description, completed: request.completed })
        } else {
            Err(errors)
        }
    }
}

/// The store's clock: UTC, at the microsecond precision both stores keep.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_is_trimmed_and_counted_in_characters() {
        assert_eq!(Title::parse("  Buy milk \n").unwrap().as_str(), "Buy milk");
        assert!(Title::parse(&"é".repeat(200)).is_ok());
        assert!(Title::parse(&"é".repeat(201)).is_err());
        assert!(Title::parse(" \t ").is_err());
        assert!(Title::parse("a\0b").is_err());
    }

    #[test]
    fn description_is_kept_as_sent() {
        assert_eq!(Description::parse(" x ").unwrap().as_str(), " x ");
        assert!(Description::parse(&"x".repeat(1001)).is_err());
        assert!(Description::parse("\0").is_err());
    }

    #[test]
    fn update_tells_null_from_absent() {
        let cleared: UpdateTaskRequest = serde_json::from_str(r#"{"description":null}"#).unwrap();
        assert!(matches!(cleared.description, Some(None)));
        let untouched: UpdateTaskRequest = serde_json::from_str(r#"{"completed":true}"#).unwrap();
        assert!(untouched.description.is_none());
        assert!(serde_json::from_str::<UpdateTaskRequest>(r#"{"title":null}"#).is_err(), "only description clears");
        let empty: UpdateTaskRequest = serde_json::from_str("{}").unwrap();
        assert!(TaskChanges::try_from(empty).is_err());
    }
}
