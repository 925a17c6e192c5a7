//! A mergeable count of every classification bucket, and the rates computed from it.

use std::ops::{Add, AddAssign};

use serde::{Deserialize, Serialize};

use crate::classify::Outcome;
use crate::dossier::{Channel, OnlineService};
use crate::error::{Error, Result};
use crate::rate::{OnTimePolicy, OnlinePolicy, Rate};

/// Counts of dossiers by outcome, plus the channel and online-service counts of newly received
/// dossiers. A commutative monoid: [`Tally::merge`] is associative and commutative with
/// `Tally::default()` as identity, so tallies of shards or threads combine exactly.
///
/// Every counted dossier is in exactly one outcome bucket; `not_received` and `outside_window`
/// keep excluded dossiers for conservation but no rate reads them.
///
/// # Example
/// ```
/// use tthc_metrics::{Tally, Outcome, OnTimePolicy, Channel, OnlineService};
/// let mut t = Tally::default();
/// for _ in 0..3 { t.add(Outcome::OnTime, Channel::Online, OnlineService::Full, true, false); }
/// t.add(Outcome::Late, Channel::Direct, OnlineService::None, true, false);
/// let r = t.on_time_rate(OnTimePolicy::ResolvedOnly).unwrap();
/// assert_eq!((r.numerator(), r.denominator()), (3, 4));
/// assert_eq!(t.merge(&Tally::default()), t);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
pub struct Tally {
    /// Finished before the due date.
    pub early: u64,
    /// Finished on the due date.
    pub on_time: u64,
    /// Finished after the due date.
    pub late: u64,
    /// Unfinished, not overdue.
    pub within_due: u64,
    /// Unfinished, overdue.
    pub overdue: u64,
    /// Unfinished, waiting for a supplement.
    pub awaiting_supplement: u64,
    /// Unfinished, waiting for the citizen's financial obligation (status 6).
    pub awaiting_payment: u64,
    /// Refused.
    pub refused: u64,
    /// Withdrawn.
    pub withdrawn: u64,
    /// Stopped (status 8).
    pub stopped: u64,
    /// Never received (status 1, 3): excluded from rates.
    pub not_received: u64,
    /// Received outside the window (after the cut-off or before the start): excluded from rates.
    pub outside_window: u64,
    /// Of the counted dossiers, those received before the period (activity view; 0 in cohorts).
    pub carried_over: u64,
    /// Newly received online.
    pub received_online: u64,
    /// Newly received at the counter.
    pub received_direct: u64,
    /// Newly received by post.
    pub received_post: u64,
    /// Newly received dossiers of procedures with an online service (partial or full).
    pub eligible: u64,
    /// Of `eligible`, those received online.
    pub eligible_online: u64,
    /// Newly received online dossiers of full-process procedures.
    pub full_process_online: u64,
    /// Newly received dossiers synchronised to the national portal.
    pub synced: u64,
}

impl Tally {
    /// The count of one outcome bucket.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Tally, Outcome};
    /// let t = Tally { late: 662, ..Tally::default() };
    /// assert_eq!(t.get(Outcome::Late), 662);
    /// ```
    pub fn get(&self, outcome: Outcome) -> u64 {
        match outcome {
            Outcome::Early => self.early,
            Outcome::OnTime => self.on_time,
            Outcome::Late => self.late,
            Outcome::WithinDue => self.within_due,
            Outcome::Overdue => self.overdue,
            Outcome::AwaitingSupplement => self.awaiting_supplement,
            Outcome::AwaitingPayment => self.awaiting_payment,
            Outcome::Refused => self.refused,
            Outcome::Withdrawn => self.withdrawn,
            Outcome::Stopped => self.stopped,
            Outcome::NotReceived => self.not_received,
            Outcome::OutsideWindow => self.outside_window,
        }
    }

    fn slot(&mut self, outcome: Outcome) -> &mut u64 {
        match outcome {
            Outcome::Early => &mut self.early,
            Outcome::OnTime => &mut self.on_time,
            Outcome::Late => &mut self.late,
            Outcome::WithinDue => &mut self.within_due,
            Outcome::Overdue => &mut self.overdue,
            Outcome::AwaitingSupplement => &mut self.awaiting_supplement,
            Outcome::AwaitingPayment => &mut self.awaiting_payment,
            Outcome::Refused => &mut self.refused,
            Outcome::Withdrawn => &mut self.withdrawn,
            Outcome::Stopped => &mut self.stopped,
            Outcome::NotReceived => &mut self.not_received,
            Outcome::OutsideWindow => &mut self.outside_window,
        }
    }

