//! `tm.forms` and `tm.methods` (native halves): keyword arguments to the core's form options,
//! Arrow in, a form handle out (its table, its `.xlsx`); the reporting periods and deadline.

use std::collections::HashMap;
use std::str::FromStr;

use chrono::NaiveDate;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_arrow::PyTable;
use rust_decimal::Decimal;
use tthc_arrow::{
    bieu_06a_decoded, decode_batches, form_fields, form_to_batch, methods_decoded,
    methods_to_batch, rejections_to_batch, relabel, weekly_decoded, weekly_to_batch, ArrowError,
    DecodeOptions, Labels,
};
use tthc_metrics::{
    Bieu06a, Bieu06aOptions, Error, Granularity, Period, Threshold, UnitKind, UnitTree,
    WeeklyOptions, WeeklyReport,
};

use crate::calendar::PyCalendar;
use crate::errors::core;
use crate::options::{Kind, Options};
use crate::{compute, compute_with};

enum Inner {
    Bieu06a(Box<Bieu06a>),
    Weekly(Box<WeeklyReport>),
}

/// A computed form: its table and its spreadsheet.
#[pyclass(module = "tthc_metrics", name = "_Form", frozen)]
pub(crate) struct PyForm {
    inner: Inner,
}

fn io_error(py: Python<'_>, e: &tthc_io::IoError) -> PyErr {
    crate::io::io_error(py, e)
}

#[pymethods]
impl PyForm {
    /// The form as an Arrow table, with Vietnamese (`"vi"`) or English (`"en"`) column names.
    fn table(&self, labels: &str) -> PyResult<PyTable> {
        let labels: Labels = labels
            .parse()
            .map_err(|e: Error| PyTypeError::new_err(e.to_string()))?;
        let b = match &self.inner {
            Inner::Bieu06a(f) => form_to_batch(f, labels),
            Inner::Weekly(w) => weekly_to_batch(w, labels),
        };
        PyTable::try_new(vec![b.clone()], b.schema())
    }

    /// Writes the `.xlsx` (whole or not at all).
    fn to_excel(&self, py: Python<'_>, path: std::path::PathBuf) -> PyResult<()> {
        let r = py.detach(|| match &self.inner {
            Inner::Bieu06a(f) => tthc_io::write_bieu_06a(f, &path),
            Inner::Weekly(w) => tthc_io::write_weekly(w, &path),
        });
        r.map_err(|e| io_error(py, &e))
    }

    /// The title block: `{form_code, title, reporting_unit, receiving_unit, period,
    /// unit_of_count, place_and_date, context}`.
    fn header(&self) -> HashMap<&'static str, String> {
        let h = match &self.inner {
            Inner::Bieu06a(f) => &f.header,
            Inner::Weekly(w) => &w.header,
        };
        HashMap::from([
            ("form_code", h.form_code.clone()),
            ("title", h.title.clone()),
            ("reporting_unit", h.reporting_unit.clone()),
            ("receiving_unit", h.receiving_unit.clone()),
            ("period", h.period.clone()),
            ("unit_of_count", h.unit_of_count.clone()),
            ("place_and_date", h.place_and_date.clone()),
            ("context", h.context.join("\n")),
        ])
    }

    /// The notes printed under the table.
    fn notes(&self) -> Vec<String> {
        match &self.inner {
            Inner::Bieu06a(f) => f.notes(),
            Inner::Weekly(w) => w.notes(),
        }
    }

    /// `(start, end)` of the reported period.
    fn window(&self) -> (NaiveDate, NaiveDate) {
        let p = match &self.inner {
            Inner::Bieu06a(f) => f.window,
            Inner::Weekly(w) => w.options.week(),
        };
        (p.start(), p.end())
    }
}

fn get<'py>(d: &Bound<'py, PyDict>, k: &str) -> PyResult<Option<Bound<'py, PyAny>>> {
    Ok(d.get_item(k)?.filter(|v| !v.is_none()))
}

fn date(py: Python<'_>, d: &Bound<'_, PyDict>, k: &'static str) -> PyResult<Option<NaiveDate>> {
    match get(d, k)? {
        Some(v) => {
            Ok(Some(crate::options::day(py, k, &v)?.ok_or_else(|| {
                PyTypeError::new_err(format!("{k} must be a date"))
            })?))
        }
        None => Ok(None),
    }
}

fn required(py: Python<'_>, d: &Bound<'_, PyDict>, k: &'static str) -> PyResult<NaiveDate> {
    date(py, d, k)?.ok_or_else(|| PyTypeError::new_err(format!("the {k} option is required")))
}

fn text(d: &Bound<'_, PyDict>, k: &str) -> PyResult<Option<String>> {
    get(d, k)?.map(|v| v.extract()).transpose()
}

fn named<T: FromStr<Err = Error>>(
    py: Python<'_>,
    d: &Bound<'_, PyDict>,
    k: &str,
) -> PyResult<Option<T>> {
    text(d, k)?
        .map(|s| s.parse::<T>().map_err(|e| core(py, e)))
        .transpose()
}

