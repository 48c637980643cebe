//! Temporal values beyond `Date`: local and offset times, local and zoned date-times, durations.
//!
//! The types follow openCypher / Neo4j: nanosecond precision, offsets in seconds east of UTC,
//! named zones from the tz database (`zone.rs`), durations as (months, days, seconds,
//! nanoseconds) that are never normalised across those units. Text forms are in `format.rs`
//! and `parse.rs`, calendar arithmetic in `arith.rs`.

mod arith;
mod calendar;
mod date;
mod format;
mod parse;
mod zone;

use serde::{Deserialize, Serialize};

pub use arith::{
    date_plus, datetime_plus, local_datetime_plus, local_time_plus, Delta, AVG_SECONDS_PER_MONTH,
};
pub use date::{days_in_month, is_leap_year, Date};
pub use format::format_offset;
pub use parse::{
    parse_date, parse_datetime, parse_duration, parse_local_datetime, parse_local_time,
    parse_offset, parse_time,
};
pub use zone::Zone;

pub const NANOS_PER_SECOND: i64 = 1_000_000_000;
pub const SECONDS_PER_DAY: i64 = 86_400;
pub const NANOS_PER_DAY: i64 = SECONDS_PER_DAY * NANOS_PER_SECOND;
/// The largest offset from UTC allowed (±18:00, as Java's `ZoneOffset`).
pub const MAX_OFFSET_SECONDS: i32 = 18 * 3600;

/// A time of day without a zone, as nanoseconds since midnight (`0..NANOS_PER_DAY`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocalTime(u64);

impl LocalTime {
    pub const MIDNIGHT: LocalTime = LocalTime(0);

    /// A checked constructor: `None` when a component is out of range.
    pub fn new(hour: i64, minute: i64, second: i64, nanosecond: i64) -> Option<LocalTime> {
        let ok = (0..24).contains(&hour)
            && (0..60).contains(&minute)
            && (0..60).contains(&second)
            && (0..NANOS_PER_SECOND).contains(&nanosecond);
        ok.then(|| {
            LocalTime(((hour * 3600 + minute * 60 + second) * NANOS_PER_SECOND + nanosecond) as u64)
        })
    }

    /// The time `nanos` after midnight, wrapping around the day (negative counts back).
    pub fn from_nanos_wrapping(nanos: i128) -> LocalTime {
        LocalTime(nanos.rem_euclid(i128::from(NANOS_PER_DAY)) as u64)
    }

    pub fn nanos_of_day(self) -> i64 {
        self.0 as i64
    }
    pub fn hour(self) -> i64 {
        self.nanos_of_day() / (3600 * NANOS_PER_SECOND)
    }
    pub fn minute(self) -> i64 {
        self.nanos_of_day() / (60 * NANOS_PER_SECOND) % 60
    }
    pub fn second(self) -> i64 {
        self.nanos_of_day() / NANOS_PER_SECOND % 60
    }
    pub fn nanosecond(self) -> i64 {
        self.nanos_of_day() % NANOS_PER_SECOND
    }
}

/// A time of day with a fixed offset from UTC (Cypher `TIME`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Time {
    pub time: LocalTime,
    /// Seconds east of UTC.
    pub offset: i32,
}

impl Time {
    /// Nanoseconds since midnight UTC (may fall outside one day); orders times by instant.
    pub fn utc_nanos(self) -> i64 {
        self.time.nanos_of_day() - i64::from(self.offset) * NANOS_PER_SECOND
    }
}

/// A date and a time of day without a zone (Cypher `LOCAL DATETIME`). The derived order is
/// chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct LocalDateTime {
    pub date: Date,
    pub time: LocalTime,
}

impl LocalDateTime {
    pub fn new(date: Date, time: LocalTime) -> LocalDateTime {
        LocalDateTime { date, time }
    }

    /// Whole seconds since 1970-01-01T00:00 (as if it were UTC).
    pub fn epoch_second(self) -> i64 {
        self.date.to_days() * SECONDS_PER_DAY + self.time.nanos_of_day() / NANOS_PER_SECOND
    }

    /// Nanoseconds since 1970-01-01T00:00 (as if it were UTC); i128 covers every year.
    pub fn epoch_nanos(self) -> i128 {
        i128::from(self.date.to_days()) * i128::from(NANOS_PER_DAY)
            + i128::from(self.time.nanos_of_day())
    }

