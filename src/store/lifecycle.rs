//! The on-disk lifecycle of a store: the states it can be in ([`DiskState`]), the transitions
//! between them (methods of [`Lifecycle`]) and the rules that keep sled's log, the read image
//! (`image.rs`, `kg.image`), its delta (`delta.rs`, `kg.delta`: what commits changed since
//! the image), their stamp, the seal (`seal.rs`, `kg.seal`) and the commit mark (`durable.rs`,
//! `kg.commits`) telling one story. **Where a commit happens and what protects it:**
//! [`Lifecycle::begin_commit`], [`Commit::land`] and [`Lifecycle::make_durable`], called by
//! `Txn::commit` in that order and by nothing else. The writer lock (`engine.rs`) keeps it
//! the only commit; the statement gate, held exclusively until the batch has landed, keeps
//! readers from seeing part of it; the lifecycle's own lock, held from the preamble to the
//! landing, keeps a late open or an image failure from changing the state in between.
//!
//! ## The states
//! - `Sled`: sled is open in this process (at open, or late). Reads go to the read image (with
//!   its delta over it) while it is current, else to sled.
//! - `Sealed`: compaction, or a clean close, left an image, a delta and a seal that vouches
//!   for them; this process reads them alone, under a shared lock, without having opened sled
//!   (opening sled costs a `kg` process about 12 ms). Any number of sealed readers share a
//!   database.
//! - `Detached`: a sealed store whose late open of sled failed while the seal no longer vouched
//!   for its image: it has neither, and every read tries to open sled again.
//! - `Temporary`: sled in a temporary file; no image, delta, seal or mark.
//!
//! Transitions: [`Lifecycle::open`] (sealed, or sled's handle for [`Lifecycle::on_sled`]);
//! [`Lifecycle::sled`] (sealed or detached → sled, at a write or a read the image cannot serve);
//! [`Lifecycle::image_failed`] (stop reading a damaged image); [`Lifecycle::begin_commit`]
//! (stop reading the image, delete the delta and the seal, start the chain);
//! [`Lifecycle::close`] (write the next delta when the chain is open, and reseal);
//! [`Lifecycle::hand_over`] (sled, still open, to compaction: the mark, no delta, no reseal).
//!
//! ## Invariants
//! 1. The image is read only with its delta over it, and only while sled's stamp
//!    (`00 "image"`) names both (the image's stamp, then the delta's) and nothing was
//!    committed since: checked when sled is opened ([`Lifecycle::on_sled`], the late open's
//!    `adopt`); every commit stops the reads ([`Lifecycle::begin_commit`] bumps the image
//!    epoch) and removes the stamp in its own batch. An image or delta that the stamp does
//!    not name is deleted at open.
//! 2. Image and delta files are written to a temporary name, synced, renamed and the directory
//!    synced, then stamped into sled (`ImageWriter::finish` and an empty delta at compaction,
//!    `extend_delta` at a close); never changed in place.
//! 3. A commit deletes the seal and the delta first, with a directory sync, before its batch
//!    can land (once, at the first commit while sled is stamped), so that neither outlives
//!    the batch, also across a power loss: a delta still there under the database's lock
//!    means no commit since, which resealing relies on. The image stays when this process was
//!    reading it (the *chain* is open: image + delta = sled when the commit began); else it is
//!    deleted too. While the chain is open every landed commit's keys are kept; at a clean
//!    close, sled still open, [`Lifecycle::close`] writes the next delta (the old delta's keys
//!    and the kept ones, values read back from sled, so image + new delta = sled), then
//!    stamps sled with the new names and flushes. A process killed before that leaves sled
//!    unstamped: the next open deletes image and delta (sled is read until `kg compact`).
//!    Past [`delta::LIMIT`] the close deletes the image instead and says so.
//! 4. A seal is written only under sled's exclusive lock with sled closed: by compaction on its
//!    copy before the swap, or by [`Lifecycle::close`] (`seal::reseal`) when this process opened
//!    sled, left it stamped with the names of the image and delta it holds (it committed
//!    nothing, or wrote the delta of what it committed) and finds sled's files as it left
//!    them. A seal is trusted only while its fingerprint of sled's files still matches
//!    (`seal::check`).
//! 5. A sealed reader holds a shared `flock` on `db`'s inode (the one at the path: compaction
//!    swaps directories), taken before it checks the seal, so no sled opens while it reads.
//! 6. Whoever opens sled deletes the seal: the open may change sled's files.
//! 7. Image reads are verified (header checksum, each region's CRC; the delta whole, at
//!    open); a failure makes the process read sled from there on and delete the image and
//!    the seal ([`Lifecycle::image_failed`]).
//! 8. A transaction that read an image that sled, opened late, no longer stamps cannot commit:
//!    it read at an image epoch below [`Lifecycle::outdated_below`] (an epoch, not a flag).
//! 9. `FORMAT_VERSION` (`migrate.rs`) keeps out builds that would break these: 6 the image,
//!    7 the seal, 8 the commit count, 12 the delta (the full list of versions is in
//!    `migrate.rs`).
//! 10. Compaction keeps the source's sled open (so locked) until the atomic exchange; after an
//!     import it takes the importing store's open sled ([`Lifecycle::hand_over`]) rather than
//!     closing and reopening it.
//! 11. sled is opened only through `recovery::open_sled`, which checks the commit mark; the mark
//!     never counts a commit before it is durable ([`Lifecycle::make_durable`], `close`).
//! 12. sled's batch is atomic against a crash, not against an I/O error part-way: every
//!     commit writes its keys' old values to `kg.undo` before its batch, in space allocated
//!     first ([`Commit::land`]; the file's own invariants are in `undo.rs`). When the batch
//!     fails, the record is synced and the old values are put back in this process if sled
//!     still takes writes; otherwise every open of sled puts them back.
//! 13. No statement reads part of a failed batch: the undo above happens under the statement
//!     gate; when sled refused it and holds part of the batch, every read of sled fails
//!     ([`Lifecycle::sled`]) until the database is opened again. A commit after a failed
//!     batch is allowed only when this process's undo of it is durable (`undo.rs`, invariant
//!     4); otherwise commits are refused until the database is opened again.

