//! Morsel-driven parallel aggregation and top-k: the pipeline from a large leading node scan
//! up to an aggregation, or to an ORDER BY … LIMIT, runs on several threads, a partial
//! aggregation table or the best rows per morsel, merged in morsel order so the answer is the
//! serial one.
//!
//! Which statements: one that cannot write (`ExecCtx::threads` is above 1 only then), whose
//! aggregation's or top-k's input is a chain of row-at-a-time operators (filters, projections,
//! single expansions, UNWIND, OPTIONAL MATCH and subquery applies, degree counts) over an
//! all-nodes or label scan of at least [`MIN_NODES`] nodes, and, for an aggregation, whose
//! aggregates all merge exactly (`functions::new_partial_aggregator`: count, sum, avg, min,
//! max, collect, each also DISTINCT). Anything else runs on one thread as before. A label scan
//! with a pre-filter (`prefilter.rs`) reads, in each worker, the span of node ids its morsel
//! covers through the store's filtered pass (`GraphRead::label_where_piece`), carrying the keys
//! the statement reads of the scanned variable (`carry.rs`).
//!
//! The top-k's rows are the serial ones in the serial order: the serial top-k is stable (among
//! equal keys the row that came first), each morsel keeps its best `limit` rows stably, and
//! the morsels' rows, concatenated in morsel order (scan order), are sorted stably again.
//!
//! Why per-morsel tables merged in order, rather than one table per thread: merging them in
//! morsel order reproduces the serial run exactly, not only its set of answers: the groups come
//! out in the order of their first row, `collect()` lists hold their values in scan order,
//! `min`/`max` keep the first of equal values, a DISTINCT passes on the first occurrence, and
//! an integer sum fails where the serial sum would. Only a float sum may differ from the serial
//! one, by rounding (partial sums added in another association), as in Neo4j's parallel
//! runtime; the result is still the same on every run with the same thread count.
//!
//! Errors: the error of the lowest morsel that failed is the one the serial run meets first
//! (every lower morsel ran to its end), so it is the one returned; a failure stops workers
//! from starting later morsels. Cancellation, the time limit (shared flag and deadline, and
//! `interrupt::scope` on each worker) and the memory limit (split evenly between the threads,
//! what a worker's partial tables hold handed back to the statement's count) apply across
//! workers. Each worker reads through its own view of the statement's transaction
//! (`GraphRead::fork`: same committed state, its own block cache) and has its own property
//! memo; a transaction that has written reads through the shared one (`GraphRead::as_sync`).

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use crate::ast::Expr;
use crate::error::{Error, Result};
use crate::exec::carry::CarryKeys;
use crate::exec::expand_agg::{ExpandGroups, GroupTable, Walk};
use crate::exec::group_table::{Finished, Groups};
use crate::exec::sort_rows::{self, Keyed};
use crate::exec::{build, ExecCtx, GraphAccess, Profile, Row};
use crate::model::NodeId;
use crate::plan::{AggSpec, LogicalPlan, PlanOp};
use crate::store::GraphRead;
use crate::value::Value;

/// The fewest nodes per morsel: small enough that two threads end close together on a skewed
/// graph and a failure stops the others soon, large enough that a morsel's table and operator
/// tree (built afresh per morsel) are noise next to its rows.
const MORSEL: usize = 1024;
/// Morsels per thread above which morsels grow: a pre-filtered scan pays a seek and its
/// node blocks' edges per morsel, and more morsels than this balance no better.
const MORSELS_PER_THREAD: usize = 16;
/// The most nodes per morsel.
const MAX_MORSEL: usize = 64 * MORSEL;
/// The fewest scanned nodes for which threads start: below it (a few ms of work at most) a
/// thread's start (≈ 30–60 µs) and the merge are not repaid (docs/performance.md).
const MIN_NODES: usize = 8 * MORSEL;
/// The most threads a statement uses, whatever the machine has.
const MAX_THREADS: usize = 8;
/// The least stack a helper thread gets (Rust's default).
const MIN_STACK: usize = 2 << 20;

