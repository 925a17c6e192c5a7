//! The Biểu II.06a (Circular 01/2020/TT-VPCP) from an activity report: the title block, the
//! numbered columns 1–13, one row per unit, field or level section, the total, and the gap of
//! `3 = 7 + 11` under the strict bucket policy (domain-rules sections 6 and 9).

use std::collections::HashMap;

use chrono::NaiveDate;
use serde::Serialize;

use crate::error::{Error, Result};
use crate::names::{name_key, vietnamese_order};
use crate::period::Period;
use crate::report::{GroupBy, Report, ReportOptions, View};
use crate::tally::Tally;
use crate::unit::{UnitKind, UnitTree};

use super::{period_name, place_and_date, roman, vietnamese_date, BucketPolicy, FormRows};

/// The form's code, top left.
pub const FORM_CODE: &str = "Biểu số II.06a/VPCP/KSTT";

/// Options of a Biểu II.06a: the window, what the rows are, the bucket policy and the title
/// block's wording.
///
/// # Example
/// ```
/// use tthc_metrics::{Bieu06aOptions, BucketPolicy, FormRows, Period, ReportOptions, View};
/// use chrono::NaiveDate;
/// let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap();
/// let o = Bieu06aOptions::new(Period::new(d(9, 15), d(10, 14)).unwrap())
///     .rows(FormRows::Field).buckets(BucketPolicy::Inclusive)
///     .reporting_unit("UBND huyện Krông Nô").receiving_unit("UBND tỉnh Đắk Nông");
/// let r = o.report_options(ReportOptions::end_of_day(d(10, 16)));
/// assert_eq!((r.view, r.start, r.as_of), (View::Activity, Some(d(9, 15)), d(10, 14).and_hms_opt(23, 59, 59).unwrap()));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Bieu06aOptions {
    /// The reporting period `[S, E]`; dossiers are classified at the end of `E`.
    pub window: Period,
    /// What the rows are.
    pub rows: FormRows,
    /// Where refused, withdrawn, stopped and awaiting dossiers go.
    pub buckets: BucketPolicy,
    /// "Đơn vị báo cáo".
    pub reporting_unit: String,
    /// "Đơn vị nhận báo cáo".
    pub receiving_unit: String,
    /// What follows "... TẠI" in the title (default: the reporting unit, in capitals).
    pub scope: Option<String>,
    /// The period's name after "Kỳ báo cáo:" (default: [`period_name`](crate::period_name)).
    pub period_name: Option<String>,
    /// The place above the signature ("Krông Nô").
    pub place: Option<String>,
    /// The date above the signature (blank for the clerk when not given).
    pub signed_on: Option<NaiveDate>,
}

impl Bieu06aOptions {
    /// Rows by unit, strict buckets, blank title block.
    ///
    /// # Example
    /// see [`Bieu06aOptions`].
    pub fn new(window: Period) -> Self {
        Self {
            window,
            rows: FormRows::Unit,
            buckets: BucketPolicy::Strict,
            reporting_unit: String::new(),
            receiving_unit: String::new(),
            scope: None,
            period_name: None,
            place: None,
            signed_on: None,
        }
    }

    /// Sets what the rows are.
    ///
    /// # Example
    /// see [`Bieu06aOptions`].
    #[must_use]
    pub fn rows(mut self, rows: FormRows) -> Self {
        self.rows = rows;
        self
    }

    /// Sets the bucket policy.
    ///
    /// # Example
    /// see [`Bieu06aOptions`].
    #[must_use]
    pub fn buckets(mut self, buckets: BucketPolicy) -> Self {
        self.buckets = buckets;
        self
    }

    /// Sets "Đơn vị báo cáo".
    ///
    /// # Example
    /// see [`Bieu06aOptions`].
    #[must_use]
    pub fn reporting_unit(mut self, name: impl Into<String>) -> Self {
        self.reporting_unit = name.into();
        self
    }

    /// Sets "Đơn vị nhận báo cáo".
    ///
    /// # Example
    /// see [`Bieu06aOptions`].
    #[must_use]
    pub fn receiving_unit(mut self, name: impl Into<String>) -> Self {
        self.receiving_unit = name.into();
        self
    }

    /// Sets what the title names after "TẠI".
    ///
    /// # Example
    /// ```
    /// let o = tthc_metrics::Bieu06aOptions::new(tthc_metrics::Period::year(2023).unwrap()).scope("HUYỆN KRÔNG NÔ");
    /// assert_eq!(o.scope.as_deref(), Some("HUYỆN KRÔNG NÔ"));
    /// ```
    #[must_use]
    pub fn scope(mut self, scope: impl Into<String>) -> Self {
        self.scope = Some(scope.into());
        self
    }

    /// Sets the period's name.
    ///
    /// # Example
    /// ```
    /// let o = tthc_metrics::Bieu06aOptions::new(tthc_metrics::Period::year(2023).unwrap()).period_name("Tháng cao điểm");
    /// assert_eq!(o.period_name.as_deref(), Some("Tháng cao điểm"));
    /// ```
    #[must_use]
    pub fn period_name(mut self, name: impl Into<String>) -> Self {
        self.period_name = Some(name.into());
        self
    }

