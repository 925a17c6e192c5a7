//! Reporting periods: validated inclusive date ranges and the granularities reports group by.

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};

/// The Unix epoch, day 0 of [`day_number`] (the same epoch as Arrow's `date32`).
const EPOCH: NaiveDate = match NaiveDate::from_ymd_opt(1970, 1, 1) {
    Some(d) => d,
    None => unreachable!(),
};

/// Days since 1970-01-01 (Arrow `date32` numbering).
///
/// # Example
/// ```
/// use tthc_metrics::{day_number, date_of_day};
/// use chrono::NaiveDate;
/// let d = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
/// assert_eq!(day_number(d), 19646);
/// assert_eq!(date_of_day(19646), Some(d));
/// ```
pub fn day_number(date: NaiveDate) -> i32 {
    date.signed_duration_since(EPOCH).num_days() as i32
}

/// The date of a day number (inverse of [`day_number`]); `None` outside chrono's range.
///
/// # Example
/// ```
/// assert_eq!(tthc_metrics::date_of_day(0).unwrap().to_string(), "1970-01-01");
/// ```
pub fn date_of_day(day: i32) -> Option<NaiveDate> {
    if day >= 0 {
        EPOCH.checked_add_days(Days::new(day as u64))
    } else {
        EPOCH.checked_sub_days(Days::new(u64::from(day.unsigned_abs())))
    }
}

/// An inclusive range of dates `[start, end]`, validated at construction.
///
/// # Example
/// ```
/// use tthc_metrics::Period;
/// use chrono::NaiveDate;
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// // the seed's peak month, 18/10 - 18/11/2023
/// let peak = Period::new(d(2023, 10, 18), d(2023, 11, 18)).unwrap();
/// assert_eq!(peak.days(), 32);
/// assert!(peak.contains(d(2023, 11, 1)));
/// assert_eq!(Period::iso_week(2023, 42).unwrap().start(), d(2023, 10, 16));
/// assert_eq!(Period::quarter(2023, 4).unwrap().end(), d(2023, 12, 31));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "RawPeriod", into = "RawPeriod")]
pub struct Period {
    start: NaiveDate,
    end: NaiveDate,
}

#[derive(Serialize, Deserialize)]
struct RawPeriod {
    start: NaiveDate,
    end: NaiveDate,
}

impl TryFrom<RawPeriod> for Period {
    type Error = Error;
    fn try_from(r: RawPeriod) -> Result<Self> {
        Period::new(r.start, r.end)
    }
}

impl From<Period> for RawPeriod {
    fn from(p: Period) -> Self {
        RawPeriod {
            start: p.start,
            end: p.end,
        }
    }
}

fn ymd(y: i32, m: u32, d: u32) -> Result<NaiveDate> {
    NaiveDate::from_ymd_opt(y, m, d).ok_or_else(|| Error::InvalidArgument {
        name: "date",
        reason: format!("{y:04}-{m:02}-{d:02} is not a calendar date"),
    })
}

impl Period {
    /// A custom window `[start, end]` (both inclusive).
    ///
    /// # Errors
    /// [`Error::InvalidPeriod`] when `end < start`.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Period;
    /// use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    /// assert_eq!(Period::new(d, d).unwrap().days(), 1);
    /// ```
    pub fn new(start: NaiveDate, end: NaiveDate) -> Result<Self> {
        if end < start {
            return Err(Error::InvalidPeriod { start, end });
        }
        Ok(Self { start, end })
    }

    /// A single day.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Period;
    /// use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap();
    /// assert_eq!(Period::day(d).end(), d);
    /// ```
    pub fn day(date: NaiveDate) -> Self {
        Self {
            start: date,
            end: date,
        }
    }

    /// ISO week `week` of ISO year `year` (Monday to Sunday).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] when that ISO year has no such week.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Period;
    /// // ISO week 1 of 2021 starts on Monday 4 January 2021
    /// assert_eq!(Period::iso_week(2021, 1).unwrap().start().to_string(), "2021-01-04");
    /// assert!(Period::iso_week(2023, 53).is_err());
    /// ```
    pub fn iso_week(year: i32, week: u32) -> Result<Self> {
        let start = NaiveDate::from_isoywd_opt(year, week, Weekday::Mon).ok_or_else(|| {
            Error::InvalidArgument {
                name: "iso week",
                reason: format!("ISO year {year} has no week {week}"),
            }
        })?;
        Ok(Self::of(Granularity::Week, start))
    }

