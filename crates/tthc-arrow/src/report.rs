//! Reports, tallies and quality reports over record batches: decode once ([`decode_batches`]),
//! then the core's pipeline (prepare, kernel) on the decoded columns.

use arrow_array::RecordBatch;
use tthc_metrics::{
    columnar, Calendar, DueDateChoice, GroupBy, MemoryBudget, QualityOptions, QualityReport,
    Report, ReportOptions, Summary,
};

use crate::column_map::ColumnMap;
use crate::decode::{decode_batches, DecodeOptions, Decoded};
use crate::error::ArrowError;

/// The column a key groups by must be in the table.
fn require_group(decoded: &Decoded, by: GroupBy) -> Result<(), ArrowError> {
    match by {
        GroupBy::Unit => decoded.resolved().require("unit").map(|_| ()),
        GroupBy::Procedure => decoded.resolved().require("procedure").map(|_| ()),
        GroupBy::Field => decoded.resolved().require("field").map(|_| ()),
        _ => Ok(()),
    }
}

/// The fields a report with `options` reads (with a calendar: the durations too).
///
/// # Example
/// ```
/// use tthc_metrics::{GroupBy, ReportOptions};
/// let o = ReportOptions::end_of_day(chrono::NaiveDate::from_ymd_opt(2023, 10, 16).unwrap()).group_by(GroupBy::Procedure);
/// let f = tthc_arrow::report_fields(&o, false);
/// assert!(f.contains(&"procedure") && f.contains(&"unit") && !f.contains(&"duration_days"));
/// ```
pub fn report_fields(options: &ReportOptions, calendar: bool) -> Vec<&'static str> {
    let mut f = vec![
        "dossier_id",
        "unit",
        "due_at",
        "finished_at",
        "returned_at",
        "channel",
        "online",
        "online_service",
        "supplement_requests",
        "synced_to_portal",
    ];
    match options.group_by {
        GroupBy::Procedure => f.push("procedure"),
        GroupBy::Field => f.push("field"),
        _ => {}
    }
    if options.classify.due_date == DueDateChoice::Rescheduled {
        f.push("rescheduled_due_at");
    }
    if calendar {
        f.push("duration_days");
    }
    f
}

/// The report of a decoded table (the core's preparation and kernel on its columns).
///
/// # Errors
/// The core's ([`columnar::prepare`], [`columnar::report`]).
///
/// # Example
/// see [`report_batches`].
pub fn report_decoded(
    decoded: &Decoded,
    options: &ReportOptions,
    calendar: Option<&Calendar>,
    budget: &mut MemoryBudget,
) -> Result<Report, ArrowError> {
    require_group(decoded, options.group_by)?;
    let chunks = decoded.columns();
    Ok(columnar::report_chunks(
        &chunks,
        decoded.rejected().to_vec(),
        options,
        calendar,
        budget,
    )?)
}

/// Builds a report from record batches: decodes the columns (found by `columns`, the canonical
/// names or the headers real exports use), rejects bad values with their row, column and value,
/// and runs the core's pipeline over all batches. A calendar, when given, computes the due date
/// of dossiers without one that have a `duration_days`.
///
/// # Errors
/// [`decode_batches`]' errors, or the core's (under `OnError::Raise`, the first bad record;
/// `MemoryLimit`).
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use arrow_array::{RecordBatch, StringArray, Date32Array, Int8Array, ArrayRef};
/// use tthc_arrow::{report_batches, ColumnMap};
/// use tthc_metrics::ReportOptions;
/// use chrono::NaiveDate;
/// let batch = RecordBatch::try_from_iter([
///     ("unit", Arc::new(StringArray::from(vec!["Phòng Y tế", "Phòng Y tế"])) as ArrayRef),
///     ("received_at", Arc::new(Date32Array::from(vec![19_631, 19_640])) as ArrayRef),
///     ("due_at", Arc::new(Date32Array::from(vec![Some(19_633), None])) as ArrayRef),
///     ("finished_at", Arc::new(Date32Array::from(vec![Some(19_635), None])) as ArrayRef),
///     ("status", Arc::new(Int8Array::from(vec![10, 4])) as ArrayRef),
/// ]).unwrap();
/// let as_of = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
/// let r = report_batches(&[batch], &ColumnMap::default(), &ReportOptions::end_of_day(as_of).granularity(None), None).unwrap();
/// assert_eq!((r.total().late, r.total().within_due), (1, 1));
/// ```
pub fn report_batches(
    batches: &[RecordBatch],
    columns: &ColumnMap,
    options: &ReportOptions,
    calendar: Option<&Calendar>,
) -> Result<Report, ArrowError> {
    let mut budget = MemoryBudget::new(options.memory_limit);
    let decode = DecodeOptions::default()
        .on_error(options.on_error)
        .only(&report_fields(options, calendar.is_some()));
    let decoded = decode_batches(batches, columns, &decode, &mut budget)?;
    report_decoded(&decoded, options, calendar, &mut budget)
}

