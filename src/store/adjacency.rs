//! Adjacency sections that outgrow their block spill into chunk keys, so that adding a
//! relationship costs the same at any degree of its end nodes.
//!
//! A node's section of one direction normally sits in its 64-node adjacency block (`A`/`B`),
//! and a write rewrites that block. Once a section's encoding passes [`SPILL_BYTES`], its lists
//! move to **chunks** under `E node chunk:u32` (outgoing) or `F node chunk:u32` (incoming), and
//! the block keeps a **stub**: the section's totals with the direction's own total as before
//! and, in the other direction's field (0 in every section of format 5 on), the number of chunk
//! numbers in use, and no lists. A chunk's value is a section of its own (totals, then lists). An append
//! rewrites only the stub, the last chunk (at most about [`CHUNK_BYTES`]) and the degree entry;
//! a full chunk is followed by a new one. Reads visit the section, or, for a stub, each chunk
//! in chunk order ([`Txn::for_each_piece`]); a list's entries are spread over the chunks, each
//! run ascending by relationship id.
//!
//! Invariants (`kg check` verifies them): a stub's total is the sum of its
//! chunks' totals, and its chunk count is above every chunk number of the node; a chunk is
//! never empty and belongs to a node whose section is a stub; the section of a node without
//! relationships in a direction is absent, and so are its chunks. Compaction folds each spilled
//! node's chunks into one (or back into the block when it fits, [`Txn::fold_adjacency`]).
//! A database without chunk keys (every one written before this layout) has nothing spilled.

use crate::error::Result;
use crate::model::NodeId;

use super::codec::put_varint;
use super::engine::Store;
use super::keys;
use super::list_tail;
use super::records::{
    block_get, decode_section, degree_entry, degree_totals, encode_section, section_push,
    section_remove, section_totals, AdjList,
};
use super::txn::Txn;

/// A section whose encoding is longer than this moves out of its block into chunks: blocks
/// stay small (at most 64 such sections), so rewriting one costs the same at any degree.
pub const SPILL_BYTES: usize = 2048;
/// An appended chunk takes entries until its encoding passes this; then a new chunk starts.
pub const CHUNK_BYTES: usize = 2048;

/// The stub left in the block for a section spilled into `chunks` chunk numbers.
pub fn stub(incoming: bool, total: u64, chunks: u32) -> Vec<u8> {
    let mut out = Vec::with_capacity(8);
    let (o, i) = if incoming {
        (u64::from(chunks), total)
    } else {
        (total, u64::from(chunks))
    };
    put_varint(&mut out, o);
    put_varint(&mut out, i);
    out
}

/// (own total, chunk count) when `section` (of direction `incoming`) is a stub: totals only,
/// the other direction's nonzero.
pub fn stub_parts(section: &[u8], incoming: bool) -> Option<(u64, u32)> {
    let (o, i, end) = section_totals(section)?;
    let (own, other) = if incoming { (i, o) } else { (o, i) };
    (other > 0 && end == section.len()).then(|| (own, u32::try_from(other).unwrap_or(u32::MAX)))
}

/// `section` (possibly empty) with (rel, other) added to its list of `rel_type`.
fn section_with(
    section: &[u8],
    rel_type: u32,
    incoming: bool,
    rel: u64,
    other: u64,
) -> Option<Vec<u8>> {
    // New relationships have the highest ids: the common case is a push at a list's end.
    if let Some(s) = section_push(section, rel_type, incoming, rel, other) {
        return Some(s);
    }
    let mut lists = decode_section(section)?;
    match lists
        .iter_mut()
        .find(|l| l.rel_type == rel_type && l.incoming == incoming)
    {
        Some(l) => match l.edges.last() {
            Some(&(last, _)) if last >= rel => {
                if let Err(at) = l.edges.binary_search_by_key(&rel, |e| e.0) {
                    l.edges.insert(at, (rel, other));
                }
            }
            _ => l.edges.push((rel, other)),
        },
        None => lists.push(AdjList {
            rel_type,
            incoming,
            edges: vec![(rel, other)],
        }),
    }
    Some(encode_section(&mut lists))
}

