//! Expression subqueries planned with the statement: pattern predicates (`WHERE (a)-->(b)`),
//! pattern comprehensions and `EXISTS { }` / `COUNT { }` / `COLLECT { }` become nested plans held
//! by the operator that evaluates them, planned with the real catalog (indexes, counters) after
//! the optimiser has put every expression where it runs, so EXPLAIN and PROFILE show them.
//!
//! A nested plan starts from an `Argument` row of the outer variables the subquery reads that
//! are in scope where it is evaluated ([`imports`]); the executor computes the same set from the
//! live scope and runs the plan whose expression and imports match (`exec/subquery.rs`).

use std::sync::Arc;

use crate::ast::{
    Clause, Expr, ExprKind, PathKind, PatternElement, PatternPart, ProjectionItem, RemoveItem,
    SingleQuery, SubqueryKind, Variable,
};
use crate::error::{QueryError, Result};
use crate::plan::builder::{Builder, Catalog};
use crate::plan::pattern::PatternPlanner;
use crate::plan::{walk, LogicalPlan, PlanOp};

/// One expression subquery and its plan.
#[derive(Debug)]
pub struct SubPlan {
    /// The subquery expression as the operator holds it (the executor matches on it).
    pub expr: Expr,
    /// The outer variables passed in, sorted: the columns of the plan's `Argument` row.
    pub imports: Vec<String>,
    pub plan: LogicalPlan,
}

impl SubPlan {
    /// The EXPLAIN line above the nested plan, named after Neo4j's nested plan expressions:
    /// `NestedPlanExists` (EXISTS and pattern predicates), `NestedPlanCount`,
    /// `NestedPlanCollect` (COLLECT and pattern comprehensions), with the imported variables.
    pub fn describe(&self) -> String {
        let kind = match &self.expr.kind {
            ExprKind::Subquery(SubqueryKind::Count, _) => "Count",
            ExprKind::Subquery(SubqueryKind::Collect, _)
            | ExprKind::PatternComprehension { .. } => "Collect",
            _ => "Exists",
        };
        format!("NestedPlan{kind}({})", self.imports.join(", "))
    }
}

/// The outer variables `expr` (a subquery expression) reads, of those `in_scope` says are bound
/// where it is evaluated; sorted and without duplicates. Plan time and run time both ask this,
/// so they agree on the argument row.
pub fn imports(expr: &Expr, in_scope: &dyn Fn(&str) -> bool) -> Vec<String> {
    let mut names = walk::variables(expr);
    match &expr.kind {
        ExprKind::PatternComprehension { pattern, .. } => walk::element_vars(pattern, &mut names),
        ExprKind::Subquery(_, q) => {
            for sq in std::iter::once(&q.first).chain(q.unions.iter().map(|(_, s)| s)) {
                walk::query_vars(sq, &mut names);
            }
        }
        _ => {}
    }
    names.sort();
    names.dedup();
    names.retain(|n| in_scope(n));
    names
}

/// Plans every expression subquery of `plan` (and of the nested plans, recursively) with
/// `catalog`, attaching each to the operator that evaluates it. `source` is the text the
/// statement's spans refer to.
pub fn plan_subqueries(plan: &mut LogicalPlan, catalog: &Catalog<'_>, source: &str) -> Result<()> {
    let mut b = Builder {
        source,
        catalog,
        // Hidden names go on from the outer plan's, so EXPLAIN never shows two `anon_1`.
        fresh: last_fresh(plan),
        why: false,
        aggregated: false,
    };
    attach(plan, &mut b)
}

/// The highest number of a hidden helper column (`  what_N`) in `plan`.
fn last_fresh(plan: &LogicalPlan) -> usize {
    let own = plan
        .columns
        .iter()
        .filter(|c| c.starts_with("  "))
        .filter_map(|c| c.rsplit('_').next()?.parse::<usize>().ok())
        .max()
        .unwrap_or(0);
    plan.inputs()
        .into_iter()
        .map(last_fresh)
        .fold(own, usize::max)
}

fn attach(plan: &mut LogicalPlan, b: &mut Builder<'_>) -> Result<()> {
    for input in plan.inputs_mut() {
        attach(input, b)?;
    }
    let scope = scope_columns(plan);
    let mut found = Vec::new();
    for e in own_exprs(&plan.op) {
        find(e, &mut Vec::new(), &mut found);
    }
    for (expr, locals) in found {
        let names = imports(expr, &|n| {
            scope.iter().any(|c| c == n) || locals.iter().any(|l| l == n)
        });
        if plan
            .nested
            .iter()
            .any(|s| s.imports == names && s.expr == *expr)
        {
            continue;
        }
        let mut sub = plan_expr(expr, &names, b)?;
        attach(&mut sub, b)?;
        let sub = SubPlan {
            expr: expr.clone(),
            imports: names,
            plan: sub,
        };
        plan.nested.push(Arc::new(sub));
    }
    Ok(())
}

