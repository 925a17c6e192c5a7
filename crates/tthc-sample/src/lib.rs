//! Deterministic sample dossiers for examples, tests and benchmarks.
//!
//! * [`krong_no_2023`]: the district of the seed letter (Huyện Krông Nô, 01/01–16/10/2023), tuned so
//!   that the cohort view at 16/10/2023 gives the letter's figures exactly: 15,935 dossiers received,
//!   10,677 finished early or on time, 662 late, and the letter's online counts per unit
//!   (Nội vụ 132, Kinh tế và Hạ tầng 22, Tư pháp 9, Tài chính – Kế hoạch 2; Đức Xuyên 1, Đắk Sôr 0).
//!   Everything else (unit sizes, procedures, durations, dates, the mix of statuses) is invented
//!   but realistic, and seeded: the same call gives the same data on every machine.
//! * [`synthetic`]: a large data set of any size for benchmarks (a year of dates, about 40 units,
//!   a realistic channel and status mix).
//!
//! Generation is pure (no I/O); the random stream is `ChaCha8Rng`, whose output is stable across
//! platforms and `rand_chacha` releases.

use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use tthc_metrics::{Channel, Dossier, OnlineService, Status, UnitKind, UnitTree};

/// The province of the sample.
pub const PROVINCE: &str = "Tỉnh Đắk Nông";
/// The district of the sample (the seed letter's sender).
pub const DISTRICT: &str = "Huyện Krông Nô";
/// The cut-off of the seed letter's figures.
pub const SEED_AS_OF: (i32, u32, u32) = (2023, 10, 16);

/// Figures stated in the seed letter (`shared/seed/`), which the sample reproduces exactly.
pub mod seed_figures {
    /// Dossiers received 01/01–16/10/2023.
    pub const RECEIVED: u64 = 15_935;
    /// Finished early or on time.
    pub const ON_TIME_OR_EARLY: u64 = 10_677;
    /// Finished late.
    pub const LATE: u64 = 662;
    /// Online dossiers at district level (the departments' desk).
    pub const DISTRICT_ONLINE: u64 = 165;
}

/// The field (lĩnh vực) of a sample procedure, by its name, as the national database files them.
fn field_of(procedure: &str) -> &'static str {
    const FIELDS: &[(&str, &str)] = &[
        ("hộ tịch", "Hộ tịch"),
        ("khai sinh", "Hộ tịch"),
        ("kết hôn", "Hộ tịch"),
        ("khai tử", "Hộ tịch"),
        ("hôn nhân", "Hộ tịch"),
        ("Chứng thực", "Chứng thực"),
        ("đất", "Đất đai"),
        ("giấy chứng nhận", "Đất đai"),
        ("hội", "Tổ chức phi chính phủ"),
        ("tín ngưỡng", "Tín ngưỡng, tôn giáo"),
        ("hộ kinh doanh", "Thành lập và hoạt động của hộ kinh doanh"),
        ("xây dựng", "Hoạt động xây dựng"),
        ("công trình", "Hoạt động xây dựng"),
        ("Thẩm định", "Hoạt động xây dựng"),
        ("môi trường", "Môi trường"),
        ("Trợ cấp", "Bảo trợ xã hội"),
        ("mai táng", "Bảo trợ xã hội"),
        ("người có công", "Người có công"),
        ("thiên tai", "Phòng, chống thiên tai"),
        ("văn hóa", "Văn hóa cơ sở"),
        ("karaoke", "Văn hóa cơ sở"),
        ("làng nghề", "Nông nghiệp"),
        ("trường", "Giáo dục và Đào tạo"),
        ("giáo dục", "Giáo dục và Đào tạo"),
    ];
    FIELDS
        .iter()
        .find(|(k, _)| procedure.contains(k))
        .map_or("Khác", |(_, f)| f)
}