    /// The Friday reporting week that contains `date`: Friday through the following Thursday.
    ///
    /// Units report every Friday before 10:00 (the seed letter); the report due on a Friday covers
    /// the seven days that end on the Thursday before it.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Period;
    /// use chrono::NaiveDate;
    /// let w = Period::friday_week(NaiveDate::from_ymd_opt(2023, 10, 18).unwrap()); // a Wednesday
    /// assert_eq!((w.start().to_string(), w.end().to_string()),
    ///            ("2023-10-13".to_string(), "2023-10-19".to_string()));
    /// ```
    pub fn friday_week(date: NaiveDate) -> Self {
        Self::of(Granularity::FridayWeek, date)
    }

    /// Calendar month.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a month outside 1–12.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Period;
    /// assert_eq!(Period::month(2024, 2).unwrap().days(), 29);
    /// ```
    pub fn month(year: i32, month: u32) -> Result<Self> {
        Ok(Self::of(Granularity::Month, ymd(year, month, 1)?))
    }

    /// Calendar quarter 1–4.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a quarter outside 1–4.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Period;
    /// assert_eq!(Period::quarter(2023, 1).unwrap().days(), 90);
    /// ```
    pub fn quarter(year: i32, quarter: u32) -> Result<Self> {
        if !(1..=4).contains(&quarter) {
            return Err(Error::InvalidArgument {
                name: "quarter",
                reason: format!("{quarter} is not 1-4"),
            });
        }
        Ok(Self::of(
            Granularity::Quarter,
            ymd(year, quarter * 3 - 2, 1)?,
        ))
    }

    /// Calendar year.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a year chrono cannot represent.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Period;
    /// assert_eq!(Period::year(2023).unwrap().days(), 365);
    /// ```
    pub fn year(year: i32) -> Result<Self> {
        Ok(Self::of(Granularity::Year, ymd(year, 1, 1)?))
    }

    /// The Decree 09/2019 nine-month report of `year`: 15 December of the year before to
    /// 14 September (the only cycle that does not tile the year).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a year chrono cannot represent.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Period;
    /// let p = Period::decree09_nine_months(2023).unwrap();
    /// assert_eq!((p.start().to_string(), p.end().to_string()), ("2022-12-15".into(), "2023-09-14".into()));
    /// ```
    pub fn decree09_nine_months(year: i32) -> Result<Self> {
        Self::new(ymd(year - 1, 12, 15)?, ymd(year, 9, 14)?)
    }

    /// From 1 January of `date`'s year to `date` (the seed letter's 01/01–16/10/2023).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Period;
    /// use chrono::NaiveDate;
    /// let p = Period::year_to_date(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap());
    /// assert_eq!(p.start().to_string(), "2023-01-01");
    /// assert_eq!(p.days(), 289);
    /// ```
    pub fn year_to_date(date: NaiveDate) -> Self {
        Self {
            start: date.with_ordinal(1).unwrap_or(date),
            end: date,
        }
    }

    /// The period of granularity `g` that contains `date`.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{Granularity, Period};
    /// use chrono::NaiveDate;
    /// let p = Period::of(Granularity::Month, NaiveDate::from_ymd_opt(2023, 2, 14).unwrap());
    /// assert_eq!(p.end().to_string(), "2023-02-28");
    /// ```
    pub fn of(g: Granularity, date: NaiveDate) -> Self {
        let (start, end) = g.bounds(date);
        Self { start, end }
    }

    /// First day.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Period;
    /// assert_eq!(Period::year(2023).unwrap().start().to_string(), "2023-01-01");
    /// ```
    pub fn start(&self) -> NaiveDate {
        self.start
    }

    /// Last day (inclusive).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Period;
    /// assert_eq!(Period::year(2023).unwrap().end().to_string(), "2023-12-31");
    /// ```
    pub fn end(&self) -> NaiveDate {
        self.end
    }

