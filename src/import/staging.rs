//! What an import keeps between reading its files and writing them: interned names and counts
//! (never the entities: the write reads the files again), and the shapes of a parsed CSV line.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use crate::value::Value;

/// A fast hasher for integer and short-string keys (ids); not DoS-resistant, which an import
/// of the user's own files does not need.
#[derive(Default, Clone, Copy)]
pub struct FastHasher(u64);

impl Hasher for FastHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for chunk in bytes.chunks(8) {
            let mut b = [0u8; 8];
            b[..chunk.len()].copy_from_slice(chunk);
            self.write_u64(u64::from_le_bytes(b));
        }
    }
    fn write_u64(&mut self, i: u64) {
        self.0 = (self.0.rotate_left(5) ^ i).wrapping_mul(0x51_7c_c1_b7_27_22_0a_95);
    }
    fn write_u32(&mut self, i: u32) {
        self.write_u64(u64::from(i));
    }
    fn write_usize(&mut self, i: usize) {
        self.write_u64(i as u64);
    }
    fn write_i64(&mut self, i: i64) {
        self.write_u64(i as u64);
    }
}

pub type FastMap<K, V> = HashMap<K, V, BuildHasherDefault<FastHasher>>;

/// Strings (labels, types, property keys) by dense index.
#[derive(Default, Debug)]
pub struct Interner {
    pub names: Vec<String>,
    index: HashMap<String, u32>,
}

impl Interner {
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&i) = self.index.get(s) {
            return i;
        }
        let i = self.names.len() as u32;
        self.names.push(s.to_string());
        self.index.insert(s.to_string(), i);
        i
    }
}

/// A node of a CSV line; labels and property keys by interned index.
#[derive(Debug)]
pub struct StagedNode {
    pub labels: Vec<u32>,
    pub props: Vec<(u32, Value)>,
}

/// A relationship of a CSV line between two nodes by their number in the import.
#[derive(Debug)]
pub struct StagedRel {
    pub rel_type: u32,
    pub start: u32,
    pub end: u32,
    pub props: Vec<(u32, Value)>,
}

/// An entity parsed from one CSV line.
#[derive(Debug)]
pub enum Staged {
    Node(StagedNode),
    Rel(StagedRel),
}

#[derive(Default, Debug)]
pub struct Staging {
    pub labels: Interner,
    pub types: Interner,
    pub keys: Interner,
    /// Entities checked, kept or not, and nodes per label (by interned index): what the
    /// progress bar and the planned indexes need without the entities.
    pub node_count: u64,
    pub rel_count: u64,
    pub label_nodes: Vec<u64>,
    /// (label, property) pairs worth an index after the load: CSV `id:ID(Company)` columns.
    pub id_indexes: Vec<(String, String)>,
}

impl Staging {
    /// Counts a checked node (without keeping it).
    pub fn count_node(&mut self, labels: &[u32]) {
        self.node_count += 1;
        for &l in labels {
            let l = l as usize;
            if self.label_nodes.len() <= l {
                self.label_nodes.resize(l + 1, 0);
            }
            self.label_nodes[l] += 1;
        }
    }
}

/// Lines rejected so far (with `--skip-bad`) and their first few messages.
#[derive(Default, Debug)]
pub struct BadLines {
    pub count: u64,
    pub first: Vec<String>,
}

impl BadLines {
    pub const KEEP: usize = 20;
    pub fn add(&mut self, msg: String) {
        self.count += 1;
        if self.first.len() < Self::KEEP {
            self.first.push(msg);
        }
    }
}
