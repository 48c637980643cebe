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

pub use crate::provenance::{RowWhy, WhyOptions};
pub use crate::result::{QueryResult, WriteStats};
pub use crate::store::{Durability, OpenOptions};
pub use crate::value::Params;

/// Per-run controls: cancellation flag (set from a Ctrl-C handler), time and memory limits.
#[derive(Clone, Debug, Default)]
pub struct RunOptions {
    pub cancel: Option<Arc<AtomicBool>>,
    pub timeout: Option<Duration>,
    /// PROFILE-style per-operator counters even without the PROFILE keyword.
    pub profile: bool,
    /// Refuse a statement that would write (a server's read-only mode or a client's read
    /// access mode), before it runs.
    pub read_only: bool,
    /// Provenance: return with each row the facts and documents it rests on
    /// (`QueryResult::why`). Off, a statement runs exactly as without it.
    pub why: Option<WhyOptions>,
    /// The most memory the statement may hold (`memory_budget`); None: the process default
    /// (`memory_budget::default_limit`).
    pub memory_limit: Option<crate::memory_budget::Limit>,
    /// Threads a read-only statement's aggregation over a large scan may use
    /// (`exec/parallel.rs`); None: the process default (`exec::default_threads`), 1: one.
    pub threads: Option<usize>,
}

use std::collections::HashMap;
use std::path::Path;
use std::sync::{Mutex, RwLock};

use crate::error::{AfterUndo, Error, QueryError, Result};
use crate::exec::lineage::fact_ids;
use crate::exec::{run_all, BatchCommit, ExecCtx, GraphAccess, IMPLICIT_ONLY};
use crate::plan::build::{Compiled, PlanOptions};
use crate::plan::builder::{Catalog, Count};
use crate::plan::LogicalPlan;
use crate::procedures::{Procedure, Registry};
use crate::store::{GraphRead, GraphWrite, Store, Txn};

/// Plans kept per query text; cleared when it grows past this many entries.
const PLAN_CACHE_SIZE: usize = 1024;

/// Statements longer than this are planned on every run instead of being cached: they may be
/// deep, and only the run that planned them has a stack sized to drop them.
const UNCACHED_QUERY_LEN: usize = 4096;

/// Literal values lifted out of a query into hidden parameters (see `plan::autoparam`).
type LiftedParams = Vec<(String, Value)>;

/// An open kgstore database: the store, the procedure registry and a plan cache.
pub struct Database {
    store: Store,
    procedures: RwLock<Registry>,
    /// query text → (store generation when planned, compiled statement).
    cache: Mutex<HashMap<String, (u64, Arc<Compiled>)>>,
    /// The shapes of statements whose literals were lifted (they outlive store generations:
    /// a shape is text, not a plan).
    shapes: Mutex<crate::plan::autoparam::Shapes>,
}

impl std::fmt::Debug for Database {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Database({:?})", self.store)
    }
}

impl Database {
    /// Opens (or creates, with `create_if_missing`) the database in directory `path`.
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<Database> {
        Ok(Database::with_store(Store::open(path, opts)?))
    }

    /// A fresh database that lives in a temporary location and vanishes when dropped.
    pub fn open_in_memory() -> Result<Database> {
        Ok(Database::with_store(Store::open_temporary()?))
    }

    fn with_store(store: Store) -> Database {
        let mut registry = Registry::with_builtins();
        for p in crate::algo::procedures() {
            registry.register(p);
        }
        Database {
            store,
            procedures: RwLock::new(registry),
            cache: Mutex::new(HashMap::new()),
            shapes: Mutex::new(Default::default()),
        }
    }

    /// Runs one statement in its own transaction (committed on success).
    pub fn run(&self, query: &str, params: &Params) -> Result<QueryResult> {
        let mut s = self.session();
        let r = s.run(query, params);
        if s.in_transaction() {
            // A lone BEGIN through `db.run` would leave nothing to commit into.
            return Err(Error::Transaction(
                "BEGIN needs a session: use db.session() to run a multi-statement transaction"
                    .into(),
            ));
        }
        r
    }

