//! Ordered index pages: every property index's entries once more, in value order, so that a
//! range or prefix scan is one sled range scan (format 10).
//!
//! The hash buckets (`'I'`) answer equality and uniqueness; the pages (`'O'`) hold the same
//! (value key, node) entries sorted by their *sort key*, the value's index key followed by the
//! node id (8 bytes, big-endian). A page is keyed by its **bound**: the sort key of its last
//! entry when it was cut, or [`keys::LAST_PAGE_BOUND`] for the page that takes everything above
//! the others. **Invariant:** the entries of a page sort above the bound of the page before it
//! and at or below its own bound, so the page that holds (or is to hold) sort key `s` is the
//! first whose bound is at or above `s`, found by a forward range scan from `s`. A removal
//! never moves a bound; a page that empties is deleted; a page that passes [`PAGE_MAX_BYTES`]
//! is cut into pages of about `PAGE_FILL_BYTES`, the last of which keeps its key. The pages'
//! bytes are encoded in `layout.rs` ([`cut_pages`]), which the format 10 upgrade also uses.
//!
//! Since format 11 transactions do not write pages: their entries are deltas
//! (`index_delta.rs`) that a scan merges in, and compaction folds into the pages with
//! [`Txn::page_entry`] and [`Txn::page_merge`]; bulk loads and new indexes write pages directly.

use crate::error::Result;
use crate::model::NodeId;

use super::engine::IndexMeta;
use super::index_codec::{index_sort_key, value_key_of_sort_key, KeyRange};
use super::index_delta::merge_deltas;
use super::keys;
use super::layout::{bucket_entries, bucket_update, cut_pages, put_page_entry, PAGE_MAX_BYTES};
use super::txn::Txn;

impl Txn {
    /// The page that holds, or is to hold, sort key `sort_key` of `index`: (key, value).
    fn page_for(&self, index: u32, sort_key: &[u8]) -> Result<Option<(Vec<u8>, Vec<u8>)>> {
        let from = keys::index_page(index, sort_key);
        let first = self
            .kv_range(&keys::index_page_prefix(index), Some(&from), None)
            .next();
        match first {
            None => Ok(None),
            Some(item) => {
                let (k, v) = item?;
                Ok(Some((k, v.to_vec())))
            }
        }
    }

    /// Adds (or removes) the entry (value key, node) in the ordered pages of `index`.
    pub(crate) fn page_entry(
        &mut self,
        index: u32,
        value_key: &[u8],
        node: NodeId,
        add: bool,
    ) -> Result<()> {
        let sort_key = index_sort_key(value_key, node);
        let Some((key, old)) = self.page_for(index, &sort_key)? else {
            if add {
                let mut page = Vec::new();
                put_page_entry(&mut page, value_key, node);
                self.kv_put(keys::index_page(index, keys::LAST_PAGE_BOUND), Some(page));
            }
            return Ok(());
        };
        let new = bucket_update(&old, value_key, node, add);
        if new == old {
            // Nothing to change (a fold's removal of an entry only ever a delta).
            return Ok(());
        }
        if new.is_empty() {
            self.kv_put(key, None);
        } else if new.len() > PAGE_MAX_BYTES {
            let entries: Vec<(&[u8], NodeId)> = bucket_entries(&new).collect();
            let bound = keys::parse_index_page(&key)
                .map(|(_, b)| b.to_vec())
                .ok_or_else(|| self.corrupt("malformed index page key"))?;
            for (k, v) in cut_pages(index, &entries, &bound) {
                self.kv_put(k, Some(v));
            }
        } else {
            self.kv_put(key, Some(new));
        }
        Ok(())
    }