use std::collections::BTreeSet;
use std::fs::File;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicU8, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};
use std::time::{Duration, Instant};

use crate::error::{AfterUndo, Error, Result, StoreError};

use super::delta::{self, Delta, NAMES};
use super::durable::{self, DurableLog};
use super::errors::{corrupt, not_a_database, sled_error, undone, unsure};
use super::image::{self, Image};
use super::migrate::{self, stored_format, FORMAT_VERSION};
use super::options::Durability;
use super::recovery::open_sled;
use super::undo::{self, Aftermath, UndoFile};
use super::{keys, seal};

/// What the store's files are to this process (see the module docs).
pub(crate) enum DiskState {
    /// sled is open ([`Lifecycle`] keeps its handle where reads reach it without a lock).
    /// `image`: the read image while it is current (invariant 1). `stamped`: sled may hold an
    /// image's stamp, loaded or not; the next commit removes it, so that no file put back
    /// later can match it.
    Sled {
        image: Option<Arc<Image>>,
        stamped: bool,
    },
    /// Reading the sealed image alone. `shared_lock` is `None` only while the late open has
    /// let go of it (and in tests that stand for that moment); `config` opens sled later.
    Sealed {
        image: Arc<Image>,
        shared_lock: Option<File>,
        config: sled::Config,
    },
    /// Neither image nor sled: the next read tries to open sled.
    Detached {
        config: sled::Config,
    },
    Temporary,
}

impl DiskState {
    fn image(&self) -> Option<&Arc<Image>> {
        match self {
            DiskState::Sled { image, .. } => image.as_ref(),
            DiskState::Sealed { image, .. } => Some(image),
            DiskState::Detached { .. } | DiskState::Temporary => None,
        }
    }

    fn config(&self) -> Option<&sled::Config> {
        match self {
            DiskState::Sealed { config, .. } | DiskState::Detached { config } => Some(config),
            DiskState::Sled { .. } | DiskState::Temporary => None,
        }
    }
}

/// What [`Lifecycle::open`] opened: a sealed store with the schema `S` read from its image, or
/// sled, for [`Lifecycle::on_sled`].
pub(crate) enum Opened<S> {
    Sealed(Lifecycle, S),
    Sled(sled::Db),
}

/// Called with sled when a late open finds that another process wrote since this one read the
/// image: reloads what the store keeps in memory (catalog, index list) from sled.
pub(crate) type Reload<'a> = &'a dyn Fn(&sled::Db) -> Result<()>;

/// The owner of a store's on-disk state (see the module docs).
pub(crate) struct Lifecycle {
    /// The database directory; `None` for a temporary store.
    dir: Option<PathBuf>,
    /// The state; its lock also serialises the transitions (a late open, a commit's preamble
    /// up to its landing, an image failure).
    state: Mutex<DiskState>,
    /// sled's handle, set by the one transition into `Sled` and never unset while the store
    /// lives, so that reads take it without the state's lock.
    db: OnceLock<sled::Db>,
    /// Bumped whenever the image stops being read (a commit, a stale or failed image): a
    /// transaction reads the image only at the epoch it took it at (invariant 1).
    image_epoch: AtomicU64,
    /// A transaction that took the image at an epoch below this may not commit (invariant 8).
    outdated_below: AtomicU64,
    durability: Durability,
    /// The syncs a durable commit needs and the commit mark; `None` for a temporary store.
    durable: Option<DurableLog>,
    /// The count of the newest commit whose mark is not written yet (`Relaxed` durability
    /// writes it when the store closes); 0 when none is pending.
    unmarked: AtomicU64,
    /// Set once sled reported an I/O error (a full disk): sled may then never finish a flush,
    /// so closing waits for it only briefly (`durable::close_bounded`).
    io_failed: AtomicBool,
    /// The undo file (`undo.rs`); `None` for a temporary store.
    undo: Option<Box<UndoFile>>,
    /// What a batch that failed part-way left in this process ([`Aftermath`], as a
    /// [`Health`] number): reads and commits check it (invariant 13).
    health: AtomicU8,
    /// What this process committed over the image and delta it found (invariant 3); taken
    /// after the state's lock, never before it.
    chain: Mutex<Chain>,
}

/// What a batch that failed part-way left in this process (invariant 13).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(u8)]
enum Health {
    /// No batch failed, or its undo is durable ([`Aftermath::Undone`]).
    Whole = 0,
    /// Reads are right; no commits: the undo is not on disk ([`Aftermath::UndoneUnflushed`]).
    Unflushed = 1,
    /// Reads are of a whole commit the next open may undo; no commits
    /// ([`Aftermath::WholeInTree`]).
    NoCommits = 2,
    /// sled holds part of the batch: no reads, no commits ([`Aftermath::Torn`]).
    Torn = 3,
}

impl Health {
    fn after(aftermath: Aftermath) -> Health {
        match aftermath {
            Aftermath::Undone => Health::Whole,
            Aftermath::UndoneUnflushed => Health::Unflushed,
            Aftermath::WholeInTree => Health::NoCommits,
            Aftermath::Torn => Health::Torn,
        }
    }
}

