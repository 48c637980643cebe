//! `kg import` and `kg export`: command-line glue over `kgstore::import` / `kgstore::export`.

use std::io;
use std::path::PathBuf;

use crate::db::{Database, Params};
use crate::error::{Error, Result};
use crate::export::{export_result_from, write_source_to, ExportFormat, ExportOptions, Source};
use crate::import::{ImportFormat, ImportOptions};
use crate::shell::repl::{Repl, ShellOptions};

use super::{ExportArgs, ImportArgs};

/// Reads every file before writing anything, then writes the graph through the bulk loader, so
/// a malformed line leaves the database unchanged (unless `--skip-bad`). Cypher scripts run
/// statement by statement like `kg run`.
pub fn import(db: &Database, args: &ImportArgs) -> i32 {
    match run_import(db, args) {
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

fn run_import(db: &Database, args: &ImportArgs) -> Result<String> {
    let format: ImportFormat = args.format.parse()?;
    if format == ImportFormat::Cypher {
        return import_cypher(db, &args.paths);
    }
    let opts = ImportOptions {
        id_type: args.id_type.parse()?,
        skip_bad: args.skip_bad,
        ..ImportOptions::default()
    };
    // Parsed and checked in full first, then written through the store's bulk loader (with
    // indexes on the CSV id columns), so a malformed line leaves the database unchanged.
    let report = crate::import::import_into_store(db.store(), format, &args.paths, &opts)?;
    Ok(report.to_string())
}

fn import_cypher(db: &Database, paths: &[PathBuf]) -> Result<String> {
    let mut shell = Repl::new(db, ShellOptions::default(), io::sink(), io::stderr());
    // One transaction for all scripts: a failing statement leaves the database unchanged.
    let began = shell.run_source(None, ":begin\n");
    if began.is_err() {
        return Err(Error::Transaction(
            "cannot open a transaction for the import".into(),
        ));
    }
    for path in paths {
        let text = match std::fs::read_to_string(path) {
            Ok(t) => t,
            Err(e) => {
                let _ = shell.run_source(None, ":rollback\n");
                return Err(Error::Io(format!("cannot read {}: {e}", path.display())));
            }
        };
        let name = path.display().to_string();
        if shell.run_source(Some(&name), &text).is_err() {
            let _ = shell.run_source(None, ":rollback\n");
            return Err(Error::Io(format!(
                "import of {name} stopped at the error above; nothing was imported"
            )));
        }
    }
    if shell.run_source(None, ":commit\n").is_err() {
        return Err(Error::Transaction(
            "the import could not be committed".into(),
        ));
    }
    Ok(format!("ran {} Cypher script(s)", paths.len()))
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
