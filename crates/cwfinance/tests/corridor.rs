//! Risk corridors and savings distribution: the Commonworks source's numbers, the other reading of
//! its phase-in, and the ACA section 1342 and Medicare Part D 2006-07 corridors as generality
//! tests (hand calculations in the comments).
//!
//! Sign convention: `provider_share + payer_share = actual − target`; a positive provider share is
//! a loss the provider bears, a negative one savings it keeps; a positive payer share is the
//! payer's reconciliation payment, a negative one a recoupment.

// Helpers outside #[test] functions unwrap too: a failed unwrap here is a failed test.
#![allow(clippy::unwrap_used)]

use std::path::Path;

use cwfinance::corridor::{Band, BeyondLastBand, Corridor, SavingsOrder, SavingsRule};
use cwfinance::{Money, Percent, Program, evaluate};
use serde_json::{Value, json};

fn money(s: &str) -> Money {
    Money::parse("test", s).unwrap()
}

fn pct(s: &str) -> Percent {
    Percent::parse("test", s).unwrap()
}

fn settle_commonworks(as_of: &str, actual: &str) -> Value {
    evaluate(&json!({
        "kind": "corridor.settle", "program": "commonworks-1998", "as_of": as_of,
        "target": "100000.00", "actual": actual
    }))
}

#[test]
fn commonworks_source_example_through_the_preset() {
    // "beginning June, 1999, a lead agency that receives a case rate plus transition payments of
    // $100,000, is responsible for covering costs up to 3% above that amount ($103,000) out of its
    // own resources. Conversely, the agency can also retain savings up to $3,000"
    // (001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks).
    //
    // actual    difference  provider_share          payer_share               payer_total
    // 101,000   +1,000      +1,000 (bears all)      0                         100,000
    // 103,000   +3,000      +3,000 (the edge)       0                         100,000
    // 105,000   +5,000      +3,000 (capped at 3%)   +2,000 (DSS pays)         102,000
    //  99,000   -1,000      -1,000 (keeps all)      0                         100,000
    //  97,000   -3,000      -3,000 (keeps $3,000)   0                         100,000
    //  95,000   -5,000      -3,000 (capped at 3%)   -2,000 (DSS recoups)       98,000
    let cases = [
        ("101000.00", "1000.00", "0.00", "100000.00", "-1000.00"),
        ("103000.00", "3000.00", "0.00", "100000.00", "-3000.00"),
        ("105000.00", "3000.00", "2000.00", "102000.00", "-3000.00"),
        ("99000.00", "-1000.00", "0.00", "100000.00", "1000.00"),
        ("97000.00", "-3000.00", "0.00", "100000.00", "3000.00"),
        ("95000.00", "-3000.00", "-2000.00", "98000.00", "3000.00"),
    ];
    for as_of in ["1999-06-01", "1999-07-15", "2000-06-30"] {
        for (actual, provider, payer, total, gain) in cases {
            let out = settle_commonworks(as_of, actual);
            assert_eq!(out["provider_share"], provider, "{as_of} {actual}: {out}");
            assert_eq!(out["payer_share"], payer, "{as_of} {actual}");
            assert_eq!(out["payer_total"], total, "{as_of} {actual}");
            assert_eq!(out["provider_gain"], gain, "{as_of} {actual}");
            assert_eq!(out["phase"]["name"], "3% risk");
            assert_eq!(out["phase"]["start"], "1999-06-01");
        }
    }
}

#[test]
fn the_3_percent_edge_in_dollars_is_103000() {
    let out = settle_commonworks("1999-07-15", "105000.00");
    assert_eq!(out["bands"][0]["to_amount"], "3000.00");
    assert_eq!(out["bands"][0]["to"], "3%");
    assert_eq!(out["bands"][1]["beyond_last_band"], true);
    assert_eq!(out["bands"][1]["amount"], "2000.00");
}

