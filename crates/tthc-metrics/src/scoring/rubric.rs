//! The rubric data model, its TOML/JSON forms, validation, and the shipped presets.

use std::collections::HashMap;
use std::fmt;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
#[cfg(feature = "formats")]
use serde_json::Value;

use crate::error::{Error, Result};
use crate::rate::{Compare, OnTimePolicy, OnlinePolicy, Rounding};

/// Largest `max` a criterion may have, in points.
const MAX_POINTS: u32 = 1000;
/// Most decimal places of points (`max`, band points, pass marks).
const POINT_DECIMALS: u32 = 4;
/// Most decimal places of an edge value or a linear target.
const EDGE_DECIMALS: u32 = 6;
/// Most decimal places of a rounded comparison or of linear-capped points.
const MAX_DP: u32 = 10;

/// The presets shipped with the crate: name and TOML text.
const PRESETS: [(&str, &str); 2] = [
    (
        "seed-district-2023",
        include_str!("../presets/seed-district-2023.toml"),
    ),
    (
        "decision-766-progress",
        include_str!("../presets/decision-766-progress.toml"),
    ),
];

const PRESET_NAMES: [&str; 2] = [PRESETS[0].0, PRESETS[1].0];

#[cfg(feature = "formats")]
const METRIC_KINDS: [&str; 6] = [
    "on_time_rate",
    "late_rate",
    "online_share",
    "satisfaction",
    "overdue_backlog",
    "supplied",
];

#[cfg(feature = "formats")]
const RULE_KINDS: [&str; 3] = ["linear_capped", "threshold", "bands"];

fn invalid(criterion: &str, reason: impl Into<String>) -> Error {
    Error::InvalidRubric {
        criterion: criterion.into(),
        reason: reason.into(),
    }
}

/// Decimal places of `d` once trailing zeros are dropped.
fn decimals(d: Decimal) -> u32 {
    d.normalize().scale()
}

/// `d` without trailing zeros, for messages (`95`, `94.5`).
pub(super) fn show(d: Decimal) -> String {
    d.normalize().to_string()
}

/// An inclusive date range in which a rubric or a criterion is in force; either end may be open.
///
/// # Example
/// ```
/// use tthc_metrics::Effective;
/// use chrono::NaiveDate;
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// let year = Effective::between(Some(d(2023, 1, 1)), Some(d(2023, 12, 31))).unwrap();
/// assert!(year.contains(d(2023, 10, 16)));
/// assert!(!year.contains(d(2024, 1, 1)));
/// assert!(Effective::ALWAYS.contains(d(1999, 1, 1)));
/// assert_eq!(year.to_string(), "2023-01-01 to 2023-12-31");
/// assert!(Effective::between(Some(d(2024, 1, 1)), Some(d(2023, 1, 1))).is_err());
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Effective {
    /// First day in force (inclusive); `None`: since always.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// Last day in force (inclusive); `None`: until further notice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub to: Option<NaiveDate>,
}

impl Effective {
    /// Always in force.
    pub const ALWAYS: Effective = Effective {
        from: None,
        to: None,
    };

    /// A validated range.
    ///
    /// # Errors
    /// [`Error::InvalidPeriod`] when `to` precedes `from`.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Effective;
    /// use chrono::NaiveDate;
    /// let from = NaiveDate::from_ymd_opt(2022, 6, 23).unwrap();
    /// let e = Effective::between(Some(from), None).unwrap();
    /// assert_eq!(e.to_string(), "from 2022-06-23");
    /// ```
    pub fn between(from: Option<NaiveDate>, to: Option<NaiveDate>) -> Result<Self> {
        if let (Some(start), Some(end)) = (from, to) {
            if end < start {
                return Err(Error::InvalidPeriod { start, end });
            }
        }
        Ok(Self { from, to })
    }

    /// Whether `date` lies in the range.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Effective;
    /// use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2025, 7, 1).unwrap();
    /// assert!(Effective { from: Some(d), to: None }.contains(d));
    /// ```
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.from.is_none_or(|f| f <= date) && self.to.is_none_or(|t| date <= t)
    }

    /// Whether both ends are open.
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::Effective::default().is_always());
    /// ```
    pub fn is_always(&self) -> bool {
        self.from.is_none() && self.to.is_none()
    }
}

impl fmt::Display for Effective {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.from, self.to) {
            (Some(a), Some(b)) => write!(f, "{a} to {b}"),
            (Some(a), None) => write!(f, "from {a}"),
            (None, Some(b)) => write!(f, "until {b}"),
            (None, None) => f.write_str("always"),
        }
    }
}

/// How sure the project is of a rubric or criterion (the marks of domain-rules.md).
///
/// # Example
/// ```
/// use tthc_metrics::Confidence;
/// assert_eq!(serde_json::to_string(&Confidence::Seed).unwrap(), "\"seed\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Confidence {
    /// From the legal text.
    Law,
    /// From how production software and the national portal compute it.
    Ops,
    /// From the seed letter.
    Seed,
    /// Not settled: a documented placeholder.
    Open,
}

/// Which way a metric improves.
///
/// # Example
/// ```
/// use tthc_metrics::{Better, Metric, OnTimePolicy};
/// assert_eq!(Metric::OnTimeRate { policy: OnTimePolicy::ResolvedOnly }.better(), Better::Higher);
/// assert_eq!(Metric::OverdueBacklog.better(), Better::Lower);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Better {
    /// Higher values earn more (on-time rate, online share).
    #[default]
    Higher,
    /// Lower values earn more (late rate, overdue backlog).
    Lower,
}