    /// Inverse of [`LocalDateTime::epoch_nanos`]; `None` beyond the supported years.
    pub fn from_epoch_nanos(nanos: i128) -> Option<LocalDateTime> {
        let day = i64::try_from(nanos.div_euclid(i128::from(NANOS_PER_DAY))).ok()?;
        if !(MIN_EPOCH_DAY..=MAX_EPOCH_DAY).contains(&day) {
            return None;
        }
        Some(LocalDateTime {
            date: Date::from_days(day),
            time: LocalTime::from_nanos_wrapping(nanos),
        })
    }
}

/// Epoch days of -999999999-01-01 and +999999999-12-31, the supported range (as Java's).
pub const MIN_EPOCH_DAY: i64 = -365_243_219_162;
pub const MAX_EPOCH_DAY: i64 = 365_241_780_471;

/// True when a year lies in the supported range.
pub fn year_in_range(year: i64) -> bool {
    (-999_999_999..=999_999_999).contains(&year)
}

/// A date-time at a UTC offset, optionally in a named zone (Cypher `DATETIME`). `offset` is
/// always the zone's offset at this local date-time.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DateTime {
    pub local: LocalDateTime,
    /// Seconds east of UTC.
    pub offset: i32,
    pub zone: Option<Zone>,
}

/// Where a date-time or time lives: a fixed offset or a named zone.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum TimeZone {
    Offset(i32),
    Named(Zone),
}

impl TimeZone {
    /// The offset in force at the UTC instant `epoch_second`.
    pub fn offset_at_instant(self, epoch_second: i64) -> i32 {
        match self {
            TimeZone::Offset(o) => o,
            TimeZone::Named(z) => z.offset_at_instant(epoch_second),
        }
    }

    /// The offset for a local date-time (earlier offset in an overlap; in a gap, the offset
    /// before it, so the time moves forward by the gap as in Java).
    pub fn offset_for_local(self, local: LocalDateTime) -> i32 {
        match self {
            TimeZone::Offset(o) => o,
            TimeZone::Named(z) => z.offset_for_local(local),
        }
    }
}

impl DateTime {
    /// The local date-time in a zone; a time in a gap is moved forward (Java's rule).
    pub fn from_local(local: LocalDateTime, tz: TimeZone) -> Option<DateTime> {
        let offset = tz.offset_for_local(local);
        // In a gap the instant maps back to a later local time, as wanted.
        DateTime::from_instant(local.epoch_nanos() - offset_nanos(offset), tz)
    }

    /// As [`DateTime::from_local`], but keeping `preferred` when it is one of the local
    /// date-time's valid offsets (the later reading of a time in an overlap).
    pub fn from_local_preferring(
        local: LocalDateTime,
        tz: TimeZone,
        preferred: i32,
    ) -> Option<DateTime> {
        if let TimeZone::Named(_) = tz {
            let at = DateTime::from_instant(local.epoch_nanos() - offset_nanos(preferred), tz)?;
            if at.local == local && at.offset == preferred {
                return Some(at);
            }
        }
        DateTime::from_local(local, tz)
    }

    /// The instant `epoch_nanos` (UTC) seen in a zone.
    pub fn from_instant(epoch_nanos: i128, tz: TimeZone) -> Option<DateTime> {
        let second = i64::try_from(epoch_nanos.div_euclid(i128::from(NANOS_PER_SECOND))).ok()?;
        let offset = tz.offset_at_instant(second);
        let local = LocalDateTime::from_epoch_nanos(epoch_nanos + offset_nanos(offset))?;
        Some(DateTime {
            local,
            offset,
            zone: match tz {
                TimeZone::Named(z) => Some(z),
                TimeZone::Offset(_) => None,
            },
        })
    }

    pub fn timezone(self) -> TimeZone {
        match self.zone {
            Some(z) => TimeZone::Named(z),
            None => TimeZone::Offset(self.offset),
        }
    }

    /// Nanoseconds since the Unix epoch.
    pub fn epoch_nanos(self) -> i128 {
        self.local.epoch_nanos() - offset_nanos(self.offset)
    }

    /// Whole seconds since the Unix epoch (floor).
    pub fn epoch_second(self) -> i64 {
        self.local.epoch_second() - i64::from(self.offset)
    }

    /// The time of day with this date-time's offset.
    pub fn time(self) -> Time {
        Time {
            time: self.local.time,
            offset: self.offset,
        }
    }
}

fn offset_nanos(offset: i32) -> i128 {
    i128::from(offset) * i128::from(NANOS_PER_SECOND)
}

