//! Each way a file fails: a typed error whose message names the file (and sheet, row,
//! column), never a panic.
// tests build their inputs as text: the pedantic string lints buy nothing here
#![allow(
    clippy::format_push_string,
    clippy::format_collect,
    clippy::cast_lossless
)]

mod common;

use common::*;
use tthc_io::{read_export, IoError, ReadOptions, Sheet};

#[test]
fn an_unreadable_file() {
    let e = read_export("/nonexistent/dir/orders.xlsx", &ReadOptions::default()).unwrap_err();
    assert_eq!(e.code(), "io_error");
    assert!(
        e.to_string()
            .starts_with("orders.xlsx: cannot read the file"),
        "{e}"
    );
    // a damaged workbook: a zip cut in half
    let x = xlsx();
    let e = read(&x[..x.len() / 2], "cut.xlsx").unwrap_err();
    assert_eq!(e.code(), "corrupt_file", "{e}");
    assert!(e.to_string().starts_with("cut.xlsx"), "{e}");
    // a BIFF signature over garbage
    let mut fake = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
    fake.extend(std::iter::repeat_n(7u8, 2000));
    let e = read(&fake, "old.xls").unwrap_err();
    assert_eq!(e.code(), "corrupt_file", "{e}");
}

#[test]
fn an_empty_sheet_or_file() {
    for (bytes, name) in [
        (&b""[..], "empty.csv"),
        (b"  \r\n \n", "blank.csv"),
        (b"[]", "empty.json"),
        (b"{\"data\": []}", "empty2.json"),
    ] {
        let e = read(bytes, name).unwrap_err();
        assert_eq!(e.code(), "empty_sheet", "{name}: {e}");
        assert!(e.to_string().starts_with(name), "{e}");
    }
    let x = xlsx_with("", &[]);
    let e = read(&x, "blank.xlsx").unwrap_err();
    assert_eq!(e.code(), "empty_sheet", "{e}");
    assert_eq!(e.to_string(), "blank.xlsx, sheet \"S\": the sheet is empty");
    let e = tthc_io::read_export_bytes(
        &xlsx(),
        "a.xlsx",
        &ReadOptions::default().sheet(Sheet::Name("Tổng hợp".into())),
    )
    .unwrap_err();
    assert_eq!(e.code(), "no_such_sheet");
    assert!(e.to_string().contains("\"Danh sách\""), "{e}");
}

#[test]
fn a_header_row_that_cannot_be_found() {
    let csv = "BÁO CÁO;x\nSTT;Ngày nhận;Người nộp\n1;02/10/2023;A\n";
    let e = read(csv.as_bytes(), "orders.csv").unwrap_err();
    assert_eq!(e.code(), "no_header");
    assert!(e.is_schema_error());
    assert_eq!(
        e.to_string(),
        "orders.csv: no header row in rows 1-30 (the best, row 2, matched 1 known header: \"Ngày nhận\"; a header needs 2, among them received_at or status); name the header row with header_row=... or the columns with columns={...}"
    );
    let e = read(b"a;b;c\n1;2;3\n", "x.csv").unwrap_err();
    assert!(
        e.to_string()
            .contains("no row matched a known header; row 1 reads \"a\", \"b\", \"c\""),
        "{e}"
    );
    // a mapped column that is not there
    let o = ReadOptions::default()
        .columns(tthc_arrow::ColumnMap::new([("Ngày TN", "received_at")]).unwrap());
    let e = tthc_io::read_export_bytes(
        "Mã hồ sơ;Trạng thái;Ngày nhận\nA;4;02/10/2023\n".as_bytes(),
        "m.csv",
        &o,
    )
    .unwrap_err();
    assert_eq!(e.code(), "missing_column", "{e}");
    assert!(
        e.to_string()
            .starts_with("m.csv, header row 1: missing column \"Ngày TN\""),
        "{e}"
    );
}

