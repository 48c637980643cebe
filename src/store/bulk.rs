//! The bulk-write path for imports and the seed loader: nodes and relationships are gathered
//! in memory, packed into blocks and adjacency sections, and written as sorted batches.
//!
//! Memory is bounded by the batch size: the loader flushes (one atomic, consistent sled
//! batch: records, adjacency, label bitmaps, index entries, counters) every
//! [`BulkLoader::set_batch_size`] nodes or relationships (default 1M nodes / 2M
//! relationships, roughly 100 bytes of pending state per relationship and 150 per node).
//! Each flush leaves a consistent store; an error aborts only the pending batch.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::time::Instant;

use crate::error::{ErrorClass, Phase, QueryError, Result};
use crate::model::{NodeId, RelId};
use crate::value::Value;

use super::adjacency::stub_parts;
use super::engine::{IndexMeta, Store};
use super::index_write::GROW_BUCKET_BYTES;
use super::keys::{self, KIND_KEY, KIND_LABEL, KIND_TYPE};
use super::layout::{bucket_merge, set_label_bit, IndexEntry};
use super::records::{
    block_append, block_entries, block_get, block_merge, decode_section, degree_block, AdjList,
    NodeRecord, RelRecord, BITMAP_BYTES,
};
use super::txn::{entity_not_found, Txn};

/// What a bulk load wrote.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct BulkReport {
    pub nodes: u64,
    pub relationships: u64,
    /// Atomic batches written.
    pub batches: u32,
    pub seconds: f64,
}

/// Writes many nodes and relationships fast. Holds the store's writer lock until dropped.
///
/// ```no_run
/// # fn demo(store: &kgstore::store::Store) -> kgstore::Result<()> {
/// use kgstore::Value;
/// let mut bulk = store.bulk_loader()?;
/// let a = bulk.add_node(&["Company"], [("name", Value::from("DeepSeek"))])?;
/// let b = bulk.add_node(&["Investor"], [("name", Value::from("HF"))])?;
/// bulk.add_relationship("INVESTED_IN", b, a, [("amount", Value::Float(1.0))])?;
/// let report = bulk.finish()?;
/// # Ok(()) }
/// ```
pub struct BulkLoader {
    store: Store,
    txn: Option<Txn>,
    started: Instant,
    report: BulkReport,
    first_node: NodeId,
    next_node: NodeId,
    next_rel: RelId,
    node_blocks: BTreeMap<u64, Vec<u8>>,
    rel_blocks: BTreeMap<u64, Vec<u8>>,
    /// (node, type*2+incoming, rel, other)
    adjacency: Vec<(u64, u64, u64, u64)>,
    bitmaps: HashMap<Vec<u8>, Vec<u8>>,
    /// bucket key → new (index key, node) entries
    index_entries: HashMap<Vec<u8>, Vec<(Vec<u8>, u64)>>,
    /// (index, equality prefix) pending in this batch, for unique indexes
    unique_seen: HashSet<(u32, Vec<u8>)>,
    counters: HashMap<Vec<u8>, i64>,
    indexes: Vec<IndexMeta>,
    pending_nodes: usize,
    pending_rels: usize,
    max_nodes: usize,
    max_rels: usize,
    /// Nodes and relationships of this loader in batches already committed.
    committed: (u64, u64),
}

impl Store {
    /// A bulk loader; waits (up to 10 s) for other writers to finish, then excludes them.
    pub fn bulk_loader(&self) -> Result<BulkLoader> {
        self.inner.writer.acquire()?;
        // Opened before the loader reads anything (under a seal, sled is not open yet).
        if let Err(e) = self.inner.sled() {
            self.inner.writer.release();
            return Err(e);
        }
        let txn = Txn::with_lock_held(self.clone());
        // Until the loader exists, its `Drop` cannot release the lock: release it here.
        let start = txn
            .get_u64(keys::META_NEXT_NODE)
            .and_then(|node| Ok((node, txn.get_u64(keys::META_NEXT_REL)?)));
        let (next_node, next_rel) = match start {
            Ok(ids) => ids,
            Err(e) => {
                drop(txn);
                self.inner.writer.release();
                return Err(e);
            }
        };
        let indexes = (*txn.index_metas()).clone();
        Ok(BulkLoader {
            store: self.clone(),
            txn: Some(txn),
            started: Instant::now(),
            report: BulkReport::default(),
            first_node: next_node,
            next_node,
            next_rel,
            node_blocks: BTreeMap::new(),
            rel_blocks: BTreeMap::new(),
            adjacency: Vec::new(),
            bitmaps: HashMap::new(),
            index_entries: HashMap::new(),
            unique_seen: HashSet::new(),
            counters: HashMap::new(),
            indexes,
            pending_nodes: 0,
            pending_rels: 0,
            max_nodes: 1_000_000,
            max_rels: 2_000_000,
            committed: (0, 0),
        })
    }
}

