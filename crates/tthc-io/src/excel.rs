//! Workbooks, with calamine: `.xlsx`/`.xlsm` and `.xlsb` streamed cell by cell (a sparse sheet
//! never becomes a dense grid), `.ods` and `.xls` as ranges once their size is planned. A zip
//! (xlsx, xlsb, ods) is checked before calamine opens it: the sizes its entries declare, and
//! what the entries calamine unpacks whole really unpack to.

use std::borrow::Cow;
use std::io::{Cursor, Read};
use std::panic::{catch_unwind, AssertUnwindSafe};

use calamine::{Data, DataRef, Ods, Reader, Xls, Xlsb, Xlsx};

use crate::cell::{days_from_civil, Val, DAY};
use crate::error::{IoError, Place};
use crate::options::{Format, ReadOptions, Sheet};
use crate::table::Table;

/// Bytes calamine keeps per cell of a dense range (`Data`, and for .ods the formula `String`).
const RANGE_CELL_BYTES: u64 = 32;
const ODS_CELL_BYTES: u64 = 32 + 24;
/// Largest sheet a format can hold.
const XLSX_ROWS: u64 = 1_048_576;
const XLSX_COLS: u64 = 16_384;

/// What a zip holds.
pub(crate) enum ZipKind {
    Xlsx,
    Xlsb,
    Ods,
}

fn corrupt(place: &Place, e: impl std::fmt::Display) -> IoError {
    IoError::Corrupt {
        place: place.clone(),
        message: e.to_string(),
    }
}

/// Runs a calamine call; a panic inside it (a bug it has on a malformed file) becomes a
/// [`IoError::Corrupt`].
fn guarded<T>(place: &Place, f: impl FnOnce() -> Result<T, IoError>) -> Result<T, IoError> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(r) => r,
        Err(_) => Err(corrupt(
            place,
            "the workbook reader failed on this file (malformed content)",
        )),
    }
}

/// Checks a zip before it is opened: the uncompressed sizes its entries declare must fit in
/// what is left of the limit; every entry that is unpacked whole (all but the worksheets,
/// which are streamed) must unpack to no more than it declares. Returns what it is, and the
/// bytes to plan for the entries unpacked whole.
pub(crate) fn check_zip(bytes: &[u8], table: &mut Table<'_>) -> Result<ZipKind, IoError> {
    let place = table.place().clone();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(&place, e))?;
    let mut declared: u64 = 0;
    let mut whole: Vec<(usize, String, u64)> = Vec::new();
    let mut kind = None;
    let mut mimetype_ods = false;
    for i in 0..zip.len() {
        let f = zip.by_index_raw(i).map_err(|e| corrupt(&place, e))?;
        let name = f.name().map_err(|e| corrupt(&place, e))?.into_owned();
        let size = f.size();
        declared = declared.saturating_add(size);
        match name.as_str() {
            "xl/workbook.xml" => kind = Some(ZipKind::Xlsx),
            "xl/workbook.bin" => kind = Some(ZipKind::Xlsb),
            "content.xml" if kind.is_none() => {
                kind = Some(ZipKind::Ods);
            }
            "mimetype" => mimetype_ods = true,
            _ => {}
        }
        let streamed = name.starts_with("xl/worksheets/") && !name.contains("_rels");
        let media = name.starts_with("xl/media/")
            || name.starts_with("Pictures/")
            || name.starts_with("Thumbnails/")
            || name.starts_with("docProps/thumbnail");
        if !streamed && !media {
            whole.push((i, name, size));
        }
    }
    let limit = table_limit(table);
    if declared > limit {
        return Err(IoError::TooLarge {
            place,
            what: format!(
                "unpacking the zip ({} entries declaring {declared} bytes)",
                zip.len()
            ),
            needed: declared,
            limit,
            hint: "a workbook this large (or a zip bomb) is refused: raise memory_limit if the file is genuine".into(),
        });
    }
    let Some(kind) = kind else {
        return Err(IoError::UnsupportedFormat {
            file: place.file.into(),
            message: if mimetype_ods {
                "an OpenDocument file that is not a spreadsheet".into()
            } else {
                "a zip archive that is not a workbook (no xl/workbook.xml, xl/workbook.bin or content.xml)".into()
            },
        });
    };
    // the entries unpacked whole: what they really unpack to, at most what they declare
    let mut planned = 0u64;
    for (i, name, size) in whole {
        let mut f = zip.by_index(i).map_err(|e| corrupt(&place, e))?;
        let mut counted = 0u64;
        let mut buf = [0u8; 16 << 10];
        let mut head: Vec<u8> = Vec::new();
        loop {
            let n = match f.read(&mut buf) {
                Ok(0) => break,
                Ok(n) => n,
                Err(e) => return Err(corrupt(&place, format!("{name}: {e}"))),
            };
            if head.len() < 4096 {
                head.extend_from_slice(&buf[..n.min(4096 - head.len())]);
            }
            counted += n as u64;
            if counted > size {
                return Err(IoError::TooLarge {
                    place,
                    what: format!("entry {name} (it declares {size} bytes but unpacks to more)"),
                    needed: counted,
                    limit,
                    hint: "the zip lies about its sizes: a zip bomb, refused".into(),
                });
            }
        }
        planned += counted;
        if name == "xl/sharedStrings.xml" {
            check_shared_strings(&head, counted, &place, limit)?;
        }
    }
    // the strings table and styles are kept while the sheet is read: about twice their text
    table.reserve_for(
        planned.saturating_mul(2),
        "the workbook's shared strings and styles",
    )?;
    Ok(kind)
}

