//! The undo file (`kg.undo`): what the newest commit's keys held before it, written in place
//! before its batch, so that a batch that fails part-way is undone: at once in the failing
//! process when sled still takes writes, else by the next open of sled.
//!
//! Why: sled 0.34's `apply_batch` is atomic against a crash, not against an I/O error. It
//! inserts the batch's writes one by one after reserving a *batch manifest* in its log; an
//! error part-way (a full disk) returns at once, leaving the writes before it in sled's tree
//! (this process reads them) and in its log, and the manifest, dropped unsealed, is written
//! as cancelled, so the next open recovers those writes one by one, as if each were a commit
//! of its own. Seen in `tests/storefaults.rs`: node records without their counters and
//! label index entries, and counters ahead of the records. An I/O error in sled's log writer
//! also sets sled's *global error*: from then on every write and flush of that handle fails,
//! while reads still answer from its tree (part of the batch), until sled is opened again.
//!
//! ## The file
//! One file per database, kept from commit to commit, its space allocated ahead
//! ([`UndoFile::arm`], `posix_fallocate`; grown by doubling when a commit needs more) and
//! rewritten in place: a 32-byte header (`KGUNDO02`, the commit's number, the body's length,
//! a CRC-32 of those 24 bytes and the body, and a state word, *armed* or *done*, outside the
//! CRC), then per key of the batch the key, its old value and the length and CRC-32 of the
//! value the batch writes (or that it removes the key). Bytes after the body are left over.
//! A commit arms the record before its batch and marks it done after (4 bytes, in place).
//!
//! ## Invariants (what is synced when, and why a power loss is safe)
//! 1. *Space first.* The record lies in space allocated before the batch; a commit that cannot
//!    grow the file is refused with nothing applied. So writing the record, and syncing it
//!    after a failed batch, need no block the full disk may not have (ext4's delayed
//!    allocation would otherwise let the write succeed and the sync fail). This holds where
//!    files are overwritten in place (ext4, XFS, tmpfs); a copy-on-write file system (btrfs,
//!    ZFS) may need new blocks for any overwrite, which `fallocate` does not reserve.
//! 2. *Synced only on failure.* The record is complete in the page cache before the batch
//!    starts and is synced (`fdatasync`, and the directory) only when the batch failed,
//!    before the commit reports the error and before this process writes to sled again. If
//!    that sync fails, the process says so on stderr and the error says the changes may or may
//!    not be kept. A record that a power loss cut short fails its CRC and undoes nothing.
//! 3. *Only a part is undone.* An open puts old values back only when the record is whole,
//!    not done, numbered N while sled counts N-1 or N commits (fewer: the commit before it
//!    was lost too, and the old values would be newer than sled) and the commit mark does not
//!    vouch for N, and sled does not hold every value the batch wrote (their CRCs). A batch
//!    that applied whole is never undone, acknowledged or not, so neither the done state nor
//!    the mark needs a sync per commit: a done state a power loss lost costs the next open one
//!    read of the record's keys. Putting back is idempotent: an open that fails on a still
//!    full disk is tried again by the next.
//! 4. *No number is reused under an armed record.* A failed batch N leaves sled counting
//!    N-1, so the next commit is numbered N again: an armed record found by an open is marked
//!    done and synced before the open returns, and a failing process lets commits go on only
//!    when its own undo was flushed, synced, and the record marked done and synced. Otherwise
//!    an old record N could be compared, after a power loss, with another batch N.
//!
//! The window left: between a batch's failure and its record's sync, sled's background writer
//! may put part of the batch into the log; a power loss in those microseconds keeps that part.
//! Closing it would take a sync before every batch (about 0.25 ms on this machine's disk).
//!
//! Migration: a `KGUNDO01` file (one file per commit, written by the previous build, removed
//! after every batch that applied) is honoured by the open under that build's rules, then
//! removed; the next commit creates the kept file.

use std::fs::{File, OpenOptions};
use std::os::unix::fs::FileExt;
use std::os::unix::io::AsRawFd;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Mutex, MutexGuard};
use std::time::Duration;

use crate::error::{Result, StoreError};

use super::durable::{self, DurableLog};
use super::errors::sled_error;

