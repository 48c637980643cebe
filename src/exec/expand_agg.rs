//! Grouped aggregation fed straight from one expansion over a node scan
//! (`MATCH (a)-[r:T]->(b:L) RETURN a.k, sum(r.p)`): the adjacency of each scanned node is
//! walked once, its grouping key evaluated and looked up once per node (not per
//! relationship), and each relationship only updates the node's group.
//!
//! Why: row at a time, each relationship became a fresh row (the scanned row copied), went
//! through a filter operator, and had its grouping key evaluated, cloned and hashed again:
//! A1 of the analytics bench spent more on that than on reading the graph
//! (docs/performance.md, "A1 by the node, not by the row").
//!
//! Which plans: an aggregation whose input is filters over a single-hop expansion (no
//! variable length, no relationship property map, no dynamic type, nothing bound at the far
//! end, no other relationship to stay distinct from) over an all-nodes or label scan, whose
//! grouping keys read only the scanned row (variables, property accesses, literals and
//! parameters: the same value for every relationship of a node) and that is not profiled
//! (PROFILE counts rows per operator, so it runs the operators). Everything else, filters
//! and aggregate arguments included, is evaluated on the very row the row-at-a-time plan
//! would build (one buffer, rewritten per relationship), relationships in the expansion's
//! order, so the groups, their order and every aggregate's input sequence are the serial
//! run's.
//!
//! The store is read a chunk of scanned nodes at a time, in scan order: their adjacency
//! (`GraphRead::edges_each`: each adjacency block looked up once, not once per node), then
//! the aggregates' `r.key` for all the chunk's kept relationships and the keys' `a.key` for
//! its nodes, each one batch (`relationship_properties`, `node_properties`: neighbouring
//! records share a block lookup). Why: per node, those lookups were most of A1's time
//! (docs/performance.md, "A1 by reading the store in block order").
//!
//! One difference in failures only: a chunk's relationships are all filtered before its
//! aggregates read any of them, so when both a filter and an aggregate argument would fail,
//! the filter's error may be the one reported.

use crate::ast::{Expr, ExprKind};
use crate::error::{ErrorClass, Phase, QueryError, Result};
use crate::exec::{node_id, ExecCtx, Row};
use crate::model::{NodeId, RelId};
use crate::plan::{AggSpec, ExpandSpec, LogicalPlan, PlanOp};
use crate::store::{Edge, HeldBits, LabelSet};
use crate::value::Value;

/// Where the grouped rows go: the serial aggregation's table or a parallel worker's.
pub(crate) trait GroupTable {
    /// The group with key values `kv`, created (after the existing ones) when new.
    fn group(&mut self, kv: &[Value]) -> Result<usize>;
    /// Feeds one row's arguments to aggregate `agg` of group `g`.
    fn update(&mut self, g: usize, agg: usize, args: &[Value]) -> Result<()>;
}

/// The fused form of an aggregation's input, when it has the shape the module docs name.
pub(crate) struct ExpandGroups<'p> {
    scan: &'p LogicalPlan,
    spec: &'p ExpandSpec,
    types: Vec<&'p str>,
    /// The aggregation's input columns: the scan's, then the relationship and the far node.
    cols: &'p [String],
    /// Slot of the expanded node in the scanned row.
    from: usize,
    filters: Vec<Test<'p>>,
    /// The grouping keys, each a property of the scanned node or evaluated on its row.
    keys: Vec<Key<'p>>,
    /// The node properties the keys read (`Key::Node` indexes them).
    node_keys: Vec<&'p str>,
    /// Each aggregate's arguments.
    args: Vec<Vec<Arg<'p>>>,
    /// The relationship properties the arguments read (`Arg::Rel` indexes them).
    rel_keys: Vec<&'p str>,
    /// Whether a filter, a grouping key, or an aggregate argument is evaluated on the row.
    row_tests: bool,
    row_keys: bool,
    row_args: bool,
}

