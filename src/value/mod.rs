//! Values: what properties hold and what queries return, and Cypher's rules on them.
//!
//! `Value`'s derived `PartialEq` is plain structural equality; Cypher's three-valued `=`, its
//! comparability and ORDER BY order are `compare.rs`, the equivalence DISTINCT and grouping
//! use is `group_key.rs`, and `valueType(v)` is `value_type.rs`.

use std::collections::BTreeMap;

/// Query parameters by name (without the `$`).
pub type Params = std::collections::BTreeMap<String, Value>;

use serde::{Deserialize, Serialize};

pub use crate::temporal::{days_in_month, is_leap_year, Date};
use crate::temporal::{DateTime, Duration, LocalDateTime, LocalTime, Time};
pub use compare::{compare, compare_op, equals, order, Ordered};
pub use graph::{Direction, Node, NodeId, Path, Properties, RelId, Relationship};
pub use group_key::GroupKey;
pub use point::{java_double, Crs, Point};
pub use value_type::value_type;

mod compare;
mod graph;
mod group_key;
mod point;
mod value_type;

/// The longest string (in bytes) an expression may build, so that a doubling `reduce` or a
/// `replace` fails with an error instead of exhausting memory.
pub const MAX_STRING_BYTES: usize = 64 << 20;
/// The longest list an expression may build (concatenation, `range`).
pub const MAX_LIST_LEN: usize = 10_000_000;

/// A Cypher value. Properties hold only `Null`..`Point` (no graph entities); query results
/// may hold any variant.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    String(String),
    List(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Date(Date),
    LocalTime(LocalTime),
    Time(Time),
    LocalDateTime(LocalDateTime),
    DateTime(DateTime),
    /// Boxed: a duration is four words and would otherwise grow every `Value`.
    Duration(Box<Duration>),
    /// A spatial point; boxed for the same reason as a duration.
    Point(Box<Point>),
    Node(Box<Node>),
    Relationship(Box<Relationship>),
    Path(Box<Path>),
    /// Runtime-only: a node by id, as rows inside the executor carry it (property reads go to
    /// the transaction, so they always see the latest writes). `Database::run` resolves every
    /// reference into `Node` before a result leaves the engine.
    NodeRef(NodeId),
    /// Runtime-only: a relationship by id (see `NodeRef`).
    RelRef(RelId),
    /// Runtime-only: a path of ids, `nodes.len() == rels.len() + 1` (see `NodeRef`).
    PathRef(Box<PathRef>),
}

/// A path as ids, the executor's runtime form of [`Path`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PathRef {
    pub nodes: Vec<NodeId>,
    pub rels: Vec<RelId>,
}

impl Value {
    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// The Cypher type name, as used in error messages (`INTEGER`, `STRING`, …).
    pub fn type_name(&self) -> &'static str {
        match self {
            Value::Null => "NULL",
            Value::Bool(_) => "BOOLEAN",
            Value::Int(_) => "INTEGER",
            Value::Float(_) => "FLOAT",
            Value::String(_) => "STRING",
            Value::List(_) => "LIST",
            Value::Map(_) => "MAP",
            Value::Date(_) => "DATE",
            Value::LocalTime(_) => "LOCAL TIME",
            Value::Time(_) => "ZONED TIME",
            Value::LocalDateTime(_) => "LOCAL DATETIME",
            Value::DateTime(_) => "ZONED DATETIME",
            Value::Duration(_) => "DURATION",
            Value::Point(_) => "POINT",
            Value::Node(_) | Value::NodeRef(_) => "NODE",
            Value::Relationship(_) | Value::RelRef(_) => "RELATIONSHIP",
            Value::Path(_) | Value::PathRef(_) => "PATH",
        }
    }

    /// True for values that may be stored as a property (no graph entities, no nested maps
    /// inside lists, lists homogeneous is not enforced here).
    pub fn is_storable(&self) -> bool {
        match self {
            Value::List(items) => items
                .iter()
                .all(|v| v.is_storable() && !matches!(v, Value::List(_) | Value::Map(_))),
            Value::Null
            | Value::Bool(_)
            | Value::Int(_)
            | Value::Float(_)
            | Value::String(_)
            | Value::Map(_)
            | Value::Date(_)
            | Value::LocalTime(_)
            | Value::Time(_)
            | Value::LocalDateTime(_)
            | Value::DateTime(_)
            | Value::Duration(_)
            | Value::Point(_) => true,
            _ => false,
        }
    }
}

