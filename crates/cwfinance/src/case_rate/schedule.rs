//! The `case_rate` configuration: dated monthly rates with add-ons, extended-period
//! (closed-ended) rates, hold-harmless periods and enrollment limits, and its validation.

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::calendar::ProrationConvention;
use crate::error::{Error, Result};
use crate::money::{Money, Percent, Rounding};

/// The largest number of months a limit, extension or closed-ended period may name (100 years).
///
/// # Example
///
/// ```
/// let c: cwfinance::case_rate::ClosedEndedRate = serde_json::from_value(serde_json::json!(
///     {"total": "1.00", "months": cwfinance::case_rate::MAX_MONTHS + 1})).unwrap();
/// assert_eq!(c.validate().unwrap_err().kind(), "out_of_range");
/// ```
pub const MAX_MONTHS: u32 = 1200;

/// How a child is paid for: the `case_rate` section of a program, or a request's own `schedule`.
///
/// Exactly one of `rates` (a monthly, open-ended case rate with effective dates) and
/// `closed_ended` (an extended-period rate) is given.
///
/// # Example
///
/// ```
/// use cwfinance::case_rate::RateSchedule;
///
/// // Commonworks: $4,000 from January 1997, $4,476 from July 1998
/// // (001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks).
/// let s: RateSchedule = serde_json::from_value(serde_json::json!({
///     "rates": [
///         {"from": "1997-01-01", "amount": "4000.00"},
///         {"from": "1998-07-01", "amount": "4476.00"}
///     ]
/// })).unwrap();
/// s.validate().unwrap();
/// assert_eq!(s.rate_on("1998-06-30".parse().unwrap()).unwrap().to_string(), "4000.00");
/// assert_eq!(s.rate_on("1998-07-01".parse().unwrap()).unwrap().to_string(), "4476.00");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateSchedule {
    /// Monthly case rates per child, each in force over its effective dates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rates: Vec<RateEntry>,
    /// An extended-period, closed-ended rate: one total per child for a number of months.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_ended: Option<ClosedEndedRate>,
    /// Periods in which the payer reimburses actual cost instead of the rate.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub hold_harmless: Vec<HoldHarmless>,
    /// How long an enrollment may last.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment: Option<EnrollmentLimits>,
    /// How a partial month is paid (a request may override it).
    #[serde(default)]
    pub convention: ProrationConvention,
    /// How each billing line is rounded to cents (a request may override it).
    #[serde(default)]
    pub rounding: Rounding,
    /// Rates to compare the billed amounts with (Wraparound Milwaukee's residential cost).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reference_rates: Vec<ReferenceRate>,
    /// The planned intake, when the source publishes one (Alameda: 6 a month, 144 in two years).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrollment_plan: Option<EnrollmentPlan>,
}

/// One dated monthly case rate per child, with its add-ons.
///
/// `from` is the first day in force (absent: in force from the earliest date); `until` is the
/// first day no longer in force (absent: in force until the next entry's `from`, or for good).
///
/// # Example
///
/// ```
/// use cwfinance::case_rate::RateEntry;
/// // Missouri: $3,329 a month plus $226 for case management (000_b605dc6c8d05d2b7.txt).
/// let e: RateEntry = serde_json::from_value(serde_json::json!({
///     "from": "1999-03-01", "amount": "3329.00",
///     "add_ons": [{"name": "case management", "amount": "226.00"}]
/// })).unwrap();
/// assert_eq!(e.monthly_total().to_string(), "3555.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateEntry {
    /// First day in force; absent means in force from the earliest date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// First day no longer in force; absent means until the next entry starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// The case rate per child per month.
    pub amount: Money,
    /// Amounts added to the rate per child per month (Missouri's case management).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_ons: Vec<AddOn>,
}

