//! `Store::check`: verifies that records, adjacency, label bitmaps, index entries, catalog
//! and counters agree with each other (`kg check`). The adjacency, its spilled chunks and the
//! degree blocks are checked in `check_adjacency.rs`.

use std::collections::{BTreeMap, HashMap};
use std::fmt;

use crate::error::{Error, Result};

use super::engine::{IndexMeta, Store};
use super::index_codec::{equality_prefix, index_key};
use super::keys::{self, KIND_KEY, KIND_LABEL, KIND_TYPE};
use super::layout::{bucket_entries, delta_present, parse_delta_key};
use super::migrate::FORMAT_VERSION;
use super::records::{
    bitmap_ids, block_entries, block_is_well_formed, NodeRecord, RelRecord, BITMAP_BYTES,
};
use super::txn::Txn;

/// Problems kept in the report (the count covers all).
const MAX_PROBLEMS: usize = 100;

/// The outcome of [`Store::check`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct CheckReport {
    pub nodes: u64,
    pub relationships: u64,
    pub labels: usize,
    pub relationship_types: usize,
    pub property_keys: usize,
    pub indexes: usize,
    pub index_entries: u64,
    /// The first problems found, one sentence each.
    pub problems: Vec<String>,
    pub problem_count: u64,
}

impl CheckReport {
    pub fn is_clean(&self) -> bool {
        self.problem_count == 0
    }

    pub(super) fn problem(&mut self, p: String) {
        self.problem_count += 1;
        if self.problems.len() < MAX_PROBLEMS {
            self.problems.push(p);
        }
    }
}

impl fmt::Display for CheckReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} nodes, {} relationships, {} labels, {} relationship types, {} property keys, {} indexes ({} entries): ",
            self.nodes,
            self.relationships,
            self.labels,
            self.relationship_types,
            self.property_keys,
            self.indexes,
            self.index_entries
        )?;
        if self.is_clean() {
            return write!(f, "consistent");
        }
        write!(f, "{} problem(s)", self.problem_count)?;
        for p in &self.problems {
            write!(f, "\n  - {p}")?;
        }
        if self.problem_count > self.problems.len() as u64 {
            write!(f, "\n  - …")?;
        }
        Ok(())
    }
}

/// (rel, type, start, end)
pub(super) type RelRow = (u64, u32, u64, u64);

