//! Fuzz target: rubric loading from TOML and JSON (arbitrary text, mutated presets, and
//! structurally plausible rubrics with hostile values), then scoring, ranking, recovery and
//! projection with hostile tallies. Every input gets a result or a typed error; no panic, no
//! hang; a rubric that loads round-trips through both formats.
//!
//! `PROPTEST_CASES=20000 cargo test --release -p tthc-metrics-tests --test fuzz_rubric`
//! runs it deep (`make fuzz`).

#![allow(clippy::needless_pass_by_value, clippy::naive_bytecount)] // test harness code

mod common;

use chrono::NaiveDate;
use proptest::prelude::*;
use rust_decimal::Decimal;
use serde_json::{json, Map, Value};
use tthc_metrics::{
    project, recovery, score, score_units, Period, Projection, Rate, RecoveryGoal, RecoveryOptions,
    RecoverySource, Rubric, ScoreInputs, Tally,
};

use common::{config, guard};

/// Error codes rubric loading and scoring may return.
const CODES: [&str; 8] = [
    "parse_error",
    "invalid_rubric",
    "invalid_argument",
    "invalid_period",
    "unknown_name",
    "unreachable",
    "no_data",
    "out_of_range",
];

fn typed<T>(what: &str, r: Result<T, tthc_metrics::Error>) -> Result<Option<T>, String> {
    match r {
        Ok(v) => Ok(Some(v)),
        Err(e) if CODES.contains(&e.code()) => Ok(None),
        Err(e) => Err(format!("{what}: unexpected error {}: {e}", e.code())),
    }
}

/// Numbers as rubric authors (and attackers) write them.
fn number() -> impl Strategy<Value = Value> {
    prop_oneof![
        (0i64..120).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<u64>().prop_map(Value::from),
        (-1e30f64..1e30).prop_map(Value::from),
        prop::sample::select(vec![
            "95",
            "94.95",
            "100",
            "0",
            "-1",
            "1e3",
            "0.0000001",
            "79228162514264337593543950335",
            "79228162514264337593543950336",
            "NaN",
            "",
            "1_000",
            " 95 ",
            "95.000000000000000000001",
        ])
        .prop_map(Value::from),
        Just(Value::Null),
        Just(json!([1])),
    ]
}

fn word(options: &'static [&'static str]) -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => prop::sample::select(options.to_vec()).prop_map(Value::from),
        1 => "[a-z_]{0,8}".prop_map(Value::from),
        1 => Just(Value::Null),
        1 => any::<i64>().prop_map(Value::from),
    ]
}

fn date() -> impl Strategy<Value = Value> {
    prop_oneof![
        (1990i32..2040, 1u32..13, 1u32..29)
            .prop_map(|(y, m, d)| Value::from(format!("{y:04}-{m:02}-{d:02}"))),
        prop::sample::select(vec![
            "2023-02-30",
            "+262143-01-01",
            "0000-01-01",
            "2023-13-01",
            "yesterday",
            ""
        ])
        .prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
    ]
}

const IDS: &[&str] = &["a", "b", "c", "tthc_on_time", ""];
const OPS: &[&str] = &[">=", ">", "<=", "<", "==", "≥"];
const ON_TIME: &[&str] = &[
    "resolved_only",
    "decision_766",
    "due_in_period",
    "late_share",
];
const ONLINE: &[&str] = &["eligible_only", "decision_766", "full_process"];
const ROUNDING: &[&str] = &[
    "half_away_from_zero",
    "half_even",
    "half_toward_zero",
    "toward_zero",
    "away_from_zero",
];

