//! A transaction's overlay of raw writes, with the slot block it keeps writing held open (its
//! entries' offsets known) so a run of writes to one block costs neither a map lookup nor a
//! walk per entry.
//!
//! A statement that sets a property on every node of a label writes each 64-node block up to
//! 64 times in a row, and reads the same block between the writes. In the map alone each of
//! those is a `BTreeMap` search (a `memcmp` per level) and a walk of the block to the slot.
//! The block written by two `set_slot` calls in a row is taken out of the map (the map keeps
//! its key, so ordered reads still meet it) and held as [`Hot`] with each slot's offset; every
//! read of the overlay looks at it first. Writes scattered over many blocks (a DELETE of
//! relationships here and there) never repeat a block and keep the map's path.

use std::collections::BTreeMap;

use super::codec::{get_varint, put_varint};
use super::records::{block_get, block_is_well_formed, block_set};

/// No entry for this slot in the held block.
const ABSENT: u32 = u32::MAX;

/// The block held open: its bytes (the map holds an empty placeholder under the same key) and
/// where each slot's entry starts.
struct Hot {
    key: Vec<u8>,
    block: Vec<u8>,
    start: [u32; 256],
}

impl Hot {
    /// The block back (`Err`) when it is not well formed: the map's path keeps its exact
    /// behaviour on such a block.
    fn open(key: Vec<u8>, block: Vec<u8>) -> Result<Hot, Vec<u8>> {
        if !block_is_well_formed(&block) || block.len() >= ABSENT as usize {
            return Err(block);
        }
        let mut start = [ABSENT; 256];
        let mut pos = 0usize;
        while let Some(&slot) = block.get(pos) {
            start[usize::from(slot)] = pos as u32;
            let mut p = pos + 1;
            let Some(len) = get_varint(&block, &mut p).and_then(|l| usize::try_from(l).ok()) else {
                return Err(block);
            };
            pos = p + len;
        }
        Ok(Hot { key, block, start })
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
            None => {
                // Before the first entry of a later slot, else at the end.
                let at = self.start[i..]
                    .iter()
                    .copied()
                    .find(|s| *s != ABSENT)
                    .map_or(self.block.len(), |s| s as usize);
                (at, at)
            }
        };
        if entry.len() == to - from {
            self.block[from..to].copy_from_slice(&entry);
        } else {
            let delta = entry.len() as i64 - (to - from) as i64;
            self.block.splice(from..to, entry.iter().copied());
            for s in self.start[i + 1..].iter_mut().filter(|s| **s != ABSENT) {
                *s = (i64::from(*s) + delta) as u32;
            }
        }
        self.start[i] = if value.is_some() { from as u32 } else { ABSENT };
    }
}

/// Every key the transaction wrote (`Some`) or deleted (`None`), with the block it is
/// writing held open.
#[derive(Default)]
pub(crate) struct Overlay {
    map: BTreeMap<Vec<u8>, Option<Vec<u8>>>,
    hot: Option<Hot>,
    /// The key of the latest `set_slot`: a second write to it in a row opens the block.
    last: Vec<u8>,
}

impl Overlay {
    pub(crate) fn is_empty(&self) -> bool {
        self.map.is_empty()
    }

    /// `Some(None)` for a deleted key, `None` for one the transaction has not written.
    pub(crate) fn get(&self, key: &[u8]) -> Option<Option<&[u8]>> {
        match &self.hot {
            Some(h) if h.key == key => Some(Some(&h.block)),
            _ => self.map.get(key).map(Option::as_deref),
        }
    }

    pub(crate) fn contains_key(&self, key: &[u8]) -> bool {
        self.map.contains_key(key)
    }

    /// The entry at `slot` of the slot block under `key`: `None` when the transaction has not
    /// written the key, `Some(None)` when the block (or the slot) is empty.
    pub(crate) fn slot(&self, key: &[u8], slot: u8) -> Option<Option<&[u8]>> {
        match &self.hot {
            Some(h) if h.key == key => Some(h.get(slot)),
            _ => self
                .map
                .get(key)
                .map(|v| v.as_deref().and_then(|b| block_get(b, slot))),
        }
    }

    /// Puts the held block back into the map.
    fn close(&mut self) {
        if let Some(h) = self.hot.take() {
            let value = (!h.block.is_empty()).then_some(h.block);
            self.map.insert(h.key, value);
        }
    }

    pub(crate) fn insert(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        if self.hot.as_ref().is_some_and(|h| h.key == key) {
            self.hot = None;
        }
        self.map.insert(key, value);
    }

    pub(crate) fn remove(&mut self, key: &[u8]) {
        if self.hot.as_ref().is_some_and(|h| h.key == key) {
            self.hot = None;
        }
        self.map.remove(key);
    }

    /// Sets the entry at `slot` of the written block under `key` in place; false (and nothing
    /// changed) when the transaction holds no written block there (absent or deleted).
    pub(crate) fn set_slot(&mut self, key: &[u8], slot: u8, value: Option<&[u8]>) -> bool {
        let repeat = self.last == key;
        if !repeat {
            self.last.clear();
            self.last.extend_from_slice(key);
        }
        if repeat && self.hot.as_ref().is_none_or(|h| h.key != key) {
            self.open(key);
        }
        if let Some(h) = self.hot.as_mut().filter(|h| h.key == key) {
            h.set(slot, value);
            if h.block.is_empty() {
                self.hot = None;
                self.map.insert(key.to_vec(), None);
            }
            return true;
        }
        let Some(Some(block)) = self.map.get_mut(key) else {
            return false;
        };
        block_set(block, slot, value);
        if block.is_empty() {
            self.map.insert(key.to_vec(), None);
        }
        true
    }

    /// Holds the written block under `key` open (closing the one held before); nothing when
    /// the key is not a written, well-formed block.
    fn open(&mut self, key: &[u8]) {
        self.close();
        let Some(Some(block)) = self.map.get_mut(key) else {
            return;
        };
        let bytes = std::mem::take(block);
        match Hot::open(key.to_vec(), bytes) {
            Ok(h) => self.hot = Some(h),
            Err(bytes) => *block = bytes,
        }
    }

    /// Keys from `start` on, ascending, with their values (`None`: deleted).
    pub(crate) fn range_from<'a>(
        &'a self,
        start: &[u8],
    ) -> impl Iterator<Item = (&'a Vec<u8>, Option<&'a [u8]>)> + 'a {
        let hot = self.hot.as_ref();
        self.map
            .range(start.to_vec()..)
            .map(move |(k, v)| match hot {
                Some(h) if h.key == *k => (k, Some(&h.block[..])),
                _ => (k, v.as_deref()),
            })
    }

    /// Every write, the held block closed first (the commit's batch).
    pub(crate) fn take(&mut self) -> BTreeMap<Vec<u8>, Option<Vec<u8>>> {
        self.close();
        self.last.clear();
        std::mem::take(&mut self.map)
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
        let keys: Vec<Vec<u8>> = (0..4u8).map(|i| vec![b'N', 0, i]).collect();
        let mut key = 0usize;
        for step in 0..20_000 {
            if rng.next().is_multiple_of(8) {
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
        assert!(overlay.hot.is_some(), "a run of writes held a block open");
        assert_eq!(overlay.take(), model);
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
        assert!(o.hot.is_some());
        assert!(o.set_slot(&k, 5, None));
        assert!(o.hot.is_none());
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
        assert!(o.hot.as_ref().is_none_or(|h| h.key != m));
        assert_eq!(o.get(&m), Some(Some(&again[..])));
    }
}
