//! Our errors as Neo4j status codes (`Neo.ClientError.Statement.SyntaxError`, …), which the
//! drivers turn into their exception classes; shared by Bolt and HTTP.

use crate::error::{Error, ErrorClass, StoreError};

/// The message a client sees for `e` raised by `query`: our text (which `Server::run` ends
/// with Neo4j's `(line L, column C (offset: O))` when the error has a place), then the source
/// line and a caret under the place.
pub fn message(query: &str, e: &Error) -> String {
    let text = e.to_string();
    if e.span().is_none() {
        return text;
    }
    let rendered = crate::diagnostic::render(query, e);
    // render gives `L:C: error: message`, the source line and the caret line.
    let excerpt: Vec<&str> = rendered.lines().skip(1).collect();
    format!("{text}\n{}", excerpt.join("\n"))
}

/// A query error with a place in its statement says where, as Neo4j does after its message:
/// ` (line 2, column 1 (offset: 10))` (1-based line and column in characters, 0-based character
/// offset). Drivers show it, and the explorer marks the place in its editor.
pub fn with_position(e: Error, query: &str) -> Error {
    match e {
        Error::Query(mut q) => {
            if let Some(span) = q.span {
                let (line, column) = crate::diagnostic::line_col(query, span.start);
                let mut start = span.start.min(query.len());
                while !query.is_char_boundary(start) {
                    start -= 1;
                }
                let offset = query[..start].chars().count();
                q.message = format!(
                    "{} (line {line}, column {column} (offset: {offset}))",
                    q.message
                );
            }
            Error::Query(q)
        }
        e => e,
    }
}

/// The Neo4j status code for `e`.
pub fn code(e: &Error) -> &'static str {
    // An error after committed batches of IN TRANSACTIONS has its cause's code.
    match e.cause() {
        Error::Query(q) => match q.class {
            ErrorClass::SyntaxError => "Neo.ClientError.Statement.SyntaxError",
            ErrorClass::SemanticError => "Neo.ClientError.Statement.SemanticError",
            ErrorClass::TypeError => "Neo.ClientError.Statement.TypeError",
            ErrorClass::ArgumentError => "Neo.ClientError.Statement.ArgumentError",
            ErrorClass::EntityNotFound => "Neo.ClientError.Statement.EntityNotFound",
            // Neo4j tells a missing procedure from one that failed; tools probe for optional
            // procedures (APOC, GDS) and look for ProcedureNotFound.
            ErrorClass::ProcedureError if q.detail == "ProcedureNotFound" => {
                "Neo.ClientError.Procedure.ProcedureNotFound"
            }
            ErrorClass::ProcedureError => "Neo.ClientError.Procedure.ProcedureCallFailed",
            ErrorClass::ParameterMissing => "Neo.ClientError.Statement.ParameterMissing",
            ErrorClass::ConstraintVerificationFailed => {
                "Neo.ClientError.Schema.ConstraintValidationFailed"
            }
            ErrorClass::Unsupported => "Neo.ClientError.Statement.FeatureNotSupported",
        },
        Error::AccessMode(_) => "Neo.ClientError.Statement.AccessMode",
        // The writer lock was busy for its whole wait: a driver retries these.
        // (Not LockClientStopped: the drivers turn that code into a non-retryable ClientError.)
        Error::Transaction(m) if m.starts_with("another write transaction") => {
            "Neo.TransientError.Transaction.LockAcquisitionTimeout"
        }
        Error::Transaction(m) if m.starts_with("another process changed") => {
            "Neo.TransientError.Transaction.Outdated"
        }
        Error::Transaction(m) if m == crate::exec::IMPLICIT_ONLY => {
            "Neo.DatabaseError.Transaction.TransactionStartFailed"
        }
        Error::Transaction(_) => "Neo.ClientError.Request.Invalid",
        Error::Cancelled => "Neo.TransientError.Transaction.Terminated",
        Error::Timeout(_) => "Neo.ClientError.Transaction.TransactionTimedOut",
        // Neo4j's code for a transaction past its memory limit (dbms.memory.transaction.max).
        Error::MemoryLimitExceeded { .. } => {
            "Neo.TransientError.General.MemoryPoolOutOfMemoryError"
        }
        Error::Store(StoreError::Locked { .. }) => "Neo.TransientError.General.DatabaseUnavailable",
        Error::Store(_) | Error::Io(_) => "Neo.DatabaseError.General.UnknownError",
        Error::AfterBatches { cause, .. }
        | Error::CommitUnsure { cause }
        | Error::CommitUndone { cause, .. } => code(cause),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::QueryError;

    #[test]
    fn syntax_errors_keep_line_and_column() {
        let q = "MATCH (n)\nRETURN n.x +";
        let e = with_position(crate::parser::parse(q).unwrap_err(), q);
        assert_eq!(code(&e), "Neo.ClientError.Statement.SyntaxError");
        let m = message(q, &e);
        assert_eq!(
            m.matches("(line 2, column 13 (offset: 22))").count(),
            1,
            "{m}"
        );
        assert!(m.contains("RETURN n.x +"), "{m}");
    }

    #[test]
    fn a_missing_procedure_is_procedure_not_found() {
        let e = Error::Query(QueryError::new(
            ErrorClass::ProcedureError,
            "ProcedureNotFound",
            crate::error::Phase::Compile,
            "there is no procedure `apoc.meta.data`",
        ));
        assert_eq!(code(&e), "Neo.ClientError.Procedure.ProcedureNotFound");
        let e = Error::Query(QueryError::new(
            ErrorClass::ProcedureError,
            "ProcedureCallFailed",
            crate::error::Phase::Runtime,
            "it failed",
        ));
        assert_eq!(code(&e), "Neo.ClientError.Procedure.ProcedureCallFailed");
    }
}
