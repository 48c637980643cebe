//! The projection: a compact CSR snapshot of the nodes and relationships an algorithm needs,
//! built on demand from [`GraphRead`] and cached per store generation.
//!
//! Layout: nodes get dense indices `0..n` in ascending [`NodeId`] order; each direction keeps
//! `offsets[n + 1]` plus parallel arrays `others`, `rels` and `types` (one entry per
//! relationship end), so a node's neighbours are one contiguous slice. A self-loop appears once
//! in each direction.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use crate::error::{Error, QueryError, Result};
use crate::model::{Direction, NodeId, RelId};
use crate::store::GraphRead;
use crate::value::Value;

/// Which part of the graph to project: nodes carrying any of `labels` (all nodes when empty),
/// relationships of any of `rel_types` (all types when empty) whose both ends are projected.
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash)]
pub struct ProjectionSpec {
    /// Sorted, without duplicates.
    pub labels: Vec<String>,
    /// Sorted, without duplicates.
    pub rel_types: Vec<String>,
}

impl ProjectionSpec {
    pub fn new(labels: &[&str], rel_types: &[&str]) -> ProjectionSpec {
        let norm = |v: &[&str]| {
            let mut v: Vec<String> = v.iter().map(|s| s.to_string()).collect();
            v.sort();
            v.dedup();
            v
        };
        ProjectionSpec {
            labels: norm(labels),
            rel_types: norm(rel_types),
        }
    }

    /// Reads `labels` and `relationshipTypes` from a procedure's config map (each a string or
    /// a list of strings).
    pub fn from_config(config: &Config) -> Result<ProjectionSpec> {
        let labels = config.strings("labels")?;
        let types = config.strings("relationshipTypes")?;
        let labels: Vec<&str> = labels.iter().map(String::as_str).collect();
        let types: Vec<&str> = types.iter().map(String::as_str).collect();
        Ok(ProjectionSpec::new(&labels, &types))
    }
}

/// A procedure's optional config map, with typed accessors that reject wrong types with an
/// `ArgumentError` instead of guessing.
#[derive(Clone, Debug, Default)]
pub struct Config {
    procedure: String,
    entries: std::collections::BTreeMap<String, Value>,
}

impl Config {
    /// `value` is the config argument: a map, or null/absent for the defaults. Unknown keys
    /// are rejected so a typo (`dampingfactor`) does not silently fall back to a default.
    pub fn parse(procedure: &str, value: Option<&Value>, known: &[&str]) -> Result<Config> {
        let entries = match value {
            None | Some(Value::Null) => Default::default(),
            Some(Value::Map(m)) => m.clone(),
            Some(other) => {
                return Err(argument_error(format!(
                    "{procedure}: the config argument must be a map, got {}",
                    other.type_name()
                )))
            }
        };
        for key in entries.keys() {
            if !known.contains(&key.as_str()) && key != "labels" && key != "relationshipTypes" {
                return Err(argument_error(format!(
                    "{procedure}: unknown config key `{key}` (known: labels, relationshipTypes{})",
                    known.iter().map(|k| format!(", {k}")).collect::<String>()
                )));
            }
        }
        Ok(Config {
            procedure: procedure.to_string(),
            entries,
        })
    }

    pub fn get(&self, key: &str) -> Option<&Value> {
        self.entries.get(key).filter(|v| !v.is_null())
    }

    pub fn strings(&self, key: &str) -> Result<Vec<String>> {
        match self.get(key) {
            None => Ok(Vec::new()),
            Some(Value::String(s)) => Ok(vec![s.clone()]),
            Some(Value::List(items)) => items
                .iter()
                .map(|v| match v {
                    Value::String(s) => Ok(s.clone()),
                    other => Err(self.wrong_type(key, "a list of strings", other)),
                })
                .collect(),
            Some(other) => Err(self.wrong_type(key, "a string or a list of strings", other)),
        }
    }

    pub fn float(&self, key: &str, default: f64) -> Result<f64> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Int(i)) => Ok(*i as f64),
            Some(Value::Float(f)) => Ok(*f),
            Some(other) => Err(self.wrong_type(key, "a number", other)),
        }
    }

    pub fn int(&self, key: &str, default: i64) -> Result<i64> {
        match self.get(key) {
            None => Ok(default),
            Some(Value::Int(i)) => Ok(*i),
            Some(other) => Err(self.wrong_type(key, "an integer", other)),
        }
    }

    pub fn string(&self, key: &str) -> Result<Option<String>> {
        match self.get(key) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(other) => Err(self.wrong_type(key, "a string", other)),
        }
    }

    fn wrong_type(&self, key: &str, expected: &str, got: &Value) -> Error {
        argument_error(format!(
            "{}: config `{key}` must be {expected}, got {}",
            self.procedure,
            got.type_name()
        ))
    }
}

