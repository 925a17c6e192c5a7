//! What the adapter allocates, planned before it allocates it.
//!
//! The adapter keeps, for every input row, the coded columns the kernel reads (status, group,
//! channel, online level, supplements, sync flag: at most 12 bytes) and, for a time column given
//! as text, the parsed instants (8 bytes and a validity bit). Decoding a batch needs a little
//! more for a while (a result a row for one column at a time, the bad values found); batches
//! longer than [`SLICE_ROWS`] are decoded in zero-copy slices so that this stays small whatever
//! the input's chunking (a pandas frame of 100 million rows is one chunk). Times given as dates
//! or timestamps are never copied. Measured at peak (the `limits` integration test, counting
//! allocator, 3 Mi rows in one batch): 10 bytes a row with timestamps, integer codes and
//! dictionary units; 38 bytes a row with three text time columns (each parsed once).

use arrow_array::{Array, RecordBatch};
use arrow_schema::DataType;
use tthc_metrics::{Error, ReportOptions};

use crate::input::ArrowError;

/// Rows decoded at a time: longer batches are cut into zero-copy slices of this many rows.
pub(crate) const SLICE_ROWS: usize = 1 << 20;
/// Bytes a row keeps for its coded columns (status 1, group 4, channel 1, online level 1,
/// supplements 4, sync flag 1, rounded up).
const CODED_ROW_BYTES: u64 = 16;
/// Bytes a row keeps for each time column given as text (8-byte instant, validity bit).
const TEXT_TIME_ROW_BYTES: u64 = 9;
/// Bytes a row of the slice being decoded needs for a while (one decoded column, bad values).
const DECODE_ROW_BYTES: u64 = 40;
/// Bytes one rejected record is budgeted at (as the core budgets it).
pub(crate) const REJECTION_BYTES: u64 = 256;

/// The batches cut into slices of at most [`SLICE_ROWS`] rows (zero-copy: the arrays are
/// shared), in order.
pub(crate) fn slices(batches: &[RecordBatch]) -> Vec<RecordBatch> {
    let mut out = Vec::with_capacity(batches.len());
    for b in batches {
        let n = b.num_rows();
        if n <= SLICE_ROWS {
            out.push(b.clone());
            continue;
        }
        let mut lo = 0;
        while lo < n {
            let len = SLICE_ROWS.min(n - lo);
            out.push(b.slice(lo, len));
            lo += len;
        }
    }
    out
}

/// Every batch has the first batch's columns: the same names and types, in the same order (an
/// Arrow stream has one schema; batches put together by hand may not).
pub(crate) fn check_schemas(batches: &[RecordBatch]) -> Result<(), ArrowError> {
    let Some(first) = batches.first() else {
        return Ok(());
    };
    let fields = first.schema().fields().clone();
    for (i, b) in batches.iter().enumerate().skip(1) {
        let other = b.schema();
        if other.fields().len() != fields.len()
            || other
                .fields()
                .iter()
                .zip(fields.iter())
                .any(|(a, b)| a.name() != b.name() || a.data_type() != b.data_type())
        {
            let show = |f: &arrow_schema::Fields| {
                f.iter()
                    .map(|f| format!("{}: {}", f.name(), f.data_type()))
                    .collect::<Vec<_>>()
                    .join(", ")
            };
            return Err(ArrowError::SchemaMismatch {
                batch: i,
                expected: show(&fields),
                found: show(other.fields()),
            });
        }
    }
    Ok(())
}

fn is_text(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_text(v),
        _ => false,
    }
}

/// The bytes the adapter will allocate for `batches` (already sliced), given which time columns
/// (`time_columns`: their indices) it reads and how many time columns it builds besides
/// (`owned_times`: due dates computed or replaced); an [`Error::MemoryLimit`] when they exceed
/// `limit`.
pub(crate) fn plan(
    batches: &[RecordBatch],
    time_columns: &[usize],
    owned_times: u64,
    limit: u64,
) -> Result<u64, ArrowError> {
    let Some(first) = batches.first() else {
        return Ok(0);
    };
    let rows: u64 = batches.iter().map(|b| b.num_rows() as u64).sum();
    let widest = batches.iter().map(RecordBatch::num_rows).max().unwrap_or(0) as u64;
    let text_times = time_columns
        .iter()
        .filter(|&&c| c < first.num_columns() && is_text(first.column(c).data_type()))
        .count() as u64
        + owned_times;
    let per_row = CODED_ROW_BYTES + text_times * TEXT_TIME_ROW_BYTES;
    let needed = rows
        .saturating_mul(per_row)
        .saturating_add(widest.saturating_mul(DECODE_ROW_BYTES));
    if needed > limit {
        return Err(Error::MemoryLimit {
            what: format!(
                "decoding {} rows ({per_row} bytes each{})",
                thousands(rows),
                if text_times > 0 {
                    format!(
                        ", of which {} for {text_times} time column(s) parsed from text or built",
                        text_times * TEXT_TIME_ROW_BYTES
                    )
                } else {
                    String::new()
                }
            ),
            needed,
            limit,
            hint:
                "give times as dates or timestamps rather than text, report on parts of the table \
                   and merge their tallies, or raise the memory limit"
                    .into(),
        }
        .into());
    }
    Ok(needed)
}

/// The error for more rejected records than the memory limit can hold.
pub(crate) fn too_many_rejected(max: u64, limit: u64) -> ArrowError {
    Error::MemoryLimit {
        what: format!(
            "the list of rejected records (more than {} records × {REJECTION_BYTES} bytes)",
            thousands(max)
        ),
        needed: (max + 1).saturating_mul(REJECTION_BYTES),
        limit,
        hint: "check the column mapping and the input's encoding (most rows are rejected), or \
               raise the memory limit"
            .into(),
    }
    .into()
}

/// The options the kernel runs with: the memory limit less what the adapter holds.
pub(crate) fn kernel_options(options: &ReportOptions, used: u64) -> ReportOptions {
    options
        .clone()
        .memory_limit(options.memory_limit.saturating_sub(used))
}

fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}
