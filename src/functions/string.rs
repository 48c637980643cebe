//! String functions: toLower, toUpper, trim, ltrim, rtrim, replace, substring, split, left,
//! right. Positions and lengths count Unicode characters.

use crate::ast::NormalForm;
use crate::error::{ErrorClass, Phase, QueryError, Result};
use crate::value::Value;

use super::{arg_error, bad_arg};

/// A non-negative integer argument (`None` for null).
fn count(name: &str, v: &Value) -> Result<Option<usize>> {
    match v {
        Value::Null => Ok(None),
        Value::Int(i) if *i < 0 => Err(arg_error(
            "NegativeIntegerArgument",
            format!("`{name}` expects a non-negative INTEGER, got {i}"),
        )),
        Value::Int(i) => Ok(Some(usize::try_from(*i).unwrap_or(usize::MAX))),
        other => Err(bad_arg(name, other)),
    }
}

fn string<'a>(name: &str, v: &'a Value) -> Result<Option<&'a str>> {
    match v {
        Value::Null => Ok(None),
        Value::String(s) => Ok(Some(s)),
        other => Err(bad_arg(name, other)),
    }
}

/// Byte offset of the `n`th character (the end when `n` is past it).
fn char_offset(s: &str, n: usize) -> usize {
    s.char_indices().nth(n).map_or(s.len(), |(i, _)| i)
}

fn substring(args: &[Value]) -> Result<Value> {
    let name = "substring";
    let Some(s) = string(name, &args[0])? else {
        return Ok(Value::Null);
    };
    let Some(start) = count(name, &args[1])? else {
        return Ok(Value::Null);
    };
    let from = char_offset(s, start);
    let to = match args.get(2) {
        None => s.len(),
        Some(v) => match count(name, v)? {
            None => return Ok(Value::Null),
            Some(len) => from + char_offset(&s[from..], len),
        },
    };
    Ok(Value::String(s[from..to].to_string()))
}

fn left_right(name: &str, args: &[Value]) -> Result<Value> {
    let Some(s) = string(name, &args[0])? else {
        return Ok(Value::Null);
    };
    let Some(n) = count(name, &args[1])? else {
        return Err(arg_error(
            "InvalidArgumentValue",
            format!("`{name}` length must not be null"),
        ));
    };
    if name == "left" {
        return Ok(Value::String(s[..char_offset(s, n)].to_string()));
    }
    let total = s.chars().count();
    let skip = total.saturating_sub(n);
    Ok(Value::String(s[char_offset(s, skip)..].to_string()))
}

fn split(args: &[Value]) -> Result<Value> {
    let Some(s) = string("split", &args[0])? else {
        return Ok(Value::Null);
    };
    let delimiters: Vec<&str> = match &args[1] {
        Value::Null => return Ok(Value::Null),
        Value::String(d) => vec![d.as_str()],
        Value::List(items) => {
            let mut ds = Vec::with_capacity(items.len());
            for item in items {
                match item {
                    Value::String(d) => ds.push(d.as_str()),
                    Value::Null => return Ok(Value::Null),
                    other => return Err(bad_arg("split", other)),
                }
            }
            ds
        }
        other => return Err(bad_arg("split", other)),
    };
    let parts: Vec<Value> = if delimiters.iter().all(|d| d.is_empty()) {
        // An empty delimiter splits into characters.
        s.chars().map(|c| Value::String(c.to_string())).collect()
    } else {
        let mut out = Vec::new();
        let mut rest = s;
        loop {
            let next = delimiters
                .iter()
                .filter(|d| !d.is_empty())
                .filter_map(|d| rest.find(d).map(|i| (i, d.len())))
                .min();
            match next {
                Some((i, len)) => {
                    out.push(Value::String(rest[..i].to_string()));
                    rest = &rest[i + len..];
                }
                None => {
                    out.push(Value::String(rest.to_string()));
                    break;
                }
            }
        }
        out
    };
    Ok(Value::List(parts))
}

/// `btrim` / `ltrim` / `rtrim` (both ends / the start / the end), of whitespace or, with a
/// second argument, of any of its characters (Neo4j 5); null if either is null.
fn trim(name: &str, args: &[Value]) -> Result<Value> {
    let Some(s) = string(name, args.first().unwrap_or(&Value::Null))? else {
        return Ok(Value::Null);
    };
    let chars: Option<Vec<char>> = match args.get(1) {
        None => None,
        Some(v) => match string(name, v)? {
            Some(c) => Some(c.chars().collect()),
            None => return Ok(Value::Null),
        },
    };
    let strip = |c: char| match &chars {
        Some(set) => set.contains(&c),
        None => c.is_whitespace(),
    };
    let out = match name {
        "ltrim" => s.trim_start_matches(strip),
        "rtrim" => s.trim_end_matches(strip),
        _ => s.trim_matches(strip),
    };
    Ok(Value::String(out.to_string()))
}

