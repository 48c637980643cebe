//! Large SET statements whose writes run over one block after another (issue 20's A6 shape):
//! the block a transaction keeps writing is held open in its overlay (`store/overlay.rs`).
//! Each test compares a bulk statement with the same writes made one node per statement,
//! through a node set twice in one statement, SET and REMOVE mixed on one block, a row that
//! fails halfway, an index and a uniqueness constraint on the set property, an explicit
//! transaction, a reopen and `kg check`.

#[path = "support/on_disk.rs"]
mod on_disk;
use on_disk::on_disk;

use kgstore::db::{Database, Params};
use kgstore::Value;

fn run(db: &Database, q: &str) -> Result<Vec<Vec<Value>>, String> {
    db.run(q, &Params::new())
        .map(|r| r.rows)
        .map_err(|e| e.to_string())
}

fn ok(db: &Database, q: &str) -> Vec<Vec<Value>> {
    run(db, q).unwrap_or_else(|e| panic!("{q}: {e}"))
}

/// 600 `:N` nodes over ten 64-node blocks, with a float `v`, a string `s` of varying length
/// and, on every fifth, a `w`; one in seven is also an `:M`.
fn graph(db: &Database) {
    ok(
        db,
        "UNWIND range(0, 599) AS i CREATE (n:N {i: i, v: toFloat(i) / 4.0, \
           s: substring('abcdefghijklmnopqrstuvwxyz', 0, i % 27)}) \
         WITH n, i WHERE i % 5 = 0 SET n.w = i",
    );
    ok(db, "MATCH (n:N) WHERE n.i % 7 = 0 SET n:M");
}

fn snapshot(db: &Database) -> Vec<Vec<Value>> {
    ok(
        db,
        "MATCH (n) RETURN n.i, labels(n), properties(n) ORDER BY n.i",
    )
}

/// Runs `per_node` (with `$i`) once per node id of `ids`, one statement each: the writes one
/// row at a time, each in a block the transaction has not held before.
fn one_by_one(db: &Database, ids: &str, per_node: &str) {
    for row in ok(db, ids) {
        let Value::Int(i) = row[0] else {
            panic!("{row:?}")
        };
        let mut p = Params::new();
        p.insert("i".into(), Value::Int(i));
        db.run(per_node, &p)
            .unwrap_or_else(|e| panic!("{per_node} ({i}): {e}"));
    }
}

/// A node met by two rows of one statement is set twice, the second row reading the first
/// row's write; SET and REMOVE (of properties, of a label, a property set to null) mixed in
/// one statement over whole blocks, values growing and shrinking, give what the same writes
/// one node at a time give.
#[test]
fn a_node_set_twice_and_mixed_set_remove_match_one_node_at_a_time() {
    let db = Database::open_in_memory().unwrap();
    graph(&db);
    let twice = ok(
        &db,
        "MATCH (n:N) UNWIND [1, 2] AS k SET n.c = coalesce(n.c, 0) + k, n.v = n.v * 2 \
         RETURN count(*)",
    );
    assert_eq!(twice, vec![vec![Value::Int(1200)]]);
    assert_eq!(
        ok(&db, "MATCH (n:N) WHERE n.c <> 3 RETURN count(*)"),
        vec![vec![Value::Int(0)]]
    );
    let mixed = "MATCH (n:N) WHERE n.i % 3 <> 2 \
                 SET n.s = CASE WHEN n.i % 2 = 0 THEN n.s + n.s + n.s ELSE null END, \
                     n.t = n.i * 10 \
                 REMOVE n.w, n:M \
                 SET n.u = toString(n.i)";
    ok(&db, mixed);
    let bulk = snapshot(&db);

    let reference = Database::open_in_memory().unwrap();
    graph(&reference);
    one_by_one(
        &reference,
        "MATCH (n:N) RETURN n.i",
        "MATCH (n:N {i: $i}) SET n.c = 1, n.v = n.v * 2 SET n.c = n.c + 2, n.v = n.v * 2",
    );
    one_by_one(
        &reference,
        "MATCH (n:N) WHERE n.i % 3 <> 2 RETURN n.i ORDER BY n.i DESC",
        "MATCH (n:N {i: $i}) \
         SET n.s = CASE WHEN n.i % 2 = 0 THEN n.s + n.s + n.s ELSE null END, n.t = n.i * 10 \
         REMOVE n.w, n:M SET n.u = toString(n.i)",
    );
    assert_eq!(snapshot(&reference), bulk);
    assert!(db.store().check().unwrap().is_clean());
}

