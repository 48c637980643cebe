//! The sealed open (`seal.rs`): a store that reads only its image, under a shared lock, and
//! opens sled when it first needs it (a write, or a read the image cannot serve), checking
//! there that no other process wrote in between; and a store that opened sled but wrote
//! nothing seals its image again when it closes.

use std::fs::File;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result, StoreError};
use crate::store::Durability;

use super::super::image::{self, Image};
use super::super::{keys, migrate, seal};
use super::{
    corrupt, load_schema, not_a_database, open_sled, schema_in_sled, sled_error, stored_format,
    Inner, Store, FORMAT_VERSION,
};

/// What [`Store::open_sealed_or_sled`] opened.
pub(super) enum Opened {
    Sealed(Store),
    Sled(sled::Db),
}

/// How long an open waits for another process's sled to let go of the database.
const LOCK_WAIT: Duration = Duration::from_secs(1);

impl Store {
    /// The store read through its sealed image, or else sled, opened. Waits up to [`LOCK_WAIT`]
    /// while another process has sled open (it may be about to close, or to reseal).
    ///
    /// A database whose image is valid but no seal vouches for it (copied with `cp -r`, which
    /// gives sled's files new inodes and times; or a process that had sled open died) is
    /// sealed again here: sled is opened, its stamp found to name the image, closed, and the
    /// image resealed under sled's lock (`seal::reseal`); then the open is tried sealed again.
    /// So the first reader of a copy pays one sled open, and concurrent readers of a copy are
    /// not shut out by it for its whole life.
    pub(super) fn open_sealed_or_sled(
        path: &Path,
        config: &sled::Config,
        durability: Durability,
    ) -> Result<Opened> {
        let mut resealed = false;
        let mut deadline = Instant::now() + LOCK_WAIT;
        // Why the image could not be read, if that is why the sealed open failed.
        let mut damage = None;
        loop {
            if let Some(store) = Store::open_sealed(path, config, durability, &mut damage) {
                return Ok(Opened::Sealed(store));
            }
            // Through recovery (`recovery.rs`), as every sled open: damaged snapshots are set
            // aside, sled's panics become errors and the commit mark is checked.
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

    /// The store read through its image alone, when a seal vouches for it (`seal.rs`): sled is
    /// opened only if the process comes to need it (`Inner::sled`). `None`: open sled as usual;
    /// `damage` then says why when the image failed to give back what the open reads.
    pub(super) fn open_sealed(
        path: &Path,
        config: &sled::Config,
        durability: Durability,
        damage: &mut Option<String>,
    ) -> Option<Store> {
        let lock = seal::lock_shared(path)?;
        let stamp = seal::check(path, FORMAT_VERSION)?;
        let image = Image::load(&path.join(image::FILE_NAME), &stamp, FORMAT_VERSION)?;
        // An image that cannot answer these (a damaged value) leaves the store to sled.
        let read = image.get(keys::META_FORMAT).and_then(|format| {
            let schema = load_schema(path, |p| {
                image
                    .scan_prefix(vec![p])
                    .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())))
                    .collect()
            })?;
            Ok((format, schema))
        });
        let (catalog, indexes) = match read {
            Ok((format, schema))
                if format.as_deref() == Some(&FORMAT_VERSION.to_be_bytes()[..]) =>
            {
                schema
            }
            Ok(_) => return None,
            Err(e) => {
                *damage = Some(reason(&e));
                return None;
            }
        };
        Some(Store::assemble(
            None,
            Some(path.to_path_buf()),
            durability,
            (catalog, indexes),
            Some(Arc::new(image)),
            true,
            Some((config.clone(), lock)),
        ))
    }
}

/// The stamp of the image in `path` if sled, open there, is of this build's format and names
/// that image, and the image is well formed: then sled holds exactly what the image copied
/// (every commit removes the stamp), and the image may be sealed.
fn sealable(db: &sled::Db, path: &Path) -> Option<[u8; 16]> {
    let file = path.join(image::FILE_NAME);
    if !file.is_file() || stored_format(db, path).ok()? != Some(FORMAT_VERSION) {
        return None;
    }
    let stamp = db.get(keys::META_IMAGE).ok()??;
    // Its values are checked as they are read; one read here keeps a plainly damaged image
    // from being sealed.
    Image::load(&file, &stamp, FORMAT_VERSION)?
        .get(keys::META_FORMAT)
        .ok()??;
    stamp.as_ref().try_into().ok()
}

/// What is wrong, without the "database … is corrupt" around it.
fn reason(e: &Error) -> String {
    match e {
        Error::Store(StoreError::Corrupt { reason, .. }) => reason.clone(),
        other => other.to_string(),
    }
}

impl Inner {
    /// sled, opened now if the store was opened sealed and has not needed it yet.
    pub fn sled(&self) -> Result<&sled::Db> {
        if let Some(db) = self.db.get() {
            return Ok(db);
        }
        let _opening = self.opening.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(db) = self.db.get() {
            return Ok(db);
        }
        let (Some(path), Some(config)) = (&self.path, &self.sled_config) else {
            return Err(corrupt(
                &self.display_path(),
                "the store has no sled to open",
            ));
        };
        // sled takes an exclusive lock on the file this process holds shared.
        drop(self.lock_slot().take());
        let db = match open_sled(config, path).and_then(|db| self.adopt(db, path)) {
            Ok(db) => db,
            Err(e) => {
                // Back to reading the image under a shared lock, if the seal still vouches
                // for it: while this process held no lock, a writer may have got in and out.
                let lock = seal::lock_shared(path);
                let image = self.image.read().unwrap_or_else(|e| e.into_inner()).clone();
                let vouched = lock.is_some()
                    && image.is_some_and(|image| {
                        seal::check(path, FORMAT_VERSION).is_some_and(|s| s[..] == *image.stamp())
                    });
                if vouched {
                    *self.lock_slot() = lock;
                } else {
                    self.drop_image();
                }
                return Err(e);
            }
        };
        Ok(self.db.get_or_init(|| db))
    }

