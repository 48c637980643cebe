//! LOAD CSV: one row per record of a local CSV file named by a `file:` URL or a path, as a
//! list of strings or, `WITH HEADERS`, a map keyed by the first line. An unquoted empty field
//! is null; `""` is the empty string. The source is read without blocking (a FIFO with no
//! writer waits, checking the statement's cancel flag and deadline) and no line may exceed
//! [`MAX_LINE_BYTES`] (so `/dev/zero` is an error, not all of memory).

use std::collections::BTreeMap;
use std::path::PathBuf;

use crate::ast::Expr;
use crate::csv_reader::CsvReader;
use crate::error::{ErrorClass, Phase, QueryError, Result};
use crate::exec::project::Fanout;
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::value::Value;

pub struct LoadCsv<'p> {
    pub input: BoxOp<'p>,
    pub source: &'p Expr,
    pub cols: &'p [String],
    pub headers: bool,
    pub delimiter: u8,
    pub fanout: Fanout,
}

impl Operator for LoadCsv<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        let (source, cols, headers, delimiter) =
            (self.source, self.cols, self.headers, self.delimiter);
        self.fanout.next(ctx, &mut self.input, |ctx, row| {
            let name = match ctx.eval(source, cols, row)? {
                Value::String(s) => s,
                other => {
                    return Err(QueryError::type_error(
                        "InvalidArgumentType",
                        format!(
                            "LOAD CSV FROM expects a file URL or path as a string, got {}",
                            other.type_name()
                        ),
                    )
                    .at(source.span)
                    .into())
                }
            };
            let path = resolve(&name).map_err(|e| e.at(source.span))?;
            let text = read_source(&path).map_err(|e| match e {
                ReadError::Limit(e) => e,
                ReadError::Failed(m) => load_error(format!("LOAD CSV: {}: {m}", path.display()))
                    .at(source.span)
                    .into(),
            })?;
            records(&text, delimiter, headers)
                .map(Into::into)
                .map_err(|e| match e {
                    ReadError::Limit(e) => e,
                    ReadError::Failed(msg) => {
                        load_error(format!("LOAD CSV: {}:{msg}", path.display()))
                            .at(source.span)
                            .into()
                    }
                })
        })
    }
}

/// The longest line LOAD CSV accepts, in bytes.
pub const MAX_LINE_BYTES: usize = 16 << 20;

enum ReadError {
    /// The statement was cancelled or ran out of time.
    Limit(crate::error::Error),
    Failed(String),
}

/// The text of `path`, read in chunks: a FIFO's writer is waited for in slices of 100 ms,
/// between which the statement's limits are checked (`interrupt::check`), and a line longer
/// than [`MAX_LINE_BYTES`] stops the read.
fn read_source(path: &std::path::Path) -> std::result::Result<String, ReadError> {
    use std::io::Read;
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::OpenOptionsExt;
    // Non-blocking, so that opening a FIFO does not wait for a writer.
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(|e| ReadError::Failed(format!("cannot read it: {e}")))?;
    let mut text = Vec::new();
    let mut chunk = vec![0u8; 64 << 10];
    let (mut line, mut line_len) = (1usize, 0usize);
    loop {
        crate::interrupt::check().map_err(ReadError::Limit)?;
        let mut poll = libc::pollfd {
            fd: file.as_raw_fd(),
            events: libc::POLLIN,
            revents: 0,
        };
        // SAFETY: one valid pollfd for a descriptor `file` keeps open.
        if unsafe { libc::poll(&mut poll, 1, 100) } == 0 {
            continue;
        }
        let n = match (&file).read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
                ) =>
            {
                continue
            }
            Err(e) => return Err(ReadError::Failed(format!("cannot read it: {e}"))),
        };
        for &b in &chunk[..n] {
            if b == b'\n' {
                line += 1;
                line_len = 0;
            } else {
                line_len += 1;
            }
        }
        if line_len > MAX_LINE_BYTES {
            return Err(ReadError::Failed(format!(
                "line {line} is longer than {} MiB, the most LOAD CSV reads in one line",
                MAX_LINE_BYTES >> 20
            )));
        }
        text.extend_from_slice(&chunk[..n]);
    }
    String::from_utf8(text).map_err(|e| {
        let upto = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..upto].iter().filter(|b| **b == b'\n').count() + 1;
        ReadError::Failed(format!("line {line}: invalid UTF-8 at byte {upto}"))
    })
}

