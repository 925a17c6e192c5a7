//! The preparation stage: every front end's columns become one validated table, once.
//!
//! [`prepare`] resolves the due date in force (the original appointment, the apology's new date,
//! or one computed on a working-day calendar from the procedure's duration), finds repeated
//! dossier ids, validates every row with the one rule (`validate`), names each rejected row with
//! its dossier id, and finds the earliest valid reception (the default window start). Every
//! report, tally and quality report reads a [`Prepared`] table: what the kernel sees is valid.

use std::sync::atomic::AtomicBool;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::budget::{thousands, MemoryBudget};
use crate::calendar::{Calendar, TimeLimit};
use crate::classify::{local_seconds, DueDateChoice, DAY};
use crate::columnar::codes::Codes;
use crate::columnar::duplicates::{self, Duplicate, DuplicatePolicy};
use crate::columnar::table::Columns;
use crate::columnar::time::{screen_unit, TimeColumn, Validity, NONE, NO_DAY};
use crate::dossier::{StatusGroup, GROUP_OF_CODE};
use crate::error::{Error, RejectReason, Rejection, Result};
use crate::period::date_of_day;
use crate::report::OnError;
use crate::validate::{check, may_fail, may_fail_instants, Problem};

/// Rows validated at a time.
const BLOCK: usize = 4096;
/// Bytes a row of a resolved (owned) due column takes: the instant and its validity bit.
const OWNED_TIME_ROW_BYTES: u64 = 9;
/// Bytes the repeated-id search holds a row (hash table entry).
const DUPLICATE_ROW_BYTES: u64 = 40;

/// What preparation needs to know.
///
/// # Example
/// ```
/// use tthc_metrics::{DueDateChoice, ReportOptions};
/// use tthc_metrics::columnar::PrepareOptions;
/// let o = ReportOptions::end_of_day(chrono::NaiveDate::from_ymd_opt(2023, 10, 16).unwrap());
/// let p = PrepareOptions::from(&o);
/// assert_eq!(p.due_date, DueDateChoice::Original);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct PrepareOptions {
    /// Original (default) or rescheduled due date.
    pub due_date: DueDateChoice,
    /// Raise on the first bad row (default) or leave bad rows out and list them.
    pub on_error: OnError,
    /// Which row of a repeated dossier id counts.
    pub duplicates: DuplicatePolicy,
}

impl Default for PrepareOptions {
    fn default() -> Self {
        Self {
            due_date: DueDateChoice::Original,
            on_error: OnError::Raise,
            duplicates: DuplicatePolicy::MostAdvanced,
        }
    }
}

impl From<&crate::report::ReportOptions> for PrepareOptions {
    fn from(o: &crate::report::ReportOptions) -> Self {
        Self {
            due_date: o.classify.due_date,
            on_error: o.on_error,
            duplicates: o.duplicates,
        }
    }
}

/// A due column resolved by preparation (owned local seconds and their validity bits).
#[derive(Debug, Clone, Default)]
struct OwnedTimes {
    values: Vec<i64>,
    valid: Vec<u8>,
}

impl OwnedTimes {
    fn new(n: usize) -> Self {
        Self {
            values: vec![0; n],
            valid: vec![0; n.div_ceil(8)],
        }
    }

    fn set(&mut self, i: usize, t: i64) {
        self.values[i] = t;
        self.valid[i / 8] |= 1 << (i % 8);
    }

    fn column(&self) -> TimeColumn<'_> {
        TimeColumn::local(&self.values).with_validity(Some(Validity::new(&self.valid, 0)), false)
    }
}

/// A validated table: the front end's chunks with the due date in force resolved, the rows left
/// out (rejected, repeated) and why, and the earliest valid reception.
///
/// Conservation: `inputs = rejected + duplicates + rows every report counts` (counted in a row
/// or in its excluded tally).
///
/// # Example
/// see [`prepare`].
#[derive(Debug)]
pub struct Prepared<'a> {
    chunks: Vec<Columns<'a>>,
    due: Vec<Option<OwnedTimes>>,
    finished: Vec<Option<OwnedTimes>>,
    skip: Vec<Vec<usize>>,
    rejected: Vec<Rejection>,
    duplicates: Vec<Duplicate>,
    earliest_day: Option<i32>,
    inputs: u64,
    options: PrepareOptions,
}

