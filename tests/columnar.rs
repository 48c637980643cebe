//! The read paths of issue 20 (scans, filters, aggregations): a transaction's block cache and
//! label tests through the label bitmaps must answer exactly what the records say, see the
//! transaction's own writes, and see other sessions' commits between statements.

#[path = "support/on_disk.rs"]
mod on_disk;
use on_disk::on_disk;

use kgstore::db::{Database, Params};
use kgstore::Value;

fn rows(db: &Database, q: &str) -> Vec<Vec<Value>> {
    db.run(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {e}"))
        .rows
}

/// A graph spanning several node, relationship and label-bitmap blocks.
fn people(db: &Database, n: i64) {
    db.run(
        &format!(
            "UNWIND range(0, {n} - 1) AS i \
             CREATE (p:Person {{i: i, country: CASE i % 3 WHEN 0 THEN 'US' ELSE 'JP' END}}) \
             WITH p, i WHERE i % 2 = 0 SET p:Even"
        ),
        &Params::new(),
    )
    .unwrap();
    db.run("CREATE INDEX FOR (p:Person) ON (p.i)", &Params::new())
        .unwrap();
    db.run(
        &format!(
            "MATCH (a:Person) MATCH (b:Person {{i: (a.i * 7 + 1) % {n}}}) \
             CREATE (a)-[:KNOWS {{w: a.i}}]->(b)"
        ),
        &Params::new(),
    )
    .unwrap();
}

#[test]
fn label_predicates_agree_with_labels_function() {
    let (_d, db) = on_disk();
    people(&db, 9000);
    // `b:Even` goes through the bitmaps, `'Even' IN labels(b)` through the record.
    let by_bitmap = rows(
        &db,
        "MATCH (a)-[r:KNOWS]->(b) WHERE b:Even RETURN count(*), sum(r.w)",
    );
    let by_record = rows(
        &db,
        "MATCH (a)-[r:KNOWS]->(b) WHERE 'Even' IN labels(b) RETURN count(*), sum(r.w)",
    );
    assert_eq!(by_bitmap, by_record);
    assert_eq!(by_bitmap[0][0], Value::Int(4500));
    let none = rows(&db, "MATCH (n) WHERE n:Missing RETURN count(*)");
    assert_eq!(none[0][0], Value::Int(0));
}

#[test]
fn label_predicates_see_the_statements_own_writes() {
    let (_d, db) = on_disk();
    people(&db, 200);
    let mut s = db.session();
    s.run("BEGIN", &Params::new()).unwrap();
    let q = "MATCH (n:Person) WHERE n:Odd RETURN count(*)";
    assert_eq!(s.run(q, &Params::new()).unwrap().rows[0][0], Value::Int(0));
    s.run(
        "MATCH (n:Person) WHERE NOT n:Even SET n:Odd",
        &Params::new(),
    )
    .unwrap();
    assert_eq!(
        s.run(q, &Params::new()).unwrap().rows[0][0],
        Value::Int(100)
    );
    s.run("MATCH (n:Odd) WHERE n.i < 51 REMOVE n:Odd", &Params::new())
        .unwrap();
    assert_eq!(s.run(q, &Params::new()).unwrap().rows[0][0], Value::Int(75));
    s.run("ROLLBACK", &Params::new()).unwrap();
    assert_eq!(rows(&db, q)[0][0], Value::Int(0));
}

#[test]
fn label_predicate_on_a_deleted_node_is_an_error() {
    let (_d, db) = on_disk();
    people(&db, 10);
    // Whether or not the node had the label, it is gone: the predicate fails as before.
    for label in ["Person", "Missing"] {
        let q = format!("MATCH (n:Person {{i: 3}}) DETACH DELETE n RETURN n:{label}");
        let err = db.run(&q, &Params::new()).unwrap_err();
        assert_eq!(
            err.as_query().map(|q| q.detail.as_str()),
            Some("DeletedEntityAccess"),
            "{label}: {err}"
        );
    }
    assert_eq!(rows(&db, "MATCH (n) RETURN count(*)")[0][0], Value::Int(10));
}

#[test]
fn an_open_transaction_sees_other_sessions_commits() {
    let (_d, db) = on_disk();
    people(&db, 300);
    let mut reader = db.session();
    reader.run("BEGIN", &Params::new()).unwrap();
    let q = "MATCH (n:Person) WHERE n:Even AND n.country = 'US' RETURN count(*)";
    let before = reader.run(q, &Params::new()).unwrap().rows;
    assert_eq!(before[0][0], Value::Int(50));
    // Another session changes records and bitmaps the reader has cached.
    db.run(
        "MATCH (n:Person) WHERE n.i < 60 SET n.country = 'US', n:Even",
        &Params::new(),
    )
    .unwrap();
    let after = reader.run(q, &Params::new()).unwrap().rows;
    let fresh = rows(&db, q);
    assert_eq!(after, fresh);
    assert_eq!(fresh[0][0], Value::Int(50 + 60 - 10));
    reader.run("COMMIT", &Params::new()).unwrap();
}

#[test]
fn statements_read_their_own_property_writes_through_the_cache() {
    let (_d, db) = on_disk();
    people(&db, 1000);
    let r = rows(
        &db,
        "MATCH (n:Person) WHERE n.i < 500 SET n.country = 'DE' \
         WITH count(*) AS changed MATCH (m:Person) \
         RETURN changed, m.country AS c, count(*) AS k ORDER BY c",
    );
    assert_eq!(
        r,
        vec![
            vec![Value::Int(500), Value::from("DE"), Value::Int(500)],
            vec![Value::Int(500), Value::from("JP"), Value::Int(333)],
            vec![Value::Int(500), Value::from("US"), Value::Int(167)],
        ]
    );
}
