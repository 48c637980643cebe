//! Deleting many relationships at once (`GraphWrite::delete_relationships`): each end's
//! adjacency list is walked and rewritten once for all of its deleted relationships.
//!
//! Why: one `DELETE r` over many rows removed each relationship on its own, and a node with
//! many of them (a hub: at the bench's M graph a company with 12,440 incoming `INVESTED_IN`,
//! in one chunk of ≈ 40 KB after compaction) had its list found, walked to the entry and
//! copied twice once per deleted relationship. Here the removals are sorted by (direction,
//! node, type, id) and each (node, direction) takes them all in one pass, its degree entry
//! changed once. What is written is byte for byte what the deletes one at a time write
//! (`tests/rel_delete.rs`, and the unit test below against `records::section_remove`).

use std::collections::BTreeMap;

use crate::error::Result;
use crate::model::{NodeId, Properties, RelId, Relationship};

use super::adjacency::{stub, stub_parts};
use super::codec::{get_varint, put_varint};
use super::keys::{self, KIND_TYPE};
use super::records::{decode_section, encode_section, section_totals, RelRecord};
use super::txn::Txn;

/// One end of a deleted relationship: (incoming, node, type, relationship id), in the order
/// the removals are applied (adjacency blocks in key order, each list's ids ascending).
type Removal = (bool, NodeId, u32, u64);

impl Txn {
    /// [`super::GraphWrite::delete_relationships`]: the records (only their heads read), then
    /// the adjacency lists grouped per (node, direction), then the counters once per type.
    pub(crate) fn delete_rels_grouped(&mut self, ids: &[RelId]) -> Result<Vec<Relationship>> {
        self.write_access()?;
        let mut ids = ids.to_vec();
        ids.sort_unstable();
        ids.dedup();
        let mut removals: Vec<Removal> = Vec::with_capacity(ids.len() * 2);
        let mut per_type: BTreeMap<u32, i64> = BTreeMap::new();
        let mut deleted = Vec::with_capacity(ids.len());
        for &id in &ids {
            let Some(bytes) = self.rel_bytes(id)? else {
                continue;
            };
            let corrupt = || self.corrupt(&format!("relationship {id} record"));
            let (rel_type, start, end, _) = RelRecord::head(&bytes).ok_or_else(corrupt)?;
            drop(bytes);
            removals.push((false, start, rel_type, id));
            removals.push((true, end, rel_type, id));
            *per_type.entry(rel_type).or_default() += 1;
            deleted.push(Relationship {
                id,
                rel_type: self.cat_name(KIND_TYPE, rel_type)?,
                start,
                end,
                properties: Properties::new(),
            });
            self.put_block_entry(keys::rel_block(id), keys::rel_slot(id), None)?;
        }
        removals.sort_unstable();
        for group in removals.chunk_by(|a, b| (a.0, a.1) == (b.0, b.1)) {
            let (incoming, node) = (group[0].0, group[0].1);
            let rels: Vec<(u32, u64)> = group.iter().map(|r| (r.2, r.3)).collect();
            self.remove_edges(node, incoming, &rels)?;
        }
        for (rel_type, n) in per_type {
            self.add_counter(&keys::counter(KIND_TYPE, rel_type), -n)?;
        }
        if !deleted.is_empty() {
            self.add_counter(keys::META_REL_COUNT, -(deleted.len() as i64))?;
        }
        Ok(deleted)
    }