/// One [`Summary`] of record batches (as [`tthc_metrics::tally`] of records).
///
/// # Errors
/// As [`report_batches`].
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use arrow_array::{RecordBatch, StringArray, Date32Array, ArrayRef};
/// use tthc_metrics::ReportOptions;
/// let batch = RecordBatch::try_from_iter([
///     ("unit", Arc::new(StringArray::from(vec!["Phòng Y tế"])) as ArrayRef),
///     ("received_at", Arc::new(Date32Array::from(vec![19_631])) as ArrayRef),
///     ("status", Arc::new(StringArray::from(vec!["Công dân yêu cầu rút hồ sơ"])) as ArrayRef),
/// ]).unwrap();
/// let o = ReportOptions::end_of_day(chrono::NaiveDate::from_ymd_opt(2023, 10, 16).unwrap());
/// let t = tthc_arrow::tally_batches(&[batch], &tthc_arrow::ColumnMap::default(), &o, None).unwrap();
/// assert_eq!(t.tally.withdrawn, 1);
/// ```
pub fn tally_batches(
    batches: &[RecordBatch],
    columns: &ColumnMap,
    options: &ReportOptions,
    calendar: Option<&Calendar>,
) -> Result<Summary, ArrowError> {
    Ok(report_batches(batches, columns, &options.for_tally(), calendar)?.summary()?)
}

/// The fields the quality report reads.
///
/// # Example
/// ```
/// assert!(tthc_arrow::quality_fields().contains(&"apology_issued_at"));
/// ```
pub fn quality_fields() -> Vec<&'static str> {
    vec![
        "dossier_id",
        "unit",
        "procedure",
        "field",
        "due_at",
        "finished_at",
        "returned_at",
        "channel",
        "online",
        "supplement_requests",
        "submitted_at",
        "apology_issued",
        "apology_issued_at",
        "rescheduled_due_at",
    ]
}

/// The data-quality report of a decoded table.
///
/// # Errors
/// The core's ([`tthc_metrics::quality`]).
///
/// # Example
/// see [`quality_batches`].
pub fn quality_decoded(
    decoded: &Decoded,
    options: &QualityOptions,
    calendar: Option<&Calendar>,
    budget: &mut MemoryBudget,
) -> Result<QualityReport, ArrowError> {
    require_group(decoded, options.group_by)?;
    let chunks = decoded.columns();
    Ok(columnar::quality_of_chunks(
        &chunks,
        decoded.rejected().to_vec(),
        options,
        calendar,
        budget,
    )?)
}

