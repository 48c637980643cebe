//! Export: the whole graph, or the subgraph a query returns, as GraphViz DOT/SVG/PNG, JSONL,
//! GraphML, neo4j-admin CSV or a Cypher script (see `docs/export-import.md`).

pub mod csv;
pub mod cypher;
pub mod dot;
pub mod graphml;
pub mod graphviz;
mod ident;
pub mod json;
pub mod schema;
pub mod style;
pub mod subgraph;

use std::fmt;
use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::str::FromStr;

use crate::db::Database;
use crate::error::{Error, Result};
use crate::result::QueryResult;
use crate::store::GraphRead;
use crate::value::Params;

pub use dot::DotOptions;
pub use style::StyleSheet;
pub use subgraph::{Source, Subgraph};

/// What `kg export --format F` writes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ExportFormat {
    /// GraphViz DOT text.
    Dot,
    /// DOT rendered by GraphViz `dot -Tsvg`.
    Svg,
    /// DOT rendered by GraphViz `dot -Tpng`.
    Png,
    /// One JSON object per node, then one per relationship.
    Jsonl,
    /// GraphML XML.
    Graphml,
    /// A directory in the neo4j-admin import layout.
    Csv,
    /// A script of Cypher statements.
    Cypher,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 7] = [
        ExportFormat::Dot,
        ExportFormat::Svg,
        ExportFormat::Png,
        ExportFormat::Jsonl,
        ExportFormat::Graphml,
        ExportFormat::Csv,
        ExportFormat::Cypher,
    ];

    pub fn name(self) -> &'static str {
        match self {
            ExportFormat::Dot => "dot",
            ExportFormat::Svg => "svg",
            ExportFormat::Png => "png",
            ExportFormat::Jsonl => "jsonl",
            ExportFormat::Graphml => "graphml",
            ExportFormat::Csv => "csv",
            ExportFormat::Cypher => "cypher",
        }
    }

    /// True when the output is a directory rather than one stream.
    pub fn writes_directory(self) -> bool {
        self == ExportFormat::Csv
    }
}

impl fmt::Display for ExportFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for ExportFormat {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let lower = s.trim().to_ascii_lowercase();
        let alias = match lower.as_str() {
            "gv" | "graphviz" => "dot",
            "json" | "ndjson" => "jsonl",
            "xml" => "graphml",
            "cql" | "cyp" => "cypher",
            other => other,
        };
        ExportFormat::ALL
            .into_iter()
            .find(|f| f.name() == alias)
            .ok_or_else(|| {
                Error::Io(format!(
                    "unknown export format `{s}`: expected dot, svg, png, jsonl, graphml, csv or cypher"
                ))
            })
    }
}

/// Options of `kg export`; all optional.
#[derive(Clone, Debug)]
pub struct ExportOptions {
    /// Export only the subgraph of the nodes, relationships and paths this query returns.
    pub query: Option<String>,
    pub params: Params,
    /// DOT: `TB`, `LR`, `BT` or `RL`.
    pub rankdir: Option<String>,
    /// DOT: one box per value of this node property.
    pub cluster_by: Option<String>,
    /// DOT: per-label / per-type style overrides (format in `export::style`).
    pub style_file: Option<PathBuf>,
    /// DOT: leave out the legend.
    pub no_legend: bool,
    /// DOT: colour facts by the values of this property (`source`: by document).
    pub colour_by: Option<String>,
    /// DOT: the GraphViz layout engine (default: chosen from the graph's size).
    pub layout: Option<String>,
    /// CSV: field delimiter (default `,`) and array delimiter (default `;`).
    pub delimiter: char,
    pub array_delimiter: char,
    /// Cypher: create and drop an index on the temporary id (default on; turn off for engines
    /// whose index syntax differs, e.g. Memgraph).
    pub cypher_index: bool,
}

impl Default for ExportOptions {
    fn default() -> Self {
        ExportOptions {
            query: None,
            params: Params::new(),
            rankdir: None,
            cluster_by: None,
            style_file: None,
            no_legend: false,
            colour_by: None,
            layout: None,
            delimiter: ',',
            array_delimiter: ';',
            cypher_index: true,
        }
    }
}

