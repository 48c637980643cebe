//! A transaction: an in-memory overlay of raw key/value writes that its own reads consult,
//! committed in one atomic sled batch; checkpoints undo a failed statement inside it.

use std::collections::HashSet;
use std::ops::Deref;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use crate::error::{ErrorClass, Phase, QueryError, Result};

use super::block_cache::{BlockCache, SlotBytes};
use super::engine::{IndexMeta, Inner, Store};
use super::errors::corrupt;
use super::image::Image;
use super::keys;
use super::local_catalog::LocalCatalog;
use super::overlay::Overlay;
use super::records::block_put;

/// Bytes read through a transaction: borrowed from the overlay, shared from sled or from the
/// transaction's cache.
pub(crate) enum Bytes<'a> {
    Borrowed(&'a [u8]),
    Owned(sled::IVec),
    Shared(Arc<[u8]>),
}

impl Deref for Bytes<'_> {
    type Target = [u8];
    fn deref(&self) -> &[u8] {
        match self {
            Bytes::Borrowed(b) => b,
            Bytes::Owned(v) => v,
            Bytes::Shared(v) => v,
        }
    }
}

type Entry<'a> = Result<(Vec<u8>, Bytes<'a>)>;

/// An overlay slot: absent, deleted (`Some(None)`) or written.
type OverlaySlot = Option<Option<Vec<u8>>>;

/// Committed entries with `prefix` from `start` on (inclusive), below `to` when given, from sled.
fn sled_range<'a>(
    inner: &'a Inner,
    db: &'a sled::Db,
    prefix: &[u8],
    start: &[u8],
    to: Option<Vec<u8>>,
) -> Box<dyn Iterator<Item = Entry<'a>> + 'a> {
    if start == prefix && to.is_none() {
        return Box::new(db.scan_prefix(prefix).map(|r| {
            r.map(|(k, v)| (k.to_vec(), Bytes::Owned(v)))
                .map_err(|e| inner.sled_err(e))
        }));
    }
    let p = prefix.to_vec();
    Box::new(
        db.range(start.to_vec()..)
            .take_while(move |r| match r {
                Ok((k, _)) => k.starts_with(&p) && to.as_deref().is_none_or(|t| &k[..] < t),
                Err(_) => true,
            })
            .map(|r| {
                r.map(|(k, v)| (k.to_vec(), Bytes::Owned(v)))
                    .map_err(|e| inner.sled_err(e))
            }),
    )
}

/// A scan of the read image that, when the image fails to give back an entry (a region that
/// does not match its checksum, a file cut short), goes on from that entry in sled, which
/// holds the same (`Lifecycle::image_failed`).
struct ImageThenSled<'a> {
    inner: &'a Inner,
    scan: Option<super::image::Scan<'a>>,
    sled: Option<Box<dyn Iterator<Item = Entry<'a>> + 'a>>,
    prefix: Vec<u8>,
    to: Option<Vec<u8>>,
}

impl<'a> Iterator for ImageThenSled<'a> {
    type Item = Entry<'a>;

    fn next(&mut self) -> Option<Entry<'a>> {
        if let Some(scan) = &mut self.scan {
            let failed = match scan.next()? {
                Ok((k, v)) => return Some(Ok((k.to_vec(), Bytes::Owned(v)))),
                Err(e) => e,
            };
            let resume = scan.resume_key();
            self.scan = None;
            let db = match self.inner.image_failed(failed) {
                Ok(db) => db,
                Err(e) => return Some(Err(e)),
            };
            let Some(from) = resume else {
                return Some(Err(corrupt(
                    &self.inner.display_path(),
                    "the read image is damaged where a scan cannot resume",
                )));
            };
            self.sled = Some(sled_range(
                self.inner,
                db,
                &self.prefix,
                &from,
                self.to.take(),
            ));
        }
        self.sled.as_mut()?.next()
    }
}

impl Store {
    /// Starts a transaction. Reads see committed data plus the transaction's own writes; the
    /// first write waits (up to 10 s) for any other writer to finish.
    pub fn begin(&self) -> Txn {
        Txn::new(self.clone())
    }

