//! The HTTP query API of `kg serve`, driven by real clients: curl, Python's urllib and
//! requests, and the official `neo4j` Python driver's `http://` mode (from the Python that
//! `KG_PY` names; `.ci/run` sets it). The server runs in this process on an ephemeral port;
//! every test stops its server.
//!
//! Also: garbage, truncated, oversized and slow requests get an error or a closed connection
//! and never stop other clients from being served.

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::process::Command;
use std::sync::Arc;
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use kgstore::db::Database;
use kgstore::server::{http, Auth, Limits, ServeConfig, Server};
use serde_json::{json, Value as Json};

#[path = "support/python.rs"]
mod python;
use python::{python, run_python};

struct TestServer {
    server: Arc<Server>,
    addr: SocketAddr,
    thread: Option<JoinHandle<()>>,
}

impl TestServer {
    fn start(config: ServeConfig) -> TestServer {
        let db = Database::open_in_memory().expect("in-memory database");
        let server = Server::new(db, config);
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
        let addr = listener.local_addr().unwrap();
        let srv = server.clone();
        let thread = std::thread::spawn(move || http::accept(srv, listener));
        TestServer {
            server,
            addr,
            thread: Some(thread),
        }
    }

    fn new() -> TestServer {
        TestServer::start(ServeConfig {
            bolt: None,
            ..ServeConfig::default()
        })
    }

    fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.server.stop();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// curl's body and status code.
fn curl(args: &[&str]) -> (u16, Json) {
    let out = Command::new("curl")
        .args(["-sS", "--max-time", "20", "-w", "\n%{http_code}"])
        .args(args)
        .output()
        .expect("curl runs (CI installs it)");
    assert!(
        out.status.success(),
        "curl {args:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let (body, code) = text.rsplit_once('\n').unwrap();
    let json = if body.is_empty() {
        Json::Null
    } else {
        serde_json::from_str(body).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
    };
    (code.parse().unwrap(), json)
}

fn post(ts: &TestServer, path: &str, body: Json) -> (u16, Json) {
    curl(&[
        "-H",
        "Content-Type: application/json",
        "--data-binary",
        &body.to_string(),
        &ts.url(path),
    ])
}

fn query(ts: &TestServer, statement: &str) -> (u16, Json) {
    post(ts, "/db/neo4j/query/v2", json!({ "statement": statement }))
}

/// Sends raw bytes, then reads what the server answers until it closes (or 5 s pass).
fn raw(addr: SocketAddr, bytes: &[u8], close_write: bool) -> String {
    let mut s = TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
    let _ = s.write_all(bytes);
    if close_write {
        let _ = s.shutdown(std::net::Shutdown::Write);
    }
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

#[test]
fn discovery_names_the_endpoints() {
    let ts = TestServer::new();
    let (code, doc) = curl(&[&ts.url("/")]);
    assert_eq!(code, 200);
    assert_eq!(doc["neo4j_version"], "5.26.0");
    assert_eq!(
        doc["query"],
        format!("http://{}/db/{{databaseName}}/query/v2", ts.addr)
    );
    assert!(doc.get("bolt_direct").is_none(), "no Bolt listener here");
}

#[test]
fn auto_commit_queries_with_parameters_and_counters() {
    let ts = TestServer::new();
    let (code, r) = post(
        &ts,
        "/db/neo4j/query/v2",
        json!({
            "statement": "CREATE (n:Person {name: $name, age: $age}) RETURN n AS p, n.age + 1 AS next, date('2026-01-15') AS d",
            "parameters": {"name": "Alice", "age": 42},
            "includeCounters": true
        }),
    );
    assert_eq!(code, 202, "{r}");
    assert_eq!(r["data"]["fields"], json!(["p", "next", "d"]));
    let row = &r["data"]["values"][0];
    // The shapes of `kg query --format json`.
    assert_eq!(row[0]["labels"], json!(["Person"]));
    assert_eq!(row[0]["properties"], json!({"age": 42, "name": "Alice"}));
    assert!(row[0]["id"].is_u64());
    assert_eq!(row[1], json!(43));
    assert_eq!(row[2], json!("2026-01-15"));
    assert_eq!(r["counters"]["nodesCreated"], 1);
    assert_eq!(r["counters"]["labelsAdded"], 1);
    assert_eq!(r["counters"]["propertiesSet"], 2);
    assert_eq!(r["counters"]["containsUpdates"], true);
    assert_eq!(r["bookmarks"], json!([]));
    // Without includeCounters there are none; the write is visible to the next request.
    let (code, r) = query(&ts, "MATCH (p:Person) RETURN p.name AS name");
    assert_eq!(code, 202);
    assert!(r.get("counters").is_none());
    assert_eq!(r["data"]["values"], json!([["Alice"]]));
    // Other database names: ours.
    let (code, _) = post(
        &ts,
        "/db/kgstore/query/v2",
        json!({"statement": "RETURN 1"}),
    );
    assert_eq!(code, 202);
}

#[test]
fn errors_carry_neo4j_codes_and_http_statuses() {
    let ts = TestServer::new();
    let (code, r) = query(&ts, "MATCH (n RETURN n");
    assert_eq!(code, 400);
    assert_eq!(
        r["errors"][0]["code"],
        "Neo.ClientError.Statement.SyntaxError"
    );
    assert!(
        r["errors"][0]["message"].as_str().unwrap().contains("1:7"),
        "{r}"
    );
    let (code, r) = post(&ts, "/db/nope/query/v2", json!({"statement": "RETURN 1"}));
    assert_eq!(code, 404);
    assert_eq!(
        r["errors"][0]["code"],
        "Neo.ClientError.Database.DatabaseNotFound"
    );
    let (code, r) = curl(&["--data-binary", "{not json", &ts.url("/db/neo4j/query/v2")]);
    assert_eq!(code, 400);
    assert_eq!(
        r["errors"][0]["code"],
        "Neo.ClientError.Request.InvalidFormat"
    );
    let (code, r) = post(&ts, "/db/neo4j/query/v2", json!({"parameters": {}}));
    assert_eq!(code, 400, "{r}");
    let (code, r) = post(
        &ts,
        "/db/neo4j/query/v2",
        json!({"statement": "CREATE (:X)", "accessMode": "Read"}),
    );
    assert_eq!(code, 403, "{r}");
    assert_eq!(
        r["errors"][0]["code"],
        "Neo.ClientError.Statement.AccessMode"
    );
    let (code, r) = query(&ts, "RETURN $missing");
    assert_eq!(code, 400);
    assert_eq!(
        r["errors"][0]["code"],
        "Neo.ClientError.Statement.ParameterMissing"
    );
    let (code, _) = curl(&["-X", "GET", &ts.url("/db/neo4j/query/v2")]);
    assert_eq!(code, 405);
    let (code, _) = curl(&[&ts.url("/no/such/page")]);
    assert_eq!(code, 404);
    // Nothing was written by the refused statement.
    let (_, r) = query(&ts, "MATCH (n) RETURN count(n)");
    assert_eq!(r["data"]["values"], json!([[0]]));
}

#[test]
fn explicit_transactions_open_run_commit_and_roll_back() {
    let ts = TestServer::new();
    let (code, r) = post(
        &ts,
        "/db/neo4j/query/v2/tx",
        json!({"statement": "CREATE (:T {n: 1}) RETURN 1 AS one"}),
    );
    assert_eq!(code, 202, "{r}");
    assert_eq!(r["data"]["values"], json!([[1]]));
    let id = r["transaction"]["id"].as_str().unwrap().to_string();
    assert!(r["transaction"]["expires"].as_str().unwrap().ends_with('Z'));
    let tx = format!("/db/neo4j/query/v2/tx/{id}");
    let (code, r) = post(&ts, &tx, json!({"statement": "CREATE (:T {n: 2})"}));
    assert_eq!(code, 202, "{r}");
    assert_eq!(r["transaction"]["id"], id.as_str());
    // Read your own writes inside; nothing visible outside before the commit.
    let (_, r) = post(
        &ts,
        &tx,
        json!({"statement": "MATCH (t:T) RETURN count(t)"}),
    );
    assert_eq!(r["data"]["values"], json!([[2]]));
    let (_, r) = query(&ts, "MATCH (t:T) RETURN count(t)");
    assert_eq!(r["data"]["values"], json!([[0]]));
    // An empty body only keeps it alive.
    let (code, r) = curl(&["-X", "POST", &ts.url(&tx)]);
    assert_eq!(code, 202, "{r}");
    let (code, r) = post(&ts, &format!("{tx}/commit"), json!({}));
    assert_eq!(code, 202, "{r}");
    let (_, r) = query(&ts, "MATCH (t:T) RETURN count(t)");
    assert_eq!(r["data"]["values"], json!([[2]]));
    // Gone after the commit.
    let (code, r) = post(&ts, &tx, json!({"statement": "RETURN 1"}));
    assert_eq!(code, 404, "{r}");
    assert_eq!(r["errors"][0]["code"], "Neo.ClientError.Request.Invalid");

    // Rollback.
    let (_, r) = post(&ts, "/db/neo4j/query/v2/tx", json!({}));
    let id = r["transaction"]["id"].as_str().unwrap().to_string();
    let tx = format!("/db/neo4j/query/v2/tx/{id}");
    post(&ts, &tx, json!({"statement": "CREATE (:T {n: 3})"}));
    let (code, _) = curl(&["-X", "DELETE", &ts.url(&tx)]);
    assert_eq!(code, 202);
    let (_, r) = query(&ts, "MATCH (t:T) RETURN count(t)");
    assert_eq!(r["data"]["values"], json!([[2]]));

    // A failed statement rolls its transaction back (as in Neo4j).
    let (_, r) = post(
        &ts,
        "/db/neo4j/query/v2/tx",
        json!({"statement": "CREATE (:T {n: 4})"}),
    );
    let id = r["transaction"]["id"].as_str().unwrap().to_string();
    let tx = format!("/db/neo4j/query/v2/tx/{id}");
    let (code, r) = post(&ts, &tx, json!({"statement": "RETURN 1/0"}));
    assert_eq!(code, 400, "{r}");
    assert!(r.get("transaction").is_none());
    let (code, _) = post(&ts, &format!("{tx}/commit"), json!({}));
    assert_eq!(code, 404);
    let (_, r) = query(&ts, "MATCH (t:T) RETURN count(t)");
    assert_eq!(r["data"]["values"], json!([[2]]));

    // Commit with a last statement.
    let (_, r) = post(&ts, "/db/neo4j/query/v2/tx", json!({}));
    let id = r["transaction"]["id"].as_str().unwrap().to_string();
    let (code, r) = post(
        &ts,
        &format!("/db/neo4j/query/v2/tx/{id}/commit"),
        json!({"statement": "CREATE (t:T {n: 5}) RETURN t.n", "includeCounters": true}),
    );
    assert_eq!(code, 202, "{r}");
    assert_eq!(r["data"]["values"], json!([[5]]));
    assert_eq!(r["counters"]["nodesCreated"], 1);
    let (_, r) = query(&ts, "MATCH (t:T) RETURN count(t)");
    assert_eq!(r["data"]["values"], json!([[3]]));
}

#[test]
fn an_idle_transaction_expires_and_is_rolled_back() {
    let ts = TestServer::start(ServeConfig {
        bolt: None,
        limits: Limits {
            transaction_timeout: Duration::from_millis(600),
            ..Limits::default()
        },
        ..ServeConfig::default()
    });
    let (_, r) = post(
        &ts,
        "/db/neo4j/query/v2/tx",
        json!({"statement": "CREATE (:Expired)"}),
    );
    let id = r["transaction"]["id"].as_str().unwrap().to_string();
    std::thread::sleep(Duration::from_millis(1500));
    let (code, _) = post(
        &ts,
        &format!("/db/neo4j/query/v2/tx/{id}/commit"),
        json!({}),
    );
    assert_eq!(code, 404);
    // Its write is gone and the writer lock it held is free again.
    let (code, r) = query(
        &ts,
        "CREATE (:After) WITH 1 AS x MATCH (e:Expired) RETURN count(e)",
    );
    assert_eq!(code, 202, "{r}");
    assert_eq!(r["data"]["values"], json!([[0]]));
}

#[test]
fn basic_authentication_when_required() {
    let ts = TestServer::start(ServeConfig {
        bolt: None,
        auth: Auth::from_pair("neo4j:verysecret").unwrap(),
        ..ServeConfig::default()
    });
    let body = r#"{"statement": "RETURN 1 AS one"}"#;
    let url = ts.url("/db/neo4j/query/v2");
    let (code, r) = curl(&["--data-binary", body, &url]);
    assert_eq!(code, 401);
    assert_eq!(
        r["errors"][0]["code"],
        "Neo.ClientError.Security.Unauthorized"
    );
    assert_eq!(
        r["errors"][0]["message"],
        "No authentication header supplied."
    );
    let (code, r) = curl(&["-u", "neo4j:wrong", "--data-binary", body, &url]);
    assert_eq!(code, 401);
    assert_eq!(r["errors"][0]["message"], "Invalid username or password.");
    let (code, r) = curl(&[
        "-H",
        "Authorization: Basic not-proper-base64",
        "--data-binary",
        body,
        &url,
    ]);
    assert_eq!(code, 401);
    assert_eq!(
        r["errors"][0]["code"],
        "Neo.ClientError.Request.InvalidFormat"
    );
    for _ in 0..2 {
        // The second request is answered from the credential cache.
        let (code, r) = curl(&["-u", "neo4j:verysecret", "--data-binary", body, &url]);
        assert_eq!(code, 202, "{r}");
        assert_eq!(r["data"]["values"], json!([[1]]));
    }
    // Discovery needs no credentials.
    let (code, _) = curl(&[&ts.url("/")]);
    assert_eq!(code, 200);
}

#[test]
fn python_urllib_and_requests_with_keep_alive() {
    let ts = TestServer::new();
    // urllib from the standard library: any python3 will do.
    let py = std::env::var("KG_PY").unwrap_or_else(|_| "python3".into());
    let out = run_python(
        &py,
        r#"
import json, sys, urllib.request
base = sys.argv[1]
def call(path, body, method="POST"):
    req = urllib.request.Request(base + path, data=json.dumps(body).encode(), method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        return r.status, json.load(r)
s, r = call("/db/neo4j/query/v2", {"statement": "UNWIND range(1, 3) AS i CREATE (:U {i: i}) RETURN sum(i) AS s"})
assert s == 202 and r["data"]["values"] == [[6]], r
s, r = call("/db/neo4j/query/v2", {"statement": "MATCH (u:U) WHERE u.i > $min RETURN u.i ORDER BY u.i", "parameters": {"min": 1}})
print(json.dumps(r["data"]["values"]))
"#,
        &[&format!("http://{}", ts.addr)],
    );
    assert_eq!(out.trim(), "[[2], [3]]");

    let Some(py) = python("python_requests_keep_alive") else {
        return;
    };
    let out = run_python(
        &py,
        r#"
import sys, requests
base = sys.argv[1]
with requests.Session() as s:
    for i in range(50):
        r = s.post(base + "/db/neo4j/query/v2", json={"statement": "RETURN $i AS i", "parameters": {"i": i}})
        assert r.status_code == 202 and r.json()["data"]["values"] == [[i]], r.text
    r = s.post(base + "/db/neo4j/query/v2", json={"statement": "RETURN 1 +"})
    assert r.status_code == 400 and r.json()["errors"][0]["code"].endswith("SyntaxError"), r.text
print("ok")
"#,
        &[&format!("http://{}", ts.addr)],
    );
    assert_eq!(out.trim(), "ok");
}

#[test]
fn requests_on_one_connection_and_expect_continue() {
    let ts = TestServer::new();
    let body = r#"{"statement":"RETURN 1 AS x"}"#;
    let one = format!(
        "POST /db/neo4j/query/v2 HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    let last = one.replacen("Host: x\r\n", "Host: x\r\nConnection: close\r\n", 1);
    let out = raw(ts.addr, format!("{one}{one}{last}").as_bytes(), false);
    assert_eq!(out.matches("HTTP/1.1 202 Accepted").count(), 3, "{out}");
    // curl waits for 100 Continue before sending a body it was told to announce.
    let big = json!({"statement": "RETURN size($s) AS n", "parameters": {"s": "x".repeat(5000)}});
    let (code, r) = curl(&[
        "-H",
        "Expect: 100-continue",
        "--data-binary",
        &big.to_string(),
        &ts.url("/db/neo4j/query/v2"),
    ]);
    assert_eq!(code, 202, "{r}");
    assert_eq!(r["data"]["values"], json!([[5000]]));
}

#[test]
fn garbage_truncated_oversized_and_slow_requests_never_stop_the_server() {
    let ts = TestServer::start(ServeConfig {
        bolt: None,
        limits: Limits {
            max_message_bytes: 64 * 1024,
            ..Limits::default()
        },
        ..ServeConfig::default()
    });
    // A slow client holding half a request open while the others are served.
    let mut slow = TcpStream::connect(ts.addr).unwrap();
    slow.write_all(b"POST /db/neo4j/query/v2 HTTP/1.1\r\nHost: x\r\n")
        .unwrap();

    let cases: Vec<(Vec<u8>, &str)> = vec![
        (b"GARBAGE\r\n\r\n".to_vec(), "400"),
        (b"\x00\x01\x02\xff\xfe\r\n\r\n".to_vec(), "400"),
        (b"GET / SPDY/9\r\n\r\n".to_vec(), "505"),
        (b"GET /%zz HTTP/1.1\r\n\r\n".to_vec(), "400"),
        (b"GET / HTTP/1.1\r\nno colon here\r\n\r\n".to_vec(), "400"),
        (
            b"POST /db/neo4j/query/v2 HTTP/1.1\r\nContent-Length: 99999999999\r\n\r\n".to_vec(),
            "413",
        ),
        (
            b"POST /db/neo4j/query/v2 HTTP/1.1\r\nContent-Length: -1\r\n\r\n".to_vec(),
            "400",
        ),
        (
            b"POST /db/neo4j/query/v2 HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n".to_vec(),
            "411",
        ),
        (
            format!("GET / HTTP/1.1\r\nX-Big: {}\r\n\r\n", "a".repeat(20_000)).into_bytes(),
            "431",
        ),
        (
            format!("GET / HTTP/1.1\r\n{}\r\n", "A: b\r\n".repeat(200)).into_bytes(),
            "431",
        ),
        // Truncated: the body ends early, the headers end early.
        (
            b"POST /db/neo4j/query/v2 HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"statement\"".to_vec(),
            "400",
        ),
        (b"POST /db/neo4j/query/v2 HTTP/1.1\r\nContent-Le".to_vec(), "400"),
        // Valid HTTP, bad JSON bodies.
        (
            b"POST /db/neo4j/query/v2 HTTP/1.1\r\nContent-Length: 4\r\nConnection: close\r\n\r\n\xff\xfe\x00\x01".to_vec(),
            "400",
        ),
        (
            format!(
                "POST /db/neo4j/query/v2 HTTP/1.1\r\nContent-Length: 20000\r\nConnection: close\r\n\r\n{}{}",
                "[".repeat(10_000),
                "]".repeat(10_000)
            )
            .into_bytes(),
            "400",
        ),
    ];
    for (bytes, status) in &cases {
        let out = raw(ts.addr, bytes, true);
        assert!(
            out.starts_with(&format!("HTTP/1.1 {status} ")),
            "{:?} → {out}",
            String::from_utf8_lossy(&bytes[..bytes.len().min(80)])
        );
    }
    // Random bytes of every kind: an answer or a closed connection, never a hang.
    let mut rng = 0x9e3779b97f4a7c15u64;
    for len in [1usize, 7, 64, 500, 4096] {
        let bytes: Vec<u8> = (0..len)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 7;
                rng ^= rng << 17;
                rng as u8
            })
            .collect();
        let started = Instant::now();
        raw(ts.addr, &bytes, true);
        assert!(started.elapsed() < Duration::from_secs(5));
    }
    // A deeply nested parameter within the size limit is refused, not recursed into.
    let deep = format!("{}1{}", "[".repeat(5000), "]".repeat(5000));
    let (code, _) = curl(&[
        "--data-binary",
        &format!(r#"{{"statement":"RETURN $p","parameters":{{"p":{deep}}}}}"#),
        &ts.url("/db/neo4j/query/v2"),
    ]);
    assert_eq!(code, 400);

    // Still serving, with the slow client still connected.
    let started = Instant::now();
    let (code, r) = query(&ts, "RETURN 'alive' AS s");
    assert_eq!(code, 202);
    assert_eq!(r["data"]["values"], json!([["alive"]]));
    assert!(started.elapsed() < Duration::from_secs(3));
    drop(slow);
}

#[test]
fn connections_past_the_limit_are_refused_with_503() {
    let ts = TestServer::start(ServeConfig {
        bolt: None,
        limits: Limits {
            max_connections: 1,
            ..Limits::default()
        },
        ..ServeConfig::default()
    });
    let mut first = TcpStream::connect(ts.addr).unwrap();
    first
        .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    let mut buf = [0u8; 64];
    assert!(first.read(&mut buf).unwrap() > 0);
    let out = raw(ts.addr, b"GET / HTTP/1.1\r\n\r\n", true);
    assert!(out.starts_with("HTTP/1.1 503 "), "{out}");
    drop(first);
    // Once the first is gone a new connection is served.
    let deadline = Instant::now() + Duration::from_secs(5);
    loop {
        let out = raw(
            ts.addr,
            b"GET / HTTP/1.1\r\nConnection: close\r\n\r\n",
            true,
        );
        if out.starts_with("HTTP/1.1 200 ") {
            break;
        }
        assert!(Instant::now() < deadline, "never served again: {out}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

#[test]
fn typed_json_both_ways() {
    let ts = TestServer::new();
    let body = json!({
        "statement": "RETURN $d AS d, $i + 1 AS i, $f AS f, $l AS l, datetime('2026-01-15T09:30+08:00[Asia/Shanghai]') AS z",
        "parameters": {
            "d": {"$type": "Date", "_value": "2026-01-15"},
            "i": {"$type": "Integer", "_value": "41"},
            "f": {"$type": "Float", "_value": "1.5"},
            "l": {"$type": "List", "_value": [{"$type": "String", "_value": "a"}]}
        }
    });
    let (code, r) = curl(&[
        "-H",
        "Content-Type: application/vnd.neo4j.query",
        "-H",
        "Accept: application/vnd.neo4j.query",
        "--data-binary",
        &body.to_string(),
        &ts.url("/db/neo4j/query/v2"),
    ]);
    assert_eq!(code, 202, "{r}");
    assert_eq!(
        r["data"]["values"][0],
        json!([
            {"$type": "Date", "_value": "2026-01-15"},
            {"$type": "Integer", "_value": "42"},
            {"$type": "Float", "_value": "1.5"},
            {"$type": "List", "_value": [{"$type": "String", "_value": "a"}]},
            {"$type": "ZonedDateTime", "_value": "2026-01-15T09:30+08:00[Asia/Shanghai]"}
        ])
    );
}

/// The official `neo4j` Python driver (6.x) speaks the Query API when given an `http://` URL.
#[test]
fn the_official_python_driver_over_http() {
    let Some(py) = python("the_official_python_driver_over_http") else {
        return;
    };
    let ts = TestServer::start(ServeConfig {
        bolt: None,
        auth: Auth::from_pair("neo4j:verysecret").unwrap(),
        ..ServeConfig::default()
    });
    let out = run_python(
        &py,
        r#"
import sys, datetime
import neo4j
from neo4j import GraphDatabase
from neo4j.exceptions import CypherSyntaxError, AuthError, ClientError
from neo4j.graph import Node, Relationship, Path
url = sys.argv[1]
with GraphDatabase.driver(url, auth=("neo4j", "verysecret")) as driver:
    driver.verify_connectivity()
    records, summary, keys = driver.execute_query(
        "CREATE p = (a:Person {name: $a, born: $born})-[:KNOWS {since: $since}]->(b:Person {name: $b}) "
        "RETURN a, p, $w AS w, $dur AS dur, $t AS t",
        a="Ann", b="Bob", born=neo4j.time.Date(1990, 1, 2), since=2020,
        w=neo4j.time.DateTime(2026, 1, 15, 9, 30, 0, tzinfo=datetime.timezone(datetime.timedelta(hours=8))),
        dur=neo4j.time.Duration(days=1, hours=2), t=neo4j.time.Time(9, 30, 1),
        database_="neo4j")
    assert keys == ["a", "p", "w", "dur", "t"], keys
    a = records[0]["a"]
    assert isinstance(a, Node) and a["name"] == "Ann" and a["born"] == neo4j.time.Date(1990, 1, 2), a
    assert set(a.labels) == {"Person"}
    p = records[0]["p"]
    assert isinstance(p, Path) and len(p) == 1 and p.relationships[0].type == "KNOWS", p
    assert p.start_node["name"] == "Ann" and p.end_node["name"] == "Bob"
    assert records[0]["w"].utcoffset() == datetime.timedelta(hours=8), records[0]["w"]
    assert records[0]["dur"] == neo4j.time.Duration(days=1, hours=2), records[0]["dur"]
    assert summary.counters.nodes_created == 2 and summary.counters.relationships_created == 1, summary.counters
    # Explicit transactions: commit and roll back.
    with driver.session(database="neo4j") as session:
        tx = session.begin_transaction()
        tx.run("CREATE (:Tx {n: 1})").consume()
        assert tx.run("MATCH (t:Tx) RETURN count(t) AS c").single()["c"] == 1
        tx.commit()
        tx = session.begin_transaction()
        tx.run("CREATE (:Tx {n: 2})").consume()
        tx.rollback()
        n = session.execute_read(lambda tx: tx.run("MATCH (t:Tx) RETURN count(t) AS c").single()["c"])
        assert n == 1, n
        n = session.execute_write(lambda tx: tx.run("CREATE (:Tx {n: 3}) RETURN 1 AS one").single()["one"])
        assert n == 1
    # Errors become the driver's exception classes.
    try:
        driver.execute_query("MATCH (n RETURN n", database_="neo4j")
        raise SystemExit("no error")
    except CypherSyntaxError as e:
        assert e.code == "Neo.ClientError.Statement.SyntaxError", e.code
    try:
        driver.execute_query("CREATE (:Nope)", database_="neo4j", routing_="r")
        raise SystemExit("a write in read access")
    except ClientError as e:
        assert e.code == "Neo.ClientError.Statement.AccessMode", e.code
with GraphDatabase.driver(url, auth=("neo4j", "wrong")) as driver:
    try:
        driver.execute_query("RETURN 1", database_="neo4j")
        raise SystemExit("wrong password accepted")
    except AuthError:
        pass
print("ok")
"#,
        &[&format!("http://{}", ts.addr)],
    );
    assert_eq!(out.trim(), "ok");
}
