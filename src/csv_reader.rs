//! An RFC 4180 CSV record reader over text in memory: quoted fields with `""` escapes and
//! embedded newlines, `\n` or `\r\n` line ends, a configurable one-byte delimiter. It tells a
//! quoted empty field (`""`, an empty string) from an unquoted one (no value), as neo4j-admin
//! does, and reports the line each record starts on. The text may be a whole file or a window
//! of one ([`CsvReader::window`]): then a record that reaches the window's end is left for the
//! next window, which starts where [`CsvReader::offset`] says.

use std::borrow::Cow;

/// One field of a record.
#[derive(Clone, Debug, PartialEq)]
pub struct Field<'a> {
    pub text: Cow<'a, str>,
    pub quoted: bool,
}

impl Field<'_> {
    /// True for an unquoted empty field: neo4j-admin's "no value".
    pub fn is_absent(&self) -> bool {
        !self.quoted && self.text.is_empty()
    }
}

pub struct CsvReader<'a> {
    text: &'a str,
    pos: usize,
    line: usize,
    delim: u8,
    /// More text follows `text` (a window of a longer file): a record that reaches the end of
    /// `text` is not complete.
    more: bool,
}

impl<'a> CsvReader<'a> {
    /// `delim` must be ASCII (checked by the caller). A leading byte-order mark is skipped.
    pub fn new(text: &'a str, delim: u8) -> Self {
        let pos = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
        CsvReader {
            text,
            pos,
            line: 1,
            delim,
            more: false,
        }
    }

    /// A reader of a window of a file: `text` starts at a record on `line` (no byte-order mark
    /// is looked for), and unless `last` more of the file follows it. Then a record that
    /// reaches the end of `text` is not read: [`CsvReader::next_record`] returns `None` and
    /// [`CsvReader::offset`] and [`CsvReader::line`] say where that record starts.
    pub fn window(text: &'a str, delim: u8, line: usize, last: bool) -> Self {
        CsvReader {
            text,
            pos: 0,
            line,
            delim,
            more: !last,
        }
    }

    /// The bytes of the text read: the start of the next record.
    pub fn offset(&self) -> usize {
        self.pos
    }

    /// The line the next record starts on (or a blank line before it).
    pub fn line(&self) -> usize {
        self.line
    }

    /// In a window with more text after it: the record that started at (`pos`, `line`) reached
    /// the end of the text, so it is left for the next window.
    fn unfinished(&mut self, pos: usize, line: usize) -> Option<Result<usize, (usize, String)>> {
        self.pos = pos;
        self.line = line;
        None
    }

