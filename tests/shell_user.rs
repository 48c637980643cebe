//! The shell driven as a user drives it (issue 18): `kg run` and `kg query` on statements deep
//! enough to have overflowed the stack, and the REPL in a pseudo-terminal (expectrl) for deep
//! input inside a transaction and for `:export` without a query.

use std::path::Path;
use std::process::{Command, Output};
use std::time::Duration;

#[path = "support/pty.rs"]
mod pty;

use pty::{kg_command as kg, Shell};

fn output(mut cmd: Command) -> (Option<i32>, String, String) {
    let Output {
        status,
        stdout,
        stderr,
    } = cmd.output().expect("run kg");
    (
        status.code(),
        String::from_utf8_lossy(&stdout).into_owned(),
        String::from_utf8_lossy(&stderr).into_owned(),
    )
}

fn query(dir: &Path, db: &str, q: &str) -> String {
    let mut cmd = kg(dir, db);
    cmd.args(["query", "--format", "csv", q]);
    let (code, out, err) = output(cmd);
    assert_eq!(code, Some(0), "{q}\nstdout: {out}\nstderr: {err}");
    out
}

fn or_chain(n: usize) -> String {
    let terms: Vec<String> = (0..n).map(|i| format!("n.v = {}", i + 100)).collect();
    format!(
        "MATCH (n) WHERE {} RETURN count(n) AS matched",
        terms.join(" OR ")
    )
}

fn with_chain(n: usize) -> String {
    format!(
        "WITH 1 AS a {} RETURN a AS chained",
        vec!["WITH a"; n].join(" ")
    )
}

fn plus_chain(n: usize) -> String {
    format!("RETURN {} AS total", vec!["1"; n].join(" + "))
}

/// The deep statements of issue 18 run in `kg run` (5,000 `OR`s, 5,000 `WITH`s, 10,000 `+`);
/// one past the limit fails with a clear error, not `stack overflow` and exit 134, and the
/// transaction opened before it commits what it wrote.
#[test]
fn kg_run_survives_deep_statements_and_keeps_the_transaction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let script = format!(
        "BEGIN;\nCREATE (:Kept {{v: 1}});\n{};\n{};\n{};\nRETURN {}1 AS negated;\nCOMMIT;\n",
        or_chain(5_000),
        with_chain(5_000),
        plus_chain(10_000),
        "- ".repeat(30_000)
    );
    std::fs::write(dir.path().join("deep.cypher"), script).expect("write script");
    let mut cmd = kg(dir.path(), "d.db");
    cmd.args(["run", "--continue-on-error", "deep.cypher"]);
    let (code, out, err) = output(cmd);
    assert_eq!(code, Some(1), "stdout: {out}\nstderr: {err}");
    assert!(!err.contains("overflow"), "{err}");
    assert!(
        err.contains("deep.cypher:6:") && err.contains("expression nested too deeply"),
        "{err}"
    );
    // The error line is a window around the caret, not the whole 60,000-character line.
    assert!(err.len() < 1_000, "{} bytes of error:\n{err}", err.len());
    assert!(out.contains("| 10000 |"), "{out}");
    assert!(out.contains("chained"), "{out}");
    assert_eq!(
        query(dir.path(), "d.db", "MATCH (k:Kept) RETURN count(k) AS kept").replace('\r', ""),
        "kept\n1\n"
    );
}

/// `kg query` with an expression past the depth limit: exit 1 and the reason.
#[test]
fn kg_query_refuses_an_expression_past_the_depth_limit() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut cmd = kg(dir.path(), "q.db");
    cmd.args(["query", &plus_chain(30_000)]);
    let (code, out, err) = output(cmd);
    assert_eq!(code, Some(1), "stdout: {out}\nstderr: {err}");
    assert!(err.contains("expression nested too deeply"), "{err}");
    assert!(err.contains("20000"), "{err}");
    let mut cmd = kg(dir.path(), "q.db");
    cmd.args(["query", &with_chain(12_000)]);
    let (code, _, err) = output(cmd);
    assert_eq!(code, Some(1), "{err}");
    assert!(err.contains("more than 10000 clauses"), "{err}");
}

