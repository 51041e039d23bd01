//! What a task is made of, parsed once at the edge (parse, don't validate): no
//! HTTP and no SQL here, so the API and the command line share the same rules.

pub mod list;
pub mod priority;
pub mod recurrence;
pub mod tags;
pub mod task;
pub mod text;
pub mod time_zone;
pub mod view;

pub use jiff;
pub use list::{Color, ListName};
pub use priority::Priority;
pub use recurrence::Recurrence;
pub use tags::{Tag, Tags};
pub use task::{Completion, Refusal, Schedule};
pub use text::{fold, Description, Title};
pub use time_zone::Zone;
pub use view::View;
