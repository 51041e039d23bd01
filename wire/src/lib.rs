//! The task API's JSON, as types: the task it answers, the bodies it takes and
//! the values of its list query.
//!
//! Both the API (`api/`) and the command line (`cli/`) depend on this crate
//! instead of each writing its own copy, so a field renamed or retyped here
//! fails to compile on both sides at once rather than drifting silently (the
//! web app gets the same guarantee from types generated out of
//! `api/openapi.json`; Rust generators for OpenAPI 3.1 are not mature yet).
//!
//! Only the shape lives here: what the values mean (titles, tags, recurrence)
//! is `todo-domain`'s, and the API parses each body into it. The OpenAPI schemas
//! are derived behind the `openapi` feature, which only the API turns on.

pub mod list;
pub mod lists;
pub mod request;
pub mod task;

pub use list::{ListFilter, SortKey, SortOrder, StatusFilter};
pub use lists::{CreateListRequest, List, Lists, MoveListRequest, MoveTaskRequest, UpdateListRequest};
#[cfg(feature = "openapi")]
pub use request::TagName;
pub use request::{CreateTaskRequest, SetCompletedRequest, UpdateTaskRequest};
pub use task::{TagCount, Task};
pub use todo_domain::{Color, Priority, View};
