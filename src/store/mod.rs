//! Storage: the property graph persisted in sled, behind the [`GraphRead`] / [`GraphWrite`]
//! traits that the executor, algorithms and exporters see.
//!
//! ## Design
//! One sled tree. A transaction ([`Txn`]) collects its writes in an in-memory overlay of raw
//! key/value pairs that its own reads consult, and commits them with one `apply_batch`
//! (atomic in sled 0.34) followed by a flush (`Durability::Full`). One writer at a time
//! (a lock taken at a transaction's first write); readers never block.
//!
//! sled costs about 10 µs and a few kB of memory per *key* (1M small keys: 11 s to write,
//! 3.5 GB RSS, 1.5 s to reopen), but streams large values at hundreds of MB/s. So records
//! are packed into slot blocks and every per-entity structure is grouped: a graph of 200k
//! nodes / 2M relationships is ~25k keys.
//!
//! ## Key layout (all integers big-endian; encoders in `keys.rs`, value formats in
//! `records.rs`, property values in `codec.rs`, index buckets and label bits in `layout.rs`)
//! | key | value |
//! |---|---|
//! | `00 "format"` | format version, u32 ([`FORMAT_VERSION`]) |
//! | `00 "next_node"` / `"next_rel"` / `"next_index"`, `00 'n' kind` | id sequences, u64 |
//! | `00 "count_nodes"` / `"count_rels"`, `00 'c' kind id:u32` | counters (per label / type) |
//! | `00 "commits"` | commits this log holds, u64; each commit counts itself (`durable.rs`: the commit mark `kg.commits` outside the log tells a truncated log from an old one) |
//! | `00 "image"` | stamp (16 bytes) of the read image `kg.image` that holds exactly this data; removed by every commit (`image.rs`) |
//! | `'C' kind id:u32` (kind `L` label, `T` type, `K` property key) | the name (catalog) |
//! | `'N' node>>6` | block of ≤ 64 node records: labels (ids) + properties (key ids + values) |
//! | `'R' rel>>7` | block of ≤ 128 relationship records: type, start, end, properties |
//! | `'A' node>>6`, `'B' node>>6` | blocks of ≤ 64 outgoing (`A`) and incoming (`B`) adjacency sections (format 5; before, one `A` block held both); a node's section = its degree totals (out, in; the other direction's is 0), then one list per relationship type: type and direction, count, then delta-encoded (rel id, other node) pairs |
//! | `'E' node chunk:u32`, `'F' node chunk:u32` | chunks of a spilled outgoing (`E`) or incoming (`F`) section (`adjacency.rs`): a section longer than 2 KiB leaves its block for chunks, each a section of its own; the block keeps a stub (the direction's total, the chunk count in the other direction's field, no lists). No chunk keys: nothing spilled |
//! | `'D' node>>6` | block of ≤ 64 degree entries, a compact copy of the sections' totals (out, in); only nodes with relationships have one (format 3) |
//! | `'L' label:u32 node>>12` | label bitmap: 4096 bits, bit i = node (base + i) has the label |
//! | `'X' index:u32` | index definition (name, label id, key id, unique, bucket count; format ≤ 3 definitions have none and mean 4096) |
//! | `'Y' id:u64` | (format 10) constraint record other than single-property node uniqueness (`constraints.rs`): name, node or relationship, kind, label or type, properties, owned index, property type |
//! | `'O' index:u32 bound` | ordered index page (format 10, `ordered.rs`): the index's (value key, node) entries sorted by value key then node id, each page holding those above the previous page's bound and at or below its own (the sort key of its last entry when cut, `0xff` for the last page) |
//! | `'J' index:u32 value-key node:u64` | index delta (format 11, `index_delta.rs`): one entry a transaction added (value 1) or removed (value 0), read over the buckets and pages until a large commit or compaction folds it into them |
//! | `'I' index:u32 bucket:u16` | index bucket (bucket = FNV-1a of the value's Cypher-equality encoding mod the index's bucket count: a power of two ≤ 4096 sized for ~128 entries per bucket when the index is created, ×8 when a bucket passes 16 KiB): sorted (ordered value key, node id) entries |
//!
//! "All relationships of node N of type T in direction D" is one `get` of N's adjacency block
//! of that direction plus a header walk to the type's list (both directions: two gets); a
//! one-direction traversal reads only that direction's bytes. The degree over all types in
//! one direction is read from the node's degree block, a few bytes per node, so a cold lookup
//! or a scan of all degrees reads about 1/14 of the adjacency bytes (format 3).
//!
//! A compacted database also has a **read image** (`image.rs`): the same keys and values in one
//! file, its values checked per region as they are read, that transactions read instead of
//! sled until the process's first commit, so a fresh process does not pay sled's page loads. Compaction also **seals** it
//! (`seal.rs`): while sled's files are as compaction left them, a process reads through the
//! image without opening sled at all, under a shared lock that other such readers share.
//!
//! Contracts every implementation keeps:
//! - Reads through a [`GraphWrite`] see that transaction's own uncommitted writes.
//! - Scans return ids in ascending order unless a method says otherwise.
//! - Nothing is visible to other transactions or durable until `commit`.
//! - Dropping a transaction without `commit` discards its writes.

