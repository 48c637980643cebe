//! Per-node degrees in one pass over the degree blocks (any type, one direction) or the
//! adjacency blocks (types, or both directions), and label counts from counters.

use std::iter::Peekable;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};

use crate::error::Result;
use crate::model::{Direction, NodeId};
use crate::value::Value;

use super::adjacency::stub_parts;
use super::keys::{self, KIND_KEY, KIND_LABEL, KIND_TYPE};
use super::records::{
    adj_headers, adj_payload, block_entries, block_entry_from, degree_totals, section_totals,
    zip_blocks, NodeRecord,
};
use super::txn::{Bytes, Txn};
use super::DegreeVisitor;

mod parallel;

pub(crate) use parallel::ScanSplit;

impl Txn {
    /// [`super::GraphRead::for_each_degree`]: the degree blocks (any type, one direction) or
    /// the adjacency blocks of the direction(s), in key order, 64 nodes per read; the node
    /// blocks are scanned alongside when labels or keys are needed.
    pub(crate) fn scan_degrees(
        &self,
        label: Option<&str>,
        direction: Direction,
        types: &[&str],
        keys: &[&str],
        f: &mut DegreeVisitor<'_>,
    ) -> Result<()> {
        self.scan_degrees_split(label, direction, types, keys, ScanSplit::DEFAULT, f)
    }

    /// [`Txn::scan_degrees`] with the scan split as `split` says.
    pub(crate) fn scan_degrees_split(
        &self,
        label: Option<&str>,
        direction: Direction,
        types: &[&str],
        keys: &[&str],
        split: ScanSplit,
        f: &mut DegreeVisitor<'_>,
    ) -> Result<()> {
        let label = match label {
            None => None,
            Some(l) => match self.cat_id(KIND_LABEL, l) {
                Some(id) => Some(id),
                None => return Ok(()),
            },
        };
        let filter = self.type_filter(types);
        let key_ids: Vec<Option<u32>> = keys.iter().map(|k| self.cat_id(KIND_KEY, k)).collect();
        let need_record = label.is_some() || key_ids.iter().any(Option::is_some);
        // Any type, one direction: the compact degree blocks; otherwise the adjacency lists of
        // the direction, or both directions' blocks side by side.
        let totals_only = filter.is_none() && direction != Direction::Both;
        let (first, second) = match direction {
            _ if totals_only => (keys::P_DEGREE, None),
            Direction::Outgoing => (keys::P_ADJ, None),
            Direction::Incoming => (keys::P_ADJ_IN, None),
            Direction::Both => (keys::P_ADJ, Some(keys::P_ADJ_IN)),
        };
        let scan = DegreeScan {
            txn: self,
            label,
            direction,
            filter,
            key_ids,
            need_record,
            totals_only,
            first,
            second,
        };
        // Node ids are below the next id to allocate, so the blocks lie below this one.
        let blocks = self
            .get_u64(keys::META_NEXT_NODE)?
            .div_ceil(1 << keys::NODE_SHIFT);
        scan.run_split(blocks, split, f)
    }

