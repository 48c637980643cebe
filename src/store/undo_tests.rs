//! The undo file's record format, and what an open puts back from it (`undo.rs`).

use super::*;

fn entry(key: &[u8], old: Option<&[u8]>, new: Option<&[u8]>) -> Entry {
    Entry {
        key: key.to_vec(),
        old: old.map(sled::IVec::from),
        new: written(new),
    }
}

/// A sled database in a temporary directory, holding `pairs`.
fn db_with(pairs: &[(&[u8], &[u8])]) -> (tempfile::TempDir, sled::Db) {
    let dir = tempfile::tempdir().unwrap();
    let db = sled::Config::new().path(dir.path()).open().unwrap();
    for (k, v) in pairs {
        db.insert(k, *v).unwrap();
    }
    (dir, db)
}

#[test]
fn a_record_reads_back_and_a_cut_or_changed_one_does_not() {
    let entries = vec![
        entry(b"a", Some(b"old"), Some(b"new")),
        entry(b"b", None, Some(b"x")),
        entry(b"c", Some(b"gone"), None),
    ];
    let bytes = encode(7, &entries);
    let header = Header::parse(&bytes[..HEADER]).expect("header");
    assert_eq!((header.number, header.state), (7, ARMED));
    let back = header
        .entries(&bytes[..HEADER], &bytes[HEADER..])
        .expect("whole");
    assert_eq!(back.len(), 3);
    assert_eq!(back[0].old.as_deref(), Some(&b"old"[..]));
    assert_eq!(back[0].new, written(Some(b"new")));
    assert_eq!((back[1].old.is_none(), back[2].new), (true, None));
    for cut in HEADER..bytes.len() {
        assert!(
            header
                .entries(&bytes[..HEADER], &bytes[HEADER..cut])
                .is_none(),
            "cut at {cut}"
        );
    }
    for at in (0..bytes.len()).filter(|at| !(28..32).contains(at)) {
        let mut bad = bytes.clone();
        bad[at] ^= 0x10;
        let parsed = Header::parse(&bad[..HEADER]);
        assert!(
            parsed.is_none_or(|h| h.entries(&bad[..HEADER], &bad[HEADER..]).is_none()),
            "byte {at}"
        );
    }
}

/// The previous build's file, as it wrote it.
fn encode_v1(number: u64, entries: &[Entry]) -> Vec<u8> {
    let mut out = MAGIC_V1.to_vec();
    out.extend_from_slice(&number.to_le_bytes());
    for e in entries {
        out.extend_from_slice(&(e.key.len() as u32).to_le_bytes());
        out.extend_from_slice(&e.key);
        put_value(&mut out, e.old.as_deref());
    }
    let sum = crc32fast::hash(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

#[test]
fn an_open_puts_back_part_of_a_batch_and_leaves_a_whole_one() {
    // Commit 5 wrote a=new, b=new, removed c; sled holds part of it (a only) and counts 4.
    let (dir, db) = db_with(&[(b"a", b"new"), (b"b", b"old-b"), (b"c", b"old-c")]);
    db.insert(super::super::keys::META_COMMITS, &4u64.to_be_bytes())
        .unwrap();
    let entries = vec![
        entry(b"a", Some(b"old-a"), Some(b"new")),
        entry(b"b", Some(b"old-b"), Some(b"new")),
        entry(b"c", Some(b"old-c"), None),
    ];
    let undo = UndoFile::new(dir.path().to_path_buf());
    undo.arm(5, &entries).unwrap();
    restore(&db, dir.path()).unwrap();
    assert_eq!(db.get(b"a").unwrap().as_deref(), Some(&b"old-a"[..]));
    // Marked done and synced (invariant 4): a second open changes nothing.
    db.insert(b"a", b"later").unwrap();
    restore(&db, dir.path()).unwrap();
    assert_eq!(db.get(b"a").unwrap().as_deref(), Some(&b"later"[..]));

    // The same batch applied whole: left alone, though neither the mark nor done says so.
    db.insert(b"a", b"new").unwrap();
    db.insert(b"b", b"new").unwrap();
    db.remove(b"c").unwrap();
    undo.arm(5, &entries).unwrap();
    restore(&db, dir.path()).unwrap();
    assert_eq!(db.get(b"b").unwrap().as_deref(), Some(&b"new"[..]));

    // A record of a commit sled no longer counts as its newest or the next: stale.
    db.insert(b"b", b"old-b").unwrap();
    db.insert(super::super::keys::META_COMMITS, &9u64.to_be_bytes())
        .unwrap();
    undo.arm(5, &entries).unwrap();
    restore(&db, dir.path()).unwrap();
    assert_eq!(db.get(b"a").unwrap().as_deref(), Some(&b"new"[..]));
}

#[test]
fn an_open_honours_the_previous_builds_file_and_removes_it() {
    let (dir, db) = db_with(&[(b"a", b"torn")]);
    db.insert(super::super::keys::META_COMMITS, &3u64.to_be_bytes())
        .unwrap();
    let path = dir.path().join(FILE_NAME);
    std::fs::write(&path, encode_v1(3, &[entry(b"a", Some(b"before"), None)])).unwrap();
    restore(&db, dir.path()).unwrap();
    assert_eq!(db.get(b"a").unwrap().as_deref(), Some(&b"before"[..]));
    assert!(!path.exists());
}

#[test]
fn the_file_keeps_its_room_and_grows_by_what_a_commit_needs() {
    let dir = tempfile::tempdir().unwrap();
    let undo = UndoFile::new(dir.path().to_path_buf());
    let path = dir.path().join(FILE_NAME);
    undo.arm(1, &[entry(b"k", None, Some(b"v"))]).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), MIN_SPACE);
    undo.done();
    let big = vec![7u8; 100 << 10];
    undo.arm(2, &[entry(b"k", Some(&big), None)]).unwrap();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), 128 << 10);
    undo.shrink();
    assert_eq!(std::fs::metadata(&path).unwrap().len(), MIN_SPACE);
}

