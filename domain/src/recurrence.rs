//! Repeating tasks: a small, strict subset of RFC 5545 recurrence rules.
//!
//! Accepted: `FREQ=DAILY|WEEKLY|MONTHLY|YEARLY`, `INTERVAL`, `BYDAY` (weekly
//! only), `BYMONTHDAY` (monthly only), and `COUNT` or `UNTIL`. Everything else
//! is refused with a sentence saying what is wrong, so a rule that is stored is
//! a rule this module knows how to follow.
//!
//! A task stores only its due instant and its rule, never the series' first
//! date, so each occurrence is computed from the previous one. Two things
//! follow from that. `COUNT` counts the occurrences left (the next one carries
//! one less). And a date clamped to a shorter month stays clamped: monthly from
//! January 31 goes to February 28, then March 28; `BYMONTHDAY=31` (or `-1`)
//! is how a person says "the last day of every month".

use std::fmt;
use std::str::FromStr;

use jiff::civil::{Date, DateTime, Time, Weekday};
use jiff::tz::TimeZone;
use jiff::{Span, Timestamp};

/// Longest rule text accepted, in characters.
const MAX_RULE_CHARS: usize = 200;
const MAX_INTERVAL: u32 = 1000;
const MAX_COUNT: u32 = 10_000;

const SUPPORTED_PARTS: &str = "use FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT or UNTIL";
const NOT_NAME_VALUE: &str = "Each part of the rule must be NAME=VALUE, e.g. FREQ=WEEKLY";
const BAD_FREQ: &str = "FREQ must be DAILY, WEEKLY, MONTHLY or YEARLY";
const BAD_BYDAY: &str = "BYDAY must be a comma-separated list of MO, TU, WE, TH, FR, SA and SU";
const BAD_BYMONTHDAY: &str =
    "BYMONTHDAY must be a comma-separated list of days from 1 to 31, or -1 to -31 to count from the month's end";
const BAD_UNTIL: &str = "UNTIL must be a date (YYYYMMDD) or a UTC date-time (YYYYMMDDTHHMMSSZ)";

/// A parsed recurrence rule, e.g. `FREQ=WEEKLY;BYDAY=MO,TH`.
///
/// Its `Display` is the canonical text: uppercase; parts in the order FREQ,
/// INTERVAL (left out when 1), BYDAY (Monday to Sunday), BYMONTHDAY (positive
/// days ascending, then negative days ascending, e.g. `1,15,-2,-1`), then COUNT
/// or UNTIL in the form it was given. Parsing the canonical text gives an equal
/// value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurrence {
    frequency: Frequency,
    /// Every how many days/weeks/months/years: 1..=1000.
    interval: u32,
    /// Weekdays of a weekly rule, unique, Monday first; empty means "the
    /// weekday of the due date".
    by_day: Vec<Weekday>,
    /// Days of a monthly rule, unique, in canonical order; empty means "the day
    /// of the due date".
    by_month_day: Vec<i8>,
    end: End,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Frequency {
    Daily,
    Weekly,
    Monthly,
    Yearly,
}

/// When the series stops.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    Never,
    /// Occurrences left, the current one included: 1..=10000.
    Count(u32),
    /// The last local date (in the task's zone) an occurrence may fall on.
    UntilDate(Date),
    /// The last instant an occurrence may fall on, kept as the civil UTC
    /// date-time it was written as, so that every `YYYYMMDDTHHMMSSZ` prints back
    /// unchanged (some lie past the last instant a `Timestamp` can hold).
    UntilUtc(DateTime),
}

impl Recurrence {
    /// Parses a rule; the error is one plain sentence naming what is wrong.
    ///
    /// Names and values are case-insensitive, `RRULE:` may lead, surrounding
    /// whitespace and one trailing `;` are ignored.
    pub fn parse(text: &str) -> Result<Recurrence, String> {
        if text.chars().count() > MAX_RULE_CHARS {
            return Err(format!("The rule is longer than {MAX_RULE_CHARS} characters"));
        }
        // Only ASCII letters carry meaning, so uppercasing them alone is enough
        // to make every name and value case-insensitive.
        let upper = text.trim().to_ascii_uppercase();
        let body = upper.strip_prefix("RRULE:").unwrap_or(&upper);
        let body = body.strip_suffix(';').unwrap_or(body);
        if body.is_empty() {
            return Err("The rule is empty; it needs at least FREQ, e.g. FREQ=WEEKLY".to_owned());
        }

        let mut frequency = None;
        let mut interval = None;
        let mut by_day = None;
        let mut by_month_day = None;
        let mut count = None;
        let mut until = None;
        for part in body.split(';') {
            let Some((name, value)) = part.split_once('=') else {
                return Err(if part.is_empty() {
                    "The rule has an empty part between two semicolons".to_owned()
                } else {
                    NOT_NAME_VALUE.to_owned()
                });
            };
            match name {
                "FREQ" => set_once(&mut frequency, name, || parse_frequency(value))?,
                "INTERVAL" => set_once(&mut interval, name, || parse_whole_number(value, name, MAX_INTERVAL))?,
                "BYDAY" => set_once(&mut by_day, name, || parse_by_day(value))?,
                "BYMONTHDAY" => set_once(&mut by_month_day, name, || parse_by_month_day(value))?,
                "COUNT" => set_once(&mut count, name, || parse_whole_number(value, name, MAX_COUNT))?,
                "UNTIL" => set_once(&mut until, name, || parse_until(value))?,
                _ if is_part_name(name) => {
                    return Err(format!("{name} is not supported; {SUPPORTED_PARTS}"));
                }
                _ => return Err(NOT_NAME_VALUE.to_owned()),
            }
        }

        let frequency = frequency.ok_or_else(|| "FREQ is required: DAILY, WEEKLY, MONTHLY or YEARLY".to_owned())?;
        if by_day.is_some() && frequency != Frequency::Weekly {
            return Err("BYDAY is only supported with FREQ=WEEKLY".to_owned());
        }
        if by_month_day.is_some() && frequency != Frequency::Monthly {
            return Err("BYMONTHDAY is only supported with FREQ=MONTHLY".to_owned());
        }
        let end = match (count, until) {
            (Some(_), Some(_)) => {
                return Err("COUNT and UNTIL cannot be used together".to_owned());
            }
            (Some(count), None) => End::Count(count),
            (None, Some(until)) => until,
            (None, None) => End::Never,
        };
        Ok(Recurrence {
            frequency,
            interval: interval.unwrap_or(1),
            by_day: by_day.unwrap_or_default(),
            by_month_day: by_month_day.unwrap_or_default(),
            end,
        })
    }

