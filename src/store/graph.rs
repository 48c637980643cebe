//! `GraphRead` for transactions: records, adjacency, label bitmaps and index buckets decoded
//! into the data model, plus the record-level helpers the write side shares.

use crate::error::Result;
use crate::model::{Direction, Node, NodeId, Properties, RelId, Relationship};
use crate::value::Value;

use super::block_cache::SlotBytes;
use super::edges_each::{section_edges, Held};
use super::index_codec::{
    index_key, index_key_prefix, index_key_string, index_prefix_range, index_range,
    index_string_range, numeric_tails_equal, KeyRange,
};
use super::index_delta::merge_deltas;
use super::keys::{self, KIND_KEY, KIND_LABEL, KIND_TYPE};
use super::layout::bucket_entries;
use super::records::{
    adj_headers, adj_others, bitmap_ids, block_entries, degree_totals, NodeRecord, RelRecord,
};
use super::txn::Txn;
use super::{Edge, GraphRead, GraphStats, IndexDef, IndexScan};

type Ids<'a> = Box<dyn Iterator<Item = Result<u64>> + 'a>;

impl Txn {
    pub(crate) fn node_bytes(&self, id: NodeId) -> Result<Option<SlotBytes>> {
        self.block_entry(&keys::node_block(id), keys::node_slot(id))
    }

    pub(crate) fn rel_bytes(&self, id: RelId) -> Result<Option<SlotBytes>> {
        self.block_entry(&keys::rel_block(id), keys::rel_slot(id))
    }

    /// `id`'s outgoing (or incoming) adjacency section.
    #[cfg(test)]
    pub(crate) fn section_bytes(&self, id: NodeId, incoming: bool) -> Result<Option<SlotBytes>> {
        self.block_entry(&keys::adj_block(id, incoming), keys::node_slot(id))
    }

    /// Calls `f` with each adjacency section of `node` that `direction` needs (the outgoing
    /// one, the incoming one, or both), straight from the block, or each chunk of a spilled
    /// one (`adjacency.rs`).
    fn with_sections(
        &self,
        node: NodeId,
        direction: Direction,
        mut f: impl FnMut(&[u8]) -> Result<()>,
    ) -> Result<()> {
        let wanted: &[bool] = match direction {
            Direction::Outgoing => &[false],
            Direction::Incoming => &[true],
            Direction::Both => &[false, true],
        };
        for &incoming in wanted {
            self.for_each_piece(node, incoming, &mut f)?;
        }
        Ok(())
    }

    pub(crate) fn node_record(&self, id: NodeId) -> Result<Option<NodeRecord>> {
        match self.node_bytes(id)? {
            None => Ok(None),
            Some(b) => NodeRecord::decode(&b)
                .map(Some)
                .ok_or_else(|| self.corrupt(&format!("node {id} record"))),
        }
    }

    pub(crate) fn rel_record(&self, id: RelId) -> Result<Option<RelRecord>> {
        match self.rel_bytes(id)? {
            None => Ok(None),
            Some(b) => RelRecord::decode(&b)
                .map(Some)
                .ok_or_else(|| self.corrupt(&format!("relationship {id} record"))),
        }
    }

    pub(crate) fn props_to_model(&self, props: &[(u32, Value)]) -> Result<Properties> {
        props
            .iter()
            .map(|(k, v)| Ok((self.cat_name(KIND_KEY, *k)?, v.clone())))
            .collect()
    }

