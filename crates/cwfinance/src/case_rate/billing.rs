//! Billing enrollment spans month by month: the reference (exact decimal) path.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use super::schedule::{BeyondMaximum, Effective, MAX_MONTHS, RateSchedule, RemainingAtExit};
use crate::calendar::{Period, ProrationConvention};
use crate::error::{Error, Result};
use crate::money::{MAX_ABS_AMOUNT, Money, Rounding};
use crate::trace::{Trace, TraceStep};

/// The most billing lines one call produces (a guard against hostile spans and requests).
///
/// # Example
///
/// ```
/// use cwfinance::case_rate::{bill, BillOptions, Enrollment, RateSchedule, MAX_LINES};
/// let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [{"amount": "1.00"}]})).unwrap();
/// let kids: Vec<Enrollment> = (0..1000).map(|i| Enrollment::open(format!("C{i}"), "1900-01-01".parse().unwrap())).collect();
/// // 1,000 children × 1,200 months is more than MAX_LINES.
/// let err = bill(&s, &kids, &BillOptions::as_of("2000-01-01".parse().unwrap())).unwrap_err();
/// assert_eq!(err.kind(), "too_large");
/// assert_eq!(MAX_LINES, 1_000_000);
/// ```
pub const MAX_LINES: usize = 1_000_000;

/// Where the rules come from, for traces when no program supplies its own citations.
pub(crate) const SRC_MISSOURI: &str =
    "000_b605dc6c8d05d2b7.txt, Missouri Interdepartmental Initiative, case rate";
pub(crate) const SRC_RATES: &str = "001_f8713068464777ee.txt, Case Rates, monthly case rates";
pub(crate) const SRC_CLOSED: &str =
    "001_f8713068464777ee.txt, Case Rates, extended period case rates";
pub(crate) const SRC_HOLD_HARMLESS: &str =
    "001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks";

/// One child's enrollment: from `start` (the day the provider becomes responsible and the case
/// rate begins) to `end`, the first day no longer enrolled (absent while still enrolled).
///
/// # Example
///
/// ```
/// let e: cwfinance::case_rate::Enrollment = serde_json::from_value(serde_json::json!(
///     {"child": "MO-001", "start": "1999-03-15", "extension_authorised": true})).unwrap();
/// assert_eq!(e.end, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Enrollment {
    /// The child's id.
    pub child: String,
    /// The enrollment date: the first day paid.
    pub start: NaiveDate,
    /// The first day no longer enrolled (the disenrollment date); absent while enrolled.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub end: Option<NaiveDate>,
    /// True when the extension past the maximum duration has been authorised.
    #[serde(default)]
    pub extension_authorised: bool,
}

impl Enrollment {
    /// An open enrollment of `child` from `start`.
    ///
    /// # Example
    ///
    /// ```
    /// let e = cwfinance::case_rate::Enrollment::open("A", "1999-03-01".parse().unwrap());
    /// assert!(e.end.is_none() && !e.extension_authorised);
    /// ```
    pub fn open(child: impl Into<String>, start: NaiveDate) -> Self {
        Enrollment {
            child: child.into(),
            start,
            end: None,
            extension_authorised: false,
        }
    }

    /// A closed enrollment of `child` over `[start, end)`.
    ///
    /// # Example
    ///
    /// ```
    /// let d = |s: &str| s.parse().unwrap();
    /// let e = cwfinance::case_rate::Enrollment::closed("A", d("1999-03-01"), d("1999-05-01"));
    /// assert_eq!(e.end, Some(d("1999-05-01")));
    /// ```
    pub fn closed(child: impl Into<String>, start: NaiveDate, end: NaiveDate) -> Self {
        Enrollment {
            end: Some(end),
            ..Enrollment::open(child, start)
        }
    }
}

/// The actual cost of one child-month, paid instead of the rate in a hold-harmless period.
///
/// # Example
///
/// ```
/// let c: cwfinance::case_rate::ActualCost = serde_json::from_value(serde_json::json!(
///     {"child": "CW-1", "month": "1997-03-01", "amount": "4250.00"})).unwrap();
/// assert_eq!(c.amount.to_string(), "4250.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ActualCost {
    /// The child's id.
    pub child: String,
    /// The first day of the month.
    pub month: NaiveDate,
    /// The cost incurred for the child in that month.
    pub amount: Money,
}

/// What a billing call needs besides the schedule and the enrollments.
///
/// # Example
///
/// ```
/// use cwfinance::{ProrationConvention, case_rate::BillOptions};
/// let o = BillOptions::as_of("1999-04-01".parse().unwrap())
///     .convention(ProrationConvention::ThirtyDayMonth);
/// assert_eq!(o.convention, Some(ProrationConvention::ThirtyDayMonth));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BillOptions {
    /// Billing cut-off: days before `as_of` are billed; open enrollments run up to it.
    pub as_of: NaiveDate,
    /// Bill only days inside this period.
    pub period: Option<Period>,
    /// Overrides the schedule's proration convention.
    pub convention: Option<ProrationConvention>,
    /// Overrides the schedule's rounding.
    pub rounding: Option<Rounding>,
    /// Actual costs per child-month, for hold-harmless months.
    pub actual_costs: Vec<ActualCost>,
}

