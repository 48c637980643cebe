//! Temporal functions: `date()` (today, from an ISO string, from a map of components, from a
//! date) and `Unsupported` errors for the temporal types kgstore does not implement yet.

use std::collections::BTreeMap;

use crate::error::{QueryError, Result};
use crate::value::{Date, Value};

use super::{arg_error, bad_arg};

fn today() -> Date {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64);
    Date::from_days(secs.div_euclid(86_400))
}

fn invalid(what: impl std::fmt::Display) -> crate::error::Error {
    arg_error("InvalidArgumentValue", format!("invalid date: {what}"))
}

fn int_field(m: &BTreeMap<String, Value>, key: &str) -> Result<Option<i64>> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::Int(i)) => Ok(Some(*i)),
        Some(other) => Err(bad_arg("date", other)),
    }
}

fn small(v: i64, what: &str) -> Result<i32> {
    i32::try_from(v).map_err(|_| invalid(format!("{what} {v} is out of range")))
}

/// The date of ISO week `week`, weekday `dow` (Monday = 1) of week-based year `year`.
fn from_week(year: i32, week: i64, dow: i64) -> Result<Date> {
    if !(1..=53).contains(&week) || !(1..=7).contains(&dow) {
        return Err(invalid(format!("week {week}, day of week {dow}")));
    }
    // Week 1 holds January 4th.
    let jan4 = Date::new(year, 1, 4).ok_or_else(|| invalid(year))?;
    let week1_monday = jan4.to_days() - i64::from(jan4.weekday()) + 1;
    let d = Date::from_days(week1_monday + (week - 1) * 7 + dow - 1);
    if week == 53 && crate::expr::iso_week_of(d).0 != i64::from(year) {
        return Err(invalid(format!("{year} has no week 53")));
    }
    Ok(d)
}

fn from_ordinal(year: i32, ordinal: i64) -> Result<Date> {
    let start = Date::new(year, 1, 1).ok_or_else(|| invalid(year))?;
    let length = if crate::value::is_leap_year(year) {
        366
    } else {
        365
    };
    if !(1..=length).contains(&ordinal) {
        return Err(invalid(format!("ordinal day {ordinal} of {year}")));
    }
    Ok(Date::from_days(start.to_days() + ordinal - 1))
}

/// A date from components, `{year, month, day}`, `{year, week, dayOfWeek}`,
/// `{year, ordinalDay}` or `{year, quarter, dayOfQuarter}`. With `date: d` the missing
/// components come from `d` (`date({date: d, day: 1})` is the first of d's month).
fn from_map(m: &BTreeMap<String, Value>) -> Result<Date> {
    if m.contains_key("timezone") {
        return Err(QueryError::unsupported("date() with a `timezone`").into());
    }
    let base = match m.get("date") {
        None | Some(Value::Null) => None,
        Some(Value::Date(d)) => Some(*d),
        Some(other) => return Err(bad_arg("date", other)),
    };
    let year_or = |default: Option<i64>| -> Result<i32> {
        match int_field(m, "year")?.or(default) {
            Some(y) => small(y, "year"),
            None => Err(invalid("a date map needs a `year`")),
        }
    };
    if let Some(week) = int_field(m, "week")? {
        let year = year_or(base.map(|d| crate::expr::iso_week_of(d).0))?;
        let dow = int_field(m, "dayOfWeek")?
            .or(base.map(|d| i64::from(d.weekday())))
            .unwrap_or(1);
        return from_week(year, week, dow);
    }
    if let Some(ordinal) = int_field(m, "ordinalDay")? {
        return from_ordinal(year_or(base.map(|d| i64::from(d.year)))?, ordinal);
    }
    if let Some(quarter) = int_field(m, "quarter")? {
        let year = year_or(base.map(|d| i64::from(d.year)))?;
        if !(1..=4).contains(&quarter) {
            return Err(invalid(format!("quarter {quarter}")));
        }
        let first = Date::new(year, (quarter as u8 - 1) * 3 + 1, 1).ok_or_else(|| invalid(year))?;
        let doq = int_field(m, "dayOfQuarter")?
            .or(base.map(day_of_quarter))
            .unwrap_or(1);
        if !(1..=92).contains(&doq) {
            return Err(invalid(format!("day {doq} of quarter {quarter}")));
        }
        let d = Date::from_days(first.to_days() + doq - 1);
        if d.month.saturating_sub(1) / 3 + 1 != quarter as u8 || d.year != year {
            return Err(invalid(format!("day {doq} of quarter {quarter}")));
        }
        return Ok(d);
    }
    let year = year_or(base.map(|d| i64::from(d.year)))?;
    let month = int_field(m, "month")?
        .or(base.map(|d| i64::from(d.month)))
        .unwrap_or(1);
    let day = int_field(m, "day")?
        .or(base.map(|d| i64::from(d.day)))
        .unwrap_or(1);
    let (Ok(month), Ok(day)) = (u8::try_from(month), u8::try_from(day)) else {
        return Err(invalid(format!("{year}-{month}-{day}")));
    };
    Date::new(year, month, day).ok_or_else(|| invalid(format!("{year}-{month}-{day}")))
}

fn day_of_quarter(d: Date) -> i64 {
    let first_month = d.month.saturating_sub(1) / 3 * 3 + 1;
    d.to_days() - Date::new(d.year, first_month, 1).map_or(d.to_days(), Date::to_days) + 1
}