/// The data-quality report ([`tthc_metrics::quality`]) over record batches: the same decoding
/// and preparation as reports, every bad row counted by reason.
///
/// # Errors
/// As [`report_batches`].
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, BooleanArray, Date32Array, DictionaryArray, RecordBatch, StringArray, UInt8Array};
/// use arrow_array::types::Int8Type;
/// use tthc_arrow::{quality_batches, ColumnMap};
/// use tthc_metrics::QualityOptions;
/// use chrono::NaiveDate;
/// // two spellings of one commune that differ only by Unicode normalisation, as dictionary values
/// let units: DictionaryArray<Int8Type> = vec!["UBND xã Đắk Sôr", "UBND xa\u{303} Đắk Sôr", "UBND xã Đắk Sôr"].into_iter().collect();
/// let batch = RecordBatch::try_from_iter([
///     ("unit", Arc::new(units) as ArrayRef),
///     ("received_at", Arc::new(Date32Array::from(vec![19_600, 19_600, 19_640])) as ArrayRef),
///     ("due_at", Arc::new(Date32Array::from(vec![Some(19_602), Some(19_602), None])) as ArrayRef),
///     ("status", Arc::new(StringArray::from(vec!["4", "4", "99"])) as ArrayRef),
///     ("supplement_requests", Arc::new(UInt8Array::from(vec![0, 3, 0])) as ArrayRef),
///     ("apology_issued", Arc::new(BooleanArray::from(vec![true, false, false])) as ArrayRef),
/// ]).unwrap();
/// let o = QualityOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap());
/// let q = quality_batches(&[batch], &ColumnMap::default(), &o, None).unwrap();
/// assert_eq!(q.rows.len(), 1);
/// let c = &q.rows[0].counts;
/// assert_eq!((c.records, c.rejected_total(), c.checked), (3, 1, 2));
/// assert_eq!((c.overdue, c.late_without_apology, c.returned_too_often), (2, Some(1), 1));
/// assert_eq!(q.rejected[0].value, "99");
/// ```
pub fn quality_batches(
    batches: &[RecordBatch],
    columns: &ColumnMap,
    options: &QualityOptions,
    calendar: Option<&Calendar>,
) -> Result<QualityReport, ArrowError> {
    let mut budget = MemoryBudget::new(options.memory_limit);
    let decode = DecodeOptions::default().only(&quality_fields());
    let decoded = decode_batches(batches, columns, &decode, &mut budget)?;
    quality_decoded(&decoded, options, calendar, &mut budget)
}

/// The earliest reception date of the rows a report with `options` would keep (the default start
/// of its window): what a distributed engine computes once, before reporting on its partitions,
/// so that every partition has the same window.
///
/// # Errors
/// As [`report_batches`].
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Date32Array, RecordBatch, StringArray};
/// use tthc_metrics::{MemoryBudget, ReportOptions};
/// let batch = RecordBatch::try_from_iter([
///     ("unit", Arc::new(StringArray::from(vec!["U", "U"])) as ArrayRef),
///     ("received_at", Arc::new(Date32Array::from(vec![19_640, 19_631])) as ArrayRef),
///     ("status", Arc::new(StringArray::from(vec!["4", "4"])) as ArrayRef),
/// ]).unwrap();
/// let o = ReportOptions::end_of_day(chrono::NaiveDate::from_ymd_opt(2023, 10, 16).unwrap());
/// let d = tthc_arrow::earliest_reception(&[batch], &tthc_arrow::ColumnMap::default(), &o, &mut MemoryBudget::new(1 << 30)).unwrap();
/// assert_eq!(d, chrono::NaiveDate::from_ymd_opt(2023, 10, 1));
/// ```
pub fn earliest_reception(
    batches: &[RecordBatch],
    columns: &ColumnMap,
    options: &ReportOptions,
    budget: &mut MemoryBudget,
) -> Result<Option<chrono::NaiveDate>, ArrowError> {
    let decode = DecodeOptions::default()
        .on_error(tthc_metrics::OnError::Skip)
        .only(&report_fields(options, false));
    let decoded = decode_batches(batches, columns, &decode, budget)?;
    let chunks = decoded.columns();
    let mut prepare = columnar::PrepareOptions::from(options);
    prepare.on_error = tthc_metrics::OnError::Skip;
    let p = columnar::prepare(&chunks, decoded.rejected().to_vec(), &prepare, None, budget)?;
    Ok(p.earliest_reception())
}
