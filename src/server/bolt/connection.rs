//! One Bolt connection: the handshake, a reader thread, and the state machine that answers
//! each message ([`BoltConnection`]).
//!
//! Threads: the connection thread (the one `accept_loop` started, with its large stack) runs
//! the handshake, then [`BoltConnection::run`]; a small reader thread reads and decodes
//! messages and hands them over a bounded channel. The reader sees a RESET (or the client
//! going away) the moment it arrives and sets the connection's cancel flag, so a running
//! query stops without waiting for its turn (Neo4j's INTERRUPTED state).

use std::collections::VecDeque;
use std::io::{Read, Write};
use std::net::{Shutdown, SocketAddr, TcpStream};
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc::{self, Receiver, RecvTimeoutError, SyncSender};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use super::packstream::PackValue;
use super::values::{map_from_pack, to_pack};
use super::wire::{self, ReadError, Request, Version};
use crate::db::{Params, QueryResult, WriteStats};
use crate::error::Error;
use crate::server::{compat, status, Connection, Server};
use crate::store::Txn;
use crate::value::Value;

/// How long a client may take to send the handshake.
const HANDSHAKE_TIMEOUT: Duration = Duration::from_secs(10);
/// How often the connection looks at the shutdown flag while it waits for a message.
const POLL: Duration = Duration::from_millis(200);
/// While a query runs, a NOOP chunk goes out this often (see [`keep_alive`]).
const KEEP_ALIVE: Duration = Duration::from_secs(30);
/// Messages read ahead of the one being answered (pipelining), before the reader waits.
const READ_AHEAD: usize = 64;

/// Counts commits on this server: the bookmarks we hand out. Every commit is visible to
/// every later statement on one server, so bookmarks a client sends back need no waiting
/// and are accepted as they are.
static COMMITS: AtomicU64 = AtomicU64::new(0);

fn bookmark() -> PackValue {
    PackValue::String(format!(
        "kgstore:{}",
        COMMITS.fetch_add(1, Ordering::Relaxed) + 1
    ))
}

/// What the keep-alive thread of a connection watches.
#[derive(Default)]
struct KeepAlive {
    /// A statement is running.
    busy: AtomicBool,
    /// The connection is over: the thread ends.
    closed: AtomicBool,
}

/// While a statement runs, writes a NOOP chunk every [`KEEP_ALIVE`], so that proxies and
/// firewalls keep a connection that looks idle open. NOOPs go out under the writer's lock,
/// which responses are written under whole, so they always fall between messages.
fn keep_alive(state: &KeepAlive, writer: &Mutex<TcpStream>) {
    loop {
        std::thread::park_timeout(KEEP_ALIVE);
        if state.closed.load(Ordering::Acquire) {
            return;
        }
        if state.busy.load(Ordering::Acquire) {
            let mut w = writer.lock().unwrap_or_else(|e| e.into_inner());
            if wire::send(&mut *w, &[0, 0]).is_err() {
                return;
            }
        }
    }
}

