//! `kg mcp` driven by the official MCP Python SDK client (from the Python that `KG_PY` names;
//! `.ci/run` sets it): the SDK's high-level `Client` (which probes `server/discover` first and
//! falls back to `initialize`) and its classic `ClientSession` over `stdio_client`, on the
//! seed graph; read-only by default, writes with `--allow-writes`.

use std::process::{Command, Stdio};

#[path = "support/python.rs"]
mod python;
use python::{python, run_python};

fn kg() -> &'static str {
    env!("CARGO_BIN_EXE_kg")
}

fn seeded_db() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let status = Command::new(kg())
        .args(["--db", &dir.path().join("kg.db").to_string_lossy(), "seed"])
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(status.success());
    // Constraints other than uniqueness, which the schema tool must list too.
    for q in [
        "CREATE CONSTRAINT lab_name_exists FOR (l:Lab) REQUIRE l.name IS NOT NULL",
        "CREATE CONSTRAINT lab_name_typed FOR (l:Lab) REQUIRE l.name IS :: STRING",
    ] {
        let status = Command::new(kg())
            .args([
                "--db",
                &dir.path().join("kg.db").to_string_lossy(),
                "query",
                q,
            ])
            .stdout(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "{q}");
    }
    dir
}

const CLIENT: &str = r#"
import asyncio, json, sys
from mcp import Client, ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

kg, db, writes = sys.argv[1], sys.argv[2], sys.argv[3] == "writes"
args = ["--db", db, "mcp"] + (["--allow-writes"] if writes else [])
params = StdioServerParameters(command=kg, args=args)

def text(r):
    assert len(r.content) == 1 and r.content[0].type == "text", r
    return r.content[0].text

def is_error(r):
    return bool(getattr(r, "is_error", getattr(r, "isError", False)))

async def with_client():
    async with Client(params) as client:
        tools = await client.list_tools()
        names = sorted(t.name for t in tools.tools)
        assert names == ["explain", "find_nodes", "query", "schema"], names
        query_tool = next(t for t in tools.tools if t.name == "query")
        assert "cypher" in query_tool.input_schema["properties"], query_tool

        r = await client.call_tool("schema", {})
        assert not is_error(r), r
        schema = json.loads(text(r))
        assert schema["labels"]["Lab"] > 0 and schema["nodes"] > 0, schema
        assert "OWNS" in schema["relationship_types"] or schema["relationship_types"], schema
        kinds = {(c["name"], c["type"], tuple(c["labelsOrTypes"]), tuple(c["properties"]), c["propertyType"])
                 for c in schema["constraints"]}
        assert ("lab_name_exists", "NODE_PROPERTY_EXISTENCE", ("Lab",), ("name",), None) in kinds, kinds
        assert ("lab_name_typed", "NODE_PROPERTY_TYPE", ("Lab",), ("name",), "STRING") in kinds, kinds

        r = await client.call_tool("query", {"cypher": "MATCH (l:Lab) WHERE l.name = $n RETURN l.name AS name, l", "parameters": {"n": "DeepSeek"}})
        assert not is_error(r), r
        rows = json.loads(text(r))
        assert rows["columns"] == ["name", "l"], rows
        assert rows["rows"][0][0] == "DeepSeek"
        assert "Lab" in rows["rows"][0][1]["labels"]

        r = await client.call_tool("find_nodes", {"name": "Knowledge Atlas"})
        assert not is_error(r), r
        found = json.loads(text(r))["nodes"]
        assert found and found[0]["properties"]["name"] == "Zhipu AI", found

        r = await client.call_tool("explain", {"cypher": "MATCH (l:Lab)-[r]->(x) RETURN x LIMIT 5"})
        assert not is_error(r) and text(r).strip(), r

        r = await client.call_tool("query", {"cypher": "MATCH (n RETURN n"})
        assert is_error(r) and "SyntaxError" in text(r), r

        r = await client.call_tool("query", {"cypher": "CREATE (:McpWrite) RETURN 1 AS one"})
        if writes:
            assert not is_error(r), r
            assert json.loads(text(r))["stats"]["nodes_created"] == 1
        else:
            assert is_error(r) and "AccessMode" in text(r), r
        r = await client.call_tool("query", {"cypher": "MATCH (n:McpWrite) RETURN count(n) AS c"})
        assert json.loads(text(r))["rows"] == [[1 if writes else 0]], text(r)

async def with_session():
    async with stdio_client(params) as (read, write):
        async with ClientSession(read, write) as session:
            init = await session.initialize()
            info = getattr(init, "server_info", None) or getattr(init, "serverInfo")
            assert info.name == "kgstore", info
            await session.send_ping()
            tools = await session.list_tools()
            assert len(tools.tools) == 4
            r = await session.call_tool("query", {"cypher": "UNWIND range(1, 1000) AS i RETURN i"})
            rows = json.loads(text(r))
            assert len(rows["rows"]) == 500 and rows["truncated"] and rows["total_rows"] == 1000, rows.keys()

asyncio.run(with_client())
asyncio.run(with_session())
print("ok")
"#;

fn drive(writes: bool) {
    let Some(py) = python(if writes {
        "mcp_sdk_client_with_writes"
    } else {
        "mcp_sdk_client_read_only"
    }) else {
        return;
    };
    let dir = seeded_db();
    let db = dir.path().join("kg.db");
    let out = run_python(
        &py,
        CLIENT,
        &[
            kg(),
            &db.to_string_lossy(),
            if writes { "writes" } else { "read-only" },
        ],
    );
    assert_eq!(out.trim(), "ok");
}

#[test]
fn mcp_sdk_client_read_only() {
    drive(false);
}

#[test]
fn mcp_sdk_client_with_writes() {
    drive(true);
}

/// Raw JSON-RPC lines through the real binary: answers in order, one line each, and the
/// process ends when stdin does.
#[test]
fn mcp_over_stdio_lines() {
    use std::io::Write;
    let dir = seeded_db();
    let db = dir.path().join("kg.db");
    let mut child = Command::new(kg())
        .args(["--db", &db.to_string_lossy(), "mcp"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    {
        let stdin = child.stdin.as_mut().unwrap();
        let lines = [
            r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-03-26","capabilities":{},"clientInfo":{"name":"raw","version":"0"}}}"#,
            r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
            "garbage that is not JSON",
            r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"query","arguments":{"cypher":"RETURN 'a\nb' AS s"}}}"#,
            r#"{"jsonrpc":"2.0","id":3,"method":"resources/list"}"#,
        ];
        for l in lines {
            writeln!(stdin, "{l}").unwrap();
        }
    }
    drop(child.stdin.take());
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let replies: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(replies.len(), 4, "{text}");
    assert_eq!(replies[0]["result"]["protocolVersion"], "2025-03-26");
    assert_eq!(replies[1]["error"]["code"], -32700);
    assert_eq!(replies[2]["id"], 2);
    assert_eq!(
        replies[2]["result"]["content"][0]["text"],
        r#"{"columns":["s"],"rows":[["a\nb"]]}"#
    );
    assert_eq!(replies[3]["error"]["code"], -32601);
}
