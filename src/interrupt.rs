//! Cancellation (Ctrl-C), time and memory limits for long loops outside the executor's operators:
//! algorithms, projections, exports. The executor's operators check `ExecCtx::tick`; code that
//! has no `ExecCtx` (an algorithm deep inside a procedure, an exporter writing a subgraph)
//! calls [`check`] or a [`Ticker`] instead, which read the limits of the statement or command
//! running on this thread, set by [`scope`] (`Session::run_with` sets them for every
//! statement, the shell for `:export`). Outside any scope [`check`] never fails.

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::error::{Error, Result};

/// What stops a long loop: a cancellation flag and a deadline (with its limit in ms, for the
/// error message).
#[derive(Clone, Debug, Default)]
pub struct Limits {
    pub cancel: Option<Arc<AtomicBool>>,
    pub deadline: Option<(Instant, u64)>,
}

impl Limits {
    /// Limits starting now: `timeout` from now, and `cancel` when it is set.
    pub fn new(cancel: Option<Arc<AtomicBool>>, timeout: Option<Duration>) -> Limits {
        Limits {
            cancel,
            deadline: timeout.map(|t| (Instant::now() + t, t.as_millis() as u64)),
        }
    }

    /// `Err(Cancelled)` once the flag is set, `Err(Timeout)` past the deadline.
    pub fn check(&self) -> Result<()> {
        check_limits(self.cancel.as_deref(), self.deadline)
    }
}

/// The one test of a statement's limits (the executor's per-row check and [`Limits::check`]):
/// `Err(Cancelled)` once `cancel` is set, `Err(Timeout(ms))` at or past `deadline`, and
/// `Err(MemoryLimitExceeded)` once the statement on this thread is over its memory limit
/// (`memory_budget`, which keeps that limit per thread itself).
pub fn check_limits(cancel: Option<&AtomicBool>, deadline: Option<(Instant, u64)>) -> Result<()> {
    crate::memory_budget::check()?;
    if cancel.is_some_and(|c| c.load(Ordering::Relaxed)) {
        return Err(Error::Cancelled);
    }
    match deadline {
        Some((deadline, ms)) if Instant::now() >= deadline => Err(Error::Timeout(ms)),
        _ => Ok(()),
    }
}

thread_local! {
    static CURRENT: RefCell<Option<Limits>> = const { RefCell::new(None) };
}

/// Restores the enclosing scope's limits, also when `f` panics.
struct Restore(Option<Limits>);

impl Drop for Restore {
    fn drop(&mut self) {
        let prev = self.0.take();
        CURRENT.with(|c| *c.borrow_mut() = prev);
    }
}

/// Runs `f` with `limits` as this thread's current limits.
pub fn scope<R>(limits: Limits, f: impl FnOnce() -> R) -> R {
    let prev = CURRENT.with(|c| c.borrow_mut().replace(limits));
    let _restore = Restore(prev);
    f()
}

/// This thread's current limits (none outside a scope), to hand to a helper thread.
pub fn current() -> Limits {
    CURRENT.with(|c| c.borrow().clone().unwrap_or_default())
}

/// Checks the current limits and the memory limit of the statement on this thread: call it in
/// every long loop (once per outer iteration, or through a [`Ticker`] in tight loops).
pub fn check() -> Result<()> {
    CURRENT.with(|c| match &*c.borrow() {
        Some(l) => l.check(),
        None => crate::memory_budget::check(),
    })
}

/// Calls [`check`] every 1,024 ticks, for tight loops.
#[derive(Default)]
pub struct Ticker(u32);

impl Ticker {
    #[inline]
    pub fn tick(&mut self) -> Result<()> {
        self.0 = self.0.wrapping_add(1);
        if self.0 & 1023 != 0 {
            return Ok(());
        }
        check()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scope_sets_and_restores_the_limits() {
        assert!(check().is_ok());
        let flag = Arc::new(AtomicBool::new(true));
        let inner = scope(Limits::new(Some(flag.clone()), None), || {
            let nested = scope(Limits::default(), check);
            (check(), nested)
        });
        assert!(matches!(inner.0, Err(Error::Cancelled)));
        assert!(inner.1.is_ok());
        assert!(check().is_ok());
        let timed = scope(Limits::new(None, Some(Duration::ZERO)), check);
        assert!(matches!(timed, Err(Error::Timeout(0))));
    }
}
