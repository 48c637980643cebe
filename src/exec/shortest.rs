//! shortestPath / allShortestPaths between two bound nodes: bidirectional breadth-first
//! search for one path, layered BFS with predecessor lists for all of them.

use std::collections::HashMap;

use crate::error::Result;
use crate::exec::expand::Step;
use crate::exec::{node_id, BoxOp, ExecCtx, Operator, Row};
use crate::model::{Direction, NodeId, RelId};
use crate::plan::ExpandSpec;
use crate::store::GraphRead;
use crate::value::{PathRef, Value};

/// One shortest path from `a` to `b` following `dir` (from `a`'s side), at most `max` hops.
pub fn shortest_path(
    g: &dyn GraphRead,
    a: NodeId,
    b: NodeId,
    dir: Direction,
    types: &[&str],
    max: Option<u64>,
    tick: &mut dyn FnMut() -> Result<()>,
) -> Result<Option<PathRef>> {
    if a == b {
        return Ok(Some(PathRef {
            nodes: vec![a],
            rels: vec![],
        }));
    }
    // parent maps: node -> (previous node, relationship)
    let mut fwd: HashMap<NodeId, Option<(NodeId, RelId)>> = HashMap::new();
    let mut bwd: HashMap<NodeId, Option<(NodeId, RelId)>> = HashMap::new();
    fwd.insert(a, None);
    bwd.insert(b, None);
    let mut ff = vec![a];
    let mut bf = vec![b];
    let mut depth = 0u64;
    while !ff.is_empty() && !bf.is_empty() && max.is_none_or(|m| depth < m) {
        depth += 1;
        // Expand the smaller frontier.
        let forward = ff.len() <= bf.len();
        let (frontier, seen, other, d) = if forward {
            (&mut ff, &mut fwd, &bwd, dir)
        } else {
            (&mut bf, &mut bwd, &fwd, dir.reverse())
        };
        let mut next = Vec::new();
        let mut meet = None;
        'outer: for &n in frontier.iter() {
            tick()?;
            for e in g.edges(n, d, types)? {
                if seen.contains_key(&e.other) {
                    continue;
                }
                seen.insert(e.other, Some((n, e.rel)));
                if other.contains_key(&e.other) {
                    meet = Some(e.other);
                    break 'outer;
                }
                next.push(e.other);
            }
        }
        if let Some(m) = meet {
            let mut nodes = vec![m];
            let mut rels = Vec::new();
            let mut cur = m;
            while let Some(Some((p, r))) = fwd.get(&cur) {
                nodes.push(*p);
                rels.push(*r);
                cur = *p;
            }
            nodes.reverse();
            rels.reverse();
            let mut cur = m;
            while let Some(Some((p, r))) = bwd.get(&cur) {
                nodes.push(*p);
                rels.push(*r);
                cur = *p;
            }
            return Ok(Some(PathRef { nodes, rels }));
        }
        *frontier = next;
    }
    Ok(None)
}

/// All shortest paths from `a` to `b`.
pub fn all_shortest_paths(
    g: &dyn GraphRead,
    a: NodeId,
    b: NodeId,
    dir: Direction,
    types: &[&str],
    max: Option<u64>,
    tick: &mut dyn FnMut() -> Result<()>,
) -> Result<Vec<PathRef>> {
    if a == b {
        return Ok(vec![PathRef {
            nodes: vec![a],
            rels: vec![],
        }]);
    }
    let mut dist: HashMap<NodeId, u64> = HashMap::new();
    let mut preds: HashMap<NodeId, Vec<(NodeId, RelId)>> = HashMap::new();
    dist.insert(a, 0);
    let mut frontier = vec![a];
    let mut depth = 0;
    let mut found = false;
    while !frontier.is_empty() && !found && max.is_none_or(|m| depth < m) {
        depth += 1;
        let mut next = Vec::new();
        for &n in &frontier {
            tick()?;
            for e in g.edges(n, dir, types)? {
                match dist.get(&e.other) {
                    Some(&d) if d == depth => {
                        preds.entry(e.other).or_default().push((n, e.rel));
                    }
                    Some(_) => {}
                    None => {
                        dist.insert(e.other, depth);
                        preds.entry(e.other).or_default().push((n, e.rel));
                        next.push(e.other);
                        if e.other == b {
                            found = true;
                        }
                    }
                }
            }
        }
        frontier = next;
    }
    if !found {
        return Ok(vec![]);
    }
    let mut out = Vec::new();
    let mut stack: Vec<(NodeId, Vec<NodeId>, Vec<RelId>)> = vec![(b, vec![b], vec![])];
    while let Some((n, nodes, rels)) = stack.pop() {
        if n == a {
            let mut nodes = nodes;
            let mut rels = rels;
            nodes.reverse();
            rels.reverse();
            out.push(PathRef { nodes, rels });
            continue;
        }
        for (p, r) in preds.get(&n).into_iter().flatten() {
            let mut nn = nodes.clone();
            nn.push(*p);
            let mut rr = rels.clone();
            rr.push(*r);
            stack.push((*p, nn, rr));
        }
    }
    Ok(out)
}

pub struct ShortestPathOp<'p> {
    step: Step<'p>,
    all: bool,
    input: BoxOp<'p>,
    current: Option<Row>,
    paths: std::vec::IntoIter<PathRef>,
}

impl<'p> ShortestPathOp<'p> {
    pub fn new(
        spec: &'p ExpandSpec,
        all: bool,
        cols: &'p [String],
        input: BoxOp<'p>,
    ) -> Result<Self> {
        Ok(ShortestPathOp {
            step: Step::new(spec, cols)?,
            all,
            input,
            current: None,
            paths: Vec::new().into_iter(),
        })
    }
}

impl Operator for ShortestPathOp<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some(row) = &self.current {
                if let Some(p) = self.paths.next() {
                    let mut r = row.clone();
                    r.push(Value::List(
                        p.rels.iter().map(|x| Value::RelRef(*x)).collect(),
                    ));
                    r.push(Value::PathRef(Box::new(p)));
                    return Ok(Some(r));
                }
            }
            let Some(row) = self.input.next(ctx)? else {
                return Ok(None);
            };
            let (Some(a), Some(b)) = (
                node_id(&row[self.step.from])?,
                node_id(&row[self.step.to.unwrap_or(self.step.from)])?,
            ) else {
                self.current = None;
                continue;
            };
            let hops = self
                .step
                .spec
                .hops
                .unwrap_or(crate::plan::Hops { min: 1, max: None });
            let dir = self.step.spec.direction;
            let types = self.step.types.clone();
            let limits = ctx.child();
            let mut tick = || limits.check_limits();
            let mut paths = if hops.min > 1 {
                // A lower bound above 1 can't be met by filtering the unbounded shortest paths
                // (a 1-hop path would hide a 2-hop one): the algo layer searches trails of at
                // least `min` hops by iterative deepening.
                let bound = |h: u64| u32::try_from(h).unwrap_or(u32::MAX);
                crate::algo::shortest_paths_with_tick(
                    ctx.read(),
                    a,
                    b,
                    dir,
                    &types,
                    bound(hops.min),
                    hops.max.map(bound),
                    self.all,
                    &mut tick,
                )?
            } else if self.all {
                all_shortest_paths(ctx.read(), a, b, dir, &types, hops.max, &mut tick)?
            } else {
                shortest_path(ctx.read(), a, b, dir, &types, hops.max, &mut tick)?
                    .into_iter()
                    .collect()
            };
            paths.retain(|p| p.rels.len() as u64 >= hops.min);
            self.paths = paths.into_iter();
            self.current = Some(row);
        }
    }
}
