//! Cypher comparison semantics: ternary equality, comparability (`<`) and the ORDER BY total
//! order across types (the equivalence DISTINCT and grouping use is `group_key.rs`).
//!
//! The rules follow the openCypher CIP "Comparability and orderability" and the TCK
//! (`expressions/comparison`, `clauses/return-orderby`): `=` is three-valued (null when the
//! answer depends on a null), `<` is defined only within a type family (numbers, strings,
//! booleans, lists, dates), and ORDER BY orders everything.

use std::cmp::Ordering;

use super::{NodeId, RelId, Value};

/// A value's identity when it is a graph entity (by id), whatever its runtime form.
enum Entity<'a> {
    Node(NodeId),
    Rel(RelId),
    Path(Vec<NodeId>, Vec<RelId>),
    PathRef(&'a [NodeId], &'a [RelId]),
}

fn entity(v: &Value) -> Option<Entity<'_>> {
    Some(match v {
        Value::Node(n) => Entity::Node(n.id),
        Value::NodeRef(id) => Entity::Node(*id),
        Value::Relationship(r) => Entity::Rel(r.id),
        Value::RelRef(id) => Entity::Rel(*id),
        Value::Path(p) => Entity::Path(
            p.nodes.iter().map(|n| n.id).collect(),
            p.relationships.iter().map(|r| r.id).collect(),
        ),
        Value::PathRef(p) => Entity::PathRef(&p.nodes, &p.rels),
        _ => return None,
    })
}

impl Entity<'_> {
    fn path_ids(&self) -> Option<(&[NodeId], &[RelId])> {
        match self {
            Entity::Path(n, r) => Some((n, r)),
            Entity::PathRef(n, r) => Some((n, r)),
            _ => None,
        }
    }
}

/// Exact comparison of an integer with a float (no rounding of large integers). `None` for NaN.
pub(super) fn cmp_int_float(i: i64, f: f64) -> Option<Ordering> {
    if f.is_nan() {
        return None;
    }
    // 2^63 as f64; every float at or beyond it is outside i64.
    const LIMIT: f64 = 9_223_372_036_854_775_808.0;
    if f >= LIMIT {
        return Some(Ordering::Less);
    }
    if f < -LIMIT {
        return Some(Ordering::Greater);
    }
    let t = f.trunc();
    // `t` is within i64 range here, so the cast is exact.
    match i.cmp(&(t as i64)) {
        Ordering::Equal => 0.0f64.partial_cmp(&(f - t)),
        o => Some(o),
    }
}

/// Numeric comparison across Int/Float; `None` when either is NaN or not a number.
fn cmp_numbers(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Int(x), Value::Float(y)) => cmp_int_float(*x, *y),
        (Value::Float(x), Value::Int(y)) => cmp_int_float(*y, *x).map(Ordering::reverse),
        _ => None,
    }
}

fn is_number(v: &Value) -> bool {
    matches!(v, Value::Int(_) | Value::Float(_))
}

/// Cypher `=`: `Some(true)`, `Some(false)`, or `None` (null) when the answer depends on a null.
/// Values of different types are unequal (except Int/Float, compared numerically); NaN is
/// unequal to everything; lists and maps compare element-wise with three-valued AND.
pub fn equals(a: &Value, b: &Value) -> Option<bool> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Bool(x), Value::Bool(y)) => Some(x == y),
        (Value::String(x), Value::String(y)) => Some(x == y),
        (Value::Date(x), Value::Date(y)) => Some(x == y),
        (Value::LocalTime(x), Value::LocalTime(y)) => Some(x == y),
        (Value::Time(x), Value::Time(y)) => Some(x == y),
        (Value::LocalDateTime(x), Value::LocalDateTime(y)) => Some(x == y),
        (Value::DateTime(x), Value::DateTime(y)) => Some(x == y),
        (Value::Duration(x), Value::Duration(y)) => Some(x == y),
        (Value::Point(x), Value::Point(y)) => Some(x == y),
        _ if is_number(a) && is_number(b) => Some(cmp_numbers(a, b) == Some(Ordering::Equal)),
        (Value::List(x), Value::List(y)) => {
            if x.len() != y.len() {
                return Some(false);
            }
            all_equal(x.iter().zip(y.iter()))
        }
        (Value::Map(x), Value::Map(y)) => {
            if x.len() != y.len() || x.keys().zip(y.keys()).any(|(k, l)| k != l) {
                return Some(false);
            }
            all_equal(x.values().zip(y.values()))
        }
        _ => match (entity(a), entity(b)) {
            (Some(Entity::Node(x)), Some(Entity::Node(y))) => Some(x == y),
            (Some(Entity::Rel(x)), Some(Entity::Rel(y))) => Some(x == y),
            (Some(x), Some(y)) => match (x.path_ids(), y.path_ids()) {
                (Some(p), Some(q)) => Some(p == q),
                _ => Some(false),
            },
            _ => Some(false),
        },
    }
}

