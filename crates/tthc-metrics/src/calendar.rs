//! Working-day calendars and due dates (domain-rules section 8).
//!
//! A [`Calendar`] is a Monday–Friday week minus days off plus extra working days, precomputed
//! over 1960-01-01 to 2100-12-31 into a table of working days, so that every query is a couple
//! of array reads:
//! - [`Calendar::is_working_day`];
//! - [`Calendar::add_working_days`]: roll a non-working start forward, then add `n` working days
//!   (numpy `busday_offset(d, n, roll='forward')`);
//! - [`Calendar::working_days_between`]: working days in `[a, b)`, negative when `b < a` (numpy
//!   `busday_count`);
//! - batch versions over day numbers (days since 1970-01-01, Arrow `date32`);
//! - [`Calendar::due_at`]: a due date from a reception time and a [`TimeLimit`] in working days
//!   or working hours, under an [`OfficeHours`] policy.
//!
//! [`Calendar::vietnam`] is the Vietnamese civil-service calendar: the published schedules of
//! 2010–2026 (weekday days off and swapped working days, each citing its notice; shipped as
//! data, `data/vn_schedules.toml`, in the [`Schedule`] format), and for other years the holiday
//! rules of the Labour Code then in force, with Tết and Hùng Kings day from the Vietnamese
//! (UTC+7) lunar calendar ([`LunarDate`]); those years are provisional
//! ([`Calendar::is_official`]). A schedule announced after release is loaded as data
//! ([`Calendar::vietnam_with`], [`CalendarBuilder::schedule`]) and replaces its year; a
//! [`CalendarBuilder`] also adds local decisions day by day.
//!
//! How the semantics compare with numpy, polars, pandas and the `holidays` package is tabulated
//! in the README ("Working days and due dates").

use std::fmt;
use std::str::FromStr;
use std::sync::{Arc, OnceLock};

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::holidays;
pub use crate::holidays::DayOffKind;
pub use crate::lunar::LunarDate;
use crate::period::date_of_day;
use crate::schedule::{Schedule, YearSchedule};

/// Days from 0001-01-01 (day 1 of the common era) to 1970-01-01.
const CE_TO_UNIX: i32 = 719_163;
/// The supported range, inclusive.
const FIRST: (i32, u32, u32) = (1960, 1, 1);
const LAST: (i32, u32, u32) = (2100, 12, 31);

/// Day number (days since 1970-01-01) of a date, in a few integer operations.
#[inline]
fn day_of(date: NaiveDate) -> i32 {
    date.num_days_from_ce() - CE_TO_UNIX
}

fn ymd(t: (i32, u32, u32)) -> NaiveDate {
    NaiveDate::from_ymd_opt(t.0, t.1, t.2).unwrap_or_default()
}

/// Whether a swapped (make-up) working Saturday counts as a working day for deadlines.
///
/// The civil service works these Saturdays (làm bù) in exchange for a weekday off. Whether
/// one-stop software counts them when adding working days is not settled (domain-rules section 8,
/// **\[open\]**); the default counts them, as the civil service works them.
///
/// # Example
/// ```
/// use tthc_metrics::SaturdaySwapPolicy;
/// assert_eq!(SaturdaySwapPolicy::default(), SaturdaySwapPolicy::Working);
/// assert_eq!("rest".parse::<SaturdaySwapPolicy>().unwrap(), SaturdaySwapPolicy::Rest);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum SaturdaySwapPolicy {
    /// Make-up working days are working days (default).
    #[default]
    Working,
    /// Make-up working days stay weekly rest days; the weekday swapped off stays off.
    Rest,
}

impl SaturdaySwapPolicy {
    /// The name used in options (`"working"`, `"rest"`).
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::SaturdaySwapPolicy::Working.name(), "working");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::Working => "working",
            Self::Rest => "rest",
        }
    }
}

impl FromStr for SaturdaySwapPolicy {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        match s.trim().to_ascii_lowercase().as_str() {
            "working" => Ok(Self::Working),
            "rest" => Ok(Self::Rest),
            _ => Err(Error::unknown(
                "saturday swap policy",
                s,
                &["working", "rest"],
            )),
        }
    }
}

/// A processing time limit (thời hạn giải quyết): whole working days, or working hours of
/// office time (one working day is 8 hours under the default [`OfficeHours`]).
///
/// # Example
/// ```
/// use tthc_metrics::TimeLimit;
/// assert_ne!(TimeLimit::WorkingDays(1), TimeLimit::WorkingHours(8));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TimeLimit {
    /// Working days: due at the close of office on the n-th working day after the start day.
    WorkingDays(u32),
    /// Working hours of office time, counted from the reception instant.
    WorkingHours(u32),
}

/// Office hours and the reception cut-off: the policy [`Calendar::due_at`] applies.
///
/// The default is the civil service's day, 07:00–11:30 and 13:30–17:00 (8 hours) **\[ops\]**.
/// A reception at or after the afternoon close, or on a non-working day, counts from the
/// opening of the next working day; one before the opening counts from the opening, one during
/// the lunch break from the afternoon opening.
///
/// # Example
/// ```
/// use tthc_metrics::OfficeHours;
/// use chrono::NaiveTime;
/// let h = OfficeHours::default();
/// assert_eq!(h.seconds_per_day(), 8 * 3600);
/// assert_eq!(h.closes(), NaiveTime::from_hms_opt(17, 0, 0).unwrap());
/// // a summer schedule some provinces use
/// let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
/// let summer = OfficeHours::new(t(7, 0), t(11, 30), t(14, 0), t(17, 30)).unwrap();
/// assert_eq!(summer.seconds_per_day(), 8 * 3600);
/// assert!(OfficeHours::new(t(8, 0), t(7, 0), t(13, 0), t(17, 0)).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OfficeHours {
    morning: (NaiveTime, NaiveTime),
    afternoon: (NaiveTime, NaiveTime),
}

impl Default for OfficeHours {
    fn default() -> Self {
        let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap_or_default();
        Self {
            morning: (t(7, 0), t(11, 30)),
            afternoon: (t(13, 30), t(17, 0)),
        }
    }
}

fn secs(t: NaiveTime) -> u32 {
    t.num_seconds_from_midnight()
}

fn time_of(seconds: u32) -> NaiveTime {
    NaiveTime::from_num_seconds_from_midnight_opt(seconds, 0).unwrap_or_default()
}

impl OfficeHours {
    /// Office hours from a morning and an afternoon session, in order (the lunch break may be
    /// empty: `morning_end == afternoon_start`).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] unless `morning_start < morning_end <= afternoon_start <
    /// afternoon_end`.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::OfficeHours;
    /// use chrono::NaiveTime;
    /// let t = |h| NaiveTime::from_hms_opt(h, 0, 0).unwrap();
    /// assert_eq!(OfficeHours::new(t(8), t(12), t(13), t(17)).unwrap().seconds_per_day(), 28_800);
    /// ```
    pub fn new(
        morning_start: NaiveTime,
        morning_end: NaiveTime,
        afternoon_start: NaiveTime,
        afternoon_end: NaiveTime,
    ) -> Result<Self> {
        let whole = |t: NaiveTime| t.nanosecond() == 0;
        let ordered = morning_start < morning_end
            && morning_end <= afternoon_start
            && afternoon_start < afternoon_end;
        if !ordered
            || ![morning_start, morning_end, afternoon_start, afternoon_end]
                .into_iter()
                .all(whole)
        {
            return Err(Error::InvalidArgument {
                name: "office hours",
                reason: format!(
                    "{morning_start}-{morning_end} and {afternoon_start}-{afternoon_end} are not two \
                     ordered sessions of whole seconds"
                ),
            });
        }
        Ok(Self {
            morning: (morning_start, morning_end),
            afternoon: (afternoon_start, afternoon_end),
        })
    }

