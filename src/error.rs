//! Errors of every layer, aggregated into one [`Error`].
//!
//! Query errors carry the openCypher error class and detail code (as the TCK names them, e.g.
//! `SyntaxError` / `UndefinedVariable`), the phase that raised them, and a byte span into the
//! query text. Line, column and caret are drawn only when rendering (`diagnostic`).

use std::fmt;
use std::fmt::Write as _;
use std::path::PathBuf;

use crate::ast::Span;

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The openCypher error classes (TCK vocabulary), plus our own `Unsupported` for features we
/// recognise but do not implement.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ErrorClass {
    SyntaxError,
    SemanticError,
    TypeError,
    ArgumentError,
    EntityNotFound,
    ProcedureError,
    ParameterMissing,
    ConstraintVerificationFailed,
    /// A query that is valid openCypher but uses a feature kgstore does not support.
    Unsupported,
}

impl fmt::Display for ErrorClass {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s = match self {
            ErrorClass::SyntaxError => "SyntaxError",
            ErrorClass::SemanticError => "SemanticError",
            ErrorClass::TypeError => "TypeError",
            ErrorClass::ArgumentError => "ArgumentError",
            ErrorClass::EntityNotFound => "EntityNotFound",
            ErrorClass::ProcedureError => "ProcedureError",
            ErrorClass::ParameterMissing => "ParameterMissing",
            ErrorClass::ConstraintVerificationFailed => "ConstraintVerificationFailed",
            ErrorClass::Unsupported => "Unsupported",
        };
        f.write_str(s)
    }
}

/// When a query error was raised.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Phase {
    /// While parsing, checking or planning, before any row was produced or written.
    Compile,
    /// While executing.
    Runtime,
}

/// An error in a query: syntax, semantics, types, arguments, constraints.
#[derive(Clone, Debug, PartialEq)]
pub struct QueryError {
    pub class: ErrorClass,
    /// The TCK detail code, e.g. `UndefinedVariable`, `InvalidArgumentType`; free-form for
    /// errors the TCK does not name.
    pub detail: String,
    /// A sentence for the user, e.g. "variable `x` is not defined".
    pub message: String,
    pub span: Option<Span>,
    pub phase: Phase,
}

impl QueryError {
    pub fn new(class: ErrorClass, detail: &str, phase: Phase, message: impl Into<String>) -> Self {
        QueryError {
            class,
            detail: detail.to_string(),
            message: message.into(),
            span: None,
            phase,
        }
    }

    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// A compile-time `SyntaxError` with a detail code (the TCK files semantic errors as
    /// SyntaxError at compile time).
    pub fn syntax(detail: &str, message: impl Into<String>) -> Self {
        QueryError::new(ErrorClass::SyntaxError, detail, Phase::Compile, message)
    }

    /// A runtime `TypeError`.
    pub fn type_error(detail: &str, message: impl Into<String>) -> Self {
        QueryError::new(ErrorClass::TypeError, detail, Phase::Runtime, message)
    }

    /// The EntityNotFound / DeletedEntityAccess error for a node or relationship (`what`)
    /// deleted earlier in the statement and read again.
    pub fn deleted_entity(what: &str, id: u64) -> Self {
        QueryError::new(
            ErrorClass::EntityNotFound,
            "DeletedEntityAccess",
            Phase::Runtime,
            format!("the {what} with id {id} has been deleted"),
        )
    }

    /// "not supported: FEATURE", at compile time.
    pub fn unsupported(feature: impl Into<String>) -> Self {
        let feature = feature.into();
        QueryError::new(
            ErrorClass::Unsupported,
            "Unsupported",
            Phase::Compile,
            format!("not supported: {feature}"),
        )
    }
}

impl fmt::Display for QueryError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.class == ErrorClass::Unsupported {
            f.write_str(&self.message)
        } else {
            write!(f, "{}: {}", self.class, self.message)
        }
    }
}