#[test]
fn earlier_phases_cap_at_1_and_2_percent() {
    // 1% stage (October 1998): costs 105,000 -> lead agency bears 1,000, DSS 4,000.
    let out = settle_commonworks("1998-11-15", "105000.00");
    assert_eq!(out["phase"]["number"], 1);
    assert_eq!(
        (out["provider_share"].as_str(), out["payer_share"].as_str()),
        (Some("1000.00"), Some("4000.00"))
    );
    // 2% stage (February-May 1999): costs 95,000 -> keeps 2,000, DSS recoups 3,000.
    let out = settle_commonworks("1999-05-31", "95000.00");
    assert_eq!(out["phase"]["number"], 2);
    assert_eq!(out["phase"]["end"], "1999-06-01");
    assert_eq!(
        (out["provider_share"].as_str(), out["payer_share"].as_str()),
        (Some("-2000.00"), Some("-3000.00"))
    );
}

#[test]
fn the_other_reading_of_the_phase_in_start() {
    // Start the phase-in at the July 1998 amendments: 1% from 1998-07-01, 2% from 1998-11-01,
    // 3% from 1999-03-01. In March 1999 the two readings differ: 2% (October start) vs 3%.
    let october = settle_commonworks("1999-03-15", "105000.00");
    assert_eq!(october["provider_share"], "2000.00");
    let july = evaluate(&json!({
        "kind": "corridor.settle", "program": "commonworks-1998", "as_of": "1999-03-15",
        "phase_in_start": "1998-07-01", "target": "100000.00", "actual": "105000.00"
    }));
    assert_eq!(july["phase"]["number"], 3);
    assert_eq!(july["phase"]["start"], "1999-03-01");
    assert_eq!(july["provider_share"], "3000.00");
    // June 1999 is the 3% stage under both readings, as the source says.
    let june = evaluate(&json!({
        "kind": "corridor.settle", "program": "commonworks-1998", "as_of": "1999-06-15",
        "phase_in_start": "1998-07-01", "target": "100000.00", "actual": "103000.00"
    }));
    assert_eq!(june["provider_share"], "3000.00");
    // Before the phase-in starts there is no corridor (the hold-harmless period).
    let before = settle_commonworks("1998-09-30", "103000.00");
    assert_eq!(before["error"]["kind"], "out_of_range");
    assert_eq!(before["error"]["field"], "as_of");
}

#[test]
fn beyond_the_last_band_is_a_parameter() {
    // With the provider beyond the band, the lead agency bears the whole 5,000 overrun.
    let out = evaluate(&json!({
        "kind": "corridor.settle", "program": "commonworks-1998", "as_of": "1999-07-15",
        "target": "100000.00", "actual": "105000.00", "beyond_last_band": "provider"
    }));
    assert_eq!(out["provider_share"], "5000.00");
    assert_eq!(out["payer_share"], "0.00");
}

#[test]
fn aca_section_1342_two_thresholds() {
    // ACA section 1342: the issuer bears all within 3% of the target; HHS shares 50% between 3%
    // and 8%, and 80% beyond 8%. Symmetric for gains.
    let aca = Corridor::new(vec![
        Band::symmetric(Some(pct("3%")), pct("100%")),
        Band::symmetric(Some(pct("8%")), pct("50%")),
        Band::symmetric(None, pct("20%")),
    ]);
    let t = money("1000000");
    // 1,050,000: D = 50,000. 0-3% = 30,000 issuer. 3-8% = 20,000, HHS 50% = 10,000.
    let s = aca.settle(t, money("1050000"), None).unwrap();
    assert_eq!(s.payer_share, money("10000"));
    assert_eq!(s.provider_share, money("40000"));
    // 1,100,000: D = 100,000. 30,000 issuer; 3-8% = 50,000, HHS 25,000; beyond 8% = 20,000,
    // HHS 80% = 16,000. HHS 41,000; issuer 30,000 + 25,000 + 4,000 = 59,000.
    let s = aca.settle(t, money("1100000"), None).unwrap();
    assert_eq!(s.payer_share, money("41000"));
    assert_eq!(s.provider_share, money("59000"));
    assert_eq!(s.bands.len(), 3);
    assert_eq!(s.bands[2].amount, money("20000"));
    assert_eq!(s.bands[2].payer_share, money("16000"));
    // 1,020,000: D = 20,000, inside 3%: issuer bears it all.
    let s = aca.settle(t, money("1020000"), None).unwrap();
    assert_eq!(
        (s.provider_share, s.payer_share),
        (money("20000"), money("0"))
    );
    // 940,000: D = -60,000. Issuer keeps 30,000; 3-6% = 30,000, half each: the issuer keeps
    // 15,000 and pays HHS 15,000. Issuer -45,000, HHS -15,000.
    let s = aca.settle(t, money("940000"), None).unwrap();
    assert_eq!(
        (s.provider_share, s.payer_share),
        (money("-45000"), money("-15000"))
    );
}

