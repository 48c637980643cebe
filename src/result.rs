//! What a statement returns: its columns, rows of values and write counters. The executor fills
//! it, the façade hands it out, renderers and protocol encoders read it.

use crate::provenance::RowWhy;
use crate::value::Value;

/// What a write statement changed.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct WriteStats {
    pub nodes_created: u64,
    pub nodes_deleted: u64,
    pub relationships_created: u64,
    pub relationships_deleted: u64,
    pub properties_set: u64,
    pub labels_added: u64,
    pub labels_removed: u64,
    pub indexes_added: u64,
    pub indexes_removed: u64,
    pub constraints_added: u64,
    pub constraints_removed: u64,
}

impl WriteStats {
    pub fn is_empty(&self) -> bool {
        *self == WriteStats::default()
    }
}

/// The result of one statement.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct QueryResult {
    /// Column names in order (empty for a statement without RETURN).
    pub columns: Vec<String>,
    /// Rows of fully resolved values (nodes, relationships and paths carry their labels,
    /// types and properties).
    pub rows: Vec<Vec<Value>>,
    pub stats: WriteStats,
    /// EXPLAIN / PROFILE output: the plan as an indented tree.
    pub plan: Option<String>,
    /// With provenance on (`RunOptions::why`): why each row is the answer, one per row.
    pub why: Option<Vec<RowWhy>>,
}
