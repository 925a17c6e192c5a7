//! Golden tests of scoring, recovery and projection. Every number says where it comes from:
//! the seed letter (Krông Nô district, October 2023, `shared/seed/`), or domain-rules.md.

use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy::MidpointAwayFromZero};
use tthc_metrics::{
    project, recovery, score, score_units, Calendar, Compare, CriterionStatus, EdgeOp, Error,
    Metric, OnTimePolicy, Period, Projection, Rate, RecoveryGoal, RecoveryOptions, RecoverySource,
    Rounding, Rubric, Rule, ScoreInputs, Tally,
};

const CUSTOM_RUBRIC: &str = include_str!("../fixtures/custom_rubric.toml");

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// The seed's cut-off, 16/10/2023.
fn cut_off() -> NaiveDate {
    d(2023, 10, 16)
}

/// The seed: 15,935 received from 01/01 to 16/10/2023; 10,677 resolved on or before time, 662
/// late, 4,596 not finished (the letter does not say how many are overdue: none here).
fn seed_tally() -> Tally {
    Tally {
        on_time: 10_677,
        late: 662,
        within_due: 4_596,
        ..Tally::default()
    }
}

fn seed_rubric() -> Rubric {
    Rubric::preset("seed-district-2023").unwrap()
}

/// The seed rubric with the TTHC threshold compared on another policy and/or comparison.
fn seed_variant(policy: OnTimePolicy, compare: Compare) -> Rubric {
    let mut spec = seed_rubric().spec().clone();
    let c = &mut spec.criteria[0];
    assert_eq!(c.id, "tthc_on_time");
    c.metric = Metric::OnTimeRate { policy };
    c.rule = Rule::Threshold {
        op: EdgeOp::AtLeast,
        value: Decimal::from(95),
        compare,
    };
    Rubric::new(spec).unwrap()
}

fn one_dp() -> Compare {
    Compare::Rounded {
        dp: 1,
        rounding: Rounding::HalfAwayFromZero,
    }
}

fn earned(r: &Rubric, t: Tally, id: &str) -> Decimal {
    score(r, &ScoreInputs::from(t), cut_off())
        .unwrap()
        .criterion(id)
        .unwrap()
        .earned
}

#[test]
fn seed_criterion_is_lost_at_94_2_percent_and_its_component_falls_with_it() {
    let s = score(&seed_rubric(), &ScoreInputs::from(seed_tally()), cut_off()).unwrap();
    let tthc = s.criterion("tthc_on_time").unwrap();
    // seed: "10.677 hồ sơ, chiếm tỷ lệ 94,2%" -> below 95%: the criterion's points are lost
    assert_eq!(tthc.status, CriterionStatus::Failed);
    assert_eq!((tthc.earned, tthc.lost), (Decimal::ZERO, Decimal::ONE));
    assert!(
        tthc.reason.starts_with("on-time 94.16% < 95%"),
        "{}",
        tthc.reason
    );
    let rate = tthc.value.unwrap().rate().unwrap();
    assert_eq!(
        rate.to_percent(1, MidpointAwayFromZero),
        Decimal::new(942, 1)
    );
    // seed: "kéo theo mất điểm các tiêu chí thành phần": the component is forfeited
    let component = s.criterion("tthc_overdue_backlog").unwrap();
    assert_eq!(component.status, CriterionStatus::Forfeited);
    assert_eq!(component.own_points, Decimal::ONE);
    assert_eq!(component.earned, Decimal::ZERO);
    assert_eq!(component.forfeited_by, ["tthc_on_time"]);
    // the peak-month window was not given: no data, earns 0 (the default rule)
    let online = s.criterion("online_peak_month").unwrap();
    assert_eq!(online.status, CriterionStatus::NoData);
    assert_eq!((s.earned, s.max), (Decimal::ZERO, Decimal::from(3)));
}

