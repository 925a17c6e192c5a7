//! Prints what a file reads as (a development aid): `cargo run --example peek -- FILE`.
fn main() {
    let path = std::env::args().nth(1).expect("a file");
    match tthc_io::read_export(&path, &tthc_io::ReadOptions::default()) {
        Ok(e) => {
            println!(
                "{:?} sheet={:?} header_row={:?} rows={}",
                e.format,
                e.sheet,
                e.header_row,
                e.batch.num_rows()
            );
            for f in e.batch.schema().fields() {
                println!("  {}: {}", f.name(), f.data_type());
            }
            for (k, v) in e.batch.schema().metadata() {
                println!("  {k} = {}", v.chars().take(300).collect::<String>());
            }
            let n = e.batch.num_rows().min(3);
            println!("{}", arrow_cast_free(&e.batch.slice(0, n)));
        }
        Err(e) => println!("error {}: {e}", e.code()),
    }
}

fn arrow_cast_free(b: &arrow_array::RecordBatch) -> String {
    format!("{b:?}").chars().take(3000).collect()
}
