//! neo4j-admin CSV import: header columns (`name:ID(Space)`, `:LABEL`, `:START_ID(Space)`,
//! `:END_ID(Space)`, `:TYPE`, `:IGNORE`, typed properties such as `stake:float`, `tags:string[]`),
//! node files before relationship files, ids resolved per ID space.

use std::path::{Path, PathBuf};

use super::ids::IdMaps;
use super::staging::{BadLines, Interner, Staged, StagedNode, StagedRel, Staging};
use super::{IdType, ImportOptions};
use crate::csv_reader::Field;
use crate::error::{Error, Result};
use crate::value::Value;

/// A property column's element type.
#[derive(Clone, Debug, PartialEq)]
enum Scalar {
    Int,
    Float,
    Bool,
    Str,
    /// `date`, `localtime`, `time`, `localdatetime`, `datetime` or `duration`.
    Temporal(&'static str),
    /// `point`: neo4j-admin's text form, `{latitude: 55.6, longitude: 12.9}`.
    Point,
}

#[derive(Clone, Debug, PartialEq)]
enum Column {
    Id { key: Option<u32>, space: u32 },
    Label,
    StartId { space: u32 },
    EndId { space: u32 },
    Type,
    Ignore,
    Prop { key: u32, ty: Scalar, array: bool },
}

fn scalar_type(t: &str) -> Option<Scalar> {
    Some(match t.to_ascii_lowercase().as_str() {
        "int" | "long" | "short" | "byte" => Scalar::Int,
        "float" | "double" => Scalar::Float,
        "boolean" | "bool" => Scalar::Bool,
        "string" | "char" => Scalar::Str,
        "date" => Scalar::Temporal("date"),
        "localtime" => Scalar::Temporal("localtime"),
        "time" => Scalar::Temporal("time"),
        "localdatetime" => Scalar::Temporal("localdatetime"),
        "datetime" => Scalar::Temporal("datetime"),
        "duration" => Scalar::Temporal("duration"),
        "point" => Scalar::Point,
        _ => return None,
    })
}

/// `ID`, `ID(Space)` … → (keyword, space).
fn keyword(spec: &str) -> Option<(String, Option<String>)> {
    let (kw, space) = match spec.find('(') {
        Some(i) if spec.ends_with(')') => {
            (&spec[..i], Some(spec[i + 1..spec.len() - 1].to_string()))
        }
        Some(_) => return None,
        None => (spec, None),
    };
    let kw = kw.to_ascii_uppercase();
    matches!(
        kw.as_str(),
        "ID" | "START_ID" | "END_ID" | "LABEL" | "TYPE" | "IGNORE"
    )
    .then_some((kw, space))
}

fn parse_column(
    field: &str,
    keys: &mut Interner,
    spaces: &mut Interner,
) -> std::result::Result<Column, String> {
    let (name, spec) = match field.rfind(':') {
        Some(i) => (&field[..i], &field[i + 1..]),
        None => (field, ""),
    };
    if let Some((kw, space)) = keyword(spec) {
        let space = spaces.intern(space.as_deref().unwrap_or(""));
        return Ok(match kw.as_str() {
            "ID" => Column::Id {
                key: (!name.is_empty()).then(|| keys.intern(name)),
                space,
            },
            "START_ID" => Column::StartId { space },
            "END_ID" => Column::EndId { space },
            "LABEL" => Column::Label,
            "TYPE" => Column::Type,
            _ => Column::Ignore,
        });
    }
    let (base, array) = match spec.strip_suffix("[]") {
        Some(b) => (b, true),
        None => (spec, false),
    };
    match scalar_type(base) {
        Some(ty) if !name.is_empty() => Ok(Column::Prop {
            key: keys.intern(name),
            ty,
            array,
        }),
        Some(_) => Err(format!(
            "header column `{field}` has a type but no property name"
        )),
        // No recognised type: the whole text is the property name, a string.
        None if field.is_empty() => Err("empty header column".into()),
        None => Ok(Column::Prop {
            key: keys.intern(field),
            ty: Scalar::Str,
            array: false,
        }),
    }
}

fn parse_scalar(ty: &Scalar, text: &str) -> std::result::Result<Value, String> {
    match ty {
        Scalar::Str => Ok(Value::String(text.to_string())),
        Scalar::Int => text
            .trim()
            .parse::<i64>()
            .map(Value::Int)
            .map_err(|_| format!("`{text}` is not an integer")),
        Scalar::Float => parse_float(text.trim())
            .map(Value::Float)
            .ok_or_else(|| format!("`{text}` is not a number")),
        Scalar::Bool => match text.trim().to_ascii_lowercase().as_str() {
            "true" => Ok(Value::Bool(true)),
            "false" => Ok(Value::Bool(false)),
            _ => Err(format!("`{text}` is not a boolean (true or false)")),
        },
        Scalar::Temporal(t) => crate::value::parse_tagged(t, text)
            .ok_or_else(|| format!("`{text}` is not an ISO-8601 {t}")),
        Scalar::Point => crate::value::Point::parse_text(text).map(|p| Value::Point(Box::new(p))),
    }
}

/// Rust's float syntax plus Java's `Infinity` spelling (neo4j-admin writes that).
pub fn parse_float(s: &str) -> Option<f64> {
    match s {
        "Infinity" | "+Infinity" => Some(f64::INFINITY),
        "-Infinity" => Some(f64::NEG_INFINITY),
        _ => s.parse::<f64>().ok(),
    }
}

/// The value of a property cell; `None` for an empty (absent) cell.
fn cell_value(
    col_ty: &Scalar,
    array: bool,
    f: &Field<'_>,
    array_delim: char,
) -> std::result::Result<Option<Value>, String> {
    if f.is_absent() || (f.text.is_empty() && (array || *col_ty != Scalar::Str)) {
        return Ok(None);
    }
    if array {
        let items: std::result::Result<Vec<Value>, String> = f
            .text
            .split(array_delim)
            .map(|p| parse_scalar(col_ty, p))
            .collect();
        return items.map(|v| Some(Value::List(v)));
    }
    parse_scalar(col_ty, &f.text).map(Some)
}

/// A CSV file with its parsed header.
struct CsvFile {
    path: PathBuf,
    columns: Vec<Column>,
    is_relationships: bool,
}

/// Every `.csv` file under the given paths (directories recursively, sorted by path).
pub fn expand(paths: &[PathBuf], ext: &[&str]) -> Result<Vec<PathBuf>> {
    fn walk(dir: &Path, ext: &[&str], out: &mut Vec<PathBuf>) -> Result<()> {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)
            .map_err(|e| Error::Io(format!("cannot read directory {}: {e}", dir.display())))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .collect();
        entries.sort();
        for p in entries {
            if p.is_dir() {
                walk(&p, ext, out)?;
            } else if p
                .extension()
                .and_then(|e| e.to_str())
                .is_some_and(|e| ext.iter().any(|x| e.eq_ignore_ascii_case(x)))
            {
                out.push(p);
            }
        }
        Ok(())
    }
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            walk(p, ext, &mut out)?;
        } else if p.exists() {
            out.push(p.clone());
        } else {
            return Err(Error::Io(format!(
                "{}: no such file or directory",
                p.display()
            )));
        }
    }
    Ok(out)
}

