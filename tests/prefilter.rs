//! The label scan's pre-filter (`exec/prefilter.rs`, `store/scan_where.rs`): a filter
//! `n.key <op> constant` over a label scan answers what the same test written so that it cannot
//! be pushed into the scan answers (`(test) = true`), on one thread and on several, serial and
//! aggregated, with writes of the same statement and of earlier commits, and raises the errors
//! the filter raises.

#[path = "support/on_disk.rs"]
mod on_disk;
use on_disk::on_disk;

use kgstore::db::{Database, Params, RunOptions};
use kgstore::Value;

/// Past the fewest nodes a parallel aggregation splits at (8,192).
const NODES: i64 = 20_000;

/// `:P` nodes with an integer `g`, an integer `x` missing on one node in 13, a float `f`, a
/// string `s` (an integer on one node in 17) and a unique `i`; one in ten also `:Q`, and
/// `:Other` nodes with the same keys between them.
fn graph(db: &Database) {
    let run = |q: &str| {
        db.run(q, &Params::new())
            .unwrap_or_else(|e| panic!("{q}: {e}"));
    };
    run(&format!(
        "UNWIND range(0, {}) AS i CREATE (:P {{i: i, g: i % 37, \
         x: CASE WHEN i % 13 = 0 THEN null ELSE (i * 7919) % 1009 - 500 END, \
         f: toFloat(i) / 7.0, \
         s: CASE WHEN i % 17 = 0 THEN i ELSE 'v' + toString((i * 31) % 50) END}}) \
         CREATE (:Other {{i: i, s: 'v3', x: 1}})",
        NODES - 1
    ));
    run("MATCH (n:P) WHERE n.i % 10 = 3 SET n:Q");
}

fn run(db: &Database, q: &str, threads: usize) -> Result<Vec<Vec<Value>>, String> {
    let opts = RunOptions {
        threads: Some(threads),
        ..RunOptions::default()
    };
    let mut params = Params::new();
    params.insert("p".into(), Value::String("v7".into()));
    params.insert("n".into(), Value::Int(250));
    db.session()
        .run_with(q, &params, &opts)
        .map(|r| r.rows)
        .map_err(|e| e.to_string())
}

/// The tests pushed into the scan, each as (pushed, not pushed).
fn tests() -> Vec<(String, String)> {
    let tests = [
        "n.s = 'v3'",
        "'v3' = n.s",
        "n.s <> 'v3'",
        "n.x < 0",
        "n.x >= $n",
        "250 < n.x",
        "n.f > 1000.5",
        "n.g = 5.0",
        "n.s < 'v2'",
        "n.s < 5",
        "n.s STARTS WITH 'v1'",
        "n.s ENDS WITH '7'",
        "n.s CONTAINS '2'",
        "n.s = $p",
        "n.nope = 1",
        "n.x = null",
        "n.s = 'v3' AND n.x > 0",
        "n.x > 0 AND n.s = 'v3' OR n.g = 1",
    ];
    tests
        .iter()
        .map(|t| {
            // `(a AND b) = true` is not a comparison of a property with a constant.
            (t.to_string(), format!("({t}) = true"))
        })
        .collect()
}

#[test]
fn pushed_tests_answer_what_the_filter_answers() {
    let (_d, db) = on_disk();
    graph(&db);
    for (pushed, plain) in tests() {
        for shape in [
            "MATCH (n:P) WHERE {} RETURN n.i AS i ORDER BY i",
            "MATCH (n:Q) WHERE {} RETURN n.i AS i ORDER BY i DESC LIMIT 7",
            "MATCH (n:P) WHERE {} RETURN count(*) AS c, sum(n.x) AS s, collect(n.i)[..5] AS l",
            "MATCH (n:P) WHERE {} RETURN n.g AS g, count(*) AS c ORDER BY g",
        ] {
            let want = run(&db, &shape.replace("{}", &plain), 1).unwrap();
            for threads in [1, 2, 4] {
                let q = shape.replace("{}", &pushed);
                assert_eq!(run(&db, &q, threads).unwrap(), want, "{q} on {threads}");
            }
        }
    }
    // Not vacuous: some tests keep rows, some none, some all but a few.
    let count = |t: &str| run(&db, &format!("MATCH (n:P) WHERE {t} RETURN count(*)"), 1).unwrap();
    assert_eq!(count("n.s = 'v3'"), vec![vec![Value::Int(377)]]);
    assert_eq!(count("n.nope = 1"), vec![vec![Value::Int(0)]]);
}

