//! Per-node degrees in one pass over the degree blocks (any type, one direction) or the
//! adjacency blocks (types, or both directions), and label counts from counters.

use std::iter::Peekable;

use crate::error::Result;
use crate::model::{Direction, NodeId};
use crate::value::Value;

use super::keys::{self, KIND_KEY, KIND_LABEL};
use super::records::{
    adj_headers, adj_payload, block_entries, degree_totals, section_totals, zip_blocks, NodeRecord,
};
use super::txn::{Bytes, Txn};
use super::DegreeVisitor;

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
        // Node blocks are walked alongside, in the same key order, when labels or keys are needed.
        let mut node_blocks = need_record.then(|| self.kv_scan(&[keys::P_NODE]).peekable());
        let mut pairs = Vec::new();
        let nulls = vec![Value::Null; keys.len()];
        let mut values = Vec::with_capacity(keys.len());
        let mut degrees: Vec<(u8, u64)> = Vec::with_capacity(64);
        for item in self.blocks_by_base(first, second) {
            let (base, block_a, block_b) = item?;
            degrees.clear();
            let corrupt_adj = |node| self.corrupt(&format!("adjacency of node {node}"));
            let (a, b) = (block_a.as_deref(), block_b.as_deref());
            // One direction's entries, or both directions' merged by slot (each section counted
            // with `direction`: an outgoing section has only outgoing lists, and so on).
            for (slot, x, y) in zip_blocks(a.unwrap_or(&[]), b.unwrap_or(&[])) {
                let node = base + u64::from(slot);
                let mut d = 0;
                for bytes in [x, y].into_iter().flatten() {
                    d += if totals_only {
                        degree_totals(bytes).map(|(out, inc)| match direction {
                            Direction::Incoming => inc,
                            _ => out,
                        })
                    } else {
                        section_degree(bytes, node, direction, filter.as_deref(), &mut pairs)
                    }
                    .ok_or_else(|| corrupt_adj(node))?;
                }
                degrees.push((slot, d));
            }
            let records = match node_blocks.as_mut() {
                None => None,
                Some(scan) => next_block_at(scan, base)?,
            };
            let mut recs = records.as_deref().map(|r| block_entries(r).peekable());
            for &(slot, d) in &degrees {
                let node = base + u64::from(slot);
                if d == 0 {
                    continue;
                }
                let Some(recs) = recs.as_mut() else {
                    if !need_record {
                        f(node, d, &nulls)?;
                    }
                    continue;
                };
                while recs.next_if(|(s, _)| *s < slot).is_some() {}
                let Some((_, rec)) = recs.next_if(|(s, _)| *s == slot) else {
                    continue;
                };
                let corrupt = || self.corrupt(&format!("node {node} record"));
                if let Some(l) = label {
                    if !NodeRecord::decode_labels(rec)
                        .ok_or_else(corrupt)?
                        .contains(&l)
                    {
                        continue;
                    }
                }
                values.clear();
                for id in &key_ids {
                    let v = match id {
                        Some(id) => NodeRecord::decode_property(rec, *id).ok_or_else(corrupt)?,
                        None => None,
                    };
                    values.push(v.unwrap_or(Value::Null));
                }
                f(node, d, &values)?;
            }
        }
        Ok(())
    }

    /// The blocks under key prefix `first` (and `second`), merged by the first node id they
    /// cover: (base, block under `first`, block under `second`), at least one present.
    pub(crate) fn blocks_by_base(
        &self,
        first: u8,
        second: Option<u8>,
    ) -> impl Iterator<Item = Result<(u64, Option<Bytes<'_>>, Option<Bytes<'_>>)>> + '_ {
        let mut a = self.kv_scan(&[first]).peekable();
        let mut b = second.map(|p| self.kv_scan(&[p]).peekable());
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
