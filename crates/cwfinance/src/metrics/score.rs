//! Scoring: percentage of goal achieved × weight, weakness flags and incentive eligibility.
//!
//! - **Score**, `003_d493ecb4a837036e.txt, 13 CSR 35-35.100(3)(H)`: for each item in force, the
//!   percentage of the goal the provider achieved, times the item's weight, summed. For a
//!   higher-is-better metric the percentage is actual ÷ goal; for a lower-is-better metric it is
//!   goal ÷ actual. An actual of zero on a lower-is-better metric earns full credit
//!   ([`ZeroActualRule`]). Capping each item at 100% is the option [`ScoreOptions::cap_at_100`]
//!   (on by default). An item whose benchmark is undetermined, whose weight is zero, or whose
//!   value is missing is reported, not scored.
//! - **Weights**: the published Phase I weights sum to 105%. The scorecard reports the sum;
//!   [`WeightPolicy::NormalizeTo100`] rescales the total to the scored weights.
//! - **Weakness**, `(5)(A)`: flags from configurable thresholds ([`WeaknessThresholds`]).
//! - **Incentive**, `004_c47e555d576af250.txt`, quoting `13 CSR 35-35.130(6)(C)`: a contractor
//!   that *exceeds* its region's permanency goal qualifies for 50% of the incentive; meeting the
//!   HB 1414 goals in force earns the other 50%. Nothing scored means the goals are not met
//!   (`goals_met` is absent), never vacuously met.
//!
//! Rounding: a percentage of goal is shown to 0.01 percentage point (half-up); each weighted
//! score is the exact percentage × weight rounded half-up to 0.01 point; the total is the sum of
//! the rounded weighted scores.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::document::Context;
use crate::error::{Error, Result};
use crate::metrics::definitions::{Direction, MetricId};
use crate::metrics::phases::{GoalItem, PhaseTable, RegionalGoal};
use crate::money::{Percent, Rounding};
use crate::trace::{Trace, TraceStep};

const RULE_3H: &str = "003_d493ecb4a837036e.txt, 13 CSR 35-35.100(3)(H)";
const RULE_5A: &str = "003_d493ecb4a837036e.txt, 13 CSR 35-35.100(5)(A)";
const RULE_130: &str =
    "004_c47e555d576af250.txt, Phase II Metrics, Permanency Domain (13 CSR 35-35.130(6)(C))";

/// How the weights of the items in force are used.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::score::WeightPolicy;
/// assert_eq!(WeightPolicy::default(), WeightPolicy::AsPublished);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum WeightPolicy {
    /// The weights as published (Phase I: 105%), so a perfect score is the weight sum. The
    /// default, because (3)(H) says to multiply by "the weight factor ... assigned".
    #[default]
    AsPublished,
    /// The total divided by the sum of the scored items' weights, so a perfect score is 100%.
    #[serde(rename = "normalize_to_100")]
    NormalizeTo100,
}

/// What a lower-is-better item earns when the actual value is zero (goal ÷ 0).
///
/// # Example
///
/// ```
/// use cwfinance::metrics::score::ZeroActualRule;
/// assert_eq!(ZeroActualRule::default(), ZeroActualRule::FullCredit);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum ZeroActualRule {
    /// 100% of goal: no re-entries or no maltreatment is the best possible result. The default.
    #[default]
    FullCredit,
    /// Not scored (reported with reason `zero_actual`).
    NotScored,
}

/// When a unit counts as meeting "the HB 1414 goals in force" for the second half of the
/// incentive.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::score::GoalsMetRule;
/// assert_eq!(GoalsMetRule::default(), GoalsMetRule::AllScoredItems);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case", tag = "rule", content = "at_least")]
pub enum GoalsMetRule {
    /// Every scored item meets its goal. The default: 130(6)(C) says "meet the performance
    /// goals", plural.
    #[default]
    AllScoredItems,
    /// The total (after the weight policy) is at least the given percentage.
    TotalAtLeast(Percent),
}

/// Thresholds for weakness flags (`13 CSR 35-35.100(5)(A)`, which leaves them to the division).
///
/// # Example
///
/// ```
/// use cwfinance::metrics::score::WeaknessThresholds;
/// let t = WeaknessThresholds::default();
/// assert_eq!(t.item_below.to_string(), "90%");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WeaknessThresholds {
    /// Flag an item achieving less than this percentage of its goal (default 90%).
    #[serde(default = "ninety")]
    pub item_below: Percent,
    /// Flag a unit whose total, as a share of the scored weights, is below this (default 90%).
    #[serde(default = "ninety")]
    pub total_below: Percent,
}

