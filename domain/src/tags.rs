//! Tags: short labels a person files tasks under.

use crate::text::fold;

pub const TAG_MAX_CHARS: usize = 32;
pub const MAX_TAGS: usize = 20;

/// One tag: trimmed, 1–32 characters, no control characters and no commas (a
/// comma would make tag lists ambiguous wherever they are written as text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    name: String,
    folded: String,
}

impl Tag {
    pub fn parse(raw: &str) -> Result<Self, String> {
        let name = raw.trim();
        let chars = name.chars().count();
        if chars == 0 {
            Err("must not be empty".into())
        } else if chars > TAG_MAX_CHARS {
            Err(format!("must be at most {TAG_MAX_CHARS} characters (got {chars})"))
        } else if name.contains(',') {
            Err("must not contain a comma".into())
        } else if name.chars().any(char::is_control) {
            Err("must not contain control characters".into())
        } else {
            Ok(Self { name: name.to_owned(), folded: fold(name) })
        }
    }

    /// The spelling the person chose.
    pub fn as_str(&self) -> &str {
        &self.name
    }

    /// The form tags are compared, filtered and counted by: case does not matter.
    pub fn folded(&self) -> &str {
        &self.folded
    }
}

/// A task's tags: at most 20 sent, unique ignoring case (a duplicate is dropped,
/// the first spelling kept), sorted ignoring case.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Tags(Vec<Tag>);

/// Why a list of tags was refused: the index of the tag at fault, or `None` for the list.
pub type TagError = (Option<usize>, String);

impl Tags {
    pub fn parse<S: AsRef<str>>(raw: &[S]) -> Result<Self, Vec<TagError>> {
        let mut errors = Vec::new();
        // Counted as sent, duplicates included, so the limit is what a schema can say (maxItems).
        if raw.len() > MAX_TAGS {
            errors.push((None, format!("at most {MAX_TAGS} tags (got {})", raw.len())));
        }
        let mut tags: Vec<Tag> = Vec::with_capacity(raw.len().min(MAX_TAGS));
        for (index, text) in raw.iter().enumerate() {
            match Tag::parse(text.as_ref()) {
                Ok(tag) if tags.iter().any(|t| t.folded == tag.folded) => {}
                Ok(tag) => tags.push(tag),
                Err(message) => errors.push((Some(index), message)),
            }
        }
        if !errors.is_empty() {
            return Err(errors);
        }
        tags.sort_by(|a, b| a.folded.cmp(&b.folded));
        Ok(Self(tags))
    }

    /// Tags as stored, already sorted and unique; trusted, as the API wrote them.
    pub fn from_stored(names: Vec<String>) -> Self {
        let tags = names.into_iter().map(|name| Tag { folded: fold(&name), name }).collect();
        Self(tags)
    }

    pub fn iter(&self) -> impl Iterator<Item = &Tag> {
        self.0.iter()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn names(&self) -> Vec<String> {
        self.0.iter().map(|t| t.name.clone()).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_are_trimmed_deduplicated_ignoring_case_and_sorted() {
        let tags = Tags::parse(&[" zeta ", "Alpha", "beta", "ALPHA", "alpha "]).unwrap();
        assert_eq!(tags.names(), ["Alpha", "beta", "zeta"]);
        assert!(Tags::parse::<&str>(&[]).unwrap().is_empty());
    }

    #[test]
    fn each_broken_tag_is_named_by_its_index() {
        let long = "x".repeat(33);
        let errors = Tags::parse(&["ok", "", "a,b", &long, "tab\there"]).unwrap_err();
        let indexes: Vec<_> = errors.iter().map(|(i, _)| *i).collect();
        assert_eq!(indexes, [Some(1), Some(2), Some(3), Some(4)]);
        assert!(Tag::parse(&"é".repeat(32)).is_ok(), "characters, not bytes");
    }

    #[test]
    fn twenty_tags_are_fine_and_a_twenty_first_is_refused_even_a_duplicate() {
        let twenty: Vec<String> = (0..20).map(|n| format!("t{n}")).collect();
        assert_eq!(Tags::parse(&twenty).unwrap().len(), 20);
        let mut with_duplicate = twenty.clone();
        with_duplicate.push("T0".into());
        assert_eq!(Tags::parse(&with_duplicate).unwrap_err(), vec![(None, "at most 20 tags (got 21)".to_owned())]);
        let mut halves = twenty[..10].to_vec();
        halves.extend(twenty[..10].iter().map(|t| t.to_uppercase()));
        assert_eq!(Tags::parse(&halves).unwrap().len(), 10);
    }
}