/// Which pass over the files: the first checks every line and records node ids and counts;
/// a later one finds the same lines good and bad (the bad ones were reported by the first)
/// and hands the good ones on, numbering nodes the same way.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Pass {
    Check,
    Again,
}

/// The CSV files of an import with their headers, and the node ids the first pass recorded.
pub struct CsvImport {
    files: Vec<CsvFile>,
    spaces: Interner,
    ids: IdMaps,
    delim: u8,
}

impl CsvImport {
    /// Reads every file's header (interning its keys in `staging`); node files first.
    pub fn open(
        paths: &[PathBuf],
        opts: &ImportOptions,
        staging: &mut Staging,
        warnings: &mut Vec<String>,
    ) -> Result<Self> {
        if !opts.delimiter.is_ascii() {
            return Err(Error::Io(
                "the CSV delimiter must be an ASCII character".into(),
            ));
        }
        let delim = opts.delimiter as u8;
        let paths = expand(paths, &["csv", "tsv", "txt"])?;
        if paths.is_empty() {
            return Err(Error::Io("no .csv files found to import".into()));
        }
        let mut spaces = Interner::default();
        let mut files = Vec::new();
        for path in paths {
            if let Some(f) =
                read_header(path, delim, opts.max_line, staging, &mut spaces, warnings)?
            {
                files.push(f);
            }
        }
        files.sort_by_key(|f| f.is_relationships);
        let mut ids = IdMaps::default();
        ids.ensure(spaces.names.len() as u32);
        Ok(CsvImport {
            files,
            spaces,
            ids,
            delim,
        })
    }

    pub fn files(&self) -> usize {
        self.files.len()
    }

