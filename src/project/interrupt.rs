//! SIGINT, SIGTERM and SIGHUP while folio writes: unwind, clean up, exit 128 + the signal.
//!
//! The handler runs on its own thread, so it must not delete folders a writer is still filling.
//! While a write is under way (a [`Deferred`] guard is held) it only raises a flag; every guarded
//! file operation ([`super::failpoint::check`]) then fails with "interrupted", and the ordinary
//! error paths do the cleaning: the staging folder is dropped, a `--force` merge is rolled back,
//! a batch writes its report. With no write under way (e.g. at a prompt) the handler restores the
//! terminal's cursor and exits at once: no staging folder exists then. The exit code says which
//! signal came, as shells do: 130 for SIGINT (Ctrl-C), 143 for SIGTERM, 129 for SIGHUP.

use std::io::{self, IsTerminal, Write};
use std::sync::atomic::{AtomicBool, AtomicI32, AtomicUsize, Ordering};
use std::time::{Duration, SystemTime};

static INTERRUPTED: AtomicBool = AtomicBool::new(false);
/// The signal that came (SIGINT until one does).
static SIGNAL: AtomicI32 = AtomicI32::new(signal_hook::consts::SIGINT);
static WRITERS: AtomicUsize = AtomicUsize::new(0);
/// Questions open now (`folio new` in a terminal): an interrupt then cancels before any write.
static PROMPTS: AtomicUsize = AtomicUsize::new(0);
static STARTED: std::sync::OnceLock<SystemTime> = std::sync::OnceLock::new();

/// The exit code after an interrupt: 128 + the signal's number (130 for Ctrl-C, 143 for SIGTERM).
pub fn exit_code() -> u8 {
    u8::try_from(128 + SIGNAL.load(Ordering::SeqCst)).unwrap_or(130)
}

/// Installs the handler once, at start-up: a thread that waits for the signals, so nothing
/// but a flag is touched in the signal handler itself.
pub fn install() {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    started();
    let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP]) else {
        return; // no handler: the default action (exit) applies, as before folio installs one
    };
    let _ = std::thread::Builder::new()
        .name("folio-signals".into())
        .spawn(move || {
            for signal in signals.forever() {
                SIGNAL.store(signal, Ordering::SeqCst);
                INTERRUPTED.store(true, Ordering::SeqCst);
                if WRITERS.load(Ordering::SeqCst) == 0 {
                    restore_cursor();
                    if PROMPTS.load(Ordering::SeqCst) > 0 {
                        eprintln!("\nfolio: cancelled, nothing written.");
                    } else {
                        eprintln!("folio: interrupted.");
                    }
                    std::process::exit(i32::from(exit_code()));
                }
            }
        });
}

/// When this process started (at the latest): staging folders older than it are stale.
pub fn started() -> SystemTime {
    *STARTED.get_or_init(SystemTime::now)
}

/// Whether a signal came.
pub fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// Held while folio writes: the handler then leaves the cleaning to the writer.
pub struct Deferred(());

/// See [`Deferred`].
pub fn defer() -> Deferred {
    WRITERS.fetch_add(1, Ordering::SeqCst);
    Deferred(())
}

impl Drop for Deferred {
    fn drop(&mut self) {
        WRITERS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Held while a question is open, so an interrupt says the run was cancelled before writing.
pub struct Prompting(());

/// See [`Prompting`].
pub fn prompting() -> Prompting {
    PROMPTS.fetch_add(1, Ordering::SeqCst);
    Prompting(())
}

impl Drop for Prompting {
    fn drop(&mut self) {
        PROMPTS.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Fails when a signal came; with `FOLIO_TEST_SLOW_WRITES_MS` set (tests only), first waits so a
/// test can deliver its signal in the middle of a write.
pub(crate) fn check() -> io::Result<()> {
    if let Some(ms) = test_delay() {
        std::thread::sleep(Duration::from_millis(ms));
    }
    if interrupted() {
        return Err(io::Error::new(
            io::ErrorKind::Interrupted,
            "interrupted by a signal",
        ));
    }
    Ok(())
}

fn test_delay() -> Option<u64> {
    static DELAY: std::sync::OnceLock<Option<u64>> = std::sync::OnceLock::new();
    *DELAY.get_or_init(|| {
        std::env::var("FOLIO_TEST_SLOW_WRITES_MS")
            .ok()
            .and_then(|v| v.parse().ok())
    })
}

/// A prompt hides the cursor; a signal must not leave it hidden.
pub fn restore_cursor() {
    let mut err = io::stderr();
    if err.is_terminal() {
        let _ = err.write_all(b"\x1b[?25h");
        let _ = err.flush();
    }
}
