//! The data-quality report over record batches, and as a record batch.

use std::collections::{HashMap, HashSet};
use std::str::FromStr;
use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray, UInt64Array};
use arrow_schema::{DataType, Field, Schema};
use tthc_metrics::{
    quality_chunks, ApologyColumns, ClassifyOptions, Columns, GroupBy, GroupCoder, OnError,
    QualityOptions, QualityReport, RejectReason, Rejection, ReportOptions, Status, TimeColumn,
    Validity, View,
};

use crate::input::{
    check_time_type, decode, first_spellings, group_code, is_text, parse_text_times,
    report_batches, text_value, time_column, ArrowError, ColumnMap, Value, TIME_FIELDS,
};
use crate::limits;

/// Times of one column of one batch: borrowed from the batch, or parsed from text.
enum Times<'a> {
    Borrowed(TimeColumn<'a>),
    Parsed(Vec<i64>, Vec<u8>),
    Absent,
}

impl Times<'_> {
    fn column(&self) -> TimeColumn<'_> {
        match self {
            Times::Borrowed(c) => *c,
            Times::Parsed(v, bits) => {
                TimeColumn::local(v).with_validity(Some(Validity::new(bits, 0)), false)
            }
            Times::Absent => TimeColumn::local(&[]).with_validity(None, true),
        }
    }
}

/// One decoded batch.
struct Decoded<'a> {
    status: Vec<u8>,
    supplements: Option<Vec<u32>>,
    group: Vec<u32>,
    times: [Times<'a>; 3],
    issued: Option<Vec<bool>>,
    issued_at: Option<Times<'a>>,
}

