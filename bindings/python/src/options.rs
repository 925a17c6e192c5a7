//! Keyword arguments → the core's options: the one extractor every entry point uses. Names are
//! parsed by the core (`FromStr` of each option enum); times follow the core's rules (a date is
//! the end of that day, an aware time is read in UTC+7).

use std::collections::HashMap;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveDateTime};
use pyo3::exceptions::{PyOverflowError, PyTypeError, PyUserWarning};
use pyo3::prelude::*;
use pyo3::types::{PyDate, PyDateTime, PyDict, PyInt, PyString};
use tthc_arrow::{ColumnMap, Labels, TableOptions};
use tthc_metrics::{
    vietnam_civil_time, Channel, ClassifyOptions, Error, GroupBy, OnlineService, QualityOptions,
    ReportOptions, Status, Vocabulary,
};

use crate::calendar::PyCalendar;
use crate::errors::core;

/// An integer type an option is read into, with its range for the message.
pub(crate) trait Int: Sized {
    const MIN: i128;
    const MAX: i128;
}

macro_rules! int_range {
    ($($t:ty),*) => {$(impl Int for $t {
        const MIN: i128 = <$t>::MIN as i128;
        const MAX: i128 = <$t>::MAX as i128;
    })*};
}
int_range!(u8, u16, u32, u64, usize, i32, i64);

/// An integer option: a Python `int` outside the type's range is `TthcError(invalid_argument)`
/// naming the option (pyo3 would raise `OverflowError`); anything else that is not an integer
/// keeps pyo3's `TypeError`.
pub(crate) fn integer<T: Int + TryFrom<i128>>(
    py: Python<'_>,
    name: &'static str,
    v: &Bound<'_, PyAny>,
) -> PyResult<T> {
    let wide = match v.extract::<i128>() {
        Ok(n) => Some(n),
        Err(e) if e.is_instance_of::<PyOverflowError>(py) => None,
        Err(e) => return Err(e),
    };
    wide.and_then(|n| T::try_from(n).ok()).ok_or_else(|| {
        core(
            py,
            Error::InvalidArgument {
                name,
                reason: format!(
                    "{} is out of range (an integer from {} to {})",
                    crate::errors::bounded(&v.to_string()),
                    T::MIN,
                    T::MAX
                ),
            },
        )
    })
}

/// [`integer`] of an optional argument (`None` and Python `None` are absent).
pub(crate) fn optional_integer<T: Int + TryFrom<i128>>(
    py: Python<'_>,
    name: &'static str,
    v: Option<&Bound<'_, PyAny>>,
) -> PyResult<Option<T>> {
    v.filter(|v| !v.is_none())
        .map(|v| integer(py, name, v))
        .transpose()
}

/// A date-time as civil time in Việt Nam: a naive one as it is, an aware one (any `tzinfo`:
/// `datetime.timezone`, `zoneinfo`, `pytz`) converted to UTC+7 by its own UTC offset.
pub(crate) fn civil_datetime(v: &Bound<'_, PyAny>) -> PyResult<NaiveDateTime> {
    if let Ok(aware) = v.extract::<DateTime<FixedOffset>>() {
        return Ok(vietnam_civil_time(aware));
    }
    let offset = v.call_method0("utcoffset")?;
    if offset.is_none() {
        return v.extract::<NaiveDateTime>().or_else(|_| {
            let kwargs = PyDict::new(v.py());
            kwargs.set_item("tzinfo", v.py().None())?;
            v.call_method("replace", (), Some(&kwargs))?.extract()
        });
    }
    let kwargs = PyDict::new(v.py());
    kwargs.set_item("tzinfo", v.py().None())?;
    let wall: NaiveDateTime = v.call_method("replace", (), Some(&kwargs))?.extract()?;
    let offset: chrono::TimeDelta = offset.extract()?;
    let seconds = i32::try_from(offset.num_seconds()).unwrap_or(0);
    let zone = FixedOffset::east_opt(seconds).unwrap_or(FixedOffset::east_opt(0).expect("UTC"));
    Ok(wall
        .and_local_timezone(zone)
        .single()
        .map_or(wall, vietnam_civil_time))
}

