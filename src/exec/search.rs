//! `PathSearch`: quantified path patterns and the selective path selectors (`SHORTEST k`,
//! `ANY k`, `SHORTEST k GROUPS`), by a breadth-first search over partial trails from a bound
//! start node, one level (path length) at a time.
//!
//! A partial trail is an arena entry pointing at its parent, so a level costs one entry per
//! partial trail and matches come out in ascending length, which is the order the selectors
//! select in. Without a selector every match is emitted (a quantified path pattern in an
//! ordinary MATCH). The common selective case, one shortest path (or all of them) over a
//! single quantified relationship, runs as a node-level BFS instead (`shortest_by_nodes`):
//! a shortest walk never repeats a relationship, so it is also the shortest trail.

use std::collections::{HashMap, VecDeque};
use std::rc::Rc;

use crate::ast::PathSelector;
use crate::error::ErrorClass;
use crate::error::Result;
use crate::exec::{node_id, runtime, slot, BoxOp, ExecCtx, Operator, Row};
use crate::model::{Direction, NodeId, RelId};
use crate::plan::{PathSearchSpec, Segment, SegmentSlot};
use crate::value::{PathRef, Value};

/// The most partial trails one search may hold (about 32 bytes each): beyond it the search
/// stops with an error rather than exhaust memory.
pub const MAX_PARTIAL_PATHS: usize = 20_000_000;

const NONE: u32 = u32::MAX;

pub struct PathSearch<'p> {
    spec: &'p PathSearchSpec,
    input: BoxOp<'p>,
    /// Input columns then output columns: the scope of the match predicate.
    out_cols: Vec<String>,
    /// The segments in search order (reversed when the spec is).
    segs: Vec<Segment>,
    /// Per search segment: the input columns, then its node and relationship names.
    iter_cols: Vec<Vec<String>>,
    from: usize,
    to: Option<usize>,
    unique: Vec<usize>,
    search: Option<Search>,
    ready: VecDeque<Row>,
    /// The distances to the last bound end node searched into (rows often share it).
    to_end_cache: Option<(NodeId, Rc<HashMap<NodeId, usize>>)>,
}

/// A partial trail: the relationship it ends with and where that leaves the pattern.
#[derive(Clone, Copy)]
struct Entry {
    parent: u32,
    rel: RelId,
    node: NodeId,
    /// The search segment the relationship was matched in.
    seg: u32,
}

/// A partial trail ready to take its next relationship.
#[derive(Clone, Copy)]
struct Config {
    entry: u32,
    node: NodeId,
    seg: usize,
    /// Iterations of `seg` completed before the current one.
    iter: u64,
    /// Relationships of the current iteration matched so far.
    pos: usize,
}

impl Config {
    /// The empty trail at the start node.
    fn start(node: NodeId) -> Self {
        Config {
            entry: NONE,
            node,
            seg: 0,
            iter: 0,
            pos: 0,
        }
    }
}

/// Selection state of one (start, end) partition.
#[derive(Default)]
struct Partition {
    paths: u64,
    groups: u64,
    last_len: Option<usize>,
}

struct Search {
    row: Row,
    start: NodeId,
    end: Option<NodeId>,
    arena: Vec<Entry>,
    frontier: Vec<Config>,
    partitions: HashMap<NodeId, Partition>,
    /// Set once the node-level shortest search has run for this row.
    by_nodes_done: bool,
    /// Relationships in each partial trail of the frontier.
    depth: usize,
    /// Searching into a bound end node under a selector: rounds of growing length bound.
    deepen: Option<Deepening>,
}

/// Iterative deepening towards a bound end node: round `bound` follows only partial trails that
/// can still reach the end within `bound` relationships (by the end's BFS distances over every
/// relationship the pattern could take, a lower bound) and accepts matches of exactly that
/// length, so each length is selected in its own round and in ascending order.
struct Deepening {
    /// Distance to the end node, ignoring the pattern's order of steps and the trail rule.
    to_end: Rc<HashMap<NodeId, usize>>,
    bound: usize,
    /// A partial trail was cut by the bound in this round (a longer match may exist).
    cut: bool,
}

