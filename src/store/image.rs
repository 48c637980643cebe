//! The read image: every key and value of the store, sorted, in one file that compaction
//! writes and reads use until the next commit.
//!
//! Why: sled 0.34 loads a page on its first touch by `pread`, deserialising the whole leaf and
//! allocating (about 6 µs per page plus 0.8 µs per KiB, see docs/performance.md), and every
//! new `kg` process starts with an empty cache. A script of 1000 lookups in a fresh process
//! spent most of its time there. Through the image, a cold value costs one `pread` of its
//! region from the operating system's page cache and a warm read is a hash probe into memory.
//!
//! Validity: an image is a copy of the store at one moment, named by a random stamp; what
//! commits changed since is its delta (`delta.rs`), read over it ([`Image::with_delta`]:
//! `get`, `has_kind` and the scans consult the delta first). sled's stamp (`00 "image"`) names
//! both. When they may be read, how they are written and what a commit does to them are
//! invariants 1–4 and 7 of `lifecycle.rs`; [`Image::open`] ignores (and deletes) an image that
//! is missing, malformed or not of the given stamp.
//!
//! Integrity: what is read is checked. The keys, table, hash area and region table (the
//! *index*, about 1.2 MiB at bench scale M and 17 MiB at L) are cut into *pieces* of
//! [`PIECE`] bytes, each with a CRC-32 in the piece table; the header's checksum covers the
//! header and that table, checked at open. A piece is read with `pread` and checked the first
//! time a lookup or scan needs it, and kept while the image is open: an open reads the header
//! and the piece table only, so its cost does not grow with the database (layout 2 read and
//! checked the whole index at every open, ≈ 20 ms of CPU at L). The values are grouped into *regions* of about
//! [`REGION_BYTES`], each with a CRC-32 in the region table; a region is read with `pread`
//! when a value in it is first wanted, checked, and kept: first in a small probation tier
//! a scan's one-time reads pass through, then, read again, in a cache bounded by
//! [`CACHE_BYTES`] (clock eviction; `region_slots.rs`). The first read in each aligned [`READ_AROUND`] group of
//! values asks the kernel to read the whole group (`POSIX_FADV_WILLNEED`), which a map got
//! from the kernel's read-around: cold, neighbouring regions then come from memory, not each
//! from the disk. A region that does not match, or that cannot be read
//! whole (the file was cut short), is an error of this image alone: the store then reads sled
//! instead (`Lifecycle::image_failed`). Nothing is memory-mapped, so a file truncated or
//! rewritten under a reader can make reads fail, never crash the process (a map would raise SIGBUS), and
//! whatever was read before stays right: it was copied and checked.
//!
//! Layout (little-endian integers):
//!
//! | offset | content |
//! |---|---|
//! | 0 | magic `KGIMAGE\0`, layout version u32, store format version u32 |
//! | 16 | stamp, 16 bytes |
//! | 32 | entry count u64, keys-area offset u64, table offset u64, file length u64 |
//! | 64 | hash-area offset u64, hash slot count u64 (a power of two), checksum u64, region-table offset u64 |
//! | 96 | piece-table offset u64 |
//! | 104 | the values, back to back, region after region |
//! | keys area | the keys, back to back |
//! | table | per entry in key order ([`ENTRY`] bytes): value offset u64, value length u32, key offset in the keys area u32, key length u32, region u32 |
//! | hash area | per slot a u32: an entry's index, or `u32::MAX` for none; entry i sits at the first free slot from `fnv1a(key) mod slots` on (linear probing) |
//! | region table | per region ([`REGION`] bytes): offset u64, length u32, CRC-32 (IEEE) of its bytes u32 |
//! | piece table | per [`PIECE`] bytes of the index (keys area to region table, the last piece shorter): CRC-32 (IEEE) u32 |
//!
//! The checksum covers the header (but itself) and the piece table.
//!
//! The writer is `image_writer.rs` (compaction uses it); this file is the layout and the reader.
//!
//! Point reads go through the hash area (a probe or two, each one cache line, where a binary
//! search over 30k entries touches about 15 lines of the table and 15 of the keys); prefix
//! scans binary-search the table once and then walk it.

