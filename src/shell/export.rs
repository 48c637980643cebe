//! `:export FORMAT FILE [query]` in the shell: runs the query in the shell's session (so it
//! sees an open transaction) and writes the subgraph it returns through `kgstore::export`.
//! Without a query it writes the last result as it was returned, without running anything.

use std::path::Path;

use crate::db::{Database, Params, QueryResult, RunOptions, Session};
use crate::error::Result;
use crate::export::{export_result_from, ExportFormat, ExportOptions};

/// The query runs with `run`'s cancellation flag and time limit. Returns the one-line report ("exported 3 nodes and 2 relationships as dot to 1 file(s)").
pub fn export_query(
    db: &Database,
    session: &mut Session<'_>,
    format: &str,
    file: &Path,
    query: &str,
    params: &Params,
    run: &RunOptions,
) -> Result<String> {
    let format: ExportFormat = format.parse()?;
    let result = session.run_with(query, params, run)?;
    let opts = ExportOptions {
        query: Some(query.to_string()),
        params: params.clone(),
        ..ExportOptions::default()
    };
    let graph = db.store().begin();
    let report = export_result_from(&graph, &result, format, &opts, Some(file))?;
    Ok(report.to_string())
}

/// Writes a result already returned (`:export FORMAT FILE` after a query): the statement that
/// produced it is not run again. `query` is its text, recorded in the export's header.
pub fn export_result(
    db: &Database,
    format: &str,
    file: &Path,
    query: &str,
    result: &QueryResult,
    params: &Params,
) -> Result<String> {
    let format: ExportFormat = format.parse()?;
    let opts = ExportOptions {
        query: Some(query.to_string()),
        params: params.clone(),
        ..ExportOptions::default()
    };
    let graph = db.store().begin();
    let report = export_result_from(&graph, result, format, &opts, Some(file))?;
    Ok(report.to_string())
}
