//! Which database `kg` opens and how: `--db`, else `$KG_DB`, else `./kg.db` (created with the
//! seed graph on first use); lock and format errors become exit code 2.

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
    let fresh = !loc.path.exists();
    let opts = OpenOptions {
        durability,
        create_if_missing: true,
        cache_capacity: cache,
    };
    let db = match Database::open(&loc.path, &opts) {
        Ok(db) => db,
        Err(Error::Store(StoreError::Locked { .. })) => {
            match crate::server::address::find(&loc.path) {
                Some(server) => eprintln!(
                    "error: database {} is held by a kg server (pid {}, bolt://{}); kg query, kg run \
                     and the shell go through it, other commands need it stopped",
                    loc.path.display(),
                    server.pid,
                    server.bolt.as_deref().unwrap_or("?")
                ),
                None => eprintln!(
                    "error: database {} is in use by another process",
                    loc.path.display()
                ),
            }
            return Err(2);
        }
        Err(e) => {
            eprintln!("error: cannot open database {}: {e}", loc.path.display());
            return Err(2);
        }
    };
    if fresh && !loc.explicit {
        eprintln!(
            "creating {} with the built-in seed graph (China's AI capital markets 2026)…",
            loc.path.display()
        );
        if let Err(e) = super::seeding::load(&db) {
            eprintln!(
                "error: loading the seed graph into {}: {e}",
                loc.path.display()
            );
            // The directory is ours and half-filled: remove it so the next run seeds again.
            drop(db);
            let _ = std::fs::remove_dir_all(&loc.path);
            return Err(1);
        }
    }
    Ok(db)
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
