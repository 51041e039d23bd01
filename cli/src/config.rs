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
//!
//! Tokens travel only where they belong: plain `http://` only to this machine
//! (loopback) unless `--allow-http` says so knowingly, and the session's access
//! tokens only to the API it was made for (`todo login --api-url` changes that).

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

/// Refuses plain HTTP to anything but this machine, unless `allow_http`: the
/// session and access tokens would cross the network readable and changeable.
pub fn check_transport(url: &Url, what: &str, allow_http: bool) -> Result<(), CliError> {
    if url.scheme() == "https" || allow_http || is_loopback(url) {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "{what} ({url}) is plain http:// on another machine, where the sign-in could be read on the way. \
         Use https://, or add --allow-http (TODO_ALLOW_HTTP=1) if you mean it."
    )))
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(name)) => {
            let name = name.to_ascii_lowercase();
            name == "localhost" || name.ends_with(".localhost")
        }
        Some(url::Host::Ipv4(ip)) => ip.is_loopback(),
        Some(url::Host::Ipv6(ip)) => ip.is_loopback(),
        None => false,
    }
}

/// Refuses to send the session's access tokens to an API other than the one
/// the session was made for (`saved`): a mistyped or planted `--api-url` /
/// `TODO_API_URL` would get them. `todo login --api-url …` makes a session for another.
pub fn check_api_is_the_sessions(chosen: &Url, saved: &str) -> Result<(), CliError> {
    let saved = parse_base_url(saved, "The saved API address")?;
    if chosen.as_str().trim_end_matches('/') == saved.as_str().trim_end_matches('/') {
        return Ok(());
    }
    Err(CliError::usage(format!(
        "This sign-in was made for the task API at {saved}, not {chosen}; its tokens are not sent elsewhere. \
         Run `todo login --api-url {chosen}` to sign in for that one."
    )))
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
    fn plain_http_only_to_this_machine_unless_allowed() {
        for good in [
            "https://todo.example",
            "http://localhost:3000",
            "http://127.0.0.1:8000",
            "http://[::1]:8000",
            "http://app.localhost",
        ] {
            let url = parse_base_url(good, "--server").unwrap();
            assert!(check_transport(&url, "The web app", false).is_ok(), "{good}");
        }
        for bad in ["http://todo.example", "http://192.168.1.5:8000", "http://localhost.example.com"] {
            let url = parse_base_url(bad, "--server").unwrap();
            assert!(matches!(check_transport(&url, "The web app", false), Err(CliError::Usage(_))), "{bad}");
            assert!(check_transport(&url, "The web app", true).is_ok(), "{bad} with --allow-http");
        }
    }

    #[test]
    fn the_tokens_go_only_to_the_sessions_api() {
        let saved = "http://127.0.0.1:8000/";
        assert!(check_api_is_the_sessions(&parse_base_url("http://127.0.0.1:8000", "x").unwrap(), saved).is_ok());
        let other = parse_base_url("https://evil.example", "x").unwrap();
        let error = check_api_is_the_sessions(&other, saved).unwrap_err();
        assert!(matches!(error, CliError::Usage(_)) && error.to_string().contains("todo login --api-url"), "{error}");
    }

    #[test]
    fn refuses_what_is_not_a_server() {
        for bad in ["localhost:3000", "ftp://example.com", "https://example.com/?x=1", "not a url"] {
            assert!(matches!(parse_base_url(bad, "--server"), Err(CliError::Usage(_))), "{bad}");
        }
    }
}
