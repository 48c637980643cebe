//! GraphViz DOT: a readable picture of the graph or of a query's subgraph — names as node
//! labels, a colour and shape per label with a legend, relationship types with their most
//! telling property, optional clusters by a property value.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;

use super::style::{default_node_styles, Attrs, StyleSheet};
use super::subgraph::Source;
use crate::error::{Error, Result};
use crate::model::{Node, Relationship};
use crate::value::Value;

/// Relationship properties worth printing on an edge, most telling first.
const TELLING: [&str; 16] = [
    "stake",
    "share",
    "percent",
    "amount_usd",
    "amount",
    "value_usd",
    "value",
    "role",
    "title",
    "round",
    "date",
    "since",
    "year",
    "weight",
    "valuation",
    "name",
];

/// Options of the DOT writer.
#[derive(Clone, Debug, Default)]
pub struct DotOptions {
    /// `TB`, `LR`, `BT` or `RL` (GraphViz's default is `TB`).
    pub rankdir: Option<String>,
    /// Group nodes into one box per value of this property.
    pub cluster_by: Option<String>,
    pub style: StyleSheet,
    /// Draw the legend of labels (default on).
    pub no_legend: bool,
}

/// Validates a rankdir, returning it upper-cased.
pub fn check_rankdir(r: &str) -> Result<String> {
    let up = r.trim().to_ascii_uppercase();
    match up.as_str() {
        "TB" | "LR" | "BT" | "RL" => Ok(up),
        _ => Err(Error::Io(format!(
            "invalid rankdir `{r}`: expected TB, LR, BT or RL"
        ))),
    }
}

/// A DOT double-quoted string. Backslashes are doubled so GraphViz's `\N`, `\l` … escapes can
/// never be triggered by data; newlines become `\n` (a centred line break); other control
/// characters are dropped. With `record`, the record-shape metacharacters are escaped too.
pub fn quote(s: &str, record: bool) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\r' => {
                if chars.peek() != Some(&'\n') {
                    out.push_str("\\n");
                }
            }
            '\n' => out.push_str("\\n"),
            '\t' => out.push(' '),
            '{' | '}' | '<' | '>' | '|' if record => {
                out.push('\\');
                out.push(c);
            }
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// A value as a person reads it on a picture: numbers compact, strings bare.
pub fn display_value(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => {
            let a = f.abs();
            let (scaled, unit) = if a >= 1e12 {
                (f / 1e12, "T")
            } else if a >= 1e9 {
                (f / 1e9, "B")
            } else if a >= 1e6 {
                (f / 1e6, "M")
            } else {
                return format!("{f}");
            };
            let digits = format!("{scaled:.3}");
            format!(
                "{}{unit}",
                digits.trim_end_matches('0').trim_end_matches('.')
            )
        }
        Value::Bool(b) => b.to_string(),
        other if other.is_temporal() => other.temporal_text().unwrap_or_default(),
        Value::Null => "null".into(),
        Value::List(items) => {
            let parts: Vec<String> = items.iter().map(display_value).collect();
            format!("[{}]", parts.join(", "))
        }
        other => {
            let mut s = String::new();
            super::json::write_value(&mut s, other);
            s
        }
    }
}

fn node_caption(n: &Node) -> String {
    match n.properties.get("name") {
        Some(Value::Null) | None => match n.labels.first() {
            Some(l) => format!("{l} #{}", n.id),
            None => format!("#{}", n.id),
        },
        Some(v) => display_value(v),
    }
}

fn edge_caption(r: &Relationship) -> String {
    let prop = TELLING
        .iter()
        .find_map(|k| r.properties.get(*k).map(|v| (*k, v)))
        .or_else(|| {
            if r.properties.len() == 1 {
                r.properties.iter().next().map(|(k, v)| (k.as_str(), v))
            } else {
                None
            }
        });
    match prop {
        Some((k, v)) => format!("{}\n{k}: {}", r.rel_type, display_value(v)),
        None => r.rel_type.clone(),
    }
}

fn tooltip(n: &Node) -> String {
    let mut s = String::new();
    for l in &n.labels {
        s.push(':');
        s.push_str(l);
    }
    let _ = write!(s, " #{}", n.id);
    for (k, v) in n.properties.iter().take(12) {
        let _ = write!(s, "\n{k}: {}", display_value(v));
    }
    s
}

fn write_attrs(buf: &mut String, attrs: &Attrs, record: bool) {
    let mut first = true;
    for (k, v) in attrs {
        if !first {
            buf.push_str(", ");
        }
        first = false;
        let quoted = if k == "label" {
            quote(v, record)
        } else {
            quote(v, false)
        };
        let _ = write!(buf, "{k}={quoted}");
    }
}

fn is_record(attrs: &Attrs) -> bool {
    attrs
        .get("shape")
        .is_some_and(|s| s.eq_ignore_ascii_case("record") || s.eq_ignore_ascii_case("mrecord"))
}

