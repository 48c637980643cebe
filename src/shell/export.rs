//! `:export FORMAT FILE [query]` in the shell: runs the query in the shell's session (so it
//! sees an open transaction) and writes the subgraph it returns through `kgstore::export`.

use std::path::Path;

use crate::db::{Database, Params, Session};
use crate::error::Result;
use crate::export::{export_result_from, ExportFormat, ExportOptions};

/// Returns the one-line report ("exported 3 nodes and 2 relationships as dot to 1 file(s)").
pub fn export_query(
    db: &Database,
    session: &mut Session<'_>,
    format: &str,
    file: &Path,
    query: &str,
    params: &Params,
) -> Result<String> {
    let format: ExportFormat = format.parse()?;
    let result = session.run(query, params)?;
    let opts = ExportOptions {
        query: Some(query.to_string()),
        params: params.clone(),
        ..ExportOptions::default()
    };
    let graph = db.store().begin();
    let report = export_result_from(&graph, &result, format, &opts, Some(file))?;
    Ok(report.to_string())
}
