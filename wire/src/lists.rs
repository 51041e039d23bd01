//! Lists: what the API answers and the bodies it takes (SPEC "Lists").

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use todo_domain::Color;

use crate::request::{non_null, present};

/// One of a person's lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct List {
    #[cfg_attr(feature = "openapi", schema(example = 7))]
    pub id: i64,
    #[cfg_attr(feature = "openapi", schema(example = "Work"))]
    pub name: String,
    pub color: Color,
    /// Its place among the person's lists: an opaque key whose byte order is their order.
    #[cfg_attr(feature = "openapi", schema(example = "8080"))]
    pub position: String,
    /// How many of its tasks are open.
    #[cfg_attr(feature = "openapi", schema(example = 3))]
    pub open_count: i64,
    /// RFC 3339, UTC.
    pub created_at: DateTime<Utc>,
    /// RFC 3339, UTC; moves on every change.
    pub updated_at: DateTime<Utc>,
}

/// Answer of `GET /api/{user_id}/lists`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Lists {
    /// Open tasks in no list.
    #[cfg_attr(feature = "openapi", schema(example = 4))]
    pub inbox_open_count: i64,
    /// In the person's order.
    pub lists: Vec<List>,
}

/// Body of `POST /api/{user_id}/lists`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct CreateListRequest {
    /// Trimmed; 1–60 characters; unique among your lists ignoring case; not "Inbox".
    #[cfg_attr(feature = "openapi", schema(example = "Work", min_length = 1, max_length = 60))]
    pub name: String,
    /// Defaults to `none`.
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Color>, nullable = false))]
    pub color: Option<String>,
}

/// Body of `PATCH /api/{user_id}/lists/{id}`: either field, at least one.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct UpdateListRequest {
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(nullable = false, min_length = 1, max_length = 60))]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "non_null", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<Color>, nullable = false))]
    pub color: Option<String>,
}

/// Body of `POST /api/{user_id}/lists/{id}/move`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoveListRequest {
    /// The list to put it right after; `null` (or left out): first.
    #[serde(default)]
    pub after: Option<i64>,
}

/// Body of `POST /api/{user_id}/tasks/{id}/move`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct MoveTaskRequest {
    /// The list to move it to (`null`: the Inbox); left out, it stays in its list.
    #[serde(default, deserialize_with = "present", skip_serializing_if = "Option::is_none")]
    #[cfg_attr(feature = "openapi", schema(value_type = Option<i64>))]
    pub list_id: Option<Option<i64>>,
    /// The task (in that list) to put it right after; `null` (or left out): first.
    #[serde(default)]
    pub after: Option<i64>,
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn a_move_tells_the_inbox_from_staying_put() {
        let to_inbox: MoveTaskRequest = serde_json::from_value(json!({"list_id": null, "after": 3})).unwrap();
        assert_eq!(to_inbox, MoveTaskRequest { list_id: Some(None), after: Some(3) });
        let stay: MoveTaskRequest = serde_json::from_value(json!({"after": null})).unwrap();
        assert_eq!(stay, MoveTaskRequest { list_id: None, after: None });
        assert_eq!(serde_json::to_value(&to_inbox).unwrap(), json!({"list_id": null, "after": 3}));
        assert!(serde_json::from_value::<MoveTaskRequest>(json!({"before": 1})).is_err());
    }
}
