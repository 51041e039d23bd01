//! Spawning the app, minting tokens, forging them (`forge`), and one helper per endpoint.
//!
//! The server's own logs are hidden unless `TEST_LOG` is set; its value is the
//! filter (`info`, `debug`, `todo_api=trace,sqlx=warn`, ...). To watch one test:
//!
//! ```sh
//! TEST_LOG=info cargo test -p todo-api --test api some_test -- --nocapture
//! ```
//!
//! Without `--nocapture` the logs still go to the test writer, so libtest prints
//! them beside the failure of a failing test and swallows them for passing ones.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, Once, OnceLock};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::get;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use clap::Parser;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use reqwest::{Method, RequestBuilder, Response};
use serde_json::{json, Value};
use todo_api::app::{build_router, connection_limits, state_for, Application, Settings};
use todo_api::config::Config;
use todo_api::db::Db;
use todo_api::state::Clock;
use todo_api::tasks::model::Task;

pub const ISSUER: &str = "http://localhost:3000";

pub struct TestApp {
    pub base: String,
    /// `http://…/metrics` when the app was given `--metrics-addr`.
    pub metrics_url: Option<String>,
    pub client: reqwest::Client,
    pub secret: String,
    _sqlite_dir: Option<tempfile::TempDir>,
}

/// How a test wants its app configured; `Default` is the usual HS256 setup.
pub struct Options {
    pub secret: Option<String>,
    pub jwks_url: Option<String>,
    pub issuer: Option<String>,
    pub rate_limit_per_minute: u32,
    pub jwks_refetch_interval_secs: u64,
    /// More `todo-api` flags, e.g. `--max-tasks-per-user=3`.
    pub args: Vec<String>,
    /// The time the views are computed at.
    pub clock: Clock,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            secret: Some(random_secret()),
            jwks_url: None,
            issuer: Some(ISSUER.to_owned()),
            rate_limit_per_minute: 0,
            jwks_refetch_interval_secs: 30,
            args: Vec::new(),
            clock: Clock::System,
        }
    }
}

