//! Import: read JSONL, GraphML, neo4j-admin CSV or a Cypher script into the database. Every
//! file is parsed and checked before anything is written, so a malformed line (reported with
//! file, line and reason) leaves the database unchanged unless `skip_bad` is set. CSV is then
//! read again and streamed into the bulk loader (`stream.rs`); JSONL and GraphML are held in
//! memory (`staging.rs`) between the check and the write.

pub mod csv;
pub mod cypher;
pub mod graphml;
mod ids;
pub mod jsonl;
pub mod staging;
mod stream;
pub mod xml;

use std::fmt;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::db::Database;
use crate::error::{Error, Result};
use crate::model::NodeId;
use crate::store::{BulkLoader, GraphWrite, IndexDef, Store};

pub use staging::{BadLines, Staging};

/// What `kg import --format F` reads.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ImportFormat {
    Jsonl,
    Graphml,
    Csv,
    Cypher,
}

impl ImportFormat {
    pub const ALL: [ImportFormat; 4] = [
        ImportFormat::Jsonl,
        ImportFormat::Graphml,
        ImportFormat::Csv,
        ImportFormat::Cypher,
    ];
    pub fn name(self) -> &'static str {
        match self {
            ImportFormat::Jsonl => "jsonl",
            ImportFormat::Graphml => "graphml",
            ImportFormat::Csv => "csv",
            ImportFormat::Cypher => "cypher",
        }
    }
}

impl fmt::Display for ImportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ImportFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let lower = s.trim().to_ascii_lowercase();
        let alias = match lower.as_str() {
            "json" | "ndjson" => "jsonl",
            "xml" => "graphml",
            "neo4j-admin" | "neo4j" => "csv",
            "cql" | "cyp" => "cypher",
            other => other,
        };
        ImportFormat::ALL
            .into_iter()
            .find(|f| f.name() == alias)
            .ok_or_else(|| {
                Error::Io(format!(
                    "unknown import format `{s}`: expected jsonl, graphml, csv or cypher"
                ))
            })
    }
}

/// How CSV `:ID` / `:START_ID` / `:END_ID` values are compared and stored (neo4j-admin's
/// `--id-type`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IdType {
    /// Ids are strings (neo4j-admin's default).
    #[default]
    String,
    /// Ids are 64-bit integers; a named id column (`id:ID`) is stored as an integer property.
    Integer,
}

impl FromStr for IdType {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "string" => Ok(IdType::String),
            "integer" | "int" | "long" | "actual" => Ok(IdType::Integer),
            _ => Err(Error::Io(format!(
                "unknown id type `{s}`: expected string or integer"
            ))),
        }
    }
}

/// Options of `kg import`.
#[derive(Clone, Debug)]
pub struct ImportOptions {
    pub id_type: IdType,
    /// Skip malformed lines (counted and reported) instead of importing nothing.
    pub skip_bad: bool,
    /// Show a progress bar on standard error when it is a terminal.
    pub progress: bool,
    /// CSV field delimiter (default `,`) and array / label delimiter (default `;`).
    pub delimiter: char,
    pub array_delimiter: char,
    /// After a CSV import, create an index on every named `:ID` property per label of its ID
    /// space (e.g. `id:ID(Company)` → index on `:Company(id)`), so `MATCH (c:Company {id: 7})`
    /// is a lookup. Default on.
    pub index_ids: bool,
    /// The bulk loader's batch (nodes, relationships) when not its default (1M / 2M): the
    /// memory a CSV import holds beyond its id maps, and what commits atomically.
    pub batch: Option<(usize, usize)>,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            id_type: IdType::String,
            skip_bad: false,
            progress: true,
            delimiter: ',',
            array_delimiter: ';',
            index_ids: true,
            batch: None,
        }
    }
}

/// What an import did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ImportReport {
    pub format: Option<ImportFormat>,
    pub files: usize,
    pub nodes: u64,
    pub relationships: u64,
    /// Cypher scripts: statements run.
    pub statements: u64,
    /// Lines skipped with `skip_bad`, and the first few messages (`file:line: reason`).
    pub skipped: u64,
    pub bad_lines: Vec<String>,
    pub warnings: Vec<String>,
    pub elapsed: Duration,
}

