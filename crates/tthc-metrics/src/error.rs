//! The crate's one error type and the record-level rejection it carries.

use std::fmt::{self, Write as _};

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::period::Period;

/// Why a single input record was rejected.
///
/// Each reason has a stable snake_case [`code`](RejectReason::code) that bindings expose unchanged.
///
/// # Example
/// ```
/// use tthc_metrics::RejectReason;
/// assert_eq!(RejectReason::FinishedBeforeReceived.code(), "finished_before_received");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum RejectReason {
    /// A required field is missing (null or empty).
    Missing,
    /// The status is neither a national code 1–10 nor a known name.
    UnknownStatus,
    /// The channel is neither 1–3 nor a known name.
    UnknownChannel,
    /// The online-service level is not `none`, `partial` or `full`.
    UnknownOnlineService,
    /// The processing end lies before the reception.
    FinishedBeforeReceived,
    /// The appointment (due) date lies before the reception date.
    DueBeforeReceived,
    /// A finished status (9, 10) without a processing end time.
    FinishedWithoutTime,
    /// A value that cannot be read as the expected type (a date, a number).
    Unreadable,
    /// A date outside the range the library supports (1900–2199).
    OutOfRange,
}

impl RejectReason {
    /// Every reason, in declaration order.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::RejectReason;
    /// assert_eq!(RejectReason::ALL.len(), 9);
    /// assert_eq!(RejectReason::ALL[0].code(), "missing");
    /// ```
    pub const ALL: [RejectReason; 9] = [
        Self::Missing,
        Self::UnknownStatus,
        Self::UnknownChannel,
        Self::UnknownOnlineService,
        Self::FinishedBeforeReceived,
        Self::DueBeforeReceived,
        Self::FinishedWithoutTime,
        Self::Unreadable,
        Self::OutOfRange,
    ];

    /// The stable machine-readable code of this reason.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::RejectReason;
    /// assert_eq!(RejectReason::UnknownStatus.code(), "unknown_status");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            Self::Missing => "missing",
            Self::UnknownStatus => "unknown_status",
            Self::UnknownChannel => "unknown_channel",
            Self::UnknownOnlineService => "unknown_online_service",
            Self::FinishedBeforeReceived => "finished_before_received",
            Self::DueBeforeReceived => "due_before_received",
            Self::FinishedWithoutTime => "finished_without_time",
            Self::Unreadable => "unreadable",
            Self::OutOfRange => "out_of_range",
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Self::Missing => "is missing",
            Self::UnknownStatus => "is not a national status code (1-10) or a known status name",
            Self::UnknownChannel => "is not a channel (1 direct, 2 online, 3 post)",
            Self::UnknownOnlineService => "is not an online-service level (none, partial, full)",
            Self::FinishedBeforeReceived => "is before the reception",
            Self::DueBeforeReceived => "is before the reception date",
            Self::FinishedWithoutTime => "is missing although the status says finished",
            Self::Unreadable => "cannot be read",
            Self::OutOfRange => "is outside the supported range 1900-2199",
        }
    }
}

/// One input record that could not be counted, with the field at fault and why.
///
/// Rejections are never silent: reports carry them beside the counts, so that
/// `inputs = counted + rejected` always holds.
///
/// # Example
/// ```
/// use tthc_metrics::{Rejection, RejectReason};
/// let r = Rejection::new(7, "H12.34-231005-0001", "status", "99", RejectReason::UnknownStatus);
/// assert_eq!(
///     r.to_string(),
///     "row 7 (dossier H12.34-231005-0001): status \"99\" is not a national status code (1-10) or a known status name"
/// );
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Rejection {
    /// Zero-based position of the record in the input.
    pub row: usize,
    /// The dossier identifier, when the record has one (else empty).
    pub dossier_id: String,
    /// Canonical name of the field at fault (`received_at`, `status`, ...).
    pub field: String,
    /// The offending value as text (empty when missing).
    pub value: String,
    /// Why the record was rejected.
    pub reason: RejectReason,
}

impl Rejection {
    /// Builds a rejection.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Rejection, RejectReason};
    /// let r = Rejection::new(0, "", "unit", "", RejectReason::Missing);
    /// assert_eq!(r.reason.code(), "missing");
    /// ```
    pub fn new(
        row: usize,
        dossier_id: impl Into<String>,
        field: impl Into<String>,
        value: impl Into<String>,
        reason: RejectReason,
    ) -> Self {
        Self {
            row,
            dossier_id: shorten(dossier_id.into()),
            field: shorten(field.into()),
            value: shorten(value.into()),
            reason,
        }
    }

