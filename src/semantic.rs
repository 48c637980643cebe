//! Compile-time checks on a parsed statement, before planning: variable scoping and kinds,
//! aggregation rules, projection and UNION rules, CREATE/MERGE pattern rules and the literal
//! type misuse openCypher rejects statically. Errors carry the TCK detail codes.

use std::collections::HashSet;

use crate::ast::*;
use crate::error::{ErrorClass, Phase, QueryError};
use crate::functions;

mod bind;
mod expr;
mod pattern;
mod projection;
mod transactions;
use expr::*;
use pattern::*;
use projection::*;

pub use bind::BoundStatement;

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

/// Variables in scope, in binding order.
#[derive(Clone, Debug, Default)]
struct Scope {
    vars: Vec<(String, Ty)>,
    /// Where the `*` expansions found go (one collector for the whole statement).
    stars: bind::Stars,
}

impl Scope {
    /// A scope with no variables that records into the same collector.
    fn empty(&self) -> Scope {
        Scope {
            vars: Vec::new(),
            stars: self.stars.clone(),
        }
    }

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
    check_in(stmt, &Scope::default())
}

/// Checks `stmt` and hands the planner its bound form (`*` projections expanded).
pub fn bind(stmt: Statement) -> Result<BoundStatement, QueryError> {
    let root = Scope::default();
    check_in(&stmt, &root)?;
    let stars = root.stars.borrow();
    Ok(BoundStatement::new(stmt, &stars))
}

fn check_in(stmt: &Statement, root: &Scope) -> Result<(), QueryError> {
    match stmt {
        Statement::Query(q) => {
            transactions::check_query(q)?;
            query(q, root)
        }
        Statement::Explain(s) | Statement::Profile(s) => check_in(s, root),
        _ => Ok(()),
    }
}

fn query(q: &Query, root: &Scope) -> Result<(), QueryError> {
    let columns = single_query(&q.first, root, false)?;
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
        let cols = single_query(sq, root, false)?;
        if !same_columns(&cols, &columns) {
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
            | Clause::Foreach(_)
    )
}

/// The clause a query may end with: RETURN, an updating clause, a unit subquery or a CALL
/// (openCypher: a reading clause at the end would compute rows nobody sees).
fn may_conclude(c: &Clause) -> bool {
    is_updating(c) || matches!(c, Clause::Return(_) | Clause::Call(_) | Clause::Finish(_))
}

