//! What one user may ask of the store at a time, so no one account can slow
//! down everyone else: a cap on the tasks one user keeps, and on the searches
//! one user has running at once (a search reads every task it cannot rule out
//! by an index, and would otherwise be free to occupy every store thread).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::ApiError;

#[derive(Debug)]
pub struct UserCaps {
    pub max_tasks: u64,
    max_searches: u32,
    searches: Mutex<HashMap<String, u32>>,
}

/// One running search; the slot is given back when it is dropped (the request
/// finished, timed out, or its client went away).
#[derive(Debug)]
pub struct SearchSlot {
    caps: Arc<UserCaps>,
    user: String,
}

impl UserCaps {
    pub fn new(max_tasks: u64, max_searches: u32) -> Self {
        Self { max_tasks, max_searches, searches: Mutex::new(HashMap::new()) }
    }

    /// A slot for one more search by `user`, or a 429 at once when all of theirs are taken.
    pub fn start_search(self: &Arc<Self>, user: &str) -> Result<SearchSlot, ApiError> {
        let mut searches = self.searches.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        let running = searches.entry(user.to_owned()).or_insert(0);
        if *running >= self.max_searches {
            return Err(ApiError::Busy(format!(
                "you already have {} searches running; try again when they are done",
                self.max_searches
            )));
        }
        *running += 1;
        Ok(SearchSlot { caps: self.clone(), user: user.to_owned() })
    }
}

impl Drop for SearchSlot {
    fn drop(&mut self) {
        let mut searches = self.caps.searches.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if let Some(running) = searches.get_mut(&self.user) {
            *running -= 1;
            if *running == 0 {
                searches.remove(&self.user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_user_has_their_own_searches_and_slots_come_back() {
        let caps = Arc::new(UserCaps::new(10, 2));
        let first = caps.start_search("alice").unwrap();
        let _second = caps.start_search("alice").unwrap();
        assert!(matches!(caps.start_search("alice"), Err(ApiError::Busy(_))));
        let _bob = caps.start_search("bob").expect("another user is not held up");
        drop(first);
        let _third = caps.start_search("alice").expect("a finished search gives its slot back");
        drop(_third);
        drop(_second);
        drop(_bob);
        assert!(caps.searches.lock().unwrap().is_empty(), "nothing kept for users with no search running");
    }
}
