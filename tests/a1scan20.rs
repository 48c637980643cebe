//! The fused expansion aggregation reading the store a chunk at a time (`exec/expand_agg.rs`:
//! adjacency by block, `r.key` and `a.key` in batches) on a graph whose scan crosses many
//! adjacency blocks and several chunks, with a hub whose adjacency spilled into chunks,
//! nodes without the key, deleted nodes' empty slots: the fused answers equal the
//! row-at-a-time operators' (PROFILE runs those), on sled, inside a transaction that changed
//! things, through the sealed read image and through the image's delta after a write.

#[path = "support/kg_cli.rs"]
mod kg_cli;
#[path = "support/on_disk.rs"]
mod on_disk;

use std::path::Path;

use kg_cli::{kg, ok};
use kgstore::db::{Database, Params, RunOptions};
use kgstore::Value;
use on_disk::on_disk;

/// 1,500 investors (every 7th without a country, every 13th deleted again), 600 companies,
/// three investments each (amounts integers so that any association sums alike, every 11th
/// missing), an `OWNS` beside them, and investor 0 a hub with 400 more investments.
const SETUP: &[&str] = &[
    "UNWIND range(0, 1499) AS i CREATE (:Inv {i: i, country: CASE WHEN i % 7 = 0 THEN null \
     ELSE 'c' + toString(i % 19) END})",
    "UNWIND range(0, 599) AS i CREATE (:Company {i: i, country: 'k' + toString(i % 5)})",
    "CREATE INDEX FOR (c:Company) ON (c.i)",
    "MATCH (a:Inv), (c:Company) WHERE c.i IN [a.i % 600, (a.i * 7) % 600, (a.i * 13 + 1) % 600] \
     CREATE (a)-[:INVESTED_IN {amount: CASE WHEN a.i % 11 = 0 THEN null ELSE a.i % 97 + c.i END}]->(c)",
    "MATCH (a:Inv), (c:Company) WHERE a.i % 4 = 0 AND c.i = (a.i * 3) % 600 CREATE (a)-[:OWNS {amount: 1}]->(c)",
    "MATCH (a:Inv {i: 0}), (c:Company) WHERE c.i < 400 CREATE (a)-[:INVESTED_IN {amount: c.i}]->(c)",
    "MATCH (a:Inv) WHERE a.i % 13 = 5 DETACH DELETE a",
];

const QUERIES: &[&str] = &[
    "MATCH (a)-[r:INVESTED_IN]->(:Company) RETURN a.country AS country, sum(r.amount) AS total ORDER BY country",
    "MATCH (a:Inv)-[r:INVESTED_IN|OWNS]->(c:Company) RETURN a.country AS c, a.i % 3 AS m, count(*) AS k, sum(r.amount) AS s, min(r.amount) AS lo ORDER BY c, m",
    "MATCH (c:Company)<-[r:INVESTED_IN]-(a) RETURN c.country AS k, c.i % 2 AS p, count(DISTINCT a) AS n, max(r.amount) AS hi ORDER BY k, p",
    "MATCH (a)-[r]-(b) RETURN a.country AS c, count(*) AS k, sum(r.amount) AS s ORDER BY c",
    "MATCH (a)-[r:INVESTED_IN]->(b:Company) WHERE r.amount > 50 RETURN a.nope AS x, a.country AS c, count(*) AS k ORDER BY c",
    "MATCH (a)-[r:INVESTED_IN]->(c:Company) RETURN c.country AS k, collect(r.amount)[0..3] AS some, count(r.amount) AS n ORDER BY k",
];

fn setup(db: &Database) {
    for q in SETUP {
        db.run(q, &Params::new())
            .unwrap_or_else(|e| panic!("{q}: {e}"));
    }
}

fn opts(profile: bool, threads: usize) -> RunOptions {
    RunOptions {
        profile,
        threads: Some(threads),
        ..RunOptions::default()
    }
}

