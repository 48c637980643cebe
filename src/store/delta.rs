//! The delta (`kg.delta`): what commits changed since compaction wrote the read image, as
//! sorted keys with their new values or tombstones, read as an overlay over the image
//! (`image.rs`), so that reads after a write need neither sled nor another `kg compact`.
//!
//! Why: before, the first commit after a compaction deleted the image and the seal, and every
//! later process opened sled (≈ 12 ms) and loaded its pages until the next `kg compact`
//! (reads 1.6–3× slower). A small write changes a few keys; the delta carries them.
//!
//! When a delta may be read, who writes it and what a commit does to it are invariants 1–4
//! of `lifecycle.rs`: in short, sled's stamp (`00 "image"`) names the image and the delta
//! together ([`NAMES`] bytes: the image's stamp, then the delta's), every commit removes that
//! stamp and deletes the delta before its batch, and a process that committed writes the
//! next delta (the previous one's keys and its own, with values read back from sled) at a
//! clean close, then stamps sled with the new names. Compaction writes an empty delta.
//!
//! Integrity: the whole file is read and checked (CRC-32) when it is opened; it is bounded
//! by [`LIMIT`], past which the writer deletes the image instead (reads go to sled until the
//! next `kg compact`).
//!
//! Layout (little-endian integers):
//!
//! | offset | content |
//! |---|---|
//! | 0 | magic `KGDELTA\0`, layout version u32, store format version u32 |
//! | 16 | the image's stamp (16 bytes), this delta's stamp (16 bytes) |
//! | 48 | entry count u64 |
//! | 56 | per entry in ascending key order: key length u32, value length u32 ([`TOMBSTONE`]: the key is deleted), key, value |
//! | end | CRC-32 (IEEE) of every byte before it, u32 |

use std::fs::File;
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::path::Path;

use sled::IVec;

use crate::error::{Result, StoreError};

use super::durable::sync_dir;

/// The delta's file name inside the database directory.
pub const FILE_NAME: &str = "kg.delta";
const TMP_NAME: &str = "kg.delta.tmp";
const MAGIC: &[u8; 8] = b"KGDELTA\0";
const LAYOUT: u32 = 1;
const HEADER: usize = 56;
/// A value length that marks a deleted key.
const TOMBSTONE: u32 = u32::MAX;
/// Bytes naming an image and its delta: the image's stamp, then the delta's.
pub const NAMES: usize = 32;
/// The most bytes of keys and values a delta may hold. Every process that reads the database
/// reads and checks the whole delta when it opens (≈ 1 ms per MiB), so a larger one would cost
/// every short statement more than opening sled; past it the writer drops the image.
pub const LIMIT: usize = 4 << 20;

/// One entry: offsets into the file's bytes.
struct Entry {
    key_at: usize,
    key_len: usize,
    /// (offset, length) of the value; `None` for a deleted key.
    value: Option<(usize, usize)>,
}

/// An open, checked delta.
pub(crate) struct Delta {
    names: [u8; NAMES],
    bytes: IVec,
    entries: Vec<Entry>,
}

fn le_u32(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(
        b.get(at..at.checked_add(4)?)?.try_into().ok()?,
    ))
}

impl Delta {
    /// The delta in `dir` if it exists, is well formed, was written for store format `format`
    /// and carries `names`; otherwise `None`, and a file that is there is deleted (the caller
    /// holds sled's lock, so the file is no one else's).
    pub fn open(dir: &Path, names: &[u8], format: u32) -> Option<Delta> {
        let _ = std::fs::remove_file(dir.join(TMP_NAME));
        let delta = Delta::load(dir, names, format);
        if delta.is_none() {
            remove(dir);
        }
        delta
    }