use std::borrow::Cow;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, OnceLock};

use sled::IVec;

use crate::error::Result;

use super::delta::{Delta, NAMES};
use super::errors::corrupt;
use super::region_slots::{take_used, RegionSlots};
// FNV-1a builds the hash area; like the index buckets it relies on, it must never change.
use super::keys::fnv1a;

/// The image's file name inside the database directory.
pub const FILE_NAME: &str = "kg.image";
pub(super) const TMP_NAME: &str = "kg.image.tmp";
pub(super) const MAGIC: &[u8; 8] = b"KGIMAGE\0";
/// 3: the index checked per piece when first read (2 read and checked it whole at open; 1 had
/// no value checksums). An image of another layout is refused (the store reads sled until the
/// next compaction writes a new one).
pub(super) const LAYOUT: u32 = 3;
pub(super) const HEADER: usize = 104;
/// Bytes per checked piece of the index. A cold point read touches three pieces (hash slot,
/// table entry, key; one more for each that straddles a boundary), so smaller is cheaper per cold lookup and larger means fewer
/// `pread`s for a scan; 32 KiB is read and checked in a few microseconds.
pub(super) const PIECE: usize = 32 << 10;
/// An empty hash slot.
pub(super) const NO_ENTRY: u32 = u32::MAX;
/// Bytes per table entry.
pub(super) const ENTRY: usize = 24;
/// Bytes per region-table entry.
pub(super) const REGION: usize = 16;
/// The size regions are cut to (defined with the region cache, which sizes its spare
/// buffers by it; see there).
pub use super::region_slots::REGION_BYTES;
/// The first cold read in an aligned group of this many bytes of values asks the kernel to
/// read the whole group ([`Image::hint_group`]; see docs/performance.md).
pub const READ_AROUND: usize = 128 << 10;
/// The most bytes of regions read more than once that one open image keeps in memory
/// (regions read once are in probation, `region_slots::PROBATION_BYTES`).
pub const CACHE_BYTES: usize = 256 << 20;

pub use super::delta::new_stamp;

fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

fn le_u64(b: &[u8], at: usize) -> Option<usize> {
    usize::try_from(u64::from_le_bytes(
        b.get(at..at.checked_add(8)?)?.try_into().ok()?,
    ))
    .ok()
}

/// The image's checksum: a multiply-rotate hash, eight bytes at a time, of the header with
/// the checksum field left out and of `rest` (part of the layout, like [`fnv1a`]).
pub(super) fn checksum(header: &[u8], rest: &[u8]) -> u64 {
    let mut h: u64 = 0x9e37_79b9_7f4a_7c15;
    for part in [&header[..80], &header[88..HEADER], rest] {
        let mut words = part.chunks_exact(8);
        for w in &mut words {
            let w = u64::from_le_bytes([w[0], w[1], w[2], w[3], w[4], w[5], w[6], w[7]]);
            h = (h ^ w).wrapping_mul(0xff51_afd7_ed55_8ccd).rotate_left(23);
        }
        for &b in words.remainder() {
            h = (h ^ u64::from(b)).wrapping_mul(0xc4ce_b9fe_1a85_ec53);
        }
        h = h.rotate_left(7) ^ part.len() as u64;
    }
    h
}

/// Reads exactly `buf.len()` bytes of `file` at `at`.
#[cfg(unix)]
fn read_at(file: &File, buf: &mut [u8], at: usize) -> std::io::Result<()> {
    use std::os::unix::fs::FileExt;
    file.read_exact_at(buf, at as u64)
}

#[cfg(not(unix))]
fn read_at(_file: &File, _buf: &mut [u8], _at: usize) -> std::io::Result<()> {
    Err(std::io::Error::new(
        std::io::ErrorKind::Unsupported,
        "the read image needs positioned reads",
    ))
}

