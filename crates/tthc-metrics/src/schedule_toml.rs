//! The TOML form of a schedule file: reading it into the [`schedule_model`] types (with messages
//! that say where, in which year table and which list entry, a value is wrong) and writing it
//! back. Shared by the crate (feature `formats`) and its build script.
//!
//! [`schedule_model`]: super::schedule_model

use std::fmt::Write as _;

use super::schedule_model::{DayOffEntry, Kind, Problem, WorkingEntry, YearEntry, Ymd};
use toml::{Table, Value};

fn parse_err(year: Option<i32>, message: impl Into<String>) -> Problem {
    Problem::Parse {
        year,
        message: message.into(),
    }
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "a string",
        Value::Integer(_) => "an integer",
        Value::Float(_) => "a float",
        Value::Boolean(_) => "a boolean",
        Value::Datetime(_) => "a date-time",
        Value::Array(_) => "an array",
        Value::Table(_) => "a table",
    }
}

/// A date: `"YYYY-MM-DD"` or a TOML local date (`2026-01-02`).
fn date(v: &Value, year: Option<i32>, at: &str) -> Result<Ymd, Problem> {
    let bad = || {
        parse_err(
            year,
            format!("{at}: {v} is not a date (expected \"YYYY-MM-DD\")"),
        )
    };
    match v {
        Value::String(s) => Ymd::parse(s).ok_or_else(bad),
        Value::Datetime(dt) => match (dt.date, dt.time, dt.offset) {
            (Some(d), None, None) => {
                Ymd::new(i32::from(d.year), u32::from(d.month), u32::from(d.day)).ok_or_else(bad)
            }
            _ => Err(bad()),
        },
        _ => Err(bad()),
    }
}

fn string(v: &Value, year: Option<i32>, at: &str) -> Result<String, Problem> {
    match v {
        Value::String(s) => Ok(s.clone()),
        other => Err(parse_err(
            year,
            format!("{at} must be a string, not {}", type_name(other)),
        )),
    }
}

fn check_keys(t: &Table, allowed: &[&str], year: Option<i32>, at: &str) -> Result<(), Problem> {
    match t.keys().find(|k| !allowed.contains(&k.as_str())) {
        Some(k) => Err(parse_err(
            year,
            format!(
                "{at}: unknown key `{k}`; expected one of: {}",
                allowed.join(", ")
            ),
        )),
        None => Ok(()),
    }
}

fn day_off(v: &Value, year: i32, at: &str) -> Result<DayOffEntry, Problem> {
    let y = Some(year);
    let Value::Table(t) = v else {
        return Ok(DayOffEntry {
            date: date(v, y, at)?,
            kind: None,
            name: None,
            name_en: None,
            in_lieu_of: None,
            worked: None,
        });
    };
    check_keys(
        t,
        &["date", "kind", "name", "name_en", "in_lieu_of", "worked"],
        y,
        at,
    )?;
    let date_v = t
        .get("date")
        .ok_or_else(|| parse_err(y, format!("{at}: a day-off table needs a `date`")))?;
    let kind = match t.get("kind") {
        None => None,
        Some(k) => {
            let code = string(k, y, &format!("{at}.kind"))?;
            Some(Kind::from_code(&code).ok_or_else(|| {
                parse_err(
                    y,
                    format!(
                        "{at}.kind: unknown kind {code:?}; expected one of: {}",
                        Kind::CODES.join(", ")
                    ),
                )
            })?)
        }
    };
    let opt_string = |key: &str| {
        t.get(key)
            .map(|v| string(v, y, &format!("{at}.{key}")))
            .transpose()
    };
    let opt_date = |key: &str| {
        t.get(key)
            .map(|v| date(v, y, &format!("{at}.{key}")))
            .transpose()
    };
    Ok(DayOffEntry {
        date: date(date_v, y, &format!("{at}.date"))?,
        kind,
        name: opt_string("name")?,
        name_en: opt_string("name_en")?,
        in_lieu_of: opt_date("in_lieu_of")?,
        worked: opt_date("worked")?,
    })
}

fn working_day(v: &Value, year: i32, at: &str) -> Result<WorkingEntry, Problem> {
    let y = Some(year);
    let Value::Table(t) = v else {
        return Ok(WorkingEntry {
            date: date(v, y, at)?,
            name: None,
            name_en: None,
        });
    };
    check_keys(t, &["date", "name", "name_en"], y, at)?;
    let date_v = t
        .get("date")
        .ok_or_else(|| parse_err(y, format!("{at}: a working-day table needs a `date`")))?;
    let opt_string = |key: &str| {
        t.get(key)
            .map(|v| string(v, y, &format!("{at}.{key}")))
            .transpose()
    };
    Ok(WorkingEntry {
        date: date(date_v, y, &format!("{at}.date"))?,
        name: opt_string("name")?,
        name_en: opt_string("name_en")?,
    })
}

