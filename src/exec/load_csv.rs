//! LOAD CSV: one row per record of a local CSV file named by a `file:` URL or a path, as a
//! list of strings or, `WITH HEADERS`, a map keyed by the first line. An unquoted empty field
//! is null; `""` is the empty string. The file is read as the rows are pulled, through the
//! import's sliding [`Window`], so a load of any size holds one window (about 1 MiB) and the
//! rows parsed from it, and `CALL { … } IN TRANSACTIONS` over it runs in the memory of a batch.
//! The source is read without blocking (a FIFO with no writer waits, checking the statement's
//! cancel flag and deadline) and no record may exceed [`MAX_LINE_BYTES`] (so `/dev/zero` is an
//! error, not all of memory).

use std::collections::{BTreeMap, VecDeque};
use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use crate::ast::Expr;
use crate::csv_reader::CsvReader;
use crate::error::{Error, ErrorClass, Phase, QueryError, Result};
use crate::exec::{BoxOp, ExecCtx, Operator, Row};
use crate::import::window::Window;
use crate::value::Value;

pub struct LoadCsv<'p> {
    pub input: BoxOp<'p>,
    pub source: &'p Expr,
    pub cols: &'p [String],
    pub headers: bool,
    pub delimiter: u8,
    /// The slot of [`POSITION`] in an input row (an earlier LOAD CSV's), overwritten; else
    /// the position is a new last column.
    pub position: Option<usize>,
    /// The input row being fanned out, and the records of its file not yet returned.
    pub current: Option<(Row, CsvRows)>,
}

pub(crate) use crate::expr::csv_position::{position_of, POSITION};

/// Makes the context's position the one a row carries (a subquery run for that row).
pub(crate) fn restore_position(ctx: &ExecCtx<'_>, value: &Value) {
    if let Some((line, Value::String(file))) = position_of(Some(value)) {
        ctx.set_csv_position(line, &Arc::from(file.as_str()));
    }
}

impl Operator for LoadCsv<'_> {
    fn next(&mut self, ctx: &mut ExecCtx<'_>) -> Result<Option<Row>> {
        loop {
            if let Some((row, rows)) = &mut self.current {
                let failed = |e| match e {
                    ReadError::Limit(e) => e,
                    ReadError::Failed(m) => load_error(format!("LOAD CSV: {m}"))
                        .at(self.source.span)
                        .into(),
                };
                if let Some((line, v)) = rows.next().map_err(failed)? {
                    ctx.tick()?;
                    ctx.set_csv_position(line, &rows.absolute);
                    let mut r = row.clone();
                    r.push(v);
                    let position = Value::List(vec![
                        Value::Int(line),
                        Value::String(rows.absolute.to_string()),
                    ]);
                    match self.position.and_then(|i| r.get_mut(i)) {
                        Some(slot) => *slot = position,
                        None => r.push(position),
                    }
                    return Ok(Some(r));
                }
            }
            self.current = None;
            let Some(row) = self.input.next(ctx)? else {
                return Ok(None);
            };
            let name = match ctx.eval(self.source, self.cols, &row)? {
                Value::String(s) => s,
                other => {
                    return Err(QueryError::type_error(
                        "InvalidArgumentType",
                        format!(
                            "LOAD CSV FROM expects a file URL or path as a string, got {}",
                            other.type_name()
                        ),
                    )
                    .at(self.source.span)
                    .into())
                }
            };
            let path = resolve(&name).map_err(|e| e.at(self.source.span))?;
            let rows = CsvRows::open(&path, self.delimiter, self.headers).map_err(|m| {
                load_error(format!("LOAD CSV: {}: {m}", path.display())).at(self.source.span)
            })?;
            self.current = Some((row, rows));
        }
    }
}

/// The longest record LOAD CSV accepts, in bytes.
pub const MAX_LINE_BYTES: usize = 16 << 20;

enum ReadError {
    /// The statement was cancelled, ran out of time or over its memory limit.
    Limit(Error),
    /// The file cannot be read or is malformed: the message, naming the file and line.
    Failed(String),
}

