//! HTTP/1.1 on a `TcpStream`: reading one request (request line, headers, a `Content-Length`
//! body) within bounded sizes and times, and writing one response.
//!
//! Every way a client can misbehave ends in a [`ReadError`]: the connection answers with a 4xx
//! status where that still makes sense and closes. Nothing a client sends can panic the thread
//! or hold it past the deadlines below; the server's stop flag is looked at while waiting.

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// The request line and headers together.
pub const MAX_HEAD_BYTES: usize = 16 * 1024;
/// Header lines in one request.
pub const MAX_HEADERS: usize = 100;
/// How long an idle keep-alive connection is kept open.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(60);
/// From the first byte of a request to the end of its headers (slow senders are cut off).
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// The body's time: this much plus one second per MiB.
pub const BODY_TIMEOUT: Duration = Duration::from_secs(10);
/// A response must be taken by the client within this time.
pub const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// How often a blocked read wakes up to look at the stop flag.
const POLL: Duration = Duration::from_millis(200);

/// One request as read from the wire.
#[derive(Debug)]
pub struct Request {
    pub method: String,
    /// The path, percent-decoded, without the query string.
    pub path: String,
    /// Header names in lower case, values trimmed.
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
    /// The client wants the connection kept open after the response.
    pub keep_alive: bool,
}

impl Request {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// Why no request could be read.
#[derive(Debug)]
pub enum ReadError {
    /// The client closed the connection (or stayed idle too long) between requests: end quietly.
    Closed,
    /// The server is stopping.
    Stopped,
    /// A malformed, oversized or too slow request: answer with this status and message, then
    /// close the connection.
    Bad(u16, String),
    /// The socket failed; nothing more can be written.
    Io,
}

/// A connection's read side: the socket and the bytes read past the previous request.
pub struct Reader {
    stream: TcpStream,
    buf: Vec<u8>,
}

impl Reader {
    pub fn new(stream: TcpStream) -> std::io::Result<Reader> {
        stream.set_read_timeout(Some(POLL))?;
        stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
        Ok(Reader {
            stream,
            buf: Vec::new(),
        })
    }

    pub fn stream(&mut self) -> &mut TcpStream {
        &mut self.stream
    }

    /// Reads more bytes into the buffer; `Ok(false)` at end of stream.
    fn fill(&mut self, deadline: Instant, stop: &AtomicBool) -> Result<bool, ReadError> {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => return Ok(false),
                Ok(n) => {
                    self.buf.extend_from_slice(&chunk[..n]);
                    return Ok(true);
                }
                Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                    if stop.load(Ordering::Acquire) {
                        return Err(ReadError::Stopped);
                    }
                    if Instant::now() >= deadline {
                        return Err(ReadError::Bad(408, "timed out".into()));
                    }
                }
                Err(e) if e.kind() == ErrorKind::Interrupted => {}
                Err(_) => return Err(ReadError::Io),
            }
        }
    }

    /// Reads the next request. `max_body` bounds `Content-Length`. A request that says
    /// `Expect: 100-continue` is told to go on once its size is acceptable.
    pub fn next(&mut self, max_body: usize, stop: &AtomicBool) -> Result<Request, ReadError> {
        // Wait for the first byte of the next request (an idle keep-alive connection).
        let idle_deadline = Instant::now() + IDLE_TIMEOUT;
        while self.buf.is_empty() {
            match self.fill(idle_deadline, stop) {
                Ok(true) => {}
                Ok(false) => return Err(ReadError::Closed),
                Err(ReadError::Bad(408, _)) => return Err(ReadError::Closed),
                Err(e) => return Err(e),
            }
        }
        let head_deadline = Instant::now() + HEAD_TIMEOUT;
        let head_end = loop {
            if let Some(i) = find(&self.buf, b"\r\n\r\n") {
                break i;
            }
            if self.buf.len() > MAX_HEAD_BYTES {
                return Err(ReadError::Bad(
                    431,
                    format!("the request line and headers exceed {MAX_HEAD_BYTES} bytes"),
                ));
            }
            if !self.fill(head_deadline, stop)? {
                return Err(ReadError::Bad(
                    400,
                    "the request ended inside its headers".into(),
                ));
            }
        };
        if head_end > MAX_HEAD_BYTES {
            return Err(ReadError::Bad(
                431,
                format!("the request line and headers exceed {MAX_HEAD_BYTES} bytes"),
            ));
        }
        let head = std::str::from_utf8(&self.buf[..head_end])
            .map_err(|_| ReadError::Bad(400, "the request headers are not UTF-8".into()))?
            .to_string();
        self.buf.drain(..head_end + 4);
        let mut lines = head.split("\r\n");
        let request_line = lines.next().unwrap_or_default();
        let mut parts = request_line.split(' ');
        let (method, target, version) = match (parts.next(), parts.next(), parts.next()) {
            (Some(m), Some(t), Some(v)) if parts.next().is_none() && !m.is_empty() => (m, t, v),
            _ => {
                return Err(ReadError::Bad(
                    400,
                    "malformed request line (expected METHOD TARGET HTTP/1.1)".into(),
                ))
            }
        };
        if !method.bytes().all(|b| b.is_ascii_uppercase()) {
            return Err(ReadError::Bad(400, format!("malformed method `{method}`")));
        }
        let http10 = match version {
            "HTTP/1.1" => false,
            "HTTP/1.0" => true,
            _ => {
                return Err(ReadError::Bad(
                    505,
                    format!("unsupported protocol version `{version}` (HTTP/1.1 expected)"),
                ))
            }
        };
        let mut headers = Vec::new();
        for line in lines {
            if headers.len() >= MAX_HEADERS {
                return Err(ReadError::Bad(
                    431,
                    format!("more than {MAX_HEADERS} header lines"),
                ));
            }
            let Some((name, value)) = line.split_once(':') else {
                return Err(ReadError::Bad(
                    400,
                    format!("malformed header line `{line}`"),
                ));
            };
            if name.is_empty() || name.bytes().any(|b| b.is_ascii_whitespace()) {
                return Err(ReadError::Bad(
                    400,
                    format!("malformed header name `{name}`"),
                ));
            }
            headers.push((name.to_ascii_lowercase(), value.trim().to_string()));
        }
        let get = |n: &str| {
            headers
                .iter()
                .find(|(k, _)| k == n)
                .map(|(_, v)| v.as_str())
        };
        if get("transfer-encoding").is_some() {
            return Err(ReadError::Bad(
                411,
                "chunked request bodies are not supported: send a Content-Length".into(),
            ));
        }
        let length = match get("content-length") {
            None => 0,
            Some(v) => v
                .parse::<usize>()
                .map_err(|_| ReadError::Bad(400, format!("malformed Content-Length `{v}`")))?,
        };
        if headers
            .iter()
            .filter(|(k, _)| k == "content-length")
            .count()
            > 1
        {
            return Err(ReadError::Bad(400, "more than one Content-Length".into()));
        }
        if length > max_body {
            return Err(ReadError::Bad(
                413,
                format!(
                    "the request body has {length} bytes, more than the server's limit of {max_body}"
                ),
            ));
        }
        let connection = get("connection").unwrap_or("").to_ascii_lowercase();
        let keep_alive = if http10 {
            connection.contains("keep-alive")
        } else {
            !connection.contains("close")
        };
        if length > self.buf.len()
            && get("expect").is_some_and(|e| e.eq_ignore_ascii_case("100-continue"))
        {
            self.stream
                .write_all(b"HTTP/1.1 100 Continue\r\n\r\n")
                .map_err(|_| ReadError::Io)?;
        }
        let body_deadline =
            Instant::now() + BODY_TIMEOUT + Duration::from_secs((length >> 20) as u64);
        while self.buf.len() < length {
            if !self.fill(body_deadline, stop)? {
                return Err(ReadError::Bad(
                    400,
                    format!(
                        "the request body ended after {} of its {length} bytes",
                        self.buf.len()
                    ),
                ));
            }
        }
        let body: Vec<u8> = self.buf.drain(..length).collect();
        let (path, _query) = target.split_once('?').unwrap_or((target, ""));
        let path = percent_decode(path)
            .ok_or_else(|| ReadError::Bad(400, format!("malformed request target `{target}`")))?;
        if !path.starts_with('/') {
            return Err(ReadError::Bad(
                400,
                format!("the request target `{target}` must start with /"),
            ));
        }
        Ok(Request {
            method: method.to_string(),
            path,
            headers,
            body,
            keep_alive,
        })
    }
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// Decodes `%XX` escapes; `None` for a bad escape or a result that is not UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// One response to write.
pub struct Response {
    pub status: u16,
    pub content_type: &'static str,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl Response {
    pub fn new(status: u16, content_type: &'static str, body: Vec<u8>) -> Response {
        Response {
            status,
            content_type,
            headers: Vec::new(),
            body,
        }
    }