    /// Reads every file once, node files first, handing each good line's entity to `sink`
    /// (a node's relationships refer to it by its number in the import, counted from 0). In
    /// the `Check` pass a bad line is an error, or with `skip_bad` is counted in `bad`.
    pub fn read(
        &mut self,
        pass: Pass,
        opts: &ImportOptions,
        staging: &mut Staging,
        bad: &mut BadLines,
        progress: &dyn Fn(u64),
        sink: &mut dyn FnMut(&mut Staging, Staged) -> Result<()>,
    ) -> Result<()> {
        let array_delim = opts.array_delimiter;
        let mut done = 0u64;
        let mut nodes = 0u32;
        let mut frozen = pass == Pass::Again;
        let CsvImport {
            files,
            spaces,
            ids,
            delim,
        } = self;
        for file in files.iter() {
            if file.is_relationships && !frozen {
                ids.freeze();
                frozen = true;
            }
            let mut header = true;
            super::window::for_each_record(&file.path, *delim, opts.max_line, |rec, fields| {
                if std::mem::take(&mut header) {
                    return Ok(true);
                }
                let outcome = match rec {
                    Err((line, reason)) => Err((line, reason)),
                    Ok(line) => {
                        let r = if fields.len() != file.columns.len() {
                            Err(format!(
                                "{} fields, but the header has {}",
                                fields.len(),
                                file.columns.len()
                            ))
                        } else if file.is_relationships {
                            stage_relationship(
                                &file.columns,
                                fields,
                                opts.id_type,
                                array_delim,
                                ids,
                                spaces,
                                staging,
                            )
                            .map(Staged::Rel)
                        } else {
                            stage_node(&file.columns, fields, opts.id_type, array_delim, staging)
                                .and_then(|(node, id)| {
                                    number(ids, pass, opts.id_type, id, nodes)?;
                                    Ok(Staged::Node(node))
                                })
                        };
                        r.map_err(|reason| (line, reason))
                    }
                };
                match outcome {
                    Ok(e) => {
                        if matches!(e, Staged::Node(_)) {
                            nodes = nodes.checked_add(1).ok_or_else(|| {
                                Error::Io("more than 4 billion nodes in one import".into())
                            })?;
                        }
                        sink(staging, e)?;
                    }
                    Err((line, reason)) => {
                        let msg = format!("{}:{line}: {reason}", file.path.display());
                        match (opts.skip_bad, pass) {
                            (false, Pass::Check) => return Err(Error::Io(msg)),
                            (true, Pass::Check) => bad.add(msg),
                            (true, Pass::Again) => {}
                            // Good in the first pass: the file changed between the two.
                            (false, Pass::Again) => {
                                return Err(Error::Io(format!(
                                    "{msg} (the file changed while it was imported)"
                                )))
                            }
                        }
                    }
                }
                done += 1;
                if done.is_multiple_of(65_536) {
                    progress(done);
                }
                Ok(true)
            })?;
        }
        progress(done);
        Ok(())
    }
}

/// Gives node number `index` its id. The first pass records it (a duplicate is a bad line); a
/// later pass finds the line that recorded it, so a duplicate is bad again.
fn number(
    ids: &mut IdMaps,
    pass: Pass,
    id_type: IdType,
    id: Option<(u32, &str)>,
    index: u32,
) -> std::result::Result<(), String> {
    let Some((space, text)) = id else {
        return Ok(());
    };
    let taken = match pass {
        Pass::Check => !ids.insert(id_type, space, text, index)?,
        Pass::Again => ids.get(id_type, space, text)? != Some(index),
    };
    if taken {
        return Err(format!("duplicate node id `{text}` in its ID space"));
    }
    Ok(())
}

/// A file's header, or `None` (with a warning) for an empty file.
fn read_header(
    path: PathBuf,
    delim: u8,
    max_line: usize,
    staging: &mut Staging,
    spaces: &mut Interner,
    warnings: &mut Vec<String>,
) -> Result<Option<CsvFile>> {
    let mut first = None;
    super::window::for_each_record(&path, delim, max_line, |rec, fields| {
        first = Some(match rec {
            Ok(line) => fields
                .iter()
                .map(|f| parse_column(f.text.trim(), &mut staging.keys, spaces))
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(|r| Error::Io(format!("{}:{line}: bad header: {r}", path.display()))),
            Err((line, reason)) => Err(Error::Io(format!("{}:{line}: {reason}", path.display()))),
        });
        Ok(false)
    })?;
    let columns = match first {
        None => {
            warnings.push(format!("{}: empty file", path.display()));
            return Ok(None);
        }
        Some(columns) => columns?,
    };
    let starts = columns
        .iter()
        .filter(|c| matches!(c, Column::StartId { .. }))
        .count();
    let ends = columns
        .iter()
        .filter(|c| matches!(c, Column::EndId { .. }))
        .count();
    let is_relationships = starts > 0 || ends > 0;
    if is_relationships && (starts != 1 || ends != 1) {
        return Err(Error::Io(format!(
            "{}:1: bad header: a relationship file needs exactly one :START_ID and one :END_ID column",
            path.display()
        )));
    }
    for c in &columns {
        if let Column::Id {
            key: Some(k),
            space,
        } = c
        {
            let space_name = &spaces.names[*space as usize];
            let hint = (space_name.clone(), staging.keys.names[*k as usize].clone());
            if !space_name.is_empty() && !staging.id_indexes.contains(&hint) {
                staging.id_indexes.push(hint);
            }
        }
    }
    Ok(Some(CsvFile {
        path,
        columns,
        is_relationships,
    }))
}

