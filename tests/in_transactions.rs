//! `CALL { … } IN TRANSACTIONS` (issues 16 and 21): each batch commits while the statement
//! runs, a SIGKILL leaves whole batches, and an explicit transaction refuses it as Neo4j does.
//! The ON ERROR modes and REPORT STATUS are fixtures (tests/cases/in_transactions.cyt); the
//! Python driver's view is tests/server/in_transactions.py.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Duration;

use kgstore::db::{Database, OpenOptions, Params};
use kgstore::error::Error;
use kgstore::Value;

const KG: &str = env!("CARGO_BIN_EXE_kg");

fn count(db: &Database, label: &str) -> i64 {
    let r = db
        .run(
            &format!("MATCH (n:{label}) RETURN count(n) AS c"),
            &Params::new(),
        )
        .expect("count");
    match r.rows[0][0] {
        Value::Int(i) => i,
        ref other => panic!("count returned {other:?}"),
    }
}

/// Another session, reading while the load runs, sees the batches land one by one: every
/// count it gets is a whole number of batches, and some lie strictly between empty and done.
#[test]
fn batches_are_visible_to_other_sessions_while_the_statement_runs() {
    let db = Database::open_in_memory().unwrap();
    let total = 60_000;
    let seen = std::thread::scope(|s| {
        let load = s.spawn(|| {
            db.run(
                &format!(
                    "UNWIND range(1, {total}) AS i CALL (i) {{ CREATE (:N {{i: i}}) }} IN TRANSACTIONS OF 500 ROWS"
                ),
                &Params::new(),
            )
        });
        let mut seen = Vec::new();
        while !load.is_finished() {
            seen.push(count(&db, "N"));
            std::thread::sleep(Duration::from_millis(5));
        }
        let r = load.join().unwrap().expect("load");
        assert_eq!(r.stats.nodes_created, total as u64);
        seen
    });
    assert_eq!(count(&db, "N"), total);
    assert!(
        seen.iter().all(|n| n % 500 == 0),
        "a reader saw part of a batch: {seen:?}"
    );
    assert!(
        seen.iter().any(|&n| n > 0 && n < total),
        "no reader saw a batch before the statement ended: {seen:?}"
    );
}

#[test]
fn an_explicit_transaction_refuses_with_neo4js_error() {
    let db = Database::open_in_memory().unwrap();
    let mut s = db.session();
    s.run("BEGIN", &Params::new()).unwrap();
    s.run("CREATE (:Before)", &Params::new()).unwrap();
    let e = s
        .run(
            "UNWIND [1, 2] AS i CALL (i) { CREATE (:Inner) } IN TRANSACTIONS",
            &Params::new(),
        )
        .unwrap_err();
    assert!(
        matches!(&e, Error::Transaction(m) if m == "A query with 'CALL { ... } IN TRANSACTIONS' can only be executed in an implicit transaction, but tried to execute in an explicit transaction."),
        "{e:?}"
    );
    // The transaction goes on as it was.
    s.run("COMMIT", &Params::new()).unwrap();
    assert_eq!(count(&db, "Before"), 1);
    assert_eq!(count(&db, "Inner"), 0);
}

/// Batches rolled back by ON ERROR CONTINUE leave the store consistent, on disk too.
#[test]
fn rolled_back_batches_leave_a_consistent_store() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("db");
    let opts = OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    };
    {
        let db = Database::open(&path, &opts).unwrap();
        db.run("CREATE (:Hub {id: 0})", &Params::new()).unwrap();
        let r = db
            .run(
                "UNWIND range(-20, 20) AS i CALL (i) { MATCH (h:Hub) CREATE (h)-[:R]->(:Leaf {v: 100 / i}) } IN TRANSACTIONS OF 4 ROWS ON ERROR CONTINUE REPORT STATUS AS s RETURN count(*) AS rows, sum(CASE WHEN s.committed THEN 1 ELSE 0 END) AS ok",
                &Params::new(),
            )
            .unwrap();
        // 41 rows in 11 batches; the one holding i = 0 (rows -1..2) fails.
        assert_eq!(r.rows, vec![vec![Value::Int(41), Value::Int(37)]]);
        assert_eq!(r.stats.nodes_created, 37);
    }
    let db = Database::open(&path, &opts).unwrap();
    assert_eq!(count(&db, "Leaf"), 37);
    let report = db.store().check().unwrap();
    assert!(report.is_clean(), "{:?}", report.problems);
}

