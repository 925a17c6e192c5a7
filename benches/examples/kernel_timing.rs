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
        for _ in 0..3 {
            let s = Instant::now();
            let r = t.report(&o);
            let e = s.elapsed().as_secs_f64();
            println!(
                "{view:?} {n} rows: {:.3} s = {:.0} M rows/s ({} rows out)",
                e,
                n as f64 / e / 1e6,
                r.rows.len()
            );
        }
    }
}
