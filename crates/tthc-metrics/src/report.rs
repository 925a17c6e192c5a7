//! Reports: dossiers grouped by a key (unit, procedure, field, channel or none) × period, in the
//! two views of domain-rules section 6.
//!
//! * **Cohort** (what the seed letter does): the dossiers received in `[start, as_of]`, grouped by
//!   their reception period, each classified at `as_of`.
//! * **Activity** (Circular 01/2020, Biểu II.06a): for each period `[S, E]` within `[start, end]`,
//!   the dossiers handled in it: newly received or carried over from before `S`, and where they
//!   stood at `E` (finished early / on time / late in the period, unfinished within due / overdue,
//!   awaiting the citizen, refused / withdrawn / stopped in the period). The last period is
//!   clipped at `end` (and its cut-off at `as_of`).
//!
//! Every front end reaches the kernel through the preparation stage
//! ([`columnar::prepare`](crate::columnar::prepare)); the records API ([`report`], [`tally`])
//! is one of them.

use chrono::{NaiveDate, NaiveDateTime, NaiveTime};
use serde::{Deserialize, Serialize};
use std::collections::HashMap;

use crate::budget::{thousands, MemoryBudget};
use crate::calendar::Calendar;
use crate::classify::{local_seconds, ClassifyOptions, DAY};
use crate::columnar::{self, Columns, DuplicatePolicy, Prepared};
use crate::dossier::{in_supported_range, Dossier, MAX_SUPPORTED, MIN_SUPPORTED};
use crate::error::{Error, Rejection, Result};
use crate::kernel;
use crate::names::name_key;
use crate::period::{date_of_day, day_number, Granularity, Period};
use crate::records::Records;
use crate::summary::{Provenance, Summary};
use crate::tally::Tally;
use crate::unit::UnitTree;
use crate::Duplicate;

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

named_options!(View, "view", [(Cohort, "cohort"), (Activity, "activity")]);

/// The grouping key of report rows.
///
/// # Example
/// ```
/// assert_eq!("procedure".parse::<tthc_metrics::GroupBy>().unwrap(), tthc_metrics::GroupBy::Procedure);
/// assert_eq!(tthc_metrics::GroupBy::Field.name(), "field");
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum GroupBy {
    /// By unit (NFC-normalised name key; clean spelling shown).
    #[default]
    Unit,
    /// By procedure.
    Procedure,
    /// By field (lĩnh vực), as the Biểu II.06a rows are.
    Field,
    /// By channel (direct, online, post).
    Channel,
    /// One total row (per period).
    Total,
}

named_options!(
    GroupBy,
    "grouping key",
    [
        (Unit, "unit"),
        (Procedure, "procedure"),
        (Field, "field"),
        (Channel, "channel"),
        (Total, "total")
    ]
);

impl GroupBy {
    /// The output column of the key (`None` for the total).
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::GroupBy::Unit.column(), Some("unit"));
    /// assert_eq!(tthc_metrics::GroupBy::Total.column(), None);
    /// ```
    pub fn column(self) -> Option<&'static str> {
        match self {
            Self::Total => None,
            other => Some(other.name()),
        }
    }
}

/// What to do with a bad record.
///
/// # Example
/// ```
/// assert_eq!(tthc_metrics::OnError::default(), tthc_metrics::OnError::Raise);
/// assert_eq!("skip".parse::<tthc_metrics::OnError>().unwrap(), tthc_metrics::OnError::Skip);
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

named_options!(OnError, "on_error", [(Raise, "raise"), (Skip, "skip")]);

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
#[non_exhaustive]
pub struct ReportOptions {
    /// Cohort (default) or activity.
    pub view: View,
    /// Row key; default unit.
    pub group_by: GroupBy,
    /// Period granularity; `None` for one period over the whole window. Default ISO week.
    pub granularity: Option<Granularity>,
    /// The cut-off instant (local civil time).
    pub as_of: NaiveDateTime,
    /// First day of the window (default: the earliest valid reception).
    pub start: Option<NaiveDate>,
    /// Last day of the window (activity view; default: `as_of`'s date).
    pub end: Option<NaiveDate>,
    /// Classification policies.
    pub classify: ClassifyOptions,
    /// Raise (default) or skip bad records.
    pub on_error: OnError,
    /// Which row of a repeated `dossier_id` counts (default: the most advanced status).
    #[serde(default)]
    pub duplicates: DuplicatePolicy,
    /// Working memory the call may allocate beyond its input, in bytes (default
    /// [`ReportOptions::DEFAULT_MEMORY_LIMIT`], 4 GiB): decoded columns, resolved due dates,
    /// the rejected rows, the kernel's cells tables (one per worker thread) and the output
    /// rows. A call that would need more fails with [`Error::MemoryLimit`] before allocating;
    /// fewer worker threads are used first when that is enough.
    #[serde(default = "default_memory_limit")]
    pub memory_limit: u64,
}

