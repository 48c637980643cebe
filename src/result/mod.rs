//! What a statement returns: its columns, rows of values, write counters and provenance. The
//! executor fills it, the façade hands it out, renderers and protocol encoders read it; so its
//! types live here, below all of them.

mod stats;
mod why;

pub use stats::WriteStats;
pub use why::{Fact, FactKind, RowWhy, SourceDoc};

use crate::value::Value;

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
