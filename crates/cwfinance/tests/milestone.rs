//! Milestone payments: every preset reproduces its source's numbers, by hand calculation.
//!
//! Source: `001_f8713068464777ee.txt` (Case Rates: Massachusetts Commonworks, Project Destiny;
//! Practice Forum: Wayne County, Arizona, Michigan, Kansas). Amounts the source does not publish
//! (Kansas's referral fee and contract rate, Wayne County's number of days, Michigan's payment,
//! Arizona's three payments) are parameters; the values used here are illustrations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};

fn pay(program: &str, as_of: &str, events: &[(&str, &str)], parameters: Value) -> Value {
    let events: Vec<Value> = events
        .iter()
        .map(|(e, d)| json!({"event": e, "date": d}))
        .collect();
    cwfinance::evaluate(&json!({
        "kind": "milestones.pay", "program": program, "as_of": as_of,
        "events": events, "parameters": parameters,
    }))
}

/// `(rule, date, amount)` of every payment, in order.
fn payments(out: &Value) -> Vec<(String, String, String)> {
    out["payments"]
        .as_array()
        .map(|ps| {
            ps.iter()
                .map(|p| {
                    (
                        p["rule"].as_str().unwrap_or("").to_string(),
                        p["date"].as_str().unwrap_or("").to_string(),
                        p["amount"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

/// `(rule, reason)` of every failure, in order.
fn failures(out: &Value) -> Vec<(String, String)> {
    out["failed"]
        .as_array()
        .map(|fs| {
            fs.iter()
                .map(|f| {
                    (
                        f["rule"].as_str().unwrap_or("").to_string(),
                        f["reason"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn p(rule: &str, date: &str, amount: &str) -> (String, String, String) {
    (rule.into(), date.into(), amount.into())
}

fn f(rule: &str, reason: &str) -> (String, String) {
    (rule.into(), reason.into())
}

// ----------------------------------------------------------------------------------------------
// Kansas FY2000: referral fee + case rate $13,564 to $14,763 paid 25/25/25/25.
// ----------------------------------------------------------------------------------------------

const KANSAS_CASE: [(&str, &str); 4] = [
    ("referral", "1999-08-02"),
    ("progress_report_60_day", "1999-10-01"),
    ("case_plan_180_day", "2000-01-28"),
    ("reunification", "2000-06-15"),
];

#[test]
fn kansas_low_rate_is_paid_in_four_exact_quarters() {
    // $13,564 × 25% = $3,391.00 exactly; four quarters = $13,564.00; plus a $500.00 referral fee
    // (an illustration: the fee is not published) = $14,064.00.
    let out = pay(
        "kansas-privatization-fy2000",
        "2000-06-30",
        &KANSAS_CASE,
        json!({"case_rate": "13564.00", "referral_fee": "500.00"}),
    );
    assert_eq!(
        payments(&out),
        vec![
            p("referral_fee", "1999-08-02", "500.00"),
            p("case_rate_at_referral", "1999-08-02", "3391.00"),
            p("case_rate_at_60_day_report", "1999-10-01", "3391.00"),
            p("case_rate_at_180_day_case_plan", "2000-01-28", "3391.00"),
            p("case_rate_at_permanency", "2000-06-15", "3391.00"),
        ],
        "{out}"
    );
    assert_eq!(out["totals"]["paid"], "14064.00");
    assert_eq!(out["totals"]["triggers"], "14064.00");
    assert!(failures(&out).is_empty(), "{out}");
    assert_eq!(
        out["payments"][1]["citations"][0],
        "001_f8713068464777ee.txt, Practice Forum, Kansas"
    );
}

#[test]
fn kansas_high_rate_quarters() {
    // $14,763 × 25% = $3,690.75 exactly; × 4 = $14,763.00; fee $0.00 here.
    let out = pay(
        "kansas-privatization-fy2000",
        "2000-06-30",
        &KANSAS_CASE,
        json!({"case_rate": "14763.00", "referral_fee": "0.00"}),
    );
    let amounts: Vec<String> = payments(&out).into_iter().map(|(_, _, a)| a).collect();
    assert_eq!(
        amounts,
        ["0.00", "3690.75", "3690.75", "3690.75", "3690.75"]
    );
    assert_eq!(out["totals"]["paid"], "14763.00");
}

#[test]
fn kansas_rate_not_divisible_into_cents_last_installment_takes_the_remainder() {
    // $13,564.02 / 4 = $3,391.005.
    // half_up:   3 × $3,391.01 = $10,173.03; last = $13,564.02 − $10,173.03 = $3,390.99.
    // half_even: 3 × $3,391.00 = $10,173.00; last = $13,564.02 − $10,173.00 = $3,391.02.
    for (rounding, first, last) in [
        ("half_up", "3391.01", "3390.99"),
        ("half_even", "3391.00", "3391.02"),
    ] {
        let out = cwfinance::evaluate(&json!({
            "kind": "milestones.pay", "program": "kansas-privatization-fy2000", "as_of": "2000-06-30",
            "events": KANSAS_CASE.iter().map(|(e, d)| json!({"event": e, "date": d})).collect::<Vec<_>>(),
            "parameters": {"case_rate": "13564.02", "referral_fee": "0.00"}, "rounding": rounding,
        }));
        let amounts: Vec<String> = payments(&out).into_iter().map(|(_, _, a)| a).collect();
        assert_eq!(
            amounts,
            ["0.00", first, first, first, last],
            "{rounding}: {out}"
        );
        assert_eq!(out["totals"]["paid"], "13564.02", "{rounding}");
    }
}

#[test]
fn kansas_case_rate_outside_the_published_range_is_refused() {
    let out = pay(
        "kansas-privatization-fy2000",
        "2000-06-30",
        &KANSAS_CASE,
        json!({"case_rate": "15000.00", "referral_fee": "500.00"}),
    );
    assert_eq!(out["error"]["kind"], "out_of_range", "{out}");
    assert_eq!(out["error"]["field"], "parameters.case_rate");
    let msg = out["error"]["message"].as_str().unwrap_or("");
    assert!(msg.contains("from 13564.00 to 14763.00"), "{msg}");
    assert!(
        msg.contains("001_f8713068464777ee.txt, Practice Forum, Kansas"),
        "{msg}"
    );
}

#[test]
fn kansas_missing_parameters_name_themselves_and_why() {
    let out = pay(
        "kansas-privatization-fy2000",
        "2000-06-30",
        &KANSAS_CASE,
        json!({}),
    );
    assert_eq!(out["error"]["kind"], "missing_parameter", "{out}");
    assert_eq!(out["error"]["field"], "parameters.case_rate");
    let out = pay(
        "kansas-privatization-fy2000",
        "2000-06-30",
        &KANSAS_CASE,
        json!({"case_rate": "14000.00"}),
    );
    assert_eq!(out["error"]["field"], "parameters.referral_fee");
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("does not publish the fee"),
        "{out}"
    );
}

#[test]
fn kansas_fail_trigger_policy_reports_the_rule_that_needs_the_parameter() {
    // Without the referral fee, the four case-rate installments are still paid:
    // $14,000 × 25% = $3,500.00 each.
    let out = cwfinance::evaluate(&json!({
        "kind": "milestones.pay", "program": "kansas-privatization-fy2000", "as_of": "2000-06-30",
        "events": KANSAS_CASE.iter().map(|(e, d)| json!({"event": e, "date": d})).collect::<Vec<_>>(),
        "parameters": {"case_rate": "14000.00"}, "missing_parameters": "fail_trigger",
    }));
    assert_eq!(
        failures(&out),
        vec![f("referral_fee", "requires_parameter")],
        "{out}"
    );
    assert_eq!(out["totals"]["paid"], "14000.00");
}

#[test]
fn kansas_reasons_for_not_paying() {
    // A referral before FY2000 began (1999-07-01) is not paid under this schedule; a second
    // permanency event finds the installment already paid; no 180-day plan yet.
    let out = pay(
        "kansas-privatization-fy2000",
        "2000-06-30",
        &[
            ("referral", "1999-06-15"),
            ("progress_report_60_day", "1999-08-16"),
            ("reunification", "2000-03-01"),
            ("permanent_placement", "2000-04-01"),
        ],
        json!({"case_rate": "14000.00", "referral_fee": "250.00"}),
    );
    assert_eq!(
        failures(&out),
        vec![
            f("referral_fee", "before_effective_date"),
            f("case_rate_at_referral", "before_effective_date"),
            f("case_rate_at_180_day_case_plan", "not_occurred_yet"),
            f("case_rate_at_permanency", "already_paid"),
        ],
        "{out}"
    );
    // Paid: the 60-day report and the reunification, 2 × $3,500.00 = $7,000.00.
    assert_eq!(out["totals"]["paid"], "7000.00");
}

#[test]
fn events_after_as_of_are_ignored() {
    let out = pay(
        "kansas-privatization-fy2000",
        "1999-09-30",
        &KANSAS_CASE,
        json!({"case_rate": "13564.00", "referral_fee": "500.00"}),
    );
    // Only the referral is known by 1999-09-30: $500.00 + $3,391.00 = $3,891.00.
    assert_eq!(out["totals"]["paid"], "3891.00", "{out}");
}

#[test]
fn unknown_event_types_and_parameters_are_errors() {
    let out = pay(
        "kansas-privatization-fy2000",
        "2000-06-30",
        &[("referal", "1999-08-02")],
        json!({"case_rate": "13564.00", "referral_fee": "500.00"}),
    );
    assert_eq!(out["error"]["kind"], "unknown_id");
    assert_eq!(out["error"]["field"], "events[0].event");
    let out = pay(
        "kansas-privatization-fy2000",
        "2000-06-30",
        &[],
        json!({"case_rate": "13564.00", "referral_fee": "500.00", "caserate": "1"}),
    );
    assert_eq!(out["error"]["kind"], "unknown_id");
    assert_eq!(out["error"]["value"], "caserate");
}

// ----------------------------------------------------------------------------------------------
// Wayne County: $1,990 initial; $1,700 permanency within N days; $930 at six months.
// ----------------------------------------------------------------------------------------------

#[test]
fn wayne_county_permanent_placement_route() {
    // Referral 1997-06-02; N = 365 days: deadline 1998-06-02. Placement 1998-03-16 is in time:
    // $1,700. Six months later, 1998-09-16, with no disruption: $930.
    // Total $1,990 + $1,700 + $930 = $4,620.00.
    let out = pay(
        "wayne-county-permanency-pilot",
        "1998-10-01",
        &[
            ("referral", "1997-06-02"),
            ("permanent_placement", "1998-03-16"),
        ],
        json!({"permanency_deadline_days": "365"}),
    );
    assert_eq!(
        payments(&out),
        vec![
            p("initial_payment", "1997-06-02", "1990.00"),
            p("permanency_payment", "1998-03-16", "1700.00"),
            p("stable_permanency_payment", "1998-09-16", "930.00"),
        ],
        "{out}"
    );
    assert_eq!(out["totals"]["paid"], "4620.00");
    // The other route to the $930 is reported as already paid by its alternative.
    assert_eq!(
        failures(&out),
        vec![f("adoption_within_six_months_payment", "already_paid")]
    );
}

#[test]
fn wayne_county_day_n_counts() {
    // 1997-06-02 + 365 days = 1998-06-02: a placement that day is in time, the next day is late.
    let on_time = pay(
        "wayne-county-permanency-pilot",
        "1998-07-01",
        &[
            ("referral", "1997-06-02"),
            ("permanent_placement", "1998-06-02"),
        ],
        json!({"permanency_deadline_days": "365"}),
    );
    assert_eq!(
        on_time["payments"][1]["rule"], "permanency_payment",
        "{on_time}"
    );
    let late = pay(
        "wayne-county-permanency-pilot",
        "1998-07-01",
        &[
            ("referral", "1997-06-02"),
            ("permanent_placement", "1998-06-03"),
        ],
        json!({"permanency_deadline_days": "365"}),
    );
    assert_eq!(
        failures(&late)[0],
        f("permanency_payment", "deadline_missed"),
        "{late}"
    );
    let detail = late["failed"][0]["detail"].as_str().unwrap_or("");
    assert!(detail.contains("deadline 1998-06-02"), "{detail}");
}

#[test]
fn wayne_county_termination_and_adoption_route() {
    // TPR 1997-12-01 (182 days after referral, within 365): $1,700. Adoptive placement
    // 1998-05-15 is within six months of the TPR (until 1998-06-01): $930. Total $4,620.00.
    let out = pay(
        "wayne-county-permanency-pilot",
        "1998-06-30",
        &[
            ("referral", "1997-06-02"),
            ("parental_rights_terminated", "1997-12-01"),
            ("adoptive_placement", "1998-05-15"),
        ],
        json!({"permanency_deadline_days": "365"}),
    );
    assert_eq!(
        payments(&out),
        vec![
            p("initial_payment", "1997-06-02", "1990.00"),
            p("permanency_payment", "1997-12-01", "1700.00"),
            p("adoption_within_six_months_payment", "1998-05-15", "930.00"),
        ],
        "{out}"
    );
    assert_eq!(out["totals"]["paid"], "4620.00");
}

#[test]
fn wayne_county_disrupted_placement_does_not_earn_the_930() {
    let out = pay(
        "wayne-county-permanency-pilot",
        "1998-12-31",
        &[
            ("referral", "1997-06-02"),
            ("permanent_placement", "1998-03-16"),
            ("placement_disrupted", "1998-07-01"),
        ],
        json!({"permanency_deadline_days": "365"}),
    );
    assert_eq!(out["totals"]["paid"], "3690.00", "{out}"); // $1,990 + $1,700
    assert_eq!(
        failures(&out),
        vec![
            f("stable_permanency_payment", "condition_broken"),
            f("adoption_within_six_months_payment", "not_occurred_yet"),
        ]
    );
}

#[test]
fn wayne_county_needs_its_number_of_days() {
    let out = pay(
        "wayne-county-permanency-pilot",
        "1998-01-01",
        &[],
        json!({}),
    );
    assert_eq!(out["error"]["kind"], "missing_parameter");
    assert_eq!(out["error"]["field"], "parameters.permanency_deadline_days");
    let out = pay(
        "wayne-county-permanency-pilot",
        "1998-01-01",
        &[],
        json!({"permanency_deadline_days": "90.5"}),
    );
    assert_eq!(out["error"]["kind"], "out_of_range", "{out}");
}

// ----------------------------------------------------------------------------------------------
// Michigan adoption: 60% at placement, 40% at finalization.
// ----------------------------------------------------------------------------------------------

#[test]
fn michigan_sixty_forty() {
    // $10,000.00 × 60% = $6,000.00; × 40% = $4,000.00.
    let out = pay(
        "michigan-adoption",
        "2000-12-31",
        &[
            ("adoptive_placement", "2000-01-10"),
            ("adoption_finalized", "2000-07-20"),
        ],
        json!({"adoption_payment": "10000.00"}),
    );
    assert_eq!(
        payments(&out),
        vec![
            p("adoptive_placement_payment", "2000-01-10", "6000.00"),
            p("finalization_payment", "2000-07-20", "4000.00"),
        ]
    );
    // $3,333.33 × 60% = $1,999.998 → $2,000.00; the last takes $3,333.33 − $2,000.00 = $1,333.33.
    let out = pay(
        "michigan-adoption",
        "2000-12-31",
        &[
            ("adoptive_placement", "2000-01-10"),
            ("adoption_finalized", "2000-07-20"),
        ],
        json!({"adoption_payment": "3333.33"}),
    );
    let amounts: Vec<String> = payments(&out).into_iter().map(|(_, _, a)| a).collect();
    assert_eq!(amounts, ["2000.00", "1333.33"]);
    assert_eq!(out["totals"]["paid"], "3333.33");
}

// ----------------------------------------------------------------------------------------------
// Arizona reunification: three payments, amounts unpublished.
// ----------------------------------------------------------------------------------------------

#[test]
fn arizona_takes_all_three_amounts_as_parameters() {
    let out = pay("arizona-reunification", "1999-06-30", &[], json!({}));
    assert_eq!(out["error"]["kind"], "missing_parameter");
    assert_eq!(out["error"]["field"], "parameters.referral_fee");
    // Illustrative amounts: $300.00 + $700.00 + $1,500.00 = $2,500.00.
    let out = pay(
        "arizona-reunification",
        "1999-06-30",
        &[
            ("referral", "1998-08-03"),
            ("case_plan_signed", "1998-09-15"),
            ("case_closed_reunified", "1999-04-30"),
        ],
        json!({"referral_fee": "300.00", "case_plan_payment": "700.00", "reunification_payment": "1500.00"}),
    );
    assert_eq!(
        payments(&out),
        vec![
            p("referral_fee", "1998-08-03", "300.00"),
            p("case_plan_payment", "1998-09-15", "700.00"),
            p("reunification_payment", "1999-04-30", "1500.00"),
        ]
    );
    assert_eq!(out["totals"]["paid"], "2500.00");
    let program = cwfinance::Program::builtin("arizona-reunification");
    assert_eq!(program.map(|p| p.required_parameters.len()).ok(), Some(3));
}

// ----------------------------------------------------------------------------------------------
// Commonworks: $1,000 at intake and key points; $400 aftercare for six months.
// ----------------------------------------------------------------------------------------------

const COMMONWORKS_CASE: [(&str, &str); 5] = [
    ("intake", "1998-09-01"),
    ("transition_to_lower_level_of_care", "1999-01-15"),
    ("transition_to_lower_level_of_care", "1999-04-01"),
    ("discharge", "1999-06-30"),
    ("permanent_placement", "1999-06-30"),
];

#[test]
fn commonworks_key_points_and_aftercare() {
    // Triggers: intake $1,000 + 2 transitions × $1,000 + discharge $1,000 + the permanent
    // placement held six months (1999-06-30 → 1999-12-30) $1,000 = $5,000.00.
    // Aftercare: 6 × $400 = $2,400.00, paid 06-30, 07-30, 08-30, 09-30, 10-30, 11-30.
    // Total $7,400.00.
    let out = pay(
        "commonworks-1998",
        "2000-01-31",
        &COMMONWORKS_CASE,
        json!({}),
    );
    assert_eq!(
        payments(&out),
        vec![
            p("intake_payment", "1998-09-01", "1000.00"),
            p("transition_payment", "1999-01-15", "1000.00"),
            p("transition_payment", "1999-04-01", "1000.00"),
            p("discharge_payment", "1999-06-30", "1000.00"),
            p("aftercare", "1999-06-30", "400.00"),
            p("aftercare", "1999-07-30", "400.00"),
            p("aftercare", "1999-08-30", "400.00"),
            p("aftercare", "1999-09-30", "400.00"),
            p("aftercare", "1999-10-30", "400.00"),
            p("aftercare", "1999-11-30", "400.00"),
            p("permanency_maintained_payment", "1999-12-30", "1000.00"),
        ],
        "{out}"
    );
    assert_eq!(out["totals"]["triggers"], "5000.00");
    assert_eq!(out["totals"]["aftercare"], "2400.00");
    assert_eq!(out["totals"]["paid"], "7400.00");
    assert_eq!(out["payments"][2]["occurrence"], 2);
    assert!(failures(&out).is_empty(), "{out}");
}

#[test]
fn commonworks_re_entry_stops_aftercare_and_breaks_permanency() {
    // Re-entry on 1999-09-15: aftercare months 1-3 (06-30, 07-30, 08-30) are paid, $1,200.00;
    // month 4 (09-30) and later are not. The placement did not last six months.
    let mut events = COMMONWORKS_CASE.to_vec();
    events.push(("re_entry", "1999-09-15"));
    let out = pay("commonworks-1998", "2000-01-31", &events, json!({}));
    assert_eq!(out["totals"]["aftercare"], "1200.00", "{out}");
    assert_eq!(out["totals"]["triggers"], "4000.00");
    assert_eq!(
        failures(&out),
        vec![
            f("permanency_maintained_payment", "condition_broken"),
            f("aftercare", "condition_broken"),
        ]
    );
}

#[test]
fn commonworks_aftercare_not_yet_due() {
    // As of 1999-08-15, aftercare months 1-2 are paid ($800.00); months 3-6 fall due from 08-30.
    let out = pay(
        "commonworks-1998",
        "1999-08-15",
        &COMMONWORKS_CASE,
        json!({}),
    );
    assert_eq!(out["totals"]["aftercare"], "800.00", "{out}");
    assert!(failures(&out).contains(&f("aftercare", "not_occurred_yet")));
    assert!(failures(&out).contains(&f("permanency_maintained_payment", "not_occurred_yet")));
}

#[test]
fn commonworks_intake_under_the_1997_contracts_is_not_paid() {
    let out = pay(
        "commonworks-1998",
        "1998-12-31",
        &[("intake", "1998-06-15")],
        json!({}),
    );
    assert_eq!(
        failures(&out)[0],
        f("intake_payment", "before_effective_date"),
        "{out}"
    );
}

// ----------------------------------------------------------------------------------------------
// Project Destiny: $250,000 flexible funds; $150,000 held in trust for outcomes.
// ----------------------------------------------------------------------------------------------

#[test]
fn project_destiny_trust_released_on_outcomes() {
    // $250,000.00 at inception + $150,000.00 released = $400,000.00 paid; nothing left held.
    let out = pay(
        "project-destiny-1997",
        "1999-04-30",
        &[
            ("contract_inception", "1997-04-01"),
            ("outcomes_met", "1999-03-31"),
        ],
        json!({}),
    );
    assert_eq!(
        payments(&out),
        vec![
            p("flexible_funds", "1997-04-01", "250000.00"),
            p("outcome_trust.outcomes_met", "1999-03-31", "150000.00"),
        ]
    );
    assert_eq!(out["totals"]["paid"], "400000.00");
    assert_eq!(out["totals"]["withholds_released"], "150000.00");
    assert_eq!(out["totals"]["withheld"], "0.00");
    assert_eq!(out["withholds"][0]["status"], "released");
}

#[test]
fn project_destiny_trust_held_then_forfeited() {
    let held = pay(
        "project-destiny-1997",
        "1998-01-01",
        &[("contract_inception", "1997-04-01")],
        json!({}),
    );
    assert_eq!(held["totals"]["paid"], "250000.00");
    assert_eq!(held["totals"]["withheld"], "150000.00");
    assert_eq!(held["withholds"][0]["status"], "held");
    assert_eq!(held["withholds"][0]["held_on"], "1997-04-01");
    let lost = pay(
        "project-destiny-1997",
        "1999-04-30",
        &[
            ("contract_inception", "1997-04-01"),
            ("outcomes_not_met", "1999-03-31"),
        ],
        json!({}),
    );
    assert_eq!(lost["totals"]["paid"], "250000.00");
    assert_eq!(lost["totals"]["forfeited"], "150000.00");
    assert_eq!(lost["withholds"][0]["status"], "forfeited");
    assert_eq!(
        failures(&lost),
        vec![f("outcome_trust.outcomes_met", "condition_broken")]
    );
}

// ----------------------------------------------------------------------------------------------
// The generic schedule, through a request's own schedule.
// ----------------------------------------------------------------------------------------------

#[test]
fn own_schedule_with_partial_releases_and_a_repeat_cap() {
    // A $1,000.00 withhold released 1/3 and 2/3: $333.33 then the remainder $666.67.
    // A repeatable $50.00 visit bonus capped at 2 payments: the third visit is already paid.
    let out = cwfinance::evaluate(&json!({
        "kind": "milestones.pay", "as_of": "2001-01-01",
        "schedule": {
            "triggers": [{"id": "visit_bonus", "events": ["visit"], "amount": {"fixed": "50.00"},
                          "repeatable": true, "max_count": "2"}],
            "withholds": [{"id": "hold", "amount": {"fixed": "1000.00"}, "held_at": "start",
                "releases": [
                    {"id": "first", "events": ["outcome_a"], "percent": "33.3333%"},
                    {"id": "second", "events": ["outcome_b"], "percent": "66.6667%"}]}]
        },
        "events": [
            {"event": "start", "date": "2000-01-01"}, {"event": "visit", "date": "2000-02-01"},
            {"event": "visit", "date": "2000-03-01"}, {"event": "visit", "date": "2000-04-01"},
            {"event": "outcome_a", "date": "2000-06-01"}, {"event": "outcome_b", "date": "2000-09-01"}
        ]
    }));
    assert_eq!(
        payments(&out),
        vec![
            p("visit_bonus", "2000-02-01", "50.00"),
            p("visit_bonus", "2000-03-01", "50.00"),
            p("hold.first", "2000-06-01", "333.33"),
            p("hold.second", "2000-09-01", "666.67"),
        ],
        "{out}"
    );
    assert_eq!(failures(&out), vec![f("visit_bonus", "already_paid")]);
    assert_eq!(out["totals"]["paid"], "1100.00");
}

#[test]
fn own_schedule_errors_name_the_field() {
    let out = cwfinance::evaluate(&json!({
        "kind": "milestones.pay", "as_of": "2001-01-01",
        "schedule": {"bases": {"rate": {"fixed": "100.00"}}, "triggers": [
            {"id": "a", "events": ["x"], "amount": {"percent": "60%", "of": "rate"}},
            {"id": "b", "events": ["y"], "amount": {"percent": "50%", "of": "rate"}}]}
    }));
    assert_eq!(out["error"]["kind"], "out_of_range", "{out}");
    assert_eq!(out["error"]["field"], "schedule.triggers");
    let out = cwfinance::evaluate(&json!({
        "kind": "milestones.pay", "as_of": "2001-01-01",
        "schedule": {"triggers": [{"id": "a", "events": ["x"], "amount": {"fixed": 100}}]}
    }));
    assert_eq!(out["error"]["kind"], "not_a_decimal_string", "{out}");
    assert_eq!(out["error"]["field"], "schedule.triggers[0].amount.fixed");
    let out = cwfinance::evaluate(&json!({"kind": "milestones.pay", "as_of": "2001-01-01"}));
    assert_eq!(out["error"]["kind"], "missing_field");
    assert_eq!(out["error"]["field"], "schedule");
}

#[test]
fn trace_cites_the_source() {
    let out = cwfinance::evaluate(&json!({
        "kind": "milestones.pay", "program": "commonworks-1998", "as_of": "1998-12-31", "trace": true,
        "events": [{"event": "intake", "date": "1998-09-01"}]
    }));
    let steps = out["trace"].as_array().cloned().unwrap_or_default();
    assert!(
        steps
            .iter()
            .any(|s| s["source"]
                == "001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks"),
        "{out}"
    );
}

/// Missouri's CMO must assess the child within 7 days of enrollment and have a Plan of Care
/// within 14 (000_b605dc6c8d05d2b7.txt). Enrolled 1999-03-01: the 7-day deadline is 1999-03-08
/// (day 7 counts), the 14-day deadline 1999-03-15. An assessment on 03-08 meets it; a plan on
/// 03-16 is one day late. Neither pays anything: the source attaches no payment.
#[test]
fn missouri_service_deadlines_are_compliance_checkpoints() {
    let out = cwfinance::evaluate(&serde_json::json!({
        "kind": "milestones.pay", "program": "missouri-interdepartmental-initiative",
        "as_of": "1999-04-30",
        "events": [
            {"event": "enrollment", "date": "1999-03-01"},
            {"event": "assessment", "date": "1999-03-08"},
            {"event": "plan_of_care", "date": "1999-03-16"}
        ]
    }));
    assert_eq!(out["payments"][0]["rule"], "assessment_within_7_days");
    assert_eq!(out["payments"][0]["amount"], "0.00");
    assert_eq!(out["failed"][0]["rule"], "plan_of_care_within_14_days");
    assert_eq!(out["failed"][0]["reason"], "deadline_missed");
    assert_eq!(out["totals"]["paid"], "0.00");
}
