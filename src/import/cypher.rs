//! Cypher script import: split a script into `;`-terminated statements (quotes, backticks and
//! comments respected) and run them in one transaction, so a failing statement leaves the
//! database unchanged.

/// One statement of a script and the line it starts on.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub line: usize,
    pub text: String,
}

/// Splits `script` at every `;` outside string literals, backtick identifiers and comments.
/// Empty statements and comment-only text are dropped; shell commands (lines starting with
/// `:`, e.g. `:begin` in cypher-shell scripts) are skipped.
pub fn split_statements(script: &str) -> Vec<Statement> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut start_line = 1;
    let mut line = 1;
    let mut chars = script.chars().peekable();
    let mut at_line_start = true;
    let push = |cur: &mut String, start_line: usize, out: &mut Vec<Statement>| {
        let t = cur.trim();
        if !t.is_empty() {
            out.push(Statement {
                line: start_line,
                text: t.to_string(),
            });
        }
        cur.clear();
    };
    while let Some(c) = chars.next() {
        if cur.trim().is_empty() && !c.is_whitespace() {
            start_line = line;
            cur.clear();
        }
        if at_line_start && c == ':' && cur.trim().is_empty() {
            // A shell command such as `:begin` / `:commit`: skip to the end of the line.
            for n in chars.by_ref() {
                if n == '\n' {
                    line += 1;
                    break;
                }
            }
            continue;
        }
        at_line_start = c == '\n' || (at_line_start && c.is_whitespace());
        match c {
            '\n' => {
                line += 1;
                cur.push(c);
            }
            '\'' | '"' | '`' => {
                cur.push(c);
                while let Some(n) = chars.next() {
                    cur.push(n);
                    if n == '\n' {
                        line += 1;
                    }
                    if n == '\\' && c != '`' {
                        if let Some(e) = chars.next() {
                            if e == '\n' {
                                line += 1;
                            }
                            cur.push(e);
                        }
                    } else if n == c {
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'/') => {
                for n in chars.by_ref() {
                    if n == '\n' {
                        line += 1;
                        cur.push('\n');
                        at_line_start = true;
                        break;
                    }
                }
            }
            '/' if chars.peek() == Some(&'*') => {
                chars.next();
                let mut prev = ' ';
                for n in chars.by_ref() {
                    if n == '\n' {
                        line += 1;
                    }
                    if prev == '*' && n == '/' {
                        break;
                    }
                    prev = n;
                }
                cur.push(' ');
            }
            ';' => push(&mut cur, start_line, &mut out),
            c => cur.push(c),
        }
    }
    push(&mut cur, start_line, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_outside_literals_and_comments() {
        let s = split_statements(
            "// header; not a statement\nCREATE (:A {s: 'a;b\\'c'});\n\n:begin\nMATCH (`we;ird`) /* ; */ RETURN 1;\nRETURN \"x;y\"",
        );
        let texts: Vec<&str> = s.iter().map(|s| s.text.as_str()).collect();
        assert_eq!(
            texts,
            vec![
                "CREATE (:A {s: 'a;b\\'c'})",
                "MATCH (`we;ird`)   RETURN 1",
                "RETURN \"x;y\""
            ]
        );
        assert_eq!(s[0].line, 2);
        assert_eq!(s[1].line, 5);
        assert_eq!(s[2].line, 6);
    }
}
