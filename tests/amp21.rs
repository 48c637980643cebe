//! Index write amplification (issues 20 and 21): a statement's index writes are proportional
//! to the entries it adds or removes (index deltas, store format 11), and every index answer
//! (equality, uniqueness, ranges, prefixes) stays what a scan gives, through small commits,
//! large ones, compaction (which folds the deltas), reopening and `kg check`.

use kgstore::db::{Database, OpenOptions, Params};
use kgstore::store::Store;
use kgstore::Value;

fn create() -> OpenOptions {
    OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    }
}

fn params(kv: &[(&str, Value)]) -> Params {
    kv.iter().map(|(k, v)| (k.to_string(), v.clone())).collect()
}

fn ids(db: &Database, q: &str, p: &Params) -> Vec<i64> {
    let res = db.run(q, p).unwrap_or_else(|e| panic!("{q}: {e}"));
    let mut out: Vec<i64> = res
        .rows
        .iter()
        .map(|r| match &r[0] {
            Value::Int(i) => *i,
            other => panic!("{q}: id {other:?}"),
        })
        .collect();
    out.sort_unstable();
    out
}

/// A name that lands anywhere in the index's order (a multiplicative hash of `i`).
fn scattered(i: i64) -> String {
    format!(
        "r{}",
        (i.wrapping_mul(2_654_435_761)).rem_euclid(4_294_967_291)
    )
}

/// Bytes the store committed for `q`.
fn bytes_of(db: &Database, q: &str, p: &Params) -> u64 {
    let before = db.store().committed_bytes();
    db.run(q, p).unwrap_or_else(|e| panic!("{q}: {e}"));
    db.store().committed_bytes() - before
}

/// On an index of 20k entries, ten new indexed nodes commit about the bytes of ten unindexed
/// ones plus a small key per entry: not ten buckets (≈ 2 KiB each) and ten pages (4–8 KiB).
#[test]
fn a_small_commit_writes_bytes_in_proportion_to_its_entries() {
    let dir = tempfile::tempdir().unwrap();
    let db = Database::open(&dir.path().join("db"), &create()).unwrap();
    db.run(
        "UNWIND range(0, 19999) AS i CREATE (:P {i: i, name: 'r' + toString((i * 2654435761) % 4294967291)})",
        &Params::new(),
    )
    .unwrap();
    db.run("CREATE INDEX p_name FOR (n:P) ON (n.name)", &Params::new())
        .unwrap();
    let create = |label: &str, round: i64| {
        let q = format!(
            "UNWIND range($from, $from + 9) AS i CREATE (:{label} {{i: i, name: 'r' + toString((i * 2654435761) % 4294967291)}})"
        );
        bytes_of(
            &db,
            &q,
            &params(&[("from", Value::Int(100_000 + round * 10))]),
        )
    };
    let mut extra = Vec::new();
    for round in 0..6 {
        // Unindexed, indexed, unindexed: the node blocks grow alike around the indexed commit.
        let (q1, p, q2) = (
            create("Q", 3 * round),
            create("P", 3 * round + 1),
            create("Q", 3 * round + 2),
        );
        extra.push(p as i64 - (q1 + q2) as i64 / 2);
    }
    extra.sort_unstable();
    let median = extra[extra.len() / 2];
    // A delta key: 'J', index id, the value's key (≈ 14 bytes here), node id, one byte.
    assert!(
        median < 10 * 100,
        "ten index entries cost {median} bytes per commit ({extra:?})"
    );
    let res = db
        .run(
            "MATCH (n:P) WHERE n.name = $v RETURN n.i",
            &params(&[("v", Value::from(scattered(100_011)))]),
        )
        .unwrap();
    assert_eq!(res.rows, vec![vec![Value::Int(100_011)]]);
    assert!(db.store().check().unwrap().is_clean());
}

const PREDICATES: &[&str] = &[
    "n.v = $x",
    "n.v IN [$x, $y]",
    "n.v >= $x AND n.v < $y",
    "n.v < $x",
    "n.v > $x",
    "n.v STARTS WITH $x",
    "n.v ENDS WITH $x",
    "n.v CONTAINS $x",
];

