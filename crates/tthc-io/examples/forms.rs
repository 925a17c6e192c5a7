//! What a Rust service does to send the forms: the Krông Nô 2023 sample's Biểu II.06a for the
//! Decree 09/2019 month of October 2023 (15/09–14/10) under both bucket policies, by unit and by
//! level, and its Friday report of 13/10/2023, written to `out/`.
//!
//! `cargo run --release -p tthc-io --example forms [out-dir]`

use std::path::PathBuf;

use chrono::NaiveDate;
use tthc_metrics::{
    quality, report, Bieu06a, Bieu06aOptions, BucketPolicy, FormRows, Granularity, Period,
    ReportOptions, WeeklyOptions, WeeklyReport,
};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let out = PathBuf::from(std::env::args().nth(1).unwrap_or_else(|| "out".into()));
    std::fs::create_dir_all(&out)?;
    let data = tthc_sample::krong_no_2023();
    let tree = tthc_sample::krong_no_units();
    let d = |m, day| NaiveDate::from_ymd_opt(2023, m, day).ok_or("date");
    let month = Period::of(Granularity::Decree09Month, d(10, 14)?);
    for (rows, buckets, name) in [
        (
            FormRows::Unit,
            BucketPolicy::Strict,
            "bieu_06a_2023-10_strict.xlsx",
        ),
        (
            FormRows::Unit,
            BucketPolicy::Inclusive,
            "bieu_06a_2023-10_inclusive.xlsx",
        ),
        (
            FormRows::Levels,
            BucketPolicy::Strict,
            "bieu_06a_2023-10_levels.xlsx",
        ),
        (
            FormRows::Field,
            BucketPolicy::Strict,
            "bieu_06a_2023-10_field.xlsx",
        ),
    ] {
        let o = Bieu06aOptions::new(month)
            .rows(rows)
            .buckets(buckets)
            .reporting_unit("UBND huyện Krông Nô")
            .receiving_unit("UBND tỉnh Đắk Nông")
            .signed("Krông Nô", Some(d(10, 16)?));
        let r = report(
            &data,
            &o.report_options(ReportOptions::end_of_day(d(10, 16)?)),
        )?;
        let t = (rows != FormRows::Field).then_some(&tree);
        let form = Bieu06a::new(&r, t, &o)?;
        tthc_io::write_bieu_06a(&form, out.join(name))?;
        println!("{}", out.join(name).display());
    }
    let friday = d(10, 13)?;
    let o = WeeklyOptions::new(friday)?
        .peak(Some(Period::new(d(10, 18)?, d(11, 18)?)?))
        .units(
            "UBND huyện Krông Nô",
            "UBND tỉnh Đắk Nông",
            Some("Krông Nô".into()),
        );
    let base = ReportOptions::end_of_day(friday);
    let w = WeeklyReport::new(
        &report(&data, &o.week_options(base.clone()))?,
        &report(&data, &o.year_options(base.clone()))?,
        &quality(&data, &o.quality_options(&base), None)?,
        Some(&tree),
        &o,
    )?;
    let path = out.join("weekly_2023-10-13.xlsx");
    tthc_io::write_weekly(&w, &path)?;
    println!("{}", path.display());
    Ok(())
}
