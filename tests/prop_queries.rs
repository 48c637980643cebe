//! Property test of the whole engine: random, mostly valid statements against a small graph in
//! an on-disk database must never panic or run past the time limit, a failed statement must
//! leave the graph as it was (also inside BEGIN … COMMIT/ROLLBACK), and `Store::check` must be
//! clean at the end, also after reopening. On Linux the database is then compacted: read
//! through the sealed read image alone (sled not opened) it must be the same graph, and
//! writes over the image (the first block again, which opens sled then) must survive a reopen,
//! read through the image and the delta the close wrote (sled not opened).
//!
//! `PROPTEST_CASES=N` sets the number of cases (default 32), `PROPTEST_RNG_SEED` the seed,
//! `PROP_VERBOSE=1` prints every statement with its outcome.
//! A failure prints the minimised statements; keep each as a fixture in `tests/cases/`.

#[path = "prop/expr_gen.rs"]
mod expr_gen;
#[path = "prop/gen.rs"]
mod gen;

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;
use std::sync::mpsc;
use std::time::{Duration, Instant};

use kgstore::db::{Database, OpenOptions, Params, RunOptions, Session};
use kgstore::error::Error;
use kgstore::store::GraphRead;
use kgstore::Value;
use proptest::prelude::*;

use gen::Gen;

/// The engine's limit per statement; a statement must return within `OVERRUN` of it.
const TIMEOUT: Duration = Duration::from_millis(300);
const OVERRUN: Duration = Duration::from_secs(3);
/// A whole case that has not finished by then is a hang.
const WATCHDOG: Duration = Duration::from_secs(60);
const DEFAULT_CASES: u32 = 32;

const SETUP: &[&str] = &[
    "CREATE INDEX FOR (n:A) ON (n.num)",
    "CREATE CONSTRAINT FOR (n:C) REQUIRE n.name IS UNIQUE",
    "CREATE (a:A {name: 'a', num: 1, s: 'x,y', l: [1, 2]}), (b:B {name: 'b', num: 2, f: 1.5}), \
     (c:A:B {name: 'c', num: 9223372036854775807}), (d:C {name: 'd'}), \
     (a)-[:R {w: 1}]->(b), (b)-[:S {w: 2}]->(c), (c)-[:R]->(a), (a)-[:T]->(a), (d)-[:S]->(b)",
];

/// Statements that write and then fail at run time, so a transaction has something to undo.
const FAILING: &[&str] = &[
    "CREATE (z:Z {v: 1}) SET z.num = 2 WITH z RETURN 1 / (z.v - 1) AS boom",
    "MATCH (n) SET n.num = 7 WITH n RETURN n.num + 9223372036854775807 AS boom",
    "MATCH (n:A) DETACH DELETE n CREATE (:C {name: 'd'})",
];

/// One block of a case: statements in auto-commit mode, or one explicit transaction.
#[derive(Clone, Debug)]
enum Block {
    Auto(Vec<String>),
    Txn {
        statements: Vec<String>,
        commit: bool,
    },
}

fn block(mode: u8, choices: Vec<u32>) -> Block {
    let mut g = Gen::new(choices);
    let n = 1 + g.pick(3);
    let mut statements: Vec<String> = (0..n).map(|_| g.statement()).collect();
    if mode < 2 {
        return Block::Auto(statements);
    }
    statements.push(FAILING[g.pick(FAILING.len())].to_string());
    if g.chance(50) {
        statements.push(g.statement());
    }
    Block::Txn {
        statements,
        commit: mode == 2,
    }
}

fn blocks() -> impl Strategy<Value = Vec<Block>> {
    let one = (0u8..4, prop::collection::vec(any::<u32>(), 0..400)).prop_map(|(m, c)| block(m, c));
    prop::collection::vec(one, 1..4)
}

fn params() -> Params {
    Params::from([("p".to_string(), Value::Int(1))])
}

fn opts() -> RunOptions {
    RunOptions {
        timeout: Some(TIMEOUT),
        ..RunOptions::default()
    }
}

