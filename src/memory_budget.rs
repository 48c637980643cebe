//! Per-statement memory budget: a counting global allocator and the limit a statement polls.
//!
//! How a statement's memory is counted: [`CountingAlloc`] wraps the system allocator and adds
//! every allocation's size to (and subtracts every deallocation's size from) a counter that
//! belongs to the *thread*, not to the process. [`scope`] starts a statement's count on the
//! thread that runs it (`Session::statement` opens it around every statement) and ends it
//! after; outside a scope nothing is counted. A statement runs on one thread from start to
//! finish (the shell's, or a server connection's), so the thread's count while the scope is
//! open is what the statement holds: its rows, sorts, collected lists and its transaction's
//! write overlay. Two statements on two server connections count on two threads and never see
//! each other's memory, so one client's statement cannot fail another's. (A parallel
//! aggregation's worker threads count on their own threads too, and also add to one count of
//! the statement they share, [`scope_shared`].) Memory the statement
//! frees that was allocated before it (a cached plan evicted, say) lowers its count; memory it
//! hands to another thread and that thread frees is not subtracted (nothing in the engine does
//! that). The storage engine's page cache fills on the thread that reads, so a statement's
//! count includes the pages it brings in (at most `--cache-mb`).
//!
//! Why a thread-local counter and not the process counter minus a baseline: the baseline is
//! wrong as soon as two statements run at once (the server), and an atomic shared by all
//! threads would cost a contended cache line on every allocation. The thread-local counter is
//! a plain `Cell`: no atomics, no locks, no allocation inside the allocator, a few instructions
//! per call (docs/performance.md has the measurement).
//!
//! Enforcement never aborts: the allocator never refuses memory because of the budget (a null
//! return would abort the process). It marks the scope as over its limit, and the statement
//! fails with [`Error::MemoryLimitExceeded`] at its next poll: [`check`], which
//! `interrupt::check_limits` and `ExecCtx::tick` call wherever cancellation and the time limit
//! are polled (every operator's row loop, every list comprehension, `reduce`, quantifier and
//! `UNWIND` element). The bound on what a statement holds is therefore its limit plus what it
//! allocates between two polls: one row, one list element, or the one allocation that crossed
//! the limit (a list doubling its capacity). Where one allocation would be huge by itself the
//! size is checked first with [`reserve`].
//!
//! The limit: `--memory-limit SIZE` (or `KG_MEMORY_LIMIT`; `0`/`none` for none) sets the
//! process default for every statement, `kg serve`'s included (per statement, each on its
//! connection's thread); the shell's `:memory-limit` changes it for the session. Without
//! either it is half the memory the machine (or the cgroup the process runs in) has:
//! [`machine_default`]. Embedders install the allocator with
//! `#[global_allocator] static A: kgstore::memory_budget::CountingAlloc = CountingAlloc;`;
//! without it no allocation is counted and only [`reserve`]'s up-front checks apply.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::fmt;
use std::str::FromStr;
use std::sync::atomic::{AtomicBool, AtomicI64, AtomicU64, Ordering};
use std::sync::OnceLock;

use crate::error::{format_size, Error, Result};

/// The system allocator, counting per thread what a statement in [`scope`] allocates.
pub struct CountingAlloc;

// SAFETY: every call is forwarded to `System` unchanged; the counting touches only this
// thread's `Cell`s (no allocation, no lock, no unwinding).
unsafe impl GlobalAlloc for CountingAlloc {
    #[inline]
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc(layout);
        if !p.is_null() {
            charge(layout.size() as i64);
        }
        p
    }

    #[inline]
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        let p = System.alloc_zeroed(layout);
        if !p.is_null() {
            charge(layout.size() as i64);
        }
        p
    }

    #[inline]
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        System.dealloc(ptr, layout);
        charge(-(layout.size() as i64));
    }

    #[inline]
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        let p = System.realloc(ptr, layout, new_size);
        if !p.is_null() {
            charge(new_size as i64 - layout.size() as i64);
        }
        p
    }
}

/// The count of the statement running on this thread. `limit == 0`: no statement is being
/// metered, and the allocator only reads this one field.
struct Meter {
    limit: Cell<u64>,
    held: Cell<i64>,
    peak: Cell<i64>,
    over: Cell<bool>,
    /// Batches of `CALL { } IN TRANSACTIONS` the statement has committed ([`settle`]): they
    /// stay whichever poll fails it later, so its error must say so.
    batches: Cell<u64>,
    /// The statement's count this thread shares with other threads ([`scope_shared`]), or
    /// null. Valid while that scope is open: the scope borrows the [`Shared`] and clears this
    /// pointer when it ends, unwinding included.
    shared: Cell<*const Shared>,
    /// What this thread allocated (net) since it last added to `shared`'s count.
    drift: Cell<i64>,
}

