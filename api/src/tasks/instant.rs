//! Instants as the task API takes and keeps them: RFC 3339 in, UTC at the
//! microsecond both stores hold, years 0001–9999; and the crossing to the domain's
//! `jiff` timestamps, in which the task rules compute.

use chrono::{DateTime, Datelike, SubsecRound, Utc};
use todo_domain::jiff::Timestamp;

/// An RFC 3339 instant with any offset, kept in UTC at the microsecond both stores hold.
pub fn parse_instant(text: &str) -> Result<DateTime<Utc>, String> {
    let instant = DateTime::parse_from_rfc3339(text)
        .map_err(|_| "must be an RFC 3339 date-time, e.g. 2026-12-24T16:00:00Z".to_owned())?
        .with_timezone(&Utc);
    if !in_stored_years(&instant) {
        return Err("must be between the years 0001 and 9999".into());
    }
    Ok(instant.trunc_subsecs(6))
}

/// Whether an instant falls in the years both stores (and RFC 3339) hold: 0001–9999.
pub fn in_stored_years(time: &DateTime<Utc>) -> bool {
    (1..=9999).contains(&time.year())
}

/// The same instant for the domain's rules; `None` outside jiff's range (never for a stored year).
pub fn to_timestamp(time: DateTime<Utc>) -> Option<Timestamp> {
    Timestamp::from_microsecond(time.timestamp_micros()).ok()
}

/// The domain's instant back in the API's type.
pub fn from_timestamp(time: Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp_micros(time.as_microsecond())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn instants_take_any_offset_and_come_back_in_utc() {
        let instant = parse_instant("2026-12-24T17:00:00.1234567+01:00").unwrap();
        assert_eq!(instant.to_rfc3339(), "2026-12-24T16:00:00.123456+00:00");
        assert!(parse_instant("2026-12-24").is_err());
        assert!(parse_instant("0000-12-31T23:00:00-02:00").is_ok(), "year 0001 in UTC");
        assert!(parse_instant("0000-12-31T23:00:00Z").is_err());
    }
}
