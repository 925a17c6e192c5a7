//! The day path: finishing compared by calendar date and every cut-off at the end of a day (the
//! defaults), so a row needs only its three local day numbers. Times are decoded straight to
//! `i32` days; a first pass over the block computes each row's attribute counter and cohort
//! kind without branches; the second counts: two increments a row in the cohort view, an
//! activity run in the activity view.

use super::cells::{attribute, count};
use super::kind::{
    end_day, ended_kind, kind_at, open_kind, KINDS, KIND_COUNTER, NOT_ENDED, OVERDUE, WITHIN,
};
use super::{CodeBlock, Partial, Plan, Segment, BLOCK, COMBOS};
use crate::classify::{Outcome, SupplementRule, DAY};
use crate::columnar::{Columns, NO_DAY};
use crate::dossier::{StatusGroup, GROUP_OF_CODE};

/// The per-block buffers: the three local days, and what the first pass derives from them.
pub(super) struct DayBlock {
    pub(super) rday: Vec<i32>,
    pub(super) dday: Vec<i32>,
    pub(super) fday: Vec<i32>,
    /// Counting group of the row's status (0: left out).
    pub(super) grp: Vec<u8>,
    /// Kind at the cohort's cut-off.
    kind: Vec<u8>,
    /// Cohort view on a dense table: the row's cell (group × period), [`NO_CELL`] for a row
    /// left out of every cell.
    cell: Vec<u32>,
    /// The row's attribute counter in a cell.
    attr: Vec<u8>,
    /// 1 where a repeated supplement request makes the open dossier overdue.
    rep: Vec<u8>,
    /// Portal sync flag, 0 or 1.
    synced: Vec<u8>,
}

impl DayBlock {
    /// The counting group of each row's status code (0: left out).
    pub(super) fn fill_groups(&mut self, status: &[u8]) {
        for (g, &code) in self.grp.iter_mut().zip(status) {
            *g = GROUP_OF_CODE[code as usize];
        }
    }

    pub(super) fn new() -> Self {
        Self {
            rday: vec![0; BLOCK],
            dday: vec![0; BLOCK],
            fday: vec![0; BLOCK],
            grp: vec![0; BLOCK],
            kind: vec![0; BLOCK],
            cell: vec![0; BLOCK],
            attr: vec![0; BLOCK],
            rep: vec![0; BLOCK],
            synced: vec![1; BLOCK],
        }
    }
}

/// What the day path derives from the plan once per worker.
pub(super) struct DayPlan {
    repeated: bool,
    first_day: i32,
    ws: i32,
    as_of_day: i32,
    last_day: i32,
    table_days: i64,
    cutoff_day: Vec<i32>,
}

impl DayPlan {
    pub(super) fn new(plan: &Plan<'_>) -> Self {
        let day = |s: i64| s.div_euclid(DAY).clamp(-(1 << 30), 1 << 30) as i32;
        Self {
            repeated: plan.classify.supplement_rule == SupplementRule::RepeatedIsOverdue,
            first_day: plan.first_day,
            ws: day(plan.window_start),
            as_of_day: day(plan.as_of),
            last_day: day(plan.last_cutoff),
            table_days: plan.period_of_day.len() as i64,
            cutoff_day: plan.period_cutoff.iter().map(|&s| day(s)).collect(),
        }
    }
}