    /// Sets the place and date above the signature.
    ///
    /// # Example
    /// ```
    /// let d = chrono::NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
    /// let o = tthc_metrics::Bieu06aOptions::new(tthc_metrics::Period::year(2023).unwrap()).signed("Krông Nô", Some(d));
    /// assert_eq!(o.signed_on, Some(d));
    /// ```
    #[must_use]
    pub fn signed(mut self, place: impl Into<String>, on: Option<NaiveDate>) -> Self {
        self.place = Some(place.into());
        self.signed_on = on;
        self
    }

    /// The report the form reads: `base` (its classification, repeats and error options) as an
    /// activity report over the window, grouped by unit (or field), one period, cut off at the
    /// end of the window's last day.
    ///
    /// # Example
    /// see [`Bieu06aOptions`].
    pub fn report_options(&self, base: ReportOptions) -> ReportOptions {
        let mut o = base
            .view(View::Activity)
            .group_by(match self.rows {
                FormRows::Field => GroupBy::Field,
                _ => GroupBy::Unit,
            })
            .granularity(None)
            .start(Some(self.window.start()))
            .end(Some(self.window.end()));
        o.as_of = ReportOptions::end_of_day(self.window.end()).as_of;
        o
    }
}

/// The eleven numbered counts of a row (columns 3 to 13).
///
/// # Example
/// ```
/// use tthc_metrics::{BucketPolicy, FormCounts, Tally};
/// let t = Tally { received_online: 2, received_direct: 3, carried_over: 1, on_time: 3, within_due: 1,
///                 refused: 1, awaiting_supplement: 1, ..Tally::default() };
/// let strict = FormCounts::of(&t, BucketPolicy::Strict);
/// assert_eq!((strict.to_handle, strict.finished, strict.unfinished), (6, 3, 1));
/// let inclusive = FormCounts::of(&t, BucketPolicy::Inclusive);
/// assert_eq!((inclusive.on_time, inclusive.within_due), (4, 2));
/// assert_eq!(inclusive.to_handle, inclusive.finished + inclusive.unfinished);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct FormCounts {
    /// (3) to handle: 4 + 5 + 6.
    pub to_handle: u64,
    /// (4) newly received online.
    pub received_online: u64,
    /// (5) newly received directly or by post.
    pub received_direct_post: u64,
    /// (6) carried over from before the period.
    pub carried_over: u64,
    /// (7) finished in the period: 8 + 9 + 10.
    pub finished: u64,
    /// (8) early.
    pub early: u64,
    /// (9) on time.
    pub on_time: u64,
    /// (10) late.
    pub late: u64,
    /// (11) being handled at the period's end: 12 + 13.
    pub unfinished: u64,
    /// (12) within due.
    pub within_due: u64,
    /// (13) overdue.
    pub overdue: u64,
}

impl FormCounts {
    /// The counts of an activity tally under a bucket policy.
    ///
    /// # Example
    /// see [`FormCounts`].
    pub fn of(t: &Tally, buckets: BucketPolicy) -> Self {
        let (folded_on_time, folded_within) = match buckets {
            BucketPolicy::Strict => (0, 0),
            BucketPolicy::Inclusive => (t.refused_withdrawn(), t.awaiting()),
        };
        let received_direct_post = t.received_direct.saturating_add(t.received_post);
        let on_time = t.on_time.saturating_add(folded_on_time);
        let within_due = t.within_due.saturating_add(folded_within);
        Self {
            to_handle: t
                .received_online
                .saturating_add(received_direct_post)
                .saturating_add(t.carried_over),
            received_online: t.received_online,
            received_direct_post,
            carried_over: t.carried_over,
            finished: t.early.saturating_add(on_time).saturating_add(t.late),
            early: t.early,
            on_time,
            late: t.late,
            unfinished: within_due.saturating_add(t.overdue),
            within_due,
            overdue: t.overdue,
        }
    }

    /// Columns 3 to 13 in order.
    ///
    /// # Example
    /// ```
    /// let c = tthc_metrics::FormCounts::default();
    /// assert_eq!(c.columns().len(), 11);
    /// ```
    pub fn columns(&self) -> [u64; 11] {
        [
            self.to_handle,
            self.received_online,
            self.received_direct_post,
            self.carried_over,
            self.finished,
            self.early,
            self.on_time,
            self.late,
            self.unfinished,
            self.within_due,
            self.overdue,
        ]
    }

    fn add(&mut self, o: &Self) {
        let mut c = self.columns();
        for (a, b) in c.iter_mut().zip(o.columns()) {
            *a = a.saturating_add(b);
        }
        *self = Self {
            to_handle: c[0],
            received_online: c[1],
            received_direct_post: c[2],
            carried_over: c[3],
            finished: c[4],
            early: c[5],
            on_time: c[6],
            late: c[7],
            unfinished: c[8],
            within_due: c[9],
            overdue: c[10],
        };
    }
}

/// The dossiers of a row in neither col. 7 nor col. 11 under the strict policy (folded into
/// cols. 9 and 12 under the inclusive one).
///
/// # Example
/// ```
/// use tthc_metrics::{FormGap, Tally};
/// let g = FormGap::of(&Tally { refused: 2, awaiting_payment: 1, ..Tally::default() });
/// assert_eq!(g.total(), 3);
/// assert_eq!(g.describe(), "1 chờ thực hiện nghĩa vụ tài chính; 2 từ chối");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct FormGap {
    /// Awaiting a supplement at the period's end.
    pub awaiting_supplement: u64,
    /// Awaiting a payment (financial obligation) at the period's end.
    pub awaiting_payment: u64,
    /// Refused in the period.
    pub refused: u64,
    /// Withdrawn in the period.
    pub withdrawn: u64,
    /// Stopped in the period.
    pub stopped: u64,
}

