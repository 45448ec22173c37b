//! HB 1414 phases, benchmarks, weights and regional goals, as dated, cited data.
//!
//! The built-in table is `metrics/hb1414.json`, compiled into the crate. Like the program
//! presets, every number and date in it is a cited value (`{"value", "source", "section",
//! "quote"}`) or a documented choice (`{"value", "choice"}`); a bare number fails to load.
//!
//! - Phase I takes effect 2022-10-01 (`003_d493ecb4a837036e.txt, 13 CSR 35-35.100(3)(B)`),
//!   Phase II by 2023-10-01 and Phase III by 2024-10-01 (`(3)(E)`).
//! - Benchmarks and weights: `004_c47e555d576af250.txt`, Phase I and Phase II Metrics. The
//!   published Phase I weights sum to 105%; [`PhaseTable::items_in_force`] keeps them as
//!   published, and the scorecard reports the sum (see `score::WeightPolicy`).
//! - Phase II keeps the Phase I items (nothing retires or re-weights them), so the weights in
//!   force from 2023-10-01 sum to 155%.
//! - Regional goals: goals, not metrics, may differ by region (`(3)(A)`); the FCCM permanency
//!   targets of `002_acb0e5b8f340becc.txt` (Springfield 24%, Kansas City 30%, St. Louis 32%).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::error::{Error, Result};
use crate::metrics::definitions::MetricId;
use crate::money::Percent;
use crate::program::Citation;

const BUILTIN: &str = include_str!("hb1414.json");

/// One scored (or reported) item of a phase: a metric, its benchmark and its weight.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::phases::PhaseTable;
/// let t = PhaseTable::builtin().unwrap();
/// let item = &t.phases[0].items[0];
/// assert_eq!(item.metric.as_str(), "worker_child_visits");
/// assert_eq!(item.weight.to_string(), "25%");
/// assert_eq!(item.benchmark.as_deref(), Some("95%"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GoalItem {
    /// The metric.
    pub metric: MetricId,
    /// The benchmark as written, in the metric's unit, or `None` when undetermined.
    #[serde(with = "benchmark_text")]
    #[schemars(with = "String")]
    pub benchmark: Option<String>,
    /// The weight in the total score.
    pub weight: Percent,
}

mod benchmark_text {
    use serde::{Deserializer, Serializer};

    pub fn serialize<S: Serializer>(v: &Option<String>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(v.as_deref().unwrap_or("undetermined"))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let text =
            crate::money::deserialize_decimal_text(d, "a benchmark string or \"undetermined\"")?;
        Ok((text.trim() != "undetermined").then_some(text))
    }
}

impl GoalItem {
    /// The benchmark parsed in the metric's unit (`"0.00967%"` is 9.67 per 100,000 days).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::phases::PhaseTable;
    /// let t = PhaseTable::builtin().unwrap();
    /// let malt = &t.phases[0].items[1];
    /// assert_eq!(malt.benchmark_value().unwrap().unwrap().normalize().to_string(), "9.67");
    /// ```
    pub fn benchmark_value(&self) -> Result<Option<Decimal>> {
        match &self.benchmark {
            None => Ok(None),
            Some(text) => self
                .metric
                .definition()
                .unit
                .parse(&format!("{}.benchmark", self.metric), text)
                .map(Some),
        }
    }
}

/// A phase of the evaluation tool.
///
/// # Example
///
/// ```
/// let t = cwfinance::metrics::phases::PhaseTable::builtin().unwrap();
/// assert_eq!(t.phases[1].effective.to_string(), "2023-10-01");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Phase {
    /// `phase_1`, `phase_2`, ...
    pub id: String,
    /// `Phase I`, ...
    pub name: String,
    /// The first day the phase applies.
    pub effective: NaiveDate,
    /// Whether the items of earlier phases stay in force.
    pub includes_earlier_phases: bool,
    /// The phase's own items.
    pub items: Vec<GoalItem>,
}

/// A goal that differs by region (`003_d493ecb4a837036e.txt, 13 CSR 35-35.100(3)(A)`).
///
/// # Example
///
/// ```
/// let t = cwfinance::metrics::phases::PhaseTable::builtin().unwrap();
/// let g = t.regional_goal(cwfinance::metrics::definitions::MetricId::TimelyPermanency, "Kansas City");
/// assert_eq!(g.map(|g| g.goal.as_str()), Some("30%"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionalGoal {
    /// The metric.
    pub metric: MetricId,
    /// The region's name.
    pub region: String,
    /// The goal, in the metric's unit.
    pub goal: String,
}

