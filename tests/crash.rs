//! Crash safety and the cross-process lock, through the real `kg` binary: a child writes
//! statements in a loop and is SIGKILLed at random moments; after every kill the database
//! must open, `kg check` must be clean, every acknowledged statement must be there and no
//! statement may be half there.

#[path = "support/holder.rs"]
mod holder;
#[path = "support/rng.rs"]
mod rng;
use holder::Holder;
use rng::Rng;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

const KG: &str = env!("CARGO_BIN_EXE_kg");

fn kg(db: &Path) -> Command {
    let mut c = Command::new(KG);
    c.arg("--db").arg(db);
    c
}

/// Parses `{"seq": N}` lines.
fn seq_of(line: &str) -> Option<u64> {
    let v: serde_json::Value = serde_json::from_str(line.trim()).ok()?;
    v.get("seq")?.as_u64()
}

/// Runs one writer until it is killed; returns the acknowledged sequence numbers.
fn writer_round(db: &Path, base: u64, kill_after: Duration) -> Vec<u64> {
    writer_round_of(db, base, 100_000, kill_after)
}

/// Runs one writer of `statements` statements (then the end of its input: it closes) until
/// it is killed; returns the acknowledged sequence numbers.
fn writer_round_of(db: &Path, base: u64, statements: u64, kill_after: Duration) -> Vec<u64> {
    let mut child = kg(db)
        .args(["run", "--format", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("spawn kg");
    let mut stdin = child.stdin.take().expect("stdin");
    let stdout = child.stdout.take().expect("stdout");
    let feeder = std::thread::spawn(move || {
        for i in 0..statements {
            let s = base + i;
            let stmt = format!(
                "CREATE (:Crash {{seq: {s}, side: 'a'}})-[:LINK {{seq: {s}}}]->(:Crash {{seq: {s}, side: 'b'}}) RETURN {s} AS seq;\n"
            );
            if stdin.write_all(stmt.as_bytes()).is_err() {
                break; // the child died
            }
        }
    });
    let acked = Arc::new(Mutex::new(Vec::new()));
    let sink = Arc::clone(&acked);
    let reader = std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines() {
            let Ok(line) = line else { break };
            if let Some(s) = seq_of(&line) {
                sink.lock().expect("acked").push(s);
            }
        }
    });
    std::thread::sleep(kill_after);
    child.kill().expect("SIGKILL"); // std sends SIGKILL on Unix
    let _ = child.wait();
    let _ = reader.join();
    let _ = feeder.join();
    let v = acked.lock().expect("acked").clone();
    v
}

