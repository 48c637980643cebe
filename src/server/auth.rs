//! Who may connect: no authentication (loopback only), or users with passwords stored as
//! salted PBKDF2-HMAC-SHA256 hashes (never the password itself).
//!
//! An auth file (`kg serve --auth-file FILE`) holds one `USER:HASH` line per user, the hash in
//! the form `pbkdf2-sha256$ITERATIONS$SALT_HEX$KEY_HEX` that `kg passwd` writes; `--auth
//! USER:PASSWORD` hashes the password in memory at start-up.

use std::fmt::Write as _;
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use crate::error::{Error, Result};

/// PBKDF2 rounds for new hashes (OWASP's 2023 figure for HMAC-SHA256): ~0.3 s per check on
/// this class of machine, which is what makes guessing slow.
pub const ITERATIONS: u32 = 600_000;
const SALT_BYTES: usize = 16;
const KEY_BYTES: usize = 32;

/// One user's stored credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    iterations: u32,
    salt: Vec<u8>,
    key: Vec<u8>,
    verified: Verified,
}

/// The password last verified the slow way, kept as a one-round PBKDF2 under a fresh random
/// salt, so that a driver opening a pool of connections (32 clients: 32 logons) pays the slow
/// hash once, not once per connection (600k rounds took 0.3-0.7 s of CPU each, and 32 of them
/// kept every query of a fresh 32-client pool waiting ~6 s on 2 cores). A wrong password never
/// matches it and always pays the full cost. Shared by clones; ignored by `==`.
#[derive(Clone, Default)]
struct Verified(Arc<VerifiedInner>);

#[derive(Default)]
struct VerifiedInner {
    quick: Mutex<Option<(Vec<u8>, Vec<u8>)>>,
    /// Slow derivations done by `verify` (for tests).
    slow: AtomicU64,
}

impl PartialEq for Verified {
    fn eq(&self, _: &Verified) -> bool {
        true
    }
}

impl Eq for Verified {}

fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

impl std::fmt::Debug for User {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "User({})", self.name)
    }
}

impl User {
    /// Hashes `password` with a fresh random salt.
    pub fn new(name: &str, password: &str) -> Result<User> {
        Self::with_iterations(name, password, ITERATIONS)
    }

    fn with_iterations(name: &str, password: &str, iterations: u32) -> Result<User> {
        let mut salt = vec![0u8; SALT_BYTES];
        random_bytes(&mut salt)?;
        let key = derive(password, &salt, iterations);
        Ok(User {
            name: name.to_string(),
            iterations,
            salt,
            key,
            verified: Verified::default(),
        })
    }

    /// True when `password` is this user's; compares in constant time. A password verified
    /// before is recognised from a one-round hash ([`Verified`]).
    pub fn verify(&self, password: &str) -> bool {
        let cache = &self.verified.0;
        if let Some((salt, quick)) = &*cache.quick.lock().unwrap_or_else(|e| e.into_inner()) {
            if same(&derive(password, salt, 1), quick) {
                return true;
            }
        }
        cache.slow.fetch_add(1, Ordering::Relaxed);
        let ok = same(&derive(password, &self.salt, self.iterations), &self.key);
        if ok {
            let mut salt = vec![0u8; SALT_BYTES];
            if random_bytes(&mut salt).is_ok() {
                let quick = derive(password, &salt, 1);
                *cache.quick.lock().unwrap_or_else(|e| e.into_inner()) = Some((salt, quick));
            }
        }
        ok
    }

    /// How many times `verify` ran the slow hash.
    pub fn slow_verifications(&self) -> u64 {
        self.verified.0.slow.load(Ordering::Relaxed)
    }

    /// The `USER:HASH` line of an auth file.
    pub fn to_line(&self) -> String {
        format!(
            "{}:pbkdf2-sha256${}${}${}",
            self.name,
            self.iterations,
            hex(&self.salt),
            hex(&self.key)
        )
    }

    /// Reads a `USER:HASH` line.
    pub fn from_line(line: &str) -> Option<User> {
        let (name, hash) = line.split_once(':')?;
        let mut parts = hash.split('$');
        if parts.next()? != "pbkdf2-sha256" {
            return None;
        }
        let iterations = parts.next()?.parse().ok().filter(|&n| n > 0)?;
        let salt = unhex(parts.next()?)?;
        let key = unhex(parts.next()?)?;
        if parts.next().is_some() || name.is_empty() || key.is_empty() {
            return None;
        }
        Some(User {
            name: name.to_string(),
            iterations,
            salt,
            key,
            verified: Verified::default(),
        })
    }
}

/// The server's authentication mode.
#[derive(Clone, Debug, Default)]
pub enum Auth {
    /// Anyone may connect (refused beyond loopback).
    #[default]
    None,
    /// A user and a password are required.
    Users(Vec<User>),
}

