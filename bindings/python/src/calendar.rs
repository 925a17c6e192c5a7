//! `tm.Calendar`: the civil-service calendar, scalars or Arrow arrays in, the same kind out.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use std::borrow::Cow;

use arrow_array::types::{
    Date32Type, Int16Type, Int32Type, Int64Type, Int8Type, UInt16Type, UInt32Type, UInt64Type,
    UInt8Type,
};
use arrow_array::{Array, ArrayRef, BooleanArray, Date32Array, Int32Array};
use arrow_schema::DataType;
use chrono::{NaiveDate, NaiveDateTime};
use pyo3::prelude::*;
use pyo3_arrow::PyArray;
use tthc_arrow::ArrowError;
use tthc_metrics::{
    day_number, Calendar, CalendarBuilder, Error, SaturdaySwapPolicy, Schedule, TimeLimit,
};

use crate::errors::map_error;

fn core(py: Python<'_>, e: Error) -> PyErr {
    map_error(py, &ArrowError::Core(e))
}

/// A date argument: one `datetime.date`, or an array of dates.
enum Dates {
    One(NaiveDate),
    /// A `date32` array.
    Many(ArrayRef),
}

/// An Arrow array of the wanted type: Arrow arrays (pyarrow, or anything exporting
/// `__arrow_c_array__`) are read in place; other objects, and other types, go through
/// `pyarrow.array(...).cast(type_name)`.
fn arrow_of(
    py: Python<'_>,
    obj: &Bound<'_, PyAny>,
    type_name: &str,
    wanted: fn(&DataType) -> bool,
) -> PyResult<ArrayRef> {
    let pa = || py.import("pyarrow");
    let array = match obj.extract::<PyArray>() {
        Ok(a) => a.into_inner().0,
        Err(_) => {
            pa()?
                .call_method1("array", (obj,))?
                .extract::<PyArray>()?
                .into_inner()
                .0
        }
    };
    if wanted(array.data_type()) {
        return Ok(array);
    }
    let cast = to_pyarrow(py, array)?.call_method1("cast", (pa()?.call_method0(type_name)?,))?;
    Ok(cast.extract::<PyArray>()?.into_inner().0)
}

fn dates(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Dates> {
    if let Ok(d) = obj.extract::<NaiveDate>() {
        if !obj.is_instance_of::<pyo3::types::PyDateTime>() {
            return Ok(Dates::One(d));
        }
    }
    Ok(Dates::Many(arrow_of(py, obj, "date32", |t| {
        *t == DataType::Date32
    })?))
}

/// The day numbers of a `date32` array, borrowed; null slots (whatever they hold) replaced by
/// `placeholder` so that the batch computes on valid days, in a copy only when there are nulls.
fn day_values(array: &ArrayRef, placeholder: i32) -> Cow<'_, [i32]> {
    let a = array.as_primitive::<Date32Type>();
    match a.nulls().filter(|n| n.null_count() > 0) {
        None => Cow::Borrowed(a.values()),
        Some(nb) => Cow::Owned(
            a.values()
                .iter()
                .enumerate()
                .map(|(i, &d)| if nb.is_valid(i) { d } else { placeholder })
                .collect(),
        ),
    }
}

/// An `n` argument: one integer or an array of them.
enum Counts {
    One(i64),
    /// An integer array without nulls.
    Many(ArrayRef),
}

fn counts(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Counts> {
    if let Ok(n) = obj.extract::<i64>() {
        return Ok(Counts::One(n));
    }
    let a = arrow_of(py, obj, "int64", DataType::is_integer)?;
    if a.null_count() > 0 {
        return Err(core(
            py,
            Error::InvalidArgument {
                name: "n",
                reason: "working-day counts must not be null".into(),
            },
        ));
    }
    Ok(Counts::Many(a))
}

/// The counts of an integer array as `u32`: a `uint32` array borrowed, any other width
/// converted in one pass that stops at the first count outside 0..=4294967295.
fn count_values<'a>(py: Python<'_>, a: &'a ArrayRef) -> PyResult<Cow<'a, [u32]>> {
    if let Some(p) = a.as_primitive_opt::<UInt32Type>() {
        return Ok(Cow::Borrowed(p.values()));
    }
    macro_rules! convert {
        ($($t:ty),*) => {
            $(
                if let Some(p) = a.as_primitive_opt::<$t>() {
                    let v: Result<Vec<u32>, _> =
                        p.values().iter().map(|&x| u32::try_from(x).map_err(|_| x)).collect();
                    return match v {
                        Ok(v) => Ok(Cow::Owned(v)),
                        Err(bad) => {
                            Err(non_negative(py, i64::try_from(bad).unwrap_or(i64::MAX)).unwrap_err())
                        }
                    };
                }
            )*
        };
    }
    convert!(Int8Type, Int16Type, Int32Type, Int64Type, UInt8Type, UInt16Type, UInt64Type);
    Err(core(
        py,
        Error::InvalidArgument {
            name: "n",
            reason: format!("{} is not an integer type", a.data_type()),
        },
    ))
}

fn to_pyarrow(py: Python<'_>, array: ArrayRef) -> PyResult<Bound<'_, PyAny>> {
    let obj = PyArray::from_array_ref(array).into_pyobject(py)?;
    py.import("pyarrow")?.call_method1("array", (obj,))
}

fn non_negative(py: Python<'_>, n: i64) -> PyResult<u32> {
    u32::try_from(n).map_err(|_| {
        core(
            py,
            Error::InvalidArgument {
                name: "n",
                reason: format!("{n} is not a working-day count (0 to 4294967295)"),
            },
        )
    })
}

/// A `schedules` item: the path of an existing file (read, and named by its path in errors),
/// else TOML text (named `schedules[i]`).
fn schedule_arg(py: Python<'_>, arg: &str, index: usize) -> PyResult<Schedule> {
    let path = std::path::Path::new(arg);
    let (text, origin) = if path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|e| {
            core(
                py,
                Error::ScheduleParse {
                    origin: arg.to_string(),
                    message: format!("cannot read the file: {e}"),
                },
            )
        })?;
        (text, arg.to_string())
    } else {
        (arg.to_string(), format!("schedules[{index}]"))
    };
    Schedule::from_toml(&text, &origin).map_err(|e| core(py, e))
}

