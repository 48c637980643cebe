//! Counting rewrites: `count(*)` per node over one anonymous expansion → `DegreeGroup`, and
//! `count(n)` over a bare node or label scan → `CountNodes`.

use crate::ast::{Expr, ExprKind};
use crate::plan::walk;
use crate::plan::{AggSpec, LogicalPlan, PlanOp};

/// True when every aggregate is a plain (non-DISTINCT) count that never sees a null: `count(*)`
/// or `count(v)` of a variable in `vars` (pattern variables are bound on every row).
fn plain_counts(aggs: &[AggSpec], vars: &[&str]) -> bool {
    !aggs.is_empty()
        && aggs.iter().all(|a| {
            a.name == "count"
                && !a.distinct
                && (a.star
                    || matches!(a.args.as_slice(),
                        [Expr { kind: ExprKind::Variable(v), .. }] if vars.contains(&v.as_str())))
        })
}

/// The variable and label of a node scan that starts a top-level query.
fn node_scan(plan: &LogicalPlan) -> Option<(&String, Option<&String>)> {
    let (input, var, label) = match &plan.op {
        PlanOp::AllNodesScan { input, var } => (input, var, None),
        PlanOp::LabelScan { input, var, label } => (input, var, Some(label)),
        _ => return None,
    };
    (matches!(input.op, PlanOp::Argument) && input.columns.is_empty()).then_some((var, label))
}

/// `MATCH (n)<--() RETURN f(n) AS k, count(*)`: the other end and the relationship are
/// unobserved, the keys see only `n`, so each node contributes its degree to its group and
/// nodes of degree 0 contribute nothing (they have no rows).
pub fn degree_group(plan: LogicalPlan) -> LogicalPlan {
    let LogicalPlan { op, columns, .. } = plan;
    let PlanOp::Aggregate { input, keys, aggs } = op else {
        return LogicalPlan::new(op, columns);
    };
    let applies = match &input.op {
        PlanOp::Expand { input: scan, spec } => {
            spec.hops.is_none()
                && !spec.into
                && spec.unique_with.is_empty()
                && spec.properties.is_none()
                && node_scan(scan).is_some_and(|(var, _)| *var == spec.from)
                && keys
                    .iter()
                    .all(|(_, e)| walk::variables(e).iter().all(|v| *v == spec.from))
                && plain_counts(&aggs, &[&spec.from, &spec.rel, &spec.to])
        }
        _ => false,
    };
    if !applies {
        return LogicalPlan {
            op: PlanOp::Aggregate { input, keys, aggs },
            columns,
            nested: Vec::new(),
        };
    }
    let PlanOp::Expand { input: scan, spec } = input.op else {
        unreachable!("checked above")
    };
    let (arg, label) = match scan.op {
        PlanOp::AllNodesScan { input, .. } => (input, None),
        PlanOp::LabelScan { input, label, .. } => (input, Some(label)),
        _ => unreachable!("checked above"),
    };
    LogicalPlan {
        op: PlanOp::DegreeGroup {
            input: arg,
            var: spec.from,
            label,
            types: spec.types,
            direction: spec.direction,
            keys,
            counts: aggs.len(),
        },
        columns,
        nested: Vec::new(),
    }
}

/// `MATCH (n:L) RETURN count(n)` → the label's counter.
pub fn count_nodes(plan: LogicalPlan) -> LogicalPlan {
    let LogicalPlan { op, columns, .. } = plan;
    let PlanOp::Aggregate { input, keys, aggs } = op else {
        return LogicalPlan::new(op, columns);
    };
    let applies =
        keys.is_empty() && node_scan(&input).is_some_and(|(var, _)| plain_counts(&aggs, &[var]));
    if !applies {
        return LogicalPlan {
            op: PlanOp::Aggregate { input, keys, aggs },
            columns,
            nested: Vec::new(),
        };
    }
    let (input, var, label) = match input.op {
        PlanOp::AllNodesScan { input, var } => (input, var, None),
        PlanOp::LabelScan { input, var, label } => (input, var, Some(label)),
        _ => unreachable!("checked above"),
    };
    LogicalPlan {
        op: PlanOp::CountNodes { input, var, label },
        columns,
        nested: Vec::new(),
    }
}
