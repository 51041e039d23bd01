//! The time zone a task's dates are computed in.
//!
//! Only names from the IANA time zone database are accepted, looked up in the
//! copy bundled into the binary, so every machine agrees on every local time.

use jiff::tz::TimeZone;

/// The longest name accepted. The longest IANA name today is 32 characters
/// (`America/Argentina/ComodRivadavia`); the bound keeps lookups and stored
/// values small whatever a client sends.
const MAX_NAME_CHARS: usize = 64;

const NOT_A_ZONE: &str = "is not a known IANA time zone (e.g. Europe/Berlin)";

/// An IANA time zone, by its canonical name.
///
/// Two zones are equal when their names are: the name decides the rules.
#[derive(Debug, Clone)]
pub struct Zone {
    /// The database's own spelling, e.g. `Europe/Berlin` even when the client
    /// sent `europe/berlin`.
    name: String,
    tz: TimeZone,
}

impl Zone {
    /// Looks `name` up in the bundled IANA database, ignoring ASCII case.
    ///
    /// Refuses the empty string, names over 64 characters, and anything that is
    /// not an IANA name: fixed offsets (`+02:00`), POSIX TZ strings the
    /// database does not know as names, and `Etc/Unknown`. The error is the
    /// rest of a sentence that starts with the field's name.
    pub fn parse(name: &str) -> Result<Zone, String> {
        if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
            return Err(NOT_A_ZONE.to_owned());
        }
        let tz = jiff::tz::db().get(name).map_err(|_| NOT_A_ZONE.to_owned())?;
        // `iana_name` is `None` for zones that are not database entries (jiff's
        // `Etc/Unknown` placeholder, fixed offsets, POSIX rules), which are
        // exactly the ones to refuse.
        let canonical = tz.iana_name().ok_or_else(|| NOT_A_ZONE.to_owned())?;
        Ok(Zone { name: canonical.to_owned(), tz })
    }

    /// Coordinated Universal Time, the default zone of a task.
    pub fn utc() -> Zone {
        Zone { name: "UTC".to_owned(), tz: TimeZone::UTC }
    }

    /// The canonical IANA name, e.g. `Europe/Berlin`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The zone's rules, for converting between instants and local times.
    pub fn tz(&self) -> &TimeZone {
        &self.tz
    }
}

/// A stored name read back: the store's columns convert through this.
impl TryFrom<String> for Zone {
    type Error = String;

    fn try_from(name: String) -> Result<Zone, String> {
        Zone::parse(&name).map_err(|message| format!("{name:?} {message}"))
    }
}

impl Default for Zone {
    fn default() -> Zone {
        Zone::utc()
    }
}

impl PartialEq for Zone {
    fn eq(&self, other: &Zone) -> bool {
        self.name == other.name
    }
}

impl Eq for Zone {}

impl std::fmt::Display for Zone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

impl std::str::FromStr for Zone {
    type Err = String;

    fn from_str(name: &str) -> Result<Zone, String> {
        Zone::parse(name)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_database_spelling_of_known_names() {
        let cases = [
            ("Europe/Berlin", "Europe/Berlin"),
            ("europe/berlin", "Europe/Berlin"),
            ("EUROPE/BERLIN", "Europe/Berlin"),
            ("america/new_york", "America/New_York"),
            ("Australia/Lord_Howe", "Australia/Lord_Howe"),
            ("UTC", "UTC"),
            ("utc", "UTC"),
            ("Etc/UTC", "Etc/UTC"),
            ("asia/kolkata", "Asia/Kolkata"),
            ("etc/gmt+5", "Etc/GMT+5"),
            ("us/eastern", "US/Eastern"),
            ("EST5EDT", "EST5EDT"),
        ];
        for (input, canonical) in cases {
            let zone = Zone::parse(input).unwrap_or_else(|e| panic!("{input:?}: {e}"));
            assert_eq!(zone.name(), canonical, "{input:?}");
            assert_eq!(zone.to_string(), canonical, "{input:?}");
            assert_eq!(zone.tz().iana_name(), Some(canonical), "{input:?}");
        }
    }

    #[test]
    fn refuses_what_is_not_an_iana_name() {
        let too_long = format!("Europe/{}", "x".repeat(60));
        let refused = [
            "",
            " ",
            "Europe/Berlin ",
            "Mars/Olympus_Mons",
            "Berlin",
            "+02:00",
            "-05",
            "UTC+2",
            "EST5EDT,M3.2.0,M11.1.0",
            "Etc/Unknown",
            "../../etc/passwd",
            "/usr/share/zoneinfo/Europe/Berlin",
            too_long.as_str(),
        ];
        for input in refused {
            assert_eq!(
                Zone::parse(input),
                Err("is not a known IANA time zone (e.g. Europe/Berlin)".to_owned()),
                "{input:?}"
            );
        }
    }

    #[test]
    fn utc_is_the_default_and_zones_compare_by_name() {
        assert_eq!(Zone::default(), Zone::utc());
        assert_eq!(Zone::utc().name(), "UTC");
        assert_eq!(Zone::parse("utc"), Ok(Zone::utc()));
        assert_eq!(Zone::parse("europe/berlin"), "Europe/Berlin".parse());
        assert_ne!(Zone::parse("Europe/Berlin"), Zone::parse("Europe/Paris"));
    }

    #[test]
    fn the_zone_converts_with_its_rules() {
        let berlin = Zone::parse("Europe/Berlin").expect("Berlin is known");
        let summer: jiff::Timestamp = "2026-07-01T10:00:00Z".parse().expect("valid");
        let local = berlin.tz().to_datetime(summer);
        assert_eq!(local.to_string(), "2026-07-01T12:00:00");
    }
}
