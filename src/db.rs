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
// STUB-BEGIN (local only)
pub struct Database;
pub struct Session<'a>(&'a Database);
pub struct StubStore;
impl Database {
    pub fn open(_p: &std::path::Path, _o: &OpenOptions) -> crate::Result<Database> {
        Ok(Database)
    }
    pub fn session(&self) -> Session<'_> {
        Session(self)
    }
    pub fn store(&self) -> &StubStore {
        &StubStore
    }
}
impl<'a> Session<'a> {
    pub fn run(&mut self, q: &str, p: &Params) -> crate::Result<QueryResult> {
        self.run_with(q, p, &RunOptions::default())
    }
    pub fn run_with(
        &mut self,
        _q: &str,
        _p: &Params,
        _o: &RunOptions,
    ) -> crate::Result<QueryResult> {
        Ok(QueryResult::default())
    }
    pub fn in_transaction(&self) -> bool {
        false
    }
}
pub struct StubReport;
impl std::fmt::Display for StubReport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ok")
    }
}
impl StubReport {
    pub fn is_clean(&self) -> bool {
        true
    }
}
pub struct StubTxn;
impl StubStore {
    pub fn check(&self) -> crate::Result<StubReport> {
        Ok(StubReport)
    }
    pub fn begin(&self) -> StubTxn {
        StubTxn
    }
}

use crate::model::*;
use crate::store::{Edge, GraphRead, GraphStats, IndexDef};
type It<'a> = Box<dyn Iterator<Item = crate::Result<u64>> + 'a>;
impl GraphRead for StubTxn {
    fn node(&self, _: NodeId) -> crate::Result<Option<Node>> {
        Ok(None)
    }
    fn relationship(&self, _: RelId) -> crate::Result<Option<Relationship>> {
        Ok(None)
    }
    fn node_ids(&self) -> crate::Result<It<'_>> {
        Ok(Box::new(std::iter::empty()))
    }
    fn nodes_with_label(&self, _: &str) -> crate::Result<It<'_>> {
        Ok(Box::new(std::iter::empty()))
    }
    fn relationship_ids(&self) -> crate::Result<It<'_>> {
        Ok(Box::new(std::iter::empty()))
    }
    fn edges(&self, _: NodeId, _: Direction, _: &[&str]) -> crate::Result<Vec<Edge>> {
        Ok(vec![])
    }
    fn index_lookup(
        &self,
        _: &str,
        _: &str,
        _: &crate::Value,
    ) -> crate::Result<Option<Vec<NodeId>>> {
        Ok(None)
    }
    fn indexes(&self) -> crate::Result<Vec<IndexDef>> {
        Ok(vec![])
    }
    fn labels(&self) -> crate::Result<Vec<String>> {
        Ok(vec![])
    }
    fn relationship_types(&self) -> crate::Result<Vec<String>> {
        Ok(vec![])
    }
    fn property_keys(&self) -> crate::Result<Vec<String>> {
        Ok(vec![])
    }
    fn node_count(&self) -> crate::Result<u64> {
        Ok(0)
    }
    fn relationship_count(&self) -> crate::Result<u64> {
        Ok(0)
    }
    fn stats(&self) -> crate::Result<GraphStats> {
        Ok(GraphStats::default())
    }
}
// STUB-END
