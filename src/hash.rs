//! A fast non-cryptographic hasher (the FxHash mix) for the executor's in-memory tables.

use std::collections::{HashMap, HashSet};
use std::hash::{BuildHasher, BuildHasherDefault, Hash, Hasher};

/// `HashMap` with [`FxHasher`]: grouping keys, visited sets and distinct sets. Keys come from
/// the user's own graph, so hash flooding is not a threat model here.
pub type FxHashMap<K, V> = HashMap<K, V, BuildHasherDefault<FxHasher>>;
pub type FxHashSet<K> = HashSet<K, BuildHasherDefault<FxHasher>>;

const SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// rustc's FxHasher: one rotate, xor and multiply per word.
#[derive(Clone, Copy, Default)]
pub struct FxHasher {
    hash: u64,
}

impl FxHasher {
    #[inline]
    fn add(&mut self, word: u64) {
        self.hash = (self.hash.rotate_left(5) ^ word).wrapping_mul(SEED);
    }
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut w = [0u8; 8];
            w.copy_from_slice(c);
            self.add(u64::from_le_bytes(w));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut w = [0u8; 8];
            w[..rest.len()].copy_from_slice(rest);
            self.add(u64::from_le_bytes(w));
        }
    }
    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u32(&mut self, i: u32) {
        self.add(u64::from(i));
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.add(i);
    }
    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.add(i as u64);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// A key stored with its hash, computed once. A table that grows to millions of entries
/// (one group per pair of nodes) rehashes from the stored hash instead of reading every key
/// again, which for a key on the heap (a list of grouping values) is a cache miss each.
#[derive(Clone, Debug)]
pub struct Prehashed<K> {
    hash: u64,
    key: K,
}

impl<K: Hash> Prehashed<K> {
    pub fn new(key: K) -> Prehashed<K> {
        Prehashed {
            hash: BuildHasherDefault::<FxHasher>::default().hash_one(&key),
            key,
        }
    }
}

impl<K: PartialEq> PartialEq for Prehashed<K> {
    fn eq(&self, other: &Self) -> bool {
        self.hash == other.hash && self.key == other.key
    }
}

impl<K: Eq> Eq for Prehashed<K> {}

impl<K> Hash for Prehashed<K> {
    fn hash<H: Hasher>(&self, state: &mut H) {
        state.write_u64(self.hash);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_inputs_hash_equal_and_tails_matter() {
        let h = |b: &[u8]| {
            let mut s = FxHasher::default();
            s.write(b);
            s.finish()
        };
        assert_eq!(h(b"abcdefghij"), h(b"abcdefghij"));
        assert_ne!(h(b"abcdefghij"), h(b"abcdefghik"));
        let mut set: FxHashSet<u64> = FxHashSet::default();
        assert!(set.insert(7) && !set.insert(7));
    }

    #[test]
    fn prehashed_keys_are_equal_exactly_when_their_keys_are() {
        let mut set: FxHashSet<Prehashed<Vec<i64>>> = FxHashSet::default();
        for i in 0..10_000 {
            assert!(set.insert(Prehashed::new(vec![i, i + 1])));
        }
        assert!(!set.insert(Prehashed::new(vec![5, 6])));
        assert!(set.contains(&Prehashed::new(vec![9_999, 10_000])));
        assert!(!set.contains(&Prehashed::new(vec![6, 5])));
        assert_eq!(set.len(), 10_000);
    }
}