impl BulkLoader {
    /// Flush after this many pending nodes or relationships (bounds memory).
    pub fn set_batch_size(&mut self, nodes: usize, relationships: usize) {
        self.max_nodes = nodes.max(1);
        self.max_rels = relationships.max(1);
    }

    /// Defines an index (unless one on the same label and property exists) in the loader's
    /// pending batch: it commits with the first batch of data, so an import killed before
    /// that leaves no index behind, and the loader fills it as nodes arrive. `expected` sizes
    /// it for the nodes to come.
    pub fn create_index(&mut self, def: super::IndexDef, expected: u64) -> Result<()> {
        self.txn().create_index_expecting(def, true, expected)?;
        self.indexes = (*self.txn().index_metas()).clone();
        Ok(())
    }

    /// The (nodes, relationships) of this loader that are committed: every batch flushed so
    /// far. What an error after them leaves in the store.
    pub fn committed(&self) -> (u64, u64) {
        self.committed
    }

    fn txn(&mut self) -> &mut Txn {
        // Invariant: `txn` is Some between calls (flush replaces it before returning).
        self.txn
            .get_or_insert_with(|| Txn::with_lock_held(self.store.clone()))
    }

    /// Property keys by catalog id (created in the pending batch when new), null values
    /// skipped; [`BulkLoader::add_node_ids`] sorts them and drops repeated keys.
    fn intern_props<K: AsRef<str>>(
        &mut self,
        props: impl IntoIterator<Item = (K, Value)>,
    ) -> Result<Vec<(u32, Value)>> {
        let mut out = Vec::new();
        for (k, v) in props {
            if !v.is_null() {
                out.push((self.key_id(k.as_ref())?, v));
            }
        }
        Ok(out)
    }

    /// The catalog id of property key `name`, created in the pending batch if new. With
    /// [`BulkLoader::label_id`] and [`BulkLoader::type_id`], for an importer that numbers the
    /// names itself and asks once per name, then adds entities by id
    /// ([`BulkLoader::add_node_ids`]): each name of each entity otherwise costs two hash
    /// lookups (the pending batch's names, then the store's catalog under its lock).
    pub fn key_id(&mut self, name: &str) -> Result<u32> {
        self.txn().cat_intern(KIND_KEY, name)
    }

    /// The catalog id of label `name` (see [`BulkLoader::key_id`]).
    pub fn label_id(&mut self, name: &str) -> Result<u32> {
        self.txn().cat_intern(KIND_LABEL, name)
    }

    /// The catalog id of relationship type `name` (see [`BulkLoader::key_id`]).
    pub fn type_id(&mut self, name: &str) -> Result<u32> {
        self.txn().cat_intern(KIND_TYPE, name)
    }

    fn existing_block(&mut self, key: &[u8]) -> Result<Vec<u8>> {
        Ok(self
            .txn()
            .kv_get(key)?
            .map(|b| b.to_vec())
            .unwrap_or_default())
    }

    /// Adds a node; returns its id.
    pub fn add_node<L: AsRef<str>, K: AsRef<str>>(
        &mut self,
        labels: &[L],
        properties: impl IntoIterator<Item = (K, Value)>,
    ) -> Result<NodeId> {
        let props = self.intern_props(properties)?;
        let mut label_ids = Vec::with_capacity(labels.len());
        for l in labels {
            label_ids.push(self.label_id(l.as_ref())?);
        }
        self.add_node_ids(&label_ids, props)
    }

