//! The read image's cache of checked value regions: one slot per region, allocated a chunk at a
//! time when a read first reaches it, and two tiers: a region's first read is kept in a small
//! first-in first-out *probation* tier, and only a region read again after it left probation
//! is kept in the main cache (the image's clock, bounded by `CACHE_BYTES`).
//!
//! Why chunks: an image has one region per 8 KiB of values (≈ 110k at L, ≈ 1.1M at XL). A slot
//! table allocated whole at open is megabytes that every `kg` process pays for — the
//! allocation, a page fault per 4 KiB of it, and a walk over all of it at drop — although a
//! lookup touches a handful of regions. Chunks of [`CHUNK`] slots cost one pointer each until
//! used.
//!
//! Why probation: a scan of many nodes or relationships reads each region once, in file order
//! (A1 at M: 5,963 regions, 49 MB, each block read once but the node blocks, which the parallel
//! path reads for the node ids and later for `a.country`). Kept in the main cache, every one
//! was fresh heap memory: about 12,000 page faults, each page zeroed by the kernel before the
//! region was copied in (a sixth of A1's CPU). Probation holds [`PROBATION_BYTES`] and drops
//! its oldest, whose buffer is a spare the next region is read into: a scan of any length
//! touches a few MiB, allocates nothing per region and copies no zeros. A region read again
//! within that window is still read once; one read again later (a point read's hot region,
//! A1's node blocks) pays one more read and is then kept in the main cache. Every region read
//! is still checked, whichever tier it lands in.

use std::collections::VecDeque;
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock, RwLock};

use sled::IVec;

/// A region of the image closes before a value that would take it past this many bytes (a
/// larger value has a region of its own). Smaller regions make a cold point read cheaper (one
/// `pread` and CRC of this size) and the region table larger; see docs/performance.md. Here,
/// below `image.rs`, because the cache sizes its spare buffers by it.
pub const REGION_BYTES: usize = 8 << 10;

/// Slots per chunk: 256 slots are a few KiB, allocated together.
const CHUNK: usize = 256;

/// The most bytes of regions in probation: wide enough that a region a scan's chunk reads
/// twice (at most a few hundred KiB apart, both threads reading) is still there.
pub const PROBATION_BYTES: usize = 4 << 20;

/// Zeros to copy a fresh region buffer from: most regions are at most [`REGION_BYTES`].
static ZEROS: [u8; 4 * REGION_BYTES] = [0; 4 * REGION_BYTES];

/// A zeroed, unshared `IVec` of `len` bytes to read a region into. Built from [`ZEROS`]
/// when it fits: an `IVec` can only be made by copying, and copying zeros into it beats
/// zeroing a vector that `IVec::from` would then copy again (≈ 13 % of A4 at L).
fn zeroed(len: usize) -> IVec {
    match ZEROS.get(..len) {
        Some(zeros) => IVec::from(zeros),
        None => IVec::from(vec![0u8; len]),
    }
}

/// Spare region buffers kept at most: enough for both threads' reads between drops.
const SPARES: usize = 64;

/// A slot's tier ([`Slot::tier`]): never kept; in probation; dropped (from either tier: the
/// next read keeps it in the main cache); in the main cache.
const FRESH: u8 = 0;
const PROBATION: u8 = 1;
const DROPPED: u8 = 2;
const MAIN: u8 = 3;

/// One region's cached bytes.
#[derive(Default)]
pub(super) struct Slot {
    pub(super) bytes: RwLock<Option<IVec>>,
    /// Set by every read, cleared by the clock hand passing: a region read since the hand
    /// last passed stays.
    pub(super) used: AtomicBool,
    /// Where `bytes` is kept ([`FRESH`] … [`MAIN`]); changed only under `bytes`' write lock.
    tier: AtomicU8,
}

impl Slot {
    /// Takes the bytes this slot keeps in the main cache (none in probation: the probation
    /// tier drops its own).
    pub(super) fn drop_main(&self) -> Option<IVec> {
        let mut kept = self.bytes.write().unwrap_or_else(|e| e.into_inner());
        if self.tier.load(Ordering::Relaxed) != MAIN {
            return None;
        }
        self.tier.store(DROPPED, Ordering::Relaxed);
        kept.take()
    }
}

