//! Upgrades of older on-disk formats, run once when a store is opened.
//! Format 1 → 2: adjacency sections gain their degree totals (see `records.rs`).
//! Format 2 → 3: degree blocks (`'D'`), a compact copy of those totals.
//! Format 3 → 4: index definitions may carry a bucket count; older ones mean 4096.

use std::path::Path;

use crate::error::Result;

use super::engine::{corrupt, sled_error, FORMAT_VERSION};
use super::keys;
use super::records::{
    block_append, block_entries, block_is_well_formed, degree_block, upgrade_section_v1,
};

/// Rewrites a store written in format `found` (older than this build's) to the current format
/// in one atomic batch, then flushes.
pub(super) fn upgrade(db: &sled::Db, found: u32, shown: &Path) -> Result<()> {
    let e = |err| sled_error(shown, err);
    let mut batch = sled::Batch::default();
    // 3 → 4 rewrites nothing: index definitions without a bucket count keep the old 4096.
    for item in db.scan_prefix([keys::P_ADJ]).filter(|_| found < 3) {
        let (k, v) = item.map_err(e)?;
        if !block_is_well_formed(&v) {
            return Err(corrupt(shown, "malformed adjacency block"));
        }
        let block = if found < 2 {
            let mut block = Vec::with_capacity(v.len() + 64 * 4);
            for (slot, section) in block_entries(&v) {
                let section = upgrade_section_v1(section)
                    .ok_or_else(|| corrupt(shown, "malformed adjacency section (format 1)"))?;
                block_append(&mut block, slot, &section);
            }
            batch.insert(k.as_ref(), block.as_slice());
            block
        } else {
            v.to_vec()
        };
        let base = keys::block_base(&k, keys::NODE_SHIFT)
            .ok_or_else(|| corrupt(shown, "malformed adjacency key"))?;
        let degrees = degree_block(&block);
        if !degrees.is_empty() {
            batch.insert(keys::degree_block(base), degrees);
        }
    }
    batch.insert(keys::META_FORMAT, &FORMAT_VERSION.to_be_bytes());
    db.apply_batch(batch).map_err(e)?;
    db.flush().map_err(e)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::db::OpenOptions;
    use crate::model::{Direction, Properties};
    use crate::store::records::section_totals;
    use crate::store::{GraphRead, GraphWrite, Store};

    /// Rewrites a current store as an old build left it: format 3 differs only in its marker
    /// (its index definitions, without bucket counts, still read), format 2 has no degree
    /// blocks, and format 1 also has no totals at the head of adjacency sections.
    fn downgrade(path: &Path, to: u32) {
        let db = sled::Config::new().path(path).open().unwrap();
        let mut batch = sled::Batch::default();
        for item in db.scan_prefix([keys::P_DEGREE]).filter(|_| to < 3) {
            batch.remove(item.unwrap().0);
        }
        for item in db.scan_prefix([keys::P_ADJ]).filter(|_| to < 2) {
            let (k, v) = item.unwrap();
            let mut block = Vec::new();
            for (slot, section) in block_entries(&v) {
                let (_, _, start) = section_totals(section).unwrap();
                block_append(&mut block, slot, &section[start..]);
            }
            batch.insert(k, block);
        }
        batch.insert(keys::META_FORMAT, &to.to_be_bytes());
        db.apply_batch(batch).unwrap();
        db.flush().unwrap();
    }

    #[test]
    fn older_stores_are_upgraded_on_open() {
        for from in [1, 2, 3] {
            upgraded_from(from);
        }
    }

    fn upgraded_from(from: u32) {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("db");
        let opts = OpenOptions {
            create_if_missing: true,
            ..OpenOptions::default()
        };
        {
            let store = Store::open(&path, &opts).unwrap();
            let mut t = store.begin();
            let a = t.create_node(&["A".into()], Properties::new()).unwrap();
            let b = t.create_node(&["B".into()], Properties::new()).unwrap();
            t.create_relationship("R", a, b, Properties::new()).unwrap();
            t.create_relationship("S", a, a, Properties::new()).unwrap();
            t.commit().unwrap();
        }
        downgrade(&path, from);
        let old = sled::Config::new().path(&path).open().unwrap();
        assert_eq!(old.scan_prefix([keys::P_DEGREE]).count() == 0, from < 3);
        drop(old);
        let store = Store::open(&path, &opts).unwrap();
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report}");
        let t = store.begin();
        assert_eq!(t.degree(0, Direction::Outgoing, &[]).unwrap(), 2);
        assert_eq!(t.degree(0, Direction::Incoming, &[]).unwrap(), 1);
        assert_eq!(t.degree(0, Direction::Both, &[]).unwrap(), 2);
        assert_eq!(t.degree(1, Direction::Incoming, &[]).unwrap(), 1);
        assert_eq!(t.edges(0, Direction::Outgoing, &["R"]).unwrap().len(), 1);
    }
}