pub(crate) const FILE_NAME: &str = "kg.undo";
const MAGIC_V1: &[u8; 8] = b"KGUNDO01";
const MAGIC: &[u8; 8] = b"KGUNDO02";
const HEADER: usize = 32;
/// Where the state word lies in the header.
const STATE_AT: u64 = 28;
const ARMED: [u8; 4] = *b"ARMD";
const DONE: [u8; 4] = *b"DONE";
/// The file's space at the first commit; doubled as commits need.
const MIN_SPACE: u64 = 64 << 10;

/// What a batch writes to a key: the new value's length and CRC-32, or `None` (removed).
pub(crate) type Written = Option<(u32, u32)>;

/// The [`Written`] of `value`.
pub(crate) fn written(value: Option<&[u8]>) -> Written {
    value.map(|v| (v.len() as u32, crc32fast::hash(v)))
}

/// A key of the batch, the value it held before (`None`: absent) and what the batch writes.
pub(crate) struct Entry {
    pub key: Vec<u8>,
    pub old: Option<sled::IVec>,
    pub new: Written,
}

/// The undo file of one database, opened at its first commit (see the module docs).
pub(crate) struct UndoFile {
    dir: PathBuf,
    open: Mutex<Option<Opened>>,
}

struct Opened {
    file: File,
    /// Bytes allocated from the start of the file (invariant 1).
    space: u64,
}

impl UndoFile {
    pub fn new(dir: PathBuf) -> UndoFile {
        UndoFile {
            dir,
            open: Mutex::new(None),
        }
    }

    fn path(&self) -> PathBuf {
        self.dir.join(FILE_NAME)
    }

    fn lock(&self) -> MutexGuard<'_, Option<Opened>> {
        self.open.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Writes the armed record of commit `number` before its batch, in space allocated first
    /// (invariant 1). An error (a full disk) refuses the commit: nothing is applied.
    pub fn arm(&self, number: u64, entries: &[Entry]) -> Result<()> {
        let path = self.path();
        let io = |e| StoreError::io(&path, e);
        let record = encode(number, entries);
        let mut open = self.lock();
        if open.is_none() {
            let file = OpenOptions::new()
                .read(true)
                .write(true)
                .create(true)
                .truncate(false)
                .open(&path)
                .map_err(io)?;
            *open = Some(Opened { file, space: 0 });
        }
        let Some(opened) = open.as_mut() else {
            return Ok(());
        };
        let needed = record.len() as u64;
        if needed > opened.space {
            let space = needed.next_power_of_two().max(MIN_SPACE);
            allocate(&opened.file, space).map_err(io)?;
            opened.space = space;
        }
        opened.file.write_all_at(&record, 0).map_err(io)?;
        Ok(())
    }

    /// The batch applied whole: the record must not undo it. Not synced (invariant 3); an
    /// error is harmless for the same reason.
    pub fn done(&self) {
        if let Some(opened) = self.lock().as_ref() {
            let _ = opened.file.write_all_at(&DONE, STATE_AT);
        }
    }

    /// Makes the record survive a power loss: its batch failed part-way (invariant 2).
    pub fn sync(&self) -> Result<()> {
        let path = self.path();
        match self.lock().as_ref() {
            Some(opened) => opened
                .file
                .sync_data()
                .map_err(|e| StoreError::io(&path, e))?,
            None => return Ok(()),
        }
        durable::sync_dir(&self.dir)
    }

    /// Marks the record done and syncs it: what it would undo is undone for good, so a
    /// later commit may reuse its number (invariant 4).
    pub fn done_durably(&self) -> Result<()> {
        let path = self.path();
        if let Some(opened) = self.lock().as_ref() {
            opened
                .file
                .write_all_at(&DONE, STATE_AT)
                .and_then(|()| opened.file.sync_data())
                .map_err(|e| StoreError::io(&path, e))?;
        }
        Ok(())
    }

    /// Shrinks a file that a large commit grew past [`MIN_SPACE`] back to it, at a close
    /// with no failed batch: its record is done, so nothing in it is needed.
    pub fn shrink(&self) {
        if let Some(opened) = self.lock().as_mut() {
            if opened.space > MIN_SPACE && opened.file.set_len(MIN_SPACE).is_ok() {
                opened.space = MIN_SPACE;
            }
        }
    }
}

