//! Grouped aggregation over one expansion from a node scan, fused (`exec/expand_agg.rs`):
//! every statement of that class answers what the row-at-a-time operators answer (PROFILE
//! runs those), rows in the same order, errors the same; on hand-checked values; inside a
//! transaction that deleted, changed and relabelled data; through the sealed read image and
//! through sled after a write; and on two threads.

#[path = "support/kg_cli.rs"]
mod kg_cli;

use std::path::Path;

use kg_cli::{kg, ok};
#[path = "support/on_disk.rs"]
mod on_disk;
use on_disk::on_disk;

use kgstore::db::{Database, Params, RunOptions};
use kgstore::Value;

/// Investors in three countries, one without a country, one with no relationship; companies
/// (one also `:Listed`) and a lab; amounts as integers, a float, one missing, one null; an
/// `OWNS` and a self-loop beside the `INVESTED_IN` relationships.
const GRAPH: &str = "\
CREATE (a1:Inv {n: 1, country: 'JP'}), (a2:Inv {n: 2, country: 'JP'}), (a3:Inv {n: 3}), \
       (a4:Inv {n: 4, country: 'US'}), (a5:Inv {n: 5, country: 'DE'}), \
       (c1:Company {n: 11}), (c2:Company:Listed {n: 12}), (l:Lab {n: 21}), \
       (a1)-[:INVESTED_IN {amount: 10, year: 2001}]->(c1), \
       (a1)-[:INVESTED_IN {amount: 2.5, year: 1999}]->(c2), \
       (a1)-[:INVESTED_IN {amount: 100, year: 2005}]->(l), \
       (a1)-[:OWNS {amount: 1000}]->(c1), \
       (a2)-[:INVESTED_IN {amount: 1, year: 2003}]->(c1), \
       (a3)-[:INVESTED_IN {amount: 7, year: 2010}]->(c2), \
       (a4)-[:INVESTED_IN {year: 2000}]->(c1), \
       (a4)-[:INVESTED_IN {amount: null, year: 2002}]->(c2), \
       (c1)-[:OWNS {amount: 5}]->(c2), \
       (c2)-[:INVESTED_IN {amount: 3, year: 2004}]->(c2)";

/// Companies without investors: enough of them that the planner starts A1 from every node
/// (the counters' rule), which is the plan the fused path takes over.
const MORE_COMPANIES: &str = "UNWIND range(1, 20) AS i CREATE (:Company {n: 100 + i})";

fn graph(db: &Database) {
    for q in [GRAPH, MORE_COMPANIES] {
        db.run(q, &Params::new())
            .unwrap_or_else(|e| panic!("{q}: {e}"));
    }
    assert!(
        starts_from_every_node(db),
        "A1 is not planned as the fused path expects"
    );
}

/// True when A1's plan is the expansion from an all-nodes scan that the fused path takes.
fn starts_from_every_node(db: &Database) -> bool {
    let plan = db
        .run(&format!("EXPLAIN {}", QUERIES[0]), &Params::new())
        .expect("explain")
        .plan
        .expect("a plan");
    let ops: Vec<&str> = plan.lines().map(str::trim).collect();
    ops.iter()
        .any(|l| l.starts_with("Expand((a)-[r:INVESTED_IN]->"))
        && ops.contains(&"AllNodesScan(a)")
}

