//! Untrusted files: each kind of bomb refused within the memory limit, quickly, with a typed
//! error (and what is genuine still read).
// tests build their inputs as text: the pedantic string lints buy nothing here
#![allow(
    clippy::format_push_string,
    clippy::format_collect,
    clippy::cast_lossless
)]

mod common;

use std::time::{Duration, Instant};

use common::*;
use tthc_io::ReadOptions;

fn quick<T>(what: &str, f: impl FnOnce() -> T) -> T {
    let t = Instant::now();
    let r = f();
    assert!(
        t.elapsed() < Duration::from_secs(20),
        "{what} took {:?}",
        t.elapsed()
    );
    r
}

/// Patches the uncompressed size of every entry of a zip (local and central headers).
fn lie_about_sizes(mut z: Vec<u8>, size: u32) -> Vec<u8> {
    let mut i = 0;
    while i + 30 < z.len() {
        if z[i..i + 4] == *b"PK\x03\x04" {
            z[i + 22..i + 26].copy_from_slice(&size.to_le_bytes());
        } else if z[i..i + 4] == *b"PK\x01\x02" {
            z[i + 24..i + 28].copy_from_slice(&size.to_le_bytes());
        }
        i += 1;
    }
    z
}

#[test]
fn a_zip_whose_entries_declare_huge_sizes() {
    let z = lie_about_sizes(xlsx(), 0xFFFF_FFF0);
    let e = quick("zip bomb", || read(&z, "bomb.xlsx")).unwrap_err();
    assert_eq!(e.code(), "too_large", "{e}");
    assert!(
        e.to_string().starts_with("bomb.xlsx: unpacking the zip"),
        "{e}"
    );
    // with a smaller limit, a genuine workbook is refused the same way
    let e = tthc_io::read_export_bytes(
        &xlsx(),
        "a.xlsx",
        &ReadOptions::default().memory_limit(20_000),
    )
    .unwrap_err();
    assert_eq!(e.code(), "too_large", "{e}");
}

#[test]
fn a_zip_entry_that_unpacks_to_more_than_it_declares() {
    // a deflated shared-strings table of 50 MB of spaces, declaring 100 bytes
    let big = format!("<sst uniqueCount=\"1\">{}</sst>", " ".repeat(50 << 20));
    let mut w = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let o = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    use std::io::Write;
    w.start_file("xl/workbook.xml", o).unwrap();
    w.write_all(b"<workbook/>").unwrap();
    w.start_file("xl/sharedStrings.xml", o).unwrap();
    w.write_all(big.as_bytes()).unwrap();
    let z = w.finish().unwrap().into_inner();
    assert!(z.len() < 200_000, "{}", z.len());
    // make every entry claim 100 bytes
    let z = lie_about_sizes(z, 100);
    let e = quick("lying entry", || read(&z, "lie.xlsx")).unwrap_err();
    assert!(matches!(e.code(), "too_large" | "corrupt_file"), "{e}");
}

#[test]
fn an_impossible_shared_strings_count() {
    // calamine reserves the announced count up front: 10^12 strings in a 150-byte table
    let base = xlsx_with("<row r=\"1\"><c t=\"s\"><v>0</v></c></row>", &["Mã hồ sơ"]);
    let sst = "<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"1\" uniqueCount=\"999999999999\"><si><t>Mã hồ sơ</t></si></sst>";
    let mut src = zip::ZipArchive::new(std::io::Cursor::new(base)).unwrap();
    let mut entries: Vec<(String, Vec<u8>)> = Vec::new();
    for i in 0..src.len() {
        let mut f = src.by_index(i).unwrap();
        let name = f.name().unwrap().to_string();
        let mut data = Vec::new();
        std::io::Read::read_to_end(&mut f, &mut data).unwrap();
        if name == "xl/sharedStrings.xml" {
            data = sst.as_bytes().to_vec();
        }
        entries.push((name, data));
    }
    let refs: Vec<(&str, &[u8])> = entries
        .iter()
        .map(|(n, d)| (n.as_str(), d.as_slice()))
        .collect();
    let x = zip(&refs);
    let e = quick("uniqueCount", || read(&x, "sst.xlsx")).unwrap_err();
    assert_eq!(e.code(), "too_large", "{e}");
    assert!(e.to_string().contains("shared strings"), "{e}");
}