#[test]
fn garbage_under_a_date_header() {
    let csv = "Mã hồ sơ;Ngày tiếp nhận;Trạng thái\nA;Nguyễn Văn A;4\nB;Trần Thị B;4\nC;Lê C;4\n";
    let e = read(csv.as_bytes(), "hs.csv").unwrap_err();
    assert_eq!(e.code(), "wrong_content");
    assert!(e.is_schema_error());
    assert_eq!(
        e.to_string(),
        "hs.csv: column \"Ngày tiếp nhận\" (read as received_at) holds no dates: 3 values, none a date or time, e.g. \"Nguyễn Văn A\" in row 2; map the right column with columns={...}"
    );
    // in a workbook the sheet is named
    let sheet = r#"<row r="1"><c t="s"><v>0</v></c><c t="s"><v>1</v></c><c t="s"><v>2</v></c></row><row r="2"><c t="s"><v>3</v></c><c t="s"><v>3</v></c><c><v>4</v></c></row><row r="3"><c t="s"><v>3</v></c><c t="s"><v>3</v></c><c><v>4</v></c></row><row r="4"><c t="s"><v>3</v></c><c t="s"><v>3</v></c><c><v>4</v></c></row>"#;
    let e = read(
        &xlsx_with(sheet, &["Mã hồ sơ", "Ngày hẹn trả", "Trạng thái", "xyz"]),
        "d.xlsx",
    )
    .unwrap_err();
    assert_eq!(e.code(), "wrong_content", "{e}");
    assert!(
        e.to_string()
            .starts_with("d.xlsx, sheet \"S\": column \"Ngày hẹn trả\" (read as due_at)"),
        "{e}"
    );
    // two bad values are the adapter's to reject row by row, not the column's
    let ok = "Mã hồ sơ;Ngày tiếp nhận;Trạng thái\nA;hôm qua;4\nB;02/10/2023;4\n";
    assert!(read(ok.as_bytes(), "ok.csv").is_ok());
}

#[test]
fn a_file_that_is_not_a_table_at_all() {
    let cases: [(&[u8], &str, &str); 6] = [
        (b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR", "logo.png", "binary data"),
        (b"%PDF-1.7\n\x00\x01\x02", "report.pdf", "binary data"),
        (
            b"Dear colleagues\nplease find the figures attached\n",
            "note.txt",
            "no delimiter",
        ),
        (
            b"<html><body><p>Xin chao</p></body></html>",
            "page.xls",
            "no table",
        ),
        (
            b"{\"status\": \"ok\", \"count\": 3}",
            "api.json",
            "no list of records",
        ),
        (b"[1, 2, 3]", "list.json", "a number"),
    ];
    for (bytes, name, says) in cases {
        let e = read(bytes, name).unwrap_err();
        assert_eq!(e.code(), "unsupported_format", "{name}: {e}");
        assert!(
            e.to_string().starts_with(&format!("{name}: ")) && e.to_string().contains(says),
            "{e}"
        );
        assert!(!e.is_schema_error());
    }
    // a zip that is no workbook (a .docx)
    let docx = zip(&[("word/document.xml", b"<w:document/>")]);
    let e = read(&docx, "letter.docx").unwrap_err();
    assert_eq!(e.code(), "unsupported_format", "{e}");
    // damaged JSON
    let e = read(b"{\"data\": [{\"MaHoSo\": ", "cut.json").unwrap_err();
    assert_eq!(e.code(), "corrupt_file", "{e}");
}

#[test]
fn text_that_is_not_utf8_names_its_row_and_column() {
    let mut csv = "Mã hồ sơ;Ngày tiếp nhận;Trạng thái;Đơn vị\nA;02/10/2023;4;x\n"
        .as_bytes()
        .to_vec();
    csv.extend(b"B;02/10/2023;4;UBND x\xe3 A\n");
    let e = read(&csv, "win.csv").unwrap_err();
    assert_eq!(e.code(), "bad_encoding", "{e}");
    assert!(e.to_string().contains("row 3, column \"Đơn vị\""), "{e}");
    assert!(matches!(e, IoError::Encoding { .. }));
}