    /// All ids stored in slot blocks under `prefix` (node or relationship records).
    fn block_ids(&self, prefix: u8, shift: u32) -> Ids<'_> {
        Box::new(self.kv_scan(&[prefix]).flat_map(move |item| {
            let ids: Vec<Result<u64>> = match item {
                Err(e) => vec![Err(e)],
                Ok((k, v)) => match keys::block_base(&k, shift) {
                    None => vec![Err(self.corrupt("malformed block key"))],
                    Some(base) => block_entries(&v)
                        .map(|(s, _)| Ok(base + u64::from(s)))
                        .collect(),
                },
            };
            ids
        }))
    }

    /// The ids stored in the node blocks that hold ids of `span`, those in `span` ascending:
    /// only those blocks are read (a range of block keys), not every node block.
    fn node_ids_in_span(&self, span: std::ops::Range<NodeId>) -> Result<Vec<NodeId>> {
        let mut out = Vec::new();
        if span.is_empty() {
            return Ok(out);
        }
        let from = keys::node_block(span.start);
        // The first block past the span's last id; none when that block is the last possible.
        let after = ((span.end - 1) >> keys::NODE_SHIFT)
            .checked_add(1)
            .and_then(|b| b.checked_mul(1 << keys::NODE_SHIFT))
            .map(keys::node_block);
        for item in self.kv_range(&[keys::P_NODE], Some(&from), after.as_deref()) {
            let (k, v) = item?;
            let base = keys::block_base(&k, keys::NODE_SHIFT)
                .ok_or_else(|| self.corrupt("malformed block key"))?;
            out.extend(
                block_entries(&v)
                    .map(|(s, _)| base + u64::from(s))
                    .filter(|id| span.contains(id)),
            );
        }
        Ok(out)
    }

    /// Type ids for a filter; `None` = any type. Unknown names are simply absent.
    pub(super) fn type_filter(&self, types: &[&str]) -> Option<Vec<u32>> {
        if types.is_empty() {
            return None;
        }
        Some(
            types
                .iter()
                .filter_map(|t| self.cat_id(KIND_TYPE, t))
                .collect(),
        )
    }

    /// Edges of `node` as (type id, Edge), unsorted.
    fn raw_edges(
        &self,
        node: NodeId,
        direction: Direction,
        types: &[&str],
    ) -> Result<Vec<(u32, Edge)>> {
        let filter = self.type_filter(types);
        let mut out = Vec::new();
        let mut pairs = Vec::new();
        self.with_sections(node, direction, |section| {
            section_edges(
                self,
                section,
                node,
                direction,
                filter.as_deref(),
                &mut pairs,
                &mut out,
            )
        })?;
        Ok(out)
    }

    /// The label an index is declared on; empty for an index over every node.
    pub(crate) fn index_label_name(&self, label: u32) -> Result<String> {
        if label == super::engine::ANY_LABEL {
            Ok(String::new())
        } else {
            self.cat_name(KIND_LABEL, label)
        }
    }

    fn find_index(&self, label: &str, property: &str) -> Option<super::engine::IndexMeta> {
        let l = if label.is_empty() {
            super::engine::ANY_LABEL
        } else {
            self.cat_id(KIND_LABEL, label)?
        };
        let k = self.cat_id(KIND_KEY, property)?;
        self.index_metas()
            .iter()
            .find(|i| i.label == l && i.key == k)
            .cloned()
    }

    /// Node ids in index `index` whose value equals `value` in Cypher's sense.
    pub(crate) fn index_nodes(&self, index: u32, value: &Value) -> Result<Vec<NodeId>> {
        let mut prefix = Vec::new();
        if index_key_prefix(&mut prefix, value).is_none() {
            return Ok(Vec::new());
        }
        // Deltas first (see `index_delta.rs`: a fold moves entries from deltas to buckets).
        let deltas = self.index_deltas(index, &prefix, &|vk| vk.starts_with(&prefix))?;
        // The count is read again after the bucket: a commit that regrew the index between
        // the two reads (see `Txn::commit`) makes the lookup start over.
        let bucket = loop {
            let buckets = self.index_buckets(index);
            let bucket = self.bucket_get(&keys::index_bucket(index, buckets, &prefix))?;
            if self.index_buckets(index) == buckets {
                break bucket;
            }
        };
        let mut full = Vec::new();
        index_key(&mut full, value);
        let tail = &full[prefix.len()..];
        let matches = |k: &[u8]| {
            k.strip_prefix(prefix.as_slice())
                .is_some_and(|rest| rest.is_empty() || numeric_tails_equal(tail, rest))
        };
        // Entries ascend (`kg check` verifies it), so the keys with the prefix are one run and
        // the walk ends at the first key past it: half a bucket on average, not all of it.
        let bucket = bucket.as_deref().unwrap_or_default();
        let run = bucket_entries(bucket)
            .skip_while(|(k, _)| *k < prefix.as_slice())
            .take_while(|(k, _)| k.starts_with(&prefix));
        let mut out: Vec<NodeId> = merge_deltas(run, &deltas)
            .filter(|(k, _)| matches(k))
            .map(|(_, n)| n)
            .collect();
        out.sort_unstable();
        out.dedup();
        Ok(out)
    }

    fn sorted_names(&self, kind: u8) -> Vec<String> {
        let mut v: Vec<String> = self.cat_all(kind).into_iter().map(|(_, n)| n).collect();
        v.sort();
        v
    }

    fn counters(&self, kind: u8) -> Result<Vec<(String, u64)>> {
        let mut out = Vec::new();
        for (id, name) in self.cat_all(kind) {
            let n = self.get_u64(&keys::counter(kind, id))?;
            if n > 0 {
                out.push((name, n));
            }
        }
        out.sort();
        Ok(out)
    }
}

