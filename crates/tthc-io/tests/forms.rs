//! The form files read back (issue 12): every unit's eleven numbers, the total and the title
//! block of the .xlsx equal the form's; headers merged as the Biểu II.06a groups them; the gap
//! sheet; the Friday report's counts; a path that cannot be written leaves nothing behind.

// cells hold whole numbers written exactly; comparing them exactly is the point
#![allow(clippy::float_cmp)]

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use chrono::NaiveDate;
use tthc_metrics::{
    quality, report, Bieu06a, Bieu06aOptions, BucketPolicy, FormRowKind, FormRows, Granularity,
    Period, ReportOptions, WeeklyOptions, WeeklyReport,
};

fn d(m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, m, day).unwrap()
}

fn form(rows: FormRows, buckets: BucketPolicy) -> Bieu06a {
    let data = tthc_sample::krong_no_2023();
    let tree = tthc_sample::krong_no_units();
    let o = Bieu06aOptions::new(Period::of(Granularity::Decree09Month, d(10, 1)))
        .rows(rows)
        .buckets(buckets)
        .reporting_unit("UBND huyện Krông Nô")
        .receiving_unit("UBND tỉnh Đắk Nông")
        .signed("Krông Nô", Some(d(10, 16)));
    let r = report(
        &data,
        &o.report_options(ReportOptions::end_of_day(d(10, 16))),
    )
    .unwrap();
    Bieu06a::new(&r, (rows != FormRows::Field).then_some(&tree), &o).unwrap()
}

fn sheet(bytes: &[u8], name: &str) -> (calamine::Range<Data>, Vec<calamine::Dimensions>) {
    let mut wb = Xlsx::new(Cursor::new(bytes.to_vec())).unwrap();
    let range = wb.worksheet_range(name).unwrap();
    let merged = wb.merge_cells_by_sheet_name(name).unwrap();
    (range, merged)
}