/// A node line's node, and its id (space, text) if it has one.
type NodeLine<'f> = (StagedNode, Option<(u32, &'f str)>);

fn stage_node<'f>(
    columns: &[Column],
    fields: &'f [Field<'_>],
    id_type: IdType,
    array_delim: char,
    staging: &mut Staging,
) -> std::result::Result<NodeLine<'f>, String> {
    let mut labels = Vec::new();
    let mut props = Vec::new();
    let mut id: Option<(u32, &str)> = None;
    for (col, f) in columns.iter().zip(fields) {
        match col {
            Column::Id { key, space } => {
                if f.text.is_empty() {
                    return Err("empty :ID".into());
                }
                id = Some((*space, &f.text));
                if let Some(k) = key {
                    let v = match id_type {
                        IdType::Integer => Value::Int(f.text.trim().parse().map_err(|_| {
                            format!("id `{}` is not an integer (--id-type integer)", f.text)
                        })?),
                        IdType::String => Value::String(f.text.to_string()),
                    };
                    props.push((*k, v));
                }
            }
            Column::Label => {
                for l in f.text.split(array_delim) {
                    let l = l.trim();
                    if !l.is_empty() {
                        let i = staging.labels.intern(l);
                        if !labels.contains(&i) {
                            labels.push(i);
                        }
                    }
                }
            }
            Column::Prop { key, ty, array } => {
                if let Some(v) = cell_value(ty, *array, f, array_delim)
                    .map_err(|e| format!("{e} (column `{}`)", staging.keys.names[*key as usize]))?
                {
                    props.push((*key, v));
                }
            }
            Column::Ignore => {}
            Column::StartId { .. } | Column::EndId { .. } | Column::Type => {
                return Err("relationship column in a node file".into())
            }
        }
    }
    Ok((StagedNode { labels, props }, id))
}

fn stage_relationship(
    columns: &[Column],
    fields: &[Field<'_>],
    id_type: IdType,
    array_delim: char,
    ids: &IdMaps,
    spaces: &Interner,
    staging: &mut Staging,
) -> std::result::Result<StagedRel, String> {
    let (mut start, mut end, mut ty) = (None, None, None);
    let mut props = Vec::new();
    for (col, f) in columns.iter().zip(fields) {
        match col {
            Column::StartId { space } | Column::EndId { space } => {
                let which = if matches!(col, Column::StartId { .. }) {
                    ":START_ID"
                } else {
                    ":END_ID"
                };
                let found = ids.get(id_type, *space, &f.text)?.ok_or_else(|| {
                    format!(
                        "{which} `{}` matches no node{}",
                        f.text,
                        space_note(spaces, *space)
                    )
                })?;
                if matches!(col, Column::StartId { .. }) {
                    start = Some(found);
                } else {
                    end = Some(found);
                }
            }
            Column::Type => {
                let t = f.text.trim();
                if t.is_empty() {
                    return Err("empty :TYPE".into());
                }
                ty = Some(staging.types.intern(t));
            }
            Column::Prop { key, ty: t, array } => {
                if let Some(v) = cell_value(t, *array, f, array_delim)
                    .map_err(|e| format!("{e} (column `{}`)", staging.keys.names[*key as usize]))?
                {
                    props.push((*key, v));
                }
            }
            Column::Ignore => {}
            Column::Id { .. } | Column::Label => {
                return Err("node column in a relationship file".into())
            }
        }
    }
    let rel_type = ty.ok_or("no :TYPE column (a relationship needs a type)")?;
    match (start, end) {
        (Some(start), Some(end)) => Ok(StagedRel {
            rel_type,
            start,
            end,
            props,
        }),
        _ => Err("missing :START_ID or :END_ID".into()),
    }
}

fn space_note(spaces: &Interner, space: u32) -> String {
    match spaces.names.get(space as usize) {
        Some(n) if !n.is_empty() => format!(" in ID space `{n}`"),
        _ => String::new(),
    }
}
