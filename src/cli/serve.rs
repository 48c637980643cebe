//! `kg serve` (one database, many clients over Bolt and HTTP) and `kg passwd` (a hashed
//! credentials line for `--auth-file`).

use std::io::{BufRead, Write};
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::Path;

use clap::Args;

use crate::db::Database;
use crate::server::address::ServerAddress;
use crate::server::auth::User;
use crate::server::{self, Auth, ServeConfig, Server};

pub const SERVE_EXAMPLES: &str = "\
From Python (pip install neo4j):
  from neo4j import GraphDatabase
  with GraphDatabase.driver(\"bolt://localhost:7687\", auth=(\"neo4j\", \"s3cret\")) as driver:
      records, summary, keys = driver.execute_query(\"MATCH (l:Lab) RETURN l.name AS name LIMIT 5\")
      print([r[\"name\"] for r in records])

From JavaScript (npm install neo4j-driver):
  const neo4j = require('neo4j-driver')
  const driver = neo4j.driver('neo4j://localhost:7687', neo4j.auth.basic('neo4j', 's3cret'))
  const { records } = await driver.executeQuery('MATCH (l:Lab) RETURN l.name AS name LIMIT 5')
  console.log(records.map(r => r.get('name')))
  await driver.close()

Without --auth the server accepts any credentials (and none); that is allowed on loopback
only. Stop it with Ctrl-C or SIGTERM: running queries are cancelled, open transactions rolled
back, and the database closed.

Examples:
  kg serve                                   Bolt on 127.0.0.1:7687, no authentication (loopback)
  kg --db my.db serve --auth neo4j:s3cret
  echo 's3cret' | kg passwd users.txt alice && kg serve --bolt 0.0.0.0:7687 --auth-file users.txt";

#[derive(Clone, Debug, Args)]
pub struct ServeArgs {
    /// Bolt listener (every Neo4j driver: bolt:// and neo4j:// URLs)
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:7687")]
    pub bolt: String,
    /// HTTP listener (the query API)
    #[arg(long, value_name = "HOST:PORT", default_value = "127.0.0.1:7474")]
    pub http: String,
    /// Require this user and password (hashed in memory; prefer --auth-file)
    #[arg(long, value_name = "USER:PASSWORD", conflicts_with_all = ["auth_file", "no_auth"])]
    pub auth: Option<String>,
    /// Require one of the users of FILE (`USER:HASH` lines written by `kg passwd`)
    #[arg(long, value_name = "FILE", conflicts_with = "no_auth")]
    pub auth_file: Option<std::path::PathBuf>,
    /// Run without authentication (refused beyond loopback)
    #[arg(long)]
    pub no_auth: bool,
    /// Refuse every write
    #[arg(long)]
    pub read_only: bool,
    /// The server agent sent to Bolt clients (Python drivers before 6.0 want `Neo4j/…`)
    #[arg(long, value_name = "TEXT")]
    pub agent: Option<String>,
    /// Most open connections at once
    #[arg(long, value_name = "N", default_value_t = 256)]
    pub max_connections: usize,
    /// Roll back an explicit transaction idle longer than this many seconds
    #[arg(long, value_name = "SECONDS", default_value_t = 60)]
    pub transaction_timeout: u64,
}

fn resolve(what: &str, text: &str) -> Result<SocketAddr, String> {
    text.to_socket_addrs()
        .map_err(|e| format!("--{what} {text}: {e}"))?
        .next()
        .ok_or_else(|| format!("--{what} {text}: names no address"))
}

/// The `--db` path's configuration; `Err` is a message for the user (exit code 2).
pub fn config(
    args: &ServeArgs,
    db_path: &Path,
    timeout: Option<std::time::Duration>,
) -> Result<ServeConfig, String> {
    let bolt = resolve("bolt", &args.bolt)?;
    let http = resolve("http", &args.http)?;
    let auth = match (&args.auth, &args.auth_file) {
        (Some(pair), _) => Auth::from_pair(pair).map_err(|e| e.to_string())?,
        (None, Some(file)) => Auth::from_file(file).map_err(|e| e.to_string())?,
        (None, None) => Auth::None,
    };
    let exposed: Vec<SocketAddr> = [bolt, http]
        .into_iter()
        .filter(|a| !a.ip().is_loopback())
        .collect();
    if !auth.required() && !exposed.is_empty() {
        return Err(format!(
            "{} is reachable beyond this machine, so kg serve requires authentication \
             there: add --auth USER:PASSWORD or --auth-file FILE{}",
            exposed
                .iter()
                .map(|a| a.to_string())
                .collect::<Vec<_>>()
                .join(" and "),
            if args.no_auth {
                " (--no-auth is for loopback addresses only)"
            } else {
                ""
            }
        ));
    }
    let mut cfg = ServeConfig {
        db_path: Some(db_path.to_path_buf()),
        bolt: Some(bolt),
        http: Some(http),
        auth,
        read_only: args.read_only,
        ..ServeConfig::default()
    };
    if let Some(a) = &args.agent {
        cfg.agent = a.clone();
    }
    cfg.limits.max_connections = args.max_connections.max(1);
    cfg.limits.transaction_timeout =
        std::time::Duration::from_secs(args.transaction_timeout.max(1));
    cfg.limits.query_timeout = timeout;
    Ok(cfg)
}

/// Runs `kg serve` on an open database; returns the exit code.
pub fn serve(db: Database, cfg: ServeConfig) -> i32 {
    let listeners = match server::bind(&cfg) {
        Ok(l) => l,
        Err(e) => {
            eprintln!("error: {e}");
            return 2;
        }
    };
    let bolt_addr = listeners.bolt.as_ref().and_then(|l| l.local_addr().ok());
    let http_addr = listeners.http.as_ref().and_then(|l| l.local_addr().ok());
    let addresses = ServerAddress {
        pid: std::process::id(),
        bolt: bolt_addr.map(|a| a.to_string()),
        http: http_addr.map(|a| a.to_string()),
    };
    if !server::stop_on_signals() {
        eprintln!("warning: cannot install the SIGINT/SIGTERM handler");
    }
    let auth_line = if cfg.auth.required() {
        "authentication required".to_string()
    } else {
        "WITHOUT authentication (loopback only; any user and password are accepted)".to_string()
    };
    let db_line = cfg
        .db_path
        .as_ref()
        .map(|p| p.display().to_string())
        .unwrap_or_else(|| "(temporary)".into());
    let read_only = cfg.read_only;
    let server = Server::new(db, cfg);
    let mut loops: Vec<Box<dyn FnOnce(std::sync::Arc<Server>) + Send>> = Vec::new();
    if let Some(l) = listeners.bolt {
        loops.push(Box::new(move |s| server::bolt::accept(s, l)));
    }
    if let Some(l) = listeners.http {
        loops.push(server::http::http_loop(l));
    }
    let mut out = std::io::stderr();
    let _ = writeln!(
        out,
        "kg serve: database {db_line}{}, {auth_line}",
        if read_only { " (read-only)" } else { "" }
    );
    if let Some(a) = bolt_addr {
        let _ = writeln!(
            out,
            "  Bolt  bolt://{a}  (neo4j://{a} works too; Python: GraphDatabase.driver(\"bolt://{a}\", auth=(USER, PASSWORD)))"
        );
    }
    if let Some(a) = http_addr {
        let _ = writeln!(
            out,
            "  HTTP  http://{a}/  (the explorer in a browser; the query API at /db/neo4j/query/v2)"
        );
    }
    let _ = writeln!(out, "  stop with Ctrl-C");
    match server::run_until_stopped(server, loops, &addresses) {
        Ok(()) => {
            eprintln!("kg serve: stopped");
            0
        }
        Err(e) => {
            eprintln!("error: {e}");
            1
        }
    }
}

/// `kg passwd FILE USER`: reads the password from stdin (one line) and writes or replaces
/// USER's hashed line in FILE.
pub fn passwd(file: &Path, user: &str) -> i32 {
    if user.is_empty() || user.contains(':') || user.contains(char::is_whitespace) {
        eprintln!("error: a user name must not be empty nor hold ':' or spaces");
        return 2;
    }
    if std::io::IsTerminal::is_terminal(&std::io::stdin()) {
        eprintln!("password for {user} (echoed; or pipe it in):");
    }
    let mut password = String::new();
    if let Err(e) = std::io::stdin().lock().read_line(&mut password) {
        eprintln!("error: cannot read the password: {e}");
        return 1;
    }
    let password = password.trim_end_matches(['\n', '\r']);
    if password.is_empty() {
        eprintln!("error: the password is empty");
        return 2;
    }
    let line = match User::new(user, password) {
        Ok(u) => u.to_line(),
        Err(e) => {
            eprintln!("error: {e}");
            return 1;
        }
    };
    let old = std::fs::read_to_string(file).unwrap_or_default();
    let prefix = format!("{user}:");
    let mut lines: Vec<String> = old
        .lines()
        .filter(|l| !l.starts_with(&prefix))
        .map(str::to_string)
        .collect();
    lines.push(line);
    let text = lines.join("\n") + "\n";
    if let Err(e) = write_private(file, &text) {
        eprintln!("error: cannot write {}: {e}", file.display());
        return 1;
    }
    eprintln!(
        "{} {user} in {}",
        if old.contains(&prefix) {
            "updated"
        } else {
            "added"
        },
        file.display()
    );
    0
}

/// Writes `text` to `file`, readable by its owner only.
fn write_private(file: &Path, text: &str) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(0o600)
        .open(file)?;
    f.write_all(text.as_bytes())
}
