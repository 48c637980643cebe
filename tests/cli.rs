//! Drives the `kg` binary: every output format against golden files, script error locations,
//! stdin piping and streaming, parameters, exit codes, the lock error and `--help` examples.
//! Set `UPDATE_GOLDEN=1` to rewrite the golden files after an intended change.

#[path = "support/holder.rs"]
mod holder;
use holder::Holder;

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

const KG: &str = env!("CARGO_BIN_EXE_kg");

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// A `kg` command with a clean environment (no `$KG_DB`, no colour).
fn kg(dir: &Path) -> Command {
    let mut cmd = Command::new(KG);
    cmd.current_dir(dir)
        .env_remove("KG_DB")
        .env("NO_COLOR", "1")
        .env("HOME", dir);
    cmd
}

struct Run {
    desc: String,
    out: Output,
}

impl Run {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.out.stdout).into_owned()
    }
    fn stderr(&self) -> String {
        String::from_utf8_lossy(&self.out.stderr).into_owned()
    }
    fn code(&self) -> Option<i32> {
        self.out.status.code()
    }
    /// Everything needed to understand a failure.
    fn dump(&self) -> String {
        format!(
            "command: {}\nexit: {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
            self.desc,
            self.code(),
            self.stdout(),
            self.stderr()
        )
    }
    fn ok(self) -> Run {
        assert_eq!(self.code(), Some(0), "{}", self.dump());
        self
    }
}

fn run(mut cmd: Command, stdin: Option<&str>) -> Run {
    let desc = format!("{cmd:?}");
    cmd.stdin(if stdin.is_some() {
        Stdio::piped()
    } else {
        Stdio::null()
    })
    .stdout(Stdio::piped())
    .stderr(Stdio::piped());
    let mut child = cmd.spawn().unwrap_or_else(|e| panic!("spawn {desc}: {e}"));
    if let Some(input) = stdin {
        let mut w = child.stdin.take().expect("stdin");
        w.write_all(input.as_bytes()).expect("write stdin");
    }
    let out = child.wait_with_output().expect("wait");
    Run { desc, out }
}

fn kg_args(dir: &Path, args: &[&str]) -> Run {
    let mut cmd = kg(dir);
    cmd.args(args);
    run(cmd, None)
}

fn tempdir() -> tempfile::TempDir {
    tempfile::tempdir().expect("tempdir")
}

#[test]
fn every_format_matches_its_golden_file() {
    let script = golden_dir().join("script.cypher");
    let script = script.to_str().expect("utf-8 path");
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut mismatches = Vec::new();
    for format in ["table", "csv", "tsv", "json", "jsonl", "markdown"] {
        let dir = tempdir();
        let r = kg_args(
            dir.path(),
            &["--db", "g.db", "run", "--format", format, script],
        )
        .ok();
        let path = golden_dir().join(format!("script.{format}"));
        if update {
            std::fs::write(&path, r.stdout()).expect("write golden");
            continue;
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run with UPDATE_GOLDEN=1)", path.display()));
        if r.stdout() != expected {
            mismatches.push(format!(
                "format {format} differs from {}:\n{}\n--- expected ---\n{expected}",
                path.display(),
                r.dump()
            ));
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n\n"));
}

#[test]
fn json_output_contract() {
    let dir = tempdir();
    let mut cmd = kg(dir.path());
    cmd.args(["--db", "j.db", "run", "--format", "json", "-"]);
    let r = run(
        cmd,
        Some("CREATE (:A {x: 1.0}), (:A {x: 2});\nMATCH (a:A) RETURN a.x AS x ORDER BY x;\nMATCH (a:A) WHERE a.x > 5 RETURN a;\n"),
    )
    .ok();
    let lines: Vec<serde_json::Value> = r
        .stdout()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}\n{}", r.dump())))
        .collect();
    assert_eq!(lines.len(), 3, "{}", r.dump());
    assert_eq!(lines[0]["columns"], serde_json::json!([]));
    assert_eq!(lines[0]["rows"], serde_json::json!([]));
    assert_eq!(lines[0]["stats"]["nodes_created"], 2, "{}", r.dump());
    assert_eq!(lines[0]["stats"]["labels_added"].as_u64().unwrap_or(2), 2);
    assert_eq!(lines[1]["columns"], serde_json::json!(["x"]));
    // 1.0 stays a float, 2 stays an integer.
    assert!(r.stdout().contains("[[1.0],[2]]"), "{}", r.dump());
    assert_eq!(lines[2]["rows"], serde_json::json!([]));

    let mut cmd = kg(dir.path());
    cmd.args(["--db", "j.db", "run", "--format", "jsonl", "-"]);
    let r = run(
        cmd,
        Some("CREATE (:B);\nMATCH (a:A) RETURN a.x AS x, 'k' AS k ORDER BY x;\n"),
    )
    .ok();
    assert_eq!(
        r.stdout(),
        "{\"x\":1.0,\"k\":\"k\"}\n{\"x\":2,\"k\":\"k\"}\n",
        "{}",
        r.dump()
    );
}

/// A script that is not valid UTF-8 (cut inside a character, or garbled) is reported with the
/// line, column and byte where the bad bytes start, by `kg run` and by `kg import --format
/// cypher` as by every other import; before, both said only "stream did not contain valid
/// UTF-8". The import changes nothing.
#[test]
fn a_script_that_is_not_utf8_is_reported_with_its_position() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("bad.cypher"),
        b"CREATE (:T {n: 1});\nCREATE (:T {s: '\xff\xfe'});\n",
    )
    .expect("write script");
    for args in [
        &["--db", "e.db", "run", "bad.cypher"][..],
        &["--db", "e.db", "import", "--format", "cypher", "bad.cypher"][..],
    ] {
        let r = kg_args(dir.path(), args);
        assert_eq!(r.code(), Some(1), "{}", r.dump());
        assert!(
            r.stderr()
                .contains("bad.cypher:2:17: invalid UTF-8 at byte 36"),
            "{}",
            r.dump()
        );
    }
    // Neither ran a statement of the file.
    let count = kg_args(
        dir.path(),
        &[
            "--db",
            "e.db",
            "query",
            "--format",
            "csv",
            "MATCH (t:T) RETURN count(t) AS n",
        ],
    )
    .ok();
    assert_eq!(count.stdout().replace("\r\n", "\n"), "n\n0\n");
}