/// The records of one file, parsed a window at a time as they are asked for.
pub struct CsvRows {
    window: Window,
    path: PathBuf,
    /// `file()`: the file's absolute path.
    absolute: Arc<str>,
    /// Set by the reader when the statement's limits stopped a wait.
    stopped: Arc<Mutex<Option<Error>>>,
    delimiter: u8,
    /// `WITH HEADERS`: `Some(None)` until the header record is read.
    headers: Option<Option<Vec<String>>>,
    /// The line the next unparsed record starts on, and the records parsed so far (the
    /// header record is the first: Neo4j's `linenumber()` counts it).
    line: usize,
    records: i64,
    /// Parsed records (`linenumber()`, value) not yet returned.
    ready: VecDeque<(i64, Value)>,
    /// What stopped the parse, returned after the records before it.
    failed: Option<ReadError>,
    done: bool,
}

impl CsvRows {
    fn open(path: &Path, delimiter: u8, headers: bool) -> std::result::Result<Self, String> {
        use std::os::unix::fs::OpenOptionsExt;
        // Non-blocking, so that opening a FIFO does not wait for a writer.
        let file = std::fs::OpenOptions::new()
            .read(true)
            .custom_flags(libc::O_NONBLOCK)
            .open(path)
            .map_err(|e| format!("cannot read it: {e}"))?;
        let stopped = Arc::new(Mutex::new(None));
        let reader = Polled {
            file,
            stopped: Arc::clone(&stopped),
        };
        let absolute = std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf());
        Ok(CsvRows {
            window: Window::over(path, Box::new(reader), MAX_LINE_BYTES),
            path: path.to_path_buf(),
            absolute: absolute.to_string_lossy().into(),
            stopped,
            delimiter,
            headers: headers.then_some(None),
            line: 1,
            records: 0,
            ready: VecDeque::new(),
            failed: None,
            done: false,
        })
    }

    fn next(&mut self) -> std::result::Result<Option<(i64, Value)>, ReadError> {
        loop {
            if let Some(r) = self.ready.pop_front() {
                return Ok(Some(r));
            }
            if let Some(e) = self.failed.take() {
                self.done = true;
                return Err(e);
            }
            if self.done {
                return Ok(None);
            }
            if let Err(e) = self.fill() {
                self.failed = Some(e);
            }
        }
    }

    fn too_long(&self, line: usize) -> ReadError {
        ReadError::Failed(format!(
            "{}: line {line} is longer than {} MiB, the most LOAD CSV reads in one line",
            self.path.display(),
            MAX_LINE_BYTES >> 20
        ))
    }

    /// Reads on and parses the complete records the window holds into `ready`.
    fn fill(&mut self) -> std::result::Result<(), ReadError> {
        if self.window.text().len() >= MAX_LINE_BYTES {
            return Err(self.too_long(self.line));
        }
        if let Err(e) = self.window.read_more("record", self.line) {
            let stopped = self.stopped.lock().map(|mut s| s.take());
            return Err(match stopped {
                Ok(Some(limit)) => ReadError::Limit(limit),
                _ => ReadError::Failed(e.to_string()),
            });
        }
        let last = self.window.is_last();
        let mut reader = CsvReader::window(self.window.text(), self.delimiter, self.line, last);
        let mut fields = Vec::new();
        let mut from = 0;
        let mut result = Ok(());
        while let Some(rec) = reader.next_record(&mut fields) {
            let line = match rec {
                Ok(line) => line,
                Err((line, msg)) => {
                    result = Err(ReadError::Failed(format!(
                        "{}:{line}: {msg}",
                        self.path.display()
                    )));
                    break;
                }
            };
            if reader.offset() - from > MAX_LINE_BYTES {
                result = Err(self.too_long(line));
                break;
            }
            from = reader.offset();
            if let Err(e) = crate::memory_budget::check() {
                result = Err(ReadError::Limit(e));
                break;
            }
            self.records += 1;
            let values = fields.iter().map(|f| {
                if f.is_absent() {
                    Value::Null
                } else {
                    Value::String(f.text.to_string())
                }
            });
            let value = match &mut self.headers {
                None => Value::List(values.collect()),
                Some(names @ None) => {
                    *names = Some(fields.iter().map(|f| f.text.to_string()).collect());
                    continue;
                }
                Some(Some(names)) => {
                    let mut map: BTreeMap<String, Value> =
                        names.iter().map(|n| (n.clone(), Value::Null)).collect();
                    for (name, v) in names.iter().zip(values) {
                        map.insert(name.clone(), v);
                    }
                    Value::Map(map)
                }
            };
            self.ready.push_back((self.records, value));
        }
        self.line = reader.line();
        let used = reader.offset();
        self.window.consume(used);
        if last && result.is_ok() {
            self.done = true;
        }
        result
    }
}

