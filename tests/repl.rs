//! The interactive shell in a pseudo-terminal (expectrl): multi-line statements, Tab
//! completion from the catalog, Ctrl-C cancelling a long query, history across sessions.

use std::path::Path;
use std::time::Duration;

#[path = "support/pty.rs"]
mod pty;

use pty::{kg_command, kg_in, Shell};

/// Creates the database with a few labels through the non-interactive command.
fn prepare(dir: &Path, db: &str, cypher: &str) {
    let out = kg_command(dir, db)
        .args(["query", cypher])
        .output()
        .expect("run kg query");
    assert!(
        out.status.success(),
        "prepare failed\nstdout: {}\nstderr: {}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn multi_line_statement_prints_its_table() {
    let dir = tempfile::tempdir().expect("tempdir");
    prepare(
        dir.path(),
        "m.db",
        "CREATE (:Company {name: 'DeepSeek'}), (:Company {name: 'Moonshot'})",
    );
    let mut sh = Shell::start(dir.path(), "m.db");
    sh.send("MATCH (c:Company)\r");
    sh.expect(r"\.\.\.> ");
    sh.send("RETURN c.name AS name\r");
    sh.expect(r"\.\.\.> ");
    sh.send("ORDER BY name;\r");
    let table = sh.expect(r"2 rows \(\d+ ms\)");
    assert!(table.contains("| name "), "{}", sh.seen);
    assert!(table.contains("| DeepSeek"), "{}", sh.seen);
    assert!(table.contains("| Moonshot"), "{}", sh.seen);
    sh.expect("kg> ");
    sh.send(":quit\r");
    assert!(sh.session.get_process_mut().wait().is_ok());
}

#[test]
fn tab_completes_a_label_from_the_seed_graph() {
    let dir = tempfile::tempdir().expect("tempdir");
    // No --db: the default ./kg.db is created with the seed graph.
    let mut sh = Shell::spawn(kg_in(dir.path()), "kg.db");
    // `ChipMaker` is a label of the seed graph; nothing else starts with `ChipM`.
    sh.send("MATCH (c:ChipM");
    sh.send("\t");
    sh.expect("ChipMaker");
    sh.send(") RETURN count(c) > 0 AS found;\r");
    sh.expect(r"\| true +\|");
    sh.expect(r"1 row \(\d+ ms\)");
    sh.send(":quit\r");
}

#[test]
fn ctrl_c_cancels_a_long_query_and_keeps_the_shell() {
    let dir = tempfile::tempdir().expect("tempdir");
    prepare(dir.path(), "c.db", "CREATE (:Kept {n: 1})");
    let mut sh = Shell::start(dir.path(), "c.db");
    sh.send("UNWIND range(1, 100000) AS x UNWIND range(1, 100000) AS y RETURN count(*);\r");
    std::thread::sleep(Duration::from_millis(800));
    sh.send("\x03");
    sh.expect("cancel");
    sh.expect("kg> ");
    // Ctrl-C at the prompt clears the input instead of leaving.
    sh.send("MATCH (n) RETURN garbage");
    sh.send("\x03");
    sh.expect("kg> ");
    sh.send("MATCH (k:Kept) RETURN k.n AS n;\r");
    sh.expect(r"1 row \(\d+ ms\)");
    sh.send("\x04");
    let status = sh.session.get_process_mut().wait();
    assert!(status.is_ok(), "{}", sh.seen);
}

#[test]
fn history_survives_into_the_next_session() {
    let dir = tempfile::tempdir().expect("tempdir");
    let mut sh = Shell::start(dir.path(), "h.db");
    sh.send("RETURN 4242 AS remembered;\r");
    sh.expect(r"1 row");
    sh.expect("kg> ");
    sh.send(":quit\r");
    let _ = sh.session.get_process_mut().wait();
    assert!(dir.path().join(".kg_history").exists());

    let mut sh = Shell::start(dir.path(), "h.db");
    // Up arrow recalls the previous session's entries: `:quit`, then the query.
    sh.send("\x1b[A");
    sh.expect(":quit");
    sh.send("\x1b[A");
    sh.expect("RETURN 4242 AS remembered;");
    sh.send("\r");
    sh.expect(r"\| +4242 \|");
    sh.send(":quit\r");
}

/// Tab after a function namespace completes the function, not a property key that happens to
/// start the same way (issue 18 item 9: `date.tr` became `date.trading_name`).
#[test]
fn tab_completes_a_namespaced_function_before_a_property_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    prepare(dir.path(), "f.db", "CREATE (:Company {trading_name: 'DS'})");
    let mut sh = Shell::start(dir.path(), "f.db");
    // `date.tr` lists date.transaction and date.truncate (and no property key).
    sh.send("RETURN date.tru");
    sh.send("\t");
    sh.expect("date.truncate");
    sh.send("('month', date('2026-06-15')) AS m;\r");
    sh.expect(r"\| 2026-06-01 \|");
    sh.expect("kg> ");
    sh.send("MATCH (c:Company) RETURN c.tr");
    sh.send("\t");
    sh.expect("c.trading_name");
    sh.send(" AS t;\r");
    sh.expect(r"\| DS +\|");
    sh.quit();
}
