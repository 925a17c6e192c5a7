//! The Python binding of tthc-metrics: conversion and error mapping only. Every computation
//! lives in the Rust crates (`tthc-metrics`, `tthc-arrow`); this crate converts arguments, releases
//! the GIL while the kernel runs, maps errors to the `TthcError` hierarchy and never lets a panic
//! reach Python.

use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

use chrono::{NaiveDate, NaiveDateTime};

use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_arrow::PyTable;
use rust_decimal::Decimal;
use tthc_arrow::{ArrowError, ColumnMap};
use tthc_metrics::{
    ClassifyOptions, Comparison, DueDateChoice, Error, Granularity, GroupBy, OnError, OnTimePolicy,
    OnlinePolicy, Rate, ReportOptions, SupplementRule, Tally, View,
};

mod calendar;
mod errors;
mod quality;
mod scoring;

use errors::{internal_error, map_error};

/// Runs `f` with the GIL released and panics turned into `TthcError("internal_error")`.
fn compute<T: Send>(
    py: Python<'_>,
    f: impl FnOnce() -> Result<T, ArrowError> + Send,
) -> PyResult<T> {
    let out = py.detach(|| catch_unwind(AssertUnwindSafe(f)));
    match out {
        Ok(Ok(v)) => Ok(v),
        Ok(Err(e)) => Err(map_error(py, &e)),
        Err(_) => Err(internal_error(py)),
    }
}

fn parse<T: std::str::FromStr<Err = Error>>(py: Python<'_>, s: &str) -> PyResult<T> {
    s.parse::<T>()
        .map_err(|e| map_error(py, &ArrowError::Core(e)))
}

#[allow(clippy::too_many_arguments)]
fn options(
    py: Python<'_>,
    as_of: NaiveDateTime,
    key: Option<&str>,
    period: Option<&str>,
    view: &str,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    on_error: &str,
    comparison: &str,
    supplement_rule: &str,
    due_date: &str,
) -> PyResult<ReportOptions> {
    let classify = ClassifyOptions::default()
        .comparison(match comparison {
            "date" => Comparison::Date,
            "timestamp" => Comparison::Timestamp,
            other => {
                return Err(map_error(
                    py,
                    &ArrowError::Core(unknown("comparison", other, &["date", "timestamp"])),
                ))
            }
        })
        .supplement_rule(match supplement_rule {
            "pause" => SupplementRule::Pause,
            "repeated_is_overdue" => SupplementRule::RepeatedIsOverdue,
            other => {
                return Err(map_error(
                    py,
                    &ArrowError::Core(unknown(
                        "supplement_rule",
                        other,
                        &["pause", "repeated_is_overdue"],
                    )),
                ))
            }
        })
        .due_date(match due_date {
            "original" => DueDateChoice::Original,
            "rescheduled" => DueDateChoice::Rescheduled,
            other => {
                return Err(map_error(
                    py,
                    &ArrowError::Core(unknown("due_date", other, &["original", "rescheduled"])),
                ))
            }
        });
    Ok(ReportOptions::new(as_of)
        .view(parse::<View>(py, view)?)
        .group_by(match key {
            None => GroupBy::Total,
            Some(k) => parse::<GroupBy>(py, k)?,
        })
        .granularity(period.map(|p| parse::<Granularity>(py, p)).transpose()?)
        .start(start)
        .end(end)
        .on_error(parse::<OnError>(py, on_error)?)
        .classify(classify))
}

/// The options with the caller's memory limit, if any (else the core's default).
fn with_limit(options: ReportOptions, memory_limit: Option<u64>) -> ReportOptions {
    match memory_limit {
        Some(bytes) => options.memory_limit(bytes),
        None => options,
    }
}

fn unknown(what: &'static str, value: &str, expected: &[&str]) -> Error {
    Error::Unknown {
        what,
        value: value.to_string(),
        expected: expected.join(", "),
    }
}

fn column_map(py: Python<'_>, columns: Option<HashMap<String, String>>) -> PyResult<ColumnMap> {
    ColumnMap::new(columns.unwrap_or_default()).map_err(|e| map_error(py, &e))
}

