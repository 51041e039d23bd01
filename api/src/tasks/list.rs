//! The list endpoint's query: filters, sort, and keyset pagination cursors.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::{DateTime, Datelike, Utc};
use serde::{Deserialize, Serialize};
use utoipa::IntoParams;

use todo_domain::view::Window;
use todo_domain::{Priority, Tag, Tags, View, Zone};

use super::instant::parse_instant;
use crate::error::FieldError;

// The query's values are todo-wire's, shared with the command line.
pub use todo_wire::{ListFilter, SortKey, SortOrder, StatusFilter};

pub const DEFAULT_LIMIT: u32 = 100;
/// The answer to a `list=` (or a task's `list_id`) that names none of the person's
/// lists: the same words whether it is someone else's or no list at all.
pub const NOT_A_LIST: &str = "is not one of your lists";
pub const MAX_LIMIT: u32 = 200;
const MAX_QUERY_CHARS: usize = 200;

/// Query string of `GET /api/{user_id}/tasks`, as sent.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Which tasks to list.
    #[serde(default)]
    #[param(inline, value_type = Option<StatusFilter>)]
    pub status: Given<StatusFilter>,
    /// Case-insensitive text to find in the title or the description.
    #[param(max_length = 200)]
    pub q: Option<String>,
    /// Sort key; ties are broken by id.
    #[serde(default)]
    #[param(inline, value_type = Option<SortKey>)]
    pub sort: Given<SortKey>,
    /// Sort direction.
    #[serde(default)]
    #[param(inline, value_type = Option<SortOrder>)]
    pub order: Given<SortOrder>,
    /// Page size.
    #[serde(default)]
    #[param(value_type = Option<u32>, minimum = 1, maximum = 200)]
    pub limit: Given<u32>,
    /// Opaque: copy it from the `Link: rel="next"` header of the previous page.
    pub cursor: Option<String>,
    /// Any of these priorities (repeat the parameter).
    #[serde(default)]
    #[param(inline)]
    pub priority: Vec<Priority>,
    /// All of these tags, ignoring case (repeat the parameter).
    #[serde(default)]
    #[param(max_length = 32)]
    pub tag: Vec<String>,
    /// Only tasks due before this instant (RFC 3339, exclusive; empty: no bound).
    pub due_before: Option<String>,
    /// Only tasks due at or after this instant (RFC 3339, inclusive; empty: no bound).
    pub due_after: Option<String>,
    /// Only tasks with (`true`) or without (`false`) a due date.
    #[serde(default)]
    #[param(value_type = Option<bool>)]
    pub has_due: Given<bool>,
    /// Only the tasks of a view, in the calendar of `tz`, at the time of the request:
    /// `today` (due within the local day), `upcoming` (due from tomorrow on), `overdue`
    /// (open tasks due before now), `no_date`. An all-day task counts by its date in
    /// its own `time_zone`.
    #[serde(default)]
    #[param(inline, value_type = Option<View>)]
    pub view: Given<View>,
    /// The person's IANA time zone for `view` (default `UTC`).
    #[param(max_length = 64, example = "Europe/Berlin")]
    pub tz: Option<String>,
    /// Only the tasks of one of your lists (its id), or `inbox`: those in no list.
    #[param(example = "inbox")]
    pub list: Option<String>,
}

/// A query parameter that, when sent, must hold a value of its type: `sort=`
/// with nothing after it is a 422 like any other bad value, not the same as
/// leaving the parameter out (which an `Option` would make it).
#[derive(Debug)]
pub struct Given<T>(pub Option<T>);

impl<T> Default for Given<T> {
    fn default() -> Self {
        Self(None)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Given<T> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(|value| Self(Some(value)))
    }
}

/// A validated list query.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListQuery {
    pub status: StatusFilter,
    pub q: Option<String>,
    pub sort: SortKey,
    pub order: SortOrder,
    pub limit: u32,
    pub after: Option<Cursor>,
    /// Any of these; empty means every priority.
    pub priorities: Vec<Priority>,
    /// All of these.
    pub tags: Vec<Tag>,
    pub due_before: Option<DateTime<Utc>>,
    pub due_after: Option<DateTime<Utc>>,
    pub has_due: Option<bool>,
    /// The view asked for, with its window computed at the time of the request.
    pub view: Option<ViewQuery>,
    /// One list's tasks (or the Inbox's); whether the list is the person's is the store's to say.
    pub list: Option<ListFilter>,
}