fn metric() -> impl Strategy<Value = Value> {
    prop_oneof![
        word(ON_TIME).prop_map(|p| json!({"kind": "on_time_rate", "policy": p})),
        word(ON_TIME).prop_map(|p| json!({"kind": "late_rate", "policy": p})),
        word(ONLINE).prop_map(|p| json!({"kind": "online_share", "policy": p})),
        word(ON_TIME).prop_map(|p| json!({"kind": "satisfaction", "policy": p})),
        Just(json!({"kind": "overdue_backlog"})),
        (word(&["sync", "digitised"]), word(&["higher", "lower"]))
            .prop_map(|(n, b)| json!({"kind": "supplied", "name": n, "better": b})),
        word(&["on_time", "rate", ""]).prop_map(|k| json!({"kind": k})),
        Just(json!("on_time_rate")),
    ]
}

fn compare() -> impl Strategy<Value = Option<Value>> {
    prop::option::of(prop_oneof![
        Just(json!({"mode": "exact"})),
        (prop_oneof![0u32..4, any::<u32>()], word(ROUNDING))
            .prop_map(|(dp, r)| json!({"mode": "rounded", "dp": dp, "rounding": r})),
        Just(json!("rounded")),
    ])
}

fn rule() -> impl Strategy<Value = Value> {
    let band = (word(OPS), number(), number())
        .prop_map(|(op, v, p)| json!({"op": op, "value": v, "points": p}));
    prop_oneof![
        (
            number(),
            prop::option::of(prop_oneof![0i64..12, any::<i64>()]),
            prop::option::of(word(ROUNDING))
        )
            .prop_map(|(t, dp, r)| {
                let mut m = json!({"kind": "linear_capped", "target": t});
                if let Some(dp) = dp {
                    m["dp"] = Value::from(dp);
                }
                if let Some(r) = r {
                    m["rounding"] = r;
                }
                m
            }),
        (word(OPS), number(), compare()).prop_map(|(op, v, c)| {
            let mut m = json!({"kind": "threshold", "op": op, "value": v});
            if let Some(c) = c {
                m["compare"] = c;
            }
            m
        }),
        (prop::collection::vec(band, 0..4), compare()).prop_map(|(b, c)| {
            let mut m = json!({"kind": "bands", "bands": b});
            if let Some(c) = c {
                m["compare"] = c;
            }
            m
        }),
        Just(json!({"kind": "bands"})),
        Just(json!({"kind": "nonsense", "value": 1})),
    ]
}

fn criterion() -> impl Strategy<Value = Value> {
    (
        (word(IDS), number(), metric(), rule()),
        (
            prop::option::of(prop::collection::vec(word(IDS), 0..3)),
            prop::option::of(number()),
            prop::option::of(word(&["zero", "full", "exclude"])),
            prop::option::of(word(&["peak_month", "main"])),
        ),
        (
            prop::option::of((prop::option::of(date()), prop::option::of(date()))),
            prop::option::of(word(&["law", "ops", "seed", "open"])),
            any::<bool>(),
        ),
    )
        .prop_map(
            |((id, max, metric, rule), (deps, pass, no_data, window), (eff, conf, extra))| {
                let mut m = Map::new();
                m.insert("id".into(), id);
                m.insert("max".into(), max);
                m.insert("metric".into(), metric);
                m.insert("rule".into(), rule);
                if let Some(d) = deps {
                    m.insert("depends_on".into(), Value::from(d));
                }
                if let Some(p) = pass {
                    m.insert("pass_mark".into(), p);
                }
                if let Some(n) = no_data {
                    m.insert("on_no_data".into(), n);
                }
                if let Some(w) = window {
                    m.insert("window".into(), w);
                }
                if let Some((from, to)) = eff {
                    let mut e = Map::new();
                    if let Some(f) = from {
                        e.insert("from".into(), f);
                    }
                    if let Some(t) = to {
                        e.insert("to".into(), t);
                    }
                    m.insert("effective".into(), Value::Object(e));
                }
                if let Some(c) = conf {
                    m.insert("confidence".into(), c);
                }
                if extra {
                    m.insert("surprise".into(), Value::from(1));
                }
                Value::Object(m)
            },
        )
}

