//! Node ids by CSV ID space: what resolves a relationship's `:START_ID` / `:END_ID` to the
//! node it names. The only part of a CSV import that grows with the input (`stream.rs`).

use super::staging::FastMap;
use super::IdType;
use crate::error::{Error, Result};
use crate::model::NodeId;

/// Per ID space, its node ids → the node's number in the import (0, 1, … in file order).
///
/// Integer ids: a hash map while node files are read (it finds duplicates), replaced by a dense
/// table `id → number` (4 bytes per slot) when the ids are small and dense, as generated ids
/// usually are; otherwise the map stays (about 18–36 bytes per node, hashbrown's load factor).
/// String ids: a map from the boxed id (24 bytes per node plus the id's own heap bytes).
#[derive(Default)]
pub struct IdMaps {
    int: Vec<FastMap<i64, u32>>,
    string: Vec<FastMap<Box<str>, u32>>,
    dense: Vec<Option<Vec<u32>>>,
}

impl IdMaps {
    pub fn ensure(&mut self, space: u32) {
        let n = space as usize + 1;
        if self.int.len() < n {
            self.int.resize_with(n, FastMap::default);
            self.string.resize_with(n, FastMap::default);
            self.dense.resize_with(n, || None);
        }
    }

    /// Records node `index`'s id; `Ok(false)` if the id is already taken in its space, which
    /// keeps the node that took it first (a skipped duplicate must not take its id over).
    pub fn insert(
        &mut self,
        id_type: IdType,
        space: u32,
        text: &str,
        index: u32,
    ) -> std::result::Result<bool, String> {
        use std::collections::hash_map::Entry;
        self.ensure(space);
        let s = space as usize;
        let fresh = match id_type {
            IdType::Integer => match self.int[s].entry(parse_int(text)?) {
                Entry::Vacant(v) => v.insert(index) == &index,
                Entry::Occupied(_) => false,
            },
            IdType::String => match self.string[s].entry(text.into()) {
                Entry::Vacant(v) => v.insert(index) == &index,
                Entry::Occupied(_) => false,
            },
        };
        Ok(fresh)
    }

    /// Builds the dense tables once every node file is read, and frees the maps they replace.
    pub fn freeze(&mut self) {
        for (space, map) in self.int.iter_mut().enumerate() {
            let max = map.keys().copied().max().unwrap_or(-1);
            let min = map.keys().copied().min().unwrap_or(0);
            if map.is_empty() || min < 0 || max as u64 > 4 * map.len() as u64 + 1024 {
                continue;
            }
            let mut table = vec![u32::MAX; max as usize + 1];
            for (&id, &idx) in map.iter() {
                table[id as usize] = idx;
            }
            self.dense[space] = Some(table);
            *map = FastMap::default();
        }
    }

    /// The number of the node with this id in `space`, if any.
    pub fn get(
        &self,
        id_type: IdType,
        space: u32,
        text: &str,
    ) -> std::result::Result<Option<u32>, String> {
        let s = space as usize;
        match id_type {
            IdType::Integer => {
                let i = parse_int(text)?;
                if let Some(Some(table)) = self.dense.get(s) {
                    return Ok(usize::try_from(i)
                        .ok()
                        .and_then(|i| table.get(i))
                        .copied()
                        .filter(|&x| x != u32::MAX));
                }
                Ok(self.int.get(s).and_then(|m| m.get(&i)).copied())
            }
            IdType::String => Ok(self.string.get(s).and_then(|m| m.get(text)).copied()),
        }
    }
}

pub fn parse_int(text: &str) -> std::result::Result<i64, String> {
    text.trim()
        .parse()
        .map_err(|_| format!("id `{text}` is not an integer (--id-type integer)"))
}

/// The bulk loader's ids of the import's nodes, shared by the streaming write passes
/// (`stream.rs`, `twopass.rs`): the loader numbers nodes consecutively, so node number `i` is
/// `base + i` and no table of written ids is needed.
#[derive(Default)]
pub struct NodeNumbers {
    /// The id of the import's node number 0, once written.
    base: Option<NodeId>,
    /// Nodes written so far.
    pub count: u64,
}

impl NodeNumbers {
    /// Records the id the loader gave the next node: an error if it is not the next number.
    pub fn record(&mut self, id: NodeId) -> Result<()> {
        let base = *self.base.get_or_insert(id);
        if id != base + self.count {
            return Err(Error::Io(format!(
                "the bulk loader numbered node {} of the import {id}, not {}",
                self.count,
                base + self.count
            )));
        }
        self.count += 1;
        Ok(())
    }

    /// The loader's id of node number `n` (a relationship's end): an error before any node.
    pub fn id(&self, n: u32) -> Result<NodeId> {
        let base = self
            .base
            .ok_or_else(|| Error::Io("a relationship before any node of the import".into()))?;
        Ok(base + u64::from(n))
    }
}
