//! `kg serve` over Bolt: the official Neo4j Python drivers (which nobody here wrote) and raw
//! protocol checks (state machine, authentication, hostile input).
//!
//! The driver tests need Python interpreters with the `neo4j` package: `KG_PY` lists them,
//! separated by `:` (`.ci/run` builds venvs with the latest 6.x and 5.28.x and sets it). Without
//! `KG_PY` those tests print that they were skipped, unless `KG_REQUIRE_DRIVERS` is set (CI),
//! where that is a failure. `KG_NODE_PATH` likewise names a `node_modules` directory holding
//! the JavaScript `neo4j-driver`, and `KG_PY_LANGCHAIN` a Python with `langchain-neo4j`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::process::Command;
use std::time::{Duration, Instant};

use kgstore::server::bolt::packstream::{self, PackValue};
use kgstore::server::bolt::wire;

#[path = "support/serve.rs"]
mod serve;
use serve::{script, KgServer};

/// The Python interpreters of `KG_PY` with the official driver (none, with a "skipped" line,
/// when it is unset outside CI).
fn pythons(test: &str) -> Vec<String> {
    serve::pythons_with(test, &["neo4j"])
}

fn run_python(python: &str, script_name: &str, args: &[&str], server: &KgServer) {
    let out = Command::new(python)
        .arg(script(script_name))
        .args(args)
        .output()
        .unwrap_or_else(|e| panic!("cannot run {python}: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success() && stdout.contains("all checks passed"),
        "{python} {script_name} {args:?} failed:\n{stdout}\n{stderr}\nserver log:\n{}",
        server.log()
    );
    eprintln!(
        "{python} {script_name} {}: {}",
        args[0],
        stdout.lines().next().unwrap_or("")
    );
}

#[test]
fn official_python_drivers_over_bolt_and_neo4j_urls() {
    let pys = pythons("official_python_drivers_over_bolt_and_neo4j_urls");
    if pys.is_empty() {
        return;
    }
    let server = KgServer::start(&[]);
    for py in &pys {
        for scheme in ["bolt", "neo4j"] {
            let url = format!("{scheme}://{}", server.bolt);
            run_python(
                py,
                "driver_basics.py",
                &[&url, "neo4j", "anything"],
                &server,
            );
        }
    }
}

#[test]
fn call_in_transactions_through_the_python_driver() {
    let pys = pythons("call_in_transactions_through_the_python_driver");
    if pys.is_empty() {
        return;
    }
    let server = KgServer::start(&[]);
    for py in &pys {
        let url = format!("bolt://{}", server.bolt);
        run_python(
            py,
            "in_transactions.py",
            &[&url, "neo4j", "anything"],
            &server,
        );
    }
}

#[test]
fn official_javascript_driver_over_bolt_and_neo4j_urls() {
    let test = "official_javascript_driver_over_bolt_and_neo4j_urls";
    let Some(modules) = serve::node_modules(test) else {
        return;
    };
    let server = KgServer::start(&["--auth", "neo4j:js-secret"]);
    for scheme in ["bolt", "neo4j"] {
        let url = format!("{scheme}://{}", server.bolt);
        let out = Command::new("node")
            .arg(script("driver_basics.cjs"))
            .args([url.as_str(), "neo4j", "js-secret"])
            .env("NODE_PATH", &modules)
            .output()
            .unwrap_or_else(|e| panic!("cannot run node: {e}"));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            out.status.success() && stdout.contains("all checks passed"),
            "node driver_basics.cjs {url} failed:\n{stdout}\n{}\nserver log:\n{}",
            String::from_utf8_lossy(&out.stderr),
            server.log()
        );
        eprintln!(
            "node driver_basics.cjs {url}: {}",
            stdout.lines().next().unwrap_or("")
        );
    }
}

#[test]
fn official_python_drivers_authenticate() {
    let pys = pythons("official_python_drivers_authenticate");
    if pys.is_empty() {
        return;
    }
    let server = KgServer::start(&["--auth", "neo4j:correct-horse"]);
    for py in &pys {
        let url = format!("neo4j://{}", server.bolt);
        run_python(py, "auth.py", &[&url, "neo4j", "correct-horse"], &server);
    }
}

