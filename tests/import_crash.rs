//! `kg import` SIGKILLed at random moments (issue 21): rounds of neo4j-admin CSV and JSONL
//! imports into a database that already holds data, schema and earlier imports, each killed
//! after a seeded random delay: a third anywhere in the run, two thirds in its last 40 %
//! (parsing takes most of an import; the write, commit and exit the last tenth or so). An import that fits in one batch of the bulk loader (here:
//! every one) is one atomic sled batch and its index definitions commit with that batch, and
//! the compaction that follows it swaps directories atomically. So after every kill the
//! database must open, `kg check` must be clean, and the graph and its index and constraint
//! definitions must be exactly those before the import or exactly those after it.

#[path = "support/kg_cli.rs"]
mod kg_cli;
use kg_cli::{kg, ok};
#[path = "support/rng.rs"]
mod rng;
use rng::Rng;

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value as Json};

/// Nodes and relationships of one round's import: well inside one bulk-loader batch (1M
/// nodes / 2M relationships), large enough that the import takes a few hundred ms.
const NODES: u64 = 15_000;
const RELS: u64 = 90_000;

/// What the database holds, through one `kg run` of several statements: per label and per
/// type counts and sums (which tell a missing or extra entity, property or endpoint), the
/// index and constraint names, and what the `any_name` index finds for one name of every
/// round. Each statement's rows as a set of their JSON texts.
#[derive(Clone, Debug, PartialEq)]
struct State {
    nodes: BTreeSet<String>,
    rels: BTreeSet<String>,
    indexes: BTreeSet<String>,
    constraints: BTreeSet<String>,
    lookups: BTreeSet<String>,
}

