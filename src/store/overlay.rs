//! A transaction's overlay of raw writes, with the slot blocks it keeps writing held open
//! (their entries' offsets known) so a run of writes to one block costs neither a map lookup
//! nor a walk per entry.
//!
//! A statement that sets a property on every node of a label writes each 64-node block up to
//! 64 times in a row, and reads the same block between the writes. In the map alone each of
//! those is a `BTreeMap` search (a `memcmp` per level) and a walk of the block to the slot.
//! A block written again within the last few `set_slot` calls is taken out of the map (the map
//! keeps its key, so ordered reads still meet it) and held as [`Hot`] with each slot's
//! offset; every read of the overlay looks at the held blocks first. Several are held at once
//! because a statement creating entities writes several runs interleaved (node, relationship,
//! adjacency and degree blocks, one entry of each per row). Writes scattered over many blocks
//! (a DELETE of relationships here and there) rarely repeat a block and keep the map's path.

#[cfg(test)]
use std::collections::BTreeMap;
use std::collections::BTreeSet;

use crate::hash::FxHashMap;

use super::codec::{get_varint, put_varint};
use super::list_tail::{self, ListTail};
use super::records::{block_get, block_is_well_formed, block_set};

/// No entry for this slot in the held block.
const ABSENT: u32 = u32::MAX;

/// The block held open: its bytes (the map holds an empty placeholder under the same key),
/// where each slot's entry starts, and when it was last written.
struct Hot {
    key: Vec<u8>,
    block: Vec<u8>,
    start: [u32; 256],
    /// One past the highest slot with an entry (0: none): a new highest slot is an append at
    /// the block's end, with no search of `start` and no offsets to move.
    top: usize,
    /// The overlay's tick at the block's last write: the least recent is closed first.
    used: u64,
}

impl Hot {
    /// The block back (`Err`) when it is not well formed: the map's path keeps its exact
    /// behaviour on such a block. `used`: the overlay's tick now.
    fn open(key: Vec<u8>, block: Vec<u8>, used: u64) -> Result<Hot, Vec<u8>> {
        if !block_is_well_formed(&block) || block.len() >= ABSENT as usize {
            return Err(block);
        }
        let mut start = [ABSENT; 256];
        let mut pos = 0usize;
        let mut top = 0;
        while let Some(&slot) = block.get(pos) {
            start[usize::from(slot)] = pos as u32;
            top = usize::from(slot) + 1;
            let mut p = pos + 1;
            let Some(len) = get_varint(&block, &mut p).and_then(|l| usize::try_from(l).ok()) else {
                return Err(block);
            };
            pos = p + len;
        }
        Ok(Hot {
            key,
            block,
            start,
            top,
            used,
        })
    }

    /// (start, end of the whole entry, start of its bytes) of `slot`'s entry.
    fn span(&self, slot: u8) -> Option<(usize, usize, usize)> {
        let s = *self.start.get(usize::from(slot))?;
        if s == ABSENT {
            return None;
        }
        let s = s as usize;
        let mut p = s + 1;
        let len = usize::try_from(get_varint(&self.block, &mut p)?).ok()?;
        Some((s, p + len, p))
    }

    fn get(&self, slot: u8) -> Option<&[u8]> {
        self.span(slot)
            .map(|(_, end, bytes)| &self.block[bytes..end])
    }

    /// `slot` set to `value` (removed when `None`): the same bytes as [`block_set`] gives.
    fn set(&mut self, slot: u8, value: Option<&[u8]>) {
        let i = usize::from(slot);
        let mut entry = Vec::with_capacity(value.map_or(0, |v| v.len() + 6));
        if let Some(v) = value {
            entry.push(slot);
            put_varint(&mut entry, v.len() as u64);
            entry.extend_from_slice(v);
        }
        let (from, to) = match self.span(slot) {
            Some((s, end, _)) => (s, end),
            // A new highest slot goes at the end.
            None if i >= self.top => (self.block.len(), self.block.len()),
            None => {
                // Before the first entry of a later slot.
                let at = self.start[i..self.top]
                    .iter()
                    .copied()
                    .find(|s| *s != ABSENT)
                    .map_or(self.block.len(), |s| s as usize);
                (at, at)
            }
        };
        if entry.len() == to - from {
            self.block[from..to].copy_from_slice(&entry);
        } else if to == self.block.len() {
            self.block.truncate(from);
            self.block.extend_from_slice(&entry);
        } else {
            let delta = entry.len() as i64 - (to - from) as i64;
            self.block.splice(from..to, entry.iter().copied());
            let top = self.top.max(i + 1);
            for s in self.start[i + 1..top].iter_mut().filter(|s| **s != ABSENT) {
                *s = (i64::from(*s) + delta) as u32;
            }
        }
        self.start[i] = if value.is_some() { from as u32 } else { ABSENT };
        if value.is_some() {
            self.top = self.top.max(i + 1);
        } else if i + 1 == self.top {
            self.top = self.start[..i]
                .iter()
                .rposition(|s| *s != ABSENT)
                .map_or(0, |p| p + 1);
        }
    }
}