fn clause_name(c: &Clause) -> &'static str {
    match c {
        Clause::Match(m) if m.optional => "OPTIONAL MATCH",
        Clause::Match(_) => "MATCH",
        Clause::Unwind(_) => "UNWIND",
        Clause::With(_) => "WITH",
        Clause::LoadCsv(_) => "LOAD CSV",
        Clause::CallSubquery(_) => "a CALL { } that returns rows",
        _ => "this clause",
    }
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
    // Set by a unit subquery (no RETURN), the one kind of CALL { } a query may end with.
    let mut unit_subquery = false;
    let n = sq.clauses.len();
    for (i, clause) in sq.clauses.iter().enumerate() {
        if subquery && is_updating(clause) {
            return Err(err(
                "InvalidClauseComposition",
                "a subquery expression (EXISTS, COUNT or COLLECT { }) cannot update the graph",
                clause.span(),
            ));
        }
        let reading = matches!(
            clause,
            Clause::Match(_) | Clause::Unwind(_) | Clause::LoadCsv(_)
        );
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
                if subquery {
                    no_shadowing(&w.projection, outer)?;
                }
                let where_here = if subquery { None } else { w.where_.as_ref() };
                let (mut next, _) = projection(&w.projection, &scope, true, where_here, w.span)?;
                if subquery {
                    // Neo4j: the outer variables stay visible for the whole EXISTS / COUNT /
                    // COLLECT body, also past a WITH that does not project them (and in its
                    // WHERE, which otherwise sees the incoming variables unless it aggregates).
                    for (name, ty) in &outer.vars {
                        if next.get(name).is_none() {
                            next.bind(name, ty.clone());
                        }
                    }
                    if let Some(wh) = &w.where_ {
                        let mut wide = next.clone();
                        if !w.projection.items.iter().any(|i| has_aggregate(&i.expr)) {
                            for (name, ty) in &scope.vars {
                                if wide.get(name).is_none() {
                                    wide.bind(name, ty.clone());
                                }
                            }
                        }
                        where_(wh, &wide)?;
                    }
                }
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
                        RemoveItem::Property {
                            target,
                            dynamic_key,
                            ..
                        } => {
                            expr(target, &scope, Ctx::default())?;
                            if let Some(k) = dynamic_key {
                                expr(k, &scope, Ctx::default())?;
                            }
                        }
                        RemoveItem::Labels {
                            variable, dynamic, ..
                        } => {
                            lookup_var(variable, &scope)?;
                            for d in dynamic {
                                expr(d, &scope, Ctx::default())?;
                            }
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
            Clause::Foreach(f) => {
                updated = true;
                foreach(f, &scope)?;
            }
            Clause::LoadCsv(l) => {
                expr(&l.source, &scope, Ctx::default())?;
                if let Some(t) = &l.terminator {
                    if t.len() != 1 {
                        return Err(err(
                            "InvalidArgumentValue",
                            format!("FIELDTERMINATOR must be a single ASCII character, got {t:?}"),
                            l.span,
                        ));
                    }
                }
                if scope.get(&l.variable.name).is_some() {
                    return Err(already_bound(&l.variable));
                }
                let row = if l.headers {
                    Ty::Map
                } else {
                    Ty::List(Box::new(Ty::Any))
                };
                scope.bind(&l.variable.name, row);
            }
            Clause::Finish(span) => {
                if i + 1 < n {
                    return Err(err(
                        "InvalidClauseComposition",
                        "FINISH can only be the last clause of a query",
                        *span,
                    ));
                }
            }
            Clause::CallSubquery(c) => {
                let mut added = call_subquery(c, &scope)?;
                unit_subquery = added.is_empty();
                if let Some(s) = c.in_transactions.as_ref().and_then(|t| t.report.as_ref()) {
                    added.push(s.name.clone());
                }
                for col in added {
                    if scope.get(&col).is_some() {
                        return Err(err(
                            "VariableAlreadyBound",
                            format!("variable `{col}` returned by the subquery is already bound outside it"),
                            c.span,
                        ));
                    }
                    scope.bind(&col, Ty::Any);
                }
            }
        }
    }
    if !subquery {
        if let Some(last) = sq
            .clauses
            .last()
            .filter(|c| !(may_conclude(c) || unit_subquery && matches!(c, Clause::CallSubquery(_))))
        {
            return Err(err(
                "InvalidClauseComposition",
                format!(
                    "a query cannot end with {}; finish it with RETURN, an updating clause or a CALL",
                    clause_name(last)
                ),
                last.span(),
            ));
        }
    }
    Ok(columns)
}

/// FOREACH: the list is checked in the outer scope; its clauses see the outer variables plus
/// the element variable, may only update, and bind nothing outside.
fn foreach(f: &Foreach, scope: &Scope) -> Result<(), QueryError> {
    expr(&f.list, scope, Ctx::default())?;
    if scope.get(&f.variable.name).is_some() {
        return Err(already_bound(&f.variable));
    }
    let mut inner = scope.clone();
    inner.bind(&f.variable.name, Ty::Any);
    for c in &f.clauses {
        if !is_updating(c) {
            return Err(err(
                "InvalidClauseComposition",
                "FOREACH may only contain updating clauses (CREATE, MERGE, SET, REMOVE, DELETE, FOREACH)",
                c.span(),
            ));
        }
    }
    let body = SingleQuery {
        clauses: f.clauses.clone(),
        span: f.span,
    };
    single_query(&body, &inner, false).map(|_| ())
}

/// `CALL { … }`: each UNION part starts from the variables it imports; returns the columns the
/// subquery adds to the outer rows (none for a unit subquery).
fn call_subquery(c: &CallSubquery, scope: &Scope) -> Result<Vec<String>, QueryError> {
    if let Some(SubqueryScope::Vars(vars)) = &c.scope {
        for v in vars {
            lookup_var(v, scope)?;
        }
    }
    for sq in std::iter::once(&c.query.first).chain(c.query.unions.iter().map(|(_, q)| q)) {
        call_subquery_part(c, sq, scope)?;
    }
    let outer: Vec<String> = scope.vars.iter().map(|(n, _)| n.clone()).collect();
    let imports = c.imports(&outer);
    let columns = single_query(
        &c.query.first,
        &part_scope(c, &c.query.first, scope, &imports),
        false,
    )?;
    for (_, sq) in &c.query.unions {
        let part = single_query(sq, &part_scope(c, sq, scope, &imports), false)?;
        if !same_columns(&part, &columns) {
            return Err(err(
                "DifferentColumnsInUnion",
                "all queries in a UNION must return the same columns",
                sq.span,
            ));
        }
    }
    Ok(columns)
}