    /// Number of days, both ends included.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Period;
    /// assert_eq!(Period::iso_week(2023, 1).unwrap().days(), 7);
    /// ```
    pub fn days(&self) -> u32 {
        (day_number(self.end) - day_number(self.start) + 1) as u32
    }

    /// Whether `date` lies in the period.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Period;
    /// let q = Period::quarter(2023, 4).unwrap();
    /// assert!(!q.contains(chrono::NaiveDate::from_ymd_opt(2023, 9, 30).unwrap()));
    /// ```
    pub fn contains(&self, date: NaiveDate) -> bool {
        self.start <= date && date <= self.end
    }

    /// The overlap with `other`, if any (used to clip the last period of a report at its end).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Period;
    /// use chrono::NaiveDate;
    /// let m = Period::month(2023, 10).unwrap();
    /// let ytd = Period::year_to_date(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap());
    /// assert_eq!(m.intersect(&ytd).unwrap().end().to_string(), "2023-10-16");
    /// assert!(m.intersect(&Period::month(2023, 11).unwrap()).is_none());
    /// ```
    pub fn intersect(&self, other: &Period) -> Option<Period> {
        let start = self.start.max(other.start);
        let end = self.end.min(other.end);
        (start <= end).then_some(Period { start, end })
    }
}

impl fmt::Display for Period {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}..={}", self.start, self.end)
    }
}

/// The day of the month a monthly reporting cycle starts on (1–28): `21` is the 21st-to-20th
/// month of Vĩnh Phúc, `15` the 15th-to-14th month of Decree 09/2019.
///
/// # Example
/// ```
/// use tthc_metrics::CutDay;
/// assert_eq!(CutDay::new(21).unwrap().day(), 21);
/// assert!(CutDay::new(29).is_err());
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "u8", into = "u8")]
pub struct CutDay(u8);

impl CutDay {
    /// A cut day; every month has it.
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] outside 1–28 (the 29th to the 31st are missing from some months).
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::CutDay::new(0).unwrap_err().code(), "invalid_argument");
    /// ```
    pub fn new(day: u8) -> Result<Self> {
        if (1..=28).contains(&day) {
            Ok(Self(day))
        } else {
            Err(Error::InvalidArgument {
                name: "cut day",
                reason: format!(
                    "a monthly cycle starts on a day every month has (1-28), not {day}"
                ),
            })
        }
    }

    /// The day of the month.
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::CutDay::new(15).unwrap().day(), 15);
    /// ```
    pub fn day(self) -> u8 {
        self.0
    }
}

impl TryFrom<u8> for CutDay {
    type Error = Error;
    fn try_from(day: u8) -> Result<Self> {
        Self::new(day)
    }
}

impl From<CutDay> for u8 {
    fn from(c: CutDay) -> u8 {
        c.0
    }
}

/// How finely a report buckets dates into periods.
///
/// Besides the calendar periods, the reporting cycles in use (domain-rules section 9): the
/// Decree 09/2019 month from the 15th of the previous month to the 14th, and its quarter,
/// half-year and year counted likewise from 15 December; any other monthly cut
/// ([`Granularity::MonthFrom`], e.g. the 21st to the 20th). A cycle's period is named after the
/// month (quarter, year) it ends in: 15/09–14/10/2023 is the report of October 2023.
///
/// # Example
/// ```
/// use tthc_metrics::{CutDay, Granularity, Period};
/// use chrono::NaiveDate;
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// assert_eq!("friday_week".parse::<Granularity>().unwrap(), Granularity::FridayWeek);
/// assert_eq!("week".parse::<Granularity>().unwrap(), Granularity::Week);
/// let m = Period::of(Granularity::Decree09Month, d(2023, 10, 3));
/// assert_eq!((m.start(), m.end()), (d(2023, 9, 15), d(2023, 10, 14)));
/// let y = Period::of(Granularity::Decree09Year, d(2023, 12, 20));
/// assert_eq!((y.start(), y.end()), (d(2023, 12, 15), d(2024, 12, 14)));
/// let g: Granularity = "month_from_21".parse().unwrap();
/// assert_eq!(g, Granularity::MonthFrom(CutDay::new(21).unwrap()));
/// assert_eq!(Period::of(g, d(2023, 10, 20)).start(), d(2023, 9, 21));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum Granularity {
    /// One day.
    Day,
    /// ISO week, Monday to Sunday.
    Week,
    /// Friday to Thursday: the week covered by the report due on the following Friday.
    FridayWeek,
    /// Calendar month.
    Month,
    /// Calendar quarter.
    Quarter,
    /// Calendar half-year (January–June, July–December).
    HalfYear,
    /// Calendar year.
    Year,
    /// A month from the given day to the day before it in the next month (`MonthFrom(1)` is the
    /// calendar month).
    MonthFrom(CutDay),
    /// Decree 09/2019: the 15th of the previous month to the 14th.
    Decree09Month,
    /// Decree 09/2019: quarters from 15 December (15/12–14/03, 15/03–14/06, ...).
    Decree09Quarter,
    /// Decree 09/2019: half-years from 15 December (15/12–14/06, 15/06–14/12).
    Decree09HalfYear,
    /// Decree 09/2019: the year from 15 December of the previous year to 14 December.
    Decree09Year,
}