impl Better {
    fn is_higher(self) -> bool {
        self == Better::Higher
    }
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_higher(b: &Better) -> bool {
    b.is_higher()
}

/// What a criterion measures. Every rate metric names its policy explicitly: a rubric's meaning
/// must not change if a crate default does.
///
/// In TOML: `metric = { kind = "on_time_rate", policy = "resolved_only" }`.
///
/// # Example
/// ```
/// use tthc_metrics::{Metric, OnlinePolicy};
/// let m: Metric = serde_json::from_str(r#"{"kind": "online_share", "policy": "eligible_only"}"#).unwrap();
/// assert_eq!(m, Metric::OnlineShare { policy: OnlinePolicy::EligibleOnly });
/// assert_eq!(m.label(), "online share");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Metric {
    /// [`Tally::on_time_rate`](crate::Tally::on_time_rate) under `policy` (higher is better).
    OnTimeRate {
        /// The on-time policy (domain-rules section 4).
        policy: OnTimePolicy,
    },
    /// [`Tally::late_rate`](crate::Tally::late_rate) under `policy` (lower is better).
    LateRate {
        /// The on-time policy whose complement this is.
        policy: OnTimePolicy,
    },
    /// [`Tally::online_share`](crate::Tally::online_share) under `policy` (higher is better).
    OnlineShare {
        /// The online-share policy (domain-rules section 5).
        policy: OnlinePolicy,
    },
    /// `100% − late rate − complaint rate` (Decision 766 item 5.4, higher is better):
    /// `(D − L − C) / D` where `L / D` is the late rate under `policy` and `C` the complaint
    /// count of [`ScoreInputs::complaints`](crate::ScoreInputs::complaints), floored at 0.
    Satisfaction {
        /// The on-time policy of the late rate.
        policy: OnTimePolicy,
    },
    /// The number of unfinished overdue dossiers ([`Tally::overdue`](crate::Tally::overdue)),
    /// a count, not a rate (lower is better).
    OverdueBacklog,
    /// A rate the caller supplies in [`ScoreInputs::supplied`](crate::ScoreInputs::supplied)
    /// under `name` (anything the tally cannot know: portal sync, digitisation...).
    Supplied {
        /// The key in `ScoreInputs::supplied`.
        name: String,
        /// Which way the rate improves (default higher).
        #[serde(default, skip_serializing_if = "is_higher")]
        better: Better,
    },
}

impl Metric {
    /// Which way the metric improves.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Better, Metric, OnTimePolicy};
    /// assert_eq!(Metric::LateRate { policy: OnTimePolicy::ResolvedOnly }.better(), Better::Lower);
    /// ```
    pub fn better(&self) -> Better {
        match self {
            Metric::LateRate { .. } | Metric::OverdueBacklog => Better::Lower,
            Metric::Supplied { better, .. } => *better,
            Metric::OnTimeRate { .. }
            | Metric::OnlineShare { .. }
            | Metric::Satisfaction { .. } => Better::Higher,
        }
    }

    /// Whether the metric is a rate (else a count of dossiers).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Metric;
    /// assert!(!Metric::OverdueBacklog.is_rate());
    /// ```
    pub fn is_rate(&self) -> bool {
        !matches!(self, Metric::OverdueBacklog)
    }

    /// The short label used in reasons (`on-time`, `late`, `online share`, `satisfaction`,
    /// `overdue backlog`, or the supplied rate's name).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Metric, OnTimePolicy};
    /// assert_eq!(Metric::OnTimeRate { policy: OnTimePolicy::Decision766 }.label(), "on-time");
    /// ```
    pub fn label(&self) -> &str {
        match self {
            Metric::OnTimeRate { .. } => "on-time",
            Metric::LateRate { .. } => "late",
            Metric::OnlineShare { .. } => "online share",
            Metric::Satisfaction { .. } => "satisfaction",
            Metric::OverdueBacklog => "overdue backlog",
            Metric::Supplied { name, .. } => name,
        }
    }

    /// The policy name, for rate metrics computed from a tally.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Metric, OnTimePolicy};
    /// assert_eq!(Metric::Satisfaction { policy: OnTimePolicy::Decision766 }.policy_name(), Some("decision_766"));
    /// assert_eq!(Metric::OverdueBacklog.policy_name(), None);
    /// ```
    pub fn policy_name(&self) -> Option<&'static str> {
        match self {
            Metric::OnTimeRate { policy }
            | Metric::LateRate { policy }
            | Metric::Satisfaction { policy } => Some(policy.name()),
            Metric::OnlineShare { policy } => Some(policy.name()),
            Metric::OverdueBacklog | Metric::Supplied { .. } => None,
        }
    }
}

/// A comparison operator of a band or threshold edge: `>=`, `>` for metrics where higher is
/// better, `<=`, `<` for metrics where lower is better.
///
/// # Example
/// ```
/// use tthc_metrics::EdgeOp;
/// assert_eq!(serde_json::from_str::<EdgeOp>("\"<=\"").unwrap(), EdgeOp::AtMost);
/// assert_eq!(EdgeOp::AtLeast.symbol(), ">=");
/// assert_eq!(EdgeOp::AtLeast.negated_symbol(), "<");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum EdgeOp {
    /// `value >= edge` (inclusive, "not below 95%").
    #[serde(rename = ">=")]
    AtLeast,
    /// `value > edge` (exclusive, "more than 70%").
    #[serde(rename = ">")]
    Above,
    /// `value <= edge` (inclusive).
    #[serde(rename = "<=")]
    AtMost,
    /// `value < edge` (exclusive).
    #[serde(rename = "<")]
    Below,
}

impl EdgeOp {
    /// The operator as written in a rubric.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::EdgeOp::Below.symbol(), "<");
    /// ```
    pub fn symbol(self) -> &'static str {
        match self {
            EdgeOp::AtLeast => ">=",
            EdgeOp::Above => ">",
            EdgeOp::AtMost => "<=",
            EdgeOp::Below => "<",
        }
    }

    /// The operator that holds when this one does not (for "94.16% < 95%").
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::EdgeOp::Above.negated_symbol(), "<=");
    /// ```
    pub fn negated_symbol(self) -> &'static str {
        match self {
            EdgeOp::AtLeast => "<",
            EdgeOp::Above => "<=",
            EdgeOp::AtMost => ">",
            EdgeOp::Below => ">=",
        }
    }

    /// Which way of metric this operator rewards.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Better, EdgeOp};
    /// assert_eq!(EdgeOp::AtMost.rewards(), Better::Lower);
    /// ```
    pub fn rewards(self) -> Better {
        match self {
            EdgeOp::AtLeast | EdgeOp::Above => Better::Higher,
            EdgeOp::AtMost | EdgeOp::Below => Better::Lower,
        }
    }

    fn is_strict(self) -> bool {
        matches!(self, EdgeOp::Above | EdgeOp::Below)
    }
}