    /// Reads the next non-blank record into `fields`. Returns the line it starts on, `None` at
    /// the end, or an error naming the line and the problem. After an error the reader has
    /// skipped to the start of the next line so reading may continue (`--skip-bad`).
    pub fn next_record(
        &mut self,
        fields: &mut Vec<Field<'a>>,
    ) -> Option<Result<usize, (usize, String)>> {
        fields.clear();
        let bytes = self.text.as_bytes();
        // Skip blank lines.
        loop {
            match bytes.get(self.pos) {
                None => return None,
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                }
                Some(b'\r') if bytes.get(self.pos + 1) == Some(&b'\n') => {
                    self.pos += 2;
                    self.line += 1;
                }
                _ => break,
            }
        }
        let (start_pos, start_line) = (self.pos, self.line);
        loop {
            // At the start of a field.
            if bytes.get(self.pos) == Some(&b'"') {
                let open_line = self.line;
                let mut i = self.pos + 1;
                let mut owned: Option<String> = None;
                let mut seg = i;
                loop {
                    match bytes.get(i) {
                        None if self.more => return self.unfinished(start_pos, start_line),
                        None => {
                            self.pos = bytes.len();
                            return Some(Err((
                                open_line,
                                "unterminated quoted field (a `\"` opened here is never closed)"
                                    .into(),
                            )));
                        }
                        Some(b'"') if bytes.get(i + 1) == Some(&b'"') => {
                            let s = owned.get_or_insert_with(String::new);
                            s.push_str(&self.text[seg..=i]);
                            i += 2;
                            seg = i;
                        }
                        Some(b'"') => break,
                        Some(b'\n') => {
                            self.line += 1;
                            i += 1;
                        }
                        Some(_) => i += 1,
                    }
                }
                let text = match owned {
                    Some(mut s) => {
                        s.push_str(&self.text[seg..i]);
                        Cow::Owned(s)
                    }
                    None => Cow::Borrowed(&self.text[seg..i]),
                };
                fields.push(Field { text, quoted: true });
                self.pos = i + 1;
                let at_end = match bytes.get(self.pos) {
                    None => true,
                    Some(&b) if b == self.delim || b == b'\n' => false,
                    Some(b'\r') if bytes.get(self.pos + 1) == Some(&b'\n') => false,
                    // An error, which skips the rest of its line: the line must be whole.
                    Some(_) => !bytes[self.pos..].contains(&b'\n'),
                };
                if at_end && self.more {
                    return self.unfinished(start_pos, start_line);
                }
                match bytes.get(self.pos) {
                    None => return Some(Ok(start_line)),
                    Some(&b) if b == self.delim => self.pos += 1,
                    Some(b'\n') => {
                        self.pos += 1;
                        self.line += 1;
                        return Some(Ok(start_line));
                    }
                    Some(b'\r') if bytes.get(self.pos + 1) == Some(&b'\n') => {
                        self.pos += 2;
                        self.line += 1;
                        return Some(Ok(start_line));
                    }
                    Some(_) => {
                        let line = self.line;
                        self.skip_line();
                        return Some(Err((
                            line,
                            format!(
                                "unexpected text after the closing quote of field {} (quotes inside a quoted field must be doubled: \"\")",
                                fields.len()
                            ),
                        )));
                    }
                }
            } else {
                let start = self.pos;
                let mut i = start;
                while let Some(&b) = bytes.get(i) {
                    if b == self.delim
                        || b == b'\n'
                        || b == b'\r' && bytes.get(i + 1) == Some(&b'\n')
                    {
                        break;
                    }
                    i += 1;
                }
                fields.push(Field {
                    text: Cow::Borrowed(&self.text[start..i]),
                    quoted: false,
                });
                match bytes.get(i) {
                    None if self.more => return self.unfinished(start_pos, start_line),
                    None => {
                        self.pos = i;
                        return Some(Ok(start_line));
                    }
                    Some(&b) if b == self.delim => self.pos = i + 1,
                    Some(b'\n') => {
                        self.pos = i + 1;
                        self.line += 1;
                        return Some(Ok(start_line));
                    }
                    Some(_) => {
                        self.pos = i + 2;
                        self.line += 1;
                        return Some(Ok(start_line));
                    }
                }
            }
        }
    }

    fn skip_line(&mut self) {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.pos) {
            self.pos += 1;
            if b == b'\n' {
                self.line += 1;
                return;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    type Record = Result<(usize, Vec<(String, bool)>), (usize, String)>;

    fn read_all(s: &str) -> Vec<Record> {
        let mut r = CsvReader::new(s, b',');
        let mut fields = Vec::new();
        let mut out = Vec::new();
        while let Some(res) = r.next_record(&mut fields) {
            out.push(res.map(|line| {
                (
                    line,
                    fields
                        .iter()
                        .map(|f| (f.text.to_string(), f.quoted))
                        .collect(),
                )
            }));
        }
        out
    }

    #[test]
    fn rfc4180_quoting() {
        let recs = read_all("a,\"b,c\",\"d\"\"e\"\r\n\n\"multi\nline\",,\"\"\nlast");
        let r0 = recs[0].as_ref().unwrap();
        assert_eq!(r0.0, 1);
        assert_eq!(r0.1[1], ("b,c".to_string(), true));
        assert_eq!(r0.1[2], ("d\"e".to_string(), true));
        let r1 = recs[1].as_ref().unwrap();
        assert_eq!(r1.0, 3);
        assert_eq!(r1.1[0].0, "multi\nline");
        assert_eq!(r1.1[1], (String::new(), false));
        assert_eq!(r1.1[2], (String::new(), true));
        let r2 = recs[2].as_ref().unwrap();
        assert_eq!(r2.0, 5);
        assert_eq!(r2.1, vec![("last".to_string(), false)]);
    }

    /// Every record, read through windows cut at every byte: the same as the whole text.
    #[test]
    fn windows_read_what_the_whole_text_reads() {
        let text = "a,\"b,c\",\"d\"\"e\"\r\n\n\"multi\nline\",,\"\"\n\"x\"y,z\nc,d\r\n\"open,e\n";
        let whole = read_all(text);
        for cut in 0..text.len() {
            let mut out = Vec::new();
            let (mut from, mut line) = (0, 1);
            for (end, last) in [(cut, false), (text.len(), true)] {
                let mut r = CsvReader::window(&text[from..end], b',', line, last);
                let mut fields = Vec::new();
                while let Some(res) = r.next_record(&mut fields) {
                    out.push(res.map(|line| {
                        let f = fields.iter().map(|f| (f.text.to_string(), f.quoted));
                        (line, f.collect())
                    }));
                }
                (from, line) = (from + r.offset(), r.line());
            }
            assert_eq!(out, whole, "cut at {cut}");
        }
    }

    #[test]
    fn errors_name_the_line_and_recover() {
        let recs = read_all("a,b\n\"x\"y,z\nc,d\n\"open,e\n");
        assert_eq!(recs[1].as_ref().unwrap_err().0, 2);
        assert_eq!(recs[2].as_ref().unwrap().1[0].0, "c");
        let e = recs[3].as_ref().unwrap_err();
        assert_eq!(e.0, 4);
        assert!(e.1.contains("unterminated"));
    }
}
