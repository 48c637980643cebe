//! Compile-time checks on a parsed statement, before planning: variable scoping and kinds,
//! aggregation rules, projection and UNION rules, CREATE/MERGE pattern rules and the literal
//! type misuse openCypher rejects statically. Errors carry the TCK detail codes.

use std::collections::HashSet;

use crate::ast::*;
use crate::error::{ErrorClass, Phase, QueryError};
use crate::functions;

mod expr;
use expr::*;

/// What is statically known about a variable or expression.
#[derive(Clone, Debug, PartialEq)]
enum Ty {
    Any,
    Null,
    Bool,
    Int,
    Float,
    Str,
    List(Box<Ty>),
    Map,
    Node,
    Rel,
    /// A variable-length relationship variable (a list of relationships).
    RelList,
    Path,
}

impl Ty {
    fn name(&self) -> &'static str {
        match self {
            Ty::Any => "any value",
            Ty::Null => "null",
            Ty::Bool => "a boolean",
            Ty::Int => "an integer",
            Ty::Float => "a float",
            Ty::Str => "a string",
            Ty::List(_) => "a list",
            Ty::Map => "a map",
            Ty::Node => "a node",
            Ty::Rel => "a relationship",
            Ty::RelList => "a list of relationships",
            Ty::Path => "a path",
        }
    }

    /// Definitely not usable as a boolean operand.
    fn not_boolean(&self) -> bool {
        !matches!(self, Ty::Any | Ty::Null | Ty::Bool)
    }
}

/// Variables in scope, in binding order (RETURN * keeps that order).
#[derive(Clone, Debug, Default)]
struct Scope {
    vars: Vec<(String, Ty)>,
}

impl Scope {
    fn get(&self, name: &str) -> Option<&Ty> {
        self.vars.iter().find(|(n, _)| n == name).map(|(_, t)| t)
    }
    fn bind(&mut self, name: &str, ty: Ty) {
        if let Some(slot) = self.vars.iter_mut().find(|(n, _)| n == name) {
            slot.1 = ty;
        } else {
            self.vars.push((name.to_string(), ty));
        }
    }
}

/// Where an expression sits, which decides what it may contain.
#[derive(Clone, Copy, Default)]
struct Ctx {
    /// Aggregate functions allowed (WITH/RETURN items, ORDER BY of aggregating projections).
    aggregates: bool,
    /// Inside an aggregate's arguments.
    in_aggregate: bool,
    /// Pattern predicates allowed (WHERE, `exists(...)`).
    patterns: bool,
}

fn err(detail: &str, message: impl Into<String>, span: Span) -> QueryError {
    QueryError::syntax(detail, message).at(span)
}

/// Runs all checks on a statement.
pub fn check(stmt: &Statement) -> Result<(), QueryError> {
    match stmt {
        Statement::Query(q) => query(q),
        Statement::Explain(s) | Statement::Profile(s) => check(s),
        _ => Ok(()),
    }
}

fn query(q: &Query) -> Result<(), QueryError> {
    let columns = single_query(&q.first, &Scope::default(), false)?;
    let mut all_kind: Option<bool> = None;
    for (all, sq) in &q.unions {
        if all_kind.is_some_and(|k| k != *all) {
            return Err(err(
                "InvalidClauseComposition",
                "UNION and UNION ALL cannot be mixed in one query",
                sq.span,
            ));
        }
        all_kind = Some(*all);
        let cols = single_query(sq, &Scope::default(), false)?;
        if cols != columns {
            return Err(err(
                "DifferentColumnsInUnion",
                format!(
                    "all queries in a UNION must return the same columns ({} vs {})",
                    columns.join(", "),
                    cols.join(", ")
                ),
                sq.span,
            ));
        }
    }
    Ok(())
}

fn is_updating(c: &Clause) -> bool {
    matches!(
        c,
        Clause::Create(_)
            | Clause::Merge(_)
            | Clause::Set(_)
            | Clause::Remove(_)
            | Clause::Delete(_)
    )
}