impl Store {
    /// Verifies the committed state. Errors only when the store cannot be read at all;
    /// inconsistencies are reported in the [`CheckReport`].
    ///
    /// A check reports and never repairs (as SQLite's `PRAGMA integrity_check`): it leaves
    /// every file as it found it, so that what it says to do is still to be done when the
    /// user reads it. The read image is read only to be compared with sled, entry by entry
    /// (a damaged region is a finding); everything else is checked on sled, the stored data,
    /// which a damaged image therefore never disturbs. (Read through the image, a damaged
    /// region made the check's own read retire the image and delete its file, and the report
    /// then told the user to delete a file already gone.)
    pub fn check(&self) -> Result<CheckReport> {
        // The check compares the image with sled, so sled is opened even under a seal.
        self.inner.sled()?;
        let mut r = CheckReport::default();
        self.check_image(&self.begin(), &mut r)?;
        let t = self.begin_on_sled();
        match t.kv_get(keys::META_FORMAT)? {
            Some(v) if *v == FORMAT_VERSION.to_be_bytes() => {}
            other => r.problem(format!(
                "format marker is {:?}, expected {FORMAT_VERSION}",
                other.map(|b| b.to_vec())
            )),
        }
        let mut names: [HashMap<u32, String>; 3] = Default::default();
        for (slot, kind) in [KIND_LABEL, KIND_TYPE, KIND_KEY].into_iter().enumerate() {
            names[slot] = t.cat_all(kind).into_iter().collect();
            let next = t.get_u64(&[keys::P_META, b'n', kind])?;
            if let Some(max) = names[slot].keys().max() {
                if u64::from(*max) >= next {
                    r.problem(format!(
                        "catalog {} id {max} is not below its sequence {next}",
                        kind as char
                    ));
                }
            }
        }
        r.labels = names[0].len();
        r.relationship_types = names[1].len();
        r.property_keys = names[2].len();
        let indexes = self.check_index_defs(&t, &names, &mut r)?;
        r.indexes = indexes.len();

        // Node records.
        let mut node_labels: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
        let mut label_counts: HashMap<u32, u64> = HashMap::new();
        let mut expected_index: Vec<(u32, Vec<u8>, u64)> = Vec::new();
        for item in t.kv_scan(&[keys::P_NODE]) {
            let (k, v) = item?;
            let Some(base) = keys::block_base(&k, keys::NODE_SHIFT).filter(|_| k.len() == 9) else {
                r.problem(format!("malformed node block key {k:?}"));
                continue;
            };
            if !block_is_well_formed(&v) {
                r.problem(format!("node block at {base} is malformed"));
                continue;
            }
            for (slot, bytes) in block_entries(&v) {
                let id = base + u64::from(slot);
                let Some(rec) = NodeRecord::decode(bytes) else {
                    r.problem(format!("node {id}: record does not decode"));
                    continue;
                };
                for l in &rec.labels {
                    if !names[0].contains_key(l) {
                        r.problem(format!("node {id}: label id {l} not in the catalog"));
                    }
                    *label_counts.entry(*l).or_default() += 1;
                }
                for (key, value) in &rec.props {
                    if !names[2].contains_key(key) {
                        r.problem(format!(
                            "node {id}: property key id {key} not in the catalog"
                        ));
                    }
                    for ix in indexes
                        .iter()
                        .filter(|i| i.key == *key && i.covers(&rec.labels))
                    {
                        let mut full = Vec::new();
                        if index_key(&mut full, value).is_some() {
                            expected_index.push((ix.id, full, id));
                        }
                    }
                }
                node_labels.insert(id, rec.labels);
            }
        }
        r.nodes = node_labels.len() as u64;

        // Relationship records.
        let mut rels: Vec<RelRow> = Vec::new();
        let mut type_counts: HashMap<u32, u64> = HashMap::new();
        for item in t.kv_scan(&[keys::P_REL]) {
            let (k, v) = item?;
            let Some(base) = keys::block_base(&k, keys::REL_SHIFT).filter(|_| k.len() == 9) else {
                r.problem(format!("malformed relationship block key {k:?}"));
                continue;
            };
            if !block_is_well_formed(&v) {
                r.problem(format!("relationship block at {base} is malformed"));
                continue;
            }
            for (slot, bytes) in block_entries(&v) {
                let id = base + u64::from(slot);
                let Some(rec) = RelRecord::decode(bytes) else {
                    r.problem(format!("relationship {id}: record does not decode"));
                    continue;
                };
                if !names[1].contains_key(&rec.rel_type) {
                    r.problem(format!("relationship {id}: type id not in the catalog"));
                }
                for n in [rec.start, rec.end] {
                    if !node_labels.contains_key(&n) {
                        r.problem(format!(
                            "relationship {id}: endpoint node {n} does not exist"
                        ));
                    }
                }
                *type_counts.entry(rec.rel_type).or_default() += 1;
                rels.push((id, rec.rel_type, rec.start, rec.end));
            }
        }
        r.relationships = rels.len() as u64;

        self.check_adjacency(&t, &node_labels, &rels, &mut r)?;
        self.check_degree_blocks(&t, &mut r)?;
        self.check_label_bitmaps(&t, &node_labels, &mut r)?;
        self.check_index_entries(&t, &indexes, expected_index, &mut r)?;
        for problem in t.constraint_problems()? {
            r.problem(problem);
        }

        // Counters and sequences.
        let counted = [
            (keys::META_NODE_COUNT, r.nodes, "node"),
            (keys::META_REL_COUNT, r.relationships, "relationship"),
        ];
        for (key, actual, what) in counted {
            let stored = t.get_u64(key)?;
            if stored != actual {
                r.problem(format!("{what} counter says {stored}, found {actual}"));
            }
        }
        for (kind, counts, slot) in [(KIND_LABEL, &label_counts, 0), (KIND_TYPE, &type_counts, 1)] {
            for id in names[slot].keys() {
                let stored = t.get_u64(&keys::counter(kind, *id))?;
                let actual = counts.get(id).copied().unwrap_or(0);
                if stored != actual {
                    r.problem(format!(
                        "counter of {} `{}` says {stored}, found {actual}",
                        if kind == KIND_LABEL { "label" } else { "type" },
                        names[slot][id]
                    ));
                }
            }
        }
        let next_node = t.get_u64(keys::META_NEXT_NODE)?;
        if node_labels
            .keys()
            .next_back()
            .is_some_and(|m| *m >= next_node)
        {
            r.problem(format!(
                "node id sequence {next_node} is not above every node id"
            ));
        }
        let next_rel = t.get_u64(keys::META_NEXT_REL)?;
        if rels.iter().any(|x| x.0 >= next_rel) {
            r.problem(format!(
                "relationship id sequence {next_rel} is not above every id"
            ));
        }
        Ok(r)
    }

