//! Graph values: nodes, relationships, paths, their identifiers and property maps — what the
//! store persists and what a query returns for a graph entity.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::Value;

/// Identifier of a node; assigned by the store, never reused within one database.
pub type NodeId = u64;
/// Identifier of a relationship; assigned by the store, never reused within one database.
pub type RelId = u64;

/// A node's or relationship's properties, ordered by key so output is deterministic.
pub type Properties = BTreeMap<String, Value>;

/// A node: zero or more labels and a property map.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Node {
    pub id: NodeId,
    /// Labels in the order they were first added.
    pub labels: Vec<String>,
    pub properties: Properties,
}

/// A directed, typed relationship from `start` to `end`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Relationship {
    pub id: RelId,
    pub rel_type: String,
    pub start: NodeId,
    pub end: NodeId,
    pub properties: Properties,
}

/// An alternating sequence of nodes and relationships: `nodes.len() == relationships.len() + 1`.
/// A relationship may be traversed against its direction; compare `start`/`end` with the
/// neighbouring nodes to tell.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Path {
    pub nodes: Vec<Node>,
    pub relationships: Vec<Relationship>,
}

/// Direction of a relationship pattern or an adjacency scan, seen from the node it starts at.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Direction {
    /// `(a)-[]->(b)`: relationships whose start is the node.
    Outgoing,
    /// `(a)<-[]-(b)`: relationships whose end is the node.
    Incoming,
    /// `(a)-[]-(b)`: either.
    Both,
}

impl Direction {
    pub fn reverse(self) -> Direction {
        match self {
            Direction::Outgoing => Direction::Incoming,
            Direction::Incoming => Direction::Outgoing,
            Direction::Both => Direction::Both,
        }
    }
}