pub fn random_secret() -> String {
    let bytes: [u8; 32] = rand::random();
    URL_SAFE_NO_PAD.encode(bytes)
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

/// Installs a log subscriber for the whole test binary when `TEST_LOG` is set.
///
/// Not `todo_api::telemetry::init()`: that one writes straight to stderr, which
/// libtest cannot capture per test, and panics when a subscriber is already set.
/// This one keeps its format (no targets) but writes through the test writer.
fn init_test_logging() {
    static INIT: Once = Once::new();
    INIT.call_once(|| {
        let Some(directives) = std::env::var("TEST_LOG").ok().filter(|v| !v.trim().is_empty()) else {
            return;
        };
        // A bare switch (`TEST_LOG=1`) means "the logs production shows" (telemetry's default).
        let filter = match directives.as_str() {
            "1" | "true" | "yes" => tracing_subscriber::EnvFilter::new("info,sqlx=warn"),
            directives => tracing_subscriber::EnvFilter::try_new(directives).unwrap_or_else(|e| {
                eprintln!("TEST_LOG={directives:?} is not a log filter ({e}); showing info");
                tracing_subscriber::EnvFilter::new("info,sqlx=warn")
            }),
        };
        // Colours only for a person at a terminal, not in a CI log.
        let ansi = std::io::IsTerminal::is_terminal(&std::io::stdout());
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_target(false)
            .with_ansi(ansi)
            .with_test_writer()
            .try_init()
            .ok();
    });
}

fn config_for(options: &Options, database_url: &str) -> Config {
    let mut args = vec![
        "todo-api".to_owned(),
        "--api-addr=127.0.0.1:0".to_owned(),
        format!("--database-url={database_url}"),
        format!("--rate-limit-per-minute={}", options.rate_limit_per_minute),
        format!("--jwks-refetch-interval-secs={}", options.jwks_refetch_interval_secs),
        "--cors-origins=http://localhost:3000".to_owned(),
    ];
    if let Some(secret) = &options.secret {
        args.push(format!("--better-auth-secret={secret}"));
    }
    if let Some(url) = &options.jwks_url {
        args.push(format!("--better-auth-jwks-url={url}"));
    }
    if let Some(issuer) = &options.issuer {
        args.push(format!("--jwt-issuer={issuer}"));
        args.push(format!("--jwt-audience={issuer}"));
    }
    args.extend(options.args.iter().cloned());
    Config::try_parse_from(args).expect("test configuration parses")
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    spawn_app_on(fresh_store().await, options).await
}

/// An empty store of the kind this run tests: a SQLite file in a temporary
/// directory, or a schema of its own in `TEST_DATABASE_URL`'s PostgreSQL.
pub struct Store {
    pub db: Db,
    pub url: String,
    sqlite_dir: Option<tempfile::TempDir>,
}

pub async fn fresh_store() -> Store {
    init_test_logging();
    match std::env::var("TEST_DATABASE_URL").ok().filter(|u| !u.is_empty()) {
        Some(url) => Store { db: postgres_schema(&url).await, url, sqlite_dir: None },
        None => {
            let dir = tempfile::tempdir().expect("temp dir");
            let url = format!("sqlite://{}", dir.path().join("todo.db").display());
            Store { db: Db::connect(&url, 4).expect("sqlite url"), url, sqlite_dir: Some(dir) }
        }
    }
}

/// The app over a store the test prepared.
pub async fn spawn_app_on(store: Store, options: Options) -> TestApp {
    let config = config_for(&options, &store.url);
    let app = Application::build_with_db_and_clock(&config, store.db.clone(), options.clock).await.expect("app builds");
    let addr = app.local_addr();
    let metrics_url = app.metrics_addr().map(|addr| format!("http://{addr}/metrics"));
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp { metrics_url, ..TestApp::new(addr, options.secret.unwrap_or_default(), store.sqlite_dir) }
}

/// Another app over a store an earlier app of this test opened: a second
/// instance, or the same one restarted (it loads what the store holds).
pub async fn spawn_app_on_db(db: Db, url: &str, options: Options) -> TestApp {
    let config = config_for(&options, url);
    let app = Application::build_with_db(&config, db).await.expect("app builds");
    let addr = app.local_addr();
    tokio::spawn(app.run_until(std::future::pending()));
    TestApp::new(addr, options.secret.unwrap_or_default(), None)
}

/// An app whose store is a PostgreSQL server that is not there (a closed port).
pub async fn spawn_app_with_unreachable_store() -> TestApp {
    spawn_app_with_unreachable_store_and_timeout(Duration::from_secs(10)).await
}

/// As above, with the request timeout given.
pub async fn spawn_app_with_unreachable_store_and_timeout(request_timeout: Duration) -> TestApp {
    init_test_logging();
    let options = Options::default();
    let db = Db::connect("postgres://postgres@127.0.0.1:9/todo", 2).expect("postgres url");
    let config = config_for(&options, "postgres://postgres@127.0.0.1:9/todo");
    let settings = Settings { cors_origins: config.cors_origins.clone(), request_timeout };
    let router = build_router(state_for(db.clone(), &config), &settings);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    // The real server's door (connection limits, timeouts), as production serves.
    let limits = connection_limits(&config);
    tokio::spawn(todo_api::serve::serve(listener, router, limits, std::future::pending()));
    TestApp::new(addr, options.secret.unwrap_or_default(), None)
}

/// A fresh schema in the PostgreSQL test database, named for this test alone.
async fn postgres_schema(url: &str) -> Db {
    use sqlx::Connection;
    static DATABASE_PREPARED: tokio::sync::OnceCell<()> = tokio::sync::OnceCell::const_new();
    DATABASE_PREPARED.get_or_init(|| prepare_database(url)).await;
    let schema = format!("todo_test_{}", uuid::Uuid::new_v4().simple());
    let mut conn = sqlx::PgConnection::connect(url).await.expect("TEST_DATABASE_URL reachable");
    sqlx::query(&format!("CREATE SCHEMA {schema}")).execute(&mut conn).await.expect("create schema");
    conn.close().await.ok();
    Db::postgres_in_schema(url, &schema, 4).expect("postgres url")
}

/// Schemas outlive their tests; the first test of a run clears those of earlier
/// runs. It also installs pg_trgm and btree_gin where no test's schema is: the
/// migrations would put them in the first test's schema, and dropping that would
/// drop them for all.
async fn prepare_database(url: &str) {
    use sqlx::Connection;
    let mut conn = sqlx::PgConnection::connect(url).await.expect("TEST_DATABASE_URL reachable");
    sqlx::query("CREATE EXTENSION IF NOT EXISTS pg_trgm SCHEMA public").execute(&mut conn).await.expect("pg_trgm");
    sqlx::query("CREATE EXTENSION IF NOT EXISTS btree_gin SCHEMA public").execute(&mut conn).await.expect("btree_gin");
    let schemas: Vec<(String,)> = sqlx::query_as(
        "SELECT schema_name::text FROM information_schema.schemata WHERE schema_name LIKE 'todo\\_test\\_%'",
    )
    .fetch_all(&mut conn)
    .await
    .expect("list schemas");
    for (schema,) in schemas {
        sqlx::query(&format!("DROP SCHEMA IF EXISTS {schema} CASCADE")).execute(&mut conn).await.ok();
    }
    conn.close().await.ok();
}

impl TestApp {
    fn new(addr: SocketAddr, secret: String, sqlite_dir: Option<tempfile::TempDir>) -> Self {
        Self {
            base: format!("http://{addr}"),
            metrics_url: None,
            client: reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap(),
            secret,
            _sqlite_dir: sqlite_dir,
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A token as the web app would mint it for `user` in HS256 mode.
    pub fn token(&self, user: &str) -> String {
        hs256(&self.secret, &claims(user))
    }

    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let builder = self.client.request(method, self.url(path));
        match token {
            Some(token) => builder.bearer_auth(token),
            None => builder,
        }
    }

    /// Sends `body` byte for byte as `application/json`, as `user`.
    pub async fn send_raw(&self, method: Method, path: &str, user: &str, body: &'static str) -> Response {
        self.request(method, path, Some(&self.token(user)))
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .unwrap()
    }

    pub async fn create(&self, user: &str, body: Value) -> Response {
        self.request(Method::POST, &format!("/api/{user}/tasks"), Some(&self.token(user)))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Creates a task that must succeed, returning it.
    pub async fn create_ok(&self, user: &str, title: &str) -> Task {
        let response = self.create(user, json!({ "title": title })).await;
        assert_eq!(response.status(), 201, "creating {title:?}");
        response.json().await.unwrap()
    }

    pub async fn list(&self, user: &str, query: &str) -> Response {
        self.request(Method::GET, &format!("/api/{user}/tasks{query}"), Some(&self.token(user))).send().await.unwrap()
    }

    pub async fn list_ok(&self, user: &str, query: &str) -> Vec<Task> {
        let response = self.list(user, query).await;
        assert_eq!(response.status(), 200);
        response.json().await.unwrap()
    }

    pub async fn get(&self, user: &str, id: i64) -> Response {
        self.request(Method::GET, &format!("/api/{user}/tasks/{id}"), Some(&self.token(user))).send().await.unwrap()
    }

    pub async fn update(&self, method: Method, user: &str, id: i64, body: Value) -> Response {
        self.request(method, &format!("/api/{user}/tasks/{id}"), Some(&self.token(user)))
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    pub async fn delete(&self, user: &str, id: i64) -> Response {
        self.request(Method::DELETE, &format!("/api/{user}/tasks/{id}"), Some(&self.token(user))).send().await.unwrap()
    }

    pub async fn complete(&self, user: &str, id: i64, body: Option<Value>) -> Response {
        let request = self.request(Method::PATCH, &format!("/api/{user}/tasks/{id}/complete"), Some(&self.token(user)));
        match body {
            Some(body) => request.json(&body),
            None => request,
        }
        .send()
        .await
        .unwrap()
    }

    pub async fn tags(&self, user: &str) -> Response {
        self.request(Method::GET, &format!("/api/{user}/tags"), Some(&self.token(user))).send().await.unwrap()
    }

    /// `user`'s tag list, `[{"name", "count"}]`, as the JSON it came as.
    pub async fn tags_ok(&self, user: &str) -> Value {
        let response = self.tags(user).await;
        assert_eq!(response.status(), 200, "GET /api/{user}/tags");
        let tags: Value = response.json().await.unwrap();
        assert!(tags.is_array(), "{tags}");
        tags
    }

    /// The tasks of `user`, oldest first, from one page of the list endpoint (at most 200).
    pub async fn all_tasks(&self, user: &str) -> Vec<Task> {
        self.list_ok(user, "?limit=200&sort=created_at&order=asc").await
    }
}

pub fn now_secs() -> u64 {
    SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs()
}

/// Claims as Better Auth's jwt plugin issues them.
pub fn claims(user: &str) -> Value {
    let now = now_secs();
    json!({
        "sub": user, "iat": now, "exp": now + 900,
        "iss": ISSUER, "aud": ISSUER,
        "email": format!("{user}@example.com"), "name": user,
    })
}

pub fn hs256(secret: &str, claims: &Value) -> String {
    jsonwebtoken::encode(&Header::new(Algorithm::HS256), claims, &EncodingKey::from_secret(secret.as_bytes())).unwrap()
}

/// Asserts the answer to a request carrying a forged or broken `token`: 401, a Bearer
/// challenge naming `invalid_token` (RFC 6750 §3.1), and no trace of the token in the body.
pub async fn assert_token_refused(response: Response, token: &str, why: &str) {
    let target = format!("{why} ({})", response.url().path());
    let challenge = response.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_owned());
    let problem = assert_problem(response, 401).await;
    let challenge = challenge.unwrap_or_else(|| panic!("{target}: no WWW-Authenticate"));
    assert!(challenge.starts_with("Bearer "), "{target}: {challenge}");
    assert!(challenge.contains("error=\"invalid_token\""), "{target}: {challenge}");
    let body = problem.to_string();
    assert!(!body.contains(token) && !body.contains("eyJ"), "{target}: the token leaks into {body}");
}

/// Asserts an RFC 9457 problem document with this status, and returns it.
pub async fn assert_problem(response: Response, status: u16) -> Value {
    assert_eq!(response.status().as_u16(), status, "status of {}", response.url());
    assert_eq!(response.headers().get("content-type").and_then(|v| v.to_str().ok()), Some("application/problem+json"));
    let body: Value = response.json().await.expect("problem body is JSON");
    assert_eq!(body["status"], status);
    assert!(body["type"].is_string() && body["title"].is_string() && body["detail"].is_string(), "{body}");
    body
}

/// Tokens no honest issuer would mint: headers and payloads written byte for byte,
/// signed (or not) with whatever key the attack calls for. One copy for every test
/// file, so a fix to how a forgery is built reaches every attack that uses it.
pub mod forge {
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;
    use base64::Engine;
    use jsonwebtoken::{crypto, Algorithm, EncodingKey};
    use serde_json::Value;

    /// base64url (no padding) of `value`'s compact JSON: one JWS segment.
    pub fn b64(value: &Value) -> String {
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(value).unwrap())
    }

    /// A compact JWS from raw parts: lets tests write headers no library would.
    pub fn raw_token(header: &Value, claims: &Value, signature: &[u8]) -> String {
        format!("{}.{}.{}", b64(header), b64(claims), URL_SAFE_NO_PAD.encode(signature))
    }

    /// Signs the exact header and payload bytes given (duplicate members, a payload
    /// that is not JSON), with any key and algorithm, whatever the header says.
    pub fn sign_raw(header_json: &str, payload: &str, key: &EncodingKey, alg: Algorithm) -> String {
        let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header_json), URL_SAFE_NO_PAD.encode(payload));
        let signature = crypto::sign(input.as_bytes(), key, alg).unwrap();
        format!("{input}.{signature}")
    }

    /// Signs `header.claims` as given with `key` and `alg`, whatever the header says.
    pub fn sign_as(header: &Value, claims: &Value, key: &EncodingKey, alg: Algorithm) -> String {
        sign_raw(&header.to_string(), &claims.to_string(), key, alg)
    }

    /// HMAC-SHA256-signs `header.claims` exactly as given, with any bytes as the key.
    pub fn sign_hs(header: &Value, claims: &Value, key: &[u8]) -> String {
        sign_as(header, claims, &EncodingKey::from_secret(key), Algorithm::HS256)
    }

    /// `user`'s usual claims (see [`super::claims`]) with `changes` applied: each member
    /// replaces the claim of its name, and `null` removes it.
    pub fn claims_with(user: &str, changes: Value) -> Value {
        let mut claims = super::claims(user);
        for (name, value) in changes.as_object().expect("changes are an object") {
            if value.is_null() {
                claims.as_object_mut().unwrap().remove(name);
            } else {
                claims[name] = value.clone();
            }
        }
        claims
    }
}