fn query_jsonl(db: &Path, q: &str) -> Vec<serde_json::Value> {
    let out = kg(db)
        .args(["query", "--format", "jsonl", q])
        .output()
        .expect("kg query");
    assert!(
        out.status.success(),
        "kg query failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("jsonl row"))
        .collect()
}

#[test]
fn killed_writers_never_leave_partial_statements() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("crash.db");
    let status = kg(&db).args(["query", "RETURN 1"]).output().expect("kg");
    assert!(status.status.success(), "kg could not create the database");

    let rounds: u64 = std::env::var("KG_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(20);
    let mut rng = Rng(0x5eed_1234_abcd_0001);
    let mut acked_total: Vec<u64> = Vec::new();
    for round in 0..rounds {
        let delay = Duration::from_millis(150 + rng.below(600));
        let acked = writer_round(&db, round * 1_000_000, delay);
        acked_total.extend(&acked);

        let check = kg(&db).arg("check").output().expect("kg check");
        assert!(
            check.status.success(),
            "round {round}: kg check failed:\n{}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
    }

    let mut nodes: BTreeMap<u64, u64> = BTreeMap::new();
    for row in query_jsonl(&db, "MATCH (n:Crash) RETURN n.seq AS seq, count(*) AS c") {
        nodes.insert(
            row["seq"].as_u64().expect("seq"),
            row["c"].as_u64().expect("c"),
        );
    }
    let mut rels: BTreeMap<u64, u64> = BTreeMap::new();
    let q = "MATCH (a:Crash)-[r:LINK]->(b:Crash) WHERE a.seq = r.seq AND b.seq = r.seq RETURN r.seq AS seq, count(*) AS c";
    for row in query_jsonl(&db, q) {
        rels.insert(
            row["seq"].as_u64().expect("seq"),
            row["c"].as_u64().expect("c"),
        );
    }
    for s in &acked_total {
        assert_eq!(
            nodes.get(s),
            Some(&2),
            "acknowledged statement {s} lost its nodes"
        );
    }
    for (s, c) in &nodes {
        assert_eq!(*c, 2, "statement {s} is half present: {c} node(s)");
        assert_eq!(
            rels.get(s),
            Some(&1),
            "statement {s} has its nodes but not its relationship"
        );
    }
    assert_eq!(rels.len(), nodes.len());
    assert!(
        acked_total.len() as u64 >= rounds,
        "too few acknowledged statements ({}) for the test to mean anything",
        acked_total.len()
    );
    eprintln!(
        "{rounds} rounds, {} acknowledged, {} present",
        acked_total.len(),
        nodes.len()
    );
}

/// The same over a compacted database, where a writer that closes cleanly leaves what it
/// committed in a delta over the read image (`src/store/delta.rs`) and the next readers read
/// that without opening sled: each writer gets a few statements and the end of its input, and
/// is killed at a random moment (before, during or after its statements, its delta or its
/// seal). The first process after the kill must see every acknowledged statement whole, and
/// `kg check` (which compares the image and delta with sled) must be clean.
#[test]
fn killed_writers_over_a_compacted_database_leave_readers_correct() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("crash.db");
    let status = kg(&db)
        .args(["query", "UNWIND range(1, 500) AS i CREATE (:Base {i: i})"])
        .output()
        .expect("kg");
    assert!(status.status.success(), "kg could not create the database");
    let mut rng = Rng(0x5eed_1234_abcd_0002);
    let mut acked_total: Vec<u64> = Vec::new();
    let mut sealed_rounds = 0;
    for round in 0..16u64 {
        if round % 4 == 0 {
            let out = kg(&db).arg("compact").output().expect("kg compact");
            assert!(out.status.success(), "round {round}: kg compact failed");
        }
        let delay = Duration::from_millis(20 + rng.below(200));
        let statements = 1 + rng.below(4);
        acked_total.extend(writer_round_of(&db, round * 1_000_000, statements, delay));
        sealed_rounds += u64::from(db.join("kg.seal").is_file());

        let present: BTreeMap<u64, u64> =
            query_jsonl(&db, "MATCH (n:Crash) RETURN n.seq AS seq, count(*) AS c")
                .iter()
                .map(|row| {
                    (
                        row["seq"].as_u64().expect("seq"),
                        row["c"].as_u64().expect("c"),
                    )
                })
                .collect();
        for s in &acked_total {
            assert_eq!(
                present.get(s),
                Some(&2),
                "round {round}: acknowledged {s} not read"
            );
        }
        for (s, c) in &present {
            assert_eq!(*c, 2, "round {round}: statement {s} is half present");
        }
        let check = kg(&db).arg("check").output().expect("kg check");
        assert!(
            check.status.success(),
            "round {round}: kg check failed:\n{}{}",
            String::from_utf8_lossy(&check.stdout),
            String::from_utf8_lossy(&check.stderr)
        );
    }
    eprintln!(
        "16 rounds, {} acknowledged, {sealed_rounds} left sealed",
        acked_total.len()
    );
    assert!(!acked_total.is_empty(), "no statement was acknowledged");
}

#[test]
fn second_process_gets_the_lock_error() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("locked.db");
    // Holds the database open until stopped.
    let holder = Holder::start(kg(&db));

    let out = kg(&db).args(["query", "RETURN 1"]).output().expect("kg");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        stderr.contains("is in use by another process"),
        "stderr: {stderr}"
    );
    assert!(
        !stderr.contains("sled") && !stderr.contains("panicked"),
        "{stderr}"
    );

    holder.stop(); // EOF: the holder finishes and releases the lock
    let out = kg(&db).args(["query", "RETURN 1"]).output().expect("kg");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
