//! The `kg` binary: everything lives in `kgstore::cli`.

/// Counts what each statement allocates, so that it can be held to its memory limit
/// (`kgstore::memory_budget`).
#[global_allocator]
static ALLOC: kgstore::memory_budget::CountingAlloc = kgstore::memory_budget::CountingAlloc;

fn main() {
    std::process::exit(kgstore::cli::main());
}
