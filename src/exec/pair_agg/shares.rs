//! The pair aggregation on several threads, the groups shared out by key: every worker walks
//! all the pairs, and keeps only the groups whose key falls in its share.
//!
//! Why by key and not by input row: A8 of the analytics bench puts 1.1M pairs into 1.1M
//! groups at M, and its time is the grouping table's (walking the pairs alone is a fifth of
//! it). Tables of morsels of the input would hold nearly every group once each, and merging
//! them would insert every group again. Shared out by key, no group is in two tables and
//! nothing is merged; the walk, repeated by every worker, is the part not divided.
//!
//! Exactness: a worker sees every pair in the serial order and evaluates every filter, key
//! and argument as the serial run does; a group and all of its updates belong to one worker,
//! fed the serial run's rows in the serial order into the serial run's table
//! (`Groups::serial`), so each aggregate's input sequence, a float sum included, is the
//! serial one. Each group keeps the number of the row that created it (as the gap from the
//! share's previous group, `Firsts`); reading the finished tables in the order of those
//! numbers gives the serial group order. The share of
//! a key is a hash of its `GroupKey`s, so equivalent keys (`1` and `1.0`) share a worker.
//!
//! Errors: an error of a filter, key or argument is met by every worker that gets that far;
//! an error of a table call (a new group, an update) only by the group's worker. Each worker
//! stops at its first error and says where it was, in table calls made (those of other
//! workers' groups counted too); the one met first is the serial run's (module docs of
//! `pair_agg.rs` for why the pairs fail where the serial run fails). A finished table's error
//! is its group's, and the group created first wins. An error of the input comes after its
//! rows' pairs, as in the serial run.
//!
//! Which statements: a pair aggregation with grouping keys, whose expressions are all
//! deterministic (no `rand()`, no real-time clock: every worker must compute the same
//! values) and that has no lineage aggregate, when the statement may use several threads
//! and its pairs (the degrees' product per input row) are at least [`MIN_PAIRS`].

use std::hash::{Hash, Hasher};

use crate::error::{Error, Result};
use crate::exec::expand_agg::GroupTable;
use crate::exec::group_table::{Finished, Groups};
use crate::exec::{ExecCtx, Row};
use crate::hash::FxHasher;
use crate::plan::AggSpec;
use crate::value::{GroupKey, Value};

use super::PairGroups;

/// The fewest pairs for which workers start: below it the walk takes a few ms at most.
const MIN_PAIRS: u64 = 1 << 17;
/// The input rows whose degrees are read to estimate the pairs.
const SAMPLE: usize = 1024;
/// The group number `GroupTable::group` gives for a group of another worker's share.
const ELSEWHERE: usize = usize::MAX;

thread_local! {
    static SHARED: std::cell::Cell<usize> = const { std::cell::Cell::new(0) };
}

/// How many pair aggregations statements on this thread have run on several threads (so a
/// test can tell the path was taken: PROFILE runs the operators instead).
pub fn shared_on_this_thread() -> usize {
    SHARED.with(std::cell::Cell::get)
}

/// The aggregation's rows: the groups of every worker's share, read in the serial order.
pub(crate) struct Interleaved {
    /// Each share's finished table and its groups' row numbers, read as the rows are.
    shares: Vec<(Finished, FirstsIter)>,
}

impl Iterator for Interleaved {
    type Item = Row;

    fn next(&mut self) -> Option<Row> {
        let (rows, first) = self
            .shares
            .iter_mut()
            .filter(|(_, first)| first.peek().is_some())
            .min_by_key(|(_, first)| first.peek())?;
        first.next();
        rows.next()
    }
}

/// The numbers of the rows that created a share's groups, in group order (increasing), kept
/// as the gaps between them in LEB128, 7 bits a byte. Why not a `u64` each: A8 at L keeps
/// 58M groups, nearly one per row, so the gaps are a byte each where the numbers took 8 B,
/// ≈ 400 MiB of its peak. Exact at any size: a gap takes the bytes it needs.
#[derive(Default)]
struct Firsts {
    bytes: Vec<u8>,
    last: u64,
}

