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

/// How finely a report buckets dates into periods.
///
/// # Example
/// ```
/// use tthc_metrics::Granularity;
/// assert_eq!("friday_week".parse::<Granularity>().unwrap(), Granularity::FridayWeek);
/// assert_eq!("week".parse::<Granularity>().unwrap(), Granularity::Week);
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
    /// Calendar year.
    Year,
}

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
            // the last period of chrono's range ends on its last day (no next period to precede)
            Self::Month => {
                let s = date.with_day(1).unwrap_or(date);
                let next = s.checked_add_months(chrono::Months::new(1));
                (s, next.map_or(NaiveDate::MAX, |n| sub(n, 1)))
            }
            Self::Quarter => {
                let m0 = (date.month0() / 3) * 3 + 1;
                let s = NaiveDate::from_ymd_opt(date.year(), m0, 1).unwrap_or(date);
                let next = s.checked_add_months(chrono::Months::new(3));
                (s, next.map_or(NaiveDate::MAX, |n| sub(n, 1)))
            }
            Self::Year => {
                let s = date.with_ordinal(1).unwrap_or(date);
                let e = NaiveDate::from_ymd_opt(date.year(), 12, 31).unwrap_or(date);
                (s, e)
            }
        }
    }

    /// The name used in options and output (`"week"`, `"month"`, ...).
    ///
    /// # Example
    /// ```
    /// assert_eq!(tthc_metrics::Granularity::Quarter.name(), "quarter");
    /// ```
    pub fn name(self) -> &'static str {
        match self {
            Self::Day => "day",
            Self::Week => "week",
            Self::FridayWeek => "friday_week",
            Self::Month => "month",
            Self::Quarter => "quarter",
            Self::Year => "year",
        }
    }
}

impl FromStr for Granularity {
    type Err = Error;
    fn from_str(s: &str) -> Result<Self> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "day" => Self::Day,
            "week" | "iso_week" => Self::Week,
            "friday_week" => Self::FridayWeek,
            "month" => Self::Month,
            "quarter" => Self::Quarter,
            "year" => Self::Year,
            _ => {
                return Err(Error::unknown(
                    "period granularity",
                    s,
                    &["day", "week", "friday_week", "month", "quarter", "year"],
                ))
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
        fn every_date_lies_in_its_own_period(day in -20_000i32..80_000, g in 0usize..6) {
            let g = [Granularity::Day, Granularity::Week, Granularity::FridayWeek,
                     Granularity::Month, Granularity::Quarter, Granularity::Year][g];
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

    #[test]
    fn friday_week_starts_on_friday() {
        for day in 19_000..19_100 {
            let p = Period::friday_week(date_of_day(day).unwrap());
            assert_eq!(p.start().weekday(), Weekday::Fri);
            assert_eq!(p.end().weekday(), Weekday::Thu);
        }
    }
}
