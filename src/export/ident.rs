//! Names as the Cypher export writes them, shared by the data script and its schema.

/// A Cypher identifier, backtick-quoted unless it is a plain ASCII identifier.
pub fn ident(s: &str) -> String {
    let plain = s.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
        && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        s.to_string()
    } else {
        format!("`{}`", s.replace('`', "``"))
    }
}
