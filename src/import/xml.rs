//! A small pull parser for the XML that GraphML files use: elements, attributes, text,
//! character and predefined entity references, CDATA; comments, processing instructions and
//! DOCTYPE are skipped. Errors carry the line number. The reader checks that elements nest
//! (every end tag closes the innermost open element, and the text does not end inside one), so
//! a truncated file is an error, not a shorter graph; nesting deeper than [`MAX_DEPTH`] is
//! refused. Lines are counted as the reader advances, so reading is linear in the file size.

use std::borrow::Cow;
use std::cell::Cell;

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

pub struct XmlReader<'a> {
    text: &'a str,
    pos: usize,
    /// The open elements, innermost last: (name, line of its start tag).
    open: Vec<(&'a str, usize)>,
    /// (offset, line at that offset): where line counting has got to.
    counted: Cell<(usize, usize)>,
}

pub type XmlError = (usize, String);

impl<'a> XmlReader<'a> {
    pub fn new(text: &'a str) -> Self {
        let pos = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
        XmlReader {
            text,
            pos,
            open: Vec::new(),
            counted: Cell::new((0, 1)),
        }
    }

    /// The line of byte offset `at` (1-based). Counts on from the last offset asked for, so
    /// asking in increasing order (as the reader does) costs one pass over the text.
    pub fn line_at(&self, at: usize) -> usize {
        let at = at.min(self.text.len());
        let (from, line) = match self.counted.get() {
            (pos, line) if pos <= at => (pos, line),
            _ => (0, 1),
        };
        let line = line + memchr_count(&self.text.as_bytes()[from..at]);
        self.counted.set((at, line));
        line
    }

    /// The line the reader is at.
    pub fn line(&self) -> usize {
        self.line_at(self.pos)
    }

    fn err<T>(&self, at: usize, msg: impl Into<String>) -> Result<T, XmlError> {
        Err((self.line_at(at), msg.into()))
    }

    fn skip_past(&mut self, pat: &str, what: &str) -> Result<usize, XmlError> {
        match self.text[self.pos..].find(pat) {
            Some(i) => {
                let start = self.pos;
                self.pos += i + pat.len();
                Ok(start + i)
            }
            None => self.err(self.pos, format!("unterminated {what}")),
        }
    }

    pub fn next_event(&mut self) -> Result<Option<Event<'a>>, XmlError> {
        loop {
            let rest = &self.text[self.pos..];
            if rest.is_empty() {
                return match self.open.last() {
                    Some((name, line)) => Err((
                        self.line(),
                        format!(
                            "the file ends inside <{name}> (opened on line {line}): it is \
                             truncated or malformed"
                        ),
                    )),
                    None => Ok(None),
                };
            }
            if !rest.starts_with('<') {
                let end = rest.find('<').unwrap_or(rest.len());
                let start = self.pos;
                self.pos += end;
                return Ok(Some(Event::Text(
                    unescape(&self.text[start..start + end])
                        .map_err(|m| (self.line_at(start), m))?,
                )));
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
                    return self.err(start, "unterminated declaration");
                }
            } else if let Some(r) = rest.strip_prefix("</") {
                let end = r
                    .find('>')
                    .ok_or((self.line(), "unterminated end tag".to_string()))?;
                let name = r[..end].trim();
                let at = self.pos;
                match self.open.pop() {
                    Some((open, _)) if open == name => {}
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
                    if self.open.len() >= MAX_DEPTH {
                        return self.err(
                            at,
                            format!(
                                "elements nest deeper than {MAX_DEPTH} levels (the maximum \
                                 this reader accepts)"
                            ),
                        );
                    }
                    let line = self.line_at(at);
                    self.open.push((name, line));
                }
                return Ok(Some(ev));
            }
        }
    }

    fn start_tag(&mut self) -> Result<Event<'a>, XmlError> {
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
                None => return self.err(tag_start, format!("unterminated start tag <{name}")),
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
                    if bytes.get(i) != Some(&b'=') {
                        return self.err(i, format!("attribute `{an}` of <{name}> has no value"));
                    }
                    i += 1;
                    while i < bytes.len() && bytes[i].is_ascii_whitespace() {
                        i += 1;
                    }
                    let q = match bytes.get(i) {
                        Some(&q @ (b'"' | b'\'')) => q,
                        _ => {
                            return self
                                .err(i, format!("attribute `{an}` of <{name}> is not quoted"))
                        }
                    };
                    let v_start = i + 1;
                    let v_end = match self.text[v_start..].find(q as char) {
                        Some(e) => v_start + e,
                        None => {
                            return self.err(i, format!("unterminated value of attribute `{an}`"))
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
}
