//! Each format read into the same canonical table: title blocks, footers, pass-through
//! columns, source rows, the metadata.
// tests build their inputs as text: the pedantic string lints buy nothing here
#![allow(
    clippy::format_push_string,
    clippy::format_collect,
    clippy::cast_lossless
)]

mod common;

use arrow_schema::{DataType, TimeUnit};
use common::*;
use tthc_io::{Format, ReadOptions, Sheet};

fn some(v: &[&str]) -> Vec<Option<String>> {
    v.iter().map(|s| Some((*s).to_string())).collect()
}

fn check_common(e: &tthc_io::Export, what: &str) {
    let b = &e.batch;
    assert_eq!(b.num_rows(), 4, "{what}");
    assert_eq!(
        texts(b, "dossier_id"),
        some(&["H01", "H02", "H03", "H04"]),
        "{what}"
    );
    assert_eq!(
        texts(b, "unit")[0].as_deref(),
        Some("UBND xã Đắk Drô"),
        "{what}"
    );
    assert_eq!(
        texts(b, "status")[2].as_deref(),
        Some("10"),
        "{what}: a number cell 10 is \"10\""
    );
    let m = b.schema().metadata().clone();
    assert!(
        m["tthc_metrics.mapping"].contains("\"received_at\""),
        "{what}: {m:?}"
    );
    assert!(m.contains_key("tthc_metrics.source"), "{what}");
}

#[test]
fn xlsx_with_title_block_mixed_dates_and_footer() {
    let e = read(&xlsx(), "hs.xlsx").unwrap();
    check_common(&e, "xlsx");
    assert_eq!(e.format, Format::Xlsx);
    assert_eq!(e.sheet.as_deref(), Some("Danh sách"));
    assert_eq!(e.header_row, Some(5));
    let b = &e.batch;
    assert_eq!(
        names(b),
        [
            "STT",
            "dossier_id",
            "unit",
            "received_at",
            "status",
            "Ghi chú",
            "source_row"
        ]
    );
    // text kept, date cells written yyyy-MM-dd HH:mm:ss, a midnight date cell as a bare date
    assert_eq!(
        texts(b, "received_at"),
        some(&[
            "02/10/2023 08:00:00",
            "2023-10-03 09:30:00",
            "09:15, 04/10/2023",
            "2023-10-05"
        ])
    );
    assert_eq!(texts(b, "STT")[0].as_deref(), Some("1"));
    assert_eq!(source_rows(b), [6, 7, 8, 9]);
    // the blank row and the footer, listed
    assert_eq!(e.skipped.len(), 2, "{:?}", e.skipped);
    assert_eq!(
        (e.skipped[0].first, e.skipped[0].reason.as_str()),
        (10, "empty")
    );
    assert_eq!(e.skipped[1].first, 11);
    assert!(
        e.skipped[1].reason.contains("Tổng cộng: 4 hồ sơ"),
        "{:?}",
        e.skipped
    );
    let m = b.schema().metadata().clone();
    assert!(
        m["tthc_metrics.source"].contains("\"header_row\":5"),
        "{m:?}"
    );
    assert!(
        m["tthc_metrics.source"].contains("\"sheet\":\"Danh sách\""),
        "{m:?}"
    );
    assert!(
        m["tthc_metrics.skipped_rows"].contains("\"first\":11"),
        "{m:?}"
    );
}