/// Month index `year * 12 + month0` of a date.
fn month_index(date: NaiveDate) -> i64 {
    i64::from(date.year()) * 12 + i64::from(date.month0())
}

/// The date `day` of month index `index` (`None` outside chrono's range).
fn at_month_index(index: i64, day: u32) -> Option<NaiveDate> {
    let year = i32::try_from(index.div_euclid(12)).ok()?;
    let month0 = u32::try_from(index.rem_euclid(12)).ok()?;
    NaiveDate::from_ymd_opt(year, month0 + 1, day)
}

/// The period of a cycle of `months` months that start on day `cut` of the months congruent to
/// `anchor0` (0 = January) modulo `months`.
fn cycle_bounds(date: NaiveDate, months: i64, cut: u32, anchor0: i64) -> (NaiveDate, NaiveDate) {
    let mut m = month_index(date);
    if date.day() < cut {
        m -= 1;
    }
    let start_index = m - (m - anchor0).rem_euclid(months);
    let start = at_month_index(start_index, cut).unwrap_or(NaiveDate::MIN);
    // the last period of chrono's range ends on its last day (no next period to precede)
    let end = at_month_index(start_index + months, cut)
        .and_then(|n| n.pred_opt())
        .unwrap_or(NaiveDate::MAX);
    (start, end)
}

const MONTH_FROM_NAMES: [&str; 28] = [
    "month",
    "month_from_2",
    "month_from_3",
    "month_from_4",
    "month_from_5",
    "month_from_6",
    "month_from_7",
    "month_from_8",
    "month_from_9",
    "month_from_10",
    "month_from_11",
    "month_from_12",
    "month_from_13",
    "month_from_14",
    "month_from_15",
    "month_from_16",
    "month_from_17",
    "month_from_18",
    "month_from_19",
    "month_from_20",
    "month_from_21",
    "month_from_22",
    "month_from_23",
    "month_from_24",
    "month_from_25",
    "month_from_26",
    "month_from_27",
    "month_from_28",
];

/// The granularities named in options, for error messages.
const GRANULARITY_NAMES: &[&str] = &[
    "day",
    "week",
    "friday_week",
    "month",
    "quarter",
    "half_year",
    "year",
    "month_from_<day>",
    "decree09_month",
    "decree09_quarter",
    "decree09_half_year",
    "decree09_year",
];

