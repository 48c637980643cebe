//! The concrete store: what it keeps in memory (catalog, index list, generation), the
//! single-writer lock and the statement gate; its files are the lifecycle's (`lifecycle.rs`).

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Condvar, Mutex, RwLock};
use std::time::Duration;

use super::options::{Durability, OpenOptions};
use crate::error::{Error, Result, StoreError};

use super::errors::{corrupt, not_a_database, sled_error};
use super::image::Image;
use super::keys;
use super::lifecycle::{Lifecycle, Opened};
use super::recovery::open_sled;

/// How long a transaction waits for another writer before giving up.
const WRITER_WAIT: Duration = Duration::from_secs(10);

/// Default sled page cache. Large enough to keep the adjacency and node blocks of a
/// 200k-node / 2M-relationship graph (~200 MiB on disk) resident: at 64 MiB, random
/// traversals re-read evicted pages from the log on most expansions (W5 at M: 118 → 56 µs).
const DEFAULT_CACHE: u64 = 256 << 20;

/// Names ↔ small integers for labels, relationship types and property keys.
#[derive(Default)]
pub(crate) struct Catalog {
    maps: [NameMap; 3],
}

#[derive(Default)]
struct NameMap {
    by_name: HashMap<String, u32>,
    by_id: HashMap<u32, String>,
}

pub(crate) fn kind_slot(kind: u8) -> usize {
    match kind {
        keys::KIND_LABEL => 0,
        keys::KIND_TYPE => 1,
        _ => 2,
    }
}

impl Catalog {
    pub fn id(&self, kind: u8, name: &str) -> Option<u32> {
        self.maps[kind_slot(kind)].by_name.get(name).copied()
    }
    pub fn name(&self, kind: u8, id: u32) -> Option<&str> {
        self.maps[kind_slot(kind)]
            .by_id
            .get(&id)
            .map(String::as_str)
    }
    pub fn insert(&mut self, kind: u8, id: u32, name: &str) {
        let m = &mut self.maps[kind_slot(kind)];
        m.by_name.insert(name.to_string(), id);
        m.by_id.insert(id, name.to_string());
    }
    pub fn remove(&mut self, kind: u8, id: u32) {
        let m = &mut self.maps[kind_slot(kind)];
        if let Some(name) = m.by_id.remove(&id) {
            m.by_name.remove(&name);
        }
    }
    pub fn names(&self, kind: u8) -> Vec<(u32, String)> {
        let mut v: Vec<(u32, String)> = self.maps[kind_slot(kind)]
            .by_id
            .iter()
            .map(|(i, n)| (*i, n.clone()))
            .collect();
        v.sort();
        v
    }
}

/// The label id of an index over every node, whatever its labels (declared with an empty
/// label, e.g. by `kg import` for `name`). Never a catalog id, so it never shows as a label.
pub(crate) const ANY_LABEL: u32 = u32::MAX;

/// A property index as stored: catalog ids instead of names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct IndexMeta {
    pub id: u32,
    pub name: String,
    pub label: u32,
    pub key: u32,
    pub unique: bool,
    /// Hash buckets (a power of two, at most [`keys::INDEX_BUCKETS`]): sized from the entries
    /// expected when the index is created and grown when a bucket gets large (`write.rs`).
    /// Index definitions written before format 4 have none stored and use the maximum.
    pub buckets: u32,
    /// Declared kind; definitions written before format 10 have none stored and are RANGE.
    pub kind: super::IndexKind,
}

impl IndexMeta {
    /// True when a node carrying `labels` belongs in this index.
    pub fn covers(&self, labels: &[u32]) -> bool {
        self.label == ANY_LABEL || labels.contains(&self.label)
    }

    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        super::codec::put_varint(&mut out, self.name.len() as u64);
        out.extend_from_slice(self.name.as_bytes());
        super::codec::put_varint(&mut out, u64::from(self.label));
        super::codec::put_varint(&mut out, u64::from(self.key));
        out.push(u8::from(self.unique));
        super::codec::put_varint(&mut out, u64::from(self.buckets));
        out.push(match self.kind {
            super::IndexKind::Range => 0,
            super::IndexKind::Text => 1,
        });
        out
    }

    pub fn decode(id: u32, buf: &[u8]) -> Option<IndexMeta> {
        use super::codec::get_varint;
        let mut pos = 0;
        let len = usize::try_from(get_varint(buf, &mut pos)?).ok()?;
        let name = std::str::from_utf8(buf.get(pos..pos.checked_add(len)?)?).ok()?;
        pos += len;
        let label = u32::try_from(get_varint(buf, &mut pos)?).ok()?;
        let key = u32::try_from(get_varint(buf, &mut pos)?).ok()?;
        let unique = *buf.get(pos)? == 1;
        pos += 1;
        let buckets = if pos < buf.len() {
            u32::try_from(get_varint(buf, &mut pos)?).ok()?
        } else {
            keys::INDEX_BUCKETS
        };
        if !buckets.is_power_of_two() || buckets > keys::INDEX_BUCKETS {
            return None;
        }
        let kind = match buf.get(pos) {
            None | Some(0) => super::IndexKind::Range,
            Some(1) => super::IndexKind::Text,
            Some(_) => return None,
        };
        Some(IndexMeta {
            id,
            name: name.to_string(),
            label,
            key,
            unique,
            buckets,
            kind,
        })
    }
}

