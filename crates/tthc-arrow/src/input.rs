//! Reading record batches into the core's columnar view.

use std::collections::HashMap;

use rustc_hash::FxHashMap;
use std::str::FromStr;
use std::sync::Arc;

use crate::codes::{borrow_codes, intern_strings, string_ids, Bad, CodeSource};
use crate::limits;
use arrow_array::cast::AsArray;
use arrow_array::types::{
    Date32Type, Date64Type, Int16Type, Int32Type, Int64Type, Int8Type, TimestampMicrosecondType,
    TimestampMillisecondType, TimestampNanosecondType, TimestampSecondType, UInt16Type, UInt32Type,
    UInt64Type, UInt8Type,
};
use arrow_array::{Array, RecordBatch};
use arrow_schema::{DataType, Schema, TimeUnit};
use chrono::{DateTime, NaiveDate, NaiveDateTime};
use tthc_metrics::{
    local_seconds, report_chunks, Calendar, Channel, Codes, Columns, DueDateChoice, Error, GroupBy,
    GroupCoder, OnError, OnlineService, RejectReason, Rejection, Report, ReportOptions, Status,
    TimeColumn, TimeEncoding, TimeLimit, TimeValues, Validity,
};

/// The canonical input column names (domain-rules section 2). `received_at` and `status` are
/// required, `unit` when grouping by unit, `procedure` when grouping by procedure; the rest are
/// optional. `rescheduled_due_at` is read under `DueDateChoice::Rescheduled` only;
/// `apology_issued` and `apology_issued_at` by the data-quality report only.
pub const CANONICAL_COLUMNS: [&str; 15] = [
    "dossier_id",
    "unit",
    "procedure",
    "received_at",
    "due_at",
    "finished_at",
    "status",
    "channel",
    "online_service",
    "supplement_requests",
    "synced_to_portal",
    "duration_days",
    "apology_issued",
    "apology_issued_at",
    "rescheduled_due_at",
];

/// Errors of the adapter: the core's, plus problems with the table's shape.
///
/// # Example
/// ```
/// use tthc_arrow::ArrowError;
/// let e = ArrowError::MissingColumn { name: "received_at".into(), available: "unit, status".into() };
/// assert_eq!(e.code(), "missing_column");
/// assert!(e.to_string().contains("received_at"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror_impl::Error)]
#[non_exhaustive]
pub enum ArrowError {
    /// An error of the core crate (a rejected record, a bad option...).
    #[error(transparent)]
    Core(#[from] Error),
    /// A required column is absent.
    #[error("missing column {name:?}; the table has: {available}")]
    MissingColumn {
        /// The canonical name (or the caller's mapped name).
        name: String,
        /// The columns the table has.
        available: String,
    },
    /// A column whose Arrow type cannot carry the field.
    #[error("column {column:?} has type {data_type}, which cannot hold {expected}")]
    UnsupportedType {
        /// The column.
        column: String,
        /// Its Arrow type.
        data_type: String,
        /// What the field needs.
        expected: &'static str,
    },
    /// Batches whose columns differ (names, types or order) from the first batch's.
    #[error("batch {batch} has the columns [{found}], the first batch [{expected}]")]
    SchemaMismatch {
        /// The batch (0-based).
        batch: usize,
        /// The first batch's columns.
        expected: String,
        /// This batch's columns.
        found: String,
    },
    /// A column mapping that names an unknown canonical column.
    #[error("column mapping: {0:?} is not a canonical column (expected one of: {list})", list = CANONICAL_COLUMNS.join(", "))]
    UnknownCanonical(String),
}

impl ArrowError {
    /// A stable snake_case code.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_arrow::ArrowError::UnknownCanonical("x".into()).code(), "unknown_column");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::Core(e) => e.code(),
            Self::MissingColumn { .. } => "missing_column",
            Self::UnsupportedType { .. } => "unsupported_type",
            Self::UnknownCanonical(_) => "unknown_column",
            Self::SchemaMismatch { .. } => "schema_mismatch",
        }
    }
}

mod thiserror_impl {
    pub use ::thiserror::Error;
}

/// Maps the caller's column names onto the canonical ones (e.g. the Vietnamese headers of a
/// portal export: `{"Ngày tiếp nhận": "received_at"}`).
///
/// # Example
/// ```
/// use tthc_arrow::ColumnMap;
/// let m = ColumnMap::new([("Ngày tiếp nhận", "received_at"), ("Đơn vị", "unit")]).unwrap();
/// assert_eq!(m.source("received_at"), "Ngày tiếp nhận");
/// assert_eq!(m.source("status"), "status");
/// assert!(ColumnMap::new([("x", "nonsense")]).is_err());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ColumnMap {
    to_source: HashMap<String, String>,
}

