//! Vietnam's civil-service days off: the official schedules as published, and the holiday rules
//! of each Labour Code for the years without (or not yet with) a published schedule.
//!
//! Sources of the rules:
//! - Labour Code 2019 (Law 45/2019/QH14) Art. 112, in force 2021-01-01: 1/1; Tết 5 days; Hùng
//!   Kings 10/3 lunar; 30/4; 1/5; 2/9 plus one adjacent day. Art. 111(3): a holiday on a weekly
//!   rest day gives a substitute day off on the next working day.
//! - Labour Code 2012 Art. 115 (Tết 5 days from Tết 2013, Resolution 51/2012/QH13): the same
//!   without the day adjacent to 2/9.
//! - Labour Code 1994 Art. 73 (in force 1995-01-01): 1/1, Tết 4 days, 30/4, 1/5, 2/9; substitute
//!   days; Hùng Kings added by the 2007 amendment.
//! - Decision 188/1999/QĐ-TTg (17/09/1999): the civil service's five-day week (Saturday and
//!   Sunday off) from 1999-10-02; before it, only Sunday was a weekly rest day.
//! - Politburo Resolution 80-NQ/TW (January 2026): 24/11, Ngày Văn hóa Việt Nam, a paid day off
//!   every year from 2026.

use chrono::{NaiveDate, Weekday};

use crate::lunar;
use crate::period::{date_of_day, day_number};

/// What a day off is, for display.
///
/// # Example
/// ```
/// use tthc_metrics::DayOffKind;
/// assert_eq!(DayOffKind::Substitute.code(), "substitute");
/// ```
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum DayOffKind {
    /// A public holiday on its own date (ngày lễ, Tết), including one that falls on a weekend.
    Holiday,
    /// A substitute day for a holiday that fell on a weekly rest day (nghỉ bù).
    Substitute,
    /// A working day given off in exchange for a make-up working Saturday (hoán đổi).
    Swapped,
    /// A day off added by a [`CalendarBuilder`](crate::CalendarBuilder) (a province's own holiday,
    /// a decision taken after release).
    Local,
}

impl DayOffKind {
    /// A stable `snake_case` code.
    ///
    /// # Example
    /// ```
    /// use tthc_metrics::DayOffKind;
    /// assert_eq!(DayOffKind::Swapped.code(), "swapped");
    /// ```
    pub fn code(self) -> &'static str {
        match self {
            Self::Holiday => "holiday",
            Self::Substitute => "substitute",
            Self::Swapped => "swapped",
            Self::Local => "local",
        }
    }
}

/// One swap of a published schedule: a weekday given off, worked back on a weekly rest day.
pub(crate) struct Swap {
    pub off: (i32, u32, u32),
    pub worked: (i32, u32, u32),
}

/// A published civil-service schedule of one year.
pub(crate) struct Official {
    pub year: i32,
    /// The decision or notice that published it.
    pub source: &'static str,
    /// Every weekday (Monday–Friday) day off of the year, as (month, day), swaps included.
    pub off: &'static [(u32, u32)],
    /// The swaps among them, with the rest day worked instead.
    pub swaps: &'static [Swap],
}

/// First and last year with a published schedule in [`OFFICIAL`].
pub(crate) const OFFICIAL_YEARS: (i32, i32) = (2015, 2026);