#[test]
fn langchain_neo4j_graph_reads_the_schema_and_queries() {
    let test = "langchain_neo4j_graph_reads_the_schema_and_queries";
    let Some(py) = std::env::var("KG_PY_LANGCHAIN")
        .ok()
        .filter(|p| !p.is_empty())
    else {
        if std::env::var_os("KG_REQUIRE_DRIVERS").is_some() {
            panic!("{test}: KG_REQUIRE_DRIVERS is set but KG_PY_LANGCHAIN names no Python with langchain-neo4j");
        }
        eprintln!(
            "SKIPPED {test}: set KG_PY_LANGCHAIN to a Python with langchain-neo4j (see .ci/run)"
        );
        return;
    };
    let server = KgServer::start(&["--auth", "neo4j:lc-secret"]);
    let url = format!("neo4j://{}", server.bolt);
    run_python(&py, "langchain.py", &[&url, "neo4j", "lc-secret"], &server);
}

/// Constraints of every kind in SHOW CONSTRAINTS, `db.schema.visualization()` and the APOC
/// schema procedures, read through the official driver (one interpreter is enough).
#[test]
fn every_constraint_kind_is_listed_through_the_driver() {
    let pys = pythons("every_constraint_kind_is_listed_through_the_driver");
    let Some(py) = pys.first() else {
        return;
    };
    let server = KgServer::start(&[]);
    let url = format!("bolt://{}", server.bolt);
    run_python(py, "schema_listing.py", &[&url, "neo4j", "x"], &server);
}