    /// Removes the relationships `rels` ((type, id), sorted) from `node`'s lists of one
    /// direction and its degree entry, as [`Txn::remove_edge`] does for each, with the section
    /// (or each chunk of a spilled one) rewritten once.
    fn remove_edges(&mut self, node: NodeId, incoming: bool, rels: &[(u32, u64)]) -> Result<()> {
        let bad = |t: &Txn| t.corrupt(&format!("adjacency of node {node}"));
        let block_key = keys::adj_block(node, incoming);
        let slot = keys::node_slot(node);
        let Some(section) = self.block_entry(&block_key, slot)? else {
            return Ok(());
        };
        let section: &[u8] = &section;
        let (value, removed) = match stub_parts(section, incoming) {
            None => match without(section, incoming, rels).ok_or_else(|| bad(self))? {
                (_, 0) => return Ok(()),
                (rest, n) => ((!rest.is_empty()).then_some(rest), n),
            },
            Some((total, chunks)) => {
                let mut changed = Vec::new();
                let mut removed = 0;
                for item in self.kv_scan(&keys::chunk_prefix(node, incoming)) {
                    let (k, v) = item?;
                    let (rest, n) = without(&v, incoming, rels).ok_or_else(|| bad(self))?;
                    if n > 0 {
                        changed.push((k, (!rest.is_empty()).then_some(rest)));
                        removed += n;
                        if removed == rels.len() as u64 {
                            break;
                        }
                    }
                }
                if removed == 0 {
                    return Ok(());
                }
                for (k, v) in changed {
                    self.kv_put(k, v);
                }
                match total.saturating_sub(removed) {
                    0 => {
                        self.drop_chunks(node, incoming)?;
                        (None, removed)
                    }
                    left => (Some(stub(incoming, left, chunks)), removed),
                }
            }
        };
        self.put_block_entry(block_key, slot, value.as_deref())?;
        self.add_degree(node, incoming, -(removed as i64))
    }
}

/// `section` without the relationships `rels` ((type, id), sorted) in its lists of direction
/// `incoming`, and how many it held; a malformed section is decoded (`None`: not even that).
fn without(section: &[u8], incoming: bool, rels: &[(u32, u64)]) -> Option<(Vec<u8>, u64)> {
    let mut current: Option<Vec<u8>> = None;
    let mut removed = 0;
    for group in rels.chunk_by(|a, b| a.0 == b.0) {
        let ids: Vec<u64> = group.iter().map(|r| r.1).collect();
        let bytes = current.as_deref().unwrap_or(section);
        let (rest, n) = match section_remove_all(bytes, group[0].0, incoming, &ids) {
            Some(done) => done,
            None => remove_decoded(bytes, group[0].0, incoming, &ids)?,
        };
        if n > 0 {
            removed += n;
            current = Some(rest);
        }
    }
    Some((current.unwrap_or_else(|| section.to_vec()), removed))
}

/// The decoding fallback of [`without`] for one list.
fn remove_decoded(
    section: &[u8],
    rel_type: u32,
    incoming: bool,
    ids: &[u64],
) -> Option<(Vec<u8>, u64)> {
    let mut lists = decode_section(section)?;
    let mut removed = 0;
    for l in lists
        .iter_mut()
        .filter(|l| l.rel_type == rel_type && l.incoming == incoming)
    {
        let before = l.edges.len();
        l.edges.retain(|(r, _)| ids.binary_search(r).is_err());
        removed += (before - l.edges.len()) as u64;
    }
    Some((encode_section(&mut lists), removed))
}

