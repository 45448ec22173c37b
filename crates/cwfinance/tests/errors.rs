//! Issue 2, "Errors and robustness": each hostile input named there gives a typed error (kind,
//! field, value, message) through the text entry point, never a panic.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cwfinance::evaluate_str;
use serde_json::{Value, json};

/// Evaluate a request given as text and return its `error` object.
fn error_of(request: &str) -> Value {
    let out: Value = serde_json::from_str(&evaluate_str(request)).unwrap();
    let err = out["error"].clone();
    assert!(err.is_object(), "expected an error, got {out}");
    assert!(err["message"].as_str().is_some_and(|m| !m.is_empty()));
    err
}

fn kind_field(err: &Value) -> (&str, &str) {
    (
        err["kind"].as_str().unwrap_or(""),
        err["field"].as_str().unwrap_or(""),
    )
}

fn missouri_split(amount: Value) -> String {
    json!({"kind": "split", "program": "missouri-interdepartmental-initiative", "amount": amount})
        .to_string()
}

#[test]
fn a_non_numeric_amount_is_invalid_decimal() {
    let err = error_of(&missouri_split(json!("three thousand")));
    assert_eq!(kind_field(&err), ("invalid_decimal", "amount"));
    assert_eq!(err["value"], "three thousand");
}

#[test]
fn a_float_where_a_decimal_string_is_required_is_refused() {
    // 3329.1 as a JSON number would pass through a binary float: refused, whatever its value.
    let err = error_of(&missouri_split(json!(3329.1)));
    assert_eq!(kind_field(&err), ("not_a_decimal_string", "amount"));
    let err = error_of(&missouri_split(json!(3329)));
    assert_eq!(kind_field(&err), ("not_a_decimal_string", "amount"));
}

#[test]
fn an_amount_beyond_the_input_bound_is_out_of_range() {
    // Inputs are bounded at ±10^15 so no later sum or product can overflow.
    let err = error_of(&missouri_split(json!("1000000000000000.01")));
    assert_eq!(kind_field(&err), ("out_of_range", "amount"));
    // More digits than a Decimal holds is still a typed error.
    let err = error_of(&missouri_split(json!("9".repeat(40))));
    assert_eq!(err["field"], "amount");
    assert!(
        ["out_of_range", "invalid_decimal"].contains(&kind_field(&err).0),
        "{err}"
    );
}

#[test]
fn negative_rates_and_shares_are_refused_but_a_recoupment_is_not() {
    let rate = json!({"kind": "case_rate.bill", "as_of": "1999-04-01",
        "schedule": {"rates": [{"amount": "-3300.00"}]},
        "enrollments": [{"child": "A", "start": "1999-03-01"}]});
    let err = error_of(&rate.to_string());
    assert_eq!(
        kind_field(&err),
        ("negative_amount", "schedule.rates[0].amount")
    );
    assert_eq!(err["value"], "-3300.00");

    let share = json!({"kind": "split", "amount": "1.00", "split": {"funders": [
        {"name": "A", "share": "-10%"}, {"name": "B", "share": "110%"}]}});
    let err = error_of(&share.to_string());
    assert_eq!(
        kind_field(&err),
        ("negative_amount", "split.funders[0].share")
    );

    // A recoupment is a legitimate negative: -3,329.00 splits, and the parts add up exactly.
    let out: Value =
        serde_json::from_str(&evaluate_str(&missouri_split(json!("-3329.00")))).unwrap();
    assert!(out.get("error").is_none(), "{out}");
    assert_eq!(out["total"], "-3329.00", "{out}");
}

#[test]
fn an_end_before_a_start_is_refused() {
    let req = json!({"kind": "case_rate.bill", "program": "missouri-interdepartmental-initiative",
        "as_of": "1999-06-01",
        "enrollments": [{"child": "A", "start": "1999-04-01", "end": "1999-03-01"}]});
    let err = error_of(&req.to_string());
    assert_eq!(kind_field(&err), ("end_before_start", "enrollments[0]"));
}

#[test]
fn unknown_ids_are_refused() {
    let err = error_of(r#"{"kind": "program.show", "program": "kansas-2099"}"#);
    assert_eq!(kind_field(&err), ("unknown_id", "program"));
    assert_eq!(err["value"], "kansas-2099");
    let err = error_of(r#"{"kind": "corridor.guess"}"#);
    assert_eq!(kind_field(&err), ("unknown_id", "kind"));
    let req = json!({"kind": "split", "amount": "1.00", "policy": {"residual": {"funder": "Nobody"}},
        "split": {"funders": [{"name": "A", "share": "50%"}, {"name": "B", "share": "40%"}]}});
    let err = error_of(&req.to_string());
    assert_eq!(err["kind"], "unknown_id", "{err}");
}

#[test]
fn deeply_nested_json_is_too_large() {
    let deep = format!(
        r#"{{"kind": "split", "amount": {}{}}}"#,
        "[".repeat(100_000),
        "]".repeat(100_000)
    );
    let err = error_of(&deep);
    assert_eq!(kind_field(&err), ("too_large", "request.depth"));
}

#[test]
fn huge_json_is_too_large_before_it_is_parsed() {
    // One byte over the 64 MiB limit; the length is checked before any parsing.
    let limit = cwfinance::json::MAX_REQUEST_BYTES;
    let mut huge = String::with_capacity(limit + 1);
    huge.push_str(r#"{"kind": "split", "pad": ""#);
    huge.push_str(&" ".repeat(limit + 1 - huge.len() - 2));
    huge.push_str(r#""}"#);
    assert_eq!(huge.len(), limit + 1);
    let err = error_of(&huge);
    assert_eq!(err["kind"], "too_large", "{err}");
}

#[test]
fn text_that_is_not_json_is_an_invalid_request() {
    let err = error_of("{\"kind\": \"split\", ");
    assert_eq!(kind_field(&err), ("invalid_request", "request"));
}
