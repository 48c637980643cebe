//! Values in Cypher literal notation, as the table and CSV formats show them:
//! `(:Lab {name: 'DeepSeek'})`, `[:OWNS {stake: 0.5}]`, `[1, 'a']`, `{k: null}`.

use std::fmt::Write as _;

use crate::model::{Node, Path, Properties, Relationship};
use crate::value::Value;

use super::format_float;

/// A top-level cell: strings and dates bare (as sqlite3/duckdb print them), everything else in
/// Cypher notation.
pub fn cell(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => literal(other),
    }
}

/// A value in Cypher notation (strings quoted).
pub fn literal(value: &Value) -> String {
    let mut out = String::new();
    write_value(&mut out, value);
    out
}

fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) => out.push_str(&format_float(*f)),
        Value::String(s) => write_string(out, s),
        Value::Date(_)
        | Value::LocalTime(_)
        | Value::Time(_)
        | Value::LocalDateTime(_)
        | Value::DateTime(_)
        | Value::Duration(_) => out.push_str(&value.temporal_text().unwrap_or_default()),
        Value::Point(p) => {
            let _ = write!(out, "{p}");
        }
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Map(map) => write_map(out, map.iter()),
        Value::Node(n) => write_node(out, n),
        Value::Relationship(r) => write_rel(out, r),
        Value::Path(p) => write_path(out, p),
        Value::NodeRef(id) => {
            let _ = write!(out, "(#{id})");
        }
        Value::RelRef(id) => {
            let _ = write!(out, "[#{id}]");
        }
        Value::PathRef(p) => {
            let _ = write!(out, "<path of {} nodes>", p.nodes.len());
        }
    }
}

/// A single-quoted Cypher string literal.
pub fn write_string(out: &mut String, s: &str) {
    out.push('\'');
    for c in s.chars() {
        match c {
            '\'' => out.push_str("\\'"),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c => out.push(c),
        }
    }
    out.push('\'');
}

/// A name as Cypher needs it: bare when it is an identifier, else in backticks.
pub fn write_name(out: &mut String, name: &str) {
    let mut chars = name.chars();
    let plain = chars.next().is_some_and(|c| c.is_alphabetic() || c == '_')
        && chars.all(|c| c.is_alphanumeric() || c == '_');
    if plain {
        out.push_str(name);
    } else {
        out.push('`');
        out.push_str(&name.replace('`', "``"));
        out.push('`');
    }
}

fn write_map<'a>(out: &mut String, entries: impl Iterator<Item = (&'a String, &'a Value)>) {
    out.push('{');
    for (i, (k, v)) in entries.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_name(out, k);
        out.push_str(": ");
        write_value(out, v);
    }
    out.push('}');
}

fn write_props(out: &mut String, props: &Properties) {
    if !props.is_empty() {
        out.push(' ');
        write_map(out, props.iter());
    }
}

fn write_node(out: &mut String, node: &Node) {
    out.push('(');
    for label in &node.labels {
        out.push(':');
        write_name(out, label);
    }
    if node.labels.is_empty() {
        write_map_only(out, &node.properties);
    } else {
        write_props(out, &node.properties);
    }
    out.push(')');
}

fn write_map_only(out: &mut String, props: &Properties) {
    if !props.is_empty() {
        write_map(out, props.iter());
    }
}

fn write_rel(out: &mut String, rel: &Relationship) {
    out.push_str("[:");
    write_name(out, &rel.rel_type);
    write_props(out, &rel.properties);
    out.push(']');
}

fn write_path(out: &mut String, path: &Path) {
    let Some(first) = path.nodes.first() else {
        out.push_str("<empty path>");
        return;
    };
    write_node(out, first);
    let mut prev = first.id;
    for (rel, node) in path.relationships.iter().zip(path.nodes.iter().skip(1)) {
        // A path may walk a relationship against its direction.
        let forward = rel.start == prev;
        out.push_str(if forward { "-" } else { "<-" });
        write_rel(out, rel);
        out.push_str(if forward { "->" } else { "-" });
        write_node(out, node);
        prev = node.id;
    }
}

/// Property keys that name an entity, most telling first: a table cell shows the first one
/// present right after the labels, and a path shows only it.
pub const CAPTION_KEYS: &[&str] = &["name", "title", "id", "key", "code", "label", "caption"];

/// A value for a human table cell: like [`cell`], but a node or relationship shows its caption
/// property (see [`CAPTION_KEYS`]) first and leaves out properties that say little in a cell
/// (null, empty lists and maps), and a path is the chain of its nodes' captions:
/// `(DeepSeek)-[:RAISED]->(DeepSeek Series A)`.
pub fn display_cell(value: &Value) -> String {
    match value {
        Value::String(s) => s.clone(),
        other => {
            let mut out = String::new();
            write_display(&mut out, other);
            out
        }
    }
}

