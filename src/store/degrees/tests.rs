//! Degree scans, sequential and on two threads, against the node-at-a-time reads.

use super::*;
use crate::model::Properties;
use crate::store::OpenOptions;
use crate::store::{GraphRead, GraphWrite, Store};

/// What a scan reported: (node, degree, key values) in call order.
type Seen = Vec<(NodeId, u64, Vec<Value>)>;

/// Every node piece its own: the parallel path on a small graph, with many pieces.
const TINY_PIECES: ScanSplit = ScanSplit {
    min_blocks: 0,
    chunk_blocks: 1,
    round_pieces: 256,
};
/// Several rounds, the last one short.
const SMALL_PIECES: ScanSplit = ScanSplit {
    min_blocks: 0,
    chunk_blocks: 3,
    round_pieces: 4,
};
const ROUNDS_OF_ONE: ScanSplit = ScanSplit {
    min_blocks: 0,
    chunk_blocks: 2,
    round_pieces: 1,
};

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

fn scan(t: &Txn, case: &Case, split: ScanSplit) -> Result<Seen> {
    let mut out = Vec::new();
    let (label, direction, types, keys) = case;
    t.scan_degrees_split(*label, *direction, types, keys, split, &mut |n, d, v| {
        out.push((n, d, v.to_vec()));
        Ok(())
    })?;
    Ok(out)
}

/// The same from the node-at-a-time reads.
fn reference(t: &Txn, (label, direction, types, keys): &Case) -> Seen {
    let ids: Vec<NodeId> = match label {
        Some(l) => t.nodes_with_label(l).unwrap().map(|r| r.unwrap()).collect(),
        None => t.node_ids().unwrap().map(|r| r.unwrap()).collect(),
    };
    let mut out = Vec::new();
    for id in ids {
        let d = t.degree(id, *direction, types).unwrap();
        if d > 0 {
            let values = keys
                .iter()
                .map(|k| t.node_property(id, k).unwrap().unwrap_or(Value::Null))
                .collect();
            out.push((id, d, values));
        }
    }
    out
}

type Case = (
    Option<&'static str>,
    Direction,
    Vec<&'static str>,
    Vec<&'static str>,
);

fn cases() -> Vec<Case> {
    let mut all = Vec::new();
    for label in [None, Some("A"), Some("B"), Some("Nope")] {
        for direction in [Direction::Outgoing, Direction::Incoming, Direction::Both] {
            for types in [vec![], vec!["X"], vec!["X", "Z"], vec!["Nope"]] {
                for keys in [vec![], vec!["id"], vec!["id", "name"], vec!["nope", "id"]] {
                    all.push((label, direction, types.clone(), keys));
                }
            }
        }
    }
    all
}

/// Sequential, parallel in pieces of one and of three blocks, and the node-at-a-time
/// reference agree on every case, call for call.
fn assert_scans_agree(t: &Txn, what: &str) {
    for case in cases() {
        let seq = scan(t, &case, ScanSplit::SEQUENTIAL).unwrap();
        assert_eq!(seq, reference(t, &case), "{what}: {case:?}");
        for split in [TINY_PIECES, SMALL_PIECES, ROUNDS_OF_ONE, ScanSplit::DEFAULT] {
            let par = scan(t, &case, split).unwrap();
            assert_eq!(par, seq, "{what}: {case:?} {split:?}");
        }
    }
}

fn node(t: &mut Txn, rng: &mut Rng, i: u64) -> NodeId {
    let labels: Vec<String> = match rng.below(4) {
        0 => vec!["A".into()],
        1 => vec!["B".into()],
        2 => vec!["A".into(), "B".into()],
        _ => vec![],
    };
    let mut props = Properties::new();
    match rng.below(10) {
        0 => {}
        1 => {
            props.insert("id".into(), Value::String(format!("k{}", i % 5)));
        }
        // Ids repeat, a few are large (multi-byte varints).
        _ => {
            let id = if i.is_multiple_of(13) {
                i << 40
            } else {
                i % 37
            };
            props.insert("id".into(), Value::Int(id as i64));
        }
    }
    if rng.below(3) > 0 {
        props.insert("name".into(), Value::String(format!("node {i}")));
    }
    t.create_node(&labels, props).unwrap()
}