impl<'p> PathSearch<'p> {
    pub fn new(spec: &'p PathSearchSpec, cols: &'p [String], input: BoxOp<'p>) -> Result<Self> {
        let segs: Vec<Segment> = if spec.reversed {
            spec.segments.iter().rev().map(reverse_segment).collect()
        } else {
            spec.segments.clone()
        };
        let iter_cols = segs
            .iter()
            .map(|s| {
                let mut c = cols.to_vec();
                c.extend(s.nodes.iter().cloned());
                c.extend(s.rels.iter().map(|r| r.var.clone()));
                c
            })
            .collect();
        let mut out_cols = cols.to_vec();
        out_cols.extend(spec.output_columns());
        Ok(PathSearch {
            spec,
            input,
            out_cols,
            segs,
            iter_cols,
            from: slot(cols, &spec.from)?,
            to: if spec.into {
                Some(slot(cols, &spec.to)?)
            } else {
                None
            },
            unique: spec
                .unique_with
                .iter()
                .filter_map(|u| cols.iter().position(|c| c == u))
                .collect(),
            search: None,
            ready: VecDeque::new(),
            to_end_cache: None,
        })
    }

    /// One shortest path (or all) over one quantified relationship, without a match-wide
    /// predicate: answered by a BFS over nodes.
    fn by_nodes(&self) -> Option<bool> {
        let all = match self.spec.selector? {
            PathSelector::Shortest(1) | PathSelector::Any(1) => false,
            PathSelector::ShortestGroups(1) => true,
            _ => return None,
        };
        let [seg] = self.segs.as_slice() else {
            return None;
        };
        let simple = seg.group
            && seg.rels.len() == 1
            && seg.min <= 1
            && self.spec.predicate.is_none()
            && self.unique.is_empty()
            && !self.spec.reversed;
        simple.then_some(all)
    }

    /// True when `rel` is on the trail ending at `entry` or bound elsewhere in the match.
    fn used(&self, s: &Search, mut entry: u32, rel: RelId) -> bool {
        while entry != NONE {
            let e = s.arena[entry as usize];
            if e.rel == rel {
                return true;
            }
            entry = e.parent;
        }
        self.unique.iter().any(|&i| match &s.row[i] {
            Value::RelRef(r) => *r == rel,
            Value::List(items) => items
                .iter()
                .any(|v| matches!(v, Value::RelRef(r) if *r == rel)),
            _ => false,
        })
    }

    /// Checks the iteration of `seg` that ends with `entry` against the segment's predicate.
    fn iteration_ok(&self, ctx: &ExecCtx<'_>, s: &Search, seg: usize, entry: u32) -> Result<bool> {
        let sg = &self.segs[seg];
        let Some(pred) = &sg.predicate else {
            return Ok(true);
        };
        let k = sg.rels.len();
        let mut nodes = vec![0; k + 1];
        let mut rels = vec![0; k];
        let mut e = entry;
        for p in (0..k).rev() {
            let en = s.arena[e as usize];
            nodes[p + 1] = en.node;
            rels[p] = en.rel;
            e = en.parent;
        }
        nodes[0] = if e == NONE {
            s.start
        } else {
            s.arena[e as usize].node
        };
        self.edge_ok(ctx, &s.row, seg, &nodes, &rels, pred)
    }

    fn edge_ok(
        &self,
        ctx: &ExecCtx<'_>,
        row: &Row,
        seg: usize,
        nodes: &[NodeId],
        rels: &[RelId],
        pred: &crate::ast::Expr,
    ) -> Result<bool> {
        let mut scope = row.clone();
        scope.extend(nodes.iter().map(|n| Value::NodeRef(*n)));
        scope.extend(rels.iter().map(|r| Value::RelRef(*r)));
        truth(ctx.eval(pred, &self.iter_cols[seg], &scope)?)
    }

    /// Pushes the configurations reachable from `at` (a completed iteration, or the start;
    /// `at.pos` is 0) without taking a relationship, and handles the match when the pattern
    /// can end there.
    fn closure(
        &mut self,
        ctx: &ExecCtx<'_>,
        s: &mut Search,
        next: &mut Vec<Config>,
        mut at: Config,
    ) -> Result<()> {
        loop {
            let sg = &self.segs[at.seg];
            if sg.max.is_none_or(|m| at.iter < m) {
                next.push(at);
            }
            if at.iter < sg.min {
                return Ok(());
            }
            if at.seg + 1 == self.segs.len() {
                return self.complete(ctx, s, at.entry, at.node);
            }
            at.seg += 1;
            at.iter = 0;
        }
    }

