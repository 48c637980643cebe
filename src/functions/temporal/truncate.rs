//! `date.truncate(unit, value [, map])` and its siblings: the start of the millennium,
//! century, decade, year, week-year, quarter, month, week, day, hour, minute, second,
//! millisecond or microsecond holding `value`, then adjusted by the map's components.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::temporal::{LocalTime, TimeZone, NANOS_PER_SECOND};
use crate::value::{Date, Value};

use super::construct::{from_map, Base, Mode};
use super::{bad_arg, invalid, Kind};

/// The first day of the period `unit` holding `d`; `None` for a unit that is not date-based.
fn truncate_date(unit: &str, d: Date) -> Option<Date> {
    let year = i64::from(d.year);
    let first_of_year = |y: i64| Date::from_parts(y, 1, 1);
    match unit {
        "millennium" => first_of_year(year.div_euclid(1000) * 1000),
        "century" => first_of_year(year.div_euclid(100) * 100),
        "decade" => first_of_year(year.div_euclid(10) * 10),
        "year" => first_of_year(year),
        "weekyear" => Date::from_week_date(d.iso_week().0, 1, 1),
        "quarter" => Date::from_parts(year, (d.quarter() - 1) * 3 + 1, 1),
        "month" => Date::from_parts(year, i64::from(d.month), 1),
        "week" => d.plus_days(1 - i64::from(d.weekday())),
        "day" => Some(d),
        _ => None,
    }
}

/// The time of day cut to `unit`; `None` for a unit that is not time-based.
fn truncate_time(unit: &str, t: LocalTime) -> Option<LocalTime> {
    let step = match unit {
        "day" => 86_400 * NANOS_PER_SECOND,
        "hour" => 3600 * NANOS_PER_SECOND,
        "minute" => 60 * NANOS_PER_SECOND,
        "second" => NANOS_PER_SECOND,
        "millisecond" => 1_000_000,
        "microsecond" => 1000,
        _ => return None,
    };
    let n = t.nanos_of_day();
    Some(LocalTime::from_nanos_wrapping(i128::from(n - n % step)))
}

/// `<kind>.truncate(unit, value, map)`. Null in, null out.
pub(super) fn truncate(kind: Kind, args: &[Value], clock: i128) -> Result<Value> {
    let name = format!("{}.truncate", kind.name());
    if kind == Kind::Duration {
        return Err(invalid(kind, "a duration cannot be truncated"));
    }
    let (Some(unit), Some(v)) = (args.first(), args.get(1)) else {
        return Err(invalid(kind, format!("`{name}` takes a unit and a value")));
    };
    if unit.is_null() || v.is_null() {
        return Ok(Value::Null);
    }
    let Value::String(unit) = unit else {
        return Err(bad_arg(&name, unit));
    };
    let empty = BTreeMap::new();
    let m = match args.get(2) {
        None | Some(Value::Null) => &empty,
        Some(Value::Map(m)) => m,
        Some(other) => return Err(bad_arg(&name, other)),
    };
    let (date, time, zone) = match v {
        Value::Date(d) => (Some(*d), LocalTime::MIDNIGHT, None),
        Value::LocalTime(t) => (None, *t, None),
        Value::Time(t) => (None, t.time, Some(TimeZone::Offset(t.offset))),
        Value::LocalDateTime(l) => (Some(l.date), l.time, None),
        Value::DateTime(dt) => (Some(dt.local.date), dt.local.time, Some(dt.timezone())),
        other => return Err(bad_arg(&name, other)),
    };
    let unit_lc = unit.to_ascii_lowercase();
    let cannot = || {
        invalid(
            kind,
            format!("cannot truncate a {} to `{unit}`", v.type_name()),
        )
    };
    let date_unit = truncate_date(&unit_lc, Date::from_days(0)).is_some();
    let (date, time) = match date {
        Some(d) if date_unit => (
            Some(truncate_date(&unit_lc, d).ok_or_else(cannot)?),
            LocalTime::MIDNIGHT,
        ),
        _ if date_unit && unit_lc != "day" => return Err(cannot()),
        _ if kind == Kind::Date => return Err(cannot()),
        _ => (date, truncate_time(&unit_lc, time).ok_or_else(cannot)?),
    };
    let needs_date = matches!(kind, Kind::Date | Kind::LocalDateTime | Kind::DateTime);
    if needs_date && date.is_none() {
        return Err(invalid(kind, format!("a {} has no date", v.type_name())));
    }
    let base = Base {
        date,
        time: Some(time),
        zone,
        offset: None,
    };
    from_map(kind, m, base, Mode::Truncate, clock)
}
