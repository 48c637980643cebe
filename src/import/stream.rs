//! `kg import` of CSV in memory bounded by the bulk loader's batch, not by the input. A first
//! pass reads and checks every line (so a bad line still leaves the database untouched, and is
//! reported with its file and line) and keeps only what the second needs: the node id maps
//! (`ids.rs`), the interned names, the counts and the planned indexes. The second pass parses
//! the files again and hands each entity straight to the bulk loader, which commits a batch
//! every million nodes or two million relationships (`store/bulk.rs`).

use std::path::PathBuf;
use std::time::Instant;

use indicatif::ProgressBar;

use super::catalog_ids::CatalogIds;
use super::csv::{CsvImport, Pass};
use super::ids::NodeNumbers;
use super::staging::{BadLines, Staged, StagedNode, StagedRel, Staging};
use super::{load, partly_written, planned_indexes, progress_bar};
use super::{ImportFormat, ImportOptions, ImportReport};
use crate::error::{Error, Result};
use crate::store::{BulkLoader, Store};

/// Imports neo4j-admin CSV files into `store` in two passes (check, then stream).
pub fn import_csv(store: &Store, paths: &[PathBuf], opts: &ImportOptions) -> Result<ImportReport> {
    let started = Instant::now();
    let mut staging = Staging::default();
    let mut bad = BadLines::default();
    let mut report = ImportReport {
        format: Some(ImportFormat::Csv),
        ..ImportReport::default()
    };
    let mut csv = CsvImport::open(paths, opts, &mut staging, &mut report.warnings)?;
    report.files = csv.files();
    let bar = progress_bar(opts.progress, None, "reading");
    bar.set_message("lines");
    csv.read(
        Pass::Check,
        opts,
        &mut staging,
        &mut bad,
        &|n| bar.set_position(n),
        &mut |s, e| {
            match e {
                Staged::Node(n) => s.count_node(&n.labels),
                Staged::Rel(_) => s.rel_count += 1,
            }
            Ok(())
        },
    )?;
    bar.finish_and_clear();
    report.skipped = bad.count;
    report.bad_lines = bad.first;
    let indexes = if opts.index_ids {
        planned_indexes(&staging)
    } else {
        Vec::new()
    };
    let (nodes, rels) = (staging.node_count, staging.rel_count);
    load(store, &indexes, nodes + rels, opts, |bulk, bar| {
        let mut w = Writer {
            bulk,
            bar,
            numbers: NodeNumbers::default(),
            names: CatalogIds::default(),
            done: 0,
        };
        let mut ignored = BadLines::default();
        // Any error, the loader's or the reading's (a file gone or changed since the
        // check), says what earlier batches committed.
        let read = csv.read(
            Pass::Again,
            opts,
            &mut staging,
            &mut ignored,
            &|_| {},
            &mut |s, e| w.write(s, e),
        );
        read.map_err(|e| partly_written(w.bulk.committed(), e))?;
        if (w.numbers.count, w.done - w.numbers.count) != (nodes, rels) {
            return Err(partly_written(
                w.bulk.committed(),
                Error::Io(format!(
                    "the files changed while they were imported: checked {nodes} nodes and \
                     {rels} relationships, then read {} and {}",
                    w.numbers.count,
                    w.done - w.numbers.count
                )),
            ));
        }
        Ok(())
    })?;
    report.nodes = nodes;
    report.relationships = rels;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The second pass's sink: each entity into the bulk loader.
struct Writer<'a> {
    bulk: &'a mut BulkLoader,
    bar: &'a ProgressBar,
    numbers: NodeNumbers,
    names: CatalogIds,
    done: u64,
}

impl Writer<'_> {
    fn write(&mut self, s: &Staging, e: Staged) -> Result<()> {
        match e {
            Staged::Node(n) => self.node(s, n)?,
            Staged::Rel(r) => self.rel(s, r)?,
        }
        self.done += 1;
        if self.done.is_multiple_of(8192) {
            self.bar.set_position(self.done);
        }
        Ok(())
    }

    fn node(&mut self, s: &Staging, n: StagedNode) -> Result<()> {
        let id = self.names.node(self.bulk, s, &n.labels, n.props)?;
        self.numbers.record(id)
    }

    fn rel(&mut self, s: &Staging, r: StagedRel) -> Result<()> {
        // A relationship line is good only if both its ends are nodes of the import, and node
        // files are read first: a node is always written by now.
        let ends = (self.numbers.id(r.start)?, self.numbers.id(r.end)?);
        self.names.rel(self.bulk, s, r.rel_type, ends, r.props)?;
        Ok(())
    }
}
