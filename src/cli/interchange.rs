//! `kg import` and `kg export`: command-line glue over `kgstore::import` / `kgstore::export`.

use crate::db::{Database, Params};

use super::{ExportArgs, ImportArgs};

pub fn import(_db: &Database, args: &ImportArgs) -> i32 {
    eprintln!(
        "error: import of {} is not available in this build yet",
        args.format
    );
    1
}

pub fn export(_db: &Database, args: &ExportArgs, _params: &Params) -> i32 {
    eprintln!(
        "error: export to {} is not available in this build yet",
        args.format
    );
    1
}