fn ninety() -> Percent {
    Percent::from_fraction(Decimal::new(9, 1))
}

impl Default for WeaknessThresholds {
    fn default() -> Self {
        WeaknessThresholds {
            item_below: ninety(),
            total_below: ninety(),
        }
    }
}

fn yes() -> bool {
    true
}

fn default_permanency_metric() -> MetricId {
    MetricId::TimelyPermanency
}

/// The options of scoring, each a named choice where the sources are silent.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::score::ScoreOptions;
/// let o = ScoreOptions::default();
/// assert!(o.cap_at_100);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreOptions {
    /// Cap each item's percentage of goal at 100% (default true, so that beating one goal
    /// cannot make up for missing another; (3)(H) is silent).
    #[serde(default = "yes")]
    pub cap_at_100: bool,
    /// How the weights are used.
    #[serde(default)]
    pub weights: WeightPolicy,
    /// Lower-is-better items with an actual of zero.
    #[serde(default)]
    pub zero_actual: ZeroActualRule,
    /// Weakness thresholds.
    #[serde(default)]
    pub weakness: WeaknessThresholds,
    /// When the HB 1414 goals count as met for the incentive.
    #[serde(default)]
    pub goals_met_rule: GoalsMetRule,
    /// The metric compared with the regional permanency goal for the incentive.
    #[serde(default = "default_permanency_metric")]
    pub permanency_metric: MetricId,
}

impl Default for ScoreOptions {
    fn default() -> Self {
        ScoreOptions {
            cap_at_100: true,
            weights: WeightPolicy::default(),
            zero_actual: ZeroActualRule::default(),
            weakness: WeaknessThresholds::default(),
            goals_met_rule: GoalsMetRule::default(),
            permanency_metric: default_permanency_metric(),
        }
    }
}

/// One unit (provider, region, ...) to score: its metric values in each metric's unit.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::score::UnitValues;
/// let u = UnitValues::new("Provider A").region("Springfield").value("worker_child_visits", "90%");
/// assert_eq!(u.values.len(), 1);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct UnitValues {
    /// The unit's name.
    pub unit: String,
    /// The region whose goals apply.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub region: Option<String>,
    /// True for a contractor (FCCM), false for the Children's Division (which earns no
    /// incentive). Default true.
    #[serde(default = "yes")]
    pub contractor: bool,
    /// Metric values in each metric's unit (`"95.24%"`, `"9.67"`); `null` when there is no
    /// value (zero denominator or suppressed).
    pub values: BTreeMap<MetricId, Option<String>>,
}

impl UnitValues {
    /// A contractor unit with no values yet.
    pub fn new(unit: impl Into<String>) -> Self {
        UnitValues {
            unit: unit.into(),
            region: None,
            contractor: true,
            values: BTreeMap::new(),
        }
    }

    /// Set the region.
    pub fn region(mut self, region: impl Into<String>) -> Self {
        self.region = Some(region.into());
        self
    }

    /// Add a value (an unknown metric id is ignored here and refused by [`score_units`] input
    /// decoding).
    pub fn value(mut self, metric: &str, value: &str) -> Self {
        if let Ok(m) = metric.parse::<MetricId>() {
            self.values.insert(m, Some(value.to_string()));
        }
        self
    }
}

/// Why an item is reported but not scored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum NotScored {
    /// The benchmark is undetermined (and the region has no goal).
    BenchmarkUndetermined,
    /// The weight is 0%.
    ZeroWeight,
    /// The unit has no value (zero denominator, suppressed, or not given).
    NoValue,
    /// A lower-is-better actual of zero under [`ZeroActualRule::NotScored`].
    ZeroActual,
}

/// One item of a scorecard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ItemScore {
    /// The metric.
    pub metric: MetricId,
    /// Which way is better.
    pub direction: Direction,
    /// The goal in the metric's unit, when determined.
    pub goal: Option<String>,
    /// `statewide` or `region <name>`.
    pub goal_scope: String,
    /// The weight.
    pub weight: Percent,
    /// The unit's value.
    pub actual: Option<String>,
    /// Whether the actual meets the goal (≥ goal, or ≤ for lower-is-better), when both exist.
    pub met: Option<bool>,
    /// Whether the item counts in the total.
    pub scored: bool,
    /// Why not, when it does not.
    pub not_scored: Option<NotScored>,
    /// Percentage of the goal achieved (after the cap), when scored.
    pub percent_of_goal: Option<Percent>,
    /// Percentage of goal × weight, when scored.
    pub weighted: Option<Percent>,
}

