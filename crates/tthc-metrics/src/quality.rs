//! The data-quality report: what an export says about how dossiers were handled, beside the
//! metrics. Per group (unit by default, NFC-keyed like reports), at a cut-off `as_of`:
//!
//! * **rejected** records, by [`RejectReason`]: the same validation reports use
//!   ([`Dossier::validate`] for records; the adapter's decoding and the kernel's checks for
//!   columns), never re-implemented here;
//! * dossiers **without a due date** (they count on time by default, which flatters the rate);
//! * **repeated supplement** requests: more than `max_supplement_requests` (default 1: the
//!   one-stop desk tells the citizen once, and in full, what to supplement (Decree 61/2018,
//!   form Mẫu 02), and under Decision 766 a second request makes an unfinished dossier overdue);
//! * dossiers **returned to the citizen** more than `max_returns` times (default 2: the citizen
//!   must not be made to come back more than twice, Decree 63/2010 as the project's issue 7
//!   states it). *Proxy:* exports carry no separate count of returns, and each supplement
//!   request sends the dossier back to the citizen (Mẫu 02), so the number of returns is the
//!   number of supplement requests;
//! * **late** dossiers (finished late, or unfinished and overdue at `as_of`; a dossier awaiting a
//!   supplement has its clock paused and is not late) **without an apology** letter (Mẫu 04), and
//!   apologies **issued late**: after the due date (by calendar date under the default
//!   [`Comparison::Date`], by instant under [`Comparison::Timestamp`]). Both are `None` when the
//!   input has no apology information;
//! * **overdue** unfinished dossiers by age in whole calendar days past the due date (buckets
//!   1–7, 8–30, 31–90 and over 90 days by default), and the **hanging** ones (treo): overdue by
//!   more than `hanging_after_days` (default 30, domain-rules section 3).
//!
//! The dossiers looked at are those received in `[start, as_of]` (cohort semantics: `start`
//! defaults to the earliest reception); never-received dossiers (status 1, 3) and those outside
//! the window are `excluded`. Conservation per group: `records = rejected + excluded + checked`.

use std::collections::{BTreeMap, HashMap};
use std::ops::AddAssign;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::classify::{
    classify_facts, local_seconds, ClassifyOptions, Comparison, DueDateChoice, Facts, Outcome, DAY,
};
use crate::columns::{Columns, TimeColumn, Validity, NONE};
use crate::dossier::{
    in_supported_range, Dossier, Status, StatusGroup, MAX_SUPPORTED, MIN_SUPPORTED,
};
use crate::error::{Error, RejectReason, Rejection, Result};
use crate::kernel;
use crate::period::{day_number, Period};
use crate::report::{check_lengths, optional_seconds, GroupBy, OnError, Records};
use crate::unit::name_key;

/// Options of the data-quality report, with the defaults named in the module documentation.
///
/// # Example
/// ```
/// use tthc_metrics::QualityOptions;
/// use chrono::NaiveDate;
/// let o = QualityOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap());
/// assert_eq!((o.max_supplement_requests, o.max_returns, o.hanging_after_days), (1, 2, 30));
/// assert_eq!(o.overdue_buckets, [7, 30, 90]);
/// assert_eq!(o.bucket_labels(), ["1_7", "8_30", "31_90", "over_90"]);
/// let o = o.overdue_buckets(vec![30]).hanging_after_days(60);
/// assert_eq!(o.bucket_labels(), ["1_30", "over_30"]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityOptions {
    /// The cut-off instant (local civil time).
    pub as_of: NaiveDateTime,
    /// First reception day looked at (default: the earliest reception).
    #[serde(default)]
    pub start: Option<NaiveDate>,
    /// Row key: unit (default), procedure, channel or one total row.
    #[serde(default)]
    pub group_by: GroupBy,
    /// How lateness is decided: calendar dates (default) or instants.
    #[serde(default)]
    pub comparison: Comparison,
    /// Upper edges (days past due, inclusive, strictly increasing, at least 1) of the overdue age
    /// buckets; one more bucket holds the older ones. Default `[7, 30, 90]`.
    #[serde(default = "default_buckets")]
    pub overdue_buckets: Vec<u32>,
    /// Overdue by more than this many days is hanging (default 30).
    #[serde(default = "default_hanging")]
    pub hanging_after_days: u32,
    /// More supplement requests than this are flagged (default 1).
    #[serde(default = "default_supplements")]
    pub max_supplement_requests: u32,
    /// More returns to the citizen than this are flagged (default 2).
    #[serde(default = "default_returns")]
    pub max_returns: u32,
    /// Working memory the report may allocate beyond its input, in bytes (as
    /// [`ReportOptions::memory_limit`](crate::ReportOptions::memory_limit)).
    #[serde(default = "default_memory_limit")]
    pub memory_limit: u64,
}