/// What this process's commits did to the image and delta it found current (invariant 3).
enum Chain {
    /// Nothing to do at close: no commit yet, or no image to keep.
    Idle,
    /// Every commit so far landed over an image and delta this process read.
    Open(Box<Pending>),
    /// More changed than a delta may hold ([`delta::LIMIT`]): the close drops the image.
    TooLarge,
}

/// The next delta, while the chain is open: over the image stamped `image`, the keys the
/// commits wrote and those of the delta they began from (`bytes`: their sizes).
struct Pending {
    image: [u8; 16],
    keys: BTreeSet<Vec<u8>>,
    bytes: usize,
}

impl Chain {
    /// Adds the keys a commit writes; past the limit the chain ends.
    fn extend(&mut self, written: Option<Vec<Vec<u8>>>) {
        let Chain::Open(pending) = self else {
            return;
        };
        let Pending { keys, bytes, .. } = &mut **pending;
        let Some(written) = written else {
            *self = Chain::TooLarge;
            return;
        };
        for key in written {
            let len = key.len() + 8;
            if key != keys::META_IMAGE && keys.insert(key) {
                *bytes += len;
            }
        }
        if *bytes > delta::LIMIT {
            *self = Chain::TooLarge;
        }
    }
}

/// How long an open waits for another process's sled to let go of the database.
const LOCK_WAIT: Duration = Duration::from_secs(1);

impl Lifecycle {
    fn new(dir: Option<PathBuf>, state: DiskState, durability: Durability) -> Lifecycle {
        Lifecycle {
            durable: dir.clone().map(DurableLog::new),
            undo: dir.clone().map(|d| Box::new(UndoFile::new(d))),
            dir,
            state: Mutex::new(state),
            db: OnceLock::new(),
            image_epoch: AtomicU64::new(0),
            outdated_below: AtomicU64::new(0),
            durability,
            unmarked: AtomicU64::new(0),
            io_failed: AtomicBool::new(false),
            health: AtomicU8::new(Health::Whole as u8),
            chain: Mutex::new(Chain::Idle),
        }
    }

    // ---- opening ---------------------------------------------------------------------------

    /// The store read through its sealed image, with the schema `schema_of` reads from it, or
    /// else sled, opened. Waits up to [`LOCK_WAIT`] while another process has sled open (it
    /// may be about to close, or to reseal).
    ///
    /// A database whose image is valid but no seal vouches for it (copied with `cp -r`, which
    /// gives sled's files new inodes and times; or a process that had sled open died) is
    /// sealed again here: sled is opened, its stamp found to name the image, closed, and the
    /// image resealed under sled's lock (`seal::reseal`); then the open is tried sealed again.
    /// So the first reader of a copy pays one sled open, and concurrent readers of a copy are
    /// not shut out by it for its whole life.
    pub fn open<S>(
        path: &Path,
        config: &sled::Config,
        durability: Durability,
        schema_of: impl Fn(&Image) -> Result<S>,
    ) -> Result<Opened<S>> {
        let mut resealed = false;
        let mut deadline = Instant::now() + LOCK_WAIT;
        // Why the image could not be read, if that is why the sealed open failed.
        let mut damage = None;
        loop {
            if let Some(opened) = open_sealed(path, config, durability, &schema_of, &mut damage) {
                return Ok(opened);
            }
            // Through recovery (`recovery.rs`), as every sled open (invariant 11).
            let err = match open_sled(config, path) {
                Ok(db) => match sealable(&db, path).filter(|_| !resealed && cfg!(unix)) {
                    Some(stamp) => {
                        drop(db);
                        seal::reseal(path, &stamp, FORMAT_VERSION);
                        resealed = true;
                        deadline = Instant::now() + LOCK_WAIT;
                        continue;
                    }
                    None => return Ok(Opened::Sled(db)),
                },
                Err(e) => e,
            };
            match err {
                Error::Store(StoreError::Locked { .. }) if Instant::now() < deadline => {
                    // Unequal pauses, so that readers racing for a copy do not keep meeting.
                    let jitter = u64::from(std::process::id() % 16);
                    std::thread::sleep(Duration::from_millis(12 + jitter));
                }
                locked @ Error::Store(StoreError::Locked { .. }) => {
                    return Err(match damage {
                        Some(why) => corrupt(
                            path,
                            &format!("{why}, and the stored data cannot be read instead: {locked}"),
                        ),
                        None => locked,
                    })
                }
                other => return Err(other),
            }
        }
    }

    /// A store on sled, open at `dir` (`None`: temporary): checks the format (writing it into
    /// a new database, upgrading an older one), deletes the seal (invariant 6) and loads the
    /// read image if sled holds its stamp. On an error sled is closed without waiting long
    /// (a first write that failed on a full disk leaves sled's drop waiting forever).
    pub fn on_sled(db: sled::Db, dir: Option<PathBuf>, durability: Durability) -> Result<Self> {
        match prepare(&db, dir.as_deref()) {
            Ok(state) => {
                let lifecycle = Lifecycle::new(dir, state, durability);
                let _ = lifecycle.db.set(db);
                Ok(lifecycle)
            }
            Err(err) => {
                durable::close_bounded(db, dir.as_deref(), true, || {});
                Err(err)
            }
        }
    }

    /// Closes sled after a failed open, as [`Lifecycle::on_sled`] does on its own errors.
    pub fn abandon(mut self) {
        if let Some(db) = self.db.take() {
            durable::close_bounded(db, self.dir.as_deref(), true, || {});
        }
    }

