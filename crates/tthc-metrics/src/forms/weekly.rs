//! The Friday report of the seed letter: units report every Friday before 10:00 on the seven
//! days Friday → Thursday before it, with the year to date against 95% and, in a peak window,
//! the online share against 70%.

use std::collections::{BTreeSet, HashMap};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::error::{Error, Result};
use crate::names::{name_key, vietnamese_order};
use crate::period::Period;
use crate::quality::{QualityOptions, QualityReport};
use crate::rate::{OnTimePolicy, OnlinePolicy, Rate, Threshold};
use crate::report::{GroupBy, Report, ReportOptions, View};
use crate::scoring::least;
use crate::tally::Tally;
use crate::unit::UnitTree;

use super::bieu_06a::{listed_units, thousands_vi};
use super::{place_and_date, vietnamese_date, FormHeader};

/// Options of the Friday report.
///
/// # Example
/// ```
/// use tthc_metrics::{Period, WeeklyOptions};
/// use chrono::NaiveDate;
/// let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap();
/// let o = WeeklyOptions::new(d(10, 13)).unwrap();
/// assert_eq!((o.week().start(), o.week().end()), (d(10, 6), d(10, 12)));
/// assert_eq!(o.year_window(), Period::new(d(1, 1), d(10, 12)).unwrap());
/// assert_eq!(WeeklyOptions::new(d(10, 12)).unwrap_err().code(), "not_a_friday");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct WeeklyOptions {
    /// The Friday the report is due (before 10:00).
    pub friday: NaiveDate,
    /// The peak window (the seed's 18/10–18/11/2023), if any: a week that overlaps it is held
    /// to the online target.
    pub peak: Option<Period>,
    /// The on-time target of the year to date (the seed: not below 95%, exact).
    pub on_time_target: Threshold,
    /// The online target of a peak week (the seed: more than 70% of eligible dossiers, exact).
    pub online_target: Threshold,
    /// First day of the year to date (default 1 January of the week's Thursday).
    pub year_start: Option<NaiveDate>,
    /// Overdue by more than this many days is hanging (default 30).
    pub hanging_after_days: u32,
    /// "Đơn vị báo cáo".
    pub reporting_unit: String,
    /// "Đơn vị nhận báo cáo".
    pub receiving_unit: String,
    /// The place above the signature.
    pub place: Option<String>,
}

impl WeeklyOptions {
    /// The report due on `friday`, with the seed's targets.
    ///
    /// # Errors
    /// [`Error::NotAFriday`], naming the weeks of the Fridays before and after.
    ///
    /// # Example
    /// see [`WeeklyOptions`].
    pub fn new(friday: NaiveDate) -> Result<Self> {
        if friday.weekday() != Weekday::Fri {
            return Err(Error::NotAFriday { date: friday });
        }
        // the week must be representable: seven days before the Friday
        friday
            .checked_sub_days(Days::new(7))
            .ok_or(Error::InvalidArgument {
                name: "friday",
                reason: format!("{friday} has no week before it"),
            })?;
        Ok(Self {
            friday,
            peak: None,
            on_time_target: Threshold::at_least_percent(95),
            online_target: Threshold::above_percent(70),
            year_start: None,
            hanging_after_days: 30,
            reporting_unit: String::new(),
            receiving_unit: String::new(),
            place: None,
        })
    }

    /// Sets the peak window.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Period, WeeklyOptions};
    /// use chrono::NaiveDate;
    /// let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap();
    /// let o = WeeklyOptions::new(d(10, 20)).unwrap().peak(Some(Period::new(d(10, 18), d(11, 18)).unwrap()));
    /// assert!(o.in_peak());
    /// assert!(!WeeklyOptions::new(d(10, 13)).unwrap().peak(o.peak).in_peak());
    /// ```
    #[must_use]
    pub fn peak(mut self, peak: Option<Period>) -> Self {
        self.peak = peak;
        self
    }

    /// Sets the targets.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Threshold, WeeklyOptions};
    /// let f = chrono::NaiveDate::from_ymd_opt(2023, 10, 13).unwrap();
    /// let o = WeeklyOptions::new(f).unwrap().targets(Threshold::at_least_percent(90), Threshold::above_percent(50));
    /// assert_eq!(o.on_time_target.percent, 90.into());
    /// ```
    #[must_use]
    pub fn targets(mut self, on_time: Threshold, online: Threshold) -> Self {
        self.on_time_target = on_time;
        self.online_target = online;
        self
    }