impl Txn {
    /// Calls `f` with each piece of `node`'s adjacency in one direction: its section, or each
    /// chunk of a spilled one, in chunk order. Nothing when the node has none.
    pub(crate) fn for_each_piece(
        &self,
        node: NodeId,
        incoming: bool,
        mut f: impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        let Some(block) = self.kv_get(&keys::adj_block(node, incoming))? else {
            return Ok(());
        };
        let Some(section) = block_get(&block, keys::node_slot(node)) else {
            return Ok(());
        };
        if stub_parts(section, incoming).is_none() {
            return f(section);
        }
        self.for_each_chunk(node, incoming, f)
    }

    /// Calls `f` with each chunk of `node`'s spilled section, in chunk order.
    pub(crate) fn for_each_chunk(
        &self,
        node: NodeId,
        incoming: bool,
        mut f: impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        for item in self.kv_scan(&keys::chunk_prefix(node, incoming)) {
            f(&item?.1)?;
        }
        Ok(())
    }

    /// Every list of `node` in one direction, chunks merged (each list sorted by rel id).
    pub(crate) fn all_lists(&self, node: NodeId, incoming: bool) -> Result<Vec<AdjList>> {
        let mut lists: Vec<AdjList> = Vec::new();
        self.for_each_piece(node, incoming, |piece| {
            let Some(part) = decode_section(piece) else {
                return Err(self.corrupt(&format!("adjacency of node {node}")));
            };
            for l in part {
                match lists
                    .iter_mut()
                    .find(|x| x.rel_type == l.rel_type && x.incoming == l.incoming)
                {
                    Some(x) => x.edges.extend(l.edges),
                    None => lists.push(l),
                }
            }
            Ok(())
        })?;
        for l in &mut lists {
            if !l.edges.windows(2).all(|w| w[0].0 < w[1].0) {
                l.edges.sort_unstable();
            }
        }
        Ok(lists)
    }

    /// Adds relationship `rel` (of type `rel_type`, to or from `other`) to `node`'s lists of
    /// one direction and its degree entry: a rewrite of the block slot (a small section or a
    /// stub) and at most one chunk, whatever the node's degree.
    pub(crate) fn append_edge(
        &mut self,
        node: NodeId,
        incoming: bool,
        rel_type: u32,
        rel: u64,
        other: NodeId,
    ) -> Result<()> {
        let bad = |t: &Txn| t.corrupt(&format!("adjacency of node {node}"));
        let block_key = keys::adj_block(node, incoming);
        let slot = keys::node_slot(node);
        let section = self.block_entry(&block_key, slot)?;
        let value = match section.as_deref().map(|s| (s, stub_parts(s, incoming))) {
            None => section_with(&[], rel_type, incoming, rel, other).ok_or_else(|| bad(self))?,
            Some((s, None)) => {
                let grown =
                    section_with(s, rel_type, incoming, rel, other).ok_or_else(|| bad(self))?;
                if grown.len() <= SPILL_BYTES {
                    grown
                } else {
                    let (o, i, _) = section_totals(&grown).ok_or_else(|| bad(self))?;
                    self.kv_put(keys::chunk(node, incoming, 0), Some(grown));
                    stub(incoming, o + i, 1)
                }
            }
            Some((_, Some((total, chunks)))) => {
                let last_key = keys::chunk(node, incoming, chunks - 1);
                // The common case for a hub: the chunk the last append wrote, in place.
                let at = (rel_type, incoming);
                if self.push_edge_in_place(&last_key, CHUNK_BYTES, at, rel, other) {
                    let value = stub(incoming, total + 1, chunks);
                    self.put_block_entry(block_key, slot, Some(&value))?;
                    return self.add_degree(node, incoming, 1);
                }
                let last = self.kv_get(&last_key)?.map(|b| b.to_vec());
                let (key, base, chunks) = match last {
                    Some(l) if l.len() >= CHUNK_BYTES => {
                        (keys::chunk(node, incoming, chunks), Vec::new(), chunks + 1)
                    }
                    l => (last_key, l.unwrap_or_default(), chunks),
                };
                let grown =
                    section_with(&base, rel_type, incoming, rel, other).ok_or_else(|| bad(self))?;
                let tail = list_tail::tail_of(&grown, rel_type, incoming);
                self.kv_put(key.clone(), Some(grown));
                if let Some(tail) = tail {
                    self.set_append_tail(&key, tail);
                }
                stub(incoming, total + 1, chunks)
            }
        };
        self.put_block_entry(block_key, slot, Some(&value))?;
        self.add_degree(node, incoming, 1)
    }

