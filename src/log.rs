//! What a run says on stderr besides its report and its error: nothing
//! with `--quiet` but errors, with `--verbose` also what it read, which
//! profile and templates it used, and how long each step took.

use std::io::Write as _;
use std::sync::atomic::{AtomicU8, Ordering};
use std::time::Instant;

static LEVEL: AtomicU8 = AtomicU8::new(NORMAL);

pub const QUIET: u8 = 0;
pub const NORMAL: u8 = 1;
pub const VERBOSE: u8 = 2;

pub fn set_level(level: u8) {
    LEVEL.store(level, Ordering::Relaxed);
}

pub fn quiet() -> bool {
    LEVEL.load(Ordering::Relaxed) == QUIET
}

pub fn verbose() -> bool {
    LEVEL.load(Ordering::Relaxed) == VERBOSE
}

/// Prints `message()` with `--verbose`; builds it only then.
pub fn detail(message: impl FnOnce() -> String) {
    if verbose() {
        let _ = writeln!(anstream::stderr(), "verbose: {}", message());
    }
}

/// Prints `message` unless `--quiet`: what a run should always say.
pub fn note(message: &str) {
    if !quiet() {
        let _ = writeln!(anstream::stderr(), "note: {message}");
    }
}

/// Times the steps of a run, printed with `--verbose`.
pub struct Timer(Instant);

impl Timer {
    pub fn start() -> Timer {
        Timer(Instant::now())
    }

    /// Says how long since the start or the last lap `step` took.
    pub fn lap(&mut self, step: &str) {
        let now = Instant::now();
        detail(|| format!("{step} took {:.2} ms", (now - self.0).as_secs_f64() * 1000.0));
        self.0 = now;
    }
}
