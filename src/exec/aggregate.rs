//! Grouping and aggregation: rows are grouped by the values of the key expressions (with
//! Cypher equivalence, so null groups with null and 1 with 1.0), one aggregator per call.

use std::collections::hash_map::Entry;

use crate::ast::Expr;
use crate::error::Result;
use crate::exec::expand_agg::ExpandGroups;
use crate::exec::group_table::{Group, Table};
use crate::exec::lineage::{Facts, LineageUnion};
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::expr::GroupKey;
use crate::functions::{new_aggregator, Aggregator};
use crate::hash::{FxHashMap, Prehashed};
use crate::plan::{AggSpec, LogicalPlan};
use crate::value::Value;

/// `count(*)`: counts rows, nulls included.
struct CountStar(i64);

impl Aggregator for CountStar {
    fn update(&mut self, _args: &[Value]) -> Result<()> {
        self.0 += 1;
        Ok(())
    }
    fn finish(&mut self) -> Result<Value> {
        Ok(Value::Int(self.0))
    }
}

/// A new group's aggregators, one per aggregate expression.
fn aggregators(aggs: &[AggSpec], why_limit: usize) -> Result<Vec<Box<dyn Aggregator>>> {
    aggs.iter()
        .map(|a| -> Result<Box<dyn Aggregator>> {
            if a.star {
                Ok(Box::new(CountStar(0)))
            } else if a.name == crate::plan::provenance::LINEAGE_AGG {
                Ok(Box::new(LineageUnion(Facts::new(why_limit))))
            } else {
                new_aggregator(&a.name, a.distinct)
            }
        })
        .collect()
}

pub struct Aggregate<'p> {
    /// This aggregation's plan node and its input's (for the parallel path, `parallel.rs`).
    plan: &'p LogicalPlan,
    input_plan: &'p LogicalPlan,
    /// The row the plan's `Argument` leaves produce (a worker rebuilds the input from it).
    arg: Row,
    input: BoxOp<'p>,
    keys: &'p [(String, Expr)],
    aggs: &'p [AggSpec],
    cols: &'p [String],
    out: Option<std::vec::IntoIter<Row>>,
}

impl<'p> Aggregate<'p> {
    pub fn new(
        plan: &'p LogicalPlan,
        input: BoxOp<'p>,
        keys: &'p [(String, Expr)],
        aggs: &'p [AggSpec],
        input_plan: &'p LogicalPlan,
        arg: &Row,
    ) -> Self {
        Aggregate {
            plan,
            input_plan,
            arg: arg.clone(),
            input,
            keys,
            aggs,
            cols: &input_plan.columns,
            out: None,
        }
    }

    fn aggregators(&self, why_limit: usize) -> Result<Vec<Box<dyn Aggregator>>> {
        aggregators(self.aggs, why_limit)
    }

    /// Grouped `count(*)` only (how often each pair occurs, …): one counter per group where
    /// the general path keeps a vector of boxed aggregators, two allocations fewer per group.
    fn fill_counts(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Vec<Row>> {
        let mut groups: Vec<(Vec<Value>, i64)> = Vec::new();
        let mut index: FxHashMap<Prehashed<GroupKey>, usize> = FxHashMap::default();
        let mut kv: Vec<Value> = Vec::with_capacity(self.keys.len());
        while let Some(row) = self.input.next(ctx)? {
            ctx.tick()?;
            kv.clear();
            for (_, e) in self.keys {
                kv.push(ctx.eval(e, self.cols, &row)?);
            }
            match index.entry(Prehashed::new(crate::exec::project::row_key(&kv))) {
                Entry::Occupied(o) => groups[*o.get()].1 += 1,
                Entry::Vacant(v) => {
                    v.insert(groups.len());
                    groups.push((kv.clone(), 1));
                }
            }
        }
        Ok(groups
            .into_iter()
            .map(|(mut kv, n)| {
                kv.extend(self.aggs.iter().map(|_| Value::Int(n)));
                kv
            })
            .collect())
    }

    fn fill(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Vec<Row>> {
        if ctx.threads > 1 {
            let par = crate::exec::parallel::run(
                self.plan,
                self.input_plan,
                self.keys,
                self.aggs,
                &self.arg,
                ctx,
            )?;
            if let Some(rows) = par {
                return Ok(rows);
            }
        }
        // Not under PROFILE: it counts each operator's rows, so the operators must run.
        let fused = match ctx.profile {
            None => ExpandGroups::of(self.input_plan, self.keys, self.aggs),
            Some(_) => None,
        };
        if let Some(fused) = fused {
            let (aggs, why_limit) = (self.aggs, ctx.why_limit);
            let mut table = Table::new(|| aggregators(aggs, why_limit));
            fused.run(ctx, &self.arg, &mut table)?;
            return finish(table.groups, self.keys.is_empty(), aggs, why_limit);
        }
        if !self.keys.is_empty() && self.aggs.iter().all(|a| a.star) {
            return self.fill_counts(ctx);
        }
        let mut groups: Vec<Group> = Vec::new();
        let mut index: FxHashMap<Prehashed<GroupKey>, usize> = FxHashMap::default();
        let mut args: Vec<Value> = Vec::new();
        // The key values of the current row; copied into a group only when it is new.
        let mut kv: Vec<Value> = Vec::with_capacity(self.keys.len());
        while let Some(row) = self.input.next(ctx)? {
            ctx.tick()?;
            let g = if self.keys.is_empty() {
                if groups.is_empty() {
                    groups.push((Vec::new(), self.aggregators(ctx.why_limit)?));
                }
                0
            } else {
                kv.clear();
                for (_, e) in self.keys {
                    kv.push(ctx.eval(e, self.cols, &row)?);
                }
                match index.entry(Prehashed::new(crate::exec::project::row_key(&kv))) {
                    Entry::Occupied(o) => *o.get(),
                    Entry::Vacant(v) => {
                        v.insert(groups.len());
                        groups.push((kv.clone(), self.aggregators(ctx.why_limit)?));
                        groups.len() - 1
                    }
                }
            };
            for (i, a) in self.aggs.iter().enumerate() {
                args.clear();
                for e in &a.args {
                    args.push(ctx.eval(e, self.cols, &row)?);
                }
                groups[g].1[i].update(&args)?;
            }
        }
        finish(groups, self.keys.is_empty(), self.aggs, ctx.why_limit)
    }
}

/// The aggregation's rows: each group's key values and aggregate values, in group order (a
/// global aggregation over no rows has its one group all the same).
fn finish(
    mut groups: Vec<Group>,
    global: bool,
    aggs: &[AggSpec],
    why_limit: usize,
) -> Result<Vec<Row>> {
    if groups.is_empty() && global {
        groups.push((Vec::new(), aggregators(aggs, why_limit)?));
    }
    crate::exec::group_table::finish_groups(groups)
}

impl Operator for Aggregate<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        if self.out.is_none() {
            let rows = self.fill(ctx)?;
            self.out = Some(rows.into_iter());
        }
        Ok(self.out.as_mut().and_then(|o| o.next()))
    }
}
