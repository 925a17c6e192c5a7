//! The general path: any cut-off and either comparison, over local seconds, each dossier
//! classified with [`classify_facts`] (the activity view's runs found by binary search over the
//! periods, since a dossier's outcome only moves from open to overdue before it ends).

use super::cells::{attribute, count, outcome_counter, COMBOS};
use super::{CodeBlock, Partial, Plan, Segment, BLOCK};
use crate::classify::{classify_facts, Facts, Outcome, DAY};
use crate::columnar::{Columns, NONE};
use crate::dossier::{Status, StatusGroup};

/// One worker over its segments.
pub(super) fn work(
    chunks: &[Columns<'_>],
    segments: &[Segment],
    plan: &Plan<'_>,
    np: usize,
) -> Partial {
    let mut out = Partial::new(plan, np);
    let mut received = vec![0i64; BLOCK];
    let mut due = vec![0i64; BLOCK];
    let mut finished = vec![0i64; BLOCK];
    let mut codes = CodeBlock::new();
    let day = |t: i64| (t.div_euclid(DAY) - i64::from(plan.first_day)) as usize;
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
            cols.received.fill_block(lo, &mut received[..len]);
            cols.due.fill_block(lo, &mut due[..len]);
            cols.finished.fill_block(lo, &mut finished[..len]);
            codes.fill(cols, plan.group_by, lo, len, &mut skip);
            for j in 0..len {
                let i = lo + j;
                let Some(status) = Status::from_column_code(codes.status[j]) else {
                    continue; // left out (rejected or repeated): reported by preparation
                };
                let (r, d, f) = (received[j], due[j], finished[j]);
                let facts = Facts {
                    received: r,
                    due: (d != NONE).then_some(d),
                    finished: (f != NONE).then_some(f),
                    status,
                    supplement_requests: cols.supplement_requests.map_or(0, |s| s[i]),
                };
                let attr = attribute(
                    codes.channel[j],
                    codes.level[j],
                    cols.synced.is_none_or(|s| s[i]),
                );
                let g = codes.group[j] as usize;
                let classify = |cutoff: i64| classify_facts(&facts, cutoff, &plan.classify);
                if plan.cohort {
                    let outcome = classify(plan.as_of);
                    if !outcome.is_counted() || r < plan.window_start {
                        let o = if outcome.is_counted() {
                            Outcome::OutsideWindow
                        } else {
                            outcome
                        };
                        count(&mut out.excluded, o, attr, false);
                        continue;
                    }
                    let p = plan.period_of_day[day(r)] as usize;
                    let base = out.base(g, p, np);
                    count(&mut out.cells[base..base + COMBOS], outcome, attr, false);
                    continue;
                }
                if status.group() == StatusGroup::NeverReceived || r > plan.last_cutoff {
                    count(&mut out.excluded, classify(plan.last_cutoff), attr, false);
                    continue;
                }
                let end = facts.end();
                if end.is_some_and(|e| e < plan.window_start) {
                    count(
                        &mut out.excluded,
                        classify(plan.window_start - 1),
                        attr,
                        false,
                    );
                    continue;
                }
                let first = plan.period_of_day[day(r.max(plan.window_start))] as usize;
                let ended = end.filter(|&e| e <= plan.last_cutoff);
                let last = ended.map_or(np - 1, |e| plan.period_of_day[day(e)] as usize);
                let open_end = if ended.is_some() { last } else { np };
                let open = if first < open_end {
                    classify(plan.period_cutoff[first])
                } else {
                    Outcome::WithinDue
                };
                // outcomes only move from open to overdue: the first overdue period
                let overdue_from = if open == Outcome::Overdue {
                    first
                } else {
                    first
                        + plan.period_cutoff[first..open_end]
                            .partition_point(|&c| classify(c) != Outcome::Overdue)
                };
                out.activity(
                    g,
                    np,
                    first,
                    open_end,
                    outcome_counter(open, false),
                    outcome_counter(Outcome::Overdue, false),
                    overdue_from,
                    (
                        ended.is_some(),
                        last,
                        outcome_counter(classify(plan.period_cutoff[last]), false),
                    ),
                    r < plan.window_start,
                    attr,
                );
            }
            lo += len;
        }
    }
    out
}