struct UnitSpec {
    name: &'static str,
    kind: UnitKind,
    code: &'static str,
    /// Dossiers received (the last commune, Đắk Mâm, takes the remainder).
    received: u32,
    /// Online dossiers (from the letter where it names them).
    online: u32,
    /// Share of received dossiers finished late (before the global adjustment).
    late: f64,
    /// Share of received dossiers not finished at the cut-off.
    open: f64,
    /// Share of the open dossiers that are overdue (the rest mostly within due).
    overdue_of_open: f64,
    /// Procedures: (code, name, working days allowed, online level).
    procedures: &'static [(&'static str, &'static str, u32, OnlineService)],
}

use OnlineService::{Full, None as NoOnline, Partial};

const HO_TICH: &[(&str, &str, u32, OnlineService)] = &[
    ("1.001193", "Đăng ký khai sinh", 1, Full),
    ("1.000894", "Đăng ký kết hôn", 3, Partial),
    ("1.000656", "Đăng ký khai tử", 1, Full),
    ("2.000908", "Chứng thực bản sao từ bản chính", 1, NoOnline),
    ("2.000635", "Cấp bản sao trích lục hộ tịch", 1, Full),
    ("1.003583", "Xác nhận tình trạng hôn nhân", 3, Partial),
];
const DAT_DAI: &[(&str, &str, u32, OnlineService)] = &[
    (
        "1.004227",
        "Đăng ký biến động quyền sử dụng đất",
        10,
        Partial,
    ),
    (
        "1.003003",
        "Cấp giấy chứng nhận quyền sử dụng đất lần đầu",
        30,
        NoOnline,
    ),
    ("1.002255", "Đăng ký thế chấp quyền sử dụng đất", 3, Partial),
    ("1.005194", "Cấp đổi giấy chứng nhận", 7, Partial),
];