/// The report kernel: returns (table, rejected) as Arrow tables.
#[pyfunction]
#[pyo3(signature = (data, *, as_of, key, period, view, rate_policy, online_policy, columns, start, end, on_error, comparison, supplement_rule, due_date, calendar = None, memory_limit = None))]
#[allow(clippy::too_many_arguments)]
fn _report(
    py: Python<'_>,
    data: PyTable,
    as_of: NaiveDateTime,
    key: Option<String>,
    period: Option<String>,
    view: &str,
    rate_policy: &str,
    online_policy: &str,
    columns: Option<HashMap<String, String>>,
    start: Option<NaiveDate>,
    end: Option<NaiveDate>,
    on_error: &str,
    comparison: &str,
    supplement_rule: &str,
    due_date: &str,
    calendar: Option<PyRef<'_, calendar::PyCalendar>>,
    memory_limit: Option<u64>,
) -> PyResult<(PyTable, PyTable)> {
    let opts = with_limit(
        options(
            py,
            as_of,
            key.as_deref(),
            period.as_deref(),
            view,
            start,
            end,
            on_error,
            comparison,
            supplement_rule,
            due_date,
        )?,
        memory_limit,
    );
    let rate_policy = parse::<OnTimePolicy>(py, rate_policy)?;
    let online_policy = parse::<OnlinePolicy>(py, online_policy)?;
    let map = column_map(py, columns)?;
    let (batches, _schema) = data.into_inner();
    let cal = calendar.as_ref().map(|c| &c.calendar);
    let (table, rejected) = compute(py, || {
        let report = tthc_arrow::report_batches_on(&batches, &map, &opts, cal)?;
        Ok((
            tthc_arrow::report_to_batch(&report, rate_policy, online_policy),
            tthc_arrow::rejections_to_batch(&report.rejected),
        ))
    })?;
    let t = PyTable::try_new(vec![table.clone()], table.schema())?;
    let r = PyTable::try_new(vec![rejected.clone()], rejected.schema())?;
    Ok((t, r))
}

/// Counts of one tally with the policies chosen for its rates.
#[pyclass(name = "Tally", module = "tthc_metrics", frozen, eq)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyTally {
    pub(crate) tally: Tally,
    rate_policy: OnTimePolicy,
    online_policy: OnlinePolicy,
    /// The cut-off's date: the default date a rubric scores this tally on.
    pub(crate) as_of: NaiveDate,
}

fn fraction(py: Python<'_>, rate: Result<Rate, Error>) -> PyResult<Option<Bound<'_, PyAny>>> {
    match rate {
        Ok(r) => Ok(Some(
            py.import("fractions")?
                .getattr("Fraction")?
                .call1((r.numerator(), r.denominator()))?,
        )),
        Err(_) => Ok(None),
    }
}

macro_rules! tally_getters {
    ($($name:ident => $e:expr),* $(,)?) => {
        #[pymethods]
        impl PyTally {
            $(
                #[getter]
                fn $name(&self) -> u64 {
                    let f: fn(&Tally) -> u64 = $e;
                    f(&self.tally)
                }
            )*
            /// All counts as a dict (the report's column names).
            fn to_dict<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
                let d = PyDict::new(py);
                $( d.set_item(stringify!($name), self.$name())?; )*
                Ok(d)
            }
        }
    };
}

tally_getters! {
    received => Tally::received,
    received_online => |t| t.received_online,
    received_direct => |t| t.received_direct,
    received_post => |t| t.received_post,
    carried_over => |t| t.carried_over,
    finished => Tally::finished,
    early => |t| t.early,
    on_time => |t| t.on_time,
    late => |t| t.late,
    unfinished => Tally::unfinished,
    within_due => |t| t.within_due,
    overdue => |t| t.overdue,
    awaiting_supplement => |t| t.awaiting_supplement,
    refused_withdrawn => Tally::refused_withdrawn,
    refused => |t| t.refused,
    withdrawn => |t| t.withdrawn,
    stopped => |t| t.stopped,
    handled => Tally::handled,
    not_received => |t| t.not_received,
    outside_window => |t| t.outside_window,
    eligible => |t| t.eligible,
    eligible_online => |t| t.eligible_online,
    full_process_online => |t| t.full_process_online,
    synced => |t| t.synced,
}

#[pymethods]
impl PyTally {
    /// The on-time rate under the tally's policy, exact; `None` without data.
    #[getter]
    fn on_time_rate<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        fraction(py, self.tally.on_time_rate(self.rate_policy))
    }

    /// `1 - on_time_rate`, exact; `None` without data.
    #[getter]
    fn late_rate<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        fraction(py, self.tally.late_rate(self.rate_policy))
    }

    /// The online share under the tally's policy, exact; `None` without data.
    #[getter]
    fn online_share<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        fraction(py, self.tally.online_share(self.online_policy))
    }

    /// The on-time rate under any policy.
    fn on_time_rate_under<'py>(
        &self,
        py: Python<'py>,
        policy: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        fraction(py, self.tally.on_time_rate(parse(py, policy)?))
    }

    /// The online share under any policy.
    fn online_share_under<'py>(
        &self,
        py: Python<'py>,
        policy: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        fraction(py, self.tally.online_share(parse(py, policy)?))
    }

    #[getter]
    fn rate_policy(&self) -> &'static str {
        self.rate_policy.name()
    }

    #[getter]
    fn online_policy(&self) -> &'static str {
        self.online_policy.name()
    }

    /// The merged tally (policies of `self`).
    fn merge(&self, other: &PyTally) -> PyTally {
        PyTally {
            tally: self.tally.merge(&other.tally),
            ..self.clone()
        }
    }

    fn __add__(&self, other: &PyTally) -> PyTally {
        self.merge(other)
    }

    fn __repr__(&self) -> String {
        format!(
            "Tally(received={}, finished={}, on_time_or_early={}, late={}, unfinished={}, overdue={}, rate_policy='{}')",
            self.tally.received() + self.tally.carried_over,
            self.tally.finished(),
            self.tally.on_time_or_early(),
            self.tally.late,
            self.tally.unfinished(),
            self.tally.overdue,
            self.rate_policy.name()
        )
    }
}

