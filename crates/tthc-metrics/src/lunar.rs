//! The Vietnamese lunisolar calendar (âm lịch), computed astronomically.
//!
//! Rules, as used by the Vietnamese calendar since 1968 (and applied here to every year):
//! - a month starts on the local civil day (UTC+7, not China's UTC+8) that contains a new moon;
//! - month 11 is the month that contains the December solstice (the sun at 270°);
//! - a year with 13 months between two months 11 has a leap month: the first month after month 11
//!   that contains no major solar term (the sun crossing a multiple of 30°); it takes the number
//!   of the month before it;
//! - Tết (lunar 1/1) starts month 1; Giỗ Tổ Hùng Vương is lunar 10/3.
//!
//! New moons come from the mean lunation with Meeus's periodic and planetary corrections
//! (*Astronomical Algorithms*, 2nd ed., ch. 49), converted from dynamical to universal time with
//! the Espenak–Meeus ΔT polynomials; the sun's apparent longitude from Meeus ch. 25 (accurate to
//! about 0.01°). Only the time zone distinguishes this from the Chinese calendar, and that is
//! enough to move Tết 2030 (2 February here, 3 February in China) and Hùng Kings day 2037 and 2038.

use chrono::{Datelike, NaiveDate};

use crate::error::{Error, Result};
use crate::period::{date_of_day, day_number};

/// Vietnam's civil time zone, in days.
const TZ_DAYS: f64 = 7.0 / 24.0;
/// Julian day of 1970-01-01 00:00 UT: day number `d` starts at `d + UNIX_JD` (UT).
const UNIX_JD: f64 = 2_440_587.5;
/// Mean synodic month, in days.
const SYNODIC: f64 = 29.530_588_861;
/// Julian ephemeris day of the mean new moon k = 0 (6 January 2000).
const K0_JDE: f64 = 2_451_550.097_66;

/// First and last solar dates the lunar conversion supports.
const LUNAR_MIN: (i32, u32, u32) = (1900, 1, 1);
const LUNAR_MAX: (i32, u32, u32) = (2199, 12, 31);

fn rad(deg: f64) -> f64 {
    deg.to_radians()
}

