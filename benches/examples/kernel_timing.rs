//! Quick timing of the report kernel on synthetic columns (not a benchmark: see benches/).
use std::time::Instant;

use chrono::NaiveDate;
use tthc_metrics::{Granularity, GroupBy, ReportOptions, View};
use tthc_metrics_benches::Table;

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(10_000_000);
    let t = Table::synthetic(n, 40, 7);
    // third argument "random": receptions in random order (the sorted order's same-day shortcut off)
    let t = if std::env::args().nth(3).as_deref() == Some("random") {
        t.shuffled(11)
    } else {
        t
    };
    let as_of = NaiveDate::from_ymd_opt(2023, 12, 31).unwrap();
    // cohort and activity by unit x ISO week; "tally": one cohort tally (no unit, no period)
    let what = std::env::args().nth(2).unwrap_or_default();
    let views = match what.as_str() {
        "cohort" | "tally" => vec![View::Cohort],
        "activity" => vec![View::Activity],
        _ => vec![View::Cohort, View::Activity],
    };
    for view in views {
        let mut o = ReportOptions::end_of_day(as_of)
            .view(view)
            .granularity(Some(Granularity::Week))
            .start(NaiveDate::from_ymd_opt(2023, 1, 1));
        if what == "tally" {
            o = o.group_by(GroupBy::Total).granularity(None);
        }
        // the machine is shared: the minimum of several runs is the figure, the median beside it
        let runs: usize = std::env::var("RUNS")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(7);
        let mut times = Vec::with_capacity(runs);
        let mut rows_out = 0;
        for _ in 0..runs {
            let s = Instant::now();
            let r = t.report(&o);
            times.push(s.elapsed().as_secs_f64());
            rows_out = r.rows.len();
        }
        times.sort_by(f64::total_cmp);
        let (min, median) = (times[0], times[runs / 2]);
        println!(
            "{view:?} {n} rows: min {min:.3} s = {:.0} M rows/s, median {median:.3} s ({rows_out} rows out)",
            n as f64 / min / 1e6,
        );
    }
}
