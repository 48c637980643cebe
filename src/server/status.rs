//! Our errors as Neo4j status codes (`Neo.ClientError.Statement.SyntaxError`, …), which the
//! drivers turn into their exception classes; shared by Bolt and HTTP.

use crate::error::{Error, ErrorClass, StoreError};

/// The Neo4j status code for `e`.
pub fn code(e: &Error) -> &'static str {
    match e {
        Error::Query(q) => match q.class {
            ErrorClass::SyntaxError => "Neo.ClientError.Statement.SyntaxError",
            ErrorClass::SemanticError => "Neo.ClientError.Statement.SemanticError",
            ErrorClass::TypeError => "Neo.ClientError.Statement.TypeError",
            ErrorClass::ArgumentError => "Neo.ClientError.Statement.ArgumentError",
            ErrorClass::EntityNotFound => "Neo.ClientError.Statement.EntityNotFound",
            ErrorClass::ProcedureError => "Neo.ClientError.Procedure.ProcedureCallFailed",
            ErrorClass::ParameterMissing => "Neo.ClientError.Statement.ParameterMissing",
            ErrorClass::ConstraintVerificationFailed => {
                "Neo.ClientError.Schema.ConstraintValidationFailed"
            }
            ErrorClass::Unsupported => "Neo.ClientError.Statement.FeatureNotSupported",
        },
        Error::AccessMode(_) => "Neo.ClientError.Statement.AccessMode",
        // The writer lock was busy for its whole wait: a driver retries these.
        Error::Transaction(m) if m.starts_with("another write transaction") => {
            "Neo.TransientError.Transaction.LockClientStopped"
        }
        Error::Transaction(m) if m.starts_with("another process changed") => {
            "Neo.TransientError.Transaction.Outdated"
        }
        Error::Transaction(_) => "Neo.ClientError.Request.Invalid",
        Error::Cancelled => "Neo.TransientError.Transaction.Terminated",
        Error::Timeout(_) => "Neo.ClientError.Transaction.TransactionTimedOut",
        Error::Store(StoreError::Locked { .. }) => "Neo.TransientError.General.DatabaseUnavailable",
        Error::Store(_) | Error::Io(_) => "Neo.DatabaseError.General.UnknownError",
    }
}