#[test]
fn medicare_part_d_2006_2007_corridor() {
    // Part D 2006-07: the plan bears all within 2.5% of the target; the government pays 75%
    // between 2.5% and 5%, and 80% beyond 5%. Symmetric for gains.
    let part_d = Corridor::new(vec![
        Band::symmetric(Some(pct("2.5%")), pct("100%")),
        Band::symmetric(Some(pct("5%")), pct("25%")),
        Band::symmetric(None, pct("20%")),
    ]);
    let t = money("1000000");
    // 1,040,000: D = 40,000. 25,000 plan; 2.5-4% = 15,000, government 75% = 11,250, plan 3,750.
    let s = part_d.settle(t, money("1040000"), None).unwrap();
    assert_eq!(
        (s.provider_share, s.payer_share),
        (money("28750"), money("11250"))
    );
    // 1,100,000: D = 100,000. 25,000 plan; 2.5-5% = 25,000, government 18,750, plan 6,250;
    // beyond 5% = 50,000, government 40,000, plan 10,000. Plan 41,250, government 58,750.
    let s = part_d.settle(t, money("1100000"), None).unwrap();
    assert_eq!(
        (s.provider_share, s.payer_share),
        (money("41250"), money("58750"))
    );
    // 940,000: D = -60,000. Plan keeps 25,000; 2.5-5% = 25,000, plan keeps 6,250, government
    // 18,750; beyond = 10,000, plan 2,000, government 8,000. Plan -33,250, government -26,750.
    let s = part_d.settle(t, money("940000"), None).unwrap();
    assert_eq!(
        (s.provider_share, s.payer_share),
        (money("-33250"), money("-26750"))
    );
    // The same corridor with a bounded last band and the payer beyond it is the same thing at
    // 100% payer: 1,100,000 with the third band removed leaves 50,000 beyond to the payer.
    let two = Corridor::new(vec![
        Band::symmetric(Some(pct("2.5%")), pct("100%")),
        Band::symmetric(Some(pct("5%")), pct("25%")),
    ])
    .beyond_last_band(BeyondLastBand::Payer);
    let s = two.settle(t, money("1100000"), None).unwrap();
    assert_eq!(
        (s.provider_share, s.payer_share),
        (money("31250"), money("68750"))
    );
}

#[test]
fn wraparound_milwaukee_is_fully_at_risk() {
    // $3,300 per child per month for 650 children is $2,145,000 a month; costs of $2,200,000
    // are borne entirely by the program, and savings are all kept.
    for (actual, provider) in [("2200000.00", "55000.00"), ("2000000.00", "-145000.00")] {
        let out = evaluate(&json!({
            "kind": "corridor.settle", "program": "wraparound-milwaukee",
            "target": "2145000.00", "actual": actual
        }));
        assert_eq!(out["provider_share"], provider, "{out}");
        assert_eq!(out["payer_share"], "0.00");
    }
}

#[test]
fn corridor_errors_are_typed() {
    let out = evaluate(&json!({"kind": "corridor.settle", "target": "1.00", "actual": "1.00"}));
    assert_eq!(
        (
            out["error"]["kind"].as_str(),
            out["error"]["field"].as_str()
        ),
        (Some("missing_field"), Some("corridor"))
    );
    let out = evaluate(
        &json!({"kind": "corridor.settle", "program": "commonworks-1998", "target": "100000.00", "actual": "1.00"}),
    );
    assert_eq!(out["error"]["kind"], "missing_parameter");
    assert_eq!(out["error"]["field"], "as_of");
    let out = evaluate(
        &json!({"kind": "corridor.settle", "program": "commonworks-1998", "as_of": "1999-07-15", "target": 100000, "actual": "1.00"}),
    );
    assert_eq!(out["error"]["kind"], "not_a_decimal_string");
    let out = evaluate(
        &json!({"kind": "corridor.settle", "target": "100.00", "actual": "1.00",
        "corridor": {"bands": [{"up_to": "3%", "provider_share_of_losses": "-10%", "provider_share_of_gains": "100%"}]}}),
    );
    assert_eq!(out["error"]["kind"], "negative_amount");
    assert_eq!(
        out["error"]["field"],
        "corridor.bands[0].provider_share_of_losses"
    );
    let out = evaluate(
        &json!({"kind": "corridor.settle", "program": "wraparound-milwaukee", "phase_in_start": "1998-07-01", "target": "100.00", "actual": "1.00"}),
    );
    assert_eq!(out["error"]["field"], "phase_in_start");
}

