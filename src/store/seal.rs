//! The seal: lets a process read the read image without opening sled at all.
//!
//! Why: opening sled 0.34 costs a `kg` process about 12 ms (its segment-header scan starts a
//! thread pool whose workers busy-wait until all seven have started, then it replays its log
//! and may write a snapshot). A process that only reads a compacted database needs nothing from
//! sled that the image does not hold, except the assurance that sled still holds exactly what
//! the image copied — which the stamp in sled gives, but only once sled is open.
//!
//! The seal gives that assurance from the file system instead, on two grounds:
//!
//! 1. **Every commit deletes the seal and the delta** (`delta.rs`) before its batch, durably
//!    (invariant 3 of `lifecycle.rs`, which owns when seals are written, checked and deleted:
//!    invariants 3-6). So a seal and delta that are there, under a lock that keeps sled
//!    closed, were written after the last commit.
//! 2. **A fingerprint of sled's files**: compaction, after it has closed the copy's sled,
//!    writes `kg.seal` with the names of the image and its delta (the image's stamp, then the
//!    delta's) and, for each of sled's files, name, length,
//!    inode, mode, modification and change times. A seal whose fingerprint no longer matches
//!    is not trusted. This catches what does not commit through kgstore: an image and seal put
//!    back from a backup (change times cannot be set back by hand), sled's files replaced or
//!    copied. It is not a guarantee that every sled open shows: the kernel keeps file times
//!    in clock ticks (≈ 4 ms here), and sled rewrites its snapshot only when its log advanced;
//!    ground 1 is what makes a commit show.
//!
//! The lock: sled holds an exclusive `flock` on its `db` file while open; a sealed reader holds
//! a *shared* `flock` on the same file ([`lock_shared`]), so that no sled opens while it reads
//! and any number of sealed readers share the database (invariant 5 of `lifecycle.rs`).
//!
//! Resealing ([`reseal`], invariant 4): called under sled's lock, it writes a seal only if
//! sled's files are as the closing process left them and `kg.image` and `kg.delta` still carry
//! the names (by ground 1, no commit came in between).
//!
//! Layout: magic `KGSEAL\0\0`, layout u32, store format u32, names (32 bytes: the image's
//! stamp, the delta's), fingerprint length u32 and bytes, FNV-1a of everything before it
//! (u64), little-endian. Layout 1 named the image alone (16 bytes) and is refused.

