//! `kg import` and `kg export`: command-line glue over `kgstore::import` / `kgstore::export`.

use std::io;
use std::path::{Path, PathBuf};

use crate::db::{Database, Params};
use crate::error::{Error, Result, StoreError};
use crate::export::{export_result_from, write_source_to, ExportFormat, ExportOptions, Source};
use crate::import::{ImportFormat, ImportOptions};
use crate::shell::repl::{Repl, ShellOptions};
use crate::store::Store;

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
            super::exit::failure_code(&e)
        }
    }
}

/// A large import leaves sled's log with tens of MB of free segments that every later open
/// overwrites (see `store/compact.rs`), so `kg import` compacts the database before it exits
/// when the import grew its files by at least this much and by a quarter of their size (so a
/// small import into a large database does not rewrite all of it).
const COMPACT_AFTER_GROWTH: u64 = 16 << 20;

/// After a successful import into `db`, open at `path`: compacts it when the import grew its
/// files enough (see [`COMPACT_AFTER_GROWTH`]), from the log the import has open
/// (`Store::compact_open`: no second open of that log), and closes it. A failure is reported
/// but leaves the import (and the exit code) as they are.
pub fn compact_after_import(db: Database, path: &Path, bytes_before: u64) {
    let growth = crate::store::disk_bytes(path).saturating_sub(bytes_before);
    // Elsewhere `Store::compact` lacks an atomic directory exchange and would only fail.
    if !cfg!(target_os = "linux") || growth < COMPACT_AFTER_GROWTH.max(bytes_before / 4) {
        return;
    }
    match db.into_store().compact_open() {
        Ok(report) => eprintln!("{report}"),
        Err(e) => eprintln!(
            "note: the import is complete, but compacting {} failed (`kg compact` retries): {e}",
            path.display()
        ),
    }
}

/// `kg compact`: exit 0 when done, 2 when the database is missing or in use (as for any
/// command that cannot open it), 1 on any other failure.
pub fn compact(path: &Path) -> i32 {
    if !path.exists() {
        eprintln!("error: no database at {}", path.display());
        return 2;
    }
    match Store::compact(path) {
        Ok(report) => {
            eprintln!("{report}");
            0
        }
        // A database this build cannot open exits 2, as every other command does on it.
        Err(
            e @ Error::Store(
                StoreError::Locked { .. }
                | StoreError::NewerFormat { .. }
                | StoreError::Corrupt { .. }
                | StoreError::LostCommits { .. },
            ),
        ) => {
            eprintln!("error: {e}");
            2
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
        // Invalid UTF-8 is reported with its line, column and byte, as in every other import.
        let text = match crate::import::read_text(path) {
            Ok(t) => t,
            Err(e) => {
                let _ = shell.run_source(None, ":rollback\n");
                return Err(e);
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
        colour_by: args.color_by.clone(),
        no_legend: args.no_legend,
        layout: args.layout.clone(),
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
