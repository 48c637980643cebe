//! The undo file (`kg.undo`): what a commit's keys held before it, written before its batch
//! is applied, so that a batch that fails part-way is undone at the next open of sled.
//!
//! Why: sled 0.34's `apply_batch` is atomic against a crash, not against an I/O error. It
//! inserts the batch's writes one by one after reserving a *batch manifest* in its log; an
//! error part-way (a full disk) returns at once, leaving the writes before it in sled's tree
//! (this process reads them) and in its log, and the manifest, dropped unsealed, is written
//! as cancelled, so the next open recovers those writes one by one, as if each were a commit
//! of its own. Seen in `tests/storefaults.rs`: node records without their counters and
//! label index entries, and counters ahead of the records.
//!
//! The file is written (not synced) before the batch; removed once it applied; synced only
//! when it failed, the one case where it is needed. Every open of sled
//! (`recovery::open_sled`) puts the old values back when the file is whole and names a
//! commit that sled holds at most and the commit mark does not vouch for (an acknowledged
//! commit whose undo file a power loss brought back is left alone); a file cut short means
//! its batch was never applied. Putting back is idempotent, so an open that fails on a full
//! disk while doing it is simply tried again by the next one.

use std::fs::File;
use std::path::Path;

use crate::error::{Result, StoreError};

use super::durable;
use super::errors::sled_error;

pub(crate) const FILE_NAME: &str = "kg.undo";
const MAGIC: &[u8; 8] = b"KGUNDO01";

/// A key and the value it held before the commit (`None`: absent).
pub(crate) type Entry = (Vec<u8>, Option<sled::IVec>);

/// Writes the undo file of commit `number` into `dir`. On an error (a full disk) no file is
/// left and the commit must not be applied.
pub(crate) fn write(dir: &Path, number: u64, entries: &[Entry]) -> Result<()> {
    let path = dir.join(FILE_NAME);
    std::fs::write(&path, encode(number, entries)).map_err(|e| {
        let _ = std::fs::remove_file(&path);
        StoreError::io(&path, e).into()
    })
}

/// Makes the undo file survive a power loss: its batch failed part-way.
pub(crate) fn sync(dir: &Path) -> Result<()> {
    let path = dir.join(FILE_NAME);
    File::open(&path)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::io(&path, e))?;
    durable::sync_dir(dir)
}

/// The batch applied whole: its undo file must not undo it.
pub(crate) fn remove(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(FILE_NAME));
}

/// Puts back what a commit that failed part-way overwrote (see the module docs); called by
/// every open of sled at `dir`, before anything reads it.
pub(crate) fn restore(db: &sled::Db, dir: &Path) -> Result<()> {
    let path = dir.join(FILE_NAME);
    let bytes = match std::fs::read(&path) {
        Ok(bytes) => bytes,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(StoreError::io(&path, e).into()),
    };
    if let Some((number, entries)) = decode(&bytes) {
        let vouched = durable::read_mark(dir).unwrap_or(0);
        if durable::sled_commits(db, dir)? <= number && vouched < number {
            let mut batch = sled::Batch::default();
            for (key, value) in entries {
                match value {
                    Some(v) => batch.insert(key, v),
                    None => batch.remove(key),
                }
            }
            db.apply_batch(batch)
                .and_then(|()| db.flush().map(drop))
                .map_err(|e| sled_error(dir, e))?;
            // sled's flush does not sync (`durable.rs`): the old values must be on disk
            // before the file that restores them goes.
            durable::DurableLog::new(dir.to_path_buf()).sync()?;
        }
    }
    std::fs::remove_file(&path).map_err(|e| StoreError::io(&path, e))?;
    durable::sync_dir(dir)
}

fn encode(number: u64, entries: &[Entry]) -> Vec<u8> {
    let size: usize = entries
        .iter()
        .map(|(k, v)| k.len() + v.as_ref().map_or(0, |v| v.len()) + 9)
        .sum();
    let mut out = Vec::with_capacity(size + 24);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&number.to_le_bytes());
    for (key, value) in entries {
        out.extend_from_slice(&(key.len() as u32).to_le_bytes());
        out.extend_from_slice(key);
        match value {
            Some(v) => {
                out.push(1);
                out.extend_from_slice(&(v.len() as u32).to_le_bytes());
                out.extend_from_slice(v);
            }
            None => out.push(0),
        }
    }
    let sum = crc32fast::hash(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// A key and the value to put back, as read from the file.
type Restored = (Vec<u8>, Option<Vec<u8>>);

/// The commit number and entries of a whole undo file; `None` when it is cut short or
/// damaged (its batch was then never applied: the file is complete before the batch starts).
fn decode(bytes: &[u8]) -> Option<(u64, Vec<Restored>)> {
    let (body, sum) = bytes.split_at(bytes.len().checked_sub(4)?);
    if crc32fast::hash(body) != u32::from_le_bytes(sum.try_into().ok()?) {
        return None;
    }
    let rest = body.strip_prefix(MAGIC)?;
    let (number, mut rest) = rest.split_at_checked(8)?;
    let number = u64::from_le_bytes(number.try_into().ok()?);
    let mut entries = Vec::new();
    while !rest.is_empty() {
        let key;
        (key, rest) = take_sized(rest)?;
        let (&tag, after) = rest.split_first()?;
        rest = after;
        let value = match tag {
            0 => None,
            1 => {
                let value;
                (value, rest) = take_sized(rest)?;
                Some(value.to_vec())
            }
            _ => return None,
        };
        entries.push((key.to_vec(), value));
    }
    Some((number, entries))
}

/// A length-prefixed piece and what follows it.
fn take_sized(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let (len, rest) = bytes.split_at_checked(4)?;
    let len = u32::from_le_bytes(len.try_into().ok()?) as usize;
    rest.split_at_checked(len)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_undo_file_reads_back_and_a_cut_one_does_not() {
        let entries: Vec<Entry> = vec![
            (b"a".to_vec(), Some(sled::IVec::from(&b"old"[..]))),
            (b"b".to_vec(), None),
        ];
        let bytes = encode(7, &entries);
        let (number, back) = decode(&bytes).expect("whole");
        assert_eq!(number, 7);
        assert_eq!(
            back,
            vec![
                (b"a".to_vec(), Some(b"old".to_vec())),
                (b"b".to_vec(), None)
            ]
        );
        for cut in 0..bytes.len() {
            assert!(decode(&bytes[..cut]).is_none(), "cut at {cut}");
        }
    }
}
