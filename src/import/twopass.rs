//! `kg import` of JSONL and GraphML in memory bounded by the bulk loader's batch, not by the
//! input, as `stream.rs` does for CSV. A first pass reads and checks every line or element (a
//! bad one anywhere leaves the database untouched and is reported with its file and line) and
//! keeps only the node ids (`Ids`), the interned names and the counts. The second pass reads
//! the files again and hands each entity to the bulk loader in file order.
//!
//! Both formats let a relationship name a node that comes later in its file. The first pass
//! checks a relationship whose ends it has already seen on the spot; if any it had not, a
//! check pass over the relationships follows (all ids known by then), and the write goes in two
//! passes, nodes then relationships, since the loader needs a relationship's ends first. So
//! no relationship is ever held back in memory: a file in that order is read more often, not
//! held.

use std::path::PathBuf;
use std::time::Instant;

use indicatif::ProgressBar;

use super::catalog_ids::CatalogIds;
use super::ids::NodeNumbers;
use super::staging::{BadLines, FastMap, Staging};
use super::{load, partly_written, planned_indexes, progress_bar};
use super::{ImportFormat, ImportOptions, ImportReport};
use crate::error::{Error, Result};
use crate::store::Store;
use crate::value::Value;

/// One entity read from a file, or why its line or element is bad.
pub enum Item {
    Node {
        id: Option<String>,
        labels: Vec<u32>,
        props: Vec<(u32, Value)>,
    },
    Rel {
        rel_type: u32,
        start: String,
        end: String,
        props: Vec<(u32, Value)>,
    },
    Bad(String),
}

/// An item and where it was read: the file (an index into [`Source::files`]) and line.
pub struct Found {
    pub file: usize,
    pub line: usize,
    pub item: Item,
}

/// A format read in passes: every call of [`Source::read`] finds the same items in the same
/// order while the files do not change.
pub trait Source {
    fn files(&self) -> &[PathBuf];
    /// Reads every file once, handing each item to `sink` in file order (interning names in
    /// the staging). Errors that no `--skip-bad` can pass (malformed XML, bad UTF-8, a line
    /// past the bound) are returned.
    fn read(
        &mut self,
        opts: &ImportOptions,
        staging: &mut Staging,
        sink: &mut dyn FnMut(&mut Staging, Found) -> Result<()>,
    ) -> Result<()>;
    /// The files whose node ids a relationship of `file` may name: all of them (JSONL), or
    /// only its own (GraphML: one document per graph).
    fn id_space(file: usize) -> usize;
    /// Why a node is bad whose id an earlier node has.
    fn duplicate(id: &str) -> String;
    /// Why a relationship is bad whose end `id` (its start when `start`) names no node.
    fn missing(start: bool, id: &str) -> String;
}

/// Node ids → the node's number in the import (0, 1, … in file order), per id space. Ids that
/// are canonical non-negative integers (as exported ids are) are kept as numbers.
#[derive(Default)]
struct Ids {
    spaces: Vec<Space>,
}

/// One id space: integer ids, and the others.
type Space = (FastMap<u64, u32>, FastMap<Box<str>, u32>);

impl Ids {
    /// Records node `number`'s id; false if the id is taken (the first node keeps it).
    fn insert(&mut self, space: usize, id: &str, number: u32) -> bool {
        use std::collections::hash_map::Entry;
        if self.spaces.len() <= space {
            self.spaces.resize_with(space + 1, Default::default);
        }
        let (ints, texts) = &mut self.spaces[space];
        match canonical(id) {
            Some(i) => match ints.entry(i) {
                Entry::Vacant(v) => {
                    v.insert(number);
                    true
                }
                Entry::Occupied(_) => false,
            },
            None => match texts.entry(id.into()) {
                Entry::Vacant(v) => {
                    v.insert(number);
                    true
                }
                Entry::Occupied(_) => false,
            },
        }
    }

    fn get(&self, space: usize, id: &str) -> Option<u32> {
        let (ints, texts) = self.spaces.get(space)?;
        match canonical(id) {
            Some(i) => ints.get(&i).copied(),
            None => texts.get(id).copied(),
        }
    }
}

/// `id` as a number if it is the decimal form of one (no sign, no leading zero).
fn canonical(id: &str) -> Option<u64> {
    let b = id.as_bytes();
    let plain = !b.is_empty()
        && b.len() <= 19
        && b.iter().all(u8::is_ascii_digit)
        && (b[0] != b'0' || b.len() == 1);
    plain.then(|| id.parse().ok()).flatten()
}

