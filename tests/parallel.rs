//! Parallel aggregation (`exec/parallel.rs`): over a graph large enough to split, every
//! aggregation answers what the same statement forced onto one thread answers, rows in the same
//! order (float sums up to rounding); an error raised inside a worker is the one the serial run
//! raises; the time and memory limits stop workers; PROFILE names the workers.

use std::time::Duration;

#[path = "support/on_disk.rs"]
mod on_disk;
use on_disk::on_disk;

use kgstore::db::{Database, Params, RunOptions};
use kgstore::error::Error;
use kgstore::memory_budget::{CountingAlloc, Limit};
use kgstore::Value;

#[global_allocator]
static ALLOC: CountingAlloc = CountingAlloc;

/// Nodes of the generated graph: well past the fewest nodes a scan splits at (8,192).
const NODES: i64 = 30_000;

/// `:P` nodes with an integer `g` of 37 groups, an integer `x` missing on one node in 13, a
/// float `f`, a string `s` of 50 values and a unique `i`; a tenth of them also `:Q`; and from
/// each node an `:R` relationship with a weight to the next two nodes.
fn graph(db: &Database) {
    let run = |q: &str| {
        db.run(q, &Params::new())
            .unwrap_or_else(|e| panic!("{q}: {e}"));
    };
    run(&format!(
        "UNWIND range(0, {}) AS i CREATE (:P {{i: i, g: i % 37, \
         x: CASE WHEN i % 13 = 0 THEN null ELSE (i * 7919) % 1009 - 500 END, \
         f: toFloat(i) / 7.0, s: 'v' + toString((i * 31) % 50)}})",
        NODES - 1
    ));
    run("MATCH (n:P) WHERE n.i % 10 = 3 SET n:Q");
    run("CREATE INDEX FOR (n:P) ON (n.i)");
    run(&format!(
        "UNWIND range(0, {}) AS i MATCH (a:P {{i: i}}), (b:P) WHERE b.i IN [(i + 1) % {NODES}, \
         (i + 2) % {NODES}] CREATE (a)-[:R {{w: (i % 17) * 3 - 20, f: toFloat(i % 29) / 3.0}}]->(b)",
        NODES - 1
    ));
}

fn run(db: &Database, q: &str, threads: usize) -> Result<kgstore::db::QueryResult, Error> {
    let opts = RunOptions {
        threads: Some(threads),
        ..RunOptions::default()
    };
    db.session().run_with(q, &Params::new(), &opts)
}

fn rows(db: &Database, q: &str, threads: usize) -> Vec<Vec<Value>> {
    run(db, q, threads)
        .unwrap_or_else(|e| panic!("{q} on {threads} threads: {e}"))
        .rows
}

/// True when PROFILE of `q` on `threads` threads shows the aggregation on several workers.
fn ran_parallel(db: &Database, q: &str, threads: usize) -> bool {
    let opts = RunOptions {
        threads: Some(threads),
        profile: true,
        ..RunOptions::default()
    };
    let r = db
        .session()
        .run_with(q, &Params::new(), &opts)
        .unwrap_or_else(|e| panic!("{q}: {e}"));
    let plan = r.plan.expect("a profiled plan");
    plan.lines()
        .any(|l| l.trim_start().starts_with("Aggregate") && l.contains("workers: "))
}

/// Equal, floats within a relative 1e-9 (a float sum adds its partial sums in another order).
fn close(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Float(x), Value::Float(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        (Value::List(x), Value::List(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(a, b)| close(a, b))
        }
        _ => a == b,
    }
}

