//! The forms over record batches: decode once, then the core's reports and its form builders
//! ([`Bieu06a`], [`WeeklyReport`], [`methods`]); and the forms as tables (`int64` counts,
//! Vietnamese or English column names).

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::{ArrayRef, BooleanArray, Float64Array, Int64Array, RecordBatch, StringArray};
use arrow_schema::{DataType, Field, Schema};
use tthc_metrics::{
    methods, one_decimal_percent, Bieu06a, Bieu06aOptions, Calendar, Comparison, FormRowKind,
    FormRows, GroupBy, MemoryBudget, MethodRow, Rate, Report, ReportOptions, UnitTree, View,
    WeeklyOptions, WeeklyReport,
};

use crate::decode::Decoded;
use crate::error::ArrowError;
use crate::output::Labels;
use crate::report::{quality_decoded, quality_fields, report_decoded, report_fields};

/// The fields the forms read: those of the reports and of the quality report.
///
/// # Example
/// ```
/// let f = tthc_arrow::form_fields(false);
/// assert!(f.contains(&"field") && f.contains(&"rescheduled_due_at") && f.contains(&"unit"));
/// ```
pub fn form_fields(calendar: bool) -> Vec<&'static str> {
    let probe = ReportOptions::end_of_day(chrono::NaiveDate::MIN).group_by(GroupBy::Field);
    let mut f = report_fields(&probe, calendar);
    for extra in quality_fields().into_iter().chain([
        "rescheduled_due_at",
        "online_service",
        "synced_to_portal",
    ]) {
        if !f.contains(&extra) {
            f.push(extra);
        }
    }
    f
}

/// The Biểu II.06a of a decoded table: the activity report of the form's window (with `base`'s
/// classification, repeats and error options), then [`Bieu06a::new`]; with the report (its
/// rejected and repeated rows).
///
/// # Errors
/// The core's (report, form); a `field` column missing for rows by field.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Date32Array, RecordBatch, StringArray};
/// use tthc_arrow::{bieu_06a_decoded, decode_batches, form_fields, ColumnMap, DecodeOptions};
/// use tthc_metrics::{Bieu06aOptions, MemoryBudget, Period, ReportOptions};
/// use chrono::NaiveDate;
/// let batch = RecordBatch::try_from_iter([
///     ("Đơn vị xử lý", Arc::new(StringArray::from(vec!["Phòng Y tế", "Phòng Y tế"])) as ArrayRef),
///     ("Ngày tiếp nhận", Arc::new(StringArray::from(vec!["20/09/2023 08:00", "02/10/2023"])) as ArrayRef),
///     ("Ngày hẹn trả", Arc::new(StringArray::from(vec!["25/09/2023", "05/10/2023"])) as ArrayRef),
///     ("Ngày có kết quả", Arc::new(StringArray::from(vec![Some("22/09/2023 10:00"), None])) as ArrayRef),
///     ("Trạng thái", Arc::new(StringArray::from(vec!["Đã trả kết quả", "Đang xử lý"])) as ArrayRef),
/// ]).unwrap();
/// let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap();
/// let mut budget = MemoryBudget::new(1 << 30);
/// let decoded = decode_batches(&[batch], &ColumnMap::default(), &DecodeOptions::default().only(&form_fields(false)), &mut budget).unwrap();
/// let o = Bieu06aOptions::new(Period::new(d(9, 15), d(10, 14)).unwrap());
/// let (f, _) = bieu_06a_decoded(&decoded, &ReportOptions::end_of_day(d(10, 14)), None, &o, None, &mut budget).unwrap();
/// assert_eq!(f.total().counts.columns(), [2, 0, 2, 0, 1, 1, 0, 0, 1, 0, 1]);
/// ```
pub fn bieu_06a_decoded(
    decoded: &Decoded,
    base: &ReportOptions,
    tree: Option<&UnitTree>,
    options: &Bieu06aOptions,
    calendar: Option<&Calendar>,
    budget: &mut MemoryBudget,
) -> Result<(Bieu06a, Report), ArrowError> {
    let o = options.report_options(base.clone());
    let r = report_decoded(decoded, &o, calendar, budget)?;
    Ok((Bieu06a::new(&r, tree, options)?, r))
}

