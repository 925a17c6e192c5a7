//! Recovery plans: the least number of additional on-time (or online) dossiers that lifts a
//! criterion to its next band or to full points, and a projection over a window.

use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use super::rubric::{show, Better, Criterion, Metric, Rubric, Rule};
use super::score::{measure, no_data_points, own_points, score, Measure, MetricValue, ScoreInputs};
use crate::calendar::Calendar;
use crate::error::{Error, Result};
use crate::period::Period;
use crate::rate::OnTimePolicy;
use crate::tally::Tally;

/// Counts are kept below 2^62 so that every tally sum stays exact.
const COUNT_LIMIT: u64 = 1 << 62;

/// Which points a recovery aims for.
///
/// # Example
/// ```
/// use tthc_metrics::RecoveryGoal;
/// assert_eq!(RecoveryGoal::default(), RecoveryGoal::NextBand);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecoveryGoal {
    /// The next step up from the points the metric earns now: the threshold (full points), the
    /// next band with more points, or, for a linear rule, one more unit of its last decimal.
    #[default]
    NextBand,
    /// The criterion's maximum.
    FullPoints,
    /// At least these points (0 ≤ points ≤ max).
    Points(Decimal),
}

impl std::str::FromStr for RecoveryGoal {
    type Err = crate::error::Error;

    /// `next_band`, `full_points`, or a number of points.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "next_band" => Ok(Self::NextBand),
            "full_points" => Ok(Self::FullPoints),
            t => t.parse::<Decimal>().map(Self::Points).map_err(|_| {
                crate::error::Error::unknown(
                    "recovery goal",
                    s,
                    &["next_band", "full_points", "a number of points"],
                )
            }),
        }
    }
}

/// Where the additional dossiers come from.
///
/// # Example
/// ```
/// use tthc_metrics::RecoverySource;
/// assert_eq!(RecoverySource::default(), RecoverySource::Added);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RecoverySource {
    /// New dossiers join the count: finished on time (on-time, late and satisfaction metrics),
    /// or received online (online metrics: online, eligible, of a full-process procedure,
    /// synced to the portal, unfinished within due). Every on-time policy gains `+x/+x`.
    #[default]
    Added,
    /// Dossiers already counted change outcome, at most as many as exist: unfinished within-due
    /// dossiers finish on time (`resolved_only` and `due_in_period` gain; under `decision_766`
    /// and `late_share` a within-due dossier already counts as good, so nothing changes), or
    /// eligible dossiers received at the counter or by post had come online instead (assumed
    /// of a full-process procedure; portal sync unchanged).
    Converted,
}

named_options!(
    RecoverySource,
    "recovery source",
    [(Added, "added"), (Converted, "converted")]
);

/// What kind of dossier a recovery counts.
///
/// # Example
/// ```
/// use tthc_metrics::DossierKind;
/// assert_ne!(DossierKind::OnTime, DossierKind::Online);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DossierKind {
    /// Dossiers finished on time.
    OnTime,
    /// Dossiers received online.
    Online,
}

/// Options of [`recovery`]: the goal (default [`RecoveryGoal::NextBand`]) and the source of the
/// dossiers (default [`RecoverySource::Added`]).
///
/// # Example
/// ```
/// use tthc_metrics::{RecoveryOptions, RecoveryGoal, RecoverySource};
/// let o = RecoveryOptions::default().goal(RecoveryGoal::FullPoints).source(RecoverySource::Converted);
/// assert_eq!((o.goal, o.source), (RecoveryGoal::FullPoints, RecoverySource::Converted));
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct RecoveryOptions {
    /// Which points to reach.
    pub goal: RecoveryGoal,
    /// Where the dossiers come from.
    pub source: RecoverySource,
}

impl RecoveryOptions {
    /// Sets the goal.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{RecoveryOptions, RecoveryGoal};
    /// assert_eq!(RecoveryOptions::default().goal(RecoveryGoal::FullPoints).goal, RecoveryGoal::FullPoints);
    /// ```
    #[must_use]
    pub fn goal(mut self, goal: RecoveryGoal) -> Self {
        self.goal = goal;
        self
    }

