//! Small files written by the tests themselves: a portal-like xlsx (title block, mixed date
//! cells, footer), the same rows as CSV, HTML and sync JSON, and zips assembled by hand.
#![allow(dead_code)] // each test file uses a part

use std::io::{Cursor, Write};

use arrow_array::cast::AsArray;
use arrow_array::{Array, RecordBatch};
use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
use tthc_io::{Export, ReadOptions};

/// Rows of a small export: id, unit, received (text or date cell), status, note.
pub const ROWS: [(&str, &str, &str, &str, &str); 4] = [
    (
        "H01",
        "UBND xã Đắk Drô",
        "02/10/2023 08:00:00",
        "Đang xử lý",
        "gấp",
    ),
    (
        "H02",
        "UBND xã Nam Đà",
        "cell:2023-10-03 09:30:00",
        "Đã trả kết quả",
        "",
    ),
    (
        "H03",
        "UBND xã Đắk Drô",
        "09:15, 04/10/2023",
        "10",
        "Quá hạn 2.25 ngày",
    ),
    (
        "H04",
        "Phòng Tư pháp",
        "cell:2023-10-05 00:00:00",
        "Chờ bổ sung",
        "",
    ),
];

pub const HEADERS: [&str; 6] = [
    "STT",
    "Mã hồ sơ",
    "Đơn vị xử lý",
    "Ngày tiếp nhận",
    "Trạng thái",
    "Ghi chú",
];

/// The export as an xlsx: 3 title rows, a blank row, the header at row 5, the rows, a blank
/// row, the footer.
pub fn xlsx() -> Vec<u8> {
    let mut wb = Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("Danh sách").unwrap();
    let date = Format::new().set_num_format("dd/mm/yyyy hh:mm:ss");
    ws.merge_range(0, 0, 0, 5, "ỦY BAN NHÂN DÂN HUYỆN KRÔNG NÔ", &Format::new())
        .unwrap();
    ws.write_string(1, 0, "DANH SÁCH HỒ SƠ").unwrap();
    ws.write_string(2, 0, "Từ ngày 01/10/2023 đến ngày 31/10/2023")
        .unwrap();
    for (c, h) in HEADERS.iter().enumerate() {
        ws.write_string(4, c as u16, *h).unwrap();
    }
    for (i, (id, unit, recv, status, note)) in ROWS.iter().enumerate() {
        let r = 5 + i as u32;
        ws.write_number(r, 0, (i + 1) as f64).unwrap();
        ws.write_string(r, 1, *id).unwrap();
        ws.write_string(r, 2, *unit).unwrap();
        if let Some(t) = recv.strip_prefix("cell:") {
            let dt = ExcelDateTime::parse_from_str(t).unwrap();
            ws.write_datetime_with_format(r, 3, &dt, &date).unwrap();
        } else {
            ws.write_string(r, 3, *recv).unwrap();
        }
        if *status == "10" {
            ws.write_number(r, 4, 10.0).unwrap();
        } else {
            ws.write_string(r, 4, *status).unwrap();
        }
        if !note.is_empty() {
            ws.write_string(r, 5, *note).unwrap();
        }
    }
    ws.merge_range(10, 0, 10, 5, "Tổng cộng: 4 hồ sơ", &Format::new())
        .unwrap();
    wb.save_to_buffer().unwrap()
}

fn text_rows() -> Vec<Vec<String>> {
    let mut out = vec![HEADERS
        .iter()
        .map(std::string::ToString::to_string)
        .collect::<Vec<_>>()];
    for (i, (id, unit, recv, status, note)) in ROWS.iter().enumerate() {
        let recv = recv.strip_prefix("cell:").unwrap_or(recv);
        out.push(vec![
            (i + 1).to_string(),
            id.to_string(),
            unit.to_string(),
            recv.to_string(),
            status.to_string(),
            note.to_string(),
        ]);
    }
    out
}

/// The export as CSV with `delimiter`, a title line above, a BOM when `bom`.
pub fn csv(delimiter: char, bom: bool) -> Vec<u8> {
    let mut s = String::new();
    if bom {
        s.push('\u{feff}');
    }
    s.push_str("DANH SÁCH HỒ SƠ\r\n");
    for row in text_rows() {
        let cells: Vec<String> = row
            .iter()
            .map(|c| {
                if c.contains(delimiter) || c.contains(',') {
                    format!("\"{c}\"")
                } else {
                    c.clone()
                }
            })
            .collect();
        s.push_str(&cells.join(&delimiter.to_string()));
        s.push_str("\r\n");
    }
    s.push_str(&format!(
        "Tổng cộng: 4 hồ sơ{}\r\n",
        delimiter.to_string().repeat(5)
    ));
    s.into_bytes()
}