#[test]
fn the_preset_matches_the_builder() {
    let p = Program::builtin("commonworks-1998").unwrap();
    let from_preset: Corridor = p.require_section("corridor").unwrap();
    assert_eq!(
        from_preset,
        Corridor::commonworks("1998-10-01".parse().unwrap())
    );
    let savings: SavingsRule = p.require_section("savings").unwrap();
    assert_eq!(savings, SavingsRule::commonworks());
    assert_eq!(
        p.citations["corridor.phase_in.phases[2].bands[0].up_to"]
            .source
            .as_deref(),
        Some("001_f8713068464777ee.txt")
    );
    assert!(p.citations["corridor.phase_in.start"].choice.is_some());
}

#[test]
fn trace_cites_the_source_and_the_choices() {
    let out = evaluate(&json!({
        "kind": "corridor.settle", "program": "commonworks-1998", "as_of": "1999-07-15",
        "target": "100000.00", "actual": "105000.00", "trace": true
    }));
    let steps = out["trace"].as_array().unwrap();
    let sources: Vec<&str> = steps.iter().filter_map(|s| s["source"].as_str()).collect();
    assert!(
        sources
            .iter()
            .any(|s| s.starts_with("choice: The source does not date")),
        "{sources:?}"
    );
    assert!(sources.contains(&"001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks"));
    assert!(
        sources
            .iter()
            .any(|s| s.starts_with("choice: The lead agency 'is responsible")),
        "{sources:?}"
    );
}

#[test]
fn commonworks_savings_distribution() {
    // 5% of $100,000 = $5,000 retained at most: the lead agency's layer 3,000, the region's 2,000.
    // costs    savings  lead    region  returned to DSS
    // 98,000   2,000    2,000   0       0
    // 97,000   3,000    3,000   0       0
    // 96,000   4,000    3,000   1,000   0
    // 95,000   5,000    3,000   2,000   0
    // 90,000  10,000    3,000   2,000   5,000
    // 101,000  0 (a loss: the corridor's business)
    let cases = [
        ("98000.00", "2000.00", "2000.00", "0.00", "0.00"),
        ("97000.00", "3000.00", "3000.00", "0.00", "0.00"),
        ("96000.00", "4000.00", "3000.00", "1000.00", "0.00"),
        ("95000.00", "5000.00", "3000.00", "2000.00", "0.00"),
        ("90000.00", "10000.00", "3000.00", "2000.00", "5000.00"),
        ("101000.00", "0.00", "0.00", "0.00", "0.00"),
    ];
    for (costs, savings, lead, region, returned) in cases {
        let out = evaluate(&json!({
            "kind": "savings.distribute", "program": "commonworks-1998",
            "payments": "100000.00", "costs": costs
        }));
        assert_eq!(out["savings"], savings, "{costs}: {out}");
        assert_eq!(out["recipients"][0]["name"], "lead agency");
        assert_eq!(out["recipients"][0]["amount"], lead, "{costs}");
        assert_eq!(out["recipients"][1]["amount"], region, "{costs}");
        assert_eq!(out["returned_to_payer"], returned, "{costs}");
        assert_eq!(out["retained_cap"], "5000.00");
    }
    // The pro-rata reading: $4,000 saved split 3:2 -> 2,400 and 1,600.
    let out = evaluate(&json!({
        "kind": "savings.distribute", "program": "commonworks-1998",
        "payments": "100000.00", "costs": "96000.00", "order": "pro_rata"
    }));
    assert_eq!(out["recipients"][0]["amount"], "2400.00");
    assert_eq!(out["recipients"][1]["amount"], "1600.00");
    let mut pro = SavingsRule::commonworks();
    pro.order = SavingsOrder::ProRata;
    let d = pro.distribute(money("100000"), money("96000")).unwrap();
    assert_eq!(d.retained, money("4000"));
}

