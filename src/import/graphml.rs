//! GraphML import: kgstore's own export (exact types from `kg:type`), and GraphML written by
//! Gephi, yEd, NetworkX or APOC (types from `attr.type` / `attr.list`, labels from a `labels`
//! attribute, relationship types from `label`; default type `RELATED`).

use std::collections::HashMap;
use std::path::PathBuf;

use super::csv::{expand, parse_float};
use super::jsonl::json_to_value;
use super::staging::{BadLines, Staged, StagedNode, StagedRel, Staging};
use super::xml::{Event, XmlReader};
use super::ImportOptions;
use crate::error::{Error, Result};
use crate::value::Value;

/// The relationship type used when an edge carries none.
pub const DEFAULT_TYPE: &str = "RELATED";

#[derive(Clone, Debug, Default)]
struct Key {
    name: String,
    domain: String,
    attr_type: String,
    list: Option<String>,
    kg_type: Option<String>,
    default: Option<String>,
}

fn scalar(ty: &str, text: &str) -> std::result::Result<Value, String> {
    match ty {
        "boolean" => match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            _ => Err(format!("`{text}` is not a boolean")),
        },
        "int" | "long" => text
            .trim()
            .parse()
            .map(Value::Int)
            .map_err(|_| format!("`{text}` is not an integer")),
        "float" | "double" => parse_float(text.trim())
            .map(Value::Float)
            .ok_or_else(|| format!("`{text}` is not a number")),
        t @ ("date" | "localtime" | "time" | "localdatetime" | "datetime" | "duration") => {
            crate::value::parse_tagged(t, text)
                .ok_or_else(|| format!("`{text}` is not an ISO-8601 {t}"))
        }
        "point" => crate::value::Point::parse_text(text).map(|p| Value::Point(Box::new(p))),
        _ => Ok(Value::String(text.to_string())),
    }
}

fn convert(key: &Key, text: &str) -> std::result::Result<Value, String> {
    let list_elem = match &key.kg_type {
        Some(t) if t == "json" => {
            let j: serde_json::Value =
                serde_json::from_str(text).map_err(|e| format!("invalid JSON: {e}"))?;
            return json_to_value(&j, None);
        }
        Some(t) => match t.strip_suffix("[]") {
            Some(e) => Some(e.to_string()),
            None => return scalar(t, text),
        },
        None => key.list.clone(),
    };
    match list_elem {
        Some(elem) => {
            let j: serde_json::Value =
                serde_json::from_str(text).map_err(|e| format!("invalid JSON list: {e}"))?;
            let items = j.as_array().ok_or("a list value is not a JSON array")?;
            items
                .iter()
                .map(|i| match (elem.as_str(), i) {
                    (
                        t @ ("date" | "localtime" | "time" | "localdatetime" | "datetime"
                        | "duration"),
                        serde_json::Value::String(s),
                    ) => scalar(t, s),
                    ("point", p) => crate::render::json::point_from_json(p)
                        .map(|p| Value::Point(Box::new(p)))
                        .ok_or_else(|| format!("{p} is not a point")),
                    ("double" | "float", serde_json::Value::String(s)) => scalar("double", s),
                    ("double" | "float", serde_json::Value::Number(n)) => n
                        .as_f64()
                        .map(Value::Float)
                        .ok_or_else(|| "bad number".to_string()),
                    _ => json_to_value(i, None),
                })
                .collect::<std::result::Result<Vec<_>, _>>()
                .map(Value::List)
        }
        None => scalar(&key.attr_type, text),
    }
}

/// Splits `:A:B` (with `\:` and `\\` escapes) into labels.
pub fn decode_labels(s: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            ':' => {
                if !cur.is_empty() {
                    out.push(std::mem::take(&mut cur));
                }
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(cur);
    }
    out
}

#[derive(Default)]
struct Entity {
    is_edge: bool,
    line: usize,
    id: Option<String>,
    source: String,
    target: String,
    labels: Option<String>,
    data: Vec<(String, String)>,
}

struct Pending {
    place: String,
    source: String,
    target: String,
    rel: StagedRel,
}