/// ΔT = TT − UT in seconds for a decimal year (Espenak & Meeus, NASA polynomial expressions).
fn delta_t_seconds(year: f64) -> f64 {
    if year < 1920.0 {
        let t = year - 1900.0;
        -2.79 + 1.494_119 * t - 0.059_893_9 * t * t + 0.006_196_6 * t.powi(3)
            - 0.000_197 * t.powi(4)
    } else if year < 1941.0 {
        let t = year - 1920.0;
        21.20 + 0.844_93 * t - 0.076_100 * t * t + 0.002_093_6 * t.powi(3)
    } else if year < 1961.0 {
        let t = year - 1950.0;
        29.07 + 0.407 * t - t * t / 233.0 + t.powi(3) / 2547.0
    } else if year < 1986.0 {
        let t = year - 1975.0;
        45.45 + 1.067 * t - t * t / 260.0 - t.powi(3) / 718.0
    } else if year < 2005.0 {
        let t = year - 2000.0;
        63.86 + 0.3345 * t - 0.060_374 * t * t
            + 0.001_727_5 * t.powi(3)
            + 0.000_651_814 * t.powi(4)
            + 0.000_023_735_99 * t.powi(5)
    } else if year < 2050.0 {
        let t = year - 2000.0;
        62.92 + 0.322_17 * t + 0.005_589 * t * t
    } else if year < 2150.0 {
        let u = (year - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u - 0.5628 * (2150.0 - year)
    } else {
        let u = (year - 1820.0) / 100.0;
        -20.0 + 32.0 * u * u
    }
}

/// ΔT in days at Julian day `jd`.
fn delta_t_days(jd: f64) -> f64 {
    let year = 2000.0 + (jd - 2_451_545.0) / 365.25;
    delta_t_seconds(year) / 86_400.0
}

/// Meeus's planetary arguments A1–A14: (amplitude in days, phase °, rate ° per lunation); A1
/// also has a T² term.
const PLANETARY: [(f64, f64, f64); 14] = [
    (0.000_325, 299.77, 0.107_408),
    (0.000_165, 251.88, 0.016_321),
    (0.000_164, 251.83, 26.651_886),
    (0.000_126, 349.42, 36.412_478),
    (0.000_110, 84.66, 18.206_239),
    (0.000_062, 141.74, 53.303_771),
    (0.000_060, 207.14, 2.453_732),
    (0.000_056, 154.84, 7.306_860),
    (0.000_047, 34.52, 27.261_239),
    (0.000_042, 207.19, 0.121_824),
    (0.000_040, 291.34, 1.844_379),
    (0.000_037, 161.72, 24.198_154),
    (0.000_035, 239.56, 25.513_099),
    (0.000_023, 331.55, 3.592_518),
];

/// Julian ephemeris day (TT) of true new moon number `k` (k = 0: 6 January 2000).
#[allow(clippy::many_single_char_names)] // Meeus's notation
fn new_moon_jde(k: i32) -> f64 {
    let k = f64::from(k);
    let t = k / 1236.85;
    let (t2, t3, t4) = (t * t, t * t * t, t * t * t * t);
    let mean =
        K0_JDE + SYNODIC * k + 0.000_154_37 * t2 - 0.000_000_150 * t3 + 0.000_000_000_73 * t4;
    let e = 1.0 - 0.002_516 * t - 0.000_007_4 * t2;
    // sun's mean anomaly, moon's mean anomaly, moon's argument of latitude, ascending node
    let m = rad(2.5534 + 29.105_356_70 * k - 0.000_001_4 * t2 - 0.000_000_11 * t3);
    let mp = rad(
        201.5643 + 385.816_935_28 * k + 0.010_758_2 * t2 + 0.000_012_38 * t3 - 0.000_000_058 * t4,
    );
    let f = rad(
        160.7108 + 390.670_502_84 * k - 0.001_611_8 * t2 - 0.000_002_27 * t3 + 0.000_000_011 * t4,
    );
    let om = rad(124.7746 - 1.563_755_88 * k + 0.002_067_2 * t2 + 0.000_002_15 * t3);

    let periodic = -0.407_20 * mp.sin()
        + 0.172_41 * e * m.sin()
        + 0.016_08 * (2.0 * mp).sin()
        + 0.010_39 * (2.0 * f).sin()
        + 0.007_39 * e * (mp - m).sin()
        - 0.005_14 * e * (mp + m).sin()
        + 0.002_08 * e * e * (2.0 * m).sin()
        - 0.001_11 * (mp - 2.0 * f).sin()
        - 0.000_57 * (mp + 2.0 * f).sin()
        + 0.000_56 * e * (2.0 * mp + m).sin()
        - 0.000_42 * (3.0 * mp).sin()
        + 0.000_42 * e * (m + 2.0 * f).sin()
        + 0.000_38 * e * (m - 2.0 * f).sin()
        - 0.000_24 * e * (2.0 * mp - m).sin()
        - 0.000_17 * om.sin()
        - 0.000_07 * (mp + 2.0 * m).sin()
        + 0.000_04 * (2.0 * mp - 2.0 * f).sin()
        + 0.000_04 * (3.0 * m).sin()
        + 0.000_03 * (mp + m - 2.0 * f).sin()
        + 0.000_03 * (2.0 * mp + 2.0 * f).sin()
        - 0.000_03 * (mp + m + 2.0 * f).sin()
        + 0.000_03 * (mp - m + 2.0 * f).sin()
        - 0.000_02 * (mp - m - 2.0 * f).sin()
        - 0.000_02 * (3.0 * mp + m).sin()
        + 0.000_02 * (4.0 * mp).sin();

    let planetary: f64 = PLANETARY
        .iter()
        .enumerate()
        .map(|(i, &(amp, phase, rate))| {
            let a1_extra = if i == 0 { -0.009_173 * t2 } else { 0.0 };
            amp * rad(phase + rate * k + a1_extra).sin()
        })
        .sum();

    mean + periodic + planetary
}

/// The local (UTC+7) day number of new moon `k`.
fn new_moon_day(k: i32) -> i32 {
    let jde = new_moon_jde(k);
    let jd_ut = jde - delta_t_days(jde);
    (jd_ut + TZ_DAYS - UNIX_JD).floor() as i32
}

/// The sun's apparent geocentric longitude in degrees [0, 360) at Julian day `jd_ut` (UT).
fn sun_longitude(jd_ut: f64) -> f64 {
    let jde = jd_ut + delta_t_days(jd_ut);
    let t = (jde - 2_451_545.0) / 36_525.0;
    let l0 = 280.466_46 + 36_000.769_83 * t + 0.000_303_2 * t * t;
    let m = rad(357.529_11 + 35_999.050_29 * t - 0.000_153_7 * t * t);
    let c = (1.914_602 - 0.004_817 * t - 0.000_014 * t * t) * m.sin()
        + (0.019_993 - 0.000_101 * t) * (2.0 * m).sin()
        + 0.000_289 * (3.0 * m).sin();
    let omega = rad(125.04 - 1934.136 * t);
    let apparent = l0 + c - 0.005_69 - 0.004_78 * omega.sin();
    apparent.rem_euclid(360.0)
}

/// Which 30° sector (0..12) the sun is in at the start (00:00 UTC+7) of local day `day`.
///
/// A month whose first day and the next month's first day share a sector contains no major
/// solar term.
fn sun_sector_at_day_start(day: i32) -> i32 {
    let jd_ut = f64::from(day) + UNIX_JD - TZ_DAYS;
    (sun_longitude(jd_ut) / 30.0).floor() as i32
}

/// The lunation number whose new moon starts the month containing local day `day`.
fn lunation_containing(day: i32) -> i32 {
    let jd = f64::from(day) + UNIX_JD;
    let mut k = ((jd - K0_JDE) / SYNODIC).floor() as i32;
    // the estimate is within a lunation; settle it exactly
    while new_moon_day(k + 1) <= day {
        k += 1;
    }
    while new_moon_day(k) > day {
        k -= 1;
    }
    k
}

/// The lunation that starts month 11 of solar year `year` (the month of the December solstice).
fn month11_lunation(year: i32) -> i32 {
    let dec31 = day_number(NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX));
    let k = lunation_containing(dec31);
    // the sun is past 270° when that month starts: the solstice fell in the month before
    if sun_sector_at_day_start(new_moon_day(k)) >= 9 {
        k - 1
    } else {
        k
    }
}