/// One step band: reaching the edge `op value` earns `points`.
///
/// Bands are listed from the strictest edge (the most points) to the loosest; a value that
/// reaches no band earns 0. The upper end of a band is the edge of the band above it, with the
/// complementary inclusivity: `>= 100 → 2`, `>= 95 → 1` means 95% to under 100% earns 1.
///
/// # Example
/// ```
/// use tthc_metrics::{Band, EdgeOp};
/// use rust_decimal::Decimal;
/// let b: Band = serde_json::from_str(r#"{"op": ">=", "value": 95, "points": 1}"#).unwrap();
/// assert_eq!(b, Band { op: EdgeOp::AtLeast, value: Decimal::from(95), points: Decimal::ONE });
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    /// The comparison.
    pub op: EdgeOp,
    /// The edge: a percentage for rate metrics (95 means 95%), a number of dossiers for counts.
    pub value: Decimal,
    /// Points earned in this band (0 ≤ points ≤ the criterion's max).
    pub points: Decimal,
}

/// How a metric becomes points.
///
/// In TOML: `rule = { kind = "linear_capped", target = 100 }`,
/// `rule = { kind = "threshold", op = ">=", value = 95 }`, or
/// `rule = { kind = "bands", bands = [{ op = ">=", value = 100, points = 2 }, ...] }`.
///
/// # Example
/// ```
/// use tthc_metrics::{Rule, Rounding};
/// use rust_decimal::Decimal;
/// let r: Rule = serde_json::from_str(r#"{"kind": "linear_capped", "target": 50}"#).unwrap();
/// assert_eq!(r, Rule::LinearCapped { target: Decimal::from(50), dp: 2, rounding: Rounding::HalfAwayFromZero });
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
#[non_exhaustive]
pub enum Rule {
    /// `max × min(1, rate / target)` (Decision 766 style, domain-rules section 7), computed as one
    /// exact fraction and rounded once to `dp` decimals with `rounding`. Only for rates where
    /// higher is better.
    LinearCapped {
        /// The rate that earns full points, as a percentage (0 < target ≤ 100).
        target: Decimal,
        /// Decimal places of the points (default 2, as the national portal shows).
        #[serde(default = "default_dp")]
        dp: u32,
        /// The rounding of the points (default half away from zero).
        #[serde(default)]
        rounding: Rounding,
    },
    /// All or nothing: `max` points when `value op edge` holds, else 0.
    Threshold {
        /// The comparison.
        op: EdgeOp,
        /// The edge: a percentage for rates, a number of dossiers for counts.
        value: Decimal,
        /// On the exact rate (default) or the rate rounded with a named rounding
        /// (domain-rules section 4: the two give different answers).
        #[serde(default, skip_serializing_if = "is_exact")]
        compare: Compare,
    },
    /// Step bands, strictest first (see [`Band`]).
    Bands {
        /// On the exact rate (default) or the rounded rate, for every band.
        #[serde(default, skip_serializing_if = "is_exact")]
        compare: Compare,
        /// The bands, strictest (most points) first.
        bands: Vec<Band>,
    },
}

fn default_dp() -> u32 {
    2
}

#[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
fn is_exact(c: &Compare) -> bool {
    *c == Compare::Exact
}

/// What a criterion earns when its metric has no data (zero denominator, or an input the caller
/// did not give).
///
/// # Example
/// ```
/// use tthc_metrics::NoDataRule;
/// assert_eq!(NoDataRule::default(), NoDataRule::Zero);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum NoDataRule {
    /// Earns 0 and fails (its dependents earn nothing): the conservative default.
    #[default]
    Zero,
    /// Earns its maximum ("no dossier arose, nothing was late"), and passes.
    Full,
    /// Not counted: neither earned nor in the maximum; does not fail its dependents.
    Exclude,
}

impl NoDataRule {
    #[allow(clippy::trivially_copy_pass_by_ref)] // serde's skip_serializing_if passes a reference
    fn is_zero(&self) -> bool {
        *self == NoDataRule::Zero
    }
}

/// One criterion of a rubric: a metric, a maximum in points, a rule, dependencies and an
/// effective range. Plain data; [`Rubric::new`] validates it.
///
/// # Example
/// ```
/// use tthc_metrics::{Criterion, Metric, Rule, EdgeOp, OnTimePolicy, Compare};
/// use rust_decimal::Decimal;
/// let c = Criterion::new(
///     "tthc_on_time",
///     Metric::OnTimeRate { policy: OnTimePolicy::ResolvedOnly },
///     Decimal::ONE,
///     Rule::Threshold { op: EdgeOp::AtLeast, value: Decimal::from(95), compare: Compare::Exact },
/// );
/// assert_eq!(c.id, "tthc_on_time");
/// assert!(c.depends_on.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Criterion {
    /// Unique identifier, used by `depends_on` and in every message.
    pub id: String,
    /// Human title (optional).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Where the criterion comes from (optional).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// How sure we are of it (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// Maximum points (0 < max ≤ 1000, at most 4 decimals).
    pub max: Decimal,
    /// Criteria that must pass for this one to earn anything.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub depends_on: Vec<String>,
    /// Points needed to pass (for dependents); `None`: passes when it earns more than 0.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pass_mark: Option<Decimal>,
    /// What it earns with no data (default `zero`).
    #[serde(default, skip_serializing_if = "NoDataRule::is_zero")]
    pub on_no_data: NoDataRule,
    /// Name of the input tally it reads ([`ScoreInputs::windows`](crate::ScoreInputs::windows),
    /// e.g. `peak_month`); `None`: the main tally.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub window: Option<String>,
    /// When it is in force (default always, within the rubric's own range).
    #[serde(default, skip_serializing_if = "Effective::is_always")]
    pub effective: Effective,
    /// What it measures.
    pub metric: Metric,
    /// How the measure becomes points.
    pub rule: Rule,
}

