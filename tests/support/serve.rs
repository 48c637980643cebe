//! A `kg serve` child process on free ports for the real-client tests (tests/server_js.rs,
//! tests/server_langchain.rs), and how those tests find their clients. Included with
//! `#[path = "support/serve.rs"] mod serve;`.
//!
//! Clients come from the environment, as in tests/server_bolt.rs: `KG_PY` lists Python
//! interpreters (separated by `:`) with the official `neo4j` driver, `KG_NODE_PATH` (or
//! `KG_NODE_MODULES`) names a `node_modules` directory holding `neo4j-driver`. When they are
//! unset a test prints that it was skipped and passes, unless `KG_REQUIRE_DRIVERS` is set (CI).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

pub struct KgServer {
    child: Child,
    pub dir: PathBuf,
    pub bolt: String,
    pub http: Option<String>,
    _tmp: Option<tempfile::TempDir>,
}

impl KgServer {
    /// `kg serve` on a new database, Bolt and HTTP on free loopback ports.
    pub fn start(extra: &[&str]) -> KgServer {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().to_path_buf();
        let mut s = KgServer::start_in(&dir, extra);
        s._tmp = Some(tmp);
        s
    }

    /// `kg serve` on `dir/db` (kept when the server stops, for a restart), log in `dir/serve.log`.
    pub fn start_in(dir: &Path, extra: &[&str]) -> KgServer {
        let db = dir.join("db");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.join("serve.log"))
            .unwrap();
        let file = db.join("kg.server");
        let old = std::fs::read_to_string(&file).ok();
        let child = Command::new(env!("CARGO_BIN_EXE_kg"))
            .arg("--db")
            .arg(&db)
            .args(["serve", "--bolt", "127.0.0.1:0", "--http", "127.0.0.1:0"])
            .args(extra)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap();
        let mut server = KgServer {
            child,
            dir: dir.to_path_buf(),
            bolt: String::new(),
            http: None,
            _tmp: None,
        };
        let deadline = Instant::now() + Duration::from_secs(60);
        loop {
            if let Ok(text) = std::fs::read_to_string(&file) {
                if Some(&text) != old.as_ref() {
                    if let Ok(v) = serde_json::from_str::<serde_json::Value>(&text) {
                        if v["pid"].as_u64() == Some(u64::from(server.child.id())) {
                            if let Some(b) = v["bolt"].as_str() {
                                server.bolt = b.to_string();
                                server.http = v["http"].as_str().map(str::to_string);
                                return server;
                            }
                        }
                    }
                }
            }
            if let Ok(Some(status)) = server.child.try_wait() {
                panic!("kg serve exited with {status}: {}", server.log());
            }
            assert!(
                Instant::now() < deadline,
                "kg serve did not start: {}",
                server.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(self.dir.join("serve.log")).unwrap_or_default()
    }

    pub fn db(&self) -> PathBuf {
        self.dir.join("db")
    }

    /// SIGKILL, and waits for the process.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// SIGTERM, then waits (bounded, then SIGKILL); the exit status if it stopped by itself.
    pub fn stop(&mut self) -> Option<std::process::ExitStatus> {
        if let Ok(Some(s)) = self.child.try_wait() {
            return Some(s);
        }
        // SAFETY: signalling our own child process by its pid.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(20);
        while Instant::now() < deadline {
            if let Ok(Some(s)) = self.child.try_wait() {
                return Some(s);
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        self.kill();
        None
    }
}

impl Drop for KgServer {
    fn drop(&mut self) {
        self.stop();
    }
}

fn required() -> bool {
    std::env::var_os("KG_REQUIRE_DRIVERS").is_some()
}

/// The Python interpreters of `KG_PY` that can import every module in `modules`; none (with a
/// "skipped" line) when `KG_PY` is unset.
pub fn pythons_with(test: &str, modules: &[&str]) -> Vec<String> {
    let list: Vec<String> = std::env::var("KG_PY")
        .unwrap_or_default()
        .split(':')
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect();
    if list.is_empty() {
        assert!(
            !required(),
            "{test}: KG_REQUIRE_DRIVERS is set but KG_PY is not"
        );
        eprintln!("skipped {test}: KG_PY not set (see .ci/run)");
        return list;
    }
    let imports = modules.join(", ");
    let fit: Vec<String> = list
        .into_iter()
        .filter(|py| {
            Command::new(py)
                .args(["-c", &format!("import {imports}")])
                .output()
                .is_ok_and(|o| o.status.success())
        })
        .collect();
    if fit.is_empty() {
        assert!(
            !required(),
            "{test}: KG_REQUIRE_DRIVERS is set but no Python in KG_PY imports {imports}"
        );
        eprintln!("skipped {test}: no Python in KG_PY imports {imports} (see .ci/run)");
    }
    fit
}

/// The `node_modules` directory holding `neo4j-driver`, or none (with a "skipped" line).
pub fn node_modules(test: &str) -> Option<PathBuf> {
    let dir = ["KG_NODE_PATH", "KG_NODE_MODULES"]
        .iter()
        .filter_map(std::env::var_os)
        .find(|p| !p.is_empty())
        .map(PathBuf::from);
    match dir {
        Some(d) if d.join("neo4j-driver").is_dir() => Some(d),
        Some(d) => {
            assert!(!required(), "{test}: {} holds no neo4j-driver", d.display());
            eprintln!("skipped {test}: {} holds no neo4j-driver", d.display());
            None
        }
        None => {
            assert!(
                !required(),
                "{test}: KG_REQUIRE_DRIVERS is set but KG_NODE_PATH is not"
            );
            eprintln!("skipped {test}: KG_NODE_PATH not set (see .ci/run)");
            None
        }
    }
}

pub fn script(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/server")
        .join(rel)
}

/// Runs a client script to its end (bounded by `limit`); its output, or a panic with both
/// outputs and the server's log when it fails or does not print "all checks passed".
pub fn run_client(mut cmd: Command, limit: Duration, server: &KgServer) -> String {
    let what = format!("{cmd:?}");
    let mut child = cmd
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {what}: {e}"));
    let deadline = Instant::now() + limit;
    while child.try_wait().unwrap().is_none() {
        if Instant::now() > deadline {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "{what} did not finish in {limit:?}:\n{}\n{}\nserver log:\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr),
                server.log()
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out: Output = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(
        out.status.success() && stdout.contains("all checks passed"),
        "{what} failed:\n{stdout}\n{}\nserver log:\n{}",
        String::from_utf8_lossy(&out.stderr),
        server.log()
    );
    stdout
}

/// `kg check` on `db` passes.
pub fn kg_check(db: &Path) {
    let out = Command::new(env!("CARGO_BIN_EXE_kg"))
        .arg("--db")
        .arg(db)
        .arg("check")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kg check: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}
