//! Rendering of query errors for people: `line:col: error: message`, the source line, and a
//! caret line under the offending span (correct for multi-byte UTF-8, wide CJK and tabs).

use crate::error::Error;

/// 1-based line and column (in characters) of `byte_offset` in `source`. Offsets past the end
/// or inside a multi-byte character are clamped to the nearest preceding character boundary.
pub fn line_col(source: &str, byte_offset: usize) -> (usize, usize) {
    let mut offset = byte_offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map(|i| i + 1).unwrap_or(0);
    let col = source[line_start..offset].chars().count() + 1;
    (line, col)
}

/// How many terminal columns a character takes: 2 for wide East Asian characters, 0 for
/// combining marks, else 1.
fn char_width(c: char) -> usize {
    let cp = c as u32;
    if matches!(cp, 0x0300..=0x036F | 0x200B..=0x200F | 0xFE00..=0xFE0F) {
        return 0;
    }
    let wide = matches!(cp,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF
        | 0xFE30..=0xFE4F | 0xFF00..=0xFF60 | 0xFFE0..=0xFFE6 | 0x1F300..=0x1F64F
        | 0x1F900..=0x1F9FF | 0x20000..=0x3FFFD);
    if wide {
        2
    } else {
        1
    }
}

/// Renders `err` against the query text it came from. Errors without a span (or not about a
/// query) render as `error: message`.
pub fn render(source: &str, err: &Error) -> String {
    let message = err.to_string();
    let Some(span) = err.span() else {
        return format!("error: {message}");
    };
    let start = clamp_boundary(source, span.start);
    let (line, col) = line_col(source, start);
    let line_start = source[..start].rfind('\n').map(|i| i + 1).unwrap_or(0);
    let line_end = source[start..]
        .find('\n')
        .map(|i| start + i)
        .unwrap_or(source.len());
    let text = source[line_start..line_end].trim_end_matches('\r');
    let end = clamp_boundary(source, span.end.max(start)).min(line_start + text.len());

    // Tabs are shown as four spaces in both the source line and the caret line so they align.
    let mut shown = String::new();
    let mut pad = String::new();
    let mut carets = String::new();
    for (i, c) in text.char_indices() {
        let abs = line_start + i;
        let (s, w) = if c == '\t' {
            ("    ".to_string(), 4)
        } else {
            (c.to_string(), char_width(c))
        };
        shown.push_str(&s);
        if abs < start {
            pad.push_str(&" ".repeat(w));
        } else if abs < end {
            carets.push_str(&"^".repeat(w.max(1)));
        }
    }
    if carets.is_empty() {
        carets.push('^');
    }
    format!("{line}:{col}: error: {message}\n{shown}\n{pad}{carets}")
}

fn clamp_boundary(source: &str, offset: usize) -> usize {
    let mut o = offset.min(source.len());
    while !source.is_char_boundary(o) {
        o -= 1;
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ast::Span;
    use crate::error::QueryError;

    fn err(start: usize, end: usize) -> Error {
        Error::Query(QueryError::syntax("UnexpectedSyntax", "boom").at(Span::new(start, end)))
    }

    #[test]
    fn line_col_counts_characters() {
        let s = "MATCH (n)\nRETURN 智谱, x";
        assert_eq!(line_col(s, 0), (1, 1));
        assert_eq!(line_col(s, 10), (2, 1));
        let x = s.find('x').unwrap();
        assert_eq!(line_col(s, x), (2, 12));
        assert_eq!(line_col(s, 1000), (2, 13));
    }

    #[test]
    fn caret_under_wide_characters_and_tabs() {
        let s = "RETURN '智谱' +\tfoo";
        let f = s.find("foo").unwrap();
        let out = render(s, &err(f, f + 3));
        let lines: Vec<&str> = out.lines().collect();
        assert_eq!(lines[0], "1:15: error: SyntaxError: boom");
        assert_eq!(lines[1], "RETURN '智谱' +    foo");
        // 8 ("RETURN '") + 4 (two wide chars) + 3 ("' +") + 4 (tab) = 19 columns of padding
        assert_eq!(lines[2], format!("{}^^^", " ".repeat(19)));
    }

    #[test]
    fn span_at_end_of_input_gets_one_caret() {
        let s = "RETURN";
        let out = render(s, &err(6, 6));
        assert!(out.ends_with("\nRETURN\n      ^"), "{out}");
    }

    #[test]
    fn no_span_renders_plain() {
        let e = Error::Query(QueryError::syntax("X", "bad"));
        assert_eq!(render("q", &e), "error: SyntaxError: bad");
    }
}