    /// Counts one dossier: its outcome, and, for a counted dossier that is new in the period
    /// (`carried == false`), its channel, online-service level and portal sync.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Tally, Outcome, Channel, OnlineService};
    /// let mut t = Tally::default();
    /// t.add(Outcome::WithinDue, Channel::Online, OnlineService::Partial, true, false);
    /// t.add(Outcome::Overdue, Channel::Direct, OnlineService::Partial, true, true);
    /// assert_eq!((t.received(), t.carried_over, t.eligible, t.eligible_online), (1, 1, 1, 1));
    /// ```
    pub fn add(
        &mut self,
        outcome: Outcome,
        channel: Channel,
        online_service: OnlineService,
        synced: bool,
        carried: bool,
    ) {
        self.add_n(outcome, channel, online_service, synced, carried, 1);
    }

    /// Counts `n` dossiers with the same outcome and attributes (the kernel's combination
    /// histogram is folded into tallies with it).
    pub(crate) fn add_n(
        &mut self,
        outcome: Outcome,
        channel: Channel,
        online_service: OnlineService,
        synced: bool,
        carried: bool,
        n: u64,
    ) {
        self.add_outcome_n(outcome, carried, n);
        if outcome.is_counted() && !carried {
            self.add_attributes(channel, online_service, synced, n);
        }
    }

    /// Counts `n` dossiers of one outcome (and as carried over when `carried`), without their
    /// attributes.
    pub(crate) fn add_outcome_n(&mut self, outcome: Outcome, carried: bool, n: u64) {
        *self.slot(outcome) += n;
        if carried && outcome.is_counted() {
            self.carried_over += n;
        }
    }

    /// Counts the channel, online-service level and portal sync of `n` newly received dossiers.
    pub(crate) fn add_attributes(
        &mut self,
        channel: Channel,
        online_service: OnlineService,
        synced: bool,
        n: u64,
    ) {
        let online = channel == Channel::Online;
        match channel {
            Channel::Online => self.received_online += n,
            Channel::Direct => self.received_direct += n,
            Channel::Post => self.received_post += n,
        }
        if online_service.is_eligible() {
            self.eligible += n;
            if online {
                self.eligible_online += n;
            }
        }
        if online && online_service == OnlineService::Full {
            self.full_process_online += n;
        }
        if synced {
            self.synced += n;
        }
    }

    /// The sum of two tallies (the monoid operation).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Tally;
    /// let a = Tally { early: 1, ..Tally::default() };
    /// let b = Tally { late: 2, ..Tally::default() };
    /// assert_eq!(a.merge(&b), b.merge(&a));
    /// assert_eq!(a.merge(&b).finished(), 3);
    /// ```
    #[must_use]
    pub fn merge(&self, other: &Tally) -> Tally {
        let mut t = *self;
        t += *other;
        t
    }

    /// Finished early, on time or late.
    ///
    /// # Example
    /// ```
    /// let t = tthc_metrics::Tally { early: 1, on_time: 2, late: 3, ..Default::default() };
    /// assert_eq!(t.finished(), 6);
    /// ```
    pub fn finished(&self) -> u64 {
        self.early
            .saturating_add(self.on_time)
            .saturating_add(self.late)
    }

    /// Early or on time.
    ///
    /// # Example
    /// ```
    /// let t = tthc_metrics::Tally { early: 1, on_time: 2, late: 3, ..Default::default() };
    /// assert_eq!(t.on_time_or_early(), 3);
    /// ```
    pub fn on_time_or_early(&self) -> u64 {
        self.early.saturating_add(self.on_time)
    }

