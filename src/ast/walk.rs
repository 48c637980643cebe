//! Generic traversal of expression trees: read-only visits and in-place rewrites.

use crate::ast::{Clause, Expr, ExprKind, MapProjectionItem, PatternElement, SetItem, SingleQuery};

/// Calls `f` on `e` and, when `f` returns true, on its children (pre-order).
pub fn visit(e: &Expr, f: &mut dyn FnMut(&Expr) -> bool) {
    if !f(e) {
        return;
    }
    for c in children(e) {
        visit(c, f);
    }
}

/// The direct sub-expressions of `e` (pattern property maps included).
pub fn children(e: &Expr) -> Vec<&Expr> {
    let mut out: Vec<&Expr> = Vec::new();
    match &e.kind {
        ExprKind::Null
        | ExprKind::Bool(_)
        | ExprKind::Int(_)
        | ExprKind::Float(_)
        | ExprKind::String(_)
        | ExprKind::Parameter(_)
        | ExprKind::Variable(_)
        | ExprKind::CountStar => {}
        ExprKind::List(items) => out.extend(items.iter()),
        ExprKind::Map(items) => out.extend(items.iter().map(|(_, v)| v)),
        ExprKind::Property(b, _) => out.push(b),
        ExprKind::Index(a, b) => {
            out.push(a);
            out.push(b);
        }
        ExprKind::Slice(a, b, c) => {
            out.push(a);
            out.extend(b.as_deref());
            out.extend(c.as_deref());
        }
        ExprKind::Unary(_, a) => out.push(a),
        ExprKind::Binary(_, a, b) => {
            out.push(a);
            out.push(b);
        }
        ExprKind::IsNull { expr, .. }
        | ExprKind::TypeTest { expr, .. }
        | ExprKind::Normalized { expr, .. } => out.push(expr),
        ExprKind::HasLabels(a, _) => out.push(a),
        ExprKind::LabelTest(a, test) => {
            out.push(a);
            out.extend(test.dynamic_exprs());
        }
        ExprKind::Function { args, .. } => out.extend(args.iter()),
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => {
            out.extend(operand.as_deref());
            for (w, t) in whens {
                out.push(w);
                out.push(t);
            }
            out.extend(else_.as_deref());
        }
        ExprKind::ListComprehension {
            list,
            predicate,
            projection,
            ..
        } => {
            out.push(list);
            out.extend(predicate.as_deref());
            out.extend(projection.as_deref());
        }
        ExprKind::PatternComprehension {
            pattern,
            predicate,
            projection,
            ..
        } => {
            pattern_exprs(pattern, &mut out);
            out.extend(predicate.as_deref());
            out.push(projection);
        }
        ExprKind::Quantifier {
            list, predicate, ..
        } => {
            out.push(list);
            out.extend(predicate.as_deref());
        }
        ExprKind::Reduce {
            init, list, expr, ..
        } => {
            out.push(init);
            out.push(list);
            out.push(expr);
        }
        ExprKind::MapProjection { items, .. } => {
            for it in items {
                if let MapProjectionItem::Literal(_, v) = it {
                    out.push(v);
                }
            }
        }
        ExprKind::PatternPredicate(p) => pattern_exprs(p, &mut out),
        ExprKind::Subquery(..) => {}
    }
    out
}

fn pattern_exprs<'a>(p: &'a PatternElement, out: &mut Vec<&'a Expr>) {
    out.extend(p.start.properties.as_ref());
    for (r, n) in &p.chain {
        out.extend(r.properties.as_ref());
        out.extend(n.properties.as_ref());
    }
}

/// Rewrites `e` in place: `f` may replace a node and returns true to descend into the
/// (possibly new) node's children.
pub fn rewrite(e: &mut Expr, f: &mut dyn FnMut(&mut Expr) -> bool) {
    if !f(e) {
        return;
    }
    match &mut e.kind {
        ExprKind::List(items) => items.iter_mut().for_each(|c| rewrite(c, f)),
        ExprKind::Map(items) => items.iter_mut().for_each(|(_, c)| rewrite(c, f)),
        ExprKind::Property(b, _) => rewrite(b, f),
        ExprKind::Index(a, b) => {
            rewrite(a, f);
            rewrite(b, f);
        }
        ExprKind::Slice(a, b, c) => {
            rewrite(a, f);
            if let Some(b) = b {
                rewrite(b, f);
            }
            if let Some(c) = c {
                rewrite(c, f);
            }
        }
        ExprKind::Unary(_, a) => rewrite(a, f),
        ExprKind::Binary(_, a, b) => {
            rewrite(a, f);
            rewrite(b, f);
        }
        ExprKind::IsNull { expr, .. }
        | ExprKind::TypeTest { expr, .. }
        | ExprKind::Normalized { expr, .. } => rewrite(expr, f),
        ExprKind::HasLabels(a, _) => rewrite(a, f),
        ExprKind::LabelTest(a, test) => {
            rewrite(a, f);
            test.dynamic_exprs_mut()
                .into_iter()
                .for_each(|c| rewrite(c, f));
        }
        ExprKind::Function { args, .. } => args.iter_mut().for_each(|c| rewrite(c, f)),
        ExprKind::Case {
            operand,
            whens,
            else_,
        } => {
            if let Some(o) = operand {
                rewrite(o, f);
            }
            for (w, t) in whens {
                rewrite(w, f);
                rewrite(t, f);
            }
            if let Some(x) = else_ {
                rewrite(x, f);
            }
        }
        ExprKind::ListComprehension {
            list,
            predicate,
            projection,
            ..
        } => {
            rewrite(list, f);
            if let Some(p) = predicate {
                rewrite(p, f);
            }
            if let Some(p) = projection {
                rewrite(p, f);
            }
        }
        ExprKind::Quantifier {
            list, predicate, ..
        } => {
            rewrite(list, f);
            if let Some(p) = predicate {
                rewrite(p, f);
            }
        }
        ExprKind::Reduce {
            init, list, expr, ..
        } => {
            rewrite(init, f);
            rewrite(list, f);
            rewrite(expr, f);
        }
        ExprKind::MapProjection { items, .. } => {
            for it in items {
                if let MapProjectionItem::Literal(_, v) = it {
                    rewrite(v, f);
                }
            }
        }
        _ => {}
    }
}

