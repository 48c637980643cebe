//! Every on-disk key of the store, built in this one module (big-endian integers, so byte
//! order = numeric order). See the layout table in `store/mod.rs`.

/// Nodes per node-record block and per adjacency block (`id >> NODE_SHIFT`).
pub const NODE_SHIFT: u32 = 6;
/// Relationships per relationship-record block.
pub const REL_SHIFT: u32 = 7;
/// Nodes per label bitmap (`id >> LABEL_SHIFT`); 4096 bits = 512 bytes.
pub const LABEL_SHIFT: u32 = 12;
/// The most hash buckets a property index has (and the count of indexes written before
/// format 4); an index's own count is in its definition.
pub const INDEX_BUCKETS: u32 = 4096;

pub const P_META: u8 = 0x00;
pub const P_CATALOG: u8 = b'C';
pub const P_NODE: u8 = b'N';
pub const P_REL: u8 = b'R';
/// Adjacency blocks: outgoing lists under `P_ADJ`, incoming lists under `P_ADJ_IN`.
pub const P_ADJ: u8 = b'A';
pub const P_ADJ_IN: u8 = b'B';
/// Adjacency chunks of spilled sections (`adjacency.rs`): outgoing under `P_CHUNK`, incoming
/// under `P_CHUNK_IN`.
pub const P_CHUNK: u8 = b'E';
pub const P_CHUNK_IN: u8 = b'F';
pub const P_DEGREE: u8 = b'D';
pub const P_LABEL: u8 = b'L';
pub const P_INDEX_DEF: u8 = b'X';
pub const P_INDEX: u8 = b'I';
/// Constraint records other than single-property node uniqueness (`constraints.rs`).
pub const P_CONSTRAINT: u8 = b'Y';
/// Ordered index pages (format 10, `ordered.rs`): every index's entries again, in value order.
pub const P_INDEX_PAGE: u8 = b'O';
/// Index entries written by transactions since the last fold (format 11, `index_delta.rs`):
/// one key per (index, value, node), so a commit writes bytes in proportion to its entries.
pub const P_INDEX_DELTA: u8 = b'J';

/// Catalog kinds.
pub const KIND_LABEL: u8 = b'L';
pub const KIND_TYPE: u8 = b'T';
pub const KIND_KEY: u8 = b'K';

pub const META_FORMAT: &[u8] = b"\x00format";
pub const META_NEXT_NODE: &[u8] = b"\x00next_node";
pub const META_NEXT_REL: &[u8] = b"\x00next_rel";
pub const META_NEXT_INDEX: &[u8] = b"\x00next_index";
pub const META_NODE_COUNT: &[u8] = b"\x00count_nodes";
pub const META_REL_COUNT: &[u8] = b"\x00count_rels";
/// The stamp of the valid read image (`image.rs`); every commit removes it.
pub const META_IMAGE: &[u8] = b"\x00image";
/// How many commits this log holds, u64; every commit counts itself in its batch
/// (`durable.rs`, the commit mark).
pub const META_COMMITS: &[u8] = b"\x00commits";

/// Index deltas written to index `index` since its last fold (`index_delta.rs`): `00 'j'
/// index:u32`, u64; absent when none.
pub fn index_delta_count(index: u32) -> Vec<u8> {
    let mut k = vec![P_META, b'j'];
    k.extend_from_slice(&index.to_be_bytes());
    k
}

/// Per-label / per-type counters: `00 'c' kind id`.
pub fn counter(kind: u8, id: u32) -> Vec<u8> {
    let mut k = vec![P_META, b'c', kind];
    k.extend_from_slice(&id.to_be_bytes());
    k
}

pub fn catalog(kind: u8, id: u32) -> Vec<u8> {
    let mut k = vec![P_CATALOG, kind];
    k.extend_from_slice(&id.to_be_bytes());
    k
}

fn prefixed_u64(p: u8, v: u64) -> Vec<u8> {
    let mut k = Vec::with_capacity(9);
    k.push(p);
    k.extend_from_slice(&v.to_be_bytes());
    k
}

/// The key under `prefix` of the 64-node block (node, adjacency or degree) holding `node`.
pub fn node_block_under(prefix: u8, node: u64) -> Vec<u8> {
    prefixed_u64(prefix, node >> NODE_SHIFT)
}

pub fn node_block(node: u64) -> Vec<u8> {
    node_block_under(P_NODE, node)
}

pub fn rel_block(rel: u64) -> Vec<u8> {
    prefixed_u64(P_REL, rel >> REL_SHIFT)
}

/// The prefix of the adjacency blocks of one direction.
pub fn adj_prefix(incoming: bool) -> u8 {
    if incoming {
        P_ADJ_IN
    } else {
        P_ADJ
    }
}

/// The block holding `node`'s outgoing (or incoming) adjacency section.
pub fn adj_block(node: u64, incoming: bool) -> Vec<u8> {
    node_block_under(adj_prefix(incoming), node)
}

/// The prefix of the chunk keys of one direction.
pub fn chunk_kind(incoming: bool) -> u8 {
    if incoming {
        P_CHUNK_IN
    } else {
        P_CHUNK
    }
}

/// The prefix of every chunk of `node`'s spilled outgoing (or incoming) section.
pub fn chunk_prefix(node: u64, incoming: bool) -> Vec<u8> {
    prefixed_u64(chunk_kind(incoming), node)
}

