//! JSONL import: one JSON object per line — nodes `{"kind": "node", "id", "labels",
//! "properties"}` and relationships `{"kind": "relationship", "id", "type", "start", "end",
//! "properties"}` (kgstore's export and JSON output shape; `kind` may be omitted), plus APOC's
//! `apoc.export.json` shape (`"type": "node"`, relationship `"label"`, `start`/`end` objects).
//! `property_types` restores dates, points and non-finite floats. Read line by line, in passes
//! (`twopass.rs`).

use std::path::PathBuf;

use serde_json::{Map, Value as Json};

use super::csv::{expand, parse_float};
use super::staging::Staging;
use super::twopass::{Found, Item, Source};
use super::window::for_each_line;
use super::ImportOptions;
use crate::error::Result;
use crate::value::Value;

/// A JSON value as a property value; `tag` is its `property_types` entry, if any.
pub fn json_to_value(j: &Json, tag: Option<&str>) -> std::result::Result<Value, String> {
    let elem_tag = tag.and_then(|t| t.strip_suffix("[]"));
    Ok(match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => match n.as_i64() {
            Some(i) if !n.is_f64() => Value::Int(i),
            _ => Value::Float(
                n.as_f64()
                    .ok_or_else(|| format!("number {n} out of range"))?,
            ),
        },
        Json::String(s) => match tag {
            Some(
                t @ ("date" | "localtime" | "time" | "localdatetime" | "datetime" | "duration"),
            ) => crate::value::parse_tagged(t, s)
                .ok_or_else(|| format!("`{s}` is not an ISO-8601 {t}"))?,
            Some("float") => {
                Value::Float(parse_float(s).ok_or_else(|| format!("`{s}` is not a float"))?)
            }
            _ => Value::String(s.clone()),
        },
        Json::Array(items) => Value::List(
            items
                .iter()
                .map(|i| json_to_value(i, elem_tag))
                .collect::<std::result::Result<_, _>>()?,
        ),
        Json::Object(_) if tag == Some("point") => Value::Point(Box::new(
            crate::render::json::point_from_json(j)
                .ok_or_else(|| format!("{j} is not a point (`type`, `coordinates`, `crs.srid`)"))?,
        )),
        Json::Object(m) => Value::Map(
            m.iter()
                .map(|(k, v)| json_to_value(v, None).map(|v| (k.clone(), v)))
                .collect::<std::result::Result<_, _>>()?,
        ),
    })
}

/// The key identifying an entity id in the file (numbers and strings both allowed).
fn id_key(j: Option<&Json>) -> Option<String> {
    match j? {
        Json::Number(n) => Some(n.to_string()),
        Json::String(s) => Some(s.clone()),
        // APOC: "start": {"id": "0", "labels": [...]}
        Json::Object(m) => id_key(m.get("id")),
        _ => None,
    }
}

fn properties(
    obj: &Map<String, Json>,
    staging: &mut Staging,
) -> std::result::Result<Vec<(u32, Value)>, String> {
    let tags = obj.get("property_types").and_then(Json::as_object);
    let mut props = Vec::new();
    match obj.get("properties") {
        None | Some(Json::Null) => {}
        Some(Json::Object(m)) => {
            for (k, v) in m {
                let tag = tags.and_then(|t| t.get(k)).and_then(Json::as_str);
                let value = json_to_value(v, tag).map_err(|e| format!("property `{k}`: {e}"))?;
                if !value.is_null() {
                    props.push((staging.keys.intern(k), value));
                }
            }
        }
        Some(_) => return Err("`properties` is not an object".into()),
    }
    Ok(props)
}

enum Kind {
    Node,
    Relationship,
}

fn kind_of(obj: &Map<String, Json>) -> std::result::Result<Kind, String> {
    let kind = obj.get("kind").or_else(|| {
        obj.get("type")
            .filter(|t| matches!(t.as_str(), Some("node" | "relationship")))
    });
    match kind.and_then(Json::as_str) {
        Some("node") => Ok(Kind::Node),
        Some("relationship") => Ok(Kind::Relationship),
        Some(other) => Err(format!(
            "unknown kind `{other}` (expected node or relationship)"
        )),
        None if obj.contains_key("start") && obj.contains_key("end") => Ok(Kind::Relationship),
        None if obj.contains_key("labels") || obj.contains_key("properties") => Ok(Kind::Node),
        None => {
            Err("neither a node (labels, properties) nor a relationship (type, start, end)".into())
        }
    }
}

/// The entity of one line's object, or why it is bad.
fn item(obj: &Map<String, Json>, staging: &mut Staging) -> std::result::Result<Item, String> {
    Ok(match kind_of(obj)? {
        Kind::Node => {
            let mut labels = Vec::new();
            match obj.get("labels") {
                None | Some(Json::Null) => {}
                Some(Json::Array(ls)) => {
                    for l in ls {
                        let l = l.as_str().ok_or("a label is not a string")?;
                        let i = staging.labels.intern(l);
                        if !labels.contains(&i) {
                            labels.push(i);
                        }
                    }
                }
                Some(_) => return Err("`labels` is not an array".into()),
            }
            let props = properties(obj, staging)?;
            Item::Node {
                id: id_key(obj.get("id")),
                labels,
                props,
            }
        }
        Kind::Relationship => {
            // APOC writes `"type": "relationship"` and the relationship type in `label`.
            let apoc = obj.get("kind").is_none()
                && obj.get("type").and_then(Json::as_str) == Some("relationship");
            let ty = obj
                .get(if apoc { "label" } else { "type" })
                .and_then(Json::as_str)
                .filter(|t| !t.is_empty())
                .ok_or("relationship without a `type` string")?;
            let start = id_key(obj.get("start")).ok_or("relationship without a `start` node id")?;
            let end = id_key(obj.get("end")).ok_or("relationship without an `end` node id")?;
            let props = properties(obj, staging)?;
            Item::Rel {
                rel_type: staging.types.intern(ty),
                start,
                end,
                props,
            }
        }
    })
}

/// The JSONL files of an import, read line by line as often as the import needs.
pub struct Jsonl {
    files: Vec<PathBuf>,
}

impl Jsonl {
    pub fn open(paths: &[PathBuf]) -> Result<Self> {
        Ok(Jsonl {
            files: expand(paths, &["jsonl", "ndjson", "json"])?,
        })
    }
}

impl Source for Jsonl {
    fn files(&self) -> &[PathBuf] {
        &self.files
    }

    fn read(
        &mut self,
        opts: &ImportOptions,
        staging: &mut Staging,
        sink: &mut dyn FnMut(&mut Staging, Found) -> Result<()>,
    ) -> Result<()> {
        for (file, path) in self.files.iter().enumerate() {
            for_each_line(path, opts.max_line, |line, text| {
                let text = text.trim();
                if text.is_empty() {
                    return Ok(());
                }
                let item = match serde_json::from_str::<Json>(text) {
                    Ok(Json::Object(obj)) => item(&obj, staging).unwrap_or_else(Item::Bad),
                    Ok(_) => Item::Bad("not a JSON object".into()),
                    Err(e) => Item::Bad(format!("invalid JSON: {e}")),
                };
                sink(staging, Found { file, line, item })
            })?;
        }
        Ok(())
    }

    /// Ids are one space over every file of the import.
    fn id_space(_file: usize) -> usize {
        0
    }

    fn duplicate(id: &str) -> String {
        format!("duplicate node id {id}")
    }

    fn missing(start: bool, id: &str) -> String {
        let which = if start { "start" } else { "end" };
        format!("relationship {which} node {id} is not in the import")
    }
}