impl RateEntry {
    /// The rate plus every add-on, per child per month.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Money, case_rate::{AddOn, RateEntry}};
    /// let e = RateEntry { from: None, until: None, amount: Money::from_cents(332_900),
    ///     add_ons: vec![AddOn { name: "case management".into(), amount: Money::from_cents(22_600) }] };
    /// assert_eq!(e.monthly_total(), Money::from_cents(355_500));
    /// ```
    pub fn monthly_total(&self) -> Money {
        self.add_ons
            .iter()
            .fold(self.amount, |acc, a| acc + a.amount)
    }
}

/// An amount added to the case rate per child per month.
///
/// # Example
///
/// ```
/// let a: cwfinance::case_rate::AddOn =
///     serde_json::from_value(serde_json::json!({"name": "case management", "amount": "226.00"})).unwrap();
/// assert_eq!(a.amount.to_string(), "226.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AddOn {
    /// What the add-on pays for.
    pub name: String,
    /// The amount per child per month.
    pub amount: Money,
}

/// An extended-period, closed-ended case rate: a total per child for a number of months from
/// enrollment, spread monthly (the default) or paid in installments.
///
/// "They then provide the managed care organization with the total amount of funds. This
/// approach to rate-setting is close-ended - it is limited to the calculated amount"
/// (`001_f8713068464777ee.txt, Case Rates, extended period case rates`).
///
/// # Example
///
/// ```
/// use cwfinance::case_rate::ClosedEndedRate;
/// // Project Destiny: $78,748 per child for 24 months from April 1997.
/// let c: ClosedEndedRate = serde_json::from_value(serde_json::json!({
///     "from": "1997-04-01", "total": "78748.00", "months": 24
/// })).unwrap();
/// let due = c.installment_amounts(cwfinance::Rounding::HalfUp).unwrap();
/// assert_eq!(due.len(), 24);
/// assert_eq!(due[0].1.to_string(), "3281.17");
/// assert_eq!(due[1].1.to_string(), "3281.16");
/// assert_eq!(due.iter().map(|d| d.1).sum::<cwfinance::Money>().to_string(), "78748.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClosedEndedRate {
    /// First enrollment date the rate applies to; absent means any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub from: Option<NaiveDate>,
    /// First enrollment date it no longer applies to; absent means none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub until: Option<NaiveDate>,
    /// The total per child for the whole period.
    pub total: Money,
    /// The length of the period in months, counted from the enrollment date.
    #[serde(with = "count")]
    #[schemars(with = "u32")]
    pub months: u32,
    /// When and how much is paid; empty means equal monthly parts at the start of each month of
    /// the period.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub installments: Vec<Installment>,
    /// What happens to installments not yet due when a child leaves early.
    #[serde(default)]
    pub remaining_at_exit: RemainingAtExit,
}

/// One installment of a closed-ended rate: a share of the total, due a number of months after
/// enrollment.
///
/// # Example
///
/// ```
/// let i: cwfinance::case_rate::Installment =
///     serde_json::from_value(serde_json::json!({"after_months": 12, "share": "50%"})).unwrap();
/// assert_eq!(i.after_months, 12);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Installment {
    /// Months after the enrollment date (0: on the enrollment date).
    #[serde(with = "count")]
    #[schemars(with = "u32")]
    pub after_months: u32,
    /// The share of the total.
    pub share: Percent,
}

/// What happens to closed-ended installments not yet due when a child's enrollment ends.
///
/// The source is silent; the default, `not_paid`, keeps the rate "limited to the calculated
/// amount" for the months actually served, and the response notes the balance not paid.
///
/// # Example
///
/// ```
/// use cwfinance::case_rate::RemainingAtExit;
/// assert_eq!(RemainingAtExit::default(), RemainingAtExit::NotPaid);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RemainingAtExit {
    /// Installments due on or after the exit date are not paid (a note reports the balance).
    #[default]
    NotPaid,
    /// Installments due on or after the exit date are paid on the last enrolled day.
    PaidAtExit,
}