    /// Characters of a value or dossier id a rejection keeps; a longer text is cut there and
    /// says its full length, so that a table of bad rows stays small whatever the cells hold.
    pub const MAX_TEXT: usize = 120;
}

/// `text` cut to [`Rejection::MAX_TEXT`] characters, with its full length said.
///
/// ```
/// # use tthc_metrics::{Rejection, RejectReason};
/// let long = "x".repeat(10_000);
/// let r = Rejection::new(0, "", "status", long, RejectReason::UnknownStatus);
/// assert!(r.value.ends_with("… (10000 characters)"));
/// assert!(r.value.chars().count() < 150);
/// ```
fn shorten(text: String) -> String {
    if text.len() <= Rejection::MAX_TEXT {
        return text;
    }
    let total = text.chars().count();
    if total <= Rejection::MAX_TEXT {
        return text;
    }
    let mut out: String = text.chars().take(Rejection::MAX_TEXT).collect();
    let _ = write!(out, "… ({total} characters)");
    out
}

impl fmt::Display for Rejection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "row {}", self.row)?;
        if !self.dossier_id.is_empty() {
            write!(f, " (dossier {})", self.dossier_id)?;
        }
        write!(f, ": {} ", self.field)?;
        if !self.value.is_empty() {
            write!(f, "{:?} ", self.value)?;
        }
        f.write_str(self.reason.describe())
    }
}

