//! GraphViz DOT: a readable picture of the graph or of a query's subgraph — names as node
//! labels, a shape per kind and a colour per label (the same in every export, `style.rs`) with
//! a legend, relationship types with their most telling property, optional clusters by a
//! property value, and optionally every fact coloured by the value of a property such as its
//! `source` document, with a legend of those values.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::io::Write;

use super::style::{value_colours, Attrs, NodeKind, StyleSheet};
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
    /// GraphViz layout engine (`dot`, `neato`, `fdp`, `sfdp`, `circo`, `twopi`); by default
    /// [`default_layout`] picks one from the graph's size.
    pub layout: Option<String>,
    /// Colour nodes and relationships by the values of this property (e.g. `source`: each
    /// fact in the colour of the document it comes from) instead of nodes by label.
    pub colour_by: Option<String>,
}

/// Properties that say where a fact comes from rather than what it says: never an edge's
/// caption (they would repeat on every edge); shown in tooltips and by `colour_by`.
const PROVENANCE: [&str; 5] = [
    "source",
    "sources",
    "as_of",
    "as_of_precision",
    "reported_by",
];

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

/// The layout engines `--layout` accepts.
pub const LAYOUTS: [&str; 6] = ["dot", "neato", "fdp", "sfdp", "circo", "twopi"];

/// Validates a layout engine name, returning it lower-cased.
pub fn check_layout(l: &str) -> Result<String> {
    let low = l.trim().to_ascii_lowercase();
    if LAYOUTS.contains(&low.as_str()) {
        Ok(low)
    } else {
        Err(Error::Io(format!(
            "invalid layout `{l}`: expected {}",
            LAYOUTS.join(", ")
        )))
    }
}

/// Nodes up to which `dot`'s ranked layout reads well; past it, a graph with many roots
/// becomes a strip several times wider than high (the seed graph: 5.4:1), so it is laid out
/// by force (`neato`, near-square), and past [`SFDP_FROM`] by `sfdp`, which scales.
const RANKED_UP_TO: usize = 40;
const SFDP_FROM: usize = 1000;
/// Nodes up to which a force layout routes edges around nodes (`splines=true`).
const ROUTED_UP_TO: usize = 100;

/// The engine for a picture of `nodes` nodes when none is given: `dot` for small pictures
/// and whenever ranks or clusters are asked for (only `dot` draws them), else by force.
pub fn default_layout(nodes: usize, opts: &DotOptions) -> &'static str {
    if opts.rankdir.is_some() || opts.cluster_by.is_some() || nodes <= RANKED_UP_TO {
        "dot"
    } else if nodes < SFDP_FROM {
        "neato"
    } else {
        "sfdp"
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
        // As the manual prints it, not the JSON object.
        Value::Point(p) => p.to_string(),
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
            let mut told = r
                .properties
                .iter()
                .filter(|(k, _)| !PROVENANCE.contains(&k.as_str()));
            match (told.next(), told.next()) {
                (Some((k, v)), None) => Some((k.as_str(), v)),
                _ => None,
            }
        });
    match prop {
        Some((k, v)) => format!("{}\n{k}: {}", r.rel_type, display_value(v)),
        None => r.rel_type.clone(),
    }
}

/// The values of `key` on an entity, each as text: a list gives one value per element.
fn values_of(props: &crate::model::Properties, key: &str) -> Vec<String> {
    match props.get(key) {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::List(items)) => items
            .iter()
            .filter(|v| !v.is_null())
            .map(display_value)
            .collect(),
        Some(v) => vec![display_value(v)],
    }
}

