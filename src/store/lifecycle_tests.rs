//! The sealed open (`seal.rs`) where the `kg` binary cannot reach it reliably: a sealed reader
//! that opens sled late and finds that another process wrote in between, a late open refused
//! because another reader shares the database (also after another process wrote), and the
//! bulk loader under a seal. Two stores
//! on one path in one process stand for two processes (each has its own locks and sled).

use std::path::{Path, PathBuf};

use super::*;
use crate::model::Properties;
use crate::store::{GraphRead, GraphWrite, OpenOptions, Store};
use crate::value::Value;

/// `dir/db` holding ten `P` nodes (`i`: 0-9), compacted: sealed.
fn sealed_graph(dir: &Path) -> PathBuf {
    let path = dir.join("db");
    let opts = OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    };
    let store = Store::open(&path, &opts).unwrap();
    let mut t = store.begin();
    for i in 0..10 {
        t.create_node(&["P".into()], props(i)).unwrap();
    }
    t.commit().unwrap();
    drop(store);
    Store::compact(&path).unwrap();
    assert!(path.join(seal::FILE_NAME).is_file());
    path
}

fn props(i: i64) -> Properties {
    Properties::from([("i".to_string(), Value::Int(i))])
}

fn open(path: &Path) -> Store {
    Store::open(path, &OpenOptions::default()).unwrap()
}

fn count(store: &Store, label: &str) -> u64 {
    store.begin().count_nodes(Some(label)).unwrap()
}

/// Two processes cannot stage this race on purpose: a sealed reader (A) gives up its shared
/// lock to open sled, and another process (B) gets sled first and writes. A's image then no
/// longer holds what sled holds: a transaction that read it must not write, and the store
/// must go on from sled, with the names B added.
#[test]
fn a_transaction_that_read_an_image_another_store_outdated_cannot_write() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed_graph(dir.path());
    let a = open(&path);
    assert!(a.is_sealed_reader());
    let mut before = a.begin();
    assert_eq!(before.count_nodes(Some("P")).unwrap(), 10);
    let old = *before
        .image()
        .and_then(Image::names)
        .expect("the read went through the image");

    // A lets go of its shared lock, as it does on its way to opening sled.
    a.inner.disk.release_shared_lock();
    let b = open(&path);
    assert!(b.is_sealed_reader(), "the seal still held when B opened");
    let mut t = b.begin();
    let q = t.create_node(&["Q".into()], props(99)).unwrap();
    t.commit().unwrap();
    assert!(!b.is_sealed_reader());
    drop(b);

    let err = before.create_node(&["P".into()], props(10)).unwrap_err();
    assert!(
        err.to_string()
            .contains("another process changed the database"),
        "{err}"
    );
    drop(before);
    assert!(!a.is_sealed_reader(), "the write attempt opened sled");
    // B's close wrote the next delta: A reads that from here on, not the one it began with.
    let now = a.inner.disk.image().and_then(|i| i.names().copied());
    assert!(now.is_some_and(|n| n != old), "a stale image kept");

    // A new transaction reads sled: B's node, under the label B created (catalog reloaded).
    let t = a.begin();
    assert_eq!(t.count_nodes(Some("P")).unwrap(), 10);
    assert_eq!(t.count_nodes(Some("Q")).unwrap(), 1);
    assert_eq!(t.labels().unwrap(), ["P", "Q"]);
    assert_eq!(t.node(q).unwrap().unwrap().labels, ["Q"]);
    drop(t);
    // ... and may write.
    let mut t = a.begin();
    t.create_node(&["Q".into()], props(100)).unwrap();
    t.commit().unwrap();
    assert_eq!(count(&a, "Q"), 2);
    let report = a.check().unwrap();
    assert!(report.is_clean(), "{report}");
}

/// A sealed reader that comes to write while another reader shares the database is refused
/// (sled cannot take its exclusive lock), and goes back to reading the image under its shared
/// lock, as it was; once the other reader is gone, the write goes through.
#[test]
fn a_write_refused_under_another_reader_leaves_a_sealed_reader() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed_graph(dir.path());
    let a = open(&path);
    let c = open(&path);
    assert!(a.is_sealed_reader() && c.is_sealed_reader());

    let mut t = a.begin();
    let err = t.create_node(&["P".into()], props(10)).unwrap_err();
    assert!(
        matches!(err, Error::Store(StoreError::Locked { .. })),
        "{err:?}"
    );
    drop(t);
    assert!(a.is_sealed_reader());
    assert!(
        a.inner.disk.holds_shared_lock(),
        "A did not take its lock back"
    );
    assert!(a.begin().image().is_some(), "A stopped reading the image");
    assert_eq!(count(&a, "P"), 10);
    assert_eq!(count(&c, "P"), 10);
    // Nothing was written, and sled was not opened: the seal holds for the next process.
    assert!(path.join(seal::FILE_NAME).is_file());
    assert!(open(&path).is_sealed_reader());

    drop(c);
    let mut t = a.begin();
    t.create_node(&["P".into()], props(10)).unwrap();
    t.commit().unwrap();
    assert!(!a.is_sealed_reader());
    assert_eq!(count(&a, "P"), 11);
    assert!(!path.join(seal::FILE_NAME).exists());
    assert!(!path.join(delta::FILE_NAME).exists());
    assert!(path.join(image::FILE_NAME).is_file(), "the chain is open");
    let report = a.check().unwrap();
    assert!(report.is_clean(), "{report}");
}