    /// Adds many (value key, node) entries to the ordered pages of `index` (a new index, an
    /// import batch): each page they fall in is read and written once.
    pub(crate) fn page_merge(
        &mut self,
        index: u32,
        mut entries: Vec<(Vec<u8>, NodeId)>,
    ) -> Result<()> {
        entries.sort_unstable();
        entries.dedup();
        let mut i = 0;
        while i < entries.len() {
            let first = index_sort_key(&entries[i].0, entries[i].1);
            let Some((key, old)) = self.page_for(index, &first)? else {
                let rest: Vec<(&[u8], NodeId)> = entries[i..]
                    .iter()
                    .map(|(k, n)| (k.as_slice(), *n))
                    .collect();
                for (k, v) in cut_pages(index, &rest, keys::LAST_PAGE_BOUND) {
                    self.kv_put(k, Some(v));
                }
                return Ok(());
            };
            let bound = keys::parse_index_page(&key)
                .map(|(_, b)| b.to_vec())
                .ok_or_else(|| self.corrupt("malformed index page key"))?;
            let end = i + entries[i..]
                .partition_point(|(k, n)| index_sort_key(k, *n).as_slice() <= bound.as_slice());
            let mut merged: Vec<(&[u8], NodeId)> = bucket_entries(&old).collect();
            merged.extend(entries[i..end].iter().map(|(k, n)| (k.as_slice(), *n)));
            merged.sort_unstable();
            merged.dedup();
            for (k, v) in cut_pages(index, &merged, &bound) {
                self.kv_put(k, Some(v));
            }
            i = end;
        }
        Ok(())
    }

    /// Deletes every ordered page of `index`.
    pub(crate) fn drop_pages(&mut self, index: u32) -> Result<()> {
        let pages: Vec<Vec<u8>> = self
            .kv_range(&keys::index_page_prefix(index), None, None)
            .map(|r| r.map(|(k, _)| k))
            .collect::<Result<_>>()?;
        for k in pages {
            self.kv_put(k, None);
        }
        Ok(())
    }

    /// Calls `f` with (value key, node) of every entry of `index` whose value key is in
    /// `range`, ascending by (value key, node), until `f` returns false.
    pub(crate) fn page_scan(
        &self,
        index: u32,
        range: &KeyRange,
        f: &mut dyn FnMut(&[u8], NodeId) -> Result<bool>,
    ) -> Result<()> {
        if range.lo >= range.hi {
            return Ok(());
        }
        // Deltas first (see `index_delta.rs`), then merged into the pages' entries in order.
        let mut deltas = self.index_deltas(index, &range.lo, &|vk| vk < range.hi.as_slice())?;
        deltas.retain(|(vk, _, _)| *vk >= range.lo);
        let mut pending = &deltas[..];
        let from = keys::index_page(index, &range.lo);
        for item in self.kv_range(&keys::index_page_prefix(index), Some(&from), None) {
            let (k, v) = item?;
            let in_range: Vec<(&[u8], NodeId)> = bucket_entries(&v)
                .skip_while(|(vk, _)| *vk < range.lo.as_slice())
                .take_while(|(vk, _)| *vk < range.hi.as_slice())
                .collect();
            // The deltas up to this page's last entry in range go with it; the rest wait.
            let here = in_range.last().map_or(0, |&(lk, ln)| {
                pending.partition_point(|(dk, dn, _)| (dk.as_slice(), *dn) <= (lk, ln))
            });
            for (vk, node) in merge_deltas(in_range.into_iter(), &pending[..here]) {
                if !f(vk, node)? {
                    return Ok(());
                }
            }
            pending = &pending[here..];
            // Every later page sorts above this bound.
            let bound = keys::parse_index_page(&k).map_or(&[][..], |(_, b)| b);
            if bound != keys::LAST_PAGE_BOUND && value_key_of_sort_key(bound) >= range.hi.as_slice()
            {
                break;
            }
        }
        for (vk, node) in merge_deltas(std::iter::empty(), pending) {
            if !f(vk, node)? {
                return Ok(());
            }
        }
        Ok(())
    }

