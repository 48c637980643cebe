//! Per-node degrees in one pass over the degree blocks (any type, one direction) or the
//! adjacency blocks (types, or both directions), and label counts from counters.

use std::iter::Peekable;
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::model::{Direction, NodeId};
use crate::value::Value;

use super::codec::get_varint;
use super::keys::{self, KIND_KEY, KIND_LABEL};
use super::records::{
    adj_headers, adj_payload, block_entries, degree_totals, section_totals, zip_blocks, NodeRecord,
};
use super::txn::{Bytes, Txn};
use super::DegreeVisitor;

/// Degree scans of at least this many blocks (64 nodes each) are decoded on two threads:
/// below it a thread costs more than it saves (about 30 µs to start one against 3 to 5 µs per
/// block).
const PARALLEL_MIN_BLOCKS: u64 = 256;
/// Blocks per piece of a parallel scan: small enough that the two threads end close together
/// and a piece's buffer stays small, large enough that starting its two range scans (a seek
/// each) is noise.
const CHUNK_BLOCKS: u64 = 64;
/// Pieces per round of a parallel scan (a million nodes): the helper thread buffers what it
/// decodes until this thread has visited its own pieces of the round, about 50 bytes per node
/// with one integer key, so a round bounds that memory (some 30 MB) whatever the graph's size.
/// A thread is started per round, which is noise next to a round's work (about 20 ms).
const ROUND_PIECES: u64 = 256;

/// How a degree scan is split (a parameter so that tests can force the parallel path on a
/// small graph).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ScanSplit {
    /// The fewest blocks decoded on two threads.
    pub min_blocks: u64,
    /// Blocks per piece.
    pub chunk_blocks: u64,
    /// Pieces per round: a round starts a helper thread, which buffers at most its share of
    /// the round.
    pub round_pieces: u64,
}

impl ScanSplit {
    pub(crate) const DEFAULT: ScanSplit = ScanSplit {
        min_blocks: PARALLEL_MIN_BLOCKS,
        chunk_blocks: CHUNK_BLOCKS,
        round_pieces: ROUND_PIECES,
    };
    /// Always one thread.
    #[cfg(test)]
    pub(crate) const SEQUENTIAL: ScanSplit = ScanSplit {
        min_blocks: u64::MAX,
        chunk_blocks: CHUNK_BLOCKS,
        round_pieces: ROUND_PIECES,
    };
}

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
        let chunk = split.chunk_blocks.max(1);
        if blocks < split.min_blocks.max(2) || blocks <= chunk {
            return scan.run(None, None, None, &mut |node, d, values| f(node, d, values));
        }
        // In rounds, so that what the helper buffers stays bounded on any graph.
        let pieces = blocks.div_ceil(chunk);
        let round = split.round_pieces.max(1);
        let mut first = 0;
        while first < pieces {
            let end = first.saturating_add(round).min(pieces);
            scan.run_parallel(first..end, pieces, chunk << keys::NODE_SHIFT, f)?;
            first = end;
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
            let from = from.map(|f| block_key(p, f));
            let to = to.map(|t| block_key(p, t));
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
}

/// The key of the block under prefix `p` (node, degree or adjacency) holding node `node`.
fn block_key(p: u8, node: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(p);
    k.extend_from_slice(&(node >> keys::NODE_SHIFT).to_be_bytes());
    k
}

/// A degree scan's parameters, resolved once: [`DegreeScan::run`] decodes any range of blocks,
/// so that a large scan can be decoded in pieces on two threads.
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

/// What a piece decoded by the helper thread holds for the visitor, in key order: per node
/// (node, degree) and `width` key values.
#[derive(Default)]
struct Decoded {
    nodes: Vec<(NodeId, u64)>,
    values: Vec<Value>,
}

/// A piece decoded by the helper thread: what it decoded and the error that ended it early.
type Piece = (Decoded, Option<Error>);