/// How many blocks are held open at once: a statement creating entities writes a node block,
/// a relationship block, two adjacency blocks, two degree blocks and a label bitmap per row,
/// each a run of its own, interleaved.
const HELD: usize = 8;

/// Every key the transaction wrote (`Some`) or deleted (`None`), with the blocks it keeps
/// writing held open.
///
/// Invariants: a held block's key stays in the map with an empty placeholder (`Some` of an
/// empty vector; an emptied block is stored as `None`, so only other keys' empty values look
/// the same), so ordered reads meet it and look among the held blocks only for an empty
/// value; at most [`HELD`] blocks are held, each key at most once; every point read looks at
/// the held blocks first.
#[derive(Default)]
pub(crate) struct Overlay {
    /// Every written key's value, for point reads and writes: a hash probe, where a search of
    /// an ordered map costs a key comparison per level (a statement creating a million
    /// entities writes a counter, an id sequence and a few blocks per row).
    map: FxHashMap<Vec<u8>, Option<Vec<u8>>>,
    /// The same keys in order, for ordered reads and the commit's batch.
    order: BTreeSet<Vec<u8>>,
    held: Vec<Hot>,
    /// Counts `set_slot` calls: the clock of [`Hot::used`].
    tick: u64,
    /// Keys of the latest `set_slot` calls that found no held block, as a ring: a write to
    /// one of them again opens its block.
    recent: Vec<Vec<u8>>,
    next_recent: usize,
    /// The adjacency chunk appends last went to, with where its list ends: appends to a hub
    /// go there in place (`list_tail.rs`). Any other write of that key drops it.
    tail: Option<(Vec<u8>, ListTail)>,
}

impl Overlay {
    pub(crate) fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    fn held(&self, key: &[u8]) -> Option<&Hot> {
        self.held.iter().find(|h| h.key == key)
    }

    fn held_index(&self, key: &[u8]) -> Option<usize> {
        self.held.iter().position(|h| h.key == key)
    }

    /// `Some(None)` for a deleted key, `None` for one the transaction has not written.
    pub(crate) fn get(&self, key: &[u8]) -> Option<Option<&[u8]>> {
        match self.held(key) {
            Some(h) => Some(Some(&h.block)),
            None => self.map.get(key).map(Option::as_deref),
        }
    }

    pub(crate) fn contains_key(&self, key: &[u8]) -> bool {
        self.map.contains_key(key)
    }

    /// The entry at `slot` of the slot block under `key`: `None` when the transaction has not
    /// written the key, `Some(None)` when the block (or the slot) is empty.
    pub(crate) fn slot(&self, key: &[u8], slot: u8) -> Option<Option<&[u8]>> {
        match self.held(key) {
            Some(h) => Some(h.get(slot)),
            None => self
                .map
                .get(key)
                .map(|v| v.as_deref().and_then(|b| block_get(b, slot))),
        }
    }

    /// Puts the held block at `i` back into the map.
    fn close(&mut self, i: usize) {
        let h = self.held.swap_remove(i);
        let value = (!h.block.is_empty()).then_some(h.block);
        if let Some(v) = self.map.get_mut(&h.key) {
            *v = value;
        }
    }

    /// Forgets the held block under `key` (its placeholder is about to be replaced) and the
    /// append tail of `key`.
    fn drop_held(&mut self, key: &[u8]) {
        if self.tail.as_ref().is_some_and(|(k, _)| k == key) {
            self.tail = None;
        }
        if let Some(i) = self.held_index(key) {
            self.held.swap_remove(i);
        }
    }

    pub(crate) fn insert(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        self.drop_held(&key);
        match self.map.get_mut(&key) {
            Some(v) => *v = value,
            None => {
                self.order.insert(key.clone());
                self.map.insert(key, value);
            }
        }
    }

    pub(crate) fn remove(&mut self, key: &[u8]) {
        self.drop_held(key);
        if self.map.remove(key).is_some() {
            self.order.remove(key);
        }
    }

