//! Counting operators planned by `plan::counts`: per-node degrees grouped by keys of the node
//! (`DegreeGroup`) and node counts from counters (`CountNodes`).

use std::cmp::Ordering;

use crate::ast::{Expr, ExprKind};
use crate::error::Result;
use crate::exec::limit::eval_count;
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::hash::FxHashMap;
use crate::model::Direction;
use crate::plan::{LogicalPlan, PlanOp};
use crate::value::{order, GroupKey, Value};

/// How one grouping key is computed for a node.
enum KeySource<'p> {
    /// The node itself.
    Node,
    /// `n.key`, read by the store's degree scan (index into the prefetched keys).
    Prefetched(usize),
    /// Anything else: evaluated with the node bound.
    Eval(&'p Expr),
}

/// The groups seen so far. Single integer keys (the common case) are collected in arrival
/// order and grouped by sorting in `resolve` (a hash table of 100k+ groups costs a cache miss
/// per node); any other key switches to a `GroupKey` table. Groups keep first-seen order;
/// `counts[g]` is group g's degree sum.
#[derive(Default)]
struct Groups {
    /// (key, degree) of single-integer keys not yet grouped.
    pending: Vec<(i64, i64)>,
    /// Integer keys of the groups while `any` is `None`.
    int_keys: Vec<i64>,
    /// Some once a key that is not a single integer was seen.
    any: Option<FxHashMap<GroupKey, u32>>,
    /// Key values, `width` per group, once `any` is `Some`.
    keys: Vec<Value>,
    counts: Vec<i64>,
}

impl Groups {
    fn add(&mut self, kv: &[Value], d: i64) {
        if let ([Value::Int(i)], None) = (kv, &self.any) {
            self.pending.push((*i, d));
            return;
        }
        if self.any.is_none() {
            self.resolve();
            let mut m = FxHashMap::default();
            for (g, i) in std::mem::take(&mut self.int_keys).into_iter().enumerate() {
                m.insert(GroupKey::new(&Value::Int(i)), g as u32);
                self.keys.push(Value::Int(i));
            }
            self.any = Some(m);
        }
        let next = self.counts.len() as u32;
        let Some(any) = self.any.as_mut() else { return };
        let g = *any.entry(crate::exec::project::row_key(kv)).or_insert(next);
        if g == next {
            self.keys.extend_from_slice(kv);
            self.counts.push(d);
        } else {
            let c = &mut self.counts[g as usize];
            *c = c.saturating_add(d);
        }
    }

    /// Groups the pending integer keys (appended after the existing integer groups, which
    /// exist only when nothing is pending, so first-seen order holds).
    fn resolve(&mut self) {
        let mut pending = std::mem::take(&mut self.pending);
        if pending.windows(2).all(|w| w[0].0 < w[1].0) {
            // Already one group per entry, in order.
        } else if let Some((lo, width)) = dense_span(&pending) {
            merge_dense(&mut pending, lo, width);
        } else {
            merge_sorted(&mut pending);
        }
        self.int_keys.reserve(pending.len());
        self.counts.reserve(pending.len());
        for (k, d) in pending.into_iter().filter(|&(_, d)| d > 0) {
            self.int_keys.push(k);
            self.counts.push(d);
        }
    }

    /// Compares groups `a` and `b` on output column `slot` (keys first, then the counts, which
    /// all hold the group's degree sum).
    fn cmp_slot(&self, a: usize, b: usize, slot: usize, width: usize) -> Ordering {
        if slot >= width {
            return self.counts[a].cmp(&self.counts[b]);
        }
        match &self.any {
            None => self.int_keys[a].cmp(&self.int_keys[b]),
            Some(_) => order(&self.keys[a * width + slot], &self.keys[b * width + slot]),
        }
    }

