//! A small pull parser for the XML that GraphML files use: elements, attributes, text,
//! character and predefined entity references, CDATA; comments, processing instructions and
//! DOCTYPE are skipped. Errors carry the line number. The reader checks that elements nest
//! (every end tag closes the innermost open element, and the text does not end inside one), so
//! a truncated file is an error, not a shorter graph; nesting deeper than [`MAX_DEPTH`] is
//! refused. Lines are counted as the reader advances, so reading is linear in the file size.
//! A file is read through a window ([`for_each_event`]): a token that reaches the window's
//! end is parsed again from the next window, so memory is one window, not the file.

use std::borrow::Cow;
use std::cell::Cell;
use std::path::Path;

use super::window::Window;

/// The deepest element nesting accepted. GraphML needs a handful of levels (nested graphs
/// and yEd's graphics add a few each); this bounds the element stack of a hostile file.
pub const MAX_DEPTH: usize = 1024;

#[derive(Debug, PartialEq)]
pub enum Event<'a> {
    Start {
        name: &'a str,
        attrs: Vec<(&'a str, Cow<'a, str>)>,
        empty: bool,
    },
    End(&'a str),
    Text(Cow<'a, str>),
}

/// The open elements, innermost last, kept apart from the text so that they outlive a window
/// of it: their names one after another in one string (no allocation per element).
#[derive(Default)]
pub struct Open {
    names: String,
    /// (where the name starts in `names`, the line of its start tag)
    elements: Vec<(usize, usize)>,
}

impl Open {
    fn push(&mut self, name: &str, line: usize) {
        self.elements.push((self.names.len(), line));
        self.names.push_str(name);
    }

    fn last(&self) -> Option<(&str, usize)> {
        self.elements
            .last()
            .map(|&(start, line)| (&self.names[start..], line))
    }

    fn pop(&mut self) {
        if let Some((start, _)) = self.elements.pop() {
            self.names.truncate(start);
        }
    }

    fn depth(&self) -> usize {
        self.elements.len()
    }
}

pub struct XmlReader<'a> {
    text: &'a str,
    pos: usize,
    open: Open,
    /// (offset, line at that offset): where line counting has got to.
    counted: Cell<(usize, usize)>,
    /// The line at offset 0 of `text`.
    first_line: usize,
    /// More of the file follows `text`: a token that reaches its end is not complete.
    more: bool,
}

pub type XmlError = (usize, String);

/// Why a token was not read: an error, or (in a window with more text after it) the end of the
/// window inside it.
enum Stop {
    Error(XmlError),
    More,
}

impl From<XmlError> for Stop {
    fn from(e: XmlError) -> Self {
        Stop::Error(e)
    }
}

impl<'a> XmlReader<'a> {
    /// A reader of a whole document. A leading byte-order mark is skipped.
    pub fn new(text: &'a str) -> Self {
        let mut r = XmlReader::window(text, 1, true, Open::default());
        r.pos = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
        r
    }

    /// A reader of a window of a document: `text` starts at a token on `line` with the elements
    /// `open` open, and unless `last` more of the file follows it. Then
    /// [`XmlReader::next_event`] returns `None` at a token that reaches the end of `text`, and
    /// [`XmlReader::finish`] says where the next window must start.
    pub fn window(text: &'a str, line: usize, last: bool, open: Open) -> Self {
        XmlReader {
            text,
            pos: 0,
            open,
            counted: Cell::new((0, line)),
            first_line: line,
            more: !last,
        }
    }

    /// The bytes of the window read, the line there and the open elements: where the next
    /// window starts.
    pub fn finish(self) -> (usize, usize, Open) {
        let line = self.line();
        (self.pos, line, self.open)
    }

    /// The line of byte offset `at` (1-based). Counts on from the last offset asked for, so
    /// asking in increasing order (as the reader does) costs one pass over the text.
    pub fn line_at(&self, at: usize) -> usize {
        let at = at.min(self.text.len());
        let (from, line) = match self.counted.get() {
            (pos, line) if pos <= at => (pos, line),
            _ => (0, self.first_line),
        };
        let line = line + memchr_count(&self.text.as_bytes()[from..at]);
        self.counted.set((at, line));
        line
    }

    /// The line the reader is at.
    pub fn line(&self) -> usize {
        self.line_at(self.pos)
    }

