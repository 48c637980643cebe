//! GraphML (readable by Gephi, yEd, NetworkX, APOC): one `<key>` per (domain, property, type)
//! with a standard `attr.type`, labels in a `labels` attribute (`:A:B`, APOC's convention),
//! relationship types in `label`; lists as JSON arrays with `attr.list` (APOC's convention);
//! the exact kgstore type in `kg:type` so a round trip restores int vs float vs date vs list.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::io::Write;

use super::json;
use super::subgraph::Source;
use crate::error::{Error, Result};
use crate::model::Properties;
use crate::value::Value;

pub const KG_NS: &str = "https://kgstore.dev/graphml";

/// The exact type of a property value as recorded in `kg:type`.
pub fn type_sig(v: &Value) -> String {
    fn scalar(v: &Value) -> &'static str {
        match v {
            Value::Bool(_) => "boolean",
            Value::Int(_) => "long",
            Value::Float(_) => "double",
            Value::String(_) => "string",
            Value::Point(_) => "point",
            other => other.temporal_function().unwrap_or("json"),
        }
    }
    match v {
        Value::List(items) => {
            let first = items.first().map_or("string", scalar);
            if items.iter().all(|i| scalar(i) == first) && first != "json" {
                format!("{first}[]")
            } else {
                "json".into()
            }
        }
        Value::Map(_) => "json".into(),
        other => scalar(other).into(),
    }
}

/// XML text with markup characters escaped; characters XML 1.0 cannot carry are dropped.
/// In attributes whitespace is written as character references so it survives attribute
/// normalisation.
pub fn escape(s: &str, attr: bool, out: &mut String) {
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' if attr => out.push_str("&quot;"),
            '\r' => out.push_str("&#13;"),
            '\n' if attr => out.push_str("&#10;"),
            '\t' if attr => out.push_str("&#9;"),
            '\n' | '\t' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{FFFE}' || c == '\u{FFFF}' => {}
            c => out.push(c),
        }
    }
}

/// `:A:B`, with `\` and `:` inside a label escaped by a backslash.
pub fn encode_labels(labels: &[String]) -> String {
    let mut s = String::new();
    for l in labels {
        s.push(':');
        for c in l.chars() {
            if c == ':' || c == '\\' {
                s.push('\\');
            }
            s.push(c);
        }
    }
    s
}

fn value_text(v: &Value) -> String {
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

fn attr_type(sig: &str) -> (&'static str, Option<&'static str>) {
    let base = |t: &str| match t {
        "boolean" => "boolean",
        "long" => "long",
        "double" => "double",
        _ => "string",
    };
    match sig.strip_suffix("[]") {
        Some(elem) => ("string", Some(base(elem))),
        None => (base(sig), None),
    }
}

type KeyMap = BTreeMap<(String, String), String>;

fn collect(props: &Properties, keys: &mut KeyMap, prefix: &str) {
    for (k, v) in props {
        if v.is_null() {
            continue;
        }
        let entry = (k.clone(), type_sig(v));
        if !keys.contains_key(&entry) {
            let id = format!("{prefix}{}", keys.len());
            keys.insert(entry, id);
        }
    }
}

fn write_data(buf: &mut String, props: &Properties, keys: &KeyMap) {
    for (k, v) in props {
        if v.is_null() {
            continue;
        }
        if let Some(id) = keys.get(&(k.clone(), type_sig(v))) {
            let _ = write!(buf, "<data key=\"{id}\">");
            escape(&value_text(v), false, buf);
            buf.push_str("</data>");
        }
    }
}

fn flush(buf: &mut String, out: &mut dyn Write) -> Result<()> {
    out.write_all(buf.as_bytes())
        .map_err(|e| Error::Io(format!("cannot write GraphML output: {e}")))?;
    buf.clear();
    Ok(())
}

/// Writes `source` as one GraphML document. Returns (nodes, relationships) written.
pub fn write_graphml(source: Source<'_>, out: &mut dyn Write) -> Result<(u64, u64)> {
    let mut node_keys = KeyMap::new();
    let mut edge_keys = KeyMap::new();
    source.for_each_node(&mut |n| {
        collect(&n.properties, &mut node_keys, "n");
        Ok(())
    })?;
    source.for_each_relationship(&mut |r| {
        collect(&r.properties, &mut edge_keys, "e");
        Ok(())
    })?;

    let mut buf = String::new();
    let _ = writeln!(
        buf,
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<graphml xmlns=\"http://graphml.graphdrawing.org/xmlns\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\" xmlns:kg=\"{KG_NS}\" xsi:schemaLocation=\"http://graphml.graphdrawing.org/xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd\">"
    );
    buf.push_str("<key id=\"labels\" for=\"node\" attr.name=\"labels\" attr.type=\"string\"/>\n");
    buf.push_str("<key id=\"label\" for=\"edge\" attr.name=\"label\" attr.type=\"string\"/>\n");
    for (domain, keys) in [("node", &node_keys), ("edge", &edge_keys)] {
        for ((name, sig), id) in keys {
            let (t, list) = attr_type(sig);
            let _ = write!(buf, "<key id=\"{id}\" for=\"{domain}\" attr.name=\"");
            escape(name, true, &mut buf);
            let _ = write!(buf, "\" attr.type=\"{t}\"");
            if let Some(l) = list {
                let _ = write!(buf, " attr.list=\"{l}\"");
            }
            let _ = writeln!(buf, " kg:type=\"{sig}\"/>");
        }
    }
    buf.push_str("<graph id=\"G\" edgedefault=\"directed\">\n");
    let (mut nodes, mut rels) = (0u64, 0u64);
    source.for_each_node(&mut |n| {
        let labels = encode_labels(&n.labels);
        let _ = write!(buf, "<node id=\"n{}\" labels=\"", n.id);
        escape(&labels, true, &mut buf);
        buf.push_str("\"><data key=\"labels\">");
        escape(&labels, false, &mut buf);
        buf.push_str("</data>");
        write_data(&mut buf, &n.properties, &node_keys);
        buf.push_str("</node>\n");
        nodes += 1;
        if buf.len() > 1 << 16 {
            flush(&mut buf, out)?;
        }
        Ok(())
    })?;
    source.for_each_relationship(&mut |r| {
        let _ = write!(
            buf,
            "<edge id=\"e{}\" source=\"n{}\" target=\"n{}\" label=\"",
            r.id, r.start, r.end
        );
        escape(&r.rel_type, true, &mut buf);
        buf.push_str("\"><data key=\"label\">");
        escape(&r.rel_type, false, &mut buf);
        buf.push_str("</data>");
        write_data(&mut buf, &r.properties, &edge_keys);
        buf.push_str("</edge>\n");
        rels += 1;
        if buf.len() > 1 << 16 {
            flush(&mut buf, out)?;
        }
        Ok(())
    })?;
    buf.push_str("</graph>\n</graphml>\n");
    flush(&mut buf, out)?;
    Ok((nodes, rels))
}