#[test]
fn seed_recovery_1901_reaches_exactly_95_percent_and_1900_does_not() {
    // domain-rules section 4: on time >= 19 x 662 = 12,578, i.e. 1,901 more, exactly 95.00%
    let r = seed_rubric();
    let t = seed_tally();
    let at = |x: u64| Tally {
        on_time: t.on_time + x,
        ..t
    };
    assert_eq!(earned(&r, at(1_901), "tthc_on_time"), Decimal::ONE);
    assert_eq!(earned(&r, at(1_900), "tthc_on_time"), Decimal::ZERO);
    let exact = at(1_901).on_time_rate(OnTimePolicy::ResolvedOnly).unwrap();
    assert_eq!(exact, Rate::new(95, 100).unwrap());
    assert_eq!(
        exact.to_percent(2, MidpointAwayFromZero),
        Decimal::new(9500, 2)
    );

    for source in [RecoverySource::Added, RecoverySource::Converted] {
        let plan = recovery(
            &r,
            "tthc_on_time",
            &ScoreInputs::from(t),
            cut_off(),
            &RecoveryOptions::default().source(source),
        )
        .unwrap();
        assert_eq!(plan.additional, 1_901, "{source:?}");
        assert_eq!(
            (plan.from_points, plan.to_points),
            (Decimal::ZERO, Decimal::ONE)
        );
        assert!(plan.summary.contains("95.00% >= 95%"), "{}", plan.summary);
    }
}

#[test]
fn seed_recovery_with_the_rounded_comparison_needs_1770() {
    // domain-rules section 4: compared after rounding to one decimal (94.95% -> 95.0%), 1,770
    let r = seed_variant(OnTimePolicy::ResolvedOnly, one_dp());
    let t = seed_tally();
    let plan = recovery(
        &r,
        "tthc_on_time",
        &ScoreInputs::from(t),
        cut_off(),
        &RecoveryOptions::default(),
    )
    .unwrap();
    assert_eq!(plan.additional, 1_770);
    let at = |x: u64| Tally {
        on_time: t.on_time + x,
        ..t
    };
    assert_eq!(earned(&r, at(1_770), "tthc_on_time"), Decimal::ONE);
    assert_eq!(earned(&r, at(1_769), "tthc_on_time"), Decimal::ZERO);
    // 12,447 / 13,109 = 94.9500...%: fails exactly, passes rounded
    assert_eq!(
        earned(&seed_rubric(), at(1_770), "tthc_on_time"),
        Decimal::ZERO
    );
    let s = score(&r, &ScoreInputs::from(at(1_770)), cut_off()).unwrap();
    let reason = &s.criterion("tthc_on_time").unwrap().reason;
    assert!(reason.starts_with("on-time 95.0% >= 95%"), "{reason}");
}

#[test]
fn decision_766_progress_of_the_portal_example_is_17_54() {
    // domain-rules sections 4 and 7: 314,557 / 358,643 x 20 points = 17.54 (2 dp, half away)
    let r = Rubric::preset("decision-766-progress").unwrap();
    // the decision_766 numerator counts finished early/on time and unfinished within due
    let t = Tally {
        early: 300_000,
        on_time: 10_000,
        within_due: 4_557,
        late: 40_000,
        overdue: 4_086,
        ..Tally::default()
    };
    let rate = t.on_time_rate(OnTimePolicy::Decision766).unwrap();
    assert_eq!((rate.numerator(), rate.denominator()), (314_557, 358_643));
    let s = score(&r, &ScoreInputs::from(t).with_complaints(0), cut_off()).unwrap();
    let progress = s.criterion("progress").unwrap();
    assert_eq!(progress.earned, Decimal::new(1754, 2));
    assert_eq!(progress.lost, Decimal::new(246, 2));
    assert!(
        progress.reason.contains("17.54 of 20 points"),
        "{}",
        progress.reason
    );
    // satisfaction 5.4 with no complaint: 100% - 12.29% late = 87.71% of the 90% target -> 5.85
    assert_eq!(
        s.criterion("satisfaction").unwrap().earned,
        Decimal::new(585, 2)
    );
    // the next 0.01 point: 17.55 needs 20 x r >= 17.545, r >= 87.725%
    let plan = recovery(
        &r,
        "progress",
        &ScoreInputs::from(t).with_complaints(0),
        cut_off(),
        &RecoveryOptions::default(),
    )
    .unwrap();
    assert_eq!(plan.target_points, Decimal::new(1755, 2));
    let (n, dd) = (314_557u64, 358_643u64);
    // least x with (n + x) / (dd + x) >= 0.87725: x >= (0.87725 dd - n) / 0.12275
    let want = (87_725 * dd - 100_000 * n).div_ceil(12_275);
    assert_eq!(plan.additional, want);
}