#[test]
fn a_sheet_claiming_millions_of_rows_and_columns() {
    // a cell at row 1,048,576 and column XFD, and a dimension claiming the whole grid
    let sheet = r#"<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row><row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2"><v>4</v></c></row><row r="1048576"><c r="XFD1048576" t="s"><v>2</v></c></row>"#;
    let x = xlsx_with(sheet, &["Ngày tiếp nhận", "Trạng thái", "02/10/2023"]);
    let e = quick("far cell", || read(&x, "far.xlsx")).unwrap();
    assert_eq!(e.batch.num_rows(), 1);
    assert_eq!(e.batch.num_columns(), 3); // received_at, status, source_row: no dense grid
                                          // many rows of empty cells
    let empty_rows: String = (3..200_000)
        .map(|r| format!("<row r=\"{r}\"><c r=\"C{r}\"/></row>"))
        .collect();
    let x = xlsx_with(
        &format!(
            "{}{empty_rows}",
            &sheet[..sheet.find("<row r=\"1048576\"").unwrap()]
        ),
        &["Ngày tiếp nhận", "Trạng thái", "02/10/2023"],
    );
    let e = quick("empty rows", || read(&x, "rows.xlsx")).unwrap();
    assert_eq!(e.batch.num_rows(), 1);
    // an .ods row repeated a million times across 16,384 columns
    let row = "<table:table-row table:number-rows-repeated=\"1048575\"><table:table-cell table:number-columns-repeated=\"16384\" office:value-type=\"string\"><text:p>x</text:p></table:table-cell></table:table-row>";
    let ods = ods_with(&format!(
        "{}{row}",
        ods_row(&["Ngày tiếp nhận", "Trạng thái"])
    ));
    let e = quick("ods repeats", || read(&ods, "rep.ods")).unwrap_err();
    assert_eq!(e.code(), "too_large", "{e}");
    assert!(e.to_string().contains("repeats"), "{e}");
}

#[test]
fn deeply_nested_html() {
    // a million nested divs in a cell: the tokenizer keeps no element stack
    let mut page = String::from("<table><tr><th>Mã hồ sơ</th><th>Ngày nhận</th><th>Trạng thái</th></tr><tr><td>A</td><td>02/10/2023</td><td>");
    page.push_str(&"<div>".repeat(1_000_000));
    page.push('4');
    page.push_str(&"</div>".repeat(1_000_000));
    page.push_str("</td></tr></table>");
    let e = quick("nested divs", || read(page.as_bytes(), "deep.xls")).unwrap();
    assert_eq!(texts(&e.batch, "status")[0].as_deref(), Some("4"));
    // nested tables are followed only so deep
    let tables = "<table><tr><td>".repeat(100_000);
    let e = quick("nested tables", || read(tables.as_bytes(), "tables.xls")).unwrap_err();
    assert_eq!(e.code(), "too_deep", "{e}");
    // a huge page against a small limit
    let big = format!("<table><tr><td>{}</td></tr></table>", "x".repeat(5 << 20));
    let e = tthc_io::read_export_bytes(
        big.as_bytes(),
        "big.html",
        &ReadOptions::default().memory_limit(8 << 20),
    )
    .unwrap_err();
    assert_eq!(e.code(), "too_large", "{e}");
}

#[test]
fn deeply_nested_json() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let e = quick("nested lists", || read(deep.as_bytes(), "deep.json")).unwrap_err();
    assert_eq!(e.code(), "too_deep", "{e}");
    let deep = format!(
        "{{\"data\": [{{\"MaHoSo\": {}1{}}}]}}",
        "{\"a\":".repeat(10_000),
        "}".repeat(10_000)
    );
    let e = quick("nested objects", || read(deep.as_bytes(), "deep2.json")).unwrap_err();
    assert_eq!(e.code(), "too_deep", "{e}");
    assert!(
        e.to_string()
            .starts_with("deep2.json: JSON values nested deeper than 128 levels"),
        "{e}"
    );
}

#[test]
fn a_table_larger_than_the_limit_is_refused_while_it_grows() {
    let mut csv = String::from("Mã hồ sơ;Ngày tiếp nhận;Trạng thái\n");
    for i in 0..200_000 {
        csv.push_str(&format!("H{i};02/10/2023 08:00;Đang xử lý\n"));
    }
    let limit = csv.len() as u64 + (2 << 20);
    let e = tthc_io::read_export_bytes(
        csv.as_bytes(),
        "big.csv",
        &ReadOptions::default().memory_limit(limit),
    )
    .unwrap_err();
    assert_eq!(e.code(), "too_large", "{e}");
    assert!(e.to_string().contains("rows read so far"), "{e}");
    assert!(tthc_io::read_export_bytes(csv.as_bytes(), "big.csv", &ReadOptions::default()).is_ok());
}
