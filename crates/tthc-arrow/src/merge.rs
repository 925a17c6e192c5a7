//! Partial report tables merged into the table of the whole: what a distributed engine does with
//! the partial reports of its partitions (Spark, Dask). Rows are summed exactly by (key,
//! period, roll-up) from their counts, and the rates are recomputed by the core from the summed
//! counts, never added.

use std::collections::HashMap;
use std::sync::Arc;

use arrow_array::cast::AsArray;
use arrow_array::types::{Date32Type, Int64Type};
use arrow_array::{Array, RecordBatch};
use tthc_metrics::{
    date_of_day, Error, Period, Report, ReportOptions, Row, Tally,
};

use crate::error::ArrowError;
use crate::output::{report_to_batch, Labels, TableOptions};

/// The metadata keys that describe the options of a report table (they must agree to merge).
const PROVENANCE: [&str; 13] = [
    "view",
    "group_by",
    "granularity",
    "as_of",
    "start",
    "end",
    "comparison",
    "supplement_rule",
    "due_date",
    "on_error",
    "duplicates",
    "rate_policy",
    "online_policy",
];

fn invalid(reason: String) -> ArrowError {
    ArrowError::Core(Error::InvalidArgument {
        name: "parts",
        reason,
    })
}

fn counts(batch: &RecordBatch, name: &str) -> Result<Vec<u64>, ArrowError> {
    let col = batch
        .column_by_name(name)
        .ok_or_else(|| invalid(format!("a part has no {name:?} column: not an English-labelled report table of this library")))?;
    let a = col
        .as_primitive_opt::<Int64Type>()
        .ok_or_else(|| invalid(format!("column {name:?} is {}, not int64", col.data_type())))?;
    a.iter()
        .map(|v| {
            v.and_then(|x| u64::try_from(x).ok())
                .ok_or_else(|| invalid(format!("column {name:?} holds a null or negative count")))
        })
        .collect()
}

/// The tallies of a report table's rows.
fn tallies(batch: &RecordBatch) -> Result<Vec<Tally>, ArrowError> {
    let n = batch.num_rows();
    let c = |name: &str| counts(batch, name);
    let fields = [
        "early",
        "on_time",
        "late",
        "within_due",
        "overdue",
        "awaiting_supplement",
        "awaiting_payment",
        "refused",
        "withdrawn",
        "stopped",
        "carried_over",
        "received_online",
        "received_direct",
        "received_post",
        "eligible",
        "eligible_online",
        "full_process_online",
        "synced",
    ];
    let cols: Vec<Vec<u64>> = fields.iter().map(|f| c(f)).collect::<Result<_, _>>()?;
    Ok((0..n)
        .map(|i| Tally {
            early: cols[0][i],
            on_time: cols[1][i],
            late: cols[2][i],
            within_due: cols[3][i],
            overdue: cols[4][i],
            awaiting_supplement: cols[5][i],
            awaiting_payment: cols[6][i],
            refused: cols[7][i],
            withdrawn: cols[8][i],
            stopped: cols[9][i],
            carried_over: cols[10][i],
            received_online: cols[11][i],
            received_direct: cols[12][i],
            received_post: cols[13][i],
            eligible: cols[14][i],
            eligible_online: cols[15][i],
            full_process_online: cols[16][i],
            synced: cols[17][i],
            ..Tally::default()
        })
        .collect())
}

