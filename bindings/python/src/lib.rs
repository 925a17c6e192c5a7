//! The Python binding of tthc-metrics: conversion and error mapping only. Every computation
//! lives in the Rust crates (`tthc-metrics`, `tthc-arrow`); this crate converts arguments, runs
//! the work with the GIL released (and stops it at Ctrl-C), maps errors to the `TthcError`
//! hierarchy and never lets a panic reach Python. One file per core concept.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Condvar, Mutex};
use std::time::Duration;

use pyo3::prelude::*;
use tthc_arrow::ArrowError;

mod calendar;
mod errors;
mod forms;
mod input;
mod io;
mod options;
mod report;
mod samples;
mod scoring;
mod tally;

use errors::{internal_error, map_error};

/// The extension's allocator: mimalloc keeps the pages a call freed for the next one. With the
/// system allocator every report on text columns got its working columns (a time column parsed
/// from text is 8 bytes a row) as fresh pages from the kernel, faulted in and zeroed a page at a
/// time: 13% of a report on 10M rows of text times (0.592 s median against 0.512 s, the two
/// builds alternated). Polars ships its own allocator (jemalloc) for the same reason.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Runs `f` on a worker thread with the GIL released: panics become
/// `TthcError("internal_error")`, and a signal (Ctrl-C) sets the cancel flag `f` gets, so that the
/// work stops at its next block and the signal's exception is raised.
pub(crate) fn compute<T: Send>(
    py: Python<'_>,
    f: impl FnOnce(Arc<AtomicBool>) -> Result<T, ArrowError> + Send,
) -> PyResult<T> {
    compute_with(py, f, map_error)
}

/// [`compute`] for work with another error type, mapped to Python by `map`.
pub(crate) fn compute_with<T: Send, E: Send>(
    py: Python<'_>,
    f: impl FnOnce(Arc<AtomicBool>) -> Result<T, E> + Send,
    map: impl FnOnce(Python<'_>, &E) -> PyErr,
) -> PyResult<T> {
    type Outcome<T, E> = std::thread::Result<Result<T, E>>;
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let slot: (Mutex<Option<Outcome<T, E>>>, Condvar) = (Mutex::new(None), Condvar::new());
    let wait = |timeout: Option<Duration>| -> Option<Outcome<T, E>> {
        let (lock, cv) = &slot;
        let mut guard = lock
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        loop {
            if let Some(r) = guard.take() {
                return Some(r);
            }
            match timeout {
                Some(t) => {
                    let (g, res) = cv
                        .wait_timeout(guard, t)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                    guard = g;
                    if res.timed_out() {
                        return guard.take();
                    }
                }
                None => {
                    guard = cv
                        .wait(guard)
                        .unwrap_or_else(std::sync::PoisonError::into_inner);
                }
            }
        }
    };
    let outcome: PyResult<Outcome<T, E>> = std::thread::scope(|s| {
        s.spawn(|| {
            let r = catch_unwind(AssertUnwindSafe(|| f(flag)));
            let (lock, cv) = &slot;
            *lock
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(r);
            cv.notify_all();
        });
        loop {
            if let Some(r) = py.detach(|| wait(Some(Duration::from_millis(50)))) {
                return Ok(r);
            }
            if let Err(signal) = py.check_signals() {
                cancel.store(true, Ordering::Relaxed);
                // the worker stops at its next block; wait for it, then raise the signal
                let _ = py.detach(|| wait(None));
                return Err(signal);
            }
        }
    });
    match outcome? {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(map(py, &e)),
        Err(panic) => Err(internal_error(py, &panic_text(&*panic))),
    }
}

pub(crate) fn panic_text(panic: &(dyn std::any::Any + Send)) -> String {
    panic
        .downcast_ref::<&str>()
        .map(|s| (*s).to_string())
        .or_else(|| panic.downcast_ref::<String>().cloned())
        .unwrap_or_default()
}

/// Runs a quick call (no worker thread) with panics caught.
pub(crate) fn guard<T>(py: Python<'_>, f: impl FnOnce() -> PyResult<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(panic) => Err(internal_error(py, &panic_text(&*panic))),
    }
}

#[pymodule]
fn _tthc_metrics(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    calendar::register(m)?;
    scoring::register(m)?;
    tally::register(m)?;
    report::register(m)?;
    samples::register(m)?;
    io::register(m)?;
    forms::register(m)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
