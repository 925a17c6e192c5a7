//! Tables out: reports, quality reports and rejected rows as record batches. Counts are signed
//! `int64` in every table (so that `this.late - last.late` is a difference, and Spark accepts
//! them); rates are floats for plotting (NaN without data) beside their exact numerators and
//! denominators; the schema metadata records every option that produced the table.

use std::collections::HashMap;
use std::str::FromStr;
use std::sync::Arc;

use arrow_array::{
    ArrayRef, BooleanArray, Date32Array, Float64Array, Int64Array, RecordBatch, StringArray,
};
use arrow_schema::{DataType, Field, Schema};
use tthc_metrics::{
    day_number, Duplicate, Error, GroupBy, OnTimePolicy, OnlinePolicy, QualityReport, Rate,
    RejectReason, Rejection, Report, Tally,
};

/// The language of column names and coded values in output tables.
///
/// # Example
/// ```
/// use tthc_arrow::Labels;
/// assert_eq!("vi".parse::<Labels>().unwrap(), Labels::Vietnamese);
/// assert_eq!(Labels::Vietnamese.column("on_time"), "Đúng hạn");
/// assert_eq!(Labels::English.column("on_time"), "on_time");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Labels {
    /// snake_case English names (for code): the default.
    #[default]
    English,
    /// The Vietnamese headers an office sends (Biểu II.06a wording where it has one).
    Vietnamese,
}

impl FromStr for Labels {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self, Error> {
        match s {
            "en" | "english" => Ok(Self::English),
            "vi" | "vietnamese" => Ok(Self::Vietnamese),
            _ => Err(Error::Unknown {
                what: "labels",
                value: s.to_string(),
                expected: "en, vi".into(),
            }),
        }
    }
}

/// Vietnamese names of the output columns.
const VIETNAMESE: &[(&str, &str)] = &[
    ("unit", "Đơn vị"),
    ("procedure", "Thủ tục"),
    ("field", "Lĩnh vực"),
    ("channel", "Hình thức nộp"),
    ("key", "Khóa nhóm"),
    ("period_start", "Từ ngày"),
    ("period_end", "Đến ngày"),
    ("received", "Mới tiếp nhận"),
    ("received_online", "Mới tiếp nhận trực tuyến"),
    ("received_direct", "Mới tiếp nhận trực tiếp"),
    ("received_post", "Mới tiếp nhận qua bưu chính"),
    ("carried_over", "Từ kỳ trước"),
    ("finished", "Đã giải quyết"),
    ("early", "Trước hạn"),
    ("on_time", "Đúng hạn"),
    ("late", "Quá hạn"),
    ("unfinished", "Đang giải quyết"),
    ("within_due", "Trong hạn"),
    ("overdue", "Đang giải quyết quá hạn"),
    ("awaiting_supplement", "Chờ bổ sung"),
    ("awaiting_payment", "Chờ thực hiện nghĩa vụ tài chính"),
    ("backlog", "Tồn đọng"),
    ("refused", "Từ chối"),
    ("withdrawn", "Rút hồ sơ"),
    ("stopped", "Dừng xử lý"),
    ("refused_withdrawn", "Từ chối, rút, dừng"),
    ("handled", "Tổng số hồ sơ"),
    ("on_time_rate", "Tỷ lệ đúng hạn"),
    ("late_rate", "Tỷ lệ trễ hạn"),
    ("online_share", "Tỷ lệ trực tuyến"),
    ("on_time_numerator", "Tử số đúng hạn"),
    ("on_time_denominator", "Mẫu số đúng hạn"),
    ("online_numerator", "Tử số trực tuyến"),
    ("online_denominator", "Mẫu số trực tuyến"),
    ("eligible", "Thủ tục có DVC trực tuyến"),
    ("eligible_online", "Thủ tục có DVC, nộp trực tuyến"),
    ("full_process_online", "Toàn trình, nộp trực tuyến"),
    ("synced", "Đã đồng bộ"),
    ("rollup", "Tổng hợp"),
    // the quality report
    ("records", "Số bản ghi"),
    ("rejected", "Bản ghi lỗi"),
    ("duplicates", "Bản ghi trùng mã hồ sơ"),
    ("excluded", "Không tính"),
    ("checked", "Đã kiểm tra"),
    ("no_due_date", "Không có ngày hẹn trả"),
    ("blank_channel", "Không ghi hình thức nộp"),
    ("received_late", "Tiếp nhận trễ"),
    ("repeated_supplement", "Yêu cầu bổ sung nhiều lần"),
    ("returned_too_often", "Trả lại công dân quá số lần"),
    ("late_without_apology", "Trễ hạn không có văn bản xin lỗi"),
    ("apology_late", "Văn bản xin lỗi gửi muộn"),
    ("hanging", "Hồ sơ treo"),
    // the rejected rows
    ("row", "Dòng"),
    ("dossier_id", "Mã hồ sơ"),
    ("column", "Cột"),
    ("value", "Giá trị"),
    ("reason", "Lý do"),
    ("message", "Chi tiết"),
    ("label", "Nhãn dòng"),
    // the methods table
    ("measure", "Chỉ số"),
    ("method", "Cách tính"),
    ("percent", "Tỷ lệ (%)"),
    ("numerator", "Tử số"),
    ("denominator", "Mẫu số"),
    ("target", "Chỉ tiêu"),
    ("meets", "Đạt chỉ tiêu"),
    ("rule", "Công thức"),
    ("used_by", "Nơi áp dụng"),
];

