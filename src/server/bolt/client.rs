//! A Bolt 5 client: what `kg --connect bolt://HOST:PORT` and a shell on a database held by a
//! running server (`kg.server`, see `server::address`) speak to that server.
//!
//! It speaks just what a shell needs: the handshake (5.4 down to 5.0), HELLO (+ LOGON from 5.1),
//! RUN + PULL of the whole result, BEGIN / COMMIT / ROLLBACK, RESET after a failure, GOODBYE.
//! Results come back as the engine's own [`QueryResult`], so every renderer and exit code works
//! as it does on a local database.
//!
//! Invariants: after any failure the client sends RESET before the next request, so the
//! server's FAILED state never leaks into the next statement; an open explicit transaction is
//! tracked here (`in_transaction`) because the server rolls it back if the connection drops.

use std::io::{Read, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use super::packstream::{self, PackValue};
use super::values;
use crate::error::{Error, ErrorClass, Phase, QueryError, Result};
use crate::model::{Node, Path, Relationship};
use crate::result::{QueryResult, WriteStats};
use crate::value::{Params, Value};

const PREAMBLE: [u8; 4] = [0x60, 0x60, 0xB0, 0x17];
/// Nesting accepted in what the server sends.
const MAX_DEPTH: usize = 256;

const HELLO: u8 = 0x01;
const GOODBYE: u8 = 0x02;
const RESET: u8 = 0x0F;
const RUN: u8 = 0x10;
const BEGIN: u8 = 0x11;
const COMMIT: u8 = 0x12;
const ROLLBACK: u8 = 0x13;
const PULL: u8 = 0x3F;
const LOGON: u8 = 0x6A;
const SUCCESS: u8 = 0x70;
const RECORD: u8 = 0x71;
const IGNORED: u8 = 0x7E;
const FAILURE: u8 = 0x7F;

/// A user name and password for the basic scheme.
#[derive(Clone, Debug, Default)]
pub struct Credentials {
    pub user: String,
    pub password: String,
}

/// One connection to a Bolt server.
pub struct Client {
    stream: TcpStream,
    /// The agreed protocol version (major, minor).
    pub version: (u8, u8),
    /// The server's agent string from HELLO's SUCCESS.
    pub server_agent: String,
    in_transaction: bool,
    needs_reset: bool,
}

impl Client {
    /// Connects to `address` (`HOST:PORT`, or a `bolt://` / `neo4j://` URL), negotiates a
    /// version and logs in (`credentials` None: the `none` scheme).
    pub fn connect(address: &str, credentials: Option<&Credentials>) -> Result<Client> {
        let host_port = strip_scheme(address)?;
        let addrs: Vec<_> = host_port
            .to_socket_addrs()
            .map_err(|e| io_err(&format!("cannot resolve {host_port}"), e))?
            .collect();
        let mut last = None;
        let mut stream = None;
        for a in addrs {
            match TcpStream::connect_timeout(&a, Duration::from_secs(10)) {
                Ok(s) => {
                    stream = Some(s);
                    break;
                }
                Err(e) => last = Some(e),
            }
        }
        let stream = match (stream, last) {
            (Some(s), _) => s,
            (None, Some(e)) => return Err(io_err(&format!("cannot connect to {host_port}"), e)),
            (None, None) => return Err(Error::Io(format!("{host_port} names no address"))),
        };
        let _ = stream.set_nodelay(true);
        let mut client = Client {
            stream,
            version: (0, 0),
            server_agent: String::new(),
            in_transaction: false,
            needs_reset: false,
        };
        client.handshake()?;
        client.login(credentials)?;
        Ok(client)
    }

    fn handshake(&mut self) -> Result<()> {
        let mut hello = PREAMBLE.to_vec();
        // 5.4 with a range of 4 below it (5.4 … 5.0), then nothing else.
        hello.extend_from_slice(&[0, 4, 4, 5]);
        hello.extend_from_slice(&[0; 12]);
        self.stream
            .write_all(&hello)
            .map_err(|e| io_err("handshake", e))?;
        let mut answer = [0u8; 4];
        self.stream
            .read_exact(&mut answer)
            .map_err(|e| io_err("handshake (is this a Bolt server?)", e))?;
        if answer == [0; 4] || answer[3] != 5 {
            return Err(Error::Io(format!(
                "the server does not speak Bolt 5.0–5.4 (it answered {answer:?})"
            )));
        }
        self.version = (answer[3], answer[2]);
        Ok(())
    }

    fn login(&mut self, credentials: Option<&Credentials>) -> Result<()> {
        let auth: Vec<(String, PackValue)> = match credentials {
            Some(c) => vec![
                ("scheme".into(), PackValue::String("basic".into())),
                ("principal".into(), PackValue::String(c.user.clone())),
                ("credentials".into(), PackValue::String(c.password.clone())),
            ],
            None => vec![("scheme".into(), PackValue::String("none".into()))],
        };
        let mut extra = vec![(
            "user_agent".to_string(),
            PackValue::String(format!("kgstore/{}", env!("CARGO_PKG_VERSION"))),
        )];
        if self.version.1 >= 3 {
            extra.push((
                "bolt_agent".into(),
                PackValue::map([(
                    "product",
                    PackValue::String(format!("kgstore/{}", env!("CARGO_PKG_VERSION"))),
                )]),
            ));
        }
        if self.version.1 == 0 {
            extra.extend(auth.iter().cloned());
        }
        self.send(HELLO, vec![PackValue::Map(extra)])?;
        let meta = self.summary()?;
        self.server_agent = meta
            .get("server")
            .and_then(PackValue::as_str)
            .unwrap_or_default()
            .to_string();
        if self.version.1 >= 1 {
            self.send(LOGON, vec![PackValue::Map(auth)])?;
            self.summary()?;
        }
        Ok(())
    }

    pub fn in_transaction(&self) -> bool {
        self.in_transaction
    }

    /// Runs one statement and pulls its whole result. BEGIN / COMMIT / ROLLBACK written as
    /// statements become the Bolt messages of the same name.
    pub fn run(&mut self, query: &str, params: &Params) -> Result<QueryResult> {
        self.run_in_mode(query, params, false)
    }

    /// [`Client::run`] in read access mode when `read_only` (Bolt's `mode: "r"`): the server
    /// then refuses a write with `Neo.ClientError.Statement.AccessMode`.
    pub fn run_in_mode(
        &mut self,
        query: &str,
        params: &Params,
        read_only: bool,
    ) -> Result<QueryResult> {
        match transaction_keyword(query) {
            Some(Keyword::Begin) => return self.begin().map(|()| QueryResult::default()),
            Some(Keyword::Commit) => return self.commit().map(|()| QueryResult::default()),
            Some(Keyword::Rollback) => return self.rollback().map(|()| QueryResult::default()),
            None => {}
        }
        self.reset_if_failed()?;
        let params = PackValue::Map(
            params
                .iter()
                .map(|(k, v)| (k.clone(), values::to_pack(v)))
                .collect(),
        );
        self.send(
            RUN,
            vec![
                PackValue::String(query.to_string()),
                params,
                PackValue::Map(if read_only && !self.in_transaction {
                    vec![("mode".into(), PackValue::String("r".into()))]
                } else {
                    Vec::new()
                }),
            ],
        )?;
        self.send(PULL, vec![PackValue::map([("n", PackValue::Int(-1))])])?;
        let run_meta = self.summary();
        // PULL's answer follows whatever RUN's was (IGNORED after a FAILURE).
        let mut rows = Vec::new();
        let pull = self.records_then_summary(&mut rows);
        let run_meta = run_meta?;
        let pull_meta = pull?;
        let columns: Vec<String> = run_meta
            .get("fields")
            .and_then(PackValue::as_list)
            .unwrap_or_default()
            .iter()
            .map(|f| f.as_str().unwrap_or_default().to_string())
            .collect();
        // EXPLAIN and PROFILE come back as one row with a `plan` column (a Bolt server of ours
        // has no plan structure to send); give it back as the plan, as a local run does.
        let explained = query.trim_start().get(..8).is_some_and(|w| {
            w.eq_ignore_ascii_case("explain ") || w.eq_ignore_ascii_case("profile ")
        });
        let mut columns: Vec<String> = columns;
        let mut plan = None;
        if explained && columns == ["plan"] && rows.len() == 1 {
            if let Some(Value::String(p)) = rows.pop().and_then(|mut r| r.pop()) {
                plan = Some(p);
                columns.clear();
            }
        }
        Ok(QueryResult {
            columns,
            rows,
            stats: stats(&pull_meta),
            plan,
            why: None,
        })
    }

    pub fn begin(&mut self) -> Result<()> {
        if self.in_transaction {
            return Err(Error::Transaction(
                "a transaction is already open; COMMIT or ROLLBACK it first".into(),
            ));
        }
        self.reset_if_failed()?;
        self.send(BEGIN, vec![PackValue::Map(Vec::new())])?;
        self.summary()?;
        self.in_transaction = true;
        Ok(())
    }

    pub fn commit(&mut self) -> Result<()> {
        if !self.in_transaction {
            return Err(Error::Transaction(
                "COMMIT without an open transaction (start one with BEGIN)".into(),
            ));
        }
        self.in_transaction = false;
        self.send(COMMIT, Vec::new())?;
        self.summary().map(|_| ())
    }

    pub fn rollback(&mut self) -> Result<()> {
        if !self.in_transaction {
            return Err(Error::Transaction(
                "ROLLBACK without an open transaction (start one with BEGIN)".into(),
            ));
        }
        self.in_transaction = false;
        if self.needs_reset {
            // RESET rolls the transaction back as well.
            return self.reset_if_failed();
        }
        self.send(ROLLBACK, Vec::new())?;
        self.summary().map(|_| ())
    }

    /// A failed statement leaves the server's connection FAILED (and, Neo4j's rule, its
    /// transaction rolled back): RESET before the next request.
    fn reset_if_failed(&mut self) -> Result<()> {
        if self.needs_reset {
            self.needs_reset = false;
            self.in_transaction = false;
            self.send(RESET, Vec::new())?;
            self.summary()?;
        }
        Ok(())
    }

    fn send(&mut self, tag: u8, fields: Vec<PackValue>) -> Result<()> {
        let body = packstream::encode(&PackValue::Struct { tag, fields })
            .map_err(|e| Error::Io(format!("cannot encode a Bolt message: {}", e.0)))?;
        let mut framed = Vec::with_capacity(body.len() + 4);
        for chunk in body.chunks(u16::MAX as usize) {
            framed.extend_from_slice(&(chunk.len() as u16).to_be_bytes());
            framed.extend_from_slice(chunk);
        }
        framed.extend_from_slice(&[0, 0]);
        self.stream
            .write_all(&framed)
            .map_err(|e| io_err("sending to the server", e))
    }

    /// Reads one message (skipping NOOP keep-alives).
    fn receive(&mut self) -> Result<(u8, Vec<PackValue>)> {
        let mut body = Vec::new();
        loop {
            let mut len = [0u8; 2];
            self.stream
                .read_exact(&mut len)
                .map_err(|e| io_err("the server closed the connection", e))?;
            let n = u16::from_be_bytes(len) as usize;
            if n == 0 {
                if body.is_empty() {
                    continue; // NOOP
                }
                break;
            }
            let start = body.len();
            body.resize(start + n, 0);
            self.stream
                .read_exact(&mut body[start..])
                .map_err(|e| io_err("the server closed the connection", e))?;
        }
        match packstream::decode(&body, MAX_DEPTH) {
            Ok(PackValue::Struct { tag, fields }) => Ok((tag, fields)),
            Ok(other) => Err(Error::Io(format!(
                "the server sent a {} where a message belongs",
                other.kind()
            ))),
            Err(e) => Err(Error::Io(format!(
                "the server sent a malformed message: {e}"
            ))),
        }
    }

    /// The summary of a request that streams nothing.
    fn summary(&mut self) -> Result<PackValue> {
        let mut none = Vec::new();
        let meta = self.records_then_summary(&mut none)?;
        if !none.is_empty() {
            return Err(Error::Io(
                "the server sent records where none belong".into(),
            ));
        }
        Ok(meta)
    }

    fn records_then_summary(&mut self, rows: &mut Vec<Vec<Value>>) -> Result<PackValue> {
        loop {
            let (tag, mut fields) = self.receive()?;
            match tag {
                RECORD => {
                    let Some(PackValue::List(items)) = fields.pop() else {
                        return Err(Error::Io("a RECORD without its list of values".into()));
                    };
                    rows.push(
                        items
                            .into_iter()
                            .map(result_value)
                            .collect::<std::result::Result<_, _>>()
                            .map_err(|e| Error::Io(format!("the server sent {e}")))?,
                    );
                }
                SUCCESS => return Ok(fields.pop().unwrap_or(PackValue::Map(Vec::new()))),
                IGNORED => {
                    return Err(Error::Io(
                        "the server ignored the request after an earlier failure".into(),
                    ))
                }
                FAILURE => {
                    self.needs_reset = true;
                    let meta = fields.pop().unwrap_or(PackValue::Null);
                    return Err(failure(&meta));
                }
                other => {
                    return Err(Error::Io(format!(
                        "the server sent an unexpected message 0x{other:02X}"
                    )))
                }
            }
        }
    }
}

impl Drop for Client {
    fn drop(&mut self) {
        let _ = self.send(GOODBYE, Vec::new());
    }
}

enum Keyword {
    Begin,
    Commit,
    Rollback,
}

/// BEGIN / COMMIT / ROLLBACK as a whole statement (any case, optional `;`).
fn transaction_keyword(query: &str) -> Option<Keyword> {
    let word = query.trim().trim_end_matches(';').trim();
    if word.eq_ignore_ascii_case("begin") {
        Some(Keyword::Begin)
    } else if word.eq_ignore_ascii_case("commit") {
        Some(Keyword::Commit)
    } else if word.eq_ignore_ascii_case("rollback") {
        Some(Keyword::Rollback)
    } else {
        None
    }
}

fn strip_scheme(address: &str) -> Result<&str> {
    let rest = match address.split_once("://") {
        None => address,
        Some(("bolt" | "neo4j", rest)) => rest,
        Some((scheme, _)) => {
            return Err(Error::Io(format!(
                "{scheme}:// is not supported by kg --connect (use bolt:// or neo4j://)"
            )))
        }
    };
    Ok(rest.trim_end_matches('/'))
}

fn io_err(what: &str, e: std::io::Error) -> Error {
    Error::Io(format!("{what}: {e}"))
}

/// A FAILURE's `code` and `message` as our error: query errors keep their class, so exit
/// codes and the shell's messages are those of a local run.
fn failure(meta: &PackValue) -> Error {
    let code = meta
        .get("code")
        .or_else(|| meta.get("neo4j_code"))
        .and_then(PackValue::as_str)
        .unwrap_or("Neo.DatabaseError.General.UnknownError");
    let message = meta
        .get("message")
        .and_then(PackValue::as_str)
        .unwrap_or("the server reported a failure")
        .to_string();
    let class = match code.rsplit('.').next().unwrap_or_default() {
        "SyntaxError" => Some(ErrorClass::SyntaxError),
        "SemanticError" => Some(ErrorClass::SemanticError),
        "TypeError" => Some(ErrorClass::TypeError),
        "ArgumentError" => Some(ErrorClass::ArgumentError),
        "EntityNotFound" => Some(ErrorClass::EntityNotFound),
        "ProcedureCallFailed" | "ProcedureNotFound" => Some(ErrorClass::ProcedureError),
        "ParameterMissing" => Some(ErrorClass::ParameterMissing),
        "ConstraintValidationFailed" => Some(ErrorClass::ConstraintVerificationFailed),
        "FeatureNotSupported" => Some(ErrorClass::Unsupported),
        _ => None,
    };
    match class {
        Some(class) => {
            // The server's text may begin with the class our error display adds again.
            let prefix = format!("{class}: ");
            let message = message
                .strip_prefix(&prefix)
                .unwrap_or(&message)
                .to_string();
            QueryError::new(class, code, Phase::Runtime, message).into()
        }
        None if code.ends_with("AccessMode") => Error::AccessMode(message),
        None if code.contains("Transaction") => Error::Transaction(message),
        None => Error::Io(format!("{message} ({code})")),
    }
}

/// Write counters from PULL's summary (`stats` with Neo4j's hyphenated keys).
fn stats(meta: &PackValue) -> WriteStats {
    let get = |k: &str| {
        meta.get("stats")
            .and_then(|s| s.get(k))
            .and_then(PackValue::as_int)
            .map_or(0, |n| n.max(0) as u64)
    };
    WriteStats {
        nodes_created: get("nodes-created"),
        nodes_deleted: get("nodes-deleted"),
        relationships_created: get("relationships-created"),
        relationships_deleted: get("relationships-deleted"),
        properties_set: get("properties-set"),
        labels_added: get("labels-added"),
        labels_removed: get("labels-removed"),
        indexes_added: get("indexes-added"),
        indexes_removed: get("indexes-removed"),
        constraints_added: get("constraints-added"),
        constraints_removed: get("constraints-removed"),
    }
}

/// A value of a RECORD: graph structures become our nodes, relationships and paths; the rest
/// is read as parameters are.
fn result_value(v: PackValue) -> std::result::Result<Value, String> {
    match v {
        PackValue::Struct { tag, fields } if tag == values::NODE => {
            Ok(Value::Node(Box::new(node(fields)?)))
        }
        PackValue::Struct { tag, fields } if tag == values::RELATIONSHIP => {
            Ok(Value::Relationship(Box::new(relationship(fields)?)))
        }
        PackValue::Struct { tag, fields } if tag == values::PATH => {
            Ok(Value::Path(Box::new(path(fields)?)))
        }
        PackValue::List(items) => items
            .into_iter()
            .map(result_value)
            .collect::<std::result::Result<_, _>>()
            .map(Value::List),
        PackValue::Map(entries) => entries
            .into_iter()
            .map(|(k, v)| result_value(v).map(|v| (k, v)))
            .collect::<std::result::Result<_, _>>()
            .map(Value::Map),
        other => values::from_pack(other),
    }
}

fn id(v: &PackValue, what: &str) -> std::result::Result<u64, String> {
    v.as_int()
        .and_then(|i| u64::try_from(i).ok())
        .ok_or_else(|| format!("a {what} whose id is not a non-negative integer"))
}

fn properties(v: PackValue) -> std::result::Result<crate::model::Properties, String> {
    match v {
        PackValue::Map(entries) => entries
            .into_iter()
            .map(|(k, v)| result_value(v).map(|v| (k, v)))
            .collect(),
        _ => Err("properties that are not a map".into()),
    }
}

fn node(fields: Vec<PackValue>) -> std::result::Result<Node, String> {
    let mut f = fields.into_iter();
    let (Some(i), Some(labels), Some(props)) = (f.next(), f.next(), f.next()) else {
        return Err("a node structure with too few fields".into());
    };
    let labels = labels
        .as_list()
        .ok_or("a node whose labels are not a list")?
        .iter()
        .map(|l| l.as_str().map(str::to_string))
        .collect::<Option<Vec<_>>>()
        .ok_or("a label that is not a string")?;
    Ok(Node {
        id: id(&i, "node")?,
        labels,
        properties: properties(props)?,
    })
}

fn relationship(fields: Vec<PackValue>) -> std::result::Result<Relationship, String> {
    let mut f = fields.into_iter();
    let (Some(i), Some(start), Some(end), Some(t), Some(props)) =
        (f.next(), f.next(), f.next(), f.next(), f.next())
    else {
        return Err("a relationship structure with too few fields".into());
    };
    Ok(Relationship {
        id: id(&i, "relationship")?,
        start: id(&start, "relationship start")?,
        end: id(&end, "relationship end")?,
        rel_type: t
            .as_str()
            .ok_or("a relationship type that is not a string")?
            .to_string(),
        properties: properties(props)?,
    })
}

fn path(fields: Vec<PackValue>) -> std::result::Result<Path, String> {
    let mut f = fields.into_iter();
    let (Some(PackValue::List(ns)), Some(PackValue::List(rs)), Some(PackValue::List(ix))) =
        (f.next(), f.next(), f.next())
    else {
        return Err("a path structure without its three lists".into());
    };
    let distinct_nodes = ns
        .into_iter()
        .map(|n| match n {
            PackValue::Struct { tag, fields } if tag == values::NODE => node(fields),
            _ => Err("a path node that is not a node".into()),
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    // Unbound relationships: id, type, properties (endpoints come from the walk).
    let unbound = rs
        .into_iter()
        .map(|r| match r {
            PackValue::Struct { tag, fields } if tag == values::UNBOUND_RELATIONSHIP => {
                let mut f = fields.into_iter();
                let (Some(i), Some(t), Some(p)) = (f.next(), f.next(), f.next()) else {
                    return Err("an unbound relationship with too few fields".to_string());
                };
                Ok((
                    id(&i, "relationship")?,
                    t.as_str().ok_or("a type that is not a string")?.to_string(),
                    properties(p)?,
                ))
            }
            _ => Err("a path relationship that is not an unbound relationship".into()),
        })
        .collect::<std::result::Result<Vec<_>, _>>()?;
    let first = distinct_nodes
        .first()
        .ok_or("a path without nodes")?
        .clone();
    let mut nodes = vec![first];
    let mut relationships = Vec::new();
    let index: Vec<i64> = ix
        .iter()
        .map(|v| v.as_int().ok_or("a path index that is not an integer"))
        .collect::<std::result::Result<_, _>>()?;
    for pair in index.chunks(2) {
        let [r, n] = pair else {
            return Err("a path with an odd number of indices".into());
        };
        let prev = nodes.last().map(|n: &Node| n.id).unwrap_or_default();
        let next = usize::try_from(*n)
            .ok()
            .and_then(|n| distinct_nodes.get(n))
            .ok_or("a path index past its nodes")?
            .clone();
        let (rid, rtype, rprops) = usize::try_from(r.unsigned_abs())
            .ok()
            .and_then(|k| k.checked_sub(1))
            .and_then(|k| unbound.get(k))
            .ok_or("a path index past its relationships")?
            .clone();
        let (start, end) = if *r > 0 {
            (prev, next.id)
        } else {
            (next.id, prev)
        };
        relationships.push(Relationship {
            id: rid,
            rel_type: rtype,
            start,
            end,
            properties: rprops,
        });
        nodes.push(next);
    }
    Ok(Path {
        nodes,
        relationships,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn n(id: u64) -> Node {
        Node {
            id,
            labels: vec!["L".into()],
            properties: [("name".to_string(), Value::from(format!("n{id}")))]
                .into_iter()
                .collect(),
        }
    }

    #[test]
    fn paths_come_back_as_they_were_sent() {
        // 1 -> 2 <- 3, then back to 1 over the first relationship again (a repeated element).
        let r1 = Relationship {
            id: 10,
            rel_type: "R".into(),
            start: 1,
            end: 2,
            properties: Default::default(),
        };
        let r2 = Relationship {
            id: 11,
            rel_type: "S".into(),
            start: 3,
            end: 2,
            properties: Default::default(),
        };
        let p = Path {
            nodes: vec![n(1), n(2), n(3), n(2), n(1)],
            relationships: vec![r1.clone(), r2.clone(), r2, r1],
        };
        let sent = values::to_pack(&Value::Path(Box::new(p.clone())));
        assert_eq!(result_value(sent), Ok(Value::Path(Box::new(p))));
    }

    #[test]
    fn nodes_and_relationships_come_back() {
        let r = Relationship {
            id: 7,
            rel_type: "KNOWS".into(),
            start: 1,
            end: 2,
            properties: [("since".to_string(), Value::Int(2020))]
                .into_iter()
                .collect(),
        };
        for v in [
            Value::Node(Box::new(n(5))),
            Value::Relationship(Box::new(r)),
            Value::List(vec![Value::Node(Box::new(n(1))), Value::Null]),
        ] {
            assert_eq!(result_value(values::to_pack(&v)), Ok(v));
        }
    }

    #[test]
    fn failures_keep_their_class() {
        let meta = PackValue::map([
            (
                "code",
                PackValue::String("Neo.ClientError.Statement.SyntaxError".into()),
            ),
            ("message", PackValue::String("bad".into())),
        ]);
        match failure(&meta) {
            Error::Query(q) => assert_eq!(q.class, ErrorClass::SyntaxError),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn schemes() {
        assert_eq!(strip_scheme("bolt://h:1").ok(), Some("h:1"));
        assert_eq!(strip_scheme("neo4j://h:1/").ok(), Some("h:1"));
        assert_eq!(strip_scheme("h:1").ok(), Some("h:1"));
        assert!(strip_scheme("http://h:1").is_err());
    }
}
