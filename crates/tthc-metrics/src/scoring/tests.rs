//! Validation tests and proptest laws of the scoring module.
#![allow(clippy::many_single_char_names)] // r, s, c, t, x: rubric, score, criterion, tally, count

use chrono::NaiveDate;
use proptest::prelude::*;
use proptest::sample::{select, Index};
use rust_decimal::Decimal;

use crate::{
    recovery, score, Better, Compare, Criterion, CriterionStatus, EdgeOp, Error, Metric,
    NoDataRule, OnTimePolicy, OnlinePolicy, Rate, RecoveryGoal, RecoveryOptions, RecoverySource,
    Rounding, Rubric, RubricSpec, Rule, ScoreInputs, Tally,
};

fn day() -> NaiveDate {
    NaiveDate::from_ymd_opt(2023, 10, 16).unwrap()
}

/// A one-criterion rubric with the given metric and rule (TOML inline tables).
fn one(metric: &str, rule: &str) -> String {
    format!("name = \"t\"\n[[criteria]]\nid = \"c\"\nmax = 2\nmetric = {metric}\nrule = {rule}\n")
}

fn rubric_error(toml: &str) -> (String, String) {
    match Rubric::from_toml(toml) {
        Err(Error::InvalidRubric { criterion, reason }) => (criterion, reason),
        other => panic!("expected an invalid rubric, got {other:?}"),
    }
}

const ON_TIME: &str = r#"{ kind = "on_time_rate", policy = "resolved_only" }"#;
const LATE: &str = r#"{ kind = "late_rate", policy = "resolved_only" }"#;