    /// Opening time (start of the morning session).
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::OfficeHours::default().opens().to_string(), "07:00:00");
    /// ```
    pub fn opens(&self) -> NaiveTime {
        self.morning.0
    }

    /// Closing time (end of the afternoon session), the cut-off for same-day reception and the
    /// time of a due date in working days.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::OfficeHours::default().closes().to_string(), "17:00:00");
    /// ```
    pub fn closes(&self) -> NaiveTime {
        self.afternoon.1
    }

    /// The morning session `(start, end)`.
    ///
    /// # Example
    /// ```
    /// let (s, e) = tthc_metrics::OfficeHours::default().morning();
    /// assert_eq!((s.to_string(), e.to_string()), ("07:00:00".into(), "11:30:00".into()));
    /// ```
    pub fn morning(&self) -> (NaiveTime, NaiveTime) {
        self.morning
    }

    /// The afternoon session `(start, end)`.
    ///
    /// # Example
    /// ```
    /// let (s, e) = tthc_metrics::OfficeHours::default().afternoon();
    /// assert_eq!((s.to_string(), e.to_string()), ("13:30:00".into(), "17:00:00".into()));
    /// ```
    pub fn afternoon(&self) -> (NaiveTime, NaiveTime) {
        self.afternoon
    }

    /// Office seconds in one working day.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::OfficeHours::default().seconds_per_day(), 28_800);
    /// ```
    pub fn seconds_per_day(&self) -> u32 {
        self.morning_len() + secs(self.afternoon.1) - secs(self.afternoon.0)
    }

    fn morning_len(&self) -> u32 {
        secs(self.morning.1) - secs(self.morning.0)
    }

    /// Office seconds already elapsed on a working day at time `t`; `None` at or after closing.
    fn elapsed_at(&self, t: NaiveTime) -> Option<u32> {
        let s = secs(t);
        let (ms, me) = (secs(self.morning.0), secs(self.morning.1));
        let (as_, ae) = (secs(self.afternoon.0), secs(self.afternoon.1));
        if s < ms {
            Some(0)
        } else if s < me {
            Some(s - ms)
        } else if s < as_ {
            Some(me - ms)
        } else if s < ae {
            Some(me - ms + s - as_)
        } else {
            None
        }
    }

    fn is_open(&self, t: NaiveTime) -> bool {
        (self.morning.0 <= t && t < self.morning.1)
            || (self.afternoon.0 <= t && t < self.afternoon.1)
    }

    /// The clock time after `s` office seconds, where work that ends at the end of a session
    /// ends there (11:30, 17:00), not at the start of the next.
    fn time_ending_at(&self, s: u32) -> NaiveTime {
        if s <= self.morning_len() {
            time_of(secs(self.morning.0) + s)
        } else {
            time_of(secs(self.afternoon.0) + s - self.morning_len())
        }
    }

    /// The clock time at which work resumes after `s` office seconds (13:30 rather than 11:30).
    fn time_starting_at(&self, s: u32) -> NaiveTime {
        if s < self.morning_len() {
            time_of(secs(self.morning.0) + s)
        } else {
            time_of(secs(self.afternoon.0) + s - self.morning_len())
        }
    }
}

/// One day off of a calendar year, for display: date, Vietnamese and English names, and kind
/// (a holiday on its own date, a substitute day, a swapped day, a local addition).
///
/// # Example
/// ```
/// use tthc_metrics::{Calendar, DayOffKind};
/// let days = Calendar::vietnam().days_off(2024).unwrap();
/// let d = days.iter().find(|d| d.date.to_string() == "2024-04-29").unwrap();
/// assert_eq!(d.kind, DayOffKind::Swapped);
/// assert_eq!(d.name, "Nghỉ hoán đổi (làm bù 04/05/2024)");
/// assert_eq!(d.name_en, "Swapped day off (worked on 04/05/2024)");
/// let sub = days.iter().find(|d| d.date.to_string() == "2024-02-13").unwrap();
/// assert_eq!(sub.kind, DayOffKind::Substitute);
/// assert_eq!(sub.name_en, "Substitute day off for Lunar New Year (day 1 of the first lunar month) (10/02/2024)");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DayOff {
    /// The date.
    pub date: NaiveDate,
    /// Its Vietnamese name (`Tết Dương lịch`, `Tết Nguyên Đán (mùng 1)`, `Giỗ Tổ Hùng Vương
    /// (10/3 âm lịch)`, `Nghỉ bù …`, `Nghỉ hoán đổi …`).
    pub name: String,
    /// Its English name (`New Year's Day`, `Lunar New Year (day 1 of the first lunar month)`,
    /// `Substitute day off for …`, `Swapped day off (worked on …)`); a local day added by name
    /// alone has the same name in both.
    pub name_en: String,
    /// Holiday, substitute, swap or local addition.
    pub kind: DayOffKind,
}

/// A make-up working day (ngày làm bù): a weekly rest day worked in exchange for a weekday off.
///
/// # Example
/// ```
/// use tthc_metrics::Calendar;
/// let m = Calendar::vietnam().make_up_days(2025).unwrap();
/// assert_eq!(m[0].date.to_string(), "2025-04-26");
/// assert_eq!(m[0].name, "Làm bù cho ngày 02/05/2025");
/// assert_eq!(m[0].name_en, "Make-up working day for 02/05/2025");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct MakeUpDay {
    /// The date worked (usually a Saturday).
    pub date: NaiveDate,
    /// Its Vietnamese name (`Làm bù cho ngày dd/mm/yyyy`).
    pub name: String,
    /// Its English name (`Make-up working day for dd/mm/yyyy`).
    pub name_en: String,
}

/// Which schedule a builder starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Base {
    Vietnam,
    Weekdays,
}

/// Builds a [`Calendar`] with local or later decisions: extra days off, extra working days,
/// a weekend mask, and the policies.
///
/// Every added date must lie in the supported range (1960-01-01 to 2100-12-31), and a date
/// cannot be both an extra day off and an extra working day.
///
/// # Example
/// ```
/// use tthc_metrics::{CalendarBuilder, SaturdaySwapPolicy};
/// use chrono::NaiveDate;
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// // a swap decided after release: Friday 2027-04-30 is already off; say Thursday 29/04 is given
/// // off against Saturday 08/05, and the province keeps its own day off on 2027-03-10
/// let cal = CalendarBuilder::vietnam()
///     .swap(d(2027, 4, 29), d(2027, 5, 8))
///     .day_off(d(2027, 3, 10), "Ngày giải phóng tỉnh")
///     .build()
///     .unwrap();
/// assert!(!cal.is_working_day(d(2027, 4, 29)).unwrap());
/// assert!(cal.is_working_day(d(2027, 5, 8)).unwrap());
/// assert!(!cal.is_working_day(d(2027, 3, 10)).unwrap());
/// // the same with make-up Saturdays treated as rest days for deadlines
/// let strict = CalendarBuilder::vietnam()
///     .saturday_swaps(SaturdaySwapPolicy::Rest)
///     .build()
///     .unwrap();
/// assert!(!strict.is_working_day(d(2024, 5, 4)).unwrap());
/// ```
#[derive(Debug, Clone)]
pub struct CalendarBuilder {
    base: Base,
    weekend: Option<[bool; 7]>,
    schedules: Vec<Schedule>,
    /// (date, Vietnamese name, English name, kind)
    days_off: Vec<(NaiveDate, String, String, DayOffKind)>,
    /// (date, Vietnamese name, English name)
    working_days: Vec<(NaiveDate, String, String)>,
    saturday_swaps: SaturdaySwapPolicy,
    office_hours: OfficeHours,
}

impl Default for CalendarBuilder {
    fn default() -> Self {
        Self::vietnam()
    }
}

impl CalendarBuilder {
    /// Starts from the Vietnamese civil-service calendar ([`Calendar::vietnam`]).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::CalendarBuilder;
    /// let cal = CalendarBuilder::vietnam().build().unwrap();
    /// assert!(cal.is_official(2024));
    /// ```
    pub fn vietnam() -> Self {
        Self {
            base: Base::Vietnam,
            weekend: None,
            schedules: Vec::new(),
            days_off: Vec::new(),
            working_days: Vec::new(),
            saturday_swaps: SaturdaySwapPolicy::Working,
            office_hours: OfficeHours::default(),
        }
    }

    /// Starts from a bare Monday–Friday week with no holidays (what numpy's default `weekmask`
    /// gives), e.g. for comparisons with other tools.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::CalendarBuilder;
    /// use chrono::NaiveDate;
    /// let cal = CalendarBuilder::weekdays().build().unwrap();
    /// let new_year = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap(); // a Monday
    /// assert!(cal.is_working_day(new_year).unwrap());
    /// assert!(!cal.is_official(2024));
    /// ```
    pub fn weekdays() -> Self {
        Self {
            base: Base::Weekdays,
            ..Self::vietnam()
        }
    }

