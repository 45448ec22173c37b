//! Funding splits against the Missouri Interdepartmental Initiative's published shares
//! (000_b605dc6c8d05d2b7.txt, Case rate financing by division) and hand calculations.
//!
//! The six divisions' shares as published: 0.57% + 1.72% + 12% + 7.22% + 17.51% + 60.99% = 100.01%.
//! A month for one child is $3,329 + $226 case management = $3,555; for 250 children (the CMO's
//! capacity) it is 250 × $3,555.00 = $888,750.00.

// Helpers outside #[test] functions unwrap too: a failed unwrap here is a failed test.
#![allow(clippy::unwrap_used)]

use cwfinance::split::{
    DeriveOptions, Expenditure, SharePolicy, ShareResidue, Split, derive_shares,
};
use cwfinance::{Money, Program, Rounding, evaluate};
use serde_json::json;

const NAMES: [&str; 6] = [
    "DMH/Alcohol & Drug Abuse",
    "DMH/Mental Retardation & Developmental Disabilities",
    "DMH/Comprehensive Psychiatric Services",
    "DSS/Youth Services",
    "DSS/Medical Services",
    "DSS/Family Services",
];

fn missouri() -> Split {
    Split::from_pairs(&[
        (NAMES[0], "0.57%"),
        (NAMES[1], "1.72%"),
        (NAMES[2], "12%"),
        (NAMES[3], "7.22%"),
        (NAMES[4], "17.51%"),
        (NAMES[5], "60.99%"),
    ])
    .unwrap()
}

fn amounts(split: &Split, amount: &str, policy: SharePolicy) -> Vec<String> {
    split
        .allocate(amount.parse().unwrap(), policy, Rounding::HalfUp)
        .unwrap()
        .iter()
        .map(|a| a.amount.to_string())
        .collect()
}

fn residual() -> SharePolicy {
    SharePolicy::Residual {
        funder: "DSS/Family Services".into(),
    }
}

#[test]
fn month_for_250_children_is_888_750() {
    // 250 × (3,329 + 226) = 250 × 3,555 = 888,750.
    let one: Money = "3329.00".parse::<Money>().unwrap() + "226.00".parse().unwrap();
    assert_eq!(one.to_string(), "3555.00");
    assert_eq!(one.scale(250.into()).to_string(), "888750.00");
}

#[test]
fn strict_refuses_the_published_shares_and_states_the_sum() {
    for amount in ["3329.00", "888750.00"] {
        let err = missouri()
            .allocate(
                amount.parse().unwrap(),
                SharePolicy::Strict,
                Rounding::HalfUp,
            )
            .unwrap_err();
        assert_eq!(err.kind(), "shares_do_not_sum");
        assert_eq!(err.field(), "funders");
        assert_eq!(err.value(), Some("100.01%"));
        assert!(
            err.to_string().contains("shares sum to 100.01%, not 100%"),
            "{err}"
        );
    }
}

#[test]
fn normalize_3329() {
    // Shares over their sum: n = 57, 172, 1200, 722, 1751, 6099 over 10,001 (units of 0.01%).
    // Exact cents = 332,900 × n / 10,001:
    //   ADA   18,975,300 / 10,001 =   1,897.3403  floor   1,897  rem .3403
    //   MRDD  57,258,800 / 10,001 =   5,725.3075  floor   5,725  rem .3075
    //   CPS  399,480,000 / 10,001 =  39,944.0056  floor  39,944  rem .0056
    //   DYS  240,353,800 / 10,001 =  24,032.9768  floor  24,032  rem .9768
    //   DMS  582,907,900 / 10,001 =  58,284.9615  floor  58,284  rem .9615
    //   DFS 2,030,357,100/ 10,001 = 203,015.4085  floor 203,015  rem .4085
    // Floors sum to 332,897: 3 cents left, to the largest remainders DYS, DMS, DFS.
    assert_eq!(
        amounts(&missouri(), "3329.00", SharePolicy::Normalize),
        ["18.97", "57.25", "399.44", "240.33", "582.85", "2030.16"]
    );
}

