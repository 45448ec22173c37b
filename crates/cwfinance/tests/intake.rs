//! Intake adjustment: Illinois's relative-care contracts keep or cut a contractor's intake by
//! its average length of stay (`001_f8713068464777ee.txt, Practice Forum, Illinois`).
//!
//! The standard and the reduction are not published; the values below are illustrations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use serde_json::{Value, json};

fn adjust(extra: Value) -> Value {
    let mut req = json!({
        "kind": "intake.adjust", "program": "illinois-relative-care-los",
        "parameters": {"los_standard_days": "180", "intake_reduction": "25%"},
        "intake": "40", "reimbursement_per_referral": "1000.00",
    });
    if let (Value::Object(r), Value::Object(e)) = (&mut req, extra) {
        for (k, v) in e {
            r.insert(k, v);
        }
    }
    cwfinance::evaluate(&req)
}

#[test]
fn missing_the_standard_reduces_intake_and_reimbursement() {
    // 200 days > 180: intake 40 × (1 − 25%) = 30 referrals; reimbursement 40 × $1,000.00 =
    // $40,000.00 before, 30 × $1,000.00 = $30,000.00 after.
    let out = adjust(json!({"measured_average_los_days": "200"}));
    assert_eq!(out["decision"], "reduced", "{out}");
    assert_eq!(out["meets_standard"], false);
    assert_eq!(out["intake_before"], "40");
    assert_eq!(out["intake_after"], "30");
    assert_eq!(out["reduction_applied"], "25%");
    assert_eq!(out["reimbursement_before"], "40000.00");
    assert_eq!(out["reimbursement_after"], "30000.00");
    assert_eq!(out["standard_set_from"]["start"], "1997-07-01");
    assert_eq!(out["standard_set_from"]["end"], "1998-01-01");
    assert_eq!(
        out["citations"][0],
        "001_f8713068464777ee.txt, Practice Forum, Illinois"
    );
}

#[test]
fn meeting_the_standard_maintains_intake() {
    // Equality meets the standard: 180 ≤ 180.
    let out = adjust(json!({"measured_average_los_days": "180"}));
    assert_eq!(out["decision"], "maintained", "{out}");
    assert_eq!(out["intake_after"], "40");
    assert_eq!(out["reduction_applied"], "0%");
    assert_eq!(out["reimbursement_after"], "40000.00");
}

#[test]
fn stays_are_averaged_exactly() {
    // 1997-07-01 → 1998-01-01: 31+31+30+31+30+31 = 184 days; 1997-08-01 → 1997-12-01:
    // 31+30+31+30 = 122; 1997-09-15 → 1998-03-15: 30+31+30+31+31+28 = 181. Σ = 487 ≤ 180 × 3 = 540,
    // so the standard is met; the average 487 / 3 = 162.333… shows as 162.33.
    let out = adjust(json!({"stays": [
        {"start": "1997-07-01", "end": "1998-01-01"},
        {"start": "1997-08-01", "end": "1997-12-01"},
        {"start": "1997-09-15", "end": "1998-03-15"}
    ]}));
    assert_eq!(out["total_stay_days"], 487, "{out}");
    assert_eq!(out["stays_measured"], 3);
    assert_eq!(out["measured_average_los_days"], "162.33");
    assert_eq!(out["decision"], "maintained");
}

#[test]
fn reduced_intake_rounds_down_to_whole_referrals() {
    // 37 × 75% = 27.75 → 27 referrals; 27 × $1,000.00 = $27,000.00.
    let out = adjust(json!({"measured_average_los_days": "181", "intake": "37"}));
    assert_eq!(out["intake_after"], "27", "{out}");
    assert_eq!(out["reimbursement_after"], "27000.00");
    // The same with the request's own rule rounding half-up: 27.75 → 28.
    let out = cwfinance::evaluate(&json!({
        "kind": "intake.adjust", "measured_average_los_days": "181", "intake": "37",
        "rule": {"standard_days": {"fixed": "180"}, "reduction": {"fixed": "25%"}, "intake_rounding": "half_up"}
    }));
    assert_eq!(out["intake_after"], "28", "{out}");
}

#[test]
fn the_unpublished_standard_and_reduction_are_required() {
    let out = cwfinance::evaluate(&json!({
        "kind": "intake.adjust", "program": "illinois-relative-care-los",
        "measured_average_los_days": "200", "intake": "40"
    }));
    assert_eq!(out["error"]["kind"], "missing_parameter", "{out}");
    assert_eq!(out["error"]["field"], "parameters.los_standard_days");
    let out = adjust(
        json!({"parameters": {"los_standard_days": "180"}, "measured_average_los_days": "200"}),
    );
    assert_eq!(
        out["error"]["field"], "parameters.intake_reduction",
        "{out}"
    );
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap_or("")
            .contains("intake is decreased")
    );
}

#[test]
fn bad_inputs_are_typed_errors() {
    let out = adjust(json!({"stays": [{"start": "1998-01-01", "end": "1997-01-01"}]}));
    assert_eq!(out["error"]["kind"], "end_before_start", "{out}");
    let out = adjust(json!({"measured_average_los_days": 200}));
    assert_eq!(out["error"]["kind"], "not_a_decimal_string", "{out}");
    let out = adjust(
        json!({"parameters": {"los_standard_days": "180", "intake_reduction": "120%"}, "measured_average_los_days": "200"}),
    );
    assert_eq!(out["error"]["kind"], "out_of_range", "{out}");
    let out = adjust(json!({"measured_average_los_days": "200", "stays": []}));
    assert_eq!(out["error"]["kind"], "invalid_request", "{out}");
    let out = adjust(json!({}));
    assert_eq!(out["error"]["kind"], "missing_field", "{out}");
}