    /// A transaction that reads sled only, never the read image (`kg check`, which compares
    /// the image with sled by itself and must not retire it on the way).
    pub(crate) fn begin_on_sled(&self) -> Txn {
        Txn::reading(self.clone(), None, 0)
    }
}

/// A point inside a transaction to return to with [`Txn::restore`].
#[derive(Clone, Debug)]
pub struct Checkpoint {
    undo_len: usize,
    catalog_len: usize,
    indexes: Option<Vec<IndexMeta>>,
}

/// A transaction on a [`Store`]: implements [`super::GraphRead`] and [`super::GraphWrite`].
/// Dropping it without [`Txn::commit`] discards its writes.
pub struct Txn {
    pub(crate) store: Store,
    overlay: Overlay,
    /// (key, overlay entry before the first write since the latest checkpoint).
    undo: Vec<(Vec<u8>, OverlaySlot)>,
    touched: HashSet<Vec<u8>>,
    recording: bool,
    /// Catalog names created by this transaction: (kind, id, name).
    pub(crate) local_catalog: LocalCatalog,
    /// The index list as this transaction changed it (None: unchanged).
    pub(crate) local_indexes: Option<Vec<IndexMeta>>,
    /// Constraint records and the entities to validate against them (`constraints.rs`).
    pub(crate) constraint_work: super::constraints::def::ConstraintWork,
    writing: bool,
    /// False when someone else (the bulk loader) holds the writer lock for us.
    owns_lock: bool,
    /// The store's read image when this transaction began and the image epoch it was taken
    /// at; read only while that epoch lasts (no commit since), see [`Txn::image`].
    image: Option<Arc<Image>>,
    image_epoch: u64,
    /// Committed blocks this transaction has read, with their slot offsets.
    blocks: Box<BlockCache>,
}

impl Txn {
    /// A transaction whose writer lock is already held by the caller (and stays held).
    pub(crate) fn with_lock_held(store: Store) -> Txn {
        let mut t = Txn::new(store);
        t.writing = true;
        t.owns_lock = false;
        t
    }

    pub(crate) fn new(store: Store) -> Txn {
        let inner = &store.inner;
        if inner.disk.is_detached() {
            // A sealed store that lost its image without getting sled (a late open refused
            // after another process wrote): its catalog is as old as the image, so open sled
            // (which reloads it) before answering anything. If that fails, every read of this
            // transaction fails the same way when it reaches for sled.
            let _ = inner.sled();
        }
        let (image, image_epoch) = inner.disk.read_view();
        Txn::reading(store, image, image_epoch)
    }

    /// A transaction that has read and written nothing yet, over this read view.
    fn reading(store: Store, image: Option<Arc<Image>>, image_epoch: u64) -> Txn {
        Txn {
            image,
            image_epoch,
            store,
            overlay: Overlay::default(),
            undo: Vec::new(),
            touched: HashSet::new(),
            recording: false,
            local_catalog: LocalCatalog::default(),
            local_indexes: None,
            constraint_work: Default::default(),
            writing: false,
            owns_lock: true,
            blocks: Box::default(),
        }
    }

    pub fn store(&self) -> &Store {
        &self.store
    }

    /// A transaction reading exactly what this one reads, with a block cache of its own (a
    /// parallel aggregation's worker, which then never waits on another's cache lock); `None`
    /// once this one has written or named anything, which only it can see.
    pub(crate) fn reader(&self) -> Option<Txn> {
        if !self.overlay.is_empty() || self.local_catalog.len() > 0 || self.local_indexes.is_some()
        {
            return None;
        }
        Some(Txn::reading(
            self.store.clone(),
            self.image.clone(),
            self.image_epoch,
        ))
    }

    /// True once the transaction has written something.
    pub fn is_dirty(&self) -> bool {
        !self.overlay.is_empty()
    }

    /// Makes every write of this transaction visible and durable at once (flushed to disk
    /// before returning unless the store was opened with `Durability::Relaxed`).
    pub fn commit(self) -> Result<()> {
        self.commit_carrying(false).map(drop)
    }

