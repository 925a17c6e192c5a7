//! `tm.Tally`: a core [`Summary`] (counts with their provenance) with exact rates; it merges only
//! with its own kind, pickles, and round-trips through bytes.

use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict, PyTuple};
use tthc_metrics::{Error, Rate, Summary, Tally};

use crate::errors::core;

/// Counts of one tally with its provenance and exact rates.
#[pyclass(name = "Tally", module = "tthc_metrics", frozen, eq)]
#[derive(Clone, PartialEq)]
pub(crate) struct PyTally {
    pub(crate) summary: Summary,
}

impl From<Summary> for PyTally {
    fn from(summary: Summary) -> Self {
        Self { summary }
    }
}

fn fraction(py: Python<'_>, rate: Result<Rate, Error>) -> PyResult<Option<Bound<'_, PyAny>>> {
    match rate {
        Ok(r) => Ok(Some(
            py.import("fractions")?
                .getattr("Fraction")?
                .call1((r.numerator(), r.denominator()))?,
        )),
        Err(Error::NoData { .. }) => Ok(None),
        Err(e) => Err(core(py, e)),
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
                    f(&self.summary.tally)
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
    awaiting_payment => |t| t.awaiting_payment,
    backlog => Tally::backlog,
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
    /// The empty tally (no provenance): what `sum()` starts from; it merges with any tally.
    #[new]
    fn empty() -> Self {
        Self {
            summary: Summary::default(),
        }
    }

    /// The on-time rate under the tally's policy, exact; `None` without data.
    #[getter]
    fn on_time_rate<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        fraction(py, self.summary.on_time_rate())
    }

    /// `1 - on_time_rate`, exact; `None` without data.
    #[getter]
    fn late_rate<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        fraction(py, self.summary.late_rate())
    }

    /// The online share under the tally's policy, exact; `None` without data.
    #[getter]
    fn online_share<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyAny>>> {
        fraction(py, self.summary.online_share())
    }

    /// The on-time rate under any policy.
    fn on_time_rate_under<'py>(
        &self,
        py: Python<'py>,
        policy: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let p = policy.parse().map_err(|e| core(py, e))?;
        fraction(py, self.summary.tally.on_time_rate(p))
    }

    /// The online share under any policy.
    fn online_share_under<'py>(
        &self,
        py: Python<'py>,
        policy: &str,
    ) -> PyResult<Option<Bound<'py, PyAny>>> {
        let p = policy.parse().map_err(|e| core(py, e))?;
        fraction(py, self.summary.tally.online_share(p))
    }

    #[getter]
    fn rate_policy(&self) -> &'static str {
        self.summary
            .provenance
            .map_or(tthc_metrics::OnTimePolicy::default(), |p| p.rate_policy)
            .name()
    }

    #[getter]
    fn online_policy(&self) -> &'static str {
        self.summary
            .provenance
            .map_or(tthc_metrics::OnlinePolicy::default(), |p| p.online_policy)
            .name()
    }

    /// The cut-off the tally was taken at (`None` for the empty tally).
    #[getter]
    fn as_of(&self) -> Option<chrono::NaiveDateTime> {
        self.summary.provenance.map(|p| p.as_of)
    }

    /// What the tally was computed under, as a dict (`None` for the empty tally).
    #[getter]
    fn provenance<'py>(&self, py: Python<'py>) -> PyResult<Option<Bound<'py, PyDict>>> {
        let Some(p) = self.summary.provenance else {
            return Ok(None);
        };
        let d = PyDict::new(py);
        d.set_item("as_of", p.as_of)?;
        d.set_item("start", p.start)?;
        d.set_item("comparison", p.classify.comparison.name())?;
        d.set_item("supplement_rule", p.classify.supplement_rule.name())?;
        d.set_item("due_date", p.classify.due_date.name())?;
        d.set_item("duplicates", p.duplicates.name())?;
        d.set_item("rate_policy", p.rate_policy.name())?;
        d.set_item("online_policy", p.online_policy.name())?;
        Ok(Some(d))
    }

    /// The exact sum; a `MergeError` when the tallies were computed under different options.
    fn merge(&self, py: Python<'_>, other: &PyTally) -> PyResult<PyTally> {
        Ok(Self {
            summary: self
                .summary
                .merge(&other.summary)
                .map_err(|e| core(py, e))?,
        })
    }

    fn __add__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.add_any(py, other)
    }

    fn __radd__(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        self.add_any(py, other)
    }

    /// The tally as bytes (versioned; `Tally.from_bytes` reads them back exactly).
    fn to_bytes<'py>(&self, py: Python<'py>) -> Bound<'py, PyBytes> {
        PyBytes::new(py, &self.summary.to_bytes())
    }

    /// A tally from `to_bytes`' bytes; a `TthcError` (code `parse_error`) for anything else.
    #[staticmethod]
    fn from_bytes(py: Python<'_>, data: &[u8]) -> PyResult<PyTally> {
        Ok(Self {
            summary: Summary::from_bytes(data).map_err(|e| core(py, e))?,
        })
    }

    fn __reduce__<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyTuple>> {
        let from = py.get_type::<PyTally>().getattr("from_bytes")?;
        (from, (self.to_bytes(py),)).into_pyobject(py)
    }

    fn __repr__(&self) -> String {
        let t = &self.summary.tally;
        format!(
            "Tally(received={}, finished={}, on_time_or_early={}, late={}, backlog={}, overdue={}, rate_policy='{}')",
            t.received() + t.carried_over,
            t.finished(),
            t.on_time_or_early(),
            t.late,
            t.backlog(),
            t.overdue,
            self.rate_policy()
        )
    }
}

impl PyTally {
    /// The cut-off's date: the date a rubric scores the tally on by default.
    pub(crate) fn as_of_date(&self) -> Option<chrono::NaiveDate> {
        self.summary.provenance.map(|p| p.as_of.date())
    }

    /// `self + other` where `other` is a tally or `0` (so that `sum(tallies)` works).
    fn add_any(&self, py: Python<'_>, other: &Bound<'_, PyAny>) -> PyResult<Py<PyAny>> {
        if let Ok(o) = other.cast::<PyTally>() {
            return Ok(self
                .merge(py, o.get())?
                .into_pyobject(py)?
                .into_any()
                .unbind());
        }
        if other.extract::<i64>().is_ok_and(|n| n == 0) {
            return Ok(self.clone().into_pyobject(py)?.into_any().unbind());
        }
        Ok(py.NotImplemented())
    }
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<PyTally>()
}
