//! Mints an HS256 token the way the web app's Better Auth does, for trying the API with curl.
//!
//! `cargo run -q -p todo-api --example mint_token -- --sub alice` (reads the root `.env`).

use std::time::{SystemTime, UNIX_EPOCH};

use clap::Parser;
use jsonwebtoken::{encode, EncodingKey, Header};
use serde_json::json;

#[derive(Parser)]
struct Args {
    /// The user id the token speaks for.
    #[arg(long, default_value = "demo-user")]
    sub: String,
    /// Lifetime in seconds.
    #[arg(long, default_value_t = 900)]
    ttl: u64,
    #[arg(long, env = "BETTER_AUTH_SECRET", hide_env_values = true)]
    secret: String,
    /// Put into `iss` and `aud`, as Better Auth does.
    #[arg(long, env = "BETTER_AUTH_URL")]
    url: Option<String>,
}

fn main() {
    let _ = dotenvy::dotenv();
    let args = Args::parse();
    let now = SystemTime::now().duration_since(UNIX_EPOCH).expect("clock after 1970").as_secs();
    let mut claims = json!({ "sub": args.sub, "iat": now, "exp": now + args.ttl });
    if let Some(url) = args.url {
        claims["iss"] = json!(url);
        claims["aud"] = json!(url);
    }
    let token = encode(&Header::default(), &claims, &EncodingKey::from_secret(args.secret.as_bytes()))
        .expect("HS256 signing cannot fail");
    println!("{token}");
}
