//! How a store is opened and how durable its commits are.

/// How durable a successful statement is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// Every committed statement is on disk before it is reported (the default): sled's
    /// flush, then an `fdatasync` of its log and of any new blob files and their directory
    /// (`store/durable.rs`), so it survives a crash of the process or of the machine.
    #[default]
    Full,
    /// Commits reach sled's write buffers and are written and synced in the background
    /// (sled flushes every 500 ms) and when the store closes; a crash of the process or the
    /// machine may lose the statements of the last half second or so, never part of one.
    /// For bulk loads.
    Relaxed,
}

#[derive(Clone, Debug, Default)]
pub struct OpenOptions {
    pub durability: Durability,
    /// Create the directory when missing (the default for the CLI).
    pub create_if_missing: bool,
    /// Optional sled page-cache size in bytes (None: kgstore's default).
    pub cache_capacity: Option<u64>,
}
