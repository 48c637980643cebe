//! `SHOW INDEXES | CONSTRAINTS | PROCEDURES | FUNCTIONS` as the query that calls the matching
//! built-in procedure, with YIELD's own ORDER BY, SKIP, LIMIT and WHERE as Neo4j 5 has them.

use pest::iterators::Pair;

use super::clauses::{clause, projection_body, yield_clause};
use super::expr::sub_expression;
use super::{span_of, PResult, Rule};
use crate::ast::*;
use crate::error::QueryError;

/// `SHOW INDEXES …` as `CALL db.indexes() YIELD … [WITH * ORDER BY … WHERE …] … [RETURN …]`.
///
/// YIELD's `ORDER BY … SKIP … LIMIT … WHERE …` become a `WITH *` after the call, so they sort,
/// page and filter as a `WITH` does. When nothing but such paging follows (`SHOW FUNCTIONS
/// YIELD name LIMIT 3`, also with standalone `ORDER BY`/`SKIP`/`LIMIT` clauses after a
/// `WHERE`), the yielded columns are returned in the order yielded, as Neo4j returns them.
pub(super) fn show_query(p: Pair<'_, Rule>) -> PResult<Query> {
    let span = span_of(&p);
    let mut c = Call {
        optional: false,
        procedure: String::new(),
        args: Some(Vec::new()),
        yields: None,
        yield_star: false,
        where_: None,
        span,
    };
    let mut clauses = Vec::new();
    // YIELD's ORDER BY / SKIP / LIMIT, with its WHERE, as a `WITH *`.
    let mut paging: Option<With> = None;
    // `BUILT IN` / `USER DEFINED` (functions only).
    let mut scope: Option<(&str, Span)> = None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::show_built_in => scope = Some(("BUILT IN", span_of(&q))),
            Rule::show_user_defined => scope = Some(("USER DEFINED", span_of(&q))),
            Rule::show_kind => c.procedure = procedure_of(q.as_str()).to_string(),
            Rule::show_yield => {
                let order = q
                    .clone()
                    .into_inner()
                    .find(|r| r.as_rule() == Rule::order_skip_limit);
                yield_clause(q, &mut c)?;
                if let Some(order) = order {
                    let wspan = span_of(&order);
                    let mut projection = projection_body(order)?;
                    projection.star = true;
                    paging = Some(With {
                        projection,
                        where_: c.where_.take(),
                        span: wspan,
                    });
                }
            }
            Rule::where_clause => {
                c.yield_star = true;
                c.where_ = Some(sub_expression(q)?);
            }
            Rule::SHOW | Rule::ALL => {}
            _ => clauses.push(clause(q)?),
        }
    }
    default_columns(&mut c, span);
    if let Some((scope, at)) = scope {
        if c.procedure != "kg.functions" {
            return Err(QueryError::syntax(
                "InvalidShowCommand",
                format!("`{scope}` applies to functions only: `SHOW {scope} FUNCTIONS`"),
            )
            .at(at));
        }
        if scope == "USER DEFINED" {
            // Every kgstore function is built in: no row passes.
            c.where_ = Some(Expr {
                kind: ExprKind::Bool(false),
                span: at,
            });
        }
    }
    // Only paging follows the call: return what it yields, in the order yielded (a query
    // may not end with the `WITH` those clauses are).
    let only_paging = (paging.is_some() || !clauses.is_empty()) && clauses.iter().all(is_paging);
    if let Some(w) = paging {
        clauses.insert(0, Clause::With(w));
    }
    if only_paging {
        let columns: Vec<String> = match &c.yields {
            Some(items) => items
                .iter()
                .map(|y| y.alias.as_ref().map_or(&y.column, |a| &a.name).clone())
                .collect(),
            None => all_columns(&c.procedure)
                .iter()
                .map(|n| n.to_string())
                .collect(),
        };
        if c.yields.is_none() {
            c.yields = Some(columns.iter().map(|n| item(n, span)).collect());
        }
        clauses.push(Clause::Return(Return {
            projection: Projection {
                distinct: false,
                star: false,
                items: columns
                    .into_iter()
                    .map(|name| ProjectionItem {
                        expr: Expr {
                            kind: ExprKind::Variable(name.clone()),
                            span,
                        },
                        alias: None,
                        text: name,
                    })
                    .collect(),
                order_by: Vec::new(),
                skip: None,
                limit: None,
            },
            span,
        }));
    }
    clauses.insert(0, Clause::Call(c));
    Ok(Query {
        first: SingleQuery { clauses, span },
        unions: Vec::new(),
        span,
    })
}