/// The columns bound where the node's expressions are evaluated: its input's, and for the
/// operators that evaluate against the variables they bind (CREATE and MERGE properties, a
/// relationship's property map, a path search's predicates) its own output's as well.
fn scope_columns(plan: &LogicalPlan) -> Vec<String> {
    let inputs = plan.inputs();
    let mut cols = inputs
        .first()
        .map(|i| i.columns.clone())
        .unwrap_or_default();
    if matches!(
        plan.op,
        PlanOp::Create { .. }
            | PlanOp::Merge { .. }
            | PlanOp::Expand { .. }
            | PlanOp::RelationshipTypeScan { .. }
            | PlanOp::ShortestPath { .. }
            | PlanOp::PathSearch { .. }
    ) {
        cols.extend(plan.columns.iter().cloned());
    }
    cols
}

/// Subquery expressions inside `e` with the expression-local variables (comprehension,
/// quantifier and reduce variables) bound around each; not inside other subqueries, which
/// their own nested plan holds.
fn find<'e>(e: &'e Expr, locals: &mut Vec<String>, out: &mut Vec<(&'e Expr, Vec<String>)>) {
    match &e.kind {
        ExprKind::PatternPredicate(_)
        | ExprKind::PatternComprehension { .. }
        | ExprKind::Subquery(..) => out.push((e, locals.clone())),
        ExprKind::ListComprehension {
            variable,
            list,
            predicate,
            projection,
        } => {
            find(list, locals, out);
            locals.push(variable.name.clone());
            for x in predicate.iter().chain(projection.iter()) {
                find(x, locals, out);
            }
            locals.pop();
        }
        ExprKind::Quantifier {
            variable,
            list,
            predicate,
            ..
        } => {
            find(list, locals, out);
            locals.push(variable.name.clone());
            if let Some(p) = predicate {
                find(p, locals, out);
            }
            locals.pop();
        }
        ExprKind::Reduce {
            accumulator,
            init,
            variable,
            list,
            expr,
        } => {
            find(init, locals, out);
            find(list, locals, out);
            locals.push(accumulator.name.clone());
            locals.push(variable.name.clone());
            find(expr, locals, out);
            locals.truncate(locals.len() - 2);
        }
        _ => {
            for c in walk::children(e) {
                find(c, locals, out);
            }
        }
    }
}

/// The expressions a plan node evaluates itself (not those of its inputs or inner plans).
pub(crate) fn own_exprs(op: &PlanOp) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = Vec::new();
    match op {
        PlanOp::DynamicLabelScan { label, .. } => out.push(&label.expr),
        PlanOp::NodeById { ids, .. } => out.push(ids),
        PlanOp::RelationshipById { ids, spec, .. } => {
            out.push(ids);
            out.extend(spec.properties.iter());
        }
        PlanOp::IndexSeek { value, .. } => out.push(value),
        PlanOp::IndexRangeSeek { seek, .. } => match seek {
            crate::plan::RangeSeek::Range { lower, upper } => {
                out.extend(lower.iter().chain(upper.iter()))
            }
            crate::plan::RangeSeek::Prefix(x)
            | crate::plan::RangeSeek::Contains(x)
            | crate::plan::RangeSeek::Suffix(x) => out.push(x),
        },
        PlanOp::Expand { spec, .. }
        | PlanOp::RelationshipTypeScan { spec, .. }
        | PlanOp::Reach { spec, .. }
        | PlanOp::ShortestPath { spec, .. } => out.extend(spec.properties.iter()),
        PlanOp::PathSearch { spec, .. } => {
            out.extend(spec.predicate.iter());
            out.extend(spec.segments.iter().filter_map(|s| s.predicate.as_ref()));
        }
        PlanOp::Filter { predicate, .. } => out.push(predicate),
        PlanOp::Project { items, .. } => out.extend(items.iter().map(|(_, e)| e)),
        PlanOp::Aggregate { keys, aggs, .. } => {
            out.extend(keys.iter().map(|(_, e)| e));
            out.extend(aggs.iter().flat_map(|a| a.args.iter()));
        }
        PlanOp::DegreeGroup { keys, .. } => out.extend(keys.iter().map(|(_, e)| e)),
        PlanOp::Sort { keys, .. } => out.extend(keys.iter().map(|(e, _)| e)),
        PlanOp::Top { keys, limit, .. } => {
            out.extend(keys.iter().map(|(e, _)| e));
            out.push(limit);
        }
        PlanOp::Skip { count, .. } | PlanOp::Limit { count, .. } => out.push(count),
        PlanOp::Unwind { expr, .. } => out.push(expr),
        PlanOp::Create { parts, .. } => {
            for p in parts {
                element_exprs(&p.element, &mut out);
            }
        }
        PlanOp::Merge {
            part,
            on_create,
            on_match,
            ..
        } => {
            element_exprs(&part.element, &mut out);
            for item in on_create.iter().chain(on_match.iter()) {
                walk::set_item_exprs(item, &mut out);
            }
        }
        PlanOp::SetProps { items, .. } => {
            for item in items {
                walk::set_item_exprs(item, &mut out);
            }
        }
        PlanOp::Remove { items, .. } => {
            for item in items {
                match item {
                    RemoveItem::Property {
                        target,
                        dynamic_key,
                        ..
                    } => {
                        out.push(target);
                        out.extend(dynamic_key.as_deref());
                    }
                    RemoveItem::Labels { dynamic, .. } => out.extend(dynamic.iter()),
                }
            }
        }
        PlanOp::Delete { exprs, .. } => out.extend(exprs.iter()),
        PlanOp::LoadCsv { source, .. } => out.push(source),
        PlanOp::Call { args, .. } => out.extend(args.iter().flatten()),
        PlanOp::Subquery {
            transactions: Some(tx),
            ..
        } => out.extend(tx.batch_size.iter().chain(tx.concurrency.iter())),
        _ => {}
    }
    out
}

