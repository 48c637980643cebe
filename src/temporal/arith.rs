//! Calendar arithmetic: a temporal value plus or minus a duration, as Neo4j applies it
//! (months first, then days, then seconds and nanoseconds; each unit only where the type has
//! it, a date taking whole days out of the seconds).

use super::{
    Date, DateTime, Duration, LocalDateTime, LocalTime, NANOS_PER_SECOND, SECONDS_PER_DAY,
};

/// The average length of a month in seconds (365.2425 days / 12), used to carry fractions of
/// months and to order durations.
pub const AVG_SECONDS_PER_MONTH: i64 = 2_629_746;

/// The components to apply, each with its own sign (subtracting negates each component
/// separately, as Java's `subtractFrom` does, instead of normalising a negated duration).
#[derive(Clone, Copy)]
pub struct Delta {
    months: i64,
    days: i64,
    seconds: i64,
    nanos: i64,
}

impl Delta {
    /// `d`, or `-d` component by component with `negate`; `None` on overflow.
    pub fn of(d: &Duration, negate: bool) -> Option<Delta> {
        let s = if negate { -1 } else { 1 };
        Some(Delta {
            months: d.months.checked_mul(s)?,
            days: d.days.checked_mul(s)?,
            seconds: d.seconds.checked_mul(s)?,
            nanos: s * i64::from(d.nanos),
        })
    }

    fn time_nanos(self) -> i128 {
        i128::from(self.seconds) * i128::from(NANOS_PER_SECOND) + i128::from(self.nanos)
    }
}

pub fn date_plus(d: Date, delta: Delta) -> Option<Date> {
    d.plus_months(delta.months)?
        .plus_days(delta.days)?
        .plus_days(delta.seconds / SECONDS_PER_DAY)
}

pub fn local_time_plus(t: LocalTime, delta: Delta) -> LocalTime {
    LocalTime::from_nanos_wrapping(i128::from(t.nanos_of_day()) + delta.time_nanos())
}

pub fn local_datetime_plus(l: LocalDateTime, delta: Delta) -> Option<LocalDateTime> {
    let date = l.date.plus_months(delta.months)?.plus_days(delta.days)?;
    LocalDateTime::from_epoch_nanos(
        LocalDateTime::new(date, l.time).epoch_nanos() + delta.time_nanos(),
    )
}

pub fn datetime_plus(dt: DateTime, delta: Delta) -> Option<DateTime> {
    let tz = dt.timezone();
    let date = dt
        .local
        .date
        .plus_months(delta.months)?
        .plus_days(delta.days)?;
    // In an overlap the wall clock keeps its offset when it still can (Java's rule).
    let moved =
        DateTime::from_local_preferring(LocalDateTime::new(date, dt.local.time), tz, dt.offset)?;
    // Time units move the instant (across a DST change a day of hours is not a day).
    DateTime::from_instant(moved.epoch_nanos() + delta.time_nanos(), tz)
}