    pub fn session(&self) -> Session<'_> {
        Session {
            db: self,
            txn: None,
        }
    }

    /// A session that continues `txn`, an explicit transaction taken out of another session
    /// with [`Session::detach`]. A server keeps a connection's transaction between requests
    /// this way, without a session borrowing the database across threads or messages.
    pub fn session_with(&self, txn: Option<Txn>) -> Session<'_> {
        Session { db: self, txn }
    }

    /// Makes a procedure callable with `CALL name(...)` (replacing one of the same name).
    pub fn register_procedure(&self, p: Arc<dyn Procedure>) {
        self.procedures
            .write()
            .unwrap_or_else(|e| e.into_inner())
            .register(p);
        self.clear_cache();
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// The store, the rest (plan cache, procedures) dropped: for a caller that is done with
    /// statements and hands the open store on (`kg import` compacts it, `Store::compact_open`).
    pub fn into_store(self) -> Store {
        self.store
    }

    /// `kg import` as a library call: CSV, JSONL and GraphML through the store's bulk loader, a
    /// Cypher script statement by statement in one transaction (a failing statement rolls
    /// everything back and is reported with its file and line).
    pub fn import(
        &self,
        format: crate::import::ImportFormat,
        paths: &[std::path::PathBuf],
        opts: &crate::import::ImportOptions,
    ) -> Result<crate::import::ImportReport> {
        match format {
            crate::import::ImportFormat::Cypher => {
                crate::import::run_scripts(&mut self.session(), paths, opts)
            }
            _ => crate::import::import_into_store(self.store(), format, paths, opts),
        }
    }

    /// Counts and schema of the committed graph (`kg stats`, the shell's banner and `:schema`,
    /// MCP's schema tool).
    pub fn stats(&self) -> Result<crate::store::GraphStats> {
        self.store().begin().stats()
    }

    /// The plan of `query` as an indented tree, without running it.
    pub fn explain(&self, query: &str) -> Result<String> {
        crate::stack::with_stack_for(query, || {
            let (c, _) = self.compile(query, PlanOptions::default(), None)?;
            Ok(explain_text(&c, None))
        })
    }

    fn clear_cache(&self) {
        self.cache.lock().unwrap_or_else(|e| e.into_inner()).clear();
    }

    /// Parses, checks and plans `query`, through the plan cache. Simple literals of MATCH
    /// queries are lifted into parameters (see `plan::autoparam`), so queries that differ
    /// only in them share a plan; the lifted values are returned to bind at run time. A query
    /// of a shape seen before is keyed without being parsed. Provenance plans are cached
    /// apart, under the query text behind a prefix no query starts with.
    ///
    /// `own_indexes`: the index list of an open transaction that created or dropped an index,
    /// which the committed list (and so every cached plan) does not show: the statement is
    /// planned with it and not cached, so that a script that creates an index and then looks
    /// nodes up through it in one transaction (`kg import --format cypher` of an export) seeks
    /// instead of scanning a label per row.
    fn compile(
        &self,
        query: &str,
        opts: PlanOptions,
        own_indexes: Option<Vec<crate::store::IndexDef>>,
    ) -> Result<(Arc<Compiled>, Option<LiftedParams>)> {
        if own_indexes.is_some() {
            let stmt = crate::parser::parse(query)?;
            return Ok((
                self.compile_statement(stmt, query, opts, own_indexes)?,
                None,
            ));
        }
        let generation = self.store.generation();
        let key = |q: &str| {
            if opts.why {
                format!("\u{0}why\u{0}{q}")
            } else {
                q.to_string()
            }
        };
        if let Some(c) = self.cached(&key(query), generation) {
            return Ok((c, None));
        }
        let shape = if query.len() <= UNCACHED_QUERY_LEN {
            self.shapes
                .lock()
                .unwrap_or_else(|e| e.into_inner())
                .find(query)
        } else {
            None
        };
        if let Some(l) = shape {
            if let Some(c) = self.cached(&key(&l.key), generation) {
                return Ok((c, Some(l.params)));
            }
        }
        let mut stmt = crate::parser::parse(query)?;
        let mut spans = Vec::new();
        if let Some(l) = crate::plan::autoparam::lift(&mut stmt, query, &mut spans) {
            if query.len() <= UNCACHED_QUERY_LEN {
                self.shapes
                    .lock()
                    .unwrap_or_else(|e| e.into_inner())
                    .remember(query, &spans, &l);
            }
            if let Some(c) = self.cached(&key(&l.key), generation) {
                return Ok((c, Some(l.params)));
            }
            if let Ok(c) = self.compile_statement(stmt, query, opts, None) {
                self.remember(key(&l.key), generation, c.clone());
                return Ok((c, Some(l.params)));
            }
            // Planned with its literals as parameters the statement failed: plan it as
            // written, for the error (or the plan) that text gives.
            stmt = crate::parser::parse(query)?;
        }
        let c = self.compile_statement(stmt, query, opts, None)?;
        self.remember(key(query), generation, c.clone());
        Ok((c, None))
    }

    fn cached(&self, key: &str, generation: u64) -> Option<Arc<Compiled>> {
        match self
            .cache
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .get(key)
        {
            Some((g, c)) if *g == generation => Some(c.clone()),
            _ => None,
        }
    }

    fn remember(&self, key: String, generation: u64, c: Arc<Compiled>) {
        if key.len() > UNCACHED_QUERY_LEN {
            // Dropping a deep plan recurses: let it happen inside the run, where the stack was
            // sized for it (crate::stack), not later on whichever thread evicts the cache.
            return;
        }
        let mut cache = self.cache.lock().unwrap_or_else(|e| e.into_inner());
        if cache.len() >= PLAN_CACHE_SIZE {
            cache.clear();
        }
        cache.insert(key, (generation, c));
    }

    /// Checks and plans `stmt`, parsed from `query` (whose text gives column names). The
    /// stages, each handing the next its result: bind (checked, `*` expanded) → build →
    /// optimise → plan subqueries (with the catalog) → cached for execution.
    fn compile_statement(
        &self,
        stmt: crate::ast::Statement,
        query: &str,
        opts: PlanOptions,
        own_indexes: Option<Vec<crate::store::IndexDef>>,
    ) -> Result<Arc<Compiled>> {
        let bound = crate::semantic::bind(stmt)?;
        let txn = self.store.begin();
        let indexes = match own_indexes {
            Some(list) => list,
            None => txn.indexes()?,
        };
        let registry = self.procedures.read().unwrap_or_else(|e| e.into_inner());
        let lookup = |name: &str| registry.get(name).map(|p| p.signature().clone());
        // A plan is cached per store generation, so counts read now stay true for its life.
        let counts = |c: Count<'_>| match c {
            Count::Nodes => txn.label_count(None).ok(),
            Count::Label(l) => txn.label_count(Some(l)).ok(),
            Count::Type(t) => txn.type_count(Some(t)).ok(),
            Count::Relationships => txn.type_count(None).ok(),
        };
        let catalog = Catalog {
            indexes: &indexes,
            procedure: &lookup,
            counts: Some(&counts),
        };
        let compiled = crate::plan::build::build_with(&bound, query, &catalog, opts)?;
        let compiled = compiled.map_plan(&mut |plan| {
            // The count rewrites answer without visiting the facts a provenance plan reports.
            let mut plan = if opts.why {
                plan
            } else {
                crate::plan::optimize::optimize(plan)
            };
            // After the optimiser: a subquery imports what is bound where it ends up.
            crate::plan::nested::plan_subqueries(&mut plan, &catalog, query)?;
            Ok(plan)
        })?;
        Ok(Arc::new(compiled))
    }
}