/// The parts of a gap with their Vietnamese names.
/// A part of the gap: its English and Vietnamese names and how the gap gives it.
type GapPart = (&'static str, &'static str, fn(&FormGap) -> u64);

pub(crate) const GAP_PARTS: [GapPart; 5] = [
    ("awaiting_supplement", "chờ bổ sung", |g| {
        g.awaiting_supplement
    }),
    (
        "awaiting_payment",
        "chờ thực hiện nghĩa vụ tài chính",
        |g| g.awaiting_payment,
    ),
    ("refused", "từ chối", |g| g.refused),
    ("withdrawn", "rút hồ sơ", |g| g.withdrawn),
    ("stopped", "dừng xử lý", |g| g.stopped),
];

impl FormGap {
    /// The gap of an activity tally.
    ///
    /// # Example
    /// see [`FormGap`].
    pub fn of(t: &Tally) -> Self {
        Self {
            awaiting_supplement: t.awaiting_supplement,
            awaiting_payment: t.awaiting_payment,
            refused: t.refused,
            withdrawn: t.withdrawn,
            stopped: t.stopped,
        }
    }

    /// All of it: `3 − 7 − 11` under the strict policy.
    ///
    /// # Example
    /// see [`FormGap`].
    pub fn total(&self) -> u64 {
        GAP_PARTS
            .iter()
            .fold(0u64, |acc, (_, _, get)| acc.saturating_add(get(self)))
    }

    /// The non-zero parts in words ("12 chờ bổ sung; 3 từ chối"); empty without a gap.
    ///
    /// # Example
    /// see [`FormGap`].
    pub fn describe(&self) -> String {
        GAP_PARTS
            .iter()
            .filter(|(_, _, get)| get(self) > 0)
            .map(|(_, vi, get)| format!("{} {vi}", get(self)))
            .collect::<Vec<_>>()
            .join("; ")
    }

    /// The parts in order (`awaiting_supplement, awaiting_payment, refused, withdrawn, stopped`)
    /// with their English and Vietnamese names.
    ///
    /// # Example
    /// ```
    /// let parts = tthc_metrics::FormGap::default().parts();
    /// assert_eq!((parts[2].0, parts[2].1, parts[2].2), ("refused", "từ chối", 0));
    /// ```
    pub fn parts(&self) -> [(&'static str, &'static str, u64); 5] {
        GAP_PARTS.map(|(en, vi, get)| (en, vi, get(self)))
    }

    fn add(&mut self, o: &Self) {
        self.awaiting_supplement = self
            .awaiting_supplement
            .saturating_add(o.awaiting_supplement);
        self.awaiting_payment = self.awaiting_payment.saturating_add(o.awaiting_payment);
        self.refused = self.refused.saturating_add(o.refused);
        self.withdrawn = self.withdrawn.saturating_add(o.withdrawn);
        self.stopped = self.stopped.saturating_add(o.stopped);
    }
}

/// What a form row is.
///
/// # Example
/// ```
/// assert_eq!(tthc_metrics::FormRowKind::Total.name(), "total");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FormRowKind {
    /// A level section's subtotal ("I. Sở, ban, ngành").
    Section,
    /// A unit or field.
    Entry,
    /// The total ("Tổng cộng").
    Total,
}

impl FormRowKind {
    /// `section`, `entry` or `total`.
    ///
    /// # Example
    /// see [`FormRowKind`].
    pub fn name(self) -> &'static str {
        match self {
            Self::Section => "section",
            Self::Entry => "entry",
            Self::Total => "total",
        }
    }
}

/// One row of the form.
///
/// # Example
/// see [`Bieu06a`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FormRow {
    /// Column 1 (STT): `1`, `2`, ... for entries, `I`, `II`, ... for sections, blank for the total.
    pub number: String,
    /// Column 2: the unit or field (clean NFC spelling), the section's name, or "Tổng cộng".
    pub label: String,
    /// The row's NFC key (entries only).
    pub key: Option<String>,
    /// What the row is.
    pub kind: FormRowKind,
    /// Columns 3 to 13.
    pub counts: FormCounts,
    /// What `3 − 7 − 11` leaves out under the strict policy (what was folded in under the
    /// inclusive one).
    pub gap: FormGap,
}

impl FormRow {
    /// The note of the strict policy's gap: "3 = 2 chờ bổ sung + 1 từ chối" (empty without
    /// one, and under the inclusive policy).
    ///
    /// # Example
    /// see [`Bieu06a`].
    pub fn gap_note(&self, buckets: BucketPolicy) -> String {
        match buckets {
            BucketPolicy::Strict if self.gap.total() > 0 => {
                format!(
                    "{} = {}",
                    self.gap.total(),
                    self.gap.describe().replace("; ", " + ")
                )
            }
            _ => String::new(),
        }
    }
}

