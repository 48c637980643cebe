//! Counting operators planned by `plan::counts`: per-node degrees grouped by keys of the node
//! (`DegreeGroup`) and node counts from counters (`CountNodes`).

use std::collections::HashMap;

use crate::ast::{Expr, ExprKind};
use crate::error::Result;
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::expr::GroupKey;
use crate::model::Direction;
use crate::plan::{LogicalPlan, PlanOp};
use crate::value::Value;

/// How one grouping key is computed for a node.
enum KeySource<'p> {
    /// The node itself.
    Node,
    /// `n.key`, read by the store's degree scan (index into the prefetched keys).
    Prefetched(usize),
    /// Anything else: evaluated with the node bound.
    Eval(&'p Expr),
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
    out: std::vec::IntoIter<Row>,
}

impl<'p> DegreeGroup<'p> {
    pub fn new(plan: &'p LogicalPlan, cols: &'p [String], input: BoxOp<'p>) -> Result<Self> {
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
            out: Vec::new().into_iter(),
        })
    }

    /// The group rows for one input row.
    fn groups(&self, ctx: &mut ExecCtx<'_>, row: &Row) -> Result<Vec<Row>> {
        let degrees =
            ctx.read()
                .degrees(self.label, self.direction, &self.types, &self.prefetch)?;
        let mut groups: Vec<(Vec<Value>, i64)> = Vec::new();
        let mut index: HashMap<GroupKey, usize> = HashMap::new();
        if self.keys.is_empty() {
            groups.push((Vec::new(), 0));
        }
        let width = self.prefetch.len();
        let mut scope_row = row.clone();
        scope_row.push(Value::Null);
        for (i, &(node, d)) in degrees.nodes.iter().enumerate() {
            ctx.tick()?;
            let d = i64::try_from(d).unwrap_or(i64::MAX);
            if self.keys.is_empty() {
                groups[0].1 = groups[0].1.saturating_add(d);
                continue;
            }
            let mut kv = Vec::with_capacity(self.keys.len());
            for k in &self.keys {
                kv.push(match k {
                    KeySource::Node => Value::NodeRef(node),
                    KeySource::Prefetched(j) => degrees.values[i * width + j].clone(),
                    KeySource::Eval(e) => {
                        if let Some(last) = scope_row.last_mut() {
                            *last = Value::NodeRef(node);
                        }
                        ctx.eval(e, &self.scope, &scope_row)?
                    }
                });
            }
            let key = crate::exec::project::row_key(&kv);
            match index.get(&key) {
                Some(&g) => groups[g].1 = groups[g].1.saturating_add(d),
                None => {
                    index.insert(key, groups.len());
                    groups.push((kv, d));
                }
            }
        }
        Ok(groups
            .into_iter()
            .map(|(mut kv, d)| {
                kv.extend(std::iter::repeat_n(Value::Int(d), self.counts));
                kv
            })
            .collect())
    }
}

impl Operator for DegreeGroup<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some(r) = self.out.next() {
                return Ok(Some(r));
            }
            let Some(row) = self.input.next(ctx)? else {
                return Ok(None);
            };
            self.out = self.groups(ctx, &row)?.into_iter();
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