    /// Sets the entry at `slot` of the written block under `key` in place; false (and nothing
    /// changed) when the transaction holds no written block there (absent or deleted).
    pub(crate) fn set_slot(&mut self, key: &[u8], slot: u8, value: Option<&[u8]>) -> bool {
        self.tick += 1;
        if self.tail.as_ref().is_some_and(|(k, _)| k == key) {
            self.tail = None;
        }
        let mut at = self.held_index(key);
        if at.is_none() && self.note_recent(key) {
            at = self.open(key);
        }
        if let Some(i) = at {
            let h = &mut self.held[i];
            h.set(slot, value);
            h.used = self.tick;
            if h.block.is_empty() {
                self.held.swap_remove(i);
                if let Some(v) = self.map.get_mut(key) {
                    *v = None;
                }
            }
            return true;
        }
        let Some(entry) = self.map.get_mut(key) else {
            return false;
        };
        let Some(block) = entry else {
            return false;
        };
        block_set(block, slot, value);
        if block.is_empty() {
            *entry = None;
        }
        true
    }

    /// True when `key` was among the latest keys written outside the held blocks (a run of
    /// writes to it is starting); otherwise it becomes one of them.
    fn note_recent(&mut self, key: &[u8]) -> bool {
        if self.recent.iter().any(|k| k == key) {
            return true;
        }
        if self.recent.len() < HELD {
            self.recent.push(key.to_vec());
        } else {
            let k = &mut self.recent[self.next_recent];
            k.clear();
            k.extend_from_slice(key);
            self.next_recent = (self.next_recent + 1) % HELD;
        }
        false
    }

    /// Holds the written block under `key` open (closing the least recently written held
    /// block when all places are taken); its index, or `None` when the key is not a written,
    /// well-formed block.
    fn open(&mut self, key: &[u8]) -> Option<usize> {
        if !matches!(self.map.get(key), Some(Some(b)) if !b.is_empty()) {
            return None;
        }
        if self.held.len() >= HELD {
            let oldest = (0..self.held.len()).min_by_key(|&i| self.held[i].used)?;
            self.close(oldest);
        }
        let Some(Some(block)) = self.map.get_mut(key) else {
            return None;
        };
        let bytes = std::mem::take(block);
        match Hot::open(key.to_vec(), bytes, self.tick) {
            Ok(h) => {
                self.held.push(h);
                Some(self.held.len() - 1)
            }
            Err(bytes) => {
                *block = bytes;
                None
            }
        }
    }

    /// Notes that the written chunk under `key` ends with the list `tail` describes (the
    /// caller has just written it whole).
    pub(crate) fn set_tail(&mut self, key: &[u8], tail: ListTail) {
        if matches!(self.map.get(key), Some(Some(_))) && self.held(key).is_none() {
            self.tail = Some((key.to_vec(), tail));
        }
    }

    /// Whether appends last went to the chunk under `key`.
    pub(crate) fn has_tail(&self, key: &[u8]) -> bool {
        self.tail.as_ref().is_some_and(|(k, _)| k == key)
    }

    /// Appends (rel, other) in place to the chunk under `key` when appends last went there and
    /// it is shorter than `limit`; false, with nothing changed, otherwise.
    pub(crate) fn push_edge(
        &mut self,
        key: &[u8],
        limit: usize,
        (rel_type, incoming): (u32, bool),
        rel: u64,
        other: u64,
    ) -> bool {
        let Some((k, tail)) = self.tail.as_mut() else {
            return false;
        };
        if k.as_slice() != key {
            return false;
        }
        let Some(Some(chunk)) = self.map.get_mut(key) else {
            self.tail = None;
            return false;
        };
        chunk.len() < limit && list_tail::push(chunk, tail, rel_type, incoming, rel, other)
    }

