//! An RFC 4180 CSV record reader over a file held in memory: quoted fields with `""` escapes
//! and embedded newlines, `\n` or `\r\n` line ends, a configurable one-byte delimiter. It
//! tells a quoted empty field (`""`, an empty string) from an unquoted one (no value), as
//! neo4j-admin does, and reports the line each record starts on.

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
        }
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
        let start_line = self.line;
        loop {
            // At the start of a field.
            if bytes.get(self.pos) == Some(&b'"') {
                let open_line = self.line;
                let mut i = self.pos + 1;
                let mut owned: Option<String> = None;
                let mut seg = i;
                loop {
                    match bytes.get(i) {
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