#[test]
fn residual_3329() {
    // DSS/Family Services takes 100% − (0.57 + 1.72 + 12 + 7.22 + 17.51)% = 100% − 39.02% = 60.98%.
    // Exact: 3,329 × 0.57% = 18.9753; × 1.72% = 57.2588; × 12% = 399.48; × 7.22% = 240.3538;
    //        × 17.51% = 582.9079; × 60.98% = 2,030.0242.
    // Floors: 18.97 + 57.25 + 399.48 + 240.35 + 582.90 + 2,030.02 = 3,328.97: 3 cents left.
    // Remainders (cents): .53, .88, 0, .38, .79, .42: MRDD, DMS and ADA take one each.
    assert_eq!(
        amounts(&missouri(), "3329.00", residual()),
        ["18.98", "57.26", "399.48", "240.35", "582.91", "2030.02"]
    );
    let parts = missouri()
        .allocate("3329.00".parse().unwrap(), residual(), Rounding::HalfUp)
        .unwrap();
    assert_eq!(parts[5].share.to_string(), "60.99%");
    assert_eq!(parts[5].share_used.to_string(), "60.98%");
    assert_eq!(parts[5].exact.to_string(), "2030.0242");
}

#[test]
fn normalize_250_children() {
    // Exact cents = 88,875,000 × n / 10,001:
    //   ADA     5,065,875,000 / 10,001 =    506,536.8464
    //   MRDD   15,286,500,000 / 10,001 =  1,528,497.1503
    //   CPS   106,650,000,000 / 10,001 = 10,663,933.6066
    //   DYS    64,167,750,000 / 10,001 =  6,416,133.3867
    //   DMS   155,620,125,000 / 10,001 = 15,560,456.4544
    //   DFS   542,048,625,000 / 10,001 = 54,199,442.5558
    // Floors sum to 88,874,997: 3 cents left, to ADA (.8464), CPS (.6066) and DFS (.5558).
    assert_eq!(
        amounts(&missouri(), "888750.00", SharePolicy::Normalize),
        [
            "5065.37",
            "15284.97",
            "106639.34",
            "64161.33",
            "155604.56",
            "541994.43"
        ]
    );
}

#[test]
fn residual_250_children_breaks_the_tie_by_share() {
    // Exact: 888,750 × 0.57% = 5,065.875; × 1.72% = 15,286.50; × 12% = 106,650.00;
    //        × 7.22% = 64,167.75; × 17.51% = 155,620.125; × 60.98% = 541,959.75.
    // Floors sum to 888,749.99: one cent left. ADA and DMS both have half a cent over: a tie.
    // The larger share (DMS, 17.51% > 0.57%) takes it. Rounding each half up on its own would
    // give 5,065.88 and 155,620.13, a total of 888,750.01: a lost penny the other way.
    assert_eq!(
        amounts(&missouri(), "888750.00", residual()),
        [
            "5065.87",
            "15286.50",
            "106650.00",
            "64167.75",
            "155620.13",
            "541959.75"
        ]
    );
}

#[test]
fn every_policy_adds_up_exactly() {
    for amount in ["3329.00", "888750.00", "-3329.00", "0.01", "0.00"] {
        for policy in [SharePolicy::Normalize, residual()] {
            let m: Money = amount.parse().unwrap();
            let parts = missouri().allocate(m, policy, Rounding::HalfUp).unwrap();
            assert_eq!(parts.iter().map(|p| p.amount).sum::<Money>(), m, "{amount}");
        }
    }
}

#[test]
fn a_recoupment_mirrors_the_payment() {
    // Taking back a month paid under normalize returns exactly what each division was charged.
    let paid = amounts(&missouri(), "3329.00", SharePolicy::Normalize);
    let back = amounts(&missouri(), "-3329.00", SharePolicy::Normalize);
    for (p, b) in paid.iter().zip(&back) {
        assert_eq!(format!("-{p}"), *b);
    }
}

