//! The `kg` binary as the tests that run it whole use it: a command on one database, with no
//! `KG_DB` from the environment and no colour, and an assertion that it succeeded.

use std::path::Path;
use std::process::{Command, Output};

/// `kg --db DB` (add the subcommand and its arguments).
pub fn kg(db: &Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_kg"));
    c.env_remove("KG_DB")
        .env("NO_COLOR", "1")
        .arg("--db")
        .arg(db);
    c
}

/// `out`, after asserting that the command succeeded (its exit code and both streams otherwise).
#[allow(dead_code)] // not every test that runs `kg` asserts through it
pub fn ok(out: Output) -> Output {
    assert!(
        out.status.success(),
        "exit {:?}\n--- stdout ---\n{}\n--- stderr ---\n{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The CSV `kg --threads THREADS query --format csv Q` prints on `db`, after asserting that it
/// succeeded: how the tests of parallel paths compare one thread's answer with several's.
#[allow(dead_code)] // not every test that runs `kg` compares thread counts
pub fn csv_on_threads(db: &Path, threads: &str, q: &str) -> String {
    let out = ok(kg(db)
        .args(["--threads", threads, "query", "--format", "csv", q])
        .output()
        .expect("kg query"));
    String::from_utf8(out.stdout).expect("utf-8")
}
