//! Columnar batch billing: many enrollments into reusable output buffers, with integer cents and
//! no heap allocation in the per-line loop.
//!
//! The batch path gives the same lines and amounts as [`bill`](super::bill) for monthly rates in
//! whole cents (a property test checks it), without the per-line strings, traces and notes. It
//! does not check that one child's enrollments do not overlap; validate with `bill` first when
//! the data is untrusted. Hold-harmless periods and closed-ended rates are billed by `bill` only.
//!
//! # Example
//!
//! ```
//! use cwfinance::case_rate::{RateSchedule, batch::{BatchSchedule, EnrollmentColumns, LineColumns, bill_columns}};
//! use cwfinance::split::Split;
//!
//! let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [
//!     {"from": "1999-03-01", "amount": "3329.00", "add_ons": [{"name": "case management", "amount": "226.00"}]}
//! ]})).unwrap();
//! let schedule = BatchSchedule::new(&s, None, None).unwrap();
//! let split = Split::from_pairs(&[("DMH", "40%"), ("DSS", "60%")]).unwrap().prepare().unwrap();
//! let mut input = EnrollmentColumns::default();
//! input.push("1999-03-15".parse().unwrap(), None, false);
//! let mut out = LineColumns::default();
//! bill_columns(&schedule, &input, "1999-05-01".parse().unwrap(), Some(&split), &mut out).unwrap();
//! assert_eq!(out.amount_cents, vec![194_952, 355_500]); // 3,555 × 17/31, then all of April
//! assert_eq!(out.funder_cents_of(1), &[142_200, 213_300]);
//! ```

use chrono::{Datelike, NaiveDate};
use rust_decimal::Decimal;

use super::billing::fraction_parts;
use super::schedule::{BeyondMaximum, EnrollmentLimits, MAX_MONTHS, RateSchedule};
use crate::calendar::ProrationConvention;
use crate::error::{Error, Result};
use crate::money::{MAX_ABS_AMOUNT, Rounding};
use crate::split::PreparedSplit;

/// A monthly rate in force over `[from, until)`, as days from the common era and whole cents.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct DayRate {
    from: i32,
    until: i32,
    cents: i64,
}

/// A [`RateSchedule`] of monthly rates compiled for [`bill_columns`].
///
/// # Example
///
/// ```
/// use cwfinance::case_rate::{RateSchedule, batch::BatchSchedule};
/// let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [{"amount": "3300.001"}]})).unwrap();
/// assert_eq!(BatchSchedule::new(&s, None, None).unwrap_err().kind(), "invalid_request");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchSchedule {
    rates: Vec<DayRate>,
    convention: ProrationConvention,
    rounding: Rounding,
    limits: EnrollmentLimits,
}

fn day_number(d: NaiveDate) -> i32 {
    d.num_days_from_ce()
}

impl BatchSchedule {
    /// Compile `schedule`, with optional overrides of its convention and rounding. Refuses
    /// closed-ended rates, hold-harmless periods and rates that are not whole cents.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{ProrationConvention, case_rate::{RateSchedule, batch::BatchSchedule}};
    /// let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [{"amount": "3300.00"}]})).unwrap();
    /// let b = BatchSchedule::new(&s, Some(ProrationConvention::ThirtyDayMonth), None).unwrap();
    /// assert_eq!(b.convention(), ProrationConvention::ThirtyDayMonth);
    /// ```
    pub fn new(
        schedule: &RateSchedule,
        convention: Option<ProrationConvention>,
        rounding: Option<Rounding>,
    ) -> Result<Self> {
        schedule.validate().map_err(|e| e.at("schedule"))?;
        if schedule.closed_ended.is_some() || !schedule.hold_harmless.is_empty() {
            return Err(Error::invalid(
                "schedule",
                "",
                "the batch path bills monthly rates; bill closed-ended rates and hold-harmless periods with case_rate::bill",
            ));
        }
        let mut rates = Vec::new();
        for e in schedule.effective_rates().map_err(|e| e.at("schedule"))? {
            let field = format!("schedule.rates[{}]", e.index);
            if e.total.amount().abs() > MAX_ABS_AMOUNT {
                return Err(Error::OutOfRange {
                    field,
                    value: e.total.to_string(),
                    rule: "a rate plus add-ons must lie within 1,000,000,000,000,000".into(),
                });
            }
            let cents = e.total.cents().ok_or_else(|| {
                Error::invalid(
                    field,
                    e.total.to_string(),
                    "the batch path needs rates in whole cents",
                )
            })?;
            rates.push(DayRate {
                from: if e.from == NaiveDate::MIN {
                    i32::MIN
                } else {
                    day_number(e.from)
                },
                until: if e.until == NaiveDate::MAX {
                    i32::MAX
                } else {
                    day_number(e.until)
                },
                cents,
            });
        }
        Ok(BatchSchedule {
            rates,
            convention: convention.unwrap_or(schedule.convention),
            rounding: rounding.unwrap_or(schedule.rounding),
            limits: schedule.enrollment.clone().unwrap_or_default(),
        })
    }

