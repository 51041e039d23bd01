//! The attack catalogue: tokens crafted after published JWT attacks. Each must get
//! 401 and change nothing. Sources: RFC 8725 (JWT Best Current Practices), OWASP
//! API Security Top 10 (2023) API2 "Broken Authentication", and the CVEs named.

use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use jsonwebtoken::{crypto, Algorithm, EncodingKey};
use reqwest::Method;
use serde_json::{json, Value};

use crate::auth::{assert_refused, b64, raw_token, sign_hs};
use crate::helpers::{claims, hs256, now_secs, random_secret, spawn_app_with, JwksServer, Options, SigningKey};

/// Signs the exact header and claims bytes given, with any key and algorithm.
fn sign_raw(header_json: &str, claims_json: &str, key: &EncodingKey, alg: Algorithm) -> String {
    let input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header_json), URL_SAFE_NO_PAD.encode(claims_json));
    let signature = crypto::sign(input.as_bytes(), key, alg).unwrap();
    format!("{input}.{signature}")
}

fn with(changes: Value) -> Value {
    let mut c = claims("alice");
    for (k, v) in changes.as_object().unwrap() {
        if v.is_null() {
            c.as_object_mut().unwrap().remove(k);
        } else {
            c[k] = v.clone();
        }
    }
    c
}

