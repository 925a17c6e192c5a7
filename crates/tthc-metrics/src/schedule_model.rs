//! The data model of a schedule file and its validation, shared by the crate and its build
//! script: `build.rs` reads `data/vn_schedules.toml` with this code (and `schedule_toml.rs`), so
//! the built-in tables are checked by the same rules as a file loaded at run time.
//!
//! Only `std` here (the build script has no chrono): dates are plain [`Ymd`] triples.

use std::fmt;

/// First and last year a schedule may describe (the calendar's range).
pub const YEARS: (i32, i32) = (1960, 2100);

/// A valid Gregorian date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Ymd {
    /// Year.
    pub year: i32,
    /// Month, 1-12.
    pub month: u32,
    /// Day of the month.
    pub day: u32,
}

fn month_len(year: i32, month: u32) -> u32 {
    match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 => 29,
        _ => 28,
    }
}

impl Ymd {
    /// A date, if it exists.
    pub fn new(year: i32, month: u32, day: u32) -> Option<Self> {
        ((1..=12).contains(&month) && day >= 1 && day <= month_len(year, month)).then_some(Self {
            year,
            month,
            day,
        })
    }

    /// Reads `YYYY-MM-DD` (exactly: four-digit year, two-digit month and day).
    pub fn parse(text: &str) -> Option<Self> {
        let b = text.as_bytes();
        let digits = |r: std::ops::Range<usize>| b[r].iter().all(u8::is_ascii_digit);
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        if !(digits(0..4) && digits(5..7) && digits(8..10)) {
            return None;
        }
        Self::new(
            text[0..4].parse().ok()?,
            text[5..7].parse().ok()?,
            text[8..10].parse().ok()?,
        )
    }

    /// Days since 1970-01-01 (H. Hinnant's `days_from_civil`).
    pub fn days(self) -> i32 {
        let y = if self.month <= 2 {
            self.year - 1
        } else {
            self.year
        };
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.month as i32;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.day as i32 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146_097 + doe - 719_468
    }

    /// Day of the week, 0 = Monday .. 6 = Sunday.
    pub fn weekday(self) -> u32 {
        (self.days() + 3).rem_euclid(7) as u32
    }

    /// Whether the civil service rests that day: Sunday, and Saturday from 1999-10-02 (Decision
    /// 188/1999/QĐ-TTg: the five-day week).
    pub fn is_rest_day(self) -> bool {
        let wd = self.weekday();
        wd == 6 || (wd == 5 && (self.year, self.month, self.day) >= (1999, 10, 2))
    }
}

impl fmt::Display for Ymd {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

/// What a listed day off is, as a schedule file says it (`kind = "..."`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `holiday`: a day of a public holiday.
    Holiday,
    /// `substitute`: a day off in lieu of a holiday on a weekly rest day (nghỉ bù).
    Substitute,
    /// `swapped`: a working day given off against a weekend day worked (hoán đổi).
    Swapped,
    /// `local`: a local (provincial) day off.
    Local,
}

impl Kind {
    /// The codes, in declaration order.
    pub const CODES: [&'static str; 4] = ["holiday", "substitute", "swapped", "local"];

    /// The code written in files.
    pub fn code(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::Substitute => "substitute",
            Self::Swapped => "swapped",
            Self::Local => "local",
        }
    }

    /// The kind of a code.
    pub fn from_code(code: &str) -> Option<Self> {
        match code {
            "holiday" => Some(Self::Holiday),
            "substitute" => Some(Self::Substitute),
            "swapped" => Some(Self::Swapped),
            "local" => Some(Self::Local),
            _ => None,
        }
    }
}

/// One entry of `days_off`: a plain date, or a table with what the notice says of the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DayOffEntry {
    /// The weekday given off.
    pub date: Ymd,
    /// Its kind, when the file says it (else the rules, or the swaps, decide).
    pub kind: Option<Kind>,
    /// Vietnamese name, when the file gives one.
    pub name: Option<String>,
    /// English name, when the file gives one.
    pub name_en: Option<String>,
    /// For a substitute: the holiday (on a weekly rest day) it stands in for.
    pub in_lieu_of: Option<Ymd>,
    /// For a swapped day: the weekend day worked in exchange.
    pub worked: Option<Ymd>,
}

/// One entry of `working_days`: a weekend day worked in exchange for a weekday off.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkingEntry {
    /// The date worked.
    pub date: Ymd,
    /// Vietnamese name, when the file gives one.
    pub name: Option<String>,
    /// English name, when the file gives one.
    pub name_en: Option<String>,
}

/// One `[[year]]` table.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct YearEntry {
    /// The year.
    pub year: i32,
    /// The notice(s) that published it.
    pub source: String,
    /// Weekday days off.
    pub days_off: Vec<DayOffEntry>,
    /// Weekend days worked.
    pub working_days: Vec<WorkingEntry>,
}

