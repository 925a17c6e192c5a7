//! Scoring a tally (or per-unit tallies) under a rubric: points earned, lost, and why.

use std::cmp::Ordering;
use std::collections::{BTreeMap, HashMap};

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use super::rubric::{show, Criterion, EdgeOp, Metric, NoDataRule, Rubric, Rule};
use crate::error::{Error, Result};
use crate::names::name_key;
use crate::rate::{Compare, OnTimePolicy, Rate, Rounding, Threshold, ThresholdOp};
use crate::tally::Tally;

/// What a score is computed from: the main tally, named window tallies, and the inputs a tally
/// does not hold.
///
/// - `windows`: tallies of other windows that some criteria read (`window = "peak_month"`):
///   the seed measures on-time resolution year to date but the online share in the peak month.
/// - `complaints`: for the satisfaction metric, the number of dossiers with a complaint or a
///   dissatisfied rating that are **not** already late or overdue (Decision 766 subtracts both
///   from the same dossier count, so a late dossier with a complaint must be counted once).
///   `None` is *no data* for a satisfaction criterion, never a silent 0.
/// - `supplied`: rates the caller measures elsewhere, read by `supplied` metrics by name.
///
/// # Example
/// ```
/// use tthc_metrics::{ScoreInputs, Tally, Rate};
/// let inputs = ScoreInputs::from(Tally { on_time: 10_677, late: 662, ..Tally::default() })
///     .with_window("peak_month", Tally { eligible: 100, eligible_online: 71, ..Tally::default() })
///     .with_complaints(0)
///     .with_supplied("sync", Rate::new(99, 100).unwrap());
/// assert_eq!(inputs.windows["peak_month"].eligible_online, 71);
/// assert_eq!(inputs.complaints, Some(0));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct ScoreInputs {
    /// The main tally (criteria without a `window`).
    pub tally: Tally,
    /// Tallies of named windows.
    pub windows: BTreeMap<String, Tally>,
    /// Dossiers with a complaint or dissatisfied rating, not already late or overdue.
    pub complaints: Option<u64>,
    /// Caller-supplied rates by name.
    pub supplied: BTreeMap<String, Rate>,
}

impl From<Tally> for ScoreInputs {
    fn from(tally: Tally) -> Self {
        Self {
            tally,
            ..Self::default()
        }
    }
}

impl ScoreInputs {
    /// Inputs with only a main tally.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{ScoreInputs, Tally};
    /// assert!(ScoreInputs::new(Tally::default()).windows.is_empty());
    /// ```
    pub fn new(tally: Tally) -> Self {
        Self::from(tally)
    }

    /// Adds (or replaces) a named window's tally.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{ScoreInputs, Tally};
    /// let i = ScoreInputs::default().with_window("peak_month", Tally::default());
    /// assert!(i.windows.contains_key("peak_month"));
    /// ```
    #[must_use]
    pub fn with_window(mut self, name: impl Into<String>, tally: Tally) -> Self {
        self.windows.insert(name.into(), tally);
        self
    }

    /// Sets the complaint count of the satisfaction metric.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::ScoreInputs::default().with_complaints(3).complaints, Some(3));
    /// ```
    #[must_use]
    pub fn with_complaints(mut self, complaints: u64) -> Self {
        self.complaints = Some(complaints);
        self
    }

    /// Adds (or replaces) a supplied rate.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{ScoreInputs, Rate};
    /// let i = ScoreInputs::default().with_supplied("digitised", Rate::new(1, 2).unwrap());
    /// assert_eq!(i.supplied["digitised"].denominator(), 2);
    /// ```
    #[must_use]
    pub fn with_supplied(mut self, name: impl Into<String>, rate: Rate) -> Self {
        self.supplied.insert(name.into(), rate);
        self
    }
}

/// The measured value of a metric: an exact rate or a count of dossiers.
///
/// # Example
/// ```
/// use tthc_metrics::{MetricValue, Rate};
/// let v = MetricValue::Rate(Rate::new(1, 4).unwrap());
/// assert_eq!(v.rate().unwrap().numerator(), 1);
/// assert_eq!(MetricValue::Count(7).count(), Some(7));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MetricValue {
    /// A rate (on-time, late, online, satisfaction, supplied).
    Rate(Rate),
    /// A count (overdue backlog).
    Count(u64),
}

