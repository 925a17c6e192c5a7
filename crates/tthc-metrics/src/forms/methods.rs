//! One dataset under every method in use (domain-rules sections 4, 5 and 9): the four on-time
//! policies, the conventions of real systems (OpenCPS's truncated percentage that counts refused
//! dossiers as finished, refused and withdrawn counted on time, timestamps instead of dates) and
//! the online shares, side by side, so that an auditor sees at once what choosing a method does
//! to the headline ("a province can present pretty figures by choosing the most favourable
//! method", a ministry, 03/2026).

use rust_decimal::{Decimal, RoundingStrategy};
use serde::Serialize;

use crate::error::Result;
use crate::rate::{OnTimePolicy, OnlinePolicy, Rate, Threshold};
use crate::tally::Tally;

/// What a method measures.
///
/// # Example
/// ```
/// assert_eq!(tthc_metrics::MethodKind::Online.name(), "online_share");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum MethodKind {
    /// An on-time rate.
    OnTime,
    /// An online share.
    Online,
}

impl MethodKind {
    /// `on_time_rate` or `online_share`.
    ///
    /// # Example
    /// see [`MethodKind`].
    pub fn name(self) -> &'static str {
        match self {
            Self::OnTime => "on_time_rate",
            Self::Online => "online_share",
        }
    }
}

/// One method's figure on the dataset.
///
/// # Example
/// see [`methods`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct MethodRow {
    /// What it measures.
    pub kind: MethodKind,
    /// The method's name (a policy name, or `opencps_truncated`, `inclusive_buckets`,
    /// `timestamp_comparison`).
    pub method: &'static str,
    /// The rule, as a formula over the counts.
    pub rule: &'static str,
    /// Who uses it (domain-rules' sources).
    pub used_by: &'static str,
    /// The exact fraction (`None`: zero denominator).
    pub rate: Option<Rate>,
    /// The figure as the method shows it: a percentage with 2 decimals half away from zero
    /// (the national portal's), or OpenCPS's whole percentage truncated by integer division.
    pub percent: Option<Decimal>,
    /// The target the method is usually held to, if one is common.
    pub target: Option<Threshold>,
    /// Whether the exact figure meets that target (`None` without target or data).
    pub meets: Option<bool>,
}