/// A period in which actual cost is paid instead of the rate.
///
/// Commonworks: "DSS also chose to start the project with a 'hold harmless' period, during which
/// lead agencies were reimbursed for their actual costs and cost data was gathered and analyzed.
/// In July, 1998, after 18 months of operation, ..." (`001_f8713068464777ee.txt, Case Rates,
/// Massachusetts Commonworks`). Actual costs are given per child-month, so the period starts and
/// ends on the first of a month.
///
/// # Example
///
/// ```
/// let h: cwfinance::case_rate::HoldHarmless =
///     serde_json::from_value(serde_json::json!({"from": "1997-01-01", "until": "1998-07-01"})).unwrap();
/// assert_eq!(cwfinance::calendar::add_months(h.from, 18), h.until);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct HoldHarmless {
    /// The first month (its first day).
    pub from: NaiveDate,
    /// The first month after the period (its first day).
    pub until: NaiveDate,
}

/// How long an enrollment may last, counted from the enrollment date with
/// [`add_months`](crate::calendar::add_months).
///
/// Missouri: "Children are enrolled for six months; if necessary, an additional three-month
/// period may be authorized" (`000_b605dc6c8d05d2b7.txt`). The extension starts where the first
/// period ends: the limit is `add_months(add_months(start, 6), 3)`.
///
/// # Example
///
/// ```
/// use cwfinance::case_rate::EnrollmentLimits;
/// let l: EnrollmentLimits = serde_json::from_value(serde_json::json!({"max_months": 6, "extension_months": 3})).unwrap();
/// let start = "1999-03-15".parse().unwrap();
/// assert_eq!(l.limit(start, false).unwrap().to_string(), "1999-09-15");
/// assert_eq!(l.limit(start, true).unwrap().to_string(), "1999-12-15");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrollmentLimits {
    /// The longest enrollment, in months; absent means no limit.
    #[serde(default, with = "count_opt", skip_serializing_if = "Option::is_none")]
    #[schemars(with = "Option<u32>")]
    pub max_months: Option<u32>,
    /// Months an authorised extension adds.
    #[serde(default, with = "count")]
    #[schemars(with = "u32")]
    pub extension_months: u32,
    /// What to do with days past the limit.
    #[serde(default)]
    pub beyond_maximum: BeyondMaximum,
}

impl EnrollmentLimits {
    /// The first day past the limit for an enrollment starting `start`, or `None` without a
    /// limit. Month counts above [`MAX_MONTHS`] count as `MAX_MONTHS`.
    ///
    /// # Example
    ///
    /// ```
    /// let l = cwfinance::case_rate::EnrollmentLimits { max_months: Some(6), ..Default::default() };
    /// assert_eq!(l.limit("1999-08-31".parse().unwrap(), false).unwrap().to_string(), "2000-02-29");
    /// ```
    pub fn limit(&self, start: NaiveDate, extension_authorised: bool) -> Option<NaiveDate> {
        // `validate` refuses more than MAX_MONTHS; capping here keeps month arithmetic in range
        // for a caller who skipped it.
        let months = i32::try_from(self.max_months?.min(MAX_MONTHS)).ok()?;
        let first = crate::calendar::add_months(start, months);
        if extension_authorised && self.extension_months > 0 {
            let ext = i32::try_from(self.extension_months.min(MAX_MONTHS)).ok()?;
            Some(crate::calendar::add_months(first, ext))
        } else {
            Some(first)
        }
    }
}

/// What happens to enrolled days past the maximum duration.
///
/// The source gives the limit but not what is paid past it (the CMO may not disenroll a child
/// before the plan of care is met: "no reject, no eject"). The default, `cut`, pays up to the
/// limit and reports a note; `error` refuses the request.
///
/// # Example
///
/// ```
/// assert_eq!(cwfinance::case_rate::BeyondMaximum::default(), cwfinance::case_rate::BeyondMaximum::Cut);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum BeyondMaximum {
    /// Bill up to the limit; a note names the child and the limit.
    #[default]
    Cut,
    /// An [`Error::OutOfRange`] naming the enrollment.
    Error,
}