fn default_buckets() -> Vec<u32> {
    vec![7, 30, 90]
}
fn default_hanging() -> u32 {
    30
}
fn default_supplements() -> u32 {
    1
}
fn default_returns() -> u32 {
    2
}
fn default_memory_limit() -> u64 {
    crate::report::ReportOptions::DEFAULT_MEMORY_LIMIT
}

impl QualityOptions {
    /// Defaults at the cut-off instant `as_of`.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{QualityOptions, GroupBy};
    /// let t = chrono::NaiveDate::from_ymd_opt(2023, 10, 16).unwrap().and_hms_opt(12, 0, 0).unwrap();
    /// assert_eq!(QualityOptions::new(t).group_by, GroupBy::Unit);
    /// ```
    pub fn new(as_of: NaiveDateTime) -> Self {
        Self {
            as_of,
            start: None,
            group_by: GroupBy::Unit,
            comparison: Comparison::Date,
            overdue_buckets: default_buckets(),
            hanging_after_days: default_hanging(),
            max_supplement_requests: default_supplements(),
            max_returns: default_returns(),
            memory_limit: default_memory_limit(),
        }
    }

    /// Defaults with `as_of` at the end of `date` (23:59:59).
    ///
    /// # Example
    /// see [`QualityOptions`].
    pub fn end_of_day(date: NaiveDate) -> Self {
        Self::new(date.and_time(NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)))
    }

    /// Sets the first reception day.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::QualityOptions; use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    /// assert_eq!(QualityOptions::end_of_day(d).start(Some(d)).start, Some(d));
    /// ```
    #[must_use]
    pub fn start(mut self, start: Option<NaiveDate>) -> Self {
        self.start = start;
        self
    }

    /// Sets the row key.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{QualityOptions, GroupBy}; use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    /// assert_eq!(QualityOptions::end_of_day(d).group_by(GroupBy::Total).group_by, GroupBy::Total);
    /// ```
    #[must_use]
    pub fn group_by(mut self, key: GroupBy) -> Self {
        self.group_by = key;
        self
    }

    /// Sets the comparison of lateness.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{QualityOptions, Comparison}; use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    /// let o = QualityOptions::end_of_day(d).comparison(Comparison::Timestamp);
    /// assert_eq!(o.comparison, Comparison::Timestamp);
    /// ```
    #[must_use]
    pub fn comparison(mut self, c: Comparison) -> Self {
        self.comparison = c;
        self
    }

    /// Sets the upper edges of the overdue age buckets.
    ///
    /// # Example
    /// see [`QualityOptions`].
    #[must_use]
    pub fn overdue_buckets(mut self, edges: Vec<u32>) -> Self {
        self.overdue_buckets = edges;
        self
    }

    /// Sets the days past due beyond which an overdue dossier is hanging.
    ///
    /// # Example
    /// see [`QualityOptions`].
    #[must_use]
    pub fn hanging_after_days(mut self, days: u32) -> Self {
        self.hanging_after_days = days;
        self
    }

    /// Sets the most supplement requests not flagged.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::QualityOptions; use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    /// assert_eq!(QualityOptions::end_of_day(d).max_supplement_requests(2).max_supplement_requests, 2);
    /// ```
    #[must_use]
    pub fn max_supplement_requests(mut self, n: u32) -> Self {
        self.max_supplement_requests = n;
        self
    }

    /// Sets the most returns to the citizen not flagged.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::QualityOptions; use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    /// assert_eq!(QualityOptions::end_of_day(d).max_returns(3).max_returns, 3);
    /// ```
    #[must_use]
    pub fn max_returns(mut self, n: u32) -> Self {
        self.max_returns = n;
        self
    }

    /// Sets the working-memory limit in bytes.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::QualityOptions; use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    /// assert_eq!(QualityOptions::end_of_day(d).memory_limit(1 << 20).memory_limit, 1 << 20);
    /// ```
    #[must_use]
    pub fn memory_limit(mut self, bytes: u64) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// Names of the overdue age buckets (`1_7`, `8_30`, `31_90`, `over_90` by default), in the
    /// order of [`QualityCounts::overdue_by_age`].
    ///
    /// # Example
    /// see [`QualityOptions`].
    pub fn bucket_labels(&self) -> Vec<String> {
        let mut out = Vec::with_capacity(self.overdue_buckets.len() + 1);
        let mut low = 1u64;
        for &edge in &self.overdue_buckets {
            out.push(format!("{low}_{edge}"));
            low = u64::from(edge) + 1;
        }
        out.push(format!(
            "over_{}",
            self.overdue_buckets.last().copied().unwrap_or(0)
        ));
        out
    }

    fn validate(&self) -> Result<()> {
        let increasing = self.overdue_buckets.windows(2).all(|w| w[0] < w[1]);
        if !increasing || self.overdue_buckets.first().is_some_and(|&e| e == 0) {
            return Err(Error::InvalidArgument {
                name: "overdue_buckets",
                reason: format!(
                    "{:?} are not strictly increasing day counts of at least 1",
                    self.overdue_buckets
                ),
            });
        }
        for date in [Some(self.as_of.date()), self.start].into_iter().flatten() {
            if !in_supported_range(date) {
                return Err(Error::OutOfRange {
                    date,
                    min: MIN_SUPPORTED,
                    max: MAX_SUPPORTED,
                });
            }
        }
        if let Some(start) = self.start {
            Period::new(start, self.as_of.date())?;
        }
        Ok(())
    }
}