/// The dataset under every method: `by_date` is the cohort tally with the default comparison of
/// calendar dates, `by_timestamp` the same dossiers compared by instants (the national portal's
/// `finished_at <= due_at`).
///
/// # Errors
/// [`crate::Error::InvalidArgument`] when a tally's counts overflow.
///
/// # Example
/// ```
/// use tthc_metrics::{methods, Tally};
/// // the seed's cohort: 10,677 early or on time, 662 late, 4,596 unfinished, 165 online of 15,935
/// let t = Tally { on_time: 10_677, late: 662, within_due: 4_596, refused: 30,
///                 received_online: 165, received_direct: 15_800, eligible: 2_000, eligible_online: 165,
///                 ..Tally::default() };
/// let rows = methods(&t, &t).unwrap();
/// let get = |m: &str| rows.iter().find(|r| r.method == m).unwrap();
/// assert_eq!(get("resolved_only").percent.unwrap().to_string(), "94.16");
/// assert_eq!(get("resolved_only").meets, Some(false));
/// // refused counted as finished, whole percentage truncated: 10,677 / 11,369 = 93.9% → 93
/// assert_eq!(get("opencps_truncated").percent.unwrap().to_string(), "93");
/// // refused counted on time: 10,707 / 11,369
/// assert_eq!(get("inclusive_buckets").rate.unwrap().numerator(), 10_707);
/// assert!(rows.iter().any(|r| r.method == "online_vs_counter"));
/// ```
pub fn methods(by_date: &Tally, by_timestamp: &Tally) -> Result<Vec<MethodRow>> {
    by_date.check_counts()?;
    by_timestamp.check_counts()?;
    let two = |r: &Rate| r.to_percent(2, RoundingStrategy::MidpointAwayFromZero);
    let mut rows = Vec::new();
    let mut push = |kind,
                    method,
                    rule,
                    used_by,
                    rate: Option<Rate>,
                    percent: Option<Decimal>,
                    target: Option<Threshold>| {
        let meets = match (&rate, &target) {
            (Some(r), Some(t)) => Some(r.meets(t)),
            _ => None,
        };
        rows.push(MethodRow {
            kind,
            method,
            rule,
            used_by,
            rate,
            percent,
            target,
            meets,
        });
    };
    let on_time = |t: &Tally, p| t.on_time_rate(p).ok();
    let at_95 = Some(Threshold::at_least_percent(95));
    for (policy, rule, used_by, target) in [
        (
            OnTimePolicy::ResolvedOnly,
            "(early + on time) / finished",
            "district PAR indices (the seed letter: 94.2%, below 95% loses the criterion)",
            at_95,
        ),
        (
            OnTimePolicy::Decision766,
            "(early + on time + unfinished within due + awaiting the citizen) / (finished + unfinished + awaiting)",
            "national portal, Decision 766 (progress: 20 points × rate)",
            None,
        ),
        (
            OnTimePolicy::DueInPeriod,
            "(early + on time) / (finished + unfinished overdue)",
            "Vĩnh Phúc 2021",
            None,
        ),
        (
            OnTimePolicy::LateShare,
            "1 − (late + unfinished overdue) / all handled",
            "Gia Lai portal",
            None,
        ),
    ] {
        let r = on_time(by_date, policy);
        push(MethodKind::OnTime, policy.name(), rule, used_by, r, r.as_ref().map(two), target);
    }
    let refused = by_date.refused;
    let opencps = Rate::new(
        by_date.on_time_or_early(),
        by_date.finished().saturating_add(refused),
    )
    .ok();
    push(
        MethodKind::OnTime,
        "opencps_truncated",
        "⌊100 × (early + on time) / (finished + refused)⌋ %: refused dossiers counted as finished, the percentage truncated by integer division",
        "OpenCPS one-stop software",
        opencps,
        opencps.map(|r| r.to_percent(0, RoundingStrategy::ToZero)),
        at_95,
    );
    let closed = by_date.refused_withdrawn();
    let inclusive = Rate::new(
        by_date.on_time_or_early().saturating_add(closed),
        by_date.finished().saturating_add(closed),
    )
    .ok();
    push(
        MethodKind::OnTime,
        "inclusive_buckets",
        "(early + on time + refused + withdrawn + stopped) / (finished + refused + withdrawn + stopped): closed without result counted on time",
        "a provincial system's Biểu II.06a (\"bao gồm cả\")",
        inclusive,
        inclusive.as_ref().map(two),
        at_95,
    );
    let stamp = on_time(by_timestamp, OnTimePolicy::ResolvedOnly);
    push(
        MethodKind::OnTime,
        "timestamp_comparison",
        "(early + on time) / finished, on time when finished_at <= due_at by the instant",
        "national portal (Decision 766)",
        stamp,
        stamp.as_ref().map(two),
        at_95,
    );
    for (policy, rule, used_by, target) in [
        (
            OnlinePolicy::EligibleOnly,
            "online / dossiers of procedures with an online service, received",
            "the seed's peak month (more than 70%)",
            Some(Threshold::above_percent(70)),
        ),
        (
            OnlinePolicy::Decision766,
            "online received / all received × portal sync rate",
            "Decision 766 indicator 3.3 (full points at 50%)",
            Some(Threshold::at_least_percent(50)),
        ),
        (
            OnlinePolicy::FullProcess,
            "online dossiers of full-process procedures / all received",
            "national targets (50% in 2024, 80% by the end of 2025)",
            Some(Threshold::at_least_percent(50)),
        ),
        (
            OnlinePolicy::OnlineVsCounter,
            "online / (online + direct), postal left out",
            "Thanh Hóa 2025 (90%)",
            Some(Threshold::at_least_percent(90)),
        ),
    ] {
        let r = by_date.online_share(policy).ok();
        push(
            MethodKind::Online,
            policy.name(),
            rule,
            used_by,
            r,
            r.as_ref().map(two),
            target,
        );
    }
    Ok(rows)
}