    /// Sets the first day of the year to date.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::WeeklyOptions;
    /// use chrono::NaiveDate;
    /// let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap();
    /// let o = WeeklyOptions::new(d(10, 13)).unwrap().year_start(Some(d(6, 1)));
    /// assert_eq!(o.year_window().start(), d(6, 1));
    /// ```
    #[must_use]
    pub fn year_start(mut self, start: Option<NaiveDate>) -> Self {
        self.year_start = start;
        self
    }

    /// Sets the days past due beyond which an overdue dossier is hanging.
    ///
    /// # Example
    /// ```
    /// let f = chrono::NaiveDate::from_ymd_opt(2023, 10, 13).unwrap();
    /// assert_eq!(tthc_metrics::WeeklyOptions::new(f).unwrap().hanging_after_days(60).hanging_after_days, 60);
    /// ```
    #[must_use]
    pub fn hanging_after_days(mut self, days: u32) -> Self {
        self.hanging_after_days = days;
        self
    }

    /// Sets the units sending and receiving the report, and the place of signature.
    ///
    /// # Example
    /// ```
    /// let f = chrono::NaiveDate::from_ymd_opt(2023, 10, 13).unwrap();
    /// let o = tthc_metrics::WeeklyOptions::new(f).unwrap().units("UBND huyện Krông Nô", "UBND tỉnh Đắk Nông", Some("Krông Nô".into()));
    /// assert_eq!(o.receiving_unit, "UBND tỉnh Đắk Nông");
    /// ```
    #[must_use]
    pub fn units(
        mut self,
        reporting: impl Into<String>,
        receiving: impl Into<String>,
        place: Option<String>,
    ) -> Self {
        self.reporting_unit = reporting.into();
        self.receiving_unit = receiving.into();
        self.place = place;
        self
    }

    /// The week reported: the Friday a week before to the Thursday before `friday`.
    ///
    /// # Example
    /// see [`WeeklyOptions`].
    pub fn week(&self) -> Period {
        let start = self.friday - Days::new(7);
        Period::friday_week(start)
    }

    /// The year to date: from `year_start` (1 January) to the week's Thursday.
    ///
    /// # Example
    /// see [`WeeklyOptions`].
    pub fn year_window(&self) -> Period {
        let end = self.week().end();
        let start = self
            .year_start
            .unwrap_or_else(|| Period::year_to_date(end).start())
            .min(end);
        Period::new(start, end).unwrap_or_else(|_| Period::day(end))
    }

    /// Whether the week overlaps the peak window.
    ///
    /// # Example
    /// see [`WeeklyOptions::peak`].
    pub fn in_peak(&self) -> bool {
        self.peak
            .is_some_and(|p| p.intersect(&self.week()).is_some())
    }

    /// The week's activity report (by unit, one period, cut off at Thursday's close), from
    /// `base`'s classification, repeats and error options.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{ReportOptions, View, WeeklyOptions};
    /// let f = chrono::NaiveDate::from_ymd_opt(2023, 10, 13).unwrap();
    /// let o = WeeklyOptions::new(f).unwrap();
    /// let r = o.week_options(ReportOptions::end_of_day(f));
    /// assert_eq!((r.view, r.as_of.to_string()), (View::Activity, "2023-10-12 23:59:59".to_string()));
    /// ```
    pub fn week_options(&self, base: ReportOptions) -> ReportOptions {
        let w = self.week();
        let mut o = base
            .view(View::Activity)
            .group_by(GroupBy::Unit)
            .granularity(None)
            .start(Some(w.start()))
            .end(Some(w.end()));
        o.as_of = ReportOptions::end_of_day(w.end()).as_of;
        o
    }

