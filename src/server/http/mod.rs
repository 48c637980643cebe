//! The HTTP listener of `kg serve`: a JSON query API shaped like Neo4j's Query API v2, and the
//! explorer's static files.
//!
//! Routes (`{db}` is `neo4j`, `kgstore` or the database directory's name):
//! - `GET /`: discovery (endpoints, version); the explorer's index for a browser.
//! - `POST /db/{db}/query/v2`: one statement in its own transaction:
//!   `{"statement", "parameters", "includeCounters", "accessMode"}` →
//!   `{"data": {"fields": [..], "values": [[..]]}, "counters": {..}, "bookmarks": []}`.
//! - `POST /db/{db}/query/v2/tx`: open an explicit transaction (optionally running a statement)
//!   → `"transaction": {"id", "expires"}`; `POST …/tx/{id}` runs in it (an empty body only
//!   keeps it alive), `POST …/tx/{id}/commit` commits (after an optional last statement),
//!   `DELETE …/tx/{id}` rolls back. A failed statement rolls its transaction back, as in Neo4j.
//!   An idle transaction is rolled back after `Limits::transaction_timeout`.
//! - `GET` of any other path: an explorer file (`server::explorer::asset`) or 404.
//!
//! Values are the shapes of `kg query --format json` (`render::json`), or Neo4j's typed JSON
//! (`typed`) when the client asks for `application/vnd.neo4j.query`, as the official Python
//! driver's `http://` mode does. Errors are `{"errors": [{"code", "message"}]}` with Neo4j status
//! codes and an HTTP status: 400 for a client error, 401 without valid credentials, 403 for a
//! write refused by read-only access, 404 for an unknown database, transaction or path, 409 for
//! a transaction already busy with another request, 413 for a body over the size limit, 500 for
//! a database error and 503 for a transient one (retry).
//!
//! Invariants: statements run only through [`Server::run`]; a transaction's `Txn` is either in
//! the map or held by the one request working on it (marked busy), never both; nothing a client
//! sends can panic a connection thread (see `wire`).

pub mod typed;
pub mod wire;

use std::collections::{HashMap, HashSet};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant, SystemTime};

use serde_json::{json, Map, Value as Json};
use sha2::{Digest, Sha256};

use super::{accept_loop, status, Connection, Server};
use crate::db::{Params, QueryResult, WriteStats};
use crate::error::Error;
use crate::store::Txn;
use crate::value::Value;
use wire::{Reader, Request, Response};

const JSON: &str = "application/json";
const TYPED: &str = "application/vnd.neo4j.query";

/// Serves HTTP on `listener` until the server stops; blocks. Open explicit transactions are
/// rolled back when it returns.
pub fn accept(server: Arc<Server>, listener: TcpListener) {
    let loopback = listener
        .local_addr()
        .map(|a| a.ip().is_loopback())
        .unwrap_or(false);
    let http = Arc::new(Http::new(server.clone(), loopback));
    let sweeper = {
        let http = http.clone();
        std::thread::Builder::new()
            .name("http-tx-expiry".into())
            .spawn(move || {
                while !http.server.is_stopping() {
                    std::thread::sleep(SWEEP_EVERY);
                    http.sweep(false);
                }
                http.sweep(true);
            })
    };
    let handler = {
        let http = http.clone();
        move |_server: Arc<Server>, stream: TcpStream, conn: Connection| http.serve(stream, conn)
    };
    accept_loop(server, listener, handler, refuse);
    if let Ok(t) = sweeper {
        let _ = t.join();
    }
    http.sweep(true);
}

/// `accept` as one of the loops `server::run_until_stopped` runs.
pub fn http_loop(listener: TcpListener) -> Box<dyn FnOnce(Arc<Server>) + Send> {
    Box::new(move |server| accept(server, listener))
}

