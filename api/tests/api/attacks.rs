//! The attack catalogue: tokens crafted after published JWT attacks. Each must get
//! 401 and change nothing, at every door it is tried on. Sources: RFC 8725 (JWT Best
//! Current Practices), OWASP API Security Top 10 (2023) API2 "Broken Authentication",
//! and the CVEs named.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{Algorithm, EncodingKey};
use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::forge::{b64, claims_with, raw_token, sign_as, sign_hs, sign_raw};
use crate::helpers::{
    assert_token_refused, claims, hs256, now_secs, random_secret, spawn_app_with, JwksServer, Options, SigningKey,
    TestApp,
};

/// An app with both verifiers on (the widest surface an attacker can get), and the
/// keys its JWKS endpoint publishes.
struct Target {
    app: TestApp,
    server: JwksServer,
    ed: SigningKey,
    ec: SigningKey,
    rs: SigningKey,
}

impl Target {
    async fn start() -> Self {
        let ed = SigningKey::ed25519("ed-1");
        let ec = SigningKey::es256("ec-1");
        let rs = SigningKey::rsa(Algorithm::RS256, "rs-1");
        let server = JwksServer::start(&[&ed, &ec, &rs]).await;
        let app = spawn_app_with(Options {
            secret: Some(random_secret()),
            jwks_url: Some(server.url.clone()),
            ..Options::default()
        })
        .await;
        Self { app, server, ed, ec, rs }
    }

    /// A valid token for alice from each verifier: what must keep working after the attacks.
    fn real_tokens(&self) -> [String; 4] {
        let alice = claims("alice");
        [hs256(&self.app.secret, &alice), self.ed.sign(&alice), self.ec.sign(&alice), self.rs.sign(&alice)]
    }

