//! Delimited text: the delimiter sniffed among `,` `;` tab `|` from the first lines (quotes
//! respected), then every record read with `csv-core` into the table; a record's row is the
//! 1-based line it starts on.

use std::borrow::Cow;

use csv_core::{ReadRecordResult, Reader, ReaderBuilder};

use crate::cell::Val;
use crate::error::IoError;
use crate::table::Table;

const DELIMITERS: [u8; 4] = [b',', b';', b'\t', b'|'];
/// Bytes looked at to choose the delimiter.
const SNIFF_BYTES: usize = 64 << 10;
/// Records looked at to choose the delimiter.
const SNIFF_RECORDS: usize = 60;

fn reader(delimiter: u8) -> Reader {
    ReaderBuilder::new().delimiter(delimiter).build()
}

/// Field counts of the first records of `sample` split by `delimiter`.
fn field_counts(sample: &[u8], delimiter: u8) -> Vec<usize> {
    let mut r = reader(delimiter);
    let mut out = vec![0u8; 4096];
    let mut ends = vec![0usize; 256];
    let mut input = sample;
    let mut counts = Vec::new();
    let (mut o, mut e) = (0, 0);
    while counts.len() < SNIFF_RECORDS {
        let (res, nin, nout, nend) = r.read_record(input, &mut out[o..], &mut ends[e..]);
        input = &input[nin..];
        o += nout;
        e += nend;
        match res {
            ReadRecordResult::InputEmpty => {
                if input.is_empty() {
                    // the last record of the sample may be cut: finish it only if it is all
                    let (res, _, _, nend) = r.read_record(&[], &mut out[o..], &mut ends[e..]);
                    if matches!(res, ReadRecordResult::Record) {
                        counts.push(e + nend);
                    }
                    break;
                }
            }
            ReadRecordResult::OutputFull => {
                let n = out.len();
                out.resize(n * 2, 0);
            }
            ReadRecordResult::OutputEndsFull => {
                let n = ends.len();
                ends.resize(n * 2, 0);
            }
            ReadRecordResult::Record => {
                counts.push(e);
                o = 0;
                e = 0;
            }
            ReadRecordResult::End => break,
        }
        if out.len() > 1 << 22 || ends.len() > 1 << 16 {
            break;
        }
    }
    counts
}

/// The delimiter whose most common field count (of at least 2) is shared by the most records.
fn sniff(text: &[u8]) -> Option<u8> {
    let mut cut = text.len().min(SNIFF_BYTES);
    if cut < text.len() {
        if let Some(nl) = memchr::memrchr(b'\n', &text[..cut]) {
            cut = nl + 1;
        }
    }
    let sample = &text[..cut];
    let mut best: Option<(usize, usize, u8)> = None;
    for d in DELIMITERS {
        let counts = field_counts(sample, d);
        let mut freq: Vec<(usize, usize)> = Vec::new();
        for &c in counts.iter().filter(|&&c| c >= 2) {
            match freq.iter_mut().find(|(k, _)| *k == c) {
                Some(f) => f.1 += 1,
                None => freq.push((c, 1)),
            }
        }
        if let Some(&(fields, records)) = freq.iter().max_by_key(|(k, n)| (*n, *k)) {
            if best.is_none_or(|(r, f, _)| (records, fields) > (r, f)) {
                best = Some((records, fields, d));
            }
        }
    }
    best.map(|(_, _, d)| d)
}

/// Bytes below which a CSV is read on one thread.
const PARALLEL_BYTES: usize = 8 << 20;

/// Reads delimited `text` (UTF-8, the BOM already removed) into `table`: the header rows on
/// this thread, then the rest in two halves at once (split at a line end outside quotes: an
/// even number of `"` before it), the second half's table appended to the first's.
pub(crate) fn read(text: &[u8], table: &mut Table<'_>) -> Result<(), IoError> {
    let Some(delimiter) = sniff(text) else {
        if text.iter().all(u8::is_ascii_whitespace) {
            return Ok(());
        }
        return Err(IoError::UnsupportedFormat {
            file: table.place().file.to_string(),
            message: "text with no delimiter (, ; tab |) splitting its first lines into columns: not a table".into(),
        });
    };
    let (used, line) = parse(text, delimiter, 1, table, true)?;
    let rest = &text[used..];
    let split = if rest.len() >= PARALLEL_BYTES && table.is_ready() {
        split_point(rest)
    } else {
        None
    };
    let Some(mid) = split else {
        parse(rest, delimiter, line, table, false)?;
        return Ok(());
    };
    let (a, b) = rest.split_at(mid);
    let b_line = line + memchr::memchr_iter(b'\n', a).count() as u64;
    let mut other = table.continuation()?;
    table.expect_bytes(a.len());
    other.expect_bytes(b.len());
    let (ra, rb) = std::thread::scope(|s| {
        let second = s.spawn(|| parse(b, delimiter, b_line, &mut other, false).map(|_| ()));
        let ra = parse(a, delimiter, line, table, false).map(|_| ());
        let rb = second.join();
        (ra, rb)
    });
    ra?;
    match rb {
        Ok(r) => r?,
        Err(_) => {
            return Err(IoError::Corrupt {
                place: table.place().clone(),
                message: "the CSV reader failed on this file".into(),
            })
        }
    }
    table.absorb(other)
}

