//! Opening sled when its files are damaged: a panic inside sled's recovery becomes an error,
//! a snapshot sled left unfinished (a full disk while it opened) or damaged is set aside so
//! that sled rebuilds its page table from the log, and every open checks the commit mark
//! (`durable.rs`) so that a log that lost acknowledged commits is refused, not opened short.
//!
//! Why the snapshots: sled 0.34 writes `snap.<lsn>.generating`, syncs it, then renames it to
//! `snap.<lsn>`; but when it opens it reads the newest file whose name starts with `snap.`,
//! unfinished ones included, and refuses to open when that one is short or fails its checksum.
//! A snapshot is only a cache of where each page's newest version lies in the log (sled's
//! recovery without one scans every segment), so removing an unfinished one loses nothing,
//! and a damaged complete one is renamed `damaged-snap.<lsn>` (kept for inspection) before
//! sled opens from the log alone. Either happens only under an exclusive lock on sled's lock
//! file (sled itself holds one while open), so never under another process's open sled.

use std::cell::Cell;
use std::fs::{File, TryLockError};
use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::Once;
use std::time::Duration;

use crate::error::{Error, Result, StoreError};

use super::errors::{damaged_log, sled_error};
use super::{durable, undo};

/// Opens sled at `path`, recovering from damaged snapshots (see the module docs) and refusing
/// a log that lost acknowledged commits.
pub(crate) fn open_sled(config: &sled::Config, path: &Path) -> Result<sled::Db> {
    let db = match open_waiting(config, path) {
        Err(e) if is_damage(&e) => repair(config, path, e)?,
        other => other?,
    };
    // A commit that failed part-way is undone before anything reads the log (`undo.rs`).
    if let Err(e) = undo::restore(&db, path) {
        durable::close_bounded(db, Some(path), true, || {});
        return Err(e);
    }
    durable::check_mark(&db, path)?;
    Ok(db)
}

/// sled releases its file lock from a background thread after the last handle drops, so a
/// reopen right after a close (or after a process that is just exiting) can see the lock for
/// a few milliseconds: retry briefly before reporting `Locked`.
fn open_waiting(config: &sled::Config, path: &Path) -> Result<sled::Db> {
    let mut waited_ms = 0;
    loop {
        match open_guarded(config, path) {
            Err(Error::Store(StoreError::Locked { .. })) if waited_ms < 1000 => {
                std::thread::sleep(Duration::from_millis(20));
                waited_ms += 20;
            }
            other => return other,
        }
    }
}

/// One `sled::Config::open`, with a panic inside sled (its recovery indexes past the end of
/// a log cut short) turned into an error naming the damage.
fn open_guarded(config: &sled::Config, path: &Path) -> Result<sled::Db> {
    match quietly(|| config.open()) {
        Ok(opened) => opened.map_err(|e| sled_error(path, e)),
        Err(payload) => Err(damaged_log(
            path,
            &format!("sled failed reading it: {}", panic_message(&*payload)),
        )),
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "a panic".into())
}

fn is_damage(e: &Error) -> bool {
    matches!(e, Error::Store(StoreError::Corrupt { .. }))
}

/// After an open failed on damage: a damaged `conf` is reported as such; otherwise unfinished
/// snapshots are removed and, if sled still fails, complete ones are set aside.
fn repair(config: &sled::Config, path: &Path, err: Error) -> Result<sled::Db> {
    if let Some(why) = damaged_conf(path) {
        return Err(damaged_conf_error(path, &why));
    }
    let (unfinished, complete): (Vec<PathBuf>, Vec<PathBuf>) = snapshot_files(path)
        .into_iter()
        .partition(|p| p.extension().is_some_and(|e| e == "generating"));
    if unfinished.is_empty() && complete.is_empty() {
        return Err(err);
    }
    if !unfinished.is_empty() {
        let Some(lock) = lock_exclusive(path) else {
            return Err(err);
        };
        for p in &unfinished {
            let _ = std::fs::remove_file(p);
        }
        drop(lock);
        match open_waiting(config, path) {
            Err(e) if is_damage(&e) => {}
            other => return other,
        }
    }
    if complete.is_empty() {
        return Err(err);
    }
    let Some(lock) = lock_exclusive(path) else {
        return Err(err);
    };
    let mut aside = Vec::new();
    for p in &complete {
        let to = set_aside_name(p);
        if std::fs::rename(p, &to).is_ok() {
            aside.push((p.clone(), to));
        }
    }
    drop(lock);
    match open_waiting(config, path) {
        Ok(db) => Ok(db),
        Err(e) => {
            // Not the snapshots' fault: put them back as they were.
            for (from, to) in aside {
                let _ = std::fs::rename(to, from);
            }
            Err(if is_damage(&e) {
                damaged_log(path, "sled cannot read it, with or without its snapshots")
            } else {
                e
            })
        }
    }
}

