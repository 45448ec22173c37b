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
    check_input(input)?;
    out.funders = split.map(|s| s.len()).unwrap_or(0);
    let as_of_day = day_number(as_of);
    for (row, ((&start, &end), &ext)) in input
        .start
        .iter()
        .zip(&input.end)
        .zip(&input.extension_authorised)
        .enumerate()
    {
        bill_row(schedule, row, start, end, ext, as_of_day, split, out)?;
    }
    Ok(())
}

/// The three input columns have one length, which row numbers (`u32`) can hold.
fn check_input(input: &EnrollmentColumns) -> Result<()> {
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
    Ok(())
}

/// Where billed lines go: [`LineColumns`] (row-major funder parts, reused buffers) or
/// [`BilledTable`] (one column per funder).
trait LineSink {
    /// One line: input row, month as `year × 12 + month − 1`, the month's first day (days from
    /// the common era), enrolled days and cents; split across `split` when given.
    #[allow(clippy::too_many_arguments)]
    fn line(
        &mut self,
        row: u32,
        month: i32,
        first_day: i32,
        days: u8,
        cents: i64,
        split: Option<&PreparedSplit>,
    ) -> Result<()>;

    /// Row `row` was cut at its maximum duration.
    fn cut(&mut self, row: u32);
}

impl LineSink for LineColumns {
    fn line(
        &mut self,
        row: u32,
        month: i32,
        _first_day: i32,
        days: u8,
        cents: i64,
        split: Option<&PreparedSplit>,
    ) -> Result<()> {
        self.enrollment.push(row);
        self.month.push(month);
        self.days.push(days);
        self.amount_cents.push(cents);
        if let Some(split) = split {
            let at = self.funder_cents.len();
            self.funder_cents.resize(at + self.funders, 0);
            if let Some(slot) = self.funder_cents.get_mut(at..) {
                split.allocate_cents_into(cents, slot)?;
            }
        }
        Ok(())
    }

    fn cut(&mut self, row: u32) {
        self.cut_at_maximum.push(row);
    }
}

/// Bill one enrollment row into `out`.
#[allow(clippy::too_many_arguments)]
fn bill_row<S: LineSink>(
    schedule: &BatchSchedule,
    row: usize,
    start: NaiveDate,
    end: Option<NaiveDate>,
    ext: bool,
    as_of_day: i32,
    split: Option<&PreparedSplit>,
    out: &mut S,
) -> Result<()> {
    let rates = schedule.rates.as_slice();
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
                    out.cut(row_u32);
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
        return Ok(());
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
        let (num, den) =
            fraction_parts(schedule.convention, i64::from(month_days), i64::from(days));
        let cents = round_div(
            weighted * i128::from(num),
            i128::from(den) * i128::from(days),
            schedule.rounding,
        );
        let cents = i64::try_from(cents)
            .map_err(|_| Error::overflow(format!("enrollments[{row}]"), Decimal::from(cents)))?;
        out.line(
            row_u32,
            year * 12 + i32::try_from(month0).unwrap_or(0),
            month_start,
            u8::try_from(days).unwrap_or(u8::MAX),
            cents,
            split,
        )
        .map_err(|e| e.at(&format!("enrollments[{row}]")))?;
        month_start = next;
        if month0 == 11 {
            month0 = 0;
            year += 1;
        } else {
            month0 += 1;
        }
    }
    Ok(())
}

/// A whole table of enrollments billed into one set of columns, laid out as columnar libraries
/// (Apache Arrow) hold them, so a binding can hand them over without copying: amounts in cents
/// as `i128` (the layout of Arrow's `decimal128` with scale 2), one column per funder, and each
/// month as its first day counted in days since 1970-01-01 (Arrow's `date32`).
///
/// On every line the funders' parts add up to the amount, and each total is the sum of its
/// column.
///
/// # Example
///
/// ```
/// use cwfinance::case_rate::{RateSchedule, batch::{BatchSchedule, EnrollmentColumns, bill_table}};
/// use cwfinance::split::Split;
///
/// let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [{"amount": "3555.00"}]})).unwrap();
/// let schedule = BatchSchedule::new(&s, None, None).unwrap();
/// let split = Split::from_pairs(&[("DMH", "40%"), ("DSS", "60%")]).unwrap().prepare().unwrap();
/// let mut input = EnrollmentColumns::default();
/// input.push("1999-03-15".parse().unwrap(), None, false);
/// let t = bill_table(&schedule, &input, "1999-05-01".parse().unwrap(), Some(&split)).unwrap();
/// assert_eq!(t.amount_cents, [194_952, 355_500]); // 3,555 × 17/31, then all of April
/// assert_eq!(t.funder_cents[0], [77_981, 142_200]);
/// assert_eq!(t.funder_cents[1], [116_971, 213_300]);
/// assert_eq!(t.month, [10_651, 10_682]); // 1999-03-01 and 1999-04-01 as days since 1970
/// assert_eq!(t.total_cents, 550_452);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BilledTable {
    /// The input row (0-based) of each line.
    pub enrollment: Vec<u32>,
    /// The first day of each line's month, in days since 1970-01-01.
    pub month: Vec<i32>,
    /// Enrolled days in the month.
    pub days: Vec<u8>,
    /// The amount of each line, in cents.
    pub amount_cents: Vec<i128>,
    /// One column per funder, in the split's funder order: each line's part, in cents.
    pub funder_cents: Vec<Vec<i128>>,
    /// Rows (0-based) cut at their maximum duration.
    pub cut_at_maximum: Vec<u32>,
    /// The sum of every line, in cents.
    pub total_cents: i128,
    /// Each funder's total, in cents.
    pub funder_totals: Vec<i128>,
    /// Scratch for one line's parts.
    parts: Vec<i64>,
}

