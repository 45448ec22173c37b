//! Funding splits: dividing an amount between funders by percentage shares, to the cent.
//!
//! A [`Split`] is a list of [`Funder`]s with [`Percent`] shares. Allocating an amount gives each
//! funder a whole number of cents, and the cents always add up exactly to the amount. The method is
//! **largest remainder** (Hamilton's method): every funder first gets its exact share rounded
//! toward zero to the cent, and the cents left over go one each to the funders with the largest
//! remainders. Ties are broken deterministically: the larger remainder first, then the larger
//! share, then the funder listed earlier. Each amount is therefore within one cent of its exact
//! share (strictly less than a cent away). A negative amount (a recoupment or credit) is allocated
//! as the mirror image of the positive amount, so a funder that took the extra cent of a payment
//! also takes the extra cent of its reversal.
//!
//! Shares that do not add up to 100% need a [`SharePolicy`]: [`SharePolicy::Strict`] (the default)
//! refuses them with [`Error::SharesDoNotSum`] stating the actual sum, [`SharePolicy::Normalize`]
//! divides each share by their sum, and [`SharePolicy::Residual`] gives one named funder whatever
//! the others leave (100% minus the others' shares). The Missouri Interdepartmental Initiative's
//! six divisions sum to 100.01% as published (`000_b605dc6c8d05d2b7.txt, Case rate financing by
//! division`), which is why the policy is explicit.
//!
//! The shares themselves can be derived from historical expenditures by funder ([`derive_shares`]):
//! that source says "the percentage at which each division participates was calculated from the
//! actual expenditures identified in the historical costs for the target population".
//!
//! All arithmetic on shares is exact: shares are turned into integer numerators over one common
//! denominator, and the amount into integer cents, so remainders compare exactly and ties are real
//! ties. [`PreparedSplit`] does that work once; [`PreparedSplit::allocate_into`] then allocates
//! with no heap allocation for splits of up to 16 funders, for batch billing.
//!
//! # Example
//!
//! ```
//! use cwfinance::{Money, Rounding, split::{SharePolicy, Split}};
//!
//! let split = Split::from_pairs(&[("State", "70%"), ("Federal", "30%")]).unwrap();
//! let parts = split.allocate(Money::from_cents(1), SharePolicy::Strict, Rounding::HalfUp).unwrap();
//! // One cent: 0.7 and 0.3 of a cent; the larger remainder (State's 0.7) takes it.
//! assert_eq!(parts[0].amount, Money::from_cents(1));
//! assert_eq!(parts[1].amount, Money::ZERO);
//! ```

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::document::Context;
use crate::error::{Error, Result};
use crate::money::{Money, Percent, Rounding};
use crate::trace::{Trace, TraceStep};

/// The source of the Missouri split and of the rule that shares come from expenditures.
const MISSOURI_SPLIT_SOURCE: &str = "000_b605dc6c8d05d2b7.txt, Case rate financing by division";

/// The largest amount, in cents, that a split accepts: 10^17 cents, the ±10^15 dollar input bound.
const MAX_ABS_CENTS: i128 = 100_000_000_000_000_000;

/// Splits with at most this many funders allocate without touching the heap.
const INLINE_FUNDERS: usize = 16;

/// One funder of a split and its share.
///
/// # Example
///
/// ```
/// use cwfinance::split::Funder;
/// let f: Funder = serde_json::from_value(serde_json::json!({"name": "DSS/Family Services", "share": "60.99%"})).unwrap();
/// assert_eq!(f.share.to_string(), "60.99%");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Funder {
    /// The funder's name, unique within the split (for example `DSS/Family Services`).
    pub name: String,
    /// Its share of every amount, from 0% to 100% (`"60.99%"` or `"0.6099"`).
    pub share: Percent,
}

/// What to do when the shares do not add up to exactly 100%.
///
/// In JSON: `"strict"`, `"normalize"`, or `{"residual": {"funder": "DSS/Family Services"}}`.
///
/// # Example
///
/// ```
/// use cwfinance::split::SharePolicy;
/// let p: SharePolicy = serde_json::from_value(serde_json::json!({"residual": {"funder": "DSS/Family Services"}})).unwrap();
/// assert_eq!(p, SharePolicy::Residual { funder: "DSS/Family Services".into() });
/// assert_eq!(serde_json::to_value(SharePolicy::Normalize).unwrap(), "normalize");
/// ```
#[derive(
    Debug, Clone, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum SharePolicy {
    /// Refuse shares that do not sum to exactly 100% with [`Error::SharesDoNotSum`], which states
    /// the actual sum. The default: a split that does not add up is usually a typing error, and
    /// the payer should decide how to absorb the difference.
    #[default]
    Strict,
    /// Divide every share by the sum of the shares, so that they sum to 100% and keep their
    /// proportions. Fits shares that were rounded from expenditures (Missouri's 100.01%).
    Normalize,
    /// The named funder takes 100% minus the other funders' shares; its own listed share is
    /// replaced. Fits a payer of last resort. The other shares must not exceed 100%.
    Residual {
        /// The funder that absorbs the difference; it must be one of the split's funders.
        funder: String,
    },
}

impl SharePolicy {
    /// A short description, for traces.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::split::SharePolicy::Normalize.describe(), "normalize");
    /// ```
    pub fn describe(&self) -> String {
        match self {
            SharePolicy::Strict => "strict".into(),
            SharePolicy::Normalize => "normalize".into(),
            SharePolicy::Residual { funder } => format!("residual to {funder}"),
        }
    }
}

/// A set of funders with percentage shares, the policy for shares that do not sum to 100%, and
/// the rounding applied to amounts that carry fractions of a cent before they are allocated.
///
/// In JSON (and in a program's `split` section): `{"funders": [{"name", "share"}...],
/// "policy": "strict", "rounding": "half_up"}`; `policy` defaults to `strict` and `rounding` to
/// `half_up`.
///
/// # Example
///
/// ```
/// use cwfinance::{Money, split::{SharePolicy, Split}};
///
/// let split = Split::from_pairs(&[("DMH", "40%"), ("DSS", "60%")]).unwrap();
/// let parts = split.prepare().unwrap().allocate(Money::from_cents(100_001)).unwrap();
/// // 1000.01 * 40% = 400.004 and * 60% = 600.006: floors 400.00 + 600.00, one cent left over,
/// // and DSS has the larger remainder (0.6 of a cent against 0.4).
/// assert_eq!(parts[0].amount.to_string(), "400.00");
/// assert_eq!(parts[1].amount.to_string(), "600.01");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Split {
    /// The funders, in the order they are reported (the order also breaks the last ties).
    pub funders: Vec<Funder>,
    /// What to do when the shares do not sum to 100%; `strict` when absent.
    #[serde(default)]
    pub policy: SharePolicy,
    /// How an amount with fractions of a cent is rounded to cents before it is allocated;
    /// `half_up` when absent. The allocation itself never rounds: it is largest remainder.
    #[serde(default)]
    pub rounding: Rounding,
}

/// One funder's part of one amount.
///
/// # Example
///
/// ```
/// use cwfinance::{Money, split::Split};
/// let split = Split::from_pairs(&[("A", "50%"), ("B", "50%")]).unwrap();
/// let parts = split.prepare().unwrap().allocate(Money::from_cents(1)).unwrap();
/// assert_eq!(parts[0].exact.to_string(), "0.005");
/// // Equal remainders and equal shares: the earlier funder takes the cent.
/// assert_eq!(parts[0].amount, Money::from_cents(1));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Allocation {
    /// The funder's name.
    pub funder: String,
    /// The share as listed in the split.
    pub share: Percent,
    /// The share actually applied after the policy (normalized, or the residual).
    pub share_used: Percent,
    /// The exact, unrounded share of the amount (to `Decimal`'s 28 significant digits when the
    /// quotient does not terminate, as under `normalize`).
    pub exact: Money,
    /// The amount to the cent.
    pub amount: Money,
}

/// A split checked and turned into exact integer fractions, ready to allocate many amounts fast.
///
/// Build it once with [`Split::prepare`] (or [`Split::prepare_with`]); then every allocation is a
/// few integer multiplications and divisions per funder.
///
/// # Example
///
/// ```
/// use cwfinance::{Money, split::Split};
///
/// let prepared = Split::from_pairs(&[("A", "1%"), ("B", "2%"), ("C", "97%")]).unwrap().prepare().unwrap();
/// let mut out = [Money::ZERO; 3];
/// prepared.allocate_into(Money::from_cents(10_000), &mut out).unwrap();
/// assert_eq!(out, [Money::from_cents(100), Money::from_cents(200), Money::from_cents(9_700)]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PreparedSplit {
    funders: Vec<Funder>,
    shares_used: Vec<Percent>,
    share_sum: Percent,
    policy: SharePolicy,
    rounding: Rounding,
    /// Each funder's share used, as an integer over `denominator`.
    numerators: Vec<u128>,
    denominator: u128,
    /// The same numerators as `u64`, when the narrow path is usable (`narrow_limit > 0`).
    narrow_numerators: Vec<u64>,
    narrow_denominator: u64,
    /// The largest magnitude in cents whose products with every numerator fit a `u64`.
    narrow_limit: u64,
    /// The largest magnitude in cents whose products with every numerator fit a `u128`.
    wide_limit: u128,
    /// Each funder's tie-break rank: 0 for the largest share (earliest among equals).
    ranks: Vec<u32>,
}

/// A table of amounts allocated row by row ([`PreparedSplit::allocate_table`]): the amounts
/// and each funder's parts in cents, one column per funder in the split's funder order, with
/// their totals.
///
/// # Example
///
/// ```
/// use cwfinance::{Money, split::Split};
/// let p = Split::from_pairs(&[("A", "1%"), ("B", "99%")]).unwrap().prepare().unwrap();
/// let t = p.allocate_table(&[Money::from_cents(50); 4]).unwrap();
/// assert_eq!(t.funder_totals, [0, 200]);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SplitTable {
    /// Each amount, rounded to cents.
    pub amount_cents: Vec<i128>,
    /// One column per funder: each row's part, in cents.
    pub funder_cents: Vec<Vec<i128>>,
    /// Each funder's total, in cents.
    pub funder_totals: Vec<i128>,
    /// The sum of the amounts, in cents.
    pub total_cents: i128,
}