    /// A complete match: its output row, if it passes the match predicate and the selector.
    fn complete(
        &mut self,
        ctx: &ExecCtx<'_>,
        s: &mut Search,
        entry: u32,
        end: NodeId,
    ) -> Result<()> {
        if s.end.is_some_and(|e| e != end) {
            return Ok(());
        }
        if s.deepen.as_ref().is_some_and(|d| d.bound != s.depth) {
            // Found in an earlier round.
            return Ok(());
        }
        let mut chain = Vec::new();
        let mut e = entry;
        while e != NONE {
            let en = s.arena[e as usize];
            chain.push(en);
            e = en.parent;
        }
        chain.reverse();
        let mut nodes = vec![s.start];
        nodes.extend(chain.iter().map(|c| c.node));
        let mut rels: Vec<RelId> = chain.iter().map(|c| c.rel).collect();
        let n_segs = self.segs.len();
        let mut segs: Vec<usize> = chain.iter().map(|c| c.seg as usize).collect();
        if self.spec.reversed {
            nodes.reverse();
            rels.reverse();
            segs.reverse();
            for x in &mut segs {
                *x = n_segs - 1 - *x;
            }
        }
        let Some(row) = self.output(ctx, &s.row, &nodes, &rels, &segs)? else {
            return Ok(());
        };
        self.select(s, end, rels.len(), row);
        Ok(())
    }

    /// The input row extended with the outputs of the match `nodes`/`rels` (pattern order;
    /// `segs[i]` is the segment of `rels[i]`), or `None` when the match predicate fails.
    fn output(
        &self,
        ctx: &ExecCtx<'_>,
        row: &Row,
        nodes: &[NodeId],
        rels: &[RelId],
        segs: &[usize],
    ) -> Result<Option<Row>> {
        let spec = self.spec;
        let mut out = row.clone();
        for j in 0..spec.junctions.len() {
            let t = segs.iter().filter(|&&s| s <= j).count();
            out.push(Value::NodeRef(nodes[t]));
        }
        if !spec.into {
            // The node the search ended at: the pattern's first node when it ran reversed.
            let end = if spec.reversed {
                nodes[0]
            } else {
                nodes[nodes.len() - 1]
            };
            out.push(Value::NodeRef(end));
        }
        for (si, sg) in spec.segments.iter().enumerate() {
            let first = segs.iter().position(|&s| s == si).unwrap_or(0);
            let count = segs.iter().filter(|&&s| s == si).count();
            let k = sg.rels.len().max(1);
            let iterations = count / k;
            for (_, at) in &sg.outputs {
                let pick = |j: usize| match at {
                    SegmentSlot::Node(p) => Value::NodeRef(nodes[first + j * k + p]),
                    SegmentSlot::Rel(p) => Value::RelRef(rels[first + j * k + p]),
                };
                out.push(if sg.group {
                    Value::List((0..iterations).map(pick).collect())
                } else if iterations == 1 {
                    pick(0)
                } else {
                    Value::Null
                });
            }
        }
        out.push(Value::List(
            rels.iter().map(|r| Value::RelRef(*r)).collect(),
        ));
        if spec.path.is_some() {
            out.push(Value::PathRef(Box::new(PathRef {
                nodes: nodes.to_vec(),
                rels: rels.to_vec(),
            })));
        }
        if let Some(p) = &spec.predicate {
            if !truth(ctx.eval(p, &self.out_cols, &out)?)? {
                return Ok(None);
            }
        }
        Ok(Some(out))
    }

    /// Applies the selector to a match of length `len` ending at `end`.
    fn select(&mut self, s: &mut Search, end: NodeId, len: usize, row: Row) {
        let keep = match self.spec.selector {
            None => true,
            Some(PathSelector::Shortest(k) | PathSelector::Any(k)) => {
                let p = s.partitions.entry(end).or_default();
                let keep = p.paths < k;
                p.paths += u64::from(keep);
                keep
            }
            Some(PathSelector::ShortestGroups(k)) => {
                let p = s.partitions.entry(end).or_default();
                if p.last_len == Some(len) {
                    true
                } else if p.groups < k {
                    p.groups += 1;
                    p.last_len = Some(len);
                    true
                } else {
                    false
                }
            }
        };
        if keep {
            self.ready.push_back(row);
        }
    }

