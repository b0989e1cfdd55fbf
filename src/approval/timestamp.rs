//! UTC timestamps as unix seconds, written and read as RFC 3339 `YYYY-MM-DDTHH:MM:SSZ`.
//!
//! The approval only ever needs whole seconds in UTC, so this is a few lines of calendar
//! arithmetic rather than a date crate: one strict form out, the same strict form in.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// A point in time, in whole seconds since 1970-01-01T00:00:00Z.
///
/// Serialised as an RFC 3339 UTC string with a `Z` suffix and no fraction
/// (`2025-06-01T12:00:00Z`); deserialising accepts exactly that form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Timestamp(pub i64);

/// Why a string is not a `YYYY-MM-DDTHH:MM:SSZ` timestamp.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{input:?} is not a UTC time of the form YYYY-MM-DDTHH:MM:SSZ")]
pub struct TimestampError {
    /// The rejected text.
    pub input: String,
}

impl Timestamp {
    /// The current time (the system clock); 0 if the clock is before 1970.
    pub fn now() -> Self {
        let secs = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX));
        Timestamp(secs)
    }

    /// Parses the strict form `YYYY-MM-DDTHH:MM:SSZ`.
    pub fn parse(s: &str) -> Result<Self, TimestampError> {
        let err = || TimestampError {
            input: s.to_owned(),
        };
        let b = s.as_bytes();
        if b.len() != 20
            || b[4] != b'-'
            || b[7] != b'-'
            || b[10] != b'T'
            || b[13] != b':'
            || b[16] != b':'
            || b[19] != b'Z'
        {
            return Err(err());
        }
        let num = |range: std::ops::Range<usize>| digits(&b[range]).ok_or_else(err);
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let (hour, minute, second) = (num(11..13)?, num(14..16)?, num(17..19)?);
        from_civil(year, month, day, hour, minute, second)
            .map(Timestamp)
            .ok_or_else(err)
    }
}

impl fmt::Display for Timestamp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let days = self.0.div_euclid(86_400);
        let secs = self.0.rem_euclid(86_400);
        let (year, month, day) = civil_from_days(days);
        write!(
            f,
            "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }
}

impl Serialize for Timestamp {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Timestamp {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let s = String::deserialize(deserializer)?;
        Timestamp::parse(&s).map_err(serde::de::Error::custom)
    }
}

/// Reads a run of ASCII digits as a number; `None` for anything else or an empty run.
pub(crate) fn digits(b: &[u8]) -> Option<i64> {
    if b.is_empty() || b.len() > 9 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    Some(b.iter().fold(0, |n, d| n * 10 + i64::from(d - b'0')))
}

/// Unix seconds of a UTC calendar date and time, `None` if any field is out of range.
pub(crate) fn from_civil(
    year: i64,
    month: i64,
    day: i64,
    hour: i64,
    minute: i64,
    second: i64,
) -> Option<i64> {
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    let month_days = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=month_days).contains(&day) || hour > 23 || minute > 59 || second > 59 {
        return None;
    }
    Some(days_from_civil(year, month, day) * 86_400 + hour * 3600 + minute * 60 + second)
}

// Howard Hinnant's days_from_civil / civil_from_days: exact for the proleptic Gregorian calendar.
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants_format_and_parse_back() {
        for (secs, text) in [
            (0, "1970-01-01T00:00:00Z"),
            (951_782_400, "2000-02-29T00:00:00Z"),
            (1_748_779_199, "2025-06-01T11:59:59Z"),
            (4_107_542_400, "2100-03-01T00:00:00Z"),
        ] {
            assert_eq!(Timestamp(secs).to_string(), text, "formatting {secs}");
            assert_eq!(
                Timestamp::parse(text),
                Ok(Timestamp(secs)),
                "parsing {text}"
            );
        }
    }

    #[test]
    fn every_day_for_decades_round_trips() {
        for day in -1000..30_000 {
            let t = Timestamp(day * 86_400 + 3_723);
            assert_eq!(Timestamp::parse(&t.to_string()), Ok(t), "day {day}");
        }
    }

    #[test]
    fn sloppy_forms_are_refused() {
        for bad in [
            "2025-06-01T12:00:00",
            "2025-06-01 12:00:00Z",
            "2025-06-01T12:00:00.5Z",
            "2025-06-01T12:00:00+00:00",
            "2025-13-01T12:00:00Z",
            "2025-02-29T12:00:00Z",
            "2025-06-31T12:00:00Z",
            "2025-06-01T24:00:00Z",
            "2025-06-01T12:60:00Z",
            "+025-06-01T12:00:00Z",
        ] {
            assert!(Timestamp::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