/// `posix_fallocate`: blocks for the first `len` bytes of `file` (invariant 1).
fn allocate(file: &File, len: u64) -> std::io::Result<()> {
    let len = libc::off_t::try_from(len).map_err(|_| std::io::ErrorKind::InvalidInput)?;
    // SAFETY: a plain system call on a descriptor this `File` owns.
    match unsafe { libc::posix_fallocate(file.as_raw_fd(), 0, len) } {
        0 => Ok(()),
        errno => Err(std::io::Error::from_raw_os_error(errno)),
    }
}

/// What a failing process could do about a batch that failed part-way ([`after_failure`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Aftermath {
    /// The old values are back in sled's tree, flushed and synced, and the record done:
    /// nothing of the batch is left, and the store goes on.
    Undone,
    /// The old values are back in sled's tree, so reads are right, but sled could not
    /// flush them (after an I/O error its flush may wait forever): no more commits in this
    /// process (invariant 4); the next open finds the record and puts the same values back.
    UndoneUnflushed,
    /// sled refused the old values (its global error) and its tree holds every value the
    /// batch wrote: reads are of a whole commit, which the next open keeps or undoes.
    WholeInTree,
    /// sled refused the old values and its tree holds part of the batch: reads would be
    /// wrong until the database is opened again (the open undoes it).
    Torn,
}

/// After `apply_batch` failed: syncs the record (invariant 2; `synced` says whether that
/// worked), then puts the old values back through this process's sled when it still takes
/// writes. Called under the statement gate, so no reader saw the part that landed.
pub(crate) fn after_failure(
    db: &sled::Db,
    dir: &Path,
    undo: &UndoFile,
    entries: &[Entry],
) -> (Aftermath, bool) {
    let synced = match undo.sync() {
        Ok(()) => true,
        Err(e) => {
            eprintln!(
                "warning: {e}: the record that undoes the failed commit could not be made \
                 durable; if the machine loses power before the database is opened again, part \
                 of that commit may stay (`kg check` finds it)"
            );
            false
        }
    };
    let mut batch = sled::Batch::default();
    for entry in entries {
        match &entry.old {
            Some(v) => batch.insert(entry.key.as_slice(), v.clone()),
            None => batch.remove(entry.key.as_slice()),
        }
    }
    let aftermath = match db.apply_batch(batch) {
        Ok(()) => match settle(db, dir, undo) {
            Ok(()) => Aftermath::Undone,
            Err(_) => Aftermath::UndoneUnflushed,
        },
        Err(_) if holds_all(db, entries) => Aftermath::WholeInTree,
        Err(_) => Aftermath::Torn,
    };
    (aftermath, synced)
}

/// Makes an in-process undo durable: sled's flush, the log's sync, then the record done and
/// synced (invariant 4).
fn settle(db: &sled::Db, dir: &Path, undo: &UndoFile) -> Result<()> {
    flush_within(db, dir, FLUSH_WAIT)?;
    DurableLog::new(dir.to_path_buf()).sync()?;
    undo.done_durably()
}

/// How long the failing process waits for sled's flush of its undo.
const FLUSH_WAIT: Duration = Duration::from_secs(2);

/// sled's flush, given up after `limit`: once a write of sled failed, its flush may wait
/// forever for it (seen with large values, whose blob file the full disk refused). The
/// thread is then left waiting, holding a handle of sled, as a close does.
fn flush_within(db: &sled::Db, dir: &Path, limit: Duration) -> Result<()> {
    let (done, flushed) = mpsc::channel();
    let db = db.clone();
    let flusher = std::thread::Builder::new()
        .name("kg-undo-flush".into())
        .spawn(move || {
            let _ = done.send(db.flush().map(drop));
        });
    let gave_up = || StoreError::Sled("sled's flush did not finish".into()).into();
    if flusher.is_err() {
        return Err(gave_up());
    }
    match flushed.recv_timeout(limit) {
        Ok(flush) => flush.map_err(|e| sled_error(dir, e)),
        Err(_) => Err(gave_up()),
    }
}

/// True when sled holds every value the batch wrote (and none of the keys it removed).
fn holds_all(db: &sled::Db, entries: &[Entry]) -> bool {
    entries.iter().all(|e| match db.get(&e.key) {
        Ok(now) => written(now.as_deref()) == e.new,
        Err(_) => false,
    })
}