/// Checks one single query starting from `outer` (non-empty for EXISTS subqueries) and
/// returns its column names.
fn single_query(
    sq: &SingleQuery,
    outer: &Scope,
    subquery: bool,
) -> Result<Vec<String>, QueryError> {
    let mut scope = outer.clone();
    let mut columns = Vec::new();
    let mut updated = false;
    let n = sq.clauses.len();
    for (i, clause) in sq.clauses.iter().enumerate() {
        if subquery && is_updating(clause) {
            return Err(err(
                "InvalidClauseComposition",
                "an EXISTS subquery cannot update the graph",
                clause.span(),
            ));
        }
        let reading = matches!(clause, Clause::Match(_) | Clause::Unwind(_));
        if reading && updated {
            return Err(err(
                "InvalidClauseComposition",
                "a WITH is required between an updating clause and a reading clause",
                clause.span(),
            ));
        }
        match clause {
            Clause::Match(m) => {
                bind_pattern(&m.pattern, &mut scope, Mode::Match)?;
                if let Some(w) = &m.where_ {
                    where_(w, &scope)?;
                }
            }
            Clause::Unwind(u) => {
                let t = expr(&u.expr, &scope, Ctx::default())?;
                if scope.get(&u.variable.name).is_some() {
                    return Err(already_bound(&u.variable));
                }
                let elem = match t {
                    Ty::List(e) => *e,
                    _ => Ty::Any,
                };
                scope.bind(&u.variable.name, elem);
            }
            Clause::With(w) => {
                updated = false;
                let (next, _) = projection(&w.projection, &scope, true, w.where_.as_ref(), w.span)?;
                scope = next;
            }
            Clause::Return(r) => {
                if i + 1 != n {
                    return Err(err(
                        "InvalidClauseComposition",
                        "RETURN must be the last clause",
                        sq.clauses[i + 1].span(),
                    ));
                }
                let (_, cols) = projection(&r.projection, &scope, false, None, r.span)?;
                columns = cols;
            }
            Clause::Create(c) => {
                updated = true;
                bind_pattern(&c.pattern, &mut scope, Mode::Create)?;
            }
            Clause::Merge(m) => {
                updated = true;
                bind_pattern(std::slice::from_ref(&m.part), &mut scope, Mode::Merge)?;
                for item in m.on_create.iter().chain(&m.on_match) {
                    set_item(item, &scope)?;
                }
            }
            Clause::Set(s) => {
                updated = true;
                for item in &s.items {
                    set_item(item, &scope)?;
                }
            }
            Clause::Remove(r) => {
                updated = true;
                for item in &r.items {
                    match item {
                        RemoveItem::Property { target, .. } => {
                            expr(target, &scope, Ctx::default())?;
                        }
                        RemoveItem::Labels { variable, .. } => {
                            lookup_var(variable, &scope)?;
                        }
                    }
                }
            }
            Clause::Delete(d) => {
                updated = true;
                for e in &d.exprs {
                    if let ExprKind::HasLabels(..) = e.kind {
                        return Err(err(
                            "InvalidDelete",
                            "DELETE takes nodes, relationships or paths, not label expressions; use REMOVE to remove labels",
                            e.span,
                        ));
                    }
                    let t = expr(e, &scope, Ctx::default())?;
                    if matches!(t, Ty::Bool | Ty::Int | Ty::Float | Ty::Str | Ty::Map) {
                        return Err(err(
                            "InvalidArgumentType",
                            format!(
                                "DELETE expects a node, relationship or path, got {}",
                                t.name()
                            ),
                            e.span,
                        ));
                    }
                }
            }
            Clause::Call(c) => {
                if c.yield_star && n > 1 {
                    return Err(err(
                        "UnexpectedSyntax",
                        "YIELD * is only allowed in a standalone CALL",
                        c.span,
                    ));
                }
                call(c, &mut scope)?
            }
        }
    }
    Ok(columns)
}

fn already_bound(v: &Variable) -> QueryError {
    err(
        "VariableAlreadyBound",
        format!("variable `{}` is already bound", v.name),
        v.span,
    )
}

fn lookup_var<'s>(v: &Variable, scope: &'s Scope) -> Result<&'s Ty, QueryError> {
    scope.get(&v.name).ok_or_else(|| undefined(&v.name, v.span))
}

fn undefined(name: &str, span: Span) -> QueryError {
    err(
        "UndefinedVariable",
        format!("variable `{name}` is not defined"),
        span,
    )
}

fn where_(w: &Expr, scope: &Scope) -> Result<(), QueryError> {
    let ctx = Ctx {
        patterns: true,
        ..Ctx::default()
    };
    let t = expr(w, scope, ctx)?;
    if matches!(t, Ty::Node | Ty::Rel | Ty::RelList | Ty::Path) {
        return Err(err(
            "InvalidArgumentType",
            format!("WHERE expects a boolean, got {}", t.name()),
            w.span,
        ));
    }
    Ok(())
}

fn set_item(item: &SetItem, scope: &Scope) -> Result<(), QueryError> {
    let ctx = Ctx::default();
    match item {
        SetItem::Property { target, value, .. } => {
            expr(target, scope, ctx)?;
            expr(value, scope, ctx)?;
        }
        SetItem::Properties {
            variable, value, ..
        } => {
            lookup_var(variable, scope)?;
            expr(value, scope, ctx)?;
        }
        SetItem::Labels { variable, .. } => {
            lookup_var(variable, scope)?;
        }
    }
    Ok(())
}

