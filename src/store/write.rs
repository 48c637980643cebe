//! `GraphWrite` for transactions: every change updates records, adjacency, label bitmaps,
//! property indexes (through `index_write.rs`, with unique checks) and counters together in
//! the overlay.

use crate::error::{ErrorClass, Phase, QueryError, Result};
use crate::model::{Direction, NodeId, Properties, RelId, Relationship};
use crate::value::Value;

use super::codec::encode_value;
use super::keys::{self, KIND_KEY, KIND_LABEL, KIND_TYPE};
use super::layout::{empty_bitmap, set_label_bit};
use super::record_patch;
use super::records::{NodeRecord, RelRecord};
use super::txn::{entity_not_found, Txn};
use super::{GraphRead, GraphWrite, IndexDef};

impl Txn {
    fn put_node_record(&mut self, id: NodeId, rec: Option<&NodeRecord>) -> Result<()> {
        let bytes = rec.map(NodeRecord::encode).transpose()?;
        self.put_block_entry(keys::node_block(id), keys::node_slot(id), bytes.as_deref())
    }

    fn put_rel_record(&mut self, id: RelId, rec: Option<&RelRecord>) -> Result<()> {
        let bytes = rec.map(RelRecord::encode).transpose()?;
        self.put_block_entry(keys::rel_block(id), keys::rel_slot(id), bytes.as_deref())
    }

    fn set_label_bit(&mut self, label: u32, node: NodeId, on: bool) -> Result<()> {
        let key = keys::label_bitmap(label, node);
        let mut bits = self
            .kv_get(&key)?
            .map(|b| b.to_vec())
            .unwrap_or_else(empty_bitmap);
        if set_label_bit(&mut bits, node, on).is_none() {
            return Err(self.corrupt("label bitmap size"));
        }
        let empty = bits.iter().all(|b| *b == 0);
        self.kv_put(key, (!empty).then_some(bits));
        Ok(())
    }

    fn storable(props: Properties) -> Result<Vec<(String, Value)>> {
        let mut out = Vec::with_capacity(props.len());
        for (k, v) in props {
            if v.is_null() {
                continue;
            }
            encode_value(&mut Vec::new(), &v)?;
            out.push((k, v));
        }
        Ok(out)
    }

    fn intern_props(&mut self, props: Properties) -> Result<Vec<(u32, Value)>> {
        let mut out = Vec::new();
        for (k, v) in Self::storable(props)? {
            out.push((self.cat_intern(KIND_KEY, &k)?, v));
        }
        out.sort_by_key(|(k, _)| *k);
        Ok(out)
    }

    fn require_node(&self, id: NodeId) -> Result<NodeRecord> {
        self.node_record(id)?
            .ok_or_else(|| entity_not_found(&format!("node {id} does not exist")).into())
    }

    fn require_rel(&self, id: RelId) -> Result<RelRecord> {
        self.rel_record(id)?
            .ok_or_else(|| entity_not_found(&format!("relationship {id} does not exist")).into())
    }

    fn set_node_prop_id(&mut self, id: NodeId, key: u32, value: Value) -> Result<bool> {
        let bytes = self
            .node_bytes(id)?
            .ok_or_else(|| entity_not_found(&format!("node {id} does not exist")))?;
        // The one value changed in the encoded record: no decode and encode of the others.
        let Some(at) = record_patch::property_at(&bytes, key) else {
            return self.set_node_prop_decoded(id, key, value);
        };
        if at.old.as_ref() == Some(&value) || (at.old.is_none() && value.is_null()) {
            return Ok(false);
        }
        encode_value(&mut Vec::new(), &value)?;
        for ix in self.covering(&at.labels, Some(key), true) {
            if let Some(o) = &at.old {
                self.index_entry(&ix, id, o, false)?;
            }
            if !value.is_null() {
                self.index_entry(&ix, id, &value, true)?;
            }
        }
        let new = record_patch::with_property(&bytes, &at, key, &value)?;
        drop(bytes);
        self.put_block_entry(keys::node_block(id), keys::node_slot(id), Some(&new))?;
        self.note_node(id)?;
        Ok(true)
    }