/// Merges partial report tables (computed with `key: true`, English labels, the same options
/// and the same window start) into the table of the whole: rows with the same key and period
/// are summed, the label is the one of the part with the most dossiers in that row (the first
/// part among equals), and the rates come from the summed counts. The metadata's `inputs`,
/// `rejected` and `duplicates` add up.
///
/// # Errors
/// `Core(Mismatch)` when the parts were computed with different options or windows; an
/// invalid-argument error for a table that is not a report table with its `key` column.
///
/// # Example
/// ```
/// use tthc_arrow::{merge_report_batches, report_to_batch, TableOptions};
/// use tthc_metrics::{report, Dossier, ReportOptions, Status};
/// use chrono::NaiveDate;
/// let at = NaiveDate::from_ymd_opt(2023, 10, 2).unwrap().and_hms_opt(8, 0, 0).unwrap();
/// let o = ReportOptions::end_of_day(at.date()).start(Some(at.date()));
/// let t = TableOptions::default().with_key(true);
/// let a = report_to_batch(&report(&[Dossier::new("1", "UBND xã Đắk Sôr", at, Status::Processing)], &o).unwrap(), &t);
/// let b = report_to_batch(&report(&[Dossier::new("2", "UBND xa\u{303} Đắk Sôr", at, Status::Processing)], &o).unwrap(), &t);
/// let m = merge_report_batches(&[a, b]).unwrap();
/// assert_eq!(m.num_rows(), 1);
/// assert_eq!(m.schema().metadata()["inputs"], "2");
/// ```
pub fn merge_report_batches(parts: &[RecordBatch]) -> Result<RecordBatch, ArrowError> {
    let Some(first) = parts.first() else {
        return Err(invalid("no table to merge".into()));
    };
    let meta = |b: &RecordBatch, k: &str| b.schema().metadata().get(k).cloned().unwrap_or_default();
    for p in parts {
        for k in PROVENANCE {
            if meta(p, k) != meta(first, k) {
                return Err(ArrowError::Core(Error::Mismatch {
                    what: "report options",
                    left: format!("{k}={}", meta(first, k)),
                    right: format!("{k}={}", meta(p, k)),
                }));
            }
        }
    }
    let pairs: Vec<(String, String)> = PROVENANCE
        .iter()
        .map(|k| ((*k).to_string(), meta(first, k)))
        .collect();
    let options = ReportOptions::from_describe(&pairs)?;
    let table = TableOptions::default()
        .policies(
            meta(first, "rate_policy").parse()?,
            meta(first, "online_policy").parse()?,
        )
        .with_key(true)
        .labels(Labels::English);
    let key_col = options.group_by.column();
    let mut index: HashMap<(Option<String>, Option<Period>, bool), usize> = HashMap::new();
    let mut rows: Vec<(Row, u64)> = Vec::new(); // the row and its label's weight
    let (mut inputs, mut rejected, mut duplicates) = (0u64, 0u64, 0u64);
    let mut window: Option<(String, String)> = None;
    for p in parts {
        let sum = |k: &str| meta(p, k).parse::<u64>().unwrap_or(0);
        inputs += sum("inputs");
        rejected += sum("rejected");
        duplicates += sum("duplicate_rows");
        if p.num_rows() > 0 {
            let w = (meta(p, "window_start"), meta(p, "window_end"));
            match &window {
                Some(first) if *first != w => {
                    return Err(ArrowError::Core(Error::Mismatch {
                        what: "windows",
                        left: format!("{}..{}", first.0, first.1),
                        right: format!("{}..{}", w.0, w.1),
                    }))
                }
                _ => window = Some(w),
            }
        }
        let text = |name: &str| -> Result<Option<Vec<Option<String>>>, ArrowError> {
            let Some(c) = p.column_by_name(name) else {
                return Ok(None);
            };
            if !crate::text::is_text(c.data_type()) && *c.data_type() != arrow_schema::DataType::Null {
                return Err(invalid(format!("column {name:?} is not text")));
            }
            Ok(Some(
                (0..c.len())
                    .map(|i| crate::text::cell(c.as_ref(), i).map(std::borrow::Cow::into_owned))
                    .collect(),
            ))
        };
        let labels = match key_col {
            Some(k) => text(k)?.ok_or_else(|| invalid(format!("a part has no {k:?} column")))?,
            None => vec![None; p.num_rows()],
        };
        let keys = match key_col {
            Some(_) => text("key")?.ok_or_else(|| {
                invalid("a part has no \"key\" column: compute the parts with key=True".into())
            })?,
            None => vec![None; p.num_rows()],
        };
        let dates = |name: &str| -> Result<Vec<Option<i32>>, ArrowError> {
            let c = p
                .column_by_name(name)
                .ok_or_else(|| invalid(format!("a part has no {name:?} column")))?;
            let d = c
                .as_primitive_opt::<Date32Type>()
                .ok_or_else(|| invalid(format!("column {name:?} is not date32")))?;
            Ok(d.iter().collect())
        };
        let (starts, ends) = (dates("period_start")?, dates("period_end")?);
        let rollup: Vec<bool> = match p.column_by_name("rollup").map(|c| c.as_boolean_opt().cloned()) {
            Some(Some(b)) => b.iter().map(|v| v.unwrap_or(false)).collect(),
            _ => vec![false; p.num_rows()],
        };
        for (i, tally) in tallies(p)?.into_iter().enumerate() {
            let period = match (starts[i].and_then(date_of_day), ends[i].and_then(date_of_day)) {
                (Some(s), Some(e)) => Some(Period::new(s, e)?),
                _ => None,
            };
            let k = (keys[i].clone(), period, rollup[i]);
            let weight = tally.handled();
            match index.get(&k) {
                Some(&at) => {
                    let (row, best) = &mut rows[at];
                    row.tally = row.tally.checked_add(&tally)?;
                    if weight > *best {
                        row.group.clone_from(&labels[i]);
                        *best = weight;
                    }
                }
                None => {
                    index.insert(k, rows.len());
                    rows.push((
                        Row {
                            group: labels[i].clone(),
                            key: keys[i].clone(),
                            period,
                            tally,
                            rollup: rollup[i],
                        },
                        weight,
                    ));
                }
            }
        }
    }
    let mut rows: Vec<Row> = rows.into_iter().map(|(r, _)| r).collect();
    rows.sort_by(|a, b| (a.rollup, &a.key, a.period).cmp(&(b.rollup, &b.key, b.period)));
    let day = |s: &str| s.parse().ok();
    let (ws, we) = window
        .map(|(s, e)| (day(&s), day(&e)))
        .unwrap_or((None, None));
    let fallback = options.as_of.date();
    let report = Report {
        rows,
        rejected: Vec::new(),
        duplicates: Vec::new(),
        excluded: Tally::default(),
        inputs,
        window: Period::new(ws.unwrap_or(fallback), we.unwrap_or(fallback))?,
        options,
    };
    let batch = report_to_batch(&report, &table);
    let mut metadata = batch.schema().metadata().clone();
    metadata.insert("rejected".into(), rejected.to_string());
    metadata.insert("duplicate_rows".into(), duplicates.to_string());
    metadata.insert("merged_parts".into(), parts.len().to_string());
    let schema = Arc::new(batch.schema().as_ref().clone().with_metadata(metadata));
    Ok(batch.with_schema(schema).map_err(|e| invalid(e.to_string()))?)
}
