//! Shortest paths: openCypher `shortestPath` / `allShortestPaths` for MATCH (bidirectional
//! BFS straight on storage, or on a cached projection), and weighted Dijkstra for
//! `algo.shortestPath`.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use crate::error::Result;
use crate::model::{Direction, NodeId, RelId};
use crate::store::GraphRead;
use crate::value::PathRef;

use super::projection::{IdMap, Projection};

/// The shortest paths from `from` to `to` with openCypher `shortestPath` (`all == false`: at
/// most one path) or `allShortestPaths` (`all == true`: every path of the minimal length)
/// semantics: relationships followed in `direction` (as seen from `from`), of one of `types`
/// (any type when empty), with length in `min_hops..=max_hops` (`None`: unbounded). Empty when
/// there is none, including when either node does not exist.
///
/// A zero-length path exists only when `from == to` and `min_hops == 0`. With `min_hops <= 1`
/// (the usual case) this is a level-synchronous bidirectional BFS expanding the smaller
/// frontier; larger `min_hops`, or a cycle back to `from`, are answered by an iterative
/// deepening search over trails (no relationship twice), which is exponential in the worst
/// case.
#[allow(clippy::too_many_arguments)]
pub fn shortest_paths(
    graph: &dyn GraphRead,
    from: NodeId,
    to: NodeId,
    direction: Direction,
    types: &[&str],
    min_hops: u32,
    max_hops: Option<u32>,
    all: bool,
) -> Result<Vec<PathRef>> {
    // Stops with the statement's Ctrl-C or time limit (crate::interrupt).
    let mut ticker = crate::interrupt::Ticker::default();
    shortest_paths_with_tick(
        graph,
        from,
        to,
        direction,
        types,
        min_hops,
        max_hops,
        all,
        &mut || ticker.tick(),
    )
}

/// [`shortest_paths`] calling `tick` before every node expansion, so the executor can
/// cancel or time out a long search (an `Err` from `tick` ends the search with that error).
#[allow(clippy::too_many_arguments)]
pub fn shortest_paths_with_tick(
    graph: &dyn GraphRead,
    from: NodeId,
    to: NodeId,
    direction: Direction,
    types: &[&str],
    min_hops: u32,
    max_hops: Option<u32>,
    all: bool,
    tick: &mut dyn FnMut() -> Result<()>,
) -> Result<Vec<PathRef>> {
    if graph.node(from)?.is_none() || graph.node(to)?.is_none() {
        return Ok(Vec::new());
    }
    let mut expand = |node: NodeId, forward: bool, out: &mut Vec<(RelId, NodeId)>| {
        tick()?;
        let dir = if forward {
            direction
        } else {
            direction.reverse()
        };
        out.extend(
            graph
                .edges(node, dir, types)?
                .into_iter()
                .map(|e| (e.rel, e.other)),
        );
        Ok(())
    };
    // On storage, balance the two sides by frontier size: a degree per frontier node costs a
    // block read of its own, and at the bench's scale M that made the search 8x slower
    // (W6: 1.78 ms per pair with degree sums, 0.22 ms with sizes).
    let mut cost = |_: NodeId, _: bool| -> Result<u64> { Ok(1) };
    search_paths(from, to, min_hops, max_hops, all, &mut expand, &mut cost)
}