impl ColumnMap {
    /// A mapping from caller names to canonical names.
    ///
    /// # Errors
    /// [`ArrowError::UnknownCanonical`] when a target is not a canonical column.
    ///
    /// # Example
    /// see [`ColumnMap`].
    pub fn new<I, A, B>(pairs: I) -> Result<Self, ArrowError>
    where
        I: IntoIterator<Item = (A, B)>,
        A: Into<String>,
        B: Into<String>,
    {
        let mut to_source = HashMap::new();
        for (from, to) in pairs {
            let to = to.into();
            if !CANONICAL_COLUMNS.contains(&to.as_str()) {
                return Err(ArrowError::UnknownCanonical(to));
            }
            to_source.insert(to, from.into());
        }
        Ok(Self { to_source })
    }

    /// The table column that holds canonical column `canonical`.
    ///
    /// # Example
    /// see [`ColumnMap`].
    pub fn source<'a>(&'a self, canonical: &'a str) -> &'a str {
        self.to_source
            .get(canonical)
            .map_or(canonical, String::as_str)
    }
}

/// The owned, coded columns of one batch (one byte or word a row); times stay in the batch.
struct Coded {
    status: CodeSource<u8>,
    /// Rows rejected here (ascending): the kernel skips them.
    skip: Vec<usize>,
    channel: Option<CodeSource<u8>>,
    online: Option<CodeSource<u8>>,
    supplements: Option<Vec<u32>>,
    synced: Option<Vec<bool>>,
    group: CodeSource<u32>,
    parsed: [Option<(Vec<i64>, Vec<u8>)>; 3],
}

pub(crate) const TIME_FIELDS: [&str; 3] = ["received_at", "due_at", "finished_at"];

/// Builds a report from record batches: decodes the columns, rejects bad values with their row,
/// column and value, and runs the core's single-pass kernel over all batches.
///
/// # Errors
/// [`ArrowError::MissingColumn`], [`ArrowError::UnsupportedType`],
/// [`ArrowError::SchemaMismatch`], or the core's errors (under [`OnError::Raise`], the first bad
/// record; [`Error::MemoryLimit`] when the decoded columns, the kernel's cells and the rejected
/// records would exceed [`ReportOptions::memory_limit`]).
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
/// let r = report_batches(&[batch], &ColumnMap::default(), &ReportOptions::end_of_day(as_of).granularity(None)).unwrap();
/// assert_eq!((r.total().late, r.total().within_due), (1, 1));
/// ```
pub fn report_batches(
    batches: &[RecordBatch],
    columns: &ColumnMap,
    options: &ReportOptions,
) -> Result<Report, ArrowError> {
    report_batches_on(batches, columns, options, None)
}