fn edge_tooltip(r: &Relationship) -> String {
    let mut s = format!(":{} #{}", r.rel_type, r.id);
    for (k, v) in r.properties.iter().take(12) {
        let _ = write!(s, "\n{k}: {}", display_value(v));
    }
    s
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

    // What each node is drawn as, and the values facts are coloured by (if asked).
    let kinds: BTreeSet<NodeKind> = nodes
        .iter()
        .filter_map(|n| NodeKind::of(&n.labels))
        .collect();
    let colour_values: Vec<String> = match &opts.colour_by {
        Some(key) => {
            let mut all: BTreeSet<String> = BTreeSet::new();
            for n in &nodes {
                all.extend(values_of(&n.properties, key));
            }
            for r in &rels {
                all.extend(values_of(&r.properties, key));
            }
            all.into_iter().collect()
        }
        None => Vec::new(),
    };
    let by_value = value_colours(&colour_values);
    let colours_of = |props: &crate::model::Properties| -> Vec<(&str, &str)> {
        match &opts.colour_by {
            Some(key) => values_of(props, key)
                .iter()
                .filter_map(|v| by_value.get(v).copied())
                .collect(),
            None => Vec::new(),
        }
    };

    let mut buf = String::new();
    buf.push_str("digraph \"kgstore\" {\n");
    buf.push_str("  graph [charset=\"UTF-8\", fontname=\"Helvetica\", fontsize=11");
    if let Some(r) = &opts.rankdir {
        let _ = write!(buf, ", rankdir={}", quote(&check_rankdir(r)?, false));
    }
    let layout = match &opts.layout {
        Some(l) => check_layout(l)?,
        None => default_layout(nodes.len(), opts).to_string(),
    };
    let _ = write!(buf, ", layout={}", quote(&layout, false));
    if layout != "dot" {
        // Force layouts: no node on another, a little air, and edges routed around nodes
        // where that is affordable (it tripled `dot -Tpng` on the 82-node seed graph).
        let overlap = if layout == "sfdp" { "prism" } else { "false" };
        let _ = write!(buf, ", overlap=\"{overlap}\", sep=\"+6\"");
        if nodes.len() <= ROUTED_UP_TO {
            buf.push_str(", splines=\"true\"");
        }
    }
    buf.push_str("];\n");
    buf.push_str("  node [style=\"filled\", fontname=\"Helvetica\", fontsize=10, shape=\"box\", fillcolor=\"#eeeeee\"];\n");
    buf.push_str(
        "  edge [fontname=\"Helvetica\", fontsize=8, color=\"#555555\", fontcolor=\"#333333\"];\n",
    );

    let node_line = |buf: &mut String, n: &Node, indent: &str| {
        let mut attrs = NodeKind::of(&n.labels)
            .map(|k| k.attrs(&opts.style))
            .unwrap_or_default();
        if opts.colour_by.is_some() {
            // The fill tells the value (several: stripes or wedges); the border the kind.
            let colours = colours_of(&n.properties);
            let fills: Vec<&str> = colours.iter().map(|c| c.0).collect();
            match fills.len() {
                0 => {
                    attrs.insert("fillcolor".into(), "#ffffff".into());
                }
                1 => {
                    attrs.insert("fillcolor".into(), fills[0].into());
                }
                _ => {
                    // GraphViz stripes boxes and wedges ellipses; other shapes show the first.
                    let style = match attrs.get("shape").map(String::as_str) {
                        Some("box" | "rect" | "rectangle" | "square") => Some("filled,striped"),
                        Some("ellipse" | "circle" | "oval") => Some("wedged"),
                        _ => None,
                    };
                    match style {
                        Some(style) => {
                            attrs.insert("fillcolor".into(), fills.join(":"));
                            attrs.insert("style".into(), style.into());
                        }
                        None => {
                            attrs.insert("fillcolor".into(), fills[0].into());
                        }
                    }
                }
            }
        }
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
        let mut attrs = Attrs::new();
        let colours = colours_of(&r.properties);
        if !colours.is_empty() {
            // Parallel strokes, one per value (a fact two documents state shows both).
            let strokes: Vec<&str> = colours.iter().map(|c| c.1).collect();
            attrs.insert("color".into(), strokes.join(":"));
            attrs.insert("fontcolor".into(), colours[0].1.into());
            attrs.insert("penwidth".into(), "1.5".into());
        }
        if let Some(rule) = opts.style.types.get(&r.rel_type) {
            attrs.extend(rule.clone());
        }
        attrs.insert("label".into(), edge_caption(r));
        attrs.insert("tooltip".into(), edge_tooltip(r));
        let _ = write!(buf, "  \"n{}\" -> \"n{}\" [", r.start, r.end);
        write_attrs(&mut buf, &attrs, false);
        buf.push_str("];\n");
    }

    if !opts.no_legend {
        let kinds: Vec<(String, Attrs)> = kinds
            .iter()
            .map(|k| {
                let mut attrs = k.attrs(&opts.style);
                if opts.colour_by.is_some() {
                    // Colour means the value then: the kinds show their shapes only.
                    attrs.insert("fillcolor".into(), "#ffffff".into());
                }
                let shape = attrs.get("shape").cloned().unwrap_or_default();
                (format!("{} ({shape})", k.caption()), attrs)
            })
            .collect();
        let values: Vec<(String, Attrs)> = by_value
            .iter()
            .map(|(v, (fill, border))| {
                let mut attrs = Attrs::new();
                attrs.insert("fillcolor".into(), (*fill).into());
                attrs.insert("color".into(), (*border).into());
                (v.clone(), attrs)
            })
            .collect();
        let mut sections = vec![("Labels".to_string(), kinds)];
        if let Some(key) = &opts.colour_by {
            sections.push((format!("Colour: {key}"), values));
        }
        write_legend(&mut buf, &sections);
    }
    buf.push_str("}\n");
    out.write_all(buf.as_bytes())
        .map_err(|e| Error::Io(format!("cannot write DOT output: {e}")))?;
    Ok((nodes.len() as u64, rels.len() as u64))
}

/// The legend: one node holding a table of swatches per section (it stays one compact block
/// under every layout engine, where a cluster of nodes would be scattered by `neato`).
fn write_legend(buf: &mut String, sections: &[(String, Vec<(String, Attrs)>)]) {
    if sections.iter().all(|(_, entries)| entries.is_empty()) {
        return;
    }
    buf.push_str("  subgraph \"cluster_legend\" {\n    label=\"\";\n    style=\"rounded\";\n    color=\"#bbbbbb\";\n");
    buf.push_str("    \"legend\" [shape=\"plain\", style=\"\", label=<<table border=\"0\" cellborder=\"0\" cellspacing=\"3\" cellpadding=\"2\">");
    for (title, entries) in sections {
        if entries.is_empty() {
            continue;
        }
        let _ = write!(
            buf,
            "<tr><td colspan=\"2\" align=\"left\"><b>{}</b></td></tr>",
            html(title)
        );
        for (text, attrs) in entries {
            let fill = attrs.get("fillcolor").map_or("#eeeeee", String::as_str);
            let border = attrs.get("color").map_or("#555555", String::as_str);
            let _ = write!(
                buf,
                "<tr><td bgcolor=\"{}\" color=\"{}\" border=\"1\" width=\"18\" height=\"12\"></td>\
                 <td align=\"left\">{}</td></tr>",
                html(fill),
                html(border),
                html(text)
            );
        }
    }
    buf.push_str("</table>>];\n  }\n");
}

/// Text for a GraphViz HTML-like label: markup characters escaped, control characters dropped.
fn html(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
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