/// Serves one accepted TCP connection until it ends.
pub fn serve(server: Arc<Server>, stream: TcpStream, conn: Connection) {
    let peer = stream
        .peer_addr()
        .map(|a| a.to_string())
        .unwrap_or_else(|_| "?".into());
    let name = conn.name("bolt");
    let version = match handshake(&stream) {
        Ok(Some(v)) => v,
        Ok(None) => {
            server.log(&format!(
                "{name} from {peer}: closed, no Bolt version in common (kgstore speaks 5.0-5.4)"
            ));
            return;
        }
        Err(why) => {
            server.log(&format!(
                "{name} from {peer}: closed during the handshake: {why}"
            ));
            return;
        }
    };
    let reader_stream = match stream.try_clone() {
        Ok(s) => s,
        Err(e) => {
            server.log(&format!("{name}: cannot read the connection: {e}"));
            return;
        }
    };
    let local = stream.local_addr().ok();
    let interrupts = Arc::new(AtomicUsize::new(0));
    let (tx, rx) = mpsc::sync_channel(READ_AHEAD);
    let reader = {
        let cancel = conn.cancel.clone();
        let interrupts = interrupts.clone();
        let limits = server.config.limits.clone();
        std::thread::Builder::new()
            .name(format!("{name}-reader"))
            .stack_size(1 << 20)
            .spawn(move || {
                read_loop(
                    reader_stream,
                    tx,
                    &cancel,
                    &interrupts,
                    limits.max_message_bytes,
                    limits.max_depth,
                )
            })
    };
    let reader = match reader {
        Ok(r) => r,
        Err(e) => {
            server.log(&format!("{name}: cannot start its reader: {e}"));
            return;
        }
    };
    let writer = Arc::new(Mutex::new(stream));
    let alive = Arc::new(KeepAlive::default());
    let pinger = {
        let (alive, writer) = (alive.clone(), writer.clone());
        std::thread::Builder::new()
            .name(format!("{name}-keepalive"))
            .stack_size(64 << 10)
            .spawn(move || keep_alive(&alive, &writer))
            .ok()
    };
    let mut c = BoltConnection {
        server,
        conn,
        name,
        peer,
        local,
        version,
        state: State::Negotiation,
        txn: None,
        tx_db: None,
        tx_read_only: false,
        tx_why: false,
        last_activity: Instant::now(),
        timed_out: false,
        results: VecDeque::new(),
        next_qid: 0,
        interrupts,
        out: Vec::new(),
        writer: writer.clone(),
        routing_address: None,
        keep_alive: alive.clone(),
    };
    c.run(&rx);
    // Dropping the transaction rolls it back; closing the socket ends the reader.
    c.txn = None;
    if let Ok(s) = writer.lock() {
        let _ = s.shutdown(Shutdown::Both);
    }
    drop(rx);
    let _ = reader.join();
    alive.closed.store(true, Ordering::Release);
    if let Some(p) = pinger {
        p.thread().unpark();
        let _ = p.join();
    }
}

/// Reads the preamble and the four proposals, answers with the agreed version.
fn handshake(mut stream: &TcpStream) -> Result<Option<Version>, String> {
    stream
        .set_read_timeout(Some(HANDSHAKE_TIMEOUT))
        .map_err(|e| e.to_string())?;
    let mut hello = [0u8; 20];
    stream.read_exact(&mut hello).map_err(|e| format!("{e}"))?;
    if hello[..4] != wire::PREAMBLE {
        return Err("not a Bolt client (wrong preamble)".into());
    }
    let mut proposals = [0u8; 16];
    proposals.copy_from_slice(&hello[4..]);
    let agreed = wire::negotiate(&proposals);
    let answer = match agreed {
        Some(v) => [0, 0, v.minor, v.major],
        None => [0; 4],
    };
    stream
        .write_all(&answer)
        .and_then(|()| stream.flush())
        .map_err(|e| e.to_string())?;
    stream.set_read_timeout(None).map_err(|e| e.to_string())?;
    Ok(agreed)
}

/// What the reader hands to the connection.
enum Incoming {
    Message(Request),
    /// A message that is not a valid Bolt request (the connection cannot trust what follows).
    Invalid(String),
    /// The client closed the connection or the socket failed.
    Closed,
}

fn read_loop(
    mut stream: TcpStream,
    tx: SyncSender<Incoming>,
    cancel: &AtomicBool,
    interrupts: &AtomicUsize,
    max_bytes: usize,
    max_depth: usize,
) {
    loop {
        let incoming = match wire::read_message(&mut stream, max_bytes) {
            Ok(bytes) => match Request::decode(&bytes, max_depth) {
                Ok(Request::Reset) => {
                    // Interrupt at once: whatever runs or waits before this RESET is void.
                    interrupts.fetch_add(1, Ordering::AcqRel);
                    cancel.store(true, Ordering::Release);
                    Incoming::Message(Request::Reset)
                }
                Ok(r) => Incoming::Message(r),
                Err(why) => Incoming::Invalid(why),
            },
            Err(ReadError::TooLarge(max)) => Incoming::Invalid(format!(
                "a message larger than the server's limit of {max} bytes"
            )),
            Err(ReadError::Closed) | Err(ReadError::Io(_)) => {
                // The client is gone: stop whatever it was running.
                cancel.store(true, Ordering::Release);
                Incoming::Closed
            }
        };
        let last = !matches!(incoming, Incoming::Message(_));
        if tx.send(incoming).is_err() || last {
            return;
        }
    }
}

