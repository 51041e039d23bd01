//! Where the real binary sends a saved session's tokens (issue 23, item 7): only
//! to the API the session was made for, never over plain HTTP to another machine,
//! and never from a directory others can write to. A listener stands in for an
//! API named by `--api-url`; it must see no connection at all.

use std::io::Read;
use std::net::TcpListener;
use std::os::unix::fs::{DirBuilderExt, OpenOptionsExt, PermissionsExt};
use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

const SECRET_SESSION: &str = "secret-session-token";
const SECRET_ACCESS: &str = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ1MSIsImV4cCI6NDEwMjQ0NDgwMH0.sig";

/// A config home whose `todo/credentials` holds a session for `web`/`api`, with an
/// access token that needs no renewal (so a command goes straight to the API).
fn signed_in(web: &str, api: &str) -> tempfile::TempDir {
    let home = tempfile::tempdir().unwrap();
    let dir = home.path().join("todo");
    std::fs::DirBuilder::new().mode(0o700).create(&dir).unwrap();
    let credentials = serde_json::json!({
        "web_url": web, "api_url": api, "session_token": SECRET_SESSION,
        "access_token": { "token": SECRET_ACCESS, "renew_at": 4_102_444_000i64 },
    });
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(dir.join("credentials")).unwrap();
    std::io::Write::write_all(&mut file, credentials.to_string().as_bytes()).unwrap();
    home
}

fn todo(home: &Path, args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_todo"))
        .args(args)
        .env_clear()
        .env("XDG_CONFIG_HOME", home)
        .env("HOME", home)
        .env("NO_COLOR", "1")
        .output()
        .unwrap()
}

/// A port that records what reaches it; `received()` is every byte sent to it.
struct Listener(TcpListener);

impl Listener {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        listener.set_nonblocking(true).unwrap();
        Self(listener)
    }

    fn url(&self) -> String {
        format!("http://{}", self.0.local_addr().unwrap())
    }

    fn received(&self) -> String {
        let mut all = String::new();
        while let Ok((mut stream, _)) = self.0.accept() {
            stream.set_nonblocking(false).unwrap();
            stream.set_read_timeout(Some(Duration::from_millis(500))).unwrap();
            let mut buffer = [0u8; 8192];
            if let Ok(n) = stream.read(&mut buffer) {
                all.push_str(&String::from_utf8_lossy(&buffer[..n]));
            }
            all.push_str("\n<connection>\n");
        }
        all
    }
}

#[test]
fn the_access_token_goes_to_no_api_but_the_sessions_own() {
    let elsewhere = Listener::start();
    let home = signed_in("http://127.0.0.1:9", "http://127.0.0.1:9");
    for args in [vec!["ls", "--api-url", &elsewhere.url()], vec!["ls"]] {
        let mut command = Command::new(env!("CARGO_BIN_EXE_todo"));
        command.args(&args).env_clear().env("XDG_CONFIG_HOME", home.path()).env("HOME", home.path());
        if args.len() == 1 {
            command.env("TODO_API_URL", elsewhere.url());
        }
        let output = command.output().unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{args:?}: {stderr}");
        assert!(stderr.contains("todo login --api-url"), "{args:?}: {stderr}");
        assert!(!stderr.contains(SECRET_ACCESS) && !stderr.contains(SECRET_SESSION));
    }
    let received = elsewhere.received();
    assert!(received.is_empty(), "the other API was sent: {received}");
}

#[test]
fn plain_http_is_refused_except_to_this_machine_or_when_allowed() {
    let home = signed_in("http://todo.invalid", "http://api.todo.invalid");
    let output = todo(home.path(), &["ls"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("plain http://") && stderr.contains("--allow-http"), "{stderr}");

    // Allowed knowingly, it goes ahead (and fails only because nothing is there).
    let output = todo(home.path(), &["ls", "--allow-http"]);
    assert_eq!(output.status.code(), Some(1), "{}", String::from_utf8_lossy(&output.stderr));

    let output = todo(home.path(), &["login", "--no-browser", "--server", "http://todo.invalid"]);
    assert_eq!(output.status.code(), Some(2), "login too: {}", String::from_utf8_lossy(&output.stderr));
}

#[test]
fn a_config_directory_others_can_write_to_is_refused_before_anything_is_sent() {
    let api = Listener::start();
    let home = signed_in("http://127.0.0.1:9", &api.url());
    std::fs::set_permissions(home.path().join("todo"), std::fs::Permissions::from_mode(0o777)).unwrap();
    let output = todo(home.path(), &["ls"]);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_ne!(output.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("can be written by others"), "{stderr}");
    let received = api.received();
    assert!(received.is_empty(), "the API was sent: {received}");
}