impl GraphRead for Txn {
    fn has_uncommitted_writes(&self) -> bool {
        self.is_dirty()
    }

    fn as_sync(&self) -> Option<&(dyn GraphRead + Sync)> {
        // Reads take `&self`; the block cache they fill sits behind a mutex.
        Some(self)
    }

    fn fork(&self) -> Option<Box<dyn GraphRead>> {
        self.reader().map(|t| Box::new(t) as Box<dyn GraphRead>)
    }

    fn node(&self, id: NodeId) -> Result<Option<Node>> {
        let Some(rec) = self.node_record(id)? else {
            return Ok(None);
        };
        let labels = rec
            .labels
            .iter()
            .map(|l| self.cat_name(KIND_LABEL, *l))
            .collect::<Result<_>>()?;
        Ok(Some(Node {
            id,
            labels,
            properties: self.props_to_model(&rec.props)?,
        }))
    }

    fn relationship(&self, id: RelId) -> Result<Option<Relationship>> {
        let Some(rec) = self.rel_record(id)? else {
            return Ok(None);
        };
        Ok(Some(Relationship {
            id,
            rel_type: self.cat_name(KIND_TYPE, rec.rel_type)?,
            start: rec.start,
            end: rec.end,
            properties: self.props_to_model(&rec.props)?,
        }))
    }

    fn node_property(&self, id: NodeId, key: &str) -> Result<Option<Value>> {
        let Some(k) = self.cat_id(KIND_KEY, key) else {
            return Ok(None);
        };
        match self.node_bytes(id)? {
            None => Ok(None),
            Some(b) => NodeRecord::decode_property(&b, k)
                .ok_or_else(|| self.corrupt(&format!("node {id} record"))),
        }
    }

    fn relationship_property(&self, id: RelId, key: &str) -> Result<Option<Value>> {
        let Some(k) = self.cat_id(KIND_KEY, key) else {
            return Ok(None);
        };
        match self.rel_bytes(id)? {
            None => Ok(None),
            Some(b) => RelRecord::decode_property(&b, k)
                .ok_or_else(|| self.corrupt(&format!("relationship {id} record"))),
        }
    }

    fn relationship_properties(
        &self,
        rels: &[RelId],
        key: &str,
        out: &mut Vec<Option<Value>>,
    ) -> Result<()> {
        let Some(k) = self.cat_id(KIND_KEY, key) else {
            out.extend(rels.iter().map(|_| None));
            return Ok(());
        };
        // Relationships asked for in id order (a node's of one type were usually created
        // together, as were the next node's) walk each block once.
        let mut held = Held::default();
        for &rel in rels {
            let key = || keys::rel_block(rel);
            let entry = held.entry(self, rel >> keys::REL_SHIFT, key, keys::rel_slot(rel))?;
            out.push(match entry {
                None => None,
                Some(bytes) => RelRecord::decode_property(bytes, k)
                    .ok_or_else(|| self.corrupt(&format!("relationship {rel} record")))?,
            });
        }
        Ok(())
    }

    fn node_properties(
        &self,
        nodes: &[NodeId],
        key: &str,
        out: &mut Vec<Option<Value>>,
    ) -> Result<()> {
        let Some(k) = self.cat_id(KIND_KEY, key) else {
            out.extend(nodes.iter().map(|_| None));
            return Ok(());
        };
        // Nodes asked for in id order (a scan's) walk each block once.
        let mut held = Held::default();
        for &node in nodes {
            let key = || keys::node_block(node);
            let entry = held.entry(self, node >> keys::NODE_SHIFT, key, keys::node_slot(node))?;
            out.push(match entry {
                None => None,
                Some(bytes) => NodeRecord::decode_property(bytes, k)
                    .ok_or_else(|| self.corrupt(&format!("node {node} record")))?,
            });
        }
        Ok(())
    }

