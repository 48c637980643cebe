//! Values: what properties hold and what queries return.
//!
//! Cypher's comparison, equality and ordering rules live in `expr` (they need three-valued
//! logic); this module only defines the data and its plain (structural) equality.

use std::collections::BTreeMap;
use std::fmt;

/// Query parameters by name (without the `$`).
pub type Params = std::collections::BTreeMap<String, Value>;

use serde::{Deserialize, Serialize};

use crate::model::{Node, NodeId, Path, RelId, Relationship};
use crate::temporal::{DateTime, Duration, LocalDateTime, LocalTime, Time};

/// The longest string (in bytes) an expression may build, so that a doubling `reduce` or a
/// `replace` fails with an error instead of exhausting memory.
pub const MAX_STRING_BYTES: usize = 64 << 20;
/// The longest list an expression may build (concatenation, `range`).
pub const MAX_LIST_LEN: usize = 10_000_000;

/// A Cypher value. Properties hold only `Null`..`Duration` (no graph entities); query results
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
            | Value::Duration(_) => true,
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

/// A calendar date in the proleptic Gregorian calendar. Field order makes the derived
/// ordering chronological.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Date {
    pub year: i32,
    pub month: u8,
    pub day: u8,
}

impl Date {
    /// A checked constructor: `None` when the day does not exist.
    pub fn new(year: i32, month: u8, day: u8) -> Option<Date> {
        if !(1..=12).contains(&month) || day == 0 || day > days_in_month(year, month) {
            return None;
        }
        Some(Date { year, month, day })
    }

    /// Parses an ISO-8601 date (`2026-06-30`, `20260630`, week and ordinal forms, signed
    /// years): the same reader as `date('…')`.
    pub fn parse_iso(s: &str) -> Option<Date> {
        crate::temporal::parse_date(s.trim())
    }

    /// Days since 1970-01-01 (negative before).
    pub fn to_days(self) -> i64 {
        // Howard Hinnant's days_from_civil.
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = if y >= 0 { y } else { y - 399 } / 400;
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }

    /// Inverse of [`Date::to_days`].
    pub fn from_days(z: i64) -> Date {
        let z = z + 719468;
        let era = if z >= 0 { z } else { z - 146096 } / 146097;
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let y = yoe + era * 400;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u8;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u8;
        Date {
            year: (y + i64::from(m <= 2)) as i32,
            month: m,
            day: d,
        }
    }

    /// ISO weekday: Monday = 1 … Sunday = 7.
    pub fn weekday(self) -> u8 {
        ((self.to_days() + 3).rem_euclid(7) + 1) as u8
    }

    /// Day of the year, 1-based.
    pub fn ordinal(self) -> u16 {
        (self.to_days() - Date::new(self.year, 1, 1).map_or(0, Date::to_days) + 1) as u16
    }
}

pub fn is_leap_year(year: i32) -> bool {
    (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
}

pub fn days_in_month(year: i32, month: u8) -> u8 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if is_leap_year(year) => 29,
        2 => 28,
        _ => 0,
    }
}

impl fmt::Display for Date {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if (0..=9999).contains(&self.year) {
            write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
        } else {
            write!(f, "{:+05}-{:02}-{:02}", self.year, self.month, self.day)
        }
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

    #[test]
    fn date_days_round_trip() {
        for days in [-800_000i64, -1, 0, 1, 59, 365, 10_957, 20_000, 2_932_896] {
            assert_eq!(Date::from_days(days).to_days(), days);
        }
        assert_eq!(Date::new(1970, 1, 1).map(Date::to_days), Some(0));
        assert_eq!(
            Date::parse_iso("2026-06-30")
                .map(|d| d.to_string())
                .as_deref(),
            Some("2026-06-30")
        );
        assert_eq!(Date::parse_iso("2026-02-29"), None);
        assert_eq!(Date::new(2026, 11, 21).map(Date::weekday), Some(6));
    }
}
