//! Scans of every node cut into spans of ids (`exec/parallel.rs`: an all-nodes scan's morsels
//! are spans, each worker reading the nodes of its own; `exec/expand_agg.rs`: the fused
//! aggregation reading one span at a time): the answers equal the operators' on one thread
//! (PROFILE runs them, over the whole id list), on a graph with holes in its ids (whole node
//! blocks deleted, scattered deletes, nodes without relationships), on sled, inside a
//! transaction that created and deleted nodes, through the sealed read image and its delta.

#[path = "support/kg_cli.rs"]
mod kg_cli;
#[path = "support/on_disk.rs"]
mod on_disk;

use std::path::Path;

use kg_cli::{csv_on_threads, kg, ok};
use kgstore::db::{Params, RunOptions};
use on_disk::on_disk;

/// 20,000 nodes (past the 8,192 a scan splits at), nine in ten also `:Q` (so that plans
/// start from the unlabelled end); from two in three an
/// `R` and from every node an `S` to others (integer weights, so that sums associate alike);
/// then a run of about five node blocks and every 97th node deleted.
const SETUP: &[&str] = &[
    "UNWIND range(0, 19999) AS i CREATE (:P {i: i, g: i % 23, \
     x: CASE WHEN i % 11 = 0 THEN null ELSE i % 101 END})",
    "MATCH (n:P) WHERE n.i % 10 <> 3 SET n:Q",
    "CREATE INDEX FOR (n:P) ON (n.i)",
    "UNWIND range(0, 19999) AS i MATCH (a:P {i: i}), (b:P {i: (i * 7 + 1) % 20000}) \
     WHERE i % 3 <> 0 CREATE (a)-[:R {w: i % 17}]->(b)",
    "UNWIND range(0, 19999) AS i MATCH (a:P {i: i}), (b:P {i: (i * 13 + 5) % 20000}) \
     CREATE (a)-[:S {w: i % 5}]->(b)",
    "MATCH (n:P) WHERE n.i >= 6000 AND n.i < 6300 DETACH DELETE n",
    "MATCH (n:P) WHERE n.i % 97 = 0 DETACH DELETE n",
];

const QUERIES: &[&str] = &[
    // Fused, every node scanned (A1's shape).
    "MATCH (a)-[r:R]->(:Q) RETURN a.g AS g, sum(r.w) AS s, count(*) AS c ORDER BY g",
    "MATCH (a)-[r]-(b) RETURN a.g AS g, count(*) AS c, sum(r.w) AS s, min(b.i) AS lo ORDER BY g",
    // Grouped by the scanned node, then a top 10 (not W7's shape: its `(n)<--()` is a
    // degree count, which does not split).
    "MATCH (n)<-[r]-() RETURN n.i AS id, count(r) AS d, sum(r.w) AS w ORDER BY d DESC, w, id LIMIT 10",
    // Not fused: a filter on the scanned node, and a top-k, over every node.
    "MATCH (n) WHERE n.x > 50 RETURN n.g AS g, count(*) AS c, sum(n.x) AS s ORDER BY g",
    "MATCH (n) RETURN n.i AS i, n.x AS x ORDER BY x DESC, i LIMIT 7",
    // A label scan's morsels, listed from its bitmaps as before.
    "MATCH (a:Q)-[r:S]->(b) RETURN a.g AS g, sum(r.w) AS s, count(b) AS c ORDER BY g",
];

fn opts(profile: bool, threads: usize) -> RunOptions {
    RunOptions {
        profile,
        threads: Some(threads),
        ..RunOptions::default()
    }
}

