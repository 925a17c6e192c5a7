//! Exact rates (integer numerator over integer denominator), their display as percentages with a
//! named rounding, threshold comparison, and the rate policies of domain-rules sections 4 and 5.

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use rust_decimal::{Decimal, RoundingStrategy};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// An exact rate `numerator / denominator` with `0 <= numerator <= denominator` and a non-zero
/// denominator. A zero denominator is the typed "no data" error, never NaN.
///
/// # Example
/// ```
/// use tthc_metrics::Rate;
/// use rust_decimal::{Decimal, RoundingStrategy};
/// // the seed: 10,677 early or on time of 11,339 finished
/// let r = Rate::new(10_677, 11_339).unwrap();
/// assert_eq!(r.to_percent(1, RoundingStrategy::MidpointAwayFromZero), Decimal::new(942, 1));
/// assert_eq!(r.to_percent(2, RoundingStrategy::MidpointAwayFromZero), Decimal::new(9416, 2));
/// assert_eq!(Rate::new(0, 0).unwrap_err().code(), "no_data");
/// ```
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
#[serde(try_from = "RawRate", into = "RawRate")]
pub struct Rate {
    numerator: u64,
    denominator: u64,
}

#[derive(Serialize, Deserialize)]
struct RawRate {
    numerator: u64,
    denominator: u64,
}

impl TryFrom<RawRate> for Rate {
    type Error = Error;
    fn try_from(r: RawRate) -> Result<Self> {
        Rate::new(r.numerator, r.denominator)
    }
}

impl From<Rate> for RawRate {
    fn from(r: Rate) -> Self {
        RawRate {
            numerator: r.numerator,
            denominator: r.denominator,
        }
    }
}

/// Compares `a/b` with `c/d` exactly, without overflow (continued-fraction descent).
fn cmp_fractions(mut a: u128, mut b: u128, mut c: u128, mut d: u128) -> Ordering {
    // invariant: compare a/b with c/d, b > 0, d > 0; `flip` reverses the sense after inversion
    let mut flip = false;
    loop {
        let (qa, ra) = (a / b, a % b);
        let (qc, rc) = (c / d, c % d);
        let ord = qa.cmp(&qc);
        if ord != Ordering::Equal {
            return if flip { ord.reverse() } else { ord };
        }
        match (ra == 0, rc == 0) {
            (true, true) => return Ordering::Equal,
            (true, false) => {
                return if flip {
                    Ordering::Greater
                } else {
                    Ordering::Less
                }
            }
            (false, true) => {
                return if flip {
                    Ordering::Less
                } else {
                    Ordering::Greater
                }
            }
            (false, false) => {
                // a/b = q + ra/b; compare ra/b with rc/d  <=>  compare d/rc with b/ra
                (a, b, c, d) = (b, ra, d, rc);
                flip = !flip;
            }
        }
    }
}

impl Rate {
    /// A rate; `numerator` must not exceed `denominator`.
    ///
    /// # Errors
    /// [`Error::NoData`] for a zero denominator, [`Error::InvalidArgument`] when
    /// `numerator > denominator`.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Rate;
    /// assert!(Rate::new(3, 2).is_err());
    /// assert_eq!(Rate::new(1, 2).unwrap().denominator(), 2);
    /// ```
    pub fn new(numerator: u64, denominator: u64) -> Result<Self> {
        if denominator == 0 {
            return Err(Error::NoData {
                what: "rate".into(),
            });
        }
        if numerator > denominator {
            return Err(Error::InvalidArgument {
                name: "rate",
                reason: format!("numerator {numerator} exceeds denominator {denominator}"),
            });
        }
        Ok(Self {
            numerator,
            denominator,
        })
    }

    pub(crate) fn named(numerator: u64, denominator: u64, what: &str) -> Result<Self> {
        Self::new(numerator, denominator).map_err(|e| match e {
            Error::NoData { .. } => Error::NoData { what: what.into() },
            other => other,
        })
    }

