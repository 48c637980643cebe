//! The projection: label/type restriction, both CSR directions, the per-generation cache and
//! its invalidation, and petgraph's generic algorithms walking it.

#[path = "algo/mem_graph.rs"]
mod mem_graph;

use std::sync::Arc;

use kgstore::algo::{shortest_paths_with_tick, Projection, ProjectionCache, ProjectionSpec};
use kgstore::error::Error;
use kgstore::model::Direction;
use mem_graph::MemGraph;
use petgraph::visit::{Bfs, EdgeRef, IntoEdges};

fn sample() -> MemGraph {
    let mut g = MemGraph::new();
    let a = g.named("Company", "a");
    let b = g.named("Company", "b");
    let p = g.named("Person", "p");
    g.rel("OWNS", a, b, &[]);
    g.rel("OWNS", a, a, &[]); // self-loop
    g.rel("SUPPLIES", b, a, &[]);
    g.rel("KNOWS", p, a, &[]);
    g
}

#[test]
fn restriction_and_both_directions() {
    let g = sample();
    let all = Projection::build(&g, &ProjectionSpec::default()).unwrap();
    assert_eq!((all.node_count(), all.relationship_count()), (3, 4));
    let firms = Projection::build(&g, &ProjectionSpec::new(&["Company"], &[])).unwrap();
    assert_eq!(
        (firms.node_count(), firms.relationship_count()),
        (2, 3),
        "KNOWS leaves the projection with p"
    );
    let owns = Projection::build(&g, &ProjectionSpec::new(&[], &["OWNS", "NOPE"])).unwrap();
    assert_eq!((owns.node_count(), owns.relationship_count()), (3, 2));
    let a = all.index_of(0).unwrap();
    assert_eq!((all.out_degree(a), all.in_degree(a)), (2, 3));
    // Both reports the self-loop once.
    assert_eq!(all.adjacent(a, Direction::Both).count(), 4);
    assert_eq!(all.index_of(999), None);
}

#[test]
fn petgraph_walks_the_csr() {
    let g = sample();
    let proj = Projection::build(&g, &ProjectionSpec::default()).unwrap();
    let mut bfs = Bfs::new(&proj, proj.index_of(0).unwrap());
    let mut seen = Vec::new();
    while let Some(v) = bfs.next(&proj) {
        seen.push(proj.node_id(v));
    }
    assert_eq!(seen, vec![0, 1], "p is only reachable against direction");
    let rels: Vec<u64> = proj
        .edges(proj.index_of(1).unwrap())
        .map(|e| *e.weight())
        .collect();
    assert_eq!(rels.len(), 1);
    assert_eq!(g.rels[&rels[0]].rel_type, "SUPPLIES");
}

#[test]
fn cache_hits_and_invalidation() {
    let mut g = sample();
    let cache = ProjectionCache::new();
    let spec = ProjectionSpec::default();
    let first = cache.get(&g, Some(7), &spec).unwrap();
    assert!(Arc::ptr_eq(&first, &cache.get(&g, Some(7), &spec).unwrap()));
    let other = cache
        .get(&g, Some(7), &ProjectionSpec::new(&["Company"], &[]))
        .unwrap();
    assert!(!Arc::ptr_eq(&first, &other));
    assert_eq!(cache.len(), 2);
    // A new generation drops the old entries.
    let next = cache.get(&g, Some(8), &spec).unwrap();
    assert!(!Arc::ptr_eq(&first, &next));
    assert_eq!(cache.len(), 1);
    // Uncommitted creates under the same generation are noticed through the counts.
    g.rel("OWNS", 1, 2, &[]);
    let fresh = cache.get(&g, Some(8), &spec).unwrap();
    assert_eq!(fresh.relationship_count(), 5);
    // No generation: built, never cached.
    let uncached = cache.get(&g, None, &spec).unwrap();
    assert!(!Arc::ptr_eq(
        &uncached,
        &cache.get(&g, None, &spec).unwrap()
    ));
}

#[test]
fn tick_can_cancel_a_search() {
    let mut g = MemGraph::new();
    let ids: Vec<u64> = (0..50).map(|i| g.named("N", &format!("n{i}"))).collect();
    for w in ids.windows(2) {
        g.rel("NEXT", w[0], w[1], &[]);
    }
    let mut calls = 0;
    let mut tick = || {
        calls += 1;
        if calls > 5 {
            Err(Error::Cancelled)
        } else {
            Ok(())
        }
    };
    let res = shortest_paths_with_tick(
        &g,
        ids[0],
        ids[49],
        Direction::Outgoing,
        &[],
        0,
        None,
        false,
        &mut tick,
    );
    assert!(matches!(res, Err(Error::Cancelled)));
    let found = shortest_paths_with_tick(
        &g,
        ids[0],
        ids[49],
        Direction::Outgoing,
        &[],
        0,
        None,
        false,
        &mut || Ok(()),
    )
    .unwrap();
    assert_eq!(found[0].rels.len(), 49);
}