impl std::error::Error for QueryError {}

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StoreError {
    #[error("database {} is in use by another process", path.display())]
    Locked { path: PathBuf },
    #[error("database {} was written by a newer kgstore (format version {found}; this build reads up to {supported}); upgrade kgstore to open it", path.display())]
    NewerFormat {
        path: PathBuf,
        found: u32,
        supported: u32,
    },
    #[error("database {} is corrupt: {reason}", path.display())]
    Corrupt { path: PathBuf, reason: String },
    #[error("storage error: {0}")]
    Sled(String),
    #[error("I/O error on {}: {source}", path.display())]
    Io {
        path: PathBuf,
        source: std::io::Error,
    },
    /// Out of space (or quota) while writing: the statement failed and changed nothing.
    #[error("the disk is full: cannot write to {} (free some space and try again; the database keeps every statement that succeeded before this one)", path.display())]
    DiskFull { path: PathBuf },
    /// The storage log holds fewer commits than the commit mark says were acknowledged
    /// (`store/recovery.rs`): the log was truncated or damaged after those commits.
    #[error("database {} has lost acknowledged writes: its storage log {} holds {found} commits but {acknowledged} were acknowledged, so the last {} are gone (the file was truncated or damaged). Restore the database from a backup; to open what remains instead, delete {}", path.display(), path.join("db").display(), acknowledged - found, mark.display())]
    LostCommits {
        path: PathBuf,
        /// The commit mark file (`kg.commits`): deleting it opens what remains.
        mark: PathBuf,
        acknowledged: u64,
        found: u64,
    },
}

impl StoreError {
    /// `Io`, or `DiskFull` when the error says the file system is out of space or quota.
    pub fn io(path: &std::path::Path, source: std::io::Error) -> StoreError {
        if is_disk_full(&source) {
            StoreError::DiskFull {
                path: path.to_path_buf(),
            }
        } else {
            StoreError::Io {
                path: path.to_path_buf(),
                source,
            }
        }
    }
}

/// ENOSPC or EDQUOT, also after sled has copied the error (its copies keep only the kind).
pub fn is_disk_full(e: &std::io::Error) -> bool {
    use std::io::ErrorKind;
    matches!(e.kind(), ErrorKind::StorageFull | ErrorKind::QuotaExceeded)
        || matches!(e.raw_os_error(), Some(libc::ENOSPC | libc::EDQUOT))
}

/// The top-level error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    #[error("{0}")]
    Query(#[from] QueryError),
    #[error("{0}")]
    Store(#[from] StoreError),
    /// A transaction-control misuse, e.g. COMMIT without BEGIN.
    #[error("{0}")]
    Transaction(String),
    /// A write in a read-only session or on a read-only server.
    #[error("{0}")]
    AccessMode(String),
    #[error("query cancelled")]
    Cancelled,
    #[error("query timed out after {0} ms")]
    Timeout(u64),
    /// The statement held more memory than its limit (`memory_budget`); it was stopped and
    /// changed nothing beyond the batches `CALL { } IN TRANSACTIONS` had committed.
    #[error("{}", exceeded_message(*limit, *held, *committed))]
    MemoryLimitExceeded {
        /// The limit in bytes.
        limit: u64,
        /// The most the statement held, in bytes.
        held: u64,
        /// Batches of `CALL { } IN TRANSACTIONS` committed before it was stopped.
        committed: u64,
    },
    /// Import/export and other file work.
    #[error("{0}")]
    Io(String),
    /// `cause` ended a statement after its `CALL { } IN TRANSACTIONS` had committed `batches`
    /// batches of `rows` input rows, which stay committed ([`after_batches`]), and perhaps a
    /// batch of `unsure` input rows that landed but could not be made durable (a full disk
    /// in the flush), which may or may not be kept. Only for causes whose own text cannot
    /// carry that (a timeout, a cancel, a store error such as a full disk): the exit code and
    /// the server's status code are the cause's ([`Error::cause`]).
    #[error("{cause}; {}", batches_note(*batches, *rows, *unsure))]
    AfterBatches {
        batches: u64,
        rows: u64,
        unsure: u64,
        cause: Box<Error>,
    },
    /// `cause` (a full disk, an I/O error) failed a commit after its batch reached the
    /// database, or may have (sled's `apply_batch` can fail after the batch went into its
    /// log): sled may still write it later (when space is freed, at close) or lose it, so its
    /// changes may or may not be kept. A batch of `CALL { } IN TRANSACTIONS` is named in its
    /// statement's error instead ([`after_batches`]). Exit and status codes are the cause's.
    #[error("{}", unsure_message(cause))]
    CommitUnsure { cause: Box<Error> },
    /// `cause` (a full disk) failed a commit's batch part-way, and what landed is taken back,
    /// in this process or by the next open of the database (the store's undo file,
    /// `store/undo.rs`): the changes are not kept. `then` says what this process may still
    /// do. Exit and status codes are the cause's.
    #[error("{}", undone_message(cause, *then))]
    CommitUndone { cause: Box<Error>, then: AfterUndo },
}

/// What a process may still do after one of its commits failed part-way and was taken back
/// ([`Error::CommitUndone`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AfterUndo {
    /// Everything: the taking back is on disk too.
    GoOn,
    /// Read (what it reads is right), but not write until the database is opened again: the
    /// taking back is in memory only, and the next open does it again.
    ReopenToWrite,
    /// Nothing until the database is opened again: part of the commit is in memory and could
    /// not be taken back there; the next open takes it back.
    ReopenToRead,
}