    /// The proration convention used.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::case_rate::{RateSchedule, batch::BatchSchedule};
    /// let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [{"amount": "1.00"}]})).unwrap();
    /// assert_eq!(BatchSchedule::new(&s, None, None).unwrap().convention(), cwfinance::ProrationConvention::ActualDays);
    /// ```
    pub fn convention(&self) -> ProrationConvention {
        self.convention
    }

    /// The rounding used, once per line.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::case_rate::{RateSchedule, batch::BatchSchedule};
    /// let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [{"amount": "1.00"}]})).unwrap();
    /// assert_eq!(BatchSchedule::new(&s, None, None).unwrap().rounding(), cwfinance::Rounding::HalfUp);
    /// ```
    pub fn rounding(&self) -> Rounding {
        self.rounding
    }
}

/// Enrollments as columns: row `i` is `start[i]`, `end[i]` (first day no longer enrolled, or
/// open), `extension_authorised[i]`.
///
/// # Example
///
/// ```
/// let mut c = cwfinance::case_rate::batch::EnrollmentColumns::default();
/// c.push("1999-03-01".parse().unwrap(), None, false);
/// assert_eq!(c.len(), 1);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnrollmentColumns {
    /// Enrollment dates.
    pub start: Vec<NaiveDate>,
    /// Disenrollment dates (first day no longer enrolled), or `None` while enrolled.
    pub end: Vec<Option<NaiveDate>>,
    /// Whether the extension is authorised.
    pub extension_authorised: Vec<bool>,
}

impl EnrollmentColumns {
    /// Add a row.
    ///
    /// # Example
    ///
    /// ```
    /// let mut c = cwfinance::case_rate::batch::EnrollmentColumns::default();
    /// c.push("1999-03-01".parse().unwrap(), Some("1999-06-01".parse().unwrap()), true);
    /// assert!(c.extension_authorised[0]);
    /// ```
    pub fn push(&mut self, start: NaiveDate, end: Option<NaiveDate>, extension_authorised: bool) {
        self.start.push(start);
        self.end.push(end);
        self.extension_authorised.push(extension_authorised);
    }

    /// The number of rows (of the shortest column).
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::case_rate::batch::EnrollmentColumns::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.start
            .len()
            .min(self.end.len())
            .min(self.extension_authorised.len())
    }

    /// True when there are no rows.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(cwfinance::case_rate::batch::EnrollmentColumns::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Remove every row, keeping the capacity.
    ///
    /// # Example
    ///
    /// ```
    /// let mut c = cwfinance::case_rate::batch::EnrollmentColumns::default();
    /// c.push("1999-03-01".parse().unwrap(), None, false);
    /// c.clear();
    /// assert!(c.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.start.clear();
        self.end.clear();
        self.extension_authorised.clear();
    }
}

/// Billing lines as columns, reused across calls: line `i` is enrollment row `enrollment[i]`,
/// month `month[i]` (`year × 12 + month − 1`), `days[i]` enrolled days, `amount_cents[i]`, and
/// the funders' parts at `funder_cents[i × funders .. (i + 1) × funders]`.
///
/// # Example
///
/// ```
/// let out = cwfinance::case_rate::batch::LineColumns::default();
/// assert_eq!(out.len(), 0);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LineColumns {
    /// The enrollment row of each line.
    pub enrollment: Vec<u32>,
    /// The month of each line, as `year × 12 + month − 1`.
    pub month: Vec<i32>,
    /// Enrolled days in the month.
    pub days: Vec<u8>,
    /// The amount, in cents.
    pub amount_cents: Vec<i64>,
    /// The funders' parts, `funders` per line, in the split's funder order.
    pub funder_cents: Vec<i64>,
    /// Funders per line (0 without a split).
    pub funders: usize,
    /// Rows cut at their maximum duration.
    pub cut_at_maximum: Vec<u32>,
}

impl LineColumns {
    /// The number of lines.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(cwfinance::case_rate::batch::LineColumns::default().is_empty());
    /// ```
    pub fn len(&self) -> usize {
        self.amount_cents.len()
    }