#[test]
fn thirty_two_python_clients_read_and_write_at_once() {
    let pys = pythons("thirty_two_python_clients_read_and_write_at_once");
    let Some(py) = pys.first() else {
        return;
    };
    let mut server = KgServer::start(&[]);
    let url = format!("bolt://{}", server.bolt);
    run_python(
        py,
        "concurrency.py",
        &[&url, "neo4j", "x", "32", "5"],
        &server,
    );
    assert!(
        server.stop().is_some_and(|s| s.success()),
        "{}",
        server.log()
    );
    let out = Command::new(env!("CARGO_BIN_EXE_kg"))
        .arg("--db")
        .arg(server.db())
        .arg("check")
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "kg check after the run: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

// ---- A minimal Bolt client on our PackStream, for what drivers would never send. ----

struct Raw {
    s: TcpStream,
}

fn st(tag: u8, fields: Vec<PackValue>) -> PackValue {
    PackValue::Struct { tag, fields }
}

fn map(entries: &[(&str, PackValue)]) -> PackValue {
    PackValue::map(entries.iter().map(|(k, v)| (k.to_string(), v.clone())))
}

fn s(x: &str) -> PackValue {
    PackValue::String(x.into())
}

impl Raw {
    /// Connects and offers `proposals`; the agreed version bytes.
    fn connect(addr: &str, proposals: [u8; 16]) -> (Raw, [u8; 4]) {
        let mut s = TcpStream::connect(addr).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        s.write_all(&wire::PREAMBLE).unwrap();
        s.write_all(&proposals).unwrap();
        let mut v = [0u8; 4];
        s.read_exact(&mut v).unwrap();
        (Raw { s }, v)
    }

    /// Bolt 5.4, HELLO and LOGON without credentials.
    fn ready(addr: &str) -> Raw {
        let (mut c, v) = Raw::connect(addr, [0, 4, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]);
        assert_eq!(v, [0, 0, 4, 5]);
        c.send(&st(wire::HELLO, vec![map(&[("user_agent", s("raw/1"))])]));
        assert_eq!(c.recv().0, wire::SUCCESS);
        c.send(&st(wire::LOGON, vec![map(&[("scheme", s("none"))])]));
        assert_eq!(c.recv().0, wire::SUCCESS);
        c
    }

    fn send(&mut self, msg: &PackValue) {
        let mut out = Vec::new();
        wire::chunk_into(&packstream::encode(msg).unwrap(), &mut out);
        self.s.write_all(&out).unwrap();
    }

    fn send_raw(&mut self, bytes: &[u8]) -> std::io::Result<()> {
        self.s.write_all(bytes)
    }

    /// The next message's tag and fields.
    fn recv(&mut self) -> (u8, Vec<PackValue>) {
        self.try_recv().expect("a message")
    }

    /// The next message, or None when the server closed the connection.
    fn try_recv(&mut self) -> Option<(u8, Vec<PackValue>)> {
        let bytes = wire::read_message(&mut self.s, 64 << 20).ok()?;
        match packstream::decode(&bytes, 64).unwrap() {
            PackValue::Struct { tag, fields } => Some((tag, fields)),
            other => panic!("not a message: {other:?}"),
        }
    }

    fn run(&mut self, query: &str) {
        self.send(&st(
            wire::RUN,
            vec![s(query), PackValue::Map(vec![]), PackValue::Map(vec![])],
        ));
    }

    fn pull(&mut self) {
        self.send(&st(wire::PULL, vec![map(&[("n", PackValue::Int(-1))])]));
    }

    /// RUN and PULL `query`, returning the records' values (panics on failure).
    fn query(&mut self, query: &str) -> Vec<Vec<PackValue>> {
        self.run(query);
        self.pull();
        let (tag, f) = self.recv();
        assert_eq!(tag, wire::SUCCESS, "RUN {query}: {f:?}");
        let mut rows = Vec::new();
        loop {
            let (tag, f) = self.recv();
            match tag {
                wire::RECORD => rows.push(f[0].as_list().unwrap().to_vec()),
                wire::SUCCESS => return rows,
                _ => panic!("PULL {query}: {tag:#x} {f:?}"),
            }
        }
    }

    fn closed(&mut self) -> bool {
        let mut b = [0u8; 1];
        matches!(self.s.read(&mut b), Ok(0) | Err(_))
    }
}

fn code(fields: &[PackValue]) -> String {
    fields[0]
        .get("code")
        .and_then(PackValue::as_str)
        .unwrap_or("")
        .to_string()
}

#[test]
fn bolt_5_0_logs_in_with_hello_and_pipelines_with_failures_ignored_until_reset() {
    let server = KgServer::start(&["--auth", "neo4j:pw"]);
    // A Python 5.0–5.6 driver offers 5.0 alone and logs in with HELLO.
    let (mut c, v) = Raw::connect(
        &server.bolt,
        [0, 0, 0, 5, 0, 2, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    assert_eq!(v, [0, 0, 0, 5]);
    c.send(&st(
        wire::HELLO,
        vec![map(&[
            ("user_agent", s("neo4j-python/5.5.0")),
            ("scheme", s("basic")),
            ("principal", s("neo4j")),
            ("credentials", s("pw")),
        ])],
    ));
    let (tag, f) = c.recv();
    assert_eq!(tag, wire::SUCCESS, "{f:?}");
    assert!(f[0]
        .get("server")
        .and_then(PackValue::as_str)
        .unwrap()
        .starts_with("Neo4j/"));
    assert!(f[0].get("connection_id").is_some());
    assert_eq!(c.query("RETURN 1 AS one"), vec![vec![PackValue::Int(1)]]);

    // Pipelined: a failing RUN, its PULL and another RUN; the last two are IGNORED.
    c.run("RETURN nope");
    c.pull();
    c.run("RETURN 2");
    c.pull();
    let (tag, f) = c.recv();
    assert_eq!(tag, wire::FAILURE);
    assert_eq!(code(&f), "Neo.ClientError.Statement.SyntaxError");
    for _ in 0..3 {
        assert_eq!(c.recv().0, wire::IGNORED);
    }
    c.send(&st(wire::RESET, vec![]));
    assert_eq!(c.recv().0, wire::SUCCESS);
    assert_eq!(c.query("RETURN 3"), vec![vec![PackValue::Int(3)]]);

    // Paging with has_more, and DISCARD.
    c.run("UNWIND range(1, 5) AS i RETURN i");
    c.send(&st(wire::PULL, vec![map(&[("n", PackValue::Int(2))])]));
    assert_eq!(c.recv().0, wire::SUCCESS);
    assert_eq!(c.recv().0, wire::RECORD);
    assert_eq!(c.recv().0, wire::RECORD);
    let (tag, f) = c.recv();
    assert_eq!(tag, wire::SUCCESS);
    assert_eq!(f[0].get("has_more"), Some(&PackValue::Bool(true)));
    c.send(&st(wire::DISCARD, vec![map(&[("n", PackValue::Int(-1))])]));
    let (tag, f) = c.recv();
    assert_eq!(tag, wire::SUCCESS);
    assert!(
        f[0].get("bookmark").is_some() && f[0].get("has_more").is_none(),
        "{f:?}"
    );
    c.send(&st(wire::GOODBYE, vec![]));
    assert!(c.closed());
}

#[test]
fn a_failed_login_closes_the_connection_and_reset_never_authenticates() {
    let server = KgServer::start(&["--auth", "neo4j:pw"]);
    let offer = [0, 4, 4, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0];
    // Wrong password, then RESET and RUN: the connection is gone.
    let (mut c, _) = Raw::connect(&server.bolt, offer);
    c.send(&st(wire::HELLO, vec![map(&[("user_agent", s("raw/1"))])]));
    assert_eq!(c.recv().0, wire::SUCCESS);
    c.send(&st(
        wire::LOGON,
        vec![map(&[
            ("scheme", s("basic")),
            ("principal", s("neo4j")),
            ("credentials", s("wrong")),
        ])],
    ));
    let (tag, f) = c.recv();
    assert_eq!(tag, wire::FAILURE);
    assert_eq!(code(&f), "Neo.ClientError.Security.Unauthorized");
    let _ = c.send_raw(&{
        let mut out = Vec::new();
        wire::chunk_into(
            &packstream::encode(&st(wire::RESET, vec![])).unwrap(),
            &mut out,
        );
        out
    });
    assert!(
        c.try_recv().is_none(),
        "the connection stayed open after a failed LOGON"
    );

    // RUN before LOGON, and RESET before LOGON: refused and closed.
    for first in [wire::RUN, wire::RESET] {
        let (mut c, _) = Raw::connect(&server.bolt, offer);
        c.send(&st(wire::HELLO, vec![map(&[("user_agent", s("raw/1"))])]));
        assert_eq!(c.recv().0, wire::SUCCESS);
        if first == wire::RUN {
            c.run("MATCH (n) RETURN n");
        } else {
            c.send(&st(wire::RESET, vec![]));
        }
        assert_eq!(c.recv().0, wire::FAILURE);
        assert!(c.try_recv().is_none());
    }
    // No credentials at all.
    let (mut c, _) = Raw::connect(&server.bolt, offer);
    c.send(&st(wire::HELLO, vec![map(&[("user_agent", s("raw/1"))])]));
    assert_eq!(c.recv().0, wire::SUCCESS);
    c.send(&st(wire::LOGON, vec![map(&[("scheme", s("none"))])]));
    assert_eq!(c.recv().0, wire::FAILURE);
    assert!(c.try_recv().is_none());
}

#[test]
fn reset_interrupts_a_running_query_and_idle_transactions_time_out() {
    let server = KgServer::start(&["--transaction-timeout", "1"]);
    let mut c = Raw::ready(&server.bolt);
    c.run("UNWIND range(1, 1000000) AS i UNWIND range(1, 100000) AS j WITH i WHERE i < 0 RETURN count(i)");
    c.pull();
    std::thread::sleep(Duration::from_millis(300));
    let started = Instant::now();
    c.send(&st(wire::RESET, vec![]));
    let (tag, f) = c.recv();
    assert_eq!(tag, wire::FAILURE, "{f:?}");
    assert_eq!(code(&f), "Neo.TransientError.Transaction.Terminated");
    assert_eq!(c.recv().0, wire::IGNORED);
    assert_eq!(c.recv().0, wire::SUCCESS);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "{:?}",
        started.elapsed()
    );
    assert_eq!(c.query("RETURN 1"), vec![vec![PackValue::Int(1)]]);

    // An explicit transaction left idle is rolled back.
    c.send(&st(wire::BEGIN, vec![map(&[])]));
    assert_eq!(c.recv().0, wire::SUCCESS);
    c.run("CREATE (:Idle)");
    c.pull();
    let (tag, f) = c.recv();
    assert_eq!(tag, wire::SUCCESS);
    assert!(f[0].get("qid").is_some(), "{f:?}");
    assert_eq!(c.recv().0, wire::SUCCESS);
    std::thread::sleep(Duration::from_millis(2500));
    c.send(&st(wire::COMMIT, vec![]));
    let (tag, f) = c.recv();
    assert_eq!(tag, wire::FAILURE);
    assert_eq!(code(&f), "Neo.ClientError.Transaction.TransactionTimedOut");
    c.send(&st(wire::RESET, vec![]));
    assert_eq!(c.recv().0, wire::SUCCESS);
    assert_eq!(
        c.query("MATCH (n:Idle) RETURN count(n)"),
        vec![vec![PackValue::Int(0)]]
    );
}

#[test]
fn sigkill_under_load_keeps_every_acknowledged_commit() {
    let mut server = KgServer::start(&[]);
    let addr = server.bolt.clone();
    let writers: Vec<_> = (0..8)
        .map(|t| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut acked = Vec::new();
                let Ok(mut c) = std::panic::catch_unwind(|| Raw::ready(&addr)) else {
                    return acked;
                };
                for i in 0.. {
                    let id = t * 1_000_000 + i;
                    c.run(&format!("CREATE (:Acked {{id: {id}}})"));
                    c.pull();
                    let run = c.try_recv();
                    let pull = c.try_recv();
                    match (run, pull) {
                        (Some((wire::SUCCESS, _)), Some((wire::SUCCESS, _))) => acked.push(id),
                        _ => return acked,
                    }
                }
                acked
            })
        })
        .collect();
    std::thread::sleep(Duration::from_millis(1500));
    server.kill();
    let acked: Vec<i64> = writers
        .into_iter()
        .flat_map(|w| w.join().unwrap_or_default())
        .collect();
    assert!(
        !acked.is_empty(),
        "no write was acknowledged before the kill"
    );
    // A new server on the same directory (the address file left behind is stale).
    let db = server.db();
    let mut restarted = KgServer::start_in(&server.dir, &[]);
    let bolt = restarted.bolt.clone();
    let mut c = Raw::ready(&bolt);
    let present: std::collections::HashSet<i64> = c
        .query("MATCH (n:Acked) RETURN n.id")
        .into_iter()
        .filter_map(|r| r[0].as_int())
        .collect();
    let lost: Vec<&i64> = acked.iter().filter(|id| !present.contains(id)).collect();
    assert!(
        lost.is_empty(),
        "{} of {} acknowledged commits lost",
        lost.len(),
        acked.len()
    );
    drop(c);
    assert!(restarted.stop().is_some_and(|s| s.success()));
    serve::kg_check(&db);
}

