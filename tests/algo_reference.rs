//! The algorithms against NetworkX on generated graphs (fixtures and the script that made
//! them are in tests/algo/): PageRank within 1e-6, betweenness, weakly and strongly connected
//! components, and shortestPath / allShortestPaths lengths and path counts, directed and
//! undirected, plus weighted Dijkstra costs.

#[path = "algo/mem_graph.rs"]
mod mem_graph;

use std::collections::{BTreeMap, BTreeSet};

use kgstore::algo::centrality::{self, PageRankConfig};
use kgstore::algo::{components, paths, Projection, ProjectionSpec};
use kgstore::model::{Direction, NodeId};
use kgstore::value::Value;
use mem_graph::MemGraph;
use serde_json::Value as Json;

const FIXTURES: [&str; 3] = ["nx_small.json", "nx_medium.json", "nx_sparse.json"];

fn load(name: &str) -> (Json, MemGraph) {
    let path = format!("{}/tests/algo/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    let fx: Json = serde_json::from_str(&text).unwrap();
    let mut g = MemGraph::new();
    let n = fx["n"].as_u64().unwrap();
    for i in 0..n {
        assert_eq!(g.node(&["Company"], &[("i", Value::Int(i as i64))]), i);
    }
    for e in fx["edges"].as_array().unwrap() {
        let (a, b) = (e[0].as_u64().unwrap(), e[1].as_u64().unwrap());
        g.rel(
            e[2].as_str().unwrap(),
            a,
            b,
            &[("w", Value::Int(e[3].as_i64().unwrap()))],
        );
    }
    (fx, g)
}

fn floats(v: &Json) -> Vec<f64> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_f64().unwrap())
        .collect()
}

/// Partition as a set of sorted member lists, from a per-node component id.
fn partition(ids: &[NodeId]) -> BTreeSet<Vec<u64>> {
    let mut groups: BTreeMap<NodeId, Vec<u64>> = BTreeMap::new();
    for (v, &c) in ids.iter().enumerate() {
        groups.entry(c).or_default().push(v as u64);
    }
    for (c, members) in &groups {
        assert_eq!(*c, members[0], "component id is the smallest member id");
    }
    groups.into_values().collect()
}

fn json_partition(v: &Json) -> BTreeSet<Vec<u64>> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|c| {
            c.as_array()
                .unwrap()
                .iter()
                .map(|x| x.as_u64().unwrap())
                .collect()
        })
        .collect()
}

#[test]
fn pagerank_matches_networkx() {
    for name in FIXTURES {
        let (fx, g) = load(name);
        let proj = Projection::build(&g, &ProjectionSpec::default()).unwrap();
        let ours = centrality::page_rank(&proj, &PageRankConfig::default()).unwrap();
        let theirs = floats(&fx["pagerank"]);
        assert_eq!(ours.len(), theirs.len());
        for (v, (a, b)) in ours.iter().zip(&theirs).enumerate() {
            assert!(
                (a - b).abs() < 1e-6,
                "{name}: node {v}: ours {a}, networkx {b}"
            );
        }
        let sum: f64 = ours.iter().sum();
        assert!((sum - 1.0).abs() < 1e-9, "{name}: scores sum to {sum}");
    }
}

#[test]
fn betweenness_matches_networkx() {
    for name in FIXTURES {
        let (fx, g) = load(name);
        let proj = Projection::build(&g, &ProjectionSpec::default()).unwrap();
        let ours = centrality::betweenness(&proj).expect("betweenness");
        for (v, (a, b)) in ours.iter().zip(floats(&fx["betweenness"])).enumerate() {
            assert!(
                (a - b).abs() < 1e-6 * b.abs().max(1.0),
                "{name}: node {v}: ours {a}, networkx {b}"
            );
        }
    }
}

#[test]
fn components_match_networkx() {
    for name in FIXTURES {
        let (fx, g) = load(name);
        let proj = Projection::build(&g, &ProjectionSpec::default()).unwrap();
        assert_eq!(
            partition(&components::weakly_connected(&proj)),
            json_partition(&fx["wcc"]),
            "{name} wcc"
        );
        assert_eq!(
            partition(&components::strongly_connected(&proj)),
            json_partition(&fx["scc"]),
            "{name} scc"
        );
    }
}

