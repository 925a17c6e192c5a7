//! The working-day calendar over Arrow arrays: dates of any encoding in (dates, timestamps with
//! or without a zone, read in UTC+7 like the reports read them; text dates), results as Arrow
//! arrays with the inputs' nulls. A one-element array is broadcast against a longer one, its
//! null included.

use arrow_array::cast::AsArray;
use arrow_array::types::{
    Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type, UInt8Type,
};
use arrow_array::{Array, BooleanArray, Date32Array, Int32Array};
use arrow_buffer::NullBuffer;
use tthc_metrics::columnar::NULL_DAY;
use tthc_metrics::{day_number, Calendar, Error};

use crate::error::ArrowError;
use crate::text::is_text;
use crate::times::{borrowed, parse_column};

fn invalid(name: &'static str, reason: String) -> ArrowError {
    ArrowError::Core(Error::InvalidArgument { name, reason })
}

/// Local day numbers of a date array (`None` for nulls).
/// The local day numbers of a date array, [`NULL_DAY`] for nulls.
fn days_of(array: &dyn Array, name: &'static str) -> Result<Vec<i32>, ArrowError> {
    let n = array.len();
    let mut out = vec![0i32; n];
    if let Some(c) = borrowed(array) {
        c.write_days(0, &mut out);
    } else if is_text(array.data_type()) {
        let p = parse_column(array).map_err(|b| b.in_column(name))?;
        if let Some(&row) = p.unreadable.first() {
            return Err(invalid(
                name,
                format!(
                    "row {row}: {:?} is not a date",
                    crate::text::text_value(array, row)
                ),
            ));
        }
        p.column().write_days(0, &mut out);
    } else {
        return Err(ArrowError::UnsupportedType {
            column: name.to_string(),
            data_type: array.data_type().to_string(),
            expected: "dates (date32, date64, timestamps or text dates)",
        });
    }
    Ok(out)
}

/// Working-day counts as `u32` (0 under a null) and which are null.
fn counts_of(array: &dyn Array) -> Result<(Vec<u32>, Option<NullBuffer>), ArrowError> {
    let nulls = array.logical_nulls().filter(|n| n.null_count() > 0);
    let valid = |i: usize| nulls.as_ref().is_none_or(|n| n.is_valid(i));
    macro_rules! ints {
        ($($t:ty),*) => {
            $(
                if let Some(p) = array.as_primitive_opt::<$t>() {
                    let mut out = Vec::with_capacity(p.len());
                    for (i, &x) in p.values().iter().enumerate() {
                        let k = match u32::try_from(x) {
                            Ok(k) => k,
                            Err(_) if !valid(i) => 0,
                            Err(_) => {
                                return Err(invalid(
                                    "n",
                                    format!("{x} is not a working-day count (0 to 4294967295)"),
                                ))
                            }
                        };
                        out.push(if valid(i) { k } else { 0 });
                    }
                    return Ok((out, nulls));
                }
            )*
        };
    }
    ints!(Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt32Type, UInt64Type);
    Err(ArrowError::UnsupportedType {
        column: "n".into(),
        data_type: array.data_type().to_string(),
        expected: "integer working-day counts",
    })
}

/// The common length of two sides, one of which may be one element (broadcast).
fn common_len(a: usize, b: usize, what: (&'static str, &'static str)) -> Result<usize, ArrowError> {
    match (a, b) {
        _ if a == b => Ok(a),
        (1, n) | (n, 1) => Ok(n),
        _ => Err(invalid(
            what.1,
            format!("{a} {} but {b} {}", what.0, what.1),
        )),
    }
}

/// `v` at the common length `n` (a one-element `v` repeated).
fn grow<T: Copy>(v: Vec<T>, n: usize) -> Vec<T> {
    if v.len() == 1 && n != 1 {
        vec![v[0]; n]
    } else {
        v
    }
}

/// A null buffer for rows where `valid` is false; `None` when every row is valid.
fn nulls(n: usize, valid: impl Fn(usize) -> bool) -> Option<NullBuffer> {
    let v: Vec<bool> = (0..n).map(valid).collect();
    if v.iter().all(|&x| x) {
        None
    } else {
        Some(NullBuffer::from(v))
    }
}

/// Null days replaced by the calendar's first day (the placeholder the batch reads), and which
/// were null.
fn placeholders(cal: &Calendar, days: &mut [i32]) -> bool {
    let placeholder = day_number(cal.first_day());
    let mut any = false;
    for d in days.iter_mut() {
        if *d == NULL_DAY {
            *d = placeholder;
            any = true;
        }
    }
    any
}