    /// The numerator (a count of dossiers).
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::Rate::new(1, 4).unwrap().numerator(), 1);
    /// ```
    pub fn numerator(&self) -> u64 {
        self.numerator
    }

    /// The denominator (a count of dossiers, never 0).
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::Rate::new(1, 4).unwrap().denominator(), 4);
    /// ```
    pub fn denominator(&self) -> u64 {
        self.denominator
    }

    /// `1 - self` (the late share of an on-time rate), exact.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Rate;
    /// let late = Rate::new(10_677, 11_339).unwrap().complement();
    /// assert_eq!(late, Rate::new(662, 11_339).unwrap());
    /// ```
    #[must_use]
    pub fn complement(&self) -> Self {
        Self {
            numerator: self.denominator - self.numerator,
            denominator: self.denominator,
        }
    }

    /// The rate as a percentage with `dp` decimal places (at most 20), rounded exactly with
    /// `strategy` from the true fraction (no intermediate float or 28-digit division).
    ///
    /// Official letters use 1 decimal, the national portal 2, both
    /// [`RoundingStrategy::MidpointAwayFromZero`].
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Rate;
    /// use rust_decimal::{Decimal, RoundingStrategy::*};
    /// let r = Rate::new(18_990, 20_000).unwrap(); // 94.95% exactly
    /// assert_eq!(r.to_percent(1, MidpointAwayFromZero), Decimal::new(950, 1));
    /// assert_eq!(r.to_percent(1, MidpointNearestEven), Decimal::new(950, 1));
    /// assert_eq!(r.to_percent(1, ToZero), Decimal::new(949, 1));
    /// let third = Rate::new(1, 3).unwrap();
    /// assert_eq!(third.to_percent(3, AwayFromZero), Decimal::new(33_334, 3));
    /// ```
    pub fn to_percent(&self, dp: u32, strategy: RoundingStrategy) -> Decimal {
        let dp = dp.min(Self::MAX_DECIMALS);
        let den = u128::from(self.denominator);
        let scaled = u128::from(self.numerator) * 100;
        let mut mantissa = scaled / den;
        let mut rem = scaled % den;
        for _ in 0..dp {
            rem *= 10;
            mantissa = mantissa * 10 + rem / den;
            rem %= den;
        }
        // rem/den is the discarded fraction in [0, 1)
        let twice = rem * 2;
        #[allow(deprecated)]
        let up = match strategy {
            RoundingStrategy::ToZero
            | RoundingStrategy::ToNegativeInfinity
            | RoundingStrategy::RoundDown => false,
            RoundingStrategy::AwayFromZero
            | RoundingStrategy::ToPositiveInfinity
            | RoundingStrategy::RoundUp => rem != 0,
            RoundingStrategy::MidpointAwayFromZero | RoundingStrategy::RoundHalfUp => twice >= den,
            RoundingStrategy::MidpointTowardZero | RoundingStrategy::RoundHalfDown => twice > den,
            RoundingStrategy::MidpointNearestEven | RoundingStrategy::BankersRounding => {
                twice > den || (twice == den && mantissa % 2 == 1)
            }
        };
        if up {
            mantissa += 1;
        }
        Decimal::from_i128_with_scale(mantissa as i128, dp)
    }

    /// Most decimals [`Rate::to_percent`] gives (more are cut to this).
    pub const MAX_DECIMALS: u32 = 20;

    /// [`Rate::to_percent`] with the decimals checked.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for more than [`Rate::MAX_DECIMALS`] decimals.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Rate;
    /// use rust_decimal::RoundingStrategy::MidpointAwayFromZero;
    /// let r = Rate::new(10_677, 11_339).unwrap();
    /// assert_eq!(r.percent(1, MidpointAwayFromZero).unwrap().to_string(), "94.2");
    /// assert_eq!(r.percent(21, MidpointAwayFromZero).unwrap_err().code(), "invalid_argument");
    /// ```
    pub fn percent(&self, dp: u32, strategy: RoundingStrategy) -> Result<Decimal> {
        if dp > Self::MAX_DECIMALS {
            return Err(Error::InvalidArgument {
                name: "dp",
                reason: format!("{dp} decimals; at most {} are given", Self::MAX_DECIMALS),
            });
        }
        Ok(self.to_percent(dp, strategy))
    }

    /// The rate as a float, for plotting only (never compare thresholds with it).
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::Rate::new(1, 4).unwrap().to_f64(), 0.25);
    /// ```
    pub fn to_f64(&self) -> f64 {
        self.numerator as f64 / self.denominator as f64
    }

    /// Exact comparison with a percentage (`95` means 95%).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Rate;
    /// use rust_decimal::Decimal;
    /// use std::cmp::Ordering;
    /// let r = Rate::new(18_990, 20_000).unwrap(); // 94.95%
    /// assert_eq!(r.cmp_percent(Decimal::from(95)), Ordering::Less);
    /// assert_eq!(r.cmp_percent(Decimal::new(9495, 2)), Ordering::Equal);
    /// ```
    pub fn cmp_percent(&self, percent: Decimal) -> Ordering {
        if percent.is_sign_negative() && !percent.is_zero() {
            return Ordering::Greater;
        }
        let m = percent.mantissa().unsigned_abs();
        let scale = 100u128 * 10u128.pow(percent.scale());
        cmp_fractions(
            u128::from(self.numerator),
            u128::from(self.denominator),
            m,
            scale,
        )
    }

    /// Whether the rate meets `threshold`.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Rate, Threshold};
    /// let r = Rate::new(10_677, 11_339).unwrap();
    /// assert!(!r.meets(&Threshold::at_least_percent(95)));
    /// let r = Rate::new(12_578, 13_240).unwrap(); // exactly 95.00%
    /// assert!(r.meets(&Threshold::at_least_percent(95)));
    /// assert!(!Rate::new(7, 10).unwrap().meets(&Threshold::above_percent(70)));
    /// ```
    pub fn meets(&self, threshold: &Threshold) -> bool {
        let ord = match threshold.compare {
            Compare::Exact => self.cmp_percent(threshold.percent),
            Compare::Rounded { dp, rounding } => self
                .to_percent(dp, rounding.strategy())
                .cmp(&threshold.percent),
        };
        match threshold.op {
            ThresholdOp::AtLeast => ord != Ordering::Less,
            ThresholdOp::Above => ord == Ordering::Greater,
        }
    }
}

