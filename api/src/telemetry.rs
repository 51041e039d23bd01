//! Logging, set up in one place.

use std::borrow::Cow;

use tracing_subscriber::EnvFilter;

/// How log lines are written (`LOG_FORMAT`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum LogFormat {
    /// One line of text each, for people.
    #[default]
    Text,
    /// One JSON object each, for log shippers; the request's fields (its id, method,
    /// path, and a refusal's reason) are in every line logged within it.
    Json,
}

/// Logs to stderr; `RUST_LOG` overrides the default level.
pub fn init(format: LogFormat) {
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn"));
    let builder = tracing_subscriber::fmt().with_env_filter(filter).with_target(false).with_writer(std::io::stderr);
    match format {
        LogFormat::Text => builder.init(),
        LogFormat::Json => builder.json().with_current_span(true).with_span_list(false).init(),
    }
}

/// The most bytes of one client-chosen value (a path, a method) that a log line carries.
pub const MAX_LOGGED_BYTES: usize = 256;

/// A client-chosen value as a log line may carry it: whole when it is at most
/// [`MAX_LOGGED_BYTES`], otherwise its start (cut on a character boundary) and a
/// marker with the whole length. A client cannot make one request's log line long
/// (SPEC, Limits), so a stream of requests cannot flood the log.
pub fn loggable(value: &str) -> Cow<'_, str> {
    if value.len() <= MAX_LOGGED_BYTES {
        return Cow::Borrowed(value);
    }
    let mut end = MAX_LOGGED_BYTES;
    while !value.is_char_boundary(end) {
        end -= 1;
    }
    Cow::Owned(format!("{}…[cut: {} bytes]", &value[..end], value.len()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_values_are_logged_whole() {
        assert_eq!(loggable("/api/alice/tasks"), "/api/alice/tasks");
        let exact = "a".repeat(MAX_LOGGED_BYTES);
        assert!(matches!(loggable(&exact), Cow::Borrowed(_)));
    }

    #[test]
    fn long_values_are_cut_on_a_character_boundary_with_a_marker() {
        let long = format!("/{}", "é".repeat(30_000));
        let cut = loggable(&long);
        assert!(cut.len() < MAX_LOGGED_BYTES + 40, "{} bytes", cut.len());
        assert!(cut.ends_with("…[cut: 60001 bytes]"), "{cut}");
        assert!(cut.starts_with("/éé"));
    }
}