/// One worker over its segments.
pub(super) fn work(
    chunks: &[Columns<'_>],
    segments: &[Segment],
    plan: &Plan<'_>,
    np: usize,
) -> Partial {
    let mut out = Partial::new(plan, np);
    work_into(&mut out, chunks, segments, plan, np);
    out
}

/// [`work`] adding into a worker's table `out`.
pub(super) fn work_into(
    out: &mut Partial,
    chunks: &[Columns<'_>],
    segments: &[Segment],
    plan: &Plan<'_>,
    np: usize,
) {
    let mut codes = CodeBlock::new();
    let mut b = DayBlock::new();
    let k = DayPlan::new(plan);
    for seg in segments {
        let cols = &chunks[seg.chunk];
        let mut skip = cols.skip.partition_point(|&r| r < seg.lo);
        let mut lo = seg.lo;
        while lo < seg.hi {
            if plan.cancelled() {
                out.cancelled = true;
                return;
            }
            let len = BLOCK.min(seg.hi - lo);
            cols.received.fill_days_ordered(lo, &mut b.rday[..len]);
            cols.due.fill_days(lo, &mut b.dday[..len]);
            cols.finished.fill_days(lo, &mut b.fday[..len]);
            codes.fill(cols, plan.group_by, lo, len, &mut skip);
            b.fill_groups(&codes.status[..len]);
            count_block(out, &k, plan, np, cols, lo, len, &mut b, &codes);
            lo += len;
        }
    }
}

/// Counts rows `lo..lo + len` of `cols`, whose local days and status groups are in `b` and codes
/// in `codes`.
#[allow(clippy::too_many_lines)] // one hot loop, kept whole so that it stays specialised
#[allow(clippy::too_many_arguments)]
pub(super) fn count_block(
    out: &mut Partial,
    k: &DayPlan,
    plan: &Plan<'_>,
    np: usize,
    cols: &Columns<'_>,
    lo: usize,
    len: usize,
    b: &mut DayBlock,
    codes: &CodeBlock,
) {
    let never = StatusGroup::NeverReceived as u8;
    let DayPlan {
        repeated,
        first_day,
        ws,
        as_of_day,
        ..
    } = *k;
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
    // first pass: selects only, over slices of the block's length (no bounds checks)
    kinds_and_attributes(b, codes, len, as_of_day);
    // second pass: counting
    if !plan.cohort {
        count_activity(out, k, plan, np, len, b, codes);
        return;
    }
    if out.sparse.is_none() {
        count_cohort_dense(out, k, plan, np, len, b, codes);
        return;
    }
    // a sparse table: not through `cohort_cells`, whose `u32` cell number holds a dense table's
    // group × period but not a sparse one's (a million units by day is 10^11 cells)
    for j in 0..len {
        let g = b.grp[j];
        if g == 0 {
            continue; // left out (rejected or repeated): reported by preparation
        }
        let attr = usize::from(b.attr[j]);
        let rd = b.rday[j];
        if g == never || rd > as_of_day || rd < ws {
            exclude(&mut out.excluded, g == never, attr);
            continue;
        }
        let p = plan.period_of_day[(rd - first_day) as usize] as usize;
        let base = out.base(codes.group[j] as usize, p, np);
        out.cells[base + KIND_COUNTER[usize::from(b.kind[j])]] += 1;
        out.cells[base + attr] += 1;
    }
}

/// The activity view's count: a row's runs of periods and its end (see [`Partial::activity`]).
/// A first loop over a run of rows finds every row's case, periods and counters with selects
/// and clamped lookups only ([`activity_runs`], vectorised); the second makes the updates.
/// Rows left out of every cell (never received, received after the last cut-off, ended before
/// the window) are rare and take a branch there.
fn count_activity(
    out: &mut Partial,
    k: &DayPlan,
    plan: &Plan<'_>,
    np: usize,
    len: usize,
    b: &DayBlock,
    codes: &CodeBlock,
) {
    let never = StatusGroup::NeverReceived as u8;
    let mut runs = ActivityRuns::default();
    let overdue = KIND_COUNTER[usize::from(OVERDUE)];
    let mut at = 0;
    while at < len {
        let n = RUN.min(len - at);
        let rows = at..at + n;
        activity_runs(
            [
                &b.rday[rows.clone()],
                &b.dday[rows.clone()],
                &b.fday[rows.clone()],
            ],
            &b.grp[rows.clone()],
            &b.rep[rows.clone()],
            plan.period_of_day,
            &k.cutoff_day,
            k,
            np as u32,
            &mut runs,
        );
        for i in 0..n {
            let j = at + i;
            let attr = usize::from(b.attr[j]);
            match runs.case[i] {
                COUNTED => out.activity(
                    codes.group[j] as usize,
                    np,
                    runs.first[i] as usize,
                    runs.open_end[i] as usize,
                    usize::from(runs.open[i]),
                    overdue,
                    runs.overdue_from[i] as usize,
                    (
                        runs.ended[i] != 0,
                        runs.last[i] as usize,
                        usize::from(runs.ended_counter[i]),
                    ),
                    b.rday[j] < k.ws,
                    attr,
                ),
                LEFT_OUT => {} // rejected or repeated: reported by preparation
                NOT_IN_TABLE => exclude(&mut out.excluded, b.grp[j] == never, attr),
                _ => {
                    // ended before the window: its outcome at the window's start
                    let kind = ended_kind(b.grp[j], b.fday[j], b.dday[j]);
                    count(&mut out.excluded, KINDS[usize::from(kind)], attr, false);
                }
            }
        }
        at += n;
    }
}

/// Rows [`activity_runs`] plans at a time (the plan is 21 bytes a row, on the stack).
const RUN: usize = 512;

/// Activity cases of a row: counted in its cells, left out before the kernel, never received or
/// received after the last cut-off, ended before the window.
const COUNTED: u8 = 0;
const LEFT_OUT: u8 = 1;
const NOT_IN_TABLE: u8 = 2;
const ENDED_BEFORE: u8 = 3;

/// What [`Partial::activity`] needs of each row of a run.
struct ActivityRuns {
    case: [u8; RUN],
    first: [u32; RUN],
    open_end: [u32; RUN],
    last: [u32; RUN],
    overdue_from: [u32; RUN],
    /// Counter of the open kind.
    open: [u8; RUN],
    /// 1 when the dossier ended by the last cut-off.
    ended: [u8; RUN],
    /// Counter of the ended kind (0 when it has not ended: it adds 0).
    ended_counter: [u8; RUN],
}

impl Default for ActivityRuns {
    fn default() -> Self {
        Self {
            case: [0; RUN],
            first: [0; RUN],
            open_end: [0; RUN],
            last: [0; RUN],
            overdue_from: [0; RUN],
            open: [0; RUN],
            ended: [0; RUN],
            ended_counter: [0; RUN],
        }
    }
}

/// The activity plan of a run of rows (their three days, status groups and repeated-request
/// flags): each row's case, and for a counted row its first period (the window's first when
/// carried over), the end of its open run, the period it ended in (the last when open), the
/// first period whose cut-off finds it overdue (its due day's period, or the next one when the
/// due day is that period's last; none without a due date, all with a repeated supplement
/// request or a due day before the table) and its counters. Selects and clamped lookups only,
/// compiled for AVX-512, AVX2 and the baseline.
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512dq+avx512vl",
    "x86_64+avx2+fma",
    "aarch64+neon"
))]
#[allow(clippy::too_many_arguments, clippy::needless_bitwise_bool)] // branch-free on purpose
fn activity_runs(
    [rday, dday, fday]: [&[i32]; 3],
    grp: &[u8],
    rep: &[u8],
    period_of_day: &[u32],
    cutoff_day: &[i32],
    k: &DayPlan,
    np: u32,
    out: &mut ActivityRuns,
) {
    let never = StatusGroup::NeverReceived as u8;
    let (first_day, ws, last_day, table_days) = (k.first_day, k.ws, k.last_day, k.table_days);
    let n = grp.len().min(RUN);
    let (rday, dday, fday, rep) = (&rday[..n], &dday[..n], &fday[..n], &rep[..n]);
    let (Some(&p0), Some(&c0)) = (period_of_day.first(), cutoff_day.first()) else {
        out.case[..n].fill(LEFT_OUT);
        return;
    };
    let last_at = period_of_day.len().saturating_sub(1) as i64;
    // a day's period; a day outside the table (a case that does not use it) reads the first
    let period = |day: i32| {
        let at = (i64::from(day) - i64::from(first_day)).clamp(0, last_at) as usize;
        period_of_day.get(at).copied().unwrap_or(p0)
    };
    for j in 0..n {
        let (g, rd, dd, fd) = (grp[j], rday[j], dday[j], fday[j]);
        let end = end_day(g, rd, fd);
        out.case[j] = if g == 0 {
            LEFT_OUT
        } else if (g == never) | (rd > last_day) {
            NOT_IN_TABLE
        } else if end < ws {
            ENDED_BEFORE
        } else {
            COUNTED
        };
        let repeated = rep[j] != 0;
        let open = open_kind(g, repeated);
        let ended = (end != NOT_ENDED) & (end <= last_day);
        let last = if ended { period(end) } else { np - 1 };
        let from_due = i64::from(dd) - i64::from(first_day);
        let dated = (open == WITHIN) & (dd != NO_DAY);
        let in_table = (from_due >= 0) & (from_due < table_days);
        let q = period(dd);
        let cut = cutoff_day.get(q as usize).copied().unwrap_or(c0);
        let due_from = q + u32::from(cut == dd);
        out.overdue_from[j] = if repeated | (dated & (from_due < 0)) {
            0
        } else if dated & in_table {
            due_from
        } else {
            np
        };
        out.first[j] = period(rd.max(ws));
        out.last[j] = last;
        out.open_end[j] = if ended { last } else { np };
        out.open[j] = KIND_COUNTER_U8[usize::from(open) & 15];
        out.ended[j] = u8::from(ended);
        // an open dossier's `ended_kind` is no kind: any counter serves, it adds 0
        let ended_k = ended_kind(g, fd, dd);
        out.ended_counter[j] = KIND_COUNTER_U8[usize::from(if ended { ended_k } else { 0 }) & 15];
    }
}

