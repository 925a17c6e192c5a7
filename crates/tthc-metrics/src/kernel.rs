//! The report kernel: one pass over [`Columns`] in blocks, in parallel for large inputs.
//!
//! Each block of rows first has its three time columns decoded into small stack buffers of local
//! seconds (one tight loop per encoding); the row loop then validates, classifies and counts with
//! a single increment a row: the cell `(group, period)` holds a histogram over the combination
//! `(outcome, channel, online level, synced, carried)` (396 counters of `u32`), folded into
//! [`Tally`] values at the end. Threads take contiguous row ranges and merge their cells, so the
//! result does not depend on the number of threads.

use std::thread;

use crate::classify::{
    classify_facts, ClassifyOptions, Comparison, Facts, Outcome, SupplementRule, DAY,
};
use crate::columns::{Columns, NONE, NO_DAY};
use crate::dossier::{Channel, OnlineService, Status, StatusGroup};
use crate::error::{Error, RejectReason, Rejection};
use crate::tally::Tally;

const BLOCK: usize = 4096;
const CHANNELS: usize = 3;
const LEVELS: usize = 3;
/// Outcome counters of a cell: outcome × carried over.
const OUTCOMES: usize = Outcome::COUNT * 2;
/// Attribute counters of a cell (newly received, counted dossiers only): channel × online level ×
/// synced. Tally's channel, eligibility and sync counts are sums of these.
const ATTRIBUTES: usize = CHANNELS * LEVELS * 2;
/// Counters per cell: `OUTCOMES` then `ATTRIBUTES` (160 bytes: a cell table of 40 units × 53
/// weeks is 339 KB, within a core's L2 cache).
pub(crate) const COMBOS: usize = OUTCOMES + ATTRIBUTES;
/// Rows below which one thread does all the work.
const PARALLEL_THRESHOLD: usize = 1 << 18;
/// Bytes of one cell: `COMBOS` counters of `u32`.
pub(crate) const CELL_BYTES: u64 = (COMBOS * 4) as u64;
/// Bytes one rejected record is budgeted at: the `Rejection` and its three strings.
pub(crate) const REJECTION_BYTES: u64 = 256;

/// Records with times outside 1900-01-01 .. 2199-12-31 are rejected.
pub(crate) const MIN_SECONDS: i64 = (-25_567) * DAY;
pub(crate) const MAX_SECONDS: i64 = 84_005 * DAY + DAY - 1;

/// What the kernel needs to know about the report besides the rows.
pub(crate) struct Plan<'a> {
    pub cohort: bool,
    pub as_of: i64,
    pub last_cutoff: i64,
    pub window_start: i64,
    pub first_day: i32,
    /// Day (from `first_day`) → period index.
    pub period_of_day: &'a [u32],
    /// Per period: start (local seconds) and cut-off (end of its last day, capped).
    pub period_start: &'a [i64],
    pub period_cutoff: &'a [i64],
    pub groups: usize,
    pub classify: ClassifyOptions,
    pub raise: bool,
    /// Worker threads (from [`budget`]).
    pub threads: usize,
    /// Most rejected records one worker may hold (from [`budget`]).
    pub max_rejected: usize,
}

/// One worker's result.
pub(crate) struct Partial {
    pub cells: Vec<u32>,
    pub excluded: Vec<u32>,
    pub rejected: Vec<Rejection>,
    /// Whether a worker stopped at `max_rejected` (the report fails: memory limit).
    pub overflow: bool,
}

