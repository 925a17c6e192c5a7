//! The forms an office sends, as data: the Biểu II.06a of Circular 01/2020/TT-VPCP
//! ([`Bieu06a`]), the Friday report of the seed letter ([`WeeklyReport`]) and one dataset under
//! every method in use ([`methods`]). Each is built from reports the pipeline already computed
//! (never from a second count of the dossiers); writing them to a spreadsheet is `tthc-io`'s job,
//! to a table `tthc-arrow`'s.
//!
//! The wording (titles, headers, period names) is the forms' Vietnamese, in NFC.

mod bieu_06a;
mod methods;
mod weekly;

use chrono::{Datelike, Days, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::calendar::Calendar;
use crate::error::{Error, Result};
use crate::period::{Granularity, Period};

pub use bieu_06a::{
    Bieu06a, Bieu06aOptions, FormCounts, FormGap, FormHeader, FormRow, FormRowKind, HeaderCell,
    FORM_CODE,
};
pub use methods::{methods, MethodKind, MethodRow};
pub use weekly::{one_decimal_percent, WeeklyFlag, WeeklyOptions, WeeklyReport, WeeklyRow};

/// Where the Biểu II.06a puts dossiers that are neither finished (col. 7) nor being handled
/// (col. 11): refused, withdrawn or stopped in the period, and those waiting for the citizen
/// (a supplement, a payment) at its end (domain-rules section 9).
///
/// # Example
/// ```
/// use tthc_metrics::BucketPolicy;
/// assert_eq!(BucketPolicy::default(), BucketPolicy::Strict);
/// assert_eq!("inclusive".parse::<BucketPolicy>().unwrap(), BucketPolicy::Inclusive);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum BucketPolicy {
    /// Each dossier in its own bucket: `3 = 7 + 11` leaves a gap, which the form reports per
    /// row (a note column and a sheet of its parts), never hides.
    #[default]
    Strict,
    /// As one real system does: refused, withdrawn and stopped dossiers counted in col. 9
    /// (on time), those awaiting a supplement or a payment in col. 12 (within due); the
    /// headers say so ("bao gồm cả ...") and `3 = 7 + 11` holds.
    Inclusive,
}

named_options!(
    BucketPolicy,
    "bucket policy",
    [(Strict, "strict"), (Inclusive, "inclusive")]
);

/// What the rows of a Biểu II.06a are.
///
/// # Example
/// ```
/// assert_eq!("levels".parse::<tthc_metrics::FormRows>().unwrap(), tthc_metrics::FormRows::Levels);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum FormRows {
    /// One row per unit (đơn vị).
    #[default]
    Unit,
    /// One row per field (lĩnh vực).
    Field,
    /// Sections by level (Sở, ban, ngành / Huyện, thị xã, thành phố / Xã, phường, thị trấn),
    /// each with its subtotal and its units; needs a unit tree.
    Levels,
}

named_options!(
    FormRows,
    "form rows",
    [(Unit, "unit"), (Field, "field"), (Levels, "levels")]
);

/// `dd/mm/yyyy`, as Vietnamese forms write dates.
///
/// # Example
/// ```
/// let d = chrono::NaiveDate::from_ymd_opt(2023, 9, 15).unwrap();
/// assert_eq!(tthc_metrics::vietnamese_date(d), "15/09/2023");
/// ```
pub fn vietnamese_date(date: NaiveDate) -> String {
    date.format("%d/%m/%Y").to_string()
}

const ROMAN: [&str; 12] = [
    "I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII",
];

/// The roman numeral of `n` (1–12), as forms number quarters and sections.
pub(crate) fn roman(n: usize) -> String {
    ROMAN
        .get(n.wrapping_sub(1))
        .map_or_else(|| n.to_string(), |r| (*r).to_string())
}