fn default_memory_limit() -> u64 {
    ReportOptions::DEFAULT_MEMORY_LIMIT
}

impl ReportOptions {
    /// The default [`ReportOptions::memory_limit`]: 4 GiB.
    pub const DEFAULT_MEMORY_LIMIT: u64 = 4 << 30;

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
            duplicates: DuplicatePolicy::MostAdvanced,
            memory_limit: Self::DEFAULT_MEMORY_LIMIT,
        }
    }

    /// Defaults with `as_of` at the end of `date` (23:59:59).
    ///
    /// # Example
    /// see [`ReportOptions`].
    pub fn end_of_day(date: NaiveDate) -> Self {
        Self::new(date.and_time(end_of_day_time()))
    }

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
    /// assert!(err.to_string().starts_with("the report's cells table (2 groups × 72,685 periods × "), "{err}");
    /// assert_eq!(report(&ds, &o).unwrap().rows.len(), 1);
    /// ```
    #[must_use]
    pub fn memory_limit(mut self, bytes: u64) -> Self {
        self.memory_limit = bytes;
        self
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

    /// Sets which row of a repeated dossier id counts.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{ReportOptions, DuplicatePolicy}; use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    /// let o = ReportOptions::end_of_day(d).duplicates(DuplicatePolicy::KeepAll);
    /// assert_eq!(o.duplicates, DuplicatePolicy::KeepAll);
    /// ```
    #[must_use]
    pub fn duplicates(mut self, policy: DuplicatePolicy) -> Self {
        self.duplicates = policy;
        self
    }

    /// The options a tally is computed with: these, as one cohort total (no key, no periods).
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{GroupBy, ReportOptions}; use chrono::NaiveDate;
    /// let o = ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap()).for_tally();
    /// assert_eq!((o.group_by, o.granularity), (GroupBy::Total, None));
    /// ```
    #[must_use]
    pub fn for_tally(&self) -> Self {
        self.clone()
            .group_by(GroupBy::Total)
            .granularity(None)
            .view(View::Cohort)
    }

    /// The options a table's provenance describes (the pairs of [`ReportOptions::describe`],
    /// as written into its metadata): what merging partial tables checks and keeps.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a missing or unreadable pair.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{ReportOptions, View}; use chrono::NaiveDate;
    /// let o = ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap()).view(View::Activity);
    /// let pairs: Vec<(String, String)> = o.describe().into_iter().map(|(k, v)| (k.to_string(), v)).collect();
    /// assert_eq!(ReportOptions::from_describe(&pairs).unwrap(), o);
    /// ```
    pub fn from_describe(pairs: &[(String, String)]) -> Result<Self> {
        let get = |k: &'static str| -> Result<&str> {
            pairs
                .iter()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.as_str())
                .ok_or_else(|| Error::InvalidArgument {
                    name: "provenance",
                    reason: format!(
                        "the table's metadata has no {k:?}: not a report table of this library"
                    ),
                })
        };
        let bad = |k: &str, v: &str| Error::InvalidArgument {
            name: "provenance",
            reason: format!("{k}={v:?} cannot be read"),
        };
        let date = |k: &'static str| -> Result<Option<NaiveDate>> {
            match get(k)? {
                "" => Ok(None),
                v => v.parse().map(Some).map_err(|_| bad(k, v)),
            }
        };
        let as_of = get("as_of")?;
        let mut o = ReportOptions::new(
            NaiveDateTime::parse_from_str(as_of, "%Y-%m-%d %H:%M:%S")
                .map_err(|_| bad("as_of", as_of))?,
        )
        .view(get("view")?.parse()?)
        .group_by(get("group_by")?.parse()?)
        .granularity(match get("granularity")? {
            "none" => None,
            g => Some(g.parse()?),
        })
        .start(date("start")?)
        .end(date("end")?)
        .on_error(get("on_error")?.parse()?)
        .duplicates(get("duplicates")?.parse()?);
        o.classify = ClassifyOptions::default()
            .comparison(get("comparison")?.parse()?)
            .supplement_rule(get("supplement_rule")?.parse()?)
            .due_date(get("due_date")?.parse()?);
        Ok(o)
    }

    /// The options as `(name, value)` pairs: the provenance written into every output table.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::ReportOptions; use chrono::NaiveDate;
    /// let o = ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap());
    /// let p = o.describe();
    /// assert!(p.contains(&("as_of", "2023-10-16 23:59:59".to_string())));
    /// assert!(p.contains(&("comparison", "date".to_string())));
    /// ```
    pub fn describe(&self) -> Vec<(&'static str, String)> {
        let opt = |d: Option<NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
        vec![
            ("view", self.view.name().to_string()),
            ("group_by", self.group_by.name().to_string()),
            (
                "granularity",
                self.granularity
                    .map_or_else(|| "none".into(), |g| g.name().to_string()),
            ),
            ("as_of", self.as_of.to_string()),
            ("start", opt(self.start)),
            ("end", opt(self.end)),
            ("comparison", self.classify.comparison.name().to_string()),
            (
                "supplement_rule",
                self.classify.supplement_rule.name().to_string(),
            ),
            ("due_date", self.classify.due_date.name().to_string()),
            ("on_error", self.on_error.name().to_string()),
            ("duplicates", self.duplicates.name().to_string()),
        ]
    }
}