/// The official schedules, weekday days off and swapped working days, year by year.
///
/// Cross-checked against the `holidays` package (`PyPI`) 0.109 (Vietnam) for every year; 2023–2026
/// also against domain-rules.md section 8, which is authoritative for them. A unit test checks that
/// each year equals the Labour Code rules below plus its swaps.
pub(crate) const OFFICIAL: &[Official] = &[
    // 2015: Tờ trình 89/TTr-LĐTBXH (20/11/2014) approved by the Prime Minister and announced by
    // Bộ LĐ-TB&XH (notice of late 2014): Tết Dương lịch 01-04/01 (worked Sat 27/12/2014 for Fri
    // 02/01); Tết 17-21/02 plus 23/02 in lieu of Sat 21/02, worked Sat 14/02 for Mon 16/02;
    // worked Sat 25/04 for Wed 29/04 (Hùng Kings 28/04 to 03/05).
    Official {
        year: 2015,
        source: "Bộ LĐ-TB&XH notice on the 2015 holidays (after Tờ trình 89/TTr-LĐTBXH of 20/11/2014, approved by the Prime Minister)",
        off: &[(1, 1), (1, 2), (2, 16), (2, 17), (2, 18), (2, 19), (2, 20), (2, 23), (4, 28), (4, 29), (4, 30), (5, 1), (9, 2)],
        swaps: &[
            Swap { off: (2015, 1, 2), worked: (2014, 12, 27) },
            Swap { off: (2015, 2, 16), worked: (2015, 2, 14) },
            Swap { off: (2015, 4, 29), worked: (2015, 4, 25) },
        ],
    },
    // 2016: Tết 06-14/02 (holidays 07-11/02, rest 12/02 in lieu); Hùng Kings Sat 16/04 -> Mon
    // 18/04; 30/04 and 01/05 on the weekend -> 02-03/05.
    Official {
        year: 2016,
        source: "Thông báo 4659/TB-LĐTBXH (13/11/2015) of Bộ LĐ-TB&XH",
        off: &[(1, 1), (2, 8), (2, 9), (2, 10), (2, 11), (2, 12), (4, 18), (5, 2), (5, 3), (9, 2)],
        swaps: &[],
    },
    // 2017: 01/01 Sunday -> 02/01; Tết 26/01-01/02 (29 Chạp to mùng 5, no swap); 30/04 Sunday ->
    // 02/05; 02/09 Saturday -> 04/09.
    Official {
        year: 2017,
        source: "Công văn 9794/VPCP-KGVX (14/11/2016) and the Bộ LĐ-TB&XH notice of 24/11/2016",
        off: &[(1, 2), (1, 26), (1, 27), (1, 30), (1, 31), (2, 1), (4, 6), (5, 1), (5, 2), (9, 4)],
        swaps: &[],
    },
    // 2018: Tết 14-20/02; Hùng Kings 25/04; 02/09 Sunday -> 03/09; Mon 31/12/2018 off, worked
    // Sat 05/01/2019 (decided with the 2019 schedule, Thông báo 3238/TB-LĐTBXH).
    Official {
        year: 2018,
        source: "Prime Minister's decision at the Government standing meeting of 05/12/2017, announced by Bộ LĐ-TB&XH; 31/12 by Thông báo 3238/TB-LĐTBXH (2018)",
        off: &[(1, 1), (2, 14), (2, 15), (2, 16), (2, 19), (2, 20), (4, 25), (4, 30), (5, 1), (9, 3), (12, 31)],
        swaps: &[Swap { off: (2018, 12, 31), worked: (2019, 1, 5) }],
    },
    // 2019: Tết 04-08/02 (02-10/02 with weekends); Hùng Kings Sunday 14/04 -> 15/04; Mon 29/04
    // off, worked Sat 04/05.
    Official {
        year: 2019,
        source: "Thông báo 3238/TB-LĐTBXH (2018) of Bộ LĐ-TB&XH",
        off: &[(1, 1), (2, 4), (2, 5), (2, 6), (2, 7), (2, 8), (4, 15), (4, 29), (4, 30), (5, 1), (9, 2)],
        swaps: &[Swap { off: (2019, 4, 29), worked: (2019, 5, 4) }],
    },
    // 2020: Tết 23-29/01 (29 Chạp to mùng 5); no swap.
    Official {
        year: 2020,
        source: "Bộ LĐ-TB&XH notice on Tết and National Day 2020 (late 2019), approved by the Prime Minister",
        off: &[(1, 1), (1, 23), (1, 24), (1, 27), (1, 28), (1, 29), (4, 2), (4, 30), (5, 1), (9, 2)],
        swaps: &[],
    },
    // 2021, first year of the Labour Code 2019: Tết 10-16/02; 01/05 Saturday -> 03/05; National
    // Day 02-03/09.
    Official {
        year: 2021,
        source: "Thông báo 4875/TB-LĐTBXH (2020) of Bộ LĐ-TB&XH",
        off: &[(1, 1), (2, 10), (2, 11), (2, 12), (2, 15), (2, 16), (4, 21), (4, 30), (5, 3), (9, 2), (9, 3)],
        swaps: &[],
    },
    // 2022: 01/01 Saturday -> 03/01; Tết 31/01-04/02; Hùng Kings Sunday 10/04 -> 11/04;
    // 30/04-01/05 on the weekend -> 02-03/05; National Day 01-02/09.
    Official {
        year: 2022,
        source: "Công văn 245/VPCP-KGVX (11/01/2022) for Tết and the Bộ LĐ-TB&XH notice on the 2022 holidays",
        off: &[(1, 3), (1, 31), (2, 1), (2, 2), (2, 3), (2, 4), (4, 11), (5, 2), (5, 3), (9, 1), (9, 2)],
        swaps: &[],
    },
    // 2023 (domain-rules section 8): no swap.
    Official {
        year: 2023,
        source: "Công văn 8056/VPCP-KGVX (01/12/2022); domain-rules.md section 8",
        off: &[(1, 2), (1, 20), (1, 23), (1, 24), (1, 25), (1, 26), (5, 1), (5, 2), (5, 3), (9, 1), (9, 4)],
        swaps: &[],
    },
    // 2024 (domain-rules section 8): Mon 29/04 off, worked Sat 04/05.
    Official {
        year: 2024,
        source: "Thông báo 5015/TB-LĐTBXH (22/11/2023); swap by Công văn 2450/VPCP-KGVX (12/04/2024); domain-rules.md section 8",
        off: &[(1, 1), (2, 8), (2, 9), (2, 12), (2, 13), (2, 14), (4, 18), (4, 29), (4, 30), (5, 1), (9, 2), (9, 3)],
        swaps: &[Swap { off: (2024, 4, 29), worked: (2024, 5, 4) }],
    },
    // 2025 (domain-rules section 8): Fri 02/05 off, worked Sat 26/04.
    Official {
        year: 2025,
        source: "Công văn 8726/VPCP-KGVX (26/11/2024) and Thông báo 6150/TB-LĐTBXH (2024); domain-rules.md section 8",
        off: &[(1, 1), (1, 27), (1, 28), (1, 29), (1, 30), (1, 31), (4, 7), (4, 30), (5, 1), (5, 2), (9, 1), (9, 2)],
        swaps: &[Swap { off: (2025, 5, 2), worked: (2025, 4, 26) }],
    },
    // 2026 (domain-rules section 8): Thu 01/01 and Fri 02/01 off, Sat 10/01 worked (Công văn
    // 12729/VPCP-KGVX, 25/12/2025, approving the Bộ Nội vụ proposal: off 01-04/01); Tết 16-20/02
    // (29 Chạp to mùng 4); Hùng Kings Sunday 26/04 -> 27/04; Mon 31/08 off, worked Sat 22/08;
    // 24/11 Ngày Văn hóa Việt Nam (Resolution 80-NQ/TW).
    Official {
        year: 2026,
        source: "Văn phòng Chính phủ notice of October 2025 on the Bộ Nội vụ proposal (Tết 14-22/02, swap 31/08-22/08); Công văn 12729/VPCP-KGVX (25/12/2025): swap 02/01-10/01; Resolution 80-NQ/TW (24/11); domain-rules.md section 8",
        off: &[(1, 1), (1, 2), (2, 16), (2, 17), (2, 18), (2, 19), (2, 20), (4, 27), (4, 30), (5, 1), (8, 31), (9, 1), (9, 2), (11, 24)],
        swaps: &[
            Swap { off: (2026, 1, 2), worked: (2026, 1, 10) },
            Swap { off: (2026, 8, 31), worked: (2026, 8, 22) },
        ],
    },
];

