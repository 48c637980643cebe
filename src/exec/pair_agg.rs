//! Grouped aggregation fed by two expansions from nodes of one input row
//! (`MATCH (a)-[:T]->(c)<-[:T]-(b) WHERE a.id < b.id RETURN a.id, b.id, count(*)`): each
//! expansion's relationships are read once per input row and each property the statement
//! reads of `a` or `b` once per relationship of its expansion, not once per pair.
//!
//! Why: row at a time, the inner expansion re-reads its adjacency for every relationship of
//! the outer one, and the filter and then the grouping keys read `a.id` and `b.id` again for
//! every pair: A8 of the analytics bench read four properties per pair for ≈ 10² distinct
//! nodes per company (docs/performance.md, "Co-investor pairs by the relationship").
//!
//! Which plans: an aggregation whose input is filters over a single-hop expansion over
//! filters over another single-hop expansion over any input, both expansions plain (one
//! hop, static types, no property map, nothing bound at the far end), both starting from a
//! node of the input row; every filter, key and aggregate argument built only of variables,
//! literals, parameters, property accesses, operators, function calls and CASE (nothing
//! that binds a variable or runs a nested plan); not profiled.
//!
//! Exactness: the pairs are visited in the row-at-a-time order (outer relationships in
//! order, then the inner ones in order), filters, keys and arguments evaluated in the same
//! order, so groups, their order and every aggregate's input sequence are the serial run's.
//! A property `v.key` of a variable of the input row or of either expansion is read once
//! per input row or relationship, with the very expression, before the pairs that use it;
//! nothing writes while one input row is expanded, so the value is the one each pair would
//! read. A read that fails is not an error there: every pair touching it evaluates the
//! original expressions on the full row instead, which fail where the serial run fails.

mod compile;
pub(crate) mod shares;

use crate::ast::Expr;
use crate::error::Result;
use crate::exec::expand::Step;
use crate::exec::expand_agg::GroupTable;
use crate::exec::{build, node_id, ExecCtx, Row};
use crate::plan::{AggSpec, ExpandSpec, LogicalPlan, PlanOp};
use crate::store::Edge;
use crate::value::Value;

use compile::{Compiled, Of, Read, Reads};

/// The fused form of an aggregation's input, when it has the shape the module docs name.
pub(crate) struct PairGroups<'p> {
    input: &'p LogicalPlan,
    /// The first expansion (binds `b`) and the second (binds `a`).
    outer: &'p ExpandSpec,
    inner: &'p ExpandSpec,
    outer_types: Vec<&'p str>,
    inner_types: Vec<&'p str>,
    /// The input's columns, the four the expansions bind, then one per remembered read.
    cols: Vec<String>,
    /// Columns of the input row.
    n: usize,
    /// The inner relationship must differ from the outer one (relationship isomorphism).
    distinct_rels: bool,
    reads: Reads<'p>,
    /// Filters between the expansions (per outer relationship), innermost first.
    mid: Vec<Compiled<'p>>,
    /// Filters above the inner expansion (per pair), innermost first.
    filters: Vec<Compiled<'p>>,
    keys: Vec<Compiled<'p>>,
    args: Vec<Vec<Compiled<'p>>>,
    /// Every filter, key and argument gives the same value on the same row
    /// (`compile::deterministic`): several threads may walk the pairs (`shares.rs`).
    pub deterministic: bool,
}

/// A single-hop expansion the fused path can take over.
fn plain(spec: &ExpandSpec) -> bool {
    spec.hops.is_none()
        && !spec.into
        && spec.properties.is_none()
        && spec.dynamic_types.is_empty()
        && spec.type_expr.is_none()
}