    /// The delta in `dir` if it is well formed, of store format `format` and carries `names`;
    /// deletes nothing (a sealed reader holds only a shared lock).
    pub fn load(dir: &Path, names: &[u8], format: u32) -> Option<Delta> {
        let names: [u8; NAMES] = names.try_into().ok()?;
        let mut bytes = Vec::new();
        File::open(dir.join(FILE_NAME))
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .ok()?;
        let body_end = bytes.len().checked_sub(4)?;
        if body_end < HEADER
            || bytes.len() > LIMIT + HEADER + 4 + (LIMIT / 8)
            || &bytes[..8] != MAGIC
            || le_u32(&bytes, 8)? != LAYOUT
            || le_u32(&bytes, 12)? != format
            || bytes[16..48] != names
            || le_u32(&bytes, body_end)? != crc32fast::hash(&bytes[..body_end])
        {
            return None;
        }
        let count = usize::try_from(u64::from_le_bytes(bytes[48..56].try_into().ok()?)).ok()?;
        let mut entries = Vec::with_capacity(count.min(body_end / 8));
        let mut at = HEADER;
        for _ in 0..count {
            let key_len = le_u32(&bytes, at)? as usize;
            let value_len = le_u32(&bytes, at + 4)?;
            let key_at = at + 8;
            let value_at = key_at.checked_add(key_len)?;
            let (value, end) = match value_len {
                TOMBSTONE => (None, value_at),
                n => (
                    Some((value_at, n as usize)),
                    value_at.checked_add(n as usize)?,
                ),
            };
            if end > body_end {
                return None;
            }
            let key = &bytes[key_at..value_at];
            // Sorted and without repeats: lookups binary-search.
            if entries
                .last()
                .is_some_and(|e: &Entry| bytes[e.key_at..e.key_at + e.key_len] >= *key)
            {
                return None;
            }
            entries.push(Entry {
                key_at,
                key_len,
                value,
            });
            at = end;
        }
        if at != body_end {
            return None;
        }
        Some(Delta {
            names,
            bytes: IVec::from(bytes),
            entries,
        })
    }

    /// The image's stamp and this delta's, as sled's stamp holds them.
    pub fn names(&self) -> &[u8; NAMES] {
        &self.names
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// The key of entry `i` (`i < len()`).
    pub fn key(&self, i: usize) -> &[u8] {
        let e = &self.entries[i];
        &self.bytes[e.key_at..e.key_at + e.key_len]
    }

    /// The value of entry `i`, or `None` when the delta deletes the key.
    pub fn value(&self, i: usize) -> Option<IVec> {
        self.entries[i]
            .value
            .map(|(at, len)| self.bytes.subslice(at, len))
    }

    /// The index of the first entry whose key is not below `key`.
    pub fn lower_bound(&self, key: &[u8]) -> usize {
        self.entries.partition_point(|e| {
            let k: &[u8] = &self.bytes[e.key_at..e.key_at + e.key_len];
            k < key
        })
    }

    /// `None` when the delta does not hold `key` (the image answers); `Some(None)` when it
    /// deletes it.
    pub fn get(&self, key: &[u8]) -> Option<Option<IVec>> {
        let i = self.lower_bound(key);
        (i < self.len() && self.key(i) == key).then(|| self.value(i))
    }

    /// Whether the delta writes (not deletes) some key starting with byte `kind`.
    pub fn writes_kind(&self, kind: u8) -> bool {
        (self.lower_bound(&[kind])..self.len())
            .take_while(|&i| self.key(i).first() == Some(&kind))
            .any(|i| self.entries[i].value.is_some())
    }

    /// Every key the delta holds, ascending.
    pub fn keys(&self) -> impl Iterator<Item = &[u8]> + '_ {
        (0..self.len()).map(|i| self.key(i))
    }
}