/// A table's columns under `labels`: the Vietnamese name of every column that has one
/// (`rejected_<reason>` becomes "Bản ghi lỗi: <reason>", `overdue_<a>_<b>` "Quá hạn <a>–<b>
/// ngày"), the data and metadata unchanged. English is the identity.
///
/// # Example
/// ```
/// use std::sync::Arc;
/// use arrow_array::{ArrayRef, Int64Array, RecordBatch};
/// use tthc_arrow::{relabel, Labels};
/// let b = RecordBatch::try_from_iter([
///     ("records", Arc::new(Int64Array::from(vec![3])) as ArrayRef),
///     ("overdue_8_30", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
///     ("rejected_unknown_status", Arc::new(Int64Array::from(vec![1])) as ArrayRef),
/// ]).unwrap();
/// let v = relabel(&b, Labels::Vietnamese);
/// let names: Vec<&str> = v.schema_ref().fields().iter().map(|f| f.name().as_str()).collect();
/// assert_eq!(names, ["Số bản ghi", "Quá hạn 8–30 ngày", "Bản ghi lỗi: unknown_status"]);
/// ```
pub fn relabel(batch: &RecordBatch, labels: Labels) -> RecordBatch {
    if labels == Labels::English {
        return batch.clone();
    }
    let name = |n: &str| -> String {
        if let Some((_, vi)) = VIETNAMESE.iter().find(|(en, _)| *en == n) {
            return (*vi).to_string();
        }
        if let Some(reason) = n.strip_prefix("rejected_") {
            return format!("Bản ghi lỗi: {reason}");
        }
        if let Some(bucket) = n.strip_prefix("overdue_") {
            return match bucket.split_once('_') {
                Some(("over", d)) => format!("Quá hạn trên {d} ngày"),
                Some((a, b)) => format!("Quá hạn {a}–{b} ngày"),
                None => format!("Quá hạn {bucket}"),
            };
        }
        n.to_string()
    };
    let schema = batch.schema();
    let fields: Vec<Field> = schema
        .fields()
        .iter()
        .map(|f| f.as_ref().clone().with_name(name(f.name())))
        .collect();
    let renamed = Arc::new(Schema::new(fields).with_metadata(schema.metadata().clone()));
    RecordBatch::try_new(renamed, batch.columns().to_vec()).unwrap_or_else(|_| batch.clone())
}