/// A weakness flag.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct WeaknessFlag {
    /// `item_below_threshold` or `total_below_threshold`.
    pub flag: String,
    /// The metric, for item flags.
    pub metric: Option<MetricId>,
    /// The percentage that fell short.
    pub value: Percent,
    /// The threshold.
    pub threshold: Percent,
}

/// Incentive eligibility under 13 CSR 35-35.130(6)(C).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Incentive {
    /// The metric compared with the regional goal.
    pub permanency_metric: MetricId,
    /// The regional permanency goal, when the unit's region has one.
    pub permanency_goal: Option<String>,
    /// The unit's value of the permanency metric.
    pub permanency_actual: Option<String>,
    /// Whether the value exceeds (strictly) the regional goal.
    pub exceeds_permanency_goal: Option<bool>,
    /// Whether the HB 1414 goals in force are met (absent when nothing could be judged).
    pub hb1414_goals_met: Option<bool>,
    /// The share of the incentive earned: 0%, 50% or 100%.
    pub share: Percent,
    /// Why, in words.
    pub reason: String,
}

/// A unit's scorecard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Scorecard {
    /// The unit.
    pub unit: String,
    /// Its region.
    pub region: Option<String>,
    /// The items in force, in phase order.
    pub items: Vec<ItemScore>,
    /// The sum of the weights of all items in force, as published (Phase I: 105%).
    pub weight_sum: Percent,
    /// The sum of the weights of the scored items.
    pub scored_weight_sum: Percent,
    /// Σ weighted, before the weight policy.
    pub raw_total: Percent,
    /// The total under the weight policy.
    pub total: Percent,
    /// The weight policy applied.
    pub weight_policy: WeightPolicy,
    /// True when every scored item meets its goal (or the total rule holds); absent when no
    /// item is scored or a weighted item with a goal has no value.
    pub goals_met: Option<bool>,
    /// Weakness flags.
    pub weakness: Vec<WeaknessFlag>,
    /// Incentive eligibility (contractors only).
    pub incentive: Incentive,
}

/// The items and goals to score against: the phase in force, or the request's own.
#[derive(Debug, Clone)]
pub struct Goals {
    /// The phase id (`phase_1`, or `custom`).
    pub phase: String,
    /// The items in force.
    pub items: Vec<GoalItem>,
    /// Regional goals.
    pub regional_goals: Vec<RegionalGoal>,
    /// `file, section` labels by metric, for traces.
    pub sources: BTreeMap<MetricId, String>,
}

impl Goals {
    /// The built-in phase table's goals in force on `as_of`.
    ///
    /// # Example
    ///
    /// ```
    /// let g = cwfinance::metrics::score::Goals::in_force("2022-12-31".parse().unwrap()).unwrap();
    /// assert_eq!(g.phase, "phase_1");
    /// ```
    pub fn in_force(as_of: NaiveDate) -> Result<Goals> {
        let table = PhaseTable::builtin()?;
        let (phase, items) = table.items_in_force(as_of)?;
        let mut sources = BTreeMap::new();
        for item in &items {
            if let Some(path) = table.item_path(as_of, item.metric) {
                if let Some(l) = table.label(&format!("{path}.weight")) {
                    sources.insert(item.metric, l);
                }
            }
        }
        Ok(Goals {
            phase: phase.id.clone(),
            items,
            regional_goals: table.regional_goals.clone(),
            sources,
        })
    }
}

fn round4(x: Decimal) -> Decimal {
    Rounding::HalfUp.round(x, 4)
}

