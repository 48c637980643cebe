//! Neo4j 5's value types at run time: the type predicate `x IS :: T` and `valueType(x)`.
//!
//! Every type is nullable unless written `NOT NULL`; `NOTHING` holds no value, `NULL` only
//! null; `LIST<T>` holds lists whose every element is a `T` (so an empty list is any list
//! type); `PROPERTY VALUE` is what a property can store.

use crate::ast::{BaseType, CypherType};
use crate::value::Value;

/// `v IS :: ty`.
pub fn is_of_type(v: &Value, ty: &CypherType) -> bool {
    ty.alts.iter().any(|alt| {
        if v.is_null() {
            !alt.not_null && alt.base != BaseType::Nothing
        } else {
            base_matches(v, &alt.base)
        }
    })
}

fn base_matches(v: &Value, base: &BaseType) -> bool {
    match base {
        BaseType::Nothing | BaseType::Null => false,
        BaseType::Any => true,
        BaseType::Bool => matches!(v, Value::Bool(_)),
        BaseType::String => matches!(v, Value::String(_)),
        BaseType::Int => matches!(v, Value::Int(_)),
        BaseType::Float => matches!(v, Value::Float(_)),
        BaseType::Date => matches!(v, Value::Date(_)),
        BaseType::LocalTime => matches!(v, Value::LocalTime(_)),
        BaseType::ZonedTime => matches!(v, Value::Time(_)),
        BaseType::LocalDateTime => matches!(v, Value::LocalDateTime(_)),
        BaseType::ZonedDateTime => matches!(v, Value::DateTime(_)),
        BaseType::Duration => matches!(v, Value::Duration(_)),
        BaseType::Point => matches!(v, Value::Point(_)),
        BaseType::Node => matches!(v, Value::Node(_) | Value::NodeRef(_)),
        BaseType::Relationship => matches!(v, Value::Relationship(_) | Value::RelRef(_)),
        BaseType::Map => matches!(v, Value::Map(_)),
        BaseType::Path => matches!(v, Value::Path(_) | Value::PathRef(_)),
        BaseType::PropertyValue => property_value(v),
        BaseType::List(inner) => match v {
            Value::List(items) => items.iter().all(|i| is_of_type(i, inner)),
            _ => false,
        },
    }
}

/// A value a property can hold: a scalar, a temporal value, or a list of non-null values of
/// one such type.
fn property_value(v: &Value) -> bool {
    let scalar =
        |v: &Value| !matches!(v, Value::Null | Value::List(_) | Value::Map(_)) && v.is_storable();
    match v {
        Value::List(items) => {
            items.iter().all(scalar)
                && items
                    .windows(2)
                    .all(|w| w[0].type_name() == w[1].type_name())
        }
        v => scalar(v),
    }
}

/// `valueType(v)`: the most precise type of `v`, as Neo4j spells it (`INTEGER NOT NULL`,
/// `LIST<STRING NOT NULL> NOT NULL`, `NULL`). A list's element types form a union in
/// Neo4j's type order; an empty list is `LIST<NOTHING>`.
pub fn value_type(v: &Value) -> String {
    match v {
        Value::Null => "NULL".into(),
        Value::List(items) => format!("LIST<{}> NOT NULL", element_union(items)),
        v => format!("{} NOT NULL", v.type_name()),
    }
}

fn element_union(items: &[Value]) -> String {
    if items.is_empty() {
        return "NOTHING".into();
    }
    let nullable = items.iter().any(Value::is_null);
    let mut members: Vec<(usize, String)> = Vec::new();
    for i in items.iter().filter(|i| !i.is_null()) {
        let (rank, text) = match i {
            Value::List(inner) => (15, format!("LIST<{}>", element_union(inner))),
            v => (rank(v), v.type_name().to_string()),
        };
        if !members.iter().any(|(_, t)| *t == text) {
            members.push((rank, text));
        }
    }
    if members.is_empty() {
        return "NULL".into();
    }
    members.sort();
    members
        .into_iter()
        .map(|(_, t)| if nullable { t } else { format!("{t} NOT NULL") })
        .collect::<Vec<_>>()
        .join(" | ")
}

/// Neo4j's order of types in a union.
fn rank(v: &Value) -> usize {
    match v {
        Value::Null => 0,
        Value::Bool(_) => 1,
        Value::String(_) => 2,
        Value::Int(_) => 3,
        Value::Float(_) => 4,
        Value::Date(_) => 5,
        Value::LocalTime(_) => 6,
        Value::Time(_) => 7,
        Value::LocalDateTime(_) => 8,
        Value::DateTime(_) => 9,
        Value::Duration(_) => 10,
        Value::Point(_) => 11,
        Value::Node(_) | Value::NodeRef(_) => 12,
        Value::Relationship(_) | Value::RelRef(_) => 13,
        Value::Map(_) => 14,
        Value::List(_) => 15,
        Value::Path(_) | Value::PathRef(_) => 16,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::TypeAlt;

    fn ty(base: BaseType, not_null: bool) -> CypherType {
        CypherType {
            alts: vec![TypeAlt { base, not_null }],
        }
    }

    #[test]
    fn predicates_and_value_types() {
        assert!(is_of_type(&Value::Int(1), &ty(BaseType::Int, false)));
        assert!(is_of_type(&Value::Null, &ty(BaseType::Int, false)));
        assert!(!is_of_type(&Value::Null, &ty(BaseType::Int, true)));
        assert!(!is_of_type(&Value::Float(1.0), &ty(BaseType::Int, false)));
        let list_int = ty(BaseType::List(Box::new(ty(BaseType::Int, false))), false);
        assert!(is_of_type(&Value::List(vec![]), &list_int));
        assert!(is_of_type(
            &Value::List(vec![Value::Int(1), Value::Null]),
            &list_int
        ));
        assert_eq!(value_type(&Value::Int(1)), "INTEGER NOT NULL");
        assert_eq!(
            value_type(&Value::List(vec![Value::Int(1), Value::from("a")])),
            "LIST<STRING NOT NULL | INTEGER NOT NULL> NOT NULL"
        );
        assert_eq!(
            value_type(&Value::List(vec![Value::Int(1), Value::Null])),
            "LIST<INTEGER> NOT NULL"
        );
        assert_eq!(value_type(&Value::List(vec![])), "LIST<NOTHING> NOT NULL");
        let p = crate::value::Point::new(crate::value::Crs::Cartesian, &[1.0, 2.0]).expect("valid");
        let p = Value::Point(Box::new(p));
        assert_eq!(value_type(&p), "POINT NOT NULL");
        assert!(is_of_type(&p, &ty(BaseType::Point, true)));
        assert!(is_of_type(&p, &ty(BaseType::PropertyValue, false)));
    }
}