mod adjacency;
mod block_cache;
mod bulk;
mod check;
mod check_adjacency;
mod codec;
mod compact;
mod constraints;
mod degrees;
mod delta;
mod durable;
mod edges_each;
mod engine;
mod errors;
mod graph;
mod image;
mod image_writer;
mod index_codec;
mod index_delta;
mod index_write;
mod keys;
mod label_set;
mod layout;
mod lifecycle;
mod list_tail;
mod local_catalog;
mod migrate;
mod options;
mod ordered;
mod overlay;
mod record_patch;
mod records;
mod recovery;
mod region_slots;
mod rel_delete;
mod rel_scan;
mod scan_where;
mod seal;
mod txn;
mod undo;
mod write;

use crate::error::Result;
use crate::model::{Direction, Node, NodeId, Properties, RelId, Relationship};
use crate::value::Value;

pub use bulk::{BulkLoader, BulkReport};
pub use check::CheckReport;
pub use compact::{disk_bytes, CompactReport};
pub use constraints::{ConstraintDef, ConstraintKind, PropertyType, ScalarType};
pub use durable::COMMIT_MARK_FILE;
pub use engine::Store;
pub use label_set::HeldBits;
pub use migrate::FORMAT_VERSION;
pub use options::{Durability, OpenOptions};
pub use txn::{Checkpoint, Txn};

/// One piece of a label scan with a pre-filter (`GraphRead::label_where_piece`): the kept
/// nodes, ascending, and their carried values, `carry.len()` per node in the order of `ids`.
#[derive(Default)]
pub struct WherePiece {
    pub ids: Vec<NodeId>,
    pub values: Vec<Value>,
}

/// One piece of a relationship type scan (`GraphRead::relationship_type_piece`): the kept
/// relationships, ascending by id, each as (id, start node, end node).
#[derive(Default)]
pub struct RelPiece {
    pub rels: Vec<(RelId, NodeId, NodeId)>,
}

/// A test of one relationship property a type scan applies while it reads the records
/// (`GraphRead::relationship_type_piece`): the key, and whether a value keeps its
/// relationship (`Value::Null` when absent).
pub type RelTest<'a> = (&'a str, &'a mut dyn FnMut(&Value) -> Result<bool>);

/// A short rendering of a value for error messages (strings quoted).
pub(crate) fn display_value(v: &Value) -> String {
    match v {
        Value::String(s) => format!("'{s}'"),
        Value::Int(i) => i.to_string(),
        Value::Float(f) => format!("{f:?}"),
        Value::Bool(b) => b.to_string(),
        other if other.is_temporal() => other.temporal_text().unwrap_or_default(),
        Value::Null => "null".into(),
        other => format!("{other:?}"),
    }
}

/// One adjacency entry as seen from the node that was expanded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Edge {
    pub rel: RelId,
    /// The node at the other end (the node itself for a self-loop).
    pub other: NodeId,
    /// True when the expanded node is the relationship's start.
    pub outgoing: bool,
}

/// One label tested on many nodes ([`GraphRead::label_set`]).
pub trait LabelSet {
    /// True when `node` has the label (false when it does not exist).
    fn contains(&mut self, node: NodeId) -> Result<bool>;
}

/// What [`GraphRead::for_each_degree`] calls per node: (node, degree, values of the keys).
pub type DegreeVisitor<'a> = dyn FnMut(NodeId, u64, &[Value]) -> Result<()> + 'a;