fn write_display(out: &mut String, value: &Value) {
    match value {
        Value::Node(n) => {
            out.push('(');
            for label in &n.labels {
                out.push(':');
                write_name(out, label);
            }
            write_entity_props(out, &n.properties, !n.labels.is_empty());
            out.push(')');
        }
        Value::Relationship(r) => {
            out.push_str("[:");
            write_name(out, &r.rel_type);
            write_entity_props(out, &r.properties, true);
            out.push(']');
        }
        Value::Path(p) => write_path_captions(out, p),
        Value::List(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_display(out, item);
            }
            out.push(']');
        }
        other => write_value(out, other),
    }
}

/// The key of the caption property: the first of [`CAPTION_KEYS`] that is set.
pub fn caption_key(props: &Properties) -> Option<&'static str> {
    CAPTION_KEYS
        .iter()
        .copied()
        .find(|k| props.get(*k).is_some_and(|v| !v.is_null()))
}

fn says_little(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::List(items) => items.is_empty(),
        Value::Map(m) => m.is_empty(),
        _ => false,
    }
}

fn write_entity_props(out: &mut String, props: &Properties, space: bool) {
    let caption = caption_key(props);
    let first = caption.and_then(|k| props.get_key_value(k));
    let rest = props
        .iter()
        .filter(|(k, v)| Some(k.as_str()) != caption && !says_little(v));
    let entries: Vec<(&String, &Value)> = first.into_iter().chain(rest).collect();
    if entries.is_empty() {
        return;
    }
    if space {
        out.push(' ');
    }
    out.push('{');
    for (i, (k, v)) in entries.into_iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_name(out, k);
        out.push_str(": ");
        write_display(out, v);
    }
    out.push('}');
}

/// `(caption)`: the caption property's value (a string unquoted), else the labels `(:Lab)`.
fn write_node_caption(out: &mut String, node: &Node) {
    out.push('(');
    match caption_key(&node.properties).and_then(|k| node.properties.get(k)) {
        Some(Value::String(s)) => out.push_str(s),
        Some(v) => write_value(out, v),
        None => {
            for label in &node.labels {
                out.push(':');
                write_name(out, label);
            }
        }
    }
    out.push(')');
}

fn write_path_captions(out: &mut String, path: &Path) {
    let Some(first) = path.nodes.first() else {
        out.push_str("<empty path>");
        return;
    };
    write_node_caption(out, first);
    let mut prev = first.id;
    for (rel, node) in path.relationships.iter().zip(path.nodes.iter().skip(1)) {
        let forward = rel.start == prev;
        out.push_str(if forward { "-[:" } else { "<-[:" });
        write_name(out, &rel.rel_type);
        out.push_str(if forward { "]->" } else { "]-" });
        write_node_caption(out, node);
        prev = node.id;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(id: u64, label: &str, name: &str) -> Node {
        let mut properties = Properties::new();
        properties.insert("name".into(), Value::from(name));
        Node {
            id,
            labels: vec![label.into()],
            properties,
        }
    }

    #[test]
    fn entities_in_cypher_notation() {
        let n = node(1, "Lab", "DeepSeek");
        assert_eq!(
            literal(&Value::Node(Box::new(n.clone()))),
            "(:Lab {name: 'DeepSeek'})"
        );
        let mut props = Properties::new();
        props.insert("stake".into(), Value::Float(0.5));
        let r = Relationship {
            id: 7,
            rel_type: "OWNS".into(),
            start: 2,
            end: 1,
            properties: props,
        };
        assert_eq!(
            literal(&Value::Relationship(Box::new(r.clone()))),
            "[:OWNS {stake: 0.5}]"
        );
        let p = Path {
            nodes: vec![n, node(2, "Fund", "HF")],
            relationships: vec![r],
        };
        assert_eq!(
            literal(&Value::Path(Box::new(p))),
            "(:Lab {name: 'DeepSeek'})<-[:OWNS {stake: 0.5}]-(:Fund {name: 'HF'})"
        );
    }

    #[test]
    fn strings_and_names_are_escaped() {
        assert_eq!(literal(&Value::from("it's")), "'it\\'s'");
        assert_eq!(cell(&Value::from("it's")), "it's");
        let mut m = std::collections::BTreeMap::new();
        m.insert("two words".to_string(), Value::Null);
        assert_eq!(literal(&Value::Map(m)), "{`two words`: null}");
        assert_eq!(
            literal(&Value::List(vec![Value::Int(1), Value::Float(2.0)])),
            "[1, 2.0]"
        );
    }
}
