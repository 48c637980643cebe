//! Why a row is the answer, as a statement hands it out: the facts a row rests on and the
//! documents they cite, and the stable value shape programs read. `crate::provenance` resolves
//! them from the graph; renderers and protocol encoders read them.

use crate::value::Value;

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