/// A user-declared property index: `CREATE INDEX name FOR (n:Label) ON (n.property)`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexDef {
    pub name: String,
    pub label: String,
    pub property: String,
    /// True when the index backs a unique constraint.
    pub unique: bool,
    /// What `SHOW INDEXES` calls it; every kind answers equality, range and string scans.
    pub kind: IndexKind,
}

/// The kind of a property index, as Neo4j 5 names it (`CREATE [RANGE | TEXT] INDEX`).
/// Both hold every value and keep the same hash buckets and ordered pages; the kind is what
/// the index was declared as, which `SHOW INDEXES` reports.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum IndexKind {
    #[default]
    Range,
    Text,
}

impl IndexKind {
    /// The name `SHOW INDEXES` gives it.
    pub fn name(self) -> &'static str {
        match self {
            IndexKind::Range => "RANGE",
            IndexKind::Text => "TEXT",
        }
    }
}

/// What [`GraphRead::index_scan`] looks for in an ordered index.
#[derive(Clone, Debug, PartialEq)]
pub enum IndexScan {
    /// Values between the bounds in Cypher's order, both bounds inclusive (at least one given).
    Range {
        lower: Option<Value>,
        upper: Option<Value>,
    },
    /// Strings that start with the text.
    Prefix(String),
    /// Strings that contain the text.
    Contains(String),
    /// Strings that end with the text.
    Suffix(String),
}

/// Counts for `kg stats` and `:schema`.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct GraphStats {
    pub nodes: u64,
    pub relationships: u64,
    /// (label, number of nodes carrying it), by name.
    pub labels: Vec<(String, u64)>,
    /// (type, number of relationships), by name.
    pub relationship_types: Vec<(String, u64)>,
    /// Every property key in the catalog, by name.
    pub property_keys: Vec<String>,
    pub indexes: Vec<IndexDef>,
    /// Every constraint, of every kind (a unique one also owns one of `indexes`).
    pub constraints: Vec<ConstraintDef>,
}

/// Read access to a graph (a committed store or a transaction with its own writes).
pub trait GraphRead {
    /// The node, or `None` if it does not exist (or was deleted in this transaction).
    fn node(&self, id: NodeId) -> Result<Option<Node>>;
    /// This graph as one that threads may read at once (the workers of a parallel
    /// aggregation, `exec/parallel.rs`); `None` when it cannot be shared.
    fn as_sync(&self) -> Option<&(dyn GraphRead + Sync)> {
        None
    }
    /// A view reading exactly what this one reads but with caches of its own, for one worker
    /// thread; `None` when there is none (the worker then reads through `as_sync`).
    fn fork(&self) -> Option<Box<dyn GraphRead>> {
        None
    }
    fn relationship(&self, id: RelId) -> Result<Option<Relationship>>;

