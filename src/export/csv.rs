//! neo4j-admin import layout: `nodes/<labels>.csv` (`:ID`, `:LABEL`, typed property columns)
//! and `relationships/<TYPE>.csv` (`:START_ID`, `:END_ID`, `:TYPE`, typed property columns),
//! readable by `neo4j-admin database import full` and by `kg import --format csv DIR`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use super::json;
use super::subgraph::Source;
use crate::error::{Error, Result};
use crate::model::Properties;
use crate::value::Value;

/// The neo4j-admin column type of a value; `None` for values the format cannot type
/// (maps, mixed lists), which are written as JSON text in a `string` column.
fn column_type(v: &Value) -> Option<String> {
    fn scalar(v: &Value) -> Option<&'static str> {
        match v {
            Value::Bool(_) => Some("boolean"),
            Value::Int(_) => Some("long"),
            Value::Float(_) => Some("double"),
            Value::String(_) => Some("string"),
            Value::Point(_) => Some("point"),
            other => other.temporal_function(),
        }
    }
    match v {
        Value::List(items) => {
            let first = scalar(items.first()?)?;
            items
                .iter()
                .all(|i| scalar(i) == Some(first))
                .then(|| format!("{first}[]"))
        }
        other => scalar(other).map(str::to_string),
    }
}

/// A column: property name and neo4j-admin type. A property seen with two types in one file
/// gets two columns; each row fills the one matching its value.
type Column = (String, String);

fn columns_of(props: &Properties, cols: &mut BTreeSet<Column>, warnings: &mut BTreeSet<String>) {
    for (k, v) in props {
        match (v, column_type(v)) {
            (Value::Null, _) => {}
            (Value::List(items), _) if items.is_empty() => {
                warnings.insert(format!(
                    "property `{k}`: empty lists cannot be written in neo4j-admin CSV (an empty field means no property); dropped"
                ));
            }
            (_, Some(t)) => {
                cols.insert((k.clone(), t));
            }
            (_, None) => {
                warnings.insert(format!(
                    "property `{k}`: maps and mixed lists have no neo4j-admin type; written as JSON text"
                ));
                cols.insert((k.clone(), "string".into()));
            }
        }
    }
}

fn needs_quotes(s: &str, delim: char) -> bool {
    s.is_empty()
        || s.contains([delim, '"', '\n', '\r'])
        || s.starts_with(char::is_whitespace)
        || s.ends_with(char::is_whitespace)
}

/// Appends one field, quoted (RFC 4180) when needed; an empty string is written as `""` so it
/// is not read back as "no value".
pub fn push_field(out: &mut String, s: &str, delim: char) {
    if needs_quotes(s, delim) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::Bool(b) => b.to_string(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => json::float_text(*f),
        Value::String(s) => s.clone(),
        other if other.is_temporal() => other.temporal_text().unwrap_or_default(),
        Value::Point(p) => p.interchange_text(),
        other => {
            let mut s = String::new();
            json::write_value(&mut s, other);
            s
        }
    }
}

fn cell_text(
    v: &Value,
    col_type: &str,
    array_delim: char,
    key: &str,
    warnings: &mut BTreeSet<String>,
) -> String {
    match v {
        Value::List(items) if col_type.ends_with("[]") => {
            let parts: Vec<String> = items.iter().map(scalar_text).collect();
            if parts.iter().any(|p| p.contains(array_delim)) {
                warnings.insert(format!(
                    "property `{key}`: a list element contains the array delimiter `{array_delim}` and will be split on import"
                ));
            }
            parts.join(&array_delim.to_string())
        }
        other => scalar_text(other),
    }
}

fn file_stem(name: &str) -> String {
    let s: String = name
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect();
    if s.is_empty() {
        "_".into()
    } else {
        s
    }
}

fn unique_path(dir: &Path, stem: &str, used: &mut BTreeSet<String>) -> PathBuf {
    let mut name = stem.to_string();
    let mut n = 2;
    while !used.insert(name.to_lowercase()) {
        name = format!("{stem}_{n}");
        n += 1;
    }
    dir.join(format!("{name}.csv"))
}

struct Group {
    columns: Vec<Column>,
    out: BufWriter<File>,
    path: PathBuf,
}

fn create(path: &Path) -> Result<BufWriter<File>> {
    File::create(path)
        .map(|f| BufWriter::with_capacity(1 << 16, f))
        .map_err(|e| Error::Io(format!("cannot create {}: {e}", path.display())))
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> Error + '_ {
    move |e| Error::Io(format!("cannot write {}: {e}", path.display()))
}

fn header(special: &[&str], columns: &[Column], delim: char) -> String {
    let mut h = String::new();
    for (i, s) in special.iter().enumerate() {
        if i > 0 {
            h.push(delim);
        }
        h.push_str(s);
    }
    for (k, t) in columns {
        h.push(delim);
        push_field(&mut h, &format!("{k}:{t}"), delim);
    }
    h.push('\n');
    h
}