/// What sled 0.34 writes into `conf` for the settings kgstore always uses (then a CRC-32).
const EXPECTED_CONF: &[u8] = b"segment_size: 524288\nuse_compression: false\nversion: 0.34\n";

/// Why `conf` is damaged, if it is: sled ignores a missing or empty one (and writes it
/// again) and a wrong checksum alone, but refuses to open on unreadable settings.
fn damaged_conf(path: &Path) -> Option<String> {
    let bytes = std::fs::read(path.join("conf")).ok()?;
    if bytes.len() <= 8 {
        return None;
    }
    let body = &bytes[..bytes.len() - 4];
    (body != EXPECTED_CONF).then(|| {
        format!(
            "it reads {:?}",
            String::from_utf8_lossy(&body[..body.len().min(80)])
        )
    })
}

fn damaged_conf_error(path: &Path, why: &str) -> Error {
    let conf = path.join("conf");
    StoreError::Corrupt {
        path: path.to_path_buf(),
        reason: format!(
            "sled's settings file {} is damaged ({why}); kgstore always uses the same settings, \
             so delete that file and sled writes it again at the next open",
            conf.display()
        ),
    }
    .into()
}

/// sled's snapshot files in `path` (`snap.*`: what sled's open reads).
fn snapshot_files(path: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(path) else {
        return Vec::new();
    };
    entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with("snap."))
        .map(|e| e.path())
        .collect()
}

/// `snap.X` → `damaged-snap.X`: a name sled's open no longer reads.
fn set_aside_name(p: &Path) -> PathBuf {
    let name = p.file_name().map(|n| n.to_string_lossy().into_owned());
    p.with_file_name(format!("damaged-{}", name.unwrap_or_default()))
}

/// An exclusive `flock` on sled's lock file, or `None` if a sled (or sealed reader) holds it.
fn lock_exclusive(path: &Path) -> Option<File> {
    let file = File::open(path.join("db")).ok()?;
    match file.try_lock() {
        Ok(()) => Some(file),
        Err(TryLockError::WouldBlock) | Err(TryLockError::Error(_)) => None,
    }
}

thread_local! {
    /// Set while this thread runs code whose panics [`quietly`] reports as errors.
    static QUIET: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, catching a panic without the panic hook printing it (the caller reports it as an
/// error). The hook is wrapped once per process and stays silent only on this thread, only
/// while `f` runs.
fn quietly<T>(f: impl FnOnce() -> T) -> std::thread::Result<T> {
    static WRAP_HOOK: Once = Once::new();
    WRAP_HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if !QUIET.with(Cell::get) {
                previous(info);
            }
        }));
    });
    QUIET.with(|q| q.set(true));
    let res = std::panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(false));
    res
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_becomes_a_value_with_its_message() {
        let caught = quietly(|| -> u32 {
            let v: Vec<u32> = Vec::new();
            v[usize::from(v.is_empty())]
        });
        let payload = caught.expect_err("the index panics");
        assert!(
            panic_message(&*payload).contains("index out of bounds"),
            "{}",
            panic_message(&*payload)
        );
        assert_eq!(quietly(|| 7).ok(), Some(7));
    }

    #[test]
    fn damaged_snapshots_are_renamed_out_of_sleds_sight() {
        let to = set_aside_name(Path::new("/x/db/snap.00000000000005F3"));
        assert_eq!(to, Path::new("/x/db/damaged-snap.00000000000005F3"));
        assert!(!to
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with("snap."));
    }
}