/// The published schedule of `year`, if there is one.
pub(crate) fn official(year: i32) -> Option<&'static Official> {
    OFFICIAL.iter().find(|o| o.year == year)
}

/// Day number of a (year, month, day) triple from the tables above (all valid dates).
pub(crate) fn ymd_day((y, m, d): (i32, u32, u32)) -> i32 {
    day_number(NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default())
}

/// The first day of the civil service's five-day week (Decision 188/1999/QĐ-TTg).
pub(crate) fn five_day_week_start() -> i32 {
    ymd_day((1999, 10, 2))
}

/// The civil service's weekly rest days: Saturday and Sunday from 1999-10-02, Sunday before.
pub(crate) fn civil_service_rest(day: i32) -> bool {
    let wd = weekday(day);
    wd == Weekday::Sun || (wd == Weekday::Sat && day >= five_day_week_start())
}

/// Weekday of a day number (1970-01-01 was a Thursday).
pub(crate) fn weekday(day: i32) -> Weekday {
    match (day + 3).rem_euclid(7) {
        0 => Weekday::Mon,
        1 => Weekday::Tue,
        2 => Weekday::Wed,
        3 => Weekday::Thu,
        4 => Weekday::Fri,
        5 => Weekday::Sat,
        _ => Weekday::Sun,
    }
}

