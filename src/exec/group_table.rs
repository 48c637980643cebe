//! The grouping table that aggregation fills: groups in first-row order, found by their key
//! values under Cypher equivalence, each aggregate's state kept in a column of its own. Its
//! own file so that the serial aggregation (`aggregate.rs`), the parallel one (`parallel.rs`)
//! and the fused expansion (`expand_agg.rs`) share it without importing each other.
//!
//! Why compact: a statement that groups tens of millions of pairs (the analytics bench's A8
//! at L) held ≈ 250 B per group in a table of `(Vec<Value>, Vec<Box<dyn Aggregator>>)` with
//! a hashed copy of the key, and stopped at the memory limit. Here a key of small
//! fixed-width values (null, booleans, integers, node and relationship ids) is packed into
//! one word (`u32` while every word fits, else `u64`) and one tag byte per value (one list
//! for all groups while they agree) in flat vectors, found through one hash table of
//! `u32` group numbers, each with 32 bits of its key's hash (`keys.rs`), and `count`, `count(*)`, `sum`, `avg`, `min` and `max`
//! keep their state inline in a vector per aggregate (`columns.rs`), running the very code
//! the boxed aggregators run. Any other key value moves the keys, once, to a table of
//! `Value`s keyed by `GroupKey` as before; any other aggregate keeps a boxed aggregator per
//! group. Answers, group order, error order and what the memory limit counts are unchanged.

mod columns;
mod keys;
#[cfg(test)]
mod tests;

use crate::error::Result;
use crate::exec::expand_agg::GroupTable;
use crate::exec::Row;
use crate::plan::AggSpec;
use crate::value::Value;

pub(crate) use columns::Column;
use keys::Keys;

/// Groups in first-row order: their keys and one column per aggregate.
pub(crate) struct Groups {
    keys: Keys,
    cols: Vec<Column>,
    /// The key values of a group of a table being merged in (reused).
    buf: Vec<Value>,
}

impl Groups {
    /// A table for keys of `width` values and the aggregates `aggs`, as the serial
    /// aggregation runs them (`why_limit` bounds a lineage aggregate's facts).
    pub fn serial(width: usize, aggs: &[AggSpec], why_limit: usize) -> Groups {
        Groups::new(
            width,
            aggs.iter().map(|a| Column::serial(a, why_limit)).collect(),
        )
    }

    /// A table for one morsel of a parallel aggregation (aggregates that merge), or `None`
    /// when some aggregate cannot merge.
    pub fn partial(width: usize, aggs: &[AggSpec]) -> Option<Groups> {
        let cols = aggs.iter().map(Column::partial).collect::<Option<_>>()?;
        Some(Groups::new(width, cols))
    }

    fn new(width: usize, cols: Vec<Column>) -> Groups {
        Groups {
            keys: Keys::new(width),
            cols,
            buf: Vec::with_capacity(width),
        }
    }

    pub fn len(&self) -> usize {
        self.keys.len()
    }

    /// The group with key values `kv`, created after the others when new: `(group, new)`.
    /// A new group's columns get their fresh state before its key is entered, so a failure
    /// leaves the table as it was.
    fn find(&mut self, kv: &[Value], fresh: bool) -> Result<(usize, bool)> {
        let cols = &mut self.cols;
        self.keys.find_or_insert(kv, || {
            if fresh {
                let n = cols.first().map_or(0, Column::len);
                for i in 0..cols.len() {
                    if let Err(e) = cols[i].push_fresh() {
                        cols[..i].iter_mut().for_each(|c| c.truncate(n));
                        return Err(e);
                    }
                }
            }
            Ok(())
        })
    }

    /// Folds in `later`, a table of the rows that follow this one's (a parallel scan's next
    /// morsel), group by group in its order: the groups and states one table fed all the
    /// rows in order would hold. `tick` polls the statement's limits per group.
    pub fn merge(&mut self, mut later: Groups, tick: &mut dyn FnMut() -> Result<()>) -> Result<()> {
        let mut kv = std::mem::take(&mut self.buf);
        for h in 0..later.len() {
            tick()?;
            kv.clear();
            later.keys.values(h, &mut kv);
            let (g, new) = self.find(&kv, false)?;
            for (mine, theirs) in self.cols.iter_mut().zip(later.cols.iter_mut()) {
                let state = theirs.take(h);
                if new {
                    mine.push(state)?;
                } else {
                    mine.merge(g, state)?;
                }
            }
        }
        self.buf = kv;
        Ok(())
    }

    /// The aggregation's rows, key values then aggregate values, in group order (a global
    /// aggregation over no rows has its one group all the same). Every aggregate that may
    /// fail is finished here, group by group as before, so an error comes before any row;
    /// the rows themselves are built one at a time as they are read.
    pub fn finish(self, global: bool) -> Result<Finished> {
        self.finish_at(global).map_err(|(_, e)| e)
    }

    /// As [`Groups::finish`], an error given with the group whose aggregate raised it.
    pub fn finish_at(
        mut self,
        global: bool,
    ) -> std::result::Result<Finished, (usize, crate::error::Error)> {
        if global && self.len() == 0 {
            self.find(&[], true).map_err(|e| (0, e))?;
        }
        let mut done: Vec<Option<Vec<Value>>> = self
            .cols
            .iter()
            .map(|c| c.may_fail().then(|| Vec::with_capacity(self.keys.len())))
            .collect();
        for g in 0..self.len() {
            for (col, out) in self.cols.iter_mut().zip(done.iter_mut()) {
                if let Some(out) = out {
                    out.push(col.finish(g).map_err(|e| (g, e))?);
                }
            }
        }
        for (col, out) in self.cols.iter_mut().zip(done) {
            if let Some(values) = out {
                *col = Column::Done(values);
            }
        }
        Ok(Finished {
            groups: self,
            next: 0,
        })
    }
}

impl GroupTable for Groups {
    fn group(&mut self, kv: &[Value]) -> Result<usize> {
        self.find(kv, true).map(|(g, _)| g)
    }

    fn update(&mut self, g: usize, agg: usize, args: &[Value]) -> Result<()> {
        match self.cols.get_mut(agg) {
            Some(c) => c.update(g, args),
            None => Ok(()),
        }
    }
}

/// A finished table read as rows.
pub(crate) struct Finished {
    groups: Groups,
    next: usize,
}

impl Iterator for Finished {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        let g = self.next;
        if g >= self.groups.len() {
            return None;
        }
        self.next += 1;
        let mut row = Vec::with_capacity(self.groups.keys.width() + self.groups.cols.len());
        self.groups.keys.values(g, &mut row);
        row.extend(self.groups.cols.iter_mut().map(|c| c.value(g)));
        Some(row)
    }
}
