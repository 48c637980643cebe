//! Aggregating projections: the part of an item outside its aggregates reads the grouping
//! keys' columns, since the rows they came from are gone after the aggregation.

use crate::ast::{Expr, ExprKind};
use crate::plan::builder::var_expr;
use crate::plan::walk;

/// A grouping key: its column, its text as written (whitespace removed) and the variable
/// it starts from.
struct Key<'a> {
    column: &'a str,
    text: &'a str,
    root: String,
}

/// In `e`, an aggregating item whose aggregate calls are already columns, replaces each
/// grouping key Neo4j 5 recognises there (a variable or a property/map access projected
/// without aggregation, written the same way: `RETURN p.age, p.age - max(f.age)`) with that
/// key's column. `items` are the projection's (column, expression, text); `source` is the
/// query the spans refer to. Inside a comprehension that rebinds a key's variable the name
/// means the local one, so that key is not replaced there.
pub(super) fn read_keys(e: &mut Expr, items: &[(String, Expr, String)], source: &str) {
    let keys: Vec<Key<'_>> = items
        .iter()
        .filter(|(_, k, t)| !t.is_empty() && !crate::functions::has_aggregate(k))
        .filter_map(|(n, k, t)| {
            root(k).map(|root| Key {
                column: n,
                text: t,
                root,
            })
        })
        .collect();
    if !keys.is_empty() {
        let keys: Vec<&Key<'_>> = keys.iter().collect();
        replace(e, &keys, source);
    }
}

fn replace(e: &mut Expr, keys: &[&Key<'_>], source: &str) {
    walk::rewrite(e, &mut |x| {
        if crate::functions::is_aggregate_call(x) {
            return false;
        }
        let visible: Vec<&Key<'_>> = keys
            .iter()
            .copied()
            .filter(|k| !rebinds(x, &k.root))
            .collect();
        if visible.len() != keys.len() {
            // Only the list (and reduce's initial value) is outside the new scope.
            match &mut x.kind {
                ExprKind::ListComprehension {
                    list,
                    predicate,
                    projection,
                    ..
                } => {
                    replace(list, keys, source);
                    for p in predicate.iter_mut().chain(projection.iter_mut()) {
                        replace(p, &visible, source);
                    }
                }
                ExprKind::Quantifier {
                    list, predicate, ..
                } => {
                    replace(list, keys, source);
                    for p in predicate.iter_mut() {
                        replace(p, &visible, source);
                    }
                }
                ExprKind::Reduce {
                    init, list, expr, ..
                } => {
                    replace(init, keys, source);
                    replace(list, keys, source);
                    replace(expr, &visible, source);
                }
                _ => {}
            }
            return false;
        }
        let text: String = source
            .get(x.span.start..x.span.end)
            .unwrap_or("")
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        match keys.iter().find(|k| k.text == text) {
            Some(k) => {
                *x = var_expr(k.column, x.span);
                false
            }
            None => true,
        }
    });
}

/// Whether `x` binds `name` for its sub-expressions (a comprehension, quantifier or reduce).
fn rebinds(x: &Expr, name: &str) -> bool {
    match &x.kind {
        ExprKind::ListComprehension { variable, .. } | ExprKind::Quantifier { variable, .. } => {
            variable.name == name
        }
        ExprKind::Reduce {
            accumulator,
            variable,
            ..
        } => variable.name == name || accumulator.name == name,
        _ => false,
    }
}

/// The variable a recognisable grouping key (`p`, `p.age`, `p.address.city`) starts from.
fn root(e: &Expr) -> Option<String> {
    match &e.kind {
        ExprKind::Variable(v) => Some(v.clone()),
        ExprKind::Property(t, _) => root(t),
        _ => None,
    }
}
