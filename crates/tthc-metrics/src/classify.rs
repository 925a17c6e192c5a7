//! Classification of one dossier at a cut-off (domain-rules section 3).
//!
//! The same rules serve the record API (`&Dossier`) and the columnar kernel: both reduce a dossier
//! to [`Facts`] (local instants as seconds since 1970-01-01 00:00 local time) and call
//! [`classify_facts`].

use std::fmt;

use chrono::NaiveDateTime;
use serde::{Deserialize, Serialize};

use crate::dossier::{Dossier, Status, StatusGroup};

/// Seconds in a day.
pub(crate) const DAY: i64 = 86_400;

/// A local civil instant as seconds since 1970-01-01 00:00 local time.
///
/// # Example
/// ```
/// use tthc_metrics::local_seconds;
/// use chrono::NaiveDate;
/// let t = NaiveDate::from_ymd_opt(1970, 1, 2).unwrap().and_hms_opt(0, 0, 1).unwrap();
/// assert_eq!(local_seconds(t), 86_401);
/// ```
pub fn local_seconds(t: NaiveDateTime) -> i64 {
    t.and_utc().timestamp()
}

/// Where one dossier stands at a cut-off. Every dossier gets exactly one outcome.
///
/// # Example
/// ```
/// use tthc_metrics::Outcome;
/// assert!(Outcome::Early.is_finished());
/// assert!(Outcome::Overdue.is_unfinished());
/// assert!(!Outcome::NotReceived.is_counted());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Outcome {
    /// Finished before the due date (trước hạn).
    Early,
    /// Finished on the due date (đúng hạn).
    OnTime,
    /// Finished after the due date (trễ hạn).
    Late,
    /// Unfinished, due date not yet passed (trong hạn).
    WithinDue,
    /// Unfinished, due date passed (quá hạn).
    Overdue,
    /// Unfinished, waiting for the citizen's supplement (clock paused).
    AwaitingSupplement,
    /// Unfinished, waiting for the citizen's financial obligation (fees, taxes; clock paused).
    AwaitingPayment,
    /// Refused.
    Refused,
    /// Withdrawn by the citizen.
    Withdrawn,
    /// Processing stopped, or waiting for a financial obligation.
    Stopped,
    /// Never received (status 1 or 3): excluded from every count, kept for conservation.
    NotReceived,
    /// Received outside the report's window (after the cut-off, or before the window's start):
    /// kept for conservation, in no row.
    OutsideWindow,
}

impl Outcome {
    /// Number of outcomes (the size of a tally's bucket array).
    pub const COUNT: usize = 12;

    /// All outcomes, in bucket order.
    pub const ALL: [Outcome; Self::COUNT] = [
        Self::Early,
        Self::OnTime,
        Self::Late,
        Self::WithinDue,
        Self::Overdue,
        Self::AwaitingSupplement,
        Self::AwaitingPayment,
        Self::Refused,
        Self::Withdrawn,
        Self::Stopped,
        Self::NotReceived,
        Self::OutsideWindow,
    ];

