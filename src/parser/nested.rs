//! Clauses that nest or feed other clauses: `FOREACH`, `CALL { … }` subqueries and `LOAD CSV`.

use pest::iterators::Pair;

use super::clauses::{clause, query};
use super::expr::{expression, unexpected, variable};
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

/// `CALL [(scope)] { query } [IN TRANSACTIONS [OF n ROWS]]`.
pub(super) fn call_subquery(p: Pair<'_, Rule>) -> PResult<Clause> {
    let span = span_of(&p);
    let mut scope = None;
    let mut inner = None;
    let mut in_transactions = false;
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
            Rule::in_transactions => {
                in_transactions = true;
                // The batch size and concurrency are checked like any expression, then
                // ignored; `ON ERROR FAIL` is what happens anyway.
                for r in q.into_inner() {
                    match r.as_rule() {
                        Rule::expression => {
                            expression(r)?;
                        }
                        Rule::in_tx_concurrent => {
                            for e in r.into_inner().filter(|e| e.as_rule() == Rule::expression) {
                                expression(e)?;
                            }
                        }
                        Rule::in_tx_option => {
                            let ospan = span_of(&r);
                            let text = r.as_str().split_whitespace().collect::<Vec<_>>();
                            let fail = text.len() == 3 && text[2].eq_ignore_ascii_case("fail");
                            if !fail {
                                let what = if text[0].eq_ignore_ascii_case("report") {
                                    "CALL { } IN TRANSACTIONS … REPORT STATUS".to_string()
                                } else {
                                    format!(
                                        "CALL {{ }} IN TRANSACTIONS … ON ERROR {}",
                                        text.get(2).copied().unwrap_or("").to_uppercase()
                                    )
                                };
                                return Err(crate::error::QueryError::unsupported(what).at(ospan));
                            }
                        }
                        _ => {}
                    }
                }
            }
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
