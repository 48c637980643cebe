//! `kg import` of CSV in memory bounded by the bulk loader's batch, not by the input. A first
//! pass reads and checks every line (so a bad line still leaves the database untouched, and is
//! reported with its file and line) and keeps only what the second needs: the node id maps
//! (`ids.rs`), the interned names, the counts and the planned indexes. The second pass parses
//! the files again and hands each entity to the bulk loader, which commits a batch every
//! million nodes or two million relationships (`store/bulk.rs`).
//!
//! The second pass runs on two threads: one parses the files and sends the entities, in file
//! order and in chunks, through a bounded channel to the calling thread, which owns the bulk
//! loader. The loader sees the same entities in the same order as from one thread, so the
//! batches, their atomicity and the database are the same; the channel holds at most
//! [`QUEUED`] chunks of [`CHUNK`] entities, so memory stays bounded by the batch.

use std::path::PathBuf;
use std::sync::mpsc::{sync_channel, Receiver};
use std::time::Instant;

use indicatif::ProgressBar;

use super::csv::{CsvImport, Pass};
use super::ids::NodeNumbers;
use super::staging::{BadLines, Staged, StagedNode, StagedRel, Staging};
use super::{load, partly_written, planned_indexes, progress_bar};
use super::{ImportFormat, ImportOptions, ImportReport};
use crate::error::{Error, Result};
use crate::store::{BulkLoader, Store};
use crate::value::Value;

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
    // The check interned every name the files hold: the writer reads them from this copy
    // while the reading thread goes on with `staging` (it interns nothing new).
    let names = Names {
        labels: staging.labels.names.clone(),
        types: staging.types.names.clone(),
        keys: staging.keys.names.clone(),
    };
    load(store, &indexes, nodes + rels, opts, |bulk, bar| {
        let mut w = Writer {
            bulk,
            bar,
            names: &names,
            numbers: NodeNumbers::default(),
            done: 0,
        };
        let (tx, rx) = sync_channel::<Vec<Staged>>(QUEUED);
        let (read, written) = std::thread::scope(|scope| {
            let reader = scope.spawn(|| {
                // Owned here, so the channel closes (and the writer ends) when reading does.
                let tx = tx;
                let mut ignored = BadLines::default();
                let mut chunk = Vec::with_capacity(CHUNK);
                let read = csv.read(
                    Pass::Again,
                    opts,
                    &mut staging,
                    &mut ignored,
                    &|_| {},
                    &mut |_, e| {
                        chunk.push(e);
                        if chunk.len() == CHUNK {
                            let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                            // The writer stopped (its error is the one reported): stop reading.
                            tx.send(full)
                                .map_err(|_| Error::Io("the writer stopped".into()))?;
                        }
                        Ok(())
                    },
                );
                // Only after a complete read: what follows an error is never written.
                if read.is_ok() && !chunk.is_empty() {
                    let _ = tx.send(chunk);
                }
                read
            });
            let written = w.write_all(rx);
            let read = reader.join().unwrap_or_else(|_| {
                Err(Error::Io(
                    "the thread reading the import files failed".into(),
                ))
            });
            (read, written)
        });
        // Any error, the loader's or the reading's (a file gone or changed since the
        // check), says what earlier batches committed. The writer's comes first: when it
        // stops, the reader fails only because nobody takes its entities any more.
        written
            .and(read)
            .map_err(|e| partly_written(w.bulk.committed(), e))?;
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

/// Entities per message from the reading thread to the writer: large enough that the channel
/// costs nothing beside the entities, small enough that the writer starts at once.
const CHUNK: usize = 4096;

/// Chunks the channel holds before the reader waits for the writer (a few MB at most).
const QUEUED: usize = 8;

/// The interned names of the check pass, by index (`Staging`'s interners).
struct Names {
    labels: Vec<String>,
    types: Vec<String>,
    keys: Vec<String>,
}

impl Names {
    fn get<'a>(names: &'a [String], i: u32, what: &str) -> Result<&'a str> {
        names.get(i as usize).map(String::as_str).ok_or_else(|| {
            Error::Io(format!(
                "the files changed while they were imported: a {what} the check did not see"
            ))
        })
    }
}

/// The second pass's sink: each entity into the bulk loader.
struct Writer<'a> {
    bulk: &'a mut BulkLoader,
    bar: &'a ProgressBar,
    names: &'a Names,
    numbers: NodeNumbers,
    done: u64,
}

impl Writer<'_> {
    /// Writes every entity the reading thread sends, in order, until it stops sending or a
    /// write fails (dropping `rx` then tells the reader to stop).
    fn write_all(&mut self, rx: Receiver<Vec<Staged>>) -> Result<()> {
        for chunk in rx {
            for e in chunk {
                self.write(e)?;
            }
        }
        Ok(())
    }

    fn write(&mut self, e: Staged) -> Result<()> {
        match e {
            Staged::Node(n) => self.node(n)?,
            Staged::Rel(r) => self.rel(r)?,
        }
        self.done += 1;
        if self.done.is_multiple_of(8192) {
            self.bar.set_position(self.done);
        }
        Ok(())
    }

    fn node(&mut self, n: StagedNode) -> Result<()> {
        let names = self.names;
        let labels = n
            .labels
            .iter()
            .map(|&l| Names::get(&names.labels, l, "label"))
            .collect::<Result<Vec<&str>>>()?;
        let id = self.bulk.add_node(&labels, props(names, n.props)?)?;
        self.numbers.record(id)
    }

    fn rel(&mut self, r: StagedRel) -> Result<()> {
        // A relationship line is good only if both its ends are nodes of the import, and node
        // files are read first: a node is always written by now.
        let names = self.names;
        self.bulk.add_relationship(
            Names::get(&names.types, r.rel_type, "relationship type")?,
            self.numbers.id(r.start)?,
            self.numbers.id(r.end)?,
            props(names, r.props)?,
        )?;
        Ok(())
    }
}

/// An entity's properties with their keys' names.
fn props(names: &Names, props: Vec<(u32, Value)>) -> Result<Vec<(&str, Value)>> {
    props
        .into_iter()
        .map(|(k, v)| Ok((Names::get(&names.keys, k, "property key")?, v)))
        .collect()
}
