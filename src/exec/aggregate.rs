//! Grouping and aggregation: rows are grouped by the values of the key expressions (with
//! Cypher equivalence, so null groups with null and 1 with 1.0), one aggregator per call.

use crate::ast::Expr;
use crate::error::Result;
use crate::exec::expand_agg::{ExpandGroups, GroupTable, Walk};
use crate::exec::group_table::{Finished, Groups};
use crate::exec::pair_agg::{shares, PairGroups};
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::plan::{AggSpec, LogicalPlan};
use crate::value::Value;

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
    out: Option<Out>,
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

    fn fill(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Out> {
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
                return Ok(Out::One(Box::new(rows)));
            }
        }
        let global = self.keys.is_empty();
        let mut groups = Groups::serial(self.keys.len(), self.aggs, ctx.why_limit);
        // Not under PROFILE: it counts each operator's rows, so the operators must run.
        let fused = match ctx.profile {
            None => ExpandGroups::of(self.input_plan, self.keys, self.aggs),
            Some(_) => None,
        };
        if let Some(fused) = fused {
            fused.run(ctx, &self.arg, &mut groups, &mut Walk::default())?;
            return Ok(Out::One(Box::new(groups.finish(global)?)));
        }
        let pairs = match ctx.profile {
            None => PairGroups::of(self.input_plan, self.keys, self.aggs),
            Some(_) => None,
        };
        if let Some(pairs) = pairs {
            // On the statement's threads, the groups shared out by key, when it qualifies.
            let shared = shares::run(&pairs, self.keys.len(), self.aggs, &self.arg, ctx)?;
            if let Some(rows) = shared {
                return Ok(Out::Shares(rows));
            }
            pairs.run(ctx, &self.arg, &mut groups)?;
            return Ok(Out::One(Box::new(groups.finish(global)?)));
        }
        let mut args: Vec<Value> = Vec::new();
        // The key values of the current row; copied into the table only when new.
        let mut kv: Vec<Value> = Vec::with_capacity(self.keys.len());
        while let Some(row) = self.input.next(ctx)? {
            ctx.tick()?;
            let g = if global && groups.len() == 1 {
                0
            } else {
                kv.clear();
                for (_, e) in self.keys {
                    kv.push(ctx.eval(e, self.cols, &row)?);
                }
                groups.group(&kv)?
            };
            for (i, a) in self.aggs.iter().enumerate() {
                args.clear();
                for e in &a.args {
                    args.push(ctx.eval(e, self.cols, &row)?);
                }
                groups.update(g, i, &args)?;
            }
        }
        Ok(Out::One(Box::new(groups.finish(global)?)))
    }
}

/// The finished groups: one table's, or the shares' of a pair aggregation on several
/// threads (an enum, not a boxed iterator: the next operator reads every row through it).
/// The table is boxed: it is ten times the size of the shares' reader.
enum Out {
    One(Box<Finished>),
    Shares(shares::Interleaved),
}

impl Iterator for Out {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        match self {
            Out::One(rows) => rows.next(),
            Out::Shares(rows) => rows.next(),
        }
    }
}

impl Operator for Aggregate<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        if self.out.is_none() {
            let rows = self.fill(ctx)?;
            self.out = Some(rows);
        }
        Ok(self.out.as_mut().and_then(|o| o.next()))
    }
}