/// A day off produced by the rules or a schedule, before it becomes a public [`DayOff`](crate::DayOff).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleDay {
    pub day: i32,
    pub name: String,
    pub kind: DayOffKind,
}

/// `dd/mm/yyyy`, the Vietnamese way of writing a date.
pub(crate) fn vn_date(day: i32) -> String {
    date_of_day(day).map_or_else(String::new, |d| d.format("%d/%m/%Y").to_string())
}

fn tet_day_name(day: i32, marks: &lunar::YearMarks) -> String {
    if day >= marks.tet {
        format!("Tết Nguyên Đán (mùng {})", day - marks.tet + 1)
    } else {
        // the eve is the last day (29 or 30) of tháng Chạp
        let n = marks.last_month_len - (marks.tet - day) + 1;
        format!("Tết Nguyên Đán ({n} tháng Chạp)")
    }
}

/// Public holidays of `year` on their own dates (weekends included), by the rules in force.
pub(crate) fn holidays_of(year: i32) -> Vec<RuleDay> {
    let mut out = Vec::new();
    let mut add = |day: i32, name: String| {
        if !out.iter().any(|r: &RuleDay| r.day == day) {
            out.push(RuleDay {
                day,
                name,
                kind: DayOffKind::Holiday,
            });
        }
    };
    let fixed = |m: u32, d: u32| ymd_day((year, m, d));

    add(fixed(1, 1), "Tết Dương lịch".to_string());
    let marks = lunar::year_marks(year);
    if let Some(m) = &marks {
        // Labour Code 2012 and 2019: 5 days, two before mùng 1 and three from it (the block every
        // published schedule 2015-2026 reduces to); Labour Code 1994: 4 days, the eve to mùng 3.
        let tet = m.tet;
        let block = if year >= 2013 {
            tet - 2..=tet + 2
        } else {
            tet - 1..=tet + 2
        };
        for day in block {
            add(day, tet_day_name(day, m));
        }
    }
    if year >= 2007 {
        if let Some(m) = &marks {
            add(m.hung_kings, "Giỗ Tổ Hùng Vương (10/3 âm lịch)".to_string());
        }
    }
    add(fixed(4, 30), "Ngày Chiến thắng (30/4)".to_string());
    add(fixed(5, 1), "Ngày Quốc tế Lao động (1/5)".to_string());
    let national = fixed(9, 2);
    add(national, "Quốc khánh (2/9)".to_string());
    if year >= 2021 {
        // the adjacent day that makes the longest break (the published 2021-2026 choices; the same
        // rule as the `holidays` package): Mon, Thu, Sun -> 3/9; Tue, Wed, Fri, Sat -> 1/9
        let adjacent = match weekday(national) {
            Weekday::Mon | Weekday::Thu | Weekday::Sun => national + 1,
            _ => national - 1,
        };
        add(adjacent, "Quốc khánh (ngày liền kề)".to_string());
    }
    if year >= 2026 {
        add(fixed(11, 24), "Ngày Văn hóa Việt Nam (24/11)".to_string());
    }
    out.sort_by_key(|r| r.day);
    out
}

