//! Result renderers: one file per output format, all writing a [`QueryResult`] to a `Write`.

mod csv;
pub mod cypher;
pub mod json;
mod jsonl;
mod markdown;
pub mod table;
mod tsv;
pub mod why;

use std::fmt;
use std::io::{self, Write};
use std::str::FromStr;
use std::time::Duration;

use crate::result::{QueryResult, WriteStats};

/// An output format of `kg query`, `kg run` and the shell's `:mode`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// Aligned columns with a header and a row-count footer.
    #[default]
    Table,
    /// RFC 4180 comma-separated values with a header.
    Csv,
    /// Tab-separated values with a header (tabs, newlines and backslashes escaped).
    Tsv,
    /// One `{"columns": [...], "rows": [[...]]}` line per statement.
    Json,
    /// One JSON object per row.
    Jsonl,
    /// A GitHub-flavoured Markdown table.
    Markdown,
    /// One block per record, one `column | value` line per field (psql's `\\x`, duckdb's
    /// `.mode line`): for records too wide for a table row.
    Line,
}

impl Format {
    pub const ALL: [Format; 7] = [
        Format::Table,
        Format::Csv,
        Format::Tsv,
        Format::Json,
        Format::Jsonl,
        Format::Markdown,
        Format::Line,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Format::Table => "table",
            Format::Csv => "csv",
            Format::Tsv => "tsv",
            Format::Json => "json",
            Format::Jsonl => "jsonl",
            Format::Markdown => "markdown",
            Format::Line => "line",
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(s.trim()))
            .or_else(|| {
                s.trim()
                    .eq_ignore_ascii_case("md")
                    .then_some(Format::Markdown)
            })
            .ok_or_else(|| {
                format!("unknown format `{s}` (expected table, csv, tsv, json, jsonl, markdown or line)")
            })
    }
}

/// How to decorate a result (only the table format uses these).
#[derive(Clone, Debug, Default)]
pub struct RenderOptions {
    /// Truncate wide cells so a table row fits this many terminal columns.
    pub max_width: Option<usize>,
    /// When set, the table footer shows the elapsed time: `3 rows (12 ms)`.
    pub elapsed: Option<Duration>,
}

/// Writes one statement's result in `format`.
pub fn render(
    format: Format,
    result: &QueryResult,
    opts: &RenderOptions,
    out: &mut dyn Write,
) -> io::Result<()> {
    match format {
        Format::Table => table::render(result, opts, out),
        Format::Csv => csv::render(result, out),
        Format::Tsv => tsv::render(result, out),
        Format::Json => json::render(result, out),
        Format::Jsonl => jsonl::render(result, out),
        Format::Markdown => markdown::render(result, out),
        Format::Line => table::render_records(result, opts, out),
    }
}

/// What a script's output puts between two results that have a header, for the formats whose
/// results would otherwise run together: an empty line in csv and tsv. The json and jsonl
/// formats keep one line per statement or row, the table and markdown formats end each result
/// with their own footer or blank line.
pub fn result_separator(format: Format) -> Option<&'static str> {
    match format {
        Format::Csv => Some("\r\n"),
        Format::Tsv => Some("\n"),
        Format::Table | Format::Json | Format::Jsonl | Format::Markdown | Format::Line => None,
    }
}

/// "2 nodes created, 1 relationship created, 3 properties set"; empty when nothing changed.
pub fn stats_summary(stats: &WriteStats) -> String {
    let items = [
        (stats.nodes_created, "node", "created"),
        (stats.nodes_deleted, "node", "deleted"),
        (stats.relationships_created, "relationship", "created"),
        (stats.relationships_deleted, "relationship", "deleted"),
        (stats.properties_set, "property", "set"),
        (stats.labels_added, "label", "added"),
        (stats.labels_removed, "label", "removed"),
        (stats.indexes_added, "index", "added"),
        (stats.indexes_removed, "index", "removed"),
        (stats.constraints_added, "constraint", "added"),
        (stats.constraints_removed, "constraint", "removed"),
    ];
    items
        .iter()
        .filter(|(n, _, _)| *n > 0)
        .map(|(n, noun, verb)| format!("{n} {} {verb}", plural(*n, noun)))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `noun` in the plural when `n != 1` ("property" → "properties", "index" → "indexes").
pub fn plural(n: u64, noun: &str) -> String {
    if n == 1 {
        noun.to_string()
    } else if let Some(stem) = noun.strip_suffix('y') {
        format!("{stem}ies")
    } else if noun.ends_with('x') {
        format!("{noun}es")
    } else {
        format!("{noun}s")
    }
}

/// A float as Cypher prints it: always with a `.` or an exponent, so it never reads as an
/// integer (`1.0`, `0.5`, `1e20`, `NaN`, `Infinity`).
pub fn format_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".to_string()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.to_string()
    } else {
        // Rust's Debug output is the shortest round-trip form and keeps `.0` / `e`.
        format!("{f:?}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_and_plurals() {
        let stats = WriteStats {
            nodes_created: 2,
            relationships_created: 1,
            properties_set: 3,
            ..WriteStats::default()
        };
        assert_eq!(
            stats_summary(&stats),
            "2 nodes created, 1 relationship created, 3 properties set"
        );
        assert_eq!(stats_summary(&WriteStats::default()), "");
        assert_eq!(plural(2, "index"), "indexes");
    }

    #[test]
    fn floats_always_look_like_floats() {
        assert_eq!(format_float(1.0), "1.0");
        assert_eq!(format_float(0.5), "0.5");
        assert_eq!(format_float(-2.0), "-2.0");
        assert_eq!(format_float(1e20), "1e20");
        assert_eq!(format_float(f64::NAN), "NaN");
        assert_eq!(format_float(f64::NEG_INFINITY), "-Infinity");
    }

    #[test]
    fn format_names_parse() {
        for f in Format::ALL {
            assert_eq!(f.name().parse::<Format>(), Ok(f));
        }
        assert!("xml".parse::<Format>().is_err());
    }
}