    /// The read image, while reads go through it, holds exactly sled's keys and values but
    /// its stamp.
    fn check_image(&self, t: &Txn, r: &mut CheckReport) -> Result<()> {
        let Some(image) = t.image() else {
            return Ok(());
        };
        let inner = &self.inner;
        let mut stored = inner.sled()?.iter();
        let mut next_stored = || loop {
            match stored.next().transpose().map_err(|e| inner.sled_err(e))? {
                Some((k, _)) if k == keys::META_IMAGE => continue,
                other => return Ok::<_, Error>(other),
            }
        };
        let mut imaged = image.scan_prefix(Vec::new());
        // A region that does not match its checksum is a finding, not a failure of the check.
        let mut damage = None;
        let mut next_imaged = || match imaged.next() {
            Some(Err(e)) => {
                damage = Some(e);
                None
            }
            other => other.transpose().ok().flatten(),
        };
        let (mut s, mut i) = (next_stored()?, next_imaged());
        // Keys sled holds and the image lacks, keys only the image holds, other values.
        let (mut missing, mut extra, mut differ) = (0u64, 0u64, 0u64);
        let mut first = None;
        loop {
            let key = match (&s, &i) {
                (None, None) => break,
                (Some((sk, sv)), Some((ik, iv))) if sk[..] == **ik => {
                    let key = (sv != iv).then(|| ik.to_vec());
                    differ += u64::from(key.is_some());
                    (s, i) = (next_stored()?, next_imaged());
                    key
                }
                (Some((sk, _)), Some((ik, _))) if sk[..] > **ik => {
                    extra += 1;
                    let key = ik.to_vec();
                    i = next_imaged();
                    Some(key)
                }
                (None, Some((ik, _))) => {
                    extra += 1;
                    let key = ik.to_vec();
                    i = next_imaged();
                    Some(key)
                }
                (Some((sk, _)), _) => {
                    missing += 1;
                    let key = sk.to_vec();
                    s = next_stored()?;
                    Some(key)
                }
            };
            if first.is_none() {
                first = key;
            }
        }
        // A commit during the comparison ends the image's life; it is no longer read then.
        // What to do: the image is a copy, so deleting it loses nothing (a reader that meets
        // a damaged region deletes it itself); `kg compact` writes a new one.
        if let (Some(e), Some(image)) = (damage, t.image()) {
            r.problem(format!(
                "{e}; the stored data (sled) is intact, and the rest of this check read it: \
                 delete {} or run `kg compact` (which writes a new image); otherwise the first \
                 read that meets the damage deletes it, with a warning",
                image.path().display()
            ));
        } else if let (Some(key), Some(image)) = (first, t.image()) {
            r.problem(format!(
                "the read image differs from the stored data ({missing} keys missing, {extra} \
                 extra, {differ} with another value; first at key {}): delete {} (or run `kg \
                 compact` to write a new image); reads use the stored data then",
                key.escape_ascii(),
                image.path().display()
            ));
        }
        Ok(())
    }