/// What an export wrote.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct ExportReport {
    pub format: Option<ExportFormat>,
    pub nodes: u64,
    pub relationships: u64,
    /// Files written (the output file, or every CSV file); empty when written to a stream.
    pub files: Vec<PathBuf>,
    /// Things the format could not represent exactly.
    pub warnings: Vec<String>,
}

impl fmt::Display for ExportReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "exported {} nodes and {} relationships",
            self.nodes, self.relationships
        )?;
        if let Some(fmt_) = self.format {
            write!(f, " as {fmt_}")?;
        }
        if !self.files.is_empty() {
            write!(f, " to {} file(s)", self.files.len())?;
        }
        for w in &self.warnings {
            write!(f, "\nwarning: {w}")?;
        }
        Ok(())
    }
}

fn dot_options(opts: &ExportOptions) -> Result<DotOptions> {
    let style = match &opts.style_file {
        Some(p) => StyleSheet::load(p)?,
        None => StyleSheet::default(),
    };
    if let Some(r) = &opts.rankdir {
        dot::check_rankdir(r)?;
    }
    Ok(DotOptions {
        rankdir: opts.rankdir.clone(),
        cluster_by: opts.cluster_by.clone(),
        style,
        no_legend: opts.no_legend,
        colour_by: opts.colour_by.clone(),
        layout: opts.layout.as_deref().map(dot::check_layout).transpose()?,
    })
}