/// Sets the flag when dropped: a panic on this thread (in the visitor) stops the helper too
/// instead of leaving it to finish the round before the scope rejoins it.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, AtomicOrdering::Relaxed);
    }
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
                from.map(|f| block_key(keys::P_NODE, f)),
                to.map(|t| block_key(keys::P_NODE, t)),
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
                for bytes in [x, y].into_iter().flatten() {
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

    /// Decodes the pieces `round` (of `pieces` of `piece_nodes` nodes) on this thread and a
    /// helper thread and calls `f` for every node in key order, exactly as one thread would.
    ///
    /// This thread takes pieces from the front and calls `f` as it decodes them; the helper
    /// takes pieces from the back and decodes each into a buffer. When they meet, this thread
    /// calls `f` for the helper's pieces, front to back. So the visitor sees the nodes in the
    /// same order as a sequential scan (grouping, tie-breaking and results are unchanged), and
    /// the work balances itself: the helper, which only decodes, ends up with the larger share,
    /// and a helper slowed down by another process simply takes fewer pieces. An error stops
    /// both and is returned after the nodes before it were visited, as sequentially.
    fn run_parallel(
        &self,
        round: std::ops::Range<u64>,
        pieces: u64,
        piece_nodes: u64,
        f: &mut DegreeVisitor<'_>,
    ) -> Result<()> {
        // Piece p's nodes; the first piece runs from the first key, the last to the last one.
        let range = |p: u64| {
            let from = p * piece_nodes;
            (
                (p > 0).then_some(from),
                (p + 1 < pieces).then(|| from + piece_nodes),
            )
        };
        // (next piece from the front, one past the last unclaimed piece at the back).
        let claims = Mutex::new((round.start, round.end));
        let claim = |front: bool| {
            let mut c = claims.lock().unwrap_or_else(|e| e.into_inner());
            if c.0 >= c.1 {
                return None;
            }
            Some(if front {
                c.0 += 1;
                c.0 - 1
            } else {
                c.1 -= 1;
                c.1
            })
        };
        let stop = AtomicBool::new(false);
        std::thread::scope(|s| {
            let helper = std::thread::Builder::new()
                .name("kg-degrees".into())
                .spawn_scoped(s, || {
                    let width = self.key_ids.len();
                    let mut done: Vec<Piece> = Vec::new();
                    while !stop.load(AtomicOrdering::Relaxed) {
                        let Some(p) = claim(false) else { break };
                        let mut out = Decoded::default();
                        let (from, to) = range(p);
                        let r = self.run(from, to, Some(&stop), &mut |node, d, values| {
                            out.nodes.push((node, d));
                            for v in values.iter_mut().take(width) {
                                out.values.push(std::mem::replace(v, Value::Null));
                            }
                            Ok(())
                        });
                        let failed = r.is_err();
                        done.push((out, r.err()));
                        if failed {
                            break;
                        }
                    }
                    done
                });
            let _stop_on_panic = StopOnDrop(&stop);
            // If no thread can be started, this thread takes every piece.
            let mut result = Ok(());
            while let Some(p) = claim(true) {
                let (from, to) = range(p);
                result = self.run(from, to, None, &mut |node, d, values| f(node, d, values));
                if result.is_err() {
                    stop.store(true, AtomicOrdering::Relaxed);
                    break;
                }
            }
            let done = match helper {
                Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                Err(_) => Vec::new(),
            };
            result?;
            // The helper's pieces, taken from the back, in key order.
            let width = self.key_ids.len();
            for (out, err) in done.into_iter().rev() {
                let mut values = out.values.chunks_exact(width.max(1));
                for &(node, d) in &out.nodes {
                    let v = match width {
                        0 => &[][..],
                        _ => values.next().unwrap_or(&[]),
                    };
                    f(node, d, v)?;
                }
                if let Some(e) = err {
                    return Err(e);
                }
            }
            Ok(())
        })
    }
}

/// The entry for `slot` of a slot block, searched from `*pos` on (slots ascend, so a walk over
/// a block for ascending slots reads each entry once); `*pos` is left at the first entry past
/// the ones skipped. `None` when the block has no such entry; a malformed entry ends the block,
/// as in [`block_entries`].
#[inline]
fn block_entry_from<'b>(block: &'b [u8], pos: &mut usize, slot: u8) -> Option<&'b [u8]> {
    loop {
        let s = *block.get(*pos)?;
        if s > slot {
            return None;
        }
        let mut p = *pos + 1;
        let len = usize::try_from(get_varint(block, &mut p)?).ok()?;
        let bytes = block.get(p..p.checked_add(len)?)?;
        *pos = p + len;
        if s == slot {
            return Some(bytes);
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::OpenOptions;
    use crate::model::Properties;
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
            t.kv_put(
                block_key(keys::P_NODE, block << keys::NODE_SHIFT),
                Some(damaged),
            );
            let seq = run(&t, ScanSplit::SEQUENTIAL, usize::MAX);
            assert!(seq.1.is_err(), "block {block}");
            for split in [TINY_PIECES, SMALL_PIECES, ROUNDS_OF_ONE] {
                assert_eq!(run(&t, split, usize::MAX), seq, "block {block} {split:?}");
            }
        }
    }
}
