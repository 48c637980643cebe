//! Provenance plans (`--why`): every row carries the facts it rests on in a hidden column.
//!
//! A row's facts are the nodes and relationships its patterns matched, returned or not. While
//! rows flow between projections those facts are simply columns of the row (named or anonymous
//! pattern variables, paths, lists). So the planner only has to act where a clause drops
//! columns: there it puts a [`PlanOp::Lineage`] under the projection, which prepends ` why`
//! (every fact found anywhere in the input row, the ` why` of earlier projections included),
//! and the projection passes ` why` on. An aggregation unions the ` why` of the rows it
//! aggregates ([`LINEAGE_AGG`]); DISTINCT and UNION become such an aggregation, so rows that
//! differ only in their facts still collapse into one. `CALL { }` needs nothing: its inner
//! RETURN carries its own ` why` next to the outer row's.
//!
//! Plans built this way are never optimized: the count rewrites of `optimize` answer from
//! degrees and counters without visiting the facts.

use crate::ast::{Expr, Span};
use crate::plan::builder::var_expr;
use crate::plan::{AggSpec, LogicalPlan, PlanOp};

/// The hidden column with a row's facts.
pub const WHY: &str = " why";

/// The hidden aggregate that unions the ` why` of a group's rows.
pub const LINEAGE_AGG: &str = " lineage";

/// `plan` with ` why` prepended to its rows.
pub fn lineage(plan: LogicalPlan) -> LogicalPlan {
    let mut columns = vec![WHY.to_string()];
    columns.extend(plan.columns.iter().cloned());
    LogicalPlan::new(
        PlanOp::Lineage {
            input: Box::new(plan),
        },
        columns,
    )
}

/// A projection that replaces the row by `items` followed by ` why`.
pub fn project(plan: LogicalPlan, mut items: Vec<(String, Expr)>) -> LogicalPlan {
    items.push((WHY.to_string(), var_expr(WHY, Span::default())));
    let columns = items.iter().map(|(n, _)| n.clone()).collect();
    LogicalPlan::new(
        PlanOp::Project {
            input: Box::new(lineage(plan)),
            items,
            keep: false,
        },
        columns,
    )
}

/// The first `count` columns of `plan`, followed by ` why`.
pub fn select(plan: LogicalPlan, count: usize) -> LogicalPlan {
    let items = plan.columns[..count.min(plan.columns.len())]
        .iter()
        .map(|c| (c.clone(), var_expr(c, Span::default())))
        .collect();
    project(plan, items)
}

/// The aggregate that computes ` why` for a group.
pub fn lineage_agg() -> AggSpec {
    AggSpec {
        column: WHY.to_string(),
        name: LINEAGE_AGG.to_string(),
        distinct: false,
        args: vec![var_expr(WHY, Span::default())],
        star: false,
    }
}

/// DISTINCT over the columns of `plan` other than ` why`, which is unioned per distinct row.
pub fn distinct(plan: LogicalPlan) -> LogicalPlan {
    let keys: Vec<(String, Expr)> = plan
        .columns
        .iter()
        .filter(|c| *c != WHY)
        .map(|c| (c.clone(), var_expr(c, Span::default())))
        .collect();
    let mut columns: Vec<String> = keys.iter().map(|(n, _)| n.clone()).collect();
    columns.push(WHY.to_string());
    LogicalPlan::new(
        PlanOp::Aggregate {
            input: Box::new(lineage(plan)),
            keys,
            aggs: vec![lineage_agg()],
        },
        columns,
    )
}
