//! `tm.Calendar`: the civil-service calendar; scalars in, scalars out; arrays (or a scalar
//! broadcast against an array) in, `pyarrow` arrays out. The array work is `tthc-arrow`'s.

use std::sync::Arc;

use arrow_array::ArrayRef;
use chrono::{NaiveDate, NaiveDateTime};
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyDate, PyDateTime, PyString};
use pyo3_arrow::PyArray;
use tthc_metrics::{Calendar, CalendarBuilder, Error, SaturdaySwapPolicy, Schedule, TimeLimit};

use crate::errors::{core, map_error};
use crate::guard;

/// One date, or an Arrow array of them.
enum Arg {
    One(NaiveDate),
    Many(ArrayRef),
}

/// A date argument: a date, a date-time (its civil date in UTC+7 when aware), a text date, or
/// anything `pyarrow.array` takes (read in place when it exports `__arrow_c_array__`).
fn date_arg(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Arg> {
    if obj.is_instance_of::<PyDateTime>() {
        return Ok(Arg::One(crate::options::civil_datetime(obj)?.date()));
    }
    if obj.is_instance_of::<PyDate>() {
        return Ok(Arg::One(obj.extract()?));
    }
    if obj.is_instance_of::<PyString>() {
        let s: String = obj.extract()?;
        return tthc_arrow::parse_time_text(&s)
            .map(|(t, _)| Arg::One(t.date()))
            .ok_or_else(|| {
                core(
                    py,
                    Error::InvalidArgument {
                        name: "date",
                        reason: format!("{s:?} is not a date"),
                    },
                )
            });
    }
    Ok(Arg::Many(array_of(py, obj)?))
}

/// A count argument: an integer, or an array of integers (text is refused, not iterated).
fn count_arg(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<Result<i64, ArrayRef>> {
    if obj.is_instance_of::<PyString>() || obj.is_instance_of::<pyo3::types::PyBytes>() {
        return Err(PyTypeError::new_err(format!(
            "n must be an integer or an array of integers, not {}",
            obj.get_type().name()?
        )));
    }
    if obj.is_instance_of::<pyo3::types::PyInt>() {
        return crate::options::integer(py, "n", obj).map(Ok);
    }
    if let Ok(n) = obj.extract::<i64>() {
        return Ok(Ok(n));
    }
    Ok(Err(array_of(py, obj)?))
}

fn array_of(py: Python<'_>, obj: &Bound<'_, PyAny>) -> PyResult<ArrayRef> {
    match obj.extract::<PyArray>() {
        Ok(a) => Ok(a.into_inner().0),
        Err(_) => Ok(py
            .import("pyarrow")?
            .call_method1("array", (obj,))?
            .extract::<PyArray>()?
            .into_inner()
            .0),
    }
}

fn one(d: NaiveDate) -> ArrayRef {
    Arc::new(arrow_array::Date32Array::from(vec![
        tthc_metrics::day_number(d),
    ]))
}

fn to_pyarrow(py: Python<'_>, array: ArrayRef) -> PyResult<Bound<'_, PyAny>> {
    let obj = PyArray::from_array_ref(array).into_pyobject(py)?;
    py.import("pyarrow")?.call_method1("array", (obj,))
}

fn working_days(py: Python<'_>, n: i64) -> PyResult<u32> {
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
        guard(py, || match date_arg(py, d)? {
            Arg::One(d) => Ok(self
                .calendar
                .is_working_day(d)
                .map_err(|e| core(py, e))?
                .into_pyobject(py)?
                .to_owned()
                .into_any()),
            Arg::Many(a) => {
                let out = tthc_arrow::working_day_flags(&self.calendar, a.as_ref())
                    .map_err(|e| map_error(py, &e))?;
                to_pyarrow(py, Arc::new(out))
            }
        })
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
        guard(py, || match (date_arg(py, d)?, count_arg(py, n)?) {
            (Arg::One(d), Ok(n)) => {
                let out = self
                    .calendar
                    .add_working_days(d, working_days(py, n)?)
                    .map_err(|e| core(py, e))?;
                Ok(out.into_pyobject(py)?.into_any())
            }
            (dates, counts) => {
                let dates = match dates {
                    Arg::One(d) => one(d),
                    Arg::Many(a) => a,
                };
                let counts: ArrayRef = match counts {
                    Ok(n) => Arc::new(arrow_array::Int64Array::from(vec![n])),
                    Err(a) => a,
                };
                let out = tthc_arrow::add_working_days_array(
                    &self.calendar,
                    dates.as_ref(),
                    counts.as_ref(),
                )
                .map_err(|e| map_error(py, &e))?;
                to_pyarrow(py, Arc::new(out))
            }
        })
    }

    /// Working days in `[a, b)`, negative when `b < a` (numpy `busday_count`).
    fn working_days_between<'py>(
        &self,
        py: Python<'py>,
        a: &Bound<'py, PyAny>,
        b: &Bound<'py, PyAny>,
    ) -> PyResult<Bound<'py, PyAny>> {
        guard(py, || match (date_arg(py, a)?, date_arg(py, b)?) {
            (Arg::One(a), Arg::One(b)) => Ok(self
                .calendar
                .working_days_between(a, b)
                .map_err(|e| core(py, e))?
                .into_pyobject(py)?
                .into_any()),
            (a, b) => {
                let arr = |x: Arg| match x {
                    Arg::One(d) => one(d),
                    Arg::Many(a) => a,
                };
                let (a, b) = (arr(a), arr(b));
                let out =
                    tthc_arrow::working_days_between_array(&self.calendar, a.as_ref(), b.as_ref())
                        .map_err(|e| map_error(py, &e))?;
                to_pyarrow(py, Arc::new(out))
            }
        })
    }

    /// The due date-time of a reception: `days` working days (due at the close of office) or
    /// `hours` working hours of office time.
    #[pyo3(signature = (received_at, *, days = None, hours = None))]
    fn due_at(
        &self,
        py: Python<'_>,
        received_at: &Bound<'_, PyAny>,
        days: Option<&Bound<'_, PyAny>>,
        hours: Option<&Bound<'_, PyAny>>,
    ) -> PyResult<NaiveDateTime> {
        if !received_at.is_instance_of::<PyDateTime>() {
            return Err(PyTypeError::new_err(format!(
                "received_at must be a datetime.datetime, not {}",
                received_at.get_type().name()?
            )));
        }
        let received_at = crate::options::civil_datetime(received_at)?;
        let days: Option<u32> = crate::options::optional_integer(py, "days", days)?;
        let hours: Option<u32> = crate::options::optional_integer(py, "hours", hours)?;
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
        guard(py, || {
            self.calendar
                .due_at(received_at, limit)
                .map_err(|e| core(py, e))
        })
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