impl Auth {
    pub fn required(&self) -> bool {
        matches!(self, Auth::Users(_))
    }

    /// Checks a user name and password; always true without authentication.
    pub fn check(&self, user: &str, password: &str) -> bool {
        match self {
            Auth::None => true,
            Auth::Users(users) => match users.iter().find(|u| u.name == user) {
                Some(u) => u.verify(password),
                None => {
                    // As slow as a wrong password, so timing does not tell which users exist.
                    if let Some(first) = users.first() {
                        let _ = derive(password, &first.salt, first.iterations);
                    }
                    false
                }
            },
        }
    }

    /// `--auth USER:PASSWORD`.
    pub fn from_pair(pair: &str) -> Result<Auth> {
        match pair.split_once(':') {
            Some((user, password)) if !user.is_empty() && !password.is_empty() => {
                Ok(Auth::Users(vec![User::new(user, password)?]))
            }
            _ => Err(Error::Io(
                "--auth wants USER:PASSWORD, both not empty".into(),
            )),
        }
    }

    /// `--auth-file FILE`: `USER:HASH` lines (blank lines and `#` comments skipped).
    pub fn from_file(path: &Path) -> Result<Auth> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Io(format!("cannot read {}: {e}", path.display())))?;
        let mut users = Vec::new();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            users.push(User::from_line(line).ok_or_else(|| {
                Error::Io(format!(
                    "{}:{}: expected USER:pbkdf2-sha256$ITERATIONS$SALT$KEY (write it with `kg passwd`)",
                    path.display(),
                    i + 1
                ))
            })?);
        }
        if users.is_empty() {
            return Err(Error::Io(format!("{} names no user", path.display())));
        }
        Ok(Auth::Users(users))
    }
}

fn derive(password: &str, salt: &[u8], iterations: u32) -> Vec<u8> {
    let mut key = vec![0u8; KEY_BYTES];
    pbkdf2::pbkdf2_hmac::<sha2::Sha256>(password.as_bytes(), salt, iterations, &mut key);
    key
}

fn random_bytes(buf: &mut [u8]) -> Result<()> {
    use std::io::Read;
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(buf))
        .map_err(|e| Error::Io(format!("cannot read random bytes for a salt: {e}")))
}

fn hex(bytes: &[u8]) -> String {
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        let _ = write!(s, "{b:02x}");
    }
    s
}

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(s.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_and_others_do_not() {
        let u = User::with_iterations("neo4j", "s3cret", 1000).unwrap();
        assert!(u.verify("s3cret"));
        assert!(!u.verify("s3cret "));
        assert!(!u.verify(""));
        let line = u.to_line();
        assert!(!line.contains("s3cret"));
        let back = User::from_line(&line).unwrap();
        assert_eq!(back, u);
        assert!(back.verify("s3cret"));
    }

    #[test]
    fn a_verified_password_skips_the_slow_hash_and_a_wrong_one_never_does() {
        let u = User::with_iterations("neo4j", "s3cret", 1000).unwrap();
        assert!(!u.verify("wrong"));
        assert!(u.verify("s3cret"));
        assert_eq!(u.slow_verifications(), 2);
        let copy = u.clone();
        for _ in 0..5 {
            assert!(u.verify("s3cret"));
            assert!(copy.verify("s3cret"));
        }
        assert_eq!(
            u.slow_verifications(),
            2,
            "a verified password hashed again"
        );
        for _ in 0..3 {
            assert!(!u.verify("s3cret!"));
        }
        assert_eq!(
            u.slow_verifications(),
            5,
            "a wrong password skipped the slow hash"
        );
        assert!(u.verify("s3cret"));
        assert_eq!(u.slow_verifications(), 5);
    }

    #[test]
    fn salts_differ() {
        let a = User::with_iterations("a", "pw", 10).unwrap();
        let b = User::with_iterations("a", "pw", 10).unwrap();
        assert_ne!(a.to_line(), b.to_line());
    }

    #[test]
    fn auth_checks_users() {
        let auth = Auth::Users(vec![User::with_iterations("neo4j", "pw", 10).unwrap()]);
        assert!(auth.check("neo4j", "pw"));
        assert!(!auth.check("neo4j", "nope"));
        assert!(!auth.check("other", "pw"));
        assert!(Auth::None.check("anyone", ""));
    }

    #[test]
    fn malformed_lines_are_refused() {
        for l in [
            "",
            "x",
            "u:md5$1$00$00",
            "u:pbkdf2-sha256$0$00$00",
            "u:pbkdf2-sha256$1$0g$00",
            ":pbkdf2-sha256$1$00$00",
        ] {
            assert!(User::from_line(l).is_none(), "{l}");
        }
    }
}