/// In the REPL: an open transaction, a deep statement typed over many lines fails with a clear
/// error, the shell stays up and still in the transaction, and COMMIT keeps the earlier write.
#[test]
fn repl_deep_statement_fails_cleanly_inside_a_transaction() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut sh = Shell::start(dir.path(), "r.db");
    sh.send("BEGIN;\r");
    sh.expect("kg#> ");
    sh.send("CREATE (:Kept {v: 1});\r");
    sh.expect("kg#> ");
    // Lines shorter than the terminal, so each prompt is drawn once.
    sh.send("RETURN\r");
    sh.expect(r"\.\.\.> ");
    // 25,020 unary minus signs, 30 a line.
    for _ in 0..834 {
        sh.send(&format!("{}\r", "- ".repeat(30)));
        sh.expect(r"\.\.\.> ");
    }
    sh.send("1 AS x;\r");
    sh.expect("expression nested too deeply");
    sh.expect("kg#> ");
    // A deep statement under the limit runs: 3,000 terms, 30 a line.
    sh.send("RETURN 0\r");
    for _ in 0..100 {
        sh.expect(r"\.\.\.> ");
        sh.send(&format!("{}\r", "+1".repeat(30)));
    }
    sh.expect(r"\.\.\.> ");
    sh.send("AS total;\r");
    sh.expect(r"\| +3000 \|");
    sh.expect("kg#> ");
    sh.send("COMMIT;\r");
    sh.expect("kg> ");
    sh.send("MATCH (k:Kept) RETURN count(k) AS kept;\r");
    sh.expect(r"\| +1 \|");
    sh.quit();
}

/// `:export dot FILE` without a query writes the last result as it was returned: the CREATE
/// that produced it runs once. Before any result it refuses with a message.
#[test]
fn repl_export_without_a_query_never_runs_the_statement_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut sh = Shell::start(dir.path(), "e.db");
    sh.send(":export dot early.dot\r");
    sh.expect("nothing to export yet");
    sh.expect("kg> ");
    assert!(!dir.path().join("early.dot").exists());
    sh.send("CREATE (x:Note {title: 'only once'}) RETURN x;\r");
    sh.expect("1 row");
    sh.expect("kg> ");
    sh.send(":export dot note.dot\r");
    sh.expect("exported 1 nodes and 0 relationships");
    sh.expect("kg> ");
    sh.send("MATCH (n:Note) RETURN count(n) AS notes;\r");
    sh.expect(r"\| +1 \|");
    sh.expect("kg> ");
    sh.quit();
    let dot = std::fs::read_to_string(dir.path().join("note.dot")).expect("note.dot written");
    assert!(dot.contains("only once"), "{dot}");
}

/// Several statements pasted at once without bracketed paste (one write, as a terminal without
/// it or a slow `ssh` delivers them) all run, in order: rustyline 14 read them into its buffer
/// with the first line and dropped the rest when it returned that line (issue 18 item 4).
/// More than 1 KiB, so the paste spans several reads of that buffer.
#[test]
fn repl_runs_every_statement_of_a_paste_in_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut sh = Shell::start(dir.path(), "p.db");
    let mut paste = String::from(
        "CREATE (:Pasted {n: 0});\rMATCH (p:Pasted)\rSET p.n = p.n + 1\rRETURN p.n AS once;\r",
    );
    for i in 1..=40 {
        paste.push_str(&format!(
            "CREATE (:Pasted {{n: {i}}}) RETURN 'pasted statement {i:02}' AS s;\r"
        ));
    }
    paste.push_str("MATCH (p:Pasted) RETURN count(p) AS pasted;\r");
    assert!(paste.len() > 2048);
    sh.send(&paste);
    sh.expect(r"\| +1 +\|");
    for i in 1..=40 {
        sh.expect(&format!(r"\| pasted statement {i:02} \|"));
    }
    sh.expect(r"\| +41 +\|");
    sh.expect("kg> ");
    sh.quit();
}