/// Three-valued AND over pairwise equality: any `false` wins, else any null gives null.
fn all_equal<'a>(pairs: impl Iterator<Item = (&'a Value, &'a Value)>) -> Option<bool> {
    let mut unknown = false;
    for (x, y) in pairs {
        match equals(x, y) {
            Some(false) => return Some(false),
            None => unknown = true,
            Some(true) => {}
        }
    }
    if unknown {
        None
    } else {
        Some(true)
    }
}

/// The order of two values of the same temporal type: chronological, times and date-times by
/// instant (then by local value and zone, so that the order is total); durations by their
/// approximate length. `None` when the types differ or are not temporal.
fn order_temporal(a: &Value, b: &Value) -> Option<Ordering> {
    Some(match (a, b) {
        (Value::Date(x), Value::Date(y)) => x.cmp(y),
        (Value::LocalTime(x), Value::LocalTime(y)) => x.cmp(y),
        (Value::Time(x), Value::Time(y)) => x
            .utc_nanos()
            .cmp(&y.utc_nanos())
            .then_with(|| x.time.cmp(&y.time)),
        (Value::LocalDateTime(x), Value::LocalDateTime(y)) => x.cmp(y),
        (Value::DateTime(x), Value::DateTime(y)) => x
            .epoch_nanos()
            .cmp(&y.epoch_nanos())
            .then_with(|| x.local.cmp(&y.local))
            .then_with(|| x.zone.map(|z| z.name()).cmp(&y.zone.map(|z| z.name()))),
        (Value::Duration(x), Value::Duration(y)) => x
            .approximate_nanos()
            .cmp(&y.approximate_nanos())
            .then_with(|| (x.months, x.days).cmp(&(y.months, y.days))),
        _ => return None,
    })
}

/// Cypher comparability, for `<`, `<=`, `>`, `>=`: an ordering within numbers, strings,
/// booleans, each temporal type but durations, and lists (lexicographic), `None` (null) across
/// types, with nulls, for NaN (see [`compare_op`] for the operator results, where NaN
/// gives `false`) and for points (Neo4j 5 defines no inequality between points).
pub fn compare(a: &Value, b: &Value) -> Option<Ordering> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::String(x), Value::String(y)) => Some(x.cmp(y)),
        (Value::Duration(_), _) | (Value::Point(_), _) => None,
        _ if a.is_temporal() => order_temporal(a, b),
        (Value::List(x), Value::List(y)) => {
            for (p, q) in x.iter().zip(y.iter()) {
                match compare(p, q)? {
                    Ordering::Equal => {}
                    o => return Some(o),
                }
            }
            Some(x.len().cmp(&y.len()))
        }
        _ => cmp_numbers(a, b),
    }
}

/// The result of a comparison operator (`<`, `<=`, `>`, `>=` given as the orderings that make
/// it true). NaN against a number is `false`, other incomparable pairs are null.
pub fn compare_op(a: &Value, b: &Value, accept: fn(Ordering) -> bool) -> Option<bool> {
    match compare(a, b) {
        Some(o) => Some(accept(o)),
        None => {
            let nan = |v: &Value| matches!(v, Value::Float(f) if f.is_nan());
            if is_number(a) && is_number(b) && (nan(a) || nan(b)) {
                Some(false)
            } else {
                None
            }
        }
    }
}

/// Rank of a type in the ORDER BY order (ascending), as Neo4j orders types: MAP < NODE <
/// RELATIONSHIP < LIST < PATH < POINT < DATETIME < LOCAL DATETIME < DATE < TIME < LOCAL TIME
/// < DURATION < STRING < BOOLEAN < NUMBER < null.
fn type_rank(v: &Value) -> u8 {
    match v {
        Value::Map(_) => 0,
        Value::Node(_) | Value::NodeRef(_) => 1,
        Value::Relationship(_) | Value::RelRef(_) => 2,
        Value::List(_) => 3,
        Value::Path(_) | Value::PathRef(_) => 4,
        Value::Point(_) => 5,
        Value::DateTime(_) => 6,
        Value::LocalDateTime(_) => 7,
        Value::Date(_) => 8,
        Value::Time(_) => 9,
        Value::LocalTime(_) => 10,
        Value::Duration(_) => 11,
        Value::String(_) => 12,
        Value::Bool(_) => 13,
        Value::Int(_) | Value::Float(_) => NUMBER_RANK,
        Value::Null => 15,
    }
}