/// The title block, as printed above the table.
///
/// # Example
/// see [`Bieu06a`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct FormHeader {
    /// "Biểu số II.06a/VPCP/KSTT".
    pub form_code: String,
    /// "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI ...".
    pub title: String,
    /// "Đơn vị báo cáo: ...".
    pub reporting_unit: String,
    /// "Đơn vị nhận báo cáo: ...".
    pub receiving_unit: String,
    /// "Kỳ báo cáo: Tháng 10 năm 2023 (Từ ngày 15/09/2023 đến ngày 14/10/2023)".
    pub period: String,
    /// "Đơn vị tính: Số hồ sơ TTHC."
    pub unit_of_count: String,
    /// "Krông Nô, ngày 16 tháng 10 năm 2023".
    pub place_and_date: String,
    /// "Người làm báo cáo" (left signature).
    pub prepared_by: String,
    /// "Thủ trưởng đơn vị" (right signature).
    pub approved_by: String,
    /// Lines under the period (the Friday report's year to date and peak window).
    pub context: Vec<String>,
}

/// One cell of the table's header: its text and the block of header rows (0–3) and columns
/// (0-based: 0 is STT, 12 is col. 13, 13 the strict policy's note) it spans.
///
/// # Example
/// see [`Bieu06a::header_cells`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct HeaderCell {
    /// The text.
    pub text: String,
    /// First header row (0-based).
    pub first_row: u16,
    /// Last header row.
    pub last_row: u16,
    /// First column (0-based).
    pub first_col: u16,
    /// Last column.
    pub last_col: u16,
}

/// A Biểu II.06a: title block, rows (entries, level sections, the total) and the provenance of
/// its figures. Identities in every row: `3 = 4 + 5 + 6`, `7 = 8 + 9 + 10`, `11 = 12 + 13`, and
/// `3 = 7 + 11 + gap` (the gap is zero under [`BucketPolicy::Inclusive`]).
///
/// # Example
/// ```
/// use tthc_metrics::{report, Bieu06a, Bieu06aOptions, Dossier, Period, ReportOptions, Status, Channel, FormRowKind};
/// use chrono::NaiveDate;
/// let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap();
/// let at = |m, day| d(m, day).and_hms_opt(8, 0, 0).unwrap();
/// let ds = vec![
///     Dossier::new("1", "Phòng Tư pháp", at(9, 20), Status::Returned).with_due(at(9, 25)).with_finished(at(9, 22)),
///     Dossier::new("2", "Phòng Tư pháp", at(9, 1), Status::Processing).with_due(at(10, 2)),  // carried, overdue
///     Dossier::new("3", "UBND xã Đắk Sôr", at(10, 2), Status::Refused).with_channel(Channel::Online).with_finished(at(10, 3)),
/// ];
/// let o = Bieu06aOptions::new(Period::new(d(9, 15), d(10, 14)).unwrap()).reporting_unit("UBND huyện Krông Nô");
/// let r = report(&ds, &o.report_options(ReportOptions::end_of_day(d(10, 16)))).unwrap();
/// let form = Bieu06a::new(&r, None, &o).unwrap();
/// assert_eq!(form.header.period, "Kỳ báo cáo: Tháng 10 năm 2023 (Từ ngày 15/09/2023 đến ngày 14/10/2023)");
/// assert_eq!(form.header.title, "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI UBND HUYỆN KRÔNG NÔ");
/// let tp = &form.rows[0];
/// assert_eq!((tp.number.as_str(), tp.label.as_str()), ("1", "Phòng Tư pháp"));
/// assert_eq!(tp.counts.columns(), [2, 0, 1, 1, 1, 1, 0, 0, 1, 0, 1]);
/// let xa = &form.rows[1];
/// assert_eq!((xa.counts.to_handle, xa.counts.finished, xa.gap.refused), (1, 0, 1));
/// assert_eq!(xa.gap_note(form.buckets), "1 = 1 từ chối");
/// let total = form.total();
/// assert_eq!((total.kind, total.label.as_str(), total.counts.to_handle), (FormRowKind::Total, "Tổng cộng", 3));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Bieu06a {
    /// The title block.
    pub header: FormHeader,
    /// Entries (and level sections) in order, the total last.
    pub rows: Vec<FormRow>,
    /// What the rows are.
    pub row_kind: FormRows,
    /// The bucket policy.
    pub buckets: BucketPolicy,
    /// The reporting period.
    pub window: Period,
    /// Input records read.
    pub inputs: u64,
    /// Records rejected (with [`OnError::Skip`](crate::OnError::Skip); listed in the report).
    pub rejected: u64,
    /// Rows left out as repeats of another row's dossier.
    pub duplicates: u64,
    /// Valid dossiers outside the form: received after the period, never received, or ended
    /// before it.
    pub outside: u64,
    /// The options of the report the form was built from (its provenance).
    pub report_options: ReportOptions,
}

/// The levels of the "levels" rows, in the order the form lists them.
const LEVELS: [(UnitKind, &str); 3] = [
    (UnitKind::Province, "Sở, ban, ngành"),
    (UnitKind::District, "Huyện, thị xã, thành phố"),
    (UnitKind::Commune, "Xã, phường, thị trấn"),
];

/// The label of dossiers without a field.
const NO_FIELD: &str = "Chưa xác định lĩnh vực";