fn finish(
    e: Entity,
    keys: &HashMap<String, Key>,
    place: &str,
    ids: &mut HashMap<String, u32>,
    pending: &mut Vec<Pending>,
    staging: &mut Staging,
) -> std::result::Result<(), String> {
    let domain = if e.is_edge { "edge" } else { "node" };
    let special = if e.is_edge { "label" } else { "labels" };
    let mut special_value = e.labels.clone();
    let mut props = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for (kid, text) in &e.data {
        let key = keys
            .get(kid)
            .ok_or_else(|| format!("<data key=\"{kid}\"> refers to no <key>"))?;
        if key.name == special && key.kg_type.is_none() {
            special_value.get_or_insert_with(|| text.clone());
            seen.insert(kid.as_str());
            continue;
        }
        let v = convert(key, text).map_err(|m| format!("attribute `{}`: {m}", key.name))?;
        seen.insert(kid.as_str());
        props.push((staging.keys.intern(&key.name), v));
    }
    for (kid, key) in keys {
        if let Some(d) = &key.default {
            if (key.domain == domain || key.domain == "all")
                && !seen.contains(kid.as_str())
                && key.name != special
            {
                let v = convert(key, d).map_err(|m| format!("default of `{}`: {m}", key.name))?;
                props.push((staging.keys.intern(&key.name), v));
            }
        }
    }
    if e.is_edge {
        let ty = special_value
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| DEFAULT_TYPE.to_string());
        let rel_type = staging.types.intern(&ty);
        pending.push(Pending {
            place: place.to_string(),
            source: e.source,
            target: e.target,
            rel: StagedRel {
                rel_type,
                start: 0,
                end: 0,
                props,
            },
        });
    } else {
        let mut labels = Vec::new();
        for l in decode_labels(special_value.as_deref().unwrap_or("")) {
            let i = staging.labels.intern(&l);
            if !labels.contains(&i) {
                labels.push(i);
            }
        }
        let index = staging.nodes.len() as u32;
        let id = e.id.ok_or("<node> without an id")?;
        if ids.insert(id.clone(), index).is_some() {
            return Err(format!("duplicate node id `{id}`"));
        }
        staging.keep(Staged::Node(StagedNode { labels, props }));
    }
    Ok(())
}

