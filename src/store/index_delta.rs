//! Index deltas (format 11): the property-index entries transactions add or remove, one sled
//! key each, until compaction folds them into the hash buckets and ordered pages.
//!
//! Why: a bucket (≈ 128 entries, ≈ 2.4 KiB at bench scale M) or a page (4–8 KiB) is one sled
//! value, so a commit that adds one entry to it rewrites all of it. A thousand new names
//! touch ≈ 900 buckets and, for values in no particular order, as many pages: ≈ 6 KB written
//! per indexed entry (docs/performance.md, issue 20). A delta key `'J' index value-key node`
//! (`layout::delta_key`) is ≈ 30 bytes, so a commit writes in proportion to its entries.
//!
//! The buckets and pages stay the folded form: bulk loads and index creation write them
//! directly, compaction folds every delta into them before it copies (so a compacted
//! database and its read image hold no deltas, and a cold lookup costs what it did: one
//! bucket), and `kg check` verifies buckets plus deltas against the node records.
//!
//! **Reading:** an entry is in the index when its delta says 1, or when it has no delta and
//! its bucket (equality) or page (ranges) holds it. A reader reads the deltas *before* the
//! buckets or pages: a fold commits as one batch that moves entries from deltas into
//! buckets, so a reader that saw the deltas before it still finds each entry in one or the
//! other, never in neither.

use std::collections::BTreeMap;

use crate::error::Result;
use crate::model::NodeId;

use super::engine::Store;
use super::index_codec::equality_prefix;
use super::index_write::GROW_BUCKET_BYTES;
use super::keys;
use super::layout::{
    bucket_entries, delta_key, delta_present, delta_value, encode_bucket, parse_delta_key,
};
use super::txn::Txn;

/// One delta: (value key, node, whether the entry is in the index).
pub(crate) type Delta = (Vec<u8>, NodeId, bool);

impl Txn {
    /// Records that entry (value key, node) of `index` is now in the index (`present`) or not.
    pub(crate) fn put_index_delta(
        &mut self,
        index: u32,
        value_key: &[u8],
        node: NodeId,
        present: bool,
    ) {
        self.kv_put(
            delta_key(index, value_key, node),
            Some(delta_value(present)),
        );
    }

    /// The deltas of `index` whose value key starts at or after `from`, ascending by (value
    /// key, node), for as long as `more(value key)` holds.
    pub(crate) fn index_deltas(
        &self,
        index: u32,
        from: &[u8],
        more: &dyn Fn(&[u8]) -> bool,
    ) -> Result<Vec<Delta>> {
        // Through the read image of a compacted store (which has none), or in a store whose
        // deltas were all folded (a batch of `CALL { } IN TRANSACTIONS` folds its own), only
        // the transaction's own deltas can exist: no scan of committed data per lookup.
        let committed = self.committed_has_kind(keys::P_INDEX_DELTA)?;
        let prefix = keys::index_delta_prefix(index);
        let mut start = prefix.clone();
        start.extend_from_slice(from);
        let mut out = Vec::new();
        let mut push = |k: &[u8], v: &[u8]| -> Result<bool> {
            let (_, vk, node) =
                parse_delta_key(k).ok_or_else(|| self.corrupt("malformed index delta key"))?;
            if !more(vk) {
                return Ok(false);
            }
            let present =
                delta_present(v).ok_or_else(|| self.corrupt("malformed index delta value"))?;
            out.push((vk.to_vec(), node, present));
            Ok(true)
        };
        if !committed {
            for (k, v) in self.written_from(&prefix, &start) {
                // A deleted key of its own hides nothing committed (there is none).
                if let Some(v) = v {
                    if !push(k, v)? {
                        break;
                    }
                }
            }
            return Ok(out);
        }
        for item in self.kv_range(&prefix, Some(&start), None) {
            let (k, v) = item?;
            if !push(&k, &v)? {
                break;
            }
        }
        Ok(out)
    }

