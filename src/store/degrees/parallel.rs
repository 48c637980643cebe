//! The two-thread driver of a large degree scan: pieces decoded from both ends, in rounds.

use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::Mutex;

use crate::error::{Error, Result};
use crate::model::NodeId;
use crate::store::keys;
use crate::store::DegreeVisitor;
use crate::value::Value;

use super::DegreeScan;

/// Degree scans of at least this many blocks (64 nodes each) are decoded on two threads:
/// below it a thread costs more than it saves (about 30 µs to start one against 3 to 5 µs per
/// block).
const PARALLEL_MIN_BLOCKS: u64 = 256;
/// Blocks per piece of a parallel scan: small enough that the two threads end close together
/// and a piece's buffer stays small, large enough that starting its two range scans (a seek
/// each) is noise.
const CHUNK_BLOCKS: u64 = 64;
/// Pieces per round of a parallel scan (a million nodes): the helper thread buffers what it
/// decodes until this thread has visited its own pieces of the round, about 50 bytes per node
/// with one integer key, so a round bounds that memory (some 30 MB) whatever the graph's size.
/// A thread is started per round, which is noise next to a round's work (about 20 ms).
const ROUND_PIECES: u64 = 256;

/// How a degree scan is split (a parameter so that tests can force the parallel path on a
/// small graph).
#[derive(Clone, Copy, Debug)]
pub(crate) struct ScanSplit {
    /// The fewest blocks decoded on two threads.
    pub min_blocks: u64,
    /// Blocks per piece.
    pub chunk_blocks: u64,
    /// Pieces per round: a round starts a helper thread, which buffers at most its share of
    /// the round.
    pub round_pieces: u64,
}

impl ScanSplit {
    pub(crate) const DEFAULT: ScanSplit = ScanSplit {
        min_blocks: PARALLEL_MIN_BLOCKS,
        chunk_blocks: CHUNK_BLOCKS,
        round_pieces: ROUND_PIECES,
    };
    /// Always one thread.
    #[cfg(test)]
    pub(crate) const SEQUENTIAL: ScanSplit = ScanSplit {
        min_blocks: u64::MAX,
        chunk_blocks: CHUNK_BLOCKS,
        round_pieces: ROUND_PIECES,
    };
}

/// What a piece decoded by the helper thread holds for the visitor, in key order: per node
/// (node, degree) and `width` key values.
#[derive(Default)]
struct Decoded {
    nodes: Vec<(NodeId, u64)>,
    values: Vec<Value>,
}

/// A piece decoded by the helper thread: what it decoded and the error that ended it early.
type Piece = (Decoded, Option<Error>);

/// Sets the flag when dropped: a panic on this thread (in the visitor) stops the helper too
/// instead of leaving it to finish the round before the scope rejoins it.
struct StopOnDrop<'a>(&'a AtomicBool);

impl Drop for StopOnDrop<'_> {
    fn drop(&mut self) {
        self.0.store(true, AtomicOrdering::Relaxed);
    }
}

impl DegreeScan<'_> {
    /// Calls `f` for every node of the scan's `blocks` blocks, as `split` says: on this thread
    /// ([`DegreeScan::run`]) when the scan is small, else in rounds of pieces on two threads.
    pub(super) fn run_split(
        &self,
        blocks: u64,
        split: ScanSplit,
        f: &mut DegreeVisitor<'_>,
    ) -> Result<()> {
        let chunk = split.chunk_blocks.max(1);
        if blocks < split.min_blocks.max(2) || blocks <= chunk {
            return self.run(None, None, None, &mut |node, d, values| f(node, d, values));
        }
        // In rounds, so that what the helper buffers stays bounded on any graph.
        let pieces = blocks.div_ceil(chunk);
        let round = split.round_pieces.max(1);
        let mut first = 0;
        while first < pieces {
            let end = first.saturating_add(round).min(pieces);
            self.run_parallel(first..end, pieces, chunk << keys::NODE_SHIFT, f)?;
            first = end;
        }
        Ok(())
    }

    /// Decodes the pieces `round` (of `pieces` of `piece_nodes` nodes) on this thread and a
    /// helper thread and calls `f` for every node in key order, exactly as one thread would.
    ///
    /// This thread takes pieces from the front and calls `f` as it decodes them; the helper
    /// takes pieces from the back and decodes each into a buffer. When they meet, this thread
    /// calls `f` for the helper's pieces, front to back. So the visitor sees the nodes in the
    /// same order as a sequential scan (grouping, tie-breaking and results are unchanged), and
    /// the work balances itself: the helper, which only decodes, ends up with the larger share,
    /// and a helper slowed down by another process simply takes fewer pieces. An error stops
    /// both and is returned after the nodes before it were visited, as sequentially.
    fn run_parallel(
        &self,
        round: std::ops::Range<u64>,
        pieces: u64,
        piece_nodes: u64,
        f: &mut DegreeVisitor<'_>,
    ) -> Result<()> {
        // Piece p's nodes; the first piece runs from the first key, the last to the last one.
        let range = |p: u64| {
            let from = p * piece_nodes;
            (
                (p > 0).then_some(from),
                (p + 1 < pieces).then(|| from + piece_nodes),
            )
        };
        // (next piece from the front, one past the last unclaimed piece at the back).
        let claims = Mutex::new((round.start, round.end));
        let claim = |front: bool| {
            let mut c = claims.lock().unwrap_or_else(|e| e.into_inner());
            if c.0 >= c.1 {
                return None;
            }
            Some(if front {
                c.0 += 1;
                c.0 - 1
            } else {
                c.1 -= 1;
                c.1
            })
        };
        let stop = AtomicBool::new(false);
        std::thread::scope(|s| {
            let helper = std::thread::Builder::new()
                .name("kg-degrees".into())
                .spawn_scoped(s, || {
                    let width = self.key_ids.len();
                    let mut done: Vec<Piece> = Vec::new();
                    while !stop.load(AtomicOrdering::Relaxed) {
                        let Some(p) = claim(false) else { break };
                        let mut out = Decoded::default();
                        let (from, to) = range(p);
                        let r = self.run(from, to, Some(&stop), &mut |node, d, values| {
                            out.nodes.push((node, d));
                            for v in values.iter_mut().take(width) {
                                out.values.push(std::mem::replace(v, Value::Null));
                            }
                            Ok(())
                        });
                        let failed = r.is_err();
                        done.push((out, r.err()));
                        if failed {
                            break;
                        }
                    }
                    done
                });
            let _stop_on_panic = StopOnDrop(&stop);
            // If no thread can be started, this thread takes every piece.
            let mut result = Ok(());
            while let Some(p) = claim(true) {
                let (from, to) = range(p);
                result = self.run(from, to, None, &mut |node, d, values| f(node, d, values));
                if result.is_err() {
                    stop.store(true, AtomicOrdering::Relaxed);
                    break;
                }
            }
            let done = match helper {
                Ok(h) => h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)),
                Err(_) => Vec::new(),
            };
            result?;
            // The helper's pieces, taken from the back, in key order.
            let width = self.key_ids.len();
            for (out, err) in done.into_iter().rev() {
                let mut values = out.values.chunks_exact(width.max(1));
                for &(node, d) in &out.nodes {
                    let v = match width {
                        0 => &[][..],
                        _ => values.next().unwrap_or(&[]),
                    };
                    f(node, d, v)?;
                }
                if let Some(e) = err {
                    return Err(e);
                }
            }
            Ok(())
        })
    }
}