/// One tally over the data received up to `as_of` (from `start`).
#[pyfunction]
#[pyo3(signature = (data, *, as_of, rate_policy, online_policy, columns, start, on_error, comparison, supplement_rule, due_date, calendar = None, memory_limit = None))]
#[allow(clippy::too_many_arguments)]
fn _tally(
    py: Python<'_>,
    data: PyTable,
    as_of: NaiveDateTime,
    rate_policy: &str,
    online_policy: &str,
    columns: Option<HashMap<String, String>>,
    start: Option<NaiveDate>,
    on_error: &str,
    comparison: &str,
    supplement_rule: &str,
    due_date: &str,
    calendar: Option<PyRef<'_, calendar::PyCalendar>>,
    memory_limit: Option<u64>,
) -> PyResult<(PyTally, PyTable)> {
    let opts = with_limit(
        options(
            py,
            as_of,
            None,
            None,
            "cohort",
            start,
            None,
            on_error,
            comparison,
            supplement_rule,
            due_date,
        )?,
        memory_limit,
    );
    let rate_policy = parse::<OnTimePolicy>(py, rate_policy)?;
    let online_policy = parse::<OnlinePolicy>(py, online_policy)?;
    let map = column_map(py, columns)?;
    let (batches, _schema) = data.into_inner();
    let cal = calendar.as_ref().map(|c| &c.calendar);
    let (tally, rejected) = compute(py, || {
        let report = tthc_arrow::report_batches_on(&batches, &map, &opts, cal)?;
        Ok((
            report.total() + report.excluded,
            tthc_arrow::rejections_to_batch(&report.rejected),
        ))
    })?;
    let r = PyTable::try_new(vec![rejected.clone()], rejected.schema())?;
    Ok((
        PyTally {
            tally,
            rate_policy,
            online_policy,
            as_of: as_of.date(),
        },
        r,
    ))
}

/// `numerator / denominator` as a percentage with `dp` decimals, rounded half away from zero.
#[pyfunction]
#[pyo3(signature = (numerator, denominator, dp = 1))]
fn _percent(py: Python<'_>, numerator: u64, denominator: u64, dp: u32) -> PyResult<Decimal> {
    let rate =
        Rate::new(numerator, denominator).map_err(|e| map_error(py, &ArrowError::Core(e)))?;
    Ok(rate.to_percent(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero))
}

/// The bundled Krông Nô 2023 sample as an Arrow table.
#[pyfunction]
fn _sample_krong_no_2023(py: Python<'_>) -> PyResult<PyTable> {
    let batch = compute(py, || {
        Ok(tthc_arrow::dossiers_to_batch(&tthc_sample::krong_no_2023()))
    })?;
    PyTable::try_new(vec![batch.clone()], batch.schema())
}

/// A synthetic data set of `n` dossiers (benchmarks, tests).
#[pyfunction]
#[pyo3(signature = (n, *, units = 40, seed = 1))]
fn _sample_synthetic(py: Python<'_>, n: usize, units: usize, seed: u64) -> PyResult<PyTable> {
    let batch = compute(py, || {
        Ok(tthc_arrow::dossiers_to_batch(&tthc_sample::synthetic(
            n, units, seed,
        )))
    })?;
    PyTable::try_new(vec![batch.clone()], batch.schema())
}

#[pymodule]
fn _tthc_metrics(m: &Bound<'_, PyModule>) -> PyResult<()> {
    errors::register(m)?;
    calendar::register(m)?;
    scoring::register(m)?;
    quality::register(m)?;
    m.add_class::<PyTally>()?;
    m.add_function(wrap_pyfunction!(_report, m)?)?;
    m.add_function(wrap_pyfunction!(_tally, m)?)?;
    m.add_function(wrap_pyfunction!(_percent, m)?)?;
    m.add_function(wrap_pyfunction!(_sample_krong_no_2023, m)?)?;
    m.add_function(wrap_pyfunction!(_sample_synthetic, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