const UNITS: &[UnitSpec] = &[
    UnitSpec {
        name: "Phòng Nội vụ",
        kind: UnitKind::Department,
        code: "H23.01",
        received: 420,
        online: 132,
        late: 0.02,
        open: 0.20,
        overdue_of_open: 0.10,
        procedures: &[
            ("1.005384", "Thủ tục thành lập hội", 30, Partial),
            ("2.001234", "Công nhận ban vận động thành lập hội", 15, Full),
            ("1.001167", "Đăng ký hoạt động tín ngưỡng", 15, Partial),
        ],
    },
    UnitSpec {
        name: "Phòng Tư pháp",
        kind: UnitKind::Department,
        code: "H23.02",
        received: 310,
        online: 9,
        late: 0.02,
        open: 0.15,
        overdue_of_open: 0.10,
        procedures: &[
            ("2.000815", "Chứng thực chữ ký", 1, NoOnline),
            (
                "1.001022",
                "Đăng ký khai sinh có yếu tố nước ngoài",
                15,
                Partial,
            ),
            ("2.000748", "Cấp bản sao trích lục hộ tịch", 1, Full),
        ],
    },
    UnitSpec {
        name: "Phòng Tài chính - Kế hoạch",
        kind: UnitKind::Department,
        code: "H23.03",
        received: 860,
        online: 2,
        late: 0.03,
        open: 0.18,
        overdue_of_open: 0.10,
        procedures: &[
            ("2.000720", "Đăng ký thành lập hộ kinh doanh", 3, Partial),
            (
                "2.000575",
                "Đăng ký thay đổi nội dung đăng ký hộ kinh doanh",
                3,
                Partial,
            ),
            (
                "1.005280",
                "Thẩm định quyết toán dự án hoàn thành",
                30,
                NoOnline,
            ),
        ],
    },
    UnitSpec {
        name: "Phòng Kinh tế và Hạ tầng",
        kind: UnitKind::Department,
        code: "H23.04",
        received: 380,
        online: 22,
        late: 0.04,
        open: 0.25,
        overdue_of_open: 0.20,
        procedures: &[
            (
                "1.009994",
                "Cấp giấy phép xây dựng nhà ở riêng lẻ",
                15,
                Partial,
            ),
            (
                "1.009788",
                "Cấp giấy phép sửa chữa, cải tạo công trình",
                15,
                Partial,
            ),
            (
                "1.003435",
                "Thẩm định báo cáo kinh tế kỹ thuật",
                20,
                NoOnline,
            ),
        ],
    },
    UnitSpec {
        name: "Phòng Tài nguyên và Môi trường",
        kind: UnitKind::Department,
        code: "H23.05",
        received: 520,
        online: 0,
        late: 0.08,
        open: 0.45,
        overdue_of_open: 0.65,
        procedures: &[
            ("1.004253", "Giao đất, cho thuê đất", 20, NoOnline),
            ("1.003010", "Chuyển mục đích sử dụng đất", 15, Partial),
            (
                "1.010736",
                "Xác nhận kế hoạch bảo vệ môi trường",
                10,
                Partial,
            ),
        ],
    },
    UnitSpec {
        name: "Phòng Lao động - Thương binh và Xã hội",
        kind: UnitKind::Department,
        code: "H23.06",
        received: 640,
        online: 0,
        late: 0.02,
        open: 0.20,
        overdue_of_open: 0.10,
        procedures: &[
            ("1.001776", "Trợ cấp xã hội hàng tháng", 15, Partial),
            ("1.001758", "Hỗ trợ chi phí mai táng", 5, Partial),
            ("1.010801", "Xác nhận người có công", 20, NoOnline),
        ],
    },
    UnitSpec {
        name: "Phòng Văn hóa và Thông tin",
        kind: UnitKind::Department,
        code: "H23.07",
        received: 90,
        online: 0,
        late: 0.01,
        open: 0.15,
        overdue_of_open: 0.10,
        procedures: &[
            ("1.001029", "Công nhận gia đình văn hóa", 10, Partial),
            ("1.003645", "Cấp giấy phép kinh doanh karaoke", 5, NoOnline),
        ],
    },
    UnitSpec {
        name: "Phòng Giáo dục và Đào tạo",
        kind: UnitKind::Department,
        code: "H23.08",
        received: 160,
        online: 0,
        late: 0.01,
        open: 0.15,
        overdue_of_open: 0.10,
        procedures: &[
            (
                "1.004889",
                "Chuyển trường đối với học sinh trung học cơ sở",
                3,
                Partial,
            ),
            (
                "1.005099",
                "Cho phép trường hoạt động giáo dục",
                20,
                NoOnline,
            ),
        ],
    },
    UnitSpec {
        name: "Phòng Y tế",
        kind: UnitKind::Department,
        code: "H23.09",
        received: 120,
        online: 0,
        late: 0.02,
        open: 0.15,
        overdue_of_open: 0.10,
        procedures: &[(
            "1.002410",
            "Cấp giấy chứng nhận cơ sở đủ điều kiện an toàn thực phẩm",
            15,
            Partial,
        )],
    },
    UnitSpec {
        name: "Phòng Nông nghiệp và PTNT",
        kind: UnitKind::Department,
        code: "H23.10",
        received: 150,
        online: 0,
        late: 0.02,
        open: 0.20,
        overdue_of_open: 0.15,
        procedures: &[
            (
                "1.003397",
                "Hỗ trợ khôi phục sản xuất vùng bị thiệt hại do thiên tai",
                10,
                NoOnline,
            ),
            ("1.008004", "Công nhận làng nghề", 20, Partial),
        ],
    },
    UnitSpec {
        name: "Phòng Dân tộc",
        kind: UnitKind::Department,
        code: "H23.11",
        received: 40,
        online: 0,
        late: 0.0,
        open: 0.10,
        overdue_of_open: 0.0,
        procedures: &[(
            "1.010940",
            "Công nhận người có uy tín trong đồng bào dân tộc thiểu số",
            15,
            NoOnline,
        )],
    },
    UnitSpec {
        name: "Chi nhánh Văn phòng đăng ký đất đai Krông Nô",
        kind: UnitKind::Branch,
        code: "H23.12",
        received: 4_100,
        online: 0,
        late: 0.075,
        open: 0.38,
        overdue_of_open: 0.35,
        procedures: DAT_DAI,
    },
    UnitSpec {
        name: "UBND xã Đắk Sôr",
        kind: UnitKind::Commune,
        code: "H23.21",
        received: 760,
        online: 0,
        late: 0.07,
        open: 0.30,
        overdue_of_open: 0.25,
        procedures: HO_TICH,
    },
    UnitSpec {
        name: "UBND xã Nam Xuân",
        kind: UnitKind::Commune,
        code: "H23.22",
        received: 690,
        online: 11,
        late: 0.02,
        open: 0.27,
        overdue_of_open: 0.10,
        procedures: HO_TICH,
    },
    UnitSpec {
        name: "UBND xã Đắk Drô",
        kind: UnitKind::Commune,
        code: "H23.23",
        received: 720,
        online: 14,
        late: 0.02,
        open: 0.27,
        overdue_of_open: 0.10,
        procedures: HO_TICH,
    },
    UnitSpec {
        name: "UBND xã Nam Đà",
        kind: UnitKind::Commune,
        code: "H23.24",
        received: 810,
        online: 18,
        late: 0.02,
        open: 0.27,
        overdue_of_open: 0.10,
        procedures: HO_TICH,
    },
    UnitSpec {
        name: "UBND xã Đức Xuyên",
        kind: UnitKind::Commune,
        code: "H23.25",
        received: 520,
        online: 1,
        late: 0.02,
        open: 0.27,
        overdue_of_open: 0.10,
        procedures: HO_TICH,
    },
    UnitSpec {
        name: "UBND xã Nâm N'Đir",
        kind: UnitKind::Commune,
        code: "H23.26",
        received: 600,
        online: 7,
        late: 0.02,
        open: 0.27,
        overdue_of_open: 0.10,
        procedures: HO_TICH,
    },
    UnitSpec {
        name: "UBND xã Nâm Nung",
        kind: UnitKind::Commune,
        code: "H23.27",
        received: 540,
        online: 6,
        late: 0.02,
        open: 0.27,
        overdue_of_open: 0.10,
        procedures: HO_TICH,
    },
    UnitSpec {
        name: "UBND xã Tân Thành",
        kind: UnitKind::Commune,
        code: "H23.28",
        received: 480,
        online: 9,
        late: 0.02,
        open: 0.27,
        overdue_of_open: 0.10,
        procedures: HO_TICH,
    },
    UnitSpec {
        name: "UBND xã Đắk Nang",
        kind: UnitKind::Commune,
        code: "H23.29",
        received: 450,
        online: 5,
        late: 0.02,
        open: 0.27,
        overdue_of_open: 0.10,
        procedures: HO_TICH,
    },
    UnitSpec {
        name: "UBND xã Quảng Phú",
        kind: UnitKind::Commune,
        code: "H23.30",
        received: 420,
        online: 4,
        late: 0.02,
        open: 0.27,
        overdue_of_open: 0.10,
        procedures: HO_TICH,
    },
    UnitSpec {
        name: "UBND xã Buôn Choáh",
        kind: UnitKind::Commune,
        code: "H23.31",
        received: 380,
        online: 3,
        late: 0.02,
        open: 0.27,
        overdue_of_open: 0.10,
        procedures: HO_TICH,
    },
    // the town takes the remainder so that the district receives exactly 15,935
    UnitSpec {
        name: "UBND thị trấn Đắk Mâm",
        kind: UnitKind::Commune,
        code: "H23.20",
        received: 0,
        online: 24,
        late: 0.02,
        open: 0.27,
        overdue_of_open: 0.10,
        procedures: HO_TICH,
    },
];