#[test]
fn recovery_under_each_on_time_policy() {
    // the seed with 700 of its 4,596 unfinished dossiers overdue (an assumption: the letter does
    // not say), threshold >= 95% exact; oracle: the least x with (n + x) / (d + x) >= 95%, i.e.
    // x = ceil((95 d - 100 n) / 5) (domain-rules section 4: on time >= 19 x late)
    let t = Tally {
        within_due: 3_896,
        overdue: 700,
        ..seed_tally()
    };
    let closed_form = |r: Rate| {
        let (n, d) = (r.numerator(), r.denominator());
        (95 * d).saturating_sub(100 * n).div_ceil(5)
    };
    let cases = [
        // policy, added, converted (None: unreachable)
        (OnTimePolicy::ResolvedOnly, 1_901, Some(1_901)),
        (OnTimePolicy::DueInPeriod, 15_201, None), // 3,896 within due < 15,201
        (OnTimePolicy::Decision766, 11_305, None), // a within-due dossier already counts
        (OnTimePolicy::LateShare, 11_305, None),   // fixed denominator
    ];
    for (policy, added, converted) in cases {
        let r = seed_variant(policy, Compare::Exact);
        let inputs = ScoreInputs::from(t);
        let opts = RecoveryOptions::default();
        let plan = recovery(&r, "tthc_on_time", &inputs, cut_off(), &opts).unwrap();
        assert_eq!(plan.additional, added, "{policy:?}");
        assert_eq!(
            closed_form(t.on_time_rate(policy).unwrap()),
            added,
            "{policy:?}"
        );
        let conv = recovery(
            &r,
            "tthc_on_time",
            &inputs,
            cut_off(),
            &opts.source(RecoverySource::Converted),
        );
        if let Some(x) = converted {
            assert_eq!(conv.unwrap().additional, x, "{policy:?}");
        } else {
            let e = conv.unwrap_err();
            assert_eq!(e.code(), "unreachable", "{policy:?}: {e}");
        }
    }
    // the seed as stated (no overdue): decision_766 and late_share already pass (95.85%)
    for policy in [OnTimePolicy::Decision766, OnTimePolicy::LateShare] {
        let r = seed_variant(policy, Compare::Exact);
        let plan = recovery(
            &r,
            "tthc_on_time",
            &ScoreInputs::from(seed_tally()),
            cut_off(),
            &RecoveryOptions::default(),
        )
        .unwrap();
        assert_eq!(plan.additional, 0, "{policy:?}");
    }
}

#[test]
fn recovery_of_a_target_no_rate_reaches_is_unreachable() {
    let mut spec = seed_rubric().spec().clone();
    spec.criteria[0].rule = Rule::Threshold {
        op: EdgeOp::AtLeast,
        value: Decimal::ONE_HUNDRED,
        compare: Compare::Exact,
    };
    let r = Rubric::new(spec).unwrap();
    let e = recovery(
        &r,
        "tthc_on_time",
        &ScoreInputs::from(seed_tally()),
        cut_off(),
        &RecoveryOptions::default(),
    )
    .unwrap_err();
    assert!(matches!(e, Error::Unreachable(_)), "{e}");
}

