//! Reports: dossiers grouped by a key (unit, procedure, channel or none) × period, in the two views
//! of domain-rules section 6.
//!
//! * **Cohort** (what the seed letter does): the dossiers received in `[start, as_of]`, grouped by
//!   their reception period, each classified at `as_of`.
//! * **Activity** (Circular 01/2020, Biểu II.06a): for each period `[S, E]` within `[start, end]`,
//!   the dossiers handled in it: newly received or carried over from before `S`, and where they
//!   stood at `E` (finished early / on time / late in the period, unfinished within due / overdue,
//!   awaiting supplement, refused / withdrawn / stopped in the period). The last period is clipped
//!   at `end` (and its cut-off at `as_of`).
//!
//! The kernel is one pass over [`Columns`]; the `&[Dossier]` API converts to columns first.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};

use crate::classify::{local_seconds, ClassifyOptions, DueDateChoice, DAY};
use crate::columns::{Columns, TimeColumn};
use crate::dossier::{in_supported_range, Dossier, Status, MAX_SUPPORTED, MIN_SUPPORTED};
use crate::error::{Error, Rejection, Result};
use crate::kernel;
use crate::period::{date_of_day, day_number, Granularity, Period};
use crate::tally::Tally;
use crate::unit::{name_key, UnitTree};

/// Which of the two report views.
///
/// # Example
/// ```
/// assert_eq!("activity".parse::<tthc_metrics::View>().unwrap(), tthc_metrics::View::Activity);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum View {
    /// Received in the window, classified at `as_of`, grouped by reception period.
    #[default]
    Cohort,
    /// Biểu II.06a: per period, carried over + new, and where they stood at the period's end.
    Activity,
}

impl FromStr for View {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "cohort" => Ok(Self::Cohort),
            "activity" => Ok(Self::Activity),
            _ => Err(Error::unknown("view", s, &["cohort", "activity"])),
        }
    }
}

/// The grouping key of report rows.
///
/// # Example
/// ```
/// assert_eq!("procedure".parse::<tthc_metrics::GroupBy>().unwrap(), tthc_metrics::GroupBy::Procedure);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GroupBy {
    /// By unit (NFC-normalised name key; first spelling kept for display).
    #[default]
    Unit,
    /// By procedure.
    Procedure,
    /// By channel (direct, online, post).
    Channel,
    /// One total row (per period).
    Total,
}

impl FromStr for GroupBy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "unit" => Ok(Self::Unit),
            "procedure" => Ok(Self::Procedure),
            "channel" => Ok(Self::Channel),
            "total" | "none" => Ok(Self::Total),
            _ => Err(Error::unknown(
                "grouping key",
                s,
                &["unit", "procedure", "channel", "total"],
            )),
        }
    }
}

/// What to do with a bad record.
///
/// # Example
/// ```
/// assert_eq!(tthc_metrics::OnError::default(), tthc_metrics::OnError::Raise);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OnError {
    /// Fail with the first rejection (lowest row).
    #[default]
    Raise,
    /// Leave the record out of the counts and list it in [`Report::rejected`].
    Skip,
}

impl FromStr for OnError {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s {
            "raise" => Ok(Self::Raise),
            "skip" => Ok(Self::Skip),
            _ => Err(Error::unknown("on_error", s, &["raise", "skip"])),
        }
    }
}

/// Options of a report. Build with [`ReportOptions::new`] and the setters.
///
/// # Example
/// ```
/// use tthc_metrics::{ReportOptions, View, GroupBy, Granularity};
/// use chrono::NaiveDate;
/// let as_of = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
/// let o = ReportOptions::new(as_of.and_hms_opt(23, 59, 59).unwrap())
///     .view(View::Activity).group_by(GroupBy::Unit).granularity(Some(Granularity::Week));
/// assert_eq!(o.view, View::Activity);
/// assert_eq!(ReportOptions::end_of_day(as_of).as_of, as_of.and_hms_opt(23, 59, 59).unwrap());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReportOptions {
    /// Cohort (default) or activity.
    pub view: View,
    /// Row key; default unit.
    pub group_by: GroupBy,
    /// Period granularity; `None` for one period over the whole window. Default ISO week.
    pub granularity: Option<Granularity>,
    /// The cut-off instant (local civil time).
    pub as_of: NaiveDateTime,
    /// First day of the window (default: the earliest reception).
    pub start: Option<NaiveDate>,
    /// Last day of the window (activity view; default: `as_of`'s date).
    pub end: Option<NaiveDate>,
    /// Classification policies.
    pub classify: ClassifyOptions,
    /// Raise (default) or skip bad records.
    pub on_error: OnError,
    /// Working memory the report may allocate beyond its input, in bytes (default
    /// [`ReportOptions::DEFAULT_MEMORY_LIMIT`], 4 GiB): the kernel's cells table (groups ×
    /// periods cells of a few hundred bytes, once per worker thread), the per-row columns it
    /// builds from records or Arrow batches, and the list of rejected records. A report that
    /// would need more fails with [`Error::MemoryLimit`] before allocating it; fewer worker
    /// threads are used first when that is enough.
    #[serde(default = "default_memory_limit")]
    pub memory_limit: u64,
}