#[tokio::test]
async fn published_jwt_attacks_are_refused_and_change_nothing() {
    let ed = SigningKey::ed25519("ed-1");
    let ec = SigningKey::es256("ec-1");
    let rs = SigningKey::rsa(Algorithm::RS256, "rs-1");
    let server = JwksServer::start(&[&ed, &ec, &rs]).await;
    let secret = random_secret();
    // Both verifiers on: the widest surface an attacker can get.
    let app = spawn_app_with(Options { secret: Some(secret.clone()), jwks_url: Some(server.url.clone()), ..Options::default() }).await;
    let alice = claims("alice");
    let now = now_secs();
    let real = hs256(&secret, &alice);
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

    let mut cases: Vec<(&str, String)> = Vec::new();

    // RFC 8725 §2.1, §3.1; CVE-2015-9235 (jsonwebtoken for Node): "alg": "none" in every casing,
    // with and without a signature.
    for alg in ["none", "None", "NONE", "nOnE", "NoNe", " none", "none "] {
        cases.push(("alg none", raw_token(&json!({ "alg": alg, "typ": "JWT" }), &alice, b"")));
        cases.push(("alg none with a signature", format!("{}.{real_body}.{real_sig}", b64(&json!({ "alg": alg })))));
    }
    // RFC 8725 §2.1 (signature stripping): the real header and claims without their signature.
    cases.push(("empty signature", format!("{real_head}.{real_body}.")));
    cases.push(("no signature part", format!("{real_head}.{real_body}")));
    cases.push(("signature of another token", format!("{real_head}.{}.{real_sig}", b64(&with(json!({ "sub": "bob" }))))));
    // RFC 8725 §2.1, §3.1; CVE-2016-10555 (HS/RS key confusion): HS256 keyed with public key material.
    for key in &public_key_materials {
        for kid in ["ed-1", "rs-1"] {
            cases.push(("HS256 keyed with a public key", sign_hs(&json!({ "alg": "HS256", "kid": kid }), &alice, key)));
        }
    }
    // CVE-2022-21449 ("psychic signatures"): an ECDSA signature with r = s = 0.
    cases.push(("ES256 r=s=0", raw_token(&json!({ "alg": "ES256", "kid": "ec-1" }), &alice, &[0u8; 64])));
    cases.push(("ES256 empty", raw_token(&json!({ "alg": "ES256", "kid": "ec-1" }), &alice, b"")));
    cases.push(("EdDSA all zero", raw_token(&json!({ "alg": "EdDSA", "kid": "ed-1" }), &alice, &[0u8; 64])));
    // RFC 8725 §3.10 / OWASP JWT cheat sheet: `kid` carrying paths, SQL or control characters.
    for kid in ["../../../../../../dev/null", "/etc/passwd", "' OR '1'='1", "ed-1' --", "x'; DROP TABLE tasks; --", "ed-1\u{0}", "", "%2e%2e%2f"] {
        cases.push(("kid injection (HS256, empty key)", sign_hs(&json!({ "alg": "HS256", "kid": kid }), &alice, b"")));
        cases.push(("kid injection (EdDSA)", {
            let header = json!({ "alg": "EdDSA", "kid": kid });
            sign_raw(&header.to_string(), &alice.to_string(), &attacker.encoding, Algorithm::EdDSA)
        }));
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
        cases.push(("key from the token header", sign_raw(&header.to_string(), &alice.to_string(), &attacker.encoding, Algorithm::EdDSA)));
        let header = json!({ "alg": "HS256", name: value });
        cases.push(("key from the token header (HS256, real secret)", sign_hs(&header, &alice, secret.as_bytes())));
    }
    // RFC 7515 §4.1.11: `crit` names extensions that must be understood; we support none.
    cases.push(("crit", sign_hs(&json!({ "alg": "HS256", "crit": ["b64"], "b64": false }), &alice, secret.as_bytes())));
    cases.push(("crit empty", sign_hs(&json!({ "alg": "HS256", "crit": [] }), &alice, secret.as_bytes())));
    // RFC 7519 §5.2/§7.2 nested tokens: a valid inner token wrapped in an outer one the attacker signed.
    cases.push(("nested JWT", {
        let header = json!({ "alg": "EdDSA", "kid": "ed-1", "cty": "JWT" });
        let input = format!("{}.{}", b64(&header), URL_SAFE_NO_PAD.encode(&real));
        let signature = crypto::sign(input.as_bytes(), &attacker.encoding, Algorithm::EdDSA).unwrap();
        format!("{input}.{signature}")
    }));
    cases.push(("nested JWT as payload string", sign_hs(&json!({ "alg": "HS256", "cty": "JWT" }), &json!(real), secret.as_bytes())));
    // RFC 7516: JWE compact serialization (five parts); encrypted tokens are not accepted.
    cases.push(("JWE", format!("{}.{}.{}.{}.{}", b64(&json!({ "alg": "dir", "enc": "A256GCM" })), "", "AAAA", "AAAA", "AAAA")));
    cases.push(("JWE with RSA-OAEP", format!("{}.AAAA.AAAA.AAAA.AAAA", b64(&json!({ "alg": "RSA-OAEP", "enc": "A128GCM", "kid": "rs-1" })))));
    // RFC 7515 §4 / RFC 8259 §4: duplicate member names, signed with the real secret, so a
    // parser differential cannot pick the "other" value.
    cases.push(("duplicate alg", sign_raw(r#"{"alg":"none","alg":"HS256"}"#, &alice.to_string(), &EncodingKey::from_secret(secret.as_bytes()), Algorithm::HS256)));
    cases.push(("duplicate sub", {
        let body = alice.to_string().replacen('{', r#"{"sub":"bob","#, 1);
        sign_raw(r#"{"alg":"HS256"}"#, &body, &EncodingKey::from_secret(secret.as_bytes()), Algorithm::HS256)
    }));
    cases.push(("duplicate exp", {
        let body = alice.to_string().replacen('{', &format!(r#"{{"exp":{},"#, now + 10_000_000), 1);
        sign_raw(r#"{"alg":"HS256"}"#, &body, &EncodingKey::from_secret(secret.as_bytes()), Algorithm::HS256)
    }));
    // Resource exhaustion (OWASP API4): huge tokens; and encodings other than base64url (RFC 7515 §2).
    cases.push(("huge token", format!("{real_head}.{}.{real_sig}", "A".repeat(100_000))));
    cases.push(("standard base64 padding", format!("{}.{}.{}", STANDARD.encode(r#"{"alg":"HS256"}"#), STANDARD.encode(alice.to_string()), real_sig)));
    cases.push(("not JSON", format!("{}.{}.{real_sig}", URL_SAFE_NO_PAD.encode("alg=HS256"), real_body)));
    // Clock-skew edges (RFC 7519 §4.1.4–4.1.6, 60 s leeway): just past the leeway on each side.
    cases.push(("exp 65 s ago", hs256(&secret, &with(json!({ "exp": now - 65, "iat": now - 1000 })))));
    cases.push(("nbf in 65 s", hs256(&secret, &with(json!({ "nbf": now + 65 })))));
    cases.push(("iat in 65 s", hs256(&secret, &with(json!({ "iat": now + 65 })))));
    cases.push(("exp far past", hs256(&secret, &with(json!({ "exp": 1 })))));
    cases.push(("exp negative", hs256(&secret, &with(json!({ "exp": -1 })))));
    cases.push(("exp as float overflow", hs256(&secret, &with(json!({ "exp": 1e300 })))));
    cases.push(("sub not a string", hs256(&secret, &with(json!({ "sub": 42 })))));
    // A subject that could not be a path segment or a stored value (NUL breaks PostgreSQL text).
    cases.push(("sub with NUL", hs256(&secret, &with(json!({ "sub": "alice\u{0}" })))));
    cases.push(("sub with a newline", hs256(&secret, &with(json!({ "sub": "alice\nbob" })))));
    cases.push(("sub too long", hs256(&secret, &with(json!({ "sub": "a".repeat(256) })))));
    // OWASP API2: claims from another issuer or audience, even when correctly signed.
    cases.push(("foreign issuer", hs256(&secret, &with(json!({ "iss": "http://localhost:3001" })))));
    cases.push(("foreign audience", hs256(&secret, &with(json!({ "aud": ["http://evil.example"] })))));

    for (why, token) in &cases {
        assert_refused(&app, token, why).await;
    }

    // Nothing was created, nothing was dropped, and the real tokens still work.
    for token in [real.clone(), ed.sign(&alice), ec.sign(&alice), rs.sign(&alice)] {
        let response = app.request(Method::GET, "/api/alice/tasks", Some(&token)).send().await.unwrap();
        assert_eq!(response.status(), 200);
        assert_eq!(response.json::<Vec<Value>>().await.unwrap(), Vec::<Value>::new());
    }
}