/// The name a report uses for a period, when it is one of the periods reports are made for:
/// "Tháng 10 năm 2023" for 15/09–14/10/2023 (Decree 09/2019) or 01/10–31/10/2023, "Quý IV năm
/// 2023", "6 tháng đầu năm 2024", "9 tháng năm 2024", "Năm 2024", "Tuần 41 năm 2023" (ISO);
/// `None` for any other window.
///
/// # Example
/// ```
/// use tthc_metrics::{period_name, Period};
/// use chrono::NaiveDate;
/// let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
/// assert_eq!(period_name(&Period::new(d(2023, 9, 15), d(2023, 10, 14)).unwrap()).as_deref(), Some("Tháng 10 năm 2023"));
/// assert_eq!(period_name(&Period::new(d(2023, 12, 15), d(2024, 6, 14)).unwrap()).as_deref(), Some("6 tháng đầu năm 2024"));
/// assert_eq!(period_name(&Period::new(d(2023, 10, 18), d(2023, 11, 18)).unwrap()), None);
/// ```
pub fn period_name(window: &Period) -> Option<String> {
    let is = |g: Granularity| Period::of(g, window.start()) == *window;
    let end = window.end();
    let year = end.year();
    if is(Granularity::Month) || is(Granularity::Decree09Month) {
        return Some(format!("Tháng {} năm {year}", end.month()));
    }
    if is(Granularity::Quarter) || is(Granularity::Decree09Quarter) {
        return Some(format!(
            "Quý {} năm {year}",
            roman(end.month().div_ceil(3) as usize)
        ));
    }
    if is(Granularity::HalfYear) || is(Granularity::Decree09HalfYear) {
        let half = if end.month() <= 6 { "đầu" } else { "cuối" };
        return Some(format!("6 tháng {half} năm {year}"));
    }
    if is(Granularity::Year) || is(Granularity::Decree09Year) {
        return Some(format!("Năm {year}"));
    }
    if Period::decree09_nine_months(year).ok() == Some(*window)
        || Period::new(
            NaiveDate::from_ymd_opt(year, 1, 1)?,
            NaiveDate::from_ymd_opt(year, 9, 30)?,
        )
        .ok()
            == Some(*window)
    {
        return Some(format!("9 tháng năm {year}"));
    }
    if is(Granularity::Week) {
        let w = window.start().iso_week();
        return Some(format!("Tuần {} năm {}", w.week(), w.year()));
    }
    None
}

/// The day a report on a period ending `cut_off` is due: the `working_days`-th working day after
/// it (Decree 09/2019 reports are due 2 working days after the cut-off, domain-rules section 9).
///
/// # Errors
/// [`Error::InvalidArgument`] for 0 working days; [`Error::OutOfRange`] outside the calendar.
///
/// # Example
/// ```
/// use tthc_metrics::{reporting_deadline, Calendar};
/// use chrono::NaiveDate;
/// let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).unwrap();
/// let cal = Calendar::vietnam();
/// // cut-off Saturday 14/10/2023: Monday 16 and Tuesday 17 are the two working days after it
/// assert_eq!(reporting_deadline(d(10, 14), 2, &cal).unwrap(), d(10, 17));
/// // cut-off Thursday 14/09/2023: Friday 15, Monday 18
/// assert_eq!(reporting_deadline(d(9, 14), 2, &cal).unwrap(), d(9, 18));
/// ```
pub fn reporting_deadline(
    cut_off: NaiveDate,
    working_days: u32,
    calendar: &Calendar,
) -> Result<NaiveDate> {
    if working_days == 0 {
        return Err(Error::InvalidArgument {
            name: "working_days",
            reason: "a report is due at least one working day after its cut-off".into(),
        });
    }
    let next = cut_off
        .checked_add_days(Days::new(1))
        .ok_or(Error::OutOfRange {
            date: cut_off,
            min: calendar.first_day(),
            max: calendar.last_day(),
        })?;
    calendar.add_working_days(next, working_days - 1)
}

/// "Krông Nô, ngày 16 tháng 10 năm 2023" (the place and date above a signature); blanks for
/// the clerk to fill when the date is not given.
pub(crate) fn place_and_date(place: Option<&str>, date: Option<NaiveDate>) -> String {
    let place = place.map_or_else(|| "..........".to_string(), str::to_string);
    match date {
        Some(d) => format!(
            "{place}, ngày {:02} tháng {:02} năm {}",
            d.day(),
            d.month(),
            d.year()
        ),
        None => format!("{place}, ngày ..... tháng ..... năm ......."),
    }
}