/// Chunk `chunk` of `node`'s spilled outgoing (or incoming) section.
pub fn chunk(node: u64, incoming: bool, chunk: u32) -> Vec<u8> {
    let mut k = chunk_prefix(node, incoming);
    k.extend_from_slice(&chunk.to_be_bytes());
    k
}

/// (node, chunk number) of a chunk key.
pub fn parse_chunk(key: &[u8]) -> Option<(u64, u32)> {
    let n: [u8; 8] = key.get(1..9)?.try_into().ok()?;
    let c: [u8; 4] = key.get(9..13)?.try_into().ok()?;
    (key.len() == 13).then(|| (u64::from_be_bytes(n), u32::from_be_bytes(c)))
}

pub fn degree_block(node: u64) -> Vec<u8> {
    node_block_under(P_DEGREE, node)
}

/// The slot of a node within its node / adjacency block.
pub fn node_slot(node: u64) -> u8 {
    (node & ((1 << NODE_SHIFT) - 1)) as u8
}

pub fn rel_slot(rel: u64) -> u8 {
    (rel & ((1 << REL_SHIFT) - 1)) as u8
}

/// The first id of the block a block key names (`P_NODE`/`P_REL`/`P_ADJ` keys).
pub fn block_base(key: &[u8], shift: u32) -> Option<u64> {
    let b: [u8; 8] = key.get(1..9)?.try_into().ok()?;
    Some(u64::from_be_bytes(b) << shift)
}

pub fn label_bitmap(label: u32, node: u64) -> Vec<u8> {
    let mut k = label_prefix(label);
    k.extend_from_slice(&(node >> LABEL_SHIFT).to_be_bytes());
    k
}

pub fn label_prefix(label: u32) -> Vec<u8> {
    let mut k = vec![P_LABEL];
    k.extend_from_slice(&label.to_be_bytes());
    k
}

/// (label, first node id of the bitmap) of a label-bitmap key.
pub fn parse_label_bitmap(key: &[u8]) -> Option<(u32, u64)> {
    let l: [u8; 4] = key.get(1..5)?.try_into().ok()?;
    let b: [u8; 8] = key.get(5..13)?.try_into().ok()?;
    Some((u32::from_be_bytes(l), u64::from_be_bytes(b) << LABEL_SHIFT))
}

pub fn index_def(index: u32) -> Vec<u8> {
    let mut k = vec![P_INDEX_DEF];
    k.extend_from_slice(&index.to_be_bytes());
    k
}

/// A constraint record's key: `'Y' id:u64` (ids from the index sequence).
pub fn constraint_def(id: u64) -> Vec<u8> {
    prefixed_u64(P_CONSTRAINT, id)
}

pub fn index_prefix(index: u32) -> Vec<u8> {
    let mut k = vec![P_INDEX];
    k.extend_from_slice(&index.to_be_bytes());
    k
}

/// The bucket, of `buckets`, holding entries whose Cypher-equality prefix is `value_prefix`.
pub fn index_bucket(index: u32, buckets: u32, value_prefix: &[u8]) -> Vec<u8> {
    let mut k = index_prefix(index);
    let bucket = (fnv1a(value_prefix) % u64::from(buckets.clamp(1, INDEX_BUCKETS))) as u16;
    k.extend_from_slice(&bucket.to_be_bytes());
    k
}

/// The index a bucket key belongs to.
pub fn index_of_bucket(key: &[u8]) -> Option<u32> {
    let id: [u8; 4] = key.get(1..5)?.try_into().ok()?;
    (key.first() == Some(&P_INDEX)).then(|| u32::from_be_bytes(id))
}

/// The bound of an index's last page: above every entry (value keys start below 0x80).
pub const LAST_PAGE_BOUND: &[u8] = &[0xff];

/// The prefix of every ordered page of index `index`.
pub fn index_page_prefix(index: u32) -> Vec<u8> {
    let mut k = vec![P_INDEX_PAGE];
    k.extend_from_slice(&index.to_be_bytes());
    k
}

/// The ordered page of index `index` whose entries' sort keys are at most `bound` (and above
/// the bound of the page before it); `bound` is the sort key of its last entry, or
/// [`LAST_PAGE_BOUND`] for the page that takes everything above the others.
pub fn index_page(index: u32, bound: &[u8]) -> Vec<u8> {
    let mut k = index_page_prefix(index);
    k.extend_from_slice(bound);
    k
}

/// (index, bound) of an ordered page key.
pub fn parse_index_page(key: &[u8]) -> Option<(u32, &[u8])> {
    let id: [u8; 4] = key.get(1..5)?.try_into().ok()?;
    (key.first() == Some(&P_INDEX_PAGE) && key.len() > 5)
        .then(|| (u32::from_be_bytes(id), &key[5..]))
}

/// The prefix of every delta entry of index `index` (`'J' index:u32`); the entry keys follow
/// it with the value's index key and the node id (`layout::delta_key`).
pub fn index_delta_prefix(index: u32) -> Vec<u8> {
    let mut k = vec![P_INDEX_DELTA];
    k.extend_from_slice(&index.to_be_bytes());
    k
}

/// FNV-1a: a hash that never changes between builds (bucket numbers are on disk).
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0100_0000_01b3);
    }
    h
}