    /// Unfinished within due or overdue (Biểu II.06a col. 11; awaiting supplement is apart).
    ///
    /// # Example
    /// ```
    /// let t = tthc_metrics::Tally { within_due: 4, overdue: 1, awaiting_supplement: 9, ..Default::default() };
    /// assert_eq!(t.unfinished(), 5);
    /// ```
    pub fn unfinished(&self) -> u64 {
        self.within_due.saturating_add(self.overdue)
    }

    /// Waiting for the citizen: a supplement or a payment (clock paused).
    ///
    /// # Example
    /// ```
    /// let t = tthc_metrics::Tally { awaiting_supplement: 2, awaiting_payment: 1, ..Default::default() };
    /// assert_eq!(t.awaiting(), 3);
    /// ```
    pub fn awaiting(&self) -> u64 {
        self.awaiting_supplement
            .saturating_add(self.awaiting_payment)
    }

    /// The backlog at the cut-off: every dossier still being handled (unfinished within due or
    /// overdue, and those waiting for the citizen).
    ///
    /// # Example
    /// ```
    /// let t = tthc_metrics::Tally { within_due: 4, overdue: 1, awaiting_payment: 2, ..Default::default() };
    /// assert_eq!(t.backlog(), 7);
    /// ```
    pub fn backlog(&self) -> u64 {
        self.unfinished().saturating_add(self.awaiting())
    }

    /// Refused, withdrawn or stopped.
    ///
    /// # Example
    /// ```
    /// let t = tthc_metrics::Tally { refused: 1, withdrawn: 1, stopped: 1, ..Default::default() };
    /// assert_eq!(t.refused_withdrawn(), 3);
    /// ```
    pub fn refused_withdrawn(&self) -> u64 {
        self.refused
            .saturating_add(self.withdrawn)
            .saturating_add(self.stopped)
    }

    /// Every counted dossier (Biểu II.06a col. 3, "to handle"): all buckets but the excluded two.
    ///
    /// # Example
    /// ```
    /// let t = tthc_metrics::Tally { early: 1, overdue: 2, not_received: 5, ..Default::default() };
    /// assert_eq!(t.handled(), 3);
    /// ```
    pub fn handled(&self) -> u64 {
        self.finished()
            .saturating_add(self.backlog())
            .saturating_add(self.refused_withdrawn())
    }

    /// Newly received dossiers (counted, not carried over).
    ///
    /// # Example
    /// ```
    /// let t = tthc_metrics::Tally { received_online: 2, received_direct: 3, received_post: 1, ..Default::default() };
    /// assert_eq!(t.received(), 6);
    /// ```
    pub fn received(&self) -> u64 {
        self.received_online
            .saturating_add(self.received_direct)
            .saturating_add(self.received_post)
    }

    /// Every dossier that went into this tally, counted or excluded.
    ///
    /// # Example
    /// ```
    /// let t = tthc_metrics::Tally { early: 1, outside_window: 2, ..Default::default() };
    /// assert_eq!(t.total(), 3);
    /// ```
    pub fn total(&self) -> u64 {
        self.handled()
            .saturating_add(self.not_received)
            .saturating_add(self.outside_window)
    }

    /// Checks that all the counts add up to at most `u64::MAX`, so that every sum a rate reads
    /// is exact. Tallies built by reports always pass (their counts are at most the number of
    /// input rows); one built by hand or deserialized may not.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] naming the tally.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Tally;
    /// assert!(Tally { on_time: 3, late: 1, ..Tally::default() }.check_counts().is_ok());
    /// let huge = Tally { on_time: u64::MAX, late: 1, ..Tally::default() };
    /// assert_eq!(huge.check_counts().unwrap_err().code(), "invalid_argument");
    /// assert_eq!(huge.on_time_rate(tthc_metrics::OnTimePolicy::ResolvedOnly).unwrap_err().code(), "invalid_argument");
    /// assert_eq!(huge.finished(), u64::MAX); // the plain sums saturate
    /// ```
    pub fn check_counts(&self) -> Result<()> {
        let counts = [
            self.early,
            self.on_time,
            self.late,
            self.within_due,
            self.overdue,
            self.awaiting_supplement,
            self.awaiting_payment,
            self.refused,
            self.withdrawn,
            self.stopped,
            self.not_received,
            self.outside_window,
            self.carried_over,
            self.received_online,
            self.received_direct,
            self.received_post,
            self.eligible,
            self.eligible_online,
            self.full_process_online,
            self.synced,
        ];
        match counts.iter().try_fold(0u64, |a, &b| a.checked_add(b)) {
            Some(_) => Ok(()),
            None => Err(Error::InvalidArgument {
                name: "tally",
                reason: "its counts add up to more than 2^64 - 1: no rate of it is exact".into(),
            }),
        }
    }

