//! An import file read through a window of UTF-8 text that slides forward, so no file is ever
//! held whole: a reader (CSV records, XML tokens, JSONL lines) parses the complete pieces the
//! window holds, says how many bytes it used, and asks for more. The window grows only while one
//! piece is longer than it, and a piece longer than the import's bound is an error naming its
//! line, so `/dev/zero` or a quote never closed cannot take all of memory.

use std::fs::File;
use std::io::Read;
use std::path::{Path, PathBuf};

use crate::csv_reader::{CsvReader, Field};
use crate::error::{Error, Result};

/// What one read from the file asks for: large enough that the per-read costs (a system call,
/// moving the unused tail to the front) vanish, small enough not to matter beside a batch.
const CHUNK: usize = 1 << 20;

/// The longest line, record or XML token an import reads by default (`ImportOptions::max_line`).
pub const MAX_LINE_BYTES: usize = 64 << 20;

pub struct Window {
    path: PathBuf,
    /// The file, or any reader of one (LOAD CSV's waits on a FIFO and checks the statement's
    /// limits between waits); `path` names it in messages.
    file: Box<dyn Read + Send>,
    /// Checked text: `text[used..]` is what the reader has not used yet.
    text: String,
    used: usize,
    /// The bytes of a character cut by the last read (at most 3), completed by the next.
    partial: Vec<u8>,
    eof: bool,
    /// Whether the start of the file was looked at for a byte-order mark.
    bom_checked: bool,
    /// Line (1-based) and column (in characters, 0-based) at `text[0]`, for UTF-8 errors.
    line: usize,
    column: usize,
    /// The bytes of the file before `text[0]`.
    offset: u64,
    max: usize,
    scratch: Vec<u8>,
}

impl Window {
    /// Opens `path`; nothing is read until [`Window::read_more`]. `max` bounds one piece.
    pub fn open(path: &Path, max: usize) -> Result<Self> {
        let file = File::open(path)
            .map_err(|e| Error::Io(format!("cannot read {}: {e}", path.display())))?;
        Ok(Self::over(path, Box::new(file), max))
    }

    /// A window over `file`, already open, whose messages name `path`.
    pub fn over(path: &Path, file: Box<dyn Read + Send>, max: usize) -> Self {
        Window {
            path: path.to_path_buf(),
            file,
            text: String::new(),
            used: 0,
            partial: Vec::new(),
            eof: false,
            bom_checked: false,
            line: 1,
            column: 0,
            offset: 0,
            max: max.max(1),
            scratch: Vec::new(),
        }
    }

    /// The text read and not used yet. A byte-order mark at the start of the file is not part
    /// of it.
    pub fn text(&self) -> &str {
        &self.text[self.used..]
    }

    /// True once the file is read to its end: [`Window::text`] is all that is left.
    pub fn is_last(&self) -> bool {
        self.eof
    }

    /// The first `n` bytes of [`Window::text`] are done with (`n` at a character boundary).
    pub fn consume(&mut self, n: usize) {
        self.used = (self.used + n).min(self.text.len());
    }

    /// Reads on. `Ok(false)` when the file had already ended. `what` names the piece the
    /// reader is waiting to complete ("line", "record", "XML token"), and `line` where it
    /// starts, for the error when the unused text has reached the bound.
    pub fn read_more(&mut self, what: &str, line: usize) -> Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let pending = self.text.len() - self.used;
        if pending >= self.max {
            // Not complete in `max` bytes: longer than the bound.
            return Err(self.too_long(what, line));
        }
        self.drop_used();
        // A piece longer than a chunk is read on in steps as long as itself, so completing it
        // rescans it a bounded number of times, not once per chunk.
        let want = CHUNK.max(pending.min(self.max));
        self.scratch.clear();
        self.scratch.append(&mut self.partial);
        let start = self.scratch.len();
        self.scratch.resize(start + want, 0);
        let mut got = start;
        while got < self.scratch.len() {
            match self.file.read(&mut self.scratch[got..]) {
                Ok(0) => {
                    self.eof = true;
                    break;
                }
                Ok(n) => got += n,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
                Err(e) => {
                    return Err(Error::Io(format!(
                        "cannot read {}: {e}",
                        self.path.display()
                    )))
                }
            }
        }
        self.scratch.truncate(got);
        let mut bytes = &self.scratch[..];
        // The read fills its buffer unless the file ends, so the first holds the whole mark.
        if !self.bom_checked {
            self.bom_checked = true;
            if let Some(rest) = bytes.strip_prefix("\u{FEFF}".as_bytes()) {
                bytes = rest;
                self.offset = 3;
            }
        }
        let checked = match std::str::from_utf8(bytes) {
            Ok(s) => s,
            Err(e) if e.error_len().is_none() && !self.eof => {
                // A character cut by the end of this read: keep its bytes for the next.
                let (good, cut) = bytes.split_at(e.valid_up_to());
                self.partial.extend_from_slice(cut);
                std::str::from_utf8(good).unwrap_or_default()
            }
            Err(e) => return Err(self.bad_utf8(&bytes[..e.valid_up_to()])),
        };
        self.text.push_str(checked);
        Ok(true)
    }

    /// The error for a piece (`what`, starting on `line`) longer than the bound: the same
    /// whether the window held it whole or not.
    pub fn too_long(&self, what: &str, line: usize) -> Error {
        Error::Io(format!(
            "{}:{line}: the {what} starting here is longer than {}, the most an import reads \
             at once (is a quote or an element never closed, or is the file not text?)",
            self.path.display(),
            size(self.max),
        ))
    }

    pub fn max(&self) -> usize {
        self.max
    }

    /// Drops the used text, counting its lines so later errors still say where they are.
    fn drop_used(&mut self) {
        let gone = &self.text.as_bytes()[..self.used];
        match gone.iter().rposition(|&b| b == b'\n') {
            Some(last) => {
                self.line += gone.iter().filter(|&&b| b == b'\n').count();
                self.column = chars(&gone[last + 1..]);
            }
            None => self.column += chars(gone),
        }
        self.offset += self.used as u64;
        self.text.drain(..self.used);
        self.used = 0;
    }

    /// The error for invalid UTF-8 right after `good` (the valid start of the bytes just read).
    fn bad_utf8(&self, good: &[u8]) -> Error {
        let mut line = self.line;
        let mut column = self.column;
        for part in [self.text.as_bytes(), good] {
            match part.iter().rposition(|&b| b == b'\n') {
                Some(last) => {
                    line += part.iter().filter(|&&b| b == b'\n').count();
                    column = chars(&part[last + 1..]);
                }
                None => column += chars(part),
            }
        }
        let byte = self.offset + (self.text.len() + good.len()) as u64;
        Error::Io(format!(
            "{}:{line}:{}: invalid UTF-8 at byte {byte} (is the file cut short, or not text?)",
            self.path.display(),
            column + 1
        ))
    }
}

