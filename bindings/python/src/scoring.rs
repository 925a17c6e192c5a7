//! `tm.Rubric`, `tm.Score`: rubrics as data, scores with exact `Decimal` points, recovery plans.

use chrono::NaiveDate;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};
use rust_decimal::Decimal;
use tthc_metrics::{
    recovery, score, CriterionScore, Error, MetricValue, Recovery, RecoveryGoal, RecoveryOptions,
    RecoverySource, Rubric, Score, ScoreInputs,
};

use crate::errors::core;
use crate::tally::PyTally;

fn value<'py>(py: Python<'py>, v: Option<&MetricValue>) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Some(MetricValue::Rate(r)) => py
            .import("fractions")?
            .getattr("Fraction")?
            .call1((r.numerator(), r.denominator()))?,
        Some(MetricValue::Count(c)) => c.into_pyobject(py)?.into_any(),
        _ => py.None().into_bound(py),
    })
}

fn criterion<'py>(py: Python<'py>, c: &CriterionScore) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("id", &c.id)?;
    d.set_item("title", &c.title)?;
    d.set_item("metric", c.metric.label())?;
    d.set_item("policy", c.metric.policy_name())?;
    d.set_item("value", value(py, c.value.as_ref())?)?;
    d.set_item("status", serde_name(&c.status))?;
    d.set_item("passed", c.passed)?;
    d.set_item("counted", c.counted)?;
    d.set_item("earned", c.earned)?;
    d.set_item("max", c.max)?;
    d.set_item("lost", c.lost)?;
    d.set_item("own_points", c.own_points)?;
    d.set_item("band", c.band)?;
    d.set_item("forfeited_by", c.forfeited_by.clone())?;
    d.set_item("reason", &c.reason)?;
    Ok(d)
}

/// The snake_case serde name of a unit-like enum value.
fn serde_name<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|j| j.as_str().map(str::to_string))
        .unwrap_or_default()
}

/// A rubric's result: `earned`, `max`, `lost` as `Decimal`, and per-criterion details.
#[pyclass(name = "Score", module = "tthc_metrics", frozen)]
struct PyScore {
    score: Score,
}

#[pymethods]
impl PyScore {
    #[getter]
    fn rubric(&self) -> &str {
        &self.score.rubric
    }
    #[getter]
    fn date(&self) -> NaiveDate {
        self.score.date
    }
    #[getter]
    fn earned(&self) -> Decimal {
        self.score.earned
    }
    #[getter]
    fn max(&self) -> Decimal {
        self.score.max
    }
    #[getter]
    fn lost(&self) -> Decimal {
        self.score.lost
    }
    /// One dict per criterion: id, title, metric, policy, value (exact `Fraction` or count),
    /// status, passed, counted, earned, max, lost, own_points, band, forfeited_by, reason.
    #[getter]
    fn criteria<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyList>> {
        let items = self
            .score
            .criteria
            .iter()
            .map(|c| criterion(py, c))
            .collect::<PyResult<Vec<_>>>()?;
        PyList::new(py, items)
    }
    /// The details of criterion `id`.
    fn criterion<'py>(&self, py: Python<'py>, id: &str) -> PyResult<Bound<'py, PyDict>> {
        match self.score.criterion(id) {
            Some(c) => criterion(py, c),
            None => Err(core(
                py,
                Error::Unknown {
                    what: "criterion",
                    value: id.into(),
                    expected: self
                        .score
                        .criteria
                        .iter()
                        .map(|c| c.id.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                },
            )),
        }
    }
    fn __repr__(&self) -> String {
        format!(
            "Score(rubric='{}', earned={}, max={}, lost={})",
            self.score.rubric, self.score.earned, self.score.max, self.score.lost
        )
    }
}

fn recovery_dict<'py>(py: Python<'py>, r: &Recovery) -> PyResult<Bound<'py, PyDict>> {
    let d = PyDict::new(py);
    d.set_item("criterion", &r.criterion)?;
    d.set_item("kind", serde_name(&r.kind))?;
    d.set_item("source", serde_name(&r.source))?;
    d.set_item("additional", r.additional)?;
    d.set_item("available", r.available)?;
    d.set_item("from_value", value(py, r.from_value.as_ref())?)?;
    d.set_item("to_value", value(py, r.to_value.as_ref())?)?;
    d.set_item("from_points", r.from_points)?;
    d.set_item("target_points", r.target_points)?;
    d.set_item("to_points", r.to_points)?;
    d.set_item("blocked_by", r.blocked_by.clone())?;
    d.set_item("summary", &r.summary)?;
    Ok(d)
}

/// A scoring rubric (criteria, metrics, rules, dependencies, effective dates) as data.
#[pyclass(name = "Rubric", module = "tthc_metrics", frozen)]
struct PyRubric {
    rubric: Rubric,
}