impl Granularity {
    /// The first and last day of the period of this granularity that contains `date`.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::Granularity;
    /// use chrono::NaiveDate;
    /// let d = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap(); // Monday
    /// let (s, e) = Granularity::Week.bounds(d);
    /// assert_eq!((s, e.to_string()), (d, "2023-10-22".to_string()));
    /// let (s, e) = Granularity::Decree09Quarter.bounds(d);
    /// assert_eq!((s.to_string(), e.to_string()), ("2023-09-15".into(), "2023-12-14".into()));
    /// ```
    pub fn bounds(self, date: NaiveDate) -> (NaiveDate, NaiveDate) {
        let add = |d: NaiveDate, n: u64| d.checked_add_days(Days::new(n)).unwrap_or(NaiveDate::MAX);
        let sub = |d: NaiveDate, n: u64| d.checked_sub_days(Days::new(n)).unwrap_or(NaiveDate::MIN);
        match self {
            Self::Day => (date, date),
            Self::Week => {
                let s = sub(date, u64::from(date.weekday().num_days_from_monday()));
                (s, add(s, 6))
            }
            Self::FridayWeek => {
                let back = (date.weekday().num_days_from_monday() + 7 - 4) % 7;
                let s = sub(date, u64::from(back));
                (s, add(s, 6))
            }
            Self::Month => cycle_bounds(date, 1, 1, 0),
            Self::Quarter => cycle_bounds(date, 3, 1, 0),
            Self::HalfYear => cycle_bounds(date, 6, 1, 0),
            Self::Year => cycle_bounds(date, 12, 1, 0),
            Self::MonthFrom(cut) => cycle_bounds(date, 1, u32::from(cut.day()), 0),
            Self::Decree09Month => cycle_bounds(date, 1, 15, 11),
            Self::Decree09Quarter => cycle_bounds(date, 3, 15, 11),
            Self::Decree09HalfYear => cycle_bounds(date, 6, 15, 11),
            Self::Decree09Year => cycle_bounds(date, 12, 15, 11),
        }
    }

    /// The name used in options and output (`"week"`, `"month"`, `"month_from_21"`, ...).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::{CutDay, Granularity};
    /// assert_eq!(Granularity::Quarter.name(), "quarter");
    /// assert_eq!(Granularity::MonthFrom(CutDay::new(21).unwrap()).name(), "month_from_21");
    /// assert_eq!(Granularity::MonthFrom(CutDay::new(1).unwrap()).name(), "month");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::FridayWeek => "friday_week",
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::HalfYear => "half_year",
            Self::Year => "year",
            Self::MonthFrom(cut) => MONTH_FROM_NAMES[usize::from(cut.day()) - 1],
            Self::Decree09Month => "decree09_month",
            Self::Decree09Quarter => "decree09_quarter",
            Self::Decree09HalfYear => "decree09_half_year",
            Self::Decree09Year => "decree09_year",
        }
    }

    /// How many months a period of this granularity spans (`None` for days and weeks).
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::Granularity::Decree09HalfYear.months(), Some(6));
    /// assert_eq!(tthc_metrics::Granularity::FridayWeek.months(), None);
    /// ```
    pub fn months(self) -> Option<u32> {
        match self {
            Self::Day | Self::Week | Self::FridayWeek => None,
            Self::Month | Self::MonthFrom(_) | Self::Decree09Month => Some(1),
            Self::Quarter | Self::Decree09Quarter => Some(3),
            Self::HalfYear | Self::Decree09HalfYear => Some(6),
            Self::Year | Self::Decree09Year => Some(12),
        }
    }
}