/// The states of a Bolt 5 connection, as the protocol specification names them.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum State {
    /// Handshake done, waiting for HELLO.
    Negotiation,
    /// 5.1+: HELLO done, waiting for LOGON.
    Authentication,
    /// Authenticated, no transaction, no open result.
    Ready,
    /// An auto-commit statement's result is open (PULL/DISCARD).
    Streaming,
    /// An explicit transaction is open, no result open.
    TxReady,
    /// An explicit transaction has open results.
    TxStreaming,
    /// A request failed: everything but RESET and GOODBYE is IGNORED.
    Failed,
    /// A RESET has arrived but not been answered: everything before it is IGNORED.
    Interrupted,
    /// The connection is over (protocol violation, failed authentication, GOODBYE).
    Defunct,
}

/// An executed statement whose rows the client has not pulled yet.
struct OpenResult {
    qid: i64,
    rows: VecDeque<Vec<Value>>,
    stats: WriteStats,
    kind: &'static str,
    db: String,
}

/// One Bolt connection's state machine.
///
/// Invariants:
/// - Authentication happens only through HELLO (5.0) or LOGON (5.1+) with valid
///   credentials; a failed HELLO or LOGON, or any other message before it, makes the
///   connection DEFUNCT and closes it. FAILED and INTERRUPTED are reachable only after
///   authentication, so RESET never authenticates anyone.
/// - `txn` is `Some` exactly in TX_READY and TX_STREAMING (and FAILED/INTERRUPTED reached
///   from them until RESET drops it); dropping it rolls it back. A failed statement in a
///   transaction ends the transaction.
/// - `results` is non-empty exactly in STREAMING and TX_STREAMING; STREAMING holds one.
/// - Every request gets exactly one summary (SUCCESS, FAILURE or IGNORED), RECORDs before
///   it, in request order; GOODBYE gets none.
/// - While `interrupts` > 0 (a RESET is on its way), every request but RESET is IGNORED and
///   the cancel flag is set; answering the last pending RESET clears it.
/// - An explicit transaction idle longer than `Limits::transaction_timeout` is rolled back;
///   the next request in it fails with `TransactionTimedOut`.
pub struct BoltConnection {
    server: Arc<Server>,
    conn: Connection,
    name: String,
    peer: String,
    local: Option<SocketAddr>,
    version: Version,
    state: State,
    txn: Option<Txn>,
    tx_db: Option<String>,
    tx_read_only: bool,
    /// The open transaction's BEGIN asked for provenance (`why_asked`).
    tx_why: bool,
    last_activity: Instant,
    timed_out: bool,
    results: VecDeque<OpenResult>,
    next_qid: i64,
    interrupts: Arc<AtomicUsize>,
    /// Responses not yet written (flushed when no request is waiting: pipelining).
    out: Vec<u8>,
    writer: Arc<Mutex<TcpStream>>,
    /// The address the client used, from HELLO's routing context (for ROUTE).
    routing_address: Option<String>,
    keep_alive: Arc<KeepAlive>,
}

fn failure(code: &str, message: impl Into<String>) -> (String, String) {
    (code.to_string(), message.into())
}

const INVALID: &str = "Neo.ClientError.Request.Invalid";
const UNAUTHORIZED: &str = "Neo.ClientError.Security.Unauthorized";