    /// Early, on time or late.
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::Outcome::Late.is_finished());
    /// ```
    pub fn is_finished(self) -> bool {
        matches!(self, Self::Early | Self::OnTime | Self::Late)
    }

    /// Within due or overdue (Biểu II.06a col. 11; not awaiting the citizen).
    ///
    /// # Example
    /// ```
    /// assert!(!tthc_metrics::Outcome::AwaitingSupplement.is_unfinished());
    /// ```
    pub fn is_unfinished(self) -> bool {
        matches!(self, Self::WithinDue | Self::Overdue)
    }

    /// Waiting for the citizen (a supplement or a payment): unfinished, clock paused.
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::Outcome::AwaitingPayment.is_awaiting());
    /// ```
    pub fn is_awaiting(self) -> bool {
        matches!(self, Self::AwaitingSupplement | Self::AwaitingPayment)
    }

    /// Refused, withdrawn or stopped.
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::Outcome::Withdrawn.is_closed_without_result());
    /// ```
    pub fn is_closed_without_result(self) -> bool {
        matches!(self, Self::Refused | Self::Withdrawn | Self::Stopped)
    }

    /// Whether the dossier counts at all (not never-received, not after the cut-off).
    ///
    /// # Example
    /// ```
    /// assert!(tthc_metrics::Outcome::OnTime.is_counted());
    /// ```
    pub fn is_counted(self) -> bool {
        !matches!(self, Self::NotReceived | Self::OutsideWindow)
    }

    /// Position in [`Outcome::ALL`].
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Outcome;
    /// assert_eq!(Outcome::ALL[Outcome::Overdue.index()], Outcome::Overdue);
    /// ```
    pub fn index(self) -> usize {
        self as usize
    }

    /// The snake_case name.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::Outcome::OnTime.name(), "on_time");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::Early => "early",
            Self::OnTime => "on_time",
            Self::Late => "late",
            Self::WithinDue => "within_due",
            Self::Overdue => "overdue",
            Self::AwaitingSupplement => "awaiting_supplement",
            Self::AwaitingPayment => "awaiting_payment",
            Self::Refused => "refused",
            Self::Withdrawn => "withdrawn",
            Self::Stopped => "stopped",
            Self::NotReceived => "not_received",
            Self::OutsideWindow => "outside_window",
        }
    }
}

impl fmt::Display for Outcome {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// How a finish time is compared with the due date.
///
/// # Example
/// ```
/// assert_eq!(tthc_metrics::Comparison::default(), tthc_metrics::Comparison::Date);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Comparison {
    /// Calendar dates (local one-stop software): finishing on the due day is on time.
    #[default]
    Date,
    /// Timestamps (the national portal): `finished_at <= due_at` is on time.
    Timestamp,
}

/// What more than one supplement request does to an unfinished dossier.
///
/// # Example
/// ```
/// assert_eq!(tthc_metrics::SupplementRule::default(), tthc_metrics::SupplementRule::Pause);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SupplementRule {
    /// The clock is paused while the citizen supplements; the number of requests does not matter.
    #[default]
    Pause,
    /// Decision 766: an unfinished dossier with more than one supplement request counts as overdue.
    RepeatedIsOverdue,
}

/// Which due date classification uses when an apology letter set a new one.
///
/// # Example
/// ```
/// assert_eq!(tthc_metrics::DueDateChoice::default(), tthc_metrics::DueDateChoice::Original);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DueDateChoice {
    /// The appointment on the reception slip: an apology does not make a late dossier on time.
    #[default]
    Original,
    /// The apology's rescheduled date where there is one.
    Rescheduled,
}

named_options!(
    Comparison,
    "comparison",
    [(Date, "date"), (Timestamp, "timestamp")]
);
named_options!(
    SupplementRule,
    "supplement rule",
    [(Pause, "pause"), (RepeatedIsOverdue, "repeated_is_overdue")]
);
named_options!(
    DueDateChoice,
    "due date choice",
    [(Original, "original"), (Rescheduled, "rescheduled")]
);

/// Options of classification, with the defaults of domain-rules section 3.
///
/// # Example
/// ```
/// use tthc_metrics::{ClassifyOptions, Comparison, SupplementRule};
/// let o = ClassifyOptions::default().comparison(Comparison::Timestamp)
///     .supplement_rule(SupplementRule::RepeatedIsOverdue);
/// assert_eq!(o.comparison, Comparison::Timestamp);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ClassifyOptions {
    /// Date (default) or timestamp comparison.
    #[serde(default)]
    pub comparison: Comparison,
    /// Pause (default) or "more than one request is overdue".
    #[serde(default)]
    pub supplement_rule: SupplementRule,
    /// Original (default) or rescheduled due date.
    #[serde(default)]
    pub due_date: DueDateChoice,
}

impl ClassifyOptions {
    /// Sets the comparison.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{ClassifyOptions, Comparison};
    /// assert_eq!(ClassifyOptions::default().comparison(Comparison::Date).comparison, Comparison::Date);
    /// ```
    #[must_use]
    pub fn comparison(mut self, c: Comparison) -> Self {
        self.comparison = c;
        self
    }

