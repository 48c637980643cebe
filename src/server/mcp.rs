//! `kg mcp`: a Model Context Protocol server over stdio for AI agents.
//!
//! JSON-RPC 2.0, one message per line on stdin and stdout (logs go to stderr). The handshake
//! is `initialize` (protocol versions 2024-11-05 to 2025-11-25; the newer SDKs' `server/discover`
//! probe is answered "method not found", which makes them fall back to it), then `tools/list`
//! and `tools/call` with four tools:
//! - `query`: runs a Cypher statement, read-only unless `kg mcp --allow-writes`;
//! - `schema`: labels and relationship types with their counts, property keys, indexes and
//!   constraints;
//! - `explain`: the plan of a statement, without running it;
//! - `find_nodes`: nodes whose `name` or one of whose `aliases` contains a text.
//!
//! Results are JSON text content with the value shapes of `kg query --format json`. A failed
//! query is a tool result with `isError: true` (the model sees the message and can fix its
//! query); protocol mistakes are JSON-RPC errors.
//!
//! Statements run through [`Server::run`] like those of every other protocol, so read-only
//! mode is `RunOptions::read_only` and `--timeout` applies. With `--connect` (or when a running
//! `kg serve` holds the database) they go to that server over Bolt instead, in read access
//! mode unless `--allow-writes`, and the schema is read with Cypher.

use std::io::{BufRead, Write};
use std::sync::{Arc, Mutex};

use serde_json::{json, Map, Value as Json};

use super::bolt::client::Client;
use super::{Connection, Limits, ServeConfig, Server};
use crate::db::{Database, Params, QueryResult};
use crate::error::Error;
use crate::render::json::{stats_json, to_json};
use crate::value::Value;

/// Protocol revisions the `initialize` handshake accepts, newest first.
pub const PROTOCOL_VERSIONS: [&str; 4] = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

/// Rows of one query result shown to the model; the rest are counted, not sent.
pub const MAX_ROWS: usize = 500;

/// How `kg mcp` was started.
#[derive(Clone, Debug, Default)]
pub struct McpOptions {
    /// Let `query` write (`--allow-writes`).
    pub allow_writes: bool,
    /// Cancel a statement running longer than this (`--timeout`).
    pub timeout: Option<std::time::Duration>,
    /// The database directory, shown in the server's instructions.
    pub db_path: Option<std::path::PathBuf>,
}

// JSON-RPC error codes.
const PARSE_ERROR: i64 = -32700;
const INVALID_REQUEST: i64 = -32600;
const METHOD_NOT_FOUND: i64 = -32601;
const INVALID_PARAMS: i64 = -32602;

/// Where the tools' statements run.
enum Backend {
    /// A [`Server`] without listeners on a database this process opened, and the one
    /// connection stdio is.
    Local {
        server: Arc<Server>,
        conn: Connection,
    },
    /// A running server, over Bolt.
    Remote(Mutex<Client>),
}

/// The MCP server.
pub struct Mcp {
    backend: Backend,
    allow_writes: bool,
    max_message_bytes: usize,
}

impl Mcp {
    pub fn new(db: Database, opts: &McpOptions) -> Result<Mcp, Error> {
        let server = Server::new(
            db,
            ServeConfig {
                db_path: opts.db_path.clone(),
                bolt: None,
                http: None,
                read_only: !opts.allow_writes,
                limits: Limits {
                    query_timeout: opts.timeout,
                    ..Limits::default()
                },
                ..ServeConfig::default()
            },
        );
        let conn = server.connect().map_err(Error::Io)?;
        let max_message_bytes = server.config.limits.max_message_bytes;
        Ok(Mcp {
            backend: Backend::Local { server, conn },
            allow_writes: opts.allow_writes,
            max_message_bytes,
        })
    }

    /// An MCP server whose tools run on the server `client` is connected to.
    pub fn remote(client: Client, opts: &McpOptions) -> Mcp {
        Mcp {
            backend: Backend::Remote(Mutex::new(client)),
            allow_writes: opts.allow_writes,
            max_message_bytes: Limits::default().max_message_bytes,
        }
    }