/// The allocation of many amounts (a ledger) with per-funder totals.
///
/// Method: every line is allocated on its own by largest remainder, so each line adds up exactly
/// and each of its amounts is within one cent of its exact share; a funder's total is the sum of
/// its line amounts; the grand total is the sum of the lines, which equals the sum of the
/// funders' totals. A funder's total may differ from its exact share of the grand total by up to
/// one cent per line: re-allocating the grand total instead would make totals disagree with the
/// lines that were actually billed.
///
/// # Example
///
/// ```
/// use cwfinance::{Money, split::Split};
/// let p = Split::from_pairs(&[("A", "50%"), ("B", "50%")]).unwrap().prepare().unwrap();
/// let ledger = p.allocate_ledger(&[Money::from_cents(1), Money::from_cents(1), Money::from_cents(3)]).unwrap();
/// // Each odd cent goes to A (equal remainders, equal shares, earlier funder).
/// assert_eq!(ledger.totals[0].amount, Money::from_cents(4));
/// assert_eq!(ledger.totals[1].amount, Money::from_cents(1));
/// assert_eq!(ledger.total, Money::from_cents(5));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Ledger {
    /// Every line, in input order.
    pub lines: Vec<LedgerLine>,
    /// Per funder: `amount` is the sum of its line amounts, `exact` the sum of its exact shares.
    pub totals: Vec<Allocation>,
    /// The sum of the lines (each rounded to cents first).
    pub total: Money,
}

/// One line of a [`Ledger`].
///
/// # Example
///
/// ```
/// use cwfinance::{Money, split::Split};
/// let p = Split::from_pairs(&[("A", "100%")]).unwrap().prepare().unwrap();
/// let ledger = p.allocate_ledger(&[Money::from_cents(250)]).unwrap();
/// assert_eq!(ledger.lines[0].allocations, vec![Money::from_cents(250)]);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct LedgerLine {
    /// The line's amount, rounded to cents.
    pub amount: Money,
    /// Each funder's part, in the split's funder order.
    pub allocations: Vec<Money>,
}

impl Split {
    /// A split of `funders` with the default policy (`strict`) and rounding (`half_up`), checked
    /// with [`Split::validate`].
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::split::{Funder, Split};
    /// let err = Split::new(vec![]).unwrap_err();
    /// assert_eq!(err.field(), "funders");
    /// let ok = Split::new(vec![Funder { name: "State".into(), share: "100%".parse().unwrap() }]).unwrap();
    /// assert_eq!(ok.funders.len(), 1);
    /// ```
    pub fn new(funders: Vec<Funder>) -> Result<Split> {
        let split = Split {
            funders,
            policy: SharePolicy::default(),
            rounding: Rounding::default(),
        };
        split.validate()?;
        Ok(split)
    }

