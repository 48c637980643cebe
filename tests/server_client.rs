//! `kg query`, `kg run` and the shell on a database that `kg serve` holds: they find the
//! server through its address file and run through it (Bolt), with the outputs and exit codes
//! of a local run; `--connect` names a server; a file left by a killed server is ignored.

use std::path::Path;
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

const KG: &str = env!("CARGO_BIN_EXE_kg");

struct Served {
    child: Child,
    bolt: String,
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn serve(db: &Path) -> Served {
    let child = Command::new(KG)
        .arg("--db")
        .arg(db)
        .args(["serve", "--bolt", "127.0.0.1:0", "--http", "127.0.0.1:0"])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("start kg serve");
    // Served from here on, so that its Drop stops the server if the wait below panics.
    let mut served = Served {
        child,
        bolt: String::new(),
    };
    let file = db.join("kg.server");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(text) = std::fs::read_to_string(&file) {
            let v: serde_json::Value = serde_json::from_str(&text).expect("address file is JSON");
            if let Some(bolt) = v["bolt"].as_str() {
                served.bolt = bolt.to_string();
                return served;
            }
        }
        assert!(Instant::now() < deadline, "kg serve wrote no address file");
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn kg(db: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(KG)
        .arg("--db")
        .arg(db)
        .args(args)
        .env_remove("KG_CONNECT")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run kg");
    if let Some(text) = stdin {
        use std::io::Write;
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(text.as_bytes())
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("kg output")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

const QUERY: &str = "MATCH p = (l:Lab)-[r]->(m) RETURN p, r, l.name AS name, \
    date('2024-01-02') AS d, duration('P1DT2H') AS du ORDER BY name, elementId(r) LIMIT 3";

#[test]
fn query_and_run_go_through_the_server_that_holds_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    let seeded = kg(&db, &["seed"], None);
    assert!(seeded.status.success(), "{seeded:?}");
    let local = kg(&db, &["query", "--format", "json", QUERY], None);
    assert!(local.status.success(), "{local:?}");

    let served = serve(&db);
    // The same answer, byte for byte, through the server.
    let remote = kg(&db, &["query", "--format", "json", QUERY], None);
    assert!(remote.status.success(), "{remote:?}");
    assert_eq!(text(&remote), text(&local), "{remote:?}");

    // An explicit transaction through the server, rolled back.
    let script = "BEGIN;\nCREATE (:Tmp {x: 1});\nMATCH (t:Tmp) RETURN count(t) AS n;\nROLLBACK;\n\
                  MATCH (t:Tmp) RETURN count(t) AS n;\n";
    let run = kg(&db, &["run", "--format", "csv", "-"], Some(script));
    assert!(run.status.success(), "{run:?}");
    assert_eq!(text(&run), "n\r\n1\r\n\r\nn\r\n0\r\n");

    // Errors keep their exit code and position.
    let bad = kg(&db, &["query", "MATCH (l:Lab RETURN l"], None);
    assert_eq!(bad.status.code(), Some(1), "{bad:?}");
    let err = String::from_utf8_lossy(&bad.stderr);
    assert!(err.contains("line 1, column 14"), "{err}");

    // --connect names the server explicitly (here from another directory).
    let other = dir.path().join("elsewhere.db");
    let url = format!("bolt://{}", served.bolt);
    let named = kg(
        &other,
        &["--connect", &url, "query", "--format", "json", QUERY],
        None,
    );
    assert!(named.status.success(), "{named:?}");
    assert_eq!(text(&named), text(&local));
    assert!(
        !other.exists(),
        "--connect must not create a local database"
    );

    // Commands that need the store itself say who holds it.
    let check = kg(&db, &["check"], None);
    assert_eq!(check.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&check.stderr).contains("held by a kg server"));
}

#[test]
fn an_address_file_left_by_a_killed_server_is_ignored() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    assert!(kg(&db, &["seed"], None).status.success());
    let mut served = serve(&db);
    served.child.kill().unwrap();
    served.child.wait().unwrap();
    assert!(
        db.join("kg.server").exists(),
        "SIGKILL leaves the file behind"
    );
    let q = kg(
        &db,
        &[
            "query",
            "--format",
            "csv",
            "MATCH (l:Lab) RETURN count(l) AS n",
        ],
        None,
    );
    assert!(q.status.success(), "{q:?}");
    assert!(text(&q).starts_with("n\r\n"), "{q:?}");
    assert!(!db.join("kg.server").exists(), "the stale file is removed");
}

#[test]
fn a_server_that_is_gone_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    // A port nobody listens on: bind one, then free it.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("bolt://127.0.0.1:{port}");
    let q = kg(&db, &["--connect", &url, "query", "RETURN 1"], None);
    assert_eq!(q.status.code(), Some(2), "{q:?}");
    assert!(String::from_utf8_lossy(&q.stderr).contains("cannot use the server"));
}