/// A statement that fails on a row halfway through its SETs (after whole blocks were written
/// and while one is held) leaves nothing, alone and inside an explicit transaction, whose
/// earlier statement's writes stay; the transaction's commit is what a reopened store reads.
#[test]
fn a_failing_row_rolls_the_whole_statement_back() {
    let (dir, db) = on_disk();
    graph(&db);
    let before = snapshot(&db);
    let failing = "MATCH (n:N) WITH n ORDER BY n.i \
                   SET n.v = n.v + 1, n.s = n.s + 'x', n.z = 10 / (300 - n.i)";
    let err = run(&db, failing).unwrap_err();
    assert!(err.to_lowercase().contains("zero"), "{err}");
    assert_eq!(snapshot(&db), before);

    let bulk = "MATCH (n:N) SET n.v = n.v * 3, n.s = n.s + '!' RETURN count(*)";
    let mut s = db.session();
    s.begin().unwrap();
    s.run(bulk, &Params::new()).unwrap();
    let mid = s
        .run(
            "MATCH (n) RETURN n.i, properties(n) ORDER BY n.i",
            &Params::new(),
        )
        .unwrap()
        .rows;
    assert!(s.run(failing, &Params::new()).is_err());
    let after_fail = s
        .run(
            "MATCH (n) RETURN n.i, properties(n) ORDER BY n.i",
            &Params::new(),
        )
        .unwrap()
        .rows;
    assert_eq!(mid, after_fail);
    s.commit().unwrap();
    drop(s);
    let committed = snapshot(&db);
    assert_ne!(committed, before);

    let reference = Database::open_in_memory().unwrap();
    graph(&reference);
    one_by_one(
        &reference,
        "MATCH (n:N) RETURN n.i",
        "MATCH (n:N {i: $i}) SET n.v = n.v * 3, n.s = n.s + '!'",
    );
    assert_eq!(snapshot(&reference), committed);

    drop(db);
    let db = Database::open(&dir.path().join("db"), &Default::default()).unwrap();
    assert_eq!(snapshot(&db), committed);
    assert!(db.store().check().unwrap().is_clean());
}

/// An index and a uniqueness constraint on the properties a bulk SET writes: seeks find the
/// new values and not the old, a SET that would break the constraint fails and changes
/// nothing (index included), and `kg check` agrees.
#[test]
fn an_index_and_a_unique_constraint_on_the_set_property() {
    let db = Database::open_in_memory().unwrap();
    graph(&db);
    ok(&db, "CREATE INDEX n_p FOR (n:N) ON (n.p)");
    ok(&db, "CREATE CONSTRAINT n_u FOR (n:N) REQUIRE n.u IS UNIQUE");
    ok(&db, "MATCH (n:N) SET n.p = n.i % 10, n.u = n.i");
    ok(&db, "MATCH (n:N) SET n.p = n.p + 100, n.u = n.u + 1000");
    let count = |q: &str| ok(&db, q)[0][0].clone();
    assert_eq!(count("MATCH (n:N {p: 3}) RETURN count(*)"), Value::Int(0));
    assert_eq!(
        count("MATCH (n:N {p: 103}) RETURN count(*)"),
        Value::Int(60)
    );
    assert_eq!(count("MATCH (n:N {u: 1005}) RETURN n.i"), Value::Int(5));
    assert_eq!(count("MATCH (n:N {u: 5}) RETURN count(*)"), Value::Int(0));
    let before = snapshot(&db);

    // 1000 and 1599 both become 0: a violation on the row of node 599.
    let err = run(&db, "MATCH (n:N) SET n.u = (n.u - 1000) % 599, n.p = -1").unwrap_err();
    assert!(err.contains("already has"), "{err}");
    assert_eq!(snapshot(&db), before);
    assert_eq!(count("MATCH (n:N {p: -1}) RETURN count(*)"), Value::Int(0));
    assert_eq!(
        count("MATCH (n:N {p: 103}) RETURN count(*)"),
        Value::Int(60)
    );
    assert_eq!(count("MATCH (n:N {u: 1599}) RETURN n.i"), Value::Int(599));
    assert!(db.store().check().unwrap().is_clean());

    // The same writes under PROFILE give the same store.
    ok(
        &db,
        "PROFILE MATCH (n:N) WHERE n.i < 300 SET n.p = n.i, n.u = -n.i",
    );
    let reference = Database::open_in_memory().unwrap();
    graph(&reference);
    ok(&reference, "CREATE INDEX n_p FOR (n:N) ON (n.p)");
    ok(
        &reference,
        "CREATE CONSTRAINT n_u FOR (n:N) REQUIRE n.u IS UNIQUE",
    );
    one_by_one(
        &reference,
        "MATCH (n:N) RETURN n.i",
        "MATCH (n:N {i: $i}) SET n.p = n.i % 10 + 100, n.u = n.i + 1000",
    );
    one_by_one(
        &reference,
        "MATCH (n:N) WHERE n.i < 300 RETURN n.i",
        "MATCH (n:N {i: $i}) SET n.p = n.i, n.u = -n.i",
    );
    assert_eq!(snapshot(&reference), snapshot(&db));
    for q in [
        "MATCH (n:N {p: 7}) RETURN n.i",
        "MATCH (n:N {p: 107}) RETURN n.i ORDER BY n.i",
        "MATCH (n:N {u: -7}) RETURN n.i",
    ] {
        assert_eq!(ok(&reference, q), ok(&db, q), "{q}");
    }
    assert!(db.store().check().unwrap().is_clean());
}