    /// Answers messages from `input` until it ends.
    pub fn serve(&self, input: &mut dyn BufRead, output: &mut dyn Write) -> std::io::Result<()> {
        let max = self.max_message_bytes;
        loop {
            let line = match read_line(input, max)? {
                Line::End => return Ok(()),
                Line::TooLong(n) => {
                    let e = error(
                        Json::Null,
                        INVALID_REQUEST,
                        &format!("a message of {n} bytes, more than the limit of {max}"),
                    );
                    write_message(output, &e)?;
                    continue;
                }
                Line::Text(t) => t,
            };
            if line.trim().is_empty() {
                continue;
            }
            if let Some(reply) = self.message(&line) {
                write_message(output, &reply)?;
            }
        }
    }

    /// The reply to one message (None for a notification).
    pub fn message(&self, text: &str) -> Option<Json> {
        let msg: Json = match serde_json::from_str(text) {
            Ok(m) => m,
            Err(e) => return Some(error(Json::Null, PARSE_ERROR, &format!("parse error: {e}"))),
        };
        let Json::Object(msg) = msg else {
            return Some(error(
                Json::Null,
                INVALID_REQUEST,
                "a message must be one JSON-RPC 2.0 object (batches are not supported)",
            ));
        };
        let id = msg.get("id").cloned();
        let Some(Json::String(method)) = msg.get("method") else {
            // A response to a request we never sent, or garbage: nothing to answer.
            return id.map(|id| error(id, INVALID_REQUEST, "a request needs a `method`"));
        };
        let params = msg.get("params").cloned().unwrap_or(Json::Null);
        let Some(id) = id else {
            // Notifications (initialized, cancelled, …) need no answer.
            return None;
        };
        let result = match method.as_str() {
            "initialize" => Ok(self.initialize(&params)),
            "ping" => Ok(json!({})),
            "tools/list" => Ok(json!({ "tools": self.tools() })),
            "tools/call" => self.call(&params),
            other => Err((METHOD_NOT_FOUND, format!("method not found: {other}"))),
        };
        Some(match result {
            Ok(r) => json!({ "jsonrpc": "2.0", "id": id, "result": r }),
            Err((code, message)) => error(id, code, &message),
        })
    }

    fn initialize(&self, params: &Json) -> Json {
        let asked = params.get("protocolVersion").and_then(Json::as_str);
        let version = PROTOCOL_VERSIONS
            .iter()
            .find(|v| Some(**v) == asked)
            .unwrap_or(&PROTOCOL_VERSIONS[0]);
        let db = match &self.backend {
            Backend::Local { server, .. } => server
                .config
                .db_path
                .as_ref()
                .map(|p| format!(" {}", p.display()))
                .unwrap_or_default(),
            Backend::Remote(_) => " (through a kg server)".to_string(),
        };
        let writes = if self.allow_writes {
            "The query tool may write."
        } else {
            "The database is read-only here: the query tool refuses writes."
        };
        json!({
            "protocolVersion": version,
            "capabilities": { "tools": { "listChanged": false } },
            "serverInfo": {
                "name": "kgstore",
                "title": "kgstore knowledge graph",
                "version": env!("CARGO_PKG_VERSION"),
            },
            "instructions": format!(
                "A kgstore knowledge-graph database{db} queried with openCypher. Call schema first \
                 to learn the labels, relationship types and property keys; find_nodes finds \
                 nodes by name or alias; query runs Cypher (use $parameters); explain shows a plan. \
                 {writes}"
            ),
        })
    }