    /// The year-to-date cohort report (received in the year to date, classified at Thursday's
    /// close, by unit), from `base`'s options.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{ReportOptions, View, WeeklyOptions};
    /// let f = chrono::NaiveDate::from_ymd_opt(2023, 10, 13).unwrap();
    /// let r = WeeklyOptions::new(f).unwrap().year_options(ReportOptions::end_of_day(f));
    /// assert_eq!((r.view, r.start.unwrap().to_string()), (View::Cohort, "2023-01-01".to_string()));
    /// ```
    pub fn year_options(&self, base: ReportOptions) -> ReportOptions {
        let y = self.year_window();
        let mut o = base
            .view(View::Cohort)
            .group_by(GroupBy::Unit)
            .granularity(None)
            .start(Some(y.start()))
            .end(None);
        o.as_of = ReportOptions::end_of_day(y.end()).as_of;
        o
    }

    /// The quality report that counts the hanging dossiers at Thursday's close (every dossier
    /// received by then), with `base`'s classification and repeats.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{ReportOptions, WeeklyOptions};
    /// let f = chrono::NaiveDate::from_ymd_opt(2023, 10, 13).unwrap();
    /// let q = WeeklyOptions::new(f).unwrap().quality_options(&ReportOptions::end_of_day(f));
    /// assert_eq!((q.start, q.hanging_after_days), (None, 30));
    /// ```
    pub fn quality_options(&self, base: &ReportOptions) -> QualityOptions {
        let mut q = QualityOptions::end_of_day(self.week().end())
            .hanging_after_days(self.hanging_after_days)
            .comparison(base.classify.comparison)
            .memory_limit(base.memory_limit);
        q.due_date = base.classify.due_date;
        q.duplicates = base.duplicates;
        q
    }
}

/// Why a unit is flagged in the Friday report.
///
/// # Example
/// ```
/// use tthc_metrics::WeeklyFlag;
/// assert_eq!(WeeklyFlag::BelowOnTimeTarget.name(), "below_on_time_target");
/// assert_eq!(WeeklyFlag::Hanging.vietnamese(), "Có hồ sơ treo");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum WeeklyFlag {
    /// The year to date is below the on-time target.
    BelowOnTimeTarget,
    /// A peak week's online share is not above the online target.
    BelowOnlineTarget,
    /// Overdue dossiers at Thursday's close.
    Overdue,
    /// Dossiers overdue by more than the hanging threshold.
    Hanging,
}

impl WeeklyFlag {
    /// The flag's code.
    ///
    /// # Example
    /// see [`WeeklyFlag`].
    pub fn name(self) -> &'static str {
        match self {
            Self::BelowOnTimeTarget => "below_on_time_target",
            Self::BelowOnlineTarget => "below_online_target",
            Self::Overdue => "overdue",
            Self::Hanging => "hanging",
        }
    }

    /// The flag in the report's words.
    ///
    /// # Example
    /// see [`WeeklyFlag`].
    pub fn vietnamese(self) -> &'static str {
        match self {
            Self::BelowOnTimeTarget => "Đúng hạn lũy kế dưới chỉ tiêu",
            Self::BelowOnlineTarget => "Trực tuyến dưới chỉ tiêu",
            Self::Overdue => "Có quá hạn",
            Self::Hanging => "Có hồ sơ treo",
        }
    }
}

/// One unit's line (or the total) of the Friday report.
///
/// # Example
/// see [`WeeklyReport`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct WeeklyRow {
    /// The unit (clean NFC spelling), or "Tổng cộng".
    pub unit: String,
    /// The unit's NFC key (`None` for the total).
    pub key: Option<String>,
    /// Whether this is the total.
    pub total: bool,
    /// The week's counts (activity view: received in the week, finished in it, and where the
    /// dossiers stood at Thursday's close).
    pub week: Tally,
    /// The year-to-date counts (cohort: received since `year_start`, classified at Thursday's close).
    pub year: Tally,
    /// Overdue by more than the hanging threshold at Thursday's close.
    pub hanging: u64,
    /// Flags, in [`WeeklyFlag`] order.
    pub flags: Vec<WeeklyFlag>,
    /// The least number of additional on-time dossiers (no new late ones) that lifts the year
    /// to date to the on-time target: `Some(0)` when it is met, `None` without finished
    /// dossiers or when no number reaches it (a 100% target after a late dossier).
    pub needed: Option<u64>,
}

