//! A Cypher script of `;`-terminated statements that recreates the graph in kgstore, Neo4j,
//! Memgraph or FalkorDB: nodes in `UNWIND` batches per label set, tagged with a temporary label
//! and id property; relationships matched through them; the tags removed at the end; then
//! the user's indexes and constraints (`schema.rs`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

pub use super::ident::ident;
use super::json::float_text;
use super::subgraph::Source;
use crate::error::{Error, Result};
use crate::model::Properties;
use crate::value::Value;

/// Temporary label and property that carry the exported id while relationships are created.
pub const TEMP_LABEL: &str = "_KgExport";
pub const TEMP_ID: &str = "_kg_export_id";
const BATCH: usize = 500;

/// A Cypher string literal in single quotes; every engine reads `\\`, `\'`, `\n`, `\r`, `\t`
/// and `\uXXXX`.
pub fn string_literal(s: &str, out: &mut String) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c.is_control() => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('\'');
}

/// A Cypher literal for a property value.
pub fn literal(v: &Value, out: &mut String) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        // i64::MIN has no literal (the minus is an operator on 9223372036854775808).
        Value::Int(i) if *i == i64::MIN => out.push_str("(-9223372036854775807 - 1)"),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) if f.is_nan() => out.push_str("(0.0 / 0.0)"),
        Value::Float(f) if f.is_infinite() => out.push_str(if *f > 0.0 {
            "(1.0 / 0.0)"
        } else {
            "(-1.0 / 0.0)"
        }),
        Value::Float(f) => out.push_str(&float_text(*f)),
        Value::String(s) => string_literal(s, out),
        Value::Date(_)
        | Value::LocalTime(_)
        | Value::Time(_)
        | Value::LocalDateTime(_)
        | Value::DateTime(_)
        | Value::Duration(_) => {
            out.push_str(v.temporal_function().unwrap_or("date"));
            out.push('(');
            string_literal(&v.temporal_text().unwrap_or_default(), out);
            out.push(')');
        }
        Value::Point(p) => {
            let _ = write!(out, "point({{srid: {}", p.crs().srid());
            for (c, name) in p.coords().iter().zip(["x", "y", "z"]) {
                let _ = write!(out, ", {name}: {}", float_text(*c));
            }
            out.push_str("})");
        }
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                literal(item, out);
            }
            out.push(']');
        }
        Value::Map(m) => map_literal(m.iter(), out),
        // Graph entities are never properties; write their ids rather than fail.
        Value::Node(n) => {
            let _ = write!(out, "{}", n.id);
        }
        Value::Relationship(r) => {
            let _ = write!(out, "{}", r.id);
        }
        Value::NodeRef(id) | Value::RelRef(id) => {
            let _ = write!(out, "{id}");
        }
        Value::Path(_) | Value::PathRef(_) => out.push_str("null"),
    }
}

fn map_literal<'a>(entries: impl Iterator<Item = (&'a String, &'a Value)>, out: &mut String) {
    out.push('{');
    let mut first = true;
    for (k, v) in entries {
        if v.is_null() {
            continue;
        }
        if !first {
            out.push_str(", ");
        }
        first = false;
        out.push_str(&ident(k));
        out.push_str(": ");
        literal(v, out);
    }
    out.push('}');
}

fn props_literal(p: &Properties, out: &mut String) {
    map_literal(p.iter(), out);
}

struct Writer<'a> {
    out: &'a mut dyn Write,
    statements: u64,
}

impl Writer<'_> {
    fn emit(&mut self, s: &str) -> Result<()> {
        self.statements += 1;
        self.out
            .write_all(s.as_bytes())
            .and_then(|_| self.out.write_all(b";\n"))
            .map_err(|e| Error::Io(format!("cannot write Cypher output: {e}")))
    }
}

fn node_statement(labels: &[String], rows: &[String]) -> String {
    let mut s = String::from("UNWIND [");
    s.push_str(&rows.join(", "));
    s.push_str("] AS row CREATE (n");
    for l in labels {
        s.push(':');
        s.push_str(&ident(l));
    }
    let _ = write!(
        s,
        ":{}) SET n = row.props, n.{} = row.id",
        ident(TEMP_LABEL),
        ident(TEMP_ID)
    );
    s
}

