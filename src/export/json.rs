//! JSON text for values, in the shape of the JSON output contract (dates as ISO strings,
//! floats always with `.` or an exponent), plus the type tags that let JSONL round-trip the
//! types JSON itself cannot carry.

use std::fmt::Write as _;

use crate::model::{Node, Properties, Relationship};
use crate::value::Value;

/// Appends `s` as a JSON string literal.
pub fn write_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{2028}' || c == '\u{2029}' => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// A float as Rust's shortest round-trip text, which always has `.` or an exponent
/// (`1.0`, `1e-7`); non-finite values as `NaN`, `Infinity`, `-Infinity`.
pub fn float_text(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f > 0.0 { "Infinity" } else { "-Infinity" }.into()
    } else {
        format!("{f:?}")
    }
}

/// Appends `v` as JSON. Non-finite floats become strings (see [`type_tag`]).
pub fn write_value(out: &mut String, v: &Value) {
    match v {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Int(i) => {
            let _ = write!(out, "{i}");
        }
        Value::Float(f) if f.is_finite() => out.push_str(&float_text(*f)),
        Value::Float(f) => write_str(out, &float_text(*f)),
        Value::String(s) => write_str(out, s),
        Value::Date(_)
        | Value::LocalTime(_)
        | Value::Time(_)
        | Value::LocalDateTime(_)
        | Value::DateTime(_)
        | Value::Duration(_) => write_str(out, &v.temporal_text().unwrap_or_default()),
        // The JSON output shape (Neo4j's HTTP API shape); tagged `point` for the importer.
        Value::Point(p) => out.push_str(&crate::render::json::point_json(p).to_string()),
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
        Value::Map(m) => write_map(out, m.iter()),
        Value::Node(n) => write_node(out, n, false),
        Value::Relationship(r) => write_relationship(out, r, false),
        Value::Path(p) => {
            out.push_str("{\"nodes\": [");
            for (i, n) in p.nodes.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_node(out, n, false);
            }
            out.push_str("], \"relationships\": [");
            for (i, r) in p.relationships.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_relationship(out, r, false);
            }
            out.push_str("]}");
        }
        Value::NodeRef(id) | Value::RelRef(id) => {
            let _ = write!(out, "{id}");
        }
        Value::PathRef(p) => {
            let _ = write!(
                out,
                "{{\"nodes\": {:?}, \"relationships\": {:?}}}",
                p.nodes, p.rels
            );
        }
    }
}

fn write_map<'a>(out: &mut String, entries: impl Iterator<Item = (&'a String, &'a Value)>) {
    out.push('{');
    for (i, (k, v)) in entries.enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_str(out, k);
        out.push_str(": ");
        write_value(out, v);
    }
    out.push('}');
}

/// The tag recording a property's type when JSON would lose it: the temporal types (`date`,
/// `localtime`, `time`, `localdatetime`, `datetime`, `duration`), `float` (non-finite),
/// `point` (written as the JSON output's point object, which would read back as a map), and
/// the same with `[]` for lists. `None` when the JSON value reads back as the same type.
pub fn type_tag(v: &Value) -> Option<&'static str> {
    match v {
        Value::Float(f) if !f.is_finite() => Some("float"),
        Value::List(items) => {
            if let Some(t) = items.iter().find_map(Value::temporal_function) {
                Some(match t {
                    "date" => "date[]",
                    "localtime" => "localtime[]",
                    "time" => "time[]",
                    "localdatetime" => "localdatetime[]",
                    "datetime" => "datetime[]",
                    _ => "duration[]",
                })
            } else if items.iter().any(|i| matches!(i, Value::Point(_))) {
                Some("point[]")
            } else if items
                .iter()
                .any(|i| matches!(i, Value::Float(f) if !f.is_finite()))
            {
                Some("float[]")
            } else {
                None
            }
        }
        Value::Point(_) => Some("point"),
        other => other.temporal_function(),
    }
}

fn write_props(out: &mut String, props: &Properties, tagged: bool) {
    out.push_str("\"properties\": ");
    write_map(out, props.iter());
    if tagged {
        let tags: Vec<(&String, &str)> = props
            .iter()
            .filter_map(|(k, v)| type_tag(v).map(|t| (k, t)))
            .collect();
        if !tags.is_empty() {
            out.push_str(", \"property_types\": {");
            for (i, (k, t)) in tags.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                write_str(out, k);
                out.push_str(": ");
                write_str(out, t);
            }
            out.push('}');
        }
    }
}

/// `{"id": N, "labels": [...], "properties": {...}}`; with `tagged`, a leading
/// `"kind": "node"` and a trailing `"property_types"` when needed (the JSONL export).
pub fn write_node(out: &mut String, n: &Node, tagged: bool) {
    out.push('{');
    if tagged {
        out.push_str("\"kind\": \"node\", ");
    }
    let _ = write!(out, "\"id\": {}, \"labels\": [", n.id);
    for (i, l) in n.labels.iter().enumerate() {
        if i > 0 {
            out.push_str(", ");
        }
        write_str(out, l);
    }
    out.push_str("], ");
    write_props(out, &n.properties, tagged);
    out.push('}');
}

/// `{"id": N, "type": "T", "start": N, "end": N, "properties": {...}}` (see [`write_node`]).
pub fn write_relationship(out: &mut String, r: &Relationship, tagged: bool) {
    out.push('{');
    if tagged {
        out.push_str("\"kind\": \"relationship\", ");
    }
    let _ = write!(out, "\"id\": {}, \"type\": ", r.id);
    write_str(out, &r.rel_type);
    let _ = write!(out, ", \"start\": {}, \"end\": {}, ", r.start, r.end);
    write_props(out, &r.properties, tagged);
    out.push('}');
}
