//! Titles and descriptions: the rules their text obeys, and the folded form
//! search and sorting use.
//!
//! Text a person typed is shown in browsers and printed to terminals, so it may
//! not carry control characters (a title could recolour or rewrite a terminal)
//! or bidirectional overrides (it could reorder what a person reads).

use caseless::Caseless;
use unicode_normalization::UnicodeNormalization;

pub const TITLE_MAX_CHARS: usize = 200;
pub const DESCRIPTION_MAX_CHARS: usize = 1000;

/// The form both stores search and sort on, computed by the API so SQLite and
/// PostgreSQL agree: compatibility-normalized (NFKC) and fully case-folded, so
/// "café" finds "café" however either is composed and "STRASSE" finds "straße".
pub fn fold(text: &str) -> String {
    text.nfkc().default_case_fold().nfkc().collect()
}

/// Explicit bidirectional embeddings, overrides and isolates (U+202A–U+202E,
/// U+2066–U+2069).
fn is_bidi_control(c: char) -> bool {
    matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}')
}

/// Characters that draw nothing: white space and Unicode's default-ignorable
/// code points (zero-width spaces and joiners, the BOM, variation selectors,
/// Hangul fillers, tag characters, …).
fn is_invisible(c: char) -> bool {
    c.is_whitespace()
        || matches!(
            c,
            '\u{00AD}'
                | '\u{034F}'
                | '\u{061C}'
                | '\u{115F}'..='\u{1160}'
                | '\u{17B4}'..='\u{17B5}'
                | '\u{180B}'..='\u{180F}'
                | '\u{200B}'..='\u{200F}'
                | '\u{202A}'..='\u{202E}'
                | '\u{2060}'..='\u{206F}'
                | '\u{3164}'
                | '\u{FE00}'..='\u{FE0F}'
                | '\u{FEFF}'
                | '\u{FFA0}'
                | '\u{1BCA0}'..='\u{1BCA3}'
                | '\u{1D173}'..='\u{1D17A}'
                | '\u{E0000}'..='\u{E0FFF}'
        )
}

/// The first rule `text` breaks among those titles and descriptions share.
fn check_characters(text: &str, allowed_controls: &[char]) -> Result<(), String> {
    if let Some(c) = text.chars().find(|c| c.is_control() && !allowed_controls.contains(c)) {
        return Err(format!("must not contain control characters (found U+{:04X})", u32::from(c)));
    }
    if let Some(c) = text.chars().find(|&c| is_bidi_control(c)) {
        return Err(format!("must not contain bidirectional overrides (found U+{:04X})", u32::from(c)));
    }
    Ok(())
}

/// One line of a person's text under the title rules (also a list's name's):
/// trimmed, 1–`max` characters, at least one of them visible, no control
/// characters, no bidirectional overrides.
pub(crate) fn parse_line(raw: &str, max: usize) -> Result<String, String> {
    let trimmed = raw.trim();
    let chars = trimmed.chars().count();
    if chars == 0 {
        return Err("must not be empty".into());
    }
    if chars > max {
        return Err(format!("must be at most {max} characters (got {chars})"));
    }
    check_characters(trimmed, &[])?;
    if trimmed.chars().all(is_invisible) {
        return Err("must contain at least one visible character".into());
    }
    Ok(trimmed.to_owned())
}

/// A title that obeys the rules: trimmed, 1–200 characters, at least one of them
/// visible, no control characters, no bidirectional overrides.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub fn parse(raw: &str) -> Result<Self, String> {
        parse_line(raw, TITLE_MAX_CHARS).map(Self)
    }

    /// What an older row's title becomes under today's rules: its control
    /// characters and bidirectional overrides taken out, trimmed, cut to 200
    /// characters; `None` when nothing visible is left.
    pub fn repair(stored: &str) -> Option<Self> {
        let kept: String = stored.chars().filter(|&c| !c.is_control() && !is_bidi_control(c)).collect();
        let cut: String = kept.trim().chars().take(TITLE_MAX_CHARS).collect();
        Self::parse(&cut).ok()
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn folded(&self) -> String {
        fold(&self.0)
    }
}

/// A description that obeys the rules: at most 1000 characters, no control
/// characters but tab and newline, no bidirectional overrides. Kept as sent.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description(String);

/// The control characters a description may hold.
const DESCRIPTION_CONTROLS: [char; 2] = ['\t', '\n'];

impl Description {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let chars = raw.chars().count();
        if chars > DESCRIPTION_MAX_CHARS {
            return Err(format!("must be at most {DESCRIPTION_MAX_CHARS} characters (got {chars})"));
        }
        check_characters(raw, &DESCRIPTION_CONTROLS)?;
        Ok(Self(raw.to_owned()))
    }

    /// What an older row's description becomes under today's rules: other
    /// control characters and bidirectional overrides taken out (a CR before a
    /// newline too), cut to 1000 characters.
    pub fn repair(stored: &str) -> Self {
        let kept =
            stored.chars().filter(|&c| (!c.is_control() || DESCRIPTION_CONTROLS.contains(&c)) && !is_bidi_control(c));
        Self(kept.take(DESCRIPTION_MAX_CHARS).collect())
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
    }

    #[test]
    fn titles_refuse_control_characters_and_bidirectional_overrides() {
        for hostile in [
            "a\0b",
            "\u{1b}[31mred",
            "ring\u{7}",
            "two\nlines",
            "a\rb",
            "tab\there",
            "\u{9b}31m",
            "gpj.\u{202E}exe",
            "a\u{2066}b",
        ] {
            assert!(Title::parse(hostile).is_err(), "{hostile:?}");
        }
        assert!(Title::parse("Zürich → München ✓ 🥛").is_ok());
        assert!(Title::parse("עברית and English").is_ok(), "right-to-left text itself is fine");
    }

    #[test]
    fn a_title_needs_something_visible() {
        for invisible in ["\u{200B}", "\u{FEFF}", "\u{200B}\u{200D}\u{2060}", " \u{3164} ", "\u{E0041}"] {
            assert_eq!(
                Title::parse(invisible).unwrap_err(),
                "must contain at least one visible character",
                "{invisible:?}"
            );
        }
        assert!(Title::parse("\u{200B}x").is_ok());
    }

    #[test]
    fn descriptions_allow_tab_and_newline_only() {
        assert_eq!(Description::parse(" x\n\ty ").unwrap().as_str(), " x\n\ty ");
        assert!(Description::parse(&"x".repeat(1001)).is_err());
        for hostile in ["\0", "a\r\nb", "\u{1b}[2J", "\u{202D}x"] {
            assert!(Description::parse(hostile).is_err(), "{hostile:?}");
        }
    }

    #[test]
    fn older_rows_are_repaired_or_found_empty() {
        assert_eq!(Title::repair("\u{1b}[31mred\u{1b}[0m\r\n").unwrap().as_str(), "[31mred[0m");
        assert_eq!(Title::repair("gpj.\u{202E}exe").unwrap().as_str(), "gpj.exe");
        assert_eq!(Title::repair("\u{200B}\u{7}"), None);
        assert_eq!(Description::repair("a\r\nb\u{7}").as_str(), "a\nb");
    }

    #[test]
    fn folding_ignores_case_and_normalization() {
        assert_eq!(fold("STRASSE"), fold("straße"));
        assert_eq!(fold("Cafe\u{301}"), fold("Caf\u{e9}"));
        assert_eq!(fold("ÉCLAIR"), "éclair");
        assert_eq!(fold("ﬁle"), "file", "compatibility forms fold too");
        assert_eq!(fold("ΣΊΣΥΦΟΣ"), fold("σίσυφος"));
    }
}