    /// Removes relationship `rel` of type `rel_type` from `node`'s lists of one direction and
    /// its degree entry (nothing when it is not there). A spilled section rewrites only the
    /// chunk that holds it.
    pub(crate) fn remove_edge(
        &mut self,
        node: NodeId,
        incoming: bool,
        rel_type: u32,
        rel: u64,
    ) -> Result<()> {
        let bad = |t: &Txn| t.corrupt(&format!("adjacency of node {node}"));
        let block_key = keys::adj_block(node, incoming);
        let slot = keys::node_slot(node);
        let Some(section) = self.block_entry(&block_key, slot)? else {
            return Ok(());
        };
        let section: &[u8] = &section;
        let without = |bytes: &[u8]| -> Option<Option<Vec<u8>>> {
            // The common case without decoding the lists; a malformed section is decoded
            // below (and reported there).
            if let Some(found) = section_remove(bytes, rel_type, incoming, rel) {
                return Some(found);
            }
            let mut lists = decode_section(bytes)?;
            let before: usize = lists.iter().map(|l| l.edges.len()).sum();
            for l in lists
                .iter_mut()
                .filter(|l| l.rel_type == rel_type && l.incoming == incoming)
            {
                l.edges.retain(|(r, _)| *r != rel);
            }
            let after: usize = lists.iter().map(|l| l.edges.len()).sum();
            Some((after < before).then(|| encode_section(&mut lists)))
        };
        let value = match stub_parts(section, incoming) {
            None => match without(section).ok_or_else(|| bad(self))? {
                None => return Ok(()),
                Some(s) => (!s.is_empty()).then_some(s),
            },
            Some((total, chunks)) => {
                let mut found = None;
                for item in self.kv_scan(&keys::chunk_prefix(node, incoming)) {
                    let (k, v) = item?;
                    if let Some(rest) = without(&v).ok_or_else(|| bad(self))? {
                        found = Some((k, rest));
                        break;
                    }
                }
                let Some((key, rest)) = found else {
                    return Ok(());
                };
                self.kv_put(key, (!rest.is_empty()).then_some(rest));
                match total.saturating_sub(1) {
                    0 => {
                        self.drop_chunks(node, incoming)?;
                        None
                    }
                    left => Some(stub(incoming, left, chunks)),
                }
            }
        };
        self.put_block_entry(block_key, slot, value.as_deref())?;
        self.add_degree(node, incoming, -1)
    }

    /// Writes `node`'s lists of one direction as a whole (a section in the block, or one chunk
    /// and a stub when it is too long) in place of what it had (`spilled`: chunks, which go);
    /// the degree entry and the block are the caller's. Returns the block slot's new value.
    pub(crate) fn write_lists(
        &mut self,
        node: NodeId,
        incoming: bool,
        lists: &mut [AdjList],
        spilled: bool,
    ) -> Result<Option<Vec<u8>>> {
        if spilled {
            self.drop_chunks(node, incoming)?;
        }
        let section = encode_section(lists);
        if section.is_empty() {
            return Ok(None);
        }
        if section.len() <= SPILL_BYTES {
            return Ok(Some(section));
        }
        let (o, i, _) = section_totals(&section)
            .ok_or_else(|| self.corrupt(&format!("adjacency of node {node}")))?;
        self.kv_put(keys::chunk(node, incoming, 0), Some(section));
        Ok(Some(stub(incoming, o + i, 1)))
    }

