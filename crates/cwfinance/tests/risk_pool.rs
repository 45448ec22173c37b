//! Risk pools: Missouri's 3% set-aside drawn down for children above a stop-loss attachment
//! point. The attachment point is not published, so the values here are test parameters; the 3%
//! and the budget arithmetic are the source's (000_b605dc6c8d05d2b7.txt, Case rate and risk
//! sharing: "$3,329 per month, with $226 per child for case management", "the maximum capacity
//! of that CMO is 250", "3 percent of the budget was set aside to handle high-cost children").

// Helpers outside #[test] functions unwrap too: a failed unwrap here is a failed test.
#![allow(clippy::unwrap_used)]

use cwfinance::risk_pool::{ChildCost, DrawdownOrder, RiskPool};
use cwfinance::{Money, Program, evaluate};
use serde_json::json;

fn money(s: &str) -> Money {
    Money::parse("test", s).unwrap()
}

/// A year at capacity: 250 children × ($3,329 + $226) × 12 months = 250 × 3,555 × 12
/// = 10,665,000.00; the pool is 3% of it: 319,950.00.
const BUDGET: &str = "10665000.00";

fn request(order: Option<&str>) -> serde_json::Value {
    let mut r = json!({
        "kind": "risk_pool.settle", "program": "missouri-interdepartmental-initiative",
        "budget": BUDGET, "attachment_point": "50000.00",
        "children": [
            {"id": "A", "cost": "42660.00"},
            {"id": "B", "cost": "200000.00"},
            {"id": "C", "cost": "250000.00"},
            {"id": "D", "cost": "80000.00"}
        ]
    });
    if let Some(o) = order {
        r["drawdown_order"] = json!(o);
    }
    r
}

#[test]
fn missouri_pool_is_3_percent_of_the_budget() {
    let p = Program::builtin("missouri-interdepartmental-initiative").unwrap();
    let pool: RiskPool = p.require_section("risk_pool").unwrap();
    assert_eq!(pool.pool_share.to_string(), "3%");
    assert_eq!(pool.drawdown_order, DrawdownOrder::ProRata);
    assert!(
        p.required_parameters
            .contains_key("risk_pool.attachment_point")
    );
    // Budget: 250 children × (3,329 + 226) × 12 months = 250 × 3,555 × 12 = 10,665,000.00;
    // 3% of it = 319,950.00 (000_b605dc6c8d05d2b7.txt, Case rate and risk sharing).
    let out = evaluate(&request(None));
    assert_eq!(out["pool"], "319950.00", "{out}");
}

#[test]
fn pro_rata_when_the_pool_runs_short() {
    // Attachment 50,000. A (42,660 = one child-year at the case rate) claims nothing;
    // B 150,000, C 200,000, D 30,000: total 380,000 against 319,950.
    // Cumulative rounding of 319,950 × cumulative claim / 380,000:
    //   B: 150,000 × 0.8419736842... = 126,296.0526 -> 126,296.05
    //   B+C: 350,000 × ... = 294,690.7895 -> 294,690.79, so C = 168,394.74
    //   B+C+D: 319,950.00, so D = 25,259.21
    let out = evaluate(&request(None));
    let paid: Vec<&str> = (0..4)
        .map(|i| out["children"][i]["paid"].as_str().unwrap())
        .collect();
    assert_eq!(paid, ["0.00", "126296.05", "168394.74", "25259.21"]);
    assert_eq!(out["total_claimed"], "380000.00");
    assert_eq!(out["total_paid"], "319950.00");
    assert_eq!(out["total_unpaid"], "60050.00");
    assert_eq!(out["remaining"], "0.00");
}

#[test]
fn first_come_when_the_pool_runs_short() {
    // B 150,000 in full (169,950 left); C gets 169,950 of 200,000 (30,050 unpaid); D nothing.
    let out = evaluate(&request(Some("first_come")));
    let paid: Vec<&str> = (0..4)
        .map(|i| out["children"][i]["paid"].as_str().unwrap())
        .collect();
    assert_eq!(paid, ["0.00", "150000.00", "169950.00", "0.00"]);
    assert_eq!(out["children"][2]["unpaid"], "30050.00");
    assert_eq!(out["children"][3]["unpaid"], "30000.00");
}

#[test]
fn what_is_left_when_the_pool_suffices() {
    // Only D claims 30,000: paid in full, 319,950 - 30,000 = 289,950 left.
    let pool = RiskPool::missouri().attachment_point(money("50000"));
    let r = pool
        .settle(money(BUDGET), &[ChildCost::new("D", money("80000"))])
        .unwrap();
    assert_eq!(r.total_paid, money("30000"));
    assert_eq!(r.remaining, money("289950"));
}

#[test]
fn the_attachment_point_is_required() {
    let mut r = request(None);
    r.as_object_mut().unwrap().remove("attachment_point");
    let out = evaluate(&r);
    assert_eq!(out["error"]["kind"], "missing_parameter");
    assert_eq!(out["error"]["field"], "attachment_point");
    assert!(
        out["error"]["message"]
            .as_str()
            .unwrap()
            .contains("000_b605dc6c8d05d2b7.txt")
    );
}

#[test]
fn own_configuration_and_errors() {
    // An 80% stop-loss at 10,000 on a 5% pool of 100,000 (= 5,000): claims 80% of 5,000 = 4,000
    // and 80% of 2,500 = 2,000; total 6,000 > 5,000; pro rata 5,000 × 4/6 = 3,333.333 -> 3,333.33,
    // the other 1,666.67.
    let out = evaluate(&json!({
        "kind": "risk_pool.settle", "budget": "100000.00",
        "risk_pool": {"pool_share": "5%", "attachment_point": "10000.00", "coverage": "80%"},
        "children": [{"id": "x", "cost": "15000.00"}, {"id": "y", "cost": "12500.00"}]
    }));
    assert_eq!(out["children"][0]["paid"], "3333.33", "{out}");
    assert_eq!(out["children"][1]["paid"], "1666.67");
    let out = evaluate(&json!({
        "kind": "risk_pool.settle", "budget": "100000.00",
        "risk_pool": {"pool_share": "105%", "attachment_point": "10000.00"}, "children": []
    }));
    assert_eq!(out["error"]["field"], "risk_pool.pool_share");
    let out = evaluate(&json!({
        "kind": "risk_pool.settle", "program": "missouri-interdepartmental-initiative",
        "budget": "1.00", "attachment_point": "1.00", "children": [{"id": "a", "cost": 5}]
    }));
    assert_eq!(out["error"]["kind"], "not_a_decimal_string");
    assert_eq!(out["error"]["field"], "children[0].cost");
}
