//! The session `todo login` got, kept in a file only its owner can read.
//!
//! The file holds the Better Auth session token (a bearer credential good for
//! the session's lifetime, 7 days by default) and the last access token (a JWT
//! good for minutes), so each command need not fetch one. It is created with
//! mode 0600 in a 0700 directory, replaced atomically, and refused when anyone
//! but its owner can read or write it, as ssh refuses a private key. The
//! directory is refused too when it belongs to someone else or others can write
//! to it (they could swap the file), and the file is opened once, without
//! following a link, and checked as opened (no gap between check and read).

use std::fs;
use std::io::{Read, Write};
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::CliError;

#[derive(Clone, Serialize, Deserialize)]
pub struct Credentials {
    /// The web app the session was made on (Better Auth's base URL).
    pub web_url: String,
    /// The task API that accepts this web app's tokens.
    pub api_url: String,
    /// Better Auth's session token, sent as `Authorization: Bearer` to `/api/auth/*`.
    pub session_token: String,
    /// The last access token and when to stop using it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access_token: Option<CachedToken>,
}

#[derive(Clone, Serialize, Deserialize)]
pub struct CachedToken {
    pub token: String,
    /// Seconds since the epoch, shortly before the token's `exp`.
    pub renew_at: i64,
}

// Never printed: Debug says which server, not the secrets.
impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Credentials")
            .field("web_url", &self.web_url)
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

pub fn path(dir: &Path) -> PathBuf {
    dir.join("credentials")
}

/// The saved session, `None` when there is none.
pub fn load(dir: &Path) -> Result<Option<Credentials>, CliError> {
    let path = path(dir);
    let cannot_read = |error: std::io::Error| CliError::failed(format!("Cannot read {}: {error}.", path.display()));
    match fs::metadata(dir) {
        Ok(metadata) => check_dir(dir, &metadata)?,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) => return Err(cannot_read(error)),
    }
    // Opened once: a link is not followed (ELOOP), a FIFO does not block, and what
    // is checked below is the file that was opened, not whatever the path names later.
    let opened = fs::OpenOptions::new().read(true).custom_flags(libc::O_NOFOLLOW | libc::O_NONBLOCK).open(&path);
    let mut file = match opened {
        Ok(file) => file,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(error) if error.raw_os_error() == Some(libc::ELOOP) => {
            return Err(CliError::failed(format!("{} is not a plain file; refusing to use it.", path.display())))
        }
        Err(error) => return Err(cannot_read(error)),
    };
    check_private(&path, &file.metadata().map_err(cannot_read)?)?;
    let mut text = String::new();
    file.read_to_string(&mut text).map_err(cannot_read)?;
    match serde_json::from_str(&text) {
        Ok(credentials) => Ok(Some(credentials)),
        Err(_) => {
            Err(CliError::failed(format!("{} is damaged. Run `todo logout`, then `todo login` again.", path.display())))
        }
    }
}

/// Refuses what another user owns.
fn check_owner(path: &Path, metadata: &fs::Metadata) -> Result<(), CliError> {
    // SAFETY: geteuid has no preconditions and cannot fail.
    let me = unsafe { libc::geteuid() };
    if metadata.uid() != me {
        return Err(CliError::failed(format!("{} belongs to another user; refusing to use it.", path.display())));
    }
    Ok(())
}

/// Refuses a directory of someone else's, or one that group or others can write
/// to (whoever can write there can replace the file between two commands).
fn check_dir(dir: &Path, metadata: &fs::Metadata) -> Result<(), CliError> {
    if !metadata.is_dir() {
        return Err(CliError::failed(format!("{} is not a directory; refusing to use it.", dir.display())));
    }
    check_owner(dir, metadata)?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o022 != 0 {
        return Err(CliError::failed(format!(
            "{} can be written by others (mode {mode:o}); refusing to use it. Run `chmod 700 {}`.",
            dir.display(),
            dir.display()
        )));
    }
    Ok(())
}

/// Refuses a file that is not a plain file of ours that only we can read and write.
fn check_private(path: &Path, metadata: &fs::Metadata) -> Result<(), CliError> {
    if !metadata.file_type().is_file() {
        return Err(CliError::failed(format!("{} is not a plain file; refusing to use it.", path.display())));
    }
    check_owner(path, metadata)?;
    let mode = metadata.permissions().mode() & 0o777;
    if mode & 0o077 != 0 {
        return Err(CliError::failed(format!(
            "{} can be read by others (mode {mode:o}); refusing to use it. Run `chmod 600 {}` or sign in again.",
            path.display(),
            path.display()
        )));
    }
    Ok(())
}

