//! The batch reads (`edges_each`, `relationship_properties`, `node_properties`) against the
//! one-at-a-time reads, in any order of ids, from sled, the read image and uncommitted
//! writes over either, with spilled adjacency sections.

use crate::model::{Direction, NodeId, Properties, RelId};
use crate::store::image::REGION_BYTES;
use crate::store::{Edge, GraphRead, GraphWrite, OpenOptions, Store, Txn};
use crate::value::Value;

struct Rng(u64);

impl Rng {
    fn below(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (self.0 >> 33) % n
    }
}

fn props(rng: &mut Rng, i: u64) -> Properties {
    let mut p = Properties::new();
    match rng.below(4) {
        0 => {}
        1 => {
            p.insert("k".into(), Value::String(format!("s{}", i % 7)));
        }
        _ => {
            p.insert("k".into(), Value::Int(i as i64));
        }
    }
    if rng.below(2) == 0 {
        p.insert("other".into(), Value::Float(i as f64 / 3.0));
    }
    p
}

/// `n` nodes (a run of them deleted, leaving a block without nodes), random relationships
/// of three types with self-loops, and two hubs whose sections spill into chunks.
fn grow(t: &mut Txn, rng: &mut Rng, n: u64) -> Vec<NodeId> {
    let mut ids: Vec<NodeId> = (0..n)
        .map(|i| t.create_node(&["A".to_string()], props(rng, i)).unwrap())
        .collect();
    for id in ids.drain(100..170) {
        assert!(t.delete_node(id).unwrap());
    }
    for i in 0..ids.len() as u64 * 3 {
        let s = ids[rng.below(ids.len() as u64) as usize];
        let e = ids[rng.below(ids.len() as u64) as usize];
        let ty = ["X", "Y", "Z"][rng.below(3) as usize];
        t.create_relationship(ty, s, e, props(rng, i)).unwrap();
    }
    // Far past the 2 KiB a section holds before it spills.
    for hub in [ids[3], ids[ids.len() - 2]] {
        for i in 0..600 {
            let other = ids[rng.below(ids.len() as u64) as usize];
            let (s, e) = if i % 3 == 0 {
                (other, hub)
            } else {
                (hub, other)
            };
            t.create_relationship(["X", "Y"][i % 2], s, e, props(rng, i as u64))
                .unwrap();
        }
    }
    ids
}

/// Node id orders to ask in: ascending (a scan's), descending, shuffled with repeats, and
/// ids that never existed or were deleted.
fn orders(t: &Txn, rng: &mut Rng) -> Vec<Vec<NodeId>> {
    let all: Vec<NodeId> = t.node_ids().unwrap().map(|r| r.unwrap()).collect();
    let mut down = all.clone();
    down.reverse();
    let max = all.iter().max().copied().unwrap_or(0);
    let mixed: Vec<NodeId> = (0..all.len())
        .map(|_| rng.below(max + 200))
        .chain([120, 120, 5, 4, 3])
        .collect();
    vec![all, down, mixed]
}

/// `node_ids_in` of spans (a parallel worker's morsel of an all-nodes scan) against the
/// whole `node_ids` list: block edges, empty and open-ended spans, the deleted run, and spans
/// of uneven lengths that together cover every id (the last open-ended, as the last morsel's
/// is); `node_id_bound` above every id.
fn assert_spans_agree(t: &Txn, what: &str) {
    let all: Vec<NodeId> = t.node_ids().unwrap().map(|r| r.unwrap()).collect();
    let bound = t.node_id_bound().unwrap();
    assert!(all.iter().all(|&id| id < bound), "{what}: bound {bound}");
    let max = NodeId::MAX;
    let mut spans = vec![
        0..0,
        0..1,
        0..64,
        63..65,
        64..128,
        100..170,
        90..200,
        #[allow(clippy::reversed_empty_ranges)]
        (7..3),
        5..max,
        bound..max,
        0..max,
        max - 1..max,
    ];
    let mut cover = Vec::new();
    let mut from = 0;
    for i in 0..bound {
        let to = from + 1 + (i * 29) % 150;
        cover.push(from..to);
        from = to;
        if from > bound / 2 {
            break;
        }
    }
    cover.push(from..max);
    let mut joined = Vec::new();
    for span in cover.iter() {
        joined.extend(t.node_ids_in(span.clone()).unwrap());
    }
    assert_eq!(joined, all, "{what}: spans covering every id");
    spans.extend(cover);
    for span in spans {
        let got = t.node_ids_in(span.clone()).unwrap();
        let want: Vec<NodeId> = all.iter().copied().filter(|id| span.contains(id)).collect();
        assert_eq!(got, want, "{what}: {span:?}");
    }
}

