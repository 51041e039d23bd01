//! Sessions and revocation: security events pushed to `POST /auth/events`
//! (RFC 8935) end sessions and accounts; every check that refuses one leaves
//! everything as it was.

use std::time::Duration;

use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, Response};
use serde_json::{json, Value};
use todo_api::sessions::events::{ACCOUNT_PURGED, BACKCHANNEL_LOGOUT};
use todo_api::sessions::store::{self, MAX_REVOKED_SESSIONS_PER_USER};

use crate::helpers::forge::{claims_with, sign_hs};
use crate::helpers::{
    assert_token_refused, fresh_store, hs256, now_secs, spawn_app_on, spawn_app_on_db, spawn_app_with, JwksServer,
    Options, SigningKey, TestApp, ISSUER,
};

/// An event's claims as the web app sends them: `user`'s, ending `sid` when given.
fn event(user: &str, event_type: &str, sid: Option<&str>) -> Value {
    let now = now_secs();
    let mut claims = json!({
        "iss": ISSUER, "aud": ISSUER, "iat": now, "exp": now + 120,
        "jti": uuid::Uuid::new_v4().to_string(), "sub": user,
        "events": { event_type: {} },
    });
    if let Some(sid) = sid {
        claims["sid"] = json!(sid);
    }
    claims
}

fn with(mut claims: Value, changes: Value) -> Value {
    for (name, value) in changes.as_object().unwrap() {
        if value.is_null() {
            claims.as_object_mut().unwrap().remove(name);
        } else {
            claims[name] = value.clone();
        }
    }
    claims
}

/// Signed as the web app signs them in HS256 mode: the shared secret, `typ: secevent+jwt`.
fn signed(app: &TestApp, claims: &Value) -> String {
    let mut header = Header::new(Algorithm::HS256);
    header.typ = Some("secevent+jwt".into());
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_secret(app.secret.as_bytes())).unwrap()
}

async fn send(app: &TestApp, token: &str) -> Response {
    app.request(Method::POST, "/auth/events", None)
        .header("content-type", "application/secevent+jwt")
        .body(token.to_owned())
        .send()
        .await
        .unwrap()
}

/// An access token of `user`'s session `sid`, issued `age` seconds ago.
fn session_token(app: &TestApp, user: &str, sid: &str, age: u64) -> String {
    let now = now_secs();
    hs256(&app.secret, &claims_with(user, json!({ "sid": sid, "iat": now - age, "exp": now - age + 900 })))
}

async fn list_status(app: &TestApp, user: &str, token: &str) -> u16 {
    let response = app.request(Method::GET, &format!("/api/{user}/tasks"), Some(token)).send().await.unwrap();
    response.status().as_u16()
}

/// Asserts RFC 8935's refusal: 400, `{"err": code, "description"}`.
async fn assert_refused(response: Response, code: &str, why: &str) {
    assert_eq!(response.status(), 400, "{why}");
    let body: Value = response.json().await.unwrap();
    assert_eq!(body["err"], code, "{why}: {body}");
    assert!(body["description"].as_str().is_some_and(|d| !d.is_empty()), "{why}: {body}");
}