impl<'p> PairGroups<'p> {
    /// The fused form of `input` under grouping `keys` and `aggs`, or `None` when the plan
    /// has another shape.
    pub(crate) fn of(
        input: &'p LogicalPlan,
        keys: &'p [(String, Expr)],
        aggs: &'p [AggSpec],
    ) -> Option<Self> {
        let (filters, upper) = super::expand_agg::under_filters(input);
        let PlanOp::Expand {
            input: middle,
            spec: inner,
        } = &upper.op
        else {
            return None;
        };
        let (mid, lower) = super::expand_agg::under_filters(middle);
        let PlanOp::Expand {
            input: below,
            spec: outer,
        } = &lower.op
        else {
            return None;
        };
        if !(plain(outer) && plain(inner)) {
            return None;
        }
        let pc = &below.columns;
        let n = pc.len();
        let bound = [&outer.rel, &outer.to, &inner.rel, &inner.to];
        let mut names: Vec<&String> = pc.iter().chain(bound).collect();
        names.sort();
        names.dedup();
        let shaped = names.len() == n + 4
            && middle.columns.len() == n + 2
            && middle
                .columns
                .iter()
                .eq(pc.iter().chain(bound[..2].iter().copied()))
            && input.columns.len() == n + 4
            && input.columns.iter().eq(pc.iter().chain(bound))
            && upper.columns == input.columns
            && pc.contains(&outer.from)
            && pc.contains(&inner.from)
            && outer.unique_with.iter().all(|u| *u != inner.rel);
        if !shaped {
            return None;
        }
        let mut cols: Vec<String> = input.columns.clone();
        let of = |v: &str| {
            if pc.iter().any(|c| c == v) {
                Some(Of::Input)
            } else if v == outer.rel || v == outer.to {
                Some(Of::Outer)
            } else if v == inner.rel || v == inner.to {
                Some(Of::Inner)
            } else {
                None
            }
        };
        let all: Vec<&Expr> = filters
            .iter()
            .chain(&mid)
            .copied()
            .chain(keys.iter().map(|(_, e)| e))
            .chain(aggs.iter().flat_map(|a| &a.args))
            .collect();
        let deterministic = all.iter().all(|e| compile::deterministic(e));
        let mut reads = Reads::of(&all, &of, &mut cols)?;
        let mut compile = |e: &'p Expr| Compiled::of(e, &mut reads, &cols);
        let mid: Vec<Compiled> = mid.into_iter().map(&mut compile).collect();
        let filters = filters.into_iter().map(&mut compile).collect();
        let keys = keys.iter().map(|(_, e)| compile(e)).collect();
        let args = aggs
            .iter()
            .map(|a| a.args.iter().map(&mut compile).collect())
            .collect();
        // The planner puts a filter between the expansions only when it reads nothing the
        // inner one binds; checked, since such a filter runs before they are bound.
        if mid.iter().any(|m| m.mentions(&[&inner.rel, &inner.to])) {
            return None;
        }
        Some(PairGroups {
            input: below,
            outer,
            inner,
            outer_types: outer.types.iter().map(String::as_str).collect(),
            inner_types: inner.types.iter().map(String::as_str).collect(),
            n,
            distinct_rels: inner.unique_with.contains(&outer.rel),
            mid,
            filters,
            keys,
            args,
            reads,
            cols,
            deterministic,
        })
    }

    /// Feeds every pair of every input row to `table`: the groups and updates the
    /// row-at-a-time plan gives, in its order. Generic, not `dyn`: the table's calls, made
    /// once or more per pair, are inlined (through `dyn` A8 took ≈ 12 % more CPU).
    pub(crate) fn run<T: GroupTable>(
        &self,
        ctx: &mut ExecCtx<'_>,
        arg: &Row,
        table: &mut T,
    ) -> Result<()> {
        let mut input = build(self.input, arg, false)?;
        let (outer, inner, mut w) = self.walker()?;
        while let Some(p) = input.next(ctx)? {
            for (slot, v) in w.row.iter_mut().zip(p) {
                *slot = v;
            }
            self.run_row(ctx, &outer, &inner, table, &mut w)?;
        }
        Ok(())
    }

    /// The input rows (what [`PairGroups::run_rows`] takes): all of them, or those before
    /// the input failed and its error, which the serial run meets after their pairs.
    pub(crate) fn input_rows(
        &self,
        ctx: &mut ExecCtx<'_>,
        arg: &Row,
    ) -> Result<(Vec<Row>, Option<crate::error::Error>)> {
        let mut input = build(self.input, arg, false)?;
        let mut rows = Vec::new();
        loop {
            match input.next(ctx).and_then(|p| ctx.tick().map(|()| p)) {
                Ok(Some(p)) => rows.push(p),
                Ok(None) => return Ok((rows, None)),
                Err(e) => return Ok((rows, Some(e))),
            }
        }
    }