    /// Adds `lists` (relationships newer than any the node has) to the spilled section whose
    /// stub is `(total, chunks)` as one new chunk; returns the new stub.
    pub(crate) fn add_chunk(
        &mut self,
        node: NodeId,
        incoming: bool,
        (total, chunks): (u64, u32),
        lists: &mut [AdjList],
    ) -> Result<Vec<u8>> {
        let chunk = encode_section(lists);
        let added: u64 = lists.iter().map(|l| l.edges.len() as u64).sum();
        if chunk.is_empty() {
            return Ok(stub(incoming, total, chunks));
        }
        self.kv_put(keys::chunk(node, incoming, chunks), Some(chunk));
        Ok(stub(incoming, total + added, chunks + 1))
    }

    /// Deletes every chunk of `node` in one direction.
    pub(crate) fn drop_chunks(&mut self, node: NodeId, incoming: bool) -> Result<()> {
        let chunks: Vec<Vec<u8>> = self
            .kv_scan(&keys::chunk_prefix(node, incoming))
            .map(|r| r.map(|(k, _)| k))
            .collect::<Result<_>>()?;
        for k in chunks {
            self.kv_put(k, None);
        }
        Ok(())
    }

    /// Changes `node`'s degree entry by `delta` in one direction.
    pub(crate) fn add_degree(&mut self, node: NodeId, incoming: bool, delta: i64) -> Result<()> {
        let key = keys::degree_block(node);
        let slot = keys::node_slot(node);
        let (out, inc) = match self.block_entry(&key, slot)?.as_deref() {
            Some(e) => {
                degree_totals(e).ok_or_else(|| self.corrupt(&format!("degree of node {node}")))?
            }
            None => (0, 0),
        };
        let entry = if incoming {
            degree_entry(out, inc.saturating_add_signed(delta))
        } else {
            degree_entry(out.saturating_add_signed(delta), inc)
        };
        self.put_block_entry(key, slot, entry.as_deref())
    }

    /// Folds every spilled section into one chunk, or back into its block when it fits (what
    /// compaction does before it copies). Returns how many sections it folded.
    pub(crate) fn fold_adjacency(&mut self) -> Result<u64> {
        let mut folded = 0;
        for incoming in [false, true] {
            let mut nodes = Vec::new();
            for item in self.kv_scan(&[keys::chunk_kind(incoming)]) {
                let (k, _) = item?;
                let (node, _) = keys::parse_chunk(&k)
                    .ok_or_else(|| self.corrupt("malformed adjacency chunk key"))?;
                if nodes.last() != Some(&node) {
                    nodes.push(node);
                }
            }
            for node in nodes {
                let mut lists = self.all_lists(node, incoming)?;
                let value = self.write_lists(node, incoming, &mut lists, true)?;
                let block_key = keys::adj_block(node, incoming);
                self.put_block_entry(block_key, keys::node_slot(node), value.as_deref())?;
                folded += 1;
            }
        }
        Ok(folded)
    }
}

impl Store {
    /// [`Txn::fold_adjacency`] in one transaction; returns how many sections it folded.
    pub(crate) fn fold_adjacency(&self) -> Result<u64> {
        let mut t = self.begin();
        t.write_access()?;
        let folded = t.fold_adjacency()?;
        t.commit()?;
        Ok(folded)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, Properties};
    use crate::store::{GraphRead, GraphWrite};

    fn node(t: &mut Txn) -> NodeId {
        t.create_node(&["N".into()], Properties::new()).unwrap()
    }

    fn rel(t: &mut Txn, ty: &str, a: NodeId, b: NodeId) -> u64 {
        t.create_relationship(ty, a, b, Properties::new()).unwrap()
    }

