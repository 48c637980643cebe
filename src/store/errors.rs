//! The store's errors about its files: sled's errors, a damaged log, a directory that is no
//! kgstore database. A leaf, so that every module of `store/` can name them without
//! importing the modules that open the store.

use std::path::Path;

use crate::error::{AfterUndo, Error, StoreError};

/// A sled error as kgstore reports it for the database at `path`.
pub(crate) fn sled_error(path: &Path, e: sled::Error) -> Error {
    match e {
        sled::Error::Io(io) if io.to_string().contains("could not acquire lock") => {
            StoreError::Locked {
                path: path.to_path_buf(),
            }
            .into()
        }
        // sled hands out copies of an I/O error it met in the background, with the original
        // printed into the message (`Os { code: 28, … }`) and only the kind kept.
        sled::Error::Io(io) => StoreError::io(path, io).into(),
        sled::Error::Corruption { .. } => {
            damaged_log(path, "sled found data that fails its checksum")
        }
        other => StoreError::Sled(other.to_string()).into(),
    }
}

/// `e` failed a commit whose batch reached sled, or may have: its changes may or may not be
/// kept ([`Error::CommitUnsure`]).
pub(crate) fn unsure(e: Error) -> Error {
    Error::CommitUnsure { cause: Box::new(e) }
}

/// `e` failed a commit part-way and its changes are not kept: taken back in this process, or
/// by the next open; `then` says what this process may still do ([`Error::CommitUndone`]).
pub(crate) fn undone(e: Error, then: AfterUndo) -> Error {
    Error::CommitUndone {
        cause: Box::new(e),
        then,
    }
}

/// sled's log at `path` cannot be read (`why`).
pub(crate) fn damaged_log(path: &Path, why: &str) -> Error {
    StoreError::Corrupt {
        path: path.to_path_buf(),
        reason: format!(
            "the storage log {} is damaged ({why}); restore the database from a backup",
            path.join("db").display()
        ),
    }
    .into()
}

pub(crate) fn corrupt(path: &Path, reason: &str) -> Error {
    StoreError::Corrupt {
        path: path.to_path_buf(),
        reason: reason.to_string(),
    }
    .into()
}

pub(crate) fn not_a_database(path: &Path, why: &str) -> Error {
    StoreError::Corrupt {
        path: path.to_path_buf(),
        reason: format!("not a kgstore database ({why})"),
    }
    .into()
}
