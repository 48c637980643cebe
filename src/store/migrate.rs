//! Upgrades of older on-disk formats, run once when a store is opened.
//! Format 1 → 2: adjacency sections gain their degree totals (see `records.rs`).
//! Format 2 → 3: degree blocks (`'D'`), a compact copy of those totals.
//! Format 3 → 4: index definitions may carry a bucket count; older ones mean 4096.
//! Format 4 → 5: each adjacency block splits into an outgoing (`'A'`) and an incoming (`'B'`)
//! block, so a one-direction traversal reads about half the bytes.
//! Format 5 → 6: nothing to rewrite. Format 6 databases may have a read image (`image.rs`),
//! which stays correct only if every writer drops its stamp; the new marker keeps builds that
//! predate the image (and would write without dropping it) from opening them.
//! Format 6 → 7: nothing to rewrite. Format 7 databases may have a seal (`seal.rs`) under
//! which readers share the database without opening sled; the new marker keeps builds that
//! predate it (and would commit without deleting the seal) from opening them.
//! Format 7 → 8: nothing to rewrite. Format 8 databases may keep a hub's adjacency in chunk
//! keys (`'E'`/`'F'`, `adjacency.rs`) behind a stub in its block, and count their commits
//! (`00 "commits"`, `kg.commits`); a build that predates them would read a hub as having no
//! relationships and commit without counting, so the new marker keeps it out.
//! Format 8 → 9: nothing to rewrite. Format 9 property values may hold spatial points
//! (`codec.rs`, tag 14), which a build that predates them cannot decode, so the new marker
//! keeps it out rather than let it report such records as damaged.
//! Format 8 or 9 → 10: every index gains its ordered pages (`'O'`, `ordered.rs`), built
//! from its hash buckets' entries; a build that predates them would not maintain them.
//! Format 10 → 11: nothing to rewrite. Format 11 transactions write index entries as deltas
//! (`'J'`, `index_delta.rs`) that a build that predates them would not read, so the new
//! marker keeps it out.
//! Format 11 → 12: nothing to rewrite (the read image is dropped, as by every upgrade).
//! Format 12 commits keep the read image and leave what they changed in a delta
//! (`kg.delta`, `delta.rs`) that sled's stamp names with the image; a build that predates it
//! does not know the stamp's new form and would drop the image at its first open, so the new
//! marker keeps it out.

use std::path::Path;

use crate::error::{Result, StoreError};

use super::errors::{corrupt, not_a_database, sled_error};
use super::keys;
use super::layout::append_split_section;
use super::records::{
    block_entries, block_is_well_formed, decode_section, degree_block, upgrade_section_v1,
};

/// The on-disk format this build writes and the newest it reads; older ones are upgraded on
/// open ([`upgrade`]). 2: adjacency sections start with their degree totals. 3: degree blocks.
/// 4: index definitions carry their bucket count. 5: adjacency split by direction. 6: may
/// have a read image (`image.rs`), which builds before it would not keep correct. 7: may have
/// a seal (`seal.rs`) under which a process reads the image without opening sled; builds
/// before it would commit without deleting the seal and the image. 8: hub adjacency in chunk
/// keys and commit counts. 9: property values may hold spatial points (`codec.rs`). 10: every
/// index also keeps ordered pages (`ordered.rs`), which builds before it would not maintain,
/// and constraint records may exist (`constraints/`), which builds before it would not enforce.
/// 11: index entries written by transactions are deltas (`index_delta.rs`) until compaction.
/// 12: commits keep the read image, and what they changed is in its delta (`delta.rs`).
pub const FORMAT_VERSION: u32 = 12;

/// The format marker of the sled database `db` at `path` (`None`: it has none); an error when
/// it is unreadable or newer than this build. Open and compaction both read it here.
pub(crate) fn stored_format(db: &sled::Db, path: &Path) -> Result<Option<u32>> {
    let Some(v) = db.get(keys::META_FORMAT).map_err(|e| sled_error(path, e))? else {
        return Ok(None);
    };
    let found = <[u8; 4]>::try_from(v.as_ref())
        .map(u32::from_be_bytes)
        .map_err(|_| not_a_database(path, "its format marker is unreadable"))?;
    if found > FORMAT_VERSION {
        return Err(StoreError::NewerFormat {
            path: path.to_path_buf(),
            found,
            supported: FORMAT_VERSION,
        }
        .into());
    }
    Ok(Some(found))
}