    /// True when the bound end node's partition can gain nothing from longer paths.
    fn saturated(&self, s: &Search) -> bool {
        let Some(end) = s.end else {
            return false;
        };
        let Some(p) = s.partitions.get(&end) else {
            return false;
        };
        match self.spec.selector {
            None => false,
            Some(PathSelector::Shortest(k) | PathSelector::Any(k)) => p.paths >= k,
            // Called between levels, so the last group is complete.
            Some(PathSelector::ShortestGroups(k)) => p.groups >= k,
        }
    }

    /// Expands the frontier by one relationship.
    fn level(&mut self, ctx: &mut ExecCtx<'_>, s: &mut Search) -> Result<()> {
        let frontier = std::mem::take(&mut s.frontier);
        let mut next = Vec::new();
        // Matches completed while expanding are one relationship longer.
        s.depth += 1;
        for cfg in frontier {
            let seg = &self.segs[cfg.seg];
            let k = seg.rels.len();
            let (direction, types) = {
                let r = &seg.rels[cfg.pos];
                (r.direction, r.types.clone())
            };
            let types: Vec<&str> = types.iter().map(String::as_str).collect();
            let edges = ctx.read().edges(cfg.node, direction, &types)?;
            for e in edges {
                ctx.tick()?;
                if self.used(s, cfg.entry, e.rel) {
                    continue;
                }
                if let Some(d) = &mut s.deepen {
                    match d.to_end.get(&e.other) {
                        Some(&h) if s.depth + h <= d.bound => {}
                        Some(_) => {
                            d.cut = true;
                            continue;
                        }
                        None => continue,
                    }
                }
                if s.arena.len() >= MAX_PARTIAL_PATHS {
                    return Err(runtime(
                        ErrorClass::ArgumentError,
                        "PathSearchTooLarge",
                        format!(
                            "the path search holds more than {MAX_PARTIAL_PATHS} partial paths; bound the quantifier (`{{1,5}}`) or the end node"
                        ),
                    ));
                }
                let idx = s.arena.len() as u32;
                s.arena.push(Entry {
                    parent: cfg.entry,
                    rel: e.rel,
                    node: e.other,
                    seg: cfg.seg as u32,
                });
                if cfg.pos + 1 < k {
                    next.push(Config {
                        entry: idx,
                        node: e.other,
                        pos: cfg.pos + 1,
                        ..cfg
                    });
                    continue;
                }
                if !self.iteration_ok(ctx, s, cfg.seg, idx)? {
                    s.arena.pop();
                    continue;
                }
                let at = Config {
                    entry: idx,
                    node: e.other,
                    seg: cfg.seg,
                    iter: cfg.iter + 1,
                    pos: 0,
                };
                self.closure(ctx, s, &mut next, at)?;
            }
        }
        s.frontier = next;
        Ok(())
    }

    /// Starts the trail search of a row; under a selector with a bound end node, as rounds of
    /// growing length (see [`Deepening`]).
    fn begin(&mut self, ctx: &mut ExecCtx<'_>, s: &mut Search) -> Result<()> {
        if let (Some(_), Some(end)) = (self.spec.selector, s.end) {
            let to_end = match &self.to_end_cache {
                Some((e, d)) if *e == end => d.clone(),
                _ => {
                    let d = Rc::new(self.distances_to(ctx, end)?);
                    self.to_end_cache = Some((end, d.clone()));
                    d
                }
            };
            let Some(&bound) = to_end.get(&s.start) else {
                // The end cannot be reached at all.
                s.frontier.clear();
                return Ok(());
            };
            s.deepen = Some(Deepening {
                to_end,
                bound,
                cut: false,
            });
        }
        self.restart(ctx, s)
    }

    /// (Re)starts the trail search from the start node.
    fn restart(&mut self, ctx: &mut ExecCtx<'_>, s: &mut Search) -> Result<()> {
        s.arena.clear();
        s.depth = 0;
        let mut next = Vec::new();
        self.closure(ctx, s, &mut next, Config::start(s.start))?;
        s.frontier = next;
        Ok(())
    }