/// Lines typed while a long statement runs are kept and run after it, in order, each of them:
/// the first used to run and the rest were lost.
#[test]
fn repl_keeps_lines_typed_while_a_statement_runs() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut sh = Shell::start(dir.path(), "k.db");
    sh.send("UNWIND range(1, 3000000) AS i WITH count(i) AS c RETURN c * 0 + 7 AS long_done;\r");
    std::thread::sleep(Duration::from_millis(150));
    for line in [
        "RETURN 'typed one' AS t;\r",
        "CREATE (:Ahead {k: 2});\r",
        "MATCH (a:Ahead)\r",
        "RETURN a.k * 21 AS typed_three;\r",
        ":mode line\r",
        "RETURN 'typed five' AS t5;\r",
    ] {
        sh.send(line);
        std::thread::sleep(Duration::from_millis(40));
    }
    sh.expect(r"\| +7 +\|");
    sh.expect(r"\| typed one \|");
    sh.expect(r"\| +42 +\|");
    sh.expect("output mode: line");
    sh.expect(r"t5 \| typed five");
    sh.expect("kg> ");
    sh.quit();
}

/// A paste in bracketed-paste mode (what terminals send when the shell asks for it, as it does)
/// stays in the input line until Enter, then runs as a script: every statement, in order.
#[test]
fn repl_runs_a_bracketed_paste_as_a_script() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut sh = Shell::start(dir.path(), "b.db");
    sh.send("\x1b[200~RETURN 'p1' AS a;\rRETURN 'p2'\rAS b;\rRETURN 'p3' AS c;\r\x1b[201~");
    sh.send("\r");
    sh.expect(r"\| p1 +\|");
    sh.expect(r"\| p2 +\|");
    sh.expect(r"\| p3 +\|");
    sh.expect("kg> ");
    sh.quit();
}

/// A chain of 20,000 nodes: `algo.betweenness` on it takes about ten seconds.
fn chain(dir: &Path, db: &str) {
    for q in [
        "UNWIND range(1, 20000) AS i CREATE (:P {i: i})",
        "CREATE INDEX FOR (n:P) ON (n.i)",
        "MATCH (a:P) MATCH (b:P {i: a.i + 1}) CREATE (a)-[:N]->(b)",
    ] {
        query(dir, db, q);
    }
}

/// `--timeout` stops an algorithm inside a procedure (it used to fire only when the algorithm
/// had finished), and so does Ctrl-C in the REPL.
#[test]
fn timeout_and_ctrl_c_stop_an_algorithm() {
    let dir = tempfile::tempdir().expect("tempdir");
    chain(dir.path(), "a.db");
    let started = std::time::Instant::now();
    let mut cmd = kg(dir.path(), "a.db");
    cmd.args([
        "--timeout",
        "300",
        "query",
        "CALL algo.betweenness() YIELD node, score RETURN max(score)",
    ]);
    let (code, out, err) = output(cmd);
    let took = started.elapsed();
    assert_eq!(code, Some(1), "stdout: {out}\nstderr: {err}");
    assert!(err.contains("timed out after 300 ms"), "{err}");
    assert!(took < Duration::from_secs(4), "took {took:?}");

    let mut sh = Shell::start(dir.path(), "a.db");
    sh.send("CALL algo.betweenness() YIELD node, score RETURN max(score);\r");
    std::thread::sleep(Duration::from_millis(700));
    let pressed = std::time::Instant::now();
    sh.send("\x03");
    sh.expect("cancel");
    sh.expect("kg> ");
    let waited = pressed.elapsed();
    assert!(waited < Duration::from_secs(3), "Ctrl-C took {waited:?}");
    sh.send("RETURN 'still here' AS s;\r");
    sh.expect("still here");
    sh.quit();
}

