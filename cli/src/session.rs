//! Signing in and holding the session: RFC 8628's device authorization grant
//! through Better Auth's `deviceAuthorization` plugin, the session token sent
//! as `Authorization: Bearer` (its `bearer` plugin), and access tokens (JWTs
//! for the task API) from `/api/auth/token`, reused until shortly before `exp`.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use base64::Engine;
use reqwest::blocking::Client;
use reqwest::StatusCode;
use serde::Deserialize;
use url::Url;

use crate::config::join;
use crate::credentials::{self, CachedToken, Credentials};
use crate::error::{unreachable, CliError};

/// The client id the web app knows this program by (web/src/lib/device-clients.ts).
pub const CLIENT_ID: &str = "todo-cli";
const DEVICE_GRANT: &str = "urn:ietf:params:oauth:grant-type:device_code";
/// An access token is renewed when it is within 20% of its lifetime, at most
/// 60 s, of `exp` (as the web app does), so no request leaves with one about to
/// expire, and a short-lived one is still reused.
const RENEW_BEFORE_EXP_MAX_SECS: i64 = 60;

/// What `/api/auth/device/code` answers (RFC 8628 §3.2).
#[derive(Debug, Deserialize)]
pub struct DeviceCode {
    pub device_code: String,
    pub user_code: String,
    pub verification_uri: String,
    pub verification_uri_complete: Option<String>,
    pub expires_in: u64,
    #[serde(default = "default_interval")]
    pub interval: u64,
}

fn default_interval() -> u64 {
    5
}

/// An OAuth error answer (RFC 6749 §5.2), as the device endpoints give them.
#[derive(Debug, Deserialize)]
struct OAuthError {
    error: String,
}

/// Who a session belongs to, from `/api/auth/get-session`.
#[derive(Debug, Deserialize)]
pub struct Account {
    pub email: String,
    #[serde(default)]
    pub name: String,
    pub id: String,
    /// Whether the address is confirmed (the link mailed to it was followed).
    #[serde(default, rename = "emailVerified")]
    pub email_verified: bool,
}

#[derive(Deserialize)]
struct SessionAnswer {
    user: Account,
}

/// `ABCDEFGH` as `ABCD-EFGH`, easier to read and compare.
pub fn format_user_code(code: &str) -> String {
    if code.len() == 8 && code.is_ascii() {
        format!("{}-{}", &code[..4], &code[4..])
    } else {
        code.to_owned()
    }
}

/// Asks the web app for a device code.
pub fn request_device_code(http: &Client, web_url: &Url) -> Result<DeviceCode, CliError> {
    let response = http
        .post(join(web_url, "/api/auth/device/code"))
        .json(&serde_json::json!({ "client_id": CLIENT_ID }))
        .send()
        .map_err(|error| unreachable("the web app", &error))?;
    let status = response.status();
    if status.is_success() {
        return response.json().map_err(|_| not_todo(web_url));
    }
    if status == StatusCode::NOT_FOUND {
        return Err(not_todo(web_url));
    }
    let error = response.json::<OAuthError>().map(|e| e.error).unwrap_or_default();
    Err(CliError::failed(match error.as_str() {
        "invalid_client" => "The web app does not accept sign-ins from this program (invalid_client).".to_owned(),
        _ => format!("The web app refused to start a sign-in ({status})."),
    }))
}

fn not_todo(web_url: &Url) -> CliError {
    CliError::failed(format!("{web_url} does not look like a Todo web app with device sign-in."))
}

/// How polling ended without a session.
fn poll_error(error: &str) -> CliError {
    match error {
        "access_denied" => CliError::failed("The sign-in was denied on the web page. Nothing was signed in."),
        "expired_token" => {
            CliError::failed("The code expired before it was approved. Run `todo login` again for a new one.")
        }
        "invalid_grant" => CliError::failed("The web app no longer knows this code. Run `todo login` again."),
        other => CliError::failed(format!("The web app refused the sign-in ({other}).")),
    }
}

/// Polls `/api/auth/device/token` as RFC 8628 §3.5 says until the person
/// approves or denies the code or it expires: every `interval` seconds, 5 more
/// after each `slow_down`. Returns the session token.
pub fn poll_for_session(http: &Client, web_url: &Url, code: &DeviceCode) -> Result<String, CliError> {
    let mut interval = Duration::from_secs(code.interval.max(1));
    let deadline = Instant::now() + Duration::from_secs(code.expires_in);
    loop {
        std::thread::sleep(interval);
        if Instant::now() >= deadline {
            return Err(poll_error("expired_token"));
        }
        let response = http
            .post(join(web_url, "/api/auth/device/token"))
            .json(&serde_json::json!({
                "grant_type": DEVICE_GRANT,
                "device_code": code.device_code,
                "client_id": CLIENT_ID,
            }))
            .send()
            .map_err(|error| unreachable("the web app", &error))?;
        if response.status().is_success() {
            // The grant's `access_token` is the Better Auth session token, which
            // the bearer plugin accepts as `Authorization: Bearer` from then on.
            #[derive(Deserialize)]
            struct Granted {
                access_token: String,
            }
            let body: Granted = response.json().map_err(|_| not_todo(web_url))?;
            return Ok(body.access_token);
        }
        let status = response.status();
        let error = response.json::<OAuthError>().map(|e| e.error).unwrap_or_default();
        match error.as_str() {
            "authorization_pending" => {}
            "slow_down" => interval += Duration::from_secs(5),
            "" => return Err(CliError::failed(format!("The web app answered {status} while waiting for approval."))),
            other => return Err(poll_error(other)),
        }
    }
}

/// The session on this machine, and the access tokens it gets.
pub struct Session {
    dir: PathBuf,
    credentials: Credentials,
    http: Client,
}