    fn check_index_defs(
        &self,
        t: &Txn,
        names: &[HashMap<u32, String>; 3],
        r: &mut CheckReport,
    ) -> Result<Vec<IndexMeta>> {
        let mut out = Vec::new();
        for item in t.kv_scan(&[keys::P_INDEX_DEF]) {
            let (k, v) = item?;
            let id = k.get(1..5).and_then(|b| <[u8; 4]>::try_from(b).ok());
            match id.and_then(|id| IndexMeta::decode(u32::from_be_bytes(id), &v)) {
                None => r.problem(format!("index definition {k:?} does not decode")),
                Some(ix) => {
                    let label_known =
                        ix.label == super::engine::ANY_LABEL || names[0].contains_key(&ix.label);
                    if !label_known || !names[2].contains_key(&ix.key) {
                        r.problem(format!("index `{}` names unknown catalog ids", ix.name));
                    }
                    out.push(ix);
                }
            }
        }
        Ok(out)
    }

    fn check_label_bitmaps(
        &self,
        t: &Txn,
        nodes: &BTreeMap<u64, Vec<u32>>,
        r: &mut CheckReport,
    ) -> Result<()> {
        let mut seen: u64 = 0;
        for item in t.kv_scan(&[keys::P_LABEL]) {
            let (k, v) = item?;
            let Some((label, base)) = keys::parse_label_bitmap(&k).filter(|_| k.len() == 13) else {
                r.problem(format!("malformed label key {k:?}"));
                continue;
            };
            if v.len() != BITMAP_BYTES {
                r.problem(format!("label bitmap {label}/{base} has the wrong size"));
                continue;
            }
            for id in bitmap_ids(base, &v) {
                seen += 1;
                if !nodes.get(&id).is_some_and(|ls| ls.contains(&label)) {
                    r.problem(format!(
                        "label index lists node {id} under label id {label}, but the node record does not have it"
                    ));
                }
            }
        }
        let expected: u64 = nodes.values().map(|ls| ls.len() as u64).sum();
        if seen != expected {
            r.problem(format!(
                "label index holds {seen} entries, node records carry {expected} labels"
            ));
        }
        Ok(())
    }