    /// [`BulkLoader::add_node`] with labels and property keys given by catalog id
    /// ([`BulkLoader::label_id`], [`BulkLoader::key_id`]). A repeated label counts once, a
    /// repeated key keeps its last value, null values are skipped.
    pub fn add_node_ids(&mut self, labels: &[u32], mut props: Vec<(u32, Value)>) -> Result<NodeId> {
        normalize(&mut props);
        let mut label_ids = Vec::with_capacity(labels.len());
        for &l in labels {
            if !label_ids.contains(&l) {
                label_ids.push(l);
            }
        }
        let id = self.next_node;
        // Index entries first: a unique violation must leave nothing behind.
        let covering: Vec<IndexMeta> = self
            .indexes
            .iter()
            .filter(|i| i.covers(&label_ids))
            .cloned()
            .collect();
        let mut entries = Vec::new();
        for ix in &covering {
            let Some((_, v)) = props.iter().find(|(k, _)| *k == ix.key) else {
                continue;
            };
            let Some(entry) = IndexEntry::of(v) else {
                continue;
            };
            if ix.unique {
                let taken = self.unique_seen.contains(&(ix.id, entry.prefix.clone()))
                    || !self.txn().index_nodes(ix.id, v)?.is_empty();
                if taken {
                    return Err(QueryError::new(
                        ErrorClass::ConstraintVerificationFailed,
                        "UniquenessConstraintViolation",
                        Phase::Runtime,
                        format!(
                            "a node with label `{}` and property `{}` = {} already exists",
                            self.txn().index_label_name(ix.label)?,
                            self.txn().cat_name(KIND_KEY, ix.key)?,
                            super::display_value(v)
                        ),
                    )
                    .into());
                }
            }
            entries.push((ix.id, ix.buckets, ix.unique, entry));
        }
        let rec = NodeRecord {
            labels: label_ids,
            props,
        }
        .encode()?;
        for (ix, buckets, unique, entry) in entries {
            let bucket = entry.bucket(ix, buckets);
            if unique {
                self.unique_seen.insert((ix, entry.prefix));
            }
            self.index_entries
                .entry(bucket)
                .or_default()
                .push((entry.key, id));
        }
        let block_no = id >> keys::NODE_SHIFT;
        if !self.node_blocks.contains_key(&block_no) {
            let existing = self.existing_block(&keys::node_block(id))?;
            self.node_blocks.insert(block_no, existing);
        }
        if let Some(block) = self.node_blocks.get_mut(&block_no) {
            block_append(block, keys::node_slot(id), &rec);
        }
        let label_ids = NodeRecord::decode_labels(&rec).unwrap_or_default();
        for l in label_ids {
            let key = keys::label_bitmap(l, id);
            if !self.bitmaps.contains_key(&key) {
                let mut bits = self.existing_block(&key)?;
                bits.resize(BITMAP_BYTES, 0);
                self.bitmaps.insert(key.clone(), bits);
            }
            if let Some(bits) = self.bitmaps.get_mut(&key) {
                // Sized above, so the bit is always there.
                let _ = set_label_bit(bits, id, true);
            }
            *self
                .counters
                .entry(keys::counter(KIND_LABEL, l))
                .or_default() += 1;
        }
        *self
            .counters
            .entry(keys::META_NODE_COUNT.to_vec())
            .or_default() += 1;
        self.next_node += 1;
        self.report.nodes += 1;
        self.pending_nodes += 1;
        if self.pending_nodes >= self.max_nodes {
            self.flush()?;
        }
        Ok(id)
    }

    fn node_exists(&mut self, id: NodeId) -> Result<bool> {
        if (self.first_node..self.next_node).contains(&id) {
            return Ok(true);
        }
        Ok(self.txn().node_bytes(id)?.is_some())
    }

    /// Adds a relationship between two nodes (added earlier by this loader or already stored).
    pub fn add_relationship<K: AsRef<str>>(
        &mut self,
        rel_type: &str,
        start: NodeId,
        end: NodeId,
        properties: impl IntoIterator<Item = (K, Value)>,
    ) -> Result<RelId> {
        for n in [start, end] {
            if !self.node_exists(n)? {
                return Err(entity_not_found(&format!("node {n} does not exist")).into());
            }
        }
        let props = self.intern_props(properties)?;
        let t = self.type_id(rel_type)?;
        self.push_relationship(t, start, end, props)
    }