impl Labels {
    /// The name of an output column.
    ///
    /// # Example
    /// see [`Labels`].
    pub fn column(self, name: &'static str) -> &'static str {
        match self {
            Self::English => name,
            Self::Vietnamese => VIETNAMESE
                .iter()
                .find(|(en, _)| *en == name)
                .map_or(name, |(_, vi)| vi),
        }
    }

    /// A channel group's label (`direct`, `online`, `post`).
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_arrow::Labels::Vietnamese.channel("post"), "Qua bưu chính công ích");
    /// ```
    pub fn channel(self, name: &str) -> String {
        match (self, name) {
            (Self::Vietnamese, "direct") => "Trực tiếp".into(),
            (Self::Vietnamese, "online") => "Trực tuyến".into(),
            (Self::Vietnamese, "post") => "Qua bưu chính công ích".into(),
            _ => name.into(),
        }
    }
}

/// How a report table is written.
///
/// # Example
/// ```
/// let o = tthc_arrow::TableOptions::default();
/// assert!(!o.key && o.rate_policy == tthc_metrics::OnTimePolicy::ResolvedOnly);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct TableOptions {
    /// The on-time rate policy of the rate columns.
    pub rate_policy: OnTimePolicy,
    /// The online share policy of the share columns.
    pub online_policy: OnlinePolicy,
    /// Adds a `key` column: the group's NFC key (what partial reports are merged by).
    pub key: bool,
    /// Column names and coded values in English (default) or Vietnamese.
    pub labels: Labels,
}

impl TableOptions {
    /// Sets the rate policies.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{OnTimePolicy, OnlinePolicy};
    /// let o = tthc_arrow::TableOptions::default().policies(OnTimePolicy::Decision766, OnlinePolicy::FullProcess);
    /// assert_eq!(o.online_policy, OnlinePolicy::FullProcess);
    /// ```
    #[must_use]
    pub fn policies(mut self, rate: OnTimePolicy, online: OnlinePolicy) -> Self {
        self.rate_policy = rate;
        self.online_policy = online;
        self
    }

    /// Adds the `key` column.
    ///
    /// # Example
    /// ```
    /// assert!(tthc_arrow::TableOptions::default().with_key(true).key);
    /// ```
    #[must_use]
    pub fn with_key(mut self, key: bool) -> Self {
        self.key = key;
        self
    }

    /// Sets the labels.
    ///
    /// # Example
    /// ```
    /// use tthc_arrow::{Labels, TableOptions};
    /// assert_eq!(TableOptions::default().labels(Labels::Vietnamese).labels, Labels::Vietnamese);
    /// ```
    #[must_use]
    pub fn labels(mut self, labels: Labels) -> Self {
        self.labels = labels;
        self
    }
}

fn int64(values: impl Iterator<Item = u64>) -> ArrayRef {
    // counts never exceed i64::MAX: they are bounded by the rows of one input (< 2^32) or by
    // checked sums (Tally::checked_add)
    Arc::new(Int64Array::from_iter_values(
        values.map(|v| i64::try_from(v).unwrap_or(i64::MAX)),
    ))
}