#[test]
fn shortest_paths_match_networkx() {
    for name in FIXTURES {
        let (fx, g) = load(name);
        let proj = Projection::build(&g, &ProjectionSpec::default()).unwrap();
        for pair in fx["pairs"].as_array().unwrap() {
            let (s, t) = (
                pair["source"].as_u64().unwrap(),
                pair["target"].as_u64().unwrap(),
            );
            for (dir, key) in [
                (Direction::Outgoing, "directed"),
                (Direction::Both, "undirected"),
            ] {
                let want_len = pair[format!("{key}_length")].as_u64();
                let want_count = pair[format!("{key}_count")].as_u64().unwrap() as usize;
                let one = paths::shortest_paths(&g, s, t, dir, &[], 0, None, false).unwrap();
                let all = paths::shortest_paths(&g, s, t, dir, &[], 0, None, true).unwrap();
                let all_proj =
                    paths::shortest_paths_projected(&proj, s, t, dir, &[], 0, None, true).unwrap();
                assert_eq!(
                    all, all_proj,
                    "{name} {s}->{t} {key}: storage vs projection"
                );
                match want_len {
                    None => {
                        assert!(
                            one.is_empty() && all.is_empty(),
                            "{name} {s}->{t} {key}: expected no path"
                        );
                    }
                    Some(len) => {
                        assert_eq!(one.len(), 1, "{name} {s}->{t} {key}");
                        assert_eq!(one[0].rels.len() as u64, len, "{name} {s}->{t} {key}");
                        assert_eq!(all.len(), want_count, "{name} {s}->{t} {key}: path count");
                        let distinct: BTreeSet<_> = all.iter().map(|p| p.rels.clone()).collect();
                        assert_eq!(distinct.len(), all.len(), "{name}: duplicate paths");
                        for p in &all {
                            assert_eq!(p.rels.len() as u64, len);
                            check_path(&g, p, s, t, dir);
                        }
                        check_path(&g, &one[0], s, t, dir);
                        // Bounded below the length: none; bounded at the length: same answer.
                        let short = paths::shortest_paths(
                            &g,
                            s,
                            t,
                            dir,
                            &[],
                            0,
                            Some(len as u32 - 1),
                            true,
                        )
                        .unwrap();
                        assert!(short.is_empty());
                        let exact =
                            paths::shortest_paths(&g, s, t, dir, &[], 0, Some(len as u32), true)
                                .unwrap();
                        assert_eq!(exact.len(), want_count);
                    }
                }
            }
            let weighted = paths::dijkstra(&proj, s, t, Direction::Outgoing, &mut |rel| {
                Ok(match g.rels[&rel].properties["w"] {
                    Value::Int(w) => w as f64,
                    _ => unreachable!(),
                })
            })
            .unwrap();
            match pair["weighted_cost"].as_f64() {
                None => assert!(weighted.is_none()),
                Some(cost) => {
                    let (p, ours) = weighted.expect("a weighted path");
                    assert_eq!(ours, cost, "{name} {s}->{t} weighted");
                    check_path(&g, &p, s, t, Direction::Outgoing);
                    let sum: i64 = p
                        .rels
                        .iter()
                        .map(|r| match g.rels[r].properties["w"] {
                            Value::Int(w) => w,
                            _ => 0,
                        })
                        .sum();
                    assert_eq!(sum as f64, cost);
                }
            }
        }
    }
}

/// The path is connected, starts and ends right, and follows `dir`.
fn check_path(g: &MemGraph, p: &kgstore::value::PathRef, s: NodeId, t: NodeId, dir: Direction) {
    assert_eq!(p.nodes.len(), p.rels.len() + 1);
    assert_eq!((p.nodes[0], *p.nodes.last().unwrap()), (s, t));
    for (k, rel) in p.rels.iter().enumerate() {
        let r = &g.rels[rel];
        let (a, b) = (p.nodes[k], p.nodes[k + 1]);
        let forward = r.start == a && r.end == b;
        let backward = r.start == b && r.end == a;
        match dir {
            Direction::Outgoing => assert!(forward, "{p:?}"),
            Direction::Incoming => assert!(backward, "{p:?}"),
            Direction::Both => assert!(forward || backward, "{p:?}"),
        }
    }
}