impl MetricValue {
    /// The rate, if this is one.
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::MetricValue::Count(1).rate().is_none());
    /// ```
    pub fn rate(&self) -> Option<Rate> {
        match self {
            MetricValue::Rate(r) => Some(*r),
            MetricValue::Count(_) => None,
        }
    }

    /// The count, if this is one.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{MetricValue, Rate};
    /// assert!(MetricValue::Rate(Rate::new(1, 1).unwrap()).count().is_none());
    /// ```
    pub fn count(&self) -> Option<u64> {
        match self {
            MetricValue::Count(n) => Some(*n),
            MetricValue::Rate(_) => None,
        }
    }
}

/// How a criterion came out.
///
/// # Example
/// ```
/// use tthc_metrics::CriterionStatus;
/// assert_eq!(serde_json::to_string(&CriterionStatus::NotInForce).unwrap(), "\"not_in_force\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum CriterionStatus {
    /// Earned its maximum.
    Full,
    /// Earned some points, not all.
    Partial,
    /// Earned 0 on its own metric.
    Failed,
    /// Its metric earned points, but a criterion it depends on failed: it earns 0.
    Forfeited,
    /// Its metric had no data; `on_no_data` decided the points.
    NoData,
    /// Not in force on the scoring date: not counted.
    NotInForce,
}

/// One criterion's result.
///
/// # Example
/// ```
/// # #[cfg(feature = "formats")] {
/// use tthc_metrics::{score, Rubric, ScoreInputs, Tally, CriterionStatus};
/// use chrono::NaiveDate;
/// let r = Rubric::preset("seed-district-2023").unwrap();
/// let t = Tally { on_time: 10_677, late: 662, ..Tally::default() };
/// let s = score(&r, &ScoreInputs::from(t), NaiveDate::from_ymd_opt(2023, 10, 16).unwrap()).unwrap();
/// let c = s.criterion("tthc_on_time").unwrap();
/// assert_eq!(c.status, CriterionStatus::Failed);
/// assert!(c.reason.starts_with("on-time 94.16% < 95%"), "{}", c.reason);
/// let dep = s.criterion("tthc_overdue_backlog").unwrap();
/// assert_eq!((dep.status, dep.own_points.to_string().as_str()), (CriterionStatus::Forfeited, "1"));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct CriterionScore {
    /// The criterion's id.
    pub id: String,
    /// Its title (or id).
    pub title: String,
    /// What was measured (with its policy).
    pub metric: Metric,
    /// The measured value; `None` with no data or when not in force.
    pub value: Option<MetricValue>,
    /// How it came out.
    pub status: CriterionStatus,
    /// Whether it passes for its dependents.
    pub passed: bool,
    /// Whether it counts in the totals (`false` when excluded or not in force).
    pub counted: bool,
    /// Points earned (after dependencies).
    pub earned: Decimal,
    /// Points at stake (the criterion's max; 0 when not counted).
    pub max: Decimal,
    /// `max - earned`.
    pub lost: Decimal,
    /// Points the metric alone earns, before dependencies.
    pub own_points: Decimal,
    /// For a bands rule, the index (0 = strictest) of the band reached.
    pub band: Option<usize>,
    /// The failed dependencies that forfeited its points.
    pub forfeited_by: Vec<String>,
    /// Why, in words: `on-time 94.16% < 95% (resolved_only, 10677/11339)`.
    pub reason: String,
}

/// A rubric's result for one tally.
///
/// # Example
/// ```
/// # #[cfg(feature = "formats")] {
/// use tthc_metrics::{score, Rubric, ScoreInputs, Tally};
/// use chrono::NaiveDate;
/// use rust_decimal::Decimal;
/// // the portal example of domain-rules section 7: 314,557 of 358,643 dossiers on time
/// let t = Tally { on_time: 314_557, late: 358_643 - 314_557, ..Tally::default() };
/// let r = Rubric::preset("decision-766-progress").unwrap();
/// let s = score(&r, &ScoreInputs::from(t).with_complaints(0), NaiveDate::from_ymd_opt(2023, 10, 16).unwrap()).unwrap();
/// assert_eq!(s.criterion("progress").unwrap().earned, Decimal::new(1754, 2));
/// assert_eq!(s.max, Decimal::from(32));
/// assert_eq!(s.earned + s.lost, s.max);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Score {
    /// The rubric's name.
    pub rubric: String,
    /// The date scored.
    pub date: NaiveDate,
    /// Per criterion, in rubric order.
    pub criteria: Vec<CriterionScore>,
    /// Total earned.
    pub earned: Decimal,
    /// Total at stake (counted criteria).
    pub max: Decimal,
    /// `max - earned`.
    pub lost: Decimal,
}