/// The export as an HTML table (title rows with colspan, `&nbsp;` blanks, a footer).
pub fn html() -> Vec<u8> {
    let mut s = String::from("<html xmlns:x=\"urn:schemas-microsoft-com:office:excel\"><head><meta charset=\"utf-8\"><style>td { mso-number-format: \"\\@\"; }</style></head><body><table border=1>\n");
    s.push_str("<tr><td colspan=\"6\"><b>DANH SÁCH HỒ SƠ</b></td></tr>\n<tr><td colspan=6>&nbsp;</td></tr>\n");
    for (k, row) in text_rows().into_iter().enumerate() {
        let tag = if k == 0 { "th" } else { "td" };
        s.push_str("<tr>");
        for c in row {
            let c = if c.is_empty() {
                "&nbsp;".to_string()
            } else {
                c.replace('&', "&amp;")
            };
            s.push_str(&format!("<{tag}>{c}</{tag}>"));
        }
        s.push_str("</tr>\n");
    }
    s.push_str("<tr><td colspan=\"3\"><b>Tổng cộng</b></td><td colspan=\"3\">4 hồ sơ</td></tr>\n</table></body></html>\n");
    s.into_bytes()
}

/// The same dossiers as sync JSON records.
pub fn json() -> Vec<u8> {
    let recs: Vec<serde_json::Value> = ROWS
        .iter()
        .map(|(id, unit, recv, status, note)| {
            let recv = recv.strip_prefix("cell:").unwrap_or(recv);
            serde_json::json!({"MaHoSo": id, "DonViXuLy": unit, "NgayTiepNhan": recv, "TrangThaiHoSo": status, "GhiChu": note, "agency": {"code": "X"}})
        })
        .collect();
    serde_json::to_vec(&serde_json::json!({"total": 4, "data": recs})).unwrap()
}

/// A zip of `(name, bytes)` entries, stored (no compression).
pub fn zip(entries: &[(&str, &[u8])]) -> Vec<u8> {
    let mut w = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let o =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, data) in entries {
        w.start_file(*name, o).unwrap();
        w.write_all(data).unwrap();
    }
    w.finish().unwrap().into_inner()
}

/// A minimal xlsx with the given sheet XML (`<sheetData>` content) and shared strings.
pub fn xlsx_with(sheet_data: &str, shared: &[&str]) -> Vec<u8> {
    let sst: String = shared
        .iter()
        .map(|s| format!("<si><t>{s}</t></si>"))
        .collect();
    let sst = format!("<?xml version=\"1.0\"?><sst xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" count=\"{n}\" uniqueCount=\"{n}\">{sst}</sst>", n = shared.len());
    let sheet = format!("<?xml version=\"1.0\"?><worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>{sheet_data}</sheetData></worksheet>");
    zip(&[
        ("[Content_Types].xml", br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>"#),
        ("_rels/.rels", br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#),
        ("xl/workbook.xml", br#"<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>"#),
        ("xl/_rels/workbook.xml.rels", br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#),
        ("xl/sharedStrings.xml", sst.as_bytes()),
        ("xl/worksheets/sheet1.xml", sheet.as_bytes()),
    ])
}

/// A minimal .ods whose first sheet's `<table:table>` content is `rows`.
pub fn ods_with(rows: &str) -> Vec<u8> {
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Danh sách">{rows}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    zip(&[
        ("mimetype", b"application/vnd.oasis.opendocument.spreadsheet"),
        ("META-INF/manifest.xml", br#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#),
        ("content.xml", content.as_bytes()),
    ])
}

/// An .ods row of text cells.
pub fn ods_row(cells: &[&str]) -> String {
    let c: String = cells
        .iter()
        .map(|c| if c.is_empty() { "<table:table-cell/>".to_string() } else { format!("<table:table-cell office:value-type=\"string\"><text:p>{c}</text:p></table:table-cell>") })
        .collect();
    format!("<table:table-row>{c}</table:table-row>")
}

pub fn read(bytes: &[u8], name: &str) -> Result<Export, tthc_io::IoError> {
    tthc_io::read_export_bytes(bytes, name, &ReadOptions::default())
}

/// The column's values as text (`None` for nulls), whatever its type.
pub fn texts(b: &RecordBatch, name: &str) -> Vec<Option<String>> {
    let c = b
        .column_by_name(name)
        .unwrap_or_else(|| panic!("no column {name}: {:?}", b.schema()));
    if let Some(s) = c.as_string_opt::<i32>() {
        return (0..s.len())
            .map(|i| s.is_valid(i).then(|| s.value(i).to_string()))
            .collect();
    }
    let t = c.as_primitive::<arrow_array::types::TimestampSecondType>();
    (0..t.len())
        .map(|i| {
            t.is_valid(i).then(|| {
                chrono::DateTime::from_timestamp(t.value(i), 0)
                    .unwrap()
                    .naive_utc()
                    .to_string()
            })
        })
        .collect()
}

pub fn names(b: &RecordBatch) -> Vec<String> {
    b.schema()
        .fields()
        .iter()
        .map(|f| f.name().clone())
        .collect()
}

/// The proptest configuration: `default_cases` unless `PROPTEST_CASES` says otherwise.
pub fn config(default_cases: u32) -> proptest::test_runner::Config {
    let cases = std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default_cases);
    proptest::test_runner::Config {
        cases,
        ..proptest::test_runner::Config::default()
    }
}

pub fn source_rows(b: &RecordBatch) -> Vec<i64> {
    b.column_by_name("source_row")
        .unwrap()
        .as_primitive::<arrow_array::types::Int64Type>()
        .values()
        .to_vec()
}