    /// The on-time rate under `policy` (domain-rules section 4).
    ///
    /// # Errors
    /// [`Error::NoData`] when the policy's denominator is 0; [`Error::InvalidArgument`] when the
    /// counts overflow ([`Tally::check_counts`]).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Tally, OnTimePolicy};
    /// use rust_decimal::{Decimal, RoundingStrategy::MidpointAwayFromZero};
    /// // the seed: 10,677 early/on time, 662 late
    /// let t = Tally { on_time: 10_677, late: 662, within_due: 4_596, ..Tally::default() };
    /// let r = t.on_time_rate(OnTimePolicy::ResolvedOnly).unwrap();
    /// assert_eq!(r.to_percent(1, MidpointAwayFromZero), Decimal::new(942, 1));
    /// assert_eq!(t.late_rate(OnTimePolicy::ResolvedOnly).unwrap().to_percent(1, MidpointAwayFromZero), Decimal::new(58, 1));
    /// ```
    pub fn on_time_rate(&self, policy: OnTimePolicy) -> Result<Rate> {
        self.check_counts()?;
        let good = self.on_time_or_early();
        let (num, den) = match policy {
            OnTimePolicy::ResolvedOnly => (good, self.finished()),
            OnTimePolicy::Decision766 => (
                // a dossier awaiting the citizen has its clock paused: not overdue
                good + self.within_due + self.awaiting(),
                self.finished() + self.backlog(),
            ),
            OnTimePolicy::DueInPeriod => (good, self.finished() + self.overdue),
            OnTimePolicy::LateShare => {
                let den = self.handled();
                (den - self.late - self.overdue, den)
            }
        };
        Rate::named(num, den, &format!("{} on-time rate", policy.name()))
    }

    /// `1 − on_time_rate(policy)`: the late share under the same policy (662 / 11,339 = 5.8% in
    /// the seed under `resolved_only`).
    ///
    /// # Errors
    /// [`Error::NoData`] when the policy's denominator is 0; [`Error::InvalidArgument`] when the
    /// counts overflow ([`Tally::check_counts`]).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Tally, OnTimePolicy};
    /// let t = Tally { on_time: 3, late: 1, ..Tally::default() };
    /// assert_eq!(t.late_rate(OnTimePolicy::ResolvedOnly).unwrap().numerator(), 1);
    /// ```
    pub fn late_rate(&self, policy: OnTimePolicy) -> Result<Rate> {
        self.on_time_rate(policy).map(|r| r.complement())
    }

    /// The online share under `policy` (domain-rules section 5).
    ///
    /// `decision_766` multiplies the online share of all received by the portal sync rate; the
    /// product is reduced to lowest terms and must fit in 64-bit integers.
    ///
    /// # Errors
    /// [`Error::NoData`] when nothing was received (or nothing eligible for `eligible_only`);
    /// [`Error::InvalidArgument`] when the counts overflow ([`Tally::check_counts`]).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Tally, OnlinePolicy};
    /// let t = Tally { received_online: 132, received_direct: 868, eligible: 400, eligible_online: 132,
    ///                 synced: 1_000, ..Tally::default() };
    /// assert_eq!(t.online_share(OnlinePolicy::EligibleOnly).unwrap().denominator(), 400);
    /// let r = t.online_share(OnlinePolicy::Decision766).unwrap();
    /// assert_eq!((r.numerator(), r.denominator()), (33, 250)); // 132/1000 × 1000/1000
    /// ```
    pub fn online_share(&self, policy: OnlinePolicy) -> Result<Rate> {
        self.check_counts()?;
        let what = format!("{} online share", policy.name());
        match policy {
            OnlinePolicy::EligibleOnly => Rate::named(self.eligible_online, self.eligible, &what),
            OnlinePolicy::FullProcess => {
                Rate::named(self.full_process_online, self.received(), &what)
            }
            OnlinePolicy::OnlineVsCounter => Rate::named(
                self.received_online,
                self.received_online + self.received_direct,
                &what,
            ),
            OnlinePolicy::Decision766 => {
                let r = u128::from(self.received());
                if r == 0 {
                    return Err(Error::NoData { what });
                }
                let num =
                    u128::from(self.received_online) * u128::from(self.synced.min(self.received()));
                let den = r * r;
                let g = gcd(num, den);
                let (num, den) = (num / g, den / g);
                match (u64::try_from(num), u64::try_from(den)) {
                    (Ok(n), Ok(d)) => Rate::named(n, d, &what),
                    _ => Err(Error::InvalidArgument {
                        name: "tally",
                        reason: "the decision_766 online share does not fit in 64-bit integers"
                            .into(),
                    }),
                }
            }
        }
    }
}

