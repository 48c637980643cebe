//! The read image: every key and value of the store, sorted, in one file that compaction
//! writes and reads use until the next commit.
//!
//! Why: sled 0.34 loads a page on its first touch by `pread`, deserialising the whole leaf and
//! allocating (about 6 µs per page plus 0.8 µs per KiB, see docs/performance.md), and every
//! new `kg` process starts with an empty cache. A script of 1000 lookups in a fresh process
//! spent most of its time there. Through the image, a cold value costs one `pread` of its
//! region from the operating system's page cache and a warm read is a hash probe into memory.
//!
//! Validity: an image is a copy of the store at one moment, named by a random stamp that sled
//! also holds (`00 "image"`). When it may be read, how it is written and what a commit does
//! to it are invariants 1, 2 and 7 of `lifecycle.rs`; [`Image::open`] ignores (and deletes) an
//! image that is missing, malformed or whose stamp sled does not hold.
//!
//! Integrity: what is read is checked. The keys, table, hash area and region table (the
//! *index*, about 1.2 MiB at bench scale M) are read into memory when the image opens and
//! checked there against the header's checksum. The values are grouped into *regions* of about
//! [`REGION_BYTES`], each with a CRC-32 in the region table; a region is read with `pread`
//! when a value in it is first wanted, checked, and kept in a cache bounded by
//! [`CACHE_BYTES`] (clock eviction). The first read in each aligned [`READ_AROUND`] group of
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
//! | 96 | the values, back to back, region after region |
//! | keys area | the keys, back to back |
//! | table | per entry in key order ([`ENTRY`] bytes): value offset u64, value length u32, key offset in the keys area u32, key length u32, region u32 |
//! | hash area | per slot a u32: an entry's index, or `u32::MAX` for none; entry i sits at the first free slot from `fnv1a(key) mod slots` on (linear probing) |
//! | region table | per region ([`REGION`] bytes): offset u64, length u32, CRC-32 (IEEE) of its bytes u32 |
//!
//! The checksum covers the header (but itself) and the index, everything from the keys area on.
//!
//! Point reads go through the hash area (a probe or two, each one cache line, where a binary
//! search over 30k entries touches about 15 lines of the table and 15 of the keys); prefix
//! scans binary-search the table once and then walk it.

use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock};

use sled::IVec;

use crate::error::{Result, StoreError};

use super::errors::corrupt;
// FNV-1a builds the hash area; like the index buckets it relies on, it must never change.
use super::keys::fnv1a;

/// The image's file name inside the database directory.
pub const FILE_NAME: &str = "kg.image";
const TMP_NAME: &str = "kg.image.tmp";
const MAGIC: &[u8; 8] = b"KGIMAGE\0";
/// 2: values checked per region (1 had no value checksums, and is refused).
const LAYOUT: u32 = 2;
const HEADER: usize = 96;
/// An empty hash slot.
const NO_ENTRY: u32 = u32::MAX;
/// Bytes per table entry.
const ENTRY: usize = 24;
/// Bytes per region-table entry.
const REGION: usize = 16;
/// A region closes before a value that would take it past this many bytes (a larger value
/// has a region of its own). Smaller regions make a cold point read cheaper (one `pread` and
/// CRC of this size) and the region table larger; see docs/performance.md.
pub const REGION_BYTES: usize = 8 << 10;
/// The first cold read in an aligned group of this many bytes of values asks the kernel to
/// read the whole group ([`Image::hint_group`]; see docs/performance.md).
pub const READ_AROUND: usize = 128 << 10;
/// The most bytes of regions one open image keeps in memory.
pub const CACHE_BYTES: usize = 256 << 20;

