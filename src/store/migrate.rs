//! Upgrades of older on-disk formats, run once when a store is opened.
//! Format 1 → 2: adjacency sections gain their degree totals (see `records.rs`).

use std::path::Path;

use crate::error::Result;

use super::codec::put_varint;
use super::engine::{corrupt, sled_error, FORMAT_VERSION};
use super::keys;
use super::records::{block_entries, block_is_well_formed, upgrade_section_v1};

/// Rewrites a store written in format `found` (older than this build's) to the current format
/// in one atomic batch, then flushes.
pub(super) fn upgrade(db: &sled::Db, found: u32, shown: &Path) -> Result<()> {
    let e = |err| sled_error(shown, err);
    let mut batch = sled::Batch::default();
    if found < 2 {
        for item in db.scan_prefix([keys::P_ADJ]) {
            let (k, v) = item.map_err(e)?;
            if !block_is_well_formed(&v) {
                return Err(corrupt(shown, "malformed adjacency block (format 1)"));
            }
            let mut block = Vec::with_capacity(v.len() + 64 * 4);
            for (slot, section) in block_entries(&v) {
                let section = upgrade_section_v1(section)
                    .ok_or_else(|| corrupt(shown, "malformed adjacency section (format 1)"))?;
                block.push(slot);
                put_varint(&mut block, section.len() as u64);
                block.extend_from_slice(&section);
            }
            batch.insert(k, block);
        }
    }
    batch.insert(keys::META_FORMAT, &FORMAT_VERSION.to_be_bytes());
    db.apply_batch(batch).map_err(e)?;
    db.flush().map_err(e)?;
    Ok(())
}