#[test]
fn invalid_rubrics_name_the_criterion_and_the_fault() {
    let cases: &[(String, &str, &str)] = &[
        (
            one(
                ON_TIME,
                r#"{ kind = "bands", bands = [{ op = ">=", value = 95, points = 1 }, { op = ">=", value = 100, points = 2 }] }"#,
            ),
            "c",
            "band 2 `>= 100` is stricter than band 1 `>= 95`",
        ),
        (
            one(
                ON_TIME,
                r#"{ kind = "bands", bands = [{ op = ">=", value = 95, points = 2 }, { op = ">=", value = 95, points = 1 }] }"#,
            ),
            "c",
            "band 2 `>= 95` overlaps band 1 `>= 95`",
        ),
        (
            // under a 1-dp rounded comparison "> 94.9" is ">= 95.0"
            one(
                ON_TIME,
                r#"{ kind = "bands", compare = { mode = "rounded", dp = 1 }, bands = [{ op = ">=", value = 95, points = 2 }, { op = ">", value = 94.9, points = 1 }] }"#,
            ),
            "c",
            "overlaps",
        ),
        (
            one(
                ON_TIME,
                r#"{ kind = "bands", bands = [{ op = ">=", value = 100, points = 3 }] }"#,
            ),
            "c",
            "band 1 earns 3 points, outside 0 to max 2",
        ),
        (
            one(
                ON_TIME,
                r#"{ kind = "bands", bands = [{ op = ">=", value = 100, points = 1 }, { op = ">=", value = 95, points = 2 }] }"#,
            ),
            "c",
            "earns 2 points, more than the stricter band 1",
        ),
        (
            one(
                ON_TIME,
                r#"{ kind = "bands", bands = [{ op = ">=", value = 100, points = 1 }] }"#,
            ),
            "c",
            "must earn the maximum 2",
        ),
        (
            one(ON_TIME, r#"{ kind = "bands", bands = [] }"#),
            "c",
            "has no bands",
        ),
        (
            one(
                r#"{ kind = "on_time", policy = "resolved_only" }"#,
                r#"{ kind = "threshold", op = ">=", value = 95 }"#,
            ),
            "c",
            "unknown metric \"on_time\"; expected one of: on_time_rate,",
        ),
        (
            one(
                r#"{ kind = "online_share", policy = "resolved_only" }"#,
                r#"{ kind = "threshold", op = ">", value = 70 }"#,
            ),
            "c",
            "unknown online share policy \"resolved_only\"",
        ),
        (
            one(ON_TIME, r#"{ kind = "steps", op = ">=", value = 95 }"#),
            "c",
            "unknown rule \"steps\"",
        ),
        (
            one(LATE, r#"{ kind = "threshold", op = ">=", value = 5 }"#),
            "c",
            "compares the wrong way: late is better lower",
        ),
        (
            one(LATE, r#"{ kind = "linear_capped", target = 5 }"#),
            "c",
            "linear-capped scoring needs a rate where higher is better",
        ),
        (
            one(
                r#"{ kind = "overdue_backlog" }"#,
                r#"{ kind = "threshold", op = "<=", value = 0, compare = { mode = "rounded", dp = 1 } }"#,
            ),
            "c",
            "a rounded comparison needs a rate",
        ),
        (
            one(
                ON_TIME,
                r#"{ kind = "threshold", op = ">=", value = 94.95, compare = { mode = "rounded", dp = 1 } }"#,
            ),
            "c",
            "more decimals than the rounded comparison's 1",
        ),
        (
            one(ON_TIME, r#"{ kind = "threshold", op = ">", value = 100 }"#),
            "c",
            "can never be met",
        ),
        (
            one(ON_TIME, r#"{ kind = "threshold", op = ">=", value = 0 }"#),
            "c",
            "the threshold `>= 0` is always met",
        ),
        (
            one(LATE, r#"{ kind = "threshold", op = "<=", value = 100 }"#),
            "c",
            "the threshold `<= 100` is always met",
        ),
        (
            one(ON_TIME, r#"{ kind = "threshold", op = ">=", value = 101 }"#),
            "c",
            "above 100%",
        ),
        (
            one(ON_TIME, r#"{ kind = "linear_capped", target = 0 }"#),
            "c",
            "linear target 0% must be above 0",
        ),
        (
            one(ON_TIME, r#"{ kind = "linear_capped", target = 50, dp = 0 }"#)
                .replace("max = 2", "max = 0.9"),
            "c",
            "dp 0 cannot show max 0.9",
        ),
        (
            one(ON_TIME, r#"{ kind = "threshold", op = ">=", value = 95, extra = 1 }"#),
            "c",
            "unknown field `extra`",
        ),
        (
            "name = \"t\"\n[[criteria]]\nid = \"c\"\nmax = 0\nmetric = { kind = \"overdue_backlog\" }\nrule = { kind = \"threshold\", op = \"<=\", value = 0 }\n".into(),
            "c",
            "max 0 must be above 0",
        ),
        (
            "name = \"t\"\n[[criteria]]\nid = \"c\"\nmax = 1\npass_mark = 2\nmetric = { kind = \"overdue_backlog\" }\nrule = { kind = \"threshold\", op = \"<=\", value = 0 }\n".into(),
            "c",
            "pass mark 2 must be above 0 and at most max 1",
        ),
        (
            "name = \"t\"\n[[criteria]]\nmax = 1\nmetric = { kind = \"overdue_backlog\" }\nrule = { kind = \"threshold\", op = \"<=\", value = 0 }\n".into(),
            "#1",
            "missing field `id`",
        ),
    ];
    for (toml, criterion, reason) in cases {
        let (c, r) = rubric_error(toml);
        assert_eq!(&c, criterion, "{toml}");
        assert!(r.contains(reason), "{r:?} should contain {reason:?}");
    }
}

#[test]
fn dependency_errors_name_the_criterion() {
    let crit = |id: &str, deps: &str| {
        format!("[[criteria]]\nid = \"{id}\"\nmax = 1\ndepends_on = {deps}\nmetric = {{ kind = \"overdue_backlog\" }}\nrule = {{ kind = \"threshold\", op = \"<=\", value = 0 }}\n")
    };
    let rubric = |parts: &[String]| format!("name = \"t\"\n{}", parts.concat());
    let (c, r) = rubric_error(&rubric(&[
        crit("a", "[\"c\"]"),
        crit("b", "[\"a\"]"),
        crit("c", "[\"b\"]"),
        crit("d", "[]"),
    ]));
    assert_eq!(
        (c.as_str(), r.as_str()),
        ("a", "dependency cycle: a -> c -> b -> a")
    );
    let (c, r) = rubric_error(&rubric(&[crit("a", "[\"a\"]")]));
    assert_eq!((c.as_str(), r.as_str()), ("a", "depends on itself"));
    let (c, r) = rubric_error(&rubric(&[crit("a", "[\"zz\"]")]));
    assert_eq!(
        (c.as_str(), r.as_str()),
        ("a", "depends on unknown criterion \"zz\"")
    );
    let (c, r) = rubric_error(&rubric(&[crit("a", "[]"), crit("a", "[]")]));
    assert_eq!((c.as_str(), r.as_str()), ("a", "duplicate criterion id"));
    // a diamond is not a cycle
    assert!(Rubric::from_toml(&rubric(&[
        crit("a", "[]"),
        crit("b", "[\"a\"]"),
        crit("c", "[\"a\"]"),
        crit("d", "[\"b\", \"c\"]"),
    ]))
    .is_ok());
}

#[test]
fn unknown_top_level_fields_and_bad_dates_are_reported() {
    let base = one(ON_TIME, r#"{ kind = "threshold", op = ">=", value = 95 }"#);
    let (c, r) = rubric_error(&format!("nmae = \"x\"\n{base}"));
    assert_eq!(c, "");
    assert!(r.contains("unknown field `nmae`"), "{r}");
    let (_, r) = rubric_error(&base.replace(
        "name = \"t\"",
        "name = \"t\"\neffective = { from = 2024-01-01, to = 2023-01-01 }",
    ));
    assert!(r.contains("ends before it starts"), "{r}");
    // dates as strings are accepted too
    let r = Rubric::from_toml(&base.replace(
        "name = \"t\"",
        "name = \"t\"\neffective = { from = \"2023-01-01\" }",
    ))
    .unwrap();
    assert!(!r.is_effective(NaiveDate::from_ymd_opt(2022, 12, 31).unwrap()));
}

#[test]
fn no_data_rules_and_pass_marks() {
    let toml = r#"
name = "t"
[[criteria]]
id = "a"
max = 2
pass_mark = 2
metric = { kind = "on_time_rate", policy = "resolved_only" }
rule = { kind = "bands", bands = [{ op = ">=", value = 100, points = 2 }, { op = ">=", value = 95, points = 1 }] }
[[criteria]]
id = "b"
max = 1
depends_on = ["a"]
metric = { kind = "supplied", name = "digitised" }
rule = { kind = "linear_capped", target = 80 }
[[criteria]]
id = "c"
max = 1
on_no_data = "exclude"
metric = { kind = "satisfaction", policy = "resolved_only" }
rule = { kind = "linear_capped", target = 90 }
[[criteria]]
id = "d"
max = 1
on_no_data = "full"
window = "peak_month"
metric = { kind = "online_share", policy = "eligible_only" }
rule = { kind = "threshold", op = ">", value = 70 }
"#;
    let r = Rubric::from_toml(toml).unwrap();
    let inputs = ScoreInputs::from(Tally {
        on_time: 97,
        late: 3,
        ..Tally::default()
    })
    .with_supplied("digitised", Rate::new(40, 100).unwrap());
    let s = score(&r, &inputs, day()).unwrap();
    let a = s.criterion("a").unwrap();
    assert_eq!(
        (a.status, a.earned, a.passed),
        (CriterionStatus::Partial, Decimal::ONE, false)
    );
    let b = s.criterion("b").unwrap();
    assert_eq!(
        (b.status, b.own_points, b.earned),
        (
            CriterionStatus::Forfeited,
            Decimal::new(5, 1),
            Decimal::ZERO
        )
    );
    assert_eq!(b.forfeited_by, ["a"]);
    let c = s.criterion("c").unwrap();
    assert_eq!(
        (c.status, c.counted, c.max),
        (CriterionStatus::NoData, false, Decimal::ZERO)
    );
    assert!(c.reason.contains("no complaint count"), "{}", c.reason);
    let d = s.criterion("d").unwrap();
    assert_eq!(
        (d.status, d.earned),
        (CriterionStatus::NoData, Decimal::ONE)
    );
    assert_eq!((s.earned, s.max), (Decimal::from(2), Decimal::from(4)));
}

#[test]
fn criteria_out_of_force_are_not_counted() {
    let toml = r#"
name = "t"
effective = { from = 2023-01-01, to = 2024-12-31 }
[[criteria]]
id = "old"
max = 1
effective = { to = 2023-06-30 }
metric = { kind = "on_time_rate", policy = "resolved_only" }
rule = { kind = "threshold", op = ">=", value = 95 }
[[criteria]]
id = "new"
max = 2
effective = { from = 2023-07-01 }
metric = { kind = "on_time_rate", policy = "resolved_only" }
rule = { kind = "threshold", op = ">=", value = 95 }
"#;
    let r = Rubric::from_toml(toml).unwrap();
    let inputs = ScoreInputs::from(Tally {
        on_time: 1,
        ..Tally::default()
    });
    let s = score(&r, &inputs, day()).unwrap();
    assert_eq!(
        s.criterion("old").unwrap().status,
        CriterionStatus::NotInForce
    );
    assert_eq!((s.earned, s.max), (Decimal::from(2), Decimal::from(2)));
    let e = score(&r, &inputs, NaiveDate::from_ymd_opt(2025, 1, 1).unwrap()).unwrap_err();
    assert_eq!(
        e.to_string(),
        "invalid date: 2025-01-01 is outside the effective range 2023-01-01 to 2024-12-31 of rubric \"t\""
    );
    let e = recovery(&r, "old", &inputs, day(), &RecoveryOptions::default()).unwrap_err();
    assert!(e.to_string().contains("not in force"), "{e}");
}

#[test]
fn recovery_errors_are_typed() {
    let r = Rubric::preset("seed-district-2023").unwrap();
    let t = Tally {
        on_time: 900,
        late: 100,
        overdue: 3,
        ..Tally::default()
    };
    let inputs = ScoreInputs::from(t);
    let opts = RecoveryOptions::default();
    assert_eq!(
        recovery(&r, "nope", &inputs, day(), &opts)
            .unwrap_err()
            .code(),
        "unknown_name"
    );
    let e = recovery(&r, "tthc_overdue_backlog", &inputs, day(), &opts).unwrap_err();
    assert!(e.to_string().contains("only shrinks"), "{e}");
    let e = recovery(&r, "online_peak_month", &inputs, day(), &opts).unwrap_err();
    assert_eq!(e.code(), "invalid_argument");
    let e = recovery(
        &r,
        "tthc_on_time",
        &inputs,
        day(),
        &opts.goal(RecoveryGoal::Points(Decimal::from(5))),
    )
    .unwrap_err();
    assert_eq!(e.code(), "invalid_argument");
    // >= 100% with a late dossier on record: never
    let strict = Rubric::from_toml(&one(
        ON_TIME,
        r#"{ kind = "threshold", op = ">=", value = 100 }"#,
    ))
    .unwrap();
    let e = recovery(&strict, "c", &inputs, day(), &opts).unwrap_err();
    assert_eq!(e.code(), "unreachable");
    assert!(e.to_string().contains("only approaches 100%"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// strategies

prop_compose! {
    fn arb_outcomes(min: u64)(
        early in 0..300u64, on_time in min..300u64, late in min..300u64,
        within_due in min..300u64, overdue in min..300u64, awaiting in 0..50u64,
    ) -> (u64, u64, u64, u64, u64, u64) {
        (early, on_time, late, within_due, overdue, awaiting)
    }
}

prop_compose! {
    fn arb_tally(min: u64)(
        (early, on_time, late, within_due, overdue, awaiting) in arb_outcomes(min),
        ro in min..300u64, rd in 0..300u64, rp in 0..20u64,
        picks in prop::array::uniform4(0..=1000u64),
    ) -> Tally {
        let eo = (ro * picks[0] / 1000).max(min.min(ro));
        let eligible = eo + (rd + rp) * picks[1] / 1000;
        let received = ro + rd + rp;
        Tally {
            early, on_time, late, within_due, overdue, awaiting_supplement: awaiting,
            received_online: ro, received_direct: rd, received_post: rp,
            eligible, eligible_online: eo, full_process_online: eo * picks[2] / 1000,
            synced: received * picks[3] / 1000,
            ..Tally::default()
        }
    }
}

prop_compose! {
    fn arb_inputs(min: u64)(
        tally in arb_tally(min), window in prop::option::weighted(0.8, arb_tally(min)),
        complaints in prop::option::weighted(0.8, 0..40u64),
        supplied in prop::option::weighted(0.8, (0..=100u64, 1..=100u64)),
    ) -> ScoreInputs {
        let mut i = ScoreInputs::from(tally);
        if let Some(w) = window { i = i.with_window("w", w); }
        i.complaints = complaints;
        if let Some((n, d)) = supplied { i = i.with_supplied("s", Rate::new(n.min(d), d).unwrap()); }
        i
    }
}

fn arb_on_time_policy() -> impl Strategy<Value = OnTimePolicy> {
    select(OnTimePolicy::ALL.to_vec())
}

fn arb_metric() -> impl Strategy<Value = Metric> {
    prop_oneof![
        arb_on_time_policy().prop_map(|policy| Metric::OnTimeRate { policy }),
        arb_on_time_policy().prop_map(|policy| Metric::LateRate { policy }),
        select(OnlinePolicy::ALL.to_vec()).prop_map(|policy| Metric::OnlineShare { policy }),
        arb_on_time_policy().prop_map(|policy| Metric::Satisfaction { policy }),
        Just(Metric::OverdueBacklog),
        any::<bool>().prop_map(|lower| Metric::Supplied {
            name: "s".into(),
            better: if lower { Better::Lower } else { Better::Higher },
        }),
    ]
}

fn arb_rounding() -> impl Strategy<Value = Rounding> {
    select(vec![
        Rounding::HalfAwayFromZero,
        Rounding::HalfEven,
        Rounding::HalfTowardZero,
        Rounding::TowardZero,
        Rounding::AwayFromZero,
    ])
}

fn arb_compare(is_rate: bool) -> BoxedStrategy<Compare> {
    if is_rate {
        prop_oneof![
            Just(Compare::Exact),
            (0u32..=2, arb_rounding()).prop_map(|(dp, rounding)| Compare::Rounded { dp, rounding }),
        ]
        .boxed()
    } else {
        Just(Compare::Exact).boxed()
    }
}

/// A valid edge from a raw number in 0..=1000.
fn edge(metric: &Metric, compare: Compare, raw: u64, strict: bool) -> (EdgeOp, Decimal) {
    let raw = i64::try_from(raw).unwrap();
    let value = if !metric.is_rate() {
        Decimal::from(raw / 20)
    } else if matches!(compare, Compare::Rounded { dp: 0, .. }) {
        Decimal::from(raw / 10)
    } else {
        Decimal::new(raw, 1)
    };
    let higher = metric.better() == Better::Higher;
    // never-met (`> 100%`, `< 0`) and always-met (`>= 0`, `<= 100%`) edges are invalid
    let top = metric.is_rate() && value == Decimal::ONE_HUNDRED;
    let op = match (higher, strict) {
        (true, true) if !top => EdgeOp::Above,
        (true, _) if value.is_zero() => EdgeOp::Above,
        (true, _) => EdgeOp::AtLeast,
        (false, true) if !value.is_zero() => EdgeOp::Below,
        (false, _) if top => EdgeOp::Below,
        (false, _) => EdgeOp::AtMost,
    };
    (op, value)
}

fn arb_rule(metric: &Metric, max: Decimal) -> BoxedStrategy<Rule> {
    let rate = metric.is_rate();
    let m = metric.clone();
    let threshold =
        (arb_compare(rate), 0..=1000u64, any::<bool>()).prop_map(move |(compare, raw, strict)| {
            let (op, value) = edge(&m, compare, raw, strict);
            Rule::Threshold { op, value, compare }
        });
    let m = metric.clone();
    let bands = (
        arb_compare(rate),
        prop::collection::vec((0..=1000u64, any::<bool>()), 1..4),
        prop::collection::vec(0u32..=4, 3),
    )
        .prop_map(move |(compare, raw, mut quarters)| {
            let higher = m.better() == Better::Higher;
            let mut edges: Vec<(EdgeOp, Decimal)> = raw
                .into_iter()
                .map(|(r, s)| edge(&m, compare, r, s))
                .collect();
            // strictest first
            edges.sort_by(|a, b| {
                let key = |e: &(EdgeOp, Decimal)| {
                    let strict = matches!(e.0, EdgeOp::Above | EdgeOp::Below);
                    (if higher { e.1 } else { -e.1 }, strict)
                };
                key(b).cmp(&key(a))
            });
            edges.dedup();
            quarters.sort_unstable_by(|a, b| b.cmp(a));
            let bands = edges
                .into_iter()
                .enumerate()
                .map(|(i, (op, value))| crate::Band {
                    op,
                    value,
                    points: if i == 0 {
                        max
                    } else {
                        max * Decimal::from(quarters[i - 1]) / Decimal::from(4)
                    },
                })
                .collect();
            Rule::Bands { compare, bands }
        });
    if rate && metric.better() == Better::Higher {
        // max has one decimal, so dp >= 1 (validation)
        let linear = (1..=1000i64, 1u32..=3, arb_rounding()).prop_map(|(t, dp, rounding)| {
            Rule::LinearCapped {
                target: Decimal::new(t, 1),
                dp,
                rounding,
            }
        });
        prop_oneof![linear, threshold, bands].boxed()
    } else {
        prop_oneof![threshold, bands].boxed()
    }
}

fn arb_criterion(i: usize, any_no_data: bool) -> impl Strategy<Value = Criterion> {
    (arb_metric(), 1..=200i64)
        .prop_flat_map(move |(metric, m)| {
            let max = Decimal::new(m, 1);
            let no_data = if any_no_data {
                select(vec![
                    NoDataRule::Zero,
                    NoDataRule::Full,
                    NoDataRule::Exclude,
                ])
                .boxed()
            } else {
                Just(NoDataRule::Zero).boxed()
            };
            (
                Just(metric.clone()),
                Just(max),
                arb_rule(&metric, max),
                prop::collection::vec(any::<bool>(), i),
                any::<bool>(),
                no_data,
                prop::option::weighted(0.3, Just("w".to_owned())),
            )
        })
        .prop_map(
            move |(metric, max, rule, deps, pass_mark, on_no_data, window)| {
                let mut c = Criterion::new(format!("c{i}"), metric, max, rule);
                c.depends_on = deps
                    .iter()
                    .enumerate()
                    .filter(|(_, d)| **d)
                    .map(|(j, _)| format!("c{j}"))
                    .collect();
                c.pass_mark = pass_mark
                    .then(|| (max / Decimal::from(2)).round_dp(4))
                    .filter(|p| !p.is_zero());
                c.on_no_data = on_no_data;
                c.window = window;
                c
            },
        )
}

fn arb_rubric(any_no_data: bool) -> impl Strategy<Value = Rubric> {
    (1usize..6)
        .prop_flat_map(move |n| {
            (0..n)
                .map(|i| arb_criterion(i, any_no_data))
                .collect::<Vec<_>>()
        })
        .prop_filter_map("valid rubric", |criteria| {
            Rubric::new(RubricSpec {
                name: "p".into(),
                title: String::new(),
                source: String::new(),
                confidence: None,
                effective: crate::Effective::ALWAYS,
                criteria,
            })
            .ok()
        })
}

/// The score of `inputs` after `f` changes the main or the window tally.
fn earned_after(
    r: &Rubric,
    inputs: &ScoreInputs,
    in_window: bool,
    f: impl Fn(&mut Tally),
) -> crate::Score {
    let mut i = inputs.clone();
    match i.windows.get_mut("w") {
        Some(w) if in_window => f(w),
        _ => f(&mut i.tally),
    }
    score(r, &i, day()).unwrap()
}

fn assert_not_lower(
    before: &crate::Score,
    after: &crate::Score,
) -> std::result::Result<(), TestCaseError> {
    prop_assert!(
        after.earned >= before.earned,
        "{} < {}",
        after.earned,
        before.earned
    );
    for (b, a) in before.criteria.iter().zip(&after.criteria) {
        prop_assert!(
            a.earned >= b.earned,
            "{}: {} then {}",
            b.id,
            b.reason,
            a.reason
        );
    }
    Ok(())
}

/// The own points of criterion `id` after `x` dossiers per [`RecoverySource`] semantics: an
/// independent restatement of the documented behaviour.
fn own_after(
    r: &Rubric,
    inputs: &ScoreInputs,
    id: &str,
    online: bool,
    converted: bool,
    x: u64,
) -> Option<Decimal> {
    let c = r.criterion(id).unwrap();
    let mut i = inputs.clone();
    let t = match &c.window {
        Some(w) => i.windows.get_mut(w)?,
        None => &mut i.tally,
    };
    match (online, converted) {
        (false, false) => t.on_time += x,
        (false, true) => {
            t.within_due = t.within_due.checked_sub(x)?;
            t.on_time += x;
        }
        (true, false) => {
            t.received_online += x;
            t.eligible += x;
            t.eligible_online += x;
            t.full_process_online += x;
            t.synced += x;
            t.within_due += x;
        }
        (true, true) => {
            let room = (t.eligible - t.eligible_online).min(t.received_direct + t.received_post);
            if x > room {
                return None;
            }
            let d = x.min(t.received_direct);
            t.received_direct -= d;
            t.received_post -= x - d;
            t.received_online += x;
            t.eligible_online += x;
            t.full_process_online += x;
        }
    }
    Some(
        score(r, &i, day())
            .unwrap()
            .criterion(id)
            .unwrap()
            .own_points,
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn earned_lies_between_zero_and_max(r in arb_rubric(true), inputs in arb_inputs(0)) {
        let s = score(&r, &inputs, day()).unwrap();
        for (c, cs) in r.criteria().iter().zip(&s.criteria) {
            prop_assert!(cs.earned >= Decimal::ZERO && cs.earned <= cs.max, "{}: {}", cs.id, cs.reason);
            prop_assert!(cs.own_points >= Decimal::ZERO && cs.own_points <= c.max);
            prop_assert_eq!(cs.max, if cs.counted { c.max } else { Decimal::ZERO });
            prop_assert_eq!(cs.earned + cs.lost, cs.max);
        }
        prop_assert_eq!(s.earned, s.criteria.iter().map(|c| c.earned).sum::<Decimal>());
        prop_assert_eq!(s.earned + s.lost, s.max);
    }

    /// With data everywhere (every bucket at least 1), whatever the no-data rules.
    #[test]
    fn on_time_never_lowers_and_late_never_raises(
        r in arb_rubric(true), inputs in arb_inputs(1), in_window in any::<bool>(),
    ) {
        let before = score(&r, &inputs, day()).unwrap();
        let more_on_time = earned_after(&r, &inputs, in_window, |t| t.on_time += 1);
        assert_not_lower(&before, &more_on_time)?;
        let more_late = earned_after(&r, &inputs, in_window, |t| t.late += 1);
        assert_not_lower(&more_late, &before)?;
    }

    /// With `on_no_data = zero` (the default), also from empty tallies.
    #[test]
    fn monotone_from_empty_tallies_under_the_zero_rule(
        r in arb_rubric(false), inputs in arb_inputs(0), in_window in any::<bool>(),
    ) {
        let empty = ScoreInputs { tally: Tally::default(), ..inputs.clone() };
        for i in [&inputs, &empty] {
            let before = score(&r, i, day()).unwrap();
            assert_not_lower(&before, &earned_after(&r, i, in_window, |t| t.on_time += 1))?;
            assert_not_lower(&earned_after(&r, i, in_window, |t| t.late += 1), &before)?;
        }
    }

    #[test]
    fn a_failed_criterion_zeroes_its_dependents(r in arb_rubric(true), inputs in arb_inputs(0)) {
        let s = score(&r, &inputs, day()).unwrap();
        for (c, cs) in r.criteria().iter().zip(&s.criteria) {
            let failed: Vec<&String> = c.depends_on.iter()
                .filter(|d| !s.criterion(d).unwrap().passed)
                .collect();
            if !failed.is_empty() && cs.counted {
                prop_assert_eq!(cs.earned, Decimal::ZERO, "{}", cs.reason);
                prop_assert!(!cs.passed);
                if cs.own_points > Decimal::ZERO {
                    prop_assert_eq!(cs.status, CriterionStatus::Forfeited);
                    prop_assert_eq!(cs.forfeited_by.len(), failed.len());
                }
            }
            if cs.status == CriterionStatus::Failed {
                prop_assert!(!cs.passed);
            }
        }
    }

    #[test]
    fn rubrics_survive_a_serde_round_trip(r in arb_rubric(true)) {
        prop_assert_eq!(&Rubric::from_toml(&r.to_toml().unwrap()).unwrap(), &r);
        prop_assert_eq!(&Rubric::from_json(&r.to_json().unwrap()).unwrap(), &r);
        let plain: Rubric = serde_json::from_str(&serde_json::to_string(&r).unwrap()).unwrap();
        prop_assert_eq!(&plain, &r);
    }

    #[test]
    fn recovery_answers_are_minimal(
        r in arb_rubric(true), inputs in arb_inputs(0), pick in any::<Index>(),
        converted in any::<bool>(), full in any::<bool>(),
    ) {
        let c = &r.criteria()[pick.index(r.criteria().len())];
        let online = matches!(c.metric, Metric::OnlineShare { .. });
        let opts = RecoveryOptions::default()
            .source(if converted { RecoverySource::Converted } else { RecoverySource::Added })
            .goal(if full { RecoveryGoal::FullPoints } else { RecoveryGoal::NextBand });
        match recovery(&r, &c.id, &inputs, day(), &opts) {
            Ok(plan) => {
                let at = |x| own_after(&r, &inputs, &c.id, online, converted, x);
                prop_assert!(at(plan.additional).unwrap() >= plan.target_points, "{}", plan.summary);
                prop_assert_eq!(at(plan.additional).unwrap(), plan.to_points);
                if plan.additional > 0 {
                    prop_assert!(at(plan.additional - 1).unwrap() < plan.target_points);
                }
                // monotone, so every smaller number falls short too (checked exhaustively when small)
                if plan.additional <= 300 {
                    for y in 0..plan.additional {
                        prop_assert!(at(y).unwrap() < plan.target_points, "{} reached at {}", plan.summary, y);
                    }
                }
            }
            Err(e) => {
                prop_assert!(matches!(e.code(), "unreachable" | "invalid_argument"), "{}", e);
                if e.code() == "unreachable" {
                    let target = match opts.goal { RecoveryGoal::FullPoints => c.max, _ => Decimal::ZERO };
                    if !converted && target > Decimal::ZERO {
                        let far = own_after(&r, &inputs, &c.id, online, false, 10_000_000);
                        prop_assert!(far.is_none_or(|p| p < target), "{}", e);
                    }
                }
            }
        }
    }
}