/// Puts back what a commit that failed part-way overwrote (invariant 3); called by every
/// open of sled at `dir`, before anything reads it.
pub(crate) fn restore(db: &sled::Db, dir: &Path) -> Result<()> {
    let path = dir.join(FILE_NAME);
    let io = |e| StoreError::io(&path, e);
    let file = match OpenOptions::new().read(true).write(true).open(&path) {
        Ok(file) => file,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(io(e).into()),
    };
    let head = read_at(&file, 0, HEADER).map_err(io)?;
    if head.starts_with(MAGIC_V1) {
        return restore_v1(db, dir, &path);
    }
    let Some(header) = Header::parse(&head) else {
        return Ok(());
    };
    if header.state == DONE {
        return Ok(());
    }
    let body = read_at(&file, HEADER as u64, header.body_len).map_err(io)?;
    if let Some(entries) = header.entries(&head, &body) {
        let vouched = durable::read_mark(dir).unwrap_or(0) >= header.number;
        let commits = durable::sled_commits(db, dir)?;
        let names_it = commits + 1 == header.number || commits == header.number;
        if !vouched && names_it && !holds_all(db, &entries) {
            put_back(db, dir, &entries)?;
        }
    }
    // Invariant 4: done for good before any commit can reuse the number.
    file.write_all_at(&DONE, STATE_AT)
        .and_then(|()| file.sync_data())
        .map_err(io)?;
    Ok(())
}

/// The old values back into sled, flushed and synced: they must be on disk before the
/// record that restores them is marked done.
fn put_back(db: &sled::Db, dir: &Path, entries: &[Entry]) -> Result<()> {
    let mut batch = sled::Batch::default();
    for entry in entries {
        match &entry.old {
            Some(v) => batch.insert(entry.key.as_slice(), v.clone()),
            None => batch.remove(entry.key.as_slice()),
        }
    }
    db.apply_batch(batch)
        .and_then(|()| db.flush().map(drop))
        .map_err(|e| sled_error(dir, e))?;
    // sled's flush does not sync (`durable.rs`).
    DurableLog::new(dir.to_path_buf()).sync()
}

/// The previous build's file (`KGUNDO01`: the whole file is one record, removed once its
/// batch applied), under that build's rule: put back when sled holds at most its commit and
/// the mark does not vouch for it; then the file goes.
fn restore_v1(db: &sled::Db, dir: &Path, path: &Path) -> Result<()> {
    let bytes = std::fs::read(path).map_err(|e| StoreError::io(path, e))?;
    if let Some((number, entries)) = decode_v1(&bytes) {
        let vouched = durable::read_mark(dir).unwrap_or(0);
        if durable::sled_commits(db, dir)? <= number && vouched < number {
            put_back(db, dir, &entries)?;
        }
    }
    std::fs::remove_file(path).map_err(|e| StoreError::io(path, e))?;
    durable::sync_dir(dir)
}

/// Up to `len` bytes of `file` from `at` (fewer at its end).
fn read_at(file: &File, at: u64, len: usize) -> std::io::Result<Vec<u8>> {
    let mut buf = vec![0u8; len];
    let mut got = 0;
    while got < len {
        match file.read_at(&mut buf[got..], at + got as u64)? {
            0 => break,
            n => got += n,
        }
    }
    buf.truncate(got);
    Ok(buf)
}

/// The fields of a `KGUNDO02` header.
struct Header {
    number: u64,
    body_len: usize,
    sum: u32,
    state: [u8; 4],
}

impl Header {
    fn parse(head: &[u8]) -> Option<Header> {
        let head: &[u8; HEADER] = head.try_into().ok()?;
        if &head[..8] != MAGIC {
            return None;
        }
        let u64_at = |at: usize| head[at..at + 8].try_into().ok().map(u64::from_le_bytes);
        Some(Header {
            number: u64_at(8)?,
            body_len: usize::try_from(u64_at(16)?).ok()?,
            sum: u32::from_le_bytes(head[24..28].try_into().ok()?),
            state: head[28..32].try_into().ok()?,
        })
    }