/// A count column: its name and how a tally gives it.
pub type CountColumn = (&'static str, fn(&Tally) -> u64);

/// The counts of a report row, in output order.
pub const COUNT_COLUMNS: [CountColumn; 24] = [
    ("received", Tally::received),
    ("received_online", |t| t.received_online),
    ("received_direct", |t| t.received_direct),
    ("received_post", |t| t.received_post),
    ("carried_over", |t| t.carried_over),
    ("finished", Tally::finished),
    ("early", |t| t.early),
    ("on_time", |t| t.on_time),
    ("late", |t| t.late),
    ("unfinished", Tally::unfinished),
    ("within_due", |t| t.within_due),
    ("overdue", |t| t.overdue),
    ("awaiting_supplement", |t| t.awaiting_supplement),
    ("awaiting_payment", |t| t.awaiting_payment),
    ("backlog", Tally::backlog),
    ("refused", |t| t.refused),
    ("withdrawn", |t| t.withdrawn),
    ("stopped", |t| t.stopped),
    ("refused_withdrawn", Tally::refused_withdrawn),
    ("handled", Tally::handled),
    ("eligible", |t| t.eligible),
    ("eligible_online", |t| t.eligible_online),
    ("full_process_online", |t| t.full_process_online),
    ("synced", |t| t.synced),
];

/// The report as one record batch, with the columns `<key>` (the group's clean label: `unit`,
/// `procedure`, `field` or `channel`; absent for a total), `key` (its NFC key, on request),
/// `period_start, period_end`, the counts of [`COUNT_COLUMNS`] (`int64`), `on_time_rate,
/// late_rate, online_share` (floats, NaN without data), `on_time_numerator,
/// on_time_denominator, online_numerator, online_denominator` (`int64`) and `rollup`. The schema
/// metadata records the provenance: every report option, the rate policies and the window.
///
/// # Example
/// ```
/// use tthc_arrow::{report_to_batch, TableOptions};
/// use tthc_metrics::{report, Dossier, ReportOptions, Status};
/// use chrono::NaiveDate;
/// let at = NaiveDate::from_ymd_opt(2023, 10, 2).unwrap().and_hms_opt(8, 0, 0).unwrap();
/// let r = report(&[Dossier::new("1", "Phòng Y tế", at, Status::Processing)], &ReportOptions::end_of_day(at.date())).unwrap();
/// let b = report_to_batch(&r, &TableOptions::default());
/// assert_eq!(b.num_rows(), 1);
/// assert_eq!(b.schema().field(0).name(), "unit");
/// assert_eq!(b.schema().field_with_name("late").unwrap().data_type(), &arrow_schema::DataType::Int64);
/// assert_eq!(b.schema().metadata()["rate_policy"], "resolved_only");
/// assert_eq!(b.schema().metadata()["comparison"], "date");
/// ```
pub fn report_to_batch(report: &Report, options: &TableOptions) -> RecordBatch {
    let rows = &report.rows;
    let l = options.labels;
    let mut fields: Vec<Field> = Vec::new();
    let mut arrays: Vec<ArrayRef> = Vec::new();
    let by = report.options.group_by;
    if let Some(key) = by.column() {
        fields.push(Field::new(l.column(key), DataType::Utf8, true));
        arrays.push(Arc::new(StringArray::from(
            rows.iter()
                .map(|r| {
                    r.group.as_ref().map(|g| match by {
                        GroupBy::Channel => l.channel(g),
                        _ => g.clone(),
                    })
                })
                .collect::<Vec<_>>(),
        )));
        if options.key {
            fields.push(Field::new(l.column("key"), DataType::Utf8, true));
            arrays.push(Arc::new(StringArray::from(
                rows.iter().map(|r| r.key.clone()).collect::<Vec<_>>(),
            )));
        }
    }
    let date_col = |f: fn(&tthc_metrics::Period) -> chrono::NaiveDate| -> ArrayRef {
        Arc::new(Date32Array::from(
            rows.iter()
                .map(|r| r.period.as_ref().map(|p| day_number(f(p))))
                .collect::<Vec<_>>(),
        ))
    };
    fields.push(Field::new(l.column("period_start"), DataType::Date32, true));
    arrays.push(date_col(tthc_metrics::Period::start));
    fields.push(Field::new(l.column("period_end"), DataType::Date32, true));
    arrays.push(date_col(tthc_metrics::Period::end));
    for (name, f) in COUNT_COLUMNS {
        fields.push(Field::new(l.column(name), DataType::Int64, false));
        arrays.push(int64(rows.iter().map(|r| f(&r.tally))));
    }
    let on_time: Vec<Option<Rate>> = rows
        .iter()
        .map(|r| r.tally.on_time_rate(options.rate_policy).ok())
        .collect();
    let online: Vec<Option<Rate>> = rows
        .iter()
        .map(|r| r.tally.online_share(options.online_policy).ok())
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
        int64(
            v.iter()
                .map(|r| r.map_or(0, |r| if num { r.numerator() } else { r.denominator() })),
        )
    };
    for (name, array) in [
        ("on_time_rate", float(&on_time, false)),
        ("late_rate", float(&on_time, true)),
        ("online_share", float(&online, false)),
    ] {
        fields.push(Field::new(l.column(name), DataType::Float64, false));
        arrays.push(array);
    }
    for (name, array) in [
        ("on_time_numerator", part(&on_time, true)),
        ("on_time_denominator", part(&on_time, false)),
        ("online_numerator", part(&online, true)),
        ("online_denominator", part(&online, false)),
    ] {
        fields.push(Field::new(l.column(name), DataType::Int64, false));
        arrays.push(array);
    }
    fields.push(Field::new(l.column("rollup"), DataType::Boolean, false));
    arrays.push(Arc::new(BooleanArray::from(
        rows.iter().map(|r| r.rollup).collect::<Vec<_>>(),
    )));
    let mut metadata: HashMap<String, String> = report
        .options
        .describe()
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    for (k, v) in [
        ("rate_policy", options.rate_policy.name().to_string()),
        ("online_policy", options.online_policy.name().to_string()),
        ("window_start", report.window.start().to_string()),
        ("window_end", report.window.end().to_string()),
        ("inputs", report.inputs.to_string()),
        ("rejected", report.rejected.len().to_string()),
        ("duplicate_rows", report.duplicates.len().to_string()),
        (
            "tthc_metrics_version",
            env!("CARGO_PKG_VERSION").to_string(),
        ),
    ] {
        metadata.insert(k.to_string(), v);
    }
    let schema = Arc::new(Schema::new(fields).with_metadata(metadata));
    // every column has one value per row by construction
    RecordBatch::try_new(schema.clone(), arrays).unwrap_or_else(|_| RecordBatch::new_empty(schema))
}

