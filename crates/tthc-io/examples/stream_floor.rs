//! Times calamine's own streaming of a sheet (the floor) against `read_export` on the same file:
//! `cargo run --release --example stream_floor -- FILE.xlsx`.
use std::io::Cursor;
use std::time::Instant;

use calamine::{Reader, Xlsx};

fn main() {
    let path = std::env::args().nth(1).expect("an .xlsx");
    let bytes = std::fs::read(&path).unwrap();
    for _ in 0..3 {
        let t = Instant::now();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        let name = wb.sheet_names()[0].clone();
        let mut r = wb.worksheet_cells_reader(&name).unwrap();
        let mut n = 0u64;
        while let Some(c) = r.next_cell().unwrap() {
            n += u64::from(!matches!(c.get_value(), calamine::DataRef::Empty));
        }
        let floor = t.elapsed();
        let t = Instant::now();
        let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(&bytes[..])).unwrap();
        let open = t.elapsed();
        let range = wb.worksheet_range(&name).unwrap();
        println!(
            "open {open:?}, worksheet_range {:?} ({} rows)",
            t.elapsed(),
            range.height()
        );
        let t = Instant::now();
        let e =
            tthc_io::read_export_bytes(&bytes, &path, &tthc_io::ReadOptions::default()).unwrap();
        println!(
            "cells {n}: calamine streaming {floor:?}, read_export {:?} ({} rows)",
            t.elapsed(),
            e.batch.num_rows()
        );
    }
}
