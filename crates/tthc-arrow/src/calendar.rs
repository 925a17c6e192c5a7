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
fn days_of(array: &dyn Array, name: &'static str) -> Result<Vec<Option<i32>>, ArrowError> {
    let n = array.len();
    let mut out = vec![0i32; n];
    if let Some(c) = borrowed(array) {
        c.write_days(0, &mut out);
    } else if is_text(array.data_type()) {
        let p = parse_column(array);
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
    Ok(out
        .into_iter()
        .map(|d| (d != NULL_DAY).then_some(d))
        .collect())
}

/// Working-day counts of an integer array (`None` for nulls); text and other types refused.
fn counts_of(array: &dyn Array) -> Result<Vec<Option<u32>>, ArrowError> {
    macro_rules! ints {
        ($($t:ty),*) => {
            $(
                if let Some(p) = array.as_primitive_opt::<$t>() {
                    return p
                        .iter()
                        .map(|v| match v {
                            None => Ok(None),
                            Some(x) => u32::try_from(x).map(Some).map_err(|_| {
                                invalid("n", format!("{x} is not a working-day count (0 to 4294967295)"))
                            }),
                        })
                        .collect();
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

/// Two nullable columns of one length.
type Pair<A, B> = (Vec<Option<A>>, Vec<Option<B>>);

/// Two arguments broadcast to one length (a one-element side repeats, its null too).
fn broadcast<A: Copy, B: Copy>(
    a: Vec<Option<A>>,
    b: Vec<Option<B>>,
    what: (&'static str, &'static str),
) -> Result<Pair<A, B>, ArrowError> {
    fn grow<T: Copy>(v: Vec<Option<T>>, n: usize) -> Vec<Option<T>> {
        if v.len() == 1 && n > 1 {
            vec![v[0]; n]
        } else {
            v
        }
    }
    let n = a.len().max(b.len());
    let (a, b) = (grow(a, n), grow(b, n));
    if a.len() != b.len() {
        return Err(invalid(
            what.1,
            format!("{} {} but {} {}", a.len(), what.0, b.len(), what.1),
        ));
    }
    Ok((a, b))
}

fn nulls(valid: impl Iterator<Item = bool>) -> Option<NullBuffer> {
    let v: Vec<bool> = valid.collect();
    if v.iter().all(|&x| x) {
        None
    } else {
        Some(NullBuffer::from(v))
    }
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
    let days = days_of(dates, "date")?;
    let placeholder = day_number(cal.first_day());
    let raw: Vec<i32> = days.iter().map(|d| d.unwrap_or(placeholder)).collect();
    let flags = cal.is_working_day_batch(&raw)?;
    Ok(BooleanArray::new(
        flags.into(),
        nulls(days.iter().map(Option::is_some)),
    ))
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
    let (days, counts) = broadcast(days_of(dates, "date")?, counts_of(n)?, ("dates", "counts"))?;
    let placeholder = day_number(cal.first_day());
    let raw: Vec<i32> = days.iter().map(|d| d.unwrap_or(placeholder)).collect();
    let ns: Vec<u32> = counts.iter().map(|c| c.unwrap_or(0)).collect();
    let out = cal.add_working_days_batch(&raw, &ns)?;
    let valid = days
        .iter()
        .zip(&counts)
        .map(|(d, c)| d.is_some() && c.is_some());
    Ok(Date32Array::new(out.into(), nulls(valid)))
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
    let (a, b) = broadcast(
        days_of(a, "a")?,
        days_of(b, "b")?,
        ("start dates", "end dates"),
    )?;
    let placeholder = day_number(cal.first_day());
    let raw = |v: &[Option<i32>]| {
        v.iter()
            .map(|d| d.unwrap_or(placeholder))
            .collect::<Vec<_>>()
    };
    let out = cal.working_days_between_batch(&raw(&a), &raw(&b))?;
    let valid = a.iter().zip(&b).map(|(x, y)| x.is_some() && y.is_some());
    Ok(Int32Array::new(out.into(), nulls(valid)))
}
