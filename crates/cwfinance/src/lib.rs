//! # cwfinance
//!
//! Exact, cited rules for paying private agencies for child-welfare services: monthly and
//! extended-period **case rates**, **risk corridors** and risk pools, **milestone and incentive
//! payments**, **funding splits** between state agencies, **rate setting** from history, and the
//! **HB 1414 performance metrics** Missouri uses to score foster-care case-management providers.
//!
//! Every amount is a [`rust_decimal::Decimal`] inside a newtype ([`Money`], [`Percent`]); no
//! float ever touches money. Every rule cites the public document it comes from, and every
//! program (Commonworks 1998, Kansas FY2000, ...) is a dated, cited data file loaded by
//! [`Program::builtin`]. The core does no I/O and reads no clock: dates are parameters.
//!
//! All of it can be driven by one JSON document format ([`evaluate`]), which the Python and
//! browser packages share byte for byte.
//!
//! # Example
//!
//! ```
//! use cwfinance::{Money, Rounding, split::{Split, SharePolicy}};
//!
//! // Missouri's six divisions, as published (they sum to 100.01%).
//! let split = Split::from_pairs(&[
//!     ("DMH/Alcohol & Drug Abuse", "0.57%"),
//!     ("DMH/Mental Retardation & Developmental Disabilities", "1.72%"),
//!     ("DMH/Comprehensive Psychiatric Services", "12%"),
//!     ("DSS/Youth Services", "7.22%"),
//!     ("DSS/Medical Services", "17.51%"),
//!     ("DSS/Family Services", "60.99%"),
//! ]).unwrap();
//! let err = split.allocate(Money::from_cents(332_900), SharePolicy::Strict, Rounding::HalfUp).unwrap_err();
//! assert_eq!(err.kind(), "shares_do_not_sum");
//! let parts = split.allocate(Money::from_cents(332_900), SharePolicy::Normalize, Rounding::HalfUp).unwrap();
//! assert_eq!(parts.iter().map(|p| p.amount).sum::<Money>(), Money::from_cents(332_900));
//! // DSS/Family Services: 3,329.00 × 60.99% / 100.01% = 2,030.1541 → 2,030.16 by largest remainder.
//! assert_eq!(parts[5].amount.to_string(), "2030.16");
//! ```

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

pub mod calendar;
pub mod case_rate;
pub mod corridor;
pub mod document;
pub mod error;
pub mod intake;
pub mod json;
pub mod metrics;
pub mod milestone;
pub mod money;
pub mod program;
pub mod rate_setting;
pub mod risk_pool;
pub mod split;
pub mod trace;

pub use calendar::{FiscalYearConvention, Period, ProrationConvention, Quarter};
pub use document::{evaluate, evaluate_str};
pub use error::{DataProblem, Error, Result};
pub use money::{Money, Percent, Rounding};
pub use program::{Citation, Program};
pub use trace::{Trace, TraceStep};

/// The README's Rust example runs as a doctest, so the front page cannot rot unseen.
#[cfg(doctest)]
#[doc = include_str!("../../../README.md")]
pub struct ReadmeDoctests;
