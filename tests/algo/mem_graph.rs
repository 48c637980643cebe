//! A minimal in-memory `GraphRead` for the algorithm tests: independent of the sled store, so
//! these tests exercise only the algorithms.

use std::collections::BTreeMap;

use kgstore::error::Result;
use kgstore::model::{Direction, Node, NodeId, Properties, RelId, Relationship};
use kgstore::store::{Edge, GraphRead, GraphStats, IndexDef};
use kgstore::value::Value;

#[derive(Default)]
pub struct MemGraph {
    pub nodes: BTreeMap<NodeId, Node>,
    pub rels: BTreeMap<RelId, Relationship>,
    next: u64,
}

#[allow(dead_code)]
impl MemGraph {
    pub fn new() -> MemGraph {
        MemGraph::default()
    }

    /// Makes later ids start at `next` (to exercise code paths for large, sparse ids).
    pub fn skip_ids(&mut self, next: u64) {
        self.next = self.next.max(next);
    }

    pub fn node(&mut self, labels: &[&str], props: &[(&str, Value)]) -> NodeId {
        let id = self.next;
        self.next += 1;
        self.nodes.insert(
            id,
            Node {
                id,
                labels: labels.iter().map(|s| s.to_string()).collect(),
                properties: props
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect(),
            },
        );
        id
    }

    pub fn named(&mut self, label: &str, name: &str) -> NodeId {
        self.node(&[label], &[("name", Value::from(name))])
    }

    pub fn rel(&mut self, t: &str, start: NodeId, end: NodeId, props: &[(&str, Value)]) -> RelId {
        let id = self.next;
        self.next += 1;
        self.rels.insert(
            id,
            Relationship {
                id,
                rel_type: t.to_string(),
                start,
                end,
                properties: props
                    .iter()
                    .map(|(k, v)| (k.to_string(), v.clone()))
                    .collect::<Properties>(),
            },
        );
        id
    }
}

impl GraphRead for MemGraph {
    fn node(&self, id: NodeId) -> Result<Option<Node>> {
        Ok(self.nodes.get(&id).cloned())
    }
    fn relationship(&self, id: RelId) -> Result<Option<Relationship>> {
        Ok(self.rels.get(&id).cloned())
    }
    fn node_ids(&self) -> Result<Box<dyn Iterator<Item = Result<NodeId>> + '_>> {
        Ok(Box::new(self.nodes.keys().map(|&k| Ok(k))))
    }
    fn nodes_with_label(
        &self,
        label: &str,
    ) -> Result<Box<dyn Iterator<Item = Result<NodeId>> + '_>> {
        let label = label.to_string();
        Ok(Box::new(
            self.nodes
                .values()
                .filter(move |n| n.labels.contains(&label))
                .map(|n| Ok(n.id)),
        ))
    }
    fn relationship_ids(&self) -> Result<Box<dyn Iterator<Item = Result<RelId>> + '_>> {
        Ok(Box::new(self.rels.keys().map(|&k| Ok(k))))
    }
    fn edges(&self, node: NodeId, direction: Direction, types: &[&str]) -> Result<Vec<Edge>> {
        let mut out: Vec<(String, Edge)> = Vec::new();
        for r in self.rels.values() {
            if !types.is_empty() && !types.contains(&r.rel_type.as_str()) {
                continue;
            }
            let as_out =
                r.start == node && matches!(direction, Direction::Outgoing | Direction::Both);
            let as_in = r.end == node && matches!(direction, Direction::Incoming | Direction::Both);
            if as_out {
                out.push((
                    r.rel_type.clone(),
                    Edge {
                        rel: r.id,
                        other: r.end,
                        outgoing: true,
                    },
                ));
            }
            if as_in && !(as_out && r.start == r.end) {
                out.push((
                    r.rel_type.clone(),
                    Edge {
                        rel: r.id,
                        other: r.start,
                        outgoing: false,
                    },
                ));
            }
        }
        out.sort_by(|a, b| a.0.cmp(&b.0).then(a.1.rel.cmp(&b.1.rel)));
        Ok(out.into_iter().map(|(_, e)| e).collect())
    }
    fn index_lookup(&self, _: &str, _: &str, _: &Value) -> Result<Option<Vec<NodeId>>> {
        Ok(None)
    }
    fn indexes(&self) -> Result<Vec<IndexDef>> {
        Ok(Vec::new())
    }
    fn labels(&self) -> Result<Vec<String>> {
        let mut v: Vec<String> = self.nodes.values().flat_map(|n| n.labels.clone()).collect();
        v.sort();
        v.dedup();
        Ok(v)
    }
    fn relationship_types(&self) -> Result<Vec<String>> {
        let mut v: Vec<String> = self.rels.values().map(|r| r.rel_type.clone()).collect();
        v.sort();
        v.dedup();
        Ok(v)
    }
    fn property_keys(&self) -> Result<Vec<String>> {
        Ok(Vec::new())
    }
    fn node_count(&self) -> Result<u64> {
        Ok(self.nodes.len() as u64)
    }
    fn relationship_count(&self) -> Result<u64> {
        Ok(self.rels.len() as u64)
    }
    fn stats(&self) -> Result<GraphStats> {
        Ok(GraphStats::default())
    }
}
