//! The seal: lets a process read the read image without opening sled at all.
//!
//! Why: opening sled 0.34 costs a `kg` process about 12 ms (its segment-header scan starts a
//! thread pool whose workers busy-wait until all seven have started, then it replays its log
//! and writes a snapshot). A process that only reads a compacted database needs nothing from
//! sled that the image does not hold, except the assurance that sled still holds exactly what
//! the image copied — which the stamp in sled gives, but only once sled is open.
//!
//! The seal gives that assurance from the file system instead. Compaction, after it has closed
//! the copy's sled, writes `kg.seal`: the image's stamp and a **fingerprint** of sled's files
//! (for each: name, length, inode, modification and change times to the nanosecond). sled
//! writes its log and a new snapshot on every open, let alone every commit, so any process that
//! opened sled since (a writer, `kg check`, an older build) changed the fingerprint, and a
//! process that finds it unchanged knows sled holds what the image copied. Change times cannot
//! be set back by hand, so an image put back from a backup is refused too.
//!
//! The lock: sled holds an exclusive `flock` on its `db` file while open. A sealed reader holds
//! a *shared* `flock` on the same file instead, taken before it checks the fingerprint, so no
//! sled can open (and write) while it reads, and any number of sealed readers share the
//! database. A sealed reader that comes to write gives up its shared lock and opens sled like
//! any other process; if sled's stamp no longer names the image, another process wrote in
//! between and the transaction that read the image fails (`engine.rs`). Every commit also
//! deletes the seal before its batch (belt and braces: the fingerprint already changed).
//!
//! Layout: magic `KGSEAL\0\0`, layout u32, store format u32, stamp (16 bytes), fingerprint
//! length u32 and bytes, FNV-1a of everything before it (u64), little-endian.

use std::fs::File;
use std::io::Write;
use std::path::Path;

use crate::error::{Result, StoreError};

use super::keys::fnv1a;

/// The seal's file name inside the database directory.
pub const FILE_NAME: &str = "kg.seal";
const TMP_NAME: &str = "kg.seal.tmp";
const MAGIC: &[u8; 8] = b"KGSEAL\0\0";
const LAYOUT: u32 = 1;

/// Takes a shared lock on sled's lock file (`db`), or `None` when a sled holds it (or there is
/// no such file). Held for as long as the returned file is open.
pub fn lock_shared(dir: &Path) -> Option<File> {
    let path = dir.join("db");
    let file = File::open(&path).ok()?;
    file.try_lock_shared().ok()?;
    // Compaction swaps in a new directory while it holds the old `db` locked: a file opened
    // before the swap and locked after it is the old one, which keeps no writer out.
    same_file(&file, &path).then_some(file)
}

#[cfg(unix)]
fn same_file(file: &File, path: &Path) -> bool {
    use std::os::unix::fs::MetadataExt;
    match (file.metadata(), std::fs::metadata(path)) {
        (Ok(a), Ok(b)) => (a.dev(), a.ino()) == (b.dev(), b.ino()),
        _ => false,
    }
}

#[cfg(not(unix))]
fn same_file(_file: &File, _path: &Path) -> bool {
    false
}

/// The fingerprint of sled's files in `dir` (everything there but kgstore's own `kg.*`
/// files), in name order; `None` if the directory cannot be read.
#[cfg(unix)]
fn fingerprint(dir: &Path) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .ok()?
        .map(|e| e.map(|e| e.file_name()))
        .collect::<std::io::Result<_>>()
        .ok()?;
    entries.retain(|name| !name.as_bytes().starts_with(b"kg."));
    entries.sort();
    let mut out = Vec::new();
    for name in entries {
        let meta = std::fs::symlink_metadata(dir.join(&name)).ok()?;
        let name = name.as_bytes();
        out.extend_from_slice(&(name.len() as u32).to_le_bytes());
        out.extend_from_slice(name);
        for n in [meta.len(), meta.ino(), u64::from(meta.mode())] {
            out.extend_from_slice(&n.to_le_bytes());
        }
        for n in [
            meta.mtime(),
            meta.mtime_nsec(),
            meta.ctime(),
            meta.ctime_nsec(),
        ] {
            out.extend_from_slice(&n.to_le_bytes());
        }
    }
    Some(out)
}

/// Without Unix file metadata there is nothing to seal with: sled is always opened.
#[cfg(not(unix))]
fn fingerprint(_dir: &Path) -> Option<Vec<u8>> {
    None
}

