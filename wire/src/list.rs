//! The values of the list query (`GET /api/{user_id}/tasks`) that both sides name.
//! The query itself, and how it is parsed, is the API's (`ListParams`). The
//! enums' own comments are not doc comments: the API's document inlines these
//! schemas under each parameter, which has its own description.

use serde::{Deserialize, Serialize};

// `status=`: which tasks to list.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum StatusFilter {
    #[default]
    All,
    Pending,
    Completed,
}

// `sort=`: the sort key; ties are broken by id.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SortKey {
    #[default]
    CreatedAt,
    UpdatedAt,
    Title,
    /// Tasks without a due date come last in either order.
    DueAt,
    /// High, medium, low, none (descending).
    Priority,
    /// The person's own order of one list's tasks (needs `list=`); ascending
    /// unless `order=desc`.
    Position,
}

// `order=`: the sort direction.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum SortOrder {
    Asc,
    #[default]
    Desc,
}

/// `list=`: the tasks of one list, or of the Inbox (tasks in no list).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ListFilter {
    Inbox,
    List(i64),
}

impl ListFilter {
    /// `inbox` or a list's id in canonical decimal.
    pub fn parse(text: &str) -> Option<Self> {
        if text == "inbox" {
            return Some(Self::Inbox);
        }
        let id: i64 = text.parse().ok()?;
        (id > 0 && id.to_string() == text).then_some(Self::List(id))
    }

    /// The list's id, `None` for the Inbox.
    pub fn list_id(self) -> Option<i64> {
        match self {
            Self::Inbox => None,
            Self::List(id) => Some(id),
        }
    }
}

impl std::fmt::Display for ListFilter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Inbox => f.write_str("inbox"),
            Self::List(id) => write!(f, "{id}"),
        }
    }
}

impl StatusFilter {
    /// The value as the query string carries it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::All => "all",
            Self::Pending => "pending",
            Self::Completed => "completed",
        }
    }
}

impl SortKey {
    /// The value as the query string carries it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::CreatedAt => "created_at",
            Self::UpdatedAt => "updated_at",
            Self::Title => "title",
            Self::DueAt => "due_at",
            Self::Priority => "priority",
            Self::Position => "position",
        }
    }
}

impl SortOrder {
    /// The value as the query string carries it.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Asc => "asc",
            Self::Desc => "desc",
        }
    }

    pub fn reversed(self) -> Self {
        match self {
            Self::Asc => Self::Desc,
            Self::Desc => Self::Asc,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn serde_name(value: impl Serialize) -> String {
        serde_json::to_value(value).unwrap().as_str().unwrap().to_owned()
    }

    /// `as_str` is what serde writes, so a query string and a cursor name a value alike.
    #[test]
    fn a_list_filter_is_inbox_or_a_canonical_id() {
        assert_eq!(ListFilter::parse("inbox"), Some(ListFilter::Inbox));
        assert_eq!(ListFilter::parse("7"), Some(ListFilter::List(7)));
        for bad in ["Inbox", "07", "+7", "0", "-1", "", "x"] {
            assert_eq!(ListFilter::parse(bad), None, "{bad}");
        }
        assert_eq!(ListFilter::List(7).to_string(), "7");
    }

    #[test]
    fn query_values_are_their_serde_names() {
        for status in [StatusFilter::All, StatusFilter::Pending, StatusFilter::Completed] {
            assert_eq!(serde_name(status), status.as_str());
        }
        for sort in [
            SortKey::CreatedAt,
            SortKey::UpdatedAt,
            SortKey::Title,
            SortKey::DueAt,
            SortKey::Priority,
            SortKey::Position,
        ] {
            assert_eq!(serde_name(sort), sort.as_str());
        }
        for order in [SortOrder::Asc, SortOrder::Desc] {
            assert_eq!(serde_name(order), order.as_str());
            assert_ne!(order.reversed(), order);
        }
    }
}
