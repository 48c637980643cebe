//! Bolt's framing: the handshake, chunked messages, and the request and response messages.
//!
//! Handshake: the client sends the magic preamble `60 60 B0 17` and four 4-byte version
//! proposals `00 RANGE MINOR MAJOR` (a proposal covers MAJOR.MINOR down to MAJOR.(MINOR −
//! RANGE), the 4.3-style range); the server answers with the chosen `00 00 MINOR MAJOR`, or
//! `00 00 00 00` for none. A proposal `00 00 01 FF` asks for manifest-style negotiation
//! (Bolt 5.7+); we skip it, as Memgraph does, and every current driver then falls back to
//! its plain ranges. We speak 5.0–5.4 (never 5.5+, whose messages we do not implement).
//!
//! Messages travel in chunks: a big-endian `u16` size and that many bytes, the message ended
//! by a `00 00` chunk. An end marker with no message before it is a NOOP (keep-alive).
//! A message is one PackStream structure whose tag is the message's signature.

use std::io::{self, Read, Write};

use super::packstream::{Decoder, PackValue};

pub const PREAMBLE: [u8; 4] = [0x60, 0x60, 0xB0, 0x17];

/// The largest chunk payload.
pub const MAX_CHUNK: usize = 0xFFFF;

/// A Bolt protocol version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub struct Version {
    pub major: u8,
    pub minor: u8,
}

impl std::fmt::Display for Version {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}.{}", self.major, self.minor)
    }
}

/// The newest and oldest versions we agree on.
pub const NEWEST: Version = Version { major: 5, minor: 4 };
pub const OLDEST: Version = Version { major: 5, minor: 0 };

/// The version to agree on for the client's 16 proposal bytes: the first proposal (in the
/// client's order of preference) that overlaps 5.0–5.4, at the newest version of the overlap.
pub fn negotiate(proposals: &[u8; 16]) -> Option<Version> {
    for p in proposals.chunks_exact(4) {
        let (range, minor, major) = (p[1], p[2], p[3]);
        if major != NEWEST.major {
            // 0xFF is the manifest request; other majors we do not speak.
            continue;
        }
        // (OLDEST is 5.0, so the overlap's low end is the proposal's own.)
        let lowest = minor.saturating_sub(range);
        let top = minor.min(NEWEST.minor);
        if top >= lowest {
            return Some(Version {
                major: NEWEST.major,
                minor: top,
            });
        }
    }
    None
}

/// Why a message could not be read.
#[derive(Debug)]
pub enum ReadError {
    /// The client closed the connection (cleanly, between messages).
    Closed,
    Io(io::Error),
    /// A message larger than the limit (the connection cannot continue).
    TooLarge(usize),
}

/// Reads the next message's bytes (NOOPs skipped), refusing more than `max` bytes.
pub fn read_message(r: &mut impl Read, max: usize) -> Result<Vec<u8>, ReadError> {
    let mut msg = Vec::new();
    let mut started = false;
    loop {
        let mut size = [0u8; 2];
        if let Err(e) = r.read_exact(&mut size) {
            return Err(
                if !started && msg.is_empty() && e.kind() == io::ErrorKind::UnexpectedEof {
                    ReadError::Closed
                } else {
                    ReadError::Io(e)
                },
            );
        }
        let n = usize::from(u16::from_be_bytes(size));
        if n == 0 {
            if msg.is_empty() {
                // A NOOP between messages.
                started = false;
                continue;
            }
            return Ok(msg);
        }
        started = true;
        if msg.len() + n > max {
            return Err(ReadError::TooLarge(max));
        }
        let at = msg.len();
        msg.resize(at + n, 0);
        r.read_exact(&mut msg[at..]).map_err(ReadError::Io)?;
    }
}

/// Appends `msg` to `out` as chunks of at most [`MAX_CHUNK`] bytes and an end marker.
pub fn chunk_into(msg: &[u8], out: &mut Vec<u8>) {
    for c in msg.chunks(MAX_CHUNK) {
        out.extend_from_slice(&(c.len() as u16).to_be_bytes());
        out.extend_from_slice(c);
    }
    out.extend_from_slice(&[0, 0]);
}

/// A message a client sends.
#[derive(Clone, Debug, PartialEq)]
pub enum Request {
    Hello {
        extra: Vec<(String, PackValue)>,
    },
    Logon {
        auth: Vec<(String, PackValue)>,
    },
    Logoff,
    Goodbye,
    Reset,
    Run {
        query: String,
        params: Vec<(String, PackValue)>,
        extra: Vec<(String, PackValue)>,
    },
    Begin {
        extra: Vec<(String, PackValue)>,
    },
    Commit,
    Rollback,
    Discard {
        n: i64,
        qid: i64,
    },
    Pull {
        n: i64,
        qid: i64,
    },
    Route {
        context: Vec<(String, PackValue)>,
        db: Option<String>,
    },
    Telemetry,
}