const NUMBER_RANK: u8 = 14;

/// Numbers in ORDER BY: numerically, NaN after +∞ (and equal to itself).
fn order_numbers(a: &Value, b: &Value) -> Ordering {
    let nan = |v: &Value| matches!(v, Value::Float(f) if f.is_nan());
    match (nan(a), nan(b)) {
        (true, true) => Ordering::Equal,
        (true, false) => Ordering::Greater,
        (false, true) => Ordering::Less,
        (false, false) => cmp_numbers(a, b).unwrap_or(Ordering::Equal),
    }
}

/// The ORDER BY total order (ascending) across all values, as openCypher defines
/// orderability; null sorts last ascending and first descending.
pub fn order(a: &Value, b: &Value) -> Ordering {
    let (ra, rb) = (type_rank(a), type_rank(b));
    if ra != rb {
        return ra.cmp(&rb);
    }
    match (a, b) {
        (Value::Bool(x), Value::Bool(y)) => x.cmp(y),
        (Value::String(x), Value::String(y)) => x.cmp(y),
        (Value::List(x), Value::List(y)) => order_lists(x, y),
        (Value::Map(x), Value::Map(y)) => {
            // As Neo4j: by size, then by the sorted keys, then by the values in key order.
            x.len()
                .cmp(&y.len())
                .then_with(|| x.keys().cmp(y.keys()))
                .then_with(|| {
                    x.values()
                        .zip(y.values())
                        .map(|(v, w)| order(v, w))
                        .find(|o| o.is_ne())
                        .unwrap_or(Ordering::Equal)
                })
        }
        // As Neo4j: by SRID (4326 < 4979 < 7203 < 9157), then coordinate by coordinate.
        (Value::Point(x), Value::Point(y)) => x.crs().srid().cmp(&y.crs().srid()).then_with(|| {
            x.coords()
                .iter()
                .zip(y.coords())
                .map(|(p, q)| p.total_cmp(q))
                .find(|o| o.is_ne())
                .unwrap_or(Ordering::Equal)
        }),
        _ if ra == NUMBER_RANK => order_numbers(a, b),
        _ if a.is_temporal() => order_temporal(a, b).unwrap_or(Ordering::Equal),
        _ => match (entity(a), entity(b)) {
            (Some(Entity::Node(x)), Some(Entity::Node(y))) => x.cmp(&y),
            (Some(Entity::Rel(x)), Some(Entity::Rel(y))) => x.cmp(&y),
            (Some(x), Some(y)) => match (x.path_ids(), y.path_ids()) {
                (Some((n1, r1)), Some((n2, r2))) => n1.cmp(n2).then_with(|| r1.cmp(r2)),
                _ => Ordering::Equal,
            },
            _ => Ordering::Equal,
        },
    }
}

fn order_lists(x: &[Value], y: &[Value]) -> Ordering {
    for (p, q) in x.iter().zip(y.iter()) {
        let o = order(p, q);
        if o != Ordering::Equal {
            return o;
        }
    }
    x.len().cmp(&y.len())
}

/// A wrapper that orders values by [`order`], for sorting and BTree keys.
#[derive(Clone, Debug)]
pub struct Ordered(pub Value);

impl PartialEq for Ordered {
    fn eq(&self, other: &Self) -> bool {
        order(&self.0, &other.0) == Ordering::Equal
    }
}
impl Eq for Ordered {}
impl PartialOrd for Ordered {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for Ordered {
    fn cmp(&self, other: &Self) -> Ordering {
        order(&self.0, &other.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Date;

    fn list(items: Vec<Value>) -> Value {
        Value::List(items)
    }
    fn map(pairs: &[(&str, Value)]) -> Value {
        Value::Map(
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.clone()))
                .collect(),
        )
    }
    const NULL: Value = Value::Null;
    fn i(x: i64) -> Value {
        Value::Int(x)
    }
    fn f(x: f64) -> Value {
        Value::Float(x)
    }
    fn s(x: &str) -> Value {
        Value::from(x)
    }