impl Score {
    /// The result of one criterion.
    ///
    /// # Example
    /// ```
    /// # #[cfg(feature = "formats")] {
    /// use tthc_metrics::{score, Rubric, ScoreInputs, Tally};
    /// use chrono::NaiveDate;
    /// let r = Rubric::preset("seed-district-2023").unwrap();
    /// let s = score(&r, &ScoreInputs::default(), NaiveDate::from_ymd_opt(2023, 6, 1).unwrap()).unwrap();
    /// assert!(s.criterion("online_peak_month").unwrap().reason.contains("peak_month"));
    /// assert!(s.criterion("nope").is_none());
    /// # }
    /// ```
    pub fn criterion(&self, id: &str) -> Option<&CriterionScore> {
        self.criteria.iter().find(|c| c.id == id)
    }
}

/// One unit's place in a ranking.
///
/// # Example
/// ```
/// # #[cfg(feature = "formats")] {
/// use tthc_metrics::{score_units, Rubric, ScoreInputs, Tally};
/// use chrono::NaiveDate;
/// let r = Rubric::preset("seed-district-2023").unwrap();
/// let t = |on_time, late| ScoreInputs::from(Tally { on_time, late, ..Tally::default() });
/// let ranked = score_units(&r, &[("UBND xã Đắk Sôr", t(90, 10)), ("UBND xã Đức Xuyên", t(99, 1))],
///                          NaiveDate::from_ymd_opt(2023, 10, 16).unwrap()).unwrap();
/// assert_eq!(ranked[0].label, "UBND xã Đức Xuyên");
/// assert_eq!((ranked[0].rank, ranked[1].rank), (1, 2));
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct UnitScore {
    /// Position after tie-breaks (1 = best); every unit has its own.
    pub rank: usize,
    /// Competition rank on points alone (equal points share a rank: 1, 2, 2, 4).
    pub points_rank: usize,
    /// The unit's label as given.
    pub label: String,
    /// The on-time rate used to break ties (`None`: no data).
    pub tie_rate: Option<Rate>,
    /// The unit's score.
    pub score: Score,
}

/// Scores `inputs` under `rubric` on `date`.
///
/// Criteria are evaluated dependencies first: a criterion whose dependency failed earns 0
/// ([`CriterionStatus::Forfeited`]), transitively. See the module decisions for no data and pass marks.
///
/// # Errors
/// [`Error::InvalidArgument`] when `date` is outside the rubric's effective range;
/// [`Error::InvalidArgument`] when a `decision_766` online share does not fit in 64 bits.
///
/// # Example
/// ```
/// # #[cfg(feature = "formats")] {
/// use tthc_metrics::{score, Rubric, ScoreInputs, Tally, CriterionStatus};
/// use chrono::NaiveDate;
/// use rust_decimal::Decimal;
/// let r = Rubric::preset("seed-district-2023").unwrap();
/// let d = NaiveDate::from_ymd_opt(2023, 11, 18).unwrap();
/// let inputs = ScoreInputs::from(Tally { on_time: 12_578, late: 662, ..Tally::default() })
///     .with_window("peak_month", Tally { eligible: 200, eligible_online: 141, ..Tally::default() });
/// let s = score(&r, &inputs, d).unwrap();
/// assert_eq!((s.earned, s.max), (Decimal::from(3), Decimal::from(3)));
/// assert!(score(&r, &inputs, NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()).is_err());
/// # }
/// ```
pub fn score(rubric: &Rubric, inputs: &ScoreInputs, date: NaiveDate) -> Result<Score> {
    rubric.check_date(date)?;
    let criteria = evaluate(rubric, inputs, date)?;
    let earned = criteria.iter().map(|c| c.earned).sum();
    let max = criteria.iter().map(|c| c.max).sum();
    Ok(Score {
        rubric: rubric.name().to_owned(),
        date,
        criteria,
        earned,
        max,
        lost: max - earned,
    })
}