/// Equality is by value (1/2 == 30/60), consistent with `Ord`; the counts stay as given.
impl PartialEq for Rate {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Rate {}

impl std::hash::Hash for Rate {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        let (mut a, mut b) = (self.numerator, self.denominator);
        while b != 0 {
            (a, b) = (b, a % b);
        }
        let g = a.max(1);
        (self.numerator / g, self.denominator / g).hash(state);
    }
}

impl PartialOrd for Rate {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Rate {
    fn cmp(&self, other: &Self) -> Ordering {
        cmp_fractions(
            self.numerator.into(),
            self.denominator.into(),
            other.numerator.into(),
            other.denominator.into(),
        )
    }
}

impl fmt::Display for Rate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}/{} ({}%)",
            self.numerator,
            self.denominator,
            self.to_percent(2, RoundingStrategy::MidpointAwayFromZero)
        )
    }
}

/// A named rounding for display and for rounded threshold comparison (serde-friendly mirror of
/// [`RoundingStrategy`]).
///
/// # Example
/// ```
/// use tthc_metrics::Rounding;
/// assert_eq!("half_away_from_zero".parse::<Rounding>().unwrap(), Rounding::HalfAwayFromZero);
/// assert_eq!(Rounding::default(), Rounding::HalfAwayFromZero);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Rounding {
    /// 94.95 → 95.0 (official letters and the national portal).
    #[default]
    HalfAwayFromZero,
    /// Banker's rounding.
    HalfEven,
    /// 94.95 → 94.9.
    HalfTowardZero,
    /// Truncation.
    TowardZero,
    /// Any remainder rounds up.
    AwayFromZero,
}

impl Rounding {
    /// The matching `rust_decimal` strategy.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Rounding;
    /// use rust_decimal::RoundingStrategy;
    /// assert_eq!(Rounding::HalfEven.strategy(), RoundingStrategy::MidpointNearestEven);
    /// ```
    pub fn strategy(self) -> RoundingStrategy {
        match self {
            Self::HalfAwayFromZero => RoundingStrategy::MidpointAwayFromZero,
            Self::HalfEven => RoundingStrategy::MidpointNearestEven,
            Self::HalfTowardZero => RoundingStrategy::MidpointTowardZero,
            Self::TowardZero => RoundingStrategy::ToZero,
            Self::AwayFromZero => RoundingStrategy::AwayFromZero,
        }
    }
}

