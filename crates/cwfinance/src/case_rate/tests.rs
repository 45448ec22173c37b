//! Unit and property tests of case-rate billing.

use chrono::{Datelike, NaiveDate};
use proptest::prelude::*;
use serde_json::json;

use super::batch::{BatchSchedule, EnrollmentColumns, LineColumns, bill_columns, bill_table};
use super::*;
use crate::{Money, Period, ProrationConvention, Rounding};

fn d(s: &str) -> NaiveDate {
    s.parse().unwrap_or_default()
}

fn schedule(v: serde_json::Value) -> RateSchedule {
    match serde_json::from_value(v) {
        Ok(s) => s,
        Err(e) => panic!("bad schedule: {e}"),
    }
}

fn missouri() -> RateSchedule {
    schedule(json!({
        "rates": [{"from": "1999-03-01", "amount": "3329.00",
                   "add_ons": [{"name": "case management", "amount": "226.00"}]}],
        "enrollment": {"max_months": 6, "extension_months": 3}
    }))
}

fn total(b: &Bill) -> Money {
    b.totals().grand_total
}

#[test]
fn missouri_march_partial_month() {
    let b = bill(
        &missouri(),
        &[Enrollment::open("MO-1", d("1999-03-15"))],
        &BillOptions::as_of(d("1999-04-01")),
    );
    let b = b.unwrap_or_else(|e| panic!("{e}"));
    // March 15..31 is 17 days of 31: 3,555 × 17 / 31 = 60,435 / 31 = 1,949.516129… → 1,949.52.
    assert_eq!(b.lines.len(), 1);
    assert_eq!(b.lines[0].days, 17);
    assert_eq!(b.lines[0].amount, Money::from_cents(194_952));
}

#[test]
fn overlapping_entries_and_same_day_entries_are_overlap_errors() {
    let s = schedule(json!({"rates": [
        {"from": "1998-07-01", "amount": "4476.00"},
        {"from": "1997-01-01", "until": "1998-08-01", "amount": "4000.00"}
    ]}));
    let err = s.validate().unwrap_err();
    assert_eq!((err.kind(), err.field()), ("overlap", "rates[0]"));
    let s = schedule(json!({"rates": [
        {"from": "1998-07-01", "amount": "4476.00"},
        {"from": "1998-07-01", "amount": "4000.00"}
    ]}));
    assert_eq!(s.validate().unwrap_err().kind(), "overlap");
}

#[test]
fn a_day_without_a_rate_is_an_error_naming_the_date() {
    let s = schedule(json!({"rates": [
        {"from": "1997-01-01", "until": "1997-03-10", "amount": "4000.00"},
        {"from": "1997-03-12", "amount": "4476.00"}
    ]}));
    let err = bill(
        &s,
        &[Enrollment::open("A", d("1997-02-01"))],
        &BillOptions::as_of(d("1997-05-01")),
    )
    .unwrap_err();
    assert_eq!(err.kind(), "out_of_range");
    assert_eq!(err.field(), "enrollments[0]");
    assert_eq!(err.value(), Some("1997-03-10"));
}

