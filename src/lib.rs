//! kgstore: an embedded knowledge-graph database — a property graph persisted in sled, an
//! openCypher subset parsed with pest, graph algorithms on petgraph, a shell and exporters.
//!
//! Modules in reading order (data flows one way):
//! query text → `parser` → `ast` → `plan` → `exec` (with `expr`, `functions`) → `store` →
//! `value`s → renderers. `db` is the façade that chains them.

pub mod algo;
pub mod ast;
pub mod cli;
pub mod csv_reader;
pub mod db;
pub mod error;
pub mod exec;
pub mod expr;
pub mod functions;
pub mod hash;
pub mod interrupt;
pub mod memory_budget;
pub mod model;
pub mod params;
pub mod plan;
pub mod procedures;
pub mod provenance;
pub mod render;
pub mod result;
pub mod script;
pub mod seed;
pub mod server;
pub mod shell;
pub mod stack;
pub mod store;
pub mod temporal;
pub mod value;

pub use error::{Error, Result};
pub use result::QueryResult;
pub use value::Params;
pub use value::Value;
pub mod diagnostic;
pub mod export;
pub mod import;
pub mod parser;
pub mod semantic;

// The unit tests run with the counting allocator, as the `kg` binary does (src/main.rs), so
// that `memory_budget`'s tests see real counts.
#[cfg(test)]
#[global_allocator]
static ALLOC: memory_budget::CountingAlloc = memory_budget::CountingAlloc;