/// The regions in probation, oldest first, with their lengths, and their bytes in all.
#[derive(Default)]
struct Probation {
    queue: VecDeque<(usize, usize)>,
    bytes: usize,
}

/// The slots of `len` regions, by chunk.
pub(super) struct RegionSlots {
    chunks: Box<[OnceLock<Box<[Slot]>>]>,
    len: usize,
    probation: Mutex<Probation>,
    /// Buffers of dropped regions, read into again ([`RegionSlots::buffer`]).
    spare: Mutex<Vec<IVec>>,
    /// [`PROBATION_BYTES`] (smaller in tests).
    pub(super) probation_limit: AtomicUsize,
}

impl RegionSlots {
    pub(super) fn new(len: usize) -> RegionSlots {
        RegionSlots {
            chunks: (0..len.div_ceil(CHUNK)).map(|_| OnceLock::new()).collect(),
            len,
            probation: Mutex::new(Probation::default()),
            spare: Mutex::new(Vec::new()),
            probation_limit: AtomicUsize::new(PROBATION_BYTES),
        }
    }

    /// An unshared buffer to read a region of `len` bytes into, at least `len` long: for a
    /// region of at most `REGION_BYTES` (most are) a buffer of that size, a spare one that
    /// probation or the cache dropped when there is one (no allocation, no fresh memory).
    pub(super) fn buffer(&self, len: usize) -> IVec {
        if len > REGION_BYTES {
            return zeroed(len);
        }
        let spare = self.spare.lock().unwrap_or_else(|e| e.into_inner()).pop();
        spare.unwrap_or_else(|| zeroed(REGION_BYTES))
    }

    /// Keeps `buf`, a dropped region's buffer, for [`RegionSlots::buffer`] if it has the
    /// size of one and fewer than [`SPARES`] are kept.
    pub(super) fn recycle(&self, buf: IVec) {
        if buf.len() == REGION_BYTES {
            let mut spare = self.spare.lock().unwrap_or_else(|e| e.into_inner());
            if spare.len() < SPARES {
                spare.push(buf);
            }
        }
    }

    /// Keeps `bytes`, region `r`'s buffer as just read and checked, unless another reader
    /// kept it first: a first read in probation (dropping its oldest regions past the limit,
    /// their buffers kept as spares), a read after the region was dropped in the main cache.
    /// Returns the bytes the main cache grew by (the caller accounts for them and evicts).
    pub(super) fn keep(&self, r: usize, bytes: IVec) -> usize {
        let Some(slot) = self.get(r) else {
            return 0;
        };
        let len = {
            let mut kept = slot.bytes.write().unwrap_or_else(|e| e.into_inner());
            if kept.is_some() {
                return 0;
            }
            let len = bytes.len();
            *kept = Some(bytes);
            if slot.tier.load(Ordering::Relaxed) != FRESH {
                slot.tier.store(MAIN, Ordering::Relaxed);
                return len;
            }
            slot.tier.store(PROBATION, Ordering::Relaxed);
            len
        };
        // Recycled outside the probation lock.
        let mut dropped = Vec::new();
        {
            let mut p = self.probation.lock().unwrap_or_else(|e| e.into_inner());
            p.queue.push_back((r, len));
            p.bytes += len;
            let limit = self.probation_limit.load(Ordering::Relaxed);
            while p.bytes > limit {
                let Some((old, len)) = p.queue.pop_front() else {
                    break;
                };
                p.bytes -= len;
                // A region enters probation once (from `FRESH`), so it is still there.
                if let Some(slot) = self.peek(old) {
                    let mut kept = slot.bytes.write().unwrap_or_else(|e| e.into_inner());
                    if slot.tier.load(Ordering::Relaxed) == PROBATION {
                        slot.tier.store(DROPPED, Ordering::Relaxed);
                        dropped.extend(kept.take());
                    }
                }
            }
        }
        for buf in dropped {
            self.recycle(buf);
        }
        0
    }

    /// Spare buffers kept (for tests).
    #[cfg(test)]
    pub(super) fn spares(&self) -> usize {
        self.spare.lock().map_or(0, |s| s.len())
    }

    /// Bytes in probation (for tests).
    #[cfg(test)]
    pub(super) fn probation_bytes(&self) -> usize {
        self.probation.lock().map_or(0, |p| p.bytes)
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