/// LOAD CSV feeds the batches the same way.
#[test]
fn load_csv_in_transactions() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("people.csv");
    let mut text = String::from("id,name\n");
    for i in 0..2500 {
        text.push_str(&format!("{i},p{i}\n"));
    }
    std::fs::write(&csv, text).unwrap();
    let db = Database::open_in_memory().unwrap();
    let r = db
        .run(
            &format!(
                "LOAD CSV WITH HEADERS FROM 'file://{}' AS row CALL (row) {{ CREATE (:P {{id: toInteger(row.id), name: row.name}}) }} IN TRANSACTIONS OF 1000 ROWS ON ERROR CONTINUE REPORT STATUS AS s RETURN count(DISTINCT s.transactionId) AS batches",
                csv.display()
            ),
            &Params::new(),
        )
        .unwrap();
    assert_eq!(r.rows, vec![vec![Value::Int(3)]]);
    assert_eq!(count(&db, "P"), 2500);
}

fn kg(db: &Path) -> Command {
    let mut c = Command::new(KG);
    c.arg("--db").arg(db);
    c
}

/// SIGKILL while `kg` loads in batches: what survives is exactly a prefix of whole batches
/// (a multiple of the batch size, and the first rows of the range), and `kg check` is clean.
#[test]
fn sigkill_mid_load_leaves_whole_batches() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let ok = kg(&db).args(["query", "CREATE (:Start)"]).output().unwrap();
    assert!(ok.status.success(), "{ok:?}");
    let mut partial = 0;
    for (round, ms) in [700u64, 1500, 2500].into_iter().enumerate() {
        let label = format!("K{round}");
        let mut child = kg(&db)
            .args([
                "query",
                &format!(
                    "UNWIND range(1, 5000000) AS i CALL (i) {{ CREATE (:{label} {{i: i}}) }} IN TRANSACTIONS OF 1000 ROWS"
                ),
            ])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(ms));
        child.kill().unwrap(); // SIGKILL
        let _ = child.wait();
        let out = kg(&db)
            .args([
                "query",
                "--format",
                "jsonl",
                &format!("MATCH (n:{label}) RETURN count(n) AS n, min(n.i) AS lo, max(n.i) AS hi"),
            ])
            .output()
            .unwrap();
        assert!(out.status.success(), "{out:?}");
        let row: serde_json::Value =
            serde_json::from_slice(out.stdout.split(|&b| b == b'\n').next().unwrap()).unwrap();
        let n = row["n"].as_i64().unwrap();
        assert_eq!(n % 1000, 0, "round {round}: {n} nodes is not whole batches");
        if n > 0 {
            assert_eq!(row["lo"].as_i64(), Some(1), "round {round}: {row}");
            assert_eq!(row["hi"].as_i64(), Some(n), "round {round}: {row}");
        }
        if n > 0 && n < 5_000_000 {
            partial += 1;
        }
        let check = kg(&db).arg("check").output().unwrap();
        assert!(check.status.success(), "round {round}: {check:?}");
    }
    assert!(partial > 0, "no kill landed in the middle of a load");
}

