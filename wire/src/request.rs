//! What the API takes: the bodies of create, update and complete.
//!
//! A body keeps the client's words (strings for priorities and instants), so
//! the API can answer a bad value with its own field message (a 422 problem)
//! rather than a serde error; the API parses each body into todo-domain's
//! types. Serialized, a field left as `None` is left out.

use serde::{Deserialize, Deserializer, Serialize};

/// Body of `POST /api/{user_id}/tasks`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateTaskRequest {
    /// Trimmed; 1–200 characters.
    #[cfg_attr(feature = "openapi", schema(example = "Buy milk", min_length = 1, max_length = 200))]
    pub title: String,
    /// At most 1000 characters.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(max_length = 1000))]
    pub description: Option<String>,
    /// Defaults to `false`.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub completed: Option<bool>,
    /// Defaults to `none`.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<todo_domain::Priority>, nullable = false))]
    pub priority: Option<String>,
    /// At most 20, each trimmed, 1–32 characters, no commas or control characters;
    /// duplicates ignoring case are dropped (the first spelling is kept).
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<TagName>>, nullable = false, max_items = 20))]
    pub tags: Option<Vec<String>>,
    /// An RFC 3339 instant, any offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Option<String>,
    /// Defaults to `false`.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub all_day: Option<bool>,
    /// An IANA name; defaults to `UTC`.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false, example = "Europe/Berlin"))]
    pub time_zone: Option<String>,
    /// `FREQ=DAILY|WEEKLY|MONTHLY|YEARLY`, `INTERVAL`, `BYDAY` (weekly), `BYMONTHDAY` (monthly), `COUNT` or `UNTIL`. Needs `due_at`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(example = "FREQ=WEEKLY;BYDAY=MO"))]
    pub recurrence: Option<String>,
    /// An RFC 3339 instant, any offset.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub remind_at: Option<String>,
    /// One of your lists; `null` or left out: the Inbox. The task goes first in it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub list_id: Option<i64>,
}

/// One tag as sent, for the OpenAPI document: trimmed, it must still hold 1–32
/// characters; the pattern says what a schema can (no commas, no control
/// characters, not only spaces).
#[cfg(feature = "openapi")]
pub struct TagName;

#[cfg(feature = "openapi")]
impl utoipa::PartialSchema for TagName {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::{ObjectBuilder, Type};
        ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(todo_domain::tags::TAG_MAX_CHARS))
            .pattern(Some(
                r"^[^,\u0000-\u001f\u007f-\u009f]*[^,\s\u0000-\u001f\u007f-\u009f][^,\u0000-\u001f\u007f-\u009f]*$",
            ))
            .examples(["home"])
            .into()
    }
}

#[cfg(feature = "openapi")]
impl utoipa::ToSchema for TagName {}

// A nullable field is `Option<Option<T>>`: `None` leaves it out (unchanged),
// `Some(None)` sends `null` (cleared), `Some(Some(value))` sets it. (Not in the
// doc comment, which is the OpenAPI document's description.)
/// Body of `PUT`/`PATCH /api/{user_id}/tasks/{id}`: any of the fields, at least one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateTaskRequest {
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false, min_length = 1, max_length = 200))]
    pub title: Option<String>,
    /// `null` clears the description.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, max_length = 1000))]
    pub description: Option<Option<String>>,
    /// `true` on a recurring task creates its next occurrence.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub completed: Option<bool>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<todo_domain::Priority>, nullable = false))]
    pub priority: Option<String>,
    /// Replaces the tags; `[]` clears them.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Vec<TagName>>, nullable = false, max_items = 20))]
    pub tags: Option<Vec<String>>,
    /// `null` clears the due date (not allowed while `recurrence` is set).
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub due_at: Option<Option<String>>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false))]
    pub all_day: Option<bool>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false, example = "Europe/Berlin"))]
    pub time_zone: Option<String>,
    /// `null` stops the repetition.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>))]
    pub recurrence: Option<Option<String>>,
    /// `null` clears the reminder.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<String>, format = DateTime))]
    pub remind_at: Option<Option<String>>,
    /// Another of your lists (`null`: the Inbox); the task goes first in it.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub list_id: Option<Option<i64>>,
}

/// Body of `PATCH /api/{user_id}/tasks/{id}/complete`; without a body the task is toggled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SetCompletedRequest {
    pub completed: bool,
}

/// Tells a field sent as `null` (`Some(None)`) from a field left out (`None`).
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Some)
}

/// An optional field that, when sent, must not be `null`.
pub(crate) fn non_null<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    #[test]
    fn an_update_tells_null_from_absent_both_ways() {
        let cleared: UpdateTaskRequest = serde_json::from_str(r#"{"description":null}"#).unwrap();
        assert_eq!(cleared.description, Some(None));
        let untouched: UpdateTaskRequest = serde_json::from_str(r#"{"completed":true}"#).unwrap();
        assert_eq!(untouched.description, None);
        assert!(serde_json::from_str::<UpdateTaskRequest>(r#"{"title":null}"#).is_err(), "only nullable fields clear");
        assert!(serde_json::from_str::<UpdateTaskRequest>(r#"{"tags":null}"#).is_err());

        let update = UpdateTaskRequest {
            due_at: Some(None),
            recurrence: Some(Some("FREQ=DAILY".into())),
            tags: Some(vec![]),
            ..Default::default()
        };
        let sent = serde_json::to_value(&update).unwrap();
        assert_eq!(sent, json!({"due_at": null, "recurrence": "FREQ=DAILY", "tags": []}));
        assert_eq!(serde_json::from_value::<UpdateTaskRequest>(sent).unwrap(), update);
        assert_eq!(serde_json::to_value(UpdateTaskRequest::default()).unwrap(), json!({}));
    }

    #[test]
    fn a_create_sends_only_what_was_given_and_reads_back_the_same() {
        let create =
            CreateTaskRequest { title: "Buy milk".into(), priority: Some("high".into()), ..Default::default() };
        let sent = serde_json::to_value(&create).unwrap();
        assert_eq!(sent, json!({"title": "Buy milk", "priority": "high"}));
        assert_eq!(serde_json::from_value::<CreateTaskRequest>(sent).unwrap(), create);
        assert!(serde_json::from_value::<CreateTaskRequest>(json!({"title": "x", "colour": "red"})).is_err());
        let completed: Value = serde_json::to_value(SetCompletedRequest { completed: true }).unwrap();
        assert_eq!(completed, json!({"completed": true}));
    }
}
