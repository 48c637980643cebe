//! The `kg` shell in a pseudo-terminal (expectrl), as a user meets it: a command in an isolated
//! directory and a [`Shell`] that sends keystrokes and waits for patterns, dumping what the
//! terminal showed when a pattern never comes. Included with
//! `#[path = "support/pty.rs"] mod pty;` by tests/repl.rs and tests/shell_user.rs.
#![allow(dead_code)]

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use expectrl::{Regex, Session};

pub const KG: &str = env!("CARGO_BIN_EXE_kg");

/// `kg --db DB` run in `dir`, with `HOME` there (history), no colour and a plain terminal.
pub fn kg_command(dir: &Path, db: &str) -> Command {
    let mut cmd = kg_in(dir);
    cmd.args(["--db", db]);
    cmd
}

/// `kg` run in `dir` without `--db` (the default `./kg.db`, created with the seed graph).
pub fn kg_in(dir: &Path) -> Command {
    let mut cmd = Command::new(KG);
    cmd.current_dir(dir)
        .env_remove("KG_DB")
        .env("HOME", dir)
        .env("NO_COLOR", "1")
        .env("TERM", "xterm");
    cmd
}

pub struct Shell {
    pub session: Session,
    /// Everything matched so far, for failure messages.
    pub seen: String,
}

impl Shell {
    /// The REPL on `db` in `dir`, once its banner and first prompt are shown.
    pub fn start(dir: &Path, db: &str) -> Shell {
        Shell::spawn(kg_command(dir, db), "type :help")
    }

    /// Any `kg` command in a pty, once `ready` and then the first prompt are shown.
    pub fn spawn(cmd: Command, ready: &str) -> Shell {
        let mut session = Session::spawn(cmd).expect("spawn kg in a pty");
        // Generous: the machine may be shared by several builds and test runs.
        session.set_expect_timeout(Some(Duration::from_secs(90)));
        let mut shell = Shell {
            session,
            seen: String::new(),
        };
        shell.expect(ready);
        shell.expect("kg> ");
        shell
    }

    /// Waits for `pattern` (a regex) and returns everything up to and including the match.
    pub fn expect(&mut self, pattern: &str) -> String {
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
                let tail: String = {
                    let chars: Vec<char> = self.seen.chars().collect();
                    chars[chars.len().saturating_sub(3000)..].iter().collect()
                };
                panic!(
                    "expected /{pattern}/: {e}\n--- terminal output (end) ---\n{tail}\n\
                     --- unmatched ---\n{}",
                    String::from_utf8_lossy(&rest)
                )
            }
        }
    }

    pub fn send(&mut self, text: &str) {
        self.session.send(text).expect("send to pty");
    }

    /// `:quit`, then waits for the process to end.
    pub fn quit(mut self) {
        self.send(":quit\r");
        let _ = self.session.get_process_mut().wait();
    }
}