    fn check_index_entries(
        &self,
        t: &Txn,
        indexes: &[IndexMeta],
        mut expected: Vec<(u32, Vec<u8>, u64)>,
        r: &mut CheckReport,
    ) -> Result<()> {
        let mut actual: Vec<(u32, Vec<u8>, u64)> = Vec::with_capacity(expected.len());
        for item in t.kv_scan(&[keys::P_INDEX]) {
            let (k, v) = item?;
            let id = k
                .get(1..5)
                .and_then(|b| <[u8; 4]>::try_from(b).ok())
                .map(u32::from_be_bytes);
            let Some((id, buckets)) = id
                .filter(|_| k.len() == 7)
                .and_then(|i| indexes.iter().find(|x| x.id == i).map(|x| (i, x.buckets)))
            else {
                r.problem(format!("index bucket {k:?} belongs to no index"));
                continue;
            };
            let mut previous: Option<(&[u8], u64)> = None;
            for (full, node) in bucket_entries(&v) {
                // Lookups stop at the first key past the one they look for.
                if previous.is_some_and(|p| p >= (full, node)) {
                    r.problem(format!("index bucket {k:?} is not sorted (at node {node})"));
                }
                previous = Some((full, node));
                if keys::index_bucket(id, buckets, equality_prefix(full)) != k {
                    r.problem(format!(
                        "index entry for node {node} is in the wrong bucket"
                    ));
                }
                actual.push((id, full.to_vec(), node));
            }
        }
        // The buckets and the pages are the folded form and agree with each other; the
        // deltas (`index_delta.rs`) applied over them agree with the node records.
        actual.sort_unstable();
        let folded = actual.clone();
        let mut merged: std::collections::BTreeSet<(u32, Vec<u8>, u64)> =
            actual.into_iter().collect();
        for item in t.kv_scan(&[keys::P_INDEX_DELTA]) {
            let (k, v) = item?;
            let Some((id, vk, node)) = parse_delta_key(&k) else {
                r.problem(format!("malformed index delta key {k:?}"));
                continue;
            };
            if !indexes.iter().any(|ix| ix.id == id) {
                r.problem(format!("index delta {k:?} belongs to no index"));
                continue;
            }
            match delta_present(&v) {
                Some(true) => merged.insert((id, vk.to_vec(), node)),
                Some(false) => merged.remove(&(id, vk.to_vec(), node)),
                None => {
                    r.problem(format!("index delta {k:?} has a malformed value"));
                    continue;
                }
            };
        }
        let actual: Vec<(u32, Vec<u8>, u64)> = merged.into_iter().collect();
        r.index_entries = actual.len() as u64;
        expected.sort_unstable();
        if expected != actual {
            let missing = expected
                .iter()
                .filter(|e| actual.binary_search(e).is_err())
                .count();
            let extra = actual
                .iter()
                .filter(|e| expected.binary_search(e).is_err())
                .count();
            r.problem(format!(
                "property indexes disagree with node records: {missing} entries missing, {extra} stale"
            ));
        }
        for p in t.check_pages(indexes, &folded)? {
            r.problem(p);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Properties;
    use crate::store::{GraphWrite, IndexDef};
    use crate::value::Value;

    fn sample() -> (Store, u64, u64, u64) {
        let store = Store::open_temporary().unwrap();
        let (a, b, r) = fill(&store);
        (store, a, b, r)
    }

    /// Two nodes, a relationship and a unique index; (node a, node b, relationship).
    fn fill(store: &Store) -> (u64, u64, u64) {
        let mut t = store.begin();
        let mut p = Properties::new();
        p.insert("name".into(), Value::from("a"));
        let a = t.create_node(&["A".to_string()], p).unwrap();
        let b = t
            .create_node(&["B".to_string()], Properties::new())
            .unwrap();
        let r = t.create_relationship("R", a, b, Properties::new()).unwrap();
        t.create_index(
            IndexDef {
                name: "ix".into(),
                label: "A".into(),
                property: "name".into(),
                unique: true,
                kind: Default::default(),
            },
            false,
        )
        .unwrap();
        t.commit().unwrap();
        (a, b, r)
    }

    fn corrupt_with(f: impl FnOnce(&mut Txn)) -> CheckReport {
        let (store, ..) = sample();
        let mut t = store.begin();
        t.write_access().unwrap();
        f(&mut t);
        t.commit().unwrap();
        store.check().unwrap()
    }

    #[test]
    fn clean_store_is_clean() {
        let (store, ..) = sample();
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report}");
        assert_eq!(
            (report.nodes, report.relationships, report.index_entries),
            (2, 1, 1)
        );
        assert!(report.to_string().ends_with("consistent"));
    }

    #[test]
    fn detects_missing_relationship_record() {
        let report = corrupt_with(|t| t.kv_put(keys::rel_block(0), None));
        assert!(!report.is_clean());
        assert!(
            report.to_string().contains("adjacency does not match"),
            "{report}"
        );
    }

    #[test]
    fn detects_a_read_image_that_differs_from_sled() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("g.db");
        let opts = crate::store::OpenOptions {
            create_if_missing: true,
            ..crate::store::OpenOptions::default()
        };
        fill(&Store::open(&path, &opts).unwrap());
        Store::compact(&path).unwrap();
        let store = Store::open(&path, &opts).unwrap();
        assert!(store.begin().image().is_some(), "no read image");
        // The image's stamp, which only sled holds, is not a difference.
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report}");