/// The Vietnamese civil-service calendar (or a local variant of it).
#[pyclass(name = "Calendar", module = "tthc_metrics", frozen)]
pub(crate) struct PyCalendar {
    pub(crate) calendar: Calendar,
}

#[pymethods]
impl PyCalendar {
    /// The civil-service calendar: official schedules where published, Labour Code rules
    /// elsewhere; `saturday_swaps="working"` (default) counts make-up Saturdays as working days.
    /// `schedules`: published schedules to load, each the path of an existing TOML file (read)
    /// or TOML text; each year they give replaces the built-in one.
    #[staticmethod]
    #[pyo3(signature = (*, saturday_swaps = "working", extra_days_off = None, extra_working_days = None, schedules = None))]
    fn vietnam(
        py: Python<'_>,
        saturday_swaps: &str,
        extra_days_off: Option<Vec<NaiveDate>>,
        extra_working_days: Option<Vec<NaiveDate>>,
        schedules: Option<Vec<String>>,
    ) -> PyResult<Self> {
        let policy: SaturdaySwapPolicy = saturday_swaps.parse().map_err(|e| core(py, e))?;
        let mut b = CalendarBuilder::vietnam().saturday_swaps(policy);
        for (i, arg) in schedules.unwrap_or_default().iter().enumerate() {
            b = b.schedule(schedule_arg(py, arg, i)?);
        }
        for d in extra_days_off.unwrap_or_default() {
            b = b.day_off(d, "Nghỉ (địa phương)");
        }
        for d in extra_working_days.unwrap_or_default() {
            b = b.working_day(d, "Làm việc (địa phương)");
        }
        Ok(Self {
            calendar: b.build().map_err(|e| core(py, e))?,
        })
    }

