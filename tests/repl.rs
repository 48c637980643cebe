//! The interactive shell in a pseudo-terminal (expectrl): multi-line statements, Tab
//! completion from the catalog, Ctrl-C cancelling a long query, history across sessions.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::{Regex, Session};

const KG: &str = env!("CARGO_BIN_EXE_kg");

fn kg_command(dir: &Path, db: &str) -> Command {
    let mut cmd = Command::new(KG);
    cmd.current_dir(dir)
        .args(["--db", db])
        .env_remove("KG_DB")
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    cmd
}

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

struct Shell {
    session: Session,
    /// Everything read so far, for failure messages.
    seen: String,
}

impl Shell {
    fn start(dir: &Path, db: &str) -> Shell {
        let mut session = Session::spawn(kg_command(dir, db)).expect("spawn kg in a pty");
        session.set_expect_timeout(Some(Duration::from_secs(30)));
        let mut shell = Shell {
            session,
            seen: String::new(),
        };
        shell.expect("type :help");
        shell.expect("kg> ");
        shell
    }

    fn expect(&mut self, pattern: &str) -> String {
        match self.session.expect(Regex(pattern)) {
            Ok(found) => {
                let text = String::from_utf8_lossy(found.as_bytes()).into_owned();
                self.seen.push_str(&text);
                text
            }
            Err(e) => {
                // Show what arrived after the last match too.
                let mut rest = Vec::new();
                let mut buf = [0u8; 4096];
                while let Ok(n) = self.session.try_read(&mut buf) {
                    if n == 0 {
                        break;
                    }
                    rest.extend_from_slice(&buf[..n]);
                }
                panic!(
                    "expected /{pattern}/: {e}\n--- terminal output so far ---\n{}\n--- unmatched ---\n{}",
                    self.seen,
                    String::from_utf8_lossy(&rest)
                )
            }
        }
    }

    fn send(&mut self, text: &str) {
        self.session.send(text).expect("send to pty");
    }
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
    let mut cmd = Command::new(KG);
    cmd.current_dir(dir.path())
        .env_remove("KG_DB")
        .env("HOME", dir.path())
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    let mut session = Session::spawn(cmd).expect("spawn kg in a pty");
    session.set_expect_timeout(Some(Duration::from_secs(60)));
    let mut sh = Shell {
        session,
        seen: String::new(),
    };
    sh.expect("kg.db");
    sh.expect("kg> ");
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
