//! The `kg` binary: everything lives in `kgstore::cli`.

fn main() {
    std::process::exit(kgstore::cli::main());
}
