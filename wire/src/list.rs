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
    fn query_values_are_their_serde_names() {
        for status in [StatusFilter::All, StatusFilter::Pending, StatusFilter::Completed] {
            assert_eq!(serde_name(status), status.as_str());
        }
        for sort in [SortKey::CreatedAt, SortKey::UpdatedAt, SortKey::Title, SortKey::DueAt, SortKey::Priority] {
            assert_eq!(serde_name(sort), sort.as_str());
        }
        for order in [SortOrder::Asc, SortOrder::Desc] {
            assert_eq!(serde_name(order), order.as_str());
            assert_ne!(order.reversed(), order);
        }
    }
}