impl Prepared<'_> {
    /// The chunks as the kernel reads them: the due date in force, every row left out in `skip`.
    ///
    /// # Example
    /// see [`prepare`].
    pub fn columns(&self) -> Vec<Columns<'_>> {
        self.chunks
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let due = self.due[k].as_ref().map_or(c.due, OwnedTimes::column);
                let finished = self.finished[k]
                    .as_ref()
                    .map_or(c.finished, OwnedTimes::column);
                c.resolved(due, finished, &self.skip[k])
            })
            .collect()
    }

    /// The rejected rows (upstream and found here), by row.
    ///
    /// # Example
    /// see [`prepare`].
    pub fn rejected(&self) -> &[Rejection] {
        &self.rejected
    }

    /// The rows left out as repeats of another row's dossier id, by row.
    ///
    /// # Example
    /// see [`prepare`].
    pub fn duplicates(&self) -> &[Duplicate] {
        &self.duplicates
    }

    /// Number of input rows.
    ///
    /// # Example
    /// see [`prepare`].
    pub fn inputs(&self) -> u64 {
        self.inputs
    }

    /// The earliest reception date among the rows not left out (the default window start).
    ///
    /// # Example
    /// see [`prepare`].
    pub fn earliest_reception(&self) -> Option<NaiveDate> {
        self.earliest_day.and_then(date_of_day)
    }

    /// The options it was prepared with.
    ///
    /// # Example
    /// see [`prepare`].
    pub fn options(&self) -> &PrepareOptions {
        &self.options
    }
}

/// A time as text for messages: `2023-10-05 09:00:00`.
pub(crate) fn fmt_seconds(s: i64) -> String {
    if s == NONE {
        return String::new();
    }
    chrono::DateTime::from_timestamp(s, 0)
        .map_or_else(|| s.to_string(), |t| t.naive_utc().to_string())
}

fn time_at(c: &TimeColumn<'_>, i: usize) -> i64 {
    if c.len() > i {
        c.local_seconds(i).unwrap_or(NONE)
    } else {
        NONE
    }
}

/// Prepares a table for reporting (see the module docs). `upstream` lists the rows the front end
/// rejected while decoding (rows across chunks, each also in its chunk's `skip`); `calendar`,
/// when given, computes the due date of rows without one that have a `duration_days`
/// ([`Calendar::due_at`] with that many working days: the close of office on that day).
///
/// # Errors
/// [`Error::InvalidArgument`] for inconsistent columns; under [`OnError::Raise`] the first
/// rejected row (lowest row) as [`Error::Rejected`]; [`Error::MemoryLimit`].
///
/// # Example
/// ```
/// use tthc_metrics::{MemoryBudget, NameTable, RejectReason, Status};
/// use tthc_metrics::columnar::{prepare, Columns, Names, PrepareOptions, TimeColumn};
/// use tthc_metrics::OnError;
/// const D: i64 = 86_400;
/// let received = [19_631 * D, 19_640 * D, 19_641 * D];
/// let finished = [19_635 * D, 19_630 * D, 0];
/// let fin_valid = [0b011u8];
/// let status = [10u8, 10, 4];
/// let ids = vec!["H1".to_string(), "H2".to_string(), "H1".to_string()];
/// let units = NameTable::from_labels(["Phòng Y tế"]);
/// let codes = [1u32; 3];
/// let cols = Columns::builder(TimeColumn::local(&received), (&status).into())
///     .finished(TimeColumn::local(&finished).with_validity(Some(tthc_metrics::columnar::Validity::new(&fin_valid, 0)), false))
///     .unit(Names::new((&codes).into(), &units))
///     .dossier_id(&ids)
///     .build().unwrap();
/// let mut options = PrepareOptions::default();
/// options.on_error = OnError::Skip;
/// let p = prepare(&[cols], Vec::new(), &options, None, &mut MemoryBudget::new(1 << 20)).unwrap();
/// // H2 finished before it was received; H1's row 2 (processing) repeats row 0 (returned)
/// assert_eq!(p.rejected()[0].reason, RejectReason::FinishedBeforeReceived);
/// assert_eq!(p.rejected()[0].dossier_id, "H2");
/// assert_eq!((p.duplicates()[0].row, p.duplicates()[0].kept), (2, 0));
/// assert_eq!(p.earliest_reception(), chrono::NaiveDate::from_ymd_opt(2023, 10, 1));
/// assert_eq!(p.columns()[0].skip, [1, 2]);
/// ```
pub fn prepare<'a>(
    chunks: &[Columns<'a>],
    upstream: Vec<Rejection>,
    options: &PrepareOptions,
    calendar: Option<&Calendar>,
    budget: &mut MemoryBudget,
) -> Result<Prepared<'a>> {
    prepare_with(chunks, upstream, options, calendar, budget, |_, _, _| None)
}

