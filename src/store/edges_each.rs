//! Reading many entries of slot blocks in one pass: the edges of many nodes
//! (`GraphRead::edges_each`) and one property of many relationships
//! (`GraphRead::relationship_properties`), each block looked up once for the run of its
//! entries and walked forward, not looked up and walked from its head per entry.

use crate::error::Result;
use crate::model::{Direction, NodeId};

use super::adjacency::stub_parts;
use super::keys;
use super::records::{adj_headers, adj_payload, block_entry_from};
use super::txn::{Bytes, Txn};
use super::Edge;

/// A slot block held across reads of its entries (one direction's adjacency blocks, or the
/// relationship blocks), with a cursor into it: entries asked for in ascending order walk
/// the block once, with one lookup of the block.
#[derive(Default)]
pub(super) struct Held<'t> {
    /// Block number and the block (`None`: no such block).
    block: Option<(u64, Option<Bytes<'t>>)>,
    /// Where the walk stands: the first entry not yet passed, and the slot asked last.
    pos: usize,
    last: Option<u8>,
}

impl<'t> Held<'t> {
    /// The entry at `slot` of block `number` (stored under `key()`), as `txn` reads it (its
    /// own writes first): from the held block, or after reading that block.
    pub(super) fn entry(
        &mut self,
        txn: &'t Txn,
        number: u64,
        key: impl FnOnce() -> Vec<u8>,
        slot: u8,
    ) -> Result<Option<&[u8]>> {
        if !matches!(&self.block, Some((n, _)) if *n == number) {
            self.block = Some((number, txn.kv_get(&key())?));
            self.pos = 0;
            self.last = None;
        }
        // Slots ascend in a block: a slot at or before the last one asked restarts the walk.
        if self.last.is_some_and(|l| slot <= l) {
            self.pos = 0;
        }
        self.last = Some(slot);
        let Some((_, Some(block))) = &self.block else {
            return Ok(None);
        };
        Ok(block_entry_from(block, &mut self.pos, slot))
    }

    /// `node`'s adjacency section in one direction.
    fn section(&mut self, txn: &'t Txn, node: NodeId, incoming: bool) -> Result<Option<&[u8]>> {
        let key = || keys::adj_block(node, incoming);
        self.entry(txn, node >> keys::NODE_SHIFT, key, keys::node_slot(node))
    }
}

impl Txn {
    /// [`super::GraphRead::edges_each`]: for each of `nodes`, in order, `f(i, edges)` with
    /// what `edges(nodes[i], direction, types)` returns. Consecutive nodes of one adjacency
    /// block share one lookup of it (ascending ids walk each block once).
    pub(crate) fn edges_each(
        &self,
        nodes: &[NodeId],
        direction: Direction,
        types: &[&str],
        f: &mut dyn FnMut(usize, &[Edge]) -> Result<()>,
    ) -> Result<()> {
        let filter = self.type_filter(types);
        let filter = filter.as_deref();
        let wanted: &[bool] = match direction {
            Direction::Outgoing => &[false],
            Direction::Incoming => &[true],
            Direction::Both => &[false, true],
        };
        let mut held = [Held::default(), Held::default()];
        let mut raw = Vec::new();
        let mut pairs = Vec::new();
        let mut edges = Vec::new();
        for (i, &node) in nodes.iter().enumerate() {
            raw.clear();
            for &incoming in wanted {
                let Some(section) = held[usize::from(incoming)].section(self, node, incoming)?
                else {
                    continue;
                };
                if stub_parts(section, incoming).is_some() {
                    // A spilled section: its lists are in its chunks (`adjacency.rs`).
                    self.for_each_chunk(node, incoming, |chunk| {
                        section_edges(self, chunk, node, direction, filter, &mut pairs, &mut raw)
                    })?;
                } else {
                    section_edges(self, section, node, direction, filter, &mut pairs, &mut raw)?;
                }
            }
            if raw.is_empty() {
                continue;
            }
            // As `edges` orders them (a stable sort, nearly free on lists already in order).
            raw.sort_by_key(|(t, e): &(u32, Edge)| (*t, e.rel));
            edges.clear();
            edges.extend(raw.iter().map(|(_, e)| *e));
            f(i, &edges)?;
        }
        Ok(())
    }
}

/// Appends `node`'s edges from one adjacency section (or chunk) to `out` as (type id, edge):
/// the lists of a type in `filter` (any when `None`); with `Direction::Both` a self-loop,
/// which sits in both lists, only from the outgoing one.
pub(super) fn section_edges(
    txn: &Txn,
    section: &[u8],
    node: NodeId,
    direction: Direction,
    filter: Option<&[u32]>,
    pairs: &mut Vec<(u64, u64)>,
    out: &mut Vec<(u32, Edge)>,
) -> Result<()> {
    for h in adj_headers(section) {
        if filter.is_some_and(|f| !f.contains(&h.rel_type)) {
            continue;
        }
        pairs.clear();
        adj_payload(&section[h.start..h.end], h.count, pairs)
            .ok_or_else(|| txn.corrupt(&format!("adjacency of node {node}")))?;
        for &(rel, other) in pairs.iter() {
            if direction == Direction::Both && h.incoming && other == node {
                continue;
            }
            out.push((
                h.rel_type,
                Edge {
                    rel,
                    other,
                    outgoing: !h.incoming,
                },
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
#[path = "edges_each_tests.rs"]
mod tests;