/// One lunar month: first day (day number), number 1–12 and whether it is the leap month.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Month {
    start: i32,
    number: u8,
    leap: bool,
    /// The lunar year it belongs to (the year whose Tết starts it).
    year: i32,
}

/// The months from month 11 of lunar year `year - 1` up to (not including) month 11 of lunar
/// year `year`, plus the start of the month after the last, so each month's length is known.
fn months_of(year: i32) -> (Vec<Month>, i32) {
    let a = month11_lunation(year - 1);
    let b = month11_lunation(year);
    let count = b - a; // 12 or 13
    let leap_offset = if count == 13 {
        // the first month after month 11 without a major solar term
        (1..=count).find(|&i| {
            sun_sector_at_day_start(new_moon_day(a + i))
                == sun_sector_at_day_start(new_moon_day(a + i + 1))
        })
    } else {
        None
    };
    let mut months = Vec::with_capacity(13);
    let mut number = 11u8;
    let mut seen_month1 = false;
    for i in 0..count {
        let leap = leap_offset == Some(i);
        if i > 0 && !leap {
            number = number % 12 + 1;
        }
        if number == 1 && !leap {
            seen_month1 = true;
        }
        months.push(Month {
            start: new_moon_day(a + i),
            number,
            leap,
            year: if seen_month1 { year } else { year - 1 },
        });
    }
    (months, new_moon_day(b))
}

fn lunar_range() -> (NaiveDate, NaiveDate) {
    let d = |(y, m, day): (i32, u32, u32)| NaiveDate::from_ymd_opt(y, m, day).unwrap_or_default();
    (d(LUNAR_MIN), d(LUNAR_MAX))
}

fn check_year(year: i32) -> Result<()> {
    let (min, max) = lunar_range();
    if year < min.year() || year > max.year() {
        let date = NaiveDate::from_ymd_opt(year, 1, 1).unwrap_or(if year < min.year() {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        });
        return Err(Error::OutOfRange { date, min, max });
    }
    Ok(())
}