/// `normalize(s [, form])`: `s` in Unicode normalization form `form` (NFC when absent); null
/// if `s` is null. The parser turns the bare keyword `NFKC` into the string `'NFKC'`.
fn normalize(args: &[Value]) -> Result<Value> {
    let Some(s) = string("normalize", args.first().unwrap_or(&Value::Null))? else {
        return Ok(Value::Null);
    };
    let form = match args.get(1) {
        None => NormalForm::default(),
        Some(Value::String(f)) => NormalForm::parse(f).ok_or_else(|| {
            QueryError::new(
                ErrorClass::ArgumentError,
                "InvalidArgumentValue",
                Phase::Runtime,
                format!("`normalize()` knows the forms NFC, NFD, NFKC and NFKD, not `{f}`"),
            )
        })?,
        Some(other) => {
            return Err(QueryError::new(
                ErrorClass::TypeError,
                "InvalidArgumentType",
                Phase::Runtime,
                format!(
                    "`normalize()` expects a normal form (NFC, NFD, NFKC, NFKD), not {}",
                    other.type_name()
                ),
            )
            .into())
        }
    };
    Ok(Value::String(super::normalization::normalize(s, form)))
}

fn map_string(name: &str, v: &Value, f: fn(&str) -> String) -> Result<Value> {
    Ok(string(name, v)?.map_or(Value::Null, |s| Value::String(f(s))))
}

/// The string functions; `None` when `name` is not one of them.
pub(super) fn call(name: &str, args: &mut [Value]) -> Option<Result<Value>> {
    let a = args.first().unwrap_or(&Value::Null);
    Some(match name {
        "toLower" | "lower" => map_string(name, a, str::to_lowercase),
        "toUpper" | "upper" => map_string(name, a, str::to_uppercase),
        "trim" => map_string(name, a, |s| s.trim().to_string()),
        "ltrim" | "rtrim" | "btrim" => trim(name, args),
        "normalize" => normalize(args),
        "char_length" | "character_length" => {
            string(name, a).map(|s| s.map_or(Value::Null, |s| Value::Int(s.chars().count() as i64)))
        }
        "replace" => {
            let parts = (
                string(name, a),
                string(name, &args[1]),
                string(name, &args[2]),
            );
            match parts {
                (Ok(Some(s)), Ok(Some(from)), Ok(Some(to))) => {
                    // Only a longer replacement grows the string: bound it before building.
                    let growth = to.len().saturating_sub(from.len());
                    let hits = if from.is_empty() {
                        s.chars().count() + 1
                    } else {
                        s.len() / from.len()
                    };
                    let most = s.len().saturating_add(hits.saturating_mul(growth));
                    super::check_len("string", most).map(|()| Value::String(s.replace(from, to)))
                }
                (Err(e), _, _) | (_, Err(e), _) | (_, _, Err(e)) => Err(e),
                _ => Ok(Value::Null),
            }
        }
        "substring" => substring(args),
        "left" | "right" => left_right(name, args),
        "split" => split(args),
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &str) -> Value {
        Value::from(v)
    }

    #[test]
    fn substring_left_right_split() {
        assert_eq!(
            substring(&[s("0123456789"), Value::Int(1)]).ok(),
            Some(s("123456789"))
        );
        assert_eq!(
            substring(&[s("0123"), Value::Int(1), Value::Int(2)]).ok(),
            Some(s("12"))
        );
        assert_eq!(substring(&[s("ab"), Value::Int(5)]).ok(), Some(s("")));
        assert!(substring(&[s("ab"), Value::Int(-1)]).is_err());
        assert_eq!(
            left_right("left", &[s("héllo"), Value::Int(2)]).ok(),
            Some(s("hé"))
        );
        assert_eq!(
            left_right("right", &[s("héllo"), Value::Int(3)]).ok(),
            Some(s("llo"))
        );
        assert_eq!(
            left_right("right", &[s("hi"), Value::Int(9)]).ok(),
            Some(s("hi"))
        );
        assert_eq!(
            split(&[s("a,b,,c"), s(",")]).ok(),
            Some(Value::List(vec![s("a"), s("b"), s(""), s("c")]))
        );
        assert_eq!(
            split(&[s("a-b_c"), Value::List(vec![s("-"), s("_")])]).ok(),
            Some(Value::List(vec![s("a"), s("b"), s("c")]))
        );
    }
}