    /// The entries of a whole record; `None` when it is cut short or damaged (its batch then
    /// never began, or applied whole: invariant 2).
    fn entries(&self, head: &[u8], body: &[u8]) -> Option<Vec<Entry>> {
        if body.len() != self.body_len || record_sum(&head[..24], body) != self.sum {
            return None;
        }
        let mut rest = body;
        let mut entries = Vec::new();
        while !rest.is_empty() {
            let key;
            (key, rest) = take_sized(rest)?;
            let old;
            (old, rest) = take_value(rest)?;
            let (&tag, after) = rest.split_first()?;
            rest = after;
            let new = match tag {
                0 => None,
                1 => {
                    let (fields, after) = rest.split_at_checked(8)?;
                    rest = after;
                    let len = u32::from_le_bytes(fields[..4].try_into().ok()?);
                    Some((len, u32::from_le_bytes(fields[4..].try_into().ok()?)))
                }
                _ => return None,
            };
            entries.push(Entry {
                key: key.to_vec(),
                old: old.map(sled::IVec::from),
                new,
            });
        }
        Some(entries)
    }
}

fn record_sum(head: &[u8], body: &[u8]) -> u32 {
    let mut sum = crc32fast::Hasher::new();
    sum.update(head);
    sum.update(body);
    sum.finalize()
}

/// The armed record of commit `number` (see the module docs).
fn encode(number: u64, entries: &[Entry]) -> Vec<u8> {
    let size: usize = entries
        .iter()
        .map(|e| e.key.len() + e.old.as_ref().map_or(0, |v| v.len()) + 18)
        .sum();
    let mut out = Vec::with_capacity(size + HEADER);
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&number.to_le_bytes());
    out.extend_from_slice(&[0; 16]);
    for Entry { key, old, new } in entries {
        out.extend_from_slice(&(key.len() as u32).to_le_bytes());
        out.extend_from_slice(key);
        put_value(&mut out, old.as_deref());
        match new {
            Some((len, sum)) => {
                out.push(1);
                out.extend_from_slice(&len.to_le_bytes());
                out.extend_from_slice(&sum.to_le_bytes());
            }
            None => out.push(0),
        }
    }
    let body_len = (out.len() - HEADER) as u64;
    out[16..24].copy_from_slice(&body_len.to_le_bytes());
    let sum = record_sum(&out[..24], &out[HEADER..]);
    out[24..28].copy_from_slice(&sum.to_le_bytes());
    out[28..32].copy_from_slice(&ARMED);
    out
}

fn put_value(out: &mut Vec<u8>, value: Option<&[u8]>) {
    match value {
        Some(v) => {
            out.push(1);
            out.extend_from_slice(&(v.len() as u32).to_le_bytes());
            out.extend_from_slice(v);
        }
        None => out.push(0),
    }
}

/// A tagged value (`0`: absent; `1` and a sized piece) and what follows it.
fn take_value(bytes: &[u8]) -> Option<(Option<&[u8]>, &[u8])> {
    let (&tag, rest) = bytes.split_first()?;
    match tag {
        0 => Some((None, rest)),
        1 => take_sized(rest).map(|(v, rest)| (Some(v), rest)),
        _ => None,
    }
}

/// The commit number and entries of a whole `KGUNDO01` file (magic, number, per key the key
/// and its tagged old value, CRC-32 of all before it); `None` when cut short or damaged.
fn decode_v1(bytes: &[u8]) -> Option<(u64, Vec<Entry>)> {
    let (body, sum) = bytes.split_at(bytes.len().checked_sub(4)?);
    if crc32fast::hash(body) != u32::from_le_bytes(sum.try_into().ok()?) {
        return None;
    }
    let rest = body.strip_prefix(MAGIC_V1)?;
    let (number, mut rest) = rest.split_at_checked(8)?;
    let number = u64::from_le_bytes(number.try_into().ok()?);
    let mut entries = Vec::new();
    while !rest.is_empty() {
        let key;
        (key, rest) = take_sized(rest)?;
        let old;
        (old, rest) = take_value(rest)?;
        entries.push(Entry {
            key: key.to_vec(),
            old: old.map(sled::IVec::from),
            new: None,
        });
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
#[path = "undo_tests.rs"]
mod tests;
