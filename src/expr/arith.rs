//! Arithmetic operators: checked integer maths (overflow and division by zero are errors, never
//! wrap-around), integer/float mixing, `^` always float, and `+` on strings and lists.

use crate::ast::BinaryOp;
use crate::error::{Error, ErrorClass, Phase, QueryError, Result};
use crate::functions::check_len;
use crate::value::Value;

fn overflow(op: &str) -> Error {
    Error::from(QueryError::new(
        ErrorClass::ArgumentError,
        "IntegerOverflow",
        Phase::Runtime,
        format!("integer overflow in `{op}`"),
    ))
}

fn division_by_zero() -> Error {
    Error::from(QueryError::new(
        ErrorClass::ArgumentError,
        "DivisionByZero",
        Phase::Runtime,
        "integer division by zero",
    ))
}

fn mismatch(op: &str, a: &Value, b: &Value) -> Error {
    Error::from(QueryError::type_error(
        "InvalidArgumentType",
        format!(
            "cannot apply `{op}` to {} and {}",
            a.type_name(),
            b.type_name()
        ),
    ))
}

fn symbol(op: BinaryOp) -> &'static str {
    match op {
        BinaryOp::Add => "+",
        BinaryOp::Sub => "-",
        BinaryOp::Mul => "*",
        BinaryOp::Div => "/",
        BinaryOp::Mod => "%",
        BinaryOp::Pow => "^",
        _ => "?",
    }
}

/// Both operands as floats, when both are numbers and at least one is a float.
fn floats(a: &Value, b: &Value) -> Option<(f64, f64)> {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => Some((*x, *y)),
        (Value::Int(x), Value::Float(y)) => Some((*x as f64, *y)),
        (Value::Float(x), Value::Int(y)) => Some((*x, *y as f64)),
        _ => None,
    }
}

/// Applies an arithmetic operator (`+ - * / % ^`). Null in, null out.
pub fn binary(op: BinaryOp, a: Value, b: Value) -> Result<Value> {
    if a.is_null() || b.is_null() {
        return Ok(Value::Null);
    }
    let sym = symbol(op);
    if let Some(r) = temporal(op, &a, &b) {
        return r;
    }
    if op == BinaryOp::Pow {
        return match (&a, &b) {
            (Value::Int(x), Value::Int(y)) => Ok(Value::Float((*x as f64).powf(*y as f64))),
            _ => floats(&a, &b)
                .map(|(x, y)| Value::Float(x.powf(y)))
                .ok_or_else(|| mismatch(sym, &a, &b)),
        };
    }
    if let (Value::Int(x), Value::Int(y)) = (&a, &b) {
        let (x, y) = (*x, *y);
        let r = match op {
            BinaryOp::Add => x.checked_add(y),
            BinaryOp::Sub => x.checked_sub(y),
            BinaryOp::Mul => x.checked_mul(y),
            BinaryOp::Div | BinaryOp::Mod if y == 0 => return Err(division_by_zero()),
            BinaryOp::Div => x.checked_div(y),
            BinaryOp::Mod => x.checked_rem(y),
            _ => return Err(mismatch(sym, &a, &b)),
        };
        return r.map(Value::Int).ok_or_else(|| overflow(sym));
    }
    if let Some((x, y)) = floats(&a, &b) {
        return Ok(Value::Float(match op {
            BinaryOp::Add => x + y,
            BinaryOp::Sub => x - y,
            BinaryOp::Mul => x * y,
            BinaryOp::Div => x / y,
            BinaryOp::Mod => x % y,
            _ => return Err(mismatch(sym, &a, &b)),
        }));
    }
    if op == BinaryOp::Add {
        return add_other(a, b);
    }
    Err(mismatch(sym, &a, &b))
}