    /// `kg check` of the ordered pages: each page's entries sorted and within its bounds, and
    /// all of them exactly `expected` (index, value key, node), sorted: the hash buckets' entries.
    pub(crate) fn check_pages(
        &self,
        indexes: &[IndexMeta],
        expected: &[(u32, Vec<u8>, u64)],
    ) -> Result<Vec<String>> {
        let mut problems = Vec::new();
        let mut actual: Vec<(u32, Vec<u8>, u64)> = Vec::with_capacity(expected.len());
        let mut previous: Option<(u32, Vec<u8>)> = None;
        for item in self.kv_scan(&[keys::P_INDEX_PAGE]) {
            let (k, v) = item?;
            let Some((id, bound)) = keys::parse_index_page(&k) else {
                problems.push(format!("malformed index page key {k:?}"));
                continue;
            };
            if !indexes.iter().any(|ix| ix.id == id) {
                problems.push(format!("index page {k:?} belongs to no index"));
                continue;
            }
            let floor = previous.take().filter(|(p, _)| *p == id).map(|(_, b)| b);
            let mut count = 0usize;
            let mut last: Option<Vec<u8>> = None;
            for (vk, node) in bucket_entries(&v) {
                count += 1;
                let sk = index_sort_key(vk, node);
                let ordered = last.as_ref().is_none_or(|l| *l < sk)
                    && floor.as_ref().is_none_or(|f| *f < sk)
                    && (bound == keys::LAST_PAGE_BOUND || sk.as_slice() <= bound);
                if !ordered {
                    problems.push(format!("index page {k:?} is out of order (at node {node})"));
                }
                last = Some(sk);
                actual.push((id, vk.to_vec(), node));
            }
            if count == 0 {
                problems.push(format!("index page {k:?} is empty"));
            }
            previous = Some((id, bound.to_vec()));
        }
        actual.sort_unstable();
        if actual != expected {
            let missing = expected
                .iter()
                .filter(|e| actual.binary_search(e).is_err())
                .count();
            let extra = actual
                .iter()
                .filter(|e| expected.binary_search(e).is_err())
                .count();
            problems.push(format!(
                "ordered index pages disagree with the hash buckets: {missing} entries missing, {extra} stale"
            ));
        }
        Ok(problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::index_codec::{index_key, index_prefix_range, index_range};
    use crate::store::Store;
    use crate::value::Value;

    fn vk(v: &Value) -> Vec<u8> {
        let mut k = Vec::new();
        index_key(&mut k, v).unwrap();
        k
    }

    fn scan(t: &Txn, range: &KeyRange) -> Vec<NodeId> {
        let mut out = Vec::new();
        t.page_scan(7, range, &mut |_, n| {
            out.push(n);
            Ok(true)
        })
        .unwrap();
        out
    }

    /// Pages split as they fill and empty as entries go, and a scan sees exactly the entries
    /// in range, in value order, whichever way they were written.
    #[test]
    fn pages_split_merge_and_scan_in_order() {
        let store = Store::open_temporary().unwrap();
        let mut t = store.begin();
        t.prepare_write().unwrap();
        // Many entries one at a time (splits), then a merged batch with duplicates.
        for i in (0..3000i64).rev() {
            t.page_entry(7, &vk(&Value::Int(i % 1000)), i as u64, true)
                .unwrap();
        }
        let batch: Vec<(Vec<u8>, NodeId)> = (0..500)
            .map(|i: u64| {
                (
                    vk(&Value::String(format!("s{:04}", i * 7 % 500))),
                    10_000 + i,
                )
            })
            .chain((0..10u64).map(|i| (vk(&Value::Int(i as i64)), i)))
            .collect();
        t.page_merge(7, batch).unwrap();
        let pages = t.kv_scan(&keys::index_page_prefix(7)).count();
        assert!(pages > 10, "{pages} pages");
        let r = index_range(Some(&Value::Int(10)), Some(&Value::Float(12.5))).unwrap();
        let mut want: Vec<NodeId> = (0..3000u64)
            .filter(|i| (10..=12).contains(&(i % 1000)))
            .collect();
        want.sort_by_key(|n| (n % 1000, *n));
        assert_eq!(scan(&t, &r), want);
        let r = index_prefix_range("s001");
        let got = scan(&t, &r);
        assert_eq!(got.len(), 10);
        // Remove every numeric entry: the string pages alone remain and still answer.
        for i in 0..3000i64 {
            t.page_entry(7, &vk(&Value::Int(i % 1000)), i as u64, false)
                .unwrap();
        }
        let r = index_range(Some(&Value::Int(i64::MIN)), None).unwrap();
        assert!(scan(&t, &r).is_empty());
        assert_eq!(scan(&t, &index_prefix_range("s")).len(), 500);
        let problems = t.check_pages(&[], &[]).unwrap();
        assert!(problems.iter().any(|p| p.contains("belongs to no index")));
    }
}
