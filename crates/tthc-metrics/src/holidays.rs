//! Vietnam's civil-service days off: the holiday rules of each Labour Code, and how a published
//! schedule (built-in, from `data/vn_schedules.toml`, or loaded by the user: [`crate::Schedule`])
//! is turned into named days off and make-up working days. Years without a schedule come from
//! the rules alone.
//!
//! Sources of the rules:
//! - Labour Code 2019 (Law 45/2019/QH14) Art. 112, in force 2021-01-01: 1/1; Tết 5 days; Hùng
//!   Kings 10/3 lunar; 30/4; 1/5; 2/9 plus one adjacent day. Art. 111(3): a holiday on a weekly
//!   rest day gives a substitute day off on the next working day.
//! - Labour Code 2012 Art. 115 (in force 2013-05-01): the same without the day adjacent to 2/9;
//!   Tết 5 days from Tết 2014. Tết 2013 (February) still had the 4 days of the 1994 code: the
//!   2013 schedule (Công văn 9570/VPCP-KGVX, 23/11/2012) swaps Friday 15/02/2013, which a 5-day
//!   Tết with its two substitute days would already have given off.
//! - Labour Code 1994 Art. 73 (in force 1995-01-01): 1/1, Tết 4 days, 30/4, 1/5, 2/9; substitute
//!   days; Hùng Kings added by the 2007 amendment.
//! - Decision 188/1999/QĐ-TTg (17/09/1999): the civil service's five-day week (Saturday and
//!   Sunday off) from 1999-10-02; before it, only Sunday was a weekly rest day.
//! - Politburo Resolution 80-NQ/TW (January 2026): 24/11, Ngày Văn hóa Việt Nam, a paid day off
//!   every year from 2026.

use chrono::{Datelike, NaiveDate, Weekday};

use crate::lunar;
use crate::period::{date_of_day, day_number};
use crate::schedule::YearSchedule;

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
    pub name_en: String,
    pub kind: DayOffKind,
    /// For a substitute day: the holiday (on a weekly rest day) it stands in for.
    pub in_lieu_of: Option<i32>,
}

/// A make-up working day (a weekend day worked), named.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MadeUp {
    pub day: i32,
    pub name: String,
    pub name_en: String,
}

/// `dd/mm/yyyy`, the Vietnamese way of writing a date.
pub(crate) fn vn_date(day: i32) -> String {
    date_of_day(day).map_or_else(String::new, |d| d.format("%d/%m/%Y").to_string())
}

/// The names of a day of Tết: `Tết Nguyên Đán (mùng 2)`, `Tết Nguyên Đán (29 tháng Chạp)`.
fn tet_day_name(day: i32, marks: &lunar::YearMarks) -> (String, String) {
    if day >= marks.tet {
        let n = day - marks.tet + 1;
        (
            format!("Tết Nguyên Đán (mùng {n})"),
            format!("Lunar New Year (day {n} of the first lunar month)"),
        )
    } else {
        // the eve is the last day (29 or 30) of tháng Chạp
        let n = marks.last_month_len - (marks.tet - day) + 1;
        (
            format!("Tết Nguyên Đán ({n} tháng Chạp)"),
            format!("Lunar New Year (day {n} of the last lunar month)"),
        )
    }
}