/// `v + d` (or `v - d` with `negate`) for a temporal `v`, by the calendar rules of
/// `temporal::arith`; `None` when `v` is not temporal or
/// the result is out of range.
pub(crate) fn add_duration(
    v: &Value,
    d: &crate::temporal::Duration,
    negate: bool,
) -> Option<Value> {
    use crate::temporal::{
        date_plus, datetime_plus, local_datetime_plus, local_time_plus, Delta, Time,
    };
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

fn temporal_overflow(op: &str) -> Error {
    Error::from(QueryError::new(
        ErrorClass::ArgumentError,
        "InvalidArgumentValue",
        Phase::Runtime,
        format!("temporal `{op}` out of range"),
    ))
}

/// Arithmetic on temporal values: temporal ± duration, duration + temporal, duration ±
/// duration, duration * number, number * duration, duration / number. `None` when neither
/// operand makes it a temporal operation.
fn temporal(op: BinaryOp, a: &Value, b: &Value) -> Option<Result<Value>> {
    let sym = symbol(op);
    let dur = |d: Option<crate::temporal::Duration>| {
        d.map(|d| Value::Duration(Box::new(d)))
            .ok_or_else(|| temporal_overflow(sym))
    };
    Some(match (op, a, b) {
        (BinaryOp::Add | BinaryOp::Sub, x, Value::Duration(d)) if x.is_temporal() => {
            add_duration(x, d, op == BinaryOp::Sub).ok_or_else(|| temporal_overflow(sym))
        }
        (BinaryOp::Add, Value::Duration(d), x) if x.is_temporal() => {
            add_duration(x, d, false).ok_or_else(|| temporal_overflow(sym))
        }
        (BinaryOp::Mul, Value::Duration(d), Value::Int(k))
        | (BinaryOp::Mul, Value::Int(k), Value::Duration(d)) => dur(d.checked_mul_int(*k)),
        (BinaryOp::Mul, Value::Duration(d), Value::Float(f))
        | (BinaryOp::Mul, Value::Float(f), Value::Duration(d)) => dur(d.mul_float(*f)),
        (BinaryOp::Div, Value::Duration(d), Value::Int(k)) if *k == 0 => Err(division_by_zero()),
        (BinaryOp::Div, Value::Duration(d), Value::Int(k)) => dur(d.div_float(*k as f64)),
        (BinaryOp::Div, Value::Duration(d), Value::Float(f)) => dur(d.div_float(*f)),
        _ => return None,
    })
}

/// `+` beyond numbers: string concatenation (a number on the other side is rendered as a
/// string, as Neo4j does), list concatenation, and prepending/appending one element.
fn to_text(v: &Value) -> Option<String> {
    crate::functions::to_string_value(v)
}

fn add_other(a: Value, b: Value) -> Result<Value> {
    match (&a, &b) {
        (Value::String(x), Value::String(y)) => check_len("string", x.len() + y.len())?,
        (Value::List(x), Value::List(y)) => check_len("list", x.len() + y.len())?,
        (Value::List(x), _) | (_, Value::List(x)) => check_len("list", x.len() + 1)?,
        _ => {}
    }
    match (a, b) {
        (Value::String(mut x), Value::String(y)) => {
            x.push_str(&y);
            Ok(Value::String(x))
        }
        // Neo4j 5 concatenates a string with any scalar (number, boolean, temporal value,
        // duration, point) written as `toString` writes it; maps and graph values stay errors.
        (Value::String(mut x), y) if !matches!(y, Value::List(_)) => match to_text(&y) {
            Some(t) => {
                x.push_str(&t);
                Ok(Value::String(x))
            }
            None => Err(mismatch("+", &Value::String(x), &y)),
        },
        (x, Value::String(y)) if !matches!(x, Value::List(_)) => match to_text(&x) {
            Some(mut t) => {
                t.push_str(&y);
                Ok(Value::String(t))
            }
            None => Err(mismatch("+", &x, &Value::String(y))),
        },
        (Value::List(mut x), Value::List(y)) => {
            x.extend(y);
            Ok(Value::List(x))
        }
        (Value::List(mut x), y) => {
            x.push(y);
            Ok(Value::List(x))
        }
        (x, Value::List(y)) => {
            let mut out = Vec::with_capacity(y.len() + 1);
            out.push(x);
            out.extend(y);
            Ok(Value::List(out))
        }
        (x, y) => Err(mismatch("+", &x, &y)),
    }
}

/// Unary minus; `-i64::MIN` overflows.
pub fn negate(v: Value) -> Result<Value> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::Int(i) => i.checked_neg().map(Value::Int).ok_or_else(|| overflow("-")),
        Value::Float(f) => Ok(Value::Float(-f)),
        Value::Duration(d) => d
            .checked_neg()
            .map(|d| Value::Duration(Box::new(d)))
            .ok_or_else(|| temporal_overflow("-")),
        other => Err(QueryError::type_error(
            "InvalidArgumentType",
            format!("cannot negate {}", other.type_name()),
        )
        .into()),
    }
}

/// Unary plus: numbers (and null) only.
pub fn plus(v: Value) -> Result<Value> {
    match v {
        Value::Null | Value::Int(_) | Value::Float(_) => Ok(v),
        other => Err(QueryError::type_error(
            "InvalidArgumentType",
            format!("cannot apply unary `+` to {}", other.type_name()),
        )
        .into()),
    }
}

#[cfg(test)]
mod duration_tests {
    use super::add_duration;
    use crate::temporal::{parse_duration, Date, DateTime, LocalDateTime, LocalTime, TimeZone};
    use crate::value::Value;

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