pub const HELLO: u8 = 0x01;
pub const GOODBYE: u8 = 0x02;
pub const RESET: u8 = 0x0F;
pub const RUN: u8 = 0x10;
pub const BEGIN: u8 = 0x11;
pub const COMMIT: u8 = 0x12;
pub const ROLLBACK: u8 = 0x13;
pub const DISCARD: u8 = 0x2F;
pub const PULL: u8 = 0x3F;
pub const TELEMETRY: u8 = 0x54;
pub const ROUTE: u8 = 0x66;
pub const LOGON: u8 = 0x6A;
pub const LOGOFF: u8 = 0x6B;

pub const SUCCESS: u8 = 0x70;
pub const RECORD: u8 = 0x71;
pub const IGNORED: u8 = 0x7E;
pub const FAILURE: u8 = 0x7F;

impl Request {
    /// The message's name, as logs and errors call it.
    pub fn name(&self) -> &'static str {
        match self {
            Request::Hello { .. } => "HELLO",
            Request::Logon { .. } => "LOGON",
            Request::Logoff => "LOGOFF",
            Request::Goodbye => "GOODBYE",
            Request::Reset => "RESET",
            Request::Run { .. } => "RUN",
            Request::Begin { .. } => "BEGIN",
            Request::Commit => "COMMIT",
            Request::Rollback => "ROLLBACK",
            Request::Discard { .. } => "DISCARD",
            Request::Pull { .. } => "PULL",
            Request::Route { .. } => "ROUTE",
            Request::Telemetry => "TELEMETRY",
        }
    }

    /// Decodes one message's bytes; `Err` says what is wrong with them.
    pub fn decode(bytes: &[u8], max_depth: usize) -> Result<Request, String> {
        let mut d = Decoder::new(bytes, max_depth);
        let v = d
            .value()
            .map_err(|e| format!("cannot read the message: {e}"))?;
        if d.remaining() != 0 {
            return Err(format!(
                "{} bytes after the message's structure",
                d.remaining()
            ));
        }
        let PackValue::Struct { tag, fields } = v else {
            return Err(format!("a message is a structure, not a {}", v.kind()));
        };
        let mut f = Fields {
            fields: fields.into_iter(),
            tag,
        };
        let r = match tag {
            HELLO => Request::Hello { extra: f.map()? },
            LOGON => Request::Logon { auth: f.map()? },
            LOGOFF => Request::Logoff,
            GOODBYE => Request::Goodbye,
            RESET => Request::Reset,
            RUN => Request::Run {
                query: f.string()?,
                params: f.map()?,
                extra: f.map()?,
            },
            BEGIN => Request::Begin { extra: f.map()? },
            COMMIT => Request::Commit,
            ROLLBACK => Request::Rollback,
            DISCARD | PULL => {
                let extra = f.map()?;
                let get = |k: &str, default: i64| -> Result<i64, String> {
                    match extra.iter().find(|(key, _)| key == k).map(|(_, v)| v) {
                        None | Some(PackValue::Null) => Ok(default),
                        Some(PackValue::Int(i)) => Ok(*i),
                        Some(other) => {
                            Err(format!("`{k}` must be an integer, not a {}", other.kind()))
                        }
                    }
                };
                let (n, qid) = (get("n", -1)?, get("qid", -1)?);
                if n == 0 || n < -1 {
                    return Err(format!("`n` must be -1 (all) or positive, not {n}"));
                }
                if tag == PULL {
                    Request::Pull { n, qid }
                } else {
                    Request::Discard { n, qid }
                }
            }
            ROUTE => {
                let context = f.map()?;
                // Bookmarks (ignored: every commit is visible at once on one server).
                let _ = f.next();
                // 5.0: a map {db, imp_user}; a string or null in 4.x.
                let db = match f.next() {
                    Some(PackValue::Map(m)) => {
                        m.into_iter()
                            .find(|(k, _)| k == "db")
                            .and_then(|(_, v)| match v {
                                PackValue::String(s) => Some(s),
                                _ => None,
                            })
                    }
                    Some(PackValue::String(s)) => Some(s),
                    _ => None,
                };
                Request::Route { context, db }
            }
            TELEMETRY => Request::Telemetry,
            other => return Err(format!("unknown message 0x{other:02X}")),
        };
        Ok(r)
    }
}

struct Fields {
    fields: std::vec::IntoIter<PackValue>,
    tag: u8,
}

impl Fields {
    fn next(&mut self) -> Option<PackValue> {
        self.fields.next()
    }

    fn map(&mut self) -> Result<Vec<(String, PackValue)>, String> {
        match self.fields.next() {
            Some(PackValue::Map(m)) => Ok(m),
            // Some clients send null for an empty map.
            None | Some(PackValue::Null) => Ok(Vec::new()),
            Some(other) => Err(format!(
                "message 0x{:02X} expects a map, not a {}",
                self.tag,
                other.kind()
            )),
        }
    }

