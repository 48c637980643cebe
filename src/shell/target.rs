//! Where the shell's statements run: a session on a database this process opened, or the
//! server that holds the database (`kg --connect URL`, or a `kg.server` address file found in
//! the database directory), over Bolt.

use crate::db::{Params, QueryResult, RunOptions, Session};
use crate::error::Result;
use crate::server::bolt::client::Client;

/// The shell's connection to its data.
pub enum Target<'db> {
    /// A session on a database opened by this process.
    Local(Box<Session<'db>>),
    /// A server holding the database; `address` is what the user sees (`bolt://…`).
    Remote {
        client: Box<Client>,
        address: String,
    },
}

impl<'db> Target<'db> {
    /// Runs one statement. Remotely, the server applies its own timeout; Ctrl-C ends the
    /// statement's wait but the server finishes it.
    pub fn run_with(
        &mut self,
        query: &str,
        params: &Params,
        opts: &RunOptions,
    ) -> Result<QueryResult> {
        match self {
            Target::Local(s) => s.run_with(query, params, opts),
            Target::Remote { address, .. } if opts.why.is_some() => {
                Err(crate::error::QueryError::unsupported(needs_local(
                    "provenance (--why, :why on)",
                    address,
                ))
                .into())
            }
            Target::Remote { client, .. } => client.run(query, params),
        }
    }

    pub fn in_transaction(&self) -> bool {
        match self {
            Target::Local(s) => s.in_transaction(),
            Target::Remote { client, .. } => client.in_transaction(),
        }
    }

    /// The server's address, when the shell runs through one.
    pub fn remote_address(&self) -> Option<&str> {
        match self {
            Target::Local(_) => None,
            Target::Remote { address, .. } => Some(address),
        }
    }

    /// The local session, for what needs the store itself (`:export`).
    pub fn local(&mut self) -> Option<&mut Session<'db>> {
        match self {
            Target::Local(s) => Some(&mut **s),
            Target::Remote { .. } => None,
        }
    }
}

/// The message for a shell command that needs the store in this process.
pub fn needs_local(what: &str, address: &str) -> String {
    format!(
        "{what} is not available through a server yet (this shell runs through {address}); \
         stop the server or run it there"
    )
}