/// A signing key pair of one algorithm, with its public half as a JWK.
#[derive(Clone)]
pub struct SigningKey {
    pub alg: Algorithm,
    pub kid: String,
    pub encoding: EncodingKey,
    pub jwk: Value,
}

impl SigningKey {
    pub fn sign(&self, claims: &Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(self.kid.clone());
        jsonwebtoken::encode(&header, claims, &self.encoding).unwrap()
    }

    pub fn ed25519(kid: &str) -> Self {
        use ed25519_dalek::pkcs8::EncodePrivateKey;
        let key = ed25519_dalek::SigningKey::generate(&mut rand::rngs::OsRng);
        let der = key.to_pkcs8_der().unwrap();
        let x = URL_SAFE_NO_PAD.encode(key.verifying_key().to_bytes());
        Self {
            alg: Algorithm::EdDSA,
            kid: kid.into(),
            encoding: EncodingKey::from_ed_der(der.as_bytes()),
            jwk: json!({ "kty": "OKP", "crv": "Ed25519", "x": x, "kid": kid, "alg": "EdDSA", "use": "sig" }),
        }
    }

    pub fn es256(kid: &str) -> Self {
        use p256::pkcs8::EncodePrivateKey;
        let key = p256::ecdsa::SigningKey::random(&mut rand::rngs::OsRng);
        let der = key.to_pkcs8_der().unwrap();
        let point = key.verifying_key().to_encoded_point(false);
        Self {
            alg: Algorithm::ES256,
            kid: kid.into(),
            encoding: EncodingKey::from_ec_der(der.as_bytes()),
            jwk: json!({
                "kty": "EC", "crv": "P-256", "kid": kid, "alg": "ES256",
                "x": URL_SAFE_NO_PAD.encode(point.x().unwrap()),
                "y": URL_SAFE_NO_PAD.encode(point.y().unwrap()),
            }),
        }
    }