/// A line end near the middle of `text` that ends a record (an even number of quotes before
/// it), as the offset just after it.
fn split_point(text: &[u8]) -> Option<usize> {
    let mid = text.len() / 2;
    let quotes = memchr::memchr_iter(b'"', &text[..mid]).count();
    let mut odd = quotes % 2 == 1;
    let mut i = mid;
    // the first line end after the middle with the quotes balanced
    for j in memchr::memchr2_iter(b'\n', b'"', &text[mid..]) {
        let at = mid + j;
        if text[at] == b'"' {
            odd = !odd;
            continue;
        }
        if !odd {
            i = at + 1;
            return (i < text.len()).then_some(i);
        }
        if at - mid > 1 << 20 {
            break;
        }
    }
    let _ = i;
    None
}

/// Reuses a vector's allocation for another lifetime of its (cleared) items.
#[allow(clippy::unnecessary_filter_map)] // the map to another item type is the point: it keeps the allocation
fn recycle<'b>(v: Vec<(u32, Val<'_>)>) -> Vec<(u32, Val<'b>)> {
    v.into_iter().filter_map(|_| None).collect()
}

/// Parses records of `text` (its first on line `line`) into `table`; with `until_ready`, stops
/// after the record that completes the header search. Returns the bytes consumed and the line
/// of the next record.
fn parse(
    text: &[u8],
    delimiter: u8,
    mut line: u64,
    table: &mut Table<'_>,
    until_ready: bool,
) -> Result<(usize, u64), IoError> {
    let mut r = reader(delimiter);
    let mut out = vec![0u8; 1 << 16];
    let mut ends = vec![0usize; 64];
    let mut input = text;
    let (mut o, mut e) = (0usize, 0usize);
    let mut start_line = line;
    let mut at_start = true;
    let mut spare: Vec<(u32, Val<'static>)> = Vec::new();
    let mut ranges: Vec<(usize, usize)> = Vec::with_capacity(64);
    loop {
        if at_start {
            if until_ready && table.is_ready() {
                break;
            }
            // blank lines between records: skipped, but counted
            let blank = input
                .iter()
                .position(|&b| b != b'\n' && b != b'\r')
                .unwrap_or(input.len());
            line += memchr::memchr_iter(b'\n', &input[..blank]).count() as u64;
            input = &input[blank..];
            start_line = line;
            at_start = false;
            // a line without quotes: split at the delimiter with memchr, no state machine
            if table.is_ready() {
                let nl = memchr::memchr(b'\n', input);
                let raw = &input[..nl.unwrap_or(input.len())];
                if !raw.is_empty() && memchr::memchr(b'"', raw).is_none() {
                    let l = raw.strip_suffix(b"\r").unwrap_or(raw);
                    ranges.clear();
                    let mut from = 0;
                    for d in memchr::memchr_iter(delimiter, l) {
                        ranges.push((from, d));
                        from = d + 1;
                    }
                    ranges.push((from, l.len()));
                    if table.raw_fields(start_line, l, &ranges)? {
                        input = &input[nl.map_or(input.len(), |n| n + 1)..];
                        line += u64::from(nl.is_some());
                        at_start = true;
                        continue;
                    }
                }
            }
        }
        let before = r.line();
        let (res, nin, nout, nend) = r.read_record(input, &mut out[o..], &mut ends[e..]);
        line += r.line() - before;
        input = &input[nin..];
        o += nout;
        e += nend;
        match res {
            // at the end, the last record without a line end is finished by an empty read
            ReadRecordResult::InputEmpty => {}
            ReadRecordResult::OutputFull => {
                let n = out.len();
                table.reserve_for(n as u64, "a CSV record")?;
                out.resize(n * 2, 0);
            }
            ReadRecordResult::OutputEndsFull => {
                let n = ends.len();
                table.reserve_for(n as u64 * 8, "a CSV record's fields")?;
                ends.resize(n * 2, 0);
            }
            ReadRecordResult::Record if table.raw_row(start_line, &out[..o], &ends[..e])? => {
                let end = if text.len() > input.len() && text[text.len() - input.len() - 1] == b'\n'
                {
                    line - 1
                } else {
                    line
                };
                table.seen_through(start_line, end);
                at_start = true;
                o = 0;
                e = 0;
            }
            ReadRecordResult::Record => {
                let mut cells = recycle(std::mem::take(&mut spare));
                let mut from = 0;
                for (k, &end) in ends[..e].iter().enumerate() {
                    cells.push((k as u32, Val::Raw(Cow::Borrowed(&out[from..end]))));
                    from = end;
                }
                table.row(start_line, &cells)?;
                // the line of the record's end (the line count includes its line end)
                let end = if text.len() > input.len() && text[text.len() - input.len() - 1] == b'\n'
                {
                    line - 1
                } else {
                    line
                };
                table.seen_through(start_line, end);
                cells.clear();
                spare = recycle(cells);
                at_start = true;
                o = 0;
                e = 0;
            }
            ReadRecordResult::End => break,
        }
    }
    Ok((text.len() - input.len(), line))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sniffs_the_delimiter() {
        assert_eq!(sniff(b"a;b;c\n1;2;3\n4;5;6\n"), Some(b';'));
        assert_eq!(sniff(b"a,b\n\"x;y\",2\n"), Some(b','));
        assert_eq!(sniff(b"a\tb\tc\n1\t2\t3\n"), Some(b'\t'));
        assert_eq!(sniff(b"title only\nand prose\n"), None);
        // a title line above a ;-table with commas in its text
        assert_eq!(
            sniff(b"BAO CAO, thang 10\nMa;Ngay;Trang thai\n1;2;3\n4;5;6\n"),
            Some(b';')
        );
    }
}