/// A first conjunct that is null leaves the rest to be evaluated, and its error raised; a
/// false one does not.
#[test]
fn the_errors_of_the_rest_of_the_predicate_stay() {
    let (_d, db) = on_disk();
    graph(&db);
    for threads in [1, 4] {
        for q in [
            "MATCH (n:P) WHERE n.x > 100000 AND n.i / 0 > 1 RETURN count(*)",
            "MATCH (n:P) WHERE n.x > 100000 AND n.i / 0 > 1 RETURN n.i",
        ] {
            // `n.x` is null on one node in 13: those rows reach the division.
            let err = run(&db, q, threads).expect_err(q);
            assert!(err.contains("zero"), "{q}: {err}");
        }
        let q = "MATCH (n:P) WHERE n.i < 0 AND n.i / 0 > 1 RETURN count(*)";
        assert_eq!(run(&db, q, threads).unwrap(), vec![vec![Value::Int(0)]]);
    }
}

/// A parameter the statement lacks: the filter's error when the label has nodes (the scan is
/// then not pre-filtered, and the filter evaluates every row), none when it has none, for the
/// test alone (an exact pre-filter, the filter not evaluated again on the rows it keeps) and
/// for it as a first conjunct.
#[test]
fn a_missing_parameter_is_the_filters_error() {
    let (_d, db) = on_disk();
    graph(&db);
    for t in ["n.s = $missing", "n.s = $missing AND n.x > 0"] {
        for label in ["P", "Q"] {
            let q = format!("MATCH (n:{label}) WHERE {t} RETURN count(*)");
            let plain = format!("MATCH (n:{label}) WHERE ({t}) = true RETURN count(*)");
            for q in [q.as_str(), plain.as_str()] {
                let err = run(&db, q, 1).expect_err(q);
                assert!(err.contains("named `missing`"), "{q}: {err}");
            }
        }
        let q = format!("MATCH (n:Nothing) WHERE {t} RETURN count(*)");
        assert_eq!(run(&db, &q, 1), Ok(vec![vec![Value::Int(0)]]), "{q}");
    }
}

/// A scan after a write of the same statement, and of an earlier commit, sees it.
#[test]
fn the_scan_sees_writes() {
    let (_d, db) = on_disk();
    graph(&db);
    let q = "MATCH (n:P) WHERE n.i < 10 SET n.s = 'new' REMOVE n:Q \
             WITH count(*) AS c MATCH (m:P) WHERE m.s = 'new' RETURN c, count(m)";
    assert_eq!(
        run(&db, q, 1).unwrap(),
        vec![vec![Value::Int(10), Value::Int(10)]]
    );
    for threads in [1, 4] {
        let q = "MATCH (n:P) WHERE n.s = 'new' RETURN count(*)";
        assert_eq!(run(&db, q, threads).unwrap(), vec![vec![Value::Int(10)]]);
        let q = "MATCH (n:Q) WHERE n.i < 20 RETURN collect(n.i)";
        assert_eq!(
            run(&db, q, threads).unwrap(),
            vec![vec![Value::List(vec![Value::Int(13)])]]
        );
    }
    db.run("MATCH (n:P) WHERE n.i < 5 DETACH DELETE n", &Params::new())
        .unwrap();
    let q = "MATCH (n:P) WHERE n.s = 'new' RETURN collect(n.i)";
    let want: Vec<Value> = (5..10).map(Value::Int).collect();
    assert_eq!(run(&db, q, 4).unwrap(), vec![vec![Value::List(want)]]);
}