/// Holidays of `year` plus their substitute days (from 1995): each holiday on a weekly rest day,
/// in date order, moves to the next day that is neither a rest day, a holiday nor an earlier
/// substitute.
pub(crate) fn rule_days(year: i32) -> Vec<RuleDay> {
    let holidays = holidays_of(year);
    let mut subs: Vec<RuleDay> = Vec::new();
    if year >= 1995 {
        let taken = |d: i32, subs: &[RuleDay]| {
            civil_service_rest(d)
                || holidays.iter().any(|h| h.day == d)
                || subs.iter().any(|s| s.day == d)
        };
        for h in holidays.iter().filter(|h| civil_service_rest(h.day)) {
            let mut d = h.day + 1;
            while taken(d, &subs) {
                d += 1;
            }
            subs.push(RuleDay {
                day: d,
                name: format!("Nghỉ bù {} ({})", h.name, vn_date(h.day)),
                kind: DayOffKind::Substitute,
            });
        }
    }
    let mut all = holidays;
    all.extend(subs);
    all.sort_by_key(|r| r.day);
    all
}

/// The national days off of `year` for display and for the working-day table, and the make-up
/// working days whose date falls in `year` (with the name to show).
///
/// For a year with a published schedule, the weekday days off are exactly the published ones
/// (named from the rules where they agree, as swaps where swapped); holidays falling on a weekly
/// rest day are listed too. Other years come from the rules alone.
pub(crate) fn national_days(year: i32) -> (Vec<RuleDay>, Vec<(i32, String)>) {
    let rules = rule_days(year);
    let mut made_up: Vec<(i32, String)> = OFFICIAL
        .iter()
        .flat_map(|o| o.swaps.iter())
        .filter(|s| s.worked.0 == year)
        .map(|s| {
            (
                ymd_day(s.worked),
                format!("Làm bù cho ngày {}", vn_date(ymd_day(s.off))),
            )
        })
        .collect();
    made_up.sort_by_key(|m| m.0);
    let Some(o) = official(year) else {
        return (rules, made_up);
    };
    let mut days: Vec<RuleDay> = rules
        .iter()
        .filter(|r| civil_service_rest(r.day) && r.kind == DayOffKind::Holiday)
        .cloned()
        .collect();
    for &(m, d) in o.off {
        let day = ymd_day((year, m, d));
        if let Some(s) = o.swaps.iter().find(|s| ymd_day(s.off) == day) {
            days.push(RuleDay {
                day,
                name: format!("Nghỉ hoán đổi (làm bù {})", vn_date(ymd_day(s.worked))),
                kind: DayOffKind::Swapped,
            });
        } else if let Some(r) = rules.iter().find(|r| r.day == day) {
            days.push(r.clone());
        } else {
            days.push(RuleDay {
                day,
                name: "Ngày nghỉ theo lịch chính thức".to_string(),
                kind: DayOffKind::Holiday,
            });
        }
    }
    days.sort_by_key(|r| r.day);
    (days, made_up)
}

