//! shortestPath / allShortestPaths between two bound nodes: the operator around the search in
//! `algo::paths` (bidirectional BFS, or trail search when the lower bound is above 1).

use crate::error::Result;
use crate::exec::expand::Step;
use crate::exec::{node_id, BoxOp, ExecCtx, Operator, Row};
use crate::plan::ExpandSpec;
use crate::value::{PathRef, Value};

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
            self.step.resolve_types(ctx, &row)?;
            let limits = ctx.child();
            let mut tick = || limits.check_limits();
            // The algo layer owns the search: BFS for a lower bound of at most 1, trail search
            // (no relationship twice) above it, cancellable through `tick`.
            let bound = |h: u64| u32::try_from(h).unwrap_or(u32::MAX);
            let g = ctx.read();
            let paths = self.step.with_types(Vec::new(), |types| {
                crate::algo::shortest_paths_with_tick(
                    g,
                    a,
                    b,
                    dir,
                    types,
                    bound(hops.min),
                    hops.max.map(bound),
                    self.all,
                    &mut tick,
                )
            })?;
            self.paths = paths.into_iter();
            self.current = Some(row);
        }
    }
}
