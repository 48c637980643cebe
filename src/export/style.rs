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

/// (fill colour, border colour): soft fills with a darker border of the same hue, in an order
/// where neighbours differ (Tableau 20 and a few more), so hashed labels rarely look alike.
const PALETTE: [(&str, &str); 20] = [
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
    ("#c7e9c0", "#31a354"),
    ("#fcbba1", "#cb181d"),
    ("#c6dbef", "#3182bd"),
    ("#fee391", "#cc9a06"),
    ("#e7cb94", "#8c6d31"),
    ("#de9ed6", "#7b4173"),
    ("#cedb9c", "#637939"),
    ("#a1d99b", "#006d2c"),
];

/// Labels common in knowledge graphs, the seed graph's among them, each with its own palette
/// slot (no two alike), so pictures of such graphs always tell them apart. Any other label
/// gets a slot from its name's hash.
const KNOWN_LABELS: [(&str, usize); 20] = [
    ("Person", 0),
    ("Organization", 9),
    ("Company", 14),
    ("Lab", 1),
    ("ChipMaker", 2),
    ("Investor", 3),
    ("Exchange", 4),
    ("Regulator", 5),
    ("Publisher", 6),
    ("FundingRound", 7),
    ("Source", 8),
    ("Model", 10),
    ("Policy", 11),
    ("Market", 12),
    ("Event", 13),
    ("Metric", 15),
    ("Discrepancy", 16),
    ("Purpose", 17),
    ("Group", 18),
    ("Forecast", 19),
];

/// Shapes of the common kinds of node (a node's first label, or a broad label it carries).
const KIND_SHAPES: [(&str, &str); 9] = [
    ("Person", "ellipse"),
    ("Organization", "box"),
    ("Company", "box"),
    ("Source", "note"),
    ("Document", "note"),
    ("Event", "octagon"),
    ("FundingRound", "octagon"),
    ("Policy", "component"),
    ("Model", "hexagon"),
];
const SHAPES: [&str; 5] = ["box", "ellipse", "hexagon", "octagon", "house"];

/// Broad labels that say what kind of thing a node is; a node's other label is the one
/// its colour shows (`:Organization:Lab` is drawn as an organisation in the colour of Lab).
const BROAD_LABELS: [&str; 5] = ["Organization", "Person", "Entity", "Thing", "Agent"];

/// FNV-1a: a hash that never changes between builds or runs, so a label keeps its colour.
fn stable_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in s.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}

/// The palette slot of `label`: a function of the name alone, so the same label has the same
/// colour in every export and every run, whatever else the picture holds.
fn palette_slot(label: &str) -> usize {
    KNOWN_LABELS
        .iter()
        .find(|(known, _)| *known == label)
        .map_or_else(
            || (stable_hash(label) % PALETTE.len() as u64) as usize,
            |(_, slot)| *slot,
        )
}

/// (fill, border) colour of `label`.
pub fn label_colour(label: &str) -> (&'static str, &'static str) {
    PALETTE[palette_slot(label)]
}

/// The shape of nodes whose kind is `kind`.
pub fn kind_shape(kind: &str) -> &'static str {
    KIND_SHAPES.iter().find(|(k, _)| *k == kind).map_or_else(
        || SHAPES[((stable_hash(kind) >> 8) % SHAPES.len() as u64) as usize],
        |(_, shape)| *shape,
    )
}

/// What a node is drawn as: its kind (shape) and the label its colour shows.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct NodeKind {
    pub kind: String,
    pub colour_label: String,
}

impl NodeKind {
    /// The kind is the node's broad label (`Organization`, `Person`, …) if it has one, else
    /// its first label; the colour shows its first other label, else the kind. None for a
    /// node without labels.
    pub fn of(labels: &[String]) -> Option<NodeKind> {
        let kind = labels
            .iter()
            .find(|l| BROAD_LABELS.contains(&l.as_str()))
            .or(labels.first())?;
        let colour_label = labels.iter().find(|l| *l != kind).unwrap_or(kind);
        Some(NodeKind {
            kind: kind.clone(),
            colour_label: colour_label.clone(),
        })
    }

