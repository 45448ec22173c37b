//! Rate setting: a case rate from historical per-child monthly costs by region.
//!
//! The method is the one Massachusetts used for Commonworks' July 1998 rate: "The Department
//! proposed a case rate based on an average of actual expenditures in four of the state's six
//! regions, where costs were closely clustered together. (It excluded data from two regions where
//! costs differed significantly). The new rate also reflects a 2.7% increase in reimbursements
//! that were provided statewide to residential and education service providers."
//! (`001_f8713068464777ee.txt`, Case Rates, Massachusetts Commonworks.)
//!
//! So: `rate = round(mean(included regions) × (1 + a₁) × (1 + a₂) × …)`, where
//!
//! - every region is given with its historical monthly cost per child (and, for a weighted mean,
//!   its child-months);
//! - excluded regions are **named explicitly, each with a reason**: the source gives no rule for
//!   what "differed significantly" means, so no outlier is ever dropped automatically;
//! - the mean is [`MeanKind::Simple`] by default (each included region counts once, the literal
//!   reading of "an average ... in four of the state's six regions") or
//!   [`MeanKind::WeightedByChildMonths`] (total cost over total child-months of the included
//!   regions);
//! - across-the-board adjustments apply in order, each to the result of the previous one
//!   (compounding), and nothing is rounded until the end;
//! - the result is rounded once, to the cent or to the whole dollar, with a named [`Rounding`].
//!
//! A method ([`RateMethod`]) can also pin the number of regions and of included regions (6 and
//! 4 for Commonworks), so that a request that does not follow the published method is refused.
//! The source publishes no regional costs: they are always inputs.
//!
//! # Example
//!
//! ```
//! use cwfinance::{Money, rate_setting::{Adjustment, Exclusion, RateMethod, RegionCost}};
//!
//! let method = RateMethod {
//!     adjustments: vec![Adjustment { name: "statewide increase".into(), percent: "2.7%".parse().unwrap() }],
//!     ..RateMethod::default()
//! };
//! let regions = [
//!     RegionCost::new("North", "4000.00".parse().unwrap()),
//!     RegionCost::new("South", "4200.00".parse().unwrap()),
//!     RegionCost::new("Metro", "6100.00".parse().unwrap()),
//! ];
//! let exclude = [Exclusion { region: "Metro".into(), reason: "costs differed significantly".into() }];
//! let rate = method.rate_from_history(&regions, &exclude).unwrap();
//! // (4000 + 4200) / 2 = 4100; 4100 × 1.027 = 4210.70.
//! assert_eq!(rate.rate.to_string(), "4210.70");
//! ```

use std::collections::{BTreeMap, BTreeSet};

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::document::Context;
use crate::error::{Error, Result};
use crate::money::{Money, Percent, Rounding};
use crate::split::count_string;
use crate::trace::{Trace, TraceStep};

/// The source of the method.
const COMMONWORKS_RATE_SOURCE: &str =
    "001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks";

/// How the included regions' costs are averaged.
///
/// # Example
///
/// ```
/// use cwfinance::rate_setting::MeanKind;
/// assert_eq!(MeanKind::default(), MeanKind::Simple);
/// assert_eq!(serde_json::to_value(MeanKind::WeightedByChildMonths).unwrap(), "weighted_by_child_months");
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MeanKind {
    /// Each included region's monthly cost per child counts once: the sum of the costs over the
    /// number of regions. The default, and the literal reading of Commonworks' "average of actual
    /// expenditures in four of the state's six regions".
    #[default]
    Simple,
    /// Each region weighs by its child-months: Σ(cost × child-months) / Σ child-months, which is
    /// the included regions' total expenditure per child-month. Needs `child_months` for every
    /// included region.
    WeightedByChildMonths,
}

/// What the final rate is rounded to.
///
/// # Example
///
/// ```
/// use cwfinance::rate_setting::RoundTo;
/// assert_eq!(serde_json::to_value(RoundTo::Dollar).unwrap(), "dollar");
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RoundTo {
    /// Whole cents. The default.
    #[default]
    Cent,
    /// Whole dollars, as published rates such as $4,000 and $4,476 are.
    Dollar,
}