/// The committed graph, canonically: every node and relationship with labels, type, ends and
/// properties, by id, then the indexes and constraints.
fn dump_store(db: &Database) -> Result<String, String> {
    let t = db.store().begin();
    let mut out = String::new();
    let ids: Vec<u64> = t
        .node_ids()
        .map_err(|e| e.to_string())?
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    for id in ids {
        let n = t.node(id).map_err(|e| e.to_string())?;
        let n = n.ok_or(format!("node {id} listed but missing"))?;
        let mut labels = n.labels.clone();
        labels.sort();
        out.push_str(&format!("node {id} {labels:?} {:?}\n", n.properties));
    }
    let ids: Vec<u64> = t
        .relationship_ids()
        .map_err(|e| e.to_string())?
        .collect::<Result<_, _>>()
        .map_err(|e| e.to_string())?;
    for id in ids {
        let r = t.relationship(id).map_err(|e| e.to_string())?;
        let r = r.ok_or(format!("relationship {id} listed but missing"))?;
        out.push_str(&format!(
            "rel {id} {} {}->{} {:?}\n",
            r.rel_type, r.start, r.end, r.properties
        ));
    }
    for d in t.indexes().map_err(|e| e.to_string())? {
        out.push_str(&format!("{d:?}\n"));
    }
    Ok(out)
}

/// The graph as a session sees it (inside its transaction), through queries.
fn dump_session(s: &mut Session<'_>) -> Result<String, String> {
    let mut out = String::new();
    for q in [
        "MATCH (n) RETURN id(n), labels(n), properties(n) ORDER BY id(n)",
        "MATCH ()-[r]->() RETURN id(r), type(r), id(startNode(r)), id(endNode(r)), properties(r) ORDER BY id(r)",
    ] {
        let r = s
            .run(q, &Params::new())
            .map_err(|e| format!("dump failed: {e}"))?;
        for row in r.rows {
            out.push_str(&format!("{row:?}\n"));
        }
    }
    Ok(out)
}

/// Runs one statement with the time limit; Ok(true) when it succeeded.
fn run_one(s: &mut Session<'_>, q: &str) -> Result<bool, String> {
    let started = Instant::now();
    let res = catch_unwind(AssertUnwindSafe(|| s.run_with(q, &params(), &opts())))
        .map_err(|p| format!("PANIC on `{q}`: {}", panic_message(&p)))?;
    let took = started.elapsed();
    if std::env::var_os("PROP_VERBOSE").is_some() {
        let outcome = match &res {
            Ok(r) => format!("ok, {} rows", r.rows.len()),
            Err(e) => format!("error: {e}"),
        };
        eprintln!("{q}\n  -> {outcome} ({took:?})");
    }
    if took > TIMEOUT + OVERRUN {
        return Err(format!("`{q}` ran {took:?} (limit {TIMEOUT:?})"));
    }
    match res {
        Ok(_) => Ok(true),
        Err(Error::Timeout(_)) => Ok(false),
        Err(e) if e.as_query().is_some() => Ok(false),
        Err(e) => Err(format!("`{q}` failed outside the query layer: {e:?}")),
    }
}

fn panic_message(p: &Box<dyn std::any::Any + Send>) -> String {
    p.downcast_ref::<String>()
        .cloned()
        .or_else(|| p.downcast_ref::<&str>().map(|s| s.to_string()))
        .unwrap_or_default()
}

fn auto(db: &Database, statements: &[String]) -> Result<(), String> {
    for q in statements {
        let before = dump_store(db)?;
        if !run_one(&mut db.session(), q)? {
            let after = dump_store(db)?;
            if after != before {
                return Err(format!(
                    "failed `{q}` changed the graph\nbefore:\n{before}after:\n{after}"
                ));
            }
        }
    }
    Ok(())
}