/// Imports `source`'s files into `store`: check, then write (see the module doc).
pub fn import<S: Source>(
    store: &Store,
    format: ImportFormat,
    source: &mut S,
    opts: &ImportOptions,
) -> Result<ImportReport> {
    let started = Instant::now();
    let paths = source.files().to_vec();
    let place = |file: usize, line: usize| format!("{}:{line}", paths[file].display());
    let mut staging = Staging::default();
    let mut bad = BadLines::default();
    let mut ids = Ids::default();
    let report_bad = |bad: &mut BadLines, msg: String| -> Result<()> {
        if !opts.skip_bad {
            return Err(Error::Io(msg));
        }
        bad.add(msg);
        Ok(())
    };
    let bar = progress_bar(opts.progress, None, "reading");
    bar.set_message("lines");
    let mut seen = 0u64;
    let mut tick = || {
        seen += 1;
        if seen.is_multiple_of(65_536) {
            bar.set_position(seen);
        }
    };
    // Pass 1: check every item, number the nodes, count.
    let mut later_ends = false;
    source.read(opts, &mut staging, &mut |s, f| {
        tick();
        let space = S::id_space(f.file);
        match &f.item {
            Item::Bad(reason) => {
                report_bad(&mut bad, format!("{}: {reason}", place(f.file, f.line)))?
            }
            Item::Node { id, labels, .. } => {
                let number = u32::try_from(s.node_count)
                    .map_err(|_| Error::Io("more than 4 billion nodes in one import".into()))?;
                if let Some(id) = id {
                    if !ids.insert(space, id, number) {
                        let msg = format!("{}: {}", place(f.file, f.line), S::duplicate(id));
                        return report_bad(&mut bad, msg);
                    }
                }
                s.count_node(labels);
            }
            Item::Rel { start, end, .. } => {
                match (ids.get(space, start), ids.get(space, end)) {
                    (Some(_), Some(_)) => s.rel_count += 1,
                    // Perhaps a node further on: checked once every node is known.
                    _ => later_ends = true,
                }
            }
        }
        Ok(())
    })?;
    if later_ends {
        staging.rel_count = 0;
        source.read(opts, &mut staging, &mut |s, f| {
            let space = S::id_space(f.file);
            if let Item::Rel { start, end, .. } = &f.item {
                match (ids.get(space, start), ids.get(space, end)) {
                    (Some(_), Some(_)) => s.rel_count += 1,
                    (s, _) => {
                        let (which, id) = if s.is_none() {
                            (true, start)
                        } else {
                            (false, end)
                        };
                        report_bad(
                            &mut bad,
                            format!("{}: {}", place(f.file, f.line), S::missing(which, id)),
                        )?
                    }
                }
            }
            Ok(())
        })?;
    }
    bar.finish_and_clear();
    let indexes = if opts.index_ids {
        planned_indexes(&staging)
    } else {
        Vec::new()
    };
    let (nodes, rels) = (staging.node_count, staging.rel_count);
    load(store, &indexes, nodes + rels, opts, |bulk, bar| {
        let mut w = Writer {
            ids: &ids,
            bar,
            skip_bad: opts.skip_bad,
            with: (true, true),
            numbers: NodeNumbers::default(),
            names: CatalogIds::default(),
            rels: 0,
        };
        let passes: &[(bool, bool)] = if later_ends {
            &[(true, false), (false, true)]
        } else {
            &[(true, true)]
        };
        for &with in passes {
            w.with = with;
            let read = source.read(opts, &mut staging, &mut |s, f| {
                w.write::<S>(bulk, s, f, &place)
            });
            read.map_err(|e| partly_written(bulk.committed(), e))?;
        }
        if (w.numbers.count, w.rels) != (nodes, rels) {
            return Err(partly_written(
                bulk.committed(),
                Error::Io(format!(
                    "the files changed while they were imported: checked {nodes} nodes and \
                     {rels} relationships, then read {} and {}",
                    w.numbers.count, w.rels
                )),
            ));
        }
        Ok(())
    })?;
    Ok(ImportReport {
        format: Some(format),
        files: paths.len(),
        nodes,
        relationships: rels,
        skipped: bad.count,
        bad_lines: bad.first,
        elapsed: started.elapsed(),
        ..ImportReport::default()
    })
}

/// The write pass's sink: each good item into the bulk loader.
struct Writer<'a> {
    ids: &'a Ids,
    bar: &'a ProgressBar,
    skip_bad: bool,
    /// Whether this pass writes (nodes, relationships).
    with: (bool, bool),
    numbers: NodeNumbers,
    names: CatalogIds,
    rels: u64,
}

impl Writer<'_> {
    fn write<S: Source>(
        &mut self,
        bulk: &mut crate::store::BulkLoader,
        s: &Staging,
        f: Found,
        place: &dyn Fn(usize, usize) -> String,
    ) -> Result<()> {
        let Found { file, line, item } = f;
        let (with_nodes, with_rels) = self.with;
        let space = S::id_space(file);
        match item {
            // Reported by the check; good then if not skipped: the file has changed since.
            Item::Bad(reason) if !self.skip_bad => {
                return Err(Error::Io(format!(
                    "{}: {reason} (the file changed while it was imported)",
                    place(file, line)
                )))
            }
            Item::Bad(_) => return Ok(()),
            Item::Node { id, labels, props } if with_nodes => {
                // A node whose id maps to another number repeats an earlier node's id: the
                // check reported it (or skipped it with --skip-bad).
                if let Some(id) = id {
                    if self.ids.get(space, &id) != u32::try_from(self.numbers.count).ok() {
                        return Ok(());
                    }
                }
                let id = self.names.node(bulk, s, &labels, props)?;
                self.numbers.record(id)?;
            }
            Item::Rel {
                rel_type,
                start,
                end,
                props,
            } if with_rels => {
                let (Some(a), Some(b)) = (self.ids.get(space, &start), self.ids.get(space, &end))
                else {
                    return Ok(());
                };
                let ends = (self.numbers.id(a)?, self.numbers.id(b)?);
                self.names.rel(bulk, s, rel_type, ends, props)?;
                self.rels += 1;
            }
            Item::Node { .. } | Item::Rel { .. } => return Ok(()),
        }
        let done = self.numbers.count + self.rels;
        if done.is_multiple_of(8192) {
            self.bar.set_position(done);
        }
        Ok(())
    }
}