    /// RSA key generation is slow; one key per test binary, re-labelled per use.
    pub fn rsa(alg: Algorithm, kid: &str) -> Self {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::traits::PublicKeyParts;
        static KEY: OnceLock<rsa::RsaPrivateKey> = OnceLock::new();
        let key = KEY.get_or_init(|| rsa::RsaPrivateKey::new(&mut rand::rngs::OsRng, 2048).unwrap());
        let der = key.to_pkcs1_der().unwrap();
        Self {
            alg,
            kid: kid.into(),
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            jwk: json!({
                "kty": "RSA", "kid": kid, "alg": format!("{alg:?}"),
                "n": URL_SAFE_NO_PAD.encode(key.n().to_bytes_be()),
                "e": URL_SAFE_NO_PAD.encode(key.e().to_bytes_be()),
            }),
        }
    }
}

/// A JWKS endpoint on port 0 whose keys, and whether it answers, the test controls.
#[derive(Clone)]
pub struct JwksServer {
    pub url: String,
    state: Arc<Mutex<JwksState>>,
}

struct JwksState {
    keys: Vec<Value>,
    up: bool,
    hits: usize,
}

impl JwksServer {
    pub async fn start(keys: &[&SigningKey]) -> Self {
        let state =
            Arc::new(Mutex::new(JwksState { keys: keys.iter().map(|k| k.jwk.clone()).collect(), up: true, hits: 0 }));
        let router = axum::Router::new().route("/api/auth/jwks", get(serve_jwks)).with_state(state.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}/api/auth/jwks", listener.local_addr().unwrap());
        tokio::spawn(async move { axum::serve(listener, router).await });
        Self { url, state }
    }

