//! # tthc-io
//!
//! Reads the files TTHC offices actually have into one Arrow [`RecordBatch`](arrow_array::RecordBatch)
//! that [`tthc_arrow`] (and so `tm.report`) reads with no column mapping:
//!
//! * Excel workbooks `.xlsx`/`.xlsm`/`.xlsb` (streamed cell by cell), `.xls` and `.ods`
//!   (calamine); HTML tables (what some one-stop systems save as `.xls`); CSV with any of `,`
//!   `;` tab `|` (sniffed), UTF-8 with or without a BOM (UTF-16 with a BOM too); the national
//!   sync standard's JSON (`{"data": [...]}` or a bare list). The format is judged by the
//!   content, never the file name.
//! * The header row is found below a title block: each of the first 30 rows is scored by how
//!   many of its cells name a canonical column or a known header
//!   ([`tthc_arrow::HEADER_ALIASES`], compared after [`tthc_arrow::fold_header`]); the best
//!   wins if it names at least 2, among them `received_at` or `status`.
//! * Known columns get their canonical names, every other column passes through under its own
//!   name, and `source_row` (`int64`) gives each row's 1-based row in the file. Time columns
//!   are `timestamp[s]` when every value is a real date cell, else text (date cells written
//!   `yyyy-MM-dd HH:mm:ss`; the adapter parses text and rejects bad rows with their row).
//! * Empty rows and trailing footers ("Tổng cộng: ...") are skipped and listed in the
//!   metadata (`tthc_metrics.skipped_rows`); the mapping, the source (file, sheet, header row,
//!   format) and the caller's extra vocabulary are there too.
//! * Files are untrusted: memory is planned before it is allocated ([`ReadOptions::memory_limit`]):
//!   zip entries declaring more than the limit, entries unpacking to more than they declare,
//!   impossible string counts, `.ods` repeats and `.xls` dimensions expanding past the limit are
//!   refused ([`IoError::TooLarge`]); HTML is tokenized without a tree (no depth to exhaust);
//!   JSON deeper than 128 levels is refused. Never a panic.
//!
//! ```
//! use tthc_io::{read_export_bytes, ReadOptions};
//! let csv = "BÁO CÁO HỒ SƠ\n\
//!            Mã hồ sơ,Ngày tiếp nhận,Trạng thái,Đơn vị xử lý\n\
//!            H1,02/10/2023 08:00,Đang xử lý,UBND xã A\n\
//!            H2,03/10/2023,10,UBND xã A\n\
//!            Tổng cộng: 2 hồ sơ,,,\n";
//! let e = read_export_bytes(csv.as_bytes(), "hs.csv", &ReadOptions::default()).unwrap();
//! assert_eq!(e.header_row, Some(2));
//! assert_eq!(e.batch.num_rows(), 2);
//! assert_eq!(e.skipped[0].first, 5); // the footer
//! let meta = e.batch.schema().metadata().clone();
//! assert!(meta["tthc_metrics.mapping"].contains("\"unit\":\"Đơn vị xử lý\""));
//! ```
#![deny(missing_docs)]

mod cell;
mod csv;
mod error;
mod excel;
mod html;
mod json;
mod options;
mod table;

use std::path::Path;

pub use error::{IoError, Place};
pub use options::{Export, Format, ReadOptions, Sheet, Skipped};

use table::Table;

/// Reads the export at `path` (see the crate docs).
///
/// # Errors
/// [`IoError::Io`] when the file cannot be read; every other [`IoError`] as for
/// [`read_export_bytes`].
///
/// # Example
/// ```
/// let dir = std::env::temp_dir().join("tthc-io-doc");
/// std::fs::create_dir_all(&dir).unwrap();
/// let path = dir.join("hs.csv");
/// std::fs::write(&path, "MaHoSo;NgayTiepNhan;TrangThaiHoSo\nH1;20231002080000;4\n").unwrap();
/// let e = tthc_io::read_export(&path, &Default::default()).unwrap();
/// assert_eq!(e.batch.num_rows(), 1);
/// let missing = tthc_io::read_export(dir.join("nope.xlsx"), &Default::default()).unwrap_err();
/// assert_eq!(missing.code(), "io_error");
/// assert!(missing.to_string().starts_with("nope.xlsx: "), "{missing}");
/// ```
pub fn read_export(path: impl AsRef<Path>, options: &ReadOptions) -> Result<Export, IoError> {
    let path = path.as_ref();
    let name = path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    );
    let io = |e: std::io::Error| IoError::Io {
        file: name.clone(),
        message: e.to_string(),
    };
    let size = std::fs::metadata(path).map_err(io)?.len();
    if size > options.memory_limit {
        return Err(IoError::TooLarge {
            place: Place::new(&name, None),
            what: "the file".into(),
            needed: size,
            limit: options.memory_limit,
            hint: "raise memory_limit, or split the file".into(),
        });
    }
    let bytes = std::fs::read(path).map_err(io)?;
    read_export_bytes(&bytes, &name, options)
}