/// A date of the Vietnamese lunar calendar (âm lịch): lunar year, month 1–12, leap flag, day
/// 1–30.
///
/// The lunar year is numbered by the solar year in which its Tết falls: lunar 1/1/2024 is
/// 10 February 2024, and 9 February 2024 is lunar 30/12/2023. Supported solar range:
/// 1900-01-01 to 2199-12-31.
///
/// # Example
/// ```
/// use tthc_metrics::LunarDate;
/// use chrono::NaiveDate;
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// // Tết Giáp Thìn
/// let tet = LunarDate::from_date(d(2024, 2, 10)).unwrap();
/// assert_eq!((tet.year(), tet.month(), tet.day(), tet.is_leap_month()), (2024, 1, 1, false));
/// // 2023 had a leap second month: 22 March 2023 is lunar 1/2 (leap)/2023
/// let leap = LunarDate::from_date(d(2023, 3, 22)).unwrap();
/// assert_eq!((leap.month(), leap.day(), leap.is_leap_month()), (2, 1, true));
/// assert_eq!(leap.to_string(), "01/02n/2023");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct LunarDate {
    year: i32,
    month: u8,
    leap: bool,
    day: u8,
}

impl LunarDate {
    /// The lunar date of a solar date.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] outside 1900-01-01 to 2199-12-31.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::LunarDate;
    /// use chrono::NaiveDate;
    /// // Giỗ Tổ Hùng Vương 2025 (10/3 lunar) fell on Monday 7 April 2025
    /// let d = LunarDate::from_date(NaiveDate::from_ymd_opt(2025, 4, 7).unwrap()).unwrap();
    /// assert_eq!((d.month(), d.day()), (3, 10));
    /// ```
    pub fn from_date(date: NaiveDate) -> Result<Self> {
        let (min, max) = lunar_range();
        if date < min || date > max {
            return Err(Error::OutOfRange { date, min, max });
        }
        let day = day_number(date);
        let year = date.year();
        // months_of(year + 1) starts at month 11 of this solar year
        let (months, end) = months_of(year + 1);
        let (months, end) = if day >= months[0].start {
            (months, end)
        } else {
            months_of(year)
        };
        let i = months.partition_point(|m| m.start <= day) - 1;
        let m = months[i];
        debug_assert!(day < end);
        Ok(Self {
            year: m.year,
            month: m.number,
            leap: m.leap,
            day: (day - m.start + 1) as u8,
        })
    }

    /// A lunar date from its parts, checked to exist (a leap month only in its year, day 30 only
    /// in a long month).
    ///
    /// # Errors
    /// [`Error::InvalidArgument`] for a date that does not exist; [`Error::OutOfRange`] outside
    /// the supported years.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::LunarDate;
    /// let hung_kings = LunarDate::new(2026, 3, false, 10).unwrap();
    /// assert_eq!(hung_kings.to_date().to_string(), "2026-04-26");
    /// // 2026 has no leap month
    /// assert!(LunarDate::new(2026, 3, true, 10).is_err());
    /// ```
    pub fn new(year: i32, month: u8, leap: bool, day: u8) -> Result<Self> {
        check_year(year)?;
        let invalid = |reason: String| Error::InvalidArgument {
            name: "lunar date",
            reason,
        };
        if !(1..=12).contains(&month) || !(1..=30).contains(&day) {
            return Err(invalid(format!(
                "month {month} day {day} is not a lunar month 1-12 and day 1-30"
            )));
        }
        let start = Self::month_start(year, month, leap)
            .ok_or_else(|| invalid(format!("lunar year {year} has no leap month {month}")))?;
        let len = Self::month_len(year, month, leap).unwrap_or(29);
        if i32::from(day) > len {
            return Err(invalid(format!(
                "lunar month {month}{} of {year} has {len} days, not {day}",
                if leap { " (leap)" } else { "" }
            )));
        }
        let date = date_of_day(start + i32::from(day) - 1).unwrap_or_default();
        let (min, max) = lunar_range();
        if date < min || date > max {
            return Err(Error::OutOfRange { date, min, max });
        }
        Ok(Self {
            year,
            month,
            leap,
            day,
        })
    }