#[test]
fn script_error_reports_file_line_and_column() {
    let dir = tempdir();
    let script = dir.path().join("bad.cypher");
    std::fs::write(
        &script,
        "CREATE (:T {n: 1});\n// a comment line\nMATCH (t:T) RETURN t.n AS n, nope AS m;\nCREATE (:T {n: 2});\n",
    )
    .expect("write script");
    let r = kg_args(dir.path(), &["--db", "e.db", "run", "bad.cypher"]);
    assert_eq!(r.code(), Some(1), "{}", r.dump());
    // `nope` starts at column 30 of line 3.
    assert!(
        r.stderr().starts_with("bad.cypher:3:30: error: "),
        "{}",
        r.dump()
    );
    assert!(
        r.stderr().contains(
            "  MATCH (t:T) RETURN t.n AS n, nope AS m;\n                               ^"
        ),
        "{}",
        r.dump()
    );
    // The first statement ran, the last did not.
    let count = kg_args(
        dir.path(),
        &[
            "--db",
            "e.db",
            "query",
            "--format",
            "csv",
            "MATCH (t:T) RETURN count(t) AS c",
        ],
    )
    .ok();
    assert_eq!(count.stdout(), "c\r\n1\r\n", "{}", count.dump());

    // --continue-on-error runs the rest and still exits 1.
    let r = kg_args(
        dir.path(),
        &["--db", "e.db", "run", "--continue-on-error", "bad.cypher"],
    );
    assert_eq!(r.code(), Some(1), "{}", r.dump());
    let count = kg_args(
        dir.path(),
        &[
            "--db",
            "e.db",
            "query",
            "--format",
            "csv",
            "MATCH (t:T) RETURN count(t) AS c",
        ],
    )
    .ok();
    assert_eq!(count.stdout(), "c\r\n3\r\n", "{}", count.dump());
}

