//! The grouping table's keys: packed words while every key value is small and fixed-width,
//! `Value`s keyed by `GroupKey` from the first value that is not.
//!
//! Packed equality is `GroupKey` equality for the values packed: each kind has its own tag
//! (so the integer 5 and node 5 differ) and within a kind equal words are equal values.
//! Floats are not packed (1.0 groups with 1, NaN with NaN, under `GroupKey`), nor full
//! nodes, strings or lists: any of them moves the table to the general form.
//!
//! Why the words are `u32` while every key word fits, and the tags one list while every group
//! has the same: A8 of the analytics bench keeps 58M groups of two integer ids at L, and the
//! full `u64` words and a tag byte per value were 18 of each group's ≈ 36 bytes. The first word
//! past `u32` widens every word, once; the first group whose tags differ writes them out per
//! group, once. Neither changes which keys are equal: a narrow word is the wide word's value.

use std::collections::hash_map::Entry;
use std::hash::Hasher;

use hashbrown::HashTable;

use crate::error::Result;
use crate::hash::{FxHashMap, FxHasher, Prehashed};
use crate::value::{GroupKey, Value};

const NULL: u8 = 0;
const BOOL: u8 = 1;
const INT: u8 = 2;
const NODE: u8 = 3;
const REL: u8 = 4;

/// The tag and word of a value that packs.
fn pack(v: &Value) -> Option<(u8, u64)> {
    Some(match v {
        Value::Null => (NULL, 0),
        Value::Bool(b) => (BOOL, u64::from(*b)),
        Value::Int(i) => (INT, *i as u64),
        Value::NodeRef(id) => (NODE, *id),
        Value::RelRef(id) => (REL, *id),
        _ => return None,
    })
}

fn unpack(tag: u8, word: u64) -> Value {
    match tag {
        BOOL => Value::Bool(word != 0),
        INT => Value::Int(word as i64),
        NODE => Value::NodeRef(word),
        REL => Value::RelRef(word),
        _ => Value::Null,
    }
}

/// The keys of every group, in group order.
pub(super) enum Keys {
    Packed(Packed),
    General(General),
}

/// Group `g`'s key is its tags (`Tags`) and `words[g·w..][..w]`; `index` holds group
/// numbers, each with 32 bits of its key's hash (`Slot`).
pub(super) struct Packed {
    width: usize,
    tags: Tags,
    words: Words,
    index: HashTable<Slot>,
    /// The key being looked up, packed, and its words as `u32` (when `words` is narrow).
    probe: (Vec<u8>, Vec<u64>),
    narrow: Vec<u32>,
}

/// Every group's tags.
enum Tags {
    /// All groups have these (any, while there is no group).
    Same(Vec<u8>),
    /// Group `g`'s are `[g·w..][..w]`.
    Each(Vec<u8>),
}

/// Every group's words, `[g·w..][..w]`: `u32`s while every word fits in one.
enum Words {
    Narrow(Vec<u32>),
    Wide(Vec<u64>),
}

/// Group `g`'s key is `values[g·w..][..w]`.
pub(super) struct General {
    width: usize,
    len: usize,
    values: Vec<Value>,
    index: FxHashMap<Prehashed<GroupKey>, usize>,
}

/// A group number and the high half of its key's hash. Why the hash is kept: growing the
/// table rehashes every group, and hashing from the key reads it from the flat vectors at a
/// random place (two cache misses per group: 20 % of A8's time at M); the kept half also
/// rules out most unequal keys before they are read.
#[derive(Clone, Copy)]
struct Slot {
    group: u32,
    hash: u32,
}

/// 32 bits of the key's FxHash (its upper half, the better mixed).
fn hash(tags: &[u8], words: &[u64]) -> u32 {
    let mut h = FxHasher::default();
    for w in words {
        h.write_u64(*w);
    }
    for t in tags {
        h.write_u8(*t);
    }
    (h.finish() >> 32) as u32
}