    /// As [`PairGroups::run`], over input rows read before.
    pub(crate) fn run_rows<T: GroupTable>(
        &self,
        ctx: &ExecCtx<'_>,
        rows: &[Row],
        table: &mut T,
    ) -> Result<()> {
        let (outer, inner, mut w) = self.walker()?;
        for p in rows {
            w.row[..self.n].clone_from_slice(p.get(..self.n).unwrap_or_default());
            self.run_row(ctx, &outer, &inner, table, &mut w)?;
        }
        Ok(())
    }

    /// The number of pairs of `rows` before relationship isomorphism and the filters (the
    /// product of the two expansions' degrees per row), estimated from the first `sample`
    /// rows.
    pub(crate) fn pairs_about(&self, ctx: &ExecCtx<'_>, rows: &[Row], sample: usize) -> u64 {
        let slot = |v: &str| self.cols[..self.n].iter().position(|c| c == v);
        let (Some(o), Some(i)) = (slot(&self.outer.from), slot(&self.inner.from)) else {
            return 0;
        };
        let g = ctx.read();
        let mut pairs: u64 = 0;
        let seen = rows.len().min(sample);
        for row in &rows[..seen] {
            // A row the serial run fails on counts nothing here: the run meets it.
            let id = |k: usize| row.get(k).and_then(|v| node_id(v).ok().flatten());
            let (Some(a), Some(b)) = (id(o), id(i)) else {
                continue;
            };
            let degree = |n, spec: &ExpandSpec, types| g.degree(n, spec.direction, types).ok();
            let (Some(da), Some(db)) = (
                degree(a, self.outer, &self.outer_types),
                degree(b, self.inner, &self.inner_types),
            ) else {
                continue;
            };
            pairs = pairs.saturating_add(da.saturating_mul(db));
        }
        match seen {
            0 => 0,
            _ => pairs.saturating_mul(rows.len() as u64) / seen as u64,
        }
    }

    /// The expansions' steps and the buffers of a run.
    fn walker(&self) -> Result<(Step<'_>, Step<'_>, Walk)> {
        // The steps check relationship isomorphism against the input row's relationships.
        let outer = Step::new(self.outer, &self.cols[..self.n])?;
        let inner = Step::new(self.inner, &self.cols[..self.n])?;
        let w = Walk {
            row: vec![Value::Null; self.cols.len()],
            ..Walk::default()
        };
        Ok((outer, inner, w))
    }

    /// The pairs of the input row in `w.row`.
    fn run_row<T: GroupTable>(
        &self,
        ctx: &ExecCtx<'_>,
        outer: &Step<'_>,
        inner: &Step<'_>,
        table: &mut T,
        w: &mut Walk,
    ) -> Result<()> {
        let n = self.n;
        let Some(from) = node_id(&w.row[outer.from])? else {
            return Ok(());
        };
        let g = ctx.read();
        let bs = g.edges(from, self.outer.direction, &self.outer_types)?;
        if bs.is_empty() {
            return Ok(());
        }
        self.reads
            .read(ctx, &self.cols, Of::Input, &mut w.row, &mut w.input);
        w.inner_read = false;
        for b in bs {
            w.tick(ctx)?;
            if outer.used(&w.row, b.rel) {
                continue;
            }
            w.row[n] = Value::RelRef(b.rel);
            w.row[n + 1] = Value::NodeRef(b.other);
            self.reads
                .read(ctx, &self.cols, Of::Outer, &mut w.row, &mut w.outer);
            if !self.all(ctx, &self.mid, w, true)? {
                continue;
            }
            if !w.inner_read {
                self.read_inner(ctx, inner, w)?;
            }
            for j in 0..w.inner.len() {
                let a = w.inner[j];
                w.tick(ctx)?;
                if self.distinct_rels && a.rel == b.rel {
                    continue;
                }
                w.row[n + 2] = Value::RelRef(a.rel);
                w.row[n + 3] = Value::NodeRef(a.other);
                w.at = j;
                self.reads.place(Of::Inner, &mut w.row, &w.inner_vals, j);
                self.pair(ctx, table, w)?;
            }
        }
        Ok(())
    }