    /// Sets the supplement rule.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{ClassifyOptions, SupplementRule};
    /// let o = ClassifyOptions::default().supplement_rule(SupplementRule::Pause);
    /// assert_eq!(o.supplement_rule, SupplementRule::Pause);
    /// ```
    #[must_use]
    pub fn supplement_rule(mut self, r: SupplementRule) -> Self {
        self.supplement_rule = r;
        self
    }

    /// Sets which due date is used.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{ClassifyOptions, DueDateChoice};
    /// let o = ClassifyOptions::default().due_date(DueDateChoice::Rescheduled);
    /// assert_eq!(o.due_date, DueDateChoice::Rescheduled);
    /// ```
    #[must_use]
    pub fn due_date(mut self, d: DueDateChoice) -> Self {
        self.due_date = d;
        self
    }
}

/// The facts about a dossier that classification reads, as local seconds (see [`local_seconds`]).
///
/// # Example
/// ```
/// use tthc_metrics::{Facts, Status};
/// let f = Facts { received: 0, due: Some(86_400), finished: None, status: Status::Processing, supplement_requests: 0 };
/// assert_eq!(f.end(), None);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Facts {
    /// Reception.
    pub received: i64,
    /// The due date in force (after [`DueDateChoice`]).
    pub due: Option<i64>,
    /// End of processing (or of refusal, withdrawal, stop) if any.
    pub finished: Option<i64>,
    /// Current status.
    pub status: Status,
    /// Number of supplement requests.
    pub supplement_requests: u32,
}

impl Facts {
    /// The facts of a dossier under `options` (which due date).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Dossier, Facts, ClassifyOptions, Status};
    /// use chrono::NaiveDate;
    /// let t = NaiveDate::from_ymd_opt(1970, 1, 1).unwrap().and_hms_opt(1, 0, 0).unwrap();
    /// let f = Facts::of(&Dossier::new("A", "U", t, Status::Processing), &ClassifyOptions::default());
    /// assert_eq!(f.received, 3_600);
    /// ```
    pub fn of(d: &Dossier, options: &ClassifyOptions) -> Self {
        let due = match options.due_date {
            DueDateChoice::Original => d.due_at,
            DueDateChoice::Rescheduled => d.rescheduled_due_at.or(d.due_at),
        };
        Self {
            received: local_seconds(d.received_at),
            due: due.map(local_seconds),
            finished: d.finished_at.map(local_seconds),
            status: d.status,
            supplement_requests: d.supplement_requests,
        }
    }

    /// When the dossier left processing: the finish time of a finished, refused, withdrawn or
    /// stopped dossier. A refused, withdrawn or stopped dossier without an end time is taken to
    /// have ended when it was received (documented in DESIGN.md); `None` while in processing.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Facts, Status};
    /// let f = Facts { received: 5, due: None, finished: None, status: Status::Withdrawn, supplement_requests: 0 };
    /// assert_eq!(f.end(), Some(5));
    /// ```
    #[inline]
    pub fn end(&self) -> Option<i64> {
        match self.status.group() {
            StatusGroup::Finished => self.finished,
            StatusGroup::Refused | StatusGroup::Withdrawn | StatusGroup::Stopped => {
                Some(self.finished.unwrap_or(self.received))
            }
            StatusGroup::Processing
            | StatusGroup::Supplement
            | StatusGroup::Payment
            | StatusGroup::NeverReceived => None,
        }
    }
}