pub(crate) fn argument_error(message: String) -> Error {
    Error::Query(QueryError::new(
        crate::error::ErrorClass::ArgumentError,
        "InvalidArgumentValue",
        crate::error::Phase::Runtime,
        message,
    ))
}

/// One direction of the CSR.
#[derive(Clone, Debug, Default)]
pub(crate) struct Csr {
    pub offsets: Vec<u32>,
    pub others: Vec<u32>,
    pub rels: Vec<RelId>,
    pub types: Vec<u16>,
}

impl Csr {
    fn build(n: usize, edges: &[(u32, u32, RelId, u16)], reverse: bool) -> Csr {
        let mut offsets = vec![0u32; n + 1];
        for e in edges {
            let from = if reverse { e.1 } else { e.0 };
            offsets[from as usize + 1] += 1;
        }
        for i in 0..n {
            offsets[i + 1] += offsets[i];
        }
        let mut next: Vec<u32> = offsets[..n].to_vec();
        let m = edges.len();
        let (mut others, mut rels, mut types) = (vec![0u32; m], vec![0 as RelId; m], vec![0u16; m]);
        // `edges` is sorted by (start, type, rel) so both directions keep a deterministic order.
        for &(s, t, rel, ty) in edges {
            let (from, to) = if reverse { (t, s) } else { (s, t) };
            let p = next[from as usize] as usize;
            others[p] = to;
            rels[p] = rel;
            types[p] = ty;
            next[from as usize] += 1;
        }
        Csr {
            offsets,
            others,
            rels,
            types,
        }
    }

    #[inline]
    pub fn range(&self, v: u32) -> std::ops::Range<usize> {
        self.offsets[v as usize] as usize..self.offsets[v as usize + 1] as usize
    }
}

fn slice_entries(csr: &Csr, v: u32) -> impl Iterator<Item = (u32, RelId, u16)> + '_ {
    let r = csr.range(v);
    let (o, rl, t) = (&csr.others[r.clone()], &csr.rels[r.clone()], &csr.types[r]);
    (0..o.len()).map(move |k| (o[k], rl[k], t[k]))
}

/// A read-only CSR snapshot of part of the graph.
#[derive(Clone, Debug, Default)]
pub struct Projection {
    /// Dense index → node id, ascending.
    pub(crate) nodes: Vec<NodeId>,
    /// Node id → dense index when ids are dense enough for a table (else binary search).
    dense: Option<Vec<u32>>,
    pub(crate) types: Vec<String>,
    pub(crate) out: Csr,
    pub(crate) inc: Csr,
}

const NO_INDEX: u32 = u32::MAX;

impl Projection {
    /// Builds the projection of `spec` from `graph` (costs one `edges` call per node and
    /// relationship type).
    /// Stops with the statement's Ctrl-C or time limit ([`crate::interrupt`]).
    pub fn build(graph: &dyn GraphRead, spec: &ProjectionSpec) -> Result<Projection> {
        let mut ticker = crate::interrupt::Ticker::default();
        let mut nodes: Vec<NodeId> = Vec::new();
        if spec.labels.is_empty() {
            for id in graph.node_ids()? {
                ticker.tick()?;
                nodes.push(id?);
            }
        } else {
            for label in &spec.labels {
                for id in graph.nodes_with_label(label)? {
                    ticker.tick()?;
                    nodes.push(id?);
                }
            }
            nodes.sort_unstable();
            nodes.dedup();
        }
        if nodes.len() >= NO_INDEX as usize {
            return Err(Error::Io(
                "graph too large to project (more than 2^32 nodes)".into(),
            ));
        }
        let mut proj = Projection {
            dense: None,
            nodes,
            types: Vec::new(),
            out: Csr::default(),
            inc: Csr::default(),
        };
        let max = proj.nodes.last().copied().unwrap_or(0);
        if (max as usize) <= proj.nodes.len().saturating_mul(4) + 1024 {
            let mut table = vec![NO_INDEX; max as usize + 1];
            for (i, &id) in proj.nodes.iter().enumerate() {
                table[id as usize] = i as u32;
            }
            proj.dense = Some(table);
        }

        let catalog = graph.relationship_types()?;
        proj.types = if spec.rel_types.is_empty() {
            catalog
        } else {
            // Types the catalog does not know have no relationships; keep them out.
            spec.rel_types
                .iter()
                .filter(|t| catalog.contains(t))
                .cloned()
                .collect()
        };
        if proj.types.len() > u16::MAX as usize {
            return Err(Error::Io("too many relationship types to project".into()));
        }
        let mut edges: Vec<(u32, u32, RelId, u16)> = Vec::new();
        for (i, &id) in proj.nodes.iter().enumerate() {
            crate::interrupt::check()?;
            for (ty, name) in proj.types.iter().enumerate() {
                for e in graph.edges(id, Direction::Outgoing, &[name.as_str()])? {
                    if let Some(other) = proj.index_of(e.other) {
                        edges.push((i as u32, other, e.rel, ty as u16));
                    }
                }
            }
        }
        if edges.len() >= u32::MAX as usize {
            return Err(Error::Io(
                "graph too large to project (more than 2^32 relationships)".into(),
            ));
        }
        let n = proj.nodes.len();
        proj.out = Csr::build(n, &edges, false);
        edges.sort_unstable_by_key(|e| (e.1, e.3, e.2));
        proj.inc = Csr::build(n, &edges, true);
        Ok(proj)
    }