fn rubric_value() -> impl Strategy<Value = Value> {
    (
        word(&["demo", ""]),
        prop::collection::vec(criterion(), 0..5),
        prop::option::of((prop::option::of(date()), prop::option::of(date()))),
        0u8..8,
    )
        .prop_map(|(name, criteria, eff, shape)| {
            let mut m = Map::new();
            m.insert("name".into(), name);
            match shape {
                0 => {}
                1 => {
                    m.insert("criteria".into(), json!({"a": 1}));
                }
                _ => {
                    m.insert("criteria".into(), Value::from(criteria));
                }
            }
            if let Some((from, to)) = eff {
                let mut e = Map::new();
                if let Some(f) = from {
                    e.insert("from".into(), f);
                }
                if let Some(t) = to {
                    e.insert("to".into(), t);
                }
                m.insert("effective".into(), Value::Object(e));
            }
            Value::Object(m)
        })
}

// strategies are boxed: their value trees are large, and debug builds keep them on the stack
fn count() -> BoxedStrategy<u64> {
    prop_oneof![
        0u64..50,
        0u64..20_000,
        Just(u64::MAX),
        Just(u64::MAX / 2),
        Just(u64::from(u32::MAX))
    ]
    .boxed()
}

fn tally() -> BoxedStrategy<Tally> {
    (
        (count(), count(), count(), count(), count(), count()),
        (
            count(),
            count(),
            count(),
            count(),
            count(),
            count(),
            count(),
        ),
    )
        .prop_map(
            |(
                (early, on_time, late, within_due, overdue, awaiting),
                (online, direct, eligible, eligible_online, full, synced, carried),
            )| Tally {
                early,
                on_time,
                late,
                within_due,
                overdue,
                awaiting_supplement: awaiting,
                received_online: online,
                received_direct: direct,
                eligible,
                eligible_online,
                full_process_online: full,
                synced,
                carried_over: carried,
                ..Tally::default()
            },
        )
        .boxed()
}

fn inputs() -> BoxedStrategy<ScoreInputs> {
    (
        tally(),
        prop::option::of(tally()),
        prop::option::of(count()),
        prop::option::of((0u64..100, 1u64..100)),
    )
        .prop_map(|(t, w, complaints, supplied)| {
            let mut i = ScoreInputs::from(t);
            if let Some(w) = w {
                i = i.with_window("peak_month", w);
            }
            if let Some(c) = complaints {
                i = i.with_complaints(c);
            }
            if let Some((n, d)) = supplied {
                if let Ok(r) = Rate::new(n.min(d), d) {
                    i = i.with_supplied("sync", r);
                }
            }
            i
        })
        .boxed()
}

fn score_date() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        (2019i32..2027, 1u32..366).prop_map(|(y, o)| NaiveDate::from_yo_opt(y, o).unwrap()),
        Just(NaiveDate::MIN),
        Just(NaiveDate::MAX),
    ]
}