/// A Cypher `DURATION`: months, days, seconds and nanoseconds kept apart (a month or a day
/// has no fixed length). `nanos` is always in `0..NANOS_PER_SECOND`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Duration {
    pub months: i64,
    pub days: i64,
    pub seconds: i64,
    pub nanos: i32,
}

impl Duration {
    /// Normalises `nanos` into the seconds; `None` on overflow.
    pub fn new(months: i64, days: i64, seconds: i64, nanos: i64) -> Option<Duration> {
        let seconds = seconds.checked_add(nanos.div_euclid(NANOS_PER_SECOND))?;
        Some(Duration {
            months,
            days,
            seconds,
            nanos: nanos.rem_euclid(NANOS_PER_SECOND) as i32,
        })
    }

    /// A duration of `nanos` nanoseconds (no months or days); `None` on overflow.
    pub fn from_nanos(months: i64, days: i64, nanos: i128) -> Option<Duration> {
        let ns = i128::from(NANOS_PER_SECOND);
        Some(Duration {
            months,
            days,
            seconds: i64::try_from(nanos.div_euclid(ns)).ok()?,
            nanos: nanos.rem_euclid(ns) as i32,
        })
    }

    /// Seconds and nanoseconds as one count.
    pub fn time_nanos(self) -> i128 {
        i128::from(self.seconds) * i128::from(NANOS_PER_SECOND) + i128::from(self.nanos)
    }

    /// The approximate length in nanoseconds (a month as 30.436875 days), used to order
    /// durations.
    pub fn approximate_nanos(self) -> i128 {
        (i128::from(self.months) * i128::from(AVG_SECONDS_PER_MONTH)
            + i128::from(self.days) * i128::from(SECONDS_PER_DAY))
            * i128::from(NANOS_PER_SECOND)
            + self.time_nanos()
    }

    pub fn checked_neg(self) -> Option<Duration> {
        Duration::from_nanos(
            self.months.checked_neg()?,
            self.days.checked_neg()?,
            -self.time_nanos(),
        )
    }

    pub fn checked_add(self, o: Duration) -> Option<Duration> {
        Duration::from_nanos(
            self.months.checked_add(o.months)?,
            self.days.checked_add(o.days)?,
            self.time_nanos() + o.time_nanos(),
        )
    }

    /// Multiplies every component by an integer.
    pub fn checked_mul_int(self, k: i64) -> Option<Duration> {
        Duration::from_nanos(
            self.months.checked_mul(k)?,
            self.days.checked_mul(k)?,
            self.time_nanos().checked_mul(i128::from(k))?,
        )
    }

    /// Multiplies by a float, carrying fractions of months and days down into smaller units
    /// as Neo4j does (a month as its average length).
    pub fn mul_float(self, f: f64) -> Option<Duration> {
        Duration::approximate(
            self.months as f64 * f,
            self.days as f64 * f,
            self.seconds as f64 * f,
            f64::from(self.nanos) * f,
        )
    }

    /// Divides by a number, carrying fractions down as [`Duration::mul_float`]; `None` for a
    /// zero or non-finite divisor.
    pub fn div_float(self, f: f64) -> Option<Duration> {
        if f == 0.0 {
            return None;
        }
        Duration::approximate(
            self.months as f64 / f,
            self.days as f64 / f,
            self.seconds as f64 / f,
            f64::from(self.nanos) / f,
        )
    }

    /// Builds a duration from fractional components: the fraction of each unit is carried
    /// into the next smaller one (months → days by the average month, days → seconds →
    /// nanoseconds), computed in the same order and precision as Neo4j so that results agree
    /// to the nanosecond. `None` for non-finite or out-of-range input.
    pub fn approximate(months: f64, days: f64, seconds: f64, nanos: f64) -> Option<Duration> {
        let whole = |x: f64| -> Option<i64> {
            (x.is_finite() && x.abs() < 9.2e18).then_some(x.trunc() as i64)
        };
        let (ns_month, ns_day, ns_second) = (
            AVG_SECONDS_PER_MONTH as f64 * 1e9,
            SECONDS_PER_DAY as f64 * 1e9,
            NANOS_PER_SECOND as f64,
        );
        let m = whole(months)?;
        let days = days + (ns_month * months - ns_month * m as f64) / ns_day;
        let d = whole(days)?;
        let seconds = seconds + (ns_day * days - ns_day * d as f64) / ns_second;
        let s = whole(seconds)?;
        let n = whole(nanos + (ns_second * seconds - ns_second * s as f64))?;
        Duration::new(m, d, s, n)
    }
}
