//! JSONL import: one JSON object per line — nodes `{"kind": "node", "id", "labels",
//! "properties"}` and relationships `{"kind": "relationship", "id", "type", "start", "end",
//! "properties"}` (kgstore's export and JSON output shape; `kind` may be omitted), plus APOC's
//! `apoc.export.json` shape (`"type": "node"`, relationship `"label"`, `start`/`end` objects).
//! `property_types` restores dates, points and non-finite floats.

use std::collections::HashMap;
use std::path::PathBuf;

use serde_json::{Map, Value as Json};

use super::csv::{expand, parse_float};
use super::staging::{BadLines, Staged, StagedNode, StagedRel, Staging};
use super::ImportOptions;
use crate::error::{Error, Result};
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

struct PendingRel {
    place: String,
    start: String,
    end: String,
    rel: StagedRel,
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

fn stage_line(
    obj: &Map<String, Json>,
    place: &str,
    ids: &mut HashMap<String, u32>,
    pending: &mut Vec<PendingRel>,
    staging: &mut Staging,
) -> std::result::Result<(), String> {
    match kind_of(obj)? {
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
            let index = staging.nodes.len() as u32;
            if let Some(id) = id_key(obj.get("id")) {
                if ids.insert(id.clone(), index).is_some() {
                    return Err(format!("duplicate node id {id}"));
                }
            }
            staging.keep(Staged::Node(StagedNode { labels, props }));
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
            let rel_type = staging.types.intern(ty);
            pending.push(PendingRel {
                place: place.to_string(),
                start,
                end,
                rel: StagedRel {
                    rel_type,
                    start: 0,
                    end: 0,
                    props,
                },
            });
        }
    }
    Ok(())
}

pub fn stage(
    paths: &[PathBuf],
    opts: &ImportOptions,
    staging: &mut Staging,
    bad: &mut BadLines,
    progress: &dyn Fn(u64),
) -> Result<usize> {
    let files = expand(paths, &["jsonl", "ndjson", "json"])?;
    let mut ids: HashMap<String, u32> = HashMap::new();
    let mut pending = Vec::new();
    let mut done = 0u64;
    for path in &files {
        let text = super::read_text(path)?;
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() {
                continue;
            }
            let place = format!("{}:{}", path.display(), i + 1);
            let r = match serde_json::from_str::<Json>(line) {
                Ok(Json::Object(obj)) => stage_line(&obj, &place, &mut ids, &mut pending, staging),
                Ok(_) => Err("not a JSON object".into()),
                Err(e) => Err(format!("invalid JSON: {e}")),
            };
            if let Err(reason) = r {
                let msg = format!("{place}: {reason}");
                if !opts.skip_bad {
                    return Err(Error::Io(msg));
                }
                bad.add(msg);
            }
            done += 1;
            if done.is_multiple_of(65_536) {
                progress(done);
            }
        }
    }
    // Relationships may precede their nodes in a file: resolve ends once everything is read.
    for p in pending {
        match (ids.get(&p.start), ids.get(&p.end)) {
            (Some(&s), Some(&e)) => {
                let mut rel = p.rel;
                rel.start = s;
                rel.end = e;
                staging.keep(Staged::Rel(rel));
            }
            (s, _) => {
                let which = if s.is_none() {
                    ("start", &p.start)
                } else {
                    ("end", &p.end)
                };
                let msg = format!(
                    "{}: relationship {} node {} is not in the import",
                    p.place, which.0, which.1
                );
                if !opts.skip_bad {
                    return Err(Error::Io(msg));
                }
                bad.add(msg);
            }
        }
    }
    progress(done);
    Ok(files.len())
}