/// How far a thread's count may drift from the shared count before it adds to it: one atomic
/// add per 64 KiB allocated or freed (net), so the shared count is exact up to this much per
/// thread while no allocation pays for an atomic.
const DRIFT: i64 = 64 << 10;

/// The count of one statement shared by the threads of a parallel operator (its workers and
/// the statement's own thread, [`scope_shared`]): the statement's limit, and what the threads
/// hold together. Why: each thread counts on its own, so a worker alone cannot tell the
/// statement's total; an equal share of the limit per thread stopped a statement whose threads
/// together held far less than its limit, and its error named the share as "the limit".
pub struct Shared {
    limit: u64,
    batches: u64,
    held: AtomicI64,
    peak: AtomicI64,
    over: AtomicBool,
}

thread_local! {
    // `const`-initialised and without `Drop`: no lazy initialisation and no destructor
    // registration, so the allocator can read it at any point of a thread's life.
    static METER: Meter = const {
        Meter {
            limit: Cell::new(0),
            held: Cell::new(0),
            peak: Cell::new(0),
            over: Cell::new(false),
            batches: Cell::new(0),
            shared: Cell::new(std::ptr::null()),
            drift: Cell::new(0),
        }
    };
}

#[inline(always)]
fn charge(delta: i64) {
    METER.with(|m| {
        let limit = m.limit.get();
        if limit == 0 {
            return;
        }
        let held = m.held.get() + delta;
        m.held.set(held);
        if held > m.peak.get() {
            m.peak.set(held);
            if held as u64 > limit {
                m.over.set(true);
            }
        }
        let shared = m.shared.get();
        if !shared.is_null() {
            let drift = m.drift.get() + delta;
            if drift.abs() < DRIFT {
                m.drift.set(drift);
                return;
            }
            m.drift.set(0);
            // SAFETY: non-null only while the `scope_shared` that set it borrows the `Shared`.
            let s = unsafe { &*shared };
            let total = s.held.fetch_add(drift, Ordering::Relaxed) + drift;
            s.peak.fetch_max(total, Ordering::Relaxed);
            if total > s.limit as i64 {
                s.over.store(true, Ordering::Relaxed);
            }
        }
    });
}

/// A statement's memory limit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Limit {
    Unlimited,
    Bytes(u64),
}

impl Limit {
    fn bytes(self) -> u64 {
        match self {
            Limit::Unlimited => 0,
            Limit::Bytes(n) => n.max(1),
        }
    }
}

impl FromStr for Limit {
    type Err = String;

    /// `0`, `none`, `off` or `unlimited`; else a number with an optional unit: `B`, `K`/`KB`
    /// (10^3), `KiB` (2^10), `M`/`MB`, `MiB`, `G`/`GB`, `GiB`, `T`/`TB`, `TiB`; fractions
    /// allowed (`1.5GiB`).
    fn from_str(s: &str) -> std::result::Result<Limit, String> {
        let t = s.trim();
        let lower = t.to_ascii_lowercase();
        if matches!(lower.as_str(), "0" | "none" | "off" | "unlimited") {
            return Ok(Limit::Unlimited);
        }
        let split = lower
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(lower.len());
        let (number, unit) = lower.split_at(split);
        let scale: u64 = match unit.trim() {
            "" | "b" => 1,
            "k" | "kb" => 1_000,
            "kib" => 1 << 10,
            "m" | "mb" => 1_000_000,
            "mib" => 1 << 20,
            "g" | "gb" => 1_000_000_000,
            "gib" => 1 << 30,
            "t" | "tb" => 1_000_000_000_000,
            "tib" => 1 << 40,
            _ => return Err(size_usage(t)),
        };
        let n: f64 = number.parse().map_err(|_| size_usage(t))?;
        let bytes = n * scale as f64;
        if !bytes.is_finite() || bytes < 0.0 || bytes >= u64::MAX as f64 {
            return Err(size_usage(t));
        }
        Ok(match bytes as u64 {
            0 => Limit::Unlimited,
            b => Limit::Bytes(b),
        })
    }
}

fn size_usage(s: &str) -> String {
    format!("`{s}` is not a memory size: write e.g. 512MB, 4GiB, or 0/none for no limit")
}