    /// The occurrence after the one due at `due` in `zone`: its due instant and
    /// the rule it carries (COUNT one less; otherwise identical).
    ///
    /// The next date is found on the local calendar of `zone`, at the same local
    /// wall-clock time as `due`, so a 09:00 task stays at 09:00 when the clocks
    /// change. A time the clocks skip moves forward by the gap (02:30 on a
    /// spring-forward night becomes 03:30); a time they repeat takes the earlier
    /// instant. `None` when the series ends: COUNT=1, the next date is after
    /// UNTIL, or it would lie past the year 9999.
    pub fn next_after(&self, due: Timestamp, zone: &TimeZone) -> Option<(Timestamp, Recurrence)> {
        let end_after_next = match self.end {
            End::Count(left) if left <= 1 => return None,
            End::Count(left) => End::Count(left - 1),
            other => other,
        };
        let local = zone.to_datetime(due);
        let next_date = self.next_date(local.date())?;
        // `to_timestamp` resolves gaps and folds the "compatible" way (RFC 5545
        // and Temporal agree): forward out of a gap, the earlier of a fold.
        let next_due = zone.to_timestamp(next_date.to_datetime(local.time())).ok()?;
        let past_the_end = match self.end {
            End::UntilDate(last_date) => next_date > last_date,
            End::UntilUtc(last_utc) => TimeZone::UTC.to_datetime(next_due) > last_utc,
            End::Never | End::Count(_) => false,
        };
        if past_the_end {
            return None;
        }
        let carried = Recurrence { end: end_after_next, ..self.clone() };
        Some((next_due, carried))
    }

    /// The next date of the series after `date`, the current occurrence's
    /// local date; `None` past the calendar's end (year 9999).
    fn next_date(&self, date: Date) -> Option<Date> {
        let interval = i64::from(self.interval);
        match self.frequency {
            Frequency::Daily => add_days(date, interval),
            Frequency::Weekly if self.by_day.is_empty() => add_days(date, 7 * interval),
            Frequency::Weekly => self.next_listed_weekday(date),
            Frequency::Monthly if self.by_month_day.is_empty() => {
                day_in_month(first_of_month_after(date, interval)?, date.day())
            }
            Frequency::Monthly => self.next_listed_month_day(date),
            Frequency::Yearly => day_in_month(first_of_month_after(date, 12 * interval)?, date.day()),
        }
    }

    /// A later listed weekday in `date`'s Monday-started week, else the first
    /// listed weekday of the week `interval` weeks on.
    fn next_listed_weekday(&self, date: Date) -> Option<Date> {
        let today = date.weekday().to_monday_zero_offset();
        let listed = self.by_day.iter().map(|day| day.to_monday_zero_offset());
        if let Some(later) = listed.clone().find(|&day| day > today) {
            return add_days(date, i64::from(later - today));
        }
        let first_listed = listed.min()?;
        let monday = add_days(date, -i64::from(today))?;
        add_days(monday, 7 * i64::from(self.interval) + i64::from(first_listed))
    }

    /// A later listed day in `date`'s month, else the first listed day of the
    /// month `interval` months on.
    fn next_listed_month_day(&self, date: Date) -> Option<Date> {
        if let Some(later) = self.month_days(date.first_of_month()).into_iter().find(|&day| day > date) {
            return Some(later);
        }
        // Every listed day lands somewhere in every month (31 on the last day,
        // -31 on the first), so the next month always has a first date.
        let next_month = first_of_month_after(date, i64::from(self.interval))?;
        self.month_days(next_month).into_iter().next()
    }

    /// The listed days resolved in the month starting on `first`, in date
    /// order, each date once (31 and -1 can both mean the 30th).
    fn month_days(&self, first: Date) -> Vec<Date> {
        let month_length = first.days_in_month();
        let mut days: Vec<i8> = self
            .by_month_day
            .iter()
            .map(|&day| if day > 0 { day.min(month_length) } else { (month_length + 1 + day).max(1) })
            .collect();
        days.sort_unstable();
        days.dedup();
        days.into_iter().filter_map(|day| day_in_month(first, day)).collect()
    }
}

impl fmt::Display for Recurrence {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let frequency = match self.frequency {
            Frequency::Daily => "DAILY",
            Frequency::Weekly => "WEEKLY",
            Frequency::Monthly => "MONTHLY",
            Frequency::Yearly => "YEARLY",
        };
        write!(f, "FREQ={frequency}")?;
        if self.interval != 1 {
            write!(f, ";INTERVAL={}", self.interval)?;
        }
        if !self.by_day.is_empty() {
            let codes: Vec<&str> = self.by_day.iter().map(|&day| weekday_code(day)).collect();
            write!(f, ";BYDAY={}", codes.join(","))?;
        }
        if !self.by_month_day.is_empty() {
            let days: Vec<String> = self.by_month_day.iter().map(i8::to_string).collect();
            write!(f, ";BYMONTHDAY={}", days.join(","))?;
        }
        match self.end {
            End::Never => Ok(()),
            End::Count(count) => write!(f, ";COUNT={count}"),
            End::UntilDate(date) => write!(f, ";UNTIL={:04}{:02}{:02}", date.year(), date.month(), date.day()),
            End::UntilUtc(at) => write!(
                f,
                ";UNTIL={:04}{:02}{:02}T{:02}{:02}{:02}Z",
                at.year(),
                at.month(),
                at.day(),
                at.hour(),
                at.minute(),
                at.second()
            ),
        }
    }
}

impl FromStr for Recurrence {
    type Err = String;

    fn from_str(text: &str) -> Result<Recurrence, String> {
        Recurrence::parse(text)
    }
}

/// Fills `slot` with `parse()`'s value, refusing a part given twice (checked
/// first, so `FREQ=DAILY;FREQ=HOURLY` says "twice", not "HOURLY").
fn set_once<T>(slot: &mut Option<T>, name: &str, parse: impl FnOnce() -> Result<T, String>) -> Result<(), String> {
    if slot.is_some() {
        return Err(format!("{name} is given more than once"));
    }
    *slot = Some(parse()?);
    Ok(())
}

