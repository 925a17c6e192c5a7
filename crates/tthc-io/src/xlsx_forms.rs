//! Forms out: the Biểu II.06a and the Friday report as `.xlsx` files laid out as offices print
//! them (rust_xlsxwriter): the title block, grouped and merged header cells, the row of column
//! numbers, one row per unit, the total, notes, the place and date and the signatures; A4
//! landscape, fit to one page wide, header rows repeated on every page.
//!
//! Files are written whole or not at all: the workbook is built in memory, written to a
//! temporary file beside the target and renamed over it.

use std::path::Path;

use rust_xlsxwriter::{
    ColNum, DocProperties, Format, FormatAlign, FormatBorder, RowNum, Workbook, Worksheet,
    XlsxError,
};
use tthc_metrics::{
    one_decimal_percent, vietnamese_date, Bieu06a, FormHeader, FormRowKind, Rate, WeeklyFlag,
    WeeklyReport, WeeklyRow,
};

use crate::error::IoError;

const FONT: &str = "Times New Roman";

/// The formats of a form, made once.
struct Styles {
    code: Format,
    title: Format,
    centered: Format,
    left: Format,
    right_italic: Format,
    header: Format,
    number_header: Format,
    label: Format,
    label_bold: Format,
    stt: Format,
    stt_bold: Format,
    count: Format,
    count_bold: Format,
    percent: Format,
    percent_bold: Format,
    percent_red: Format,
    note: Format,
    note_bold: Format,
    small_italic: Format,
    sign: Format,
    sign_hint: Format,
}

impl Styles {
    fn new() -> Self {
        let base = Format::new().set_font_name(FONT).set_font_size(11);
        let cell = base
            .clone()
            .set_border(FormatBorder::Thin)
            .set_align(FormatAlign::VerticalCenter);
        let header = cell
            .clone()
            .set_bold()
            .set_text_wrap()
            .set_align(FormatAlign::Center);
        let count = cell
            .clone()
            .set_num_format("#,##0")
            .set_align(FormatAlign::Right);
        let percent = cell
            .clone()
            .set_num_format("0.0")
            .set_align(FormatAlign::Right);
        Self {
            code: base.clone().set_bold(),
            title: base
                .clone()
                .set_bold()
                .set_font_size(13)
                .set_text_wrap()
                .set_align(FormatAlign::Center)
                .set_align(FormatAlign::VerticalCenter),
            centered: base.clone().set_align(FormatAlign::Center).set_italic(),
            left: base.clone().set_align(FormatAlign::Left),
            right_italic: base.clone().set_align(FormatAlign::Right).set_italic(),
            number_header: cell.clone().set_italic().set_align(FormatAlign::Center),
            header,
            label: cell.clone().set_text_wrap(),
            label_bold: cell.clone().set_text_wrap().set_bold(),
            stt: cell.clone().set_align(FormatAlign::Center),
            stt_bold: cell.clone().set_align(FormatAlign::Center).set_bold(),
            count_bold: count.clone().set_bold(),
            count,
            percent_bold: percent.clone().set_bold(),
            percent_red: percent.clone().set_font_color("#C00000").set_bold(),
            percent,
            note: cell.clone().set_text_wrap().set_font_size(10).set_indent(1),
            note_bold: cell
                .clone()
                .set_text_wrap()
                .set_font_size(10)
                .set_bold()
                .set_indent(1),
            small_italic: base.clone().set_italic().set_font_size(10).set_text_wrap(),
            sign: base.clone().set_bold().set_align(FormatAlign::Center),
            sign_hint: base.set_italic().set_align(FormatAlign::Center),
        }
    }
}

fn xlsx(e: &XlsxError) -> IoError {
    IoError::Write {
        file: String::new(),
        message: e.to_string(),
    }
}

/// Writes `text` over `[first_col, last_col]` of `row` (merged when it spans several cells).
fn span(
    ws: &mut Worksheet,
    row: RowNum,
    cols: (ColNum, ColNum),
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    block(ws, (row, row), cols, text, format)
}

fn block(
    ws: &mut Worksheet,
    rows: (RowNum, RowNum),
    cols: (ColNum, ColNum),
    text: &str,
    format: &Format,
) -> Result<(), XlsxError> {
    if rows.0 == rows.1 && cols.0 == cols.1 {
        ws.write_string_with_format(rows.0, cols.0, text, format)?;
    } else {
        ws.merge_range(rows.0, cols.0, rows.1, cols.1, text, format)?;
    }
    Ok(())
}