fn encode(stamp: &[u8; 16], format: u32, print: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(48 + print.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&LAYOUT.to_le_bytes());
    out.extend_from_slice(&format.to_le_bytes());
    out.extend_from_slice(stamp);
    out.extend_from_slice(&(print.len() as u32).to_le_bytes());
    out.extend_from_slice(print);
    let sum = fnv1a(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// Seals the image named `stamp` in `dir` to sled's files as they are now. The caller has
/// closed sled there and holds the only way in (compaction's copy, not yet swapped in).
pub fn write(dir: &Path, stamp: &[u8; 16], format: u32) -> Result<()> {
    let tmp = dir.join(TMP_NAME);
    let io_err = |source| StoreError::Io {
        path: tmp.clone(),
        source,
    };
    let Some(print) = fingerprint(dir) else {
        return Ok(());
    };
    let mut file = File::create(&tmp).map_err(io_err)?;
    file.write_all(&encode(stamp, format, &print))
        .and_then(|()| file.sync_all())
        .map_err(io_err)?;
    std::fs::rename(&tmp, dir.join(FILE_NAME)).map_err(io_err)?;
    Ok(())
}

/// The stamp the seal in `dir` vouches for, if there is a well-formed seal for store format
/// `format` whose fingerprint matches sled's files now. The caller holds [`lock_shared`].
pub fn check(dir: &Path, format: u32) -> Option<[u8; 16]> {
    let bytes = std::fs::read(dir.join(FILE_NAME)).ok()?;
    let stamp: [u8; 16] = bytes.get(16..32)?.try_into().ok()?;
    let print = fingerprint(dir)?;
    (bytes == encode(&stamp, format, &print)).then_some(stamp)
}

/// Deletes the seal (best effort: a seal that stays behind no longer matches anyway).
pub fn remove(dir: &Path) {
    let _ = std::fs::remove_file(dir.join(TMP_NAME));
    let _ = std::fs::remove_file(dir.join(FILE_NAME));
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    fn sled_like_dir() -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("db"), b"log").unwrap();
        std::fs::write(dir.path().join("conf"), b"conf").unwrap();
        dir
    }

    #[test]
    fn a_seal_matches_until_a_sled_file_changes() {
        let dir = sled_like_dir();
        let stamp = [7u8; 16];
        write(dir.path(), &stamp, 6).unwrap();
        assert_eq!(check(dir.path(), 6), Some(stamp));
        assert_eq!(check(dir.path(), 7), None, "another store format");
        // kgstore's own files are not part of the fingerprint.
        std::fs::write(dir.path().join("kg.image"), b"x").unwrap();
        assert_eq!(check(dir.path(), 6), Some(stamp));
        // Same length, same name: the change time still moves.
        std::thread::sleep(std::time::Duration::from_millis(20));
        std::fs::write(dir.path().join("db"), b"LOG").unwrap();
        assert_eq!(check(dir.path(), 6), None);
    }

    #[test]
    fn a_new_sled_file_or_a_damaged_seal_breaks_it() {
        let dir = sled_like_dir();
        write(dir.path(), &[1; 16], 6).unwrap();
        std::fs::write(dir.path().join("snap.0001"), b"s").unwrap();
        assert_eq!(check(dir.path(), 6), None);

        write(dir.path(), &[1; 16], 6).unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[20] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(check(dir.path(), 6), None);
        remove(dir.path());
        assert!(!path.exists());
    }

    /// Compaction swaps a new directory in while it holds the old `db` locked: a file opened
    /// before the swap is not the one at the path any more, and locking it keeps no writer out.
    #[test]
    fn a_file_swapped_out_from_under_its_path_is_not_the_database() {
        let dir = sled_like_dir();
        let path = dir.path().join("db");
        let old = File::open(&path).unwrap();
        assert!(same_file(&old, &path));
        std::fs::write(dir.path().join("db.new"), b"log").unwrap();
        std::fs::rename(dir.path().join("db.new"), &path).unwrap();
        assert!(!same_file(&old, &path));
        assert!(lock_shared(dir.path()).is_some_and(|f| same_file(&f, &path)));
    }

    #[test]
    fn shared_locks_coexist_and_exclude_an_exclusive_one() {
        let dir = sled_like_dir();
        let a = lock_shared(dir.path()).unwrap();
        let b = lock_shared(dir.path());
        assert!(b.is_some(), "readers share the database");
        let writer = File::options()
            .read(true)
            .write(true)
            .open(dir.path().join("db"))
            .unwrap();
        assert!(
            writer.try_lock().is_err(),
            "a sled cannot open under readers"
        );
        drop((a, b));
        writer.try_lock().unwrap();
        assert!(lock_shared(dir.path()).is_none(), "nor a reader under sled");
    }
}