    /// Adds a day off (a province's own holiday, a decision taken after release).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{CalendarBuilder, DayOffKind};
    /// use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2025, 3, 10).unwrap();
    /// let cal = CalendarBuilder::vietnam().day_off(d, "Ngày hội tỉnh").build().unwrap();
    /// let listed = cal.days_off(2025).unwrap().into_iter().find(|x| x.date == d).unwrap();
    /// assert_eq!((listed.name.as_str(), listed.kind), ("Ngày hội tỉnh", DayOffKind::Local));
    /// ```
    #[must_use]
    pub fn day_off(mut self, date: NaiveDate, name: impl Into<String>) -> Self {
        let name = name.into();
        self.days_off
            .push((date, name.clone(), name, DayOffKind::Local));
        self
    }

    /// Adds a working day: a make-up Saturday decided after release, or a weekday a decision
    /// took back. On a weekly rest day it is a make-up day, subject to the
    /// [`SaturdaySwapPolicy`].
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::CalendarBuilder;
    /// use chrono::NaiveDate;
    /// let sat = NaiveDate::from_ymd_opt(2027, 1, 9).unwrap();
    /// let cal = CalendarBuilder::vietnam().working_day(sat, "Làm bù").build().unwrap();
    /// assert!(cal.is_working_day(sat).unwrap());
    /// ```
    #[must_use]
    pub fn working_day(mut self, date: NaiveDate, name: impl Into<String>) -> Self {
        let name = name.into();
        self.working_days.push((date, name.clone(), name));
        self
    }

    /// Adds a swap (hoán đổi): `day_off` is given off, `worked` (usually a Saturday) is worked
    /// instead; both get the Vietnamese names the official swaps have.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{CalendarBuilder, DayOffKind};
    /// use chrono::NaiveDate;
    /// let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
    /// // a swap decided after release: Mon 03/05/2027 is already off (1/5 on a Saturday); say
    /// // Fri 31/12/2027 is given off against Sat 11/12/2027
    /// let cal = CalendarBuilder::vietnam().swap(d(12, 31), d(12, 11)).build().unwrap();
    /// assert!(!cal.is_working_day(d(12, 31)).unwrap());
    /// assert!(cal.is_working_day(d(12, 11)).unwrap());
    /// assert_eq!(cal.make_up_days(2027).unwrap()[0].name, "Làm bù cho ngày 31/12/2027");
    /// ```
    #[must_use]
    pub fn swap(mut self, day_off: NaiveDate, worked: NaiveDate) -> Self {
        let (off_n, worked_n) = (day_of(day_off), day_of(worked));
        let (off_s, worked_s) = (holidays::vn_date(off_n), holidays::vn_date(worked_n));
        self.days_off.push((
            day_off,
            format!("Nghỉ hoán đổi (làm bù {worked_s})"),
            format!("Swapped day off (worked on {worked_s})"),
            DayOffKind::Swapped,
        ));
        self.working_days.push((
            worked,
            format!("Làm bù cho ngày {off_s}"),
            format!("Make-up working day for {off_s}"),
        ));
        self
    }

    /// Loads published schedules: each year of `schedule` **replaces** the built-in one (or the
    /// Labour Code rules) with exactly its days off and working days, becomes official
    /// ([`Calendar::is_official`]) and cites its source ([`Calendar::official_source`]). Days
    /// added with [`CalendarBuilder::day_off`], [`CalendarBuilder::working_day`] and
    /// [`CalendarBuilder::swap`] still apply on top. Two schedules giving the same year are an
    /// error at [`CalendarBuilder::build`].
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{CalendarBuilder, Schedule, ScheduledDayOff, YearSchedule};
    /// use chrono::NaiveDate;
    /// let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
    /// // a 2027 notice in code (Schedule::from_toml reads the same from a file)
    /// let y = YearSchedule::new(2027, "a 2027 notice")
    ///     .day_off(d(1, 1))
    ///     .day_off(ScheduledDayOff::swapped(d(4, 29), d(4, 24)))
    ///     .working_day(d(4, 24));
    /// let cal = CalendarBuilder::vietnam()
    ///     .schedule(Schedule::new("code", vec![y]).unwrap())
    ///     .build()
    ///     .unwrap();
    /// assert!(cal.is_official(2027));
    /// assert!(!cal.is_working_day(d(4, 29)).unwrap());
    /// // exactly the listed days: Tết 2027 is not in this (made-up) schedule
    /// assert!(cal.is_working_day(d(2, 8)).unwrap());
    /// ```
    #[must_use]
    pub fn schedule(mut self, schedule: Schedule) -> Self {
        self.schedules.push(schedule);
        self
    }

    /// Sets the weekly rest days for the whole range (default: Saturday and Sunday; for the
    /// Vietnamese calendar, Sunday only before the five-day week of 1999-10-02). The public
    /// holidays and their substitute days stay as computed for the civil service's week.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::CalendarBuilder;
    /// use chrono::{NaiveDate, Weekday};
    /// let cal = CalendarBuilder::weekdays().weekend(&[Weekday::Sun]).build().unwrap();
    /// let sat = NaiveDate::from_ymd_opt(2024, 3, 2).unwrap();
    /// assert!(cal.is_working_day(sat).unwrap());
    /// ```
    #[must_use]
    pub fn weekend(mut self, rest_days: &[Weekday]) -> Self {
        let mut mask = [false; 7];
        for d in rest_days {
            mask[d.num_days_from_monday() as usize] = true;
        }
        self.weekend = Some(mask);
        self
    }

    /// Sets whether make-up working days count as working days (default
    /// [`SaturdaySwapPolicy::Working`]).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{CalendarBuilder, SaturdaySwapPolicy};
    /// let cal = CalendarBuilder::vietnam().saturday_swaps(SaturdaySwapPolicy::Rest).build().unwrap();
    /// assert_eq!(cal.saturday_swaps(), SaturdaySwapPolicy::Rest);
    /// ```
    #[must_use]
    pub fn saturday_swaps(mut self, policy: SaturdaySwapPolicy) -> Self {
        self.saturday_swaps = policy;
        self
    }

    /// Sets the office hours [`Calendar::due_at`] uses (default 07:00–11:30, 13:30–17:00).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{CalendarBuilder, OfficeHours};
    /// use chrono::NaiveTime;
    /// let t = |h, m| NaiveTime::from_hms_opt(h, m, 0).unwrap();
    /// let hours = OfficeHours::new(t(7, 30), t(11, 30), t(13, 0), t(17, 0)).unwrap();
    /// let cal = CalendarBuilder::vietnam().office_hours(hours).build().unwrap();
    /// assert_eq!(cal.office_hours().opens(), t(7, 30));
    /// ```
    #[must_use]
    pub fn office_hours(mut self, hours: OfficeHours) -> Self {
        self.office_hours = hours;
        self
    }

    /// Validates the additions and precomputes the working-day table.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for an added date outside 1960-01-01 to 2100-12-31;
    /// [`Error::InvalidArgument`] for a date added both as a day off and as a working day;
    /// [`Error::ScheduleDuplicateYear`] for a year given by two loaded schedules.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::CalendarBuilder;
    /// use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2030, 6, 3).unwrap();
    /// let err = CalendarBuilder::vietnam().day_off(d, "a").working_day(d, "b").build().unwrap_err();
    /// assert_eq!(err.code(), "invalid_argument");
    /// let far = NaiveDate::from_ymd_opt(2101, 1, 3).unwrap();
    /// assert_eq!(CalendarBuilder::vietnam().day_off(far, "x").build().unwrap_err().code(), "out_of_range");
    /// ```
    pub fn build(self) -> Result<Calendar> {
        let (min, max) = (ymd(FIRST), ymd(LAST));
        for date in self
            .days_off
            .iter()
            .map(|d| d.0)
            .chain(self.working_days.iter().map(|d| d.0))
        {
            if date < min || date > max {
                return Err(Error::OutOfRange { date, min, max });
            }
        }
        if let Some(date) = self
            .days_off
            .iter()
            .map(|d| d.0)
            .find(|d| self.working_days.iter().any(|w| w.0 == *d))
        {
            return Err(Error::InvalidArgument {
                name: "calendar day",
                reason: format!("{date} is added both as a day off and as a working day"),
            });
        }
        for (i, later) in self.schedules.iter().enumerate() {
            for y in later.years() {
                if let Some(first) = self.schedules[..i]
                    .iter()
                    .find(|s| s.year(y.year).is_some())
                {
                    return Err(Error::ScheduleDuplicateYear {
                        origin: later.origin().to_string(),
                        year: y.year,
                        first_origin: first.origin().to_string(),
                    });
                }
            }
        }
        Ok(self.construct())
    }