/// The table's 64-bit hash of a slot's 32: the multiplication by an odd constant spreads
/// them over the top bits (hashbrown's tag byte) while the low bits (the bucket) stay a
/// permutation of the kept ones.
#[inline]
fn spread(h: u32) -> u64 {
    u64::from(h).wrapping_mul(0x9E37_79B9_7F4A_7C15)
}

/// Slice equality as a loop: keys are a few values wide, where `==` on slices calls
/// `memcmp` (6% of A8's time at M).
#[inline]
fn same<T: PartialEq>(a: &[T], b: &[T]) -> bool {
    a.len() == b.len() && a.iter().zip(b).all(|(x, y)| x == y)
}

impl Keys {
    pub fn new(width: usize) -> Keys {
        Keys::Packed(Packed {
            width,
            tags: Tags::Same(Vec::new()),
            words: Words::Narrow(Vec::new()),
            index: HashTable::new(),
            probe: (Vec::with_capacity(width), Vec::with_capacity(width)),
            narrow: Vec::with_capacity(width),
        })
    }

    pub fn width(&self) -> usize {
        match self {
            Keys::Packed(p) => p.width,
            Keys::General(g) => g.width,
        }
    }

    pub fn len(&self) -> usize {
        match self {
            Keys::Packed(p) => p.index.len(),
            Keys::General(g) => g.len,
        }
    }

    /// Appends group `g`'s key values to `out`.
    pub fn values(&self, g: usize, out: &mut Vec<Value>) {
        match self {
            Keys::Packed(p) => p.values(g, out),
            Keys::General(k) => {
                if let Some(vs) = k.values.get(g * k.width..(g + 1) * k.width) {
                    out.extend_from_slice(vs);
                }
            }
        }
    }

    /// The group with key `kv` (`width` values), `(group, false)`; or, when there is none,
    /// `created()` and then a new group after the others, `(group, true)` (nothing is entered
    /// when `created` fails).
    pub fn find_or_insert(
        &mut self,
        kv: &[Value],
        created: impl FnOnce() -> Result<()>,
    ) -> Result<(usize, bool)> {
        if let Keys::Packed(p) = self {
            // Group numbers are `u32`: a table that would pass them (far beyond any memory
            // limit today) moves to the general form like one with a key that does not pack.
            if p.pack_probe(kv) && p.index.len() < u32::MAX as usize {
                return p.find_or_insert(created);
            }
            self.make_general();
        }
        match self {
            Keys::General(k) => k.find_or_insert(kv, created),
            Keys::Packed(p) => p.find_or_insert(created),
        }
    }

    /// Moves the packed keys to the general form, group order kept.
    fn make_general(&mut self) {
        let Keys::Packed(p) = self else { return };
        let (width, len) = (p.width, p.index.len());
        let mut k = General {
            width,
            len,
            values: Vec::with_capacity(len * width),
            index: FxHashMap::default(),
        };
        k.index.reserve(len);
        for g in 0..len {
            p.values(g, &mut k.values);
            let key = crate::exec::project::row_key(&k.values[g * width..]);
            k.index.insert(Prehashed::new(key), g);
        }
        *self = Keys::General(k);
    }
}

impl Packed {
    /// Packs `kv` into the probe; false when some value does not pack.
    fn pack_probe(&mut self, kv: &[Value]) -> bool {
        let (tags, words) = &mut self.probe;
        tags.clear();
        words.clear();
        for v in kv {
            let Some((t, w)) = pack(v) else {
                return false;
            };
            tags.push(t);
            words.push(w);
        }
        true
    }

    /// Appends group `g`'s key values to `out`.
    fn values(&self, g: usize, out: &mut Vec<Value>) {
        let at = g * self.width..(g + 1) * self.width;
        let tags = match &self.tags {
            Tags::Same(t) => Some(&t[..]),
            Tags::Each(t) => t.get(at.clone()),
        };
        let Some(tags) = tags else { return };
        match &self.words {
            Words::Narrow(w) => {
                if let Some(w) = w.get(at) {
                    out.extend(tags.iter().zip(w).map(|(t, w)| unpack(*t, u64::from(*w))));
                }
            }
            Words::Wide(w) => {
                if let Some(w) = w.get(at) {
                    out.extend(tags.iter().zip(w).map(|(t, w)| unpack(*t, *w)));
                }
            }
        }
    }