impl WeeklyRow {
    /// Received in the week, directly or by post.
    ///
    /// # Example
    /// see [`WeeklyReport`].
    pub fn received_direct_post(&self) -> u64 {
        self.week
            .received_direct
            .saturating_add(self.week.received_post)
    }

    /// The week's on-time rate: (early + on time) / finished in the week.
    ///
    /// # Errors
    /// [`Error::NoData`] without dossiers finished in the week.
    ///
    /// # Example
    /// see [`WeeklyReport`].
    pub fn on_time_rate(&self) -> Result<Rate> {
        self.week.on_time_rate(OnTimePolicy::ResolvedOnly)
    }

    /// The week's online share of eligible dossiers (the seed's rule).
    ///
    /// # Errors
    /// [`Error::NoData`] without eligible dossiers received in the week.
    ///
    /// # Example
    /// see [`WeeklyReport`].
    pub fn online_share(&self) -> Result<Rate> {
        self.week.online_share(OnlinePolicy::EligibleOnly)
    }

    /// The year to date's on-time rate.
    ///
    /// # Errors
    /// [`Error::NoData`] without finished dossiers.
    ///
    /// # Example
    /// see [`WeeklyReport`].
    pub fn year_rate(&self) -> Result<Rate> {
        self.year.on_time_rate(OnTimePolicy::ResolvedOnly)
    }
}

/// A rate as the letter writes it: a percentage with one decimal, half away from zero.
///
/// # Example
/// ```
/// use tthc_metrics::{one_decimal_percent, Rate};
/// assert_eq!(one_decimal_percent(&Rate::new(10_677, 11_339).unwrap()).to_string(), "94.2");
/// assert_eq!(one_decimal_percent(&Rate::new(1, 8).unwrap()).to_string(), "12.5");
/// assert_eq!(one_decimal_percent(&Rate::new(1, 16).unwrap()).to_string(), "6.3");
/// ```
pub fn one_decimal_percent(rate: &Rate) -> Decimal {
    rate.to_percent(1, RoundingStrategy::MidpointAwayFromZero)
}

/// The Friday report: the title block, one row per unit and the total, from the week's activity
/// report, the year-to-date report and the quality report of [`WeeklyOptions`].
///
/// # Example
/// ```
/// use tthc_metrics::{quality, report, Dossier, ReportOptions, Status, WeeklyOptions, WeeklyReport, WeeklyFlag};
/// use chrono::NaiveDate;
/// let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap();
/// let at = |m, day| d(m, day).and_hms_opt(8, 0, 0).unwrap();
/// let ds = vec![
///     Dossier::new("1", "Phòng Tư pháp", at(10, 9), Status::Returned).with_due(at(10, 11)).with_finished(at(10, 10)),
///     Dossier::new("2", "Phòng Tư pháp", at(8, 1), Status::Processing).with_due(at(8, 20)),
///     Dossier::new("3", "Phòng Tư pháp", at(3, 1), Status::Returned).with_due(at(3, 2)).with_finished(at(3, 9)),
/// ];
/// let o = WeeklyOptions::new(d(10, 13)).unwrap();
/// let base = ReportOptions::end_of_day(d(10, 13));
/// let week = report(&ds, &o.week_options(base.clone())).unwrap();
/// let year = report(&ds, &o.year_options(base.clone())).unwrap();
/// let q = quality(&ds, &o.quality_options(&base), None).unwrap();
/// let w = WeeklyReport::new(&week, &year, &q, None, &o).unwrap();
/// let tp = &w.rows[0];
/// assert_eq!((tp.week.received(), tp.week.early, tp.week.overdue, tp.hanging), (1, 1, 1, 1));
/// assert_eq!((tp.year.on_time_or_early(), tp.year.late), (1, 1));
/// // (1 + x) / (2 + x) >= 95% from x = 18
/// assert_eq!(tp.needed, Some(18));
/// assert_eq!(tp.flags, [WeeklyFlag::BelowOnTimeTarget, WeeklyFlag::Overdue, WeeklyFlag::Hanging]);
/// assert!(w.rows.last().unwrap().total);
/// assert_eq!(w.header.period, "Tuần từ ngày 06/10/2023 đến ngày 12/10/2023 (báo cáo ngày 13/10/2023)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct WeeklyReport {
    /// The title block (`context`: the year to date and the peak window).
    pub header: FormHeader,
    /// One row per unit, the total last.
    pub rows: Vec<WeeklyRow>,
    /// The options.
    pub options: WeeklyOptions,
    /// Input records read.
    pub inputs: u64,
    /// Records rejected (with `on_error="skip"`).
    pub rejected: u64,
    /// Rows left out as repeats.
    pub duplicates: u64,
}