impl Value {
    /// True for the temporal types (`DATE` … `DURATION`).
    pub fn is_temporal(&self) -> bool {
        matches!(
            self,
            Value::Date(_)
                | Value::LocalTime(_)
                | Value::Time(_)
                | Value::LocalDateTime(_)
                | Value::DateTime(_)
                | Value::Duration(_)
        )
    }

    /// The ISO-8601 text of a temporal value (`None` for other values), as `toString` gives it.
    pub fn temporal_text(&self) -> Option<String> {
        Some(match self {
            Value::Date(d) => d.to_string(),
            Value::LocalTime(t) => t.to_string(),
            Value::Time(t) => t.to_string(),
            Value::LocalDateTime(t) => t.to_string(),
            Value::DateTime(t) => t.to_string(),
            Value::Duration(d) => d.to_string(),
            _ => return None,
        })
    }

    /// The Cypher function that builds this temporal type from its text (`date`,
    /// `localtime`, `time`, `localdatetime`, `datetime`, `duration`); also the type name that
    /// interchange formats (neo4j-admin CSV, GraphML, JSONL tags) use for it.
    pub fn temporal_function(&self) -> Option<&'static str> {
        Some(match self {
            Value::Date(_) => "date",
            Value::LocalTime(_) => "localtime",
            Value::Time(_) => "time",
            Value::LocalDateTime(_) => "localdatetime",
            Value::DateTime(_) => "datetime",
            Value::Duration(_) => "duration",
            _ => return None,
        })
    }
}

/// Reads the text of a temporal value of type `function` (`date`, `localtime`, `time`,
/// `localdatetime`, `datetime`, `duration`, as [`Value::temporal_function`] names them), the
/// inverse of its `Display`, or of a `point` ([`Point::interchange_text`]); `None` for another
/// name or unreadable text. Used by importers.
pub fn parse_tagged(function: &str, text: &str) -> Option<Value> {
    use crate::temporal::{
        parse_date, parse_datetime, parse_duration, parse_local_datetime, parse_local_time,
        parse_time, TimeZone,
    };
    let t = text.trim();
    Some(match function {
        "date" => Value::Date(parse_date(t)?),
        "localtime" => Value::LocalTime(parse_local_time(t)?),
        "time" => {
            let (time, offset) = parse_time(t)?;
            Value::Time(Time {
                time,
                offset: offset.unwrap_or(0),
            })
        }
        "localdatetime" => Value::LocalDateTime(parse_local_datetime(t)?),
        "datetime" => Value::DateTime(parse_datetime(t, TimeZone::Offset(0))?),
        "duration" => Value::Duration(Box::new(parse_duration(t)?)),
        "point" => Value::Point(Box::new(Point::parse_text(t).ok()?)),
        _ => return None,
    })
}

impl From<bool> for Value {
    fn from(b: bool) -> Self {
        Value::Bool(b)
    }
}
impl From<i64> for Value {
    fn from(i: i64) -> Self {
        Value::Int(i)
    }
}
impl From<f64> for Value {
    fn from(f: f64) -> Self {
        Value::Float(f)
    }
}
impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_string())
    }
}
impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_stay_four_words() {
        // Rows are vectors of values: the temporal variants (a boxed duration) keep the size.
        assert_eq!(std::mem::size_of::<Value>(), 32);
    }
}