    fn err<T>(&self, at: usize, msg: impl Into<String>) -> Result<T, Stop> {
        Err(Stop::Error((self.line_at(at), msg.into())))
    }

    /// The error for a token cut by the end of the text, or `Stop::More` when the text is a
    /// window with more after it.
    fn cut<T>(&self, at: usize, msg: impl Into<String>) -> Result<T, Stop> {
        if self.more {
            return Err(Stop::More);
        }
        self.err(at, msg)
    }

    fn skip_past(&mut self, pat: &str, what: &str) -> Result<usize, Stop> {
        match self.text[self.pos..].find(pat) {
            Some(i) => {
                let start = self.pos;
                self.pos += i + pat.len();
                Ok(start + i)
            }
            None => self.cut(self.pos, format!("unterminated {what}")),
        }
    }

    /// The next event; `None` at the end of the document, or in a window at a token the window
    /// does not hold whole (the reader then stays at its start).
    pub fn next_event(&mut self) -> Result<Option<Event<'a>>, XmlError> {
        loop {
            let start = self.pos;
            match self.token() {
                Ok(Some(ev)) => return Ok(Some(ev)),
                // A comment, processing instruction or declaration: skipped.
                Ok(None) if self.pos > start => {}
                Ok(None) => return Ok(None),
                Err(Stop::More) => {
                    self.pos = start;
                    return Ok(None);
                }
                Err(Stop::Error(e)) => return Err(e),
            }
        }
    }

    /// Reads one token: an event, or `None` for one skipped (or at the end of the text).
    fn token(&mut self) -> Result<Option<Event<'a>>, Stop> {
        let rest = &self.text[self.pos..];
        if rest.is_empty() {
            if self.more {
                return Ok(None);
            }
            return match self.open.last() {
                Some((name, line)) => Err(Stop::Error((
                    self.line(),
                    format!(
                        "the file ends inside <{name}> (opened on line {line}): it is \
                         truncated or malformed"
                    ),
                ))),
                None => Ok(None),
            };
        }
        if !rest.starts_with('<') {
            let end = match rest.find('<') {
                Some(end) => end,
                None if self.more => return Err(Stop::More),
                None => rest.len(),
            };
            let start = self.pos;
            self.pos += end;
            return Ok(Some(Event::Text(
                unescape(&self.text[start..start + end]).map_err(|m| (self.line_at(start), m))?,
            )));
        }
        if rest.len() < 9 && self.more {
            // Too short to tell `<!--` or `<![CDATA[` from the start of another token.
            return Err(Stop::More);
        }
        if rest.starts_with("<!--") {
            self.pos += 4;
            self.skip_past("-->", "comment")?;
        } else if rest.starts_with("<![CDATA[") {
            self.pos += 9;
            let start = self.pos;
            let end = self.skip_past("]]>", "CDATA section")?;
            return Ok(Some(Event::Text(Cow::Borrowed(&self.text[start..end]))));
        } else if rest.starts_with("<?") {
            self.skip_past("?>", "processing instruction")?;
        } else if rest.starts_with("<!") {
            // DOCTYPE, possibly with an internal subset in brackets.
            let mut depth = 0i32;
            let start = self.pos;
            for (i, c) in rest.char_indices() {
                match c {
                    '[' => depth += 1,
                    ']' => depth -= 1,
                    '>' if depth <= 0 => {
                        self.pos += i + 1;
                        break;
                    }
                    _ => {}
                }
            }
            if self.pos == start {
                return self.cut(start, "unterminated declaration");
            }
        } else if let Some(r) = rest.strip_prefix("</") {
            let Some(end) = r.find('>') else {
                return self.cut(self.pos, "unterminated end tag");
            };
            let name = r[..end].trim();
            let at = self.pos;
            match self.open.last() {
                Some((open, _)) if open == name => self.open.pop(),
                Some((open, line)) => {
                    return self.err(
                        at,
                        format!("</{name}> closes <{open}> (opened on line {line})"),
                    )
                }
                None => return self.err(at, format!("</{name}> closes no open element")),
            }
            self.pos += 2 + end + 1;
            return Ok(Some(Event::End(name)));
        } else {
            let at = self.pos;
            let ev = self.start_tag()?;
            if let Event::Start {
                name, empty: false, ..
            } = ev
            {
                if self.open.depth() >= MAX_DEPTH {
                    return self.err(
                        at,
                        format!(
                            "elements nest deeper than {MAX_DEPTH} levels (the maximum \
                             this reader accepts)"
                        ),
                    );
                }
                let line = self.line_at(at);
                self.open.push(name, line);
            }
            return Ok(Some(ev));
        }
        Ok(None)
    }

    fn start_tag(&mut self) -> Result<Event<'a>, Stop> {
        let tag_start = self.pos;
        let bytes = self.text.as_bytes();
        let mut i = self.pos + 1;
        let name_start = i;
        while i < bytes.len()
            && !bytes[i].is_ascii_whitespace()
            && bytes[i] != b'>'
            && bytes[i] != b'/'
        {
            i += 1;
        }
        let name = &self.text[name_start..i];
        if name.is_empty() {
            return self.err(tag_start, "empty element name");
        }
        let mut attrs = Vec::new();
        loop {
            while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                i += 1;
            }
            match bytes.get(i) {
                None => return self.cut(tag_start, format!("unterminated start tag <{name}")),
                Some(b'>') => {
                    self.pos = i + 1;
                    return Ok(Event::Start {
                        name,
                        attrs,
                        empty: false,
                    });
                }
                Some(b'/') if bytes.get(i + 1) == Some(&b'>') => {
                    self.pos = i + 2;
                    return Ok(Event::Start {
                        name,
                        attrs,
                        empty: true,
                    });
                }
                Some(_) => {
                    let an_start = i;
                    while i < bytes.len()
                        && bytes[i] != b'='
                        && !bytes[i].is_ascii_whitespace()
                        && bytes[i] != b'>'
                    {
                        i += 1;
                    }
                    let an = &self.text[an_start..i];
                    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    match bytes.get(i) {
                        Some(b'=') => {}
                        None => {
                            return self
                                .cut(i, format!("attribute `{an}` of <{name}> has no value"))
                        }
                        Some(_) => {
                            return self
                                .err(i, format!("attribute `{an}` of <{name}> has no value"))
                        }
                    }
                    i += 1;
                    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    let q = match bytes.get(i) {
                        Some(&q @ (b'"' | b'\'')) => q,
                        None => {
                            return self
                                .cut(i, format!("attribute `{an}` of <{name}> is not quoted"))
                        }
                        Some(_) => {
                            return self
                                .err(i, format!("attribute `{an}` of <{name}> is not quoted"))
                        }
                    };
                    let v_start = i + 1;
                    let v_end = match self.text[v_start..].find(q as char) {
                        Some(e) => v_start + e,
                        None => {
                            return self.cut(i, format!("unterminated value of attribute `{an}`"))
                        }
                    };
                    let raw = &self.text[v_start..v_end];
                    let v = unescape(raw).map_err(|m| (self.line_at(v_start), m))?;
                    // Attribute-value normalisation: literal whitespace becomes a space.
                    let v = if raw.contains(['\n', '\r', '\t']) {
                        Cow::Owned(v.replace(['\n', '\r', '\t'], " "))
                    } else {
                        v
                    };
                    attrs.push((an, v));
                    i = v_end + 1;
                }
            }
        }
    }
}

