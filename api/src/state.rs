//! The state every router shares. Its own module, so that the routers (tasks,
//! health, security events) and `app.rs`, which assembles them, do not import each other.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::auth::AuthState;
use crate::db::Db;
use crate::tasks::limits::UserLimits;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub db: Db,
    pub auth: AuthState,
    pub limits: Arc<UserLimits>,
}
