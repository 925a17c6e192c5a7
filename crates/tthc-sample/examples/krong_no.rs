//! The seed letter's district table from the bundled Krông Nô sample: dossiers received
//! 01/01–16/10/2023, classified at the end of 16/10/2023, by unit, with the district total.
//!
//! Run: `cargo run -p tthc-sample --example krong_no`

use chrono::NaiveDate;
use tthc_metrics::rust_decimal::RoundingStrategy::MidpointAwayFromZero;
use tthc_metrics::{report, GroupBy, OnTimePolicy, OnlinePolicy, ReportOptions, Tally};

fn pct(t: &Tally, late: bool) -> String {
    let r = if late {
        t.late_rate(OnTimePolicy::ResolvedOnly)
    } else {
        t.on_time_rate(OnTimePolicy::ResolvedOnly)
    };
    r.map_or_else(
        |_| "–".into(),
        |r| format!("{}%", r.to_percent(1, MidpointAwayFromZero)),
    )
}

fn online(t: &Tally) -> String {
    t.online_share(OnlinePolicy::EligibleOnly).map_or_else(
        |_| "–".into(),
        |r| format!("{}%", r.to_percent(1, MidpointAwayFromZero)),
    )
}

fn line(name: &str, t: &Tally) {
    println!(
        "{:<46} {:>7} {:>7} {:>8} {:>9} {:>6} {:>8} {:>7} {:>8} {:>7} {:>8}",
        name,
        t.handled(),
        t.received_online,
        t.finished(),
        t.on_time_or_early(),
        t.late,
        pct(t, false),
        pct(t, true),
        t.handled() - t.finished(),
        t.overdue,
        online(t),
    );
}

fn main() -> Result<(), tthc_metrics::Error> {
    let dossiers = tthc_sample::krong_no_2023();
    let as_of = NaiveDate::from_ymd_opt(2023, 10, 16).expect("a valid date");
    let options = ReportOptions::end_of_day(as_of)
        .group_by(GroupBy::Unit)
        .granularity(None);
    let rep = report(&dossiers, &options)?.with_rollup(&tthc_sample::krong_no_units());

    println!(
        "Huyện Krông Nô: hồ sơ TTHC tiếp nhận 01/01–16/10/2023, phân loại cuối ngày 16/10/2023"
    );
    println!(
        "{:<46} {:>7} {:>7} {:>8} {:>9} {:>6} {:>8} {:>7} {:>8} {:>7} {:>8}",
        "unit",
        "recv",
        "online",
        "finished",
        "on time",
        "late",
        "on time%",
        "late%",
        "not fin.",
        "overdue",
        "online%"
    );
    for row in rep.rows.iter().filter(|r| !r.rollup) {
        line(row.group.as_deref().unwrap_or("total"), &row.tally);
    }
    println!("{}", "-".repeat(130));
    let district = rep
        .rows
        .iter()
        .find(|r| r.rollup && r.group.as_deref() == Some(tthc_sample::DISTRICT))
        .map_or_else(|| rep.total(), |r| r.tally);
    line(tthc_sample::DISTRICT, &district);
    println!(
        "\ninputs {}: counted {}, never received (excluded) {}, rejected {}",
        rep.inputs,
        rep.dossiers_in_rows(),
        rep.excluded.total(),
        rep.rejected.len()
    );
    println!(
        "Seed letter: 15.935 hồ sơ; đúng, trước hạn 10.677 (94,2%); trễ hạn 662 (5,8%). Below 95% on time: the TTHC criterion is lost."
    );
    Ok(())
}
