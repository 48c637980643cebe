//! List functions: head, last, tail, range, reverse, and the `to*List` conversions.

use crate::error::Result;
use crate::value::Value;

use super::{arg_error, bad_arg, scalar};

/// More elements than this from one `range()` call is refused rather than exhausting memory.
const MAX_RANGE_LEN: i128 = crate::value::MAX_LIST_LEN as i128;

fn range(args: &[Value]) -> Result<Value> {
    let int = |v: &Value| match v {
        Value::Int(i) => Ok(*i),
        other => Err(arg_error(
            "InvalidArgumentType",
            format!(
                "range() expects INTEGER arguments, got {}",
                other.type_name()
            ),
        )),
    };
    let start = int(&args[0])?;
    let end = int(&args[1])?;
    let step = match args.get(2) {
        Some(v) => int(v)?,
        None => 1,
    };
    if step == 0 {
        return Err(arg_error(
            "NumberOutOfRange",
            "range() step must not be zero",
        ));
    }
    let (s, e, st) = (i128::from(start), i128::from(end), i128::from(step));
    let count = if (st > 0 && e < s) || (st < 0 && e > s) {
        0
    } else {
        (e - s) / st + 1
    };
    if count > MAX_RANGE_LEN {
        return Err(arg_error(
            "NumberOutOfRange",
            format!("range() would produce {count} elements (at most {MAX_RANGE_LEN})"),
        ));
    }
    // One allocation of the whole list: refused up front when it would pass the statement's
    // memory limit.
    crate::memory_budget::reserve(count as u64 * std::mem::size_of::<Value>() as u64)?;
    Ok(Value::List(
        (0..count)
            .map(|k| Value::Int((s + k * st) as i64))
            .collect(),
    ))
}

fn map_list(name: &str, v: &mut Value, f: fn(&Value) -> Value) -> Result<Value> {
    match v {
        Value::Null => Ok(Value::Null),
        Value::List(items) => Ok(Value::List(items.iter().map(f).collect())),
        other => Err(bad_arg(name, other)),
    }
}

/// The list functions; `None` when `name` is not one of them.
pub(super) fn call(name: &str, args: &mut [Value]) -> Option<Result<Value>> {
    if name == "range" {
        return Some(range(args));
    }
    let a = args.first_mut()?;
    Some(match name {
        "head" | "last" => match a {
            Value::Null => Ok(Value::Null),
            Value::List(items) => {
                let item = if name == "head" {
                    items.first_mut()
                } else {
                    items.last_mut()
                };
                Ok(item.map(super::take).unwrap_or(Value::Null))
            }
            other => Err(bad_arg(name, other)),
        },
        "tail" => match a {
            Value::Null => Ok(Value::Null),
            Value::List(items) => {
                let mut items = std::mem::take(items);
                if !items.is_empty() {
                    items.remove(0);
                }
                Ok(Value::List(items))
            }
            other => Err(bad_arg(name, other)),
        },
        "reverse" => match a {
            Value::Null => Ok(Value::Null),
            Value::List(items) => {
                let mut items = std::mem::take(items);
                items.reverse();
                Ok(Value::List(items))
            }
            Value::String(s) => Ok(Value::String(s.chars().rev().collect())),
            other => Err(bad_arg(name, other)),
        },
        "toIntegerList" => map_list(name, a, scalar::to_integer_or_null),
        "toFloatList" => map_list(name, a, scalar::to_float_or_null),
        "toStringList" => map_list(name, a, scalar::to_string_or_null),
        "toBooleanList" => map_list(name, a, scalar::to_boolean_or_null),
        _ => return None,
    })
}