/// A rate to compare the billed amounts with, for information.
///
/// # Example
///
/// ```
/// let r: cwfinance::case_rate::ReferenceRate = serde_json::from_value(serde_json::json!(
///     {"name": "residential treatment", "amount": "4700.00"})).unwrap();
/// assert_eq!(r.amount.to_string(), "4700.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReferenceRate {
    /// What the rate is.
    pub name: String,
    /// Per child per month.
    pub amount: Money,
}

/// A planned intake: so many new children a month for so many months.
///
/// # Example
///
/// ```
/// let p: cwfinance::case_rate::EnrollmentPlan = serde_json::from_value(serde_json::json!(
///     {"new_children_per_month": 6, "months": 24, "total_children": 144})).unwrap();
/// assert_eq!(p.new_children_per_month * p.months, p.total_children);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EnrollmentPlan {
    /// New children enrolled each month.
    #[serde(with = "count")]
    #[schemars(with = "u32")]
    pub new_children_per_month: u32,
    /// For how many months.
    #[serde(with = "count")]
    #[schemars(with = "u32")]
    pub months: u32,
    /// The total, which must equal the product.
    #[serde(with = "count")]
    #[schemars(with = "u32")]
    pub total_children: u32,
}

/// One monthly rate entry with its effective dates resolved into a half-open span.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Effective {
    pub from: NaiveDate,
    pub until: NaiveDate,
    /// The rate plus add-ons per child per month.
    pub total: Money,
    /// The index of the entry in `rates`, for errors and citations.
    pub index: usize,
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

impl RateSchedule {
    /// Check the schedule: one kind of rate, no negative amounts, no overlapping effective dates
    /// ([`Error::Overlap`]), month-aligned hold-harmless periods, sane limits.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::case_rate::RateSchedule;
    /// let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [
    ///     {"from": "1997-01-01", "until": "1998-08-01", "amount": "4000.00"},
    ///     {"from": "1998-07-01", "amount": "4476.00"}
    /// ]})).unwrap();
    /// let err = s.validate().unwrap_err();
    /// assert_eq!(err.kind(), "overlap");
    /// assert_eq!(err.field(), "rates[1]");
    /// ```
    pub fn validate(&self) -> Result<()> {
        self.effective_rates()?;
        match (&self.closed_ended, self.rates.is_empty()) {
            (Some(_), false) => {
                return Err(Error::invalid(
                    "closed_ended",
                    "",
                    "a schedule has either monthly `rates` or a `closed_ended` rate, not both",
                ));
            }
            (None, true) => {
                return Err(Error::MissingField {
                    field: "rates".into(),
                });
            }
            _ => {}
        }
        if let Some(c) = &self.closed_ended {
            c.validate().map_err(|e| e.at("closed_ended"))?;
            if !self.hold_harmless.is_empty() {
                return Err(Error::invalid(
                    "hold_harmless",
                    "",
                    "hold-harmless periods apply to monthly rates, not to a closed-ended rate",
                ));
            }
        }
        self.check_hold_harmless()?;
        if let Some(l) = &self.enrollment {
            if let Some(m) = l.max_months {
                check_months("enrollment.max_months", m, 1)?;
            }
            check_months("enrollment.extension_months", l.extension_months, 0)?;
        }
        for (i, r) in self.reference_rates.iter().enumerate() {
            r.amount.non_negative(
                &format!("reference_rates[{i}].amount"),
                "a reference rate cannot be negative",
            )?;
        }
        if let Some(p) = &self.enrollment_plan {
            let product = u64::from(p.new_children_per_month) * u64::from(p.months);
            if product != u64::from(p.total_children) {
                return Err(Error::invalid(
                    "enrollment_plan.total_children",
                    p.total_children.to_string(),
                    format!(
                        "{} new children a month for {} months is {product}, not {}",
                        p.new_children_per_month, p.months, p.total_children
                    ),
                ));
            }
        }
        Ok(())
    }