    /// Sets the source.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{RecoveryOptions, RecoverySource};
    /// assert_eq!(RecoveryOptions::default().source(RecoverySource::Converted).source, RecoverySource::Converted);
    /// ```
    #[must_use]
    pub fn source(mut self, source: RecoverySource) -> Self {
        self.source = source;
        self
    }
}

/// A recovery plan for one criterion: `additional` dossiers reach `target_points`, and
/// `additional - 1` would not.
///
/// # Example
/// ```
/// # #[cfg(feature = "formats")] {
/// use tthc_metrics::{recovery, Rubric, ScoreInputs, Tally, RecoveryOptions};
/// use chrono::NaiveDate;
/// let r = Rubric::preset("seed-district-2023").unwrap();
/// let t = Tally { on_time: 10_677, late: 662, ..Tally::default() };
/// let plan = recovery(&r, "tthc_on_time", &ScoreInputs::from(t),
///                     NaiveDate::from_ymd_opt(2023, 10, 16).unwrap(), &RecoveryOptions::default()).unwrap();
/// assert_eq!(plan.additional, 1_901);
/// assert_eq!(plan.to_value.unwrap().rate().unwrap().to_string(), "12578/13240 (95.00%)");
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Recovery {
    /// The criterion.
    pub criterion: String,
    /// What kind of dossiers `additional` counts.
    pub kind: DossierKind,
    /// Where they come from.
    pub source: RecoverySource,
    /// The least number of additional dossiers.
    pub additional: u64,
    /// For [`RecoverySource::Converted`], how many dossiers could be converted.
    pub available: Option<u64>,
    /// The metric now (`None`: no data).
    pub from_value: Option<MetricValue>,
    /// The metric with `additional` more dossiers.
    pub to_value: Option<MetricValue>,
    /// Points the metric earns now (before dependencies).
    pub from_points: Decimal,
    /// Points aimed for.
    pub target_points: Decimal,
    /// Points the metric earns with `additional` more dossiers (≥ `target_points`).
    pub to_points: Decimal,
    /// Dependencies failing now: until they pass, the criterion stays forfeited.
    pub blocked_by: Vec<String>,
    /// The plan in words.
    pub summary: String,
}

