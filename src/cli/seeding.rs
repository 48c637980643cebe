//! The seed graph as `kg` loads it (a new default database, `kg seed`).
//!
//! Until `kgstore::seed` is part of the build this reports that the seed graph is missing.

use crate::db::Database;
use crate::error::{Error, Result};

pub fn load(_db: &Database) -> Result<String> {
    Err(Error::Io(
        "the built-in seed graph is not part of this build".to_string(),
    ))
}
