//! Neo4j 5's value types at run time: the type predicate `x IS :: T` (`valueType(x)` spells
//! a value's type: `value/value_type.rs`).
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
    fn type_predicates() {
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
        let p = crate::value::Point::new(crate::value::Crs::Cartesian, &[1.0, 2.0]).expect("valid");
        let p = Value::Point(Box::new(p));
        assert!(is_of_type(&p, &ty(BaseType::Point, true)));
        assert!(is_of_type(&p, &ty(BaseType::PropertyValue, false)));
    }
}
