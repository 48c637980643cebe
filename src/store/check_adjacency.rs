//! `kg check`'s adjacency part: every relationship record appears once in each end node's
//! adjacency (and nothing else does), spilled sections and their chunks agree, and the
//! degree blocks equal what the adjacency implies.

use std::collections::BTreeMap;

use crate::error::{Error, Result, StoreError};

use super::adjacency::stub_parts;
use super::check::{CheckReport, RelRow};
use super::engine::Store;
use super::keys;
use super::records::{
    block_entries, block_is_well_formed, decode_section, degree_block, section_totals, AdjList,
};
use super::txn::Txn;

impl Store {
    pub(super) fn check_adjacency(
        &self,
        t: &Txn,
        nodes: &BTreeMap<u64, Vec<u32>>,
        rels: &[RelRow],
        r: &mut CheckReport,
    ) -> Result<()> {
        // (incoming, node) of every spilled section: its chunk count.
        let mut spilled = BTreeMap::new();
        let mut outs: Vec<RelRow> = Vec::with_capacity(rels.len());
        let mut ins: Vec<RelRow> = Vec::with_capacity(rels.len());
        let blocks = t
            .kv_scan(&[keys::P_ADJ])
            .map(|e| e.map(|(k, v)| (false, k, v)))
            .chain(
                t.kv_scan(&[keys::P_ADJ_IN])
                    .map(|e| e.map(|(k, v)| (true, k, v))),
            );
        for item in blocks {
            let (incoming_block, k, v) = item?;
            let Some(base) = keys::block_base(&k, keys::NODE_SHIFT).filter(|_| k.len() == 9) else {
                r.problem(format!("malformed adjacency block key {k:?}"));
                continue;
            };
            if !block_is_well_formed(&v) {
                r.problem(format!("adjacency block at {base} is malformed"));
                continue;
            }
            for (slot, bytes) in block_entries(&v) {
                let node = base + u64::from(slot);
                if !nodes.contains_key(&node) {
                    r.problem(format!("adjacency of missing node {node}"));
                }
                let lists = match stub_parts(bytes, incoming_block) {
                    None => decode_section(bytes),
                    Some((_, count)) => {
                        spilled.insert((incoming_block, node), count);
                        self.chunk_lists(t, node, incoming_block, r)?
                    }
                };
                let Some(lists) = lists else {
                    r.problem(format!("adjacency of node {node} does not decode"));
                    continue;
                };
                if lists.iter().any(|l| l.incoming != incoming_block) {
                    r.problem(format!(
                        "adjacency of node {node} holds a list of the other direction"
                    ));
                }
                let held = |incoming: bool| {
                    lists
                        .iter()
                        .filter(|l| l.incoming == incoming)
                        .map(|l| l.edges.len() as u64)
                        .sum::<u64>()
                };
                let held = (held(false), held(true));
                let totals = match stub_parts(bytes, incoming_block) {
                    None => section_totals(bytes).map(|(out, inc, _)| (out, inc)),
                    Some((own, _)) if incoming_block => Some((0, own)),
                    Some((own, _)) => Some((own, 0)),
                };
                if let Some((out, inc)) = totals {
                    if (out, inc) != held {
                        r.problem(format!(
                            "adjacency totals of node {node} say {out} out / {inc} in, its lists hold {} / {}",
                            held.0, held.1
                        ));
                    }
                }
                for l in lists {
                    if !l.edges.windows(2).all(|w| w[0].0 < w[1].0) {
                        r.problem(format!("adjacency list of node {node} is not sorted"));
                    }
                    for (rel, other) in l.edges {
                        if l.incoming {
                            ins.push((rel, l.rel_type, other, node));
                        } else {
                            outs.push((rel, l.rel_type, node, other));
                        }
                    }
                }
            }
        }
        self.check_chunk_keys(t, &spilled, r)?;
        outs.sort_unstable();
        ins.sort_unstable();
        for (list, what) in [(&outs, "outgoing"), (&ins, "incoming")] {
            if list.as_slice() != rels {
                let diff = first_difference(rels, list);
                r.problem(format!(
                    "{what} adjacency does not match the relationship records ({} entries vs {} records; first difference: {diff})",
                    list.len(),
                    rels.len()
                ));
            }
        }
        Ok(())
    }

