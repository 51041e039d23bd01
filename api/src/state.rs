//! The state every router shares. Its own module, so that the routers (tasks,
//! health, security events) and `app.rs`, which assembles them, do not import each other.

use std::sync::Arc;

use axum::extract::FromRef;

use crate::auth::AuthState;
use crate::db::Db;
use crate::tasks::user_caps::UserCaps;

#[derive(Clone, FromRef)]
pub struct AppState {
    pub db: Db,
    pub auth: AuthState,
    pub caps: Arc<UserCaps>,
    pub clock: Clock,
}

/// The time the views are computed at: the system's, or one fixed instant, so a
/// test can ask what Today holds just before or after a local midnight.
#[derive(Debug, Clone, Copy, Default)]
pub enum Clock {
    #[default]
    System,
    Fixed(todo_domain::jiff::Timestamp),
}

impl Clock {
    pub fn now(self) -> todo_domain::jiff::Timestamp {
        match self {
            Self::System => todo_domain::jiff::Timestamp::now(),
            Self::Fixed(now) => now,
        }
    }
}