impl WeeklyReport {
    /// Builds the report. Units are listed in the tree's order when a unit tree is given
    /// (every unit of the data must be in it), in Vietnamese alphabetical order otherwise.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for reports that are not those of the options;
    /// [`Error::Uncovered`] for units missing from the tree; [`Error::EmptyWindow`] when no
    /// dossier was handled in the week or received in the year to date.
    ///
    /// # Example
    /// see [`WeeklyReport`].
    pub fn new(
        week: &Report,
        year: &Report,
        quality: &QualityReport,
        tree: Option<&UnitTree>,
        options: &WeeklyOptions,
    ) -> Result<Self> {
        check(week, year, quality, options)?;
        let rows_of = |r: &Report| -> HashMap<String, (String, Tally)> {
            r.rows
                .iter()
                .filter(|row| !row.rollup)
                .map(|row| {
                    let label = row.group.clone().unwrap_or_default();
                    (name_key(&label), (label, row.tally))
                })
                .collect()
        };
        let week_rows = rows_of(week);
        let year_rows = rows_of(year);
        let hanging: HashMap<String, u64> = quality
            .rows
            .iter()
            .map(|r| (name_key(r.group.as_deref().unwrap_or("")), r.counts.hanging))
            .collect();
        let total_week = week.total();
        if total_week.handled() == 0 && year.total().handled() == 0 {
            return Err(Error::EmptyWindow {
                window: options.year_window(),
                detail: format!(
                    "{} input rows, none handled in the week {} to {} nor received in the year to date",
                    week.inputs,
                    vietnamese_date(options.week().start()),
                    vietnamese_date(options.week().end())
                ),
            });
        }
        let mut labels: HashMap<String, String> = HashMap::new();
        for (k, (l, _)) in week_rows.iter().chain(year_rows.iter()) {
            labels.entry(k.clone()).or_insert_with(|| l.clone());
        }
        let order: Vec<(String, String)> = if let Some(tree) = tree {
            {
                let mut missing: BTreeSet<String> = BTreeSet::new();
                for (k, l) in &labels {
                    if tree.find(k).is_none() {
                        missing.insert(l.clone());
                    }
                }
                if !missing.is_empty() {
                    let mut missing: Vec<String> = missing.into_iter().collect();
                    missing.sort_by(|a, b| vietnamese_order(a, b));
                    return Err(Error::Uncovered {
                        what: "unit tree",
                        missing,
                    });
                }
                let data: HashMap<&str, (&str, &Tally)> = week_rows
                    .iter()
                    .map(|(k, (l, t))| (k.as_str(), (l.as_str(), t)))
                    .collect();
                let mut with_year = data.clone();
                for (k, (l, t)) in &year_rows {
                    with_year.entry(k.as_str()).or_insert((l.as_str(), t));
                }
                listed_units(tree, &with_year)
                    .into_iter()
                    .map(|u| {
                        let name = &tree.unit(u).name;
                        let key = name_key(name);
                        let label = labels.get(&key).cloned().unwrap_or_else(|| name.clone());
                        (key, label)
                    })
                    .collect()
            }
        } else {
            let mut v: Vec<(String, String)> = labels.into_iter().collect();
            v.sort_by(|a, b| vietnamese_order(&a.1, &b.1));
            v
        };
        let mut rows: Vec<WeeklyRow> = order
            .into_iter()
            .map(|(key, label)| {
                let week = week_rows.get(&key).map(|(_, t)| *t).unwrap_or_default();
                let year = year_rows.get(&key).map(|(_, t)| *t).unwrap_or_default();
                let hanging = hanging.get(&key).copied().unwrap_or(0);
                row(label, Some(key), false, week, year, hanging, options)
            })
            .collect();
        let total = row(
            "Tổng cộng".into(),
            None,
            true,
            total_week,
            year.total(),
            rows.iter().map(|r| r.hanging).sum(),
            options,
        );
        rows.push(total);
        Ok(Self {
            header: header(options),
            rows,
            options: options.clone(),
            inputs: week.inputs,
            rejected: week.rejected.len() as u64,
            duplicates: week.duplicates.len() as u64,
        })
    }

