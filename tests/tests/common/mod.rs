//! The harness shared by the fuzz targets (`fuzz_*.rs`).
//!
//! * Case counts come from `PROPTEST_CASES` (proptest's own variable) with a small default per
//!   target, so that `make test` stays fast and `make fuzz` runs deep; every other proptest
//!   variable (`PROPTEST_RNG_SEED`, `PROPTEST_MAX_SHRINK_ITERS`...) works as usual.
//! * [`guard`] runs one input in its own thread: a panic becomes a test failure that shows the
//!   input, and so does a hang (no result within [`HANG`]).
#![allow(dead_code)] // each fuzz target uses a part of the harness

use std::fmt::Debug;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::mpsc;
use std::time::Duration;

use proptest::test_runner::Config;

/// Longest time one input may take before it counts as a hang (debug build, loaded machine).
pub const HANG: Duration = Duration::from_secs(20);

/// A proptest configuration with `default_cases` cases unless `PROPTEST_CASES` says otherwise.
pub fn config(default_cases: u32) -> Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    let max_shrink_time = if std::env::var_os("PROPTEST_MAX_SHRINK_TIME").is_some() {
        Config::default().max_shrink_time
    } else {
        60_000
    };
    Config {
        cases,
        max_shrink_time,
        ..Config::default()
    }
}

/// Runs `f(input)` in a thread and returns its result; panics (failing the test, so that proptest
/// shrinks and reports the input) when `f` panics or does not return within [`HANG`].
pub fn guard<I, T, F>(what: &str, input: I, f: F) -> T
where
    I: Debug + Clone + Send + 'static,
    T: Send + 'static,
    F: FnOnce(I) -> T + Send + 'static,
{
    let shown = input.clone();
    let (tx, rx) = mpsc::channel();
    std::thread::Builder::new()
        .name(format!("fuzz {what}"))
        // a panic's backtrace is symbolised on this stack: debug builds need room
        .stack_size(32 << 20)
        .spawn(move || {
            let out = catch_unwind(AssertUnwindSafe(move || f(input)));
            let _ = tx.send(out);
        })
        .expect("spawn a fuzz worker");
    match rx.recv_timeout(HANG) {
        Ok(Ok(v)) => v,
        Ok(Err(panic)) => {
            let msg = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_string()))
                .unwrap_or_default();
            // no panic hook (and no second backtrace) on the test thread: proptest reads the message
            std::panic::resume_unwind(Box::new(format!(
                "{what} panicked ({msg}) on input {shown:?}"
            )))
        }
        Err(_) => std::panic::resume_unwind(Box::new(format!(
            "{what} did not return within {HANG:?} (hang) on input {shown:?}"
        ))),
    }
}