fn element_exprs<'a>(p: &'a PatternElement, out: &mut Vec<&'a Expr>) {
    out.extend(p.start.properties.as_ref());
    for (r, n) in &p.chain {
        out.extend(r.properties.as_ref());
        out.extend(n.properties.as_ref());
    }
}

/// The plan of one subquery expression, from an `Argument` row of `bound` (sorted).
pub(crate) fn plan_expr(expr: &Expr, bound: &[String], b: &mut Builder<'_>) -> Result<LogicalPlan> {
    let arg = LogicalPlan::argument(bound.to_vec());
    let part = |el: &PatternElement, var: Option<Variable>| PatternPart {
        variable: var,
        kind: PathKind::Normal,
        element: el.clone(),
        where_: None,
        span: el.span,
    };
    let plan = match &expr.kind {
        ExprKind::PatternPredicate(el) => {
            PatternPlanner::new(b).plan(arg, &[part(el, None)], None)?
        }
        ExprKind::PatternComprehension {
            variable,
            pattern,
            predicate,
            projection,
        } => {
            let p = PatternPlanner::new(b).plan(
                arg,
                &[part(pattern, variable.clone())],
                predicate.as_deref(),
            )?;
            LogicalPlan::new(
                PlanOp::Project {
                    input: Box::new(p),
                    items: vec![("  value".into(), (**projection).clone())],
                    keep: false,
                },
                vec!["  value".into()],
            )
        }
        ExprKind::Subquery(_, q) => {
            // A part without RETURN ends in a Discard: its rows are what counts here.
            let mut part = |sq: &SingleQuery| -> Result<LogicalPlan> {
                let p = b.single(&carry_outer(sq, bound), arg.clone())?;
                Ok(match p.op {
                    PlanOp::Discard { input } => *input,
                    op => LogicalPlan::new(op, p.columns),
                })
            };
            let mut plan = part(&q.first)?;
            for (all, sq) in &q.unions {
                let right = crate::plan::projection::in_order(part(sq)?, &plan.columns);
                // Parts without RETURN produce rows of different helper columns: for UNION
                // they are all the same empty row.
                let (left, right) = if plan.columns != right.columns {
                    (select_none(plan), select_none(right))
                } else {
                    (plan, right)
                };
                let columns = left.columns.clone();
                plan = LogicalPlan::new(
                    PlanOp::Union {
                        left: Box::new(left),
                        right: Box::new(right),
                        all: *all,
                    },
                    columns,
                );
            }
            plan
        }
        _ => return Err(QueryError::unsupported("this subquery expression").into()),
    };
    Ok(crate::plan::optimize::optimize(plan))
}

/// The body of an EXISTS / COUNT / COLLECT subquery with every WITH passing the outer
/// variables `bound` on: Neo4j keeps them visible for the whole body (the semantic pass
/// rejects a WITH that would shadow one). They are constant per evaluation, so as extra
/// grouping keys or DISTINCT columns they change nothing.
fn carry_outer(sq: &SingleQuery, bound: &[String]) -> SingleQuery {
    let mut sq = sq.clone();
    for c in &mut sq.clauses {
        let Clause::With(w) = c else { continue };
        if w.projection.star {
            continue;
        }
        for name in bound {
            if w.projection.items.iter().any(|i| i.name() == *name) {
                continue;
            }
            let span = w.span;
            w.projection.items.push(ProjectionItem {
                expr: Expr {
                    kind: ExprKind::Variable(name.clone()),
                    span,
                },
                alias: Some(Variable {
                    name: name.clone(),
                    span,
                }),
                text: name.clone(),
            });
        }
    }
    sq
}

/// `plan` with no columns (its rows become empty rows).
fn select_none(plan: LogicalPlan) -> LogicalPlan {
    LogicalPlan::new(
        PlanOp::Select {
            input: Box::new(plan),
            count: 0,
        },
        Vec::new(),
    )
}
