//! How a store is opened and how durable its commits are.

/// How durable a successful statement is.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Durability {
    /// Every committed statement is flushed to disk before it is reported (the default).
    #[default]
    Full,
    /// Commits reach sled's log but are flushed in the background (sled flushes every few
    /// hundred milliseconds); a crash may lose the last moments. For bulk loads.
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
