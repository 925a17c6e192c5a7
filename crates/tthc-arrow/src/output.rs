//! Report tables out: one row per group and period, counts as integers, rates as floats for
//! plotting (NaN without data) beside their exact numerators and denominators.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, RecordBatch, StringArray, UInt64Array,
};
use arrow_schema::{DataType, Field, Schema};
use tthc_metrics::{
    day_number, GroupBy, OnTimePolicy, OnlinePolicy, Rate, Rejection, Report, Tally,
};

/// The report as one record batch, with the columns
/// `<key>, period_start, period_end, received, received_online, carried_over, finished, early,
/// on_time, late, unfinished, within_due, overdue, awaiting_supplement, refused_withdrawn,
/// on_time_rate, late_rate, online_share, on_time_numerator, on_time_denominator,
/// online_numerator, online_denominator, rollup`, where `<key>` is `unit`, `procedure` or
/// `channel` (absent for a total). The schema metadata names the policies (`rate_policy`,
/// `online_policy`), the view and the window.
///
/// # Example
/// ```
/// use tthc_arrow::report_to_batch;
/// use tthc_metrics::{report, Dossier, ReportOptions, Status, OnTimePolicy, OnlinePolicy};
/// use chrono::NaiveDate;
/// let at = NaiveDate::from_ymd_opt(2023, 10, 2).unwrap().and_hms_opt(8, 0, 0).unwrap();
/// let r = report(&[Dossier::new("1", "Phòng Y tế", at, Status::Processing)], &ReportOptions::end_of_day(at.date())).unwrap();
/// let b = report_to_batch(&r, OnTimePolicy::ResolvedOnly, OnlinePolicy::EligibleOnly);
/// assert_eq!(b.num_rows(), 1);
/// assert_eq!(b.schema().field(0).name(), "unit");
/// assert_eq!(b.schema().metadata()["rate_policy"], "resolved_only");
/// ```
#[allow(clippy::type_complexity)] // a table of (column, getter) pairs
pub fn report_to_batch(
    report: &Report,
    rate_policy: OnTimePolicy,
    online_policy: OnlinePolicy,
) -> RecordBatch {
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
    let date_col = |f: fn(&tthc_metrics::Period) -> chrono::NaiveDate| -> ArrayRef {
        Arc::new(Date32Array::from(
            rows.iter()
                .map(|r| r.period.as_ref().map(|p| day_number(f(p))))
                .collect::<Vec<_>>(),
        ))
    };
    fields.push(Field::new("period_start", DataType::Date32, true));
    arrays.push(date_col(tthc_metrics::Period::start));
    fields.push(Field::new("period_end", DataType::Date32, true));
    arrays.push(date_col(tthc_metrics::Period::end));
    let counts: [(&str, fn(&Tally) -> u64); 13] = [
        ("received", Tally::received),
        ("received_online", |t| t.received_online),
        ("carried_over", |t| t.carried_over),
        ("finished", Tally::finished),
        ("early", |t| t.early),
        ("on_time", |t| t.on_time),
        ("late", |t| t.late),
        ("unfinished", Tally::unfinished),
        ("within_due", |t| t.within_due),
        ("overdue", |t| t.overdue),
        ("awaiting_supplement", |t| t.awaiting_supplement),
        ("refused_withdrawn", Tally::refused_withdrawn),
        ("handled", Tally::handled),
    ];
    for (name, f) in counts {
        fields.push(Field::new(name, DataType::UInt64, false));
        arrays.push(Arc::new(UInt64Array::from(
            rows.iter().map(|r| f(&r.tally)).collect::<Vec<_>>(),
        )));
    }
    let on_time: Vec<Option<Rate>> = rows
        .iter()
        .map(|r| r.tally.on_time_rate(rate_policy).ok())
        .collect();
    let online: Vec<Option<Rate>> = rows
        .iter()
        .map(|r| r.tally.online_share(online_policy).ok())
        .collect();
    let float = |v: &[Option<Rate>], complement: bool| -> ArrayRef {
        Arc::new(Float64Array::from(
            v.iter()
                .map(|r| {
                    r.map_or(f64::NAN, |r| {
                        if complement {
                            r.complement().to_f64()
                        } else {
                            r.to_f64()
                        }
                    })
                })
                .collect::<Vec<_>>(),
        ))
    };
    let part = |v: &[Option<Rate>], num: bool| -> ArrayRef {
        Arc::new(UInt64Array::from(
            v.iter()
                .map(|r| r.map_or(0, |r| if num { r.numerator() } else { r.denominator() }))
                .collect::<Vec<_>>(),
        ))
    };
    for (name, array) in [
        ("on_time_rate", float(&on_time, false)),
        ("late_rate", float(&on_time, true)),
        ("online_share", float(&online, false)),
    ] {
        fields.push(Field::new(name, DataType::Float64, false));
        arrays.push(array);
    }
    for (name, array) in [
        ("on_time_numerator", part(&on_time, true)),
        ("on_time_denominator", part(&on_time, false)),
        ("online_numerator", part(&online, true)),
        ("online_denominator", part(&online, false)),
    ] {
        fields.push(Field::new(name, DataType::UInt64, false));
        arrays.push(array);
    }
    fields.push(Field::new("rollup", DataType::Boolean, false));
    arrays.push(Arc::new(BooleanArray::from(
        rows.iter().map(|r| r.rollup).collect::<Vec<_>>(),
    )));
    let metadata: HashMap<String, String> = [
        ("rate_policy", rate_policy.name().to_string()),
        ("online_policy", online_policy.name().to_string()),
        ("view", format!("{:?}", report.options.view).to_lowercase()),
        ("window_start", report.window.start().to_string()),
        ("window_end", report.window.end().to_string()),
        ("as_of", report.options.as_of.to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let schema = Arc::new(Schema::new(fields).with_metadata(metadata));
    // every column has one value per row by construction
    RecordBatch::try_new(schema.clone(), arrays).unwrap_or_else(|_| RecordBatch::new_empty(schema))
}

/// The rejected records as a record batch: `row, dossier_id, column, value, reason, message`.
///
/// # Example
/// ```
/// use tthc_arrow::rejections_to_batch;
/// use tthc_metrics::{Rejection, RejectReason};
/// let b = rejections_to_batch(&[Rejection::new(3, "X", "status", "99", RejectReason::UnknownStatus)]);
/// assert_eq!(b.num_rows(), 1);
/// assert_eq!(b.schema().field(4).name(), "reason");
/// ```
pub fn rejections_to_batch(rejected: &[Rejection]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("row", DataType::UInt64, false),
        Field::new("dossier_id", DataType::Utf8, false),
        Field::new("column", DataType::Utf8, false),
        Field::new("value", DataType::Utf8, false),
        Field::new("reason", DataType::Utf8, false),
        Field::new("message", DataType::Utf8, false),
    ]));
    let arrays: Vec<ArrayRef> = vec![
        Arc::new(UInt64Array::from(
            rejected.iter().map(|r| r.row as u64).collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(
            rejected
                .iter()
                .map(|r| r.dossier_id.as_str())
                .collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(
            rejected
                .iter()
                .map(|r| r.field.as_str())
                .collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(
            rejected
                .iter()
                .map(|r| r.value.as_str())
                .collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(
            rejected.iter().map(|r| r.reason.code()).collect::<Vec<_>>(),
        )),
        Arc::new(StringArray::from(
            rejected.iter().map(ToString::to_string).collect::<Vec<_>>(),
        )),
    ];
    RecordBatch::try_new(schema.clone(), arrays).unwrap_or_else(|_| RecordBatch::new_empty(schema))
}

/// Dossier records as a record batch with the canonical columns (times as naive
/// `timestamp[us]` civil time; status as its national code, refused as `"refused"` text being
/// impossible in an integer column, so status is text: `"1"`..`"10"` or `"refused"`).
///
/// # Example
/// ```
/// let b = tthc_arrow::dossiers_to_batch(&tthc_sample::synthetic(10, 3, 1));
/// assert_eq!(b.num_rows(), 10);
/// assert!(b.schema().index_of("received_at").is_ok());
/// ```
pub fn dossiers_to_batch(dossiers: &[tthc_metrics::Dossier]) -> RecordBatch {
    use arrow_array::{TimestampMicrosecondArray, UInt32Array};
    let micros = |t: Option<chrono::NaiveDateTime>| t.map(|t| t.and_utc().timestamp_micros());
    let ts = |f: &dyn Fn(&tthc_metrics::Dossier) -> Option<chrono::NaiveDateTime>| -> ArrayRef {
        Arc::new(TimestampMicrosecondArray::from(
            dossiers.iter().map(|d| micros(f(d))).collect::<Vec<_>>(),
        ))
    };
    let text = |f: &dyn Fn(&tthc_metrics::Dossier) -> String| -> ArrayRef {
        Arc::new(StringArray::from(
            dossiers.iter().map(f).collect::<Vec<_>>(),
        ))
    };
    let ts_type = DataType::Timestamp(arrow_schema::TimeUnit::Microsecond, None);
    let schema = Arc::new(Schema::new(vec![
        Field::new("dossier_id", DataType::Utf8, false),
        Field::new("unit", DataType::Utf8, false),
        Field::new("procedure", DataType::Utf8, false),
        Field::new("received_at", ts_type.clone(), true),
        Field::new("due_at", ts_type.clone(), true),
        Field::new("finished_at", ts_type.clone(), true),
        Field::new("status", DataType::Utf8, false),
        Field::new("channel", DataType::Utf8, false),
        Field::new("online_service", DataType::Utf8, false),
        Field::new("supplement_requests", DataType::UInt32, false),
        Field::new("apology_issued", DataType::Boolean, false),
        Field::new("rescheduled_due_at", ts_type, true),
        Field::new("synced_to_portal", DataType::Boolean, true),
    ]));
    let arrays: Vec<ArrayRef> = vec![
        text(&|d| d.dossier_id.clone()),
        text(&|d| d.unit.clone()),
        text(&|d| d.procedure.clone()),
        ts(&|d| Some(d.received_at)),
        ts(&|d| d.due_at),
        ts(&|d| d.finished_at),
        text(&|d| {
            d.status
                .code()
                .map_or_else(|| "refused".to_string(), |c| c.to_string())
        }),
        text(&|d| d.channel.to_string()),
        text(&|d| d.online_service.to_string()),
        Arc::new(UInt32Array::from(
            dossiers
                .iter()
                .map(|d| d.supplement_requests)
                .collect::<Vec<_>>(),
        )),
        Arc::new(BooleanArray::from(
            dossiers
                .iter()
                .map(|d| d.apology_issued)
                .collect::<Vec<_>>(),
        )),
        ts(&|d| d.rescheduled_due_at),
        Arc::new(BooleanArray::from(
            dossiers
                .iter()
                .map(|d| d.synced_to_portal)
                .collect::<Vec<_>>(),
        )),
    ];
    RecordBatch::try_new(schema.clone(), arrays).unwrap_or_else(|_| RecordBatch::new_empty(schema))
}