    pub(super) fn lock_slot(&self) -> std::sync::MutexGuard<'_, Option<File>> {
        self.shared_lock.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Checks sled, opened late by [`Inner::sled`], against the image read so far: when its
    /// stamp no longer names the image, another process wrote since this one opened, and the
    /// catalog is reloaded from sled.
    fn adopt(&self, db: sled::Db, path: &Path) -> Result<sled::Db> {
        let e = |err| sled_error(path, err);
        match stored_format(&db, path)? {
            Some(found) if found < FORMAT_VERSION => migrate::upgrade(&db, found, path)?,
            Some(_) => {}
            None => return Err(not_a_database(path, "it has no kgstore format marker")),
        }
        // Whoever opens sled deletes the seal: the open may have changed sled's files.
        seal::remove(path);
        let stamp = db.get(keys::META_IMAGE).map_err(e)?;
        let image = self.image.read().unwrap_or_else(|e| e.into_inner()).clone();
        let current = match (&image, &stamp) {
            (Some(image), Some(stamp)) => image.stamp() == stamp.as_ref(),
            _ => false,
        };
        if !current {
            self.drop_image();
            self.image_went_stale.store(true, Ordering::Release);
            self.image_stamped.store(stamp.is_some(), Ordering::Release);
            let (catalog, indexes) = schema_in_sled(&db, path)?;
            *self.catalog.write().unwrap_or_else(|e| e.into_inner()) = catalog;
            *self.indexes.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(indexes);
            self.generation.fetch_add(1, Ordering::AcqRel);
            // Deletes the file if stale; a valid one (a compaction in between) stays for the
            // next process, while this one reads sled from here on.
            drop(Image::open(path, stamp.as_deref(), FORMAT_VERSION));
        }
        Ok(db)
    }

    /// The image failed to give back what it holds (a region of values that does not match
    /// its checksum, a file cut short or unreadable): this process stops reading it, says so
    /// once on stderr, and reads sled from here on, which holds exactly what the image copied.
    /// Holding sled's lock, it deletes the image and its seal, so that later processes do not
    /// trip on them (`kg compact` writes a new image). When sled cannot be opened (a sealed
    /// reader beside others) the read fails, naming both causes.
    pub(crate) fn image_failed(&self, failure: Error) -> Result<&sled::Db> {
        let why = reason(&failure);
        let shown = self.display_path().join(image::FILE_NAME);
        static TOLD: AtomicBool = AtomicBool::new(false);
        if !TOLD.swap(true, Ordering::AcqRel) {
            eprintln!(
                "warning: {why} ({}); reading the stored data (sled) instead",
                shown.display()
            );
        }
        // sled first: opened late, it must find the image still current (`adopt`).
        let db = self.sled().map_err(|e| {
            corrupt(
                &self.display_path(),
                &format!("{why}, and the stored data cannot be read instead: {e}"),
            )
        })?;
        self.drop_image();
        if let Some(dir) = &self.path {
            seal::remove(dir);
            let _ = std::fs::remove_file(dir.join(image::FILE_NAME));
        }
        Ok(db)
    }

    /// Stops reading the image (a commit, or sled found it stale).
    pub(crate) fn drop_image(&self) {
        self.image_live.store(false, Ordering::Release);
        self.image.write().unwrap_or_else(|e| e.into_inner()).take();
    }
}

impl Drop for Inner {
    /// A process that opened sled and committed nothing leaves sled holding what the image
    /// copied (`image_live`: checked at open, cleared by a commit): its close seals the image
    /// again (`seal::reseal`), since sled's open broke the old seal.
    fn drop(&mut self) {
        let Some(db) = self.db.take() else {
            return;
        };
        let stamp: Option<[u8; 16]> = self
            .image
            .get_mut()
            .unwrap_or_else(|e| e.into_inner())
            .as_ref()
            .filter(|_| self.image_live.load(Ordering::Acquire))
            .and_then(|image| image.stamp().try_into().ok());
        let reseal = self.path.clone().zip(stamp);
        let unmarked = self.unmarked.load(Ordering::Acquire);
        let durable = self.durable.take();
        let closed = super::super::durable::close_bounded(
            db,
            self.path.as_deref(),
            self.io_failed.load(Ordering::Acquire),
            move || {
                if let Some(durable) = &durable {
                    // Relaxed commits are durable now that sled has flushed them on close.
                    if unmarked > 0 && durable.sync().is_ok() {
                        let _ = durable.write_mark(unmarked);
                    }
                    durable.sync_mark();
                }
                if let Some((path, stamp)) = reseal {
                    seal::reseal(&path, &stamp, FORMAT_VERSION);
                }
            },
        );
        if !closed {
            // sled is still open in the thread that could not finish closing it.
            self.snapshot.written.store(0, Ordering::Release);
        }
    }
}