fn default_memory_limit() -> u64 {
    ReportOptions::DEFAULT_MEMORY_LIMIT
}

impl ReportOptions {
    /// Defaults: cohort view, by unit × ISO week, classified at `as_of`, raise on bad records.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{ReportOptions, Granularity};
    /// let t = chrono::NaiveDate::from_ymd_opt(2023, 10, 16).unwrap().and_hms_opt(12, 0, 0).unwrap();
    /// assert_eq!(ReportOptions::new(t).granularity, Some(Granularity::Week));
    /// ```
    pub fn new(as_of: NaiveDateTime) -> Self {
        Self {
            view: View::Cohort,
            group_by: GroupBy::Unit,
            granularity: Some(Granularity::Week),
            as_of,
            start: None,
            end: None,
            classify: ClassifyOptions::default(),
            on_error: OnError::Raise,
            memory_limit: Self::DEFAULT_MEMORY_LIMIT,
        }
    }

    /// The default [`ReportOptions::memory_limit`]: 4 GiB.
    pub const DEFAULT_MEMORY_LIMIT: u64 = 4 << 30;

    /// Sets the working-memory limit in bytes (see [`ReportOptions::memory_limit`]).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{report, Dossier, Granularity, ReportOptions, Status};
    /// use chrono::NaiveDate;
    /// let at = |y| NaiveDate::from_ymd_opt(y, 1, 2).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// // 199 years by day: 72,685 periods of cells for one group, more than 1 MiB
    /// let ds = vec![Dossier::new("1", "U", at(1990), Status::Processing)];
    /// let o = ReportOptions::end_of_day(at(2189).date()).granularity(Some(Granularity::Day));
    /// let err = report(&ds, &o.clone().memory_limit(1 << 20)).unwrap_err();
    /// assert_eq!(err.code(), "memory_limit");
    /// assert!(err.to_string().starts_with("the report's cells table (1 group × 72,685 periods × "), "{err}");
    /// assert_eq!(report(&ds, &o).unwrap().rows.len(), 1);
    /// ```
    #[must_use]
    pub fn memory_limit(mut self, bytes: u64) -> Self {
        self.memory_limit = bytes;
        self
    }

    /// Defaults with `as_of` at the end of `date` (23:59:59).
    ///
    /// # Example
    /// see [`ReportOptions`].
    pub fn end_of_day(date: NaiveDate) -> Self {
        Self::new(date.and_time(end_of_day_time()))
    }

    /// Sets the view.
    ///
    /// # Example
    /// see [`ReportOptions`].
    #[must_use]
    pub fn view(mut self, view: View) -> Self {
        self.view = view;
        self
    }

    /// Sets the row key.
    ///
    /// # Example
    /// see [`ReportOptions`].
    #[must_use]
    pub fn group_by(mut self, key: GroupBy) -> Self {
        self.group_by = key;
        self
    }

    /// Sets the period granularity (`None`: one period).
    ///
    /// # Example
    /// see [`ReportOptions`].
    #[must_use]
    pub fn granularity(mut self, g: Option<Granularity>) -> Self {
        self.granularity = g;
        self
    }

    /// Sets the first day of the window.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::ReportOptions; use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    /// assert_eq!(ReportOptions::end_of_day(d).start(Some(d)).start, Some(d));
    /// ```
    #[must_use]
    pub fn start(mut self, start: Option<NaiveDate>) -> Self {
        self.start = start;
        self
    }

    /// Sets the last day of the window (activity view).
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::ReportOptions; use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    /// assert_eq!(ReportOptions::end_of_day(d).end(Some(d)).end, Some(d));
    /// ```
    #[must_use]
    pub fn end(mut self, end: Option<NaiveDate>) -> Self {
        self.end = end;
        self
    }

    /// Sets the classification options.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{ReportOptions, ClassifyOptions, Comparison}; use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    /// let o = ReportOptions::end_of_day(d).classify(ClassifyOptions::default().comparison(Comparison::Timestamp));
    /// assert_eq!(o.classify.comparison, Comparison::Timestamp);
    /// ```
    #[must_use]
    pub fn classify(mut self, c: ClassifyOptions) -> Self {
        self.classify = c;
        self
    }

    /// Sets what happens to bad records.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{ReportOptions, OnError}; use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    /// assert_eq!(ReportOptions::end_of_day(d).on_error(OnError::Skip).on_error, OnError::Skip);
    /// ```
    #[must_use]
    pub fn on_error(mut self, e: OnError) -> Self {
        self.on_error = e;
        self
    }
}

