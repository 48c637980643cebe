//! Cypher script import: split a script into `;`-terminated statements (quotes, backticks and
//! comments respected) and run them in one transaction, so a failing statement leaves the
//! database unchanged.

/// One statement of a script and the line it starts on.
#[derive(Clone, Debug, PartialEq)]
pub struct Statement {
    pub line: usize,
    pub text: String,
}

/// Splits `script` at every `;` outside string literals, backtick identifiers and comments,
/// with the shell's splitter. Empty statements are dropped; shell commands (lines starting
/// with `:`, e.g. `:begin` in cypher-shell scripts) are skipped.
pub fn split_statements(script: &str) -> Vec<Statement> {
    use crate::script::{line_col, split, PieceKind};
    split(script)
        .into_iter()
        .filter(|p| p.kind == PieceKind::Statement && !p.text(script).trim().is_empty())
        .map(|p| Statement {
            line: line_col(script, p.start).0,
            text: p.text(script).to_string(),
        })
        .collect()
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
                "MATCH (`we;ird`) /* ; */ RETURN 1",
                "RETURN \"x;y\""
            ]
        );
        assert_eq!(s[0].line, 2);
        assert_eq!(s[1].line, 5);
        assert_eq!(s[2].line, 6);
    }
}
