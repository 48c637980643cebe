//! A small pull parser for the XML that GraphML files use: elements, attributes, text,
//! character and predefined entity references, CDATA; comments, processing instructions and
//! DOCTYPE are skipped. Errors carry the line number.

use std::borrow::Cow;

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
}

pub type XmlError = (usize, String);

impl<'a> XmlReader<'a> {
    pub fn new(text: &'a str) -> Self {
        let pos = if text.starts_with('\u{FEFF}') { 3 } else { 0 };
        XmlReader { text, pos }
    }

    /// The line of byte offset `at` (1-based).
    pub fn line_at(&self, at: usize) -> usize {
        self.text.as_bytes()[..at.min(self.text.len())]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
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
                return Ok(None);
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
                self.pos += 2 + end + 1;
                return Ok(Some(Event::End(name)));
            } else {
                return self.start_tag().map(Some);
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