    /// (first day number, length) of a month of lunar year `year`, if it exists.
    fn month_info(year: i32, month: u8, leap: bool) -> Option<(i32, i32)> {
        // months 11 and 12 of lunar year `year` are listed in the layout of `year + 1`
        let (months, end) = if month >= 11 {
            months_of(year + 1)
        } else {
            months_of(year)
        };
        let i = months
            .iter()
            .position(|m| m.number == month && m.leap == leap && m.year == year)?;
        let next = months.get(i + 1).map_or(end, |m| m.start);
        Some((months[i].start, next - months[i].start))
    }

    fn month_start(year: i32, month: u8, leap: bool) -> Option<i32> {
        Self::month_info(year, month, leap).map(|(s, _)| s)
    }

    fn month_len(year: i32, month: u8, leap: bool) -> Option<i32> {
        Self::month_info(year, month, leap).map(|(_, l)| l)
    }

    /// The solar date of this lunar date.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::LunarDate;
    /// assert_eq!(LunarDate::new(2030, 1, false, 1).unwrap().to_date().to_string(), "2030-02-02");
    /// ```
    pub fn to_date(&self) -> NaiveDate {
        let start = Self::month_start(self.year, self.month, self.leap).unwrap_or_default();
        date_of_day(start + i32::from(self.day) - 1).unwrap_or_default()
    }

    /// Tết Nguyên Đán (lunar 1/1) of lunar year `year`.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] outside 1900–2199.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::LunarDate;
    /// // Vietnam (UTC+7) celebrates Tết 2030 a day before China (UTC+8)
    /// assert_eq!(LunarDate::tet(2030).unwrap().to_string(), "2030-02-02");
    /// assert_eq!(LunarDate::tet(2026).unwrap().to_string(), "2026-02-17");
    /// ```
    pub fn tet(year: i32) -> Result<NaiveDate> {
        check_year(year)?;
        Ok(tet_day(year).and_then(date_of_day).unwrap_or_default())
    }

    /// Giỗ Tổ Hùng Vương (lunar 10/3, never the leap third month) of lunar year `year`.
    ///
    /// # Errors
    /// [`Error::OutOfRange`] outside 1900–2199.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::LunarDate;
    /// assert_eq!(LunarDate::hung_kings(2024).unwrap().to_string(), "2024-04-18");
    /// // one of the years where Vietnam and China differ
    /// assert_eq!(LunarDate::hung_kings(2037).unwrap().to_string(), "2037-04-24");
    /// ```
    pub fn hung_kings(year: i32) -> Result<NaiveDate> {
        check_year(year)?;
        Ok(hung_kings_day(year)
            .and_then(date_of_day)
            .unwrap_or_default())
    }

    /// Lunar year (numbered by the solar year of its Tết).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::LunarDate;
    /// use chrono::NaiveDate;
    /// // the eve of Tết 2024 still belongs to lunar year 2023
    /// let eve = LunarDate::from_date(NaiveDate::from_ymd_opt(2024, 2, 9).unwrap()).unwrap();
    /// assert_eq!((eve.year(), eve.month(), eve.day()), (2023, 12, 30));
    /// ```
    pub fn year(&self) -> i32 {
        self.year
    }

    /// Month number 1–12 (a leap month repeats the number of the month before it).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::LunarDate;
    /// assert_eq!(LunarDate::new(2025, 6, true, 1).unwrap().month(), 6);
    /// ```
    pub fn month(&self) -> u8 {
        self.month
    }

    /// Day of the month, 1–30.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::LunarDate;
    /// assert_eq!(LunarDate::new(2025, 3, false, 10).unwrap().day(), 10);
    /// ```
    pub fn day(&self) -> u8 {
        self.day
    }

    /// Whether the month is the year's leap month (tháng nhuận).
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::LunarDate;
    /// assert!(LunarDate::new(2025, 6, true, 1).unwrap().is_leap_month());
    /// assert!(!LunarDate::new(2025, 6, false, 1).unwrap().is_leap_month());
    /// ```
    pub fn is_leap_month(&self) -> bool {
        self.leap
    }
}