#[test]
fn seed_online_share_must_exceed_70_percent_in_the_peak_month() {
    // seed: "trên 70%" (strictly more) of dossiers of procedures accepting online reception; the
    // district-level desk had 165 online dossiers (domain-rules section 5); 1,000 eligible is an
    // assumption for the example
    let r = seed_rubric();
    let peak = Tally {
        eligible: 1_000,
        eligible_online: 165,
        received_online: 165,
        received_direct: 835,
        ..Tally::default()
    };
    let inputs = ScoreInputs::from(seed_tally()).with_window("peak_month", peak);
    let date = d(2023, 11, 18);
    let s = score(&r, &inputs, date).unwrap();
    let c = s.criterion("online_peak_month").unwrap();
    assert_eq!(c.status, CriterionStatus::Failed);
    assert!(
        c.reason.starts_with("online share 16.50% <= 70%"),
        "{}",
        c.reason
    );
    // exactly 70% is not "more than 70%"
    let seventy = Tally {
        eligible_online: 700,
        received_online: 700,
        received_direct: 300,
        ..peak
    };
    let s = score(
        &r,
        &ScoreInputs::default().with_window("peak_month", seventy),
        date,
    )
    .unwrap();
    assert_eq!(
        s.criterion("online_peak_month").unwrap().earned,
        Decimal::ZERO
    );
    // added online dossiers: (165 + x) / (1,000 + x) > 70%  <=>  x > 1,783.3
    let plan = recovery(
        &r,
        "online_peak_month",
        &inputs,
        date,
        &RecoveryOptions::default(),
    )
    .unwrap();
    assert_eq!(plan.additional, 1_784);
    // counter dossiers that had come online instead: 165 + x > 700  <=>  x >= 536
    let plan = recovery(
        &r,
        "online_peak_month",
        &inputs,
        date,
        &RecoveryOptions::default().source(RecoverySource::Converted),
    )
    .unwrap();
    assert_eq!((plan.additional, plan.available), (536, Some(835)));
}

#[test]
fn projection_over_the_peak_month() {
    // seed: peak month 18/10 - 18/11/2023; 23 working days (no holiday in it, domain-rules 8)
    let window = Period::new(d(2023, 10, 18), d(2023, 11, 18)).unwrap();
    let peak = Projection::on_calendar(window, &Calendar::vietnam()).unwrap();
    assert_eq!(peak.working_days, 23);
    // assume 300 of the 4,596 unfinished dossiers are already overdue: they will finish late
    let t = Tally {
        within_due: 4_296,
        overdue: 300,
        ..seed_tally()
    };
    let r = seed_rubric();
    let inputs = ScoreInputs::from(t);
    // on time >= 19 x 962 = 18,278: 7,601 more, but only 4,296 can still finish on time
    let e = project(&r, "tthc_on_time", &inputs, &peak).unwrap_err();
    assert_eq!(e.code(), "unreachable");
    assert!(
        e.to_string().contains(
            "all 4296 unfinished within-due dossiers finished on time give only 0 points"
        ),
        "{e}"
    );
    // with 150 new dossiers a working day (3,450 in the window) the pool is 7,746: enough
    let busy = peak.arrivals(Decimal::from(150));
    let p = project(&r, "tthc_on_time", &inputs, &busy).unwrap();
    assert_eq!(p.baseline.late, 962);
    assert_eq!(p.baseline.overdue, 0);
    assert_eq!(p.arrivals, 3_450);
    assert_eq!(p.recovery.available, Some(4_296 + 3_450));
    assert_eq!(p.recovery.additional, 19 * 962 - 10_677);
    assert_eq!(p.recovery.additional, 7_601);
    assert_eq!(p.per_working_day, 331); // ceil(7,601 / 23)
                                        // a smaller backlog: 100 overdue -> 762 late -> 3,801 more, within the 4,496 within due
    let small = Tally {
        within_due: 4_496,
        overdue: 100,
        ..seed_tally()
    };
    let p = project(&r, "tthc_on_time", &ScoreInputs::from(small), &peak).unwrap();
    assert_eq!((p.recovery.additional, p.per_working_day), (3_801, 166));
}

