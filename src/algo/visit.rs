//! petgraph's visitor traits for [`Projection`], so petgraph's generic algorithms (SCC, DFS,
//! Dijkstra, union-find over edges) walk our CSR directly without copying it into a
//! `petgraph::Graph`.
//!
//! Node ids are the projection's dense indices (`u32`); edge ids are positions in the outgoing
//! CSR arrays; an edge's weight is its [`RelId`].

use petgraph::visit::{
    Data, EdgeRef, GraphBase, GraphProp, IntoEdgeReferences, IntoEdges, IntoNeighbors,
    IntoNeighborsDirected, IntoNodeIdentifiers, NodeCompactIndexable, NodeCount, NodeIndexable,
    VisitMap, Visitable,
};
use petgraph::{Directed, Direction as PgDirection};

use super::projection::Projection;
use crate::model::RelId;

/// A plain bitset visit map (petgraph's `FixedBitSet` impl needs a dependency we do not take).
#[derive(Clone, Debug)]
pub struct VisitBits(Vec<u64>);

impl VisitBits {
    pub fn new(n: usize) -> VisitBits {
        VisitBits(vec![0; n.div_ceil(64)])
    }
}

impl VisitMap<u32> for VisitBits {
    fn visit(&mut self, a: u32) -> bool {
        let (w, b) = ((a / 64) as usize, a % 64);
        let first = self.0[w] & (1 << b) == 0;
        self.0[w] |= 1 << b;
        first
    }
    fn is_visited(&self, a: &u32) -> bool {
        let (w, b) = ((a / 64) as usize, a % 64);
        self.0[w] & (1 << b) != 0
    }
}

/// One outgoing CSR entry seen as a petgraph edge.
#[derive(Clone, Copy, Debug)]
pub struct CsrEdge<'a> {
    source: u32,
    target: u32,
    position: u32,
    rel: &'a RelId,
}

impl<'a> EdgeRef for CsrEdge<'a> {
    type NodeId = u32;
    type EdgeId = u32;
    type Weight = RelId;
    fn source(&self) -> u32 {
        self.source
    }
    fn target(&self) -> u32 {
        self.target
    }
    fn weight(&self) -> &RelId {
        self.rel
    }
    fn id(&self) -> u32 {
        self.position
    }
}

impl GraphBase for Projection {
    type NodeId = u32;
    type EdgeId = u32;
}

impl Data for Projection {
    type NodeWeight = ();
    type EdgeWeight = RelId;
}

impl GraphProp for Projection {
    type EdgeType = Directed;
}

impl NodeCount for Projection {
    fn node_count(&self) -> usize {
        self.nodes.len()
    }
}

impl NodeIndexable for Projection {
    fn node_bound(&self) -> usize {
        self.nodes.len()
    }
    fn to_index(&self, a: u32) -> usize {
        a as usize
    }
    fn from_index(&self, i: usize) -> u32 {
        i as u32
    }
}

impl NodeCompactIndexable for Projection {}

impl Visitable for Projection {
    type Map = VisitBits;
    fn visit_map(&self) -> VisitBits {
        VisitBits::new(self.nodes.len())
    }
    fn reset_map(&self, map: &mut VisitBits) {
        map.0.clear();
        map.0.resize(self.nodes.len().div_ceil(64), 0);
    }
}

impl IntoNodeIdentifiers for &Projection {
    type NodeIdentifiers = std::ops::Range<u32>;
    fn node_identifiers(self) -> Self::NodeIdentifiers {
        0..self.nodes.len() as u32
    }
}

impl<'a> IntoNeighbors for &'a Projection {
    type Neighbors = std::iter::Copied<std::slice::Iter<'a, u32>>;
    fn neighbors(self, a: u32) -> Self::Neighbors {
        self.out.others[self.out.range(a)].iter().copied()
    }
}

impl<'a> IntoNeighborsDirected for &'a Projection {
    type NeighborsDirected = std::iter::Copied<std::slice::Iter<'a, u32>>;
    fn neighbors_directed(self, a: u32, d: PgDirection) -> Self::NeighborsDirected {
        let csr = match d {
            PgDirection::Outgoing => &self.out,
            PgDirection::Incoming => &self.inc,
        };
        csr.others[csr.range(a)].iter().copied()
    }
}

/// Outgoing edges of one node, or of all nodes in order.
pub struct CsrEdges<'a> {
    proj: &'a Projection,
    node: u32,
    /// Last node to visit (inclusive).
    last: u32,
    pos: usize,
}

impl<'a> Iterator for CsrEdges<'a> {
    type Item = CsrEdge<'a>;
    fn next(&mut self) -> Option<CsrEdge<'a>> {
        let out = &self.proj.out;
        loop {
            if self.node > self.last || self.node as usize >= self.proj.nodes.len() {
                return None;
            }
            if self.pos < out.offsets[self.node as usize + 1] as usize {
                let p = self.pos;
                self.pos += 1;
                return Some(CsrEdge {
                    source: self.node,
                    target: out.others[p],
                    position: p as u32,
                    rel: &out.rels[p],
                });
            }
            self.node += 1;
        }
    }
}

impl<'a> IntoEdgeReferences for &'a Projection {
    type EdgeRef = CsrEdge<'a>;
    type EdgeReferences = CsrEdges<'a>;
    fn edge_references(self) -> CsrEdges<'a> {
        CsrEdges {
            proj: self,
            node: 0,
            last: (self.nodes.len() as u32).saturating_sub(1),
            pos: 0,
        }
    }
}

impl<'a> IntoEdges for &'a Projection {
    type Edges = CsrEdges<'a>;
    fn edges(self, a: u32) -> CsrEdges<'a> {
        CsrEdges {
            proj: self,
            node: a,
            last: a,
            pos: self.out.offsets[a as usize] as usize,
        }
    }
}