impl FromStr for Rounding {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s {
            "half_away_from_zero" => Self::HalfAwayFromZero,
            "half_even" => Self::HalfEven,
            "half_toward_zero" => Self::HalfTowardZero,
            "toward_zero" => Self::TowardZero,
            "away_from_zero" => Self::AwayFromZero,
            _ => {
                return Err(Error::unknown(
                    "rounding",
                    s,
                    &[
                        "half_away_from_zero",
                        "half_even",
                        "half_toward_zero",
                        "toward_zero",
                        "away_from_zero",
                    ],
                ))
            }
        })
    }
}

/// `>=` or `>`.
///
/// # Example
/// ```
/// use tthc_metrics::ThresholdOp;
/// assert_eq!(serde_json::to_string(&ThresholdOp::Above).unwrap(), "\">\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ThresholdOp {
    /// `rate >= percent` ("not below 95%").
    #[serde(rename = ">=")]
    AtLeast,
    /// `rate > percent` ("more than 70%").
    #[serde(rename = ">")]
    Above,
}

/// Whether a threshold is compared on the exact fraction or on the rounded percentage.
///
/// # Example
/// ```
/// use tthc_metrics::{Compare, Rounding};
/// let c = Compare::Rounded { dp: 1, rounding: Rounding::HalfAwayFromZero };
/// assert_ne!(c, Compare::Exact);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "mode")]
#[non_exhaustive]
pub enum Compare {
    /// On the exact fraction: 94.95% is not 95%.
    #[default]
    Exact,
    /// On the percentage rounded to `dp` decimals: 94.95% → 95.0% passes "≥ 95".
    Rounded {
        /// Decimal places of the percentage.
        dp: u32,
        /// The rounding.
        #[serde(default)]
        rounding: Rounding,
    },
}

/// A percentage threshold: `>= 95` or `> 70`, exact or after a named rounding.
///
/// # Example
/// ```
/// use tthc_metrics::{Rate, Threshold, Compare, Rounding};
/// let r = Rate::new(12_447, 13_109).unwrap(); // 94.9500...% : 1,770 more on-time dossiers in the seed
/// assert!(!r.meets(&Threshold::at_least_percent(95)));
/// let rounded = Threshold::at_least_percent(95).compared(Compare::Rounded { dp: 1, rounding: Rounding::HalfAwayFromZero });
/// assert!(r.meets(&rounded));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Threshold {
    /// The percentage (95 means 95%).
    pub percent: Decimal,
    /// `>=` or `>`.
    pub op: ThresholdOp,
    /// Exact or rounded comparison.
    #[serde(default)]
    pub compare: Compare,
}

impl Threshold {
    /// `rate >= percent`, exact.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Rate, Threshold};
    /// assert!(Rate::new(19, 20).unwrap().meets(&Threshold::at_least_percent(95)));
    /// ```
    pub fn at_least_percent(percent: impl Into<Decimal>) -> Self {
        Self {
            percent: percent.into(),
            op: ThresholdOp::AtLeast,
            compare: Compare::Exact,
        }
    }

    /// `rate > percent`, exact.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Rate, Threshold};
    /// assert!(Rate::new(71, 100).unwrap().meets(&Threshold::above_percent(70)));
    /// ```
    pub fn above_percent(percent: impl Into<Decimal>) -> Self {
        Self {
            percent: percent.into(),
            op: ThresholdOp::Above,
            compare: Compare::Exact,
        }
    }

    /// The same threshold with another comparison mode.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Threshold, Compare};
    /// assert_eq!(Threshold::above_percent(70).compared(Compare::Exact).compare, Compare::Exact);
    /// ```
    #[must_use]
    pub fn compared(mut self, compare: Compare) -> Self {
        self.compare = compare;
        self
    }
}

impl fmt::Display for Threshold {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let op = match self.op {
            ThresholdOp::AtLeast => ">=",
            ThresholdOp::Above => ">",
        };
        write!(f, "{op} {}%", self.percent)?;
        if let Compare::Rounded { dp, .. } = self.compare {
            write!(f, " (rounded to {dp} dp)")?;
        }
        Ok(())
    }
}