/// `kg mcp` on a database a server holds runs its tools through that server: reads answer,
/// writes are refused in read access mode, the schema and EXPLAIN come back as locally.
#[test]
fn mcp_runs_its_tools_through_the_server_that_holds_the_database() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("g.db");
    assert!(kg(&db, &["seed"], None).status.success());
    let key = "CREATE CONSTRAINT lab_key FOR (l:Lab) REQUIRE l.name IS NODE KEY";
    assert!(kg(&db, &["query", key], None).status.success());
    let _served = serve(&db);
    let lines = [
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#,
        r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
        r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"query","arguments":{"cypher":"MATCH (l:Lab) RETURN count(l) AS n"}}}"#,
        r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"query","arguments":{"cypher":"CREATE (:Intruder)"}}}"#,
        r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"schema","arguments":{}}}"#,
        r#"{"jsonrpc":"2.0","id":5,"method":"tools/call","params":{"name":"explain","arguments":{"cypher":"MATCH (l:Lab) RETURN l"}}}"#,
        r#"{"jsonrpc":"2.0","id":6,"method":"tools/call","params":{"name":"find_nodes","arguments":{"name":"Zhipu"}}}"#,
    ];
    let input = lines.join("\n") + "\n";
    let out = kg(&db, &["mcp"], Some(&input));
    assert!(out.status.success(), "{out:?}");
    let replies: Vec<serde_json::Value> = text(&out)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON-RPC line"))
        .collect();
    let reply = |id: i64| {
        replies
            .iter()
            .find(|r| r["id"] == id)
            .unwrap_or_else(|| panic!("no reply {id}: {replies:?}"))
    };
    let content = |id: i64| {
        reply(id)["result"]["content"][0]["text"]
            .as_str()
            .unwrap_or_default()
            .to_string()
    };
    let local = kg(
        &db,
        &["--connect", "bolt://127.0.0.1:1", "query", "RETURN 1"],
        None,
    );
    assert_eq!(
        local.status.code(),
        Some(2),
        "the test's own sanity: a dead address fails"
    );
    assert_eq!(reply(2)["result"]["isError"], false, "{:?}", reply(2));
    assert!(
        content(2).contains("\"n\"") || content(2).contains("[["),
        "{}",
        content(2)
    );
    assert_eq!(reply(3)["result"]["isError"], true, "{:?}", reply(3));
    assert!(content(3).contains("AccessMode"), "{}", content(3));
    let schema: serde_json::Value = serde_json::from_str(&content(4)).expect("schema JSON");
    assert!(
        schema["labels"]["Lab"].as_i64().unwrap_or(0) > 0,
        "{schema}"
    );
    assert!(schema["nodes"].as_i64().unwrap_or(0) > 0, "{schema}");
    // Every kind of constraint, read through the server as the local tool reads it.
    assert_eq!(
        schema["constraints"],
        serde_json::json!([{
            "name": "lab_key",
            "type": "NODE_KEY",
            "entityType": "NODE",
            "labelsOrTypes": ["Lab"],
            "properties": ["name"],
            "propertyType": null,
        }]),
        "{schema}"
    );
    assert!(content(5).contains("Lab"), "{}", content(5));
    assert!(content(6).contains("Zhipu AI"), "{}", content(6));
    // The write was refused: nothing named Intruder exists.
    let count = kg(
        &db,
        &[
            "query",
            "--format",
            "csv",
            "MATCH (x:Intruder) RETURN count(x) AS n",
        ],
        None,
    );
    assert_eq!(text(&count), "n\r\n0\r\n");
}
