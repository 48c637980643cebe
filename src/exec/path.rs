//! Named paths (`p = (a)-[r]->(b)`): assembles a path value from the bound elements.

use crate::error::Result;
use crate::exec::{node_id, slot, BoxOp, ExecCtx, Operator, Row};
use crate::model::{NodeId, RelId};
use crate::plan::PathStep;
use crate::store::GraphRead;
use crate::value::{PathRef, Value};

enum Slot {
    Node(usize),
    Rel(usize),
    RelList(usize),
}

pub struct BuildPath<'p> {
    input: BoxOp<'p>,
    slots: Vec<Slot>,
}

impl<'p> BuildPath<'p> {
    pub fn new(input: BoxOp<'p>, steps: &'p [PathStep], cols: &'p [String]) -> Result<Self> {
        let mut slots = Vec::new();
        for s in steps {
            slots.push(match s {
                PathStep::Node(n) => Slot::Node(slot(cols, n)?),
                PathStep::Rel(r) => Slot::Rel(slot(cols, r)?),
                PathStep::RelList(r) => Slot::RelList(slot(cols, r)?),
            });
        }
        Ok(BuildPath { input, slots })
    }
}

/// The node at the other end of `rel` seen from `from`.
fn other_end(g: &dyn GraphRead, rel: RelId, from: NodeId) -> Result<Option<NodeId>> {
    Ok(g.relationship(rel)?
        .map(|r| if r.start == from { r.end } else { r.start }))
}

impl Operator for BuildPath<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        let Some(mut row) = self.input.next(ctx)? else {
            return Ok(None);
        };
        let g = ctx.read();
        let mut nodes: Vec<NodeId> = Vec::new();
        let mut rels: Vec<RelId> = Vec::new();
        let mut null = false;
        for s in &self.slots {
            match s {
                Slot::Node(i) => match node_id(&row[*i])? {
                    Some(n) => {
                        // Later nodes were reached through the relationships already.
                        if nodes.is_empty() {
                            nodes.push(n);
                        }
                    }
                    None => null = true,
                },
                Slot::Rel(i) => match &row[*i] {
                    Value::RelRef(r) => {
                        let Some(&cur) = nodes.last() else {
                            null = true;
                            continue;
                        };
                        rels.push(*r);
                        match other_end(g, *r, cur)? {
                            Some(o) => nodes.push(o),
                            None => null = true,
                        }
                    }
                    _ => null = true,
                },
                Slot::RelList(i) => match &row[*i] {
                    Value::List(items) => {
                        for it in items {
                            let (Value::RelRef(r), Some(&cur)) = (it, nodes.last()) else {
                                null = true;
                                continue;
                            };
                            rels.push(*r);
                            match other_end(g, *r, cur)? {
                                Some(o) => nodes.push(o),
                                None => null = true,
                            }
                        }
                    }
                    _ => null = true,
                },
            }
        }
        row.push(if null || nodes.len() != rels.len() + 1 {
            Value::Null
        } else {
            Value::PathRef(Box::new(PathRef { nodes, rels }))
        });
        Ok(Some(row))
    }
}