/// An open, validated image.
pub(crate) struct Image {
    file: File,
    path: PathBuf,
    stamp: [u8; 16],
    /// The index (keys area to region table) by [`PIECE`], each read and checked when first
    /// needed ([`Image::piece`]).
    pieces: Box<[OnceLock<Box<[u8]>>]>,
    /// The expected CRC-32 of each piece (the piece table, checked at open).
    piece_crcs: Box<[u32]>,
    /// Bytes in the index.
    index_len: usize,
    entries: usize,
    /// Offsets inside the index.
    table_at: usize,
    hash_at: usize,
    regions_at: usize,
    /// The end of the values area in the file (where the keys area starts).
    values_end: usize,
    /// A power of two (so `hash & (slots - 1)` picks a slot).
    slots: usize,
    /// The regions read and checked so far ([`RegionSlots`]: allocated where reads reach).
    cache: RegionSlots,
    /// Per [`READ_AROUND`] group of the values: whether the kernel was asked to read it.
    hinted: Box<[AtomicBool]>,
    cached_bytes: AtomicUsize,
    /// [`CACHE_BYTES`] (smaller in tests).
    cache_limit: AtomicUsize,
    clock: Mutex<usize>,
    /// Per first byte (key kind, `keys.rs`): 0 not asked yet, 1 no key has it, 2 some key
    /// has it. Each kind is looked up when first asked (one binary search), not all 256 at
    /// once: that would read most pieces of the index.
    kinds: [std::sync::atomic::AtomicU8; 256],
    /// What commits changed since the image was written (`delta.rs`), read over it; `None`
    /// only in tests of the image alone.
    delta: Option<Delta>,
}

impl Image {
    /// The image in `dir` if it exists, is well formed, was written for store format `format`
    /// and carries `stamp`; otherwise `None`, and a file that is there is deleted (best effort:
    /// the caller holds the database's lock, so the file is no one else's).
    pub fn open(dir: &Path, stamp: Option<&[u8]>, format: u32) -> Option<Image> {
        let path = dir.join(FILE_NAME);
        let _ = std::fs::remove_file(dir.join(TMP_NAME));
        let image = stamp.and_then(|stamp| Image::load(&path, stamp, format));
        if image.is_none() && path.exists() {
            let _ = std::fs::remove_file(&path);
        }
        image
    }

    /// The image at `path` if it is well formed, was written for store format `format` and
    /// carries `stamp`; deletes nothing (a sealed reader holds only a shared lock). Reads the
    /// header and the piece table; the index and the values are read when wanted.
    pub fn load(path: &Path, stamp: &[u8], format: u32) -> Option<Image> {
        let file = File::open(path).ok()?;
        let len = usize::try_from(file.metadata().ok()?.len()).ok()?;
        let mut h = [0u8; HEADER];
        read_at(&file, &mut h, 0).ok()?;
        if &h[..8] != MAGIC || le_u32(&h, 8)? != LAYOUT || le_u32(&h, 12)? != format {
            return None;
        }
        if &h[16..32] != stamp || le_u64(&h, 56)? != len {
            return None;
        }
        let (entries, keys_at, table_at) = (le_u64(&h, 32)?, le_u64(&h, 40)?, le_u64(&h, 48)?);
        let (hash_at, slots, regions_at) = (le_u64(&h, 64)?, le_u64(&h, 72)?, le_u64(&h, 88)?);
        let pieces_at = le_u64(&h, 96)?;
        let table_end = entries.checked_mul(ENTRY)?.checked_add(table_at)?;
        let hash_end = slots.checked_mul(4)?.checked_add(hash_at)?;
        let regions = (pieces_at.checked_sub(regions_at)?) / REGION;
        let index_len = pieces_at.checked_sub(keys_at)?;
        let pieces = index_len.div_ceil(PIECE);
        if !(HEADER <= keys_at && keys_at <= table_at && table_end == hash_at)
            || hash_end != regions_at
            || regions_at + regions * REGION != pieces_at
            || pieces_at.checked_add(pieces.checked_mul(4)?)? != len
            || !slots.is_power_of_two()
            || slots <= entries
        {
            return None;
        }
        let mut table = vec![0u8; pieces * 4];
        read_at(&file, &mut table, pieces_at).ok()?;
        if h[80..88] != checksum(&h, &table).to_le_bytes() {
            return None;
        }
        Some(Image {
            file,
            path: path.to_path_buf(),
            stamp: h[16..32].try_into().ok()?,
            pieces: (0..pieces).map(|_| OnceLock::new()).collect(),
            piece_crcs: table
                .chunks_exact(4)
                .map(|c| u32::from_le_bytes([c[0], c[1], c[2], c[3]]))
                .collect(),
            index_len,
            entries,
            table_at: table_at - keys_at,
            hash_at: hash_at - keys_at,
            regions_at: regions_at - keys_at,
            values_end: keys_at,
            slots,
            cache: RegionSlots::new(regions),
            hinted: (0..keys_at.div_ceil(READ_AROUND))
                .map(|_| AtomicBool::new(false))
                .collect(),
            cached_bytes: AtomicUsize::new(0),
            cache_limit: AtomicUsize::new(CACHE_BYTES),
            clock: Mutex::new(0),
            kinds: std::array::from_fn(|_| std::sync::atomic::AtomicU8::new(0)),
            delta: None,
        })
    }