fn transaction(db: &Database, statements: &[String], commit: bool) -> Result<(), String> {
    let outside = dump_store(db)?;
    let mut s = db.session();
    s.begin().map_err(|e| e.to_string())?;
    for q in statements {
        let before = dump_session(&mut s)?;
        if !run_one(&mut s, q)? {
            let after = dump_session(&mut s)?;
            if after != before {
                return Err(format!(
                    "failed `{q}` changed the transaction's graph\nbefore:\n{before}after:\n{after}"
                ));
            }
        }
    }
    if commit {
        let inside = dump_session(&mut s)?;
        s.commit().map_err(|e| format!("COMMIT failed: {e}"))?;
        let committed = dump_session(&mut db.session())?;
        if committed != inside {
            return Err(format!(
                "COMMIT lost writes\ninside:\n{inside}committed:\n{committed}"
            ));
        }
    } else {
        s.rollback().map_err(|e| e.to_string())?;
        let after = dump_store(db)?;
        if after != outside {
            return Err(format!(
                "ROLLBACK left writes\nbefore:\n{outside}after:\n{after}"
            ));
        }
    }
    Ok(())
}

fn check(db: &Database, when: &str) -> Result<(), String> {
    let report = db.store().check().map_err(|e| e.to_string())?;
    if report.is_clean() {
        Ok(())
    } else {
        Err(format!("check {when}: {report}"))
    }
}

fn open(path: &Path) -> Result<Database, String> {
    let opts = OpenOptions {
        create_if_missing: true,
        ..OpenOptions::default()
    };
    Database::open(path, &opts).map_err(|e| e.to_string())
}

fn run_case(blocks: &[Block]) -> Result<(), String> {
    let dir = tempfile::tempdir().map_err(|e| e.to_string())?;
    let path = dir.path().join("db");
    let db = open(&path)?;
    for q in SETUP {
        db.run(q, &Params::new())
            .map_err(|e| format!("setup `{q}`: {e}"))?;
    }
    for b in blocks {
        match b {
            Block::Auto(statements) => auto(&db, statements)?,
            Block::Txn { statements, commit } => transaction(&db, statements, *commit)?,
        }
    }
    check(&db, "at the end")?;
    let before = dump_store(&db)?;
    drop(db);
    let db = open(&path)?;
    check(&db, "after reopening")?;
    let after = dump_store(&db)?;
    if after != before {
        return Err(format!(
            "reopening changed the graph\nbefore:\n{before}after:\n{after}"
        ));
    }
    drop(db);
    if cfg!(target_os = "linux") {
        through_the_read_image(&path, blocks, &before)?;
    }
    Ok(())
}

/// Compacts the database (which writes and seals its read image), checks that the graph read
/// through the image alone is `before`, then writes over it (the first block again) and
/// reopens.
fn through_the_read_image(path: &Path, blocks: &[Block], before: &str) -> Result<(), String> {
    kgstore::store::Store::compact(path).map_err(|e| format!("compact: {e}"))?;
    let db = open(path)?;
    if !path.join("kg.image").exists() {
        return Err("compaction left no read image".into());
    }
    // Compaction sealed the image: this process reads it without opening sled, until the
    // check below (which compares the image with sled) or the first write opens it.
    if !db.store().is_sealed_reader() {
        return Err("a freshly compacted database was not opened sealed".into());
    }
    let imaged = dump_store(&db)?;
    if imaged != before {
        return Err(format!(
            "the read image changed the graph\nbefore:\n{before}image:\n{imaged}"
        ));
    }
    check(&db, "with the read image")?;
    match blocks.first() {
        Some(Block::Auto(statements)) => auto(&db, statements)?,
        Some(Block::Txn { statements, commit }) => transaction(&db, statements, *commit)?,
        None => {}
    }
    check(&db, "after writing over the read image")?;
    let written = dump_store(&db)?;
    drop(db);
    // The close left what the writes changed in a delta over the image, sealed again: this
    // process reads them without opening sled, until the check.
    let db = open(path)?;
    if !db.store().is_sealed_reader() {
        return Err("the close after writing over the read image did not seal it again".into());
    }
    let reopened = dump_store(&db)?;
    check(&db, "after writing over the read image and reopening")?;
    if reopened != written {
        return Err(format!(
            "writes over the read image did not survive a reopen\nbefore:\n{written}after:\n{reopened}"
        ));
    }
    Ok(())
}

