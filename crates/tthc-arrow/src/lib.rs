//! # tthc-arrow
//!
//! The Arrow adapter of tthc-metrics, for Rust services that hold Arrow data and for the Python
//! binding. Record batches come in with the canonical column names of domain-rules section 2, the
//! headers real exports use (section 9), or a mapping from the caller's names; they are decoded
//! once ([`decode_batches`]) into the core's columns, prepared and reported by the core; reports
//! go out as record batches with `int64` counts and their provenance in the metadata.
//!
//! What it accepts, without casting:
//! * strings as `Utf8`, `LargeUtf8`, `Utf8View`, and dictionaries of them with any integer key
//!   (dictionary values are decoded once, not per row); the data is validated where it enters
//!   (UTF-8, dictionary keys, buffer lengths): invalid Arrow is a typed error;
//! * times as `Date32` (borrowed, zero copy), `Date64`, `Timestamp` of any unit with or without a
//!   time zone (borrowed: a zone-aware column holds UTC instants and is read as UTC+7 civil time;
//!   a naive one is taken as civil time already), as text in the formats of section 9, and as
//!   Excel serial numbers (`Float64`), parsed once;
//! * statuses, channels and online-service levels as integers of any width or as text, read with
//!   a [`Vocabulary`](tthc_metrics::Vocabulary) the caller can extend;
//! * several record batches (chunked input).
//!
//! Bad values are rejected with the row (counted across batches), the column and the value; with
//! [`OnError::Skip`](tthc_metrics::OnError) they come back beside the report, never dropped.
#![deny(missing_docs)]

mod calendar;
mod codes;
mod column_map;
mod decode;
mod error;
mod forms;
mod intern;
mod merge;
mod output;
mod report;
mod text;
mod time_lanes;
mod times;

pub use calendar::{add_working_days_array, working_day_flags, working_days_between_array};
pub use column_map::{fold_header, ColumnMap, Resolved, CANONICAL_COLUMNS, HEADER_ALIASES};
pub use decode::{decode_batches, DecodeOptions, Decoded, VOCABULARY_KEYS};
pub use error::ArrowError;
pub use forms::{
    bieu_06a_decoded, form_fields, form_to_batch, methods_decoded, methods_to_batch,
    weekly_decoded, weekly_to_batch,
};
pub use merge::merge_report_batches;
pub use output::{
    dossiers_to_batch, quality_to_batch, rejections_to_batch, relabel, report_to_batch, Labels,
    TableOptions, COUNT_COLUMNS,
};
pub use report::{
    earliest_reception, quality_batches, quality_decoded, quality_fields, report_batches,
    report_decoded, report_fields, tally_batches,
};
pub use times::parse_time_text;