/// Statements of the fused class (and a few next to it that are not), each compared between
/// the two paths.
const QUERIES: &[&str] = &[
    "MATCH (a)-[r:INVESTED_IN]->(:Company) RETURN a.country AS country, sum(r.amount) AS total ORDER BY country",
    "MATCH (a)-[r:INVESTED_IN]->(:Company) RETURN a.country AS country, sum(r.amount) AS total",
    "MATCH (a:Inv)-[r:INVESTED_IN]->(b:Company:Listed) RETURN a.country AS c, count(*) AS k, sum(r.amount) AS s",
    "MATCH (a)-[r:INVESTED_IN|OWNS]->(c:Company) RETURN a.n AS a, count(*) AS k, collect(r.amount) AS l, collect(type(r)) AS t ORDER BY a",
    "MATCH (c:Company)<-[r:INVESTED_IN]-(a) RETURN c.n AS c, sum(r.amount) AS s, avg(r.amount) AS m, min(r.amount) AS lo, max(r.amount) AS hi, count(r.amount) AS k ORDER BY c",
    "MATCH (a)-[r]-(b) RETURN a.n AS a, count(*) AS k, collect(b.n) AS bs, sum(r.amount) AS s ORDER BY a",
    "MATCH (a)-[r:INVESTED_IN]->(b) RETURN sum(r.amount) AS s, count(r) AS k, count(DISTINCT b) AS d",
    "MATCH (a)-[r:INVESTED_IN]->(:Company) WHERE r.year > 2000 AND a.n < 4 RETURN a.country AS c, sum(r.amount) AS s ORDER BY c",
    "MATCH (a)-[r:INVESTED_IN]->(b:Company) WHERE b.n = 11 RETURN a.country AS c, $k AS k, 'x' AS x, sum(r.amount + 1) AS s ORDER BY c",
    "MATCH (a)-[r:INVESTED_IN]->(b:Nope) RETURN a.country AS c, sum(r.amount) AS s",
    "MATCH (a)-[r:INVESTED_IN]->(b:Nope) RETURN sum(r.amount) AS s, count(*) AS k",
    "MATCH (a)-[r:NOPE]->(b) RETURN count(*) AS k, collect(r.amount) AS l",
    "MATCH (a)-[r:INVESTED_IN]->(b:Company) RETURN a AS a, sum(r.amount) AS s, collect(r.missing) AS m ORDER BY a.n",
    "MATCH (a)-[r:INVESTED_IN]->(b:Company) RETURN a.country AS c, count(DISTINCT r.amount) AS d, collect(DISTINCT b.n) AS bs ORDER BY c",
    "MATCH (a)-[r:INVESTED_IN]->(b:Company) RETURN toUpper(a.country) AS c, sum(r.amount) AS s ORDER BY c",
    "MATCH (a)-[r:INVESTED_IN]->(b:Company) RETURN b.n AS b, sum(r.amount) AS s ORDER BY b",
];

fn run(db: &Database, q: &str, profile: bool, threads: usize) -> Result<Vec<Vec<Value>>, String> {
    let opts = RunOptions {
        profile,
        threads: Some(threads),
        ..RunOptions::default()
    };
    let mut params = Params::new();
    params.insert("k".into(), Value::Int(7));
    db.session()
        .run_with(q, &params, &opts)
        .map(|r| r.rows)
        .map_err(|e| e.to_string())
}

/// Every query of [`QUERIES`] answers the same on both paths; returns the first's rows.
fn same_on_both_paths(db: &Database, threads: usize) {
    for q in QUERIES {
        let fused = run(db, q, false, threads);
        let rows = run(db, q, true, threads);
        assert_eq!(fused, rows, "{q} on {threads} threads");
    }
}

fn a1(db: &Database) -> Vec<Vec<Value>> {
    run(db, QUERIES[0], false, 1).expect("A1")
}

fn row(c: Option<&str>, total: Value) -> Vec<Value> {
    vec![c.map_or(Value::Null, |c| Value::String(c.into())), total]
}

#[test]
fn fused_aggregation_answers_like_the_row_at_a_time_operators() {
    let (_dir, db) = on_disk();
    graph(&db);
    same_on_both_paths(&db, 1);
    // The values, by hand: a1's lab investment fails `:Company`, its OWNS is another type,
    // a4's amounts are missing or null (a sum of nothing is 0), a5 has no relationship.
    assert_eq!(
        a1(&db),
        vec![
            row(Some("JP"), Value::Float(13.5)),
            row(Some("US"), Value::Int(0)),
            row(None, Value::Int(10)),
        ]
    );
    // The self-loop of c2 counts once in an undirected match from its node: a1, a3, a4, the
    // loop, c1.
    let undirected = run(&db, QUERIES[5], false, 1).expect("undirected");
    assert_eq!(undirected[5][0], Value::Int(12));
    assert_eq!(undirected[5][1], Value::Int(5));
}

#[test]
fn errors_are_those_of_the_row_at_a_time_operators() {
    let (_dir, db) = on_disk();
    graph(&db);
    db.run(
        "MATCH (:Inv {n: 2})-[r:INVESTED_IN]->() SET r.amount = 'one'",
        &Params::new(),
    )
    .expect("a string amount");
    for q in [
        QUERIES[0],
        "MATCH (a)-[r:INVESTED_IN]->(:Company) WHERE r.amount RETURN a.n AS a, count(*) AS k",
        "MATCH (a)-[r:INVESTED_IN]->(:Company) RETURN a.country AS c, sum(r.amount) AS s",
    ] {
        let fused = run(&db, q, false, 1);
        assert!(fused.is_err(), "{q}: {fused:?}");
        assert_eq!(fused, run(&db, q, true, 1), "{q}");
    }
}