/// A session runs a Cypher script import (`Database::import`).
impl crate::import::ScriptSession for Session<'_> {
    fn begin(&mut self) -> Result<()> {
        Session::begin(self)
    }

    fn run_statement(&mut self, statement: &str) -> Result<crate::result::WriteStats> {
        Ok(self.run(statement, &Params::new())?.stats)
    }

    fn commit(&mut self) -> Result<()> {
        Session::commit(self)
    }

    fn rollback(&mut self) -> Result<()> {
        Session::rollback(self)
    }
}

/// A connection-like handle: runs statements one after another and holds an explicit
/// transaction between BEGIN and COMMIT/ROLLBACK.
pub struct Session<'db> {
    db: &'db Database,
    txn: Option<Txn>,
}

impl Session<'_> {
    pub fn run(&mut self, query: &str, params: &Params) -> Result<QueryResult> {
        self.run_with(query, params, &RunOptions::default())
    }

    pub fn in_transaction(&self) -> bool {
        self.txn.is_some()
    }

    /// Ends the session, handing back its open explicit transaction (if any) uncommitted, to
    /// be continued with [`Database::session_with`] or dropped (which rolls it back).
    pub fn detach(self) -> Option<Txn> {
        self.txn
    }

    pub fn begin(&mut self) -> Result<()> {
        if self.txn.is_some() {
            return Err(Error::Transaction(
                "a transaction is already open; COMMIT or ROLLBACK it first".into(),
            ));
        }
        self.txn = Some(self.db.store.begin());
        Ok(())
    }

    pub fn commit(&mut self) -> Result<()> {
        match self.txn.take() {
            Some(t) => t.commit(),
            None => Err(Error::Transaction(
                "COMMIT without an open transaction (start one with BEGIN)".into(),
            )),
        }
    }

    pub fn rollback(&mut self) -> Result<()> {
        match self.txn.take() {
            Some(_) => Ok(()),
            None => Err(Error::Transaction(
                "ROLLBACK without an open transaction (start one with BEGIN)".into(),
            )),
        }
    }

    /// Runs one statement with cancellation, a time limit or profiling.
    ///
    /// Parsing, checking, planning and executing walk the statement recursively, so a long
    /// statement (a chain of thousands of `OR`s or `WITH`s) needs more stack than a short one:
    /// when the calling thread has less than [`crate::stack::needed`] left, the statement runs on a
    /// stack of that size allocated for it, so any thread (Rust's default 2 MiB ones included)
    /// can run any statement. Statements past [`crate::parser::MAX_EXPR_DEPTH`] or
    /// [`crate::parser::MAX_CLAUSES`] fail with a `SyntaxError` instead. A failed statement
    /// leaves an open transaction as it was.
    pub fn run_with(
        &mut self,
        query: &str,
        params: &Params,
        opts: &RunOptions,
    ) -> Result<QueryResult> {
        crate::stack::with_stack_for(query, || self.run_on_stack(query, params, opts))
    }

    fn run_on_stack(
        &mut self,
        query: &str,
        params: &Params,
        opts: &RunOptions,
    ) -> Result<QueryResult> {
        let plan_opts = PlanOptions {
            why: opts.why.is_some(),
        };
        let own_indexes = match &self.txn {
            Some(txn) => {
                let own = txn.indexes()?;
                (own != self.db.store.begin().indexes()?).then_some(own)
            }
            None => None,
        };
        let (compiled, lifted) = self.db.compile(query, plan_opts, own_indexes)?;
        let merged;
        let params = match lifted {
            Some(lits) => {
                let mut p = params.clone();
                p.extend(lits);
                merged = p;
                &merged
            }
            None => params,
        };
        match &*compiled {
            Compiled::Begin => {
                self.begin()?;
                Ok(QueryResult::default())
            }
            Compiled::Commit => {
                self.commit()?;
                Ok(QueryResult::default())
            }
            Compiled::Rollback => {
                self.rollback()?;
                Ok(QueryResult::default())
            }
            Compiled::Explain(inner) => Ok(QueryResult {
                plan: Some(explain_text(inner, None)),
                ..QueryResult::default()
            }),
            Compiled::Profile(inner) => self.statement(inner, params, opts, true),
            other => self.statement(other, params, opts, opts.profile),
        }
    }

    /// Runs one statement atomically: in the open transaction (undone to a checkpoint on
    /// failure) or in a transaction of its own.
    fn statement(
        &mut self,
        c: &Compiled,
        params: &Params,
        opts: &RunOptions,
        profile: bool,
    ) -> Result<QueryResult> {
        let db = self.db;
        // A statement that will write takes the writer lock before the statement gate, never
        // while holding it (`Store::statement_gate`); the gate then keeps commits of other
        // sessions from landing while this statement reads.
        let writes = c.writes();
        if writes && opts.read_only {
            return Err(Error::AccessMode(
                "writing is not allowed here: the session or server is read-only".into(),
            ));
        }
        let result = match &mut self.txn {
            Some(_) if c.in_transactions() => Err(Error::Transaction(IMPLICIT_ONLY.into())),
            Some(txn) => {
                if writes {
                    txn.prepare_write()?;
                }
                let cp = txn.checkpoint();
                let r = {
                    let _gate = db.store.statement_gate();
                    metered(opts, || execute(db, txn, c, params, opts, profile, None))
                };
                match r {
                    Ok(r) => Ok(r),
                    Err(e) => {
                        txn.restore(cp);
                        Err(e)
                    }
                }
            }
            None => {
                let mut txn = db.store.begin();
                if writes {
                    txn.prepare_write()?;
                }
                let mut gate = Gate {
                    store: &db.store,
                    guard: Some(db.store.statement_gate()),
                    batches: 0,
                    rows: 0,
                    unsure: 0,
                };
                let r = metered(opts, || {
                    execute(db, &mut txn, c, params, opts, profile, Some(&mut gate))
                });
                gate.guard = None;
                // Whatever fails from here on (the statement, its last check, its commit) ends
                // it after the batches it committed, which stay.
                r.and_then(|r| txn.commit().map(|()| r)).map_err(|e| {
                    crate::error::after_batches(e, gate.batches, gate.rows, gate.unsure)
                })
            }
        };
        if matches!(
            c,
            Compiled::CreateIndex(..)
                | Compiled::DropIndex(..)
                | Compiled::CreateConstraint(..)
                | Compiled::CreateConstraintRecord(..)
                | Compiled::DropConstraint(..)
        ) {
            db.clear_cache();
        }
        result
    }
}