impl Firsts {
    /// Adds `row`, above every number before it.
    fn push(&mut self, row: u64) {
        let mut gap = row - self.last;
        self.last = row;
        while gap >= 0x80 {
            self.bytes.push((gap & 0x7f) as u8 | 0x80);
            gap >>= 7;
        }
        self.bytes.push(gap as u8);
    }

    fn iter(self) -> FirstsIter {
        let mut it = FirstsIter {
            bytes: self.bytes,
            at: 0,
            now: 0,
            next: None,
        };
        it.next = it.decode();
        it
    }

    /// Group `g`'s number (read from the start: for an error, once).
    fn nth(self, g: usize) -> Option<u64> {
        self.iter().nth(g)
    }
}

/// [`Firsts`] read in order, the next number decoded ahead for `peek`.
struct FirstsIter {
    bytes: Vec<u8>,
    at: usize,
    now: u64,
    next: Option<u64>,
}

impl FirstsIter {
    fn peek(&self) -> Option<u64> {
        self.next
    }

    fn decode(&mut self) -> Option<u64> {
        let mut gap: u64 = 0;
        let mut shift = 0;
        loop {
            let b = *self.bytes.get(self.at)?;
            self.at += 1;
            gap |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 {
                self.now += gap;
                return Some(self.now);
            }
            shift += 7;
        }
    }
}

impl Iterator for FirstsIter {
    type Item = u64;

    fn next(&mut self) -> Option<u64> {
        let now = self.next?;
        self.next = self.decode();
        Some(now)
    }
}

/// The groups of the pair aggregation `pairs` (grouped by `keys` into `aggs`), on the
/// statement's threads when it qualifies (module docs), else on this one. `Ok(None)`: the
/// caller runs it on this thread.
pub(crate) fn run(
    pairs: &PairGroups<'_>,
    keys: usize,
    aggs: &[AggSpec],
    arg: &Row,
    ctx: &mut ExecCtx<'_>,
) -> Result<Option<Interleaved>> {
    let lineage = aggs
        .iter()
        .any(|a| a.name == crate::plan::provenance::LINEAGE_AGG);
    if ctx.threads < 2 || keys == 0 || lineage || !pairs.deterministic {
        return Ok(None);
    }
    if ctx.read().as_sync().is_none() {
        return Ok(None);
    }
    let (rows, input_error) = pairs.input_rows(ctx, arg)?;
    let threads = match pairs.pairs_about(ctx, &rows, SAMPLE) >= MIN_PAIRS {
        true => ctx.threads,
        false => 1,
    };
    let why_limit = ctx.why_limit;
    let work = |me: usize, of: usize, ctx: &mut ExecCtx<'_>| {
        let mut share = Share {
            groups: Groups::serial(keys, aggs, why_limit),
            first: Firsts::default(),
            rows: 0,
            calls: 0,
            failed_call: false,
            me: me as u64,
            of: of as u64,
        };
        let error = pairs.run_rows(ctx, &rows, &mut share).err();
        (share, error)
    };
    let done = match threads {
        1 => None,
        _ => crate::exec::parallel::on_each(ctx, threads, &|me, ctx| work(me, threads, ctx)),
    };
    // Every share must be there: a helper that did not start would leave groups out.
    let done = match done {
        Some(done) if done.len() == threads => {
            SHARED.with(|n| n.set(n.get() + 1));
            done
        }
        _ => vec![work(0, 1, ctx)],
    };
    finish(done, input_error).map(Some)
}

