//! The address file `kg.server` a running server keeps in its database directory, so that
//! `kg query`, `kg run` and the shell on that directory find the server and go through it
//! instead of failing with "in use by another process".
//!
//! The file holds one JSON object: `{"pid": …, "bolt": "127.0.0.1:7687", "http": "…"}`. It is
//! written when the server starts listening and removed when it stops; a file left by a killed
//! server is recognised as stale because its process is gone.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The file name inside the database directory.
pub const FILE_NAME: &str = "kg.server";

/// Where a running server listens.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerAddress {
    pub pid: u32,
    /// `HOST:PORT` of the Bolt listener, if any.
    pub bolt: Option<String>,
    /// `HOST:PORT` of the HTTP listener, if any.
    pub http: Option<String>,
}

/// The address file of a running server; removed when dropped.
pub struct AddressFile {
    path: PathBuf,
}

impl AddressFile {
    /// Writes the file atomically (temporary file, then rename).
    pub fn write(dir: &Path, addr: &ServerAddress) -> Result<AddressFile> {
        let path = dir.join(FILE_NAME);
        let tmp = dir.join(format!(".{FILE_NAME}.{}", std::process::id()));
        let text = serde_json::to_string(addr).map_err(|e| Error::Io(e.to_string()))?;
        std::fs::write(&tmp, text)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .map_err(|e| Error::Io(format!("cannot write {}: {e}", path.display())))?;
        Ok(AddressFile { path })
    }
}

impl Drop for AddressFile {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.path);
    }
}

/// The server running on the database in `dir`, if any: `None` when there is no address file
/// or it was left by a process that no longer runs (the stale file is then removed).
pub fn find(dir: &Path) -> Option<ServerAddress> {
    let path = dir.join(FILE_NAME);
    let text = std::fs::read_to_string(&path).ok()?;
    let addr: ServerAddress = serde_json::from_str(&text).ok()?;
    if process_alive(addr.pid) {
        Some(addr)
    } else {
        let _ = std::fs::remove_file(&path);
        None
    }
}

pub(crate) fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    if pid <= 0 {
        return false;
    }
    // SAFETY: kill with signal 0 only checks that the process exists and may be signalled.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_found_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let addr = ServerAddress {
            pid: std::process::id(),
            bolt: Some("127.0.0.1:7687".into()),
            http: None,
        };
        let file = AddressFile::write(dir.path(), &addr).unwrap();
        assert_eq!(find(dir.path()), Some(addr));
        drop(file);
        assert_eq!(find(dir.path()), None);
    }

    #[test]
    fn a_file_left_by_a_dead_process_is_stale() {
        let dir = tempfile::tempdir().unwrap();
        // A child that has exited and been reaped: its pid names no process.
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        let addr = ServerAddress {
            pid,
            bolt: Some("127.0.0.1:1".into()),
            http: None,
        };
        std::mem::forget(AddressFile::write(dir.path(), &addr).unwrap());
        assert_eq!(find(dir.path()), None);
        assert!(!dir.path().join(FILE_NAME).exists());
    }
}
