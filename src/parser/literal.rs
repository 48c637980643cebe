//! Decoding of literal tokens (numbers, strings, escaped names) into values, with the
//! TCK's compile-time error codes for malformed or out-of-range literals.

use crate::ast::Span;
use crate::error::QueryError;

/// A decoded integer token. `MinMagnitude` is exactly 2^63, which is only representable when
/// negated (`-9223372036854775808`), so the expression builder decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IntToken {
    Value(i64),
    MinMagnitude,
}

/// Parses a decimal, `0x` hexadecimal or `0o` octal integer token.
pub fn integer(text: &str, span: Span) -> Result<IntToken, QueryError> {
    let (digits, radix) = if let Some(rest) = strip_prefix_ci(text, "0x") {
        (rest, 16)
    } else if let Some(rest) = strip_prefix_ci(text, "0o") {
        (rest, 8)
    } else {
        (text, 10)
    };
    let valid = !digits.is_empty() && digits.chars().all(|c| c.is_digit(radix));
    if !valid {
        return Err(QueryError::syntax(
            "InvalidNumberLiteral",
            format!("invalid number literal `{text}`"),
        )
        .at(span));
    }
    match u64::from_str_radix(digits, radix) {
        Ok(v) if v <= i64::MAX as u64 => Ok(IntToken::Value(v as i64)),
        Ok(v) if v == 1u64 << 63 => Ok(IntToken::MinMagnitude),
        _ => Err(overflow(text, span)),
    }
}

pub fn overflow(text: &str, span: Span) -> QueryError {
    QueryError::syntax(
        "IntegerOverflow",
        format!("integer literal `{text}` does not fit in a 64-bit integer"),
    )
    .at(span)
}

fn strip_prefix_ci<'a>(text: &'a str, prefix: &str) -> Option<&'a str> {
    if text.len() >= prefix.len() && text[..prefix.len()].eq_ignore_ascii_case(prefix) {
        Some(&text[prefix.len()..])
    } else {
        None
    }
}

/// Parses a float token; a value too large for f64 is a compile-time error.
pub fn float(text: &str, span: Span) -> Result<f64, QueryError> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() => Ok(v),
        Ok(_) => Err(QueryError::syntax(
            "FloatingPointOverflow",
            format!("float literal `{text}` is too large"),
        )
        .at(span)),
        Err(_) => Err(QueryError::syntax(
            "InvalidNumberLiteral",
            format!("invalid number literal `{text}`"),
        )
        .at(span)),
    }
}

/// Decodes the body of a quoted string (without quotes). `start` is the byte offset of the body
/// in the query, for error spans.
pub fn string(body: &str, start: usize) -> Result<String, QueryError> {
    let mut out = String::with_capacity(body.len());
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        let Some((_, e)) = chars.next() else {
            return Err(
                QueryError::syntax("UnexpectedSyntax", "unfinished escape sequence")
                    .at(Span::new(start + i, start + body.len())),
            );
        };
        match e {
            '\\' => out.push('\\'),
            '\'' => out.push('\''),
            '"' => out.push('"'),
            'b' | 'B' => out.push('\u{8}'),
            'f' | 'F' => out.push('\u{c}'),
            'n' | 'N' => out.push('\n'),
            'r' | 'R' => out.push('\r'),
            't' | 'T' => out.push('\t'),
            'u' | 'U' => {
                let want = if e == 'u' { 4 } else { 8 };
                let mut hex = String::new();
                while hex.len() < want {
                    match chars.peek() {
                        Some(&(_, h)) if h.is_ascii_hexdigit() => {
                            hex.push(h);
                            chars.next();
                        }
                        _ => break,
                    }
                }
                let end = start + i + 2 + hex.len();
                let span = Span::new(start + i, end);
                if hex.len() != want {
                    return Err(QueryError::syntax(
                        "InvalidUnicodeLiteral",
                        format!("invalid unicode escape `\\{e}{hex}`: expected {want} hex digits"),
                    )
                    .at(span));
                }
                let code = u32::from_str_radix(&hex, 16).unwrap_or(u32::MAX);
                match char::from_u32(code) {
                    Some(ch) => out.push(ch),
                    None => {
                        return Err(QueryError::syntax(
                            "InvalidUnicodeCharacter",
                            format!("`\\{e}{hex}` is not a valid unicode character"),
                        )
                        .at(span))
                    }
                }
            }
            other => {
                return Err(QueryError::syntax(
                    "UnexpectedSyntax",
                    format!("unknown escape sequence `\\{other}` in string"),
                )
                .at(Span::new(start + i, start + i + 1 + other.len_utf8())))
            }
        }
    }
    Ok(out)
}

/// The kind of a literal token found by [`scan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenKind {
    Float,
    Integer,
    String,
}