impl Criterion {
    /// A criterion with no dependencies, no pass mark, `on_no_data = zero`, the main tally,
    /// always in force.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Criterion, Metric, Rule, Rounding, OnTimePolicy, NoDataRule};
    /// use rust_decimal::Decimal;
    /// let c = Criterion::new("progress", Metric::OnTimeRate { policy: OnTimePolicy::Decision766 },
    ///     Decimal::from(20), Rule::LinearCapped { target: Decimal::from(100), dp: 2, rounding: Rounding::HalfAwayFromZero });
    /// assert_eq!(c.on_no_data, NoDataRule::Zero);
    /// ```
    pub fn new(id: impl Into<String>, metric: Metric, max: Decimal, rule: Rule) -> Self {
        Self {
            id: id.into(),
            title: String::new(),
            source: String::new(),
            confidence: None,
            max,
            depends_on: Vec::new(),
            pass_mark: None,
            on_no_data: NoDataRule::Zero,
            window: None,
            effective: Effective::ALWAYS,
            metric,
            rule,
        }
    }

    /// The title, or the id when there is none.
    ///
    /// # Example
    /// ```
    /// # #[cfg(feature = "formats")] {
    /// use tthc_metrics::Rubric;
    /// let r = Rubric::preset("decision-766-progress").unwrap();
    /// assert_eq!(r.criterion("progress").unwrap().display_name(), "Progress and results (on-time, decision_766)");
    /// # }
    /// ```
    pub fn display_name(&self) -> &str {
        if self.title.is_empty() {
            &self.id
        } else {
            &self.title
        }
    }
}

/// The unvalidated form of a rubric: what TOML and JSON hold. Turn it into a [`Rubric`] with
/// [`Rubric::new`].
///
/// # Example
/// ```
/// # #[cfg(feature = "formats")] {
/// use tthc_metrics::{Rubric, RubricSpec, Effective};
/// let spec = Rubric::preset("seed-district-2023").unwrap().spec().clone();
/// assert_eq!(spec.name, "seed-district-2023");
/// assert!(!spec.effective.is_always());
/// assert_eq!(Rubric::new(spec).unwrap().criteria().len(), 3);
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RubricSpec {
    /// The rubric's name.
    pub name: String,
    /// Human title (optional).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub title: String,
    /// Where the rubric comes from (optional).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub source: String,
    /// How sure we are of it (optional).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub confidence: Option<Confidence>,
    /// When it is in force (default always).
    #[serde(default, skip_serializing_if = "Effective::is_always")]
    pub effective: Effective,
    /// The criteria, in display order.
    pub criteria: Vec<Criterion>,
}

/// [`RubricSpec`] without its criteria: the criteria are read one by one so that an error can
/// name the criterion.
#[cfg(feature = "formats")]
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RubricHead {
    name: String,
    #[serde(default)]
    title: String,
    #[serde(default)]
    source: String,
    #[serde(default)]
    confidence: Option<Confidence>,
    #[serde(default)]
    effective: Effective,
}

/// A validated scoring rubric.
///
/// Validation (at construction, with [`Error::InvalidRubric`] naming the criterion): unique,
/// non-empty ids; `0 < max ≤ 1000`; bands non-empty, strictest first, without overlaps, points
/// between 0 and `max`, never more points for a looser band, the strictest band worth `max`;
/// edges on the side the metric improves (`>=`/`>` when higher is better, `<=`/`<` when lower
/// is better), rate edges within 0–100%, reachable and not always met; rounded comparisons only on rates, with
/// edges on the rounding grid; linear-capped rules only on rates where higher is better, with
/// `0 < target ≤ 100`; pass marks within `(0, max]`; dependencies on known criteria, without
/// cycles; effective ranges in order; linear rules rounding to at least the decimals of `max`
/// (so rounding can never pass the maximum). Unknown metric, rule or policy names are reported with the
/// accepted names.
///
/// # Example
/// ```
/// # #[cfg(feature = "formats")] {
/// use tthc_metrics::Rubric;
/// let toml = r#"
/// name = "demo"
/// [[criteria]]
/// id = "on_time"
/// max = 2
/// metric = { kind = "on_time_rate", policy = "resolved_only" }
/// rule = { kind = "bands", bands = [{ op = ">=", value = 100, points = 2 }, { op = ">=", value = 95, points = 1 }] }
/// "#;
/// let r = Rubric::from_toml(toml).unwrap();
/// assert_eq!(r.name(), "demo");
/// assert_eq!(Rubric::from_toml(&r.to_toml().unwrap()).unwrap(), r);
///
/// let bad = toml.replace("value = 100", "value = 90");
/// let err = Rubric::from_toml(&bad).unwrap_err();
/// assert_eq!(err.code(), "invalid_rubric");
/// assert!(err.to_string().starts_with("rubric criterion \"on_time\": band 2"), "{err}");
/// # }
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RubricSpec", into = "RubricSpec")]
pub struct Rubric {
    spec: RubricSpec,
    /// Criterion indices, dependencies before their dependents.
    order: Vec<usize>,
}

impl TryFrom<RubricSpec> for Rubric {
    type Error = Error;
    fn try_from(spec: RubricSpec) -> Result<Self> {
        Rubric::new(spec)
    }
}

impl From<Rubric> for RubricSpec {
    fn from(r: Rubric) -> Self {
        r.spec
    }
}