/// Loads, round-trips, scores, ranks and recovers; errors must be typed.
fn exercise(
    rubric: Rubric,
    inputs: &ScoreInputs,
    date: NaiveDate,
    goal_seed: u8,
) -> Result<(), String> {
    let goal = goal_seed;
    let toml = rubric.to_toml().map_err(|e| format!("to_toml: {e}"))?;
    let back = Rubric::from_toml(&toml).map_err(|e| format!("from_toml(to_toml): {e}\n{toml}"))?;
    if back != rubric {
        return Err(format!("TOML round trip changed the rubric:\n{toml}"));
    }
    let json = rubric.to_json().map_err(|e| format!("to_json: {e}"))?;
    let back = Rubric::from_json(&json).map_err(|e| format!("from_json(to_json): {e}\n{json}"))?;
    if back != rubric {
        return Err(format!("JSON round trip changed the rubric:\n{json}"));
    }
    if let Some(s) = typed("score", score(&rubric, inputs, date))? {
        if s.earned > s.max || s.earned < Decimal::ZERO {
            return Err(format!("earned {} of {}", s.earned, s.max));
        }
    }
    let units = [("A", inputs.clone()), ("b", inputs.clone())];
    typed("score_units", score_units(&rubric, &units, date))?;
    let goal = match goal_seed % 4 {
        0 => RecoveryGoal::NextBand,
        1 => RecoveryGoal::FullPoints,
        2 => RecoveryGoal::Points(Decimal::new(i64::from(goal), 1)),
        _ => RecoveryGoal::Points(Decimal::MAX),
    };
    for c in rubric.criteria() {
        for source in [RecoverySource::Added, RecoverySource::Converted] {
            let o = RecoveryOptions::default().goal(goal).source(source);
            typed("recovery", recovery(&rubric, &c.id, inputs, date, &o))?;
        }
        if let Ok(window) = Period::new(date.pred_opt().unwrap_or(date), date) {
            if let Ok(p) = Projection::new(window, 1) {
                let p = p
                    .arrivals(Decimal::new(i64::from(goal_seed) * 37, 1))
                    .goal(goal);
                typed("project", project(&rubric, &c.id, inputs, &p))?;
            }
        }
    }
    typed(
        "recovery of an unknown id",
        recovery(&rubric, "nope", inputs, date, &RecoveryOptions::default()),
    )?;
    Ok(())
}

fn load_both(v: &Value) -> Result<Vec<Rubric>, String> {
    let mut out = Vec::new();
    if let Some(r) = typed("from_json", Rubric::from_json(&v.to_string()))? {
        out.push(r);
    }
    // TOML has no null: drop nulls, as an author would leave the key out
    if let Ok(t) = toml::Value::try_from(strip_nulls(v.clone())) {
        if let Ok(text) = toml::to_string(&t) {
            if let Some(r) = typed("from_toml", Rubric::from_toml(&text))? {
                out.push(r);
            }
        }
    }
    Ok(out)
}

fn strip_nulls(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k, strip_nulls(v)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.into_iter()
                .filter(|v| !v.is_null())
                .map(strip_nulls)
                .collect(),
        ),
        other => other,
    }
}

fn preset_text() -> impl Strategy<Value = String> {
    let presets: Vec<String> = Rubric::preset_names()
        .iter()
        .map(|n| Rubric::preset(n).unwrap().to_toml().unwrap())
        .chain(
            Rubric::preset_names()
                .iter()
                .map(|n| Rubric::preset(n).unwrap().to_json().unwrap()),
        )
        .collect();
    prop::sample::select(presets)
}

/// Byte-level edits of a text (kept valid UTF-8 by editing chars).
fn mutate(text: &str, edits: &[(usize, u8, char)]) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    for &(pos, kind, c) in edits {
        if chars.is_empty() {
            chars.push(c);
            continue;
        }
        let i = pos % chars.len();
        match kind % 4 {
            0 => chars[i] = c,
            1 => chars.insert(i, c),
            2 => {
                chars.remove(i);
            }
            _ => {
                let j = (i + usize::from(kind)) % chars.len();
                chars.swap(i, j);
            }
        }
    }
    chars.into_iter().collect()
}

