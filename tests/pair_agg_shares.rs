//! The pair aggregation on several threads, groups shared out by key
//! (`exec/pair_agg/shares.rs`): every statement answers what the same statement on one
//! thread answers — the same rows in the same order (groups in first-seen order without
//! ORDER BY), `collect()` lists in the same order, float sums to the last bit — and fails
//! with the same error; inside a transaction that wrote too.

#[path = "support/on_disk.rs"]
mod on_disk;
use on_disk::on_disk;

use kgstore::db::{Database, Params, RunOptions};
use kgstore::exec::shared_on_this_thread;
use kgstore::Value;

/// 600 investors (`n` unique, `k` of 7 values, `m` null on one in 13, a float `f`, a string
/// `s` of 11 values), 5 companies; investor `i` invests in company `j` unless
/// `(i + 2j) % 5 = 0`, with a year, an integer and a float amount: ≈ 5 × 480² ≈ 1.15M pairs,
/// past the fewest pairs for which workers start (131,072).
fn graph(db: &Database) {
    let run = |q: &str| {
        db.run(q, &Params::new())
            .unwrap_or_else(|e| panic!("{q}: {e}"));
    };
    run("UNWIND range(0, 599) AS i CREATE (:Inv {n: i, k: i % 7, \
         m: CASE WHEN i % 13 = 0 THEN null ELSE (i * 37) % 101 END, \
         f: toFloat(i) / 7.0, s: 'v' + toString((i * 31) % 11)})");
    run("UNWIND range(0, 4) AS j CREATE (:Company {n: 1000 + j})");
    run(
        "MATCH (a:Inv), (c:Company) WHERE (a.n + 2 * (c.n - 1000)) % 5 <> 0 \
         CREATE (a)-[:INVESTED_IN {year: 1990 + (a.n * 3 + c.n) % 30, \
         amount: (a.n * 7919 + c.n) % 1009 - 300, \
         x: toFloat((a.n * 31 + c.n) % 97) / 3.0}]->(c)",
    );
}

fn opts(threads: usize) -> RunOptions {
    RunOptions {
        threads: Some(threads),
        ..RunOptions::default()
    }
}

/// The rows of `q` on `threads` threads, and whether the shared path ran.
fn run(db: &Database, q: &str, threads: usize) -> (Result<Vec<Vec<Value>>, String>, bool) {
    let before = shared_on_this_thread();
    let r = db
        .session()
        .run_with(q, &Params::new(), &opts(threads))
        .map(|r| r.rows)
        .map_err(|e| e.to_string());
    (r, shared_on_this_thread() > before)
}

/// `Debug` text, so that -0.0, NaN and a float's last bit count.
fn text(rows: &[Vec<Value>]) -> String {
    format!("{rows:?}")
}