impl BoltConnection {
    fn run(&mut self, rx: &Receiver<Incoming>) {
        // A request taken off the channel early, to learn whether a pipeline continues.
        let mut pending: Option<Incoming> = None;
        loop {
            let wait = self.wait_time();
            let next = match pending.take() {
                Some(i) => Ok(i),
                None => rx.recv_timeout(wait),
            };
            let incoming = match next {
                Ok(i) => i,
                Err(RecvTimeoutError::Timeout) => {
                    if self.server.is_stopping() {
                        return;
                    }
                    self.check_idle_transaction();
                    continue;
                }
                Err(RecvTimeoutError::Disconnected) => return,
            };
            match incoming {
                Incoming::Closed => return,
                Incoming::Invalid(why) => {
                    self.server
                        .log(&format!("{}: protocol error, closing: {why}", self.name));
                    self.fail(&failure(INVALID, why));
                    let _ = self.flush();
                    return;
                }
                Incoming::Message(req) => {
                    self.check_idle_transaction();
                    self.last_activity = Instant::now();
                    let goodbye = matches!(req, Request::Goodbye);
                    self.handle(req);
                    // Idle time counts from the answer: a long statement is not idleness.
                    self.last_activity = Instant::now();
                    if goodbye || self.state == State::Defunct {
                        let _ = self.flush();
                        return;
                    }
                }
            }
            // Answer a pipeline in one write: flush only when nothing else is waiting.
            match rx.try_recv() {
                Ok(i) => pending = Some(i),
                Err(_) => {
                    if self.flush().is_err() {
                        return;
                    }
                }
            }
            if self.server.is_stopping() {
                let _ = self.flush();
                return;
            }
        }
    }

    fn wait_time(&self) -> Duration {
        if self.txn.is_some() {
            let limit = self.server.config.limits.transaction_timeout;
            let left = limit.saturating_sub(self.last_activity.elapsed());
            left.clamp(Duration::from_millis(1), POLL)
        } else {
            POLL
        }
    }

    fn check_idle_transaction(&mut self) {
        let limit = self.server.config.limits.transaction_timeout;
        if self.txn.is_some() && self.last_activity.elapsed() >= limit {
            self.txn = None;
            self.results.clear();
            self.timed_out = true;
            self.server.log(&format!(
                "{}: transaction idle for {} s rolled back",
                self.name,
                limit.as_secs()
            ));
        }
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.out.is_empty() {
            return Ok(());
        }
        let mut w = self.writer.lock().unwrap_or_else(|e| e.into_inner());
        let r = wire::send(&mut *w, &self.out);
        self.out.clear();
        r
    }

    fn success(&mut self, meta: Vec<(&str, PackValue)>) {
        wire::response(wire::SUCCESS, vec![PackValue::map(meta)], &mut self.out);
    }

    fn ignored(&mut self) {
        wire::response(wire::IGNORED, vec![], &mut self.out);
    }

    /// Sends FAILURE; the connection goes to FAILED (after authentication) or DEFUNCT.
    fn fail(&mut self, (code, message): &(String, String)) {
        wire::response(
            wire::FAILURE,
            vec![PackValue::map([
                ("code", PackValue::String(code.clone())),
                ("message", PackValue::String(message.clone())),
            ])],
            &mut self.out,
        );
        self.txn = None;
        self.results.clear();
        self.state = match self.state {
            State::Negotiation | State::Authentication | State::Defunct => State::Defunct,
            _ => State::Failed,
        };
    }

    fn handle(&mut self, req: Request) {
        if let Request::Reset = req {
            return self.reset();
        }
        if let Request::Goodbye = req {
            self.state = State::Defunct;
            return;
        }
        if self.interrupts.load(Ordering::Acquire) > 0 {
            self.state = State::Interrupted;
            return self.ignored();
        }
        match self.state {
            State::Negotiation => self.negotiation(req),
            State::Authentication => match req {
                Request::Logon { auth } => self.logon(&auth),
                other => self.fail(&failure(INVALID, format!("{} before LOGON", other.name()))),
            },
            State::Failed | State::Interrupted => self.ignored(),
            State::Defunct => {}
            State::Ready | State::Streaming | State::TxReady | State::TxStreaming => {
                if let Err(f) = self.authenticated(req) {
                    self.fail(&f);
                }
            }
        }
    }

