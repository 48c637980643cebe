//! Fuzz target: any byte string that is UTF-8 must parse or fail with an error, never panic,
//! and a rendered error must never panic either.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(query) = std::str::from_utf8(data) {
        if let Err(e) = kgstore::parser::parse(query) {
            let _ = kgstore::diagnostic::render(query, &e);
        }
    }
});
