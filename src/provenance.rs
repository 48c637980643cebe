//! Why a row is the answer: the facts (nodes and relationships) a result row rests on, and the
//! source documents those facts cite, resolved from the ids a provenance plan carries.
//!
//! A fact cites its documents in the property `source` (a string or a list of strings) and
//! says when they observed it in `as_of`; a document is described by the `:Source` node whose
//! `name` is the cited string (`title`, `publisher`, `date`), where there is one. The seed
//! graph follows these conventions (docs/schema.md); other graphs get the facts and, where
//! they cite nothing, an empty source list.

use std::collections::{BTreeMap, HashMap};

use crate::error::Result;
use crate::exec::lineage::{FactIds, DEFAULT_WHY_LIMIT};
use crate::model::{Node, Properties};
pub use crate::result::{Fact, FactKind, RowWhy, SourceDoc};
use crate::store::GraphRead;
use crate::value::Value;

/// The property a fact cites its documents in.
pub const SOURCE_KEY: &str = "source";
/// The property that dates a fact's observation.
pub const AS_OF_KEY: &str = "as_of";
/// The label of the nodes that describe documents (keyed by `name`).
pub const SOURCE_LABEL: &str = "Source";

/// How to run a statement with provenance.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct WhyOptions {
    /// The most facts kept per row; a row past it reports `truncated`.
    pub max_facts: usize,
}

impl Default for WhyOptions {
    fn default() -> Self {
        WhyOptions {
            max_facts: DEFAULT_WHY_LIMIT,
        }
    }
}

/// Resolves the facts of many rows against one graph, describing each document once.
pub struct Resolver<'g> {
    g: &'g dyn GraphRead,
    /// Document name → its `Source` node (looked up on first use).
    documents: Option<HashMap<String, Node>>,
    /// Node names for relationship texts.
    names: HashMap<u64, String>,
}

impl<'g> Resolver<'g> {
    pub fn new(g: &'g dyn GraphRead) -> Self {
        Resolver {
            g,
            documents: None,
            names: HashMap::new(),
        }
    }

    /// The provenance of one row from the fact ids it carried.
    pub fn row(&mut self, ids: &FactIds) -> Result<RowWhy> {
        let mut why = RowWhy {
            truncated: ids.truncated,
            ..RowWhy::default()
        };
        for &id in &ids.nodes {
            // A fact deleted by the statement itself has nothing left to cite.
            if let Some(n) = self.g.node(id)? {
                let text = node_text(&n);
                why.facts.push(fact(
                    id,
                    FactKind::Node { labels: n.labels },
                    text,
                    &n.properties,
                ));
            }
        }
        for &id in &ids.relationships {
            if let Some(r) = self.g.relationship(id)? {
                let text = format!(
                    "({})-[:{}]->({})",
                    self.name(r.start)?,
                    r.rel_type,
                    self.name(r.end)?
                );
                let kind = FactKind::Relationship {
                    rel_type: r.rel_type,
                    start: r.start,
                    end: r.end,
                };
                why.facts.push(fact(id, kind, text, &r.properties));
            }
        }
        let mut by_doc: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, f) in why.facts.iter().enumerate() {
            if f.source.is_empty() {
                why.unsourced.push(i);
            }
            for s in &f.source {
                let at = by_doc.entry(s).or_default();
                if at.last() != Some(&i) {
                    at.push(i);
                }
            }
        }
        let mut sources = Vec::with_capacity(by_doc.len());
        for (name, facts) in by_doc {
            let mut as_of: Vec<Value> = facts
                .iter()
                .filter_map(|&i| why.facts[i].as_of.clone())
                .collect();
            as_of.sort_by(crate::value::order);
            as_of.dedup();
            let doc = self.document(name)?;
            let text = |k: &str| match doc.and_then(|n| n.properties.get(k)) {
                Some(Value::String(s)) => Some(s.clone()),
                _ => None,
            };
            sources.push(SourceDoc {
                name: name.to_string(),
                title: text("title"),
                publisher: text("publisher"),
                date: doc
                    .and_then(|n| n.properties.get("date"))
                    .filter(|v| !v.is_null())
                    .cloned(),
                as_of,
                facts,
            });
        }
        why.sources = sources;
        Ok(why)
    }

    /// The `Source` node named `name`.
    fn document(&mut self, name: &str) -> Result<Option<&Node>> {
        if self.documents.is_none() {
            let mut map = HashMap::new();
            for id in self.g.nodes_with_label(SOURCE_LABEL)? {
                if let Some(n) = self.g.node(id?)? {
                    if let Some(Value::String(s)) = n.properties.get("name") {
                        map.insert(s.clone(), n);
                    }
                }
            }
            self.documents = Some(map);
        }
        Ok(self.documents.as_ref().and_then(|m| m.get(name)))
    }

    /// A node's `name` (or `#id`), for relationship texts.
    fn name(&mut self, id: u64) -> Result<String> {
        if let Some(n) = self.names.get(&id) {
            return Ok(n.clone());
        }
        let name = match self.g.node_property(id, "name")? {
            Some(Value::String(s)) => s,
            _ => format!("#{id}"),
        };
        self.names.insert(id, name.clone());
        Ok(name)
    }
}

/// `(:Label:Other name)`, or the id when the node has no `name`.
fn node_text(n: &Node) -> String {
    let labels: String = n.labels.iter().map(|l| format!(":{l}")).collect();
    let name = match n.properties.get("name") {
        Some(Value::String(s)) => s.clone(),
        _ => format!("#{}", n.id),
    };
    if labels.is_empty() {
        format!("({name})")
    } else {
        format!("({labels} {name})")
    }
}

fn fact(id: u64, kind: FactKind, text: String, props: &Properties) -> Fact {
    let source = match props.get(SOURCE_KEY) {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::List(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                _ => None,
            })
            .collect(),
        _ => Vec::new(),
    };
    Fact {
        id,
        kind,
        text,
        source,
        as_of: props.get(AS_OF_KEY).filter(|v| !v.is_null()).cloned(),
    }
}
