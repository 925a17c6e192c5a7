//! The data argument: any Arrow C-stream producer, imported with its failures typed. A stream
//! whose declared lengths cannot hold makes the Arrow import panic, and a producer's error comes
//! back from pyo3-arrow as a bare `TypeError`; both become `SchemaError` (`invalid_data`).

use std::panic::{catch_unwind, AssertUnwindSafe};

use arrow_array::RecordBatch;
use pyo3::prelude::*;
use pyo3_arrow::PyTable;

use crate::errors::{bounded, SchemaError};

/// The batches of `data` (anything with `__arrow_c_stream__`); a table without batches is one
/// empty batch of its schema, so that its columns are checked like any other's.
pub(crate) fn batches(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<Vec<RecordBatch>> {
    let (batches, schema) = table(py, data)?.into_inner();
    Ok(if batches.is_empty() {
        vec![RecordBatch::new_empty(schema)]
    } else {
        batches
    })
}

/// `data` read whole as a table.
pub(crate) fn table(py: Python<'_>, data: &Bound<'_, PyAny>) -> PyResult<PyTable> {
    if !data.hasattr("__arrow_c_stream__")? {
        return Err(pyo3::exceptions::PyTypeError::new_err(format!(
            "data must be an Arrow table or stream (an object with __arrow_c_stream__), not {}",
            data.get_type().name()?
        )));
    }
    match catch_unwind(AssertUnwindSafe(|| data.extract::<PyTable>())) {
        Ok(Ok(t)) => Ok(t),
        Ok(Err(e)) if e.is_instance_of::<pyo3::exceptions::PyTypeError>(py) => {
            Err(invalid(py, &e.value(py).to_string()))
        }
        // the producer's own exception (a generator that raised) stays what it is
        Ok(Err(e)) => Err(e),
        Err(panic) => Err(invalid(py, &crate::panic_text(&*panic))),
    }
}

fn invalid(py: Python<'_>, detail: &str) -> PyErr {
    let err = SchemaError::new_err(bounded(&format!(
        "the Arrow data handed over is invalid (its C stream could not be imported): {detail}"
    )));
    let _ = err.value(py).setattr("code", "invalid_data");
    err
}