impl RoundTo {
    fn places(self) -> u32 {
        match self {
            RoundTo::Cent => 2,
            RoundTo::Dollar => 0,
        }
    }
}

/// An across-the-board adjustment: a named percentage increase (or, negative, a decrease).
///
/// # Example
///
/// ```
/// let a: cwfinance::rate_setting::Adjustment = serde_json::from_value(serde_json::json!({"name": "statewide increase", "percent": "2.7%"})).unwrap();
/// assert_eq!(a.percent.to_string(), "2.7%");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Adjustment {
    /// What the adjustment is.
    pub name: String,
    /// The change, such as `"2.7%"`; at least -100%.
    pub percent: Percent,
}

/// The method of setting a rate: the shape of the data it expects, the mean, the adjustments and
/// the rounding. A program's `rate_setting` section holds one.
///
/// In JSON every field is optional: `{"regions_total": "6", "regions_included": "4", "mean":
/// "simple", "adjustments": [{"name", "percent"}], "round_to": "cent", "rounding": "half_up",
/// "reference_rate": "4476.00"}`. Counts are strings, like every number in cwfinance.
///
/// # Example
///
/// ```
/// let m: cwfinance::rate_setting::RateMethod = serde_json::from_value(serde_json::json!({"regions_total": "6", "regions_included": "4"})).unwrap();
/// assert_eq!((m.regions_total, m.regions_included), (Some(6), Some(4)));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateMethod {
    /// How many regions the data must cover, when the method fixes it (Commonworks: 6).
    #[serde(
        default,
        deserialize_with = "count_string::deserialize_opt",
        serialize_with = "count_string::serialize_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    pub regions_total: Option<u32>,
    /// How many regions the mean must include, when the method fixes it (Commonworks: 4).
    #[serde(
        default,
        deserialize_with = "count_string::deserialize_opt",
        serialize_with = "count_string::serialize_opt",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    pub regions_included: Option<u32>,
    /// The mean; `simple` when absent.
    #[serde(default)]
    pub mean: MeanKind,
    /// Across-the-board adjustments, applied in order, each to the previous result.
    #[serde(default)]
    pub adjustments: Vec<Adjustment>,
    /// What the rate is rounded to; `cent` when absent.
    #[serde(default)]
    pub round_to: RoundTo,
    /// The rounding mode of that single rounding; `half_up` when absent.
    #[serde(default)]
    pub rounding: Rounding,
    /// A published rate to compare the result with (Commonworks 1998: $4,476), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reference_rate: Option<Money>,
}

/// One region's historical cost.
///
/// # Example
///
/// ```
/// let r: cwfinance::rate_setting::RegionCost = serde_json::from_value(serde_json::json!({"region": "Western", "monthly_cost": "4310.00", "child_months": "1200"})).unwrap();
/// assert_eq!(r.child_months.unwrap().to_string(), "1200");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionCost {
    /// The region's name, unique.
    pub region: String,
    /// Its historical cost per child per month.
    pub monthly_cost: Money,
    /// Its child-months of service (a decimal string; fractions allowed for partial months),
    /// needed for the weighted mean.
    #[serde(
        default,
        deserialize_with = "opt_decimal::deserialize",
        serialize_with = "opt_decimal::serialize",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    pub child_months: Option<Decimal>,
}

impl RegionCost {
    /// A region with its monthly cost and no child-months.
    ///
    /// # Example
    ///
    /// ```
    /// let r = cwfinance::rate_setting::RegionCost::new("Western", cwfinance::Money::from_cents(431_000));
    /// assert_eq!(r.child_months, None);
    /// ```
    pub fn new(region: impl Into<String>, monthly_cost: Money) -> RegionCost {
        RegionCost {
            region: region.into(),
            monthly_cost,
            child_months: None,
        }
    }

