//! One label tested on many nodes (`GraphRead::label_set`): the label's bitmaps a statement
//! has touched are held by the tester, so each test is a map probe and a bit, where
//! `node_has_label` resolves the label's name and takes the shared cache's lock every time.

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

/// A transaction's tester: the bitmaps as the transaction sees them (its own writes first),
/// by bitmap number. Valid while the transaction does not write, which holds for the
/// read-only pipelines that use it.
pub(crate) struct Bitmaps<'a> {
    txn: &'a Txn,
    /// `None`: no node has ever had the label.
    label: Option<u32>,
    held: FxHashMap<u64, Option<Arc<[u8]>>>,
}

impl<'a> Bitmaps<'a> {
    pub(crate) fn new(txn: &'a Txn, label: &str) -> Self {
        Bitmaps {
            txn,
            label: txn.cat_id(KIND_LABEL, label),
            held: FxHashMap::default(),
        }
    }
}

impl LabelSet for Bitmaps<'_> {
    fn contains(&mut self, node: NodeId) -> Result<bool> {
        let Some(label) = self.label else {
            return Ok(false);
        };
        let bits = match self.held.get(&(node >> keys::LABEL_SHIFT)) {
            Some(bits) => bits,
            None => {
                let bits = self.txn.label_bits(label, node)?;
                self.held.entry(node >> keys::LABEL_SHIFT).or_insert(bits)
            }
        };
        let bit = (node & ((1 << keys::LABEL_SHIFT) - 1)) as usize;
        match bits.as_deref().map(|b| b.get(bit / 8)) {
            None => Ok(false),
            Some(Some(byte)) => Ok(byte & (1 << (bit % 8)) != 0),
            Some(None) => Err(self.txn.corrupt("label bitmap size")),
        }
    }
}