/// The least number of additional on-time (or online) dossiers that lifts criterion `id` to the
/// goal, exact in integers: with `additional` dossiers the criterion's rule (the same exact or
/// rounded comparison as [`score`](crate::score)) gives at least the goal points, with one fewer
/// it does not.
///
/// The dossier kind follows the metric: on-time dossiers for on-time, late and satisfaction
/// rates; online dossiers for online shares. The search runs on the tally the criterion reads
/// (its window, if any); dependencies are not lifted, they are listed in `blocked_by`.
///
/// # Errors
/// - [`Error::Unreachable`] when no number of dossiers reaches the goal (a `>= 100%` threshold
///   that is not met, more conversions than dossiers available, `decision_766` or `late_share`
///   with converted dossiers, an overdue backlog that on-time dossiers cannot shrink);
/// - [`Error::Unknown`] for an unknown criterion id; [`Error::InvalidArgument`] for a date
///   outside the rubric or criterion range, a goal outside `0..=max`, a supplied-rate metric,
///   or a window missing from `inputs`.
///
/// # Example
/// ```
/// # #[cfg(feature = "formats")] {
/// use tthc_metrics::{recovery, Rubric, ScoreInputs, Tally, RecoveryOptions, RecoverySource, Error};
/// use chrono::NaiveDate;
/// let r = Rubric::preset("seed-district-2023").unwrap();
/// let d = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
/// // the seed: 4,596 unfinished, assumed within due
/// let t = Tally { on_time: 10_677, late: 662, within_due: 4_596, ..Tally::default() };
/// let converted = RecoveryOptions::default().source(RecoverySource::Converted);
/// let plan = recovery(&r, "tthc_on_time", &ScoreInputs::from(t), d, &converted).unwrap();
/// assert_eq!((plan.additional, plan.available), (1_901, Some(4_596)));
/// let few = Tally { within_due: 1_000, ..t };
/// let err = recovery(&r, "tthc_on_time", &ScoreInputs::from(few), d, &converted).unwrap_err();
/// assert_eq!(err.code(), "unreachable");
/// # }
/// ```
pub fn recovery(
    rubric: &Rubric,
    id: &str,
    inputs: &ScoreInputs,
    date: NaiveDate,
    options: &RecoveryOptions,
) -> Result<Recovery> {
    rubric.check_date(date)?;
    let c = rubric
        .criterion(id)
        .ok_or_else(|| rubric.unknown_criterion(id))?;
    if !c.effective.contains(date) {
        return Err(Error::InvalidArgument {
            name: "date",
            reason: format!(
                "criterion {id:?} is not in force on {date} (effective {})",
                c.effective
            ),
        });
    }
    let base = match &c.window {
        None => inputs.tally,
        Some(w) => *inputs
            .windows
            .get(w)
            .ok_or_else(|| Error::InvalidArgument {
                name: "inputs",
                reason: format!(
                    "criterion {id:?} reads the {w:?} window, which the inputs do not have"
                ),
            })?,
    };
    let kind = match &c.metric {
        Metric::OnTimeRate { .. }
        | Metric::LateRate { .. }
        | Metric::Satisfaction { .. }
        | Metric::OverdueBacklog => DossierKind::OnTime,
        Metric::OnlineShare { .. } => DossierKind::Online,
        Metric::Supplied { name, .. } => {
            return Err(Error::InvalidArgument {
                name: "criterion",
                reason: format!(
                    "criterion {id:?} reads the supplied rate {name:?}; recovery needs a metric of the tally"
                ),
            })
        }
    };
    let (from_value, from_points, _) = points_on(c, &base, inputs)?;
    let target = goal_points(c, from_points, options.goal)?;
    let source = options.source;
    let available = match source {
        RecoverySource::Added => None,
        RecoverySource::Converted => Some(convertible(&base, kind)),
    };
    let cap = available.unwrap_or_else(|| COUNT_LIMIT.saturating_sub(base.total()));
    let reaches = |x: u64| -> Result<bool> {
        let Some(t) = apply(&base, kind, source, x) else {
            return Ok(false);
        };
        match points_on(c, &t, inputs) {
            Ok((_, points, _)) => Ok(points >= target),
            // a decision_766 online share beyond 64-bit counts: treated as not reached
            Err(Error::InvalidArgument { .. }) => Ok(false),
            Err(e) => Err(e),
        }
    };
    let found = if matches!(c.metric, Metric::OverdueBacklog) {
        // on-time dossiers never change the overdue count: met now or never
        if reaches(0)? {
            Some(0)
        } else {
            None
        }
    } else {
        least(cap, reaches)?
    };
    let Some(additional) = found else {
        return Err(Error::Unreachable(unreachable_reason(
            c, &base, inputs, kind, source, available, target,
        )?));
    };
    let after = apply(&base, kind, source, additional).unwrap_or(base);
    let (to_value, to_points, reason) = points_on(c, &after, inputs)?;
    debug_assert!(to_points >= target);
    let blocked_by = {
        let s = score(rubric, inputs, date)?;
        c.depends_on
            .iter()
            .filter(|d| s.criterion(d).is_some_and(|r| !r.passed))
            .cloned()
            .collect::<Vec<_>>()
    };
    let mut summary = format!(
        "{additional} {}: {reason}; {} -> {} points",
        noun(kind, source),
        show(from_points),
        show(to_points)
    );
    if !blocked_by.is_empty() {
        let names: Vec<String> = blocked_by.iter().map(|d| format!("{d:?}")).collect();
        summary = format!("{summary}; still forfeited until {} pass", names.join(", "));
    }
    Ok(Recovery {
        criterion: c.id.clone(),
        kind,
        source,
        additional,
        available,
        from_value,
        to_value,
        from_points,
        target_points: target,
        to_points,
        blocked_by,
        summary,
    })
}

