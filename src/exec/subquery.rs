//! Subqueries inside expressions: pattern predicates (`WHERE (a)-->(b)`), pattern
//! comprehensions and `EXISTS { }` / `COUNT { }` / `COLLECT { }`, planned on first use with the outer variables they
//! see as arguments, then run read-only per evaluation.

use std::rc::Rc;

use crate::ast::{
    Clause, Expr, ExprKind, PathKind, PatternPart, ProjectionItem, SingleQuery, SubqueryKind,
    Variable,
};
use crate::error::Result;
use crate::exec::{build, ExecCtx};
use crate::expr::Scope;
use crate::plan::build::{Builder, Catalog};
use crate::plan::pattern::PatternPlanner;
use crate::plan::walk;
use crate::plan::{LogicalPlan, PlanOp};
use crate::value::Value;

fn plan_for(expr: &Expr, bound: &[String]) -> Result<LogicalPlan> {
    let no_proc = |_: &str| None;
    let catalog = Catalog {
        indexes: &[],
        procedure: &no_proc,
        counts: None,
    };
    let mut b = Builder {
        source: "",
        catalog: &catalog,
        fresh: 0,
        why: false,
    };
    let arg = LogicalPlan::argument(bound.to_vec());
    let part = |el: &crate::ast::PatternElement, var: Option<crate::ast::Variable>| PatternPart {
        variable: var,
        kind: PathKind::Normal,
        element: el.clone(),
        where_: None,
        span: el.span,
    };
    let plan = match &expr.kind {
        ExprKind::PatternPredicate(el) => {
            PatternPlanner::new(&mut b).plan(arg, &[part(el, None)], None)?
        }
        ExprKind::PatternComprehension {
            variable,
            pattern,
            predicate,
            projection,
        } => {
            let p = PatternPlanner::new(&mut b).plan(
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
                    op => LogicalPlan {
                        op,
                        columns: p.columns,
                    },
                })
            };
            let mut plan = part(&q.first)?;
            for (all, sq) in &q.unions {
                let right = crate::plan::build::in_order(part(sq)?, &plan.columns);
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
        _ => return Err(crate::error::QueryError::unsupported("this subquery expression").into()),
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

pub fn evaluate(ctx: &ExecCtx<'_>, expr: &Expr, scope: &dyn Scope) -> Result<Value> {
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
    names.retain(|n| scope.get(n).is_some());
    let key = (expr as *const Expr as usize, names.join("\u{0}"));
    let cached = ctx.subplans.borrow().get(&key).cloned();
    let plan = match cached {
        Some(p) => p,
        None => {
            let p = Rc::new(plan_for(expr, &names)?);
            ctx.subplans.borrow_mut().insert(key, p.clone());
            p
        }
    };
    let row: Vec<Value> = names
        .iter()
        .map(|n| scope.get(n).cloned().unwrap_or(Value::Null))
        .collect();
    let mut child = ctx.child();
    let mut op = build(&plan, &row, false)?;
    match &expr.kind {
        ExprKind::PatternComprehension { .. } => {
            let mut out = Vec::new();
            while let Some(mut r) = op.next(&mut child)? {
                out.push(r.swap_remove(0));
            }
            Ok(Value::List(out))
        }
        ExprKind::Subquery(SubqueryKind::Count, _) => {
            let mut n: i64 = 0;
            while op.next(&mut child)?.is_some() {
                n += 1;
            }
            Ok(Value::Int(n))
        }
        ExprKind::Subquery(SubqueryKind::Collect, _) => {
            let mut out = Vec::new();
            while let Some(mut r) = op.next(&mut child)? {
                if !r.is_empty() {
                    out.push(r.swap_remove(0));
                }
            }
            Ok(Value::List(out))
        }
        _ => Ok(Value::Bool(op.next(&mut child)?.is_some())),
    }
}