impl BillOptions {
    /// Options billing every day before `as_of`.
    ///
    /// # Example
    ///
    /// ```
    /// let o = cwfinance::case_rate::BillOptions::as_of("1999-04-01".parse().unwrap());
    /// assert!(o.period.is_none());
    /// ```
    pub fn as_of(as_of: NaiveDate) -> Self {
        BillOptions {
            as_of,
            ..BillOptions::default()
        }
    }

    /// Bill only days inside `period`.
    ///
    /// # Example
    ///
    /// ```
    /// let march = cwfinance::Period::month_of("1999-03-01".parse().unwrap());
    /// let o = cwfinance::case_rate::BillOptions::as_of("2000-01-01".parse().unwrap()).period(march);
    /// assert_eq!(o.period, Some(march));
    /// ```
    pub fn period(mut self, period: Period) -> Self {
        self.period = Some(period);
        self
    }

    /// Use this proration convention.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::ProrationConvention::WholeMonthIfAnyDay;
    /// let o = cwfinance::case_rate::BillOptions::as_of("2000-01-01".parse().unwrap()).convention(WholeMonthIfAnyDay);
    /// assert_eq!(o.convention, Some(WholeMonthIfAnyDay));
    /// ```
    pub fn convention(mut self, convention: ProrationConvention) -> Self {
        self.convention = Some(convention);
        self
    }

    /// Use this rounding.
    ///
    /// # Example
    ///
    /// ```
    /// let o = cwfinance::case_rate::BillOptions::as_of("2000-01-01".parse().unwrap()).rounding(cwfinance::Rounding::HalfEven);
    /// assert_eq!(o.rounding, Some(cwfinance::Rounding::HalfEven));
    /// ```
    pub fn rounding(mut self, rounding: Rounding) -> Self {
        self.rounding = Some(rounding);
        self
    }

    /// Pay these actual costs in hold-harmless months.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Money, case_rate::{ActualCost, BillOptions}};
    /// let c = ActualCost { child: "A".into(), month: "1997-03-01".parse().unwrap(), amount: Money::from_cents(425_000) };
    /// let o = BillOptions::as_of("1998-01-01".parse().unwrap()).actual_costs(vec![c]);
    /// assert_eq!(o.actual_costs.len(), 1);
    /// ```
    pub fn actual_costs(mut self, costs: Vec<ActualCost>) -> Self {
        self.actual_costs = costs;
        self
    }
}

/// What a billing line pays for.
///
/// # Example
///
/// ```
/// assert_eq!(serde_json::to_value(cwfinance::case_rate::Basis::ActualCost).unwrap(), "actual_cost");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// The monthly case rate (plus add-ons), prorated.
    Rate,
    /// The child-month's actual cost, in a hold-harmless period.
    ActualCost,
    /// Installments of a closed-ended rate falling due in the month.
    ClosedEnded,
}

/// The days of a line at one rate.
///
/// # Example
///
/// ```
/// let d = |s: &str| s.parse().unwrap();
/// let s = cwfinance::case_rate::RateSegment { start: d("1998-06-20"), end: d("1998-07-01"), days: 11, rate: cwfinance::Money::from_cents(400_000) };
/// assert_eq!(s.days, 11);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RateSegment {
    /// First day.
    pub start: NaiveDate,
    /// First day after.
    pub end: NaiveDate,
    /// Days.
    pub days: u32,
    /// The monthly rate plus add-ons in force on these days.
    pub rate: Money,
}

/// A closed-ended installment paid in a line.
///
/// # Example
///
/// ```
/// let i = cwfinance::case_rate::InstallmentPaid { number: 1, due: "1997-04-01".parse().unwrap(), amount: cwfinance::Money::from_cents(328_117) };
/// assert_eq!(i.amount.to_string(), "3281.17");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct InstallmentPaid {
    /// 1-based number of the installment in the child's schedule.
    pub number: u32,
    /// The day it fell due.
    pub due: NaiveDate,
    /// The amount.
    pub amount: Money,
}

/// One funder's part of a line or of a total.
///
/// # Example
///
/// ```
/// let f = cwfinance::case_rate::FunderAmount { name: "DSS/Family Services".into(), amount: cwfinance::Money::from_cents(100) };
/// assert_eq!(f.amount.to_string(), "1.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct FunderAmount {
    /// The funder.
    pub name: String,
    /// Its part, in cents.
    pub amount: Money,
}