/// Runs a statement under its memory limit (`memory_budget`): what it allocates on this
/// thread is counted, and it fails with `MemoryLimitExceeded` at the first poll past the
/// limit, or at the end (after its last allocation, before anything is committed).
fn metered(opts: &RunOptions, f: impl FnOnce() -> Result<QueryResult>) -> Result<QueryResult> {
    let limit = opts
        .memory_limit
        .unwrap_or_else(crate::memory_budget::default_limit);
    crate::memory_budget::scope(limit, || {
        let r = f()?;
        crate::memory_budget::check()?;
        Ok(r)
    })
}

/// The statement gate of an auto-commit statement, which `CALL { } IN TRANSACTIONS` steps out
/// of to commit a batch: the statement keeps the writer lock, so no other commit lands in
/// between, and its reads after the commit see the batch.
struct Gate<'s> {
    store: &'s Store,
    guard: Option<std::sync::RwLockReadGuard<'s, ()>>,
    /// Batches committed, and the input rows they held: they stay whatever ends the
    /// statement, so its error says so (`error::after_batches`).
    batches: u64,
    rows: u64,
    /// The input rows of a batch whose commit landed but could not be made durable: it may
    /// or may not be kept, and the statement's error says so.
    unsure: u64,
}

impl BatchCommit for Gate<'_> {
    fn commit_batch(&mut self, graph: &mut dyn GraphWrite, rows: u64) -> Result<u64> {
        self.guard = None;
        let r = graph.commit_batch();
        self.guard = Some(self.store.statement_gate());
        match r {
            Ok(()) => {
                self.batches += 1;
                self.rows += rows;
                Ok(self.store.generation())
            }
            // The batch reached the database but may not be kept: the statement's error
            // names it among the batches (`error::after_batches`), in place of this note.
            Err(Error::CommitUnsure { cause }) => {
                self.unsure = rows;
                Err(*cause)
            }
            // Failed part-way and taken back already: like a batch refused before anything
            // was written, which the statement's error says of the rest.
            Err(Error::CommitUndone {
                cause,
                then: AfterUndo::GoOn,
            }) => Err(*cause),
            // Refused before anything was written (a constraint the batch breaks), or taken
            // back only by the next open, which the error says.
            Err(e) => Err(e),
        }
    }
}