    /// [`Txn::commit`]; with `carry`, also returns the block cache brought up to the state the
    /// commit leaves (sound only while the caller keeps the writer lock, so no other commit
    /// lands before the cache is used again: `commit_batch`).
    fn commit_carrying(mut self, carry: bool) -> Result<Option<Box<BlockCache>>> {
        if !self.writing {
            return Ok(carry.then(|| std::mem::take(&mut self.blocks)));
        }
        self.validate_constraints()?;
        // A large statement's index entries go into the buckets, not one key each.
        self.fold_large_index_deltas()?;
        let inner = Arc::clone(&self.store.inner);
        if !self.overlay.is_empty() {
            self.check_writable()?;
            let mut bytes = 0u64;
            // No statement may read while the batch lands (`Store::statement_gate`).
            let gate = inner.commit_gate.write().unwrap_or_else(|e| e.into_inner());
            // What the commit does to the files, and what protects it: `lifecycle.rs`.
            let mut commit = inner.disk.begin_commit()?;
            let generation = self.store.generation();
            for (k, v) in self.overlay.take() {
                bytes += (k.len() + v.as_ref().map_or(0, Vec::len)) as u64;
                if carry {
                    self.blocks.refresh(generation, &k, v.as_deref());
                }
                commit.put(k, v);
            }
            // Readers must know new names before records that use them become visible.
            {
                let mut cat = inner.catalog.write().unwrap_or_else(|e| e.into_inner());
                for (kind, id, name) in self.local_catalog.iter() {
                    cat.insert(*kind, *id, name);
                }
            }
            // A changed index list (new, dropped or regrown indexes) is swapped in under the
            // same write lock that spans the batch: a reader that looked up an index's bucket
            // count before the batch and reads a bucket after it sees the count change when it
            // looks again (`index_nodes` retries), never a bucket of the other layout.
            let index_guard = self
                .local_indexes
                .is_some()
                .then(|| inner.indexes.write().unwrap_or_else(|e| e.into_inner()));
            let number = match commit.land() {
                Ok(number) => number,
                Err(e) => {
                    drop(index_guard);
                    let mut cat = inner.catalog.write().unwrap_or_else(|e| e.into_inner());
                    for (kind, id, _) in self.local_catalog.iter() {
                        cat.remove(*kind, *id);
                    }
                    return Err(e);
                }
            };
            if let (Some(mut guard), Some(list)) = (index_guard, self.local_indexes.take()) {
                *guard = Arc::new(list);
            }
            let before = inner.generation.fetch_add(1, Ordering::AcqRel);
            if carry {
                // No other commit came between the refresh and this one: the cache is exact.
                self.blocks.advance(before, before + 1);
            }
            inner.snapshot.written.fetch_add(bytes, Ordering::AcqRel);
            drop(gate);
            inner.disk.make_durable(number)?;
        }
        Ok(carry.then(|| std::mem::take(&mut self.blocks)))
    }

    /// Commits every write so far as [`Txn::commit`] does and goes on as a fresh transaction
    /// that keeps the writer lock, so no other writer comes between two batches of
    /// `CALL { } IN TRANSACTIONS`. The caller must not hold the statement gate.
    pub fn commit_batch(&mut self) -> Result<()> {
        if !self.writing {
            return Ok(());
        }
        let mut next = Txn::new(self.store.clone());
        next.writing = true;
        next.owns_lock = self.owns_lock;
        let mut done = std::mem::replace(self, next);
        // The lock went to `self` with the line above: the committed part must not release it.
        done.owns_lock = false;
        // The next batch reads what this one read (and wrote) from the cache, not from sled
        // again: the blocks a batch touches are mostly those the one before touched.
        if let Some(blocks) = done.commit_carrying(true)? {
            self.blocks = blocks;
        }
        Ok(())
    }

    /// Discards every write (the same as dropping the transaction).
    pub fn rollback(self) {}

    /// Marks the current state; [`Txn::restore`] returns to it. Checkpoints nest.
    pub fn checkpoint(&mut self) -> Checkpoint {
        self.recording = true;
        self.touched.clear();
        Checkpoint {
            undo_len: self.undo.len(),
            catalog_len: self.local_catalog.len(),
            indexes: self.local_indexes.clone(),
        }
    }

