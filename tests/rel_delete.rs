//! A DELETE of many relationships in one statement goes to the store at once
//! (`GraphWrite::delete_relationships`, `store/rel_delete.rs`: each end's adjacency list
//! rewritten once): it must leave what the same deletes made one statement at a time leave,
//! with repeated rows, two variables, two types, self-loops and hubs spilled into chunks, and
//! leave nothing when the statement or the transaction fails.

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

/// 400 `:N` nodes; `:R` and `:S` relationships with a unique `k`, self-loops, and hubs 0 and
/// 1 with 1,592 more each way (their sections, ≈ 5 KB, spill into chunks, over two statements).
fn graph(db: &Database) {
    ok(db, "UNWIND range(0, 399) AS i CREATE (:N {i: i})");
    ok(
        db,
        "MATCH (a:N), (b:N) WHERE (a.i * 7 + b.i * 13) % 89 = 0 \
         CREATE (a)-[:R {k: a.i * 1000 + b.i}]->(b) \
         CREATE (b)-[:S {k: -(a.i * 1000 + b.i) - 1}]->(a)",
    );
    for part in ["b.i <= 200", "b.i > 200"] {
        ok(
            db,
            &format!(
                "MATCH (h:N), (b:N) WHERE h.i < 2 AND b.i > 1 AND {part} \
                 UNWIND range(0, 3) AS x \
                 CREATE (h)-[:R {{k: 10000000 + x * 1000000 + h.i * 1000 + b.i}}]->(b), \
                        (b)-[:S {{k: 20000000 + x * 1000000 + h.i * 1000 + b.i}}]->(h)"
            ),
        );
    }
    ok(
        db,
        "MATCH (n:N) WHERE n.i % 37 = 0 CREATE (n)-[:R {k: 3000000 + n.i}]->(n)",
    );
}

/// Every relationship with its ends and type, every node's degrees by type.
fn snapshot(db: &Database) -> Vec<Vec<Value>> {
    let mut rows = ok(
        db,
        "MATCH (a)-[r]->(b) RETURN a.i, type(r), r.k, b.i ORDER BY r.k",
    );
    rows.extend(ok(
        db,
        "MATCH (n:N) RETURN n.i, size([(n)-->() | 1]), size([(n)<--() | 1]), \
         COUNT { (n)-[:R]->() }, COUNT { (n)<-[:S]-() }, COUNT { (n)-[:R]-() } ORDER BY n.i",
    ));
    rows.extend(ok(
        db,
        "MATCH ()-[r]->() RETURN type(r), count(*) ORDER BY type(r)",
    ));
    rows
}

/// The bulk statements, each as (statement, the ids of the relationships it deletes; both
/// databases are built by the same statements, so the ids agree).
const BULK: [(&str, &str); 4] = [
    // One variable, one type, most of the hubs' relationships.
    (
        "MATCH ()-[r:R]->() WHERE r.k % 3 <> 0 DELETE r RETURN count(*)",
        "MATCH ()-[r:R]->() WHERE r.k % 3 <> 0 RETURN id(r)",
    ),
    // Each relationship on two rows.
    (
        "MATCH ()-[r:S]->() WHERE r.k % 4 = 1 UNWIND [1, 2] AS x DELETE r RETURN count(*)",
        "MATCH ()-[r:S]->() WHERE r.k % 4 = 1 RETURN id(r)",
    ),
    // Two variables, two types, self-loops among them.
    (
        "MATCH (a)-[r:R]->(b)-[s]->(a) WHERE r.k % 2 = 0 DELETE r, s RETURN count(*)",
        "MATCH (a)-[r:R]->(b)-[s]->(a) WHERE r.k % 2 = 0 UNWIND [id(r), id(s)] AS k RETURN DISTINCT k",
    ),
    // Everything left of hub 1.
    (
        "MATCH (h:N {i: 1})-[r]-() DELETE r RETURN count(*)",
        "MATCH (h:N {i: 1})-[r]-() RETURN DISTINCT id(r)",
    ),
];