/// Writes the credentials: a new file with mode 0600 beside the old one, then
/// renamed over it, so a reader never sees half a file or a wider mode.
pub fn save(dir: &Path, credentials: &Credentials) -> Result<(), CliError> {
    let cannot =
        |error: std::io::Error| CliError::failed(format!("Cannot save the sign-in in {}: {error}.", dir.display()));
    fs::DirBuilder::new().recursive(true).mode(0o700).create(dir).map_err(cannot)?;
    check_dir(dir, &fs::metadata(dir).map_err(cannot)?)?;
    let final_path = path(dir);
    let temp_path = dir.join(format!(".credentials.{}.tmp", std::process::id()));
    let _ = fs::remove_file(&temp_path);
    let mut file = fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(&temp_path).map_err(cannot)?;
    let text = serde_json::to_string_pretty(credentials).expect("credentials serialize");
    let written = file.write_all(text.as_bytes()).and_then(|()| file.sync_all());
    if let Err(error) = written.and_then(|()| fs::rename(&temp_path, &final_path)) {
        let _ = fs::remove_file(&temp_path);
        return Err(cannot(error));
    }
    Ok(())
}

/// Removes the file; `false` when there was none.
pub fn remove(dir: &Path) -> Result<bool, CliError> {
    let path = path(dir);
    match fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(error) => Err(CliError::failed(format!("Cannot remove {}: {error}.", path.display()))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Credentials {
        Credentials {
            web_url: "http://localhost:3000".into(),
            api_url: "http://127.0.0.1:8000".into(),
            session_token: "secret-session".into(),
            access_token: None,
        }
    }

    #[test]
    fn saves_with_mode_0600_in_a_0700_directory_and_reads_back() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("todo");
        save(&dir, &sample()).unwrap();
        assert_eq!(fs::metadata(path(&dir)).unwrap().permissions().mode() & 0o777, 0o600);
        assert_eq!(fs::metadata(&dir).unwrap().permissions().mode() & 0o777, 0o700);
        assert_eq!(load(&dir).unwrap().unwrap().session_token, "secret-session");
        assert!(remove(&dir).unwrap());
        assert!(load(&dir).unwrap().is_none());
        assert!(!remove(&dir).unwrap());
    }

    #[test]
    fn refuses_a_file_others_can_read() {
        let home = tempfile::tempdir().unwrap();
        save(home.path(), &sample()).unwrap();
        for mode in [0o644, 0o640, 0o604, 0o660] {
            fs::set_permissions(path(home.path()), fs::Permissions::from_mode(mode)).unwrap();
            let error = load(home.path()).unwrap_err().to_string();
            assert!(error.contains("can be read by others"), "{mode:o}: {error}");
        }
    }

    #[test]
    fn refuses_a_directory_others_can_write_to() {
        let home = tempfile::tempdir().unwrap();
        let dir = home.path().join("todo");
        save(&dir, &sample()).unwrap();
        for mode in [0o777, 0o770, 0o722, 0o1777] {
            fs::set_permissions(&dir, fs::Permissions::from_mode(mode)).unwrap();
            let error = load(&dir).unwrap_err().to_string();
            assert!(error.contains("can be written by others"), "{mode:o}: {error}");
            let error = save(&dir, &sample()).unwrap_err().to_string();
            assert!(error.contains("can be written by others"), "{mode:o}: {error}");
        }
        fs::set_permissions(&dir, fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(load(&dir).unwrap().unwrap().session_token, "secret-session", "others may read the directory");
    }

    #[test]
    fn refuses_a_link_or_a_fifo_in_place_of_the_file_without_blocking() {
        let home = tempfile::tempdir().unwrap();
        let elsewhere = tempfile::tempdir().unwrap();
        save(elsewhere.path(), &sample()).unwrap();
        std::os::unix::fs::symlink(path(elsewhere.path()), path(home.path())).unwrap();
        assert!(load(home.path()).unwrap_err().to_string().contains("not a plain file"));
        fs::remove_file(path(home.path())).unwrap();
        let fifo = std::ffi::CString::new(path(home.path()).into_os_string().into_encoded_bytes()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);
        assert!(load(home.path()).unwrap_err().to_string().contains("not a plain file"));
    }

    #[test]
    fn debug_shows_no_secret() {
        let mut credentials = sample();
        credentials.access_token = Some(CachedToken { token: "jwt-secret".into(), renew_at: 1 });
        let shown = format!("{credentials:?}");
        assert!(!shown.contains("secret"), "{shown}");
    }
}
