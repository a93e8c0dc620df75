//! A test-only fault injector for the file operations of [`super::write`] and [`super::merge`].
//!
//! Reliability tests call [`fail_nth`] and then run a write in the same thread: the n-th file
//! operation (counted from 1) fails as a full disk would, so every step of staging, the `--force`
//! merge and git set-up can be shown to leave the target untouched or complete. Outside such a
//! test the counter is never armed and [`check`] costs one thread-local read per file operation,
//! which is nothing beside the system call it guards.
//!
//! `folio batch` writes from rayon's threads, which a thread-local cannot reach, so the binary
//! can also be armed for the whole process: `FOLIO_TEST_FAIL_NTH=n` in its environment fails the
//! n-th guarded operation of the run, whichever thread does it. Only tests set it; it can only
//! make folio fail (as a full disk would), never do anything else.

use std::cell::Cell;
use std::io;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

/// The environment variable that arms the process-wide failpoint (tests only).
pub const PROCESS_FAILPOINT_VAR: &str = "FOLIO_TEST_FAIL_NTH";

static PROCESS_FAIL_AT: OnceLock<Option<usize>> = OnceLock::new();
static PROCESS_SEEN: AtomicUsize = AtomicUsize::new(0);

fn process_fail_at() -> Option<usize> {
    *PROCESS_FAIL_AT.get_or_init(|| {
        std::env::var(PROCESS_FAILPOINT_VAR)
            .ok()
            .and_then(|v| v.trim().parse().ok())
    })
}

thread_local! {
    static FAIL_AT: Cell<Option<usize>> = const { Cell::new(None) };
    static SEEN: Cell<usize> = const { Cell::new(0) };
}

/// Arms (`Some(n)`) or disarms (`None`) the failpoint for this thread and resets the count.
#[doc(hidden)]
pub fn fail_nth(n: Option<usize>) {
    FAIL_AT.with(|f| f.set(n));
    SEEN.with(|s| s.set(0));
}

/// How many guarded file operations this thread ran since the last [`fail_nth`].
#[doc(hidden)]
pub fn operations() -> usize {
    SEEN.with(Cell::get)
}

/// Counts one file operation and fails it when it is the armed one.
/// A pending interrupt fails it too (see [`super::interrupt`]).
pub(crate) fn check() -> io::Result<()> {
    super::interrupt::check()?;
    if let Some(n) = process_fail_at()
        && PROCESS_SEEN.fetch_add(1, Ordering::SeqCst) + 1 == n
    {
        return Err(injected());
    }
    let seen = SEEN.with(|s| {
        let n = s.get() + 1;
        s.set(n);
        n
    });
    match FAIL_AT.with(Cell::get) {
        Some(n) if n == seen => Err(injected()),
        _ => Ok(()),
    }
}

fn injected() -> io::Error {
    io::Error::new(
        io::ErrorKind::StorageFull,
        "injected failure (test failpoint)",
    )
}