fn explain_text(c: &Compiled, profile: Option<&crate::exec::Profile>) -> String {
    match c {
        Compiled::Query { plan, .. } => {
            let mut s = String::new();
            plan.write_tree(&mut s, 0, &|p: &LogicalPlan| match profile {
                Some(prof) => {
                    let s = prof
                        .get(&(p as *const LogicalPlan as usize))
                        .copied()
                        .unwrap_or_default();
                    let workers = match s.workers {
                        0 | 1 => String::new(),
                        n => format!(", workers: {n}"),
                    };
                    format!(
                        "  [rows: {}, time: {:.3} ms{workers}]",
                        s.rows,
                        s.time.as_secs_f64() * 1000.0
                    )
                }
                None => String::new(),
            });
            s
        }
        Compiled::CreateIndex(d, _) => {
            format!("CreateIndex({}:{}.{})\n", d.name, d.label, d.property)
        }
        Compiled::CreateConstraint(d, _) => {
            format!(
                "CreateUniqueConstraint({}:{}.{})\n",
                d.name, d.label, d.property
            )
        }
        Compiled::CreateConstraintRecord(d, _) => {
            format!("CreateConstraint({}: {})\n", d.name, d.create_statement())
        }
        Compiled::DropIndex(..) => "DropIndex\n".into(),
        Compiled::DropConstraint(..) => "DropConstraint\n".into(),
        Compiled::Begin => "Begin\n".into(),
        Compiled::Commit => "Commit\n".into(),
        Compiled::Rollback => "Rollback\n".into(),
        Compiled::Explain(i) | Compiled::Profile(i) => explain_text(i, profile),
    }
}