/// Rewrites a store written in format `found` (older than this build's) to the current format
/// in one atomic batch, then flushes.
pub(super) fn upgrade(db: &sled::Db, found: u32, shown: &Path) -> Result<()> {
    let e = |err| sled_error(shown, err);
    let mut batch = sled::Batch::default();
    // Before format 5 every `'A'` block held both directions; 3 → 4 rewrites nothing.
    for item in db.scan_prefix([keys::P_ADJ]).filter(|_| found < 5) {
        let (k, v) = item.map_err(e)?;
        if !block_is_well_formed(&v) {
            return Err(corrupt(shown, "malformed adjacency block"));
        }
        let base = keys::block_base(&k, keys::NODE_SHIFT)
            .ok_or_else(|| corrupt(shown, "malformed adjacency key"))?;
        let (mut out, mut inc) = (Vec::new(), Vec::new());
        for (slot, section) in block_entries(&v) {
            let upgraded;
            let section = if found < 2 {
                upgraded = upgrade_section_v1(section)
                    .ok_or_else(|| corrupt(shown, "malformed adjacency section (format 1)"))?;
                upgraded.as_slice()
            } else {
                section
            };
            let lists = decode_section(section)
                .ok_or_else(|| corrupt(shown, "malformed adjacency section"))?;
            append_split_section(&mut out, &mut inc, slot, lists);
        }
        let degrees = degree_block(&out, &inc);
        for (key, value) in [
            (keys::adj_block(base, false), out),
            (keys::adj_block(base, true), inc),
            (keys::degree_block(base), degrees),
        ] {
            if value.is_empty() {
                batch.remove(key);
            } else {
                batch.insert(key, value);
            }
        }
    }
    if found < 10 {
        let mut buckets = Vec::new();
        for item in db.scan_prefix([keys::P_INDEX]) {
            let (k, v) = item.map_err(e)?;
            buckets.push((k.to_vec(), v.to_vec()));
        }
        for (k, v) in super::layout::pages_from_buckets(buckets.into_iter()) {
            batch.insert(k, v);
        }
    }
    batch.insert(keys::META_FORMAT, &FORMAT_VERSION.to_be_bytes());
    // A read image of the old format no longer matches (see `image.rs`).
    batch.remove(keys::META_IMAGE);
    db.apply_batch(batch).map_err(e)?;
    db.flush().map_err(e)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Direction, Properties};
    use crate::store::records::{block_append, encode_section, section_totals, AdjList};
    use crate::store::OpenOptions;
    use crate::store::{GraphRead, GraphWrite, Store};

    /// Rewrites a current store as an old build left it: format 4 keeps both directions'
    /// lists in one `'A'` block, format 3 differs from 4 only in its marker (its index
    /// definitions, without bucket counts, still read), format 2 has no degree blocks, and
    /// format 1 also has no totals at the head of adjacency sections.
    fn downgrade(path: &Path, to: u32) {
        use std::collections::BTreeMap;
        // sled's threads release the file lock a few ms after the store above is dropped.
        let mut waited = 0;
        let db = loop {
            match sled::Config::new().path(path).open() {
                Ok(db) => break db,
                Err(e) if waited < 2000 => {
                    assert!(e.to_string().contains("lock"), "{e}");
                    std::thread::sleep(std::time::Duration::from_millis(10));
                    waited += 10;
                }
                Err(e) => panic!("{e}"),
            }
        };
        // Before format 11 there are no index deltas; `small_graph` writes none.
        assert_eq!(db.scan_prefix([keys::P_INDEX_DELTA]).count(), 0);
        let mut batch = sled::Batch::default();
        for item in db.scan_prefix([keys::P_INDEX_PAGE]).filter(|_| to < 10) {
            batch.remove(item.unwrap().0);
        }
        for item in db.scan_prefix([keys::P_DEGREE]).filter(|_| to < 3) {
            batch.remove(item.unwrap().0);
        }
        let mut combined: BTreeMap<u64, BTreeMap<u8, Vec<AdjList>>> = BTreeMap::new();
        for incoming in [false, true].into_iter().filter(|_| to < 5) {
            for item in db.scan_prefix([keys::adj_prefix(incoming)]) {
                let (k, v) = item.unwrap();
                let base = keys::block_base(&k, keys::NODE_SHIFT).unwrap();
                for (slot, section) in block_entries(&v) {
                    let lists = decode_section(section).unwrap();
                    combined
                        .entry(base)
                        .or_default()
                        .entry(slot)
                        .or_default()
                        .extend(lists);
                }
                if incoming {
                    batch.remove(k);
                }
            }
        }
        for (base, slots) in combined {
            let mut block = Vec::new();
            for (slot, mut lists) in slots {
                let section = encode_section(&mut lists);
                let (_, _, start) = section_totals(&section).unwrap();
                let kept = if to < 2 {
                    &section[start..]
                } else {
                    &section[..]
                };
                block_append(&mut block, slot, kept);
            }
            batch.insert(keys::adj_block(base, false), block);
        }
        batch.insert(keys::META_FORMAT, &to.to_be_bytes());
        db.apply_batch(batch).unwrap();
        db.flush().unwrap();
        assert_eq!(db.scan_prefix([keys::P_DEGREE]).count() == 0, to < 3);
        assert!(to >= 5 || db.scan_prefix([keys::P_ADJ_IN]).count() == 0);
    }

    #[test]
    fn older_stores_are_upgraded_on_open() {
        for from in [1, 2, 3, 4, 5, 6, 7, 8, 10, 11] {
            upgraded_from(from);
        }
    }

    /// A current store at `dir/db` holding (a:A {name: 'ant'})-[:R]->(b:B {name: 'bee'}), a
    /// self-loop (a)-[:S]->(a) and an index on every node's `name`.
    fn small_graph(dir: &Path) -> (std::path::PathBuf, OpenOptions) {
        let path = dir.join("db");
        let opts = OpenOptions {
            create_if_missing: true,
            ..OpenOptions::default()
        };
        let store = Store::open(&path, &opts).unwrap();
        let mut t = store.begin();
        let name =
            |n: &str| -> Properties { [("name".to_string(), n.into())].into_iter().collect() };
        let a = t.create_node(&["A".into()], name("ant")).unwrap();
        let b = t.create_node(&["B".into()], name("bee")).unwrap();
        t.create_relationship("R", a, b, Properties::new()).unwrap();
        t.create_relationship("S", a, a, Properties::new()).unwrap();
        let def = crate::store::IndexDef {
            name: "names".into(),
            label: String::new(),
            property: "name".into(),
            unique: false,
            kind: crate::store::IndexKind::Range,
        };
        t.create_index(def, false).unwrap();
        t.commit().unwrap();
        (path, opts)
    }

    /// A read image left on a database that an older build then opened (format 5 here) no
    /// longer counts: the upgrade drops its stamp, and the open deletes the file.
    #[test]
    fn an_upgrade_drops_the_read_image() {
        let dir = tempfile::tempdir().unwrap();
        let (path, opts) = small_graph(dir.path());
        Store::compact(&path).unwrap();
        let image = path.join(crate::store::image::FILE_NAME);
        assert!(image.exists());
        downgrade(&path, 5);
        let store = Store::open(&path, &opts).unwrap();
        assert!(store.inner.disk.image().is_none());
        assert!(!image.exists());
        assert!(store.check().unwrap().is_clean());
        assert_eq!(store.begin().node_ids().unwrap().count(), 2);
        drop(store);

        // Compacting an older database upgrades it first, so its new image is used.
        downgrade(&path, 5);
        Store::compact(&path).unwrap();
        let store = Store::open(&path, &opts).unwrap();
        assert!(store.inner.disk.image().is_some());
        assert!(store.check().unwrap().is_clean());
        assert_eq!(store.begin().node_ids().unwrap().count(), 2);
    }

    fn upgraded_from(from: u32) {
        let dir = tempfile::tempdir().unwrap();
        let (path, opts) = small_graph(dir.path());
        downgrade(&path, from);
        let store = Store::open(&path, &opts).unwrap();
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report}");
        let t = store.begin();
        assert_eq!(t.degree(0, Direction::Outgoing, &[]).unwrap(), 2);
        assert_eq!(t.degree(0, Direction::Incoming, &[]).unwrap(), 1);
        assert_eq!(t.degree(0, Direction::Both, &[]).unwrap(), 2);
        assert_eq!(t.degree(1, Direction::Incoming, &[]).unwrap(), 1);
        assert_eq!(t.edges(0, Direction::Outgoing, &["R"]).unwrap().len(), 1);
        // Format 10 built the ordered pages from the hash buckets.
        let prefix = crate::store::IndexScan::Prefix("b".into());
        assert_eq!(t.index_scan("", "name", &prefix).unwrap(), Some(vec![1]));
        drop(t);
        // Format 11: a write after the upgrade goes into index deltas, read with the buckets.
        let mut t = store.begin();
        let props: Properties = [("name".to_string(), "bat".into())].into_iter().collect();
        let c = t.create_node(&["B".into()], props).unwrap();
        t.commit().unwrap();
        let t = store.begin();
        assert_eq!(
            t.index_scan("", "name", &prefix).unwrap(),
            Some(vec![c, 1]),
            "from {from}"
        );
        assert_eq!(
            t.index_lookup("", "name", &"bat".into()).unwrap(),
            Some(vec![c])
        );
        assert!(t.kv_scan(&[keys::P_INDEX_DELTA]).count() > 0);
        let report = store.check().unwrap();
        assert!(report.is_clean(), "{report}");
    }
}
