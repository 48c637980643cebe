//! A label scan that tests one property inside the store: each node block read once, only the
//! wanted property decoded (the executor's pre-filter for `WHERE n.key <op> constant`), and
//! for each kept node the properties the statement will read of it (`exec/carry.rs`), a piece
//! of the label at a time.
//!
//! Why: a label scan followed by a filter reads the property node by node: a block-cache
//! lookup, a catalog lookup of the key and an expression evaluation per node, ≈ 650 ns at L
//! (2M nodes) where a walk over the block's entries costs a few tens. The label bitmaps say
//! which nodes to visit; eight bitmap bytes cover one node block (64 nodes), so a block none of
//! whose nodes has the label is not read at all, and a sparse label costs what its nodes do.

use crate::error::Result;
use crate::model::NodeId;
use crate::value::Value;

use super::keys::{self, KIND_KEY, KIND_LABEL};
use super::records::{block_entries, NodeRecord};
use super::txn::Txn;
use super::WherePiece;

/// Nodes per node block, and the bitmap bytes that cover one.
const BLOCK_NODES: u64 = 1 << keys::NODE_SHIFT;
const BLOCK_BYTES: usize = (BLOCK_NODES / 8) as usize;
/// Kept nodes after which a piece ends (at the end of a node block), so that a scan holds a
/// bounded part of a large label with its carried values, and one under a LIMIT stops early.
pub(crate) const PIECE_ROWS: usize = 1024;

impl Txn {
    /// The nodes with `label`, ascending, for which `keep` holds of their value of `key`
    /// (`Value::Null` when absent), as this transaction sees them.
    pub(crate) fn nodes_with_label_where(
        &self,
        label: &str,
        key: &str,
        keep: &mut dyn FnMut(&Value) -> Result<bool>,
    ) -> Result<Vec<NodeId>> {
        let mut piece = WherePiece::default();
        let mut out = Vec::new();
        let mut from = Some(0);
        while let Some(start) = from {
            from = self.label_where_piece(label, key, &[], start..NodeId::MAX, keep, &mut piece)?;
            out.append(&mut piece.ids);
        }
        Ok(out)
    }

    /// One piece of that scan: the kept nodes of `span` from its start on, ending at the end
    /// of the node block where `PIECE_ROWS` is reached or at the span's end (a parallel
    /// worker's morsel, `exec/parallel.rs`), into `piece` (cleared first) with the values of
    /// `carry` of each kept node (`Value::Null` when absent), `carry.len()` per node. Returns
    /// the first node of the next piece, `None` at the label's end.
    pub(crate) fn label_where_piece(
        &self,
        label: &str,
        key: &str,
        carry: &[String],
        span: std::ops::Range<NodeId>,
        keep: &mut dyn FnMut(&Value) -> Result<bool>,
        piece: &mut WherePiece,
    ) -> Result<Option<NodeId>> {
        let (from, until) = (span.start, span.end);
        piece.ids.clear();
        piece.values.clear();
        let Some(l) = self.cat_id(KIND_LABEL, label) else {
            return Ok(None);
        };
        // A key no node has: every node's value is null (`read_keys` leaves it so).
        let key_ids = [self.cat_id(KIND_KEY, key)];
        let carry_ids: Vec<Option<u32>> = carry.iter().map(|k| self.cat_id(KIND_KEY, k)).collect();
        // The tested key is decoded again among the carried ones only for kept nodes.
        let mut value = [Value::Null];
        let prefix = keys::label_prefix(l);
        let start = keys::label_bitmap(l, from);
        for item in self.kv_range(&prefix, Some(&start), None) {
            let (k, bits) = item?;
            let Some((_, base)) = keys::parse_label_bitmap(&k) else {
                return Err(self.corrupt("malformed label key"));
            };
            for (i, word) in bits.chunks(BLOCK_BYTES).enumerate() {
                let first = base + i as u64 * BLOCK_NODES;
                if first >= until {
                    return Ok(None);
                }
                let mask = word_mask(word);
                if mask == 0 || first + BLOCK_NODES <= from {
                    continue;
                }
                let Some(block) = self.kv_get(&keys::node_block(first))? else {
                    continue;
                };
                // Entries ascend by slot; visit the ones whose bit is set.
                for (slot, rec) in block_entries(&block) {
                    let node = first + u64::from(slot);
                    if mask & (1u64 << slot) == 0 || node < from {
                        continue;
                    }
                    if node >= until {
                        return Ok(None);
                    }
                    let corrupt = || self.corrupt(&format!("node {node} record"));
                    NodeRecord::read_keys(rec, None, &key_ids, &mut value).ok_or_else(corrupt)?;
                    if keep(&value[0])? {
                        piece.ids.push(node);
                        let at = piece.values.len();
                        piece.values.resize(at + carry.len(), Value::Null);
                        NodeRecord::read_keys(rec, None, &carry_ids, &mut piece.values[at..])
                            .ok_or_else(corrupt)?;
                    }
                }
                if piece.ids.len() >= PIECE_ROWS {
                    let next = first + BLOCK_NODES;
                    return Ok((next < until).then_some(next));
                }
            }
        }
        Ok(None)
    }
}