/// A chunk as a screen run outside preparation reads it (the fused kernel, which screens and
/// counts in one read of the times): its columns with the due date and end in force, and the
/// rows left out before validation.
pub(crate) struct ScreenChunk<'c> {
    /// The chunk, with the due date and the end in force (`skip`: the front end's rejections).
    pub cols: Columns<'c>,
    /// Rows of the chunk left out before validation, sorted: the front end's rejections,
    /// repeated dossier ids, due dates that cannot be computed. A block holding one is
    /// screened again here, row by row.
    pub excluded: Vec<usize>,
}

/// The result of screening every block of every chunk, in order (chunk, then row, blocks of
/// [`SCREEN_BLOCK`] rows).
#[derive(Debug, Clone, Default)]
pub(crate) struct BlockScreen {
    /// For each block: whether it must be looked at row by row, and the earliest reception (in
    /// the chunk's common tick unit) among its rows that pass (and are not in `except`).
    pub blocks: Vec<(bool, i64)>,
    /// Blocks not to be looked at row by row but for a few rows (block index, rows from the
    /// block's first, ascending), by block: rows that may fail or are left out. The fused pass
    /// counted the block's other rows; preparation looks at these with the rule, and the kernel
    /// counts those that pass afterwards.
    pub except: Vec<(usize, Vec<u16>)>,
}

/// Rows a block of the screen holds.
pub(crate) const SCREEN_BLOCK: usize = BLOCK;