/// Whether an unknown `name` looks like a part name, and so can be quoted back
/// in the error without echoing arbitrary text.
fn is_part_name(name: &str) -> bool {
    (1..=20).contains(&name.len()) && name.bytes().all(|byte| byte.is_ascii_alphanumeric() || byte == b'-')
}

fn parse_frequency(value: &str) -> Result<Frequency, String> {
    match value {
        "DAILY" => Ok(Frequency::Daily),
        "WEEKLY" => Ok(Frequency::Weekly),
        "MONTHLY" => Ok(Frequency::Monthly),
        "YEARLY" => Ok(Frequency::Yearly),
        _ => Err(BAD_FREQ.to_owned()),
    }
}

/// Digits only (no sign), between 1 and `max`.
fn parse_whole_number(value: &str, name: &str, max: u32) -> Result<u32, String> {
    let refused = || format!("{name} must be a whole number from 1 to {max}");
    if value.is_empty() || !value.bytes().all(|byte| byte.is_ascii_digit()) {
        return Err(refused());
    }
    // Overflowing digit strings fail to parse, and so are refused too.
    match value.parse::<u32>() {
        Ok(number) if (1..=max).contains(&number) => Ok(number),
        _ => Err(refused()),
    }
}

fn parse_by_day(value: &str) -> Result<Vec<Weekday>, String> {
    let mut days = Vec::new();
    for item in value.split(',') {
        let Some(day) = weekday_from_code(item) else {
            // RFC 5545 allows "the second Monday" (2MO) or "the last Friday"
            // (-1FR); say so rather than calling them unknown days.
            let numbered = is_numbered_weekday(item);
            return Err(if numbered {
                "BYDAY days cannot be numbered (such as 2MO or -1FR); list plain days like MO,TH".to_owned()
            } else {
                BAD_BYDAY.to_owned()
            });
        };
        if days.contains(&day) {
            return Err(format!("BYDAY lists {} more than once", weekday_code(day)));
        }
        days.push(day);
    }
    // Canonical order: Monday to Sunday, the week as ISO 8601 counts it.
    days.sort_by_key(|day| day.to_monday_zero_offset());
    Ok(days)
}

fn parse_by_month_day(value: &str) -> Result<Vec<i8>, String> {
    let mut days = Vec::new();
    for item in value.split(',') {
        let (negative, digits) = match item.as_bytes().first() {
            Some(b'-') => (true, &item[1..]),
            Some(b'+') => (false, &item[1..]),
            _ => (false, item),
        };
        if !(1..=2).contains(&digits.len()) || !digits.bytes().all(|byte| byte.is_ascii_digit()) {
            return Err(BAD_BYMONTHDAY.to_owned());
        }
        let magnitude: i8 = digits.parse().map_err(|_| BAD_BYMONTHDAY.to_owned())?;
        if !(1..=31).contains(&magnitude) {
            return Err(BAD_BYMONTHDAY.to_owned());
        }
        let day = if negative { -magnitude } else { magnitude };
        if days.contains(&day) {
            return Err(format!("BYMONTHDAY lists {day} more than once"));
        }
        days.push(day);
    }
    // Canonical order: 1..=31 ascending, then -31..=-1 ascending, so each half
    // reads in calendar order.
    days.sort_by_key(|&day| (day < 0, day));
    Ok(days)
}

/// `YYYYMMDD` (a local date) or `YYYYMMDDTHHMMSSZ` (a UTC date-time). A
/// date-time without `Z` is refused: a "floating" local time would mean
/// something else in every zone.
fn parse_until(value: &str) -> Result<End, String> {
    // A fixed-width field of digits; `get` is `None` rather than a panic when
    // the range would cut a non-ASCII character.
    let number = |range: std::ops::Range<usize>| -> Result<i16, String> {
        value
            .get(range)
            .filter(|text| text.bytes().all(|byte| byte.is_ascii_digit()))
            .and_then(|text| text.parse().ok())
            .ok_or_else(|| BAD_UNTIL.to_owned())
    };
    let not_on_the_calendar = || "UNTIL is not a real date or time".to_owned();
    let is_date_time = match value.len() {
        8 => false,
        16 if value.as_bytes()[8] == b'T' && value.as_bytes()[15] == b'Z' => true,
        _ => return Err(BAD_UNTIL.to_owned()),
    };
    let date =
        Date::new(number(0..4)?, small(number(4..6)?)?, small(number(6..8)?)?).map_err(|_| not_on_the_calendar())?;
    if !is_date_time {
        return Ok(End::UntilDate(date));
    }
    let time = Time::new(small(number(9..11)?)?, small(number(11..13)?)?, small(number(13..15)?)?, 0)
        .map_err(|_| not_on_the_calendar())?;
    Ok(End::UntilUtc(date.to_datetime(time)))
}

/// Two digits always fit an `i8`; this keeps the conversion free of panics.
fn small(number: i16) -> Result<i8, String> {
    i8::try_from(number).map_err(|_| BAD_UNTIL.to_owned())
}

/// Whether `item` is an RFC 5545 numbered weekday: an optional sign, digits,
/// then a day code (`2MO`, `-1FR`, `+3TU`).
fn is_numbered_weekday(item: &str) -> bool {
    let Some(split) = item.len().checked_sub(2) else {
        return false;
    };
    let (Some(number), Some(code)) = (item.get(..split), item.get(split..)) else {
        return false;
    };
    let digits = number.strip_prefix(['+', '-']).unwrap_or(number);
    !digits.is_empty() && digits.bytes().all(|byte| byte.is_ascii_digit()) && weekday_from_code(code).is_some()
}

fn weekday_from_code(code: &str) -> Option<Weekday> {
    match code {
        "MO" => Some(Weekday::Monday),
        "TU" => Some(Weekday::Tuesday),
        "WE" => Some(Weekday::Wednesday),
        "TH" => Some(Weekday::Thursday),
        "FR" => Some(Weekday::Friday),
        "SA" => Some(Weekday::Saturday),
        "SU" => Some(Weekday::Sunday),
        _ => None,
    }
}

fn weekday_code(day: Weekday) -> &'static str {
    match day {
        Weekday::Monday => "MO",
        Weekday::Tuesday => "TU",
        Weekday::Wednesday => "WE",
        Weekday::Thursday => "TH",
        Weekday::Friday => "FR",
        Weekday::Saturday => "SA",
        Weekday::Sunday => "SU",
    }
}