/// Every error this crate returns.
///
/// Messages are lowercase, show the bad value and what was expected; [`Error::code`] is stable.
///
/// # Example
/// ```
/// use tthc_metrics::{Error, Period};
/// use chrono::NaiveDate;
/// let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap();
/// let err = Period::new(d(10, 5), d(10, 2)).unwrap_err();
/// assert_eq!(err.code(), "invalid_period");
/// assert_eq!(err.to_string(), "period end 2023-10-02 is before its start 2023-10-05");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// An input record was rejected (strict mode).
    #[error("{0}")]
    Rejected(Box<Rejection>),
    /// A period whose end precedes its start.
    #[error("period end {end} is before its start {start}")]
    InvalidPeriod {
        /// First day.
        start: NaiveDate,
        /// Last day.
        end: NaiveDate,
    },
    /// A date outside the range a calendar or period supports.
    #[error("date {date} is outside the supported range {min} to {max}")]
    OutOfRange {
        /// The date asked for.
        date: NaiveDate,
        /// First supported date.
        min: NaiveDate,
        /// Last supported date.
        max: NaiveDate,
    },
    /// A value that does not name anything known (a status, a policy, a preset...).
    #[error("unknown {what} {value:?}; expected one of: {expected}")]
    Unknown {
        /// What kind of name it should have been.
        what: &'static str,
        /// The value given.
        value: String,
        /// The accepted names.
        expected: String,
    },
    /// A rate with a zero denominator: there is nothing to measure.
    #[error("no data: the {what} has a zero denominator")]
    NoData {
        /// Which rate.
        what: String,
    },
    /// A rubric that does not validate.
    #[error("rubric criterion {criterion:?}: {reason}")]
    InvalidRubric {
        /// The criterion at fault (empty for the rubric as a whole).
        criterion: String,
        /// What is wrong.
        reason: String,
    },
    /// Text (JSON, TOML) that cannot be parsed.
    #[error("cannot parse {format}: {message}")]
    Parse {
        /// The format.
        format: &'static str,
        /// The parser's message.
        message: String,
    },
    /// An argument outside its domain (a negative count, an impossible option combination).
    #[error("invalid {name}: {reason}")]
    InvalidArgument {
        /// The argument.
        name: &'static str,
        /// What is wrong.
        reason: String,
    },
    /// A target that no number of additional dossiers can reach.
    #[error("unreachable: {0}")]
    Unreachable(String),
    /// Results that cannot be combined: tallies or reports computed at different cut-offs or
    /// under different policies.
    #[error(
        "cannot merge: {what} differ ({left} vs {right}); compute the parts with the same options"
    )]
    Mismatch {
        /// What differs (`cut-off`, `policies`, ...).
        what: &'static str,
        /// The left side's value.
        left: String,
        /// The right side's value.
        right: String,
    },
    /// The call was interrupted (Ctrl-C in Python) between two blocks of work.
    #[error("interrupted")]
    Interrupted,
    /// A count that does not fit its type (tallies summed beyond 2^63 - 1 dossiers).
    #[error("overflow: {0}")]
    Overflow(String),
    /// A computation that would allocate more working memory than its limit
    /// ([`ReportOptions::memory_limit`](crate::ReportOptions::memory_limit)); raised before the
    /// allocation.
    #[error("{what} needs {} but only {} of the memory limit of {} are left; {hint}", show_bytes(*needed), show_bytes(*available), show_bytes(*limit))]
    MemoryLimit {
        /// What would be allocated, with its sizes.
        what: String,
        /// The bytes it needs.
        needed: u64,
        /// The bytes left of the limit when it was asked for.
        available: u64,
        /// The limit in force.
        limit: u64,
        /// How to stay within the limit.
        hint: String,
    },
    /// A report due on a Friday asked for on another day. The message names the weeks meant
    /// (that of the Friday before and of the Friday after).
    #[error("{}", not_a_friday(*date))]
    NotAFriday {
        /// The date given.
        date: NaiveDate,
    },
    /// Names the data has that a reference does not cover (units missing from a unit tree).
    #[error(
        "the {what} does not cover {} name{} of the data: {}{}; add {} or leave the {what} out",
        missing.len(),
        if missing.len() == 1 { "" } else { "s" },
        missing.iter().take(10).map(|m| format!("{m:?}")).collect::<Vec<_>>().join(", "),
        if missing.len() > 10 { ", ..." } else { "" },
        if missing.len() == 1 { "it" } else { "them" }
    )]
    Uncovered {
        /// What does not cover them (`unit tree`).
        what: &'static str,
        /// The names missing from it (clean spelling), sorted.
        missing: Vec<String>,
    },
    /// A form window in which no dossier was received or carried over: nothing to report (a
    /// wrong window or the wrong file, more likely than a quiet month).
    #[error(
        "no dossier was received in or carried into {} to {}: {detail}",
        window.start().format("%d/%m/%Y"),
        window.end().format("%d/%m/%Y")
    )]
    EmptyWindow {
        /// The window.
        window: Period,
        /// What the data has instead.
        detail: String,
    },
    /// A schedule file (or text) that is not TOML, or not of the schedule format: an unknown
    /// key, a value of the wrong type, a date that is not `YYYY-MM-DD` or does not exist.
    #[error("schedule {origin}: cannot parse: {message}")]
    ScheduleParse {
        /// The file (or the name given to the text).
        origin: String,
        /// What is wrong, and where (year table, list entry), or the TOML parser's message.
        message: String,
    },
    /// A schedule year outside the calendar's range.
    #[error("schedule {origin}: year {year} is outside the supported range 1960-2100")]
    ScheduleYearOutOfRange {
        /// The file.
        origin: String,
        /// The year.
        year: i32,
    },
    /// The same year given twice: in one file, or in two of the schedules loaded together.
    #[error("{}", duplicate_year(origin, *year, first_origin))]
    ScheduleDuplicateYear {
        /// The file giving the year again.
        origin: String,
        /// The year.
        year: i32,
        /// The file that gave it first (the same as `origin` within one file).
        first_origin: String,
    },
    /// A date listed under a year it does not belong to.
    #[error("schedule {origin}, year {year}: {date} is not in {year}")]
    ScheduleDateOutsideYear {
        /// The file.
        origin: String,
        /// The year table.
        year: i32,
        /// The date.
        date: NaiveDate,
    },
    /// A day off on a weekly rest day: `days_off` lists weekday days off only (a holiday on a
    /// weekend shows through its substitute day).
    #[error(
        "schedule {origin}, year {year}: day off {date} is a {}, a weekly rest day (list only \
         weekday days off; a weekend holiday gives a substitute day)",
        date.format("%A")
    )]
    ScheduleDayOffOnWeekend {
        /// The file.
        origin: String,
        /// The year table.
        year: i32,
        /// The date.
        date: NaiveDate,
    },
    /// A working day on a day that is already a working day: `working_days` lists the weekend
    /// days worked in exchange.
    #[error(
        "schedule {origin}, year {year}: working day {date} is a {}, not a weekly rest day (list \
         only the weekend days worked in exchange)",
        date.format("%A")
    )]
    ScheduleWorkingDayOnWeekday {
        /// The file.
        origin: String,
        /// The year table.
        year: i32,
        /// The date.
        date: NaiveDate,
    },
    /// A date listed twice in one year.
    #[error("schedule {origin}, year {year}: {date} is listed twice")]
    ScheduleDuplicateDate {
        /// The file.
        origin: String,
        /// The year table.
        year: i32,
        /// The date.
        date: NaiveDate,
    },
    /// A schedule entry whose fields contradict each other (a `worked` date on a weekday, an
    /// `in_lieu_of` on a swapped day, an empty `source`...).
    #[error("schedule {origin}, year {year}: {reason}")]
    ScheduleInvalidEntry {
        /// The file.
        origin: String,
        /// The year table.
        year: i32,
        /// What is wrong, naming the date.
        reason: String,
    },
}

