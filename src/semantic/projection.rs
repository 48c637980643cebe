//! WITH/RETURN checks: aliases, aggregation and grouping keys, `*`, DISTINCT, ORDER BY scope,
//! and constant SKIP/LIMIT.

use super::*;

/// Checks a WITH/RETURN body; returns the scope after it and its column names.
pub(super) fn projection(
    p: &Projection,
    scope: &Scope,
    is_with: bool,
    where_clause: Option<&Expr>,
    span: Span,
) -> Result<(Scope, Vec<String>), QueryError> {
    if p.star && !is_with && scope.vars.is_empty() {
        return Err(err(
            "NoVariablesInScope",
            "`RETURN *` is not allowed when there are no variables in scope",
            span,
        ));
    }
    let item_ctx = Ctx {
        aggregates: true,
        ..Ctx::default()
    };
    let mut types = Vec::new();
    for item in &p.items {
        types.push(expr(&item.expr, scope, item_ctx)?);
    }
    let aggregating = p.items.iter().any(|i| has_aggregate(&i.expr));
    // Grouping keys usable next to aggregates: variables and property lookups.
    let keys: Vec<&Expr> = p
        .items
        .iter()
        .filter(|i| !has_aggregate(&i.expr) && is_simple_key(&i.expr))
        .map(|i| &i.expr)
        .collect();
    if aggregating {
        for item in p.items.iter().filter(|i| has_aggregate(&i.expr)) {
            ambiguous(&item.expr, &keys, &[], &mut Vec::new())?;
        }
    }
    let mut next = scope.empty();
    let mut columns = Vec::new();
    if p.star {
        for (name, ty) in &scope.vars {
            next.bind(name, ty.clone());
            columns.push(name.clone());
        }
        // What the planner gets instead of the `*` (`bind.rs`): the names sorted, as Neo4j
        // shows them.
        let mut names = columns.clone();
        names.sort();
        names.dedup();
        scope.stars.borrow_mut().entry(span).or_insert(names);
    }
    // Reported after ORDER BY, whose errors the TCK expects first.
    let mut alias_error = None;
    for (item, ty) in p.items.iter().zip(types) {
        if is_with
            && alias_error.is_none()
            && item.alias.is_none()
            && !matches!(item.expr.kind, ExprKind::Variable(_))
        {
            alias_error = Some(err(
                "NoExpressionAlias",
                format!(
                    "expression `{}` in WITH must be aliased (use AS)",
                    item.text
                ),
                item.expr.span,
            ));
        }
        let name = match (&item.alias, &item.expr.kind) {
            (Some(a), _) => a.name.clone(),
            (None, ExprKind::Variable(v)) => v.clone(),
            (None, _) => item.text.clone(),
        };
        if columns.contains(&name) {
            return Err(err(
                "ColumnNameConflict",
                format!("multiple result columns named `{name}`"),
                item.alias
                    .as_ref()
                    .map(|a| a.span)
                    .unwrap_or(item.expr.span),
            ));
        }
        next.bind(&name, ty);
        columns.push(name);
    }
    // ORDER BY sees the projected names, and the incoming variables unless the projection
    // aggregates or is DISTINCT; WITH … WHERE sees incoming variables unless it aggregates.
    let mut wide = next.clone();
    if !aggregating {
        for (name, ty) in &scope.vars {
            if wide.get(name).is_none() {
                wide.bind(name, ty.clone());
            }
        }
    }
    let order_scope = if p.distinct { &next } else { &wide };
    let aliases: Vec<String> = next.vars.iter().map(|(n, _)| n.clone()).collect();
    for s in &p.order_by {
        let agg = has_aggregate(&s.expr);
        if agg && !aggregating {
            return Err(err(
                "InvalidAggregation",
                "aggregate functions in ORDER BY need an aggregating projection",
                s.expr.span,
            ));
        }
        order_expr(&s.expr, p, order_scope, &mut Vec::new())?;
        if agg {
            ambiguous(&s.expr, &keys, &aliases, &mut Vec::new())?;
        }
        // Functions, arity and literal types, with every name that could be meant in scope.
        let mut everything = scope.clone();
        for (name, ty) in &next.vars {
            everything.bind(name, ty.clone());
        }
        let ctx = Ctx {
            aggregates: aggregating,
            ..Ctx::default()
        };
        expr(&s.expr, &everything, ctx)?;
    }
    if let Some(e) = alias_error {
        return Err(e);
    }
    for e in p.skip.iter().chain(p.limit.iter()) {
        constant_count(e)?;
    }
    if let Some(w) = where_clause {
        where_(w, &wide)?;
    }
    Ok((next, columns))
}

