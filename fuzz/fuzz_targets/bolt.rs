//! Fuzz target: any bytes a Bolt client could send after the handshake go through the
//! server's reader exactly as a connection reads them (chunk framing with its size limit,
//! PackStream with its depth limit, message decoding) and every decoded RUN's parameters
//! through the value mapping; each must be a value or an error, never a panic or a hang.
#![no_main]

use kgstore::server::bolt::{packstream, values, wire};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    // The raw bytes as one PackStream value, and as a message body.
    if let Ok(v) = packstream::decode(data, 64) {
        // Whatever decodes must encode again.
        let _ = packstream::encode(&v);
        let _ = values::from_pack(v);
    }
    let _ = wire::Request::decode(data, 64);
    // The bytes as a stream of chunked messages, as the connection's reader sees them.
    let mut stream = data;
    for _ in 0..64 {
        match wire::read_message(&mut stream, 1 << 20) {
            Ok(msg) => {
                if let Ok(wire::Request::Run { params, .. }) = wire::Request::decode(&msg, 64) {
                    let _ = values::map_from_pack(params);
                }
            }
            Err(_) => break,
        }
    }
});