/// The characters of valid UTF-8 bytes (those that are not continuation bytes).
fn chars(bytes: &[u8]) -> usize {
    bytes.iter().filter(|&&b| (b as i8) >= -0x40).count()
}

fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 && bytes.is_multiple_of(1 << 20) {
        format!("{} MiB", bytes >> 20)
    } else {
        format!("{bytes} bytes")
    }
}

/// Calls `each(line_number, line)` for every line of `path` (without its `\n` or `\r\n`), in
/// order, reading it through a [`Window`]; a line longer than `max` bytes is an error.
pub fn for_each_line(
    path: &Path,
    max: usize,
    mut each: impl FnMut(usize, &str) -> Result<()>,
) -> Result<()> {
    let mut w = Window::open(path, max)?;
    let mut line = 1;
    loop {
        w.read_more("line", line)?;
        let text = w.text();
        let last = w.is_last();
        let mut used = 0;
        while let Some(end) = text[used..].find('\n') {
            let l = &text[used..used + end];
            if l.len() > w.max() {
                return Err(w.too_long("line", line));
            }
            each(line, l.strip_suffix('\r').unwrap_or(l))?;
            line += 1;
            used += end + 1;
        }
        if last {
            let l = &text[used..];
            if l.len() > w.max() {
                return Err(w.too_long("line", line));
            }
            if !l.is_empty() {
                each(line, l.strip_suffix('\r').unwrap_or(l))?;
            }
            used = text.len();
        }
        w.consume(used);
        if last {
            break;
        }
    }
    Ok(())
}

/// Calls `each` for every CSV record of `path` in order: `Ok(line)` with the record's fields,
/// or `Err((line, reason))` for a malformed record (reading goes on after it). `each` returns
/// `Ok(false)` to stop. A record longer than `max` bytes is an error.
pub fn for_each_record(
    path: &Path,
    delim: u8,
    max: usize,
    mut each: impl FnMut(std::result::Result<usize, (usize, String)>, &[Field<'_>]) -> Result<bool>,
) -> Result<()> {
    let mut w = Window::open(path, max)?;
    let mut line = 1;
    loop {
        w.read_more("record", line)?;
        let last = w.is_last();
        let mut reader = CsvReader::window(w.text(), delim, line, last);
        // The fields borrow this window's text: a new list for each window.
        let mut fields = Vec::new();
        let mut from = 0;
        while let Some(rec) = reader.next_record(&mut fields) {
            if reader.offset() - from > w.max() {
                let line = match &rec {
                    Ok(line) | Err((line, _)) => *line,
                };
                return Err(w.too_long("record", line));
            }
            from = reader.offset();
            if !each(rec, &fields)? {
                return Ok(());
            }
        }
        let used = reader.offset();
        line = reader.line();
        w.consume(used);
        if last {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(bytes: &[u8], max: usize) -> Result<Vec<(usize, String)>> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, bytes).unwrap();
        let mut out = Vec::new();
        for_each_line(&p, max, |n, l| {
            out.push((n, l.to_string()));
            Ok(())
        })?;
        Ok(out)
    }

    #[test]
    fn lines_across_many_reads() {
        // Lines longer than a chunk, a character cut at a chunk's end, CR LF and no final LF.
        let long = "é".repeat(CHUNK / 2 + 7);
        let text = format!("\u{FEFF}a\r\n{long}\n\nb{long}x\nlast");
        let got = lines_of(text.as_bytes(), 1 << 30).unwrap();
        let want: Vec<(usize, String)> = vec![
            (1, "a".into()),
            (2, long.clone()),
            (3, String::new()),
            (4, format!("b{long}x")),
            (5, "last".into()),
        ];
        assert_eq!(got, want);
    }

    #[test]
    fn a_line_past_the_bound_and_bad_utf8_name_their_line() {
        let mut text = b"ok\nfine\n".to_vec();
        text.extend(std::iter::repeat_n(b'z', 3 * CHUNK));
        let e = lines_of(&text, CHUNK).unwrap_err().to_string();
        assert!(
            e.contains(":3: the line starting here is longer than 1 MiB"),
            "{e}"
        );
        let e = lines_of(b"one\ntw\xffo\n", 1 << 20)
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:3: invalid UTF-8 at byte 6"), "{e}");
        // A file cut inside a character.
        let e = lines_of("a\nb智".as_bytes().split_last().unwrap().1, 1 << 20)
            .unwrap_err()
            .to_string();
        assert!(e.contains(":2:2: invalid UTF-8 at byte 3"), "{e}");
    }
}