/// The process default for `RunOptions::threads` (0: the machine's cores, at most
/// [`MAX_THREADS`]); `kg --threads` sets it.
static DEFAULT_THREADS: AtomicUsize = AtomicUsize::new(0);

/// Sets the threads a statement may use by default (1: always one thread; 0: the machine's).
pub fn set_default_threads(n: usize) {
    DEFAULT_THREADS.store(n.min(MAX_THREADS), Ordering::Relaxed);
}

/// The threads a statement may use unless its `RunOptions` say otherwise.
pub fn default_threads() -> usize {
    match DEFAULT_THREADS.load(Ordering::Relaxed) {
        0 => std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(MAX_THREADS),
        n => n,
    }
}

/// What a worker's scan reads instead of its whole id list: one morsel of it.
pub(crate) struct Morsel {
    /// The scan's plan node (by address, as PROFILE keys them).
    pub scan: usize,
    pub nodes: Nodes,
}

/// The nodes a scan's morsels are cut from.
#[derive(Clone)]
pub(crate) enum Nodes {
    /// A label scan's ids (read from its bitmaps before the workers start), this morsel's
    /// the `range` of them.
    Listed {
        ids: Arc<[NodeId]>,
        range: Range<usize>,
    },
    /// An all-nodes scan's: the nodes whose ids are in the span, which the worker reads (the
    /// last morsel's span is open-ended). Why not a list: listing every node read every node
    /// block once before any worker started, on one thread (docs/performance.md, "A1 by id
    /// spans").
    Span(Range<NodeId>),
}

impl Morsel {
    /// The morsel's ids (`None`: the nodes of the span, for the scan to read) and the span of
    /// node ids it covers (a listed morsel's from its first id to the next morsel's first, the
    /// last one to the end), when `plan` is the scan it stands for. The scan's ids ascend, so
    /// the label's nodes in the span are exactly the morsel's.
    pub(crate) fn span_for(
        &self,
        plan: &LogicalPlan,
    ) -> Option<(Option<&[NodeId]>, Range<NodeId>)> {
        if self.scan != plan as *const LogicalPlan as usize {
            return None;
        }
        Some(match &self.nodes {
            Nodes::Listed { ids, range } => {
                let listed = ids.get(range.clone()).unwrap_or_default();
                let start = listed.first().copied().unwrap_or(NodeId::MAX);
                let end = ids.get(range.end).copied().unwrap_or(NodeId::MAX);
                (Some(listed), start..end)
            }
            Nodes::Span(span) => (None, span.clone()),
        })
    }
}

/// The all-nodes or label scan that leads the aggregation's input `plan`, when every operator
/// between them handles each row on its own (so any split of the scan gives the same rows).
fn leading_scan(mut plan: &LogicalPlan) -> Option<&LogicalPlan> {
    loop {
        plan = match &plan.op {
            PlanOp::Filter { input, .. }
            | PlanOp::Project { input, .. }
            | PlanOp::Unwind { input, .. }
            | PlanOp::Optional { input, .. }
            | PlanOp::Apply { input, .. }
            | PlanOp::DegreeCount { input, .. }
            | PlanOp::BuildPath { input, .. } => input,
            PlanOp::Expand { input, spec } if spec.hops.is_none() => input,
            PlanOp::AllNodesScan { input, .. } | PlanOp::LabelScan { input, .. }
                if matches!(input.op, PlanOp::Argument) =>
            {
                return Some(plan)
            }
            _ => return None,
        };
    }
}

/// What the workers compute for each morsel.
enum Task<'a> {
    /// Partial groups of an aggregation (`keys`, `aggs`), merged in morsel order.
    Aggregate {
        keys: &'a [(String, Expr)],
        aggs: &'a [AggSpec],
        /// The pipeline as one fused expansion when it has that shape (`expand_agg.rs`).
        fused: Option<ExpandGroups<'a>>,
    },
    /// The best `limit` rows by `keys` (ORDER BY … LIMIT), each morsel's in the stable order
    /// the serial top-k keeps (`sort.rs`), merged in morsel order.
    Top {
        keys: &'a [(Expr, bool)],
        limit: usize,
        /// Where each key is in a row, when every key is a plain column (`sort_rows::key_slots`).
        slots: Option<Vec<usize>>,
    },
}