#[tokio::test]
async fn signing_out_ends_that_session_at_once_even_for_a_token_already_in_use() {
    let app = spawn_app_with(Options::default()).await;
    let laptop = session_token(&app, "alice", "laptop", 10);
    let phone = session_token(&app, "alice", "phone", 10);
    assert_eq!(list_status(&app, "alice", &laptop).await, 200, "verified once, and remembered");

    assert_eq!(send(&app, &signed(&app, &event("alice", BACKCHANNEL_LOGOUT, Some("laptop")))).await.status(), 202);
    let refused = app.request(Method::GET, "/api/alice/tasks", Some(&laptop)).send().await.unwrap();
    assert_token_refused(refused, &laptop, "a token of the ended session").await;
    assert_eq!(list_status(&app, "alice", &phone).await, 200, "another session of hers goes on");
    let bobs = session_token(&app, "bob", "laptop", 10);
    assert_eq!(list_status(&app, "bob", &bobs).await, 200, "the same session id of someone else is not hers");
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_that_began_before_it() {
    let app = spawn_app_with(Options::default()).await;
    let before = session_token(&app, "alice", "laptop", 30);
    let event = with(event("alice", BACKCHANNEL_LOGOUT, None), json!({ "iat": now_secs() - 5 }));
    assert_eq!(send(&app, &signed(&app, &event)).await.status(), 202);
    assert_eq!(list_status(&app, "alice", &before).await, 401);
    assert_eq!(list_status(&app, "alice", &session_token(&app, "alice", "other", 20)).await, 401);
    assert_eq!(list_status(&app, "alice", &session_token(&app, "alice", "new", 0)).await, 200, "a session begun after");
}

#[tokio::test]
async fn a_purged_account_loses_its_tasks_and_every_token_and_others_keep_theirs() {
    let store = fresh_store().await;
    store.db.migrate().await.unwrap();
    let (db, url) = (store.db.clone(), store.url.clone());
    let options = Options::default();
    let secret = options.secret.clone().unwrap();
    let app = spawn_app_on(store, options).await;
    for title in ["one", "two"] {
        app.create_ok("alice", title).await;
    }
    app.create_ok("bob", "bob's").await;
    let token = session_token(&app, "alice", "laptop", 10);
    assert_eq!(send(&app, &signed(&app, &event("alice", ACCOUNT_PURGED, None))).await.status(), 202);
    assert_eq!(list_status(&app, "alice", &token).await, 401);
    assert_eq!(list_status(&app, "alice", &app.token("alice")).await, 401, "no token of hers from before");
    assert_eq!(app.all_tasks("bob").await.len(), 1);
    // Her tasks are gone, not only hidden: the store holds none.
    assert_eq!(count_rows(&db, "tasks", "alice").await, 0);
    assert_eq!(count_rows(&db, "tasks", "bob").await, 1);

    // A token issued after the event (a web app that still had her session, a
    // clock ahead) is refused too, for reading and for writing, and so it stays
    // on an instance started afterwards.
    let later = hs256(&app.secret, &claims_with("alice", json!({ "sid": "new", "iat": now_secs() + 30 })));
    let read = app.request(Method::GET, "/api/alice/tasks", Some(&later)).send().await.unwrap();
    assert_token_refused(read, &later, "a token issued after the purge").await;
    let write = app
        .request(Method::POST, "/api/alice/tasks", Some(&later))
        .json(&json!({ "title": "after the purge" }))
        .send()
        .await
        .unwrap();
    assert_eq!(write.status(), 401, "no task can be written for a purged account");
    assert_eq!(count_rows(&db, "tasks", "alice").await, 0);
    let restarted = spawn_app_on_db(db, &url, Options { secret: Some(secret), ..Options::default() }).await;
    assert_eq!(list_status(&restarted, "alice", &later).await, 401, "the record outlives a restart");
    assert_eq!(list_status(&restarted, "bob", &restarted.token("bob")).await, 200);
}

#[tokio::test]
async fn past_the_cap_an_accounts_session_revocations_become_one_user_wide_revocation_and_none_is_dropped() {
    let store = fresh_store().await;
    store.db.migrate().await.unwrap();
    let (db, url) = (store.db.clone(), store.url.clone());
    let options = Options::default();
    let secret = options.secret.clone().unwrap();
    let app = spawn_app_on(store, options).await;
    let ended = usize::try_from(MAX_REVOKED_SESSIONS_PER_USER).unwrap() + 1;
    let tokens: Vec<String> = (0..ended).map(|i| session_token(&app, "alice", &format!("s{i}"), 10)).collect();
    for i in 0..ended {
        let event = event("alice", BACKCHANNEL_LOGOUT, Some(&format!("s{i}")));
        assert_eq!(send(&app, &signed(&app, &event)).await.status(), 202, "event {i}");
    }
    // One row for her, not one per session: what one account can make the API hold is bounded.
    assert_eq!(count_rows(&db, "revoked_sessions", "alice").await, 0);
    assert_eq!(count_rows(&db, "revoked_users", "alice").await, 1);
    let restarted = spawn_app_on_db(db, &url, Options { secret: Some(secret), ..Options::default() }).await;
    for (i, token) in tokens.iter().enumerate() {
        assert_eq!(list_status(&app, "alice", token).await, 401, "session {i} here");
        assert_eq!(list_status(&restarted, "alice", token).await, 401, "session {i} after a restart");
    }
    // A token minted afterwards (her live sessions fetch fresh ones) is accepted; others are untouched.
    let fresh = hs256(&app.secret, &claims_with("alice", json!({ "sid": "live", "iat": now_secs() + 5 })));
    assert_eq!(list_status(&app, "alice", &fresh).await, 200);
    assert_eq!(list_status(&restarted, "alice", &fresh).await, 200);
    assert_eq!(list_status(&app, "bob", &session_token(&app, "bob", "s0", 10)).await, 200);
}

#[tokio::test]
async fn an_instance_reads_only_the_revocations_recorded_since_its_last_read() {
    let store = fresh_store().await;
    store.db.migrate().await.unwrap();
    let db = store.db.clone();
    let app = spawn_app_on(store, Options::default()).await;
    for sid in ["old-1", "old-2"] {
        assert_eq!(send(&app, &signed(&app, &event("alice", BACKCHANNEL_LOGOUT, Some(sid)))).await.status(), 202);
    }
    tokio::time::sleep(Duration::from_millis(20)).await;
    let since = store::now_millis();
    assert_eq!(send(&app, &signed(&app, &event("bob", BACKCHANNEL_LOGOUT, Some("new")))).await.status(), 202);
    assert_eq!(send(&app, &signed(&app, &event("carol", ACCOUNT_PURGED, None))).await.status(), 202);
    let changes = store::load_since(&db, since).await.unwrap();
    assert!(!changes.sessions.contains_key("alice"), "rows read before are not read again: {changes:?}");
    assert!(changes.sessions["bob"].contains("new"));
    assert!(changes.purged.contains("carol"));
    assert_eq!(store::load(&db).await.unwrap().sessions["alice"].len(), 2, "a whole read still has them");
}

/// How many rows of `table` the store holds for `user`, read past the API.
async fn count_rows(db: &todo_api::db::Db, table: &'static str, user: &str) -> i64 {
    use todo_api::db::Db;
    match db {
        Db::Sqlite(store) => {
            let user = user.to_owned();
            store
                .read(move |c| {
                    c.query_row(&format!("SELECT COUNT(*) FROM {table} WHERE user_id = ?1"), [user], |row| row.get(0))
                })
                .await
                .unwrap()
        }
        Db::Postgres(pool) => sqlx::query_scalar(&format!("SELECT COUNT(*) FROM {table} WHERE user_id = $1"))
            .bind(user)
            .fetch_one(pool)
            .await
            .unwrap(),
    }
}

#[tokio::test]
async fn revocations_outlive_a_restart() {
    let store = fresh_store().await;
    store.db.migrate().await.unwrap();
    let (db, url) = (store.db.clone(), store.url.clone());
    let options = Options::default();
    let secret = options.secret.clone().unwrap();
    let first = spawn_app_on(store, options).await;
    let token = session_token(&first, "alice", "laptop", 10);
    assert_eq!(send(&first, &signed(&first, &event("alice", BACKCHANNEL_LOGOUT, Some("laptop")))).await.status(), 202);

    // A second instance on the same store, started afterwards.
    let second = spawn_app_on_db(db, &url, Options { secret: Some(secret), ..Options::default() }).await;
    assert_eq!(list_status(&second, "alice", &token).await, 401);
}

#[tokio::test]
async fn a_replayed_event_is_refused_and_changes_nothing() {
    let app = spawn_app_with(Options::default()).await;
    let once = signed(&app, &event("alice", BACKCHANNEL_LOGOUT, Some("laptop")));
    assert_eq!(send(&app, &once).await.status(), 202);
    assert_refused(send(&app, &once).await, "invalid_request", "the same jti again").await;
}

#[tokio::test]
async fn every_malformed_or_foreign_event_is_400_with_its_code_and_changes_nothing() {
    let app = spawn_app_with(Options::default()).await;
    app.create_ok("alice", "still here").await;
    let token = session_token(&app, "alice", "laptop", 10);
    let purge = event("alice", ACCOUNT_PURGED, None);
    let now = now_secs();
    let secret = app.secret.clone();
    let header = json!({ "alg": "HS256", "typ": "secevent+jwt" });
    let cases: Vec<(&str, String, &str)> = vec![
        ("an access token", hs256(&secret, &claims_with("alice", json!({}))), "invalid_request"),
        ("typ JWT", sign_hs(&json!({ "alg": "HS256", "typ": "JWT" }), &purge, secret.as_bytes()), "invalid_request"),
        ("no typ", sign_hs(&json!({ "alg": "HS256" }), &purge, secret.as_bytes()), "invalid_request"),
        ("another key", sign_hs(&header, &purge, b"another secret of at least 32 bytes!"), "authentication_failed"),
        (
            "alg none",
            format!(
                "{}.{}.",
                crate::helpers::forge::b64(&json!({ "alg": "none", "typ": "secevent+jwt" })),
                crate::helpers::forge::b64(&purge)
            ),
            "invalid_key",
        ),
        (
            "another issuer",
            signed(&app, &with(purge.clone(), json!({ "iss": "https://evil.example" }))),
            "invalid_issuer",
        ),
        (
            "another audience",
            signed(&app, &with(purge.clone(), json!({ "aud": "https://evil.example" }))),
            "invalid_audience",
        ),
        ("no iss", signed(&app, &with(purge.clone(), json!({ "iss": null }))), "invalid_request"),
        ("no aud", signed(&app, &with(purge.clone(), json!({ "aud": null }))), "invalid_request"),
        ("no iat", signed(&app, &with(purge.clone(), json!({ "iat": null }))), "invalid_request"),
        ("no exp", signed(&app, &with(purge.clone(), json!({ "exp": null }))), "invalid_request"),
        ("lives over 5 minutes", signed(&app, &with(purge.clone(), json!({ "exp": now + 301 }))), "invalid_request"),
        (
            "expired",
            signed(&app, &with(purge.clone(), json!({ "iat": now - 400, "exp": now - 200 }))),
            "invalid_request",
        ),
        (
            "from the future",
            signed(&app, &with(purge.clone(), json!({ "iat": now + 600, "exp": now + 700 }))),
            "invalid_request",
        ),
        ("no jti", signed(&app, &with(purge.clone(), json!({ "jti": null }))), "invalid_request"),
        ("empty jti", signed(&app, &with(purge.clone(), json!({ "jti": "" }))), "invalid_request"),
        ("no sub", signed(&app, &with(purge.clone(), json!({ "sub": null }))), "invalid_request"),
        ("no events", signed(&app, &with(purge.clone(), json!({ "events": null }))), "invalid_request"),
        (
            "two events",
            signed(&app, &with(purge.clone(), json!({ "events": { ACCOUNT_PURGED: {}, BACKCHANNEL_LOGOUT: {} } }))),
            "invalid_request",
        ),
        (
            "an unknown event",
            signed(&app, &with(purge.clone(), json!({ "events": { "https://example.com/other": {} } }))),
            "invalid_request",
        ),
        (
            "an event that is not an object",
            signed(&app, &with(purge.clone(), json!({ "events": { ACCOUNT_PURGED: true } }))),
            "invalid_request",
        ),
        ("a purge with a sid", signed(&app, &with(purge.clone(), json!({ "sid": "laptop" }))), "invalid_request"),
        ("a sid that is not a string", signed(&app, &event_with_sid(json!(7))), "invalid_request"),
        ("not a JWT", "not a jwt".to_owned(), "invalid_request"),
    ];
    for (why, token, code) in cases {
        assert_refused(send(&app, &token).await, code, why).await;
    }
    let wrong_type = app
        .request(Method::POST, "/auth/events", None)
        .header("content-type", "application/json")
        .body(signed(&app, &purge))
        .send()
        .await
        .unwrap();
    assert_refused(wrong_type, "invalid_request", "sent as application/json").await;

    assert_eq!(app.all_tasks("alice").await.len(), 1, "nothing was purged");
    assert_eq!(list_status(&app, "alice", &token).await, 200, "nothing was revoked");
    // The same event, well-formed, is taken: the refusals were for what each changed.
    assert_eq!(send(&app, &signed(&app, &purge)).await.status(), 202);
    assert_eq!(list_status(&app, "alice", &token).await, 401, "the purge took effect");
}

fn event_with_sid(sid: Value) -> Value {
    with(event("alice", BACKCHANNEL_LOGOUT, None), json!({ "sid": sid }))
}

#[tokio::test]
async fn an_event_is_never_an_access_token_and_long_lived_tokens_are_refused() {
    let app = spawn_app_with(Options::default()).await;
    let as_event = signed(&app, &claims_with("alice", json!({})));
    let refused = app.request(Method::GET, "/api/alice/tasks", Some(&as_event)).send().await.unwrap();
    assert_token_refused(refused, &as_event, "typ secevent+jwt as an access token").await;
    let with_events = hs256(&app.secret, &claims_with("alice", json!({ "events": { BACKCHANNEL_LOGOUT: {} } })));
    assert_eq!(list_status(&app, "alice", &with_events).await, 401, "a token with an events claim");

    let now = now_secs();
    let day = hs256(&app.secret, &claims_with("alice", json!({ "iat": now, "exp": now + 86_400 })));
    assert_eq!(list_status(&app, "alice", &day).await, 200, "a lifetime of exactly the maximum");
    let longer = hs256(&app.secret, &claims_with("alice", json!({ "iat": now, "exp": now + 86_401 })));
    let refused = app.request(Method::GET, "/api/alice/tasks", Some(&longer)).send().await.unwrap();
    assert_token_refused(refused, &longer, "a lifetime over the maximum").await;
    let no_iat = hs256(&app.secret, &claims_with("alice", json!({ "iat": null })));
    assert_eq!(list_status(&app, "alice", &no_iat).await, 401, "iat is required");
}

#[tokio::test]
async fn events_signed_with_the_web_apps_key_pair_are_verified_through_the_jwks() {
    let key = SigningKey::ed25519("web-key");
    let server = JwksServer::start(&[&key]).await;
    let app = spawn_app_with(Options { secret: None, jwks_url: Some(server.url.clone()), ..Options::default() }).await;
    let now = now_secs();
    let token = key.sign(&claims_with("alice", json!({ "sid": "laptop", "iat": now - 10 })));
    assert_eq!(list_status(&app, "alice", &token).await, 200);

    let mut header = Header::new(Algorithm::EdDSA);
    header.kid = Some(key.kid.clone());
    header.typ = Some("secevent+jwt".into());
    let logout =
        jsonwebtoken::encode(&header, &event("alice", BACKCHANNEL_LOGOUT, Some("laptop")), &key.encoding).unwrap();
    assert_eq!(send(&app, &logout).await.status(), 202);
    assert_eq!(list_status(&app, "alice", &token).await, 401);
    // HS256 is not accepted where the API has no secret, for events as for tokens.
    let hs = sign_hs(
        &json!({ "alg": "HS256", "typ": "secevent+jwt" }),
        &event("alice", ACCOUNT_PURGED, None),
        b"0123456789abcdef0123456789abcdef",
    );
    assert_refused(send(&app, &hs).await, "invalid_key", "HS256 without a secret").await;
}

/// Two instances on one PostgreSQL: a revocation received by one is enforced by
/// the other within a second (LISTEN/NOTIFY), long before the periodic re-read.
#[tokio::test]
async fn on_postgres_every_instance_refuses_a_revoked_session_within_a_second() {
    let store = fresh_store().await;
    if !matches!(store.db, todo_api::db::Db::Postgres(_)) {
        return; // one SQLite file is one instance's
    }
    store.db.migrate().await.unwrap();
    let (db, url) = (store.db.clone(), store.url.clone());
    let options = Options::default();
    let secret = options.secret.clone().unwrap();
    let first = spawn_app_on(store, options).await;
    let second = spawn_app_on_db(db, &url, Options { secret: Some(secret), ..Options::default() }).await;
    let token = session_token(&second, "alice", "laptop", 10);
    assert_eq!(list_status(&second, "alice", &token).await, 200, "verified and remembered by the second");
    tokio::time::sleep(Duration::from_millis(300)).await; // both listening

    assert_eq!(send(&first, &signed(&first, &event("alice", BACKCHANNEL_LOGOUT, Some("laptop")))).await.status(), 202);
    let deadline = std::time::Instant::now() + Duration::from_secs(1);
    loop {
        if list_status(&second, "alice", &token).await == 401 {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the second instance still accepts the revoked session after 1 s"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