/// The data-quality counts of one group (or of a whole report, [`QualityReport::total`]).
///
/// `records = rejected + excluded + checked`; every other count is of `checked` dossiers.
///
/// # Example
/// ```
/// use tthc_metrics::QualityCounts;
/// let mut a = QualityCounts::default();
/// a.records = 2;
/// a.checked = 2;
/// let mut b = a.clone();
/// b += a;
/// assert_eq!(b.records, 4);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct QualityCounts {
    /// Input records of the group.
    pub records: u64,
    /// Records rejected, by reason (reasons with none are absent).
    pub rejected: BTreeMap<RejectReason, u64>,
    /// Valid records never received (status 1, 3) or received outside `[start, as_of]`.
    pub excluded: u64,
    /// Valid dossiers received in the window: the ones every count below looks at.
    pub checked: u64,
    /// Without a due date.
    pub no_due_date: u64,
    /// More supplement requests than `max_supplement_requests`.
    pub repeated_supplement: u64,
    /// Returned to the citizen more than `max_returns` times (proxy: supplement requests).
    pub returned_too_often: u64,
    /// Finished late, or unfinished and overdue at `as_of`.
    pub late: u64,
    /// Of `late`, without an apology letter; `None` without apology information.
    pub late_without_apology: Option<u64>,
    /// Apologies issued after the due date; `None` without apology issue times.
    pub apology_late: Option<u64>,
    /// Unfinished and overdue at `as_of` (not awaiting a supplement).
    pub overdue: u64,
    /// `overdue` by whole calendar days past the due date, one count per bucket of
    /// [`QualityOptions::bucket_labels`] (a dossier overdue on its due day itself, possible under
    /// [`Comparison::Timestamp`], is in the first bucket).
    pub overdue_by_age: Vec<u64>,
    /// Overdue by more than `hanging_after_days`.
    pub hanging: u64,
}