/// A projection over a window (e.g. the seed's peak month): the overdue unfinished dossiers are
/// assumed to finish late within the window, `arrivals_per_working_day × working_days` new
/// dossiers (rounded half away from zero) arrive unfinished within due (received at the counter,
/// eligible for online submission, synced), and the plan counts how many of the unfinished
/// within-due dossiers must finish on time (or how many eligible arrivals must come online).
///
/// `working_days` is given, not derived from the dates: build the projection with
/// [`Projection::on_calendar`] to count them on the working-day calendar (holidays and swapped
/// Saturdays matter), or give the count to [`Projection::new`]. The window's end is the scoring
/// date. Dossiers neither converted nor overdue are assumed still within due at the window's end
/// (the projection does not model new overdue dossiers). For an online criterion,
/// `arrivals_per_working_day` counts eligible arrivals.
///
/// # Example
/// ```
/// use tthc_metrics::{Projection, Period, RecoveryGoal};
/// use chrono::NaiveDate;
/// use rust_decimal::Decimal;
/// let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap();
/// let p = Projection::new(Period::new(d(10, 18), d(11, 18)).unwrap(), 23).unwrap()
///     .arrivals(Decimal::from(40)).goal(RecoveryGoal::FullPoints);
/// assert_eq!(p.working_days, 23);
/// assert!(Projection::new(Period::new(d(10, 18), d(10, 20)).unwrap(), 5).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct Projection {
    /// The window; its end is the scoring date.
    pub window: Period,
    /// Working days in the window (1 ≤ working days ≤ calendar days).
    pub working_days: u32,
    /// Expected new dossiers per working day (default 0).
    pub arrivals_per_working_day: Decimal,
    /// The goal (default [`RecoveryGoal::NextBand`]).
    pub goal: RecoveryGoal,
}

impl Projection {
    /// A projection over `window` with `working_days` working days, no arrivals, goal next band.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when `working_days` is 0 or exceeds the window's days.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Projection, Period};
    /// use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 10, 18).unwrap();
    /// assert!(Projection::new(Period::day(d), 0).is_err());
    /// assert!(Projection::new(Period::day(d), 1).is_ok());
    /// ```
    pub fn new(window: Period, working_days: u32) -> Result<Self> {
        if working_days == 0 || working_days > window.days() {
            return Err(Error::InvalidArgument {
                name: "working_days",
                reason: format!(
                    "{working_days} working days in a window of {} days ({} to {})",
                    window.days(),
                    window.start(),
                    window.end()
                ),
            });
        }
        Ok(Self {
            window,
            working_days,
            arrivals_per_working_day: Decimal::ZERO,
            goal: RecoveryGoal::NextBand,
        })
    }

    /// A projection over `window` whose working days are counted on `calendar` (holidays,
    /// swapped Saturdays and all).
    ///
    /// # Errors
    /// [`Error::OutOfRange`] outside the calendar's range; [`Error::InvalidArgument`] for a window
    /// without a working day.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Calendar, Period, Projection};
    /// use chrono::NaiveDate;
    /// let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap();
    /// // the seed's peak month, 18/10 - 18/11/2023: no holiday falls in it
    /// let peak = Period::new(d(10, 18), d(11, 18)).unwrap();
    /// assert_eq!(Projection::on_calendar(peak, &Calendar::vietnam()).unwrap().working_days, 23);
    /// ```
    pub fn on_calendar(window: Period, calendar: &Calendar) -> Result<Self> {
        let after = window
            .end()
            .succ_opt()
            .ok_or_else(|| Error::InvalidArgument {
                name: "window",
                reason: format!("{} has no following day", window.end()),
            })?;
        let days = calendar.working_days_between(window.start(), after)?;
        Self::new(window, u32::try_from(days).unwrap_or(0))
    }

    /// Sets the expected arrivals per working day (validated by [`project`]: 0 to 10^9).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Projection, Period};
    /// use chrono::NaiveDate;
    /// use rust_decimal::Decimal;
    /// let p = Projection::new(Period::day(NaiveDate::from_ymd_opt(2023, 10, 18).unwrap()), 1).unwrap();
    /// assert_eq!(p.arrivals(Decimal::new(25, 1)).arrivals_per_working_day, Decimal::new(25, 1));
    /// ```
    #[must_use]
    pub fn arrivals(mut self, per_working_day: Decimal) -> Self {
        self.arrivals_per_working_day = per_working_day;
        self
    }

    /// Sets the goal.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Projection, Period, RecoveryGoal};
    /// use chrono::NaiveDate;
    /// let p = Projection::new(Period::day(NaiveDate::from_ymd_opt(2023, 10, 18).unwrap()), 1).unwrap();
    /// assert_eq!(p.goal(RecoveryGoal::FullPoints).goal, RecoveryGoal::FullPoints);
    /// ```
    #[must_use]
    pub fn goal(mut self, goal: RecoveryGoal) -> Self {
        self.goal = goal;
        self
    }
}