/// Scores several units and ranks them.
///
/// Ranking rule (a total order): total earned points, higher first; then the exact on-time rate
/// of the rubric's first on-time criterion in force (its policy and window; `resolved_only` on
/// the main tally if the rubric has none), higher first, units without data last; then the
/// unit's [`name_key`](crate::name_key) ascending. Labels that share a `name_key` are rejected.
///
/// # Errors
/// As [`score`]; [`Error::InvalidArgument`] for two labels naming the same unit.
///
/// # Example
/// ```
/// # #[cfg(feature = "formats")] {
/// use tthc_metrics::{score_units, Rubric, ScoreInputs, Tally};
/// use chrono::NaiveDate;
/// let r = Rubric::preset("seed-district-2023").unwrap();
/// let d = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
/// let t = |on_time, late| ScoreInputs::from(Tally { on_time, late, ..Tally::default() });
/// // both fail the 95% threshold (equal points); the higher on-time rate ranks first
/// let ranked = score_units(&r, &[("B", t(90, 10)), ("A", t(80, 20))], d).unwrap();
/// assert_eq!(ranked.iter().map(|u| (u.label.as_str(), u.rank, u.points_rank)).collect::<Vec<_>>(),
///            [("B", 1, 1), ("A", 2, 1)]);
/// assert!(score_units(&r, &[("A", t(1, 0)), (" a ", t(1, 0))], d).is_err());
/// # }
/// ```
pub fn score_units<S: AsRef<str>>(
    rubric: &Rubric,
    units: &[(S, ScoreInputs)],
    date: NaiveDate,
) -> Result<Vec<UnitScore>> {
    rubric.check_date(date)?;
    let mut seen: HashMap<String, &str> = HashMap::with_capacity(units.len());
    for (label, _) in units {
        let label = label.as_ref();
        if let Some(other) = seen.insert(name_key(label), label) {
            return Err(Error::InvalidArgument {
                name: "units",
                reason: format!("labels {other:?} and {label:?} name the same unit"),
            });
        }
    }
    let tie = rubric
        .criteria()
        .iter()
        .find(|c| matches!(c.metric, Metric::OnTimeRate { .. }) && c.effective.contains(date));
    let mut scored = Vec::with_capacity(units.len());
    for (label, inputs) in units {
        let s = score(rubric, inputs, date)?;
        let tie_rate = match tie {
            Some(
                c @ Criterion {
                    metric: Metric::OnTimeRate { policy },
                    ..
                },
            ) => tally_of(c, inputs)
                .ok()
                .and_then(|t| t.on_time_rate(*policy).ok()),
            _ => inputs.tally.on_time_rate(OnTimePolicy::ResolvedOnly).ok(),
        };
        scored.push((
            name_key(label.as_ref()),
            label.as_ref().to_owned(),
            tie_rate,
            s,
        ));
    }
    scored.sort_by(|a, b| {
        b.3.earned
            .cmp(&a.3.earned)
            .then_with(|| match (a.2, b.2) {
                (Some(x), Some(y)) => y.cmp(&x),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            })
            .then_with(|| a.0.cmp(&b.0))
    });
    let earned: Vec<Decimal> = scored.iter().map(|s| s.3.earned).collect();
    Ok(scored
        .into_iter()
        .enumerate()
        .map(|(i, (_, label, tie_rate, score))| UnitScore {
            rank: i + 1,
            points_rank: 1 + earned.iter().filter(|e| **e > score.earned).count(),
            label,
            tie_rate,
            score,
        })
        .collect())
}

/// A metric's measurement, or why there is none.
pub(super) enum Measure {
    Value(MetricValue),
    NoData(String),
}

/// The tally a criterion reads, or the no-data reason.
pub(super) fn tally_of<'a>(
    c: &Criterion,
    inputs: &'a ScoreInputs,
) -> std::result::Result<&'a Tally, String> {
    match &c.window {
        None => Ok(&inputs.tally),
        Some(w) => inputs
            .windows
            .get(w)
            .ok_or_else(|| format!("no data: the inputs have no {w:?} window")),
    }
}