/// What one part of a `CALL { }` sees of the outer scope. With a scope clause (`CALL (x) { }`)
/// every part sees what it names; without one, each UNION part sees only what its own leading
/// `WITH` imports (Neo4j 5: a part that uses an outer variable it never imported is an
/// undefined variable, even if another part imports it). `imports` is what the subquery
/// imports as a whole (`CallSubquery::imports`, what the executor passes in).
fn part_scope(c: &CallSubquery, sq: &SingleQuery, scope: &Scope, imports: &[String]) -> Scope {
    let mut inner = scope.empty();
    let leading = match sq.clauses.first() {
        Some(Clause::With(w)) => Some(&w.projection),
        _ => None,
    };
    for name in imports {
        let imported = c.scope.is_some()
            || leading.is_some_and(|p| {
                p.star
                    || p.items
                        .iter()
                        .any(|i| matches!(&i.expr.kind, ExprKind::Variable(v) if v == name))
            });
        if let (true, Some(t)) = (imported, scope.get(name)) {
            inner.bind(name, t.clone());
        }
    }
    inner
}

/// A WITH inside EXISTS / COUNT / COLLECT may not introduce a name the outer scope already
/// binds (Neo4j: "The variable `x` is shadowing a variable with the same name from the outer
/// scope and needs to be renamed"); passing the outer variable on as itself is fine.
fn no_shadowing(p: &Projection, outer: &Scope) -> Result<(), QueryError> {
    for item in &p.items {
        let Some(alias) = &item.alias else { continue };
        if outer.get(&alias.name).is_none() {
            continue;
        }
        if matches!(&item.expr.kind, ExprKind::Variable(v) if *v == alias.name) {
            continue;
        }
        return Err(err(
            "VariableShadowing",
            format!(
                "the variable `{}` is shadowing a variable with the same name from the outer scope and needs to be renamed",
                alias.name
            ),
            alias.span,
        ));
    }
    Ok(())
}

/// UNION parts must return the same column names; as in Neo4j 5 the order may differ (the
/// first part's order is the result's).
fn same_columns(a: &[String], b: &[String]) -> bool {
    let mut a = a.to_vec();
    let mut b = b.to_vec();
    a.sort();
    b.sort();
    a == b
}

/// Neo4j's rules for one part of a `CALL { }`: an importing `WITH` (the leading one naming
/// outer variables) only imports, so it may not filter; a returned expression needs an alias.
fn call_subquery_part(c: &CallSubquery, sq: &SingleQuery, scope: &Scope) -> Result<(), QueryError> {
    if c.scope.is_none() {
        if let Some(Clause::With(w)) = sq.clauses.first() {
            let imports = w.projection.star
                || w.projection.items.iter().any(
                    |i| matches!(&i.expr.kind, ExprKind::Variable(v) if scope.get(v).is_some()),
                );
            if let (true, Some(wh)) = (imports, &w.where_) {
                return Err(err(
                    "InvalidImportingWith",
                    "an importing WITH may only name outer variables; WHERE is not allowed (filter in a second WITH)",
                    wh.span,
                ));
            }
        }
    }
    if let Some(Clause::Return(r)) = sq.clauses.last() {
        for item in &r.projection.items {
            if item.alias.is_none() && !matches!(item.expr.kind, ExprKind::Variable(_)) {
                return Err(err(
                    "NoExpressionAlias",
                    format!(
                        "an expression returned from CALL {{ }} must be aliased: `{} AS name`",
                        item.text
                    ),
                    item.expr.span,
                ));
            }
        }
    }
    Ok(())
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
        SetItem::Property {
            target,
            dynamic_key,
            value,
            ..
        } => {
            expr(target, scope, ctx)?;
            if let Some(k) = dynamic_key {
                expr(k, scope, ctx)?;
            }
            expr(value, scope, ctx)?;
        }
        SetItem::Properties {
            variable, value, ..
        } => {
            lookup_var(variable, scope)?;
            expr(value, scope, ctx)?;
        }
        SetItem::Labels {
            variable, dynamic, ..
        } => {
            lookup_var(variable, scope)?;
            for d in dynamic {
                expr(d, scope, ctx)?;
            }
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
    } else if c.yield_star {
        // `YIELD * WHERE …` (and `SHOW INDEXES WHERE …`): a built-in's columns are known here;
        // a registered procedure's are checked when the plan is built.
        for name in crate::procedures::builtin_outputs(&c.procedure) {
            scope.bind(&name, Ty::Any);
        }
    }
    if let Some(w) = &c.where_ {
        where_(w, scope)?;
    }
    Ok(())
}