fn schema_name(
    txn: &Txn,
    target: &crate::ast::SchemaTarget,
    unique: bool,
) -> Result<Option<String>> {
    Ok(match target {
        crate::ast::SchemaTarget::Name(n) => Some(n.clone()),
        crate::ast::SchemaTarget::LabelProperty { label, property } => txn
            .indexes()?
            .into_iter()
            .find(|d| d.label == *label && d.property == *property && d.unique == unique)
            .map(|d| d.name),
    })
}

fn execute(
    db: &Database,
    txn: &mut Txn,
    c: &Compiled,
    params: &Params,
    opts: &RunOptions,
    profile: bool,
    mut batch_commit: Option<&mut dyn BatchCommit>,
) -> Result<QueryResult> {
    let mut stats = WriteStats::default();
    match c {
        Compiled::Query {
            plan, columns, why, ..
        } => {
            let registry = db.procedures.read().unwrap_or_else(|e| e.into_inner());
            let generation = db.store.generation();
            // The same limits for the operators (ExecCtx) and for the long loops they call
            // without one: algorithms, projections (crate::interrupt).
            let limits = crate::interrupt::Limits::new(opts.cancel.clone(), opts.timeout);
            let (rows, stats, prof) = crate::interrupt::scope(limits.clone(), || {
                let mut ctx = ExecCtx::new(GraphAccess::Write(txn), params, &registry);
                ctx.generation = generation;
                ctx.batch_commit = batch_commit
                    .as_mut()
                    .map(|b| &mut **b as &mut dyn BatchCommit);
                ctx.cancel = opts.cancel.as_deref();
                ctx.deadline = limits.deadline;
                if let Some(w) = &opts.why {
                    ctx.why_limit = w.max_facts;
                }
                if profile {
                    ctx.profile = Some(Default::default());
                }
                if !plan.writes() {
                    ctx.memoize_properties();
                    ctx.carry_scanned_properties(plan);
                    ctx.threads = opts.threads.unwrap_or_else(crate::exec::default_threads);
                }
                ctx.use_nested_plans(plan);
                ctx.check_limits()?;
                let rows = run_all(plan, &mut ctx, &Vec::new())?;
                ctx.check_limits()?;
                let prof = ctx.profile.take().map(|p| p.borrow().clone());
                Ok::<_, Error>((rows, ctx.stats, prof))
            })?;
            // Constraints hold at the end of every statement (`store/constraints.rs`).
            txn.validate_constraints()?;
            let g: &dyn GraphRead = txn;
            let mut out = Vec::with_capacity(rows.len());
            let mut whys = opts.why.map(|_| Vec::with_capacity(rows.len()));
            let mut resolver = crate::provenance::Resolver::new(g);
            for mut row in rows {
                if let (Some(whys), Some(w)) = (&mut whys, &opts.why) {
                    // The facts the plan carried, and any the returned values hold besides
                    // (entities a pattern comprehension found, say).
                    let lineage = why.filter(|&i| i < row.len()).map(|i| row.remove(i));
                    let ids = fact_ids(lineage.iter().chain(row.iter()), w.max_facts);
                    whys.push(resolver.row(&ids)?);
                }
                let mut r = Vec::with_capacity(row.len());
                for v in row {
                    r.push(resolve(g, v)?);
                }
                out.push(r);
            }
            Ok(QueryResult {
                columns: columns.clone(),
                rows: out,
                stats,
                plan: prof.as_ref().map(|p| explain_text(c, Some(p))),
                why: whys,
            })
        }
        // `IF NOT EXISTS` makes that a no-op, as in Neo4j.
        Compiled::CreateIndex(def, if_not_exists)
            if txn.constraints()?.iter().any(|c| c.name == def.name) =>
        {
            if *if_not_exists {
                return Ok(QueryResult::default());
            }
            Err(QueryError::new(
                crate::error::ErrorClass::SemanticError,
                "ConstraintAlreadyExists",
                crate::error::Phase::Runtime,
                format!("There already exists a constraint called '{}'.", def.name),
            )
            .into())
        }
        Compiled::CreateIndex(def, if_not_exists)
        | Compiled::CreateConstraint(def, if_not_exists) => {
            let before = txn.indexes()?.len();
            txn.create_index(def.clone(), *if_not_exists)?;
            if txn.indexes()?.len() > before {
                if def.unique {
                    stats.constraints_added += 1;
                } else {
                    stats.indexes_added += 1;
                }
            }
            Ok(QueryResult {
                stats,
                ..QueryResult::default()
            })
        }
        Compiled::CreateConstraintRecord(def, if_not_exists) => {
            if txn.create_constraint(def.clone(), *if_not_exists)? {
                stats.constraints_added += 1;
            }
            Ok(QueryResult {
                stats,
                ..QueryResult::default()
            })
        }
        Compiled::DropConstraint(crate::ast::SchemaTarget::Name(name), if_exists) => {
            if txn.drop_constraint(name, *if_exists)? {
                stats.constraints_removed += 1;
            }
            Ok(QueryResult {
                stats,
                ..QueryResult::default()
            })
        }
        // A constraint's index (a unique index is one too) goes only with its constraint, as in
        // Neo4j; dropping it by DROP INDEX would silently drop the constraint.
        Compiled::DropIndex(crate::ast::SchemaTarget::Name(name), _)
            if index_constraint(txn, name)?.is_some() =>
        {
            Err(QueryError::new(
                crate::error::ErrorClass::SemanticError,
                "IndexBelongsToConstraint",
                crate::error::Phase::Runtime,
                format!(
                    "Unable to drop index: Index belongs to constraint: `{}`",
                    index_constraint(txn, name)?.unwrap_or_default()
                ),
            )
            .into())
        }
        Compiled::DropIndex(target, if_exists) | Compiled::DropConstraint(target, if_exists) => {
            let unique = matches!(c, Compiled::DropConstraint(..));
            match schema_name(txn, target, unique)? {
                Some(name) => {
                    let before = txn.indexes()?.len();
                    txn.drop_index(&name, *if_exists)?;
                    if txn.indexes()?.len() < before {
                        if unique {
                            stats.constraints_removed += 1;
                        } else {
                            stats.indexes_removed += 1;
                        }
                    }
                }
                None if *if_exists => {}
                None => {
                    return Err(QueryError::new(
                        crate::error::ErrorClass::SemanticError,
                        "IndexNotFound",
                        crate::error::Phase::Runtime,
                        "there is no such index or constraint",
                    )
                    .into())
                }
            }
            Ok(QueryResult {
                stats,
                ..QueryResult::default()
            })
        }
        _ => Ok(QueryResult::default()),
    }
}

