//! Case-rate billing against the sources' numbers and hand calculations.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use chrono::NaiveDate;
use cwfinance::case_rate::{
    Basis, BillOptions, Enrollment, RateSchedule,
    batch::{BatchSchedule, EnrollmentColumns, LineColumns, bill_columns},
    bill,
};
use cwfinance::split::SharePolicy;
use cwfinance::{Money, Program, evaluate};
use serde_json::{Value, json};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap_or_default()
}

fn m(cents: i64) -> Money {
    Money::from_cents(cents)
}

fn preset(id: &str) -> RateSchedule {
    Program::builtin(id)
        .and_then(|p| p.require_section("case_rate"))
        .unwrap_or_else(|e| panic!("{id}: {e}"))
}

fn run(req: Value) -> Value {
    let out = evaluate(&req);
    assert!(out.get("error").is_none(), "{out}");
    out
}

fn money(v: &Value) -> Money {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("not money: {v}"))
}

#[test]
fn missouri_month_for_250_children() {
    // 000_b605dc6c8d05d2b7.txt: $3,329 + $226 case management = $3,555 per child per month;
    // capacity 250. A full month: 250 × 3,555.00 = 888,750.00.
    let s = preset("missouri-interdepartmental-initiative");
    let kids: Vec<Enrollment> = (0..250)
        .map(|i| Enrollment::open(format!("MO-{i:03}"), d("1999-03-01")))
        .collect();
    let b = bill(&s, &kids, &BillOptions::as_of(d("1999-04-01"))).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.lines.len(), 250);
    assert!(b.lines.iter().all(|l| l.amount == m(355_500)));
    assert_eq!(b.totals().grand_total, m(88_875_000));
}