/// Like [`report_batches`], with a working-day calendar: a dossier without a due date whose
/// table has a `duration_days` column (working days the procedure allows) gets the due date
/// [`Calendar::due_at`]`(received_at, WorkingDays(duration_days))` (close of office on that day)
/// instead of counting on time for lack of one.
///
/// # Errors
/// As [`report_batches`]; a reception outside the calendar's range is a rejected record
/// (`out_of_range` on `received_at`) when its due date must be computed.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use arrow_array::{RecordBatch, StringArray, Date32Array, Int8Array, UInt16Array, ArrayRef};
/// use tthc_arrow::{report_batches_on, ColumnMap};
/// use tthc_metrics::{Calendar, ReportOptions};
/// use chrono::NaiveDate;
/// // received Friday 2023-09-01 (a holiday; Monday 4 is off too): counted from Tuesday 5, 3 working
/// // days are due Friday 8 September at 17:00; finished Monday 11: late, not "on time for lack of a date"
/// let batch = RecordBatch::try_from_iter([
///     ("unit", Arc::new(StringArray::from(vec!["Phòng Y tế"])) as ArrayRef),
///     ("received_at", Arc::new(Date32Array::from(vec![19_601])) as ArrayRef),
///     ("finished_at", Arc::new(Date32Array::from(vec![19_611])) as ArrayRef),
///     ("status", Arc::new(Int8Array::from(vec![10])) as ArrayRef),
///     ("duration_days", Arc::new(UInt16Array::from(vec![3])) as ArrayRef),
/// ]).unwrap();
/// let o = ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap()).granularity(None);
/// let without = report_batches_on(&[batch.clone()], &ColumnMap::default(), &o, None).unwrap();
/// let with = report_batches_on(&[batch], &ColumnMap::default(), &o, Some(&Calendar::vietnam())).unwrap();
/// assert_eq!((without.total().on_time, with.total().late), (1, 1));
/// ```
pub fn report_batches_on(
    batches: &[RecordBatch],
    columns: &ColumnMap,
    options: &ReportOptions,
    calendar: Option<&Calendar>,
) -> Result<Report, ArrowError> {
    limits::check_schemas(batches)?;
    // long batches are decoded in zero-copy slices: the decoding's working memory stays small
    let sliced = limits::slices(batches);
    let batches = sliced.as_slice();
    let Some(schema) = batches.first().map(RecordBatch::schema) else {
        // no batch: an empty report
        return Ok(report_chunks(&[], options)?);
    };
    let col = |name: &'static str| -> Option<usize> { schema.index_of(columns.source(name)).ok() };
    let require = |name: &'static str| {
        col(name).ok_or_else(|| ArrowError::MissingColumn {
            name: columns.source(name).to_string(),
            available: schema
                .fields()
                .iter()
                .map(|f| f.name().as_str())
                .collect::<Vec<_>>()
                .join(", "),
        })
    };
    let received_idx = require("received_at")?;
    let status_idx = require("status")?;
    let group_idx = match options.group_by {
        GroupBy::Unit => Some(require("unit")?),
        GroupBy::Procedure => Some(require("procedure")?),
        _ => None,
    };
    let unit_idx = col("unit");
    let id_idx = col("dossier_id");
    let time_idx = [Some(received_idx), col("due_at"), col("finished_at")];
    for (k, idx) in time_idx.iter().enumerate() {
        if let Some(i) = idx {
            check_time_type(&schema, *i, TIME_FIELDS[k])?;
        }
    }
    // due dates computed (durations) or replaced (rescheduled dates) are one owned column more
    let owned_due = (calendar.is_some() && col("duration_days").is_some())
        || (options.classify.due_date == DueDateChoice::Rescheduled
            && col("rescheduled_due_at").is_some());
    let planned = limits::plan(
        batches,
        &time_idx.iter().flatten().copied().collect::<Vec<_>>(),
        u64::from(owned_due),
        options.memory_limit,
    )?;
    let max_rejected = (options.memory_limit - planned) / limits::REJECTION_BYTES;

    // group code 0 is the empty label: a null or blank unit/procedure (rejected for units)
    let mut coder = GroupCoder::default();
    coder.code("");
    let mut raw_cache: FxHashMap<Box<str>, u32> = FxHashMap::default();
    let mut rejected: Vec<Rejection> = Vec::new();
    let mut coded: Vec<Coded> = Vec::with_capacity(batches.len());
    let mut offset = 0usize;
    for batch in batches {
        let n = batch.num_rows();
        // (row, field, reason) of every bad value; rows keep the first by field order
        let mut bad: Vec<(usize, u8, &'static str, RejectReason)> = Vec::new();
        let status = coded_column(
            batch,
            status_idx,
            "status",
            0,
            0u8,
            &mut bad,
            &mut |v| match v {
                Value::Null => Err(RejectReason::Missing),
                Value::Int(x) => Status::from_code(x)
                    .map(Status::column_code)
                    .map_err(|_| RejectReason::UnknownStatus),
                Value::Text(s) => Status::from_str(s)
                    .map(Status::column_code)
                    .map_err(|_| RejectReason::UnknownStatus),
            },
        )?;
        // units: grouping codes, and a missing unit is a rejected record whatever the grouping
        let mut group: CodeSource<u32> = match (options.group_by, group_idx) {
            (GroupBy::Unit | GroupBy::Procedure, Some(g)) => {
                let field = if options.group_by == GroupBy::Unit {
                    "unit"
                } else {
                    "procedure"
                };
                let missing = options.group_by == GroupBy::Unit;
                coded_column(batch, g, field, 1, 0u32, &mut bad, &mut |v| {
                    let code = match v {
                        Value::Null => 0,
                        Value::Int(x) => group_code(&mut coder, &mut raw_cache, &x.to_string()),
                        Value::Text(s) => group_code(&mut coder, &mut raw_cache, s),
                    };
                    if missing && code == 0 {
                        Err(RejectReason::Missing)
                    } else {
                        Ok(code)
                    }
                })?
            }
            _ => CodeSource::Owned(Vec::new()),
        };
        if options.group_by != GroupBy::Unit {
            if let Some(u) = unit_idx {
                // a missing unit is still a rejected record: checked through the dictionary's
                // values where the column has one (no row-by-row pass)
                coded_column(batch, u, "unit", 1, (), &mut bad, &mut |v| match v {
                    Value::Null => Err(RejectReason::Missing),
                    Value::Text(s) if s.trim().is_empty() => Err(RejectReason::Missing),
                    _ => Ok(()),
                })?;
            }
        }
        let channel = col("channel")
            .map(|c| {
                coded_column(batch, c, "channel", 2, 1u8, &mut bad, &mut |v| match v {
                    Value::Null => Ok(Channel::Direct.code()),
                    Value::Int(x) => Channel::from_code(x)
                        .map(Channel::code)
                        .map_err(|_| RejectReason::UnknownChannel),
                    Value::Text(s) => Channel::from_str(s)
                        .map(Channel::code)
                        .map_err(|_| RejectReason::UnknownChannel),
                })
            })
            .transpose()?;
        let online = col("online_service")
            .map(|c| {
                coded_column(batch, c, "online_service", 3, 0u8, &mut bad, &mut |v| {
                    let level = match v {
                        Value::Null => return Ok(0),
                        Value::Int(x) => OnlineService::from_str(&x.to_string()),
                        Value::Text(s) => OnlineService::from_str(s),
                    };
                    level
                        .map(OnlineService::column_code)
                        .map_err(|_| RejectReason::UnknownOnlineService)
                })
            })
            .transpose()?;
        let supplements = col("supplement_requests")
            .map(|c| {
                decode(
                    batch.column(c).as_ref(),
                    "supplement_requests",
                    4,
                    0u32,
                    &mut bad,
                    &mut |v| match v {
                        Value::Null => Ok(0),
                        Value::Int(x) => u32::try_from(x).map_err(|_| RejectReason::Unreadable),
                        Value::Text(s) => s
                            .trim()
                            .parse::<u32>()
                            .map_err(|_| RejectReason::Unreadable),
                    },
                )
            })
            .transpose()?;
        let synced = col("synced_to_portal")
            .map(|c| {
                decode(
                    batch.column(c).as_ref(),
                    "synced_to_portal",
                    5,
                    true,
                    &mut bad,
                    &mut |v| match v {
                        Value::Null => Ok(true),
                        Value::Int(x) => Ok(x != 0),
                        Value::Text(s) => match s.trim().to_lowercase().as_str() {
                            "true" | "1" | "yes" | "có" | "đã đồng bộ" => Ok(true),
                            "false" | "0" | "no" | "không" | "chưa đồng bộ" => Ok(false),
                            _ => Err(RejectReason::Unreadable),
                        },
                    },
                )
            })
            .transpose()?;
        if options.group_by == GroupBy::Channel {
            group = CodeSource::Owned(channel.as_ref().map_or_else(
                || vec![0; n],
                |c| {
                    let c = c.codes(batch);
                    (0..n).map(|i| u32::from(c.get(i, 1).max(1)) - 1).collect()
                },
            ));
        }
        // parsed text times (only for text columns)
        let mut parsed: [Option<(Vec<i64>, Vec<u8>)>; 3] = [None, None, None];
        for (k, idx) in time_idx.iter().enumerate() {
            if let Some(c) = idx {
                if is_text(batch.column(*c).data_type()) {
                    let (vals, bits, unreadable) = parse_text_times(batch.column(*c).as_ref());
                    bad.extend(
                        unreadable
                            .into_iter()
                            .map(|i| (i, 6 + k as u8, TIME_FIELDS[k], RejectReason::Unreadable)),
                    );
                    parsed[k] = Some((vals, bits));
                }
            }
        }
        // due dates computed on the calendar where the table has none but a duration
        if let (Some(cal), Some(dur_idx)) = (calendar, col("duration_days")) {
            let durations = decode(
                batch.column(dur_idx).as_ref(),
                "duration_days",
                9,
                None,
                &mut bad,
                &mut |v| match v {
                    Value::Null => Ok(None),
                    Value::Int(x) => u32::try_from(x)
                        .map(Some)
                        .map_err(|_| RejectReason::Unreadable),
                    Value::Text(s) => s
                        .trim()
                        .parse::<u32>()
                        .map(Some)
                        .map_err(|_| RejectReason::Unreadable),
                },
            )?;
            let recv = match &parsed[0] {
                Some((v, bits)) => {
                    TimeColumn::local(v).with_validity(Some(Validity::new(bits, 0)), false)
                }
                None => time_column(batch.column(received_idx).as_ref()),
            };
            let due_col = match (&parsed[1], time_idx[1]) {
                (Some((v, bits)), _) => {
                    Some(TimeColumn::local(v).with_validity(Some(Validity::new(bits, 0)), false))
                }
                (None, Some(c)) => Some(time_column(batch.column(c).as_ref())),
                (None, None) => None,
            };
            let mut vals = vec![0i64; n];
            let mut bits = vec![0u8; n.div_ceil(8)];
            for i in 0..n {
                let given = due_col.as_ref().and_then(|c| c.local_seconds(i));
                let computed = match (given, durations[i], recv.local_seconds(i)) {
                    (Some(t), _, _) => Some(t),
                    (None, Some(days), Some(r)) => {
                        let received =
                            chrono::DateTime::from_timestamp(r, 0).map(|t| t.naive_utc());
                        if let Some(Ok(due)) =
                            received.map(|t| cal.due_at(t, TimeLimit::WorkingDays(days)))
                        {
                            Some(local_seconds(due))
                        } else {
                            bad.push((i, 10, "received_at", RejectReason::OutOfRange));
                            None
                        }
                    }
                    _ => None,
                };
                if let Some(t) = computed {
                    vals[i] = t;
                    bits[i / 8] |= 1 << (i % 8);
                }
            }
            parsed[1] = Some((vals, bits));
        }
        // the apology's rescheduled date, where there is one, replaces the due date in force
        if let (DueDateChoice::Rescheduled, Some(c)) =
            (options.classify.due_date, col("rescheduled_due_at"))
        {
            check_time_type(&schema, c, "rescheduled_due_at")?;
            let column = batch.column(c).as_ref();
            let rescheduled = if is_text(column.data_type()) {
                let (v, bits, unreadable) = parse_text_times(column);
                bad.extend(
                    unreadable
                        .into_iter()
                        .map(|i| (i, 11, "rescheduled_due_at", RejectReason::Unreadable)),
                );
                Some((v, bits))
            } else {
                None
            };
            let rescheduled = match &rescheduled {
                Some((v, bits)) => {
                    TimeColumn::local(v).with_validity(Some(Validity::new(bits, 0)), false)
                }
                None => time_column(column),
            };
            let due = match (&parsed[1], time_idx[1]) {
                (Some((v, bits)), _) => {
                    TimeColumn::local(v).with_validity(Some(Validity::new(bits, 0)), false)
                }
                (None, Some(c)) => time_column(batch.column(c).as_ref()),
                (None, None) => TimeColumn::local(&[]).with_validity(None, true),
            };
            let mut vals = vec![0i64; n];
            let mut bits = vec![0u8; n.div_ceil(8)];
            for i in 0..n {
                let pick = |t: &TimeColumn<'_>| {
                    if t.is_empty() {
                        None
                    } else {
                        t.local_seconds(i)
                    }
                };
                if let Some(t) = pick(&rescheduled).or_else(|| pick(&due)) {
                    vals[i] = t;
                    bits[i / 8] |= 1 << (i % 8);
                }
            }
            parsed[1] = Some((vals, bits));
        }
        // rows rejected here are skipped by the kernel
        let mut skip = Vec::new();
        if !bad.is_empty() {
            bad.sort_unstable_by_key(|&(row, order, _, _)| (row, order));
            bad.dedup_by_key(|b| b.0);
            for &(row, _, field, reason) in &bad {
                skip.push(row);
                let column = columns.source(field);
                let value = schema
                    .index_of(column)
                    .ok()
                    .map(|c| text_value(batch.column(c).as_ref(), row))
                    .unwrap_or_default();
                let id = id_idx
                    .map(|c| text_value(batch.column(c).as_ref(), row))
                    .unwrap_or_default();
                let r = Rejection::new(offset + row, id, column, value, reason);
                if options.on_error == OnError::Raise {
                    return Err(Error::from(r).into());
                }
                if rejected.len() as u64 >= max_rejected {
                    return Err(limits::too_many_rejected(
                        max_rejected,
                        options.memory_limit,
                    ));
                }
                rejected.push(r);
            }
        }
        coded.push(Coded {
            status,
            skip,
            channel,
            online,
            supplements,
            synced,
            group,
            parsed,
        });
        offset += n;
    }
    let mut labels = match options.group_by {
        GroupBy::Channel => ["direct", "online", "post"].map(String::from).to_vec(),
        GroupBy::Total => vec![String::new()],
        _ => coder.into_labels(),
    };
    if let Some(g) = group_idx {
        first_spellings(
            &mut labels,
            batches,
            g,
            coded.iter().zip(batches).map(|(c, b)| c.group.codes(b)),
        );
    }
    let mut kernel_rows: Vec<Columns<'_>> = Vec::with_capacity(batches.len());
    for (coded, batch) in coded.iter().zip(batches) {
        let time = |k: usize| -> TimeColumn<'_> {
            match (&coded.parsed[k], time_idx[k]) {
                (Some((vals, bits)), _) => {
                    TimeColumn::local(vals).with_validity(Some(Validity::new(bits, 0)), false)
                }
                (None, Some(c)) => time_column(batch.column(c).as_ref()),
                (None, None) => TimeColumn::local(&[]).with_validity(None, true),
            }
        };
        kernel_rows.push(Columns {
            received: time(0),
            due: time(1),
            finished: time(2),
            status: coded.status.codes(batch),
            channel: coded.channel.as_ref().map(|c| c.codes(batch)),
            online_service: coded.online.as_ref().map(|c| c.codes(batch)),
            supplement_requests: coded.supplements.as_deref(),
            synced: coded.synced.as_deref(),
            group: coded.group.codes(batch),
            group_labels: &labels,
            skip: &coded.skip,
        });
    }
    // the kernel gets what is left of the memory limit
    let used = planned + rejected.len() as u64 * limits::REJECTION_BYTES;
    let mut report = report_chunks(&kernel_rows, &limits::kernel_options(options, used))?;
    report.options.memory_limit = options.memory_limit;
    // the kernel's own rejections (time order, missing reception) get their dossier ids here
    if let Some(c) = id_idx {
        let starts: Vec<usize> = batches
            .iter()
            .scan(0usize, |acc, b| {
                let s = *acc;
                *acc += b.num_rows();
                Some(s)
            })
            .collect();
        for r in &mut report.rejected {
            let b = starts.partition_point(|&s| s <= r.row) - 1;
            r.dossier_id = text_value(batches[b].column(c).as_ref(), r.row - starts[b]);
        }
    }
    for r in &mut report.rejected {
        if let Some(k) = TIME_FIELDS.iter().position(|f| *f == r.field) {
            r.field = columns.source(TIME_FIELDS[k]).to_string();
        }
    }
    rejected.append(&mut report.rejected);
    rejected.sort_by_key(|r| r.row);
    report.rejected = rejected;
    // drop the synthetic "" label's row if nothing used it: rows only exist for used groups
    Ok(report)
}

