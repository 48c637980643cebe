//! Stack for deep statements. Parsing, checking, planning and evaluating walk a statement
//! recursively, one level per nested operator, lookup or clause, so the stack a statement needs
//! grows with its length. [`with_stack_for`] runs a statement where that much is left: on the
//! calling thread when it has enough (every ordinary statement), else on a stack allocated for
//! the call. The library therefore needs nothing from its caller's thread: Rust's default
//! 2 MiB threads (a server's connection threads, test threads) run any statement. The parser's
//! limits (`parser::MAX_EXPR_DEPTH`, `parser::MAX_CLAUSES`) bound the depth, so the stack
//! stays below [`STACK_MAX`].

/// Stack reserved per byte of query text: the deepest recursion a byte can cause with a wide
/// margin. Measured on release builds: a level of `1+1+…` (2 bytes) needs about 1.7 KiB, a
/// level of chained `WITH a` (7 bytes) about 2.2 KiB, so about 0.9 KiB per byte at worst.
/// The stack is reserved, not committed: untouched pages cost no memory.
pub const STACK_PER_QUERY_BYTE: usize = 4096;

/// Stack any statement may use regardless of its length (rendering, a procedure, sled).
const STACK_BASE: usize = 1 << 20;

/// The most stack one statement is given; the parser's limits keep statements below it.
pub const STACK_MAX: usize = 1 << 30;

/// The stack a statement needs: [`STACK_BASE`] plus [`STACK_PER_QUERY_BYTE`] per byte.
pub fn needed(query: &str) -> usize {
    query
        .len()
        .saturating_mul(STACK_PER_QUERY_BYTE)
        .saturating_add(STACK_BASE)
        .min(STACK_MAX)
}

/// Runs `f` where at least [`needed`]`(query)` of stack is left: on the calling thread
/// when it has that much, else on a stack allocated for the call (freed after it).
pub fn with_stack_for<R>(query: &str, f: impl FnOnce() -> R) -> R {
    let need = needed(query);
    stacker::maybe_grow(need, need, f)
}