    /// BFS distances to `end` over every relationship any step of the pattern could take,
    /// walked backwards: a lower bound on the relationships a match still needs.
    fn distances_to(&self, ctx: &mut ExecCtx<'_>, end: NodeId) -> Result<HashMap<NodeId, usize>> {
        let rels = self.segs.iter().flat_map(|s| s.rels.iter());
        let mut any_type = false;
        let mut types: Vec<&str> = Vec::new();
        let mut direction = None;
        for r in rels {
            if r.types.is_empty() {
                any_type = true;
            }
            types.extend(r.types.iter().map(String::as_str));
            direction = match direction {
                None => Some(r.direction),
                Some(d) if d == r.direction => Some(d),
                Some(_) => Some(Direction::Both),
            };
        }
        if any_type {
            types.clear();
        }
        types.sort_unstable();
        types.dedup();
        let back = direction.unwrap_or(Direction::Both).reverse();
        let mut dist = HashMap::new();
        dist.insert(end, 0);
        let mut frontier = vec![end];
        let mut d = 0;
        while !frontier.is_empty() {
            d += 1;
            let mut next = Vec::new();
            for u in frontier {
                for e in ctx.read().edges(u, back, &types)? {
                    ctx.tick()?;
                    if let std::collections::hash_map::Entry::Vacant(v) = dist.entry(e.other) {
                        v.insert(d);
                        next.push(e.other);
                    }
                }
            }
            frontier = next;
        }
        Ok(dist)
    }

    /// The node-level BFS for `SHORTEST 1` / `ANY` (`all` false) and `ALL SHORTEST` (`all`
    /// true) over one quantified relationship. Paths ending where they start (cycles, which a
    /// walk could close by going back along the same relationship) are left to the trail search.
    fn shortest_by_nodes(
        &mut self,
        ctx: &mut ExecCtx<'_>,
        s: &mut Search,
        all: bool,
    ) -> Result<()> {
        let rows = self.shortest_rows(ctx, s, all)?;
        self.ready.extend(rows);
        Ok(())
    }

    fn shortest_rows(&self, ctx: &mut ExecCtx<'_>, s: &Search, all: bool) -> Result<Vec<Row>> {
        let mut rows = Vec::new();
        let seg = &self.segs[0];
        if let (Some(end), None) = (s.end.filter(|&e| e != s.start), &seg.predicate) {
            // Two bound ends: the bidirectional BFS `shortestPath` uses.
            let r = &seg.rels[0];
            let types: Vec<&str> = r.types.iter().map(String::as_str).collect();
            let limits = ctx.child();
            let mut tick = || limits.check_limits();
            let bound = |h: u64| u32::try_from(h).unwrap_or(u32::MAX);
            let paths = crate::algo::shortest_paths_with_tick(
                ctx.read(),
                s.start,
                end,
                r.direction,
                &types,
                1,
                seg.max.map(bound),
                all,
                &mut tick,
            )?;
            for p in paths {
                let segs = vec![0; p.rels.len()];
                if let Some(row) = self.output(ctx, &s.row, &p.nodes, &p.rels, &segs)? {
                    rows.push(row);
                }
            }
            return Ok(rows);
        }
        if seg.min == 0 && s.end.is_none_or(|e| e == s.start) {
            if let Some(row) = self.output(ctx, &s.row, &[s.start], &[], &[])? {
                rows.push(row);
            }
        }
        let r = &seg.rels[0];
        let types: Vec<&str> = r.types.iter().map(String::as_str).collect();
        let mut dist: HashMap<NodeId, u64> = HashMap::new();
        let mut parents: HashMap<NodeId, Vec<(NodeId, RelId)>> = HashMap::new();
        dist.insert(s.start, 0);
        let mut frontier = vec![s.start];
        let mut level = 0u64;
        let mut found = Vec::new();
        while !frontier.is_empty() && seg.max.is_none_or(|m| level < m) {
            level += 1;
            let mut next = Vec::new();
            for &u in &frontier {
                for e in ctx.read().edges(u, r.direction, &types)? {
                    ctx.tick()?;
                    if let Some(pred) = &seg.predicate {
                        if !self.edge_ok(ctx, &s.row, 0, &[u, e.other], &[e.rel], pred)? {
                            continue;
                        }
                    }
                    match dist.get(&e.other) {
                        None => {
                            dist.insert(e.other, level);
                            parents.insert(e.other, vec![(u, e.rel)]);
                            next.push(e.other);
                        }
                        Some(&d) if d == level && all => {
                            parents.entry(e.other).or_default().push((u, e.rel));
                        }
                        _ => {}
                    }
                }
            }
            if level >= seg.min {
                found.extend(next.iter().copied());
            }
            if s.end.is_some_and(|t| dist.contains_key(&t)) {
                break;
            }
            frontier = next;
        }
        for v in found {
            if s.end.is_some_and(|t| t != v) {
                continue;
            }
            let mut paths = Vec::new();
            let mut nodes = vec![v];
            let mut rels = Vec::new();
            walk_back(
                &parents, s.start, v, dist[&v], &mut nodes, &mut rels, all, &mut paths,
            );
            for (mut nodes, mut rels) in paths {
                nodes.reverse();
                rels.reverse();
                let segs = vec![0; rels.len()];
                if let Some(row) = self.output(ctx, &s.row, &nodes, &rels, &segs)? {
                    rows.push(row);
                }
            }
        }
        Ok(rows)
    }
}