/// [`shortest_paths`] on a projection (relationships outside it do not exist; `types` filters
/// further). Much faster than storage for repeated queries on an unchanged graph.
#[allow(clippy::too_many_arguments)]
pub fn shortest_paths_projected(
    proj: &Projection,
    from: NodeId,
    to: NodeId,
    direction: Direction,
    types: &[&str],
    min_hops: u32,
    max_hops: Option<u32>,
    all: bool,
) -> Result<Vec<PathRef>> {
    if proj.index_of(from).is_none() || proj.index_of(to).is_none() {
        return Ok(Vec::new());
    }
    let type_ok: Vec<bool> = proj
        .types
        .iter()
        .map(|t| types.is_empty() || types.contains(&t.as_str()))
        .collect();
    let mut expand = |node: NodeId, forward: bool, out: &mut Vec<(RelId, NodeId)>| {
        let dir = if forward {
            direction
        } else {
            direction.reverse()
        };
        if let Some(v) = proj.index_of(node) {
            out.extend(
                proj.adjacent(v, dir)
                    .filter(|&(_, _, t)| type_ok[t as usize])
                    .map(|(o, rel, _)| (rel, proj.node_id(o))),
            );
        }
        Ok(())
    };
    let mut cost = |node: NodeId, forward: bool| -> Result<u64> {
        let dir = if forward {
            direction
        } else {
            direction.reverse()
        };
        Ok(proj.index_of(node).map_or(0, |v| match dir {
            Direction::Outgoing => proj.out_degree(v),
            Direction::Incoming => proj.in_degree(v),
            Direction::Both => proj.out_degree(v) + proj.in_degree(v),
        }) as u64)
    };
    search_paths(from, to, min_hops, max_hops, all, &mut expand, &mut cost)
}

/// The search both graph views share once their ends are known to exist: the zero-length
/// path, trail search for a lower bound above 1 or a cycle back to the start, otherwise the
/// bidirectional BFS.
fn search_paths(
    from: NodeId,
    to: NodeId,
    min_hops: u32,
    max_hops: Option<u32>,
    all: bool,
    expand: &mut Expand<'_>,
    cost: &mut Cost<'_>,
) -> Result<Vec<PathRef>> {
    let max = max_hops.unwrap_or(u32::MAX);
    if min_hops > max {
        return Ok(Vec::new());
    }
    if from == to && min_hops == 0 {
        return Ok(vec![PathRef {
            nodes: vec![from],
            rels: Vec::new(),
        }]);
    }
    if min_hops >= 2 || from == to {
        return trail_search(from, to, min_hops.max(1), max, all, expand);
    }
    bidirectional(from, to, max, all, expand, cost)
}

/// Estimated work to expand a node: its degree on a projection, 1 on storage (see above).
type Cost<'a> = dyn FnMut(NodeId, bool) -> Result<u64> + 'a;

type Expand<'a> = dyn FnMut(NodeId, bool, &mut Vec<(RelId, NodeId)>) -> Result<()> + 'a;

/// A BFS record: depth, first predecessor towards the side's start, relationship used.
type Seen = (u32, NodeId, RelId);

/// Node ids above this use hash maps instead of the direct-mapped scratch arrays.
const DENSE_LIMIT: u64 = 1 << 22;

/// Direct-mapped visited marks reused across searches on this thread: `slots[id]` holds
/// (epoch, record index), valid only when the epoch matches, so starting a search is O(1)
/// instead of clearing per-node arrays. Node ids from the store are dense, so this replaces
/// hashing on the hot path.
#[derive(Default)]
struct DenseSeen {
    slots: Vec<(u32, u32)>,
    records: Vec<Seen>,
    epoch: u32,
}

impl DenseSeen {
    fn begin(&mut self) {
        self.epoch = self.epoch.wrapping_add(1);
        if self.epoch == 0 {
            self.slots.iter_mut().for_each(|s| *s = (0, 0));
            self.epoch = 1;
        }
        self.records.clear();
    }
}

thread_local! {
    static SCRATCH: std::cell::RefCell<[DenseSeen; 2]> = Default::default();
}

/// Visited map of one side: the thread's scratch arrays, or a hash map for huge ids.
enum SeenMap<'a> {
    Dense(&'a mut DenseSeen),
    Sparse(IdMap<NodeId, Seen>),
}

/// A node id too large for the dense scratch: restart with hash maps.
struct TooSparse;