    /// `:Organization:Lab`, or `:Person` when kind and colour are one label.
    pub fn caption(&self) -> String {
        if self.kind == self.colour_label {
            format!(":{}", self.kind)
        } else {
            format!(":{}:{}", self.kind, self.colour_label)
        }
    }

    /// The default attributes (shape, fill and border colour), then the style file's rules
    /// for the kind and for the colour label, the more specific last.
    pub fn attrs(&self, sheet: &StyleSheet) -> Attrs {
        let (fill, border) = label_colour(&self.colour_label);
        let mut a = Attrs::new();
        a.insert("shape".into(), kind_shape(&self.kind).into());
        a.insert("fillcolor".into(), fill.into());
        a.insert("color".into(), border.into());
        for label in [&self.kind, &self.colour_label] {
            if let Some(rule) = sheet.labels.get(label) {
                a.extend(rule.clone());
            }
        }
        a
    }
}

/// Distinct (fill, border) colours for the values of a property (`--color-by source`), in
/// the order of `values` (sorted, distinct): each value's preferred slot comes from its hash,
/// the next free slot on a collision, so up to 20 values are told apart.
pub fn value_colours(values: &[String]) -> BTreeMap<String, (&'static str, &'static str)> {
    let mut taken = [false; PALETTE.len()];
    let mut out = BTreeMap::new();
    for v in values {
        let mut slot = (stable_hash(v) % PALETTE.len() as u64) as usize;
        if taken.iter().any(|t| !t) {
            while taken[slot] {
                slot = (slot + 1) % PALETTE.len();
            }
        }
        taken[slot] = true;
        out.insert(v.clone(), PALETTE[slot]);
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
    fn a_label_has_one_colour_whatever_else_is_drawn() {
        // The colour is a function of the name: the same in any company, in any order.
        assert_eq!(label_colour("Person"), label_colour("Person"));
        assert_eq!(label_colour("Widget"), label_colour("Widget"));
        let known: std::collections::BTreeSet<usize> =
            KNOWN_LABELS.iter().map(|(_, slot)| *slot).collect();
        assert_eq!(
            known.len(),
            KNOWN_LABELS.len(),
            "known labels share a colour"
        );
        let fills: std::collections::BTreeSet<&str> = PALETTE.iter().map(|p| p.0).collect();
        assert_eq!(fills.len(), PALETTE.len());
    }

    #[test]
    fn kind_and_colour_label() {
        let labels = |ls: &[&str]| ls.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        let lab = NodeKind::of(&labels(&["Organization", "Lab"])).unwrap();
        assert_eq!(
            (lab.kind.as_str(), lab.colour_label.as_str()),
            ("Organization", "Lab")
        );
        assert_eq!(lab.caption(), ":Organization:Lab");
        let same = NodeKind::of(&labels(&["Lab", "Organization"])).unwrap();
        assert_eq!(same, lab);
        let person = NodeKind::of(&labels(&["Person"])).unwrap();
        assert_eq!(person.caption(), ":Person");
        assert!(NodeKind::of(&[]).is_none());
        let sheet = StyleSheet::parse("Organization: shape=box3d\nLab: fillcolor=gold").unwrap();
        let a = lab.attrs(&sheet);
        assert_eq!(
            (a["shape"].as_str(), a["fillcolor"].as_str()),
            ("box3d", "gold")
        );
        assert_eq!(a["color"], label_colour("Lab").1);
    }

    #[test]
    fn value_colours_are_distinct() {
        let values: Vec<String> = (0..20).map(|i| format!("{i:03}.txt")).collect();
        let c = value_colours(&values);
        let fills: std::collections::BTreeSet<_> = c.values().map(|x| x.0).collect();
        assert_eq!(fills.len(), 20);
    }
}