/// Where the number or string literal token at the start of `text` ends: a hand copy of the
/// grammar's `float`, `integer` and `string` rules (tried in that order, as the `number` rule
/// does), so that filling a cached statement shape costs no pest call (≈3 µs a literal).
/// `None` when no such token starts there; the caller then asks the grammar itself. The
/// tests in `parser::tests` hold it to the rules on generated and corner-case text.
pub fn scan(text: &str) -> Option<(TokenKind, usize)> {
    let b = text.as_bytes();
    match *b.first()? {
        q @ (b'\'' | b'"') => scan_string(text, q).map(|n| (TokenKind::String, n)),
        b'0'..=b'9' | b'.' => {
            if let Some(n) = scan_float(text) {
                return Some((TokenKind::Float, n));
            }
            // `integer = @{ ASCII_DIGIT ~ (ASCII_ALPHANUMERIC | "_")* }`
            if !b[0].is_ascii_digit() {
                return None;
            }
            let n = 1 + b[1..]
                .iter()
                .take_while(|c| c.is_ascii_alphanumeric() || **c == b'_')
                .count();
            Some((TokenKind::Integer, n))
        }
        _ => None,
    }
}

/// `float = @{ ((DIGIT* "." DIGIT+ exponent?) | (DIGIT+ exponent)) ~ !ident_char }`. PEG
/// repetitions are greedy and a choice that matched is not revisited, so this reads straight
/// through; the second branch can only match where the first did not (it has no `.`).
fn scan_float(text: &str) -> Option<usize> {
    let b = text.as_bytes();
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int = digits(0);
    let end = if b.get(int) == Some(&b'.') && digits(int + 1) > 0 {
        let frac_end = int + 1 + digits(int + 1);
        exponent(b, frac_end).unwrap_or(frac_end)
    } else if int > 0 {
        exponent(b, int)?
    } else {
        return None;
    };
    // `ident_char = _{ XID_CONTINUE | "$" }`, with pest's own Unicode table.
    let next = text[end..].chars().next();
    match next {
        Some(c) if c == '$' || pest::unicode::XID_CONTINUE(c) => None,
        _ => Some(end),
    }
}

/// `exponent = _{ ^"e" ~ ("+" | "-")? ~ ASCII_DIGIT+ }` at `at`: where it ends, if it matches.
fn exponent(b: &[u8], at: usize) -> Option<usize> {
    if !matches!(b.get(at), Some(b'e' | b'E')) {
        return None;
    }
    let mut i = at + 1;
    if matches!(b.get(i), Some(b'+' | b'-')) {
        i += 1;
    }
    let n = b[i..].iter().take_while(|c| c.is_ascii_digit()).count();
    (n > 0).then_some(i + n)
}

/// `string = ${ ("'" ~ sq_chars ~ "'") | ("\"" ~ dq_chars ~ "\"") }` with
/// `sq_chars = @{ (("\\" ~ ANY) | (!("'" | "\\") ~ ANY))* }`: a backslash takes the next
/// character whatever it is (escapes are checked when decoded), a lone one at the end fails.
fn scan_string(text: &str, quote: u8) -> Option<usize> {
    let b = text.as_bytes();
    let mut i = 1;
    while i < b.len() {
        match b[i] {
            c if c == quote => return Some(i + 1),
            // `"\\" ~ ANY`: the backslash and the character it escapes.
            b'\\' => {
                let c = text.get(i + 1..)?.chars().next()?;
                i += 1 + c.len_utf8();
            }
            // Other bytes, including the parts of multi-byte characters: neither quote nor
            // backslash can occur inside a UTF-8 sequence.
            _ => i += 1,
        }
    }
    None
}

/// The name inside backticks (`` `a``b` `` is ``a`b``), or the name itself.
pub fn name(text: &str) -> String {
    if text.len() >= 2 && text.starts_with('`') && text.ends_with('`') {
        text[1..text.len() - 1].replace("``", "`")
    } else {
        text.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp() -> Span {
        Span::default()
    }

    #[test]
    fn integers_in_all_radixes() {
        assert_eq!(integer("42", sp()), Ok(IntToken::Value(42)));
        assert_eq!(integer("0x1F", sp()), Ok(IntToken::Value(31)));
        assert_eq!(integer("0o17", sp()), Ok(IntToken::Value(15)));
        assert_eq!(
            integer("9223372036854775808", sp()),
            Ok(IntToken::MinMagnitude)
        );
        assert_eq!(
            integer("9223372036854775809", sp()).unwrap_err().detail,
            "IntegerOverflow"
        );
        assert_eq!(
            integer("0x1G", sp()).unwrap_err().detail,
            "InvalidNumberLiteral"
        );
        assert_eq!(
            integer("12abc", sp()).unwrap_err().detail,
            "InvalidNumberLiteral"
        );
    }

    #[test]
    fn string_escapes() {
        assert_eq!(string(r#"a\'b\"c\\d\ne\tf"#, 0).unwrap(), "a'b\"c\\d\ne\tf");
        assert_eq!(string(r"\u00e9\U0001F600", 0).unwrap(), "é😀");
        assert_eq!(
            string(r"\u12", 0).unwrap_err().detail,
            "InvalidUnicodeLiteral"
        );
        assert_eq!(
            string(r"\uD800", 0).unwrap_err().detail,
            "InvalidUnicodeCharacter"
        );
        assert_eq!(string(r"\q", 0).unwrap_err().detail, "UnexpectedSyntax");
    }

    #[test]
    fn escaped_names() {
        assert_eq!(name("`a``b`"), "a`b");
        assert_eq!(name("plain"), "plain");
    }
}