#[test]
fn thirty_day_and_whole_month_conventions() {
    let s = missouri();
    let e = [Enrollment::open("A", d("1999-03-15"))];
    let o = BillOptions::as_of(d("1999-04-01"));
    // 17 days / 30: 3,555 × 17 / 30 = 2,014.50 exactly.
    let b = bill(
        &s,
        &e,
        &o.clone().convention(ProrationConvention::ThirtyDayMonth),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.lines[0].amount, Money::from_cents(201_450));
    let b = bill(
        &s,
        &e,
        &o.convention(ProrationConvention::WholeMonthIfAnyDay),
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(b.lines[0].amount, Money::from_cents(355_500));
}

#[test]
fn half_even_rounds_a_half_cent_to_even() {
    // 0.05 × 15 / 30 = 0.025: half-up 0.03, half-even 0.02.
    let s = schedule(json!({"rates": [{"amount": "0.05"}]}));
    let e = [Enrollment::closed("A", d("2001-06-01"), d("2001-06-16"))];
    let o = BillOptions::as_of(d("2002-01-01"));
    let up = bill(&s, &e, &o).unwrap_or_else(|e| panic!("{e}"));
    let even = bill(&s, &e, &o.rounding(Rounding::HalfEven)).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(up.lines[0].amount, Money::from_cents(3));
    assert_eq!(even.lines[0].amount, Money::from_cents(2));
}

#[test]
fn closed_ended_spread_adds_up_for_project_destiny() {
    let c: ClosedEndedRate = serde_json::from_value(json!({"total": "78748.00", "months": 24}))
        .unwrap_or_else(|e| panic!("{e}"));
    let parts = c
        .installment_amounts(Rounding::HalfUp)
        .unwrap_or_else(|e| panic!("{e}"));
    // 7,874,800 cents / 24 = 328,116.67 cents: running totals round to .17, .33, .50, …
    let cents: Vec<i64> = parts.iter().filter_map(|p| p.1.cents()).collect();
    assert_eq!(cents.iter().sum::<i64>(), 7_874_800);
    assert_eq!(cents.iter().filter(|&&c| c == 328_117).count(), 16);
    assert_eq!(cents.iter().filter(|&&c| c == 328_116).count(), 8);
}

#[test]
fn installments_by_share() {
    let c: ClosedEndedRate = serde_json::from_value(json!({"total": "1000.01", "months": 12,
        "installments": [{"after_months": 6, "share": "50%"}, {"after_months": 0, "share": "50%"}]}))
        .unwrap_or_else(|e| panic!("{e}"));
    let parts = c
        .installment_amounts(Rounding::HalfUp)
        .unwrap_or_else(|e| panic!("{e}"));
    // Sorted by due month; round(1000.01 × 0.5) = 500.01 (500.005 half up), then 1000.01 − 500.01.
    assert_eq!(
        parts,
        vec![
            (0, Money::from_cents(50_001)),
            (6, Money::from_cents(50_000))
        ]
    );
}

#[test]
fn overlapping_enrollments_of_one_child_are_refused() {
    let e = [
        Enrollment::closed("A", d("1999-03-01"), d("1999-05-01")),
        Enrollment::open("A", d("1999-04-15")),
    ];
    let err = bill(&missouri(), &e, &BillOptions::as_of(d("1999-06-01"))).unwrap_err();
    assert_eq!((err.kind(), err.field()), ("overlap", "enrollments[1]"));
}

#[test]
fn hostile_spans_are_too_large_not_a_hang() {
    let s = schedule(json!({"rates": [{"amount": "1.00"}]}));
    let e = [Enrollment::open("A", NaiveDate::MIN)];
    let err = bill(&s, &e, &BillOptions::as_of(NaiveDate::MAX)).unwrap_err();
    assert_eq!(err.kind(), "too_large");
    let mut input = EnrollmentColumns::default();
    input.push(NaiveDate::MIN, None, false);
    let b = BatchSchedule::new(&s, None, None).unwrap_or_else(|e| panic!("{e}"));
    let err = bill_columns(
        &b,
        &input,
        NaiveDate::MAX,
        None,
        &mut LineColumns::default(),
    )
    .unwrap_err();
    assert_eq!(err.kind(), "too_large");
}

#[test]
fn round_div_matches_decimal_rounding() {
    use super::batch::round_div;
    assert_eq!(round_div(5, 2, Rounding::HalfUp), 3);
    assert_eq!(round_div(5, 2, Rounding::HalfEven), 2);
    assert_eq!(round_div(-5, 2, Rounding::HalfUp), -3);
    assert_eq!(round_div(-5, 2, Rounding::HalfEven), -2);
    assert_eq!(round_div(7, 3, Rounding::HalfUp), 2);
}

// ---------------------------------------------------------------- property tests

const CONVENTIONS: [ProrationConvention; 3] = [
    ProrationConvention::ActualDays,
    ProrationConvention::ThirtyDayMonth,
    ProrationConvention::WholeMonthIfAnyDay,
];

fn day(offset: i64) -> NaiveDate {
    d("1996-01-01") + chrono::Duration::days(offset)
}

/// A schedule of up to three whole-cent rates, changing on arbitrary days, in force from 1990.
fn arb_schedule() -> impl Strategy<Value = RateSchedule> {
    (
        1i64..100_000_000,
        proptest::collection::vec((0i64..2000, 1i64..100_000_000), 0..3),
        any::<bool>(),
    )
        .prop_map(|(first, changes, with_add_on)| {
            let mut rates = vec![json!({"from": "1990-01-01", "amount": Money::from_cents(first).to_string(),
                "add_ons": if with_add_on { json!([{"name": "x", "amount": "226.00"}]) } else { json!([]) }})];
            let mut days: Vec<(i64, i64)> = changes;
            days.sort();
            days.dedup_by_key(|x| x.0);
            for (off, cents) in days {
                rates.push(json!({"from": day(off).to_string(), "amount": Money::from_cents(cents).to_string()}));
            }
            schedule(json!({ "rates": rates }))
        })
}

fn arb_enrollments() -> impl Strategy<Value = Vec<Enrollment>> {
    proptest::collection::vec((0i64..1500, proptest::option::of(0i64..900)), 1..4).prop_map(|v| {
        v.into_iter()
            .enumerate()
            .map(|(i, (s, len))| Enrollment {
                child: format!("C{i}"),
                start: day(s),
                end: len.map(|l| day(s + l)),
                extension_authorised: false,
            })
            .collect()
    })
}

fn bill_window(
    s: &RateSchedule,
    e: &[Enrollment],
    o: &BillOptions,
    from: NaiveDate,
    to: NaiveDate,
) -> Bill {
    let o = o.clone().period(Period {
        start: from,
        end: to,
    });
    bill(s, e, &o).unwrap_or_else(|err| panic!("{err}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Billing a span equals the sum of billing its sub-spans: exactly when they split at month
    /// boundaries, within one cent per split point (per enrollment) otherwise (actual days).
    #[test]
    fn billing_is_additive_over_sub_periods(
        s in arb_schedule(),
        e in arb_enrollments(),
        cuts in proptest::collection::vec(0i64..2600, 1..4),
        month_aligned in any::<bool>(),
        conv in 0usize..3,
    ) {
        let convention = if month_aligned { CONVENTIONS[conv] } else { ProrationConvention::ActualDays };
        let o = BillOptions::as_of(d("2003-06-17")).convention(convention);
        let (lo, hi) = (d("1995-01-01"), d("2004-01-01"));
        let whole = total(&bill_window(&s, &e, &o, lo, hi));
        let mut points: Vec<NaiveDate> = cuts.iter().map(|&c| {
            let x = day(c);
            if month_aligned { crate::calendar::first_of_month(x) } else { x }
        }).collect();
        points.sort();
        points.dedup();
        let mut bounds = vec![lo];
        bounds.extend(points.iter().copied());
        bounds.push(hi);
        let parts: Money = bounds.windows(2).map(|w| total(&bill_window(&s, &e, &o, w[0], w[1]))).sum();
        let diff = (whole - parts).amount().abs();
        if month_aligned {
            prop_assert_eq!(whole, parts);
        } else {
            // Each cut splits at most one line of each enrollment.
            let allowed = rust_decimal::Decimal::new((points.len() * e.len()) as i64, 2);
            prop_assert!(diff <= allowed, "whole {} parts {} points {}", whole, parts, points.len());
        }
    }

    /// Splitting one enrollment into two back-to-back enrollments of the same child bills the
    /// same, exactly at a month boundary and within one cent otherwise.
    #[test]
    fn billing_is_additive_over_split_enrollments(
        s in arb_schedule(),
        start in 0i64..1500,
        len in 2i64..900,
        cut in 1i64..899,
        month_aligned in any::<bool>(),
        hold_harmless in any::<bool>(),
    ) {
        let mut s = s;
        let cut = cut.min(len - 1);
        let (a, c) = (day(start), day(start + len));
        let mut b = day(start + cut);
        if month_aligned {
            b = crate::calendar::first_of_month(b);
            if b <= a { b = crate::calendar::add_months(b, 1); }
            if b >= c { return Ok(()); }
        }
        let mut o = BillOptions::as_of(d("2003-06-17"));
        if hold_harmless {
            s.hold_harmless = vec![HoldHarmless { from: d("1996-01-01"), until: d("1997-01-01") }];
            let months = Period { start: d("1996-01-01"), end: d("1997-01-01") };
            o.actual_costs = months.months().enumerate().map(|(i, (m, _))| ActualCost {
                child: "A".into(), month: m.start, amount: Money::from_cents(100_000 + i as i64),
            }).collect();
        }
        let one = bill(&s, &[Enrollment::closed("A", a, c)], &o).unwrap_or_else(|e| panic!("{e}"));
        let two = bill(&s, &[Enrollment::closed("A", a, b), Enrollment::closed("A", b, c)], &o)
            .unwrap_or_else(|e| panic!("{e}"));
        let diff = (total(&one) - total(&two)).amount().abs();
        if month_aligned {
            prop_assert_eq!(total(&one), total(&two));
        } else {
            prop_assert!(diff <= rust_decimal::Decimal::new(1, 2));
        }
    }

    /// Closed-ended installments are whole amounts on due dates: any split is exact.
    #[test]
    fn closed_ended_is_exactly_additive(
        total_cents in 0i64..1_000_000_000,
        months in 1u32..40,
        start in 0i64..1000,
        cut in 0i64..1600,
        paid_at_exit in any::<bool>(),
        end in proptest::option::of(1i64..1500),
    ) {
        let s = schedule(json!({"closed_ended": {"total": Money::from_cents(total_cents).to_string(), "months": months,
            "remaining_at_exit": if paid_at_exit { "paid_at_exit" } else { "not_paid" }}}));
        let e = [Enrollment { child: "A".into(), start: day(start), end: end.map(|l| day(start + l)), extension_authorised: false }];
        let o = BillOptions::as_of(d("2003-01-01"));
        let (lo, hi) = (d("1995-01-01"), d("2004-01-01"));
        let whole = total(&bill_window(&s, &e, &o, lo, hi));
        let parts = total(&bill_window(&s, &e, &o, lo, day(cut))) + total(&bill_window(&s, &e, &o, day(cut), hi));
        prop_assert_eq!(whole, parts);
        if end.is_none() || paid_at_exit {
            prop_assert_eq!(whole, Money::from_cents(total_cents));
        }
    }

    /// The columnar batch path gives the same lines, amounts and funder parts as `bill`.
    #[test]
    fn batch_path_matches_bill(
        s in arb_schedule(),
        e in arb_enrollments(),
        conv in 0usize..3,
        half_even in any::<bool>(),
        max in proptest::option::of(1u32..30),
        ext in any::<bool>(),
    ) {
        let mut s = s;
        s.enrollment = max.map(|m| EnrollmentLimits { max_months: Some(m), extension_months: 3, beyond_maximum: BeyondMaximum::Cut });
        let e: Vec<Enrollment> = e.into_iter().map(|x| Enrollment { extension_authorised: ext, ..x }).collect();
        let rounding = if half_even { Rounding::HalfEven } else { Rounding::HalfUp };
        let o = BillOptions::as_of(d("2002-02-11")).convention(CONVENTIONS[conv]).rounding(rounding);
        let split = crate::split::Split::from_pairs(&[
            ("a", "0.57%"), ("b", "1.72%"), ("c", "12%"), ("d", "7.22%"), ("e", "17.51%"), ("f", "60.99%"),
        ]).and_then(|x| x.prepare_with(&crate::split::SharePolicy::Normalize, Rounding::HalfUp))
            .unwrap_or_else(|e| panic!("{e}"));
        let mut reference = bill(&s, &e, &o).unwrap_or_else(|e| panic!("{e}"));
        reference.apply_split(&split).unwrap_or_else(|e| panic!("{e}"));
        let compiled = BatchSchedule::new(&s, Some(CONVENTIONS[conv]), Some(rounding)).unwrap_or_else(|e| panic!("{e}"));
        let mut input = EnrollmentColumns::default();
        for x in &e { input.push(x.start, x.end, x.extension_authorised); }
        let mut out = LineColumns::default();
        bill_columns(&compiled, &input, o.as_of, Some(&split), &mut out).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(out.len(), reference.lines.len());
        for (i, line) in reference.lines.iter().enumerate() {
            prop_assert_eq!(Some(out.enrollment[i] as usize), Some(line.enrollment));
            prop_assert_eq!(out.month_start(i), Some(line.month));
            prop_assert_eq!(u32::from(out.days[i]), line.days);
            prop_assert_eq!(Some(out.amount_cents[i]), line.amount.cents());
            let parts: Vec<i64> = line.funders.iter().filter_map(|f| f.amount.cents()).collect();
            prop_assert_eq!(out.funder_cents_of(i), parts.as_slice());
            prop_assert_eq!(parts.iter().sum::<i64>(), out.amount_cents[i]);
        }
        // The whole-table path: the same lines, one column per funder, dates since 1970.
        let table = bill_table(&compiled, &input, o.as_of, Some(&split)).unwrap_or_else(|e| panic!("{e}"));
        prop_assert_eq!(table.len(), reference.lines.len());
        prop_assert_eq!(&table.cut_at_maximum, &out.cut_at_maximum);
        let epoch = d("1970-01-01");
        for (i, line) in reference.lines.iter().enumerate() {
            prop_assert_eq!(table.enrollment[i] as usize, line.enrollment);
            prop_assert_eq!(i64::from(table.month[i]), (line.month - epoch).num_days());
            prop_assert_eq!(u32::from(table.days[i]), line.days);
            prop_assert_eq!(Some(table.amount_cents[i]), line.amount.cents().map(i128::from));
            let parts: Vec<i128> = line.funders.iter().filter_map(|f| f.amount.cents()).map(i128::from).collect();
            let got: Vec<i128> = table.funder_cents.iter().map(|c| c[i]).collect();
            prop_assert_eq!(got, parts);
        }
        prop_assert_eq!(table.total_cents, table.amount_cents.iter().sum::<i128>());
        prop_assert_eq!(table.funder_totals.iter().sum::<i128>(), table.total_cents);
    }

    /// No input makes the document handler panic.
    #[test]
    fn no_panic_on_hostile_requests(
        y1 in -300_000i32..300_000, y2 in -300_000i32..300_000, asy in -300_000i32..300_000,
        amount in "[-+]?[0-9]{0,30}(\\.[0-9]{0,30})?",
        months in any::<u64>(),
        text in ".{0,12}",
        conv in 0usize..3,
        closed in any::<bool>(),
        ext in any::<bool>(),
    ) {
        let date = |y: i32| NaiveDate::from_ymd_opt(y, 1, 31).map(|x| x.to_string()).unwrap_or_else(|| format!("{y}-01-31"));
        let sched = if closed {
            json!({"closed_ended": {"total": amount, "months": months.to_string(), "from": date(y1)}})
        } else {
            json!({"rates": [{"from": date(y1), "until": date(y2), "amount": amount, "add_ons": [{"name": text, "amount": amount}]}],
                   "enrollment": {"max_months": months.to_string(), "extension_months": (months % 5000).to_string()},
                   "hold_harmless": [{"from": date(y1).replace("-31", "-01"), "until": date(y2).replace("-31", "-01")}]})
        };
        let conv_code = ["actual_days", "thirty_day_month", "whole_month_if_any_day"][conv];
        let req = json!({
            "kind": "case_rate.bill", "as_of": date(asy), "schedule": sched,
            "convention": conv_code,
            "enrollments": [{"child": text, "start": date(y1), "end": date(y2), "extension_authorised": ext},
                            {"child": "x", "start": date(y2)}],
            "actual_costs": [{"child": text, "month": date(y1).replace("-31", "-01"), "amount": amount}],
            "split": {"funders": [{"name": "a", "share": "50%"}, {"name": "b", "share": "50%"}]}
        });
        let _ = crate::evaluate(&req);
        let _ = check_section(&sched);
        if let Ok(s) = serde_json::from_value::<RateSchedule>(sched) {
            if let Ok(b) = BatchSchedule::new(&s, Some(CONVENTIONS[conv]), None) {
                let mut input = EnrollmentColumns::default();
                for (a, z) in [(y1, y2), (y2, y1), (asy, y2)] {
                    if let (Some(a), Some(z)) = (NaiveDate::from_ymd_opt(a, 1, 31), NaiveDate::from_ymd_opt(z, 1, 1)) {
                        input.push(a, Some(z), ext);
                        input.push(a, None, ext);
                    }
                }
                if let Some(as_of) = NaiveDate::from_ymd_opt(asy, 3, 1) {
                    let _ = bill_columns(&b, &input, as_of, None, &mut LineColumns::default());
                    let _ = bill_table(&b, &input, as_of, None);
                }
            }
        }
    }
}

#[test]
fn fraction_parts_agree_with_the_calendar() {
    for month in 1..=12u32 {
        let start = NaiveDate::from_ymd_opt(2024, month, 1).unwrap_or_default();
        let md = i64::from(crate::calendar::days_in_month(start.year(), month));
        for days in 0..=md {
            for c in CONVENTIONS {
                let (n, dd) = super::billing::fraction_parts(c, md, days);
                let f = rust_decimal::Decimal::from(n) / rust_decimal::Decimal::from(dd);
                assert_eq!(f, c.fraction(start, days), "{c:?} {month} {days}");
            }
        }
    }
}