    /// One property of a node, without decoding the rest where the layout allows.
    fn node_property(&self, id: NodeId, key: &str) -> Result<Option<Value>> {
        Ok(self.node(id)?.and_then(|n| n.properties.get(key).cloned()))
    }
    fn relationship_property(&self, id: RelId, key: &str) -> Result<Option<Value>> {
        Ok(self
            .relationship(id)?
            .and_then(|r| r.properties.get(key).cloned()))
    }
    /// `key` of each relationship of `rels`, in order, onto `out` (`None`: the relationship
    /// has no such property, or does not exist), as `relationship_property` gives them; a
    /// store may read neighbouring relationships' records from one block lookup.
    fn relationship_properties(
        &self,
        rels: &[RelId],
        key: &str,
        out: &mut Vec<Option<Value>>,
    ) -> Result<()> {
        for &rel in rels {
            out.push(self.relationship_property(rel, key)?);
        }
        Ok(())
    }
    /// `key` of each node of `nodes`, in order, onto `out` (`None`: the node has no such
    /// property, or does not exist), as `node_property` gives them; a store may read
    /// neighbouring nodes' records from one block lookup.
    fn node_properties(
        &self,
        nodes: &[NodeId],
        key: &str,
        out: &mut Vec<Option<Value>>,
    ) -> Result<()> {
        for &node in nodes {
            out.push(self.node_property(node, key)?);
        }
        Ok(())
    }
    /// A tester of `label` for many nodes (a filter on the far ends of an expansion), as
    /// `node_has_label` answers; a store may hold what it read between tests.
    fn label_set<'a>(&'a self, label: &str) -> Result<Box<dyn LabelSet + 'a>> {
        Ok(Box::new(label_set::ByNode {
            graph: self,
            label: label.to_string(),
        }))
    }
    /// `label_set` whose tester keeps what it reads in `held` (the caller's, across testers
    /// of the same label while the graph does not change), where the store holds anything.
    fn label_set_held<'a>(
        &'a self,
        label: &str,
        held: &'a mut HeldBits,
    ) -> Result<Box<dyn LabelSet + 'a>> {
        let _ = held;
        self.label_set(label)
    }
    /// True when the node exists (and was not deleted in this transaction).
    fn node_exists(&self, id: NodeId) -> Result<bool> {
        Ok(self.node(id)?.is_some())
    }
    /// True when the node exists and has the label.
    fn node_has_label(&self, id: NodeId, label: &str) -> Result<bool> {
        Ok(self
            .node(id)?
            .is_some_and(|n| n.labels.iter().any(|l| l == label)))
    }

    /// All node ids, ascending.
    fn node_ids(&self) -> Result<Box<dyn Iterator<Item = Result<NodeId>> + '_>>;
    /// The ids of the nodes in `span`, ascending: a piece of `node_ids` (a parallel worker's
    /// morsel of an all-nodes scan), for which a store reads only the records of the span.
    fn node_ids_in(&self, span: std::ops::Range<NodeId>) -> Result<Vec<NodeId>> {
        let mut out = Vec::new();
        for id in self.node_ids()? {
            let id = id?;
            if id >= span.end {
                break;
            }
            if id >= span.start {
                out.push(id);
            }
        }
        Ok(out)
    }
    /// A size for splitting the node ids into spans: the ids handed out so far are below it.
    /// Only a hint: a scan by spans still reads past it (its last span is open-ended), so an
    /// answer never depends on it.
    fn node_id_bound(&self) -> Result<NodeId> {
        let mut last = None;
        for id in self.node_ids()? {
            last = Some(id?);
        }
        Ok(last.map_or(0, |l| l.saturating_add(1)))
    }
    /// Ids of the nodes carrying `label`, ascending.
    fn nodes_with_label(
        &self,
        label: &str,
    ) -> Result<Box<dyn Iterator<Item = Result<NodeId>> + '_>>;
    /// Ids of the nodes carrying `label`, ascending, for which `keep` holds of their value of
    /// property `key` (`Value::Null` when absent): a label scan with a pre-filter the store
    /// applies while it reads the records. The default reads node by node.
    fn nodes_with_label_where(
        &self,
        label: &str,
        key: &str,
        keep: &mut dyn FnMut(&Value) -> Result<bool>,
    ) -> Result<Vec<NodeId>> {
        let mut out = Vec::new();
        for id in self.nodes_with_label(label)? {
            let id = id?;
            if keep(&self.node_property(id, key)?.unwrap_or(Value::Null))? {
                out.push(id);
            }
        }
        Ok(out)
    }
    /// One piece of [`GraphRead::nodes_with_label_where`] over the nodes of `span` (from
    /// `span.start` on, none at or past `span.end`), into `piece` (cleared first), with each
    /// kept node's values of `carry` (`Value::Null` when absent, `carry.len()` per node, as
    /// `node_property` reads them); returns where the next piece starts, `None` at the end of
    /// the label or of the span. The default answers in one piece, node by node.
    fn label_where_piece(
        &self,
        label: &str,
        key: &str,
        carry: &[String],
        span: std::ops::Range<NodeId>,
        keep: &mut dyn FnMut(&Value) -> Result<bool>,
        piece: &mut WherePiece,
    ) -> Result<Option<NodeId>> {
        piece.ids.clear();
        piece.values.clear();
        for id in self.nodes_with_label_where(label, key, keep)? {
            if !span.contains(&id) {
                continue;
            }
            piece.ids.push(id);
            for k in carry {
                piece
                    .values
                    .push(self.node_property(id, k)?.unwrap_or(Value::Null));
            }
        }
        Ok(None)
    }
    /// All relationship ids, ascending.
    fn relationship_ids(&self) -> Result<Box<dyn Iterator<Item = Result<RelId>> + '_>>;
    /// One piece of a scan of the relationships whose type is one of `types`, in id order,
    /// from relationship `from` on and below `to` when given, into `piece` (cleared first);
    /// with `test`, only those whose value of its key it keeps. Returns where the next piece
    /// starts, `None` at the end (a piece may be empty before the end: it also stops after a
    /// bounded amount of reading, so the caller can check its limits). The default answers in
    /// one piece, relationship by relationship.
    fn relationship_type_piece(
        &self,
        types: &[&str],
        from: RelId,
        to: Option<RelId>,
        mut test: Option<RelTest<'_>>,
        piece: &mut RelPiece,
    ) -> Result<Option<RelId>> {
        piece.rels.clear();
        for id in self.relationship_ids()? {
            let id = id?;
            if id < from || to.is_some_and(|t| id >= t) {
                continue;
            }
            let Some(r) = self.relationship(id)? else {
                continue;
            };
            if !types.contains(&r.rel_type.as_str()) {
                continue;
            }
            if let Some((key, keep)) = &mut test {
                if !keep(r.properties.get(*key).unwrap_or(&Value::Null))? {
                    continue;
                }
            }
            piece.rels.push((id, r.start, r.end));
        }
        Ok(None)
    }

    /// The relationships of `node` in `direction` whose type is one of `types` (any type when
    /// empty). With `Direction::Both` a self-loop is reported once. Order: by type, then by
    /// relationship id.
    fn edges(&self, node: NodeId, direction: Direction, types: &[&str]) -> Result<Vec<Edge>>;
    /// For each of `nodes` in order that has any, `f(i, edges)` with what
    /// `edges(nodes[i], direction, types)` returns (nodes without such edges are skipped); a
    /// store may read the adjacency of neighbouring nodes from one lookup, so ascending ids
    /// are the cheap order.
    fn edges_each(
        &self,
        nodes: &[NodeId],
        direction: Direction,
        types: &[&str],
        f: &mut dyn FnMut(usize, &[Edge]) -> Result<()>,
    ) -> Result<()> {
        for (i, &node) in nodes.iter().enumerate() {
            let edges = self.edges(node, direction, types)?;
            if !edges.is_empty() {
                f(i, &edges)?;
            }
        }
        Ok(())
    }
    /// Appends the other end of every relationship `edges(node, direction, types)` reports to
    /// `out`, in no particular order, without building `Edge`s where the layout allows.
    fn neighbours(
        &self,
        node: NodeId,
        direction: Direction,
        types: &[&str],
        out: &mut Vec<NodeId>,
    ) -> Result<()> {
        out.extend(self.edges(node, direction, types)?.iter().map(|e| e.other));
        Ok(())
    }
    /// `edges(..).len()` without materialising the entries where the layout allows.
    fn degree(&self, node: NodeId, direction: Direction, types: &[&str]) -> Result<u64> {
        Ok(self.edges(node, direction, types)?.len() as u64)
    }

    /// Nodes with `label` whose `property` equals `value`, through an index. `None` when no
    /// index covers (label, property): the caller must scan.
    /// Calls `f` for every node (with `label` when given) whose `degree(node, direction,
    /// types)` is positive, ascending by id, with that degree and the values of the property
    /// `keys` (`Value::Null` when absent). One pass over the adjacency where the layout allows.
    fn for_each_degree(
        &self,
        label: Option<&str>,
        direction: Direction,
        types: &[&str],
        keys: &[&str],
        f: &mut DegreeVisitor<'_>,
    ) -> Result<()> {
        let ids: Vec<NodeId> = match label {
            Some(l) => self.nodes_with_label(l)?.collect::<Result<_>>()?,
            None => self.node_ids()?.collect::<Result<_>>()?,
        };
        let mut values = Vec::with_capacity(keys.len());
        for id in ids {
            let d = self.degree(id, direction, types)?;
            if d > 0 {
                values.clear();
                for k in keys {
                    values.push(self.node_property(id, k)?.unwrap_or(Value::Null));
                }
                f(id, d, &values)?;
            }
        }
        Ok(())
    }

    /// Number of nodes carrying `label` (every node when `None`).
    fn count_nodes(&self, label: Option<&str>) -> Result<u64> {
        match label {
            Some(l) => self
                .nodes_with_label(l)?
                .try_fold(0, |n, id| id.map(|_| n + 1)),
            None => self.node_count(),
        }
    }

    fn index_lookup(
        &self,
        label: &str,
        property: &str,
        value: &Value,
    ) -> Result<Option<Vec<NodeId>>>;

    /// Nodes with `label` whose `property` satisfies `scan`, through the ordered pages of an
    /// index, ascending by (value, node id), each once. String scans are exact; a range may
    /// also hold values equal to a bound (strict bounds, and integers beyond f64 precision,
    /// are the caller's to re-check). `None` when no index covers (label, property) or the
    /// index cannot order the bounds' type (null, NaN, lists, durations): the caller must scan.
    fn index_scan(
        &self,
        label: &str,
        property: &str,
        scan: &IndexScan,
    ) -> Result<Option<Vec<NodeId>>> {
        let _ = (label, property, scan);
        Ok(None)
    }

    fn indexes(&self) -> Result<Vec<IndexDef>>;
    /// Every constraint (unique indexes included), by name.
    fn constraints(&self) -> Result<Vec<ConstraintDef>> {
        Ok(Vec::new())
    }
    /// Labels, relationship types and property keys known to the catalog, each sorted by name.
    fn labels(&self) -> Result<Vec<String>>;
    fn relationship_types(&self) -> Result<Vec<String>>;
    fn property_keys(&self) -> Result<Vec<String>>;

    fn node_count(&self) -> Result<u64>;
    fn relationship_count(&self) -> Result<u64>;
    fn stats(&self) -> Result<GraphStats>;

    /// True when this view holds writes not yet committed, so it is not the committed store
    /// generation (caches keyed by generation must not answer for it).
    fn has_uncommitted_writes(&self) -> bool {
        false
    }
}