fn row_cells(
    line: &mut String,
    props: &Properties,
    columns: &[Column],
    delim: char,
    array_delim: char,
    warnings: &mut BTreeSet<String>,
) {
    for (k, t) in columns {
        line.push(delim);
        if let Some(v) = props.get(k) {
            let typed = column_type(v);
            let matches =
                typed.as_deref() == Some(t.as_str()) || (typed.is_none() && t == "string");
            if matches && !v.is_null() {
                push_field(line, &cell_text(v, t, array_delim, k, warnings), delim);
            }
        }
    }
}

/// Writes `source` under `dir` (created if missing). Returns (nodes, relationships, files,
/// warnings).
pub fn write_csv_dir(
    source: Source<'_>,
    dir: &Path,
    delim: char,
    array_delim: char,
) -> Result<(u64, u64, Vec<PathBuf>, Vec<String>)> {
    let mut warnings = BTreeSet::new();
    // Pass 1: the columns of every file.
    let mut node_cols: BTreeMap<Vec<String>, BTreeSet<Column>> = BTreeMap::new();
    let mut rel_cols: BTreeMap<String, BTreeSet<Column>> = BTreeMap::new();
    source.for_each_node(&mut |n| {
        let cols = node_cols.entry(n.labels.clone()).or_default();
        columns_of(&n.properties, cols, &mut warnings);
        Ok(())
    })?;
    source.for_each_relationship(&mut |r| {
        let cols = rel_cols.entry(r.rel_type.clone()).or_default();
        columns_of(&r.properties, cols, &mut warnings);
        Ok(())
    })?;

    let nodes_dir = dir.join("nodes");
    let rels_dir = dir.join("relationships");
    for d in [&nodes_dir, &rels_dir] {
        std::fs::create_dir_all(d)
            .map_err(|e| Error::Io(format!("cannot create {}: {e}", d.display())))?;
    }
    let mut used = BTreeSet::new();
    let mut node_files: BTreeMap<Vec<String>, Group> = BTreeMap::new();
    for (labels, cols) in node_cols {
        let stem = if labels.is_empty() {
            "_unlabelled".to_string()
        } else {
            file_stem(&labels.join("_"))
        };
        let path = unique_path(&nodes_dir, &stem, &mut used);
        let columns: Vec<Column> = cols.into_iter().collect();
        let mut out = create(&path)?;
        out.write_all(header(&[":ID", ":LABEL"], &columns, delim).as_bytes())
            .map_err(io_err(&path))?;
        node_files.insert(labels, Group { columns, out, path });
    }
    let mut used = BTreeSet::new();
    let mut rel_files: BTreeMap<String, Group> = BTreeMap::new();
    for (ty, cols) in rel_cols {
        let path = unique_path(&rels_dir, &file_stem(&ty), &mut used);
        let columns: Vec<Column> = cols.into_iter().collect();
        let mut out = create(&path)?;
        out.write_all(header(&[":START_ID", ":END_ID", ":TYPE"], &columns, delim).as_bytes())
            .map_err(io_err(&path))?;
        rel_files.insert(ty, Group { columns, out, path });
    }

    // Pass 2: the rows.
    let (mut nodes, mut rels) = (0u64, 0u64);
    let mut line = String::new();
    source.for_each_node(&mut |n| {
        let Some(g) = node_files.get_mut(&n.labels) else {
            return Ok(()); // appeared after pass 1 (concurrent write); skip rather than guess
        };
        line.clear();
        line.push_str(&n.id.to_string());
        line.push(delim);
        let labels: Vec<String> = n.labels.clone();
        if labels.iter().any(|l| l.contains(array_delim)) {
            warnings.insert(format!(
                "a label contains the array delimiter `{array_delim}` and will be split on import"
            ));
        }
        push_field(&mut line, &labels.join(&array_delim.to_string()), delim);
        row_cells(
            &mut line,
            &n.properties,
            &g.columns,
            delim,
            array_delim,
            &mut warnings,
        );
        line.push('\n');
        g.out.write_all(line.as_bytes()).map_err(io_err(&g.path))?;
        nodes += 1;
        Ok(())
    })?;
    source.for_each_relationship(&mut |r| {
        let Some(g) = rel_files.get_mut(&r.rel_type) else {
            return Ok(());
        };
        line.clear();
        line.push_str(&format!("{}{delim}{}{delim}", r.start, r.end));
        push_field(&mut line, &r.rel_type, delim);
        row_cells(
            &mut line,
            &r.properties,
            &g.columns,
            delim,
            array_delim,
            &mut warnings,
        );
        line.push('\n');
        g.out.write_all(line.as_bytes()).map_err(io_err(&g.path))?;
        rels += 1;
        Ok(())
    })?;
    let mut files = Vec::new();
    for g in node_files.into_values().chain(rel_files.into_values()) {
        let Group { mut out, path, .. } = g;
        out.flush().map_err(io_err(&path))?;
        files.push(path);
    }
    Ok((nodes, rels, files, warnings.into_iter().collect()))
}
