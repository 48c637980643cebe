//! A transaction's cache of committed slot blocks, each with its slot offsets found once.
//!
//! Records and adjacency sections live in blocks of up to 256 entries (`records.rs`) that can
//! only be walked from the front. Without a cache, every property or label access of a
//! statement looked its block up again and walked it to the slot: 0.4–1.3 µs, mostly waiting
//! on memory, repeated for every row even when the same node came back (a grouping key read
//! per relationship, an id read per pair). Here a block read a second time is walked once
//! more and kept, and every later access is a hash lookup and a direct slice; a block read
//! once (a point lookup) costs what it did.
//!
//! Only committed data is cached (the overlay of the transaction's own writes is consulted
//! before the cache), and the cache answers only for the store generation it was filled at:
//! a commit by anyone bumps the generation and the next lookup starts afresh. Within a
//! statement no commit lands (the statement gate), so a statement reads one consistent state.
//! The one exception is a commit the transaction makes itself while it keeps the writer lock
//! (`CALL { } IN TRANSACTIONS`, `Txn::commit_batch`): the committed state is then the cached
//! one plus the batch's own writes, so [`BlockCache::refresh`] replaces the written keys and
//! [`BlockCache::advance`] carries the cache to the new generation instead of dropping it.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault};
use std::ops::{Deref, Range};
use std::sync::{Arc, Mutex};

use crate::hash::FxHasher;

use super::records::{block_entries, block_get};

/// Cached bytes above which the cache starts afresh (a scan over a larger graph would
/// otherwise copy the whole store into memory).
const CAPACITY_BYTES: usize = 64 << 20;

/// One block's bytes and where each of its slots starts and ends (`None`: no entry).
pub(crate) struct SlotBlock {
    bytes: Box<[u8]>,
    slots: Box<[Option<(u32, u32)>]>,
}

impl SlotBlock {
    pub(crate) fn new(bytes: &[u8]) -> SlotBlock {
        let base = bytes.as_ptr() as usize;
        let mut slots: Vec<Option<(u32, u32)>> = Vec::new();
        for (slot, entry) in block_entries(bytes) {
            let start = entry.as_ptr() as usize - base;
            let i = usize::from(slot);
            if slots.len() <= i {
                slots.resize(i + 1, None);
            }
            // Offsets fit: blocks are far below 4 GiB (sled values).
            slots[i] = Some((start as u32, (start + entry.len()) as u32));
        }
        SlotBlock {
            bytes: bytes.into(),
            slots: slots.into(),
        }
    }

    fn range(&self, slot: u8) -> Option<Range<usize>> {
        let (start, end) = (*self.slots.get(usize::from(slot))?)?;
        Some(start as usize..end as usize)
    }

    /// The whole block, encoded.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.bytes
    }
}

/// One entry of a block: a slice of a cached block, or a copy (from the overlay).
pub(crate) enum SlotBytes {
    Cached(Arc<SlotBlock>, Range<usize>),
    Owned(Vec<u8>),
}

impl Deref for SlotBytes {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            SlotBytes::Cached(block, range) => &block.bytes[range.clone()],
            SlotBytes::Owned(v) => v,
        }
    }
}

#[derive(Default)]
struct Blocks {
    generation: u64,
    bytes: usize,
    map: HashMap<Vec<u8>, Option<Arc<SlotBlock>>, BuildHasherDefault<FxHasher>>,
    /// Hashes of the block keys read once (a block is cached at its second read).
    seen: HashSet<u64, BuildHasherDefault<FxHasher>>,
    /// Whole values read as they are (label bitmaps).
    values: HashMap<Vec<u8>, Option<Arc<[u8]>>, BuildHasherDefault<FxHasher>>,
    /// Key prefixes known to have no committed key (false) or possibly some (true).
    prefixes: HashMap<Vec<u8>, bool, BuildHasherDefault<FxHasher>>,
}

impl Blocks {
    /// Starts afresh at a new generation, or when `size` more bytes would pass the capacity.
    fn make_room(&mut self, generation: u64, size: usize) {
        if self.generation != generation || self.bytes + size > CAPACITY_BYTES {
            *self = Blocks {
                generation,
                ..Blocks::default()
            };
        }
        self.bytes += size;
    }
}

/// The cache; shared by the threads of a parallel scan through `&Txn`, hence the mutex.
#[derive(Default)]
pub(crate) struct BlockCache {
    blocks: Mutex<Blocks>,
}