/// Runs the case on its own thread so that a hang fails the test instead of stalling it.
fn run_guarded(blocks: Vec<Block>) -> Result<(), String> {
    let (tx, rx) = mpsc::channel();
    let shown = format!("{blocks:#?}");
    std::thread::spawn(move || {
        let r = catch_unwind(AssertUnwindSafe(|| run_case(&blocks)))
            .unwrap_or_else(|p| Err(format!("PANIC: {}", panic_message(&p))));
        let _ = tx.send(r);
    });
    match rx.recv_timeout(WATCHDOG) {
        Ok(r) => r,
        Err(_) => Err(format!("HANG: the case ran past {WATCHDOG:?}:\n{shown}")),
    }
}

fn config() -> ProptestConfig {
    let mut c = ProptestConfig {
        failure_persistence: None,
        ..ProptestConfig::default()
    };
    if std::env::var_os("PROPTEST_CASES").is_none() {
        c.cases = DEFAULT_CASES;
    }
    c
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn random_statements_keep_the_store_consistent(blocks in blocks()) {
        let r = run_guarded(blocks);
        prop_assert!(r.is_ok(), "{}", r.err().unwrap_or_default());
    }
}

/// The generator itself: statements come out varied and mostly parse.
#[test]
fn generator_produces_mostly_valid_statements() {
    let mut parsed = 0;
    let mut seen = std::collections::HashSet::new();
    for seed in 0..300u32 {
        let choices: Vec<u32> = (0..160)
            .map(|i| seed.wrapping_mul(2_654_435_761).rotate_left(i % 31) ^ i)
            .collect();
        let q = Gen::new(choices).statement();
        if kgstore::parser::parse(&q).is_ok() {
            parsed += 1;
        }
        seen.insert(q);
    }
    assert!(parsed > 250, "only {parsed} of 300 statements parse");
    assert!(seen.len() > 250, "only {} distinct statements", seen.len());
}

/// Deep statements on a thread with a small stack (a quarter of Rust's default): each gives a
/// result or a clear `SyntaxError`, never a stack overflow, and a failing one leaves the open
/// transaction as it was (its earlier write commits).
#[test]
fn deep_statements_run_or_fail_cleanly_on_a_small_stack() {
    let handle = std::thread::Builder::new()
        .stack_size(512 * 1024)
        .spawn(|| {
            let db = Database::open_in_memory().expect("database");
            let mut s = db.session();
            s.run("BEGIN", &Params::new()).expect("begin");
            s.run("CREATE (:Kept {v: 1})", &Params::new())
                .expect("create");
            let mut outcomes = Vec::new();
            for shape in 0..6u32 {
                for size in 0..3u32 {
                    let q = Gen::new(vec![size, 0, shape]).deep();
                    let r = s.run(&q, &Params::new());
                    match &r {
                        Ok(_) => outcomes.push(format!("{shape}/{size}: ok")),
                        Err(e) => {
                            // A query error (`m.a.a` fails at run time); past the limits a
                            // SyntaxError that says why.
                            let qe = e.as_query().unwrap_or_else(|| panic!("{e:?}"));
                            if size == 2 {
                                assert_eq!(qe.class.to_string(), "SyntaxError", "{e}");
                                assert!(
                                    qe.message.contains("too deeply")
                                        || qe.message.contains("clauses"),
                                    "{e}"
                                );
                            }
                            outcomes.push(format!("{shape}/{size}: {}", qe.detail));
                        }
                    }
                    assert!(s.in_transaction(), "{shape}/{size} ended the transaction");
                }
            }
            s.run("COMMIT", &Params::new()).expect("commit");
            let r = db
                .run("MATCH (k:Kept) RETURN count(k)", &Params::new())
                .expect("count");
            assert_eq!(r.rows, vec![vec![Value::Int(1)]], "{outcomes:#?}");
            outcomes
        })
        .expect("spawn");
    let outcomes = handle.join().expect("no overflow, no panic");
    // The 25,000-deep forms are refused, the 3,000-deep ones run.
    assert!(outcomes.iter().any(|o| o.ends_with("ok")), "{outcomes:#?}");
    assert!(
        outcomes.iter().any(|o| o.contains("ExpressionTooDeep")),
        "{outcomes:#?}"
    );
}