/// Score one unit against `goals`.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::score::{score_unit, Goals, ScoreOptions, UnitValues};
/// let goals = Goals::in_force("2022-12-31".parse().unwrap()).unwrap();
/// let unit = UnitValues::new("A").value("worker_child_visits", "90%");
/// let card = score_unit(&unit, &goals, &ScoreOptions::default(), &mut cwfinance::Trace::disabled()).unwrap();
/// // 90% / 95% = 94.7368...%; x 25% = 23.68%.
/// assert_eq!(card.items[0].percent_of_goal.unwrap().to_string(), "94.74%");
/// assert_eq!(card.items[0].weighted.unwrap().to_string(), "23.68%");
/// ```
pub fn score_unit(
    unit: &UnitValues,
    goals: &Goals,
    options: &ScoreOptions,
    trace: &mut Trace,
) -> Result<Scorecard> {
    let mut items = Vec::with_capacity(goals.items.len());
    let mut raw_total = Decimal::ZERO;
    let mut scored_weights = Decimal::ZERO;
    let mut all_met = true;
    let mut any_scored = false;
    let mut incomplete = false;
    for item in &goals.items {
        let def = item.metric.definition();
        let field = format!("values.{}", item.metric);
        let regional = unit.region.as_deref().and_then(|r| {
            goals
                .regional_goals
                .iter()
                .find(|g| g.metric == item.metric && g.region == r)
        });
        let (goal_text, goal_scope) = match (regional, &item.benchmark) {
            (Some(g), _) => (Some(g.goal.clone()), format!("region {}", g.region)),
            (None, Some(b)) => (Some(b.clone()), "statewide".to_string()),
            (None, None) => (None, "statewide".to_string()),
        };
        let goal = goal_text
            .as_deref()
            .map(|t| def.unit.parse(&format!("{}.goal", item.metric), t))
            .transpose()?;
        let actual_text = unit.values.get(&item.metric).cloned().flatten();
        let actual = actual_text
            .as_deref()
            .map(|t| def.unit.parse(&field, t))
            .transpose()?;
        if let Some(a) = actual {
            if a.is_sign_negative() && !a.is_zero() {
                return Err(Error::negative(
                    &field,
                    a,
                    "a metric value cannot be negative",
                ));
            }
        }
        let met = match (goal, actual) {
            (Some(g), Some(a)) => Some(match def.direction {
                Direction::HigherIsBetter => a >= g,
                Direction::LowerIsBetter => a <= g,
            }),
            _ => None,
        };
        let weight = item.weight.fraction();
        let mut not_scored = if goal.is_none() {
            Some(NotScored::BenchmarkUndetermined)
        } else if weight.is_zero() {
            Some(NotScored::ZeroWeight)
        } else if actual.is_none() {
            incomplete = true;
            Some(NotScored::NoValue)
        } else {
            None
        };
        let mut percent_of_goal = None;
        let mut weighted = None;
        if let (None, Some(g), Some(a)) = (not_scored, goal, actual) {
            let exact = match def.direction {
                Direction::HigherIsBetter if g.is_zero() => Some(Decimal::ONE),
                Direction::HigherIsBetter => a.checked_div(g),
                Direction::LowerIsBetter if a.is_zero() => match options.zero_actual {
                    ZeroActualRule::FullCredit => Some(Decimal::ONE),
                    ZeroActualRule::NotScored => None,
                },
                Direction::LowerIsBetter => g.checked_div(a),
            };
            match exact {
                None => not_scored = Some(NotScored::ZeroActual),
                Some(mut p) => {
                    if options.cap_at_100 && p > Decimal::ONE {
                        p = Decimal::ONE;
                    }
                    let w = round4(
                        p.checked_mul(weight)
                            .ok_or_else(|| Error::overflow(&field, p))?,
                    );
                    raw_total += w;
                    scored_weights += weight;
                    any_scored = true;
                    if met == Some(false) {
                        all_met = false;
                    }
                    percent_of_goal = Some(Percent::from_fraction(round4(p)));
                    weighted = Some(Percent::from_fraction(w));
                    trace.record(|| {
                        let mut step = TraceStep::new(
                            format!("score {}", item.metric),
                            Percent::from_fraction(w),
                        )
                        .input("actual", def.unit.format(a))
                        .input("goal", def.unit.format(g))
                        .input("goal_scope", &goal_scope)
                        .input("percent_of_goal", Percent::from_fraction(round4(p)))
                        .input("weight", item.weight);
                        step = step.cite(
                            goals
                                .sources
                                .get(&item.metric)
                                .cloned()
                                .unwrap_or_else(|| RULE_3H.to_string()),
                        );
                        step
                    });
                }
            }
        }
        items.push(ItemScore {
            metric: item.metric,
            direction: def.direction,
            goal: goal.map(|g| def.unit.format(g)),
            goal_scope,
            weight: item.weight,
            actual: actual.map(|a| def.unit.format(a)),
            met,
            scored: not_scored.is_none(),
            not_scored,
            percent_of_goal,
            weighted,
        });
    }
    let weight_sum = crate::metrics::phases::weight_sum(&goals.items);
    let total = match options.weights {
        WeightPolicy::AsPublished => raw_total,
        WeightPolicy::NormalizeTo100 if scored_weights.is_zero() => Decimal::ZERO,
        WeightPolicy::NormalizeTo100 => round4(raw_total / scored_weights),
    };
    trace.record(|| {
        TraceStep::new(
            format!("total score of {}", unit.unit),
            Percent::from_fraction(total),
        )
        .input("raw_total", Percent::from_fraction(raw_total))
        .input("weight_sum", weight_sum)
        .input("scored_weight_sum", Percent::from_fraction(scored_weights))
        .input("weight_policy", format!("{:?}", options.weights))
        .cite(RULE_3H)
    });
    let goals_met = if !any_scored || incomplete {
        None
    } else {
        Some(match options.goals_met_rule {
            GoalsMetRule::AllScoredItems => all_met,
            GoalsMetRule::TotalAtLeast(p) => total >= p.fraction(),
        })
    };
    let mut weakness = Vec::new();
    for it in &items {
        if let Some(p) = it.percent_of_goal {
            if p < options.weakness.item_below {
                weakness.push(WeaknessFlag {
                    flag: "item_below_threshold".into(),
                    metric: Some(it.metric),
                    value: p,
                    threshold: options.weakness.item_below,
                });
            }
        }
    }
    if !scored_weights.is_zero() {
        let share = round4(raw_total / scored_weights);
        if share < options.weakness.total_below.fraction() {
            weakness.push(WeaknessFlag {
                flag: "total_below_threshold".into(),
                metric: None,
                value: Percent::from_fraction(share),
                threshold: options.weakness.total_below,
            });
        }
    }
    if !weakness.is_empty() {
        trace.record(|| {
            TraceStep::new(format!("weakness flags of {}", unit.unit), weakness.len())
                .input("item_below", options.weakness.item_below)
                .input("total_below", options.weakness.total_below)
                .cite(RULE_5A)
        });
    }
    let incentive = incentive(unit, goals, options, goals_met)?;
    trace.record(|| {
        TraceStep::new(format!("incentive share of {}", unit.unit), incentive.share)
            .input("reason", &incentive.reason)
            .cite(RULE_130)
    });
    Ok(Scorecard {
        unit: unit.unit.clone(),
        region: unit.region.clone(),
        items,
        weight_sum,
        scored_weight_sum: Percent::from_fraction(scored_weights),
        raw_total: Percent::from_fraction(raw_total),
        total: Percent::from_fraction(total),
        weight_policy: options.weights,
        goals_met,
        weakness,
        incentive,
    })
}