#[test]
fn savings_errors_are_typed() {
    let out = evaluate(&json!({
        "kind": "savings.distribute", "payments": "100.00", "costs": "90.00",
        "savings": {"retained_share": "5%", "recipients": [{"name": "a", "share": "3%"}, {"name": "b", "share": "3%"}]}
    }));
    assert_eq!(out["error"]["kind"], "invalid_request");
    assert_eq!(out["error"]["field"], "savings.recipients");
    let out = evaluate(
        &json!({"kind": "savings.distribute", "program": "commonworks-1998", "payments": "-1.00", "costs": "0"}),
    );
    assert_eq!(out["error"]["kind"], "negative_amount");
    assert_eq!(out["error"]["field"], "payments");
}

/// Rewrites `expected` in this module's vectors only (`CWFINANCE_BLESS_CORRIDOR=1`), so blessing
/// them does not touch other modules' vectors. Review the diff: every figure is also asserted
/// above or in `tests/risk_pool.rs`.
#[test]
fn bless_own_vectors_when_asked() {
    if std::env::var_os("CWFINANCE_BLESS_CORRIDOR").is_none() {
        return;
    }
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors");
    for kind in ["corridor.settle", "savings.distribute", "risk_pool.settle"] {
        for entry in std::fs::read_dir(root.join(kind)).unwrap().flatten() {
            let path = entry.path();
            let text = std::fs::read_to_string(&path).unwrap();
            let mut doc: Value = serde_json::from_str(&text).unwrap();
            let actual = cwfinance::evaluate_str(&doc["request"].to_string());
            doc["expected"] = serde_json::from_str(&actual).unwrap();
            std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap() + "\n").unwrap();
        }
    }
}

#[test]
fn a_table_of_settlements_is_the_source_example_row_by_row() {
    // The Commonworks example at the 3% stage: on a $100,000 target the agency bears the first
    // 3% of a loss or keeps the first 3% of a saving, DSS the rest. One row per actual cost, and
    // one row in March 1999 (the 2% stage, February to May: the agency's part stops at $2,000).
    let c = Corridor::commonworks("1998-10-01".parse().unwrap());
    let stage3 = Some("1999-07-15".parse().unwrap());
    let stage2 = Some("1999-03-15".parse().unwrap());
    let actuals = [
        "101000", "103000", "105000", "99000", "97000", "95000", "105000",
    ];
    let targets = vec![money("100000"); actuals.len()];
    let actual: Vec<Money> = actuals.iter().map(|a| money(a)).collect();
    let mut dates = vec![stage3; 6];
    dates.push(stage2);
    let t = c.settle_table(&targets, &actual, &dates).unwrap();
    let payer: Vec<String> = t.payer_share.iter().map(|m| m.to_string()).collect();
    assert_eq!(
        payer,
        [
            "0.00", "0.00", "2000.00", "0.00", "0.00", "-2000.00", "3000.00"
        ]
    );
    let gain: Vec<String> = t.provider_gain.iter().map(|m| m.to_string()).collect();
    assert_eq!(
        gain,
        [
            "-1000.00", "-3000.00", "-3000.00", "1000.00", "3000.00", "3000.00", "-2000.00"
        ]
    );
    assert_eq!(
        t.phase,
        [
            Some(3),
            Some(3),
            Some(3),
            Some(3),
            Some(3),
            Some(3),
            Some(2)
        ]
    );
    // Each row is what `settle` gives for it alone.
    for (i, ((target, a), d)) in targets.iter().zip(&actual).zip(&dates).enumerate() {
        let one = c.settle(*target, *a, *d).unwrap();
        assert_eq!(
            (one.difference, one.provider_share, one.payer_total),
            (t.difference[i], t.provider_share[i], t.payer_total[i])
        );
    }

    // Every bad row is listed, naming its column.
    let err = c
        .settle_table(
            &[money("100000"), money("-5"), money("100000")],
            &[money("100000"), money("100"), money("-1")],
            &[stage3, stage3, stage3],
        )
        .unwrap_err();
    let cwfinance::Error::InvalidData { problems } = err else {
        panic!("expected invalid data")
    };
    let got: Vec<(Option<u64>, &str, &str, &str)> = problems
        .iter()
        .map(|p| (p.row, p.column.as_str(), p.value.as_str(), p.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(2), "target", "-5.00", "negative_amount"),
            (Some(3), "actual", "-1.00", "negative_amount"),
        ]
    );
}