    /// Builds the table; every date has been checked to be in range.
    fn construct(self) -> Calendar {
        let first = day_of(ymd(FIRST));
        let last = day_of(ymd(LAST));
        let len = (last - first + 1) as usize;
        let idx = |day: i32| (day - first) as usize;
        let in_range = |day: i32| (first..=last).contains(&day);
        let vietnam = self.base == Base::Vietnam;
        let rest_policy = self.saturday_swaps == SaturdaySwapPolicy::Rest;

        let rest: Vec<bool> = (first..=last)
            .map(|day| match (&self.weekend, vietnam) {
                (Some(mask), _) => mask[holidays::weekday(day).num_days_from_monday() as usize],
                (None, true) => holidays::civil_service_rest(day),
                (None, false) => matches!(holidays::weekday(day), Weekday::Sat | Weekday::Sun),
            })
            .collect();
        let mut off = rest.clone();
        let mut listing: Vec<DayOff> = Vec::new();
        let mut make_up: Vec<MakeUpDay> = Vec::new();

        // the schedules in force: the loaded years, and (Vietnamese base) the built-in ones
        // they do not replace
        let builtin = if vietnam {
            Schedule::vietnam()
        } else {
            Schedule::empty()
        };
        let loaded: Vec<&YearSchedule> = self.schedules.iter().flat_map(Schedule::years).collect();
        let mut in_force: Vec<&YearSchedule> = builtin
            .years()
            .iter()
            .filter(|b| !loaded.iter().any(|l| l.year == b.year))
            .chain(loaded.iter().copied())
            .collect();
        in_force.sort_by_key(|y| y.year);
        let official: Vec<(i32, String)> = in_force
            .iter()
            .map(|y| (y.year, y.source.clone()))
            .collect();

        let (days, made_up) = holidays::listing(FIRST.0..=LAST.0, &in_force, vietnam);
        for r in days.into_iter().filter(|r| in_range(r.day)) {
            off[idx(r.day)] = true;
            if let Some(date) = date_of_day(r.day) {
                listing.push(DayOff {
                    date,
                    name: r.name,
                    name_en: r.name_en,
                    kind: r.kind,
                });
            }
        }
        for m in made_up.into_iter().filter(|m| in_range(m.day)) {
            off[idx(m.day)] = rest[idx(m.day)] && rest_policy;
            if let Some(date) = date_of_day(m.day) {
                make_up.push(MakeUpDay {
                    date,
                    name: m.name,
                    name_en: m.name_en,
                });
            }
        }
        for (date, name, name_en, kind) in self.days_off {
            let i = idx(day_of(date));
            off[i] = true;
            if !listing.iter().any(|l| l.date == date) {
                listing.push(DayOff {
                    date,
                    name,
                    name_en,
                    kind,
                });
            }
        }
        for (date, name, name_en) in self.working_days {
            let i = idx(day_of(date));
            off[i] = rest[i] && rest_policy;
            make_up.retain(|m| m.date != date);
            make_up.push(MakeUpDay {
                date,
                name,
                name_en,
            });
        }
        // a day taken back as a working day is no longer listed as off
        listing.retain(|l| off[idx(day_of(l.date))]);
        listing.sort_by_key(|a| (a.date, a.kind));
        make_up.sort_by_key(|m| m.date);

        let mut cum = Vec::with_capacity(len + 1);
        let mut working = Vec::new();
        let mut count = 0u32;
        cum.push(0);
        for (i, &is_off) in off.iter().enumerate() {
            if !is_off {
                working.push(first + i as i32);
                count += 1;
            }
            cum.push(count);
        }
        let working_dates = working
            .iter()
            .map(|&d| date_of_day(d).unwrap_or_default())
            .collect();

        Calendar {
            inner: Arc::new(Inner {
                first,
                last,
                cum,
                working,
                working_dates,
                days_off: listing,
                make_up,
                official,
                vietnam,
                saturday_swaps: self.saturday_swaps,
                office_hours: self.office_hours,
            }),
        }
    }
}

struct Inner {
    /// First and last supported day numbers.
    first: i32,
    last: i32,
    /// `cum[i]`: working days in `[first, first + i)`; `len = last - first + 2`.
    cum: Vec<u32>,
    /// Every working day number, ascending.
    working: Vec<i32>,
    /// The same as dates.
    working_dates: Vec<NaiveDate>,
    /// Days off for display, by date.
    days_off: Vec<DayOff>,
    /// Make-up working days, by date.
    make_up: Vec<MakeUpDay>,
    /// The years with a published schedule in force, ascending, with their sources.
    official: Vec<(i32, String)>,
    vietnam: bool,
    saturday_swaps: SaturdaySwapPolicy,
    office_hours: OfficeHours,
}

/// A working-day calendar over 1960-01-01 to 2100-12-31.
///
/// Cheap to clone and to share between threads (`Send + Sync`; the table sits behind an `Arc`).
/// Every query is O(1): a precomputed count of working days before each day, and the sorted
/// list of working days (`add n` = `working[count_before(d) + n]`).
///
/// # Example
/// ```
/// use tthc_metrics::Calendar;
/// use chrono::NaiveDate;
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// let cal = Calendar::vietnam();
/// // Thursday before Tết 2024: the next working day after 5 days of Tết and a weekend
/// assert_eq!(cal.add_working_days(d(2024, 2, 7), 1).unwrap(), d(2024, 2, 15));
/// // the swapped Saturday 04/05/2024 is a working day; Monday 29/04 is not:
/// // [26/04, 06/05) holds Fri 26/04, Thu 02/05, Fri 03/05 and Sat 04/05
/// assert!(cal.is_working_day(d(2024, 5, 4)).unwrap());
/// assert_eq!(cal.working_days_between(d(2024, 4, 26), d(2024, 5, 6)).unwrap(), 4);
/// ```
#[derive(Clone)]
pub struct Calendar {
    inner: Arc<Inner>,
}

impl fmt::Debug for Calendar {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Calendar")
            .field("first", &self.first_day())
            .field("last", &self.last_day())
            .field("vietnam", &self.inner.vietnam)
            .field("working_days", &self.inner.working.len())
            .field("saturday_swaps", &self.inner.saturday_swaps)
            .field("office_hours", &self.inner.office_hours)
            .finish_non_exhaustive()
    }
}

impl Calendar {
    /// The Vietnamese civil-service calendar, built once per process and shared (later calls
    /// clone an `Arc`).
    ///
    /// - 2010–2026: the published schedules, weekday days off and make-up days, each with its
    ///   notice ([`Calendar::official_source`]), shipped as data in `data/vn_schedules.toml`
    ///   ([`Schedule::vietnam`]); 2023–2026 are those of domain-rules section 8.
    /// - Other years, provisional: the Labour Code then in force: 1/1; Tết (5 days from 2014, two
    ///   before lunar 1/1 and three from it; 4 days before, the eve to mùng 3); Hùng Kings 10/3
    ///   lunar (from 2007); 30/4; 1/5; 2/9 plus an adjacent day (from 2021, the one that makes the
    ///   longest break); 24/11 (from 2026). From 1995 a holiday on a weekly rest day gives the
    ///   next free working day off. Saturdays are working days before 1999-10-02.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Calendar;
    /// use chrono::NaiveDate;
    /// let cal = Calendar::vietnam();
    /// assert!(cal.is_official(2025) && !cal.is_official(2027));
    /// let nov24 = NaiveDate::from_ymd_opt(2026, 11, 24).unwrap();
    /// assert!(!cal.is_working_day(nov24).unwrap()); // Ngày Văn hóa Việt Nam
    /// ```
    pub fn vietnam() -> Self {
        static VIETNAM: OnceLock<Calendar> = OnceLock::new();
        VIETNAM
            .get_or_init(|| CalendarBuilder::vietnam().construct())
            .clone()
    }