    /// [`BulkLoader::add_relationship`] with the type and property keys given by catalog id
    /// ([`BulkLoader::type_id`], [`BulkLoader::key_id`]); props as for
    /// [`BulkLoader::add_node_ids`].
    pub fn add_relationship_ids(
        &mut self,
        t: u32,
        start: NodeId,
        end: NodeId,
        props: Vec<(u32, Value)>,
    ) -> Result<RelId> {
        for n in [start, end] {
            if !self.node_exists(n)? {
                return Err(entity_not_found(&format!("node {n} does not exist")).into());
            }
        }
        self.push_relationship(t, start, end, props)
    }

    /// Adds a relationship whose ends exist.
    fn push_relationship(
        &mut self,
        t: u32,
        start: NodeId,
        end: NodeId,
        mut props: Vec<(u32, Value)>,
    ) -> Result<RelId> {
        normalize(&mut props);
        let id = self.next_rel;
        let rec = RelRecord {
            rel_type: t,
            start,
            end,
            props,
        }
        .encode()?;
        let block_no = id >> keys::REL_SHIFT;
        if !self.rel_blocks.contains_key(&block_no) {
            let existing = self.existing_block(&keys::rel_block(id))?;
            self.rel_blocks.insert(block_no, existing);
        }
        if let Some(block) = self.rel_blocks.get_mut(&block_no) {
            block_append(block, keys::rel_slot(id), &rec);
        }
        let td = u64::from(t) * 2;
        self.adjacency.push((start, td, id, end));
        self.adjacency.push((end, td + 1, id, start));
        *self
            .counters
            .entry(keys::counter(KIND_TYPE, t))
            .or_default() += 1;
        *self
            .counters
            .entry(keys::META_REL_COUNT.to_vec())
            .or_default() += 1;
        self.next_rel += 1;
        self.report.relationships += 1;
        self.pending_rels += 1;
        if self.pending_rels >= self.max_rels {
            self.flush()?;
        }
        Ok(id)
    }

    /// Writes everything pending as one atomic batch.
    pub fn flush(&mut self) -> Result<()> {
        let mut txn = self
            .txn
            .take()
            .unwrap_or_else(|| Txn::with_lock_held(self.store.clone()));
        for (block_no, block) in std::mem::take(&mut self.node_blocks) {
            txn.kv_put(keys::node_block(block_no << keys::NODE_SHIFT), Some(block));
        }
        for (block_no, block) in std::mem::take(&mut self.rel_blocks) {
            txn.kv_put(keys::rel_block(block_no << keys::REL_SHIFT), Some(block));
        }
        for (key, bits) in std::mem::take(&mut self.bitmaps) {
            txn.kv_put(key, Some(bits));
        }
        self.write_adjacency(&mut txn)?;
        // Indexes a bucket of which outgrew its share (more nodes than the index was sized for).
        let mut grow = std::collections::BTreeSet::new();
        let mut ordered: std::collections::BTreeMap<u32, Vec<(Vec<u8>, u64)>> = Default::default();
        for (bucket, new) in std::mem::take(&mut self.index_entries) {
            if let Some(ix) = keys::index_of_bucket(&bucket) {
                ordered.entry(ix).or_default().extend(new.iter().cloned());
            }
            let old = txn.kv_get(&bucket)?.map(|b| b.to_vec()).unwrap_or_default();
            let out = bucket_merge(&old, new);
            if out.len() > GROW_BUCKET_BYTES {
                grow.extend(keys::index_of_bucket(&bucket));
            }
            txn.kv_put(bucket, Some(out));
        }
        for (ix, entries) in ordered {
            txn.page_merge(ix, entries)?;
        }
        for id in grow {
            txn.grow_index(id)?;
        }
        self.unique_seen.clear();
        for (key, delta) in std::mem::take(&mut self.counters) {
            txn.add_counter(&key, delta)?;
        }
        txn.put_u64(keys::META_NEXT_NODE, self.next_node);
        txn.put_u64(keys::META_NEXT_REL, self.next_rel);
        // The batch's entities are numbered consecutively up to the next ids; the commit
        // checks them against the constraint records (`constraints.rs`).
        txn.note_range(
            self.next_node - self.pending_nodes as u64..self.next_node,
            self.next_rel - self.pending_rels as u64..self.next_rel,
        )?;
        txn.commit()?;
        self.committed = (self.report.nodes, self.report.relationships);
        self.report.batches += 1;
        self.pending_nodes = 0;
        self.pending_rels = 0;
        self.txn = Some(Txn::with_lock_held(self.store.clone()));
        self.indexes = (*self.txn().index_metas()).clone();
        Ok(())
    }

