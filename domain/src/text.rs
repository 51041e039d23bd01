//! Titles and descriptions, and the folded form search and sorting use.

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 1000;

/// The case-folded form both stores search and sort on: Unicode-aware and the
/// same for SQLite and PostgreSQL, since the API computes it.
pub fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// A title that obeys the rules: trimmed, 1–200 characters, no NUL.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

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
}