/// One writer at a time; readers never wait.
#[derive(Default)]
pub(crate) struct WriterLock {
    busy: Mutex<bool>,
    cv: Condvar,
}

impl WriterLock {
    pub fn acquire(&self) -> Result<()> {
        let guard = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        let (mut guard, timeout) = self
            .cv
            .wait_timeout_while(guard, WRITER_WAIT, |busy| *busy)
            .unwrap_or_else(|e| e.into_inner());
        if timeout.timed_out() && *guard {
            return Err(Error::Transaction(
                "another write transaction is still open on this database".into(),
            ));
        }
        *guard = true;
        Ok(())
    }

    pub fn release(&self) {
        *self.busy.lock().unwrap_or_else(|e| e.into_inner()) = false;
        self.cv.notify_one();
    }
}

/// sled replays every log segment written since its last snapshot when it opens, and it
/// writes a snapshot only while opening. After a big write (an import) the first reopen
/// would pay that replay (~0.6 s at 2M relationships), so the writer pays it instead: when
/// the last handle closes after more than `SNAPSHOT_AFTER_BYTES` were committed, the store
/// is opened and closed once more. Declared after `db` in [`Inner`], so it drops after it.
pub(crate) struct SnapshotOnClose {
    pub path: Option<PathBuf>,
    pub written: AtomicU64,
}

const SNAPSHOT_AFTER_BYTES: u64 = 8 << 20;

impl Drop for SnapshotOnClose {
    fn drop(&mut self) {
        if let Some(path) = &self.path {
            if self.written.load(Ordering::Acquire) > SNAPSHOT_AFTER_BYTES {
                // Best effort: a failure here only means the next open is slower. On a thread
                // of its own: glibc gives a new thread its own malloc arena, and sled's replay
                // allocates millions of small entries, which in the arena of a process that
                // has just freed a large transaction cost several times more (at L, 2 s of a
                // DELETE of 10k relationships went to `_int_malloc` here).
                let path = path.clone();
                let reopen = move || {
                    let config = sled::Config::new().path(&path).cache_capacity(1 << 20);
                    if let Ok(db) = open_sled(&config, &path) {
                        drop(db);
                    }
                };
                if let Ok(handle) = std::thread::Builder::new()
                    .name("kg-snapshot".into())
                    .spawn(reopen)
                {
                    let _ = handle.join();
                }
            }
        }
    }
}

pub(crate) struct Inner {
    /// The on-disk state: sled, the read image, the seal, the commit mark (`lifecycle.rs`).
    /// Declared first, so that sled closes before `snapshot` reopens it.
    pub disk: Lifecycle,
    pub snapshot: SnapshotOnClose,
    pub path: Option<PathBuf>,
    pub catalog: RwLock<Catalog>,
    pub indexes: RwLock<Arc<Vec<IndexMeta>>>,
    pub generation: AtomicU64,
    pub writer: WriterLock,
    /// Statements hold it shared while they read; a commit holds it exclusively while its
    /// batch lands, so no statement sees part of a commit (see [`Store::statement_gate`]).
    pub commit_gate: RwLock<()>,
}

impl Inner {
    pub fn display_path(&self) -> PathBuf {
        self.path
            .clone()
            .unwrap_or_else(|| PathBuf::from(":memory:"))
    }

    pub fn sled_err(&self, e: sled::Error) -> Error {
        self.disk.sled_err(e)
    }

    /// sled, opened now if the store was opened sealed and has not needed it yet
    /// ([`Lifecycle::sled`]).
    pub fn sled(&self) -> Result<&sled::Db> {
        self.disk.sled(&|db| self.reload_schema(db))
    }

