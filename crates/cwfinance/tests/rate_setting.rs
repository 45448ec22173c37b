//! Rate setting from historical regional costs: the Commonworks July 1998 method
//! (001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks): the average of four of six
//! regions, two outliers excluded, plus a 2.7% statewide increase.
//!
//! The source publishes no regional costs and does not name the regions. The costs below are
//! MADE UP, chosen so that the method lands on the published $4,476; they illustrate the
//! arithmetic, not history.

// Helpers outside #[test] functions unwrap too: a failed unwrap here is a failed test.
#![allow(clippy::unwrap_used)]

use cwfinance::rate_setting::{Exclusion, MeanKind, RateMethod, RegionCost, RoundTo};
use cwfinance::{Money, Program, Trace, evaluate};
use rust_decimal::Decimal;
use serde_json::{Value, json};

/// Six made-up regions: four clustered near $4,360 and two outliers.
fn regions() -> Vec<RegionCost> {
    [
        ("Region A", "4310.00", 1200),
        ("Region B", "4345.00", 900),
        ("Region C", "4372.00", 1500),
        ("Region D", "4406.00", 600),
        ("Region E", "3150.00", 800),
        ("Region F", "6020.00", 700),
    ]
    .iter()
    .map(|(r, c, cm)| RegionCost::new(*r, c.parse().unwrap()).with_child_months(Decimal::from(*cm)))
    .collect()
}

fn outliers() -> Vec<Exclusion> {
    ["Region E", "Region F"]
        .iter()
        .map(|r| Exclusion {
            region: r.to_string(),
            reason: "costs differed significantly from the other four regions".into(),
        })
        .collect()
}

fn commonworks() -> RateMethod {
    Program::builtin("commonworks-1998")
        .unwrap()
        .require_section("rate_setting")
        .unwrap()
}

#[test]
fn the_preset_encodes_the_published_method() {
    let m = commonworks();
    assert_eq!(m.regions_total, Some(6));
    assert_eq!(m.regions_included, Some(4));
    assert_eq!(m.mean, MeanKind::Simple);
    assert_eq!(m.adjustments.len(), 1);
    assert_eq!(m.adjustments[0].percent.to_string(), "2.7%");
    assert_eq!(m.round_to, RoundTo::Dollar);
    assert_eq!(m.reference_rate, Some(Money::from_cents(447_600)));
    let p = Program::builtin("commonworks-1998").unwrap();
    let c = &p.citations["rate_setting.adjustments[0].percent"];
    assert_eq!(c.source.as_deref(), Some("001_f8713068464777ee.txt"));
    assert!(c.quote.as_deref().unwrap_or("").contains("2.7% increase"));
    assert!(
        p.citations["rate_setting.regions_included"]
            .quote
            .as_deref()
            .unwrap_or("")
            .contains("two regions")
    );
    assert!(p.citations["rate_setting.mean"].choice.is_some());
}

#[test]
fn simple_mean_of_four_plus_2_7_percent() {
    // Mean of the four: (4,310 + 4,345 + 4,372 + 4,406) / 4 = 17,433 / 4 = 4,358.25.
    // × 1.027 = 4,358.25 + 117.67275 = 4,475.92275, rounded half up to the dollar: 4,476.
    let r = commonworks()
        .rate_from_history(&regions(), &outliers())
        .unwrap();
    assert_eq!(r.mean.to_string(), "4358.25");
    assert_eq!(r.adjustments[0].before.to_string(), "4358.25");
    assert_eq!(r.adjustments[0].after.to_string(), "4475.92275");
    assert_eq!(r.unrounded_rate.to_string(), "4475.92275");
    assert_eq!(r.rate.to_string(), "4476.00");
    assert_eq!(r.difference_from_reference.unwrap().to_string(), "0.00");
    assert_eq!(r.included.len(), 4);
    assert_eq!(r.excluded[1].region, "Region F");
    // Rounded to the cent instead: 4,475.92.
    let cents = RateMethod {
        round_to: RoundTo::Cent,
        ..commonworks()
    };
    let r = cents.rate_from_history(&regions(), &outliers()).unwrap();
    assert_eq!(r.rate.to_string(), "4475.92");
    assert_eq!(r.difference_from_reference.unwrap().to_string(), "-0.08");
}

#[test]
fn weighted_mean_by_child_months() {
    // Σ cost × child-months = 4,310×1,200 + 4,345×900 + 4,372×1,500 + 4,406×600
    //   = 5,172,000 + 3,910,500 + 6,558,000 + 2,643,600 = 18,284,100; Σ child-months = 4,200.
    // Mean = 18,284,100 / 4,200 = 4,353.357142857...; × 1.027 = 4,470.8977857...
    // Rounded to the dollar: 4,471; to the cent: 4,470.90.
    let m = RateMethod {
        mean: MeanKind::WeightedByChildMonths,
        ..commonworks()
    };
    let r = m.rate_from_history(&regions(), &outliers()).unwrap();
    assert!(r.mean.to_string().starts_with("4353.3571428571"));
    assert!(r.unrounded_rate.to_string().starts_with("4470.897785714"));
    assert_eq!(r.rate.to_string(), "4471.00");
    let r = RateMethod {
        round_to: RoundTo::Cent,
        ..m
    }
    .rate_from_history(&regions(), &outliers())
    .unwrap();
    assert_eq!(r.rate.to_string(), "4470.90");
}