/// The file, read so that a FIFO's writer is waited for in slices of 100 ms, between which the
/// statement's limits are checked (`interrupt::check`); a stop is left in `stopped` for
/// [`CsvRows::fill`] to return as the statement's error.
struct Polled {
    file: File,
    stopped: Arc<Mutex<Option<Error>>>,
}

impl Read for Polled {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        use std::os::fd::AsRawFd;
        loop {
            if let Err(e) = crate::interrupt::check() {
                if let Ok(mut s) = self.stopped.lock() {
                    *s = Some(e);
                }
                return Err(std::io::Error::other("the statement was stopped"));
            }
            let mut poll = libc::pollfd {
                fd: self.file.as_raw_fd(),
                events: libc::POLLIN,
                revents: 0,
            };
            // SAFETY: one valid pollfd for a descriptor `file` keeps open.
            if unsafe { libc::poll(&mut poll, 1, 100) } == 0 {
                continue;
            }
            match (&self.file).read(buf) {
                Err(e)
                    if matches!(
                        e.kind(),
                        std::io::ErrorKind::WouldBlock | std::io::ErrorKind::Interrupted
                    ) => {}
                r => return r,
            }
        }
    }
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

    /// Every value LOAD CSV makes of `text`, with its `linenumber()`.
    fn rows_of(text: &str, headers: bool) -> Vec<(i64, Value)> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f.csv");
        std::fs::write(&p, text).unwrap();
        let mut rows = CsvRows::open(&p, b',', headers).ok().unwrap();
        let mut out = Vec::new();
        while let Ok(Some(r)) = rows.next() {
            out.push(r);
        }
        out
    }

    #[test]
    fn records_with_and_without_headers() {
        let text = "name,age\n\"Ann, A\",31\nBob,\n";
        let rows = rows_of(text, false);
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[2],
            (
                3,
                Value::List(vec![Value::String("Bob".into()), Value::Null])
            )
        );
        let rows = rows_of(text, true);
        assert_eq!(rows.len(), 2);
        let (2, Value::Map(m)) = &rows[0] else {
            panic!("expected line 2 and a map, got {:?}", rows[0]);
        };
        assert_eq!(m.get("name"), Some(&Value::String("Ann, A".into())));
        assert_eq!(m.get("age"), Some(&Value::String("31".into())));
        let (3, Value::Map(m)) = &rows[1] else {
            panic!("expected line 3 and a map, got {:?}", rows[1]);
        };
        assert_eq!(m.get("age"), Some(&Value::Null));
    }

    /// Records across many windows (the file is several MiB): every one, in order, with a
    /// quoted field that holds a line end counted as one record.
    #[test]
    fn a_file_larger_than_the_window_streams_whole() {
        let mut text = String::from("id,note\n");
        for i in 0..200_000 {
            text.push_str(&format!("{i},\"note {i}, with a comma\"\n"));
        }
        text.push_str("x,\"two\nlines\"\nlast,\n");
        let rows = rows_of(&text, true);
        assert_eq!(rows.len(), 200_002);
        for (k, (line, v)) in rows.iter().enumerate().take(200_000) {
            assert_eq!(*line, k as i64 + 2);
            let Value::Map(m) = v else { panic!("{v:?}") };
            assert_eq!(m.get("id"), Some(&Value::String(k.to_string())));
        }
        let (line, Value::Map(m)) = &rows[200_000] else {
            panic!()
        };
        assert_eq!(*line, 200_002);
        assert_eq!(m.get("note"), Some(&Value::String("two\nlines".into())));
        assert_eq!(rows[200_001].0, 200_003);
    }

    /// A malformed record comes after the records before it, naming its file and line.
    #[test]
    fn an_error_follows_the_good_records_and_names_its_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("bad.csv");
        std::fs::write(&p, "a\nb\n\"c\"d\ne\n").unwrap();
        let mut rows = CsvRows::open(&p, b',', false).ok().unwrap();
        assert!(matches!(rows.next(), Ok(Some((1, _)))));
        assert!(matches!(rows.next(), Ok(Some((2, _)))));
        match rows.next() {
            Err(ReadError::Failed(m)) => assert!(m.contains("bad.csv:3: unexpected text"), "{m}"),
            _ => panic!("expected the error of line 3"),
        }
        assert!(matches!(rows.next(), Ok(None)));
    }
}