/// The shares' tables read as one, or the error the serial run meets first.
fn finish(done: Vec<(Share, Option<Error>)>, input_error: Option<Error>) -> Result<Interleaved> {
    let mut failed: Option<(u64, Error)> = None;
    let mut ok = Vec::with_capacity(done.len());
    for (share, error) in done {
        match error {
            Some(e) => {
                let at = share.error_at();
                if failed.as_ref().is_none_or(|(f, _)| at < *f) {
                    failed = Some((at, e));
                }
            }
            None => ok.push(share),
        }
    }
    if let Some((_, e)) = failed.or(input_error.map(|e| (0, e))) {
        return Err(e);
    }
    let mut shares = Vec::with_capacity(ok.len());
    let mut failed: Option<(u64, Error)> = None;
    for share in ok {
        match share.groups.finish_at(false) {
            Ok(rows) => shares.push((rows, share.first.iter())),
            Err((g, e)) => {
                let at = share.first.nth(g).unwrap_or(u64::MAX);
                if failed.as_ref().is_none_or(|(f, _)| at < *f) {
                    failed = Some((at, e));
                }
            }
        }
    }
    match failed {
        Some((_, e)) => Err(e),
        None => Ok(Interleaved { shares }),
    }
}

/// One worker's table: the groups of its share, each with the number of the row (the
/// `group` call) that created it.
struct Share {
    groups: Groups,
    first: Firsts,
    /// `group` calls so far, and all table calls (`group` and `update`) that returned.
    rows: u64,
    calls: u64,
    /// The last table call failed (rather than an evaluation before it).
    failed_call: bool,
    me: u64,
    of: u64,
}

impl Share {
    /// Where the worker stopped, in the serial run's order: a failed table call comes after
    /// the calls before it; a failed evaluation after those and before the next call.
    fn error_at(&self) -> u64 {
        match self.failed_call {
            true => 2 * (self.calls + 1),
            false => 2 * self.calls + 1,
        }
    }

    fn mine(&self, kv: &[Value]) -> bool {
        if self.of == 1 {
            return true;
        }
        let mut h = FxHasher::default();
        for v in kv {
            GroupKey::new(v).hash(&mut h);
        }
        // Mixed again (splitmix64's finisher): the table inside hashes the same values
        // with FxHash too, and its buckets should not see only one share's pattern.
        let mut x = h.finish();
        x = (x ^ (x >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        x = (x ^ (x >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        x ^= x >> 31;
        x % self.of == self.me
    }

    fn call<T>(&mut self, r: Result<T>) -> Result<T> {
        match r {
            Ok(v) => {
                self.calls += 1;
                Ok(v)
            }
            Err(e) => {
                self.failed_call = true;
                Err(e)
            }
        }
    }
}

impl GroupTable for Share {
    fn group(&mut self, kv: &[Value]) -> Result<usize> {
        self.rows += 1;
        if !self.mine(kv) {
            self.calls += 1;
            return Ok(ELSEWHERE);
        }
        let n = self.groups.len();
        let g = self.groups.group(kv);
        let g = self.call(g)?;
        if g == n {
            self.first.push(self.rows);
        }
        Ok(g)
    }

    fn update(&mut self, g: usize, agg: usize, args: &[Value]) -> Result<()> {
        if g == ELSEWHERE {
            self.calls += 1;
            return Ok(());
        }
        let r = self.groups.update(g, agg, args);
        self.call(r)
    }
}

#[cfg(test)]
mod tests {
    use super::Firsts;

    /// Gaps of every LEB128 length, one to ten bytes, read back in order and by position.
    #[test]
    fn creation_numbers_read_back_as_written() {
        let gaps = [
            1u64,
            2,
            127,
            128,
            129,
            1,
            16_383,
            16_384,
            1 << 21,
            1 << 35,
            3,
            (1 << 62) + 5,
        ];
        let mut firsts = Firsts::default();
        let mut want = Vec::new();
        let mut row = 0u64;
        for g in gaps {
            row += g;
            firsts.push(row);
            want.push(row);
        }
        firsts.push(u64::MAX);
        want.push(u64::MAX);
        let got: Vec<u64> = std::mem::take(&mut firsts).iter().collect();
        assert_eq!(got, want);
        for (g, n) in want.iter().enumerate() {
            let mut again = Firsts::default();
            want.iter().for_each(|w| again.push(*w));
            assert_eq!(again.nth(g), Some(*n));
        }
        assert_eq!(Firsts::default().iter().next(), None);
    }
}