    /// Undoes every write made since `cp` was taken.
    pub fn restore(&mut self, cp: Checkpoint) {
        while self.undo.len() > cp.undo_len {
            let Some((key, prev)) = self.undo.pop() else {
                break;
            };
            match prev {
                Some(v) => {
                    self.overlay.insert(key, v);
                }
                None => self.overlay.remove(&key),
            }
        }
        self.local_catalog.truncate(cp.catalog_len);
        self.local_indexes = cp.indexes;
        self.constraint_work.forget();
        self.touched.clear();
    }

    // ---- raw key/value access ------------------------------------------------------------

    /// Takes the writer lock now (waiting up to 10 s for another writer), as a statement that
    /// will write does before it takes the statement gate.
    pub fn prepare_write(&mut self) -> Result<()> {
        self.write_access()
    }

    pub(crate) fn write_access(&mut self) -> Result<()> {
        if !self.writing {
            self.store.inner.writer.acquire()?;
            if let Err(e) = self.check_writable() {
                self.store.inner.writer.release();
                return Err(e);
            }
            self.writing = true;
        }
        Ok(())
    }

    /// Opens sled if this process has only read the image so far (`seal.rs`), and refuses to
    /// write on the strength of reads from an image that another process has since outdated.
    fn check_writable(&self) -> Result<()> {
        let inner = &self.store.inner;
        inner.sled()?;
        if self.image.is_some() && inner.disk.outdated(self.image_epoch) {
            return Err(crate::error::Error::Transaction(
                "another process changed the database after this transaction read it; run the transaction again".into(),
            ));
        }
        Ok(())
    }

    /// The read image, while no commit has happened since it was loaded: it then holds
    /// exactly what sled holds.
    pub(crate) fn image(&self) -> Option<&Image> {
        self.image
            .as_deref()
            .filter(|_| self.store.inner.disk.image_current(self.image_epoch))
    }

