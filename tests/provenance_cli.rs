//! Provenance through the `kg` binary: `kg query --why` in the table and JSON formats, `kg run
//! --why` with jsonl, and the shell's `:why on` / `:why N` in a pseudo-terminal. Expected
//! documents come from plain queries over the same seeded database, never from copied output.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::{Regex, Session};
use serde_json::Value as Json;

const KG: &str = env!("CARGO_BIN_EXE_kg");

const CONTROLS: &str = "MATCH (p)-[c:CONTROLS]->(o:Organization {name: 'DeepSeek'}) \
     OPTIONAL MATCH (p)-[i:INVESTED_IN]->(o) RETURN p.name AS controller, c.kind AS control";

/// The documents that row rests on, from a plain query: the union of its facts' `source`.
const CONTROLS_SOURCES: &str = "MATCH (p)-[c:CONTROLS]->(o:Organization {name: 'DeepSeek'}) \
     OPTIONAL MATCH (p)-[i:INVESTED_IN]->(o) \
     UNWIND p.source + o.source + c.source + coalesce(i.source, []) AS doc \
     RETURN DISTINCT doc ORDER BY doc";

fn kg(dir: &Path) -> Command {
    let mut cmd = Command::new(KG);
    cmd.current_dir(dir)
        .args(["--db", "kg.db"])
        .env_remove("KG_DB")
        .env_remove("KG_CONNECT")
        .env("NO_COLOR", "1")
        .env("HOME", dir)
        .env("TERM", "xterm");
    cmd
}

fn run(dir: &Path, args: &[&str]) -> String {
    let out = kg(dir).args(args).output().expect("run kg");
    assert!(
        out.status.success(),
        "kg {args:?} failed\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

/// A seeded database in a fresh directory (the first `kg` run seeds `kg.db`).
fn seeded() -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("tempdir");
    run(dir.path(), &["seed"]);
    dir
}

fn expected_sources(dir: &Path) -> Vec<String> {
    run(dir, &["query", "--format", "jsonl", CONTROLS_SOURCES])
        .lines()
        .map(|l| {
            let v: Json = serde_json::from_str(l).expect("json line");
            v["doc"].as_str().expect("doc").to_string()
        })
        .collect()
}

#[test]
fn query_why_prints_sources_and_each_rows_facts_by_document() {
    let dir = seeded();
    let docs = expected_sources(dir.path());
    assert!(!docs.is_empty());
    let out = run(dir.path(), &["query", "--why", CONTROLS]);
    let header = out.lines().nth(1).expect("header");
    assert!(header.contains("| sources"), "{out}");
    let row = out.lines().nth(3).expect("row");
    for d in &docs {
        assert!(row.contains(d.as_str()), "row lacks {d}:\n{out}");
    }
    assert!(out.contains("row 1 rests on"), "{out}");
    assert!(
        out.contains("(Liang Wenfeng)-[:CONTROLS]->(DeepSeek)"),
        "{out}"
    );
    // Each document is a group (its name in the first column) and is described below.
    for d in &docs {
        assert!(
            out.contains(&format!("| {d} |")),
            "no group for {d}:\n{out}"
        );
        assert!(
            out.contains(&format!("  {d} — ")),
            "no description of {d}:\n{out}"
        );
    }
    // Without --why nothing changes.
    let plain = run(dir.path(), &["query", CONTROLS]);
    assert!(
        !plain.contains("sources") && !plain.contains("rests on"),
        "{plain}"
    );
}

#[test]
fn json_and_jsonl_carry_a_stable_why_object_per_row() {
    let dir = seeded();
    let docs: BTreeSet<String> = expected_sources(dir.path()).into_iter().collect();
    let out = run(
        dir.path(),
        &["query", "--why", "--format", "json", CONTROLS],
    );
    let v: Json = serde_json::from_str(out.trim()).expect("one json object");
    assert_eq!(v["columns"], serde_json::json!(["controller", "control"]));
    let rows = v["rows"].as_array().expect("rows");
    let whys = v["why"].as_array().expect("why");
    assert_eq!(rows.len(), whys.len());
    check_why_shape(&whys[0], &docs);

    let script = dir.path().join("q.cypher");
    std::fs::write(&script, format!("{CONTROLS};\n")).expect("write script");
    let out = run(
        dir.path(),
        &[
            "run",
            "--why",
            "--format",
            "jsonl",
            script.to_str().expect("path"),
        ],
    );
    let line: Json = serde_json::from_str(out.lines().next().expect("a line")).expect("json");
    assert_eq!(line["controller"], "Liang Wenfeng");
    check_why_shape(&line["why"], &docs);

    // A column named like the field is refused rather than hidden.
    let out = kg(dir.path())
        .args(["query", "--why", "--format", "jsonl", "RETURN 1 AS why"])
        .output()
        .expect("run kg");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("rename it with AS"));
}

