//! Variable-length expansion (`-[:T*1..3]->`): a depth-first walk that never reuses a
//! relationship within one match, emitting every trail whose length is within the bounds.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::exec::expand::{props_match, Step};
use crate::exec::{node_id, BoxOp, ExecCtx, Operator, Row};
use crate::model::{NodeId, RelId};
use crate::plan::ExpandSpec;
use crate::store::Edge;
use crate::value::Value;

pub struct VarExpand<'p> {
    step: Step<'p>,
    input: BoxOp<'p>,
    current: Option<Row>,
    props: Option<BTreeMap<String, Value>>,
    /// One frame per node on the current trail: its edges and the next one to try.
    frames: Vec<(Vec<Edge>, usize)>,
    rels: Vec<RelId>,
    /// A zero-length match is still owed for the current row.
    zero_pending: bool,
    start: NodeId,
}

impl<'p> VarExpand<'p> {
    pub fn new(spec: &'p ExpandSpec, cols: &'p [String], input: BoxOp<'p>) -> Result<Self> {
        Ok(VarExpand {
            step: Step::new(spec, cols)?,
            input,
            current: None,
            props: None,
            frames: Vec::new(),
            rels: Vec::new(),
            zero_pending: false,
            start: 0,
        })
    }

    fn emit(&self, row: &Row, end: NodeId) -> Result<Option<Row>> {
        if let Some(ts) = self.step.to {
            if node_id(&row[ts])? != Some(end) {
                return Ok(None);
            }
        }
        let mut list: Vec<Value> = self.rels.iter().map(|r| Value::RelRef(*r)).collect();
        if self.step.spec.reversed {
            list.reverse();
        }
        let list = Value::List(list);
        if let Some(rs) = self.step.rel {
            if row[rs] != list {
                return Ok(None);
            }
        }
        let mut r = Vec::with_capacity(row.len() + 2);
        r.extend_from_slice(row);
        if self.step.rel.is_none() {
            r.push(list);
        }
        if self.step.to.is_none() {
            r.push(Value::NodeRef(end));
        }
        Ok(Some(r))
    }

    fn edges(&self, ctx: &ExecCtx<'_>, node: NodeId) -> Result<Vec<Edge>> {
        let g = ctx.read();
        let dir = self.step.spec.direction;
        let edges = self
            .step
            .with_types(Vec::new(), |types| g.edges(node, dir, types))?;
        if self.props.is_none() {
            return Ok(edges);
        }
        let mut kept = Vec::with_capacity(edges.len());
        for e in edges {
            if props_match(g, e.rel, &self.props)? {
                kept.push(e);
            }
        }
        Ok(kept)
    }
}

impl Operator for VarExpand<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        let hops = self
            .step
            .spec
            .hops
            .unwrap_or(crate::plan::Hops { min: 1, max: None });
        loop {
            if let Some(row) = self.current.take() {
                if self.zero_pending {
                    self.zero_pending = false;
                    let out = self.emit(&row, self.start)?;
                    self.current = Some(row);
                    if out.is_some() {
                        return Ok(out);
                    }
                    continue;
                }
                let mut found = None;
                while let Some((edges, pos)) = self.frames.last_mut() {
                    ctx.tick()?;
                    if *pos >= edges.len() {
                        self.frames.pop();
                        if !self.frames.is_empty() {
                            self.rels.pop();
                        }
                        continue;
                    }
                    let e = edges[*pos];
                    *pos += 1;
                    if self.rels.contains(&e.rel) || self.step.used(&row, e.rel) {
                        continue;
                    }
                    self.rels.push(e.rel);
                    let depth = self.rels.len() as u64;
                    let deeper = hops.max.is_none_or(|m| depth < m);
                    let next = if deeper {
                        self.edges(ctx, e.other)?
                    } else {
                        Vec::new()
                    };
                    self.frames.push((next, 0));
                    if depth >= hops.min {
                        if let Some(out) = self.emit(&row, e.other)? {
                            found = Some(out);
                            break;
                        }
                    }
                }
                if found.is_some() {
                    self.current = Some(row);
                    return Ok(found);
                }
                // Exhausted: fall through to the next input row.
            }
            let Some(row) = self.input.next(ctx)? else {
                return Ok(None);
            };
            self.frames.clear();
            self.rels.clear();
            match node_id(&row[self.step.from])? {
                Some(start) => {
                    self.start = start;
                    self.props = self.step.props(ctx, &row)?;
                    self.step.resolve_types(ctx, &row)?;
                    self.zero_pending = hops.min == 0;
                    if hops.max != Some(0) {
                        let first = self.edges(ctx, start)?;
                        self.frames.push((first, 0));
                    }
                    self.current = Some(row);
                }
                None => continue,
            }
        }
    }
}
