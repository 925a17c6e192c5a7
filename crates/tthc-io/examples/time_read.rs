//! Times `read_export` on a file: `cargo run --release --example time_read -- FILE [REPEAT]`.
fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let n: usize = std::env::args()
        .nth(2)
        .and_then(|s| s.parse().ok())
        .unwrap_or(3);
    let o = tthc_io::ReadOptions::default().memory_limit(64 << 30);
    for _ in 0..n {
        let t = std::time::Instant::now();
        let e = tthc_io::read_export(&path, &o).unwrap();
        println!("{} rows in {:?}", e.batch.num_rows(), t.elapsed());
    }
}
