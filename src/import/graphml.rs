//! GraphML import: kgstore's own export (exact types from `kg:type`), and GraphML written by
//! Gephi, yEd, NetworkX or APOC (types from `attr.type` / `attr.list`, labels from a `labels`
//! attribute, relationship types from `label`; default type `RELATED`). Each file is read as a
//! stream of XML events, in passes (`twopass.rs`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use super::csv::{expand, parse_float};
use super::jsonl::json_to_value;
use super::staging::Staging;
use super::twopass::{Found, Item, Source};
use super::xml::{self, Event};
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

/// The node or relationship of a finished `<node>` or `<edge>` element, or why it is bad.
fn finish(
    e: Entity,
    keys: &HashMap<String, Key>,
    staging: &mut Staging,
) -> std::result::Result<Item, String> {
    if e.is_edge && e.source.is_empty() {
        return Err("<edge> without source and target".into());
    }
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
        Ok(Item::Rel {
            rel_type: staging.types.intern(&ty),
            start: e.source,
            end: e.target,
            props,
        })
    } else {
        let mut labels = Vec::new();
        for l in decode_labels(special_value.as_deref().unwrap_or("")) {
            let i = staging.labels.intern(&l);
            if !labels.contains(&i) {
                labels.push(i);
            }
        }
        let id = e.id.ok_or("<node> without an id")?;
        Ok(Item::Node {
            id: Some(id),
            labels,
            props,
        })
    }
}

fn attr<'a>(attrs: &'a [(&str, std::borrow::Cow<'_, str>)], name: &str) -> Option<&'a str> {
    attrs
        .iter()
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.as_ref())
}

/// The GraphML files of an import, each read as a stream of XML events as often as the import
/// needs.
pub struct Graphml {
    files: Vec<PathBuf>,
}

impl Graphml {
    pub fn open(paths: &[PathBuf]) -> Result<Self> {
        Ok(Graphml {
            files: expand(paths, &["graphml", "xml"])?,
        })
    }
}

impl Source for Graphml {
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
            read_file(path, file, opts, staging, sink)?;
        }
        Ok(())
    }

    /// A document's edges join its own nodes: ids are per file.
    fn id_space(file: usize) -> usize {
        file
    }

    fn duplicate(id: &str) -> String {
        format!("duplicate node id `{id}`")
    }

    fn missing(_start: bool, id: &str) -> String {
        format!("edge refers to node `{id}`, which is not in the file")
    }
}

/// Hands every node and edge of one GraphML file to `sink`, in document order (a node that
/// holds a nested graph before the nodes of that graph, whose nodes are flattened in).
fn read_file(
    path: &Path,
    file: usize,
    opts: &ImportOptions,
    staging: &mut Staging,
    sink: &mut dyn FnMut(&mut Staging, Found) -> Result<()>,
) -> Result<()> {
    let name = path.display().to_string();
    let mut keys: HashMap<String, Key> = HashMap::new();
    let mut key: Option<(String, Key)> = None;
    let mut entity: Option<Entity> = None;
    // Inside <data> or <default>: the text so far, and the depth of nested elements (yEd's
    // graphics), whose text is not a value.
    let mut text_buf: Option<(String, usize)> = None;
    let mut data_key: Option<String> = None;
    let mut saw_graphml = false;
    let mut emit = |e: Entity, keys: &HashMap<String, Key>, staging: &mut Staging| {
        let line = e.line;
        let item = finish(e, keys, staging).unwrap_or_else(Item::Bad);
        sink(staging, Found { file, line, item })
    };
    xml::for_each_event(path, opts.max_line, |line, ev| {
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
                    return Ok(());
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
                            attr_type: attr(&attrs, "attr.type").unwrap_or("string").to_string(),
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
                            labels: attr(&attrs, if local == "edge" { "label" } else { "labels" })
                                .map(str::to_string),
                            data: Vec::new(),
                        };
                        if e.is_edge && (e.source.is_empty() || e.target.is_empty()) {
                            e.source.clear();
                        }
                        if empty {
                            emit(e, &keys, staging)?;
                        } else {
                            // A nested graph inside a node: its nodes are flattened in.
                            if let Some(outer) = entity.take() {
                                emit(outer, &keys, staging)?;
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
                        return Ok(());
                    }
                }
                match local {
                    "default" => {
                        if let (Some((buf, _)), Some((_, k))) = (text_buf.take(), key.as_mut()) {
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
                            emit(e, &keys, staging)?;
                        }
                    }
                    _ => {}
                }
            }
        }
        Ok(())
    })?;
    if !saw_graphml {
        return Err(Error::Io(format!(
            "{name}: not a GraphML document (no <graphml> element)"
        )));
    }
    Ok(())
}
