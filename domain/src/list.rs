//! Lists a person keeps tasks in: the rules of a list's name and its colours.

use serde::{Deserialize, Serialize};

use crate::text::{fold, parse_line};

pub const LIST_NAME_MAX_CHARS: usize = 60;

/// At most this many lists per person.
pub const MAX_LISTS_PER_USER: u64 = 200;

/// The name of the list every task without one is in; no list may take it.
pub const INBOX: &str = "Inbox";

/// A list's name under the title rules, 1–60 characters, and not "Inbox" in any case.
/// Two names are the same name when their folded forms ([`fold`]) are equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListName(String);

impl ListName {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = parse_line(raw, LIST_NAME_MAX_CHARS)?;
        if fold(&name) == fold(INBOX) {
            return Err(format!("\"{INBOX}\" is the name of the list of tasks in no list; choose another name"));
        }
        Ok(Self(name))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The form uniqueness is decided on: case and Unicode normalization ignored.
    pub fn folded(&self) -> String {
        fold(&self.0)
    }
}

/// A list's colour; `none` by default.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "lowercase")]
pub enum Color {
    #[default]
    None,
    Red,
    Orange,
    Yellow,
    Green,
    Teal,
    Blue,
    Purple,
    Pink,
    Grey,
}

impl Color {
    pub const ALL: [Color; 10] = [
        Color::None,
        Color::Red,
        Color::Orange,
        Color::Yellow,
        Color::Green,
        Color::Teal,
        Color::Blue,
        Color::Purple,
        Color::Pink,
        Color::Grey,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::None => "none",
            Self::Red => "red",
            Self::Orange => "orange",
            Self::Yellow => "yellow",
            Self::Green => "green",
            Self::Teal => "teal",
            Self::Blue => "blue",
            Self::Purple => "purple",
            Self::Pink => "pink",
            Self::Grey => "grey",
        }
    }

    pub fn parse(text: &str) -> Result<Self, String> {
        Self::ALL.into_iter().find(|c| c.as_str() == text).ok_or_else(|| {
            let names: Vec<&str> = Self::ALL.iter().map(|c| c.as_str()).collect();
            format!("must be one of {}", names.join(", "))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_follows_the_title_rules_within_sixty_characters() {
        assert_eq!(ListName::parse("  Work ").unwrap().as_str(), "Work");
        assert!(ListName::parse(&"é".repeat(60)).is_ok());
        assert!(ListName::parse(&"é".repeat(61)).is_err());
        assert!(ListName::parse(" ").is_err());
        assert!(ListName::parse("\u{200B}").is_err());
        assert!(ListName::parse("a\u{202E}b").is_err());
        assert!(ListName::parse("a\nb").is_err());
    }

    #[test]
    fn inbox_is_reserved_in_any_case_or_form() {
        for reserved in ["Inbox", "INBOX", "inbox", " iNbOx "] {
            assert!(ListName::parse(reserved).unwrap_err().contains("Inbox"), "{reserved}");
        }
        assert!(ListName::parse("Inbox 2").is_ok());
    }

    #[test]
    fn names_fold_like_tags() {
        assert_eq!(ListName::parse("STRASSE").unwrap().folded(), ListName::parse("straße").unwrap().folded());
    }

    #[test]
    fn colours_are_their_serde_names() {
        for color in Color::ALL {
            assert_eq!(Color::parse(color.as_str()).unwrap(), color);
        }
        assert!(Color::parse("magenta").unwrap_err().contains("grey"));
    }
}