    /// Makes room for the probe's key: its tags written out per group when they are not
    /// every group's, the words widened when one of its words does not fit in `u32`.
    /// Neither changes a group's key.
    fn admit_probe(&mut self) {
        let (ptags, pwords) = &self.probe;
        let len = self.index.len();
        match &mut self.tags {
            Tags::Same(t) if len == 0 => {
                t.clear();
                t.extend_from_slice(ptags);
            }
            Tags::Same(t) if t != ptags => {
                let mut each = Vec::with_capacity((len + 1) * self.width);
                for _ in 0..len {
                    each.extend_from_slice(t);
                }
                self.tags = Tags::Each(each);
            }
            _ => {}
        }
        self.narrow.clear();
        if let Words::Narrow(w) = &self.words {
            self.narrow
                .extend(pwords.iter().map_while(|p| u32::try_from(*p).ok()));
            if self.narrow.len() < pwords.len() {
                let mut wide = Vec::with_capacity(w.len() + self.width);
                wide.extend(w.iter().map(|n| u64::from(*n)));
                self.words = Words::Wide(wide);
            }
        }
    }

    /// As [`Keys::find_or_insert`], for the key in the probe.
    fn find_or_insert(&mut self, created: impl FnOnce() -> Result<()>) -> Result<(usize, bool)> {
        self.admit_probe();
        let h = hash(&self.probe.0, &self.probe.1);
        let (ptags, pwords) = &self.probe;
        let width = self.width;
        let (index, tags) = (&mut self.index, &mut self.tags);
        match &mut self.words {
            Words::Narrow(words) => {
                find_in(index, h, width, tags, ptags, words, &self.narrow, created)
            }
            Words::Wide(words) => find_in(index, h, width, tags, ptags, words, pwords, created),
        }
    }
}

/// The group whose tags are `ptags` and words `pwords` (of the table's kind: `admit_probe`
/// made them so), or a new one after `created()`.
#[allow(clippy::too_many_arguments)]
#[inline(always)]
fn find_in<W: Copy + PartialEq>(
    index: &mut HashTable<Slot>,
    h: u32,
    width: usize,
    tags: &mut Tags,
    ptags: &[u8],
    words: &mut Vec<W>,
    pwords: &[W],
    created: impl FnOnce() -> Result<()>,
) -> Result<(usize, bool)> {
    // The number a new group gets; below `u32::MAX` (checked by the caller).
    let next = index.len() as u32;
    let at = |g: u32| g as usize * width..(g as usize + 1) * width;
    // `Same` tags are the probe's (`admit_probe`): only words can tell keys apart then.
    let each = match tags {
        Tags::Each(t) => Some(&*t),
        Tags::Same(_) => None,
    };
    let entry = index.entry(
        spread(h),
        |s| {
            s.hash == h
                && same(&words[at(s.group)], pwords)
                && each.is_none_or(|t| same(&t[at(s.group)], ptags))
        },
        |s| spread(s.hash),
    );
    match entry {
        hashbrown::hash_table::Entry::Occupied(o) => Ok((o.get().group as usize, false)),
        hashbrown::hash_table::Entry::Vacant(v) => {
            created()?;
            v.insert(Slot {
                group: next,
                hash: h,
            });
            if let Tags::Each(t) = tags {
                t.extend_from_slice(ptags);
            }
            words.extend_from_slice(pwords);
            Ok((next as usize, true))
        }
    }
}

impl General {
    fn find_or_insert(
        &mut self,
        kv: &[Value],
        created: impl FnOnce() -> Result<()>,
    ) -> Result<(usize, bool)> {
        match self
            .index
            .entry(Prehashed::new(crate::exec::project::row_key(kv)))
        {
            Entry::Occupied(o) => Ok((*o.get(), false)),
            Entry::Vacant(v) => {
                created()?;
                v.insert(self.len);
                self.values.extend_from_slice(kv);
                self.len += 1;
                Ok((self.len - 1, true))
            }
        }
    }
}