/// The deletes of `bulk` made one relationship per statement, in a reference database, each
/// through `GraphWrite::delete_relationship` (an expression that is not a variable keeps
/// DELETE on its row-by-row path).
fn one_at_a_time(reference: &Database, keys: &str) {
    for k in ok(reference, keys) {
        let Value::Int(k) = k[0] else { panic!("{k:?}") };
        let q = format!("MATCH ()-[r]->() WHERE id(r) = {k} DELETE [r][0] RETURN count(*)");
        assert_eq!(ok(reference, &q), vec![vec![Value::Int(1)]], "{q}");
    }
}

#[test]
fn many_deletes_at_once_leave_what_one_at_a_time_leave() {
    let (dir, db) = on_disk();
    graph(&db);
    let reference = Database::open_in_memory().unwrap();
    graph(&reference);
    assert_eq!(snapshot(&db), snapshot(&reference));
    for (bulk, keys) in BULK {
        one_at_a_time(&reference, keys);
        ok(&db, bulk);
        assert_eq!(snapshot(&db), snapshot(&reference), "after {bulk}");
        let report = db.store().check().unwrap();
        assert!(report.is_clean(), "after {bulk}: {report}");
    }
    drop(db);
    let db = Database::open(&dir.path().join("db"), &Default::default()).unwrap();
    assert_eq!(snapshot(&db), snapshot(&reference));
}

#[test]
fn a_statement_reads_the_type_and_id_of_what_it_deleted() {
    let db = Database::open_in_memory().unwrap();
    graph(&db);
    let want = ok(
        &db,
        "MATCH (a)-[r]->(b) WHERE r.k % 5 = 0 \
         RETURN type(r), count(*), sum(id(r)), sum(a.i), sum(b.i) ORDER BY type(r)",
    );
    let got = ok(
        &db,
        "MATCH (a)-[r]->(b) WHERE r.k % 5 = 0 DELETE r \
         RETURN type(r), count(*), sum(id(r)), sum(a.i), sum(b.i) ORDER BY type(r)",
    );
    assert_eq!(got, want);
    assert_eq!(
        ok(&db, "MATCH ()-[r]->() WHERE r.k % 5 = 0 RETURN count(*)"),
        vec![vec![Value::Int(0)]]
    );
}

#[test]
fn a_failed_statement_or_a_rolled_back_transaction_leaves_no_delete() {
    let (_dir, db) = on_disk();
    graph(&db);
    let before = snapshot(&db);
    // Fails after its deletes: a division by zero on the row of node 399.
    let failing = "MATCH (n:N)-[r]-() DELETE r WITH n, count(*) AS c \
                   RETURN n.i / (n.i - 399)";
    assert!(run(&db, failing).is_err());
    assert_eq!(snapshot(&db), before);
    {
        let mut s = db.session();
        s.begin().unwrap();
        s.run(BULK[0].0, &Params::new()).unwrap();
        let mid = s.run("MATCH ()-[r]->() RETURN count(*)", &Params::new());
        let mid = mid.unwrap().rows;
        assert!(s.run(failing, &Params::new()).is_err());
        let after = s.run("MATCH ()-[r]->() RETURN count(*)", &Params::new());
        assert_eq!(after.unwrap().rows, mid);
        s.run(BULK[2].0, &Params::new()).unwrap();
        s.rollback().unwrap();
    }
    assert_eq!(snapshot(&db), before);
    assert!(db.store().check().unwrap().is_clean());
    // The same transaction committed: what the deletes one at a time leave.
    {
        let mut s = db.session();
        s.begin().unwrap();
        s.run(BULK[0].0, &Params::new()).unwrap();
        assert!(s.run(failing, &Params::new()).is_err());
        s.run(BULK[2].0, &Params::new()).unwrap();
        s.commit().unwrap();
    }
    let reference = Database::open_in_memory().unwrap();
    graph(&reference);
    one_at_a_time(&reference, BULK[0].1);
    one_at_a_time(&reference, BULK[2].1);
    assert_eq!(snapshot(&db), snapshot(&reference));
    assert!(db.store().check().unwrap().is_clean());
}