    /// Every forged or broken token of the catalogue, each with what it tries, all aimed at alice.
    fn catalogue(&self) -> Vec<(&'static str, String)> {
        let Self { app, server, ed, ec, rs } = self;
        let secret = app.secret.as_str();
        let alice = claims("alice");
        let now = now_secs();
        let real = hs256(secret, &alice);
        let (real_head, real_body, real_sig) = {
            let p: Vec<&str> = real.split('.').collect();
            (p[0].to_owned(), p[1].to_owned(), p[2].to_owned())
        };
        let attacker = SigningKey::ed25519("ed-1");
        let public_key_materials: Vec<Vec<u8>> = vec![
            ed.jwk["x"].as_str().unwrap().as_bytes().to_vec(),
            URL_SAFE_NO_PAD.decode(ed.jwk["x"].as_str().unwrap()).unwrap(),
            rs.jwk["n"].as_str().unwrap().as_bytes().to_vec(),
            serde_json::to_vec(&rs.jwk).unwrap(),
            serde_json::to_vec(&json!({ "keys": [ed.jwk, ec.jwk, rs.jwk] })).unwrap(),
        ];

        let mut cases: Vec<(&'static str, String)> = Vec::new();

        // RFC 8725 §2.1, §3.1; CVE-2015-9235 (jsonwebtoken for Node): "alg": "none" in every casing,
        // with and without a signature.
        for alg in ["none", "None", "NONE", "nOnE", "NoNe", " none", "none "] {
            cases.push(("alg none", raw_token(&json!({ "alg": alg, "typ": "JWT" }), &alice, b"")));
            cases
                .push(("alg none with a signature", format!("{}.{real_body}.{real_sig}", b64(&json!({ "alg": alg })))));
        }
        // RFC 8725 §2.1 (signature stripping): the real header and claims without their signature.
        cases.push(("empty signature", format!("{real_head}.{real_body}.")));
        cases.push(("no signature part", format!("{real_head}.{real_body}")));
        cases.push((
            "signature of another token",
            format!("{real_head}.{}.{real_sig}", b64(&claims_with("alice", json!({ "sub": "bob" })))),
        ));
        // RFC 8725 §2.1, §3.1; CVE-2016-10555 (HS/RS key confusion): HS256 keyed with public key material.
        for key in &public_key_materials {
            for kid in ["ed-1", "rs-1"] {
                cases.push((
                    "HS256 keyed with a public key",
                    sign_hs(&json!({ "alg": "HS256", "kid": kid }), &alice, key),
                ));
            }
        }
        // CVE-2022-21449 ("psychic signatures"): an ECDSA signature with r = s = 0.
        cases.push(("ES256 r=s=0", raw_token(&json!({ "alg": "ES256", "kid": "ec-1" }), &alice, &[0u8; 64])));
        cases.push(("ES256 empty", raw_token(&json!({ "alg": "ES256", "kid": "ec-1" }), &alice, b"")));
        cases.push(("EdDSA all zero", raw_token(&json!({ "alg": "EdDSA", "kid": "ed-1" }), &alice, &[0u8; 64])));
        // RFC 8725 §3.10 / OWASP JWT cheat sheet: `kid` carrying paths, SQL or control characters.
        for kid in [
            "../../../../../../dev/null",
            "/etc/passwd",
            "' OR '1'='1",
            "ed-1' --",
            "x'; DROP TABLE tasks; --",
            "ed-1\u{0}",
            "",
            "%2e%2e%2f",
        ] {
            cases.push((
                "kid injection (HS256, empty key)",
                sign_hs(&json!({ "alg": "HS256", "kid": kid }), &alice, b""),
            ));
            let header = json!({ "alg": "EdDSA", "kid": kid });
            cases.push(("kid injection (EdDSA)", sign_as(&header, &alice, &attacker.encoding, Algorithm::EdDSA)));
        }
        // CVE-2018-0114 (node-jose): a key embedded in the header; jku/x5u pointing elsewhere; x5c chains.
        for (name, value) in [
            ("jwk", attacker.jwk.clone()),
            ("jku", json!(format!("{}/../attacker-jwks", server.url))),
            ("jku", json!("http://127.0.0.1:9/jwks.json")),
            ("x5u", json!("http://127.0.0.1:9/cert.pem")),
            ("x5c", json!([STANDARD.encode(b"not really a certificate")])),
        ] {
            let header = json!({ "alg": "EdDSA", "kid": "ed-1", name: value });
            cases.push(("key from the token header", sign_as(&header, &alice, &attacker.encoding, Algorithm::EdDSA)));
            let header = json!({ "alg": "HS256", name: value });
            cases.push(("key from the token header (HS256, real secret)", sign_hs(&header, &alice, secret.as_bytes())));
        }
        // RFC 7515 §4.1.11: `crit` names extensions that must be understood; we support none.
        cases.push((
            "crit",
            sign_hs(&json!({ "alg": "HS256", "crit": ["b64"], "b64": false }), &alice, secret.as_bytes()),
        ));
        cases.push(("crit empty", sign_hs(&json!({ "alg": "HS256", "crit": [] }), &alice, secret.as_bytes())));
        // RFC 7519 §5.2/§7.2 nested tokens: a valid inner token wrapped in an outer one the attacker signed.
        let header = json!({ "alg": "EdDSA", "kid": "ed-1", "cty": "JWT" }).to_string();
        cases.push(("nested JWT", sign_raw(&header, &real, &attacker.encoding, Algorithm::EdDSA)));
        cases.push((
            "nested JWT as payload string",
            sign_hs(&json!({ "alg": "HS256", "cty": "JWT" }), &json!(real), secret.as_bytes()),
        ));
        // RFC 7516: JWE compact serialization (five parts); encrypted tokens are not accepted.
        cases.push((
            "JWE",
            format!("{}.{}.{}.{}.{}", b64(&json!({ "alg": "dir", "enc": "A256GCM" })), "", "AAAA", "AAAA", "AAAA"),
        ));
        cases.push((
            "JWE with RSA-OAEP",
            format!("{}.AAAA.AAAA.AAAA.AAAA", b64(&json!({ "alg": "RSA-OAEP", "enc": "A128GCM", "kid": "rs-1" }))),
        ));
        // RFC 7515 §4 / RFC 8259 §4: duplicate member names, signed with the real secret, so a
        // parser differential cannot pick the "other" value.
        let real_key = EncodingKey::from_secret(secret.as_bytes());
        cases.push((
            "duplicate alg",
            sign_raw(r#"{"alg":"none","alg":"HS256"}"#, &alice.to_string(), &real_key, Algorithm::HS256),
        ));
        cases.push(("duplicate sub", {
            let body = alice.to_string().replacen('{', r#"{"sub":"bob","#, 1);
            sign_raw(r#"{"alg":"HS256"}"#, &body, &real_key, Algorithm::HS256)
        }));
        cases.push(("duplicate exp", {
            let body = alice.to_string().replacen('{', &format!(r#"{{"exp":{},"#, now + 10_000_000), 1);
            sign_raw(r#"{"alg":"HS256"}"#, &body, &real_key, Algorithm::HS256)
        }));
        // Resource exhaustion (OWASP API4): a huge token, kept just under the 32 KiB request-head
        // limit so it reaches the verifier (a longer one is 431 before any verification); and
        // encodings other than base64url (RFC 7515 §2).
        cases.push(("huge token", format!("{real_head}.{}.{real_sig}", "A".repeat(30_000))));
        cases.push((
            "standard base64 padding",
            format!("{}.{}.{}", STANDARD.encode(r#"{"alg":"HS256"}"#), STANDARD.encode(alice.to_string()), real_sig),
        ));
        cases.push(("not JSON", format!("{}.{}.{real_sig}", URL_SAFE_NO_PAD.encode("alg=HS256"), real_body)));
        // Correctly signed with the real secret, but claims that must not pass.
        let signed = |changes: Value| hs256(secret, &claims_with("alice", changes));
        // Clock-skew edges (RFC 7519 §4.1.4–4.1.6, 60 s leeway): just past the leeway on each side.
        cases.push(("exp 65 s ago", signed(json!({ "exp": now - 65, "iat": now - 1000 }))));
        cases.push(("nbf in 65 s", signed(json!({ "nbf": now + 65 }))));
        cases.push(("iat in 65 s", signed(json!({ "iat": now + 65 }))));
        cases.push(("exp far past", signed(json!({ "exp": 1 }))));
        cases.push(("exp negative", signed(json!({ "exp": -1 }))));
        cases.push(("exp as float overflow", signed(json!({ "exp": 1e300 }))));
        cases.push(("sub not a string", signed(json!({ "sub": 42 }))));
        // A subject that could not be a path segment or a stored value (NUL breaks PostgreSQL text).
        cases.push(("sub with NUL", signed(json!({ "sub": "alice\u{0}" }))));
        cases.push(("sub with a newline", signed(json!({ "sub": "alice\nbob" }))));
        cases.push(("sub too long", signed(json!({ "sub": "a".repeat(256) }))));
        // OWASP API2: claims from another issuer or audience, even when correctly signed.
        cases.push(("foreign issuer", signed(json!({ "iss": "http://localhost:3001" }))));
        cases.push(("foreign audience", signed(json!({ "aud": ["http://evil.example"] }))));
        cases
    }
}

#[tokio::test]
async fn published_jwt_attacks_are_refused_and_change_nothing() {
    let target = Target::start().await;
    let app = &target.app;
    for (why, token) in &target.catalogue() {
        let response = app
            .request(Method::POST, "/api/alice/tasks", Some(token))
            .json(&json!({ "title": "should not exist" }))
            .send()
            .await
            .unwrap();
        assert_token_refused(response, token, why).await;
    }

    // Nothing was created, nothing was dropped, and the real tokens still work.
    for token in target.real_tokens() {
        let response = app.request(Method::GET, "/api/alice/tasks", Some(&token)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.json::<Vec<Value>>().await.unwrap(), Vec::<Value>::new());
    }
}

/// The tag list names what a person files tasks under (SPEC: `GET /api/{user_id}/tags`);
/// a forged token must not read it any more than the tasks themselves.
#[tokio::test]
async fn published_jwt_attacks_cannot_read_the_tag_list() {
    let target = Target::start().await;
    let app = &target.app;
    let created = app.create("alice", json!({ "title": "Plan the surprise", "tags": ["Surprise-Party"] })).await;
    assert_eq!(created.status(), 201);
    let before = app.tags_ok("alice").await;
    assert_eq!(before, json!([{ "name": "Surprise-Party", "count": 1 }]));

    for (why, token) in &target.catalogue() {
        let response = app.request(Method::GET, "/api/alice/tags", Some(token)).send().await.unwrap();
        assert_token_refused(response, token, why).await;
    }

    // The list is still there, unchanged, for each of alice's real tokens.
    for token in target.real_tokens() {
        let response = app.request(Method::GET, "/api/alice/tags", Some(&token)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.json::<Value>().await.unwrap(), before);
    }
}

/// A person's lists (names, colours, counts) and their order: a forged token
/// neither reads them nor changes them.
#[tokio::test]
async fn published_jwt_attacks_cannot_read_or_change_the_lists() {
    let target = Target::start().await;
    let app = &target.app;
    let list = app.create_list("alice", json!({ "name": "Surprise party" })).await.json::<Value>().await.unwrap();
    let task = app.create_ok("alice", "Buy balloons").await;
    let before = serde_json::to_value(app.lists_ok("alice").await).unwrap();
    let id = list["id"].as_i64().unwrap();
    for (why, token) in &target.catalogue() {
        for (method, path, body) in [
            (Method::GET, "/api/alice/lists".to_owned(), None),
            (Method::POST, "/api/alice/lists".to_owned(), Some(json!({ "name": "planted" }))),
            (Method::PATCH, format!("/api/alice/lists/{id}"), Some(json!({ "name": "hijacked" }))),
            (Method::DELETE, format!("/api/alice/lists/{id}?tasks=delete"), None),
            (Method::POST, format!("/api/alice/lists/{id}/move"), Some(json!({ "after": null }))),
            (Method::POST, format!("/api/alice/tasks/{}/move", task.id), Some(json!({ "list_id": id }))),
        ] {
            let mut request = app.request(method, &path, Some(token));
            if let Some(body) = body {
                request = request.json(&body);
            }
            assert_token_refused(request.send().await.unwrap(), token, why).await;
        }
    }
    assert_eq!(serde_json::to_value(app.lists_ok("alice").await).unwrap(), before);
    assert_eq!(app.get("alice", task.id).await.json::<Value>().await.unwrap()["list_id"], Value::Null);
}