/// The result of [`project`].
///
/// # Example
/// ```
/// # #[cfg(feature = "formats")] {
/// use tthc_metrics::{project, Projection, Period, Rubric, ScoreInputs, Tally};
/// use chrono::NaiveDate;
/// let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap();
/// let r = Rubric::preset("seed-district-2023").unwrap();
/// // the seed on 16/10, with 100 of the 4,596 unfinished dossiers already overdue
/// let t = Tally { on_time: 10_677, late: 662, within_due: 4_496, overdue: 100, ..Tally::default() };
/// let peak = Projection::new(Period::new(d(10, 18), d(11, 18)).unwrap(), 23).unwrap();
/// let p = project(&r, "tthc_on_time", &ScoreInputs::from(t), &peak).unwrap();
/// assert_eq!(p.baseline.late, 762);
/// assert_eq!(p.recovery.additional, 19 * 762 - 10_677); // 3,801: on time >= 19 x late
/// assert_eq!(p.per_working_day, 166); // ceil(3,801 / 23)
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Projected {
    /// The window.
    pub window: Period,
    /// Its working days.
    pub working_days: u32,
    /// New dossiers assumed to arrive in the window.
    pub arrivals: u64,
    /// The tally assumed at the window's end before any recovery: overdue moved to late,
    /// arrivals added within due.
    pub baseline: Tally,
    /// The plan from that baseline ([`RecoverySource::Converted`]).
    pub recovery: Recovery,
    /// `recovery.additional` per working day, rounded up.
    pub per_working_day: u64,
}

/// Projects criterion `id` over `projection.window` (see [`Projection`]) and plans its recovery.
///
/// # Errors
/// As [`recovery`]; [`Error::InvalidArgument`] for arrivals outside 0 to 10^9 per day.
///
/// # Example
/// ```
/// # #[cfg(feature = "formats")] {
/// use tthc_metrics::{project, Projection, Period, Rubric, ScoreInputs, Tally};
/// use chrono::NaiveDate;
/// use rust_decimal::Decimal;
/// let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap();
/// let r = Rubric::preset("seed-district-2023").unwrap();
/// // the peak month starts empty; 10 eligible arrivals a day over 23 working days
/// let inputs = ScoreInputs::default().with_window("peak_month", Tally::default());
/// let peak = Projection::new(Period::new(d(10, 18), d(11, 18)).unwrap(), 23).unwrap().arrivals(Decimal::from(10));
/// let p = project(&r, "online_peak_month", &inputs, &peak).unwrap();
/// assert_eq!(p.arrivals, 230);
/// assert_eq!(p.recovery.additional, 162); // 162 / 230 = 70.43% > 70%; 161 / 230 = 70.00%
/// # }
/// ```
pub fn project(
    rubric: &Rubric,
    id: &str,
    inputs: &ScoreInputs,
    projection: &Projection,
) -> Result<Projected> {
    let per_day = projection.arrivals_per_working_day;
    if per_day.is_sign_negative() && !per_day.is_zero() || per_day > Decimal::from(1_000_000_000) {
        return Err(Error::InvalidArgument {
            name: "arrivals_per_working_day",
            reason: format!("{} is outside 0 to 1,000,000,000", show(per_day)),
        });
    }
    let date = projection.window.end();
    rubric.check_date(date)?;
    let c = rubric
        .criterion(id)
        .ok_or_else(|| rubric.unknown_criterion(id))?;
    let arrivals = (per_day * Decimal::from(projection.working_days))
        .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_u64()
        .unwrap_or(0);
    let mut projected = inputs.clone();
    let slot = match &c.window {
        None => &mut projected.tally,
        Some(w) => projected
            .windows
            .get_mut(w)
            .ok_or_else(|| Error::InvalidArgument {
                name: "inputs",
                reason: format!(
                    "criterion {id:?} reads the {w:?} window, which the inputs do not have"
                ),
            })?,
    };
    let too_big = || Error::InvalidArgument {
        name: "tally",
        reason: "counts too large to project".into(),
    };
    let mut t = *slot;
    t.late = t.late.checked_add(t.overdue).ok_or_else(too_big)?;
    t.overdue = 0;
    for field in [
        &mut t.within_due,
        &mut t.received_direct,
        &mut t.eligible,
        &mut t.synced,
    ] {
        *field = field
            .checked_add(arrivals)
            .filter(|v| *v < COUNT_LIMIT)
            .ok_or_else(too_big)?;
    }
    *slot = t;
    let options = RecoveryOptions {
        goal: projection.goal,
        source: RecoverySource::Converted,
    };
    let plan = recovery(rubric, id, &projected, date, &options)?;
    let per_working_day = plan.additional.div_ceil(u64::from(projection.working_days));
    Ok(Projected {
        window: projection.window,
        working_days: projection.working_days,
        arrivals,
        baseline: t,
        recovery: plan,
        per_working_day,
    })
}

