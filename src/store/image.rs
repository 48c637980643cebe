//! The read image: every key and value of the store, sorted, in one memory-mapped file that
//! compaction writes and reads use until the next commit.
//!
//! Why: sled 0.34 loads a page on its first touch by `pread`, deserialising the whole leaf and
//! allocating (about 6 µs per page plus 0.8 µs per KiB, see docs/performance.md), and every
//! new `kg` process starts with an empty cache. A script of 1000 lookups in a fresh process
//! spent most of its time there. Through the image, a cold page costs one page fault on the
//! operating system's page cache and a warm read is a binary search over a table.
//!
//! Validity: an image is a copy of the store at one moment, named by a random stamp that sled
//! also holds (`00 "image"`). Every commit removes that key in its own atomic batch, and this
//! process stops reading the image before the batch is applied, so an image is read only while
//! sled holds exactly what it copied. The file is written under a temporary name, synced and
//! renamed before the key is written, and never modified in place. An image that is missing,
//! malformed or stale is ignored (reads go to sled) and deleted when the store opens.
//!
//! Layout (little-endian integers):
//!
//! | offset | content |
//! |---|---|
//! | 0 | magic `KGIMAGE\0`, layout version u32, store format version u32 |
//! | 16 | stamp, 16 bytes |
//! | 32 | entry count u64, keys-area offset u64, table offset u64, file length u64 |
//! | 64 | hash-area offset u64, hash slot count u64 (a power of two), checksum u64, 8 reserved bytes |
//! | 96 | the values, back to back |
//! | keys area | the keys, back to back |
//! | table | per entry in key order ([`ENTRY`] bytes): value offset u64, value length u32, key offset in the keys area u32, key length u32, reserved u32 |
//! | hash area | per slot a u32: an entry's index, or `u32::MAX` for none; entry i sits at the first free slot from `fnv1a(key) mod slots` on (linear probing) |
//!
//! The checksum covers the header (but itself) and everything from the keys area on, so a
//! damaged key, table or hash area is caught when the image is opened (about 0.2 ms for the
//! 1.2 MiB of them at bench scale M); the values are compared with sled by `kg check`.
//!
//! Point reads go through the hash area (a probe or two, each one cache line, where a binary
//! search over 30k entries touches about 15 lines of the table and 15 of the keys); prefix
//! scans binary-search the table once and then walk it.