    /// The image failed to give back what it holds: read sled from now on
    /// ([`Lifecycle::image_failed`]).
    pub(crate) fn image_failed(&self, failure: Error) -> Result<&sled::Db> {
        self.disk
            .image_failed(failure, &|db| self.reload_schema(db))
    }

    /// Another process wrote since this one read the image: the catalog and the index list
    /// come from sled again, and caches keyed by generation retire.
    fn reload_schema(&self, db: &sled::Db) -> Result<()> {
        let shown = self.display_path();
        let (catalog, indexes) = schema_in_sled(db, &shown)?;
        *self.catalog.write().unwrap_or_else(|e| e.into_inner()) = catalog;
        *self.indexes.write().unwrap_or_else(|e| e.into_inner()) = Arc::new(indexes);
        self.generation.fetch_add(1, Ordering::AcqRel);
        Ok(())
    }
}

impl Drop for Inner {
    fn drop(&mut self) {
        if !self.disk.close() {
            // sled is still open in the thread that could not finish closing it.
            self.snapshot.written.store(0, Ordering::Release);
        }
    }
}

/// A kgstore database. Cheap to clone (an `Arc` inside); all clones share one sled handle.
#[derive(Clone)]
pub struct Store {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Store({})", self.inner.display_path().display())
    }
}

impl Store {
    /// Opens (or with `create_if_missing` creates) the database in directory `path`.
    pub fn open(path: &Path, opts: &OpenOptions) -> Result<Store> {
        let io_err = |source| StoreError::io(path, source);
        let sled_conf = path.join("conf");
        let sled_db = path.join("db");
        if path.exists() {
            if !path.is_dir() {
                return Err(not_a_database(path, "it is not a directory"));
            }
            let has_files = std::fs::read_dir(path).map_err(io_err)?.next().is_some();
            if has_files && !sled_db.exists() && sled_conf.exists() {
                return Err(StoreError::Corrupt {
                    path: path.to_path_buf(),
                    reason: format!(
                        "its storage log {} is missing (sled's settings file conf is there); \
                         restore the database from a backup",
                        sled_db.display()
                    ),
                }
                .into());
            }
            // Without `conf` sled writes it again with its defaults, which kgstore uses.
            if has_files && !sled_db.exists() {
                return Err(not_a_database(path, "the directory holds other files"));
            }
        } else if opts.create_if_missing {
            std::fs::create_dir_all(path).map_err(io_err)?;
            // The new directory's name must survive a power loss with what is committed in it
            // (best effort: the parent may not be readable).
            let parent = path.parent().filter(|p| !p.as_os_str().is_empty());
            let _ = super::durable::sync_dir(parent.unwrap_or(Path::new(".")));
        } else {
            return Err(StoreError::Io {
                path: path.to_path_buf(),
                source: std::io::Error::new(
                    std::io::ErrorKind::NotFound,
                    "no database there (use create_if_missing)",
                ),
            }
            .into());
        }
        let config = sled::Config::new()
            .path(path)
            .cache_capacity(opts.cache_capacity.unwrap_or(DEFAULT_CACHE))
            .flush_every_ms(Some(500));
        let schema_of = |image: &Image| {
            load_schema(path, |p| {
                image
                    .scan_prefix(vec![p])
                    .map(|r| r.map(|(k, v)| (k.to_vec(), v.to_vec())))
                    .collect()
            })
        };
        match Lifecycle::open(path, &config, opts.durability, schema_of)? {
            Opened::Sealed(disk, schema) => {
                Ok(Store::assemble(disk, Some(path.to_path_buf()), schema))
            }
            Opened::Sled(db) => Store::init(db, Some(path.to_path_buf()), opts.durability),
        }
    }

    /// A fresh database in a temporary file, deleted when the last clone drops.
    pub fn open_temporary() -> Result<Store> {
        let db = sled::Config::new()
            .temporary(true)
            .cache_capacity(8 << 20)
            .flush_every_ms(None)
            .open()
            .map_err(|e| sled_error(Path::new(":memory:"), e))?;
        Store::init(db, None, Durability::Relaxed)
    }

    fn init(db: sled::Db, path: Option<PathBuf>, durability: Durability) -> Result<Store> {
        let shown = path.clone().unwrap_or_else(|| PathBuf::from(":memory:"));
        let disk = Lifecycle::on_sled(db, path.clone(), durability)?;
        let schema = match disk.db_if_open().map(|db| schema_in_sled(db, &shown)) {
            Some(Ok(schema)) => schema,
            Some(Err(err)) => {
                disk.abandon();
                return Err(err);
            }
            None => (Catalog::default(), Vec::new()),
        };
        Ok(Store::assemble(disk, path, schema))
    }