/// Measures `metric` on `tally`; zero denominators and missing inputs are [`Measure::NoData`].
pub(super) fn measure(metric: &Metric, tally: &Tally, inputs: &ScoreInputs) -> Result<Measure> {
    fn rate(r: Result<Rate>) -> Result<Measure> {
        match r {
            Ok(r) => Ok(Measure::Value(MetricValue::Rate(r))),
            Err(e @ Error::NoData { .. }) => Ok(Measure::NoData(e.to_string())),
            Err(e) => Err(e),
        }
    }
    match metric {
        Metric::OnTimeRate { policy } => rate(tally.on_time_rate(*policy)),
        Metric::LateRate { policy } => rate(tally.late_rate(*policy)),
        Metric::OnlineShare { policy } => rate(tally.online_share(*policy)),
        Metric::Satisfaction { policy } => {
            let late = match tally.late_rate(*policy) {
                Ok(r) => r,
                Err(e @ Error::NoData { .. }) => return Ok(Measure::NoData(e.to_string())),
                Err(e) => return Err(e),
            };
            let Some(complaints) = inputs.complaints else {
                return Ok(Measure::NoData(
                    "no data: no complaint count was supplied for the satisfaction rate".into(),
                ));
            };
            let d = late.denominator();
            let good = d.saturating_sub(late.numerator().saturating_add(complaints));
            rate(Rate::new(good, d))
        }
        Metric::OverdueBacklog => Ok(Measure::Value(MetricValue::Count(tally.overdue))),
        Metric::Supplied { name, .. } => Ok(inputs.supplied.get(name).map_or_else(
            || Measure::NoData(format!("no data: no supplied rate {name:?}")),
            |r| Measure::Value(MetricValue::Rate(*r)),
        )),
    }
}

/// Measures the criterion on its own tally.
pub(super) fn measure_criterion(c: &Criterion, inputs: &ScoreInputs) -> Result<Measure> {
    match tally_of(c, inputs) {
        Ok(t) => measure(&c.metric, t, inputs),
        Err(reason) => Ok(Measure::NoData(reason)),
    }
}

/// What a criterion's metric alone earns.
pub(super) struct Own {
    pub(super) points: Decimal,
    pub(super) band: Option<usize>,
    pub(super) reason: String,
}

/// Whether `value op edge` holds, with the rate comparison of [`Rate::meets`].
fn edge_met(value: &MetricValue, op: EdgeOp, edge: Decimal, compare: Compare) -> bool {
    match value {
        MetricValue::Rate(r) => {
            let t = |op| Threshold {
                percent: edge,
                op,
                compare,
            };
            match op {
                EdgeOp::AtLeast => r.meets(&t(ThresholdOp::AtLeast)),
                EdgeOp::Above => r.meets(&t(ThresholdOp::Above)),
                // x <= e  <=>  not (x > e); x < e  <=>  not (x >= e): on the same (exact or
                // rounded) value, so the negation is exact
                EdgeOp::AtMost => !r.meets(&t(ThresholdOp::Above)),
                EdgeOp::Below => !r.meets(&t(ThresholdOp::AtLeast)),
            }
        }
        MetricValue::Count(n) => {
            let ord = Decimal::from(*n).cmp(&edge);
            match op {
                EdgeOp::AtLeast => ord != Ordering::Less,
                EdgeOp::Above => ord == Ordering::Greater,
                EdgeOp::AtMost => ord != Ordering::Greater,
                EdgeOp::Below => ord == Ordering::Less,
            }
        }
    }
}

fn rounding_name(r: Rounding) -> &'static str {
    match r {
        Rounding::HalfAwayFromZero => "half_away_from_zero",
        Rounding::HalfEven => "half_even",
        Rounding::HalfTowardZero => "half_toward_zero",
        Rounding::TowardZero => "toward_zero",
        Rounding::AwayFromZero => "away_from_zero",
    }
}

/// The value as compared with `edge`: the rounded percentage under a rounded comparison; else
/// 2 decimals, or more when 2 would print a value that seems to contradict the exact comparison
/// (94.996% is shown as 94.996%, not 95.00%).
fn shown(value: &MetricValue, edge: Decimal, compare: Compare) -> String {
    match value {
        MetricValue::Count(n) => n.to_string(),
        MetricValue::Rate(r) => match compare {
            Compare::Rounded { dp, rounding } => {
                format!("{}%", r.to_percent(dp, rounding.strategy()))
            }
            Compare::Exact => {
                let exact = r.cmp_percent(edge);
                let mut p = r.to_percent(2, RoundingStrategy::MidpointAwayFromZero);
                for dp in 3..=12 {
                    if p.cmp(&edge) == exact {
                        break;
                    }
                    p = r.to_percent(dp, RoundingStrategy::MidpointAwayFromZero);
                }
                format!("{p}%")
            }
        },
    }
}