/// A random stamp naming one image (std's per-process random hasher keys, twice).
pub fn new_stamp() -> [u8; 16] {
    let mut stamp = [0u8; 16];
    for half in stamp.chunks_exact_mut(8) {
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(0, |d| d.as_nanos()),
        );
        half.copy_from_slice(&h.finish().to_le_bytes());
    }
    stamp
}

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
fn checksum(header: &[u8], rest: &[u8]) -> u64 {
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

/// One region of values, once read and checked.
#[derive(Default)]
struct Slot {
    bytes: RwLock<Option<IVec>>,
    /// Set by every read, cleared by the clock hand passing: a region read since the hand
    /// last passed stays.
    used: AtomicBool,
}

/// An open, validated image.
pub(crate) struct Image {
    file: File,
    path: PathBuf,
    stamp: [u8; 16],
    /// Everything from the keys area to the end of the file, checked at open.
    index: Vec<u8>,
    entries: usize,
    /// Offsets inside `index`.
    table_at: usize,
    hash_at: usize,
    regions_at: usize,
    /// The end of the values area in the file (where the keys area starts).
    values_end: usize,
    /// A power of two (so `hash & (slots - 1)` picks a slot).
    slots: usize,
    cache: Box<[Slot]>,
    /// Per [`READ_AROUND`] group of the values: whether the kernel was asked to read it.
    hinted: Box<[AtomicBool]>,
    cached_bytes: AtomicUsize,
    cache_limit: usize,
    clock: Mutex<usize>,
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
    /// header and the index; the values are read when wanted.
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
        let table_end = entries.checked_mul(ENTRY)?.checked_add(table_at)?;
        let hash_end = slots.checked_mul(4)?.checked_add(hash_at)?;
        let regions = (len.checked_sub(regions_at)?) / REGION;
        if !(HEADER <= keys_at && keys_at <= table_at && table_end == hash_at)
            || hash_end != regions_at
            || regions_at + regions * REGION != len
            || !slots.is_power_of_two()
            || slots <= entries
        {
            return None;
        }
        let mut index = vec![0u8; len - keys_at];
        read_at(&file, &mut index, keys_at).ok()?;
        if h[80..88] != checksum(&h, &index).to_le_bytes() {
            return None;
        }
        Some(Image {
            file,
            path: path.to_path_buf(),
            stamp: h[16..32].try_into().ok()?,
            index,
            entries,
            table_at: table_at - keys_at,
            hash_at: hash_at - keys_at,
            regions_at: regions_at - keys_at,
            values_end: keys_at,
            slots,
            cache: (0..regions).map(|_| Slot::default()).collect(),
            hinted: (0..keys_at.div_ceil(READ_AROUND))
                .map(|_| AtomicBool::new(false))
                .collect(),
            cached_bytes: AtomicUsize::new(0),
            cache_limit: CACHE_BYTES,
            clock: Mutex::new(0),
        })
    }

    /// (key, value offset, value length, region) of entry `i`, with the key checked to lie in
    /// the keys area.
    fn raw_entry(&self, i: usize) -> Option<(&[u8], usize, usize, usize)> {
        let at = self.table_at + i * ENTRY;
        let value_at = le_u64(&self.index, at)?;
        let value_len = le_u32(&self.index, at + 8)? as usize;
        let key_at = le_u32(&self.index, at + 12)? as usize;
        let key_len = le_u32(&self.index, at + 16)? as usize;
        let region = le_u32(&self.index, at + 20)? as usize;
        let key_end = key_at.checked_add(key_len)?;
        let key = self
            .index
            .get(key_at..key_end)
            .filter(|_| key_end <= self.table_at)?;
        Some((key, value_at, value_len, region))
    }

    fn key(&self, i: usize) -> Result<&[u8]> {
        self.raw_entry(i)
            .map(|(k, ..)| k)
            .ok_or_else(|| self.damaged("a table entry is out of bounds"))
    }

    fn entry(&self, i: usize) -> Result<(&[u8], IVec)> {
        let (key, at, len, region) = self
            .raw_entry(i)
            .ok_or_else(|| self.damaged("a table entry is out of bounds"))?;
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
    fn region_bounds(&self, r: usize) -> Option<(usize, usize, u32)> {
        let at = self.regions_at.checked_add(r.checked_mul(REGION)?)?;
        let start = le_u64(&self.index, at)?;
        let len = le_u32(&self.index, at + 8)? as usize;
        Some((start, len, le_u32(&self.index, at + 12)?))
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
        let Some((start, len, crc)) = self.region_bounds(r) else {
            return Err(self.damaged("the region table is cut short"));
        };
        if !slot.used.load(Ordering::Relaxed) {
            slot.used.store(true, Ordering::Relaxed);
        }
        if let Some(bytes) = &*slot.bytes.read().unwrap_or_else(|e| e.into_inner()) {
            return Ok((start, bytes.clone()));
        }
        let end = start.checked_add(len).filter(|&e| e <= self.values_end);
        if start < HEADER || end.is_none() {
            return Err(self.damaged("a region lies outside the values"));
        }
        self.hint_group(start);
        let mut buf = vec![0u8; len];
        let read = read_at(&self.file, &mut buf, start);
        if let Err(e) = read {
            return Err(self.damaged(&format!(
                "its values at bytes {start}..{} cannot be read ({e}); was the file changed?",
                start + len
            )));
        }
        if crc32fast::hash(&buf) != crc {
            return Err(self.damaged(&format!(
                "its values at bytes {start}..{} do not match their checksum",
                start + len
            )));
        }
        let bytes = IVec::from(buf);
        {
            let mut kept = slot.bytes.write().unwrap_or_else(|e| e.into_inner());
            if kept.is_none() {
                *kept = Some(bytes.clone());
                self.cached_bytes.fetch_add(len, Ordering::AcqRel);
            }
        }
        self.evict(r);
        Ok((start, bytes))
    }

    /// Drops regions other than `keep` that were not read since the clock hand last passed,
    /// until the cache is within its limit (a reader holding one keeps its bytes alive).
    fn evict(&self, keep: usize) {
        if self.cached_bytes.load(Ordering::Acquire) <= self.cache_limit {
            return;
        }
        // One evicting thread is enough; the others read on.
        let Ok(mut hand) = self.clock.try_lock() else {
            return;
        };
        for _ in 0..2 * self.cache.len() {
            if self.cached_bytes.load(Ordering::Acquire) <= self.cache_limit {
                break;
            }
            let r = *hand % self.cache.len();
            *hand = r + 1;
            let slot = &self.cache[r];
            if r == keep || slot.used.swap(false, Ordering::Relaxed) {
                continue;
            }
            if let Some(bytes) = slot.bytes.write().unwrap_or_else(|e| e.into_inner()).take() {
                self.cached_bytes.fetch_sub(bytes.len(), Ordering::AcqRel);
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
            if self.key(mid)? < key {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        Ok(lo)
    }

    pub fn get(&self, key: &[u8]) -> Result<Option<IVec>> {
        let mask = self.slots - 1;
        let mut slot = fnv1a(key) as usize & mask;
        // At most every slot once: there is always a free one (slots > entries), but a
        // damaged hash area must not loop forever.
        for _ in 0..self.slots {
            let i = le_u32(&self.index, self.hash_at + slot * 4)
                .ok_or_else(|| self.damaged("the hash area is cut short"))?;
            if i == NO_ENTRY {
                return Ok(None);
            }
            let i = i as usize;
            if i >= self.entries {
                return Err(self.damaged("a hash slot names no entry"));
            }
            if self.key(i)? == key {
                return self.entry(i).map(|(_, v)| Some(v));
            }
            slot = (slot + 1) & mask;
        }
        Ok(None)
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
        Scan {
            image: self,
            prefix,
            to,
            i,
            failed,
            stopped: false,
        }
    }

    /// The stamp naming this image.
    pub fn stamp(&self) -> &[u8] {
        &self.stamp
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
        self.values_end + self.index.len()
    }

    #[cfg(test)]
    fn cached_bytes(&self) -> usize {
        self.cached_bytes.load(Ordering::Acquire)
    }
}

/// A scan of the image in key order ([`Image::scan_range`]). After an error it ends; then
/// [`Scan::resume_key`] says where another source can take over.
pub(crate) struct Scan<'a> {
    image: &'a Image,
    prefix: Vec<u8>,
    to: Option<Vec<u8>>,
    i: usize,
    failed: Option<crate::error::Error>,
    stopped: bool,
}

impl<'a> Scan<'a> {
    /// After an error: the key of the entry the scan could not read (nothing at or after it
    /// was given out), or `None` when not even that key is known.
    pub fn resume_key(&self) -> Option<&'a [u8]> {
        (self.i < self.image.entries)
            .then(|| self.image.key(self.i).ok())
            .flatten()
    }
}

impl<'a> Iterator for Scan<'a> {
    type Item = Result<(&'a [u8], IVec)>;

    fn next(&mut self) -> Option<Self::Item> {
        if let Some(e) = self.failed.take() {
            self.stopped = true;
            return Some(Err(e));
        }
        if self.stopped || self.i >= self.image.entries {
            return None;
        }
        let image = self.image;
        let key = match image.key(self.i) {
            Ok(k) => k,
            Err(e) => {
                self.stopped = true;
                return Some(Err(e));
            }
        };
        if !key.starts_with(&self.prefix) || self.to.as_deref().is_some_and(|t| key >= t) {
            self.stopped = true;
            return None;
        }
        match image.entry(self.i) {
            Ok(kv) => {
                self.i += 1;
                Some(Ok(kv))
            }
            Err(e) => {
                self.stopped = true;
                Some(Err(e))
            }
        }
    }
}

/// Writes an image from entries given in ascending key order.
pub(crate) struct ImageWriter {
    dir: PathBuf,
    out: BufWriter<File>,
    values_end: u64,
    keys: Vec<u8>,
    table: Vec<u8>,
    last_key: Option<Vec<u8>>,
    /// The region table so far, and the open region: start and CRC of its bytes.
    regions: Vec<u8>,
    region_start: u64,
    region_crc: crc32fast::Hasher,
}

impl ImageWriter {
    pub fn create(dir: &Path) -> Result<ImageWriter> {
        let tmp = dir.join(TMP_NAME);
        let mut out = File::create(&tmp)
            .map(BufWriter::new)
            .map_err(io_err(&tmp))?;
        out.write_all(&[0; HEADER]).map_err(io_err(&tmp))?;
        Ok(ImageWriter {
            dir: dir.to_path_buf(),
            out,
            values_end: HEADER as u64,
            keys: Vec::new(),
            table: Vec::new(),
            last_key: None,
            regions: Vec::new(),
            region_start: HEADER as u64,
            region_crc: crc32fast::Hasher::new(),
        })
    }

    /// Ends the open region, if it holds anything.
    fn close_region(&mut self) -> Result<()> {
        let len = self.values_end - self.region_start;
        if len == 0 {
            return Ok(());
        }
        let len = u32::try_from(len).map_err(|_| {
            corrupt(
                &self.dir.join(TMP_NAME),
                "a value too large for the read image",
            )
        })?;
        let crc = std::mem::take(&mut self.region_crc).finalize();
        self.regions
            .extend_from_slice(&self.region_start.to_le_bytes());
        self.regions.extend_from_slice(&len.to_le_bytes());
        self.regions.extend_from_slice(&crc.to_le_bytes());
        self.region_start = self.values_end;
        Ok(())
    }

    pub fn push(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        let tmp = self.dir.join(TMP_NAME);
        let too_big = || corrupt(&tmp, "a key or value too large for the read image");
        if self.last_key.as_deref().is_some_and(|last| last >= key) {
            return Err(corrupt(&tmp, "keys given to the read image out of order"));
        }
        if self.values_end - self.region_start + value.len() as u64 > REGION_BYTES as u64 {
            self.close_region()?;
        }
        self.out.write_all(value).map_err(io_err(&tmp))?;
        self.region_crc.update(value);
        let region = self.regions.len() / REGION;
        self.table.extend_from_slice(&self.values_end.to_le_bytes());
        for n in [value.len(), self.keys.len(), key.len(), region] {
            let n = u32::try_from(n).map_err(|_| too_big())?;
            self.table.extend_from_slice(&n.to_le_bytes());
        }
        self.values_end += value.len() as u64;
        self.keys.extend_from_slice(key);
        self.last_key = Some(key.to_vec());
        Ok(())
    }

    /// Completes the file, syncs it and renames it into place as the image named `stamp`.
    /// The caller writes the stamp into sled afterwards, which is what makes the image valid.
    pub fn finish(mut self, stamp: &[u8; 16], format: u32) -> Result<()> {
        self.close_region()?;
        let tmp = self.dir.join(TMP_NAME);
        let e = io_err(&tmp);
        let entries = self.table.len() / ENTRY;
        if entries >= NO_ENTRY as usize {
            return Err(corrupt(&tmp, "too many keys for the read image"));
        }
        let slots = (entries + 1).next_power_of_two() * 2;
        let mut hash = vec![NO_ENTRY; slots];
        for i in 0..entries {
            let at = |f: usize| {
                let b = &self.table[i * ENTRY + f..i * ENTRY + f + 4];
                u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
            };
            let (key_at, key_len) = (at(12), at(16));
            let mut slot = fnv1a(&self.keys[key_at..key_at + key_len]) as usize & (slots - 1);
            while hash[slot] != NO_ENTRY {
                slot = (slot + 1) & (slots - 1);
            }
            hash[slot] = i as u32;
        }
        let keys_at = self.values_end;
        let table_at = keys_at + self.keys.len() as u64;
        let hash_at = table_at + self.table.len() as u64;
        let regions_at = hash_at + 4 * slots as u64;
        let len = regions_at + self.regions.len() as u64;
        let hash: Vec<u8> = hash.iter().flat_map(|i| i.to_le_bytes()).collect();
        let mut header = Vec::with_capacity(HEADER);
        header.extend_from_slice(MAGIC);
        header.extend_from_slice(&LAYOUT.to_le_bytes());
        header.extend_from_slice(&format.to_le_bytes());
        header.extend_from_slice(stamp);
        for n in [
            entries as u64,
            keys_at,
            table_at,
            len,
            hash_at,
            slots as u64,
            0,
            regions_at,
        ] {
            header.extend_from_slice(&n.to_le_bytes());
        }
        debug_assert_eq!(header.len(), HEADER);
        let mut rest = std::mem::take(&mut self.keys);
        rest.extend_from_slice(&self.table);
        rest.extend_from_slice(&hash);
        rest.extend_from_slice(&self.regions);
        let sum = checksum(&header, &rest);
        header[80..88].copy_from_slice(&sum.to_le_bytes());
        self.out.write_all(&rest).map_err(&e)?;
        self.out.seek(SeekFrom::Start(0)).map_err(&e)?;
        self.out.write_all(&header).map_err(&e)?;
        let file = self.out.into_inner().map_err(|err| e(err.into_error()))?;
        file.sync_all().map_err(&e)?;
        drop(file);
        let path = self.dir.join(FILE_NAME);
        std::fs::rename(&tmp, &path).map_err(io_err(&path))?;
        File::open(&self.dir)
            .and_then(|d| d.sync_all())
            .map_err(io_err(&self.dir))
    }
}

fn io_err(path: &Path) -> impl Fn(std::io::Error) -> crate::error::Error {
    let path = path.to_path_buf();
    move |source| {
        StoreError::Io {
            path: path.clone(),
            source,
        }
        .into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn write(dir: &Path, entries: &[(&[u8], &[u8])], stamp: &[u8; 16]) {
        let mut w = ImageWriter::create(dir).unwrap();
        for (k, v) in entries {
            w.push(k, v).unwrap();
        }
        w.finish(stamp, 5).unwrap();
    }

    #[test]
    fn reads_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let stamp = new_stamp();
        let entries: Vec<(Vec<u8>, Vec<u8>)> = (0u32..500)
            .map(|i| {
                let mut k = vec![if i % 2 == 0 { b'A' } else { b'N' }];
                k.extend_from_slice(&i.to_be_bytes());
                (k, vec![i as u8; (i % 37) as usize])
            })
            .collect();
        let mut sorted = entries.clone();
        sorted.sort();
        let refs: Vec<(&[u8], &[u8])> = sorted.iter().map(|(k, v)| (&k[..], &v[..])).collect();
        write(dir.path(), &refs, &stamp);
        let image = Image::open(dir.path(), Some(&stamp), 5).expect("valid image");
        assert_eq!(image.len(), 500);
        for (k, v) in &entries {
            assert_eq!(image.get(k).unwrap().as_deref(), Some(&v[..]));
        }
        assert_eq!(image.get(b"A").unwrap(), None);
        assert_eq!(image.get(b"Z").unwrap(), None);
        let a: Vec<_> = image
            .scan_prefix(b"A".to_vec())
            .map(|r| r.unwrap().0.to_vec())
            .collect();
        let expected: Vec<_> = sorted
            .iter()
            .filter(|(k, _)| k[0] == b'A')
            .map(|(k, _)| k.clone())
            .collect();
        assert_eq!(a, expected);
        assert_eq!(image.scan_prefix(b"B".to_vec()).count(), 0);
        assert_eq!(image.scan_prefix(Vec::new()).count(), 500);
    }

    #[test]
    fn a_wrong_stamp_format_or_damaged_file_is_ignored_and_deleted() {
        let dir = tempfile::tempdir().unwrap();
        let stamp = new_stamp();
        let path = dir.path().join(FILE_NAME);
        write(dir.path(), &[(b"a", b"1"), (b"b", b"2")], &stamp);
        assert!(Image::open(dir.path(), Some(&new_stamp()), 5).is_none());
        assert!(!path.exists(), "a stale image is deleted");

        write(dir.path(), &[(b"a", b"1"), (b"b", b"2")], &stamp);
        assert!(Image::open(dir.path(), Some(&stamp), 6).is_none());
        write(dir.path(), &[(b"a", b"1"), (b"b", b"2")], &stamp);
        assert!(Image::open(dir.path(), None, 5).is_none());

        // Every truncation, and every change of the header, keys, table, hash area or region
        // table, is refused at open; a changed value is refused when it is read (its region's
        // CRC); none panics, and nothing is ever read back changed.
        let entries: [(&[u8], &[u8]); 3] = [(b"a", b"1"), (b"b", b"2"), (b"c", b"")];
        write(dir.path(), &entries, &stamp);
        let good = std::fs::read(&path).unwrap();
        for cut in 0..good.len() {
            std::fs::write(&path, &good[..cut]).unwrap();
            assert!(
                Image::open(dir.path(), Some(&stamp), 5).is_none(),
                "cut at {cut}"
            );
        }
        let values_end = HEADER + 2;
        for at in 0..good.len() {
            let mut bad = good.clone();
            bad[at] ^= 0x80;
            std::fs::write(&path, &bad).unwrap();
            let image = Image::open(dir.path(), Some(&stamp), 5);
            if !(HEADER..values_end).contains(&at) {
                assert!(image.is_none(), "byte {at} changed");
                continue;
            }
            let image = image.expect("a changed value is not seen at open");
            for (k, v) in entries {
                match image.get(k) {
                    Ok(got) => assert_eq!(got.as_deref(), Some(v), "byte {at} changed"),
                    Err(e) => assert!(e.to_string().contains("checksum"), "{e}"),
                }
            }
            let scan: Vec<_> = image.scan_prefix(Vec::new()).collect();
            let last = scan.last().expect("something");
            assert!(last.is_err(), "byte {at} changed, read back");
        }
    }

    /// A file cut short or rewritten under an open image makes the reads of regions not yet
    /// read fail (never crash: nothing is mapped); what was read before stays as it was.
    #[test]
    fn a_file_changed_under_an_open_image_fails_reads_and_keeps_what_was_read() {
        let dir = tempfile::tempdir().unwrap();
        let stamp = new_stamp();
        let big = vec![7u8; REGION_BYTES];
        let entries: [(&[u8], &[u8]); 3] = [(b"a", &big), (b"b", &big), (b"c", b"x")];
        write(dir.path(), &entries, &stamp);
        let image = Image::open(dir.path(), Some(&stamp), 5).unwrap();
        assert_eq!(image.get(b"a").unwrap().as_deref(), Some(&big[..]));
        let path = dir.path().join(FILE_NAME);
        std::fs::OpenOptions::new()
            .write(true)
            .open(&path)
            .unwrap()
            .set_len(HEADER as u64 + 100)
            .unwrap();
        assert_eq!(image.get(b"a").unwrap().as_deref(), Some(&big[..]));
        let e = image.get(b"b").unwrap_err().to_string();
        assert!(e.contains("cannot be read"), "{e}");
        // A scan gives out what it can, then the error, and says where to go on from.
        let mut scan = image.scan_prefix(Vec::new());
        assert_eq!(scan.next().unwrap().unwrap().0, b"a");
        assert!(scan.next().unwrap().is_err());
        assert_eq!(scan.resume_key(), Some(&b"b"[..]));
        assert!(scan.next().is_none());
    }

    /// The region cache stays within its limit and reads right after evictions.
    #[test]
    fn the_region_cache_is_bounded() {
        let dir = tempfile::tempdir().unwrap();
        let stamp = new_stamp();
        let values: Vec<(Vec<u8>, Vec<u8>)> = (0u32..400)
            .map(|i| (i.to_be_bytes().to_vec(), vec![i as u8; 1000]))
            .collect();
        let refs: Vec<(&[u8], &[u8])> = values.iter().map(|(k, v)| (&k[..], &v[..])).collect();
        write(dir.path(), &refs, &stamp);
        let mut image = Image::open(dir.path(), Some(&stamp), 5).unwrap();
        assert!(image.cache.len() >= 40, "{} regions", image.cache.len());
        image.cache_limit = 4 * REGION_BYTES;
        for round in 0..3 {
            for (k, v) in values.iter().rev() {
                assert_eq!(image.get(k).unwrap().as_deref(), Some(&v[..]), "{round}");
                assert!(image.cached_bytes() <= image.cache_limit + REGION_BYTES);
            }
        }
        assert_eq!(image.scan_prefix(Vec::new()).count(), 400);
    }

    #[test]
    fn each_group_of_values_is_hinted_once_and_reads_stay_right() {
        let dir = tempfile::tempdir().unwrap();
        let stamp = new_stamp();
        // 300 KiB of values: three groups of READ_AROUND bytes, 40-odd regions.
        let values: Vec<(Vec<u8>, Vec<u8>)> = (0u32..300)
            .map(|i| (i.to_be_bytes().to_vec(), vec![i as u8; 1 << 10]))
            .collect();
        let refs: Vec<(&[u8], &[u8])> = values.iter().map(|(k, v)| (&k[..], &v[..])).collect();
        write(dir.path(), &refs, &stamp);
        let image = Image::open(dir.path(), Some(&stamp), 5).expect("valid image");
        assert_eq!(image.hinted.len(), image.values_end.div_ceil(READ_AROUND));
        assert!(image.hinted.len() >= 3);
        let hinted = |image: &Image| {
            image
                .hinted
                .iter()
                .filter(|h| h.load(Ordering::Relaxed))
                .count()
        };
        assert_eq!(hinted(&image), 0, "nothing is hinted before a read");
        assert_eq!(
            image.get(&0u32.to_be_bytes()).unwrap().as_deref(),
            Some(&values[0].1[..])
        );
        assert_eq!(hinted(&image), 1, "a read hints its own group only");
        for (k, v) in values.iter().rev() {
            assert_eq!(image.get(k).unwrap().as_deref(), Some(&v[..]));
        }
        assert_eq!(
            hinted(&image),
            image.hinted.len(),
            "every group with values was hinted"
        );
    }

    #[test]
    fn the_writer_refuses_keys_out_of_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = ImageWriter::create(dir.path()).unwrap();
        w.push(b"b", b"").unwrap();
        assert!(w.push(b"a", b"").is_err());
        assert!(w.push(b"b", b"").is_err());
    }
}
