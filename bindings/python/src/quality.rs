//! `tm.quality`: the data-quality report beside the metrics (conversion only).

use std::collections::HashMap;

use chrono::{NaiveDate, NaiveDateTime};
use pyo3::prelude::*;
use pyo3_arrow::PyTable;
use tthc_arrow::{quality_batches, quality_to_batch, rejections_to_batch, ArrowError};
use tthc_metrics::{Comparison, Error, GroupBy, QualityOptions};

use crate::errors::map_error;
use crate::{column_map, compute, parse};

fn core(py: Python<'_>, e: Error) -> PyErr {
    map_error(py, &ArrowError::Core(e))
}

/// The data-quality report: returns (table, rejected) as Arrow tables.
#[pyfunction]
#[pyo3(signature = (data, *, as_of, key, start, columns, comparison, overdue_buckets, hanging_after_days, max_supplement_requests, max_returns))]
#[allow(clippy::too_many_arguments)]
fn _quality(
    py: Python<'_>,
    data: PyTable,
    as_of: NaiveDateTime,
    key: Option<&str>,
    start: Option<NaiveDate>,
    columns: Option<HashMap<String, String>>,
    comparison: &str,
    overdue_buckets: Vec<u32>,
    hanging_after_days: u32,
    max_supplement_requests: u32,
    max_returns: u32,
) -> PyResult<(PyTable, PyTable)> {
    let group_by = match key {
        None => GroupBy::Total,
        Some(k) => parse::<GroupBy>(py, k)?,
    };
    let comparison = match comparison {
        "date" => Comparison::Date,
        "timestamp" => Comparison::Timestamp,
        other => {
            return Err(core(
                py,
                Error::Unknown {
                    what: "comparison",
                    value: other.to_string(),
                    expected: "date, timestamp".into(),
                },
            ))
        }
    };
    let options = QualityOptions::new(as_of)
        .start(start)
        .group_by(group_by)
        .comparison(comparison)
        .overdue_buckets(overdue_buckets)
        .hanging_after_days(hanging_after_days)
        .max_supplement_requests(max_supplement_requests)
        .max_returns(max_returns);
    let map = column_map(py, columns)?;
    let (batches, _schema) = data.into_inner();
    let (table, rejected) = compute(py, || {
        let q = quality_batches(&batches, &map, &options)?;
        Ok((quality_to_batch(&q), rejections_to_batch(&q.rejected)))
    })?;
    let t = PyTable::try_new(vec![table.clone()], table.schema())?;
    let r = PyTable::try_new(vec![rejected.clone()], rejected.schema())?;
    Ok((t, r))
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(_quality, m)?)?;
    Ok(())
}