/// Statements of the pair class with grouping keys, each run on 1, 2 and 4 threads; most
/// without ORDER BY, so the order of the groups is compared too.
const QUERIES: &[&str] = &[
    // A8's shape.
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) WHERE c.n IN [1000, 1002, 1004] AND a.n < b.n \
     RETURN a.n AS a, b.n AS b, count(*) AS shared ORDER BY shared DESC, a, b LIMIT 10",
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) WHERE a.n < b.n RETURN a.n AS a, b.n AS b, count(*) AS k",
    // Few groups, long input sequences per group: collect order, float sums, min/max ties.
    "MATCH (a)-[r:INVESTED_IN]->(c:Company)<-[s:INVESTED_IN]-(b) WHERE a <> b \
     RETURN a.k AS ka, b.k AS kb, count(*) AS k, sum(r.x + s.x) AS fx, sum(r.amount) AS sa, \
     min(s.year) AS lo, max(r.amount) AS hi, avg(s.x) AS m",
    "MATCH (a)-[r:INVESTED_IN]->(c:Company)<-[s:INVESTED_IN]-(b) WHERE a.n < 40 AND b.n < 60 \
     RETURN a.k AS k, b.s AS s, collect(b.n) AS bs, collect(r.x) AS rx",
    // Nulls in keys and in arguments.
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) RETURN a.m AS m, b.k AS k, count(*) AS n, count(b.m) AS nm, sum(b.m) AS sm",
    // 1 and 1.0 (and 0 and -0.0) are one group: the first value seen is kept.
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) \
     RETURN CASE WHEN b.n % 2 = 0 THEN toFloat(a.k) ELSE a.k END AS k, \
     CASE WHEN a.n % 3 = 0 THEN -0.0 ELSE 0 END AS z, count(*) AS n, collect(DISTINCT b.k) AS bk",
    // String, node and relationship-property keys.
    "MATCH (a)-[r:INVESTED_IN]->(c:Company)<-[s:INVESTED_IN]-(b) WHERE r.year < s.year \
     RETURN a.s AS sa, c AS c, r.year AS y, count(*) AS n",
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) WHERE a.n % 50 = 1 RETURN a AS a, b.s AS s, count(*) AS n",
    // Aggregates that never merge (the shares do not merge): DISTINCT, stDev, percentiles.
    "MATCH (a)-[r:INVESTED_IN]->(c:Company)<-[s:INVESTED_IN]-(b) \
     RETURN a.k AS k, count(DISTINCT b) AS db, stDev(r.x) AS sd, percentileCont(s.x, 0.3) AS p, \
     percentileDisc(r.amount, 0.5) AS pd, sum(DISTINCT r.amount) AS ds",
    // A filter on the row and a parameter-free CASE.
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b:Inv) WHERE a.n + b.n > 700 OR b.s = 'v3' \
     RETURN a.k AS a, b.n % 17 AS b, count(*) AS n",
];

#[test]
fn shared_pairs_answer_what_one_thread_answers() {
    let (_d, db) = on_disk();
    graph(&db);
    for q in QUERIES {
        let (one, shared) = run(&db, q, 1);
        let one = one.unwrap_or_else(|e| panic!("{q}: {e}"));
        assert!(!shared, "one thread took the shared path: {q}");
        assert!(!one.is_empty(), "{q}");
        for threads in [2, 4] {
            let (many, shared) = run(&db, q, threads);
            let many = many.unwrap_or_else(|e| panic!("{q} on {threads}: {e}"));
            assert!(shared, "not shared on {threads} threads: {q}");
            assert_eq!(text(&many), text(&one), "{q} on {threads} threads");
        }
    }
}

#[test]
fn what_is_small_random_or_ungrouped_runs_as_before() {
    let (_d, db) = on_disk();
    graph(&db);
    for q in [
        // Too few pairs (one company's 480² is above the threshold: two investors' are not).
        "MATCH (a:Inv {n: 3})-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) RETURN b.k AS k, count(*) AS n",
        // No key: one group, nothing to share out.
        "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) WHERE a.n < b.n RETURN count(*) AS n",
    ] {
        let (one, _) = run(&db, q, 1);
        let (four, shared) = run(&db, q, 4);
        assert!(!shared, "{q}");
        assert_eq!(four.expect(q), one.expect(q), "{q}");
    }
    // rand() would differ from worker to worker.
    let q = "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) \
             RETURN a.k + toInteger(rand() * 0.5) AS k, count(*) AS n";
    let (r, shared) = run(&db, q, 4);
    assert!(!shared);
    assert_eq!(r.expect(q).len(), 7);
    let q = "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) \
             WHERE a.n - b.n < rand() * 10000 RETURN a.k AS k, count(*) AS n";
    let (_, shared) = run(&db, q, 4);
    assert!(!shared);
}