/// Whether each date is a working day.
///
/// # Errors
/// A date outside the calendar's range (`OutOfRange`), an array that holds no dates.
///
/// # Example
/// ```
/// use arrow_array::{Array, Date32Array};
/// let cal = tthc_metrics::Calendar::vietnam();
/// // Friday 2023-09-01 is the National Day holiday; Tuesday 5 a working day
/// let out = tthc_arrow::working_day_flags(&cal, &Date32Array::from(vec![Some(19_601), None, Some(19_605)])).unwrap();
/// assert_eq!((out.value(0), out.is_null(1), out.value(2)), (false, true, true));
/// ```
pub fn working_day_flags(cal: &Calendar, dates: &dyn Array) -> Result<BooleanArray, ArrowError> {
    let mut days = days_of(dates, "date")?;
    let null_rows: Vec<bool> = days.iter().map(|&d| d == NULL_DAY).collect();
    let any_null = placeholders(cal, &mut days);
    let flags = cal.is_working_day_batch(&days)?;
    let nulls = any_null
        .then(|| nulls(days.len(), |i| !null_rows[i]))
        .flatten();
    Ok(BooleanArray::new(flags.into(), nulls))
}

/// `dates` rolled forward to a working day, plus `n` working days (numpy `busday_offset` with
/// `roll="forward"` on this calendar); either side may be one element, broadcast.
///
/// # Errors
/// Different lengths, a negative count, a date or result outside the calendar's range.
///
/// # Example
/// ```
/// use arrow_array::{Array, Date32Array, Int64Array};
/// let cal = tthc_metrics::Calendar::vietnam();
/// let dates = Date32Array::from(vec![None::<i32>]); // one null, broadcast
/// let out = tthc_arrow::add_working_days_array(&cal, &dates, &Int64Array::from(vec![1, 2, 3])).unwrap();
/// assert_eq!((out.len(), out.null_count()), (3, 3));
/// ```
pub fn add_working_days_array(
    cal: &Calendar,
    dates: &dyn Array,
    n: &dyn Array,
) -> Result<Date32Array, ArrowError> {
    let days = days_of(dates, "date")?;
    let (counts, count_nulls) = counts_of(n)?;
    let len = common_len(days.len(), counts.len(), ("dates", "counts"))?;
    let (one_day, one_count) = (days.len() == 1 && len != 1, counts.len() == 1 && len != 1);
    let mut days = grow(days, len);
    let counts = grow(counts, len);
    let null_days: Option<Vec<bool>> = days
        .contains(&NULL_DAY)
        .then(|| days.iter().map(|&d| d == NULL_DAY).collect());
    placeholders(cal, &mut days);
    let out = cal.add_working_days_batch(&days, &counts)?;
    let nulls = if null_days.is_none() && count_nulls.is_none() {
        None
    } else {
        nulls(len, |i| {
            let day_ok = null_days
                .as_ref()
                .is_none_or(|v| !v[if one_day { 0 } else { i }]);
            let count_ok = count_nulls
                .as_ref()
                .is_none_or(|v| v.is_valid(if one_count { 0 } else { i }));
            day_ok && count_ok
        })
    };
    Ok(Date32Array::new(out.into(), nulls))
}

/// Working days in `[a, b)`, negative when `b < a` (numpy `busday_count`); either side may be
/// one element, broadcast.
///
/// # Errors
/// Different lengths, dates outside the calendar's range.
///
/// # Example
/// ```
/// use arrow_array::{Array, Date32Array};
/// let cal = tthc_metrics::Calendar::vietnam();
/// let a = Date32Array::from(vec![19_723]); // Monday 2024-01-01, New Year's Day
/// let b = Date32Array::from(vec![Some(19_730), None]); // Monday 8: Tuesday to Friday count
/// let out = tthc_arrow::working_days_between_array(&cal, &a, &b).unwrap();
/// assert_eq!((out.value(0), out.is_null(1)), (4, true));
/// ```
pub fn working_days_between_array(
    cal: &Calendar,
    a: &dyn Array,
    b: &dyn Array,
) -> Result<Int32Array, ArrowError> {
    let (a, b) = (days_of(a, "a")?, days_of(b, "b")?);
    let len = common_len(a.len(), b.len(), ("start dates", "end dates"))?;
    let (mut a, mut b) = (grow(a, len), grow(b, len));
    let null_rows: Vec<bool> = a
        .iter()
        .zip(&b)
        .map(|(&x, &y)| x == NULL_DAY || y == NULL_DAY)
        .collect();
    let any_null = placeholders(cal, &mut a) | placeholders(cal, &mut b);
    let out = cal.working_days_between_batch(&a, &b)?;
    let nulls = any_null.then(|| nulls(len, |i| !null_rows[i])).flatten();
    Ok(Int32Array::new(out.into(), nulls))
}