#[test]
fn parallel_aggregations_answer_what_one_thread_answers() {
    let (_d, db) = on_disk();
    graph(&db);
    // Exact: integers, nulls, DISTINCT, lists in scan order, many groups, empty input.
    let exact = [
        "MATCH (n:P) RETURN n.g AS g, count(*) AS c, count(n.x) AS cx, sum(n.x) AS sx, \
         min(n.x) AS lo, max(n.s) AS hi, count(DISTINCT n.x) AS dx, \
         collect(DISTINCT n.s) AS ds, collect(n.x) AS xs",
        "MATCH (n) RETURN n.i AS i, count(*) AS c, collect(n.s) AS s",
        "MATCH (n:P) RETURN count(*) AS c, sum(n.x) AS s, min(n.s) AS lo, max(n.x) AS hi, \
         avg(n.x) AS a",
        "MATCH (n) WHERE n.i < 0 RETURN count(*) AS c, sum(n.x) AS s, collect(n.x) AS l, \
         max(n.x) AS m",
        "MATCH (n) WHERE n.i < 0 RETURN n.g AS g, count(*) AS c",
        "MATCH (a:P)-[r:R]->(b:Q) RETURN a.s AS s, sum(r.w) AS w, count(DISTINCT b) AS nb, \
         collect(b.i) AS bs",
        "MATCH (a)-[r:R]->(b) WHERE r.w > 0 RETURN b.g % 5 AS k, a.g % 3 AS k2, \
         count(*) AS c, min(r.w) AS m",
        "MATCH (n:P) WHERE n.i % 3 = 0 UNWIND [n.x, n.g, null] AS v RETURN v % 4 AS k, count(v) AS c, \
         sum(DISTINCT v) AS s",
        "MATCH (n:P) OPTIONAL MATCH (n)-[:R]->(m:Q) RETURN n.g AS g, count(m) AS c, \
         collect(DISTINCT m.g) AS gs",
        "MATCH (n:P) RETURN n.g AS g, sum(n.x) AS s ORDER BY s DESC, g LIMIT 5",
        "MATCH (n:P) WHERE EXISTS { (n)-[:R]->(:Q) } RETURN n.g AS g, count(*) AS c, \
         sum(COUNT { (n)-[:R]->() }) AS d",
    ];
    for q in exact {
        assert!(ran_parallel(&db, q, 4), "{q} did not run in parallel");
        let one = rows(&db, q, 1);
        assert!(!one.is_empty() || q.contains("n.i < 0"), "{q}");
        assert_eq!(rows(&db, q, 4), one, "{q}");
        assert_eq!(rows(&db, q, 2), one, "{q}");
    }
    // Floats: the same up to rounding.
    let floats = [
        "MATCH (n:P) RETURN n.g AS g, sum(n.f) AS s, avg(n.f) AS a, avg(n.x) AS ax",
        "MATCH (a)-[r:R]->(:P) RETURN a.s AS s, sum(r.f) AS total ORDER BY s",
    ];
    for q in floats {
        assert!(ran_parallel(&db, q, 4), "{q} did not run in parallel");
        let one = rows(&db, q, 1);
        let four = rows(&db, q, 4);
        assert_eq!(one.len(), four.len(), "{q}");
        for (a, b) in one.iter().zip(&four) {
            assert!(
                a.len() == b.len() && a.iter().zip(b).all(|(x, y)| close(x, y)),
                "{q}: {a:?} vs {b:?}"
            );
        }
        assert_eq!(four, rows(&db, q, 4), "{q}: not the same on every run");
    }
}

#[test]
fn what_cannot_merge_or_is_small_runs_on_one_thread() {
    let (_d, db) = on_disk();
    graph(&db);
    for q in [
        // stDev and percentiles have no exact merge.
        "MATCH (n:P) RETURN n.g AS g, stDev(n.x) AS s",
        "MATCH (n:P) RETURN percentileDisc(n.x, 0.5) AS p",
        // A scan of 3,000 nodes does not pay for threads.
        "MATCH (n:Q) RETURN n.g AS g, count(*) AS c",
        // Variable-length expansions are not split.
        "MATCH (n:P)-[:R*2]->(m) RETURN count(*) AS c",
    ] {
        assert!(!ran_parallel(&db, q, 4), "{q} ran in parallel");
        assert_eq!(rows(&db, q, 4), rows(&db, q, 1), "{q}");
    }
    // A statement that writes never splits.
    let w = "MATCH (n:P) SET n.seen = true RETURN count(*) AS c";
    assert!(!ran_parallel(&db, w, 4));
}

/// Two values no sum or `+ 1` takes, in different morsels: the serial run meets the earlier
/// (node 9000) first.
/// Runs `q` on one thread and on four: both must fail, with the same error, which it returns.
fn serial_error_on_four_threads(db: &Database, q: &str) -> String {
    let one = run(db, q, 1).expect_err(q).to_string();
    let four = run(db, q, 4).expect_err(q).to_string();
    assert_eq!(four, one, "{q}");
    one
}

fn two_bad_values(db: &Database) {
    db.run("MATCH (n:P {i: 25000}) SET n.x = 'late'", &Params::new())
        .expect("set");
    db.run("MATCH (n:P {i: 9000}) SET n.x = true", &Params::new())
        .expect("set");
}