#[test]
fn the_missouri_preset_normalizes_by_documented_choice() {
    let p = Program::builtin("missouri-interdepartmental-initiative").unwrap();
    let split: Split = p.require_section("split").unwrap();
    assert_eq!(split.policy, SharePolicy::Normalize);
    assert_eq!(split.share_sum().to_string(), "100.01%");
    let policy = &p.citations["split.policy"];
    assert!(policy.choice.as_deref().unwrap_or("").contains("100.01%"));
    for i in 0..6 {
        let c = &p.citations[&format!("split.funders[{i}].share")];
        assert_eq!(c.source.as_deref(), Some("000_b605dc6c8d05d2b7.txt"));
    }
    assert!(p.choices.iter().any(|c| c.parameter == "split.policy"));
    // Through the document format, the preset gives the normalize figures above.
    let out = evaluate(&json!({
        "kind": "split", "program": "missouri-interdepartmental-initiative", "amount": "3329.00"
    }));
    let got: Vec<&str> = out["allocations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|a| a["amount"].as_str().unwrap())
        .collect();
    assert_eq!(
        got,
        ["18.97", "57.25", "399.44", "240.33", "582.85", "2030.16"]
    );
    assert_eq!(out["policy"], "normalize");
    assert_eq!(out["share_sum"], "100.01%");
    // Overriding the policy to strict gives the typed error, located in the program's section.
    let out = evaluate(&json!({
        "kind": "split", "program": "missouri-interdepartmental-initiative",
        "amount": "888750.00", "policy": "strict"
    }));
    assert_eq!(out["error"]["kind"], "shares_do_not_sum");
    assert_eq!(out["error"]["field"], "program.sections.split.funders");
    assert_eq!(out["error"]["value"], "100.01%");
    // And residual to Family Services gives the tie-broken figures.
    let out = evaluate(&json!({
        "kind": "split", "program": "missouri-interdepartmental-initiative",
        "amount": "888750.00", "policy": {"residual": {"funder": "DSS/Family Services"}}
    }));
    assert_eq!(out["allocations"][0]["amount"], "5065.87");
    assert_eq!(out["allocations"][4]["amount"], "155620.13");
    assert_eq!(out["allocations"][5]["share_used"], "60.98%");
}

#[test]
fn a_program_with_a_strict_split_that_does_not_sum_fails_to_load() {
    let text = r#"{
      "id": "bad", "name": "Bad", "jurisdiction": "X", "summary": "x", "sources": ["x.pdf"],
      "sections": {"split": {"funders": [
        {"name": "A", "share": {"value": "60%", "source": "x.pdf", "section": "1"}},
        {"name": "B", "share": {"value": "40.01%", "source": "x.pdf", "section": "1"}}
      ]}}
    }"#;
    let err = Program::from_json_str(text).unwrap_err();
    assert_eq!(err.kind(), "shares_do_not_sum");
    assert_eq!(err.field(), "program.sections.split.funders");
    let unknown = text.replace(
        r#""sections": {"split": {"#,
        r#""sections": {"split": {"policy": {"residual": {"funder": "C"}}, "#,
    );
    let err = Program::from_json_str(&unknown).unwrap_err();
    assert_eq!(err.kind(), "unknown_id");
    assert_eq!(err.field(), "program.sections.split.policy.residual.funder");
}