fn table_limit(table: &Table<'_>) -> u64 {
    table.limit()
}

/// calamine reserves room for the `uniqueCount` the strings table announces: a count that its
/// text cannot hold is refused before it is believed.
fn check_shared_strings(head: &[u8], size: u64, place: &Place, limit: u64) -> Result<(), IoError> {
    let Some(i) = memchr::memmem::find(head, b"uniqueCount=\"") else {
        return Ok(());
    };
    let digits: Vec<u8> = head[i + 13..]
        .iter()
        .take_while(|b| b.is_ascii_digit())
        .copied()
        .collect();
    let n: u64 = std::str::from_utf8(&digits)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(u64::MAX);
    // each string takes at least "<si><t/></si>" (13 bytes); a String header is 24 bytes
    if n > size / 13 + 1 || n.saturating_mul(24) > limit {
        return Err(IoError::TooLarge {
            place: place.clone(),
            what: format!("the shared strings table ({n} strings announced in {size} bytes)"),
            needed: n.saturating_mul(24),
            limit,
            hint: "the count is impossible for the text: a malformed or malicious file".into(),
        });
    }
    Ok(())
}

/// The sheet to read among `names`.
fn choose_sheet(
    names: &[String],
    wanted: Option<&Sheet>,
    place: &Place,
) -> Result<String, IoError> {
    let listed = || {
        names
            .iter()
            .map(|s| format!("{s:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match wanted {
        None => names.first().cloned().ok_or_else(|| IoError::EmptySheet {
            place: place.clone(),
            sheets: String::new(),
        }),
        Some(Sheet::Index(i)) => names.get(*i).cloned().ok_or_else(|| IoError::NoSuchSheet {
            file: place.file.to_string(),
            wanted: format!("at index {i}"),
            sheets: listed(),
        }),
        Some(Sheet::Name(n)) => names
            .iter()
            .find(|s| *s == n)
            .or_else(|| {
                let f = tthc_metrics::fold_name(n);
                names.iter().find(|s| tthc_metrics::fold_name(s) == f)
            })
            .cloned()
            .ok_or_else(|| IoError::NoSuchSheet {
                file: place.file.to_string(),
                wanted: format!("{n:?}"),
                sheets: listed(),
            }),
    }
}

/// A calamine date-time as a cell: a date (serial ≥ 1) as civil seconds, a bare time of day
/// as `HH:mm:ss` text.
fn date_cell<'a>(dt: &calamine::ExcelDateTime) -> Val<'a> {
    if dt.is_datetime() && dt.as_f64() >= 1.0 {
        let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
        let day = days_from_civil(i64::from(y), u32::from(mo), u32::from(d));
        let secs = day * DAY
            + i64::from(h) * 3600
            + i64::from(mi) * 60
            + i64::from(s)
            + i64::from(ms >= 500);
        Val::Date(secs)
    } else {
        let t = (dt.as_f64().fract() * DAY as f64).round() as i64;
        Val::Text(Cow::Owned(format!(
            "{:02}:{:02}:{:02}",
            t / 3600 % 24,
            t / 60 % 60,
            t % 60
        )))
    }
}

fn iso_cell<'a>(s: &str) -> Val<'a> {
    match tthc_arrow::parse_time_text(s) {
        Some((t, _)) => Val::Date(t.and_utc().timestamp()),
        None => Val::Text(Cow::Owned(s.to_string())),
    }
}

fn from_ref(d: DataRef<'_>) -> Val<'_> {
    match d {
        DataRef::Int(i) => Val::Int(i),
        DataRef::Float(f) => Val::Float(f),
        DataRef::String(s) | DataRef::DurationIso(s) => Val::Text(Cow::Owned(s)),
        DataRef::SharedString(s) => Val::Text(Cow::Borrowed(s)),
        DataRef::Bool(b) => Val::Bool(b),
        DataRef::DateTime(dt) => date_cell(&dt),
        DataRef::DateTimeIso(s) => iso_cell(&s),
        DataRef::Error(e) => Val::Error(Cow::Owned(e.to_string())),
        DataRef::Empty => Val::Empty,
    }
}

fn from_data(d: &Data) -> Val<'_> {
    match d {
        Data::Int(i) => Val::Int(*i),
        Data::Float(f) => Val::Float(*f),
        Data::String(s) | Data::DurationIso(s) => Val::Text(Cow::Borrowed(s)),
        Data::Bool(b) => Val::Bool(*b),
        Data::DateTime(dt) => date_cell(dt),
        Data::DateTimeIso(s) => iso_cell(s),
        Data::Error(e) => Val::Error(Cow::Owned(e.to_string())),
        Data::Empty => Val::Empty,
    }
}

/// Cells handed from the parsing thread to the table at a time.
const CHUNK: usize = 4_096;

/// Streams the cells of a sheet into the table, a row at a time: calamine parses the XML on a
/// second thread while this one builds the columns (the two halves take about as long), chunks
/// of cells between them through a bounded channel (a few thousand cells in flight). A table
/// error drops the receiver, which stops the parser; a panic in calamine is a corrupt file.
macro_rules! stream_cells {
    ($reader:expr, $table:expr, $place:expr) => {{
        type Chunk<'x> = Result<Vec<calamine::Cell<DataRef<'x>>>, String>;
        let reader = &mut $reader;
        let table: &mut Table<'_> = $table;
        let place: &Place = $place;
        std::thread::scope(|s| {
            let (tx, rx) = std::sync::mpsc::sync_channel::<Chunk<'_>>(8);
            let producer = s.spawn(move || {
                let mut chunk = Vec::with_capacity(CHUNK);
                loop {
                    match reader.next_cell() {
                        Ok(Some(c)) => {
                            chunk.push(c);
                            if chunk.len() == CHUNK {
                                let full = std::mem::replace(&mut chunk, Vec::with_capacity(CHUNK));
                                if tx.send(Ok(full)).is_err() {
                                    return;
                                }
                            }
                        }
                        Ok(None) => {
                            let _ = tx.send(Ok(chunk));
                            return;
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e.to_string()));
                            return;
                        }
                    }
                }
            });
            let mut consume =
                move |rx: std::sync::mpsc::Receiver<Chunk<'_>>| -> Result<(), IoError> {
                    let mut cells: Vec<(u32, Val<'_>)> = Vec::with_capacity(64);
                    let mut current: Option<u32> = None;
                    for chunk in rx {
                        for cell in chunk.map_err(|e| corrupt(place, e))? {
                            let (r, c) = cell.get_position();
                            if current != Some(r) {
                                if let Some(row) = current {
                                    table.row(u64::from(row) + 1, &cells)?;
                                }
                                cells.clear();
                                current = Some(r);
                            }
                            let v = from_ref(cell.get_value().clone());
                            if !v.is_blank() {
                                cells.push((c, v));
                            }
                        }
                        table.reserve(0)?;
                    }
                    if let Some(row) = current {
                        table.row(u64::from(row) + 1, &cells)?;
                    }
                    Ok(())
                };
            let r = consume(rx);
            match producer.join() {
                Ok(()) => r,
                Err(_) => Err(corrupt(
                    place,
                    "the workbook reader failed on this file (malformed content)",
                )),
            }
        })
    }};
}

