//! `=~` support: whole-string regular expression matching with a small per-thread cache of
//! compiled patterns, so a constant pattern is compiled once per query thread, not per row.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;

use crate::error::{ErrorClass, Phase, QueryError, Result};

const CACHE_LIMIT: usize = 64;

thread_local! {
    static CACHE: RefCell<HashMap<String, Regex>> = RefCell::new(HashMap::new());
}

/// True when `pattern` matches the whole of `text` (Java `String.matches` semantics).
pub fn full_match(text: &str, pattern: &str) -> Result<bool> {
    CACHE.with(|cache| {
        let mut cache = cache.borrow_mut();
        if let Some(re) = cache.get(pattern) {
            return Ok(re.is_match(text));
        }
        let re = Regex::new(&format!("^(?:{pattern})$")).map_err(|e| {
            QueryError::new(
                ErrorClass::ArgumentError,
                "InvalidArgumentValue",
                Phase::Runtime,
                format!("invalid regular expression `{pattern}`: {e}"),
            )
        })?;
        let matched = re.is_match(text);
        if cache.len() >= CACHE_LIMIT {
            cache.clear();
        }
        cache.insert(pattern.to_string(), re);
        Ok(matched)
    })
}