impl fmt::Display for ImportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "imported {} nodes and {} relationships",
            self.nodes, self.relationships
        )?;
        if self.statements > 0 {
            write!(f, " ({} statements)", self.statements)?;
        }
        write!(
            f,
            " from {} file(s) in {:.2} s",
            self.files,
            self.elapsed.as_secs_f64()
        )?;
        if self.skipped > 0 {
            write!(f, "; skipped {} bad line(s)", self.skipped)?;
            for b in &self.bad_lines {
                write!(f, "\n  {b}")?;
            }
            if self.skipped as usize > self.bad_lines.len() {
                write!(f, "\n  …")?;
            }
        }
        for w in &self.warnings {
            write!(f, "\nwarning: {w}")?;
        }
        Ok(())
    }
}

/// A progress bar on stderr when it is a terminal and progress is wanted; hidden otherwise.
pub fn progress_bar(show: bool, total: Option<u64>, what: &str) -> ProgressBar {
    if !show || !std::io::stderr().is_terminal() {
        return ProgressBar::hidden();
    }
    let bar = match total {
        Some(t) => ProgressBar::with_draw_target(Some(t), ProgressDrawTarget::stderr()),
        None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr()),
    };
    let template = if total.is_some() {
        "{prefix:>8} [{bar:30}] {human_pos}/{human_len} {msg} ({per_sec}, {elapsed})"
    } else {
        "{prefix:>8} {spinner} {human_pos} {msg} ({per_sec}, {elapsed})"
    };
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style.progress_chars("=> "));
    }
    bar.set_prefix(what.to_string());
    bar.enable_steady_tick(Duration::from_millis(200));
    bar
}