impl Rubric {
    /// Validates a spec.
    ///
    /// # Errors
    /// [`Error::InvalidRubric`] naming the criterion at fault (empty for the rubric as a whole).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Rubric, RubricSpec, Effective};
    /// let spec = RubricSpec { name: "empty".into(), title: String::new(), source: String::new(),
    ///     confidence: None, effective: Effective::ALWAYS, criteria: vec![] };
    /// assert_eq!(Rubric::new(spec).unwrap_err().to_string(), "rubric criterion \"\": the rubric has no criteria");
    /// ```
    pub fn new(spec: RubricSpec) -> Result<Self> {
        let order = validate(&spec)?;
        Ok(Self { spec, order })
    }

    #[cfg(feature = "formats")]
    /// Reads a rubric from TOML text (see the crate's "Scoring" documentation for the schema).
    /// Dates may be TOML dates or `"YYYY-MM-DD"` strings; numbers may be TOML numbers or strings.
    ///
    /// # Errors
    /// [`Error::Parse`] for text that is not TOML; [`Error::InvalidRubric`] for a rubric that does
    /// not validate or has fields of the wrong shape, naming the criterion.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Rubric;
    /// let err = Rubric::from_toml("name = ").unwrap_err();
    /// assert_eq!(err.code(), "parse_error");
    /// let err = Rubric::from_toml(r#"
    /// name = "x"
    /// [[criteria]]
    /// id = "a"
    /// max = 1
    /// metric = { kind = "on_time", policy = "resolved_only" }
    /// rule = { kind = "threshold", op = ">=", value = 95 }
    /// "#).unwrap_err();
    /// assert!(err.to_string().starts_with("rubric criterion \"a\": unknown metric \"on_time\""), "{err}");
    /// ```
    pub fn from_toml(text: &str) -> Result<Self> {
        let table: toml::Table = toml::from_str(text).map_err(|e| Error::Parse {
            format: "toml",
            message: e.to_string(),
        })?;
        Self::from_value(toml_to_json(toml::Value::Table(table)))
    }

    #[cfg(feature = "formats")]
    /// Reads a rubric from JSON text (the same schema as TOML).
    ///
    /// # Errors
    /// As [`Rubric::from_toml`].
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Rubric;
    /// let r = Rubric::preset("decision-766-progress").unwrap();
    /// assert_eq!(Rubric::from_json(&r.to_json().unwrap()).unwrap(), r);
    /// assert_eq!(Rubric::from_json("{").unwrap_err().code(), "parse_error");
    /// ```
    pub fn from_json(text: &str) -> Result<Self> {
        let value: Value = serde_json::from_str(text).map_err(|e| Error::Parse {
            format: "json",
            message: e.to_string(),
        })?;
        Self::from_value(value)
    }

    #[cfg(feature = "formats")]
    fn from_value(value: Value) -> Result<Self> {
        let Value::Object(mut top) = value else {
            return Err(invalid("", "a rubric must be a table (object)"));
        };
        let items = match top.remove("criteria") {
            Some(Value::Array(items)) => items,
            None => Vec::new(),
            Some(_) => return Err(invalid("", "`criteria` must be an array of tables")),
        };
        let head: RubricHead =
            serde_json::from_value(Value::Object(top)).map_err(|e| invalid("", e.to_string()))?;
        let mut criteria = Vec::with_capacity(items.len());
        for (i, item) in items.into_iter().enumerate() {
            let id = item
                .get("id")
                .and_then(Value::as_str)
                .map_or_else(|| format!("#{}", i + 1), str::to_owned);
            precheck(&id, &item)?;
            let c: Criterion =
                serde_json::from_value(item).map_err(|e| invalid(&id, e.to_string()))?;
            criteria.push(c);
        }
        Self::new(RubricSpec {
            name: head.name,
            title: head.title,
            source: head.source,
            confidence: head.confidence,
            effective: head.effective,
            criteria,
        })
    }

    #[cfg(feature = "formats")]
    /// The rubric as TOML text. Numbers are written as strings so they stay exact
    /// (`max = "20"`); [`Rubric::from_toml`] reads them back unchanged.
    ///
    /// # Errors
    /// [`Error::Parse`] if the serializer fails (not expected for a validated rubric).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Rubric;
    /// let r = Rubric::preset("seed-district-2023").unwrap();
    /// let text = r.to_toml().unwrap();
    /// assert!(text.contains("name = \"seed-district-2023\""));
    /// assert_eq!(Rubric::from_toml(&text).unwrap(), r);
    /// ```
    pub fn to_toml(&self) -> Result<String> {
        toml::to_string(&self.spec).map_err(|e| Error::Parse {
            format: "toml",
            message: e.to_string(),
        })
    }

    #[cfg(feature = "formats")]
    /// The rubric as pretty-printed JSON.
    ///
    /// # Errors
    /// [`Error::Parse`] if the serializer fails (not expected).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Rubric;
    /// let json = Rubric::preset("seed-district-2023").unwrap().to_json().unwrap();
    /// assert!(json.contains("\"kind\": \"on_time_rate\""));
    /// ```
    pub fn to_json(&self) -> Result<String> {
        serde_json::to_string_pretty(&self.spec).map_err(|e| Error::Parse {
            format: "json",
            message: e.to_string(),
        })
    }

