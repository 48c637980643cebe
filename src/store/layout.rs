//! One writer per byte format: the index entries, index buckets, index deltas, ordered index pages, label
//! bits and adjacency splits that the transaction (`write.rs`), bulk (`bulk.rs`) and upgrade
//! (`migrate.rs`) paths write are encoded here and nowhere else.
//!
//! Keys are built in `keys.rs`, single records (node, relationship, adjacency section, block
//! slots, degree entries) in `records.rs`, property values in `codec.rs`; this module holds
//! what combines them into the bytes of one stored key, so that a change of an entry's layout
//! is one edit and the three write paths cannot drift apart. The layout itself is described in
//! `mod.rs` (the key table).

use crate::value::Value;

use super::codec::{get_varint, put_varint};
use super::index_codec::{index_key, index_key_prefix, index_sort_key, value_key_of_sort_key};
use super::keys;
use super::records::{block_append, encode_section, AdjList, BITMAP_BYTES};

// ---- property-index entries -----------------------------------------------------------------
// An index bucket `'I' index bucket` holds repeated (key length varint, index key bytes, node id
// varint), sorted by (key, node) and without duplicates; the bucket is chosen by the FNV-1a of
// the key's equality prefix (so numbers that are equal in Cypher share a bucket).

/// The two encodings of one indexed value: the equality prefix that chooses its bucket and the
/// full key stored in the bucket (the prefix plus what orders values that compare equal).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct IndexEntry {
    pub prefix: Vec<u8>,
    pub key: Vec<u8>,
}

impl IndexEntry {
    /// The entry of `value`, or `None` when the value is not indexed (null, NaN, a map...).
    pub fn of(value: &Value) -> Option<IndexEntry> {
        let mut prefix = Vec::new();
        index_key_prefix(&mut prefix, value)?;
        let mut key = Vec::new();
        index_key(&mut key, value)?;
        Some(IndexEntry { prefix, key })
    }

    /// The bucket key this entry lives under in index `index` of `buckets` buckets.
    pub fn bucket(&self, index: u32, buckets: u32) -> Vec<u8> {
        keys::index_bucket(index, buckets, &self.prefix)
    }
}

/// The (index key, node) entries of a bucket, in stored order.
pub fn bucket_entries(bucket: &[u8]) -> impl Iterator<Item = (&[u8], u64)> {
    let mut pos = 0usize;
    std::iter::from_fn(move || {
        let len = usize::try_from(get_varint(bucket, &mut pos)?).ok()?;
        let key = bucket.get(pos..pos.checked_add(len)?)?;
        pos += len;
        let node = get_varint(bucket, &mut pos)?;
        Some((key, node))
    })
}

