//! `duration.between` / `inMonths` / `inDays` / `inSeconds`: the duration from one temporal
//! value to another, as Neo4j computes it (Java's `until`, unit by unit).
//!
//! Mixed types meet halfway: a value without a date borrows the other's date, a value
//! without a zone is read in the other's zone, and months and days are only counted when both
//! values have a date.

use crate::temporal::{
    datetime_plus, local_datetime_plus, Date, DateTime, Delta, Duration, LocalDateTime, LocalTime,
    TimeZone,
};
use crate::value::Value;

/// Which units `between` counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BetweenUnit {
    /// Months, then days, then seconds (`duration.between`).
    All,
    Months,
    Days,
    Seconds,
}

struct Moment {
    date: Option<Date>,
    time: LocalTime,
    tz: Option<TimeZone>,
}

fn moment(v: &Value) -> Option<Moment> {
    Some(match v {
        Value::Date(d) => Moment {
            date: Some(*d),
            time: LocalTime::MIDNIGHT,
            tz: None,
        },
        Value::LocalTime(t) => Moment {
            date: None,
            time: *t,
            tz: None,
        },
        Value::Time(t) => Moment {
            date: None,
            time: t.time,
            tz: Some(TimeZone::Offset(t.offset)),
        },
        Value::LocalDateTime(l) => Moment {
            date: Some(l.date),
            time: l.time,
            tz: None,
        },
        Value::DateTime(dt) => Moment {
            date: Some(dt.local.date),
            time: dt.local.time,
            tz: Some(dt.timezone()),
        },
        _ => return None,
    })
}

/// Whole months from `a` to `b` (Java's `LocalDateTime.until(…, MONTHS)`).
fn months_until(a: LocalDateTime, b: LocalDateTime) -> i64 {
    let end = adjusted_end(a, b);
    let packed = |d: Date| d.proleptic_month() * 32 + i64::from(d.day);
    (packed(end) - packed(a.date)) / 32
}

/// Whole days from `a` to `b` (Java's `LocalDateTime.until(…, DAYS)`).
fn days_until(a: LocalDateTime, b: LocalDateTime) -> i64 {
    adjusted_end(a, b).to_days() - a.date.to_days()
}

/// `b`'s date, moved one day towards `a` when its time of day has not reached `a`'s yet.
fn adjusted_end(a: LocalDateTime, b: LocalDateTime) -> Date {
    if b.date > a.date && b.time < a.time {
        Date::from_days(b.date.to_days() - 1)
    } else if b.date < a.date && b.time > a.time {
        Date::from_days(b.date.to_days() + 1)
    } else {
        b.date
    }
}

/// A point on either a local or a zoned time line.
#[derive(Clone, Copy)]
enum Point {
    Local(LocalDateTime),
    Zoned(DateTime),
}

impl Point {
    fn local(self) -> LocalDateTime {
        match self {
            Point::Local(l) => l,
            Point::Zoned(z) => z.local,
        }
    }

    fn nanos(self) -> i128 {
        match self {
            Point::Local(l) => l.epoch_nanos(),
            Point::Zoned(z) => z.epoch_nanos(),
        }
    }

    fn plus(self, months: i64, days: i64) -> Option<Point> {
        let d = Duration {
            months,
            days,
            ..Duration::default()
        };
        let delta = Delta::of(&d, false)?;
        Some(match self {
            Point::Local(l) => Point::Local(local_datetime_plus(l, delta)?),
            Point::Zoned(z) => Point::Zoned(datetime_plus(z, delta)?),
        })
    }
}