    fn tools(&self) -> Json {
        let query_text = if self.allow_writes {
            "Run one openCypher statement against the knowledge graph and get its rows as JSON \
             (columns, rows; nodes as {id, labels, properties}, relationships as {id, type, \
             start, end, properties}). Pass values as $parameters. Writes are allowed."
        } else {
            "Run one read-only openCypher statement against the knowledge graph and get its rows \
             as JSON (columns, rows; nodes as {id, labels, properties}, relationships as {id, \
             type, start, end, properties}). Pass values as $parameters. Writes are refused."
        };
        json!([
            {
                "name": "query",
                "title": "Run a Cypher query",
                "description": format!("{query_text} At most {MAX_ROWS} rows are returned."),
                "inputSchema": {
                    "type": "object",
                    "properties": {
                        "cypher": { "type": "string", "description": "The openCypher statement, e.g. MATCH (l:Lab) RETURN l.name LIMIT 10" },
                        "parameters": { "type": "object", "description": "Values for the statement's $parameters", "additionalProperties": true }
                    },
                    "required": ["cypher"]
                },
                "annotations": { "readOnlyHint": !self.allow_writes, "destructiveHint": self.allow_writes, "openWorldHint": false }
            },
            {
                "name": "schema",
                "title": "Show the graph's schema",
                "description": "Node labels and relationship types with how many nodes and relationships carry each, all property keys, indexes, uniqueness constraints (`unique_constraints`) and every constraint of any kind (`constraints`: uniqueness, existence, property type, node and relationship keys, in SHOW CONSTRAINTS' columns).",
                "inputSchema": { "type": "object", "properties": {} },
                "annotations": { "readOnlyHint": true, "openWorldHint": false }
            },
            {
                "name": "explain",
                "title": "Explain a Cypher query",
                "description": "The execution plan of an openCypher statement as an indented tree, without running it. Also checks the statement's syntax.",
                "inputSchema": {
                    "type": "object",
                    "properties": { "cypher": { "type": "string", "description": "The openCypher statement" } },
                    "required": ["cypher"]
                },
                "annotations": { "readOnlyHint": true, "openWorldHint": false }
            },
            {
                "name": "find_nodes",
                "title": "Find nodes by name",
                "description": "Nodes whose name, or one of whose aliases, contains the given text (case-insensitive); exact matches first.",
                "inputSchema": {
                    "type": "object",
                    "properties": {
                        "name": { "type": "string", "description": "Text to look for in names and aliases" },
                        "label": { "type": "string", "description": "Only nodes with this label" },
                        "limit": { "type": "integer", "minimum": 1, "maximum": MAX_ROWS, "description": "At most this many nodes (default 10)" }
                    },
                    "required": ["name"]
                },
                "annotations": { "readOnlyHint": true, "openWorldHint": false }
            }
        ])
    }

    fn call(&self, params: &Json) -> Result<Json, (i64, String)> {
        let name = params
            .get("name")
            .and_then(Json::as_str)
            .ok_or((INVALID_PARAMS, "tools/call needs a tool `name`".to_string()))?;
        let empty = Map::new();
        let args = match params.get("arguments") {
            None | Some(Json::Null) => &empty,
            Some(Json::Object(a)) => a,
            Some(_) => return Err((INVALID_PARAMS, "`arguments` must be an object".into())),
        };
        let string = |key: &str| -> Result<&str, (i64, String)> {
            args.get(key).and_then(Json::as_str).ok_or((
                INVALID_PARAMS,
                format!("{name} needs a string argument `{key}`"),
            ))
        };
        let outcome = match name {
            "query" => {
                let cypher = string("cypher")?;
                let params = match args.get("parameters") {
                    None | Some(Json::Null) => Params::new(),
                    Some(p @ Json::Object(_)) => match crate::params::from_json(p) {
                        Value::Map(m) => m,
                        _ => Params::new(),
                    },
                    Some(_) => {
                        return Err((INVALID_PARAMS, "`parameters` must be an object".into()))
                    }
                };
                self.run(cypher, &params).map(|r| result_json(&r))
            }
            "schema" => self.schema(),
            "explain" => {
                let cypher = string("cypher")?;
                self.run(&format!("EXPLAIN {cypher}"), &Params::new())
                    .map(|r| Json::String(r.plan.unwrap_or_default()))
            }
            "find_nodes" => {
                let text = string("name")?;
                let label = match args.get("label") {
                    None | Some(Json::Null) => None,
                    Some(Json::String(l)) if !l.is_empty() => Some(l.as_str()),
                    Some(_) => {
                        return Err((INVALID_PARAMS, "`label` must be a non-empty string".into()))
                    }
                };
                let limit = match args.get("limit") {
                    None | Some(Json::Null) => 10,
                    Some(l) => l
                        .as_i64()
                        .filter(|l| (1..=MAX_ROWS as i64).contains(l))
                        .ok_or((
                            INVALID_PARAMS,
                            format!("`limit` must be an integer from 1 to {MAX_ROWS}"),
                        ))?,
                };
                self.find_nodes(text, label, limit)
            }
            other => return Err((INVALID_PARAMS, format!("unknown tool: {other}"))),
        };
        Ok(match outcome {
            Ok(Json::String(text)) => tool_result(text, false),
            Ok(j) => tool_result(j.to_string(), false),
            Err(e) => tool_result(format!("{}: {e}", super::status::code(&e)), true),
        })
    }