impl BilledTable {
    /// The number of lines.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::case_rate::batch::BilledTable::default().len(), 0);
    /// ```
    pub fn len(&self) -> usize {
        self.amount_cents.len()
    }

    /// True when there are no lines.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(cwfinance::case_rate::batch::BilledTable::default().is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.amount_cents.is_empty()
    }

    fn reserve(&mut self, lines: usize) {
        self.enrollment.reserve(lines);
        self.month.reserve(lines);
        self.days.reserve(lines);
        self.amount_cents.reserve(lines);
        for c in &mut self.funder_cents {
            c.reserve(lines);
        }
    }
}

impl LineSink for BilledTable {
    fn line(
        &mut self,
        row: u32,
        _month: i32,
        first_day: i32,
        days: u8,
        cents: i64,
        split: Option<&PreparedSplit>,
    ) -> Result<()> {
        if let Some(split) = split {
            split.allocate_cents_into(cents, &mut self.parts)?;
            for ((column, total), &part) in self
                .funder_cents
                .iter_mut()
                .zip(&mut self.funder_totals)
                .zip(&self.parts)
            {
                column.push(i128::from(part));
                *total += i128::from(part);
            }
        }
        self.enrollment.push(row);
        self.month.push(first_day - UNIX_EPOCH_DAY);
        self.days.push(days);
        self.amount_cents.push(i128::from(cents));
        self.total_cents += i128::from(cents);
        Ok(())
    }

    fn cut(&mut self, row: u32) {
        self.cut_at_maximum.push(row);
    }
}

/// 1970-01-01 as days from the common era (0001-01-01 is 1).
const UNIX_EPOCH_DAY: i32 = 719_163;

/// Bill every enrollment row before `as_of` into one [`BilledTable`], splitting each line across
/// `split`'s funders when given: the lines and amounts of [`bill_columns`], for a whole table.
///
/// A bad row does not stop the others from being checked: every bad row is reported at once in
/// [`Error::InvalidData`], one problem per row (table `enrollments`, 1-based row, column `start`
/// or `end`, the value, the error's kind as the code), at most 10,000 of them.
///
/// # Example
///
/// ```
/// use cwfinance::case_rate::{RateSchedule, batch::{BatchSchedule, EnrollmentColumns, bill_table}};
/// let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [{"from": "2000-01-01", "amount": "3988.00"}]})).unwrap();
/// let schedule = BatchSchedule::new(&s, None, None).unwrap();
/// let mut input = EnrollmentColumns::default();
/// input.push("2000-01-01".parse().unwrap(), None, false);
/// input.push("2000-01-10".parse().unwrap(), Some("2000-01-05".parse().unwrap()), false);
/// input.push("1999-12-01".parse().unwrap(), None, false);
/// let err = bill_table(&schedule, &input, "2000-02-01".parse().unwrap(), None).unwrap_err();
/// let cwfinance::Error::InvalidData { problems } = err else { panic!() };
/// let rows: Vec<_> = problems.iter().map(|p| (p.row, p.column.as_str(), p.code.as_str())).collect();
/// assert_eq!(rows, [(Some(2), "end", "end_before_start"), (Some(3), "start", "out_of_range")]);
/// ```
pub fn bill_table(
    schedule: &BatchSchedule,
    input: &EnrollmentColumns,
    as_of: NaiveDate,
    split: Option<&PreparedSplit>,
) -> Result<BilledTable> {
    /// Rows billed before the columns are sized for the whole table.
    const SAMPLE_ROWS: usize = 1_000;
    check_input(input)?;
    let funders = split.map(|s| s.len()).unwrap_or(0);
    let mut out = BilledTable {
        funder_cents: vec![Vec::new(); funders],
        funder_totals: vec![0; funders],
        parts: vec![0; funders],
        ..BilledTable::default()
    };
    let as_of_day = day_number(as_of);
    let rows = input.start.len();
    let mut problems = crate::error::RowProblems::new("enrollments");
    for (row, ((&start, &end), &ext)) in input
        .start
        .iter()
        .zip(&input.end)
        .zip(&input.extension_authorised)
        .enumerate()
    {
        if row == SAMPLE_ROWS.min(rows) && row > 0 {
            // Size the columns once from the lines per row so far, rather than growing them.
            let expected = out.len().saturating_mul(rows) / row;
            out.reserve(
                expected
                    .saturating_sub(out.len())
                    .saturating_add(expected / 64),
            );
        }
        if let Err(e) = bill_row(schedule, row, start, end, ext, as_of_day, split, &mut out) {
            problems.add(row, &e, || {
                let column = if matches!(e, Error::EndBeforeStart { .. }) {
                    "end"
                } else {
                    "start"
                };
                let value = match (&e, end) {
                    (Error::EndBeforeStart { .. }, Some(end)) => end.to_string(),
                    _ => e
                        .value()
                        .map(str::to_string)
                        .unwrap_or_else(|| start.to_string()),
                };
                let message = e.to_string();
                let prefix = format!("enrollments[{row}]: ");
                let message = message.strip_prefix(&prefix).unwrap_or(&message);
                (column.to_string(), value, message.to_string())
            });
        }
    }
    problems.into_result().map(|()| out)
}

fn no_rate(row: usize, day: i32) -> Error {
    let date = date_of(day);
    Error::OutOfRange {
        field: format!("enrollments[{row}]"),
        value: date.clone(),
        rule: format!("no case rate is in force on {date}"),
    }
}