        // Behind the image's back (its stamp stays): a value changed, a key added, one removed.
        let db = store.inner.sled().unwrap();
        db.insert(keys::META_NODE_COUNT, &7u64.to_be_bytes())
            .unwrap();
        db.insert(b"\x00zz", b"new").unwrap();
        db.remove(keys::META_NEXT_REL).unwrap();
        assert!(db.get(keys::META_IMAGE).unwrap().is_some());
        let report = store.check().unwrap();
        // The rest of the check reads sled, the stored data (never the image, which a check
        // must not retire): its changed counter and removed id sequence are found there.
        assert_eq!(report.problem_count, 3, "{report}");
        let text = report.to_string();
        assert!(text.contains("node counter says 7, found 2"), "{report}");
        assert!(
            text.contains("relationship id sequence 0 is not above every id"),
            "{report}"
        );
        assert!(
            text.contains("the read image differs from the stored data (1 keys missing, 1 extra, 1 with another value; first at key \\x00count_nodes)"),
            "{report}"
        );

        // After a commit reads use sled, and there is no image left to compare.
        let mut t = store.begin();
        t.write_access().unwrap();
        t.put_u64(keys::META_NODE_COUNT, 2);
        t.put_u64(keys::META_NEXT_REL, 1);
        t.kv_put(b"\x00zz".to_vec(), None);
        t.commit().unwrap();
        assert!(store.begin().image().is_none());
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report}");
    }

    #[test]
    fn detects_dangling_adjacency_and_label_bits() {
        let report = corrupt_with(|t| {
            t.kv_put(keys::adj_block(0, false), Some(b"\x07\x00".to_vec()));
        });
        assert!(report.to_string().contains("missing node 7"), "{report}");
        let report = corrupt_with(|t| {
            let mut bits = vec![0u8; BITMAP_BYTES];
            bits[0] = 0b11; // nodes 0 and 1 under label id 0 (`A`), but node 1 is a `B`
            t.kv_put(keys::label_bitmap(0, 0), Some(bits));
        });
        assert!(
            report.to_string().contains("label index lists node 1"),
            "{report}"
        );
    }

    #[test]
    fn detects_lists_in_the_wrong_direction_block_and_degree_drift() {
        // Node 1's incoming section (0 → 1) moved into the outgoing blocks.
        let report = corrupt_with(|t| {
            let section = t.section_bytes(1, true).unwrap().unwrap().to_vec();
            let block = t
                .kv_get(&keys::adj_block(0, false))
                .unwrap()
                .unwrap()
                .to_vec();
            let block = crate::store::records::block_merge(&block, &[(1, Some(section))]);
            t.kv_put(keys::adj_block(0, false), Some(block));
            t.kv_put(keys::adj_block(0, true), None);
        });
        let text = report.to_string();
        assert!(
            text.contains("node 1 holds a list of the other direction"),
            "{report}"
        );
        // A degree block that disagrees with the adjacency totals.
        let report = corrupt_with(|t| {
            let entry = crate::store::records::degree_entry(3, 0).unwrap();
            let block = crate::store::records::block_put(&[], 0, Some(&entry));
            t.kv_put(keys::degree_block(0), Some(block));
        });
        let text = report.to_string();
        assert!(text.contains("degree block at 0 disagrees"), "{report}");
    }

    #[test]
    fn a_malformed_adjacency_key_is_reported_not_an_error() {
        let report = corrupt_with(|t| t.kv_put(vec![keys::P_ADJ, 1], Some(vec![0, 0])));
        assert!(
            report.to_string().contains("malformed adjacency block key"),
            "{report}"
        );
    }

    #[test]
    fn detects_adjacency_totals_drift() {
        // Node 0 has one outgoing relationship (0 → 1) and no incoming one.
        let report = corrupt_with(|t| {
            let mut section = vec![5, 0];
            crate::store::records::encode_list(&mut section, 0, false, &[(0, 1)]);
            // Node 1 has no outgoing lists, so node 0's section is the block's only one.
            let block = crate::store::records::block_put(&[], 0, Some(&section));
            t.kv_put(keys::adj_block(0, false), Some(block));
        });
        assert!(
            report
                .to_string()
                .contains("adjacency totals of node 0 say 5 out / 0 in, its lists hold 1 / 0"),
            "{report}"
        );
    }

    /// Entries written as deltas are checked with the buckets, before and after a fold; a
    /// delta that hides an entry, belongs to no index or has a bad value is reported.
    #[test]
    fn index_deltas_are_checked_over_the_buckets() {
        let (store, a, ..) = sample();
        let mut t = store.begin();
        let mut p = Properties::new();
        p.insert("name".into(), Value::from("c"));
        t.create_node(&["A".to_string()], p).unwrap();
        t.set_node_property(a, "name", Value::from("a2")).unwrap();
        t.commit().unwrap();
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report}");
        assert_eq!(report.index_entries, 2);
        assert!(store.begin().kv_scan(&[keys::P_INDEX_DELTA]).count() >= 3);
        assert_eq!(store.fold_index_deltas().unwrap(), 3);
        assert_eq!(store.begin().kv_scan(&[keys::P_INDEX_DELTA]).count(), 0);
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report}");
        assert_eq!(report.index_entries, 2);

        let key_of = |t: &Txn, v: &str| {
            let ix = t.index_metas()[0].id;
            let entry = super::super::layout::IndexEntry::of(&Value::from(v)).unwrap();
            (ix, entry.key)
        };
        let report = corrupt_with(|t| {
            let (ix, key) = key_of(t, "a");
            t.put_index_delta(ix, &key, a, false);
        });
        assert!(report.to_string().contains("1 entries missing"), "{report}");
        let report = corrupt_with(|t| {
            let (ix, key) = key_of(t, "zz");
            t.put_index_delta(ix + 50, &key, a, true);
        });
        assert!(
            report.to_string().contains("belongs to no index"),
            "{report}"
        );
        let report = corrupt_with(|t| {
            let (ix, key) = key_of(t, "a");
            t.kv_put(super::super::layout::delta_key(ix, &key, a), Some(vec![7]));
        });
        assert!(report.to_string().contains("malformed value"), "{report}");
    }

    #[test]
    fn detects_index_and_counter_drift() {
        let report = corrupt_with(|t| {
            let buckets: Vec<Vec<u8>> = t.kv_scan(&[keys::P_INDEX]).map(|x| x.unwrap().0).collect();
            for b in buckets {
                t.kv_put(b, None);
            }
        });
        assert!(report.to_string().contains("1 entries missing"), "{report}");
        let report = corrupt_with(|t| t.put_u64(keys::META_NODE_COUNT, 5));
        assert!(
            report.to_string().contains("node counter says 5"),
            "{report}"
        );
        let report = corrupt_with(|t| {
            let (k, v) = t.kv_scan(&[keys::P_INDEX]).next().unwrap().unwrap();
            let mut entries: Vec<(Vec<u8>, u64)> =
                bucket_entries(&v).map(|(k, n)| (k.to_vec(), n)).collect();
            entries.push((vec![0], 9));
            t.kv_put(k, Some(super::super::layout::encode_bucket(&entries)));
        });
        assert!(report.to_string().contains("is not sorted"), "{report}");
        let report =
            corrupt_with(|t| t.kv_put(keys::node_block(0), Some(vec![0, 3, 255, 255, 255])));
        assert!(
            report
                .to_string()
                .contains("node 0: record does not decode"),
            "{report}"
        );
    }
}
