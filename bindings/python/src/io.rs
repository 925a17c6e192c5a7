//! `tm.read_export` (native half): a path, bytes or a binary file object in, a pyarrow table
//! out; conversion and error mapping only (the reading is `tthc-io`'s).

use std::collections::HashMap;
use std::path::PathBuf;

use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::pybacked::PyBackedBytes;
use pyo3::types::{PyBytes, PyString};
use pyo3_arrow::PyTable;
use tthc_arrow::{ArrowError, ColumnMap};
use tthc_io::{IoError, ReadOptions, Sheet};
use tthc_metrics::{Channel, OnlineService, Status};

use crate::errors::{core, map_error, SchemaError, TthcError};

/// What to read: a file, or bytes already in memory (with a name for messages).
enum Source {
    Path(PathBuf),
    Bytes(PyBackedBytes, String),
}

fn source(py: Python<'_>, v: &Bound<'_, PyAny>) -> PyResult<Source> {
    if v.is_instance_of::<PyBytes>() {
        return Ok(Source::Bytes(v.extract()?, "<bytes>".into()));
    }
    if v.is_instance_of::<PyString>() || v.hasattr("__fspath__")? {
        return Ok(Source::Path(v.extract()?));
    }
    if v.hasattr("read")? {
        let data = v.call_method0("read")?;
        if !data.is_instance_of::<PyBytes>() {
            return Err(PyTypeError::new_err(
                "the file object must be opened in binary mode (open(path, \"rb\"))",
            ));
        }
        let name = v
            .getattr("name")
            .ok()
            .and_then(|n| n.extract::<PathBuf>().ok())
            .and_then(|p| p.file_name().map(|f| f.to_string_lossy().into_owned()))
            .unwrap_or_else(|| "<file object>".into());
        let _ = py;
        return Ok(Source::Bytes(data.extract()?, name));
    }
    Err(PyTypeError::new_err(format!(
        "source must be a path (str or os.PathLike), bytes, or a binary file object, not {}",
        v.get_type().name()?
    )))
}

/// `IoError` → the `TthcError` hierarchy: header and column problems are `SchemaError`, the
/// column mapping's own errors keep their mapping (the file named in the message), the rest
/// `TthcError`; `.code` is the reader's.
pub(crate) fn io_error(py: Python<'_>, e: &IoError) -> PyErr {
    let msg = crate::errors::bounded(&e.to_string());
    let err = match e {
        IoError::Columns { source, .. } => {
            let err = map_error(py, source);
            let _ = err.value(py).setattr("args", (msg.as_str(),));
            return err;
        }
        IoError::Interrupted => {
            return map_error(py, &ArrowError::Core(tthc_metrics::Error::Interrupted))
        }
        e if e.is_schema_error() => SchemaError::new_err(msg),
        _ => TthcError::new_err(msg),
    };
    let _ = err.value(py).setattr("code", e.code());
    err
}

fn vocabulary<T>(
    py: Python<'_>,
    given: Option<HashMap<String, Bound<'_, PyAny>>>,
    from_code: impl Fn(i64) -> Result<T, tthc_metrics::Error>,
    from_name: impl Fn(&str) -> Result<T, tthc_metrics::Error>,
) -> PyResult<Vec<(String, T)>> {
    let mut out = Vec::new();
    for (name, v) in given.unwrap_or_default() {
        let t = match v.extract::<i64>() {
            Ok(code) => from_code(code),
            Err(_) => from_name(&v.extract::<String>()?),
        }
        .map_err(|e| core(py, e))?;
        out.push((name, t));
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    Ok(out)
}

/// Reads an export into a pyarrow-compatible table (see `tm.read_export`).
#[pyfunction]
#[pyo3(signature = (source_, *, sheet = None, columns = None, header_row = None, status_names = None, channel_names = None, online_service_names = None, memory_limit = None))]
#[allow(clippy::too_many_arguments, clippy::result_large_err)] // the options as Python sees them; IoError as tthc-io has it
fn read_export(
    py: Python<'_>,
    source_: &Bound<'_, PyAny>,
    sheet: Option<&Bound<'_, PyAny>>,
    columns: Option<HashMap<String, String>>,
    header_row: Option<&Bound<'_, PyAny>>,
    status_names: Option<HashMap<String, Bound<'_, PyAny>>>,
    channel_names: Option<HashMap<String, Bound<'_, PyAny>>>,
    online_service_names: Option<HashMap<String, Bound<'_, PyAny>>>,
    memory_limit: Option<&Bound<'_, PyAny>>,
) -> PyResult<PyTable> {
    let header_row: Option<u64> = crate::options::optional_integer(py, "header_row", header_row)?;
    let memory_limit: Option<u64> =
        crate::options::optional_integer(py, "memory_limit", memory_limit)?;
    let src = source(py, source_)?;
    let mut o = ReadOptions::default();
    if let Some(s) = sheet.filter(|s| !s.is_none()) {
        o = o.sheet(if let Ok(i) = s.extract::<usize>() {
            Sheet::Index(i)
        } else if let Ok(n) = s.extract::<String>() {
            Sheet::Name(n)
        } else {
            return Err(PyTypeError::new_err(
                "sheet must be a sheet name (str) or a 0-based index (int)",
            ));
        });
    }
    if let Some(c) = columns {
        o = o.columns(ColumnMap::new(c).map_err(|e| map_error(py, &e))?);
    }
    if let Some(h) = header_row {
        if h == 0 {
            return Err(PyTypeError::new_err(
                "header_row is 1-based (the row Excel shows)",
            ));
        }
        o = o.header_row(h);
    }
    if let Some(m) = memory_limit {
        o = o.memory_limit(m);
    }
    o.status_names = vocabulary(py, status_names, Status::from_code, str::parse)?;
    o.channel_names = vocabulary(py, channel_names, Channel::from_code, str::parse)?;
    o.online_service_names = vocabulary(
        py,
        online_service_names,
        |c| tthc_metrics::Vocabulary::standard().parse_online_service(&c.to_string()),
        str::parse::<OnlineService>,
    )?;
    let read = crate::compute_with(
        py,
        |cancel| {
            let o = o.cancel(cancel);
            match &src {
                Source::Path(p) => tthc_io::read_export(p, &o),
                Source::Bytes(b, name) => tthc_io::read_export_bytes(b, name, &o),
            }
        },
        io_error,
    )?;
    let batch = read.batch;
    PyTable::try_new(vec![batch.clone()], batch.schema())
}

pub(crate) fn register(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(read_export, m)?)?;
    Ok(())
}