fn load_error(message: String) -> QueryError {
    QueryError::new(
        ErrorClass::ArgumentError,
        "LoadCsvFailed",
        Phase::Runtime,
        message,
    )
}

/// The local file a LOAD CSV source names: `file:///abs/path`, `file:rel/path`, or a plain
/// path (relative to the working directory). Percent escapes in URLs are decoded.
fn resolve(source: &str) -> std::result::Result<PathBuf, QueryError> {
    let lower = source.to_ascii_lowercase();
    if ["http://", "https://", "ftp://", "s3://", "gs://"]
        .iter()
        .any(|p| lower.starts_with(p))
    {
        return Err(QueryError::new(
            ErrorClass::Unsupported,
            "Unsupported",
            Phase::Runtime,
            "not supported: LOAD CSV from a remote URL (download the file and LOAD CSV FROM its path)",
        ));
    }
    let Some(rest) = lower.starts_with("file:").then(|| &source[5..]) else {
        return Ok(PathBuf::from(source));
    };
    // file:///abs → /abs; file://rel (FalkorDB's spelling) and file:rel → rel.
    let path = match rest.strip_prefix("//") {
        Some(after) if after.starts_with('/') => after,
        Some(after) => after,
        None => rest,
    };
    percent_decode(path)
        .map(PathBuf::from)
        .ok_or_else(|| load_error(format!("LOAD CSV: malformed percent escape in {source:?}")))
}

fn percent_decode(s: &str) -> Option<String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Every record of `text` as a value; `Failed("LINE: message")` for a malformed record,
/// `Limit` when the rows pass the statement's memory limit (checked every record: all of a
/// file's rows are built before the first is returned).
fn records(text: &str, delimiter: u8, headers: bool) -> std::result::Result<Vec<Value>, ReadError> {
    let mut reader = CsvReader::new(text, delimiter);
    let mut fields = Vec::new();
    let mut names: Option<Vec<String>> = None;
    let mut out = Vec::new();
    while let Some(rec) = reader.next_record(&mut fields) {
        rec.map_err(|(line, msg)| ReadError::Failed(format!("{line}: {msg}")))?;
        crate::memory_budget::check().map_err(ReadError::Limit)?;
        let values = fields.iter().map(|f| {
            if f.is_absent() {
                Value::Null
            } else {
                Value::String(f.text.to_string())
            }
        });
        if !headers {
            out.push(Value::List(values.collect()));
            continue;
        }
        match &names {
            None => names = Some(fields.iter().map(|f| f.text.to_string()).collect()),
            Some(names) => {
                let mut map: BTreeMap<String, Value> =
                    names.iter().map(|n| (n.clone(), Value::Null)).collect();
                for (name, v) in names.iter().zip(values) {
                    map.insert(name.clone(), v);
                }
                out.push(Value::Map(map));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_urls_and_paths() {
        assert_eq!(
            resolve("file:///tmp/a%20b.csv").ok(),
            Some("/tmp/a b.csv".into())
        );
        assert_eq!(resolve("file://data/x.csv").ok(), Some("data/x.csv".into()));
        assert_eq!(resolve("file:x.csv").ok(), Some("x.csv".into()));
        assert_eq!(resolve("rel/x.csv").ok(), Some("rel/x.csv".into()));
        assert!(resolve("https://example.com/x.csv").is_err());
        assert!(resolve("file:///bad%zz").is_err());
    }

    #[test]
    fn records_with_and_without_headers() {
        let text = "name,age\n\"Ann, A\",31\nBob,\n";
        let rows = records(text, b',', false).ok().unwrap_or_default();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[2],
            Value::List(vec![Value::String("Bob".into()), Value::Null])
        );
        let rows = records(text, b',', true).ok().unwrap_or_default();
        assert_eq!(rows.len(), 2);
        let Value::Map(m) = &rows[0] else {
            panic!("expected a map, got {:?}", rows[0]);
        };
        assert_eq!(m.get("name"), Some(&Value::String("Ann, A".into())));
        assert_eq!(m.get("age"), Some(&Value::String("31".into())));
        let Value::Map(m) = &rows[1] else {
            panic!("expected a map, got {:?}", rows[1]);
        };
        assert_eq!(m.get("age"), Some(&Value::Null));
    }
}