#[test]
fn an_error_inside_a_worker_is_the_error_of_the_serial_run() {
    let (_d, db) = on_disk();
    graph(&db);
    two_bad_values(&db);
    for q in [
        "MATCH (n:P) RETURN n.g AS g, sum(n.x) AS s",
        "MATCH (n:P) RETURN avg(n.x) AS a",
        "MATCH (n:P) RETURN n.g AS g, count(1 / (n.i - 20000)) AS c",
        "MATCH (n:P) RETURN sum(n.i / (n.i - 12000) + n.x) AS s",
    ] {
        serial_error_on_four_threads(&db, q);
    }
    let one = run(&db, "MATCH (n:P) RETURN sum(n.x) AS s", 1).expect_err("bool");
    assert!(one.to_string().contains("BOOLEAN"), "{one}");
    // An integer sum fails where the running sum leaves 64 bits, across morsels too.
    db.run(
        "MATCH (n:P) WHERE n.i IN [100, 20000, 29000] \
         SET n.big = CASE n.i WHEN 100 THEN 9223372036854775000 WHEN 20000 THEN 1000 \
         ELSE -2000 END",
        &Params::new(),
    )
    .expect("set");
    let one = serial_error_on_four_threads(&db, "MATCH (n:P) RETURN sum(n.big) AS s");
    assert!(one.contains("overflow"), "{one}");
}

#[test]
fn the_time_and_memory_limits_stop_the_workers() {
    let (_d, db) = on_disk();
    graph(&db);
    let heavy = "MATCH (n:P) UNWIND range(1, 3000) AS k RETURN n.g AS g, sum(k) AS s";
    assert!(ran_parallel(
        &db,
        "MATCH (n:P) UNWIND range(1, 2) AS k RETURN n.g AS g, sum(k) AS s",
        4
    ));
    let timed = RunOptions {
        threads: Some(4),
        timeout: Some(Duration::from_millis(100)),
        ..RunOptions::default()
    };
    let t = std::time::Instant::now();
    let err = db
        .session()
        .run_with(heavy, &Params::new(), &timed)
        .expect_err("timeout");
    assert!(matches!(err, Error::Timeout(100)), "{err}");
    assert!(t.elapsed() < Duration::from_secs(10), "{:?}", t.elapsed());
    let hungry = "MATCH (n:P) UNWIND range(1, 40) AS k RETURN collect(k) AS l";
    for threads in [1, 4] {
        let limited = RunOptions {
            threads: Some(threads),
            memory_limit: Some(Limit::Bytes(4 << 20)),
            ..RunOptions::default()
        };
        let err = db
            .session()
            .run_with(hungry, &Params::new(), &limited)
            .expect_err("memory");
        assert!(
            matches!(err, Error::MemoryLimitExceeded { .. }),
            "{threads}: {err}"
        );
    }
    // Without the limit the same statement answers, in parallel.
    assert!(ran_parallel(&db, hungry, 4));
}

/// A memory stop inside the workers names the statement's limit and what its threads held
/// together, never one thread's part: before, each thread ran under an equal share of what the
/// statement had left and the error said "its limit of 1 MiB" under a 4 MiB limit.
#[test]
fn a_memory_stop_in_the_workers_names_the_statements_limit() {
    let (_d, db) = on_disk();
    graph(&db);
    let hungry = "MATCH (n:P) UNWIND range(1, 40) AS k RETURN n.g AS g, collect(k) AS l";
    assert!(ran_parallel(&db, hungry, 4));
    let limit = 4u64 << 20;
    let limited = RunOptions {
        threads: Some(4),
        memory_limit: Some(Limit::Bytes(limit)),
        ..RunOptions::default()
    };
    let err = db
        .session()
        .run_with(hungry, &Params::new(), &limited)
        .expect_err("memory");
    match &err {
        Error::MemoryLimitExceeded {
            limit: named, held, ..
        } => {
            assert_eq!(*named, limit, "{err}");
            assert!(*held > limit, "what the threads held together: {err}");
        }
        other => panic!("{other}"),
    }
    assert!(err.to_string().contains("its limit of 4 MiB"), "{err}");
}

