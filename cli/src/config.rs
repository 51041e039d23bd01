//! Where `todo` keeps its files and which servers it talks to.
//!
//! - `$XDG_CONFIG_HOME/todo/config.toml` (else `~/.config/todo/`): optional,
//!   written by the person: `web_url = "https://todo.example"` and
//!   `api_url = "https://api.todo.example"`.
//! - `$XDG_CONFIG_HOME/todo/credentials`: written by `todo login`, mode 0600;
//!   it also records the two URLs the session belongs to.
//!
//! A command uses, first to last: `--server`/`--api-url` (or `TODO_SERVER`,
//! `TODO_API_URL`), the URLs the current session was made for, the config
//! file, the defaults of `make dev` (`http://localhost:3000`, `http://127.0.0.1:8000`).
//! The API's address is not asked of the web app: the two may be deployed
//! apart, and the config file says where each one is.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use url::Url;

use crate::error::CliError;

pub const DEFAULT_WEB_URL: &str = "http://localhost:3000";
pub const DEFAULT_API_URL: &str = "http://127.0.0.1:8000";

/// `$XDG_CONFIG_HOME/todo`, or `$HOME/.config/todo` when that is unset or not absolute
/// (as the XDG Base Directory specification says).
pub fn config_dir() -> Result<PathBuf, CliError> {
    if let Some(dir) = std::env::var_os("XDG_CONFIG_HOME").map(PathBuf::from).filter(|dir| dir.is_absolute()) {
        return Ok(dir.join("todo"));
    }
    match std::env::var_os("HOME").map(PathBuf::from).filter(|home| home.is_absolute()) {
        Some(home) => Ok(home.join(".config").join("todo")),
        None => Err(CliError::failed("Cannot tell where to keep the sign-in: set HOME or XDG_CONFIG_HOME.")),
    }
}

/// The config file's settings, both optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub web_url: Option<String>,
    pub api_url: Option<String>,
}

impl ConfigFile {
    pub fn load(dir: &Path) -> Result<Self, CliError> {
        let path = dir.join("config.toml");
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(error) => return Err(CliError::failed(format!("Cannot read {}: {error}.", path.display()))),
        };
        toml::from_str(&text).map_err(|error| {
            CliError::usage(format!("{} is not valid: {}", path.display(), error.message().trim_end_matches('.')))
        })
    }
}

/// A server's base URL as given by a person: absolute http(s), no trailing slash kept.
pub fn parse_base_url(text: &str, what: &str) -> Result<Url, CliError> {
    let url = Url::parse(text.trim()).map_err(|_| {
        CliError::usage(format!("{what} must be an absolute URL such as https://todo.example; got {text:?}."))
    })?;
    if !matches!(url.scheme(), "http" | "https") || url.host().is_none() {
        return Err(CliError::usage(format!("{what} must start with https:// or http://; got {text:?}.")));
    }
    if url.query().is_some() || url.fragment().is_some() {
        return Err(CliError::usage(format!("{what} must not have a query or fragment; got {text:?}.")));
    }
    Ok(url)
}

/// `base` + `path`, keeping any path prefix the base has (`https://host/todo` → `https://host/todo/api/...`).
pub fn join(base: &Url, path: &str) -> Url {
    let mut url = base.clone();
    let prefix = base.path().trim_end_matches('/');
    url.set_path(&format!("{prefix}{path}"));
    url
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn joins_under_a_path_prefix() {
        let base = parse_base_url("https://example.com/todo/", "--server").unwrap();
        assert_eq!(join(&base, "/api/auth/token").as_str(), "https://example.com/todo/api/auth/token");
        let bare = parse_base_url("http://localhost:3000", "--server").unwrap();
        assert_eq!(join(&bare, "/device").as_str(), "http://localhost:3000/device");
    }

    #[test]
    fn refuses_what_is_not_a_server() {
        for bad in ["localhost:3000", "ftp://example.com", "https://example.com/?x=1", "not a url"] {
            assert!(matches!(parse_base_url(bad, "--server"), Err(CliError::Usage(_))), "{bad}");
        }
    }
}