    fn run(&self, cypher: &str, params: &Params) -> Result<QueryResult, Error> {
        let (server, conn) = match &self.backend {
            Backend::Local { server, conn } => (server, conn),
            Backend::Remote(client) => {
                let mut client = client.lock().unwrap_or_else(|e| e.into_inner());
                let r = client.run_in_mode(cypher, params, !self.allow_writes);
                if client.in_transaction() {
                    let _ = client.rollback();
                    return Err(Error::Transaction(
                        "explicit transactions are not available here: send one statement at a time"
                            .into(),
                    ));
                }
                return r;
            }
        };
        let mut txn = None;
        let r = server.run(conn, &mut txn, cypher, params, !self.allow_writes, false);
        if txn.take().is_some() {
            return Err(Error::Transaction(
                "explicit transactions are not available here: send one statement at a time".into(),
            ));
        }
        r
    }

    fn schema(&self) -> Result<Json, Error> {
        let server = match &self.backend {
            Backend::Local { server, .. } => server,
            Backend::Remote(_) => return self.schema_by_cypher(),
        };
        let s = server.db.stats()?;
        let counts = |v: &[(String, u64)]| {
            Json::Object(v.iter().map(|(k, n)| (k.clone(), json!(n))).collect())
        };
        let (constraints, indexes): (Vec<_>, Vec<_>) = s.indexes.iter().partition(|i| i.unique);
        let defs = |v: Vec<&crate::store::IndexDef>| {
            v.iter()
                .map(|i| json!({ "name": i.name, "label": i.label, "property": i.property }))
                .collect::<Vec<_>>()
        };
        Ok(json!({
            "nodes": s.nodes,
            "relationships": s.relationships,
            "labels": counts(&s.labels),
            "relationship_types": counts(&s.relationship_types),
            "property_keys": s.property_keys,
            "indexes": defs(indexes),
            "unique_constraints": defs(constraints),
            "constraints": s.constraints.iter().map(|c| json!({
                "name": c.name,
                "type": c.type_name(),
                "entityType": if c.on_relationships { "RELATIONSHIP" } else { "NODE" },
                "labelsOrTypes": [c.label],
                "properties": c.properties,
                "propertyType": match &c.kind {
                    crate::store::ConstraintKind::Type(t) => Json::String(t.to_string()),
                    _ => Json::Null,
                },
            })).collect::<Vec<_>>(),
        }))
    }

