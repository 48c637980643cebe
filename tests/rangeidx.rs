//! Ordered property indexes (issue 20): every range, prefix and substring predicate answers the
//! same through the index as through a scan, over mixed-type values (ints and floats, NaN and
//! infinities, -0.0, integers beyond f64 precision, non-ASCII and NUL-carrying strings,
//! booleans, dates, lists), with bounds of every type (null and lists included), before and
//! after writes that move values between pages, and after reopening the database.
//!
//! Every node carries labels `A` and `B` and the same `v`; only `:A(v)` is indexed, so
//! `MATCH (n:A:B)` plans an index seek and `MATCH (n:B)` a label scan of the same nodes. (For
//! CONTAINS and ENDS WITH, `MATCH (n:A)` plans the label scan with the test applied in the
//! store, `plan/pattern/whole_index.rs`; the second label keeps the index.)

use kgstore::db::{Database, OpenOptions, Params};

fn create() -> OpenOptions {
    OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    }
}
use kgstore::store::{IndexDef, Store};
use kgstore::value::{Date, Value};

/// A small deterministic generator (xorshift), so a failure names its seed and case.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

const WORDS: &[&str] = &[
    "",
    "a",
    "ab",
    "abc",
    "b",
    "ba",
    "é",
    "éa",
    "日本",
    "日本語",
    "z",
    "Z",
    "a\u{0}b",
    "a\u{0}",
    "\u{0}",
    "ÿ",
    "ab ",
    "🙂",
    "abd",
];