#[test]
fn a_ledger_adds_up_per_funder_and_in_total() {
    // Three months for the 250 children, then a recoupment of one child-month.
    let prepared = missouri()
        .prepare_with(&SharePolicy::Normalize, Rounding::HalfUp)
        .unwrap();
    let lines: Vec<Money> = ["888750.00", "888750.00", "888750.00", "-3555.00"]
        .iter()
        .map(|s| s.parse().unwrap())
        .collect();
    let ledger = prepared.allocate_ledger(&lines).unwrap();
    // 3 × 888,750.00 − 3,555.00 = 2,662,695.00.
    assert_eq!(ledger.total.to_string(), "2662695.00");
    assert_eq!(
        ledger.totals.iter().map(|t| t.amount).sum::<Money>(),
        ledger.total
    );
    // The recoupment of 3,555.00 (355,500 cents) is allocated on its own, as a mirror of a
    // payment: exact cents = 355,500 × n / 10,001:
    //   ADA  20,263,500 / 10,001 =   2,026.1474   MRDD  61,146,000 / 10,001 =   6,113.9887
    //   CPS 426,600,000 / 10,001 =  42,655.7345   DYS  256,671,000 / 10,001 =  25,664.5336
    //   DMS 622,480,500 / 10,001 =  62,241.8259   DFS 2,168,194,500 / 10,001 = 216,797.7703
    // Floors sum to 355,496: 4 cents left, to MRDD (.9887), DMS (.8259), DFS (.7703), CPS (.7345).
    let line: Vec<String> = ledger.lines[3]
        .allocations
        .iter()
        .map(|m| m.to_string())
        .collect();
    assert_eq!(
        line,
        [
            "-20.26", "-61.14", "-426.56", "-256.64", "-622.42", "-2167.98"
        ]
    );
    // Family Services' total: 3 × 541,994.43 − 2,167.98 = 1,623,815.31.
    assert_eq!(ledger.totals[5].amount.to_string(), "1623815.31");
    for (i, t) in ledger.totals.iter().enumerate() {
        assert_eq!(
            t.amount,
            ledger.lines.iter().map(|l| l.allocations[i]).sum::<Money>()
        );
    }
}

#[test]
fn split_document_with_a_ledger_and_trace() {
    let out = evaluate(&json!({
        "kind": "split", "trace": true, "amounts": ["100.00", "0.01", "-0.01", "10.005"],
        "split": {"funders": [{"name": "State", "share": "70%"}, {"name": "Federal", "share": "30%"}]}
    }));
    // 10.005 rounds half up to 10.01; 70/30: 7.007 → 7.00 + 3.003 → 3.00, one cent left to State
    // (remainder .7 > .3). Totals: State 70.00 + 0.01 − 0.01 + 7.01 = 77.01; Federal 30.00 + 3.00.
    assert_eq!(out["total"], "110.01");
    assert_eq!(out["allocations"][0]["amount"], "77.01");
    assert_eq!(out["allocations"][1]["amount"], "33.00");
    assert_eq!(out["lines"][3]["amount"], "10.01");
    let steps = out["trace"].as_array().unwrap();
    assert!(
        steps
            .iter()
            .any(|s| s["step"] == "round amounts[3] to cents")
    );
}

#[test]
fn derive_reproduces_published_style_shares_and_the_alternative() {
    // Made-up expenditures (the source publishes none) chosen so that the exact shares are
    // 0.57%, 1.72%, 12%, 7.22%, 17.505% and 60.985% of $10,000,000:
    //   57,000 + 172,000 + 1,200,000 + 722,000 + 1,750,500 + 6,098,500 = 10,000,000.
    let spent = [57_000, 172_000, 1_200_000, 722_000, 1_750_500, 6_098_500];
    let e: Vec<Expenditure> = NAMES
        .iter()
        .zip(spent)
        .map(|(n, d)| Expenditure {
            funder: n.to_string(),
            amount: Money::from_cents(d * 100),
        })
        .collect();
    let shares = |o: DeriveOptions| -> (Vec<String>, String) {
        let d = derive_shares(&e, &o).unwrap();
        (
            d.shares.iter().map(|s| s.share.to_string()).collect(),
            d.share_sum.to_string(),
        )
    };
    // Round each half up: 17.505 → 17.51 and 60.985 → 60.99: the published figures, 100.01%.
    let each = DeriveOptions {
        residue: ShareResidue::RoundEach,
        ..DeriveOptions::default()
    };
    assert_eq!(
        shares(each),
        (
            vec!["0.57%", "1.72%", "12%", "7.22%", "17.51%", "60.99%"]
                .into_iter()
                .map(String::from)
                .collect(),
            "100.01%".to_string()
        )
    );
    // Largest remainder: floors 17.50 and 60.98 sum to 99.99%; the one 0.01% left is a tie of
    // remainders (.5 each), broken by the larger expenditure: Family Services 60.99%.
    let (lr, sum) = shares(DeriveOptions::default());
    assert_eq!(sum, "100%");
    assert_eq!(lr[4], "17.5%");
    assert_eq!(lr[5], "60.99%");
    // Half even rounds both halves down to the even digit: 17.50 and 60.98, sum 99.99%.
    let even = DeriveOptions {
        residue: ShareResidue::RoundEach,
        rounding: Rounding::HalfEven,
        ..DeriveOptions::default()
    };
    assert_eq!(shares(even).1, "99.99%");
    // The derived split under strict allocates the month exactly.
    let split = derive_shares(&e, &DeriveOptions::default())
        .unwrap()
        .to_split();
    let parts = split
        .allocate(
            "3329.00".parse().unwrap(),
            SharePolicy::Strict,
            Rounding::HalfUp,
        )
        .unwrap();
    assert_eq!(
        parts.iter().map(|p| p.amount).sum::<Money>().to_string(),
        "3329.00"
    );
}