/// The value and points the criterion's metric earns on `tally` (no data by its rule).
fn points_on(
    c: &Criterion,
    tally: &Tally,
    inputs: &ScoreInputs,
) -> Result<(Option<MetricValue>, Decimal, String)> {
    Ok(match measure(&c.metric, tally, inputs)? {
        Measure::Value(v) => {
            let own = own_points(c, &v)?;
            (Some(v), own.points, own.reason)
        }
        Measure::NoData(reason) => (None, no_data_points(c).0, reason),
    })
}

fn goal_points(c: &Criterion, current: Decimal, goal: RecoveryGoal) -> Result<Decimal> {
    Ok(match goal {
        RecoveryGoal::FullPoints => c.max,
        RecoveryGoal::Points(p) => {
            if p.is_sign_negative() && !p.is_zero() || p > c.max {
                return Err(Error::InvalidArgument {
                    name: "goal",
                    reason: format!(
                        "{} points is outside 0 to the criterion's max {}",
                        show(p),
                        show(c.max)
                    ),
                });
            }
            p
        }
        RecoveryGoal::NextBand => {
            if current >= c.max {
                c.max
            } else {
                match &c.rule {
                    Rule::Threshold { .. } => c.max,
                    Rule::Bands { bands, .. } => bands
                        .iter()
                        .rev()
                        .map(|b| b.points)
                        .find(|p| *p > current)
                        .unwrap_or(c.max),
                    Rule::LinearCapped { dp, .. } => (current + Decimal::new(1, *dp)).min(c.max),
                }
            }
        }
    })
}

/// How many dossiers [`RecoverySource::Converted`] can change.
fn convertible(t: &Tally, kind: DossierKind) -> u64 {
    match kind {
        DossierKind::OnTime => t.within_due,
        DossierKind::Online => t
            .eligible
            .saturating_sub(t.eligible_online)
            .min(t.received_direct.saturating_add(t.received_post)),
    }
}

/// `t` with `x` more dossiers of `kind` from `source`; `None` past the limits.
fn apply(t: &Tally, kind: DossierKind, source: RecoverySource, x: u64) -> Option<Tally> {
    let mut t = *t;
    let add = |v: u64| v.checked_add(x).filter(|s| *s < COUNT_LIMIT);
    match (kind, source) {
        (DossierKind::OnTime, RecoverySource::Added) => t.on_time = add(t.on_time)?,
        (DossierKind::OnTime, RecoverySource::Converted) => {
            t.within_due = t.within_due.checked_sub(x)?;
            t.on_time = add(t.on_time)?;
        }
        (DossierKind::Online, RecoverySource::Added) => {
            t.received_online = add(t.received_online)?;
            t.eligible = add(t.eligible)?;
            t.eligible_online = add(t.eligible_online)?;
            t.full_process_online = add(t.full_process_online)?;
            t.synced = add(t.synced)?;
            t.within_due = add(t.within_due)?;
        }
        (DossierKind::Online, RecoverySource::Converted) => {
            if x > convertible(&t, kind) {
                return None;
            }
            let from_direct = x.min(t.received_direct);
            t.received_direct -= from_direct;
            t.received_post -= x - from_direct;
            t.received_online = add(t.received_online)?;
            t.eligible_online = add(t.eligible_online)?;
            t.full_process_online = add(t.full_process_online)?;
        }
    }
    Some(t)
}

