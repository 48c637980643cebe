//! Ctrl-C while a query runs: a SIGINT handler that only raises the running query's cancel
//! flag (the line editor reads Ctrl-C itself as a key while the prompt is shown, because the
//! terminal is in raw mode then).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};

static CANCEL: OnceLock<Arc<AtomicBool>> = OnceLock::new();

extern "C" fn on_sigint(_signal: libc::c_int) {
    // Only async-signal-safe work here: an atomic load and an atomic store.
    if let Some(flag) = CANCEL.get() {
        flag.store(true, Ordering::SeqCst);
    }
}

/// Makes SIGINT set `flag` instead of ending the process. Returns false when the handler could
/// not be installed (or a different flag was installed before).
pub fn cancel_on_sigint(flag: Arc<AtomicBool>) -> bool {
    if CANCEL.set(flag.clone()).is_err() && !CANCEL.get().is_some_and(|f| Arc::ptr_eq(f, &flag)) {
        return false;
    }
    // SAFETY: `sigaction` with a zeroed struct, an empty mask and a handler that only touches
    // atomics is the documented way to install a signal handler; SA_RESTART keeps
    // interrupted reads going.
    unsafe {
        let mut action: libc::sigaction = std::mem::zeroed();
        action.sa_sigaction = on_sigint as extern "C" fn(libc::c_int) as libc::sighandler_t;
        action.sa_flags = libc::SA_RESTART;
        libc::sigemptyset(&mut action.sa_mask);
        libc::sigaction(libc::SIGINT, &action, std::ptr::null_mut()) == 0
    }
}

/// Columns of the terminal on stdout, if stdout is one.
pub fn terminal_width() -> Option<usize> {
    // SAFETY: TIOCGWINSZ fills a plain-data `winsize` struct we own; failure leaves it zeroed.
    unsafe {
        let mut size: libc::winsize = std::mem::zeroed();
        if libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut size) == 0 && size.ws_col > 0 {
            Some(usize::from(size.ws_col))
        } else {
            None
        }
    }
}