    /// The same region with `child_months`.
    ///
    /// # Example
    ///
    /// ```
    /// use rust_decimal::Decimal;
    /// let r = cwfinance::rate_setting::RegionCost::new("Western", cwfinance::Money::from_cents(431_000)).with_child_months(Decimal::from(1200));
    /// assert_eq!(r.child_months, Some(Decimal::from(1200)));
    /// ```
    pub fn with_child_months(mut self, child_months: Decimal) -> RegionCost {
        self.child_months = Some(child_months);
        self
    }
}

/// A region left out of the mean, and why.
///
/// # Example
///
/// ```
/// let e: cwfinance::rate_setting::Exclusion = serde_json::from_value(serde_json::json!({"region": "Metro", "reason": "costs differed significantly"})).unwrap();
/// assert_eq!(e.region, "Metro");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Exclusion {
    /// The region, which must be one of the regions given.
    pub region: String,
    /// Why it is excluded (required).
    pub reason: String,
}

/// An excluded region with its cost and the reason.
///
/// # Example
///
/// ```
/// use cwfinance::rate_setting::*;
/// let regions = [RegionCost::new("A", cwfinance::Money::from_cents(100)), RegionCost::new("B", cwfinance::Money::from_cents(900))];
/// let rate = RateMethod::default().rate_from_history(&regions, &[Exclusion { region: "B".into(), reason: "outlier".into() }]).unwrap();
/// assert_eq!(rate.excluded[0].monthly_cost.to_string(), "9.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ExcludedRegion {
    /// The region.
    pub region: String,
    /// Its historical monthly cost per child.
    pub monthly_cost: Money,
    /// Why it was excluded.
    pub reason: String,
}

/// One adjustment as applied.
///
/// # Example
///
/// ```
/// use cwfinance::rate_setting::*;
/// let m = RateMethod { adjustments: vec![Adjustment { name: "up".into(), percent: "10%".parse().unwrap() }], ..RateMethod::default() };
/// let rate = m.rate_from_history(&[RegionCost::new("A", cwfinance::Money::from_cents(10_000))], &[]).unwrap();
/// assert_eq!(rate.adjustments[0].after.to_string(), "110.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct AppliedAdjustment {
    /// What the adjustment is.
    pub name: String,
    /// The change.
    pub percent: Percent,
    /// The unrounded rate before it.
    pub before: Money,
    /// The unrounded rate after it: `before × (1 + percent)`.
    pub after: Money,
}

/// A rate set from history, with every intermediate figure.
///
/// # Example
///
/// ```
/// use cwfinance::rate_setting::*;
/// let rate = RateMethod::default().rate_from_history(&[RegionCost::new("A", "4358.255".parse().unwrap())], &[]).unwrap();
/// assert_eq!(rate.unrounded_rate.to_string(), "4358.255");
/// assert_eq!(rate.rate.to_string(), "4358.26");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct HistoricalRate {
    /// The regions in the mean, in input order.
    pub included: Vec<RegionCost>,
    /// The regions left out, in input order, each with its reason.
    pub excluded: Vec<ExcludedRegion>,
    /// The mean used.
    pub mean_kind: MeanKind,
    /// The mean of the included regions, unrounded.
    pub mean: Money,
    /// The adjustments as applied, in order.
    pub adjustments: Vec<AppliedAdjustment>,
    /// The rate before the final rounding.
    pub unrounded_rate: Money,
    /// What the rate was rounded to.
    pub round_to: RoundTo,
    /// The rounding mode.
    pub rounding: Rounding,
    /// The rate.
    pub rate: Money,
    /// The method's published rate, when it has one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_rate: Option<Money>,
    /// `rate - reference_rate`, when there is a reference.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub difference_from_reference: Option<Money>,
}