/// The built-in procedure a `SHOW` kind calls.
fn procedure_of(kind: &str) -> &'static str {
    match kind.to_ascii_lowercase().trim_end_matches('s') {
        "index" | "indexe" => "db.indexes",
        "constraint" => "db.constraints",
        "procedure" => "kg.procedures",
        _ => "kg.functions",
    }
}

/// Every column the built-in procedure behind a `SHOW` kind yields, in its signature's order
/// (what `YIELD *` expands to). The parser only desugars, so it keeps this table itself rather
/// than ask the procedure registry; a test in `procedures.rs` holds it to the signatures.
pub(crate) fn all_columns(procedure: &str) -> &'static [&'static str] {
    match procedure {
        "db.indexes" => &[
            "name",
            "type",
            "entityType",
            "labelsOrTypes",
            "properties",
            "owningConstraint",
        ],
        "db.constraints" => &[
            "id",
            "name",
            "type",
            "entityType",
            "labelsOrTypes",
            "properties",
            "ownedIndex",
            "propertyType",
        ],
        "kg.procedures" => &[
            "name",
            "signature",
            "description",
            "mode",
            "worldAffecting",
            "admin",
        ],
        "kg.functions" => &[
            "name",
            "category",
            "description",
            "signature",
            "isBuiltIn",
            "argumentDescription",
            "returnDescription",
            "aggregating",
            "rolesExecution",
            "rolesBoostedExecution",
            "isDeprecated",
            "deprecatedBy",
            "arguments",
        ],
        _ => &[],
    }
}

fn item(column: &str, span: Span) -> YieldItem {
    YieldItem {
        column: column.to_string(),
        alias: None,
        span,
    }
}

/// The columns of a `SHOW` without `YIELD` (Neo4j 5's defaults) and of `YIELD *`, written out,
/// so clauses may follow (a procedure call's `YIELD *` must otherwise stand alone).
fn default_columns(c: &mut Call, span: Span) {
    let items = |columns: &[&str]| Some(columns.iter().map(|n| item(n, span)).collect());
    match c.procedure.as_str() {
        "kg.procedures" if c.yields.is_none() && !c.yield_star => {
            // `YIELD *` gives every column.
            c.yields = items(&["name", "description", "mode", "worldAffecting"]);
        }
        "kg.functions" if c.yields.is_none() => {
            // Neo4j 5's columns: three by default, twelve with `YIELD *` (or a bare `WHERE`);
            // kgstore's `arguments` only when yielded by name.
            c.yields = if c.yield_star {
                let star: Vec<&str> = all_columns("kg.functions")
                    .iter()
                    .copied()
                    .filter(|c| *c != "arguments")
                    .collect();
                items(&star)
            } else {
                items(&["name", "category", "description"])
            };
        }
        _ => {}
    }
    if c.yield_star && c.yields.is_none() {
        c.yields = items(all_columns(&c.procedure));
    }
    c.yield_star = false;
}

/// A `WITH *` that only sorts and pages: a standalone `ORDER BY` / `SKIP` / `LIMIT`.
fn is_paging(c: &Clause) -> bool {
    matches!(c, Clause::With(w) if w.projection.star
        && w.projection.items.is_empty()
        && !w.projection.distinct
        && w.where_.is_none())
}