    #[cfg(feature = "formats")]
    /// A preset shipped with the crate (see [`Rubric::preset_names`]); each states its `source`
    /// and `confidence`.
    ///
    /// - `seed-district-2023` (confidence `seed`): the Krông Nô district letter of October 2023.
    ///   The TTHC-resolution criterion is forfeited below 95% on time (`resolved_only`, exact);
    ///   a component criterion (no overdue backlog) depends on it to show the cascade; online
    ///   dossiers must exceed 70% of eligible dossiers (`eligible_only`) in the `peak_month`
    ///   window. Points are placeholders (1 each): the letter gives none.
    /// - `decision-766-progress` (confidence `ops`): Decision 766/QĐ-TTg items scored linear
    ///   capped to 2 dp: progress 20 points on the `decision_766` on-time rate (target 100%),
    ///   online dossiers on the `decision_766` online share (target 50%, item maximum 6 is a
    ///   placeholder: `open`), satisfaction 5.4 (target 90%, 6 points).
    ///
    /// # Errors
    /// [`Error::Unknown`] for a name that is not a preset.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Rubric;
    /// assert_eq!(Rubric::preset("decision-766-progress").unwrap().criteria().len(), 3);
    /// assert_eq!(Rubric::preset("nope").unwrap_err().code(), "unknown_name");
    /// ```
    pub fn preset(name: &str) -> Result<Self> {
        let (_, text) = PRESETS
            .iter()
            .find(|(n, _)| *n == name)
            .ok_or_else(|| Error::unknown("rubric preset", name, &PRESET_NAMES))?;
        Self::from_toml(text)
    }

    /// The names of the shipped presets.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::Rubric::preset_names(), ["seed-district-2023", "decision-766-progress"]);
    /// ```
    pub fn preset_names() -> &'static [&'static str] {
        &PRESET_NAMES
    }

    /// The validated spec.
    ///
    /// # Example
    /// ```
    /// # #[cfg(feature = "formats")] {
    /// let r = tthc_metrics::Rubric::preset("seed-district-2023").unwrap();
    /// assert_eq!(r.spec().confidence, Some(tthc_metrics::Confidence::Seed));
    /// # }
    /// ```
    pub fn spec(&self) -> &RubricSpec {
        &self.spec
    }

    /// The rubric's name.
    ///
    /// # Example
    /// ```
    /// # #[cfg(feature = "formats")] {
    /// assert_eq!(tthc_metrics::Rubric::preset("seed-district-2023").unwrap().name(), "seed-district-2023");
    /// # }
    /// ```
    pub fn name(&self) -> &str {
        &self.spec.name
    }

    /// The criteria, in display order.
    ///
    /// # Example
    /// ```
    /// # #[cfg(feature = "formats")] {
    /// let r = tthc_metrics::Rubric::preset("seed-district-2023").unwrap();
    /// assert_eq!(r.criteria()[0].id, "tthc_on_time");
    /// # }
    /// ```
    pub fn criteria(&self) -> &[Criterion] {
        &self.spec.criteria
    }

    /// The criterion with this id.
    ///
    /// # Example
    /// ```
    /// # #[cfg(feature = "formats")] {
    /// let r = tthc_metrics::Rubric::preset("seed-district-2023").unwrap();
    /// assert_eq!(r.criterion("tthc_overdue_backlog").unwrap().depends_on, ["tthc_on_time"]);
    /// assert!(r.criterion("x").is_none());
    /// # }
    /// ```
    pub fn criterion(&self, id: &str) -> Option<&Criterion> {
        self.spec.criteria.iter().find(|c| c.id == id)
    }

    /// Whether the rubric is in force on `date`.
    ///
    /// # Example
    /// ```
    /// # #[cfg(feature = "formats")] {
    /// use chrono::NaiveDate;
    /// let r = tthc_metrics::Rubric::preset("seed-district-2023").unwrap();
    /// assert!(r.is_effective(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap()));
    /// assert!(!r.is_effective(NaiveDate::from_ymd_opt(2024, 1, 1).unwrap()));
    /// # }
    /// ```
    pub fn is_effective(&self, date: NaiveDate) -> bool {
        self.spec.effective.contains(date)
    }

    pub(super) fn index_of(&self, id: &str) -> Option<usize> {
        self.spec.criteria.iter().position(|c| c.id == id)
    }

    pub(super) fn order(&self) -> &[usize] {
        &self.order
    }

    /// The error for scoring on a date outside the rubric's range.
    pub(super) fn check_date(&self, date: NaiveDate) -> Result<()> {
        if self.is_effective(date) {
            Ok(())
        } else {
            Err(Error::InvalidArgument {
                name: "date",
                reason: format!(
                    "{date} is outside the effective range {} of rubric {:?}",
                    self.spec.effective, self.spec.name
                ),
            })
        }
    }

    pub(super) fn unknown_criterion(&self, id: &str) -> Error {
        let ids: Vec<&str> = self.spec.criteria.iter().map(|c| c.id.as_str()).collect();
        Error::unknown("criterion", id, &ids)
    }
}

#[cfg(feature = "formats")]
/// TOML to JSON, keeping dates as `YYYY-MM-DD` strings (what chrono's serde reads).
fn toml_to_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f).map_or(Value::Null, Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_to_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_to_json(v))).collect())
        }
    }
}

#[cfg(feature = "formats")]
/// Clear messages for the commonest mistakes (unknown metric, policy or rule names) before serde
/// reports the rest.
fn precheck(id: &str, item: &Value) -> Result<()> {
    let Some(obj) = item.as_object() else {
        return Err(invalid(id, "a criterion must be a table (object)"));
    };
    if let Some(metric) = obj.get("metric") {
        if let Some(kind) = metric.get("kind").and_then(Value::as_str) {
            if !METRIC_KINDS.contains(&kind) {
                return Err(invalid(
                    id,
                    format!(
                        "unknown metric {kind:?}; expected one of: {}",
                        METRIC_KINDS.join(", ")
                    ),
                ));
            }
            if let Some(policy) = metric.get("policy").and_then(Value::as_str) {
                let checked = match kind {
                    "online_share" => policy.parse::<OnlinePolicy>().map(|_| ()),
                    "on_time_rate" | "late_rate" | "satisfaction" => {
                        policy.parse::<OnTimePolicy>().map(|_| ())
                    }
                    _ => Ok(()),
                };
                checked.map_err(|e| invalid(id, e.to_string()))?;
            }
        }
    }
    if let Some(kind) = obj
        .get("rule")
        .and_then(|r| r.get("kind"))
        .and_then(Value::as_str)
    {
        if !RULE_KINDS.contains(&kind) {
            return Err(invalid(
                id,
                format!(
                    "unknown rule {kind:?}; expected one of: {}",
                    RULE_KINDS.join(", ")
                ),
            ));
        }
    }
    Ok(())
}