    fn reset(&mut self) {
        let left = self
            .interrupts
            .fetch_sub(1, Ordering::AcqRel)
            .saturating_sub(1);
        if left == 0 && !self.server.is_stopping() {
            self.conn.cancel.store(false, Ordering::Release);
        }
        match self.state {
            State::Negotiation | State::Authentication | State::Defunct => {
                // Never a way in: RESET before authentication ends the connection.
                self.fail(&failure(INVALID, "RESET before authentication"));
            }
            _ => {
                self.txn = None;
                self.results.clear();
                self.timed_out = false;
                self.state = if left == 0 {
                    State::Ready
                } else {
                    State::Interrupted
                };
                self.success(vec![]);
            }
        }
    }

    fn negotiation(&mut self, req: Request) {
        let Request::Hello { extra } = req else {
            return self.fail(&failure(INVALID, format!("{} before HELLO", req.name())));
        };
        let agent = extra
            .iter()
            .find(|(k, _)| k == "user_agent")
            .and_then(|(_, v)| v.as_str())
            .unwrap_or("?")
            .to_string();
        if let Some((_, PackValue::Map(ctx))) = extra.iter().find(|(k, _)| k == "routing") {
            self.routing_address = ctx
                .iter()
                .find(|(k, _)| k == "address")
                .and_then(|(_, v)| v.as_str())
                .map(str::to_string);
        }
        let user = if self.version.minor == 0 {
            // Bolt 5.0 carries the credentials in HELLO.
            match self.authenticate(&extra) {
                Ok(u) => Some(u),
                Err(f) => return self.fail(&f),
            }
        } else {
            None
        };
        self.server.log(&format!(
            "{} from {}: {agent}, Bolt {}{}",
            self.name,
            self.peer,
            self.version,
            user.as_deref()
                .map(|u| format!(", user {u}"))
                .unwrap_or_default()
        ));
        let agent = self.server.config.agent.clone();
        let id = self.name.clone();
        self.success(vec![
            ("server", PackValue::String(agent)),
            ("connection_id", PackValue::String(id)),
        ]);
        self.state = if user.is_some() {
            State::Ready
        } else {
            State::Authentication
        };
    }

    fn logon(&mut self, auth: &[(String, PackValue)]) {
        match self.authenticate(auth) {
            Ok(user) => {
                if self.server.config.auth.required() {
                    self.server
                        .log(&format!("{}: logged on as {user}", self.name));
                }
                self.success(vec![]);
                self.state = State::Ready;
            }
            Err(f) => self.fail(&f),
        }
    }

    /// Checks the `scheme`/`principal`/`credentials` of HELLO (5.0) or LOGON.
    fn authenticate(&self, auth: &[(String, PackValue)]) -> Result<String, (String, String)> {
        let get = |k: &str| {
            auth.iter()
                .find(|(key, _)| key == k)
                .and_then(|(_, v)| v.as_str())
        };
        let scheme = get("scheme").unwrap_or("none");
        let user = get("principal").unwrap_or("");
        let required = self.server.config.auth.required();
        let ok = match scheme {
            "none" => !required,
            "basic" => self
                .server
                .config
                .auth
                .check(user, get("credentials").unwrap_or("")),
            _ => !required,
        };
        if ok {
            Ok(if required {
                user.to_string()
            } else {
                "(no authentication)".into()
            })
        } else {
            self.server.log(&format!(
                "{} from {}: authentication failed for user {user:?}",
                self.name, self.peer
            ));
            Err(failure(
                UNAUTHORIZED,
                "The client is unauthorized due to authentication failure.",
            ))
        }
    }

