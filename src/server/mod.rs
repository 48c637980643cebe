//! `kg serve`: one database shared by many clients, over Bolt (every Neo4j driver) and HTTP
//! (a Query API shaped like Neo4j's v2, and the explorer).
//!
//! This module owns the server's shared state ([`Server`]): the database, the configuration,
//! the live connections and shutdown. The protocols live beside it (`bolt/`, `http/`) and reach
//! the database only through [`Server::run`], which applies the rules every protocol shares.
//!
//! Invariants:
//! - Only `server/` opens sockets (see docs/architecture.md).
//! - Every statement runs through [`Server::run`]: read-only mode, query timeout, memory limit
//!   and the connection's cancel flag are applied there, in one place.
//! - A connection's explicit transaction is an `Option<Txn>` the connection owns; dropping it
//!   (connection gone, RESET, timeout) rolls it back. Nothing half-done outlives a connection.
//! - Shutdown (SIGINT/SIGTERM) sets every connection's cancel flag, waits for the connections to
//!   end (bounded), removes the address file and closes the store.

pub mod address;
pub mod auth;
pub mod bolt;
pub mod compat;
pub mod explorer;
pub mod http;
pub mod mcp;
pub mod status;

use std::collections::HashMap;
use std::net::{SocketAddr, TcpListener};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crate::db::{Database, Params, QueryResult, RunOptions, WhyOptions};
use crate::error::{Error, Result};
use crate::store::Txn;

pub use auth::Auth;

/// What one client may make the server hold or do; each limit is reported with a clear error.
#[derive(Clone, Debug)]
pub struct Limits {
    /// Open connections over both protocols together.
    pub max_connections: usize,
    /// One Bolt message or HTTP request body, in bytes.
    pub max_message_bytes: usize,
    /// Nesting of lists, maps and structures in one message.
    pub max_depth: usize,
    /// Rows one result may hold before the client pulls them.
    pub max_buffered_rows: usize,
    /// A statement's running time (None: unlimited).
    pub query_timeout: Option<Duration>,
    /// An explicit transaction idle longer than this is rolled back.
    pub transaction_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 256,
            max_message_bytes: 16 << 20,
            max_depth: 64,
            max_buffered_rows: 1_000_000,
            query_timeout: None,
            transaction_timeout: Duration::from_secs(60),
        }
    }
}

/// How `kg serve` was configured.
#[derive(Clone, Debug)]
pub struct ServeConfig {
    /// The database directory (where the address file goes); None for a temporary database.
    pub db_path: Option<PathBuf>,
    /// Bolt listener address (None: no Bolt listener).
    pub bolt: Option<SocketAddr>,
    /// HTTP listener address (None: no HTTP listener).
    pub http: Option<SocketAddr>,
    pub auth: Auth,
    /// Refuse every write.
    pub read_only: bool,
    pub limits: Limits,
    /// The `server` agent string sent to Bolt clients. Python drivers before 6.0 refuse
    /// anything that does not start with `Neo4j/`.
    pub agent: String,
}

impl Default for ServeConfig {
    fn default() -> ServeConfig {
        ServeConfig {
            db_path: None,
            bolt: Some(SocketAddr::from(([127, 0, 0, 1], 7687))),
            http: Some(SocketAddr::from(([127, 0, 0, 1], 7474))),
            auth: Auth::None,
            read_only: false,
            limits: Limits::default(),
            agent: format!("Neo4j/5.26.0 (kgstore {})", env!("CARGO_PKG_VERSION")),
        }
    }
}

/// The server's shared state, held by every connection thread through an `Arc`.
pub struct Server {
    pub db: Arc<Database>,
    pub config: ServeConfig,
    /// Set on SIGINT/SIGTERM or [`Server::stop`]: accept loops stop, connections end.
    shutdown: AtomicBool,
    next_connection: AtomicU64,
    /// Live connections: id → their cancel flag (set on shutdown).
    connections: Mutex<HashMap<u64, Arc<AtomicBool>>>,
    open: AtomicUsize,
    started: Instant,
}

/// A live connection's registration; dropping it unregisters the connection.
pub struct Connection {
    server: Arc<Server>,
    pub id: u64,
    /// Set when the server shuts down, or by the protocol (RESET, client gone) to cancel the
    /// running statement.
    pub cancel: Arc<AtomicBool>,
}

impl Connection {
    /// `bolt-7`, as Neo4j names connections in logs and metadata.
    pub fn name(&self, protocol: &str) -> String {
        format!("{protocol}-{}", self.id)
    }
}