    /// The `schema` tool's answer read with Cypher (on a remote server), in the same shape.
    fn schema_by_cypher(&self) -> Result<Json, Error> {
        let none = Params::new();
        let one = |q: &str| -> Result<Json, Error> {
            let r = self.run(q, &none)?;
            Ok(r.rows
                .first()
                .and_then(|row| row.first())
                .map(to_json)
                .unwrap_or(Json::Null))
        };
        let counts = |q: &str| -> Result<Json, Error> {
            let r = self.run(q, &none)?;
            Ok(Json::Object(
                r.rows
                    .iter()
                    .filter_map(|row| match (row.first(), row.get(1)) {
                        (Some(Value::String(k)), Some(n)) => Some((k.clone(), to_json(n))),
                        _ => None,
                    })
                    .collect(),
            ))
        };
        let keys = self.run(
            "CALL db.propertyKeys() YIELD propertyKey RETURN propertyKey ORDER BY propertyKey",
            &none,
        )?;
        let indexes = self.run(
            "CALL db.indexes() YIELD name, labelsOrTypes, properties, owningConstraint \
             RETURN name, labelsOrTypes[0] AS label, properties[0] AS property, \
             owningConstraint IS NOT NULL AS unique ORDER BY name",
            &none,
        )?;
        let (mut plain, mut unique) = (Vec::new(), Vec::new());
        for row in &indexes.rows {
            let def = json!({
                "name": row.first().map(to_json),
                "label": row.get(1).map(to_json),
                "property": row.get(2).map(to_json),
            });
            if matches!(row.get(3), Some(Value::Bool(true))) {
                unique.push(def);
            } else {
                plain.push(def);
            }
        }
        // Every kind of constraint, in SHOW CONSTRAINTS' columns (as the local answer).
        let columns = [
            "name",
            "type",
            "entityType",
            "labelsOrTypes",
            "properties",
            "propertyType",
        ];
        let constraints = self.run(
            &format!(
                "CALL db.constraints() YIELD {0} RETURN {0} ORDER BY name",
                columns.join(", ")
            ),
            &none,
        )?;
        let constraints: Vec<Json> = constraints
            .rows
            .iter()
            .map(|row| {
                Json::Object(
                    columns
                        .iter()
                        .zip(row)
                        .map(|(c, v)| (c.to_string(), to_json(v)))
                        .collect(),
                )
            })
            .collect();
        Ok(json!({
            "nodes": one("MATCH (n) RETURN count(n)")?,
            "relationships": one("MATCH ()-[r]->() RETURN count(r)")?,
            "labels": counts("MATCH (n) UNWIND labels(n) AS l RETURN l, count(*) ORDER BY l")?,
            "relationship_types": counts("MATCH ()-[r]->() RETURN type(r) AS t, count(*) ORDER BY t")?,
            "property_keys": keys.rows.iter().filter_map(|r| r.first()).map(to_json).collect::<Vec<_>>(),
            "indexes": plain,
            "unique_constraints": unique,
            "constraints": constraints,
        }))
    }

    fn find_nodes(&self, text: &str, label: Option<&str>, limit: i64) -> Result<Json, Error> {
        let pattern = match label {
            Some(l) => format!("(n:`{}`)", l.replace('`', "``")),
            None => "(n)".to_string(),
        };
        let cypher = format!(
            "MATCH {pattern} \
             WITH n, toLower($text) AS t, [a IN coalesce(n.aliases, []) | toLower(toString(a))] AS aliases \
             WHERE toLower(toString(n.name)) CONTAINS t OR any(a IN aliases WHERE a CONTAINS t) \
             RETURN n, CASE WHEN toLower(toString(n.name)) = t OR t IN aliases THEN 0 ELSE 1 END AS rank \
             ORDER BY rank, n.name LIMIT $max"
        );
        let mut params = Params::new();
        params.insert("text".into(), Value::from(text));
        params.insert("max".into(), Value::Int(limit));
        let r = self.run(&cypher, &params)?;
        let nodes: Vec<Json> = r
            .rows
            .iter()
            .filter_map(|row| row.first())
            .map(to_json)
            .collect();
        Ok(json!({ "nodes": nodes }))
    }
}

/// A query result as the model sees it: `kg query --format json`'s object, at most
/// [`MAX_ROWS`] rows.
fn result_json(r: &QueryResult) -> Json {
    let mut obj = Map::new();
    obj.insert("columns".into(), json!(r.columns));
    let rows: Vec<Json> = r
        .rows
        .iter()
        .take(MAX_ROWS)
        .map(|row| Json::Array(row.iter().map(to_json).collect()))
        .collect();
    obj.insert("rows".into(), Json::Array(rows));
    if r.rows.len() > MAX_ROWS {
        obj.insert("truncated".into(), json!(true));
        obj.insert("total_rows".into(), json!(r.rows.len()));
    }
    if !r.stats.is_empty() {
        obj.insert("stats".into(), stats_json(&r.stats));
    }
    Json::Object(obj)
}