/// Width of the note columns (characters of the default font).
const NOTE_WIDTH: f64 = 40.0;

/// Gives a row the height its wrapped note needs (spreadsheets do not grow rows whose height
/// the file leaves unset when they open it, and a clipped note is worse than a tall row).
fn fit_lines(ws: &mut Worksheet, row: RowNum, text: &str, width: f64) -> Result<(), XlsxError> {
    // a 10-point Times note fits about 1.5 characters per unit of column width (measured on
    // the LibreOffice rendering)
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let per_line = (width * 1.5) as usize;
    let lines = text.chars().count().div_ceil(per_line.max(1)).max(1);
    if lines > 1 {
        #[allow(clippy::cast_precision_loss)]
        ws.set_row_height(row, 14.0 * lines as f64 + 2.0)?;
    }
    Ok(())
}

/// Counts are exact integers; a spreadsheet number holds them exactly up to 2^53.
#[allow(clippy::cast_precision_loss)]
fn number(n: u64) -> f64 {
    n as f64
}

/// A percentage as the letter writes it (one decimal, half away from zero), for a cell.
fn percent_cell(rate: &Rate) -> f64 {
    one_decimal_percent(rate)
        .to_string()
        .parse()
        .unwrap_or(f64::NAN)
}

/// Page setup of a form: A4 landscape, one page wide, centred, the header rows on every page.
fn page_setup(
    ws: &mut Worksheet,
    header_rows: (RowNum, RowNum),
    footer: &str,
) -> Result<(), XlsxError> {
    ws.set_landscape();
    ws.set_paper_size(9);
    ws.set_print_fit_to_pages(1, 0);
    ws.set_print_center_horizontally(true);
    ws.set_margins(0.4, 0.4, 0.5, 0.6, 0.3, 0.3);
    ws.set_repeat_rows(header_rows.0, header_rows.1)?;
    ws.set_footer(format!("&L&8{footer}&R&8Trang &P"));
    Ok(())
}

/// The title block over `width` columns; returns the next free row.
fn title_block(
    ws: &mut Worksheet,
    s: &Styles,
    h: &FormHeader,
    width: ColNum,
) -> Result<RowNum, XlsxError> {
    let last = width - 1;
    let mut row: RowNum = 0;
    if !h.form_code.is_empty() {
        span(ws, row, (0, 3), &h.form_code, &s.code)?;
        row += 1;
    }
    row += 1;
    span(ws, row, (0, last), &h.title, &s.title)?;
    ws.set_row_height(row, 36)?;
    row += 1;
    span(ws, row, (0, last), &h.period, &s.centered)?;
    row += 1;
    for line in &h.context {
        span(ws, row, (0, last), line, &s.centered)?;
        row += 1;
    }
    row += 1;
    span(ws, row, (0, last), &h.reporting_unit, &s.left)?;
    row += 1;
    span(ws, row, (0, last), &h.receiving_unit, &s.left)?;
    row += 1;
    span(
        ws,
        row,
        (last.saturating_sub(4), last),
        &h.unit_of_count,
        &s.right_italic,
    )?;
    Ok(row + 1)
}

/// Notes, the place and date, the two signatures; from `row`.
fn footer_block(
    ws: &mut Worksheet,
    s: &Styles,
    h: &FormHeader,
    notes: &[String],
    mut row: RowNum,
    width: ColNum,
) -> Result<(), XlsxError> {
    let last = width - 1;
    row += 1;
    for (i, n) in notes.iter().enumerate() {
        let text = if i == 0 {
            format!("Ghi chú: {n}")
        } else {
            n.clone()
        };
        span(ws, row, (0, last), &text, &s.small_italic)?;
        // long notes wrap onto two lines on a landscape page
        ws.set_row_height(row, if text.chars().count() > 190 { 28 } else { 15 })?;
        row += 1;
    }
    row += 1;
    let right = (last.saturating_sub(5), last);
    span(ws, row, right, &h.place_and_date, &s.centered)?;
    row += 1;
    span(ws, row, (0, 4), &h.prepared_by.to_uppercase(), &s.sign)?;
    span(ws, row, right, &h.approved_by.to_uppercase(), &s.sign)?;
    row += 1;
    span(ws, row, (0, 4), "(Ký, ghi rõ họ tên)", &s.sign_hint)?;
    span(ws, row, right, "(Ký tên, đóng dấu)", &s.sign_hint)?;
    Ok(())
}