/// The entries of the record in `bytes` (armed or done), with each old value as sled held it.
fn record_olds(bytes: &[u8]) -> Vec<(Vec<u8>, Option<Vec<u8>>)> {
    let header = Header::parse(&bytes[..HEADER]).expect("a record");
    let body = &bytes[HEADER..HEADER + header.body_len];
    let entries = header.entries(&bytes[..HEADER], body).expect("whole");
    entries
        .into_iter()
        .map(|e| (e.key, e.old.map(|v| v.to_vec())))
        .collect()
}

/// Every file of `from` copied into `to` (a store's directory: flat).
fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let entry = entry.unwrap();
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &to.join(entry.file_name()));
        } else {
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
}

/// The old values of a commit's record are the bytes sled held before its batch, whichever
/// source gave them: a block the transaction read twice (its cache, filled from the read
/// image with a delta over it) or sled. A key the batch creates is recorded absent. Compared
/// with sled in a copy of the database taken before the commit.
#[test]
fn the_records_old_values_are_what_sled_held() {
    use crate::model::Properties;
    use crate::store::{GraphRead, GraphWrite, OpenOptions, Store};
    use crate::value::Value;

    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let props = |i: i64| Properties::from([("i".to_string(), Value::Int(i))]);
    let opts = OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    };
    let store = Store::open(&path, &opts).unwrap();
    let mut t = store.begin();
    let nodes: Vec<_> = (0..600)
        .map(|i| t.create_node(&["P".into()], props(i)).unwrap())
        .collect();
    let mut rels = Vec::new();
    for (i, &a) in nodes.iter().enumerate() {
        for j in [1, 7, 31] {
            let b = nodes[(i * j + 3) % nodes.len()];
            rels.push(t.create_relationship("R", a, b, props(j as i64)).unwrap());
        }
    }
    t.commit().unwrap();
    drop(store);
    Store::compact(&path).unwrap();
    // A commit and a clean close: the image gets a delta over it.
    let store = Store::open(&path, &OpenOptions::default()).unwrap();
    let mut t = store.begin();
    for &n in nodes.iter().step_by(5) {
        t.set_node_property(n, "i", Value::Int(-1)).unwrap();
    }
    t.commit().unwrap();
    drop(store);
    let before = dir.path().join("before");
    copy_dir(&path, &before);

    let store = Store::open(&path, &OpenOptions::default()).unwrap();
    assert!(store.is_sealed_reader(), "the image is read");
    let mut t = store.begin();
    // Read twice: these blocks are in the transaction's cache when they are written.
    for _ in 0..2 {
        for &n in &nodes {
            t.node_property(n, "i").unwrap();
        }
    }
    for &n in nodes.iter().step_by(3) {
        t.set_node_property(n, "i", Value::Int(1000)).unwrap();
    }
    t.delete_relationships(&rels[..rels.len() / 2]).unwrap();
    for &r in rels[rels.len() / 2..].iter().step_by(4) {
        t.delete_relationship(r).unwrap();
    }
    let lone = t.create_node(&["Q".into()], props(7)).unwrap();
    t.delete_node(lone).unwrap();
    for i in 0..300 {
        t.create_node(&["Q".into()], props(i)).unwrap();
    }
    t.commit().unwrap();
    // Read before the close shrinks the file.
    let record = std::fs::read(path.join(FILE_NAME)).unwrap();
    drop(store);

    let held = sled::Config::new().path(&before).open().unwrap();
    let olds = record_olds(&record);
    assert!(olds.len() > 30, "{} keys", olds.len());
    assert!(olds.iter().any(|(_, old)| old.is_none()), "a new key");
    for (key, old) in &olds {
        let was = held.get(key).unwrap().map(|v| v.to_vec());
        assert_eq!(old, &was, "the old value of {key:?}");
    }
}