fn end_of_day_time() -> NaiveTime {
    NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)
}

/// One report row: a group (unit, procedure, channel, or `None` for the total) in one period.
///
/// # Example
/// see [`report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// The group's display label (`None` for [`GroupBy::Total`]).
    pub group: Option<String>,
    /// The period (clipped to the window); `None` never occurs for reports built here but is kept
    /// for tallies without periods.
    pub period: Option<Period>,
    /// The counts.
    pub tally: Tally,
    /// Whether the row is a roll-up of a unit and everything below it ([`Report::with_rollup`]).
    pub rollup: bool,
}

/// A report: rows, the rejected records and the dossiers outside every row.
///
/// Conservation: `inputs == rejected.len() + excluded.total() + dossiers in rows`, where in the
/// cohort view each dossier is in exactly one row and in the activity view the dossiers in rows
/// are the newly received ones plus those carried into the first period.
///
/// # Example
/// see [`report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Rows sorted by group key, then period; roll-up rows after the others.
    pub rows: Vec<Row>,
    /// Records left out, with reasons (only with [`OnError::Skip`]).
    pub rejected: Vec<Rejection>,
    /// Valid dossiers in no row: never received, received after the window, or (activity view)
    /// ended before it, each in the bucket it had then.
    pub excluded: Tally,
    /// Number of input records.
    pub inputs: u64,
    /// The window the report covers.
    pub window: Period,
    /// The options that produced it.
    pub options: ReportOptions,
}

impl Report {
    /// The sum of all non-roll-up rows (for the activity view with periods, carried-over dossiers
    /// appear once per period they span).
    ///
    /// # Example
    /// see [`report`].
    pub fn total(&self) -> Tally {
        self.rows
            .iter()
            .filter(|r| !r.rollup)
            .map(|r| r.tally)
            .sum()
    }

    /// Number of distinct dossiers counted in rows.
    ///
    /// # Example
    /// see [`report`].
    pub fn dossiers_in_rows(&self) -> u64 {
        match self.options.view {
            View::Cohort => self.total().handled(),
            View::Activity => {
                let first = self
                    .rows
                    .iter()
                    .filter(|r| !r.rollup)
                    .map(|r| r.period)
                    .min()
                    .flatten();
                self.rows
                    .iter()
                    .filter(|r| !r.rollup)
                    .map(|r| {
                        r.tally.received()
                            + if r.period == first {
                                r.tally.carried_over
                            } else {
                                0
                            }
                    })
                    .sum()
            }
        }
    }

    /// Adds, for every unit of `tree` that has units with rows below it, a roll-up row per period
    /// equal to the sum of its own rows and those of all its descendants. Rows whose label is not
    /// in the tree get no roll-up. Only meaningful for [`GroupBy::Unit`].
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{report, Dossier, ReportOptions, Status, UnitTree, UnitKind};
    /// use chrono::NaiveDate;
    /// let at = NaiveDate::from_ymd_opt(2023, 10, 2).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let mut tree = UnitTree::new();
    /// tree.add("Huyện Krông Nô", None, UnitKind::District).unwrap();
    /// tree.add("Phòng Tư pháp", Some("Huyện Krông Nô"), UnitKind::Department).unwrap();
    /// tree.add("UBND xã Đắk Sôr", Some("Huyện Krông Nô"), UnitKind::Commune).unwrap();
    /// let ds = vec![Dossier::new("1", "Phòng Tư pháp", at, Status::Processing),
    ///               Dossier::new("2", "UBND xã Đắk Sôr", at, Status::Processing)];
    /// let r = report(&ds, &ReportOptions::end_of_day(at.date()).granularity(None)).unwrap().with_rollup(&tree);
    /// let district = r.rows.iter().find(|row| row.rollup).unwrap();
    /// assert_eq!(district.group.as_deref(), Some("Huyện Krông Nô"));
    /// assert_eq!(district.tally.handled(), 2);
    /// ```
    #[must_use]
    pub fn with_rollup(mut self, tree: &UnitTree) -> Self {
        let mut acc: HashMap<(usize, Option<Period>), Tally> = HashMap::new();
        for row in self.rows.iter().filter(|r| !r.rollup) {
            let Some(unit) = row.group.as_deref().and_then(|g| tree.find(g)) else {
                continue;
            };
            for a in tree.ancestors_and_self(unit).skip(1) {
                *acc.entry((a, row.period)).or_default() += row.tally;
            }
        }
        // a unit that also receives dossiers itself: its roll-up includes its own rows
        for row in self.rows.iter().filter(|r| !r.rollup) {
            if let Some(unit) = row.group.as_deref().and_then(|g| tree.find(g)) {
                if let Some(t) = acc.get_mut(&(unit, row.period)) {
                    *t += row.tally;
                }
            }
        }
        let mut extra: Vec<Row> = acc
            .into_iter()
            .map(|((unit, period), tally)| Row {
                group: Some(tree.unit(unit).name.clone()),
                period,
                tally,
                rollup: true,
            })
            .collect();
        extra.sort_by(|a, b| {
            (a.group.as_deref().map(name_key), a.period)
                .cmp(&(b.group.as_deref().map(name_key), b.period))
        });
        self.rows.extend(extra);
        self
    }
}