impl fmt::Display for Limit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Limit::Unlimited => f.write_str("none"),
            Limit::Bytes(n) => f.write_str(&format_size(*n, n.is_multiple_of(1000))),
        }
    }
}

/// The process default, `u64::MAX` until [`set_default`]: then [`machine_default`] applies.
static DEFAULT: AtomicU64 = AtomicU64::new(u64::MAX);

/// Sets the limit of every statement that does not name its own (`RunOptions::memory_limit`).
pub fn set_default(limit: Limit) {
    DEFAULT.store(limit.bytes(), Ordering::Relaxed);
}

/// The limit of a statement that names none: the one [`set_default`] set, else
/// [`machine_default`].
pub fn default_limit() -> Limit {
    match DEFAULT.load(Ordering::Relaxed) {
        u64::MAX => machine_default(),
        0 => Limit::Unlimited,
        n => Limit::Bytes(n),
    }
}

/// Half of the memory available to the process: the machine's physical memory, or the
/// cgroup's `memory.max` when that is lower (a container). One statement may take half; the
/// other half stays for the page cache, the read image's pages and other clients.
pub fn machine_default() -> Limit {
    static MACHINE: OnceLock<Limit> = OnceLock::new();
    *MACHINE.get_or_init(|| match available_memory() {
        Some(total) => Limit::Bytes(total / 2),
        None => Limit::Unlimited,
    })
}

fn available_memory() -> Option<u64> {
    // SAFETY: sysconf only reads system configuration.
    let (pages, page) = unsafe {
        (
            libc::sysconf(libc::_SC_PHYS_PAGES),
            libc::sysconf(libc::_SC_PAGESIZE),
        )
    };
    let physical = (pages > 0 && page > 0).then(|| pages as u64 * page as u64);
    let cgroup = std::fs::read_to_string("/sys/fs/cgroup/memory.max")
        .ok()
        .and_then(|s| s.trim().parse::<u64>().ok());
    match (physical, cgroup) {
        (Some(p), Some(c)) => Some(p.min(c)),
        (p, c) => p.or(c),
    }
}

/// The state of an enclosing scope, put back when the inner one ends.
struct Saved {
    limit: u64,
    held: i64,
    peak: i64,
    over: bool,
    batches: u64,
    shared: *const Shared,
    drift: i64,
}

/// Ends a scope: restores the enclosing one, which takes over what the inner one still holds.
struct Restore(Saved);

impl Drop for Restore {
    fn drop(&mut self) {
        METER.with(|m| {
            let inner_held = m.held.get();
            let outer = &self.0;
            m.limit.set(outer.limit);
            m.shared.set(outer.shared);
            if m.shared.get().is_null() {
                m.drift.set(outer.drift);
            }
            if outer.limit == 0 {
                m.held.set(0);
                m.peak.set(0);
                m.over.set(false);
                m.batches.set(0);
                return;
            }
            m.batches.set(outer.batches + m.batches.get());
            let held = outer.held + inner_held;
            m.held.set(held);
            m.peak.set(outer.peak.max(held));
            m.over.set(outer.over || held > outer.limit as i64);
        });
    }
}

/// Runs `f` as a statement holding at most `limit` on this thread: allocations are counted
/// from zero and [`check`] fails once they pass the limit. Within an enclosing scope an
/// unlimited `f` stays under the enclosing limit, and what `f` still holds when it returns
/// counts for the enclosing scope.
pub fn scope<R>(limit: Limit, f: impl FnOnce() -> R) -> R {
    let saved = METER.with(|m| {
        let saved = Saved {
            limit: m.limit.get(),
            held: m.held.get(),
            peak: m.peak.get(),
            over: m.over.get(),
            batches: m.batches.get(),
            shared: m.shared.get(),
            drift: m.drift.get(),
        };
        // Inside an enclosing scope, what that scope has left bounds the inner one.
        let left =
            (saved.limit != 0).then(|| saved.limit.saturating_sub(saved.held.max(0) as u64).max(1));
        let limit = match (limit.bytes(), left) {
            (0, None) => 0,
            (0, Some(left)) => left,
            (n, None) => n,
            (n, Some(left)) => n.min(left),
        };
        m.held.set(0);
        m.peak.set(0);
        m.over.set(false);
        m.batches.set(0);
        m.limit.set(limit);
        saved
    });
    let _restore = Restore(saved);
    f()
}

/// The poll: `Err(MemoryLimitExceeded)` once the statement on this thread has held more than
/// its limit. Cheap (one thread-local read) so that tight loops may call it every iteration.
#[inline]
pub fn check() -> Result<()> {
    if METER.with(|m| m.over.get() || with_shared(m, |s| s.over.load(Ordering::Relaxed))) {
        return Err(exceeded());
    }
    Ok(())
}