    // ---- reading ---------------------------------------------------------------------------

    /// sled, if this process has opened it.
    pub fn db_if_open(&self) -> Option<&sled::Db> {
        self.db.get()
    }

    /// The image a transaction beginning now reads, and the epoch it may read it at.
    pub fn read_view(&self) -> (Option<Arc<Image>>, u64) {
        let state = self.lock_state();
        (
            state.image().cloned(),
            self.image_epoch.load(Ordering::Acquire),
        )
    }

    /// True while an image taken at `epoch` is still what sled holds (invariant 1).
    pub fn image_current(&self, epoch: u64) -> bool {
        self.image_epoch.load(Ordering::Acquire) == epoch
    }

    /// True when a transaction that took the image at `epoch` read what another process has
    /// since outdated (invariant 8).
    pub fn outdated(&self, epoch: u64) -> bool {
        epoch < self.outdated_below.load(Ordering::Acquire)
    }

    /// The image this process reads now, if any.
    #[cfg(test)]
    pub fn image(&self) -> Option<Arc<Image>> {
        self.lock_state().image().cloned()
    }

    /// True in the `Detached` state: no image and no sled.
    pub fn is_detached(&self) -> bool {
        matches!(*self.lock_state(), DiskState::Detached { .. })
    }

    /// sled, opened now if the store was opened sealed (or detached) and has not needed it
    /// yet. A late open that finds another process wrote since this one read the image
    /// reloads the schema through `reload`.
    pub fn sled(&self, reload: Reload<'_>) -> Result<&sled::Db> {
        if let Some(db) = self.db.get() {
            // Invariant 13: sled's tree holds part of a failed batch.
            if self.health() == Health::Torn {
                return Err(Error::Transaction(format!(
                    "an earlier commit failed part-way on a full disk, and this process cannot \
                     take back the part of it that reached the database: open the database \
                     again (restart kg or `kg serve`; the open undoes that part) before reading \
                     or writing ({})",
                    self.shown().display()
                )));
            }
            return Ok(db);
        }
        let mut state = self.lock_state();
        if let Some(db) = self.db.get() {
            return Ok(db);
        }
        let (Some(path), Some(config)) = (&self.dir, state.config().cloned()) else {
            return Err(corrupt(self.shown(), "the store has no sled to open"));
        };
        // sled takes an exclusive lock on the file this process holds shared.
        if let DiskState::Sealed { shared_lock, .. } = &mut *state {
            drop(shared_lock.take());
        }
        match open_sled(&config, path).and_then(|db| self.adopt(db, path, &mut state, reload)) {
            Ok(db) => Ok(self.db.get_or_init(|| db)),
            Err(e) => {
                // Back to reading the image under a shared lock, if the seal still vouches
                // for it: while this process held no lock, a writer may have got in and out.
                let lock = seal::lock_shared(path);
                let vouched = lock.is_some()
                    && state.image().is_some_and(|image| {
                        seal::check(path, FORMAT_VERSION).is_some_and(|s| image.names() == Some(&s))
                    });
                match &mut *state {
                    DiskState::Sealed { shared_lock, .. } if vouched => *shared_lock = lock,
                    _ => self.retire_image(&mut state),
                }
                Err(e)
            }
        }
    }

    /// Checks sled, opened late by [`Lifecycle::sled`], against the image read so far: when
    /// its stamp no longer names the image, another process wrote since this one opened.
    fn adopt(
        &self,
        db: sled::Db,
        path: &Path,
        state: &mut DiskState,
        reload: Reload<'_>,
    ) -> Result<sled::Db> {
        match stored_format(&db, path)? {
            Some(found) if found < FORMAT_VERSION => migrate::upgrade(&db, found, path)?,
            Some(_) => {}
            None => return Err(not_a_database(path, "it has no kgstore format marker")),
        }
        // Invariant 6: the open may have changed sled's files.
        seal::remove(path);
        let stamp = db.get(keys::META_IMAGE).map_err(|e| sled_error(path, e))?;
        let image = state.image().cloned();
        let current = match (&image, &stamp) {
            (Some(image), Some(stamp)) => image.names().is_some_and(|n| n[..] == stamp[..]),
            _ => false,
        };
        if current {
            *state = DiskState::Sled {
                image,
                stamped: true,
            };
            return Ok(db);
        }
        self.retire_image(state);
        // Invariant 8: whatever read the image so far read what sled no longer holds.
        self.outdated_below
            .store(self.image_epoch.load(Ordering::Acquire), Ordering::Release);
        reload(&db)?;
        // What sled names now (another process's compaction or delta in between) is read
        // from here on, at the new epoch; stale files are deleted.
        *state = DiskState::Sled {
            image: open_named(path, stamp.as_deref()).map(Arc::new),
            stamped: stamp.is_some(),
        };
        Ok(db)
    }

    /// The image failed to give back what it holds (a region of values that does not match
    /// its checksum, a file cut short or unreadable): this process stops reading it, says so
    /// once on stderr, and reads sled from here on, which holds exactly what the image copied.
    /// Holding sled's lock, it deletes the image and its seal, so that later processes do not
    /// trip on them (`kg compact` writes a new image). When sled cannot be opened (a sealed
    /// reader beside others) the read fails, naming both causes.
    pub fn image_failed(&self, failure: Error, reload: Reload<'_>) -> Result<&sled::Db> {
        let why = reason(&failure);
        let shown = self.shown().join(image::FILE_NAME);
        static TOLD: AtomicBool = AtomicBool::new(false);
        if !TOLD.swap(true, Ordering::AcqRel) {
            eprintln!(
                "warning: {why} ({}); reading the stored data (sled) instead",
                shown.display()
            );
        }
        // sled first: opened late, it must find the image still current (`adopt`).
        let db = self.sled(reload).map_err(|e| {
            corrupt(
                self.shown(),
                &format!("{why}, and the stored data cannot be read instead: {e}"),
            )
        })?;
        self.retire_image(&mut self.lock_state());
        if let Some(dir) = &self.dir {
            // The delta stays: it is read only beside the image its names name.
            seal::remove(dir);
            let _ = std::fs::remove_file(dir.join(image::FILE_NAME));
        }
        Ok(db)
    }