impl SeenMap<'_> {
    #[inline]
    fn get(&self, v: NodeId) -> Option<Seen> {
        match self {
            SeenMap::Dense(d) => {
                let &(stamp, idx) = d.slots.get(usize::try_from(v).ok()?)?;
                (stamp == d.epoch).then(|| d.records[idx as usize])
            }
            SeenMap::Sparse(m) => m.get(&v).copied(),
        }
    }

    #[inline]
    fn insert(&mut self, v: NodeId, rec: Seen) -> std::result::Result<(), TooSparse> {
        match self {
            SeenMap::Dense(d) => {
                if v >= DENSE_LIMIT {
                    return Err(TooSparse);
                }
                let i = v as usize;
                if i >= d.slots.len() {
                    let len = (i + 1).max(d.slots.len() * 2).min(DENSE_LIMIT as usize);
                    d.slots.resize(len, (0, 0));
                }
                d.slots[i] = (d.epoch, d.records.len() as u32);
                d.records.push(rec);
            }
            SeenMap::Sparse(m) => {
                m.insert(v, rec);
            }
        }
        Ok(())
    }
}

/// One BFS side: depth and first predecessor of each reached node (towards this side's start),
/// plus the other equally short predecessors when all paths are wanted.
struct Side<'a> {
    seen: SeenMap<'a>,
    extra: IdMap<NodeId, Vec<(NodeId, RelId)>>,
    frontier: Vec<NodeId>,
    /// Sum of the frontier's degrees, computed lazily once per level.
    cost: Option<u64>,
    level: u32,
    forward: bool,
}

impl<'a> Side<'a> {
    fn new(
        mut seen: SeenMap<'a>,
        start: NodeId,
        forward: bool,
    ) -> std::result::Result<Side<'a>, TooSparse> {
        seen.insert(start, (0, start, RelId::MAX))?;
        Ok(Side {
            seen,
            extra: IdMap::default(),
            frontier: vec![start],
            cost: None,
            level: 0,
            forward,
        })
    }

    /// Expands one level, making the newly reached nodes the frontier. For one path
    /// (`!all`) it stops at the first node the other side has seen: any such meeting gives a
    /// shortest path, and finishing the level around a hub can cost thousands of reads.
    fn expand(
        &mut self,
        all: bool,
        other: &SeenMap<'_>,
        expand: &mut Expand<'_>,
        buf: &mut Vec<(RelId, NodeId)>,
    ) -> Result<std::result::Result<(), TooSparse>> {
        let next_level = self.level + 1;
        let mut next = Vec::new();
        'level: for &u in &self.frontier {
            buf.clear();
            expand(u, self.forward, buf)?;
            for &(rel, v) in buf.iter() {
                match self.seen.get(v) {
                    None => {
                        if let Err(e) = self.seen.insert(v, (next_level, u, rel)) {
                            return Ok(Err(e));
                        }
                        next.push(v);
                        if !all && other.get(v).is_some() {
                            break 'level;
                        }
                    }
                    Some((d, _, _)) if all && d == next_level => {
                        self.extra.entry(v).or_default().push((u, rel));
                    }
                    Some(_) => {}
                }
            }
        }
        self.frontier = next;
        self.cost = None;
        self.level = next_level;
        Ok(Ok(()))
    }

    fn frontier_cost(&mut self, cost: &mut Cost<'_>) -> Result<u64> {
        if let Some(c) = self.cost {
            return Ok(c);
        }
        let mut total = 0u64;
        for &v in &self.frontier {
            total = total.saturating_add(cost(v, self.forward)?);
        }
        self.cost = Some(total);
        Ok(total)
    }

    /// Every shortest chain from `node` back to this side's start: (nodes, rels), `node` first.
    fn chains(&self, node: NodeId, all: bool) -> Vec<(Vec<NodeId>, Vec<RelId>)> {
        let Some((depth, pred, rel)) = self.seen.get(node) else {
            return Vec::new();
        };
        if depth == 0 {
            return vec![(vec![node], Vec::new())];
        }
        let mut preds = vec![(pred, rel)];
        if all {
            if let Some(more) = self.extra.get(&node) {
                preds.extend_from_slice(more);
            }
        }
        let mut out = Vec::new();
        for (p, r) in preds {
            for (mut nodes, mut rels) in self.chains(p, all) {
                nodes.insert(0, node);
                rels.insert(0, r);
                out.push((nodes, rels));
            }
            if !all {
                break;
            }
        }
        out
    }
}

