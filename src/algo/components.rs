//! Connected components on a [`Projection`]: weakly connected (union-find over the
//! relationships) and strongly connected (petgraph's iterative Kosaraju on the CSR).
//!
//! A component is identified by the smallest node id in it, so ids are stable across runs and
//! independent of traversal order.

use petgraph::unionfind::UnionFind;
use petgraph::visit::{EdgeRef, IntoEdgeReferences};

use crate::model::NodeId;

use super::projection::Projection;

/// Component id (smallest member node id) by dense index, ignoring direction.
pub fn weakly_connected(proj: &Projection) -> Vec<NodeId> {
    let n = proj.node_count();
    let mut uf = UnionFind::<u32>::new(n);
    for e in proj.edge_references() {
        uf.union(e.source(), e.target());
    }
    label_by_min(proj, (0..n as u32).map(|v| uf.find(v) as usize))
}

/// Component id (smallest member node id) by dense index, following direction.
pub fn strongly_connected(proj: &Projection) -> Vec<NodeId> {
    // Kosaraju, not Tarjan: petgraph 0.6's tarjan_scc recurses per node and would overflow the
    // stack on long chains; kosaraju_scc is iterative.
    let sccs = petgraph::algo::kosaraju_scc(proj);
    let mut rep = vec![0usize; proj.node_count()];
    for (i, scc) in sccs.iter().enumerate() {
        for &v in scc {
            rep[v as usize] = i;
        }
    }
    label_by_min(proj, rep.into_iter())
}

/// Turns arbitrary representatives into "smallest node id in the component". Dense indices
/// ascend with node ids, so the first index seen for a representative is the smallest.
fn label_by_min(proj: &Projection, reps: impl Iterator<Item = usize>) -> Vec<NodeId> {
    let reps: Vec<usize> = reps.collect();
    let mut first = vec![u32::MAX; reps.len()];
    let mut out = Vec::with_capacity(reps.len());
    for (v, &r) in reps.iter().enumerate() {
        if first[r] == u32::MAX {
            first[r] = v as u32;
        }
        out.push(proj.node_id(first[r]));
    }
    out
}