/// A view in the person's calendar.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ViewQuery {
    pub view: View,
    pub zone: Zone,
    pub window: Window,
}

/// Where the previous page ended: the last row's sort key and id, for the sort
/// and order it was made for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor {
    pub sort: SortKey,
    pub order: SortOrder,
    pub key: CursorKey,
    pub id: i64,
}

/// A sort key value, typed by the sort it belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CursorKey {
    Time(DateTime<Utc>),
    /// The folded title (see [`todo_domain::fold`]).
    Text(String),
    /// A priority's rank.
    Rank(i16),
    /// A due date, or none (which sorts last).
    Due(Option<DateTime<Utc>>),
    /// The last task's position when the page was read. The next page starts
    /// after that task where it is now (so a rebalance of the list between two
    /// pages loses nothing); this key only when it left the list.
    Position(String),
}

/// The cursor as it travels: base64url of this JSON.
#[derive(Serialize, Deserialize)]
struct CursorWire {
    s: SortKey,
    o: SortOrder,
    v: String,
    i: i64,
}

/// A row pages are made of, as far as its cursor goes. The store's rows implement
/// it, so that the query (this module) and the store do not depend on each other.
pub trait PageRow {
    fn id(&self) -> i64;
    /// The row's value of the sort key `sort`.
    fn sort_key(&self, sort: SortKey) -> CursorKey;
}

impl Cursor {
    fn after(row: &impl PageRow, sort: SortKey, order: SortOrder) -> Self {
        Self { sort, order, key: row.sort_key(sort), id: row.id() }
    }

    pub fn encode(&self) -> String {
        let v = match &self.key {
            CursorKey::Time(time) | CursorKey::Due(Some(time)) => time.to_rfc3339(),
            CursorKey::Text(text) | CursorKey::Position(text) => text.clone(),
            CursorKey::Rank(rank) => rank.to_string(),
            CursorKey::Due(None) => String::new(),
        };
        let wire = CursorWire { s: self.sort, o: self.order, v, i: self.id };
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&wire).expect("a cursor always serializes"))
    }

    fn decode(raw: &str) -> Option<Self> {
        let bytes = URL_SAFE_NO_PAD.decode(raw).ok()?;
        let wire: CursorWire = serde_json::from_slice(&bytes).ok()?;
        if wire.v.contains('\0') {
            return None;
        }
        let key = match wire.s {
            SortKey::Title => CursorKey::Text(wire.v),
            SortKey::CreatedAt | SortKey::UpdatedAt => {
                let time = DateTime::parse_from_rfc3339(&wire.v).ok()?.with_timezone(&Utc);
                // SQLite compares these times as text, which holds for four-digit years only.
                if !(1970..=9999).contains(&time.year()) {
                    return None;
                }
                CursorKey::Time(time)
            }
            SortKey::Priority => CursorKey::Rank(Priority::from_rank(wire.v.parse().ok()?)?.rank()),
            SortKey::DueAt if wire.v.is_empty() => CursorKey::Due(None),
            SortKey::DueAt => CursorKey::Due(Some(parse_instant(&wire.v).ok()?)),
            SortKey::Position => CursorKey::Position(wire.v),
        };
        Some(Self { sort: wire.s, order: wire.o, key, id: wire.i })
    }
}