/// `1234567` as `1,234,567`.
pub(crate) fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// Plans the kernel's memory within `limit` bytes: the worker threads (each holds its own cells
/// table of `groups × periods` cells) and the most rejected records each worker may hold beside
/// them.
///
/// # Errors
/// [`Error::MemoryLimit`] when one cells table alone exceeds the limit.
pub(crate) fn budget(
    rows: usize,
    groups: usize,
    periods: usize,
    limit: u64,
) -> Result<(usize, usize), Error> {
    let per_worker = (groups as u64)
        .checked_mul(periods as u64)
        .and_then(|c| c.checked_mul(CELL_BYTES))
        .unwrap_or(u64::MAX);
    if per_worker > limit {
        return Err(Error::MemoryLimit {
            what: format!(
                "the report's cells table ({} group{} × {} period{} × {} bytes)",
                thousands(groups as u64),
                if groups == 1 { "" } else { "s" },
                thousands(periods as u64),
                if periods == 1 { "" } else { "s" },
                thousands(CELL_BYTES),
            ),
            needed: per_worker,
            limit,
            hint: "use a coarser granularity, a later start or fewer groups, or raise the memory limit"
                .into(),
        });
    }
    let wanted = if rows >= PARALLEL_THRESHOLD {
        thread::available_parallelism()
            .map_or(1, std::num::NonZeroUsize::get)
            .min(8)
    } else {
        1
    };
    let fit = usize::try_from(limit / per_worker.max(1)).unwrap_or(usize::MAX);
    let threads = wanted.min(fit).max(1);
    let rest = limit - per_worker * threads as u64;
    let max_rejected =
        usize::try_from(rest / REJECTION_BYTES / threads as u64).unwrap_or(usize::MAX);
    Ok((threads, max_rejected))
}

/// The error for more rejected records than the memory limit can hold.
pub(crate) fn too_many_rejected(max_rejected: usize, limit: u64) -> Error {
    Error::MemoryLimit {
        what: format!(
            "the list of rejected records (more than {} records × {REJECTION_BYTES} bytes)",
            thousands(max_rejected as u64)
        ),
        needed: (max_rejected as u64 + 1).saturating_mul(REJECTION_BYTES),
        limit,
        hint:
            "check the column mapping and the input's encoding (most rows are rejected), or raise \
               the memory limit"
                .into(),
    }
}

/// Counts one dossier into `cell` (a `COMBOS`-long slice): its outcome, and for a newly received
/// counted dossier its attributes.
#[inline]
fn count(cell: &mut [u32], outcome: Outcome, channel: u8, level: u8, synced: bool, carried: bool) {
    cell[outcome.index() * 2 + usize::from(carried)] += 1;
    if outcome.is_counted() && !carried {
        cell[attribute(channel, level, synced)] += 1;
    }
}

#[inline]
fn cell(cells: &mut [u32], index: usize) -> &mut [u32] {
    &mut cells[index * COMBOS..(index + 1) * COMBOS]
}

/// Folds one cell's counters into a tally.
pub(crate) fn fold(cell: &[u32], into: &mut Tally) {
    for (k, &n) in cell[..OUTCOMES].iter().enumerate() {
        if n == 0 {
            continue;
        }
        into.add_outcome_n(Outcome::ALL[k / 2], k % 2 == 1, u64::from(n));
    }
    for (k, &n) in cell[OUTCOMES..].iter().enumerate() {
        if n == 0 {
            continue;
        }
        let n = u64::from(n);
        let synced = k % 2 == 1;
        let level = [
            OnlineService::None,
            OnlineService::Partial,
            OnlineService::Full,
        ][(k / 2) % LEVELS];
        let channel = [Channel::Direct, Channel::Online, Channel::Post][k / (2 * LEVELS)];
        into.add_attributes(channel, level, synced, n);
    }
}

/// Validates one row's times; the field, value and reason of the first problem.
#[inline]
pub(crate) fn check(
    received: i64,
    due: i64,
    finished: i64,
    status: Status,
) -> Option<(&'static str, i64, RejectReason)> {
    if received == NONE {
        return Some(("received_at", NONE, RejectReason::Missing));
    }
    let out = |t: i64| t != NONE && !(MIN_SECONDS..=MAX_SECONDS).contains(&t);
    if out(received) {
        return Some(("received_at", received, RejectReason::OutOfRange));
    }
    if out(due) {
        return Some(("due_at", due, RejectReason::OutOfRange));
    }
    if out(finished) {
        return Some(("finished_at", finished, RejectReason::OutOfRange));
    }
    if finished != NONE {
        if finished < received {
            return Some((
                "finished_at",
                finished,
                RejectReason::FinishedBeforeReceived,
            ));
        }
    } else if status.group() == StatusGroup::Finished {
        return Some(("finished_at", NONE, RejectReason::FinishedWithoutTime));
    }
    if due != NONE && due.div_euclid(DAY) < received.div_euclid(DAY) {
        return Some(("due_at", due, RejectReason::DueBeforeReceived));
    }
    None
}