/// One billing line: one child, one calendar month, one enrollment.
///
/// # Example
///
/// ```
/// use cwfinance::case_rate::{bill, BillOptions, Enrollment, RateSchedule};
/// let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [{"amount": "3300.00"}]})).unwrap();
/// let e = Enrollment::open("WM-1", "2000-01-01".parse().unwrap());
/// let b = bill(&s, &[e], &BillOptions::as_of("2000-02-01".parse().unwrap())).unwrap();
/// assert_eq!(b.lines[0].amount.to_string(), "3300.00");
/// assert_eq!(b.lines[0].days, 31);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct BillLine {
    /// The child.
    pub child: String,
    /// The index of the enrollment in the request.
    pub enrollment: usize,
    /// The first day of the calendar month.
    pub month: NaiveDate,
    /// Days enrolled (and billed) in the month.
    pub days: u32,
    /// The fraction of a month those days earn under the proration convention.
    #[serde(with = "crate::money::decimal_string")]
    #[schemars(with = "String")]
    pub fraction: Decimal,
    /// What the line pays for.
    pub basis: Basis,
    /// The rates in force on the line's days (monthly rates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rates: Vec<RateSegment>,
    /// The installments paid (closed-ended rates).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub installments: Vec<InstallmentPaid>,
    /// What the rate would have paid, on an actual-cost line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rate_amount: Option<Money>,
    /// The amount billed, in cents.
    pub amount: Money,
    /// The amount split across funders, when a split was asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub funders: Vec<FunderAmount>,
}

/// Something the caller should know about a bill: a span cut at its maximum, a closed-ended
/// balance not paid, an actual cost not used.
///
/// # Example
///
/// ```
/// let n = cwfinance::case_rate::Note { code: "cut_at_maximum".into(), child: Some("A".into()), message: "...".into() };
/// assert_eq!(n.code, "cut_at_maximum");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Note {
    /// A stable code: `cut_at_maximum`, `closed_ended_balance_not_paid`,
    /// `actual_cost_not_used`, `actual_cost_on_other_line`, `billed_to_as_of`.
    pub code: String,
    /// The child, when the note is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub child: Option<String>,
    /// In words.
    pub message: String,
}

/// A rate compared with the bill (see [`RateSchedule::reference_rates`]).
///
/// # Example
///
/// ```
/// let c = cwfinance::case_rate::Comparison { name: "residential".into(), rate: cwfinance::Money::from_cents(470_000),
///     amount: cwfinance::Money::from_cents(470_000), difference: cwfinance::Money::from_cents(140_000) };
/// assert_eq!(c.difference.to_string(), "1400.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Comparison {
    /// The reference rate's name.
    pub name: String,
    /// Per child per month.
    pub rate: Money,
    /// What the same child-months would cost at the reference rate (each line prorated and
    /// rounded like the bill's).
    pub amount: Money,
    /// `amount` minus the bill's grand total.
    pub difference: Money,
}

/// A bill: its lines, notes, and the conventions used.
///
/// # Example
///
/// ```
/// use cwfinance::case_rate::{bill, BillOptions, Enrollment, RateSchedule};
/// let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [{"amount": "3988.00"}]})).unwrap();
/// let kids: Vec<Enrollment> = (0..6).map(|i| Enrollment::open(format!("AL-{i}"), "2000-01-01".parse().unwrap())).collect();
/// let b = bill(&s, &kids, &BillOptions::as_of("2000-02-01".parse().unwrap())).unwrap();
/// assert_eq!(b.totals().grand_total.to_string(), "23928.00"); // 6 × 3,988
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bill {
    /// The lines, in enrollment order and month order within an enrollment.
    pub lines: Vec<BillLine>,
    /// Notes.
    pub notes: Vec<Note>,
    /// The proration convention used.
    pub convention: ProrationConvention,
    /// The rounding used (per line).
    pub rounding: Rounding,
    /// Reference-rate comparisons.
    pub comparisons: Vec<Comparison>,
}

/// Totals of a bill.
///
/// # Example
///
/// ```
/// let t = cwfinance::case_rate::Totals::default();
/// assert!(t.by_child.is_empty());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Totals {
    /// By child id.
    pub by_child: BTreeMap<String, Money>,
    /// By month (its first day, `YYYY-MM-DD`).
    pub by_month: BTreeMap<String, Money>,
    /// By funder, in the split's order, when a split was asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub by_funder: Vec<FunderAmount>,
    /// Every line.
    pub grand_total: Money,
    /// How many lines.
    pub lines: usize,
}