    /// The indexes, ascending, of the `k` groups an ORDER BY on output columns `slots` would
    /// put first. Ties go to the earlier group, as a stable sort of the emitted rows would, so
    /// the rows kept are exactly those a full sort would keep.
    fn best(&self, slots: &[(usize, bool)], width: usize, k: usize) -> Vec<usize> {
        let cmp = |a: &usize, b: &usize| {
            for &(slot, desc) in slots {
                let o = self.cmp_slot(*a, *b, slot, width);
                let o = if desc { o.reverse() } else { o };
                if o != Ordering::Equal {
                    return o;
                }
            }
            a.cmp(b)
        };
        let n = self.counts.len();
        if k >= n {
            return (0..n).collect();
        }
        if k == 0 {
            return Vec::new();
        }
        // Candidates in group order; every 2k of them the best k are kept and the worst kept
        // one becomes the bar a later group must beat (most fail on the first key).
        let cut = 2 * k.max(64);
        let mut kept: Vec<usize> = Vec::with_capacity(cut);
        let mut bar: Option<usize> = None;
        for g in 0..n {
            if bar.is_some_and(|b| cmp(&g, &b) != Ordering::Less) {
                continue;
            }
            kept.push(g);
            if kept.len() >= cut {
                kept.select_nth_unstable_by(k - 1, cmp);
                kept.truncate(k);
                bar = kept.iter().copied().max_by(cmp);
            }
        }
        if kept.len() > k {
            kept.select_nth_unstable_by(k - 1, cmp);
            kept.truncate(k);
        }
        kept.sort_unstable();
        kept
    }

    /// Group `g`'s key values, in a row with room for `extra` more columns.
    fn key_values(&self, g: usize, width: usize, extra: usize) -> Vec<Value> {
        let mut row = Vec::with_capacity(width + extra);
        match (&self.any, self.int_keys.get(g)) {
            (None, Some(i)) => row.push(Value::Int(*i)),
            _ => row.extend_from_slice(&self.keys[g * width..(g + 1) * width]),
        }
        row
    }
}

/// Moves the degrees of every key's later arrivals onto its first arrival (summed in arrival
/// order) and sets theirs to 0 (degrees are positive, so those entries are dropped after).
///
/// Arrival positions by key (a stable sort: arrival order usually holds a few ascending runs,
/// one per label, which it merges in near-linear time); each key's first arrival takes the
/// run's sum.
fn merge_sorted(pending: &mut [(i64, i64)]) {
    let mut by_key: Vec<u32> = (0..pending.len() as u32).collect();
    by_key.sort_by_key(|&i| pending[i as usize].0);
    let mut head: Option<usize> = None;
    for i in by_key {
        let i = i as usize;
        match head {
            Some(h) if pending[h].0 == pending[i].0 => {
                let (hd, d) = (pending[h].1, pending[i].1);
                pending[h].1 = i64::saturating_add(hd, d);
                pending[i].1 = 0;
            }
            _ => head = Some(i),
        }
    }
}

/// [`merge_sorted`] in linear time for keys within a span not much wider than their number
/// (ids, usually; see [`dense_span`]): each key's first arrival is found by its offset in the
/// span. The sort was a sixth of W7's time at bench scale M (ids repeat across labels).
fn merge_dense(pending: &mut [(i64, i64)], lo: i64, width: usize) {
    let mut first = vec![u32::MAX; width];
    for i in 0..pending.len() {
        let (k, d) = pending[i];
        // In the span by `dense_span`'s construction; a key outside it would be a bug, and
        // is then kept as its own group rather than panicking.
        let Some(slot) = first.get_mut(k.abs_diff(lo) as usize) else {
            continue;
        };
        match *slot {
            u32::MAX => *slot = i as u32,
            h => {
                let h = &mut pending[h as usize].1;
                *h = i64::saturating_add(*h, d);
                pending[i].1 = 0;
            }
        }
    }
}

/// (smallest key, span width) of the pending keys when the span is narrow enough for a table
/// of one `u32` per key value: at most twice the entries plus a little (so the table costs at
/// most half what `pending` does), and fewer entries than `u32::MAX` (the table's "none").
fn dense_span(pending: &[(i64, i64)]) -> Option<(i64, usize)> {
    let lo = pending.iter().map(|p| p.0).min()?;
    let hi = pending.iter().map(|p| p.0).max()?;
    let width = usize::try_from(hi.abs_diff(lo)).ok()?.checked_add(1)?;
    let n = pending.len();
    (n < u32::MAX as usize && width <= n.saturating_mul(2).saturating_add(1024))
        .then_some((lo, width))
}

