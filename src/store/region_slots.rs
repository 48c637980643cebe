//! The read image's cache of checked value regions: one slot per region, allocated a chunk at a
//! time when a read first reaches it.
//!
//! Why chunks: an image has one region per 8 KiB of values (≈ 110k at L, ≈ 1.1M at XL). A slot
//! table allocated whole at open is megabytes that every `kg` process pays for — the
//! allocation, a page fault per 4 KiB of it, and a walk over all of it at drop — although a
//! lookup touches a handful of regions. Chunks of [`CHUNK`] slots cost one pointer each until
//! used.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{OnceLock, RwLock};

use sled::IVec;

/// Slots per chunk: 256 slots are a few KiB, allocated together.
const CHUNK: usize = 256;

/// One region's cached bytes.
#[derive(Default)]
pub(super) struct Slot {
    pub(super) bytes: RwLock<Option<IVec>>,
    /// Set by every read, cleared by the clock hand passing: a region read since the hand
    /// last passed stays.
    pub(super) used: AtomicBool,
}

/// The slots of `len` regions, by chunk.
pub(super) struct RegionSlots {
    chunks: Box<[OnceLock<Box<[Slot]>>]>,
    len: usize,
}

impl RegionSlots {
    pub(super) fn new(len: usize) -> RegionSlots {
        RegionSlots {
            chunks: (0..len.div_ceil(CHUNK)).map(|_| OnceLock::new()).collect(),
            len,
        }
    }

    /// Regions covered (the image's region count).
    pub(super) fn len(&self) -> usize {
        self.len
    }

    /// Region `r`'s slot, allocating its chunk on first use; `None` past the last region.
    pub(super) fn get(&self, r: usize) -> Option<&Slot> {
        if r >= self.len {
            return None;
        }
        let chunk = self.chunks.get(r / CHUNK)?.get_or_init(|| {
            let n = CHUNK.min(self.len - r / CHUNK * CHUNK);
            (0..n).map(|_| Slot::default()).collect()
        });
        chunk.get(r % CHUNK)
    }

    /// Region `r`'s slot if its chunk was ever allocated (the clock hand skips the rest).
    pub(super) fn peek(&self, r: usize) -> Option<&Slot> {
        self.chunks.get(r / CHUNK)?.get()?.get(r % CHUNK)
    }

    /// The first region of the chunk after `r`'s (where the clock hand goes when `r`'s chunk
    /// holds nothing).
    pub(super) fn next_chunk(r: usize) -> usize {
        (r / CHUNK + 1) * CHUNK
    }

    /// How many chunks are allocated (for tests).
    #[cfg(test)]
    pub(super) fn allocated_chunks(&self) -> usize {
        self.chunks.iter().filter(|c| c.get().is_some()).count()
    }
}

/// Clears `used` and reports whether it was set (the clock's second chance).
pub(super) fn take_used(slot: &Slot) -> bool {
    slot.used.swap(false, Ordering::Relaxed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chunks_are_allocated_only_where_read() {
        let slots = RegionSlots::new(1000);
        assert_eq!(slots.allocated_chunks(), 0);
        assert!(slots.peek(5).is_none());
        assert!(slots.get(999).is_some());
        assert_eq!(slots.allocated_chunks(), 1);
        assert!(slots.peek(999).is_some());
        assert!(slots.peek(5).is_none());
        assert!(slots.get(1000).is_none());
        assert!(slots.get(usize::MAX).is_none());
        assert_eq!(RegionSlots::next_chunk(5), CHUNK);
        // The last chunk is cut to the region count.
        assert!(slots.peek(1000).is_none());
    }

    #[test]
    fn a_slot_keeps_what_was_put_in_it() {
        let slots = RegionSlots::new(3);
        let s = slots.get(2).expect("in range");
        *s.bytes.write().expect("lock") = Some(IVec::from(&b"abc"[..]));
        s.used.store(true, Ordering::Relaxed);
        let again = slots.peek(2).expect("allocated");
        assert_eq!(
            again.bytes.read().expect("lock").as_deref(),
            Some(&b"abc"[..])
        );
        assert!(take_used(again));
        assert!(!take_used(again));
    }
}
