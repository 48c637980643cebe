//! The interactive shell and the script runner's building blocks: statement splitting, meta
//! commands, parameter literals, the REPL and its line-editor helper.

pub mod catalog;
pub mod export;
pub mod helper;
pub mod interactive;
pub mod literal;
pub mod meta;
pub mod repl;
pub mod signal;
pub mod split;
