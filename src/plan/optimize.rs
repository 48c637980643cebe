//! Pure rewrite passes over a logical plan, applied in a fixed order after building:
//! 1. `count(*)` per node over `(n)-->()` → per-node degrees in one adjacency pass, and
//!    `count(n)` over a node or label scan → the counter (`counts.rs`);
//! 2. `count(x)` over a single expansion → the start node's degree (no edge decoding);
//! 3. a variable-length expansion whose relationships and path are never observed, under an
//!    aggregation that only sees distinct end nodes → a breadth-first reach with a visited set.
//! 4. `ORDER BY n.p LIMIT k` over a `STARTS WITH` seek of n.p's index → a plain limit: the
//!    seek yields its rows in that order already, so the scan stops after k rows.

use crate::ast::{Expr, ExprKind};
use crate::model::Direction;
use crate::plan::{counts, walk};
use crate::plan::{is_hidden, AggSpec, ExpandSpec, LogicalPlan, PlanOp, RangeSeek};

pub fn optimize(plan: LogicalPlan) -> LogicalPlan {
    transform(plan, &|p| {
        ordered_seek_top(degree_count(counts::count_nodes(counts::degree_group(
            reach(p),
        ))))
    })
}

/// Applies `f` bottom-up to every node.
fn transform(mut plan: LogicalPlan, f: &dyn Fn(LogicalPlan) -> LogicalPlan) -> LogicalPlan {
    for child in plan.inputs_mut() {
        let taken = std::mem::replace(&mut **child, LogicalPlan::argument(Vec::new()));
        **child = transform(taken, f);
    }
    f(plan)
}

fn is_var(e: &Expr, name: &str) -> bool {
    matches!(&e.kind, ExprKind::Variable(v) if v == name)
}

/// `ORDER BY n.p LIMIT k` (ascending, one key) over a prefix seek of the index on n.p, through
/// projections and filters only: the Top becomes a Limit. Only for prefix seeks: every value
/// they yield is a string, and the index's byte order is Cypher's string order (a numeric
/// range is not quite: an integer beyond f64 precision sorts by its f64 there).
fn ordered_seek_top(plan: LogicalPlan) -> LogicalPlan {
    let LogicalPlan { op, columns, .. } = plan;
    match op {
        PlanOp::Top { input, keys, limit }
            if keys.len() == 1 && !keys[0].1 && seek_orders_by(&input, &keys[0].0) =>
        {
            LogicalPlan {
                op: PlanOp::Limit {
                    input,
                    count: limit,
                },
                columns,
                nested: Vec::new(),
            }
        }
        op => LogicalPlan::new(op, columns),
    }
}

/// True when `plan` yields its rows ascending by `key` because they come, in order, from a
/// prefix seek of an index on that property (run once, from the start of the statement).
fn seek_orders_by(plan: &LogicalPlan, key: &Expr) -> bool {
    match &plan.op {
        PlanOp::Project { input, items, .. } => {
            let key = match &key.kind {
                ExprKind::Variable(c) => items
                    .iter()
                    .find(|(name, _)| name == c)
                    .map_or(key, |(_, e)| e),
                _ => key,
            };
            seek_orders_by(input, key)
        }
        PlanOp::Filter { input, .. } => seek_orders_by(input, key),
        PlanOp::IndexRangeSeek {
            input,
            var,
            property,
            seek: RangeSeek::Prefix(_),
            ..
        } => {
            matches!(input.op, PlanOp::Argument)
                && input.columns.is_empty()
                && matches!(&key.kind, ExprKind::Property(t, p) if p == property && is_var(t, var))
        }
        _ => false,
    }
}