fn state(db: &Path, rounds: u64) -> State {
    let names: Vec<String> = (0..rounds).map(|r| format!("'R{r} node 77'")).collect();
    let script = format!(
        "MATCH (n) UNWIND labels(n) AS l RETURN l, count(*), sum(n.v), count(n.name);\n\
         MATCH (a)-[r]->(b) RETURN type(r), count(*), sum(r.w), sum(a.v), sum(b.v);\n\
         SHOW INDEXES YIELD name RETURN name;\n\
         SHOW CONSTRAINTS YIELD name RETURN name;\n\
         UNWIND [{}] AS x MATCH (n {{name: x}}) RETURN x, n.v;\n",
        names.join(", ")
    );
    let mut child = kg(db)
        .args(["run", "--format", "json", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kg run");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(script.as_bytes())
        .expect("write the script");
    let out = ok(child.wait_with_output().expect("kg run"));
    let mut sets: Vec<BTreeSet<String>> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter(|l| l.trim_start().starts_with('{'))
        .map(|l| {
            let v: Json = serde_json::from_str(l).expect("a JSON result");
            let rows = v["rows"].as_array().expect("rows").iter();
            rows.map(|r| r.to_string()).collect()
        })
        .collect();
    assert_eq!(sets.len(), 5, "{}", String::from_utf8_lossy(&out.stdout));
    let mut take = || sets.remove(0);
    State {
        nodes: take(),
        rels: take(),
        indexes: take(),
        constraints: take(),
        lookups: take(),
    }
}

#[derive(Clone, Copy, Debug)]
enum Format {
    Csv,
    Jsonl,
}

/// One round's input: label `R<n>` / type `L<n>`, node `i` with `v = i` and a name,
/// relationship `k` with `w = k` between two pseudo-random nodes of the round.
struct Input {
    format: Format,
    /// The directory of the round's files, and what `kg import` is given.
    root: PathBuf,
    path: PathBuf,
    label: String,
    rel_type: String,
    /// Endpoints' `v` sums, for the expected relationship row.
    start_sum: u64,
    end_sum: u64,
}

fn write_input(dir: &Path, round: u64, format: Format, seed: u64) -> Input {
    let label = format!("R{round}");
    let rel_type = format!("L{round}");
    let root = dir.join(format!("in{round}"));
    let mut x = seed | 1;
    let mut ends = Vec::with_capacity(RELS as usize);
    for _ in 0..RELS {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        ends.push((x % NODES, (x >> 32) % NODES));
    }
    let start_sum = ends.iter().map(|e| e.0).sum();
    let end_sum = ends.iter().map(|e| e.1).sum();
    let mut text = String::new();
    let path = match format {
        Format::Csv => {
            std::fs::create_dir_all(root.join("nodes")).expect("mkdir");
            std::fs::create_dir_all(root.join("relationships")).expect("mkdir");
            text.push_str(&format!("id:ID({label}),v:int,name:string,:LABEL\n"));
            for i in 0..NODES {
                let _ = writeln!(text, "{i},{i},{label} node {i},{label}");
            }
            std::fs::write(root.join(format!("nodes/{label}.csv")), &text).expect("write");
            text.clear();
            text.push_str(&format!(
                ":START_ID({label}),:END_ID({label}),w:int,:TYPE\n"
            ));
            for (k, (a, b)) in ends.iter().enumerate() {
                let _ = writeln!(text, "{a},{b},{k},{rel_type}");
            }
            std::fs::write(root.join(format!("relationships/{rel_type}.csv")), &text)
                .expect("write");
            root.clone()
        }
        Format::Jsonl => {
            std::fs::create_dir_all(&root).expect("mkdir");
            for i in 0..NODES {
                let line = json!({"kind": "node", "id": i, "labels": [label],
                                  "properties": {"v": i, "name": format!("{label} node {i}")}});
                let _ = writeln!(text, "{line}");
            }
            for (k, (a, b)) in ends.iter().enumerate() {
                let line = json!({"kind": "relationship", "id": k, "type": rel_type,
                                  "start": a, "end": b, "properties": {"w": k}});
                let _ = writeln!(text, "{line}");
            }
            let file = root.join("graph.jsonl");
            std::fs::write(&file, &text).expect("write");
            file
        }
    };
    Input {
        format,
        root,
        path,
        label,
        rel_type,
        start_sum,
        end_sum,
    }
}

fn import_command(db: &Path, input: &Input) -> Command {
    let mut c = kg(db);
    match input.format {
        Format::Csv => c.args(["import", "--format", "csv", "--id-type", "integer"]),
        Format::Jsonl => c.args(["import", "--format", "jsonl"]),
    };
    c.arg(&input.path);
    c
}

/// What the database holds once `input` (round `round`) is imported on top of `before`.
fn after(before: &State, input: &Input, round: u64) -> State {
    let mut s = before.clone();
    let sum = NODES * (NODES - 1) / 2;
    s.nodes
        .insert(json!([input.label, NODES, sum, NODES]).to_string());
    s.rels.insert(
        json!([
            input.rel_type,
            RELS,
            RELS * (RELS - 1) / 2,
            input.start_sum,
            input.end_sum
        ])
        .to_string(),
    );
    // Every import with a `name` property defines `any_name` (once); a CSV import also one
    // index per `id:ID(Label)` space.
    s.indexes.insert(json!(["any_name"]).to_string());
    if let Format::Csv = input.format {
        let name = format!("{}_id", input.label.to_lowercase());
        s.indexes.insert(json!([name]).to_string());
    }
    s.lookups
        .insert(json!([format!("R{round} node 77"), 77]).to_string());
    s
}

fn check(db: &Path, round: u64) {
    let out = kg(db).arg("check").output().expect("kg check");
    assert!(
        out.status.success(),
        "round {round}: kg check failed (exit {:?}):\n{}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn killed_imports_leave_the_graph_before_or_after() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("imp.db");
    // Data, an index and a constraint of the user's before any import; no `name` yet, so the
    // first import that lands also defines `any_name`.
    ok(kg(&db)
        .args([
            "query",
            "UNWIND range(1, 500) AS i CREATE (:Base {v: i})-[:B {w: i}]->(:Base {v: -i})",
        ])
        .output()
        .expect("kg"));
    ok(kg(&db)
        .args(["query", "CREATE INDEX base_v FOR (n:Base) ON (n.v)"])
        .output()
        .expect("kg"));
    ok(kg(&db)
        .args([
            "query",
            "CREATE CONSTRAINT base_w FOR ()-[r:B]-() REQUIRE r.w IS NOT NULL",
        ])
        .output()
        .expect("kg"));

    let rounds: u64 = std::env::var("KG_CRASH_ROUNDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(10);
    // How long a whole import of each format takes here, on a scratch database that already
    // holds one import (as the real one will): the kills are spread over that time and a bit
    // beyond, so some land before the write, some inside it and some after it.
    let scratch = dir.path().join("scratch.db");
    let mut full_ms = [0u64; 2];
    for (i, format) in [Format::Jsonl, Format::Csv, Format::Jsonl, Format::Csv]
        .into_iter()
        .enumerate()
    {
        let input = write_input(dir.path(), 1000 + i as u64, format, 77 + i as u64);
        let started = Instant::now();
        ok(import_command(&scratch, &input)
            .output()
            .expect("kg import"));
        full_ms[i % 2] = started.elapsed().as_millis() as u64;
        std::fs::remove_dir_all(&input.root).ok();
    }

    let mut rng = Rng(0x5eed_1a90_0000_0021);
    let mut current = state(&db, rounds);
    let (mut landed, mut rolled_back, mut killed_running) = (0, 0, 0);
    let started = Instant::now();
    for round in 0..rounds {
        let format = [Format::Jsonl, Format::Csv][round as usize % 2];
        let full = full_ms[round as usize % 2];
        let input = write_input(dir.path(), round, format, rng.below(u64::MAX - 1) + 1);
        let expected = after(&current, &input, round);
        let mut child = import_command(&db, &input)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("spawn kg import");
        // A third of the kills anywhere in the run (mostly while the files are parsed, before
        // any write), two thirds in its last part: the write, its commit and fdatasync, the
        // commit mark, the exit, or just after.
        let delay = if round % 3 == 0 {
            rng.below(full + full / 5)
        } else {
            full * 3 / 5 + rng.below(full * 3 / 5)
        };
        std::thread::sleep(Duration::from_millis(delay));
        match child.try_wait().expect("try_wait") {
            Some(status) => assert!(status.success(), "round {round}: import failed"),
            None => killed_running += 1,
        }
        let _ = child.kill(); // SIGKILL; it may have finished already
        let _ = child.wait();

        check(&db, round);
        let now = state(&db, rounds);
        if now == expected {
            landed += 1;
        } else {
            assert_eq!(
                now, current,
                "round {round} ({format:?}): the database is neither as before the killed \
                 import nor as after it"
            );
            rolled_back += 1;
        }
        current = now;
        std::fs::remove_dir_all(&input.root).ok();
    }
    eprintln!(
        "{rounds} rounds in {:.1} s (whole imports: jsonl {} ms, csv {} ms): {killed_running} \
         killed while running, {landed} landed, {rolled_back} left nothing",
        started.elapsed().as_secs_f64(),
        full_ms[0],
        full_ms[1]
    );
    assert!(
        killed_running > 0,
        "no import was killed while it ran: the test tested nothing"
    );
    // A killed compaction may leave its copy beside the database; the next one clears it.
    ok(kg(&db).arg("compact").output().expect("kg compact"));
    let leftovers: Vec<String> = std::fs::read_dir(dir.path())
        .expect("read_dir")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".compact"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    assert_eq!(state(&db, rounds), current);
    check(&db, rounds);
}