    /// The inner expansion's relationships for the current input row (as the row-at-a-time
    /// expansion reads them for its first row) and their remembered reads.
    fn read_inner(&self, ctx: &ExecCtx<'_>, inner: &Step<'_>, w: &mut Walk) -> Result<()> {
        w.inner_read = true;
        w.inner.clear();
        w.inner_vals.clear();
        let Some(from) = node_id(&w.row[inner.from])? else {
            return Ok(());
        };
        let g = ctx.read();
        let edges = g.edges(from, self.inner.direction, &self.inner_types)?;
        let n = self.n;
        for e in edges {
            if inner.used(&w.row, e.rel) {
                continue;
            }
            w.row[n + 2] = Value::RelRef(e.rel);
            w.row[n + 3] = Value::NodeRef(e.other);
            self.reads
                .read(ctx, &self.cols, Of::Inner, &mut w.row, &mut w.one);
            w.inner_vals.append(&mut w.one);
            w.inner.push(e);
        }
        Ok(())
    }

    /// One pair, in `w.row`: the filters, then its group and its aggregates' updates.
    fn pair<T: GroupTable>(&self, ctx: &ExecCtx<'_>, table: &mut T, w: &mut Walk) -> Result<()> {
        if !self.all(ctx, &self.filters, w, false)? {
            return Ok(());
        }
        w.kv.clear();
        for k in &self.keys {
            let v = self.value(ctx, k, w, false)?;
            w.kv.push(v);
        }
        let group = table.group(&w.kv)?;
        for (i, spec) in self.args.iter().enumerate() {
            w.args.clear();
            for a in spec {
                let v = self.value(ctx, a, w, false)?;
                w.args.push(v);
            }
            table.update(group, i, &w.args)?;
        }
        Ok(())
    }

    /// True when every filter in `tests` keeps the row, as `Filter` decides. Inlined, as
    /// is `value`: called per pair, from the run's two instances (one per kind of table).
    #[inline(always)]
    fn all(
        &self,
        ctx: &ExecCtx<'_>,
        tests: &[Compiled<'_>],
        w: &Walk,
        outer_only: bool,
    ) -> Result<bool> {
        for t in tests {
            if !super::filter::truth(self.value(ctx, t, w, outer_only)?)? {
                return Ok(false);
            }
        }
        Ok(true)
    }

    /// `c`'s value for the current pair (or outer relationship when `outer_only`): from the
    /// remembered reads when they all succeeded, else the original expression on the row.
    #[inline(always)]
    fn value(
        &self,
        ctx: &ExecCtx<'_>,
        c: &Compiled<'_>,
        w: &Walk,
        outer_only: bool,
    ) -> Result<Value> {
        let inner = if outer_only {
            None
        } else {
            Some(self.reads.slice(Of::Inner, &w.inner_vals, w.at))
        };
        let got = Read {
            input: &w.input,
            outer: &w.outer,
            inner: inner.unwrap_or(&[]),
        };
        c.value(ctx, &self.cols, &w.row, &got)
    }
}

/// The buffers of a run, reused from row to row.
#[derive(Default)]
struct Walk {
    /// The input row, the four values the expansions bind, the remembered reads.
    row: Row,
    /// The remembered reads of the input row and of the current outer relationship (`None`:
    /// the read failed).
    input: Vec<Option<Value>>,
    outer: Vec<Option<Value>>,
    /// The inner expansion's relationships for the current input row, read yet, and their
    /// reads (`Reads::count(Of::Inner)` per relationship).
    inner: Vec<Edge>,
    inner_read: bool,
    inner_vals: Vec<Option<Value>>,
    one: Vec<Option<Value>>,
    /// The inner relationship of the current pair.
    at: usize,
    kv: Vec<Value>,
    args: Vec<Value>,
    ticks: u32,
}

impl Walk {
    /// `ExecCtx::tick` for a borrowed context: the memory limit every time, the time limit
    /// and cancellation every 256th.
    fn tick(&mut self, ctx: &ExecCtx<'_>) -> Result<()> {
        self.ticks = self.ticks.wrapping_add(1);
        if self.ticks & 255 != 0 {
            return crate::memory_budget::check();
        }
        ctx.check_limits()
    }
}
