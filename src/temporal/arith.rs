//! Calendar arithmetic: a temporal value plus or minus a duration, as Neo4j applies it
//! (months first, then days, then seconds and nanoseconds; each unit only where the type has
//! it, a date taking whole days out of the seconds).

use crate::value::{Date, Value};

use super::{
    DateTime, Duration, LocalDateTime, LocalTime, Time, NANOS_PER_SECOND, SECONDS_PER_DAY,
};

/// The average length of a month in seconds (365.2425 days / 12), used to carry fractions of
/// months and to order durations.
pub const AVG_SECONDS_PER_MONTH: i64 = 2_629_746;

/// The components to apply, each with its own sign (subtracting negates each component
/// separately, as Java's `subtractFrom` does, instead of normalising a negated duration).
#[derive(Clone, Copy)]
struct Delta {
    months: i64,
    days: i64,
    seconds: i64,
    nanos: i64,
}

impl Delta {
    fn of(d: &Duration, negate: bool) -> Option<Delta> {
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

fn date_plus(d: Date, delta: Delta) -> Option<Date> {
    d.plus_months(delta.months)?
        .plus_days(delta.days)?
        .plus_days(delta.seconds / SECONDS_PER_DAY)
}

fn local_time_plus(t: LocalTime, delta: Delta) -> LocalTime {
    LocalTime::from_nanos_wrapping(i128::from(t.nanos_of_day()) + delta.time_nanos())
}

fn local_datetime_plus(l: LocalDateTime, delta: Delta) -> Option<LocalDateTime> {
    let date = l.date.plus_months(delta.months)?.plus_days(delta.days)?;
    LocalDateTime::from_epoch_nanos(
        LocalDateTime::new(date, l.time).epoch_nanos() + delta.time_nanos(),
    )
}

fn datetime_plus(dt: DateTime, delta: Delta) -> Option<DateTime> {
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

/// `v + d` (or `v - d` with `negate`) for a temporal `v`; `None` when `v` is not temporal or
/// the result is out of range.
pub fn add_duration(v: &Value, d: &Duration, negate: bool) -> Option<Value> {
    let delta = Delta::of(d, negate)?;
    Some(match v {
        Value::Date(x) => Value::Date(date_plus(*x, delta)?),
        Value::LocalTime(t) => Value::LocalTime(local_time_plus(*t, delta)),
        Value::Time(t) => Value::Time(Time {
            time: local_time_plus(t.time, delta),
            offset: t.offset,
        }),
        Value::LocalDateTime(l) => Value::LocalDateTime(local_datetime_plus(*l, delta)?),
        Value::DateTime(dt) => Value::DateTime(datetime_plus(*dt, delta)?),
        Value::Duration(x) => Value::Duration(Box::new(if negate {
            x.checked_add(d.checked_neg()?)?
        } else {
            x.checked_add(*d)?
        })),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temporal::{parse_duration, TimeZone};

    fn add(v: Value, d: &str, negate: bool) -> String {
        let d = parse_duration(d).expect("valid duration");
        add_duration(&v, &d, negate)
            .map(|v| match v {
                Value::Date(x) => x.to_string(),
                Value::LocalTime(x) => x.to_string(),
                Value::LocalDateTime(x) => x.to_string(),
                Value::DateTime(x) => x.to_string(),
                other => format!("{other:?}"),
            })
            .unwrap_or_default()
    }

    #[test]
    fn adds_months_then_days_then_time() {
        let date = Value::Date(Date::new(1984, 10, 11).expect("valid"));
        assert_eq!(
            add(date.clone(), "P12Y5M14DT16H13M10.000000002S", false),
            "1997-03-25"
        );
        assert_eq!(
            add(date.clone(), "P12Y5M14DT16H13M10.000000002S", true),
            "1972-04-27"
        );
        assert_eq!(add(date, "P1M-14DT15H49M10S", false), "1984-10-28");
        let t = Value::LocalTime(LocalTime::new(12, 31, 14, 1).expect("valid"));
        assert_eq!(
            add(t.clone(), "P12Y5M14DT16H13M10.000000002S", false),
            "04:44:24.000000003"
        );
        assert_eq!(
            add(t, "P12Y5M14DT16H13M10.000000002S", true),
            "20:18:03.999999999"
        );
        let ldt = Value::LocalDateTime(LocalDateTime::new(
            Date::new(1984, 10, 11).expect("valid"),
            LocalTime::new(12, 31, 14, 1).expect("valid"),
        ));
        assert_eq!(
            add(ldt, "P1M-14DT15H49M10S", false),
            "1984-10-29T04:20:24.000000001"
        );
        // Across the end of summer time a day is 25 hours: P1D keeps the wall clock.
        let z = TimeZone::Named(crate::temporal::Zone::by_name("Europe/Stockholm").expect("zone"));
        let dt = DateTime::from_local(
            LocalDateTime::new(
                Date::new(2017, 10, 28).expect("valid"),
                LocalTime::new(12, 0, 0, 0).expect("valid"),
            ),
            z,
        )
        .expect("in range");
        assert_eq!(
            add(Value::DateTime(dt), "P1D", false),
            "2017-10-29T12:00+01:00[Europe/Stockholm]"
        );
        // 2017-10-29 02:30 exists twice; from the later reading, P1D back keeps +01:00.
        let later = DateTime::from_instant(
            LocalDateTime::new(
                Date::new(2017, 10, 29).expect("valid"),
                LocalTime::new(2, 30, 0, 0).expect("valid"),
            )
            .epoch_nanos()
                - 3600 * 1_000_000_000,
            z,
        )
        .expect("in range");
        assert_eq!(
            later.to_string(),
            "2017-10-29T02:30+01:00[Europe/Stockholm]"
        );
        assert_eq!(
            add(Value::DateTime(later), "P7D", false),
            "2017-11-05T02:30+01:00[Europe/Stockholm]"
        );
        assert_eq!(
            add(Value::DateTime(later), "PT0S", false),
            "2017-10-29T02:30+01:00[Europe/Stockholm]"
        );
        assert_eq!(
            add(Value::DateTime(dt), "PT24H", false),
            "2017-10-29T11:00+01:00[Europe/Stockholm]"
        );
    }
}