#[test]
fn a_transaction_sees_its_own_deletes_updates_and_labels() {
    let (_dir, db) = on_disk();
    graph(&db);
    let before = a1(&db);
    let mut s = db.session();
    let p = Params::new();
    s.run("BEGIN", &p).expect("begin");
    for w in [
        "MATCH (:Inv {n: 2})-[r:INVESTED_IN]->() DELETE r",
        "MATCH (l:Lab) SET l:Company",
        "MATCH (c:Company {n: 12}) REMOVE c:Company",
        "MATCH ()-[r:INVESTED_IN {amount: 7}]->() SET r.amount = 70",
        "MATCH (a:Inv {n: 5}), (c:Company {n: 11}) CREATE (a)-[:INVESTED_IN {amount: 4}]->(c)",
        "MATCH (a:Inv {n: 4}) SET a.country = null",
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
    // a1: 10 (c1) + 100 (the lab, now a company); c2 is no longer one, so a3's 70 and a4's
    // null go with it; a5 invested 4; a4 lost its country and has nothing left.
    let inside = s
        .run_with(QUERIES[0], &p, &opts(false))
        .expect("A1 in the transaction")
        .rows;
    assert_eq!(
        inside,
        vec![
            row(Some("DE"), Value::Int(4)),
            row(Some("JP"), Value::Int(110)),
            row(None, Value::Int(0)),
        ]
    );
    s.run("ROLLBACK", &p).expect("rollback");
    assert_eq!(a1(&db), before);
}

#[test]
fn two_threads_answer_like_one_and_like_the_operators() {
    let (_dir, db) = on_disk();
    // Past the 8,192 scanned nodes a statement is split at; integer amounts, so sums in
    // another association are equal.
    db.run(
        "UNWIND range(0, 3999) AS i CREATE (:Inv {i: i, country: CASE WHEN i % 11 = 0 THEN null \
         ELSE 'c' + toString(i % 23) END})",
        &Params::new(),
    )
    .expect("investors");
    db.run(
        "UNWIND range(0, 5999) AS i CREATE (:Company {i: i})",
        &Params::new(),
    )
    .expect("companies");
    db.run("CREATE INDEX FOR (c:Company) ON (c.i)", &Params::new())
        .expect("index");
    db.run(
        "MATCH (a:Inv), (c:Company) WHERE c.i IN [a.i, (a.i * 7) % 6000, (a.i * 13) % 6000] \
         AND a.i % 5 <> 0 \
         CREATE (a)-[:INVESTED_IN {amount: CASE WHEN a.i % 17 = 0 THEN null ELSE a.i % 101 END}]->(c)",
        &Params::new(),
    )
    .expect("investments");
    assert!(starts_from_every_node(&db));
    let one = a1(&db);
    assert_eq!(one.len(), 24, "23 countries and null");
    assert_eq!(run(&db, QUERIES[0], false, 2).expect("two threads"), one);
    same_on_both_paths(&db, 2);
}

/// `kg query --format csv`, with `PROFILE` in front for the row-at-a-time path.
fn csv(db: &Path, q: &str) -> String {
    let out = ok(kg(db)
        .args(["--threads", "1", "query", "--format", "csv", q])
        .output()
        .expect("kg query"));
    String::from_utf8(out.stdout).expect("utf-8")
}

fn both_paths_by_cli(db: &Path) -> String {
    let fused = csv(db, QUERIES[0]);
    assert_eq!(fused, csv(db, &format!("PROFILE {}", QUERIES[0])));
    fused
}

#[test]
fn the_sealed_image_and_sled_after_a_write_answer_alike() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("g.db");
    for q in [GRAPH, MORE_COMPANIES] {
        ok(kg(&db).args(["query", q]).output().expect("kg query"));
    }
    let sled = both_paths_by_cli(&db);
    assert_eq!(sled, "country,total\r\nJP,13.5\r\nUS,0\r\n,10\r\n");
    ok(kg(&db).arg("compact").output().expect("kg compact"));
    assert!(db.join("kg.image").is_file(), "no image after compaction");
    assert_eq!(both_paths_by_cli(&db), sled);
    // A write goes into the delta over the image: later reads see it.
    ok(kg(&db)
        .args([
            "query",
            "MATCH (a:Inv {n: 4})-[r:INVESTED_IN {year: 2000}]->() SET r.amount = 9",
        ])
        .output()
        .expect("kg query"));
    assert_eq!(
        both_paths_by_cli(&db),
        "country,total\r\nJP,13.5\r\nUS,9\r\n,10\r\n"
    );
}
