//! Scalar functions: size, type conversions (toInteger, toFloat, toString, toBoolean and
//! their `OrNull` variants), coalesce, timestamp, randomUUID.

use crate::error::Result;
use crate::value::Value;

use super::bad_arg;

/// Formats a float as Cypher (and Java) print it: always with a `.` or an exponent.
pub fn format_float(f: f64) -> String {
    // Java's `Double.toString`, which points print their coordinates with too.
    crate::value::java_double(f)
}

/// `toString(v)` for the types it accepts; `None` for the others.
pub fn to_string_value(v: &Value) -> Option<String> {
    Some(match v {
        Value::String(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format_float(*f),
        Value::Bool(b) => b.to_string(),
        other if other.is_temporal() => other.temporal_text()?,
        Value::Point(p) => p.cypher_text(),
        _ => return None,
    })
}

fn parse_integer(s: &str) -> Option<i64> {
    let t = s.trim();
    if let Ok(i) = t.parse::<i64>() {
        return Some(i);
    }
    parse_float(t).and_then(float_to_integer)
}

fn parse_float(s: &str) -> Option<f64> {
    let t = s.trim();
    // Rust also accepts "inf"/"infinity"; Cypher (like Java) only the spelled-out forms.
    if t.is_empty() || t.eq_ignore_ascii_case("inf") || t.eq_ignore_ascii_case("-inf") {
        return None;
    }
    match t {
        "NaN" => Some(f64::NAN),
        "Infinity" | "+Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ if t
            .chars()
            .any(|c| c.is_ascii_alphabetic() && c != 'e' && c != 'E') =>
        {
            None
        }
        _ => t.parse::<f64>().ok(),
    }
}

fn float_to_integer(f: f64) -> Option<i64> {
    // Truncation toward zero, only when the result fits.
    let t = f.trunc();
    if (-9_223_372_036_854_775_808.0..9_223_372_036_854_775_808.0).contains(&t) {
        Some(t as i64)
    } else {
        None
    }
}

fn to_integer(v: &Value) -> std::result::Result<Value, ()> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Int(_) => v.clone(),
        Value::Float(f) => float_to_integer(*f).map_or(Value::Null, Value::Int),
        Value::Bool(b) => Value::Int(i64::from(*b)),
        Value::String(s) => parse_integer(s).map_or(Value::Null, Value::Int),
        _ => return Err(()),
    })
}

fn to_float(v: &Value) -> std::result::Result<Value, ()> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Float(_) => v.clone(),
        Value::Int(i) => Value::Float(*i as f64),
        Value::String(s) => parse_float(s).map_or(Value::Null, Value::Float),
        _ => return Err(()),
    })
}

fn to_boolean(v: &Value) -> std::result::Result<Value, ()> {
    Ok(match v {
        Value::Null => Value::Null,
        Value::Bool(_) => v.clone(),
        Value::Int(i) => Value::Bool(*i != 0),
        Value::String(s) => {
            let t = s.trim();
            if t.eq_ignore_ascii_case("true") {
                Value::Bool(true)
            } else if t.eq_ignore_ascii_case("false") {
                Value::Bool(false)
            } else {
                Value::Null
            }
        }
        _ => return Err(()),
    })
}

fn to_string(v: &Value) -> std::result::Result<Value, ()> {
    match v {
        Value::Null => Ok(Value::Null),
        _ => to_string_value(v).map(Value::String).ok_or(()),
    }
}

/// A conversion, raising InvalidArgumentValue on a type it rejects, or null for `OrNull`.
fn convert(
    name: &str,
    v: &Value,
    f: fn(&Value) -> std::result::Result<Value, ()>,
    or_null: bool,
) -> Result<Value> {
    match f(v) {
        Ok(r) => Ok(r),
        Err(()) if or_null => Ok(Value::Null),
        Err(()) => Err(bad_arg(name, v)),
    }
}

