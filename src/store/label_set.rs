//! One label tested on many nodes (`GraphRead::label_set`): the label's bitmaps a statement
//! has touched are held by the tester, so each test is a map probe and a bit, where
//! `node_has_label` resolves the label's name and takes the shared cache's lock every time.

use std::collections::hash_map::Entry;
use std::sync::Arc;

use crate::error::Result;
use crate::hash::FxHashMap;
use crate::model::NodeId;

use super::keys::{self, KIND_LABEL};
use super::txn::Txn;
use super::{GraphRead, LabelSet};

/// Any store's tester: one `node_has_label` per node.
pub(crate) struct ByNode<'a, G: ?Sized> {
    pub graph: &'a G,
    pub label: String,
}

impl<G: GraphRead + ?Sized> LabelSet for ByNode<'_, G> {
    fn contains(&mut self, node: NodeId) -> Result<bool> {
        self.graph.node_has_label(node, &self.label)
    }
}

/// The bitmaps a tester fetched, kept by its caller across testers of one label on a graph
/// that does not change in between (one fused aggregation's chunks and morsels), so each
/// bitmap is fetched once per run, not once per chunk (docs/performance.md, "A1's testers
/// held across chunks").
#[derive(Default)]
pub struct HeldBits {
    /// The label the bitmaps are of (`None` until the first tester, or of an unknown label).
    label: Option<u32>,
    /// By bitmap number (`node >> LABEL_SHIFT`) up to `DENSE`: `None` not fetched yet,
    /// `Some(None)` no bitmap (no node of that range has the label).
    dense: Vec<Option<Option<Arc<[u8]>>>>,
    /// Bitmaps past `DENSE` (ids that large are sparse: a map, not a vector).
    sparse: FxHashMap<u64, Option<Arc<[u8]>>>,
}

/// Bitmaps numbered below this are held in a vector (16 bytes a slot, 1 MiB at most: 2^28
/// nodes); the probe is an index, not a hash.
const DENSE: u64 = 1 << 16;

impl HeldBits {
    /// The held bitmap `n`, fetched by `fetch` the first time.
    fn get(
        &mut self,
        n: u64,
        fetch: impl FnOnce() -> Result<Option<Arc<[u8]>>>,
    ) -> Result<&Option<Arc<[u8]>>> {
        if n < DENSE {
            let i = n as usize;
            if self.dense.len() <= i {
                self.dense.resize(i + 1, None);
            }
            let slot = &mut self.dense[i];
            if slot.is_none() {
                *slot = Some(fetch()?);
            }
            // Filled above: `get_or_insert` only unwraps it.
            Ok(slot.get_or_insert(None))
        } else {
            Ok(match self.sparse.entry(n) {
                Entry::Occupied(e) => e.into_mut(),
                Entry::Vacant(e) => e.insert(fetch()?),
            })
        }
    }
}

/// What a tester holds its bitmaps in: its own, or its caller's across testers.
enum Held<'a> {
    Own(HeldBits),
    Lent(&'a mut HeldBits),
}

/// A transaction's tester: the bitmaps as the transaction sees them (its own writes first),
/// by bitmap number. Valid while the transaction does not write, which holds for the
/// read-only pipelines that use it.
pub(crate) struct Bitmaps<'a> {
    txn: &'a Txn,
    /// `None`: no node has ever had the label.
    label: Option<u32>,
    held: Held<'a>,
}

impl<'a> Bitmaps<'a> {
    pub(crate) fn new(txn: &'a Txn, label: &str) -> Self {
        Bitmaps {
            txn,
            label: txn.cat_id(KIND_LABEL, label),
            held: Held::Own(HeldBits::default()),
        }
    }

    /// A tester whose bitmaps are `held`'s, kept there after it: emptied first when they
    /// are another label's.
    pub(crate) fn lent(txn: &'a Txn, label: &str, held: &'a mut HeldBits) -> Self {
        let label = txn.cat_id(KIND_LABEL, label);
        if held.label != label {
            *held = HeldBits {
                label,
                ..HeldBits::default()
            };
        }
        Bitmaps {
            txn,
            label,
            held: Held::Lent(held),
        }
    }
}

impl LabelSet for Bitmaps<'_> {
    fn contains(&mut self, node: NodeId) -> Result<bool> {
        let Some(label) = self.label else {
            return Ok(false);
        };
        let held = match &mut self.held {
            Held::Own(h) => h,
            Held::Lent(h) => &mut **h,
        };
        let txn = self.txn;
        let bits = held.get(node >> keys::LABEL_SHIFT, || txn.label_bits(label, node))?;
        let bit = (node & ((1 << keys::LABEL_SHIFT) - 1)) as usize;
        match bits.as_deref().map(|b| b.get(bit / 8)) {
            None => Ok(false),
            Some(Some(byte)) => Ok(byte & (1 << (bit % 8)) != 0),
            Some(None) => Err(txn.corrupt("label bitmap size")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each bitmap is fetched once, below and past the dense range, and a failed fetch is
    /// fetched again (nothing held for it).
    #[test]
    fn held_bits_fetch_each_bitmap_once() {
        let mut held = HeldBits::default();
        let mut fetched = Vec::new();
        for n in [3, 0, 3, DENSE + 7, 3, DENSE + 7, 0, DENSE - 1] {
            let bits = held
                .get(n, || {
                    fetched.push(n);
                    Ok((n % 2 == 1).then(|| Arc::from(vec![n as u8; 4])))
                })
                .expect("fetch");
            assert_eq!(
                bits.as_deref().map(|b| b[0]),
                (n % 2 == 1).then_some(n as u8)
            );
        }
        assert_eq!(fetched, [3, 0, DENSE + 7, DENSE - 1]);
        let failed = held.get(5, || {
            Err(super::super::errors::corrupt(
                std::path::Path::new("t"),
                "x",
            ))
        });
        assert!(failed.is_err());
        assert!(held.get(5, || Ok(None)).expect("again").is_none());
    }
}