    /// This image read with `delta` over it, if the delta was written over this image.
    pub fn with_delta(mut self, delta: Delta) -> Option<Image> {
        (delta.names()[..16] == self.stamp).then(|| {
            self.delta = Some(delta);
            self
        })
    }

    /// The names sled's stamp holds while this image and its delta are current
    /// (`delta.rs`); `None` for an image read without a delta.
    pub fn names(&self) -> Option<&[u8; NAMES]> {
        self.delta.as_ref().map(Delta::names)
    }

    /// The delta read over this image.
    pub fn delta(&self) -> Option<&Delta> {
        self.delta.as_ref()
    }

    /// Piece `p` of the index: kept, or read and checked now. A piece that cannot be read
    /// whole or does not match its CRC is an error of this image alone (as a region's is).
    fn piece(&self, p: usize) -> Result<&[u8]> {
        let (Some(cell), Some(&crc)) = (self.pieces.get(p), self.piece_crcs.get(p)) else {
            return Err(self.damaged("an offset lies past the index"));
        };
        if let Some(bytes) = cell.get() {
            return Ok(bytes);
        }
        let start = p * PIECE;
        let len = PIECE.min(self.index_len - start);
        let at = self.values_end + start;
        let mut buf = vec![0u8; len];
        if let Err(e) = read_at(&self.file, &mut buf, at) {
            return Err(self.damaged(&format!(
                "its index at bytes {at}..{} cannot be read ({e}); was the file changed?",
                at + len
            )));
        }
        if crc32fast::hash(&buf) != crc {
            return Err(self.damaged(&format!(
                "its index at bytes {at}..{} does not match its checksum",
                at + len
            )));
        }
        // Two threads may read the same piece; both copies were checked, the first is kept.
        let _ = cell.set(buf.into_boxed_slice());
        cell.get()
            .map(|b| &b[..])
            .ok_or_else(|| self.damaged("a piece of the index was not kept"))
    }

    /// `len` bytes of the index from offset `at` if they lie in one piece already read: the
    /// path of nearly every read once the pieces a workload needs are in.
    #[inline]
    fn kept_bytes(&self, at: usize, len: usize) -> Option<&[u8]> {
        let from = at % PIECE;
        self.pieces
            .get(at / PIECE)?
            .get()?
            .get(from..from.checked_add(len)?)
    }

