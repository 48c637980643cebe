//! Node sources: all nodes, by label, by id, and by property index (falling back to a scan
//! when the store has no index for the key; the equality filter above re-checks either way).

use crate::error::Result;
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::model::NodeId;
use crate::plan::{LogicalPlan, PlanOp};
use crate::value::Value;

pub struct NodeScan<'p> {
    plan: &'p LogicalPlan,
    input: BoxOp<'p>,
    current: Option<Row>,
    ids: Vec<NodeId>,
    pos: usize,
}

impl<'p> NodeScan<'p> {
    pub fn new(plan: &'p LogicalPlan, input: BoxOp<'p>) -> Self {
        NodeScan {
            plan,
            input,
            current: None,
            ids: Vec::new(),
            pos: 0,
        }
    }

    fn fetch(&self, ctx: &ExecCtx<'_>, row: &Row) -> Result<Vec<NodeId>> {
        let g = ctx.read();
        let in_cols = &self.plan.columns[..self.plan.columns.len() - 1];
        Ok(match &self.plan.op {
            PlanOp::AllNodesScan { .. } => g.node_ids()?.collect::<Result<Vec<_>>>()?,
            PlanOp::LabelScan { label, .. } => {
                g.nodes_with_label(label)?.collect::<Result<Vec<_>>>()?
            }
            PlanOp::NodeById { ids, list, .. } => {
                let v = ctx.eval(ids, in_cols, row)?;
                let candidates: Vec<Value> = match (v, list) {
                    (Value::List(items), true) => items,
                    (v, false) => vec![v],
                    _ => vec![],
                };
                let mut out = Vec::new();
                for c in candidates {
                    if let Value::Int(i) = c {
                        if i >= 0 && g.node(i as u64)?.is_some() && !out.contains(&(i as u64)) {
                            out.push(i as u64);
                        }
                    }
                }
                out
            }
            PlanOp::IndexSeek {
                label,
                property,
                value,
                ..
            } => {
                let v = ctx.eval(value, in_cols, row)?;
                if v.is_null() {
                    return Ok(Vec::new());
                }
                match g.index_lookup(label, property, &v)? {
                    Some(ids) => ids,
                    None => {
                        // The index is gone (dropped after planning): scan and compare.
                        let ids = if label.is_empty() {
                            g.node_ids()?.collect::<Result<Vec<_>>>()?
                        } else {
                            g.nodes_with_label(label)?.collect::<Result<Vec<_>>>()?
                        };
                        let mut out = Vec::new();
                        for id in ids {
                            let p = g.node_property(id, property)?.unwrap_or(Value::Null);
                            if crate::expr::equals(&p, &v) == Some(true) {
                                out.push(id);
                            }
                        }
                        out
                    }
                }
            }
            _ => Vec::new(),
        })
    }
}

impl Operator for NodeScan<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some(row) = &self.current {
                if self.pos < self.ids.len() {
                    let id = self.ids[self.pos];
                    self.pos += 1;
                    ctx.tick()?;
                    let mut r = Vec::with_capacity(row.len() + 1);
                    r.extend_from_slice(row);
                    r.push(Value::NodeRef(id));
                    return Ok(Some(r));
                }
            }
            match self.input.next(ctx)? {
                None => return Ok(None),
                Some(row) => {
                    self.ids = self.fetch(ctx, &row)?;
                    self.pos = 0;
                    self.current = Some(row);
                }
            }
        }
    }
}