    fn string(&mut self) -> Result<String, String> {
        match self.fields.next() {
            Some(PackValue::String(s)) => Ok(s),
            Some(other) => Err(format!(
                "message 0x{:02X} expects a string, not a {}",
                self.tag,
                other.kind()
            )),
            None => Err(format!("message 0x{:02X} is missing a field", self.tag)),
        }
    }
}

/// Encodes a response message (SUCCESS, RECORD, IGNORED, FAILURE) into chunks.
pub fn response(tag: u8, fields: Vec<PackValue>, out: &mut Vec<u8>) {
    let msg = PackValue::Struct { tag, fields };
    let mut bytes = Vec::new();
    if msg.encode_into(&mut bytes).is_err() {
        // Only a structure of more than 15 fields or a 4 GiB string fails: never ours.
        bytes.clear();
        let failure = PackValue::Struct {
            tag: FAILURE,
            fields: vec![PackValue::map([
                (
                    "code",
                    PackValue::String("Neo.DatabaseError.General.UnknownError".into()),
                ),
                (
                    "message",
                    PackValue::String("a value too large for Bolt".into()),
                ),
            ])],
        };
        let _ = failure.encode_into(&mut bytes);
    }
    chunk_into(&bytes, out);
}

/// Writes `bytes` and flushes.
pub fn send(w: &mut impl Write, bytes: &[u8]) -> io::Result<()> {
    w.write_all(bytes)?;
    w.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(major: u8, minor: u8) -> Option<Version> {
        Some(Version { major, minor })
    }

    #[test]
    fn negotiation_picks_the_newest_common_version() {
        // Python driver 6.x: manifest, 5.8..5.0, 4.4..4.2, 3.0.
        let py6 = [0, 0, 1, 0xFF, 0, 8, 8, 5, 0, 2, 4, 4, 0, 0, 0, 3];
        assert_eq!(negotiate(&py6), v(5, 4));
        // Python driver 5.0–5.6 offers 5.0 alone, then 4.x.
        let py50 = [0, 0, 0, 5, 0, 2, 4, 4, 0, 0, 1, 4, 0, 0, 0, 0];
        assert_eq!(negotiate(&py50), v(5, 0));
        // 5.2..5.0.
        assert_eq!(
            negotiate(&[0, 2, 2, 5, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            v(5, 2)
        );
        // Only 5.5+ or 4.x: nothing.
        assert_eq!(
            negotiate(&[0, 1, 7, 5, 0, 0, 4, 4, 0, 0, 0, 0, 0, 0, 0, 0]),
            None
        );
        assert_eq!(negotiate(&[0; 16]), None);
    }

    #[test]
    fn chunks_and_noops() {
        let mut out = Vec::new();
        chunk_into(&[1, 2, 3], &mut out);
        assert_eq!(out, [0, 3, 1, 2, 3, 0, 0]);
        let big = vec![9u8; 70_000];
        let mut out = vec![0, 0, 0, 0]; // two NOOPs first
        chunk_into(&big, &mut out);
        assert_eq!(&out[4..6], &[0xFF, 0xFF]);
        let mut r = &out[..];
        assert_eq!(read_message(&mut r, 1 << 20).unwrap(), big);
        assert!(matches!(
            read_message(&mut r, 1 << 20),
            Err(ReadError::Closed)
        ));
        let mut r = &out[..];
        assert!(matches!(
            read_message(&mut r, 1000),
            Err(ReadError::TooLarge(1000))
        ));
        let mut r: &[u8] = &[0, 5, 1, 2];
        assert!(matches!(read_message(&mut r, 100), Err(ReadError::Io(_))));
    }

    #[test]
    fn requests_decode() {
        let run = PackValue::Struct {
            tag: RUN,
            fields: vec![
                PackValue::String("RETURN 1".into()),
                PackValue::Map(vec![]),
                PackValue::Map(vec![]),
            ],
        };
        let bytes = super::super::packstream::encode(&run).unwrap();
        assert_eq!(
            Request::decode(&bytes, 8),
            Ok(Request::Run {
                query: "RETURN 1".into(),
                params: vec![],
                extra: vec![]
            })
        );
        let pull = PackValue::Struct {
            tag: PULL,
            fields: vec![PackValue::map([("n", PackValue::Int(1000))])],
        };
        let bytes = super::super::packstream::encode(&pull).unwrap();
        assert_eq!(
            Request::decode(&bytes, 8),
            Ok(Request::Pull { n: 1000, qid: -1 })
        );
        assert!(Request::decode(&[0xB0, 0x99], 8).is_err());
        assert!(Request::decode(&[0xC0], 8).is_err());
        assert!(Request::decode(&[0xB1, RUN, 0x01], 8).is_err());
    }
}