/// The text of an import file. Invalid UTF-8 (a file cut inside a character, or not text)
/// is an error naming the line, column and byte where it starts.
pub(crate) fn read_text(path: &std::path::Path) -> Result<String> {
    let bytes = std::fs::read(path)
        .map_err(|e| Error::Io(format!("cannot read {}: {e}", path.display())))?;
    String::from_utf8(bytes).map_err(|e| {
        let upto = e.utf8_error().valid_up_to();
        let before = &e.as_bytes()[..upto];
        let line = before.iter().filter(|b| **b == b'\n').count() + 1;
        let line_start = before.iter().rposition(|b| *b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
        Error::Io(format!(
            "{}:{line}:{column}: invalid UTF-8 at byte {upto} (is the file cut short, or not text?)",
            path.display()
        ))
    })
}

/// Parses `paths` in `format` (not Cypher) into a [`Staging`] without touching any database.
pub fn stage(
    format: ImportFormat,
    paths: &[PathBuf],
    opts: &ImportOptions,
) -> Result<(Staging, ImportReport)> {
    let started = Instant::now();
    let mut staging = Staging::default();
    let mut bad = BadLines::default();
    let mut report = ImportReport {
        format: Some(format),
        ..ImportReport::default()
    };
    let bar = progress_bar(opts.progress, None, "reading");
    bar.set_message("lines");
    let tick = |n: u64| bar.set_position(n);
    report.files = match format {
        ImportFormat::Csv => csv::stage(
            paths,
            opts,
            &mut staging,
            &mut bad,
            &mut report.warnings,
            &tick,
        )?,
        ImportFormat::Jsonl => jsonl::stage(paths, opts, &mut staging, &mut bad, &tick)?,
        ImportFormat::Graphml => graphml::stage(paths, opts, &mut staging, &mut bad, &tick)?,
        ImportFormat::Cypher => {
            return Err(Error::Io(
                "a Cypher script is run statement by statement, not staged".into(),
            ))
        }
    };
    bar.finish_and_clear();
    report.skipped = bad.count;
    report.bad_lines = bad.first;
    report.elapsed = started.elapsed();
    Ok((staging, report))
}

/// Writes a staged import through `g` (nodes first, then relationships). Returns the new node
/// ids in staging order.
pub fn write_staged(
    staging: &Staging,
    g: &mut dyn GraphWrite,
    show_progress: bool,
) -> Result<Vec<NodeId>> {
    let total = (staging.nodes.len() + staging.rels.len()) as u64;
    let bar = progress_bar(show_progress, Some(total), "writing");
    bar.set_message("entities");
    let mut ids = Vec::with_capacity(staging.nodes.len());
    let mut done = 0u64;
    for n in &staging.nodes {
        ids.push(g.create_node(
            &staging.label_names(&n.labels),
            staging.properties(&n.props),
        )?);
        done += 1;
        if done.is_multiple_of(8192) {
            bar.set_position(done);
        }
    }
    for r in &staging.rels {
        let (start, end) = (ids[r.start as usize], ids[r.end as usize]);
        g.create_relationship(
            &staging.types.names[r.rel_type as usize],
            start,
            end,
            staging.properties(&r.props),
        )?;
        done += 1;
        if done.is_multiple_of(8192) {
            bar.set_position(done);
        }
    }
    bar.finish_and_clear();
    Ok(ids)
}

/// Imports files (not a Cypher script) into `store`: everything is parsed and checked first
/// (a bad line aborts before anything is written), then written through the store's bulk
/// loader: CSV streamed from a second reading of the files, in memory bounded by the loader's
/// batch plus the node id maps; JSONL and GraphML from the whole import held in memory. With `index_ids`, indexes on CSV `id:ID(Label)` properties (and on `name`) are
/// defined in the loader's first batch, so they commit with the data they index.
///
/// An import that fits in one batch of the bulk loader (a million nodes, two million
/// relationships) is atomic. A larger one commits batch by batch: if writing fails after
/// some batches, the error says how many nodes and relationships are in the database.
pub fn import_into_store(
    store: &Store,
    format: ImportFormat,
    paths: &[PathBuf],
    opts: &ImportOptions,
) -> Result<ImportReport> {
    if format == ImportFormat::Csv {
        return stream::import_csv(store, paths, opts);
    }
    let started = Instant::now();
    let (staging, mut report) = stage(format, paths, opts)?;
    let indexes = if opts.index_ids {
        planned_indexes(&staging)
    } else {
        Vec::new()
    };
    let total = (staging.nodes.len() + staging.rels.len()) as u64;
    load(store, &indexes, total, opts, |bulk, bar| {
        write_through(&staging, bulk, bar)
    })?;
    report.nodes = staging.nodes.len() as u64;
    report.relationships = staging.rels.len() as u64;
    report.elapsed = started.elapsed();
    Ok(report)
}

/// The indexes an import defines, each with the number of nodes it will cover: one on every
/// CSV `id:ID(Label)` property, and one on `name` over every node (knowledge graphs are
/// looked up by name whatever the label: `MATCH (n {name: $x})`).
pub(crate) fn planned_indexes(staging: &Staging) -> Vec<(IndexDef, u64)> {
    let mut out = Vec::new();
    if staging.keys.names.iter().any(|k| k == "name") {
        let def = IndexDef {
            name: "any_name".into(),
            label: String::new(),
            property: "name".into(),
            unique: false,
            kind: Default::default(),
        };
        out.push((def, staging.node_count));
    }
    for (label, key) in &staging.id_indexes {
        let def = IndexDef {
            name: index_name(label, key),
            label: label.clone(),
            property: key.clone(),
            unique: false,
            kind: Default::default(),
        };
        let expected = match staging.labels.names.iter().position(|l| l == label) {
            Some(l) => staging.label_nodes.get(l).copied().unwrap_or(0),
            None => 0,
        };
        out.push((def, expected));
    }
    out
}

/// Writes a staged import through the store's bulk loader, defining `indexes` in its first
/// batch. On an error after some batches were committed, the error says what they hold.
pub fn bulk_write(
    staging: &Staging,
    store: &Store,
    indexes: &[(IndexDef, u64)],
    show_progress: bool,
) -> Result<()> {
    let total = (staging.nodes.len() + staging.rels.len()) as u64;
    let opts = ImportOptions {
        progress: show_progress,
        ..ImportOptions::default()
    };
    load(store, indexes, total, &opts, |bulk, bar| {
        write_through(staging, bulk, bar)
    })
}

/// Runs `write` on the store's bulk loader, with `indexes` defined in its first batch and a
/// progress bar of `total` entities (with `opts.progress`), in batches of `opts.batch`, then
/// flushes. On an error after some batches were committed, the error says what they hold.
pub(crate) fn load(
    store: &Store,
    indexes: &[(IndexDef, u64)],
    total: u64,
    opts: &ImportOptions,
    write: impl FnOnce(&mut BulkLoader, &ProgressBar) -> Result<()>,
) -> Result<()> {
    let bar = progress_bar(opts.progress, Some(total), "writing");
    bar.set_message("entities");
    let mut bulk = store.bulk_loader()?;
    if let Some((nodes, rels)) = opts.batch {
        bulk.set_batch_size(nodes, rels);
    }
    let written = indexes
        .iter()
        .try_for_each(|(def, expected)| bulk.create_index(def.clone(), *expected))
        .and_then(|()| write(&mut bulk, &bar));
    let result = written.and_then(|()| {
        bar.set_message("entities, flushing");
        let before = bulk.committed();
        bulk.finish()
            .map(|_| ())
            .map_err(|e| partly_written(before, e))
    });
    bar.finish_and_clear();
    result
}

/// `e`, saying what earlier batches of the import committed when they did.
pub(crate) fn partly_written((nodes, rels): (u64, u64), e: Error) -> Error {
    if (nodes, rels) == (0, 0) {
        return e;
    }
    Error::Io(format!(
        "{e} (the import is partly written: its first {nodes} nodes and {rels} relationships \
         were committed in earlier batches and are in the database)"
    ))
}

fn write_through(staging: &Staging, bulk: &mut BulkLoader, bar: &ProgressBar) -> Result<()> {
    let committed = |bulk: &BulkLoader, e: Error| partly_written(bulk.committed(), e);
    let mut ids = Vec::with_capacity(staging.nodes.len());
    let mut done = 0u64;
    let key = |k: &u32| staging.keys.names[*k as usize].as_str();
    for n in &staging.nodes {
        let labels: Vec<&str> = n
            .labels
            .iter()
            .map(|l| staging.labels.names[*l as usize].as_str())
            .collect();
        let props = n.props.iter().map(|(k, v)| (key(k), v.clone()));
        ids.push(
            bulk.add_node(&labels, props)
                .map_err(|e| committed(bulk, e))?,
        );
        done += 1;
        if done.is_multiple_of(8192) {
            bar.set_position(done);
        }
    }
    for r in &staging.rels {
        bulk.add_relationship(
            &staging.types.names[r.rel_type as usize],
            ids[r.start as usize],
            ids[r.end as usize],
            r.props.iter().map(|(k, v)| (key(k), v.clone())),
        )
        .map_err(|e| committed(bulk, e))?;
        done += 1;
        if done.is_multiple_of(8192) {
            bar.set_position(done);
        }
    }
    Ok(())
}

/// `Company`, `id` → `company_id` (what `:schema` shows for an index the import created).
fn index_name(label: &str, key: &str) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_alphanumeric() {
                    c.to_ascii_lowercase()
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!("{}_{}", clean(label), clean(key))
}

/// `kg import`: files into the database. CSV, JSONL and GraphML go through the bulk loader;
/// a Cypher script runs statement by statement in one transaction (a failing statement rolls
/// everything back and is reported with its file and line).
pub fn import(
    db: &Database,
    format: ImportFormat,
    paths: &[PathBuf],
    opts: &ImportOptions,
) -> Result<ImportReport> {
    match format {
        ImportFormat::Cypher => run_scripts(db, paths, opts),
        _ => import_into_store(db.store(), format, paths, opts),
    }
}

fn run_scripts(db: &Database, paths: &[PathBuf], opts: &ImportOptions) -> Result<ImportReport> {
    let started = Instant::now();
    let files = csv::expand(paths, &["cypher", "cql", "cyp", "txt"])?;
    let mut scripts = Vec::new();
    for f in &files {
        let text = read_text(f)?;
        scripts.push((f, cypher::split_statements(&text)));
    }
    let total: usize = scripts.iter().map(|(_, s)| s.len()).sum();
    let bar = progress_bar(opts.progress, Some(total as u64), "running");
    bar.set_message("statements");
    let mut report = ImportReport {
        format: Some(ImportFormat::Cypher),
        files: files.len(),
        ..ImportReport::default()
    };
    let mut session = db.session();
    session.begin()?;
    for (file, statements) in &scripts {
        for st in statements {
            match session.run(&st.text, &crate::value::Params::new()) {
                Ok(r) => {
                    report.nodes += r.stats.nodes_created;
                    report.relationships += r.stats.relationships_created;
                }
                Err(e) => {
                    let _ = session.rollback();
                    bar.finish_and_clear();
                    return Err(Error::Io(format!(
                        "{}:{}: {e} (nothing was imported)",
                        file.display(),
                        st.line
                    )));
                }
            }
            report.statements += 1;
            bar.inc(1);
        }
    }
    session.commit()?;
    bar.finish_and_clear();
    report.elapsed = started.elapsed();
    Ok(report)
}