fn text(c: &Data) -> String {
    match c {
        Data::String(s) => s.clone(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn int(c: &Data) -> u64 {
    match c {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        Data::Float(f) if f.fract() == 0.0 && *f >= 0.0 => *f as u64,
        Data::Int(i) => u64::try_from(*i).unwrap(),
        other => panic!("not a count: {other:?}"),
    }
}

/// The row holding the column numbers 1..=13 (where the data starts after).
fn numbers_row(r: &calamine::Range<Data>) -> usize {
    r.rows()
        .position(|row| {
            row.len() >= 13
                && (0..13)
                    .all(|i| matches!(&row[i], Data::Float(f) if *f == f64::from(i as u32 + 1)))
        })
        .expect("a row of column numbers 1 to 13")
}

#[test]
fn every_row_reads_back_as_the_form_has_it() {
    for rows in [FormRows::Unit, FormRows::Field, FormRows::Levels] {
        for buckets in [BucketPolicy::Strict, BucketPolicy::Inclusive] {
            let f = form(rows, buckets);
            let bytes = tthc_io::bieu_06a_xlsx(&f).unwrap();
            let (r, merged) = sheet(&bytes, "Biểu II.06a");
            let all: Vec<String> = r.rows().flat_map(|row| row.iter().map(text)).collect();
            for line in [
                &f.header.form_code,
                &f.header.title,
                &f.header.reporting_unit,
                &f.header.receiving_unit,
                &f.header.period,
                &f.header.unit_of_count,
                &f.header.place_and_date,
            ] {
                assert!(all.contains(line), "{line:?} missing");
            }
            assert!(all
                .iter()
                .any(|c| c.contains("Từ ngày 15/09/2023 đến ngày 14/10/2023")));
            let n = numbers_row(&r);
            let data: Vec<&[Data]> = r.rows().skip(n + 1).take(f.rows.len()).collect();
            for (row, cells) in f.rows.iter().zip(&data) {
                assert_eq!(text(&cells[0]), row.number);
                assert_eq!(text(&cells[1]), row.label);
                let got: Vec<u64> = cells[2..13].iter().map(int).collect();
                assert_eq!(got, row.counts.columns(), "{}", row.label);
                if buckets == BucketPolicy::Strict {
                    assert_eq!(text(&cells[13]), row.gap_note(buckets));
                }
            }
            assert_eq!(text(&data.last().unwrap()[1]), "Tổng cộng");
            // the grouped headers are merged cells spanning their columns
            let (top, _) = r.start().unwrap();
            let spans: Vec<(u32, u32, u32, u32)> = merged
                .iter()
                .map(|m| (m.start.0 - top, m.start.1, m.end.0 - top, m.end.1))
                .collect();
            let header_top = u32::try_from(n).unwrap() - 4;
            for c in f.header_cells() {
                let want = (
                    header_top + u32::from(c.first_row),
                    u32::from(c.first_col),
                    header_top + u32::from(c.last_row),
                    u32::from(c.last_col),
                );
                let single = c.first_row == c.last_row && c.first_col == c.last_col;
                assert!(
                    single || spans.contains(&want),
                    "{} not merged as {want:?}",
                    c.text
                );
            }
        }
    }
}

#[test]
fn the_gap_sheet_gives_the_parts_of_each_rows_gap() {
    let f = form(FormRows::Unit, BucketPolicy::Strict);
    let bytes = tthc_io::bieu_06a_xlsx(&f).unwrap();
    let (r, _) = sheet(&bytes, "Chênh lệch");
    let start = r.rows().position(|row| text(&row[0]) == "STT").unwrap();
    for (row, cells) in f.rows.iter().zip(r.rows().skip(start + 1)) {
        assert_eq!(text(&cells[1]), row.label);
        assert_eq!(int(&cells[2]), row.gap.total());
        let c = row.counts;
        assert_eq!(int(&cells[2]), c.to_handle - c.finished - c.unfinished);
        let parts: Vec<u64> = cells[3..8].iter().map(int).collect();
        assert_eq!(parts, row.gap.parts().map(|p| p.2));
    }
    // the inclusive form folds the gap: no such sheet
    let inclusive = tthc_io::bieu_06a_xlsx(&form(FormRows::Unit, BucketPolicy::Inclusive)).unwrap();
    let wb = Xlsx::new(Cursor::new(inclusive)).unwrap();
    assert_eq!(wb.sheet_names(), ["Biểu II.06a"]);
}

#[test]
fn level_sections_are_bold_subtotals_in_the_file() {
    let f = form(FormRows::Levels, BucketPolicy::Strict);
    let sections: Vec<&str> = f
        .rows
        .iter()
        .filter(|r| r.kind == FormRowKind::Section)
        .map(|r| r.label.as_str())
        .collect();
    assert_eq!(
        sections,
        ["Huyện, thị xã, thành phố", "Xã, phường, thị trấn"]
    );
    let bytes = tthc_io::bieu_06a_xlsx(&f).unwrap();
    let (r, _) = sheet(&bytes, "Biểu II.06a");
    let n = numbers_row(&r);
    let first = r.rows().nth(n + 1).unwrap();
    assert_eq!(
        (text(&first[0]), text(&first[1])),
        ("I".into(), sections[0].to_string())
    );
}

#[test]
fn the_friday_report_reads_back() {
    let data = tthc_sample::krong_no_2023();
    let o = WeeklyOptions::new(d(10, 13)).unwrap();
    let base = ReportOptions::end_of_day(d(10, 13));
    let w = WeeklyReport::new(
        &report(&data, &o.week_options(base.clone())).unwrap(),
        &report(&data, &o.year_options(base.clone())).unwrap(),
        &quality(&data, &o.quality_options(&base), None).unwrap(),
        None,
        &o,
    )
    .unwrap();
    let bytes = tthc_io::weekly_xlsx(&w).unwrap();
    let (r, _) = sheet(&bytes, "Báo cáo tuần");
    let all: Vec<String> = r.rows().flat_map(|row| row.iter().map(text)).collect();
    assert!(all.contains(
        &"Tuần từ ngày 06/10/2023 đến ngày 12/10/2023 (báo cáo ngày 13/10/2023)".to_string()
    ));
    let n = r
        .rows()
        .position(|row| {
            matches!(&row[0], Data::Float(f) if *f == 1.0)
                && matches!(&row[1], Data::Float(f) if *f == 2.0)
        })
        .unwrap();
    for (line, cells) in w.rows.iter().zip(r.rows().skip(n + 1)) {
        assert_eq!(text(&cells[1]), line.unit);
        let week = &line.week;
        let counts: Vec<u64> = [2, 3, 4, 5, 6, 7, 8, 10, 11]
            .iter()
            .map(|&i| int(&cells[i]))
            .collect();
        assert_eq!(
            counts,
            [
                week.received(),
                week.received_online,
                line.received_direct_post(),
                week.finished(),
                week.early,
                week.on_time,
                week.late,
                week.overdue,
                line.hanging
            ]
        );
        match line.on_time_rate() {
            Ok(rate) => assert_eq!(
                cells[9],
                Data::Float(
                    tthc_metrics::one_decimal_percent(&rate)
                        .to_string()
                        .parse()
                        .unwrap()
                )
            ),
            Err(_) => assert_eq!(text(&cells[9]), "-"),
        }
        match line.needed {
            Some(n) => assert_eq!(int(&cells[18]), n),
            None => assert_eq!(text(&cells[18]), "-"),
        }
    }
}

#[test]
fn an_unwritable_path_is_an_error_and_leaves_nothing() {
    let f = form(FormRows::Unit, BucketPolicy::Strict);
    let dir = std::env::temp_dir().join(format!("tthc-io-forms-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let err = tthc_io::write_bieu_06a(&f, dir.join("missing").join("b.xlsx")).unwrap_err();
    assert_eq!(err.code(), "write_error");
    assert!(err.to_string().contains("does not exist"), "{err}");
    // a folder in the way of the file: the rename fails, the temporary file is removed
    std::fs::create_dir_all(dir.join("b.xlsx")).unwrap();
    let err = tthc_io::write_bieu_06a(&f, dir.join("b.xlsx")).unwrap_err();
    assert_eq!(err.code(), "write_error");
    let left: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left, [std::ffi::OsString::from("b.xlsx")]);
    // and a good path gets the whole file
    tthc_io::write_bieu_06a(&f, dir.join("ok.xlsx")).unwrap();
    let bytes = std::fs::read(dir.join("ok.xlsx")).unwrap();
    let (written, _) = sheet(&bytes, "Biểu II.06a");
    let (fresh, _) = sheet(&tthc_io::bieu_06a_xlsx(&f).unwrap(), "Biểu II.06a");
    assert_eq!(written, fresh);
    std::fs::remove_dir_all(&dir).unwrap();
}