/// Public holidays of `year` on their own dates (weekends included), by the rules in force.
pub(crate) fn holidays_of(year: i32) -> Vec<RuleDay> {
    let mut out = Vec::new();
    let mut add = |day: i32, (name, name_en): (String, String)| {
        if !out.iter().any(|r: &RuleDay| r.day == day) {
            out.push(RuleDay {
                day,
                name,
                name_en,
                kind: DayOffKind::Holiday,
                in_lieu_of: None,
            });
        }
    };
    let fixed = |m: u32, d: u32| ymd_day((year, m, d));
    let names = |vi: &str, en: &str| (vi.to_string(), en.to_string());

    add(fixed(1, 1), names("Tết Dương lịch", "New Year's Day"));
    let marks = lunar::year_marks(year);
    if let Some(m) = &marks {
        // Labour Code 2012 (from Tết 2014) and 2019: 5 days, two before mùng 1 and three from
        // it (every published block 2015-2026 gives the same days off with its substitutes);
        // Labour Code 1994 (to Tết 2013): 4 days, the eve to mùng 3.
        let tet = m.tet;
        let block = if year >= 2014 {
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
            add(
                m.hung_kings,
                names(
                    "Giỗ Tổ Hùng Vương (10/3 âm lịch)",
                    "Hung Kings' Commemoration Day (10th day of the 3rd lunar month)",
                ),
            );
        }
    }
    add(
        fixed(4, 30),
        names("Ngày Chiến thắng (30/4)", "Victory Day (30 April)"),
    );
    add(
        fixed(5, 1),
        names(
            "Ngày Quốc tế Lao động (1/5)",
            "International Labour Day (1 May)",
        ),
    );
    let national = fixed(9, 2);
    add(
        national,
        names("Quốc khánh (2/9)", "National Day (2 September)"),
    );
    if year >= 2021 {
        // the adjacent day that makes the longest break (the published 2021-2026 choices; the same
        // rule as the `holidays` package): Mon, Thu, Sun -> 3/9; Tue, Wed, Fri, Sat -> 1/9
        let adjacent = match weekday(national) {
            Weekday::Mon | Weekday::Thu | Weekday::Sun => national + 1,
            _ => national - 1,
        };
        add(
            adjacent,
            names(
                "Quốc khánh (ngày liền kề)",
                "National Day (the adjacent day)",
            ),
        );
    }
    if year >= 2026 {
        add(
            fixed(11, 24),
            names(
                "Ngày Văn hóa Việt Nam (24/11)",
                "Vietnamese Culture Day (24 November)",
            ),
        );
    }
    out.sort_by_key(|r| r.day);
    out
}

fn substitute_names(holiday: i32, (vi, en): (&str, &str)) -> (String, String) {
    let date = vn_date(holiday);
    (
        format!("Nghỉ bù {vi} ({date})"),
        format!("Substitute day off for {en} ({date})"),
    )
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
            let (name, name_en) = substitute_names(h.day, (&h.name, &h.name_en));
            subs.push(RuleDay {
                day: d,
                name,
                name_en,
                kind: DayOffKind::Substitute,
                in_lieu_of: Some(h.day),
            });
        }
    }
    let mut all = holidays;
    all.extend(subs);
    all.sort_by_key(|r| r.day);
    all
}

/// The names of a holiday on `day`: the rules' holiday on that date, else a day of Tết when it
/// lies near lunar new year, else a generic name.
fn holiday_names(day: i32) -> (String, String) {
    let Some(year) = date_of_day(day).map(|d| d.year()) else {
        return generic_holiday();
    };
    if let Some(h) = holidays_of(year).into_iter().find(|h| h.day == day) {
        return (h.name, h.name_en);
    }
    match lunar::year_marks(year) {
        Some(m) if (m.tet - 5..=m.tet + 9).contains(&day) => tet_day_name(day, &m),
        _ => generic_holiday(),
    }
}

fn generic_holiday() -> (String, String) {
    (
        "Ngày nghỉ theo lịch chính thức".to_string(),
        "Day off by the official schedule".to_string(),
    )
}

/// How far (in days) a plain day off of a schedule may lie from the make-up day it is paired
/// with.
const PAIRING_DAYS: i32 = 45;

/// One day off of a schedule being resolved.
struct Pending {
    day: i32,
    kind: Option<DayOffKind>,
    name: Option<String>,
    name_en: Option<String>,
    /// The rules' day on that date, if any.
    rule: Option<RuleDay>,
    in_lieu_of: Option<i32>,
    worked: Option<i32>,
}