/// Variables referenced anywhere in `e` (free or not; callers use it to decide what a
/// subquery needs from the outer row).
pub fn variables(e: &Expr) -> Vec<String> {
    let mut out = Vec::new();
    visit(e, &mut |x| {
        match &x.kind {
            ExprKind::Variable(v) => out.push(v.clone()),
            ExprKind::MapProjection { variable, items } => {
                out.push(variable.name.clone());
                for it in items {
                    if let MapProjectionItem::Variable(v) = it {
                        out.push(v.name.clone());
                    }
                }
            }
            ExprKind::PatternPredicate(p) => element_vars(p, &mut out),
            ExprKind::PatternComprehension { pattern, .. } => element_vars(pattern, &mut out),
            ExprKind::Subquery(_, q) => {
                for sq in std::iter::once(&q.first).chain(q.unions.iter().map(|(_, s)| s)) {
                    query_vars(sq, &mut out);
                }
            }
            _ => {}
        }
        true
    });
    out
}

/// Variables named in a pattern element.
pub fn element_vars(p: &PatternElement, out: &mut Vec<String>) {
    out.extend(p.start.variable.as_ref().map(|v| v.name.clone()));
    for (r, n) in &p.chain {
        out.extend(r.variable.as_ref().map(|v| v.name.clone()));
        out.extend(n.variable.as_ref().map(|v| v.name.clone()));
    }
}

/// Variables named in a subquery's clauses (patterns and expressions).
pub fn query_vars(sq: &SingleQuery, out: &mut Vec<String>) {
    for c in &sq.clauses {
        match c {
            Clause::Match(m) => {
                for p in &m.pattern {
                    element_vars(&p.element, out);
                    let mut ps = Vec::new();
                    ps.extend(p.element.start.properties.iter());
                    for (r, n) in &p.element.chain {
                        ps.extend(r.properties.iter());
                        ps.extend(n.properties.iter());
                    }
                    for e in ps {
                        out.extend(variables(e));
                    }
                }
                if let Some(w) = &m.where_ {
                    out.extend(variables(w));
                }
            }
            Clause::With(w) => {
                projection_vars(&w.projection, out);
                if let Some(x) = &w.where_ {
                    out.extend(variables(x));
                }
            }
            Clause::Return(r) => projection_vars(&r.projection, out),
            Clause::Unwind(u) => out.extend(variables(&u.expr)),
            Clause::Call(c) => {
                for a in c.args.iter().flatten().chain(c.where_.iter()) {
                    out.extend(variables(a));
                }
            }
            Clause::CallSubquery(c) => {
                for q in
                    std::iter::once(&c.query.first).chain(c.query.unions.iter().map(|(_, q)| q))
                {
                    query_vars(q, out);
                }
            }
            _ => {}
        }
    }
}

/// The variables a WITH or RETURN reads: its items, ORDER BY, SKIP and LIMIT.
fn projection_vars(p: &crate::ast::Projection, out: &mut Vec<String>) {
    for it in &p.items {
        out.extend(variables(&it.expr));
    }
    for s in &p.order_by {
        out.extend(variables(&s.expr));
    }
    for e in p.skip.iter().chain(p.limit.iter()) {
        out.extend(variables(e));
    }
}

/// Defines a function pushing the expressions of a SET item (target, dynamic key, value,
/// dynamic labels) onto `out`, for one kind of borrow. One body serves the planner (which
/// reads them) and the binder (which rewrites them), so a new SET form is added once.
macro_rules! set_item_exprs {
    ($(#[$doc:meta])* $name:ident, ($($mut_:tt)?), $deref:ident, $iter:ident) => {
        $(#[$doc])*
        pub fn $name<'a>(item: &'a $($mut_)? SetItem, out: &mut Vec<&'a $($mut_)? Expr>) {
            match item {
                SetItem::Property {
                    target,
                    dynamic_key,
                    value,
                    ..
                } => {
                    out.push(target);
                    out.extend(dynamic_key.$deref());
                    out.push(value);
                }
                SetItem::Properties { value, .. } => out.push(value),
                SetItem::Labels { dynamic, .. } => out.extend(dynamic.$iter()),
            }
        }
    };
}

set_item_exprs!(
    /// The expressions of a SET item, in the order they are written.
    set_item_exprs,
    (),
    as_deref,
    iter
);
set_item_exprs!(
    /// [`set_item_exprs`] for rewriting them in place.
    set_item_exprs_mut,
    (mut),
    as_deref_mut,
    iter_mut
);