#[test]
fn a_client_killed_mid_transaction_leaves_nothing_behind() {
    let server = KgServer::start(&[]);
    let mut c = Raw::ready(&server.bolt);
    c.send(&st(wire::BEGIN, vec![map(&[])]));
    assert_eq!(c.recv().0, wire::SUCCESS);
    assert_eq!(c.query("CREATE (n:Orphan) RETURN 1").len(), 1);
    // Gone without a word, holding the writer lock.
    drop(c);
    let started = Instant::now();
    let mut other = Raw::ready(&server.bolt);
    assert_eq!(other.query("CREATE (n:Next) RETURN 1").len(), 1);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "the writer lock outlived its client: {:?}",
        started.elapsed()
    );
    assert_eq!(
        other.query("MATCH (n:Orphan) RETURN count(n)"),
        vec![vec![PackValue::Int(0)]]
    );
}

#[test]
fn garbage_truncated_and_oversized_input_never_hurt_other_sessions() {
    let server = KgServer::start(&[]);
    // A session that stays open through everything below.
    let mut good = Raw::ready(&server.bolt);
    good.send(&st(wire::BEGIN, vec![map(&[])]));
    assert_eq!(good.recv().0, wire::SUCCESS);
    assert_eq!(good.query("CREATE (n:Kept) RETURN 1").len(), 1);

    // Not Bolt at all (an HTTP request).
    let mut c = TcpStream::connect(&server.bolt).unwrap();
    c.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
    c.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n").unwrap();
    let mut buf = [0u8; 16];
    assert!(matches!(c.read(&mut buf), Ok(0) | Err(_)));
    // A handshake with nothing we speak.
    let (mut c, v) = Raw::connect(
        &server.bolt,
        [0, 0, 4, 4, 0, 0, 0, 3, 0, 0, 0, 0, 0, 0, 0, 0],
    );
    assert_eq!(v, [0; 4]);
    assert!(c.closed());
    // A truncated handshake, then silence: closed by the handshake timeout, not a hang of
    // anyone else (checked below while it waits).
    let mut half = TcpStream::connect(&server.bolt).unwrap();
    half.write_all(&wire::PREAMBLE[..2]).unwrap();

    // Pseudo-random garbage after a good handshake, from a fixed seed.
    let mut seed = 0x2545F4914F6CDD1Du64;
    let mut next = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    for round in 0..60 {
        let mut c = Raw::ready(&server.bolt);
        let len = (next() % 300) as usize;
        let mut bytes: Vec<u8> = (0..len).map(|_| next() as u8).collect();
        if round % 3 == 0 {
            // Well-framed garbage: one chunk and an end marker.
            let mut framed = Vec::new();
            wire::chunk_into(&bytes, &mut framed);
            bytes = framed;
        }
        let _ = c.send_raw(&bytes);
        if round % 2 == 0 {
            // Truncated: hang up mid-message.
            drop(c);
        } else {
            let _ = c.s.shutdown(std::net::Shutdown::Write);
            // Whatever comes back, the server ends the conversation.
            let deadline = Instant::now() + Duration::from_secs(20);
            while c.try_recv().is_some() {
                assert!(Instant::now() < deadline, "garbage kept a connection alive");
            }
        }
    }
    // Nesting deeper than the limit: a FAILURE and a closed connection.
    let mut c = Raw::ready(&server.bolt);
    let mut deep = vec![0xB1, wire::RUN];
    deep.extend(std::iter::repeat_n(0x91u8, 10_000));
    deep.push(0x90);
    let mut framed = Vec::new();
    wire::chunk_into(&deep, &mut framed);
    c.send_raw(&framed).unwrap();
    let (tag, f) = c.recv();
    assert_eq!(tag, wire::FAILURE);
    assert_eq!(code(&f), "Neo.ClientError.Request.Invalid");
    assert!(c.try_recv().is_none());
    // A message past the size limit (16 MiB): refused without reading it all.
    let mut c = Raw::ready(&server.bolt);
    let chunk = {
        let mut v = vec![0xFF, 0xFF];
        v.extend(std::iter::repeat_n(0x80u8, 0xFFFF));
        v
    };
    let mut refused = false;
    for _ in 0..400 {
        if c.send_raw(&chunk).is_err() {
            refused = true;
            break;
        }
    }
    if !refused {
        let (tag, f) = c.recv();
        assert_eq!(tag, wire::FAILURE);
        assert!(f[0]
            .get("message")
            .and_then(PackValue::as_str)
            .unwrap()
            .contains("limit"));
    }

    // The first session's transaction is intact and commits.
    assert_eq!(
        good.query("MATCH (n:Kept) RETURN count(n)"),
        vec![vec![PackValue::Int(1)]]
    );
    good.send(&st(wire::COMMIT, vec![]));
    assert_eq!(good.recv().0, wire::SUCCESS);
    let mut fresh = Raw::ready(&server.bolt);
    assert_eq!(
        fresh.query("MATCH (n:Kept) RETURN count(n)"),
        vec![vec![PackValue::Int(1)]]
    );
    drop(half);
}