#[test]
fn including_the_outliers_is_refused_by_the_method_but_shows_why_they_matter() {
    // The preset's method averages exactly four regions.
    let err = commonworks()
        .rate_from_history(&regions(), &[])
        .unwrap_err();
    assert_eq!(err.field(), "exclude");
    assert!(err.to_string().contains("4 regions"), "{err}");
    // Without the shape constraint: (17,433 + 3,150 + 6,020) / 6 = 26,603 / 6 = 4,433.8333...
    // × 1.027 = 4,553.5558..., half up to the dollar: 4,554.
    let loose = RateMethod {
        regions_total: None,
        regions_included: None,
        ..commonworks()
    };
    let r = loose.rate_from_history(&regions(), &[]).unwrap();
    assert_eq!(r.rate.to_string(), "4554.00");
    // The method also fixes six regions.
    assert_eq!(
        commonworks()
            .rate_from_history(&regions()[..5], &[])
            .unwrap_err()
            .field(),
        "regions"
    );
}

#[test]
fn every_step_is_traced_and_cited() {
    let out = evaluate(&json!({
        "kind": "rate.from_history", "program": "commonworks-1998", "trace": true,
        "regions": [
            {"region": "Region A", "monthly_cost": "4310.00"},
            {"region": "Region B", "monthly_cost": "4345.00"},
            {"region": "Region C", "monthly_cost": "4372.00"},
            {"region": "Region D", "monthly_cost": "4406.00"},
            {"region": "Region E", "monthly_cost": "3150.00"},
            {"region": "Region F", "monthly_cost": "6020.00"}
        ],
        "exclude": [
            {"region": "Region E", "reason": "costs differed significantly"},
            {"region": "Region F", "reason": "costs differed significantly"}
        ]
    }));
    assert_eq!(out["rate"], "4476.00", "{out}");
    let steps: Vec<&Value> = out["trace"].as_array().unwrap().iter().collect();
    let names: Vec<&str> = steps.iter().map(|s| s["step"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "regions in the mean",
            "exclude Region E",
            "exclude Region F",
            "simple mean: sum of the included costs / number of regions",
            "apply statewide increase in reimbursements to residential and education service providers",
            "round to the whole dollar",
            "compare with the published rate",
        ]
    );
    let cited = |i: usize| steps[i]["source"].as_str().unwrap_or("").to_string();
    assert_eq!(
        cited(0),
        "001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks"
    );
    assert_eq!(
        cited(4),
        "001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks"
    );
    assert!(cited(5).starts_with("choice: "));
    assert_eq!(steps[4]["inputs"]["before"], "4358.25");
    assert_eq!(steps[4]["output"], "4475.92275");
}

#[test]
fn the_traced_api_records_the_same_steps() {
    let mut trace = Trace::enabled();
    let r = RateMethod::default()
        .rate_from_history_traced(&regions()[..1], &[], &mut trace, &Default::default())
        .unwrap();
    assert_eq!(r.rate.to_string(), "4310.00");
    assert_eq!(trace.steps().len(), 3);
}

#[test]
fn document_errors() {
    let one = json!([{"region": "A", "monthly_cost": "1.00"}]);
    let cases = [
        (
            json!({"kind": "rate.from_history", "regions": one}),
            "missing_field",
            "method",
        ),
        (
            json!({"kind": "rate.from_history", "regions": one, "method": {"regions_total": 1}}),
            "not_a_decimal_string",
            "method.regions_total",
        ),
        (
            json!({"kind": "rate.from_history", "regions": [{"region": "A", "monthly_cost": "-1"}], "method": {}}),
            "negative_amount",
            "regions[0].monthly_cost",
        ),
        (
            json!({"kind": "rate.from_history", "regions": one, "method": {}, "exclude": [{"region": "A"}]}),
            "missing_field",
            "exclude[0].reason",
        ),
        (
            json!({"kind": "rate.from_history", "regions": one, "method": {"adjustments": [{"name": "x", "percent": "-101%"}]}}),
            "out_of_range",
            "method.adjustments[0].percent",
        ),
        (
            json!({"kind": "rate.from_history", "regions": one, "mean": "median", "method": {}}),
            "unknown_id",
            "mean",
        ),
        (
            json!({"kind": "rate.from_history", "regions": [], "method": {}}),
            "invalid_request",
            "regions",
        ),
        (
            json!({"kind": "rate.from_history", "regions": one, "program": "commonworks-1998"}),
            "invalid_request",
            "regions",
        ),
    ];
    for (req, kind, field) in cases {
        let out = evaluate(&req);
        assert_eq!(out["error"]["kind"], kind, "{req} -> {out}");
        assert_eq!(out["error"]["field"], field, "{req} -> {out}");
    }
}
