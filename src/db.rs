//! The `Database` façade: open a store, run statements through parse → plan → execute, and
//! keep explicit transactions. It chains the stages and holds no query logic of its own.
//!
//! API CONTRACT (shell, TCK runner, import/export, seed and algorithms code against it):
//! - `Database::open(path, &OpenOptions)` / `Database::open_in_memory()`
//! - `db.session()` → `Session`; `session.run(query, &params)` → `QueryResult`
//!   (BEGIN/COMMIT/ROLLBACK as statements or via `begin()/commit()/rollback()`; without an explicit
//!   transaction each statement commits on success and leaves no trace on failure)
//! - `db.run(query, &params)` = a one-statement session
//! - `db.register_procedure(Arc<dyn Procedure>)`
//! - `db.store()` for bulk import, check and stats.

use std::collections::BTreeMap;
use std::sync::atomic::AtomicBool;
use std::sync::Arc;
use std::time::Duration;

use crate::value::Value;

/// Query parameters by name (without the `$`).
pub type Params = BTreeMap<String, Value>;

/// How durable a successful statement is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// Every committed statement is flushed to disk before it is reported (the default).
    #[default]
    Full,
    /// Commits reach sled's log but are flushed in the background (sled flushes every few
    /// hundred milliseconds); a crash may lose the last moments. For bulk loads.
    Relaxed,
}

#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    pub durability: Durability,
    /// Create the directory when missing (the default for the CLI).
    pub create_if_missing: bool,
    /// Optional sled page-cache size in bytes (None: kgstore's default).
    pub cache_capacity: Option<u64>,
}

/// Per-run controls: cancellation flag (set from a Ctrl-C handler) and a time limit.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub cancel: Option<Arc<AtomicBool>>,
    pub timeout: Option<Duration>,
    /// PROFILE-style per-operator counters even without the PROFILE keyword.
    pub profile: bool,
}

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
}
