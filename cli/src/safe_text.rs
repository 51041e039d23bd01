//! Text from the server, made safe for a terminal. Titles and tags are checked
//! by the API today, but older rows may still hold control characters or
//! bidirectional overrides, which could move the cursor, rewrite the screen or
//! reorder what a person reads: they are shown escaped, never sent raw.

/// Whether `c` may not reach the terminal as it is.
pub fn is_unsafe(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{202A}'..='\u{202E}' // embeddings and overrides
            | '\u{2066}'..='\u{2069}' // isolates
            | '\u{200E}' | '\u{200F}' | '\u{061C}' // direction marks
        )
}

fn escape_into(out: &mut String, c: char) {
    match c {
        '\n' => out.push_str("\\n"),
        '\t' => out.push_str("\\t"),
        '\r' => out.push_str("\\r"),
        _ => out.push_str(&format!("\\u{{{:04x}}}", c as u32)),
    }
}

/// One line: every control character (newlines and tabs too) and every
/// bidirectional control escaped, e.g. `\u{202e}`.
pub fn line(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if is_unsafe(c) {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

/// Several lines (a description): newlines and tabs kept, everything else as in [`line`].
pub fn block(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c != '\n' && c != '\t' && is_unsafe(c) {
            escape_into(&mut out, c);
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_what_could_rewrite_or_reorder_the_screen() {
        assert_eq!(line("Pay \u{1b}[2Jrent"), "Pay \\u{001b}[2Jrent");
        assert_eq!(line("invoice\u{202e}fdp.exe"), "invoice\\u{202e}fdp.exe");
        assert_eq!(line("a\u{2066}b\u{2069}"), "a\\u{2066}b\\u{2069}");
        assert_eq!(line("two\nlines\tand\r"), "two\\nlines\\tand\\r");
        assert_eq!(line("\u{9b}31m"), "\\u{009b}31m");
    }

    #[test]
    fn keeps_ordinary_text_of_any_script() {
        for text in ["Buy milk", "Straße", "café ☕", "مرحبا", "שלום", "買い物"] {
            assert_eq!(line(text), text);
        }
    }

    #[test]
    fn a_block_keeps_its_lines() {
        assert_eq!(block("first\n\tsecond\u{7}"), "first\n\tsecond\\u{0007}");
    }
}
