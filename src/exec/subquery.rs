//! Subqueries inside expressions: pattern predicates (`WHERE (a)-->(b)`), pattern
//! comprehensions and `EXISTS { }` / `COUNT { }` / `COLLECT { }`, run read-only per evaluation
//! with the outer variables they see as the argument row. Their plans were made with the
//! statement (`plan/nested.rs`); this finds the one for an expression and runs it.

use std::collections::HashMap;
use std::sync::Arc;

use crate::ast::{Expr, ExprKind, Span, SubqueryKind};
use crate::error::Result;
use crate::exec::{build, ExecCtx};
use crate::expr::Scope;
use crate::plan::builder::{Builder, Catalog};
use crate::plan::nested::{self, SubPlan};
use crate::plan::LogicalPlan;
use crate::value::Value;

/// The nested plans of a statement by (expression span, imports): several when copies of
/// one expression were planned apart, told apart by comparing the expression.
#[derive(Default)]
pub(crate) struct NestedIndex(HashMap<(Span, Vec<String>), Vec<Arc<SubPlan>>>);

impl NestedIndex {
    /// Every nested plan of `plan`, its inner plans and its nested plans.
    pub fn of(plan: &LogicalPlan) -> NestedIndex {
        fn walk(p: &LogicalPlan, into: &mut NestedIndex) {
            for s in &p.nested {
                into.0
                    .entry((s.expr.span, s.imports.clone()))
                    .or_default()
                    .push(s.clone());
                walk(&s.plan, into);
            }
            for i in p.inputs() {
                walk(i, into);
            }
        }
        let mut ix = NestedIndex::default();
        walk(plan, &mut ix);
        ix
    }

    fn find(&self, expr: &Expr, imports: &[String]) -> Option<Arc<SubPlan>> {
        self.0
            .get(&(expr.span, imports.to_vec()))?
            .iter()
            .find(|s| s.expr == *expr)
            .cloned()
    }
}

/// The plan for `expr` with `names` imported when the statement's plan has none (a scope the
/// planner did not foresee): planned here, without the catalog, as a last resort that keeps
/// the answer right.
fn plan_late(expr: &Expr, names: &[String]) -> Result<Arc<SubPlan>> {
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
        aggregated: false,
    };
    Ok(Arc::new(SubPlan {
        expr: expr.clone(),
        imports: names.to_vec(),
        plan: nested::plan_expr(expr, names, &mut b)?,
    }))
}

pub fn evaluate(ctx: &ExecCtx<'_>, expr: &Expr, scope: &dyn Scope) -> Result<Value> {
    let names = nested::imports(expr, &|n| scope.get(n).is_some());
    let key = (expr as *const Expr as usize, names.join("\u{0}"));
    let cached = ctx.subplans.borrow().get(&key).cloned();
    let sub = match cached {
        Some(p) => p,
        None => {
            let p = match ctx.nested.find(expr, &names) {
                Some(p) => p,
                None => plan_late(expr, &names)?,
            };
            ctx.subplans.borrow_mut().insert(key, p.clone());
            p
        }
    };
    let row: Vec<Value> = names
        .iter()
        .map(|n| scope.get(n).cloned().unwrap_or(Value::Null))
        .collect();
    let mut child = ctx.child();
    let mut op = build(&sub.plan, &row, child.profile.is_some())?;
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
