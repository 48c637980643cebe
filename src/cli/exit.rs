//! Exit codes of failed commands, shared by every subcommand.

use crate::error::{Error, StoreError};

/// The exit code of a command that failed with `e`: 2 when another process holds the
/// database (a command that needs sled, while sealed readers share it: `store/seal.rs`), as
/// when it cannot be opened at all; 1 otherwise.
pub(super) fn failure_code(e: &Error) -> i32 {
    if matches!(e.cause(), Error::Store(StoreError::Locked { .. })) {
        2
    } else {
        1
    }
}