    /// The monthly rate plus add-ons in force on `date`, if any.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::case_rate::RateSchedule;
    /// let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [
    ///     {"from": "1999-03-01", "amount": "3329.00", "add_ons": [{"name": "case management", "amount": "226.00"}]}
    /// ]})).unwrap();
    /// assert_eq!(s.rate_on("1999-03-15".parse().unwrap()).unwrap().to_string(), "3555.00");
    /// assert_eq!(s.rate_on("1999-02-28".parse().unwrap()), None);
    /// ```
    pub fn rate_on(&self, date: NaiveDate) -> Option<Money> {
        self.effective_rates()
            .ok()?
            .into_iter()
            .find(|e| e.from <= date && date < e.until)
            .map(|e| e.total)
    }

    /// The monthly entries resolved into sorted, non-overlapping half-open spans.
    pub(crate) fn effective_rates(&self) -> Result<Vec<Effective>> {
        let mut order: Vec<usize> = (0..self.rates.len()).collect();
        order.sort_by_key(|&i| (self.rates.get(i).and_then(|r| r.from), i));
        let mut out: Vec<Effective> = Vec::with_capacity(order.len());
        for (pos, &i) in order.iter().enumerate() {
            let Some(r) = self.rates.get(i) else { continue };
            let field = format!("rates[{i}]");
            r.amount
                .non_negative(&format!("{field}.amount"), "a case rate cannot be negative")?;
            let mut total = r.amount;
            for (j, a) in r.add_ons.iter().enumerate() {
                a.amount.non_negative(
                    &format!("{field}.add_ons[{j}].amount"),
                    "an add-on cannot be negative",
                )?;
                total = total.checked_add(a.amount, &format!("{field}.add_ons[{j}].amount"))?;
            }
            let from = r.from.unwrap_or(NaiveDate::MIN);
            let next_from = order
                .get(pos + 1)
                .and_then(|&n| self.rates.get(n))
                .map(|n| n.from.unwrap_or(NaiveDate::MIN));
            if let (Some(n), Some(&next)) = (next_from, order.get(pos + 1)) {
                if n == from {
                    return Err(Error::Overlap {
                        field: format!("rates[{next}]"),
                        value: format!("from {}", span_text(from, NaiveDate::MAX)),
                        other: format!("{field}, which starts the same day"),
                    });
                }
            }
            let until = match (r.until, next_from) {
                (Some(u), _) => u,
                (None, Some(n)) => n,
                (None, None) => NaiveDate::MAX,
            };
            if until < from {
                return Err(Error::EndBeforeStart {
                    field: field.clone(),
                    start: from.to_string(),
                    end: until.to_string(),
                });
            }
            if until == from {
                return Err(Error::invalid(
                    field,
                    from.to_string(),
                    "an entry must be in force for at least one day (until is after from)",
                ));
            }
            if let Some(prev) = out.last() {
                if from < prev.until {
                    return Err(Error::Overlap {
                        field: field.clone(),
                        value: span_text(from, until),
                        other: format!(
                            "rates[{}] {}",
                            prev.index,
                            span_text(prev.from, prev.until)
                        ),
                    });
                }
            }
            out.push(Effective {
                from,
                until,
                total,
                index: i,
            });
        }
        Ok(out)
    }