/// `date` plus `days` (negative goes back); `None` outside years -9999..=9999.
fn add_days(date: Date, days: i64) -> Option<Date> {
    date.checked_add(Span::new().try_days(days).ok()?).ok()
}

/// The first day of the month `months` after `date`'s month; `None` outside
/// the calendar.
fn first_of_month_after(date: Date, months: i64) -> Option<Date> {
    let month_index = i64::from(date.year()) * 12 + i64::from(date.month() - 1) + months;
    let year = i16::try_from(month_index.div_euclid(12)).ok()?;
    let month = i8::try_from(month_index.rem_euclid(12) + 1).ok()?;
    Date::new(year, month, 1).ok()
}

/// Day `day` of the month starting on `first`, or its last day when the
/// month is shorter (the 31st of April is the 30th, February 29 in a common
/// year the 28th).
fn day_in_month(first: Date, day: i8) -> Option<Date> {
    Date::new(first.year(), first.month(), day.min(first.days_in_month())).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_the_subset_and_prints_it_canonically() {
        let cases = [
            ("FREQ=DAILY", "FREQ=DAILY"),
            ("freq=daily", "FREQ=DAILY"),
            ("  FREQ=DAILY;  ", "FREQ=DAILY"),
            ("FREQ=DAILY;", "FREQ=DAILY"),
            ("RRULE:FREQ=DAILY", "FREQ=DAILY"),
            ("rrule:Freq=Yearly", "FREQ=YEARLY"),
            ("FREQ=DAILY;INTERVAL=1", "FREQ=DAILY"),
            ("INTERVAL=03;FREQ=DAILY", "FREQ=DAILY;INTERVAL=3"),
            ("FREQ=DAILY;INTERVAL=1000", "FREQ=DAILY;INTERVAL=1000"),
            ("freq=weekly;byday=th,mo;interval=1", "FREQ=WEEKLY;BYDAY=MO,TH"),
            ("FREQ=WEEKLY;BYDAY=SU,SA,FR,TH,WE,TU,MO", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR,SA,SU"),
            ("BYDAY=SU,MO;INTERVAL=2;FREQ=WEEKLY", "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,SU"),
            ("FREQ=MONTHLY", "FREQ=MONTHLY"),
            ("FREQ=MONTHLY;BYMONTHDAY=31", "FREQ=MONTHLY;BYMONTHDAY=31"),
            ("FREQ=MONTHLY;BYMONTHDAY=-1,31,1,15,-2", "FREQ=MONTHLY;BYMONTHDAY=1,15,31,-2,-1"),
            ("FREQ=MONTHLY;BYMONTHDAY=+5,-31,07", "FREQ=MONTHLY;BYMONTHDAY=5,7,-31"),
            ("FREQ=YEARLY;COUNT=10", "FREQ=YEARLY;COUNT=10"),
            ("FREQ=YEARLY;COUNT=010", "FREQ=YEARLY;COUNT=10"),
            ("FREQ=DAILY;COUNT=1", "FREQ=DAILY;COUNT=1"),
            ("FREQ=DAILY;COUNT=10000", "FREQ=DAILY;COUNT=10000"),
            ("FREQ=DAILY;UNTIL=20261231", "FREQ=DAILY;UNTIL=20261231"),
            ("freq=daily;until=20261231t170000z", "FREQ=DAILY;UNTIL=20261231T170000Z"),
            ("FREQ=YEARLY;UNTIL=20280229", "FREQ=YEARLY;UNTIL=20280229"),
            ("FREQ=DAILY;UNTIL=00010101", "FREQ=DAILY;UNTIL=00010101"),
            ("FREQ=DAILY;UNTIL=99991231T235959Z", "FREQ=DAILY;UNTIL=99991231T235959Z"),
            ("RRULE:COUNT=5;BYMONTHDAY=-1;INTERVAL=2;FREQ=MONTHLY", "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=-1;COUNT=5"),
        ];
        for (input, canonical) in cases {
            let rule = Recurrence::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(rule.to_string(), canonical, "{input:?}");
            assert_eq!(canonical.parse::<Recurrence>(), Ok(rule), "{input:?} round trip");
        }
    }

    #[test]
    fn refuses_everything_else_saying_what_is_wrong() {
        let supported = "use FREQ, INTERVAL, BYDAY, BYMONTHDAY, COUNT or UNTIL";
        let too_long = format!("FREQ=DAILY;BYDAY={}", "MO,".repeat(62));
        let cases: Vec<(&str, String)> = vec![
            ("", "The rule is empty; it needs at least FREQ, e.g. FREQ=WEEKLY".into()),
            ("   ", "The rule is empty; it needs at least FREQ, e.g. FREQ=WEEKLY".into()),
            ("RRULE:", "The rule is empty; it needs at least FREQ, e.g. FREQ=WEEKLY".into()),
            (&too_long, "The rule is longer than 200 characters".into()),
            ("INTERVAL=2", "FREQ is required: DAILY, WEEKLY, MONTHLY or YEARLY".into()),
            ("FREQ", NOT_NAME_VALUE.into()),
            ("DAILY", NOT_NAME_VALUE.into()),
            ("=DAILY", NOT_NAME_VALUE.into()),
            ("FREQ=DAILY;X Y=1", NOT_NAME_VALUE.into()),
            ("FREQ=DAILY;;COUNT=2", "The rule has an empty part between two semicolons".into()),
            ("FREQ=DAILY,COUNT=2", BAD_FREQ.into()),
            ("FREQ=HOURLY", BAD_FREQ.into()),
            ("FREQ=SECONDLY", BAD_FREQ.into()),
            ("FREQ=", BAD_FREQ.into()),
            ("FREQ=DAILY;FREQ=WEEKLY", "FREQ is given more than once".into()),
            ("FREQ=DAILY;FREQ=HOURLY", "FREQ is given more than once".into()),
            ("FREQ=DAILY;COUNT=2;count=3", "COUNT is given more than once".into()),
            ("FREQ=DAILY;BYHOUR=9", format!("BYHOUR is not supported; {supported}")),
            ("FREQ=MONTHLY;BYSETPOS=-1", format!("BYSETPOS is not supported; {supported}")),
            ("FREQ=WEEKLY;WKST=SU", format!("WKST is not supported; {supported}")),
            ("FREQ=DAILY;DTSTART=20260101", format!("DTSTART is not supported; {supported}")),
            ("FREQ=YEARLY;BYMONTH=3", format!("BYMONTH is not supported; {supported}")),
            ("FREQ=YEARLY;x-name=3", format!("X-NAME is not supported; {supported}")),
            ("FREQ=DAILY;INTERVAL=0", "INTERVAL must be a whole number from 1 to 1000".into()),
            ("FREQ=DAILY;INTERVAL=1001", "INTERVAL must be a whole number from 1 to 1000".into()),
            ("FREQ=DAILY;INTERVAL=-1", "INTERVAL must be a whole number from 1 to 1000".into()),
            ("FREQ=DAILY;INTERVAL=+2", "INTERVAL must be a whole number from 1 to 1000".into()),
            ("FREQ=DAILY;INTERVAL=", "INTERVAL must be a whole number from 1 to 1000".into()),
            ("FREQ=DAILY;INTERVAL=1.5", "INTERVAL must be a whole number from 1 to 1000".into()),
            ("FREQ=DAILY;INTERVAL=99999999999999999999", "INTERVAL must be a whole number from 1 to 1000".into()),
            ("FREQ=DAILY;COUNT=0", "COUNT must be a whole number from 1 to 10000".into()),
            ("FREQ=DAILY;COUNT=10001", "COUNT must be a whole number from 1 to 10000".into()),
            ("FREQ=DAILY;COUNT=3;UNTIL=20261231", "COUNT and UNTIL cannot be used together".into()),
            ("FREQ=DAILY;BYDAY=MO", "BYDAY is only supported with FREQ=WEEKLY".into()),
            ("BYDAY=MO;FREQ=MONTHLY", "BYDAY is only supported with FREQ=WEEKLY".into()),
            ("FREQ=WEEKLY;BYDAY=", BAD_BYDAY.into()),
            ("FREQ=WEEKLY;BYDAY=MO,", BAD_BYDAY.into()),
            ("FREQ=WEEKLY;BYDAY=MON", BAD_BYDAY.into()),
            ("FREQ=WEEKLY;BYDAY=MO TH", BAD_BYDAY.into()),
            ("FREQ=WEEKLY;BYDAY=MÖ", BAD_BYDAY.into()),
            (
                "FREQ=WEEKLY;BYDAY=2MO",
                "BYDAY days cannot be numbered (such as 2MO or -1FR); list plain days like MO,TH".into(),
            ),
            (
                "FREQ=WEEKLY;BYDAY=MO,-1FR",
                "BYDAY days cannot be numbered (such as 2MO or -1FR); list plain days like MO,TH".into(),
            ),
            (
                "FREQ=WEEKLY;BYDAY=+3TU",
                "BYDAY days cannot be numbered (such as 2MO or -1FR); list plain days like MO,TH".into(),
            ),
            ("FREQ=WEEKLY;BYDAY=-MO", BAD_BYDAY.into()),
            ("FREQ=WEEKLY;BYDAY=1X", BAD_BYDAY.into()),
            ("FREQ=WEEKLY;BYDAY=MO,TH,mo", "BYDAY lists MO more than once".into()),
            ("FREQ=WEEKLY;BYMONTHDAY=1", "BYMONTHDAY is only supported with FREQ=MONTHLY".into()),
            ("FREQ=YEARLY;BYMONTHDAY=1", "BYMONTHDAY is only supported with FREQ=MONTHLY".into()),
            ("FREQ=MONTHLY;BYMONTHDAY=0", BAD_BYMONTHDAY.into()),
            ("FREQ=MONTHLY;BYMONTHDAY=32", BAD_BYMONTHDAY.into()),
            ("FREQ=MONTHLY;BYMONTHDAY=-32", BAD_BYMONTHDAY.into()),
            ("FREQ=MONTHLY;BYMONTHDAY=-0", BAD_BYMONTHDAY.into()),
            ("FREQ=MONTHLY;BYMONTHDAY=001", BAD_BYMONTHDAY.into()),
            ("FREQ=MONTHLY;BYMONTHDAY=1,,2", BAD_BYMONTHDAY.into()),
            ("FREQ=MONTHLY;BYMONTHDAY=-", BAD_BYMONTHDAY.into()),
            ("FREQ=MONTHLY;BYMONTHDAY=1;BYMONTHDAY=2", "BYMONTHDAY is given more than once".into()),
            ("FREQ=MONTHLY;BYMONTHDAY=5,+5", "BYMONTHDAY lists 5 more than once".into()),
            ("FREQ=MONTHLY;BYMONTHDAY=-1,-01", "BYMONTHDAY lists -1 more than once".into()),
            ("FREQ=DAILY;UNTIL=2026-12-31", BAD_UNTIL.into()),
            ("FREQ=DAILY;UNTIL=20261231T170000", BAD_UNTIL.into()),
            ("FREQ=DAILY;UNTIL=20261231T1700Z", BAD_UNTIL.into()),
            ("FREQ=DAILY;UNTIL=2026123", BAD_UNTIL.into()),
            ("FREQ=DAILY;UNTIL=+0261231", BAD_UNTIL.into()),
            ("FREQ=DAILY;UNTIL=2026123ÄT17000Z", BAD_UNTIL.into()),
            ("FREQ=DAILY;UNTIL=", BAD_UNTIL.into()),
            ("FREQ=DAILY;UNTIL=20270229", "UNTIL is not a real date or time".into()),
            ("FREQ=DAILY;UNTIL=20261301", "UNTIL is not a real date or time".into()),
            ("FREQ=DAILY;UNTIL=20261200", "UNTIL is not a real date or time".into()),
            ("FREQ=DAILY;UNTIL=20261231T240000Z", "UNTIL is not a real date or time".into()),
            ("FREQ=DAILY;UNTIL=20261231T235960Z", "UNTIL is not a real date or time".into()),
            ("RRULE:RRULE:FREQ=DAILY", NOT_NAME_VALUE.into()),
        ];
        for (input, message) in cases {
            assert_eq!(Recurrence::parse(input), Err(message), "{input:?}");
        }
    }

    #[test]
    fn the_length_limit_counts_characters_not_bytes() {
        // 200 characters, 300 bytes: the padding is a (refused) BYDAY value,
        // so reaching that check shows the length check let it through.
        let at_limit = format!("FREQ=WEEKLY;BYDAY={}", "é".repeat(200 - 18));
        assert_eq!(at_limit.chars().count(), 200);
        assert_eq!(Recurrence::parse(&at_limit), Err(BAD_BYDAY.to_owned()));
        let over = format!("{at_limit}é");
        assert_eq!(Recurrence::parse(&over), Err("The rule is longer than 200 characters".to_owned()));
    }

    /// Every combination of two or three fragments, valid or not: parsing never
    /// panics, and whatever is accepted prints canonically and parses back equal.
    #[test]
    fn every_accepted_rule_round_trips_and_nothing_panics() {
        let fragments = [
            "FREQ=DAILY",
            "FREQ=WEEKLY",
            "FREQ=MONTHLY",
            "FREQ=YEARLY",
            "freq=hourly",
            "INTERVAL=2",
            "INTERVAL=1",
            "interval=0",
            "BYDAY=MO,WE",
            "byday=su",
            "BYDAY=1MO",
            "BYMONTHDAY=31,-1",
            "bymonthday=-31",
            "BYMONTHDAY=0",
            "COUNT=1",
            "COUNT=7",
            "UNTIL=20270101",
            "until=20270101t120000z",
            "UNTIL=x",
            "BYHOUR=1",
            "",
            "=",
            "é=é",
        ];
        let mut accepted = 0;
        for first in fragments {
            for second in fragments {
                for third in ["", "COUNT=3", "BYDAY=FR", "UNTIL=20300101"] {
                    let text = format!("{first};{second};{third}");
                    if let Ok(rule) = Recurrence::parse(&text) {
                        accepted += 1;
                        let canonical = rule.to_string();
                        assert_eq!(Recurrence::parse(&canonical), Ok(rule), "{text:?}");
                    }
                }
            }
        }
        assert!(accepted > 20, "only {accepted} combinations were accepted");
    }

    /// A rule followed from a local start time, and the occurrences it must give
    /// as local times with their offsets.
    struct Series {
        rule: &'static str,
        zone: &'static str,
        /// The first due date, local to `zone`.
        start: &'static str,
        /// The next occurrences, as `YYYY-MM-DDTHH:MM±HH:MM` in `zone`.
        next: &'static [&'static str],
        /// Whether the series ends after `next` (COUNT or UNTIL reached).
        then_ends: bool,
    }

    fn check(series: &[Series]) {
        for case in series {
            let label = format!("{} from {} in {}", case.rule, case.start, case.zone);
            let zone = TimeZone::get(case.zone).expect("a known zone");
            let start: DateTime = case.start.parse().expect("a local date-time");
            let mut due = zone.to_timestamp(start).expect("a representable start");
            let mut rule = Recurrence::parse(case.rule).expect("a valid rule");
            let mut got = Vec::new();
            for _ in case.next {
                let Some((next_due, carried)) = rule.next_after(due, &zone) else {
                    break;
                };
                got.push(next_due.to_zoned_datetime(zone.clone()).strftime("%Y-%m-%dT%H:%M%:z").to_string());
                due = next_due;
                rule = carried;
            }
            assert_eq!(got, case.next, "{label}");
            assert_eq!(
                rule.next_after(due, &zone).is_none(),
                case.then_ends,
                "{label}: whether the series ends after {:?}",
                case.next.last()
            );
        }
    }

    #[test]
    fn daily_weekly_monthly_yearly_with_intervals() {
        check(&[
            Series {
                rule: "FREQ=DAILY",
                zone: "UTC",
                start: "2026-12-30T08:15",
                next: &["2026-12-31T08:15+00:00", "2027-01-01T08:15+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=DAILY;INTERVAL=3",
                zone: "UTC",
                start: "2026-12-30T08:15",
                next: &["2027-01-02T08:15+00:00", "2027-01-05T08:15+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=WEEKLY",
                zone: "UTC",
                start: "2026-12-24T16:00",
                next: &["2026-12-31T16:00+00:00", "2027-01-07T16:00+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=WEEKLY;INTERVAL=2",
                zone: "UTC",
                start: "2026-12-24T16:00",
                next: &["2027-01-07T16:00+00:00", "2027-01-21T16:00+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=MONTHLY",
                zone: "UTC",
                start: "2026-11-15T10:00",
                next: &["2026-12-15T10:00+00:00", "2027-01-15T10:00+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=MONTHLY;INTERVAL=3",
                zone: "UTC",
                start: "2026-11-30T10:00",
                // Clamped to February 28, then stays on the 28th (see the
                // module documentation).
                next: &["2027-02-28T10:00+00:00", "2027-05-28T10:00+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=YEARLY",
                zone: "UTC",
                start: "2026-03-01T07:00",
                next: &["2027-03-01T07:00+00:00", "2028-03-01T07:00+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=YEARLY;INTERVAL=10",
                zone: "UTC",
                start: "2026-03-01T07:00",
                next: &["2036-03-01T07:00+00:00", "2046-03-01T07:00+00:00"],
                then_ends: false,
            },
        ]);
    }

    #[test]
    fn weekly_by_day_moves_within_the_week_then_on_by_the_interval() {
        // 2026-12-21 is a Monday.
        check(&[
            Series {
                rule: "FREQ=WEEKLY;BYDAY=MO,TH",
                zone: "UTC",
                start: "2026-12-21T09:00", // Monday
                next: &[
                    "2026-12-24T09:00+00:00", // Thursday, same week
                    "2026-12-28T09:00+00:00", // Monday, next week
                    "2026-12-31T09:00+00:00",
                    "2027-01-04T09:00+00:00", // across the year's end
                ],
                then_ends: false,
            },
            Series {
                rule: "FREQ=WEEKLY;BYDAY=MO",
                zone: "UTC",
                start: "2026-12-27T09:00", // Sunday, not listed, last day of its week
                next: &["2026-12-28T09:00+00:00", "2027-01-04T09:00+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=WEEKLY;BYDAY=TH,FR",
                zone: "UTC",
                start: "2026-12-23T09:00", // Wednesday, not listed
                next: &["2026-12-24T09:00+00:00", "2026-12-25T09:00+00:00", "2026-12-31T09:00+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=WEEKLY;BYDAY=SU",
                zone: "UTC",
                start: "2026-12-27T09:00", // Sunday: weeks start on Monday
                next: &["2027-01-03T09:00+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,FR",
                zone: "UTC",
                start: "2026-12-21T09:00", // Monday
                next: &[
                    "2026-12-25T09:00+00:00", // Friday, same week
                    "2027-01-04T09:00+00:00", // Monday two weeks after the 21st
                    "2027-01-08T09:00+00:00",
                    "2027-01-18T09:00+00:00",
                ],
                then_ends: false,
            },
            Series {
                rule: "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO",
                zone: "UTC",
                start: "2026-12-23T09:00", // Wednesday of the week of the 21st
                next: &["2027-01-04T09:00+00:00", "2027-01-18T09:00+00:00"],
                then_ends: false,
            },
        ]);
    }

    #[test]
    fn monthly_days_clamp_to_short_months() {
        check(&[
            Series {
                rule: "FREQ=MONTHLY;BYMONTHDAY=31",
                zone: "UTC",
                start: "2028-01-31T12:00", // 2028 is a leap year
                next: &[
                    "2028-02-29T12:00+00:00",
                    "2028-03-31T12:00+00:00",
                    "2028-04-30T12:00+00:00",
                    "2028-05-31T12:00+00:00",
                ],
                then_ends: false,
            },
            Series {
                rule: "FREQ=MONTHLY;BYMONTHDAY=31",
                zone: "UTC",
                start: "2027-01-31T12:00",
                next: &["2027-02-28T12:00+00:00", "2027-03-31T12:00+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=MONTHLY;BYMONTHDAY=-1",
                zone: "UTC",
                start: "2027-01-31T12:00",
                next: &["2027-02-28T12:00+00:00", "2027-03-31T12:00+00:00", "2027-04-30T12:00+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=MONTHLY;BYMONTHDAY=-2",
                zone: "UTC",
                start: "2028-02-01T12:00",
                next: &["2028-02-28T12:00+00:00", "2028-03-30T12:00+00:00"],
                then_ends: false,
            },
            Series {
                // Past the start of a short month: its first day.
                rule: "FREQ=MONTHLY;BYMONTHDAY=-31",
                zone: "UTC",
                start: "2027-01-15T12:00",
                next: &["2027-02-01T12:00+00:00", "2027-03-01T12:00+00:00", "2027-04-01T12:00+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=MONTHLY;BYMONTHDAY=1,15",
                zone: "UTC",
                start: "2027-01-10T12:00", // not itself a listed day
                next: &["2027-01-15T12:00+00:00", "2027-02-01T12:00+00:00", "2027-02-15T12:00+00:00"],
                then_ends: false,
            },
            Series {
                // 30 and 31 are both February 28, which comes once.
                rule: "FREQ=MONTHLY;BYMONTHDAY=30,31",
                zone: "UTC",
                start: "2027-02-10T12:00",
                next: &[
                    "2027-02-28T12:00+00:00",
                    "2027-03-30T12:00+00:00",
                    "2027-03-31T12:00+00:00",
                    "2027-04-30T12:00+00:00",
                    "2027-05-30T12:00+00:00",
                ],
                then_ends: false,
            },
            Series {
                rule: "FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=10",
                zone: "UTC",
                start: "2027-01-20T12:00",
                next: &["2027-03-10T12:00+00:00", "2027-05-10T12:00+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=MONTHLY",
                zone: "UTC",
                start: "2028-01-31T12:00",
                next: &["2028-02-29T12:00+00:00", "2028-03-29T12:00+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=MONTHLY",
                zone: "UTC",
                start: "2027-01-31T12:00",
                next: &["2027-02-28T12:00+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=MONTHLY;INTERVAL=12",
                zone: "UTC",
                start: "2027-12-31T12:00",
                next: &["2028-12-31T12:00+00:00"],
                then_ends: false,
            },
        ]);
    }

    #[test]
    fn yearly_february_29_falls_on_the_28th_in_common_years() {
        check(&[
            Series {
                rule: "FREQ=YEARLY",
                zone: "UTC",
                start: "2028-02-29T18:00",
                next: &["2029-02-28T18:00+00:00", "2030-02-28T18:00+00:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=YEARLY;INTERVAL=4",
                zone: "UTC",
                start: "2028-02-29T18:00",
                next: &["2032-02-29T18:00+00:00", "2036-02-29T18:00+00:00"],
                then_ends: false,
            },
        ]);
    }

    #[test]
    fn count_and_until_end_the_series() {
        check(&[
            Series {
                rule: "FREQ=DAILY;COUNT=3",
                zone: "Europe/Berlin",
                start: "2026-01-01T09:00",
                next: &["2026-01-02T09:00+01:00", "2026-01-03T09:00+01:00"],
                then_ends: true,
            },
            Series {
                rule: "FREQ=DAILY;COUNT=1",
                zone: "Europe/Berlin",
                start: "2026-01-01T09:00",
                next: &[],
                then_ends: true,
            },
            Series {
                // The last local date, inclusive: 23:30 in Berlin is 22:30 UTC.
                rule: "FREQ=DAILY;UNTIL=20260103",
                zone: "Europe/Berlin",
                start: "2026-01-01T23:30",
                next: &["2026-01-02T23:30+01:00", "2026-01-03T23:30+01:00"],
                then_ends: true,
            },
            Series {
                rule: "FREQ=WEEKLY;BYDAY=MO,TH;UNTIL=20260108",
                zone: "UTC",
                start: "2025-12-29T09:00", // Monday
                next: &["2026-01-01T09:00+00:00", "2026-01-05T09:00+00:00", "2026-01-08T09:00+00:00"],
                then_ends: true,
            },
            Series {
                // The UNTIL instant itself is the last occurrence.
                rule: "FREQ=DAILY;UNTIL=20260103T080000Z",
                zone: "Europe/Berlin",
                start: "2026-01-01T09:00",
                next: &["2026-01-02T09:00+01:00", "2026-01-03T09:00+01:00"],
                then_ends: true,
            },
            Series {
                rule: "FREQ=DAILY;UNTIL=20260103T075959Z",
                zone: "Europe/Berlin",
                start: "2026-01-01T09:00",
                next: &["2026-01-02T09:00+01:00"],
                then_ends: true,
            },
            Series {
                // A series already past its end yields nothing more.
                rule: "FREQ=DAILY;UNTIL=20251231",
                zone: "UTC",
                start: "2026-01-01T09:00",
                next: &[],
                then_ends: true,
            },
        ]);
    }

    #[test]
    fn the_next_occurrence_carries_one_count_less_and_otherwise_the_same_rule() {
        let due: Timestamp = "2026-01-01T09:00:00Z".parse().expect("an instant");
        let cases = [
            ("FREQ=WEEKLY;BYDAY=MO,TH;COUNT=3", Some("FREQ=WEEKLY;BYDAY=MO,TH;COUNT=2")),
            ("FREQ=DAILY;COUNT=2", Some("FREQ=DAILY;COUNT=1")),
            ("FREQ=DAILY;COUNT=1", None),
            ("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=-1", Some("FREQ=MONTHLY;INTERVAL=2;BYMONTHDAY=-1")),
            ("FREQ=DAILY;UNTIL=20260301", Some("FREQ=DAILY;UNTIL=20260301")),
            ("FREQ=DAILY;UNTIL=20260301T000000Z", Some("FREQ=DAILY;UNTIL=20260301T000000Z")),
        ];
        for (rule, carried) in cases {
            let next = Recurrence::parse(rule).expect("a valid rule").next_after(due, &TimeZone::UTC);
            assert_eq!(next.map(|(_, rule)| rule.to_string()).as_deref(), carried, "{rule}");
        }
    }

    #[test]
    fn local_time_stays_put_across_daylight_saving_changes() {
        check(&[
            Series {
                // Berlin springs forward on Sunday 2026-03-29.
                rule: "FREQ=WEEKLY",
                zone: "Europe/Berlin",
                start: "2026-03-26T09:00",
                next: &["2026-04-02T09:00+02:00", "2026-04-09T09:00+02:00"],
                then_ends: false,
            },
            Series {
                // And falls back on Sunday 2026-10-25.
                rule: "FREQ=WEEKLY",
                zone: "Europe/Berlin",
                start: "2026-10-22T09:00",
                next: &["2026-10-29T09:00+01:00"],
                then_ends: false,
            },
            Series {
                rule: "FREQ=WEEKLY;BYDAY=MO,TH",
                zone: "Europe/Berlin",
                start: "2026-03-26T09:00",
                next: &["2026-03-30T09:00+02:00", "2026-04-02T09:00+02:00"],
                then_ends: false,
            },
            Series {
                // New York springs forward on 2026-03-08 ...
                rule: "FREQ=WEEKLY",
                zone: "America/New_York",
                start: "2026-03-05T09:00",
                next: &["2026-03-12T09:00-04:00"],
                then_ends: false,
            },
            Series {
                // ... and falls back on 2026-11-01.
                rule: "FREQ=WEEKLY",
                zone: "America/New_York",
                start: "2026-10-29T09:00",
                next: &["2026-11-05T09:00-05:00"],
                then_ends: false,
            },
            Series {
                // Lord Howe Island moves by half an hour: +10:30 to +11:00 on
                // 2026-10-04 ...
                rule: "FREQ=WEEKLY",
                zone: "Australia/Lord_Howe",
                start: "2026-10-01T09:00",
                next: &["2026-10-08T09:00+11:00"],
                then_ends: false,
            },
            Series {
                // ... and back on 2026-04-05.
                rule: "FREQ=WEEKLY",
                zone: "Australia/Lord_Howe",
                start: "2026-04-02T09:00",
                next: &["2026-04-09T09:00+10:30"],
                then_ends: false,
            },
            Series {
                // 02:00 to 02:30 does not exist there on 2026-10-04.
                rule: "FREQ=DAILY",
                zone: "Australia/Lord_Howe",
                start: "2026-10-03T02:15",
                next: &["2026-10-04T02:45+11:00"],
                then_ends: false,
            },
            Series {
                // 02:30 does not exist in Berlin on 2026-03-29: it moves forward
                // to 03:30. Only the instant is stored, so the day after keeps
                // 03:30.
                rule: "FREQ=DAILY",
                zone: "Europe/Berlin",
                start: "2026-03-28T02:30",
                next: &["2026-03-29T03:30+02:00", "2026-03-30T03:30+02:00"],
                then_ends: false,
            },
            Series {
                // 01:30 happens twice in New York on 2026-11-01: the earlier.
                rule: "FREQ=DAILY",
                zone: "America/New_York",
                start: "2026-10-31T01:30",
                next: &["2026-11-01T01:30-04:00", "2026-11-02T01:30-05:00"],
                then_ends: false,
            },
        ]);
    }

    #[test]
    fn the_instant_moves_by_a_week_less_or_more_an_hour_when_clocks_change() {
        let berlin = TimeZone::get("Europe/Berlin").expect("a known zone");
        let weekly = Recurrence::parse("FREQ=WEEKLY").expect("a valid rule");
        let cases =
            [("2026-03-26T08:00:00Z", "2026-04-02T07:00:00Z"), ("2026-10-22T07:00:00Z", "2026-10-29T08:00:00Z")];
        for (due, next) in cases {
            let due: Timestamp = due.parse().expect("an instant");
            let got = weekly.next_after(due, &berlin).map(|(at, _)| at.to_string());
            assert_eq!(got.as_deref(), Some(next), "from {due}");
        }
    }

    #[test]
    fn the_end_of_the_calendar_ends_the_series_without_panicking() {
        let rules = [
            "FREQ=DAILY",
            "FREQ=DAILY;INTERVAL=1000",
            "FREQ=WEEKLY;INTERVAL=1000",
            "FREQ=WEEKLY;BYDAY=MO,SU",
            "FREQ=MONTHLY;INTERVAL=1000",
            "FREQ=MONTHLY;BYMONTHDAY=1,31,-31",
            "FREQ=YEARLY;INTERVAL=1000",
            "FREQ=DAILY;UNTIL=99991231T235959Z",
            "FREQ=DAILY;COUNT=5",
        ];
        let zones = ["UTC", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Australia/Lord_Howe"];
        let instants = [
            Timestamp::MIN,
            Timestamp::MAX,
            "9999-12-30T00:00:00Z".parse().expect("an instant"),
            "-009999-01-02T12:00:00Z".parse().expect("an instant"),
        ];
        for rule in rules {
            let rule = Recurrence::parse(rule).expect("a valid rule");
            for zone in zones {
                let zone = TimeZone::get(zone).expect("a known zone");
                for due in instants {
                    // Any answer will do as long as it is one.
                    let _ = rule.next_after(due, &zone);
                }
            }
        }
        let late: Timestamp = "9999-12-30T00:00:00Z".parse().expect("an instant");
        for rule in ["FREQ=DAILY", "FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=YEARLY"] {
            let rule = Recurrence::parse(rule).expect("a valid rule");
            assert_eq!(rule.next_after(late, &TimeZone::UTC), None, "{rule}");
        }
    }
}