/// Builds a report from records. Each record is validated ([`Dossier::validate`]); grouping uses
/// the NFC name key of units and procedures.
///
/// # Errors
/// [`Error::Rejected`] for the first bad record under [`OnError::Raise`];
/// [`Error::InvalidArgument`] for an impossible window.
///
/// # Example
/// ```
/// use tthc_metrics::{report, Dossier, ReportOptions, Status, OnTimePolicy};
/// use chrono::NaiveDate;
/// let at = |m, d| NaiveDate::from_ymd_opt(2023, m, d).unwrap().and_hms_opt(9, 0, 0).unwrap();
/// let ds = vec![
///     Dossier::new("1", "Phòng Tư pháp", at(10, 2), Status::Returned).with_due(at(10, 5)).with_finished(at(10, 4)),
///     Dossier::new("2", "Phòng Tư pháp", at(10, 3), Status::Returned).with_due(at(10, 5)).with_finished(at(10, 9)),
///     Dossier::new("3", "Phòng Tư pháp", at(10, 9), Status::Processing).with_due(at(10, 11)),
/// ];
/// let r = report(&ds, &ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap())).unwrap();
/// assert_eq!(r.rows.len(), 2); // ISO weeks 40 and 41
/// let t = r.total();
/// assert_eq!((t.early, t.late, t.overdue), (1, 1, 1));
/// assert_eq!(r.dossiers_in_rows() + r.excluded.total() + r.rejected.len() as u64, r.inputs);
/// assert_eq!(t.on_time_rate(OnTimePolicy::ResolvedOnly).unwrap().numerator(), 1);
/// ```
pub fn report(dossiers: &[Dossier], options: &ReportOptions) -> Result<Report> {
    let records = Records::new(
        dossiers,
        options.classify.due_date,
        options.group_by,
        options.on_error,
        options.memory_limit,
    )?;
    // the kernel gets what is left of the memory limit
    let kernel_options = options
        .clone()
        .memory_limit(options.memory_limit - records.bytes);
    let mut out = report_columns(&records.columns(), &kernel_options)?;
    out.options.memory_limit = options.memory_limit;
    out.rejected = records.merge_rejected(dossiers, out.rejected);
    Ok(out)
}

/// Bytes a row of [`Records`] takes: three times (24), their validity bits, status, channel,
/// online level and sync flag (4), supplements and group code (8).
pub(crate) const RECORD_ROW_BYTES: u64 = 40;

/// Records converted to the kernel's columns, with the records rejected by
/// [`Dossier::validate`] (their status code is 0).
pub(crate) struct Records {
    pub status: Vec<u8>,
    pub received: Vec<i64>,
    pub due: Vec<i64>,
    pub due_valid: Vec<u8>,
    pub finished: Vec<i64>,
    pub fin_valid: Vec<u8>,
    pub channel: Vec<u8>,
    pub online: Vec<u8>,
    pub supplements: Vec<u32>,
    pub synced: Vec<bool>,
    pub group: Vec<u32>,
    pub labels: Vec<String>,
    pub rejected: Vec<Rejection>,
    /// The memory the columns and rejections take (checked against the limit).
    pub bytes: u64,
}