    fn check_hold_harmless(&self) -> Result<()> {
        let mut spans: Vec<(NaiveDate, NaiveDate, usize)> = Vec::new();
        for (i, h) in self.hold_harmless.iter().enumerate() {
            let field = format!("hold_harmless[{i}]");
            for (name, d) in [("from", h.from), ("until", h.until)] {
                if d.day() != 1 {
                    return Err(Error::invalid(
                        format!("{field}.{name}"),
                        d.to_string(),
                        "hold-harmless periods start and end on the first of a month, because actual costs are given per child-month",
                    ));
                }
            }
            if h.until <= h.from {
                return Err(Error::EndBeforeStart {
                    field,
                    start: h.from.to_string(),
                    end: h.until.to_string(),
                });
            }
            spans.push((h.from, h.until, i));
        }
        spans.sort();
        for w in spans.windows(2) {
            if let [a, b] = w {
                if b.0 < a.1 {
                    return Err(Error::Overlap {
                        field: format!("hold_harmless[{}]", b.2),
                        value: span_text(b.0, b.1),
                        other: format!("hold_harmless[{}] {}", a.2, span_text(a.0, a.1)),
                    });
                }
            }
        }
        Ok(())
    }

    /// The hold-harmless period containing the month starting `month`, if any.
    pub(crate) fn hold_harmless_for(&self, month: NaiveDate) -> Option<&HoldHarmless> {
        self.hold_harmless
            .iter()
            .find(|h| h.from <= month && month < h.until)
    }
}

fn check_months(field: &str, m: u32, min: u32) -> Result<()> {
    if m < min || m > MAX_MONTHS {
        return Err(Error::OutOfRange {
            field: field.into(),
            value: m.to_string(),
            rule: format!("a number of months from {min} to {MAX_MONTHS}"),
        });
    }
    Ok(())
}

impl ClosedEndedRate {
    /// Check the total, the period and the installments (shares sum to exactly 100%).
    ///
    /// # Example
    ///
    /// ```
    /// let c: cwfinance::case_rate::ClosedEndedRate = serde_json::from_value(serde_json::json!({
    ///     "total": "1000.00", "months": 12,
    ///     "installments": [{"after_months": 0, "share": "50%"}, {"after_months": 6, "share": "40%"}]
    /// })).unwrap();
    /// assert_eq!(c.validate().unwrap_err().kind(), "shares_do_not_sum");
    /// ```
    pub fn validate(&self) -> Result<()> {
        self.total
            .non_negative("total", "a closed-ended rate cannot be negative")?;
        check_months("months", self.months, 1)?;
        if let (Some(f), Some(u)) = (self.from, self.until) {
            if u <= f {
                return Err(Error::EndBeforeStart {
                    field: "until".into(),
                    start: f.to_string(),
                    end: u.to_string(),
                });
            }
        }
        if self.installments.is_empty() {
            return Ok(());
        }
        let mut sum = Decimal::ZERO;
        for (i, inst) in self.installments.iter().enumerate() {
            let field = format!("installments[{i}]");
            inst.share.non_negative(
                &format!("{field}.share"),
                "an installment share cannot be negative",
            )?;
            if inst.after_months >= self.months {
                return Err(Error::OutOfRange {
                    field: format!("{field}.after_months"),
                    value: inst.after_months.to_string(),
                    rule: format!(
                        "an installment falls due inside the {}-month period (0 to {})",
                        self.months,
                        self.months - 1
                    ),
                });
            }
            sum = sum
                .checked_add(inst.share.fraction())
                .ok_or_else(|| Error::overflow(format!("{field}.share"), inst.share))?;
        }
        if sum != Decimal::ONE {
            return Err(Error::SharesDoNotSum {
                field: "installments".into(),
                sum: Percent::from_fraction(sum).to_string(),
            });
        }
        Ok(())
    }