/// The bits of one node block's eight bitmap bytes as one word (bit i: slot i), the bitmap's
/// byte order (byte j holds nodes 8j..8j+7, low bit first).
fn word_mask(word: &[u8]) -> u64 {
    word.iter()
        .enumerate()
        .fold(0u64, |m, (j, &b)| m | (u64::from(b) << (8 * j)))
}

#[cfg(test)]
mod tests {
    use super::{word_mask, PIECE_ROWS};
    use crate::error::Result;
    use crate::model::{NodeId, Properties};
    use crate::store::{GraphRead, GraphWrite, OpenOptions, Store, Txn, WherePiece};
    use crate::value::Value;

    #[test]
    fn a_word_puts_byte_j_bit_b_at_slot_8j_plus_b() {
        assert_eq!(word_mask(&[1, 0, 0, 0, 0, 0, 0, 0]), 1);
        assert_eq!(word_mask(&[0, 0x80]), 1 << 15);
        assert_eq!(word_mask(&[0, 0, 0, 0, 0, 0, 0, 0x80]), 1 << 63);
        assert_eq!(word_mask(&[]), 0);
    }

    /// The tests a scan is checked with: (key, what `keep` says of a value).
    type Test = (&'static str, fn(&Value) -> bool);

    fn tests() -> Vec<Test> {
        vec![
            ("k", |_| true),
            ("k", |v| *v == Value::String("s1".into())),
            ("k", |v| matches!(v, Value::Int(i) if *i < 10)),
            // Absent keys are null, for nodes with the key elsewhere and for keys no node has.
            ("k", Value::is_null),
            ("name", |v| matches!(v, Value::String(s) if s.contains('7'))),
            ("nope", Value::is_null),
        ]
    }

    /// The scan and the node-at-a-time reads agree for every label and test.
    fn assert_agrees(t: &Txn, what: &str) {
        for label in ["A", "B", "Nope"] {
            for (key, test) in tests() {
                let scan = t
                    .nodes_with_label_where(label, key, &mut |v| Ok(test(v)))
                    .unwrap();
                let mut want: Vec<NodeId> = Vec::new();
                for id in t.nodes_with_label(label).unwrap() {
                    let id = id.unwrap();
                    let v = t.node_property(id, key).unwrap().unwrap_or(Value::Null);
                    if test(&v) {
                        want.push(id);
                    }
                }
                assert_eq!(scan, want, "{what}: {label} {key}");
                // The same a piece at a time, with every node's values of the carried keys.
                let carry: Vec<String> = ["name", "k", "nope"].map(String::from).into();
                let (mut ids, mut from, mut piece) = (Vec::new(), Some(0), WherePiece::default());
                while let Some(start) = from {
                    from = t
                        .label_where_piece(
                            label,
                            key,
                            &carry,
                            start..NodeId::MAX,
                            &mut |v| Ok(test(v)),
                            &mut piece,
                        )
                        .unwrap();
                    assert!(from.is_none() || piece.ids.len() >= PIECE_ROWS, "{what}");
                    assert!(piece.ids.iter().all(|&id| id >= start), "{what}");
                    assert_eq!(piece.values.len(), carry.len() * piece.ids.len());
                    for (id, values) in piece.ids.iter().zip(piece.values.chunks(carry.len())) {
                        for (k, v) in carry.iter().zip(values) {
                            let stored = t.node_property(*id, k).unwrap().unwrap_or(Value::Null);
                            assert_eq!(*v, stored, "{what}: {label} {key} node {id} {k}");
                        }
                    }
                    ids.append(&mut piece.ids);
                }
                assert_eq!(ids, want, "{what}: pieces of {label} {key}");
                // Split into spans (a parallel scan's morsels) at bounds inside and between
                // node blocks: each span gives exactly its part, and they add up to the whole.
                for cuts in [
                    &[0, 1, 63, 64, 65, 700, 2049][..],
                    &[0, 5000],
                    &[0, 1000, 1001],
                ] {
                    let mut ids = Vec::new();
                    for (i, &lo) in cuts.iter().enumerate() {
                        let hi = cuts.get(i + 1).copied().unwrap_or(NodeId::MAX);
                        let mut from = Some(lo);
                        while let Some(start) = from {
                            from = t
                                .label_where_piece(
                                    label,
                                    key,
                                    &carry,
                                    start..hi,
                                    &mut |v| Ok(test(v)),
                                    &mut piece,
                                )
                                .unwrap();
                            assert!(from.is_none_or(|f| f < hi), "{what}");
                            assert!(piece.ids.iter().all(|id| (lo..hi).contains(id)), "{what}");
                            ids.append(&mut piece.ids);
                        }
                    }
                    assert_eq!(ids, want, "{what}: spans {cuts:?} of {label} {key}");
                }
            }
        }
    }

    fn grow(t: &mut Txn, n: i64) -> Vec<NodeId> {
        (0..n)
            .map(|i| {
                let labels: Vec<String> = match i % 5 {
                    0 | 3 => vec!["A".into()],
                    1 => vec!["B".into()],
                    2 => vec!["A".into(), "B".into()],
                    _ => vec![],
                };
                let mut props = Properties::new();
                match i % 4 {
                    0 => {}
                    1 => {
                        props.insert("k".into(), Value::String(format!("s{}", i % 3)));
                    }
                    _ => {
                        props.insert("k".into(), Value::Int(i % 23));
                    }
                }
                props.insert("name".into(), Value::String(format!("node {i}")));
                t.create_node(&labels, props).unwrap()
            })
            .collect()
    }

    /// Writes the scan must see: changed values, removed keys, labels added and removed,
    /// deleted nodes, new nodes in new blocks.
    fn change(t: &mut Txn, ids: &[NodeId]) {
        for (i, &id) in ids.iter().enumerate() {
            match i % 7 {
                0 => {
                    t.set_node_property(id, "k", Value::Int(3)).unwrap();
                }
                1 => {
                    t.set_node_property(id, "k", Value::Null).unwrap();
                }
                2 => {
                    t.add_label(id, "B").unwrap();
                }
                3 => {
                    t.remove_label(id, "A").unwrap();
                }
                4 => assert!(t.delete_node(id).unwrap()),
                _ => {}
            }
        }
        grow(t, 300);
    }

    /// From sled and from the read image, committed and with a transaction's own writes over
    /// either.
    #[test]
    fn the_scan_matches_the_node_reads() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let opts = OpenOptions {
            create_if_missing: true,
            ..OpenOptions::default()
        };
        let ids = {
            let store = Store::open(&path, &opts).unwrap();
            let mut t = store.begin();
            let ids = grow(&mut t, 4000);
            assert_agrees(&t, "uncommitted");
            t.commit().unwrap();
            let t = store.begin();
            assert!(t.image().is_none());
            assert_agrees(&t, "sled");
            let mut t = store.begin();
            change(&mut t, &ids[..1700]);
            assert_agrees(&t, "writes over sled");
            t.commit().unwrap();
            assert_agrees(&store.begin(), "sled after a write");
            ids
        };
        Store::compact(&path).unwrap();
        let store = Store::open(&path, &opts).unwrap();
        let mut t = store.begin();
        assert!(t.image().is_some());
        assert_agrees(&t, "image");
        change(&mut t, &ids[1700..]);
        assert!(t.image().is_some());
        assert_agrees(&t, "writes over the image");
        t.commit().unwrap();
        assert_agrees(&store.begin(), "image and delta after a write");
    }

    /// An error from `keep` ends the scan with that error.
    #[test]
    fn an_error_from_the_test_ends_the_scan() {
        let store = Store::open_temporary().unwrap();
        let mut t = store.begin();
        grow(&mut t, 200);
        let mut calls = 0;
        let r: Result<Vec<NodeId>> = t.nodes_with_label_where("A", "k", &mut |_| {
            calls += 1;
            match calls {
                5 => Err(crate::error::Error::Timeout(1)),
                _ => Ok(true),
            }
        });
        assert!(matches!(r, Err(crate::error::Error::Timeout(1))), "{r:?}");
        assert_eq!(calls, 5);
    }
}