fn tool_result(text: String, is_error: bool) -> Json {
    json!({ "content": [ { "type": "text", "text": text } ], "isError": is_error })
}

fn error(id: Json, code: i64, message: &str) -> Json {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": code, "message": message } })
}

fn write_message(out: &mut dyn Write, msg: &Json) -> std::io::Result<()> {
    // serde_json escapes newlines inside strings, so a message is always one line.
    let mut line = msg.to_string();
    line.push('\n');
    out.write_all(line.as_bytes())?;
    out.flush()
}

enum Line {
    Text(String),
    /// A line over the limit (its length), skipped.
    TooLong(usize),
    End,
}

/// Reads one line of at most `max` bytes without holding more than that in memory.
fn read_line(input: &mut dyn BufRead, max: usize) -> std::io::Result<Line> {
    let mut buf = Vec::new();
    let mut total = 0usize;
    loop {
        let chunk = match input.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(if total == 0 {
                Line::End
            } else if total > max {
                Line::TooLong(total)
            } else {
                Line::Text(String::from_utf8_lossy(&buf).into_owned())
            });
        }
        let (take, done) = match chunk.iter().position(|&b| b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        total += take;
        if total <= max + 1 {
            buf.extend_from_slice(&chunk[..take]);
        }
        input.consume(take);
        if done {
            return Ok(if total > max + 1 {
                Line::TooLong(total - 1)
            } else {
                Line::Text(String::from_utf8_lossy(&buf).into_owned())
            });
        }
    }
}