    #[test]
    fn equality_is_three_valued() {
        assert_eq!(equals(&i(1), &f(1.0)), Some(true));
        assert_eq!(equals(&s("1"), &i(1)), Some(false));
        assert_eq!(equals(&NULL, &NULL), None);
        assert_eq!(equals(&f(f64::NAN), &f(f64::NAN)), Some(false));
        assert_eq!(
            equals(&i(4611686018427387905), &i(4611686018427387900)),
            Some(false)
        );
        assert_eq!(
            equals(&i(4611686018427387905), &f(4611686018427387905.0)),
            Some(false)
        );
        // Lists: different lengths are unequal, an undecided element makes it null.
        assert_eq!(
            equals(&list(vec![i(1), i(2)]), &list(vec![i(1)])),
            Some(false)
        );
        assert_eq!(equals(&list(vec![NULL]), &list(vec![i(1)])), None);
        assert_eq!(equals(&list(vec![s("a")]), &list(vec![i(1)])), Some(false));
        let l1 = list(vec![list(vec![i(1)]), list(vec![i(2)])]);
        let l2 = list(vec![list(vec![i(1)]), list(vec![NULL])]);
        assert_eq!(equals(&l1, &l2), None);
        let l3 = list(vec![list(vec![i(1)]), list(vec![i(2), i(3)])]);
        assert_eq!(equals(&l3, &l2), Some(false));
        // Maps (TCK Comparison1 [7]).
        assert_eq!(equals(&map(&[]), &map(&[("k", NULL)])), Some(false));
        assert_eq!(equals(&map(&[("k", NULL)]), &map(&[("k", NULL)])), None);
        assert_eq!(
            equals(
                &map(&[("k", i(1)), ("l", NULL)]),
                &map(&[("k", NULL), ("l", i(1))])
            ),
            None
        );
        assert_eq!(
            equals(&map(&[("k", f(1.0))]), &map(&[("k", f(1.0))])),
            Some(true)
        );
        assert_eq!(equals(&Value::NodeRef(3), &Value::NodeRef(3)), Some(true));
        assert_eq!(equals(&Value::NodeRef(3), &Value::RelRef(3)), Some(false));
    }

    #[test]
    fn comparability() {
        let ge = |a: &Value, b: &Value| compare_op(a, b, Ordering::is_ge);
        assert_eq!(ge(&list(vec![i(1), i(0)]), &list(vec![i(1)])), Some(true));
        assert_eq!(ge(&list(vec![i(1), NULL]), &list(vec![i(1)])), Some(true));
        assert_eq!(ge(&list(vec![i(1), i(2)]), &list(vec![i(1), NULL])), None);
        assert_eq!(ge(&list(vec![i(1), s("a")]), &list(vec![i(1), NULL])), None);
        assert_eq!(
            ge(&list(vec![i(1), i(2)]), &list(vec![i(3), NULL])),
            Some(false)
        );
        let nan = f(f64::NAN);
        assert_eq!(ge(&nan, &i(1)), Some(false));
        assert_eq!(compare_op(&nan, &nan, Ordering::is_lt), Some(false));
        assert_eq!(ge(&nan, &s("a")), None);
        assert_eq!(compare(&i(1), &f(3.25)), Some(Ordering::Less));
        assert_eq!(compare(&s("1"), &i(1)), None);
        assert_eq!(compare(&Value::NodeRef(1), &Value::NodeRef(2)), None);
        assert_eq!(
            compare(&Value::Bool(false), &Value::Bool(true)),
            Some(Ordering::Less)
        );
        let d = |y, m, dd| Value::Date(Date::new(y, m, dd).expect("valid"));
        assert_eq!(
            compare(&d(2020, 1, 2), &d(2019, 12, 31)),
            Some(Ordering::Greater)
        );
        assert_eq!(
            compare(&i(i64::MAX), &f(9.223372036854776e18)),
            Some(Ordering::Less)
        );
    }

    #[test]
    fn orderability_across_types() {
        let mut values = vec![
            NULL,
            i(2),
            f(f64::NAN),
            f(1.5),
            Value::Bool(true),
            Value::Bool(false),
            s("b"),
            s("a"),
            Value::PathRef(Box::new(crate::value::PathRef {
                nodes: vec![1],
                rels: vec![],
            })),
            list(vec![i(1)]),
            Value::RelRef(1),
            Value::NodeRef(1),
            map(&[]),
            f(f64::INFINITY),
        ];
        values.sort_by(order);
        let names: Vec<&str> = values.iter().map(Value::type_name).collect();
        assert_eq!(
            names,
            [
                "MAP",
                "NODE",
                "RELATIONSHIP",
                "LIST",
                "PATH",
                "STRING",
                "STRING",
                "BOOLEAN",
                "BOOLEAN",
                "FLOAT",
                "INTEGER",
                "FLOAT",
                "FLOAT",
                "NULL"
            ]
        );
        assert_eq!(values[5], s("a"));
        assert_eq!(values[7], Value::Bool(false));
        assert_eq!(values[11], f(f64::INFINITY));
        assert!(matches!(values[12], Value::Float(x) if x.is_nan()));
        assert_eq!(
            order(&list(vec![i(1)]), &list(vec![i(1), i(0)])),
            Ordering::Less
        );
        assert_eq!(
            order(&list(vec![NULL]), &list(vec![i(1)])),
            Ordering::Greater
        );
    }
}