/// The documented shape: facts with id/kind/text/source/as_of (labels or type/start/end),
/// sources with name/title/publisher/date/as_of/facts (positions into facts), unsourced,
/// truncated.
fn check_why_shape(why: &Json, docs: &BTreeSet<String>) {
    let facts = why["facts"].as_array().expect("facts");
    assert!(!facts.is_empty());
    for f in facts {
        assert!(f["id"].is_u64() && f["text"].is_string() && f["source"].is_array());
        assert!(f["as_of"].is_string(), "{f}");
        match f["kind"].as_str() {
            Some("node") => assert!(f["labels"].is_array()),
            Some("relationship") => {
                assert!(f["type"].is_string() && f["start"].is_u64() && f["end"].is_u64())
            }
            other => panic!("kind {other:?}"),
        }
    }
    let sources = why["sources"].as_array().expect("sources");
    let names: BTreeSet<String> = sources
        .iter()
        .map(|s| s["name"].as_str().expect("name").to_string())
        .collect();
    assert_eq!(&names, docs);
    for s in sources {
        assert!(s["title"].is_string() && s["publisher"].is_string() && s["date"].is_string());
        assert!(!s["as_of"].as_array().expect("as_of").is_empty());
        for i in s["facts"].as_array().expect("facts") {
            let f = &facts[i.as_u64().expect("position") as usize];
            let cited: Vec<&str> = f["source"]
                .as_array()
                .expect("source")
                .iter()
                .filter_map(|x| x.as_str())
                .collect();
            assert!(cited.contains(&s["name"].as_str().expect("name")));
        }
    }
    assert_eq!(why["unsourced"], serde_json::json!([]));
    assert_eq!(why["truncated"], false);
}

struct Shell {
    session: Session,
    seen: String,
}

impl Shell {
    fn expect(&mut self, pattern: &str) -> String {
        match self.session.expect(Regex(pattern)) {
            Ok(found) => {
                let text = String::from_utf8_lossy(found.as_bytes()).into_owned();
                self.seen.push_str(&text);
                text
            }
            Err(e) => panic!(
                "expected /{pattern}/: {e}\n--- terminal output so far ---\n{}",
                self.seen
            ),
        }
    }

    fn send(&mut self, text: &str) {
        self.session.send(text).expect("send to pty");
    }
}

#[test]
fn shell_why_on_then_why_n_prints_a_rows_facts() {
    let dir = seeded();
    let docs = expected_sources(dir.path());
    let mut session = Session::spawn(kg(dir.path())).expect("spawn kg in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    let mut sh = Shell {
        session,
        seen: String::new(),
    };
    sh.expect("kg> ");
    // Before any provenance run, :why N explains what to do.
    sh.send(":why 1\r");
    sh.expect(":why on");
    sh.expect("kg> ");
    sh.send(":why on\r");
    sh.expect("provenance on");
    sh.expect("kg> ");
    sh.send(&format!("{CONTROLS};\r"));
    let table = sh.expect(r":why N shows the facts behind row N");
    assert!(table.contains("sources"), "{}", sh.seen);
    sh.expect("kg> ");
    sh.send(":why 1\r");
    let block = sh.expect(r"row 1 rests on \d+ facts from \d+ documents?[\s\S]*kg> ");
    assert!(block.contains("CONTROLS"), "{}", sh.seen);
    for d in &docs {
        assert!(block.contains(d.as_str()), "{d} missing:\n{}", sh.seen);
    }
    sh.send(":why 2\r");
    sh.expect("there is no row 2");
    sh.expect("kg> ");
    sh.send(":mode json\r");
    sh.expect("kg> ");
    sh.send(":why 1\r");
    sh.expect(r#"\{"facts":\["#);
    sh.expect("kg> ");
    sh.send(":quit\r");
    assert!(sh.session.get_process_mut().wait().is_ok());
}