/// `f` of the count this thread shares, false when it shares none.
#[inline]
fn with_shared(m: &Meter, f: impl FnOnce(&Shared) -> bool) -> bool {
    let shared = m.shared.get();
    // SAFETY: non-null only while the `scope_shared` that set it borrows the `Shared`.
    !shared.is_null() && f(unsafe { &*shared })
}

/// The error of the statement on this thread: its limit and the most it held. On a thread
/// sharing its statement's count, both are the statement's (all its threads together), never
/// this thread's part.
#[cold]
fn exceeded() -> Error {
    METER.with(|m| {
        let shared = m.shared.get();
        if !shared.is_null() {
            // SAFETY: as in `with_shared`.
            let s = unsafe { &*shared };
            return Error::MemoryLimitExceeded {
                limit: s.limit,
                held: s.peak.load(Ordering::Relaxed).max(0) as u64,
                committed: s.batches,
            };
        }
        Error::MemoryLimitExceeded {
            limit: m.limit.get(),
            held: m.peak.get().max(0) as u64,
            committed: m.batches.get(),
        }
    })
}

/// Checks before allocating `bytes` at once: `Err(MemoryLimitExceeded)` when the statement on
/// this thread would pass its limit, so that one huge allocation fails cleanly instead of
/// being attempted.
pub fn reserve(bytes: u64) -> Result<()> {
    METER.with(|m| {
        if m.limit.get() == 0 {
            return Ok(());
        }
        // The statement's limit and what it holds: all its threads' when this one shares.
        let shared = m.shared.get();
        let (limit, held, committed) = if shared.is_null() {
            (m.limit.get(), m.held.get(), m.batches.get())
        } else {
            // SAFETY: as in `with_shared`.
            let s = unsafe { &*shared };
            (
                s.limit,
                s.held.load(Ordering::Relaxed) + m.drift.get(),
                s.batches,
            )
        };
        let would = (held.max(0) as u64).saturating_add(bytes);
        if would > limit {
            return Err(Error::MemoryLimitExceeded {
                limit,
                held: would,
                committed,
            });
        }
        Ok(())
    })
}

/// The count of the statement on this thread, for threads that work on it together
/// ([`scope_shared`]): its limit, and what it holds now as the start of their common count.
/// `None` when the statement has no limit (nothing to count).
pub fn shared() -> Option<Shared> {
    METER.with(|m| {
        let limit = m.limit.get();
        (limit != 0).then(|| {
            let held = m.held.get().max(0);
            Shared {
                limit,
                batches: m.batches.get(),
                held: AtomicI64::new(held),
                peak: AtomicI64::new(held),
                over: AtomicBool::new(held as u64 > limit),
            }
        })
    })
}

/// Runs `f` on this thread as part of the statement `shared` counts (a parallel operator's
/// worker, or the statement's own thread while its workers run): what `f` allocates counts on
/// this thread and, every 64 KiB, on the shared count; [`check`] fails once the threads
/// together have held more than the statement's limit, and the error names that limit and
/// what they held together (exact up to 64 KiB per thread). `None`: no limit, as [`scope`]
/// with none. What `f` still holds when it returns stays on this thread's count (a worker
/// reports it with [`held`] for the statement's thread to [`adopt`]).
pub fn scope_shared<R>(shared: Option<&Shared>, f: impl FnOnce() -> R) -> R {
    let Some(s) = shared else {
        return scope(Limit::Unlimited, f);
    };
    scope(Limit::Bytes(s.limit), || {
        METER.with(|m| {
            // Only the shared count stops the statement: this thread's part alone never
            // passes the statement's limit before the whole does (a limit this thread's count
            // never reaches, but not 0, which would stop the counting).
            m.limit.set(i64::MAX as u64);
            m.shared.set(s as *const Shared);
            m.drift.set(0);
        });
        f()
    })
}

/// Counts `bytes` that another thread allocated for this thread's statement and hands over
/// (a worker's partial results), as if allocated here: this thread frees them later.
pub fn adopt(bytes: i64) {
    if bytes > 0 {
        charge(bytes);
    }
}

/// What the statement on this thread holds now (0 outside a scope).
pub fn held() -> i64 {
    METER.with(|m| m.held.get())
}

