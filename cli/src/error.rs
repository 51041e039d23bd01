//! The one error type: each failure is one plain sentence on stderr and an exit code.

/// Exit codes, as `todo --help` and the README document them.
pub const EXIT_ERROR: u8 = 1;
pub const EXIT_USAGE: u8 = 2;
pub const EXIT_SIGNED_OUT: u8 = 3;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// The command line itself is wrong (a date that cannot be read, a bad rule).
    #[error("{0}")]
    Usage(String),
    /// There is no session, or the server no longer accepts it.
    #[error("You are signed out. Run `todo login` to sign in.")]
    SignedOut,
    /// Anything else: the server refused, could not be reached, a file could not be written.
    #[error("{0}")]
    Failed(String),
}

impl CliError {
    pub fn usage(message: impl Into<String>) -> Self {
        Self::Usage(message.into())
    }

    pub fn failed(message: impl Into<String>) -> Self {
        Self::Failed(message.into())
    }

    pub fn exit_code(&self) -> u8 {
        match self {
            Self::Usage(_) => EXIT_USAGE,
            Self::SignedOut => EXIT_SIGNED_OUT,
            Self::Failed(_) => EXIT_ERROR,
        }
    }
}

/// A request that never got an answer, in words: where it went and why not,
/// without the URL's query (it may carry search text) or any header.
pub fn unreachable(what: &str, error: &reqwest::Error) -> CliError {
    let why = if error.is_timeout() {
        "it did not answer in time"
    } else if error.is_connect() {
        "nothing answered there"
    } else {
        "the connection failed"
    };
    let host = error.url().map(|url| format!(" at {}", url.origin().ascii_serialization())).unwrap_or_default();
    CliError::failed(format!("Could not reach {what}{host}: {why}."))
}