fn bidirectional(
    from: NodeId,
    to: NodeId,
    max: u32,
    all: bool,
    expand: &mut Expand<'_>,
    cost: &mut Cost<'_>,
) -> Result<Vec<PathRef>> {
    let dense = SCRATCH.with(|cell| {
        let Ok(mut guard) = cell.try_borrow_mut() else {
            return Ok(Err(TooSparse));
        };
        let [a, b] = &mut *guard;
        a.begin();
        b.begin();
        search(
            SeenMap::Dense(a),
            SeenMap::Dense(b),
            from,
            to,
            max,
            all,
            expand,
            cost,
        )
    })?;
    match dense {
        Ok(paths) => Ok(paths),
        Err(TooSparse) => Ok(search(
            SeenMap::Sparse(IdMap::default()),
            SeenMap::Sparse(IdMap::default()),
            from,
            to,
            max,
            all,
            expand,
            cost,
        )?
        .unwrap_or_default()),
    }
}

#[allow(clippy::too_many_arguments)]
fn search(
    fwd_seen: SeenMap<'_>,
    bwd_seen: SeenMap<'_>,
    from: NodeId,
    to: NodeId,
    max: u32,
    all: bool,
    expand: &mut Expand<'_>,
    cost: &mut Cost<'_>,
) -> Result<std::result::Result<Vec<PathRef>, TooSparse>> {
    let (Ok(mut fwd), Ok(mut bwd)) = (
        Side::new(fwd_seen, from, true),
        Side::new(bwd_seen, to, false),
    ) else {
        return Ok(Err(TooSparse));
    };
    let mut buf = Vec::new();
    // Invariant: no node is reached by both sides before this loop's check. When a level of
    // one side first reaches nodes the other side has seen, every such meeting node lies at
    // exactly the current total depth, and every shortest path crosses exactly one of them at
    // that position — so joining the two sides' chains through them yields each shortest path
    // exactly once.
    while !fwd.frontier.is_empty() && !bwd.frontier.is_empty() && fwd.level + bwd.level < max {
        // Expand the cheaper side: on skewed graphs one hub makes a small frontier expensive,
        // so compare degree sums rather than frontier sizes.
        let (this, other) = if fwd.frontier_cost(cost)? <= bwd.frontier_cost(cost)? {
            (&mut fwd, &bwd)
        } else {
            (&mut bwd, &fwd)
        };
        if let Err(e) = this.expand(all, &other.seen, expand, &mut buf)? {
            return Ok(Err(e));
        }
        let meeting: Vec<NodeId> = this
            .frontier
            .iter()
            .copied()
            .filter(|&v| other.seen.get(v).is_some())
            .collect();
        if meeting.is_empty() {
            continue;
        }
        let mut paths = Vec::new();
        for m in meeting {
            for (fnodes, frels) in fwd.chains(m, all) {
                for (bnodes, brels) in bwd.chains(m, all) {
                    let mut nodes: Vec<NodeId> = fnodes.iter().rev().copied().collect();
                    nodes.extend_from_slice(&bnodes[1..]);
                    let mut rels: Vec<RelId> = frels.iter().rev().copied().collect();
                    rels.extend_from_slice(&brels);
                    paths.push(PathRef { nodes, rels });
                    if !all {
                        return Ok(Ok(paths));
                    }
                }
            }
        }
        paths.sort_by(|a, b| a.rels.cmp(&b.rels));
        return Ok(Ok(paths));
    }
    Ok(Ok(Vec::new()))
}

