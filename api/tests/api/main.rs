//! Black-box tests: the real application on a real port, over a real store.
//!
//! The store is SQLite (a fresh file per test) unless `TEST_DATABASE_URL` names a
//! PostgreSQL database, in which case every test gets a schema of its own.

mod attacks;
mod auth;
mod connection_limits;
mod contract;
mod errors;
mod events;
mod fairness;
mod helpers;
mod jwks;
mod list;
mod lists;
mod metrics;
mod openapi_document;
mod organize;
mod ownership;
mod properties;
mod search;
mod tasks;
mod upgrade;

// Shared with the process-level test binaries (faults.rs, scale_out.rs).
#[path = "../support/mod.rs"]
mod support;
