//! What Neo4j 5's dynamic labels, types (`:$(expr)`) and property keys (`n[expr]` as a SET or
//! REMOVE target) evaluate to, with the errors Neo4j raises for anything else.

use crate::error::{QueryError, Result};
use crate::value::Value;

/// The names a dynamic label or type expression gives: a string, or a list of strings
/// (`STRING NOT NULL | LIST<STRING NOT NULL> NOT NULL`). Null, other types and empty names
/// are errors, never "no label": a query must not silently match or write nothing.
pub fn label_names(v: &Value) -> Result<Vec<String>> {
    let one = |v: &Value| -> Result<String> {
        match v {
            Value::String(s) if s.is_empty() => Err(QueryError::type_error(
                "InvalidArgumentValue",
                "a dynamic label or relationship type must not be the empty string",
            )
            .into()),
            Value::String(s) => Ok(s.clone()),
            other => Err(wrong_type(other)),
        }
    };
    match v {
        Value::List(items) => items.iter().map(one).collect(),
        other => Ok(vec![one(other)?]),
    }
}

fn wrong_type(v: &Value) -> crate::error::Error {
    QueryError::type_error(
        "InvalidArgumentType",
        format!(
            "a dynamic label or relationship type must be a STRING or a LIST<STRING> without nulls, got {}",
            if v.is_null() { "null" } else { v.type_name() }
        ),
    )
    .into()
}

/// The property key `n[expr]` names when it is the target of SET or REMOVE: a string.
pub fn property_key(v: &Value) -> Result<String> {
    match v {
        Value::String(s) => Ok(s.clone()),
        other => Err(QueryError::type_error(
            "InvalidArgumentType",
            format!(
                "a dynamic property key must be a STRING, got {}",
                if other.is_null() {
                    "null"
                } else {
                    other.type_name()
                }
            ),
        )
        .into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_strings_and_lists() {
        assert_eq!(
            label_names(&Value::String("A".into())).ok(),
            Some(vec!["A".to_string()])
        );
        let list = Value::List(vec![Value::String("A".into()), Value::String("B".into())]);
        assert_eq!(
            label_names(&list).ok(),
            Some(vec!["A".to_string(), "B".to_string()])
        );
        assert_eq!(label_names(&Value::List(vec![])).ok(), Some(vec![]));
    }

    #[test]
    fn null_other_types_and_empty_names_are_errors() {
        for bad in [
            Value::Null,
            Value::Int(1),
            Value::String(String::new()),
            Value::List(vec![Value::String("A".into()), Value::Null]),
            Value::List(vec![Value::Int(1)]),
        ] {
            assert!(label_names(&bad).is_err(), "{bad:?}");
        }
        assert!(property_key(&Value::Null).is_err());
        assert!(property_key(&Value::Int(1)).is_err());
        assert_eq!(
            property_key(&Value::String("k".into())).ok(),
            Some("k".into())
        );
    }
}
