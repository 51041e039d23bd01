//! What the API answers.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use todo_domain::Priority;

/// A task as returned by every endpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Task {
    /// Unique across all users; never reused.
    #[cfg_attr(feature = "openapi", schema(example = 42))]
    pub id: i64,
    /// The owner: the `sub` of the token that created it.
    #[cfg_attr(feature = "openapi", schema(example = "3FrSmPSNxg1FiMlMoJ6kGhUHqhJ4Ln0X"))]
    pub user_id: String,
    #[cfg_attr(feature = "openapi", schema(example = "Buy milk"))]
    pub title: String,
    #[cfg_attr(feature = "openapi", schema(example = json!(null)))]
    pub description: Option<String>,
    pub completed: bool,
    pub priority: Priority,
    /// Sorted ignoring case; unique ignoring case.
    #[cfg_attr(feature = "openapi", schema(example = json!(["errands", "home"])))]
    pub tags: Vec<String>,
    /// RFC 3339, UTC.
    #[cfg_attr(feature = "openapi", schema(example = "2026-12-24T16:00:00Z"))]
    pub due_at: Option<DateTime<Utc>>,
    /// Only the calendar date of `due_at` in `time_zone` counts.
    pub all_day: bool,
    /// The IANA zone recurrence, all-day dates and reminders are computed in.
    #[cfg_attr(feature = "openapi", schema(example = "Europe/Berlin"))]
    pub time_zone: String,
    /// An RRULE (RFC 5545 subset), in canonical form.
    #[cfg_attr(feature = "openapi", schema(example = "FREQ=WEEKLY;BYDAY=MO,TH"))]
    pub recurrence: Option<String>,
    /// RFC 3339, UTC.
    pub remind_at: Option<DateTime<Utc>>,
    /// The occurrence that completing this recurring task created.
    pub next_occurrence_id: Option<i64>,
    /// The list it is in; `null`: the Inbox.
    #[cfg_attr(feature = "openapi", schema(example = 7))]
    pub list_id: Option<i64>,
    /// Its place in its list: an opaque key whose byte order is the person's order.
    #[cfg_attr(feature = "openapi", schema(example = "7f80"))]
    pub position: String,
    /// RFC 3339, UTC.
    pub created_at: DateTime<Utc>,
    /// RFC 3339, UTC; moves on every change.
    pub updated_at: DateTime<Utc>,
}

/// One of a user's tags with the number of their tasks that carry it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TagCount {
    /// One spelling of it (case variants are counted as one tag).
    #[cfg_attr(feature = "openapi", schema(example = "home"))]
    pub name: String,
    /// Tasks with this tag, done or not.
    #[cfg_attr(feature = "openapi", schema(example = 3))]
    pub count: i64,
}