fn not_a_friday(date: NaiveDate) -> String {
    use chrono::{Datelike, Days};
    let back = u64::from((date.weekday().num_days_from_monday() + 7 - 4) % 7);
    let before = date - Days::new(back);
    let after = before + Days::new(7);
    let week = |friday: NaiveDate| {
        format!(
            "Friday {} covers {} to {}",
            friday.format("%d/%m/%Y"),
            (friday - Days::new(7)).format("%d/%m/%Y"),
            (friday - Days::new(1)).format("%d/%m/%Y")
        )
    };
    format!(
        "{} is a {}, not a Friday: the report of {}; that of {}",
        date.format("%d/%m/%Y"),
        date.format("%A"),
        week(before),
        week(after)
    )
}

fn duplicate_year(origin: &str, year: i32, first_origin: &str) -> String {
    if origin == first_origin {
        format!("schedule {origin}: year {year} is given twice")
    } else {
        format!("schedule {origin}: year {year} is already given by schedule {first_origin}")
    }
}

/// Bytes for messages: `1.5 GiB`, `12.0 MiB`, `900 bytes`.
fn show_bytes(bytes: u64) -> String {
    const MIB: u64 = 1 << 20;
    const GIB: u64 = 1 << 30;
    if bytes >= GIB {
        format!("{:.1} GiB", bytes as f64 / GIB as f64)
    } else if bytes >= MIB {
        format!("{:.1} MiB", bytes as f64 / MIB as f64)
    } else {
        format!("{bytes} bytes")
    }
}

impl Error {
    /// A stable snake_case code for matching (bindings expose it as `.code`).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Error;
    /// let e = Error::NoData { what: "on-time rate".into() };
    /// assert_eq!(e.code(), "no_data");
    /// ```
    pub fn code(&self) -> &'static str {
        match self {
            Self::Rejected(_) => "rejected_record",
            Self::InvalidPeriod { .. } => "invalid_period",
            Self::OutOfRange { .. } => "out_of_range",
            Self::Unknown { .. } => "unknown_name",
            Self::NoData { .. } => "no_data",
            Self::InvalidRubric { .. } => "invalid_rubric",
            Self::Parse { .. } => "parse_error",
            Self::InvalidArgument { .. } => "invalid_argument",
            Self::Unreachable(_) => "unreachable",
            Self::MemoryLimit { .. } => "memory_limit",
            Self::Mismatch { .. } => "mismatch",
            Self::Interrupted => "interrupted",
            Self::Overflow(_) => "overflow",
            Self::NotAFriday { .. } => "not_a_friday",
            Self::Uncovered { .. } => "uncovered",
            Self::EmptyWindow { .. } => "empty_window",
            Self::ScheduleParse { .. } => "schedule_parse",
            Self::ScheduleYearOutOfRange { .. } => "schedule_year_out_of_range",
            Self::ScheduleDuplicateYear { .. } => "schedule_duplicate_year",
            Self::ScheduleDateOutsideYear { .. } => "schedule_date_outside_year",
            Self::ScheduleDayOffOnWeekend { .. } => "schedule_day_off_on_weekend",
            Self::ScheduleWorkingDayOnWeekday { .. } => "schedule_working_day_on_weekday",
            Self::ScheduleDuplicateDate { .. } => "schedule_duplicate_date",
            Self::ScheduleInvalidEntry { .. } => "schedule_invalid_entry",
        }
    }

    pub(crate) fn unknown(what: &'static str, value: impl Into<String>, expected: &[&str]) -> Self {
        Self::Unknown {
            what,
            value: value.into(),
            expected: expected.join(", "),
        }
    }
}

impl From<Rejection> for Error {
    fn from(r: Rejection) -> Self {
        Self::Rejected(Box::new(r))
    }
}

/// Shorthand for `Result<T, tthc_metrics::Error>`.
pub type Result<T, E = Error> = std::result::Result<T, E>;