impl BlockCache {
    /// The entry at `slot` of the committed block `key` at store `generation`, loading the
    /// block with `load` when it is not cached (`None` from `load`: no such block).
    pub(crate) fn entry<B: Deref<Target = [u8]>, E>(
        &self,
        generation: u64,
        key: &[u8],
        slot: u8,
        load: impl FnOnce() -> Result<Option<B>, E>,
    ) -> Result<Option<SlotBytes>, E> {
        let hash = BuildHasherDefault::<FxHasher>::default().hash_one(key);
        let (block, seen) = {
            let mut b = self.blocks.lock().unwrap_or_else(|e| e.into_inner());
            b.make_room(generation, 0);
            match b.map.get(key) {
                Some(block) => (Some(block.clone()), true),
                None => (None, !b.seen.insert(hash)),
            }
        };
        let block = match block {
            Some(block) => block,
            // The first touch reads the entry as it stands: a point lookup never pays for
            // copying and indexing a block it reads once.
            None if !seen => {
                let Some(bytes) = load()? else {
                    return Ok(None);
                };
                return Ok(block_get(&bytes, slot).map(|e| SlotBytes::Owned(e.to_vec())));
            }
            None => {
                // Loaded outside the lock: the other thread of a parallel scan goes on.
                let block = load()?.map(|bytes| Arc::new(SlotBlock::new(&bytes)));
                let mut b = self.blocks.lock().unwrap_or_else(|e| e.into_inner());
                if b.generation == generation {
                    let size = block.as_ref().map_or(0, |s| s.bytes.len()) + key.len() + 64;
                    b.make_room(generation, size);
                    b.map.insert(key.to_vec(), block.clone());
                }
                block
            }
        };
        Ok(block.and_then(|block| {
            let range = block.range(slot)?;
            Some(SlotBytes::Cached(block, range))
        }))
    }

    /// The committed block `key` if it is cached at store `generation` (`Some(None)`: known
    /// absent); never loads.
    pub(crate) fn cached(&self, generation: u64, key: &[u8]) -> Option<Option<Arc<SlotBlock>>> {
        let b = self.blocks.lock().unwrap_or_else(|e| e.into_inner());
        if b.generation != generation {
            return None;
        }
        b.map.get(key).cloned()
    }

    /// Whether committed data at store `generation` may hold a key starting with `prefix`
    /// (false: it holds none), asking `load` once per generation.
    pub(crate) fn any_with_prefix<E>(
        &self,
        generation: u64,
        prefix: &[u8],
        load: impl FnOnce() -> Result<bool, E>,
    ) -> Result<bool, E> {
        {
            let mut b = self.blocks.lock().unwrap_or_else(|e| e.into_inner());
            b.make_room(generation, 0);
            if let Some(any) = b.prefixes.get(prefix) {
                return Ok(*any);
            }
        }
        let any = load()?;
        let mut b = self.blocks.lock().unwrap_or_else(|e| e.into_inner());
        if b.generation == generation {
            b.prefixes.insert(prefix.to_vec(), any);
        }
        Ok(any)
    }

    /// Brings the cache of `generation` up to date with a write this transaction is about to
    /// commit (`None`: a deletion): a cached block or value under `key` takes the new bytes,
    /// and a prefix known to be empty is no longer once a key with it is written. Only for a
    /// commit that [`BlockCache::advance`] follows.
    pub(crate) fn refresh(&mut self, generation: u64, key: &[u8], value: Option<&[u8]>) {
        let b = self.blocks.get_mut().unwrap_or_else(|e| e.into_inner());
        if b.generation != generation {
            return;
        }
        if let Some(cached) = b.map.get_mut(key) {
            let old = cached.as_ref().map_or(0, |s| s.bytes.len());
            let block = value.map(|v| Arc::new(SlotBlock::new(v)));
            let new = block.as_ref().map_or(0, |s| s.bytes.len());
            *cached = block;
            b.bytes = (b.bytes + new).saturating_sub(old);
        }
        if let Some(cached) = b.values.get_mut(key) {
            let old = cached.as_ref().map_or(0, |v| v.len());
            *cached = value.map(Arc::from);
            b.bytes = (b.bytes + value.map_or(0, <[u8]>::len)).saturating_sub(old);
        }
        if value.is_some() {
            for (prefix, any) in &mut b.prefixes {
                *any |= key.starts_with(prefix);
            }
        }
    }

    /// Moves a cache refreshed with every write of a commit from generation `from` to the
    /// generation `to` that commit produced; anything else starts afresh at `to`.
    pub(crate) fn advance(&mut self, from: u64, to: u64) {
        let b = self.blocks.get_mut().unwrap_or_else(|e| e.into_inner());
        if b.generation == from {
            b.generation = to;
        } else {
            b.make_room(to, 0);
        }
    }