/// The rows left out, as a record batch: `row` (position in the input, `int64`), `dossier_id`,
/// `column`, `value`, `reason` (a [`RejectReason`] code, or `duplicate` for a repeat of another
/// row's dossier id), `message`. Rejections first, then repeats, each by row.
///
/// # Example
/// ```
/// use tthc_arrow::rejections_to_batch;
/// use tthc_metrics::{Duplicate, Rejection, RejectReason};
/// let b = rejections_to_batch(
///     &[Rejection::new(3, "X", "status", "99", RejectReason::UnknownStatus)],
///     &[Duplicate { row: 5, dossier_id: "Y".into(), kept: 9 }],
/// );
/// assert_eq!(b.num_rows(), 2);
/// assert_eq!(b.schema().field(4).name(), "reason");
/// ```
pub fn rejections_to_batch(rejected: &[Rejection], duplicates: &[Duplicate]) -> RecordBatch {
    let schema = Arc::new(Schema::new(vec![
        Field::new("row", DataType::Int64, false),
        Field::new("dossier_id", DataType::Utf8, false),
        Field::new("column", DataType::Utf8, false),
        Field::new("value", DataType::Utf8, false),
        Field::new("reason", DataType::Utf8, false),
        Field::new("message", DataType::Utf8, false),
    ]));
    let rows = rejected
        .iter()
        .map(|r| r.row)
        .chain(duplicates.iter().map(|d| d.row));
    let text = |a: Vec<String>| -> ArrayRef { Arc::new(StringArray::from(a)) };
    let arrays: Vec<ArrayRef> = vec![
        int64(rows.map(|r| r as u64)),
        text(
            rejected
                .iter()
                .map(|r| r.dossier_id.clone())
                .chain(duplicates.iter().map(|d| d.dossier_id.clone()))
                .collect(),
        ),
        text(
            rejected
                .iter()
                .map(|r| r.field.clone())
                .chain(duplicates.iter().map(|_| "dossier_id".to_string()))
                .collect(),
        ),
        text(
            rejected
                .iter()
                .map(|r| r.value.clone())
                .chain(duplicates.iter().map(|d| d.dossier_id.clone()))
                .collect(),
        ),
        text(
            rejected
                .iter()
                .map(|r| r.reason.code().to_string())
                .chain(duplicates.iter().map(|_| "duplicate".to_string()))
                .collect(),
        ),
        text(
            rejected
                .iter()
                .map(ToString::to_string)
                .chain(duplicates.iter().map(ToString::to_string))
                .collect(),
        ),
    ];
    RecordBatch::try_new(schema.clone(), arrays).unwrap_or_else(|_| RecordBatch::new_empty(schema))
}