fn inputs(
    py: Python<'_>,
    tally: &PyTally,
    complaints: Option<&Bound<'_, PyAny>>,
    windows: Option<Vec<(String, PyRef<'_, PyTally>)>>,
) -> PyResult<ScoreInputs> {
    let complaints: Option<u64> = crate::options::optional_integer(py, "complaints", complaints)?;
    let mut i = ScoreInputs::from(tally.summary.tally);
    if let Some(c) = complaints {
        i = i.with_complaints(c);
    }
    for (name, t) in windows.unwrap_or_default() {
        i = i.with_window(name, t.summary.tally);
    }
    Ok(i)
}

#[pymethods]
impl PyRubric {
    /// A preset shipped with the library (`Rubric.preset_names()`).
    #[staticmethod]
    fn preset(py: Python<'_>, name: &str) -> PyResult<Self> {
        crate::guard(py, || {
            Ok(Self {
                rubric: Rubric::preset(name).map_err(|e| core(py, e))?,
            })
        })
    }
    /// The names of the presets.
    #[staticmethod]
    fn preset_names() -> Vec<&'static str> {
        Rubric::preset_names().to_vec()
    }
    /// A rubric from TOML text (see the README's "Scoring" section).
    #[staticmethod]
    fn from_toml(py: Python<'_>, text: &str) -> PyResult<Self> {
        crate::guard(py, || {
            Ok(Self {
                rubric: Rubric::from_toml(text).map_err(|e| core(py, e))?,
            })
        })
    }
    /// A rubric from JSON text.
    #[staticmethod]
    fn from_json(py: Python<'_>, text: &str) -> PyResult<Self> {
        crate::guard(py, || {
            Ok(Self {
                rubric: Rubric::from_json(text).map_err(|e| core(py, e))?,
            })
        })
    }
    fn to_toml(&self, py: Python<'_>) -> PyResult<String> {
        crate::guard(py, || self.rubric.to_toml().map_err(|e| core(py, e)))
    }
    fn to_json(&self, py: Python<'_>) -> PyResult<String> {
        crate::guard(py, || self.rubric.to_json().map_err(|e| core(py, e)))
    }
    #[getter]
    fn name(&self) -> &str {
        self.rubric.name()
    }
    /// The criterion ids, in order.
    #[getter]
    fn criteria(&self) -> Vec<String> {
        self.rubric
            .criteria()
            .iter()
            .map(|c| c.id.clone())
            .collect()
    }
    /// Scores `tally` on `date` (default: the tally's `as_of` date). `windows` gives the tallies
    /// criteria with a `window` read, e.g. `[("peak_month", peak_tally)]`; `complaints` feeds the
    /// satisfaction metric.
    #[pyo3(signature = (tally, *, date = None, complaints = None, windows = None))]
    fn score(
        &self,
        py: Python<'_>,
        tally: PyRef<'_, PyTally>,
        date: Option<NaiveDate>,
        complaints: Option<&Bound<'_, PyAny>>,
        windows: Option<Vec<(String, PyRef<'_, PyTally>)>>,
    ) -> PyResult<PyScore> {
        crate::guard(py, || {
            let date = date.or_else(|| tally.as_of_date()).unwrap_or_default();
            let i = inputs(py, &tally, complaints, windows)?;
            Ok(PyScore {
                score: score(&self.rubric, &i, date).map_err(|e| core(py, e))?,
            })
        })
    }
    /// The least number of additional on-time (or online) dossiers that lifts `criterion` to
    /// `goal` ("next_band" or "full_points"): a dict with `additional` (exact: one fewer does not
    /// reach it), the values and points before and after, and a summary.
    #[pyo3(signature = (tally, criterion, *, date = None, goal = "next_band", source = "added", complaints = None, windows = None))]
    #[allow(clippy::too_many_arguments)]
    fn recovery<'py>(
        &self,
        py: Python<'py>,
        tally: PyRef<'_, PyTally>,
        criterion: &str,
        date: Option<NaiveDate>,
        goal: &str,
        source: &str,
        complaints: Option<&Bound<'_, PyAny>>,
        windows: Option<Vec<(String, PyRef<'_, PyTally>)>>,
    ) -> PyResult<Bound<'py, PyDict>> {
        crate::guard(py, || {
            let goal: RecoveryGoal = goal.parse().map_err(|e| core(py, e))?;
            let source: RecoverySource = source.parse().map_err(|e| core(py, e))?;
            let date = date.or_else(|| tally.as_of_date()).unwrap_or_default();
            let i = inputs(py, &tally, complaints, windows)?;
            let r = recovery(
                &self.rubric,
                criterion,
                &i,
                date,
                &RecoveryOptions::default().goal(goal).source(source),
            )
            .map_err(|e| core(py, e))?;
            recovery_dict(py, &r)
        })
    }
    fn __repr__(&self) -> String {
        format!(
            "Rubric('{}', criteria={:?})",
            self.rubric.name(),
            self.criteria()
        )
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyRubric>()?;
    m.add_class::<PyScore>()
}