    /// True when there are no lines.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(cwfinance::case_rate::batch::LineColumns::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.amount_cents.is_empty()
    }

    /// Remove every line, keeping the capacity (so the next call allocates nothing).
    ///
    /// # Example
    ///
    /// ```
    /// let mut out = cwfinance::case_rate::batch::LineColumns::default();
    /// out.clear();
    /// assert!(out.is_empty());
    /// ```
    pub fn clear(&mut self) {
        self.enrollment.clear();
        self.month.clear();
        self.days.clear();
        self.amount_cents.clear();
        self.funder_cents.clear();
        self.cut_at_maximum.clear();
    }

    /// The first day of line `i`'s month.
    ///
    /// # Example
    ///
    /// ```
    /// let mut out = cwfinance::case_rate::batch::LineColumns::default();
    /// out.month.push(1999 * 12 + 2);
    /// assert_eq!(out.month_start(0).unwrap().to_string(), "1999-03-01");
    /// ```
    pub fn month_start(&self, i: usize) -> Option<NaiveDate> {
        let m = *self.month.get(i)?;
        let month0 = u32::try_from(m.rem_euclid(12)).ok()?;
        NaiveDate::from_ymd_opt(m.div_euclid(12), month0 + 1, 1)
    }

    /// The funders' parts of line `i`, in cents (empty without a split).
    ///
    /// # Example
    ///
    /// ```
    /// assert!(cwfinance::case_rate::batch::LineColumns::default().funder_cents_of(0).is_empty());
    /// ```
    pub fn funder_cents_of(&self, i: usize) -> &[i64] {
        let n = self.funders;
        i.checked_mul(n)
            .and_then(|a| self.funder_cents.get(a..a.checked_add(n)?))
            .unwrap_or(&[])
    }

    /// The sum of every line, in cents.
    ///
    /// # Example
    ///
    /// ```
    /// let mut out = cwfinance::case_rate::batch::LineColumns::default();
    /// out.amount_cents.extend([1, 2]);
    /// assert_eq!(out.total_cents(), 3);
    /// ```
    pub fn total_cents(&self) -> i128 {
        self.amount_cents.iter().map(|&c| i128::from(c)).sum()
    }
}