/// After a batch of `CALL { } IN TRANSACTIONS` has committed: what the statement holds goes
/// back to at most `base`, what it held when the batch began. The batch's writes now belong to
/// the store, and the commit hands buffers to sled that sled's own threads free later, which
/// this thread's count would never see; without this a load of any size in batches would
/// reach the limit while its real footprint stays flat. Counts the batch: a later failure of
/// the statement, wherever it is polled (the operator above pulling the batch's rows, the
/// statement's last check), says that the committed batches stay.
pub fn settle(base: i64) {
    METER.with(|m| {
        m.batches.set(m.batches.get() + 1);
        if m.held.get() > base {
            m.held.set(base);
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_parse_with_units() {
        let p = |s: &str| s.parse::<Limit>();
        assert_eq!(p("512MB"), Ok(Limit::Bytes(512_000_000)));
        assert_eq!(p("512MiB"), Ok(Limit::Bytes(512 << 20)));
        assert_eq!(p("4GiB"), Ok(Limit::Bytes(4 << 30)));
        assert_eq!(p("1.5 GiB"), Ok(Limit::Bytes(3 << 29)));
        assert_eq!(p("100000"), Ok(Limit::Bytes(100_000)));
        assert_eq!(p("64k"), Ok(Limit::Bytes(64_000)));
        assert_eq!(p("0"), Ok(Limit::Unlimited));
        assert_eq!(p("None"), Ok(Limit::Unlimited));
        assert!(p("lots").is_err());
        assert!(p("12 parsecs").is_err());
        assert!(p("-5MB").is_err());
        assert!(p("").is_err());
        assert_eq!(format_size(512 << 20, false), "512 MiB");
        assert_eq!(format_size(3 << 29, false), "1.5 GiB");
        assert_eq!(format_size(900, false), "900 B");
        assert_eq!(Limit::Bytes(512_000_000).to_string(), "512 MB");
        let m = crate::error::exceeded_message(512_000_000, 512_000_100, 0);
        assert!(
            m.contains("limit of 512 MB (it held just over 512 MB"),
            "{m}"
        );
        assert!(m.contains("IN TRANSACTIONS OF"), "{m}");
    }

    // The library's unit tests run with the counting allocator installed (lib.rs).
    #[test]
    fn a_scope_counts_its_allocations_and_fails_the_next_poll() {
        let r = scope(Limit::Bytes(1 << 20), || {
            assert!(check().is_ok());
            let small = vec![0u8; 1000];
            assert!(held() >= 1000);
            assert!(check().is_ok());
            let big = vec![1u8; 2 << 20];
            let polled = check();
            drop((small, big));
            polled
        });
        match r {
            Err(Error::MemoryLimitExceeded { limit, held, .. }) => {
                assert_eq!(limit, 1 << 20);
                assert!(held >= 2 << 20, "{held}");
            }
            other => panic!("{other:?}"),
        }
        // Outside the scope nothing is counted or refused.
        let big = vec![1u8; 4 << 20];
        assert!(check().is_ok());
        assert_eq!(held(), 0);
        drop(big);
    }

    #[test]
    fn freed_memory_leaves_the_count_and_nested_scopes_add_up() {
        scope(Limit::Bytes(3 << 20), || {
            for _ in 0..10 {
                drop(vec![0u8; 2 << 20]);
            }
            assert!(check().is_ok(), "memory freed again never adds up");
            let kept = scope(Limit::Unlimited, || vec![0u8; 2 << 20]);
            assert!(check().is_ok());
            let inner = scope(Limit::Bytes(8 << 20), || {
                let more = vec![0u8; 2 << 20];
                // The enclosing 3 MiB limit applies inside: 4 MiB held in all.
                (check(), more)
            });
            assert!(inner.0.is_err());
            assert!(check().is_err(), "what the inner scope kept counts outside");
            drop((kept, inner));
        });
    }

    #[test]
    fn reserve_refuses_what_would_pass_the_limit() {
        scope(Limit::Bytes(1 << 20), || {
            assert!(reserve(1000).is_ok());
            assert!(matches!(
                reserve(1 << 40),
                Err(Error::MemoryLimitExceeded { .. })
            ));
            assert!(check().is_ok(), "reserve allocates nothing");
        });
        assert!(reserve(1 << 40).is_ok(), "no limit outside a scope");
    }

    #[test]
    fn other_threads_count_on_their_own() {
        scope(Limit::Bytes(1 << 20), || {
            let other = std::thread::spawn(|| {
                scope(Limit::Bytes(64 << 20), || {
                    let v = vec![0u8; 8 << 20];
                    let r = check();
                    drop(v);
                    r.is_ok()
                })
            });
            assert_eq!(other.join().ok(), Some(true));
            assert!(check().is_ok());
        });
    }
}