/// A script's results are buffered (not flushed statement by statement into a pipe), but an
/// error still lands after the results before it and before those after it when stdout and
/// stderr go to one file, as `kg run script 2>&1 > log` users read them.
#[test]
fn script_results_and_errors_keep_their_order_in_one_file() {
    let dir = tempdir();
    std::fs::write(
        dir.path().join("mixed.cypher"),
        "RETURN 1 AS a;\nRETURN nope AS b;\nRETURN 3 AS c;\nRETURN 1/0 AS d;\nRETURN 5 AS e;\n",
    )
    .expect("write script");
    let log = std::fs::File::create(dir.path().join("log")).expect("log file");
    let status = kg(dir.path())
        .args([
            "--db",
            "o.db",
            "run",
            "--continue-on-error",
            "--format",
            "csv",
        ])
        .arg("mixed.cypher")
        .stdout(log.try_clone().expect("clone log"))
        .stderr(log)
        .status()
        .expect("run kg");
    assert_eq!(status.code(), Some(1));
    let text = std::fs::read_to_string(dir.path().join("log")).expect("read log");
    let at = |needle: &str| {
        text.find(needle)
            .unwrap_or_else(|| panic!("{needle:?} missing from:\n{text}"))
    };
    let order = [
        at("a\r\n1"),
        at("mixed.cypher:2:"),
        at("c\r\n3"),
        at("mixed.cypher:4:"),
        at("e\r\n5"),
    ];
    assert!(
        order.windows(2).all(|w| w[0] < w[1]),
        "out of order:\n{text}"
    );
}

#[test]
fn syntax_error_in_a_query_shows_a_caret() {
    let dir = tempdir();
    let r = kg_args(dir.path(), &["--db", "s.db", "query", "MATCH (n RETURN n"]);
    assert_eq!(r.code(), Some(1), "{}", r.dump());
    assert!(r.stderr().starts_with("error: "), "{}", r.dump());
    assert!(r.stderr().contains("MATCH (n RETURN n\n"), "{}", r.dump());
    assert!(r.stderr().contains('^'), "{}", r.dump());
    assert!(r.stdout().is_empty(), "{}", r.dump());
}

#[test]
fn piping_into_plain_kg_runs_statements() {
    let dir = tempdir();
    let mut cmd = kg(dir.path());
    cmd.args(["--db", "p.db"]);
    let r = run(
        cmd,
        Some("CREATE (:P), (:P);\nMATCH (n) RETURN count(n);\n"),
    )
    .ok();
    assert!(
        !r.stdout().contains("kg>"),
        "no prompt expected\n{}",
        r.dump()
    );
    assert!(
        !r.stdout().contains(":help"),
        "no banner expected\n{}",
        r.dump()
    );
    assert!(r.stdout().contains("2 nodes created"), "{}", r.dump());
    assert!(r.stdout().contains(" 2 |\n"), "{}", r.dump());

    let mut cmd = kg(dir.path());
    cmd.args(["--db", "p.db", "--format", "jsonl"]);
    let r = run(cmd, Some("MATCH (n) RETURN count(n) AS n;")).ok();
    assert_eq!(r.stdout(), "{\"n\":2}\n", "{}", r.dump());
}