    /// The blocks under key prefix `first` (and `second`), merged by the first node id they
    /// cover: (base, block under `first`, block under `second`), at least one present.
    pub(crate) fn blocks_by_base(
        &self,
        first: u8,
        second: Option<u8>,
    ) -> impl Iterator<Item = Result<(u64, Option<Bytes<'_>>, Option<Bytes<'_>>)>> + '_ {
        self.blocks_by_base_in(first, second, None, None)
    }

    /// [`Txn::blocks_by_base`] for the blocks of the nodes from `from` on and below `to`
    /// (block boundaries; `None`: from the first key / to the last key under the prefix, so
    /// that ranges from `None` to `None` together cover every key, malformed ones included).
    fn blocks_by_base_in(
        &self,
        first: u8,
        second: Option<u8>,
        from: Option<u64>,
        to: Option<u64>,
    ) -> impl Iterator<Item = Result<(u64, Option<Bytes<'_>>, Option<Bytes<'_>>)>> + '_ {
        let range = |p: u8| {
            let from = from.map(|f| keys::node_block_under(p, f));
            let to = to.map(|t| keys::node_block_under(p, t));
            self.kv_range(&[p], from.as_deref(), to.as_deref())
                .peekable()
        };
        let mut a = range(first);
        let mut b = second.map(range);
        let base_of = |k: &[u8]| {
            keys::block_base(k, keys::NODE_SHIFT)
                .ok_or_else(|| self.corrupt("malformed degree or adjacency key"))
        };
        std::iter::from_fn(move || {
            let mut step = || -> Result<Option<_>> {
                let next_a = match a.peek() {
                    Some(Ok((k, _))) => Some(base_of(k)?),
                    Some(Err(_)) => return a.next().transpose().map(|_| None),
                    None => None,
                };
                let next_b = match b.as_mut().map(|b| b.peek()) {
                    Some(Some(Ok((k, _)))) => Some(base_of(k)?),
                    Some(Some(Err(_))) => {
                        return b
                            .as_mut()
                            .and_then(Iterator::next)
                            .transpose()
                            .map(|_| None)
                    }
                    _ => None,
                };
                let base = match (next_a, next_b) {
                    (None, None) => return Ok(None),
                    (Some(x), None) | (None, Some(x)) => x,
                    (Some(x), Some(y)) => x.min(y),
                };
                let block_a = match next_a == Some(base) {
                    true => a.next().transpose()?.map(|(_, v)| v),
                    false => None,
                };
                let block_b = match (next_b == Some(base), b.as_mut()) {
                    (true, Some(b)) => b.next().transpose()?.map(|(_, v)| v),
                    _ => None,
                };
                Ok(Some((base, block_a, block_b)))
            };
            step().transpose()
        })
    }

    /// [`super::GraphRead::count_nodes`] from the per-label counter (O(1)).
    pub(crate) fn label_count(&self, label: Option<&str>) -> Result<u64> {
        match label {
            None => self.get_u64(keys::META_NODE_COUNT),
            Some(l) => match self.cat_id(KIND_LABEL, l) {
                None => Ok(0),
                Some(id) => self.get_u64(&keys::counter(KIND_LABEL, id)),
            },
        }
    }

    /// Relationships of `rel_type` (every relationship when `None`) from the counters (O(1)).
    pub(crate) fn type_count(&self, rel_type: Option<&str>) -> Result<u64> {
        match rel_type {
            None => self.get_u64(keys::META_REL_COUNT),
            Some(t) => match self.cat_id(KIND_TYPE, t) {
                None => Ok(0),
                Some(id) => self.get_u64(&keys::counter(KIND_TYPE, id)),
            },
        }
    }
}

/// A degree scan's parameters, resolved once: [`DegreeScan::run`] decodes any range of blocks,
/// so that a large scan can be decoded in pieces on two threads (`parallel.rs`).
struct DegreeScan<'t> {
    txn: &'t Txn,
    label: Option<u32>,
    direction: Direction,
    filter: Option<Vec<u32>>,
    key_ids: Vec<Option<u32>>,
    need_record: bool,
    totals_only: bool,
    first: u8,
    second: Option<u8>,
}

