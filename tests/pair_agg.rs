//! Grouped aggregation over two expansions from one node, fused (`exec/pair_agg.rs`): every
//! statement of that class answers what the row-at-a-time operators answer (PROFILE runs
//! those), rows in the same order, errors the same; on hand-checked values; inside a
//! transaction that changed, deleted and relabelled data.

#[path = "support/on_disk.rs"]
mod on_disk;
use on_disk::on_disk;

use kgstore::db::{Database, Params, RunOptions};
use kgstore::Value;

/// Investors (one without a country, one without `n`), companies, a lab;
/// investors that share one or two companies, one that holds a company
/// twice, amounts missing, null and a float; an `OWNS` and a self-loop beside them.
const GRAPH: &str = "\
CREATE (a1:Inv {n: 1, country: 'JP'}), (a2:Inv {n: 2, country: 'JP'}), (a3:Inv {n: 3}), \
       (a4:Inv {n: 4, country: 'US'}), (a5:Inv {n: 5, country: 'DE'}), (a6:Inv {name: 'six'}), \
       (c1:Company {n: 11}), (c2:Company:Listed {n: 12}), (c3:Company {n: 13}), (l:Lab {n: 21}), \
       (a1)-[:INVESTED_IN {amount: 10, year: 2001}]->(c1), \
       (a1)-[:INVESTED_IN {amount: 2.5, year: 1999}]->(c2), \
       (a1)-[:INVESTED_IN {amount: 100, year: 2005}]->(l), \
       (a1)-[:OWNS {amount: 1000}]->(c1), \
       (a2)-[:INVESTED_IN {amount: 1, year: 2003}]->(c1), \
       (a2)-[:INVESTED_IN {amount: 4, year: 2004}]->(c2), \
       (a2)-[:INVESTED_IN {amount: 6, year: 2006}]->(c2), \
       (a3)-[:INVESTED_IN {amount: 7, year: 2010}]->(c2), \
       (a4)-[:INVESTED_IN {year: 2000}]->(c1), \
       (a4)-[:INVESTED_IN {amount: null, year: 2002}]->(c2), \
       (a6)-[:INVESTED_IN {amount: 3, year: 2007}]->(c3), \
       (a5)-[:INVESTED_IN {amount: 5, year: 2008}]->(c3), \
       (c1)-[:OWNS {amount: 5}]->(c2), \
       (c2)-[:INVESTED_IN {amount: 3, year: 2004}]->(c2)";

/// The co-investor statement of the analytics bench (A8), on this graph.
const PAIRS: &str = "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) \
    WHERE c.n IN [11, 12, 13] AND a.n < b.n \
    RETURN a.n AS a, b.n AS b, count(*) AS shared ORDER BY shared DESC, a, b";

