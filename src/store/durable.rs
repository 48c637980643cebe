//! What makes an acknowledged commit survive a power loss, and the commit mark that lets an
//! open tell a log that lost acknowledged commits from one that is merely old.
//!
//! sled's flush writes the log with `sync_file_range`, which neither persists the file's size
//! nor flushes the disk's write cache, and it never syncs its blob files (values too large for
//! a log segment, in `blobs/`) or the directories it creates files in; its covering `fsync`
//! comes from the background flusher up to 500 ms later (sled issues #1351, #1452). So under
//! [`Durability::Full`](super::Durability::Full) a commit, after sled's flush, `fdatasync`s the
//! log through a descriptor of our own (an fsync acts on the inode, whichever descriptor names
//! it), then each blob file sled created since the last commit and the `blobs/` directory.
//!
//! **The commit mark.** Every commit counts itself in sled (`00 "commits"`, in the commit's
//! own batch). Once a commit is durable (after the syncs above; under `Relaxed` when the
//! store closes after its final flush) the count is also written to `kg.commits`, a file
//! outside the log. An open that finds sled's count below the mark's has lost commits that
//! were acknowledged, which sled alone cannot tell (a log cut short recovers, without a word,
//! to whatever prefix is left): it refuses with [`StoreError::LostCommits`]. The mark is
//! written only after what it counts is durable, so it is never ahead of the log except when
//! the log lost data; a mark that is missing, damaged or behind the log vouches for nothing
//! and is simply rewritten. The mark is written in place without its own sync: after a power
//! loss it may be older than the log, never newer.

use std::fs::File;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::mpsc::RecvTimeoutError;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::error::{Result, StoreError};

use super::keys;

/// The commit mark's file name inside the database directory.
pub const COMMIT_MARK_FILE: &str = "kg.commits";
const MARK_MAGIC: &[u8; 8] = b"KGCOMMIT";

/// The commits sled holds (its `00 "commits"` counter; 0 before the first counted commit).
pub(crate) fn sled_commits(db: &sled::Db, dir: &Path) -> Result<u64> {
    let stored = db
        .get(keys::META_COMMITS)
        .map_err(|e| super::errors::sled_error(dir, e))?;
    Ok(stored
        .and_then(|v| <[u8; 8]>::try_from(v.as_ref()).ok())
        .map_or(0, u64::from_be_bytes))
}

/// The commit count the mark in `dir` vouches for (`None`: no mark, or a damaged one).
pub(crate) fn read_mark(dir: &Path) -> Option<u64> {
    let bytes = std::fs::read(dir.join(COMMIT_MARK_FILE)).ok()?;
    decode_mark(&bytes)
}

fn encode_mark(commits: u64) -> [u8; 24] {
    let mut out = [0u8; 24];
    out[..8].copy_from_slice(MARK_MAGIC);
    out[8..16].copy_from_slice(&commits.to_le_bytes());
    let sum = keys::fnv1a(&out[..16]);
    out[16..].copy_from_slice(&sum.to_le_bytes());
    out
}

fn decode_mark(bytes: &[u8]) -> Option<u64> {
    let bytes: &[u8; 24] = bytes.try_into().ok()?;
    let sum = u64::from_le_bytes(bytes[16..].try_into().ok()?);
    if &bytes[..8] != MARK_MAGIC || keys::fnv1a(&bytes[..16]) != sum {
        return None;
    }
    Some(u64::from_le_bytes(bytes[8..16].try_into().ok()?))
}

/// Refuses a sled log that holds fewer commits than the mark in `dir` says were acknowledged.
pub(crate) fn check_mark(db: &sled::Db, dir: &Path) -> Result<()> {
    let Some(acknowledged) = read_mark(dir) else {
        return Ok(());
    };
    let found = sled_commits(db, dir)?;
    if found < acknowledged {
        return Err(StoreError::LostCommits {
            path: dir.to_path_buf(),
            mark: dir.join(COMMIT_MARK_FILE),
            acknowledged,
            found,
        }
        .into());
    }
    Ok(())
}

/// Writes the mark for `commits` into `dir` (creating the file durably: a later open must not
/// find it gone while the log it vouches for is there), e.g. beside a compacted copy.
pub(crate) fn write_mark_file(dir: &Path, commits: u64) -> Result<()> {
    let path = dir.join(COMMIT_MARK_FILE);
    std::fs::write(&path, encode_mark(commits))
        .and_then(|()| File::open(&path)?.sync_data())
        .map_err(|e| StoreError::io(&path, e))?;
    sync_dir(dir)
}

/// fsyncs the directory `dir` (its entries: created, renamed, deleted files).
pub(crate) fn sync_dir(dir: &Path) -> Result<()> {
    File::open(dir)
        .and_then(|f| f.sync_all())
        .map_err(|e| StoreError::io(dir, e).into())
}

/// The syncs and the mark of one on-disk store (see the module docs).
pub(crate) struct DurableLog {
    dir: PathBuf,
    /// Our own descriptor of sled's `db` file, opened at the first sync.
    log: Mutex<Option<File>>,
    /// The mark file, opened (or created) at the first commit that writes it.
    mark: Mutex<Option<File>>,
    /// The newest blob file (sled names them by log sequence number) already synced.
    synced_blob: Mutex<u64>,
}

