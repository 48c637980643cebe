//! `duration({…})` from components, and `duration.between` / `inMonths` / `inDays` /
//! `inSeconds`.

use std::collections::BTreeMap;

use super::between::{between as temporal_between, BetweenUnit};
use crate::error::Result;
use crate::temporal::Duration;
use crate::value::Value;

use super::{bad_arg, invalid, Kind};

/// Component names and their unit: months, days, seconds or nanoseconds, and the factor.
const UNITS: [(&str, usize, i64); 11] = [
    ("years", 0, 12),
    ("quarters", 0, 3),
    ("months", 0, 1),
    ("weeks", 1, 7),
    ("days", 1, 1),
    ("hours", 2, 3600),
    ("minutes", 2, 60),
    ("seconds", 2, 1),
    ("milliseconds", 3, 1_000_000),
    ("microseconds", 3, 1000),
    ("nanoseconds", 3, 1),
];

/// A duration from `{years, quarters, months, weeks, days, hours, minutes, seconds,
/// milliseconds, microseconds, nanoseconds}`; integers add up exactly, a float anywhere makes
/// fractions carry down into smaller units (`{months: 0.75}` is `P22DT19H51M49.5S`).
pub(super) fn from_map(m: &BTreeMap<String, Value>) -> Result<Value> {
    let kind = Kind::Duration;
    let mut exact = [0i64; 4];
    let mut approx = [0f64; 4];
    let mut fractional = false;
    for (key, v) in m {
        let Some(&(_, slot, factor)) = UNITS.iter().find(|u| u.0 == key) else {
            return Err(invalid(kind, format!("unknown component `{key}`")));
        };
        match v {
            Value::Null => {}
            Value::Int(i) => {
                let scaled = i
                    .checked_mul(factor)
                    .and_then(|x| exact[slot].checked_add(x))
                    .ok_or_else(|| invalid(kind, format!("`{key}: {i}` is out of range")))?;
                exact[slot] = scaled;
                approx[slot] += *i as f64 * factor as f64;
            }
            Value::Float(f) => {
                fractional = true;
                approx[slot] += f * factor as f64;
            }
            other => {
                return Err(invalid(
                    kind,
                    format!("`{key}` must be a number, not {}", other.type_name()),
                ))
            }
        }
    }
    let d = if fractional {
        Duration::approximate(approx[0], approx[1], approx[2], approx[3])
    } else {
        Duration::new(exact[0], exact[1], exact[2], exact[3])
    };
    d.map(|d| Value::Duration(Box::new(d)))
        .ok_or_else(|| invalid(kind, "a component is out of range"))
}

/// `duration.between(a, b)` and the single-unit variants. Null in, null out.
pub(super) fn between(function: &str, args: &[Value]) -> Result<Value> {
    let unit = match function {
        "between" => BetweenUnit::All,
        "inMonths" => BetweenUnit::Months,
        "inDays" => BetweenUnit::Days,
        _ => BetweenUnit::Seconds,
    };
    let name = format!("duration.{function}");
    let (Some(a), Some(b)) = (args.first(), args.get(1)) else {
        return Err(invalid(
            Kind::Duration,
            format!("`{name}` takes two arguments"),
        ));
    };
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    for v in [a, b] {
        if !v.is_temporal() || matches!(v, Value::Duration(_)) {
            return Err(bad_arg(&name, v));
        }
    }
    temporal_between(a, b, unit)
        .map(|d| Value::Duration(Box::new(d)))
        .ok_or_else(|| invalid(Kind::Duration, "the difference is out of range"))
}
