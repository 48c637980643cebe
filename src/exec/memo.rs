//! A read-only statement's memo of the node property values it has read, so that a node that
//! comes back row after row (each investor in every pair it is part of) costs one probe.
//!
//! A property read otherwise resolves the key's id, builds the block key, locks the block
//! cache and walks the record to the property: ≈ 0.1 µs, paid 7M times by A8 of issue 20 for
//! 5k distinct nodes. The memo is a fixed direct-mapped table (a colliding entry replaces the
//! older one), allocated only after a warm-up of reads, so a point lookup never pays for it
//! and a scan that reads each node once pays one slot write per read.
//!
//! **Invariant:** only a statement that cannot write gets a memo (`db.rs` checks the plan),
//! and no commit lands during a statement (the statement gate), so a remembered value stays
//! the value the store would return.

use std::cell::{Cell, RefCell};
use std::hash::Hasher;

use crate::error::Result;
use crate::hash::FxHasher;
use crate::model::NodeId;
use crate::value::Value;

/// Slots in the table (a power of two): 8192 × 64 bytes.
const SLOTS: usize = 1 << 13;
/// Longer property keys are not remembered (the key is stored inline, without allocating).
const KEY_BYTES: usize = 23;
/// Reads before the table is allocated.
const WARMUP: u32 = 1024;
/// Lookups after which a memo that answered fewer than one in `MIN_HIT_RATE` is dropped (a
/// scan reading each node once would only pay for copying values into it).
const CHECK_AFTER: u32 = 16 * 1024;
const MIN_HIT_RATE: u32 = 8;

struct Slot {
    node: NodeId,
    len: u8,
    key: [u8; KEY_BYTES],
    value: Value,
}

#[derive(Default)]
pub(crate) struct PropMemo {
    reads: Cell<u32>,
    hits: Cell<u32>,
    off: Cell<bool>,
    slots: RefCell<Vec<Option<Slot>>>,
}

impl PropMemo {
    /// The value of `node`'s property `key`, from the memo or from `read` (whose present
    /// values are remembered; a missing one goes to `read` every time).
    pub(crate) fn node_property(
        &self,
        node: NodeId,
        key: &str,
        read: impl FnOnce() -> Result<Option<Value>>,
    ) -> Result<Option<Value>> {
        if key.len() > KEY_BYTES || self.off.get() {
            return read();
        }
        let reads = self.reads.get().saturating_add(1);
        self.reads.set(reads);
        if reads <= WARMUP {
            return read();
        }
        if reads == WARMUP + CHECK_AFTER && self.hits.get() < CHECK_AFTER / MIN_HIT_RATE {
            self.off.set(true);
            *self.slots.borrow_mut() = Vec::new();
            return read();
        }
        let i = slot_of(node, key);
        {
            let mut slots = self.slots.borrow_mut();
            if slots.is_empty() {
                slots.resize_with(SLOTS, || None);
            }
            if let Some(s) = &slots[i] {
                if s.node == node && &s.key[..usize::from(s.len)] == key.as_bytes() {
                    self.hits.set(self.hits.get().saturating_add(1));
                    return Ok(Some(s.value.clone()));
                }
            }
        }
        let value = read()?;
        if let Some(v) = &value {
            let mut k = [0u8; KEY_BYTES];
            k[..key.len()].copy_from_slice(key.as_bytes());
            self.slots.borrow_mut()[i] = Some(Slot {
                node,
                // At most KEY_BYTES, checked above.
                len: key.len() as u8,
                key: k,
                value: v.clone(),
            });
        }
        Ok(value)
    }
}

fn slot_of(node: NodeId, key: &str) -> usize {
    let mut h = FxHasher::default();
    h.write_u64(node);
    h.write(key.as_bytes());
    // The high bits of an Fx hash are the mixed ones.
    (h.finish() >> (64 - SLOTS.trailing_zeros())) as usize
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remembers_present_values_per_node_and_key_and_rereads_missing_ones() {
        let memo = PropMemo::default();
        let reads = Cell::new(0u32);
        let read = |v: Option<i64>| {
            reads.set(reads.get() + 1);
            Ok(v.map(Value::Int))
        };
        for round in 0..3 {
            for n in 0..2000u64 {
                let got = memo
                    .node_property(n, "id", || read(Some(n as i64)))
                    .unwrap();
                assert_eq!(got, Some(Value::Int(n as i64)), "round {round}");
                let other = memo.node_property(n, "x", || read(Some(-1))).unwrap();
                assert_eq!(other, Some(Value::Int(-1)));
                assert_eq!(memo.node_property(n, "gone", || read(None)).unwrap(), None);
            }
        }
        // 18k lookups; the memo answered most of the later rounds' present values.
        assert!(reads.get() < 15_000, "{}", reads.get());
        assert!(!memo.off.get());
        let long = "k".repeat(KEY_BYTES + 1);
        let before = reads.get();
        memo.node_property(1, &long, || read(Some(1))).unwrap();
        memo.node_property(1, &long, || read(Some(1))).unwrap();
        assert_eq!(reads.get(), before + 2);
    }

    #[test]
    fn a_memo_that_is_never_asked_twice_turns_itself_off() {
        let memo = PropMemo::default();
        for n in 0..(WARMUP + CHECK_AFTER + 10) {
            let got = memo
                .node_property(u64::from(n), "id", || Ok(Some(Value::Int(i64::from(n)))))
                .unwrap();
            assert_eq!(got, Some(Value::Int(i64::from(n))));
        }
        assert!(memo.off.get());
        assert!(memo.slots.borrow().is_empty());
    }
}