/// `(resolved_only, 10677/11339)`, with the rounding when the comparison is rounded.
fn detail(metric: &Metric, value: &MetricValue, compare: Compare) -> String {
    let mut parts = Vec::new();
    if let Some(p) = metric.policy_name() {
        parts.push(p.to_owned());
    }
    if let MetricValue::Rate(r) = value {
        parts.push(format!("{}/{}", r.numerator(), r.denominator()));
        if let Compare::Rounded { dp, rounding } = compare {
            parts.push(format!(
                "exact {}%, rounded {} to {dp} dp",
                r.to_percent(4, RoundingStrategy::MidpointAwayFromZero),
                rounding_name(rounding)
            ));
        }
    }
    if parts.is_empty() {
        String::new()
    } else {
        format!(" ({})", parts.join(", "))
    }
}

fn unit(value: &MetricValue) -> &'static str {
    match value {
        MetricValue::Rate(_) => "%",
        MetricValue::Count(_) => "",
    }
}

/// `label value op edge` or its negation.
fn comparison(
    metric: &Metric,
    value: &MetricValue,
    op: EdgeOp,
    edge: Decimal,
    compare: Compare,
    met: bool,
) -> String {
    format!(
        "{} {} {} {}{}",
        metric.label(),
        shown(value, edge, compare),
        if met {
            op.symbol()
        } else {
            op.negated_symbol()
        },
        show(edge),
        unit(value)
    )
}

/// The points a criterion's metric earns on `value`, before dependencies.
pub(super) fn own_points(c: &Criterion, value: &MetricValue) -> Result<Own> {
    match &c.rule {
        Rule::Threshold {
            op,
            value: edge,
            compare,
        } => {
            let met = edge_met(value, *op, *edge, *compare);
            Ok(Own {
                points: if met { c.max } else { Decimal::ZERO },
                band: None,
                reason: format!(
                    "{}{}",
                    comparison(&c.metric, value, *op, *edge, *compare, met),
                    detail(&c.metric, value, *compare)
                ),
            })
        }
        Rule::Bands { compare, bands } => {
            let n = bands.len();
            let reached = bands
                .iter()
                .position(|b| edge_met(value, b.op, b.value, *compare));
            let (points, reason) = if let Some(i) = reached {
                let b = &bands[i];
                (
                    b.points,
                    format!(
                        "{}: band {} of {n}, {} of {} points",
                        comparison(&c.metric, value, b.op, b.value, *compare, true),
                        i + 1,
                        show(b.points),
                        show(c.max)
                    ),
                )
            } else {
                let b = &bands[n - 1];
                (
                    Decimal::ZERO,
                    format!(
                        "{}: no band reached",
                        comparison(&c.metric, value, b.op, b.value, *compare, false)
                    ),
                )
            };
            Ok(Own {
                points,
                band: reached,
                reason: format!("{reason}{}", detail(&c.metric, value, *compare)),
            })
        }
        Rule::LinearCapped {
            target,
            dp,
            rounding,
        } => {
            let Some(rate) = value.rate() else {
                return Err(Error::InvalidArgument {
                    name: "rubric",
                    reason: format!("criterion {:?}: linear scoring of a count", c.id),
                });
            };
            let (points, capped) =
                linear_points(c.max, rate, *target, *dp, *rounding).ok_or_else(|| {
                    Error::InvalidArgument {
                        name: "rubric",
                        reason: format!("criterion {:?}: points overflow", c.id),
                    }
                })?;
            let head = if capped {
                format!(
                    "{} {} >= target {}%: full {} points",
                    c.metric.label(),
                    shown(value, *target, Compare::Exact),
                    show(*target),
                    show(c.max)
                )
            } else {
                format!(
                    "{} {} of target {}%: {} of {} points",
                    c.metric.label(),
                    shown(value, *target, Compare::Exact),
                    show(*target),
                    points,
                    show(c.max)
                )
            };
            Ok(Own {
                points,
                band: None,
                reason: format!("{head}{}", detail(&c.metric, value, Compare::Exact)),
            })
        }
    }
}