    pub fn header(mut self, name: &'static str, value: String) -> Response {
        self.headers.push((name, value));
        self
    }
}

/// Writes `r`; `keep_alive` false adds `Connection: close`.
pub fn write(stream: &mut TcpStream, r: &Response, keep_alive: bool) -> std::io::Result<()> {
    let mut head = format!(
        "HTTP/1.1 {} {}\r\nContent-Type: {}\r\nContent-Length: {}\r\nServer: kgstore/{}\r\n",
        r.status,
        reason(r.status),
        r.content_type,
        r.body.len(),
        env!("CARGO_PKG_VERSION"),
    );
    for (k, v) in &r.headers {
        head.push_str(k);
        head.push_str(": ");
        head.push_str(v);
        head.push_str("\r\n");
    }
    head.push_str(if keep_alive {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    let mut out = head.into_bytes();
    out.extend_from_slice(&r.body);
    stream.write_all(&out)?;
    stream.flush()
}

pub fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        202 => "Accepted",
        400 => "Bad Request",
        401 => "Unauthorized",
        403 => "Forbidden",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        409 => "Conflict",
        411 => "Length Required",
        413 => "Content Too Large",
        415 => "Unsupported Media Type",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        501 => "Not Implemented",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Status",
    }
}

/// Decodes standard base64 (with or without padding); `None` for anything else.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.trim_end_matches('=');
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
            acc &= (1 << bits) - 1;
        }
    }
    // A single leftover symbol (6 bits) cannot end valid base64.
    if bits >= 6 {
        return None;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base64_round_trips_the_rfc_examples() {
        for (enc, dec) in [
            ("", ""),
            ("Zg==", "f"),
            ("Zm8=", "fo"),
            ("Zm9v", "foo"),
            ("Zm9vYg==", "foob"),
            ("Zm9vYmE=", "fooba"),
            ("Zm9vYmFy", "foobar"),
            ("bmVvNGo6dmVyeXNlY3JldA==", "neo4j:verysecret"),
        ] {
            assert_eq!(base64_decode(enc).as_deref(), Some(dec.as_bytes()), "{enc}");
        }
        assert_eq!(base64_decode("not-proper-base64"), None);
        assert_eq!(base64_decode("Z"), None);
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("/db/neo4j").as_deref(), Some("/db/neo4j"));
        assert_eq!(percent_decode("/a%20b").as_deref(), Some("/a b"));
        assert_eq!(percent_decode("/a%2"), None);
        assert_eq!(percent_decode("/a%zz"), None);
        assert_eq!(percent_decode("/%ff"), None);
    }
}