    /// The total row.
    ///
    /// # Panics
    /// Never for a report built by [`WeeklyReport::new`].
    ///
    /// # Example
    /// see [`WeeklyReport`].
    pub fn total(&self) -> &WeeklyRow {
        self.rows
            .last()
            .filter(|r| r.total)
            .expect("a weekly report ends with its total")
    }

    /// The notes under the table: the rules applied and where the figures come from.
    ///
    /// # Example
    /// ```
    /// # use tthc_metrics::{quality, report, Dossier, ReportOptions, Status, WeeklyOptions, WeeklyReport};
    /// # use chrono::NaiveDate;
    /// # let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap();
    /// # let ds = vec![Dossier::new("1", "Phòng Tư pháp", d(10, 9).and_hms_opt(8, 0, 0).unwrap(), Status::Processing)];
    /// # let o = WeeklyOptions::new(d(10, 13)).unwrap();
    /// # let base = ReportOptions::end_of_day(d(10, 13));
    /// # let w = WeeklyReport::new(&report(&ds, &o.week_options(base.clone())).unwrap(),
    /// #     &report(&ds, &o.year_options(base.clone())).unwrap(), &quality(&ds, &o.quality_options(&base), None).unwrap(), None, &o).unwrap();
    /// assert!(w.notes()[0].starts_with("Tỷ lệ đúng hạn = (trước hạn + đúng hạn) / đã giải quyết"));
    /// ```
    pub fn notes(&self) -> Vec<String> {
        let o = &self.options;
        let mut notes = vec![
            format!(
                "Tỷ lệ đúng hạn = (trước hạn + đúng hạn) / đã giải quyết, làm tròn 1 chữ số thập phân; chỉ tiêu lũy kế: {}.",
                threshold_vi(&o.on_time_target)
            ),
            format!(
                "Tỷ lệ trực tuyến = hồ sơ nộp trực tuyến / hồ sơ của thủ tục có dịch vụ công trực tuyến, tiếp nhận trong tuần; chỉ tiêu tháng cao điểm: {}.",
                threshold_vi(&o.online_target)
            ),
            format!(
                "Cần thêm: số hồ sơ giải quyết đúng hạn tối thiểu phải có thêm (không phát sinh hồ sơ quá hạn mới) để lũy kế đạt chỉ tiêu. Hồ sơ treo: quá hạn trên {} ngày.",
                o.hanging_after_days
            ),
        ];
        let mut source = format!("Số liệu tính từ {} bản ghi", thousands_vi(self.inputs));
        if self.rejected > 0 || self.duplicates > 0 {
            source = format!(
                "{source}; {} bản ghi lỗi bị loại, {} bản ghi trùng mã hồ sơ",
                thousands_vi(self.rejected),
                thousands_vi(self.duplicates)
            );
        }
        notes.push(format!("{source}."));
        notes
    }
}

/// "không dưới 95%", "trên 70%".
fn threshold_vi(t: &Threshold) -> String {
    let op = match t.op {
        crate::rate::ThresholdOp::AtLeast => "không dưới",
        crate::rate::ThresholdOp::Above => "trên",
    };
    format!("{op} {}%", t.percent.normalize())
}

fn row(
    unit: String,
    key: Option<String>,
    total: bool,
    week: Tally,
    year: Tally,
    hanging: u64,
    o: &WeeklyOptions,
) -> WeeklyRow {
    let needed = needed(&year, &o.on_time_target);
    let mut flags = Vec::new();
    if let Ok(r) = year.on_time_rate(OnTimePolicy::ResolvedOnly) {
        if !r.meets(&o.on_time_target) {
            flags.push(WeeklyFlag::BelowOnTimeTarget);
        }
    }
    if o.in_peak() {
        if let Ok(r) = week.online_share(OnlinePolicy::EligibleOnly) {
            if !r.meets(&o.online_target) {
                flags.push(WeeklyFlag::BelowOnlineTarget);
            }
        }
    }
    if week.overdue > 0 {
        flags.push(WeeklyFlag::Overdue);
    }
    if hanging > 0 {
        flags.push(WeeklyFlag::Hanging);
    }
    WeeklyRow {
        unit,
        key,
        total,
        week,
        year,
        hanging,
        flags,
        needed,
    }
}