/// Validates a spec and returns the evaluation order (dependencies first).
fn validate(spec: &RubricSpec) -> Result<Vec<usize>> {
    if spec.name.trim().is_empty() {
        return Err(invalid("", "the rubric has no name"));
    }
    check_effective("", spec.effective)?;
    if spec.criteria.is_empty() {
        return Err(invalid("", "the rubric has no criteria"));
    }
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(spec.criteria.len());
    for (i, c) in spec.criteria.iter().enumerate() {
        if c.id.trim().is_empty() || c.id.trim() != c.id {
            return Err(invalid(
                &c.id,
                "the id must be non-empty without surrounding spaces",
            ));
        }
        if index.insert(&c.id, i).is_some() {
            return Err(invalid(&c.id, "duplicate criterion id"));
        }
    }
    for c in &spec.criteria {
        check_criterion(c)?;
        for (k, dep) in c.depends_on.iter().enumerate() {
            if dep == &c.id {
                return Err(invalid(&c.id, "depends on itself"));
            }
            if !index.contains_key(dep.as_str()) {
                return Err(invalid(
                    &c.id,
                    format!("depends on unknown criterion {dep:?}"),
                ));
            }
            if c.depends_on[..k].contains(dep) {
                return Err(invalid(&c.id, format!("lists dependency {dep:?} twice")));
            }
        }
    }
    topological_order(spec, &index)
}

fn check_effective(id: &str, e: Effective) -> Result<()> {
    Effective::between(e.from, e.to)
        .map(|_| ())
        .map_err(|_| invalid(id, format!("effective range {e} ends before it starts")))
}

fn check_criterion(c: &Criterion) -> Result<()> {
    let id = c.id.as_str();
    if c.max <= Decimal::ZERO || c.max > Decimal::from(MAX_POINTS) {
        return Err(invalid(
            id,
            format!(
                "max {} must be above 0 and at most {MAX_POINTS} points",
                show(c.max)
            ),
        ));
    }
    if decimals(c.max) > POINT_DECIMALS {
        return Err(invalid(
            id,
            format!(
                "max {} has more than {POINT_DECIMALS} decimals",
                show(c.max)
            ),
        ));
    }
    if let Some(pm) = c.pass_mark {
        if pm <= Decimal::ZERO || pm > c.max || decimals(pm) > POINT_DECIMALS {
            return Err(invalid(
                id,
                format!(
                    "pass mark {} must be above 0 and at most max {} (at most {POINT_DECIMALS} decimals)",
                    show(pm),
                    show(c.max)
                ),
            ));
        }
    }
    if c.window.as_deref().is_some_and(|w| w.trim().is_empty()) {
        return Err(invalid(id, "the window name is empty"));
    }
    if let Metric::Supplied { name, .. } = &c.metric {
        if name.trim().is_empty() {
            return Err(invalid(id, "the supplied metric has no name"));
        }
    }
    check_effective(id, c.effective)?;
    match &c.rule {
        Rule::LinearCapped { target, dp, .. } => {
            if !c.metric.is_rate() || !c.metric.better().is_higher() {
                return Err(invalid(
                    id,
                    format!(
                        "linear-capped scoring needs a rate where higher is better, not the {}",
                        c.metric.label()
                    ),
                ));
            }
            if *target <= Decimal::ZERO
                || *target > Decimal::ONE_HUNDRED
                || decimals(*target) > POINT_DECIMALS
            {
                return Err(invalid(
                    id,
                    format!(
                        "linear target {}% must be above 0 and at most 100 (at most {POINT_DECIMALS} decimals)",
                        show(*target)
                    ),
                ));
            }
            if *dp > MAX_DP {
                return Err(invalid(
                    id,
                    format!("dp {dp} is more than {MAX_DP} decimals"),
                ));
            }
            if decimals(c.max) > *dp {
                return Err(invalid(
                    id,
                    format!(
                        "dp {dp} cannot show max {}: points are rounded to {dp} decimals",
                        show(c.max)
                    ),
                ));
            }
        }
        Rule::Threshold { op, value, compare } => {
            check_edge(c, "the threshold", *op, *value, *compare)?;
        }
        Rule::Bands { compare, bands } => check_bands(c, *compare, bands)?,
    }
    Ok(())
}

fn check_compare(c: &Criterion, compare: Compare) -> Result<()> {
    if let Compare::Rounded { dp, .. } = compare {
        if !c.metric.is_rate() {
            return Err(invalid(
                &c.id,
                format!(
                    "a rounded comparison needs a rate, not the {} (a count)",
                    c.metric.label()
                ),
            ));
        }
        if dp > MAX_DP {
            return Err(invalid(
                &c.id,
                format!("rounded comparison dp {dp} is more than {MAX_DP} decimals"),
            ));
        }
    }
    Ok(())
}