impl QualityCounts {
    /// All rejected records.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{QualityCounts, RejectReason};
    /// let mut c = QualityCounts::default();
    /// c.rejected.insert(RejectReason::Missing, 2);
    /// c.rejected.insert(RejectReason::OutOfRange, 1);
    /// assert_eq!(c.rejected_total(), 3);
    /// ```
    pub fn rejected_total(&self) -> u64 {
        self.rejected.values().sum()
    }

    fn with_buckets(n: usize, apologies: bool, apology_times: bool) -> Self {
        Self {
            overdue_by_age: vec![0; n],
            late_without_apology: apologies.then_some(0),
            apology_late: apology_times.then_some(0),
            ..Self::default()
        }
    }
}

impl AddAssign for QualityCounts {
    fn add_assign(&mut self, o: QualityCounts) {
        let opt = |a: Option<u64>, b: Option<u64>| match (a, b) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0) + b.unwrap_or(0)),
        };
        self.records += o.records;
        for (reason, n) in o.rejected {
            *self.rejected.entry(reason).or_default() += n;
        }
        self.excluded += o.excluded;
        self.checked += o.checked;
        self.no_due_date += o.no_due_date;
        self.repeated_supplement += o.repeated_supplement;
        self.returned_too_often += o.returned_too_often;
        self.late += o.late;
        self.late_without_apology = opt(self.late_without_apology, o.late_without_apology);
        self.apology_late = opt(self.apology_late, o.apology_late);
        self.overdue += o.overdue;
        if self.overdue_by_age.len() < o.overdue_by_age.len() {
            self.overdue_by_age.resize(o.overdue_by_age.len(), 0);
        }
        for (a, b) in self.overdue_by_age.iter_mut().zip(o.overdue_by_age) {
            *a += b;
        }
        self.hanging += o.hanging;
    }
}

/// One row of the data-quality report: a group and its counts.
///
/// # Example
/// see [`quality`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityRow {
    /// The group's display label (the first spelling seen; `None` for [`GroupBy::Total`]; `""`
    /// for records without the key, e.g. a missing unit).
    pub group: Option<String>,
    /// The counts.
    pub counts: QualityCounts,
}

/// The data-quality report: one row per group with at least one record, and the rejected
/// records themselves.
///
/// # Example
/// see [`quality`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct QualityReport {
    /// Rows sorted by the group's name key.
    pub rows: Vec<QualityRow>,
    /// The rejected records with their row, field, value and reason, by row.
    pub rejected: Vec<Rejection>,
    /// Number of input records.
    pub inputs: u64,
    /// The reception window looked at.
    pub window: Period,
    /// The options that produced it.
    pub options: QualityOptions,
}

impl QualityReport {
    /// The sum of all rows.
    ///
    /// # Example
    /// see [`quality`].
    pub fn total(&self) -> QualityCounts {
        let mut t =
            QualityCounts::with_buckets(self.options.overdue_buckets.len() + 1, false, false);
        for row in &self.rows {
            t += row.counts.clone();
        }
        t
    }
}

/// The apology columns of one chunk for [`quality_chunks`]; both absent when the input has no
/// apology information.
///
/// # Example
/// ```
/// use tthc_metrics::{ApologyColumns, TimeColumn};
/// let issued = [true, false];
/// let a = ApologyColumns::new().issued(&issued);
/// assert!(a.has_information() && !ApologyColumns::new().has_information());
/// let at = [0i64, 0];
/// assert!(ApologyColumns::new().issued_at(TimeColumn::local(&at)).has_information());
/// ```
#[derive(Debug, Clone, Copy, Default)]
pub struct ApologyColumns<'a> {
    issued: Option<&'a [bool]>,
    issued_at: Option<TimeColumn<'a>>,
}

impl<'a> ApologyColumns<'a> {
    /// No apology information.
    ///
    /// # Example
    /// see [`ApologyColumns`].
    pub fn new() -> Self {
        Self::default()
    }

