//! The day path: finishing compared by calendar date and every cut-off at the end of a day (the
//! defaults), so a row needs only its three local day numbers. Times are decoded straight to
//! `i32` days; a first pass over the block computes each row's attribute counter and cohort
//! kind without branches; the second counts: two increments a row in the cohort view, an
//! activity run in the activity view.

use super::cells::{attribute, count};
use super::kind::{
    end_day, ended_kind, kind_at, open_kind, KINDS, KIND_COUNTER, NOT_ENDED, OVERDUE,
};
use super::{CodeBlock, Partial, Plan, Segment, BLOCK};
use crate::classify::{Outcome, SupplementRule, DAY};
use crate::columnar::Columns;
use crate::dossier::{StatusGroup, GROUP_OF_CODE};

/// The per-block buffers: the three local days, and what the first pass derives from them.
struct DayBlock {
    rday: Vec<i32>,
    dday: Vec<i32>,
    fday: Vec<i32>,
    /// Counting group of the row's status (0: left out).
    grp: Vec<u8>,
    /// Kind at the cohort's cut-off.
    kind: Vec<u8>,
    /// The row's attribute counter in a cell.
    attr: Vec<u8>,
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
            rep: vec![0; BLOCK],
            synced: vec![1; BLOCK],
        }
    }
}

/// One worker over its segments.
#[allow(clippy::too_many_lines)] // one hot loop, kept whole so that it stays specialised
pub(super) fn work(
    chunks: &[Columns<'_>],
    segments: &[Segment],
    plan: &Plan<'_>,
    np: usize,
) -> Partial {
    let mut out = Partial::new(plan, np);
    let mut codes = CodeBlock::new();
    let mut b = DayBlock::new();
    let repeated = plan.classify.supplement_rule == SupplementRule::RepeatedIsOverdue;
    let day = |s: i64| s.div_euclid(DAY).clamp(-(1 << 30), 1 << 30) as i32;
    let first_day = plan.first_day;
    let ws = day(plan.window_start);
    let as_of_day = day(plan.as_of);
    let last_day = day(plan.last_cutoff);
    let table_days = plan.period_of_day.len() as i64;
    let cutoff_day: Vec<i32> = plan.period_cutoff.iter().map(|&s| day(s)).collect();
    let never = StatusGroup::NeverReceived as u8;
    for seg in segments {
        let cols = &chunks[seg.chunk];
        let mut skip = cols.skip.partition_point(|&r| r < seg.lo);
        let mut lo = seg.lo;
        while lo < seg.hi {
            if plan.cancelled() {
                out.cancelled = true;
                return out;
            }
            let len = BLOCK.min(seg.hi - lo);
            cols.received.fill_days_ordered(lo, &mut b.rday[..len]);
            cols.due.fill_days(lo, &mut b.dday[..len]);
            cols.finished.fill_days(lo, &mut b.fday[..len]);
            codes.fill(cols, plan.group_by, lo, len, &mut skip);
            for (g, &code) in b.grp[..len].iter_mut().zip(&codes.status[..len]) {
                *g = GROUP_OF_CODE[code as usize];
            }
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
            {
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
                    kind_s[j] =
                        kind_at(g_s[j], rd_s[j], dd_s[j], fd_s[j], rep_s[j] != 0, as_of_day);
                    attr_s[j] = attribute(ch_s[j], lv_s[j], syn_s[j] != 0) as u8;
                }
            }
            // second pass: counting
            for j in 0..len {
                let g = b.grp[j];
                if g == 0 {
                    continue; // left out (rejected or repeated): reported by preparation
                }
                let attr = usize::from(b.attr[j]);
                let (rd, dd, fd) = (b.rday[j], b.dday[j], b.fday[j]);
                if plan.cohort {
                    if g == never || rd > as_of_day || rd < ws {
                        let o = if g == never {
                            Outcome::NotReceived
                        } else {
                            Outcome::OutsideWindow
                        };
                        count(&mut out.excluded, o, attr, false);
                        continue;
                    }
                    let p = plan.period_of_day[(rd - first_day) as usize] as usize;
                    let base = out.base(codes.group[j] as usize, p, np);
                    out.cells[base + KIND_COUNTER[usize::from(b.kind[j])]] += 1;
                    out.cells[base + attr] += 1;
                    continue;
                }
                // activity view
                if g == never || rd > last_day {
                    let o = if g == never {
                        Outcome::NotReceived
                    } else {
                        Outcome::OutsideWindow
                    };
                    count(&mut out.excluded, o, attr, false);
                    continue;
                }
                let end = end_day(g, rd, fd);
                let ended_k = ended_kind(g, fd, dd);
                if end < ws {
                    // ended before the window: its outcome at the window's start
                    count(&mut out.excluded, KINDS[usize::from(ended_k)], attr, false);
                    continue;
                }
                let rep = b.rep[j] != 0;
                let open = open_kind(g, rep);
                let dated = open == super::kind::WITHIN && dd != crate::columnar::NO_DAY;
                let first = plan.period_of_day[(rd.max(ws) - first_day) as usize] as usize;
                let ended = end != NOT_ENDED && end <= last_day;
                let last = if ended {
                    plan.period_of_day[(end - first_day) as usize] as usize
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
                out.activity(
                    codes.group[j] as usize,
                    np,
                    first,
                    if ended { last } else { np },
                    KIND_COUNTER[usize::from(open)],
                    KIND_COUNTER[usize::from(OVERDUE)],
                    overdue_from,
                    ended.then(|| (last, KIND_COUNTER[usize::from(ended_k)])),
                    rd < ws,
                    attr,
                );
            }
            lo += len;
        }
    }
    out
}