fn finish(mut wb: Workbook, title: &str) -> Result<Vec<u8>, IoError> {
    let props = DocProperties::new()
        .set_title(title)
        .set_author("tthc-metrics")
        .set_comment("Generated by tthc-metrics from the dossiers export");
    wb.set_properties(&props);
    wb.save_to_buffer().map_err(|e| xlsx(&e))
}

/// The Biểu II.06a as the bytes of an `.xlsx` workbook: sheet "Biểu II.06a" in the form's
/// layout and, under the strict bucket policy, sheet "Chênh lệch" with the parts of the gap of
/// `3 = 7 + 11` per row.
///
/// # Errors
/// [`IoError::Write`] if the workbook cannot be built (never for a form of
/// [`Bieu06a::new`]).
///
/// # Example
/// ```
/// use tthc_metrics::{report, Bieu06a, Bieu06aOptions, Dossier, Period, ReportOptions, Status};
/// use chrono::NaiveDate;
/// let d = |day| NaiveDate::from_ymd_opt(2023, 10, day).unwrap();
/// let ds = vec![Dossier::new("1", "Phòng Y tế", d(2).and_hms_opt(8, 0, 0).unwrap(), Status::Processing)];
/// let o = Bieu06aOptions::new(Period::new(d(1), d(14)).unwrap());
/// let form = Bieu06a::new(&report(&ds, &o.report_options(ReportOptions::end_of_day(d(14)))).unwrap(), None, &o).unwrap();
/// let bytes = tthc_io::bieu_06a_xlsx(&form).unwrap();
/// assert_eq!(&bytes[..2], b"PK");
/// ```
pub fn bieu_06a_xlsx(form: &Bieu06a) -> Result<Vec<u8>, IoError> {
    let s = Styles::new();
    let mut wb = Workbook::new();
    let width: ColNum = if form.has_gap_column() { 14 } else { 13 };
    {
        let ws = wb.add_worksheet();
        write_06a_sheet(ws, &s, form, width).map_err(|e| xlsx(&e))?;
    }
    if form.has_gap_column() {
        let ws = wb.add_worksheet();
        write_gap_sheet(ws, &s, form).map_err(|e| xlsx(&e))?;
    }
    finish(wb, &form.header.title)
}

fn write_06a_sheet(
    ws: &mut Worksheet,
    s: &Styles,
    form: &Bieu06a,
    width: ColNum,
) -> Result<(), XlsxError> {
    ws.set_name("Biểu II.06a")?;
    ws.set_column_width(0, 5)?;
    ws.set_column_width(1, 34)?;
    for c in 2..13 {
        ws.set_column_width(c, 10.5)?;
    }
    if form.buckets == tthc_metrics::BucketPolicy::Inclusive {
        // the "bao gồm cả ..." headers
        ws.set_column_width(8, 15)?;
        ws.set_column_width(11, 15)?;
    }
    if width > 13 {
        ws.set_column_width(13, NOTE_WIDTH)?;
    }
    let top = title_block(ws, s, &form.header, width)?;
    for c in form.header_cells() {
        block(
            ws,
            (
                top + RowNum::from(c.first_row),
                top + RowNum::from(c.last_row),
            ),
            (c.first_col, c.last_col),
            &c.text,
            &s.header,
        )?;
    }
    ws.set_row_height(top + 1, 30)?;
    ws.set_row_height(top + 2, 30)?;
    ws.set_row_height(
        top + 3,
        if form.buckets == tthc_metrics::BucketPolicy::Inclusive {
            72
        } else {
            45
        },
    )?;
    let numbers = top + 4;
    for (i, n) in form.column_numbers().into_iter().enumerate() {
        ws.write_number_with_format(numbers, i as ColNum, f64::from(n), &s.number_header)?;
    }
    if width > 13 {
        ws.write_string_with_format(numbers, 13, "", &s.number_header)?;
    }
    let mut row = numbers + 1;
    for r in &form.rows {
        let bold = r.kind != FormRowKind::Entry;
        let (stt, label, count, note) = if bold {
            (&s.stt_bold, &s.label_bold, &s.count_bold, &s.note_bold)
        } else {
            (&s.stt, &s.label, &s.count, &s.note)
        };
        ws.write_string_with_format(row, 0, &r.number, stt)?;
        ws.write_string_with_format(row, 1, &r.label, label)?;
        for (i, v) in r.counts.columns().into_iter().enumerate() {
            ws.write_number_with_format(row, 2 + i as ColNum, number(v), count)?;
        }
        if width > 13 {
            let text = r.gap_note(form.buckets);
            ws.write_string_with_format(row, 13, &text, note)?;
            fit_lines(ws, row, &text, NOTE_WIDTH)?;
        }
        row += 1;
    }
    ws.set_freeze_panes(numbers + 1, 2)?;
    footer_block(ws, s, &form.header, &form.notes(), row, width)?;
    page_setup(ws, (top, numbers), tthc_metrics::FORM_CODE)?;
    Ok(())
}