/// The bulk loader writes batches it builds from what it reads: it opens sled before reading
/// anything, and its batches drop the delta and the seal like any commit; its close writes
/// the next delta.
#[test]
fn the_bulk_loader_opens_sled_under_a_seal() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed_graph(dir.path());
    let store = open(&path);
    assert!(store.is_sealed_reader());
    let mut bulk = store.bulk_loader().unwrap();
    assert!(!store.is_sealed_reader());
    let x = bulk.add_node(&["P"], [("i", Value::Int(10))]).unwrap();
    let y = bulk.add_node(&["R"], [("i", Value::Int(11))]).unwrap();
    bulk.add_relationship("T", x, y, [("w", Value::Int(1))])
        .unwrap();
    let report = bulk.finish().unwrap();
    assert_eq!((report.nodes, report.relationships), (2, 1));
    assert!(!path.join(seal::FILE_NAME).exists());
    assert!(!path.join(delta::FILE_NAME).exists());

    let t = store.begin();
    assert_eq!(t.count_nodes(Some("P")).unwrap(), 11);
    assert_eq!(t.count_nodes(Some("R")).unwrap(), 1);
    assert_eq!(t.relationship_count().unwrap(), 1);
    assert_eq!(t.node_property(x, "i").unwrap(), Some(Value::Int(10)));
    drop(t);
    let report = store.check().unwrap();
    assert!(report.is_clean(), "{report}");
    drop(store);
    let reopened = open(&path);
    assert!(reopened.is_sealed_reader());
    assert_eq!(count(&reopened, "P"), 11);
    let t = reopened.begin();
    assert_eq!(t.count_nodes(Some("R")).unwrap(), 1);
    assert_eq!(t.relationship_count().unwrap(), 1);
    assert_eq!(t.node_property(x, "i").unwrap(), Some(Value::Int(10)));
}

/// A late open refused while another process holds the database, after a writer got in and
/// out while this process held no lock: the shared lock comes back, but the seal no longer
/// vouches for the image, so the store stops reading it (and reads sled once it can).
#[test]
fn a_refused_late_open_after_another_write_stops_reading_the_image() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed_graph(dir.path());
    let a = open(&path);
    assert!(a.is_sealed_reader());
    // A lets go of its shared lock on the way to sled; B writes meanwhile and closes.
    a.inner.disk.release_shared_lock();
    let b = open(&path);
    let mut t = b.begin();
    t.create_node(&["Q".into()], props(99)).unwrap();
    t.commit().unwrap();
    drop(b);
    // Another reader keeps sled out (B's sled released its lock in the background: wait).
    let reader = (0..100)
        .find_map(|_| {
            seal::lock_shared(&path).or_else(|| {
                std::thread::sleep(std::time::Duration::from_millis(20));
                None
            })
        })
        .expect("B's lock was never released");
    let err = a.inner.sled().unwrap_err();
    assert!(
        matches!(err, Error::Store(StoreError::Locked { .. })),
        "{err:?}"
    );
    assert!(
        a.begin().image().is_none(),
        "A still reads an outdated image"
    );
    drop(reader);
    assert_eq!(count(&a, "Q"), 1, "B's write, read from sled");
}

/// A store that opened sled and wrote nothing (here `check`, which compares the image with
/// sled) seals its image again when it closes; one that committed writes the delta first.
#[test]
fn a_close_without_a_commit_seals_the_image_again() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed_graph(dir.path());
    let store = open(&path);
    assert!(store.check().unwrap().is_clean());
    assert!(!store.is_sealed_reader());
    assert!(
        !path.join(seal::FILE_NAME).exists(),
        "sled's open broke the seal"
    );
    drop(store);
    assert!(path.join(seal::FILE_NAME).is_file(), "not sealed again");
    let store = open(&path);
    assert!(store.is_sealed_reader());
    assert_eq!(count(&store, "P"), 10);

    let mut t = store.begin();
    t.create_node(&["P".into()], props(10)).unwrap();
    t.commit().unwrap();
    drop(store);
    assert!(path.join(seal::FILE_NAME).is_file());
    assert!(path.join(delta::FILE_NAME).is_file());
    let store = open(&path);
    assert!(store.is_sealed_reader());
    assert_eq!(count(&store, "P"), 11);
}