/// The unit tree of the sample: province → district → its departments, branch and communes.
///
/// # Example
/// ```
/// let t = tthc_sample::krong_no_units();
/// assert_eq!(t.len(), 2 + 24);
/// assert!(t.find("UBND xã Đắk Sôr").is_some());
/// ```
pub fn krong_no_units() -> UnitTree {
    let mut t = UnitTree::new();
    // names are constants: adding them cannot fail
    let _ = t.add(PROVINCE, None, UnitKind::Province);
    let _ = t.add(DISTRICT, Some(PROVINCE), UnitKind::District);
    for u in UNITS {
        let _ = t.add(u.name, Some(DISTRICT), u.kind);
    }
    t
}

/// 2023 weekday days off of the civil service (domain-rules section 8; 2023 had no swapped
/// Saturday): 02/01; 20, 23–26/01; 01–03/05; 01, 04/09.
const DAYS_OFF_2023: &[(u32, u32)] = &[
    (1, 2),
    (1, 20),
    (1, 23),
    (1, 24),
    (1, 25),
    (1, 26),
    (5, 1),
    (5, 2),
    (5, 3),
    (9, 1),
    (9, 4),
];

fn working_days_2023() -> Vec<NaiveDate> {
    let mut out = Vec::new();
    let mut d = NaiveDate::from_ymd_opt(2023, 1, 1).unwrap_or_default();
    let end = NaiveDate::from_ymd_opt(2024, 3, 31).unwrap_or_default();
    while d <= end {
        let weekend = matches!(d.weekday(), Weekday::Sat | Weekday::Sun);
        let off = d.year() == 2023 && DAYS_OFF_2023.contains(&(d.month(), d.day()));
        // 2024 days off that matter for due dates landing early in 2024
        let off24 =
            d.year() == 2024 && matches!((d.month(), d.day()), (1, 1) | (2, 8 | 9 | 12 | 13 | 14));
        if !weekend && !off && !off24 {
            out.push(d);
        }
        d = d.succ_opt().unwrap_or(end);
    }
    out
}