#[test]
fn a_time_column_of_date_cells_only_is_a_timestamp() {
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    let f = rust_xlsxwriter::Format::new().set_num_format("dd/mm/yyyy hh:mm");
    for (c, h) in ["Mã hồ sơ", "Ngày tiếp nhận", "Trạng thái"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    for r in 1..=3u32 {
        ws.write_string(r, 0, format!("H{r}")).unwrap();
        let d = rust_xlsxwriter::ExcelDateTime::parse_from_str(&format!("2023-10-0{r} 08:3{r}:00"))
            .unwrap();
        ws.write_datetime_with_format(r, 1, &d, &f).unwrap();
        ws.write_number(r, 2, 4.0).unwrap();
    }
    // an Excel serial number in a time column is a date too
    ws.write_string(4, 0, "H4").unwrap();
    ws.write_number(4, 1, 45_215.5).unwrap();
    ws.write_number(4, 2, 4.0).unwrap();
    let e = read(&wb.save_to_buffer().unwrap(), "t.xlsx").unwrap();
    let b = &e.batch;
    assert_eq!(
        b.schema()
            .field_with_name("received_at")
            .unwrap()
            .data_type(),
        &DataType::Timestamp(TimeUnit::Second, None)
    );
    assert_eq!(
        texts(b, "received_at"),
        some(&[
            "2023-10-01 08:31:00",
            "2023-10-02 08:32:00",
            "2023-10-03 08:33:00",
            "2023-10-16 12:00:00"
        ])
    );
    assert_eq!(texts(b, "status"), some(&["4", "4", "4", "4"]));
}

#[test]
fn csv_with_each_delimiter_and_with_or_without_bom() {
    for d in [',', ';', '\t', '|'] {
        for bom in [false, true] {
            let what = format!("csv {d:?} bom={bom}");
            let e = read(&csv(d, bom), "hs.csv").unwrap_or_else(|e| panic!("{what}: {e}"));
            check_common(&e, &what);
            assert_eq!(e.format, Format::Csv);
            assert_eq!(e.header_row, Some(2), "{what}");
            assert_eq!(names(&e.batch)[0], "STT", "{what}");
            assert_eq!(
                texts(&e.batch, "received_at")[1].as_deref(),
                Some("2023-10-03 09:30:00"),
                "{what}"
            );
            assert_eq!(source_rows(&e.batch), [3, 4, 5, 6], "{what}");
            assert_eq!(e.skipped.len(), 1, "{what}: {:?}", e.skipped);
            // an empty field is null, not ""
            assert_eq!(texts(&e.batch, "Ghi chú")[1], None, "{what}");
        }
    }
}

#[test]
fn html_saved_as_xls() {
    let e = read(&html(), "DanhSachHoSo.xls").unwrap();
    check_common(&e, "html");
    assert_eq!(e.format, Format::HtmlTable);
    assert_eq!(e.header_row, Some(3));
    // &nbsp; reads as blank
    assert_eq!(texts(&e.batch, "Ghi chú")[1], None);
    assert_eq!(texts(&e.batch, "Ghi chú")[0].as_deref(), Some("gấp"));
    assert_eq!(e.skipped.len(), 1, "{:?}", e.skipped);
}

#[test]
fn html_colspan_and_rowspan_keep_columns_in_place() {
    let page =
        "<table><tr><th>Mã hồ sơ</th><th>Ngày nhận</th><th>Trạng thái</th><th>Đơn vị</th></tr>\
                <tr><td>H1</td><td>02/10/2023</td><td>4</td><td rowspan=2>UBND xã A</td></tr>\
                <tr><td>H2</td><td colspan=2>03/10/2023</td></tr>\
                <tr><td>H3</td><td>04/10/2023</td><td>10</td><td>UBND xã B</td></tr></table>";
    let e = read(page.as_bytes(), "t.html").unwrap();
    let b = &e.batch;
    assert_eq!(
        texts(b, "unit"),
        [Some("UBND xã A".into()), None, Some("UBND xã B".into())]
    );
    assert_eq!(
        texts(b, "status"),
        [Some("4".into()), None, Some("10".into())]
    );
}

#[test]
fn sync_json_records_nested_names_and_a_bare_list() {
    let e = read(&json(), "sync.json").unwrap();
    check_common(&e, "json");
    assert_eq!(e.format, Format::Json);
    assert_eq!(e.header_row, None);
    assert!(names(&e.batch).contains(&"agency.code".to_string()));
    assert!(names(&e.batch).contains(&"GhiChu".to_string()));
    assert_eq!(source_rows(&e.batch), [1, 2, 3, 4]);
    let bare = br#"[{"MaHoSo": "A", "NgayTiepNhan": "20231002080000", "TrangThaiHoSo": 4.0}, {"MaHoSo": "B", "NgayTiepNhan": null, "TrangThaiHoSo": 10, "extra": [1, 2]}]"#;
    let e = read(bare, "x.json").unwrap();
    assert_eq!(texts(&e.batch, "status"), some(&["4", "10"]));
    assert_eq!(texts(&e.batch, "extra"), [None, Some("[1,2]".to_string())]);
}

#[test]
fn sync_files_name_one_field_twice_the_first_in_preference_wins_and_both_are_recorded() {
    let csv = "MaHoSo,MaTTHC,TenTTHC,NgayTiepNhan,TrangThaiHoSo\nH1,1.00123,Đăng ký khai sinh,20231002080000,4\n";
    let e = read(csv.as_bytes(), "s.csv").unwrap();
    assert_eq!(
        names(&e.batch),
        [
            "dossier_id",
            "procedure",
            "TenTTHC",
            "received_at",
            "status",
            "source_row"
        ]
    );
    let m = e.batch.schema().metadata().clone();
    assert!(
        m["tthc_metrics.mapping"].contains("\"procedure\":\"MaTTHC\""),
        "{m:?}"
    );
    assert_eq!(
        m["tthc_metrics.unused_matches"],
        r#"{"procedure":["TenTTHC"]}"#
    );
}

#[test]
fn ods_sheet() {
    let rows = [
        ods_row(&["DANH SÁCH"]),
        ods_row(&["Mã hồ sơ", "Ngày tiếp nhận", "Trạng thái"]),
        ods_row(&["H1", "02/10/2023 08:00", "Đang xử lý"]),
        ods_row(&["H2", "03/10/2023", "10"]),
    ]
    .concat();
    let e = read(&ods_with(&rows), "hs.ods").unwrap();
    assert_eq!(e.format, Format::Ods);
    assert_eq!(e.header_row, Some(2));
    assert_eq!(texts(&e.batch, "dossier_id"), some(&["H1", "H2"]));
}

#[test]
fn options_choose_the_sheet_the_header_row_the_columns_and_carry_the_vocabulary() {
    let csv = "Số TT;Ngày TN;Tình trạng xử lý;Cơ quan\n1;02/10/2023;Hoàn tất;UBND xã A\n";
    // "Ngày TN" is no known header: found with the caller's mapping
    let map =
        tthc_arrow::ColumnMap::new([("Ngày TN", "received_at"), ("Tình trạng xử lý", "status")])
            .unwrap();
    let o = ReadOptions::default()
        .columns(map)
        .status_name("Hoàn tất", tthc_metrics::Status::Returned)
        .channel_name("Cổng DVC", tthc_metrics::Channel::Online)
        .online_service_name("TT", tthc_metrics::OnlineService::Full);
    let e = tthc_io::read_export_bytes(csv.as_bytes(), "a.csv", &o).unwrap();
    assert_eq!(
        names(&e.batch),
        ["Số TT", "received_at", "status", "Cơ quan", "source_row"]
    );
    let m = e.batch.schema().metadata().clone();
    assert_eq!(m["tthc_metrics.status_names"], r#"{"Hoàn tất":10}"#);
    assert_eq!(m["tthc_metrics.channel_names"], r#"{"Cổng DVC":2}"#);
    assert_eq!(m["tthc_metrics.online_service_names"], r#"{"TT":"full"}"#);
    // header_row= names the row
    let e = tthc_io::read_export_bytes(
        "x;y\nMa;Trạng thái\nA;4\n".as_bytes(),
        "b.csv",
        &ReadOptions::default().header_row(2),
    )
    .unwrap();
    assert_eq!(e.header_row, Some(2));
    assert_eq!(names(&e.batch), ["Ma", "status", "source_row"]);
    // a sheet by name or index
    let x = xlsx();
    let e =
        tthc_io::read_export_bytes(&x, "a.xlsx", &ReadOptions::default().sheet(Sheet::Index(0)))
            .unwrap();
    assert_eq!(e.batch.num_rows(), 4);
    let e = tthc_io::read_export_bytes(
        &x,
        "a.xlsx",
        &ReadOptions::default().sheet(Sheet::Name("danh sách".into())),
    )
    .unwrap();
    assert_eq!(e.sheet.as_deref(), Some("Danh sách"));
}

#[test]
fn a_sparse_sheet_with_a_far_away_cell_stays_small() {
    // the last cell of the grid: one extra row (a footer) and one extra column
    let sheet = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row><row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c><c r="C2"><v>4</v></c></row><row r="1048576"><c r="XFD1048576" t="s"><v>5</v></c></row>"#;
    let x = xlsx_with(
        sheet,
        &[
            "Mã hồ sơ",
            "Ngày tiếp nhận",
            "Trạng thái",
            "H1",
            "02/10/2023",
            "far",
        ],
    );
    let e = read(&x, "sparse.xlsx").unwrap();
    assert_eq!(e.batch.num_rows(), 1);
    assert_eq!(
        e.skipped.last().unwrap().first,
        1_048_576,
        "{:?}",
        e.skipped
    );
    assert_eq!(e.skipped[0].first, 3);
    assert_eq!(e.skipped[0].last, 1_048_575);
}

#[test]
fn a_large_csv_read_in_two_halves_keeps_every_row_in_order() {
    // more than the parallel threshold, quoted fields with line ends and delimiters, blank lines
    let mut csv = String::from("BÁO CÁO\nMã hồ sơ;Ngày tiếp nhận;Trạng thái;Ghi chú\n");
    let mut lines = Vec::new();
    let mut line = 3u64;
    let n = 120_000;
    for i in 0..n {
        lines.push(line);
        if i % 1000 == 7 {
            csv.push_str(&format!(
                "H{i};02/10/2023 08:00;4;\"hai\ndòng; \"\"trích\"\"\"\n"
            ));
            line += 2;
        } else {
            csv.push_str(&format!(
                "H{i};02/10/2023 08:00;Đang xử lý;ghi chú số {i} cho đủ dài\n"
            ));
            line += 1;
        }
        if i % 5000 == 4999 {
            csv.push('\n');
            line += 1;
        }
    }
    csv.push_str("Tổng cộng;;;\n");
    assert!(csv.len() > 8 << 20, "{}", csv.len());
    let e = read(csv.as_bytes(), "big.csv").unwrap();
    let b = &e.batch;
    assert_eq!(b.num_rows(), n);
    let ids = texts(b, "dossier_id");
    assert!(ids
        .iter()
        .enumerate()
        .all(|(i, id)| id.as_deref() == Some(format!("H{i}").as_str())));
    assert_eq!(
        source_rows(b),
        lines.iter().map(|&l| l as i64).collect::<Vec<_>>()
    );
    assert_eq!(
        texts(b, "Ghi chú")[7].as_deref(),
        Some("hai\ndòng; \"trích\"")
    );
    assert_eq!(
        e.skipped.iter().filter(|s| s.reason == "empty").count(),
        n / 5000,
        "{:?}",
        e.skipped
    );
    assert!(
        e.skipped.last().unwrap().reason.starts_with("footer"),
        "{:?}",
        e.skipped.last()
    );
}