/// Reads a zipped workbook (xlsx, xlsb, ods).
pub(crate) fn read_zip(
    bytes: &[u8],
    table: &mut Table<'_>,
    options: &ReadOptions,
) -> Result<(Format, Vec<String>), IoError> {
    let kind = check_zip(bytes, table)?;
    let place = table.place().clone();
    match kind {
        ZipKind::Xlsx => guarded(&place, || {
            let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(bytes)).map_err(|e| corrupt(&place, e))?;
            let names = wb.sheet_names();
            let sheet = choose_sheet(&names, options.sheet.as_ref(), &place)?;
            table.set_sheet(&sheet);
            let place = table.place().clone();
            let mut reader = wb
                .worksheet_cells_reader(&sheet)
                .map_err(|e| corrupt(&place, e))?;
            stream_cells!(reader, table, &place)?;
            Ok((Format::Xlsx, names))
        }),
        ZipKind::Xlsb => guarded(&place, || {
            let mut wb: Xlsb<_> = Xlsb::new(Cursor::new(bytes)).map_err(|e| corrupt(&place, e))?;
            let names = wb.sheet_names();
            let sheet = choose_sheet(&names, options.sheet.as_ref(), &place)?;
            table.set_sheet(&sheet);
            let place = table.place().clone();
            let mut reader = wb
                .worksheet_cells_reader(&sheet)
                .map_err(|e| corrupt(&place, e))?;
            stream_cells!(reader, table, &place)?;
            Ok((Format::Xlsb, names))
        }),
        ZipKind::Ods => {
            let cells = ods_cells(bytes, &place)?;
            table.reserve_for(
                cells.saturating_mul(ODS_CELL_BYTES),
                &format!("the OpenDocument sheets ({cells} cells once repeats are expanded)"),
            )?;
            guarded(&place, || {
                let mut wb: Ods<_> =
                    Ods::new(Cursor::new(bytes)).map_err(|e| corrupt(&place, e))?;
                let names = wb.sheet_names();
                let sheet = choose_sheet(&names, options.sheet.as_ref(), &place)?;
                table.set_sheet(&sheet);
                let place = table.place().clone();
                let range = wb.worksheet_range(&sheet).map_err(|e| corrupt(&place, e))?;
                read_range(&range, table)?;
                Ok((Format::Ods, names))
            })
        }
    }
}