    /// Each installment as (months after enrollment, amount), in due order, allocated to cents
    /// so that they add up exactly to the total.
    ///
    /// The allocation rounds the running total, not each part: installment `k` is
    /// `round(total × C_k) − round(total × C_(k−1))`, where `C_k` is the cumulative share after
    /// `k` installments (`k/n` when spread monthly). Every part is within one cent of its exact
    /// share, the parts add up to `round(total)`, and any run of months from the start adds up to
    /// the rounded running total. For Project Destiny, $78,748 / 24 = $3,281.1666…: the running
    /// totals are 3,281.17, 6,562.33, 9,843.50, … so the months go .17, .16, .17, repeating.
    ///
    /// # Example
    ///
    /// ```
    /// let c: cwfinance::case_rate::ClosedEndedRate = serde_json::from_value(serde_json::json!({
    ///     "total": "100.00", "months": 3})).unwrap();
    /// let parts = c.installment_amounts(cwfinance::Rounding::HalfUp).unwrap();
    /// let cents: Vec<String> = parts.iter().map(|p| p.1.to_string()).collect();
    /// assert_eq!(cents, ["33.33", "33.34", "33.33"]);
    /// ```
    pub fn installment_amounts(&self, rounding: Rounding) -> Result<Vec<(u32, Money)>> {
        self.validate()?;
        let total = self.total.amount();
        let mut plan: Vec<(u32, Decimal, Decimal)> = if self.installments.is_empty() {
            // (after_months, cumulative numerator, denominator): month k is due k months in.
            (0..self.months)
                .map(|k| (k, Decimal::from(k + 1), Decimal::from(self.months)))
                .collect()
        } else {
            let mut order: Vec<&Installment> = self.installments.iter().collect();
            order.sort_by_key(|i| i.after_months);
            let mut cum = Decimal::ZERO;
            order
                .into_iter()
                .map(|i| {
                    cum += i.share.fraction();
                    (i.after_months, cum, Decimal::ONE)
                })
                .collect()
        };
        let mut out = Vec::with_capacity(plan.len());
        let mut paid = Decimal::ZERO;
        for (after, num, den) in plan.drain(..) {
            let running = total
                .checked_mul(num)
                .and_then(|x| x.checked_div(den))
                .ok_or_else(|| Error::overflow("total", self.total))?;
            let running = rounding.to_cents(running);
            out.push((after, Money::new(running - paid)));
            paid = running;
        }
        Ok(out)
    }
}

/// Serde for a count of months or children: a JSON whole number or a string of digits (program
/// files cite every number as a string).
pub(crate) mod count {
    use serde::de::{self, Visitor};
    use serde::{Deserializer, Serializer};
    use std::fmt;

    pub(crate) struct CountVisitor;

    fn refuse<E: de::Error>(text: &str) -> E {
        E::custom(crate::money::encode_err(
            "invalid_request",
            text,
            "a whole number from 0 to 4294967295 is required",
        ))
    }

    impl<'de> Visitor<'de> for CountVisitor {
        type Value = u32;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            write!(f, "a whole number")
        }
        fn visit_u64<E: de::Error>(self, v: u64) -> Result<u32, E> {
            u32::try_from(v).map_err(|_| refuse(&v.to_string()))
        }
        fn visit_i64<E: de::Error>(self, v: i64) -> Result<u32, E> {
            u32::try_from(v).map_err(|_| refuse(&v.to_string()))
        }
        fn visit_f64<E: de::Error>(self, v: f64) -> Result<u32, E> {
            Err(refuse(&v.to_string()))
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<u32, E> {
            let t = v.trim();
            if t.is_empty() || !t.bytes().all(|b| b.is_ascii_digit()) {
                return Err(refuse(v));
            }
            t.parse::<u32>().map_err(|_| refuse(v))
        }
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        d.deserialize_any(CountVisitor)
    }

    pub(crate) fn serialize<S: Serializer>(v: &u32, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u32(*v)
    }
}

/// [`count`] for an optional field.
pub(crate) mod count_opt {
    use serde::{Deserializer, Serializer};

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u32>, D::Error> {
        super::count::deserialize(d).map(Some)
    }

    pub(crate) fn serialize<S: Serializer>(v: &Option<u32>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(n) => s.serialize_u32(*n),
            None => s.serialize_none(),
        }
    }
}