/// A unit tree from `(unit, parent or None, kind)` triples, parents first.
fn unit_tree(
    py: Python<'_>,
    units: Option<Vec<(String, Option<String>, String)>>,
) -> PyResult<Option<UnitTree>> {
    let Some(units) = units else { return Ok(None) };
    let mut t = UnitTree::new();
    for (name, parent, kind) in units {
        let kind: UnitKind = kind.parse().map_err(|e| core(py, e))?;
        t.add(&name, parent.as_deref(), kind)
            .map_err(|e| core(py, e))?;
    }
    Ok(Some(t))
}

fn percent(py: Python<'_>, v: &Bound<'_, PyAny>, name: &'static str) -> PyResult<Decimal> {
    let s = v.str()?.to_string();
    Decimal::from_str(&s).map_err(|_| {
        core(
            py,
            Error::InvalidArgument {
                name,
                reason: format!("{s:?} is not a percentage"),
            },
        )
    })
}

fn table(batch: arrow_array::RecordBatch) -> PyResult<PyTable> {
    PyTable::try_new(vec![batch.clone()], batch.schema())
}

/// The Biểu II.06a: `(form, rejected)`.
#[pyfunction]
#[pyo3(signature = (data, form, units = None, /, **options))]
fn bieu_06a(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    form: &Bound<'_, PyDict>,
    units: Option<Vec<(String, Option<String>, String)>>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<(PyForm, PyTable)> {
    let o = Options::from_kwargs(py, Kind::Form, options)?;
    let window = Period::new(required(py, form, "start")?, required(py, form, "end")?)
        .map_err(|e| core(py, e))?;
    let mut f = Bieu06aOptions::new(window);
    if let Some(rows) = named(py, form, "rows")? {
        f = f.rows(rows);
    }
    if let Some(b) = named(py, form, "buckets")? {
        f = f.buckets(b);
    }
    if let Some(s) = text(form, "reporting_unit")? {
        f = f.reporting_unit(s);
    }
    if let Some(s) = text(form, "receiving_unit")? {
        f = f.receiving_unit(s);
    }
    if let Some(s) = text(form, "scope")? {
        f = f.scope(s);
    }
    if let Some(s) = text(form, "period_name")? {
        f = f.period_name(s);
    }
    let signed_on = date(py, form, "signed_on")?;
    if let Some(place) = text(form, "place")? {
        f = f.signed(place, signed_on);
    } else if signed_on.is_some() {
        f.signed_on = signed_on;
    }
    let tree = unit_tree(py, units)?;
    let (form, rejected) = run(py, data, &o, |decoded, cal, budget| {
        bieu_06a_decoded(decoded, &o.report, tree.as_ref(), &f, cal, budget)
    })?;
    Ok((
        PyForm {
            inner: Inner::Bieu06a(Box::new(form)),
        },
        rejected,
    ))
}

/// A form's computation: `data` decoded once with the form's fields, `make` run on it with the
/// calendar and the budget, off the GIL; the form and its rejected rows.
fn run<T: Send>(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    o: &Options,
    make: impl FnOnce(
            &tthc_arrow::Decoded,
            Option<&tthc_metrics::Calendar>,
            &mut tthc_metrics::MemoryBudget,
        ) -> Result<(T, tthc_metrics::Report), ArrowError>
        + Send,
) -> PyResult<(T, PyTable)> {
    let batches = crate::input::batches(py, data)?;
    let calendar = o.calendar.as_ref().map(pyo3::Py::get);
    let (form, rejected) = compute(py, |cancel| {
        let mut budget = o.budget(o.report.memory_limit, cancel);
        let decoded = decode(&batches, o, calendar.is_some(), &mut budget)?;
        let (form, report) = make(&decoded, calendar.map(|c| &c.calendar), &mut budget)?;
        Ok((
            form,
            rejections_to_batch(&report.rejected, &report.duplicates),
        ))
    })?;
    Ok((form, table(rejected)?))
}

/// The batches decoded with the fields a form reads.
fn decode(
    batches: &[arrow_array::RecordBatch],
    o: &Options,
    calendar: bool,
    budget: &mut tthc_metrics::MemoryBudget,
) -> Result<tthc_arrow::Decoded, ArrowError> {
    let decode = DecodeOptions::default()
        .vocabulary(o.vocabulary.clone())
        .on_error(o.report.on_error)
        .only(&form_fields(calendar));
    decode_batches(batches, &o.columns, &decode, budget)
}

/// The Friday report: `(form, rejected)`.
#[pyfunction]
#[pyo3(signature = (data, form, units = None, /, **options))]
fn weekly(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    form: &Bound<'_, PyDict>,
    units: Option<Vec<(String, Option<String>, String)>>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<(PyForm, PyTable)> {
    let o = Options::from_kwargs(py, Kind::Form, options)?;
    let mut w = WeeklyOptions::new(required(py, form, "friday")?).map_err(|e| core(py, e))?;
    if let Some(peak) = get(form, "peak")? {
        let (s, e): (Bound<'_, PyAny>, Bound<'_, PyAny>) = peak
            .extract()
            .map_err(|_| PyTypeError::new_err("peak must be a pair of dates (start, end)"))?;
        let s = crate::options::day(py, "peak", &s)?
            .ok_or_else(|| PyTypeError::new_err("peak start"))?;
        let e =
            crate::options::day(py, "peak", &e)?.ok_or_else(|| PyTypeError::new_err("peak end"))?;
        w = w.peak(Some(Period::new(s, e).map_err(|e| core(py, e))?));
    }
    w = w.year_start(date(py, form, "year_start")?);
    let mut on_time = w.on_time_target;
    let mut online = w.online_target;
    if let Some(v) = get(form, "on_time_target")? {
        on_time = Threshold::at_least_percent(percent(py, &v, "on_time_target")?);
    }
    if let Some(v) = get(form, "online_target")? {
        online = Threshold::above_percent(percent(py, &v, "online_target")?);
    }
    w = w.targets(on_time, online);
    if let Some(v) = get(form, "hanging_after_days")? {
        w = w.hanging_after_days(crate::options::integer(py, "hanging_after_days", &v)?);
    }
    w = w.units(
        text(form, "reporting_unit")?.unwrap_or_default(),
        text(form, "receiving_unit")?.unwrap_or_default(),
        text(form, "place")?,
    );
    let tree = unit_tree(py, units)?;
    let (report, rejected) = run(py, data, &o, |decoded, cal, budget| {
        weekly_decoded(decoded, &o.report, tree.as_ref(), &w, cal, budget)
    })?;
    Ok((
        PyForm {
            inner: Inner::Weekly(Box::new(report)),
        },
        rejected,
    ))
}

/// One dataset under every method: a table.
#[pyfunction]
#[pyo3(signature = (data, /, **options))]
fn methods(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<PyTable> {
    let o = Options::from_kwargs(py, Kind::Tally, options)?;
    let batches = crate::input::batches(py, data)?;
    let calendar = o.calendar.as_ref().map(pyo3::Py::get);
    let b = compute(py, |cancel| {
        let mut budget = o.budget(o.report.memory_limit, cancel);
        let decoded = decode(&batches, &o, calendar.is_some(), &mut budget)?;
        let cal = calendar.map(|c| &c.calendar);
        let rows = methods_decoded(&decoded, &o.report, cal, &mut budget)?;
        Ok(relabel(&methods_to_batch(&rows), o.table.labels))
    })?;
    table(b)
}

/// `(start, end)` of the period of `granularity` that holds `date`.
#[pyfunction]
fn reporting_period(
    py: Python<'_>,
    granularity: &str,
    date: &Bound<'_, PyAny>,
) -> PyResult<(NaiveDate, NaiveDate)> {
    let g: Granularity = granularity.parse().map_err(|e| core(py, e))?;
    let d = crate::options::day(py, "date", date)?
        .ok_or_else(|| PyTypeError::new_err("date is required"))?;
    let p = Period::of(g, d);
    Ok((p.start(), p.end()))
}

/// The day a report on a period ending `cut_off` is due.
#[pyfunction]
#[pyo3(signature = (cut_off, working_days = None, calendar = None), text_signature = "(cut_off, working_days=2, calendar=None)")]
fn reporting_deadline(
    py: Python<'_>,
    cut_off: &Bound<'_, PyAny>,
    working_days: Option<&Bound<'_, PyAny>>,
    calendar: Option<Py<PyCalendar>>,
) -> PyResult<NaiveDate> {
    let working_days: u32 =
        working_days.map_or(Ok(2), |v| crate::options::integer(py, "working_days", v))?;
    let d = crate::options::day(py, "cut_off", cut_off)?
        .ok_or_else(|| PyTypeError::new_err("cut_off is required"))?;
    let standard = tthc_metrics::Calendar::vietnam();
    let cal = calendar.as_ref().map_or(&standard, |c| &c.get().calendar);
    compute_with(
        py,
        |_| tthc_metrics::reporting_deadline(d, working_days, cal),
        |py, e: &Error| core(py, e.clone()),
    )
}

/// The name reports give a period ("Tháng 10 năm 2023"), or None.
#[pyfunction]
fn period_name(
    py: Python<'_>,
    start: &Bound<'_, PyAny>,
    end: &Bound<'_, PyAny>,
) -> PyResult<Option<String>> {
    let s = crate::options::day(py, "start", start)?
        .ok_or_else(|| PyTypeError::new_err("start is required"))?;
    let e = crate::options::day(py, "end", end)?
        .ok_or_else(|| PyTypeError::new_err("end is required"))?;
    let p = Period::new(s, e).map_err(|e| core(py, e))?;
    Ok(tthc_metrics::period_name(&p))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyForm>()?;
    m.add_function(wrap_pyfunction!(bieu_06a, m)?)?;
    m.add_function(wrap_pyfunction!(weekly, m)?)?;
    m.add_function(wrap_pyfunction!(methods, m)?)?;
    m.add_function(wrap_pyfunction!(reporting_period, m)?)?;
    m.add_function(wrap_pyfunction!(reporting_deadline, m)?)?;
    m.add_function(wrap_pyfunction!(period_name, m)?)?;
    Ok(())
}