fn end_of_day_time() -> NaiveTime {
    NaiveTime::from_hms_opt(23, 59, 59).unwrap_or(NaiveTime::MIN)
}

/// One report row: a group (unit, procedure, field, channel, or `None` for the total) in one
/// period.
///
/// # Example
/// see [`report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Row {
    /// The group's display label: the clean spelling (`None` for [`GroupBy::Total`]).
    pub group: Option<String>,
    /// The group's key ([`name_key`](crate::name_key) of the label; `None` for the total):
    /// what partial reports are merged by.
    #[serde(default)]
    pub key: Option<String>,
    /// The period (clipped to the window).
    pub period: Option<Period>,
    /// The counts.
    pub tally: Tally,
    /// Whether the row is a roll-up of a unit and everything below it ([`Report::with_rollup`]).
    pub rollup: bool,
}

/// A report: rows, the rows left out (rejected, repeated) and the dossiers outside every row.
///
/// Conservation: `inputs == rejected.len() + duplicates.len() + excluded.total() + dossiers in
/// rows`, where in the cohort view each dossier is in exactly one row and in the activity view
/// the dossiers in rows are the newly received ones plus those carried into the first period.
///
/// # Example
/// see [`report`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Report {
    /// Rows sorted by group key, then period; roll-up rows after the others.
    pub rows: Vec<Row>,
    /// Records left out, with reasons (only with [`OnError::Skip`]).
    pub rejected: Vec<Rejection>,
    /// Rows left out as repeats of another row's dossier id.
    #[serde(default)]
    pub duplicates: Vec<Duplicate>,
    /// Valid dossiers in no row: never received, received outside the window, or (activity view)
    /// ended before it, each in the bucket it had then.
    pub excluded: Tally,
    /// Number of input records.
    pub inputs: u64,
    /// The window the report covers.
    pub window: Period,
    /// The options that produced it (its provenance).
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

    /// The whole report as one [`Summary`] (cohort view: every row plus the excluded), with the
    /// report's provenance: what [`tally`] returns.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for the activity view (its rows count carried-over dossiers
    /// once per period: they do not add up to one tally).
    ///
    /// # Example
    /// see [`tally`].
    pub fn summary(&self) -> Result<Summary> {
        if self.options.view == View::Activity && self.rows.iter().filter(|r| !r.rollup).count() > 1
        {
            return Err(Error::InvalidArgument {
                name: "view",
                reason:
                    "the rows of an activity report over several periods do not add up to one tally"
                        .into(),
            });
        }
        Ok(Summary::new(
            self.total() + self.excluded,
            Provenance::of(&self.options),
        ))
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
            .map(|((unit, period), tally)| {
                let name = tree.unit(unit).name.clone();
                Row {
                    key: Some(name_key(&name)),
                    group: Some(name),
                    period,
                    tally,
                    rollup: true,
                }
            })
            .collect();
        extra.sort_by(|a, b| (&a.key, a.period).cmp(&(&b.key, b.period)));
        self.rows.extend(extra);
        self
    }

    /// Merges partial reports of one table (parts of its rows, say partitions in Spark or Dask)
    /// into the report of the whole: rows with the same key and period are summed exactly, the
    /// first label (in part order) is kept, and rejections, repeats, exclusions and inputs add up.
    ///
    /// Rows are the sum of the parts' rows only where the parts do not share dossiers; repeated
    /// dossier ids across parts are not found (give each part whole dossiers).
    ///
    /// # Errors
    /// [`Error::Mismatch`] when the parts were computed with different options, or with
    /// different windows (give every part the same `start`); [`Error::InvalidArgument`] for no
    /// part.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{report, Dossier, Report, ReportOptions, Status};
    /// use chrono::NaiveDate;
    /// let at = NaiveDate::from_ymd_opt(2023, 10, 2).unwrap().and_hms_opt(8, 0, 0).unwrap();
    /// let o = ReportOptions::end_of_day(at.date()).start(Some(at.date()));
    /// let a = report(&[Dossier::new("1", "UBND xã Đắk Sôr", at, Status::Processing)], &o).unwrap();
    /// let b = report(&[Dossier::new("2", "UBND xa\u{303} Đắk Sôr", at, Status::Processing)], &o).unwrap();
    /// let m = Report::merge(&[a, b]).unwrap();
    /// assert_eq!((m.rows.len(), m.rows[0].tally.within_due, m.inputs), (1, 2, 2));
    /// let other = report(&[], &o.clone().start(None)).unwrap();
    /// assert_eq!(Report::merge(&[m, other]).unwrap_err().code(), "mismatch");
    /// ```
    pub fn merge(parts: &[Report]) -> Result<Report> {
        let Some(first) = parts.first() else {
            return Err(Error::InvalidArgument {
                name: "parts",
                reason: "no report to merge".into(),
            });
        };
        for p in &parts[1..] {
            if p.options != first.options {
                return Err(Error::Mismatch {
                    what: "report options",
                    left: describe(&first.options),
                    right: describe(&p.options),
                });
            }
            if p.window != first.window && !(p.rows.is_empty() || first.rows.is_empty()) {
                return Err(Error::Mismatch {
                    what: "windows",
                    left: first.window.to_string(),
                    right: p.window.to_string(),
                });
            }
        }
        let mut index: HashMap<(Option<String>, Option<Period>, bool), usize> = HashMap::new();
        let mut rows: Vec<Row> = Vec::new();
        let mut out = Report {
            rows: Vec::new(),
            rejected: Vec::new(),
            duplicates: Vec::new(),
            excluded: Tally::default(),
            inputs: 0,
            window: first.window,
            options: first.options.clone(),
        };
        for p in parts {
            let offset = out.inputs as usize;
            for r in &p.rows {
                let k = (r.key.clone(), r.period, r.rollup);
                if let Some(&i) = index.get(&k) {
                    rows[i].tally = rows[i].tally.checked_add(&r.tally)?;
                } else {
                    index.insert(k, rows.len());
                    rows.push(r.clone());
                }
            }
            out.rejected.extend(p.rejected.iter().cloned().map(|mut r| {
                r.row += offset;
                r
            }));
            out.duplicates
                .extend(p.duplicates.iter().cloned().map(|mut d| {
                    d.row += offset;
                    d.kept += offset;
                    d
                }));
            out.excluded = out.excluded.checked_add(&p.excluded)?;
            out.inputs += p.inputs;
            if !p.rows.is_empty() && out.window != p.window {
                out.window = p.window;
            }
        }
        rows.sort_by(|a, b| (a.rollup, &a.key, a.period).cmp(&(b.rollup, &b.key, b.period)));
        out.rows = rows;
        Ok(out)
    }
}