/// Writes `source` as a DOT digraph. Returns (nodes, relationships) written.
pub fn write_dot(source: Source<'_>, opts: &DotOptions, out: &mut dyn Write) -> Result<(u64, u64)> {
    let mut nodes: Vec<Node> = Vec::new();
    source.for_each_node(&mut |n| {
        nodes.push(n.clone());
        Ok(())
    })?;
    let mut rels: Vec<Relationship> = Vec::new();
    source.for_each_relationship(&mut |r| {
        rels.push(r.clone());
        Ok(())
    })?;

    let first_labels: BTreeSet<String> = nodes
        .iter()
        .filter_map(|n| n.labels.first().cloned())
        .collect();
    let labels: Vec<String> = first_labels.into_iter().collect();
    let mut styles = default_node_styles(&labels);
    for (label, attrs) in &opts.style.labels {
        styles
            .entry(label.clone())
            .or_default()
            .extend(attrs.clone());
    }

    let mut buf = String::new();
    buf.push_str("digraph \"kgstore\" {\n");
    buf.push_str("  graph [charset=\"UTF-8\", fontname=\"Helvetica\", fontsize=11");
    if let Some(r) = &opts.rankdir {
        let _ = write!(buf, ", rankdir={}", quote(&check_rankdir(r)?, false));
    }
    buf.push_str("];\n");
    buf.push_str("  node [style=\"filled\", fontname=\"Helvetica\", fontsize=10, shape=\"box\", fillcolor=\"#eeeeee\"];\n");
    buf.push_str(
        "  edge [fontname=\"Helvetica\", fontsize=8, color=\"#555555\", fontcolor=\"#333333\"];\n",
    );

    let node_line = |buf: &mut String, n: &Node, indent: &str| {
        let style_label = n
            .labels
            .iter()
            .find(|l| opts.style.labels.contains_key(*l))
            .or(n.labels.first());
        let mut attrs = style_label
            .and_then(|l| styles.get(l))
            .cloned()
            .unwrap_or_default();
        attrs.insert("label".into(), node_caption(n));
        attrs.insert("tooltip".into(), tooltip(n));
        let _ = write!(buf, "{indent}\"n{}\" [", n.id);
        write_attrs(buf, &attrs, is_record(&attrs));
        buf.push_str("];\n");
    };

    match &opts.cluster_by {
        Some(key) => {
            let mut clusters: BTreeMap<String, Vec<&Node>> = BTreeMap::new();
            for n in &nodes {
                match n.properties.get(key) {
                    Some(v) if !v.is_null() => {
                        clusters.entry(display_value(v)).or_default().push(n)
                    }
                    _ => node_line(&mut buf, n, "  "),
                }
            }
            for (i, (value, members)) in clusters.iter().enumerate() {
                let _ = writeln!(
                    buf,
                    "  subgraph \"cluster_{i}\" {{\n    label={};\n    style=\"rounded,dashed\";\n    color=\"#888888\";",
                    quote(&format!("{key}: {value}"), false)
                );
                for n in members {
                    node_line(&mut buf, n, "    ");
                }
                buf.push_str("  }\n");
            }
        }
        None => {
            for n in &nodes {
                node_line(&mut buf, n, "  ");
            }
        }
    }

    for r in &rels {
        let mut attrs = opts
            .style
            .types
            .get(&r.rel_type)
            .cloned()
            .unwrap_or_default();
        attrs.insert("label".into(), edge_caption(r));
        let _ = write!(buf, "  \"n{}\" -> \"n{}\" [", r.start, r.end);
        write_attrs(&mut buf, &attrs, false);
        buf.push_str("];\n");
    }

    if !opts.no_legend && !labels.is_empty() {
        buf.push_str("  subgraph \"cluster_legend\" {\n    label=\"Legend\";\n    style=\"rounded\";\n    color=\"#bbbbbb\";\n");
        for (i, l) in labels.iter().enumerate() {
            let mut attrs = styles.get(l).cloned().unwrap_or_default();
            attrs.insert("label".into(), l.clone());
            let _ = write!(buf, "    \"legend_{i}\" [");
            write_attrs(&mut buf, &attrs, is_record(&attrs));
            buf.push_str("];\n");
        }
        // Invisible edges keep the legend entries in one column instead of scattered.
        for i in 1..labels.len() {
            let _ = writeln!(
                buf,
                "    \"legend_{}\" -> \"legend_{i}\" [style=\"invis\"];",
                i - 1
            );
        }
        buf.push_str("  }\n");
    }
    buf.push_str("}\n");
    out.write_all(buf.as_bytes())
        .map_err(|e| Error::Io(format!("cannot write DOT output: {e}")))?;
    Ok((nodes.len() as u64, rels.len() as u64))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_neutralises_every_metacharacter() {
        assert_eq!(quote("a\"b\\c\nd", false), "\"a\\\"b\\\\c\\nd\"");
        assert_eq!(quote("{x}<y>|", true), "\"\\{x\\}\\<y\\>\\|\"");
        assert_eq!(quote("{x}<y>", false), "\"{x}<y>\"");
        assert_eq!(quote("智谱\u{7}", false), "\"智谱\"");
        assert_eq!(quote("ends\\", false), "\"ends\\\\\"");
    }

    #[test]
    fn numbers_are_compact() {
        assert_eq!(display_value(&Value::Float(1.2e9)), "1.2B");
        assert_eq!(display_value(&Value::Float(3e9)), "3B");
        assert_eq!(display_value(&Value::Float(0.25)), "0.25");
    }
}