    /// Stops reading the image: the epoch moves on, and a sealed store without sled detaches.
    fn retire_image(&self, state: &mut DiskState) {
        self.image_epoch.fetch_add(1, Ordering::AcqRel);
        match state {
            DiskState::Sled { image, .. } => *image = None,
            DiskState::Sealed { config, .. } => {
                *state = DiskState::Detached {
                    config: config.clone(),
                }
            }
            DiskState::Detached { .. } | DiskState::Temporary => {}
        }
    }

    // ---- committing ------------------------------------------------------------------------

    /// The preamble of every commit, the only thing `Txn::commit` does to the files before its
    /// batch: stops the reads of the image and, while sled may hold an image's stamp, deletes
    /// the seal and the delta durably, and the image too unless this process was reading it
    /// (invariant 3), and removes the stamp in the commit's own batch; counts the commit in
    /// that batch (`durable.rs`). While the chain is open, the keys the commit writes are
    /// kept for the next delta ([`Lifecycle::close`]). The returned [`Commit`] holds the
    /// state's lock until it lands. The caller holds the writer lock and the statement gate
    /// exclusively, and has opened sled ([`Lifecycle::sled`]).
    pub fn begin_commit(&self) -> Result<Commit<'_>> {
        let Some(db) = self.db.get() else {
            return Err(corrupt(self.shown(), "a commit before sled was opened"));
        };
        self.commits_allowed()?;
        let mut state = self.lock_state();
        // What this process reads now, if current: the base a delta can go on from.
        let current = state.image().cloned();
        // The read image stops matching with this batch: stop reading it before it lands.
        self.retire_image(&mut state);
        let stamped = matches!(*state, DiskState::Sled { stamped: true, .. });
        let mut batch = sled::Batch::default();
        if stamped {
            // The stamp goes even when no image was loaded: a file put back later must not
            // match it.
            batch.remove(keys::META_IMAGE);
            if let Some(dir) = &self.dir {
                // By their paths, whether or not this process still has them loaded.
                seal::remove(dir);
                delta::remove(dir);
                let base = current.as_deref().and_then(|image| image.delta());
                *self.lock_chain() = match base {
                    Some(base) => Chain::Open(Box::new(Pending {
                        image: image_stamp(base.names()),
                        bytes: base.keys().map(|k| k.len() + 8).sum(),
                        keys: base.keys().map(<[u8]>::to_vec).collect(),
                    })),
                    None => {
                        let _ = std::fs::remove_file(dir.join(image::FILE_NAME));
                        Chain::Idle
                    }
                };
                durable::sync_dir(dir)?;
            }
        }
        let keys =
            matches!(*self.lock_chain(), Chain::Open(_)).then(|| vec![keys::META_COMMITS.to_vec()]);
        // Every commit counts itself in its own batch: the commit mark compares this count
        // with the one it recorded once the commit was durable.
        let number = match &self.dir {
            Some(dir) => durable::sled_commits(db, dir)? + 1,
            None => 0,
        };
        if number > 0 {
            batch.insert(keys::META_COMMITS, &number.to_be_bytes());
        }
        Ok(Commit {
            lifecycle: self,
            state,
            db,
            batch,
            stamped,
            number,
            tracking: keys.is_some(),
            keys,
            key_bytes: 0,
            undo: Vec::new(),
        })
    }

    /// Refuses a commit while a failed batch's undo is not durable (invariant 13).
    fn commits_allowed(&self) -> Result<()> {
        let why = match self.health() {
            Health::Whole => return Ok(()),
            Health::Unflushed => "failed part-way on a full disk and was taken back in this process, but that could not be written to disk",
            Health::NoCommits | Health::Torn => "failed part-way on a full disk",
        };
        Err(Error::Transaction(format!(
            "an earlier commit {why}: open the database again (restart kg or `kg serve`; the \
             open undoes that commit) before writing"
        )))
    }

    /// Makes the commit numbered `number` durable (`Durability::Full`: sled's flush, then the
    /// fdatasyncs and the mark, `durable.rs`), or leaves its mark to the close (`Relaxed`).
    /// Called once the commit is visible, outside the statement gate. Fails with
    /// [`Error::CommitUnsure`]: the commit landed, and sled may still write it or lose it.
    pub fn make_durable(&self, number: u64) -> Result<()> {
        let (Some(durable), Some(db)) = (&self.durable, self.db.get()) else {
            return Ok(());
        };
        if self.durability == Durability::Full {
            // sled's flush only starts the disk writes of the log (sync_file_range): the
            // fdatasync makes the commit survive a power loss.
            let made = db.flush().map_err(|e| self.sled_err(e)).and_then(|_| {
                durable
                    .sync()
                    .and_then(|()| durable.write_mark(number))
                    .inspect_err(|_| self.note_io_failure())
            });
            made.map_err(unsure)?;
        } else {
            self.unmarked.store(number, Ordering::Release);
        }
        Ok(())
    }

    // ---- closing ---------------------------------------------------------------------------

    /// Closes sled, if this process opened it, on a thread of its own (`close_bounded`);
    /// writes the pending commit mark. When this process committed over an image and delta it
    /// read, it first writes the next delta and stamps sled with it (invariant 3); then it
    /// seals the image and delta again, as they are current (also when it committed
    /// nothing), since sled's open broke the old seal (invariant 4). False when sled did not
    /// finish closing in time.
    pub fn close(&mut self) -> bool {
        let Some(db) = self.db.take() else {
            return true;
        };
        if let (Some(undo), Health::Whole) = (&self.undo, self.health()) {
            // A large commit's room is not kept beyond the process that needed it.
            undo.shrink();
        }
        let reseal = self.dir.clone().zip(self.settle_chain(&db));
        let unmarked = self.unmarked.load(Ordering::Acquire);
        let durable = self.durable.take();
        durable::close_bounded(
            db,
            self.dir.as_deref(),
            self.io_failed.load(Ordering::Acquire),
            move || {
                if let Some(durable) = &durable {
                    // Relaxed commits are durable now that sled has flushed them on close.
                    if unmarked > 0 && durable.sync().is_ok() {
                        let _ = durable.write_mark(unmarked);
                    }
                    durable.sync_mark();
                }
                if let Some((path, names)) = reseal {
                    seal::reseal(&path, &names, FORMAT_VERSION);
                }
            },
        )
    }

    /// Hands sled, still open (so still locked against other processes), to compaction
    /// (`compact.rs`, `Store::compact_open`; invariant 10), so that it copies the log this
    /// process has open instead of closing it and opening it again. Does what
    /// [`Lifecycle::close`] must do before sled closes, for a directory that is about to be
    /// swapped for a sealed copy: the pending commit mark, once sled has flushed and the log
    /// is synced; no delta (when this process committed over an image, the image goes, as
    /// when a close cannot write the delta: the stamp went with the first commit, and a
    /// compaction that fails leaves sled to be read); no reseal. The store is left without
    /// sled (its close does nothing); `None` when it never had sled open. On an error sled is
    /// closed without waiting long, as after a failed open.
    pub fn hand_over(&mut self) -> Result<Option<sled::Db>> {
        let Some(db) = self.db.take() else {
            return Ok(None);
        };
        let chain = std::mem::replace(
            self.chain.get_mut().unwrap_or_else(|e| e.into_inner()),
            Chain::Idle,
        );
        if let (Some(dir), Chain::Open(_) | Chain::TooLarge) = (&self.dir, chain) {
            let _ = std::fs::remove_file(dir.join(image::FILE_NAME));
        }
        *self.state.get_mut().unwrap_or_else(|e| e.into_inner()) = DiskState::Sled {
            image: None,
            stamped: false,
        };
        let unmarked = self.unmarked.swap(0, Ordering::AcqRel);
        let marked = match self.durable.take() {
            Some(durable) => db
                .flush()
                .map_err(|e| self.sled_err(e))
                .and_then(|_| match unmarked {
                    0 => Ok(()),
                    n => durable.sync().and_then(|()| durable.write_mark(n)),
                })
                .map(|()| durable.sync_mark()),
            None => Ok(()),
        };
        match marked {
            Ok(()) => Ok(Some(db)),
            Err(e) => {
                durable::close_bounded(db, self.dir.as_deref(), true, || {});
                Err(e)
            }
        }
    }

    /// At a close or hand-over, sled still open: ends the chain (writing the next delta and
    /// stamping sled with it while it is open, invariant 3); returns the names of the image
    /// and delta that are current, if any.
    fn settle_chain(&mut self, db: &sled::Db) -> Option<[u8; NAMES]> {
        let chain = std::mem::replace(
            self.chain.get_mut().unwrap_or_else(|e| e.into_inner()),
            Chain::Idle,
        );
        let state = self.state.get_mut().unwrap_or_else(|e| e.into_inner());
        let current = state.image().and_then(|image| image.names().copied());
        match (&self.dir, chain) {
            (_, Chain::Idle) => current,
            (Some(dir), chain) => {
                let written = match chain {
                    Chain::Open(pending) if !self.io_failed.load(Ordering::Acquire) => {
                        extend_delta(db, dir, &pending.image, pending.keys)
                    }
                    Chain::Open(_) => Err(String::new()),
                    _ => Err(too_large()),
                };
                written
                    .inspect_err(|why| {
                        // The stamp went with the first commit: drop the unnamed image.
                        let _ = std::fs::remove_file(dir.join(image::FILE_NAME));
                        if !why.is_empty() {
                            eprintln!(
                                "note: {why}; reads use the stored data until the next `kg compact` ({})",
                                dir.display()
                            );
                        }
                    })
                    .ok()
            }
            (None, _) => None,
        }
    }

    // ---- errors ----------------------------------------------------------------------------

    /// A sled error as kgstore reports it; an I/O error also shortens the close's wait.
    pub fn sled_err(&self, e: sled::Error) -> Error {
        let err = sled_error(self.shown(), e);
        if matches!(
            err,
            Error::Store(StoreError::Io { .. } | StoreError::DiskFull { .. })
        ) {
            self.note_io_failure();
        }
        err
    }

    fn health(&self) -> Health {
        match self.health.load(Ordering::Acquire) {
            0 => Health::Whole,
            1 => Health::Unflushed,
            2 => Health::NoCommits,
            _ => Health::Torn,
        }
    }

    /// sled may now never finish a flush: the close must not wait for one for long.
    pub fn note_io_failure(&self) {
        self.io_failed.store(true, Ordering::Release);
    }

    pub fn durability(&self) -> Durability {
        self.durability
    }

    fn shown(&self) -> &Path {
        self.dir.as_deref().unwrap_or(Path::new(":memory:"))
    }

    fn lock_state(&self) -> MutexGuard<'_, DiskState> {
        self.state.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn lock_chain(&self) -> MutexGuard<'_, Chain> {
        self.chain.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// For tests that stand for two processes: lets go of a sealed reader's shared lock, as
    /// the late open does on its way to sled.
    #[cfg(test)]
    pub fn release_shared_lock(&self) {
        if let DiskState::Sealed { shared_lock, .. } = &mut *self.lock_state() {
            drop(shared_lock.take());
        }
    }

    #[cfg(test)]
    pub fn holds_shared_lock(&self) -> bool {
        matches!(
            *self.lock_state(),
            DiskState::Sealed {
                shared_lock: Some(_),
                ..
            }
        )
    }
}