fn describe(o: &ReportOptions) -> String {
    o.describe()
        .into_iter()
        .map(|(k, v)| format!("{k}={v}"))
        .collect::<Vec<_>>()
        .join(", ")
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

/// Bytes budgeted for one output row: the row with its label and key, and the same row again in
/// the output table a front end builds from it (about 40 columns of 8 bytes).
const ROW_BYTES: u64 = 1_024;

/// The names column a key groups by, if any.
pub(crate) fn names_of<'a>(cols: &Columns<'a>, by: GroupBy) -> Option<crate::columnar::Names<'a>> {
    match by {
        GroupBy::Unit => cols.unit,
        GroupBy::Procedure => cols.procedure,
        GroupBy::Field => cols.field,
        GroupBy::Channel | GroupBy::Total => None,
    }
}

/// The groups of a key in a prepared table: their labels and keys by code.
pub(crate) fn groups_of(chunks: &[Columns<'_>], by: GroupBy) -> (Vec<String>, Vec<String>) {
    match by {
        GroupBy::Channel => {
            let l: Vec<String> = ["direct", "online", "post"].map(String::from).to_vec();
            (l.clone(), l)
        }
        GroupBy::Total => (vec![String::new()], vec![String::new()]),
        _ => chunks
            .iter()
            .find_map(|c| names_of(c, by).map(|n| n.table()))
            .map_or_else(
                || (vec![String::new()], vec![String::new()]),
                |t| (t.labels().to_vec(), t.keys().to_vec()),
            ),
    }
}

/// The report of a prepared table (see [`columnar::prepare`]); the activity view and the cohort
/// view alike. The budget's cancel flag, when set from another thread (an interrupt), stops the
/// kernel at its next block with [`Error::Interrupted`].
///
/// # Errors
/// [`Error::InvalidArgument`] for an impossible window (`end` after `as_of`, a grouping column
/// the table does not have), [`Error::OutOfRange`] for a cut-off or start outside 1900–2199,
/// [`Error::MemoryLimit`], [`Error::Interrupted`].
///
/// # Example
/// ```
/// use tthc_metrics::{MemoryBudget, NameTable, ReportOptions, Status, View};
/// use tthc_metrics::columnar::{self, Columns, Names, PrepareOptions, TimeColumn, Validity};
/// use chrono::NaiveDate;
/// const D: i64 = 86_400;
/// let received = [19_631 * D, 19_640 * D]; // 2023-10-01, 2023-10-10
/// let due = [19_633 * D, 0];
/// let due_valid = [0b01u8];
/// let finished = [19_635 * D, 0];
/// let status = [10u8, 4];
/// let units = NameTable::from_labels(["UBND xã Nam Đà"]);
/// let codes = [1u32, 1];
/// let cols = Columns::builder(TimeColumn::local(&received), (&status).into())
///     .due(TimeColumn::local(&due).with_validity(Some(Validity::new(&due_valid, 0)), false))
///     .finished(TimeColumn::local(&finished).with_validity(Some(Validity::new(&due_valid, 0)), false))
///     .unit(Names::new((&codes).into(), &units))
///     .build().unwrap();
/// let o = ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap()).granularity(None);
/// let mut budget = MemoryBudget::new(o.memory_limit);
/// let p = columnar::prepare(&[cols], Vec::new(), &PrepareOptions::from(&o), None, &mut budget).unwrap();
/// let r = columnar::report(&p, &o, &mut budget).unwrap();
/// assert_eq!((r.total().late, r.total().within_due), (1, 1));
/// let a = columnar::report(&p, &o.clone().view(View::Activity), &mut budget).unwrap();
/// assert_eq!(a.total().handled(), 2);
/// ```
pub fn report_prepared(
    prepared: &Prepared<'_>,
    options: &ReportOptions,
    budget: &mut MemoryBudget,
) -> Result<Report> {
    report_on_path(prepared, options, budget, kernel::KernelPath::Auto)
}

/// [`report_prepared`] on a chosen kernel path (the property tests compare the two kernels).
#[doc(hidden)]
pub fn report_on_path(
    prepared: &Prepared<'_>,
    options: &ReportOptions,
    budget: &mut MemoryBudget,
    path: kernel::KernelPath,
) -> Result<Report> {
    let chunks = prepared.columns();
    let n = prepared.inputs();
    let layout = Layout::new(&chunks, n, options, prepared.earliest_reception())?;
    let threads = layout.reserve(budget, n)?;
    let plan = layout.plan(options, threads, budget.cancel_flag(), path);
    let partial = kernel::run(&chunks, &plan).ok_or(Error::Interrupted);
    budget.release(layout.per_worker * threads as u64);
    layout.assemble(partial?, prepared, options, budget)
}

/// The window, the periods and the groups of one report, and the size of its cells table.
struct Layout {
    as_of: i64,
    last_cutoff: i64,
    start_date: NaiveDate,
    window: Period,
    table: PeriodTable,
    period_start: Vec<i64>,
    period_cutoff: Vec<i64>,
    labels: Vec<String>,
    keys: Vec<String>,
    groups: usize,
    sparse: bool,
    /// Bytes of one worker's cells table(s).
    per_worker: u64,
    tables: u64,
    n: u64,
}

impl Layout {
    /// The layout of a report on `chunks` (`n` rows) whose earliest valid reception is
    /// `earliest` (the default window start).
    fn new(
        chunks: &[Columns<'_>],
        n: u64,
        options: &ReportOptions,
        earliest: Option<NaiveDate>,
    ) -> Result<Self> {
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
        for date in [Some(as_of_date), options.start].into_iter().flatten() {
            if !in_supported_range(date) {
                return Err(Error::OutOfRange {
                    date,
                    min: MIN_SUPPORTED,
                    max: MAX_SUPPORTED,
                });
            }
        }
        let needs = match options.group_by {
            GroupBy::Unit => Some(("unit", chunks.iter().all(|c| c.unit.is_some()))),
            GroupBy::Procedure => Some(("procedure", chunks.iter().all(|c| c.procedure.is_some()))),
            GroupBy::Field => Some(("field", chunks.iter().all(|c| c.field.is_some()))),
            _ => None,
        };
        if let Some((name, false)) = needs {
            return Err(Error::InvalidArgument {
                name: "group_by",
                reason: format!("the table has no {name} column to group by"),
            });
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
            None => earliest.map_or(window_end, |d| d.min(window_end)),
        };
        let window = Period::new(start_date, window_end)?;
        let table = PeriodTable::new(window, options.granularity);
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
        let (labels, keys) = groups_of(chunks, options.group_by);
        let groups = labels.len().max(1);
        let np = table.periods.len();
        // the cells tables: one per worker (and a difference table each in the activity view);
        // in the cohort view a dossier reaches one cell, so a table far larger than the rows is
        // sparse
        let tables = if options.view == View::Activity { 2 } else { 1 };
        let dense_cells = (groups as u64).saturating_mul(np as u64);
        let sparse = options.view == View::Cohort
            && dense_cells > n.saturating_mul(4)
            && dense_cells.saturating_mul(kernel::CELL_BYTES) > 32 << 20;
        let per_worker = if sparse {
            n.saturating_mul(kernel::SPARSE_CELL_BYTES)
        } else {
            dense_cells
                .saturating_mul(kernel::CELL_BYTES)
                .saturating_mul(tables)
        };
        Ok(Self {
            as_of,
            last_cutoff,
            start_date,
            window,
            table,
            period_start,
            period_cutoff,
            labels,
            keys,
            groups,
            sparse,
            per_worker,
            tables,
            n,
        })
    }

    /// Reserves one cells table per worker, as many workers as the budget allows (at least one,
    /// else the error): the number of workers. The caller releases `per_worker` each.
    fn reserve(&self, budget: &mut MemoryBudget, n: u64) -> Result<usize> {
        let np = self.table.periods.len();
        let what = || {
            if self.sparse {
                format!(
                    "the report's sparse cells table (up to {} cells × {} bytes)",
                    thousands(self.n),
                    thousands(kernel::SPARSE_CELL_BYTES),
                )
            } else {
                format!(
                    "the report's cells table ({} group{} × {} period{} × {} bytes{})",
                    thousands(self.groups as u64),
                    if self.groups == 1 { "" } else { "s" },
                    thousands(np as u64),
                    if np == 1 { "" } else { "s" },
                    thousands(kernel::CELL_BYTES),
                    if self.tables == 2 { " × 2" } else { "" },
                )
            }
        };
        let hint =
            "use a coarser granularity, a later start or fewer groups, or raise the memory limit";
        budget.reserve(what, self.per_worker, hint)?;
        let mut threads = 1;
        while threads < budget.threads(n as usize)
            && budget.reserve(what, self.per_worker, hint).is_ok()
        {
            threads += 1;
        }
        Ok(threads)
    }

    /// The kernel's plan.
    fn plan<'l>(
        &'l self,
        options: &ReportOptions,
        threads: usize,
        cancel: Option<&'l std::sync::atomic::AtomicBool>,
        path: kernel::KernelPath,
    ) -> kernel::Plan<'l> {
        kernel::Plan {
            cohort: options.view == View::Cohort,
            as_of: self.as_of,
            last_cutoff: self.last_cutoff,
            window_start: i64::from(day_number(self.start_date)) * DAY,
            first_day: self.table.first_day,
            period_of_day: &self.table.index,
            period_start: &self.period_start,
            period_cutoff: &self.period_cutoff,
            groups: self.groups,
            sparse: self.sparse,
            group_by: options.group_by,
            classify: options.classify,
            threads,
            cancel,
            path,
        }
    }

    /// The report from the kernel's counts.
    fn assemble(
        &self,
        partial: kernel::Partial,
        prepared: &Prepared<'_>,
        options: &ReportOptions,
        budget: &mut MemoryBudget,
    ) -> Result<Report> {
        let np = self.table.periods.len();
        let groups = self.groups;
        let mut excluded = Tally::default();
        kernel::fold(&partial.excluded, &mut excluded);
        let used: usize = (0..groups).map(|g| partial.group_cells(g, np).len()).sum();
        budget.reserve(
            || format!("the report's {} rows", thousands(used as u64)),
            used as u64 * ROW_BYTES,
            "use a coarser granularity, a narrower window or fewer groups, or raise the memory limit",
        )?;
        let (labels, keys) = (&self.labels, &self.keys);
        let mut order: Vec<usize> = (0..groups).collect();
        order.sort_by(|&a, &b| keys.get(a).cmp(&keys.get(b)).then(a.cmp(&b)));
        let mut rows = Vec::with_capacity(used);
        for g in order {
            for (p, c) in partial.group_cells(g, np) {
                let mut tally = Tally::default();
                kernel::fold(c, &mut tally);
                let total = options.group_by == GroupBy::Total;
                rows.push(Row {
                    group: (!total).then(|| labels.get(g).cloned().unwrap_or_default()),
                    key: (!total).then(|| keys.get(g).cloned().unwrap_or_default()),
                    period: Some(self.table.periods[p]),
                    tally,
                    rollup: false,
                });
            }
        }
        Ok(Report {
            rows,
            rejected: prepared.rejected().to_vec(),
            duplicates: prepared.duplicates().to_vec(),
            excluded,
            inputs: self.n,
            window: self.window,
            options: options.clone(),
        })
    }
}