    /// Whether an apology letter was issued, per row (must have the chunk's length).
    ///
    /// # Example
    /// see [`ApologyColumns`].
    #[must_use]
    pub fn issued(mut self, issued: &'a [bool]) -> Self {
        self.issued = Some(issued);
        self
    }

    /// When the apology letter was issued, per row (null: not issued or unknown; a non-null
    /// time means issued). Empty or the chunk's length.
    ///
    /// # Example
    /// see [`ApologyColumns`].
    #[must_use]
    pub fn issued_at(mut self, issued_at: TimeColumn<'a>) -> Self {
        self.issued_at = Some(issued_at);
        self
    }

    /// Whether any apology column is present.
    ///
    /// # Example
    /// see [`ApologyColumns`].
    pub fn has_information(&self) -> bool {
        self.issued.is_some() || self.issued_at.is_some()
    }
}

/// Bytes budgeted per group for its counts and label.
const GROUP_BYTES: u64 = 512;

/// The data-quality report over records (see [`QualityCounts`] for what it
/// counts). Records are validated with [`Dossier::validate`], as [`report`](crate::report) does;
/// bad records are counted by reason, never dropped.
///
/// # Errors
/// [`Error::InvalidArgument`] for bad options (buckets not increasing, `start` after `as_of`),
/// [`Error::OutOfRange`] for a cut-off or start outside 1900–2199, [`Error::MemoryLimit`].
///
/// # Example
/// ```
/// use tthc_metrics::{quality, Dossier, QualityOptions, RejectReason, Status};
/// use chrono::NaiveDate;
/// let at = |m, d| NaiveDate::from_ymd_opt(2023, m, d).unwrap().and_hms_opt(9, 0, 0).unwrap();
/// let unit = "UBND xã Đắk Sôr";
/// let ds = vec![
///     // late, apology issued two days after the due date
///     Dossier::new("1", unit, at(9, 1), Status::Returned).with_due(at(9, 5)).with_finished(at(9, 12))
///         .with_apology_issued_at(at(9, 7)),
///     // overdue 41 days at 16/10, no apology, three supplement requests
///     Dossier::new("2", unit, at(9, 1), Status::Processing).with_due(at(9, 5)).with_supplement_requests(3),
///     // no due date
///     Dossier::new("3", "UBND xa\u{0303} Đắk Sôr", at(10, 2), Status::Processing),
///     // rejected: due before reception
///     Dossier::new("4", unit, at(10, 2), Status::Processing).with_due(at(9, 30)),
///     // another unit, on time
///     Dossier::new("5", "Phòng Tư pháp", at(10, 2), Status::Returned).with_due(at(10, 5)).with_finished(at(10, 5)),
/// ];
/// let q = quality(&ds, &QualityOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap())).unwrap();
/// assert_eq!(q.rows.len(), 2); // NFC and NFD spellings of the commune are one row
/// let c = &q.rows[1].counts;
/// assert_eq!(q.rows[1].group.as_deref(), Some(unit));
/// assert_eq!((c.records, c.rejected_total(), c.checked), (4, 1, 3));
/// assert_eq!(c.rejected[&RejectReason::DueBeforeReceived], 1);
/// assert_eq!((c.no_due_date, c.repeated_supplement, c.returned_too_often), (1, 1, 1));
/// assert_eq!((c.late, c.late_without_apology, c.apology_late), (2, Some(1), Some(1)));
/// assert_eq!((c.overdue, c.hanging), (1, 1));
/// assert_eq!(c.overdue_by_age, [0, 0, 1, 0]); // 41 days: the 31-90 bucket
/// assert_eq!(q.total().records, 5);
/// assert_eq!(q.rejected[0].dossier_id, "4");
/// ```
pub fn quality(dossiers: &[Dossier], options: &QualityOptions) -> Result<QualityReport> {
    options.validate()?;
    let records = Records::new(
        dossiers,
        DueDateChoice::Original,
        options.group_by,
        OnError::Skip,
        options.memory_limit,
    )?;
    let issued: Vec<bool> = dossiers.iter().map(|d| d.apology_issued).collect();
    let (issued_at, issued_valid) = optional_seconds(dossiers.iter().map(|d| d.apology_issued_at));
    let apologies = ApologyColumns::new().issued(&issued).issued_at(
        TimeColumn::local(&issued_at).with_validity(Some(Validity::new(&issued_valid, 0)), false),
    );
    let budget = options.clone().memory_limit(
        options
            .memory_limit
            .saturating_sub(records.bytes + dossiers.len() as u64 * 9),
    );
    let mut out = quality_chunks(
        &[records.columns()],
        &[apologies],
        records.rejected.clone(),
        &budget,
    )?;
    out.options.memory_limit = options.memory_limit;
    for r in &mut out.rejected {
        if r.dossier_id.is_empty() {
            r.dossier_id.clone_from(&dossiers[r.row].dossier_id);
        }
    }
    Ok(out)
}