/// Writes `source` in a stream format (everything but CSV) to `out`.
pub fn write_source(
    source: Source<'_>,
    format: ExportFormat,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<ExportReport> {
    let mut report = ExportReport {
        format: Some(format),
        ..ExportReport::default()
    };
    let (nodes, rels) = match format {
        ExportFormat::Dot => dot::write_dot(source, &dot_options(opts)?, out)?,
        ExportFormat::Svg | ExportFormat::Png => {
            let mut text = Vec::new();
            let counts = dot::write_dot(source, &dot_options(opts)?, &mut text)?;
            let bytes = graphviz::render(&text, format.name())?;
            out.write_all(&bytes)
                .map_err(|e| Error::Io(format!("cannot write {format} output: {e}")))?;
            counts
        }
        ExportFormat::Jsonl => write_jsonl(source, out)?,
        ExportFormat::Graphml => graphml::write_graphml(source, out)?,
        ExportFormat::Cypher => {
            let (n, r, _) = cypher::write_cypher(source, opts.cypher_index, out)?;
            (n, r)
        }
        ExportFormat::Csv => {
            return Err(Error::Io(
                "csv export writes a directory (nodes/*.csv, relationships/*.csv): give an output directory with -o DIR".into(),
            ))
        }
    };
    out.flush()
        .map_err(|e| Error::Io(format!("cannot write {format} output: {e}")))?;
    report.nodes = nodes;
    report.relationships = rels;
    report.warnings.extend(schema_warning(&source, format)?);
    Ok(report)
}

/// What an export of `source` in `format` leaves out of the graph's schema, as one warning:
/// everything in the formats that carry data only, the indexes without a label (which no
/// Cypher statement declares) in Cypher. Pictures, and a query's subgraph, carry no schema
/// and say nothing.
fn schema_warning(source: &Source<'_>, format: ExportFormat) -> Result<Option<String>> {
    let Source::Graph(graph) = source else {
        return Ok(None);
    };
    let name = match format {
        ExportFormat::Jsonl => "JSONL",
        ExportFormat::Graphml => "GraphML",
        ExportFormat::Csv => "CSV",
        ExportFormat::Cypher => {
            let schema = schema::Schema::of(*graph)?;
            return Ok((!schema.inexpressible.is_empty()).then(|| {
                format!(
                    "not exported: the index(es) {} over every node (without a label), which \
                     no Cypher statement can declare (`kg import` of JSONL, GraphML or CSV \
                     makes one on `name` by itself)",
                    schema.inexpressible.join(", ")
                )
            }));
        }
        ExportFormat::Dot | ExportFormat::Svg | ExportFormat::Png => return Ok(None),
    };
    schema::left_out(*graph, name)
}

fn write_jsonl(source: Source<'_>, out: &mut dyn Write) -> Result<(u64, u64)> {
    let (mut nodes, mut rels) = (0u64, 0u64);
    let mut line = String::new();
    let err = |e: std::io::Error| Error::Io(format!("cannot write JSONL output: {e}"));
    source.for_each_node(&mut |n| {
        line.clear();
        json::write_node(&mut line, n, true);
        line.push('\n');
        out.write_all(line.as_bytes()).map_err(err)?;
        nodes += 1;
        Ok(())
    })?;
    source.for_each_relationship(&mut |r| {
        line.clear();
        json::write_relationship(&mut line, r, true);
        line.push('\n');
        out.write_all(line.as_bytes()).map_err(err)?;
        rels += 1;
        Ok(())
    })?;
    Ok((nodes, rels))
}

/// Writes `source` to `output` (a file, or a directory for CSV), or to standard output when
/// `None`.
pub fn write_source_to(
    source: Source<'_>,
    format: ExportFormat,
    opts: &ExportOptions,
    output: Option<&Path>,
) -> Result<ExportReport> {
    if format.writes_directory() {
        let dir = output.ok_or_else(|| {
            Error::Io("csv export writes a directory (nodes/*.csv, relationships/*.csv): give an output directory with -o DIR".into())
        })?;
        let (nodes, relationships, files, mut warnings) =
            csv::write_csv_dir(source, dir, opts.delimiter, opts.array_delimiter)?;
        warnings.extend(schema_warning(&source, format)?);
        return Ok(ExportReport {
            format: Some(format),
            nodes,
            relationships,
            files,
            warnings,
        });
    }
    match output {
        Some(path) => {
            let file = std::fs::File::create(path)
                .map_err(|e| Error::Io(format!("cannot create {}: {e}", path.display())))?;
            let mut w = std::io::BufWriter::new(file);
            let mut report = write_source(source, format, opts, &mut w)?;
            report.files.push(path.to_path_buf());
            Ok(report)
        }
        None => {
            let stdout = std::io::stdout();
            if format == ExportFormat::Png && stdout.is_terminal() {
                return Err(Error::Io(
                    "refusing to write PNG to a terminal: give an output file with -o FILE.png"
                        .into(),
                ));
            }
            let mut lock = stdout.lock();
            write_source(source, format, opts, &mut lock)
        }
    }
}

/// Exports the subgraph of an already computed result (the REPL's `:export dot FILE`).
pub fn export_result_from(
    graph: &dyn GraphRead,
    result: &QueryResult,
    format: ExportFormat,
    opts: &ExportOptions,
    output: Option<&Path>,
) -> Result<ExportReport> {
    let sub = Subgraph::from_result(result, graph)?;
    write_source_to(Source::Subgraph(&sub), format, opts, output)
}

/// `kg export`: the whole graph, or with `opts.query` the subgraph that query returns, to
/// `output` (a file; a directory for CSV) or standard output when `None`.
pub fn export(
    db: &Database,
    format: ExportFormat,
    opts: &ExportOptions,
    output: Option<&Path>,
) -> Result<ExportReport> {
    match &opts.query {
        Some(q) => {
            let result = db.run(q, &opts.params)?;
            export_result(db, &result, format, opts, output)
        }
        None => {
            let txn = db.store().begin();
            write_source_to(Source::Graph(&txn), format, opts, output)
        }
    }
}

/// Like [`export`], to any writer (not CSV, which writes a directory).
pub fn export_to_writer(
    db: &Database,
    format: ExportFormat,
    opts: &ExportOptions,
    out: &mut dyn Write,
) -> Result<ExportReport> {
    let txn = db.store().begin();
    match &opts.query {
        Some(q) => {
            let result = db.run(q, &opts.params)?;
            let sub = Subgraph::from_result(&result, &txn)?;
            write_source(Source::Subgraph(&sub), format, opts, out)
        }
        None => write_source(Source::Graph(&txn), format, opts, out),
    }
}

/// The REPL's `:export FORMAT FILE`: the subgraph of an already computed result (nodes,
/// relationships, paths, and both ends of every relationship).
pub fn export_result(
    db: &Database,
    result: &QueryResult,
    format: ExportFormat,
    opts: &ExportOptions,
    output: Option<&Path>,
) -> Result<ExportReport> {
    let txn = db.store().begin();
    export_result_from(&txn, result, format, opts, output)
}