/// Phases, benchmarks, weights and regional goals.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::phases::PhaseTable;
/// let t = PhaseTable::builtin().unwrap();
/// assert_eq!(t.phases.len(), 3);
/// // The Phase I weights as published sum to 105%.
/// let (phase, items) = t.items_in_force("2023-03-31".parse().unwrap()).unwrap();
/// assert_eq!(phase.id, "phase_1");
/// let sum: rust_decimal::Decimal = items.iter().map(|i| i.weight.fraction()).sum();
/// assert_eq!(sum.to_string(), "1.05");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct PhaseTable {
    /// The phases, by effective date.
    pub phases: Vec<Phase>,
    /// Goals that differ by region.
    pub regional_goals: Vec<RegionalGoal>,
    /// Every cited value, by path (`phases[0].items[0].benchmark`).
    pub citations: BTreeMap<String, Citation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTable {
    #[allow(dead_code)]
    id: String,
    #[allow(dead_code)]
    name: String,
    #[allow(dead_code)]
    sources: Vec<String>,
    #[allow(dead_code)]
    #[serde(default)]
    choices: Vec<crate::program::Choice>,
    phases: Value,
    #[serde(default)]
    regional_goals: Value,
}

impl PhaseTable {
    /// The built-in Missouri table (`metrics/hb1414.json`).
    ///
    /// # Example
    ///
    /// ```
    /// let t = cwfinance::metrics::phases::PhaseTable::builtin().unwrap();
    /// assert_eq!(t.citations["phases[0].items[1].benchmark"].value, "0.00967%");
    /// ```
    pub fn builtin() -> Result<PhaseTable> {
        PhaseTable::from_json_str(BUILTIN)
    }

    /// Load a table in the same cited format (a user's own phase data).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::phases::PhaseTable;
    /// let bare = r#"{"id": "x", "name": "x", "sources": [], "phases": [{"id": "p", "name": "P",
    ///   "effective": "2022-10-01", "includes_earlier_phases": false, "items": []}]}"#;
    /// assert_eq!(PhaseTable::from_json_str(bare).unwrap_err().kind(), "missing_citation");
    /// ```
    pub fn from_json_str(text: &str) -> Result<PhaseTable> {
        let value = crate::json::parse(text)?;
        let raw: RawTable = crate::json::decode(&value, "hb1414")?;
        let mut citations = BTreeMap::new();
        let phases_plain = crate::program::strip_citations(&raw.phases, "phases", &mut citations)?;
        let goals_plain = match &raw.regional_goals {
            Value::Null => Value::Array(Vec::new()),
            v => crate::program::strip_citations(v, "regional_goals", &mut citations)?,
        };
        let phases: Vec<Phase> = crate::json::decode(&phases_plain, "phases")?;
        let regional_goals: Vec<RegionalGoal> =
            crate::json::decode(&goals_plain, "regional_goals")?;
        let table = PhaseTable {
            phases,
            regional_goals,
            citations,
        };
        table.check()?;
        Ok(table)
    }

    /// Every benchmark and goal parses in its metric's unit, weights are not negative, and
    /// phases are in date order.
    fn check(&self) -> Result<()> {
        for (pi, phase) in self.phases.iter().enumerate() {
            if pi > 0 {
                let prev = self.phases.get(pi - 1).map(|p| p.effective);
                if prev.is_some_and(|d| d >= phase.effective) {
                    return Err(Error::invalid(
                        format!("phases[{pi}].effective"),
                        phase.effective.to_string(),
                        "phases must be listed in increasing order of effective date",
                    ));
                }
            }
            for (ii, item) in phase.items.iter().enumerate() {
                let at = format!("phases[{pi}].items[{ii}]");
                item.benchmark_value().map_err(|e| e.at(&at))?;
                item.weight
                    .non_negative("weight", "a weight cannot be negative")
                    .map_err(|e| e.at(&at))?;
            }
        }
        for (gi, g) in self.regional_goals.iter().enumerate() {
            g.metric
                .definition()
                .unit
                .parse("goal", &g.goal)
                .map_err(|e| e.at(&format!("regional_goals[{gi}]")))?;
        }
        Ok(())
    }

    /// The phase in force on `date` and its items (with earlier phases' items when the phase
    /// includes them; a later item for the same metric replaces the earlier one).
    ///
    /// # Example
    ///
    /// ```
    /// let t = cwfinance::metrics::phases::PhaseTable::builtin().unwrap();
    /// let (p, items) = t.items_in_force("2024-09-30".parse().unwrap()).unwrap();
    /// assert_eq!(p.id, "phase_2");
    /// assert_eq!(items.len(), 13);
    /// let err = t.items_in_force("2022-09-30".parse().unwrap()).unwrap_err();
    /// assert_eq!(err.field(), "as_of");
    /// ```
    pub fn items_in_force(&self, date: NaiveDate) -> Result<(&Phase, Vec<GoalItem>)> {
        let idx = self
            .phases
            .iter()
            .rposition(|p| p.effective <= date)
            .ok_or_else(|| {
                Error::invalid(
                    "as_of",
                    date.to_string(),
                    format!(
                        "no HB 1414 phase is in force before {}",
                        self.phases
                            .first()
                            .map(|p| p.effective.to_string())
                            .unwrap_or_else(|| "any phase".into())
                    ),
                )
            })?;
        let mut first = idx;
        while first > 0
            && self
                .phases
                .get(first)
                .is_some_and(|p| p.includes_earlier_phases)
        {
            first -= 1;
        }
        let mut items: Vec<GoalItem> = Vec::new();
        for phase in self.phases.get(first..=idx).unwrap_or_default() {
            for item in &phase.items {
                match items.iter_mut().find(|i| i.metric == item.metric) {
                    Some(existing) => *existing = item.clone(),
                    None => items.push(item.clone()),
                }
            }
        }
        let phase = self
            .phases
            .get(idx)
            .ok_or_else(|| Error::invalid("as_of", date.to_string(), "no phase"))?;
        Ok((phase, items))
    }