impl RateMethod {
    /// Check the method: adjustments named and not below -100%.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::rate_setting::*;
    /// let m = RateMethod { adjustments: vec![Adjustment { name: "cut".into(), percent: "-150%".parse().unwrap() }], ..RateMethod::default() };
    /// assert_eq!(m.validate().unwrap_err().field(), "adjustments[0].percent");
    /// ```
    pub fn validate(&self) -> Result<()> {
        for (i, a) in self.adjustments.iter().enumerate() {
            if a.name.trim().is_empty() {
                return Err(Error::invalid(
                    format!("adjustments[{i}].name"),
                    a.name.clone(),
                    "an adjustment needs a name",
                ));
            }
            if a.percent.fraction() < -Decimal::ONE {
                return Err(Error::OutOfRange {
                    field: format!("adjustments[{i}].percent"),
                    value: a.percent.to_string(),
                    rule: "an adjustment cannot cut a rate by more than 100%".into(),
                });
            }
        }
        if let (Some(total), Some(included)) = (self.regions_total, self.regions_included) {
            if included > total || included == 0 {
                return Err(Error::OutOfRange {
                    field: "regions_included".into(),
                    value: included.to_string(),
                    rule: format!("between 1 and regions_total ({total})"),
                });
            }
        }
        if let Some(r) = self.reference_rate {
            r.non_negative("reference_rate", "a case rate cannot be negative")?;
        }
        Ok(())
    }

    /// Set a rate from `regions`' historical costs, leaving out `exclusions`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::rate_setting::*;
    /// let regions = [RegionCost::new("A", cwfinance::Money::from_cents(100))];
    /// let err = RateMethod::default()
    ///     .rate_from_history(&regions, &[Exclusion { region: "A".into(), reason: "outlier".into() }])
    ///     .unwrap_err();
    /// assert_eq!(err.field(), "exclude");
    /// ```
    pub fn rate_from_history(
        &self,
        regions: &[RegionCost],
        exclusions: &[Exclusion],
    ) -> Result<HistoricalRate> {
        self.rate_from_history_traced(
            regions,
            exclusions,
            &mut Trace::disabled(),
            &BTreeMap::new(),
        )
    }

