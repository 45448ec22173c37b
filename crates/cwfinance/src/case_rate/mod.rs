//! Case rates: monthly open-ended rates with effective dates and add-ons, extended-period
//! (closed-ended) rates, enrollment limits, hold-harmless periods, and billing lines per child per
//! month.
//!
//! "Monthly case rates: ... state or county child welfare agencies pay a set amount per
//! month/per child to an organization responsible for managing care ... The rate is open-ended.
//! Extended period case rates: ... They then provide the managed care organization with the total
//! amount of funds. This approach to rate-setting is close-ended"
//! (`001_f8713068464777ee.txt, Case Rates, Providing Incentives for Achieving Outcomes`).
//!
//! - A [`RateSchedule`] holds dated [`RateEntry`]s (overlaps are [`Error::Overlap`]; a day with
//!   no rate in force is [`Error::OutOfRange`] naming the date) with [`AddOn`]s, or one
//!   [`ClosedEndedRate`]; [`HoldHarmless`] periods that pay actual cost; [`EnrollmentLimits`].
//! - [`bill`] turns [`Enrollment`] spans into [`BillLine`]s: the rate starts on the enrollment
//!   date; each calendar month is one line; a month that straddles a rate change is prorated by
//!   days at each rate; rounding to cents happens once per line.
//! - [`Bill::apply_split`] splits each line across funders with [`crate::split`].
//! - [`batch`] bills columns of enrollments into reusable buffers, for millions of lines.
//!
//! The line formula: `amount = round(f(days) × Σ_s rate_s × days_s / days)`, where `days` are
//! the enrolled days in the month, `days_s` those at rate `rate_s` (rate plus add-ons), and `f`
//! the [`ProrationConvention`]'s fraction of a month. Under actual days (the default) that is
//! `Σ rate_s × days_s / days in month`: billing is additive over sub-spans, exactly when they
//! split at month boundaries and within one cent per split point elsewhere.
//!
//! # Example
//!
//! ```
//! use cwfinance::case_rate::{bill, BillOptions, Enrollment, RateSchedule};
//!
//! // Commonworks: $4,000 until June 1998, $4,476 from July 1998
//! // (001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks).
//! let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [
//!     {"from": "1997-01-01", "amount": "4000.00"},
//!     {"from": "1998-07-01", "amount": "4476.00"}
//! ]})).unwrap();
//! let d = |s: &str| s.parse().unwrap();
//! let b = bill(&s, &[Enrollment::open("CW-1", d("1998-06-01"))], &BillOptions::as_of(d("1998-08-01"))).unwrap();
//! assert_eq!(b.lines[0].amount.to_string(), "4000.00");
//! assert_eq!(b.lines[1].amount.to_string(), "4476.00");
//! ```

pub mod batch;
mod billing;
mod document;
mod schedule;

pub use billing::{
    ActualCost, Basis, Bill, BillLine, BillOptions, Comparison, Enrollment, FunderAmount,
    InstallmentPaid, MAX_LINES, Note, RateSegment, Totals, bill,
};
pub use document::{BillRequest, BillResponse, SplitChoice};
pub use schedule::{
    AddOn, BeyondMaximum, ClosedEndedRate, EnrollmentLimits, EnrollmentPlan, HoldHarmless,
    Installment, MAX_MONTHS, RateEntry, RateSchedule, ReferenceRate, RemainingAtExit,
};

pub(crate) use document::{check_section, run_document};

#[allow(unused_imports)]
use crate::{Error, ProrationConvention};

impl Bill {
    /// Split every line across the funders of `split` (largest remainder, to the cent): each
    /// line's parts add up exactly to the line, and each funder's total to its lines.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Money, split::Split, case_rate::{bill, BillOptions, Enrollment, RateSchedule}};
    /// let s: RateSchedule = serde_json::from_value(serde_json::json!({"rates": [{"amount": "3555.00"}]})).unwrap();
    /// let d = |s: &str| s.parse().unwrap();
    /// let mut b = bill(&s, &[Enrollment::open("A", d("1999-03-01"))], &BillOptions::as_of(d("1999-04-01"))).unwrap();
    /// b.apply_split(&Split::from_pairs(&[("DMH", "40%"), ("DSS", "60%")]).unwrap().prepare().unwrap()).unwrap();
    /// assert_eq!(b.lines[0].funders[1].amount, Money::from_cents(213_300)); // 60% of 3,555.00
    /// ```
    pub fn apply_split(&mut self, split: &crate::split::PreparedSplit) -> crate::Result<()> {
        let mut parts = vec![crate::Money::ZERO; split.len()];
        for (i, line) in self.lines.iter_mut().enumerate() {
            split
                .allocate_into(line.amount, &mut parts)
                .map_err(|e| e.at(&format!("lines[{i}]")))?;
            line.funders = split
                .funders()
                .iter()
                .zip(&parts)
                .map(|(f, a)| FunderAmount {
                    name: f.name.clone(),
                    amount: *a,
                })
                .collect();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