/// Tables at 80 columns (issue 18 items 1 and 2): an entity shows its name first and leaves
/// out empty lists, a path is a chain of names, a number or a header is never cut into
/// something else, a row that cannot fit switches to one field per line (also `:mode line`),
/// and the width is read when a result is printed.
#[test]
fn repl_tables_are_readable_at_80_columns() {
    let dir = tempfile::tempdir().expect("tempdir");
    query(
        dir.path(),
        "t.db",
        "CREATE (d:Organization:Lab {name: 'DeepSeek', aliases: [], as_of: '2026-06', \
         city: 'Hangzhou', note: 'Hangzhou LLM lab; its June 2026 Series A was the first money \
         it took from outside investors'})-[:RAISED {amount: 7400000000.0}]->\
         (:Round {name: 'DeepSeek Series A', aliases: []})",
    );
    let mut sh = Shell::start(dir.path(), "t.db");
    sh.session
        .get_process_mut()
        .set_window_size(80, 40)
        .expect("resize the pty");
    // Too wide for 80 columns without cutting the amount or a name: one field per line.
    sh.send("MATCH (n:Lab)-[r]->(m) RETURN n, r, m;\r");
    let table = sh.expect(r"1 row");
    assert!(table.contains("-[ RECORD 1 ]"), "{table}");
    assert!(
        table.contains("n | (:Organization:Lab {name: 'DeepSeek'"),
        "{table}"
    );
    assert!(
        table.contains("r | [:RAISED {amount: 7400000000.0}]"),
        "{table}"
    );
    assert!(
        table.contains("m | (:Round {name: 'DeepSeek Series A'})"),
        "{table}"
    );
    assert!(!table.contains("aliases"), "{table}");
    sh.expect("kg> ");
    // A node fits when its long properties are cut between entries.
    sh.send("MATCH (n:Lab)-[r]->(m) RETURN n, m.name;\r");
    let table = sh.expect(r"1 row");
    assert!(
        table.contains("| (:Organization:Lab {name: 'DeepSeek', "),
        "{table}"
    );
    assert!(table.contains("…"), "{table}");
    sh.expect("kg> ");
    sh.send("MATCH p = (:Lab)-[:RAISED]->() RETURN p;\r");
    let table = sh.expect(r"1 row");
    assert!(
        table.contains("(DeepSeek)-[:RAISED]->(DeepSeek Series A)"),
        "{table}"
    );
    sh.expect("kg> ");
    sh.send(
        "MATCH (f:Lab)-[r:RAISED]->(x) RETURN f.name, r.amount AS `f.amount_usd`, \
         r.amount AS `f.amount_cny`, x.name, f.note;\r",
    );
    let table = sh.expect(r"1 row");
    assert!(table.contains("7400000000.0"), "{table}");
    assert!(table.contains("f.amount_usd"), "{table}");
    assert!(table.contains("f.amount_cny"), "{table}");
    sh.expect("kg> ");
    // Headers alone wider than the terminal: one field per line.
    let wide = "x".repeat(50);
    sh.send(&format!("RETURN 1 AS a{wide}, 2 AS b{wide};\r"));
    let records = sh.expect(r"1 row");
    assert!(records.contains("-[ RECORD 1 ]"), "{records}");
    assert!(records.contains(&format!("b{wide} | 2")), "{records}");
    sh.expect("kg> ");
    sh.send(":mode line\r");
    sh.expect("output mode: line");
    sh.expect("kg> ");
    sh.send("RETURN 'short' AS s;\r");
    let records = sh.expect(r"1 row");
    assert!(records.contains("s | short"), "{records}");
    sh.expect("kg> ");
    sh.send(":mode table\r");
    sh.expect("kg> ");
    // Resized while the statement runs: the result fits the new width.
    let long = "y".repeat(150);
    sh.send(&format!(
        "UNWIND range(1, 6000) AS i UNWIND range(1, 5000) AS j WITH count(j) AS c \
         RETURN c, '{long}' AS t;\r"
    ));
    // The statement runs for seconds; a resize that lands before it starts is fine too (the
    // width is read when the result is printed), one after it ended is what must not happen.
    std::thread::sleep(Duration::from_millis(150));
    sh.session
        .get_process_mut()
        .set_window_size(200, 40)
        .expect("resize the pty");
    let table = sh.expect(r"1 row");
    assert!(table.contains(&format!("| {long} |")), "{table}");
    assert!(table.contains("| 30000000 |"), "{table}");
    sh.quit();
}