    /// The lists of a spilled section, from its chunks (`adjacency.rs`); each chunk decodes,
    /// is not empty and has the totals of its own lists. `None` when one does not decode.
    fn chunk_lists(
        &self,
        t: &Txn,
        node: u64,
        incoming: bool,
        r: &mut CheckReport,
    ) -> Result<Option<Vec<AdjList>>> {
        let mut all = Vec::new();
        for item in t.kv_scan(&keys::chunk_prefix(node, incoming)) {
            let (k, v) = item?;
            let Some(lists) = decode_section(&v) else {
                return Ok(None);
            };
            let held: u64 = lists.iter().map(|l| l.edges.len() as u64).sum();
            let own = section_totals(&v).map(|(o, i, _)| if incoming { (i, o) } else { (o, i) });
            if held == 0 || own != Some((held, 0)) {
                r.problem(format!(
                    "adjacency chunk {:?} of node {node} is empty or its totals disagree with its lists",
                    keys::parse_chunk(&k).map(|(_, c)| c)
                ));
            }
            all.extend(lists);
        }
        Ok(Some(all))
    }

    /// Every chunk key belongs to a spilled section and is numbered below its chunk count.
    fn check_chunk_keys(
        &self,
        t: &Txn,
        spilled: &BTreeMap<(bool, u64), u32>,
        r: &mut CheckReport,
    ) -> Result<()> {
        for incoming in [false, true] {
            for item in t.kv_scan(&[keys::chunk_kind(incoming)]) {
                let (k, _) = item?;
                match keys::parse_chunk(&k) {
                    None => r.problem(format!("malformed adjacency chunk key {k:?}")),
                    Some((node, c)) => match spilled.get(&(incoming, node)) {
                        None => r.problem(format!(
                            "adjacency chunk {c} of node {node} has no spilled section"
                        )),
                        Some(count) if c >= *count => r.problem(format!(
                            "adjacency chunk {c} of node {node} is past its stub's count {count}"
                        )),
                        Some(_) => {}
                    },
                }
            }
        }
        Ok(())
    }

    /// Every degree block equals the one its adjacency blocks imply, and none is extra.
    pub(super) fn check_degree_blocks(&self, t: &Txn, r: &mut CheckReport) -> Result<()> {
        // The degree blocks the adjacency implies (a few bytes per node), built while both
        // directions' blocks stream past instead of holding the adjacency in memory.
        let mut expected = BTreeMap::new();
        for item in t.blocks_by_base(keys::P_ADJ, Some(keys::P_ADJ_IN)) {
            let (base, out, inc) = match item {
                Ok(x) => x,
                // A malformed adjacency key (reported by the adjacency check) ends this one.
                Err(Error::Store(StoreError::Corrupt { .. })) => return Ok(()),
                Err(e) => return Err(e),
            };
            let block = degree_block(out.as_deref().unwrap_or(&[]), inc.as_deref().unwrap_or(&[]));
            if !block.is_empty() {
                expected.insert(keys::degree_block(base), block);
            }
        }
        for item in t.kv_scan(&[keys::P_DEGREE]) {
            let (k, v) = item?;
            let base = keys::block_base(&k, keys::NODE_SHIFT).unwrap_or_default();
            match expected.remove(&k) {
                None => r.problem(format!("degree block at {base} has no adjacency")),
                Some(want) if want != *v => r.problem(format!(
                    "degree block at {base} disagrees with the adjacency totals"
                )),
                Some(_) => {}
            }
        }
        for k in expected.keys() {
            let base = keys::block_base(k, keys::NODE_SHIFT).unwrap_or_default();
            r.problem(format!("degree block at {base} is missing"));
        }
        Ok(())
    }
}

fn first_difference(a: &[RelRow], b: &[RelRow]) -> String {
    for i in 0..a.len().max(b.len()) {
        match (a.get(i), b.get(i)) {
            (Some(x), Some(y)) if x == y => continue,
            (x, y) => {
                return format!(
                    "record {} vs adjacency {}",
                    x.map_or("none".into(), |x| format!("rel {} {}->{}", x.0, x.2, x.3)),
                    y.map_or("none".into(), |y| format!("rel {} {}->{}", y.0, y.2, y.3))
                )
            }
        }
    }
    "none".into()
}
