//! Splits script text into statements (ended by `;`) and meta commands (`:cmd` on its own
//! line), respecting strings, backticks, `//` and `/* */` comments and brackets, and keeping
//! byte offsets so errors can be reported as line:col of the whole file.
//!
//! The splitter is incremental: text may be appended to the source between calls to
//! [`Splitter::feed`], so statements piped in on stdin run as soon as their `;` arrives.

/// What a piece of the source is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PieceKind {
    /// A Cypher statement (without its `;`).
    Statement,
    /// A shell meta command line such as `:param x => 1`.
    Meta,
}

/// A statement or meta command: the byte range `start..end` of the source, trimmed (leading
/// comments excluded for statements).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    pub kind: PieceKind,
    pub start: usize,
    pub end: usize,
}

impl Piece {
    pub fn text<'s>(&self, source: &'s str) -> &'s str {
        &source[self.start..self.end]
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum State {
    Normal,
    /// Inside a string quoted by this byte (`'` or `"`).
    Str(u8),
    Backtick,
    LineComment,
    BlockComment,
    Meta,
}

/// Incremental splitter over an append-only source text.
#[derive(Clone, Debug)]
pub struct Splitter {
    pos: usize,
    state: State,
    depth: usize,
    /// Where the current piece's first non-comment character is, once seen.
    code_start: Option<usize>,
}

impl Default for Splitter {
    fn default() -> Self {
        Splitter::new()
    }
}

impl Splitter {
    pub fn new() -> Splitter {
        Splitter {
            pos: 0,
            state: State::Normal,
            depth: 0,
            code_start: None,
        }
    }

    /// Scans text appended since the last call; returns the pieces completed by it.
    pub fn feed(&mut self, source: &str) -> Vec<Piece> {
        self.scan(source, false)
    }

    /// Scans to the end of `source` and returns the trailing piece not ended by `;`, if any.
    pub fn finish(&mut self, source: &str) -> Vec<Piece> {
        let mut pieces = self.scan(source, true);
        if let Some(start) = self.code_start.take() {
            let kind = if self.state == State::Meta {
                PieceKind::Meta
            } else {
                PieceKind::Statement
            };
            pieces.push(trimmed(source, kind, start, source.len()));
        }
        self.state = State::Normal;
        self.depth = 0;
        pieces
    }

    /// True when no statement is in progress (nothing but whitespace and complete comments
    /// since the last piece) or only a meta command line is — the REPL's "input complete".
    pub fn is_idle(&self) -> bool {
        // A `//` comment ends with its line, so a line ending in one leaves nothing open.
        self.state == State::Meta
            || (self.code_start.is_none()
                && matches!(self.state, State::Normal | State::LineComment))
    }

    fn scan(&mut self, source: &str, last: bool) -> Vec<Piece> {
        let bytes = source.as_bytes();
        let mut pieces = Vec::new();
        let mut i = self.pos;
        while i < bytes.len() {
            let b = bytes[i];
            let next = bytes.get(i + 1).copied();
            // Two-byte tokens need their second byte; wait for more input unless at the end.
            let undecided = next.is_none() && !last;
            match self.state {
                State::Normal => match b {
                    b';' if self.depth == 0 => {
                        if let Some(start) = self.code_start.take() {
                            pieces.push(trimmed(source, PieceKind::Statement, start, i));
                        }
                    }
                    b'/' if undecided => break,
                    b'/' if next == Some(b'/') => {
                        self.state = State::LineComment;
                        i += 1;
                    }
                    b'/' if next == Some(b'*') => {
                        self.state = State::BlockComment;
                        i += 1;
                    }
                    b':' if self.code_start.is_none() => {
                        self.state = State::Meta;
                        self.code_start = Some(i);
                    }
                    b if b.is_ascii_whitespace() => {}
                    _ => {
                        self.code_start.get_or_insert(i);
                        match b {
                            b'\'' | b'"' => self.state = State::Str(b),
                            b'`' => self.state = State::Backtick,
                            b'(' | b'[' | b'{' => self.depth += 1,
                            b')' | b']' | b'}' => self.depth = self.depth.saturating_sub(1),
                            _ => {}
                        }
                    }
                },
                State::Str(q) => match b {
                    b'\\' if undecided => break,
                    b'\\' => i += 1,
                    _ if b == q => self.state = State::Normal,
                    _ => {}
                },
                State::Backtick => {
                    if b == b'`' {
                        self.state = State::Normal;
                    }
                }
                State::LineComment => {
                    if b == b'\n' {
                        self.state = State::Normal;
                    }
                }
                State::BlockComment => match b {
                    b'*' if undecided => break,
                    b'*' if next == Some(b'/') => {
                        self.state = State::Normal;
                        i += 1;
                    }
                    _ => {}
                },
                State::Meta => {
                    if b == b'\n' {
                        if let Some(start) = self.code_start.take() {
                            pieces.push(trimmed(source, PieceKind::Meta, start, i));
                        }
                        self.state = State::Normal;
                    }
                }
            }
            i += 1;
        }
        self.pos = i.min(bytes.len());
        pieces
    }
}