/// `true` when `date` is in a year whose schedule was published.
pub(crate) fn is_official_year(year: i32) -> bool {
    (OFFICIAL_YEARS.0..=OFFICIAL_YEARS.1).contains(&year)
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Datelike;
    use std::collections::BTreeSet;

    #[test]
    fn official_years_are_contiguous_and_weekdays_only() {
        let years: Vec<i32> = OFFICIAL.iter().map(|o| o.year).collect();
        let expect: Vec<i32> = (OFFICIAL_YEARS.0..=OFFICIAL_YEARS.1).collect();
        assert_eq!(years, expect);
        for o in OFFICIAL {
            for &(m, d) in o.off {
                let day = ymd_day((o.year, m, d));
                assert!(NaiveDate::from_ymd_opt(o.year, m, d).is_some());
                assert!(!civil_service_rest(day), "{}-{m}-{d} is a weekend", o.year);
            }
            for s in o.swaps {
                assert!(o.off.contains(&(s.off.1, s.off.2)) && s.off.0 == o.year);
                assert_eq!(weekday(ymd_day(s.worked)), Weekday::Sat);
            }
        }
    }

    /// Every published schedule 2015–2026 is the Labour Code rules plus its swaps: the rules
    /// engine that computes the provisional years reproduces twelve published years.
    #[test]
    fn published_schedules_equal_rules_plus_swaps() {
        for o in OFFICIAL {
            let published: BTreeSet<i32> = o
                .off
                .iter()
                .map(|&(m, d)| ymd_day((o.year, m, d)))
                .collect();
            let mut computed: BTreeSet<i32> = rule_days(o.year)
                .iter()
                .map(|r| r.day)
                .filter(|&d| !civil_service_rest(d))
                .collect();
            computed.extend(o.swaps.iter().map(|s| ymd_day(s.off)));
            assert_eq!(published, computed, "year {}", o.year);
        }
    }

    #[test]
    fn weekday_numbering() {
        assert_eq!(weekday(0), Weekday::Thu);
        assert_eq!(weekday(-1), Weekday::Wed);
        let d = NaiveDate::from_ymd_opt(2024, 5, 4).unwrap();
        assert_eq!(weekday(day_number(d)), d.weekday());
    }

    #[test]
    fn names_for_display() {
        let (days, made_up) = national_days(2024);
        let name = |m: u32, d: u32| {
            let day = ymd_day((2024, m, d));
            days.iter().find(|r| r.day == day).map(|r| r.name.clone())
        };
        assert_eq!(name(2, 10).as_deref(), Some("Tết Nguyên Đán (mùng 1)"));
        assert_eq!(
            name(2, 8).as_deref(),
            Some("Tết Nguyên Đán (29 tháng Chạp)")
        );
        assert_eq!(
            name(2, 13).as_deref(),
            Some("Nghỉ bù Tết Nguyên Đán (mùng 1) (10/02/2024)")
        );
        assert_eq!(
            name(4, 29).as_deref(),
            Some("Nghỉ hoán đổi (làm bù 04/05/2024)")
        );
        assert_eq!(
            made_up,
            vec![(
                ymd_day((2024, 5, 4)),
                "Làm bù cho ngày 29/04/2024".to_string()
            )]
        );
    }

    #[test]
    fn six_day_week_before_october_1999() {
        // 1995-04-29 was a Saturday: a working day, so 30/4 (Sunday) moves to Monday 1/5?
        // No: 1/5 is itself a holiday, so the substitute is Tuesday 2/5.
        let days: Vec<i32> = rule_days(1995).iter().map(|r| r.day).collect();
        assert!(days.contains(&ymd_day((1995, 5, 2))));
        assert!(!civil_service_rest(ymd_day((1999, 9, 25))));
        assert!(civil_service_rest(ymd_day((1999, 10, 2))));
    }
}
