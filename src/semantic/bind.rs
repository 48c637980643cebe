//! The bound statement the planner takes: the checked AST with every `RETURN *` / `WITH *`
//! replaced by the variables the check found in scope there (sorted by name, as Neo4j shows
//! them), so no later stage works a scope out again.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;

use crate::ast::walk;
use crate::ast::*;

/// The `*` expansions the check records while it walks: the span of the WITH / RETURN clause
/// → the variables in scope there, sorted. Shared by every scope of one check.
pub(super) type Stars = Rc<RefCell<HashMap<Span, Vec<String>>>>;

/// A statement that passed the semantic checks, with its `*` projections expanded: what
/// `plan::build` compiles. **Invariant:** no `Projection` in it (subquery bodies included) has
/// `star` set.
#[derive(Clone, Debug)]
pub struct BoundStatement {
    statement: Statement,
}

impl BoundStatement {
    pub fn statement(&self) -> &Statement {
        &self.statement
    }

    /// Expands the stars `stars` recorded for `statement`.
    pub(super) fn new(mut statement: Statement, stars: &HashMap<Span, Vec<String>>) -> Self {
        statement_stars(&mut statement, stars);
        BoundStatement { statement }
    }
}

fn statement_stars(s: &mut Statement, stars: &HashMap<Span, Vec<String>>) {
    match s {
        Statement::Query(q) => query(q, stars),
        Statement::Explain(s) | Statement::Profile(s) => statement_stars(s, stars),
        _ => {}
    }
}

fn query(q: &mut Query, stars: &HashMap<Span, Vec<String>>) {
    single(&mut q.first, stars);
    for (_, sq) in &mut q.unions {
        single(sq, stars);
    }
}

fn single(sq: &mut SingleQuery, stars: &HashMap<Span, Vec<String>>) {
    for c in &mut sq.clauses {
        clause(c, stars);
    }
}

fn clause(c: &mut Clause, stars: &HashMap<Span, Vec<String>>) {
    let mut exprs: Vec<&mut Expr> = Vec::new();
    match c {
        Clause::Match(m) => {
            for p in &mut m.pattern {
                part_exprs(p, &mut exprs);
            }
            exprs.extend(m.where_.as_mut());
        }
        Clause::Unwind(u) => exprs.push(&mut u.expr),
        Clause::With(w) => {
            expand(&mut w.projection, w.span, stars);
            projection_exprs(&mut w.projection, &mut exprs);
            exprs.extend(w.where_.as_mut());
        }
        Clause::Return(r) => {
            expand(&mut r.projection, r.span, stars);
            projection_exprs(&mut r.projection, &mut exprs);
        }
        Clause::Create(cr) => {
            for p in &mut cr.pattern {
                part_exprs(p, &mut exprs);
            }
        }
        Clause::Merge(m) => {
            part_exprs(&mut m.part, &mut exprs);
            for item in m.on_create.iter_mut().chain(m.on_match.iter_mut()) {
                walk::set_item_exprs_mut(item, &mut exprs);
            }
        }
        Clause::Set(s) => {
            for item in &mut s.items {
                walk::set_item_exprs_mut(item, &mut exprs);
            }
        }
        Clause::Remove(r) => {
            for item in &mut r.items {
                match item {
                    RemoveItem::Property {
                        target,
                        dynamic_key,
                        ..
                    } => {
                        exprs.push(target);
                        exprs.extend(dynamic_key.as_deref_mut());
                    }
                    RemoveItem::Labels { dynamic, .. } => exprs.extend(dynamic.iter_mut()),
                }
            }
        }
        Clause::Delete(d) => exprs.extend(d.exprs.iter_mut()),
        Clause::Call(call) => {
            exprs.extend(call.args.iter_mut().flatten());
            exprs.extend(call.where_.as_mut());
        }
        Clause::Foreach(f) => {
            exprs.push(&mut f.list);
            for c in &mut f.clauses {
                clause(c, stars);
            }
        }
        Clause::LoadCsv(l) => exprs.push(&mut l.source),
        Clause::Finish(_) => {}
        Clause::CallSubquery(cs) => {
            query(&mut cs.query, stars);
            if let Some(tx) = &mut cs.in_transactions {
                exprs.extend(tx.batch_size.as_mut());
                exprs.extend(tx.concurrency.iter_mut().flatten());
            }
        }
    }
    for e in exprs {
        expr(e, stars);
    }
}

/// The subquery bodies inside `e`.
fn expr(e: &mut Expr, stars: &HashMap<Span, Vec<String>>) {
    walk::rewrite(e, &mut |x| {
        match &mut x.kind {
            ExprKind::Subquery(_, q) => query(q, stars),
            ExprKind::PatternPredicate(el) => element_exprs_in(el, stars),
            ExprKind::PatternComprehension { pattern, .. } => element_exprs_in(pattern, stars),
            _ => {}
        }
        true
    });
}

/// A pattern's WHEREs (which `walk::rewrite` does not visit).
fn element_exprs_in(el: &mut PatternElement, stars: &HashMap<Span, Vec<String>>) {
    let mut exprs = Vec::new();
    element_wheres(el, &mut exprs);
    for e in exprs {
        expr(e, stars);
    }
}

/// Replaces a `*` by the variables recorded for the clause at `span`.
fn expand(p: &mut Projection, span: Span, stars: &HashMap<Span, Vec<String>>) {
    if !p.star {
        return;
    }
    let names = stars.get(&span).cloned().unwrap_or_default();
    let items = names.into_iter().map(|name| ProjectionItem {
        // No source text: the planner reads a variable's name as its text.
        expr: Expr {
            kind: ExprKind::Variable(name.clone()),
            span: Span::default(),
        },
        alias: None,
        text: name,
    });
    p.items.splice(0..0, items);
    p.star = false;
}

fn projection_exprs<'a>(p: &'a mut Projection, out: &mut Vec<&'a mut Expr>) {
    out.extend(p.items.iter_mut().map(|i| &mut i.expr));
    out.extend(p.order_by.iter_mut().map(|s| &mut s.expr));
    out.extend(p.skip.as_mut());
    out.extend(p.limit.as_mut());
}

fn part_exprs<'a>(p: &'a mut PatternPart, out: &mut Vec<&'a mut Expr>) {
    out.extend(p.where_.as_deref_mut());
    element_props(&mut p.element, out);
}

/// A pattern element's property maps and WHEREs, quantified paths included.
fn element_props<'a>(el: &'a mut PatternElement, out: &mut Vec<&'a mut Expr>) {
    out.extend(el.start.properties.as_mut());
    out.extend(el.start.where_.as_deref_mut());
    for (r, n) in &mut el.chain {
        out.extend(r.properties.as_mut());
        out.extend(r.where_.as_deref_mut());
        if let Some(q) = &mut r.quantified {
            out.extend(q.where_.as_deref_mut());
            element_props(&mut q.element, out);
        }
        out.extend(n.properties.as_mut());
        out.extend(n.where_.as_deref_mut());
    }
}

/// The WHEREs of a pattern element (its property maps are expression children already).
fn element_wheres<'a>(el: &'a mut PatternElement, out: &mut Vec<&'a mut Expr>) {
    out.extend(el.start.where_.as_deref_mut());
    for (r, n) in &mut el.chain {
        out.extend(r.where_.as_deref_mut());
        if let Some(q) = &mut r.quantified {
            out.extend(q.where_.as_deref_mut());
            element_props(&mut q.element, out);
        }
        out.extend(n.where_.as_deref_mut());
    }
}