fn incentive(
    unit: &UnitValues,
    goals: &Goals,
    options: &ScoreOptions,
    goals_met: Option<bool>,
) -> Result<Incentive> {
    let metric = options.permanency_metric;
    let def = metric.definition();
    let goal = unit.region.as_deref().and_then(|r| {
        goals
            .regional_goals
            .iter()
            .find(|g| g.metric == metric && g.region == r)
    });
    let actual_text = unit.values.get(&metric).cloned().flatten();
    let actual = actual_text
        .as_deref()
        .map(|t| def.unit.parse(&format!("values.{metric}"), t))
        .transpose()?;
    let goal_value = goal
        .map(|g| def.unit.parse("regional_goals.goal", &g.goal))
        .transpose()?;
    let exceeds = match (goal_value, actual) {
        (Some(g), Some(a)) => Some(match def.direction {
            Direction::HigherIsBetter => a > g,
            Direction::LowerIsBetter => a < g,
        }),
        _ => None,
    };
    let half = Percent::from_fraction(Decimal::new(5, 1));
    let (share, reason) = if !unit.contractor {
        (
            Percent::ZERO,
            "not a contractor: the incentive applies to FCCM contracts only".to_string(),
        )
    } else {
        match (exceeds, goals_met) {
            (None, _) if goal_value.is_none() => (
                Percent::ZERO,
                "no regional permanency goal for this unit's region, so it cannot qualify".into(),
            ),
            (None, _) => (Percent::ZERO, "no permanency value, so it cannot qualify".into()),
            (Some(false), _) => (
                Percent::ZERO,
                "does not exceed the regional permanency goal, so it does not qualify".into(),
            ),
            (Some(true), Some(true)) => (
                Percent::ONE_HUNDRED,
                "exceeds the regional permanency goal (50%) and meets the HB 1414 goals in force (50%)".into(),
            ),
            (Some(true), Some(false)) => (
                half,
                "exceeds the regional permanency goal (50%); does not meet the HB 1414 goals in force".into(),
            ),
            (Some(true), None) => (
                half,
                "exceeds the regional permanency goal (50%); the HB 1414 goals cannot be judged (nothing scored or values missing)".into(),
            ),
        }
    };
    Ok(Incentive {
        permanency_metric: metric,
        permanency_goal: goal_value.map(|g| def.unit.format(g)),
        permanency_actual: actual.map(|a| def.unit.format(a)),
        exceeds_permanency_goal: exceeds,
        hb1414_goals_met: goals_met,
        share,
        reason,
    })
}