    /// The goal for `metric` in `region`, when the region's goal differs.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::{phases::PhaseTable, definitions::MetricId};
    /// let t = PhaseTable::builtin().unwrap();
    /// assert!(t.regional_goal(MetricId::TimelyPermanency, "Northwest").is_none());
    /// ```
    pub fn regional_goal(&self, metric: MetricId, region: &str) -> Option<&RegionalGoal> {
        self.regional_goals
            .iter()
            .find(|g| g.metric == metric && g.region == region)
    }

    /// `file, section` of the citation at `path`, for traces.
    pub(crate) fn label(&self, path: &str) -> Option<String> {
        self.citations.get(path).map(Citation::label)
    }

    /// The path of `metric`'s item in the phase that defines it on `date` (for citations).
    pub(crate) fn item_path(&self, date: NaiveDate, metric: MetricId) -> Option<String> {
        let last = self.phases.iter().rposition(|p| p.effective <= date)?;
        (0..=last).rev().find_map(|pi| {
            let phase = self.phases.get(pi)?;
            phase
                .items
                .iter()
                .position(|i| i.metric == metric)
                .map(|ii| format!("phases[{pi}].items[{ii}]"))
        })
    }
}

/// The percentage weights of `items`, summed.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::phases::{PhaseTable, weight_sum};
/// let t = PhaseTable::builtin().unwrap();
/// let (_, items) = t.items_in_force("2024-01-01".parse().unwrap()).unwrap();
/// assert_eq!(weight_sum(&items).to_string(), "155%");
/// ```
pub fn weight_sum(items: &[GoalItem]) -> Percent {
    Percent::from_fraction(items.iter().map(|i| i.weight.fraction()).sum())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    #[test]
    fn builtin_is_cited_and_matches_the_sources() {
        let t = PhaseTable::builtin();
        assert!(t.is_ok(), "{t:?}");
        let t = t.unwrap_or_else(|_| PhaseTable {
            phases: vec![],
            regional_goals: vec![],
            citations: BTreeMap::new(),
        });
        let dates: Vec<String> = t.phases.iter().map(|p| p.effective.to_string()).collect();
        assert_eq!(dates, ["2022-10-01", "2023-10-01", "2024-10-01"]);
        // 004, Phase I: 25 + 20 + 0 + 25 + 15 + 20 + 0 + 0 = 105.
        let (_, p1) = t
            .items_in_force(d("2022-10-01"))
            .unwrap_or_else(|_| unreachable!());
        assert_eq!(weight_sum(&p1).to_string(), "105%");
        let bench: Vec<(String, String, String)> = p1
            .iter()
            .map(|i| {
                (
                    i.metric.to_string(),
                    i.benchmark.clone().unwrap_or_else(|| "undetermined".into()),
                    i.weight.to_string(),
                )
            })
            .collect();
        let expect = [
            ("worker_child_visits", "95%", "25%"),
            ("maltreatment_in_care", "0.00967%", "20%"),
            ("parent_child_visits", "60%", "0%"),
            ("hcy_exam_within_30_days", "98%", "25%"),
            ("worker_parent_visits", "50%", "15%"),
            ("reentry_within_12_months", "8.1%", "20%"),
            ("caseload_changes_under_12_months", "undetermined", "0%"),
            ("caseload_changes_12_months_or_more", "undetermined", "0%"),
        ];
        for (got, want) in bench.iter().zip(expect.iter()) {
            assert_eq!((got.0.as_str(), got.1.as_str(), got.2.as_str()), *want);
        }
        // Phase II adds 50% (timely permanency) and four 0% items: 105 + 50 = 155.
        let (p, p2) = t
            .items_in_force(d("2023-10-01"))
            .unwrap_or_else(|_| unreachable!());
        assert_eq!(p.id, "phase_2");
        assert_eq!(weight_sum(&p2).to_string(), "155%");
        let (p, p3) = t
            .items_in_force(d("2030-01-01"))
            .unwrap_or_else(|_| unreachable!());
        assert_eq!((p.id.as_str(), p3.len()), ("phase_3", 16));
        for path in t.citations.keys() {
            let c = &t.citations[path];
            assert!(c.source.is_some() || c.choice.is_some(), "{path}");
        }
        let goals: Vec<(&str, &str)> = t
            .regional_goals
            .iter()
            .map(|g| (g.region.as_str(), g.goal.as_str()))
            .collect();
        assert_eq!(
            goals,
            [
                ("Springfield", "24%"),
                ("Kansas City", "30%"),
                ("St. Louis", "32%")
            ]
        );
    }
}