/// The constraint that index `name` belongs to: its owner, or itself for a unique index.
fn index_constraint(txn: &Txn, name: &str) -> Result<Option<String>> {
    if let Some(owner) = txn.index_owner(name)? {
        return Ok(Some(owner));
    }
    Ok(txn
        .indexes()?
        .iter()
        .any(|i| i.name == name && i.unique)
        .then(|| name.to_string()))
}

/// Replaces runtime entity references with full entities read through the transaction.
pub fn resolve(g: &dyn GraphRead, v: Value) -> Result<Value> {
    Ok(match v {
        Value::NodeRef(id) => match g.node(id)? {
            Some(n) => Value::Node(Box::new(n)),
            None => Value::Null,
        },
        Value::RelRef(id) => match g.relationship(id)? {
            Some(r) => Value::Relationship(Box::new(r)),
            None => Value::Null,
        },
        Value::PathRef(p) => {
            let mut nodes = Vec::with_capacity(p.nodes.len());
            for id in &p.nodes {
                match g.node(*id)? {
                    Some(n) => nodes.push(n),
                    None => return Ok(Value::Null),
                }
            }
            let mut relationships = Vec::with_capacity(p.rels.len());
            for id in &p.rels {
                match g.relationship(*id)? {
                    Some(r) => relationships.push(r),
                    None => return Ok(Value::Null),
                }
            }
            Value::Path(Box::new(crate::model::Path {
                nodes,
                relationships,
            }))
        }
        Value::List(items) => Value::List(
            items
                .into_iter()
                .map(|x| resolve(g, x))
                .collect::<Result<Vec<_>>>()?,
        ),
        Value::Map(m) => {
            let mut out = BTreeMap::new();
            for (k, x) in m {
                out.insert(k, resolve(g, x)?);
            }
            Value::Map(out)
        }
        other => other,
    })
}

#[cfg(test)]
#[path = "db_tests.rs"]
mod tests;
