//! How DOT draws each label and relationship type: a stable default palette, overridden by a
//! user style file.
//!
//! Style file format (one rule per line, `#` starts a comment):
//! ```text
//! (:Company)   shape=box fillcolor="#aec7e8" color="#1f77b4"
//! Person:      shape=ellipse fillcolor=lightyellow
//! [:OWNS]      color="#d62728" style=bold
//! ```
//! `(:Label)` or `Label:` styles nodes whose first label is `Label`; `[:TYPE]` styles
//! relationships of that type. Attributes are GraphViz attributes, `name=value` with the value
//! bare or double-quoted (`\"` and `\\` inside quotes).

use std::collections::BTreeMap;
use std::path::Path;

use crate::error::{Error, Result};

/// GraphViz attributes by name, written in name order.
pub type Attrs = BTreeMap<String, String>;

/// (fill colour, border colour): soft fills with a darker border of the same hue.
const PALETTE: [(&str, &str); 12] = [
    ("#aec7e8", "#1f77b4"),
    ("#ffbb78", "#ff7f0e"),
    ("#98df8a", "#2ca02c"),
    ("#ff9896", "#d62728"),
    ("#c5b0d5", "#9467bd"),
    ("#c49c94", "#8c564b"),
    ("#f7b6d2", "#e377c2"),
    ("#dbdb8d", "#bcbd22"),
    ("#9edae5", "#17becf"),
    ("#d9d9d9", "#7f7f7f"),
    ("#fdd0a2", "#e6550d"),
    ("#bcbddc", "#756bb1"),
];
const SHAPES: [&str; 6] = ["box", "ellipse", "hexagon", "octagon", "house", "diamond"];

/// FNV-1a: a hash that never changes between builds or runs, so a label keeps its colour.
fn stable_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// Default styles for `labels` (sorted, distinct): each label's preferred palette slot comes
/// from its name's hash; a label whose slot is taken moves to the next free one, so up to 12
/// labels get distinct colours and a label keeps its colour in every export it appears in
/// unless it collides.
pub fn default_node_styles(labels: &[String]) -> BTreeMap<String, Attrs> {
    let mut taken = [false; PALETTE.len()];
    let mut out = BTreeMap::new();
    for label in labels {
        let h = stable_hash(label);
        let mut slot = (h % PALETTE.len() as u64) as usize;
        if taken.iter().any(|t| !t) {
            while taken[slot] {
                slot = (slot + 1) % PALETTE.len();
            }
        }
        taken[slot] = true;
        let (fill, border) = PALETTE[slot];
        let shape = SHAPES[((h >> 8) % SHAPES.len() as u64) as usize];
        let mut a = Attrs::new();
        a.insert("shape".into(), shape.into());
        a.insert("fillcolor".into(), fill.into());
        a.insert("color".into(), border.into());
        out.insert(label.clone(), a);
    }
    out
}

/// A parsed style file: attributes per node label and per relationship type.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct StyleSheet {
    pub labels: BTreeMap<String, Attrs>,
    pub types: BTreeMap<String, Attrs>,
}

impl StyleSheet {
    pub fn load(path: &Path) -> Result<StyleSheet> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Io(format!("cannot read style file {}: {e}", path.display())))?;
        StyleSheet::parse(&text)
            .map_err(|e| Error::Io(format!("style file {}: {e}", path.display())))
    }

    /// Parses the text format described in the module docs; errors name the line.
    pub fn parse(text: &str) -> std::result::Result<StyleSheet, String> {
        let mut sheet = StyleSheet::default();
        for (i, raw) in text.lines().enumerate() {
            let line = raw.trim();
            if line.is_empty() || line.starts_with('#') || line.starts_with("//") {
                continue;
            }
            let err = |m: &str| format!("line {}: {m}", i + 1);
            let (is_type, name, rest) = if let Some(r) = line.strip_prefix("(:") {
                let end = r
                    .find(')')
                    .ok_or_else(|| err("missing `)` after `(:Label`"))?;
                (false, &r[..end], &r[end + 1..])
            } else if let Some(r) = line.strip_prefix("[:") {
                let end = r
                    .find(']')
                    .ok_or_else(|| err("missing `]` after `[:TYPE`"))?;
                (true, &r[..end], &r[end + 1..])
            } else {
                let end = line
                    .find(':')
                    .ok_or_else(|| err("expected `(:Label)`, `Label:` or `[:TYPE]`"))?;
                (false, &line[..end], &line[end + 1..])
            };
            let name = name.trim().trim_matches('`');
            if name.is_empty() {
                return Err(err("empty label or type name"));
            }
            let attrs = parse_attrs(rest).map_err(|m| err(&m))?;
            let map = if is_type {
                &mut sheet.types
            } else {
                &mut sheet.labels
            };
            map.entry(name.to_string()).or_default().extend(attrs);
        }
        Ok(sheet)
    }
}

fn parse_attrs(s: &str) -> std::result::Result<Attrs, String> {
    let mut attrs = Attrs::new();
    let mut chars = s.chars().peekable();
    loop {
        while chars.peek().is_some_and(|c| c.is_whitespace() || *c == ',') {
            chars.next();
        }
        if chars.peek().is_none() {
            return Ok(attrs);
        }
        let mut name = String::new();
        while let Some(&c) = chars.peek() {
            if c.is_ascii_alphanumeric() || c == '_' {
                name.push(c);
                chars.next();
            } else {
                break;
            }
        }
        if name.is_empty() || chars.next() != Some('=') {
            return Err("expected `attribute=value`".into());
        }
        let mut value = String::new();
        if chars.peek() == Some(&'"') {
            chars.next();
            loop {
                match chars.next() {
                    None => return Err(format!("unterminated quoted value for `{name}`")),
                    Some('"') => break,
                    Some('\\') => match chars.next() {
                        Some(c) => value.push(c),
                        None => return Err(format!("unterminated quoted value for `{name}`")),
                    },
                    Some(c) => value.push(c),
                }
            }
        } else {
            while let Some(&c) = chars.peek() {
                if c.is_whitespace() || c == ',' {
                    break;
                }
                value.push(c);
                chars.next();
            }
        }
        attrs.insert(name, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn style_file_forms() {
        let s = StyleSheet::parse(
            "# c\n(:Company) shape=box fillcolor=\"#aec7e8\"\nPerson: shape=ellipse\n[:OWNS] color=red, style=\"bold\"\n",
        )
        .unwrap();
        assert_eq!(s.labels["Company"]["fillcolor"], "#aec7e8");
        assert_eq!(s.labels["Person"]["shape"], "ellipse");
        assert_eq!(s.types["OWNS"]["style"], "bold");
        assert!(StyleSheet::parse("(:X shape=box")
            .unwrap_err()
            .contains("line 1"));
        assert!(StyleSheet::parse("ok: a=b\nnonsense")
            .unwrap_err()
            .contains("line 2"));
        assert!(StyleSheet::parse("X: a=\"open").is_err());
    }

    #[test]
    fn palette_is_stable_and_distinct() {
        let labels: Vec<String> = ["Company", "Investor", "Person", "Exchange"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        let a = default_node_styles(&labels);
        let b = default_node_styles(&labels);
        assert_eq!(a, b);
        let fills: std::collections::BTreeSet<_> = a.values().map(|x| &x["fillcolor"]).collect();
        assert_eq!(fills.len(), 4);
    }
}