    fn assemble(
        disk: Lifecycle,
        path: Option<PathBuf>,
        (catalog, indexes): (Catalog, Vec<IndexMeta>),
    ) -> Store {
        Store {
            inner: Arc::new(Inner {
                disk,
                snapshot: SnapshotOnClose {
                    path: path.clone(),
                    written: AtomicU64::new(0),
                },
                path,
                catalog: RwLock::new(catalog),
                indexes: RwLock::new(Arc::new(indexes)),
                generation: AtomicU64::new(1),
                writer: WriterLock::default(),
                commit_gate: RwLock::new(()),
            }),
        }
    }

    /// Bytes of keys and values this process has committed (what `apply_batch` was given).
    pub fn committed_bytes(&self) -> u64 {
        self.inner.snapshot.written.load(Ordering::Acquire)
    }

    /// Held shared for the whole of a statement's reads: no commit lands while it is held, so a
    /// statement reads one committed state (sled gives no snapshots; this is what does). A
    /// holder must never wait for the writer lock (a committer holds it while it waits for
    /// this gate): take write access first (`Txn::prepare_write`), then the gate.
    pub fn statement_gate(&self) -> std::sync::RwLockReadGuard<'_, ()> {
        self.inner
            .commit_gate
            .read()
            .unwrap_or_else(|e| e.into_inner())
    }

    /// Bumped on every commit that changed something; algorithms key caches on it.
    pub fn generation(&self) -> u64 {
        self.inner.generation.load(Ordering::Acquire)
    }

    /// Forces everything committed so far to disk.
    pub fn flush(&self) -> Result<()> {
        // A store that never opened sled has committed nothing.
        match self.inner.disk.db_if_open() {
            Some(db) => db.flush().map(|_| ()).map_err(|e| self.inner.sled_err(e)),
            None => Ok(()),
        }
    }

    pub fn size_on_disk(&self) -> Result<u64> {
        self.inner
            .sled()?
            .size_on_disk()
            .map_err(|e| self.inner.sled_err(e))
    }

    /// True while this process reads the database through its sealed image alone, without
    /// having opened sled (`seal.rs`): it then shares the database with other such readers.
    pub fn is_sealed_reader(&self) -> bool {
        self.inner.disk.db_if_open().is_none()
    }

    /// The directory, or `None` for a temporary store.
    pub fn path(&self) -> Option<&Path> {
        self.inner.path.as_deref()
    }

    pub fn durability(&self) -> Durability {
        self.inner.disk.durability()
    }
}

/// The catalog and index definitions in sled.
fn schema_in_sled(db: &sled::Db, shown: &Path) -> Result<(Catalog, Vec<IndexMeta>)> {
    load_schema(shown, |p| {
        db.scan_prefix([p])
            .map(|r| {
                r.map(|(k, v)| (k.to_vec(), v.to_vec()))
                    .map_err(|e| sled_error(shown, e))
            })
            .collect()
    })
}

/// The catalog and index definitions, read through `scan` (the entries under a key prefix).
fn load_schema(
    shown: &Path,
    scan: impl Fn(u8) -> Result<Vec<(Vec<u8>, Vec<u8>)>>,
) -> Result<(Catalog, Vec<IndexMeta>)> {
    let mut catalog = Catalog::default();
    for (k, v) in scan(keys::P_CATALOG)? {
        let (Some(&kind), Some(id)) = (k.get(1), k.get(2..6)) else {
            return Err(corrupt(shown, "malformed catalog key"));
        };
        let id = u32::from_be_bytes(id.try_into().unwrap_or_default());
        let name = std::str::from_utf8(&v).map_err(|_| corrupt(shown, "catalog name"))?;
        catalog.insert(kind, id, name);
    }
    let mut indexes = Vec::new();
    for (k, v) in scan(keys::P_INDEX_DEF)? {
        let id = k
            .get(1..5)
            .and_then(|b| <[u8; 4]>::try_from(b).ok())
            .map(u32::from_be_bytes)
            .ok_or_else(|| corrupt(shown, "malformed index key"))?;
        indexes.push(IndexMeta::decode(id, &v).ok_or_else(|| corrupt(shown, "index"))?);
    }
    Ok((catalog, indexes))
}