impl Records {
    /// Validates and converts; under [`OnError::Raise`] the first bad record is the error.
    pub(crate) fn new(
        dossiers: &[Dossier],
        due_date: DueDateChoice,
        group_by: GroupBy,
        on_error: OnError,
        memory_limit: u64,
    ) -> Result<Self> {
        let n = dossiers.len();
        let row_bytes = (n as u64).saturating_mul(RECORD_ROW_BYTES);
        if row_bytes > memory_limit {
            return Err(Error::MemoryLimit {
                what: format!(
                    "the columns of {} records ({RECORD_ROW_BYTES} bytes each)",
                    kernel::thousands(n as u64)
                ),
                needed: row_bytes,
                limit: memory_limit,
                hint: "report on parts of the records and merge their tallies, or raise the memory limit"
                    .into(),
            });
        }
        let max_rejected = (memory_limit - row_bytes) / kernel::REJECTION_BYTES;
        let mut rejected = Vec::new();
        let mut status = Vec::with_capacity(n);
        for (i, d) in dossiers.iter().enumerate() {
            match d.validate(i) {
                Ok(()) => status.push(d.status.column_code()),
                Err(r) => {
                    if on_error == OnError::Raise {
                        return Err(r.into());
                    }
                    if rejected.len() as u64 >= max_rejected {
                        return Err(kernel::too_many_rejected(
                            max_rejected as usize,
                            memory_limit,
                        ));
                    }
                    rejected.push(r);
                    status.push(0);
                }
            }
        }
        let received: Vec<i64> = dossiers
            .iter()
            .map(|d| local_seconds(d.received_at))
            .collect();
        let due_choice = |d: &Dossier| match due_date {
            DueDateChoice::Original => d.due_at,
            DueDateChoice::Rescheduled => d.rescheduled_due_at.or(d.due_at),
        };
        let (due, due_valid) = optional_seconds(dossiers.iter().map(due_choice));
        let (finished, fin_valid) = optional_seconds(dossiers.iter().map(|d| d.finished_at));
        let channel: Vec<u8> = dossiers.iter().map(|d| d.channel.code()).collect();
        let online: Vec<u8> = dossiers
            .iter()
            .map(|d| d.online_service.column_code())
            .collect();
        let supplements: Vec<u32> = dossiers.iter().map(|d| d.supplement_requests).collect();
        let synced: Vec<bool> = dossiers
            .iter()
            .map(|d| d.synced_to_portal != Some(false))
            .collect();
        let mut labels = Vec::new();
        let group: Vec<u32> = match group_by {
            GroupBy::Unit => {
                GroupCoder::code_all(dossiers.iter().map(|d| d.unit.as_str()), &mut labels)
            }
            GroupBy::Procedure => {
                GroupCoder::code_all(dossiers.iter().map(|d| d.procedure.as_str()), &mut labels)
            }
            GroupBy::Channel => {
                labels = ["direct", "online", "post"].map(String::from).to_vec();
                channel.iter().map(|&c| u32::from(c) - 1).collect()
            }
            GroupBy::Total => {
                labels = vec![String::new()];
                vec![0; n]
            }
        };
        let bytes = row_bytes + rejected.len() as u64 * kernel::REJECTION_BYTES;
        Ok(Self {
            status,
            received,
            due,
            due_valid,
            finished,
            fin_valid,
            channel,
            online,
            supplements,
            synced,
            group,
            labels,
            rejected,
            bytes,
        })
    }

    /// The kernel's view of the records.
    pub(crate) fn columns(&self) -> Columns<'_> {
        Columns {
            received: TimeColumn::local(&self.received),
            due: TimeColumn::local(&self.due).with_validity(
                Some(crate::columns::Validity::new(&self.due_valid, 0)),
                false,
            ),
            finished: TimeColumn::local(&self.finished).with_validity(
                Some(crate::columns::Validity::new(&self.fin_valid, 0)),
                false,
            ),
            status: (&self.status).into(),
            channel: Some((&self.channel).into()),
            online_service: Some((&self.online).into()),
            supplement_requests: Some(&self.supplements),
            synced: Some(&self.synced),
            group: (&self.group).into(),
            group_labels: &self.labels,
            skip: &[],
        }
    }

    /// The validation's rejections and the kernel's (which get their dossier ids here), by row.
    pub(crate) fn merge_rejected(
        self,
        dossiers: &[Dossier],
        mut kernel: Vec<Rejection>,
    ) -> Vec<Rejection> {
        for r in &mut kernel {
            r.dossier_id.clone_from(&dossiers[r.row].dossier_id);
        }
        let mut rejected = self.rejected;
        rejected.append(&mut kernel);
        rejected.sort_by_key(|r| r.row);
        rejected
    }
}

pub(crate) fn optional_seconds(
    values: impl Iterator<Item = Option<NaiveDateTime>>,
) -> (Vec<i64>, Vec<u8>) {
    let mut out = Vec::new();
    let mut bits = Vec::new();
    for (i, v) in values.enumerate() {
        if i % 8 == 0 {
            bits.push(0u8);
        }
        if let Some(t) = v {
            out.push(local_seconds(t));
            bits[i / 8] |= 1 << (i % 8);
        } else {
            out.push(0);
        }
    }
    (out, bits)
}

/// Assigns group codes to names by their NFC key, keeping the first spelling as the label.
///
/// # Example
/// ```
/// use tthc_metrics::GroupCoder;
/// let mut c = GroupCoder::default();
/// assert_eq!(c.code("Xã Nam Đà"), 0);
/// assert_eq!(c.code("xã  Nam Đà"), 0);
/// assert_eq!(c.code("Xã Nam Xuân"), 1);
/// assert_eq!(c.labels(), ["Xã Nam Đà", "Xã Nam Xuân"]);
/// ```
#[derive(Debug, Clone, Default)]
pub struct GroupCoder {
    by_key: HashMap<String, u32>,
    labels: Vec<String>,
}

