//! `--every` in words, as the API's RRULE subset (SPEC "Organizing tasks"):
//! `day`, `weekday`, `week`, `month`, `year`, `2 weeks`, `mon,thu`, or a rule
//! as the API takes it (`FREQ=MONTHLY;BYMONTHDAY=-1`). The result is checked
//! with the domain crate's own parser, so the CLI refuses exactly what the API would.

use todo_domain::Recurrence;

use crate::error::CliError;

const EXAMPLES: &str =
    "try day, weekday, week, month, year, \"2 weeks\", \"mon,thu\" or an RRULE such as FREQ=MONTHLY;BYMONTHDAY=-1";

fn weekday(word: &str) -> Option<&'static str> {
    Some(match word {
        "mo" | "mon" | "monday" | "mondays" => "MO",
        "tu" | "tue" | "tues" | "tuesday" | "tuesdays" => "TU",
        "we" | "wed" | "wednesday" | "wednesdays" => "WE",
        "th" | "thu" | "thur" | "thurs" | "thursday" | "thursdays" => "TH",
        "fr" | "fri" | "friday" | "fridays" => "FR",
        "sa" | "sat" | "saturday" | "saturdays" => "SA",
        "su" | "sun" | "sunday" | "sundays" => "SU",
        _ => return None,
    })
}

fn frequency(unit: &str) -> Option<&'static str> {
    Some(match unit {
        "day" | "days" | "daily" => "DAILY",
        "week" | "weeks" | "weekly" => "WEEKLY",
        "month" | "months" | "monthly" => "MONTHLY",
        "year" | "years" | "yearly" | "annually" => "YEARLY",
        _ => return None,
    })
}

/// The rule the words mean, in the API's canonical form.
pub fn parse_every(text: &str) -> Result<Recurrence, CliError> {
    let cannot = |why: &str| CliError::usage(format!("Cannot read --every {text:?}: {why}; {EXAMPLES}."));
    let lower = text.trim().to_ascii_lowercase();
    if lower.contains('=') {
        return Recurrence::parse(text).map_err(|why| cannot(&why));
    }
    let words: Vec<&str> = lower.split_whitespace().filter(|w| *w != "every").collect();
    let rule = match words.as_slice() {
        ["weekday" | "weekdays"] => "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR".to_owned(),
        ["weekend" | "weekends"] => "FREQ=WEEKLY;BYDAY=SA,SU".to_owned(),
        ["other", unit] => format!("FREQ={};INTERVAL=2", frequency(unit).ok_or_else(|| cannot("unknown unit"))?),
        [unit] if frequency(unit).is_some() => format!("FREQ={}", frequency(unit).unwrap_or_default()),
        [count, unit] => {
            let interval: u32 = count.parse().map_err(|_| cannot("the count is not a whole number"))?;
            format!("FREQ={};INTERVAL={interval}", frequency(unit).ok_or_else(|| cannot("unknown unit"))?)
        }
        _ => {
            // A list of weekdays: "mon,thu", "mon thu", "monday and friday".
            let days: Option<Vec<&str>> = lower
                .split(|c: char| c == ',' || c.is_whitespace())
                .filter(|w| !w.is_empty() && *w != "and" && *w != "every")
                .map(weekday)
                .collect();
            match days {
                Some(days) if !days.is_empty() => format!("FREQ=WEEKLY;BYDAY={}", days.join(",")),
                _ => return Err(cannot("not a repeat the API knows")),
            }
        }
    };
    Recurrence::parse(&rule).map_err(|why| cannot(&why))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_words_to_the_apis_rules() {
        let cases = [
            ("day", "FREQ=DAILY"),
            ("weekday", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
            ("week", "FREQ=WEEKLY"),
            ("2 weeks", "FREQ=WEEKLY;INTERVAL=2"),
            ("every 3 days", "FREQ=DAILY;INTERVAL=3"),
            ("other week", "FREQ=WEEKLY;INTERVAL=2"),
            ("month", "FREQ=MONTHLY"),
            ("Year", "FREQ=YEARLY"),
            ("mon,thu", "FREQ=WEEKLY;BYDAY=MO,TH"),
            ("friday and monday", "FREQ=WEEKLY;BYDAY=MO,FR"),
            ("FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ];
        for (words, rule) in cases {
            assert_eq!(parse_every(words).unwrap().to_string(), rule, "{words}");
        }
    }

    #[test]
    fn refuses_what_the_api_would() {
        for bad in ["fortnightly-ish", "0 weeks", "2001 days", "FREQ=HOURLY", ""] {
            assert!(matches!(parse_every(bad), Err(CliError::Usage(_))), "{bad}");
        }
    }
}