impl fmt::Display for Granularity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Granularity {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        let t = s.trim().to_ascii_lowercase();
        Ok(match t.as_str() {
            "day" => Self::Day,
            "week" | "iso_week" => Self::Week,
            "friday_week" => Self::FridayWeek,
            "month" => Self::Month,
            "quarter" => Self::Quarter,
            "half_year" => Self::HalfYear,
            "year" => Self::Year,
            "decree09_month" => Self::Decree09Month,
            "decree09_quarter" => Self::Decree09Quarter,
            "decree09_half_year" => Self::Decree09HalfYear,
            "decree09_year" => Self::Decree09Year,
            other => {
                if let Some(day) = other
                    .strip_prefix("month_from_")
                    .and_then(|d| d.parse::<u8>().ok())
                {
                    let cut = CutDay::new(day)?;
                    return Ok(if day == 1 {
                        Self::Month
                    } else {
                        Self::MonthFrom(cut)
                    });
                }
                return Err(Error::unknown("period granularity", s, GRANULARITY_NAMES));
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn every_date_lies_in_its_own_period(day in -20_000i32..80_000, g in 0usize..12, cut in 1u8..=28) {
            let g = [Granularity::Day, Granularity::Week, Granularity::FridayWeek,
                     Granularity::Month, Granularity::Quarter, Granularity::HalfYear,
                     Granularity::Year, Granularity::MonthFrom(CutDay::new(cut).unwrap()),
                     Granularity::Decree09Month, Granularity::Decree09Quarter,
                     Granularity::Decree09HalfYear, Granularity::Decree09Year][g];
            let d = date_of_day(day).unwrap();
            let p = Period::of(g, d);
            prop_assert!(p.contains(d));
            // the period is the same from any of its days: periods tile the line
            prop_assert_eq!(Period::of(g, p.start()), p);
            prop_assert_eq!(Period::of(g, p.end()), p);
            let next = p.end().succ_opt().unwrap();
            prop_assert_eq!(Period::of(g, next).start(), next);
        }
    }

    proptest! {
        #[test]
        fn monthly_cycles_span_their_months(day in 0i32..60_000, g in 0usize..9, cut in 1u8..=28) {
            let g = [Granularity::Month, Granularity::Quarter, Granularity::HalfYear,
                     Granularity::Year, Granularity::MonthFrom(CutDay::new(cut).unwrap()),
                     Granularity::Decree09Month, Granularity::Decree09Quarter,
                     Granularity::Decree09HalfYear, Granularity::Decree09Year][g];
            let p = Period::of(g, date_of_day(day).unwrap());
            let next = p.end().succ_opt().unwrap();
            let months = (next.year() - p.start().year()) * 12 + next.month() as i32 - p.start().month() as i32;
            prop_assert_eq!(Some(months as u32), g.months());
            prop_assert_eq!(p.start().day(), next.day());
            // the name parses back to the same cycle (`month_from_1` is the calendar month)
            prop_assert_eq!(Period::of(g.name().parse::<Granularity>().unwrap(), p.start()), p);
        }
    }

    /// Decree 09/2019/ND-CP, article 12: the monthly figures run from the 15th of the month
    /// before the reporting period to the 14th of its month; quarters to the 14th of the
    /// quarter's last month; the half-year from 15 December of the previous year to 14 June;
    /// the year from 15 December to 14 December (domain-rules section 9).
    #[test]
    fn decree_09_cycles_follow_article_12() {
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let of = |g, date| {
            let p = Period::of(g, date);
            (p.start(), p.end())
        };
        assert_eq!(
            of(Granularity::Decree09Month, d(2023, 10, 14)),
            (d(2023, 9, 15), d(2023, 10, 14))
        );
        assert_eq!(
            of(Granularity::Decree09Month, d(2023, 10, 15)),
            (d(2023, 10, 15), d(2023, 11, 14))
        );
        assert_eq!(
            of(Granularity::Decree09Month, d(2024, 1, 2)),
            (d(2023, 12, 15), d(2024, 1, 14))
        );
        assert_eq!(
            of(Granularity::Decree09Quarter, d(2024, 1, 2)),
            (d(2023, 12, 15), d(2024, 3, 14))
        );
        assert_eq!(
            of(Granularity::Decree09Quarter, d(2024, 6, 14)),
            (d(2024, 3, 15), d(2024, 6, 14))
        );
        assert_eq!(
            of(Granularity::Decree09HalfYear, d(2024, 6, 14)),
            (d(2023, 12, 15), d(2024, 6, 14))
        );
        assert_eq!(
            of(Granularity::Decree09HalfYear, d(2024, 6, 15)),
            (d(2024, 6, 15), d(2024, 12, 14))
        );
        assert_eq!(
            of(Granularity::Decree09Year, d(2024, 12, 14)),
            (d(2023, 12, 15), d(2024, 12, 14))
        );
        // Vĩnh Phúc's 21st-to-20th month
        let g: Granularity = "month_from_21".parse().unwrap();
        assert_eq!(of(g, d(2023, 10, 21)), (d(2023, 10, 21), d(2023, 11, 20)));
        assert!("month_from_29".parse::<Granularity>().is_err());
    }

    #[test]
    fn friday_week_starts_on_friday() {
        for day in 19_000..19_100 {
            let p = Period::friday_week(date_of_day(day).unwrap());
            assert_eq!(p.start().weekday(), Weekday::Fri);
            assert_eq!(p.end().weekday(), Weekday::Thu);
        }
    }
}