/// A row the cohort view counts in no cell.
const NO_CELL: u32 = u32::MAX;

/// The cohort view's count on a dense table: a row's cell is at a fixed place, two increments.
/// The cells are found first by a loop of selects and one table lookup a row (vectorised, see
/// [`cohort_cells`]), so that the count is two increments and a rarely taken branch a row.
fn count_cohort_dense(
    out: &mut Partial,
    k: &DayPlan,
    plan: &Plan<'_>,
    np: usize,
    len: usize,
    b: &mut DayBlock,
    codes: &CodeBlock,
) {
    let never = StatusGroup::NeverReceived as u8;
    cohort_cells(
        &b.rday[..len],
        &b.grp[..len],
        &codes.group[..len],
        plan.period_of_day,
        (k.first_day, k.ws, k.as_of_day),
        np as u32,
        &mut b.cell[..len],
    );
    let Partial {
        cells, excluded, ..
    } = out;
    let (grp, attr_s, kind_s, cell_s) = (
        &b.grp[..len],
        &b.attr[..len],
        &b.kind[..len],
        &b.cell[..len],
    );
    for j in 0..len {
        let cell = cell_s[j];
        let attr = usize::from(attr_s[j]);
        if cell == NO_CELL {
            let g = grp[j];
            // 0: left out (rejected or repeated), reported by preparation
            if g != 0 {
                exclude(excluded, g == never, attr);
            }
            continue;
        }
        let base = cell as usize * COMBOS;
        cells[base + usize::from(KIND_COUNTER_U8[usize::from(kind_s[j]) & 15])] += 1;
        cells[base + attr] += 1;
    }
}