/// ISO date text: `2015-07-21`, `20150721`, `2015-07`, `2015`, `2015-W30-2`, `2015W302`,
/// `2015-202`.
pub(crate) fn parse_date(s: &str) -> Option<Date> {
    let t = s.trim();
    if let Some(d) = Date::parse_iso(t) {
        return Some(d);
    }
    let digits = |x: &str| !x.is_empty() && x.bytes().all(|b| b.is_ascii_digit());
    let num = |x: &str| x.parse::<i64>().ok();
    if let Some((y, rest)) = t.split_once('W').or_else(|| t.split_once("-W")) {
        let y = y.trim_end_matches('-');
        let rest = rest.replace('-', "");
        if !digits(y) || !digits(&rest) || !(rest.len() == 2 || rest.len() == 3) {
            return None;
        }
        let dow = if rest.len() == 3 { num(&rest[2..])? } else { 1 };
        return from_week(i32::try_from(num(y)?).ok()?, num(&rest[..2])?, dow).ok();
    }
    let parts: Vec<&str> = t.split('-').collect();
    match parts.as_slice() {
        [y] if y.len() == 4 && digits(y) => Date::new(y.parse().ok()?, 1, 1),
        [y] if y.len() == 7 && digits(y) => from_ordinal(y[..4].parse().ok()?, num(&y[4..])?).ok(),
        [y] if y.len() == 6 && digits(y) => {
            Date::new(y[..4].parse().ok()?, y[4..].parse().ok()?, 1)
        }
        [y, m] if y.len() == 4 && digits(y) && m.len() == 2 && digits(m) => {
            Date::new(y.parse().ok()?, m.parse().ok()?, 1)
        }
        [y, o] if y.len() == 4 && digits(y) && o.len() == 3 && digits(o) => {
            from_ordinal(y.parse().ok()?, num(o)?).ok()
        }
        _ => None,
    }
}

/// The temporal functions; `None` when `name` is not one of them.
pub(super) fn call(name: &str, args: &mut [Value]) -> Option<Result<Value>> {
    Some(match name {
        "date" => match args.first() {
            None => Ok(Value::Date(today())),
            Some(Value::Null) => Ok(Value::Null),
            Some(Value::Date(d)) => Ok(Value::Date(*d)),
            Some(Value::String(s)) => parse_date(s)
                .map(Value::Date)
                .ok_or_else(|| invalid(format!("`{s}` is not an ISO date"))),
            Some(Value::Map(m)) => from_map(m).map(Value::Date),
            Some(other) => Err(bad_arg(name, other)),
        },
        "datetime" | "localdatetime" | "time" | "localtime" | "duration" | "temporal function" => {
            Err(QueryError::unsupported(format!("temporal type {name}")).into())
        }
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_iso_forms() {
        let d = |y, m, day| Date::new(y, m, day);
        assert_eq!(parse_date("2015-07-21"), d(2015, 7, 21));
        assert_eq!(parse_date("20150721"), d(2015, 7, 21));
        assert_eq!(parse_date("2015-07"), d(2015, 7, 1));
        assert_eq!(parse_date("2015"), d(2015, 1, 1));
        assert_eq!(parse_date("2015-W30-2"), d(2015, 7, 21));
        assert_eq!(parse_date("2015W302"), d(2015, 7, 21));
        assert_eq!(parse_date("2015-202"), d(2015, 7, 21));
        assert_eq!(parse_date("2015-13-01"), None);
        assert_eq!(parse_date("yesterday"), None);
    }

    #[test]
    fn from_component_maps() {
        let m = |pairs: &[(&str, i64)]| {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), Value::Int(*v)))
                .collect::<BTreeMap<_, _>>()
        };
        assert_eq!(
            from_map(&m(&[("year", 1984), ("month", 10), ("day", 11)])).ok(),
            Date::new(1984, 10, 11)
        );
        assert_eq!(
            from_map(&m(&[("year", 1984), ("week", 10), ("dayOfWeek", 3)])).ok(),
            Date::new(1984, 3, 7)
        );
        assert_eq!(
            from_map(&m(&[("year", 1984), ("ordinalDay", 202)])).ok(),
            Date::new(1984, 7, 20)
        );
        assert_eq!(
            from_map(&m(&[("year", 1984), ("quarter", 3), ("dayOfQuarter", 45)])).ok(),
            Date::new(1984, 8, 14)
        );
        assert!(from_map(&m(&[("year", 1984), ("month", 2), ("day", 30)])).is_err());
        assert!(from_map(&m(&[
            ("year", 1984),
            ("quarter", 1),
            ("dayOfQuarter", i64::MAX)
        ]))
        .is_err());
        assert!(from_map(&m(&[("year", i64::MAX)])).is_err());
        assert!(from_map(&m(&[("year", 2020), ("week", i64::MIN)])).is_err());
        // Selecting from another date (TCK Temporal3 [1]).
        let other = Value::Date(Date::new(1984, 11, 11).expect("valid"));
        let with = |pairs: &[(&str, i64)]| {
            let mut map = m(pairs);
            map.insert("date".to_string(), other.clone());
            from_map(&map).ok()
        };
        assert_eq!(with(&[]), Date::new(1984, 11, 11));
        assert_eq!(with(&[("year", 28)]), Date::new(28, 11, 11));
        assert_eq!(with(&[("day", 28)]), Date::new(1984, 11, 28));
        assert_eq!(with(&[("week", 1)]), Date::new(1984, 1, 8));
        assert_eq!(with(&[("ordinalDay", 28)]), Date::new(1984, 1, 28));
        assert_eq!(with(&[("quarter", 3)]), Date::new(1984, 8, 11));
    }
}