/// The Friday report of a decoded table: the week's activity report, the year-to-date report
/// and the quality report at Thursday's close, then [`WeeklyReport::new`]; with the week's report
/// (its rejected and repeated rows).
///
/// # Errors
/// The core's.
///
/// # Example
/// see `tm.forms.weekly` in the Python package, and the tests of this crate.
pub fn weekly_decoded(
    decoded: &Decoded,
    base: &ReportOptions,
    tree: Option<&UnitTree>,
    options: &WeeklyOptions,
    calendar: Option<&Calendar>,
    budget: &mut MemoryBudget,
) -> Result<(WeeklyReport, Report), ArrowError> {
    let week = report_decoded(
        decoded,
        &options.week_options(base.clone()),
        calendar,
        budget,
    )?;
    let year = report_decoded(
        decoded,
        &options.year_options(base.clone()),
        calendar,
        budget,
    )?;
    let q = quality_decoded(decoded, &options.quality_options(base), calendar, budget)?;
    Ok((WeeklyReport::new(&week, &year, &q, tree, options)?, week))
}

/// One dataset under every method ([`methods`]): the cohort of `base`'s window (received in
/// `[start, as_of]`, classified at `as_of`), once with dates compared by day and once by instant.
///
/// # Errors
/// The core's.
///
/// # Example
/// see [`methods_to_batch`].
pub fn methods_decoded(
    decoded: &Decoded,
    base: &ReportOptions,
    calendar: Option<&Calendar>,
    budget: &mut MemoryBudget,
) -> Result<Vec<MethodRow>, ArrowError> {
    let cohort = base.clone().view(View::Cohort).for_tally();
    let by_date = {
        let mut o = cohort.clone();
        o.classify = o.classify.comparison(Comparison::Date);
        report_decoded(decoded, &o, calendar, budget)?
            .summary()?
            .tally
    };
    let by_timestamp = {
        let mut o = cohort;
        o.classify = o.classify.comparison(Comparison::Timestamp);
        report_decoded(decoded, &o, calendar, budget)?
            .summary()?
            .tally
    };
    Ok(methods(&by_date, &by_timestamp)?)
}

fn int64(values: impl Iterator<Item = u64>) -> ArrayRef {
    Arc::new(Int64Array::from_iter_values(
        values.map(|v| i64::try_from(v).unwrap_or(i64::MAX)),
    ))
}

fn text<S: Into<String>>(values: impl Iterator<Item = S>) -> ArrayRef {
    Arc::new(StringArray::from(
        values.map(Into::into).collect::<Vec<String>>(),
    ))
}

/// A percentage with one decimal (half away from zero) as a float for display; null without data.
fn percent(rate: Option<Rate>) -> Option<f64> {
    rate.map(|r| {
        one_decimal_percent(&r)
            .to_string()
            .parse()
            .unwrap_or(f64::NAN)
    })
}

fn batch(columns: Vec<(String, ArrayRef)>, metadata: HashMap<String, String>) -> RecordBatch {
    let fields: Vec<Field> = columns
        .iter()
        .map(|(n, a)| {
            Field::new(
                n,
                a.data_type().clone(),
                a.null_count() > 0 || matches!(a.data_type(), DataType::Float64),
            )
        })
        .collect();
    let schema = Arc::new(Schema::new(fields).with_metadata(metadata));
    let arrays: Vec<ArrayRef> = columns.into_iter().map(|(_, a)| a).collect();
    RecordBatch::try_new(schema.clone(), arrays).unwrap_or_else(|_| RecordBatch::new_empty(schema))
}

fn name(labels: Labels, en: &str, vi: &str) -> String {
    match labels {
        Labels::Vietnamese => vi.to_string(),
        _ => en.to_string(),
    }
}

