//! `kg import` and `kg export`: command-line glue over `kgstore::import` / `kgstore::export`.

use crate::db::{Database, Params};
use crate::error::Result;
use crate::export::{export_result_from, write_source_to, ExportFormat, ExportOptions, Source};

use super::{ExportArgs, ImportArgs};

pub fn import(_db: &Database, args: &ImportArgs) -> i32 {
    eprintln!(
        "error: import of {} is not available in this build yet",
        args.format
    );
    1
}

/// Writes the export and reports what it wrote on stderr (stdout may hold the export itself).
pub fn export(db: &Database, args: &ExportArgs, params: &Params) -> i32 {
    match run_export(db, args, params) {
        Ok(report) => {
            eprintln!("{report}");
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

fn run_export(db: &Database, args: &ExportArgs, params: &Params) -> Result<String> {
    let format: ExportFormat = args.format.parse()?;
    let opts = ExportOptions {
        query: args.query.clone(),
        params: params.clone(),
        rankdir: args.rankdir.clone(),
        cluster_by: args.cluster_by.clone(),
        style_file: args.style.clone(),
        ..ExportOptions::default()
    };
    let output = args.output.as_deref();
    let report = match &args.query {
        Some(query) => {
            let result = db.run(query, params)?;
            let graph = db.store().begin();
            export_result_from(&graph, &result, format, &opts, output)?
        }
        None => {
            let graph = db.store().begin();
            write_source_to(Source::Graph(&graph), format, &opts, output)?
        }
    };
    Ok(report.to_string())
}