#[test]
fn inside_a_transaction_that_wrote_workers_see_its_writes() {
    let (_d, db) = on_disk();
    graph(&db);
    let mut s = db.session();
    s.run("BEGIN", &Params::new()).expect("begin");
    s.run(
        "MATCH (n:P) WHERE n.i % 1000 = 7 SET n.g = 100 + n.i",
        &Params::new(),
    )
    .expect("set");
    s.run("CREATE (:P {i: -1, g: -5, x: 3})", &Params::new())
        .expect("create");
    let q = "MATCH (n:P) RETURN n.g AS g, count(*) AS c, sum(n.x) AS s";
    let top = "MATCH (n:P) WHERE n.g > 60 RETURN n.i AS i, n.g AS g ORDER BY g DESC LIMIT 40";
    let (one, four) = (
        s.run_with(
            top,
            &Params::new(),
            &RunOptions {
                threads: Some(1),
                ..RunOptions::default()
            },
        ),
        s.run_with(
            top,
            &Params::new(),
            &RunOptions {
                threads: Some(4),
                ..RunOptions::default()
            },
        ),
    );
    let (one, four) = (one.expect("top").rows, four.expect("top").rows);
    assert_eq!(one, four);
    assert_eq!(one.len(), 30);
    let mut answers = Vec::new();
    for threads in [1, 4] {
        let opts = RunOptions {
            threads: Some(threads),
            profile: true,
            ..RunOptions::default()
        };
        let r = s.run_with(q, &Params::new(), &opts).expect("query");
        assert_eq!(
            r.plan.expect("profile").contains("workers: "),
            threads > 1,
            "{threads}"
        );
        answers.push(r.rows);
    }
    assert_eq!(answers[0], answers[1]);
    assert!(answers[0].iter().any(|r| r[0] == Value::Int(-5)));
    assert!(answers[0].iter().any(|r| r[0] == Value::Int(107)));
    s.run("ROLLBACK", &Params::new()).expect("rollback");
}

/// True when PROFILE of `q` on `threads` threads shows the line of operator `op` on several
/// workers.
fn op_ran_parallel(db: &Database, q: &str, op: &str, threads: usize) -> bool {
    let opts = RunOptions {
        threads: Some(threads),
        profile: true,
        ..RunOptions::default()
    };
    let r = db
        .session()
        .run_with(q, &Params::new(), &opts)
        .unwrap_or_else(|e| panic!("{q}: {e}"));
    let plan = r.plan.expect("a profiled plan");
    plan.lines()
        .any(|l| l.trim_start().starts_with(op) && l.contains("workers: "))
}