fn list<'a>(t: &'a Table, key: &str, year: i32) -> Result<&'a [Value], Problem> {
    match t.get(key) {
        None => Ok(&[]),
        Some(Value::Array(a)) => Ok(a),
        Some(other) => Err(parse_err(
            Some(year),
            format!("`{key}` must be an array, not {}", type_name(other)),
        )),
    }
}

fn year_table(v: &Value, index: usize) -> Result<YearEntry, Problem> {
    let at = format!("[[year]] #{}", index + 1);
    let Value::Table(t) = v else {
        return Err(parse_err(None, format!("{at} must be a table")));
    };
    let year = match t.get("year") {
        Some(Value::Integer(y)) => i32::try_from(*y)
            .map_err(|_| parse_err(None, format!("{at}: `year` {y} is not a year")))?,
        Some(other) => {
            return Err(parse_err(
                None,
                format!("{at}: `year` must be an integer, not {}", type_name(other)),
            ))
        }
        None => return Err(parse_err(None, format!("{at} has no `year`"))),
    };
    let y = Some(year);
    check_keys(t, &["year", "source", "days_off", "working_days"], y, &at)?;
    let source = match t.get("source") {
        Some(v) => string(v, y, "`source`")?,
        None => {
            return Err(parse_err(
                y,
                "no `source`: name the notice that published the schedule",
            ))
        }
    };
    let days_off = list(t, "days_off", year)?
        .iter()
        .enumerate()
        .map(|(i, v)| day_off(v, year, &format!("days_off[{i}]")))
        .collect::<Result<_, _>>()?;
    let working_days = list(t, "working_days", year)?
        .iter()
        .enumerate()
        .map(|(i, v)| working_day(v, year, &format!("working_days[{i}]")))
        .collect::<Result<_, _>>()?;
    Ok(YearEntry {
        year,
        source,
        days_off,
        working_days,
    })
}

/// Reads a schedule file: `[[year]]` tables (see the crate's `Schedule`). Shape only: call
/// [`validate`](super::schedule_model::validate) on the result.
pub fn parse(text: &str) -> Result<Vec<YearEntry>, Problem> {
    let table: Table = text.parse().map_err(|e: toml::de::Error| {
        parse_err(None, e.to_string().trim_end().replace('\n', " | "))
    })?;
    check_keys(&table, &["year"], None, "the file")?;
    match table.get("year") {
        None => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .enumerate()
            .map(|(i, v)| year_table(v, i))
            .collect(),
        Some(other) => Err(parse_err(
            None,
            format!(
                "`year` must be an array of tables ([[year]]), not {}",
                type_name(other)
            ),
        )),
    }
}

/// A TOML basic string.
fn quote(s: &str) -> String {
    Value::String(s.to_owned()).to_string()
}

/// Writes year tables in the file format, one entry a line; [`parse`] reads it back equal.
pub fn write(years: &[YearEntry]) -> String {
    let mut out = String::new();
    for (i, y) in years.iter().enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let _ = writeln!(
            out,
            "[[year]]\nyear = {}\nsource = {}",
            y.year,
            quote(&y.source)
        );
        if !y.days_off.is_empty() {
            out.push_str("days_off = [\n");
            for d in &y.days_off {
                let plain = d.kind.is_none()
                    && d.name.is_none()
                    && d.name_en.is_none()
                    && d.in_lieu_of.is_none()
                    && d.worked.is_none();
                if plain {
                    let _ = writeln!(out, "    \"{}\",", d.date);
                    continue;
                }
                let _ = write!(out, "    {{ date = \"{}\"", d.date);
                if let Some(k) = d.kind {
                    let _ = write!(out, ", kind = \"{}\"", k.code());
                }
                if let Some(n) = &d.name {
                    let _ = write!(out, ", name = {}", quote(n));
                }
                if let Some(n) = &d.name_en {
                    let _ = write!(out, ", name_en = {}", quote(n));
                }
                if let Some(h) = d.in_lieu_of {
                    let _ = write!(out, ", in_lieu_of = \"{h}\"");
                }
                if let Some(w) = d.worked {
                    let _ = write!(out, ", worked = \"{w}\"");
                }
                out.push_str(" },\n");
            }
            out.push_str("]\n");
        }
        if !y.working_days.is_empty() {
            out.push_str("working_days = [\n");
            for w in &y.working_days {
                if w.name.is_none() && w.name_en.is_none() {
                    let _ = writeln!(out, "    \"{}\",", w.date);
                    continue;
                }
                let _ = write!(out, "    {{ date = \"{}\"", w.date);
                if let Some(n) = &w.name {
                    let _ = write!(out, ", name = {}", quote(n));
                }
                if let Some(n) = &w.name_en {
                    let _ = write!(out, ", name_en = {}", quote(n));
                }
                out.push_str(" },\n");
            }
            out.push_str("]\n");
        }
    }
    out
}