impl Error {
    /// The query error inside, if any (for TCK-style checks).
    pub fn as_query(&self) -> Option<&QueryError> {
        match self.cause() {
            Error::Query(q) => Some(q),
            _ => None,
        }
    }

    /// What went wrong, without the note that committed batches stay: the error itself, or
    /// the cause inside [`Error::AfterBatches`]. Exit codes and status codes are the cause's.
    pub fn cause(&self) -> &Error {
        match self {
            Error::AfterBatches { cause, .. }
            | Error::CommitUnsure { cause }
            | Error::CommitUndone { cause, .. } => cause.cause(),
            e => e,
        }
    }

    /// The span to underline when rendering, if known.
    pub fn span(&self) -> Option<Span> {
        self.as_query().and_then(|q| q.span)
    }
}

/// `n` bytes for people: `512 MiB`, `1.5 GiB`, `900 B`; with `si`, in powers of 1000
/// (`512 MB`), as a limit given in those units reads best (a multiple of 1000 bytes was given
/// in them, a limit in binary units never is).
pub fn format_size(n: u64, si: bool) -> String {
    let (base, units) = if si {
        (1000.0, ["B", "kB", "MB", "GB", "TB"])
    } else {
        (1024.0, ["B", "KiB", "MiB", "GiB", "TiB"])
    };
    let mut value = n as f64;
    let mut unit = 0;
    while value >= base && unit + 1 < units.len() {
        value /= base;
        unit += 1;
    }
    if unit == 0 || value.fract() < 0.05 || value.fract() > 0.95 {
        format!("{value:.0} {}", units[unit])
    } else {
        format!("{value:.1} {}", units[unit])
    }
}

/// `e`, which ended a statement after its `CALL { } IN TRANSACTIONS` committed `batches`
/// batches of `rows` input rows, and perhaps landed one more of `unsure` rows that could not
/// be made durable (none of either: `e` unchanged), saying that they stay: a user who runs the
/// statement again repeats them. A query error keeps its kind and gets Neo4j's `(Transactions
/// committed: N)` and the note in its message; a memory-limit error says it already; any
/// other error is wrapped in [`Error::AfterBatches`].
pub fn after_batches(e: Error, batches: u64, rows: u64, unsure: u64) -> Error {
    match e {
        e if batches == 0 && unsure == 0 => e,
        e @ (Error::MemoryLimitExceeded { .. } | Error::AfterBatches { .. }) => e,
        Error::Query(mut q) => {
            q.message = format!(
                "{} (Transactions committed: {batches}): {}",
                q.message,
                batches_note(batches, rows, unsure)
            );
            Error::Query(q)
        }
        cause => Error::AfterBatches {
            batches,
            rows,
            unsure,
            cause: Box::new(cause),
        },
    }
}

/// That `batches` committed batches of `rows` input rows stay, and that a batch of `unsure`
/// rows (if any) reached the database but not the disk.
fn batches_note(batches: u64, rows: u64, unsure: u64) -> String {
    let rs = |n: u64| if n == 1 { "" } else { "s" };
    let mut note = String::new();
    if batches > 0 {
        let (es, stay) = if batches == 1 {
            ("", "stays")
        } else {
            ("es", "stay")
        };
        note = format!(
            "the {batches} batch{es} of CALL {{ … }} IN TRANSACTIONS committed before it \
             ({rows} input row{}) {stay} committed",
            rs(rows)
        );
    }
    if unsure > 0 {
        // The commit landed and only its flush failed: sled may still write it later (when
        // space is freed, at close) or lose it; which one is not known when the error is made.
        let which = if batches > 0 {
            "; the next batch"
        } else {
            "a batch of CALL { … } IN TRANSACTIONS"
        };
        let _ = write!(
            note,
            "{which} ({unsure} input row{}) reached the database but could not be written to \
             disk, and may or may not be kept: count what is there before running the \
             statement again",
            rs(unsure)
        );
    }
    note.push_str(", the rest changed nothing; running the statement again would repeat them");
    note
}