/// A commit between its preamble and its landing: holds the lifecycle's lock, so that no
/// late open, image failure or other commit changes the state under it.
pub(crate) struct Commit<'a> {
    lifecycle: &'a Lifecycle,
    state: MutexGuard<'a, DiskState>,
    db: &'a sled::Db,
    batch: sled::Batch,
    stamped: bool,
    number: u64,
    /// The keys written, while the chain is open (`None` once past [`delta::LIMIT`]).
    keys: Option<Vec<Vec<u8>>>,
    key_bytes: usize,
    /// The chain was open when the commit began.
    tracking: bool,
    /// The keys the batch writes and what it writes to each, for the undo file (`undo.rs`;
    /// on-disk stores only).
    undo: Vec<(Vec<u8>, undo::Written)>,
}

impl Commit<'_> {
    /// Adds a write (or with `None` a removal) to the commit's batch.
    pub fn put(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        if let Some(keys) = &mut self.keys {
            self.key_bytes += key.len() + 8;
            if self.key_bytes > delta::LIMIT {
                self.keys = None;
            } else {
                keys.push(key.clone());
            }
        }
        if self.lifecycle.undo.is_some() {
            self.undo
                .push((key.clone(), undo::written(value.as_deref())));
        }
        match value {
            Some(v) => self.batch.insert(key, v),
            None => self.batch.remove(key),
        }
    }

    /// Applies the batch atomically; returns the commit's number for
    /// [`Lifecycle::make_durable`] (0 for a temporary store). sled's `apply_batch` is atomic
    /// against a crash but not against an I/O error, which can leave part of the batch in
    /// sled (`undo.rs`): so the old values of its keys are written to the undo file first
    /// (a failure to make room for them or to write them refuses the commit, nothing
    /// applied). A batch that fails syncs that record and is undone at once when sled still
    /// takes writes, else by the next open (invariants 12 and 13); the error says which
    /// ([`Error::CommitUndone`]).
    pub fn land(mut self) -> Result<u64> {
        let mut entries = Vec::new();
        if let Some(undo) = &self.lifecycle.undo {
            entries.reserve(self.undo.len());
            for (key, new) in std::mem::take(&mut self.undo) {
                let old = self.db.get(&key).map_err(|e| self.lifecycle.sled_err(e))?;
                entries.push(undo::Entry { key, old, new });
            }
            undo.arm(self.number, &entries)?;
        }
        // Kept before the batch applies: a key whose write failed is read back as sled has it.
        if self.tracking {
            self.lifecycle.lock_chain().extend(self.keys.take());
        }
        let batch = std::mem::take(&mut self.batch);
        if let Err(e) = self.db.apply_batch(batch) {
            let cause = self.lifecycle.sled_err(e);
            let (Some(dir), Some(undo)) = (&self.lifecycle.dir, &self.lifecycle.undo) else {
                return Err(match cause {
                    e @ Error::Store(StoreError::Io { .. } | StoreError::DiskFull { .. }) => {
                        unsure(e)
                    }
                    e => e,
                });
            };
            let (aftermath, synced) = undo::after_failure(self.db, dir, undo, &entries);
            self.lifecycle
                .health
                .store(Health::after(aftermath) as u8, Ordering::Release);
            return Err(match aftermath {
                Aftermath::Undone => undone(cause, AfterUndo::GoOn),
                Aftermath::UndoneUnflushed if synced => undone(cause, AfterUndo::ReopenToWrite),
                Aftermath::Torn if synced => undone(cause, AfterUndo::ReopenToRead),
                _ => unsure(cause),
            });
        }
        if let Some(undo) = &self.lifecycle.undo {
            undo.done();
        }
        if let (true, DiskState::Sled { stamped, .. }) = (self.stamped, &mut *self.state) {
            *stamped = false;
        }
        Ok(self.number)
    }
}