fn call(c: &Call, scope: &mut Scope) -> Result<(), QueryError> {
    if let Some(args) = &c.args {
        for a in args {
            expr(a, scope, Ctx::default())?;
        }
    }
    if let Some(items) = &c.yields {
        let mut seen = HashSet::new();
        for y in items {
            let var = y.alias.clone().unwrap_or(Variable {
                name: y.column.clone(),
                span: y.span,
            });
            if scope.get(&var.name).is_some() || !seen.insert(var.name.clone()) {
                return Err(already_bound(&var));
            }
        }
        for y in items {
            let name = y.alias.as_ref().map(|a| &a.name).unwrap_or(&y.column);
            scope.bind(name, Ty::Any);
        }
    }
    if let Some(w) = &c.where_ {
        where_(w, scope)?;
    }
    Ok(())
}

// ───────────────────────────── patterns ─────────────────────────────

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Match,
    Create,
    Merge,
    /// A pattern comprehension: binds new variables in its own scope.
    Comprehension,
    /// A pattern predicate: may only use variables already bound.
    Predicate,
}

fn bind_pattern(pattern: &[PatternPart], scope: &mut Scope, mode: Mode) -> Result<(), QueryError> {
    let before = scope.clone();
    let mut rels_here: HashSet<String> = HashSet::new();
    let mut bound_here: HashSet<String> = HashSet::new();
    for part in pattern {
        let el = &part.element;
        let lone = el.chain.is_empty();
        bind_node(&el.start, lone, scope, &before, &mut bound_here, mode)?;
        for (rel, node) in &el.chain {
            bind_rel(rel, scope, &mut rels_here, mode)?;
            bind_node(node, false, scope, &before, &mut bound_here, mode)?;
        }
        if let Some(p) = &part.variable {
            if mode == Mode::Predicate {
                return Err(err(
                    "UnexpectedSyntax",
                    "a pattern predicate cannot name its path",
                    p.span,
                ));
            }
            if scope.get(&p.name).is_some() {
                return Err(already_bound(p));
            }
            scope.bind(&p.name, Ty::Path);
        }
    }
    // Property expressions may refer to anything bound by the pattern itself.
    for part in pattern {
        let el = &part.element;
        let props = std::iter::once(&el.start.properties).chain(
            el.chain
                .iter()
                .flat_map(|(r, n)| [&r.properties, &n.properties]),
        );
        for p in props.flatten() {
            if matches!(mode, Mode::Match | Mode::Merge) {
                if let ExprKind::Parameter(_) = p.kind {
                    return Err(err(
                        "InvalidParameterUse",
                        "a parameter cannot be used as a property map in MATCH or MERGE; write {key: $param.key}",
                        p.span,
                    ));
                }
            }
            expr(p, scope, Ctx::default())?;
        }
    }
    Ok(())
}

fn bind_node(
    n: &NodePattern,
    lone: bool,
    scope: &mut Scope,
    before: &Scope,
    bound_here: &mut HashSet<String>,
    mode: Mode,
) -> Result<(), QueryError> {
    let Some(v) = &n.variable else {
        return Ok(());
    };
    match scope.get(&v.name) {
        None if mode == Mode::Predicate => Err(undefined(&v.name, v.span)),
        None => {
            scope.bind(&v.name, Ty::Node);
            bound_here.insert(v.name.clone());
            Ok(())
        }
        Some(t) => {
            if !matches!(t, Ty::Node | Ty::Any | Ty::Null) {
                return Err(err(
                    "VariableTypeConflict",
                    format!("variable `{}` is {}, not a node", v.name, t.name()),
                    v.span,
                ));
            }
            let creating = matches!(mode, Mode::Create | Mode::Merge);
            let earlier = before.get(&v.name).is_some() || bound_here.contains(&v.name);
            if creating && earlier && (lone || !n.labels.is_empty() || n.properties.is_some()) {
                return Err(already_bound(v));
            }
            Ok(())
        }
    }
}