    /// A split from `(name, share)` pairs, shares written as `"60.99%"` or `"0.6099"`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::split::Split;
    /// let s = Split::from_pairs(&[("DMH", "39.01%"), ("DSS", "60.99%")]).unwrap();
    /// assert_eq!(s.share_sum().to_string(), "100%");
    /// let err = Split::from_pairs(&[("DMH", "-1%")]).unwrap_err();
    /// assert_eq!((err.kind(), err.field()), ("negative_amount", "funders[0].share"));
    /// ```
    pub fn from_pairs(pairs: &[(&str, &str)]) -> Result<Split> {
        let funders = pairs
            .iter()
            .enumerate()
            .map(|(i, (name, share))| {
                Ok(Funder {
                    name: (*name).to_string(),
                    share: Percent::parse(&format!("funders[{i}].share"), share)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Split::new(funders)
    }

    /// The same split with `policy`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::split::{SharePolicy, Split};
    /// let s = Split::from_pairs(&[("A", "30%"), ("B", "50%")]).unwrap().with_policy(SharePolicy::Normalize);
    /// // 50% / 80% = 62.5%.
    /// assert_eq!(s.prepare().unwrap().shares_used()[1].to_string(), "62.5%");
    /// ```
    pub fn with_policy(mut self, policy: SharePolicy) -> Split {
        self.policy = policy;
        self
    }

    /// The same split with `rounding`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Rounding, split::Split};
    /// let s = Split::from_pairs(&[("A", "100%")]).unwrap().with_rounding(Rounding::HalfEven);
    /// assert_eq!(s.rounding, Rounding::HalfEven);
    /// ```
    pub fn with_rounding(mut self, rounding: Rounding) -> Split {
        self.rounding = rounding;
        self
    }

    /// The sum of the listed shares (before any policy).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::split::Split;
    /// let s = Split::from_pairs(&[("A", "0.57%"), ("B", "99.44%")]).unwrap();
    /// assert_eq!(s.share_sum().to_string(), "100.01%");
    /// ```
    pub fn share_sum(&self) -> Percent {
        Percent::from_fraction(self.funders.iter().fold(Decimal::ZERO, |acc, f| {
            acc.saturating_add(f.share.fraction())
        }))
    }

    /// Check the split's structure: at least one funder, non-empty unique names, shares from 0%
    /// to 100%, and (for `residual`) a residual funder that is one of the funders. The sum of the
    /// shares is checked by the policy, in [`Split::prepare`].
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::split::Split;
    /// let err = Split::from_pairs(&[("A", "50%"), ("A", "50%")]).unwrap_err();
    /// assert_eq!((err.kind(), err.field()), ("invalid_request", "funders[1].name"));
    /// let err = Split::from_pairs(&[("A", "150%")]).unwrap_err();
    /// assert_eq!(err.kind(), "out_of_range");
    /// ```
    pub fn validate(&self) -> Result<()> {
        if self.funders.is_empty() {
            return Err(Error::invalid(
                "funders",
                "[]",
                "a split needs at least one funder",
            ));
        }
        let mut seen = BTreeSet::new();
        for (i, f) in self.funders.iter().enumerate() {
            if f.name.trim().is_empty() {
                return Err(Error::invalid(
                    format!("funders[{i}].name"),
                    f.name.clone(),
                    "a funder needs a name",
                ));
            }
            if !seen.insert(f.name.as_str()) {
                return Err(Error::invalid(
                    format!("funders[{i}].name"),
                    f.name.clone(),
                    "funder names must be unique within a split",
                ));
            }
            f.share.non_negative(
                &format!("funders[{i}].share"),
                "a funding share cannot be negative",
            )?;
            if f.share.fraction() > Decimal::ONE {
                return Err(Error::OutOfRange {
                    field: format!("funders[{i}].share"),
                    value: f.share.to_string(),
                    rule: "a funding share lies between 0% and 100%".into(),
                });
            }
        }
        if let SharePolicy::Residual { funder } = &self.policy {
            if !seen.contains(funder.as_str()) {
                return Err(Error::UnknownId {
                    field: "policy.residual.funder".into(),
                    value: funder.clone(),
                    what: "funder".into(),
                    known: self
                        .funders
                        .iter()
                        .map(|f| f.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        Ok(())
    }

    /// Check the split, apply its own policy, and turn the shares into exact fractions.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::split::Split;
    /// let err = Split::from_pairs(&[("A", "60%"), ("B", "40.01%")]).unwrap().prepare().unwrap_err();
    /// assert_eq!(err.kind(), "shares_do_not_sum");
    /// assert_eq!(err.value(), Some("100.01%"));
    /// ```
    pub fn prepare(&self) -> Result<PreparedSplit> {
        self.prepare_with(&self.policy, self.rounding)
    }

    /// Like [`Split::prepare`], with `policy` and `rounding` in place of the split's own.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Rounding, split::{SharePolicy, Split}};
    /// let s = Split::from_pairs(&[("A", "60%"), ("B", "40.01%")]).unwrap();
    /// let p = s.prepare_with(&SharePolicy::Residual { funder: "B".into() }, Rounding::HalfUp).unwrap();
    /// assert_eq!(p.shares_used()[1].to_string(), "40%");
    /// ```
    pub fn prepare_with(&self, policy: &SharePolicy, rounding: Rounding) -> Result<PreparedSplit> {
        let checked = Split {
            funders: self.funders.clone(),
            policy: policy.clone(),
            rounding,
        };
        checked.validate()?;
        PreparedSplit::build(checked)
    }

    /// Allocate `amount` under `policy`, rounding it to cents with `rounding` first if it carries
    /// fractions of a cent. The parts add up exactly to the (rounded) amount.
    ///
    /// For many amounts, [`Split::prepare_with`] once and then [`PreparedSplit::allocate_into`].
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Money, Rounding, split::{SharePolicy, Split}};
    /// let s = Split::from_pairs(&[("A", "1%"), ("B", "1%"), ("C", "1%")]).unwrap();
    /// let parts = s.allocate(Money::from_cents(100), SharePolicy::Normalize, Rounding::HalfUp).unwrap();
    /// let cents: Vec<_> = parts.iter().map(|p| p.amount.to_string()).collect();
    /// // 33.33... cents each; the one leftover cent goes to A (all ties, A is listed first).
    /// assert_eq!(cents, ["0.34", "0.33", "0.33"]);
    /// ```
    pub fn allocate(
        &self,
        amount: Money,
        policy: SharePolicy,
        rounding: Rounding,
    ) -> Result<Vec<Allocation>> {
        self.prepare_with(&policy, rounding)?.allocate(amount)
    }
}

/// Ten to the power `exp`, for exp up to 38.
fn pow10(exp: u32) -> Option<u128> {
    10u128.checked_pow(exp)
}

/// A non-negative decimal as an integer numerator over 10^`scale` (`scale` at least its own).
fn numerator_at_scale(d: Decimal, scale: u32) -> Option<u128> {
    let mantissa = u128::try_from(d.mantissa()).ok()?;
    mantissa.checked_mul(pow10(scale.checked_sub(d.scale())?)?)
}

impl PreparedSplit {
    fn build(split: Split) -> Result<PreparedSplit> {
        let Split {
            funders,
            policy,
            rounding,
        } = split;
        let fractions: Vec<Decimal> = funders
            .iter()
            .map(|f| f.share.fraction().normalize())
            .collect();
        let scale = fractions.iter().map(|d| d.scale()).max().unwrap_or(0);
        let too_precise = || {
            Error::overflow(
                "funders",
                "shares carry too many decimal places for exact allocation",
            )
        };
        let mut numerators = fractions
            .iter()
            .map(|d| numerator_at_scale(*d, scale).ok_or_else(too_precise))
            .collect::<Result<Vec<u128>>>()?;
        let one = pow10(scale).ok_or_else(too_precise)?;
        let listed_sum = numerators
            .iter()
            .try_fold(0u128, |acc, n| acc.checked_add(*n))
            .ok_or_else(too_precise)?;
        let share_sum = Percent::from_fraction(
            fractions
                .iter()
                .fold(Decimal::ZERO, |acc, d| acc.saturating_add(*d)),
        );
        let mut shares_used: Vec<Percent> = funders.iter().map(|f| f.share).collect();
        let denominator = match &policy {
            SharePolicy::Strict => {
                if listed_sum != one {
                    return Err(Error::SharesDoNotSum {
                        field: "funders".into(),
                        sum: share_sum.to_string(),
                    });
                }
                one
            }
            SharePolicy::Normalize => {
                if listed_sum == 0 {
                    return Err(Error::invalid(
                        "funders",
                        share_sum.to_string(),
                        "the shares sum to 0%, so they cannot be normalized",
                    ));
                }
                let sum = share_sum.fraction();
                for (used, f) in shares_used.iter_mut().zip(&fractions) {
                    *used = Percent::from_fraction(f.checked_div(sum).unwrap_or(*f).normalize());
                }
                listed_sum
            }
            SharePolicy::Residual { funder } => {
                let index = funders
                    .iter()
                    .position(|f| &f.name == funder)
                    .ok_or_else(|| Error::UnknownId {
                        field: "policy.residual.funder".into(),
                        value: funder.clone(),
                        what: "funder".into(),
                        known: funders
                            .iter()
                            .map(|f| f.name.as_str())
                            .collect::<Vec<_>>()
                            .join(", "),
                    })?;
                let own = numerators.get(index).copied().unwrap_or(0);
                let others = listed_sum.saturating_sub(own);
                let rest = one.checked_sub(others).ok_or_else(|| {
                    let other_sum = fractions
                        .iter()
                        .enumerate()
                        .filter(|(i, _)| *i != index)
                        .fold(Decimal::ZERO, |acc, (_, d)| acc.saturating_add(*d));
                    Error::OutOfRange {
                        field: "funders".into(),
                        value: Percent::from_fraction(other_sum).to_string(),
                        rule: format!(
                            "the shares other than the residual funder {funder:?} must not exceed 100%"
                        ),
                    }
                })?;
                if let Some(n) = numerators.get_mut(index) {
                    *n = rest;
                }
                let rest_fraction = Decimal::from_i128_with_scale(
                    i128::try_from(rest).map_err(|_| too_precise())?,
                    scale,
                );
                if let Some(used) = shares_used.get_mut(index) {
                    *used = Percent::from_fraction(rest_fraction.normalize());
                }
                one
            }
        };
        // Remainders live in `u128` and the wide path shifts them left by one bit.
        if denominator >= 1u128 << 126 {
            return Err(too_precise());
        }
        let max_numerator = numerators.iter().copied().max().unwrap_or(0).max(1);
        let wide_limit = u128::MAX / max_numerator;
        let (narrow_numerators, narrow_denominator, narrow_limit) = match u64::try_from(denominator)
        {
            Ok(d) if max_numerator <= u128::from(u64::MAX) => {
                let limit = u64::MAX / u64::try_from(max_numerator).unwrap_or(u64::MAX);
                let nums = numerators
                    .iter()
                    .map(|n| u64::try_from(*n).unwrap_or(0))
                    .collect();
                (nums, d, limit)
            }
            _ => (Vec::new(), 1, 0),
        };
        let mut order: Vec<usize> = (0..funders.len()).collect();
        order.sort_by(|a, b| {
            let na = numerators.get(*a).copied().unwrap_or(0);
            let nb = numerators.get(*b).copied().unwrap_or(0);
            nb.cmp(&na).then(a.cmp(b))
        });
        let mut ranks = vec![0u32; funders.len()];
        for (rank, index) in order.iter().enumerate() {
            if let Some(r) = ranks.get_mut(*index) {
                *r = u32::try_from(rank).unwrap_or(u32::MAX);
            }
        }
        Ok(PreparedSplit {
            funders,
            shares_used,
            share_sum,
            policy,
            rounding,
            numerators,
            denominator,
            narrow_numerators,
            narrow_denominator,
            narrow_limit,
            wide_limit,
            ranks,
        })
    }

    /// The number of funders.
    ///
    /// # Example
    ///
    /// ```
    /// let p = cwfinance::split::Split::from_pairs(&[("A", "100%")]).unwrap().prepare().unwrap();
    /// assert_eq!(p.len(), 1);
    /// ```
    pub fn len(&self) -> usize {
        self.funders.len()
    }

    /// Always false: a split has at least one funder.
    ///
    /// # Example
    ///
    /// ```
    /// let p = cwfinance::split::Split::from_pairs(&[("A", "100%")]).unwrap().prepare().unwrap();
    /// assert!(!p.is_empty());
    /// ```
    pub fn is_empty(&self) -> bool {
        self.funders.is_empty()
    }

    /// The funders as listed.
    ///
    /// # Example
    ///
    /// ```
    /// let p = cwfinance::split::Split::from_pairs(&[("A", "100%")]).unwrap().prepare().unwrap();
    /// assert_eq!(p.funders()[0].name, "A");
    /// ```
    pub fn funders(&self) -> &[Funder] {
        &self.funders
    }

    /// The shares actually applied, after the policy, in funder order.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Rounding, split::{SharePolicy, Split}};
    /// let p = Split::from_pairs(&[("A", "25%"), ("B", "25%")]).unwrap()
    ///     .prepare_with(&SharePolicy::Normalize, Rounding::HalfUp).unwrap();
    /// assert_eq!(p.shares_used()[0].to_string(), "50%");
    /// ```
    pub fn shares_used(&self) -> &[Percent] {
        &self.shares_used
    }

    /// The sum of the listed shares, before the policy.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Rounding, split::{SharePolicy, Split}};
    /// let p = Split::from_pairs(&[("A", "25%"), ("B", "25%")]).unwrap()
    ///     .prepare_with(&SharePolicy::Normalize, Rounding::HalfUp).unwrap();
    /// assert_eq!(p.share_sum().to_string(), "50%");
    /// ```
    pub fn share_sum(&self) -> Percent {
        self.share_sum
    }

    /// The policy that was applied.
    ///
    /// # Example
    ///
    /// ```
    /// let p = cwfinance::split::Split::from_pairs(&[("A", "100%")]).unwrap().prepare().unwrap();
    /// assert_eq!(p.policy(), &cwfinance::split::SharePolicy::Strict);
    /// ```
    pub fn policy(&self) -> &SharePolicy {
        &self.policy
    }

    /// The rounding applied to amounts with fractions of a cent.
    ///
    /// # Example
    ///
    /// ```
    /// let p = cwfinance::split::Split::from_pairs(&[("A", "100%")]).unwrap().prepare().unwrap();
    /// assert_eq!(p.rounding(), cwfinance::Rounding::HalfUp);
    /// ```
    pub fn rounding(&self) -> Rounding {
        self.rounding
    }

    /// `amount` in whole cents, rounded with the split's rounding when it carries fractions of a
    /// cent; [`Error::OutOfRange`] beyond ±10^15 dollars.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Money;
    /// let p = cwfinance::split::Split::from_pairs(&[("A", "100%")]).unwrap().prepare().unwrap();
    /// assert_eq!(p.to_cents("1.005".parse::<Money>().unwrap()).unwrap(), 101);
    /// ```
    pub fn to_cents(&self, amount: Money) -> Result<i64> {
        let mut d = amount.amount();
        if d.scale() > 2 {
            d = self.rounding.to_cents(d);
        }
        let cents = u32::try_from(2i64 - i64::from(d.scale()))
            .ok()
            .and_then(pow10)
            .and_then(|p| i128::try_from(p).ok())
            .and_then(|p| d.mantissa().checked_mul(p));
        match cents {
            Some(c) if c.abs() <= MAX_ABS_CENTS => Ok(i64::try_from(c).unwrap_or(0)),
            _ => Err(Error::OutOfRange {
                field: "amount".into(),
                value: amount.to_string(),
                rule: "amounts must lie within ±1,000,000,000,000,000".into(),
            }),
        }
    }

    /// Allocate `amount` into `out` (one place per funder, in funder order) without allocating
    /// memory (for splits of up to 16 funders). The parts add up exactly to the amount rounded to
    /// cents; each is within one cent of its exact share.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Money, split::Split};
    /// let p = Split::from_pairs(&[("A", "0.57%"), ("B", "99.43%")]).unwrap().prepare().unwrap();
    /// let mut out = [Money::ZERO; 2];
    /// p.allocate_into(Money::from_cents(-332_900), &mut out).unwrap();
    /// // A recoupment mirrors a payment: -18.9753 and -3310.0247 give -18.98 and -3310.02.
    /// assert_eq!(out, [Money::from_cents(-1_898), Money::from_cents(-331_002)]);
    /// ```
    pub fn allocate_into(&self, amount: Money, out: &mut [Money]) -> Result<()> {
        let cents = self.to_cents(amount)?;
        let k = self.len();
        if out.len() != k {
            return Err(self.wrong_length(out.len()));
        }
        if k <= INLINE_FUNDERS {
            let mut buf = [0i64; INLINE_FUNDERS];
            let mut rems = [0u128; INLINE_FUNDERS];
            let (buf, rems) = (&mut buf[..k], &mut rems[..k]);
            self.split_cents(cents, buf, rems);
            for (o, c) in out.iter_mut().zip(buf.iter()) {
                *o = Money::from_cents(*c);
            }
        } else {
            let mut buf = vec![0i64; k];
            let mut rems = vec![0u128; k];
            self.split_cents(cents, &mut buf, &mut rems);
            for (o, c) in out.iter_mut().zip(buf.iter()) {
                *o = Money::from_cents(*c);
            }
        }
        Ok(())
    }

    /// Allocate a whole number of cents into `out` (cents per funder, in funder order), for
    /// billing engines that keep cents. Amounts beyond ±10^17 cents are refused.
    ///
    /// # Example
    ///
    /// ```
    /// let p = cwfinance::split::Split::from_pairs(&[("A", "50%"), ("B", "50%")]).unwrap().prepare().unwrap();
    /// let mut out = [0i64; 2];
    /// p.allocate_cents_into(-3, &mut out).unwrap();
    /// assert_eq!(out, [-2, -1]);
    /// ```
    pub fn allocate_cents_into(&self, cents: i64, out: &mut [i64]) -> Result<()> {
        if i128::from(cents).abs() > MAX_ABS_CENTS {
            return Err(Error::OutOfRange {
                field: "amount".into(),
                value: format!("{cents} cents"),
                rule: "amounts must lie within ±10^17 cents".into(),
            });
        }
        let k = self.len();
        if out.len() != k {
            return Err(self.wrong_length(out.len()));
        }
        if k <= INLINE_FUNDERS {
            let mut rems = [0u128; INLINE_FUNDERS];
            self.split_cents(cents, out, &mut rems[..k]);
        } else {
            let mut rems = vec![0u128; k];
            self.split_cents(cents, out, &mut rems);
        }
        Ok(())
    }

    fn wrong_length(&self, got: usize) -> Error {
        Error::invalid(
            "out",
            got.to_string(),
            format!("the output needs one place per funder ({})", self.len()),
        )
    }

    /// Allocate every amount of a table, row by row, into one column per funder, laid out as
    /// columnar libraries (Apache Arrow) hold them so a binding can hand them over without
    /// copying: cents as `i128` (Arrow's `decimal128` with scale 2). Each amount is first rounded
    /// to cents with the split's rounding; on every row the funders' parts add up to it.
    ///
    /// A bad amount does not stop the others from being checked: every bad row is reported at
    /// once in [`Error::InvalidData`] (table `amounts`, 1-based row, column `amount`), at most
    /// 10,000 of them.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Money, split::Split};
    /// let p = Split::from_pairs(&[("DMH", "40%"), ("DSS", "60%")]).unwrap().prepare().unwrap();
    /// let t = p.allocate_table(&[Money::from_cents(332_900), "0.015".parse().unwrap()]).unwrap();
    /// assert_eq!(t.amount_cents, [332_900, 2]); // 1.5 cents rounds half up to 2
    /// assert_eq!(t.funder_cents, [vec![133_160, 1], vec![199_740, 1]]);
    /// assert_eq!(t.funder_totals, [133_161, 199_741]);
    /// assert_eq!(t.total_cents, 332_902);
    ///
    /// let big = Money::new("1e16".parse().unwrap());
    /// let err = p.allocate_table(&[Money::ZERO, big]).unwrap_err();
    /// let cwfinance::Error::InvalidData { problems } = err else { panic!() };
    /// assert_eq!((problems[0].row, problems[0].code.as_str()), (Some(2), "out_of_range"));
    /// ```
    pub fn allocate_table(&self, amounts: &[Money]) -> Result<SplitTable> {
        let k = self.len();
        let n = amounts.len();
        let mut out = SplitTable {
            amount_cents: Vec::with_capacity(n),
            funder_cents: (0..k).map(|_| Vec::with_capacity(n)).collect(),
            funder_totals: vec![0; k],
            total_cents: 0,
        };
        let mut parts = vec![0i64; k];
        let mut problems = crate::error::RowProblems::new("amounts");
        for (i, &amount) in amounts.iter().enumerate() {
            let cents = self
                .to_cents(amount)
                .and_then(|c| self.allocate_cents_into(c, &mut parts).map(|()| c));
            match cents {
                Ok(c) => {
                    out.amount_cents.push(i128::from(c));
                    out.total_cents += i128::from(c);
                    for ((column, total), &part) in out
                        .funder_cents
                        .iter_mut()
                        .zip(&mut out.funder_totals)
                        .zip(&parts)
                    {
                        column.push(i128::from(part));
                        *total += i128::from(part);
                    }
                }
                Err(e) => problems.add(i, &e, || {
                    let message = e.to_string();
                    let message = message.strip_prefix("amount: ").unwrap_or(&message);
                    ("amount".into(), amount.to_string(), message.to_string())
                }),
            }
        }
        problems.into_result().map(|()| out)
    }

    /// Allocate `amount`, with each funder's name, shares and exact part.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Money, split::Split};
    /// let p = Split::from_pairs(&[("A", "12%"), ("B", "88%")]).unwrap().prepare().unwrap();
    /// let parts = p.allocate(Money::from_cents(332_900)).unwrap();
    /// assert_eq!(parts[0].exact.to_string(), "399.48");
    /// assert_eq!(parts[0].amount.to_string(), "399.48");
    /// ```
    pub fn allocate(&self, amount: Money) -> Result<Vec<Allocation>> {
        let cents = self.to_cents(amount)?;
        let mut out = vec![0i64; self.len()];
        let mut rems = vec![0u128; self.len()];
        self.split_cents(cents, &mut out, &mut rems);
        let rounded = Money::from_cents(cents);
        Ok(self
            .funders
            .iter()
            .zip(&self.shares_used)
            .zip(&out)
            .map(|((f, used), c)| Allocation {
                funder: f.name.clone(),
                share: f.share,
                share_used: *used,
                exact: exact_part(rounded, *used),
                amount: Money::from_cents(*c),
            })
            .collect())
    }

    /// Allocate every amount of a ledger; see [`Ledger`] for how the totals are kept exact.
    /// Errors name the line (`amounts[3]`).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Money, split::Split};
    /// let p = Split::from_pairs(&[("A", "1%"), ("B", "99%")]).unwrap().prepare().unwrap();
    /// let ledger = p.allocate_ledger(&[Money::from_cents(50); 4]).unwrap();
    /// // Each line: 0.5 and 49.5 cents; B's larger share breaks the tie, so A gets 0 every time.
    /// assert_eq!(ledger.totals[0].amount, Money::ZERO);
    /// assert_eq!(ledger.totals[1].amount, Money::from_cents(200));
    /// ```
    pub fn allocate_ledger(&self, amounts: &[Money]) -> Result<Ledger> {
        let k = self.len();
        let mut totals = vec![0i128; k];
        let mut grand = 0i128;
        let mut lines = Vec::with_capacity(amounts.len());
        let mut cents_buf = vec![0i64; k];
        let mut rems = vec![0u128; k];
        for (i, amount) in amounts.iter().enumerate() {
            let cents = self
                .to_cents(*amount)
                .map_err(|e| e.at(&format!("amounts[{i}]")))?;
            self.split_cents(cents, &mut cents_buf, &mut rems);
            for (t, c) in totals.iter_mut().zip(&cents_buf) {
                *t = t.saturating_add(i128::from(*c));
            }
            grand = grand.saturating_add(i128::from(cents));
            lines.push(LedgerLine {
                amount: Money::from_cents(cents),
                allocations: cents_buf.iter().map(|c| Money::from_cents(*c)).collect(),
            });
        }
        let to_money = |c: i128| -> Result<Money> {
            Decimal::try_from_i128_with_scale(c, 2)
                .map(Money::new)
                .map_err(|_| Error::overflow("amounts", format!("{c} cents")))
        };
        let total = to_money(grand)?;
        let totals = self
            .funders
            .iter()
            .zip(&self.shares_used)
            .zip(&totals)
            .map(|((f, used), c)| {
                Ok(Allocation {
                    funder: f.name.clone(),
                    share: f.share,
                    share_used: *used,
                    exact: exact_part(total, *used),
                    amount: to_money(*c)?,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Ledger {
            lines,
            totals,
            total,
        })
    }

    /// The core: floors by exact integer arithmetic, then leftover cents by largest remainder.
    /// `out` and `rems` have one place per funder; `cents` is within ±10^17.
    fn split_cents(&self, cents: i64, out: &mut [i64], rems: &mut [u128]) {
        let magnitude = cents.unsigned_abs();
        let mut floors = 0u64;
        if magnitude <= self.narrow_limit {
            let den = self.narrow_denominator;
            for ((o, r), n) in out
                .iter_mut()
                .zip(rems.iter_mut())
                .zip(&self.narrow_numerators)
            {
                // Cannot overflow: magnitude <= u64::MAX / max numerator.
                let p = magnitude * n;
                let q = p / den;
                *o = q as i64;
                *r = u128::from(p - q * den);
                floors += q;
            }
        } else if u128::from(magnitude) <= self.wide_limit {
            let den = self.denominator;
            for ((o, r), n) in out.iter_mut().zip(rems.iter_mut()).zip(&self.numerators) {
                let p = u128::from(magnitude) * n;
                let q = p / den;
                *o = q as i64;
                *r = p - q * den;
                floors += q as u64;
            }
        } else {
            for ((o, r), n) in out.iter_mut().zip(rems.iter_mut()).zip(&self.numerators) {
                let (q, rem) = mul_div_rem(magnitude, *n, self.denominator);
                *o = q as i64;
                *r = rem;
                floors += q;
            }
        }
        // The floors sum to at most the amount, and fall short by fewer cents than there are funders.
        let leftover = magnitude.saturating_sub(floors);
        if leftover > 0 {
            self.distribute(leftover, out, rems);
        }
        if cents < 0 {
            for o in out.iter_mut() {
                *o = -*o;
            }
        }
    }

    /// Give one cent each to the `leftover` funders with the largest remainders; ties go to the
    /// larger share, then to the funder listed earlier (the precomputed rank).
    fn distribute(&self, leftover: u64, out: &mut [i64], rems: &[u128]) {
        let k = out.len();
        if k <= INLINE_FUNDERS {
            // A funder gets a cent when fewer than `leftover` funders rank ahead of it.
            for (i, (o, (ri, ranki))) in
                out.iter_mut().zip(rems.iter().zip(&self.ranks)).enumerate()
            {
                let ahead = rems
                    .iter()
                    .zip(&self.ranks)
                    .enumerate()
                    .filter(|(j, (rj, rankj))| {
                        *j != i && (*rj > ri || (*rj == ri && *rankj < ranki))
                    })
                    .count() as u64;
                if ahead < leftover {
                    *o += 1;
                }
            }
        } else {
            let mut order: Vec<usize> = (0..k).collect();
            order.sort_unstable_by(|a, b| {
                let key = |i: &usize| (rems.get(*i).copied(), self.ranks.get(*i).copied());
                let (ra, ka) = key(a);
                let (rb, kb) = key(b);
                rb.cmp(&ra).then(ka.cmp(&kb))
            });
            for index in order.iter().take(usize::try_from(leftover).unwrap_or(k)) {
                if let Some(o) = out.get_mut(*index) {
                    *o += 1;
                }
            }
        }
    }

    /// Per funder: the floor in cents and the final cents (they differ by the leftover cent).
    fn detail(&self, cents: i64) -> Vec<(i64, i64)> {
        let k = self.len();
        let mut out = vec![0i64; k];
        let mut rems = vec![0u128; k];
        self.split_cents(cents, &mut out, &mut rems);
        // Recompute the floors for the trace; this path is not hot.
        let magnitude = cents.unsigned_abs();
        self.numerators
            .iter()
            .zip(&out)
            .map(|(n, c)| {
                let (q, _) = mul_div_rem(magnitude, *n, self.denominator);
                let floor = if cents < 0 { -(q as i64) } else { q as i64 };
                (floor, *c)
            })
            .collect()
    }
}

/// `amount * share`, unrounded (to `Decimal`'s precision), without trailing zeros.
fn exact_part(amount: Money, share: Percent) -> Money {
    Money::new(
        amount
            .amount()
            .checked_mul(share.fraction())
            .unwrap_or(amount.amount())
            .normalize(),
    )
}

/// `(a * b) / d` and `(a * b) % d` exactly, for products beyond 128 bits; `d` below 2^126 and
/// `b <= d`, so the quotient fits a `u64`. Schoolbook long division, one bit at a time.
fn mul_div_rem(a: u64, b: u128, d: u128) -> (u64, u128) {
    let b_lo = b & u128::from(u64::MAX);
    let b_hi = b >> 64;
    let lo = u128::from(a) * b_lo;
    let hi = u128::from(a) * b_hi;
    let w0 = lo as u64;
    let mid = hi + (lo >> 64);
    let w1 = mid as u64;
    let w2 = (mid >> 64) as u64;
    let mut rem: u128 = 0;
    let mut quot: u128 = 0;
    for word in [w2, w1, w0] {
        for bit in (0..64).rev() {
            rem = (rem << 1) | u128::from((word >> bit) & 1);
            quot <<= 1;
            if rem >= d {
                rem -= d;
                quot |= 1;
            }
        }
    }
    (u64::try_from(quot).unwrap_or(u64::MAX), rem)
}

/// One funder's historical expenditure on the target population, for [`derive_shares`].
///
/// # Example
///
/// ```
/// let e: cwfinance::split::Expenditure = serde_json::from_value(serde_json::json!({"funder": "DSS/Family Services", "amount": "6098500.00"})).unwrap();
/// assert_eq!(e.amount.to_string(), "6098500.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Expenditure {
    /// The funder's name.
    pub funder: String,
    /// What it spent (not negative).
    pub amount: Money,
}

/// What to do with the rounding residue when shares derived from expenditures are rounded.
///
/// # Example
///
/// ```
/// use cwfinance::split::ShareResidue;
/// assert_eq!(serde_json::to_value(ShareResidue::RoundEach).unwrap(), "round_each");
/// assert_eq!(ShareResidue::default(), ShareResidue::LargestRemainder);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ShareResidue {
    /// Round every share toward zero to the stated places, then give the leftover units (0.01%
    /// each at two places) to the largest remainders; ties go to the larger expenditure, then to
    /// the funder listed first. The shares sum to exactly 100%, so the result passes the `strict`
    /// policy. The default.
    #[default]
    LargestRemainder,
    /// Round every share on its own with the named rounding. The sum may miss 100% by a few
    /// units (Missouri's published shares sum to 100.01%, which is what this gives when two
    /// shares end in exactly half a unit and are rounded half up).
    RoundEach,
}

/// How [`derive_shares`] rounds: places of the percentage, residue handling, rounding mode.
///
/// # Example
///
/// ```
/// let o = cwfinance::split::DeriveOptions::default();
/// assert_eq!(o.decimal_places, 2);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DeriveOptions {
    /// Decimal places of the percentage (2 gives `60.99%`), from 0 to 10. Default 2, the
    /// precision of Missouri's published shares.
    pub decimal_places: u32,
    /// The residue handling; default [`ShareResidue::LargestRemainder`].
    pub residue: ShareResidue,
    /// The rounding of [`ShareResidue::RoundEach`]; default half up.
    pub rounding: Rounding,
}

impl Default for DeriveOptions {
    fn default() -> Self {
        DeriveOptions {
            decimal_places: 2,
            residue: ShareResidue::LargestRemainder,
            rounding: Rounding::HalfUp,
        }
    }
}

/// One funder's derived share.
///
/// # Example
///
/// ```
/// use cwfinance::{Money, split::{derive_shares, DeriveOptions, Expenditure}};
/// let e = [Expenditure { funder: "A".into(), amount: Money::from_cents(100) },
///          Expenditure { funder: "B".into(), amount: Money::from_cents(200) }];
/// let d = derive_shares(&e, &DeriveOptions::default()).unwrap();
/// assert_eq!(d.shares[0].share.to_string(), "33.33%");
/// assert_eq!(d.shares[1].share.to_string(), "66.67%");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DerivedShare {
    /// The funder's name.
    pub funder: String,
    /// Its expenditure.
    pub expenditure: Money,
    /// Expenditure over total, unrounded (to `Decimal`'s 28 significant digits).
    pub exact_share: Percent,
    /// The share rounded to the stated places, residue handled as asked.
    pub share: Percent,
}

/// Shares derived from expenditures.
///
/// # Example
///
/// ```
/// use cwfinance::{Money, split::{derive_shares, DeriveOptions, Expenditure}};
/// let e = [Expenditure { funder: "A".into(), amount: Money::from_cents(100) },
///          Expenditure { funder: "B".into(), amount: Money::from_cents(200) }];
/// let d = derive_shares(&e, &DeriveOptions::default()).unwrap();
/// assert_eq!(d.share_sum.to_string(), "100%");
/// assert!(d.to_split().prepare().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Derivation {
    /// The total expenditure.
    pub total: Money,
    /// Each funder's share, in input order.
    pub shares: Vec<DerivedShare>,
    /// The sum of the rounded shares.
    pub share_sum: Percent,
}

impl Derivation {
    /// A split of the derived shares (policy `strict`, rounding `half_up`).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Money, split::{derive_shares, DeriveOptions, Expenditure}};
    /// let e = [Expenditure { funder: "A".into(), amount: Money::from_cents(1) }];
    /// let split = derive_shares(&e, &DeriveOptions::default()).unwrap().to_split();
    /// assert_eq!(split.funders[0].share.to_string(), "100%");
    /// ```
    pub fn to_split(&self) -> Split {
        Split {
            funders: self
                .shares
                .iter()
                .map(|s| Funder {
                    name: s.funder.clone(),
                    share: s.share,
                })
                .collect(),
            policy: SharePolicy::Strict,
            rounding: Rounding::HalfUp,
        }
    }
}

/// The most decimal places of a percentage that [`derive_shares`] rounds to.
const MAX_SHARE_PLACES: u32 = 10;

/// Derive funding shares from historical expenditures by funder: share = expenditure / total,
/// rounded to `options.decimal_places` places of the percentage, with the rounding residue
/// handled by `options.residue`.
///
/// Rule: "The percentage at which each division participates was calculated from the actual
/// expenditures identified in the historical costs for the target population"
/// (`000_b605dc6c8d05d2b7.txt, Case rate financing by division`). The source
/// states neither the places nor the residue handling; its figures have two places and sum to
/// 100.01%, which is what [`ShareResidue::RoundEach`] with half-up rounding can give.
///
/// # Example
///
/// ```
/// use cwfinance::{Money, Rounding, split::{derive_shares, DeriveOptions, Expenditure, ShareResidue}};
///
/// // Made-up expenditures: 17.505% and 60.985% end in exactly half a unit.
/// let e: Vec<Expenditure> = [("A", 215_100_000i64), ("B", 175_050_000), ("C", 609_850_000)]
///     .iter().map(|(f, c)| Expenditure { funder: f.to_string(), amount: Money::from_cents(*c) }).collect();
/// let each = DeriveOptions { residue: ShareResidue::RoundEach, ..DeriveOptions::default() };
/// assert_eq!(derive_shares(&e, &each).unwrap().share_sum.to_string(), "100.01%");
/// let lr = derive_shares(&e, &DeriveOptions::default()).unwrap();
/// assert_eq!(lr.share_sum.to_string(), "100%");
/// assert_eq!(lr.shares[2].share.to_string(), "60.99%"); // the larger expenditure wins the tie
/// ```
pub fn derive_shares(expenditures: &[Expenditure], options: &DeriveOptions) -> Result<Derivation> {
    if expenditures.is_empty() {
        return Err(Error::invalid(
            "expenditures",
            "[]",
            "at least one funder's expenditure is needed",
        ));
    }
    if options.decimal_places > MAX_SHARE_PLACES {
        return Err(Error::OutOfRange {
            field: "decimal_places".into(),
            value: options.decimal_places.to_string(),
            rule: format!(
                "shares are rounded to 0 to {MAX_SHARE_PLACES} decimal places of percent"
            ),
        });
    }
    let mut seen = BTreeSet::new();
    for (i, e) in expenditures.iter().enumerate() {
        if e.funder.trim().is_empty() {
            return Err(Error::invalid(
                format!("expenditures[{i}].funder"),
                e.funder.clone(),
                "a funder needs a name",
            ));
        }
        if !seen.insert(e.funder.as_str()) {
            return Err(Error::invalid(
                format!("expenditures[{i}].funder"),
                e.funder.clone(),
                "funder names must be unique",
            ));
        }
        e.amount.non_negative(
            &format!("expenditures[{i}].amount"),
            "an expenditure from which a share is derived cannot be negative",
        )?;
    }
    let overflow = || Error::overflow("expenditures", "too many digits to derive exact shares");
    let amounts: Vec<Decimal> = expenditures
        .iter()
        .map(|e| e.amount.amount().normalize())
        .collect();
    let scale = amounts.iter().map(|d| d.scale()).max().unwrap_or(0);
    let spent = amounts
        .iter()
        .map(|d| numerator_at_scale(*d, scale).ok_or_else(overflow))
        .collect::<Result<Vec<u128>>>()?;
    let total_units = spent
        .iter()
        .try_fold(0u128, |acc, n| acc.checked_add(*n))
        .ok_or_else(overflow)?;
    let total = amounts
        .iter()
        .try_fold(Decimal::ZERO, |acc, d| acc.checked_add(*d))
        .ok_or_else(overflow)?;
    if total_units == 0 {
        return Err(Error::invalid(
            "expenditures",
            "0.00",
            "the total expenditure is zero, so no share can be derived",
        ));
    }
    let places = options.decimal_places + 2;
    let unit = pow10(places).ok_or_else(overflow)?;
    let mut quotients = Vec::with_capacity(spent.len());
    let mut remainders = Vec::with_capacity(spent.len());
    for e in &spent {
        let p = e.checked_mul(unit).ok_or_else(overflow)?;
        quotients.push(p / total_units);
        remainders.push(p % total_units);
    }
    match options.residue {
        ShareResidue::LargestRemainder => {
            let leftover = unit.saturating_sub(quotients.iter().sum::<u128>());
            let mut order: Vec<usize> = (0..spent.len()).collect();
            order.sort_by(|a, b| {
                let key = |i: &usize| (remainders.get(*i).copied(), spent.get(*i).copied());
                let (ra, ea) = key(a);
                let (rb, eb) = key(b);
                rb.cmp(&ra).then(eb.cmp(&ea)).then(a.cmp(b))
            });
            for index in order.iter().take(usize::try_from(leftover).unwrap_or(0)) {
                if let Some(q) = quotients.get_mut(*index) {
                    *q += 1;
                }
            }
        }
        ShareResidue::RoundEach => {
            for (q, r) in quotients.iter_mut().zip(&remainders) {
                let rest = total_units - r;
                let up = match options.rounding {
                    Rounding::HalfUp => *r >= rest,
                    Rounding::HalfEven => *r > rest || (*r == rest && *q % 2 == 1),
                };
                if up && *r > 0 {
                    *q += 1;
                }
            }
        }
    }
    let mut shares = Vec::with_capacity(spent.len());
    let mut units_sum = 0u128;
    for ((e, d), q) in expenditures.iter().zip(&amounts).zip(&quotients) {
        units_sum += q;
        let q = i128::try_from(*q).map_err(|_| overflow())?;
        shares.push(DerivedShare {
            funder: e.funder.clone(),
            expenditure: e.amount,
            exact_share: Percent::from_fraction(
                d.checked_div(total).unwrap_or(Decimal::ZERO).normalize(),
            ),
            share: Percent::from_fraction(Decimal::from_i128_with_scale(q, places).normalize()),
        });
    }
    let units_sum = i128::try_from(units_sum).map_err(|_| overflow())?;
    Ok(Derivation {
        total: Money::new(total),
        shares,
        share_sum: Percent::from_fraction(
            Decimal::from_i128_with_scale(units_sum, places).normalize(),
        ),
    })
}

/// Counts cross JSON as decimal strings (`"2"`), like every other number in cwfinance.
pub(crate) mod count_string {
    use serde::{Deserializer, Serializer};

    use crate::error::Error;

    /// Parse a count: a whole number from 0 to `u32::MAX`.
    pub(crate) fn parse(text: &str) -> crate::error::Result<u32> {
        let bad = || Error::OutOfRange {
            field: String::new(),
            value: text.to_string(),
            rule:
                "a count is a whole number from 0 to 4294967295, written as a string such as \"2\""
                    .into(),
        };
        let d = crate::money::parse_decimal("", text)?;
        if !d.fract().is_zero() || d.is_sign_negative() && !d.is_zero() {
            return Err(bad());
        }
        u32::try_from(d.trunc().mantissa() / 10i128.pow(d.trunc().scale())).map_err(|_| bad())
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        let s =
            crate::money::deserialize_decimal_text(d, "a whole number as a string, such as \"2\"")?;
        parse(&s).map_err(crate::money::to_serde_err)
    }

    pub(crate) fn serialize<S: Serializer>(v: &u32, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub(crate) fn deserialize_opt<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<u32>, D::Error> {
        deserialize(d).map(Some)
    }

    pub(crate) fn serialize_opt<S: Serializer>(v: &Option<u32>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(n) => s.collect_str(n),
            None => s.serialize_none(),
        }
    }
}

/// The request of the `split` document: one amount or a ledger of amounts, the split (or the
/// program's `split` section), and optional overrides of its policy and rounding.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({
///     "kind": "split", "amount": "100.00",
///     "split": {"funders": [{"name": "State", "share": "70%"}, {"name": "Federal", "share": "30%"}]}
/// }));
/// assert_eq!(out["allocations"][0]["amount"], "70.00");
/// ```
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SplitRequest {
    /// One amount to allocate (negative for a recoupment). Give this or `amounts`.
    #[serde(default)]
    pub amount: Option<Money>,
    /// A ledger: many amounts, each allocated on its own, with per-funder totals.
    #[serde(default)]
    pub amounts: Option<Vec<Money>>,
    /// The split; when absent, the program's `split` section.
    #[serde(default)]
    pub split: Option<Split>,
    /// Overrides the split's policy.
    #[serde(default)]
    pub policy: Option<SharePolicy>,
    /// Overrides the split's rounding of amounts with fractions of a cent.
    #[serde(default)]
    pub rounding: Option<Rounding>,
}

/// The response of the `split` document.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({
///     "kind": "split", "amounts": ["0.01", "0.01"],
///     "split": {"funders": [{"name": "A", "share": "50%"}, {"name": "B", "share": "50%"}]}
/// }));
/// assert_eq!(out["allocations"][0]["amount"], "0.02");
/// assert_eq!(out["lines"][1]["allocations"][1]["amount"], "0.00");
/// ```
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SplitResponse {
    /// The amount allocated (the sum of the ledger's lines), rounded to cents.
    pub total: Money,
    /// The sum of the listed shares, before the policy.
    pub share_sum: Percent,
    /// The policy applied.
    pub policy: SharePolicy,
    /// The rounding applied to amounts with fractions of a cent.
    pub rounding: Rounding,
    /// Per funder, in the split's order: the allocation of the amount, or for a ledger the
    /// funder's totals (the sum of its lines).
    pub allocations: Vec<Allocation>,
    /// For a ledger: every line with its allocations.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lines: Option<Vec<SplitLine>>,
    /// The steps, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceStep>>,
}

/// One ledger line of a [`SplitResponse`].
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({
///     "kind": "split", "amounts": ["10.00"],
///     "split": {"funders": [{"name": "A", "share": "100%"}]}
/// }));
/// assert_eq!(out["lines"][0]["amount"], "10.00");
/// ```
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct SplitLine {
    /// The line's amount, rounded to cents.
    pub amount: Money,
    /// Each funder's part.
    pub allocations: Vec<LineAllocation>,
}

/// One funder's part of one ledger line.
///
/// # Example
///
/// ```
/// let a = cwfinance::split::LineAllocation { funder: "A".into(), amount: cwfinance::Money::from_cents(5) };
/// assert_eq!(serde_json::to_value(&a).unwrap()["amount"], "0.05");
/// ```
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct LineAllocation {
    /// The funder's name.
    pub funder: String,
    /// Its part, to the cent.
    pub amount: Money,
}

/// The request of the `split.derive` document.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({
///     "kind": "split.derive",
///     "expenditures": [{"funder": "A", "amount": "1.00"}, {"funder": "B", "amount": "2.00"}]
/// }));
/// assert_eq!(out["shares"][1]["share"], "66.67%");
/// ```
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DeriveRequest {
    /// Historical expenditure by funder.
    pub expenditures: Vec<Expenditure>,
    /// Decimal places of the percentage, as a string (`"2"` gives `60.99%`); default `"2"`.
    #[serde(
        default,
        deserialize_with = "count_string::deserialize_opt",
        serialize_with = "count_string::serialize_opt"
    )]
    #[schemars(with = "Option<String>")]
    pub decimal_places: Option<u32>,
    /// The residue handling; default `largest_remainder`.
    #[serde(default)]
    pub residue: Option<ShareResidue>,
    /// The rounding of `round_each`; default `half_up`.
    #[serde(default)]
    pub rounding: Option<Rounding>,
}

/// The response of the `split.derive` document.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({
///     "kind": "split.derive", "residue": "round_each",
///     "expenditures": [{"funder": "A", "amount": "1.00"}, {"funder": "B", "amount": "1.00"}, {"funder": "C", "amount": "1.00"}]
/// }));
/// assert_eq!(out["share_sum"], "99.99%");
/// assert_eq!(out["split"]["funders"][0]["share"], "33.33%");
/// ```
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct DeriveResponse {
    /// The total expenditure.
    pub total_expenditure: Money,
    /// The decimal places of the percentage used.
    #[serde(serialize_with = "count_string::serialize")]
    #[schemars(with = "String")]
    pub decimal_places: u32,
    /// The residue handling used.
    pub residue: ShareResidue,
    /// The rounding used by `round_each`.
    pub rounding: Rounding,
    /// Each funder's expenditure, exact share and rounded share.
    pub shares: Vec<DerivedShare>,
    /// The sum of the rounded shares.
    pub share_sum: Percent,
    /// The derived shares as a split configuration (policy `strict`), ready for a `split` request.
    pub split: Split,
    /// The steps, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceStep>>,
}

/// Check a program's `split` section: it must decode into a [`Split`] whose policy accepts its
/// shares.
pub(crate) fn check_section(section: &Value) -> Result<()> {
    let split: Split = crate::json::decode(section, "")?;
    split.prepare().map(|_| ())
}

pub(crate) fn run_document(body: &Value, ctx: &Context) -> Result<Value> {
    let req: SplitRequest = crate::json::decode(body, "")?;
    let from_program = req.split.is_none();
    let split: Split = ctx.config(req.split, "split", "split")?;
    let prefix = if from_program {
        "program.sections.split"
    } else {
        "split"
    };
    let policy = req.policy.unwrap_or_else(|| split.policy.clone());
    let rounding = req.rounding.unwrap_or(split.rounding);
    let prepared = split
        .prepare_with(&policy, rounding)
        .map_err(|e| e.at(prefix))?;
    let mut cites = if from_program {
        ctx.citations("split")
    } else {
        BTreeMap::new()
    };
    if policy != split.policy {
        // The program's reason for its policy does not explain a policy the request chose.
        cites.remove("split.policy");
    }
    let mut trace = Trace::new(ctx.trace);
    trace_policy(&mut trace, &prepared, &cites);
    let (total, allocations, lines) = match (req.amount, req.amounts) {
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "amounts",
                "",
                "give either one amount or a list of amounts, not both",
            ));
        }
        (None, None) => {
            return Err(Error::MissingField {
                field: "amount".into(),
            });
        }
        (Some(amount), None) => {
            let cents = prepared.to_cents(amount)?;
            let total = Money::from_cents(cents);
            trace_rounding(&mut trace, amount, total, rounding, "amount");
            let allocations = prepared.allocate(amount)?;
            trace_allocation(&mut trace, &prepared, cents, &allocations);
            (total, allocations, None)
        }
        (None, Some(amounts)) => {
            let ledger = prepared.allocate_ledger(&amounts)?;
            for (i, (given, line)) in amounts.iter().zip(&ledger.lines).enumerate() {
                trace_rounding(
                    &mut trace,
                    *given,
                    line.amount,
                    rounding,
                    &format!("amounts[{i}]"),
                );
                trace.record(|| {
                    let mut step = TraceStep::new(
                        format!("allocate line {i} by largest remainder"),
                        line.allocations
                            .iter()
                            .map(|m| m.to_string())
                            .collect::<Vec<_>>()
                            .join(" + "),
                    )
                    .input("amount", line.amount);
                    for (f, m) in prepared.funders().iter().zip(&line.allocations) {
                        step = step.input(&f.name, m);
                    }
                    step
                });
            }
            trace.record(|| {
                TraceStep::new(
                    "per-funder totals are the sums of their lines; the grand total is the sum of the lines",
                    ledger.total,
                )
                .input("lines", ledger.lines.len())
            });
            let lines = ledger
                .lines
                .iter()
                .map(|line| SplitLine {
                    amount: line.amount,
                    allocations: prepared
                        .funders()
                        .iter()
                        .zip(&line.allocations)
                        .map(|(f, m)| LineAllocation {
                            funder: f.name.clone(),
                            amount: *m,
                        })
                        .collect(),
                })
                .collect();
            (ledger.total, ledger.totals, Some(lines))
        }
    };
    crate::json::to_value(&SplitResponse {
        total,
        share_sum: prepared.share_sum(),
        policy,
        rounding,
        allocations,
        lines,
        trace: trace.into_steps(),
    })
}

fn trace_policy(trace: &mut Trace, prepared: &PreparedSplit, cites: &BTreeMap<String, String>) {
    trace.record(|| {
        let mut step = TraceStep::new("sum the listed shares", prepared.share_sum());
        for f in prepared.funders() {
            step = step.input(&f.name, f.share);
        }
        match cites.get("split.funders[0].share") {
            Some(c) => step.cite(c.clone()),
            None => step,
        }
    });
    trace.record(|| {
        let what = match prepared.policy() {
            SharePolicy::Strict => {
                "strict: the shares sum to exactly 100% and are used as listed".to_string()
            }
            SharePolicy::Normalize => format!(
                "normalize: each share is divided by their sum, {}",
                prepared.share_sum()
            ),
            SharePolicy::Residual { funder } => {
                format!("residual: {funder} takes 100% minus the other shares")
            }
        };
        let mut step = TraceStep::new(
            format!("apply the share policy ({what})"),
            prepared.policy().describe(),
        );
        for (f, used) in prepared.funders().iter().zip(prepared.shares_used()) {
            step = step.input(&f.name, used);
        }
        match cites.get("split.policy") {
            Some(c) => step.cite(c.clone()),
            None => step,
        }
    });
}

fn trace_rounding(
    trace: &mut Trace,
    given: Money,
    rounded: Money,
    rounding: Rounding,
    field: &str,
) {
    if given.amount() != rounded.amount() {
        trace.record(|| {
            TraceStep::new(format!("round {field} to cents"), rounded)
                .input("amount", given)
                .input(
                    "rounding",
                    serde_json::to_value(rounding)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default(),
                )
        });
    }
}

fn trace_allocation(
    trace: &mut Trace,
    prepared: &PreparedSplit,
    cents: i64,
    allocations: &[Allocation],
) {
    if !trace.is_enabled() {
        return;
    }
    let detail = prepared.detail(cents);
    let floors: i64 = detail.iter().map(|(f, _)| *f).sum();
    let takers: Vec<&str> = prepared
        .funders()
        .iter()
        .zip(&detail)
        .filter(|(_, (floor, c))| floor != c)
        .map(|(f, _)| f.name.as_str())
        .collect();
    for (a, (floor, _)) in allocations.iter().zip(&detail) {
        trace.record(|| {
            TraceStep::new(
                format!("exact share of {}, toward zero to the cent", a.funder),
                Money::from_cents(*floor),
            )
            .input("amount", Money::from_cents(cents))
            .input("share_used", a.share_used)
            .input("exact", a.exact)
        });
    }
    trace.record(|| {
        TraceStep::new(
            "give the leftover cents to the largest remainders (ties: larger share, then earlier funder)",
            if takers.is_empty() { "none".to_string() } else { takers.join(", ") },
        )
        .input("amount", Money::from_cents(cents))
        .input("sum_of_floors", Money::from_cents(floors))
        .input("leftover_cents", cents.saturating_sub(floors).unsigned_abs())
    });
    for a in allocations {
        trace.record(|| {
            TraceStep::new(format!("allocation to {}", a.funder), a.amount).input("exact", a.exact)
        });
    }
}

pub(crate) fn run_derive_document(body: &Value, ctx: &Context) -> Result<Value> {
    let req: DeriveRequest = crate::json::decode(body, "")?;
    let defaults = DeriveOptions::default();
    let options = DeriveOptions {
        decimal_places: req.decimal_places.unwrap_or(defaults.decimal_places),
        residue: req.residue.unwrap_or(defaults.residue),
        rounding: req.rounding.unwrap_or(defaults.rounding),
    };
    let derivation = derive_shares(&req.expenditures, &options)?;
    let mut trace = Trace::new(ctx.trace);
    trace.record(|| {
        let mut step = TraceStep::new("total the expenditures", derivation.total);
        for e in &req.expenditures {
            step = step.input(&e.funder, e.amount);
        }
        step.cite(MISSOURI_SPLIT_SOURCE)
    });
    for s in &derivation.shares {
        trace.record(|| {
            TraceStep::new(
                format!("share of {} = expenditure / total", s.funder),
                s.exact_share,
            )
            .input("expenditure", s.expenditure)
            .input("total", derivation.total)
        });
    }
    trace.record(|| {
        let how = match options.residue {
            ShareResidue::LargestRemainder => format!(
                "round toward zero to {} places of percent, leftover units to the largest remainders (ties: larger expenditure, then earlier funder)",
                options.decimal_places
            ),
            ShareResidue::RoundEach => format!(
                "round each share to {} places of percent on its own",
                options.decimal_places
            ),
        };
        let mut step = TraceStep::new(how, derivation.share_sum);
        for s in &derivation.shares {
            step = step.input(&s.funder, s.share);
        }
        step
    });
    crate::json::to_value(&DeriveResponse {
        total_expenditure: derivation.total,
        decimal_places: options.decimal_places,
        residue: options.residue,
        rounding: options.rounding,
        share_sum: derivation.share_sum,
        split: derivation.to_split(),
        shares: derivation.shares,
        trace: trace.into_steps(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn missouri() -> Split {
        Split::from_pairs(&[
            ("DMH/Alcohol & Drug Abuse", "0.57%"),
            (
                "DMH/Mental Retardation & Developmental Disabilities",
                "1.72%",
            ),
            ("DMH/Comprehensive Psychiatric Services", "12%"),
            ("DSS/Youth Services", "7.22%"),
            ("DSS/Medical Services", "17.51%"),
            ("DSS/Family Services", "60.99%"),
        ])
        .unwrap()
    }

    fn cents_of(parts: &[Allocation]) -> Vec<i64> {
        parts.iter().map(|p| p.amount.cents().unwrap()).collect()
    }

    #[test]
    fn missouri_numerators_are_exact() {
        let p = missouri()
            .prepare_with(&SharePolicy::Normalize, Rounding::HalfUp)
            .unwrap();
        // Common scale 4 (0.0057): numerators 57, 172, 1200, 722, 1751, 6099 over their sum 10001.
        assert_eq!(p.numerators, vec![57, 172, 1200, 722, 1751, 6099]);
        assert_eq!(p.denominator, 10_001);
        // Tie-break ranks follow the shares: Family Services first, Alcohol & Drug Abuse last.
        assert_eq!(p.ranks, vec![5, 4, 2, 3, 1, 0]);
    }

    #[test]
    fn residual_tie_goes_to_the_larger_share() {
        // 888,750.00 with Family Services as residual (60.98%): Alcohol & Drug Abuse's exact part
        // is 5,065.875 and Medical Services' 155,620.125, both half a cent over; the floors leave
        // one cent, and Medical Services (17.51% > 0.57%) takes it.
        let split = missouri().with_policy(SharePolicy::Residual {
            funder: "DSS/Family Services".into(),
        });
        let parts = split
            .prepare()
            .unwrap()
            .allocate(Money::from_cents(88_875_000))
            .unwrap();
        assert_eq!(parts[0].amount.to_string(), "5065.87");
        assert_eq!(parts[4].amount.to_string(), "155620.13");
    }

    #[test]
    fn wide_division_matches_native() {
        for (a, b, d) in [
            (0u64, 5u128, 7u128),
            (332_900, 6_099, 10_001),
            (
                100_000_000_000_000_000,
                3_333_333_333_333_333_333_333_333_333,
                9_999_999_999_999_999_999_999_999_999,
            ),
            (u64::MAX, u128::from(u64::MAX), u128::from(u64::MAX) + 1),
        ] {
            let (q, r) = mul_div_rem(a, b, d);
            if let Some(p) = u128::from(a).checked_mul(b) {
                assert_eq!((u128::from(q), r), (p / d, p % d), "{a} {b} {d}");
            } else {
                // Check q*d + r == a*b via the identity on 192 bits split as (a*b) = q*d + r,
                // using u128 arithmetic modulo 2^128 for the low half.
                assert_eq!(
                    u128::from(q).wrapping_mul(d).wrapping_add(r),
                    u128::from(a).wrapping_mul(b)
                );
                assert!(r < d);
            }
        }
    }

    #[test]
    fn high_precision_shares_use_the_wide_path() {
        // Thirds at 28 digits: numerators near 3.3e27, beyond the u128 path for large amounts.
        let third = Percent::from_fraction(Decimal::ONE / Decimal::from(3));
        let split = Split::new(vec![
            Funder {
                name: "A".into(),
                share: third,
            },
            Funder {
                name: "B".into(),
                share: third,
            },
            Funder {
                name: "C".into(),
                share: third,
            },
        ])
        .unwrap()
        .with_policy(SharePolicy::Normalize);
        let p = split.prepare().unwrap();
        assert!(p.wide_limit < 100_000_000_000_000_000);
        let amount = Money::parse("amount", "1000000000000000").unwrap();
        let parts = p.allocate(amount).unwrap();
        // 10^17 cents / 3 = 33,333,333,333,333,333 rem 1: the first funder takes the leftover cent.
        assert_eq!(
            cents_of(&parts),
            vec![
                33_333_333_333_333_334,
                33_333_333_333_333_333,
                33_333_333_333_333_333
            ]
        );
    }

    #[test]
    fn more_than_sixteen_funders_still_add_up() {
        let funders: Vec<Funder> = (0..20)
            .map(|i| Funder {
                name: format!("F{i}"),
                share: Percent::from_percent(Decimal::from(5)),
            })
            .collect();
        let p = Split::new(funders).unwrap().prepare().unwrap();
        let mut out = vec![Money::ZERO; 20];
        p.allocate_into(Money::from_cents(7), &mut out).unwrap();
        // 7 cents over 20 equal funders: the first seven take one cent each.
        assert_eq!(
            out.iter().filter(|m| **m == Money::from_cents(1)).count(),
            7
        );
        assert_eq!(out[6], Money::from_cents(1));
        assert_eq!(out[7], Money::ZERO);
    }

    #[test]
    fn validation_errors_name_the_field() {
        let err = missouri()
            .with_policy(SharePolicy::Residual {
                funder: "DSS/Nobody".into(),
            })
            .prepare()
            .unwrap_err();
        assert_eq!(
            (err.kind(), err.field()),
            ("unknown_id", "policy.residual.funder")
        );
        // Residual: A's listed 70% is replaced by what B (40%) leaves, 60%.
        let ok = Split::from_pairs(&[("A", "70%"), ("B", "40%")])
            .unwrap()
            .with_policy(SharePolicy::Residual { funder: "A".into() })
            .prepare()
            .unwrap();
        assert_eq!(ok.shares_used()[0].to_string(), "60%");
        // The others (60% + 50% = 110%) leave nothing for A.
        let err = Split::from_pairs(&[("A", "70%"), ("B", "60%"), ("C", "50%")])
            .unwrap()
            .with_policy(SharePolicy::Residual { funder: "A".into() })
            .prepare()
            .unwrap_err();
        assert_eq!((err.kind(), err.value()), ("out_of_range", Some("110%")));
        let err = Split::from_pairs(&[("A", "0%")])
            .unwrap()
            .prepare_with(&SharePolicy::Normalize, Rounding::HalfUp)
            .unwrap_err();
        assert_eq!(err.kind(), "invalid_request");
        let p = missouri()
            .prepare_with(&SharePolicy::Normalize, Rounding::HalfUp)
            .unwrap();
        let mut short = [Money::ZERO; 5];
        assert_eq!(
            p.allocate_into(Money::from_cents(1), &mut short)
                .unwrap_err()
                .field(),
            "out"
        );
        let huge = Money::new(Decimal::MAX);
        assert_eq!(p.allocate(huge).unwrap_err().kind(), "out_of_range");
        assert_eq!(
            p.allocate_cents_into(i64::MIN, &mut [0; 6])
                .unwrap_err()
                .kind(),
            "out_of_range"
        );
    }

    #[test]
    fn count_strings() {
        assert_eq!(count_string::parse("2"), Ok(2));
        assert_eq!(count_string::parse("2.0"), Ok(2));
        assert_eq!(
            count_string::parse("2.5").unwrap_err().kind(),
            "out_of_range"
        );
        assert_eq!(
            count_string::parse("-1").unwrap_err().kind(),
            "out_of_range"
        );
        assert_eq!(
            count_string::parse("99999999999").unwrap_err().kind(),
            "out_of_range"
        );
        assert_eq!(
            count_string::parse("two").unwrap_err().kind(),
            "invalid_decimal"
        );
    }

    fn share_strategy() -> impl Strategy<Value = Vec<u32>> {
        // Shares in hundredths of a basis point (0 to 100.0000%), 1 to 12 funders.
        prop::collection::vec(0u32..=1_000_000, 1..12)
    }

    /// Funders `F0`, `F1`, ... with shares in hundredths of a basis point, normalized.
    fn normalized(shares: &[u32], rounding: Rounding) -> PreparedSplit {
        let funders: Vec<Funder> = shares
            .iter()
            .enumerate()
            .map(|(i, s)| Funder {
                name: format!("F{i}"),
                share: Percent::from_fraction(Decimal::new(i64::from(*s), 6)),
            })
            .collect();
        Split::new(funders)
            .unwrap()
            .prepare_with(&SharePolicy::Normalize, rounding)
            .unwrap()
    }

    proptest! {
        #[test]
        fn allocations_sum_exactly_and_stay_within_a_cent(
            shares in share_strategy(),
            cents in -100_000_000_000_000_000i64..=100_000_000_000_000_000i64,
        ) {
            prop_assume!(shares.iter().any(|s| *s > 0));
            let p = normalized(&shares, Rounding::HalfUp);
            let mut out = vec![0i64; shares.len()];
            p.allocate_cents_into(cents, &mut out).unwrap();
            prop_assert_eq!(out.iter().map(|c| i128::from(*c)).sum::<i128>(), i128::from(cents));
            // |out_i * N - cents * n_i| < N, in exact integers (shares have at most 7 digits).
            let n_total: i128 = shares.iter().map(|s| i128::from(*s)).sum();
            for (o, s) in out.iter().zip(&shares) {
                let diff = i128::from(*o) * n_total - i128::from(cents) * i128::from(*s);
                prop_assert!(diff.abs() < n_total, "{} {} {}", o, s, cents);
            }
            // A recoupment is the mirror image of the payment.
            let mut neg = vec![0i64; shares.len()];
            p.allocate_cents_into(-cents, &mut neg).unwrap();
            prop_assert!(out.iter().zip(&neg).all(|(a, b)| *a == -*b));
            // The Money path agrees with the cents path.
            let mut money = vec![Money::ZERO; shares.len()];
            p.allocate_into(Money::from_cents(cents), &mut money).unwrap();
            prop_assert!(money.iter().zip(&out).all(|(m, c)| *m == Money::from_cents(*c)));
        }

        #[test]
        fn the_three_arithmetic_paths_agree(a in 0u64..=100_000_000_000_000_000, b in 0u128..=1_000_000_000_000, extra in 1u128..=1_000_000) {
            let d = b + extra;
            let (q, r) = mul_div_rem(a, b, d);
            let p = u128::from(a) * b;
            prop_assert_eq!((u128::from(q), r), (p / d, p % d));
        }

        #[test]
        fn table_rows_match_single_allocations_and_add_up(
            shares in share_strategy(),
            amounts in prop::collection::vec(-10_000_000_000i64..=10_000_000_000, 0..40),
            mills in prop::collection::vec(0i64..10, 40),
        ) {
            prop_assume!(shares.iter().any(|s| *s > 0));
            let p = normalized(&shares, Rounding::HalfEven);
            // Amounts with a tenth of a cent, so rounding to cents is exercised.
            let money: Vec<Money> = amounts.iter().zip(&mills)
                .map(|(c, m)| Money::new(Decimal::new(c * 10 + m, 3)))
                .collect();
            let t = p.allocate_table(&money).unwrap();
            prop_assert_eq!(t.amount_cents.len(), money.len());
            let mut one = vec![0i64; shares.len()];
            for (i, m) in money.iter().enumerate() {
                let cents = p.to_cents(*m).unwrap();
                p.allocate_cents_into(cents, &mut one).unwrap();
                prop_assert_eq!(t.amount_cents[i], i128::from(cents));
                for (j, part) in one.iter().enumerate() {
                    prop_assert_eq!(t.funder_cents[j][i], i128::from(*part));
                }
            }
            prop_assert_eq!(t.funder_totals.iter().sum::<i128>(), t.total_cents);
            prop_assert_eq!(t.amount_cents.iter().sum::<i128>(), t.total_cents);
        }

        #[test]
        fn ledger_totals_add_up(
            shares in share_strategy(),
            lines in prop::collection::vec(-10_000_000i64..10_000_000, 0..40),
        ) {
            prop_assume!(shares.iter().any(|s| *s > 0));
            let p = normalized(&shares, Rounding::HalfUp);
            let amounts: Vec<Money> = lines.iter().map(|c| Money::from_cents(*c)).collect();
            let ledger = p.allocate_ledger(&amounts).unwrap();
            let grand: Money = amounts.iter().copied().sum();
            prop_assert_eq!(ledger.total, grand);
            prop_assert_eq!(ledger.totals.iter().map(|t| t.amount).sum::<Money>(), grand);
            for (i, t) in ledger.totals.iter().enumerate() {
                let by_lines: Money = ledger.lines.iter().map(|l| l.allocations[i]).sum();
                prop_assert_eq!(t.amount, by_lines);
            }
        }

        #[test]
        fn no_input_panics(
            shares in prop::collection::vec(any::<(i64, u32)>(), 0..8),
            amount in any::<(i64, u32)>(),
            policy in 0u8..4,
            places in 0u32..14,
        ) {
            let funders: Vec<Funder> = shares.iter().enumerate().map(|(i, (m, s))| Funder {
                name: if i == 3 { "F0".into() } else { format!("F{i}") },
                share: Percent::from_fraction(Decimal::new(*m, s % 29)),
            }).collect();
            let policy = match policy {
                0 => SharePolicy::Strict,
                1 => SharePolicy::Normalize,
                2 => SharePolicy::Residual { funder: "F1".into() },
                _ => SharePolicy::Residual { funder: "nobody".into() },
            };
            let split = Split { funders: funders.clone(), policy, rounding: Rounding::HalfEven };
            let amount = Money::new(Decimal::new(amount.0, amount.1 % 29));
            if let Ok(p) = split.prepare() {
                let _ = p.allocate(amount);
                let _ = p.allocate_ledger(&[amount, -amount]);
                let mut out = vec![Money::ZERO; p.len()];
                if p.allocate_into(amount, &mut out).is_ok() {
                    let rounded = Money::from_cents(p.to_cents(amount).unwrap());
                    prop_assert_eq!(out.iter().copied().sum::<Money>(), rounded);
                }
            }
            let expenditures: Vec<Expenditure> = funders.iter().map(|f| Expenditure {
                funder: f.name.clone(),
                amount: Money::new(f.share.fraction()),
            }).collect();
            for residue in [ShareResidue::LargestRemainder, ShareResidue::RoundEach] {
                let options = DeriveOptions { decimal_places: places, residue, rounding: Rounding::HalfEven };
                if let Ok(d) = derive_shares(&expenditures, &options) {
                    if residue == ShareResidue::LargestRemainder {
                        prop_assert_eq!(d.share_sum, Percent::ONE_HUNDRED);
                    }
                }
            }
        }
    }
}