impl Session {
    /// The saved session; `SignedOut` when there is none.
    pub fn load(dir: PathBuf, http: Client) -> Result<Self, CliError> {
        let credentials = credentials::load(&dir)?.ok_or(CliError::SignedOut)?;
        Ok(Self { dir, credentials, http })
    }

    pub fn new(dir: PathBuf, http: Client, credentials: Credentials) -> Self {
        Self { dir, credentials, http }
    }

    pub fn credentials(&self) -> &Credentials {
        &self.credentials
    }

    pub fn save(&self) -> Result<(), CliError> {
        credentials::save(&self.dir, &self.credentials)
    }

    fn web_url(&self) -> Result<Url, CliError> {
        Url::parse(&self.credentials.web_url)
            .map_err(|_| CliError::failed("The saved sign-in names no valid server. Run `todo login` again."))
    }

    /// An access token for the API: the saved one while it has more than a
    /// minute left, else a new one (saved for the next command).
    pub fn access_token(&mut self) -> Result<String, CliError> {
        if let Some(cached) = &self.credentials.access_token {
            if now_secs() < cached.renew_at {
                return Ok(cached.token.clone());
            }
        }
        self.renew_access_token()
    }

    /// A new access token from `/api/auth/token`, whatever the saved one says
    /// (after the API refused it). `SignedOut` when the session has ended.
    pub fn renew_access_token(&mut self) -> Result<String, CliError> {
        let response = self
            .http
            .get(join(&self.web_url()?, "/api/auth/token"))
            .bearer_auth(&self.credentials.session_token)
            .send()
            .map_err(|error| unreachable("the web app", &error))?;
        if response.status() == StatusCode::UNAUTHORIZED {
            return Err(CliError::SignedOut);
        }
        if !response.status().is_success() {
            return Err(CliError::failed(format!(
                "The web app could not give an access token ({}). Try again in a moment.",
                response.status()
            )));
        }
        #[derive(Deserialize)]
        struct TokenAnswer {
            token: String,
        }
        let token =
            response.json::<TokenAnswer>().map_err(|_| CliError::failed("The web app gave no access token."))?.token;
        let claims =
            claims(&token).ok_or_else(|| CliError::failed("The web app gave an access token that cannot be read."))?;
        let lifetime = claims.exp - claims.iat.unwrap_or(claims.exp - 5 * RENEW_BEFORE_EXP_MAX_SECS);
        let renew_at = claims.exp - (lifetime / 5).clamp(0, RENEW_BEFORE_EXP_MAX_SECS);
        self.credentials.access_token = Some(CachedToken { token: token.clone(), renew_at });
        // Keeping it is an optimisation: a failed write costs one more fetch next time.
        let _ = self.save();
        Ok(token)
    }

    /// The account the session belongs to; `SignedOut` when it has ended.
    pub fn account(&self) -> Result<Account, CliError> {
        let response = self
            .http
            .get(join(&self.web_url()?, "/api/auth/get-session"))
            .bearer_auth(&self.credentials.session_token)
            .send()
            .map_err(|error| unreachable("the web app", &error))?;
        if !response.status().is_success() {
            return Err(if response.status() == StatusCode::UNAUTHORIZED {
                CliError::SignedOut
            } else {
                CliError::failed(format!("The web app could not say who is signed in ({}).", response.status()))
            });
        }
        // Better Auth answers `null` for a session it no longer has.
        match response.json::<Option<SessionAnswer>>() {
            Ok(Some(answer)) => Ok(answer.user),
            Ok(None) => Err(CliError::SignedOut),
            Err(_) => Err(CliError::failed("The web app's answer about the session cannot be read.")),
        }
    }

    /// Ends the session on the server (Better Auth's sign-out, which also tells
    /// the API to refuse its tokens).
    pub fn sign_out(&self) -> Result<(), CliError> {
        let response = self
            .http
            .post(join(&self.web_url()?, "/api/auth/sign-out"))
            .bearer_auth(&self.credentials.session_token)
            // Better Auth takes a POST only with a JSON (or form) body.
            .json(&serde_json::json!({}))
            .send()
            .map_err(|error| unreachable("the web app", &error))?;
        // A session the server no longer has is as ended as it gets.
        if response.status().is_success() || response.status() == StatusCode::UNAUTHORIZED {
            Ok(())
        } else {
            Err(CliError::failed(format!("The web app could not end the session ({}).", response.status())))
        }
    }

    /// Forgets the session on this machine.
    pub fn forget(dir: &std::path::Path) -> Result<bool, CliError> {
        credentials::remove(dir)
    }
}

/// The claims of an access token this program reads (it does not verify them:
/// the API does; these only say whose tasks to ask for and when to renew).
#[derive(Debug, Deserialize)]
pub struct Claims {
    pub sub: String,
    pub exp: i64,
    #[serde(default)]
    pub iat: Option<i64>,
}

pub fn claims(token: &str) -> Option<Claims> {
    let payload = token.split('.').nth(1)?;
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(payload.trim_end_matches('=')).ok()?;
    serde_json::from_slice(&bytes).ok()
}

pub fn now_secs() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_sub_and_exp_from_a_token() {
        let encode =
            |value: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(value.to_string());
        let token = format!(
            "{}.{}.sig",
            encode(serde_json::json!({"alg": "HS256"})),
            encode(serde_json::json!({"sub": "u1", "exp": 42}))
        );
        let claims = claims(&token).unwrap();
        assert_eq!((claims.sub.as_str(), claims.exp), ("u1", 42));
        assert!(super::claims("not-a-token").is_none());
    }

    #[test]
    fn shows_the_code_in_two_groups() {
        assert_eq!(format_user_code("ABCDEFGH"), "ABCD-EFGH");
        assert_eq!(format_user_code("ABC"), "ABC");
    }
}
