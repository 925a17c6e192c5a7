//! Scoring rubrics, the points a tally earns or loses under them, and recovery plans
//! (domain-rules sections 4, 5 and 7).
//!
//! A [`Rubric`] is data: named criteria, each reading one metric of a [`Tally`](crate::Tally)
//! (an on-time rate, an online share, a late rate, the overdue backlog, a satisfaction rate, or a
//! rate the caller supplies) and turning it into points with one rule (linear capped, step bands,
//! or an all-or-nothing threshold). Rubrics load from TOML or JSON, are validated once at
//! construction, and ship as presets ([`Rubric::preset`]).
//!
//! # Decisions
//! These are the choices the domain leaves open; each is documented where it is implemented.
//! - **Exactness.** Metrics are exact fractions ([`Rate`](crate::Rate)); thresholds compare the
//!   fraction exactly unless the rule says [`Compare::Rounded`](crate::Compare); linear-capped
//!   points are computed as one exact fraction and rounded once, with the rule's `dp` and
//!   [`Rounding`](crate::Rounding) (default 2 dp, half away from zero, as the national portal).
//!   Nothing is ever compared in `f64`.
//! - **Failing.** A criterion *fails* (and zeroes every criterion that depends on it, transitively)
//!   when it earns less than its `pass_mark`, or, without a pass mark, when it earns 0 points.
//! - **No data.** A zero denominator, or an input the criterion needs that the caller did not
//!   give (a named window, a supplied rate, the complaint count), is *no data*. The criterion's
//!   `on_no_data` rule decides: `zero` (default: earns 0 and fails), `full` (earns its maximum),
//!   or `exclude` (not counted: neither earned nor in the maximum, and it does not fail its
//!   dependents). The reason always says what was missing.
//! - **Monotonicity.** One more on-time dossier never lowers a score, one more late dossier never
//!   raises it (proptest laws). The one documented exception is the first dossier of a criterion
//!   with `on_no_data = full` or `exclude`: it turns "no data" into a measured value, which may fail
//!   (e.g. a satisfaction rate with complaints on record).
//! - **Dates.** A rubric and each criterion carry an inclusive [`Effective`] range. Scoring for a
//!   date outside the rubric's range is an error; a criterion out of force on that date is
//!   reported as [`CriterionStatus::NotInForce`] and not counted.
//! - **Ranking.** [`score_units`] orders units by total points (higher first), then by the exact
//!   on-time rate of the rubric's first on-time criterion (higher first, no data last), then by
//!   [`name_key`](crate::name_key) of the label (ascending).
//! - **Recovery.** [`recovery`] finds the least number of additional dossiers with an exact
//!   monotone search on the same comparison the score uses, so `x` reaches the goal and `x - 1`
//!   does not. [`project`] first moves the overdue backlog to *late* and adds expected arrivals.

mod recovery;
pub(crate) use recovery::least;
mod rubric;
mod score;

pub use recovery::{
    project, recovery, DossierKind, Projected, Projection, Recovery, RecoveryGoal, RecoveryOptions,
    RecoverySource,
};
pub use rubric::{
    Band, Better, Confidence, Criterion, EdgeOp, Effective, Metric, NoDataRule, Rubric, RubricSpec,
    Rule,
};
pub use score::{
    score, score_units, CriterionScore, CriterionStatus, MetricValue, Score, ScoreInputs, UnitScore,
};

#[cfg(all(test, feature = "formats"))] // the tests read rubrics from TOML
mod tests;