/// What is wrong with a schedule; the crate turns it into its `Error` (naming the file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// Not TOML, or not of the schedule format (unknown key, wrong type, a date that is not
    /// `YYYY-MM-DD` or does not exist).
    Parse {
        /// The year table it was found in, when known.
        year: Option<i32>,
        /// What is wrong, with where.
        message: String,
    },
    /// A year outside 1960-2100.
    YearOutOfRange {
        /// The year.
        year: i32,
    },
    /// The same year twice.
    DuplicateYear {
        /// The year.
        year: i32,
    },
    /// A date of a year's lists that lies in another year.
    DateOutsideYear {
        /// The year table.
        year: i32,
        /// The date.
        date: Ymd,
    },
    /// A day off on a weekly rest day.
    DayOffOnWeekend {
        /// The year table.
        year: i32,
        /// The date.
        date: Ymd,
    },
    /// A working day that is not a weekly rest day.
    WorkingDayOnWeekday {
        /// The year table.
        year: i32,
        /// The date.
        date: Ymd,
    },
    /// A date listed twice.
    DuplicateDate {
        /// The year table.
        year: i32,
        /// The date.
        date: Ymd,
    },
    /// An entry whose fields contradict each other.
    InvalidEntry {
        /// The year table.
        year: i32,
        /// What is wrong, naming the date.
        reason: String,
    },
}

const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// English name of the day of the week of `date`.
pub fn weekday_name(date: Ymd) -> &'static str {
    WEEKDAYS[date.weekday() as usize]
}

fn in_range(d: Ymd) -> bool {
    (YEARS.0..=YEARS.1).contains(&d.year)
}

/// Checks a list of year tables: years in range and unique; every date in its own year, days
/// off on weekdays (civil-service working days), working days on weekly rest days, no date
/// twice; `in_lieu_of` only on substitutes and on a rest day before the date, `worked` only on
/// swapped days and on a rest day.
pub fn validate(years: &[YearEntry]) -> Result<(), Problem> {
    let mut seen_years: Vec<i32> = Vec::new();
    for y in years {
        let year = y.year;
        if !(YEARS.0..=YEARS.1).contains(&year) {
            return Err(Problem::YearOutOfRange { year });
        }
        if seen_years.contains(&year) {
            return Err(Problem::DuplicateYear { year });
        }
        seen_years.push(year);
        if y.source.trim().is_empty() {
            return Err(Problem::InvalidEntry {
                year,
                reason: "`source` is empty: name the notice that published the schedule".into(),
            });
        }
        let mut dates: Vec<Ymd> = Vec::new();
        let mut check_date = |date: Ymd| {
            if date.year != year {
                return Err(Problem::DateOutsideYear { year, date });
            }
            if dates.contains(&date) {
                return Err(Problem::DuplicateDate { year, date });
            }
            dates.push(date);
            Ok(())
        };
        for d in &y.days_off {
            let date = d.date;
            check_date(date)?;
            if date.is_rest_day() {
                return Err(Problem::DayOffOnWeekend { year, date });
            }
            let invalid = |reason: String| Err(Problem::InvalidEntry { year, reason });
            match (d.kind, d.in_lieu_of, d.worked) {
                (_, Some(_), Some(_)) => {
                    return invalid(format!(
                        "day off {date} has both `in_lieu_of` (a substitute) and `worked` (a swap)"
                    ))
                }
                (Some(k), Some(_), None) if k != Kind::Substitute => {
                    return invalid(format!(
                        "day off {date}: `in_lieu_of` is only for kind \"substitute\", not \"{}\"",
                        k.code()
                    ))
                }
                (Some(k), None, Some(_)) if k != Kind::Swapped => {
                    return invalid(format!(
                        "day off {date}: `worked` is only for kind \"swapped\", not \"{}\"",
                        k.code()
                    ))
                }
                _ => {}
            }
            if let Some(h) = d.in_lieu_of {
                if !h.is_rest_day() || h >= date || !in_range(h) {
                    return invalid(format!(
                        "substitute {date}: `in_lieu_of` {h} ({}) must be a weekly rest day before it",
                        weekday_name(h)
                    ));
                }
            }
            if let Some(w) = d.worked {
                if !w.is_rest_day() || !in_range(w) {
                    return invalid(format!(
                        "swapped day {date}: `worked` {w} is a {}, not a weekly rest day",
                        weekday_name(w)
                    ));
                }
            }
        }
        for w in &y.working_days {
            let date = w.date;
            check_date(date)?;
            if !date.is_rest_day() {
                return Err(Problem::WorkingDayOnWeekday { year, date });
            }
        }
    }
    Ok(())
}