/// Every query answers on 1, 2 and 4 threads (fused, and through the operators) what the
/// operators answer on one; the parallel runs ran on workers.
fn same_in_spans(s: &mut kgstore::db::Session<'_>, what: &str) {
    let p = Params::new();
    for q in QUERIES {
        let one = s
            .run_with(q, &p, &opts(true, 1))
            .unwrap_or_else(|e| panic!("{what}: {q}: {e}"));
        assert!(!one.rows.is_empty(), "{what}: {q}");
        let fused = s.run_with(q, &p, &opts(false, 1)).map(|r| r.rows);
        assert_eq!(
            fused.as_ref().ok(),
            Some(&one.rows),
            "{what}: {q}, one thread"
        );
        for threads in [2, 4] {
            let fused = s.run_with(q, &p, &opts(false, threads)).map(|r| r.rows);
            assert_eq!(
                fused.as_ref().ok(),
                Some(&one.rows),
                "{what}: {q}, {threads}"
            );
            let ops = s
                .run_with(q, &p, &opts(true, threads))
                .unwrap_or_else(|e| panic!("{what}: {q}: {e}"));
            assert_eq!(ops.rows, one.rows, "{what}: {q}, operators on {threads}");
            let plan = ops.plan.unwrap_or_default();
            assert!(plan.contains("workers: "), "{what}: {q}: not split\n{plan}");
        }
    }
}

#[test]
fn spans_of_ids_answer_like_the_whole_list_on_sled_and_in_a_transaction() {
    let (_dir, db) = on_disk();
    let p = Params::new();
    for q in SETUP {
        db.run(q, &p).unwrap_or_else(|e| panic!("{q}: {e}"));
    }
    let mut s = db.session();
    same_in_spans(&mut s, "sled");
    s.run("BEGIN", &p).expect("begin");
    for w in [
        // New nodes take ids past the committed sequence.
        "UNWIND range(0, 2999) AS i CREATE (:P:Q {i: 30000 + i, g: i % 7, x: i % 90})",
        "MATCH (a:P), (b:P {i: 5}) WHERE a.i >= 30000 AND a.i % 2 = 0 CREATE (a)-[:R {w: 3}]->(b)",
        "MATCH (n:P) WHERE n.i >= 1000 AND n.i < 1400 DETACH DELETE n",
        "MATCH (n:P) WHERE n.i % 89 = 1 SET n.g = 100",
    ] {
        s.run(w, &p).unwrap_or_else(|e| panic!("{w}: {e}"));
    }
    same_in_spans(&mut s, "in the transaction");
    s.run("ROLLBACK", &p).expect("rollback");
}

/// `kg --threads 4 query --format csv` of every query, fused and with PROFILE, against
/// PROFILE on one thread.
fn by_cli(db: &Path) -> Vec<String> {
    let csv = |threads: &str, q: &str| csv_on_threads(db, threads, q);
    QUERIES
        .iter()
        .map(|q| {
            let one = csv("1", &format!("PROFILE {q}"));
            assert_eq!(csv("4", q), one, "{q}");
            assert_eq!(csv("4", &format!("PROFILE {q}")), one, "{q}");
            one
        })
        .collect()
}

#[test]
fn spans_of_ids_answer_like_the_whole_list_through_the_image_and_its_delta() {
    let (dir, db) = on_disk();
    let p = Params::new();
    for q in SETUP {
        db.run(q, &p).unwrap_or_else(|e| panic!("{q}: {e}"));
    }
    drop(db);
    let path = dir.path().join("db");
    let sled = by_cli(&path);
    ok(kg(&path).arg("compact").output().expect("kg compact"));
    assert!(path.join("kg.image").is_file(), "no image after compaction");
    assert_eq!(by_cli(&path), sled);
    // Writes land in the delta over the image: new nodes past the image's ids, a deleted
    // block's worth of nodes.
    for w in [
        "UNWIND range(0, 199) AS i CREATE (:P:Q {i: 40000 + i, g: 1, x: 99})-[:R {w: 1}]->(:P {i: 50000 + i, g: 2})",
        "MATCH (n:P) WHERE n.i >= 12000 AND n.i < 12200 DETACH DELETE n",
    ] {
        ok(kg(&path).args(["query", w]).output().expect("kg query"));
    }
    assert!(path.join("kg.delta").is_file(), "no delta after the writes");
    let after = by_cli(&path);
    assert_ne!(after, sled, "the writes are not seen");
}