/// Which on-time rate (domain-rules section 4). Every result names the policy that produced it.
///
/// # Example
/// ```
/// use tthc_metrics::OnTimePolicy;
/// assert_eq!(OnTimePolicy::default(), OnTimePolicy::ResolvedOnly);
/// assert_eq!("decision_766".parse::<OnTimePolicy>().unwrap(), OnTimePolicy::Decision766);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OnTimePolicy {
    /// (early + on time) / finished: the seed's 94.2%.
    #[default]
    ResolvedOnly,
    /// (early + on time + unfinished not overdue) / (finished + unfinished): the national portal.
    #[serde(rename = "decision_766")]
    Decision766,
    /// (early + on time) / (finished + unfinished overdue): Vĩnh Phúc.
    DueInPeriod,
    /// 1 − (late + unfinished overdue) / (received + carried over): Gia Lai.
    LateShare,
}

impl OnTimePolicy {
    /// All policies, in documentation order.
    pub const ALL: [OnTimePolicy; 4] = [
        Self::ResolvedOnly,
        Self::Decision766,
        Self::DueInPeriod,
        Self::LateShare,
    ];

    /// The policy's name in options and output.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::OnTimePolicy::LateShare.name(), "late_share");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::ResolvedOnly => "resolved_only",
            Self::Decision766 => "decision_766",
            Self::DueInPeriod => "due_in_period",
            Self::LateShare => "late_share",
        }
    }
}

impl FromStr for OnTimePolicy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| Error::unknown("on-time rate policy", s, &Self::ALL.map(Self::name)))
    }
}

/// Which online share (domain-rules section 5).
///
/// # Example
/// ```
/// use tthc_metrics::OnlinePolicy;
/// assert_eq!(OnlinePolicy::default(), OnlinePolicy::EligibleOnly);
/// assert_eq!("full_process".parse::<OnlinePolicy>().unwrap(), OnlinePolicy::FullProcess);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OnlinePolicy {
    /// Online dossiers of procedures with an online service / dossiers of those procedures (seed).
    #[default]
    EligibleOnly,
    /// Online / all received, times the portal sync rate (indicator 3.3).
    #[serde(rename = "decision_766")]
    Decision766,
    /// Online dossiers of full-process procedures / all received.
    FullProcess,
    /// Online / (online + at the counter), postal dossiers left out (Thanh Hóa 2025).
    OnlineVsCounter,
}

impl OnlinePolicy {
    /// All policies, in documentation order.
    pub const ALL: [OnlinePolicy; 4] = [
        Self::EligibleOnly,
        Self::Decision766,
        Self::FullProcess,
        Self::OnlineVsCounter,
    ];

    /// The policy's name in options and output.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::OnlinePolicy::EligibleOnly.name(), "eligible_only");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::EligibleOnly => "eligible_only",
            Self::Decision766 => "decision_766",
            Self::FullProcess => "full_process",
            Self::OnlineVsCounter => "online_vs_counter",
        }
    }
}

impl FromStr for OnlinePolicy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.name() == s)
            .ok_or_else(|| Error::unknown("online share policy", s, &Self::ALL.map(Self::name)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fraction_comparison_matches_cross_multiplication(a in 0u64..1_000_000, b in 1u64..1_000_000,
                                                            c in 0u64..1_000_000, d in 1u64..1_000_000) {
            let expected = (u128::from(a) * u128::from(d)).cmp(&(u128::from(c) * u128::from(b)));
            prop_assert_eq!(cmp_fractions(a.into(), b.into(), c.into(), d.into()), expected);
        }

        #[test]
        fn to_percent_brackets_the_exact_value(n in 0u64..1_000_000, extra in 0u64..1_000_000, dp in 0u32..6) {
            let d = n + extra.max(1);
            let r = Rate::new(n, d).unwrap();
            let down = r.to_percent(dp, RoundingStrategy::ToZero);
            let up = r.to_percent(dp, RoundingStrategy::AwayFromZero);
            let half = r.to_percent(dp, RoundingStrategy::MidpointAwayFromZero);
            prop_assert!(r.cmp_percent(down) != Ordering::Less);
            prop_assert!(r.cmp_percent(up) != Ordering::Greater);
            prop_assert!(down <= half && half <= up);
            prop_assert!(up - down <= Decimal::new(1, dp));
        }
    }

    #[test]
    fn huge_counts_compare_exactly() {
        let a = Rate::new(u64::MAX - 1, u64::MAX).unwrap();
        let b = Rate::new(u64::MAX - 2, u64::MAX - 1).unwrap();
        assert_eq!(a.cmp(&b), Ordering::Greater);
        assert_eq!(a.cmp_percent(Decimal::from(100)), Ordering::Less);
    }
}
