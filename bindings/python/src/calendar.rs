//! `tm.Calendar`: the civil-service calendar, scalars or Arrow arrays in, the same kind out.

use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int64Type};
use arrow_array::{Array, ArrayRef, BooleanArray, Date32Array, Int32Array};
use chrono::{NaiveDate, NaiveDateTime};
use pyo3::prelude::*;
use pyo3_arrow::PyArray;
use tthc_arrow::ArrowError;
use tthc_metrics::{day_number, Calendar, CalendarBuilder, Error, SaturdaySwapPolicy, TimeLimit};

use crate::errors::map_error;

fn core(py: Python<'_>, e: Error) -> PyErr {
    map_error(py, &ArrowError::Core(e))
}

/// A date argument: one `datetime.date`, or anything `pyarrow.array` turns into dates.
enum Dates {
    One(NaiveDate),
    Many(Vec<i32>, Option<arrow_buffer::NullBuffer>),
}

fn dates(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Dates> {
    if let Ok(d) = obj.extract::<NaiveDate>() {
        if !obj.is_instance_of::<pyo3::types::PyDateTime>() {
            return Ok(Dates::One(d));
        }
    }
    let pa = py.import("pyarrow")?;
    let array = pa.call_method1("array", (obj,))?;
    let array = array.call_method1("cast", (pa.call_method0("date32")?,))?;
    let array: PyArray = array.extract()?;
    let a = array.array();
    let values = a.as_primitive::<Date32Type>();
    Ok(Dates::Many(
        values.values().to_vec(),
        values.nulls().cloned(),
    ))
}

/// An `n` argument: one integer or an array of them.
enum Counts {
    One(i64),
    Many(Vec<i64>),
}

fn counts(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Counts> {
    if let Ok(n) = obj.extract::<i64>() {
        return Ok(Counts::One(n));
    }
    let pa = py.import("pyarrow")?;
    let array = pa.call_method1("array", (obj,))?;
    let array = array.call_method1("cast", (pa.call_method0("int64")?,))?;
    let array: PyArray = array.extract()?;
    let a = array.array();
    if a.null_count() > 0 {
        return Err(core(
            py,
            Error::InvalidArgument {
                name: "n",
                reason: "working-day counts must not be null".into(),
            },
        ));
    }
    Ok(Counts::Many(
        a.as_primitive::<Int64Type>().values().to_vec(),
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

/// The Vietnamese civil-service calendar (or a local variant of it).
#[pyclass(name = "Calendar", module = "tthc_metrics", frozen)]
pub(crate) struct PyCalendar {
    pub(crate) calendar: Calendar,
}

#[pymethods]
impl PyCalendar {
    /// The civil-service calendar: official schedules where published, Labour Code rules
    /// elsewhere; `saturday_swaps="working"` (default) counts make-up Saturdays as working days.
    #[staticmethod]
    #[pyo3(signature = (*, saturday_swaps = "working", extra_days_off = None, extra_working_days = None))]
    fn vietnam(
        py: Python<'_>,
        saturday_swaps: &str,
        extra_days_off: Option<Vec<NaiveDate>>,
        extra_working_days: Option<Vec<NaiveDate>>,
    ) -> PyResult<Self> {
        let policy: SaturdaySwapPolicy = saturday_swaps.parse().map_err(|e| core(py, e))?;
        let mut b = CalendarBuilder::vietnam().saturday_swaps(policy);
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
            Dates::Many(days, nulls) => {
                let cal = &self.calendar;
                let out = py
                    .detach(|| cal.is_working_day_batch(&days))
                    .map_err(|e| core(py, e))?;
                to_pyarrow(py, Arc::new(BooleanArray::new(out.into(), nulls)))
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
                let (days, nulls) = match dates {
                    Dates::One(d) => (vec![day_number(d)], None),
                    Dates::Many(v, nulls) => (v, nulls),
                };
                let ns: Vec<u32> = match counts {
                    Counts::One(n) => vec![non_negative(py, n)?; days.len()],
                    Counts::Many(v) => v
                        .into_iter()
                        .map(|n| non_negative(py, n))
                        .collect::<PyResult<_>>()?,
                };
                let days = if days.len() == 1 && ns.len() > 1 {
                    vec![days[0]; ns.len()]
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
                // null dates stay null: compute on a valid placeholder
                let first = self.calendar.first_day();
                let filled: Vec<i32> = match &nulls {
                    Some(nb) => days
                        .iter()
                        .enumerate()
                        .map(|(i, &d)| if nb.is_valid(i) { d } else { day_number(first) })
                        .collect(),
                    None => days,
                };
                let cal = &self.calendar;
                let out = py
                    .detach(|| cal.add_working_days_batch(&filled, &ns))
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
                let expand = |d: Dates| match d {
                    Dates::One(d) => (vec![day_number(d)], None),
                    Dates::Many(v, n) => (v, n),
                };
                let ((mut av, an), (mut bv, bn)) = (expand(a), expand(b));
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
                let first = day_number(self.calendar.first_day());
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