/// Answers a connection over the limit with 503 and closes it.
fn refuse(mut stream: TcpStream, why: &str) {
    let _ = stream.set_write_timeout(Some(Duration::from_secs(1)));
    let r = error_response(503, "Neo.TransientError.General.DatabaseUnavailable", why);
    let _ = wire::write(&mut stream, &r, false);
}

/// How often expired transactions are looked for.
const SWEEP_EVERY: Duration = Duration::from_millis(250);
/// Successful credentials remembered, so that a client is not charged a slow hash per request.
const AUTH_CACHE_SIZE: usize = 256;

/// An explicit transaction opened over HTTP.
struct OpenTx {
    /// None while a request works on it.
    txn: Option<Txn>,
    /// The user who opened it; nobody else may use it.
    user: Option<String>,
    read_only: bool,
    expires: Instant,
}

/// The HTTP listener's state, shared by its connections.
struct Http {
    server: Arc<Server>,
    txs: Mutex<HashMap<String, OpenTx>>,
    /// Salted digests of credentials that passed `Auth::check`.
    auth_ok: Mutex<HashSet<[u8; 32]>>,
    salt: [u8; 16],
    /// Listening on a loopback address: query requests must name a loopback host.
    loopback: bool,
}

/// The parts of a query request body.
struct StatementRequest {
    statement: Option<String>,
    params: Params,
    counters: bool,
    read: bool,
    /// `"why": true`: each row gains a `why` field, its provenance.
    why: bool,
}

/// How a request wants its values.
#[derive(Clone, Copy)]
struct Format {
    typed_in: bool,
    typed_out: bool,
}

impl Format {
    fn content_type(self) -> &'static str {
        if self.typed_out {
            TYPED
        } else {
            JSON
        }
    }
}