/// Statements of the fused class (and a few next to it that are not), each compared between
/// the two paths; most without ORDER BY, so the groups' order is compared too.
const QUERIES: &[&str] = &[
    PAIRS,
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) WHERE a.n < b.n RETURN a.n AS a, b.n AS b, count(*) AS k",
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) RETURN a.n AS a, b.n AS b, count(*) AS k",
    "MATCH (a)-[:INVESTED_IN]->(c)<-[:INVESTED_IN]-(b) RETURN a AS a, b AS b, count(*) AS k",
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) RETURN a.country AS ca, b.country AS cb, count(*) AS k, collect(c.n) AS cs",
    "MATCH (a)-[r:INVESTED_IN]->(c:Company)<-[s:INVESTED_IN]-(b) WHERE a <> b RETURN c.n AS c, sum(r.amount) AS sr, sum(s.amount) AS ss, min(s.year) AS lo, max(r.year) AS hi, avg(r.amount) AS m",
    "MATCH (a)-[r:INVESTED_IN]->(c:Company)<-[s:INVESTED_IN]-(b) RETURN count(*) AS k, sum(r.amount + s.amount) AS s, count(DISTINCT a) AS da, collect(DISTINCT b.n) AS bs",
    "MATCH (a)-[r]-(c:Company)-[s]-(b) RETURN c.n AS c, count(*) AS k, count(r) AS kr, collect(type(s)) AS t",
    "MATCH (a)-[r]->(c:Company)<-[s]-(b) WHERE type(r) = type(s) RETURN a.n AS a, b.n AS b, type(r) AS t, count(*) AS k",
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) WHERE b.n > 1 AND a.n < b.n RETURN a.n AS a, b.n AS b, count(*) AS k",
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b:Inv) WHERE a.n + b.n > 4 OR b.country = 'JP' RETURN a.n AS a, b.n AS b, count(*) AS k",
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) WHERE a.missing < b.n OR a.n % 2 = 0 RETURN a.n AS a, b.n AS b, $k AS k, 'x' AS x, count(*) AS n",
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) RETURN toUpper(a.country) AS a, b.name AS b, c.n AS c, count(*) AS k",
    "MATCH (a)-[r:INVESTED_IN]->(c:Company)<-[s:INVESTED_IN]-(b) WHERE r.year < s.year RETURN a.n AS a, b.n AS b, collect(r.amount) AS ra, collect(s.amount) AS sa",
    "MATCH (a)-[r:INVESTED_IN]->(c:Company)<-[s:INVESTED_IN]-(b) RETURN r.amount AS ra, s.amount AS sa, count(*) AS k",
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) WHERE a.n < b.n RETURN count(*) AS k",
    "MATCH (a)-[:INVESTED_IN]->(c:Nope)<-[:INVESTED_IN]-(b) RETURN a.n AS a, count(*) AS k",
    "MATCH (a)-[:INVESTED_IN]->(c:Nope)<-[:INVESTED_IN]-(b) RETURN count(*) AS k, sum(a.n) AS s",
    "MATCH (a)-[:NOPE]->(c:Company)<-[:INVESTED_IN]-(b) RETURN count(*) AS k",
    "MATCH (a)-[:OWNS]->(c:Company)<-[:INVESTED_IN]-(b) RETURN a.n AS a, b.n AS b, count(*) AS k",
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) WITH a, b, c.n AS cn RETURN a.n AS a, count(*) AS k",
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) WHERE a.n IN [x IN [1, 2, 3] WHERE x > 1] RETURN a.n AS a, b.n AS b, count(*) AS k",
    "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) WHERE EXISTS { (a)-[:OWNS]->() } RETURN a.n AS a, b.n AS b, count(*) AS k",
    "MATCH (c:Company) MATCH (a)-[:INVESTED_IN]->(c)<-[:INVESTED_IN]-(b) WHERE a.n < b.n RETURN c.n AS c, a.n AS a, b.n AS b, count(*) AS k",
    "UNWIND [11, 13, 11, null, 12] AS x MATCH (c {n: x}) MATCH (a)-[:INVESTED_IN]->(c)<-[:INVESTED_IN]-(b) RETURN x AS x, a.n AS a, b.n AS b, count(*) AS k",
];

fn run(db: &Database, q: &str, profile: bool) -> Result<Vec<Vec<Value>>, String> {
    let opts = RunOptions {
        profile,
        threads: Some(1),
        ..RunOptions::default()
    };
    let mut params = Params::new();
    params.insert("k".into(), Value::Int(7));
    db.session()
        .run_with(q, &params, &opts)
        .map(|r| r.rows)
        .map_err(|e| e.to_string())
}

fn graph() -> (tempfile::TempDir, Database) {
    let (dir, db) = on_disk();
    db.run(GRAPH, &Params::new()).expect("graph");
    (dir, db)
}

/// True when `q` is planned as two expansions from `c` under the aggregation: the shape
/// the fused path takes.
fn two_expansions_from_c(db: &Database, q: &str) -> bool {
    let plan = db
        .run(&format!("EXPLAIN {q}"), &Params::new())
        .expect("explain")
        .plan
        .expect("a plan");
    plan.lines()
        .filter(|l| l.trim().starts_with("Expand((c)"))
        .count()
        == 2
}

#[test]
fn fused_pairs_answer_like_the_row_at_a_time_operators() {
    let (_dir, db) = graph();
    assert!(two_expansions_from_c(&db, PAIRS), "A8's plan changed");
    for q in QUERIES {
        let fused = run(&db, q, false);
        assert!(fused.is_ok(), "{q}: {fused:?}");
        assert_eq!(fused, run(&db, q, true), "{q}");
    }
    // By hand: c1's investors are a1, a2, a4; c2's a1, a2 (twice), a3, a4 and c2 itself
    // (the self-loop; its `n` is 12, and the pair of the loop with itself is one
    // relationship twice); c3's a5 and a6, whose missing `n` drops the pair.
    let i = |x: i64| Value::Int(x);
    let pairs = run(&db, PAIRS, false).expect("pairs");
    let want: Vec<Vec<Value>> = [
        (1, 2, 3),
        (2, 4, 3),
        (1, 4, 2),
        (2, 3, 2),
        (2, 12, 2),
        (1, 3, 1),
        (1, 12, 1),
        (3, 4, 1),
        (3, 12, 1),
        (4, 12, 1),
    ]
    .iter()
    .map(|&(a, b, k)| vec![i(a), i(b), i(k)])
    .collect();
    assert_eq!(pairs, want);
}