/// The least `x` in `0..=cap` with `pred(x)`, for a predicate monotone in `x` (false then true):
/// doubling to bracket, then bisection; `x - 1` is always checked false.
pub(crate) fn least(cap: u64, mut pred: impl FnMut(u64) -> Result<bool>) -> Result<Option<u64>> {
    if pred(0)? {
        return Ok(Some(0));
    }
    let mut lo = 0u64; // pred(lo) is false
    let mut hi = 1u64;
    loop {
        if hi > cap {
            if lo == cap {
                return Ok(None);
            }
            hi = cap;
        }
        if pred(hi)? {
            break;
        }
        if hi == cap {
            return Ok(None);
        }
        lo = hi;
        hi = hi.saturating_mul(2);
    }
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if pred(mid)? {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    Ok(Some(hi))
}

fn noun(kind: DossierKind, source: RecoverySource) -> &'static str {
    match (kind, source) {
        (DossierKind::OnTime, RecoverySource::Added) => "more on-time dossiers",
        (DossierKind::OnTime, RecoverySource::Converted) => {
            "unfinished within-due dossiers finished on time"
        }
        (DossierKind::Online, RecoverySource::Added) => "more online dossiers",
        (DossierKind::Online, RecoverySource::Converted) => {
            "eligible dossiers submitted online instead of at the counter or by post"
        }
    }
}

fn unreachable_reason(
    c: &Criterion,
    base: &Tally,
    inputs: &ScoreInputs,
    kind: DossierKind,
    source: RecoverySource,
    available: Option<u64>,
    target: Decimal,
) -> Result<String> {
    let head = format!("criterion {:?} cannot reach {} points", c.id, show(target));
    if matches!(c.metric, Metric::OverdueBacklog) {
        return Ok(format!(
            "{head}: the overdue backlog only shrinks when overdue dossiers finish (late); on-time dossiers do not change it"
        ));
    }
    if let (RecoverySource::Converted, Some(n)) = (source, available) {
        let best = apply(base, kind, source, n).unwrap_or(*base);
        let (_, points, reason) = points_on(c, &best, inputs)?;
        let mut msg = format!(
            "{head}: all {n} {} give only {} points ({reason})",
            noun(kind, source),
            show(points)
        );
        if let Metric::OnTimeRate { policy }
        | Metric::LateRate { policy }
        | Metric::Satisfaction { policy } = &c.metric
        {
            if kind == DossierKind::OnTime
                && matches!(policy, OnTimePolicy::Decision766 | OnTimePolicy::LateShare)
            {
                msg = format!(
                    "{msg}; under {} a within-due dossier already counts as good, so finishing it on time changes nothing",
                    policy.name()
                );
            }
        }
        return Ok(msg);
    }
    let limit = if c.metric.better() == Better::Higher {
        "100%"
    } else {
        "0%"
    };
    Ok(format!(
        "{head}: with more {}, the {} only approaches {limit} and never meets the rule",
        noun(kind, source).trim_start_matches("more "),
        c.metric.label()
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn least_finds_the_first_true() {
        for cap in [0u64, 1, 2, 7, 100, 1 << 40] {
            for k in [0u64, 1, 2, 3, 50, 99, 100, 1 << 35] {
                let got = least(cap, |x| Ok(x >= k)).unwrap();
                assert_eq!(got, (k <= cap).then_some(k), "cap {cap}, k {k}");
            }
        }
    }

    #[test]
    fn apply_respects_capacity() {
        let t = Tally {
            within_due: 3,
            eligible: 5,
            eligible_online: 1,
            received_direct: 2,
            received_post: 1,
            received_online: 1,
            ..Tally::default()
        };
        assert!(apply(&t, DossierKind::OnTime, RecoverySource::Converted, 4).is_none());
        assert_eq!(convertible(&t, DossierKind::Online), 3);
        let c = apply(&t, DossierKind::Online, RecoverySource::Converted, 3).unwrap();
        assert_eq!(
            (
                c.received_direct,
                c.received_post,
                c.received_online,
                c.eligible_online
            ),
            (0, 0, 4, 4)
        );
        assert_eq!(c.received(), t.received());
    }
}