/// A store that lost its image (a late open refused while another store held sled) and then
/// commits must still delete the delta and the seal by their paths: here the other store,
/// closing without a commit, has sealed the image again meanwhile, and a reader trusting it
/// would not see the commit.
#[test]
fn a_commit_deletes_the_image_and_seal_it_no_longer_holds() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed_graph(dir.path());
    let a = open(&path);
    // A lets go of its shared lock; B opens sled and holds it.
    a.inner.disk.release_shared_lock();
    let b = open(&path);
    b.inner.sled().unwrap();
    let err = a.inner.sled().unwrap_err();
    assert!(
        matches!(err, Error::Store(StoreError::Locked { .. })),
        "{err:?}"
    );
    assert!(a.inner.disk.image().is_none(), "A kept its image");
    drop(b);
    assert!(
        path.join(seal::FILE_NAME).is_file(),
        "B, closing, sealed again"
    );

    let mut t = a.begin();
    t.create_node(&["X".into()], props(1)).unwrap();
    t.commit().unwrap();
    assert!(
        !path.join(delta::FILE_NAME).exists(),
        "the delta outlived a commit"
    );
    assert!(
        !path.join(seal::FILE_NAME).exists(),
        "the seal outlived a commit"
    );
    drop(a);
    let c = open(&path);
    assert_eq!(count(&c, "X"), 1);
}

/// A chain broken before the write (the delta lost: its file gone, as after a crash between
/// a commit and the close): the process reads sled, its commit deletes the image, and later
/// processes read sled, with every write, until the next compaction.
#[test]
fn a_broken_chain_falls_back_to_sled() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed_graph(dir.path());
    std::fs::remove_file(path.join(delta::FILE_NAME)).unwrap();
    let store = open(&path);
    assert!(!store.is_sealed_reader(), "read without its delta");
    assert!(store.begin().image().is_none());
    let mut t = store.begin();
    t.create_node(&["P".into()], props(10)).unwrap();
    t.commit().unwrap();
    assert!(
        !path.join(image::FILE_NAME).exists(),
        "an unnamed image kept"
    );
    drop(store);
    assert!(!path.join(delta::FILE_NAME).exists());
    let store = open(&path);
    assert!(!store.is_sealed_reader());
    assert_eq!(count(&store, "P"), 11);
    assert!(store.check().unwrap().is_clean());
    drop(store);
    Store::compact(&path).unwrap();
    let store = open(&path);
    assert!(store.is_sealed_reader());
    assert_eq!(count(&store, "P"), 11);
}

/// More changed than a delta may hold: the close deletes the image (the stamp went with the
/// commit), and later processes read sled.
#[test]
fn a_delta_past_its_limit_falls_back_to_sled() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed_graph(dir.path());
    let store = open(&path);
    let mut t = store.begin();
    let text = "x".repeat(1 << 10);
    for i in 0..(delta::LIMIT >> 10) as i64 + 100 {
        let props = Properties::from([
            ("i".to_string(), Value::Int(100 + i)),
            ("text".to_string(), Value::from(text.clone())),
        ]);
        t.create_node(&["Big".into()], props).unwrap();
    }
    t.commit().unwrap();
    assert!(path.join(image::FILE_NAME).is_file(), "the chain is open");
    drop(store);
    assert!(
        !path.join(image::FILE_NAME).exists(),
        "the image outlived a too large delta"
    );
    assert!(!path.join(delta::FILE_NAME).exists());
    assert!(!path.join(seal::FILE_NAME).exists());
    let store = open(&path);
    assert!(!store.is_sealed_reader());
    assert_eq!(count(&store, "Big"), (delta::LIMIT >> 10) as u64 + 100);
    assert_eq!(count(&store, "P"), 10);
}

/// Two writers in a row, each closing cleanly: the second extends the first one's delta (it
/// holds both writes), and a fresh store reads all of it sealed, without opening sled.
#[test]
fn two_writers_in_a_row_extend_the_chain() {
    let dir = tempfile::tempdir().unwrap();
    let path = sealed_graph(dir.path());
    let first = {
        let store = open(&path);
        let mut t = store.begin();
        let a = t.create_node(&["Q".into()], props(100)).unwrap();
        t.commit().unwrap();
        a
    };
    let before = std::fs::read(path.join(delta::FILE_NAME)).unwrap();
    let second = {
        let store = open(&path);
        assert!(store.is_sealed_reader(), "the first close did not seal");
        let mut t = store.begin();
        let b = t.create_node(&["Q".into()], props(200)).unwrap();
        t.create_relationship("R", first, b, props(1)).unwrap();
        assert!(t.delete_node(0).unwrap());
        t.commit().unwrap();
        b
    };
    assert_ne!(std::fs::read(path.join(delta::FILE_NAME)).unwrap(), before);
    let store = open(&path);
    assert!(store.is_sealed_reader(), "the second close did not seal");
    let t = store.begin();
    assert_eq!(t.count_nodes(Some("Q")).unwrap(), 2);
    assert_eq!(t.count_nodes(Some("P")).unwrap(), 9);
    assert_eq!(t.node_property(first, "i").unwrap(), Some(Value::Int(100)));
    assert_eq!(t.node_property(second, "i").unwrap(), Some(Value::Int(200)));
    assert_eq!(t.relationship_count().unwrap(), 1);
    assert!(
        t.node_property(0, "i").unwrap().is_none(),
        "a deleted node read"
    );
    drop(t);
    assert!(store.is_sealed_reader(), "reads opened sled");
    assert!(store.check().unwrap().is_clean());
}