fn attr<'a>(attrs: &'a [(&str, std::borrow::Cow<'_, str>)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.as_ref())
}

pub fn stage(
    paths: &[PathBuf],
    opts: &ImportOptions,
    staging: &mut Staging,
    bad: &mut BadLines,
    progress: &dyn Fn(u64),
) -> Result<usize> {
    let files = expand(paths, &["graphml", "xml"])?;
    let mut done = 0u64;
    for path in &files {
        let text = super::read_text(path)?;
        let name = path.display().to_string();
        let mut r = XmlReader::new(&text);
        let mut keys: HashMap<String, Key> = HashMap::new();
        let mut ids: HashMap<String, u32> = HashMap::new();
        let mut pending = Vec::new();
        let mut key: Option<(String, Key)> = None;
        let mut entity: Option<Entity> = None;
        // Inside <data> or <default>: the text so far, and the depth of nested elements (yEd's
        // graphics), whose text is not a value.
        let mut text_buf: Option<(String, usize)> = None;
        let mut data_key: Option<String> = None;
        let mut saw_graphml = false;
        loop {
            let line = r.line();
            let ev = r
                .next_event()
                .map_err(|(l, m)| Error::Io(format!("{name}:{l}: malformed XML: {m}")))?;
            let Some(ev) = ev else { break };
            match ev {
                Event::Start {
                    name: tag,
                    attrs,
                    empty,
                } => {
                    if let Some((_, depth)) = text_buf.as_mut() {
                        if !empty {
                            *depth += 1;
                        }
                        continue;
                    }
                    let local = tag.rsplit(':').next().unwrap_or(tag);
                    match local {
                        "graphml" => saw_graphml = true,
                        "key" => {
                            let kg_type = attrs
                                .iter()
                                .find(|(k, _)| k.ends_with(":type"))
                                .map(|(_, v)| v.to_string());
                            let k = Key {
                                name: attr(&attrs, "attr.name").unwrap_or_default().to_string(),
                                domain: attr(&attrs, "for").unwrap_or("all").to_string(),
                                attr_type: attr(&attrs, "attr.type")
                                    .unwrap_or("string")
                                    .to_string(),
                                list: attr(&attrs, "attr.list").map(str::to_string),
                                kg_type,
                                default: None,
                            };
                            let id = attr(&attrs, "id").unwrap_or_default().to_string();
                            if empty {
                                keys.insert(id, k);
                            } else {
                                key = Some((id, k));
                            }
                        }
                        "default" if key.is_some() && !empty => text_buf = Some((String::new(), 0)),
                        "node" | "edge" => {
                            let mut e = Entity {
                                is_edge: local == "edge",
                                line,
                                id: attr(&attrs, "id").map(str::to_string),
                                source: attr(&attrs, "source").unwrap_or_default().to_string(),
                                target: attr(&attrs, "target").unwrap_or_default().to_string(),
                                labels: attr(
                                    &attrs,
                                    if local == "edge" { "label" } else { "labels" },
                                )
                                .map(str::to_string),
                                data: Vec::new(),
                            };
                            if e.is_edge && (e.source.is_empty() || e.target.is_empty()) {
                                e.source.clear();
                            }
                            if empty {
                                let place = format!("{name}:{line}");
                                if let Err(m) = check_and_finish(
                                    e,
                                    &keys,
                                    &place,
                                    &mut ids,
                                    &mut pending,
                                    staging,
                                ) {
                                    report(opts, bad, format!("{place}: {m}"))?;
                                }
                                done += 1;
                            } else {
                                // A nested graph inside a node: its nodes are flattened in.
                                if let Some(outer) = entity.take() {
                                    let place = format!("{name}:{}", outer.line);
                                    if let Err(m) = check_and_finish(
                                        outer,
                                        &keys,
                                        &place,
                                        &mut ids,
                                        &mut pending,
                                        staging,
                                    ) {
                                        report(opts, bad, format!("{place}: {m}"))?;
                                    }
                                }
                                entity = Some(e);
                            }
                        }
                        "data" if !empty => {
                            data_key = attr(&attrs, "key").map(str::to_string);
                            text_buf = Some((String::new(), 0));
                        }
                        _ => {}
                    }
                }
                Event::Text(t) => {
                    if let Some((buf, 0)) = text_buf.as_mut() {
                        buf.push_str(&t);
                    }
                }
                Event::End(tag) => {
                    let local = tag.rsplit(':').next().unwrap_or(tag);
                    if let Some((_, depth)) = text_buf.as_mut() {
                        if *depth > 0 {
                            *depth -= 1;
                            // Structured content (e.g. yEd graphics): not a property value.
                            data_key = None;
                            continue;
                        }
                    }
                    match local {
                        "default" => {
                            if let (Some((buf, _)), Some((_, k))) = (text_buf.take(), key.as_mut())
                            {
                                k.default = Some(buf);
                            }
                        }
                        "key" => {
                            if let Some((id, k)) = key.take() {
                                keys.insert(id, k);
                            }
                        }
                        "data" => {
                            let buf = text_buf.take().map(|b| b.0).unwrap_or_default();
                            if let (Some(k), Some(e)) = (data_key.take(), entity.as_mut()) {
                                e.data.push((k, buf));
                            }
                        }
                        "node" | "edge" => {
                            if let Some(e) = entity.take() {
                                let place = format!("{name}:{}", e.line);
                                if let Err(m) = check_and_finish(
                                    e,
                                    &keys,
                                    &place,
                                    &mut ids,
                                    &mut pending,
                                    staging,
                                ) {
                                    report(opts, bad, format!("{place}: {m}"))?;
                                }
                                done += 1;
                                if done.is_multiple_of(65_536) {
                                    progress(done);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
        }
        if !saw_graphml {
            return Err(Error::Io(format!(
                "{name}: not a GraphML document (no <graphml> element)"
            )));
        }
        for p in pending {
            match (ids.get(&p.source), ids.get(&p.target)) {
                (Some(&s), Some(&t)) => {
                    let mut rel = p.rel;
                    rel.start = s;
                    rel.end = t;
                    staging.keep(Staged::Rel(rel));
                }
                _ => {
                    let missing = if ids.contains_key(&p.source) {
                        &p.target
                    } else {
                        &p.source
                    };
                    report(
                        opts,
                        bad,
                        format!(
                            "{}: edge refers to node `{missing}`, which is not in the file",
                            p.place
                        ),
                    )?;
                }
            }
        }
    }
    progress(done);
    Ok(files.len())
}

fn check_and_finish(
    e: Entity,
    keys: &HashMap<String, Key>,
    place: &str,
    ids: &mut HashMap<String, u32>,
    pending: &mut Vec<Pending>,
    staging: &mut Staging,
) -> std::result::Result<(), String> {
    if e.is_edge && e.source.is_empty() {
        return Err("<edge> without source and target".into());
    }
    finish(e, keys, place, ids, pending, staging)
}

fn report(opts: &ImportOptions, bad: &mut BadLines, msg: String) -> Result<()> {
    if !opts.skip_bad {
        return Err(Error::Io(msg));
    }
    bad.add(msg);
    Ok(())
}