impl std::fmt::Display for LunarDate {
    /// `dd/mm/yyyy`, with `n` (nhuận) after a leap month: `01/02n/2023`.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{:02}/{:02}{}/{}",
            self.day,
            self.month,
            if self.leap { "n" } else { "" },
            self.year
        )
    }
}

/// The days of a lunar year the holiday rules need, as day numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct YearMarks {
    /// Tết: lunar 1/1.
    pub tet: i32,
    /// Length (29 or 30) of the month that ends on the eve of Tết (tháng Chạp).
    pub last_month_len: i32,
    /// Giỗ Tổ Hùng Vương: lunar 10/3 (of the regular, not the leap, third month).
    pub hung_kings: i32,
}

/// Tết, the length of the month before it, and Hùng Kings day of lunar year `year`, from one
/// month layout (no range check).
pub(crate) fn year_marks(year: i32) -> Option<YearMarks> {
    let (months, _) = months_of(year);
    let i = months.iter().position(|m| m.number == 1 && !m.leap)?;
    let tet = months[i].start;
    let last_month_len = tet - months.get(i.checked_sub(1)?)?.start;
    let hung_kings = months.iter().find(|m| m.number == 3 && !m.leap)?.start + 9;
    Some(YearMarks {
        tet,
        last_month_len,
        hung_kings,
    })
}

fn tet_day(year: i32) -> Option<i32> {
    year_marks(year).map(|m| m.tet)
}

fn hung_kings_day(year: i32) -> Option<i32> {
    year_marks(year).map(|m| m.hung_kings)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn new_moon_of_meeus_example() {
        // Meeus example 49.a: the new moon of 1977 February 18, JDE 2443192.65118 (k = -283)
        let jde = new_moon_jde(-283);
        assert!((jde - 2_443_192.651_18).abs() < 1e-4, "{jde}");
    }

    #[test]
    fn sun_longitude_of_meeus_example() {
        // Meeus example 25.a: 1992 October 13.0 TD, apparent longitude 199.90895°
        let jd_ut = 2_448_908.5 - delta_t_days(2_448_908.5);
        assert!((sun_longitude(jd_ut) - 199.908_95).abs() < 0.01);
    }

    #[test]
    fn known_tet_dates() {
        for (y, m, day) in [
            (1968, 1, 29), // the North switched to UTC+7 in 1967; the South kept UTC+8 (30 Jan)
            (1985, 1, 21),
            (2007, 2, 17),
            (2023, 1, 22),
            (2024, 2, 10),
            (2025, 1, 29),
            (2026, 2, 17),
            (2030, 2, 2),
            (2053, 2, 18),
        ] {
            assert_eq!(LunarDate::tet(y).unwrap(), d(y, m, day), "Tết {y}");
        }
    }

    #[test]
    fn leap_months() {
        // 2020 leap 4, 2023 leap 2, 2025 leap 6, 2028 leap 5 (Vietnamese almanacs)
        for (y, m) in [(2020, 4), (2023, 2), (2025, 6), (2028, 5)] {
            assert!(LunarDate::new(y, m, true, 1).is_ok(), "{y} leap {m}");
            assert!(LunarDate::new(y, m % 12 + 1, true, 1).is_err());
        }
    }

    #[test]
    fn round_trip_every_day_of_a_few_years() {
        let start = day_number(d(2023, 1, 1));
        let mut prev = LunarDate::from_date(d(2022, 12, 31)).unwrap();
        for day in start..start + 3 * 365 {
            let date = date_of_day(day).unwrap();
            let l = LunarDate::from_date(date).unwrap();
            assert_eq!(l.to_date(), date);
            assert!(l > prev || l.day == 1, "{l} after {prev}");
            if l.day == 1 {
                assert!(prev.day == 29 || prev.day == 30);
            } else {
                assert_eq!(l.day, prev.day + 1);
            }
            prev = l;
        }
    }

    #[test]
    fn out_of_range() {
        assert_eq!(LunarDate::tet(1899).unwrap_err().code(), "out_of_range");
        assert!(LunarDate::from_date(d(2200, 1, 1)).is_err());
        assert!(LunarDate::new(2024, 13, false, 1).is_err());
        assert!(LunarDate::new(2024, 1, false, 31).is_err());
    }
}