/// ORDER BY … LIMIT over a scan runs on the workers (`parallel::top`) and answers exactly what
/// one thread answers: the same rows in the same order, ties included (the serial top-k keeps,
/// among equal keys, the row that came first), with keys that are columns or expressions,
/// nulls and mixed types, limits below, around and above a morsel's rows, behind a filter the
/// store applies over each worker's span of the scan (`store/scan_where.rs`) with the
/// properties it carries, and behind one it cannot apply.
#[test]
fn parallel_top_k_answers_what_one_thread_answers() {
    let (_d, db) = on_disk();
    graph(&db);
    // Mixed types in one key: a string and a float among the integers of `x`.
    db.run("MATCH (n:P {i: 17000}) SET n.x = 'text'", &Params::new())
        .expect("set");
    db.run("MATCH (n:P {i: 23001}) SET n.x = 2.5", &Params::new())
        .expect("set");
    let queries = [
        // Ties everywhere (37 values of g): which of the equal rows come first is the test.
        "MATCH (n:P) RETURN n.i AS i, n.g AS g ORDER BY g LIMIT 50",
        "MATCH (n:P) RETURN n.i AS i ORDER BY n.g DESC LIMIT 7",
        "MATCH (n:P) RETURN n.i AS i, n.x AS x ORDER BY x LIMIT 1",
        "MATCH (n:P) RETURN n.i AS i, n.x AS x ORDER BY x DESC, i LIMIT 600",
        "MATCH (n:P) RETURN n.s AS s, n.i AS i ORDER BY s, n.x LIMIT 1300",
        "MATCH (n:P) RETURN n.i AS i ORDER BY n.f DESC LIMIT 40000",
        "MATCH (n) RETURN n.i AS i, labels(n) AS l ORDER BY n.g % 5, n.s DESC LIMIT 33",
        // Pre-filtered by the store (equality, range, string tests), values carried.
        "MATCH (n:P) WHERE n.g = 5 RETURN n.i AS i, n.s AS s, n.x AS x ORDER BY s, x LIMIT 20",
        "MATCH (n:P) WHERE n.g = 5 RETURN n.i AS i ORDER BY n.f DESC LIMIT 3",
        "MATCH (n:P) WHERE n.x < -400 RETURN n.i AS i, n.x AS x ORDER BY x, i LIMIT 25",
        "MATCH (n:P) WHERE n.s STARTS WITH 'v1' RETURN n.s AS s, n.g AS g ORDER BY g LIMIT 100",
        "MATCH (n:P) WHERE n.s CONTAINS '7' AND n.g > 10 RETURN n.i AS i ORDER BY n.g LIMIT 9",
        "MATCH (n:P) WHERE n.x IS NULL RETURN n.i AS i ORDER BY i DESC LIMIT 5",
        "MATCH (n:P) WHERE n.x > -1000 RETURN n.i AS i, n.s AS s ORDER BY n.g LIMIT 29000",
        // Nothing kept.
        "MATCH (n:P) WHERE n.g = 1000 RETURN n.i AS i ORDER BY i LIMIT 5",
        // Not a pre-filter: the filter runs in the workers.
        "MATCH (n:P) WHERE n.i % 7 = 3 RETURN n.i AS i ORDER BY n.x DESC LIMIT 12",
        // An expansion between the scan and the top-k.
        "MATCH (a:P) WHERE a.g = 3 OPTIONAL MATCH (a)-[r:R]->(b) \
         RETURN a.i AS a, b.i AS b ORDER BY r.w, b LIMIT 15",
    ];
    for q in queries {
        assert!(
            op_ran_parallel(&db, q, "Top", 4),
            "{q} did not run in parallel"
        );
        let one = rows(&db, q, 1);
        assert!(!one.is_empty() || q.contains("1000"), "{q}");
        assert_eq!(rows(&db, q, 4), one, "{q}");
        assert_eq!(rows(&db, q, 2), one, "{q}");
    }
    // A limit from a parameter, and a limit of 0.
    let q = "MATCH (n:P) WHERE n.g = 9 RETURN n.i AS i ORDER BY n.s LIMIT $k";
    for k in [0, 1, 200] {
        let p: Params = [("k".to_string(), Value::Int(k))].into_iter().collect();
        let at = |threads| {
            let opts = RunOptions {
                threads: Some(threads),
                ..RunOptions::default()
            };
            db.session().run_with(q, &p, &opts).expect("query").rows
        };
        assert_eq!(at(4), at(1), "LIMIT {k}");
        assert_eq!(
            at(1).len(),
            (k as usize).min(30_000 / 37 + 1).min(811),
            "LIMIT {k}"
        );
    }
}

/// An aggregation behind a filter the store applies runs on the workers, each over its span
/// of the scan, and answers what one thread answers, lists in scan order.
#[test]
fn parallel_pre_filtered_aggregations_answer_what_one_thread_answers() {
    let (_d, db) = on_disk();
    graph(&db);
    for q in [
        "MATCH (n:P) WHERE n.g = 5 RETURN count(*) AS c, sum(n.x) AS s, collect(n.i) AS l",
        "MATCH (n:P) WHERE n.s CONTAINS '3' RETURN n.g AS g, collect(n.i) AS l, max(n.x) AS m",
        "MATCH (n:P) WHERE n.x >= 490 RETURN collect(n.i) AS l",
        "MATCH (n:P) WHERE n.f < 2000.0 RETURN count(*) AS c, collect(n.s)[..50] AS l",
    ] {
        assert!(ran_parallel(&db, q, 4), "{q} did not run in parallel");
        let one = rows(&db, q, 1);
        assert_eq!(rows(&db, q, 4), one, "{q}");
        assert_eq!(rows(&db, q, 2), one, "{q}");
    }
}

/// Errors inside a parallel top-k are the serial run's: a failing key in two morsels (the
/// earlier one's), and a pre-filter's missing parameter (the filter's own error).
#[test]
fn an_error_inside_a_parallel_top_k_is_the_error_of_the_serial_run() {
    let (_d, db) = on_disk();
    graph(&db);
    two_bad_values(&db);
    for q in [
        "MATCH (n:P) RETURN n.i AS i ORDER BY 10 / (n.i - 20000) LIMIT 5",
        "MATCH (n:P) RETURN n.i AS i ORDER BY n.x + 1 LIMIT 5",
        "MATCH (n:P) WHERE n.g = $missing RETURN n.i AS i ORDER BY i LIMIT 5",
        "MATCH (n:P) WHERE n.g = 4 RETURN n.i AS i ORDER BY n.i / (n.i % 37 - 4) LIMIT 5",
    ] {
        serial_error_on_four_threads(&db, q);
    }
}