/// Collects the shortest paths to `v` (reversed) by following BFS parents back to `start`.
#[allow(clippy::too_many_arguments)]
fn walk_back(
    parents: &HashMap<NodeId, Vec<(NodeId, RelId)>>,
    start: NodeId,
    v: NodeId,
    remaining: u64,
    nodes: &mut Vec<NodeId>,
    rels: &mut Vec<RelId>,
    all: bool,
    out: &mut Vec<(Vec<NodeId>, Vec<RelId>)>,
) {
    if !all && !out.is_empty() {
        return;
    }
    if remaining == 0 {
        if v == start {
            out.push((nodes.clone(), rels.clone()));
        }
        return;
    }
    for &(p, r) in parents.get(&v).map(Vec::as_slice).unwrap_or_default() {
        nodes.push(p);
        rels.push(r);
        walk_back(parents, start, p, remaining - 1, nodes, rels, all, out);
        nodes.pop();
        rels.pop();
    }
}

/// A segment as seen walking it from its end: relationships and nodes in reverse order,
/// directions flipped.
fn reverse_segment(s: &Segment) -> Segment {
    let mut r = s.clone();
    r.nodes.reverse();
    r.rels.reverse();
    for rel in &mut r.rels {
        rel.direction = rel.direction.reverse();
    }
    r
}

use super::filter::truth;

impl Operator for PathSearch<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some(row) = self.ready.pop_front() {
                return Ok(Some(row));
            }
            if let Some(mut s) = self.search.take() {
                if let Some(all) = self.by_nodes() {
                    if !s.by_nodes_done {
                        s.by_nodes_done = true;
                        if s.end != Some(s.start) || self.segs[0].min == 0 {
                            self.shortest_by_nodes(ctx, &mut s, all)?;
                        }
                        // Cycles back to the start: the trail search, for that partition only.
                        if self.segs[0].min >= 1 && s.end.is_none_or(|e| e == s.start) {
                            s.end = Some(s.start);
                            self.begin(ctx, &mut s)?;
                        }
                        self.search = Some(s);
                        continue;
                    }
                }
                if !s.frontier.is_empty() && !self.saturated(&s) {
                    self.level(ctx, &mut s)?;
                    self.search = Some(s);
                    continue;
                }
                // A round is over: deepen while a longer match may still be selected.
                let deeper = s.deepen.as_ref().is_some_and(|d| d.cut) && !self.saturated(&s);
                if let (true, Some(d)) = (deeper, s.deepen.as_mut()) {
                    d.bound += 1;
                    d.cut = false;
                    self.restart(ctx, &mut s)?;
                    self.search = Some(s);
                }
                continue;
            }
            let Some(row) = self.input.next(ctx)? else {
                return Ok(None);
            };
            let Some(start) = node_id(&row[self.from])? else {
                continue;
            };
            let end = match self.to {
                Some(t) => match node_id(&row[t])? {
                    Some(e) => Some(e),
                    None => continue,
                },
                None => None,
            };
            let mut s = Search {
                row,
                start,
                end,
                arena: Vec::new(),
                frontier: Vec::new(),
                partitions: HashMap::new(),
                by_nodes_done: false,
                depth: 0,
                deepen: None,
            };
            if self.by_nodes().is_none() {
                self.begin(ctx, &mut s)?;
            }
            self.search = Some(s);
        }
    }
}