/// A goal item given in a request (plain values, no citations).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ItemConfig {
    /// The metric.
    pub metric: MetricId,
    /// The benchmark in the metric's unit, or `"undetermined"`.
    pub benchmark: String,
    /// The weight.
    pub weight: Percent,
}

/// The request of `hb1414.score`: metric values in, scorecards out.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScoreRequest {
    /// The date whose phase is in force (the last day of the scored period).
    pub as_of: NaiveDate,
    /// The units to score.
    pub units: Vec<UnitValues>,
    /// Own items instead of the built-in phase table (benchmarks and weights).
    #[serde(default)]
    pub items: Option<Vec<ItemConfig>>,
    /// Own regional goals instead of the built-in ones (used with or without `items`).
    #[serde(default)]
    pub regional_goals: Option<Vec<RegionalGoal>>,
    /// Scoring options.
    #[serde(default)]
    pub options: ScoreOptions,
}

/// The response of `hb1414.score`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ScoreResponse {
    /// The phase in force (`phase_1`, ..., or `custom`).
    pub phase: String,
    /// One scorecard per unit, in request order.
    pub scorecards: Vec<Scorecard>,
    /// The steps, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceStep>>,
}

/// Score every unit of a request.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::score::{score_request, ScoreRequest, UnitValues, ScoreOptions};
/// let req = ScoreRequest {
///     as_of: "2022-12-31".parse().unwrap(),
///     units: vec![UnitValues::new("A").value("reentry_within_12_months", "0%")],
///     items: None, regional_goals: None, options: ScoreOptions::default(),
/// };
/// let out = score_request(&req, false).unwrap();
/// let reentry = out.scorecards[0].items.iter().find(|i| i.metric.as_str() == "reentry_within_12_months").unwrap();
/// assert_eq!(reentry.weighted.unwrap().to_string(), "20%");
/// ```
pub fn score_request(req: &ScoreRequest, trace_on: bool) -> Result<ScoreResponse> {
    let mut goals = match &req.items {
        None => Goals::in_force(req.as_of)?,
        Some(items) => {
            let mut parsed = Vec::with_capacity(items.len());
            for (i, it) in items.iter().enumerate() {
                let benchmark =
                    (it.benchmark.trim() != "undetermined").then(|| it.benchmark.clone());
                let g = GoalItem {
                    metric: it.metric,
                    benchmark,
                    weight: it
                        .weight
                        .non_negative("weight", "a weight cannot be negative")
                        .map_err(|e| e.at(&format!("items[{i}]")))?,
                };
                g.benchmark_value()
                    .map_err(|e| e.at(&format!("items[{i}]")))?;
                if parsed.iter().any(|p: &GoalItem| p.metric == g.metric) {
                    return Err(Error::invalid(
                        format!("items[{i}].metric"),
                        g.metric.to_string(),
                        "each metric may appear once",
                    ));
                }
                parsed.push(g);
            }
            Goals {
                phase: "custom".into(),
                items: parsed,
                regional_goals: PhaseTable::builtin()?.regional_goals,
                sources: BTreeMap::new(),
            }
        }
    };
    if let Some(rg) = &req.regional_goals {
        for (i, g) in rg.iter().enumerate() {
            g.metric
                .definition()
                .unit
                .parse("goal", &g.goal)
                .map_err(|e| e.at(&format!("regional_goals[{i}]")))?;
        }
        goals.regional_goals = rg.clone();
    }
    let mut trace = Trace::new(trace_on);
    let mut cards = Vec::with_capacity(req.units.len());
    for (i, u) in req.units.iter().enumerate() {
        cards.push(
            score_unit(u, &goals, &req.options, &mut trace)
                .map_err(|e| e.at(&format!("units[{i}]")))?,
        );
    }
    Ok(ScoreResponse {
        phase: goals.phase,
        scorecards: cards,
        trace: trace.into_steps(),
    })
}