impl Bieu06a {
    /// Builds the form from the activity report of [`Bieu06aOptions::report_options`]. With a
    /// unit tree, the units are listed in the tree's order (units without dossiers included, so
    /// that every commune has its line), and every unit of the data must be in the tree; the
    /// `levels` rows need one (a unit's level is that of the nearest province, district or
    /// commune at or above it).
    ///
    /// # Errors
    /// - [`Error::InvalidArgument`] for a report that is not the activity report of the window
    ///   grouped as the rows, `levels` without a unit tree, a tree with `field` rows, or a unit
    ///   under no province, district or commune;
    /// - [`Error::Uncovered`] when the tree misses units of the data (all named);
    /// - [`Error::EmptyWindow`] when no dossier was received in or carried into the window.
    ///
    /// # Example
    /// see [`Bieu06a`].
    pub fn new(report: &Report, tree: Option<&UnitTree>, options: &Bieu06aOptions) -> Result<Self> {
        check_report(report, tree, options)?;
        let by_key: HashMap<&str, (&str, &Tally)> = report
            .rows
            .iter()
            .filter(|r| !r.rollup)
            .map(|r| {
                (
                    r.key.as_deref().unwrap_or(""),
                    (r.group.as_deref().unwrap_or(""), &r.tally),
                )
            })
            .collect();
        let total_tally: Tally = report.total();
        if total_tally.received() == 0 && total_tally.carried_over == 0 {
            return Err(Error::EmptyWindow {
                window: options.window,
                detail: empty_detail(report),
            });
        }
        let entry = |number: usize, label: &str, key: Option<&str>, t: Option<&Tally>| {
            let t = t.copied().unwrap_or_default();
            FormRow {
                number: number.to_string(),
                label: label.to_string(),
                key: key.map(str::to_string),
                kind: FormRowKind::Entry,
                counts: FormCounts::of(&t, options.buckets),
                gap: FormGap::of(&t),
            }
        };
        let mut rows: Vec<FormRow> = Vec::new();
        match (options.rows, tree) {
            (FormRows::Field, _) | (FormRows::Unit, None) => {
                let mut keys: Vec<(&str, &str, &Tally)> =
                    by_key.iter().map(|(k, (l, t))| (*k, *l, *t)).collect();
                keys.sort_by(|a, b| {
                    (a.1.is_empty())
                        .cmp(&b.1.is_empty())
                        .then_with(|| vietnamese_order(a.1, b.1))
                });
                for (i, (key, label, t)) in keys.into_iter().enumerate() {
                    let label = if label.is_empty() { NO_FIELD } else { label };
                    rows.push(entry(i + 1, label, Some(key), Some(t)));
                }
            }
            (FormRows::Unit, Some(tree)) => {
                for (i, unit) in listed_units(tree, &by_key).into_iter().enumerate() {
                    let name = &tree.unit(unit).name;
                    let key = name_key(name);
                    let found = by_key.get(key.as_str());
                    let label = found.map_or(name.as_str(), |(l, _)| l);
                    rows.push(entry(i + 1, label, Some(&key), found.map(|(_, t)| *t)));
                }
            }
            (FormRows::Levels, Some(tree)) => {
                let units = listed_units(tree, &by_key);
                let mut unplaced = Vec::new();
                let mut sections: Vec<Vec<usize>> = vec![Vec::new(); LEVELS.len()];
                for u in units {
                    match level_of(tree, u) {
                        Some(l) => sections[l].push(u),
                        None => unplaced.push(tree.unit(u).name.clone()),
                    }
                }
                if !unplaced.is_empty() {
                    return Err(Error::InvalidArgument {
                        name: "unit_tree",
                        reason: format!(
                            "levels rows place each unit under the nearest province, district or commune at or above it; {} {} none: {}",
                            unplaced.len(),
                            if unplaced.len() == 1 { "unit has" } else { "units have" },
                            unplaced.iter().map(|u| format!("{u:?}")).collect::<Vec<_>>().join(", ")
                        ),
                    });
                }
                let mut section_number = 0;
                for ((_, section_name), units) in LEVELS.iter().zip(sections) {
                    if units.is_empty() {
                        continue;
                    }
                    section_number += 1;
                    let at = rows.len();
                    rows.push(FormRow {
                        number: roman(section_number),
                        label: (*section_name).to_string(),
                        key: None,
                        kind: FormRowKind::Section,
                        counts: FormCounts::default(),
                        gap: FormGap::default(),
                    });
                    for (i, unit) in units.into_iter().enumerate() {
                        let name = &tree.unit(unit).name;
                        let key = name_key(name);
                        let found = by_key.get(key.as_str());
                        let label = found.map_or(name.as_str(), |(l, _)| l);
                        let row = entry(i + 1, label, Some(&key), found.map(|(_, t)| *t));
                        let (c, g) = (row.counts, row.gap);
                        rows[at].counts.add(&c);
                        rows[at].gap.add(&g);
                        rows.push(row);
                    }
                }
            }
            (FormRows::Levels, None) => unreachable!("checked by check_report"),
        }
        let mut total = FormRow {
            number: String::new(),
            label: "Tổng cộng".into(),
            key: None,
            kind: FormRowKind::Total,
            counts: FormCounts::default(),
            gap: FormGap::default(),
        };
        for r in rows.iter().filter(|r| r.kind == FormRowKind::Entry) {
            total.counts.add(&r.counts);
            total.gap.add(&r.gap);
        }
        rows.push(total);
        Ok(Self {
            header: header(options),
            rows,
            row_kind: options.rows,
            buckets: options.buckets,
            window: options.window,
            inputs: report.inputs,
            rejected: report.rejected.len() as u64,
            duplicates: report.duplicates.len() as u64,
            outside: report.excluded.total(),
            report_options: report.options.clone(),
        })
    }