    /// The edges of `n` as the store reports them, against the reference `expected`
    /// (rel, other, outgoing) built beside the writes.
    fn assert_edges(t: &Txn, n: NodeId, expected: &[(u64, u64, bool)], types: &[&str]) {
        let mut got: Vec<(u64, u64, bool)> = t
            .edges(n, Direction::Both, types)
            .unwrap()
            .iter()
            .map(|e| (e.rel, e.other, e.outgoing))
            .collect();
        got.sort_unstable();
        let mut want = expected.to_vec();
        want.sort_unstable();
        assert_eq!(got, want);
        // A self-loop counts once both ways, and in each direction on its own.
        let out = want.iter().filter(|e| e.2).count() as u64;
        let loops = want.iter().filter(|e| e.1 == n).count() as u64;
        assert_eq!(t.degree(n, Direction::Outgoing, types).unwrap(), out);
        assert_eq!(
            t.degree(n, Direction::Incoming, types).unwrap(),
            want.len() as u64 - out + loops
        );
        let mut others = Vec::new();
        t.neighbours(n, Direction::Both, types, &mut others)
            .unwrap();
        assert_eq!(others.len(), want.len());
    }

    fn spilled(t: &Txn, n: NodeId, incoming: bool) -> Option<(u64, u32)> {
        let block = t.kv_get(&keys::adj_block(n, incoming)).unwrap()?;
        block_get(&block, keys::node_slot(n)).and_then(|s| stub_parts(s, incoming))
    }

