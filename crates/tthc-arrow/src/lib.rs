//! # tthc-arrow
//!
//! The Arrow adapter of tthc-metrics, for Rust services that hold Arrow data and for the Python
//! binding. Record batches come in with the canonical column names of domain-rules section 2 (or a
//! mapping from the caller's names); reports go out as record batches.
//!
//! What it accepts, without casting:
//! * strings as `Utf8`, `LargeUtf8`, `Utf8View`, and dictionaries of them with any integer key
//!   (dictionary values are decoded once, not per row);
//! * times as `Date32` (borrowed, zero copy), `Date64`, `Timestamp` of any unit with or without a
//!   time zone (borrowed, zero copy: a zone-aware column holds UTC instants and is read as UTC+7
//!   civil time; a naive one is taken as civil time already), and as text (`2023-10-16`,
//!   `2023-10-16 09:30:00`, `16/10/2023`, `16/10/2023 09:30`, RFC 3339 with an offset), parsed once;
//! * statuses, channels and online-service levels as integers of any width or as text;
//! * several record batches (chunked input).
//!
//! Bad values are rejected with the row (counted across batches), the column and the value; with
//! [`OnError::Skip`](tthc_metrics::OnError) they come back beside the report, never dropped.
#![deny(missing_docs)]

mod codes;
mod input;
mod limits;
mod output;
mod quality;

pub use input::{report_batches, report_batches_on, ArrowError, ColumnMap, CANONICAL_COLUMNS};
pub use output::{dossiers_to_batch, rejections_to_batch, report_to_batch};
pub use quality::{quality_batches, quality_to_batch};