/// Writes a delta over the image stamped `image` holding `entries` (ascending keys; `None`
/// deletes) for store format `format`: to a temporary name, synced, renamed, the directory
/// synced. Returns the names sled is then to hold. The caller holds sled open (so locked).
pub fn write(
    dir: &Path,
    image: &[u8; 16],
    format: u32,
    entries: &[(Vec<u8>, Option<IVec>)],
) -> Result<[u8; NAMES]> {
    let tmp = dir.join(TMP_NAME);
    let io_err = |source| StoreError::io(&tmp, source);
    let too_big = || StoreError::io(&tmp, std::io::Error::other("a key or value too large"));
    let mut names = [0u8; NAMES];
    names[..16].copy_from_slice(image);
    names[16..].copy_from_slice(&new_stamp());
    let mut out = Vec::with_capacity(HEADER + 4);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&LAYOUT.to_le_bytes());
    out.extend_from_slice(&format.to_le_bytes());
    out.extend_from_slice(&names);
    out.extend_from_slice(&(entries.len() as u64).to_le_bytes());
    for (key, value) in entries {
        let key_len = u32::try_from(key.len()).map_err(|_| too_big())?;
        let value_len = match value {
            Some(v) => u32::try_from(v.len())
                .ok()
                .filter(|&n| n != TOMBSTONE)
                .ok_or_else(too_big)?,
            None => TOMBSTONE,
        };
        out.extend_from_slice(&key_len.to_le_bytes());
        out.extend_from_slice(&value_len.to_le_bytes());
        out.extend_from_slice(key);
        out.extend_from_slice(value.as_deref().unwrap_or_default());
    }
    let crc = crc32fast::hash(&out);
    out.extend_from_slice(&crc.to_le_bytes());
    let mut file = File::create(&tmp).map_err(io_err)?;
    file.write_all(&out)
        .and_then(|()| file.sync_all())
        .map_err(io_err)?;
    std::fs::rename(&tmp, dir.join(FILE_NAME)).map_err(io_err)?;
    sync_dir(dir)?;
    Ok(names)
}

/// The names in the header of the delta in `dir`, unchecked (what `seal::reseal` compares).
pub fn names_on_disk(dir: &Path) -> Option<[u8; NAMES]> {
    let mut head = [0u8; 48];
    File::open(dir.join(FILE_NAME))
        .and_then(|mut f| f.read_exact(&mut head))
        .ok()?;
    head[16..48].try_into().ok()
}

/// Deletes the delta (best effort: a delta that stays behind is named by no stamp).
pub fn remove(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(TMP_NAME));
    let _ = std::fs::remove_file(dir.join(FILE_NAME));
}

/// A random stamp naming one image or delta (std's per-process random hasher keys, twice).
/// Here, below `image.rs`, so that the delta does not import the image that reads it.
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

#[cfg(test)]
mod tests {
    use super::*;

    fn sample() -> Vec<(Vec<u8>, Option<IVec>)> {
        vec![
            (b"a1".to_vec(), Some(IVec::from(&b"one"[..]))),
            (b"a2".to_vec(), None),
            (b"b1".to_vec(), Some(IVec::from(&b""[..]))),
        ]
    }

    #[test]
    fn a_delta_reads_back_what_was_written() {
        let dir = tempfile::tempdir().unwrap();
        let names = write(dir.path(), &[1; 16], 12, &sample()).unwrap();
        assert_eq!(names[..16], [1; 16]);
        assert_eq!(names_on_disk(dir.path()), Some(names));
        let d = Delta::load(dir.path(), &names, 12).expect("valid delta");
        assert_eq!(d.len(), 3);
        assert_eq!(d.get(b"a1"), Some(Some(IVec::from(&b"one"[..]))));
        assert_eq!(d.get(b"a2"), Some(None));
        assert_eq!(d.get(b"b1"), Some(Some(IVec::from(&b""[..]))));
        assert_eq!(d.get(b"a0"), None);
        assert!(d.writes_kind(b'a') && d.writes_kind(b'b') && !d.writes_kind(b'c'));
        assert_eq!(d.lower_bound(b"a15"), 1);
        // Other names, another format: refused.
        let mut other = names;
        other[20] ^= 1;
        assert!(Delta::load(dir.path(), &other, 12).is_none());
        assert!(Delta::load(dir.path(), &names, 11).is_none());
    }

    /// Every single changed byte is refused, by the checksum or the header checks.
    #[test]
    fn a_damaged_byte_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let names = write(dir.path(), &[2; 16], 12, &sample()).unwrap();
        let path = dir.path().join(FILE_NAME);
        let good = std::fs::read(&path).unwrap();
        for at in 0..good.len() {
            let mut bad = good.clone();
            bad[at] ^= 0x10;
            std::fs::write(&path, &bad).unwrap();
            assert!(
                Delta::load(dir.path(), &names, 12).is_none(),
                "byte {at} changed"
            );
        }
        std::fs::write(&path, &good[..good.len() - 1]).unwrap();
        assert!(Delta::load(dir.path(), &names, 12).is_none(), "cut short");
        // `open` deletes what it refuses.
        assert!(Delta::open(dir.path(), &names, 12).is_none());
        assert!(!path.exists());
    }
}