fn check_edge(
    c: &Criterion,
    what: &str,
    op: EdgeOp,
    value: Decimal,
    compare: Compare,
) -> Result<()> {
    let id = c.id.as_str();
    let better = c.metric.better();
    let edge = format!("{} {}", op.symbol(), show(value));
    if op.rewards() != better {
        let (want, way) = if better.is_higher() {
            ("`>=` or `>`", "higher")
        } else {
            ("`<=` or `<`", "lower")
        };
        return Err(invalid(
            id,
            format!(
                "{what} `{edge}` compares the wrong way: {} is better {way}, so use {want}",
                c.metric.label()
            ),
        ));
    }
    if value.is_sign_negative() && !value.is_zero() {
        return Err(invalid(id, format!("{what} `{edge}` is negative")));
    }
    if decimals(value) > EDGE_DECIMALS {
        return Err(invalid(
            id,
            format!("{what} `{edge}` has more than {EDGE_DECIMALS} decimals"),
        ));
    }
    if c.metric.is_rate() && value > Decimal::ONE_HUNDRED {
        return Err(invalid(
            id,
            format!("{what} `{edge}%` is above 100% and can never be met"),
        ));
    }
    let never = match op {
        EdgeOp::Above => c.metric.is_rate() && value == Decimal::ONE_HUNDRED,
        EdgeOp::Below => value.is_zero(),
        EdgeOp::AtLeast | EdgeOp::AtMost => false,
    };
    if never {
        return Err(invalid(id, format!("{what} `{edge}` can never be met")));
    }
    // an edge every measured value meets is a constant, not a condition: it would pay points for
    // merely having data (the first late dossier would raise the score); below every band a
    // criterion earns 0
    let always = match op {
        EdgeOp::AtLeast => value.is_zero(),
        EdgeOp::AtMost => c.metric.is_rate() && value == Decimal::ONE_HUNDRED,
        EdgeOp::Above | EdgeOp::Below => false,
    };
    if always {
        return Err(invalid(
            id,
            format!(
                "{what} `{edge}` is always met: any measured value would earn it (below every band a criterion earns 0)"
            ),
        ));
    }
    check_compare(c, compare)?;
    if let Compare::Rounded { dp, .. } = compare {
        if decimals(value) > dp {
            return Err(invalid(
                id,
                format!("{what} `{edge}` has more decimals than the rounded comparison's {dp}"),
            ));
        }
    }
    Ok(())
}

/// How strict an edge is: a bigger key is harder to reach. Under a rounded comparison the
/// rounded value lies on a grid, so `> v` is `>= v + one step` and `< v` is `<= v - one step`.
fn strictness(better: Better, op: EdgeOp, value: Decimal, compare: Compare) -> (Decimal, bool) {
    let (value, strict) = match compare {
        Compare::Rounded { dp, .. } if op.is_strict() => {
            let step = Decimal::new(1, dp);
            let v = if better.is_higher() {
                value + step
            } else {
                value - step
            };
            (v, false)
        }
        _ => (value, op.is_strict()),
    };
    if better.is_higher() {
        (value, strict)
    } else {
        (-value, strict)
    }
}

fn check_bands(c: &Criterion, compare: Compare, bands: &[Band]) -> Result<()> {
    let id = c.id.as_str();
    if bands.is_empty() {
        return Err(invalid(id, "the bands rule has no bands"));
    }
    let better = c.metric.better();
    for (i, b) in bands.iter().enumerate() {
        let what = format!("band {}", i + 1);
        check_edge(c, &what, b.op, b.value, compare)?;
        if b.points.is_sign_negative() && !b.points.is_zero() || b.points > c.max {
            return Err(invalid(
                id,
                format!(
                    "{what} earns {} points, outside 0 to max {}",
                    show(b.points),
                    show(c.max)
                ),
            ));
        }
        if decimals(b.points) > POINT_DECIMALS {
            return Err(invalid(
                id,
                format!(
                    "{what} points {} have more than {POINT_DECIMALS} decimals",
                    show(b.points)
                ),
            ));
        }
        if i > 0 {
            let prev = &bands[i - 1];
            let here = format!("{} {}", b.op.symbol(), show(b.value));
            let there = format!("{} {}", prev.op.symbol(), show(prev.value));
            let order = strictness(better, b.op, b.value, compare)
                .cmp(&strictness(better, prev.op, prev.value, compare));
            match order {
                std::cmp::Ordering::Equal => {
                    return Err(invalid(
                        id,
                        format!("{what} `{here}` overlaps band {i} `{there}`: it can never apply"),
                    ))
                }
                std::cmp::Ordering::Greater => {
                    return Err(invalid(
                        id,
                        format!(
                            "{what} `{here}` is stricter than band {i} `{there}`: list bands from the strictest (most points) to the loosest"
                        ),
                    ))
                }
                std::cmp::Ordering::Less => {}
            }
            if b.points > prev.points {
                return Err(invalid(
                    id,
                    format!(
                        "{what} `{here}` earns {} points, more than the stricter band {i} ({})",
                        show(b.points),
                        show(prev.points)
                    ),
                ));
            }
        }
    }
    if bands[0].points != c.max {
        return Err(invalid(
            id,
            format!(
                "the strictest band earns {} points; it must earn the maximum {}",
                show(bands[0].points),
                show(c.max)
            ),
        ));
    }
    Ok(())
}

/// Kahn's algorithm in rubric order; a leftover means a cycle, reported as a path.
fn topological_order(spec: &RubricSpec, index: &HashMap<&str, usize>) -> Result<Vec<usize>> {
    let n = spec.criteria.len();
    let deps: Vec<Vec<usize>> = spec
        .criteria
        .iter()
        .map(|c| c.depends_on.iter().map(|d| index[d.as_str()]).collect())
        .collect();
    let mut done = vec![false; n];
    let mut order = Vec::with_capacity(n);
    loop {
        let before = order.len();
        for i in 0..n {
            if !done[i] && deps[i].iter().all(|&d| done[d]) {
                done[i] = true;
                order.push(i);
            }
        }
        if order.len() == n {
            return Ok(order);
        }
        if order.len() == before {
            break;
        }
    }
    // every node left has a dependency left: walk until a node repeats
    let start = (0..n).find(|&i| !done[i]).unwrap_or(0);
    let mut path = vec![start];
    let mut at = start;
    loop {
        let next = deps[at]
            .iter()
            .copied()
            .find(|&d| !done[d])
            .unwrap_or(start);
        if let Some(pos) = path.iter().position(|&p| p == next) {
            let cycle: Vec<&str> = path[pos..]
                .iter()
                .chain(std::iter::once(&next))
                .map(|&i| spec.criteria[i].id.as_str())
                .collect();
            return Err(invalid(
                cycle[0],
                format!("dependency cycle: {}", cycle.join(" -> ")),
            ));
        }
        path.push(next);
        at = next;
    }
}