    pub fn set_keys(&self, keys: &[&SigningKey]) {
        self.state.lock().unwrap().keys = keys.iter().map(|k| k.jwk.clone()).collect();
    }

    pub fn set_up(&self, up: bool) {
        self.state.lock().unwrap().up = up;
    }

    pub fn hits(&self) -> usize {
        self.state.lock().unwrap().hits
    }
}

async fn serve_jwks(State(state): State<Arc<Mutex<JwksState>>>) -> axum::response::Response {
    let mut state = state.lock().unwrap();
    state.hits += 1;
    if state.up {
        axum::Json(json!({ "keys": state.keys })).into_response()
    } else {
        StatusCode::SERVICE_UNAVAILABLE.into_response()
    }
}

/// Follows `Link: rel="next"` from `first` (a query string) to the end, calling
/// `between_pages` after each page, and returns every page.
pub async fn walk<T: serde::de::DeserializeOwned>(
    app: &TestApp,
    user: &str,
    first: &str,
    mut between_pages: impl AsyncFnMut(usize),
) -> Vec<Vec<T>> {
    let token = app.token(user);
    let mut pages = Vec::new();
    let mut next = Some(format!("/api/{user}/tasks{first}"));
    while let Some(path) = next.take() {
        let response = app.request(Method::GET, &path, Some(&token)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{path}");
        next = response.headers().get("link").map(|link| {
            let link = link.to_str().unwrap();
            assert!(link.ends_with(">; rel=\"next\""), "{link}");
            link.trim_start_matches('<').split('>').next().unwrap().to_owned()
        });
        pages.push(response.json::<Vec<T>>().await.unwrap());
        between_pages(pages.len()).await;
        assert!(pages.len() < 100, "pagination does not end");
    }
    pages
}

/// A task written straight into the store, as an older release or a bulk load
/// could have: any text, any folded form (times as the API writes them).
pub struct RawTask {
    pub title: String,
    pub title_folded: String,
    pub description: Option<String>,
    pub description_folded: Option<String>,
}

/// Inserts `tasks` for `user` without the API (its rules, or its speed, are not wanted here),
/// into whichever schema the store has (a test may stop the migrations early).
pub async fn insert_raw_tasks(db: &Db, user: &str, tasks: Vec<RawTask>) {
    const COLUMNS: &str =
        "user_id, title, title_folded, description, description_folded, completed, created_at, updated_at";
    const TIMES: &str = "FALSE, '2026-01-01T00:00:00+00:00', '2026-01-01T00:00:00+00:00'";
    match db {
        Db::Sqlite(store) => {
            let user = user.to_owned();
            store
                .write(move |c| {
                    // Positions (migration 0010) as a bulk load writes them (bench/bench.py): distinct, from a number.
                    let has_position: bool = c.query_row(
                        "SELECT EXISTS (SELECT 1 FROM pragma_table_info('tasks') WHERE name = 'position')",
                        [],
                        |row| row.get(0),
                    )?;
                    let (column, value) = if has_position {
                        (", position", ", printf('%016x80', 1 + (SELECT COALESCE(MAX(id), 0) FROM tasks))")
                    } else {
                        ("", "")
                    };
                    let mut insert = c.prepare(&format!(
                        "INSERT INTO tasks ({COLUMNS}{column}) VALUES (?1, ?2, ?3, ?4, ?5, {TIMES}{value})"
                    ))?;
                    for t in &tasks {
                        insert.execute(rusqlite::params![
                            user,
                            t.title,
                            t.title_folded,
                            t.description,
                            t.description_folded
                        ])?;
                    }
                    Ok(())
                })
                .await
                .unwrap();
        }
        Db::Postgres(pool) => {
            let has_position: bool = sqlx::query_scalar(
                "SELECT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() \
                 AND table_name = 'tasks' AND column_name = 'position')",
            )
            .fetch_one(pool)
            .await
            .unwrap();
            let (column, value) = if has_position {
                (", position", ", lpad(to_hex(n + (SELECT COALESCE(MAX(id), 0) FROM tasks)), 16, '0') || '80'")
            } else {
                ("", "")
            };
            let column_of = |pick: fn(&RawTask) -> Option<String>| tasks.iter().map(pick).collect::<Vec<_>>();
            sqlx::query(&format!(
                "INSERT INTO tasks ({COLUMNS}{column}) SELECT $1, t, tf, d, df, {TIMES}{value} \
                 FROM UNNEST($2::text[], $3::text[], $4::text[], $5::text[]) WITH ORDINALITY AS r(t, tf, d, df, n) ORDER BY n"
            ))
            .bind(user)
            .bind(column_of(|t| Some(t.title.clone())))
            .bind(column_of(|t| Some(t.title_folded.clone())))
            .bind(column_of(|t| t.description.clone()))
            .bind(column_of(|t| t.description_folded.clone()))
            .execute(pool)
            .await
            .unwrap();
        }
    }
}
