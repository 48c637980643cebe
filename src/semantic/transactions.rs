//! Neo4j 5's rules for `CALL { } IN TRANSACTIONS`: where it may stand (not nested in another
//! `CALL { }`, not in a UNION, not after a write clause), and its options.

use super::*;

/// Checks every `CALL { } IN TRANSACTIONS` of a statement's query.
pub(super) fn check_query(q: &Query) -> Result<(), QueryError> {
    let union = !q.unions.is_empty();
    for sq in std::iter::once(&q.first).chain(q.unions.iter().map(|(_, s)| s)) {
        single(sq, union)?;
    }
    Ok(())
}

fn single(sq: &SingleQuery, union: bool) -> Result<(), QueryError> {
    let mut wrote = false;
    for c in &sq.clauses {
        match c {
            Clause::CallSubquery(call) => {
                if let Some(tx) = &call.in_transactions {
                    if union {
                        return Err(err(
                            "InvalidClauseComposition",
                            "CALL { ... } IN TRANSACTIONS in a UNION is not supported",
                            tx.span,
                        ));
                    }
                    if wrote {
                        return Err(err(
                            "InvalidClauseComposition",
                            "CALL { ... } IN TRANSACTIONS after a write clause is not supported",
                            tx.span,
                        ));
                    }
                    options(tx)?;
                }
                no_nested(&call.query)?;
                wrote |= call.in_transactions.is_none() && query_writes(&call.query);
            }
            Clause::Foreach(f) => {
                for c in &f.clauses {
                    no_nested_clause(c)?;
                }
                wrote = true;
            }
            c => wrote |= is_updating(c),
        }
    }
    Ok(())
}

/// `OF n ROWS` and `IN n CONCURRENT` are computed once, before any row: they may not name a
/// variable; `REPORT STATUS` needs an error mode that lets the statement go on.
fn options(tx: &InTransactions) -> Result<(), QueryError> {
    let counts = [
        tx.batch_size.as_ref(),
        tx.concurrency.as_ref().and_then(Option::as_ref),
    ];
    for e in counts.into_iter().flatten() {
        if let Some(v) = crate::ast::walk::variables(e).first() {
            return Err(err(
                "NonConstantExpression",
                format!("the number of rows or transactions may not refer to the variable `{v}`"),
                e.span,
            ));
        }
    }
    if let (Some(v), OnError::Fail) = (&tx.report, tx.on_error) {
        return Err(err(
            "InvalidClauseComposition",
            "REPORT STATUS can only be used when specifying ON ERROR CONTINUE or ON ERROR BREAK",
            v.span,
        ));
    }
    Ok(())
}

fn no_nested(q: &Query) -> Result<(), QueryError> {
    for sq in std::iter::once(&q.first).chain(q.unions.iter().map(|(_, s)| s)) {
        for c in &sq.clauses {
            no_nested_clause(c)?;
        }
    }
    Ok(())
}

fn no_nested_clause(c: &Clause) -> Result<(), QueryError> {
    match c {
        Clause::CallSubquery(call) => {
            if let Some(tx) = &call.in_transactions {
                return Err(err(
                    "InvalidClauseComposition",
                    "nested CALL { ... } IN TRANSACTIONS is not supported",
                    tx.span,
                ));
            }
            no_nested(&call.query)
        }
        Clause::Foreach(f) => f.clauses.iter().try_for_each(no_nested_clause),
        _ => Ok(()),
    }
}

fn query_writes(q: &Query) -> bool {
    std::iter::once(&q.first)
        .chain(q.unions.iter().map(|(_, s)| s))
        .flat_map(|sq| &sq.clauses)
        .any(|c| match c {
            Clause::CallSubquery(call) => query_writes(&call.query),
            c => is_updating(c),
        })
}