#[test]
fn errors_are_those_of_the_row_at_a_time_operators() {
    let (_dir, db) = graph();
    for q in [
        "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) WHERE a.country RETURN a.n AS a, count(*) AS k",
        "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) WHERE a.n < b.n RETURN a.n AS a, sum(b.country) AS s",
        "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) RETURN a.n AS a, sum(a.country + b.n) AS s",
        "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) RETURN a.n.x AS a, count(*) AS k",
        "MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) WHERE b.country.x = 1 RETURN count(*) AS k",
        "MATCH (a)-[r:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) RETURN sum(r.amount * 9223372036854775807) AS s",
        "WITH 5 AS x MATCH (a)-[:INVESTED_IN]->(c:Company)<-[:INVESTED_IN]-(b) RETURN x.n AS x, count(*) AS k",
    ] {
        let fused = run(&db, q, false);
        assert!(fused.is_err(), "{q}: {fused:?}");
        assert_eq!(fused, run(&db, q, true), "{q}");
    }
}

#[test]
fn a_transaction_sees_its_own_deletes_updates_and_labels() {
    let (_dir, db) = graph();
    let before = run(&db, PAIRS, false).expect("pairs");
    let mut s = db.session();
    let p = Params::new();
    s.run("BEGIN", &p).expect("begin");
    for w in [
        "MATCH (:Inv {n: 2})-[r:INVESTED_IN]->(:Company {n: 11}) DELETE r",
        "MATCH (l:Lab) SET l:Company, l.n = 14",
        "MATCH (c:Company {n: 13}) REMOVE c:Company",
        "MATCH (a:Inv {n: 3}) SET a.n = 30",
        "MATCH (a:Inv {n: 5}), (c:Company {n: 11}) CREATE (a)-[:INVESTED_IN]->(c)",
        "MATCH (a:Inv {n: 4}) DETACH DELETE a",
    ] {
        s.run(w, &p).unwrap_or_else(|e| panic!("{w}: {e}"));
    }
    let opts = |profile| RunOptions {
        profile,
        threads: Some(1),
        ..RunOptions::default()
    };
    for q in QUERIES {
        let fused = s.run_with(q, &p, &opts(false)).map(|r| r.rows);
        let rows = s.run_with(q, &p, &opts(true)).map(|r| r.rows);
        assert_eq!(
            fused.map_err(|e| e.to_string()),
            rows.map_err(|e| e.to_string()),
            "{q} in the transaction"
        );
    }
    s.run("ROLLBACK", &p).expect("rollback");
    assert_eq!(run(&db, PAIRS, false).expect("pairs"), before);
}

#[test]
fn a_write_before_the_pairs_is_seen_by_them() {
    // The input row's writes land before its pairs are expanded, as row at a time.
    let (_dir, db) = graph();
    let q = "MATCH (c:Company {n: 11}) SET c.seen = coalesce(c.seen, 0) + 1 WITH c \
             MATCH (a)-[:INVESTED_IN]->(c)<-[:INVESTED_IN]-(b) \
             RETURN c.seen AS seen, a.n AS a, b.n AS b, count(*) AS k";
    let mut s = db.session();
    let p = Params::new();
    s.run("BEGIN", &p).expect("begin");
    let fused = s.run_with(q, &p, &RunOptions::default()).map(|r| r.rows);
    s.run("ROLLBACK", &p).expect("rollback");
    s.run("BEGIN", &p).expect("begin");
    let opts = RunOptions {
        profile: true,
        ..RunOptions::default()
    };
    let rows = s.run_with(q, &p, &opts).map(|r| r.rows);
    s.run("ROLLBACK", &p).expect("rollback");
    let fused = fused.expect("fused");
    assert_eq!(fused, rows.expect("profiled"));
    assert!(fused.iter().all(|r| r[0] == Value::Int(1)), "{fused:?}");
}