    /// `len` bytes of the index from offset `at`: borrowed from their piece, or copied when
    /// they straddle two.
    #[inline]
    fn index_bytes(&self, at: usize, len: usize) -> Result<Cow<'_, [u8]>> {
        if let Some(b) = self.kept_bytes(at, len) {
            return Ok(Cow::Borrowed(b));
        }
        self.read_index_bytes(at, len)
    }

    /// [`Image::index_bytes`] when a piece is still to be read or the bytes straddle two.
    #[cold]
    fn read_index_bytes(&self, at: usize, len: usize) -> Result<Cow<'_, [u8]>> {
        let end = at
            .checked_add(len)
            .filter(|&e| e <= self.index_len)
            .ok_or_else(|| self.damaged("an offset lies past the index"))?;
        let cut = |p: usize, from: usize, to: usize| -> Result<&[u8]> {
            self.piece(p)?
                .get(from..to)
                .ok_or_else(|| self.damaged("a piece of the index is short"))
        };
        let first = at / PIECE;
        if end <= (first + 1) * PIECE {
            return cut(first, at % PIECE, end - first * PIECE).map(Cow::Borrowed);
        }
        let mut out = Vec::with_capacity(len);
        let mut at = at;
        while at < end {
            let p = at / PIECE;
            let to = end.min((p + 1) * PIECE);
            out.extend_from_slice(cut(p, at % PIECE, to - p * PIECE)?);
            at = to;
        }
        Ok(Cow::Owned(out))
    }

    #[inline]
    fn index_u32(&self, at: usize) -> Result<u32> {
        if let Some(v) = self.kept_bytes(at, 4).and_then(|b| le_u32(b, 0)) {
            return Ok(v);
        }
        let b = self.read_index_bytes(at, 4)?;
        le_u32(&b, 0).ok_or_else(|| self.damaged("a piece of the index is short"))
    }

    fn index_u64(&self, at: usize) -> Result<usize> {
        let b = self.index_bytes(at, 8)?;
        le_u64(&b, 0).ok_or_else(|| self.damaged("an offset does not fit this machine"))
    }

    /// (key, value offset, value length, region) of entry `i`, with the key checked to lie in
    /// the keys area.
    fn raw_entry(&self, i: usize) -> Result<(Cow<'_, [u8]>, usize, usize, usize)> {
        let out_of_bounds = || self.damaged("a table entry is out of bounds");
        let at = i
            .checked_mul(ENTRY)
            .and_then(|o| o.checked_add(self.table_at))
            .ok_or_else(out_of_bounds)?;
        let e = self.index_bytes(at, ENTRY)?;
        let field = |f: usize| le_u32(&e, f).map(|v| v as usize).ok_or_else(out_of_bounds);
        let value_at = le_u64(&e, 0).ok_or_else(out_of_bounds)?;
        let (value_len, key_at, key_len, region) = (field(8)?, field(12)?, field(16)?, field(20)?);
        let key_end = key_at.checked_add(key_len).ok_or_else(out_of_bounds)?;
        if key_end > self.table_at {
            return Err(out_of_bounds());
        }
        let key = self.index_bytes(key_at, key_len)?;
        Ok((key, value_at, value_len, region))
    }

    fn key(&self, i: usize) -> Result<Cow<'_, [u8]>> {
        self.raw_entry(i).map(|(k, ..)| k)
    }

    fn entry(&self, i: usize) -> Result<(Cow<'_, [u8]>, IVec)> {
        let (key, at, len, region) = self.raw_entry(i)?;
        if len == 0 {
            return Ok((key, IVec::default()));
        }
        let (start, bytes) = self.region(region)?;
        match at.checked_sub(start) {
            Some(from) if from.checked_add(len).is_some_and(|end| end <= bytes.len()) => {
                Ok((key, bytes.subslice(from, len)))
            }
            _ => Err(self.damaged("a value lies outside its region")),
        }
    }

    /// (offset, length, CRC-32) of region `r` from the region table.
    fn region_bounds(&self, r: usize) -> Result<(usize, usize, u32)> {
        let at = r
            .checked_mul(REGION)
            .and_then(|o| o.checked_add(self.regions_at))
            .ok_or_else(|| self.damaged("the region table is cut short"))?;
        let start = self.index_u64(at)?;
        let len = self.index_u32(at + 8)? as usize;
        Ok((start, len, self.index_u32(at + 12)?))
    }

    /// Before the first read of a region in an aligned group of [`READ_AROUND`] bytes: asks
    /// the kernel to read the whole group into its page cache (`POSIX_FADV_WILLNEED`), as it
    /// reads around a page fault in a map. Cold, the neighbours' later `pread`s then find
    /// their pages in memory instead of each waiting for the disk; warm, it costs one system
    /// call per group and process. Only a hint: what is read is still checked.
    fn hint_group(&self, start: usize) {
        let group = start / READ_AROUND;
        let Some(hinted) = self.hinted.get(group) else {
            return;
        };
        if hinted.swap(true, Ordering::Relaxed) {
            return;
        }
        #[cfg(target_os = "linux")]
        {
            use std::os::fd::AsRawFd;
            let from = group * READ_AROUND;
            let len = READ_AROUND.min(self.values_end.saturating_sub(from));
            if let (Ok(from), Ok(len)) = (libc::off_t::try_from(from), libc::off_t::try_from(len)) {
                // SAFETY: a plain system call on a descriptor this image owns; it reads no
                // memory of ours, and its failure changes nothing (the pread reads anyway).
                unsafe {
                    libc::posix_fadvise(
                        self.file.as_raw_fd(),
                        from,
                        len,
                        libc::POSIX_FADV_WILLNEED,
                    );
                }
            }
        }
    }

    /// (file offset, bytes) of region `r`: from the cache, or read and checked now.
    fn region(&self, r: usize) -> Result<(usize, IVec)> {
        let slot = self
            .cache
            .get(r)
            .ok_or_else(|| self.damaged("a value names no region"))?;
        let (start, len, crc) = self.region_bounds(r)?;
        if !slot.used.load(Ordering::Relaxed) {
            slot.used.store(true, Ordering::Relaxed);
        }
        // A kept buffer may be longer than its region (a recycled one): only `len` is its.
        if let Some(bytes) = &*slot.bytes.read().unwrap_or_else(|e| e.into_inner()) {
            return match bytes.len() >= len {
                true => Ok((start, bytes.subslice(0, len))),
                false => Err(self.damaged("a kept region is shorter than its bounds")),
            };
        }
        let end = start.checked_add(len).filter(|&e| e <= self.values_end);
        if start < HEADER || end.is_none() {
            return Err(self.damaged("a region lies outside the values"));
        }
        self.hint_group(start);
        // A spare buffer when there is one (`region_slots.rs`). `IVec` hands out its buffer
        // mutably while it is unshared (no copy; a spare a reader still holds is copied
        // first, so what it holds stays).
        let mut buf = self.cache.buffer(len);
        let read = read_at(&self.file, &mut buf[..len], start);
        if let Err(e) = read {
            return Err(self.damaged(&format!(
                "its values at bytes {start}..{} cannot be read ({e}); was the file changed?",
                start + len
            )));
        }
        if crc32fast::hash(&buf[..len]) != crc {
            return Err(self.damaged(&format!(
                "its values at bytes {start}..{} do not match their checksum",
                start + len
            )));
        }
        let bytes = buf.subslice(0, len);
        // A first read goes to probation, a later one to the main cache (`region_slots.rs`).
        let grew = self.cache.keep(r, buf);
        if grew > 0 {
            self.cached_bytes.fetch_add(grew, Ordering::AcqRel);
            self.evict(r);
        }
        Ok((start, bytes))
    }

    /// Drops regions other than `keep` that were not read since the clock hand last passed,
    /// until the cache is within its limit (a reader holding one keeps its bytes alive).
    fn evict(&self, keep: usize) {
        let limit = self.cache_limit.load(Ordering::Relaxed);
        if self.cached_bytes.load(Ordering::Acquire) <= limit {
            return;
        }
        // One evicting thread is enough; the others read on.
        let Ok(mut hand) = self.clock.try_lock() else {
            return;
        };
        let len = self.cache.len();
        let mut steps = 0;
        while steps < 2 * len {
            if self.cached_bytes.load(Ordering::Acquire) <= limit {
                break;
            }
            let r = *hand % len;
            let Some(slot) = self.cache.peek(r) else {
                // A chunk never read holds nothing to drop: skip it whole.
                let next = RegionSlots::next_chunk(r);
                steps += next - r;
                *hand = next;
                continue;
            };
            steps += 1;
            *hand = r + 1;
            if r == keep || take_used(slot) {
                continue;
            }
            if let Some(dropped) = slot.drop_main() {
                self.cached_bytes.fetch_sub(dropped.len(), Ordering::AcqRel);
                self.cache.recycle(dropped);
            }
        }
    }

    fn damaged(&self, why: &str) -> crate::error::Error {
        corrupt(&self.path, &format!("the read image is damaged: {why}"))
    }

    /// The index of the first entry whose key is not below `key`.
    fn lower_bound(&self, key: &[u8]) -> Result<usize> {
        let (mut lo, mut hi) = (0, self.entries);
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            if *self.key(mid)? < *key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(lo)
    }

    pub fn get(&self, key: &[u8]) -> Result<Option<IVec>> {
        if let Some(changed) = self.delta.as_ref().and_then(|d| d.get(key)) {
            return Ok(changed);
        }
        let mask = self.slots - 1;
        let mut slot = fnv1a(key) as usize & mask;
        // At most every slot once: there is always a free one (slots > entries), but a
        // damaged hash area must not loop forever.
        for _ in 0..self.slots {
            let i = self.index_u32(self.hash_at + slot * 4)?;
            if i == NO_ENTRY {
                return Ok(None);
            }
            let i = i as usize;
            if i >= self.entries {
                return Err(self.damaged("a hash slot names no entry"));
            }
            if *self.key(i)? == *key {
                return self.entry(i).map(|(_, v)| Some(v));
            }
            slot = (slot + 1) & mask;
        }
        Ok(None)
    }

    /// Whether some key starts with byte `kind` (a damaged image says yes: the scan that
    /// follows then reports it). Lets a reader skip a scan of a kind a compacted store has
    /// none of (index deltas, `index_delta.rs`) without a search per lookup.
    pub fn has_kind(&self, kind: u8) -> bool {
        if self.delta.as_ref().is_some_and(|d| d.writes_kind(kind)) {
            return true;
        }
        let known = &self.kinds[usize::from(kind)];
        match known.load(Ordering::Relaxed) {
            1 => return false,
            2 => return true,
            _ => {}
        }
        let present = match self.lower_bound(&[kind]) {
            Ok(i) => i < self.entries && self.key(i).map_or(true, |k| k.first() == Some(&kind)),
            Err(_) => true,
        };
        known.store(if present { 2 } else { 1 }, Ordering::Relaxed);
        present
    }

    /// The entries whose keys start with `prefix`, ascending.
    pub fn scan_prefix(&self, prefix: Vec<u8>) -> Scan<'_> {
        self.scan_range(prefix, None, None)
    }

    /// The entries whose keys start with `prefix`, from `from` on (inclusive) and below `to`
    /// when given, ascending (a large scan is read in pieces this way, see
    /// `degrees/parallel.rs`).
    pub fn scan_range(
        &self,
        prefix: Vec<u8>,
        from: Option<&[u8]>,
        to: Option<Vec<u8>>,
    ) -> Scan<'_> {
        let start = match from {
            Some(f) if f > prefix.as_slice() => f,
            _ => prefix.as_slice(),
        };
        let (i, failed) = match self.lower_bound(start) {
            Ok(i) => (i, None),
            Err(e) => (self.entries, Some(e)),
        };
        let d = self.delta.as_ref().map_or(0, |d| d.lower_bound(start));
        Scan {
            image: self,
            prefix,
            to,
            lost: failed.is_some(),
            i,
            image_done: false,
            d,
            failed,
            stopped: false,
        }
    }

    /// The file the image was read from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.entries
    }

    #[cfg(test)]
    pub fn file_bytes(&self) -> usize {
        self.values_end + self.index_len + 4 * self.pieces.len()
    }

    /// How many pieces of the index have been read.
    #[cfg(test)]
    fn pieces_read(&self) -> usize {
        self.pieces.iter().filter(|p| p.get().is_some()).count()
    }

    /// Shrinks the probation tier and the main cache to `probation` and `cache` bytes, so
    /// that a test's small graph is read through drops and evictions.
    #[cfg(test)]
    pub(crate) fn set_limits(&self, probation: usize, cache: usize) {
        self.cache
            .probation_limit
            .store(probation, Ordering::Relaxed);
        self.cache_limit.store(cache, Ordering::Relaxed);
    }

    #[cfg(test)]
    fn cached_bytes(&self) -> usize {
        self.cached_bytes.load(Ordering::Acquire)
    }
}