/// `n` nodes (a run of them isolated and deleted, leaving a block without nodes) and
/// random relationships of three types, self-loops included.
fn grow(t: &mut Txn, rng: &mut Rng, n: u64) -> Vec<NodeId> {
    let mut ids: Vec<NodeId> = (0..n).map(|i| node(t, rng, i)).collect();
    let gone: Vec<NodeId> = ids.drain(200..270).collect();
    for id in gone {
        assert!(t.delete_node(id).unwrap());
    }
    for _ in 0..ids.len() * 3 {
        let s = ids[rng.below(ids.len() as u64) as usize];
        let e = ids[rng.below(ids.len() as u64) as usize];
        let ty = ["X", "Y", "Z"][rng.below(3) as usize];
        t.create_relationship(ty, s, e, Properties::new()).unwrap();
    }
    ids
}

/// Writes of a transaction that its own scans must see: new nodes and relationships past
/// the committed blocks, deleted relationships, changed keys and labels.
fn change(t: &mut Txn, rng: &mut Rng, old: &[NodeId]) {
    let new = grow(t, rng, 400);
    for _ in 0..300 {
        let s = old[rng.below(old.len() as u64) as usize];
        let e = new[rng.below(new.len() as u64) as usize];
        t.create_relationship("Y", e, s, Properties::new()).unwrap();
    }
    for rel in 0..200 {
        t.delete_relationship(rel * 7).unwrap();
    }
    for &id in old.iter().step_by(11) {
        t.set_node_property(id, "id", Value::Int(-(id as i64)))
            .unwrap();
        t.add_label(id, "A").unwrap();
    }
}

/// The parallel scan returns what the sequential one does, call for call, from sled,
/// from the read image and with uncommitted writes over either.
#[test]
fn parallel_scans_match_the_sequential_scan() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("g.db");
    let opts = OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    };
    let mut rng = Rng(7);
    let old = {
        let store = Store::open(&path, &opts).unwrap();
        let mut t = store.begin();
        let old = grow(&mut t, &mut rng, 1200);
        assert_scans_agree(&t, "uncommitted, sled");
        t.commit().unwrap();
        let t = store.begin();
        assert!(t.image().is_none());
        assert_scans_agree(&t, "sled");
        let mut t = store.begin();
        change(&mut t, &mut Rng(8), &old);
        assert_scans_agree(&t, "writes over sled");
        old
    };
    Store::compact(&path).unwrap();
    let store = Store::open(&path, &opts).unwrap();
    let mut t = store.begin();
    assert!(t.image().is_some());
    assert_scans_agree(&t, "image");
    change(&mut t, &mut Rng(8), &old);
    assert!(t.image().is_some());
    assert_scans_agree(&t, "writes over the image");
}

/// An error from the visitor or from a damaged block ends a parallel scan after the same
/// calls as a sequential one, with the same error.
#[test]
fn parallel_scans_stop_at_the_same_error() {
    let store = Store::open_temporary().unwrap();
    let mut t = store.begin();
    grow(&mut t, &mut Rng(3), 1200);
    let case: Case = (None, Direction::Both, vec![], vec!["id"]);
    let run = |t: &Txn, split: ScanSplit, fail_at: usize| {
        let mut seen = Vec::new();
        let (label, direction, types, keys) = &case;
        let r = t.scan_degrees_split(*label, *direction, types, keys, split, &mut |n, d, _| {
            if seen.len() == fail_at {
                return Err(crate::error::Error::Timeout(1));
            }
            seen.push((n, d));
            Ok(())
        });
        (seen, r.map_err(|e| e.to_string()))
    };
    let total = run(&t, ScanSplit::SEQUENTIAL, usize::MAX).0.len();
    for fail_at in [0, 5, total / 2, total - 1, usize::MAX] {
        let seq = run(&t, ScanSplit::SEQUENTIAL, fail_at);
        assert_eq!(seq.1.is_err(), fail_at < total);
        for split in [TINY_PIECES, SMALL_PIECES, ROUNDS_OF_ONE] {
            assert_eq!(run(&t, split, fail_at), seq, "{fail_at} {split:?}");
        }
    }
    drop(t);
    // A damaged node block early (this thread's pieces) and late (the helper's).
    for block in [2u64, 15] {
        let mut t = store.begin();
        grow(&mut t, &mut Rng(3), 1200);
        t.write_access().unwrap();
        // Every record: one label whose id is cut short.
        let mut damaged = Vec::new();
        for slot in 0..64 {
            super::super::records::block_append(&mut damaged, slot, &[1, 0xff]);
        }
        t.kv_put(keys::node_block(block << keys::NODE_SHIFT), Some(damaged));
        let seq = run(&t, ScanSplit::SEQUENTIAL, usize::MAX);
        assert!(seq.1.is_err(), "block {block}");
        for split in [TINY_PIECES, SMALL_PIECES, ROUNDS_OF_ONE] {
            assert_eq!(run(&t, split, usize::MAX), seq, "block {block} {split:?}");
        }
    }
}