pub struct DegreeGroup<'p> {
    input: BoxOp<'p>,
    label: Option<&'p str>,
    types: Vec<&'p str>,
    direction: Direction,
    keys: Vec<KeySource<'p>>,
    prefetch: Vec<&'p str>,
    counts: usize,
    /// The input's columns plus the node variable: the scope of `Eval` keys.
    scope: Vec<String>,
    /// Set when a top-k sits right above on output columns: then only the groups that can
    /// make the limit become rows.
    top: Option<TopHint<'p>>,
    /// The current input row's groups, the groups to emit (None: all) and the next position.
    out: Option<(Groups, Option<Vec<usize>>, usize)>,
}

/// ORDER BY on output columns ((column, descending) per key) plus LIMIT, from the `Top`
/// operator that consumes the groups.
pub struct TopHint<'p> {
    pub slots: Vec<(usize, bool)>,
    pub limit: &'p Expr,
}

impl<'p> DegreeGroup<'p> {
    pub fn new(
        plan: &'p LogicalPlan,
        cols: &'p [String],
        input: BoxOp<'p>,
        top: Option<TopHint<'p>>,
    ) -> Result<Self> {
        let PlanOp::DegreeGroup {
            var,
            label,
            types,
            direction,
            keys,
            counts,
            ..
        } = &plan.op
        else {
            unreachable!("built for DegreeGroup only")
        };
        let mut prefetch = Vec::new();
        let keys = keys
            .iter()
            .map(|(_, e)| match &e.kind {
                ExprKind::Variable(v) if v == var => KeySource::Node,
                ExprKind::Property(base, key)
                    if matches!(&base.kind, ExprKind::Variable(v) if v == var) =>
                {
                    prefetch.push(key.as_str());
                    KeySource::Prefetched(prefetch.len() - 1)
                }
                _ => KeySource::Eval(e),
            })
            .collect();
        let mut scope = cols.to_vec();
        scope.push(var.clone());
        Ok(DegreeGroup {
            input,
            label: label.as_deref(),
            types: types.iter().map(String::as_str).collect(),
            direction: *direction,
            keys,
            prefetch,
            counts: *counts,
            scope,
            top,
            out: None,
        })
    }

    /// The groups for one input row (rows are built one at a time when emitted).
    fn groups(&self, ctx: &ExecCtx<'_>, row: &Row) -> Result<Groups> {
        let g = ctx.read();
        let mut groups = Groups::default();
        if let [KeySource::Prefetched(_)] = self.keys.as_slice() {
            // Room for one entry per node (bounded), instead of growing by copies.
            let expected = g.count_nodes(self.label)?.min(1 << 24);
            groups.pending.reserve(expected as usize);
        }
        if self.keys.is_empty() {
            groups.counts.push(0);
        }
        let mut scope_row = row.clone();
        scope_row.push(Value::Null);
        let mut kv = Vec::with_capacity(self.keys.len());
        let mut seen = 0u32;
        // `n.key` alone: an integer goes straight to `pending`, as `Groups::add` would put it,
        // without building the key row (a clone and a match per node in the profile).
        let single = matches!(self.keys.as_slice(), [KeySource::Prefetched(0)]);
        let mut visit = |node, d, values: &[Value]| -> Result<()> {
            seen = seen.wrapping_add(1);
            if seen.is_multiple_of(4096) {
                ctx.check_limits()?;
            }
            let d = i64::try_from(d).unwrap_or(i64::MAX);
            if let (true, None, Some(Value::Int(i))) = (single, &groups.any, values.first()) {
                groups.pending.push((*i, d));
                return Ok(());
            }
            if self.keys.is_empty() {
                groups.counts[0] = groups.counts[0].saturating_add(d);
                return Ok(());
            }
            kv.clear();
            for k in &self.keys {
                kv.push(match k {
                    KeySource::Node => Value::NodeRef(node),
                    KeySource::Prefetched(j) => values[*j].clone(),
                    KeySource::Eval(e) => {
                        if let Some(last) = scope_row.last_mut() {
                            *last = Value::NodeRef(node);
                        }
                        ctx.eval(e, &self.scope, &scope_row)?
                    }
                });
            }
            groups.add(&kv, d);
            Ok(())
        };
        g.for_each_degree(
            self.label,
            self.direction,
            &self.types,
            &self.prefetch,
            &mut visit,
        )?;
        if groups.any.is_none() {
            groups.resolve();
        }
        Ok(groups)
    }
}