    /// A request after authentication, in READY, STREAMING, TX_READY or TX_STREAMING.
    fn authenticated(&mut self, req: Request) -> Result<(), (String, String)> {
        let in_tx = matches!(self.state, State::TxReady | State::TxStreaming);
        if self.timed_out {
            self.timed_out = false;
            if !matches!(req, Request::Telemetry | Request::Route { .. }) {
                let limit = self.server.config.limits.transaction_timeout;
                return Err(failure(
                    "Neo.ClientError.Transaction.TransactionTimedOut",
                    format!(
                        "the transaction was idle longer than {} s and was rolled back",
                        limit.as_secs()
                    ),
                ));
            }
        }
        match req {
            Request::Telemetry => self.success(vec![]),
            Request::Route { context, db } => self.route(&context, db)?,
            Request::Logoff if self.version.minor >= 1 && self.state == State::Ready => {
                self.success(vec![]);
                self.state = State::Authentication;
            }
            Request::Run {
                query,
                params,
                extra,
            } => {
                if self.state == State::Streaming {
                    return Err(failure(
                        INVALID,
                        "RUN while a result is open: PULL or DISCARD it first",
                    ));
                }
                self.run_statement(query, params, &extra, in_tx)?;
            }
            Request::Pull { n, qid } => self.stream(n, qid, true)?,
            Request::Discard { n, qid } => self.stream(n, qid, false)?,
            Request::Begin { extra } if self.state == State::Ready => {
                let db = self.database(&extra)?;
                self.tx_read_only = read_mode(&extra);
                self.tx_why = why_asked(&extra);
                let mut session = self.server.db.session_with(None);
                session.begin().map_err(|e| error(&e, ""))?;
                self.txn = session.detach();
                self.tx_db = Some(db);
                self.next_qid = 0;
                self.success(vec![]);
                self.state = State::TxReady;
            }
            Request::Commit if in_tx => {
                self.results.clear();
                let txn = self.txn.take();
                self.state = State::Ready;
                if let Some(t) = txn {
                    t.commit().map_err(|e| error(&e, ""))?;
                }
                self.success(vec![("bookmark", bookmark())]);
            }
            Request::Rollback if in_tx => {
                self.results.clear();
                self.txn = None;
                self.state = State::Ready;
                self.success(vec![]);
            }
            other => {
                return Err(failure(
                    INVALID,
                    format!("{} is not allowed in state {:?}", other.name(), self.state),
                ))
            }
        }
        Ok(())
    }

    /// The database a request names (`db`), which must be ours.
    fn database(&self, extra: &[(String, PackValue)]) -> Result<String, (String, String)> {
        let asked = extra
            .iter()
            .find(|(k, _)| k == "db")
            .and_then(|(_, v)| v.as_str());
        let Some(name) = asked else {
            return Ok(self
                .tx_db
                .clone()
                .unwrap_or_else(|| compat::DEFAULT_DATABASE.to_string()));
        };
        let dir = self
            .server
            .config
            .db_path
            .as_ref()
            .and_then(|p| p.file_name())
            .and_then(|n| n.to_str());
        let known = compat::database_names(dir);
        if known.iter().any(|k| k.eq_ignore_ascii_case(name)) || name.eq_ignore_ascii_case("system")
        {
            Ok(name.to_string())
        } else {
            Err(failure(
                "Neo.ClientError.Database.DatabaseNotFound",
                format!(
                    "Database does not exist. Database name: '{name}'. This server has one database, called {}",
                    known.join(" or ")
                ),
            ))
        }
    }