impl Bill {
    /// Totals per child, per month, per funder, and the grand total. Lines are already in cents,
    /// so totals are exact sums with no further rounding.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::case_rate::{bill, BillOptions, Enrollment, RateSchedule};
    /// let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [{"amount": "3300.00"}]})).unwrap();
    /// let d = |s: &str| s.parse().unwrap();
    /// let b = bill(&s, &[Enrollment::closed("A", d("2000-01-01"), d("2000-03-01"))], &BillOptions::as_of(d("2001-01-01"))).unwrap();
    /// let t = b.totals();
    /// assert_eq!(t.by_child["A"].to_string(), "6600.00");
    /// assert_eq!(t.by_month["2000-02-01"].to_string(), "3300.00");
    /// ```
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for line in &self.lines {
            *t.by_child.entry(line.child.clone()).or_default() += line.amount;
            *t.by_month.entry(line.month.to_string()).or_default() += line.amount;
            t.grand_total += line.amount;
            for (i, f) in line.funders.iter().enumerate() {
                match t.by_funder.get_mut(i) {
                    Some(acc) if acc.name == f.name => acc.amount += f.amount,
                    Some(_) => {}
                    None => t.by_funder.push(f.clone()),
                }
            }
        }
        t.lines = self.lines.len();
        t
    }
}

/// The fraction of a month as `(numerator, denominator)`, so a line is computed with one
/// division: the same values as [`ProrationConvention::fraction`].
pub(crate) fn fraction_parts(
    convention: ProrationConvention,
    month_days: i64,
    days: i64,
) -> (i64, i64) {
    if days <= 0 || month_days <= 0 {
        return (0, 1);
    }
    if days >= month_days {
        return (1, 1);
    }
    match convention {
        ProrationConvention::ActualDays => (days, month_days),
        ProrationConvention::ThirtyDayMonth => (days.min(30), 30),
        ProrationConvention::WholeMonthIfAnyDay => (1, 1),
    }
}

/// Bill `enrollments` under `schedule`.
///
/// Each child-month is one line: `amount = round(f × Σ rate_s × days_s / days)` where `f` is the
/// convention's fraction of the month for the `days` enrolled, and `rate_s` the rate plus add-ons
/// in force on `days_s` of those days. With actual days this is `Σ rate_s × days_s / days in
/// month`. Rounding to cents happens once per line, with the named [`Rounding`].
///
/// # Example
///
/// ```
/// use cwfinance::case_rate::{bill, BillOptions, Enrollment, RateSchedule};
/// let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [
///     {"from": "1999-03-01", "amount": "3329.00", "add_ons": [{"name": "case management", "amount": "226.00"}]}
/// ]})).unwrap();
/// let d = |s: &str| s.parse().unwrap();
/// let b = bill(&s, &[Enrollment::open("MO-1", d("1999-03-15"))], &BillOptions::as_of(d("1999-04-01"))).unwrap();
/// // 17 of March's 31 days: 3,555 × 17 / 31 = 1,949.516… → 1,949.52
/// assert_eq!(b.lines[0].amount.to_string(), "1949.52");
/// ```
pub fn bill(
    schedule: &RateSchedule,
    enrollments: &[Enrollment],
    options: &BillOptions,
) -> Result<Bill> {
    bill_traced(
        schedule,
        enrollments,
        options,
        &mut Trace::disabled(),
        &BTreeMap::new(),
    )
}

/// One enrollment after limits and the billing window are applied.
#[derive(Debug, Clone, Copy)]
struct SpanPlan {
    index: usize,
    start: NaiveDate,
    /// End after the maximum duration (not as_of, not the window): used for hold-harmless
    /// "first enrolled day of the month".
    enrolled_end: NaiveDate,
    /// The days billed by this call.
    part: Option<Period>,
    /// The exit date: the enrollment's end, when it has one within its limit.
    exit: Option<NaiveDate>,
}