/// Every predicate through the index (`:A`) against a label scan of the same nodes (`:B`).
fn compare(db: &Database, stage: &str, seed: i64) {
    for k in 0..12i64 {
        let s = seed + k * 7;
        let bounds: [(Value, Value); 3] = [
            (Value::from(scattered(s)), Value::from(scattered(s + 3))),
            (Value::from(format!("r{}", s % 10)), Value::from("r5")),
            (Value::Int(s % 40), Value::Float((s % 40) as f64 + 0.5)),
        ];
        for (x, y) in bounds {
            for pred in PREDICATES {
                let p = params(&[("x", x.clone()), ("y", y.clone())]);
                let by_index = ids(db, &format!("MATCH (n:A) WHERE {pred} RETURN n.id"), &p);
                let by_scan = ids(db, &format!("MATCH (n:B) WHERE {pred} RETURN n.id"), &p);
                assert_eq!(by_index, by_scan, "{stage}: {pred} with {x:?}, {y:?}");
            }
        }
    }
}

/// Many small commits (deltas: adds, removals, changes between types, deletions), then a
/// large one (folded before it commits), compaction (folds the rest), reopening: the index
/// answers as a scan does throughout, uniqueness holds across deltas and buckets, and `kg
/// check` is clean.
#[test]
fn index_answers_stay_exact_through_deltas_folds_and_compaction() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    {
        let db = Database::open(&path, &create()).unwrap();
        db.run(
            "UNWIND range(0, 1999) AS i CREATE (:A:B {id: i, v: 'r' + toString((i * 2654435761) % 4294967291)})",
            &Params::new(),
        )
        .unwrap();
        db.run("CREATE INDEX a_v FOR (n:A) ON (n.v)", &Params::new())
            .unwrap();
        db.run(
            "CREATE CONSTRAINT b_id FOR (n:B) REQUIRE n.id IS UNIQUE",
            &Params::new(),
        )
        .unwrap();
        compare(&db, "built", 1);
        for i in 0..150i64 {
            let id = Value::Int(i * 13 % 2000);
            let q = match i % 6 {
                0 => "MATCH (n:B {id: $id}) SET n.v = $v",
                1 => "MATCH (n:B {id: $id}) SET n.v = toInteger($id) % 40",
                2 => "MATCH (n:B {id: $id}) SET n.v = toFloat($id % 40)",
                3 => "MATCH (n:B {id: $id}) REMOVE n.v",
                4 => "MATCH (n:B {id: $id}) DETACH DELETE n CREATE (:A:B {id: $id, v: $v})",
                _ => "CREATE (:A:B {id: 5000 + toInteger($id), v: $v})",
            };
            let v = Value::from(scattered(i + 7));
            db.run(q, &params(&[("id", id), ("v", v)])).unwrap();
        }
        compare(&db, "after small commits", 2);
        // The unique index sees entries that are only deltas: a second id 5000 + 13·5 fails
        // and leaves nothing behind.
        let before = ids(&db, "MATCH (n:B) RETURN n.id", &Params::new());
        let dup = db.run("CREATE (:B {id: 5065})", &Params::new());
        assert!(dup.is_err(), "a duplicate id written after the deltas");
        assert_eq!(ids(&db, "MATCH (n:B) RETURN n.id", &Params::new()), before);
        assert!(db.store().check().unwrap().is_clean());
        // A large statement: folded into the buckets before its commit.
        db.run(
            "UNWIND range(10000, 13999) AS i CREATE (:A:B {id: i, v: 'r' + toString((i * 2654435761) % 4294967291)})",
            &Params::new(),
        )
        .unwrap();
        compare(&db, "after a large commit", 3);
        assert!(db.store().check().unwrap().is_clean());
        db.run(
            "MATCH (n:B) WHERE n.id % 5 = 0 SET n.v = 'r' + toString(n.id)",
            &Params::new(),
        )
        .unwrap();
        compare(&db, "after small commits", 4);
    }
    Store::compact(&path).unwrap();
    let db = Database::open(&path, &OpenOptions::default()).unwrap();
    compare(&db, "compacted", 5);
    let report = db.store().check().unwrap();
    assert!(report.is_clean(), "{report}");
    db.run("MATCH (n:B {id: 7}) SET n.v = 'r-new'", &Params::new())
        .unwrap();
    let p = params(&[("x", Value::from("r-new"))]);
    assert_eq!(
        ids(&db, "MATCH (n:A) WHERE n.v = $x RETURN n.id", &p),
        vec![7]
    );
    compare(&db, "written after compaction", 6);
    assert!(db.store().check().unwrap().is_clean());
}
