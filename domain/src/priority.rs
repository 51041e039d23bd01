//! How much a task matters.

use serde::{Deserialize, Serialize};

/// `none` (the default), `low`, `medium`, `high`; sorts high > medium > low > none.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Priority {
    #[default]
    None,
    Low,
    Medium,
    High,
}

impl Priority {
    pub const ALL: [Priority; 4] = [Priority::None, Priority::Low, Priority::Medium, Priority::High];

    /// The number both stores keep and sort on: 0 (none) to 3 (high).
    pub fn rank(self) -> i16 {
        self as i16
    }

    pub fn from_rank(rank: i16) -> Option<Self> {
        Self::ALL.get(usize::try_from(rank).ok()?).copied()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Low => "low",
            Self::Medium => "medium",
            Self::High => "high",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .into_iter()
            .find(|p| p.as_str() == text)
            .ok_or_else(|| "must be one of none, low, medium, high".to_owned())
    }
}

impl TryFrom<i16> for Priority {
    type Error = String;

    fn try_from(rank: i16) -> Result<Self, Self::Error> {
        Self::from_rank(rank).ok_or_else(|| format!("{rank} is not a priority rank (0–3)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_order_high_above_none_and_round_trip() {
        assert!(
            Priority::High > Priority::Medium && Priority::Medium > Priority::Low && Priority::Low > Priority::None
        );
        for p in Priority::ALL {
            assert_eq!(Priority::from_rank(p.rank()), Some(p));
            assert_eq!(Priority::parse(p.as_str()), Ok(p));
            assert_eq!(serde_json::to_value(p).unwrap(), p.as_str());
        }
        assert_eq!(Priority::from_rank(4), None);
        assert_eq!(Priority::from_rank(-1), None);
        assert!(Priority::parse("High").is_err());
    }
}