pub(crate) fn bill_traced(
    schedule: &RateSchedule,
    enrollments: &[Enrollment],
    options: &BillOptions,
    trace: &mut Trace,
    cites: &BTreeMap<String, String>,
) -> Result<Bill> {
    schedule.validate().map_err(|e| e.at("schedule"))?;
    let rates = schedule.effective_rates().map_err(|e| e.at("schedule"))?;
    for e in &rates {
        if e.total.amount().abs() > MAX_ABS_AMOUNT {
            return Err(Error::OutOfRange {
                field: format!("schedule.rates[{}]", e.index),
                value: e.total.to_string(),
                rule: "a rate plus add-ons must lie within 1,000,000,000,000,000".into(),
            });
        }
    }
    let convention = options.convention.unwrap_or(schedule.convention);
    let rounding = options.rounding.unwrap_or(schedule.rounding);
    let cite = |key: &str, fallback: &str| {
        cites
            .get(key)
            .cloned()
            .unwrap_or_else(|| fallback.to_string())
    };
    trace.record(|| {
        let mut step = TraceStep::new("rate schedule", format!("{} entries", rates.len()));
        for e in &rates {
            step = step.input(
                &format!("rates[{}]", e.index),
                format!(
                    "{} per child per month, {}",
                    e.total,
                    span_text(e.from, e.until)
                ),
            );
        }
        step.input("convention", code(convention))
            .input("rounding", code(rounding))
            .cite(cite("case_rate.rates[0].amount", SRC_RATES))
    });

    let window_start = options.period.map(|p| p.start).unwrap_or(NaiveDate::MIN);
    let window_end = options
        .period
        .map(|p| p.end)
        .unwrap_or(NaiveDate::MAX)
        .min(options.as_of);
    let mut notes = Vec::new();
    let plans = plan_spans(
        schedule,
        enrollments,
        options,
        window_start,
        window_end,
        &mut notes,
        trace,
        &cite,
    )?;

    // Per child, the enrolled spans in date order, for "first enrolled day of a month".
    let mut by_child: BTreeMap<&str, Vec<(NaiveDate, NaiveDate)>> = BTreeMap::new();
    for p in &plans {
        if let Some(e) = enrollments.get(p.index) {
            by_child
                .entry(e.child.as_str())
                .or_default()
                .push((p.start, p.enrolled_end));
        }
    }
    for spans in by_child.values_mut() {
        spans.sort();
    }

    let mut costs: BTreeMap<(&str, NaiveDate), (Money, usize, bool)> = BTreeMap::new();
    for (i, c) in options.actual_costs.iter().enumerate() {
        let field = format!("actual_costs[{i}]");
        if c.month != crate::calendar::first_of_month(c.month) {
            return Err(Error::invalid(
                format!("{field}.month"),
                c.month.to_string(),
                "a month is written as its first day, such as 1997-03-01",
            ));
        }
        c.amount.non_negative(
            &format!("{field}.amount"),
            "an actual cost cannot be negative",
        )?;
        if let Some((_, j, _)) = costs.insert((c.child.as_str(), c.month), (c.amount, i, false)) {
            return Err(Error::Overlap {
                field,
                value: format!("child {}, month {}", c.child, c.month),
                other: format!("actual_costs[{j}]"),
            });
        }
    }

    let mut lines = Vec::new();
    let mut comparisons: Vec<Money> = vec![Money::ZERO; schedule.reference_rates.len()];
    for plan in &plans {
        let Some(enrollment) = enrollments.get(plan.index) else {
            continue;
        };
        let Some(part) = plan.part else { continue };
        let child = enrollment.child.as_str();
        let installments = match &schedule.closed_ended {
            Some(c) => {
                let due = due_installments(c, plan, rounding, &mut notes, child)?;
                Some(due)
            }
            None => None,
        };
        for (month, days_part) in part.months() {
            let days = days_part.days();
            let (num, den) = fraction_parts(convention, month.days(), days);
            let fraction = convention.fraction(month.start, days);
            let days_u32 = u32::try_from(days).unwrap_or(0);
            for (k, r) in schedule.reference_rates.iter().enumerate() {
                let part_amount = line_amount(r.amount.amount(), num, den, rounding)?;
                if let Some(acc) = comparisons.get_mut(k) {
                    *acc += part_amount;
                }
            }
            let mut line = BillLine {
                child: child.to_string(),
                enrollment: plan.index,
                month: month.start,
                days: days_u32,
                fraction,
                basis: Basis::Rate,
                rates: Vec::new(),
                installments: Vec::new(),
                rate_amount: None,
                amount: Money::ZERO,
                funders: Vec::new(),
            };
            if let Some(due) = &installments {
                let paid: Vec<InstallmentPaid> = due
                    .iter()
                    .filter(|d| days_part.contains(d.due))
                    .cloned()
                    .collect();
                if paid.is_empty() {
                    continue;
                }
                line.basis = Basis::ClosedEnded;
                line.amount = paid.iter().map(|p| p.amount).sum();
                line.installments = paid;
                trace.record(|| {
                    TraceStep::new("closed-ended installments due in the month", line.amount)
                        .input("child", child)
                        .input("month", month.start)
                        .input(
                            "installments",
                            line.installments
                                .iter()
                                .map(|i| format!("#{} {} on {}", i.number, i.amount, i.due))
                                .collect::<Vec<_>>()
                                .join("; "),
                        )
                        .cite(cite("case_rate.closed_ended.total", SRC_CLOSED))
                });
                lines.push(line);
                continue;
            }
            let (segments, weighted) = segments_for(&rates, days_part, plan.index, child)?;
            let weighted_avg_numerator = weighted;
            let rate_amount = {
                let per_day = weighted_avg_numerator
                    .checked_mul(Decimal::from(num))
                    .and_then(|x| x.checked_div(Decimal::from(den) * Decimal::from(days)))
                    .ok_or_else(|| {
                        Error::overflow(format!("enrollments[{}]", plan.index), weighted)
                    })?;
                Money::new(rounding.to_cents(per_day))
            };
            line.rates = segments;
            if let Some(hh) = schedule.hold_harmless_for(month.start) {
                line.basis = Basis::ActualCost;
                line.rate_amount = Some(rate_amount);
                let first_day = by_child
                    .get(child)
                    .and_then(|spans| first_enrolled_day(spans, month))
                    .unwrap_or(days_part.start);
                if days_part.contains(first_day) {
                    match costs.get_mut(&(child, month.start)) {
                        Some((amount, _, used)) => {
                            *used = true;
                            line.amount = *amount;
                        }
                        None => {
                            return Err(Error::MissingParameter {
                                field: "actual_costs".into(),
                                rule: format!(
                                    "child {child} is billed for the month of {}, inside the hold-harmless period [{}, {}) that pays actual cost instead of the rate ({}); give that child-month's actual cost",
                                    month.start,
                                    hh.from,
                                    hh.until,
                                    cite("case_rate.hold_harmless[0].from", SRC_HOLD_HARMLESS)
                                ),
                            });
                        }
                    }
                } else {
                    notes.push(Note {
                        code: "actual_cost_on_other_line".into(),
                        child: Some(child.to_string()),
                        message: format!(
                            "the actual cost of {child}'s month {} is paid once, on the line holding the first enrolled day of the month ({first_day}); this line pays 0.00",
                            month.start
                        ),
                    });
                }
                trace.record(|| {
                    TraceStep::new("hold-harmless month: pay actual cost", line.amount)
                        .input("child", child)
                        .input("month", month.start)
                        .input("rate would have paid", rate_amount)
                        .cite(cite("case_rate.hold_harmless[0].from", SRC_HOLD_HARMLESS))
                });
            } else {
                line.amount = rate_amount;
                trace.record(|| {
                    let rate_index = line
                        .rates
                        .first()
                        .and_then(|s| {
                            rates
                                .iter()
                                .find(|e| e.from <= s.start && s.start < e.until)
                        })
                        .map(|e| e.index)
                        .unwrap_or(0);
                    TraceStep::new(
                        "prorate the month: round(f × Σ rate × days at that rate / days)",
                        line.amount,
                    )
                    .input("child", child)
                    .input("month", month.start)
                    .input("days", days)
                    .input("days in month", month.days())
                    .input("f", format!("{num}/{den}"))
                    .input(
                        "rates",
                        line.rates
                            .iter()
                            .map(|s| format!("{} × {} days", s.rate, s.days))
                            .collect::<Vec<_>>()
                            .join(" + "),
                    )
                    .input("rounding", code(rounding))
                    .cite(cite(
                        &format!("case_rate.rates[{rate_index}].amount"),
                        SRC_MISSOURI,
                    ))
                });
            }
            lines.push(line);
        }
    }
    for ((child, month), (_, i, used)) in &costs {
        let month_period = Period::month_of(*month);
        let in_window = month_period.start < window_end && window_start < month_period.end;
        if !used && in_window {
            notes.push(Note {
                code: "actual_cost_not_used".into(),
                child: Some((*child).to_string()),
                message: format!(
                    "actual_costs[{i}] ({child}, {month}) was not paid: no line of that child-month lies in a hold-harmless period"
                ),
            });
        }
    }
    let grand: Money = lines.iter().map(|l| l.amount).sum();
    let comparisons = schedule
        .reference_rates
        .iter()
        .zip(comparisons)
        .map(|(r, amount)| Comparison {
            name: r.name.clone(),
            rate: r.amount,
            amount,
            difference: amount - grand,
        })
        .collect();
    Ok(Bill {
        lines,
        notes,
        convention,
        rounding,
        comparisons,
    })
}