/// A scan of the image in key order ([`Image::scan_range`]), with its delta merged in (a
/// delta's entry replaces the image's of the same key; a deleted key is left out). After an
/// error it ends; then [`Scan::resume_key`] says where another source can take over.
pub(crate) struct Scan<'a> {
    image: &'a Image,
    prefix: Vec<u8>,
    to: Option<Vec<u8>>,
    /// The next image entry.
    i: usize,
    /// The image has no more entries in range.
    image_done: bool,
    /// The next delta entry.
    d: usize,
    /// Where the scan starts could not be found: nothing is known to resume from.
    lost: bool,
    failed: Option<crate::error::Error>,
    stopped: bool,
}

impl<'a> Scan<'a> {
    /// After an error: the least key not yet given out (nothing at or after it was), or
    /// `None` when not even that key is known.
    pub fn resume_key(&self) -> Option<Vec<u8>> {
        if self.lost {
            return None;
        }
        let delta = self.delta_key();
        let image = if self.image_done || self.i >= self.image.entries {
            None
        } else {
            Some(self.image.key(self.i).ok()?)
        };
        match (image, delta) {
            (Some(i), Some(d)) => Some(std::cmp::min(&*i, d).to_vec()),
            (Some(i), None) => Some(i.into_owned()),
            (None, d) => d.map(<[u8]>::to_vec),
        }
    }

