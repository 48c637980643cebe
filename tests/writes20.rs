//! Bulk writes of one statement (issue 20's A5 and A6 shapes): the expansion's relationship
//! pre-filter (`exec/rel_prefilter.rs`) answers what the filter alone answers, and SETs and
//! DELETEs that change a block the transaction already holds in place (`Txn::put_block_entry`,
//! `records::section_remove`) leave the store consistent, visible to later clauses and
//! statements, and undone when the statement or the transaction fails.

#[path = "support/on_disk.rs"]
mod on_disk;
use on_disk::on_disk;

use kgstore::db::{Database, Params};
use kgstore::Value;

fn run(db: &Database, q: &str) -> Result<Vec<Vec<Value>>, String> {
    let mut params = Params::new();
    params.insert("y".into(), Value::Int(3));
    db.run(q, &params)
        .map(|r| r.rows)
        .map_err(|e| e.to_string())
}

fn ok(db: &Database, q: &str) -> Vec<Vec<Value>> {
    run(db, q).unwrap_or_else(|e| panic!("{q}: {e}"))
}

/// 600 `:N` nodes; `:R` relationships from each to a few others with an integer `y` (missing
/// on one in 11, a string on one in 13), a float `a`; hub node 0 gets 700 more (its
/// adjacency spills into chunks), and `:S` relationships with the same keys between them.
fn graph(db: &Database) {
    ok(
        db,
        "UNWIND range(0, 599) AS i CREATE (:N {i: i, v: toFloat(i) / 3.0})",
    );
    ok(
        db,
        "MATCH (a:N), (b:N) WHERE (a.i * 7 + b.i * 13) % 97 = 0 \
         CREATE (a)-[:R {k: a.i * 1000 + b.i, \
           y: CASE WHEN (a.i + b.i) % 11 = 0 THEN null \
                   WHEN (a.i + b.i) % 13 = 0 THEN 'x' ELSE (a.i * 31 + b.i) % 7 END, \
           a: toFloat(a.i + b.i) / 7.0}]->(b) \
         CREATE (b)-[:S {y: 3, a: 1.0}]->(a)",
    );
    ok(
        db,
        "MATCH (h:N {i: 0}), (b:N) WHERE b.i > 0 AND b.i <= 350 \
         CREATE (h)-[:R {k: -b.i, y: b.i % 7, a: 0.5}]->(b), (b)-[:R {k: -1000 - b.i, y: b.i % 5}]->(h)",
    );
}

/// The tests the expansion takes, each as (pushed, written so it cannot be pushed).
fn tests() -> Vec<(String, String)> {
    [
        "r.y = 3",
        "3 = r.y",
        "r.y <> 3",
        "r.y < 2",
        "r.y >= $y",
        "r.a > 40.5",
        "r.y = 'x'",
        "r.y STARTS WITH 'x'",
        "r.y = 3 AND r.a < 50.0",
        "r.nothing = 1",
    ]
    .iter()
    .map(|t| (t.to_string(), format!("({t}) = true")))
    .collect()
}

#[test]
fn the_relationship_prefilter_answers_what_the_filter_answers() {
    let db = Database::open_in_memory().unwrap();
    graph(&db);
    for (pushed, plain) in tests() {
        for shape in [
            "MATCH (a:N)-[r:R]->(b) WHERE {} RETURN a.i, r.k, b.i",
            "MATCH (a)<-[r:R|S]-(b) WHERE {} RETURN a.i, r.k, b.i",
            "MATCH ()-[r:R]->() WHERE {} RETURN count(*), sum(r.k)",
            "MATCH (a:N {i: 0})-[r]-(b) WHERE {} RETURN r.k, b.i",
        ] {
            let q1 = shape.replace("{}", &pushed);
            let q2 = shape.replace("{}", &plain);
            let (got, want) = (ok(&db, &q1), ok(&db, &q2));
            assert_eq!(got, want, "{q1}");
        }
    }
    // The filter, not the pre-filter, raises: the same error either way, and none when the
    // first conjunct is false on every row that would raise.
    let err = "MATCH ()-[r:R]->() WHERE {} AND r.k / 0 = 1 RETURN count(*)";
    let e1 = run(&db, &err.replace("{}", "r.y = 3"));
    let e2 = run(&db, &err.replace("{}", "(r.y = 3) = true"));
    assert!(e1.is_err(), "{e1:?}");
    assert_eq!(e1, e2);
    // Where the first conjunct is false on every row, the rest is never evaluated (a null
    // keeps the row: `r.y` is missing on some relationships, so test `r.k`, never null).
    let none = "MATCH ()-[r:R]->() WHERE {} AND r.y / 0 = 1 RETURN count(*)";
    for k in [-7, -8, 5, 1042] {
        assert_eq!(
            run(&db, &none.replace("{}", &format!("r.k = {k}"))),
            run(&db, &none.replace("{}", &format!("(r.k = {k}) = true")))
        );
    }
    assert_eq!(
        ok(&db, &none.replace("{}", "r.k = -70000")),
        vec![vec![Value::Int(0)]]
    );
    // A missing parameter is the filter's error.
    let missing = run(&db, "MATCH ()-[r:R]->() WHERE r.y = $nope RETURN count(*)");
    let plain = run(
        &db,
        "MATCH ()-[r:R]->() WHERE (r.y = $nope) = true RETURN count(*)",
    );
    assert_eq!(missing.is_err(), plain.is_err());
}