/// The sealed open: `None` when no seal vouches for a readable image (open sled as usual);
/// `damage` then says why when the image failed to give back what the open reads.
fn open_sealed<S>(
    path: &Path,
    config: &sled::Config,
    durability: Durability,
    schema_of: &impl Fn(&Image) -> Result<S>,
    damage: &mut Option<String>,
) -> Option<Opened<S>> {
    let lock = seal::lock_shared(path)?;
    let names = seal::check(path, FORMAT_VERSION)?;
    let image = Image::load(&path.join(image::FILE_NAME), &names[..16], FORMAT_VERSION)?
        .with_delta(Delta::load(path, &names, FORMAT_VERSION)?)?;
    // An image that cannot answer these (a damaged value) leaves the store to sled.
    let read = image
        .get(keys::META_FORMAT)
        .and_then(|format| Ok((format, schema_of(&image)?)));
    let schema = match read {
        Ok((format, schema)) if format.as_deref() == Some(&FORMAT_VERSION.to_be_bytes()[..]) => {
            schema
        }
        Ok(_) => return None,
        Err(e) => {
            *damage = Some(reason(&e));
            return None;
        }
    };
    let state = DiskState::Sealed {
        image: Arc::new(image),
        shared_lock: Some(lock),
        config: config.clone(),
    };
    let lifecycle = Lifecycle::new(Some(path.to_path_buf()), state, durability);
    Some(Opened::Sealed(lifecycle, schema))
}