    /// The total row.
    ///
    /// # Panics
    /// Never for a form built by [`Bieu06a::new`] (it always ends with its total).
    ///
    /// # Example
    /// see [`Bieu06a`].
    pub fn total(&self) -> &FormRow {
        self.rows
            .last()
            .filter(|r| r.kind == FormRowKind::Total)
            .expect("a form ends with its total row")
    }

    /// The rows of units or fields (neither sections nor the total).
    ///
    /// # Example
    /// see [`Bieu06a::header_cells`].
    pub fn entries(&self) -> impl Iterator<Item = &FormRow> {
        self.rows.iter().filter(|r| r.kind == FormRowKind::Entry)
    }

    /// Whether the form has the strict policy's note column (a gap in some row).
    ///
    /// # Example
    /// see [`Bieu06a::header_cells`].
    pub fn has_gap_column(&self) -> bool {
        self.buckets == BucketPolicy::Strict
    }

    /// Column 2's title: "Đơn vị" or "Lĩnh vực".
    ///
    /// # Example
    /// see [`Bieu06a::header_cells`].
    pub fn label_title(&self) -> &'static str {
        match self.row_kind {
            FormRows::Field => "Lĩnh vực",
            _ => "Đơn vị",
        }
    }

    /// The table header as the form prints it: four rows of grouped, merged cells over the
    /// thirteen columns (and, under the strict policy, the note column), the row of column
    /// numbers 1 to 13 under them being [`Bieu06a::column_numbers`].
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{report, Bieu06a, Bieu06aOptions, BucketPolicy, Dossier, Period, ReportOptions, Status};
    /// use chrono::NaiveDate;
    /// let d = |day| NaiveDate::from_ymd_opt(2023, 10, day).unwrap();
    /// let ds = vec![Dossier::new("1", "Phòng Y tế", d(2).and_hms_opt(8, 0, 0).unwrap(), Status::Processing)];
    /// let o = Bieu06aOptions::new(Period::new(d(1), d(14)).unwrap()).buckets(BucketPolicy::Inclusive);
    /// let f = Bieu06a::new(&report(&ds, &o.report_options(ReportOptions::end_of_day(d(14)))).unwrap(), None, &o).unwrap();
    /// let cells = f.header_cells();
    /// let nine = cells.iter().find(|c| c.first_col == 8 && c.last_row == 3).unwrap();
    /// assert_eq!(nine.text, "Đúng hạn (bao gồm cả hồ sơ từ chối, rút, dừng xử lý)");
    /// assert!(!f.has_gap_column());
    /// assert_eq!(f.entries().count(), 1);
    /// assert_eq!(f.label_title(), "Đơn vị");
    /// assert_eq!(f.column_numbers(), (1..=13).collect::<Vec<u16>>());
    /// ```
    pub fn header_cells(&self) -> Vec<HeaderCell> {
        let cell = |text: &str, rows: (u16, u16), cols: (u16, u16)| HeaderCell {
            text: text.to_string(),
            first_row: rows.0,
            last_row: rows.1,
            first_col: cols.0,
            last_col: cols.1,
        };
        let (on_time, within) = match self.buckets {
            BucketPolicy::Strict => ("Đúng hạn", "Trong hạn"),
            BucketPolicy::Inclusive => (
                "Đúng hạn (bao gồm cả hồ sơ từ chối, rút, dừng xử lý)",
                "Trong hạn (bao gồm cả hồ sơ chờ bổ sung, chờ thực hiện nghĩa vụ tài chính)",
            ),
        };
        let mut cells = vec![
            cell("STT", (0, 3), (0, 0)),
            cell(self.label_title(), (0, 3), (1, 1)),
            cell("Số hồ sơ nhận giải quyết", (0, 0), (2, 5)),
            cell("Kết quả giải quyết", (0, 0), (6, 12)),
            cell("Tổng số", (1, 3), (2, 2)),
            cell("Trong đó", (1, 1), (3, 5)),
            cell("Số hồ sơ đã giải quyết", (1, 1), (6, 9)),
            cell("Số hồ sơ đang giải quyết", (1, 1), (10, 12)),
            cell("Số mới tiếp nhận", (2, 2), (3, 4)),
            cell("Từ kỳ trước", (2, 3), (5, 5)),
            cell("Tổng số", (2, 3), (6, 6)),
            cell("Trong đó", (2, 2), (7, 9)),
            cell("Tổng số", (2, 3), (10, 10)),
            cell("Trong đó", (2, 2), (11, 12)),
            cell("Trực tuyến", (3, 3), (3, 3)),
            cell("Trực tiếp, dịch vụ bưu chính", (3, 3), (4, 4)),
            cell("Trước hạn", (3, 3), (7, 7)),
            cell(on_time, (3, 3), (8, 8)),
            cell("Quá hạn", (3, 3), (9, 9)),
            cell(within, (3, 3), (11, 11)),
            cell("Quá hạn", (3, 3), (12, 12)),
        ];
        if self.has_gap_column() {
            cells.push(cell(
                "Ghi chú: số hồ sơ chưa tính vào (7), (11) = (3) − (7) − (11)",
                (0, 3),
                (13, 13),
            ));
        }
        cells
    }

    /// The row of column numbers under the header: 1 to 13.
    ///
    /// # Example
    /// see [`Bieu06a::header_cells`].
    pub fn column_numbers(&self) -> Vec<u16> {
        (1..=13).collect()
    }

    /// One flat title per column, for tables: `STT`, the label's title, then "(3) Tổng số hồ sơ
    /// nhận giải quyết" ... "(13) Đang giải quyết quá hạn" (unique, numbered as on the form).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Bieu06a, BucketPolicy};
    /// let t = Bieu06a::column_titles(BucketPolicy::Strict);
    /// assert_eq!((t[0], t[6], t[10]), ("(3) Tổng số hồ sơ nhận giải quyết", "(9) Đúng hạn", "(13) Đang giải quyết quá hạn"));
    /// ```
    pub fn column_titles(buckets: BucketPolicy) -> [&'static str; 11] {
        [
            "(3) Tổng số hồ sơ nhận giải quyết",
            "(4) Mới tiếp nhận trực tuyến",
            "(5) Mới tiếp nhận trực tiếp, dịch vụ bưu chính",
            "(6) Từ kỳ trước",
            "(7) Tổng số đã giải quyết",
            "(8) Trước hạn",
            match buckets {
                BucketPolicy::Strict => "(9) Đúng hạn",
                BucketPolicy::Inclusive => "(9) Đúng hạn (bao gồm cả hồ sơ từ chối, rút, dừng xử lý)",
            },
            "(10) Quá hạn",
            "(11) Tổng số đang giải quyết",
            match buckets {
                BucketPolicy::Strict => "(12) Trong hạn",
                BucketPolicy::Inclusive => {
                    "(12) Trong hạn (bao gồm cả hồ sơ chờ bổ sung, chờ thực hiện nghĩa vụ tài chính)"
                }
            },
            "(13) Đang giải quyết quá hạn",
        ]
    }

    /// The English names of columns 3 to 13, for tables read by code.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::Bieu06a::column_names()[0], "to_handle");
    /// ```
    pub fn column_names() -> [&'static str; 11] {
        [
            "to_handle",
            "received_online",
            "received_direct_post",
            "carried_over",
            "finished",
            "early",
            "on_time",
            "late",
            "unfinished",
            "within_due",
            "overdue",
        ]
    }

    /// The notes printed under the table: the strict policy's identity, where the figures come
    /// from (records read, rejected, repeated, outside the period) and how dossiers were
    /// classified.
    ///
    /// # Example
    /// see the tests of `tthc-io`'s form writer.
    pub fn notes(&self) -> Vec<String> {
        let mut notes = Vec::new();
        match self.buckets {
            BucketPolicy::Strict => notes.push(
                "Cột (3) = (7) + (11) + số hồ sơ chờ bổ sung, chờ thực hiện nghĩa vụ tài chính, bị từ chối, rút, dừng xử lý (cột Ghi chú; chi tiết ở trang \"Chênh lệch\").".to_string(),
            ),
            BucketPolicy::Inclusive => notes.push(
                "Cột (9) bao gồm cả hồ sơ bị từ chối, rút, dừng xử lý trong kỳ; cột (12) bao gồm cả hồ sơ chờ bổ sung, chờ thực hiện nghĩa vụ tài chính.".to_string(),
            ),
        }
        let mut source = format!("Số liệu tính từ {} bản ghi", thousands_vi(self.inputs));
        let mut parts = Vec::new();
        if self.rejected > 0 {
            parts.push(format!(
                "{} bản ghi lỗi bị loại",
                thousands_vi(self.rejected)
            ));
        }
        if self.duplicates > 0 {
            parts.push(format!(
                "{} bản ghi trùng mã hồ sơ",
                thousands_vi(self.duplicates)
            ));
        }
        if self.outside > 0 {
            parts.push(format!(
                "{} hồ sơ ngoài kỳ (tiếp nhận sau kỳ, chưa tiếp nhận, hoặc đã kết thúc trước kỳ)",
                thousands_vi(self.outside)
            ));
        }
        if !parts.is_empty() {
            source = format!("{source}; trong đó {}", parts.join(", "));
        }
        notes.push(format!("{source}."));
        let comparison = match self.report_options.classify.comparison {
            crate::Comparison::Date => "so sánh ngày kết thúc với ngày hẹn trả theo ngày",
            _ => "so sánh thời điểm kết thúc với thời điểm hẹn trả",
        };
        notes.push(format!(
            "Đúng hạn, quá hạn: {comparison}; hồ sơ đang giải quyết tính đến hết ngày {}.",
            vietnamese_date(self.window.end())
        ));
        notes
    }
}