    /// Like [`RateMethod::rate_from_history`], recording every step in `trace`. `citations` maps
    /// paths in the method (`adjustments[0].percent`, `regions_included`) to `file, section`
    /// labels for the steps that use them.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Trace, rate_setting::*};
    /// let mut trace = Trace::enabled();
    /// let regions = [RegionCost::new("A", cwfinance::Money::from_cents(100))];
    /// RateMethod::default().rate_from_history_traced(&regions, &[], &mut trace, &Default::default()).unwrap();
    /// assert!(trace.steps().iter().any(|s| s.step.starts_with("simple mean")));
    /// ```
    pub fn rate_from_history_traced(
        &self,
        regions: &[RegionCost],
        exclusions: &[Exclusion],
        trace: &mut Trace,
        citations: &BTreeMap<String, String>,
    ) -> Result<HistoricalRate> {
        self.validate()?;
        let cite = |step: TraceStep, path: &str| match citations.get(path) {
            Some(label) => step.cite(label.clone()),
            None => step,
        };
        if regions.is_empty() {
            return Err(Error::invalid(
                "regions",
                "[]",
                "at least one region's historical cost is needed",
            ));
        }
        let mut names = BTreeSet::new();
        for (i, r) in regions.iter().enumerate() {
            if r.region.trim().is_empty() {
                return Err(Error::invalid(
                    format!("regions[{i}].region"),
                    r.region.clone(),
                    "a region needs a name",
                ));
            }
            if !names.insert(r.region.as_str()) {
                return Err(Error::invalid(
                    format!("regions[{i}].region"),
                    r.region.clone(),
                    "region names must be unique",
                ));
            }
            r.monthly_cost.non_negative(
                &format!("regions[{i}].monthly_cost"),
                "a historical monthly cost per child cannot be negative",
            )?;
            if let Some(cm) = r.child_months {
                if cm.is_sign_negative() && !cm.is_zero() {
                    return Err(Error::negative(
                        format!("regions[{i}].child_months"),
                        cm,
                        "child-months cannot be negative",
                    ));
                }
            }
        }
        if let Some(total) = self.regions_total {
            if usize::try_from(total).ok() != Some(regions.len()) {
                return Err(Error::invalid(
                    "regions",
                    regions.len().to_string(),
                    format!(
                        "the method averages over {total} regions (regions_total), but {} were given",
                        regions.len()
                    ),
                ));
            }
        }
        let mut excluded_names = BTreeMap::new();
        for (i, e) in exclusions.iter().enumerate() {
            if !names.contains(e.region.as_str()) {
                return Err(Error::UnknownId {
                    field: format!("exclude[{i}].region"),
                    value: e.region.clone(),
                    what: "region".into(),
                    known: regions
                        .iter()
                        .map(|r| r.region.as_str())
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
            if e.reason.trim().is_empty() {
                return Err(Error::invalid(
                    format!("exclude[{i}].reason"),
                    e.reason.clone(),
                    "every excluded region needs a reason",
                ));
            }
            if excluded_names
                .insert(e.region.as_str(), e.reason.as_str())
                .is_some()
            {
                return Err(Error::invalid(
                    format!("exclude[{i}].region"),
                    e.region.clone(),
                    "a region is excluded twice",
                ));
            }
        }
        let included: Vec<RegionCost> = regions
            .iter()
            .filter(|r| !excluded_names.contains_key(r.region.as_str()))
            .cloned()
            .collect();
        let excluded: Vec<ExcludedRegion> = regions
            .iter()
            .filter_map(|r| {
                excluded_names
                    .get(r.region.as_str())
                    .map(|reason| ExcludedRegion {
                        region: r.region.clone(),
                        monthly_cost: r.monthly_cost,
                        reason: (*reason).to_string(),
                    })
            })
            .collect();
        if included.is_empty() {
            return Err(Error::invalid(
                "exclude",
                excluded.len().to_string(),
                "every region is excluded; at least one must remain in the mean",
            ));
        }
        if let Some(want) = self.regions_included {
            if usize::try_from(want).ok() != Some(included.len()) {
                return Err(Error::invalid(
                    "exclude",
                    excluded.len().to_string(),
                    format!(
                        "the method averages {want} regions (regions_included), but {} remain after {} exclusion(s)",
                        included.len(),
                        excluded.len()
                    ),
                ));
            }
        }
        trace.record(|| {
            let mut step = TraceStep::new(
                "regions in the mean",
                included
                    .iter()
                    .map(|r| r.region.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
            for r in &included {
                step = step.input(&r.region, r.monthly_cost);
            }
            cite(step, "regions_included")
        });
        for x in &excluded {
            trace.record(|| {
                TraceStep::new(format!("exclude {}", x.region), x.reason.clone())
                    .input("monthly_cost", x.monthly_cost)
            });
        }
        let overflow = |what: &str| Error::overflow("regions", what);
        let mean = match self.mean {
            MeanKind::Simple => {
                let sum = included
                    .iter()
                    .try_fold(Decimal::ZERO, |acc, r| {
                        acc.checked_add(r.monthly_cost.amount())
                    })
                    .ok_or_else(|| overflow("sum of monthly costs"))?;
                let count = Decimal::from(included.len());
                let mean = sum.checked_div(count).ok_or_else(|| overflow("mean"))?;
                trace.record(|| {
                    TraceStep::new(
                        "simple mean: sum of the included costs / number of regions",
                        mean.normalize(),
                    )
                    .input("sum", sum)
                    .input("regions", included.len())
                    .cite(COMMONWORKS_RATE_SOURCE)
                });
                mean
            }
            MeanKind::WeightedByChildMonths => {
                let mut weighted = Decimal::ZERO;
                let mut weights = Decimal::ZERO;
                for r in &included {
                    let index = regions
                        .iter()
                        .position(|x| x.region == r.region)
                        .unwrap_or(0);
                    let cm = r.child_months.ok_or_else(|| Error::MissingParameter {
                        field: format!("regions[{index}].child_months"),
                        rule: "the weighted mean needs child-months for every included region"
                            .into(),
                    })?;
                    weighted = r
                        .monthly_cost
                        .amount()
                        .checked_mul(cm)
                        .and_then(|x| weighted.checked_add(x))
                        .ok_or_else(|| overflow("cost × child-months"))?;
                    weights = weights
                        .checked_add(cm)
                        .ok_or_else(|| overflow("child-months"))?;
                }
                if weights.is_zero() {
                    return Err(Error::invalid(
                        "regions",
                        "0",
                        "the included regions have no child-months, so a weighted mean is undefined",
                    ));
                }
                let mean = weighted
                    .checked_div(weights)
                    .ok_or_else(|| overflow("mean"))?;
                trace.record(|| {
                    TraceStep::new(
                        "weighted mean: Σ(cost × child-months) / Σ child-months",
                        mean.normalize(),
                    )
                    .input("cost_times_child_months", weighted.normalize())
                    .input("child_months", weights.normalize())
                    .cite(COMMONWORKS_RATE_SOURCE)
                });
                mean
            }
        };
        let mean = mean.normalize();
        let mut rate = mean;
        let mut applied = Vec::with_capacity(self.adjustments.len());
        for (i, a) in self.adjustments.iter().enumerate() {
            let factor = Decimal::ONE
                .checked_add(a.percent.fraction())
                .ok_or_else(|| overflow("adjustment"))?;
            let after = rate
                .checked_mul(factor)
                .ok_or_else(|| overflow("adjusted rate"))?
                .normalize();
            trace.record(|| {
                cite(
                    TraceStep::new(format!("apply {}", a.name), after)
                        .input("before", rate)
                        .input("percent", a.percent),
                    &format!("adjustments[{i}].percent"),
                )
            });
            applied.push(AppliedAdjustment {
                name: a.name.clone(),
                percent: a.percent,
                before: Money::new(rate),
                after: Money::new(after),
            });
            rate = after;
        }
        let rounded = self.rounding.round(rate, self.round_to.places());
        let rounded = if rounded.scale() < 2 {
            let mut r = rounded;
            r.rescale(2);
            r
        } else {
            rounded
        };
        trace.record(|| {
            cite(
                TraceStep::new(
                    match self.round_to {
                        RoundTo::Cent => "round to the cent",
                        RoundTo::Dollar => "round to the whole dollar",
                    },
                    Money::new(rounded),
                )
                .input("unrounded", rate)
                .input("rounding", rounding_name(self.rounding)),
                "round_to",
            )
        });
        let difference = self.reference_rate.map(|r| Money::new(rounded) - r);
        if let (Some(reference), Some(diff)) = (self.reference_rate, difference) {
            trace.record(|| {
                cite(
                    TraceStep::new("compare with the published rate", diff)
                        .input("rate", Money::new(rounded))
                        .input("reference_rate", reference),
                    "reference_rate",
                )
            });
        }
        Ok(HistoricalRate {
            included,
            excluded,
            mean_kind: self.mean,
            mean: Money::new(mean),
            adjustments: applied,
            unrounded_rate: Money::new(rate),
            round_to: self.round_to,
            rounding: self.rounding,
            rate: Money::new(rounded),
            reference_rate: self.reference_rate,
            difference_from_reference: difference,
        })
    }
}

fn rounding_name(r: Rounding) -> &'static str {
    match r {
        Rounding::HalfUp => "half_up",
        Rounding::HalfEven => "half_even",
    }
}

/// An optional bare decimal crossing JSON as a string.
mod opt_decimal {
    use rust_decimal::Decimal;
    use serde::{Deserializer, Serializer};

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        d: D,
    ) -> Result<Option<Decimal>, D::Error> {
        crate::money::decimal_string::deserialize(d).map(Some)
    }

    pub(super) fn serialize<S: Serializer>(v: &Option<Decimal>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(d) => s.collect_str(d),
            None => s.serialize_none(),
        }
    }
}

/// The request of the `rate.from_history` document.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({
///     "kind": "rate.from_history",
///     "regions": [{"region": "A", "monthly_cost": "4000.00"}, {"region": "B", "monthly_cost": "4200.00"}],
///     "method": {"adjustments": [{"name": "statewide increase", "percent": "2.7%"}]}
/// }));
/// assert_eq!(out["rate"], "4210.70");
/// ```
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RateRequest {
    /// Every region's historical monthly cost per child (and child-months, for a weighted mean).
    pub regions: Vec<RegionCost>,
    /// The regions left out of the mean, each with a reason.
    #[serde(default)]
    pub exclude: Vec<Exclusion>,
    /// The method; when absent, the program's `rate_setting` section.
    #[serde(default)]
    pub method: Option<RateMethod>,
    /// Overrides the method's mean.
    #[serde(default)]
    pub mean: Option<MeanKind>,
    /// Overrides what the rate is rounded to.
    #[serde(default)]
    pub round_to: Option<RoundTo>,
    /// Overrides the rounding mode.
    #[serde(default)]
    pub rounding: Option<Rounding>,
}

/// The response of the `rate.from_history` document: the [`HistoricalRate`] and the trace.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({
///     "kind": "rate.from_history", "trace": true, "method": {},
///     "regions": [{"region": "A", "monthly_cost": "4000.00"}]
/// }));
/// assert_eq!(out["mean"], "4000.00");
/// assert!(out["trace"].as_array().is_some());
/// ```
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RateResponse {
    /// The rate and its intermediate figures.
    #[serde(flatten)]
    pub result: HistoricalRate,
    /// The steps, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceStep>>,
}

/// Check a program's `rate_setting` section.
pub(crate) fn check_section(section: &Value) -> Result<()> {
    let method: RateMethod = crate::json::decode(section, "")?;
    method.validate()
}

pub(crate) fn run_document(body: &Value, ctx: &Context) -> Result<Value> {
    let req: RateRequest = crate::json::decode(body, "")?;
    let from_program = req.method.is_none();
    let mut method: RateMethod = ctx.config(req.method, "method", "rate_setting")?;
    if let Some(m) = req.mean {
        method.mean = m;
    }
    if let Some(r) = req.round_to {
        method.round_to = r;
    }
    if let Some(r) = req.rounding {
        method.rounding = r;
    }
    let citations: BTreeMap<String, String> = if from_program {
        ctx.citations("rate_setting")
            .into_iter()
            .filter_map(|(k, v)| k.strip_prefix("rate_setting.").map(|k| (k.to_string(), v)))
            .collect()
    } else {
        BTreeMap::new()
    };
    let mut trace = Trace::new(ctx.trace);
    let result = method
        .rate_from_history_traced(&req.regions, &req.exclude, &mut trace, &citations)
        .map_err(|e| {
            // Method errors belong to the method's location; data errors to the request.
            if e.field().starts_with("adjustments")
                || e.field().starts_with("regions_included")
                || e.field().starts_with("reference_rate")
            {
                e.at(if from_program {
                    "program.sections.rate_setting"
                } else {
                    "method"
                })
            } else {
                e
            }
        })?;
    crate::json::to_value(&RateResponse {
        result,
        trace: trace.into_steps(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn money(s: &str) -> Money {
        s.parse().unwrap()
    }

    #[test]
    fn dollar_rounding_prints_cents() {
        let m = RateMethod {
            round_to: RoundTo::Dollar,
            ..RateMethod::default()
        };
        let r = m
            .rate_from_history(&[RegionCost::new("A", money("4475.50"))], &[])
            .unwrap();
        // 4475.50 half up to the dollar is 4476; printed with cents.
        assert_eq!(r.rate.to_string(), "4476.00");
        let m = RateMethod {
            rounding: Rounding::HalfEven,
            ..m
        };
        let r = m
            .rate_from_history(&[RegionCost::new("A", money("4475.50"))], &[])
            .unwrap();
        // Half even: 4475.5 goes to the even 4476 too; 4474.5 would go to 4474.
        assert_eq!(r.rate.to_string(), "4476.00");
        let r = m
            .rate_from_history(&[RegionCost::new("A", money("4474.50"))], &[])
            .unwrap();
        assert_eq!(r.rate.to_string(), "4474.00");
    }

    #[test]
    fn weighted_mean_needs_child_months() {
        let m = RateMethod {
            mean: MeanKind::WeightedByChildMonths,
            ..RateMethod::default()
        };
        let err = m
            .rate_from_history(
                &[
                    RegionCost::new("A", money("1")).with_child_months(Decimal::from(3)),
                    RegionCost::new("B", money("2")),
                ],
                &[],
            )
            .unwrap_err();
        assert_eq!(
            (err.kind(), err.field()),
            ("missing_parameter", "regions[1].child_months")
        );
        // An excluded region needs none.
        let r = m
            .rate_from_history(
                &[
                    RegionCost::new("A", money("1")).with_child_months(Decimal::from(3)),
                    RegionCost::new("B", money("2")),
                ],
                &[Exclusion {
                    region: "B".into(),
                    reason: "no data".into(),
                }],
            )
            .unwrap();
        assert_eq!(r.rate.to_string(), "1.00");
    }

    #[test]
    fn method_shape_is_enforced() {
        let m = RateMethod {
            regions_total: Some(3),
            regions_included: Some(2),
            ..RateMethod::default()
        };
        let regions = [
            RegionCost::new("A", money("1")),
            RegionCost::new("B", money("2")),
            RegionCost::new("C", money("3")),
        ];
        assert_eq!(
            m.rate_from_history(&regions[..2], &[]).unwrap_err().field(),
            "regions"
        );
        assert_eq!(
            m.rate_from_history(&regions, &[]).unwrap_err().field(),
            "exclude"
        );
        let dup = [
            Exclusion {
                region: "C".into(),
                reason: "x".into(),
            },
            Exclusion {
                region: "C".into(),
                reason: "y".into(),
            },
        ];
        assert_eq!(
            m.rate_from_history(&regions, &dup).unwrap_err().field(),
            "exclude[1].region"
        );
        let blank = [Exclusion {
            region: "C".into(),
            reason: " ".into(),
        }];
        assert_eq!(
            m.rate_from_history(&regions, &blank).unwrap_err().field(),
            "exclude[0].reason"
        );
        let unknown = [Exclusion {
            region: "Z".into(),
            reason: "x".into(),
        }];
        assert_eq!(
            m.rate_from_history(&regions, &unknown).unwrap_err().kind(),
            "unknown_id"
        );
        let bad = RateMethod {
            regions_total: Some(3),
            regions_included: Some(4),
            ..RateMethod::default()
        };
        assert_eq!(bad.validate().unwrap_err().field(), "regions_included");
    }

    proptest! {
        #[test]
        fn no_input_panics(
            costs in prop::collection::vec((any::<i64>(), 0u32..29, proptest::option::of((any::<i64>(), 0u32..29))), 0..8),
            exclude in prop::collection::vec(0usize..10, 0..4),
            adjustments in prop::collection::vec((any::<i64>(), 0u32..29), 0..3),
            weighted in any::<bool>(),
            dollar in any::<bool>(),
        ) {
            let regions: Vec<RegionCost> = costs.iter().enumerate().map(|(i, (m, s, cm))| RegionCost {
                region: format!("R{i}"),
                monthly_cost: Money::new(Decimal::new(*m, *s)),
                child_months: cm.map(|(m, s)| Decimal::new(m, s)),
            }).collect();
            let exclusions: Vec<Exclusion> = exclude.iter().map(|i| Exclusion { region: format!("R{i}"), reason: "test".into() }).collect();
            let method = RateMethod {
                mean: if weighted { MeanKind::WeightedByChildMonths } else { MeanKind::Simple },
                round_to: if dollar { RoundTo::Dollar } else { RoundTo::Cent },
                adjustments: adjustments.iter().map(|(m, s)| Adjustment { name: "a".into(), percent: Percent::from_fraction(Decimal::new(*m, *s)) }).collect(),
                ..RateMethod::default()
            };
            let _ = method.rate_from_history_traced(&regions, &exclusions, &mut Trace::enabled(), &BTreeMap::new());
        }

        #[test]
        fn simple_mean_lies_between_min_and_max(costs in prop::collection::vec(0i64..1_000_000_000, 1..10)) {
            let regions: Vec<RegionCost> = costs.iter().enumerate().map(|(i, c)| RegionCost::new(format!("R{i}"), Money::from_cents(*c))).collect();
            let r = RateMethod::default().rate_from_history(&regions, &[]).unwrap();
            let min = costs.iter().min().copied().unwrap_or(0);
            let max = costs.iter().max().copied().unwrap_or(0);
            prop_assert!(r.rate >= Money::from_cents(min) && r.rate <= Money::from_cents(max));
        }
    }
}