    fn write_adjacency(&mut self, txn: &mut Txn) -> Result<()> {
        let mut adj = std::mem::take(&mut self.adjacency);
        // Outgoing lists first, then incoming ones (their own blocks), each by node.
        adj.sort_unstable_by_key(|&(node, td, rel, other)| (td & 1, node, td, rel, other));
        let mut touched = std::collections::BTreeSet::new();
        let mut i = 0;
        while i < adj.len() {
            let incoming = adj[i].1 & 1 == 1;
            let block_no = adj[i].0 >> keys::NODE_SHIFT;
            let same_block = |e: &(u64, u64, u64, u64)| {
                (e.1 & 1 == 1) == incoming && e.0 >> keys::NODE_SHIFT == block_no
            };
            let key = keys::adj_block(adj[i].0, incoming);
            let old = txn.kv_get(&key)?.map(|b| b.to_vec()).unwrap_or_default();
            let mut updates: Vec<(u8, Option<Vec<u8>>)> = Vec::new();
            while i < adj.len() && same_block(&adj[i]) {
                let node = adj[i].0;
                let slot = keys::node_slot(node);
                let section = block_get(&old, slot);
                // A spilled section (`adjacency.rs`) gets the new entries as a chunk of their own.
                let spilled = section.and_then(|b| stub_parts(b, incoming));
                let mut lists = match (section, spilled) {
                    (Some(b), None) => decode_section(b)
                        .ok_or_else(|| txn.corrupt(&format!("adjacency of node {node}")))?,
                    _ => Vec::new(),
                };
                while i < adj.len() && adj[i].0 == node && same_block(&adj[i]) {
                    let (_, td, rel, other) = adj[i];
                    let rel_type = (td >> 1) as u32;
                    match lists.iter_mut().find(|l| l.rel_type == rel_type) {
                        Some(l) => l.edges.push((rel, other)),
                        None => lists.push(AdjList {
                            rel_type,
                            incoming,
                            edges: vec![(rel, other)],
                        }),
                    }
                    i += 1;
                }
                for l in &mut lists {
                    if !l.edges.windows(2).all(|w| w[0].0 < w[1].0) {
                        l.edges.sort_unstable();
                    }
                }
                let value = match spilled {
                    Some(stub) => Some(txn.add_chunk(node, incoming, stub, &mut lists)?),
                    None => txn.write_lists(node, incoming, &mut lists, false)?,
                };
                updates.push((slot, value));
            }
            let block = if old.is_empty() {
                let mut b = Vec::new();
                for (s, v) in &updates {
                    if let Some(v) = v {
                        block_append(&mut b, *s, v);
                    }
                }
                b
            } else {
                block_merge(&old, &updates)
            };
            debug_assert!(block_entries(&block).count() >= updates.len());
            touched.insert(block_no << keys::NODE_SHIFT);
            txn.kv_put(key, Some(block));
        }
        // The degree blocks of the touched nodes, from both directions' blocks.
        for base in touched {
            let out = txn
                .kv_get(&keys::adj_block(base, false))?
                .map(|b| b.to_vec());
            let inc = txn
                .kv_get(&keys::adj_block(base, true))?
                .map(|b| b.to_vec());
            let degrees =
                degree_block(out.as_deref().unwrap_or(&[]), inc.as_deref().unwrap_or(&[]));
            txn.kv_put(
                keys::degree_block(base),
                (!degrees.is_empty()).then_some(degrees),
            );
        }
        Ok(())
    }

    /// Flushes the rest and releases the writer lock.
    pub fn finish(mut self) -> Result<BulkReport> {
        self.flush()?;
        self.report.seconds = self.started.elapsed().as_secs_f64();
        Ok(self.report.clone())
    }
}

/// Properties as a record holds them: null values dropped, sorted by key, a repeated key
/// keeping its last value.
fn normalize(props: &mut Vec<(u32, Value)>) {
    props.retain(|(_, v)| !v.is_null());
    // Stable: equal keys stay in their order, so the last of each run is the last given.
    props.sort_by_key(|(k, _)| *k);
    props.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            std::mem::swap(later, kept);
        }
        same
    });
}

impl Drop for BulkLoader {
    fn drop(&mut self) {
        self.txn = None;
        self.store.inner.writer.release();
    }
}