/// The Biểu II.06a as a table: `STT`, the unit (or field), the numbered columns 3–13 under
/// their Vietnamese titles ("(3) Tổng số hồ sơ nhận giải quyết", ...; English names with
/// `Labels::English`: `to_handle`, `received_online`, ...), under the strict policy the gap and
/// its parts, and the row kind (`entry`, `section`, `total`). Counts are `int64`; the metadata
/// holds the title block, the policy and the report's options.
///
/// # Example
/// ```
/// use tthc_arrow::{form_to_batch, Labels};
/// use tthc_metrics::{report, Bieu06a, Bieu06aOptions, Dossier, Period, ReportOptions, Status};
/// use chrono::NaiveDate;
/// let d = |day| NaiveDate::from_ymd_opt(2023, 10, day).unwrap();
/// let ds = vec![Dossier::new("1", "Phòng Y tế", d(2).and_hms_opt(8, 0, 0).unwrap(), Status::Processing)];
/// let o = Bieu06aOptions::new(Period::new(d(1), d(14)).unwrap());
/// let f = Bieu06a::new(&report(&ds, &o.report_options(ReportOptions::end_of_day(d(14)))).unwrap(), None, &o).unwrap();
/// let b = form_to_batch(&f, Labels::Vietnamese);
/// assert_eq!(b.schema().field(2).name(), "(3) Tổng số hồ sơ nhận giải quyết");
/// assert_eq!(b.num_rows(), 2); // the unit and the total
/// let en = form_to_batch(&f, Labels::English);
/// assert_eq!(en.schema().field(1).name(), "unit");
/// assert_eq!(en.schema().metadata()["buckets"], "strict");
/// ```
pub fn form_to_batch(form: &Bieu06a, labels: Labels) -> RecordBatch {
    let rows = &form.rows;
    let label_en = match form.row_kind {
        FormRows::Field => "field",
        _ => "unit",
    };
    let mut cols: Vec<(String, ArrayRef)> = vec![
        (
            name(labels, "number", "STT"),
            text(rows.iter().map(|r| r.number.clone())),
        ),
        (
            name(labels, label_en, form.label_title()),
            text(rows.iter().map(|r| r.label.clone())),
        ),
    ];
    let titles = Bieu06a::column_titles(form.buckets);
    for (i, (en, vi)) in Bieu06a::column_names().iter().zip(titles).enumerate() {
        cols.push((
            name(labels, en, vi),
            int64(rows.iter().map(|r| r.counts.columns()[i])),
        ));
    }
    if form.has_gap_column() {
        cols.push((
            name(labels, "gap", "Chênh lệch (3) − (7) − (11)"),
            int64(rows.iter().map(|r| r.gap.total())),
        ));
        for (i, (en, vi, _)) in tthc_metrics::FormGap::default().parts().iter().enumerate() {
            cols.push((
                name(labels, en, &capitalise(vi)),
                int64(rows.iter().map(|r| r.gap.parts()[i].2)),
            ));
        }
    }
    cols.push((
        name(labels, "row_kind", "Loại dòng"),
        text(rows.iter().map(|r| match (labels, r.kind) {
            (Labels::Vietnamese, FormRowKind::Entry) => "Đơn vị".to_string(),
            (Labels::Vietnamese, FormRowKind::Section) => "Khối".to_string(),
            (Labels::Vietnamese, FormRowKind::Total) => "Tổng cộng".to_string(),
            (_, k) => k.name().to_string(),
        })),
    ));
    let h = &form.header;
    let mut metadata: HashMap<String, String> = form
        .report_options
        .describe()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    for (k, v) in [
        ("form", h.form_code.as_str()),
        ("title", h.title.as_str()),
        ("reporting_unit", h.reporting_unit.as_str()),
        ("receiving_unit", h.receiving_unit.as_str()),
        ("period", h.period.as_str()),
        ("buckets", form.buckets.name()),
        ("rows", form.row_kind.name()),
    ] {
        metadata.insert(k.into(), v.into());
    }
    metadata.insert("inputs".into(), form.inputs.to_string());
    metadata.insert("rejected".into(), form.rejected.to_string());
    metadata.insert("duplicate_rows".into(), form.duplicates.to_string());
    metadata.insert("outside".into(), form.outside.to_string());
    batch(cols, metadata)
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().collect::<String>() + c.as_str())
        .unwrap_or_default()
}