impl GroupCoder {
    /// The code of `name` (new names get the next code).
    ///
    /// # Example
    /// see [`GroupCoder`].
    pub fn code(&mut self, name: &str) -> u32 {
        let key = name_key(name);
        if let Some(&c) = self.by_key.get(&key) {
            return c;
        }
        let c = self.labels.len() as u32;
        self.by_key.insert(key, c);
        self.labels.push(name.to_string());
        c
    }

    /// The labels, indexed by code.
    ///
    /// # Example
    /// see [`GroupCoder`].
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Consumes the coder, returning the labels.
    ///
    /// # Example
    /// ```
    /// let mut c = tthc_metrics::GroupCoder::default();
    /// c.code("A");
    /// assert_eq!(c.into_labels(), vec!["A".to_string()]);
    /// ```
    pub fn into_labels(self) -> Vec<String> {
        self.labels
    }

    fn code_all<'a>(names: impl Iterator<Item = &'a str>, labels: &mut Vec<String>) -> Vec<u32> {
        let mut c = GroupCoder::default();
        let codes = names.map(|n| c.code(n)).collect();
        *labels = c.into_labels();
        codes
    }
}

/// Day → period index table over a window, with each period's clipped bounds.
struct PeriodTable {
    first_day: i32,
    index: Vec<u32>,
    periods: Vec<Period>,
}

impl PeriodTable {
    fn new(window: Period, g: Option<Granularity>) -> Self {
        let first_day = day_number(window.start());
        let last_day = day_number(window.end());
        let mut index = Vec::with_capacity((last_day - first_day + 1) as usize);
        let mut periods: Vec<Period> = Vec::new();
        match g {
            None => {
                periods.push(window);
                index.resize((last_day - first_day + 1) as usize, 0);
            }
            Some(g) => {
                let mut day = first_day;
                while day <= last_day {
                    let date = date_of_day(day).unwrap_or(window.start());
                    let p = Period::of(g, date).intersect(&window).unwrap_or(window);
                    let len = day_number(p.end()) - day + 1;
                    index.extend(std::iter::repeat_n(periods.len() as u32, len as usize));
                    periods.push(p);
                    day += len;
                }
            }
        }
        Self {
            first_day,
            index,
            periods,
        }
    }
}

/// The report kernel: one pass over columns.
///
/// # Errors
/// As [`report`]; with [`OnError::Raise`] the first row the kernel rejects. Rows already
/// rejected upstream (status code 0, or listed in `Columns::skip`) are skipped silently: their
/// builder reports them.
///
/// # Example
/// ```
/// use tthc_metrics::{report_columns, Columns, ReportOptions, TimeColumn, Validity, View};
/// use chrono::NaiveDate;
/// const D: i64 = 86_400;
/// let received = [19_631 * D, 19_640 * D]; // 2023-10-01, 2023-10-10
/// let due = [19_633 * D, 0];
/// let due_valid = [0b01u8];
/// let finished = [19_635 * D, 0];
/// let fin_valid = [0b01u8];
/// let cols = Columns {
///     received: TimeColumn::local(&received),
///     due: TimeColumn::local(&due).with_validity(Some(Validity::new(&due_valid, 0)), false),
///     finished: TimeColumn::local(&finished).with_validity(Some(Validity::new(&fin_valid, 0)), false),
///     status: (&[10, 4]).into(),
///     channel: None, online_service: None, supplement_requests: None, synced: None,
///     group: (&[0, 0]).into(),
///     group_labels: &["UBND xã Nam Đà".to_string()],
///     skip: &[],
/// };
/// let as_of = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
/// let r = report_columns(&cols, &ReportOptions::end_of_day(as_of).granularity(None)).unwrap();
/// assert_eq!((r.total().late, r.total().within_due), (1, 1));
/// let a = report_columns(&cols, &ReportOptions::end_of_day(as_of).granularity(None).view(View::Activity)).unwrap();
/// assert_eq!(a.total().handled(), 2);
/// ```
pub fn report_columns(cols: &Columns<'_>, options: &ReportOptions) -> Result<Report> {
    report_chunks(std::slice::from_ref(cols), options)
}