/// The JSON code of a unit enum (`actual_days`, `half_up`), for traces.
fn code<T: Serialize>(value: T) -> String {
    match serde_json::to_value(value) {
        Ok(serde_json::Value::String(s)) => s,
        _ => String::new(),
    }
}

fn span_text(from: NaiveDate, until: NaiveDate) -> String {
    let f = if from == NaiveDate::MIN {
        "the earliest date".to_string()
    } else {
        from.to_string()
    };
    let u = if until == NaiveDate::MAX {
        "open".to_string()
    } else {
        until.to_string()
    };
    format!("[{f}, {u})")
}

/// `round(rate × num / den)`, for reference comparisons.
fn line_amount(rate: Decimal, num: i64, den: i64, rounding: Rounding) -> Result<Money> {
    rate.checked_mul(Decimal::from(num))
        .and_then(|x| x.checked_div(Decimal::from(den)))
        .map(|x| Money::new(rounding.to_cents(x)))
        .ok_or_else(|| Error::overflow("reference_rates", rate))
}

/// The first enrolled day of `month` among a child's sorted, non-overlapping spans.
fn first_enrolled_day(spans: &[(NaiveDate, NaiveDate)], month: Period) -> Option<NaiveDate> {
    let i = spans.partition_point(|s| s.1 <= month.start);
    let (start, end) = *spans.get(i)?;
    (start < month.end && start < end).then_some(start.max(month.start))
}