/// SKIP/LIMIT: a constant, non-negative integer.
fn constant_count(e: &Expr) -> Result<(), QueryError> {
    if has_variables(e) {
        return Err(err(
            "NonConstantExpression",
            "SKIP and LIMIT must be constant expressions (literals or parameters)",
            e.span,
        ));
    }
    match &e.kind {
        ExprKind::Int(v) if *v < 0 => Err(err(
            "NegativeIntegerArgument",
            format!("SKIP and LIMIT must not be negative, got {v}"),
            e.span,
        )),
        ExprKind::Float(_)
        | ExprKind::String(_)
        | ExprKind::Bool(_)
        | ExprKind::List(_)
        | ExprKind::Map(_) => Err(err(
            "InvalidArgumentType",
            "SKIP and LIMIT take an integer",
            e.span,
        )),
        _ => Ok(()),
    }
}

fn is_simple_key(e: &Expr) -> bool {
    match &e.kind {
        ExprKind::Variable(_) => true,
        ExprKind::Property(t, _) => is_simple_key(t),
        _ => false,
    }
}

/// Checks an ORDER BY item: sub-expressions equal to a projected expression stand for that
/// column; anything else must use variables in `scope`.
fn order_expr(
    e: &Expr,
    p: &Projection,
    scope: &Scope,
    local: &mut Vec<String>,
) -> Result<(), QueryError> {
    if local.is_empty() && p.items.iter().any(|i| same(&i.expr, e)) {
        return Ok(());
    }
    match &e.kind {
        ExprKind::Variable(v) => {
            if local.contains(v) || scope.get(v).is_some() {
                Ok(())
            } else {
                Err(undefined(v, e.span))
            }
        }
        ExprKind::Reduce { .. }
        | ExprKind::PatternComprehension { .. }
        | ExprKind::PatternPredicate(_)
        | ExprKind::Subquery(..)
        | ExprKind::MapProjection { .. } => {
            let mut sc = scope.clone();
            for l in local.iter() {
                sc.bind(l, Ty::Any);
            }
            expr(
                e,
                &sc,
                Ctx {
                    aggregates: true,
                    patterns: true,
                    ..Ctx::default()
                },
            )
            .map(|_| ())
        }
        _ => scoped_children(e, local, &mut |c, local| order_expr(c, p, scope, local)),
    }
}

/// Rejects an expression mixing aggregates with non-grouping values: outside aggregate calls
/// it may only use grouping keys (variables or property lookups projected without
/// aggregation), projected aliases (`aliases`, in ORDER BY) and locally bound variables.
fn ambiguous(
    e: &Expr,
    keys: &[&Expr],
    aliases: &[String],
    local: &mut Vec<String>,
) -> Result<(), QueryError> {
    if is_aggregate_call(e) {
        return Ok(());
    }
    if keys.iter().any(|k| same(k, e)) {
        return Ok(());
    }
    let violation = || {
        err(
            "AmbiguousAggregationExpression",
            "next to an aggregate, only grouping keys (variables or properties returned without aggregation) may be used",
            e.span,
        )
    };
    match &e.kind {
        ExprKind::Variable(v) => {
            if local.contains(v) || aliases.contains(v) {
                Ok(())
            } else {
                Err(violation())
            }
        }
        _ => scoped_children(e, local, &mut |c, local| ambiguous(c, keys, aliases, local)),
    }
}
