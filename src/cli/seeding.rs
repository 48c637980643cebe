//! The seed graph as `kg` loads it (a new default database, `kg seed`).

use crate::db::Database;
use crate::error::Result;

/// Loads the built-in seed graph; returns the loader's one-paragraph report.
pub fn load(db: &Database) -> Result<String> {
    crate::seed::load(db).map(|report| report.to_string())
}