/// Each row's cell in the cohort view (group × period, `np` periods a group), or [`NO_CELL`]
/// for a row left out (status group 0), never received, or received outside the window
/// (`ws..=as_of_day`, days from `first_day` in `period_of_day`). Selects and a clamped lookup
/// only, compiled for AVX-512, AVX2 and the baseline (the lookup a gather where there is one).
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512dq+avx512vl",
    "x86_64+avx2+fma",
    "aarch64+neon"
))]
#[allow(clippy::needless_bitwise_bool)] // branch-free on purpose
fn cohort_cells(
    rday: &[i32],
    grp: &[u8],
    group: &[u32],
    period_of_day: &[u32],
    (first_day, ws, as_of_day): (i32, i32, i32),
    np: u32,
    cell: &mut [u32],
) {
    let never = StatusGroup::NeverReceived as u8;
    let n = cell.len();
    let (rday, grp, group) = (&rday[..n], &grp[..n], &group[..n]);
    let last = period_of_day.len().saturating_sub(1) as i64;
    let Some(&p0) = period_of_day.first() else {
        cell.fill(NO_CELL);
        return;
    };
    for j in 0..n {
        let (rd, g) = (rday[j], grp[j]);
        let counted = (g != 0) & (g != never) & (rd >= ws) & (rd <= as_of_day);
        // a day outside the table (a row not counted) reads the first period instead
        let at = (i64::from(rd) - i64::from(first_day)).clamp(0, last) as usize;
        let p = period_of_day.get(at).copied().unwrap_or(p0);
        cell[j] = if counted {
            group[j].wrapping_mul(np).wrapping_add(p)
        } else {
            NO_CELL
        };
    }
}

/// [`KIND_COUNTER`] as bytes, over 16 entries so that a masked kind needs no bounds check.
const KIND_COUNTER_U8: [u8; 16] = {
    let mut t = [0u8; 16];
    let mut k = 0;
    while k < KIND_COUNTER.len() {
        t[k] = KIND_COUNTER[k] as u8;
        k += 1;
    }
    t
};

/// The first pass over a block: each row's kind at the cohort's cut-off and its attribute
/// counter, selects only (vectorised, compiled for AVX-512, AVX2 and the baseline, the
/// machine's best chosen at run time).
#[multiversion::multiversion(targets(
    "x86_64+avx512f+avx512bw+avx512dq+avx512vl",
    "x86_64+avx2+fma",
    "aarch64+neon"
))]
fn kinds_and_attributes(b: &mut DayBlock, codes: &CodeBlock, len: usize, as_of_day: i32) {
    let (rd_s, dd_s, fd_s, g_s) = (
        &b.rday[..len],
        &b.dday[..len],
        &b.fday[..len],
        &b.grp[..len],
    );
    let (rep_s, syn_s) = (&b.rep[..len], &b.synced[..len]);
    let (ch_s, lv_s) = (&codes.channel[..len], &codes.level[..len]);
    let kind_s = &mut b.kind[..len];
    let attr_s = &mut b.attr[..len];
    for j in 0..len {
        kind_s[j] = kind_at(g_s[j], rd_s[j], dd_s[j], fd_s[j], rep_s[j] != 0, as_of_day);
        attr_s[j] = attribute(ch_s[j], lv_s[j], syn_s[j] != 0) as u8;
    }
}

/// Counts a dossier left out of every cell: never received, or received outside the window.
#[inline]
fn exclude(excluded: &mut [u32], never_received: bool, attr: usize) {
    let o = if never_received {
        Outcome::NotReceived
    } else {
        Outcome::OutsideWindow
    };
    count(excluded, o, attr, false);
}