/// The data-quality report as one record batch, one row per group: `<key>` (absent for a
/// total), `records, rejected, rejected_<reason>` for every [`RejectReason`] code,
/// `duplicates, excluded, checked, no_due_date, blank_channel, received_late` (null without
/// submission times or a calendar), `repeated_supplement, returned_too_often, late,
/// late_without_apology, apology_late` (null without apology information), `overdue,
/// overdue_<bucket>` and `hanging`; counts `int64`. The metadata records the options.
///
/// # Example
/// ```
/// use tthc_arrow::quality_to_batch;
/// use tthc_metrics::{quality, Dossier, QualityOptions, Status};
/// use chrono::NaiveDate;
/// let at = NaiveDate::from_ymd_opt(2023, 9, 1).unwrap().and_hms_opt(8, 0, 0).unwrap();
/// let ds = [Dossier::new("1", "Phòng Y tế", at, Status::Processing).with_due(at)];
/// let q = quality(&ds, &QualityOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap()), None).unwrap();
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
    if let Some(key) = report.options.group_by.column() {
        fields.push(Field::new(key, DataType::Utf8, true));
        arrays.push(Arc::new(StringArray::from(
            rows.iter().map(|r| r.group.clone()).collect::<Vec<_>>(),
        )));
    }
    let mut push = |name: String, values: Vec<Option<u64>>, nullable: bool| {
        fields.push(Field::new(name, DataType::Int64, nullable));
        arrays.push(Arc::new(Int64Array::from(
            values
                .into_iter()
                .map(|v| v.map(|v| i64::try_from(v).unwrap_or(i64::MAX)))
                .collect::<Vec<_>>(),
        )));
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
    push("duplicates".into(), count(&|c| c.duplicates), false);
    push("excluded".into(), count(&|c| c.excluded), false);
    push("checked".into(), count(&|c| c.checked), false);
    push("no_due_date".into(), count(&|c| c.no_due_date), false);
    push("blank_channel".into(), count(&|c| c.blank_channel), false);
    push(
        "received_late".into(),
        rows.iter().map(|r| r.counts.received_late).collect(),
        true,
    );
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
        ("group_by", o.group_by.name().to_string()),
        ("comparison", o.comparison.name().to_string()),
        ("due_date", o.due_date.name().to_string()),
        ("duplicates", o.duplicates.name().to_string()),
        (
            "max_supplement_requests",
            o.max_supplement_requests.to_string(),
        ),
        ("max_returns", o.max_returns.to_string()),
        ("hanging_after_days", o.hanging_after_days.to_string()),
        ("reception_hours", o.reception_hours.to_string()),
        ("returns_proxy", "supplement_requests".to_string()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect();
    let schema = Arc::new(Schema::new(fields).with_metadata(metadata));
    RecordBatch::try_new(schema.clone(), arrays).unwrap_or_else(|_| RecordBatch::new_empty(schema))
}

/// Dossier records as a record batch with the canonical columns (times as naive
/// `timestamp[us]` civil time; status as text: the national code `"1"`..`"10"` or `"refused"`).
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
        Field::new("field", DataType::Utf8, false),
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
        text(&|d| d.field.clone()),
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