fn write_gap_sheet(ws: &mut Worksheet, s: &Styles, form: &Bieu06a) -> Result<(), XlsxError> {
    ws.set_name("Chênh lệch")?;
    let width: ColNum = 8;
    ws.set_column_width(0, 5)?;
    ws.set_column_width(1, 34)?;
    for c in 2..width {
        ws.set_column_width(c, 14)?;
    }
    span(
        ws,
        0,
        (0, width - 1),
        "HỒ SƠ CHƯA TÍNH VÀO CỘT (7) VÀ (11) CỦA BIỂU II.06a (XẾP NGHIÊM NGẶT)",
        &s.title,
    )?;
    span(ws, 1, (0, width - 1), &form.header.period, &s.centered)?;
    let titles = [
        "STT",
        form.label_title(),
        "Chênh lệch (3) − (7) − (11)",
        "Chờ bổ sung",
        "Chờ thực hiện nghĩa vụ tài chính",
        "Từ chối",
        "Rút hồ sơ",
        "Dừng xử lý",
    ];
    for (i, t) in titles.iter().enumerate() {
        ws.write_string_with_format(3, i as ColNum, *t, &s.header)?;
    }
    ws.set_row_height(3, 45)?;
    for (row, r) in (4..).zip(&form.rows) {
        let bold = r.kind != FormRowKind::Entry;
        let (stt, label, count) = if bold {
            (&s.stt_bold, &s.label_bold, &s.count_bold)
        } else {
            (&s.stt, &s.label, &s.count)
        };
        ws.write_string_with_format(row, 0, &r.number, stt)?;
        ws.write_string_with_format(row, 1, &r.label, label)?;
        ws.write_number_with_format(row, 2, number(r.gap.total()), count)?;
        for (i, (_, _, v)) in r.gap.parts().into_iter().enumerate() {
            ws.write_number_with_format(row, 3 + i as ColNum, number(v), count)?;
        }
    }
    page_setup(ws, (3, 3), "Chênh lệch của Biểu II.06a")?;
    Ok(())
}

/// The Friday report as the bytes of an `.xlsx` workbook (sheet "Báo cáo tuần"): per unit the
/// week's receptions and finishes, the on-time rate, the overdue and hanging backlog at
/// Thursday's close, the online share, the year to date against the target with the on-time
/// dossiers still needed, and the flags; figures below target in red.
///
/// # Errors
/// [`IoError::Write`] if the workbook cannot be built.
///
/// # Example
/// see `tests/forms.rs` of this crate.
pub fn weekly_xlsx(report: &WeeklyReport) -> Result<Vec<u8>, IoError> {
    let s = Styles::new();
    let mut wb = Workbook::new();
    {
        let ws = wb.add_worksheet();
        write_weekly_sheet(ws, &s, report).map_err(|e| xlsx(&e))?;
    }
    finish(wb, &report.header.title)
}