fn rel_statement(ty: &str, rows: &[String]) -> String {
    let (l, p) = (ident(TEMP_LABEL), ident(TEMP_ID));
    format!(
        "UNWIND [{}] AS row MATCH (a:{l} {{{p}: row.start}}), (b:{l} {{{p}: row.end}}) CREATE (a)-[r:{}]->(b) SET r = row.props",
        rows.join(", "),
        ident(ty)
    )
}

/// Writes `source` as a Cypher script. With `index`, the script creates (and finally drops)
/// an index on the temporary id so matching relationships' ends stays fast on large graphs;
/// the index statements use Neo4j 5 / kgstore syntax (Memgraph: `CREATE INDEX ON
/// :_KgExport(_kg_export_id)`). Returns (nodes, relationships, statements).
pub fn write_cypher(
    source: Source<'_>,
    index: bool,
    out: &mut dyn Write,
) -> Result<(u64, u64, u64)> {
    let mut w = Writer { out, statements: 0 };
    w.out
        .write_all(
            b"// kgstore export: run with `kg run FILE`, cypher-shell -f FILE, mgconsole or redis-cli.\n",
        )
        .map_err(|e| Error::Io(format!("cannot write Cypher output: {e}")))?;
    let idx = format!(
        "CREATE INDEX kg_export_id IF NOT EXISTS FOR (n:{}) ON (n.{})",
        ident(TEMP_LABEL),
        ident(TEMP_ID)
    );
    if index {
        w.emit(&idx)?;
    }
    // A whole graph's schema (a query's subgraph has none of its own).
    let schema = match &source {
        Source::Graph(g) => Some(super::schema::Schema::of(*g)?),
        Source::Subgraph(_) => None,
    };
    if let Some(schema) = &schema {
        for name in &schema.inexpressible {
            // No Cypher statement declares an index over every node; say so in the script.
            let line = format!(
                "// the index {name} (over every node, without a label) has no Cypher form: not exported\n"
            );
            w.out
                .write_all(line.as_bytes())
                .map_err(|e| Error::Io(format!("cannot write Cypher output: {e}")))?;
        }
    }
    let (mut nodes, mut rels) = (0u64, 0u64);
    let mut pending: BTreeMap<Vec<String>, Vec<String>> = BTreeMap::new();
    source.for_each_node(&mut |n| {
        let mut row = format!("{{id: {}, props: ", n.id);
        props_literal(&n.properties, &mut row);
        row.push('}');
        let batch = pending.entry(n.labels.clone()).or_default();
        batch.push(row);
        nodes += 1;
        if batch.len() >= BATCH {
            let stmt = node_statement(&n.labels, batch);
            batch.clear();
            w.emit(&stmt)?;
        }
        Ok(())
    })?;
    for (labels, rows) in std::mem::take(&mut pending) {
        if !rows.is_empty() {
            w.emit(&node_statement(&labels, &rows))?;
        }
    }
    let mut pending: BTreeMap<String, Vec<String>> = BTreeMap::new();
    source.for_each_relationship(&mut |r| {
        let mut row = format!("{{start: {}, end: {}, props: ", r.start, r.end);
        props_literal(&r.properties, &mut row);
        row.push('}');
        let batch = pending.entry(r.rel_type.clone()).or_default();
        batch.push(row);
        rels += 1;
        if batch.len() >= BATCH {
            let stmt = rel_statement(&r.rel_type, batch);
            batch.clear();
            w.emit(&stmt)?;
        }
        Ok(())
    })?;
    for (ty, rows) in pending {
        if !rows.is_empty() {
            w.emit(&rel_statement(&ty, &rows))?;
        }
    }
    if nodes > 0 {
        w.emit(&format!(
            "MATCH (n:{}) REMOVE n:{}, n.{}",
            ident(TEMP_LABEL),
            ident(TEMP_LABEL),
            ident(TEMP_ID)
        ))?;
    }
    if index {
        w.emit("DROP INDEX kg_export_id IF EXISTS")?;
    }
    // The schema last: an index built over the data loaded is built once, and a constraint
    // created then checks the data once (docs/performance.md, "The schema in a Cypher
    // export", measured both ways).
    if let Some(schema) = &schema {
        for s in schema.indexes.iter().chain(&schema.constraints) {
            w.emit(s)?;
        }
    }
    Ok((nodes, rels, w.statements))
}