/// A bucket's value from its entries, which the caller has sorted and deduplicated.
pub fn encode_bucket<K: AsRef<[u8]>>(entries: &[(K, u64)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (k, n) in entries {
        let k = k.as_ref();
        put_varint(&mut out, k.len() as u64);
        out.extend_from_slice(k);
        put_varint(&mut out, *n);
    }
    out
}

/// A copy of the bucket with (key, node) inserted (`add`) or removed.
pub fn bucket_update(bucket: &[u8], key: &[u8], node: u64, add: bool) -> Vec<u8> {
    let mut entries: Vec<(&[u8], u64)> = bucket_entries(bucket).collect();
    match entries.binary_search(&(key, node)) {
        Ok(i) if !add => {
            entries.remove(i);
        }
        Err(i) if add => entries.insert(i, (key, node)),
        _ => {}
    }
    encode_bucket(&entries)
}

/// The bucket `old` with the entries `new` merged in (a bulk load's batch).
pub fn bucket_merge(old: &[u8], mut new: Vec<(Vec<u8>, u64)>) -> Vec<u8> {
    new.extend(bucket_entries(old).map(|(k, n)| (k.to_vec(), n)));
    new.sort_unstable();
    new.dedup();
    encode_bucket(&new)
}

// ---- index deltas (format 11, `index_delta.rs`) ------------------------------------------
// `'J' index:u32 sort key` where the sort key is the value's index key then the node id (8
// bytes, big-endian), as in the ordered pages; the value is one byte, 1 when the entry is in
// the index, 0 when it was removed. A transaction writes one such key per entry it adds or
// removes; compaction folds them into the buckets and pages.

/// The delta key of entry (value key, node) of index `index`.
pub fn delta_key(index: u32, value_key: &[u8], node: u64) -> Vec<u8> {
    let mut k = keys::index_delta_prefix(index);
    k.extend_from_slice(&index_sort_key(value_key, node));
    k
}

/// (index, value key, node) of a delta key; `None` when it is not one.
pub fn parse_delta_key(key: &[u8]) -> Option<(u32, &[u8], u64)> {
    let id: [u8; 4] = key.get(1..5)?.try_into().ok()?;
    if key.first() != Some(&keys::P_INDEX_DELTA) || key.len() < 5 + 1 + 8 {
        return None;
    }
    let sort_key = &key[5..];
    let node: [u8; 8] = sort_key.get(sort_key.len() - 8..)?.try_into().ok()?;
    Some((
        u32::from_be_bytes(id),
        value_key_of_sort_key(sort_key),
        u64::from_be_bytes(node),
    ))
}

/// The value of a delta: whether the entry is in the index.
pub fn delta_value(present: bool) -> Vec<u8> {
    vec![u8::from(present)]
}

/// Whether a delta's value says the entry is in the index; `None` for a malformed value.
pub fn delta_present(value: &[u8]) -> Option<bool> {
    match value {
        [1] => Some(true),
        [0] => Some(false),
        _ => None,
    }
}

// ---- label bitmaps ----------------------------------------------------------------------------
// `'L' label node>>12`: 4096 bits, bit i set when node (base + i) carries the label.

/// An all-clear bitmap, for a label's first node in a range.
pub fn empty_bitmap() -> Vec<u8> {
    vec![0; BITMAP_BYTES]
}

/// Sets or clears `node`'s bit in its label bitmap; `None` when `bits` is not a bitmap.
pub fn set_label_bit(bits: &mut [u8], node: u64, on: bool) -> Option<()> {
    if bits.len() != BITMAP_BYTES {
        return None;
    }
    let bit = (node & ((1 << keys::LABEL_SHIFT) - 1)) as usize;
    let byte = bits.get_mut(bit / 8)?;
    if on {
        *byte |= 1 << (bit % 8);
    } else {
        *byte &= !(1 << (bit % 8));
    }
    Some(())
}

// ---- adjacency blocks by direction (format 5) ------------------------------------------------

/// Splits one node's adjacency lists into its outgoing and its incoming block, appending the
/// node's section at `slot` to each block that gets lists.
pub fn append_split_section(out: &mut Vec<u8>, inc: &mut Vec<u8>, slot: u8, lists: Vec<AdjList>) {
    let (mut o, mut i): (Vec<_>, Vec<_>) = lists.into_iter().partition(|l| !l.incoming);
    for (block, lists) in [(out, &mut o), (inc, &mut i)] {
        if !lists.is_empty() {
            block_append(block, slot, &encode_section(lists));
        }
    }
}

// ---- ordered index pages (`ordered.rs` keeps them; format 10) -----------------------------

/// A page larger than this is cut in pieces.
pub(crate) const PAGE_MAX_BYTES: usize = 8 << 10;
/// The size pages are cut to, when built or split: room for inserts before the next split.
const PAGE_FILL_BYTES: usize = 4 << 10;

/// The encoded size of one entry (as in a hash bucket: key length, key, node id).
fn entry_bytes(value_key: &[u8], node: u64) -> usize {
    let mut scratch = Vec::with_capacity(20);
    put_varint(&mut scratch, value_key.len() as u64);
    put_varint(&mut scratch, node);
    scratch.len() + value_key.len()
}

/// Appends one page entry, encoded as in a hash bucket.
pub(crate) fn put_page_entry(out: &mut Vec<u8>, value_key: &[u8], node: u64) {
    put_varint(out, value_key.len() as u64);
    out.extend_from_slice(value_key);
    put_varint(out, node);
}

/// Cuts sorted entries into pages: one page under `bound` when they fit in
/// [`PAGE_MAX_BYTES`], else pieces of about [`PAGE_FILL_BYTES`], each but the last under the
/// sort key of its own last entry, the last under `bound`. Returns (page key, value) pairs.
pub(crate) fn cut_pages(
    index: u32,
    entries: &[(&[u8], u64)],
    bound: &[u8],
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let total: usize = entries.iter().map(|(k, n)| entry_bytes(k, *n)).sum();
    let target = if total <= PAGE_MAX_BYTES {
        usize::MAX
    } else {
        PAGE_FILL_BYTES
    };
    let mut pages = Vec::new();
    let mut page = Vec::new();
    for (i, &(k, n)) in entries.iter().enumerate() {
        put_page_entry(&mut page, k, n);
        if page.len() >= target && i + 1 < entries.len() {
            pages.push((
                keys::index_page(index, &index_sort_key(k, n)),
                std::mem::take(&mut page),
            ));
        }
    }
    if !page.is_empty() {
        pages.push((keys::index_page(index, bound), page));
    }
    pages
}

/// The ordered pages of every index, built from its hash buckets' entries (the format 10
/// upgrade): `buckets` yields (bucket key, bucket value) of `'I'` keys in any order.
pub(crate) fn pages_from_buckets(
    buckets: impl Iterator<Item = (Vec<u8>, Vec<u8>)>,
) -> Vec<(Vec<u8>, Vec<u8>)> {
    let mut by_index: std::collections::BTreeMap<u32, Vec<(Vec<u8>, u64)>> = Default::default();
    for (k, v) in buckets {
        if let Some(id) = keys::index_of_bucket(&k) {
            let list = by_index.entry(id).or_default();
            list.extend(bucket_entries(&v).map(|(vk, n)| (vk.to_vec(), n)));
        }
    }
    let mut out = Vec::new();
    for (id, mut list) in by_index {
        list.sort_unstable();
        list.dedup();
        let borrowed: Vec<(&[u8], u64)> = list.iter().map(|(k, n)| (k.as_slice(), *n)).collect();
        out.extend(cut_pages(id, &borrowed, keys::LAST_PAGE_BOUND));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bucket_round_trips_and_updates_in_order() {
        let a = IndexEntry::of(&Value::Int(1)).unwrap();
        let b = IndexEntry::of(&Value::String("b".into())).unwrap();
        let bucket = bucket_update(&[], &b.key, 7, true);
        let bucket = bucket_update(&bucket, &a.key, 9, true);
        let bucket = bucket_update(&bucket, &a.key, 9, true);
        let got: Vec<_> = bucket_entries(&bucket)
            .map(|(k, n)| (k.to_vec(), n))
            .collect();
        let mut want = vec![(a.key.clone(), 9), (b.key.clone(), 7)];
        want.sort();
        assert_eq!(got, want, "sorted, a second add is no duplicate");
        let merged = bucket_merge(&bucket, vec![(a.key.clone(), 3), (b.key.clone(), 7)]);
        assert_eq!(bucket_entries(&merged).count(), 3);
        assert_eq!(merged, {
            let mut all = want.clone();
            all.push((a.key.clone(), 3));
            all.sort();
            encode_bucket(&all)
        });
        let removed = bucket_update(&merged, &a.key, 3, false);
        assert_eq!(removed, bucket);
    }

    #[test]
    fn unindexable_values_have_no_entry_and_equal_numbers_share_a_bucket() {
        assert_eq!(IndexEntry::of(&Value::Null), None);
        let i = IndexEntry::of(&Value::Int(2)).unwrap();
        let f = IndexEntry::of(&Value::Float(2.0)).unwrap();
        assert_eq!(i.bucket(3, 64), f.bucket(3, 64));
        assert_ne!(i.key, f.key);
    }

    #[test]
    fn delta_keys_round_trip_and_sort_like_the_pages() {
        let a = IndexEntry::of(&Value::String("a".into())).unwrap();
        let ab = IndexEntry::of(&Value::String("ab".into())).unwrap();
        let k = delta_key(7, &a.key, 300);
        assert_eq!(parse_delta_key(&k), Some((7, a.key.as_slice(), 300)));
        assert!(k < delta_key(7, &a.key, 301));
        assert!(delta_key(7, &a.key, u64::MAX) < delta_key(7, &ab.key, 0));
        assert_eq!(parse_delta_key(&k[..12]), None);
        assert_eq!(parse_delta_key(&keys::index_page(7, &k[5..])), None);
        assert_eq!(delta_present(&delta_value(true)), Some(true));
        assert_eq!(delta_present(&delta_value(false)), Some(false));
        assert_eq!(delta_present(&[2]), None);
    }

    #[test]
    fn label_bits_set_and_clear_and_refuse_a_short_bitmap() {
        let mut bits = empty_bitmap();
        set_label_bit(&mut bits, 4096 + 9, true).unwrap();
        assert_eq!(bits[1], 1 << 1);
        set_label_bit(&mut bits, 9, false).unwrap();
        assert!(bits.iter().all(|b| *b == 0));
        assert_eq!(set_label_bit(&mut [0u8; 3], 1, true), None);
    }
}