/// Statements piped one by one are acknowledged one by one (the crash-safety test relies on it).
#[test]
fn stdin_statements_stream_their_output() {
    let dir = tempdir();
    let mut child: Child = kg(dir.path())
        .args(["--db", "st.db", "run", "--format", "jsonl", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn kg");
    let mut stdin = child.stdin.take().expect("stdin");
    let mut lines = BufReader::new(child.stdout.take().expect("stdout")).lines();
    for i in 0..5 {
        writeln!(stdin, "CREATE (:S {{i: {i}}});\nRETURN {i} AS ack;").expect("write");
        stdin.flush().expect("flush");
        let line = lines.next().and_then(|l| l.ok());
        assert_eq!(line.as_deref(), Some(&*format!("{{\"ack\":{i}}}")));
    }
    drop(stdin);
    let status = child.wait().expect("wait");
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    assert!(status.success(), "{err}");
}

#[test]
fn parameters_from_flags_and_json_files() {
    let dir = tempdir();
    std::fs::write(dir.path().join("p.json"), r#"{"n": 2, "name": "智谱"}"#).expect("write");
    let r = kg_args(
        dir.path(),
        &[
            "--db",
            "q.db",
            "query",
            "--format",
            "jsonl",
            "--params",
            "p.json",
            "--param",
            "n=40",
            "--param",
            "list=[1, 'a']",
            "RETURN $n + 2 AS n, $name AS name, $list AS list",
        ],
    )
    .ok();
    assert_eq!(
        r.stdout(),
        "{\"n\":42,\"name\":\"智谱\",\"list\":[1,\"a\"]}\n",
        "{}",
        r.dump()
    );
    // A value that is not a literal is a usage error.
    let r = kg_args(
        dir.path(),
        &["--db", "q.db", "query", "--param", "x=abc", "RETURN $x"],
    );
    assert_eq!(r.code(), Some(2), "{}", r.dump());
    assert!(r.stderr().contains("not a literal"), "{}", r.dump());
}

#[test]
fn exit_codes() {
    let dir = tempdir();
    assert_eq!(
        kg_args(dir.path(), &["--db", "x.db", "query", "RETURN 1"]).code(),
        Some(0)
    );
    let r = kg_args(dir.path(), &["--db", "x.db", "query", "RETURN nope"]);
    assert_eq!(r.code(), Some(1), "{}", r.dump());
    let r = kg_args(dir.path(), &["--db", "x.db", "run", "missing.cypher"]);
    assert_eq!(r.code(), Some(1), "{}", r.dump());
    assert!(r.stderr().contains("missing.cypher"), "{}", r.dump());
    let r = kg_args(dir.path(), &["--db", "x.db", "--no-such-flag"]);
    assert_eq!(r.code(), Some(2), "{}", r.dump());
    let r = kg_args(
        dir.path(),
        &["--db", "x.db", "query", "--format", "xml", "RETURN 1"],
    );
    assert_eq!(r.code(), Some(2), "{}", r.dump());
    // A closed stdout is a normal end, not a panic.
    let mut child = kg(dir.path())
        .args([
            "--db",
            "x.db",
            "query",
            "--format",
            "csv",
            "UNWIND range(1, 200000) AS x RETURN x",
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn");
    let mut first = String::new();
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    out.read_line(&mut first).expect("read");
    assert_eq!(first, "x\r\n");
    drop(out);
    let status = child.wait().expect("wait");
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert!(!err.contains("panicked"), "stderr: {err}");
}

#[test]
fn a_locked_database_is_refused_with_exit_2() {
    let dir = tempdir();
    let mut cmd = kg(dir.path());
    cmd.args(["--db", "locked.db"]);
    let holder = Holder::start(cmd);
    let r = kg_args(dir.path(), &["--db", "locked.db", "query", "RETURN 1"]);
    holder.stop();
    assert_eq!(r.code(), Some(2), "{}", r.dump());
    assert_eq!(
        r.stderr(),
        "error: database locked.db is in use by another process\n",
        "{}",
        r.dump()
    );
}

#[test]
fn named_databases_start_empty() {
    let dir = tempdir();
    let r = kg_args(
        dir.path(),
        &[
            "--db",
            "empty.db",
            "query",
            "--format",
            "csv",
            "MATCH (n) RETURN count(n) AS n",
        ],
    )
    .ok();
    assert_eq!(r.stdout(), "n\r\n0\r\n", "{}", r.dump());
    // $KG_DB names a database too.
    let mut cmd = kg(dir.path());
    cmd.env("KG_DB", "env.db")
        .args(["query", "--format", "csv", "MATCH (n) RETURN count(n) AS n"]);
    let r = run(cmd, None).ok();
    assert_eq!(r.stdout(), "n\r\n0\r\n", "{}", r.dump());
    assert!(dir.path().join("env.db").exists());
    assert!(!dir.path().join("kg.db").exists());
}

#[test]
fn the_default_database_is_created_with_the_seed_graph() {
    let dir = tempdir();
    let r = kg_args(
        dir.path(),
        &[
            "query",
            "--format",
            "csv",
            "MATCH (n) RETURN count(n) > 0 AS seeded",
        ],
    )
    .ok();
    assert_eq!(r.stdout(), "seeded\r\ntrue\r\n", "{}", r.dump());
    assert!(dir.path().join("kg.db").exists());
    let r = kg_args(dir.path(), &["check"]).ok();
    assert!(!r.stdout().is_empty(), "{}", r.dump());
}

#[test]
fn stats_and_check_commands() {
    let dir = tempdir();
    kg_args(
        dir.path(),
        &[
            "--db",
            "c.db",
            "query",
            "CREATE (:Lab {name: 'DeepSeek'})-[:USES]->(:Chip)",
        ],
    )
    .ok();
    let r = kg_args(dir.path(), &["--db", "c.db", "stats"]).ok();
    for needle in ["nodes:", "relationships:", "Lab", "Chip", "USES", "name"] {
        assert!(
            r.stdout().contains(needle),
            "missing {needle}\n{}",
            r.dump()
        );
    }
    kg_args(dir.path(), &["--db", "c.db", "check"]).ok();
}

#[test]
fn every_command_help_shows_an_example() {
    let dir = tempdir();
    for cmd in [
        None,
        Some("repl"),
        Some("query"),
        Some("run"),
        Some("import"),
        Some("export"),
        Some("seed"),
        Some("check"),
        Some("stats"),
        Some("compact"),
    ] {
        let mut args: Vec<&str> = cmd.into_iter().collect();
        args.push("--help");
        let r = kg_args(dir.path(), &args).ok();
        assert!(r.stdout().contains("Example"), "{}", r.dump());
        assert!(r.stdout().contains("kg "), "{}", r.dump());
    }
}

#[test]
fn export_to_dot_from_the_command_and_the_shell() {
    let dir = tempdir();
    kg_args(
        dir.path(),
        &[
            "--db",
            "d.db",
            "query",
            "CREATE (:Lab {name: 'DeepSeek'})-[:USES {since: 2024}]->(:Chip {name: 'H800'}), (:Other {name: 'Unrelated'})",
        ],
    )
    .ok();
    // The whole graph.
    let r = kg_args(
        dir.path(),
        &["--db", "d.db", "export", "--format", "dot", "-o", "all.dot"],
    )
    .ok();
    let all = std::fs::read_to_string(dir.path().join("all.dot")).expect("all.dot written");
    assert!(all.starts_with("digraph"), "{all}\n{}", r.dump());
    for name in ["DeepSeek", "H800", "Unrelated", "USES"] {
        assert!(all.contains(name), "{name} missing:\n{all}");
    }
    // The subgraph of a query, to stdout.
    let r = kg_args(
        dir.path(),
        &[
            "--db",
            "d.db",
            "export",
            "--format",
            "dot",
            "--query",
            "MATCH p=(:Lab)-[:USES]->() RETURN p",
        ],
    )
    .ok();
    assert!(r.stdout().starts_with("digraph"), "{}", r.dump());
    assert!(r.stdout().contains("H800"), "{}", r.dump());
    assert!(!r.stdout().contains("Unrelated"), "{}", r.dump());
    // `:export dot FILE` in the shell exports the last result.
    let mut cmd = kg(dir.path());
    cmd.args(["--db", "d.db"]);
    let r = run(
        cmd,
        Some("MATCH (l:Lab)-[r]->(c) RETURN l, r, c;\n:export dot last.dot\n"),
    )
    .ok();
    let last = std::fs::read_to_string(dir.path().join("last.dot")).expect("last.dot written");
    assert!(
        last.contains("DeepSeek") && last.contains("H800"),
        "{last}\n{}",
        r.dump()
    );
    assert!(!last.contains("Unrelated"), "{last}");
    assert!(
        r.stdout().contains("exported 2 nodes and 1 relationships"),
        "{}",
        r.dump()
    );
}

#[test]
fn export_and_import_round_trip_through_the_command_line() {
    let dir = tempdir();
    kg_args(
        dir.path(),
        &[
            "--db",
            "src.db",
            "query",
            "CREATE (:Lab {name: 'DeepSeek', founded: 2023})-[:USES {share: 0.5}]->(:Chip {name: 'H800'})",
        ],
    )
    .ok();
    for format in ["jsonl", "cypher"] {
        let file = format!("g.{format}");
        kg_args(
            dir.path(),
            &["--db", "src.db", "export", "--format", format, "-o", &file],
        )
        .ok();
        let target = format!("{format}.db");
        let r = kg_args(
            dir.path(),
            &["--db", &target, "import", "--format", format, &file],
        )
        .ok();
        let q = kg_args(
            dir.path(),
            &[
                "--db",
                &target,
                "query",
                "--format",
                "csv",
                "MATCH (l:Lab)-[u:USES]->(c:Chip) RETURN l.name, l.founded, u.share, c.name",
            ],
        )
        .ok();
        assert_eq!(
            q.stdout(),
            "l.name,l.founded,u.share,c.name\r\nDeepSeek,2023,0.5,H800\r\n",
            "{format}\n{}\n{}",
            r.dump(),
            q.dump()
        );
    }
    // A bad line: nothing of the file is imported.
    std::fs::write(dir.path().join("bad.jsonl"), "{\"not\": \"a node\"\n").expect("write");
    let r = kg_args(
        dir.path(),
        &["--db", "bad.db", "import", "--format", "jsonl", "bad.jsonl"],
    );
    assert_eq!(r.code(), Some(1), "{}", r.dump());
    let q = kg_args(
        dir.path(),
        &[
            "--db",
            "bad.db",
            "query",
            "--format",
            "csv",
            "MATCH (n) RETURN count(n) AS n",
        ],
    )
    .ok();
    assert_eq!(q.stdout(), "n\r\n0\r\n", "{}", q.dump());
}