/// `max × min(1, rate / target)` as one exact fraction, rounded once; `true` when capped.
///
/// With `rate = n/d`, `target = t/10^a` percent and `max = m/10^b`, the points are
/// `m · 100 · n · 10^a / (10^b · d · t)`. Validation bounds (`max ≤ 1000` with 4 decimals,
/// `target ≤ 100` with 4 decimals) keep every product within `u128`.
fn linear_points(
    max: Decimal,
    rate: Rate,
    target: Decimal,
    dp: u32,
    rounding: Rounding,
) -> Option<(Decimal, bool)> {
    let max = max.normalize();
    let target = target.normalize();
    let t = u128::try_from(target.mantissa()).ok()?;
    let m = u128::try_from(max.mantissa()).ok()?;
    let ratio_num = 100u128
        .checked_mul(u128::from(rate.numerator()))?
        .checked_mul(10u128.checked_pow(target.scale())?)?;
    let ratio_den = u128::from(rate.denominator()).checked_mul(t)?;
    if ratio_num >= ratio_den {
        return Some((max, true));
    }
    let num = m.checked_mul(ratio_num)?;
    let den = 10u128.checked_pow(max.scale())?.checked_mul(ratio_den)?;
    // validation keeps `max` on the rounding grid, so rounding never passes it; cap regardless
    Some((round_fraction(num, den, dp, rounding)?.min(max), false))
}

/// `num / den` rounded to `dp` decimals with `rounding`, by exact long division.
fn round_fraction(num: u128, den: u128, dp: u32, rounding: Rounding) -> Option<Decimal> {
    let mut q = num / den;
    let mut rem = num % den;
    for _ in 0..dp {
        rem = rem.checked_mul(10)?;
        q = q.checked_mul(10)?.checked_add(rem / den)?;
        rem %= den;
    }
    let twice = rem.checked_mul(2)?;
    let up = match rounding {
        Rounding::TowardZero => false,
        Rounding::AwayFromZero => rem != 0,
        Rounding::HalfAwayFromZero => twice >= den,
        Rounding::HalfTowardZero => twice > den,
        Rounding::HalfEven => twice > den || (twice == den && q % 2 == 1),
    };
    if up {
        q += 1;
    }
    Decimal::try_from_i128_with_scale(i128::try_from(q).ok()?, dp).ok()
}

/// What a criterion earns with no data, by its `on_no_data` rule: `(points, counted)`.
pub(super) fn no_data_points(c: &Criterion) -> (Decimal, bool) {
    match c.on_no_data {
        NoDataRule::Zero => (Decimal::ZERO, true),
        NoDataRule::Full => (c.max, true),
        NoDataRule::Exclude => (Decimal::ZERO, false),
    }
}

/// The points a criterion's metric alone earns on `inputs` (no data by its rule).
pub(super) fn own_on(c: &Criterion, inputs: &ScoreInputs) -> Result<(Option<MetricValue>, Own)> {
    Ok(match measure_criterion(c, inputs)? {
        Measure::Value(v) => (Some(v), own_points(c, &v)?),
        Measure::NoData(reason) => {
            let (points, counted) = no_data_points(c);
            let what = match (c.on_no_data, counted) {
                (NoDataRule::Full, _) => format!("earns the full {} points", show(c.max)),
                (_, false) => "not counted".to_owned(),
                _ => "earns 0".to_owned(),
            };
            (
                None,
                Own {
                    points,
                    band: None,
                    reason: format!("{reason}; {what}"),
                },
            )
        }
    })
}

fn passes(c: &Criterion, earned: Decimal) -> bool {
    c.pass_mark
        .map_or(earned > Decimal::ZERO, |pm| earned >= pm)
}