/// Which entry point the options are for (what it accepts).
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Report,
    Tally,
    Quality,
    /// The forms: the classification, repeats and input options (the window is the form's).
    Form,
}

const COMMON: &[&str] = &[
    "as_of",
    "start",
    "columns",
    "on_error",
    "comparison",
    "supplement_rule",
    "due_date",
    "duplicates",
    "memory_limit",
    "calendar",
    "status_names",
    "channel_names",
    "online_service_names",
    "rate_policy",
    "online_policy",
    "threads",
    "labels",
];
const REPORT: &[&str] = &["by", "view", "end", "key"];
const QUALITY: &[&str] = &[
    "by",
    "overdue_buckets",
    "hanging_after_days",
    "max_supplement_requests",
    "max_returns",
    "reception_hours",
];

/// Everything one call needs.
pub(crate) struct Options {
    pub report: ReportOptions,
    pub quality: QualityOptions,
    pub table: TableOptions,
    pub columns: ColumnMap,
    pub vocabulary: Vocabulary,
    pub calendar: Option<Py<PyCalendar>>,
    /// Worker threads for the call (0: the machine's cores, up to 8).
    pub threads: usize,
}

impl Options {
    /// The budget of one call: the memory limit, the cancel flag, the thread limit.
    pub(crate) fn budget(
        &self,
        limit: u64,
        cancel: std::sync::Arc<std::sync::atomic::AtomicBool>,
    ) -> tthc_metrics::MemoryBudget {
        tthc_metrics::MemoryBudget::new(limit)
            .with_cancel(cancel)
            .with_threads(self.threads)
    }
}

fn parse<T: std::str::FromStr<Err = Error>>(py: Python<'_>, v: &Bound<'_, PyAny>) -> PyResult<T> {
    let s: String = v.extract()?;
    s.parse::<T>().map_err(|e| core(py, e))
}

/// A cut-off: a date is the end of that day; a naive date-time is civil time; an aware one is
/// converted to UTC+7; a text date or date-time is read as the exports' dates are. A date-time
/// at exactly midnight is the start of its day, which a caller holding a `pd.Timestamp` of a
/// date rarely means: a warning says so.
pub(crate) fn cutoff(py: Python<'_>, v: &Bound<'_, PyAny>) -> PyResult<NaiveDateTime> {
    let t = if v.is_instance_of::<PyDateTime>() {
        civil_datetime(v)?
    } else if v.is_instance_of::<PyDate>() {
        return Ok(ReportOptions::end_of_day(v.extract::<NaiveDate>()?).as_of);
    } else if v.is_instance_of::<PyString>() {
        let s: String = v.extract()?;
        return match tthc_arrow::parse_time_text(&s) {
            Some((t, true)) => Ok(ReportOptions::end_of_day(t.date()).as_of),
            Some((t, false)) => Ok(t),
            None => Err(core(
                py,
                Error::InvalidArgument {
                    name: "as_of",
                    reason: format!("{s:?} is not a date or a date-time"),
                },
            )),
        };
    } else {
        return Err(PyTypeError::new_err(format!(
            "as_of must be a datetime.date, datetime.datetime or text date, not {}",
            v.get_type().name()?
        )));
    };
    let t = t.with_nanosecond(0).unwrap_or(t);
    if t.time() == chrono::NaiveTime::MIN {
        PyErr::warn(
            py,
            &py.get_type::<PyUserWarning>(),
            &std::ffi::CString::new(format!(
                "as_of={t} is midnight at the start of {}: nothing of that day counts. Pass the \
                 date itself (datetime.date) for the end of the day.",
                t.date()
            ))
            .unwrap_or_default(),
            2,
        )?;
    }
    Ok(t)
}

use chrono::Timelike;