fn at(d: NaiveDate, minutes: u32) -> NaiveDateTime {
    d.and_time(NaiveTime::from_num_seconds_from_midnight_opt(minutes * 60, 0).unwrap_or_default())
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Plan {
    Early,
    OnTime,
    Late,
    WithinDue,
    Overdue,
    Supplement,
    Refused,
    Withdrawn,
    Stopped,
}

/// Splits `total` into integer parts proportional to `weights` (largest remainder).
fn apportion(total: u32, weights: &[f64]) -> Vec<u32> {
    let sum: f64 = weights.iter().sum();
    if sum <= 0.0 {
        let mut v = vec![0; weights.len()];
        if let Some(first) = v.first_mut() {
            *first = total;
        }
        return v;
    }
    let exact: Vec<f64> = weights.iter().map(|w| f64::from(total) * w / sum).collect();
    let mut parts: Vec<u32> = exact.iter().map(|x| x.floor() as u32).collect();
    let mut rest = total - parts.iter().sum::<u32>();
    let mut order: Vec<usize> = (0..weights.len()).collect();
    order.sort_by(|&a, &b| {
        (exact[b] - exact[b].floor())
            .total_cmp(&(exact[a] - exact[a].floor()))
            .then(a.cmp(&b))
    });
    for &i in order.iter().cycle() {
        if rest == 0 {
            break;
        }
        parts[i] += 1;
        rest -= 1;
    }
    parts
}

/// The Krông Nô 2023 sample: 15,935 counted dossiers plus 48 never-received registrations
/// (status 1 or 3, excluded from every count), all received 01/01–16/10/2023.
///
/// # Example
/// ```
/// use tthc_metrics::{tally, ReportOptions};
/// use chrono::NaiveDate;
/// let ds = tthc_sample::krong_no_2023();
/// let t = tally(&ds, &ReportOptions::end_of_day(NaiveDate::from_ymd_opt(2023, 10, 16).unwrap())).unwrap();
/// assert_eq!((t.tally.handled(), t.tally.on_time_or_early(), t.tally.late), (15_935, 10_677, 662));
/// ```
pub fn krong_no_2023() -> Vec<Dossier> {
    let mut rng = ChaCha8Rng::seed_from_u64(20_231_016);
    let wd = working_days_2023();
    let cutoff =
        NaiveDate::from_ymd_opt(SEED_AS_OF.0, SEED_AS_OF.1, SEED_AS_OF.2).unwrap_or_default();
    let c = wd.iter().position(|&d| d == cutoff).unwrap_or(wd.len() - 1);

    // unit sizes: the town takes the remainder
    let named: u32 = UNITS.iter().map(|u| u.received).sum();
    let sizes: Vec<u32> = UNITS
        .iter()
        .map(|u| {
            if u.received == 0 {
                seed_figures::RECEIVED as u32 - named
            } else {
                u.received
            }
        })
        .collect();
    // late and open counts: apportion the letter's exact totals by each unit's propensity
    let late = apportion(
        seed_figures::LATE as u32,
        &UNITS
            .iter()
            .zip(&sizes)
            .map(|(u, &n)| u.late * f64::from(n))
            .collect::<Vec<_>>(),
    );
    let open_total =
        (seed_figures::RECEIVED - seed_figures::ON_TIME_OR_EARLY - seed_figures::LATE) as u32;
    let open = apportion(
        open_total,
        &UNITS
            .iter()
            .zip(&sizes)
            .map(|(u, &n)| u.open * f64::from(n))
            .collect::<Vec<_>>(),
    );

    let mut out = Vec::with_capacity(16_000);
    for (ui, u) in UNITS.iter().enumerate() {
        let n = sizes[ui];
        let good = n - late[ui] - open[ui];
        let early = (f64::from(good) * 0.62).round() as u32;
        let overdue = (f64::from(open[ui]) * u.overdue_of_open).round() as u32;
        let supplement = (f64::from(open[ui]) * 0.08).round() as u32;
        let refused = (f64::from(open[ui]) * 0.04).round() as u32;
        let withdrawn = (f64::from(open[ui]) * 0.04).round() as u32;
        let stopped = (f64::from(open[ui]) * 0.01).round() as u32;
        let within = open[ui] - overdue - supplement - refused - withdrawn - stopped;
        let mut plans: Vec<Plan> = Vec::with_capacity(n as usize);
        for (p, k) in [
            (Plan::Early, early),
            (Plan::OnTime, good - early),
            (Plan::Late, late[ui]),
            (Plan::WithinDue, within),
            (Plan::Overdue, overdue),
            (Plan::Supplement, supplement),
            (Plan::Refused, refused),
            (Plan::Withdrawn, withdrawn),
            (Plan::Stopped, stopped),
        ] {
            plans.extend(std::iter::repeat_n(p, k as usize));
        }
        // shuffle so that channels and procedures do not line up with outcomes
        for i in (1..plans.len()).rev() {
            let j = rng.random_range(0..=i);
            plans.swap(i, j);
        }
        // online dossiers go to procedures with an online service
        let mut online_left = u.online;
        let eligible: Vec<usize> = (0..u.procedures.len())
            .filter(|&i| u.procedures[i].3 != NoOnline)
            .collect();
        let mut seq = 0u32;
        for plan in plans {
            let online = online_left > 0 && !eligible.is_empty() && plan != Plan::Refused;
            let pi = if online {
                eligible[rng.random_range(0..eligible.len())]
            } else {
                rng.random_range(0..u.procedures.len())
            };
            let (code, name, dur, level) = u.procedures[pi];
            let dur = dur as usize;
            // reception index range that makes the plan possible at the cut-off
            let (lo, hi) = match plan {
                Plan::OnTime => (0, c - dur),
                Plan::Late | Plan::Overdue => (0, c - dur - 1),
                Plan::WithinDue => (c.saturating_sub(dur), c),
                _ => (0, c),
            };
            let ri = rng.random_range(lo..=hi);
            let received = at(wd[ri], rng.random_range(7 * 60 + 15..16 * 60 + 45));
            let due_day = wd[ri + dur];
            let due = at(due_day, 17 * 60);
            let finish_idx = match plan {
                Plan::Early => Some(
                    rng.random_range(ri..(ri + dur).min(c + 1))
                        .min(ri + dur - 1),
                ),
                Plan::OnTime => Some(ri + dur),
                Plan::Late => Some(rng.random_range(ri + dur + 1..=(ri + dur + 15).min(c))),
                Plan::Refused | Plan::Withdrawn | Plan::Stopped => {
                    Some(rng.random_range(ri..=(ri + 5).min(c)))
                }
                _ => None,
            };
            let status = match plan {
                Plan::Early | Plan::OnTime | Plan::Late => {
                    if rng.random_bool(0.85) {
                        Status::Returned
                    } else {
                        Status::Processed
                    }
                }
                Plan::WithinDue | Plan::Overdue => {
                    if rng.random_bool(0.9) {
                        Status::Processing
                    } else {
                        Status::Received
                    }
                }
                Plan::Supplement => Status::SupplementRequested,
                Plan::Refused => Status::Refused,
                Plan::Withdrawn => Status::Withdrawn,
                Plan::Stopped => Status::Stopped,
            };
            seq += 1;
            let mut d = Dossier::new(
                format!("000.00.{}-{}-{:04}", u.code, wd[ri].format("%y%m%d"), seq),
                u.name,
                received,
                status,
            )
            .with_procedure(code)
            .with_field(field_of(name))
            .with_online_service(level)
            .with_due(due);
            if let Some(fi) = finish_idx {
                // finished during office hours, never before the reception
                let mut f = at(wd[fi], rng.random_range(7 * 60 + 30..16 * 60 + 55));
                if f < received {
                    f = received + chrono::Duration::minutes(30);
                }
                d = d.with_finished(f);
            }
            if online {
                d = d.with_channel(Channel::Online);
                online_left -= 1;
            } else if rng.random_bool(0.01) {
                d = d.with_channel(Channel::Post);
            }
            if plan == Plan::Supplement {
                d = d.with_supplement_requests(if rng.random_bool(0.2) { 2 } else { 1 });
            } else if rng.random_bool(0.05) {
                d = d.with_supplement_requests(1);
            }
            if plan == Plan::Late && rng.random_bool(0.4) {
                d = d.with_apology(Some(at(wd[ri + dur + 5], 17 * 60)));
            }
            if u.name.contains("Tài nguyên") && rng.random_bool(0.06) {
                d.synced_to_portal = Some(false);
            }
            out.push(d);
        }
    }
    // registrations that never became dossiers (status 1 registered online, 3 not received)
    for k in 0..48u32 {
        let u = &UNITS[12 + (k as usize % 12)];
        let ri = rng.random_range(0..=c);
        let status = if k % 3 == 0 {
            Status::Registered
        } else {
            Status::NotReceived
        };
        out.push(
            Dossier::new(
                format!("000.00.{}-{}-R{:03}", u.code, wd[ri].format("%y%m%d"), k),
                u.name,
                at(wd[ri], 9 * 60),
                status,
            )
            .with_channel(Channel::Online)
            .with_procedure(u.procedures[0].0)
            .with_field(field_of(u.procedures[0].1)),
        );
    }
    // an export is sorted by reception
    out.sort_by(|a, b| {
        a.received_at
            .cmp(&b.received_at)
            .then_with(|| a.dossier_id.cmp(&b.dossier_id))
    });
    out
}

/// The most dossiers [`synthetic_checked`] makes in one call.
pub const MAX_SYNTHETIC: usize = 50_000_000;

/// [`synthetic`] with its size checked first: more than [`MAX_SYNTHETIC`] dossiers, or more than
/// the allocator can give, is an error rather than an abort.
///
/// # Errors
/// [`tthc_metrics::Error::InvalidArgument`] or [`tthc_metrics::Error::MemoryLimit`].
///
/// # Example
/// ```
/// assert_eq!(tthc_sample::synthetic_checked(3, 1_000_000_000, 1).unwrap().len(), 3);
/// assert_eq!(tthc_sample::synthetic_checked(usize::MAX, 40, 1).unwrap_err().code(), "invalid_argument");
/// ```
pub fn synthetic_checked(
    n: usize,
    units: usize,
    seed: u64,
) -> Result<Vec<Dossier>, tthc_metrics::Error> {
    if n > MAX_SYNTHETIC {
        return Err(tthc_metrics::Error::InvalidArgument {
            name: "n",
            reason: format!("{n} dossiers; at most {MAX_SYNTHETIC} in one call"),
        });
    }
    let mut probe: Vec<Dossier> = Vec::new();
    probe
        .try_reserve_exact(n)
        .map_err(|_| tthc_metrics::Error::MemoryLimit {
            what: format!("{n} synthetic dossiers"),
            needed: (n as u64).saturating_mul(std::mem::size_of::<Dossier>() as u64),
            available: 0,
            limit: 0,
            hint: "ask for fewer dossiers".into(),
        })?;
    drop(probe);
    Ok(synthetic(n, units, seed))
}

/// A synthetic data set of `n` dossiers for benchmarks: `units` units, one year (2023) of
/// receptions, durations 1–30 working days, about 30% online, 8% late, 5% refused/withdrawn,
/// 3% awaiting supplement, the rest finished or still open at year end. Seeded by `seed`.
///
/// # Example
/// ```
/// let a = tthc_sample::synthetic(1_000, 40, 7);
/// assert_eq!(a.len(), 1_000);
/// assert_eq!(a, tthc_sample::synthetic(1_000, 40, 7));
/// ```
pub fn synthetic(n: usize, units: usize, seed: u64) -> Vec<Dossier> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let wd = working_days_2023();
    let year_days = wd.iter().take_while(|d| d.year() == 2023).count();
    // names are made as they are drawn: a huge `units` costs nothing
    let units = units.max(1);
    (0..n)
        .map(|i| {
            let ri = rng.random_range(0..year_days);
            let dur = [1usize, 3, 5, 7, 10, 15, 20, 30][rng.random_range(0..8)];
            let received = at(wd[ri], rng.random_range(420..1_020));
            let due = at(wd[ri + dur], 17 * 60);
            let roll: f64 = rng.random();
            let (status, finish) = if roll < 0.03 {
                (Status::SupplementRequested, None)
            } else if roll < 0.055 {
                (Status::Withdrawn, Some(ri + 1))
            } else if roll < 0.08 {
                (Status::Refused, Some(ri))
            } else if roll < 0.16 {
                (Status::Returned, Some(ri + dur + rng.random_range(1..10)))
            } else if roll < 0.22 {
                (Status::Processing, None)
            } else {
                (Status::Returned, Some(ri + rng.random_range(0..=dur)))
            };
            let unit = format!("UBND xã số {:02}", rng.random_range(0..units));
            let mut d = Dossier::new(format!("S{i:09}"), unit, received, status)
                .with_procedure(format!("1.00{:04}", rng.random_range(0..60)))
                .with_due(due)
                .with_online_service(if rng.random_bool(0.7) {
                    Partial
                } else {
                    NoOnline
                });
            if let Some(fi) = finish {
                let fi = fi.min(wd.len() - 1);
                let f = at(wd[fi], rng.random_range(420..1_020)).max(received);
                d = d.with_finished(f);
            }
            if d.online_service != NoOnline && rng.random_bool(0.4) {
                d = d.with_channel(Channel::Online);
            }
            d
        })
        .collect()
}