/// The data-quality report ([`tthc_metrics::quality`]) over record batches.
///
/// Rejected records are those [`report_batches`] rejects (the same decoding and validation, run
/// here with [`OnError::Skip`]), plus rows whose `apology_issued` or `apology_issued_at` cannot be
/// read (columns only this report reads). Apology information comes from the optional columns
/// `apology_issued` (boolean, integer or text: `true`/`false`, `1`/`0`, `có`/`không`) and
/// `apology_issued_at` (a date, timestamp or text time; non-null means issued); without either,
/// the apology counts are `None`.
///
/// # Errors
/// As [`report_batches`], and the core's option errors ([`tthc_metrics::quality_chunks`]).
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
/// let q = quality_batches(&[batch], &ColumnMap::default(), &o).unwrap();
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
) -> Result<QualityReport, ArrowError> {
    // the report's decoding and validation: every rejection, with ids and source column names
    let report_options = ReportOptions::new(options.as_of)
        .start(options.start)
        .group_by(options.group_by)
        .granularity(None)
        .view(View::Cohort)
        .classify(ClassifyOptions::default().comparison(options.comparison))
        .on_error(OnError::Skip)
        .memory_limit(options.memory_limit);
    let mut rejected = report_batches(batches, columns, &report_options)?.rejected;
    let sliced = limits::slices(batches);
    let batches = sliced.as_slice();
    let Some(schema) = batches.first().map(RecordBatch::schema) else {
        return Ok(quality_chunks(&[], &[], rejected, options)?);
    };
    let col = |name: &str| schema.index_of(columns.source(name)).ok();
    let mut time_idx = [None; 3];
    for (k, field) in TIME_FIELDS.iter().enumerate() {
        time_idx[k] = col(field);
    }
    let issued_idx = col("apology_issued");
    let issued_at_idx = col("apology_issued_at");
    if let Some(i) = issued_at_idx {
        check_time_type(&schema, i, "apology_issued_at")?;
    }
    let group_idx = match options.group_by {
        GroupBy::Unit => col("unit"),
        GroupBy::Procedure => col("procedure"),
        _ => None,
    };
    let readers: Vec<usize> = time_idx
        .iter()
        .chain([&issued_at_idx])
        .flatten()
        .copied()
        .collect();
    let planned = limits::plan(batches, &readers, 0, options.memory_limit)?;

    let rejected_rows: HashSet<usize> = rejected.iter().map(|r| r.row).collect();
    let mut coder = GroupCoder::default();
    coder.code("");
    let mut raw_cache: rustc_hash::FxHashMap<Box<str>, u32> = rustc_hash::FxHashMap::default();
    let mut decoded: Vec<Decoded<'_>> = Vec::with_capacity(batches.len());
    let mut offset = 0;
    for batch in batches {
        let n = batch.num_rows();
        let mut ignored = Vec::new();
        let status_idx = col("status").ok_or_else(|| ArrowError::MissingColumn {
            name: columns.source("status").to_string(),
            available: String::new(),
        })?;
        let mut status = decode(
            batch.column(status_idx).as_ref(),
            "status",
            0,
            0u8,
            &mut ignored,
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
        let group = match (options.group_by, group_idx) {
            (GroupBy::Channel, _) => match col("channel") {
                Some(c) => decode(
                    batch.column(c).as_ref(),
                    "channel",
                    0,
                    0u32,
                    &mut ignored,
                    &mut |v| {
                        let ch = match v {
                            Value::Null => Ok(tthc_metrics::Channel::Direct),
                            Value::Int(x) => tthc_metrics::Channel::from_code(x),
                            Value::Text(s) => tthc_metrics::Channel::from_str(s),
                        };
                        ch.map(|c| u32::from(c.code()) - 1)
                            .map_err(|_| RejectReason::UnknownChannel)
                    },
                )?,
                None => vec![0; n],
            },
            (_, Some(g)) => decode(
                batch.column(g).as_ref(),
                "group",
                0,
                0u32,
                &mut ignored,
                &mut |v| {
                    Ok(match v {
                        Value::Null => 0,
                        Value::Int(x) => group_code(&mut coder, &mut raw_cache, &x.to_string()),
                        Value::Text(s) => group_code(&mut coder, &mut raw_cache, s),
                    })
                },
            )?,
            _ => Vec::new(),
        };
        let supplements = col("supplement_requests")
            .map(|c| {
                decode(
                    batch.column(c).as_ref(),
                    "supplement_requests",
                    0,
                    0u32,
                    &mut ignored,
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
        let read_times = |idx: Option<usize>, bad: &mut Vec<usize>| match idx {
            None => Times::Absent,
            Some(c) if is_text(batch.column(c).data_type()) => {
                let (v, bits, unreadable) = parse_text_times(batch.column(c).as_ref());
                bad.extend(unreadable);
                Times::Parsed(v, bits)
            }
            Some(c) => Times::Borrowed(time_column(batch.column(c).as_ref())),
        };
        let mut unused = Vec::new();
        let times = [
            read_times(time_idx[0], &mut unused),
            read_times(time_idx[1], &mut unused),
            read_times(time_idx[2], &mut unused),
        ];
        // apology columns: only this report reads them, so it rejects what it cannot read
        let mut bad: Vec<(usize, &'static str, RejectReason)> = Vec::new();
        let issued = issued_idx
            .map(|c| {
                let mut found = Vec::new();
                let v = decode(
                    batch.column(c).as_ref(),
                    "apology_issued",
                    0,
                    false,
                    &mut found,
                    &mut |v| match v {
                        Value::Null => Ok(false),
                        Value::Int(x) => Ok(x != 0),
                        Value::Text(s) => match s.trim().to_lowercase().as_str() {
                            "true" | "1" | "yes" | "có" | "đã xin lỗi" => Ok(true),
                            "false" | "0" | "no" | "không" | "" => Ok(false),
                            _ => Err(RejectReason::Unreadable),
                        },
                    },
                )?;
                bad.extend(
                    found
                        .into_iter()
                        .map(|(row, _, _, reason)| (row, "apology_issued", reason)),
                );
                Ok::<_, ArrowError>(v)
            })
            .transpose()?;
        let issued_at = issued_at_idx.map(|c| {
            let mut unreadable = Vec::new();
            let t = read_times(Some(c), &mut unreadable);
            bad.extend(
                unreadable
                    .into_iter()
                    .map(|row| (row, "apology_issued_at", RejectReason::Unreadable)),
            );
            t
        });
        bad.sort_unstable_by_key(|b| b.0);
        bad.dedup_by_key(|b| b.0);
        for (row, field, reason) in bad {
            if rejected_rows.contains(&(offset + row)) {
                continue; // the report already rejected it for another field
            }
            let column = columns.source(field);
            let value = schema
                .index_of(column)
                .ok()
                .map(|c| text_value(batch.column(c).as_ref(), row))
                .unwrap_or_default();
            let id = col("dossier_id")
                .map(|c| text_value(batch.column(c).as_ref(), row))
                .unwrap_or_default();
            if (rejected.len() as u64 + 1).saturating_mul(limits::REJECTION_BYTES)
                > options.memory_limit.saturating_sub(planned)
            {
                return Err(limits::too_many_rejected(
                    rejected.len() as u64,
                    options.memory_limit,
                ));
            }
            rejected.push(Rejection::new(offset + row, id, column, value, reason));
            status[row] = 0;
        }
        for (i, s) in status.iter_mut().enumerate() {
            if rejected_rows.contains(&(offset + i)) {
                *s = 0;
            }
        }
        decoded.push(Decoded {
            status,
            supplements,
            group,
            times,
            issued,
            issued_at,
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
            decoded.iter().map(|d| (&d.group).into()),
        );
    }
    let chunks: Vec<Columns<'_>> = decoded
        .iter()
        .map(|d| Columns {
            received: d.times[0].column(),
            due: d.times[1].column(),
            finished: d.times[2].column(),
            status: (&d.status).into(),
            channel: None,
            online_service: None,
            supplement_requests: d.supplements.as_deref(),
            synced: None,
            group: (&d.group).into(),
            group_labels: &labels,
            skip: &[],
        })
        .collect();
    let apologies: Vec<ApologyColumns<'_>> = decoded
        .iter()
        .map(|d| {
            let mut a = ApologyColumns::new();
            if let Some(issued) = &d.issued {
                a = a.issued(issued);
            }
            if let Some(at) = &d.issued_at {
                a = a.issued_at(at.column());
            }
            a
        })
        .collect();
    let used = planned + rejected.len() as u64 * limits::REJECTION_BYTES;
    let budget = options
        .clone()
        .memory_limit(options.memory_limit.saturating_sub(used));
    let mut q = quality_chunks(&chunks, &apologies, rejected, &budget)?;
    q.options.memory_limit = options.memory_limit;
    Ok(q)
}

/// The data-quality report as one record batch, one row per group: `<key>` (`unit`, `procedure`
/// or `channel`; absent for a total), `records, rejected, rejected_<reason>` for every
/// [`RejectReason`] code, `excluded, checked, no_due_date, repeated_supplement,
/// returned_too_often, late, late_without_apology, apology_late` (null without apology
/// information), `overdue, overdue_<bucket>` for each age bucket (`overdue_1_7`,
/// `overdue_8_30`, `overdue_31_90`, `overdue_over_90` by default) and `hanging`. The schema
/// metadata records the options (`as_of`, `window_start`, `comparison`, the limits).
///
/// # Example
/// ```
/// use tthc_arrow::quality_to_batch;
/// use tthc_metrics::{quality, Dossier, QualityOptions, Status};
/// use chrono::NaiveDate;
/// let at = NaiveDate::from_ymd_opt(2023, 9, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
/// let ds = [Dossier::new("1", "Phòng Y tế", at, Status::Processing).with_due(at)];
/// let q = quality(&ds, &QualityOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap())).unwrap();
/// let b = quality_to_batch(&q);
/// assert_eq!(b.num_rows(), 1);
/// assert_eq!(b.schema().field(0).name(), "unit");
/// assert!(b.schema().index_of("overdue_31_90").is_ok());
/// assert!(b.schema().index_of("rejected_due_before_received").is_ok());
/// assert_eq!(b.schema().metadata()["max_returns"], "2");
/// ```
pub fn quality_to_batch(report: &QualityReport) -> RecordBatch {
    let rows = &report.rows;
    let mut fields: Vec<Field> = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    let key = match report.options.group_by {
        GroupBy::Unit => Some("unit"),
        GroupBy::Procedure => Some("procedure"),
        GroupBy::Channel => Some("channel"),
        _ => None,
    };
    if let Some(key) = key {
        fields.push(Field::new(key, DataType::Utf8, true));
        arrays.push(Arc::new(StringArray::from(
            rows.iter().map(|r| r.group.clone()).collect::<Vec<_>>(),
        )));
    }
    let mut push = |name: String, values: Vec<Option<u64>>, nullable: bool| {
        fields.push(Field::new(name, DataType::UInt64, nullable));
        arrays.push(Arc::new(UInt64Array::from(values)));
    };
    let count = |f: &dyn Fn(&tthc_metrics::QualityCounts) -> u64| -> Vec<Option<u64>> {
        rows.iter().map(|r| Some(f(&r.counts))).collect()
    };
    push("records".into(), count(&|c| c.records), false);
    push("rejected".into(), count(&|c| c.rejected_total()), false);
    for reason in RejectReason::ALL {
        push(
            format!("rejected_{}", reason.code()),
            count(&|c| c.rejected.get(&reason).copied().unwrap_or(0)),
            false,
        );
    }
    push("excluded".into(), count(&|c| c.excluded), false);
    push("checked".into(), count(&|c| c.checked), false);
    push("no_due_date".into(), count(&|c| c.no_due_date), false);
    push(
        "repeated_supplement".into(),
        count(&|c| c.repeated_supplement),
        false,
    );
    push(
        "returned_too_often".into(),
        count(&|c| c.returned_too_often),
        false,
    );
    push("late".into(), count(&|c| c.late), false);
    push(
        "late_without_apology".into(),
        rows.iter().map(|r| r.counts.late_without_apology).collect(),
        true,
    );
    push(
        "apology_late".into(),
        rows.iter().map(|r| r.counts.apology_late).collect(),
        true,
    );
    push("overdue".into(), count(&|c| c.overdue), false);
    for (b, label) in report.options.bucket_labels().into_iter().enumerate() {
        push(
            format!("overdue_{label}"),
            count(&|c| c.overdue_by_age.get(b).copied().unwrap_or(0)),
            false,
        );
    }
    push("hanging".into(), count(&|c| c.hanging), false);
    let o = &report.options;
    let metadata: HashMap<String, String> = [
        ("as_of", o.as_of.to_string()),
        ("window_start", report.window.start().to_string()),
        ("window_end", report.window.end().to_string()),
        ("comparison", format!("{:?}", o.comparison).to_lowercase()),
        (
            "max_supplement_requests",
            o.max_supplement_requests.to_string(),
        ),
        ("max_returns", o.max_returns.to_string()),
        ("hanging_after_days", o.hanging_after_days.to_string()),
        ("returns_proxy", "supplement_requests".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let schema = Arc::new(Schema::new(fields).with_metadata(metadata));
    // every column has one value per row by construction
    RecordBatch::try_new(schema.clone(), arrays).unwrap_or_else(|_| RecordBatch::new_empty(schema))
}
