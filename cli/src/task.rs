//! A task as the API returns it, read for display. `--json` prints the API's
//! own JSON instead, unchanged.

use jiff::Timestamp;
use serde::Deserialize;

#[derive(Debug, Clone, Deserialize)]
pub struct Task {
    pub id: i64,
    pub title: String,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub completed: bool,
    #[serde(default = "no_priority")]
    pub priority: String,
    #[serde(default)]
    pub tags: Vec<String>,
    #[serde(default)]
    pub due_at: Option<Timestamp>,
    #[serde(default)]
    pub all_day: bool,
    #[serde(default = "utc")]
    pub time_zone: String,
    #[serde(default)]
    pub recurrence: Option<String>,
    #[serde(default)]
    pub remind_at: Option<Timestamp>,
    #[serde(default)]
    pub next_occurrence_id: Option<i64>,
    #[serde(default)]
    pub created_at: Option<Timestamp>,
    #[serde(default)]
    pub updated_at: Option<Timestamp>,
}

fn no_priority() -> String {
    "none".to_owned()
}

fn utc() -> String {
    "UTC".to_owned()
}

/// One tag and how many tasks carry it, from `GET /api/{user}/tags`.
#[derive(Debug, Clone, Deserialize)]
pub struct TagCount {
    pub name: String,
    pub count: u64,
}