/// Classifies a dossier at the cut-off instant `cutoff` (local seconds). Pure and total: every
/// input gets exactly one [`Outcome`].
///
/// The status is the current one (as exported); times decide what was true at the cut-off: a
/// dossier finished after the cut-off was still unfinished at it.
///
/// # Example
/// ```
/// use tthc_metrics::{classify_facts, ClassifyOptions, Comparison, Facts, Outcome, Status};
/// const H: i64 = 3_600;
/// const D: i64 = 86_400;
/// let f = Facts { received: 0, due: Some(2 * D + 8 * H), finished: Some(2 * D + 16 * H),
///                 status: Status::Processed, supplement_requests: 0 };
/// let o = ClassifyOptions::default();
/// assert_eq!(classify_facts(&f, 10 * D, &o), Outcome::OnTime); // same day: on time by date
/// assert_eq!(classify_facts(&f, 10 * D, &o.comparison(Comparison::Timestamp)), Outcome::Late);
/// assert_eq!(classify_facts(&f, D, &o), Outcome::WithinDue); // not finished yet at day 1
/// assert_eq!(classify_facts(&f, 2 * D + 12 * H, &o), Outcome::WithinDue); // due today
/// ```
#[inline]
pub fn classify_facts(f: &Facts, cutoff: i64, options: &ClassifyOptions) -> Outcome {
    let group = f.status.group();
    if group == StatusGroup::NeverReceived {
        return Outcome::NotReceived;
    }
    if f.received > cutoff {
        return Outcome::OutsideWindow;
    }
    if let Some(end) = f.end() {
        if end <= cutoff {
            return match group {
                StatusGroup::Finished => finished_outcome(end, f.due, options.comparison),
                StatusGroup::Refused => Outcome::Refused,
                StatusGroup::Withdrawn => Outcome::Withdrawn,
                _ => Outcome::Stopped,
            };
        }
    }
    // unfinished at the cut-off
    if options.supplement_rule == SupplementRule::RepeatedIsOverdue && f.supplement_requests > 1 {
        return Outcome::Overdue;
    }
    match group {
        StatusGroup::Supplement => return Outcome::AwaitingSupplement,
        StatusGroup::Payment => return Outcome::AwaitingPayment,
        _ => {}
    }
    match f.due {
        None => Outcome::WithinDue,
        Some(due) => {
            let within = match options.comparison {
                Comparison::Date => due.div_euclid(DAY) >= cutoff.div_euclid(DAY),
                Comparison::Timestamp => due >= cutoff,
            };
            if within {
                Outcome::WithinDue
            } else {
                Outcome::Overdue
            }
        }
    }
}

#[inline]
fn finished_outcome(finished: i64, due: Option<i64>, comparison: Comparison) -> Outcome {
    let Some(due) = due else {
        // no due date on record: on time (domain-rules section 3)
        return Outcome::OnTime;
    };
    let (fd, dd) = (finished.div_euclid(DAY), due.div_euclid(DAY));
    match comparison {
        Comparison::Timestamp if finished > due => Outcome::Late,
        Comparison::Timestamp => {
            if fd < dd {
                Outcome::Early
            } else {
                Outcome::OnTime
            }
        }
        Comparison::Date => match fd.cmp(&dd) {
            std::cmp::Ordering::Less => Outcome::Early,
            std::cmp::Ordering::Equal => Outcome::OnTime,
            std::cmp::Ordering::Greater => Outcome::Late,
        },
    }
}

/// Classifies a dossier at the cut-off `cutoff` (local civil time).
///
/// Assumes the dossier passed [`Dossier::validate`]; an invalid one still gets an outcome (the
/// function is total) but reports reject invalid records before classifying.
///
/// # Example
/// ```
/// use tthc_metrics::{classify, ClassifyOptions, Dossier, Outcome, Status};
/// use chrono::NaiveDate;
/// let at = |d| NaiveDate::from_ymd_opt(2023, 10, d).unwrap().and_hms_opt(9, 0, 0).unwrap();
/// let d = Dossier::new("A", "U", at(2), Status::Returned).with_due(at(6)).with_finished(at(9));
/// assert_eq!(classify(&d, at(16), &ClassifyOptions::default()), Outcome::Late);
/// // an apology's new date does not make it on time by default
/// let d = d.with_apology(Some(at(12)));
/// assert_eq!(classify(&d, at(16), &ClassifyOptions::default()), Outcome::Late);
/// ```
pub fn classify(d: &Dossier, cutoff: NaiveDateTime, options: &ClassifyOptions) -> Outcome {
    classify_facts(&Facts::of(d, options), local_seconds(cutoff), options)
}