pub(crate) fn fmt_seconds(s: i64) -> String {
    if s == NONE {
        return String::new();
    }
    chrono::DateTime::from_timestamp(s, 0)
        .map_or_else(|| s.to_string(), |t| t.naive_utc().to_string())
}

/// A contiguous range of rows of one chunk, with the global index of its first row.
#[derive(Clone, Copy)]
struct Segment {
    chunk: usize,
    lo: usize,
    hi: usize,
    global: usize,
}

/// Splits all rows into `parts` contiguous runs of segments of about equal size.
fn partition(chunks: &[Columns<'_>], parts: usize) -> Vec<Vec<Segment>> {
    let total: usize = chunks.iter().map(Columns::len).sum();
    let per = total.div_ceil(parts.max(1)).max(1);
    let mut out: Vec<Vec<Segment>> = vec![Vec::new()];
    let mut room = per;
    let mut global = 0;
    for (c, cols) in chunks.iter().enumerate() {
        let mut lo = 0;
        let n = cols.len();
        while lo < n {
            let take = room.min(n - lo);
            if let Some(last) = out.last_mut() {
                last.push(Segment {
                    chunk: c,
                    lo,
                    hi: lo + take,
                    global: global + lo,
                });
            }
            lo += take;
            room -= take;
            if room == 0 {
                out.push(Vec::new());
                room = per;
            }
        }
        global += n;
    }
    out.retain(|p| !p.is_empty());
    out
}

/// Runs the kernel over all chunks, in parallel when the input is large.
pub(crate) fn run(chunks: &[Columns<'_>], plan: &Plan<'_>) -> Partial {
    let parts = partition(chunks, plan.threads);
    let np = plan.period_start.len();
    // every cut-off at the end of a day and dates compared by day: the day kernel applies
    let end_of_day = |t: i64| t.rem_euclid(DAY) == DAY - 1;
    let work = if plan.classify.comparison == Comparison::Date
        && end_of_day(plan.as_of)
        && end_of_day(plan.last_cutoff)
    {
        work_days
    } else {
        work
    };
    let mut results: Vec<Partial> = if parts.len() <= 1 {
        vec![work(
            chunks,
            parts.first().map_or(&[][..], Vec::as_slice),
            plan,
            np,
        )]
    } else {
        thread::scope(|s| {
            let handles: Vec<_> = parts
                .iter()
                .map(|segs| s.spawn(move || work(chunks, segs, plan, np)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
                .collect()
        })
    };
    let mut acc = results.remove(0);
    for r in results {
        for (a, b) in acc.cells.iter_mut().zip(&r.cells) {
            *a += b;
        }
        for (a, b) in acc.excluded.iter_mut().zip(&r.excluded) {
            *a += b;
        }
        acc.rejected.extend(r.rejected);
        acc.overflow |= r.overflow;
        if (plan.raise && !acc.rejected.is_empty()) || acc.overflow {
            break;
        }
    }
    acc
}

/// Status column code → counting group for the day kernel: 0 skip (rejected upstream or not a
/// code), 1 never received, 2 processing, 3 supplement, 4 finished, 5 withdrawn, 6 stopped,
/// 7 refused.
const GROUP_OF_CODE: [u8; 256] = {
    let mut t = [0u8; 256];
    t[1] = 1;
    t[3] = 1;
    t[2] = 2;
    t[4] = 2;
    t[5] = 3;
    t[9] = 4;
    t[10] = 4;
    t[7] = 5;
    t[6] = 6;
    t[8] = 6;
    t[11] = 7;
    t
};

/// A status code no row can hold: reads as "not a status" (a rejected record).
const NOT_A_CODE: u8 = 255;

/// One block's coded columns, read through their lookup tables, with the rows rejected upstream
/// set to status 0.
struct CodeBlock {
    status: Vec<u8>,
    channel: Vec<u8>,
    level: Vec<u8>,
    group: Vec<u32>,
}

impl CodeBlock {
    fn new() -> Self {
        Self {
            status: vec![0; BLOCK],
            channel: vec![1; BLOCK],
            level: vec![0; BLOCK],
            group: vec![0; BLOCK],
        }
    }

    /// Reads rows `lo..lo + len`; `skip` is the position in `cols.skip` of the first row not
    /// yet passed, advanced past this block.
    fn fill(&mut self, cols: &Columns<'_>, lo: usize, len: usize, skip: &mut usize) {
        cols.status
            .fill_block(lo, &mut self.status[..len], NOT_A_CODE);
        while let Some(&row) = cols.skip.get(*skip) {
            if row >= lo + len {
                break;
            }
            if row >= lo {
                self.status[row - lo] = 0;
            }
            *skip += 1;
        }
        match cols.channel {
            // a code that is not a channel was rejected upstream; the kernel reads it as direct
            Some(c) => c.fill_block(lo, &mut self.channel[..len], 1),
            None => self.channel[..len].fill(1),
        }
        match cols.online_service {
            Some(c) => c.fill_block(lo, &mut self.level[..len], 0),
            None => self.level[..len].fill(0),
        }
        if cols.group.is_empty() {
            self.group[..len].fill(0);
        } else {
            cols.group.fill_block(lo, &mut self.group[..len], 0);
        }
    }
}

/// The attribute counter of a cell (after the outcome counters) for a newly received dossier.
#[inline]
fn attribute(channel: u8, level: u8, synced: bool) -> usize {
    OUTCOMES
        + (usize::from(channel.clamp(1, 3) - 1) * LEVELS + usize::from(level.min(2))) * 2
        + usize::from(synced)
}

/// The day kernel's outcome kinds, in the order its arithmetic produces them: 0-2 finished
/// early/on time/late, 3-5 ended otherwise (withdrawn, stopped, refused: counting group - 2),
/// 6 within due, 7 awaiting supplement, 8 overdue.
const KIND: [Outcome; 9] = [
    Outcome::Early,
    Outcome::OnTime,
    Outcome::Late,
    Outcome::Withdrawn,
    Outcome::Stopped,
    Outcome::Refused,
    Outcome::WithinDue,
    Outcome::AwaitingSupplement,
    Outcome::Overdue,
];
const WITHIN: usize = 6;
const AWAITING: usize = 7;
const OVERDUE: usize = 8;
/// Kind → the cell's outcome counter (not carried over; `+ 1` for carried over).
const KIND_COUNTER: [usize; 9] = {
    let mut t = [0; 9];
    let mut k = 0;
    while k < 9 {
        t[k] = KIND[k] as usize * 2;
        k += 1;
    }
    t
};

/// Counts one dossier into `cell` by its outcome and its attribute counter (as [`count`]).
#[inline]
fn count_at(cell: &mut [u32], outcome: Outcome, attr: usize, carried: bool) {
    cell[outcome.index() * 2 + usize::from(carried)] += 1;
    if outcome.is_counted() && !carried {
        cell[attr] += 1;
    }
}

/// The day kernel's per-block buffers: the three local days, and what the first pass derives
/// from them for every row.
struct DayBlock {
    rday: Vec<i32>,
    dday: Vec<i32>,
    fday: Vec<i32>,
    /// Counting group of the row's status (see `GROUP_OF_CODE`).
    grp: Vec<u8>,
    /// Outcome kind at the cohort's cut-off (see `KIND`).
    kind: Vec<u8>,
    /// The row's attribute counter in a cell.
    attr: Vec<u8>,
    /// 0: count; 1: take the exact path (suspicious or same-day finish); 2: excluded (cohort).
    flag: Vec<u8>,
    /// 1 where a repeated supplement request makes the open dossier overdue.
    rep: Vec<u8>,
    /// Portal sync flag, 0 or 1.
    synced: Vec<u8>,
}

impl DayBlock {
    fn new() -> Self {
        Self {
            rday: vec![0; BLOCK],
            dday: vec![0; BLOCK],
            fday: vec![0; BLOCK],
            grp: vec![0; BLOCK],
            kind: vec![0; BLOCK],
            attr: vec![0; BLOCK],
            flag: vec![0; BLOCK],
            rep: vec![0; BLOCK],
            synced: vec![1; BLOCK],
        }
    }
}

/// The day kernel: the common case where every cut-off is the end of a day and finishing is
/// compared by calendar date, so that a row needs its three local days and nothing finer, except
/// the seconds of a same-day finish for validation. Times are decoded straight to `i32` days (one
/// division a value). A first pass over the block computes, without branches, each row's
/// validity screen, attribute counter and (cohort) outcome kind; the second pass counts: two
/// increments a row in the cohort view, the open and overdue runs of periods and the ending
/// period in the activity view. Classification here must equal `classify_facts` (the benches
/// and the property tests compare them); rows that fail the cheap screen go through `check` on
/// exact seconds for their reason.
#[allow(clippy::too_many_lines)] // one hot loop, kept whole so that it stays specialised
#[allow(clippy::needless_bitwise_bool)] // `&`/`|` on booleans on purpose: no branch per test
fn work_days(chunks: &[Columns<'_>], segments: &[Segment], plan: &Plan<'_>, np: usize) -> Partial {
    let mut cells = vec![0u32; plan.groups * np * COMBOS];
    let mut excluded = vec![0u32; COMBOS];
    let mut rejected = Vec::new();
    let mut codes = CodeBlock::new();
    let mut b = DayBlock::new();
    let repeated = plan.classify.supplement_rule == SupplementRule::RepeatedIsOverdue;
    let day = |s: i64| s.div_euclid(DAY).clamp(-(1 << 30), 1 << 30) as i32;
    let first_day = plan.first_day;
    let ws = day(plan.window_start);
    let min_day = day(MIN_SECONDS);
    let max_day = day(MAX_SECONDS);
    let as_of_day = day(plan.as_of);
    let last_day = day(plan.last_cutoff);
    let table_days = plan.period_of_day.len() as i64;
    let cutoff_day: Vec<i32> = plan.period_cutoff.iter().map(|&s| day(s)).collect();
    const NOT_ENDED: i32 = i32::MAX;
    macro_rules! reject {
        ($global:expr, $field:expr, $value:expr, $reason:expr) => {{
            rejected.push(Rejection::new($global, "", $field, $value, $reason));
            if plan.raise || rejected.len() > plan.max_rejected {
                let overflow = !plan.raise;
                return Partial {
                    cells,
                    excluded,
                    rejected,
                    overflow,
                };
            }
        }};
    }
    for seg in segments {
        let cols = &chunks[seg.chunk];
        let mut skip = cols.skip.partition_point(|&r| r < seg.lo);
        let mut lo = seg.lo;
        while lo < seg.hi {
            let len = BLOCK.min(seg.hi - lo);
            cols.received.fill_days_ordered(lo, &mut b.rday[..len]);
            cols.due.fill_days(lo, &mut b.dday[..len]);
            cols.finished.fill_days(lo, &mut b.fday[..len]);
            codes.fill(cols, lo, len, &mut skip);
            for (g, &code) in b.grp[..len].iter_mut().zip(&codes.status[..len]) {
                *g = GROUP_OF_CODE[code as usize];
            }
            // first pass: selects only, over slices of the block's length (no bounds checks)
            let rep_s = &mut b.rep[..len];
            match (repeated, cols.supplement_requests) {
                (true, Some(sup)) => {
                    for (r, &n) in rep_s.iter_mut().zip(&sup[lo..lo + len]) {
                        *r = u8::from(n > 1);
                    }
                }
                _ => rep_s.fill(0),
            }
            let syn_s = &mut b.synced[..len];
            match cols.synced {
                Some(sy) => {
                    for (o, &v) in syn_s.iter_mut().zip(&sy[lo..lo + len]) {
                        *o = u8::from(v);
                    }
                }
                None => syn_s.fill(1),
            }
            let (rd_s, dd_s, fd_s, g_s) = (
                &b.rday[..len],
                &b.dday[..len],
                &b.fday[..len],
                &b.grp[..len],
            );
            let (rep_s, syn_s) = (&b.rep[..len], &b.synced[..len]);
            let (ch_s, lv_s) = (&codes.channel[..len], &codes.level[..len]);
            let kind_s = &mut b.kind[..len];
            let flag_s = &mut b.flag[..len];
            let attr_s = &mut b.attr[..len];
            let cohort = plan.cohort;
            for j in 0..len {
                let g = g_s[j];
                let (rd, dd, fd) = (rd_s[j], dd_s[j], fd_s[j]);
                let d_null = dd == NO_DAY;
                let f_null = fd == NO_DAY;
                // a null reception is below min_day; a same-day finish needs its seconds
                let suspicious = (g == 0)
                    | (rd < min_day)
                    | (rd > max_day)
                    | (!d_null & ((dd < rd) | (dd > max_day)))
                    | (!f_null & ((fd <= rd) | (fd > max_day)))
                    | (f_null & (g == 4));
                let out_of_cohort = (g == 1) | (rd > as_of_day) | (rd < ws);
                let end_day = if g >= 4 {
                    if f_null {
                        rd
                    } else {
                        fd
                    }
                } else {
                    NOT_ENDED
                };
                let due_cmp = if d_null { fd } else { dd };
                let finished_kind = 1 + u8::from(fd > due_cmp) - u8::from(fd < due_cmp);
                let ended_kind = if g == 4 {
                    finished_kind
                } else {
                    g.wrapping_sub(2)
                };
                let open_kind = if rep_s[j] != 0 {
                    OVERDUE as u8
                } else if g == 3 {
                    AWAITING as u8
                } else {
                    WITHIN as u8
                };
                let dated = (open_kind == WITHIN as u8) & !d_null;
                kind_s[j] = if end_day <= as_of_day {
                    ended_kind
                } else if dated & (dd < as_of_day) {
                    OVERDUE as u8
                } else {
                    open_kind
                };
                flag_s[j] = if suspicious {
                    1
                } else {
                    u8::from(cohort & out_of_cohort) * 2
                };
                let ch = ch_s[j].clamp(1, 3) - 1;
                let lv = lv_s[j].min(2);
                attr_s[j] = OUTCOMES as u8 + (ch * LEVELS as u8 + lv) * 2 + syn_s[j];
            }
            // second pass: counting
            for j in 0..len {
                let i = lo + j;
                let g = b.grp[j];
                let attr = usize::from(b.attr[j]);
                let flag = b.flag[j];
                let (rd, dd, fd) = (b.rday[j], b.dday[j], b.fday[j]);
                if flag != 0 {
                    if flag == 1 {
                        if g == 0 {
                            let code = codes.status[j];
                            if code != 0 {
                                let raw = cols.status.values().get(i).unwrap_or_default();
                                reject!(
                                    seg.global + (i - seg.lo),
                                    "status",
                                    raw.to_string(),
                                    RejectReason::UnknownStatus
                                );
                            }
                            continue;
                        }
                        let exact = |c: &crate::columns::TimeColumn<'_>| {
                            if c.len() > i {
                                c.local_seconds(i).unwrap_or(NONE)
                            } else {
                                NONE
                            }
                        };
                        let status =
                            Status::from_column_code(codes.status[j]).unwrap_or(Status::Processing);
                        let (r, d, f) = (
                            exact(&cols.received),
                            exact(&cols.due),
                            exact(&cols.finished),
                        );
                        if let Some((field, value, reason)) = check(r, d, f, status) {
                            reject!(seg.global + (i - seg.lo), field, fmt_seconds(value), reason);
                            continue;
                        }
                    }
                    // valid: excluded from the cohort?
                    if plan.cohort && ((g == 1) | (rd > as_of_day) | (rd < ws)) {
                        let o = if g == 1 {
                            Outcome::NotReceived
                        } else {
                            Outcome::OutsideWindow
                        };
                        count_at(&mut excluded, o, attr, false);
                        continue;
                    }
                }
                if plan.cohort {
                    let p = plan.period_of_day[(rd - first_day) as usize] as usize;
                    let base = (codes.group[j] as usize * np + p) * COMBOS;
                    cells[base + KIND_COUNTER[usize::from(b.kind[j])]] += 1;
                    cells[base + attr] += 1;
                    continue;
                }
                // activity view
                if g == 1 || rd > last_day {
                    let o = if g == 1 {
                        Outcome::NotReceived
                    } else {
                        Outcome::OutsideWindow
                    };
                    count_at(&mut excluded, o, attr, false);
                    continue;
                }
                let d_null = dd == NO_DAY;
                let f_null = fd == NO_DAY;
                let end_day = if g >= 4 {
                    if f_null {
                        rd
                    } else {
                        fd
                    }
                } else {
                    NOT_ENDED
                };
                let due_cmp = if d_null { fd } else { dd };
                let ended_kind = if g == 4 {
                    1 + usize::from(fd > due_cmp) - usize::from(fd < due_cmp)
                } else {
                    usize::from(g).wrapping_sub(2)
                };
                if end_day < ws {
                    // ended before the window: its outcome at the window's start
                    count_at(&mut excluded, KIND[ended_kind], attr, false);
                    continue;
                }
                let rep = b.rep[j] != 0;
                let open_kind = if rep {
                    OVERDUE
                } else if g == 3 {
                    AWAITING
                } else {
                    WITHIN
                };
                let dated = open_kind == WITHIN && !d_null;
                let first = plan.period_of_day[(rd.max(ws) - first_day) as usize] as usize;
                let ended = end_day <= last_day;
                let last = if ended {
                    plan.period_of_day[(end_day - first_day) as usize] as usize
                } else {
                    np - 1
                };
                // the first period whose cut-off finds the open dossier overdue
                let overdue_from = if rep {
                    0
                } else if !dated {
                    np
                } else if dd < first_day {
                    0
                } else if i64::from(dd - first_day) >= table_days {
                    np
                } else {
                    let q = plan.period_of_day[(dd - first_day) as usize] as usize;
                    q + usize::from(cutoff_day[q] == dd)
                };
                let carried_first = rd < ws;
                let row = codes.group[j] as usize * np;
                let mut put = |p: usize, kind: usize| {
                    let carried = p > first || carried_first;
                    let base = (row + p) * COMBOS;
                    cells[base + KIND_COUNTER[kind] + usize::from(carried)] += 1;
                    if !carried {
                        cells[base + attr] += 1;
                    }
                };
                let open_end = if ended { last } else { last + 1 };
                for p in first..open_end {
                    put(p, if p < overdue_from { open_kind } else { OVERDUE });
                }
                if ended {
                    put(last, ended_kind);
                }
            }
            lo += len;
        }
    }
    Partial {
        cells,
        excluded,
        rejected,
        overflow: false,
    }
}

/// One worker: its segments in order (the general path: any cut-off, any comparison).
fn work(chunks: &[Columns<'_>], segments: &[Segment], plan: &Plan<'_>, np: usize) -> Partial {
    let mut cells = vec![0u32; plan.groups * np * COMBOS];
    let mut excluded = vec![0u32; COMBOS];
    let mut rejected = Vec::new();
    let mut received = vec![0i64; BLOCK];
    let mut due = vec![0i64; BLOCK];
    let mut finished = vec![0i64; BLOCK];
    let mut codes = CodeBlock::new();
    for seg in segments {
        let cols = &chunks[seg.chunk];
        let mut skip = cols.skip.partition_point(|&r| r < seg.lo);
        let mut lo = seg.lo;
        while lo < seg.hi {
            let len = BLOCK.min(seg.hi - lo);
            cols.received.fill_block(lo, &mut received[..len]);
            cols.due.fill_block(lo, &mut due[..len]);
            cols.finished.fill_block(lo, &mut finished[..len]);
            codes.fill(cols, lo, len, &mut skip);
            for j in 0..len {
                let i = lo + j;
                let code = codes.status[j];
                let Some(status) = Status::from_column_code(code) else {
                    if code != 0 {
                        // not a status column code: a caller's bug, still never dropped silently
                        let global = seg.global + (i - seg.lo);
                        let raw = cols.status.values().get(i).unwrap_or_default();
                        rejected.push(Rejection::new(
                            global,
                            "",
                            "status",
                            raw.to_string(),
                            RejectReason::UnknownStatus,
                        ));
                        if plan.raise || rejected.len() > plan.max_rejected {
                            let overflow = !plan.raise;
                            return Partial {
                                cells,
                                excluded,
                                rejected,
                                overflow,
                            };
                        }
                    }
                    continue; // 0: rejected upstream
                };
                let (r, d, f) = (received[j], due[j], finished[j]);
                if let Some((field, value, reason)) = check(r, d, f, status) {
                    let global = seg.global + (i - seg.lo);
                    rejected.push(Rejection::new(
                        global,
                        "",
                        field,
                        fmt_seconds(value),
                        reason,
                    ));
                    if plan.raise || rejected.len() > plan.max_rejected {
                        let overflow = !plan.raise;
                        return Partial {
                            cells,
                            excluded,
                            rejected,
                            overflow,
                        };
                    }
                    continue;
                }
                let facts = Facts {
                    received: r,
                    due: (d != NONE).then_some(d),
                    finished: (f != NONE).then_some(f),
                    status,
                    supplement_requests: cols.supplement_requests.map_or(0, |s| s[i]),
                };
                let channel = codes.channel[j];
                let level = codes.level[j];
                let synced = cols.synced.is_none_or(|s| s[i]);
                let g = codes.group[j] as usize;
                if plan.cohort {
                    let outcome = classify_facts(&facts, plan.as_of, &plan.classify);
                    if !outcome.is_counted() || r < plan.window_start {
                        let o = if outcome.is_counted() {
                            Outcome::OutsideWindow
                        } else {
                            outcome
                        };
                        count(&mut excluded, o, channel, level, synced, false);
                        continue;
                    }
                    let p = plan.period_of_day
                        [(r.div_euclid(DAY) - i64::from(plan.first_day)) as usize]
                        as usize;
                    count(
                        cell(&mut cells, g * np + p),
                        outcome,
                        channel,
                        level,
                        synced,
                        false,
                    );
                } else {
                    let end = facts.end();
                    if status.group() == StatusGroup::NeverReceived || r > plan.last_cutoff {
                        let o = classify_facts(&facts, plan.last_cutoff, &plan.classify);
                        count(&mut excluded, o, channel, level, synced, false);
                        continue;
                    }
                    if end.is_some_and(|e| e < plan.window_start) {
                        let o = classify_facts(&facts, plan.window_start - 1, &plan.classify);
                        count(&mut excluded, o, channel, level, synced, false);
                        continue;
                    }
                    let day = |t: i64| (t.div_euclid(DAY) - i64::from(plan.first_day)) as usize;
                    let first = plan.period_of_day[day(r.max(plan.window_start))] as usize;
                    let last = match end {
                        Some(e) if e <= plan.last_cutoff => plan.period_of_day[day(e)] as usize,
                        _ => np - 1,
                    };
                    for p in first..=last {
                        let outcome = classify_facts(&facts, plan.period_cutoff[p], &plan.classify);
                        let carried = r < plan.period_start[p];
                        count(
                            cell(&mut cells, g * np + p),
                            outcome,
                            channel,
                            level,
                            synced,
                            carried,
                        );
                    }
                }
            }
            lo += len;
        }
    }
    Partial {
        cells,
        excluded,
        rejected,
        overflow: false,
    }
}