impl ListQuery {
    /// The query a client sent, checked; a view's window is computed at `now`.
    pub fn parse(params: ListParams, now: todo_domain::jiff::Timestamp) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let sort = params.sort.0.unwrap_or_default();
        // A person's own order reads top down; the other sorts show the newest first.
        let order = params.order.0.unwrap_or(if sort == SortKey::Position { SortOrder::Asc } else { SortOrder::Desc });
        let list = match params.list.as_deref() {
            None | Some("") => None,
            Some(raw) => {
                let list = ListFilter::parse(raw);
                if list.is_none() {
                    errors.push(FieldError::new("list", NOT_A_LIST));
                }
                list
            }
        };
        if sort == SortKey::Position && list.is_none() && params.list.as_deref().is_none_or(str::is_empty) {
            errors.push(FieldError::new("sort", "`position` orders one list's tasks: send `list=` too"));
        }
        let limit = params.limit.0.unwrap_or(DEFAULT_LIMIT);
        if !(1..=MAX_LIMIT).contains(&limit) {
            errors.push(FieldError::new("limit", format!("must be between 1 and {MAX_LIMIT}")));
        }
        let q = params.q.filter(|q| !q.is_empty());
        if let Some(q) = &q {
            if q.chars().count() > MAX_QUERY_CHARS {
                errors.push(FieldError::new("q", format!("must be at most {MAX_QUERY_CHARS} characters")));
            } else if q.contains('\0') {
                errors.push(FieldError::new("q", "must not contain NUL characters"));
            }
        }
        let after = match params.cursor.as_deref() {
            None | Some("") => None,
            Some(raw) => match Cursor::decode(raw) {
                Some(cursor) if cursor.sort == sort && cursor.order == order => Some(cursor),
                Some(_) => {
                    errors.push(FieldError::new("cursor", "was made for another sort or order"));
                    None
                }
                None => {
                    errors.push(FieldError::new("cursor", "is not a cursor this API issued"));
                    None
                }
            },
        };
        let mut instant = |field: &str, value: Option<String>| {
            value.and_then(|v| parse_instant(&v).map_err(|message| errors.push(FieldError::new(field, message))).ok())
        };
        let due_before = instant("due_before", params.due_before);
        let due_after = instant("due_after", params.due_after);
        // The rules of a task's tags: a filter for more than a task can carry
        // could match nothing; the same tag twice is one.
        let tags: Vec<Tag> = Tags::parse(&params.tag).map_or_else(
            |problems| {
                errors.extend(problems.into_iter().map(|(_, message)| FieldError::new("tag", message)));
                Vec::new()
            },
            |tags| tags.iter().cloned().collect(),
        );
        let mut priorities = params.priority;
        priorities.sort();
        priorities.dedup();
        if priorities.len() == Priority::ALL.len() {
            priorities.clear();
        }
        let zone = match params.tz.as_deref() {
            None | Some("") => Some(Zone::utc()),
            Some(name) => Zone::parse(name).map_err(|message| errors.push(FieldError::new("tz", message))).ok(),
        };
        let view =
            params.view.0.zip(zone).map(|(view, zone)| ViewQuery { view, window: view.window(now, zone.tz()), zone });
        if errors.is_empty() {
            Ok(Self {
                status: params.status.0.unwrap_or_default(),
                q,
                sort,
                order,
                limit,
                after,
                priorities,
                tags,
                due_before,
                due_after,
                has_due: params.has_due.0,
                view,
                list,
            })
        } else {
            Err(errors)
        }
    }
}

impl ListQuery {
    /// Trims the look-ahead row and, when it existed, returns the next page's query string.
    pub fn paginate(&self, rows: &mut Vec<impl PageRow>) -> Option<String> {
        if rows.len() <= self.limit as usize {
            return None;
        }
        rows.truncate(self.limit as usize);
        let last = rows.last()?;
        let cursor = Cursor::after(last, self.sort, self.order);
        let mut query = form_urlencoded::Serializer::new(String::new());
        query.append_pair("status", self.status.as_str());
        if let Some(q) = &self.q {
            query.append_pair("q", q);
        }
        for priority in &self.priorities {
            query.append_pair("priority", priority.as_str());
        }
        for tag in &self.tags {
            query.append_pair("tag", tag.as_str());
        }
        if let Some(due_before) = self.due_before {
            query.append_pair("due_before", &due_before.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
        }
        if let Some(due_after) = self.due_after {
            query.append_pair("due_after", &due_after.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true));
        }
        if let Some(has_due) = self.has_due {
            query.append_pair("has_due", if has_due { "true" } else { "false" });
        }
        if let Some(view) = &self.view {
            query.append_pair("view", view.view.as_str()).append_pair("tz", view.zone.name());
        }
        if let Some(list) = self.list {
            query.append_pair("list", &list.to_string());
        }
        query
            .append_pair("sort", self.sort.as_str())
            .append_pair("order", self.order.as_str())
            .append_pair("limit", &self.limit.to_string())
            .append_pair("cursor", &cursor.encode());
        Some(query.finish())
    }
}
