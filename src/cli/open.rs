//! Which database `kg` opens and how: `--db`, else `$KG_DB`, else `./kg.db` (created with the
//! seed graph on first use, atomically: see [`create_seeded`]); lock and format errors become
//! exit code 2.

use std::path::{Path, PathBuf};

use crate::db::{Database, Durability, OpenOptions};
use crate::error::{Error, StoreError};

/// The database directory and whether the user named it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DbLocation {
    pub path: PathBuf,
    /// False for the built-in default `./kg.db`, which is seeded when first created.
    pub explicit: bool,
}

/// `--db`, else `$KG_DB` (when not empty), else `./kg.db`.
pub fn resolve_db_path(flag: Option<&Path>, env: Option<&std::ffi::OsStr>) -> DbLocation {
    if let Some(p) = flag {
        return DbLocation {
            path: p.to_path_buf(),
            explicit: true,
        };
    }
    if let Some(e) = env.filter(|e| !e.is_empty()) {
        return DbLocation {
            path: PathBuf::from(e),
            explicit: true,
        };
    }
    DbLocation {
        path: PathBuf::from("kg.db"),
        explicit: false,
    }
}

/// Opens (creating when missing) the database with a page cache of `cache` bytes (None: the
/// store's default); a new default database gets the seed graph. Errors are printed; the
/// `Err` carries the exit code.
pub fn open_database(
    loc: &DbLocation,
    durability: Durability,
    cache: Option<u64>,
) -> Result<Database, i32> {
    let opts = OpenOptions {
        durability,
        create_if_missing: true,
        cache_capacity: cache,
    };
    if !loc.explicit && !loc.path.exists() {
        create_seeded(&loc.path, &opts)?;
    }
    open_reporting(&loc.path, &opts)
}

/// Opens `path`, printing why it cannot be opened.
fn open_reporting(path: &Path, opts: &OpenOptions) -> Result<Database, i32> {
    match Database::open(path, opts) {
        Ok(db) => Ok(db),
        Err(Error::Store(StoreError::Locked { .. })) => {
            match crate::server::address::find(path) {
                Some(server) => eprintln!(
                    "error: database {} is held by a kg server (pid {}, bolt://{}); kg query, kg run \
                     and the shell go through it, other commands need it stopped",
                    path.display(),
                    server.pid,
                    server.bolt.as_deref().unwrap_or("?")
                ),
                None => eprintln!("error: database {} is in use by another process", path.display()),
            }
            Err(2)
        }
        Err(e) => {
            eprintln!("error: cannot open database {}: {e}", path.display());
            Err(2)
        }
    }
}

/// The prefix of the directory a first run seeds before it renames it to `name`.
fn seeding_prefix(name: &str) -> String {
    format!(".{name}.seeding-")
}

/// Creates the default database at `path` with the seed graph, all or nothing: it is seeded
/// in a sibling directory (`.kg.db.seeding-PID`), closed, synced and renamed into place, so a
/// first run killed at any point leaves no `kg.db` (the next run seeds again) rather than a
/// half-seeded one. Directories left by killed runs are removed once their process is gone.
/// When another first run wins the race to `path`, its database is the one used.
fn create_seeded(path: &Path, opts: &OpenOptions) -> Result<(), i32> {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "kg.db".into());
    remove_abandoned_seedings(&parent, &name);
    let staging = parent.join(format!("{}{}", seeding_prefix(&name), std::process::id()));
    let _ = std::fs::remove_dir_all(&staging);
    eprintln!(
        "creating {} with the built-in seed graph (China's AI capital markets 2026)…",
        path.display()
    );
    let seeded = open_reporting(&staging, opts).and_then(|db| {
        super::seeding::load(&db).map(drop).map_err(|e| {
            eprintln!("error: loading the seed graph into {}: {e}", path.display());
            1
        })
        // Dropping the database closes and flushes it.
    });
    let result = seeded.and_then(|()| {
        sync_dir(&staging)
            .and_then(|()| std::fs::rename(&staging, path))
            .and_then(|()| sync_dir(&parent))
            .or_else(|e| {
                if path.exists() {
                    // Another first run put its seeded database there first.
                    Ok(())
                } else {
                    eprintln!(
                        "error: cannot move the seeded database to {}: {e}",
                        path.display()
                    );
                    Err(e)
                }
            })
            .map_err(|_| 1)
    });
    let _ = std::fs::remove_dir_all(&staging);
    result
}

/// Removes `.NAME.seeding-PID` directories in `parent` whose process no longer runs.
fn remove_abandoned_seedings(parent: &Path, name: &str) {
    let prefix = seeding_prefix(name);
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    for entry in entries.flatten() {
        let file_name = entry.file_name();
        let Some(pid) = file_name
            .to_str()
            .and_then(|n| n.strip_prefix(&prefix))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && !crate::server::address::process_alive(pid) {
            let _ = std::fs::remove_dir_all(entry.path());
        }
    }
}

fn sync_dir(dir: &Path) -> std::io::Result<()> {
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::ffi::OsStr;

    #[test]
    fn flag_then_env_then_default() {
        let flag = Path::new("a.db");
        assert_eq!(
            resolve_db_path(Some(flag), Some(OsStr::new("b.db"))),
            DbLocation {
                path: "a.db".into(),
                explicit: true
            }
        );
        assert_eq!(
            resolve_db_path(None, Some(OsStr::new("b.db"))).path,
            PathBuf::from("b.db")
        );
        let d = resolve_db_path(None, Some(OsStr::new("")));
        assert_eq!((d.path, d.explicit), (PathBuf::from("kg.db"), false));
    }
}