#[test]
fn projection_reports_an_unreachable_plan() {
    let window = Period::new(d(2023, 10, 18), d(2023, 11, 18)).unwrap();
    let peak = Projection::on_calendar(window, &Calendar::vietnam()).unwrap();
    // half the unfinished dossiers overdue: 662 + 2,298 = 2,960 late needs 56,240 on time
    let t = Tally {
        within_due: 2_298,
        overdue: 2_298,
        ..seed_tally()
    };
    let e = project(&seed_rubric(), "tthc_on_time", &ScoreInputs::from(t), &peak).unwrap_err();
    assert_eq!(e.code(), "unreachable");
    assert!(
        e.to_string()
            .contains("all 2298 unfinished within-due dossiers"),
        "{e}"
    );
}

#[test]
fn units_rank_by_points_then_on_time_rate_then_name() {
    let r = seed_rubric();
    let t = |on_time, late| {
        ScoreInputs::from(Tally {
            on_time,
            late,
            ..Tally::default()
        })
    };
    // "Nâm N'Đir" given in NFD: the name key is NFC
    let units = [
        ("UBND xã Đắk Sôr", t(90, 10)),
        ("UBND xã Na\u{0302}m N'Đir", t(95, 5)),
        ("UBND xã Đức Xuyên", t(99, 1)),
        ("UBND thị trấn Đắk Mâm", t(190, 10)),
    ];
    let ranked = score_units(&r, &units, cut_off()).unwrap();
    let got: Vec<(&str, usize, usize, String)> = ranked
        .iter()
        .map(|u| {
            (
                u.label.as_str(),
                u.rank,
                u.points_rank,
                u.score.earned.to_string(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("UBND xã Đức Xuyên", 1, 1, "2".to_owned()),
            ("UBND thị trấn Đắk Mâm", 2, 1, "2".to_owned()),
            ("UBND xã Na\u{0302}m N'Đir", 3, 1, "2".to_owned()),
            ("UBND xã Đắk Sôr", 4, 4, "0".to_owned()),
        ]
    );
    assert_eq!(ranked[1].tie_rate, Some(Rate::new(190, 200).unwrap()));
}

#[test]
fn custom_rubric_fixture_scores_as_documented() {
    let r = Rubric::from_toml(CUSTOM_RUBRIC).unwrap();
    assert_eq!(r.name(), "province-district-par-2024");
    let t = Tally {
        on_time: 970,
        late: 30,
        within_due: 100,
        overdue: 5,
        eligible: 2_500,
        eligible_online: 1_751,
        received_online: 1_751,
        received_direct: 2_000,
        ..Tally::default()
    };
    let inputs = ScoreInputs::from(t)
        .with_complaints(10)
        .with_supplied("digitised_results", Rate::new(60, 100).unwrap());
    let s = score(&r, &inputs, d(2024, 10, 31)).unwrap();
    let pts = |id: &str| s.criterion(id).unwrap().earned;
    assert_eq!(pts("on_time"), Decimal::ONE); // 97% -> band 95..100
    assert_eq!(pts("overdue_backlog"), Decimal::new(5, 1)); // 5 <= 10
    assert_eq!(pts("online"), Decimal::ZERO); // 70.04% rounds to 70.0, not > 70
    assert_eq!(pts("portal_progress"), Decimal::new(194, 2)); // 2 x 1,070 / 1,105
    assert_eq!(pts("late"), Decimal::ZERO); // 35 / 1,105 = 3.17% > 2%
    assert_eq!(pts("satisfaction"), Decimal::ONE); // 1,060 / 1,105 = 95.93% >= 90%
    assert_eq!(pts("digitised_results"), Decimal::new(75, 2)); // 60% of 80%
    assert_eq!(
        (s.earned, s.max),
        (Decimal::new(519, 2), Decimal::new(85, 1))
    );
    // before July the supplied criterion is not in force; without the supplied rate, excluded
    let march = score(&r, &inputs, d(2024, 3, 31)).unwrap();
    assert_eq!(march.max, Decimal::new(75, 1));
    let mut missing = inputs.clone();
    missing.supplied.clear();
    let s = score(&r, &missing, d(2024, 10, 31)).unwrap();
    assert_eq!(
        (s.earned, s.max),
        (Decimal::new(444, 2), Decimal::new(75, 1))
    );
    // the rounded online threshold: one more online dossier shows 70.1%
    let plan = recovery(
        &r,
        "online",
        &inputs,
        d(2024, 10, 31),
        &RecoveryOptions::default()
            .source(RecoverySource::Converted)
            .goal(RecoveryGoal::FullPoints),
    )
    .unwrap();
    assert_eq!(plan.additional, 1);
    // a TOML and JSON round trip keeps it unchanged
    assert_eq!(Rubric::from_toml(&r.to_toml().unwrap()).unwrap(), r);
    assert_eq!(Rubric::from_json(&r.to_json().unwrap()).unwrap(), r);
}

#[test]
fn the_scoring_docs_show_the_tested_fixture() {
    // the README "Scoring" section must show this exact TOML
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    let shown: Vec<String> = ["README.md"]
        .iter()
        .filter_map(|p| std::fs::read_to_string(format!("{root}/{p}")).ok())
        .filter(|text| text.contains("name = \"province-district-par-2024\""))
        .collect();
    assert!(!shown.is_empty(), "no document shows the custom rubric");
    for text in shown {
        assert!(
            text.contains(CUSTOM_RUBRIC.trim_end()),
            "a document shows a custom rubric that differs from tests/fixtures/custom_rubric.toml"
        );
    }
}

#[test]
fn malformed_rubrics_name_the_criterion() {
    let cases = [
        (
            CUSTOM_RUBRIC.replace(
                "{ op = \">=\", value = 100, points = 2 },\n  { op = \">=\", value = 95, points = 1 },",
                "{ op = \">=\", value = 95, points = 2 },\n  { op = \">=\", value = 100, points = 1 },",
            ),
            "rubric criterion \"on_time\": band 2 `>= 100` is stricter than band 1 `>= 95`: list bands from the strictest (most points) to the loosest",
        ),
        (
            CUSTOM_RUBRIC.replace(
                "id = \"satisfaction\"\n",
                "id = \"satisfaction\"\ndepends_on = [\"digitised_results\"]\n",
            ),
            "rubric criterion \"satisfaction\": dependency cycle: satisfaction -> digitised_results -> satisfaction",
        ),
        (
            CUSTOM_RUBRIC.replace("kind = \"late_rate\"", "kind = \"late_share\""),
            "rubric criterion \"late\": unknown metric \"late_share\"; expected one of: on_time_rate, late_rate, online_share, satisfaction, overdue_backlog, supplied",
        ),
    ];
    for (text, message) in cases {
        assert_ne!(text, CUSTOM_RUBRIC, "the replacement did not apply");
        let e = Rubric::from_toml(&text).unwrap_err();
        assert_eq!(e.code(), "invalid_rubric");
        assert_eq!(e.to_string(), message);
    }
}

#[test]
fn presets_state_their_source_and_confidence() {
    for name in Rubric::preset_names() {
        let r = Rubric::preset(name).unwrap();
        assert!(!r.spec().source.is_empty(), "{name}");
        assert!(r.spec().confidence.is_some(), "{name}");
        for c in r.criteria() {
            assert!(
                !c.source.is_empty() && c.confidence.is_some(),
                "{name}/{}",
                c.id
            );
        }
        assert_eq!(Rubric::from_json(&r.to_json().unwrap()).unwrap(), r);
    }
}
