//! Import: read JSONL, GraphML, neo4j-admin CSV or a Cypher script into the database. Every
//! file is parsed and checked before anything is written, so a malformed line (reported with
//! file, line and reason) leaves the database unchanged unless `skip_bad` is set; then it is
//! read again and streamed into the bulk loader (CSV: `stream.rs`, JSONL and GraphML:
//! `twopass.rs`). No file is held whole: each is read through a window (`window.rs`).

mod catalog_ids;
pub mod csv;
pub mod cypher;
pub mod graphml;
mod ids;
pub mod jsonl;
pub mod staging;
mod stream;
mod twopass;
pub(crate) mod window;
pub mod xml;

use std::fmt;
use std::io::IsTerminal;
use std::path::PathBuf;
use std::str::FromStr;
use std::time::{Duration, Instant};

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::error::{Error, Result};
use crate::result::WriteStats;
use crate::store::{BulkLoader, IndexDef, Store};

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
    /// The longest line (JSONL), record (CSV) or XML token (GraphML) read, in bytes: what one
    /// piece of an import file may hold in memory. Longer is an error naming its line.
    pub max_line: usize,
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
            max_line: window::MAX_LINE_BYTES,
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

/// Imports files (not a Cypher script) into `store` through its bulk loader, in memory bounded
/// by the loader's batch plus the node ids: every file is read and checked first (a bad line
/// aborts before anything is written), then read again and streamed into the loader (CSV:
/// `stream.rs`; JSONL and GraphML: `twopass.rs`). With `index_ids`, indexes on CSV
/// `id:ID(Label)` properties (and on `name`) are defined in the loader's first batch, so they
/// commit with the data they index.
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
    match format {
        ImportFormat::Csv => stream::import_csv(store, paths, opts),
        ImportFormat::Jsonl => {
            twopass::import(store, format, &mut jsonl::Jsonl::open(paths)?, opts)
        }
        ImportFormat::Graphml => {
            twopass::import(store, format, &mut graphml::Graphml::open(paths)?, opts)
        }
        ImportFormat::Cypher => Err(Error::Io(
            "a Cypher script is run statement by statement, not bulk loaded".into(),
        )),
    }
}

/// The indexes an import defines, each with the number of nodes it will cover: one on every
/// CSV `id:ID(Label)` property, and one on `name` over every node (knowledge graphs are
/// looked up by name whatever the label: `MATCH (n {name: $x})`).
pub(crate) fn planned_indexes(staging: &Staging) -> Vec<(IndexDef, u64)> {
    let mut out = Vec::new();
    let any_name = name_index();
    if staging.keys.names.contains(&any_name.property) {
        out.push((any_name, staging.node_count));
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

/// The index on `name` over every node that an import of JSONL, GraphML or CSV makes by
/// itself when a node or relationship of its files has the key ([`planned_indexes`]).
pub(crate) fn name_index() -> IndexDef {
    IndexDef {
        name: "any_name".into(),
        label: String::new(),
        property: "name".into(),
        unique: false,
        kind: Default::default(),
    }
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

/// What a Cypher script import needs of the database: one transaction and statements run in
/// it. The façade's session is one (`Database::import`); the trait keeps this module below it.
pub trait ScriptSession {
    fn begin(&mut self) -> Result<()>;
    /// Runs one statement in the open transaction; what it changed.
    fn run_statement(&mut self, statement: &str) -> Result<WriteStats>;
    fn commit(&mut self) -> Result<()>;
    fn rollback(&mut self) -> Result<()>;
}

/// Cypher scripts run statement by statement in one transaction: a failing statement rolls
/// everything back and is reported with its file and line.
pub fn run_scripts(
    session: &mut dyn ScriptSession,
    paths: &[PathBuf],
    opts: &ImportOptions,
) -> Result<ImportReport> {
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
    session.begin()?;
    for (file, statements) in &scripts {
        for st in statements {
            match session.run_statement(&st.text) {
                Ok(stats) => {
                    report.nodes += stats.nodes_created;
                    report.relationships += stats.relationships_created;
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
