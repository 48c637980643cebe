//! The interactive shell and the script runner's building blocks: meta commands, the REPL and its line-editor helper (statement splitting is in `crate::script`).

pub mod catalog;
pub mod export;
pub mod helper;
pub mod interactive;
pub mod meta;
pub mod repl;
pub mod signal;
pub mod target;