    /// Every delta of every index, by index: what a fold applies and `kg check` verifies.
    /// Malformed keys or values are an error here (`check` reports them one by one itself).
    pub(crate) fn all_index_deltas(&self) -> Result<BTreeMap<u32, Vec<Delta>>> {
        let mut out: BTreeMap<u32, Vec<Delta>> = BTreeMap::new();
        for item in self.kv_scan(&[keys::P_INDEX_DELTA]) {
            let (k, v) = item?;
            let (id, vk, node) =
                parse_delta_key(&k).ok_or_else(|| self.corrupt("malformed index delta key"))?;
            let present =
                delta_present(&v).ok_or_else(|| self.corrupt("malformed index delta value"))?;
            out.entry(id)
                .or_default()
                .push((vk.to_vec(), node, present));
        }
        Ok(out)
    }

    /// Deletes every delta of `index` (the index is dropped).
    pub(crate) fn drop_index_deltas(&mut self, index: u32) -> Result<()> {
        let keys: Vec<Vec<u8>> = self
            .kv_scan(&keys::index_delta_prefix(index))
            .map(|r| r.map(|(k, _)| k))
            .collect::<Result<_>>()?;
        for k in keys {
            self.kv_put(k, None);
        }
        self.kv_put(keys::index_delta_count(index), None);
        Ok(())
    }

    /// Folds every delta into its index's buckets and ordered pages and deletes it; an index a
    /// bucket of which outgrew its share is then regrown. Returns how many deltas it folded.
    pub(crate) fn fold_index_deltas(&mut self) -> Result<u64> {
        let mut folded = 0u64;
        for (id, deltas) in self.all_index_deltas()? {
            folded += deltas.len() as u64;
            self.fold_index(id, &deltas)?;
            self.kv_put(keys::index_delta_count(id), None);
        }
        Ok(folded)
    }

    /// Before a commit: folds into the buckets the deltas this transaction wrote to each index
    /// it wrote at least [`FOLD_PER_BUCKET`] entries per bucket of, since rewriting those
    /// buckets then costs fewer bytes than a key per entry (a large statement, an index's
    /// first fill). Only its own: older committed deltas of other entries stay as they are,
    /// since deleting a committed delta key costs sled about what writing it did, so folding
    /// them would make a large statement pay for the small ones before it. An index whose
    /// committed deltas would pass [`PENDING_PER_BUCKET`] per bucket is folded whole (so
    /// they stay a bounded share of the index's keys until compaction).
    pub(crate) fn fold_large_index_deltas(&mut self) -> Result<()> {
        // Deleted delta keys (a dropped index's, an earlier fold's) are not new deltas.
        let mut written: BTreeMap<u32, u64> = BTreeMap::new();
        for (k, _) in self
            .written(&[keys::P_INDEX_DELTA])
            .filter(|(_, v)| v.is_some())
        {
            if let Some((id, _, _)) = parse_delta_key(k) {
                *written.entry(id).or_default() += 1;
            }
        }
        for (id, n) in written {
            let buckets = u64::from(self.index_buckets(id));
            if n >= FOLD_PER_BUCKET * buckets {
                let own = self.own_index_deltas(id)?;
                self.fold_index(id, &own)?;
                continue;
            }
            let counter = keys::index_delta_count(id);
            // Overwritten keys count again: an upper bound of the index's delta keys.
            let pending = self.get_u64(&counter)?.saturating_add(n);
            if pending >= PENDING_PER_BUCKET * buckets {
                let deltas = self.index_deltas(id, &[], &|_| true)?;
                self.fold_index(id, &deltas)?;
                self.kv_put(counter, None);
            } else {
                self.put_u64(&counter, pending);
            }
        }
        Ok(())
    }

    /// The deltas of `index` this transaction wrote (not those it deleted), ascending.
    fn own_index_deltas(&self, index: u32) -> Result<Vec<Delta>> {
        let mut out = Vec::new();
        for (k, v) in self.written(&keys::index_delta_prefix(index)) {
            let Some(v) = v else { continue };
            let (_, vk, node) =
                parse_delta_key(k).ok_or_else(|| self.corrupt("malformed index delta key"))?;
            let present =
                delta_present(v).ok_or_else(|| self.corrupt("malformed index delta value"))?;
            out.push((vk.to_vec(), node, present));
        }
        Ok(out)
    }