/// The number in `text` after `before` (digits only).
fn number_after(text: &str, before: &str) -> Option<u64> {
    let at = text.find(before)? + before.len();
    text[at..]
        .chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

/// Whatever ends a load after some batches committed (a timeout, a cancel, a runtime error in
/// a later batch or after the subquery) says how many batches and input rows stay, and keeps
/// its kind: before, a timeout said only "query timed out after … ms" with 310,000 nodes
/// committed, and a user who ran the load again doubled them.
#[test]
fn an_error_after_committed_batches_says_they_stay() {
    use std::sync::atomic::{AtomicBool, Ordering};
    use std::sync::Arc;
    let db = Database::open_in_memory().unwrap();
    let load = "UNWIND range(1, 5000000) AS i CALL { WITH i CREATE (:T {i: i}) } \
                IN TRANSACTIONS OF 1000 ROWS";
    // A timeout: the batches committed before it stay, and the error says how many.
    let timed = kgstore::db::RunOptions {
        timeout: Some(Duration::from_millis(400)),
        ..Default::default()
    };
    let err = db
        .session()
        .run_with(load, &Params::new(), &timed)
        .unwrap_err();
    assert!(matches!(err.cause(), Error::Timeout(400)), "{err:?}");
    let Error::AfterBatches { batches, rows, .. } = &err else {
        panic!("no count of the committed batches: {err}");
    };
    assert!(*batches > 0, "{err}");
    assert_eq!(*rows, batches * 1000, "{err}");
    assert_eq!(count(&db, "T"), *rows as i64, "{err}");
    let text = err.to_string();
    assert!(text.starts_with("query timed out after 400 ms; "), "{text}");
    assert!(
        text.contains(&format!(
            "the {batches} batches of CALL {{ … }} IN TRANSACTIONS"
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!("({rows} input rows) stay committed")),
        "{text}"
    );

    // A cancel (the shell's Ctrl-C, a server's reset) once a batch has landed.
    let flag = Arc::new(AtomicBool::new(false));
    let cancellable = kgstore::db::RunOptions {
        cancel: Some(Arc::clone(&flag)),
        ..Default::default()
    };
    let before = count(&db, "T");
    let err = std::thread::scope(|s| {
        s.spawn(|| {
            while count(&db, "T") == before {
                std::thread::sleep(Duration::from_millis(5));
            }
            flag.store(true, Ordering::Relaxed);
        });
        db.session()
            .run_with(load, &Params::new(), &cancellable)
            .unwrap_err()
    });
    assert!(matches!(err.cause(), Error::Cancelled), "{err:?}");
    let Error::AfterBatches { batches, rows, .. } = &err else {
        panic!("no count of the committed batches: {err}");
    };
    assert!(*batches > 0 && *rows == batches * 1000, "{err}");
    assert_eq!(count(&db, "T") - before, *rows as i64, "{err}");
    assert!(
        err.to_string().starts_with("query cancelled; the "),
        "{err}"
    );

    // ON ERROR FAIL (the default) in the third batch: a query error still, with Neo4j's count.
    let err = db
        .run(
            "UNWIND range(1, 10) AS i CALL { WITH i CREATE (:F {i: 1 / (i - 8)}) } \
             IN TRANSACTIONS OF 3 ROWS",
            &Params::new(),
        )
        .unwrap_err();
    let q = err.as_query().expect("a query error");
    assert!(q.message.contains("(Transactions committed: 2)"), "{err}");
    assert!(q.message.contains("(6 input rows) stay committed"), "{err}");
    assert_eq!(count(&db, "F"), 6);
    // An error after the subquery, in the rows of a committed batch.
    let err = db
        .run(
            "UNWIND range(1, 10) AS i CALL { WITH i CREATE (:G {i: i}) } \
             IN TRANSACTIONS OF 3 ROWS RETURN 1 / (i - 5) AS x",
            &Params::new(),
        )
        .unwrap_err();
    assert!(err.as_query().is_some(), "{err:?}");
    assert!(
        err.to_string().contains("(Transactions committed: 2)"),
        "{err}"
    );
    assert_eq!(count(&db, "G"), 6);
    // No batch committed: Neo4j's count of none, and nothing more.
    let err = db
        .run(
            "UNWIND range(1, 10) AS i CALL { WITH i CREATE (:H {i: 1 / (i - 2)}) } \
             IN TRANSACTIONS OF 3 ROWS",
            &Params::new(),
        )
        .unwrap_err();
    assert!(
        err.to_string().contains("(Transactions committed: 0)"),
        "{err}"
    );
    assert!(!err.to_string().contains("stay committed"), "{err}");
    assert_eq!(count(&db, "H"), 0);
}

/// `kg query` under `--timeout`: exit 1 as for any timeout, and the message says how many
/// batches and rows the load left committed, which is what the database holds.
#[test]
fn kg_query_says_the_batches_a_timeout_left() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("db");
    let out = kg(&db)
        .args([
            "--timeout",
            "600",
            "query",
            "UNWIND range(1, 5000000) AS i CALL { WITH i CREATE (:T {i: i}) } \
             IN TRANSACTIONS OF 1000 ROWS",
        ])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("query timed out after 600 ms; the "),
        "{stderr}"
    );
    let rows = number_after(&stderr, "IN TRANSACTIONS committed before it (")
        .unwrap_or_else(|| panic!("no count of rows: {stderr}"));
    assert!(rows > 0 && rows.is_multiple_of(1000), "{stderr}");
    let out = kg(&db)
        .args([
            "query",
            "--format",
            "csv",
            "MATCH (n:T) RETURN count(*) AS c",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("c\r\n{rows}\r\n")
    );
}