/// One filter on the expanded rows.
enum Test<'p> {
    /// `b:L1:L2` on the far node (label names), through the store's label testers.
    Labels(&'p [String]),
    /// Anything else: evaluated on the row.
    Row(&'p Expr),
}

/// How a grouping key is found for each scanned node.
enum Key<'p> {
    /// `a.key` of the expanded node `a`: read for all of a chunk's nodes in one batch
    /// (`node_keys[i]`) when `a` is a node reference (the scan's), else evaluated. The
    /// flag: no later key reads the same batch, so the value is moved out, not cloned (a
    /// string key allocated twice per node).
    Node(usize, &'p Expr, bool),
    /// Anything else: evaluated on the scanned row.
    Row(&'p Expr),
}

/// How an aggregate argument is found for each relationship.
enum Arg<'p> {
    /// `r.key`: read for all of a node's relationships in one batch (`rel_keys[i]`).
    Rel(usize),
    /// Anything else: evaluated on the row.
    Row(&'p Expr),
}

/// The filters directly above `plan`, innermost first (the order the operator chain runs
/// them in), and the plan below them.
pub(super) fn under_filters(mut plan: &LogicalPlan) -> (Vec<&Expr>, &LogicalPlan) {
    let mut filters = Vec::new();
    while let PlanOp::Filter { input, predicate } = &plan.op {
        filters.push(predicate);
        plan = input;
    }
    filters.reverse();
    (filters, plan)
}

impl<'p> ExpandGroups<'p> {
    /// The fused form of `input` under grouping `keys` and `aggs`, or `None` when the plan
    /// has another shape.
    pub(crate) fn of(
        input: &'p LogicalPlan,
        keys: &'p [(String, Expr)],
        aggs: &'p [AggSpec],
    ) -> Option<Self> {
        let (filters, plan) = under_filters(input);
        let to = match &plan.op {
            PlanOp::Expand { spec, .. } => spec.to.as_str(),
            _ => return None,
        };
        let filters: Vec<Test<'p>> = filters
            .into_iter()
            .map(|f| match &f.kind {
                ExprKind::HasLabels(v, labels)
                    if !labels.is_empty()
                        && matches!(&v.kind, ExprKind::Variable(x) if x == to) =>
                {
                    Test::Labels(labels)
                }
                _ => Test::Row(f),
            })
            .collect();
        let PlanOp::Expand { input: scan, spec } = &plan.op else {
            return None;
        };
        let plain = spec.hops.is_none()
            && !spec.into
            && spec.properties.is_none()
            && spec.dynamic_types.is_empty()
            && spec.type_expr.is_none()
            && spec.unique_with.iter().all(|u| !scan.columns.contains(u));
        let scanned = match &scan.op {
            // The scan's row is its argument's and the scanned node: `run` reads no other.
            PlanOp::AllNodesScan { input, .. } | PlanOp::LabelScan { input, .. } => {
                matches!(input.op, PlanOp::Argument)
                    && scan.columns.len() == input.columns.len() + 1
            }
            _ => false,
        };
        let n = scan.columns.len();
        let cols = &input.columns;
        let shaped = plan.columns == *cols
            && cols.len() == n + 2
            && cols[..n] == scan.columns[..]
            && cols[n] == spec.rel
            && cols[n + 1] == spec.to
            && !scan.columns.contains(&spec.rel)
            && !scan.columns.contains(&spec.to);
        if !(plain && scanned && shaped) {
            return None;
        }
        if !keys.iter().all(|(_, e)| per_node(e, &scan.columns)) {
            return None;
        }
        let mut node_keys: Vec<&str> = Vec::new();
        let mut keys: Vec<Key<'p>> = keys
            .iter()
            .map(|(_, e)| match &e.kind {
                ExprKind::Property(base, key)
                    if matches!(&base.kind, ExprKind::Variable(v) if *v == spec.from) =>
                {
                    let i = node_keys.iter().position(|k| k == key);
                    let i = i.unwrap_or_else(|| {
                        node_keys.push(key);
                        node_keys.len() - 1
                    });
                    Key::Node(i, e, true)
                }
                _ => Key::Row(e),
            })
            .collect();
        // Only the last key reading a batch may take its values.
        let mut seen = Vec::new();
        for key in keys.iter_mut().rev() {
            if let Key::Node(i, _, last) = key {
                *last = !seen.contains(i);
                seen.push(*i);
            }
        }
        let mut rel_keys: Vec<&str> = Vec::new();
        let args: Vec<Vec<Arg<'p>>> = aggs
            .iter()
            .map(|a| {
                a.args
                    .iter()
                    .map(|e| match &e.kind {
                        ExprKind::Property(base, key)
                            if matches!(&base.kind, ExprKind::Variable(v) if *v == spec.rel) =>
                        {
                            let i = rel_keys.iter().position(|k| k == key);
                            Arg::Rel(i.unwrap_or_else(|| {
                                rel_keys.push(key);
                                rel_keys.len() - 1
                            }))
                        }
                        _ => Arg::Row(e),
                    })
                    .collect()
            })
            .collect();
        let row_tests = filters.iter().any(|t| matches!(t, Test::Row(_)));
        let row_args = args.iter().flatten().any(|a| matches!(a, Arg::Row(_)));
        let row_keys = keys.iter().any(|k| matches!(k, Key::Row(_)));
        Some(ExpandGroups {
            row_tests,
            row_keys,
            row_args,
            scan,
            spec,
            types: spec.types.iter().map(String::as_str).collect(),
            cols,
            from: scan.columns.iter().position(|c| *c == spec.from)?,
            filters,
            keys,
            node_keys,
            args,
            rel_keys,
        })
    }

    /// Feeds every row of the input (the scan restricted to `ctx`'s morsel, if any) to
    /// `table`: the groups and updates the row-at-a-time plan gives, in its order. `walk`
    /// is the caller's buffers, kept across runs of this aggregation on one thread (a
    /// parallel worker's morsels) while the graph does not change: the label tests' bitmaps
    /// stay held in it.
    pub(crate) fn run(
        &self,
        ctx: &mut ExecCtx<'_>,
        arg: &Row,
        table: &mut dyn GroupTable,
        walk: &mut Walk,
    ) -> Result<()> {
        // The scan's row is `arg` and the scanned node (checked when fused, `new`; an argument
        // row of another length would be a planner fault); made here only where a filter, a
        // key or an argument reads it.
        if arg.len() + 1 != self.scan.columns.len() {
            return Err(QueryError::new(
                ErrorClass::Unsupported,
                "FusedShape",
                Phase::Runtime,
                "a fused aggregation's scan does not extend its argument row",
            )
            .into());
        }
        // The scanned ids, as the scan gives them (its morsel's, in a parallel worker).
        let morsel = ctx.morsel.as_ref().and_then(|m| m.span_for(self.scan));
        // The node ids the scan covers: its morsel's span, or all of them.
        let span = morsel
            .as_ref()
            .map_or(0..NodeId::MAX, |(_, span)| span.clone());
        let mut scanned = std::mem::take(&mut walk.scanned);
        let out = match (&self.scan.op, morsel) {
            (_, Some((Some(ids), _))) => self.run_ids(ctx, arg, ids, table, walk),
            // A label's nodes (those of the morsel's span: morsels of a label scan are listed
            // today, but a span must not make it read nodes without the label).
            (PlanOp::LabelScan { label, .. }, _) => {
                scanned.clear();
                for id in ctx.read().nodes_with_label(label)? {
                    let id = id?;
                    if span.contains(&id) {
                        scanned.push(id);
                    }
                }
                self.run_ids(ctx, arg, &scanned, table, walk)
            }
            // All nodes: a span of ids at a time, each read (its node blocks) just before its
            // relationships and keys, so the keys' reads of the same blocks find them still
            // held by the image's probation tier (`region_slots.rs`), not read again.
            (_, _) => {
                let bound = ctx.read().node_id_bound()?;
                let mut from = span.start;
                let mut out = Ok(());
                while from < span.end && out.is_ok() {
                    // Past the bound (a hint, `GraphRead::node_id_bound`) the rest in one read.
                    let end = match from < bound {
                        true => from.saturating_add(CHUNK as u64).min(span.end),
                        false => span.end,
                    };
                    scanned.clear();
                    scanned.extend(ctx.read().node_ids_in(from..end)?);
                    out = self.run_ids(ctx, arg, &scanned, table, walk);
                    from = end;
                }
                out
            }
        };
        walk.scanned = scanned;
        out
    }

    /// The scanned nodes `ids`, in order, a chunk at a time.
    fn run_ids(
        &self,
        ctx: &ExecCtx<'_>,
        arg: &Row,
        ids: &[NodeId],
        table: &mut dyn GroupTable,
        walk: &mut Walk,
    ) -> Result<()> {
        for chunk in ids.chunks(CHUNK) {
            ctx.check_limits()?;
            self.run_chunk(ctx, arg, chunk, table, walk)?;
        }
        Ok(())
    }

    /// The scanned nodes of one chunk (`scanned`, the scan's rows `arg` and each), in order.
    /// Label testers are made per chunk (they borrow the graph, which the scan cannot while
    /// it runs), their bitmaps held in `w` across chunks: at L a tester per chunk fetched
    /// most of a label's 500 bitmaps again.
    fn run_chunk(
        &self,
        ctx: &ExecCtx<'_>,
        arg: &Row,
        scanned: &[NodeId],
        table: &mut dyn GroupTable,
        w: &mut Walk,
    ) -> Result<()> {
        let g = ctx.read();
        // Out of `w` while the testers borrow them (the walk below fills `w`'s other buffers).
        let mut bits = std::mem::take(&mut w.bits);
        bits.resize_with(self.filters.len(), Vec::new);
        let mut sets = Vec::with_capacity(self.filters.len());
        for (f, held) in self.filters.iter().zip(bits.iter_mut()) {
            sets.push(match f {
                Test::Labels(labels) => {
                    held.resize_with(labels.len(), HeldBits::default);
                    labels
                        .iter()
                        .zip(held.iter_mut())
                        .map(|(l, h)| g.label_set_held(l, h))
                        .collect::<Result<Vec<_>>>()?
                }
                Test::Row(_) => Vec::new(),
            });
        }
        let n = self.scan.columns.len();
        // The expanded node of each scanned row: the scanned node, or a node of the argument
        // (a null one has no relationships), and the rows' indexes in the chunk.
        w.ids.clear();
        w.at.clear();
        match arg.get(self.from) {
            None => {
                w.ids.extend_from_slice(scanned);
                w.at.extend(0..scanned.len());
            }
            Some(v) => {
                if let Some(id) = node_id(v)? {
                    w.ids.resize(scanned.len(), id);
                    w.at.extend(0..scanned.len());
                }
            }
        }
        // 1. Each node's relationships, filtered on the row the expansion would build; the
        // kept ones of all the chunk's nodes in one list, each node's from its `starts` entry.
        w.kept.clear();
        w.starts.clear();
        let ids = std::mem::take(&mut w.ids);
        let walked = g.edges_each(&ids, self.spec.direction, &self.types, &mut |j, edges| {
            let at = w.at[j];
            // The row is built only for a filter that reads it.
            if self.row_tests {
                scanned_row(&mut w.row, arg, scanned[at]);
            }
            let start = w.kept.len();
            for e in edges {
                w.tick(ctx)?;
                if self.row_tests {
                    set_edge(&mut w.row, n, e);
                }
                if self.passes(ctx, &w.row, e, &mut sets)? {
                    w.kept.push(*e);
                }
            }
            if w.kept.len() > start {
                w.starts.push((at, start));
            }
            Ok(())
        });
        w.ids = ids;
        drop(sets);
        w.bits = bits;
        walked?;
        if w.kept.is_empty() {
            return Ok(());
        }
        // 2. The relationship properties the aggregates read, for the whole chunk in one batch
        // per key (a node's relationships, and the next node's, usually share blocks).
        w.rels.clear();
        w.rels.extend(w.kept.iter().map(|e| e.rel));
        w.props.resize_with(self.rel_keys.len(), Vec::new);
        for (key, values) in self.rel_keys.iter().zip(w.props.iter_mut()) {
            values.clear();
            g.relationship_properties(&w.rels, key, values)?;
        }
        // The grouping keys that are properties of the expanded node, likewise (node blocks
        // walked in scan order).
        if !self.node_keys.is_empty() {
            w.ids.clear();
            for &(at, _) in &w.starts {
                w.ids.push(match arg.get(self.from) {
                    None => scanned[at],
                    Some(v) => node_id(v)?.unwrap_or_default(),
                });
            }
            w.node_props.resize_with(self.node_keys.len(), Vec::new);
            for (key, values) in self.node_keys.iter().zip(w.node_props.iter_mut()) {
                values.clear();
                g.node_properties(&w.ids, key, values)?;
            }
        }
        // 3. Per node, in scan order: its group, then each kept relationship's updates.
        for (k, &(at, start)) in w.starts.iter().enumerate() {
            let end = w.starts.get(k + 1).map_or(w.kept.len(), |&(_, s)| s);
            // A key of an argument's node that is not a reference is evaluated on it too.
            if self.row_keys || self.row_args || arg.get(self.from).is_some() {
                scanned_row(&mut w.row, arg, scanned[at]);
            }
            let from = match arg.get(self.from) {
                Some(v) => v,
                None => &Value::NodeRef(scanned[at]),
            };
            w.kv.clear();
            for key in &self.keys {
                w.kv.push(match (key, from) {
                    (Key::Node(i, _, last), Value::NodeRef(id)) => {
                        let read = w.node_props[*i].get_mut(k);
                        let value = match read {
                            Some(v) if *last => v.take(),
                            Some(v) => v.clone(),
                            None => None,
                        };
                        node_value(ctx, *id, value)?
                    }
                    (Key::Node(_, e, _) | Key::Row(e), _) => {
                        ctx.eval(e, &self.cols[..n], &w.row[..n])?
                    }
                });
            }
            let group = table.group(&w.kv)?;
            for j in start..end {
                let e = &w.kept[j];
                w.ticks = w.ticks.wrapping_add(1);
                tick(ctx, w.ticks)?;
                if self.row_args {
                    set_edge(&mut w.row, n, e);
                }
                for (i, spec) in self.args.iter().enumerate() {
                    w.args.clear();
                    for a in spec {
                        w.args.push(match a {
                            Arg::Rel(k) => rel_value(ctx, e.rel, w.props[*k].get(j))?,
                            Arg::Row(x) => ctx.eval(x, self.cols, &w.row)?,
                        });
                    }
                    table.update(group, i, &w.args)?;
                }
            }
        }
        Ok(())
    }

    /// True when every filter keeps `row` (null and false drop it), as `Filter` decides; a
    /// label test of the far node is answered by its tester (`sets`, one per label).
    fn passes(
        &self,
        ctx: &ExecCtx<'_>,
        row: &Row,
        e: &Edge,
        sets: &mut [Vec<Box<dyn LabelSet + '_>>],
    ) -> Result<bool> {
        for (f, labels) in self.filters.iter().zip(sets.iter_mut()) {
            let value = match f {
                Test::Labels(_) => {
                    let mut all = true;
                    for set in labels.iter_mut() {
                        if !set.contains(e.other)? {
                            all = false;
                            break;
                        }
                    }
                    // As `n:L` does: a node without the labels may be one deleted.
                    if !all && !ctx.read().node_exists(e.other)? {
                        return Err(QueryError::deleted_entity("node", e.other).into());
                    }
                    Value::Bool(all)
                }
                Test::Row(x) => ctx.eval(x, self.cols, row)?,
            };
            if !super::filter::truth(value)? {
                return Ok(false);
            }
        }
        Ok(true)
    }
}

/// Scanned rows handled per chunk: enough that a label's bitmaps are read once for many
/// relationships (at L a chunk of 512 nodes reached most of `Company`'s 300 bitmaps, each
/// fetched again per chunk), few enough that the chunk's rows, kept relationships and their
/// values are little memory (about 1 MB at ten relationships a node).
const CHUNK: usize = 4096;

/// The buffers of a run, reused from node to node, and from run to run by a parallel worker.
#[derive(Default)]
pub(crate) struct Walk {
    /// The row the expansion would make, rewritten in place per relationship.
    row: Row,
    /// The scanned node ids of a span (an all-nodes scan) or of a label.
    scanned: Vec<NodeId>,
    /// The chunk's expanded node ids and, for each, its row's index in the chunk.
    ids: Vec<NodeId>,
    at: Vec<usize>,
    /// The kept relationships of the chunk's nodes, node after node.
    kept: Vec<Edge>,
    /// Per node with kept relationships: its row's index and where its own begin in `kept`.
    starts: Vec<(usize, usize)>,
    kv: Vec<Value>,
    args: Vec<Value>,
    rels: Vec<RelId>,
    /// Per relationship property read, its values for the chunk's kept relationships.
    props: Vec<Vec<Option<Value>>>,
    /// Per node property read, its values for the chunk's nodes with kept relationships.
    node_props: Vec<Vec<Option<Value>>>,
    /// Per filter, per label of a label test, the bitmaps its testers fetched.
    bits: Vec<Vec<HeldBits>>,
    ticks: u32,
}

impl Walk {
    fn tick(&mut self, ctx: &ExecCtx<'_>) -> Result<()> {
        self.ticks = self.ticks.wrapping_add(1);
        tick(ctx, self.ticks)
    }
}

/// `ExecCtx::tick` for a borrowed context: the memory limit every time, the time limit and
/// cancellation every 256th.
fn tick(ctx: &ExecCtx<'_>, ticks: u32) -> Result<()> {
    if ticks & 255 != 0 {
        return crate::memory_budget::check();
    }
    ctx.check_limits()
}

/// `r.key` from a batch read: the value, or null when the relationship has no such
/// property; a relationship that no longer exists is the error `r.key` gives.
fn rel_value(ctx: &ExecCtx<'_>, rel: RelId, read: Option<&Option<Value>>) -> Result<Value> {
    match read {
        Some(Some(v)) => Ok(v.clone()),
        _ if ctx.read().relationship(rel)?.is_none() => {
            Err(QueryError::deleted_entity("relationship", rel).into())
        }
        _ => Ok(Value::Null),
    }
}

/// `a.key` from a batch read, as the evaluator gives it: the value, or null when the node
/// has no such property; a node that no longer exists is the error `a.key` gives.
fn node_value(ctx: &ExecCtx<'_>, id: NodeId, read: Option<Value>) -> Result<Value> {
    match read {
        Some(v) => Ok(v),
        _ if ctx.read().node(id)?.is_none() => Err(QueryError::deleted_entity("node", id).into()),
        _ => Ok(Value::Null),
    }
}

/// Makes `row` the row the expansion starts from for scanned node `id` (`arg` and the node),
/// its relationship and far node null.
fn scanned_row(row: &mut Row, arg: &Row, id: NodeId) {
    row.clear();
    row.extend_from_slice(arg);
    row.extend([Value::NodeRef(id), Value::Null, Value::Null]);
}

/// Puts relationship `e` and its far node into the last two slots of `row` (from `n`).
fn set_edge(row: &mut Row, n: usize, e: &Edge) {
    row[n] = Value::RelRef(e.rel);
    row[n + 1] = Value::NodeRef(e.other);
}

/// True when `e` has one value per scanned row: it reads only the scan's columns, through
/// property accesses, literals and parameters (no function: `rand()` differs per call).
fn per_node(e: &Expr, cols: &[String]) -> bool {
    match &e.kind {
        ExprKind::Variable(v) => cols.contains(v),
        ExprKind::Property(base, _) => per_node(base, cols),
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::String(_)
        | ExprKind::Parameter(_) => true,
        _ => false,
    }
}