    fn run_statement(
        &mut self,
        query: String,
        params: Vec<(String, PackValue)>,
        extra: &[(String, PackValue)],
        in_tx: bool,
    ) -> Result<(), (String, String)> {
        let db = self.database(extra)?;
        if is_transaction_statement(&query) {
            return Err(failure(
                INVALID,
                "BEGIN, COMMIT and ROLLBACK are Bolt messages here, not statements: use the driver's transaction API",
            ));
        }
        let params: Params = map_from_pack(params)
            .map_err(|why| failure("Neo.ClientError.Statement.TypeError", why))?;
        let read_only = if in_tx {
            self.tx_read_only
        } else {
            read_mode(extra)
        };
        let started = Instant::now();
        let mut txn = if in_tx { self.txn.take() } else { None };
        // Provenance: `tx_metadata: {why: true}` on the RUN, or on the BEGIN of its transaction.
        let why = if in_tx { self.tx_why } else { why_asked(extra) };
        let result = self.run_keeping_alive(&mut txn, &query, &params, read_only, why);
        if in_tx {
            self.txn = txn;
        }
        let result = match result {
            Ok(r) => r,
            Err(e) => {
                let f = error(&e, &query);
                self.server.log(&format!(
                    "{}: query failed ({}): {}",
                    self.name,
                    f.0,
                    first_line(&query)
                ));
                return Err(f);
            }
        };
        let limit = self.server.config.limits.max_buffered_rows;
        if result.rows.len() > limit {
            return Err(failure(
                "Neo.ClientError.Statement.ExecutionFailed",
                format!(
                    "the result has {} rows, more than the server buffers for one result ({limit}); add a LIMIT or page with SKIP",
                    result.rows.len()
                ),
            ));
        }
        let t_first = started.elapsed().as_millis() as i64;
        let QueryResult {
            columns,
            rows,
            stats,
            plan,
            ..
        } = result;
        // EXPLAIN / PROFILE: the plan as one row, since we have no plan structure to send.
        let (columns, rows) = match plan {
            Some(p) if columns.is_empty() => {
                (vec!["plan".to_string()], vec![vec![Value::String(p)]])
            }
            _ => (columns, rows),
        };
        let kind = query_type(&stats, !columns.is_empty());
        let qid = self.next_qid;
        self.next_qid += 1;
        let mut meta = vec![
            (
                "fields",
                PackValue::List(columns.into_iter().map(PackValue::String).collect()),
            ),
            ("t_first", PackValue::Int(t_first)),
        ];
        if in_tx {
            meta.push(("qid", PackValue::Int(qid)));
        }
        self.results.push_back(OpenResult {
            qid,
            rows: rows.into(),
            stats,
            kind,
            db,
        });
        self.success(meta);
        self.state = if in_tx {
            State::TxStreaming
        } else {
            State::Streaming
        };
        Ok(())
    }

    /// Runs the statement through [`Server::run`], marked busy for the keep-alive thread
    /// (see [`keep_alive`]).
    fn run_keeping_alive(
        &self,
        txn: &mut Option<Txn>,
        query: &str,
        params: &Params,
        read_only: bool,
        why: bool,
    ) -> crate::error::Result<QueryResult> {
        self.keep_alive.busy.store(true, Ordering::Release);
        let r = self
            .server
            .run(&self.conn, txn, query, params, read_only, why);
        self.keep_alive.busy.store(false, Ordering::Release);
        r
    }

    fn stream(&mut self, n: i64, qid: i64, pull: bool) -> Result<(), (String, String)> {
        let idx = if qid == -1 {
            self.results.len().checked_sub(1)
        } else {
            self.results.iter().position(|r| r.qid == qid)
        };
        let Some(idx) = idx else {
            return Err(failure(
                INVALID,
                format!(
                    "{} without an open result{}",
                    if pull { "PULL" } else { "DISCARD" },
                    if qid == -1 {
                        String::new()
                    } else {
                        format!(" {qid}")
                    }
                ),
            ));
        };
        let take = if n < 0 { usize::MAX } else { n as usize };
        let mut records = Vec::new();
        {
            let r = &mut self.results[idx];
            let count = take.min(r.rows.len());
            if pull {
                records.extend(r.rows.drain(..count));
            } else {
                r.rows.drain(..count);
            }
        }
        for row in records {
            wire::response(
                wire::RECORD,
                vec![PackValue::List(row.iter().map(to_pack).collect())],
                &mut self.out,
            );
        }
        if !self.results[idx].rows.is_empty() {
            self.success(vec![("has_more", PackValue::Bool(true))]);
            return Ok(());
        }
        let Some(done) = self.results.remove(idx) else {
            return Ok(());
        };
        let mut meta = vec![
            ("type", PackValue::String(done.kind.into())),
            ("t_last", PackValue::Int(0)),
            ("db", PackValue::String(done.db)),
        ];
        if !done.stats.is_empty() {
            meta.push(("stats", stats(&done.stats)));
        }
        match self.state {
            State::Streaming => {
                meta.push(("bookmark", bookmark()));
                self.state = State::Ready;
            }
            State::TxStreaming if self.results.is_empty() => self.state = State::TxReady,
            _ => {}
        }
        self.success(meta);
        Ok(())
    }