    pub fn node_count(&self) -> usize {
        self.nodes.len()
    }

    pub fn relationship_count(&self) -> usize {
        self.out.others.len()
    }

    /// The dense index of a node id, if the node is projected.
    pub fn index_of(&self, id: NodeId) -> Option<u32> {
        match &self.dense {
            Some(table) => table
                .get(usize::try_from(id).ok()?)
                .copied()
                .filter(|&i| i != NO_INDEX),
            None => self.nodes.binary_search(&id).ok().map(|i| i as u32),
        }
    }

    pub fn node_id(&self, index: u32) -> NodeId {
        self.nodes[index as usize]
    }

    /// Relationship ends of `v` in one direction: (other node, relationship, type index).
    pub fn adjacent(
        &self,
        v: u32,
        direction: Direction,
    ) -> impl Iterator<Item = (u32, RelId, u16)> + '_ {
        let (first, second) = match direction {
            Direction::Outgoing => (&self.out, None),
            Direction::Incoming => (&self.inc, None),
            Direction::Both => (&self.out, Some(&self.inc)),
        };
        // With Both, a self-loop appears in both arrays; report it once.
        let second = second
            .into_iter()
            .flat_map(move |c| slice_entries(c, v).filter(move |&(o, _, _)| o != v));
        slice_entries(first, v).chain(second)
    }

    pub fn out_degree(&self, v: u32) -> usize {
        self.out.range(v).len()
    }

    pub fn in_degree(&self, v: u32) -> usize {
        self.inc.range(v).len()
    }

    /// Type name of a type index.
    pub fn type_name(&self, ty: u16) -> &str {
        &self.types[ty as usize]
    }

    /// Approximate heap size in bytes.
    pub fn heap_bytes(&self) -> usize {
        let csr = |c: &Csr| c.offsets.len() * 4 + c.others.len() * (4 + 8 + 2);
        self.nodes.len() * 8
            + self.dense.as_ref().map_or(0, |d| d.len() * 4)
            + csr(&self.out)
            + csr(&self.inc)
    }
}

/// Projections cached by (store generation, node count, relationship count, spec). A commit
/// bumps the generation, so entries of older generations are dropped on the next lookup; the
/// counts catch a view with uncommitted creates or deletes that still reports the last
/// committed generation. One cache per `Database` (the procedures of one database share it),
/// so two databases never share entries.
#[derive(Default)]
pub struct ProjectionCache {
    entries: Mutex<Vec<(CacheKey, ProjectionSpec, Arc<Projection>)>>,
}

type CacheKey = (u64, u64, u64);

/// How many projections of one generation are kept.
const CACHE_CAPACITY: usize = 4;

impl ProjectionCache {
    pub fn new() -> ProjectionCache {
        ProjectionCache::default()
    }

    /// The cached projection for (`generation`, `spec`), building it on a miss. `generation`
    /// `None` means the caller's view is not a committed generation (a transaction with
    /// uncommitted writes): build without caching.
    pub fn get(
        &self,
        graph: &dyn GraphRead,
        generation: Option<u64>,
        spec: &ProjectionSpec,
    ) -> Result<Arc<Projection>> {
        let Some(generation) = generation else {
            return Ok(Arc::new(Projection::build(graph, spec)?));
        };
        let key = (generation, graph.node_count()?, graph.relationship_count()?);
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|(k, _, _)| k.0 == generation);
            if let Some(pos) = entries.iter().position(|(k, s, _)| *k == key && s == spec) {
                let hit = entries.remove(pos);
                let proj = hit.2.clone();
                entries.push(hit); // most recently used last
                return Ok(proj);
            }
        }
        // Build outside the lock: a long build must not block other readers.
        let proj = Arc::new(Projection::build(graph, spec)?);
        if let Ok(mut entries) = self.entries.lock() {
            entries.retain(|(k, _, _)| k.0 == generation);
            if entries.len() >= CACHE_CAPACITY {
                entries.remove(0);
            }
            entries.push((key, spec.clone(), proj.clone()));
        }
        Ok(proj)
    }

    /// Number of cached projections (for tests and introspection).
    pub fn len(&self) -> usize {
        self.entries.lock().map_or(0, |e| e.len())
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// A fast, deterministic hasher for integer keys (node and relationship ids): the traversal
/// maps are hot and never see attacker-chosen keys that matter for DoS.
#[derive(Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

impl std::hash::Hasher for IdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(b)).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

pub(crate) type IdMap<K, V> = HashMap<K, V, std::hash::BuildHasherDefault<IdHasher>>;
