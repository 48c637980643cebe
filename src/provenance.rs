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

/// Why one result row is the answer.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RowWhy {
    /// Every node and relationship the row rests on: nodes, then relationships, by id.
    pub facts: Vec<Fact>,
    /// The documents those facts cite, by name.
    pub sources: Vec<SourceDoc>,
    /// Positions in `facts` of the facts that cite no document.
    pub unsourced: Vec<usize>,
    /// More facts supported the row than `WhyOptions::max_facts`; the rest are left out.
    pub truncated: bool,
}

/// A node or relationship an answer rests on.
#[derive(Clone, Debug, PartialEq)]
pub struct Fact {
    pub id: u64,
    pub kind: FactKind,
    /// A readable name: `(:Person Liang Wenfeng)`, `(Liang Wenfeng)-[:CONTROLS]->(DeepSeek)`.
    pub text: String,
    /// The documents it cites (`source`), in the order stored.
    pub source: Vec<String>,
    /// When its documents observed it (`as_of`), where recorded.
    pub as_of: Option<Value>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum FactKind {
    Node {
        labels: Vec<String>,
    },
    Relationship {
        rel_type: String,
        start: u64,
        end: u64,
    },
}

/// A document cited by the facts of a row.
#[derive(Clone, Debug, PartialEq)]
pub struct SourceDoc {
    /// The cited string (the `Source` node's `name`).
    pub name: String,
    pub title: Option<String>,
    pub publisher: Option<String>,
    /// The document's date, from its `Source` node.
    pub date: Option<Value>,
    /// The distinct `as_of` dates of the row's facts that cite it, in order.
    pub as_of: Vec<Value>,
    /// Positions in `RowWhy::facts` of the facts that cite it.
    pub facts: Vec<usize>,
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
            as_of.sort_by(crate::expr::compare::order);
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

impl RowWhy {
    /// The stable shape programs read (`--format json`'s `why`, jsonl's and the protocols'
    /// `why` field): `{facts: [{id, kind, labels | type, start, end, text, source, as_of}],
    /// sources: [{name, title, publisher, date, as_of, facts}], unsourced, truncated}`, where
    /// `facts`, `unsourced` and a source's `facts` hold positions in `facts`.
    pub fn to_value(&self) -> Value {
        let facts = self.facts.iter().map(Fact::to_value).collect();
        let sources = self.sources.iter().map(SourceDoc::to_value).collect();
        map([
            ("facts", Value::List(facts)),
            ("sources", Value::List(sources)),
            ("unsourced", positions(&self.unsourced)),
            ("truncated", Value::Bool(self.truncated)),
        ])
    }
}

impl Fact {
    fn to_value(&self) -> Value {
        let mut m = vec![("id", Value::Int(self.id as i64))];
        match &self.kind {
            FactKind::Node { labels } => {
                m.push(("kind", Value::from("node")));
                m.push(("labels", strings(labels)));
            }
            FactKind::Relationship {
                rel_type,
                start,
                end,
            } => {
                m.push(("kind", Value::from("relationship")));
                m.push(("type", Value::from(rel_type.as_str())));
                m.push(("start", Value::Int(*start as i64)));
                m.push(("end", Value::Int(*end as i64)));
            }
        }
        m.push(("text", Value::from(self.text.as_str())));
        m.push(("source", strings(&self.source)));
        m.push(("as_of", self.as_of.clone().unwrap_or(Value::Null)));
        map(m)
    }
}

impl SourceDoc {
    fn to_value(&self) -> Value {
        let text = |s: &Option<String>| s.as_deref().map_or(Value::Null, Value::from);
        map([
            ("name", Value::from(self.name.as_str())),
            ("title", text(&self.title)),
            ("publisher", text(&self.publisher)),
            ("date", self.date.clone().unwrap_or(Value::Null)),
            ("as_of", Value::List(self.as_of.clone())),
            ("facts", positions(&self.facts)),
        ])
    }
}

fn map<'k>(entries: impl IntoIterator<Item = (&'k str, Value)>) -> Value {
    Value::Map(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_string(), v))
            .collect(),
    )
}

fn strings(items: &[String]) -> Value {
    Value::List(items.iter().map(|s| Value::from(s.as_str())).collect())
}

fn positions(items: &[usize]) -> Value {
    Value::List(items.iter().map(|&i| Value::Int(i as i64)).collect())
}