/// `MATCH (a)-->(b) RETURN count(b)` → sum of degree(a).
fn degree_count(plan: LogicalPlan) -> LogicalPlan {
    let LogicalPlan { op, columns, .. } = plan;
    let PlanOp::Aggregate { input, keys, aggs } = op else {
        return LogicalPlan::new(op, columns);
    };
    let applies = keys.is_empty()
        && aggs.len() == 1
        && aggs[0].name == "count"
        && !aggs[0].distinct
        && matches!(&input.op, PlanOp::Expand { spec, .. }
            if spec.hops.is_none() && !spec.into && spec.unique_with.is_empty()
                && spec.properties.is_none()
                && !input_binds(&input, &spec.rel)
                && (aggs[0].star || (aggs[0].args.len() == 1
                    && (is_var(&aggs[0].args[0], &spec.to) || is_var(&aggs[0].args[0], &spec.rel)))));
    if !applies {
        return LogicalPlan {
            op: PlanOp::Aggregate { input, keys, aggs },
            columns,
            nested: Vec::new(),
        };
    }
    let PlanOp::Expand { input: inner, spec } = input.op else {
        unreachable!("checked above")
    };
    let deg = "  degree".to_string();
    let mut cols = inner.columns.clone();
    cols.push(deg.clone());
    let dc = LogicalPlan::new(
        PlanOp::DegreeCount {
            input: inner,
            node: spec.from.clone(),
            types: spec.types.clone(),
            direction: spec.direction,
            column: deg.clone(),
        },
        cols,
    );
    let span = aggs[0].args.first().map(|a| a.span).unwrap_or_default();
    LogicalPlan {
        op: PlanOp::Aggregate {
            input: Box::new(dc),
            keys,
            aggs: vec![AggSpec {
                column: aggs[0].column.clone(),
                name: "sum".into(),
                distinct: false,
                args: vec![crate::plan::builder::var_expr(&deg, span)],
                star: false,
            }],
        },
        columns,
        nested: Vec::new(),
    }
}

/// True when the relationship variable was bound before the expansion (then the expansion
/// checks rather than enumerates).
fn input_binds(input: &LogicalPlan, rel: &str) -> bool {
    match &input.op {
        PlanOp::Expand { input, .. } => input.columns.iter().any(|c| c == rel),
        _ => false,
    }
}

/// Aggregation over distinct end nodes of an unobserved var-length expansion → BFS reach.
fn reach(plan: LogicalPlan) -> LogicalPlan {
    let LogicalPlan { op, columns, .. } = plan;
    let PlanOp::Aggregate { input, keys, aggs } = op else {
        return LogicalPlan::new(op, columns);
    };
    let insensitive = aggs
        .iter()
        .all(|a| !a.star && (a.distinct || a.name == "min" || a.name == "max"));
    if !insensitive || !keys.is_empty() {
        return LogicalPlan {
            op: PlanOp::Aggregate { input, keys, aggs },
            columns,
            nested: Vec::new(),
        };
    }
    let input = Box::new(to_reach(*input, &aggs));
    LogicalPlan {
        op: PlanOp::Aggregate { input, keys, aggs },
        columns,
        nested: Vec::new(),
    }
}

fn reach_ok(spec: &ExpandSpec) -> bool {
    let Some(h) = spec.hops else { return false };
    is_hidden(&spec.rel)
        && !spec.into
        && spec.unique_with.is_empty()
        && spec.properties.is_none()
        // With min 0/1 and a directed step, a node is the end of some trail of length within
        // the bounds exactly when its BFS distance is (a shortest walk never repeats a
        // relationship); the start node itself is handled by the operator. Longer minimums
        // or undirected cycles back to the start are not captured by distances: keep them.
        && (h.min == 0 || (h.min == 1 && spec.direction != Direction::Both))
}

fn to_reach(plan: LogicalPlan, aggs: &[AggSpec]) -> LogicalPlan {
    let LogicalPlan { op, columns, .. } = plan;
    match op {
        PlanOp::Filter { input, predicate }
            if !walk::variables(&predicate)
                .iter()
                .any(|v| is_hidden(v) && v.contains("anon_rel")) =>
        {
            LogicalPlan {
                op: PlanOp::Filter {
                    input: Box::new(to_reach(*input, aggs)),
                    predicate,
                },
                columns,
                nested: Vec::new(),
            }
        }
        PlanOp::Expand { input, spec } if reach_ok(&spec) => {
            let uses_rel = aggs.iter().any(|a| {
                a.args
                    .iter()
                    .any(|e| walk::variables(e).contains(&spec.rel))
            });
            if uses_rel {
                return LogicalPlan {
                    op: PlanOp::Expand { input, spec },
                    columns,
                    nested: Vec::new(),
                };
            }
            LogicalPlan {
                op: PlanOp::Reach { input, spec },
                columns,
                nested: Vec::new(),
            }
        }
        op => LogicalPlan::new(op, columns),
    }
}