pub(crate) fn to_integer_or_null(v: &Value) -> Value {
    to_integer(v).unwrap_or(Value::Null)
}
pub(crate) fn to_float_or_null(v: &Value) -> Value {
    to_float(v).unwrap_or(Value::Null)
}
pub(crate) fn to_boolean_or_null(v: &Value) -> Value {
    to_boolean(v).unwrap_or(Value::Null)
}
pub(crate) fn to_string_or_null(v: &Value) -> Value {
    to_string(v).unwrap_or(Value::Null)
}

fn now_millis() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as i64)
}

fn random_uuid() -> String {
    let mut bytes = [0u8; 16];
    for chunk in bytes.chunks_mut(8) {
        chunk.copy_from_slice(&super::math::random_u64().to_le_bytes());
    }
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

/// The scalar functions; `None` when `name` is not one of them.
pub(super) fn call(name: &str, args: &mut [Value]) -> Option<Result<Value>> {
    let a = args.first().unwrap_or(&Value::Null);
    Some(match name {
        "size" => match a {
            Value::Null => Ok(Value::Null),
            Value::List(l) => Ok(Value::Int(l.len() as i64)),
            Value::String(s) => Ok(Value::Int(s.chars().count() as i64)),
            other => Err(bad_arg(name, other)),
        },
        "coalesce" => Ok(args
            .iter_mut()
            .find(|v| !v.is_null())
            .map(super::take)
            .unwrap_or(Value::Null)),
        "toInteger" => convert(name, a, to_integer, false),
        "toIntegerOrNull" => convert(name, a, to_integer, true),
        "toFloat" => convert(name, a, to_float, false),
        "toFloatOrNull" => convert(name, a, to_float, true),
        "toString" => convert(name, a, to_string, false),
        "toStringOrNull" => convert(name, a, to_string, true),
        "toBoolean" => convert(name, a, to_boolean, false),
        "toBooleanOrNull" => convert(name, a, to_boolean, true),
        "timestamp" => Ok(Value::Int(now_millis())),
        "valueType" => Ok(Value::String(crate::value::value_type(a))),
        "nullIf" => {
            let b = args.get(1).unwrap_or(&Value::Null);
            if crate::value::equals(a, b) == Some(true) {
                Ok(Value::Null)
            } else {
                Ok(args.first_mut().map(super::take).unwrap_or(Value::Null))
            }
        }
        "isEmpty" => match a {
            Value::Null => Ok(Value::Null),
            Value::List(l) => Ok(Value::Bool(l.is_empty())),
            Value::Map(m) => Ok(Value::Bool(m.is_empty())),
            Value::String(s) => Ok(Value::Bool(s.is_empty())),
            other => Err(bad_arg(name, other)),
        },
        "randomUUID" => Ok(Value::String(random_uuid())),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floats_print_like_java() {
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(2.3), "2.3");
        assert_eq!(format_float(-0.5), "-0.5");
        assert_eq!(format_float(1e20), "1.0E20");
        assert_eq!(format_float(1.5e-5), "1.5E-5");
        assert_eq!(format_float(f64::NAN), "NaN");
    }

    #[test]
    fn conversions() {
        assert_eq!(to_integer_or_null(&Value::from("2.9")), Value::Int(2));
        assert_eq!(to_integer_or_null(&Value::from("foo")), Value::Null);
        assert_eq!(to_integer_or_null(&Value::Float(-2.9)), Value::Int(-2));
        assert_eq!(to_float_or_null(&Value::from("5")), Value::Float(5.0));
        assert_eq!(to_float_or_null(&Value::from("")), Value::Null);
        assert_eq!(to_boolean_or_null(&Value::from(" tru ")), Value::Null);
        assert_eq!(to_boolean_or_null(&Value::from("TRUE")), Value::Bool(true));
        assert_eq!(to_string_or_null(&Value::List(vec![])), Value::Null);
        assert!(convert("toFloat", &Value::Bool(true), to_float, false).is_err());
    }
}