    /// Whether each date is a working day.
    fn is_working_day<'py>(
        &self,
        py: Python<'py>,
        d: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match dates(py, d)? {
            Dates::One(d) => Ok(self
                .calendar
                .is_working_day(d)
                .map_err(|e| core(py, e))?
                .into_pyobject(py)?
                .to_owned()
                .into_any()),
            Dates::Many(array) => {
                let cal = &self.calendar;
                let days = day_values(&array, day_number(cal.first_day()));
                let out = py
                    .detach(|| cal.is_working_day_batch(&days))
                    .map_err(|e| core(py, e))?;
                to_pyarrow(
                    py,
                    Arc::new(BooleanArray::new(out.into(), array.nulls().cloned())),
                )
            }
        }
    }

    /// `d` rolled forward to a working day, plus `n` working days (numpy `busday_offset` with
    /// `roll="forward"`, on this calendar). Scalars give a date; arrays (or a scalar broadcast
    /// against an array) give a `pyarrow` date32 array.
    fn add_working_days<'py>(
        &self,
        py: Python<'py>,
        d: &Bound<'py, PyAny>,
        n: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match (dates(py, d)?, counts(py, n)?) {
            (Dates::One(d), Counts::One(n)) => {
                let out = self
                    .calendar
                    .add_working_days(d, non_negative(py, n)?)
                    .map_err(|e| core(py, e))?;
                Ok(out.into_pyobject(py)?.into_any())
            }
            (dates, counts) => {
                let cal = &self.calendar;
                let first = day_number(cal.first_day());
                let one_day;
                let (days, nulls): (Cow<'_, [i32]>, _) = match &dates {
                    Dates::One(d) => {
                        one_day = [day_number(*d)];
                        (Cow::Borrowed(&one_day[..]), None)
                    }
                    Dates::Many(array) => (day_values(array, first), array.nulls().cloned()),
                };
                let ns: Cow<'_, [u32]> = match &counts {
                    Counts::One(n) => Cow::Owned(vec![non_negative(py, *n)?; days.len()]),
                    Counts::Many(a) => count_values(py, a)?,
                };
                // one date against many counts: broadcast
                let days = if days.len() == 1 && ns.len() > 1 {
                    Cow::Owned(vec![days[0]; ns.len()])
                } else {
                    days
                };
                if days.len() != ns.len() {
                    return Err(core(
                        py,
                        Error::InvalidArgument {
                            name: "n",
                            reason: format!("{} dates but {} counts", days.len(), ns.len()),
                        },
                    ));
                }
                let out = py
                    .detach(|| cal.add_working_days_batch(&days, &ns))
                    .map_err(|e| core(py, e))?;
                to_pyarrow(py, Arc::new(Date32Array::new(out.into(), nulls)))
            }
        }
    }

    /// Working days in `[a, b)`, negative when `b < a` (numpy `busday_count`).
    fn working_days_between<'py>(
        &self,
        py: Python<'py>,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        match (dates(py, a)?, dates(py, b)?) {
            (Dates::One(a), Dates::One(b)) => Ok(self
                .calendar
                .working_days_between(a, b)
                .map_err(|e| core(py, e))?
                .into_pyobject(py)?
                .into_any()),
            (a, b) => {
                let first = day_number(self.calendar.first_day());
                let expand = |d: &Dates| match d {
                    Dates::One(d) => (vec![day_number(*d)], None),
                    Dates::Many(array) => (
                        day_values(array, first).into_owned(),
                        array.nulls().cloned(),
                    ),
                };
                let ((mut av, an), (mut bv, bn)) = (expand(&a), expand(&b));
                if av.len() == 1 && bv.len() > 1 {
                    av = vec![av[0]; bv.len()];
                }
                if bv.len() == 1 && av.len() > 1 {
                    bv = vec![bv[0]; av.len()];
                }
                if av.len() != bv.len() {
                    return Err(core(
                        py,
                        Error::InvalidArgument {
                            name: "b",
                            reason: format!("{} start dates but {} end dates", av.len(), bv.len()),
                        },
                    ));
                }
                let nulls = arrow_buffer::NullBuffer::union(an.as_ref(), bn.as_ref());
                if let Some(nb) = &nulls {
                    for i in 0..av.len() {
                        if !nb.is_valid(i) {
                            (av[i], bv[i]) = (first, first);
                        }
                    }
                }
                let cal = &self.calendar;
                let out = py
                    .detach(|| cal.working_days_between_batch(&av, &bv))
                    .map_err(|e| core(py, e))?;
                to_pyarrow(py, Arc::new(Int32Array::new(out.into(), nulls)))
            }
        }
    }

    /// The due date-time of a reception: `days` working days (due at the close of office) or
    /// `hours` working hours of office time.
    #[pyo3(signature = (received_at, *, days = None, hours = None))]
    fn due_at(
        &self,
        py: Python<'_>,
        received_at: NaiveDateTime,
        days: Option<u32>,
        hours: Option<u32>,
    ) -> PyResult<NaiveDateTime> {
        let limit = match (days, hours) {
            (Some(d), None) => TimeLimit::WorkingDays(d),
            (None, Some(h)) => TimeLimit::WorkingHours(h),
            _ => {
                return Err(core(
                    py,
                    Error::InvalidArgument {
                        name: "due_at",
                        reason: "give exactly one of days= or hours=".into(),
                    },
                ))
            }
        };
        self.calendar
            .due_at(received_at, limit)
            .map_err(|e| core(py, e))
    }

    /// The days off of `year`: a list of `(date, Vietnamese name, kind)`.
    fn days_off(
        &self,
        py: Python<'_>,
        year: i32,
    ) -> PyResult<Vec<(NaiveDate, String, &'static str)>> {
        let days = self.calendar.days_off(year).map_err(|e| core(py, e))?;
        Ok(days
            .into_iter()
            .map(|d| (d.date, d.name, d.kind.code()))
            .collect())
    }

    /// The make-up working days (weekend days worked) of `year`: `(date, name)`.
    fn make_up_days(&self, py: Python<'_>, year: i32) -> PyResult<Vec<(NaiveDate, String)>> {
        let days = self.calendar.make_up_days(year).map_err(|e| core(py, e))?;
        Ok(days.into_iter().map(|d| (d.date, d.name)).collect())
    }

    /// Whether `year`'s schedule is an official published one (else computed from the rules).
    fn is_official(&self, year: i32) -> bool {
        self.calendar.is_official(year)
    }

    #[getter]
    fn first_day(&self) -> NaiveDate {
        self.calendar.first_day()
    }

    #[getter]
    fn last_day(&self) -> NaiveDate {
        self.calendar.last_day()
    }

    fn __repr__(&self) -> String {
        format!(
            "Calendar(vietnam, saturday_swaps='{}', {}..{})",
            self.calendar.saturday_swaps().name(),
            self.calendar.first_day(),
            self.calendar.last_day()
        )
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyCalendar>()
}