    /// The Vietnamese civil-service calendar with published schedules loaded as data: each year
    /// of each schedule replaces the built-in one (or the rules). The same as
    /// [`CalendarBuilder::schedule`] for each, then [`CalendarBuilder::build`].
    ///
    /// # Errors
    /// [`Error::ScheduleDuplicateYear`] when two of the schedules give the same year.
    ///
    /// # Example
    /// ```
    /// # #[cfg(feature = "formats")] {
    /// use tthc_metrics::{Calendar, Schedule};
    /// use chrono::NaiveDate;
    /// // 2026 as published before Công văn 12729/VPCP-KGVX: no New Year swap
    /// let text = Schedule::vietnam().year(2026).map(|y| {
    ///     let s = tthc_metrics::Schedule::new("x", vec![y.clone()]).unwrap().to_toml();
    ///     s.replace("    { date = \"2026-01-02\", kind = \"swapped\", worked = \"2026-01-10\" },\n", "")
    ///      .replace("    \"2026-01-10\",\n", "")
    /// }).unwrap();
    /// let before = Schedule::from_toml(&text, "2026-october.toml").unwrap();
    /// let cal = Calendar::vietnam_with(&[before]).unwrap();
    /// let jan2 = NaiveDate::from_ymd_opt(2026, 1, 2).unwrap();
    /// assert!(cal.is_working_day(jan2).unwrap());
    /// assert!(!Calendar::vietnam().is_working_day(jan2).unwrap());
    /// let twice = Schedule::from_toml(&text, "again.toml").unwrap();
    /// let err = Calendar::vietnam_with(&[twice.clone(), twice]).unwrap_err();
    /// assert_eq!(err.code(), "schedule_duplicate_year");
    /// # }
    /// ```
    pub fn vietnam_with(schedules: &[Schedule]) -> Result<Self> {
        schedules
            .iter()
            .cloned()
            .fold(CalendarBuilder::vietnam(), CalendarBuilder::schedule)
            .build()
    }

