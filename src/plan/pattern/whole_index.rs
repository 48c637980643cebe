//! A CONTAINS or ENDS WITH test on an indexed property: a scan of the whole index, or the
//! label's scan with the test applied in the store (`exec/prefilter.rs`), whichever reads less.
//!
//! Neither test narrows an ordered index to a range, so the index scan reads every entry
//! (every node with the property, for the any-label index `kg import` makes on `name`), then
//! the filter reads the record of each hit, in the index's order of values, so at random.
//! The pre-filtered label scan walks the label's node blocks in order and decodes the one
//! property; the values it keeps are carried to the filter above (`exec/carry.rs`). Measured
//! on the analytics bench's A3 (`MATCH (c:Company) WHERE c.name CONTAINS 'Semi' RETURN
//! count(*)`, 120k of 200k nodes are companies, 12k hits): 98 ms CPU for the index scan, 25–34 ms
//! for the label scan (docs/performance.md, "A4's reads carried by the scan, A3's plan").

use super::{Access, PatternPlanner};
use crate::plan::builder::Count;
use crate::plan::{scan_predicate, RangeSeek};

/// Label nodes a pre-filtered scan reads for the cost of one entry of a whole-index scan with
/// its re-check: ≈ 3 measured (above); 2 leaves a margin to the index.
const LABEL_NODES_PER_INDEX_ENTRY: u64 = 2;

impl PatternPlanner<'_, '_> {
    /// `access` for `var` (about to be bound, `columns_after` the columns then), or the scan
    /// of `var`'s label when `access` scans a whole index and the label scan costs less: the
    /// filter placed over the label scan must begin with a test the scan applies (so `var`
    /// has that one label and nothing else bound is waiting for its label test), and the label
    /// must have fewer than `LABEL_NODES_PER_INDEX_ENTRY` times the index's nodes. Planned
    /// without the store's counters, the index stays.
    pub(super) fn whole_index_or_label(
        &self,
        var: &str,
        columns_after: &[String],
        access: Access,
    ) -> Access {
        let Access::Range(index_label, _, RangeSeek::Contains(_) | RangeSeek::Suffix(_)) = &access
        else {
            return access;
        };
        let Some(counts) = self.b.catalog.counts else {
            return access;
        };
        let mut label = None;
        for (v, ls) in &self.labels {
            if v == var {
                match ls.as_slice() {
                    [l] => label = Some(l),
                    _ => return access,
                }
            } else if columns_after.contains(v) && !ls.is_empty() {
                // Its label test would come first in the filter (`apply_ready`).
                return access;
            }
        }
        let Some(label) = label else {
            return access;
        };
        // The first predicate `apply_ready` would put into the filter over the scan.
        let first = self.preds.iter().find(|p| {
            p.vars
                .iter()
                .all(|v| columns_after.contains(v) || !self.pattern_vars.contains(v))
        });
        if first.is_none_or(|p| scan_predicate::of(&p.expr, var).is_none()) {
            return access;
        }
        let entries = match index_label.as_str() {
            "" => counts(Count::Nodes),
            l => counts(Count::Label(l)),
        };
        match (entries, counts(Count::Label(label))) {
            (Some(entries), Some(nodes))
                if nodes <= entries.saturating_mul(LABEL_NODES_PER_INDEX_ENTRY) =>
            {
                Access::Label(label.clone())
            }
            _ => access,
        }
    }
}