/// The rate segments over `part` and `Σ rate × days`; an error names the first day with no
/// rate in force.
fn segments_for(
    rates: &[Effective],
    part: Period,
    index: usize,
    child: &str,
) -> Result<(Vec<RateSegment>, Decimal)> {
    let mut out = Vec::new();
    let mut weighted = Decimal::ZERO;
    let mut cursor = part.start;
    let first = rates.partition_point(|e| e.until <= part.start);
    for e in rates.iter().skip(first) {
        if e.from >= part.end || cursor >= part.end {
            break;
        }
        if e.from > cursor {
            break;
        }
        let end = e.until.min(part.end);
        let days = (end - cursor).num_days();
        weighted += e.total.amount() * Decimal::from(days);
        out.push(RateSegment {
            start: cursor,
            end,
            days: u32::try_from(days).unwrap_or(0),
            rate: e.total,
        });
        cursor = end;
    }
    if cursor < part.end {
        let coverage = if rates.is_empty() {
            "nothing".to_string()
        } else {
            rates
                .iter()
                .map(|e| span_text(e.from, e.until))
                .collect::<Vec<_>>()
                .join(", ")
        };
        return Err(Error::OutOfRange {
            field: format!("enrollments[{index}]"),
            value: cursor.to_string(),
            rule: format!(
                "no case rate is in force on {cursor} (child {child}); the schedule's rates cover {coverage}"
            ),
        });
    }
    Ok((out, weighted))
}

#[allow(clippy::too_many_arguments)]
fn plan_spans(
    schedule: &RateSchedule,
    enrollments: &[Enrollment],
    options: &BillOptions,
    window_start: NaiveDate,
    window_end: NaiveDate,
    notes: &mut Vec<Note>,
    trace: &mut Trace,
    cite: &dyn Fn(&str, &str) -> String,
) -> Result<Vec<SpanPlan>> {
    let as_of = options.as_of;
    let limits = schedule.enrollment.clone().unwrap_or_default();
    let mut plans = Vec::with_capacity(enrollments.len());
    let mut total_lines = 0usize;
    for (i, e) in enrollments.iter().enumerate() {
        let field = format!("enrollments[{i}]");
        if e.child.trim().is_empty() {
            return Err(Error::invalid(
                format!("{field}.child"),
                e.child.clone(),
                "a child id cannot be empty",
            ));
        }
        if let Some(end) = e.end {
            if end < e.start {
                return Err(Error::EndBeforeStart {
                    field,
                    start: e.start.to_string(),
                    end: end.to_string(),
                });
            }
        }
        let requested_end = e.end.unwrap_or(as_of).min(as_of).max(e.start);
        let limit = limits.limit(e.start, e.extension_authorised);
        let mut billed_end = requested_end;
        let mut enrolled_end = e.end.unwrap_or(NaiveDate::MAX);
        if let Some(limit) = limit {
            enrolled_end = enrolled_end.min(limit);
            if requested_end > limit {
                let what = if e.extension_authorised {
                    format!(
                        "{} months plus the authorised {}-month extension",
                        limits.max_months.unwrap_or(0),
                        limits.extension_months
                    )
                } else {
                    format!(
                        "{} months without an authorised extension",
                        limits.max_months.unwrap_or(0)
                    )
                };
                match limits.beyond_maximum {
                    BeyondMaximum::Error => {
                        return Err(Error::OutOfRange {
                            field: format!(
                                "{field}.{}",
                                if e.end.is_some() { "end" } else { "start" }
                            ),
                            value: e
                                .end
                                .map(|d| d.to_string())
                                .unwrap_or_else(|| format!("open at as_of {as_of}")),
                            rule: format!(
                                "child {} may be enrolled for at most {what}, that is before {limit}",
                                e.child
                            ),
                        });
                    }
                    BeyondMaximum::Cut => {
                        billed_end = limit;
                        notes.push(Note {
                            code: "cut_at_maximum".into(),
                            child: Some(e.child.clone()),
                            message: format!(
                                "{field} is billed up to {limit} (exclusive): enrollment may last at most {what}"
                            ),
                        });
                    }
                }
            }
        }
        let exit = e
            .end
            .filter(|&end| limit.is_none_or(|l| end <= l) && end > e.start);
        let part_start = e.start.max(window_start);
        let part_end = billed_end.min(window_end);
        let part = (part_start < part_end).then_some(Period {
            start: part_start,
            end: part_end,
        });
        if let Some(p) = part {
            let months = month_count(p);
            if months > u64::from(MAX_MONTHS) {
                return Err(Error::TooLarge {
                    field,
                    value: format!("{months} months"),
                    limit: format!("{MAX_MONTHS} months per enrollment"),
                });
            }
            total_lines = total_lines.saturating_add(usize::try_from(months).unwrap_or(usize::MAX));
            if total_lines > MAX_LINES {
                return Err(Error::TooLarge {
                    field: "enrollments".into(),
                    value: format!("more than {MAX_LINES} lines"),
                    limit: format!("{MAX_LINES} lines per call"),
                });
            }
        }
        trace.record(|| {
            TraceStep::new(
                "enrollment span billed",
                part.map(|p| span_text(p.start, p.end))
                    .unwrap_or_else(|| "nothing".into()),
            )
            .input("child", &e.child)
            .input("start", e.start)
            .input(
                "end",
                e.end
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "open".into()),
            )
            .input("as_of", as_of)
            .input(
                "limit",
                limit
                    .map(|d| d.to_string())
                    .unwrap_or_else(|| "none".into()),
            )
            .cite(cite("case_rate.enrollment.max_months", SRC_MISSOURI))
        });
        plans.push(SpanPlan {
            index: i,
            start: e.start,
            enrolled_end: enrolled_end.max(e.start),
            part,
            exit,
        });
    }
    // The same child enrolled twice on one day would be paid twice.
    let mut spans: Vec<(&str, NaiveDate, NaiveDate, usize)> = enrollments
        .iter()
        .enumerate()
        .map(|(i, e)| {
            (
                e.child.as_str(),
                e.start,
                e.end.unwrap_or(NaiveDate::MAX),
                i,
            )
        })
        .collect();
    spans.sort();
    for w in spans.windows(2) {
        if let [a, b] = w {
            if a.0 == b.0 && b.1 < a.2 && a.1 < a.2 && b.1 < b.2 {
                return Err(Error::Overlap {
                    field: format!("enrollments[{}]", b.3),
                    value: format!("child {} {}", b.0, span_text(b.1, b.2)),
                    other: format!("enrollments[{}] {}", a.3, span_text(a.1, a.2)),
                });
            }
        }
    }
    Ok(plans)
}