fn days_in_month(year: i32, month0: u32) -> i32 {
    match month0 {
        0 | 2 | 4 | 6 | 7 | 9 | 11 => 31,
        3 | 5 | 8 | 10 => 30,
        _ => {
            if (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 {
                29
            } else {
                28
            }
        }
    }
}

/// `n / d` rounded to a whole number with `mode` (`d > 0`), exactly.
pub(crate) fn round_div(n: i128, d: i128, mode: Rounding) -> i128 {
    let q = n.div_euclid(d);
    let r = n.rem_euclid(d);
    let twice = r * 2;
    if twice > d {
        q + 1
    } else if twice < d {
        q
    } else {
        match mode {
            // Away from zero: up for positive, down (q, the floor) for negative.
            Rounding::HalfUp => {
                if n >= 0 {
                    q + 1
                } else {
                    q
                }
            }
            Rounding::HalfEven => {
                if q % 2 == 0 {
                    q
                } else {
                    q + 1
                }
            }
        }
    }
}

fn date_of(day: i32) -> String {
    NaiveDate::from_num_days_from_ce_opt(day)
        .map(|d| d.to_string())
        .unwrap_or_else(|| day.to_string())
}

/// Bill every enrollment row billed before `as_of` into `out` (cleared first), splitting each
/// line across `split`'s funders when given. Lines and amounts are those of
/// [`bill`](super::bill); enrollments past their maximum are cut or refused as the schedule says.
///
/// # Example
///
/// ```
/// use cwfinance::case_rate::{RateSchedule, batch::{BatchSchedule, EnrollmentColumns, LineColumns, bill_columns}};
/// let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [{"amount": "3988.00"}]})).unwrap();
/// let schedule = BatchSchedule::new(&s, None, None).unwrap();
/// let mut input = EnrollmentColumns::default();
/// for _ in 0..6 { input.push("2000-01-01".parse().unwrap(), None, false); }
/// let mut out = LineColumns::default();
/// bill_columns(&schedule, &input, "2000-02-01".parse().unwrap(), None, &mut out).unwrap();
/// assert_eq!(out.total_cents(), 6 * 398_800);
/// ```
pub fn bill_columns(
    schedule: &BatchSchedule,
    input: &EnrollmentColumns,
    as_of: NaiveDate,
    split: Option<&PreparedSplit>,
    out: &mut LineColumns,
) -> Result<()> {
    out.clear();
    let rows = input.start.len();
    if input.end.len() != rows || input.extension_authorised.len() != rows {
        return Err(Error::invalid(
            "enrollments",
            format!(
                "{rows}, {}, {}",
                input.end.len(),
                input.extension_authorised.len()
            ),
            "the start, end and extension_authorised columns must have the same length",
        ));
    }
    if u32::try_from(rows).is_err() {
        return Err(Error::TooLarge {
            field: "enrollments".into(),
            value: rows.to_string(),
            limit: u32::MAX.to_string(),
        });
    }
    let funders = split.map(|s| s.len()).unwrap_or(0);
    out.funders = funders;
    let as_of_day = day_number(as_of);
    let rates = schedule.rates.as_slice();
    let rounding = schedule.rounding;
    let convention = schedule.convention;
    for (row, ((&start, &end), &ext)) in input
        .start
        .iter()
        .zip(&input.end)
        .zip(&input.extension_authorised)
        .enumerate()
    {
        let row_u32 = u32::try_from(row).unwrap_or(u32::MAX);
        let start_day = day_number(start);
        if let Some(e) = end {
            if e < start {
                return Err(Error::EndBeforeStart {
                    field: format!("enrollments[{row}]"),
                    start: start.to_string(),
                    end: e.to_string(),
                });
            }
        }
        let mut end_day = end.map(day_number).unwrap_or(as_of_day).min(as_of_day);
        if let Some(limit) = schedule.limits.limit(start, ext) {
            let limit_day = day_number(limit);
            if end_day > limit_day {
                match schedule.limits.beyond_maximum {
                    BeyondMaximum::Cut => {
                        end_day = limit_day;
                        out.cut_at_maximum.push(row_u32);
                    }
                    BeyondMaximum::Error => {
                        return Err(Error::OutOfRange {
                            field: format!("enrollments[{row}]"),
                            value: date_of(end_day),
                            rule: format!("enrollment may last only until {limit}"),
                        });
                    }
                }
            }
        }
        if end_day <= start_day {
            continue;
        }
        let mut year = start.year();
        let mut month0 = start.month0();
        let mut month_start = start_day - i32::try_from(start.day0()).unwrap_or(0);
        let months = {
            let last = NaiveDate::from_num_days_from_ce_opt(end_day - 1).unwrap_or(start);
            (i64::from(last.year()) - i64::from(year)) * 12 + i64::from(last.month0())
                - i64::from(month0)
                + 1
        };
        if months > i64::from(MAX_MONTHS) {
            return Err(Error::TooLarge {
                field: format!("enrollments[{row}]"),
                value: format!("{months} months"),
                limit: format!("{MAX_MONTHS} months per enrollment"),
            });
        }
        let mut rate_index = rates.partition_point(|r| r.until <= start_day);
        // The per-line loop: integer arithmetic into preallocated columns.
        while month_start < end_day {
            let month_days = days_in_month(year, month0);
            let next = month_start + month_days;
            let a = start_day.max(month_start);
            let b = end_day.min(next);
            let days = b - a;
            let mut weighted: i128 = 0;
            let mut cursor = a;
            while cursor < b {
                let Some(r) = rates.get(rate_index) else {
                    return Err(no_rate(row, cursor));
                };
                if r.until <= cursor {
                    rate_index += 1;
                    continue;
                }
                if r.from > cursor {
                    return Err(no_rate(row, cursor));
                }
                let seg_end = r.until.min(b);
                weighted += i128::from(r.cents) * i128::from(seg_end - cursor);
                cursor = seg_end;
            }
            let (num, den) = fraction_parts(convention, i64::from(month_days), i64::from(days));
            let cents = round_div(
                weighted * i128::from(num),
                i128::from(den) * i128::from(days),
                rounding,
            );
            let cents = i64::try_from(cents).map_err(|_| {
                Error::overflow(format!("enrollments[{row}]"), Decimal::from(cents))
            })?;
            out.enrollment.push(row_u32);
            out.month
                .push(year * 12 + i32::try_from(month0).unwrap_or(0));
            out.days.push(u8::try_from(days).unwrap_or(u8::MAX));
            out.amount_cents.push(cents);
            if let Some(split) = split {
                let at = out.funder_cents.len();
                out.funder_cents.resize(at + funders, 0);
                if let Some(slot) = out.funder_cents.get_mut(at..) {
                    split
                        .allocate_cents_into(cents, slot)
                        .map_err(|e| e.at(&format!("enrollments[{row}]")))?;
                }
            }
            month_start = next;
            if month0 == 11 {
                month0 = 0;
                year += 1;
            } else {
                month0 += 1;
            }
        }
    }
    Ok(())
}

fn no_rate(row: usize, day: i32) -> Error {
    let date = date_of(day);
    Error::OutOfRange {
        field: format!("enrollments[{row}]"),
        value: date.clone(),
        rule: format!("no case rate is in force on {date}"),
    }
}