/// A window bound: a date, or the civil (UTC+7) date of a date-time.
pub(crate) fn day(
    py: Python<'_>,
    name: &'static str,
    v: &Bound<'_, PyAny>,
) -> PyResult<Option<NaiveDate>> {
    if v.is_none() {
        return Ok(None);
    }
    if v.is_instance_of::<PyDateTime>() {
        return Ok(Some(civil_datetime(v)?.date()));
    }
    if v.is_instance_of::<PyDate>() {
        return Ok(Some(v.extract()?));
    }
    if v.is_instance_of::<PyString>() {
        let s: String = v.extract()?;
        return tthc_arrow::parse_time_text(&s)
            .map(|(t, _)| Some(t.date()))
            .ok_or_else(|| {
                core(
                    py,
                    Error::InvalidArgument {
                        name,
                        reason: format!("{s:?} is not a date"),
                    },
                )
            });
    }
    Err(PyTypeError::new_err(format!(
        "{name} must be a datetime.date, not {}",
        v.get_type().name()?
    )))
}

fn group(py: Python<'_>, v: &Bound<'_, PyAny>) -> PyResult<GroupBy> {
    if v.is_none() {
        Ok(GroupBy::Total)
    } else {
        parse(py, v)
    }
}

impl Options {
    /// Reads the keyword arguments of a `kind` call.
    pub(crate) fn from_kwargs(
        py: Python<'_>,
        kind: Kind,
        kwargs: Option<&Bound<'_, PyDict>>,
    ) -> PyResult<Self> {
        let accepted: Vec<&str> = COMMON
            .iter()
            .chain(match kind {
                Kind::Report => REPORT,
                Kind::Tally | Kind::Form => &[],
                Kind::Quality => QUALITY,
            })
            .copied()
            .collect();
        let mut given: HashMap<String, Bound<'_, PyAny>> = HashMap::new();
        if let Some(k) = kwargs {
            for (name, value) in k.iter() {
                let name: String = name.extract()?;
                if !accepted.contains(&name.as_str()) {
                    return Err(PyTypeError::new_err(format!(
                        "unexpected option {name:?}; the options are: {}",
                        accepted.join(", ")
                    )));
                }
                given.insert(name, value);
            }
        }
        let get = |name: &str| given.get(name).filter(|v| !v.is_none());
        let as_of = match get("as_of") {
            Some(v) => cutoff(py, v)?,
            None => return Err(PyTypeError::new_err("the as_of option is required")),
        };
        let mut classify = ClassifyOptions::default();
        if let Some(v) = get("comparison") {
            classify = classify.comparison(parse(py, v)?);
        }
        if let Some(v) = get("supplement_rule") {
            classify = classify.supplement_rule(parse(py, v)?);
        }
        if let Some(v) = get("due_date") {
            classify = classify.due_date(parse(py, v)?);
        }
        let start = match get("start") {
            Some(v) => day(py, "start", v)?,
            None => None,
        };
        let end = match get("end") {
            Some(v) => day(py, "end", v)?,
            None => None,
        };
        let (group_by, granularity) = match (kind, given.get("by")) {
            (Kind::Tally | Kind::Form, _) => (GroupBy::Total, None),
            (Kind::Report, None) => (GroupBy::Unit, Some(tthc_metrics::Granularity::Week)),
            (Kind::Quality, None) => (GroupBy::Unit, None),
            (_, Some(by)) => {
                if let Ok((k, g)) = by.extract::<(Bound<'_, PyAny>, Bound<'_, PyAny>)>() {
                    let granularity = if g.is_none() {
                        None
                    } else {
                        Some(parse(py, &g)?)
                    };
                    if kind == Kind::Quality && granularity.is_some() {
                        return Err(PyTypeError::new_err(
                            "the quality report has no periods: give by=key (\"unit\", \"procedure\", \"field\", \"channel\" or None)",
                        ));
                    }
                    (group(py, &k)?, granularity)
                } else if kind == Kind::Quality {
                    (group(py, by)?, None)
                } else {
                    return Err(PyTypeError::new_err(
                        "by must be a pair (key, granularity), e.g. (\"unit\", \"week\") or (None, \"month\")",
                    ));
                }
            }
        };
        let mut report = ReportOptions::new(as_of)
            .group_by(group_by)
            .granularity(granularity)
            .start(start)
            .end(end)
            .classify(classify);
        if let Some(v) = get("view") {
            report = report.view(parse(py, v)?);
        }
        if let Some(v) = get("on_error") {
            report = report.on_error(parse(py, v)?);
        }
        if let Some(v) = get("duplicates") {
            report = report.duplicates(parse(py, v)?);
        }
        if let Some(v) = get("memory_limit") {
            report = report.memory_limit(integer(py, "memory_limit", v)?);
        }
        let mut table = TableOptions::default();
        let (mut rate, mut online) = (table.rate_policy, table.online_policy);
        if let Some(v) = get("rate_policy") {
            rate = parse(py, v)?;
        }
        if let Some(v) = get("online_policy") {
            online = parse(py, v)?;
        }
        table = table.policies(rate, online);
        if let Some(v) = get("key") {
            table = table.with_key(v.extract()?);
        }
        if let Some(v) = get("labels") {
            let l: Labels = parse(py, v)?;
            table = table.labels(l);
        }
        let columns = match get("columns") {
            Some(v) => ColumnMap::new(v.extract::<HashMap<String, String>>()?)
                .map_err(|e| crate::errors::map_error(py, &e))?,
            None => ColumnMap::default(),
        };
        let mut vocabulary = Vocabulary::standard().clone();
        if let Some(v) = get("status_names") {
            for (name, status) in v.extract::<HashMap<String, Bound<'_, PyAny>>>()? {
                let s: Status = if status.is_instance_of::<PyInt>() {
                    Status::from_code(integer(py, "status_names", &status)?)
                        .map_err(|e| core(py, e))?
                } else {
                    parse(py, &status)?
                };
                vocabulary = vocabulary.status(&name, s);
            }
        }
        if let Some(v) = get("channel_names") {
            for (name, channel) in v.extract::<HashMap<String, Bound<'_, PyAny>>>()? {
                let c: Channel = if channel.is_instance_of::<PyInt>() {
                    Channel::from_code(integer(py, "channel_names", &channel)?)
                        .map_err(|e| core(py, e))?
                } else {
                    parse(py, &channel)?
                };
                vocabulary = vocabulary.channel(&name, c);
            }
        }
        if let Some(v) = get("online_service_names") {
            for (name, level) in v.extract::<HashMap<String, String>>()? {
                let l: OnlineService = level.parse().map_err(|e| core(py, e))?;
                vocabulary = vocabulary.online_service(&name, l);
            }
        }
        let calendar = match get("calendar") {
            Some(v) => Some(v.extract::<Py<PyCalendar>>()?),
            None => None,
        };
        let mut quality = QualityOptions::new(as_of)
            .start(start)
            .group_by(group_by)
            .comparison(classify.comparison)
            .memory_limit(report.memory_limit);
        quality.due_date = classify.due_date;
        quality.duplicates = report.duplicates;
        if let Some(v) = get("overdue_buckets") {
            quality = quality.overdue_buckets(
                v.extract::<Vec<Bound<'_, PyAny>>>()?
                    .iter()
                    .map(|e| integer(py, "overdue_buckets", e))
                    .collect::<PyResult<_>>()?,
            );
        }
        if let Some(v) = get("hanging_after_days") {
            quality = quality.hanging_after_days(integer(py, "hanging_after_days", v)?);
        }
        if let Some(v) = get("max_supplement_requests") {
            quality = quality.max_supplement_requests(integer(py, "max_supplement_requests", v)?);
        }
        if let Some(v) = get("max_returns") {
            quality = quality.max_returns(integer(py, "max_returns", v)?);
        }
        if let Some(v) = get("reception_hours") {
            quality.reception_hours = integer(py, "reception_hours", v)?;
        }
        let threads = match get("threads") {
            Some(v) => integer(py, "threads", v)?,
            None => 0,
        };
        Ok(Self {
            report,
            quality,
            table,
            columns,
            vocabulary,
            calendar,
            threads,
        })
    }
}