    pub(crate) fn kv_get(&self, key: &[u8]) -> Result<Option<Bytes<'_>>> {
        if let Some(v) = self.overlay.get(key) {
            return Ok(v.map(Bytes::Borrowed));
        }
        self.committed_get(key)
    }

    /// The entry at `slot` of the block under `key`: from the transaction's own writes, else
    /// from committed data through the transaction's block cache (`block_cache.rs`).
    pub(crate) fn block_entry(&self, key: &[u8], slot: u8) -> Result<Option<SlotBytes>> {
        if let Some(entry) = self.overlay.slot(key, slot) {
            return Ok(entry.map(|e| SlotBytes::Owned(e.to_vec())));
        }
        self.blocks.entry(self.store.generation(), key, slot, || {
            self.committed_get(key)
        })
    }

    /// True when `node` has the label with id `label`, from the label bitmaps (`'L'` keys):
    /// a bit test in a few cached bitmaps, where the node's record would be a random read.
    pub(crate) fn label_bit(&self, label: u32, node: u64) -> Result<bool> {
        let key = keys::label_bitmap(label, node);
        let bit = (node & ((1 << keys::LABEL_SHIFT) - 1)) as usize;
        let test = |bits: &[u8]| -> Result<bool> {
            match bits.get(bit / 8) {
                Some(byte) => Ok(byte & (1 << (bit % 8)) != 0),
                None => Err(self.corrupt("label bitmap size")),
            }
        };
        if let Some(v) = self.overlay.get(&key) {
            return v.map_or(Ok(false), test);
        }
        let bits = self
            .blocks
            .value(self.store.generation(), &key, || -> Result<_> {
                Ok(self.committed_get(&key)?.map(|b| b.to_vec()))
            })?;
        bits.as_deref().map_or(Ok(false), test)
    }

    /// An index bucket as this transaction sees it. A writing transaction keeps the committed
    /// buckets it reads in its cache: a MERGE per row looks up buckets again and again, and a
    /// batch of `CALL { } IN TRANSACTIONS` would otherwise read each from sled once more per
    /// batch. A read-only one reads it as any key (a point lookup reads a bucket once).
    pub(crate) fn bucket_get(&self, key: &[u8]) -> Result<Option<Bytes<'_>>> {
        if !self.writing || self.overlay.contains_key(key) {
            return self.kv_get(key);
        }
        let bucket = self
            .blocks
            .value(self.store.generation(), key, || -> Result<_> {
                Ok(self.committed_get(key)?.map(|b| b.to_vec()))
            })?;
        Ok(bucket.map(Bytes::Shared))
    }

    /// The label bitmap of `label` that holds `node`'s bit, as this transaction sees it.
    pub(crate) fn label_bits(&self, label: u32, node: u64) -> Result<Option<Arc<[u8]>>> {
        let key = keys::label_bitmap(label, node);
        if let Some(v) = self.overlay.get(&key) {
            return Ok(v.map(Arc::from));
        }
        self.blocks
            .value(self.store.generation(), &key, || -> Result<_> {
                Ok(self.committed_get(&key)?.map(|b| b.to_vec()))
            })
    }

    /// A key's committed value (the read image while it is live, else sled), ignoring the
    /// overlay.
    fn committed_get(&self, key: &[u8]) -> Result<Option<Bytes<'_>>> {
        let inner = &self.store.inner;
        let db = match self.image().map(|image| image.get(key)) {
            Some(Ok(value)) => return Ok(value.map(Bytes::Owned)),
            Some(Err(e)) => inner.image_failed(e)?,
            None => inner.sled()?,
        };
        Ok(db
            .get(key)
            .map_err(|e| inner.sled_err(e))?
            .map(Bytes::Owned))
    }

    /// Writes (or with `None` deletes) a key; the caller holds write access.
    pub(crate) fn kv_put(&mut self, key: Vec<u8>, value: Option<Vec<u8>>) {
        debug_assert!(self.writing);
        self.note_undo(&key);
        self.overlay.insert(key, value);
    }

    /// Remembers `key`'s overlay entry as it was at the latest checkpoint, before its first
    /// write since then, so [`Txn::restore`] can put it back.
    fn note_undo(&mut self, key: &[u8]) {
        if self.recording && !self.touched.contains(key) {
            self.touched.insert(key.to_vec());
            self.undo.push((
                key.to_vec(),
                self.overlay.get(key).map(|v| v.map(<[u8]>::to_vec)),
            ));
        }
    }

    /// Sets (or with `None` removes) the entry at `slot` of the slot block under `key`
    /// (`records.rs`); the caller holds write access. A block this transaction has already
    /// written is changed in place in the overlay, so a statement writing many entries of one
    /// block (a SET over a label, a DELETE of many relationships) copies each block once, when
    /// it first writes it, not once per entry; committed blocks are read once and copied.
    pub(crate) fn put_block_entry(
        &mut self,
        key: Vec<u8>,
        slot: u8,
        value: Option<&[u8]>,
    ) -> Result<()> {
        debug_assert!(self.writing);
        // Noting the undo first (a no-op after the key's first write since the checkpoint)
        // leaves one overlay lookup for the common case.
        self.note_undo(&key);
        if self.overlay.set_slot(&key, slot, value) {
            return Ok(());
        }
        // A block the cache holds (read before, or carried over a batch's commit) is not
        // read from the store again.
        let cached = match self.overlay.contains_key(&key) {
            true => None,
            false => self.blocks.cached(self.store.generation(), &key),
        };
        let new = match cached {
            Some(Some(old)) => block_put(old.bytes(), slot, value),
            Some(None) => block_put(&[], slot, value),
            None => match self.kv_get(&key)? {
                Some(old) => block_put(&old, slot, value),
                None => block_put(&[], slot, value),
            },
        };
        self.kv_put(key, (!new.is_empty()).then_some(new));
        Ok(())
    }

    /// Appends (rel, other) to the adjacency chunk under `key` in place when the last append
    /// went there (`Overlay::push_edge`); false, with nothing written, otherwise.
    pub(super) fn push_edge_in_place(
        &mut self,
        key: &[u8],
        limit: usize,
        at: (u32, bool),
        rel: u64,
        other: u64,
    ) -> bool {
        debug_assert!(self.writing);
        if !self.overlay.has_tail(key) {
            return false;
        }
        self.note_undo(key);
        self.overlay.push_edge(key, limit, at, rel, other)
    }

    /// Notes where the chunk just written under `key` ends, for the next append.
    pub(super) fn set_append_tail(&mut self, key: &[u8], tail: super::list_tail::ListTail) {
        self.overlay.set_tail(key, tail);
    }

    /// The keys with `prefix` this transaction has written or deleted, ascending.
    #[cfg(test)]
    pub(crate) fn written_keys<'a>(
        &'a self,
        prefix: &'a [u8],
    ) -> impl Iterator<Item = &'a [u8]> + 'a {
        self.written(prefix).map(|(k, _)| k)
    }

    /// The keys with `prefix` this transaction has written (with their values) or deleted
    /// (`None`), ascending.
    pub(crate) fn written<'a>(
        &'a self,
        prefix: &'a [u8],
    ) -> impl Iterator<Item = (&'a [u8], Option<&'a [u8]>)> + 'a {
        self.overlay
            .range_from(prefix)
            .map(|(k, v)| (k.as_slice(), v))
            .take_while(move |(k, _)| k.starts_with(prefix))
    }

    /// The keys with `prefix` from `start` on that this transaction has written (with their
    /// values) or deleted (`None`), ascending.
    pub(crate) fn written_from<'a>(
        &'a self,
        prefix: &'a [u8],
        start: &[u8],
    ) -> impl Iterator<Item = (&'a [u8], Option<&'a [u8]>)> + 'a {
        self.overlay
            .range_from(start)
            .map(|(k, v)| (k.as_slice(), v))
            .take_while(move |(k, _)| k.starts_with(prefix))
    }

    /// Whether committed data holds any key of `kind` (its first byte): the image says so
    /// while it is current, else sled is asked once per store generation (the answer is kept
    /// in the block cache, and carried over a batch's own commit).
    pub(crate) fn committed_has_kind(&self, kind: u8) -> Result<bool> {
        if let Some(image) = self.image() {
            return Ok(image.has_kind(kind));
        }
        self.blocks
            .any_with_prefix(self.store.generation(), &[kind], || {
                let inner = &self.store.inner;
                match inner.sled()?.scan_prefix([kind]).next() {
                    None => Ok(false),
                    Some(Ok(_)) => Ok(true),
                    Some(Err(e)) => Err(inner.sled_err(e)),
                }
            })
    }

    /// Keys with `prefix`, ascending, overlay merged over committed data.
    pub(crate) fn kv_scan(&self, prefix: &[u8]) -> impl Iterator<Item = Entry<'_>> + '_ {
        self.kv_range(prefix, None, None)
    }

    /// Keys with `prefix` from `from` on (inclusive) and below `to` when given, ascending,
    /// overlay merged over committed data: a piece of [`Txn::kv_scan`].
    pub(crate) fn kv_range(
        &self,
        prefix: &[u8],
        from: Option<&[u8]>,
        to: Option<&[u8]>,
    ) -> impl Iterator<Item = Entry<'_>> + '_ {
        let inner = &self.store.inner;
        let start = match from {
            Some(f) if f > prefix => f,
            _ => prefix,
        };
        let to = to.map(<[u8]>::to_vec);
        let base: Box<dyn Iterator<Item = Entry<'_>>> = match self.image() {
            Some(image) => Box::new(ImageThenSled {
                inner,
                scan: Some(image.scan_range(prefix.to_vec(), Some(start), to.clone())),
                sled: None,
                prefix: prefix.to_vec(),
                to: to.clone(),
            }),
            None => match inner.sled() {
                Ok(db) => sled_range(inner, db, prefix, start, to.clone()),
                Err(e) => Box::new(std::iter::once(Err(e))),
            },
        };
        let mut base = base.peekable();
        let p = prefix.to_vec();
        let mut over = self
            .overlay
            .range_from(start)
            .take_while(move |(k, _)| k.starts_with(&p) && to.as_deref().is_none_or(|t| &k[..] < t))
            .peekable();
        std::iter::from_fn(move || loop {
            // An error from the base is returned as it comes (`take_over` is false then).
            let take_over = match (base.peek(), over.peek()) {
                (_, None) | (Some(Err(_)), _) => false,
                (None, Some(_)) => true,
                (Some(Ok((bk, _))), Some((ok, _))) => *ok <= bk,
            };
            if take_over {
                let (k, v) = over.next()?;
                if matches!(base.peek(), Some(Ok((bk, _))) if bk == k) {
                    base.next();
                }
                match v {
                    Some(v) => return Some(Ok((k.clone(), Bytes::Borrowed(v)))),
                    None => continue,
                }
            }
            return base.next();
        })
    }

    pub(crate) fn get_u64(&self, key: &[u8]) -> Result<u64> {
        match self.kv_get(key)? {
            None => Ok(0),
            Some(b) => <[u8; 8]>::try_from(&*b)
                .map(u64::from_be_bytes)
                .map_err(|_| self.corrupt("malformed counter")),
        }
    }

    pub(crate) fn put_u64(&mut self, key: &[u8], v: u64) {
        self.kv_put(key.to_vec(), Some(v.to_be_bytes().to_vec()));
    }

    pub(crate) fn add_counter(&mut self, key: &[u8], delta: i64) -> Result<()> {
        let v = self.get_u64(key)?.saturating_add_signed(delta);
        self.put_u64(key, v);
        Ok(())
    }

    /// Allocates the next value of a meta sequence.
    pub(crate) fn next_id(&mut self, key: &[u8]) -> Result<u64> {
        let id = self.get_u64(key)?;
        self.put_u64(key, id + 1);
        Ok(id)
    }

    pub(crate) fn corrupt(&self, reason: &str) -> crate::error::Error {
        corrupt(&self.store.inner.display_path(), reason)
    }

    // ---- catalog -------------------------------------------------------------------------

    pub(crate) fn cat_id(&self, kind: u8, name: &str) -> Option<u32> {
        if let Some(id) = self.local_catalog.id(kind, name) {
            return Some(id);
        }
        let cat = self
            .store
            .inner
            .catalog
            .read()
            .unwrap_or_else(|e| e.into_inner());
        cat.id(kind, name)
    }

    pub(crate) fn cat_name(&self, kind: u8, id: u32) -> Result<String> {
        if let Some(n) = self.local_catalog.name(kind, id) {
            return Ok(n.to_string());
        }
        let cat = self
            .store
            .inner
            .catalog
            .read()
            .unwrap_or_else(|e| e.into_inner());
        cat.name(kind, id)
            .map(str::to_string)
            .ok_or_else(|| self.corrupt(&format!("catalog id {id} has no name")))
    }

    pub(crate) fn cat_intern(&mut self, kind: u8, name: &str) -> Result<u32> {
        if let Some(id) = self.cat_id(kind, name) {
            return Ok(id);
        }
        let seq = [keys::P_META, b'n', kind];
        let id = u32::try_from(self.next_id(&seq)?)
            .map_err(|_| self.corrupt("catalog id space exhausted"))?;
        self.kv_put(keys::catalog(kind, id), Some(name.as_bytes().to_vec()));
        self.local_catalog.push(kind, id, name);
        Ok(id)
    }

    /// Every (id, name) of a catalog kind, committed and local.
    pub(crate) fn cat_all(&self, kind: u8) -> Vec<(u32, String)> {
        let mut all = self
            .store
            .inner
            .catalog
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .names(kind);
        all.extend(
            self.local_catalog
                .iter()
                .filter(|(k, _, _)| *k == kind)
                .map(|(_, i, n)| (*i, n.clone())),
        );
        all
    }

    pub(crate) fn index_metas(&self) -> Arc<Vec<IndexMeta>> {
        match &self.local_indexes {
            Some(l) => Arc::new(l.clone()),
            None => Arc::clone(
                &self
                    .store
                    .inner
                    .indexes
                    .read()
                    .unwrap_or_else(|e| e.into_inner()),
            ),
        }
    }
}

impl Drop for Txn {
    fn drop(&mut self) {
        if self.writing && self.owns_lock {
            self.store.inner.writer.release();
        }
    }
}

pub(crate) fn entity_not_found(what: &str) -> QueryError {
    QueryError::new(
        ErrorClass::EntityNotFound,
        "EntityNotFound",
        Phase::Runtime,
        what.to_string(),
    )
}

#[cfg(test)]
#[path = "txn_tests.rs"]
mod tests;
