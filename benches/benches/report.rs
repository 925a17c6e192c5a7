//! The report kernel on columns (the path the Arrow adapter feeds, no copy of time buffers):
//! cohort and activity views by unit × ISO week and unit × month, 1M and 10M dossiers, and rubric
//! scoring of 1,000 units. Data: `Table::synthetic` (seeded, 40 units, 2023, sorted by reception).
//!
//! Each bench checks its result before timing: conservation (every row counted, excluded or
//! rejected), the Biểu II.06a identity per row, and the cohort total equal to a plain record-by-
//! record classification of the same rows.
//!
//! Under `cargo test --benches` (no `--bench` flag) criterion runs each once on 100k rows.

use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use tthc_metrics::{
    classify_facts, score_units, ClassifyOptions, Facts, Granularity, Outcome, ReportOptions,
    Rubric, ScoreInputs, Status, Tally, View,
};
use tthc_metrics_benches::Table;

fn full_run() -> bool {
    std::env::args().any(|a| a == "--bench")
}

fn sizes() -> Vec<usize> {
    if full_run() {
        vec![1_000_000, 10_000_000]
    } else {
        vec![100_000]
    }
}

fn options(view: View, g: Granularity) -> ReportOptions {
    ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 12, 31).unwrap())
        .view(view)
        .granularity(Some(g))
        .start(NaiveDate::from_ymd_opt(2023, 1, 1))
}

/// The cohort total by classifying each row on its own (no kernel, no periods).
fn plain_cohort_total(t: &Table, o: &ReportOptions) -> Tally {
    let cols = t.columns();
    let cutoff = tthc_metrics::local_seconds(o.as_of);
    let mut tally = Tally::default();
    for i in 0..t.len() {
        let f = Facts {
            received: cols.received.local_seconds(i).unwrap(),
            due: cols.due.local_seconds(i),
            finished: cols.finished.local_seconds(i),
            status: Status::from_column_code(t.status[i]).unwrap(),
            supplement_requests: 0,
        };
        let outcome = classify_facts(&f, cutoff, &ClassifyOptions::default());
        if outcome.is_counted() {
            let ch = [
                tthc_metrics::Channel::Direct,
                tthc_metrics::Channel::Online,
                tthc_metrics::Channel::Post,
            ][usize::from(t.channel[i]) - 1];
            let lv = [
                tthc_metrics::OnlineService::None,
                tthc_metrics::OnlineService::Partial,
                tthc_metrics::OnlineService::Full,
            ][usize::from(t.online[i])];
            tally.add(outcome, ch, lv, true, false);
        } else {
            tally.add(
                Outcome::NotReceived,
                tthc_metrics::Channel::Direct,
                tthc_metrics::OnlineService::None,
                true,
                false,
            );
        }
    }
    tally
}

fn check(t: &Table, o: &ReportOptions) {
    let r = t.report(o);
    assert_eq!(
        r.dossiers_in_rows() + r.excluded.total() + r.rejected.len() as u64,
        t.len() as u64
    );
    for row in &r.rows {
        let x = row.tally;
        assert_eq!(x.received() + x.carried_over, x.handled());
        assert_eq!(
            x.handled(),
            x.finished() + x.unfinished() + x.awaiting() + x.refused_withdrawn()
        );
    }
    if o.view == View::Cohort {
        let plain = plain_cohort_total(t, o);
        assert_eq!(r.total() + r.excluded, plain);
    }
}

fn kernel(c: &mut Criterion) {
    for n in sizes() {
        let t = Table::synthetic(n, 40, 7);
        let mut group = c.benchmark_group("report");
        group.throughput(Throughput::Elements(n as u64));
        group.sample_size(10);
        for (view, vname) in [(View::Cohort, "cohort"), (View::Activity, "activity")] {
            for (g, gname) in [
                (Granularity::Week, "unit_week"),
                (Granularity::Month, "unit_month"),
            ] {
                let o = options(view, g);
                check(&t, &o);
                group.bench_function(BenchmarkId::new(format!("{vname}/{gname}"), n), |b| {
                    b.iter(|| black_box(t.report(&o).rows.len()));
                });
            }
        }
        group.finish();
    }
}

fn scoring(c: &mut Criterion) {
    let rubric = Rubric::preset("decision-766-progress").unwrap();
    let units: Vec<(String, ScoreInputs)> = (0..1_000u64)
        .map(|i| {
            let t = Tally {
                on_time: 900 + i % 97,
                late: 10 + i % 13,
                within_due: 50,
                overdue: i % 7,
                received_online: 300 + i % 50,
                received_direct: 700,
                eligible: 800,
                eligible_online: 300,
                synced: 1_000,
                ..Tally::default()
            };
            (
                format!("UBND xã số {i:04}"),
                ScoreInputs::from(t).with_complaints(i % 5),
            )
        })
        .collect();
    let day = NaiveDate::from_ymd_opt(2023, 10, 16).unwrap();
    let ranked = score_units(&rubric, &units, day).unwrap();
    assert_eq!(ranked.len(), 1_000);
    assert!(ranked
        .windows(2)
        .all(|w| w[0].score.earned >= w[1].score.earned));
    let mut group = c.benchmark_group("scoring");
    group.throughput(Throughput::Elements(1_000));
    group.bench_function("decision_766/1000_units", |b| {
        b.iter(|| black_box(score_units(&rubric, &units, day).unwrap().len()));
    });
    group.finish();
}

criterion_group!(benches, kernel, scoring);
criterion_main!(benches);
