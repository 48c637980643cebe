//! `:export FORMAT FILE [query]` in the shell: runs the query in the shell's session and writes
//! the subgraph it returns through `kgstore::export`.

use std::path::Path;

use crate::db::{Database, Params, Session};
use crate::error::{Error, QueryError, Result};

pub fn export_query(
    _db: &Database,
    _session: &mut Session<'_>,
    format: &str,
    _file: &Path,
    _query: &str,
    _params: &Params,
) -> Result<String> {
    Err(Error::Query(QueryError::unsupported(format!(
        "export to {format} in this build"
    ))))
}