    fn route(
        &mut self,
        context: &[(String, PackValue)],
        db: Option<String>,
    ) -> Result<(), (String, String)> {
        let extra: Vec<(String, PackValue)> = db
            .map(|d| vec![("db".to_string(), PackValue::String(d))])
            .unwrap_or_default();
        let db = self.database(&extra)?;
        let address = context
            .iter()
            .find(|(k, _)| k == "address")
            .and_then(|(_, v)| v.as_str())
            .map(str::to_string)
            .or_else(|| self.routing_address.clone())
            .or_else(|| self.local.map(|a| a.to_string()))
            .unwrap_or_else(|| "localhost:7687".into());
        let server = |role: &str| {
            PackValue::map([
                (
                    "addresses",
                    PackValue::List(vec![PackValue::String(address.clone())]),
                ),
                ("role", PackValue::String(role.into())),
            ])
        };
        let rt = PackValue::map([
            ("ttl", PackValue::Int(300)),
            ("db", PackValue::String(db)),
            (
                "servers",
                PackValue::List(vec![server("ROUTE"), server("READ"), server("WRITE")]),
            ),
        ]);
        self.success(vec![("rt", rt)]);
        Ok(())
    }
}

fn is_transaction_statement(q: &str) -> bool {
    let w = q.trim().trim_end_matches(';').trim();
    ["BEGIN", "COMMIT", "ROLLBACK"]
        .iter()
        .any(|k| w.eq_ignore_ascii_case(k))
}

fn read_mode(extra: &[(String, PackValue)]) -> bool {
    extra
        .iter()
        .find(|(k, _)| k == "mode")
        .and_then(|(_, v)| v.as_str())
        == Some("r")
}

/// True when the message's `tx_metadata` holds `why: true` (drivers send a query's or a
/// transaction's metadata there): the client asks for each row's provenance.
fn why_asked(extra: &[(String, PackValue)]) -> bool {
    let Some((_, PackValue::Map(meta))) = extra.iter().find(|(k, _)| k == "tx_metadata") else {
        return false;
    };
    meta.iter()
        .any(|(k, v)| k == "why" && matches!(v, PackValue::Bool(true)))
}

fn first_line(q: &str) -> String {
    let line = q.trim().lines().next().unwrap_or("");
    if line.chars().count() > 100 {
        format!("{}…", line.chars().take(100).collect::<String>())
    } else {
        line.to_string()
    }
}

fn error(e: &Error, query: &str) -> (String, String) {
    failure(status::code(e), status::message(query, e))
}

/// Neo4j's query type: `r` read, `w` write, `rw` read and write, `s` schema.
fn query_type(s: &WriteStats, returns: bool) -> &'static str {
    let schema = s.indexes_added + s.indexes_removed + s.constraints_added + s.constraints_removed;
    let mut data = *s;
    data.indexes_added = 0;
    data.indexes_removed = 0;
    data.constraints_added = 0;
    data.constraints_removed = 0;
    if schema > 0 {
        "s"
    } else if !data.is_empty() {
        if returns {
            "rw"
        } else {
            "w"
        }
    } else {
        "r"
    }
}

/// The `stats` map with Neo4j's hyphenated keys (only the non-zero counters, as Neo4j sends).
fn stats(s: &WriteStats) -> PackValue {
    let counters = [
        ("nodes-created", s.nodes_created),
        ("nodes-deleted", s.nodes_deleted),
        ("relationships-created", s.relationships_created),
        ("relationships-deleted", s.relationships_deleted),
        ("properties-set", s.properties_set),
        ("labels-added", s.labels_added),
        ("labels-removed", s.labels_removed),
        ("indexes-added", s.indexes_added),
        ("indexes-removed", s.indexes_removed),
        ("constraints-added", s.constraints_added),
        ("constraints-removed", s.constraints_removed),
    ];
    let mut m: Vec<(String, PackValue)> = counters
        .iter()
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (k.to_string(), PackValue::Int(*n as i64)))
        .collect();
    m.push(("contains-updates".into(), PackValue::Bool(!s.is_empty())));
    PackValue::Map(m)
}