/// A coded column: borrowed through a lookup table where the encoding allows
/// ([`borrow_codes`]), else decoded row by row ([`decode`]).
fn coded_column<T: Copy>(
    batch: &RecordBatch,
    column: usize,
    field: &'static str,
    order: u8,
    default: T,
    bad: &mut Vec<Bad>,
    f: &mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
) -> Result<CodeSource<T>, ArrowError> {
    let array = batch.column(column).as_ref();
    if let Some(map) = borrow_codes(array, field, order, default, bad, f)? {
        return Ok(CodeSource::Mapped { column, map });
    }
    if let Some((ids, map)) = intern_strings(array, field, order, default, bad, f) {
        return Ok(CodeSource::Interned { ids, map });
    }
    Ok(CodeSource::Owned(decode(
        array, field, order, default, bad, f,
    )?))
}

/// Decodes a coded column into one value a row, evaluating `f` once per distinct value where the
/// encoding allows (dictionary values; a per-batch cache for plain strings; a lookup table for
/// 8-bit integers). A bad value takes `default` and is recorded in `bad` with its row, the
/// field's order (which rejection a row with several bad fields reports) and the reason.
pub(crate) fn decode<T: Copy>(
    array: &dyn Array,
    field: &'static str,
    order: u8,
    default: T,
    bad: &mut Vec<(usize, u8, &'static str, RejectReason)>,
    f: &mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
) -> Result<Vec<T>, ArrowError> {
    let n = array.len();
    let mut out = vec![default; n];
    let mut put = |i: usize, r: Result<T, RejectReason>, out: &mut Vec<T>| match r {
        Ok(v) => out[i] = v,
        Err(reason) => bad.push((i, order, field, reason)),
    };
    if let Some(d) = array.as_any_dictionary_opt() {
        let values = d.values();
        let mut lut: Vec<Result<T, RejectReason>> = Vec::with_capacity(values.len());
        decode_values(values.as_ref(), field, f, &mut lut)?;
        let null = f(Value::Null);
        let keys = d.keys();
        macro_rules! keys {
            ($($t:ty),*) => {{
                $(
                    if let Some(k) = keys.as_primitive_opt::<$t>() {
                        for (i, &key) in k.values().iter().enumerate() {
                            let r = if k.is_null(i) { null } else { lut.get(key as usize).copied().unwrap_or(null) };
                            put(i, r, &mut out);
                        }
                        return Ok(out);
                    }
                )*
            }};
        }
        keys!(
            Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type,
            UInt64Type
        );
        return Err(unsupported(array, field));
    }
    if let Some(p) = array.as_primitive_opt::<Int8Type>() {
        let lut: Vec<Result<T, RejectReason>> = (-128i64..128).map(|x| f(Value::Int(x))).collect();
        let null = f(Value::Null);
        for (i, &x) in p.values().iter().enumerate() {
            put(
                i,
                if p.is_null(i) {
                    null
                } else {
                    lut[(i64::from(x) + 128) as usize]
                },
                &mut out,
            );
        }
        return Ok(out);
    }
    if let Some(p) = array.as_primitive_opt::<UInt8Type>() {
        let lut: Vec<Result<T, RejectReason>> = (0i64..256).map(|x| f(Value::Int(x))).collect();
        let null = f(Value::Null);
        for (i, &x) in p.values().iter().enumerate() {
            put(
                i,
                if p.is_null(i) { null } else { lut[x as usize] },
                &mut out,
            );
        }
        return Ok(out);
    }
    let mut rows: Vec<Result<T, RejectReason>> = Vec::with_capacity(n);
    decode_values(array, field, f, &mut rows)?;
    for (i, r) in rows.into_iter().enumerate() {
        put(i, r, &mut out);
    }
    Ok(out)
}

fn unsupported(array: &dyn Array, field: &str) -> ArrowError {
    ArrowError::UnsupportedType {
        column: field.to_string(),
        data_type: array.data_type().to_string(),
        expected: "text or integers",
    }
}

/// `f` of every row of a non-dictionary array (strings through a cache of distinct values).
pub(crate) fn decode_values<T: Copy>(
    array: &dyn Array,
    field: &str,
    f: &mut dyn FnMut(Value<'_>) -> Result<T, RejectReason>,
    out: &mut Vec<Result<T, RejectReason>>,
) -> Result<(), ArrowError> {
    if let Some((ids, table)) = string_ids(array, f) {
        // strings through their interned ids: `f` once per distinct value
        out.extend(ids.iter().map(|&id| table[id as usize]));
    } else if let Some(b) = array.as_boolean_opt() {
        out.extend(
            b.iter()
                .map(|v| f(v.map_or(Value::Null, |x| Value::Int(i64::from(x))))),
        );
    } else if *array.data_type() == DataType::Null {
        let null = f(Value::Null);
        out.extend(std::iter::repeat_n(null, array.len()));
    } else {
        let v = ints(array, f).ok_or_else(|| unsupported(array, field))?;
        out.extend(v);
    }
    Ok(())
}

/// Labels each group with its first spelling in row order. Plain strings are coded in row order
/// already; a dictionary's values are coded in the dictionary's order (a pandas categorical's is
/// sorted), which may differ from the rows' and may hold values no row uses, so the label would
/// depend on the encoding. Code 0 (no name) keeps its empty label.
pub(crate) fn first_spellings<'a>(
    labels: &mut [String],
    batches: &[RecordBatch],
    column: usize,
    codes: impl Iterator<Item = Codes<'a, u32>>,
) {
    let dictionary = batches
        .first()
        .is_some_and(|b| matches!(b.column(column).data_type(), DataType::Dictionary(..)));
    if !dictionary || labels.len() <= 1 {
        return;
    }
    let mut seen = vec![false; labels.len()];
    seen[0] = true;
    let mut left = labels.len() - 1;
    for (batch, codes) in batches.iter().zip(codes) {
        let nulls = batch.column(column).logical_nulls();
        for i in 0..codes.len() {
            // a null row's slot holds any key (borrowed codes): it has no spelling
            if nulls.as_ref().is_some_and(|n| n.is_null(i)) {
                continue;
            }
            let g = codes.get(i, 0);
            if let Some(s) = seen.get_mut(g as usize).filter(|s| !**s) {
                *s = true;
                labels[g as usize] = text_value(batch.column(column).as_ref(), i);
                left -= 1;
                if left == 0 {
                    return;
                }
            }
        }
    }
}

pub(crate) fn group_code(
    coder: &mut GroupCoder,
    cache: &mut FxHashMap<Box<str>, u32>,
    s: &str,
) -> u32 {
    if let Some(&c) = cache.get(s) {
        return c;
    }
    let c = coder.code(s);
    cache.insert(s.into(), c);
    c
}

/// One cell of a coded column as the decoder sees it.
pub(crate) enum Value<'a> {
    Null,
    Int(i64),
    Text(&'a str),
}

pub(crate) fn is_text(t: &DataType) -> bool {
    match t {
        DataType::Utf8 | DataType::LargeUtf8 | DataType::Utf8View => true,
        DataType::Dictionary(_, v) => is_text(v),
        _ => false,
    }
}

macro_rules! int_values {
    ($array:expr, $f:expr, $($t:ty),*) => {{
        let a: &dyn Array = $array;
        $(
            if let Some(p) = a.as_primitive_opt::<$t>() {
                return Some((0..p.len()).map(|i| if p.is_null(i) { $f(Value::Null) } else { $f(Value::Int(p.value(i) as i64)) }).collect());
            }
        )*
        None
    }};
}

#[allow(clippy::cast_lossless)] // one macro over every integer type; u64 wraps like any code
fn ints<T>(array: &dyn Array, f: &mut dyn FnMut(Value<'_>) -> T) -> Option<Vec<T>> {
    int_values!(
        array, f, Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type,
        UInt64Type
    )
}

/// A cell as text, for messages and dossier ids.
pub(crate) fn text_value(array: &dyn Array, i: usize) -> String {
    if i >= array.len() || array.is_null(i) {
        return String::new();
    }
    // one cell (a zero-copy slice): decoding the whole column per message made rejecting every
    // row of a dictionary or integer column quadratic
    let cell = array.slice(i, 1);
    let (array, i) = (cell.as_ref(), 0);
    if let Some(d) = array.as_any_dictionary_opt() {
        if d.values().is_empty() {
            return String::new();
        }
        return text_value(d.values().as_ref(), d.normalized_keys()[i]);
    }
    if let Some(s) = array.as_string_opt::<i32>() {
        return s.value(i).to_string();
    }
    if let Some(s) = array.as_string_opt::<i64>() {
        return s.value(i).to_string();
    }
    if let Some(s) = array.as_string_view_opt() {
        return s.value(i).to_string();
    }
    ints(array, &mut |v| match v {
        Value::Int(x) => x.to_string(),
        _ => String::new(),
    })
    .and_then(|v| v.into_iter().nth(i))
    .unwrap_or_default()
}

pub(crate) fn check_time_type(
    schema: &Arc<Schema>,
    idx: usize,
    name: &str,
) -> Result<(), ArrowError> {
    let f = schema.field(idx);
    match f.data_type() {
        DataType::Date32 | DataType::Date64 | DataType::Timestamp(_, _) | DataType::Null => Ok(()),
        t if is_text(t) => Ok(()),
        t => Err(ArrowError::UnsupportedType {
            column: f.name().clone(),
            data_type: format!("{t} (for {name})"),
            expected: "a date32, date64, timestamp or text date",
        }),
    }
}

fn validity(array: &dyn Array) -> Option<Validity<'_>> {
    array
        .nulls()
        .map(|n| Validity::new(n.inner().values(), n.offset()))
}

/// A borrowed view of a date or timestamp column (checked by `check_time_type`).
pub(crate) fn time_column(array: &dyn Array) -> TimeColumn<'_> {
    let v = validity(array);
    fn ts(values: &[i64], per_second: i64, utc: bool) -> TimeColumn<'_> {
        TimeColumn::new(
            TimeValues::Ticks(values),
            TimeEncoding::Timestamp { per_second, utc },
            None,
        )
    }
    let col = match array.data_type() {
        DataType::Date32 => TimeColumn::new(
            TimeValues::Days(array.as_primitive::<Date32Type>().values()),
            TimeEncoding::Days,
            None,
        ),
        DataType::Date64 => ts(array.as_primitive::<Date64Type>().values(), 1_000, false),
        DataType::Timestamp(unit, tz) => {
            let utc = tz.is_some();
            match unit {
                TimeUnit::Second => {
                    ts(array.as_primitive::<TimestampSecondType>().values(), 1, utc)
                }
                TimeUnit::Millisecond => ts(
                    array.as_primitive::<TimestampMillisecondType>().values(),
                    1_000,
                    utc,
                ),
                TimeUnit::Microsecond => ts(
                    array.as_primitive::<TimestampMicrosecondType>().values(),
                    1_000_000,
                    utc,
                ),
                TimeUnit::Nanosecond => ts(
                    array.as_primitive::<TimestampNanosecondType>().values(),
                    1_000_000_000,
                    utc,
                ),
            }
        }
        // a Null-typed column: every row null
        _ => return TimeColumn::local(&[]).with_validity(None, true),
    };
    col.with_validity(v, false)
}