/// Builds a report from records. Records are a front end like any other: converted to columns
/// and validated by the preparation stage; grouping uses the NFC name key of units, procedures
/// and fields.
///
/// # Errors
/// [`Error::Rejected`] for the first bad record under [`OnError::Raise`];
/// [`Error::InvalidArgument`] for an impossible window; [`Error::MemoryLimit`].
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
    report_on(dossiers, options, None)
}

/// [`report`] with a working-day calendar for due dates computed from a duration (see
/// [`columnar::prepare`]).
///
/// # Errors
/// As [`report`].
///
/// # Example
/// ```
/// use tthc_metrics::{report_on, Calendar, Dossier, ReportOptions, Status};
/// use chrono::NaiveDate;
/// // received Friday 2023-09-01 (a holiday; Monday 4 is off too): counted from Tuesday 5, 3 working
/// // days are due Friday 8 September at 17:00; finished Monday 11: late
/// let at = |d| NaiveDate::from_ymd_opt(2023, 9, d).unwrap().and_hms_opt(9, 0, 0).unwrap();
/// let d = Dossier::new("1", "Phòng Y tế", at(1), Status::Returned).with_finished(at(11)).with_duration_days(3);
/// let o = ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap()).granularity(None);
/// assert_eq!(report_on(&[d.clone()], &o, None).unwrap().total().on_time, 1);
/// assert_eq!(report_on(&[d], &o, Some(&Calendar::vietnam())).unwrap().total().late, 1);
/// ```
pub fn report_on(
    dossiers: &[Dossier],
    options: &ReportOptions,
    calendar: Option<&Calendar>,
) -> Result<Report> {
    let mut budget = MemoryBudget::new(options.memory_limit);
    let records = Records::new(dossiers, &mut budget)?;
    let chunk = records.columns();
    report_chunks(
        std::slice::from_ref(&chunk),
        Vec::new(),
        options,
        calendar,
        &mut budget,
    )
}