impl DegreeScan<'_> {
    /// Calls `emit(node, degree, values)` for every node of the blocks from node `from` on and
    /// below `to` (as [`Txn::blocks_by_base_in`] takes them), in key order, as [`Txn::scan_degrees`] describes. `emit` may take the
    /// values (they are rewritten for every node). Returns early, without an error, once `stop`
    /// is set.
    fn run(
        &self,
        from: Option<u64>,
        to: Option<u64>,
        stop: Option<&AtomicBool>,
        emit: &mut impl FnMut(NodeId, u64, &mut [Value]) -> Result<()>,
    ) -> Result<()> {
        let txn = self.txn;
        // Node blocks are walked alongside, in the same key order, when labels or keys are
        // needed.
        let mut node_blocks = self.need_record.then(|| {
            let (from, to) = (
                from.map(|f| keys::node_block_under(keys::P_NODE, f)),
                to.map(|t| keys::node_block_under(keys::P_NODE, t)),
            );
            txn.kv_range(&[keys::P_NODE], from.as_deref(), to.as_deref())
                .peekable()
        });
        let mut pairs = Vec::new();
        // Rewritten in place for every node (keys without a catalog id stay null).
        let mut values = vec![Value::Null; self.key_ids.len()];
        for item in txn.blocks_by_base_in(self.first, self.second, from, to) {
            if stop.is_some_and(|s| s.load(AtomicOrdering::Relaxed)) {
                return Ok(());
            }
            let (base, block_a, block_b) = item?;
            let records = match node_blocks.as_mut() {
                None => None,
                Some(scan) => next_block_at(scan, base)?,
            };
            let recs = records.as_deref();
            // Where the walk over the node block stands (its entries ascend by slot).
            let mut rec_pos = 0usize;
            let mut visit = |slot: u8, x: Option<&[u8]>, y: Option<&[u8]>| -> Result<()> {
                let node = base + u64::from(slot);
                let mut d = 0;
                // One direction's entry, or both directions' (each section counted with
                // `direction`: an outgoing section has only outgoing lists, and so on).
                // The first block is incoming only for `P_ADJ_IN`; a second one always is.
                let directions = [(x, self.first == keys::P_ADJ_IN), (y, true)];
                for (bytes, incoming) in directions {
                    let Some(bytes) = bytes else { continue };
                    if !self.totals_only && stub_parts(bytes, incoming).is_some() {
                        // A spilled section: its lists are in its chunks (`adjacency.rs`).
                        txn.for_each_chunk(node, incoming, |chunk| {
                            d += section_degree(
                                chunk,
                                node,
                                self.direction,
                                self.filter.as_deref(),
                                &mut pairs,
                            )
                            .ok_or_else(|| txn.corrupt(&format!("adjacency of node {node}")))?;
                            Ok(())
                        })?;
                        continue;
                    }
                    d += if self.totals_only {
                        degree_totals(bytes).map(|(out, inc)| match self.direction {
                            Direction::Incoming => inc,
                            _ => out,
                        })
                    } else {
                        section_degree(
                            bytes,
                            node,
                            self.direction,
                            self.filter.as_deref(),
                            &mut pairs,
                        )
                    }
                    .ok_or_else(|| txn.corrupt(&format!("adjacency of node {node}")))?;
                }
                if d == 0 {
                    return Ok(());
                }
                let Some(recs) = recs else {
                    return match self.need_record {
                        true => Ok(()),
                        false => emit(node, d, &mut values),
                    };
                };
                let Some(rec) = block_entry_from(recs, &mut rec_pos, slot) else {
                    return Ok(());
                };
                let keep = NodeRecord::read_keys(rec, self.label, &self.key_ids, &mut values)
                    .ok_or_else(|| txn.corrupt(&format!("node {node} record")))?;
                match keep {
                    true => emit(node, d, &mut values),
                    false => Ok(()),
                }
            };
            let (a, b) = (block_a.as_deref(), block_b.as_deref());
            match (a, b) {
                // One block (always so for the degree blocks): its entries as they come.
                (Some(a), None) => {
                    for (slot, x) in block_entries(a) {
                        visit(slot, Some(x), None)?;
                    }
                }
                (None, Some(b)) => {
                    for (slot, y) in block_entries(b) {
                        visit(slot, None, Some(y))?;
                    }
                }
                _ => {
                    for (slot, x, y) in zip_blocks(a.unwrap_or(&[]), b.unwrap_or(&[])) {
                        visit(slot, x, y)?;
                    }
                }
            }
        }
        Ok(())
    }
}

/// The node block of the nodes from `base` on, taken from a scan of node blocks in key order
/// after skipping the blocks before it; `None` when there is no such block.
fn next_block_at<B>(
    scan: &mut Peekable<impl Iterator<Item = Result<(Vec<u8>, B)>>>,
    base: u64,
) -> Result<Option<B>> {
    let at = keys::node_block(base);
    loop {
        match scan.peek() {
            None => return Ok(None),
            Some(Ok((k, _))) if *k < at => {
                scan.next();
            }
            Some(Ok((k, _))) if *k > at => return Ok(None),
            Some(Ok(_)) => return scan.next().transpose().map(|e| e.map(|(_, b)| b)),
            Some(Err(_)) => return scan.next().transpose().map(|_| None),
        }
    }
}

/// The degree of `node` from its adjacency section: the section's totals for one direction
/// and any type, else list counts from the headers; with `Direction::Both` a self-loop (in
/// both lists) counts once, which needs the incoming lists.
fn section_degree(
    section: &[u8],
    node: NodeId,
    direction: Direction,
    filter: Option<&[u32]>,
    pairs: &mut Vec<(u64, u64)>,
) -> Option<u64> {
    if filter.is_none() {
        let (out, inc, _) = section_totals(section)?;
        match direction {
            Direction::Outgoing => return Some(out),
            Direction::Incoming => return Some(inc),
            Direction::Both => {}
        }
    }
    let mut d = 0u64;
    for h in adj_headers(section) {
        if filter.is_some_and(|f| !f.contains(&h.rel_type)) {
            continue;
        }
        match direction {
            Direction::Outgoing if h.incoming => continue,
            Direction::Incoming if !h.incoming => continue,
            Direction::Both if h.incoming => {
                pairs.clear();
                adj_payload(section.get(h.start..h.end)?, h.count, pairs)?;
                d += pairs.iter().filter(|(_, other)| *other != node).count() as u64;
            }
            _ => d += h.count,
        }
    }
    Some(d)
}

#[cfg(test)]
mod tests;
