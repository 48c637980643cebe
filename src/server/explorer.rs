//! The browser explorer's static files, served by the HTTP listener (the explorer issue fills this in).

/// The content type and bytes of the explorer file at `path` (`/` for its index), if any.
pub fn asset(_path: &str) -> Option<(&'static str, &'static [u8])> {
    None
}