/// Parses a text date or date-time as UTC+7 civil time.
///
/// Accepted: `2023-10-16`, `2023-10-16 09:30[:00]`, `2023-10-16T09:30:00`, `16/10/2023`,
/// `16/10/2023 09:30[:00]`, and RFC 3339 with an offset (converted to UTC+7).
fn parse_local(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp() + i64::from(tthc_metrics::VIETNAM_UTC_OFFSET_SECONDS));
    }
    for fmt in [
        "%Y-%m-%d %H:%M:%S",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%d %H:%M",
        "%d/%m/%Y %H:%M:%S",
        "%d/%m/%Y %H:%M",
    ] {
        if let Ok(t) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(local_seconds(t));
        }
    }
    for fmt in ["%Y-%m-%d", "%d/%m/%Y"] {
        if let Ok(d) = NaiveDate::parse_from_str(s, fmt) {
            return d.and_hms_opt(0, 0, 0).map(local_seconds);
        }
    }
    None
}

/// Parses a text time column: values, validity bits, and the rows that could not be read.
pub(crate) fn parse_text_times(array: &dyn Array) -> (Vec<i64>, Vec<u8>, Vec<usize>) {
    let n = array.len();
    let mut bits = vec![0u8; n.div_ceil(8)];
    let mut bad = Vec::new();
    let mut decoded: Vec<Result<Option<i64>, RejectReason>> = Vec::with_capacity(n);
    let mut f = |v: Value<'_>| match v {
        Value::Text(s) if s.trim().is_empty() => Ok(None),
        Value::Text(s) => parse_local(s).map(Some).ok_or(RejectReason::Unreadable),
        _ => Ok(None),
    };
    if let Some(d) = array.as_any_dictionary_opt() {
        let mut values = Vec::new();
        let _ = decode_values(d.values().as_ref(), "time", &mut f, &mut values);
        if values.is_empty() {
            decoded.resize(n, Ok(None));
        } else {
            let keys = d.normalized_keys();
            decoded.extend((0..n).map(|i| {
                if array.is_null(i) {
                    Ok(None)
                } else {
                    values[keys[i]]
                }
            }));
        }
    } else {
        let _ = decode_values(array, "time", &mut f, &mut decoded);
    }
    let mut vals = vec![0i64; n];
    for (i, r) in decoded.into_iter().enumerate() {
        match r {
            Ok(Some(t)) => {
                vals[i] = t;
                bits[i / 8] |= 1 << (i % 8);
            }
            Ok(None) => {}
            Err(_) => bad.push(i),
        }
    }
    (vals, bits, bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_vietnamese_and_iso_dates() {
        let d = |s| parse_local(s).map(|t| t.div_euclid(86_400));
        assert_eq!(d("16/10/2023"), Some(19_646));
        assert_eq!(d("2023-10-16"), Some(19_646));
        assert_eq!(
            parse_local("16/10/2023 09:30"),
            parse_local("2023-10-16 09:30:00")
        );
        // 2023-10-15T20:00Z is 03:00 on the 16th in Việt Nam
        assert_eq!(d("2023-10-15T20:00:00Z"), Some(19_646));
        assert_eq!(parse_local("32/10/2023"), None);
    }
}