    /// Applies `deltas` (of index `id`, ascending: all of them, or those of one transaction)
    /// to its buckets and pages and deletes them; regrows the index if a bucket outgrew its
    /// share. The index's other deltas stay valid: they are keyed by value, not by bucket.
    fn fold_index(&mut self, id: u32, deltas: &[Delta]) -> Result<()> {
        let buckets = self.index_buckets(id);
        let mut by_bucket: BTreeMap<Vec<u8>, Vec<&Delta>> = BTreeMap::new();
        for d in deltas {
            by_bucket
                .entry(keys::index_bucket(id, buckets, equality_prefix(&d.0)))
                .or_default()
                .push(d);
        }
        let mut grow = false;
        for (bucket_key, changes) in by_bucket {
            let old = self.kv_get(&bucket_key)?.map(|b| b.to_vec());
            let mut entries: std::collections::BTreeSet<(Vec<u8>, NodeId)> = old
                .as_deref()
                .map(|b| bucket_entries(b).map(|(k, n)| (k.to_vec(), n)).collect())
                .unwrap_or_default();
            for (vk, node, present) in changes {
                if *present {
                    entries.insert((vk.clone(), *node));
                } else {
                    entries.remove(&(vk.clone(), *node));
                }
            }
            let list: Vec<(Vec<u8>, NodeId)> = entries.into_iter().collect();
            let new = encode_bucket(&list);
            grow |= new.len() > GROW_BUCKET_BYTES;
            self.kv_put(bucket_key, (!new.is_empty()).then_some(new));
        }
        // Pages: removals one by one (a removal never moves a bound), additions merged.
        let mut adds = Vec::new();
        for (vk, node, present) in deltas {
            if *present {
                adds.push((vk.clone(), *node));
            } else {
                self.page_entry(id, vk, *node, false)?;
            }
        }
        self.page_merge(id, adds)?;
        for (vk, node, _) in deltas {
            self.kv_put(delta_key(id, vk, *node), None);
        }
        if grow {
            self.grow_index(id)?;
        }
        Ok(())
    }
}

/// A transaction that writes at least this many entries per bucket of an index folds them
/// into the buckets before it commits: a bucket of ≈ 128 entries is ≈ 2.4 KiB, rewritten
/// once for the transaction's entries in it, against ≈ 1 KiB of sled writes per delta key
/// measured at M (docs/performance.md, issue 20).
const FOLD_PER_BUCKET: u64 = 2;
/// An index whose committed deltas reach this many per bucket (its own entry count as sized,
/// `index_write::ENTRIES_PER_BUCKET`: ≈ 262k at bench scale M) is folded whole by the commit
/// that brings them there. A fold deletes every delta key, which costs sled ≈ 0.3 KiB per key
/// besides rewriting every bucket, and it frees log segments that sled zeroes again at every
/// open until it reuses them (≈ 45 MB for a fold of 65k deltas at M: "What a fold writes"
/// in docs/performance.md), so it is rare; lookups and range scans read only the deltas in
/// their own range, whose cost does not depend on how many there are elsewhere.
const PENDING_PER_BUCKET: u64 = 128;

impl Store {
    /// [`Txn::fold_index_deltas`] in one transaction (compaction runs it before it copies);
    /// returns how many deltas it folded.
    pub(crate) fn fold_index_deltas(&self) -> Result<u64> {
        let mut t = self.begin();
        t.write_access()?;
        let folded = t.fold_index_deltas()?;
        t.commit()?;
        Ok(folded)
    }
}