/// The Friday report's columns after STT and the unit: (group, title).
fn weekly_columns(r: &WeeklyReport) -> Vec<(String, String)> {
    let o = &r.options;
    let thursday = vietnamese_date(o.week().end());
    let year = format!("Lũy kế từ {}", vietnamese_date(o.year_window().start()));
    let target = o.on_time_target.percent.normalize();
    let online = o.online_target.percent.normalize();
    let g = |a: &str, b: &str| (a.to_string(), b.to_string());
    vec![
        g("Tiếp nhận trong tuần", "Tổng số"),
        g("Tiếp nhận trong tuần", "Trực tuyến"),
        g("Tiếp nhận trong tuần", "Trực tiếp, bưu chính"),
        g("Giải quyết trong tuần", "Tổng số"),
        g("Giải quyết trong tuần", "Trước hạn"),
        g("Giải quyết trong tuần", "Đúng hạn"),
        g("Giải quyết trong tuần", "Quá hạn"),
        g("Giải quyết trong tuần", "Tỷ lệ đúng hạn (%)"),
        (format!("Tồn đến hết ngày {thursday}"), "Quá hạn".into()),
        (
            format!("Tồn đến hết ngày {thursday}"),
            format!("Treo (quá hạn trên {} ngày)", o.hanging_after_days),
        ),
        g("Trực tuyến trong tuần", "Hồ sơ của TTHC có DVC trực tuyến"),
        g("Trực tuyến trong tuần", "Nộp trực tuyến"),
        (
            "Trực tuyến trong tuần".into(),
            format!("Tỷ lệ (%) (chỉ tiêu trên {online}%)"),
        ),
        (year.clone(), "Trước hạn, đúng hạn".into()),
        (year.clone(), "Quá hạn".into()),
        (
            year.clone(),
            format!("Tỷ lệ đúng hạn (%) (chỉ tiêu {target}%)"),
        ),
        (year, format!("Cần thêm hồ sơ đúng hạn để đạt {target}%")),
    ]
}

fn write_weekly_sheet(ws: &mut Worksheet, s: &Styles, r: &WeeklyReport) -> Result<(), XlsxError> {
    ws.set_name("Báo cáo tuần")?;
    let cols = weekly_columns(r);
    let width = (cols.len() + 3) as ColNum; // STT, unit, ..., flags
    ws.set_column_width(0, 5)?;
    ws.set_column_width(1, 30)?;
    for c in 2..width - 1 {
        ws.set_column_width(c, 9.5)?;
    }
    ws.set_column_width(width - 1, NOTE_WIDTH)?;
    let top = title_block(ws, s, &r.header, width)?;
    block(ws, (top, top + 1), (0, 0), "STT", &s.header)?;
    block(ws, (top, top + 1), (1, 1), "Đơn vị", &s.header)?;
    let mut c = 0usize;
    while c < cols.len() {
        let group = &cols[c].0;
        let end = c + cols[c..].iter().take_while(|(g, _)| g == group).count() - 1;
        block(
            ws,
            (top, top),
            (2 + c as ColNum, 2 + end as ColNum),
            group,
            &s.header,
        )?;
        for (i, (_, title)) in cols.iter().enumerate().take(end + 1).skip(c) {
            ws.write_string_with_format(top + 1, 2 + i as ColNum, title, &s.header)?;
        }
        c = end + 1;
    }
    block(
        ws,
        (top, top + 1),
        (width - 1, width - 1),
        "Ghi chú",
        &s.header,
    )?;
    ws.set_row_height(top, 30)?;
    ws.set_row_height(top + 1, 78)?;
    let numbers = top + 2;
    for i in 0..width {
        ws.write_number_with_format(numbers, i, f64::from(i + 1), &s.number_header)?;
    }
    let mut row = numbers + 1;
    for (i, line) in r.rows.iter().enumerate() {
        write_weekly_row(ws, s, line, row, i)?;
        row += 1;
    }
    ws.set_freeze_panes(numbers + 1, 2)?;
    footer_block(ws, s, &r.header, &r.notes(), row, width)?;
    page_setup(ws, (top, numbers), "Báo cáo tuần")?;
    Ok(())
}

