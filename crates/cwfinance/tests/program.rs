//! Issue 2, "Programs as dated, cited data": a state's own program file, in the built-ins' format,
//! loads and runs; unknown fields, overlapping effective dates, citation-less numbers and missing
//! required parameters are typed errors naming the field.

use cwfinance::{Program, evaluate};
use serde_json::{Value, json};

fn cite(value: &str) -> Value {
    json!({"value": value, "source": "my-contract.pdf", "section": "4.1"})
}

/// A small state program: a two-funder split and a rate schedule with a mid-year change.
fn my_state() -> Value {
    json!({
        "id": "my-state", "name": "My State", "jurisdiction": "X", "summary": "Two funders.",
        "sources": ["my-contract.pdf"],
        "sections": {
            "split": {"funders": [
                {"name": "State", "share": cite("70%")},
                {"name": "Federal", "share": cite("30%")}
            ]},
            "case_rate": {"rates": [
                {"from": cite("2024-07-01"), "until": cite("2025-01-01"), "amount": cite("3000.00")},
                {"from": cite("2025-01-01"), "amount": cite("3100.00")}
            ]}
        }
    })
}

#[test]
fn a_states_own_program_loads_and_runs() {
    let p = Program::from_value(&my_state()).unwrap();
    assert_eq!(p.id, "my-state");
    // 3,000.00 × 70% = 2,100.00 and × 30% = 900.00.
    let out = evaluate(&json!({"kind": "split", "program": my_state(), "amount": "3000.00"}));
    assert_eq!(out["allocations"][0]["amount"], "2100.00", "{out}");
    assert_eq!(out["allocations"][1]["amount"], "900.00");
    // December 2024 at 3,000.00 plus January 2025 at 3,100.00 = 6,100.00.
    let out = evaluate(&json!({"kind": "case_rate.bill", "program": my_state(),
        "as_of": "2025-02-01", "enrollments": [{"child": "A", "start": "2024-12-01"}]}));
    assert_eq!(out["totals"]["grand_total"], "6100.00", "{out}");
}

#[test]
fn an_unknown_field_in_a_section_is_refused() {
    let mut p = my_state();
    p["sections"]["split"]["surprise"] = json!("yes");
    let err = Program::from_value(&p).unwrap_err();
    assert_eq!(err.kind(), "unknown_field", "{err}");
    assert!(err.field().starts_with("program.sections.split"), "{err}");
    let mut p = my_state();
    p["bonus"] = json!(1);
    let err = Program::from_value(&p).unwrap_err();
    assert_eq!(err.kind(), "unknown_field", "{err}");
}

#[test]
fn overlapping_effective_dates_are_refused_at_load() {
    let mut p = my_state();
    // The first rate now runs to 2025-02-01, one month into the second.
    p["sections"]["case_rate"]["rates"][0]["until"] = cite("2025-02-01");
    let err = Program::from_value(&p).unwrap_err();
    assert_eq!(err.kind(), "overlap", "{err}");
    assert_eq!(err.field(), "program.sections.case_rate.rates[1]");
}

#[test]
fn a_number_or_date_without_a_citation_is_refused() {
    let mut p = my_state();
    p["sections"]["case_rate"]["rates"][1]["from"] = json!("2025-01-01");
    let err = Program::from_value(&p).unwrap_err();
    assert_eq!(err.kind(), "missing_citation");
    assert_eq!(err.field(), "program.sections.case_rate.rates[1].from");
    assert_eq!(err.value(), Some("2025-01-01"));
}

#[test]
fn a_missing_required_parameter_is_refused() {
    // Kansas publishes the range of its case rate, not the contract's rate.
    let out = evaluate(
        &json!({"kind": "milestones.pay", "program": "kansas-privatization-fy2000",
        "as_of": "2000-06-30", "events": [], "parameters": {"referral_fee": "500.00"}}),
    );
    assert_eq!(out["error"]["kind"], "missing_parameter", "{out}");
    assert_eq!(out["error"]["field"], "parameters.case_rate");
}

#[test]
fn every_builtin_is_listed_and_loads() {
    let ids = Program::builtin_ids();
    for id in [
        "missouri-interdepartmental-initiative",
        "wraparound-milwaukee",
        "commonworks-1997",
        "commonworks-1998",
        "project-destiny-1997",
        "alameda-iv-e-expansion",
        "wayne-county-permanency-pilot",
        "arizona-reunification",
        "michigan-adoption",
        "kansas-privatization-fy2000",
        "illinois-relative-care-los",
    ] {
        assert!(ids.contains(&id), "{id}");
        assert_eq!(Program::builtin(id).unwrap().id, id);
    }
    let err = Program::builtin("texas-2001").unwrap_err();
    assert_eq!(
        (err.kind(), err.value()),
        ("unknown_id", Some("texas-2001"))
    );
}
