//! GQL path search of issue 16 (`PathSearch`): selective selectors and quantified path patterns
//! over a deterministic random graph (N nodes `:N {id}`, 4N relationships `:R`), through
//! `Database::run`, each answer checked against `shortestPath`/`allShortestPaths` or a count
//! computed another way.
//!
//! ```text
//! cargo bench --bench paths                  # N = 100,000
//! REPS=5 cargo bench --bench paths -- 20000  # another N
//! ```
//! Shapes (start and end ids are fixed pairs):
//! - `shortest1-into`: `SHORTEST 1 (a {id})-[:R]-+(b {id})` (bidirectional BFS);
//! - `allshortest-into`: `ALL SHORTEST` of the same (bidirectional BFS, every path);
//! - `shortest3-into` / `groups2-into`: `SHORTEST 3` and `SHORTEST 2 GROUPS`, the trail search in
//!   rounds of growing length bound by the end's BFS distances;
//! - `shortest1-open`: `SHORTEST 1 (a {id})-[:R]->+(b)`, one path to every reachable node (one
//!   BFS over nodes);
//! - `qpp-where`: `(a {id}) ((x)-[:R]->(y) WHERE y.id > x.id){1,4} (b)`, every match.

use std::time::Instant;

use kgstore::db::{Database, Params};
use kgstore::Value;

fn count(db: &Database, q: &str) -> Vec<Vec<Value>> {
    match db.run(q, &Params::new()) {
        Ok(r) => r.rows,
        Err(e) => panic!("{q}: {e}"),
    }
}

fn main() {
    let n: i64 = std::env::args()
        .skip(1)
        .find(|a| !a.starts_with('-'))
        .and_then(|a| a.parse().ok())
        .unwrap_or(100_000);
    let reps: usize = std::env::var("REPS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(3);
    let db = Database::open_in_memory().expect("open");
    let t = Instant::now();
    count(
        &db,
        &format!("UNWIND range(0, {}) AS i CREATE (:N {{id: i}})", n - 1),
    );
    count(&db, "CREATE INDEX FOR (n:N) ON (n.id)");
    count(
        &db,
        &format!(
            "UNWIND range(0, {m}) AS j MATCH (a:N {{id: j % {n}}}), (b:N {{id: (j * 7919 + (j / {n}) * 3517 + 12345) % {n}}}) CREATE (a)-[:R]->(b)",
            m = 4 * n - 1
        ),
    );
    eprintln!(
        "graph: {n} nodes, {} relationships in {:?}",
        4 * n,
        t.elapsed()
    );

    let (a, b) = (1, 777 % n);
    let pair = format!("(a:N {{id: {a}}})-[:R]-+(b:N {{id: {b}}})");
    let reference = count(
        &db,
        &format!("MATCH p = allShortestPaths((a:N {{id: {a}}})-[:R*]-(b:N {{id: {b}}})) RETURN length(p) AS len, count(*) AS n"),
    );
    let shapes: Vec<(&str, String, Vec<Vec<Value>>)> = vec![
        (
            "shortest1-into",
            format!("MATCH p = SHORTEST 1 {pair} RETURN length(p) AS len, count(*) AS n"),
            vec![vec![reference[0][0].clone(), Value::Int(1)]],
        ),
        (
            "allshortest-into",
            format!("MATCH p = ALL SHORTEST {pair} RETURN length(p) AS len, count(*) AS n"),
            reference.clone(),
        ),
        (
            "shortest3-into",
            format!("MATCH p = SHORTEST 3 {pair} RETURN min(length(p)) AS len, count(*) AS n"),
            vec![vec![reference[0][0].clone(), Value::Int(3)]],
        ),
        (
            "groups2-into",
            format!("MATCH p = SHORTEST 2 GROUPS {pair} RETURN min(length(p)) AS len, count(*) > 0 AS some"),
            vec![vec![reference[0][0].clone(), Value::Bool(true)]],
        ),
        (
            "shortest1-open",
            format!("MATCH p = SHORTEST 1 (a:N {{id: {a}}})-[:R]->+(b) RETURN count(*) AS n"),
            count(
                &db,
                &format!("MATCH (a:N {{id: {a}}})-[:R*]->(b) RETURN count(DISTINCT b) AS n"),
            ),
        ),
        (
            "qpp-where",
            format!("MATCH (a:N {{id: {a}}}) ((x)-[:R]->(y) WHERE y.id > x.id){{1,4}} (b) RETURN count(*) AS n"),
            count(
                &db,
                &format!("MATCH (a:N {{id: {a}}})-[r:R*1..4]->(b) WHERE all(i IN range(0, size(r) - 1) WHERE endNode(r[i]).id > startNode(r[i]).id) RETURN count(*) AS n"),
            ),
        ),
    ];
    for (name, q, expected) in shapes {
        let mut times = Vec::new();
        for _ in 0..reps {
            let t = Instant::now();
            let rows = count(&db, &q);
            times.push(t.elapsed());
            assert_eq!(rows, expected, "{name}: {q}");
        }
        times.sort();
        println!("{name:18} median {:>10.2?}  ({reps} runs)", times[reps / 2]);
    }
}