/// `kg mcp`: serves stdin/stdout until stdin ends; returns the exit code.
pub fn run_stdio(db: Database, opts: &McpOptions) -> i32 {
    match Mcp::new(db, opts) {
        Ok(m) => serve_stdio(&m),
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// `kg mcp --connect URL` (or on a database a running server holds): the tools run there.
pub fn run_stdio_remote(client: Client, opts: &McpOptions) -> i32 {
    serve_stdio(&Mcp::remote(client, opts))
}

fn serve_stdio(mcp: &Mcp) -> i32 {
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut input = stdin.lock();
    let mut output = stdout.lock();
    match mcp.serve(&mut input, &mut output) {
        Ok(()) => 0,
        Err(e) => {
            eprintln!("error: kg mcp: {e}");
            1
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mcp(allow_writes: bool) -> Mcp {
        let db = Database::open_in_memory().unwrap();
        db.run(
            "CREATE (:Lab {name: 'Zhipu AI', aliases: ['Knowledge Atlas Technology']}), \
             (:Lab {name: 'DeepSeek'}), (:Person {name: 'Liang Wenfeng'})",
            &Params::new(),
        )
        .unwrap();
        Mcp::new(
            db,
            &McpOptions {
                allow_writes,
                ..McpOptions::default()
            },
        )
        .unwrap()
    }

    fn call(m: &Mcp, tool: &str, args: Json) -> (bool, String) {
        let msg = json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {"name": tool, "arguments": args}});
        let r = m.message(&msg.to_string()).unwrap();
        let res = &r["result"];
        (
            res["isError"].as_bool().unwrap(),
            res["content"][0]["text"].as_str().unwrap().to_string(),
        )
    }

    #[test]
    fn handshake_and_protocol_errors() {
        let m = mcp(false);
        let r = m
            .message(r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#)
            .unwrap();
        assert_eq!(r["result"]["protocolVersion"], "2025-06-18");
        let r = m
            .message(r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"1999-01-01"}}"#)
            .unwrap();
        assert_eq!(r["result"]["protocolVersion"], PROTOCOL_VERSIONS[0]);
        assert!(m
            .message(r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#)
            .is_none());
        assert_eq!(
            m.message("{not json").unwrap()["error"]["code"],
            PARSE_ERROR
        );
        assert_eq!(m.message("[1]").unwrap()["error"]["code"], INVALID_REQUEST);
        assert_eq!(
            m.message(r#"{"jsonrpc":"2.0","id":"x","method":"server/discover"}"#)
                .unwrap()["error"]["code"],
            METHOD_NOT_FOUND
        );
        let r = m
            .message(r#"{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"nope"}}"#)
            .unwrap();
        assert_eq!(r["error"]["code"], INVALID_PARAMS);
        let r = m
            .message(r#"{"jsonrpc":"2.0","id":3,"method":"tools/call","params":{"name":"query","arguments":{"cypher":7}}}"#)
            .unwrap();
        assert_eq!(r["error"]["code"], INVALID_PARAMS);
    }

    #[test]
    fn tools_read_and_refuse_writes() {
        let m = mcp(false);
        let (err, text) = call(
            &m,
            "query",
            json!({"cypher": "MATCH (l:Lab) WHERE l.name = $n RETURN l.name AS name", "parameters": {"n": "DeepSeek"}}),
        );
        assert!(!err);
        assert_eq!(text, r#"{"columns":["name"],"rows":[["DeepSeek"]]}"#);
        let (err, text) = call(&m, "query", json!({"cypher": "CREATE (:X)"}));
        assert!(err);
        assert!(
            text.starts_with("Neo.ClientError.Statement.AccessMode"),
            "{text}"
        );
        let (err, text) = call(&m, "query", json!({"cypher": "MATCH (n RETURN n"}));
        assert!(err);
        assert!(text.contains("SyntaxError"), "{text}");
        let (err, text) = call(&m, "schema", json!({}));
        assert!(!err);
        let s: Json = serde_json::from_str(&text).unwrap();
        assert_eq!(s["labels"], json!({"Lab": 2, "Person": 1}));
        assert_eq!(s["nodes"], 3);
        let (err, text) = call(&m, "explain", json!({"cypher": "MATCH (l:Lab) RETURN l"}));
        assert!(!err, "{text}");
        assert!(text.contains("Lab"), "{text}");
        let (err, text) = call(&m, "find_nodes", json!({"name": "knowledge atlas"}));
        assert!(!err, "{text}");
        let f: Json = serde_json::from_str(&text).unwrap();
        assert_eq!(f["nodes"][0]["properties"]["name"], "Zhipu AI");
        let (_, text) = call(&m, "find_nodes", json!({"name": "e", "label": "Person"}));
        let f: Json = serde_json::from_str(&text).unwrap();
        assert_eq!(f["nodes"].as_array().unwrap().len(), 1);
        // An exact name comes first.
        let (_, text) = call(&m, "find_nodes", json!({"name": "deepseek"}));
        let f: Json = serde_json::from_str(&text).unwrap();
        assert_eq!(f["nodes"][0]["properties"]["name"], "DeepSeek");
        // A label with a backtick cannot break out of the pattern.
        let (err, _) = call(
            &m,
            "find_nodes",
            json!({"name": "x", "label": "A`) DETACH DELETE n //"}),
        );
        assert!(!err);
        let (_, text) = call(&m, "schema", json!({}));
        assert!(text.contains("\"nodes\":3"));
    }

    #[test]
    fn writes_with_allow_writes() {
        let m = mcp(true);
        let (err, text) = call(&m, "query", json!({"cypher": "CREATE (:X {n: 1})"}));
        assert!(!err, "{text}");
        assert!(text.contains("\"nodes_created\":1"), "{text}");
        let (err, text) = call(&m, "query", json!({"cypher": "BEGIN"}));
        assert!(err, "{text}");
    }

    #[test]
    fn long_lines_are_refused_and_reading_goes_on() {
        let m = mcp(false);
        let long = format!("{}\n", "x".repeat(100));
        let input = format!("{long}{}\n", r#"{"jsonrpc":"2.0","id":1,"method":"ping"}"#);
        let mut reader = std::io::BufReader::with_capacity(16, input.as_bytes());
        assert!(matches!(
            read_line(&mut reader, 50).unwrap(),
            Line::TooLong(100)
        ));
        match read_line(&mut reader, 50).unwrap() {
            Line::Text(t) => assert!(m.message(&t).unwrap()["result"].is_object()),
            _ => panic!("the next line was lost"),
        }
        assert!(matches!(read_line(&mut reader, 50).unwrap(), Line::End));
    }
}