    fn label_set<'a>(&'a self, label: &str) -> Result<Box<dyn super::LabelSet + 'a>> {
        Ok(Box::new(super::label_set::Bitmaps::new(self, label)))
    }

    fn label_set_held<'a>(
        &'a self,
        label: &str,
        held: &'a mut super::HeldBits,
    ) -> Result<Box<dyn super::LabelSet + 'a>> {
        Ok(Box::new(super::label_set::Bitmaps::lent(self, label, held)))
    }

    fn node_exists(&self, id: NodeId) -> Result<bool> {
        Ok(self.node_bytes(id)?.is_some())
    }

    fn node_has_label(&self, id: NodeId, label: &str) -> Result<bool> {
        let Some(l) = self.cat_id(KIND_LABEL, label) else {
            return Ok(false);
        };
        // The bitmaps hold the same facts as the records (`kg check` verifies it; deleting a
        // node clears its bits) and stay in cache where records would be random reads.
        self.label_bit(l, id)
    }

    fn node_ids(&self) -> Result<Ids<'_>> {
        Ok(self.block_ids(keys::P_NODE, keys::NODE_SHIFT))
    }

    fn node_ids_in(&self, span: std::ops::Range<NodeId>) -> Result<Vec<NodeId>> {
        self.node_ids_in_span(span)
    }

    fn node_id_bound(&self) -> Result<NodeId> {
        // The id sequence: `kg check` verifies it is above every node id.
        self.get_u64(keys::META_NEXT_NODE)
    }

    fn nodes_with_label(&self, label: &str) -> Result<Ids<'_>> {
        let Some(l) = self.cat_id(KIND_LABEL, label) else {
            return Ok(Box::new(std::iter::empty()));
        };
        Ok(Box::new(self.kv_scan(&keys::label_prefix(l)).flat_map(
            move |item| {
                let ids: Vec<Result<u64>> = match item {
                    Err(e) => vec![Err(e)],
                    Ok((k, v)) => match keys::parse_label_bitmap(&k) {
                        None => vec![Err(self.corrupt("malformed label key"))],
                        Some((_, base)) => bitmap_ids(base, &v).map(Ok).collect(),
                    },
                };
                ids
            },
        )))
    }

    fn nodes_with_label_where(
        &self,
        label: &str,
        key: &str,
        keep: &mut dyn FnMut(&Value) -> Result<bool>,
    ) -> Result<Vec<NodeId>> {
        Txn::nodes_with_label_where(self, label, key, keep)
    }

    fn label_where_piece(
        &self,
        label: &str,
        key: &str,
        carry: &[String],
        span: std::ops::Range<NodeId>,
        keep: &mut dyn FnMut(&Value) -> Result<bool>,
        piece: &mut super::WherePiece,
    ) -> Result<Option<NodeId>> {
        Txn::label_where_piece(self, label, key, carry, span, keep, piece)
    }

    fn relationship_ids(&self) -> Result<Ids<'_>> {
        Ok(self.block_ids(keys::P_REL, keys::REL_SHIFT))
    }

    fn relationship_type_piece(
        &self,
        types: &[&str],
        from: RelId,
        to: Option<RelId>,
        test: Option<super::RelTest<'_>>,
        piece: &mut super::RelPiece,
    ) -> Result<Option<RelId>> {
        self.rel_type_piece(types, from, to, test, piece)
    }

    fn edges(&self, node: NodeId, direction: Direction, types: &[&str]) -> Result<Vec<Edge>> {
        let mut raw = self.raw_edges(node, direction, types)?;
        raw.sort_by_key(|(t, e)| (*t, e.rel));
        Ok(raw.into_iter().map(|(_, e)| e).collect())
    }

    fn edges_each(
        &self,
        nodes: &[NodeId],
        direction: Direction,
        types: &[&str],
        f: &mut dyn FnMut(usize, &[Edge]) -> Result<()>,
    ) -> Result<()> {
        Txn::edges_each(self, nodes, direction, types, f)
    }

    fn neighbours(
        &self,
        node: NodeId,
        direction: Direction,
        types: &[&str],
        out: &mut Vec<NodeId>,
    ) -> Result<()> {
        let filter = self.type_filter(types);
        self.with_sections(node, direction, |section| {
            for h in adj_headers(section) {
                if filter.as_ref().is_some_and(|f| !f.contains(&h.rel_type)) {
                    continue;
                }
                // A self-loop sits in both lists; report it once when both are wanted.
                let skip_self = direction == Direction::Both && h.incoming;
                adj_others(&section[h.start..h.end], h.count, |other| {
                    if !(skip_self && other == node) {
                        out.push(other);
                    }
                })
                .ok_or_else(|| self.corrupt(&format!("adjacency of node {node}")))?;
            }
            Ok(())
        })
    }

    fn degree(&self, node: NodeId, direction: Direction, types: &[&str]) -> Result<u64> {
        if direction == Direction::Both {
            return Ok(self.raw_edges(node, direction, types)?.len() as u64);
        }
        let filter = self.type_filter(types);
        let incoming = direction == Direction::Incoming;
        if filter.is_none() {
            // The compact degree block: a few bytes per node, so far fewer page reads.
            let slot = keys::node_slot(node);
            let Some(entry) = self.block_entry(&keys::degree_block(node), slot)? else {
                return Ok(0);
            };
            let (out, inc) = degree_totals(&entry)
                .ok_or_else(|| self.corrupt(&format!("degree of node {node}")))?;
            return Ok(if incoming { inc } else { out });
        }
        let mut d = 0;
        self.for_each_piece(node, incoming, |section| {
            d += adj_headers(section)
                .filter(|h| h.incoming == incoming)
                .filter(|h| filter.as_ref().is_none_or(|f| f.contains(&h.rel_type)))
                .map(|h| h.count)
                .sum::<u64>();
            Ok(())
        })?;
        Ok(d)
    }

    fn for_each_degree(
        &self,
        label: Option<&str>,
        direction: Direction,
        types: &[&str],
        keys: &[&str],
        f: &mut super::DegreeVisitor<'_>,
    ) -> Result<()> {
        self.scan_degrees(label, direction, types, keys, f)
    }

    fn count_nodes(&self, label: Option<&str>) -> Result<u64> {
        self.label_count(label)
    }

    fn index_lookup(
        &self,
        label: &str,
        property: &str,
        value: &Value,
    ) -> Result<Option<Vec<NodeId>>> {
        match self.find_index(label, property) {
            None => Ok(None),
            Some(ix) => self.index_nodes(ix.id, value).map(Some),
        }
    }

    fn index_scan(
        &self,
        label: &str,
        property: &str,
        scan: &IndexScan,
    ) -> Result<Option<Vec<NodeId>>> {
        let Some(ix) = self.find_index(label, property) else {
            return Ok(None);
        };
        // Substring tests decode each string key; the others are one key range.
        let (range, text): (KeyRange, Option<(&str, bool)>) = match scan {
            IndexScan::Range { lower, upper } => {
                match index_range(lower.as_ref(), upper.as_ref()) {
                    Some(r) => (r, None),
                    None => return Ok(None),
                }
            }
            IndexScan::Prefix(p) => (index_prefix_range(p), None),
            IndexScan::Contains(t) => (index_string_range(), Some((t.as_str(), false))),
            IndexScan::Suffix(t) => (index_string_range(), Some((t.as_str(), true))),
        };
        let mut out = Vec::new();
        self.page_scan(ix.id, &range, &mut |key, node| {
            if let Some((text, suffix)) = text {
                let Some(s) = index_key_string(key) else {
                    return Err(self.corrupt("index page entry of a string"));
                };
                let hit = if suffix {
                    s.ends_with(text)
                } else {
                    s.contains(text)
                };
                if !hit {
                    return Ok(true);
                }
            }
            out.push(node);
            Ok(true)
        })?;
        Ok(Some(out))
    }

    fn indexes(&self) -> Result<Vec<IndexDef>> {
        let mut out = self
            .index_metas()
            .iter()
            .map(|i| {
                Ok(IndexDef {
                    name: i.name.clone(),
                    label: self.index_label_name(i.label)?,
                    property: self.cat_name(KIND_KEY, i.key)?,
                    unique: i.unique,
                    kind: i.kind,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        out.sort_by(|a, b| a.name.cmp(&b.name));
        Ok(out)
    }

    fn constraints(&self) -> Result<Vec<super::ConstraintDef>> {
        self.all_constraints()
    }

    fn labels(&self) -> Result<Vec<String>> {
        Ok(self.sorted_names(KIND_LABEL))
    }

    fn relationship_types(&self) -> Result<Vec<String>> {
        Ok(self.sorted_names(KIND_TYPE))
    }

    fn property_keys(&self) -> Result<Vec<String>> {
        Ok(self.sorted_names(KIND_KEY))
    }

    fn node_count(&self) -> Result<u64> {
        self.get_u64(keys::META_NODE_COUNT)
    }

    fn relationship_count(&self) -> Result<u64> {
        self.get_u64(keys::META_REL_COUNT)
    }

    fn stats(&self) -> Result<GraphStats> {
        Ok(GraphStats {
            nodes: self.node_count()?,
            relationships: self.relationship_count()?,
            labels: self.counters(KIND_LABEL)?,
            relationship_types: self.counters(KIND_TYPE)?,
            property_keys: self.property_keys()?,
            indexes: self.indexes()?,
            constraints: self.constraints()?,
        })
    }
}