/// Evaluates every criterion, dependencies first; returns them in rubric order.
fn evaluate(rubric: &Rubric, inputs: &ScoreInputs, date: NaiveDate) -> Result<Vec<CriterionScore>> {
    let criteria = rubric.criteria();
    let mut out: Vec<Option<CriterionScore>> = vec![None; criteria.len()];
    for &i in rubric.order() {
        let c = &criteria[i];
        let mut s = CriterionScore {
            id: c.id.clone(),
            title: c.display_name().to_owned(),
            metric: c.metric.clone(),
            value: None,
            status: CriterionStatus::NotInForce,
            passed: true,
            counted: false,
            earned: Decimal::ZERO,
            max: Decimal::ZERO,
            lost: Decimal::ZERO,
            own_points: Decimal::ZERO,
            band: None,
            forfeited_by: Vec::new(),
            reason: format!("not in force on {date} (effective {})", c.effective),
        };
        if c.effective.contains(date) {
            let (value, own) = own_on(c, inputs)?;
            s.value = value;
            s.own_points = own.points;
            s.band = own.band;
            s.reason = own.reason;
            s.earned = own.points;
            if value.is_none() {
                let (_, counted) = no_data_points(c);
                s.status = CriterionStatus::NoData;
                s.counted = counted;
                s.passed = !counted || passes(c, own.points);
            } else {
                s.status = if own.points == c.max {
                    CriterionStatus::Full
                } else if own.points > Decimal::ZERO {
                    CriterionStatus::Partial
                } else {
                    CriterionStatus::Failed
                };
                s.counted = true;
                s.passed = passes(c, own.points);
            }
            if s.counted {
                s.max = c.max;
                let failed: Vec<String> = c
                    .depends_on
                    .iter()
                    .filter(|d| {
                        rubric
                            .index_of(d)
                            .and_then(|j| out[j].as_ref())
                            .is_some_and(|dep| !dep.passed)
                    })
                    .cloned()
                    .collect();
                if !failed.is_empty() {
                    s.passed = false;
                    if s.earned > Decimal::ZERO {
                        s.reason = format!(
                            "forfeited: depends on {}, which failed (own result: {})",
                            failed
                                .iter()
                                .map(|d| format!("{d:?}"))
                                .collect::<Vec<_>>()
                                .join(", "),
                            s.reason
                        );
                        s.status = CriterionStatus::Forfeited;
                        s.earned = Decimal::ZERO;
                        s.forfeited_by = failed;
                    }
                }
                s.lost = s.max - s.earned;
            }
        }
        out[i] = Some(s);
    }
    Ok(out.into_iter().flatten().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn linear_points_match_the_portal_example() {
        // domain-rules section 7: 314,557 / 358,643 x 20 = 17.54
        let r = Rate::new(314_557, 358_643).unwrap();
        let (p, capped) = linear_points(
            Decimal::from(20),
            r,
            Decimal::ONE_HUNDRED,
            2,
            Rounding::HalfAwayFromZero,
        )
        .unwrap();
        assert_eq!((p, capped), (Decimal::new(1754, 2), false));
        let (p, capped) = linear_points(
            Decimal::from(6),
            Rate::new(1, 2).unwrap(),
            Decimal::from(50),
            2,
            Rounding::HalfAwayFromZero,
        )
        .unwrap();
        assert_eq!((p, capped), (Decimal::from(6), true));
    }

    #[test]
    fn round_fraction_names_its_rounding() {
        // 1/8 = 0.125 at 2 dp
        let cases = [
            (Rounding::HalfAwayFromZero, 13),
            (Rounding::HalfEven, 12),
            (Rounding::HalfTowardZero, 12),
            (Rounding::TowardZero, 12),
            (Rounding::AwayFromZero, 13),
        ];
        for (r, want) in cases {
            assert_eq!(
                round_fraction(1, 8, 2, r),
                Some(Decimal::new(want, 2)),
                "{r:?}"
            );
        }
    }

    #[test]
    fn shown_never_contradicts_the_exact_comparison() {
        let r = MetricValue::Rate(Rate::new(94_996, 100_000).unwrap());
        assert_eq!(shown(&r, Decimal::from(95), Compare::Exact), "94.996%");
        let r = MetricValue::Rate(Rate::new(10_677, 11_339).unwrap());
        assert_eq!(shown(&r, Decimal::from(95), Compare::Exact), "94.16%");
    }

    #[test]
    fn lower_is_better_edges_negate_exactly() {
        let late = MetricValue::Rate(Rate::new(5, 100).unwrap());
        assert!(edge_met(
            &late,
            EdgeOp::AtMost,
            Decimal::from(5),
            Compare::Exact
        ));
        assert!(!edge_met(
            &late,
            EdgeOp::Below,
            Decimal::from(5),
            Compare::Exact
        ));
        let rounded = Compare::Rounded {
            dp: 0,
            rounding: Rounding::HalfAwayFromZero,
        };
        let late = MetricValue::Rate(Rate::new(54, 1000).unwrap()); // 5.4% -> 5
        assert!(edge_met(&late, EdgeOp::AtMost, Decimal::from(5), rounded));
        assert!(!edge_met(
            &late,
            EdgeOp::AtMost,
            Decimal::from(5),
            Compare::Exact
        ));
        assert!(edge_met(
            &MetricValue::Count(0),
            EdgeOp::AtMost,
            Decimal::ZERO,
            Compare::Exact
        ));
        assert!(!edge_met(
            &MetricValue::Count(1),
            EdgeOp::AtMost,
            Decimal::ZERO,
            Compare::Exact
        ));
    }
}