/// The duration from `a` to `b` in `unit`; `None` when either is not temporal or the result
/// is out of range.
pub fn between(a: &Value, b: &Value, unit: BetweenUnit) -> Option<Duration> {
    let (x, y) = (moment(a)?, moment(b)?);
    let dated = x.date.is_some() && y.date.is_some();
    let epoch = Date::from_days(0);
    let lx = LocalDateTime::new(x.date.or(y.date).unwrap_or(epoch), x.time);
    let ly = LocalDateTime::new(y.date.or(x.date).unwrap_or(epoch), y.time);
    let (from, to, to_in_from_zone) = match (x.tz.or(y.tz), y.tz.or(x.tz)) {
        (Some(tx), Some(ty)) => {
            let from = DateTime::from_local(lx, tx)?;
            let to = DateTime::from_local(ly, ty)?;
            let seen = DateTime::from_instant(to.epoch_nanos(), tx)?;
            (Point::Zoned(from), Point::Zoned(to), seen.local)
        }
        _ => (Point::Local(lx), Point::Local(ly), ly),
    };
    let (mut months, mut days) = (0, 0);
    let mut start = from;
    if dated && matches!(unit, BetweenUnit::All | BetweenUnit::Months) {
        months = months_until(start.local(), to_in_from_zone);
        start = start.plus(months, 0)?;
    }
    if dated && matches!(unit, BetweenUnit::All | BetweenUnit::Days) {
        days = days_until(start.local(), to_in_from_zone);
        start = start.plus(0, days)?;
    }
    let nanos = match unit {
        BetweenUnit::All | BetweenUnit::Seconds => to.nanos() - start.nanos(),
        BetweenUnit::Months | BetweenUnit::Days => 0,
    };
    Duration::from_nanos(months, days, nanos)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::temporal::{parse_date, parse_datetime, parse_local_datetime, parse_time};

    fn date(s: &str) -> Value {
        Value::Date(parse_date(s).expect("valid"))
    }
    fn ldt(s: &str) -> Value {
        Value::LocalDateTime(parse_local_datetime(s).expect("valid"))
    }
    fn dt(s: &str) -> Value {
        Value::DateTime(parse_datetime(s, TimeZone::Offset(0)).expect("valid"))
    }
    fn time(s: &str) -> Value {
        let (t, o) = parse_time(s).expect("valid");
        Value::Time(crate::temporal::Time {
            time: t,
            offset: o.unwrap_or(0),
        })
    }
    fn b(a: &Value, c: &Value, unit: BetweenUnit) -> String {
        between(a, c, unit)
            .map(|d| d.to_string())
            .unwrap_or_default()
    }

    #[test]
    fn between_follows_neo4j() {
        use BetweenUnit::*;
        let d = date("1984-10-11");
        assert_eq!(b(&d, &date("2015-06-24"), All), "P30Y8M13D");
        assert_eq!(
            b(&d, &ldt("2016-07-21T21:45:22.142"), All),
            "P31Y9M10DT21H45M22.142S"
        );
        assert_eq!(b(&d, &time("16:30+0100"), All), "PT16H30M");
        let z = dt("2014-07-21T21:40:36.143+0200");
        assert_eq!(b(&z, &date("2015-06-24"), All), "P11M2DT2H19M23.857S");
        assert_eq!(
            b(&z, &dt("2015-07-21T21:40:32.142+0100"), All),
            "P1YT59M55.999S"
        );
        assert_eq!(b(&z, &time("16:30+0100"), All), "PT-4H-10M-36.143S");
        assert_eq!(b(&time("14:30Z"), &time("16:30+0100"), Seconds), "PT1H");
        assert_eq!(
            b(&date("2018-03-11"), &date("2016-06-24"), Months),
            "P-1Y-8M"
        );
        assert_eq!(
            b(&ldt("2015-07-21T21:40:32.142"), &date("2015-06-24"), Days),
            "P-27D"
        );
        assert_eq!(
            b(&date("-999999999-01-01"), &date("+999999999-12-31"), All),
            "P1999999998Y11M30D"
        );
        // Across the end of summer time: 25 hours between two midnights.
        let s = dt("2017-10-29T00:00[Europe/Stockholm]");
        assert_eq!(b(&s, &date("2017-10-30"), Seconds), "PT25H");
        assert_eq!(
            b(
                &dt("2017-10-28T23:00+02:00[Europe/Stockholm]"),
                &dt("2017-10-29T04:00+01:00[Europe/Stockholm]"),
                All
            ),
            "PT6H"
        );
    }
}