    /// First supported day (1960-01-01).
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::Calendar::vietnam().first_day().to_string(), "1960-01-01");
    /// ```
    pub fn first_day(&self) -> NaiveDate {
        date_of_day(self.inner.first).unwrap_or_default()
    }

    /// Last supported day (2100-12-31).
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::Calendar::vietnam().last_day().to_string(), "2100-12-31");
    /// ```
    pub fn last_day(&self) -> NaiveDate {
        date_of_day(self.inner.last).unwrap_or_default()
    }

    /// Whether `year`'s days off come from a published schedule (built-in 2010–2026 for the
    /// Vietnamese calendar, or loaded: [`CalendarBuilder::schedule`]) rather than from the Labour
    /// Code rules (provisional).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Calendar;
    /// let cal = Calendar::vietnam();
    /// assert!(cal.is_official(2010) && cal.is_official(2026));
    /// assert!(!cal.is_official(2009) && !cal.is_official(2030));
    /// ```
    pub fn is_official(&self, year: i32) -> bool {
        self.official_index(year).is_ok()
    }

    fn official_index(&self, year: i32) -> std::result::Result<usize, usize> {
        self.inner.official.binary_search_by_key(&year, |o| o.0)
    }

    /// The decision or notice that published `year`'s schedule, if it is official (borrowed from
    /// the calendar: a loaded schedule's `source`).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Calendar;
    /// let cal = Calendar::vietnam();
    /// assert!(cal.official_source(2024).unwrap().contains("5015/TB-LĐTBXH"));
    /// let s2026 = cal.official_source(2026).unwrap();
    /// assert!(s2026.contains("12729/VPCP-KGVX") && s2026.contains("October 2025"));
    /// assert!(cal.official_source(2014).unwrap().contains("10525/VPCP-KGVX"));
    /// assert_eq!(cal.official_source(2030), None);
    /// ```
    pub fn official_source(&self, year: i32) -> Option<&str> {
        let i = self.official_index(year).ok()?;
        Some(&self.inner.official[i].1)
    }

    /// The policy for make-up working Saturdays this calendar was built with.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Calendar, SaturdaySwapPolicy};
    /// assert_eq!(Calendar::vietnam().saturday_swaps(), SaturdaySwapPolicy::Working);
    /// ```
    pub fn saturday_swaps(&self) -> SaturdaySwapPolicy {
        self.inner.saturday_swaps
    }

    /// The office hours [`Calendar::due_at`] uses.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Calendar, OfficeHours};
    /// assert_eq!(*Calendar::vietnam().office_hours(), OfficeHours::default());
    /// ```
    pub fn office_hours(&self) -> &OfficeHours {
        &self.inner.office_hours
    }

    #[cold]
    #[inline(never)]
    fn out_of_range(&self, day: i32) -> Error {
        let date = date_of_day(day).unwrap_or(if day < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        });
        Error::OutOfRange {
            date,
            min: self.first_day(),
            max: self.last_day(),
        }
    }

    /// Index of a day in the table, `[first, last]`.
    #[inline]
    fn index(&self, day: i32) -> Result<usize> {
        let i = day.wrapping_sub(self.inner.first);
        if i < 0 || day > self.inner.last {
            return Err(self.out_of_range(day));
        }
        Ok(i as usize)
    }

    /// Index of a range end, `[first, last + 1]` (an exclusive end may be the day after the last).
    #[inline]
    fn end_index(&self, day: i32) -> Result<usize> {
        let i = day.wrapping_sub(self.inner.first);
        if i < 0 || day > self.inner.last + 1 {
            return Err(self.out_of_range(day));
        }
        Ok(i as usize)
    }

    #[inline]
    fn working_day_at(&self, i: usize) -> bool {
        self.inner.cum[i + 1] != self.inner.cum[i]
    }

    /// The position in the working-day list reached from table index `i` plus `n`.
    #[inline]
    fn target(&self, i: usize, n: u32) -> Result<usize> {
        let k = self.inner.cum[i] as usize + n as usize;
        if k < self.inner.working.len() {
            Ok(k)
        } else {
            // the result lies past the last supported day
            Err(self.out_of_range(self.inner.last + 1))
        }
    }

    /// Whether `date` is a working day.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] outside 1960-01-01 to 2100-12-31.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Calendar;
    /// use chrono::NaiveDate;
    /// let cal = Calendar::vietnam();
    /// assert!(!cal.is_working_day(NaiveDate::from_ymd_opt(2025, 9, 1).unwrap()).unwrap());
    /// assert!(cal.is_working_day(NaiveDate::from_ymd_opt(2025, 9, 3).unwrap()).unwrap());
    /// assert!(cal.is_working_day(NaiveDate::from_ymd_opt(2101, 1, 3).unwrap()).is_err());
    /// ```
    #[inline]
    pub fn is_working_day(&self, date: NaiveDate) -> Result<bool> {
        Ok(self.working_day_at(self.index(day_of(date))?))
    }

    /// Rolls a non-working `date` forward to the next working day, then adds `n` working days:
    /// numpy `busday_offset(date, n, roll='forward')` on this calendar. `n = 0` gives `date`
    /// itself when it is a working day.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] when `date` is outside 1960-01-01 to 2100-12-31, or the result would
    /// be after 2100-12-31 (the error then names 2101-01-01).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Calendar;
    /// use chrono::NaiveDate;
    /// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    /// let cal = Calendar::vietnam();
    /// // Saturday rolls to Monday, then one working day: Tuesday (pandas would say Monday)
    /// assert_eq!(cal.add_working_days(d(2023, 10, 14), 1).unwrap(), d(2023, 10, 17));
    /// assert_eq!(cal.add_working_days(d(2023, 10, 14), 0).unwrap(), d(2023, 10, 16));
    /// // across the year boundary and Tết Dương lịch 2024
    /// assert_eq!(cal.add_working_days(d(2023, 12, 29), 1).unwrap(), d(2024, 1, 2));
    /// ```
    #[inline]
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Result<NaiveDate> {
        let i = self.index(day_of(date))?;
        Ok(self.inner.working_dates[self.target(i, n)?])
    }

    /// Working days in `[a, b)`; negative (minus those in `[b, a)`) when `b < a`: numpy
    /// `busday_count` on this calendar. Additive: `between(a, b) + between(b, c) == between(a, c)`.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] when an end is outside 1960-01-01 to 2101-01-01 (an exclusive end may
    /// be the day after the last supported day).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Calendar;
    /// use chrono::NaiveDate;
    /// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
    /// let cal = Calendar::vietnam();
    /// // 2024 has 366 days, 104 weekend days, 12 weekday days off and 1 make-up Saturday
    /// assert_eq!(cal.working_days_between(d(2024, 1, 1), d(2025, 1, 1)).unwrap(), 251);
    /// assert_eq!(cal.working_days_between(d(2025, 1, 1), d(2024, 1, 1)).unwrap(), -251);
    /// ```
    #[inline]
    pub fn working_days_between(&self, a: NaiveDate, b: NaiveDate) -> Result<i32> {
        let ia = self.end_index(day_of(a))?;
        let ib = self.end_index(day_of(b))?;
        Ok(self.inner.cum[ib] as i32 - self.inner.cum[ia] as i32)
    }

    /// [`Calendar::is_working_day`] over day numbers (days since 1970-01-01, Arrow `date32`).
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for the first day outside the range.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Calendar;
    /// // 2024-04-29 (swapped off), 2024-05-04 (make-up Saturday), 2024-05-05 (Sunday)
    /// assert_eq!(Calendar::vietnam().is_working_day_batch(&[19842, 19847, 19848]).unwrap(),
    ///            vec![false, true, false]);
    /// ```
    pub fn is_working_day_batch(&self, days: &[i32]) -> Result<Vec<bool>> {
        let mut out = Vec::with_capacity(days.len());
        for &d in days {
            out.push(self.working_day_at(self.index(d)?));
        }
        Ok(out)
    }

    /// [`Calendar::add_working_days`] over day numbers, pairwise.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the slices differ in length; [`Error::OutOfRange`] for the
    /// first day, or result, outside the range.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Calendar, day_number};
    /// use chrono::NaiveDate;
    /// let d = |y, m, day| day_number(NaiveDate::from_ymd_opt(y, m, day).unwrap());
    /// let out = Calendar::vietnam()
    ///     .add_working_days_batch(&[d(2024, 2, 7), d(2024, 4, 26)], &[1, 1])
    ///     .unwrap();
    /// assert_eq!(out, vec![d(2024, 2, 15), d(2024, 5, 2)]);
    /// ```
    pub fn add_working_days_batch(&self, days: &[i32], n: &[u32]) -> Result<Vec<i32>> {
        if days.len() != n.len() {
            return Err(Error::InvalidArgument {
                name: "working-day batch",
                reason: format!("{} days but {} counts", days.len(), n.len()),
            });
        }
        // a plain loop over validated indices: two array reads per element
        let (first, span) = (self.inner.first, self.inner.last - self.inner.first);
        let (cum, working) = (&self.inner.cum[..], &self.inner.working[..]);
        let mut out = Vec::with_capacity(days.len());
        for (&d, &k) in days.iter().zip(n) {
            let i = d.wrapping_sub(first);
            if !(0..=span).contains(&i) {
                return Err(self.out_of_range(d));
            }
            match working.get(cum[i as usize] as usize + k as usize) {
                Some(&w) => out.push(w),
                None => return Err(self.out_of_range(self.inner.last + 1)),
            }
        }
        Ok(out)
    }

    /// [`Calendar::working_days_between`] over day numbers, pairwise.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when the slices differ in length; [`Error::OutOfRange`] for the
    /// first end outside the range.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Calendar, day_number};
    /// use chrono::NaiveDate;
    /// let d = |y, m, day| day_number(NaiveDate::from_ymd_opt(y, m, day).unwrap());
    /// let out = Calendar::vietnam()
    ///     .working_days_between_batch(&[d(2024, 2, 5)], &[d(2024, 2, 19)])
    ///     .unwrap();
    /// assert_eq!(out, vec![5]); // 5-7 Feb and 15-16 Feb; Tết in between
    /// ```
    pub fn working_days_between_batch(&self, a: &[i32], b: &[i32]) -> Result<Vec<i32>> {
        if a.len() != b.len() {
            return Err(Error::InvalidArgument {
                name: "working-day batch",
                reason: format!("{} starts but {} ends", a.len(), b.len()),
            });
        }
        let cum = &self.inner.cum;
        let mut out = Vec::with_capacity(a.len());
        for (&x, &y) in a.iter().zip(b) {
            let (ix, iy) = (self.end_index(x)?, self.end_index(y)?);
            out.push(cum[iy] as i32 - cum[ix] as i32);
        }
        Ok(out)
    }

    /// The due date and time (ngày hẹn trả) of a dossier received at `received_at` (local civil
    /// time) with processing time limit `limit`.
    ///
    /// Policy ([`OfficeHours`], default 07:00–11:30 and 13:30–17:00):
    /// - the **start** is the reception day if it is a working day and the reception is before
    ///   the close (17:00); otherwise (after 17:00, or a non-working day) the next working day,
    ///   from its opening;
    /// - [`TimeLimit::WorkingDays`]`(n)`: due at the close (17:00) of
    ///   `add_working_days(start, n)`: the reception day itself does not count, so a dossier
    ///   received Monday with 1 working day is due Tuesday 17:00, and with 0 days Monday 17:00;
    /// - [`TimeLimit::WorkingHours`]`(h)`: `h` hours of office time counted from the reception
    ///   instant (from the opening when received before it, from 13:30 when received during the
    ///   lunch break); a result at the end of a session stays there (11:30, 17:00). With the
    ///   default hours, 8 working hours from Monday 09:00 end Tuesday 09:00.
    ///   `WorkingHours(0)` is the instant counting starts.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] when the reception or the due date is outside the range.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Calendar, TimeLimit};
    /// use chrono::NaiveDate;
    /// let at = |m, d, h, min| NaiveDate::from_ymd_opt(2024, m, d).unwrap().and_hms_opt(h, min, 0).unwrap();
    /// let cal = Calendar::vietnam();
    /// // Friday 26/04/2024 09:00 + 3 working days: Sat 04/05 (make-up) is the 3rd
    /// assert_eq!(cal.due_at(at(4, 26, 9, 0), TimeLimit::WorkingDays(3)).unwrap(), at(5, 4, 17, 0));
    /// // received Friday 17:30: counts from Thursday 02/05 (29/04-01/05 are off)
    /// assert_eq!(cal.due_at(at(4, 26, 17, 30), TimeLimit::WorkingDays(1)).unwrap(), at(5, 3, 17, 0));
    /// // 4 working hours from 10:00: 1.5 h in the morning, 2.5 h after lunch
    /// assert_eq!(cal.due_at(at(5, 6, 10, 0), TimeLimit::WorkingHours(4)).unwrap(), at(5, 6, 16, 0));
    /// ```
    pub fn due_at(&self, received_at: NaiveDateTime, limit: TimeLimit) -> Result<NaiveDateTime> {
        let hours = self.inner.office_hours;
        let date = received_at.date();
        let i = self.index(day_of(date))?;
        let (start, elapsed) = match hours.elapsed_at(received_at.time()) {
            Some(e) if self.working_day_at(i) => (date, e),
            // after the close, or a non-working day: the next working day's opening
            _ => {
                let next = self
                    .index(day_of(date) + 1)
                    .map_err(|_| self.out_of_range(self.inner.last + 1))?;
                (self.inner.working_dates[self.target(next, 0)?], 0)
            }
        };
        match limit {
            TimeLimit::WorkingDays(n) => {
                Ok(self.add_working_days(start, n)?.and_time(hours.closes()))
            }
            TimeLimit::WorkingHours(0) => {
                if start == date && hours.is_open(received_at.time()) {
                    Ok(received_at)
                } else {
                    Ok(start.and_time(hours.time_starting_at(elapsed)))
                }
            }
            TimeLimit::WorkingHours(h) => {
                let per_day = u64::from(hours.seconds_per_day());
                let total = u64::from(elapsed) + u64::from(h) * 3600;
                let days = (total - 1) / per_day;
                let rest = (total - days * per_day) as u32; // in (0, per_day]
                let days =
                    u32::try_from(days).map_err(|_| self.out_of_range(self.inner.last + 1))?;
                Ok(self
                    .add_working_days(start, days)?
                    .and_time(hours.time_ending_at(rest)))
            }
        }
    }

    /// The days off of `year` for display, by date: public holidays (those on weekends too),
    /// substitute days (nghỉ bù), swapped days (hoán đổi) and days added by a builder, each with
    /// its Vietnamese name.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a year outside 1960–2100.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Calendar, DayOffKind};
    /// let days = Calendar::vietnam().days_off(2023).unwrap();
    /// let names: Vec<(String, &str)> = days.iter()
    ///     .filter(|d| d.date.to_string().starts_with("2023-09"))
    ///     .map(|d| (d.date.format("%d/%m").to_string(), d.name.as_str()))
    ///     .collect();
    /// assert_eq!(names, vec![
    ///     ("01/09".to_string(), "Quốc khánh (ngày liền kề)"),
    ///     ("02/09".to_string(), "Quốc khánh (2/9)"),
    ///     ("04/09".to_string(), "Nghỉ bù Quốc khánh (2/9) (02/09/2023)"),
    /// ]);
    /// // 01/01 (Sun), 21-22/01 (Tết), 29/04 (Hùng Kings, Sat), 30/04 (Sun), 02/09 (Sat)
    /// assert_eq!(days.iter().filter(|d| d.kind == DayOffKind::Substitute).count(), 6);
    /// ```
    pub fn days_off(&self, year: i32) -> Result<Vec<DayOff>> {
        let (from, to) = self.year_bounds(year)?;
        let list = &self.inner.days_off;
        let lo = list.partition_point(|d| d.date < from);
        let hi = list.partition_point(|d| d.date <= to);
        Ok(list[lo..hi].to_vec())
    }

    /// [`Calendar::days_off`] without the substitute days (nghỉ bù): the holidays on their own
    /// dates (weekends included), the swapped days and the local days (the view of the
    /// `holidays` package with `observed=False`, plus swaps).
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a year outside 1960–2100.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Calendar, DayOffKind};
    /// let cal = Calendar::vietnam();
    /// let all = cal.days_off(2023).unwrap();
    /// let own = cal.days_off_without_substitutes(2023).unwrap();
    /// assert_eq!(all.len() - own.len(), 6);
    /// assert!(own.iter().all(|d| d.kind != DayOffKind::Substitute));
    /// ```
    pub fn days_off_without_substitutes(&self, year: i32) -> Result<Vec<DayOff>> {
        let mut days = self.days_off(year)?;
        days.retain(|d| d.kind != DayOffKind::Substitute);
        Ok(days)
    }

    /// The make-up working days (ngày làm bù) of `year`, whether or not the
    /// [`SaturdaySwapPolicy`] counts them.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] for a year outside 1960–2100.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Calendar;
    /// let cal = Calendar::vietnam();
    /// // Công văn 12729/VPCP-KGVX: Sat 10/01/2026 worked for Fri 02/01/2026
    /// assert_eq!(cal.make_up_days(2026).unwrap()[0].date.to_string(), "2026-01-10");
    /// assert_eq!(cal.make_up_days(2026).unwrap()[1].date.to_string(), "2026-08-22");
    /// assert!(cal.make_up_days(2023).unwrap().is_empty());
    /// ```
    pub fn make_up_days(&self, year: i32) -> Result<Vec<MakeUpDay>> {
        let (from, to) = self.year_bounds(year)?;
        Ok(self
            .inner
            .make_up
            .iter()
            .filter(|m| from <= m.date && m.date <= to)
            .cloned()
            .collect())
    }

    fn year_bounds(&self, year: i32) -> Result<(NaiveDate, NaiveDate)> {
        let (min, max) = (self.first_day(), self.last_day());
        match (
            NaiveDate::from_ymd_opt(year, 1, 1),
            NaiveDate::from_ymd_opt(year, 12, 31),
        ) {
            (Some(a), Some(b)) if a >= min && b <= max => Ok((a, b)),
            (a, _) => Err(Error::OutOfRange {
                date: a.unwrap_or(if year < min.year() {
                    NaiveDate::MIN
                } else {
                    NaiveDate::MAX
                }),
                min,
                max,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::period::day_number;
    use proptest::prelude::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    fn at(y: i32, m: u32, day: u32, h: u32, min: u32) -> NaiveDateTime {
        d(y, m, day).and_hms_opt(h, min, 0).unwrap()
    }

    #[test]
    fn calendar_is_send_sync_and_shared() {
        fn assert_send_sync<T: Send + Sync>() {}
        assert_send_sync::<Calendar>();
        let a = Calendar::vietnam();
        let b = Calendar::vietnam();
        assert!(Arc::ptr_eq(&a.inner, &b.inner));
    }

    #[test]
    fn day_of_matches_day_number() {
        for day in [-3653, -1, 0, 1, 19_646, 47_846] {
            let date = date_of_day(day).unwrap();
            assert_eq!(day_of(date), day_number(date));
        }
    }

    #[test]
    fn table_agrees_with_listing() {
        // every weekday not listed as a day off is a working day, in the years with a
        // five-day week, except make-up days which are Saturdays
        let cal = Calendar::vietnam();
        for year in [2000, 2015, 2023, 2026, 2050, 2100] {
            let off: Vec<NaiveDate> = cal.days_off(year).unwrap().iter().map(|x| x.date).collect();
            let mut date = d(year, 1, 1);
            while date.year() == year {
                let weekend = matches!(date.weekday(), Weekday::Sat | Weekday::Sun);
                let made_up = cal
                    .make_up_days(year)
                    .unwrap()
                    .iter()
                    .any(|m| m.date == date);
                let expect = !off.contains(&date) && (!weekend || made_up);
                assert_eq!(cal.is_working_day(date).unwrap(), expect, "{date}");
                date = date.succ_opt().unwrap();
            }
        }
    }

    #[test]
    fn range_edges() {
        let cal = Calendar::vietnam();
        assert!(cal.is_working_day(d(1959, 12, 31)).is_err());
        assert!(cal.is_working_day(d(1960, 1, 1)).is_ok());
        assert!(cal.is_working_day(d(2100, 12, 31)).is_ok());
        let err = cal.add_working_days(d(2100, 12, 20), 30).unwrap_err();
        assert_eq!(
            err.to_string(),
            "date 2101-01-01 is outside the supported range 1960-01-01 to 2100-12-31"
        );
        // an exclusive end may be the day after the last
        assert!(
            cal.working_days_between(d(2100, 1, 1), d(2101, 1, 1))
                .unwrap()
                > 240
        );
        assert!(cal
            .working_days_between(d(2100, 1, 1), d(2101, 1, 2))
            .is_err());
        assert!(cal.days_off(1959).is_err() && cal.days_off(2101).is_err());
        assert!(cal.is_working_day_batch(&[i32::MIN, 0]).is_err());
        assert!(cal.add_working_days_batch(&[0], &[1, 2]).is_err());
        assert!(cal
            .add_working_days_batch(&[day_number(d(2100, 12, 30))], &[u32::MAX])
            .is_err());
    }

    #[test]
    fn saturday_policy_rest() {
        let d0 = d(2024, 5, 3); // Friday before the make-up Saturday 04/05
        let working = Calendar::vietnam();
        let rest = CalendarBuilder::vietnam()
            .saturday_swaps(SaturdaySwapPolicy::Rest)
            .build()
            .unwrap();
        assert_eq!(working.add_working_days(d0, 1).unwrap(), d(2024, 5, 4));
        assert_eq!(rest.add_working_days(d0, 1).unwrap(), d(2024, 5, 6));
        // the weekday swapped off stays off
        assert!(!rest.is_working_day(d(2024, 4, 29)).unwrap());
        // the listing still names the make-up day
        assert_eq!(rest.make_up_days(2024).unwrap().len(), 1);
    }

    #[test]
    fn builder_can_take_a_day_back() {
        let cal = CalendarBuilder::vietnam()
            .working_day(d(2027, 4, 30), "Làm việc")
            .build()
            .unwrap();
        assert!(cal.is_working_day(d(2027, 4, 30)).unwrap());
        assert!(!cal
            .days_off(2027)
            .unwrap()
            .iter()
            .any(|x| x.date == d(2027, 4, 30)));
    }

    #[test]
    fn six_day_week_before_1999() {
        let cal = Calendar::vietnam();
        assert!(cal.is_working_day(d(1999, 9, 25)).unwrap()); // Saturday
        assert!(!cal.is_working_day(d(1999, 10, 2)).unwrap()); // the first Saturday off
        let plain = CalendarBuilder::weekdays().build().unwrap();
        assert!(!plain.is_working_day(d(1999, 9, 25)).unwrap());
    }

    #[test]
    fn due_at_policy() {
        let cal = Calendar::vietnam();
        let days = TimeLimit::WorkingDays;
        let hours = TimeLimit::WorkingHours;
        // Monday 16/10/2023 (the seed's cut-off) was a plain working day
        assert_eq!(
            cal.due_at(at(2023, 10, 16, 9, 0), days(0)).unwrap(),
            at(2023, 10, 16, 17, 0)
        );
        assert_eq!(
            cal.due_at(at(2023, 10, 16, 9, 0), days(1)).unwrap(),
            at(2023, 10, 17, 17, 0)
        );
        assert_eq!(
            cal.due_at(at(2023, 10, 16, 6, 0), days(1)).unwrap(),
            at(2023, 10, 17, 17, 0)
        );
        // at the close: next working morning
        assert_eq!(
            cal.due_at(at(2023, 10, 16, 17, 0), days(1)).unwrap(),
            at(2023, 10, 18, 17, 0)
        );
        // Saturday: from Monday
        assert_eq!(
            cal.due_at(at(2023, 10, 14, 10, 0), days(1)).unwrap(),
            at(2023, 10, 17, 17, 0)
        );
        // hours
        assert_eq!(
            cal.due_at(at(2023, 10, 16, 7, 0), hours(8)).unwrap(),
            at(2023, 10, 16, 17, 0)
        );
        assert_eq!(
            cal.due_at(at(2023, 10, 16, 9, 0), hours(8)).unwrap(),
            at(2023, 10, 17, 9, 0)
        );
        assert_eq!(
            cal.due_at(at(2023, 10, 16, 7, 0), hours(4)).unwrap(),
            at(2023, 10, 16, 11, 0)
        );
        assert_eq!(
            cal.due_at(at(2023, 10, 16, 7, 30), hours(4)).unwrap(),
            at(2023, 10, 16, 11, 30)
        );
        assert_eq!(
            cal.due_at(at(2023, 10, 16, 12, 15), hours(1)).unwrap(),
            at(2023, 10, 16, 14, 30)
        );
        assert_eq!(
            cal.due_at(at(2023, 10, 16, 18, 0), hours(1)).unwrap(),
            at(2023, 10, 17, 8, 0)
        );
        assert_eq!(
            cal.due_at(at(2023, 10, 16, 16, 30), hours(1)).unwrap(),
            at(2023, 10, 17, 7, 30)
        );
        assert_eq!(
            cal.due_at(at(2023, 10, 16, 9, 0), hours(16)).unwrap(),
            at(2023, 10, 18, 9, 0)
        );
        // zero hours: the instant counting starts
        assert_eq!(
            cal.due_at(at(2023, 10, 16, 9, 5), hours(0)).unwrap(),
            at(2023, 10, 16, 9, 5)
        );
        assert_eq!(
            cal.due_at(at(2023, 10, 16, 12, 0), hours(0)).unwrap(),
            at(2023, 10, 16, 13, 30)
        );
        assert_eq!(
            cal.due_at(at(2023, 10, 16, 5, 0), hours(0)).unwrap(),
            at(2023, 10, 16, 7, 0)
        );
        assert_eq!(
            cal.due_at(at(2023, 10, 14, 9, 0), hours(0)).unwrap(),
            at(2023, 10, 16, 7, 0)
        );
        // across Tết 2024: received Wednesday 07/02 15:00, 4 hours -> Thursday 15/02 09:00?
        // No: 08/02 (29 Chạp) is already off, so 2 h on 07/02 and 2 h from 15/02 07:00.
        assert_eq!(
            cal.due_at(at(2024, 2, 7, 15, 0), hours(4)).unwrap(),
            at(2024, 2, 15, 9, 0)
        );
        // out of range
        assert!(cal.due_at(at(2100, 12, 31, 18, 0), days(0)).is_err());
        assert!(cal.due_at(at(2023, 10, 16, 9, 0), hours(u32::MAX)).is_err());
    }

    #[test]
    fn due_at_hours_match_days_at_the_opening() {
        // from the opening, 8h * n ends at the close of the (n-1)-th working day after it
        let cal = Calendar::vietnam();
        for n in 1..30u32 {
            let start = at(2024, 1, 29, 7, 0);
            let by_hours = cal.due_at(start, TimeLimit::WorkingHours(8 * n)).unwrap();
            let by_days = cal.due_at(start, TimeLimit::WorkingDays(n - 1)).unwrap();
            assert_eq!(by_hours, by_days, "n = {n}");
        }
    }

    fn arb_day() -> impl Strategy<Value = NaiveDate> {
        // 2014-06-01 .. 2027-06-30: official years, swaps, and provisional neighbours
        (16_222i32..20_634).prop_map(|d| date_of_day(d).unwrap())
    }

    proptest! {
        #[test]
        fn added_day_is_a_working_day(date in arb_day(), n in 0u32..400) {
            let cal = Calendar::vietnam();
            let r = cal.add_working_days(date, n).unwrap();
            prop_assert!(cal.is_working_day(r).unwrap());
            prop_assert!(r >= date);
        }

        #[test]
        fn between_inverts_add_on_working_days(date in arb_day(), n in 0u32..400) {
            let cal = Calendar::vietnam();
            let start = cal.add_working_days(date, 0).unwrap(); // a working day
            let r = cal.add_working_days(start, n).unwrap();
            prop_assert_eq!(cal.working_days_between(start, r).unwrap(), n as i32);
        }

        #[test]
        fn add_is_monotone_in_n(date in arb_day(), n in 0u32..400) {
            let cal = Calendar::vietnam();
            prop_assert!(cal.add_working_days(date, n).unwrap() < cal.add_working_days(date, n + 1).unwrap());
        }

        #[test]
        fn between_is_additive_and_antisymmetric(a in arb_day(), b in arb_day(), c in arb_day()) {
            let cal = Calendar::vietnam();
            let w = |x, y| cal.working_days_between(x, y).unwrap();
            prop_assert_eq!(w(a, b) + w(b, c), w(a, c));
            prop_assert_eq!(w(a, b), -w(b, a));
        }

        #[test]
        fn batch_equals_scalar(days in proptest::collection::vec((16_222i32..20_634, 0u32..100), 0..50)) {
            let cal = Calendar::vietnam();
            let (ds, ns): (Vec<i32>, Vec<u32>) = days.iter().copied().unzip();
            let out = cal.add_working_days_batch(&ds, &ns).unwrap();
            for ((&dd, &n), o) in ds.iter().zip(&ns).zip(&out) {
                let scalar = cal.add_working_days(date_of_day(dd).unwrap(), n).unwrap();
                prop_assert_eq!(day_number(scalar), *o);
            }
            let ends: Vec<i32> = out.clone();
            let between = cal.working_days_between_batch(&ds, &ends).unwrap();
            let flags = cal.is_working_day_batch(&out).unwrap();
            prop_assert!(flags.iter().all(|&f| f));
            for (i, &x) in between.iter().enumerate() {
                let start_working = cal.is_working_day(date_of_day(ds[i]).unwrap()).unwrap();
                if start_working {
                    prop_assert_eq!(x, ns[i] as i32);
                }
            }
        }

        #[test]
        fn due_at_is_never_before_reception(day in 16_222i32..20_634, secs in 0u32..86_400, h in 0u32..100, whole in any::<bool>()) {
            let cal = Calendar::vietnam();
            let t = date_of_day(day).unwrap().and_time(time_of(secs));
            let limit = if whole { TimeLimit::WorkingDays(h) } else { TimeLimit::WorkingHours(h) };
            let due = cal.due_at(t, limit).unwrap();
            prop_assert!(due >= t);
            prop_assert!(cal.is_working_day(due.date()).unwrap());
            let oh = cal.office_hours();
            prop_assert!(oh.is_open(due.time()) || due.time() == oh.morning().1 || due.time() == oh.closes());
        }
    }
}