fn write_weekly_row(
    ws: &mut Worksheet,
    s: &Styles,
    line: &WeeklyRow,
    row: RowNum,
    index: usize,
) -> Result<(), XlsxError> {
    let bold = line.total;
    let (stt, label, count, percent) = if bold {
        (&s.stt_bold, &s.label_bold, &s.count_bold, &s.percent_bold)
    } else {
        (&s.stt, &s.label, &s.count, &s.percent)
    };
    let stt_text = if line.total {
        String::new()
    } else {
        (index + 1).to_string()
    };
    ws.write_string_with_format(row, 0, &stt_text, stt)?;
    ws.write_string_with_format(row, 1, &line.unit, label)?;
    let w = &line.week;
    let mut col: ColNum = 2;
    let mut put = |ws: &mut Worksheet, v: Option<f64>, f: &Format| -> Result<(), XlsxError> {
        match v {
            Some(v) => ws.write_number_with_format(row, col, v, f)?,
            None => ws.write_string_with_format(row, col, "-", &s.stt)?,
        };
        col += 1;
        Ok(())
    };
    for v in [
        w.received(),
        w.received_online,
        line.received_direct_post(),
        w.finished(),
        w.early,
        w.on_time,
        w.late,
    ] {
        put(ws, Some(number(v)), count)?;
    }
    put(
        ws,
        line.on_time_rate().ok().map(|x| percent_cell(&x)),
        percent,
    )?;
    put(ws, Some(number(w.overdue)), count)?;
    put(ws, Some(number(line.hanging)), count)?;
    put(ws, Some(number(w.eligible)), count)?;
    put(ws, Some(number(w.eligible_online)), count)?;
    let online_low = line.flags.contains(&WeeklyFlag::BelowOnlineTarget);
    put(
        ws,
        line.online_share().ok().map(|x| percent_cell(&x)),
        if online_low { &s.percent_red } else { percent },
    )?;
    put(ws, Some(number(line.year.on_time_or_early())), count)?;
    put(ws, Some(number(line.year.late)), count)?;
    let year_low = line.flags.contains(&WeeklyFlag::BelowOnTimeTarget);
    put(
        ws,
        line.year_rate().ok().map(|x| percent_cell(&x)),
        if year_low { &s.percent_red } else { percent },
    )?;
    put(ws, line.needed.map(number), count)?;
    let flags: Vec<&str> = line.flags.iter().map(|f| f.vietnamese()).collect();
    let text = flags.join("; ");
    ws.write_string_with_format(row, col, &text, if bold { &s.note_bold } else { &s.note })?;
    fit_lines(ws, row, &text, NOTE_WIDTH)?;
    Ok(())
}

/// Writes `bytes` to `path` whole or not at all: into a temporary file in the same folder,
/// then renamed over `path`. A folder that does not exist, or cannot be written, is an error
/// and nothing is left behind.
///
/// # Errors
/// [`IoError::Write`] naming the path and the system's reason.
///
/// # Example
/// ```
/// let dir = std::env::temp_dir().join("tthc-io-write-doc");
/// std::fs::create_dir_all(&dir).unwrap();
/// tthc_io::write_file(dir.join("a.xlsx"), b"PK").unwrap();
/// let err = tthc_io::write_file(dir.join("no/such/folder/a.xlsx"), b"PK").unwrap_err();
/// assert_eq!(err.code(), "write_error");
/// assert!(!dir.join("no").exists());
/// ```
pub fn write_file(path: impl AsRef<Path>, bytes: &[u8]) -> Result<(), IoError> {
    use std::io::Write;
    let path = path.as_ref();
    let shown = path.display().to_string();
    let err = |what: &str, e: std::io::Error| IoError::Write {
        file: shown.clone(),
        message: format!("{what}: {e}"),
    };
    let name = path.file_name().ok_or_else(|| IoError::Write {
        file: shown.clone(),
        message: "the path names no file".into(),
    })?;
    let dir = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(IoError::Write {
            file: shown,
            message: format!("the folder {} does not exist", dir.display()),
        });
    }
    let tmp = dir.join(format!(
        ".{}.{}.part",
        name.to_string_lossy(),
        std::process::id()
    ));
    let result = (|| {
        let mut f = std::fs::File::create(&tmp).map_err(|e| err("cannot create the file", e))?;
        f.write_all(bytes)
            .map_err(|e| err("cannot write the file", e))?;
        f.sync_all().map_err(|e| err("cannot write the file", e))?;
        std::fs::rename(&tmp, path).map_err(|e| err("cannot replace the file", e))
    })();
    if result.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    result
}

/// [`bieu_06a_xlsx`] written to `path` ([`write_file`]).
///
/// # Errors
/// As [`bieu_06a_xlsx`] and [`write_file`].
///
/// # Example
/// see [`bieu_06a_xlsx`].
pub fn write_bieu_06a(form: &Bieu06a, path: impl AsRef<Path>) -> Result<(), IoError> {
    write_file(path, &bieu_06a_xlsx(form)?)
}

/// [`weekly_xlsx`] written to `path` ([`write_file`]).
///
/// # Errors
/// As [`weekly_xlsx`] and [`write_file`].
///
/// # Example
/// see [`weekly_xlsx`].
pub fn write_weekly(report: &WeeklyReport, path: impl AsRef<Path>) -> Result<(), IoError> {
    write_file(path, &weekly_xlsx(report)?)
}