/// A property value (or a bound) of any kind the index may meet.
fn value(r: &mut Rng) -> Value {
    match r.below(14) {
        0..=2 => Value::Int(r.below(41) as i64 - 20),
        3 | 4 => Value::Float((r.below(81) as f64 - 40.0) / 4.0),
        5 => Value::String(WORDS[r.below(WORDS.len() as u64) as usize].to_string()),
        6 => Value::String(format!(
            "{}{}",
            WORDS[r.below(WORDS.len() as u64) as usize],
            r.below(30)
        )),
        7 => Value::Bool(r.below(2) == 0),
        8 => Value::Date(Date::from_days(r.below(10) as i64 + 19_000)),
        9 => match r.below(6) {
            0 => Value::Float(f64::NAN),
            1 => Value::Float(f64::INFINITY),
            2 => Value::Float(f64::NEG_INFINITY),
            3 => Value::Float(-0.0),
            // Integers beyond f64 precision, on both sides of 2^53.
            _ => Value::Int((1i64 << 53) + r.below(5) as i64 - 2),
        },
        10 => Value::Float((1u64 << 53) as f64),
        11 => Value::List(vec![Value::Int(r.below(3) as i64), Value::Int(1)]),
        12 => Value::String(format!("s{:03}", r.below(200))),
        _ => Value::Int(r.below(200) as i64),
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

const PREDICATES: &[&str] = &[
    "n.v < $x",
    "n.v <= $x",
    "n.v > $x",
    "n.v >= $x",
    "$x < n.v",
    "$x >= n.v",
    "$x < n.v < $y",
    "$x <= n.v <= $y",
    "n.v >= $x AND n.v < $y",
    "n.v > $x AND $y > n.v",
    "n.v STARTS WITH $x",
    "n.v CONTAINS $x",
    "n.v ENDS WITH $x",
    "n.v IN [$x, $y]",
    "n.v = $x",
];

/// Compares every predicate with random bounds, index against scan, and checks that the
/// index was the plan for the comparisons and string tests.
fn compare_all(db: &Database, r: &mut Rng, rounds: usize, stage: &str) {
    for round in 0..rounds {
        for pred in PREDICATES {
            let (x, y) = (value(r), value(r));
            // Bounds of text tests are mostly strings, sometimes not.
            let x = if pred.contains("WITH") || pred.contains("CONTAINS") {
                if r.below(8) == 0 {
                    x
                } else {
                    Value::String(
                        WORDS[r.below(WORDS.len() as u64) as usize]
                            .chars()
                            .take(2)
                            .collect(),
                    )
                }
            } else if r.below(20) == 0 {
                Value::Null
            } else {
                x
            };
            let p = params(&[("x", x.clone()), ("y", y.clone())]);
            let indexed = format!("MATCH (n:A:B) WHERE {pred} RETURN n.id");
            let scanned = format!("MATCH (n:B) WHERE {pred} RETURN n.id");
            assert_eq!(
                ids(db, &indexed, &p),
                ids(db, &scanned, &p),
                "{stage} round {round}: {pred} with x = {x:?}, y = {y:?}"
            );
        }
    }
    // Ordered prefix seeks answer ORDER BY … LIMIT without sorting: the same values.
    for _ in 0..rounds {
        let x: String = WORDS[r.below(WORDS.len() as u64) as usize]
            .chars()
            .take(1)
            .collect();
        let p = params(&[("x", Value::String(x.clone()))]);
        let q = |l: &str| {
            format!(
                "MATCH (n:{l}) WHERE n.v STARTS WITH $x RETURN n.v AS v ORDER BY v SKIP 1 LIMIT 7"
            )
        };
        let (a, b) = (db.run(&q("A"), &p).unwrap(), db.run(&q("B"), &p).unwrap());
        assert_eq!(a.rows, b.rows, "{stage}: ORDER BY over STARTS WITH {x:?}");
    }
    let plan = db
        .explain("MATCH (n:A) WHERE n.v STARTS WITH 'a' RETURN n.v AS v ORDER BY v LIMIT 7")
        .unwrap();
    assert!(!plan.contains("Top"), "{plan}");
    for (pred, op) in [
        ("n.v < $x", "NodeIndexSeekByRange(n:A.v)"),
        ("$x < n.v < $y", "NodeIndexSeekByRange(n:A.v)"),
        (
            "n.v STARTS WITH $x",
            "NodeIndexSeekByRange(n:A.v STARTS WITH)",
        ),
        ("n.v CONTAINS $x", "NodeIndexContainsScan(n:A.v CONTAINS)"),
        ("n.v ENDS WITH $x", "NodeIndexEndsWithScan(n:A.v ENDS WITH)"),
    ] {
        let plan = db
            .explain(&format!("MATCH (n:A:B) WHERE {pred} RETURN n.id"))
            .unwrap();
        assert!(plan.contains(op), "{pred}:\n{plan}");
    }
    for pred in ["n.v CONTAINS $x", "n.v ENDS WITH $x"] {
        let plan = db
            .explain(&format!("MATCH (n:A) WHERE {pred} RETURN n.id"))
            .unwrap();
        assert!(plan.contains("NodeByLabelScan(n:A)"), "{pred}:\n{plan}");
    }
}

fn fill(db: &Database, r: &mut Rng, nodes: usize) {
    let mut rows = Vec::new();
    for i in 0..nodes {
        // About one node in eight has no `v`.
        let v = if r.below(8) == 0 {
            Value::Null
        } else {
            value(r)
        };
        rows.push(Value::Map(
            [
                ("id".to_string(), Value::Int(i as i64)),
                ("v".to_string(), v),
            ]
            .into_iter()
            .collect(),
        ));
    }
    db.run(
        "UNWIND $rows AS row CREATE (n:A:B {id: row.id}) SET n.v = row.v",
        &params(&[("rows", Value::List(rows))]),
    )
    .unwrap();
}

/// Random writes: values changed (between types and pages), removed, labels taken away and
/// given back, nodes deleted and created.
fn churn(db: &Database, r: &mut Rng, nodes: usize) {
    for _ in 0..200 {
        let id = Value::Int(r.below(nodes as u64) as i64);
        let q = match r.below(5) {
            0 => "MATCH (n:B {id: $id}) REMOVE n.v",
            1 => "MATCH (n:B {id: $id}) REMOVE n:A",
            2 => "MATCH (n:B {id: $id}) SET n:A",
            3 => "MATCH (n:B {id: $id}) DETACH DELETE n CREATE (:A:B {id: $id, v: $v})",
            _ => "MATCH (n:B {id: $id}) SET n.v = $v",
        };
        let v = value(r);
        db.run(q, &params(&[("id", id), ("v", v)])).unwrap();
    }
    // Removing label A takes nodes out of the index: compare only nodes with both labels.
    db.run("MATCH (n:B) WHERE NOT n:A SET n:A", &Params::new())
        .unwrap();
}

#[test]
fn index_answers_equal_scan_answers_through_writes_and_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let nodes = 1500;
    let mut r = Rng(0x9e37_79b9_7f4a_7c15);
    {
        let db = Database::open(&path, &create()).unwrap();
        fill(&db, &mut r, nodes);
        db.run("CREATE INDEX a_v FOR (n:A) ON (n.v)", &Params::new())
            .unwrap();
        compare_all(&db, &mut r, 12, "after create");
        churn(&db, &mut r, nodes);
        compare_all(&db, &mut r, 12, "after writes");
        assert!(db.store().check().unwrap().is_clean());
    }
    let db = Database::open(&path, &OpenOptions::default()).unwrap();
    compare_all(&db, &mut r, 6, "after reopen");
    assert!(db.store().check().unwrap().is_clean());
}

/// An index created before its data, filled entry by entry as the nodes are created.
#[test]
fn index_filled_by_writes_answers_like_one_built_at_creation() {
    let db = Database::open_in_memory().unwrap();
    db.run("CREATE RANGE INDEX a_v FOR (n:A) ON (n.v)", &Params::new())
        .unwrap();
    let mut r = Rng(0x2545_f491_4f6c_dd1d);
    fill(&db, &mut r, 3000);
    compare_all(&db, &mut r, 10, "filled after create");
    assert!(db.store().check().unwrap().is_clean());
}

/// Ordered pages make a range scan return values in order: `ORDER BY` over the seek sees the
/// same rows as over a scan, and `SHOW INDEXES` names the kinds as Neo4j 5 does.
#[test]
fn text_index_and_show_indexes() {
    let db = Database::open_in_memory().unwrap();
    let p = Params::new();
    db.run(
        "UNWIND range(1, 500) AS i CREATE (:P {name: 'n' + toString(i), age: i % 90})",
        &p,
    )
    .unwrap();
    db.run(
        "CREATE TEXT INDEX p_name IF NOT EXISTS FOR (n:P) ON (n.name)",
        &p,
    )
    .unwrap();
    db.run(
        "CREATE TEXT INDEX p_name IF NOT EXISTS FOR (n:P) ON (n.name)",
        &p,
    )
    .unwrap();
    db.run("CREATE RANGE INDEX p_age FOR (n:P) ON (n.age)", &p)
        .unwrap();
    let shown = db
        .run(
            "SHOW INDEXES YIELD name, type RETURN name, type ORDER BY name",
            &p,
        )
        .unwrap();
    assert_eq!(
        shown.rows,
        vec![
            vec![Value::from("p_age"), Value::from("RANGE")],
            vec![Value::from("p_name"), Value::from("TEXT")],
        ]
    );
    let q = "MATCH (n:P) WHERE n.name STARTS WITH 'n4' RETURN n.name ORDER BY n.name LIMIT 5";
    let rows = db.run(q, &p).unwrap().rows;
    let names: Vec<Value> = rows.into_iter().map(|mut r| r.remove(0)).collect();
    assert_eq!(
        names,
        ["n4", "n40", "n400", "n401", "n402"]
            .map(Value::from)
            .to_vec()
    );
    let n = db
        .run("MATCH (n:P) WHERE 10 <= n.age < 12 RETURN count(*)", &p)
        .unwrap();
    assert_eq!(n.rows[0][0], Value::Int(12));
    db.run("DROP INDEX p_name", &p).unwrap();
    let plan = db
        .explain("MATCH (n:P) WHERE n.name STARTS WITH 'n4' RETURN n")
        .unwrap();
    assert!(plan.contains("NodeByLabelScan"), "{plan}");
    assert!(db.store().check().unwrap().is_clean());
}

/// The import path (`BulkLoader`, several batches) fills the ordered pages as it fills the
/// hash buckets.
#[test]
fn bulk_loaded_index_answers_like_a_scan() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let mut r = Rng(0x1234_5678_9abc_def1);
    {
        let store = Store::open(&path, &create()).unwrap();
        let mut bulk = store.bulk_loader().unwrap();
        bulk.set_batch_size(700, 700);
        let def = IndexDef {
            name: "a_v".into(),
            label: "A".into(),
            property: "v".into(),
            unique: false,
            kind: Default::default(),
        };
        bulk.create_index(def, 3000).unwrap();
        for i in 0..3000 {
            let mut props = vec![("id", Value::Int(i))];
            if r.below(8) != 0 {
                props.push(("v", value(&mut r)));
            }
            bulk.add_node(&["A", "B"], props).unwrap();
        }
        bulk.finish().unwrap();
    }
    let db = Database::open(&path, &OpenOptions::default()).unwrap();
    compare_all(&db, &mut r, 10, "bulk loaded");
    assert!(db.store().check().unwrap().is_clean());
}