/// The `hb1414.score` document handler.
pub(crate) fn run_score_document(body: &Value, ctx: &Context) -> Result<Value> {
    let req: ScoreRequest = crate::json::decode(body, "")?;
    crate::json::to_value(&score_request(&req, ctx.trace)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn goals() -> Goals {
        Goals::in_force("2023-03-31".parse().unwrap_or_default()).unwrap_or_else(|_| Goals {
            phase: String::new(),
            items: vec![],
            regional_goals: vec![],
            sources: BTreeMap::new(),
        })
    }

    fn card(unit: &UnitValues, options: &ScoreOptions) -> Scorecard {
        let r = score_unit(unit, &goals(), options, &mut Trace::disabled());
        assert!(r.is_ok(), "{r:?}");
        r.unwrap_or_else(|_| unreachable!())
    }

    fn item<'a>(c: &'a Scorecard, m: &str) -> &'a ItemScore {
        let id: MetricId = m.parse().unwrap_or(MetricId::WorkerChildVisits);
        c.items
            .iter()
            .find(|i| i.metric == id)
            .unwrap_or_else(|| unreachable!())
    }

    fn full_unit() -> UnitValues {
        UnitValues::new("A")
            .region("Springfield")
            .value("worker_child_visits", "90%")
            .value("maltreatment_in_care", "12.5")
            .value("parent_child_visits", "70%")
            .value("hcy_exam_within_30_days", "98%")
            .value("worker_parent_visits", "60%")
            .value("reentry_within_12_months", "9%")
            .value("caseload_changes_under_12_months", "1.5")
    }

    #[test]
    fn phase_one_items_by_hand() {
        let c = card(&full_unit(), &ScoreOptions::default());
        // worker/child: 90 / 95 = 0.947368..; x 0.25 = 0.236842 -> 23.68%
        assert_eq!(
            item(&c, "worker_child_visits")
                .weighted
                .map(|p| p.to_string()),
            Some("23.68%".into())
        );
        // maltreatment (lower): 9.67 / 12.5 = 0.7736; x 0.20 = 0.15472 -> 15.47%
        let m = item(&c, "maltreatment_in_care");
        assert_eq!(
            m.percent_of_goal.map(|p| p.to_string()),
            Some("77.36%".into())
        );
        assert_eq!(m.weighted.map(|p| p.to_string()), Some("15.47%".into()));
        assert_eq!(m.met, Some(false));
        // parent/child: weight 0 -> reported, met, not scored
        let pc = item(&c, "parent_child_visits");
        assert_eq!(
            (pc.scored, pc.not_scored, pc.met),
            (false, Some(NotScored::ZeroWeight), Some(true))
        );
        // HCY: 98 / 98 = 1; x 0.25 = 25%
        assert_eq!(
            item(&c, "hcy_exam_within_30_days")
                .weighted
                .map(|p| p.to_string()),
            Some("25%".into())
        );
        // worker/parent: 60 / 50 = 1.2, capped at 1; x 0.15 = 15%
        let wp = item(&c, "worker_parent_visits");
        assert_eq!(
            wp.percent_of_goal.map(|p| p.to_string()),
            Some("100%".into())
        );
        assert_eq!(wp.weighted.map(|p| p.to_string()), Some("15%".into()));
        // re-entry (lower): 8.1 / 9 = 0.9; x 0.20 = 18%
        assert_eq!(
            item(&c, "reentry_within_12_months")
                .weighted
                .map(|p| p.to_string()),
            Some("18%".into())
        );
        // caseload changes: undetermined benchmark -> not scored
        assert_eq!(
            item(&c, "caseload_changes_under_12_months").not_scored,
            Some(NotScored::BenchmarkUndetermined)
        );
        // total = 23.68 + 15.47 + 25 + 15 + 18 = 97.15; weights published 105, scored 105.
        assert_eq!(c.raw_total.to_string(), "97.15%");
        assert_eq!(c.total.to_string(), "97.15%");
        assert_eq!(c.weight_sum.to_string(), "105%");
        assert_eq!(c.scored_weight_sum.to_string(), "105%");
        assert_eq!(c.goals_met, Some(false));
        // weakness: maltreatment 77.36% < 90%; total share 97.15 / 105 = 0.92524 >= 90%
        assert_eq!(c.weakness.len(), 1);
        assert_eq!(c.weakness[0].metric, Some(MetricId::MaltreatmentInCare));
    }

    #[test]
    fn uncapped_and_normalized() {
        let opts = ScoreOptions {
            cap_at_100: false,
            weights: WeightPolicy::NormalizeTo100,
            ..ScoreOptions::default()
        };
        let c = card(&full_unit(), &opts);
        // worker/parent uncapped: 60 / 50 = 120%; x 15% = 18%
        assert_eq!(
            item(&c, "worker_parent_visits")
                .weighted
                .map(|p| p.to_string()),
            Some("18%".into())
        );
        // raw total 23.68 + 15.47 + 25 + 18 + 18 = 100.15; normalized 100.15 / 105 = 0.953809.. -> 95.38%
        assert_eq!(c.raw_total.to_string(), "100.15%");
        assert_eq!(c.total.to_string(), "95.38%");
    }

    #[test]
    fn weakness_thresholds_are_configurable() {
        let opts = ScoreOptions {
            weakness: WeaknessThresholds {
                item_below: Percent::from_fraction(Decimal::new(95, 2)),
                total_below: Percent::from_fraction(Decimal::new(95, 2)),
            },
            ..ScoreOptions::default()
        };
        let c = card(&full_unit(), &opts);
        // Below 95% of goal: worker/child 94.74%, maltreatment 77.36%, re-entry 90%
        // (HCY 100%, worker/parent capped 100%, parent/child met). Total share 97.15 / 105 =
        // 92.52% < 95%: flagged too.
        let flagged: Vec<Option<MetricId>> = c.weakness.iter().map(|w| w.metric).collect();
        assert_eq!(
            flagged,
            [
                Some(MetricId::WorkerChildVisits),
                Some(MetricId::MaltreatmentInCare),
                Some(MetricId::ReentryWithin12Months),
                None
            ]
        );
        let total = c
            .weakness
            .last()
            .map(|w| (w.flag.clone(), w.value.to_string()));
        assert_eq!(
            total,
            Some(("total_below_threshold".to_string(), "92.52%".to_string()))
        );
        // Thresholds of 0% flag nothing.
        let none = ScoreOptions {
            weakness: WeaknessThresholds {
                item_below: Percent::from_fraction(Decimal::ZERO),
                total_below: Percent::from_fraction(Decimal::ZERO),
            },
            ..ScoreOptions::default()
        };
        assert!(card(&full_unit(), &none).weakness.is_empty());
    }

    #[test]
    fn zero_actual_on_lower_is_better() {
        let u = UnitValues::new("A").value("reentry_within_12_months", "0%");
        let c = card(&u, &ScoreOptions::default());
        let r = item(&c, "reentry_within_12_months");
        assert_eq!(
            r.percent_of_goal.map(|p| p.to_string()),
            Some("100%".into())
        );
        let c = card(
            &u,
            &ScoreOptions {
                zero_actual: ZeroActualRule::NotScored,
                ..ScoreOptions::default()
            },
        );
        assert_eq!(
            item(&c, "reentry_within_12_months").not_scored,
            Some(NotScored::ZeroActual)
        );
    }

    #[test]
    fn nothing_scored_is_not_goals_met() {
        let u = UnitValues::new("Empty").region("Springfield");
        let c = card(&u, &ScoreOptions::default());
        assert_eq!(c.goals_met, None);
        assert_eq!(c.total.to_string(), "0%");
        assert!(c.items.iter().all(|i| !i.scored));
        assert_eq!(c.incentive.share.to_string(), "0%");
    }

    #[test]
    fn incentive_halves() {
        // Phase II, Springfield goal 24%: 25% exceeds; 24% only meets (not exceeds).
        let g =
            Goals::in_force("2024-03-31".parse().unwrap_or_default()).unwrap_or_else(|_| goals());
        let base = || {
            UnitValues::new("A")
                .region("Springfield")
                .value("worker_child_visits", "96%")
                .value("maltreatment_in_care", "5")
                .value("hcy_exam_within_30_days", "99%")
                .value("worker_parent_visits", "55%")
                .value("reentry_within_12_months", "8%")
        };
        let score =
            |u: &UnitValues| score_unit(u, &g, &ScoreOptions::default(), &mut Trace::disabled());
        let c = score(&base().value("timely_permanency", "25%")).unwrap_or_else(|_| unreachable!());
        assert_eq!(c.goals_met, Some(true));
        assert_eq!(c.incentive.share.to_string(), "100%");
        let c = score(&base().value("timely_permanency", "24%")).unwrap_or_else(|_| unreachable!());
        assert_eq!(c.incentive.exceeds_permanency_goal, Some(false));
        assert_eq!(c.incentive.share.to_string(), "0%");
        let c = score(
            &base()
                .value("timely_permanency", "25%")
                .value("worker_child_visits", "80%"),
        )
        .unwrap_or_else(|_| unreachable!());
        assert_eq!(c.incentive.share.to_string(), "50%");
        let mut division = base().value("timely_permanency", "40%");
        division.contractor = false;
        let c = score(&division).unwrap_or_else(|_| unreachable!());
        assert_eq!(c.incentive.share.to_string(), "0%");
        // Phase II total: 25 + 20 + 25 + 15 + 20 + 50 = 155 as published.
        let c = score(&base().value("timely_permanency", "25%")).unwrap_or_else(|_| unreachable!());
        assert_eq!(c.total.to_string(), "155%");
        assert_eq!(c.weight_sum.to_string(), "155%");
    }
}