impl Operator for DegreeGroup<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some((groups, chosen, next)) = &mut self.out {
                let g = match chosen {
                    Some(list) => list.get(*next).copied(),
                    None => Some(*next),
                };
                if let Some((g, &d)) = g.and_then(|g| Some((g, groups.counts.get(g)?))) {
                    let width = self.keys.len();
                    let mut row = groups.key_values(g, width, self.counts);
                    row.extend(std::iter::repeat_n(Value::Int(d), self.counts));
                    *next += 1;
                    return Ok(Some(row));
                }
            }
            let Some(row) = self.input.next(ctx)? else {
                return Ok(None);
            };
            let groups = self.groups(ctx, &row)?;
            let chosen = match &self.top {
                Some(top) => {
                    let k = eval_count(ctx, top.limit)?;
                    let k = usize::try_from(k).unwrap_or(usize::MAX);
                    Some(groups.best(&top.slots, self.keys.len(), k))
                }
                None => None,
            };
            self.out = Some((groups, chosen, 0));
        }
    }
}

/// One row per input row: the number of nodes (with the label), once per count column.
pub struct CountNodes<'p> {
    pub input: BoxOp<'p>,
    pub label: Option<&'p str>,
    pub width: usize,
}

impl Operator for CountNodes<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        if self.input.next(ctx)?.is_none() {
            return Ok(None);
        }
        let n = ctx.read().count_nodes(self.label)?;
        let n = Value::Int(i64::try_from(n).unwrap_or(i64::MAX));
        Ok(Some(vec![n; self.width]))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table and the sort merge pending keys alike, and `resolve` groups as a plain
    /// first-seen map does: dense and sparse keys, repeats, extreme values, saturation.
    #[test]
    fn pending_keys_group_alike() {
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = |n: u64| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x % n
        };
        for round in 0..200 {
            let n = 1 + next(300) as usize;
            let pending: Vec<(i64, i64)> = (0..n)
                .map(|_| {
                    let k = match round % 4 {
                        0 => next(50) as i64 - 25,
                        1 => (next(40) * 1_000_003) as i64,
                        2 => [i64::MIN, i64::MAX, 0, -1][next(4) as usize],
                        _ => next(n as u64 * 3) as i64,
                    };
                    let d = if next(9) == 0 {
                        i64::MAX - 3
                    } else {
                        1 + next(20) as i64
                    };
                    (k, d)
                })
                .collect();
            // The reference: a first-seen map.
            let mut order: Vec<i64> = Vec::new();
            let mut sums: FxHashMap<i64, i64> = FxHashMap::default();
            for &(k, d) in &pending {
                let s = sums.entry(k).or_insert_with(|| {
                    order.push(k);
                    0
                });
                *s = s.saturating_add(d);
            }
            let want: Vec<(i64, i64)> = order.iter().map(|k| (*k, sums[k])).collect();
            let mut sorted = pending.clone();
            merge_sorted(&mut sorted);
            if let Some((lo, width)) = dense_span(&pending) {
                let mut dense = pending.clone();
                merge_dense(&mut dense, lo, width);
                assert_eq!(dense, sorted, "round {round}");
            } else {
                assert!(round % 4 != 0, "small keys are dense");
            }
            let mut g = Groups {
                pending,
                ..Groups::default()
            };
            g.resolve();
            let got: Vec<(i64, i64)> = g.int_keys.iter().copied().zip(g.counts).collect();
            assert_eq!(got, want, "round {round}");
        }
    }
}