/// What a worker made of one morsel.
enum Made {
    /// Groups in first-row order.
    Groups(Groups),
    /// Rows with their sort keys (none when the keys are columns of the rows), best first.
    Rows(Vec<Keyed>),
}

/// What a worker made of one morsel, and the error that ended it early.
struct Part {
    morsel: usize,
    made: Made,
    error: Option<Error>,
}

/// The statement's work being parallelised: what every worker reads.
struct Job<'a> {
    pipeline: &'a LogicalPlan,
    scan: usize,
    task: Task<'a>,
    arg: &'a Row,
    /// The scan's ids (a label scan's), or `None`: an all-nodes scan cut into id spans.
    ids: Option<Arc<[NodeId]>>,
    /// Nodes (or ids of a span) per morsel, and how many morsels.
    morsel_len: usize,
    morsels: usize,
    next: AtomicUsize,
    /// The lowest morsel that failed (`usize::MAX`: none).
    failed: AtomicUsize,
}

/// What a worker's statement context is made from (the parts of the caller's `ExecCtx` that
/// threads may share).
struct Env<'a> {
    graph: &'a (dyn GraphRead + Sync),
    params: &'a crate::value::Params,
    procedures: &'a crate::procedures::Registry,
    generation: u64,
    cancel: Option<&'a std::sync::atomic::AtomicBool>,
    deadline: Option<(std::time::Instant, u64)>,
    clock: i128,
    why_limit: usize,
    memo: bool,
    /// The scanned variable and the keys the statement reads of it, which a pre-filtered
    /// label scan carries (`carry.rs`).
    carry: Option<(String, Vec<String>)>,
    profile: bool,
}

impl<'a> Env<'a> {
    /// What workers of `ctx`'s statement share, reading `graph` (`ctx`'s, shareable).
    fn of<'c: 'a>(
        ctx: &'a ExecCtx<'c>,
        graph: &'a (dyn GraphRead + Sync),
        carry: Option<(String, Vec<String>)>,
    ) -> Env<'a> {
        Env {
            graph,
            params: ctx.params,
            procedures: ctx.procedures,
            generation: ctx.generation,
            cancel: ctx.cancel,
            deadline: ctx.deadline,
            clock: ctx.clock,
            why_limit: ctx.why_limit,
            memo: ctx.memo.is_some(),
            carry,
            profile: ctx.profile.is_some(),
        }
    }

    /// `f` on a statement context of this thread's own: a view of the graph with its own
    /// block cache where the store gives one (so workers never wait on each other for the
    /// shared cache's lock, taken on every property read), its own property memo and
    /// PROFILE counters (returned beside `f`'s result, to be summed by the caller).
    fn with_ctx<R>(&self, f: impl FnOnce(&mut ExecCtx<'_>) -> R) -> (R, Profile) {
        let own = self.graph.fork();
        let graph: &dyn GraphRead = match &own {
            Some(g) => &**g,
            None => self.graph,
        };
        let mut ctx = ExecCtx::new(GraphAccess::Read(graph), self.params, self.procedures);
        ctx.generation = self.generation;
        ctx.cancel = self.cancel;
        ctx.deadline = self.deadline;
        ctx.clock = self.clock;
        ctx.why_limit = self.why_limit;
        if self.memo {
            ctx.memoize_properties();
        }
        if let Some((var, keys)) = &self.carry {
            ctx.carry = Some(std::rc::Rc::new(CarryKeys::single(var, keys)));
        }
        if self.profile {
            // This thread's own counters (an `Rc`, so never shared across threads).
            ctx.profile = Some(std::rc::Rc::new(
                std::cell::RefCell::new(Profile::default()),
            ));
        }
        let out = f(&mut ctx);
        let profile = ctx.profile.take().map(|p| p.take()).unwrap_or_default();
        (out, profile)
    }
}

