//! What an export reads: the whole graph, or the subgraph of the entities a query returned.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::model::{Node, NodeId, RelId, Relationship};
use crate::result::QueryResult;
use crate::store::GraphRead;
use crate::value::Value;

/// The nodes and relationships a query returned, plus the end nodes of every returned
/// relationship, keyed by id so each appears once and output order is deterministic.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Subgraph {
    pub nodes: BTreeMap<NodeId, Node>,
    pub relationships: BTreeMap<RelId, Relationship>,
}

impl Subgraph {
    /// Collects every node, relationship and path in `result` (also inside lists and maps).
    /// End nodes missing from the result are read from `graph`; runtime references are
    /// resolved through it too.
    pub fn from_result(result: &QueryResult, graph: &dyn GraphRead) -> Result<Subgraph> {
        let mut sub = Subgraph::default();
        for row in &result.rows {
            for v in row {
                sub.collect(v, graph)?;
            }
        }
        sub.close_ends(graph)?;
        Ok(sub)
    }

    fn collect(&mut self, v: &Value, graph: &dyn GraphRead) -> Result<()> {
        match v {
            Value::Node(n) => {
                self.nodes.entry(n.id).or_insert_with(|| (**n).clone());
            }
            Value::Relationship(r) => {
                self.relationships
                    .entry(r.id)
                    .or_insert_with(|| (**r).clone());
            }
            Value::Path(p) => {
                for n in &p.nodes {
                    self.nodes.entry(n.id).or_insert_with(|| n.clone());
                }
                for r in &p.relationships {
                    self.relationships.entry(r.id).or_insert_with(|| r.clone());
                }
            }
            Value::NodeRef(id) => self.fetch_node(*id, graph)?,
            Value::RelRef(id) if !self.relationships.contains_key(id) => {
                if let Some(r) = graph.relationship(*id)? {
                    self.relationships.insert(*id, r);
                }
            }
            Value::PathRef(p) => {
                for id in &p.nodes {
                    self.fetch_node(*id, graph)?;
                }
                for id in &p.rels {
                    self.collect(&Value::RelRef(*id), graph)?;
                }
            }
            Value::List(items) => {
                for item in items {
                    self.collect(item, graph)?;
                }
            }
            Value::Map(m) => {
                for item in m.values() {
                    self.collect(item, graph)?;
                }
            }
            _ => {}
        }
        Ok(())
    }

    fn fetch_node(&mut self, id: NodeId, graph: &dyn GraphRead) -> Result<()> {
        if let std::collections::btree_map::Entry::Vacant(e) = self.nodes.entry(id) {
            if let Some(n) = graph.node(id)? {
                e.insert(n);
            }
        }
        Ok(())
    }

    /// Adds the end nodes of every relationship; drops a relationship whose end no longer
    /// exists (deleted since the query ran) so the output never has a dangling edge.
    fn close_ends(&mut self, graph: &dyn GraphRead) -> Result<()> {
        let ends: Vec<NodeId> = self
            .relationships
            .values()
            .flat_map(|r| [r.start, r.end])
            .collect();
        for id in ends {
            self.fetch_node(id, graph)?;
        }
        let nodes = &self.nodes;
        self.relationships
            .retain(|_, r| nodes.contains_key(&r.start) && nodes.contains_key(&r.end));
        Ok(())
    }
}

/// The entities an exporter writes, visited nodes first, then relationships, by ascending id.
#[derive(Clone, Copy)]
pub enum Source<'a> {
    Graph(&'a dyn GraphRead),
    Subgraph(&'a Subgraph),
}

impl Source<'_> {
    pub fn for_each_node(&self, f: &mut dyn FnMut(&Node) -> Result<()>) -> Result<()> {
        match self {
            Source::Graph(g) => {
                for id in g.node_ids()? {
                    if let Some(n) = g.node(id?)? {
                        f(&n)?;
                    }
                }
            }
            Source::Subgraph(s) => {
                for n in s.nodes.values() {
                    f(n)?;
                }
            }
        }
        Ok(())
    }

    pub fn for_each_relationship(
        &self,
        f: &mut dyn FnMut(&Relationship) -> Result<()>,
    ) -> Result<()> {
        match self {
            Source::Graph(g) => {
                for id in g.relationship_ids()? {
                    if let Some(r) = g.relationship(id?)? {
                        f(&r)?;
                    }
                }
            }
            Source::Subgraph(s) => {
                for r in s.relationships.values() {
                    f(r)?;
                }
            }
        }
        Ok(())
    }
}