/// The state of a store whose sled is open at `dir` (see [`Lifecycle::on_sled`]).
fn prepare(db: &sled::Db, dir: Option<&Path>) -> Result<DiskState> {
    let shown = dir.unwrap_or(Path::new(":memory:"));
    let e = |err| sled_error(shown, err);
    match stored_format(db, shown)? {
        Some(found) => {
            if found < FORMAT_VERSION {
                migrate::upgrade(db, found, shown)?;
            }
        }
        None => {
            if db.iter().next().is_some() {
                return Err(not_a_database(shown, "it has no kgstore format marker"));
            }
            db.insert(keys::META_FORMAT, &FORMAT_VERSION.to_be_bytes())
                .map_err(e)?;
            if let Some(dir) = dir {
                db.flush().map_err(e)?;
                // sled created its files here: their names must survive a power loss.
                DurableLog::new(dir.to_path_buf()).sync()?;
                durable::sync_dir(dir)?;
            }
        }
    }
    let Some(dir) = dir else {
        return Ok(DiskState::Temporary);
    };
    let stamp = db.get(keys::META_IMAGE).map_err(e)?;
    // Invariant 6: the open may have changed sled's files.
    seal::remove(dir);
    let image = open_named(dir, stamp.as_deref()).map(Arc::new);
    Ok(DiskState::Sled {
        image,
        stamped: stamp.is_some(),
    })
}

/// The names of the image and delta in `path` if sled, open there, is of this build's format
/// and names them, and both are well formed: then sled holds exactly what the image and delta
/// hold (every commit removes the stamp), and they may be sealed.
fn sealable(db: &sled::Db, path: &Path) -> Option<[u8; NAMES]> {
    let file = path.join(image::FILE_NAME);
    if !file.is_file() || stored_format(db, path).ok()? != Some(FORMAT_VERSION) {
        return None;
    }
    let names: [u8; NAMES] = db.get(keys::META_IMAGE).ok()??.as_ref().try_into().ok()?;
    // Its values are checked as they are read; one read here keeps a plainly damaged image
    // from being sealed.
    Image::load(&file, &names[..16], FORMAT_VERSION)?
        .with_delta(Delta::load(path, &names, FORMAT_VERSION)?)?
        .get(keys::META_FORMAT)
        .ok()??;
    Some(names)
}

/// The image and delta in `dir` that sled's stamp `stamp` names, if both are there and well
/// formed. Each file that is not what the stamp names is deleted (the caller holds sled's
/// lock); one that is stays, though the other is missing: it is read only beside the other,
/// and the next commit removes the stamp that names it.
fn open_named(dir: &Path, stamp: Option<&[u8]>) -> Option<Image> {
    let names = stamp.filter(|s| s.len() == NAMES);
    let image = Image::open(dir, names.map(|n| &n[..16]), FORMAT_VERSION);
    let delta = match names {
        Some(names) => Delta::open(dir, names, FORMAT_VERSION),
        None => {
            delta::remove(dir);
            None
        }
    };
    image?.with_delta(delta?)
}

/// The image's stamp among `names`.
fn image_stamp(names: &[u8; NAMES]) -> [u8; 16] {
    let mut stamp = [0u8; 16];
    stamp.copy_from_slice(&names[..16]);
    stamp
}

fn too_large() -> String {
    format!(
        "more than {} MiB changed since the last `kg compact`",
        delta::LIMIT >> 20
    )
}

/// Writes the delta for what this process committed over the image stamped `image`: `keys`
/// (the previous delta's and those its commits wrote) with their values as sled, still open
/// and with every commit landed, holds them now; then stamps sled with the new names and
/// flushes (invariant 3). An error says why the image must go instead.
fn extend_delta(
    db: &sled::Db,
    dir: &Path,
    image: &[u8; 16],
    keys: BTreeSet<Vec<u8>>,
) -> std::result::Result<[u8; NAMES], String> {
    let failed = |e: &dyn std::fmt::Display| format!("the changes could not be kept ({e})");
    let mut entries = Vec::with_capacity(keys.len());
    let mut bytes = 0;
    for key in keys {
        let value = db.get(&key).map_err(|e| failed(&e))?;
        bytes += key.len() + value.as_ref().map_or(0, |v| v.len()) + 8;
        if bytes > delta::LIMIT {
            return Err(too_large());
        }
        entries.push((key, value));
    }
    let names = delta::write(dir, image, FORMAT_VERSION, &entries).map_err(|e| failed(&e))?;
    db.insert(keys::META_IMAGE, &names[..])
        .and_then(|_| db.flush())
        .map_err(|e| failed(&e))?;
    Ok(names)
}

/// What is wrong, without the "database … is corrupt" around it.
fn reason(e: &Error) -> String {
    match e {
        Error::Store(StoreError::Corrupt { reason, .. }) => reason.clone(),
        other => other.to_string(),
    }
}

#[cfg(all(test, unix))]
#[path = "lifecycle_tests.rs"]
mod tests;