proptest! {
    #![proptest_config(config(256))]

    #[test]
    fn arbitrary_text_never_panics(text in ".{0,200}", json in any::<bool>()) {
        let r = guard("rubric text", (text, json), |(text, json)| {
            let r = if json { Rubric::from_json(&text) } else { Rubric::from_toml(&text) };
            typed("load", r).map(|_| ())
        });
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    #[test]
    fn mutated_presets_load_or_fail_typed(
        text in preset_text(),
        edits in prop::collection::vec((any::<usize>(), any::<u8>(), prop_oneof![Just('"'), Just('='), Just('['), Just(']'), Just('\n'), Just('9'), Just('-'), Just('.'), any::<char>()]), 1..6),
        i in inputs(), date in score_date(), goal in any::<u8>(),
    ) {
        let r = guard("mutated preset", (mutate(&text, &edits), i, date, goal), |(text, i, date, goal)| {
            let parsed = if text.trim_start().starts_with('{') { Rubric::from_json(&text) } else { Rubric::from_toml(&text) };
            match typed("load", parsed)? {
                Some(r) => exercise(r, &i, date, goal),
                None => Ok(()),
            }
        });
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    #[test]
    fn structured_rubrics_load_score_and_recover(v in rubric_value(), i in inputs(), date in score_date(), goal in any::<u8>()) {
        let r: Result<(), String> = guard("structured rubric", (v, i, date, goal), |(v, i, date, goal)| {
            for rubric in load_both(&v)? {
                exercise(rubric, &i, date, goal)?;
            }
            Ok(())
        });
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }

    /// The shipped presets against hostile tallies (counts up to `u64::MAX`).
    #[test]
    fn presets_with_hostile_tallies(i in inputs(), date in score_date(), goal in any::<u8>()) {
        let r: Result<(), String> = guard("preset scoring", (i, date, goal), |(i, date, goal)| {
            for name in Rubric::preset_names() {
                exercise(Rubric::preset(name).map_err(|e| e.to_string())?, &i, date, goal)?;
            }
            Ok(())
        });
        prop_assert!(r.is_ok(), "{}", r.unwrap_err());
    }
}

// ------------------------------------------------------------------ regressions (fuzz findings)

/// Scoring a tally whose counts add up past `u64::MAX` (a tally built by hand or deserialized
/// from a service's JSON) overflowed in the on-time rate (a panic in debug builds, a wrapped,
/// wrong rate in release builds); now a typed error.
#[test]
fn regression_hostile_tallies_are_a_typed_error() {
    let r = Rubric::preset("decision-766-progress").unwrap();
    let t = Tally {
        on_time: u64::MAX / 2,
        late: u64::MAX / 2,
        within_due: u64::MAX / 2,
        ..Tally::default()
    };
    let date = NaiveDate::from_ymd_opt(2025, 5, 6).unwrap();
    let err = score(&r, &ScoreInputs::from(t), date).unwrap_err();
    assert_eq!(err.code(), "invalid_argument");
    assert!(
        err.to_string().contains("add up to more than 2^64 - 1"),
        "{err}"
    );
    let err = recovery(
        &r,
        "progress",
        &ScoreInputs::from(t),
        date,
        &RecoveryOptions::default(),
    )
    .unwrap_err();
    assert_eq!(err.code(), "invalid_argument");
    let online = Tally {
        received_online: u64::MAX,
        received_direct: 7,
        ..Tally::default()
    };
    assert_eq!(online.received(), u64::MAX); // plain sums saturate
    assert_eq!(
        score(&r, &ScoreInputs::from(online), date)
            .unwrap_err()
            .code(),
        "invalid_argument"
    );
}

/// Deeply nested text must not exhaust the stack of the parsers (both have depth limits).
#[test]
fn regression_deep_nesting_is_a_parse_error() {
    for depth in [1_000, 100_000] {
        let toml = format!("name = {}{}", "[".repeat(depth), "]".repeat(depth));
        let json = format!("{{\"name\": {}{}}}", "[".repeat(depth), "]".repeat(depth));
        let t = guard("deep toml", toml, |t| {
            Rubric::from_toml(&t).map(|_| ()).map_err(|e| e.code())
        });
        let j = guard("deep json", json, |j| {
            Rubric::from_json(&j).map(|_| ()).map_err(|e| e.code())
        });
        assert!(matches!(t, Err("parse_error" | "invalid_rubric")), "{t:?}");
        assert!(matches!(j, Err("parse_error" | "invalid_rubric")), "{j:?}");
    }
}