/// Reads an export held in memory; `name` is the file's name, for messages and the metadata
/// (the format is judged by the content, not the name).
///
/// # Errors
/// [`IoError::UnsupportedFormat`] for content that is no known format, [`IoError::Corrupt`]
/// for a damaged file, [`IoError::Encoding`] for text that is not UTF-8,
/// [`IoError::EmptySheet`], [`IoError::NoSuchSheet`], [`IoError::NoHeader`],
/// [`IoError::WrongContent`] (a date column without dates), [`IoError::Columns`] (a mapped
/// column missing), [`IoError::TooLarge`] and [`IoError::TooDeep`] (refused before
/// allocating), [`IoError::Interrupted`].
///
/// # Example
/// ```
/// use tthc_io::{read_export_bytes, ReadOptions};
/// let json = r#"{"data": [{"MaHoSo": "H1", "NgayTiepNhan": "20231002080000", "TrangThaiHoSo": 10, "agency": {"name": "UBND xã A"}}]}"#;
/// let e = read_export_bytes(json.as_bytes(), "sync.json", &ReadOptions::default()).unwrap();
/// assert_eq!(e.format, tthc_io::Format::Json);
/// let status = e.batch.column_by_name("status").unwrap();
/// let status = status.as_any().downcast_ref::<arrow_array::StringArray>().unwrap();
/// assert_eq!(status.value(0), "10");
/// assert!(e.batch.column_by_name("unit").is_some()); // agency.name
/// let e = read_export_bytes(b"<html><p>hello</p></html>", "page.xls", &ReadOptions::default()).unwrap_err();
/// assert_eq!(e.code(), "unsupported_format");
/// ```
pub fn read_export_bytes(
    bytes: &[u8],
    name: &str,
    options: &ReadOptions,
) -> Result<Export, IoError> {
    let place = Place::new(name, None);
    let used = bytes.len() as u64;
    let unsupported = |message: String| IoError::UnsupportedFormat {
        file: name.to_string(),
        message,
    };
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        let mut table = Table::new(place, Format::Xlsx, options, used)?;
        let (format, sheets) = excel::read_zip(bytes, &mut table, options)?;
        table.set_format(format);
        return table.finish(&sheets);
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        let mut table = Table::new(place, Format::Xls, options, used)?;
        let (format, sheets) = excel::read_xls(bytes, &mut table, options)?;
        table.set_format(format);
        return table.finish(&sheets);
    }
    // text: UTF-8 (a BOM dropped) or UTF-16 with its BOM
    let decoded: std::borrow::Cow<'_, [u8]> =
        if let Some(rest) = bytes.strip_prefix(b"\xEF\xBB\xBF") {
            rest.into()
        } else if bytes.starts_with(b"\xFF\xFE") || bytes.starts_with(b"\xFE\xFF") {
            let le = bytes[0] == 0xFF;
            let units = bytes[2..].chunks_exact(2).map(|c| {
                if le {
                    u16::from_le_bytes([c[0], c[1]])
                } else {
                    u16::from_be_bytes([c[0], c[1]])
                }
            });
            let text: Result<String, _> = char::decode_utf16(units).collect();
            match text {
                Ok(t) => t.into_bytes().into(),
                Err(_) => {
                    return Err(IoError::Encoding {
                        place,
                        at: "UTF-16 with an unpaired surrogate".into(),
                    })
                }
            }
        } else {
            bytes.into()
        };
    let text: &[u8] = &decoded;
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let head = &text[start..text.len().min(start + 4096)];
    if head.is_empty() {
        return Err(IoError::EmptySheet {
            place,
            sheets: String::new(),
        });
    }
    if head.contains(&0)
        || head
            .iter()
            .filter(|b| b.is_ascii_control() && !b.is_ascii_whitespace())
            .count()
            > head.len() / 20
    {
        let shown: String = head
            .iter()
            .take(8)
            .map(|&b| if b.is_ascii_graphic() { b as char } else { '.' })
            .collect();
        return Err(unsupported(format!(
            "binary data (it starts with {shown:?})"
        )));
    }
    match head[0] {
        b'<' => {
            if html::has_table(text) {
                let s = std::str::from_utf8(text).map_err(|e| IoError::Encoding {
                    place: place.clone(),
                    at: format!("byte {}", e.valid_up_to()),
                })?;
                let mut table = Table::new(place, Format::HtmlTable, options, used)?;
                html::read(s, &mut table)?;
                table.finish(&[])
            } else if memchr::memmem::find(head, b"urn:schemas-microsoft-com:office:spreadsheet")
                .is_some()
            {
                Err(unsupported(
                    "an XML Spreadsheet 2003 file (open it in Excel and save it as .xlsx)".into(),
                ))
            } else {
                Err(unsupported("an HTML or XML document with no table".into()))
            }
        }
        b'{' | b'[' => {
            let mut table = Table::named(place, Format::Json, options, used)?;
            json::read(text, &mut table)?;
            table.finish(&[])
        }
        _ => {
            let mut table = Table::new(place, Format::Csv, options, used)?;
            csv::read(text, &mut table)?;
            table.finish(&[])
        }
    }
}