/// The national days off for display and for the working-day table, over the whole range
/// `years`, and the make-up working days (weekend days worked).
///
/// Each year in `schedules` is exactly its published weekday days off (each named from the
/// rules where it is a holiday or a substitute day there, else by its kind and swap) and its
/// working days; a weekend holiday is listed when one of its substitute days is. Other years
/// come from the rules, when `rules_elsewhere`.
pub(crate) fn listing(
    years: std::ops::RangeInclusive<i32>,
    schedules: &[&YearSchedule],
    rules_elsewhere: bool,
) -> (Vec<RuleDay>, Vec<MadeUp>) {
    let mut days: Vec<RuleDay> = Vec::new();
    if rules_elsewhere {
        for year in years {
            if !schedules.iter().any(|s| s.year == year) {
                days.extend(rule_days(year));
            }
        }
    }
    let day = |d: chrono::NaiveDate| day_number(d);
    let mut pending: Vec<Pending> = Vec::new();
    let mut working: Vec<(i32, Option<String>, Option<String>)> = Vec::new();
    for s in schedules {
        let rules = rule_days(s.year);
        for e in &s.days_off {
            let d = day(e.date);
            let rule = rules.iter().find(|r| r.day == d).cloned();
            let kind = e
                .kind
                .or_else(|| e.in_lieu_of.map(|_| DayOffKind::Substitute))
                .or_else(|| e.worked.map(|_| DayOffKind::Swapped))
                .or_else(|| rule.as_ref().map(|r| r.kind));
            let in_lieu_of = match (e.in_lieu_of, kind) {
                (Some(h), _) => Some(day(h)),
                (None, Some(DayOffKind::Substitute)) => rule.as_ref().and_then(|r| r.in_lieu_of),
                _ => None,
            };
            pending.push(Pending {
                day: d,
                kind,
                name: e.name.clone(),
                name_en: e.name_en.clone(),
                rule,
                in_lieu_of,
                worked: e.worked.map(day),
            });
        }
        working.extend(
            s.working_days
                .iter()
                .map(|w| (day(w.date), w.name.clone(), w.name_en.clone())),
        );
    }
    pending.sort_by_key(|p| p.day);
    working.sort_by_key(|w| w.0);

    // pair the swapped days (and the unexplained plain days) that name no make-up day with the
    // nearest make-up day nobody names
    let mut pool: Vec<i32> = working
        .iter()
        .map(|w| w.0)
        .filter(|w| !pending.iter().any(|p| p.worked == Some(*w)))
        .collect();
    for p in pending
        .iter_mut()
        .filter(|p| p.worked.is_none() && matches!(p.kind, None | Some(DayOffKind::Swapped)))
    {
        let nearest = pool
            .iter()
            .enumerate()
            .filter(|(_, w)| (*w - p.day).abs() <= PAIRING_DAYS)
            .min_by_key(|(_, w)| ((*w - p.day).abs(), **w));
        if let Some((i, &w)) = nearest {
            p.worked = Some(w);
            p.kind = Some(DayOffKind::Swapped);
            pool.remove(i);
        } else if p.kind.is_none() {
            p.kind = Some(DayOffKind::Holiday);
        }
    }

    let mut listed: Vec<RuleDay> = Vec::new();
    for p in &pending {
        let kind = p.kind.unwrap_or(DayOffKind::Holiday);
        let (name, name_en) = match kind {
            DayOffKind::Holiday => match &p.rule {
                Some(r) if r.kind == DayOffKind::Holiday => (r.name.clone(), r.name_en.clone()),
                _ => holiday_names(p.day),
            },
            DayOffKind::Substitute => match (p.in_lieu_of, &p.rule) {
                (Some(h), Some(r)) if r.in_lieu_of == Some(h) => {
                    (r.name.clone(), r.name_en.clone())
                }
                (Some(h), _) => {
                    let (vi, en) = holiday_names(h);
                    substitute_names(h, (&vi, &en))
                }
                (None, _) => ("Nghỉ bù".to_string(), "Substitute day off".to_string()),
            },
            DayOffKind::Swapped => match p.worked {
                Some(w) => (
                    format!("Nghỉ hoán đổi (làm bù {})", vn_date(w)),
                    format!("Swapped day off (worked on {})", vn_date(w)),
                ),
                None => ("Nghỉ hoán đổi".to_string(), "Swapped day off".to_string()),
            },
            DayOffKind::Local => (
                "Ngày nghỉ (địa phương)".to_string(),
                "Local day off".to_string(),
            ),
        };
        listed.push(RuleDay {
            day: p.day,
            name_en: p.name_en.clone().unwrap_or(name_en),
            name: p.name.clone().unwrap_or(name),
            kind,
            in_lieu_of: (kind == DayOffKind::Substitute)
                .then_some(p.in_lieu_of)
                .flatten(),
        });
        // the weekend holiday a substitute day stands in for is a day off too
        if let (DayOffKind::Substitute, Some(h)) = (kind, p.in_lieu_of) {
            if !listed.iter().any(|l| l.day == h) {
                let (name, name_en) = holiday_names(h);
                listed.push(RuleDay {
                    day: h,
                    name,
                    name_en,
                    kind: DayOffKind::Holiday,
                    in_lieu_of: None,
                });
            }
        }
    }
    for l in listed {
        if !days.iter().any(|d| d.day == l.day) {
            days.push(l);
        }
    }
    days.sort_by_key(|r| r.day);

    let made_up = working
        .into_iter()
        .map(|(w, name, name_en)| {
            let off = pending.iter().find(|p| p.worked == Some(w)).map(|p| p.day);
            let (vi, en) = off.map_or_else(
                || ("Làm bù".to_string(), "Make-up working day".to_string()),
                |o| {
                    (
                        format!("Làm bù cho ngày {}", vn_date(o)),
                        format!("Make-up working day for {}", vn_date(o)),
                    )
                },
            );
            MadeUp {
                day: w,
                name: name.unwrap_or(vi),
                name_en: name_en.unwrap_or(en),
            }
        })
        .collect();
    (days, made_up)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::schedule::Schedule;
    use std::collections::BTreeSet;

    fn builtin_listing(year: i32) -> (Vec<RuleDay>, Vec<MadeUp>) {
        let s = Schedule::vietnam();
        let refs: Vec<&YearSchedule> = s.years().iter().collect();
        let (days, made) = listing(1960..=2100, &refs, true);
        let inside = |d: i32| date_of_day(d).is_some_and(|x| x.year() == year);
        (
            days.into_iter().filter(|r| inside(r.day)).collect(),
            made.into_iter().filter(|m| inside(m.day)).collect(),
        )
    }

    #[test]
    fn builtin_years_are_contiguous() {
        let years: Vec<i32> = Schedule::vietnam().years().iter().map(|y| y.year).collect();
        let last = *years.last().unwrap();
        assert!(last >= 2026);
        assert_eq!(years, (2010..=last).collect::<Vec<_>>());
    }

    /// The data file leans on the rules: every weekday day the Labour Code rules give off is in
    /// each published year, every plain entry is such a day, and every swap names a make-up day
    /// that some year lists (and each make-up day pays for exactly one swapped day).
    #[test]
    fn builtin_data_agrees_with_the_rules() {
        let s = Schedule::vietnam();
        let worked: BTreeSet<NaiveDate> = s
            .years()
            .iter()
            .flat_map(|y| y.working_days.iter().map(|w| w.date))
            .collect();
        let mut paid: Vec<NaiveDate> = Vec::new();
        for y in s.years() {
            let published: BTreeSet<i32> = y.days_off.iter().map(|d| day_number(d.date)).collect();
            let rules = rule_days(y.year);
            for r in rules.iter().filter(|r| !civil_service_rest(r.day)) {
                assert!(
                    published.contains(&r.day),
                    "{}: rule day {} missing",
                    y.year,
                    vn_date(r.day)
                );
            }
            for d in &y.days_off {
                let plain = d.kind.is_none() && d.in_lieu_of.is_none() && d.worked.is_none();
                if plain {
                    assert!(
                        rules.iter().any(|r| r.day == day_number(d.date)),
                        "{} is not a rule day",
                        d.date
                    );
                }
                if d.kind == Some(DayOffKind::Swapped) {
                    let w = d.worked.expect("a built-in swap names its make-up day");
                    assert!(worked.contains(&w), "{w} is not listed as a working day");
                    paid.push(w);
                }
            }
        }
        paid.sort_unstable();
        assert_eq!(paid, worked.into_iter().collect::<Vec<_>>());
    }

    #[test]
    fn weekday_numbering() {
        assert_eq!(weekday(0), Weekday::Thu);
        assert_eq!(weekday(-1), Weekday::Wed);
        let d = NaiveDate::from_ymd_opt(2024, 5, 4).unwrap();
        assert_eq!(weekday(day_number(d)), d.weekday());
    }

    fn names(days: &[RuleDay], m: u32, d: u32, year: i32) -> Option<(String, String, DayOffKind)> {
        let day = ymd_day((year, m, d));
        days.iter()
            .find(|r| r.day == day)
            .map(|r| (r.name.clone(), r.name_en.clone(), r.kind))
    }

    #[test]
    fn names_for_display() {
        let (days, made_up) = builtin_listing(2024);
        let name = |m, d| names(&days, m, d, 2024).map(|n| n.0);
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
            names(&days, 4, 29, 2024).map(|n| n.1).as_deref(),
            Some("Swapped day off (worked on 04/05/2024)")
        );
        assert_eq!(
            made_up,
            vec![MadeUp {
                day: ymd_day((2024, 5, 4)),
                name: "Làm bù cho ngày 29/04/2024".to_string(),
                name_en: "Make-up working day for 29/04/2024".to_string(),
            }]
        );
    }

    /// 2014 (Công văn 10525/VPCP-KGVX): Tết is 30/01 (30 Chạp) to 03/02 (mùng 4), 04-05/02 in
    /// lieu of the weekend, 28-29/01 swapped; 2026: Tết 16-20/02, no weekend Tết day.
    #[test]
    fn tet_blocks_as_the_notices_say() {
        let (days, _) = builtin_listing(2014);
        let got: Vec<String> = days
            .iter()
            .filter(|r| (ymd_day((2014, 1, 28))..=ymd_day((2014, 2, 5))).contains(&r.day))
            .map(|r| format!("{} {} {}", vn_date(r.day), r.kind.code(), r.name))
            .collect();
        assert_eq!(
            got,
            [
                "28/01/2014 swapped Nghỉ hoán đổi (làm bù 25/01/2014)",
                "29/01/2014 swapped Nghỉ hoán đổi (làm bù 08/02/2014)",
                "30/01/2014 holiday Tết Nguyên Đán (30 tháng Chạp)",
                "31/01/2014 holiday Tết Nguyên Đán (mùng 1)",
                "01/02/2014 holiday Tết Nguyên Đán (mùng 2)",
                "02/02/2014 holiday Tết Nguyên Đán (mùng 3)",
                "03/02/2014 holiday Tết Nguyên Đán (mùng 4)",
                "04/02/2014 substitute Nghỉ bù Tết Nguyên Đán (mùng 2) (01/02/2014)",
                "05/02/2014 substitute Nghỉ bù Tết Nguyên Đán (mùng 3) (02/02/2014)",
            ]
        );
        let (days, made) = builtin_listing(2026);
        let feb: Vec<String> = days
            .iter()
            .filter(|r| date_of_day(r.day).is_some_and(|d| d.month() == 2))
            .map(|r| format!("{} {}", vn_date(r.day), r.name))
            .collect();
        assert_eq!(
            feb,
            [
                "16/02/2026 Tết Nguyên Đán (29 tháng Chạp)",
                "17/02/2026 Tết Nguyên Đán (mùng 1)",
                "18/02/2026 Tết Nguyên Đán (mùng 2)",
                "19/02/2026 Tết Nguyên Đán (mùng 3)",
                "20/02/2026 Tết Nguyên Đán (mùng 4)",
            ]
        );
        assert_eq!(made[0].name, "Làm bù cho ngày 02/01/2026");
        let (days, _) = builtin_listing(2013);
        assert_eq!(
            names(&days, 2, 15, 2013).map(|n| (n.0, n.2)),
            Some((
                "Nghỉ hoán đổi (làm bù 23/02/2013)".to_string(),
                DayOffKind::Swapped
            ))
        );
        assert_eq!(
            names(&days, 2, 13, 2013).map(|n| n.0).as_deref(),
            Some("Nghỉ bù Tết Nguyên Đán (29 tháng Chạp) (09/02/2013)")
        );
    }

    #[test]
    fn plain_days_pair_with_the_nearest_make_up_day() {
        let d = |m, day| NaiveDate::from_ymd_opt(2027, m, day).unwrap();
        let y = YearSchedule::new(2027, "test")
            .day_off(d(1, 1))
            .day_off(d(4, 29)) // not a rule day: swapped against the nearest make-up Saturday
            .day_off(d(6, 15)) // not a rule day, no make-up day near: a day off by the schedule
            .working_day(d(5, 8));
        let (days, made) = listing(2027..=2027, &[&y], false);
        let find = |date| days.iter().find(|r| r.day == day_number(date)).unwrap();
        assert_eq!(find(d(4, 29)).kind, DayOffKind::Swapped);
        assert_eq!(find(d(4, 29)).name, "Nghỉ hoán đổi (làm bù 08/05/2027)");
        assert_eq!(find(d(6, 15)).kind, DayOffKind::Holiday);
        assert_eq!(find(d(6, 15)).name_en, "Day off by the official schedule");
        assert_eq!(made[0].name, "Làm bù cho ngày 29/04/2027");
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