use std::fs::{File, TryLockError};
use std::io::{Read, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use crate::error::{Result, StoreError};

use super::delta::{self, NAMES};
use super::keys::fnv1a;

/// The seal's file name inside the database directory.
pub const FILE_NAME: &str = "kg.seal";
const TMP_NAME: &str = "kg.seal.tmp";
const MAGIC: &[u8; 8] = b"KGSEAL\0\0";
const LAYOUT: u32 = 2;

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

fn encode(names: &[u8; NAMES], format: u32, print: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(64 + print.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&LAYOUT.to_le_bytes());
    out.extend_from_slice(&format.to_le_bytes());
    out.extend_from_slice(names);
    out.extend_from_slice(&(print.len() as u32).to_le_bytes());
    out.extend_from_slice(print);
    let sum = fnv1a(&out);
    out.extend_from_slice(&sum.to_le_bytes());
    out
}

/// Seals the image and delta `names` in `dir` to sled's files as they are now. The caller
/// has closed sled there and holds the only way in (compaction's copy, not yet swapped in).
pub fn write(dir: &Path, names: &[u8; NAMES], format: u32) -> Result<()> {
    let tmp = dir.join(TMP_NAME);
    let io_err = |source| StoreError::io(&tmp, source);
    let Some(print) = fingerprint(dir) else {
        return Ok(());
    };
    let mut file = File::create(&tmp).map_err(io_err)?;
    file.write_all(&encode(names, format, &print))
        .and_then(|()| file.sync_all())
        .map_err(io_err)?;
    std::fs::rename(&tmp, dir.join(FILE_NAME)).map_err(io_err)?;
    Ok(())
}

/// Seals the image and delta `names` again after this process closed sled, where sled held
/// those names as it closed (it committed nothing, or wrote the delta for what it committed),
/// so that later readers need not open sled until the next write. Gives up silently unless it
/// can be sure: it takes sled's lock itself (sled lets go of it from a background thread just
/// after closing), and requires that sled's files did not change since it closed (no one
/// opened sled in between) and that `kg.image` and `kg.delta` still carry the names (every
/// commit deletes the delta before its batch).
pub fn reseal(dir: &Path, names: &[u8; NAMES], format: u32) {
    let Some(closed) = fingerprint(dir) else {
        return;
    };
    let path = dir.join("db");
    let Ok(file) = File::open(&path) else {
        return;
    };
    let deadline = Instant::now() + RESEAL_WAIT;
    loop {
        match file.try_lock() {
            Ok(()) => break,
            Err(TryLockError::WouldBlock) if Instant::now() < deadline => {
                std::thread::sleep(Duration::from_millis(1));
            }
            Err(_) => return,
        }
    }
    if !same_file(&file, &path) || fingerprint(dir).as_ref() != Some(&closed) {
        return;
    }
    let mut head = [0u8; 32];
    let named = File::open(dir.join(super::image::FILE_NAME))
        .and_then(|mut f| f.read_exact(&mut head))
        .is_ok_and(|()| head[16..] == names[..16])
        && delta::names_on_disk(dir).as_ref() == Some(names);
    if named {
        let _ = write(dir, names, format);
    }
}

/// How long [`reseal`] waits for sled to let go of its lock.
const RESEAL_WAIT: Duration = Duration::from_millis(200);

/// The names the seal in `dir` vouches for, if there is a well-formed seal for store format
/// `format` whose fingerprint matches sled's files now. The caller holds [`lock_shared`].
pub fn check(dir: &Path, format: u32) -> Option<[u8; NAMES]> {
    let bytes = std::fs::read(dir.join(FILE_NAME)).ok()?;
    let names: [u8; NAMES] = bytes.get(16..16 + NAMES)?.try_into().ok()?;
    let print = fingerprint(dir)?;
    (bytes == encode(&names, format, &print)).then_some(names)
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
        let stamp = [7u8; 32];
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
        write(dir.path(), &[1; 32], 6).unwrap();
        std::fs::write(dir.path().join("snap.0001"), b"s").unwrap();
        assert_eq!(check(dir.path(), 6), None);

        write(dir.path(), &[1; 32], 6).unwrap();
        let path = dir.path().join(FILE_NAME);
        let mut bytes = std::fs::read(&path).unwrap();
        bytes[20] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        assert_eq!(check(dir.path(), 6), None);
        remove(dir.path());
        assert!(!path.exists());
    }

    /// A `kg.image` and a `kg.delta` whose headers carry `names` (all `reseal` reads of
    /// them).
    fn image_named(dir: &Path, names: &[u8; NAMES]) {
        let mut head = vec![0u8; 32];
        head[16..].copy_from_slice(&names[..16]);
        std::fs::write(dir.join(crate::store::image::FILE_NAME), head).unwrap();
        let mut head = vec![0u8; 48];
        head[16..].copy_from_slice(names);
        std::fs::write(dir.join(delta::FILE_NAME), head).unwrap();
    }

    /// Runs `meanwhile` while an exclusive lock on `dir/db` (a sled) is held: the lock is
    /// let go 30 ms later, after `then` has run there.
    fn sled_holds_the_lock_while(
        dir: &Path,
        then: impl FnOnce() + Send + 'static,
        meanwhile: impl FnOnce(),
    ) {
        let sled = File::open(dir.join("db")).unwrap();
        sled.lock().unwrap();
        let other = std::thread::spawn(move || {
            std::thread::sleep(std::time::Duration::from_millis(30));
            then();
            drop(sled);
        });
        meanwhile();
        other.join().unwrap();
    }

    #[test]
    fn a_reseal_waits_for_the_lock_and_seals_files_left_as_they_were() {
        let dir = sled_like_dir();
        let stamp = [3u8; 32];
        image_named(dir.path(), &stamp);
        // sled still holds its lock for a moment after closing.
        sled_holds_the_lock_while(dir.path(), || {}, || reseal(dir.path(), &stamp, 6));
        assert_eq!(check(dir.path(), 6), Some(stamp));
    }

    #[test]
    fn no_reseal_when_sled_was_opened_meanwhile_or_the_image_is_another() {
        let dir = sled_like_dir();
        let stamp = [3u8; 32];
        image_named(dir.path(), &stamp);
        // Someone else's sled opens (and writes) before this process gets the lock.
        let db = dir.path().join("db");
        sled_holds_the_lock_while(
            dir.path(),
            move || std::fs::write(&db, b"written meanwhile").unwrap(),
            || reseal(dir.path(), &stamp, 6),
        );
        assert!(!dir.path().join(FILE_NAME).exists());

        // Files as they were, but the image is not the one named.
        reseal(dir.path(), &[4u8; 32], 6);
        assert!(!dir.path().join(FILE_NAME).exists());
        // The image named, but another delta (a commit deleted it, another wrote the next).
        let mut other = stamp;
        other[20] ^= 1;
        reseal(dir.path(), &other, 6);
        assert!(!dir.path().join(FILE_NAME).exists());
        std::fs::remove_file(dir.path().join(delta::FILE_NAME)).unwrap();
        reseal(dir.path(), &stamp, 6);
        assert!(
            !dir.path().join(FILE_NAME).exists(),
            "no delta: a commit came"
        );
        image_named(dir.path(), &stamp);
        // And the control: same files, the image named.
        reseal(dir.path(), &stamp, 6);
        assert_eq!(check(dir.path(), 6), Some(stamp));
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
