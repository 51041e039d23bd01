//! Human dates for `--due` and `--remind`, in the local time zone.
//!
//! `interim` reads the words (`tomorrow`, `fri 17:00`, `3 days`, `2026-12-24`,
//! `next monday`); the wall-clock date and time it finds are then placed in the
//! local IANA zone with the domain crate's time zone database, so a time in a
//! DST gap moves forward as the API's recurrence does. Without a time of day a
//! due date is all-day (the web app does the same), and a reminder is at 09:00.

use jiff::civil::{Date, DateTime};
use jiff::{Timestamp, ZonedDateTime};
use todo_domain::Zone;

use crate::error::CliError;

/// The zone local times are read and shown in: `TZ` when it names an IANA zone,
/// else the system's (`/etc/localtime`), else UTC.
pub fn local_zone() -> Zone {
    if let Ok(tz) = std::env::var("TZ") {
        if let Ok(zone) = Zone::parse(tz.trim_start_matches(':')) {
            return zone;
        }
    }
    iana_time_zone::get_timezone().ok().and_then(|name| Zone::parse(&name).ok()).unwrap_or_else(Zone::utc)
}

/// A moment a person named: an instant, and whether only its date counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct When {
    pub at: Timestamp,
    pub all_day: bool,
}

const EXAMPLES: &str = "try tomorrow, \"fri 17:00\", \"in 3 days\" or 2026-12-24";

/// Whether the words name a time of day (`17:00`, `5pm`, `in 2 hours`, `now`),
/// not only a date.
fn names_a_time(text: &str) -> bool {
    let lower = text.to_ascii_lowercase();
    lower.contains(':')
        || lower.split(|c: char| !c.is_ascii_alphanumeric()).any(|word| {
            matches!(
                word,
                "now"
                    | "noon"
                    | "midnight"
                    | "hour"
                    | "hours"
                    | "hr"
                    | "hrs"
                    | "h"
                    | "minute"
                    | "minutes"
                    | "min"
                    | "mins"
                    | "m"
            ) || (word.ends_with("am") || word.ends_with("pm"))
                && word[..word.len() - 2].chars().all(|c| c.is_ascii_digit())
                && word.len() > 2
        })
}

/// Reads `text` as a date, relative to `now` in `now`'s zone.
pub fn parse_when(text: &str, now: &ZonedDateTime) -> Result<When, CliError> {
    let trimmed = text.trim();
    // interim reads "3 days" but not "in 3 days".
    let words = trimmed.strip_prefix("in ").or_else(|| trimmed.strip_prefix("In ")).unwrap_or(trimmed);
    let cannot = || CliError::usage(format!("Cannot read {trimmed:?} as a date; {EXAMPLES}."));
    if words.is_empty() {
        return Err(cannot());
    }
    let offset = chrono::FixedOffset::east_opt(now.offset().seconds()).ok_or_else(cannot)?;
    let civil = now.datetime();
    let chrono_now = chrono::NaiveDate::from_ymd_opt(civil.year().into(), civil.month() as u32, civil.day() as u32)
        .and_then(|d| d.and_hms_opt(civil.hour() as u32, civil.minute() as u32, civil.second() as u32))
        .and_then(|naive| naive.and_local_timezone(offset).single())
        .ok_or_else(cannot)?;
    let found = interim::parse_date_string(words, chrono_now, interim::Dialect::Uk).map_err(|_| cannot())?;
    let naive = found.naive_local();
    use chrono::{Datelike, Timelike};
    let date = Date::new(naive.year() as i16, naive.month() as i8, naive.day() as i8).map_err(|_| cannot())?;
    let zone = now.time_zone();
    if !names_a_time(words) {
        let at = zone.to_zoned_datetime(date.to_datetime(jiff::civil::Time::midnight())).map_err(|_| cannot())?;
        return Ok(When { at: at.timestamp(), all_day: true });
    }
    let wall = DateTime::new(
        date.year(),
        date.month(),
        date.day(),
        naive.hour() as i8,
        naive.minute() as i8,
        naive.second() as i8,
        0,
    )
    .map_err(|_| cannot())?;
    let at = zone.to_zoned_datetime(wall).map_err(|_| cannot())?;
    Ok(When { at: at.timestamp(), all_day: false })
}

/// A reminder: a date alone means 09:00 that day.
pub fn parse_reminder(text: &str, now: &ZonedDateTime) -> Result<Timestamp, CliError> {
    let when = parse_when(text, now)?;
    if !when.all_day {
        return Ok(when.at);
    }
    let date = when.at.to_zoned_datetime(now.time_zone().clone()).date();
    let nine = date.at(9, 0, 0, 0);
    now.time_zone()
        .to_zoned_datetime(nine)
        .map(|z| z.timestamp())
        .map_err(|_| CliError::usage(format!("Cannot place 09:00 on {date} in the local time zone.")))
}

/// Whether `text` means "no date" (to clear one with `edit`).
pub fn is_none_word(text: &str) -> bool {
    matches!(text.trim().to_ascii_lowercase().as_str(), "none" | "never" | "no" | "clear" | "-")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Friday 2026-12-04, 10:30 in Berlin.
    fn now() -> ZonedDateTime {
        let zone = Zone::parse("Europe/Berlin").unwrap();
        zone.tz().to_zoned_datetime(DateTime::new(2026, 12, 4, 10, 30, 0, 0).unwrap()).unwrap()
    }

    fn local(when: &When) -> String {
        let z = when.at.to_zoned_datetime(now().time_zone().clone());
        format!("{} {}{}", z.date(), z.time().strftime("%H:%M"), if when.all_day { " all-day" } else { "" })
    }

    #[test]
    fn reads_the_examples_of_the_help() {
        let cases = [
            ("tomorrow", "2026-12-05 00:00 all-day"),
            // On a Friday morning, "fri" is this afternoon.
            ("fri 17:00", "2026-12-04 17:00"),
            ("mon 09:00", "2026-12-07 09:00"),
            ("in 3 days", "2026-12-07 00:00 all-day"),
            ("2026-12-24", "2026-12-24 00:00 all-day"),
            ("2026-12-24 16:00", "2026-12-24 16:00"),
            ("today 18:00", "2026-12-04 18:00"),
            ("in 2 hours", "2026-12-04 12:30"),
        ];
        for (text, expected) in cases {
            assert_eq!(local(&parse_when(text, &now()).unwrap()), expected, "{text}");
        }
    }

    #[test]
    fn places_a_time_in_the_local_zone() {
        let when = parse_when("2026-12-24 16:00", &now()).unwrap();
        assert_eq!(when.at.to_string(), "2026-12-24T15:00:00Z");
        // Summer time: the same wall clock is an hour earlier in UTC.
        let when = parse_when("2027-07-01 16:00", &now()).unwrap();
        assert_eq!(when.at.to_string(), "2027-07-01T14:00:00Z");
    }

    #[test]
    fn a_reminder_on_a_date_alone_is_at_nine() {
        assert_eq!(parse_reminder("2026-12-24", &now()).unwrap().to_string(), "2026-12-24T08:00:00Z");
        assert_eq!(parse_reminder("2026-12-24 07:15", &now()).unwrap().to_string(), "2026-12-24T06:15:00Z");
    }

    #[test]
    fn says_what_it_cannot_read() {
        let error = parse_when("someday", &now()).unwrap_err();
        assert!(matches!(error, CliError::Usage(_)));
        assert!(error.to_string().starts_with("Cannot read \"someday\" as a date; try tomorrow"), "{error}");
    }
}