/// The statement's own writes are what a later clause's pre-filter reads.
#[test]
fn a_later_clause_sees_the_statements_writes() {
    for pushed in [true, false] {
        let db = Database::open_in_memory().unwrap();
        graph(&db);
        let test = |t: &str| match pushed {
            true => t.to_string(),
            false => format!("({t}) = true"),
        };
        let rows = ok(
            &db,
            &format!(
                "MATCH ()-[r:R]->() WHERE {} SET r.y = 40 \
                 WITH count(*) AS set \
                 MATCH ()-[s:R]->() WHERE {} DELETE s \
                 WITH set, count(*) AS deleted \
                 OPTIONAL MATCH ()-[t:R]->() WHERE {} RETURN set, deleted, count(t)",
                test("r.y = 3"),
                test("s.y = 40"),
                test("t.y = 40"),
            ),
        );
        let [set, deleted, left] = &rows[0][..] else {
            panic!("{rows:?}")
        };
        assert!(matches!(set, Value::Int(n) if *n > 50), "{rows:?}");
        assert_eq!(set, deleted);
        assert_eq!(left, &Value::Int(0));
        assert!(db.store().check().unwrap().is_clean());
    }
}

fn snapshot(db: &Database) -> Vec<Vec<Value>> {
    let mut rows = ok(
        db,
        "MATCH (a)-[r]->(b) RETURN a.i, type(r), r.k, r.y, b.i ORDER BY r.k, type(r)",
    );
    rows.extend(ok(db, "MATCH (n:N) RETURN n.i, n.v, n.w ORDER BY n.i"));
    rows.extend(ok(
        db,
        "MATCH (n:N) RETURN n.i, size([(n)-->() | 1]), size([(n)<--() | 1]), \
         COUNT { (n)-[:R]->() } ORDER BY n.i",
    ));
    rows
}

/// Many SETs and relationship DELETEs of one statement change blocks in place; a failed
/// statement and a rolled-back transaction leave no trace, a committed one is what the next
/// statements and a reopened store read, and `kg check` finds the store consistent.
#[test]
fn bulk_sets_and_deletes_in_place_commit_and_roll_back() {
    let (dir, db) = on_disk();
    graph(&db);
    let before = snapshot(&db);
    let (bulk_set, bulk_delete) = (
        "MATCH (n:N) WHERE n.i % 3 <> 1 SET n.v = n.v * 2, n.w = n.i RETURN count(*)",
        "MATCH ()-[r:R]->() WHERE r.y < 4 DELETE r RETURN count(*)",
    );

    // A statement that fails after its writes (division by zero on the last row) leaves
    // nothing, alone and inside a transaction.
    let failing = "MATCH (n:N) WITH n ORDER BY n.i SET n.v = n.v * 2 \
                   WITH n MATCH (n)-[r:R]->() DELETE r WITH n, count(*) AS c \
                   RETURN n.i / (n.i - 599)";
    assert!(run(&db, failing).is_err());
    assert_eq!(snapshot(&db), before);
    {
        let mut s = db.session();
        s.begin().unwrap();
        s.run(bulk_set, &Params::new()).unwrap();
        let mid = {
            let r = s
                .run("MATCH (n:N) RETURN sum(n.v), sum(n.w)", &Params::new())
                .unwrap();
            r.rows
        };
        assert!(s.run(failing, &Params::new()).is_err());
        let after_fail = s
            .run("MATCH (n:N) RETURN sum(n.v), sum(n.w)", &Params::new())
            .unwrap()
            .rows;
        assert_eq!(mid, after_fail);
        s.run(bulk_delete, &Params::new()).unwrap();
        s.rollback().unwrap();
    }
    assert_eq!(snapshot(&db), before);
    assert!(db.store().check().unwrap().is_clean());

    // Committed: the same answers as the writes made one row at a time in a fresh store.
    ok(&db, bulk_set);
    ok(&db, bulk_delete);
    let after = snapshot(&db);
    assert_ne!(after, before);
    assert!(db.store().check().unwrap().is_clean());
    let reference = Database::open_in_memory().unwrap();
    graph(&reference);
    let ids = ok(&reference, "MATCH (n:N) WHERE n.i % 3 <> 1 RETURN n.i");
    for id in ids {
        let Value::Int(id) = id[0] else {
            panic!("{id:?}")
        };
        let q = format!("MATCH (n:N {{i: {id}}}) SET n.v = n.v * 2, n.w = n.i");
        ok(&reference, &q);
    }
    let ks = ok(&reference, "MATCH ()-[r:R]->() WHERE r.y < 4 RETURN r.k");
    for k in ks {
        let Value::Int(k) = k[0] else { panic!("{k:?}") };
        ok(
            &reference,
            &format!("MATCH ()-[r:R {{k: {k}}}]->() DELETE r"),
        );
    }
    assert_eq!(snapshot(&reference), after);

    // What a new process reads.
    drop(db);
    let db = Database::open(&dir.path().join("db"), &Default::default()).unwrap();
    assert_eq!(snapshot(&db), after);
    assert!(db.store().check().unwrap().is_clean());
}