    /// [`Txn::set_node_prop_id`] through the decoded record (a record whose keys do not
    /// ascend, or a malformed one, which `require_node` reports).
    fn set_node_prop_decoded(&mut self, id: NodeId, key: u32, value: Value) -> Result<bool> {
        let mut rec = self.require_node(id)?;
        let pos = rec.props.iter().position(|(k, _)| *k == key);
        let old = pos.map(|p| rec.props[p].1.clone());
        if old.as_ref() == Some(&value) || (old.is_none() && value.is_null()) {
            return Ok(false);
        }
        encode_value(&mut Vec::new(), &value)?;
        for ix in self.covering(&rec.labels, Some(key), true) {
            if let Some(o) = &old {
                self.index_entry(&ix, id, o, false)?;
            }
            if !value.is_null() {
                self.index_entry(&ix, id, &value, true)?;
            }
        }
        match (pos, value.is_null()) {
            (Some(p), true) => {
                rec.props.remove(p);
            }
            (Some(p), false) => rec.props[p].1 = value,
            (None, _) => {
                rec.props.push((key, value));
                rec.props.sort_by_key(|(k, _)| *k);
            }
        }
        self.put_node_record(id, Some(&rec))?;
        self.note_node(id)?;
        Ok(true)
    }

    fn set_rel_prop_id(&mut self, id: RelId, key: u32, value: Value) -> Result<bool> {
        let mut rec = self.require_rel(id)?;
        let pos = rec.props.iter().position(|(k, _)| *k == key);
        let old = pos.map(|p| &rec.props[p].1);
        if old == Some(&value) || (old.is_none() && value.is_null()) {
            return Ok(false);
        }
        encode_value(&mut Vec::new(), &value)?;
        match (pos, value.is_null()) {
            (Some(p), true) => {
                rec.props.remove(p);
            }
            (Some(p), false) => rec.props[p].1 = value,
            (None, _) => {
                rec.props.push((key, value));
                rec.props.sort_by_key(|(k, _)| *k);
            }
        }
        self.put_rel_record(id, Some(&rec))?;
        self.note_rel(id)?;
        Ok(true)
    }
}
impl GraphWrite for Txn {
    fn begin_batch(&mut self) -> super::Checkpoint {
        self.checkpoint()
    }

    fn rollback_batch(&mut self, cp: super::Checkpoint) {
        self.restore(cp)
    }

    fn commit_batch(&mut self) -> Result<()> {
        Txn::commit_batch(self)
    }

    fn create_node(&mut self, labels: &[String], properties: Properties) -> Result<NodeId> {
        self.write_access()?;
        let props = self.intern_props(properties)?;
        let mut label_ids: Vec<u32> = Vec::with_capacity(labels.len());
        for l in labels {
            let id = self.cat_intern(KIND_LABEL, l)?;
            if !label_ids.contains(&id) {
                label_ids.push(id);
            }
        }
        let id = self.next_id(keys::META_NEXT_NODE)?;
        for ix in self.covering(&label_ids, None, true) {
            if let Some((_, v)) = props.iter().find(|(k, _)| *k == ix.key) {
                self.index_entry(&ix, id, v, true)?;
            }
        }
        for l in &label_ids {
            self.set_label_bit(*l, id, true)?;
            self.add_counter(&keys::counter(KIND_LABEL, *l), 1)?;
        }
        self.add_counter(keys::META_NODE_COUNT, 1)?;
        let rec = NodeRecord {
            labels: label_ids,
            props,
        };
        self.put_node_record(id, Some(&rec))?;
        self.note_node(id)?;
        Ok(id)
    }

    fn create_relationship(
        &mut self,
        rel_type: &str,
        start: NodeId,
        end: NodeId,
        properties: Properties,
    ) -> Result<RelId> {
        self.write_access()?;
        for n in [start, end] {
            if self.node_bytes(n)?.is_none() {
                return Err(entity_not_found(&format!("node {n} does not exist")).into());
            }
        }
        let props = self.intern_props(properties)?;
        let t = self.cat_intern(KIND_TYPE, rel_type)?;
        let id = self.next_id(keys::META_NEXT_REL)?;
        let rec = RelRecord {
            rel_type: t,
            start,
            end,
            props,
        };
        self.put_rel_record(id, Some(&rec))?;
        // Appends cost the same at any degree (`adjacency.rs`).
        self.append_edge(start, false, t, id, end)?;
        self.append_edge(end, true, t, id, start)?;
        self.add_counter(&keys::counter(KIND_TYPE, t), 1)?;
        self.add_counter(keys::META_REL_COUNT, 1)?;
        self.note_rel(id)?;
        Ok(id)
    }

    fn set_node_property(&mut self, id: NodeId, key: &str, value: Value) -> Result<bool> {
        self.write_access()?;
        if value.is_null() && self.cat_id(KIND_KEY, key).is_none() {
            self.require_node(id)?;
            return Ok(false);
        }
        let k = self.cat_intern(KIND_KEY, key)?;
        self.set_node_prop_id(id, k, value)
    }

    fn set_relationship_property(&mut self, id: RelId, key: &str, value: Value) -> Result<bool> {
        self.write_access()?;
        if value.is_null() && self.cat_id(KIND_KEY, key).is_none() {
            self.require_rel(id)?;
            return Ok(false);
        }
        let k = self.cat_intern(KIND_KEY, key)?;
        self.set_rel_prop_id(id, k, value)
    }