impl Drop for Connection {
    fn drop(&mut self) {
        self.server
            .connections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .remove(&self.id);
        self.server.open.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Server {
    pub fn new(db: Database, config: ServeConfig) -> Arc<Server> {
        compat::register(&db);
        Arc::new(Server {
            db: Arc::new(db),
            config,
            shutdown: AtomicBool::new(false),
            next_connection: AtomicU64::new(1),
            connections: Mutex::new(HashMap::new()),
            open: AtomicUsize::new(0),
            started: Instant::now(),
        })
    }

    pub fn is_stopping(&self) -> bool {
        self.shutdown.load(Ordering::Acquire) || STOP_SIGNAL.load(Ordering::Acquire)
    }

    /// Asks every accept loop and connection to end.
    pub fn stop(&self) {
        self.shutdown.store(true, Ordering::Release);
        for flag in self
            .connections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .values()
        {
            flag.store(true, Ordering::Release);
        }
    }

    /// Registers a new connection, or refuses it past `max_connections` (the caller tells the
    /// client why and closes the socket).
    pub fn connect(self: &Arc<Self>) -> std::result::Result<Connection, String> {
        let max = self.config.limits.max_connections;
        if self.open.fetch_add(1, Ordering::AcqRel) >= max {
            self.open.fetch_sub(1, Ordering::AcqRel);
            return Err(format!(
                "the server already has {max} open connections (its --max-connections limit)"
            ));
        }
        let id = self.next_connection.fetch_add(1, Ordering::AcqRel);
        let cancel = Arc::new(AtomicBool::new(self.is_stopping()));
        self.connections
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(id, cancel.clone());
        Ok(Connection {
            server: self.clone(),
            id,
            cancel,
        })
    }

    pub fn open_connections(&self) -> usize {
        self.open.load(Ordering::Acquire)
    }

    pub fn uptime(&self) -> Duration {
        self.started.elapsed()
    }

    /// Runs one statement for a connection, in its explicit transaction `txn` when it holds one
    /// (the statement's changes stay in it) or in a transaction of its own (committed on
    /// success). `read_only` is the client's access mode; the server's `--read-only` applies
    /// on top. BEGIN/COMMIT/ROLLBACK written as statements act on `txn` too.
    pub fn run(
        &self,
        conn: &Connection,
        txn: &mut Option<Txn>,
        query: &str,
        params: &Params,
        read_only: bool,
        why: bool,
    ) -> Result<QueryResult> {
        if self.is_stopping() {
            return Err(Error::Cancelled);
        }
        if let Some(r) = compat::intercept(query) {
            return Ok(r);
        }
        let opts = RunOptions {
            cancel: Some(conn.cancel.clone()),
            timeout: self.config.limits.query_timeout,
            profile: false,
            read_only: read_only || self.config.read_only,
            why: why.then(WhyOptions::default),
            // Each statement under the process default (`--memory-limit`), counted on its
            // connection's thread alone.
            memory_limit: None,
            threads: None,
        };
        let mut session = self.db.session_with(txn.take());
        let result = session.run_with(query, params, &opts);
        *txn = session.detach();
        result
            .and_then(why_column)
            .map_err(|e| status::with_position(e, query))
    }

    /// Writes one log line (connections, failed queries) to stderr.
    pub fn log(&self, line: &str) {
        eprintln!("{line}");
    }
}

/// A result run with provenance, for clients that only see columns: its `why` becomes a last
/// column `why` holding each row's provenance object (`RowWhy::to_value`). A result that
/// already has a column of that name is refused rather than given two.
fn why_column(mut r: QueryResult) -> Result<QueryResult> {
    let Some(whys) = r.why.take() else {
        return Ok(r);
    };
    let field = crate::render::why::WHY_FIELD;
    if r.columns.iter().any(|c| c == field) {
        return Err(crate::error::QueryError::syntax(
            "ColumnNameConflict",
            format!(
                "with provenance on, a result cannot have a column named `{field}` (the name of \
                 its provenance field); rename it with AS"
            ),
        )
        .into());
    }
    r.columns.push(field.to_string());
    for (row, w) in r.rows.iter_mut().zip(whys) {
        row.push(w.to_value());
    }
    Ok(r)
}

/// The bound listeners of a server about to run.
pub struct Listeners {
    pub bolt: Option<TcpListener>,
    pub http: Option<TcpListener>,
}

/// Binds the configured addresses (failing before anything else starts).
pub fn bind(config: &ServeConfig) -> Result<Listeners> {
    let bind = |a: SocketAddr, what: &str| {
        TcpListener::bind(a).map_err(|e| Error::Io(format!("cannot listen for {what} on {a}: {e}")))
    };
    Ok(Listeners {
        bolt: config.bolt.map(|a| bind(a, "Bolt")).transpose()?,
        http: config.http.map(|a| bind(a, "HTTP")).transpose()?,
    })
}

/// Stack of each connection thread. Deeply nested queries recurse in the parser, checks,
/// planner and evaluator; the memory is reserved, not committed, until used.
pub const CONNECTION_STACK: usize = 256 << 20;

/// How often an accept loop looks at the shutdown flag.
const ACCEPT_POLL: Duration = Duration::from_millis(50);

/// Accepts connections on `listener` until the server stops, each on its own thread running
/// `handle`. A connection past the limit is handed to `refuse` with the reason instead (on the
/// accept thread: it should write one short message and return).
pub fn accept_loop<H, R>(server: Arc<Server>, listener: TcpListener, handle: H, refuse: R)
where
    H: Fn(Arc<Server>, std::net::TcpStream, Connection) + Send + Sync + Clone + 'static,
    R: Fn(std::net::TcpStream, &str),
{
    if let Err(e) = listener.set_nonblocking(true) {
        server.log(&format!("error: cannot poll the listener: {e}"));
        return;
    }
    while !server.is_stopping() {
        let (stream, peer) = match listener.accept() {
            Ok(s) => s,
            Err(e) if e.kind() == std::io::ErrorKind::WouldBlock => {
                std::thread::sleep(ACCEPT_POLL);
                continue;
            }
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => {
                // Out of file descriptors and the like: report, back off, keep serving.
                server.log(&format!("warning: accept failed: {e}"));
                std::thread::sleep(ACCEPT_POLL);
                continue;
            }
        };
        let _ = stream.set_nonblocking(false);
        let _ = stream.set_nodelay(true);
        let conn = match server.connect() {
            Ok(c) => c,
            Err(why) => {
                server.log(&format!("refused connection from {peer}: {why}"));
                refuse(stream, &why);
                continue;
            }
        };
        let handle = handle.clone();
        let srv = server.clone();
        let spawned = std::thread::Builder::new()
            .name(format!("conn-{}", conn.id))
            .stack_size(CONNECTION_STACK)
            .spawn(move || handle(srv, stream, conn));
        if let Err(e) = spawned {
            server.log(&format!("warning: cannot start a connection thread: {e}"));
        }
    }
}

/// Set by SIGINT or SIGTERM once [`stop_on_signals`] installed the handler.
static STOP_SIGNAL: AtomicBool = AtomicBool::new(false);

extern "C" fn on_stop_signal(_signal: libc::c_int) {
    // Only async-signal-safe work here: one atomic store.
    STOP_SIGNAL.store(true, Ordering::SeqCst);
}

/// Makes SIGINT and SIGTERM stop the server cleanly instead of ending the process.
pub fn stop_on_signals() -> bool {
    // SAFETY: `sigaction` with a zeroed struct, an empty mask and a handler that only stores
    // to an atomic is the documented way to install a signal handler.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_stop_signal as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut()) == 0
            && libc::sigaction(libc::SIGTERM, &action, std::ptr::null_mut()) == 0
    }
}

/// How long shutdown waits for connections to end after cancelling them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(10);

/// Runs the server until SIGINT/SIGTERM or [`Server::stop`]: one accept loop per protocol
/// (given as closures that own their listener), the address file written while it runs.
/// On the way out every connection is cancelled (its transaction rolled back when its thread
/// drops it) and waited for, up to a grace period, then the address file is removed.
pub fn run_until_stopped(
    server: Arc<Server>,
    loops: Vec<Box<dyn FnOnce(Arc<Server>) + Send>>,
    addresses: &address::ServerAddress,
) -> Result<()> {
    let file = match &server.config.db_path {
        Some(dir) => Some(address::AddressFile::write(dir, addresses)?),
        None => None,
    };
    let mut threads = Vec::new();
    for l in loops {
        let srv = server.clone();
        threads.push(
            std::thread::Builder::new()
                .name("accept".into())
                .spawn(move || l(srv))
                .map_err(|e| Error::Io(format!("cannot start the accept loop: {e}")))?,
        );
    }
    while !server.is_stopping() {
        std::thread::sleep(ACCEPT_POLL);
    }
    server.log("shutting down: cancelling running queries, rolling back open transactions");
    server.stop();
    for t in threads {
        let _ = t.join();
    }
    let deadline = Instant::now() + SHUTDOWN_GRACE;
    while server.open_connections() > 0 && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(20));
    }
    if server.open_connections() > 0 {
        server.log(&format!(
            "warning: {} connections still busy after {} s; closing anyway",
            server.open_connections(),
            SHUTDOWN_GRACE.as_secs()
        ));
    }
    drop(file);
    server.db.store().flush()
}