/// The entries of `base` (value key, node; ascending) with `deltas` (ascending) applied,
/// ascending: a delta that says 1 adds its entry (once), one that says 0 hides it.
pub(crate) fn merge_deltas<'a>(
    base: impl Iterator<Item = (&'a [u8], NodeId)> + 'a,
    deltas: &'a [Delta],
) -> impl Iterator<Item = (&'a [u8], NodeId)> + 'a {
    let mut base = base.peekable();
    let mut d = deltas.iter().peekable();
    std::iter::from_fn(move || loop {
        let take_delta = match (base.peek(), d.peek()) {
            (None, None) => return None,
            (Some(_), None) => false,
            (None, Some(_)) => true,
            (Some(&(bk, bn)), Some((dk, dn, _))) => (dk.as_slice(), *dn) <= (bk, bn),
        };
        if !take_delta {
            return base.next();
        }
        let (dk, dn, present) = d.next()?;
        if base.peek() == Some(&(dk.as_slice(), *dn)) {
            base.next();
        }
        if *present {
            return Some((dk.as_slice(), *dn));
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::index_codec::index_string_range;
    use crate::store::{GraphRead, GraphWrite, IndexDef};
    use crate::value::Value;

    fn named(t: &mut Txn, i: i64) -> NodeId {
        let props = [(
            "name".to_string(),
            Value::String(format!("n{}", i * 7919 % 10007)),
        )];
        t.create_node(&["P".into()], props.into_iter().collect())
            .unwrap()
    }

    /// A store of 3,000 `:P` nodes with an index on `name`, committed.
    fn indexed_store() -> Store {
        let store = Store::open_temporary().unwrap();
        let mut t = store.begin();
        for i in 0..3000 {
            named(&mut t, i);
        }
        let def = IndexDef {
            name: "p".into(),
            label: "P".into(),
            property: "name".into(),
            unique: false,
            kind: Default::default(),
        };
        t.create_index(def, false).unwrap();
        t.commit().unwrap();
        store
    }

    /// A commit of a few entries writes one delta key each and no bucket or page; one of at
    /// least two entries per bucket folds them (and the older deltas) into buckets and pages.
    #[test]
    fn small_commits_write_deltas_and_large_ones_fold() {
        let store = indexed_store();
        let buckets = store
            .begin()
            .index_buckets(store.begin().index_metas()[0].id);
        assert_eq!(buckets, 32);
        let mut t = store.begin();
        let fresh: Vec<NodeId> = (3000..3010).map(|i| named(&mut t, i)).collect();
        let a = fresh[0];
        t.set_node_property(a, "name", Value::from("changed"))
            .unwrap();
        assert_eq!(t.written_keys(&[keys::P_INDEX]).count(), 0);
        assert_eq!(t.written_keys(&[keys::P_INDEX_PAGE]).count(), 0);
        // Ten additions, the first one overwritten by its removal, and its new value.
        assert_eq!(t.written_keys(&[keys::P_INDEX_DELTA]).count(), 11);
        t.commit().unwrap();
        let t = store.begin();
        assert_eq!(
            t.index_lookup("P", "name", &Value::from("changed"))
                .unwrap(),
            Some(vec![a])
        );
        assert_eq!(t.kv_scan(&[keys::P_INDEX_DELTA]).count(), 11);
        drop(t);
        assert!(store.check().unwrap().is_clean());

        // A large commit folds its own entries and leaves the older deltas as they are,
        // except the one it overwrites (`a` renamed again: its "changed" delta), which it
        // folds too; `a`'s first name stays a removal marker.
        let mut t = store.begin();
        let large: Vec<NodeId> = (4000..4000 + 2 * i64::from(buckets))
            .map(|i| named(&mut t, i))
            .collect();
        t.set_node_property(a, "name", Value::from("again"))
            .unwrap();
        t.commit().unwrap();
        let t = store.begin();
        let left: Vec<(u32, Vec<u8>, NodeId)> = t
            .kv_scan(&[keys::P_INDEX_DELTA])
            .map(|item| {
                let (k, _) = item.unwrap();
                let (id, vk, node) = parse_delta_key(&k).unwrap();
                (id, vk.to_vec(), node)
            })
            .collect();
        assert_eq!(left.len(), 10, "the older deltas but a's \"changed\"");
        assert!(left.iter().all(|(_, _, n)| fresh.contains(n)));
        assert_eq!(left.iter().filter(|(_, _, n)| *n == a).count(), 1);
        assert_eq!(
            t.index_lookup("P", "name", &Value::from("changed"))
                .unwrap(),
            Some(vec![])
        );
        assert_eq!(
            t.index_lookup("P", "name", &Value::from("again")).unwrap(),
            Some(vec![a])
        );
        for &n in fresh[1..].iter().chain(&large) {
            let name = t.node_property(n, "name").unwrap().unwrap();
            let found = t.index_lookup("P", "name", &name).unwrap().unwrap();
            assert!(found.contains(&n), "{name:?}");
        }
        drop(t);
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report}");
        assert_eq!(report.index_entries, 3010 + 2 * u64::from(buckets));
        // Compaction's fold takes the rest.
        assert_eq!(store.fold_index_deltas().unwrap(), 10);
        assert_eq!(store.begin().kv_scan(&[keys::P_INDEX_DELTA]).count(), 0);
        assert!(store.check().unwrap().is_clean());
    }

    /// Commits too small to fold their own entries pile up deltas until the one that brings
    /// them to [`PENDING_PER_BUCKET`] per bucket folds the whole index; the answers of
    /// lookups and of the ordered pages stay those of the node records throughout.
    #[test]
    fn deltas_fold_whole_at_the_cap() {
        let store = indexed_store();
        let id = store.begin().index_metas()[0].id;
        let buckets = u64::from(store.begin().index_buckets(id));
        let cap = PENDING_PER_BUCKET * buckets;
        // Below FOLD_PER_BUCKET per bucket: never folded by its own commit.
        let per_commit = FOLD_PER_BUCKET * buckets - 1;
        let deltas = || store.begin().kv_scan(&[keys::P_INDEX_DELTA]).count() as u64;
        let mut next = 10_000i64;
        let mut written = 0u64;
        while written + per_commit < cap {
            let mut t = store.begin();
            for _ in 0..per_commit {
                named(&mut t, next);
                next += 1;
            }
            t.commit().unwrap();
            written += per_commit;
            assert_eq!(deltas(), written, "not folded below the cap");
        }
        assert!(store.check().unwrap().is_clean());
        let mut t = store.begin();
        for _ in 0..per_commit {
            named(&mut t, next);
            next += 1;
        }
        t.commit().unwrap();
        assert_eq!(deltas(), 0, "folded at the cap");
        let t = store.begin();
        let mut all: Vec<(Vec<u8>, NodeId)> = Vec::new();
        t.page_scan(id, &index_string_range(), &mut |vk, n| {
            all.push((vk.to_vec(), n));
            Ok(true)
        })
        .unwrap();
        assert_eq!(all.len() as i64, 3000 + next - 10_000);
        assert!(all.windows(2).all(|w| w[0] < w[1]), "pages in order");
        drop(t);
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report}");
        assert_eq!(report.index_entries as i64, 3000 + next - 10_000);
    }

    #[test]
    fn deltas_add_once_and_hide_in_order() {
        let base: Vec<(Vec<u8>, NodeId)> =
            vec![(b"a".to_vec(), 1), (b"b".to_vec(), 2), (b"c".to_vec(), 3)];
        let deltas: Vec<Delta> = vec![
            (b"a".to_vec(), 0, true),
            (b"a".to_vec(), 1, true),
            (b"b".to_vec(), 2, false),
            (b"bb".to_vec(), 9, false),
            (b"d".to_vec(), 4, true),
        ];
        let got: Vec<(Vec<u8>, NodeId)> =
            merge_deltas(base.iter().map(|(k, n)| (k.as_slice(), *n)), &deltas)
                .map(|(k, n)| (k.to_vec(), n))
                .collect();
        let want: Vec<(Vec<u8>, NodeId)> = vec![
            (b"a".to_vec(), 0),
            (b"a".to_vec(), 1),
            (b"c".to_vec(), 3),
            (b"d".to_vec(), 4),
        ];
        assert_eq!(got, want);
    }
}