#[test]
fn missouri_month_for_250_children_split_six_ways() {
    let kids: Vec<Value> = (0..250)
        .map(|i| json!({"child": format!("MO-{i:03}"), "start": "1999-03-01"}))
        .collect();
    let out = run(
        json!({"kind": "case_rate.bill", "program": "missouri-interdepartmental-initiative",
        "as_of": "1999-04-01", "enrollments": kids, "split": true}),
    );
    assert_eq!(out["totals"]["grand_total"], "888750.00");
    let funders = out["totals"]["by_funder"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(funders.len(), 6);
    // Each line of 3,555.00 splits to the cent; the funders' totals add up to the grand total.
    let sum: Money = funders.iter().map(|f| money(&f["amount"])).sum();
    assert_eq!(sum, m(88_875_000));
    // The preset normalizes the 100.01% shares (n = 57, 172, 1200, 722, 1751, 6099 over 10,001).
    // One line: exact cents = 355,500 × n / 10,001 = 2,026.147, 6,113.989, 42,655.734,
    // 25,664.534, 62,241.826, 216,797.770; floors sum to 355,496, so the 4 cents left go to the
    // largest remainders (MRDD .989, DMS .826, DFS .770, CPS .734):
    // 20.26 + 61.14 + 426.56 + 256.64 + 622.42 + 2,167.98 = 3,555.00. Times 250 children:
    let by_funder: Vec<Money> = funders.iter().map(|f| money(&f["amount"])).collect();
    assert_eq!(
        by_funder,
        [
            m(506_500),
            m(1_528_500),
            m(10_664_000),
            m(6_416_000),
            m(15_560_500),
            m(54_199_500)
        ]
    );
    for line in out["lines"].as_array().cloned().unwrap_or_default() {
        let parts: Money = line["funders"]
            .as_array()
            .map(|a| a.iter().map(|f| money(&f["amount"])).sum())
            .unwrap_or_default();
        assert_eq!(parts, m(355_500));
    }
    // Under the published (strict) reading, 100.01% is refused with the actual sum.
    let err = evaluate(
        &json!({"kind": "case_rate.bill", "program": "missouri-interdepartmental-initiative",
        "as_of": "1999-04-01", "enrollments": [{"child": "A", "start": "1999-03-01"}],
        "split": true, "split_policy": "strict"}),
    );
    assert_eq!(err["error"]["kind"], "shares_do_not_sum", "{err}");
    assert_eq!(err["error"]["value"], "100.01%");
    let _ = SharePolicy::Strict;
}

#[test]
fn missouri_child_enrolled_mid_march_through_the_maximum() {
    let s = preset("missouri-interdepartmental-initiative");
    let child = Enrollment::open("MO-1", d("1999-03-15"));
    let b = bill(
        &s,
        std::slice::from_ref(&child),
        &BillOptions::as_of(d("2000-01-01")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // Six months from 1999-03-15 end before 1999-09-15 (add_months):
    //   March 15–31: 17/31 × 3,555 = 1,949.516… → 1,949.52
    //   April–August: 5 × 3,555.00 = 17,775.00
    //   September 1–14: 14/30 × 3,555 = 1,659.00
    //   total 21,383.52
    let amounts: Vec<Money> = b.lines.iter().map(|l| l.amount).collect();
    assert_eq!(
        amounts,
        vec![
            m(194_952),
            m(355_500),
            m(355_500),
            m(355_500),
            m(355_500),
            m(355_500),
            m(165_900)
        ]
    );
    assert_eq!(b.totals().grand_total, m(2_138_352));
    assert_eq!(b.notes.len(), 1);
    assert_eq!(b.notes[0].code, "cut_at_maximum");

    // With the authorised three-month extension the limit is 1999-12-15:
    //   1,949.52 + 8 × 3,555.00 + 14/31 × 3,555 (= 1,605.48) = 31,995.00 = 9 × 3,555.00,
    //   because 17/31 + 14/31 is exactly one month.
    let extended = Enrollment {
        extension_authorised: true,
        ..child.clone()
    };
    let b = bill(&s, &[extended], &BillOptions::as_of(d("2000-01-01")))
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.lines.len(), 10);
    assert_eq!(b.lines[9].amount, m(160_548));
    assert_eq!(b.totals().grand_total, m(3_199_500));

    // The strict reading of the limit refuses the span instead of cutting it.
    let mut strict = s.clone();
    if let Some(l) = strict.enrollment.as_mut() {
        l.beyond_maximum = cwfinance::case_rate::BeyondMaximum::Error;
    }
    let err = bill(&strict, &[child], &BillOptions::as_of(d("2000-01-01"))).unwrap_err();
    assert_eq!(
        (err.kind(), err.field()),
        ("out_of_range", "enrollments[0].start")
    );
}

#[test]
fn missouri_before_the_first_enrollment_has_no_rate() {
    let s = preset("missouri-interdepartmental-initiative");
    let err = bill(
        &s,
        &[Enrollment::open("A", d("1999-02-20"))],
        &BillOptions::as_of(d("1999-04-01")),
    )
    .unwrap_err();
    assert_eq!(
        (err.kind(), err.value()),
        ("out_of_range", Some("1999-02-20"))
    );
}

#[test]
fn commonworks_june_july_1998_rate_change() {
    // 001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks: $4,000 from January 1997,
    // $4,476 from July 1998.
    let s = preset("commonworks-1998");
    let b = bill(
        &s,
        &[Enrollment::open("CW-1", d("1998-06-20"))],
        &BillOptions::as_of(d("1998-08-01")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // June 20–30: 11/30 × 4,000 = 1,466.666… → 1,466.67; July: 4,476.00.
    assert_eq!(b.lines[0].amount, m(146_667));
    assert_eq!(b.lines[1].amount, m(447_600));
    assert_eq!(b.totals().grand_total, m(594_267));
}

#[test]
fn a_month_straddling_a_rate_change_is_prorated_by_days_at_each_rate() {
    let s: RateSchedule = serde_json::from_value(json!({"rates": [
        {"from": "1997-01-01", "amount": "4000.00"}, {"from": "1998-07-16", "amount": "4476.00"}]}))
    .unwrap_or_else(|e| panic!("{e}"));
    let b = bill(
        &s,
        &[Enrollment::open("A", d("1998-07-01"))],
        &BillOptions::as_of(d("1998-08-01")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // (4,000 × 15 + 4,476 × 16) / 31 = (60,000 + 71,616) / 31 = 131,616 / 31 = 4,245.677… → 4,245.68
    assert_eq!(b.lines[0].rates.len(), 2);
    assert_eq!(b.lines[0].amount, m(424_568));
}

#[test]
fn commonworks_1997_hold_harmless_pays_actual_cost() {
    // "DSS also chose to start the project with a 'hold harmless' period, during which lead
    // agencies were reimbursed for their actual costs" (001_f8713068464777ee.txt).
    let out = run(
        json!({"kind": "case_rate.bill", "program": "commonworks-1997", "as_of": "1997-05-01",
        "enrollments": [{"child": "CW-7", "start": "1997-03-10"}],
        "actual_costs": [{"child": "CW-7", "month": "1997-03-01", "amount": "3100.00"},
                         {"child": "CW-7", "month": "1997-04-01", "amount": "4250.00"}]}),
    );
    let lines = out["lines"].as_array().cloned().unwrap_or_default();
    assert_eq!(lines[0]["basis"], "actual_cost");
    assert_eq!(lines[0]["amount"], "3100.00");
    // What the proposed rate would have paid: 22/31 × 4,000 = 2,838.709… → 2,838.71.
    assert_eq!(lines[0]["rate_amount"], "2838.71");
    assert_eq!(lines[1]["amount"], "4250.00");
    assert_eq!(lines[1]["rate_amount"], "4000.00");
    assert_eq!(out["totals"]["grand_total"], "7350.00");

    let err = evaluate(
        &json!({"kind": "case_rate.bill", "program": "commonworks-1997", "as_of": "1997-05-01",
        "enrollments": [{"child": "CW-7", "start": "1997-03-10"}]}),
    );
    assert_eq!(err["error"]["kind"], "missing_parameter");
    assert_eq!(err["error"]["field"], "actual_costs");

    // The 1997 contracts end with the July 1998 amendment: no rate is in force after it.
    let err = evaluate(
        &json!({"kind": "case_rate.bill", "program": "commonworks-1997", "as_of": "1998-08-01",
        "enrollments": [{"child": "CW-7", "start": "1998-07-01"}]}),
    );
    assert_eq!(err["error"]["kind"], "out_of_range");
    assert_eq!(err["error"]["value"], "1998-07-01");
}

#[test]
fn commonworks_hold_harmless_lasts_the_first_18_months() {
    let s = preset("commonworks-1997");
    let h = &s.hold_harmless[0];
    assert_eq!(cwfinance::calendar::add_months(h.from, 18), h.until);
}

#[test]
fn project_destiny_24_months_add_up_to_78748() {
    // 001_f8713068464777ee.txt, Case Rates, Project Destiny: "a 24-month case rate of $78,748 per
    // child", from April 1997. 78,748 / 24 = 3,281.1666…; the running total is rounded, so the
    // months are 3,281.17, 3,281.16, 3,281.17, … (16 × .17 and 8 × .16):
    // 24 × 3,281 + (16 × 17 + 8 × 16) cents = 78,744 + 4.00 = 78,748.00.
    let s = preset("project-destiny-1997");
    let b = bill(
        &s,
        &[Enrollment::open("PD-1", d("1997-04-01"))],
        &BillOptions::as_of(d("1999-06-01")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.lines.len(), 24);
    assert!(b.lines.iter().all(|l| l.basis == Basis::ClosedEnded));
    assert_eq!(b.lines[0].amount, m(328_117));
    assert_eq!(b.lines[1].amount, m(328_116));
    assert_eq!(b.lines[2].amount, m(328_117));
    assert_eq!(b.lines[23].month, d("1999-03-01"));
    assert_eq!(
        b.lines.iter().filter(|l| l.amount == m(328_117)).count(),
        16
    );
    assert_eq!(b.totals().grand_total, m(7_874_800));

    // A child who leaves after 12 months: installments 1–12 are paid,
    // round(78,748 × 12/24) = 39,374.00, and the other 39,374.00 is noted as not paid.
    let b = bill(
        &s,
        &[Enrollment::closed("PD-2", d("1997-04-01"), d("1998-04-01"))],
        &BillOptions::as_of(d("1999-06-01")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.totals().grand_total, m(3_937_400));
    assert_eq!(b.notes[0].code, "closed_ended_balance_not_paid");
}

#[test]
fn project_destiny_remaining_at_exit_can_be_paid() {
    let mut s = preset("project-destiny-1997");
    if let Some(c) = s.closed_ended.as_mut() {
        c.remaining_at_exit = cwfinance::case_rate::RemainingAtExit::PaidAtExit;
    }
    let b = bill(
        &s,
        &[Enrollment::closed("PD-2", d("1997-04-01"), d("1998-04-01"))],
        &BillOptions::as_of(d("1999-06-01")),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    // Months 1–11: round(78,748 × 11/24) = round(36,092.833…) = 36,092.83. March 1998 holds
    // installment 12 and the 12 installments moved to the last enrolled day, 1998-03-31:
    // 78,748.00 − 36,092.83 = 42,655.17.
    assert_eq!(b.lines.len(), 12);
    assert_eq!(b.lines[11].amount, m(4_265_517));
    assert_eq!(b.totals().grand_total, m(7_874_800));
}

#[test]
fn alameda_six_new_children_a_month_for_24_months() {
    // 001_f8713068464777ee.txt, Case Rates, Project Destiny: six new children a month, 144 over
    // two years, at $3,988 per child per month. The source gives no start date; the test starts
    // in January 2000. Cohort k (0..23) is billed 24 − k months by January 2002:
    // 6 × (24 + 23 + … + 1) = 6 × 300 = 1,800 child-months × 3,988.00 = 7,178,400.00.
    let s = preset("alameda-iv-e-expansion");
    let plan = s
        .enrollment_plan
        .clone()
        .unwrap_or_else(|| panic!("no plan"));
    assert_eq!(
        plan.new_children_per_month * plan.months,
        plan.total_children
    );
    let mut kids = Vec::new();
    for k in 0..plan.months {
        let start = cwfinance::calendar::add_months(d("2000-01-01"), k as i32);
        for j in 0..plan.new_children_per_month {
            kids.push(Enrollment::open(format!("AL-{k:02}-{j}"), start));
        }
    }
    assert_eq!(kids.len(), 144);
    let b = bill(&s, &kids, &BillOptions::as_of(d("2002-01-01"))).unwrap_or_else(|e| panic!("{e}"));
    let t = b.totals();
    assert_eq!(b.lines.len(), 1_800);
    assert_eq!(t.by_child.len(), 144);
    assert_eq!(t.grand_total, m(717_840_000));
    // The last month bills all 144 children: 144 × 3,988.00 = 574,272.00.
    assert_eq!(t.by_month["2001-12-01"], m(57_427_200));
}

#[test]
fn wraparound_milwaukee_against_residential() {
    // $3,300 per child per month against $4,700 for residential treatment
    // (001_f8713068464777ee.txt, Case Rates, Wraparound Milwaukee): 1,400.00 a month less.
    let out = run(
        json!({"kind": "case_rate.bill", "program": "wraparound-milwaukee", "as_of": "2000-03-01",
        "enrollments": [{"child": "WM-1", "start": "2000-01-01"}]}),
    );
    assert_eq!(out["totals"]["grand_total"], "6600.00");
    assert_eq!(out["comparisons"][0]["amount"], "9400.00");
    assert_eq!(out["comparisons"][0]["difference"], "2800.00");
}

#[test]
fn batch_path_bills_the_missouri_month() {
    let s = preset("missouri-interdepartmental-initiative");
    let split = Program::builtin("missouri-interdepartmental-initiative")
        .and_then(|p| p.require_section::<cwfinance::split::Split>("split"))
        .and_then(|x| x.prepare())
        .unwrap_or_else(|e| panic!("{e}"));
    let compiled = BatchSchedule::new(&s, None, None).unwrap_or_else(|e| panic!("{e}"));
    let mut input = EnrollmentColumns::default();
    for _ in 0..250 {
        input.push(d("1999-03-01"), None, false);
    }
    let mut out = LineColumns::default();
    bill_columns(&compiled, &input, d("1999-04-01"), Some(&split), &mut out)
        .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(out.total_cents(), 88_875_000);
    assert_eq!(
        out.funder_cents
            .iter()
            .map(|&c| i128::from(c))
            .sum::<i128>(),
        88_875_000
    );
}

#[test]
fn every_case_rate_preset_loads_and_cites() {
    for id in [
        "missouri-interdepartmental-initiative",
        "wraparound-milwaukee",
        "commonworks-1997",
        "commonworks-1998",
        "project-destiny-1997",
        "alameda-iv-e-expansion",
    ] {
        let p = Program::builtin(id).unwrap_or_else(|e| panic!("{id}: {e}"));
        assert!(!p.citations_under("case_rate").is_empty(), "{id}");
        let s: RateSchedule = p
            .require_section("case_rate")
            .unwrap_or_else(|e| panic!("{id}: {e}"));
        s.validate().unwrap_or_else(|e| panic!("{id}: {e}"));
    }
}

#[test]
fn request_errors_are_typed() {
    let base = json!({"kind": "case_rate.bill", "as_of": "1999-04-01",
        "schedule": {"rates": [{"amount": "3300.00"}]},
        "enrollments": [{"child": "A", "start": "1999-03-01"}]});
    let with = |path: &[&str], v: Value| {
        let mut r = base.clone();
        let mut cur = &mut r;
        for (i, p) in path.iter().enumerate() {
            if i + 1 == path.len() {
                cur[*p] = v.clone();
            } else if let Ok(n) = p.parse::<usize>() {
                cur = &mut cur[n];
            } else {
                cur = &mut cur[*p];
            }
        }
        evaluate(&r)["error"].clone()
    };
    let e = with(&["schedule", "rates", "0", "amount"], json!(3300.5));
    assert_eq!(
        (e["kind"].as_str(), e["field"].as_str()),
        (
            Some("not_a_decimal_string"),
            Some("schedule.rates[0].amount")
        )
    );
    let e = with(&["schedule", "rates", "0", "amount"], json!("-1.00"));
    assert_eq!(e["kind"], "negative_amount");
    let e = with(&["enrollments", "0", "end"], json!("1999-02-01"));
    assert_eq!(
        (e["kind"].as_str(), e["field"].as_str()),
        (Some("end_before_start"), Some("enrollments[0]"))
    );
    let e = with(&["enrollments", "0", "start"], json!("1999/02/01"));
    assert_eq!(
        (e["kind"].as_str(), e["field"].as_str()),
        (Some("invalid_date"), Some("enrollments[0].start"))
    );
    let e = with(&["surprise"], json!(1));
    assert_eq!(e["kind"], "unknown_field");
    let e = with(&["schedule"], json!(null));
    assert_eq!(
        (e["kind"].as_str(), e["field"].as_str()),
        (Some("missing_field"), Some("schedule"))
    );
}

#[test]
fn vector_key_figures() {
    // tests/vectors/case_rate.bill/missouri-interdepartmental-initiative.json:
    // MO-1 March + April = 2 × 3,555.00; MO-2 March 17/31 × 3,555 = 1,949.52, April 3,555.00;
    // 3 × 3,555.00 + 1,949.52 = 12,614.52.
    let out = run(
        json!({"kind": "case_rate.bill", "program": "missouri-interdepartmental-initiative",
        "as_of": "1999-05-01", "split": true,
        "enrollments": [{"child": "MO-1", "start": "1999-03-01"}, {"child": "MO-2", "start": "1999-03-15"}]}),
    );
    assert_eq!(out["totals"]["grand_total"], "12614.52");
    assert_eq!(out["totals"]["by_child"]["MO-2"], "5504.52");
    // tests/vectors/case_rate.bill/alameda-iv-e-expansion.json: 6 children from January and 6
    // from February 2000, billed to March: (6 × 2 + 6 × 1) × 3,988.00 = 18 × 3,988 = 71,784.00.
    let kids: Vec<Value> = [1, 2]
        .iter()
        .flat_map(|mo| (1..=6).map(move |j| json!({"child": format!("AL-{mo}-{j}"), "start": format!("2000-0{mo}-01")})))
        .collect();
    let out = run(
        json!({"kind": "case_rate.bill", "program": "alameda-iv-e-expansion", "as_of": "2000-03-01", "enrollments": kids}),
    );
    assert_eq!(out["totals"]["grand_total"], "71784.00");
    assert_eq!(out["totals"]["by_month"]["2000-02-01"], "47856.00"); // 12 × 3,988.00
}

#[test]
fn whole_table_billing_lists_every_bad_row_with_its_rule() {
    use cwfinance::case_rate::batch::bill_table;
    let s = preset("missouri-interdepartmental-initiative");
    let compiled = BatchSchedule::new(&s, None, None).unwrap_or_else(|e| panic!("{e}"));
    let mut input = EnrollmentColumns::default();
    // Row 1 is good; row 2 ends before it starts; row 3 starts before the first rate
    // (1999-03-01 in the preset); row 4 is good.
    input.push(d("1999-03-01"), None, false);
    input.push(d("1999-05-10"), Some(d("1999-05-01")), false);
    input.push(d("1999-02-15"), None, false);
    input.push(d("1999-03-16"), None, false);
    let Err(cwfinance::Error::InvalidData { problems }) =
        bill_table(&compiled, &input, d("1999-04-01"), None)
    else {
        panic!("expected invalid data")
    };
    let got: Vec<(Option<u64>, &str, &str, &str)> = problems
        .iter()
        .map(|p| (p.row, p.column.as_str(), p.value.as_str(), p.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(2), "end", "1999-05-01", "end_before_start"),
            (Some(3), "start", "1999-02-15", "out_of_range"),
        ]
    );
    assert!(
        problems[1]
            .message
            .contains("no case rate is in force on 1999-02-15"),
        "{}",
        problems[1].message
    );
    assert!(!problems[1].message.starts_with("enrollments["));

    // Without the bad rows: March 1999 whole at $3,555.00, and 16/31 of it (16 days from the
    // 16th), 3,555 × 16 / 31 = 1,834.8387 -> $1,834.84.
    let mut good = EnrollmentColumns::default();
    good.push(d("1999-03-01"), None, false);
    good.push(d("1999-03-16"), None, false);
    let t = bill_table(&compiled, &good, d("1999-04-01"), None).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(t.amount_cents, [355_500, 183_484]);
    assert_eq!(t.total_cents, 538_984);
    assert!(t.funder_cents.is_empty());
}