/// Write access; every method is visible to later reads of the same transaction at once.
pub trait GraphWrite: GraphRead {
    fn create_node(&mut self, labels: &[String], properties: Properties) -> Result<NodeId>;
    /// Fails (EntityNotFound) when either end does not exist.
    fn create_relationship(
        &mut self,
        rel_type: &str,
        start: NodeId,
        end: NodeId,
        properties: Properties,
    ) -> Result<RelId>;

    /// Sets (or with `Value::Null` removes) one property. Returns true when something changed.
    fn set_node_property(&mut self, id: NodeId, key: &str, value: Value) -> Result<bool>;
    fn set_relationship_property(&mut self, id: RelId, key: &str, value: Value) -> Result<bool>;
    /// Replaces the whole property map.
    fn replace_node_properties(&mut self, id: NodeId, properties: Properties) -> Result<()>;
    fn replace_relationship_properties(&mut self, id: RelId, properties: Properties) -> Result<()>;
    /// Returns true when the label was not there before.
    fn add_label(&mut self, id: NodeId, label: &str) -> Result<bool>;
    /// Returns true when the label was there.
    fn remove_label(&mut self, id: NodeId, label: &str) -> Result<bool>;

    /// Deletes a node that has no relationships; fails with ConstraintVerificationFailed /
    /// DeleteConnectedNode otherwise. Returns false when it was already gone.
    fn delete_node(&mut self, id: NodeId) -> Result<bool>;
    fn delete_relationship(&mut self, id: RelId) -> Result<bool>;
    /// Deletes each relationship of `ids` (repeated or already deleted ones are skipped), as
    /// [`GraphWrite::delete_relationship`] one at a time would; returns those that went, each
    /// with its type and ends but no properties (what `type(r)` reads after a DELETE).
    fn delete_relationships(&mut self, ids: &[RelId]) -> Result<Vec<Relationship>> {
        let mut deleted = Vec::new();
        for &id in ids {
            let Some(mut r) = self.relationship(id)? else {
                continue;
            };
            if self.delete_relationship(id)? {
                r.properties.clear();
                deleted.push(r);
            }
        }
        Ok(deleted)
    }

    /// Creates a property index (building it from existing nodes). Idempotent per
    /// (label, property) when `if_not_exists`.
    fn create_index(&mut self, def: IndexDef, if_not_exists: bool) -> Result<()>;
    fn drop_index(&mut self, name: &str, if_exists: bool) -> Result<()>;

    /// `CALL { } IN TRANSACTIONS`: marks where a batch starts, to go back to with
    /// [`GraphWrite::rollback_batch`] when it fails.
    fn begin_batch(&mut self) -> Checkpoint;
    /// Undoes every write since `cp`.
    fn rollback_batch(&mut self, cp: Checkpoint);
    /// Commits every write so far (durably, as a statement's commit) and goes on as a fresh
    /// transaction that still holds the writer lock. The caller must not hold the statement
    /// gate (the commit takes it exclusively).
    fn commit_batch(&mut self) -> Result<()>;
}