/// Every query answers alike fused and through the operators in `session`'s state.
fn same_on_both_paths(s: &mut kgstore::db::Session<'_>, threads: usize, what: &str) {
    let p = Params::new();
    for q in QUERIES {
        let fused = s.run_with(q, &p, &opts(false, threads)).map(|r| r.rows);
        let rows = s.run_with(q, &p, &opts(true, threads)).map(|r| r.rows);
        let (fused, rows) = (
            fused.map_err(|e| e.to_string()),
            rows.map_err(|e| e.to_string()),
        );
        assert!(
            fused.as_ref().is_ok_and(|r| !r.is_empty()),
            "{what}: {q}: {fused:?}"
        );
        assert_eq!(fused, rows, "{what}: {q} on {threads} thread(s)");
    }
}

#[test]
fn chunked_reads_answer_like_the_operators_on_sled_and_in_a_transaction() {
    let (_dir, db) = on_disk();
    setup(&db);
    let mut s = db.session();
    same_on_both_paths(&mut s, 1, "sled");
    same_on_both_paths(&mut s, 2, "sled");
    // The hub's 400 extra investments are in its group: country of investor 0 is null.
    let a1 = s
        .run_with(QUERIES[0], &Params::new(), &opts(false, 1))
        .expect("A1")
        .rows;
    assert_eq!(a1.len(), 20, "19 countries and null");
    let p = Params::new();
    s.run("BEGIN", &p).expect("begin");
    for w in [
        "MATCH (a:Inv) WHERE a.i % 10 = 3 SET a.country = 'moved'",
        "MATCH (a:Inv)-[r:INVESTED_IN]->(c:Company) WHERE c.i % 9 = 0 DELETE r",
        "MATCH (c:Company) WHERE c.i % 50 = 1 REMOVE c:Company",
        "MATCH (a:Inv {i: 0})-[r:INVESTED_IN]->() WHERE r.amount % 2 = 0 SET r.amount = -1",
        "MATCH (a:Inv) WHERE a.i > 1400 DETACH DELETE a",
        "UNWIND range(0, 99) AS i CREATE (:Inv {i: 5000 + i, country: 'new'})-[:INVESTED_IN {amount: i}]->(:Company {i: 9000 + i})",
    ] {
        s.run(w, &p).unwrap_or_else(|e| panic!("{w}: {e}"));
    }
    same_on_both_paths(&mut s, 1, "in the transaction");
    let inside = s
        .run_with(QUERIES[0], &p, &opts(false, 1))
        .expect("A1")
        .rows;
    assert!(
        inside.contains(&vec![Value::String("new".into()), Value::Int(4950)]),
        "{inside:?}"
    );
    s.run("ROLLBACK", &p).expect("rollback");
    assert_eq!(
        s.run_with(QUERIES[0], &p, &opts(false, 1))
            .expect("A1")
            .rows,
        a1
    );
}

/// `kg query --format csv` of every query, fused and with `PROFILE`, which must agree.
fn both_paths_by_cli(db: &Path) -> Vec<String> {
    let csv = |q: &str| {
        let out = ok(kg(db)
            .args(["--threads", "1", "query", "--format", "csv", q])
            .output()
            .expect("kg query"));
        String::from_utf8(out.stdout).expect("utf-8")
    };
    QUERIES
        .iter()
        .map(|q| {
            let fused = csv(q);
            assert_eq!(fused, csv(&format!("PROFILE {q}")), "{q}");
            fused
        })
        .collect()
}

#[test]
fn the_sealed_image_and_its_delta_answer_like_sled() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("g.db");
    for q in SETUP {
        ok(kg(&db).args(["query", q]).output().expect("kg query"));
    }
    let sled = both_paths_by_cli(&db);
    ok(kg(&db).arg("compact").output().expect("kg compact"));
    assert!(db.join("kg.image").is_file(), "no image after compaction");
    assert_eq!(both_paths_by_cli(&db), sled);
    // A write lands in the delta over the image; the hub's spilled adjacency changes too.
    ok(kg(&db)
        .args([
            "query",
            "MATCH (a:Inv {i: 0}), (c:Company {i: 599}) CREATE (a)-[:INVESTED_IN {amount: 100000}]->(c)",
        ])
        .output()
        .expect("kg query"));
    let after = both_paths_by_cli(&db);
    assert!(db.join("kg.delta").is_file(), "no delta after the write");
    assert_ne!(after[0], sled[0], "the write is not seen");
}