    /// The committed value under `key` at store `generation`, loading it with `load` when it
    /// is not cached.
    pub(crate) fn value<E>(
        &self,
        generation: u64,
        key: &[u8],
        load: impl FnOnce() -> Result<Option<Vec<u8>>, E>,
    ) -> Result<Option<Arc<[u8]>>, E> {
        {
            let mut b = self.blocks.lock().unwrap_or_else(|e| e.into_inner());
            b.make_room(generation, 0);
            if let Some(v) = b.values.get(key) {
                return Ok(v.clone());
            }
        }
        let value: Option<Arc<[u8]>> = load()?.map(Arc::from);
        let mut b = self.blocks.lock().unwrap_or_else(|e| e.into_inner());
        if b.generation == generation {
            b.make_room(
                generation,
                value.as_ref().map_or(0, |v| v.len()) + key.len() + 64,
            );
            b.values.insert(key.to_vec(), value.clone());
        }
        Ok(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::records::block_append;

    fn block(entries: &[(u8, &[u8])]) -> Vec<u8> {
        let mut b = Vec::new();
        for (slot, bytes) in entries {
            block_append(&mut b, *slot, bytes);
        }
        b
    }

    fn get(c: &BlockCache, generation: u64, key: &[u8], slot: u8, data: &[u8]) -> Option<Vec<u8>> {
        c.entry::<Vec<u8>, ()>(generation, key, slot, || Ok(Some(data.to_vec())))
            .unwrap()
            .map(|s| s.to_vec())
    }

    #[test]
    fn finds_every_slot_and_misses_absent_ones() {
        let data = block(&[(0, b"zero"), (3, b""), (7, b"seven"), (255, b"last")]);
        let c = BlockCache::default();
        assert_eq!(get(&c, 1, b"k", 0, &data), Some(b"zero".to_vec()));
        assert_eq!(get(&c, 1, b"k", 3, &data), Some(Vec::new()));
        assert_eq!(get(&c, 1, b"k", 7, &data), Some(b"seven".to_vec()));
        assert_eq!(get(&c, 1, b"k", 255, &data), Some(b"last".to_vec()));
        assert_eq!(get(&c, 1, b"k", 1, &data), None);
        assert_eq!(get(&c, 1, b"k", 8, &data), None);
    }

    #[test]
    fn loads_a_block_once_per_generation() {
        let data = block(&[(1, b"a"), (2, b"b")]);
        let c = BlockCache::default();
        let mut loads = 0;
        for slot in [1, 2, 1, 2] {
            c.entry::<Vec<u8>, ()>(5, b"k", slot, || {
                loads += 1;
                Ok(Some(data.clone()))
            })
            .unwrap();
        }
        // The first read goes straight to the block, the second caches it.
        assert_eq!(loads, 2);
        // A commit (new generation) makes the cache load again, and see the new bytes.
        let newer = block(&[(1, b"new")]);
        assert_eq!(get(&c, 6, b"k", 1, &newer), Some(b"new".to_vec()));
        assert_eq!(get(&c, 6, b"k", 2, &newer), None);
    }

    #[test]
    fn remembers_missing_blocks_and_passes_errors_on() {
        let c = BlockCache::default();
        for _ in 0..2 {
            let r = c
                .entry(1, b"k", 0, || Ok::<Option<Vec<u8>>, &str>(None))
                .unwrap();
            assert!(r.is_none());
        }
        // The absence is cached: the loader is not asked again.
        let r = c
            .entry(1, b"k", 0, || Err::<Option<Vec<u8>>, _>("asked again"))
            .unwrap();
        assert!(r.is_none());
        let r = c.entry(1, b"other", 0, || Err::<Option<Vec<u8>>, _>("io"));
        assert_eq!(r.err(), Some("io"));
    }

    #[test]
    fn a_refreshed_cache_advances_with_the_commits_bytes() {
        let mut c = BlockCache::default();
        let old = block(&[(1, b"old"), (2, b"kept")]);
        for _ in 0..2 {
            get(&c, 7, b"k", 1, &old);
        }
        c.value::<()>(7, b"bits", || Ok(Some(vec![0]))).unwrap();
        assert!(!c.any_with_prefix::<()>(7, b"J", || Ok(false)).unwrap());
        c.refresh(7, b"k", Some(&block(&[(1, b"new")])));
        c.refresh(7, b"bits", None);
        c.refresh(7, b"Jx", Some(b"1"));
        c.refresh(7, b"other", Some(b"not cached"));
        c.advance(7, 8);
        let fail = || Err::<Option<Vec<u8>>, _>("loaded again");
        let e = c.entry(8, b"k", 1, fail).unwrap().map(|s| s.to_vec());
        assert_eq!(e, Some(b"new".to_vec()));
        assert!(c.entry(8, b"k", 2, fail).unwrap().is_none());
        assert!(c
            .value::<&str>(8, b"bits", || Err("loaded"))
            .unwrap()
            .is_none());
        assert!(c.any_with_prefix::<&str>(8, b"J", || Err("asked")).unwrap());
        // Not cached before: still read from the store.
        assert!(c.cached(8, b"other").is_none());
        // A cache not at the commit's starting generation starts afresh.
        c.advance(5, 9);
        assert!(c.cached(9, b"k").is_none());
    }

    #[test]
    fn caches_whole_values_per_generation() {
        let c = BlockCache::default();
        let v = c.value::<()>(1, b"bits", || Ok(Some(vec![1, 2]))).unwrap();
        assert_eq!(v.as_deref(), Some(&[1u8, 2][..]));
        let v = c.value::<&str>(1, b"bits", || Err("asked again")).unwrap();
        assert_eq!(v.as_deref(), Some(&[1u8, 2][..]));
        let v = c.value::<()>(2, b"bits", || Ok(None)).unwrap();
        assert!(v.is_none());
    }
}
