//! The equivalence DISTINCT and grouping use (`GroupKey`): null equals null, NaN equals NaN,
//! `1` equals `1.0`, lists and maps element-wise, entities by id.

use std::cmp::Ordering;

use super::compare::cmp_int_float;
use super::{NodeId, RelId, Value};
use crate::temporal::{DateTime, Duration, LocalDateTime, LocalTime, Time};

/// A value's identity for DISTINCT, grouping and `count(DISTINCT …)`: Cypher equivalence, under
/// which null is equivalent to null, NaN to NaN, `1` to `1.0`, and lists and maps element-wise.
/// Entities are keyed by id, so a `NodeRef` and the resolved `Node` are the same key.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct GroupKey(Key);

#[derive(Clone, Debug, PartialEq, Eq, Hash)]
enum Key {
    Null,
    Bool(bool),
    /// Integers, and floats with an exact integer value.
    Int(i64),
    /// Other floats by bit pattern (NaN canonicalised).
    Float(u64),
    String(String),
    Date(i64),
    LocalTime(LocalTime),
    Time(Time),
    LocalDateTime(LocalDateTime),
    DateTime(DateTime),
    Duration(Duration),
    /// SRID and coordinate bits (a point never holds NaN or -0.0).
    Point(i64, Vec<u64>),
    List(Vec<Key>),
    Map(Vec<(String, Key)>),
    Node(NodeId),
    Rel(RelId),
    Path(Vec<NodeId>, Vec<RelId>),
}

impl GroupKey {
    pub fn new(v: &Value) -> GroupKey {
        GroupKey(key(v))
    }

    /// The key of several values together: the key of the list of them, built without
    /// copying the values into a list first (one allocation per row instead of three).
    pub fn of_values(vs: &[Value]) -> GroupKey {
        GroupKey(Key::List(vs.iter().map(key).collect()))
    }

    /// True when the key stands for null (DISTINCT aggregates skip it).
    pub fn is_null(&self) -> bool {
        self.0 == Key::Null
    }
}

fn key(v: &Value) -> Key {
    match v {
        Value::Null => Key::Null,
        Value::Bool(b) => Key::Bool(*b),
        Value::Int(i) => Key::Int(*i),
        Value::Float(f) => float_key(*f),
        Value::String(s) => Key::String(s.clone()),
        Value::Date(d) => Key::Date(d.to_days()),
        Value::LocalTime(t) => Key::LocalTime(*t),
        Value::Time(t) => Key::Time(*t),
        Value::LocalDateTime(t) => Key::LocalDateTime(*t),
        Value::DateTime(t) => Key::DateTime(*t),
        Value::Duration(d) => Key::Duration(**d),
        Value::Point(p) => Key::Point(
            p.crs().srid(),
            p.coords().iter().map(|c| c.to_bits()).collect(),
        ),
        Value::List(items) => Key::List(items.iter().map(key).collect()),
        Value::Map(m) => Key::Map(m.iter().map(|(k, v)| (k.clone(), key(v))).collect()),
        Value::Node(n) => Key::Node(n.id),
        Value::NodeRef(id) => Key::Node(*id),
        Value::Relationship(r) => Key::Rel(r.id),
        Value::RelRef(id) => Key::Rel(*id),
        Value::Path(p) => Key::Path(
            p.nodes.iter().map(|n| n.id).collect(),
            p.relationships.iter().map(|r| r.id).collect(),
        ),
        Value::PathRef(p) => Key::Path(p.nodes.clone(), p.rels.clone()),
    }
}

fn float_key(f: f64) -> Key {
    if f.is_nan() {
        return Key::Float(f64::NAN.to_bits());
    }
    if f.fract() == 0.0 && cmp_int_float(f as i64, f) == Some(Ordering::Equal) {
        return Key::Int(f as i64);
    }
    Key::Float(f.to_bits())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn group_keys_follow_equivalence() {
        const NULL: Value = Value::Null;
        let k = GroupKey::new;
        let (i, f, list) = (Value::Int, Value::Float, Value::List);
        let s = |x: &str| Value::from(x);
        let map = |key: &str, v: Value| Value::Map([(key.to_string(), v)].into());
        assert_eq!(k(&i(1)), k(&f(1.0)));
        assert_ne!(k(&i(1)), k(&f(1.5)));
        assert_eq!(k(&NULL), k(&NULL));
        assert_eq!(k(&f(f64::NAN)), k(&f(-f64::NAN)));
        assert_eq!(k(&f(0.0)), k(&f(-0.0)));
        assert_eq!(k(&list(vec![i(1), s("a")])), k(&list(vec![f(1.0), s("a")])));
        assert_ne!(k(&list(vec![i(1)])), k(&i(1)));
        assert_eq!(
            k(&map("name", list(vec![s("A"), s("B")]))),
            k(&map("name", list(vec![s("A"), s("B")])))
        );
        assert_ne!(k(&s("1")), k(&i(1)));
        assert_eq!(k(&Value::NodeRef(4)), k(&Value::NodeRef(4)));
        assert!(k(&NULL).is_null());
    }
}