/// `15.935`: thousands separated by dots, as Vietnamese documents write counts.
pub(crate) fn thousands_vi(n: u64) -> String {
    crate::budget::thousands(n).replace(',', ".")
}

fn check_report(report: &Report, tree: Option<&UnitTree>, options: &Bieu06aOptions) -> Result<()> {
    let expected = options.report_options(report.options.clone());
    if report.options.view != View::Activity
        || report.options.group_by != expected.group_by
        || report.options.granularity.is_some()
        || report.window != options.window
    {
        return Err(Error::InvalidArgument {
            name: "report",
            reason: format!(
                "a Biểu II.06a reads the activity report of its window ({} to {}) grouped by {}, in one period (Bieu06aOptions::report_options); this one is a {} report of {} by {}",
                options.window.start(),
                options.window.end(),
                expected.group_by.name(),
                report.options.view.name(),
                report.window,
                report.options.group_by.name()
            ),
        });
    }
    match (options.rows, tree) {
        (FormRows::Levels, None) => {
            return Err(Error::InvalidArgument {
                name: "unit_tree",
                reason: "rows by level need a unit tree (what is a province, district or commune)"
                    .into(),
            })
        }
        (FormRows::Field, Some(_)) => {
            return Err(Error::InvalidArgument {
                name: "unit_tree",
                reason: "a unit tree places units; rows by field (lĩnh vực) do not use one".into(),
            })
        }
        _ => {}
    }
    if let Some(tree) = tree {
        let mut missing: Vec<String> = report
            .rows
            .iter()
            .filter(|r| !r.rollup)
            .filter_map(|r| r.group.as_deref())
            .filter(|g| tree.find(g).is_none())
            .map(str::to_string)
            .collect();
        if !missing.is_empty() {
            missing.sort_by(|a, b| vietnamese_order(a, b));
            return Err(Error::Uncovered {
                what: "unit tree",
                missing,
            });
        }
    }
    Ok(())
}

