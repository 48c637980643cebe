//! `valueType(v)`: a value's most precise Cypher type, as Neo4j 5 spells it.

use super::Value;

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

    #[test]
    fn value_types() {
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
    }
}