    /// A commit adding one relationship to a node with 20,000 writes about as many bytes as
    /// one adding it to a node with 10 (before: the hub's whole section, ~100 KB, each time).
    #[test]
    fn a_commit_appending_to_a_hub_writes_what_one_to_a_small_node_writes() {
        let store = Store::open_temporary().unwrap();
        let mut t = store.begin();
        let (hub, small) = (node(&mut t), node(&mut t));
        for i in 0..20_000 {
            let leaf = node(&mut t);
            rel(&mut t, "R", hub, leaf);
            if i < 10 {
                rel(&mut t, "R", small, leaf);
            }
        }
        t.commit().unwrap();
        let cost = |n: NodeId| {
            let before = store.committed_bytes();
            let mut t = store.begin();
            let leaf = node(&mut t);
            rel(&mut t, "R", n, leaf);
            t.commit().unwrap();
            store.committed_bytes() - before
        };
        let (to_hub, to_small) = (cost(hub), cost(small));
        assert!(
            to_hub <= 2 * to_small + 4096,
            "hub {to_hub} bytes, small node {to_small} bytes"
        );
        assert!(spilled(&store.begin(), hub, false).is_some());
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report}");
    }

    /// Spilled sections answer every read as the reference does through appends in many
    /// transactions, deletes, a rolled-back statement and the fold compaction does; `check`
    /// stays clean at each step.
    #[test]
    fn spilled_sections_read_delete_roll_back_and_fold() {
        let store = Store::open_temporary().unwrap();
        let mut t = store.begin();
        let hub = node(&mut t);
        let others: Vec<NodeId> = (0..50).map(|_| node(&mut t)).collect();
        t.commit().unwrap();
        let mut expected: Vec<(u64, u64, bool)> = Vec::new();
        let mut x_only: Vec<(u64, u64, bool)> = Vec::new();
        for round in 0..60u64 {
            let mut t = store.begin();
            for i in 0..100u64 {
                let o = others[((round * 7 + i) % 50) as usize];
                let ty = if i % 3 == 0 { "X" } else { "Y" };
                let (r, entry) = match i % 5 {
                    0 => {
                        let r = rel(&mut t, ty, o, hub);
                        (r, (r, o, false))
                    }
                    4 if i % 2 == 0 => {
                        // A self-loop: both lists, reported once.
                        let r = rel(&mut t, ty, hub, hub);
                        (r, (r, hub, true))
                    }
                    _ => {
                        let r = rel(&mut t, ty, hub, o);
                        (r, (r, o, true))
                    }
                };
                let _ = r;
                expected.push(entry);
                if ty == "X" {
                    x_only.push(entry);
                }
            }
            t.commit().unwrap();
        }
        assert!(spilled(&store.begin(), hub, false).is_some());
        assert!(spilled(&store.begin(), hub, true).is_some());
        let t = store.begin();
        assert_edges(&t, hub, &expected, &[]);
        assert_edges(&t, hub, &x_only, &["X"]);
        drop(t);
        assert!(store.check().unwrap().is_clean());

        // Deletes: every third relationship, in two transactions.
        for part in 0..2 {
            let mut t = store.begin();
            let gone: Vec<(u64, u64, bool)> = expected
                .iter()
                .copied()
                .enumerate()
                .filter(|(i, _)| i % 3 == part)
                .map(|(_, e)| e)
                .collect();
            for e in &gone {
                assert!(t.delete_relationship(e.0).unwrap());
            }
            t.commit().unwrap();
            expected.retain(|e| !gone.contains(e));
            x_only.retain(|e| !gone.contains(e));
            let report = store.check().unwrap();
            assert!(report.is_clean(), "{report}");
        }
        let t = store.begin();
        assert_edges(&t, hub, &expected, &[]);
        assert_edges(&t, hub, &x_only, &["X"]);
        drop(t);

        // A statement rolled back to its checkpoint leaves the spilled section as it was.
        let mut t = store.begin();
        let cp = t.checkpoint();
        for _ in 0..2_000 {
            rel(&mut t, "Y", hub, others[0]);
        }
        t.restore(cp);
        assert_edges(&t, hub, &expected, &[]);
        t.commit().unwrap();

        // The same after an append before the checkpoint: the appends after it go in place
        // into the chunk that append wrote (`list_tail.rs`), the restore takes them back, and
        // the next append (reusing a taken-back id) continues the restored chunk.
        let mut t = store.begin();
        let mut kept = expected.clone();
        kept.push((rel(&mut t, "Y", hub, others[0]), others[0], true));
        let cp = t.checkpoint();
        for _ in 0..2_000 {
            rel(&mut t, "Y", hub, others[0]);
        }
        t.restore(cp);
        assert_edges(&t, hub, &kept, &[]);
        kept.push((rel(&mut t, "Y", hub, others[0]), others[0], true));
        assert_edges(&t, hub, &kept, &[]);
        drop(t);

        let folded = store.fold_adjacency().unwrap();
        assert!(folded >= 2, "{folded}");
        let t = store.begin();
        for incoming in [false, true] {
            let chunks = t.kv_scan(&keys::chunk_prefix(hub, incoming)).count();
            assert!(chunks <= 1, "{chunks} chunks after the fold");
        }
        assert_edges(&t, hub, &expected, &[]);
        assert_edges(&t, hub, &x_only, &["X"]);
        drop(t);
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report}");

        // Down to nothing: the stub and its chunks go.
        let mut t = store.begin();
        for e in &expected {
            t.delete_relationship(e.0).unwrap();
        }
        assert!(t.delete_node(hub).unwrap());
        t.commit().unwrap();
        let t = store.begin();
        assert_eq!(t.kv_scan(&[keys::P_CHUNK]).count(), 0);
        assert_eq!(t.kv_scan(&[keys::P_CHUNK_IN]).count(), 0);
        drop(t);
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report}");
    }

    /// `check` reports a chunk without a stub and a stub whose chunks disagree with it.
    #[test]
    fn check_sees_stray_chunks_and_wrong_stubs() {
        let store = Store::open_temporary().unwrap();
        let mut t = store.begin();
        let hub = node(&mut t);
        for _ in 0..1_000 {
            let o = node(&mut t);
            rel(&mut t, "R", hub, o);
        }
        t.commit().unwrap();
        assert!(store.check().unwrap().is_clean());
        let mut t = store.begin();
        t.write_access().unwrap();
        let stray = keys::chunk(hub + 1, false, 0);
        let chunk = t
            .kv_get(&keys::chunk(hub, false, 0))
            .unwrap()
            .unwrap()
            .to_vec();
        t.kv_put(stray, Some(chunk));
        t.commit().unwrap();
        let report = store.check().unwrap().to_string();
        assert!(report.contains("has no spilled section"), "{report}");

        let mut t = store.begin();
        t.write_access().unwrap();
        t.kv_put(keys::chunk(hub + 1, false, 0), None);
        t.kv_put(keys::chunk(hub, false, 0), None);
        t.commit().unwrap();
        let report = store.check().unwrap().to_string();
        assert!(report.contains("adjacency totals of node 0"), "{report}");
    }
}