fn empty_detail(report: &Report) -> String {
    let e = &report.excluded;
    let mut parts = vec![format!("{} input rows", report.inputs)];
    if e.outside_window > 0 {
        parts.push(format!("{} received after it", e.outside_window));
    }
    if e.not_received > 0 {
        parts.push(format!("{} never received", e.not_received));
    }
    let ended = e.handled();
    if ended > 0 {
        parts.push(format!("{ended} ended before it"));
    }
    if !report.rejected.is_empty() {
        parts.push(format!("{} rejected", report.rejected.len()));
    }
    if !report.duplicates.is_empty() {
        parts.push(format!("{} repeated", report.duplicates.len()));
    }
    format!("{}; check the window and the file", parts.join(", "))
}

/// The units a tree-ordered form lists: depth first in the tree's order, each unit that has
/// dossiers and each leaf (so that a commune without dossiers still has its zero line).
pub(crate) fn listed_units(tree: &UnitTree, data: &HashMap<&str, (&str, &Tally)>) -> Vec<usize> {
    let n = tree.len();
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut roots = Vec::new();
    for i in 0..n {
        match tree.parent(i) {
            Some(p) => children[p].push(i),
            None => roots.push(i),
        }
    }
    let mut out = Vec::new();
    let mut stack: Vec<usize> = roots.into_iter().rev().collect();
    while let Some(u) = stack.pop() {
        let has_data = data.contains_key(name_key(&tree.unit(u).name).as_str());
        if has_data || children[u].is_empty() {
            out.push(u);
        }
        stack.extend(children[u].iter().rev());
    }
    out
}

/// The section of a unit: that of the nearest province, district or commune at or above it.
fn level_of(tree: &UnitTree, unit: usize) -> Option<usize> {
    tree.ancestors_and_self(unit)
        .find_map(|a| LEVELS.iter().position(|(k, _)| *k == tree.unit(a).kind))
}

fn header(o: &Bieu06aOptions) -> FormHeader {
    let scope = o
        .scope
        .clone()
        .unwrap_or_else(|| o.reporting_unit.to_uppercase());
    let title = if scope.trim().is_empty() {
        "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH".to_string()
    } else {
        format!(
            "TÌNH HÌNH, KẾT QUẢ GIẢI QUYẾT THỦ TỤC HÀNH CHÍNH TẠI {}",
            scope.trim()
        )
    };
    let dates = format!(
        "Từ ngày {} đến ngày {}",
        vietnamese_date(o.window.start()),
        vietnamese_date(o.window.end())
    );
    let period = match o.period_name.clone().or_else(|| period_name(&o.window)) {
        Some(name) => format!("Kỳ báo cáo: {name} ({dates})"),
        None => format!("Kỳ báo cáo: {dates}"),
    };
    FormHeader {
        form_code: FORM_CODE.to_string(),
        title: crate::names::clean_name(&title),
        reporting_unit: format!(
            "Đơn vị báo cáo: {}",
            crate::names::clean_name(&o.reporting_unit)
        ),
        receiving_unit: format!(
            "Đơn vị nhận báo cáo: {}",
            crate::names::clean_name(&o.receiving_unit)
        ),
        period,
        unit_of_count: "Đơn vị tính: Số hồ sơ TTHC.".to_string(),
        place_and_date: place_and_date(o.place.as_deref(), o.signed_on),
        prepared_by: "Người làm báo cáo".to_string(),
        approved_by: "Thủ trưởng đơn vị".to_string(),
        context: Vec::new(),
    }
}
