//! The calendar date: `DATE` values, days since the epoch, weekdays and ordinal days (ISO
//! week dates and month arithmetic are in `calendar.rs`).

use std::fmt;

use serde::{Deserialize, Serialize};

/// A calendar date in the proleptic Gregorian calendar. Field order makes the derived
/// ordering chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A checked constructor: `None` when the day does not exist.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses an ISO-8601 date (`2026-06-30`, `20260630`, week and ordinal forms, signed
    /// years): the same reader as `date('…')`.
    pub fn parse_iso(s: &str) -> Option<Date> {
        super::parse_date(s.trim())
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    /// Inverse of [`Date::to_days`].
    pub fn from_days(z: i64) -> Date {
        let z = z + 719468;
        let era = if z >= 0 { z } else { z - 146096 } / 146097;
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        Date {
            year: (y + i64::from(m <= 2)) as i32,
            month: m,
            day: d,
        }
    }

    /// ISO weekday: Monday = 1 … Sunday = 7.
    pub fn weekday(self) -> u8 {
        ((self.to_days() + 3).rem_euclid(7) + 1) as u8
    }

    /// Day of the year, 1-based.
    pub fn ordinal(self) -> u16 {
        (self.to_days() - Date::new(self.year, 1, 1).map_or(0, Date::to_days) + 1) as u16
    }
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if (0..=9999).contains(&self.year) {
            write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
        } else {
            write!(f, "{:+05}-{:02}-{:02}", self.year, self.month, self.day)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_days_round_trip() {
        for days in [-800_000i64, -1, 0, 1, 59, 365, 10_957, 20_000, 2_932_896] {
            assert_eq!(Date::from_days(days).to_days(), days);
        }
        assert_eq!(Date::new(1970, 1, 1).map(Date::to_days), Some(0));
        assert_eq!(
            Date::parse_iso("2026-06-30")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2026-06-30")
        );
        assert_eq!(Date::parse_iso("2026-02-29"), None);
        assert_eq!(Date::new(2026, 11, 21).map(Date::weekday), Some(6));
    }
}