/// Calls `each(line, event)` for every event of the XML file `path`, in order, reading it
/// through a [`Window`]; a token longer than `max` bytes is an error. Malformed XML is an
/// error naming the file and line.
pub fn for_each_event(
    path: &Path,
    max: usize,
    mut each: impl FnMut(usize, Event<'_>) -> crate::error::Result<()>,
) -> crate::error::Result<()> {
    let mut w = Window::open(path, max)?;
    let (mut line, mut open) = (1, Open::default());
    loop {
        w.read_more("XML token", line)?;
        let last = w.is_last();
        let mut r = XmlReader::window(w.text(), line, last, open);
        loop {
            let (at, from) = (r.line(), r.pos);
            match r.next_event() {
                Ok(Some(_)) if r.pos - from > w.max() => return Err(w.too_long("XML token", at)),
                Ok(Some(ev)) => each(at, ev)?,
                Ok(None) => break,
                Err((l, m)) => {
                    return Err(crate::error::Error::Io(format!(
                        "{}:{l}: malformed XML: {m}",
                        path.display()
                    )))
                }
            }
        }
        let used;
        (used, line, open) = r.finish();
        w.consume(used);
        if last {
            return Ok(());
        }
    }
}

/// The number of line feeds in `bytes`.
fn memchr_count(bytes: &[u8]) -> usize {
    bytes.iter().filter(|b| **b == b'\n').count()
}

/// Decodes entity and character references.
pub fn unescape(s: &str) -> Result<Cow<'_, str>, String> {
    if !s.contains('&') && !s.contains('\r') {
        return Ok(Cow::Borrowed(s));
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find(['&', '\r']) {
        out.push_str(&rest[..i]);
        if rest.as_bytes()[i] == b'\r' {
            // Line-end normalisation: CR LF and lone CR both become LF.
            out.push('\n');
            rest = &rest[i + 1..];
            if rest.starts_with('\n') {
                rest = &rest[1..];
            }
            continue;
        }
        let after = &rest[i + 1..];
        let end = after
            .find(';')
            .ok_or_else(|| "`&` without a closing `;`".to_string())?;
        let ent = &after[..end];
        let c = match ent {
            "amp" => '&',
            "lt" => '<',
            "gt" => '>',
            "quot" => '"',
            "apos" => '\'',
            _ => {
                let code =
                    if let Some(h) = ent.strip_prefix("#x").or_else(|| ent.strip_prefix("#X")) {
                        u32::from_str_radix(h, 16).ok()
                    } else if let Some(d) = ent.strip_prefix('#') {
                        d.parse().ok()
                    } else {
                        return Err(format!("unknown entity `&{ent};`"));
                    };
                code.and_then(char::from_u32)
                    .ok_or_else(|| format!("bad character reference `&{ent};`"))?
            }
        };
        out.push(c);
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(Cow::Owned(out))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events() {
        let mut r = XmlReader::new("<?xml version=\"1.0\"?>\n<!-- c --><a x=\"1 &amp; &#x667A;\" y='2'><b/>t&lt;<![CDATA[<raw>]]></a>");
        let mut ev = Vec::new();
        while let Some(e) = r.next_event().unwrap() {
            ev.push(e);
        }
        assert_eq!(
            ev[1],
            Event::Start {
                name: "a",
                attrs: vec![("x", "1 & 智".into()), ("y", "2".into())],
                empty: false
            }
        );
        assert_eq!(
            ev[2],
            Event::Start {
                name: "b",
                attrs: vec![],
                empty: true
            }
        );
        assert_eq!(ev[3], Event::Text("t<".into()));
        assert_eq!(ev[4], Event::Text("<raw>".into()));
        assert_eq!(ev[5], Event::End("a"));
        let mut bad = XmlReader::new("<a>\n<b x=1>");
        bad.next_event().unwrap();
        bad.next_event().unwrap();
        assert_eq!(bad.next_event().unwrap_err().0, 2);
    }

    /// Every event, read through two windows cut at every character: the same as whole.
    #[test]
    fn windows_read_what_the_whole_text_reads() {
        let text = "<?xml version=\"1.0\"?>\n<!-- c --><g a=\"1 &amp; 智\"><n x='y'/>t&lt;\u{e9}\
                    <![CDATA[<raw>]]>\n<!DOCTYPE x [<!ELEMENT a>]><m\n/></g>\n";
        let read = |r: &mut XmlReader<'_>, out: &mut Vec<String>| loop {
            let line = r.line();
            match r.next_event() {
                Ok(Some(ev)) => out.push(format!("{line}: {ev:?}")),
                Ok(None) => break,
                Err(e) => {
                    out.push(format!("{e:?}"));
                    break;
                }
            }
        };
        let mut whole = Vec::new();
        read(&mut XmlReader::new(text), &mut whole);
        assert_eq!(whole.len(), 9, "{whole:?}");
        for cut in (0..text.len()).filter(|&c| text.is_char_boundary(c)) {
            let mut out = Vec::new();
            let mut first = XmlReader::window(&text[..cut], 1, false, Open::default());
            read(&mut first, &mut out);
            let (used, line, open) = first.finish();
            read(
                &mut XmlReader::window(&text[used..], line, true, open),
                &mut out,
            );
            assert_eq!(out, whole, "cut at {cut}");
        }
        // A document cut after a start tag is an error, not a shorter document.
        let cut = &text[..text.find("<n x").unwrap()];
        let mut events = Vec::new();
        read(&mut XmlReader::new(cut), &mut events);
        assert!(
            events.last().unwrap().contains("the file ends inside <g>"),
            "{events:?}"
        );
    }
}