use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::io::{BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::error::{Result, StoreError};

use super::engine::corrupt;
// FNV-1a builds the hash area; like the index buckets it relies on, it must never change.
use super::keys::fnv1a;

/// The image's file name inside the database directory.
pub const FILE_NAME: &str = "kg.image";
const TMP_NAME: &str = "kg.image.tmp";
const MAGIC: &[u8; 8] = b"KGIMAGE\0";
const LAYOUT: u32 = 1;
const HEADER: usize = 96;
/// An empty hash slot.
const NO_ENTRY: u32 = u32::MAX;
/// Bytes per table entry.
const ENTRY: usize = 24;

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
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn le_u64(b: &[u8], at: usize) -> Option<usize> {
    usize::try_from(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?)).ok()
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

/// An open, validated image.
pub(crate) struct Image {
    map: memmap2::Mmap,
    path: PathBuf,
    entries: usize,
    keys_at: usize,
    table_at: usize,
    hash_at: usize,
    /// A power of two (so `hash & (slots - 1)` picks a slot).
    slots: usize,
}

impl Image {
    /// The image in `dir` if it exists, is well formed, was written for store format `format`
    /// and carries `stamp`; otherwise `None`, and a file that is there is deleted (best effort:
    /// the caller holds the database's lock, so the file is no one else's).
    pub fn open(dir: &Path, stamp: Option<&[u8]>, format: u32) -> Option<Image> {
        let path = dir.join(FILE_NAME);
        let _ = std::fs::remove_file(dir.join(TMP_NAME));
        let image = stamp.and_then(|stamp| Image::map(&path, stamp, format));
        if image.is_none() && path.exists() {
            let _ = std::fs::remove_file(&path);
        }
        image
    }

    /// The image at `path` if it is well formed, was written for store format `format` and
    /// carries `stamp`; deletes nothing (a sealed reader holds only a shared lock).
    pub fn map(path: &Path, stamp: &[u8], format: u32) -> Option<Image> {
        let file = File::open(path).ok()?;
        // SAFETY: mapping a file is undefined behaviour if another process changes it while
        // mapped. kgstore writes an image once under a temporary name and renames it into
        // place, never modifying it afterwards, and only while it holds the database's
        // exclusive lock; deleting or replacing it leaves this mapping on the old file.
        let map = unsafe { memmap2::Mmap::map(&file) }.ok()?;
        let h = map.get(..HEADER)?;
        if &h[..8] != MAGIC || le_u32(h, 8)? != LAYOUT || le_u32(h, 12)? != format {
            return None;
        }
        if &h[16..32] != stamp || le_u64(h, 56)? != map.len() {
            return None;
        }
        let (entries, keys_at, table_at) = (le_u64(h, 32)?, le_u64(h, 40)?, le_u64(h, 48)?);
        let (hash_at, slots) = (le_u64(h, 64)?, le_u64(h, 72)?);
        let table_end = entries.checked_mul(ENTRY)?.checked_add(table_at)?;
        let hash_end = slots.checked_mul(4)?.checked_add(hash_at)?;
        if !(HEADER <= keys_at && keys_at <= table_at && table_end == hash_at)
            || hash_end != map.len()
            || !slots.is_power_of_two()
            || slots <= entries
        {
            return None;
        }
        let image = Image {
            map,
            path: path.to_path_buf(),
            entries,
            keys_at,
            table_at,
            hash_at,
            slots,
        };
        let h = image.map.get(..HEADER)?;
        if h[80..88] != checksum(h, image.map.get(keys_at..)?).to_le_bytes() {
            return None;
        }
        Some(image)
    }

    /// (key, value offset, value length) of entry `i`, with the key checked to lie in the keys
    /// area.
    fn raw_entry(&self, i: usize) -> Option<(&[u8], usize, usize)> {
        let at = self.table_at + i * ENTRY;
        let value_at = le_u64(&self.map, at)?;
        let value_len = le_u32(&self.map, at + 8)? as usize;
        let key_at = self.keys_at + le_u32(&self.map, at + 12)? as usize;
        let key_len = le_u32(&self.map, at + 16)? as usize;
        let key = self
            .map
            .get(key_at..key_at.checked_add(key_len)?)
            .filter(|_| key_at + key_len <= self.table_at)?;
        Some((key, value_at, value_len))
    }

    fn key(&self, i: usize) -> Result<&[u8]> {
        self.raw_entry(i)
            .map(|(k, _, _)| k)
            .ok_or_else(|| self.damaged())
    }

    fn entry(&self, i: usize) -> Result<(&[u8], &[u8])> {
        self.raw_entry(i)
            .and_then(|(k, at, len)| Some((k, self.map.get(at..at + len)?)))
            .ok_or_else(|| self.damaged())
    }

    fn damaged(&self) -> crate::error::Error {
        corrupt(
            &self.path,
            "the read image is damaged (delete it; reads then use sled)",
        )
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

    pub fn get(&self, key: &[u8]) -> Result<Option<&[u8]>> {
        let mask = self.slots - 1;
        let mut slot = fnv1a(key) as usize & mask;
        // At most every slot once: there is always a free one (slots > entries), but a
        // damaged hash area must not loop forever.
        for _ in 0..self.slots {
            let i = le_u32(&self.map, self.hash_at + slot * 4).ok_or_else(|| self.damaged())?;
            if i == NO_ENTRY {
                return Ok(None);
            }
            let i = i as usize;
            if i >= self.entries {
                return Err(self.damaged());
            }
            let (k, v) = self.entry(i)?;
            if k == key {
                return Ok(Some(v));
            }
            slot = (slot + 1) & mask;
        }
        Ok(None)
    }

    /// The entries whose keys start with `prefix`, ascending.
    pub fn scan_prefix(
        &self,
        prefix: Vec<u8>,
    ) -> impl Iterator<Item = Result<(&[u8], &[u8])>> + '_ {
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
    ) -> impl Iterator<Item = Result<(&[u8], &[u8])>> + '_ {
        let start = match from {
            Some(f) if f > prefix.as_slice() => f,
            _ => prefix.as_slice(),
        };
        let (mut i, mut failed) = match self.lower_bound(start) {
            Ok(i) => (i, None),
            Err(e) => (self.entries, Some(e)),
        };
        std::iter::from_fn(move || {
            if let Some(e) = failed.take() {
                return Some(Err(e));
            }
            if i >= self.entries {
                return None;
            }
            let entry = self.entry(i);
            i += 1;
            match entry {
                Ok((k, _)) if !k.starts_with(&prefix) || to.as_deref().is_some_and(|t| k >= t) => {
                    i = self.entries;
                    None
                }
                Ok(kv) => Some(Ok(kv)),
                Err(e) => {
                    i = self.entries;
                    Some(Err(e))
                }
            }
        })
    }

    /// The stamp naming this image.
    pub fn stamp(&self) -> &[u8] {
        &self.map[16..32]
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
        self.map.len()
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
        })
    }

    pub fn push(&mut self, key: &[u8], value: &[u8]) -> Result<()> {
        let tmp = self.dir.join(TMP_NAME);
        let too_big = || corrupt(&tmp, "a key or value too large for the read image");
        if self.last_key.as_deref().is_some_and(|last| last >= key) {
            return Err(corrupt(&tmp, "keys given to the read image out of order"));
        }
        self.out.write_all(value).map_err(io_err(&tmp))?;
        self.table.extend_from_slice(&self.values_end.to_le_bytes());
        for n in [value.len(), self.keys.len(), key.len(), 0] {
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
        let len = hash_at + 4 * slots as u64;
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
            0,
        ] {
            header.extend_from_slice(&n.to_le_bytes());
        }
        debug_assert_eq!(header.len(), HEADER);
        let mut rest = std::mem::take(&mut self.keys);
        rest.extend_from_slice(&self.table);
        rest.extend_from_slice(&hash);
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
            assert_eq!(image.get(k).unwrap(), Some(&v[..]));
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

        // Every truncation, and every change of the header, keys, table or hash area, is
        // refused; a changed value reads as changed (`kg check` finds it); none panics.
        write(
            dir.path(),
            &[(b"a", b"1"), (b"b", b"2"), (b"c", b"")],
            &stamp,
        );
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
            let read: Vec<_> = image.scan_prefix(Vec::new()).map(|r| r.unwrap()).collect();
            assert_eq!(read.len(), 3);
            for (k, v) in read {
                assert_eq!(image.get(k).unwrap(), Some(v));
            }
        }
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