#[test]
fn an_error_in_one_share_is_the_error_of_the_serial_run() {
    let (_d, db) = on_disk();
    graph(&db);
    for q in [
        // An update that fails in one group (one worker's), then a key that fails (every
        // worker's), and the other way round; the serial run meets the first.
        "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) \
         RETURN a.n AS a, b.k AS k, sum(CASE WHEN a.n = 311 AND b.n = 17 THEN 'x' ELSE 1 END) AS s, \
         count(CASE WHEN a.n = 400 THEN b.n.nope END) AS e",
        "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) \
         RETURN a.n AS a, b.k AS k, sum(CASE WHEN a.n = 411 AND b.n = 17 THEN 'x' ELSE 1 END) AS s, \
         count(CASE WHEN a.n = 300 THEN b.n.nope END) AS e",
        "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) \
         RETURN a.n AS a, CASE WHEN a.n = 500 THEN b.n.nope ELSE b.k END AS k, \
         sum(CASE WHEN a.n = 200 AND b.n = 9 THEN true ELSE 1 END) AS s",
        // Updates failing in two groups, likely of two workers: the earlier pair's error.
        "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) \
         RETURN a.n AS a, b.n AS b, sum(CASE WHEN a.n = 222 AND b.n = 333 THEN true \
         WHEN a.n = 222 AND b.n = 334 THEN 'late' ELSE 1 END) AS s",
        "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) \
         RETURN a.n AS a, b.n AS b, sum(CASE WHEN a.n = 222 AND b.n = 334 THEN true \
         WHEN a.n = 222 AND b.n = 333 THEN 'late' ELSE 1 END) AS s",
        // A filter that fails (not a boolean) after an update that failed.
        "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) \
         WHERE CASE WHEN a.n = 599 THEN 3 ELSE true END \
         RETURN a.n AS a, b.k AS k, sum(CASE WHEN a.n = 10 THEN 'x' ELSE 1 END) AS s",
        // An average of a duration and numbers; a product out of range in an argument.
        "MATCH (a)-[r:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) \
         RETURN a.n % 3 AS g, avg(CASE WHEN a.n = 5 THEN duration('P1D') ELSE 1 END) AS m",
        "MATCH (a)-[r:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) \
         RETURN a.k AS g, sum(r.amount * 9223372036854775) AS s",
    ] {
        let (one, _) = run(&db, q, 1);
        let one = one.expect_err(q);
        for threads in [2, 4] {
            let (many, shared) = run(&db, q, threads);
            assert!(shared, "{q}");
            assert_eq!(many.expect_err(q), one, "{q} on {threads} threads");
        }
    }
}

#[test]
fn inside_a_transaction_that_wrote_the_shares_see_its_writes() {
    let (_d, db) = on_disk();
    graph(&db);
    let mut s = db.session();
    s.run("BEGIN", &Params::new()).expect("begin");
    s.run(
        "MATCH (a:Inv) WHERE a.n % 100 = 7 SET a.k = 50 + a.n",
        &Params::new(),
    )
    .expect("set");
    s.run(
        "MATCH (c:Company {n: 1001}) CREATE (:Inv {n: -1, k: -5})-[:INVESTED_IN {amount: 1}]->(c)",
        &Params::new(),
    )
    .expect("create");
    s.run(
        "MATCH (:Inv {n: 8})-[r:INVESTED_IN]->() DELETE r",
        &Params::new(),
    )
    .expect("delete");
    let q = "MATCH (a)-[r:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) \
             RETURN a.k AS k, b.n % 5 AS b, count(*) AS n, collect(r.amount)[..5] AS am";
    let mut answers = Vec::new();
    for threads in [1, 2, 4] {
        let before = shared_on_this_thread();
        let rows = s
            .run_with(q, &Params::new(), &opts(threads))
            .expect("query")
            .rows;
        assert_eq!(shared_on_this_thread() > before, threads > 1, "{threads}");
        answers.push(text(&rows));
        assert!(rows.iter().any(|r| r[0] == Value::Int(-5)));
        assert!(rows.iter().any(|r| r[0] == Value::Int(157)));
    }
    assert_eq!(answers[0], answers[1]);
    assert_eq!(answers[0], answers[2]);
    s.run("ROLLBACK", &Params::new()).expect("rollback");
}