/// The report kernel over a table in several chunks (e.g. Arrow record batches). Group codes are
/// shared by all chunks (every chunk's `group_labels` must be the same table); rows are numbered
/// across chunks in order.
///
/// # Errors
/// As [`report_columns`].
///
/// # Example
/// ```
/// use tthc_metrics::{report_chunks, Columns, ReportOptions, TimeColumn};
/// use chrono::NaiveDate;
/// let labels = vec!["Phòng Y tế".to_string()];
/// let (a, b) = ([19_631 * 86_400i64], [19_640 * 86_400i64]);
/// fn chunk<'a>(received: &'a [i64], labels: &'a [String]) -> Columns<'a> {
///     Columns {
///         received: TimeColumn::local(received),
///         due: TimeColumn::local(received).with_validity(None, true),
///         finished: TimeColumn::local(received).with_validity(None, true),
///         status: (&[4]).into(), channel: None, online_service: None, supplement_requests: None, synced: None,
///         group: (&[0]).into(), group_labels: labels, skip: &[],
///     }
/// }
/// let as_of = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
/// let r = report_chunks(&[chunk(&a, &labels), chunk(&b, &labels)], &ReportOptions::end_of_day(as_of)).unwrap();
/// assert_eq!((r.inputs, r.total().within_due), (2, 2));
/// ```
pub fn report_chunks(chunks: &[Columns<'_>], options: &ReportOptions) -> Result<Report> {
    check_lengths(chunks)?;
    let n: usize = chunks.iter().map(Columns::len).sum();
    if u32::try_from(n).is_err() {
        // the kernel's counters are u32: split larger inputs and merge the tallies
        return Err(Error::InvalidArgument {
            name: "input",
            reason: format!(
                "{n} rows is more than one report counts ({}); report on parts and merge their tallies",
                u32::MAX
            ),
        });
    }
    let labels: &[String] = chunks.first().map_or(&[], |c| c.group_labels);
    let as_of = local_seconds(options.as_of);
    let as_of_date = options.as_of.date();
    let end_date = options.end.unwrap_or(as_of_date);
    if options.view == View::Activity && end_date > as_of_date {
        return Err(Error::InvalidArgument {
            name: "end",
            reason: format!(
                "end {end_date} is after as_of {as_of_date}: nothing is known beyond as_of"
            ),
        });
    }
    if !in_supported_range(as_of_date) {
        return Err(Error::OutOfRange {
            date: as_of_date,
            min: MIN_SUPPORTED,
            max: MAX_SUPPORTED,
        });
    }
    if let Some(start) = options.start {
        if !in_supported_range(start) {
            return Err(Error::OutOfRange {
                date: start,
                min: MIN_SUPPORTED,
                max: MAX_SUPPORTED,
            });
        }
    }
    let window_end = match options.view {
        View::Cohort => as_of_date,
        View::Activity => end_date,
    };
    let last_cutoff = match options.view {
        View::Cohort => as_of,
        View::Activity => as_of.min(i64::from(day_number(end_date) + 1) * DAY - 1),
    };
    let start_date = match options.start {
        Some(s) => s,
        None => earliest_valid_reception(chunks).map_or(window_end, |min| {
            date_of_day(min.div_euclid(DAY) as i32)
                .unwrap_or(window_end)
                .min(window_end)
        }),
    };
    let window = Period::new(start_date, window_end)?;
    let table = PeriodTable::new(window, options.granularity);
    let np = table.periods.len();
    let period_start: Vec<i64> = table
        .periods
        .iter()
        .map(|p| i64::from(day_number(p.start())) * DAY)
        .collect();
    let period_cutoff: Vec<i64> = table
        .periods
        .iter()
        .map(|p| (i64::from(day_number(p.end()) + 1) * DAY - 1).min(last_cutoff))
        .collect();
    // a group code without a label (a caller's bug) still counts, under an empty label
    let groups = chunks
        .iter()
        .filter_map(|c| c.group.max_code())
        .max()
        .map_or(0, |g| g as usize + 1)
        .max(labels.len())
        .max(1);
    let (threads, max_rejected) = kernel::budget(n, groups, np, options.memory_limit)?;
    let plan = kernel::Plan {
        cohort: options.view == View::Cohort,
        as_of,
        last_cutoff,
        window_start: i64::from(day_number(start_date)) * DAY,
        first_day: table.first_day,
        period_of_day: &table.index,
        period_start: &period_start,
        period_cutoff: &period_cutoff,
        groups,
        classify: options.classify,
        raise: options.on_error == OnError::Raise,
        threads,
        max_rejected,
    };
    let mut partial = kernel::run(chunks, &plan);
    if partial.overflow {
        return Err(kernel::too_many_rejected(
            max_rejected.saturating_mul(threads),
            options.memory_limit,
        ));
    }
    partial.rejected.sort_by_key(|r| r.row);
    if plan.raise {
        if let Some(first) = partial.rejected.into_iter().next() {
            return Err(first.into());
        }
        partial.rejected = Vec::new();
    }
    let mut excluded = Tally::default();
    kernel::fold(&partial.excluded, &mut excluded);

    let mut rows = Vec::new();
    let mut order: Vec<usize> = (0..groups).collect();
    let keys: Vec<String> = labels.iter().map(|l| name_key(l)).collect();
    order.sort_by(|&a, &b| keys.get(a).cmp(&keys.get(b)));
    for g in order {
        for p in 0..np {
            let cell =
                &partial.cells[(g * np + p) * kernel::COMBOS..(g * np + p + 1) * kernel::COMBOS];
            if cell.iter().all(|&c| c == 0) {
                continue;
            }
            let mut tally = Tally::default();
            kernel::fold(cell, &mut tally);
            rows.push(Row {
                group: match options.group_by {
                    GroupBy::Total => None,
                    _ => Some(labels.get(g).cloned().unwrap_or_default()),
                },
                period: Some(table.periods[p]),
                tally,
                rollup: false,
            });
        }
    }
    Ok(Report {
        rows,
        rejected: partial.rejected,
        excluded,
        inputs: n as u64,
        window,
        options: options.clone(),
    })
}

/// Every column of every chunk has the chunk's length (`status`), except time columns, which may
/// also be empty (an absent column: all null), and the group column, which may be empty (every
/// row in group 0).
pub(crate) fn check_lengths(chunks: &[Columns<'_>]) -> Result<()> {
    for (c, cols) in chunks.iter().enumerate() {
        let n = cols.len();
        let times = [
            ("received", cols.received.len()),
            ("due", cols.due.len()),
            ("finished", cols.finished.len()),
        ];
        let coded = [
            ("channel", cols.channel.map(|c| c.len())),
            ("online_service", cols.online_service.map(|c| c.len())),
            (
                "supplement_requests",
                cols.supplement_requests.map(<[u32]>::len),
            ),
            ("synced", cols.synced.map(<[bool]>::len)),
            ("group", Some(cols.group.len()).filter(|&l| l != 0)),
        ];
        let bad = times
            .into_iter()
            .find(|&(_, len)| len != n && len != 0)
            .or_else(|| {
                coded
                    .into_iter()
                    .find_map(|(name, len)| len.filter(|&l| l != n).map(|l| (name, l)))
            });
        if let Some(k) = cols
            .skip
            .windows(2)
            .position(|w| w[0] >= w[1])
            .map(|k| k + 1)
            .or_else(|| {
                cols.skip
                    .last()
                    .filter(|&&r| r >= n)
                    .map(|_| cols.skip.len() - 1)
            })
        {
            return Err(Error::InvalidArgument {
                name: "columns",
                reason: format!(
                    "skip list of chunk {c}: entry {k} ({}) is not an ascending row index below {n}",
                    cols.skip[k]
                ),
            });
        }
        if let Some((name, len)) = bad {
            return Err(Error::InvalidArgument {
                name: "columns",
                reason: format!(
                    "column {name} of chunk {c} has {len} rows but its status column has {n}"
                ),
            });
        }
    }
    Ok(())
}

/// The earliest reception among the rows that pass validation (the default window start).
#[allow(clippy::needless_range_loop)] // three parallel block buffers share the index
fn earliest_valid_reception(chunks: &[Columns<'_>]) -> Option<i64> {
    let mut min = i64::MAX;
    let mut block = [[0i64; 1024]; 3];
    for cols in chunks {
        let mut lo = 0;
        while lo < cols.len() {
            let len = 1024.min(cols.len() - lo);
            cols.received.fill_block(lo, &mut block[0][..len]);
            cols.due.fill_block(lo, &mut block[1][..len]);
            cols.finished.fill_block(lo, &mut block[2][..len]);
            for j in 0..len {
                let r = block[0][j];
                if r >= min {
                    continue;
                }
                if let Some(status) = Status::from_column_code(cols.status_at(lo + j)) {
                    if kernel::check(r, block[1][j], block[2][j], status).is_none() {
                        min = r;
                    }
                }
            }
            lo += len;
        }
    }
    (min != i64::MAX).then_some(min)
}

/// One tally over all dossiers received up to `as_of` (and from `start`), classified at
/// `as_of`: the seed letter's figures. Dossiers never received, or received outside the window,
/// stay in their excluded buckets (`not_received`, `outside_window`), so that
/// `tally.total() + rejected = inputs`.
///
/// # Errors
/// As [`report`].
///
/// # Example
/// ```
/// use tthc_metrics::{tally, Dossier, ReportOptions, Status};
/// use chrono::NaiveDate;
/// let at = NaiveDate::from_ymd_opt(2023, 10, 2).unwrap().and_hms_opt(8, 0, 0).unwrap();
/// let ds = vec![Dossier::new("1", "U", at, Status::Withdrawn)];
/// let t = tally(&ds, &ReportOptions::end_of_day(at.date())).unwrap();
/// assert_eq!(t.withdrawn, 1);
/// ```
pub fn tally(dossiers: &[Dossier], options: &ReportOptions) -> Result<Tally> {
    let options = options
        .clone()
        .group_by(GroupBy::Total)
        .granularity(None)
        .view(View::Cohort);
    let r = report(dossiers, &options)?;
    Ok(r.total() + r.excluded)
}