/// The least number of additional on-time dossiers that lifts `(early + on time) / finished`
/// to the target (exact integers; `None` without finished dossiers or when unreachable).
fn needed(year: &Tally, target: &Threshold) -> Option<u64> {
    let good = year.on_time_or_early();
    let late = year.late;
    if good.saturating_add(late) == 0 {
        return None;
    }
    let cap = (1u64 << 62).saturating_sub(good.saturating_add(late));
    least(cap, |x| {
        Ok(Rate::new(good + x, good + x + late).is_ok_and(|r| r.meets(target)))
    })
    .ok()
    .flatten()
}

fn check(week: &Report, year: &Report, quality: &QualityReport, o: &WeeklyOptions) -> Result<()> {
    let w = o.week();
    let wrong = |what: &str, got: String| Error::InvalidArgument {
        name: "report",
        reason: format!(
            "the Friday report of {} reads {what} (WeeklyOptions); this one is {got}",
            vietnamese_date(o.friday)
        ),
    };
    if week.options.view != View::Activity
        || week.options.group_by != GroupBy::Unit
        || week.options.granularity.is_some()
        || week.window != w
    {
        return Err(wrong(
            "the week's activity report by unit",
            format!("a {} report of {}", week.options.view.name(), week.window),
        ));
    }
    if year.options.view != View::Cohort
        || year.options.group_by != GroupBy::Unit
        || year.options.granularity.is_some()
        || year.options.as_of != week.options.as_of
        || year.options.start != Some(o.year_window().start())
    {
        return Err(wrong(
            "the year-to-date cohort report by unit",
            format!("a {} report of {}", year.options.view.name(), year.window),
        ));
    }
    if quality.options.as_of != week.options.as_of || quality.options.group_by != GroupBy::Unit {
        return Err(wrong(
            "the quality report at Thursday's close by unit",
            format!("a quality report at {}", quality.options.as_of),
        ));
    }
    Ok(())
}

fn header(o: &WeeklyOptions) -> FormHeader {
    let w = o.week();
    let y = o.year_window();
    let mut context = vec![format!(
        "Lũy kế từ ngày {} đến ngày {}",
        vietnamese_date(y.start()),
        vietnamese_date(y.end())
    )];
    if let Some(p) = o.peak {
        context.push(format!(
            "Tháng cao điểm từ ngày {} đến ngày {}{}",
            vietnamese_date(p.start()),
            vietnamese_date(p.end()),
            if o.in_peak() {
                ": tuần báo cáo thuộc tháng cao điểm"
            } else {
                ""
            }
        ));
    }
    let scope = o.reporting_unit.to_uppercase();
    FormHeader {
        form_code: String::new(),
        title: if scope.trim().is_empty() {
            "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH HẰNG TUẦN".into()
        } else {
            crate::names::clean_name(&format!(
                "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT HỒ SƠ THỦ TỤC HÀNH CHÍNH HẰNG TUẦN TẠI {scope}"
            ))
        },
        reporting_unit: format!(
            "Đơn vị báo cáo: {}",
            crate::names::clean_name(&o.reporting_unit)
        ),
        receiving_unit: format!(
            "Đơn vị nhận báo cáo: {}",
            crate::names::clean_name(&o.receiving_unit)
        ),
        period: format!(
            "Tuần từ ngày {} đến ngày {} (báo cáo ngày {})",
            vietnamese_date(w.start()),
            vietnamese_date(w.end()),
            vietnamese_date(o.friday)
        ),
        unit_of_count: "Đơn vị tính: Số hồ sơ TTHC; tỷ lệ: %.".into(),
        place_and_date: place_and_date(o.place.as_deref(), Some(o.friday)),
        prepared_by: "Người làm báo cáo".into(),
        approved_by: "Thủ trưởng đơn vị".into(),
        context,
    }
}