/// Shortest trails of length `min..=max` (no relationship repeated), by iterative deepening.
/// Used when BFS does not apply: a lower length bound above 1, or a path back to its start.
fn trail_search(
    from: NodeId,
    to: NodeId,
    min: u32,
    max: u32,
    all: bool,
    expand: &mut Expand<'_>,
) -> Result<Vec<PathRef>> {
    // A trail never uses more relationships than the component of `from` holds, which bounds
    // the deepening even when `max` is unbounded.
    let mut adjacency: IdMap<NodeId, Vec<(RelId, NodeId)>> = IdMap::default();
    let mut queue = vec![from];
    let mut rel_ends = 0usize;
    while let Some(u) = queue.pop() {
        if adjacency.contains_key(&u) {
            continue;
        }
        let mut out = Vec::new();
        expand(u, true, &mut out)?;
        rel_ends += out.len();
        queue.extend(out.iter().map(|&(_, v)| v));
        adjacency.insert(u, out);
    }
    let limit = max.min(u32::try_from(rel_ends).unwrap_or(u32::MAX));
    for len in min..=limit {
        let mut found = Vec::new();
        let mut nodes = vec![from];
        let mut rels = Vec::new();
        dfs_exact(&adjacency, to, len, all, &mut nodes, &mut rels, &mut found);
        if !found.is_empty() {
            found.sort_by(|a, b| a.rels.cmp(&b.rels));
            return Ok(found);
        }
    }
    Ok(Vec::new())
}

fn dfs_exact(
    adjacency: &IdMap<NodeId, Vec<(RelId, NodeId)>>,
    to: NodeId,
    len: u32,
    all: bool,
    nodes: &mut Vec<NodeId>,
    rels: &mut Vec<RelId>,
    found: &mut Vec<PathRef>,
) {
    let Some(&u) = nodes.last() else { return };
    if rels.len() as u32 == len {
        if u == to {
            found.push(PathRef {
                nodes: nodes.clone(),
                rels: rels.clone(),
            });
        }
        return;
    }
    for &(rel, v) in adjacency.get(&u).map_or(&[][..], Vec::as_slice) {
        if rels.contains(&rel) {
            continue;
        }
        nodes.push(v);
        rels.push(rel);
        dfs_exact(adjacency, to, len, all, nodes, rels, found);
        nodes.pop();
        rels.pop();
        if !all && !found.is_empty() {
            return;
        }
    }
}

#[derive(PartialEq)]
struct Queued(f64, u32);
impl Eq for Queued {}
impl Ord for Queued {
    fn cmp(&self, other: &Self) -> Ordering {
        // Reversed for a min-heap; ties broken by index for determinism.
        other.0.total_cmp(&self.0).then(other.1.cmp(&self.1))
    }
}
impl PartialOrd for Queued {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// Dijkstra from `from` to `to` over the projection in `direction`, with `weight(rel)` giving
/// each relationship's non-negative cost. Returns the path and its total cost, or `None` when
/// `to` is unreachable.
pub fn dijkstra(
    proj: &Projection,
    from: NodeId,
    to: NodeId,
    direction: Direction,
    weight: &mut dyn FnMut(RelId) -> Result<f64>,
) -> Result<Option<(PathRef, f64)>> {
    let (Some(s), Some(t)) = (proj.index_of(from), proj.index_of(to)) else {
        return Ok(None);
    };
    let n = proj.node_count();
    let mut dist = vec![f64::INFINITY; n];
    let mut pred: Vec<(u32, RelId)> = vec![(u32::MAX, 0); n];
    let mut done = vec![false; n];
    let mut heap = BinaryHeap::new();
    dist[s as usize] = 0.0;
    heap.push(Queued(0.0, s));
    while let Some(Queued(d, v)) = heap.pop() {
        if done[v as usize] {
            continue;
        }
        done[v as usize] = true;
        if v == t {
            break;
        }
        for (w, rel, _) in proj.adjacent(v, direction) {
            if done[w as usize] {
                continue;
            }
            let nd = d + weight(rel)?;
            if nd < dist[w as usize] {
                dist[w as usize] = nd;
                pred[w as usize] = (v, rel);
                heap.push(Queued(nd, w));
            }
        }
    }
    if !done[t as usize] {
        return Ok(None);
    }
    let mut nodes = vec![proj.node_id(t)];
    let mut rels = Vec::new();
    let mut v = t;
    while v != s {
        let (p, rel) = pred[v as usize];
        rels.push(rel);
        nodes.push(proj.node_id(p));
        v = p;
    }
    nodes.reverse();
    rels.reverse();
    Ok(Some((PathRef { nodes, rels }, dist[t as usize])))
}