/// The message of [`Error::CommitUnsure`]: what failed, that the changes may or may not be
/// kept, and to count them before running the statement again (which would repeat them).
fn unsure_message(cause: &Error) -> String {
    let note = "the changes reached the database but could not be written to disk, and may or \
                may not be kept";
    match cause {
        // Not the full disk's own "try again": a kept change would be made twice.
        Error::Store(StoreError::DiskFull { path }) => format!(
            "the disk is full: cannot write to {}; {note}: free some space, then count what is \
             there before running it again",
            path.display()
        ),
        cause => format!("{cause}; {note}: count what is there before running it again"),
    }
}

/// The message of [`Error::CommitUndone`]: what failed, that the changes are not kept, and
/// what to do before running the statement again.
fn undone_message(cause: &Error, then: AfterUndo) -> String {
    let what = match cause {
        Error::Store(StoreError::DiskFull { path }) => {
            format!("the disk is full: cannot write to {}", path.display())
        }
        cause => cause.to_string(),
    };
    let reopen = "free some space, open the database again (restart kg or `kg serve`), then \
                  run it again";
    match then {
        AfterUndo::GoOn => format!(
            "{what}; the changes were not kept (the commit failed part-way and was taken \
             back): free some space and run it again"
        ),
        AfterUndo::ReopenToWrite => format!(
            "{what}; the changes were not kept (the commit failed part-way and was taken back \
             in this process, which cannot write that to disk, so it refuses writes until the \
             database is opened again; the open takes it back for good): {reopen}"
        ),
        AfterUndo::ReopenToRead => format!(
            "{what}; the changes were not kept, but part of them reached the database and \
             this process cannot take it back: it refuses reads and writes until the database \
             is opened again (the open takes that part back): {reopen}"
        ),
    }
}

/// The message of [`Error::MemoryLimitExceeded`]: the limit, what the statement held (in the
/// limit's units), what stays committed, and what to do.
pub fn exceeded_message(limit: u64, held: u64, committed: u64) -> String {
    let si = limit.is_multiple_of(1000);
    let (limit_text, held_text) = (format_size(limit, si), format_size(held, si));
    let held = if held_text == limit_text {
        format!("just over {held_text}")
    } else {
        held_text
    };
    if committed > 0 {
        let s = if committed == 1 { "" } else { "es" };
        return format!(
            "the statement needed more memory than its limit of {limit_text} (it held {held} \
             when it was stopped); the {committed} batch{s} of CALL {{ … }} IN TRANSACTIONS \
             committed before stay committed, the rest changed nothing: use smaller batches, \
             return or collect less, or raise the limit with --memory-limit (KG_MEMORY_LIMIT; \
             :memory-limit in the shell)"
        );
    }
    format!(
        "the statement needed more memory than its limit of {limit_text} (it held {held} when \
         it was stopped) and changed nothing: do the work in batches, e.g. with CALL {{ … }} \
         IN TRANSACTIONS OF 10000 ROWS, return or collect less, or raise the limit with \
         --memory-limit (KG_MEMORY_LIMIT; :memory-limit in the shell)"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_batches_note_names_what_stays_and_what_is_unsure() {
        let e = after_batches(Error::Timeout(5), 2, 20, 0);
        assert!(matches!(e.cause(), Error::Timeout(5)));
        assert_eq!(
            e.to_string(),
            "query timed out after 5 ms; the 2 batches of CALL { … } IN TRANSACTIONS committed \
             before it (20 input rows) stay committed, the rest changed nothing; running the \
             statement again would repeat them"
        );
        let e = after_batches(Error::Cancelled, 1, 10, 10).to_string();
        assert!(e.contains("(10 input rows) stays committed; the next batch (10 input rows) reached the database but could not be written to disk, and may or may not be kept"), "{e}");
        let e = after_batches(Error::Cancelled, 0, 0, 1).to_string();
        assert!(
            e.contains("; a batch of CALL { … } IN TRANSACTIONS (1 input row) reached"),
            "{e}"
        );
        assert!(matches!(
            after_batches(Error::Cancelled, 0, 0, 0),
            Error::Cancelled
        ));
    }
}
