//! Shared data generators for the benchmarks: columnar dossier tables built directly as the
//! kernel reads them (Arrow-like buffers), seeded and deterministic.

use tthc_metrics::columnar::{
    report_chunks, Columns, Names, TimeColumn, TimeEncoding, TimeValues, Validity,
};
use tthc_metrics::{MemoryBudget, NameTable, Report, ReportOptions};

/// A columnar table of synthetic dossiers owned by the benchmark (the buffers an Arrow table of
/// `date32`/`timestamp[us]` columns would hand over).
pub struct Table {
    /// Reception, microseconds since 1970 civil time (naive `timestamp[us]`).
    pub received: Vec<i64>,
    /// Due date-time, microseconds.
    pub due: Vec<i64>,
    /// End of processing, microseconds (see `finished_valid`).
    pub finished: Vec<i64>,
    /// Validity bitmap of `finished`.
    pub finished_valid: Vec<u8>,
    /// Status column codes.
    pub status: Vec<u8>,
    /// Channel codes 1-3.
    pub channel: Vec<u8>,
    /// Online-service codes 0-2.
    pub online: Vec<u8>,
    /// Unit codes (1-based: code 0 is the blank name).
    pub unit: Vec<u32>,
    /// The units.
    pub names: NameTable,
}

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

impl Table {
    /// `n` dossiers over 2023 (sorted by reception), `units` units, a realistic status mix:
    /// 3% never received, 8% processing, 3% awaiting supplement, 2% withdrawn, 1% stopped,
    /// 83% finished (0-45 days after reception), due 1-30 days after reception.
    pub fn synthetic(n: usize, units: u32, seed: u64) -> Self {
        let mut rng = SplitMix(seed);
        const US: i64 = 1_000_000;
        const DAY: i64 = 86_400 * US;
        let start = 19_358 * DAY; // 2023-01-01
        let mut received: Vec<i64> = (0..n)
            .map(|_| start + (rng.below(365 * 86_400) as i64) * US)
            .collect();
        received.sort_unstable();
        let mut t = Table {
            due: Vec::with_capacity(n),
            finished: Vec::with_capacity(n),
            finished_valid: vec![0; n.div_ceil(8)],
            status: Vec::with_capacity(n),
            channel: Vec::with_capacity(n),
            online: Vec::with_capacity(n),
            unit: Vec::with_capacity(n),
            names: NameTable::from_labels(
                (0..units)
                    .map(|i| format!("UBND xã số {i:02}"))
                    .collect::<Vec<_>>()
                    .iter()
                    .map(String::as_str),
            ),
            received,
        };
        for i in 0..n {
            let r = t.received[i];
            let days = [1, 3, 5, 7, 10, 15, 20, 30][rng.below(8) as usize];
            t.due
                .push(r - r.rem_euclid(DAY) + days * DAY + 17 * 3_600 * US);
            let roll = rng.below(100);
            let status = match roll {
                0..=2 => 3,
                3..=10 => 4,
                11..=13 => 5,
                14..=15 => 7,
                16 => 8,
                17..=49 => 9,
                _ => 10,
            };
            t.status.push(status);
            if matches!(status, 3..=5) {
                t.finished.push(0);
            } else {
                t.finished.push(r + (rng.below(45 * 86_400) as i64) * US);
                t.finished_valid[i / 8] |= 1 << (i % 8);
            }
            t.channel
                .push([1, 1, 2, 1, 2, 1, 1, 2, 1, 3][rng.below(10) as usize]);
            t.online.push([0, 1, 1, 2, 1][rng.below(5) as usize]);
            t.unit.push(rng.below(u64::from(units)) as u32 + 1);
        }
        t
    }

    /// The same rows in a seeded random order (exports come ordered by dossier code, by unit, or
    /// not at all): every column permuted alike.
    #[must_use]
    pub fn shuffled(mut self, seed: u64) -> Self {
        let n = self.len();
        let mut rng = SplitMix(seed);
        let mut order: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            order.swap(i, rng.below(i as u64 + 1) as usize);
        }
        fn permute<T: Copy>(v: &[T], order: &[usize]) -> Vec<T> {
            order.iter().map(|&i| v[i]).collect()
        }
        let valid = |i: usize| self.finished_valid[i / 8] >> (i % 8) & 1 == 1;
        let mut finished_valid = vec![0u8; n.div_ceil(8)];
        for (k, &i) in order.iter().enumerate() {
            if valid(i) {
                finished_valid[k / 8] |= 1 << (k % 8);
            }
        }
        self.received = permute(&self.received, &order);
        self.due = permute(&self.due, &order);
        self.finished = permute(&self.finished, &order);
        self.status = permute(&self.status, &order);
        self.channel = permute(&self.channel, &order);
        self.online = permute(&self.online, &order);
        self.unit = permute(&self.unit, &order);
        self.finished_valid = finished_valid;
        self
    }

    /// The kernel's view of the table (borrowed, no copy).
    ///
    /// # Panics
    /// Never: every column has the table's length.
    pub fn columns(&self) -> Columns<'_> {
        self.columns_range(0, self.len())
    }

    /// The kernel's view of rows `lo..hi` (a record batch of the table).
    ///
    /// # Panics
    /// When `lo..hi` is not within the table.
    pub fn columns_range(&self, lo: usize, hi: usize) -> Columns<'_> {
        fn us(v: &[i64]) -> TimeColumn<'_> {
            TimeColumn::new(
                TimeValues::Ticks(v),
                TimeEncoding::Timestamp {
                    per_second: 1_000_000,
                    utc: false,
                },
                None,
            )
        }
        Columns::builder(us(&self.received[lo..hi]), (&self.status[lo..hi]).into())
            .due(us(&self.due[lo..hi]))
            .finished(
                us(&self.finished[lo..hi])
                    .with_validity(Some(Validity::new(&self.finished_valid, lo)), false),
            )
            .channel((&self.channel[lo..hi]).into())
            .online_service((&self.online[lo..hi]).into())
            .unit(Names::new((&self.unit[lo..hi]).into(), &self.names))
            .build()
            .expect("the benchmark's columns have equal lengths")
    }

    /// The report of the table (preparation and kernel), as the Arrow adapter runs it; in chunks
    /// of `CHUNK` rows (an environment variable) when it is set, as record batches would be.
    ///
    /// # Panics
    /// When the report fails (the benches' options are valid).
    pub fn report(&self, o: &ReportOptions) -> Report {
        let mut budget = MemoryBudget::new(o.memory_limit);
        let rows = std::env::var("CHUNK")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(self.len())
            .max(1);
        let chunks: Vec<Columns<'_>> = (0..self.len())
            .step_by(rows)
            .map(|lo| self.columns_range(lo, (lo + rows).min(self.len())))
            .collect();
        report_chunks(&chunks, Vec::new(), o, None, &mut budget).expect("a valid report")
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.status.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.status.is_empty()
    }
}