fn trimmed(source: &str, kind: PieceKind, start: usize, end: usize) -> Piece {
    let text = &source[start..end];
    let end = start + text.trim_end().len();
    Piece { kind, start, end }
}

/// Splits a whole text at once.
pub fn split(source: &str) -> Vec<Piece> {
    let mut s = Splitter::new();
    let mut pieces = s.feed(source);
    pieces.extend(s.finish(source));
    pieces
}

/// 1-based line and column (in characters) of a byte offset.
pub fn line_col(source: &str, offset: usize) -> (usize, usize) {
    let offset = floor_char_boundary(source, offset);
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, source[line_start..offset].chars().count() + 1)
}

/// The text of the line holding a byte offset (without its line break).
pub fn line_at(source: &str, offset: usize) -> &str {
    let offset = floor_char_boundary(source, offset);
    let start = source[..offset].rfind('\n').map_or(0, |i| i + 1);
    let end = source[offset..]
        .find('\n')
        .map_or(source.len(), |i| offset + i);
    source[start..end].trim_end_matches('\r')
}

fn floor_char_boundary(s: &str, mut i: usize) -> usize {
    i = i.min(s.len());
    while !s.is_char_boundary(i) {
        i -= 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(src: &str) -> Vec<(PieceKind, &str)> {
        split(src).iter().map(|p| (p.kind, p.text(src))).collect()
    }

    #[test]
    fn statements_and_meta_commands() {
        let src = "// intro\nCREATE (a {s: 'x;y'});\n:param n => 1\nMATCH (n) /* ; */ RETURN n // ;\n;\nRETURN `a;b`";
        assert_eq!(
            texts(src),
            vec![
                (PieceKind::Statement, "CREATE (a {s: 'x;y'})"),
                (PieceKind::Meta, ":param n => 1"),
                (PieceKind::Statement, "MATCH (n) /* ; */ RETURN n // ;"),
                (PieceKind::Statement, "RETURN `a;b`"),
            ]
        );
    }

    #[test]
    fn colon_inside_a_statement_is_not_meta() {
        let src = "MATCH (n\n:Person) RETURN n;";
        assert_eq!(
            texts(src),
            vec![(PieceKind::Statement, "MATCH (n\n:Person) RETURN n")]
        );
    }

    #[test]
    fn escapes_and_brackets_keep_the_statement_open() {
        assert_eq!(
            texts("RETURN 'it\\'s;'; RETURN [1;\n2];"),
            vec![
                (PieceKind::Statement, "RETURN 'it\\'s;'"),
                (PieceKind::Statement, "RETURN [1;\n2]"),
            ]
        );
        assert!(texts("// only a comment\n/* and another */").is_empty());
    }

    #[test]
    fn incremental_feed_emits_as_soon_as_complete() {
        let mut source = String::new();
        let mut s = Splitter::new();
        source.push_str("RETURN 1;\nRETURN '");
        let first = s.feed(&source);
        assert_eq!(first.len(), 1);
        assert!(!s.is_idle());
        source.push_str("a'\n");
        assert!(s.feed(&source).is_empty());
        source.push_str(";\n");
        let second = s.feed(&source);
        assert_eq!(second[0].text(&source), "RETURN 'a'");
        assert!(s.is_idle());
        source.push_str("// trailing comment");
        s.feed(&source);
        assert!(s.is_idle());
        assert!(s.finish(&source).is_empty());
    }

    #[test]
    fn positions() {
        let src = "a\nbc 智d\n";
        let off = src.find('d').unwrap();
        assert_eq!(line_col(src, off), (2, 5));
        assert_eq!(line_at(src, off), "bc 智d");
        assert_eq!(line_col(src, 0), (1, 1));
    }
}