    fn in_range(&self, key: &[u8]) -> bool {
        key.starts_with(&self.prefix) && self.to.as_deref().is_none_or(|t| key < t)
    }

    /// The next delta key in range.
    fn delta_key(&self) -> Option<&'a [u8]> {
        let delta = self.image.delta.as_ref()?;
        (self.d < delta.len())
            .then(|| delta.key(self.d))
            .filter(|k| self.in_range(k))
    }
}

impl<'a> Iterator for Scan<'a> {
    type Item = Result<(Cow<'a, [u8]>, IVec)>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.failed.take() {
            self.stopped = true;
            return Some(Err(e));
        }
        let image = self.image;
        while !self.stopped {
            if !self.image_done && self.i >= image.entries {
                self.image_done = true;
            }
            let key = match (!self.image_done).then(|| image.key(self.i)) {
                None => None,
                Some(Ok(k)) if self.in_range(&k) => Some(k),
                Some(Ok(_)) => {
                    self.image_done = true;
                    None
                }
                Some(Err(e)) => {
                    self.stopped = true;
                    return Some(Err(e));
                }
            };
            let changed = self.delta_key();
            match (key, changed) {
                (None, None) => self.stopped = true,
                (key, Some(d)) if key.as_deref().is_none_or(|k| d <= k) => {
                    if key.as_deref() == Some(d) {
                        self.i += 1;
                    }
                    let value = image.delta.as_ref().and_then(|delta| delta.value(self.d));
                    self.d += 1;
                    if let Some(v) = value {
                        return Some(Ok((Cow::Borrowed(d), v)));
                    }
                }
                _ => {
                    return match image.entry(self.i) {
                        Ok(kv) => {
                            self.i += 1;
                            Some(Ok(kv))
                        }
                        Err(e) => {
                            self.stopped = true;
                            Some(Err(e))
                        }
                    };
                }
            }
        }
        None
    }
}

#[cfg(test)]
#[path = "image_tests.rs"]
mod tests;
