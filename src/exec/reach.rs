//! Distinct reach: the end nodes of `(a)-[:T*min..max]->(b)` found by breadth-first search with
//! a visited set, for plans that only observe distinct end nodes (see `plan::optimize`).

use crate::error::Result;
use crate::exec::expand::Step;
use crate::exec::{node_id, BoxOp, ExecCtx, Operator, Row};
use crate::hash::FxHashSet;
use crate::model::NodeId;
use crate::plan::ExpandSpec;
use crate::value::Value;

pub struct Reach<'p> {
    step: Step<'p>,
    input: BoxOp<'p>,
    current: Option<Row>,
    found: std::vec::IntoIter<NodeId>,
}

impl<'p> Reach<'p> {
    pub fn new(spec: &'p ExpandSpec, cols: &'p [String], input: BoxOp<'p>) -> Result<Self> {
        Ok(Reach {
            step: Step::new(spec, cols)?,
            input,
            current: None,
            found: Vec::new().into_iter(),
        })
    }

    fn bfs(&self, ctx: &mut ExecCtx<'_>, start: NodeId) -> Result<Vec<NodeId>> {
        let hops = self
            .step
            .spec
            .hops
            .unwrap_or(crate::plan::Hops { min: 1, max: None });
        let mut visited: FxHashSet<NodeId> = FxHashSet::default();
        visited.insert(start);
        let mut out = Vec::new();
        let mut start_again = hops.min == 0;
        let mut frontier = vec![start];
        let mut next = Vec::new();
        let mut others = Vec::new();
        let mut depth = 0u64;
        while !frontier.is_empty() && hops.max.is_none_or(|m| depth < m) {
            for &n in &frontier {
                ctx.tick()?;
                others.clear();
                let dir = self.step.spec.direction;
                let g = ctx.read();
                self.step
                    .with_types((), |types| g.neighbours(n, dir, types, &mut others))?;
                for &o in &others {
                    if o == start {
                        start_again = true;
                    }
                    if visited.insert(o) {
                        out.push(o);
                        next.push(o);
                    }
                }
            }
            std::mem::swap(&mut frontier, &mut next);
            next.clear();
            depth += 1;
        }
        if start_again {
            out.push(start);
        }
        Ok(out)
    }
}

impl Operator for Reach<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some(row) = &self.current {
                if let Some(n) = self.found.next() {
                    let mut r = Vec::with_capacity(row.len() + 2);
                    r.extend_from_slice(row);
                    r.push(Value::Null);
                    r.push(Value::NodeRef(n));
                    return Ok(Some(r));
                }
            }
            let Some(row) = self.input.next(ctx)? else {
                return Ok(None);
            };
            self.step.resolve_types(ctx, &row)?;
            let found = match node_id(&row[self.step.from])? {
                Some(start) => self.bfs(ctx, start)?,
                None => Vec::new(),
            };
            self.found = found.into_iter();
            self.current = Some(row);
        }
    }
}