/// `section` without the relationships `ids` (ascending) in its list of (`rel_type`,
/// `incoming`), and how many of them the list held (0: the section unchanged, returned as it
/// is); the new section is empty when nothing is left. Byte for byte what removing them one by
/// one with `records::section_remove` gives, in one walk of the list. `None` when the section
/// is malformed where it is walked (the caller decodes).
pub(crate) fn section_remove_all(
    section: &[u8],
    rel_type: u32,
    incoming: bool,
    ids: &[u64],
) -> Option<(Vec<u8>, u64)> {
    let (out_total, in_total, lists_start) = section_totals(section)?;
    let td = u64::from(rel_type) * 2 + u64::from(incoming);
    let mut pos = lists_start;
    let (header, count, start, end) = loop {
        if pos >= section.len() {
            return Some((section.to_vec(), 0));
        }
        let header = pos;
        let t = get_varint(section, &mut pos)?;
        let count = get_varint(section, &mut pos)?;
        let len = usize::try_from(get_varint(section, &mut pos)?).ok()?;
        let end = pos.checked_add(len).filter(|e| *e <= section.len())?;
        match t.cmp(&td) {
            std::cmp::Ordering::Equal => break (header, count, pos, end),
            std::cmp::Ordering::Greater => return Some((section.to_vec(), 0)),
            std::cmp::Ordering::Less => pos = end,
        }
    };
    let payload = &section[start..end];
    let mut new_payload = Vec::with_capacity(payload.len());
    // `last`: the id of the entry walked; `kept`: of the last entry kept (its successor's
    // delta is taken from it); the other end's varint is copied as it is.
    let (mut p, mut last, mut kept, mut next) = (0usize, 0u64, 0u64, 0usize);
    let mut removed = 0u64;
    for _ in 0..count {
        last = last.checked_add(get_varint(payload, &mut p)?)?;
        let other_at = p;
        get_varint(payload, &mut p)?;
        while next < ids.len() && ids[next] < last {
            next += 1;
        }
        if next < ids.len() && ids[next] == last {
            next += 1;
            removed += 1;
            continue;
        }
        put_varint(&mut new_payload, last - kept);
        new_payload.extend_from_slice(&payload[other_at..p]);
        kept = last;
        if removed == ids.len() as u64 {
            // Nothing more to take out: the rest of the list stays as it is.
            new_payload.extend_from_slice(&payload[p..]);
            break;
        }
    }
    if removed == 0 {
        return Some((section.to_vec(), 0));
    }
    let (out_total, in_total) = match incoming {
        true => (out_total, in_total.checked_sub(removed)?),
        false => (out_total.checked_sub(removed)?, in_total),
    };
    if out_total + in_total == 0 {
        return Some((Vec::new(), removed));
    }
    let mut out = Vec::with_capacity(section.len());
    put_varint(&mut out, out_total);
    put_varint(&mut out, in_total);
    out.extend_from_slice(&section[lists_start..header]);
    if count > removed {
        put_varint(&mut out, td);
        put_varint(&mut out, count - removed);
        put_varint(&mut out, new_payload.len() as u64);
        out.extend_from_slice(&new_payload);
    }
    out.extend_from_slice(&section[end..]);
    Some((out, removed))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::records::{random_lists, section_remove, AdjList};

    /// Every subset drawn of a random section's entries (with ids it does not hold mixed in),
    /// removed at once, gives the bytes of removing them one by one.
    #[test]
    fn section_remove_all_matches_one_at_a_time() {
        let mut x = 7u64;
        let mut next = move || {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            x >> 33
        };
        for round in 0..400 {
            let mut lists = random_lists(&mut next, round, 3, 4, 40, 100_000);
            if lists.is_empty() {
                continue;
            }
            let section = encode_section(&mut lists);
            let l = &lists[(next() % lists.len() as u64) as usize];
            let (t, incoming) = (l.rel_type, l.incoming);
            let mut ids: Vec<u64> = l
                .edges
                .iter()
                .map(|e| e.0)
                .filter(|_| next() % 3 != 0)
                .collect();
            let held = ids.len() as u64;
            ids.push(l.edges.last().map_or(1, |e| e.0 + 1));
            ids.sort_unstable();
            let mut one_by_one = section.clone();
            for &rel in &ids {
                if let Some(Some(s)) = section_remove(&one_by_one, t, incoming, rel) {
                    one_by_one = s;
                }
            }
            let at_once = section_remove_all(&section, t, incoming, &ids);
            assert_eq!(at_once, Some((one_by_one, held)), "round {round}");
        }
    }

    type Written = Vec<(Vec<u8>, Option<Vec<u8>>)>;

    /// What a transaction has written so far, every key.
    fn written(t: &Txn) -> Written {
        t.written(&[])
            .map(|(k, v)| (k.to_vec(), v.map(<[u8]>::to_vec)))
            .collect()
    }

    /// Deleting a set of relationships at once writes exactly the keys and bytes that deleting
    /// them one at a time writes (in another order, with repeats and ids that are not there):
    /// hubs spilled into many chunks (emptied chunks, an emptied hub), small sections, two
    /// types, self-loops; and the deleted relationships come back with their types and ends.
    #[test]
    fn at_once_writes_what_one_at_a_time_writes() {
        use crate::model::Properties;
        use crate::store::{GraphRead, GraphWrite, Store};
        let store = Store::open_temporary().unwrap();
        let mut rels: Vec<(u64, u64, u64)> = Vec::new();
        let mut x = 3u64;
        let mut next = move || {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            x >> 33
        };
        let mut t = store.begin();
        let nodes: Vec<u64> = (0..300)
            .map(|_| t.create_node(&["N".into()], Properties::new()).unwrap())
            .collect();
        t.commit().unwrap();
        // Appends over several commits: the hubs (nodes 0 to 2) spill into many chunks.
        for round in 0..8 {
            let mut t = store.begin();
            for i in 0..2_500u64 {
                let (a, b) = match i % 5 {
                    0 => (nodes[(i % 3) as usize], nodes[(next() % 300) as usize]),
                    1 => (nodes[(next() % 300) as usize], nodes[(i % 3) as usize]),
                    2 => (
                        nodes[(next() % 300) as usize],
                        nodes[(next() % 300) as usize],
                    ),
                    3 if round == 0 => (nodes[(i % 299) as usize], nodes[(i % 299) as usize]),
                    _ => (
                        nodes[3 + (next() % 297) as usize],
                        nodes[(next() % 300) as usize],
                    ),
                };
                let ty = if next() % 3 == 0 { "S" } else { "R" };
                let id = t.create_relationship(ty, a, b, Properties::new()).unwrap();
                rels.push((id, a, b));
            }
            t.commit().unwrap();
        }
        let chunks = |n: u64| store.begin().kv_scan(&keys::chunk_prefix(n, false)).count();
        assert!(chunks(nodes[0]) > 1 && chunks(nodes[2]) > 1);
        let mut ids: Vec<u64> = rels
            .iter()
            .filter(|r| next() % 4 == 0 || r.1 == nodes[2] || r.2 == nodes[2])
            .map(|r| r.0)
            .collect();
        ids.extend([ids[0], ids[7], 1 << 40]);
        let mut t = store.begin();
        let deleted = t.delete_relationships(&ids).unwrap();
        let at_once = written(&t);
        assert_eq!(
            t.degree(nodes[2], crate::model::Direction::Both, &[])
                .unwrap(),
            0
        );
        drop(t);
        let mut t = store.begin();
        let mut one_by_one = Vec::new();
        for &id in ids.iter().rev() {
            if let Some(r) = t.relationship(id).unwrap() {
                assert!(t.delete_relationship(id).unwrap());
                one_by_one.push((r.id, r.rel_type, r.start, r.end));
            }
        }
        assert_eq!(written(&t), at_once);
        let mut got: Vec<_> = deleted
            .into_iter()
            .map(|r| {
                assert!(r.properties.is_empty());
                (r.id, r.rel_type, r.start, r.end)
            })
            .collect();
        got.sort_unstable();
        one_by_one.sort_unstable();
        assert_eq!(got, one_by_one);
        t.commit().unwrap();
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report}");
    }

    #[test]
    fn nothing_held_leaves_the_section_as_it_is() {
        let mut lists = vec![AdjList {
            rel_type: 2,
            incoming: false,
            edges: vec![(5, 1), (9, 2)],
        }];
        let section = encode_section(&mut lists);
        for (t, incoming, ids) in [
            (2, true, vec![5]),
            (1, false, vec![5]),
            (2, false, vec![6, 10]),
        ] {
            assert_eq!(
                section_remove_all(&section, t, incoming, &ids),
                Some((section.clone(), 0))
            );
        }
        assert_eq!(
            section_remove_all(&section, 2, false, &[5, 9]),
            Some((Vec::new(), 2))
        );
    }
}
