//! Bolt 5.0–5.4, the protocol of every official Neo4j driver: PackStream (`packstream`),
//! our values as Bolt structures (`values`), framing and messages (`wire`), and one
//! connection's state machine (`connection`).

pub mod connection;
pub mod packstream;
pub mod values;
pub mod wire;

use std::net::TcpListener;
use std::sync::Arc;

use super::Server;

/// Serves Bolt on `listener` until the server stops (run it on its own thread, as one of
/// [`super::run_until_stopped`]'s loops).
pub fn accept(server: Arc<Server>, listener: TcpListener) {
    super::accept_loop(server, listener, connection::serve, |stream, _why| {
        // Past the connection limit: nothing Bolt can say before the handshake; close.
        let _ = stream.shutdown(std::net::Shutdown::Both);
    });
}
pub mod client;