/// One [`Summary`] over all dossiers received up to `as_of` (and from `start`), classified at
/// `as_of`: the seed letter's figures. Dossiers never received, or received outside the window,
/// stay in their excluded buckets (`not_received`, `outside_window`), so that
/// `summary.tally.total() + rejected + repeats = inputs`.
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
/// assert_eq!(t.tally.withdrawn, 1);
/// assert_eq!(t.provenance.unwrap().as_of, at.date().and_hms_opt(23, 59, 59).unwrap());
/// ```
pub fn tally(dossiers: &[Dossier], options: &ReportOptions) -> Result<Summary> {
    report(dossiers, &options.for_tally())?.summary()
}

/// The report of prepared columns (every chunk a front end built), in one call: prepare, then
/// report. Where it applies (dates compared by day, cut-offs at ends of days, timestamp columns,
/// a dense table) preparation's screen and the kernel's count share one read of the times (the
/// fused pass, `kernel::fused`); the report is the same as [`columnar::prepare`] then
/// [`report_prepared`] give, which the property tests check.
///
/// # Errors
/// As [`columnar::prepare`] and [`report_prepared`].
///
/// # Example
/// see [`report_prepared`].
pub fn report_chunks(
    chunks: &[Columns<'_>],
    upstream: Vec<Rejection>,
    options: &ReportOptions,
    calendar: Option<&Calendar>,
    budget: &mut MemoryBudget,
) -> Result<Report> {
    let prepare = columnar::PrepareOptions::from(options);
    let n: u64 = chunks.iter().map(|c| c.len() as u64).sum();
    // The fused pass (screen and count in one read of the times) needs the report's layout
    // before preparation. The window's default start is the earliest valid reception, known
    // only after validation: the layout takes the earliest reception of any row (a lower
    // bound), and when validation finds a later one the two-pass report runs instead.
    let fused_may_apply = true;
    let bound = if fused_may_apply && options.start.is_none() {
        chunks
            .iter()
            .filter_map(|c| {
                c.received
                    .lowest_day_within(crate::validate::MIN_DAY, crate::validate::MAX_DAY)
            })
            .min()
            .and_then(date_of_day)
    } else {
        None
    };
    let layout = fused_may_apply
        .then(|| Layout::new(chunks, n, options, bound).ok())
        .flatten()
        .filter(|l| !l.sparse && l.plan(options, 1, None, kernel::KernelPath::Auto).by_day());
    let Some(layout) = layout else {
        let p = columnar::prepare(chunks, upstream, &prepare, calendar, budget)?;
        return report_prepared(&p, options, budget);
    };
    // a table that does not fit is the two-pass report's error, after preparation's
    let Ok(threads) = layout.reserve(budget, n) else {
        let p = columnar::prepare(chunks, upstream, &prepare, calendar, budget)?;
        return report_prepared(&p, options, budget);
    };
    let held = layout.per_worker * threads as u64;
    let mut pass = None;
    let prepared = columnar::prepare_with(
        chunks,
        upstream,
        &prepare,
        calendar,
        budget,
        |screen_chunks, _, cancel| {
            let plan = layout.plan(options, threads, cancel, kernel::KernelPath::Auto);
            let f = kernel::fused::run(screen_chunks, &plan, threads, cancel)?;
            let screen = f.screen.clone();
            pass = Some(f);
            Some(screen)
        },
    );
    let prepared = match prepared {
        Ok(p) => p,
        Err(e) => {
            budget.release(held);
            return Err(e);
        }
    };
    let start_moved = options.start.is_none() && prepared.earliest_reception() != bound;
    let pass = match pass {
        Some(f) if !start_moved => f,
        _ => {
            budget.release(held);
            return report_prepared(&prepared, options, budget);
        }
    };
    let chunks = prepared.columns();
    let plan = layout.plan(
        options,
        threads,
        budget.cancel_flag(),
        kernel::KernelPath::Auto,
    );
    let partial = kernel::finish_fused(&chunks, pass, &plan).ok_or(Error::Interrupted);
    budget.release(held);
    layout.assemble(partial?, &prepared, options, budget)
}
