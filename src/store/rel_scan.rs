//! The relationship type scan's pass over the store: the relationship blocks read in key
//! order (overlay, read image and its delta merged by `kv_range`), each record's head decoded
//! to keep the relationships of the asked types, and an optional property test applied to
//! them from the record already in hand.
//!
//! Why a pass over every relationship block rather than a per-type structure: the blocks hold
//! each record's type at its head, so a record of another type costs one varint and a jump
//! over its length; the store has no per-type list of relationships (only a per-type count),
//! and keeping one would add a write per created or deleted relationship. When the types
//! asked for are a small share of the relationships the planner keeps the node scan and
//! expansion (`plan/pattern/rel_scan.rs`, `relationship_type_scan`), which reads only their adjacency.

use crate::error::Result;
use crate::model::RelId;
use crate::value::Value;

use super::keys::{self, KIND_KEY};
use super::records::{block_entries, RelRecord};
use super::txn::Txn;
use super::{RelPiece, RelTest};

/// Kept relationships after which a piece ends (at the end of a block), so a scan holds a
/// bounded part of a large type and one under a LIMIT stops early.
const PIECE_ROWS: usize = 1024;
/// Blocks read after which a piece ends even when it kept nothing, so the caller checks its
/// time and memory limits during a long stretch of other types.
const PIECE_BLOCKS: usize = 256;

impl Txn {
    /// [`super::GraphRead::relationship_type_piece`] over the store's blocks.
    pub(crate) fn rel_type_piece(
        &self,
        types: &[&str],
        from: RelId,
        to: Option<RelId>,
        mut test: Option<RelTest<'_>>,
        piece: &mut RelPiece,
    ) -> Result<Option<RelId>> {
        piece.rels.clear();
        let Some(wanted) = self.type_filter(types) else {
            return Ok(None);
        };
        if wanted.is_empty() || to.is_some_and(|t| t <= from) {
            return Ok(None);
        }
        // A key no relationship has: every value is null.
        let key = test
            .as_ref()
            .map(|(k, _)| self.cat_id(KIND_KEY, k).unwrap_or(u32::MAX));
        let start = keys::rel_block(from);
        let end = to.map(|t| keys::rel_block(t.saturating_add((1 << keys::REL_SHIFT) - 1)));
        let mut blocks = 0;
        for item in self.kv_range(&[keys::P_REL], Some(&start), end.as_deref()) {
            let (k, block) = item?;
            let Some(base) = keys::block_base(&k, keys::REL_SHIFT) else {
                return Err(self.corrupt("malformed relationship block key"));
            };
            for (slot, bytes) in block_entries(&block) {
                let id = base + u64::from(slot);
                if id < from || to.is_some_and(|t| id >= t) {
                    continue;
                }
                let corrupt = || self.corrupt(&format!("relationship {id} record"));
                let (t, s, e, props) = RelRecord::head(bytes).ok_or_else(corrupt)?;
                if !wanted.contains(&t) {
                    continue;
                }
                if let (Some((_, keep)), Some(key)) = (&mut test, key) {
                    let v = RelRecord::property_at(bytes, props, key).ok_or_else(corrupt)?;
                    if !keep(v.as_ref().unwrap_or(&Value::Null))? {
                        continue;
                    }
                }
                piece.rels.push((id, s, e));
            }
            blocks += 1;
            let next = base + (1 << keys::REL_SHIFT);
            if piece.rels.len() >= PIECE_ROWS || blocks >= PIECE_BLOCKS {
                return Ok(if to.is_some_and(|t| next >= t) {
                    None
                } else {
                    Some(next)
                });
            }
        }
        Ok(None)
    }
}