/// Reads the rows of a dense range (ods, xls).
fn read_range(range: &calamine::Range<Data>, table: &mut Table<'_>) -> Result<(), IoError> {
    let (r0, c0) = range.start().unwrap_or((0, 0));
    let mut cells: Vec<(u32, Val<'_>)> = Vec::new();
    for (i, row) in range.rows().enumerate() {
        cells.clear();
        for (j, d) in row.iter().enumerate() {
            let v = from_data(d);
            if !v.is_blank() {
                cells.push((c0 + j as u32, v));
            }
        }
        table.row(u64::from(r0) + i as u64 + 1, &cells)?;
    }
    Ok(())
}

/// The cells calamine will hold for an .ods once `number-rows-repeated` and
/// `number-columns-repeated` are expanded (every sheet: it reads them all), counted on the
/// XML before calamine sees it: per sheet, the rows up to the last non-empty one times the
/// widest row up to its last non-empty cell.
fn ods_cells(bytes: &[u8], place: &Place) -> Result<u64, IoError> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|e| corrupt(place, e))?;
    let f = zip.by_name("content.xml").map_err(|e| corrupt(place, e))?;
    let mut xml = quick_xml::Reader::from_reader(std::io::BufReader::new(f));
    let mut buf = Vec::new();
    let mut total: u64 = 0;
    // the sheet being read
    let (mut rows, mut used_rows, mut width) = (0u64, 0u64, 0u64);
    // the row being read: repeats, columns so far, last non-empty column
    let (mut row_repeat, mut col, mut row_used) = (1u64, 0u64, 0u64);
    let mut cell_repeat = 1u64;
    let mut in_cell_nonempty = false;
    let attr = |e: &quick_xml::events::BytesStart<'_>, name: &str| -> Option<u64> {
        e.attributes()
            .flatten()
            .find(|a| a.key.as_ref() == name)
            .and_then(|a| a.value.trim().parse().ok())
    };
    let value_attr = |e: &quick_xml::events::BytesStart<'_>| {
        e.attributes()
            .flatten()
            .any(|a| a.key.as_ref() == "office:value-type")
    };
    loop {
        use quick_xml::events::Event;
        let ev = xml
            .read_event_into(&mut buf)
            .map_err(|e| corrupt(place, format!("content.xml: {e}")))?;
        match ev {
            Event::Start(e) | Event::Empty(e) if e.name().as_ref() == "table:table" => {
                rows = 0;
                used_rows = 0;
                width = 0;
                let _ = e;
            }
            Event::End(e) if e.name().as_ref() == "table:table" => {
                total = total.saturating_add(used_rows.saturating_mul(width));
                let _ = e;
            }
            Event::Start(e) if e.name().as_ref() == "table:table-row" => {
                row_repeat = attr(&e, "table:number-rows-repeated").unwrap_or(1).max(1);
                col = 0;
                row_used = 0;
            }
            Event::Empty(e) if e.name().as_ref() == "table:table-row" => {
                rows = (rows + attr(&e, "table:number-rows-repeated").unwrap_or(1)).min(XLSX_ROWS);
            }
            Event::End(e) if e.name().as_ref() == "table:table-row" => {
                rows = (rows + row_repeat).min(XLSX_ROWS);
                if row_used > 0 {
                    used_rows = rows;
                    width = width.max(row_used);
                }
                let _ = e;
            }
            Event::Start(e)
                if matches!(
                    e.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                cell_repeat = attr(&e, "table:number-columns-repeated")
                    .unwrap_or(1)
                    .max(1);
                in_cell_nonempty = value_attr(&e);
            }
            Event::Empty(e)
                if matches!(
                    e.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                let n = attr(&e, "table:number-columns-repeated")
                    .unwrap_or(1)
                    .max(1);
                col = (col + n).min(XLSX_COLS);
                if value_attr(&e) {
                    row_used = col;
                }
            }
            Event::Start(e) if e.name().as_ref() == "text:p" => {
                in_cell_nonempty = true;
                let _ = e;
            }
            Event::End(e)
                if matches!(
                    e.name().as_ref(),
                    "table:table-cell" | "table:covered-table-cell"
                ) =>
            {
                col = (col + cell_repeat).min(XLSX_COLS);
                if in_cell_nonempty {
                    row_used = col;
                }
                in_cell_nonempty = false;
                let _ = e;
            }
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Ok(total)
}

/// Reads a BIFF workbook (.xls), after planning the cells its sheets' DIMENSIONS records
/// announce (calamine reserves them up front).
pub(crate) fn read_xls(
    bytes: &[u8],
    table: &mut Table<'_>,
    options: &ReadOptions,
) -> Result<(Format, Vec<String>), IoError> {
    let place = table.place().clone();
    let cells = xls_dimensions(bytes);
    table.reserve_for(
        cells.saturating_mul(RANGE_CELL_BYTES + 8),
        &format!("the .xls sheets ({cells} cells announced)"),
    )?;
    guarded(&place, || {
        let mut wb: Xls<_> = Xls::new(Cursor::new(bytes)).map_err(|e| corrupt(&place, e))?;
        let names = wb.sheet_names();
        let sheet = choose_sheet(&names, options.sheet.as_ref(), &place)?;
        table.set_sheet(&sheet);
        let place = table.place().clone();
        let range = wb.worksheet_range(&sheet).map_err(|e| corrupt(&place, e))?;
        read_range(&range, table)?;
        Ok((Format::Xls, names))
    })
}

/// The cells the DIMENSIONS records (type 0x0200, BIFF8: 14 bytes) of a BIFF file announce,
/// summed over sheets; found by their byte pattern (a record split across two sectors is
/// missed).
fn xls_dimensions(bytes: &[u8]) -> u64 {
    let mut total: u64 = 0;
    for i in memchr::memmem::find_iter(bytes, &[0x00, 0x02, 0x0e, 0x00]) {
        let Some(d) = bytes.get(i + 4..i + 18) else {
            continue;
        };
        let u32_at = |k: usize| u64::from(u32::from_le_bytes([d[k], d[k + 1], d[k + 2], d[k + 3]]));
        let u16_at = |k: usize| u64::from(u16::from_le_bytes([d[k], d[k + 1]]));
        let (r0, r1, c0, c1) = (u32_at(0), u32_at(4), u16_at(8), u16_at(10));
        if r1 >= r0 && c1 >= c0 {
            total = total.saturating_add((r1 - r0 + 1).saturating_mul(c1 - c0 + 1));
        }
    }
    total
}
