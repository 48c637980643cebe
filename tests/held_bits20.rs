//! The fused expansion aggregation's label tests of the far node with their bitmaps held
//! across chunks and, on two threads, across a worker's morsels (`exec/expand_agg.rs`,
//! `store/label_set.rs` `HeldBits`): on a graph of 12,000 nodes (three label bitmaps of
//! 4,096 nodes, twelve morsels), companies spread over every bitmap, far ends of several
//! labels, two labels in one test, and a grouping key read twice, the fused answers equal
//! the row-at-a-time operators' (PROFILE runs those) on one and two threads, on sled,
//! inside a transaction whose label changes live in its overlay, through the sealed read
//! image and through the image's delta after a write.

#[path = "support/kg_cli.rs"]
mod kg_cli;
#[path = "support/on_disk.rs"]
mod on_disk;

use std::path::Path;

use kg_cli::{csv_on_threads, kg, ok};
use kgstore::db::{Database, Params, RunOptions};
use on_disk::on_disk;

/// Every 4th node a `Company` (every 8th also `Listed`), the others `Inv` with a country
/// (every 9th without); each investor invests in three companies (every 11th amount
/// missing) and in the next node when that one is an investor.
const SETUP: &[&str] = &[
    "UNWIND range(0, 11999) AS i CREATE (:N {i: i})",
    "MATCH (n:N) WHERE n.i % 4 = 0 SET n:Company REMOVE n:N",
    "MATCH (n:Company) WHERE n.i % 8 = 0 SET n:Listed",
    "MATCH (n:N) SET n:Inv, n.country = CASE WHEN n.i % 9 = 0 THEN null \
     ELSE 'c' + toString(n.i % 17) END REMOVE n:N",
    "CREATE INDEX FOR (c:Company) ON (c.i)",
    "CREATE INDEX FOR (a:Inv) ON (a.i)",
    "MATCH (a:Inv) UNWIND [4 * ((a.i * 7) % 3000), 4 * ((a.i * 13 + 1) % 3000), \
     4 * ((a.i * 31 + 5) % 3000)] AS t MATCH (c:Company {i: t}) \
     CREATE (a)-[:INVESTED_IN {amount: CASE WHEN a.i % 11 = 0 THEN null ELSE a.i % 97 + t % 13 END}]->(c)",
    "MATCH (a:Inv), (b:Inv {i: a.i + 1}) CREATE (a)-[:INVESTED_IN {amount: 1}]->(b)",
];

const QUERIES: &[&str] = &[
    "MATCH (a)-[r:INVESTED_IN]->(:Company) RETURN a.country AS country, sum(r.amount) AS total ORDER BY country",
    "MATCH (a)-[r:INVESTED_IN]->(b:Company:Listed) RETURN a.country AS c, count(*) AS k, sum(r.amount) AS s ORDER BY c",
    "MATCH (a)-[r:INVESTED_IN]->(b:Inv) RETURN a.country AS c, count(*) AS k, sum(r.amount) AS s ORDER BY c",
    "MATCH (a)-[r:INVESTED_IN]->(:Company) RETURN a.country AS c1, a.i % 2 AS p, a.country AS c2, count(*) AS k ORDER BY c1, p",
    "MATCH (c)<-[r:INVESTED_IN]-(a:Inv) RETURN c.i % 3 AS m, count(*) AS k, max(r.amount) AS hi ORDER BY m",
];

fn opts(profile: bool, threads: usize) -> RunOptions {
    RunOptions {
        profile,
        threads: Some(threads),
        ..RunOptions::default()
    }
}

/// Every query answers alike fused and through the operators, and alike on one and two
/// threads (the amounts are integers, so the sums do not depend on the order).
fn same_on_every_path(
    s: &mut kgstore::db::Session<'_>,
    what: &str,
) -> Vec<Vec<Vec<kgstore::Value>>> {
    let p = Params::new();
    let mut out = Vec::new();
    for q in QUERIES {
        let run = |s: &mut kgstore::db::Session<'_>, profile, threads| {
            s.run_with(q, &p, &opts(profile, threads))
                .map(|r| r.rows)
                .map_err(|e| e.to_string())
        };
        let fused = run(s, false, 1);
        assert!(
            fused.as_ref().is_ok_and(|r| r.len() > 1),
            "{what}: {q}: {fused:?}"
        );
        assert_eq!(fused, run(s, true, 1), "{what}: {q}, fused against PROFILE");
        assert_eq!(fused, run(s, false, 2), "{what}: {q}, two threads");
        assert_eq!(
            fused,
            run(s, true, 2),
            "{what}: {q}, PROFILE on two threads"
        );
        out.push(fused.unwrap_or_default());
    }
    out
}

#[test]
fn held_bitmaps_answer_like_the_operators_on_sled_and_in_a_transaction() {
    let (_dir, db) = on_disk();
    setup(&db);
    let mut s = db.session();
    let before = same_on_every_path(&mut s, "sled");
    // The read of `a.country` twice: both keys the same value in every group.
    for row in &before[3] {
        assert_eq!(row[0], row[2], "{row:?}");
    }
    let p = Params::new();
    s.run("BEGIN", &p).expect("begin");
    for w in [
        "MATCH (c:Company) WHERE c.i % 40 = 0 REMOVE c:Company",
        "MATCH (c:Company) WHERE c.i % 24 = 4 REMOVE c:Listed",
        "MATCH (a:Inv) WHERE a.i % 50 = 1 SET a:Company",
        "MATCH (a:Inv) WHERE a.i % 50 = 3 SET a:Company:Listed REMOVE a:Inv",
        "MATCH (a:Inv) WHERE a.i > 11900 DETACH DELETE a",
    ] {
        s.run(w, &p).unwrap_or_else(|e| panic!("{w}: {e}"));
    }
    let inside = same_on_every_path(&mut s, "in the transaction");
    for i in 0..3 {
        assert_ne!(
            inside[i], before[i],
            "query {i} does not see the label changes"
        );
    }
    s.run("ROLLBACK", &p).expect("rollback");
    assert_eq!(same_on_every_path(&mut s, "after the rollback"), before);
}

fn setup(db: &Database) {
    for q in SETUP {
        db.run(q, &Params::new())
            .unwrap_or_else(|e| panic!("{q}: {e}"));
    }
}

/// `kg query --format csv` of every query on one and two threads, fused and with
/// `PROFILE`, which must all agree.
fn every_path_by_cli(db: &Path) -> Vec<String> {
    let csv = |q: &str, threads: &str| csv_on_threads(db, threads, q);
    QUERIES
        .iter()
        .map(|q| {
            let fused = csv(q, "1");
            assert_eq!(fused, csv(&format!("PROFILE {q}"), "1"), "{q}");
            assert_eq!(fused, csv(q, "2"), "{q} on two threads");
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
    let sled = every_path_by_cli(&db);
    ok(kg(&db).arg("compact").output().expect("kg compact"));
    assert!(db.join("kg.image").is_file(), "no image after compaction");
    assert_eq!(every_path_by_cli(&db), sled);
    // A label change lands in the delta over the image: the bitmaps read through it.
    ok(kg(&db)
        .args([
            "query",
            "MATCH (c:Company) WHERE c.i % 12 = 0 REMOVE c:Company",
        ])
        .output()
        .expect("kg query"));
    let after = every_path_by_cli(&db);
    assert!(db.join("kg.delta").is_file(), "no delta after the write");
    assert_ne!(after[0], sled[0], "the write is not seen");
}