/// Shapes that read several properties of the scanned node (the tested key among them, keys
/// some nodes lack, a key no node has) after the scan carried them (`exec/carry.rs`), with the
/// `{}` test; two scans of one statement; a variable bound again by a later MATCH.
const CARRY_SHAPES: &[&str] = &[
    "MATCH (n:P) WHERE {} RETURN n.i AS i, n.x AS x, n.s AS s, n.f AS f, n.nope AS z ORDER BY i",
    "MATCH (n:P) WHERE {} RETURN n.i AS i, n.s AS s LIMIT 5",
    "MATCH (n:P) WHERE {} RETURN n.s AS s, n.x IS NULL AS missing, count(*) AS c ORDER BY s, missing",
    "MATCH (n:Q) WHERE {} MATCH (m:Q) WHERE m.g = 3 AND m.i < 400 \
     RETURN n.i AS a, m.i AS b, n.x + m.x AS x ORDER BY a, b LIMIT 50",
    "MATCH (n:Q) WHERE {} WITH n.i AS k, n.s AS s ORDER BY k LIMIT 3 \
     MATCH (n:P) WHERE n.i = k + 1 RETURN k, s, n.s AS s2, n.x AS x2",
];

/// Each shape with each pushed test answers what it answers with the test written so that it
/// is not pushed (and so nothing carried), on `s`.
fn assert_carried_reads_agree(s: &mut kgstore::db::Session<'_>, what: &str) {
    let mut params = Params::new();
    params.insert("p".into(), Value::String("v7".into()));
    params.insert("n".into(), Value::Int(250));
    let mut rows = |q: &str| {
        s.run(q, &params)
            .map(|r| r.rows)
            .unwrap_or_else(|e| panic!("{q}: {e}"))
    };
    let some = [
        "n.s = 'v3'",
        "n.x < 0",
        "n.s STARTS WITH 'v1'",
        "n.s = $p",
        "n.nope = 1",
    ];
    for (pushed, plain) in tests()
        .into_iter()
        .filter(|(t, _)| some.contains(&t.as_str()))
    {
        for shape in CARRY_SHAPES {
            let want = rows(&shape.replace("{}", &plain));
            let q = shape.replace("{}", &pushed);
            assert_eq!(rows(&q), want, "{what}: {q}");
        }
    }
}

/// The values a scan carries are the ones the store holds, read from sled, from the sealed
/// read image, from the image and its delta after a write, and inside an explicit transaction
/// over its own writes; a statement that writes reads what it wrote.
#[test]
fn carried_values_are_what_the_store_holds_in_every_state() {
    use kgstore::db::OpenOptions;
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("db");
    let opts = OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    };
    {
        let db = Database::open(&path, &opts).expect("open");
        graph(&db);
        assert_carried_reads_agree(&mut db.session(), "sled");
    }
    kgstore::store::Store::compact(&path).expect("compact");
    {
        let db = Database::open(&path, &opts).expect("open");
        assert_carried_reads_agree(&mut db.session(), "sealed image");
        db.run(
            "MATCH (n:P) WHERE n.i % 3 = 0 SET n.s = 'w' + toString(n.i % 4), n.x = -n.i REMOVE n.f",
            &Params::new(),
        )
        .unwrap();
        assert_carried_reads_agree(&mut db.session(), "image after a write in this process");
    }
    assert!(path.join("kg.delta").is_file(), "the write left no delta");
    let db = Database::open(&path, &opts).expect("open");
    assert_carried_reads_agree(&mut db.session(), "image and delta");

    // Inside an explicit transaction, over its own uncommitted writes.
    let mut s = db.session();
    s.run("BEGIN", &Params::new()).unwrap();
    s.run(
        "MATCH (n:P) WHERE n.i % 5 = 1 SET n.s = 'v3', n.x = n.i, n.nope = 1 REMOVE n:Q",
        &Params::new(),
    )
    .unwrap();
    assert_carried_reads_agree(&mut s, "explicit transaction");
    s.run("ROLLBACK", &Params::new()).unwrap();
    assert_carried_reads_agree(&mut db.session(), "after the rollback");

    // A statement that writes before it reads (nothing is carried for it) reads what it wrote.
    let q = "MATCH (n:P) WHERE n.s = 'v3' SET n.x = 7 WITH n MATCH (m:P) WHERE m.i = n.i \
             RETURN count(*) AS c, sum(m.x) AS x, sum(n.x) AS y";
    let rows = db.run(q, &Params::new()).unwrap().rows;
    let c = match rows[0][0] {
        Value::Int(c) => c,
        ref v => panic!("{v:?}"),
    };
    assert!(c > 0);
    assert_eq!(
        rows,
        vec![vec![Value::Int(c), Value::Int(7 * c), Value::Int(7 * c)]]
    );
}