    /// Keys from `start` on, ascending, with their values (`None`: deleted).
    pub(crate) fn range_from<'a>(
        &'a self,
        start: &[u8],
    ) -> impl Iterator<Item = (&'a Vec<u8>, Option<&'a [u8]>)> + 'a {
        self.order.range(start.to_vec()..).map(move |k| {
            match self.map.get(k).and_then(Option::as_deref) {
                // Only a held block's placeholder, or another key's empty value, is empty.
                Some(b) if b.is_empty() => match self.held(k) {
                    Some(h) => (k, Some(&h.block[..])),
                    None => (k, Some(b)),
                },
                v => (k, v),
            }
        })
    }

    /// Every write in key order, the held blocks closed first (the commit's batch).
    pub(crate) fn take(&mut self) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
        while !self.held.is_empty() {
            self.close(self.held.len() - 1);
        }
        self.recent.clear();
        self.next_recent = 0;
        self.tail = None;
        let mut map = std::mem::take(&mut self.map);
        std::mem::take(&mut self.order)
            .into_iter()
            .map(|k| {
                let v = map.remove(&k).flatten();
                (k, v)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::records::block_put;

    /// xorshift64*: reproducible without a dependency.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
    }

    /// Random slot writes (values of varying length, removals, slots up to 127 as in a
    /// relationship block) over a few blocks, runs on one block mixed with jumps between
    /// blocks: every read of the overlay (point, slot, ordered, the commit's batch) is what a
    /// plain map written with `block_put` gives.
    #[test]
    fn held_blocks_read_and_write_as_the_map_alone() {
        let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
        let mut overlay = Overlay::default();
        let mut model: BTreeMap<Vec<u8>, Option<Vec<u8>>> = BTreeMap::new();
        // More keys than blocks held at once, so held blocks are also closed to make room.
        let keys: Vec<Vec<u8>> = (0..(HELD as u8 + 4)).map(|i| vec![b'N', 0, i]).collect();
        let mut key = 0usize;
        for step in 0..20_000 {
            if rng.next().is_multiple_of(4) {
                key = (rng.next() % keys.len() as u64) as usize;
            }
            let k = &keys[key];
            let slot = (rng.next() % 128) as u8;
            let len = (rng.next() % 200) as usize;
            let value: Option<Vec<u8>> = (!rng.next().is_multiple_of(5))
                .then(|| (0..len).map(|i| (i + step) as u8).collect());
            // The transaction's rule: in place when written, else the first write of the key.
            let expected = block_put(
                model.get(k).cloned().flatten().as_deref().unwrap_or(&[]),
                slot,
                value.as_deref(),
            );
            model.insert(
                k.clone(),
                (!expected.is_empty()).then_some(expected.clone()),
            );
            if !overlay.set_slot(k, slot, value.as_deref()) {
                overlay.insert(k.clone(), (!expected.is_empty()).then_some(expected));
            }
            if step.is_multiple_of(7) {
                // A whole-value write or a removal of another key, as kv_put and restore do.
                let other = &keys[(key + 1) % keys.len()];
                if rng.next().is_multiple_of(3) {
                    overlay.remove(other);
                    model.remove(other);
                } else {
                    overlay.insert(other.clone(), Some(vec![1, 1, 9]));
                    model.insert(other.clone(), Some(vec![1, 1, 9]));
                }
            }
            for k in &keys {
                let want = model.get(k).map(|v| v.as_deref());
                assert_eq!(overlay.get(k), want, "step {step}");
                assert_eq!(overlay.contains_key(k), model.contains_key(k));
                let s = (rng.next() % 128) as u8;
                let want = model
                    .get(k)
                    .map(|v| v.as_deref().and_then(|b| block_get(b, s)));
                assert_eq!(overlay.slot(k, s), want, "step {step} slot {s}");
            }
            let got: Vec<_> = overlay.range_from(&keys[1]).collect();
            let want: Vec<_> = model
                .range(keys[1].clone()..)
                .map(|(k, v)| (k, v.as_deref()))
                .collect();
            assert_eq!(got, want, "step {step}");
        }
        assert!(
            !overlay.held.is_empty(),
            "a run of writes held a block open"
        );
        assert_eq!(
            overlay.take().into_iter().collect::<BTreeMap<_, _>>(),
            model
        );
        assert!(overlay.is_empty());
    }

    /// A block emptied while held goes into the map as deleted, and a malformed block is
    /// written by the map's path, never held.
    #[test]
    fn emptied_and_malformed_blocks() {
        let mut o = Overlay::default();
        let k = b"N\x00\x01".to_vec();
        o.insert(k.clone(), Some(block_put(&[], 3, Some(b"abc"))));
        assert!(o.set_slot(&k, 5, Some(b"d")));
        assert!(o.set_slot(&k, 3, None));
        assert!(!o.held.is_empty());
        assert!(o.set_slot(&k, 5, None));
        assert!(o.held.is_empty());
        assert_eq!(o.get(&k), Some(None));
        assert!(
            !o.set_slot(&k, 5, Some(b"x")),
            "a deleted block is not written in place"
        );

        // Slots out of order: not well formed.
        let bad = vec![7, 1, b'a', 2, 1, b'b'];
        let m = b"N\x00\x02".to_vec();
        o.insert(m.clone(), Some(bad.clone()));
        let mut want = bad.clone();
        block_set(&mut want, 2, Some(b"z"));
        assert!(o.set_slot(&m, 2, Some(b"z")));
        let mut again = want.clone();
        block_set(&mut again, 2, Some(b"y"));
        assert!(o.set_slot(&m, 2, Some(b"y")));
        assert!(o.held(&m).is_none());
        assert_eq!(o.get(&m), Some(Some(&again[..])));
    }
}