fn gcd(mut a: u128, mut b: u128) -> u128 {
    while b != 0 {
        (a, b) = (b, a % b);
    }
    a.max(1)
}

/// Applies `f` to each pair of counts of two tallies, field by field.
macro_rules! each_count {
    ($a:expr, $b:expr, $f:expr) => {{
        let (a, b) = ($a, $b);
        Tally {
            early: $f(a.early, b.early)?,
            on_time: $f(a.on_time, b.on_time)?,
            late: $f(a.late, b.late)?,
            within_due: $f(a.within_due, b.within_due)?,
            overdue: $f(a.overdue, b.overdue)?,
            awaiting_supplement: $f(a.awaiting_supplement, b.awaiting_supplement)?,
            awaiting_payment: $f(a.awaiting_payment, b.awaiting_payment)?,
            refused: $f(a.refused, b.refused)?,
            withdrawn: $f(a.withdrawn, b.withdrawn)?,
            stopped: $f(a.stopped, b.stopped)?,
            not_received: $f(a.not_received, b.not_received)?,
            outside_window: $f(a.outside_window, b.outside_window)?,
            carried_over: $f(a.carried_over, b.carried_over)?,
            received_online: $f(a.received_online, b.received_online)?,
            received_direct: $f(a.received_direct, b.received_direct)?,
            received_post: $f(a.received_post, b.received_post)?,
            eligible: $f(a.eligible, b.eligible)?,
            eligible_online: $f(a.eligible_online, b.eligible_online)?,
            full_process_online: $f(a.full_process_online, b.full_process_online)?,
            synced: $f(a.synced, b.synced)?,
        }
    }};
}

impl Tally {
    /// The exact sum of two tallies.
    ///
    /// # Errors
    /// [`Error::Overflow`] when a count would exceed `i64::MAX` (the largest count an output
    /// table holds).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Tally;
    /// let a = Tally { late: 2, ..Tally::default() };
    /// assert_eq!(a.checked_add(&a).unwrap().late, 4);
    /// let huge = Tally { late: i64::MAX as u64, ..Tally::default() };
    /// assert_eq!(huge.checked_add(&a).unwrap_err().code(), "overflow");
    /// ```
    pub fn checked_add(&self, other: &Tally) -> Result<Tally> {
        let add = |x: u64, y: u64| -> Result<u64> {
            x.checked_add(y)
                .filter(|&s| i64::try_from(s).is_ok())
                .ok_or_else(|| Error::Overflow("a tally's count would exceed 2^63 - 1".into()))
        };
        Ok(each_count!(self, other, add))
    }
}

impl AddAssign for Tally {
    /// Saturating sum (use [`Tally::checked_add`] to be told of an overflow).
    fn add_assign(&mut self, o: Tally) {
        let add = |x: u64, y: u64| -> Option<u64> { Some(x.saturating_add(y)) };
        let sum = (|| Some(each_count!(&*self, &o, add)))();
        if let Some(t) = sum {
            *self = t;
        }
    }
}
impl Add for Tally {
    type Output = Tally;
    fn add(self, o: Tally) -> Tally {
        self.merge(&o)
    }
}

impl std::iter::Sum for Tally {
    fn sum<I: Iterator<Item = Tally>>(iter: I) -> Tally {
        iter.fold(Tally::default(), |a, b| a + b)
    }
}