/// The data-quality report over columns (the kernel's view; see [`quality`]).
///
/// `upstream` lists the records their builder rejected (status code 0 in the columns), sorted or
/// not; they are counted by reason under their row's group. Rows the kernel's checks reject are
/// added to them. `apologies` is empty (no apology information) or has one entry per chunk.
///
/// # Errors
/// As [`quality`]; [`Error::InvalidArgument`] for columns of different lengths.
///
/// # Example
/// ```
/// use tthc_metrics::{quality_chunks, ApologyColumns, Columns, QualityOptions, TimeColumn};
/// use chrono::NaiveDate;
/// const D: i64 = 86_400;
/// let received = [19_600 * D, 19_600 * D];
/// let due = [19_602 * D, 19_602 * D];
/// let cols = Columns {
///     received: TimeColumn::local(&received),
///     due: TimeColumn::local(&due),
///     finished: TimeColumn::local(&[]).with_validity(None, true),
///     status: (&[4, 4]).into(),
///     channel: None, online_service: None, supplement_requests: None, synced: None,
///     group: (&[0, 0]).into(),
///     group_labels: &["Phòng Y tế".to_string()],
///     skip: &[],
/// };
/// let o = QualityOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap());
/// let q = quality_chunks(&[cols], &[], Vec::new(), &o).unwrap();
/// let c = &q.rows[0].counts;
/// assert_eq!((c.overdue, c.late_without_apology), (2, None)); // no apology information
/// let issued = [true, false];
/// let q = quality_chunks(&[cols], &[ApologyColumns::new().issued(&issued)], Vec::new(), &o).unwrap();
/// assert_eq!(q.rows[0].counts.late_without_apology, Some(1));
/// ```
pub fn quality_chunks(
    chunks: &[Columns<'_>],
    apologies: &[ApologyColumns<'_>],
    upstream: Vec<Rejection>,
    options: &QualityOptions,
) -> Result<QualityReport> {
    options.validate()?;
    check_apologies(chunks, apologies)?;
    let inputs: usize = chunks.iter().map(Columns::len).sum();
    let labels: &[String] = chunks.first().map_or(&[], |c| c.group_labels);
    let as_of = local_seconds(options.as_of);
    let as_of_date = options.as_of.date();
    let has_apologies = apologies.iter().any(ApologyColumns::has_information);
    let has_times = apologies.iter().any(|a| a.issued_at.is_some());
    let buckets = options.overdue_buckets.len() + 1;
    let max_groups = options.memory_limit / GROUP_BYTES;

    let mut reasons: HashMap<usize, RejectReason> =
        upstream.iter().map(|r| (r.row, r.reason)).collect();
    let mut rejected = upstream;
    let max_rejected = options.memory_limit / kernel::REJECTION_BYTES;
    // the window's start: as given, else the earliest valid reception (as reports do)
    let start_day = match options.start {
        Some(s) => i64::from(day_number(s)),
        None => earliest(chunks).map_or(i64::from(day_number(as_of_date)), |r| {
            r.div_euclid(DAY).min(i64::from(day_number(as_of_date)))
        }),
    };
    let window_start = start_day * DAY;
    let mut groups: HashMap<u32, QualityCounts> = HashMap::new();
    let mut global = 0usize;
    for (chunk, cols) in chunks.iter().enumerate() {
        let apology = apologies.get(chunk).copied().unwrap_or_default();
        for i in 0..cols.len() {
            let row = global + i;
            let g = cols.group_at(i);
            if groups.len() as u64 >= max_groups && !groups.contains_key(&g) {
                return Err(Error::MemoryLimit {
                    what: format!(
                        "the data-quality counts of more than {} groups ({GROUP_BYTES} bytes each)",
                        kernel::thousands(max_groups)
                    ),
                    needed: (max_groups + 1).saturating_mul(GROUP_BYTES),
                    limit: options.memory_limit,
                    hint: "group by a coarser key, or raise the memory limit".into(),
                });
            }
            let counts = groups
                .entry(g)
                .or_insert_with(|| QualityCounts::with_buckets(buckets, has_apologies, has_times));
            counts.records += 1;
            let code = cols.status_at(i);
            let time = |t: &TimeColumn<'_>| {
                if t.is_empty() {
                    None
                } else {
                    t.local_seconds(i)
                }
            };
            let (received, due, finished) =
                (time(&cols.received), time(&cols.due), time(&cols.finished));
            let or_none = |t: Option<i64>| t.unwrap_or(NONE);
            let found = match Status::from_column_code(code) {
                // rejected upstream: the builder listed it
                None if code == 0 => Err(reasons.remove(&row)),
                // not a status column code (a caller's bug): rejected here, never dropped
                None => {
                    let reason = RejectReason::UnknownStatus;
                    rejected.push(Rejection::new(row, "", "status", code.to_string(), reason));
                    Err(Some(reason))
                }
                Some(status) => {
                    match kernel::check(or_none(received), or_none(due), or_none(finished), status)
                    {
                        Some((field, value, reason)) => {
                            let value = kernel::fmt_seconds(value);
                            rejected.push(Rejection::new(row, "", field, value, reason));
                            Err(Some(reason))
                        }
                        None => Ok(status),
                    }
                }
            };
            if rejected.len() as u64 > max_rejected {
                return Err(kernel::too_many_rejected(
                    max_rejected as usize,
                    options.memory_limit,
                ));
            }
            let status = match found {
                Ok(s) => s,
                Err(reason) => {
                    // a row rejected upstream without a listed reason is still counted
                    *counts
                        .rejected
                        .entry(reason.unwrap_or(RejectReason::Unreadable))
                        .or_default() += 1;
                    continue;
                }
            };
            let received = received.unwrap_or(NONE);
            if status.group() == StatusGroup::NeverReceived
                || received > as_of
                || received < window_start
            {
                counts.excluded += 1;
                continue;
            }
            let issued_at = apology.issued_at.and_then(|t| time(&t));
            let row = Checked {
                facts: Facts {
                    received,
                    due,
                    finished,
                    status,
                    supplement_requests: cols.supplement_requests.map_or(0, |s| s[i]),
                },
                issued: apology.issued.is_some_and(|s| s[i]) || issued_at.is_some(),
                issued_at,
            };
            row.count(as_of, options, counts);
        }
        global += cols.len();
    }
    let mut keyed: Vec<(u32, QualityCounts)> = groups.into_iter().collect();
    let keys: HashMap<u32, String> = keyed
        .iter()
        .map(|(g, _)| {
            (
                *g,
                labels
                    .get(*g as usize)
                    .map(|l| name_key(l))
                    .unwrap_or_default(),
            )
        })
        .collect();
    keyed.sort_by(|a, b| keys[&a.0].cmp(&keys[&b.0]).then(a.0.cmp(&b.0)));
    let rows = keyed
        .into_iter()
        .map(|(g, counts)| QualityRow {
            group: match options.group_by {
                GroupBy::Total => None,
                _ => Some(labels.get(g as usize).cloned().unwrap_or_default()),
            },
            counts,
        })
        .collect();
    rejected.sort_by_key(|r| r.row);
    let window_start_date = crate::period::date_of_day(start_day as i32).unwrap_or(as_of_date);
    Ok(QualityReport {
        rows,
        rejected,
        inputs: inputs as u64,
        window: Period::new(window_start_date.min(as_of_date), as_of_date)?,
        options: options.clone(),
    })
}

/// A valid dossier received in the window, with its apology, as the quality report counts it.
struct Checked {
    facts: Facts,
    issued: bool,
    issued_at: Option<i64>,
}

impl Checked {
    fn count(&self, as_of: i64, options: &QualityOptions, counts: &mut QualityCounts) {
        let facts = &self.facts;
        counts.checked += 1;
        if facts.due.is_none() {
            counts.no_due_date += 1;
        }
        if facts.supplement_requests > options.max_supplement_requests {
            counts.repeated_supplement += 1;
        }
        // proxy: each supplement request returns the dossier to the citizen
        if facts.supplement_requests > options.max_returns {
            counts.returned_too_often += 1;
        }
        // the supplement clock is paused (the 766 rule is reported as repeated_supplement)
        let classify = ClassifyOptions::default().comparison(options.comparison);
        let outcome = classify_facts(facts, as_of, &classify);
        if matches!(outcome, Outcome::Late | Outcome::Overdue) {
            counts.late += 1;
            if let (false, Some(count)) = (self.issued, counts.late_without_apology.as_mut()) {
                *count += 1;
            }
        }
        if let (Some(at), Some(due), Some(count)) =
            (self.issued_at, facts.due, counts.apology_late.as_mut())
        {
            let late = match options.comparison {
                Comparison::Date => at.div_euclid(DAY) > due.div_euclid(DAY),
                Comparison::Timestamp => at > due,
            };
            if late {
                *count += 1;
            }
        }
        if outcome == Outcome::Overdue {
            counts.overdue += 1;
            let days = facts.due.map_or(0, |due| {
                (as_of.div_euclid(DAY) - due.div_euclid(DAY)).max(0)
            });
            let bucket = options
                .overdue_buckets
                .iter()
                .position(|&edge| days <= i64::from(edge))
                .unwrap_or(options.overdue_buckets.len());
            counts.overdue_by_age[bucket] += 1;
            if days > i64::from(options.hanging_after_days) {
                counts.hanging += 1;
            }
        }
    }
}

fn check_apologies(chunks: &[Columns<'_>], apologies: &[ApologyColumns<'_>]) -> Result<()> {
    if !apologies.is_empty() && apologies.len() != chunks.len() {
        return Err(Error::InvalidArgument {
            name: "apologies",
            reason: format!(
                "{} apology column sets for {} chunks",
                apologies.len(),
                chunks.len()
            ),
        });
    }
    for (c, (cols, a)) in chunks.iter().zip(apologies).enumerate() {
        let n = cols.len();
        let issued = a.issued.map(<[bool]>::len).filter(|&l| l != n);
        let at = a.issued_at.map(|t| t.len()).filter(|&l| l != n && l != 0);
        if let Some(len) = issued.or(at) {
            return Err(Error::InvalidArgument {
                name: "apologies",
                reason: format!("an apology column of chunk {c} has {len} rows, the chunk {n}"),
            });
        }
    }
    check_lengths(chunks)
}

/// The earliest reception among valid rows (the default window start), as reports choose it.
fn earliest(chunks: &[Columns<'_>]) -> Option<i64> {
    let time = |t: &TimeColumn<'_>, i: usize| {
        if t.is_empty() {
            NONE
        } else {
            t.local_seconds(i).unwrap_or(NONE)
        }
    };
    chunks
        .iter()
        .flat_map(|cols| {
            (0..cols.len()).filter_map(move |i| {
                let status = Status::from_column_code(cols.status_at(i))?;
                let r = time(&cols.received, i);
                kernel::check(r, time(&cols.due, i), time(&cols.finished, i), status)
                    .is_none()
                    .then_some(r)
            })
        })
        .min()
}