fn bind_rel(
    r: &RelPattern,
    scope: &mut Scope,
    rels_here: &mut HashSet<String>,
    mode: Mode,
) -> Result<(), QueryError> {
    let creating = matches!(mode, Mode::Create | Mode::Merge);
    if let Some(v) = &r.variable {
        if creating && scope.get(&v.name).is_some() {
            return Err(already_bound(v));
        }
    }
    if matches!(mode, Mode::Create | Mode::Merge) {
        if r.types.len() != 1 {
            return Err(err(
                "NoSingleRelationshipType",
                "a relationship must have exactly one type to be created",
                r.span,
            ));
        }
        if mode == Mode::Create && r.direction == RelDirection::Undirected {
            return Err(err(
                "RequiresDirectedRelationship",
                "only directed relationships can be created",
                r.span,
            ));
        }
        if r.length.is_some() {
            return Err(err(
                "CreatingVarLength",
                "variable-length relationships cannot be created",
                r.span,
            ));
        }
    }
    let Some(v) = &r.variable else {
        return Ok(());
    };
    let ty = if r.length.is_some() {
        Ty::RelList
    } else {
        Ty::Rel
    };
    match scope.get(&v.name) {
        None if mode == Mode::Predicate => Err(undefined(&v.name, v.span)),
        None => {
            scope.bind(&v.name, ty);
            rels_here.insert(v.name.clone());
            Ok(())
        }
        Some(t) => {
            if !matches!(t, Ty::Rel | Ty::RelList | Ty::Any | Ty::Null | Ty::List(_)) {
                return Err(err(
                    "VariableTypeConflict",
                    format!("variable `{}` is {}, not a relationship", v.name, t.name()),
                    v.span,
                ));
            }
            if matches!(t, Ty::List(_)) && r.length.is_none() {
                return Err(err(
                    "VariableTypeConflict",
                    format!("variable `{}` is a list, not a relationship", v.name),
                    v.span,
                ));
            }
            if matches!(mode, Mode::Create | Mode::Merge) {
                return Err(already_bound(v));
            }
            if rels_here.contains(&v.name) {
                return Err(err(
                    "RelationshipUniquenessViolation",
                    format!(
                        "relationship `{}` cannot be matched twice in one pattern",
                        v.name
                    ),
                    v.span,
                ));
            }
            Ok(())
        }
    }
}

// ───────────────────────────── projections ─────────────────────────────

/// Checks a WITH/RETURN body; returns the scope after it and its column names.
fn projection(
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
    let mut next = Scope::default();
    let mut columns = Vec::new();
    if p.star {
        for (name, ty) in &scope.vars {
            next.bind(name, ty.clone());
            columns.push(name.clone());
        }
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
        ExprKind::ListComprehension {
            variable,
            list,
            predicate,
            projection,
        } => {
            order_expr(list, p, scope, local)?;
            local.push(variable.name.clone());
            for x in predicate.iter().chain(projection.iter()) {
                order_expr(x, p, scope, local)?;
            }
            local.pop();
            Ok(())
        }
        ExprKind::Quantifier {
            variable,
            list,
            predicate,
            ..
        } => {
            order_expr(list, p, scope, local)?;
            local.push(variable.name.clone());
            for x in predicate.iter() {
                order_expr(x, p, scope, local)?;
            }
            local.pop();
            Ok(())
        }
        ExprKind::Reduce { .. }
        | ExprKind::PatternComprehension { .. }
        | ExprKind::PatternPredicate(_)
        | ExprKind::ExistsSubquery(_)
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
        _ => {
            let mut result = Ok(());
            children(e, &mut |c| {
                if result.is_ok() {
                    result = order_expr(c, p, scope, local);
                }
            });
            result
        }
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
        ExprKind::ListComprehension {
            variable,
            list,
            predicate,
            projection,
        } => {
            ambiguous(list, keys, aliases, local)?;
            local.push(variable.name.clone());
            let r = predicate
                .iter()
                .chain(projection.iter())
                .try_for_each(|x| ambiguous(x, keys, aliases, local));
            local.pop();
            r
        }
        ExprKind::Quantifier {
            variable,
            list,
            predicate,
            ..
        } => {
            ambiguous(list, keys, aliases, local)?;
            local.push(variable.name.clone());
            let r = predicate
                .iter()
                .try_for_each(|x| ambiguous(x, keys, aliases, local));
            local.pop();
            r
        }
        ExprKind::Reduce {
            accumulator,
            init,
            variable,
            list,
            expr,
        } => {
            ambiguous(init, keys, aliases, local)?;
            ambiguous(list, keys, aliases, local)?;
            local.push(accumulator.name.clone());
            local.push(variable.name.clone());
            let r = ambiguous(expr, keys, aliases, local);
            local.truncate(local.len() - 2);
            r
        }
        _ => {
            let mut result = Ok(());
            children(e, &mut |c| {
                if result.is_ok() {
                    result = ambiguous(c, keys, aliases, local);
                }
            });
            result
        }
    }
}
