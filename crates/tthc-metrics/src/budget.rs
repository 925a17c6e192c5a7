//! The working memory one call may allocate beyond its input, planned before it is allocated.
//!
//! One [`MemoryBudget`] is created per call from the caller's limit
//! ([`ReportOptions::memory_limit`](crate::ReportOptions::memory_limit)) and handed down the
//! pipeline: the decoder reserves its per-row columns, preparation its resolved due dates, skip
//! lists and rejected records, the kernel its cells tables, the report its output rows. Each
//! reservation either fits in what is left or fails with [`Error::MemoryLimit`] naming what it
//! was for and how to stay within.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::Error;

/// Bytes one rejected (or repeated) record is budgeted at: the record and its strings, whose
/// texts are cut to [`MAX_TEXT`](crate::Rejection::MAX_TEXT) characters.
pub const REJECTION_BYTES: u64 = 640;

/// `1234567` as `1,234,567`.
///
/// # Example
/// ```
/// assert_eq!(tthc_metrics::thousands(1_234_567), "1,234,567");
/// ```
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// What a call may still allocate.
///
/// # Example
/// ```
/// use tthc_metrics::MemoryBudget;
/// let mut b = MemoryBudget::new(1_000);
/// b.reserve(|| "a table".into(), 600, "use less").unwrap();
/// let err = b.reserve(|| "another table".into(), 600, "use less").unwrap_err();
/// assert_eq!(err.code(), "memory_limit");
/// assert_eq!(err.to_string(), "another table needs 600 bytes but only 400 bytes of the memory limit of 1000 bytes are left; use less");
/// assert_eq!(b.remaining(), 400);
/// b.release(600);
/// assert_eq!(b.remaining(), 1_000);
/// ```
///
/// A budget may also carry a cancel flag ([`MemoryBudget::with_cancel`]): set from another
/// thread (an interrupt), it stops long work at its next block with [`Error::Interrupted`].
#[derive(Debug, Clone)]
pub struct MemoryBudget {
    limit: u64,
    used: u64,
    cancel: Option<Arc<AtomicBool>>,
    threads: usize,
}

impl MemoryBudget {
    /// A budget of `limit` bytes.
    ///
    /// # Example
    /// see [`MemoryBudget`].
    pub fn new(limit: u64) -> Self {
        Self {
            limit,
            used: 0,
            cancel: None,
            threads: 0,
        }
    }

    /// The same budget with at most `threads` worker threads for the call (0: as many as the
    /// machine has, up to 8): inside Spark or Dask, where each task already has its core, 1.
    ///
    /// # Example
    /// ```
    /// let b = tthc_metrics::MemoryBudget::new(1 << 20).with_threads(1);
    /// assert_eq!(b.threads(2_000_000), 1);
    /// assert_eq!(tthc_metrics::MemoryBudget::new(1 << 20).threads(10), 1); // small inputs: one
    /// ```
    #[must_use]
    pub fn with_threads(mut self, threads: usize) -> Self {
        self.threads = threads;
        self
    }

    /// Worker threads for `rows` rows of work: one below a quarter of a million rows, else the
    /// machine's cores up to 8 and up to the budget's limit.
    ///
    /// # Example
    /// see [`MemoryBudget::with_threads`].
    pub fn threads(&self, rows: usize) -> usize {
        let machine = if rows >= 1 << 18 {
            std::thread::available_parallelism()
                .map_or(1, std::num::NonZeroUsize::get)
                .min(8)
        } else {
            1
        };
        if self.threads == 0 {
            machine
        } else {
            machine.min(self.threads)
        }
    }

    /// The same budget, stopped when `flag` is set.
    ///
    /// # Example
    /// ```
    /// use std::sync::{Arc, atomic::{AtomicBool, Ordering}};
    /// let flag = Arc::new(AtomicBool::new(false));
    /// let b = tthc_metrics::MemoryBudget::new(1 << 20).with_cancel(flag.clone());
    /// assert!(b.check_cancel().is_ok());
    /// flag.store(true, Ordering::Relaxed);
    /// assert_eq!(b.check_cancel().unwrap_err().code(), "interrupted");
    /// ```
    #[must_use]
    pub fn with_cancel(mut self, flag: Arc<AtomicBool>) -> Self {
        self.cancel = Some(flag);
        self
    }

    /// The cancel flag, if any.
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::MemoryBudget::new(1).cancel_flag().is_none());
    /// ```
    pub fn cancel_flag(&self) -> Option<&AtomicBool> {
        self.cancel.as_deref()
    }

    /// [`Error::Interrupted`] once the cancel flag is set.
    ///
    /// # Errors
    /// [`Error::Interrupted`].
    ///
    /// # Example
    /// see [`MemoryBudget::with_cancel`].
    pub fn check_cancel(&self) -> Result<(), Error> {
        if self
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
        {
            Err(Error::Interrupted)
        } else {
            Ok(())
        }
    }

    /// The limit it was created with.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::MemoryBudget::new(7).limit(), 7);
    /// ```
    pub fn limit(&self) -> u64 {
        self.limit
    }

    /// Bytes still available.
    ///
    /// # Example
    /// see [`MemoryBudget`].
    pub fn remaining(&self) -> u64 {
        self.limit.saturating_sub(self.used)
    }

    /// Reserves `bytes` for `what` (a description built only on failure).
    ///
    /// # Errors
    /// [`Error::MemoryLimit`] when they do not fit; nothing is reserved then.
    ///
    /// # Example
    /// see [`MemoryBudget`].
    pub fn reserve(
        &mut self,
        what: impl FnOnce() -> String,
        bytes: u64,
        hint: &str,
    ) -> Result<(), Error> {
        if bytes > self.remaining() {
            return Err(Error::MemoryLimit {
                what: what(),
                needed: bytes,
                available: self.remaining(),
                limit: self.limit,
                hint: hint.to_string(),
            });
        }
        self.used += bytes;
        Ok(())
    }

    /// Returns `bytes` reserved earlier (memory freed).
    ///
    /// # Example
    /// see [`MemoryBudget`].
    pub fn release(&mut self, bytes: u64) {
        self.used = self.used.saturating_sub(bytes);
    }

    /// Reserves room for `n` more rejected or repeated records.
    ///
    /// # Errors
    /// [`Error::MemoryLimit`] saying that most rows are rejected.
    ///
    /// # Example
    /// ```
    /// let mut b = tthc_metrics::MemoryBudget::new(10_000);
    /// assert!(b.reserve_rejections(2).is_ok());
    /// assert!(b.reserve_rejections(1_000).unwrap_err().to_string().contains("rejected records"));
    /// ```
    pub fn reserve_rejections(&mut self, n: u64) -> Result<(), Error> {
        self.reserve(
            || {
                format!(
                    "the list of {} more rejected records ({REJECTION_BYTES} bytes each)",
                    thousands(n)
                )
            },
            n.saturating_mul(REJECTION_BYTES),
            "check the column mapping and the input's encoding (most rows are rejected), or \
             raise the memory limit",
        )
    }
}