#[test]
fn derive_document_errors() {
    let out = evaluate(&json!({
        "kind": "split.derive",
        "expenditures": [{"funder": "A", "amount": "-1.00"}]
    }));
    assert_eq!(out["error"]["kind"], "negative_amount");
    assert_eq!(out["error"]["field"], "expenditures[0].amount");
    let out = evaluate(&json!({
        "kind": "split.derive", "decimal_places": 2,
        "expenditures": [{"funder": "A", "amount": "1.00"}]
    }));
    assert_eq!(out["error"]["kind"], "not_a_decimal_string");
    assert_eq!(out["error"]["field"], "decimal_places");
    let out = evaluate(&json!({
        "kind": "split.derive", "decimal_places": "11",
        "expenditures": [{"funder": "A", "amount": "1.00"}]
    }));
    assert_eq!(out["error"]["kind"], "out_of_range");
    let out = evaluate(&json!({
        "kind": "split.derive",
        "expenditures": [{"funder": "A", "amount": "0"}, {"funder": "B", "amount": "0"}]
    }));
    assert_eq!(out["error"]["kind"], "invalid_request");
}

#[test]
fn split_document_errors() {
    let own = json!({"funders": [{"name": "A", "share": "50%"}, {"name": "B", "share": "50%"}]});
    let cases = [
        (
            json!({"kind": "split", "amount": 3329.0, "split": own}),
            "not_a_decimal_string",
            "amount",
        ),
        (
            json!({"kind": "split", "split": own}),
            "missing_field",
            "amount",
        ),
        (
            json!({"kind": "split", "amount": "1", "amounts": ["1"], "split": own}),
            "invalid_request",
            "amounts",
        ),
        (
            json!({"kind": "split", "amount": "1"}),
            "missing_field",
            "split",
        ),
        (
            json!({"kind": "split", "amount": "1", "split": own, "policy": {"residual": {"funder": "C"}}}),
            "unknown_id",
            "split.policy.residual.funder",
        ),
        (
            json!({"kind": "split", "amount": "1", "split": own, "policy": "sometimes"}),
            "unknown_id",
            "policy",
        ),
        (
            json!({"kind": "split", "amounts": ["1", "x"], "split": own}),
            "invalid_decimal",
            "amounts[1]",
        ),
        (
            json!({"kind": "split", "amount": "1", "split": {"funders": [{"name": "A", "share": "-5%"}]}}),
            "negative_amount",
            "split.funders[0].share",
        ),
        (
            json!({"kind": "split", "amount": "1", "split": {"funders": [{"name": "A", "share": "100%", "extra": 1}]}}),
            "unknown_field",
            "split.funders[0]",
        ),
        (
            json!({"kind": "split", "amount": "1", "split": {"funders": []}}),
            "invalid_request",
            "split.funders",
        ),
    ];
    for (req, kind, field) in cases {
        let out = evaluate(&req);
        assert_eq!(out["error"]["kind"], kind, "{req} -> {out}");
        assert_eq!(out["error"]["field"], field, "{req} -> {out}");
    }
}
