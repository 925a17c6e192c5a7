//! The `TthcError(ValueError)` hierarchy, each error with a stable `.code`; the one place errors
//! cross into Python.

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use tthc_arrow::ArrowError;
use tthc_metrics::Error;

create_exception!(
    tthc_metrics,
    TthcError,
    PyValueError,
    "Base of every tthc_metrics error; `.code` is stable."
);
create_exception!(
    tthc_metrics,
    RejectedRecordError,
    TthcError,
    "A bad input record: `.row`, `.column`, `.value`, `.dossier_id`, `.reason`; `.code` is `rejected_record`."
);
create_exception!(
    tthc_metrics,
    NoDataError,
    TthcError,
    "A rate with a zero denominator."
);
create_exception!(
    tthc_metrics,
    UnknownNameError,
    TthcError,
    "A name that is not a known policy, status, preset..."
);
create_exception!(
    tthc_metrics,
    SchemaError,
    TthcError,
    "A missing, ambiguous or unusable column, or invalid Arrow data."
);
create_exception!(
    tthc_metrics,
    OutOfRangeError,
    TthcError,
    "A date outside the supported range."
);
create_exception!(
    tthc_metrics,
    RubricError,
    TthcError,
    "A rubric that does not parse or validate."
);
create_exception!(
    tthc_metrics,
    FormError,
    TthcError,
    "A form that cannot be made as asked: a window with no dossier, a unit tree that misses units, a Friday report for a day that is not a Friday."
);
create_exception!(
    tthc_metrics,
    MergeError,
    TthcError,
    "Results computed with different options (cut-off, window, policies) cannot be merged."
);

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    let py = m.py();
    m.add("TthcError", py.get_type::<TthcError>())?;
    m.add("RejectedRecordError", py.get_type::<RejectedRecordError>())?;
    m.add("NoDataError", py.get_type::<NoDataError>())?;
    m.add("UnknownNameError", py.get_type::<UnknownNameError>())?;
    m.add("SchemaError", py.get_type::<SchemaError>())?;
    m.add("OutOfRangeError", py.get_type::<OutOfRangeError>())?;
    m.add("RubricError", py.get_type::<RubricError>())?;
    m.add("MergeError", py.get_type::<MergeError>())?;
    m.add("FormError", py.get_type::<FormError>())?;
    Ok(())
}

fn with_code(py: Python<'_>, err: PyErr, code: &str) -> PyErr {
    let _ = err.value(py).setattr("code", code);
    err
}

/// The longest message an exception carries, in characters.
const MAX_MESSAGE: usize = 1_000;

/// `text` cut to [`MAX_MESSAGE`] characters, saying how long it was: a message that quotes a
/// user's value (an option, a TOML text, a field name) stays readable however long the value.
pub(crate) fn bounded(text: &str) -> String {
    match text.char_indices().nth(MAX_MESSAGE) {
        None => text.to_owned(),
        Some((cut, _)) => format!(
            "{}… (cut: {} characters in all)",
            &text[..cut],
            text.chars().count()
        ),
    }
}

/// Maps an adapter or core error to its Python exception with `.code` (and record details).
pub(crate) fn map_error(py: Python<'_>, e: &ArrowError) -> PyErr {
    let msg = bounded(&e.to_string());
    let err = match e {
        ArrowError::Core(Error::Rejected(r)) => {
            let err = RejectedRecordError::new_err(msg);
            let v = err.value(py);
            let _ = v.setattr("row", r.row);
            let _ = v.setattr("column", r.field.as_str());
            let _ = v.setattr("value", bounded(r.value.as_str()));
            let _ = v.setattr("dossier_id", bounded(r.dossier_id.as_str()));
            let _ = v.setattr("reason", r.reason.code());
            err
        }
        ArrowError::Core(Error::NoData { .. }) => NoDataError::new_err(msg),
        ArrowError::Core(Error::Unknown { .. }) | ArrowError::UnknownCanonical(_) => {
            UnknownNameError::new_err(msg)
        }
        ArrowError::Core(Error::OutOfRange { .. }) => OutOfRangeError::new_err(msg),
        ArrowError::Core(Error::InvalidRubric { .. }) => RubricError::new_err(msg),
        ArrowError::Core(Error::Parse { format, .. }) if *format != "tally bytes" => {
            RubricError::new_err(msg)
        }
        ArrowError::Core(Error::Mismatch { .. }) => MergeError::new_err(msg),
        ArrowError::Core(
            Error::NotAFriday { .. } | Error::Uncovered { .. } | Error::EmptyWindow { .. },
        ) => FormError::new_err(msg),
        e if e.is_schema_error() => SchemaError::new_err(msg),
        _ => TthcError::new_err(msg),
    };
    with_code(py, err, e.code())
}

/// A core error as a Python exception.
pub(crate) fn core(py: Python<'_>, e: Error) -> PyErr {
    map_error(py, &ArrowError::Core(e))
}

/// A panic caught at the boundary.
pub(crate) fn internal_error(py: Python<'_>, detail: &str) -> PyErr {
    with_code(
        py,
        TthcError::new_err(format!(
            "internal error in tthc_metrics (a bug: please report it with the input that caused it): {detail}"
        )),
        "internal_error",
    )
}