#[test]
fn routing_table_names_this_server_and_sigterm_stops_cleanly() {
    let mut server = KgServer::start(&[]);
    let mut c = Raw::ready(&server.bolt);
    c.send(&st(
        wire::ROUTE,
        vec![
            map(&[("address", s("localhost:7687"))]),
            PackValue::List(vec![]),
            map(&[]),
        ],
    ));
    let (tag, f) = c.recv();
    assert_eq!(tag, wire::SUCCESS);
    let rt = f[0].get("rt").unwrap();
    assert_eq!(rt.get("db"), Some(&s("neo4j")));
    let servers = rt.get("servers").and_then(PackValue::as_list).unwrap();
    let roles: Vec<&str> = servers
        .iter()
        .filter_map(|x| x.get("role").and_then(PackValue::as_str))
        .collect();
    assert_eq!(roles, ["ROUTE", "READ", "WRITE"]);
    // An open transaction at shutdown is rolled back; the address file goes away.
    c.send(&st(wire::BEGIN, vec![map(&[])]));
    assert_eq!(c.recv().0, wire::SUCCESS);
    c.query("CREATE (:Uncommitted)");
    let status = server.stop().expect("kg serve stopped within 20 s");
    assert!(status.success(), "{status}: {}", server.log());
    assert!(!server.db().join("kg.server").exists());
    assert!(server.log().contains("stopped"), "{}", server.log());
    let out = Command::new(env!("CARGO_BIN_EXE_kg"))
        .arg("--db")
        .arg(server.db())
        .args([
            "query",
            "--format",
            "csv",
            "MATCH (n:Uncommitted) RETURN count(n) AS c",
        ])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .replace("\r\n", "\n"),
        "c\n0"
    );
}

#[test]
fn serve_refuses_no_auth_beyond_loopback() {
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_kg"))
        .arg("--db")
        .arg(dir.path().join("db"))
        .args([
            "serve",
            "--bolt",
            "0.0.0.0:0",
            "--http",
            "127.0.0.1:0",
            "--no-auth",
        ])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("requires authentication"), "{err}");
    assert!(
        !dir.path().join("db").exists(),
        "the database was created anyway"
    );
}