/// The Friday report as a table, one row per unit and the total: `unit, received,
/// received_online, received_direct_post, finished, early, on_time, late, on_time_percent`
/// (one decimal, half away from zero; null without finished dossiers), `overdue, hanging,
/// eligible, eligible_online, online_percent, year_on_time, year_late, year_on_time_percent,
/// needed` (null when no number of on-time dossiers reaches the target), `in_peak`, `flags`
/// (codes, `;`-separated; Vietnamese words with `Labels::Vietnamese`) and `total`.
///
/// # Example
/// see the tests of this crate.
pub fn weekly_to_batch(report: &WeeklyReport, labels: Labels) -> RecordBatch {
    let rows = &report.rows;
    let vi = labels == Labels::Vietnamese;
    let f = |rates: Vec<Option<f64>>| -> ArrayRef { Arc::new(Float64Array::from(rates)) };
    let in_peak = report.options.in_peak();
    let cols: Vec<(String, ArrayRef)> = vec![
        (
            name(labels, "unit", "Đơn vị"),
            text(rows.iter().map(|r| r.unit.clone())),
        ),
        (
            name(labels, "received", "Tiếp nhận"),
            int64(rows.iter().map(|r| r.week.received())),
        ),
        (
            name(labels, "received_online", "Tiếp nhận trực tuyến"),
            int64(rows.iter().map(|r| r.week.received_online)),
        ),
        (
            name(
                labels,
                "received_direct_post",
                "Tiếp nhận trực tiếp, bưu chính",
            ),
            int64(
                rows.iter()
                    .map(tthc_metrics::WeeklyRow::received_direct_post),
            ),
        ),
        (
            name(labels, "finished", "Đã giải quyết"),
            int64(rows.iter().map(|r| r.week.finished())),
        ),
        (
            name(labels, "early", "Trước hạn"),
            int64(rows.iter().map(|r| r.week.early)),
        ),
        (
            name(labels, "on_time", "Đúng hạn"),
            int64(rows.iter().map(|r| r.week.on_time)),
        ),
        (
            name(labels, "late", "Quá hạn"),
            int64(rows.iter().map(|r| r.week.late)),
        ),
        (
            name(labels, "on_time_percent", "Tỷ lệ đúng hạn (%)"),
            f(rows
                .iter()
                .map(|r| percent(r.on_time_rate().ok()))
                .collect()),
        ),
        (
            name(labels, "overdue", "Tồn quá hạn"),
            int64(rows.iter().map(|r| r.week.overdue)),
        ),
        (
            name(labels, "hanging", "Hồ sơ treo"),
            int64(rows.iter().map(|r| r.hanging)),
        ),
        (
            name(labels, "eligible", "Hồ sơ của TTHC có DVC trực tuyến"),
            int64(rows.iter().map(|r| r.week.eligible)),
        ),
        (
            name(labels, "eligible_online", "Nộp trực tuyến (TTHC có DVC)"),
            int64(rows.iter().map(|r| r.week.eligible_online)),
        ),
        (
            name(labels, "online_percent", "Tỷ lệ trực tuyến (%)"),
            f(rows
                .iter()
                .map(|r| percent(r.online_share().ok()))
                .collect()),
        ),
        (
            name(labels, "year_on_time", "Lũy kế trước hạn, đúng hạn"),
            int64(rows.iter().map(|r| r.year.on_time_or_early())),
        ),
        (
            name(labels, "year_late", "Lũy kế quá hạn"),
            int64(rows.iter().map(|r| r.year.late)),
        ),
        (
            name(labels, "year_on_time_percent", "Lũy kế tỷ lệ đúng hạn (%)"),
            f(rows.iter().map(|r| percent(r.year_rate().ok())).collect()),
        ),
        (
            name(labels, "needed", "Cần thêm hồ sơ đúng hạn"),
            Arc::new(Int64Array::from(
                rows.iter()
                    .map(|r| r.needed.map(|n| i64::try_from(n).unwrap_or(i64::MAX)))
                    .collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            name(labels, "in_peak", "Tháng cao điểm"),
            Arc::new(BooleanArray::from(vec![in_peak; rows.len()])) as ArrayRef,
        ),
        (
            name(labels, "flags", "Ghi chú"),
            text(rows.iter().map(|r| {
                r.flags
                    .iter()
                    .map(|f| if vi { f.vietnamese() } else { f.name() })
                    .collect::<Vec<_>>()
                    .join("; ")
            })),
        ),
        (
            name(labels, "total", "Tổng cộng"),
            Arc::new(BooleanArray::from(
                rows.iter().map(|r| r.total).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
    ];
    let o = &report.options;
    let mut metadata: HashMap<String, String> = HashMap::new();
    metadata.insert("friday".into(), o.friday.to_string());
    metadata.insert("week_start".into(), o.week().start().to_string());
    metadata.insert("week_end".into(), o.week().end().to_string());
    metadata.insert("year_start".into(), o.year_window().start().to_string());
    metadata.insert("on_time_target".into(), o.on_time_target.to_string());
    metadata.insert("online_target".into(), o.online_target.to_string());
    metadata.insert(
        "hanging_after_days".into(),
        o.hanging_after_days.to_string(),
    );
    metadata.insert("inputs".into(), report.inputs.to_string());
    metadata.insert("rejected".into(), report.rejected.to_string());
    metadata.insert("duplicate_rows".into(), report.duplicates.to_string());
    metadata.insert("title".into(), report.header.title.clone());
    metadata.insert("period".into(), report.header.period.clone());
    batch(cols, metadata)
}

/// One dataset under every method as a table: `measure` (`on_time_rate` or `online_share`),
/// `method`, `percent` (as the method shows it: 2 decimals, or OpenCPS's truncated whole
/// percentage; null without data), `numerator, denominator` (`int64`, the exact fraction),
/// `target` (e.g. `>= 95%`), `meets`, `rule` and `used_by`.
///
/// # Example
/// ```
/// use tthc_arrow::methods_to_batch;
/// use tthc_metrics::{methods, Tally};
/// let t = Tally { on_time: 10_677, late: 662, ..Tally::default() };
/// let b = methods_to_batch(&methods(&t, &t).unwrap());
/// assert_eq!(b.schema().field(1).name(), "method");
/// assert!(b.num_rows() >= 11);
/// ```
pub fn methods_to_batch(rows: &[MethodRow]) -> RecordBatch {
    let float = |v: Vec<Option<f64>>| -> ArrayRef { Arc::new(Float64Array::from(v)) };
    let ints = |v: Vec<Option<i64>>| -> ArrayRef { Arc::new(Int64Array::from(v)) };
    let cols: Vec<(String, ArrayRef)> = vec![
        ("measure".into(), text(rows.iter().map(|r| r.kind.name()))),
        ("method".into(), text(rows.iter().map(|r| r.method))),
        (
            "percent".into(),
            float(
                rows.iter()
                    .map(|r| r.percent.map(|p| p.to_string().parse().unwrap_or(f64::NAN)))
                    .collect(),
            ),
        ),
        (
            "numerator".into(),
            ints(
                rows.iter()
                    .map(|r| {
                        r.rate
                            .map(|x| i64::try_from(x.numerator()).unwrap_or(i64::MAX))
                    })
                    .collect(),
            ),
        ),
        (
            "denominator".into(),
            ints(
                rows.iter()
                    .map(|r| {
                        r.rate
                            .map(|x| i64::try_from(x.denominator()).unwrap_or(i64::MAX))
                    })
                    .collect(),
            ),
        ),
        (
            "target".into(),
            Arc::new(StringArray::from(
                rows.iter()
                    .map(|r| r.target.map(|t| t.to_string()))
                    .collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        (
            "meets".into(),
            Arc::new(BooleanArray::from(
                rows.iter().map(|r| r.meets).collect::<Vec<_>>(),
            )) as ArrayRef,
        ),
        ("rule".into(), text(rows.iter().map(|r| r.rule))),
        ("used_by".into(), text(rows.iter().map(|r| r.used_by))),
    ];
    batch(cols, HashMap::new())
}
