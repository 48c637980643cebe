//! Relationships appended to hubs through Cypher, the bulk loader and compaction: the spilled
//! adjacency layout (`store/adjacency.rs`) answers as a reference does, `kg check` agrees at
//! every step, and compaction folds it.

use kgstore::db::{Database, OpenOptions, Params};
use kgstore::model::{Direction, Properties};
use kgstore::store::{GraphRead, Store};
use kgstore::Value;

fn int(db: &Database, q: &str) -> i64 {
    let r = db
        .run(q, &Params::new())
        .unwrap_or_else(|e| panic!("{q}: {e}"));
    match r.rows[0][0] {
        Value::Int(i) => i,
        ref v => panic!("{q}: {v:?}"),
    }
}

fn assert_clean(store: &Store) {
    let report = store.check().unwrap();
    assert!(report.is_clean(), "{report}");
}

/// A hub grown by one statement, by many statements in one transaction and by the bulk
/// loader, then shrunk by deletes and compacted: counts, sums and degrees stay exact.
#[test]
fn hubs_grow_shrink_and_compact() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let create = OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    };
    let db = Database::open(&path, &create).unwrap();
    db.run(
        "CREATE (h:Hub {id:0}) WITH h UNWIND range(1,5000) AS i CREATE (h)-[:R]->(:Leaf {id:i})",
        &Params::new(),
    )
    .unwrap();
    let mut s = db.session();
    s.begin().unwrap();
    for i in 5001..=6000i64 {
        let p: Params = [("i".to_string(), Value::Int(i))].into_iter().collect();
        s.run("MATCH (h:Hub {id:0}) CREATE (h)<-[:S]-(:Leaf {id:$i})", &p)
            .unwrap();
    }
    s.commit().unwrap();
    drop(s);
    assert_clean(db.store());
    let hub_out = "MATCH (:Hub {id:0})-[:R]->(l) RETURN count(l) * 100000000 + sum(l.id)";
    assert_eq!(int(&db, hub_out), 5000 * 100_000_000 + 5000 * 5001 / 2);
    let hub_in = "MATCH (:Hub {id:0})<-[:S]-(l) RETURN count(l)";
    assert_eq!(int(&db, hub_in), 1000);
    assert_eq!(int(&db, "MATCH (h:Hub) RETURN COUNT { (h)--() }"), 6000);

    // The bulk loader adds to the spilled sections.
    let hub = {
        let t = db.store().begin();
        let hub = t.nodes_with_label("Hub").unwrap().next().unwrap().unwrap();
        assert_eq!(t.degree(hub, Direction::Both, &[]).unwrap(), 6000);
        hub
    };
    let mut bulk = db.store().bulk_loader().unwrap();
    bulk.set_batch_size(300, 700);
    for i in 0..2000i64 {
        let leaf = bulk
            .add_node(&["Leaf"], [("id", Value::Int(10_000 + i))])
            .unwrap();
        bulk.add_relationship("R", hub, leaf, Properties::new())
            .unwrap();
    }
    bulk.finish().unwrap();
    assert_clean(db.store());
    assert_eq!(
        int(&db, "MATCH (:Hub {id:0})-[:R]->(l) RETURN count(l)"),
        7000
    );

    // Deletes, then a compaction that folds the chunks.
    db.run(
        "MATCH (:Hub {id:0})-[r:R]->(l) WHERE l.id % 3 = 0 DELETE r",
        &Params::new(),
    )
    .unwrap();
    assert_clean(db.store());
    let left = int(&db, "MATCH (:Hub {id:0})-[:R]->(l) RETURN count(l)");
    let kept = (1..=5000i64).chain(10_000..12_000).filter(|i| i % 3 != 0);
    assert_eq!(left, kept.count() as i64);
    drop(db);
    Store::compact(&path).unwrap();
    let db = Database::open(&path, &OpenOptions::default()).unwrap();
    assert_clean(db.store());
    assert_eq!(
        int(&db, "MATCH (:Hub {id:0})-[:R]->(l) RETURN count(l)"),
        left
    );
    assert_eq!(int(&db, hub_in), 1000);
    // Writes after the compaction go on from the folded layout.
    db.run(
        "MATCH (h:Hub {id:0}) CREATE (h)-[:R]->(:Leaf {id:-1})",
        &Params::new(),
    )
    .unwrap();
    assert_eq!(
        int(&db, "MATCH (:Hub {id:0})-[:R]->(l) RETURN count(l)"),
        left + 1
    );
    db.run("MATCH (h:Hub) DETACH DELETE h", &Params::new())
        .unwrap();
    assert_eq!(int(&db, "MATCH ()-[r]->() RETURN count(r)"), 0);
    assert_clean(db.store());
}

/// Appends to a hub's last chunk go in place within a transaction (`store/list_tail.rs`); a
/// statement that appends many and then fails must take every one of them back (the undo log
/// restores the chunk), and the appends after it, in the same transaction, must continue the
/// restored chunk, not the failed statement's. Checked against counts, sums and `kg check`,
/// first right after the failure: the next statement reuses the taken-back ids in the same
/// order, so its appends would rewrite any entry left behind exactly and hide it.
#[test]
fn a_failed_statement_takes_back_its_in_place_appends() {
    let dir = tempfile::tempdir().unwrap();
    let create = OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    };
    let db = Database::open(&dir.path().join("db"), &create).unwrap();
    db.run(
        "CREATE (h:Hub {id:0}) WITH h UNWIND range(1,3000) AS i CREATE (h)-[:R]->(:Leaf {id:i})",
        &Params::new(),
    )
    .unwrap();
    let mut s = db.session();
    s.begin().unwrap();
    let grow = |from: i64, to: i64| {
        format!(
            "MATCH (h:Hub {{id:0}}) UNWIND range({from},{to}) AS i \
             CREATE (h)-[:R]->(:Leaf {{id:i}})"
        )
    };
    s.run(&grow(3001, 3500), &Params::new()).unwrap();
    // 2,000 appends in place (the count needs every row created first), then a division
    // by zero.
    let failing = "MATCH (h:Hub {id:0}) UNWIND range(3501,5500) AS i \
                   CREATE (h)-[:R]->(:Leaf {id:i}) WITH count(*) AS n RETURN 1 / (n - n)";
    assert!(s.run(failing, &Params::new()).is_err());
    // Read before anything else is appended: a later append would reuse the failed
    // statement's ids in the same order and so hide entries it left behind.
    let hub = "MATCH (:Hub {id:0})-[:R]->(l) RETURN count(l) * 100000000 + sum(l.id)";
    let back = s.run(hub, &Params::new()).unwrap();
    let degree = s
        .run("MATCH (h:Hub) RETURN COUNT { (h)--() }", &Params::new())
        .unwrap();
    assert_eq!(
        back.rows[0][0],
        Value::Int(3500 * 100_000_000 + (1..=3500).sum::<i64>())
    );
    assert_eq!(degree.rows[0][0], Value::Int(3500));
    s.run(&grow(6001, 6400), &Params::new()).unwrap();
    let in_txn = s.run(hub, &Params::new()).unwrap();
    s.commit().unwrap();
    drop(s);
    let ids: i64 = (1..=3500).chain(6001..=6400).sum();
    let want = 3900 * 100_000_000 + ids;
    assert_eq!(in_txn.rows[0][0], Value::Int(want));
    assert_eq!(int(&db, hub), want);
    assert_eq!(int(&db, "MATCH (l:Leaf) RETURN count(l)"), 3900);
    assert_eq!(int(&db, "MATCH (h:Hub) RETURN COUNT { (h)--() }"), 3900);
    assert_clean(db.store());
}