fn month_count(p: Period) -> u64 {
    use chrono::Datelike;
    let last = p.end.pred_opt().unwrap_or(p.end);
    let a = i64::from(p.start.year()) * 12 + i64::from(p.start.month0());
    let b = i64::from(last.year()) * 12 + i64::from(last.month0());
    u64::try_from(b - a + 1).unwrap_or(0)
}

/// The closed-ended installments of one enrollment, with due dates, after the exit rule.
fn due_installments(
    c: &super::schedule::ClosedEndedRate,
    plan: &SpanPlan,
    rounding: Rounding,
    notes: &mut Vec<Note>,
    child: &str,
) -> Result<Vec<InstallmentPaid>> {
    let from = c.from.unwrap_or(NaiveDate::MIN);
    let until = c.until.unwrap_or(NaiveDate::MAX);
    if plan.start < from || plan.start >= until {
        return Err(Error::OutOfRange {
            field: format!("enrollments[{}].start", plan.index),
            value: plan.start.to_string(),
            rule: format!(
                "no case rate is in force on {}: the closed-ended rate applies to enrollments starting in {}",
                plan.start,
                span_text(from, until)
            ),
        });
    }
    let amounts = c
        .installment_amounts(rounding)
        .map_err(|e| e.at("schedule.closed_ended"))?;
    let mut out = Vec::with_capacity(amounts.len());
    let mut unpaid = Money::ZERO;
    for (n, (after, amount)) in amounts.into_iter().enumerate() {
        let months = i32::try_from(after).unwrap_or(i32::MAX);
        let mut due = crate::calendar::add_months(plan.start, months);
        if let Some(exit) = plan.exit {
            if due >= exit {
                match c.remaining_at_exit {
                    RemainingAtExit::NotPaid => {
                        unpaid += amount;
                        continue;
                    }
                    RemainingAtExit::PaidAtExit => due = exit.pred_opt().unwrap_or(exit),
                }
            }
        }
        // A due date past the enrolled span (cut at a maximum) is never inside a line's days.
        if due >= plan.enrolled_end {
            unpaid += amount;
            continue;
        }
        out.push(InstallmentPaid {
            number: u32::try_from(n + 1).unwrap_or(u32::MAX),
            due,
            amount,
        });
    }
    if !unpaid.is_negative() && unpaid != Money::ZERO {
        notes.push(Note {
            code: "closed_ended_balance_not_paid".into(),
            child: Some(child.to_string()),
            message: format!(
                "{unpaid} of the closed-ended total falls due after enrollments[{}] ends (or reaches its maximum duration) and is not paid",
                plan.index
            ),
        });
    }
    Ok(out)
}