fn random_bytes<const N: usize>() -> [u8; N] {
    use std::io::Read;
    let mut b = [0u8; N];
    if std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .is_err()
    {
        // Not secret without /dev/urandom, but still unique per process and moment.
        let t = SystemTime::now()
            .duration_since(SystemTime::UNIX_EPOCH)
            .unwrap_or_default()
            .as_nanos();
        let seed = Sha256::digest(format!("{t}:{}", std::process::id()));
        for (i, x) in b.iter_mut().enumerate() {
            *x = seed[i % seed.len()];
        }
    }
    b
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn error_response(status: u16, code: &str, message: &str) -> Response {
    let body = json!({ "errors": [ { "code": code, "message": message } ] });
    Response::new(status, JSON, body.to_string().into_bytes())
}

/// The HTTP status for a Neo4j status code.
fn http_status(code: &str) -> u16 {
    if code == "Neo.ClientError.Security.Unauthorized" {
        401
    } else if code == "Neo.ClientError.Statement.AccessMode"
        || code.starts_with("Neo.ClientError.Security.")
    {
        403
    } else if code == "Neo.ClientError.Database.DatabaseNotFound" {
        404
    } else if code.starts_with("Neo.ClientError.") {
        400
    } else if code.starts_with("Neo.TransientError.") {
        503
    } else {
        500
    }
}

fn error_of(e: &Error) -> Response {
    let code = status::code(e);
    error_response(http_status(code), code, &e.to_string())
}

fn bad_request(message: impl AsRef<str>) -> Response {
    error_response(400, "Neo.ClientError.Request.Invalid", message.as_ref())
}

fn not_found(message: impl AsRef<str>) -> Response {
    error_response(404, "Neo.ClientError.Request.Invalid", message.as_ref())
}

fn json_response(status: u16, format: Format, body: Json) -> Response {
    Response::new(status, format.content_type(), body.to_string().into_bytes())
}

/// The time `d` from now as `2026-01-15T09:30:00Z`.
fn utc_text(d: Duration) -> String {
    let secs = (SystemTime::now() + d)
        .duration_since(SystemTime::UNIX_EPOCH)
        .unwrap_or_default()
        .as_secs();
    chrono::DateTime::<chrono::Utc>::from_timestamp(i64::try_from(secs).unwrap_or(0), 0)
        .map(|t| t.format("%Y-%m-%dT%H:%M:%SZ").to_string())
        .unwrap_or_default()
}

fn depth(j: &Json) -> usize {
    match j {
        Json::Array(a) => 1 + a.iter().map(depth).max().unwrap_or(0),
        Json::Object(o) => 1 + o.values().map(depth).max().unwrap_or(0),
        _ => 0,
    }
}

/// Neo4j's query counters (the keys its drivers know), all present.
fn counters_json(s: &WriteStats) -> Json {
    json!({
        "containsUpdates": !s.is_empty(),
        "nodesCreated": s.nodes_created,
        "nodesDeleted": s.nodes_deleted,
        "propertiesSet": s.properties_set,
        "relationshipsCreated": s.relationships_created,
        "relationshipsDeleted": s.relationships_deleted,
        "labelsAdded": s.labels_added,
        "labelsRemoved": s.labels_removed,
        "indexesAdded": s.indexes_added,
        "indexesRemoved": s.indexes_removed,
        "constraintsAdded": s.constraints_added,
        "constraintsRemoved": s.constraints_removed,
        "containsSystemUpdates": false,
        "systemUpdates": 0,
    })
}

impl Http {
    fn new(server: Arc<Server>, loopback: bool) -> Http {
        Http {
            server,
            txs: Mutex::new(HashMap::new()),
            auth_ok: Mutex::new(HashSet::new()),
            salt: random_bytes(),
            loopback,
        }
    }

    /// Refuses what a web page in the user's browser could send to a server on loopback: a
    /// request for another host name (DNS rebinding) or a body that is not JSON (a cross-site
    /// form post needs no CORS preflight; a JSON one does, and gets none).
    fn check_origin(&self, req: &Request) -> Result<(), Response> {
        if self.loopback {
            if let Some(host) = req.header("host") {
                let name = match host.rsplit_once(':') {
                    Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
                    _ => host,
                };
                let name = name.trim_start_matches('[').trim_end_matches(']');
                let local = name.eq_ignore_ascii_case("localhost")
                    || name
                        .parse::<std::net::IpAddr>()
                        .is_ok_and(|ip| ip.is_loopback());
                if !local {
                    return Err(error_response(
                        403,
                        "Neo.ClientError.Security.Forbidden",
                        &format!(
                            "this server listens on loopback and answers requests for localhost \
                             only, not for `{host}`"
                        ),
                    ));
                }
            }
        }
        if !req.body.iter().all(u8::is_ascii_whitespace) {
            let json = req.header("content-type").is_some_and(|c| {
                let c = c.to_ascii_lowercase();
                c.contains("json") || c.contains(TYPED)
            });
            if !json {
                return Err(error_response(
                    415,
                    "Neo.ClientError.Request.InvalidFormat",
                    "send the request body as JSON, with Content-Type: application/json",
                ));
            }
        }
        Ok(())
    }

    fn limits(&self) -> &super::Limits {
        &self.server.config.limits
    }

    /// One connection: requests answered in order until the client closes, sends something
    /// unreadable, idles too long or the server stops.
    fn serve(&self, stream: TcpStream, conn: Connection) {
        let name = conn.name("http");
        if let Ok(peer) = stream.peer_addr() {
            self.server.log(&format!("{name}: connection from {peer}"));
        }
        let Ok(mut reader) = Reader::new(stream) else {
            return;
        };
        let max_body = self.limits().max_message_bytes;
        loop {
            let req = match reader.next(max_body, &conn.cancel) {
                Ok(r) => r,
                Err(wire::ReadError::Bad(status, message)) => {
                    self.server
                        .log(&format!("{name}: bad request ({status}): {message}"));
                    let code = if status == 413 || status == 431 {
                        "Neo.ClientError.Request.Invalid"
                    } else {
                        "Neo.ClientError.Request.InvalidFormat"
                    };
                    let _ = wire::write(
                        reader.stream(),
                        &error_response(status, code, &message),
                        false,
                    );
                    reader.linger();
                    break;
                }
                Err(_) => break,
            };
            let resp = self.handle(&conn, &req);
            if resp.status >= 400 && resp.status != 404 {
                if let Ok(text) = std::str::from_utf8(&resp.body) {
                    self.server.log(&format!(
                        "{name}: {} {} failed ({}): {text}",
                        req.method, req.path, resp.status
                    ));
                }
            }
            let keep = req.keep_alive && !self.server.is_stopping();
            let body = req.method != "HEAD";
            if wire::write_with(reader.stream(), &resp, keep, body).is_err() || !keep {
                break;
            }
        }
    }

    fn handle(&self, conn: &Connection, req: &Request) -> Response {
        let segments: Vec<&str> = req.path.split('/').filter(|s| !s.is_empty()).collect();
        let m = req.method.as_str();
        match segments.as_slice() {
            [] if m == "GET" || m == "HEAD" => {
                let browser = req
                    .header("accept")
                    .is_some_and(|a| a.contains("text/html"));
                match crate::server::explorer::asset("/") {
                    Some((ct, bytes)) if browser => Response::new(200, ct, bytes.to_vec()),
                    _ => self.discovery(req),
                }
            }
            ["db", db, "query", "v2", rest @ ..] => {
                if let Err(r) = self.check_origin(req) {
                    return r;
                }
                if *db != "system" {
                    if let Err(r) = self.check_db(db) {
                        return r;
                    }
                }
                let user = match self.authenticate(req) {
                    Ok(u) => u,
                    Err(r) => return r,
                };
                let format = Format {
                    typed_in: req
                        .header("content-type")
                        .is_some_and(|c| c.contains(TYPED)),
                    typed_out: req.header("accept").is_some_and(|a| a.contains(TYPED)),
                };
                if *db == "system" {
                    return self.system(req, format, rest);
                }
                match (m, rest) {
                    ("POST", []) => self.auto_commit(conn, req, format),
                    ("POST", ["tx"]) => self.begin(conn, req, format, user),
                    ("POST", ["tx", id]) => self.run_in(conn, req, format, user, id),
                    ("POST", ["tx", id, "commit"]) => self.commit(conn, req, format, user, id),
                    ("DELETE", ["tx", id]) => self.rollback(user, id),
                    (_, [] | ["tx"] | ["tx", _, "commit"]) => method_not_allowed("POST"),
                    (_, ["tx", _]) => method_not_allowed("POST, DELETE"),
                    _ => not_found(format!("no such endpoint: {}", req.path)),
                }
            }
            _ if m == "GET" || m == "HEAD" => match crate::server::explorer::asset(&req.path) {
                Some((ct, bytes)) => Response::new(200, ct, bytes.to_vec()),
                None => not_found(format!("no such endpoint: {}", req.path)),
            },
            _ => not_found(format!("no such endpoint: {} {}", req.method, req.path)),
        }
    }

    /// `GET /`: where the endpoints are (Neo4j's discovery document).
    fn discovery(&self, req: &Request) -> Response {
        let host = req.header("host").unwrap_or("localhost:7474");
        let hostname = match host.rsplit_once(':') {
            Some((h, p)) if p.bytes().all(|b| b.is_ascii_digit()) => h,
            _ => host,
        };
        let agent = &self.server.config.agent;
        let version = agent
            .strip_prefix("Neo4j/")
            .and_then(|v| v.split_whitespace().next())
            .unwrap_or("5.26.0");
        let mut doc = Map::new();
        if let Some(bolt) = self.server.config.bolt {
            let port = bolt.port();
            doc.insert(
                "bolt_routing".into(),
                json!(format!("neo4j://{hostname}:{port}")),
            );
            doc.insert(
                "bolt_direct".into(),
                json!(format!("bolt://{hostname}:{port}")),
            );
        }
        doc.insert(
            "query".into(),
            json!(format!("http://{host}/db/{{databaseName}}/query/v2")),
        );
        doc.insert(
            "transaction".into(),
            json!(format!("http://{host}/db/{{databaseName}}/query/v2/tx")),
        );
        doc.insert("neo4j_version".into(), json!(version));
        doc.insert("neo4j_edition".into(), json!("community"));
        doc.insert("kgstore_version".into(), json!(env!("CARGO_PKG_VERSION")));
        // The explorer shows read-only mode from this.
        doc.insert("read_only".into(), json!(self.server.config.read_only));
        doc.insert("auth_config".into(), json!({ "oidc_providers": [] }));
        Response::new(200, JSON, Json::Object(doc).to_string().into_bytes())
    }

    /// The `system` database, which kgstore does not have, answers `CALL db.ping()` only: the
    /// Python driver's `verify_connectivity` sends that there.
    fn system(&self, req: &Request, format: Format, rest: &[&str]) -> Response {
        let body = match self.parse_body(req, format) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let ping = body.statement.as_deref().is_some_and(|s| {
            let s: String = s.split_whitespace().collect::<Vec<_>>().join(" ");
            s.trim_end_matches(';')
                .trim()
                .eq_ignore_ascii_case("CALL db.ping()")
        });
        if req.method != "POST" || !rest.is_empty() || !ping {
            return error_response(
                404,
                "Neo.ClientError.Database.DatabaseNotFound",
                "kgstore has no system database; it answers only CALL db.ping() there \
                 (query /db/neo4j/query/v2 instead)",
            );
        }
        let r = QueryResult {
            columns: vec!["success".into()],
            rows: vec![vec![Value::Bool(true)]],
            ..QueryResult::default()
        };
        match self.result_json(&r, format, body.counters) {
            Ok(b) => json_response(202, format, Json::Object(b)),
            Err(resp) => resp,
        }
    }

    /// The database names this server answers to.
    fn check_db(&self, db: &str) -> Result<(), Response> {
        let path = self.server.config.db_path.as_deref();
        let dir_name = path.and_then(|p| p.file_name()).and_then(|n| n.to_str());
        let stem = path.and_then(|p| p.file_stem()).and_then(|n| n.to_str());
        if db == "neo4j" || db == "kgstore" || Some(db) == dir_name || Some(db) == stem {
            Ok(())
        } else {
            let mut names = vec!["neo4j".to_string(), "kgstore".to_string()];
            names.extend(dir_name.map(str::to_string));
            Err(error_response(
                404,
                "Neo.ClientError.Database.DatabaseNotFound",
                &format!(
                    "no database named `{db}` here; this server has one database, named {}",
                    names.join(" or ")
                ),
            ))
        }
    }

    /// The user a request acts as (None without authentication), or a 401 response.
    fn authenticate(&self, req: &Request) -> Result<Option<String>, Response> {
        let auth = &self.server.config.auth;
        if !auth.required() {
            return Ok(None);
        }
        let unauthorized =
            |m: &str| error_response(401, "Neo.ClientError.Security.Unauthorized", m);
        let invalid = || {
            error_response(
                401,
                "Neo.ClientError.Request.InvalidFormat",
                "Invalid authentication header.",
            )
        };
        let Some(header) = req.header("authorization") else {
            return Err(unauthorized("No authentication header supplied."));
        };
        let Some((scheme, credentials)) = header.split_once(' ') else {
            return Err(invalid());
        };
        if !scheme.eq_ignore_ascii_case("basic") {
            return Err(unauthorized(
                "Only basic authentication (Authorization: Basic …) is supported.",
            ));
        }
        let decoded = wire::base64_decode(credentials.trim())
            .and_then(|b| String::from_utf8(b).ok())
            .ok_or_else(invalid)?;
        let Some((user, password)) = decoded.split_once(':') else {
            return Err(invalid());
        };
        let mut h = Sha256::new();
        h.update(self.salt);
        h.update(user.as_bytes());
        h.update([0u8]);
        h.update(password.as_bytes());
        let key: [u8; 32] = h.finalize().into();
        let cached = self
            .auth_ok
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .contains(&key);
        if cached || auth.check(user, password) {
            if !cached {
                let mut ok = self.auth_ok.lock().unwrap_or_else(|e| e.into_inner());
                if ok.len() >= AUTH_CACHE_SIZE {
                    ok.clear();
                }
                ok.insert(key);
            }
            Ok(Some(user.to_string()))
        } else {
            Err(unauthorized("Invalid username or password."))
        }
    }

    /// Reads a query request body; an empty body (or `{}`) has no statement.
    fn parse_body(&self, req: &Request, format: Format) -> Result<StatementRequest, Response> {
        let mut out = StatementRequest {
            statement: None,
            params: Params::new(),
            counters: false,
            read: false,
            why: false,
        };
        if req.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(out);
        }
        let invalid = |m: String| error_response(400, "Neo.ClientError.Request.InvalidFormat", &m);
        let json: Json = serde_json::from_slice(&req.body)
            .map_err(|e| invalid(format!("the request body is not valid JSON: {e}")))?;
        let max_depth = self.limits().max_depth;
        if depth(&json) > max_depth {
            return Err(invalid(format!(
                "the request body nests deeper than the server's limit of {max_depth}"
            )));
        }
        let Json::Object(obj) = json else {
            return Err(invalid("the request body must be a JSON object".into()));
        };
        match obj.get("statement") {
            None | Some(Json::Null) => {}
            Some(Json::String(s)) if s.trim().is_empty() => {}
            Some(Json::String(s)) => out.statement = Some(s.clone()),
            Some(_) => return Err(invalid("`statement` must be a string".into())),
        }
        match obj.get("parameters") {
            None | Some(Json::Null) => {}
            Some(Json::Object(p)) => {
                for (k, v) in p {
                    let value = if format.typed_in {
                        typed::from_typed(v)
                            .map_err(|e| invalid(format!("parameter `{k}`: {e}")))?
                    } else {
                        crate::params::from_json(v)
                    };
                    out.params.insert(k.clone(), value);
                }
            }
            Some(_) => return Err(invalid("`parameters` must be a JSON object".into())),
        }
        match obj.get("includeCounters") {
            None | Some(Json::Null) => {}
            Some(Json::Bool(b)) => out.counters = *b,
            Some(_) => return Err(invalid("`includeCounters` must be true or false".into())),
        }
        match obj.get("why") {
            None | Some(Json::Null) => {}
            Some(Json::Bool(b)) => out.why = *b,
            Some(_) => return Err(invalid("`why` must be true or false".into())),
        }
        match obj.get("accessMode") {
            None | Some(Json::Null) => {}
            Some(Json::String(s)) if s.eq_ignore_ascii_case("read") => out.read = true,
            Some(Json::String(s)) if s.eq_ignore_ascii_case("write") => {}
            Some(_) => return Err(invalid("`accessMode` must be \"Read\" or \"Write\"".into())),
        }
        Ok(out)
    }

    /// The JSON of a statement's result.
    fn result_json(
        &self,
        r: &QueryResult,
        format: Format,
        counters: bool,
    ) -> Result<Map<String, Json>, Response> {
        let max = self.limits().max_buffered_rows;
        if r.rows.len() > max {
            return Err(error_response(
                400,
                "Neo.ClientError.Request.Invalid",
                &format!(
                    "the result has {} rows, more than the server's limit of {max} per response; \
                     narrow the query or page through it with SKIP and LIMIT",
                    r.rows.len()
                ),
            ));
        }
        let value: fn(&Value) -> Json = if format.typed_out {
            typed::to_typed
        } else {
            crate::render::json::to_json
        };
        let values: Vec<Json> = r
            .rows
            .iter()
            .map(|row| Json::Array(row.iter().map(value).collect()))
            .collect();
        let mut body = Map::new();
        body.insert(
            "data".into(),
            json!({ "fields": r.columns, "values": values }),
        );
        if counters {
            body.insert("counters".into(), counters_json(&r.stats));
        }
        if let Some(plan) = &r.plan {
            body.insert("plan".into(), json!(plan));
        }
        body.insert("bookmarks".into(), json!([]));
        Ok(body)
    }

    fn auto_commit(&self, conn: &Connection, req: &Request, format: Format) -> Response {
        let body = match self.parse_body(req, format) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let Some(statement) = &body.statement else {
            return bad_request("the request body needs a `statement`");
        };
        let mut txn = None;
        let result = self
            .server
            .run(conn, &mut txn, statement, &body.params, body.read, body.why);
        if txn.take().is_some() {
            return bad_request(
                "BEGIN opens nothing here: open an explicit transaction with POST /db/{db}/query/v2/tx",
            );
        }
        match result {
            Ok(r) => match self.result_json(&r, format, body.counters) {
                Ok(b) => json_response(202, format, Json::Object(b)),
                Err(resp) => resp,
            },
            Err(e) => error_of(&e),
        }
    }

    fn begin(
        &self,
        conn: &Connection,
        req: &Request,
        format: Format,
        user: Option<String>,
    ) -> Response {
        let body = match self.parse_body(req, format) {
            Ok(b) => b,
            Err(r) => return r,
        };
        if self.server.is_stopping() {
            return error_of(&Error::Cancelled);
        }
        let mut session = self.server.db.session();
        if let Err(e) = session.begin() {
            return error_of(&e);
        }
        let mut txn = session.detach();
        let mut out = Map::new();
        if let Some(statement) = &body.statement {
            let r = self
                .server
                .run(conn, &mut txn, statement, &body.params, body.read, body.why);
            match r.map(|r| self.result_json(&r, format, body.counters)) {
                Ok(Ok(b)) => out = b,
                Ok(Err(resp)) => return resp,
                Err(e) => return error_of(&e),
            }
        }
        if txn.is_none() {
            // The statement was COMMIT or ROLLBACK.
            return json_response(202, format, Json::Object(out));
        }
        let id = hex(&random_bytes::<12>());
        let timeout = self.limits().transaction_timeout;
        self.txs.lock().unwrap_or_else(|e| e.into_inner()).insert(
            id.clone(),
            OpenTx {
                txn,
                user,
                read_only: body.read,
                expires: Instant::now() + timeout,
            },
        );
        out.insert(
            "transaction".into(),
            json!({ "id": id, "expires": utc_text(timeout) }),
        );
        json_response(202, format, Json::Object(out))
    }

    /// Takes transaction `id` out of the map for one request (marking it busy).
    fn take(&self, user: &Option<String>, id: &str) -> Result<(Option<Txn>, bool), Response> {
        let mut txs = self.txs.lock().unwrap_or_else(|e| e.into_inner());
        match txs.get_mut(id) {
            Some(tx) if tx.user == *user && tx.expires > Instant::now() => match tx.txn.take() {
                Some(t) => Ok((Some(t), tx.read_only)),
                None => Err(error_response(
                    409,
                    "Neo.ClientError.Transaction.ConcurrentRequest",
                    &format!(
                        "transaction {id} is busy with another request; send one request at a time"
                    ),
                )),
            },
            _ => Err(not_found(format!(
                "Transaction with Id: \"{id}\" was not found. It may have timed out and \
                 therefore rolled back."
            ))),
        }
    }

    /// Puts a transaction back after a request (refreshing its expiry), or forgets it when the
    /// request ended it; returns its `transaction` JSON while it stays open.
    fn give_back(&self, id: &str, txn: Option<Txn>) -> Option<Json> {
        let mut txs = self.txs.lock().unwrap_or_else(|e| e.into_inner());
        if txn.is_none() {
            txs.remove(id);
            return None;
        }
        let timeout = self.limits().transaction_timeout;
        let tx = txs.get_mut(id)?;
        tx.txn = txn;
        tx.expires = Instant::now() + timeout;
        Some(json!({ "id": id, "expires": utc_text(timeout) }))
    }

    /// Forgets transaction `id` (its `Txn`, if still in the map, rolls back as it drops).
    fn forget(&self, id: &str) {
        let gone = self
            .txs
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(id);
        drop(gone);
    }

    fn run_in(
        &self,
        conn: &Connection,
        req: &Request,
        format: Format,
        user: Option<String>,
        id: &str,
    ) -> Response {
        let body = match self.parse_body(req, format) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let (mut txn, read_only) = match self.take(&user, id) {
            Ok(t) => t,
            Err(r) => return r,
        };
        let mut out = Map::new();
        if let Some(statement) = &body.statement {
            let r = self.server.run(
                conn,
                &mut txn,
                statement,
                &body.params,
                read_only || body.read,
                body.why,
            );
            match r.map(|r| self.result_json(&r, format, body.counters)) {
                Ok(Ok(b)) => out = b,
                Ok(Err(resp)) => {
                    drop(txn);
                    self.forget(id);
                    return resp;
                }
                Err(e) => {
                    drop(txn);
                    self.forget(id);
                    return error_of(&e);
                }
            }
        }
        if let Some(t) = self.give_back(id, txn) {
            out.insert("transaction".into(), t);
        }
        json_response(202, format, Json::Object(out))
    }

    fn commit(
        &self,
        conn: &Connection,
        req: &Request,
        format: Format,
        user: Option<String>,
        id: &str,
    ) -> Response {
        let body = match self.parse_body(req, format) {
            Ok(b) => b,
            Err(r) => return r,
        };
        let (mut txn, read_only) = match self.take(&user, id) {
            Ok(t) => t,
            Err(r) => return r,
        };
        // Whatever happens next, the transaction ends here.
        self.forget(id);
        let mut out = Map::new();
        if let Some(statement) = &body.statement {
            let r = self.server.run(
                conn,
                &mut txn,
                statement,
                &body.params,
                read_only || body.read,
                body.why,
            );
            match r.map(|r| self.result_json(&r, format, body.counters)) {
                Ok(Ok(b)) => out = b,
                Ok(Err(resp)) => return resp,
                Err(e) => return error_of(&e),
            }
        }
        if txn.is_some() {
            if let Err(e) = self
                .server
                .run(conn, &mut txn, "COMMIT", &Params::new(), false, false)
            {
                return error_of(&e);
            }
        }
        out.insert("bookmarks".into(), json!([]));
        json_response(202, format, Json::Object(out))
    }

    fn rollback(&self, user: Option<String>, id: &str) -> Response {
        match self.take(&user, id) {
            Ok((txn, _)) => {
                self.forget(id);
                drop(txn);
                Response::new(202, JSON, b"{}".to_vec())
            }
            Err(r) => r,
        }
    }

    /// Rolls back transactions idle past their expiry (all of them when `all`).
    fn sweep(&self, all: bool) {
        let now = Instant::now();
        let expired: Vec<(String, OpenTx)> = {
            let mut txs = self.txs.lock().unwrap_or_else(|e| e.into_inner());
            let ids: Vec<String> = txs
                .iter()
                .filter(|(_, t)| (all || t.expires <= now) && t.txn.is_some())
                .map(|(id, _)| id.clone())
                .collect();
            ids.into_iter()
                .filter_map(|id| txs.remove(&id).map(|t| (id, t)))
                .collect()
        };
        for (id, tx) in expired {
            if !all {
                self.server.log(&format!(
                    "http: transaction {id} idle past its timeout; rolled back"
                ));
            }
            drop(tx);
        }
    }
}

fn method_not_allowed(allow: &str) -> Response {
    error_response(
        405,
        "Neo.ClientError.Request.Invalid",
        &format!("method not allowed here; use {allow}"),
    )
    .header("Allow", allow.to_string())
}