impl DurableLog {
    pub fn new(dir: PathBuf) -> DurableLog {
        DurableLog {
            dir,
            log: Mutex::new(None),
            mark: Mutex::new(None),
            synced_blob: Mutex::new(0),
        }
    }

    /// Makes what sled has flushed durable: the log's data and size, new blob files and the
    /// directory entries naming them.
    pub fn sync(&self) -> Result<()> {
        let path = self.dir.join("db");
        let mut log = self.log.lock().unwrap_or_else(|e| e.into_inner());
        if log.is_none() {
            *log = Some(File::open(&path).map_err(|e| StoreError::io(&path, e))?);
        }
        if let Some(f) = log.as_ref() {
            f.sync_data().map_err(|e| StoreError::io(&path, e))?;
        }
        drop(log);
        self.sync_new_blobs()
    }

    /// Blob files newer than the last synced one, then `blobs/` if there were any.
    fn sync_new_blobs(&self) -> Result<()> {
        let dir = self.dir.join("blobs");
        let Ok(entries) = std::fs::read_dir(&dir) else {
            return Ok(());
        };
        let mut synced = self.synced_blob.lock().unwrap_or_else(|e| e.into_inner());
        let mut newest = *synced;
        for entry in entries.flatten() {
            let name = entry.file_name();
            let Some(lsn) = name.to_str().and_then(|n| n.parse::<u64>().ok()) else {
                continue;
            };
            if lsn > *synced {
                let path = entry.path();
                match File::open(&path).and_then(|f| f.sync_data()) {
                    Ok(()) => {}
                    // sled deletes blobs it no longer needs; a vanished one needs no sync.
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(StoreError::io(&path, e).into()),
                }
                newest = newest.max(lsn);
            }
        }
        if newest > *synced {
            sync_dir(&dir)?;
            *synced = newest;
        }
        Ok(())
    }

    /// Records that `commits` commits are durable (see the module docs). The first write
    /// creates the file and syncs the directory.
    pub fn write_mark(&self, commits: u64) -> Result<()> {
        let path = self.dir.join(COMMIT_MARK_FILE);
        let mut mark = self.mark.lock().unwrap_or_else(|e| e.into_inner());
        if mark.is_none() {
            let existed = path.exists();
            let f = std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(|e| StoreError::io(&path, e))?;
            if !existed {
                sync_dir(&self.dir)?;
            }
            *mark = Some(f);
        }
        if let Some(f) = mark.as_ref() {
            f.write_all_at(&encode_mark(commits), 0)
                .map_err(|e| StoreError::io(&path, e))?;
        }
        Ok(())
    }

    /// Syncs the mark file, if this store wrote it (at close).
    pub fn sync_mark(&self) {
        if let Some(f) = self.mark.lock().unwrap_or_else(|e| e.into_inner()).as_ref() {
            let _ = f.sync_data();
        }
    }
}

/// How long a close waits for sled once it reported an I/O error: its flush may then wait
/// forever for a write that failed (sled 0.34 does not give up on one).
const CLOSE_AFTER_ERROR: Duration = Duration::from_secs(2);
/// How long a close waits while sled's log file does not change (a flush that is still
/// writing changes it), when no error was seen.
const CLOSE_WITHOUT_PROGRESS: Duration = Duration::from_secs(10);

/// Flushes and drops `db` on a thread of its own, then runs `after` (only if the flush
/// succeeded), waiting as long as sled makes progress, or [`CLOSE_AFTER_ERROR`] once it has
/// failed a write (`io_failed`). Returns false when it stopped waiting: the thread keeps sled
/// (and its lock) until the process exits, which a `kg` command then does, instead of hanging
/// in sled's drop on a full disk as it did.
pub(crate) fn close_bounded(
    db: sled::Db,
    dir: Option<&Path>,
    io_failed: bool,
    after: impl FnOnce() + Send + 'static,
) -> bool {
    let (done, finished) = std::sync::mpsc::channel::<()>();
    let closer = std::thread::Builder::new()
        .name("kg-close".into())
        .spawn(move || {
            if db.flush().is_ok() {
                drop(db);
                after();
            }
            let _ = done.send(());
        });
    if closer.is_err() {
        // No thread to spare: the closure (and sled with it) was dropped right here.
        return true;
    }
    let log_state = || {
        let meta = std::fs::metadata(dir?.join("db")).ok()?;
        Some((meta.len(), meta.modified().ok()))
    };
    let started = Instant::now();
    let (mut last, mut last_change) = (log_state(), Instant::now());
    loop {
        match finished.recv_timeout(Duration::from_millis(50)) {
            Ok(()) | Err(RecvTimeoutError::Disconnected) => return true,
            Err(RecvTimeoutError::Timeout) => {}
        }
        if io_failed && started.elapsed() >= CLOSE_AFTER_ERROR {
            return false;
        }
        let now = log_state();
        if now != last {
            (last, last_change) = (now, Instant::now());
        } else if last_change.elapsed() >= CLOSE_WITHOUT_PROGRESS {
            return false;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mark_reads_back_and_a_damaged_one_vouches_for_nothing() {
        let m = encode_mark(12345);
        assert_eq!(decode_mark(&m), Some(12345));
        for i in 0..m.len() {
            let mut bad = m;
            bad[i] ^= 0x40;
            assert_eq!(decode_mark(&bad), None, "byte {i}");
        }
        assert_eq!(decode_mark(&m[..23]), None);
        assert_eq!(decode_mark(&[]), None);
    }
}