fn assert_batches_agree(t: &Txn, what: &str) {
    assert_spans_agree(t, what);
    let mut rng = Rng(11);
    for nodes in orders(t, &mut rng) {
        for direction in [Direction::Outgoing, Direction::Incoming, Direction::Both] {
            for types in [vec![], vec!["X"], vec!["Y", "Z"], vec!["Nope"]] {
                let mut seen: Vec<(usize, Vec<Edge>)> = Vec::new();
                t.edges_each(&nodes, direction, &types, &mut |i, edges| {
                    seen.push((i, edges.to_vec()));
                    Ok(())
                })
                .unwrap();
                let expected: Vec<(usize, Vec<Edge>)> = nodes
                    .iter()
                    .enumerate()
                    .map(|(i, &n)| (i, t.edges(n, direction, &types).unwrap()))
                    .filter(|(_, e)| !e.is_empty())
                    .collect();
                assert_eq!(seen, expected, "{what}: {direction:?} {types:?}");
            }
        }
        for key in ["k", "other", "nope"] {
            let mut got = Vec::new();
            t.node_properties(&nodes, key, &mut got).unwrap();
            let one: Vec<Option<Value>> = nodes
                .iter()
                .map(|&n| t.node_property(n, key).unwrap())
                .collect();
            assert_eq!(got, one, "{what}: node {key}");
        }
    }
    // Relationship ids in a node's edge order (the fused aggregation's), ascending,
    // descending and with absent ones.
    let mut rels: Vec<RelId> = Vec::new();
    for n in t.node_ids().unwrap() {
        rels.extend(
            t.edges(n.unwrap(), Direction::Both, &[])
                .unwrap()
                .iter()
                .map(|e| e.rel),
        );
    }
    let mut sorted = rels.clone();
    sorted.sort_unstable();
    let mut down = sorted.clone();
    down.reverse();
    let max = sorted.last().copied().unwrap_or(0);
    let mixed: Vec<RelId> = (0..500).map(|_| rng.below(max + 300)).collect();
    for list in [rels, sorted, down, mixed] {
        for key in ["k", "other", "nope"] {
            let mut got = Vec::new();
            t.relationship_properties(&list, key, &mut got).unwrap();
            let one: Vec<Option<Value>> = list
                .iter()
                .map(|&r| t.relationship_property(r, key).unwrap())
                .collect();
            assert_eq!(got, one, "{what}: relationship {key}");
        }
    }
}

/// Writes a transaction's batch reads must see: new nodes and relationships, deleted ones,
/// changed properties, another hub.
fn change(t: &mut Txn, old: &[NodeId]) {
    let mut rng = Rng(5);
    let new = grow(t, &mut rng, 250);
    for rel in (0..300).step_by(7) {
        t.delete_relationship(rel).unwrap();
    }
    for &id in old.iter().step_by(9) {
        t.set_node_property(id, "k", Value::Int(-(id as i64)))
            .unwrap();
    }
    // Detached and deleted: their slots leave blocks that still hold their neighbours.
    for &id in old.iter().skip(4).step_by(50) {
        for e in t.edges(id, Direction::Both, &[]).unwrap() {
            t.delete_relationship(e.rel).unwrap();
        }
        assert!(t.delete_node(id).unwrap());
    }
    for i in 0..40 {
        t.create_relationship("Z", old[2 * i + 1], new[i], Properties::new())
            .unwrap();
    }
}

#[test]
fn batch_reads_match_the_one_at_a_time_reads() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let opts = OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    };
    let old = {
        let store = Store::open(&path, &opts).unwrap();
        let mut t = store.begin();
        let old = grow(&mut t, &mut Rng(7), 700);
        assert_batches_agree(&t, "uncommitted");
        t.commit().unwrap();
        let t = store.begin();
        assert!(t.image().is_none());
        assert_batches_agree(&t, "sled");
        let mut t = store.begin();
        change(&mut t, &old);
        assert_batches_agree(&t, "writes over sled");
        old
    };
    Store::compact(&path).unwrap();
    let store = Store::open(&path, &opts).unwrap();
    let mut t = store.begin();
    assert!(t.image().is_some());
    assert_batches_agree(&t, "image");
    // Again with probation and the main cache one region each: every region read is then
    // dropped and read again, through both tiers (`region_slots.rs`).
    if let Some(image) = t.image() {
        image.set_limits(REGION_BYTES, 2 * REGION_BYTES);
    }
    assert_batches_agree(&t, "image, regions dropped and read again");
    change(&mut t, &old);
    assert_batches_agree(&t, "writes over the image");
    t.commit().unwrap();
    let t = store.begin();
    assert_batches_agree(&t, "after a commit");
}

/// An error from the visitor ends the walk with that error, after the same calls.
#[test]
fn an_error_from_the_visitor_stops_the_walk() {
    let store = Store::open_temporary().unwrap();
    let mut t = store.begin();
    grow(&mut t, &mut Rng(3), 300);
    let nodes: Vec<NodeId> = t.node_ids().unwrap().map(|r| r.unwrap()).collect();
    let mut calls = 0;
    let r = t.edges_each(&nodes, Direction::Both, &[], &mut |_, _| {
        calls += 1;
        match calls {
            10 => Err(crate::error::Error::Timeout(1)),
            _ => Ok(()),
        }
    });
    assert!(r.is_err());
    assert_eq!(calls, 10);
}
