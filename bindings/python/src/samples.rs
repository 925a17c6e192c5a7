//! The bundled samples and `tm.percent` (conversion only).

use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use rust_decimal::Decimal;
use tthc_metrics::{Error, Rate};

use crate::compute;
use crate::errors::core;
use crate::options::integer;

/// The bundled Krông Nô 2023 sample as an Arrow table.
#[pyfunction]
fn sample_krong_no_2023(py: Python<'_>) -> PyResult<PyTable> {
    let batch = compute(py, |_| {
        Ok(tthc_arrow::dossiers_to_batch(&tthc_sample::krong_no_2023()))
    })?;
    PyTable::try_new(vec![batch.clone()], batch.schema())
}

/// The Krông Nô sample's units as `(unit, parent, kind)` triples, parents first: the
/// `unit_tree` the forms take.
#[pyfunction]
fn sample_krong_no_units() -> Vec<(String, Option<String>, &'static str)> {
    let t = tthc_sample::krong_no_units();
    t.units()
        .iter()
        .map(|u| {
            (
                u.name.clone(),
                u.parent.map(|p| t.unit(p).name.clone()),
                u.kind.name(),
            )
        })
        .collect()
}

/// A synthetic data set of `n` dossiers (benchmarks, tests).
#[pyfunction]
#[pyo3(signature = (n, *, units = None, seed = None), text_signature = "(n, *, units=40, seed=1)")]
fn sample_synthetic(
    py: Python<'_>,
    n: &Bound<'_, PyAny>,
    units: Option<&Bound<'_, PyAny>>,
    seed: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTable> {
    let n: usize = integer(py, "n", n)?;
    let units: usize = units.map_or(Ok(40), |u| integer(py, "units", u))?;
    let seed: u64 = seed.map_or(Ok(1), |s| integer(py, "seed", s))?;
    let batch = compute(py, |_| {
        let ds = tthc_sample::synthetic_checked(n, units, seed)?;
        Ok(tthc_arrow::dossiers_to_batch(&ds))
    })?;
    PyTable::try_new(vec![batch.clone()], batch.schema())
}

/// `rate` (a `Fraction`, an `int` 0 or 1, or anything with `numerator` and `denominator`) as a
/// percentage with `dp` decimals, rounded half away from zero.
#[pyfunction]
#[pyo3(signature = (rate, dp = None), text_signature = "(rate, dp=1)")]
fn percent(
    py: Python<'_>,
    rate: &Bound<'_, PyAny>,
    dp: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<Decimal>> {
    let dp: i64 = dp.map_or(Ok(1), |d| integer(py, "dp", d))?;
    if rate.is_none() {
        return Ok(None);
    }
    let invalid = |reason: String| {
        core(
            py,
            Error::InvalidArgument {
                name: "rate",
                reason,
            },
        )
    };
    let (num, den): (i128, i128) = match (rate.getattr("numerator"), rate.getattr("denominator")) {
        (Ok(n), Ok(d)) => (
            n.extract()
                .map_err(|_| invalid(format!("{rate} is too large")))?,
            d.extract()
                .map_err(|_| invalid(format!("{rate} is too large")))?,
        ),
        _ => {
            return Err(invalid(format!(
                "{rate} is not an exact rate (use fractions.Fraction)"
            )))
        }
    };
    if den <= 0 || num < 0 || num > den {
        return Err(invalid(format!(
            "a rate must lie in [0, 1], got {num}/{den}"
        )));
    }
    let to_u64 = |v: i128| {
        u64::try_from(v).map_err(|_| invalid(format!("{num}/{den} has terms beyond 2^64")))
    };
    let dp = u32::try_from(dp).map_err(|_| {
        core(
            py,
            Error::InvalidArgument {
                name: "dp",
                reason: format!("{dp} decimals"),
            },
        )
    })?;
    let r = Rate::new(to_u64(num)?, to_u64(den)?).map_err(|e| core(py, e))?;
    r.percent(dp, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
        .map(Some)
        .map_err(|e| core(py, e))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(sample_krong_no_2023, m)?)?;
    m.add_function(wrap_pyfunction!(sample_krong_no_units, m)?)?;
    m.add_function(wrap_pyfunction!(sample_synthetic, m)?)?;
    m.add_function(wrap_pyfunction!(percent, m)?)?;
    Ok(())
}
