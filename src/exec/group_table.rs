//! The grouping table that aggregation fills: groups in first-row order, found by their key
//! values under Cypher equivalence. Its own file so that the serial aggregation
//! (`aggregate.rs`) and the parallel one (`parallel.rs`, which `aggregate.rs` calls) share it
//! without importing each other.

use std::collections::hash_map::Entry;

use crate::error::Result;
use crate::exec::expand_agg::GroupTable;
use crate::expr::GroupKey;
use crate::functions::Aggregator;
use crate::hash::{FxHashMap, Prehashed};
use crate::value::Value;

/// One group: its key values and an aggregator per aggregate expression.
pub(crate) type Group = (Vec<Value>, Vec<Box<dyn Aggregator>>);

/// A grouping table for the fused expansion (`expand_agg.rs`): groups in first-row order,
/// found by their key; `make` gives a new group its aggregators.
pub(crate) struct Table<F> {
    pub index: FxHashMap<Prehashed<GroupKey>, usize>,
    pub groups: Vec<Group>,
    pub make: F,
}

impl<F: FnMut() -> Result<Vec<Box<dyn Aggregator>>>> Table<F> {
    pub fn new(make: F) -> Self {
        Table {
            index: FxHashMap::default(),
            groups: Vec::new(),
            make,
        }
    }
}

impl<F: FnMut() -> Result<Vec<Box<dyn Aggregator>>>> GroupTable for Table<F> {
    fn group(&mut self, kv: &[Value]) -> Result<usize> {
        Ok(
            match self
                .index
                .entry(Prehashed::new(crate::exec::project::row_key(kv)))
            {
                Entry::Occupied(o) => *o.get(),
                Entry::Vacant(v) => {
                    v.insert(self.groups.len());
                    self.groups.push((kv.to_vec(), (self.make)()?));
                    self.groups.len() - 1
                }
            },
        )
    }

    fn update(&mut self, g: usize, agg: usize, args: &[Value]) -> Result<()> {
        match self.groups.get_mut(g).and_then(|(_, a)| a.get_mut(agg)) {
            Some(a) => a.update(args),
            None => Ok(()),
        }
    }
}

/// Each group's row: its key values followed by every aggregate's result.
pub(crate) fn finish_groups(groups: Vec<Group>) -> Result<Vec<crate::exec::Row>> {
    let mut out = Vec::with_capacity(groups.len());
    for (mut kv, mut aggs) in groups {
        for a in aggs.iter_mut() {
            kv.push(a.finish()?);
        }
        out.push(kv);
    }
    Ok(out)
}
