//! Clauses that nest or feed other clauses: `FOREACH`, `CALL { … }` subqueries and `LOAD CSV`.

use pest::iterators::Pair;

use super::clauses::{clause, query};
use super::expr::expression;
use super::pairs::{unexpected, variable};
use super::{literal, span_of, PResult, Rule};
use crate::ast::*;

/// `FOREACH (var IN list | clauses)`.
pub(super) fn foreach(p: Pair<'_, Rule>) -> PResult<Clause> {
    let span = span_of(&p);
    let mut var = None;
    let mut list = None;
    let mut clauses = Vec::new();
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::variable => var = Some(variable(q)),
            Rule::expression => list = Some(expression(q)?),
            Rule::FOREACH | Rule::lparen | Rule::rparen | Rule::IN | Rule::pipe => {}
            _ => clauses.push(clause(q)?),
        }
    }
    match (var, list) {
        (Some(variable), Some(list)) => Ok(Clause::Foreach(Foreach {
            variable,
            list,
            clauses,
            span,
        })),
        _ => Err(unexpected(Rule::foreach_clause, span)),
    }
}

/// `LOAD CSV [WITH HEADERS] FROM source AS var [FIELDTERMINATOR 'c']`.
pub(super) fn load_csv(p: Pair<'_, Rule>) -> PResult<Clause> {
    let span = span_of(&p);
    let mut headers = false;
    let mut source = None;
    let mut var = None;
    let mut terminator = None;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::with_headers => headers = true,
            Rule::expression => source = Some(expression(q)?),
            Rule::variable => var = Some(variable(q)),
            Rule::string => {
                let body = q.into_inner().next();
                let (text, start) = body
                    .map(|b| (b.as_str(), b.as_span().start()))
                    .unwrap_or(("", span.start));
                terminator = Some(literal::string(text, start)?);
            }
            _ => {}
        }
    }
    match (source, var) {
        (Some(source), Some(variable)) => Ok(Clause::LoadCsv(LoadCsv {
            headers,
            source,
            variable,
            terminator,
            span,
        })),
        _ => Err(unexpected(Rule::load_csv_clause, span)),
    }
}

/// `IN [[n] CONCURRENT] TRANSACTIONS [OF n ROWS] [ON ERROR …] [REPORT STATUS AS s]`. A repeated
/// option is an error; `ON ERROR RETRY` (Cypher 25, not Neo4j 5) is named as not supported.
fn in_transactions_clause(p: Pair<'_, Rule>) -> PResult<InTransactions> {
    let mut tx = InTransactions {
        batch_size: None,
        concurrency: None,
        on_error: OnError::Fail,
        on_error_span: None,
        report: None,
        span: span_of(&p),
    };
    let twice = |what: &str, span| {
        crate::error::QueryError::syntax(
            "InvalidClauseComposition",
            format!("CALL {{ }} IN TRANSACTIONS takes {what} only once"),
        )
        .at(span)
    };
    for r in p.into_inner() {
        match r.as_rule() {
            Rule::expression => tx.batch_size = Some(expression(r)?),
            Rule::in_tx_concurrent => {
                let n = r.into_inner().find(|e| e.as_rule() == Rule::expression);
                tx.concurrency = Some(n.map(expression).transpose()?);
            }
            Rule::in_tx_option => {
                let ospan = span_of(&r);
                let Some(o) = r.into_inner().find(|o| {
                    matches!(
                        o.as_rule(),
                        Rule::in_tx_retry | Rule::symbolic_name | Rule::variable
                    )
                }) else {
                    continue;
                };
                match o.as_rule() {
                    Rule::in_tx_retry => {
                        return Err(crate::error::QueryError::unsupported(
                            "CALL { } IN TRANSACTIONS … ON ERROR RETRY (a Cypher 25 feature; kgstore follows Neo4j 5)",
                        )
                        .at(ospan))
                    }
                    Rule::variable => {
                        if tx.report.is_some() {
                            return Err(twice("REPORT STATUS", ospan));
                        }
                        tx.report = Some(variable(o));
                    }
                    _ => {
                        if tx.on_error_span.is_some() {
                            return Err(twice("ON ERROR", ospan));
                        }
                        tx.on_error_span = Some(ospan);
                        tx.on_error = match o.as_str().to_ascii_lowercase().as_str() {
                            "fail" => OnError::Fail,
                            "continue" => OnError::Continue,
                            "break" => OnError::Break,
                            other => {
                                return Err(crate::error::QueryError::syntax(
                                    "InvalidArgumentValue",
                                    format!(
                                        "ON ERROR takes CONTINUE, BREAK or FAIL, not {}",
                                        other.to_uppercase()
                                    ),
                                )
                                .at(span_of(&o)))
                            }
                        };
                    }
                }
            }
            _ => {}
        }
    }
    Ok(tx)
}

/// `CALL [(scope)] { query } [IN TRANSACTIONS …]`.
pub(super) fn call_subquery(p: Pair<'_, Rule>) -> PResult<Clause> {
    let span = span_of(&p);
    let mut scope = None;
    let mut inner = None;
    let mut in_transactions = None;
    let mut optional = false;
    for q in p.into_inner() {
        match q.as_rule() {
            Rule::OPTIONAL => optional = true,
            Rule::subquery_scope => {
                let mut vars = Vec::new();
                let mut all = false;
                for r in q.into_inner() {
                    match r.as_rule() {
                        Rule::star => all = true,
                        Rule::variable => vars.push(variable(r)),
                        _ => {}
                    }
                }
                scope = Some(if all {
                    SubqueryScope::All
                } else {
                    SubqueryScope::Vars(vars)
                });
            }
            Rule::query => inner = Some(query(q)?),
            Rule::in_transactions => in_transactions = Some(in_transactions_clause(q)?),
            _ => {}
        }
    }
    let query = inner.ok_or_else(|| unexpected(Rule::call_subquery, span))?;
    Ok(Clause::CallSubquery(CallSubquery {
        query: Box::new(query),
        scope,
        in_transactions,
        optional,
        span,
    }))
}
