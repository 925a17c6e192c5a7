//! `tm.report`, `tm.tally`, `tm.quality` (native halves): Arrow in, Arrow out.

use std::collections::HashMap;

use arrow_array::RecordBatch;
use pyo3::prelude::*;
use pyo3::types::PyDict;
use pyo3_arrow::PyTable;
use tthc_arrow::{
    decode_batches, quality_decoded, quality_fields, quality_to_batch, rejections_to_batch,
    relabel, report_decoded, report_fields, report_to_batch, ColumnMap, DecodeOptions,
};
use tthc_metrics::{Provenance, Summary};

use crate::compute;
use crate::options::{Kind, Options};
use crate::tally::PyTally;

fn table(batch: RecordBatch) -> PyResult<PyTable> {
    PyTable::try_new(vec![batch.clone()], batch.schema())
}

/// The report: `(table, rejected)`.
#[pyfunction]
#[pyo3(signature = (data, /, **options))]
fn report(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<(PyTable, PyTable)> {
    let o = Options::from_kwargs(py, Kind::Report, options)?;
    let batches = crate::input::batches(py, data)?;
    let calendar = o.calendar.as_ref().map(pyo3::Py::get);
    let (t, r) = compute(py, |cancel| {
        let mut budget = o.budget(o.report.memory_limit, cancel);
        let decode = DecodeOptions::default()
            .vocabulary(o.vocabulary.clone())
            .on_error(o.report.on_error)
            .only(&report_fields(&o.report, calendar.is_some()));
        let decoded = decode_batches(&batches, &o.columns, &decode, &mut budget)?;
        let cal = calendar.map(|c| &c.calendar);
        let r = report_decoded(&decoded, &o.report, cal, &mut budget)?;
        Ok((
            report_to_batch(&r, &o.table),
            relabel(
                &rejections_to_batch(&r.rejected, &r.duplicates),
                o.table.labels,
            ),
        ))
    })?;
    Ok((table(t)?, table(r)?))
}

/// One tally: `(Tally, rejected)`.
#[pyfunction]
#[pyo3(signature = (data, /, **options))]
fn tally(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<(PyTally, PyTable)> {
    let o = Options::from_kwargs(py, Kind::Tally, options)?;
    let batches = crate::input::batches(py, data)?;
    let calendar = o.calendar.as_ref().map(pyo3::Py::get);
    let tally_options = o.report.for_tally();
    let (summary, r) = compute(py, |cancel| {
        let mut budget = o.budget(o.report.memory_limit, cancel);
        let decode = DecodeOptions::default()
            .vocabulary(o.vocabulary.clone())
            .on_error(o.report.on_error)
            .only(&report_fields(&tally_options, calendar.is_some()));
        let decoded = decode_batches(&batches, &o.columns, &decode, &mut budget)?;
        let cal = calendar.map(|c| &c.calendar);
        let r = report_decoded(&decoded, &tally_options, cal, &mut budget)?;
        let s = r.summary()?;
        let provenance = Provenance::of(&tally_options)
            .rate_policy(o.table.rate_policy)
            .online_policy(o.table.online_policy);
        Ok((
            Summary::new(s.tally, provenance),
            relabel(
                &rejections_to_batch(&r.rejected, &r.duplicates),
                o.table.labels,
            ),
        ))
    })?;
    Ok((PyTally::from(summary), table(r)?))
}

/// The data-quality report: `(table, rejected)`.
#[pyfunction]
#[pyo3(signature = (data, /, **options))]
fn quality(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<(PyTable, PyTable)> {
    let o = Options::from_kwargs(py, Kind::Quality, options)?;
    let batches = crate::input::batches(py, data)?;
    let calendar = o.calendar.as_ref().map(pyo3::Py::get);
    let (t, r) = compute(py, |cancel| {
        let mut budget = o.budget(o.quality.memory_limit, cancel);
        let decode = DecodeOptions::default()
            .vocabulary(o.vocabulary.clone())
            .only(&quality_fields());
        let decoded = decode_batches(&batches, &o.columns, &decode, &mut budget)?;
        let cal = calendar.map(|c| &c.calendar);
        let q = quality_decoded(&decoded, &o.quality, cal, &mut budget)?;
        Ok((
            relabel(&quality_to_batch(&q), o.table.labels),
            relabel(
                &rejections_to_batch(&q.rejected, &q.duplicates),
                o.table.labels,
            ),
        ))
    })?;
    Ok((table(t)?, table(r)?))
}

/// Merges partial report tables (computed with `key=True`) into the table of the whole.
#[pyfunction]
fn merge_reports(py: Python<'_>, parts: Vec<Bound<'_, PyAny>>) -> PyResult<PyTable> {
    let batches: Vec<RecordBatch> = parts
        .iter()
        .map(|t| {
            let (batches, schema) = crate::input::table(py, t)?.into_inner();
            arrow_select_concat(&schema, &batches)
        })
        .collect::<PyResult<_>>()?;
    let merged = compute(py, |_| tthc_arrow::merge_report_batches(&batches))?;
    table(merged)
}

/// One table's batches as one batch (its schema and metadata kept).
fn arrow_select_concat(
    schema: &arrow_schema::SchemaRef,
    batches: &[RecordBatch],
) -> PyResult<RecordBatch> {
    arrow_select::concat::concat_batches(schema, batches)
        .map_err(|e| pyo3::exceptions::PyValueError::new_err(e.to_string()))
}

/// The earliest reception date the rows of `data` give a window (the default `start`).
#[pyfunction]
#[pyo3(signature = (data, /, **options))]
fn earliest_reception(
    py: Python<'_>,
    data: &Bound<'_, PyAny>,
    options: Option<&Bound<'_, PyDict>>,
) -> PyResult<Option<chrono::NaiveDate>> {
    let o = Options::from_kwargs(py, Kind::Tally, options)?;
    let batches = crate::input::batches(py, data)?;
    compute(py, |cancel| {
        let mut budget = o.budget(o.report.memory_limit, cancel);
        tthc_arrow::earliest_reception(&batches, &o.columns, &o.report, &mut budget)
    })
}

/// Where each canonical field is among a table's column names, given the caller's mapping:
/// `{canonical: column}` (the columns worth converting, and what they hold).
#[pyfunction]
#[pyo3(signature = (names, columns = None))]
fn used_columns(
    py: Python<'_>,
    names: Vec<String>,
    columns: Option<HashMap<String, String>>,
) -> PyResult<HashMap<&'static str, String>> {
    let map = ColumnMap::new(columns.unwrap_or_default())
        .map_err(|e| crate::errors::map_error(py, &e))?;
    let fields: Vec<arrow_schema::Field> = names
        .iter()
        .map(|n| arrow_schema::Field::new(n, arrow_schema::DataType::Utf8, true))
        .collect();
    let resolved = map
        .resolve(&arrow_schema::Schema::new(fields))
        .map_err(|e| crate::errors::map_error(py, &e))?;
    Ok(resolved
        .found()
        .into_iter()
        .map(|(f, s)| (f, s.to_string()))
        .collect())
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(report, m)?)?;
    m.add_function(wrap_pyfunction!(tally, m)?)?;
    m.add_function(wrap_pyfunction!(quality, m)?)?;
    m.add_function(wrap_pyfunction!(used_columns, m)?)?;
    m.add_function(wrap_pyfunction!(merge_reports, m)?)?;
    m.add_function(wrap_pyfunction!(earliest_reception, m)?)?;
    Ok(())
}