/// Runs `f(i, ctx)` for `i` in `0..threads`, `i = 0` on this thread and each other on a
/// helper thread, every one on a statement context of its own made from `env`; returns the
/// results (with each context's PROFILE counters) in the order of `i`, and how many threads
/// ran. A helper that cannot be started is left out (its `i` missing from the results).
/// The threads count what they hold together against the statement's memory limit, a
/// helper's partial results are handed to this thread's count when it ends, and each helper
/// runs under this thread's time limit and cancellation.
fn on_threads<T: Send>(
    env: &Env<'_>,
    threads: usize,
    f: &(dyn Fn(usize, &mut ExecCtx<'_>) -> T + Sync),
) -> (Vec<(T, Profile)>, usize) {
    let limits = crate::interrupt::current();
    // A stop names the statement's limit and the threads' total (`memory_budget::scope_shared`).
    let shared = crate::memory_budget::shared();
    // A helper evaluates the statement's expressions as deep as this thread does: it gets the
    // stack this thread has left (`stack.rs` sized it for the statement; reserved, not used).
    let stack = stacker::remaining_stack()
        .unwrap_or(0)
        .clamp(MIN_STACK, crate::stack::STACK_MAX);
    let mut results: Vec<(T, Profile)> = Vec::with_capacity(threads);
    let mut used = 1;
    std::thread::scope(|s| {
        let helpers: Vec<_> = (1..threads)
            .filter_map(|i| {
                let (limits, shared) = (limits.clone(), shared.as_ref());
                std::thread::Builder::new()
                    .name("kg-scan".into())
                    .stack_size(stack)
                    .spawn_scoped(s, move || {
                        crate::memory_budget::scope_shared(shared, || {
                            let out =
                                crate::interrupt::scope(limits, || env.with_ctx(|ctx| f(i, ctx)));
                            (out, crate::memory_budget::held())
                        })
                    })
                    .ok()
            })
            .collect();
        used += helpers.len();
        results.push(crate::memory_budget::scope_shared(shared.as_ref(), || {
            env.with_ctx(|ctx| f(0, ctx))
        }));
        for h in helpers {
            match h.join() {
                Ok((out, held)) => {
                    // The helper's partial results now belong to this thread's statement.
                    crate::memory_budget::adopt(held);
                    results.push(out);
                }
                Err(panic) => std::panic::resume_unwind(panic),
            }
        }
    });
    (results, used)
}

/// Runs `f(i, ctx)` for `i` in `0..threads` as [`on_threads`] does, for a statement whose
/// graph can be shared (`None` otherwise): the results in the order of `i`, every helper
/// that could not start left out.
pub(crate) fn on_each<T: Send>(
    ctx: &ExecCtx<'_>,
    threads: usize,
    f: &(dyn Fn(usize, &mut ExecCtx<'_>) -> T + Sync),
) -> Option<Vec<T>> {
    let graph = ctx.read().as_sync()?;
    let env = Env::of(ctx, graph, None);
    let (results, _) = on_threads(&env, threads, f);
    Some(results.into_iter().map(|(out, _)| out).collect())
}

/// Sets `failed` to 0 if the worker panics, so the others stop taking morsels before the
/// panic reaches the caller.
struct StopOnPanic<'a>(&'a AtomicUsize);

impl Drop for StopOnPanic<'_> {
    fn drop(&mut self) {
        if std::thread::panicking() {
            self.0.store(0, Ordering::Relaxed);
        }
    }
}

/// The nodes of a leading scan, before they are cut into morsels.
enum Scanned {
    /// A label scan's ids.
    Listed(Vec<NodeId>),
    /// An all-nodes scan: the ids below this bound (`GraphRead::node_id_bound`), and past it.
    Below(NodeId),
}

/// The leading scan of `input` and its nodes when the pipeline qualifies for workers (module
/// docs) and the scan holds enough nodes; `None` otherwise.
fn scan_ids<'p>(
    input: &'p LogicalPlan,
    ctx: &ExecCtx<'_>,
) -> Result<Option<(&'p LogicalPlan, Scanned)>> {
    if ctx.threads < 2 || ctx.morsel.is_some() {
        return Ok(None);
    }
    let Some(scan) = leading_scan(input) else {
        return Ok(None);
    };
    let Some(graph) = ctx.read().as_sync() else {
        return Ok(None);
    };
    // The node count (one stored counter) bounds every scan: below the threshold, decide
    // without listing the scan's ids only to scan them again on this thread.
    if graph.node_count()? < MIN_NODES as u64 {
        return Ok(None);
    }
    let ids: Vec<NodeId> = match &scan.op {
        PlanOp::LabelScan { label, .. } => graph.nodes_with_label(label)?.collect::<Result<_>>()?,
        // Every node: the counter above says there are enough.
        _ => return Ok(Some((scan, Scanned::Below(graph.node_id_bound()?)))),
    };
    // Few nodes: one thread.
    Ok((ids.len() >= MIN_NODES).then_some((scan, Scanned::Listed(ids))))
}

/// Runs the aggregation `agg` (its input `input`) on `ctx.threads` threads when it qualifies
/// (module docs); `None` when it does not, and the caller aggregates on this thread.
pub(crate) fn run(
    agg: &LogicalPlan,
    input: &LogicalPlan,
    keys: &[(String, Expr)],
    aggs: &[AggSpec],
    arg: &Row,
    ctx: &mut ExecCtx<'_>,
) -> Result<Option<Finished>> {
    if Groups::partial(keys.len(), aggs).is_none() {
        return Ok(None);
    }
    let Some((scan, scanned)) = scan_ids(input, ctx)? else {
        return Ok(None);
    };
    let task = Task::Aggregate {
        keys,
        aggs,
        // Not under PROFILE: it counts each operator's rows, so the operators must run.
        fused: match ctx.profile {
            None => ExpandGroups::of(input, keys, aggs),
            Some(_) => None,
        },
    };
    let Some(parts) = fan_out(agg, input, scan, scanned, task, arg, ctx) else {
        return Ok(None);
    };
    merge(parts, keys.is_empty(), keys.len(), aggs, ctx).map(Some)
}

/// Runs ORDER BY `keys` LIMIT `limit` over `input` on `ctx.threads` threads when the input
/// qualifies (module docs): each morsel's best `limit` rows, then the best of those. The rows
/// and their order are the serial top-k's: it keeps, among equal keys, the row that came
/// first, and the morsels' rows are merged in scan order by a stable sort. `None` when it
/// does not qualify.
pub(crate) fn top(
    plan: &LogicalPlan,
    input: &LogicalPlan,
    keys: &[(Expr, bool)],
    limit: usize,
    arg: &Row,
    ctx: &mut ExecCtx<'_>,
) -> Result<Option<Vec<Row>>> {
    let Some((scan, scanned)) = scan_ids(input, ctx)? else {
        return Ok(None);
    };
    let slots = sort_rows::key_slots(keys, &input.columns);
    let task = Task::Top {
        keys,
        limit,
        slots: slots.clone(),
    };
    let Some(parts) = fan_out(plan, input, scan, scanned, task, arg, ctx) else {
        return Ok(None);
    };
    let mut all: Vec<Keyed> = Vec::new();
    for part in parts {
        if let Made::Rows(rows) = part.made {
            all.extend(rows);
        }
        if let Some(e) = part.error {
            return Err(e);
        }
        ctx.tick()?;
    }
    match &slots {
        Some(slots) => all.sort_by(|a, b| sort_rows::cmp_slots(keys, slots, &a.1, &b.1)),
        None => all.sort_by(|a, b| sort_rows::cmp_keys(keys, &a.0, &b.0)),
    }
    all.truncate(limit);
    Ok(Some(all.into_iter().map(|(_, row)| row).collect()))
}

/// Runs `task` over the morsels of `ids` on up to `ctx.threads` threads (this one included)
/// and returns every morsel's part in morsel order. `plan` is the operator the workers stand
/// in for (PROFILE shows their number on it); `None` when the graph cannot be shared.
fn fan_out(
    plan: &LogicalPlan,
    input: &LogicalPlan,
    scan: &LogicalPlan,
    scanned: Scanned,
    task: Task<'_>,
    arg: &Row,
    ctx: &mut ExecCtx<'_>,
) -> Option<Vec<Part>> {
    let graph = ctx.read().as_sync()?;
    let (ids, len) = match scanned {
        Scanned::Listed(ids) => {
            let len = ids.len();
            (Some(Arc::from(ids)), len)
        }
        Scanned::Below(bound) => (None, usize::try_from(bound).unwrap_or(usize::MAX)),
    };
    let morsel_len = (len / (ctx.threads * MORSELS_PER_THREAD)).clamp(MORSEL, MAX_MORSEL);
    let morsels = len.div_ceil(morsel_len).max(1);
    let threads = ctx.threads.min(morsels).max(1);
    // A pre-filtered label scan (`prefilter.rs`) runs in each worker over its morsel's span
    // of node ids, carrying what the statement reads of its variable (`carry.rs`) as on one
    // thread.
    let carry = match (&scan.op, &ctx.carry) {
        (PlanOp::LabelScan { var, .. }, Some(keys)) => {
            Some((var.clone(), keys.for_var(var).to_vec()))
        }
        _ => None,
    };
    let job = Job {
        pipeline: input,
        scan: scan as *const LogicalPlan as usize,
        task,
        arg,
        ids,
        morsel_len,
        morsels,
        next: AtomicUsize::new(0),
        failed: AtomicUsize::new(usize::MAX),
    };
    let env = Env::of(ctx, graph, carry);
    let (results, used) = on_threads(&env, threads, &|_, ctx| work(&job, ctx));
    let mut parts = Vec::with_capacity(morsels);
    for (p, prof) in results {
        parts.extend(p);
        if let Some(main) = &ctx.profile {
            let mut main = main.borrow_mut();
            for (k, v) in prof {
                let e = main.entry(k).or_default();
                e.rows += v.rows;
                e.time += v.time;
            }
        }
    }
    if let Some(main) = &ctx.profile {
        main.borrow_mut()
            .entry(plan as *const LogicalPlan as usize)
            .or_default()
            .workers = used;
    }
    parts.sort_unstable_by_key(|p| p.morsel);
    Some(parts)
}

/// One thread's share of the job: morsels taken in turn until none is left or one failed.
fn work(job: &Job<'_>, ctx: &mut ExecCtx<'_>) -> Vec<Part> {
    let _stop = StopOnPanic(&job.failed);
    let mut parts = Vec::new();
    // The fused path's buffers and label bitmaps, kept from morsel to morsel (the graph does
    // not change while the job runs).
    let mut walk = Walk::default();
    loop {
        let m = job.next.fetch_add(1, Ordering::Relaxed);
        if m >= job.morsels || m > job.failed.load(Ordering::Relaxed) {
            break;
        }
        let start = m * job.morsel_len;
        let nodes = match &job.ids {
            Some(ids) => Nodes::Listed {
                ids: ids.clone(),
                range: start..(start + job.morsel_len).min(ids.len()),
            },
            // Ids as `NodeId`s; the last span open-ended, so a node past the bound is read too.
            None => {
                let id = |i: usize| NodeId::try_from(i).unwrap_or(NodeId::MAX);
                let end = match m + 1 == job.morsels {
                    true => NodeId::MAX,
                    false => id(start + job.morsel_len),
                };
                Nodes::Span(id(start)..end)
            }
        };
        ctx.morsel = Some(Morsel {
            scan: job.scan,
            nodes,
        });
        let (made, error) = match &job.task {
            Task::Aggregate { keys, aggs, fused } => {
                // Checked mergeable before any worker started.
                let Some(mut groups) = Groups::partial(keys.len(), aggs) else {
                    break;
                };
                let error = aggregate_morsel(
                    job,
                    (keys, aggs),
                    fused.as_ref(),
                    ctx,
                    &mut groups,
                    &mut walk,
                )
                .err();
                (Made::Groups(groups), error)
            }
            Task::Top { keys, limit, slots } => {
                let mut rows = Vec::new();
                let error = top_morsel(job, keys, *limit, slots.as_deref(), ctx, &mut rows).err();
                (Made::Rows(rows), error)
            }
        };
        if error.is_some() {
            job.failed.fetch_min(m, Ordering::Relaxed);
        }
        parts.push(Part {
            morsel: m,
            made,
            error,
        });
    }
    parts
}

/// Aggregates the rows of `ctx`'s morsel into `out` (groups in the order of their first row);
/// on an error `out` holds the groups of the rows before it.
fn aggregate_morsel(
    job: &Job<'_>,
    (keys, aggs): (&[(String, Expr)], &[AggSpec]),
    fused: Option<&ExpandGroups<'_>>,
    ctx: &mut ExecCtx<'_>,
    out: &mut Groups,
    walk: &mut Walk,
) -> Result<()> {
    if let Some(fused) = fused {
        return fused.run(ctx, job.arg, out, walk);
    }
    let cols = &job.pipeline.columns;
    let mut op = build(job.pipeline, job.arg, ctx.profile.is_some())?;
    let mut kv: Vec<Value> = Vec::with_capacity(keys.len());
    let mut args: Vec<Value> = Vec::new();
    while let Some(row) = op.next(ctx)? {
        ctx.tick()?;
        kv.clear();
        for (_, e) in keys {
            kv.push(ctx.eval(e, cols, &row)?);
        }
        let g = out.group(&kv)?;
        for (i, a) in aggs.iter().enumerate() {
            args.clear();
            for e in &a.args {
                args.push(ctx.eval(e, cols, &row)?);
            }
            out.update(g, i, &args)?;
        }
    }
    Ok(())
}

/// The best `limit` rows of `ctx`'s morsel by `keys` (at `slots` of each row, or evaluated
/// and kept beside it), into `out`.
fn top_morsel(
    job: &Job<'_>,
    keys: &[(Expr, bool)],
    limit: usize,
    slots: Option<&[usize]>,
    ctx: &mut ExecCtx<'_>,
    out: &mut Vec<Keyed>,
) -> Result<()> {
    let mut op = build(job.pipeline, job.arg, ctx.profile.is_some())?;
    *out = match slots {
        Some(slots) => sort_rows::sorted_by_slots(&mut *op, keys, slots, Some(limit), ctx)?
            .into_iter()
            .map(|row| (Vec::new(), row))
            .collect(),
        None => sort_rows::sorted_keyed(&mut *op, keys, Some(limit), &job.pipeline.columns, ctx)?,
    };
    Ok(())
}

/// Folds the morsels' tables together in morsel order and finishes every group: the rows the
/// serial aggregation gives, in its order. Stops at the first morsel that failed, with its
/// error (or an earlier one the merge itself meets: a sum mixing durations and numbers across
/// morsels).
fn merge(
    parts: Vec<Part>,
    global: bool,
    width: usize,
    aggs: &[AggSpec],
    ctx: &mut ExecCtx<'_>,
) -> Result<Finished> {
    let Some(mut all) = Groups::partial(width, aggs) else {
        return Err(crate::error::QueryError::new(
            crate::error::ErrorClass::Unsupported,
            "NotMergeable",
            crate::error::Phase::Runtime,
            "an aggregate that cannot merge was merged",
        )
        .into());
    };
    for part in parts {
        if let Made::Groups(groups) = part.made {
            all.merge(groups, &mut || ctx.tick())?;
        }
        if let Some(e) = part.error {
            return Err(e);
        }
    }
    all.finish(global)
}