/// [`prepare`] with the screen of the blocks given by `screen` when it returns one (called once,
/// with the chunks, the threads to use and the cancel flag, unless the first bad row is known
/// already): the fused kernel screens as it counts.
#[allow(clippy::too_many_lines)] // one pass, kept whole so the block loop stays readable
#[allow(clippy::trivially_copy_pass_by_ref)] // the signature of `prepare`
pub(crate) fn prepare_with<'a, F>(
    chunks: &[Columns<'a>],
    upstream: Vec<Rejection>,
    options: &PrepareOptions,
    calendar: Option<&Calendar>,
    budget: &mut MemoryBudget,
    screen: F,
) -> Result<Prepared<'a>>
where
    F: FnOnce(&[ScreenChunk<'_>], usize, Option<&AtomicBool>) -> Option<BlockScreen>,
{
    for c in chunks {
        c.check()?;
    }
    let inputs: usize = chunks.iter().map(Columns::len).sum();
    if u32::try_from(inputs).is_err() {
        // the kernel's counters are u32: split larger inputs and merge the tallies
        return Err(Error::InvalidArgument {
            name: "input",
            reason: format!(
                "{inputs} rows is more than one report counts ({}); report on parts and merge their tallies",
                u32::MAX
            ),
        });
    }
    let raise = options.on_error == OnError::Raise;
    let mut upstream = upstream;
    upstream.sort_by_key(|r| r.row);
    // under raise, the error is the lowest bad row: validation need not look past the first
    // row the front end rejected
    let stop_at = if raise {
        upstream.first().map_or(inputs, |r| r.row)
    } else {
        inputs
    };

    // repeated dossier ids (among the rows the front end kept)
    if options.duplicates != DuplicatePolicy::KeepAll
        && chunks.iter().any(|c| c.dossier_id.is_some())
    {
        budget.reserve(
            || {
                format!(
                    "the search for repeated dossier ids ({} rows)",
                    thousands(inputs as u64)
                )
            },
            inputs as u64 * DUPLICATE_ROW_BYTES,
            "give duplicates=\"keep_all\" if every row is one dossier, or raise the memory limit",
        )?;
    }
    let duplicates = duplicates::find(chunks, options.duplicates, budget.threads(inputs));
    if options.duplicates != DuplicatePolicy::KeepAll
        && chunks.iter().any(|c| c.dossier_id.is_some())
    {
        budget.release(inputs as u64 * DUPLICATE_ROW_BYTES);
    }
    budget.reserve_rejections(duplicates.len() as u64)?;

    // the due date in force, where it is not the due column as given
    let mut due: Vec<Option<OwnedTimes>> = Vec::with_capacity(chunks.len());
    let mut computed_bad: Vec<Vec<usize>> = Vec::with_capacity(chunks.len());
    for cols in chunks {
        let rescheduled =
            options.due_date == DueDateChoice::Rescheduled && !cols.rescheduled_due.is_empty();
        let computed = calendar.is_some() && cols.duration_days.is_some();
        let mut bad = Vec::new();
        if !(rescheduled || computed) {
            due.push(None);
            computed_bad.push(bad);
            continue;
        }
        let n = cols.len();
        budget.reserve(
            || format!("the due dates in force of {} rows", thousands(n as u64)),
            n as u64 * OWNED_TIME_ROW_BYTES,
            "raise the memory limit, or report on parts of the table",
        )?;
        let mut owned = OwnedTimes::new(n);
        for i in 0..n {
            let mut t = time_at(&cols.due, i);
            if rescheduled {
                let r = time_at(&cols.rescheduled_due, i);
                if r != NONE {
                    t = r;
                }
            }
            if t == NONE {
                if let (Some(cal), Some(days)) = (calendar, cols.duration_days.and_then(|d| d[i])) {
                    let received = time_at(&cols.received, i);
                    if received != NONE {
                        let at = chrono::DateTime::from_timestamp(received, 0)
                            .map(|t| t.naive_utc())
                            .map(|r| cal.due_at(r, TimeLimit::WorkingDays(days)));
                        match at {
                            Some(Ok(d)) => t = local_seconds(d),
                            // outside the calendar's range: the due date cannot be computed
                            _ => bad.push(i),
                        }
                    }
                }
            }
            if t != NONE {
                owned.set(i, t);
            }
        }
        due.push(Some(owned));
        computed_bad.push(bad);
    }

    // the end of processing in force: the result's return where no end is recorded
    let mut finished: Vec<Option<OwnedTimes>> = Vec::with_capacity(chunks.len());
    for cols in chunks {
        if cols.returned.is_empty() {
            finished.push(None);
            continue;
        }
        let n = cols.len();
        budget.reserve(
            || format!("the ends of processing of {} rows", thousands(n as u64)),
            n as u64 * OWNED_TIME_ROW_BYTES,
            "raise the memory limit, or report on parts of the table",
        )?;
        let mut owned = OwnedTimes::new(n);
        for i in 0..n {
            let t = match time_at(&cols.finished, i) {
                NONE => time_at(&cols.returned, i),
                t => t,
            };
            if t != NONE {
                owned.set(i, t);
            }
        }
        finished.push(Some(owned));
    }

    // validation, a block at a time: the screen, then the rule on the rows it does not pass.
    // The screen compares local instants in the columns' common unit (no division a value);
    // columns without one (a unit that does not divide the others) are screened on days. On a
    // large input the screen of every block runs first on all cores; the pass in row order then
    // looks again only at the blocks with a row flagged or left out.
    let screens: Vec<ChunkScreen<'_>> = chunks
        .iter()
        .enumerate()
        .map(|(c, cols)| {
            ChunkScreen::new(
                cols,
                due[c].as_ref().map_or(cols.due, OwnedTimes::column),
                finished[c]
                    .as_ref()
                    .map_or(cols.finished, OwnedTimes::column),
            )
        })
        .collect();
    // the first row of each chunk
    let starts = Columns::starts(chunks);
    let given = if stop_at == inputs {
        let screen_chunks: Vec<ScreenChunk<'_>> = screens
            .iter()
            .enumerate()
            .map(|(c, sc)| {
                let (lo, hi) = (starts[c], starts[c] + sc.cols.len());
                let mut excluded: Vec<usize> = sc.cols.skip.to_vec();
                excluded.extend(computed_bad[c].iter().copied());
                // repeats are listed by row
                let from = duplicates.partition_point(|d| d.row < lo);
                let to = duplicates.partition_point(|d| d.row < hi);
                excluded.extend(duplicates[from..to].iter().map(|d| d.row - lo));
                excluded.sort_unstable();
                ScreenChunk {
                    cols: sc.cols.resolved(sc.due, sc.finished, sc.cols.skip),
                    excluded,
                }
            })
            .collect();
        screen(&screen_chunks, budget.threads(inputs), budget.cancel_flag())
    } else {
        None
    };
    let pre = match given {
        Some(pre) => pre,
        None => BlockScreen {
            blocks: screen_in_parallel(&screens, budget.threads(inputs), budget.cancel_flag()),
            except: Vec::new(),
        },
    };
    let mut except_at = 0usize;
    // one row's status code and unit code, for the rows of `except`
    let mut one_status = [0u8; 1];
    let mut one_unit = [0u32; 1];
    let mut found: Vec<(usize, usize, Problem)> = Vec::new(); // (chunk, row, problem)
    let mut earliest_day = i32::MAX;
    let mut dup_at = 0usize;
    let mut global = 0usize;
    let mut bufs = ScreenBuffers::new();
    let mut block_index = 0usize;
    'chunks: for (c, cols) in chunks.iter().enumerate() {
        let screen = &screens[c];
        let (due_col, finished_col) = (screen.due, screen.finished);
        let (unit, lo_tick, hi_tick, per_day) =
            (screen.unit, screen.lo_tick, screen.hi_tick, screen.per_day);
        let mut lo = 0;
        let mut up = 0usize;
        let mut bad_due = computed_bad[c].iter().peekable();
        while lo < cols.len() {
            budget.check_cancel()?;
            let len = BLOCK.min(cols.len() - lo);
            let k = block_index;
            block_index += 1;
            let block_end = lo + len;
            let block_stops = global + block_end > stop_at;
            let block_excludes = cols.skip.get(up).is_some_and(|&r| r < block_end)
                || duplicates
                    .get(dup_at)
                    .is_some_and(|d| d.row < global + block_end)
                || bad_due.peek().is_some_and(|&&r| r < block_end);
            while pre.except.get(except_at).is_some_and(|e| e.0 < k) {
                except_at += 1;
            }
            // a block the fused pass counted but for a few rows: only those are looked at
            let listed = match (pre.blocks.get(k), pre.except.get(except_at)) {
                (Some(&(false, _)), Some((b, rows))) if *b == k && !block_stops => {
                    Some(rows.as_slice())
                }
                _ => None,
            };
            let (flagged, block_min) = match pre.blocks.get(k) {
                Some(&(false, m)) if !block_stops && (!block_excludes || listed.is_some()) => {
                    (false, m)
                }
                _ => screen.block(lo, len, &mut bufs),
            };
            if listed.is_some() && block_min != i64::MAX {
                earliest_day = earliest_day.min(block_min.div_euclid(per_day) as i32);
            }
            if unit.is_some() && !block_stops && !block_excludes && !flagged && listed.is_none() {
                // the usual block: every row passes the screen, none is left out
                if block_min != i64::MAX {
                    earliest_day = earliest_day.min(block_min.div_euclid(per_day) as i32);
                }
                lo += len;
                continue;
            }
            let ScreenBuffers {
                status,
                inst,
                days,
                flag,
                unit_codes,
            } = &bufs;
            let rows = listed.map_or(len, <[u16]>::len);
            for x in 0..rows {
                let j = listed.map_or(x, |r| usize::from(r[x]));
                let i = lo + j;
                let g = global + i;
                if g >= stop_at {
                    break 'chunks;
                }
                // rows the front end rejected, and repeats: not validated
                while cols.skip.get(up).is_some_and(|&r| r < i) {
                    up += 1;
                }
                if cols.skip.get(up) == Some(&i) {
                    continue;
                }
                while duplicates.get(dup_at).is_some_and(|d| d.row < g) {
                    dup_at += 1;
                }
                if duplicates.get(dup_at).is_some_and(|d| d.row == g) {
                    continue;
                }
                while bad_due.peek().is_some_and(|&&r| r < i) {
                    bad_due.next();
                }
                let is_bad_due = bad_due.peek() == Some(&&i);
                if is_bad_due {
                    bad_due.next();
                }
                // the day of the row's seconds (near or past the range's edges, or not screened
                // here)
                let day_of_seconds = || {
                    let s = time_at(&cols.received, i);
                    if s == NONE {
                        NO_DAY
                    } else {
                        s.div_euclid(DAY).clamp(-(1 << 30), 1 << 30) as i32
                    }
                };
                let received_day = |j: usize| match unit {
                    _ if listed.is_some() => day_of_seconds(),
                    Some(_) => {
                        let r = inst[0][j];
                        if (lo_tick..=hi_tick).contains(&r) {
                            r.div_euclid(per_day) as i32
                        } else {
                            day_of_seconds()
                        }
                    }
                    None => days[0][j],
                };
                // a listed row is read from its columns (the block was not screened here), and
                // looked at with the rule
                let (code, unit_code, row_flagged) = if listed.is_some() {
                    cols.status.fill_block(i, &mut one_status, 255);
                    if let Some(u) = cols.unit {
                        u.codes().fill_block(i, &mut one_unit, 0);
                    }
                    (one_status[0], one_unit[0], true)
                } else {
                    (status[j], unit_codes[j], flag[j])
                };
                if !row_flagged && !is_bad_due {
                    if (crate::validate::MIN_DAY..=crate::validate::MAX_DAY)
                        .contains(&received_day(j))
                    {
                        earliest_day = earliest_day.min(received_day(j));
                    }
                    continue;
                }
                let group = GROUP_OF_CODE[code as usize];
                let problem = if group == 0 {
                    Some(Problem {
                        field: "status",
                        value: NONE,
                        reason: if code == 0 {
                            RejectReason::Missing
                        } else {
                            RejectReason::UnknownStatus
                        },
                    })
                } else if cols.unit.is_some()
                    && unit_code == 0
                    && group != StatusGroup::NeverReceived as u8
                {
                    Some(Problem {
                        field: "unit",
                        value: NONE,
                        reason: RejectReason::Missing,
                    })
                } else if is_bad_due {
                    Some(Problem {
                        field: "received_at",
                        value: time_at(&cols.received, i),
                        reason: RejectReason::OutOfRange,
                    })
                } else {
                    let due_field = if due[c].is_some()
                        && options.due_date == DueDateChoice::Rescheduled
                        && time_at(&cols.rescheduled_due, i) != NONE
                    {
                        "rescheduled_due_at"
                    } else {
                        "due_at"
                    };
                    check(
                        time_at(&cols.received, i),
                        time_at(&due_col, i),
                        due_field,
                        time_at(&finished_col, i),
                        group_of(group),
                    )
                };
                match problem {
                    Some(p) => {
                        found.push((c, i, p));
                        if raise {
                            break 'chunks;
                        }
                    }
                    // the default window starts at the earliest reception of any row that is
                    // counted or excluded (a never-received one too, when it has a date in range)
                    None if (crate::validate::MIN_DAY..=crate::validate::MAX_DAY)
                        .contains(&received_day(j)) =>
                    {
                        earliest_day = earliest_day.min(received_day(j));
                    }
                    None => {}
                }
            }
            lo += len;
        }
        global += cols.len();
    }
    budget.reserve_rejections(found.len() as u64)?;
    let mut rejected = upstream;
    for &(c, i, p) in &found {
        rejected.push(rejection(chunks, &starts, c, i, p));
    }
    if raise {
        if let Some(first) = rejected.into_iter().min_by_key(|r| r.row) {
            return Err(first.into());
        }
        rejected = Vec::new();
    }
    rejected.sort_by_key(|r| r.row);

    // every row left out, per chunk
    let mut skip: Vec<Vec<usize>> = chunks.iter().map(|c| c.skip.to_vec()).collect();
    for &(c, i, _) in &found {
        skip[c].push(i);
    }
    for d in &duplicates {
        let c = starts.partition_point(|&s| s <= d.row) - 1;
        skip[c].push(d.row - starts[c]);
    }
    let skipped_rows: usize = skip.iter().map(Vec::len).sum();
    budget.reserve(
        || format!("the list of {} rows left out", thousands(skipped_rows as u64)),
        skipped_rows as u64 * 8,
        "check the column mapping and the input's encoding (most rows are rejected), or raise the memory limit",
    )?;
    for s in &mut skip {
        s.sort_unstable();
        s.dedup();
    }
    Ok(Prepared {
        chunks: chunks.to_vec(),
        due,
        finished,
        skip,
        rejected,
        duplicates,
        earliest_day: (earliest_day != i32::MAX).then_some(earliest_day),
        inputs: inputs as u64,
        options: *options,
    })
}

fn group_of(code: u8) -> StatusGroup {
    match code {
        1 => StatusGroup::NeverReceived,
        3 => StatusGroup::Supplement,
        4 => StatusGroup::Payment,
        5 => StatusGroup::Finished,
        6 => StatusGroup::Withdrawn,
        7 => StatusGroup::Stopped,
        8 => StatusGroup::Refused,
        _ => StatusGroup::Processing,
    }
}

/// The rejection of row `i` of chunk `c`: its dossier id, the field's value as text.
fn rejection(
    chunks: &[Columns<'_>],
    starts: &[usize],
    c: usize,
    i: usize,
    p: Problem,
) -> Rejection {
    let cols = &chunks[c];
    let id = cols
        .dossier_id
        .and_then(|ids| ids.text(i))
        .map(std::borrow::Cow::into_owned)
        .unwrap_or_default();
    let value = match p.field {
        "status" => raw_code(&cols.status, i),
        _ => fmt_seconds(p.value),
    };
    Rejection::new(
        starts[c] + i,
        id,
        cols.column_name(p.field),
        value,
        p.reason,
    )
}

fn raw_code(codes: &Codes<'_, u8>, i: usize) -> String {
    codes
        .values()
        .get(i)
        .map(|v| v.to_string())
        .unwrap_or_default()
}

/// The default day a window starts: the earliest valid reception, or `fallback`.
pub(crate) fn window_start_day(p: &Prepared<'_>, fallback: i32) -> i32 {
    p.earliest_day.map_or(fallback, |d| d.min(fallback))
}

/// The buffers of one block's screen.
struct ScreenBuffers {
    status: Vec<u8>,
    inst: [Vec<i64>; 3],
    days: [Vec<i32>; 3],
    flag: Vec<bool>,
    unit_codes: Vec<u32>,
}

impl ScreenBuffers {
    fn new() -> Self {
        Self {
            status: vec![0; BLOCK],
            inst: [vec![0; BLOCK], vec![0; BLOCK], vec![0; BLOCK]],
            days: [vec![0; BLOCK], vec![0; BLOCK], vec![0; BLOCK]],
            flag: vec![false; BLOCK],
            unit_codes: vec![0; BLOCK],
        }
    }
}

/// What the screen of one chunk reads: its columns, the due date and end in force, and the
/// common unit of its instants (`None`: screened on days).
struct ChunkScreen<'c> {
    cols: &'c Columns<'c>,
    due: TimeColumn<'c>,
    finished: TimeColumn<'c>,
    unit: Option<i64>,
    lo_tick: i64,
    hi_tick: i64,
    per_day: i64,
}

impl<'c> ChunkScreen<'c> {
    fn new(cols: &'c Columns<'c>, due: TimeColumn<'c>, finished: TimeColumn<'c>) -> Self {
        let unit = screen_unit(&[&cols.received, &due, &finished]);
        let (lo_tick, hi_tick, per_day) = unit.map_or((0, 0, 1), |u| {
            (
                (crate::validate::MIN_SECONDS + DAY) * u,
                (crate::validate::MAX_SECONDS - DAY) * u,
                DAY * u,
            )
        });
        Self {
            cols,
            due,
            finished,
            unit,
            lo_tick,
            hi_tick,
            per_day,
        }
    }

    /// Screens rows `lo..lo + len` into `b`: whether any row is flagged (for the rule), and the
    /// earliest reception (in the common unit's ticks) of the rows passed.
    #[allow(clippy::needless_bitwise_bool)] // branch-free on purpose
    fn block(&self, lo: usize, len: usize, b: &mut ScreenBuffers) -> (bool, i64) {
        let cols = self.cols;
        let never = StatusGroup::NeverReceived as u8;
        cols.status.fill_block(lo, &mut b.status[..len], 255);
        let has_unit = cols.unit.is_some();
        if let Some(u) = cols.unit {
            u.codes().fill_block(lo, &mut b.unit_codes[..len], 0);
        }
        let mut block_min = i64::MAX;
        if let Some(u) = self.unit {
            cols.received
                .fill_screen(lo, &mut b.inst[0][..len], u, false);
            self.due.fill_screen(lo, &mut b.inst[1][..len], u, true);
            self.finished
                .fill_screen(lo, &mut b.inst[2][..len], u, true);
            let (r, d, f) = (&b.inst[0][..len], &b.inst[1][..len], &b.inst[2][..len]);
            let (lo_tick, hi_tick) = (self.lo_tick, self.hi_tick);
            for j in 0..len {
                let g = GROUP_OF_CODE[b.status[j] as usize];
                let unit_missing = has_unit & (b.unit_codes[j] == 0) & (g != never);
                // a reception near or past the range's edges is looked at row by row, as the
                // fused screen does (`kernel::fused`): a never-received row passes the rule, and
                // its day, read from its seconds, may still start the default window
                let in_range = (r[j] >= lo_tick) & (r[j] <= hi_tick);
                let fail = unit_missing
                    | may_fail_instants(g, r[j], d[j], f[j], lo_tick, hi_tick)
                    | ((r[j] != NONE) & !in_range);
                b.flag[j] = fail;
                let candidate = if !fail & in_range { r[j] } else { i64::MAX };
                block_min = block_min.min(candidate);
            }
        } else {
            cols.received.fill_days(lo, &mut b.days[0][..len]);
            self.due.fill_days(lo, &mut b.days[1][..len]);
            self.finished.fill_days(lo, &mut b.days[2][..len]);
            for j in 0..len {
                let g = GROUP_OF_CODE[b.status[j] as usize];
                let unit_missing = has_unit & (b.unit_codes[j] == 0) & (g != never);
                b.flag[j] =
                    unit_missing | may_fail(g, b.days[0][j], b.days[1][j], b.days[2][j], NO_DAY);
            }
        }
        (b.flag[..len].contains(&true), block_min)
    }
}

/// The screen of every block of `screens` (in order: chunk, then row), on `threads` threads;
/// empty when one thread would do it (the pass in row order screens as it goes) or when
/// cancelled (the pass then stops at its first check).
fn screen_in_parallel(
    screens: &[ChunkScreen<'_>],
    threads: usize,
    cancel: Option<&std::sync::atomic::AtomicBool>,
) -> Vec<(bool, i64)> {
    let blocks: Vec<(usize, usize, usize)> = screens
        .iter()
        .enumerate()
        .flat_map(|(c, s)| {
            let n = s.cols.len();
            (0..n)
                .step_by(BLOCK)
                .map(move |lo| (c, lo, BLOCK.min(n - lo)))
        })
        .collect();
    if threads < 2 || blocks.len() < 2 {
        return Vec::new();
    }
    let per = blocks.len().div_ceil(threads);
    let cancelled = || cancel.is_some_and(|c| c.load(std::sync::atomic::Ordering::Relaxed));
    let parts: Vec<Vec<(bool, i64)>> = std::thread::scope(|s| {
        let handles: Vec<_> = blocks
            .chunks(per)
            .map(|part| {
                s.spawn(move || {
                    let mut b = ScreenBuffers::new();
                    let mut out = Vec::with_capacity(part.len());
                    for &(c, lo, len) in part {
                        if cancelled() {
                            break;
                        }
                        // blocks screened on days always take the pass in row order
                        out.push(if screens[c].unit.is_some() {
                            screens[c].block(lo, len, &mut b)
                        } else {
                            (true, i64::MAX)
                        });
                    }
                    out
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    if parts.iter().map(Vec::len).sum::<usize>() < blocks.len() {
        return Vec::new();
    }
    parts.into_iter().flatten().collect()
}
