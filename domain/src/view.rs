//! The views (Today, Upcoming, Overdue, No date): which due dates each one
//! holds, decided here once so that every client shows the same tasks.
//!
//! A view is a window in a person's calendar (the zone they ask in), computed
//! at the moment of the request. Timed tasks fall in it by their instant;
//! all-day tasks by their calendar date in their own zone ([`calendar_date`]),
//! compared with the person's today.

use jiff::civil::Date;
use jiff::tz::TimeZone;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

/// `today`, `upcoming`, `overdue`, `no_date`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum View {
    /// Due within the local day (a task due earlier today is also overdue).
    Today,
    /// Due from tomorrow's start on.
    Upcoming,
    /// Open and due before now.
    Overdue,
    /// No due date.
    NoDate,
}

impl View {
    pub const ALL: [View; 4] = [View::Today, View::Upcoming, View::Overdue, View::NoDate];

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Today => "today",
            Self::Upcoming => "upcoming",
            Self::Overdue => "overdue",
            Self::NoDate => "no_date",
        }
    }

    /// The window this view is at `now` for a person whose calendar is `zone`.
    pub fn window(self, now: Timestamp, zone: &TimeZone) -> Window {
        let today = zone.to_datetime(now).date();
        match self {
            Self::Today => {
                Window::Today { start: day_start(today, zone), end: day_start(next_day(today), zone), date: today }
            }
            Self::Upcoming => Window::Upcoming { from: day_start(next_day(today), zone), today },
            Self::Overdue => Window::Overdue { now, today },
            Self::NoDate => Window::NoDate,
        }
    }
}

/// Which due dates a view holds: timed tasks by instant, all-day tasks by date.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Window {
    /// Timed: `start` ≤ due < `end`; all-day: due on `date`.
    Today { start: Timestamp, end: Timestamp, date: Date },
    /// Timed: due ≥ `from` (tomorrow's start); all-day: due after `today`.
    Upcoming { from: Timestamp, today: Date },
    /// Open tasks only. Timed: due < `now`; all-day: due before `today`.
    Overdue { now: Timestamp, today: Date },
    /// No due date.
    NoDate,
}

/// What of a task a view looks at.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DueFacts {
    pub completed: bool,
    /// `None`: no due date. For an all-day task, its [`calendar_date`].
    pub due: Option<Due>,
}

/// When a task is due.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Due {
    At(Timestamp),
    /// All day on this date (in the task's own zone).
    On(Date),
}

impl Window {
    /// Whether a task with these facts is in the window (the stores say the same in SQL).
    pub fn contains(&self, task: DueFacts) -> bool {
        match (self, task.due) {
            (Window::NoDate, due) => due.is_none(),
            (_, None) => false,
            (Window::Today { start, end, .. }, Some(Due::At(at))) => *start <= at && at < *end,
            (Window::Today { date, .. }, Some(Due::On(on))) => on == *date,
            (Window::Upcoming { from, .. }, Some(Due::At(at))) => at >= *from,
            (Window::Upcoming { today, .. }, Some(Due::On(on))) => on > *today,
            (Window::Overdue { now, .. }, Some(Due::At(at))) => !task.completed && at < *now,
            (Window::Overdue { today, .. }, Some(Due::On(on))) => !task.completed && on < *today,
        }
    }
}

/// The calendar date an all-day task is due on: the date of `due` in its own zone.
pub fn calendar_date(due: Timestamp, zone: &TimeZone) -> Date {
    zone.to_datetime(due).date()
}

/// The date as the number both stores keep for an all-day task: `YYYYMMDD`, so that
/// integers order as dates do (years 1–9999).
pub fn date_number(date: Date) -> i32 {
    i32::from(date.year()) * 10_000 + i32::from(date.month()) * 100 + i32::from(date.day())
}

/// The first instant of `date` in `zone`: midnight, or the first time after a gap
/// (a zone that springs forward at midnight starts that day at 01:00).
fn day_start(date: Date, zone: &TimeZone) -> Timestamp {
    // "Compatible" resolution: out of a gap forward, the earlier of a fold.
    zone.to_timestamp(date.to_datetime(jiff::civil::Time::midnight())).unwrap_or(Timestamp::MAX)
}

/// The day after `date`; the last representable date stays itself.
fn next_day(date: Date) -> Date {
    date.tomorrow().unwrap_or(date)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> Timestamp {
        text.parse().unwrap()
    }

    fn zone(name: &str) -> TimeZone {
        jiff::tz::db().get(name).unwrap()
    }

    #[test]
    fn a_day_that_springs_forward_at_midnight_starts_at_one() {
        // Chile moves its clocks from 00:00 to 01:00 on 2026-09-06.
        let window = View::Today.window(at("2026-09-06T04:30:00Z"), &zone("America/Santiago"));
        assert_eq!(
            window,
            Window::Today {
                start: at("2026-09-06T04:00:00Z"),
                end: at("2026-09-07T03:00:00Z"),
                date: Date::new(2026, 9, 6).unwrap(),
            }
        );
    }

    #[test]
    fn all_day_tasks_count_by_their_own_date() {
        let now = at("2026-09-06T04:30:00Z");
        let chicago = zone("America/Chicago"); // 23:30 on the 5th there
        let sept_5 = DueFacts { completed: false, due: Some(Due::On(Date::new(2026, 9, 5).unwrap())) };
        assert!(View::Today.window(now, &chicago).contains(sept_5));
        assert!(!View::Overdue.window(now, &chicago).contains(sept_5), "due today is not overdue yet");
        assert!(View::Overdue.window(now, &zone("America/Santiago")).contains(sept_5));
        let auckland = calendar_date(at("2026-09-05T12:00:00Z"), &zone("Pacific/Auckland"));
        assert_eq!(auckland, Date::new(2026, 9, 6).unwrap());
        assert!(View::Upcoming
            .window(now, &chicago)
            .contains(DueFacts { completed: false, due: Some(Due::On(auckland)) }));
    }

    #[test]
    fn a_task_due_earlier_today_is_today_and_overdue_while_open() {
        let now = at("2026-09-06T04:30:00Z");
        let utc = TimeZone::UTC;
        let earlier = DueFacts { completed: false, due: Some(Due::At(at("2026-09-06T02:00:00Z"))) };
        assert!(View::Today.window(now, &utc).contains(earlier));
        assert!(View::Overdue.window(now, &utc).contains(earlier));
        assert!(!View::Overdue.window(now, &utc).contains(DueFacts { completed: true, ..earlier }));
        assert!(!View::Upcoming.window(now, &utc).contains(earlier));
        assert!(View::NoDate.window(now, &utc).contains(DueFacts { completed: true, due: None }));
        assert!(!View::Today.window(now, &utc).contains(DueFacts { completed: false, due: None }));
    }

    #[test]
    fn date_numbers_order_as_dates() {
        assert_eq!(date_number(Date::new(2026, 9, 6).unwrap()), 20_260_906);
        assert!(date_number(Date::new(1, 1, 1).unwrap()) < date_number(Date::new(9999, 12, 31).unwrap()));
    }
}