    fn replace_node_properties(&mut self, id: NodeId, properties: Properties) -> Result<()> {
        self.write_access()?;
        let new = self.intern_props(properties)?;
        let old = self.require_node(id)?.props;
        for (k, _) in &old {
            if !new.iter().any(|(n, _)| n == k) {
                self.set_node_prop_id(id, *k, Value::Null)?;
            }
        }
        for (k, v) in new {
            self.set_node_prop_id(id, k, v)?;
        }
        Ok(())
    }

    fn replace_relationship_properties(&mut self, id: RelId, properties: Properties) -> Result<()> {
        self.write_access()?;
        let new = self.intern_props(properties)?;
        let mut rec = self.require_rel(id)?;
        rec.props = new;
        self.put_rel_record(id, Some(&rec))?;
        self.note_rel(id)
    }

    fn add_label(&mut self, id: NodeId, label: &str) -> Result<bool> {
        self.write_access()?;
        let mut rec = self.require_node(id)?;
        let l = self.cat_intern(KIND_LABEL, label)?;
        if rec.labels.contains(&l) {
            return Ok(false);
        }
        for ix in self.covering(&[l], None, false) {
            if let Some((_, v)) = rec.props.iter().find(|(k, _)| *k == ix.key) {
                self.index_entry(&ix, id, v, true)?;
            }
        }
        rec.labels.push(l);
        self.set_label_bit(l, id, true)?;
        self.add_counter(&keys::counter(KIND_LABEL, l), 1)?;
        self.put_node_record(id, Some(&rec))?;
        self.note_node(id)?;
        Ok(true)
    }

    fn remove_label(&mut self, id: NodeId, label: &str) -> Result<bool> {
        self.write_access()?;
        let mut rec = self.require_node(id)?;
        let Some(l) = self.cat_id(KIND_LABEL, label) else {
            return Ok(false);
        };
        let Some(pos) = rec.labels.iter().position(|x| *x == l) else {
            return Ok(false);
        };
        for ix in self.covering(&[l], None, false) {
            if let Some((_, v)) = rec.props.iter().find(|(k, _)| *k == ix.key) {
                self.index_entry(&ix, id, v, false)?;
            }
        }
        rec.labels.remove(pos);
        self.set_label_bit(l, id, false)?;
        self.add_counter(&keys::counter(KIND_LABEL, l), -1)?;
        self.put_node_record(id, Some(&rec))?;
        Ok(true)
    }

    fn delete_node(&mut self, id: NodeId) -> Result<bool> {
        self.write_access()?;
        let Some(rec) = self.node_record(id)? else {
            return Ok(false);
        };
        let degree = self.degree(id, Direction::Both, &[])?;
        if degree > 0 {
            return Err(QueryError::new(
                ErrorClass::ConstraintVerificationFailed,
                "DeleteConnectedNode",
                Phase::Runtime,
                format!(
                    "cannot delete node {id}: it still has {degree} relationship(s); use DETACH DELETE"
                ),
            )
            .into());
        }
        for ix in self.covering(&rec.labels, None, true) {
            if let Some((_, v)) = rec.props.iter().find(|(k, _)| *k == ix.key) {
                self.index_entry(&ix, id, v, false)?;
            }
        }
        for l in &rec.labels {
            self.set_label_bit(*l, id, false)?;
            self.add_counter(&keys::counter(KIND_LABEL, *l), -1)?;
        }
        self.add_counter(keys::META_NODE_COUNT, -1)?;
        for incoming in [false, true] {
            self.put_block_entry(keys::adj_block(id, incoming), keys::node_slot(id), None)?;
        }
        self.put_node_record(id, None)?;
        Ok(true)
    }

    fn delete_relationship(&mut self, id: RelId) -> Result<bool> {
        self.write_access()?;
        let Some(rec) = self.rel_record(id)? else {
            return Ok(false);
        };
        self.remove_edge(rec.start, false, rec.rel_type, id)?;
        self.remove_edge(rec.end, true, rec.rel_type, id)?;
        self.add_counter(&keys::counter(KIND_TYPE, rec.rel_type), -1)?;
        self.add_counter(keys::META_REL_COUNT, -1)?;
        self.put_rel_record(id, None)?;
        Ok(true)
    }

    fn delete_relationships(&mut self, ids: &[RelId]) -> Result<Vec<Relationship>> {
        self.delete_rels_grouped(ids)
    }

    fn create_index(&mut self, def: IndexDef, if_not_exists: bool) -> Result<()> {
        self.create_index_expecting(def, if_not_exists, 0)
    }

    fn drop_index(&mut self, name: &str, if_exists: bool) -> Result<()> {
        self.drop_index_named(name, if_exists)
    }
}
