//! Contractor versus public "mirror" unit outcomes against targets (`outcomes.compare`).
//!
//! `002_acb0e5b8f340becc.txt, Missouri Foster Care Case Management Outcomes` publishes, for three
//! regions and two contract years, the outcome of the private contractors and of the Children's
//! Division "mirror" units (which exist in Springfield and Kansas City only), with a target per
//! domain: re-entry 91.4%, stability 82%, permanency 24% / 30% / 32% by region, safety 99.43%.
//! Every domain there is higher-is-better (the re-entry figure is the share that did **not**
//! re-enter). For each cell this module says whether the contractor and the mirror met the
//! target, and gives contractor minus mirror in percentage points.
//!
//! "Met" means at least the target ([`MetRule::AtLeast`], the default: the table calls them
//! targets, and a target reached is met). [`MetRule::Exceeds`] is the stricter reading that
//! `13 CSR 35-35.130(6)(C)` uses for incentive qualification ("exceeding").

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::document::Context;
use crate::error::{Error, Result};
use crate::metrics::definitions::Direction;
use crate::money::Percent;
use crate::trace::{Trace, TraceStep};

const SOURCE: &str = "002_acb0e5b8f340becc.txt, Missouri Foster Care Case Management Outcomes";

/// When a value meets its target.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::outcomes::MetRule;
/// assert_eq!(MetRule::default(), MetRule::AtLeast);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MetRule {
    /// value ≥ target (≤ for lower-is-better). The default.
    #[default]
    AtLeast,
    /// value > target (< for lower-is-better).
    Exceeds,
}

impl MetRule {
    fn met(self, direction: Direction, value: Percent, target: Percent) -> bool {
        match (self, direction) {
            (MetRule::AtLeast, Direction::HigherIsBetter) => value >= target,
            (MetRule::AtLeast, Direction::LowerIsBetter) => value <= target,
            (MetRule::Exceeds, Direction::HigherIsBetter) => value > target,
            (MetRule::Exceeds, Direction::LowerIsBetter) => value < target,
        }
    }
}

fn higher() -> Direction {
    Direction::HigherIsBetter
}

/// One cell of the table: a region in a period, the contractor's and the mirror's values.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeCell {
    /// The region.
    pub region: String,
    /// The period (`Year 1`, ...).
    pub period: String,
    /// The contractor's value; `null` for N/A.
    #[serde(default)]
    pub contractor: Option<Percent>,
    /// The mirror unit's value; `null` for N/A (no mirror unit in the region).
    #[serde(default)]
    pub mirror: Option<Percent>,
}

/// One domain: its target (or targets by region) and its cells.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OutcomeDomain {
    /// The domain's name.
    pub domain: String,
    /// The target for every region, unless `regional_targets` names the region.
    #[serde(default)]
    pub target: Option<Percent>,
    /// Targets by region.
    #[serde(default)]
    pub regional_targets: BTreeMap<String, Percent>,
    /// Which way is better (default higher).
    #[serde(default = "higher")]
    pub direction: Direction,
    /// The cells.
    pub cells: Vec<OutcomeCell>,
}

/// The request of `outcomes.compare`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CompareRequest {
    /// The domains.
    pub domains: Vec<OutcomeDomain>,
    /// When a value meets its target.
    #[serde(default)]
    pub met_rule: MetRule,
}

/// One compared cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ComparedCell {
    /// The region.
    pub region: String,
    /// The period.
    pub period: String,
    /// The target that applies.
    pub target: Percent,
    /// The contractor's value.
    pub contractor: Option<Percent>,
    /// The mirror's value.
    pub mirror: Option<Percent>,
    /// Whether the contractor met the target (absent for N/A).
    pub contractor_met: Option<bool>,
    /// Whether the mirror met the target (absent for N/A).
    pub mirror_met: Option<bool>,
    /// Contractor minus mirror, in percentage points (absent when either is N/A).
    pub contractor_minus_mirror: Option<Percent>,
}

/// A compared domain with counts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ComparedDomain {
    /// The domain.
    pub domain: String,
    /// Which way is better.
    pub direction: Direction,
    /// The cells.
    pub cells: Vec<ComparedCell>,
    /// Cells where the contractor met the target.
    pub contractor_met: usize,
    /// Cells with a contractor value.
    pub contractor_cells: usize,
    /// Cells where the mirror met the target.
    pub mirror_met: usize,
    /// Cells with a mirror value.
    pub mirror_cells: usize,
}

/// The response of `outcomes.compare`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct CompareResponse {
    /// The domains, in request order.
    pub domains: Vec<ComparedDomain>,
    /// The steps, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceStep>>,
}

/// Compare every cell with its target.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::outcomes::*;
/// let req: CompareRequest = serde_json::from_value(serde_json::json!({"domains": [{
///     "domain": "Re-entry", "target": "91.4%",
///     "cells": [{"region": "Kansas City", "period": "Year 1", "contractor": "94.9%", "mirror": "81.3%"}]
/// }]})).unwrap();
/// let out = compare(&req, false).unwrap();
/// let cell = &out.domains[0].cells[0];
/// assert_eq!((cell.contractor_met, cell.mirror_met), (Some(true), Some(false)));
/// assert_eq!(cell.contractor_minus_mirror.unwrap().to_string(), "13.6%");
/// ```
pub fn compare(req: &CompareRequest, trace_on: bool) -> Result<CompareResponse> {
    let mut trace = Trace::new(trace_on);
    let mut domains = Vec::with_capacity(req.domains.len());
    for (di, d) in req.domains.iter().enumerate() {
        let mut cells = Vec::with_capacity(d.cells.len());
        let (mut cm, mut cn, mut mm, mut mn) = (0, 0, 0, 0);
        for (ci, c) in d.cells.iter().enumerate() {
            let target = d
                .regional_targets
                .get(&c.region)
                .copied()
                .or(d.target)
                .ok_or_else(|| Error::MissingParameter {
                    field: format!("domains[{di}].target"),
                    rule: format!(
                        "cells[{ci}] is in region {:?}, which has no regional target, and the domain has no target",
                        c.region
                    ),
                })?;
            let contractor_met = c
                .contractor
                .map(|v| req.met_rule.met(d.direction, v, target));
            let mirror_met = c.mirror.map(|v| req.met_rule.met(d.direction, v, target));
            let diff = match (c.contractor, c.mirror) {
                (Some(a), Some(b)) => Some(Percent::from_fraction(a.fraction() - b.fraction())),
                _ => None,
            };
            cn += usize::from(c.contractor.is_some());
            mn += usize::from(c.mirror.is_some());
            cm += usize::from(contractor_met == Some(true));
            mm += usize::from(mirror_met == Some(true));
            trace.record(|| {
                TraceStep::new(
                    format!("{} {} {}", d.domain, c.region, c.period),
                    diff.map(|p| p.to_string()).unwrap_or_else(|| "n/a".into()),
                )
                .input("target", target)
                .input(
                    "contractor",
                    c.contractor
                        .map(|p| p.to_string())
                        .unwrap_or_else(|| "N/A".into()),
                )
                .input(
                    "mirror",
                    c.mirror
                        .map(|p| p.to_string())
                        .unwrap_or_else(|| "N/A".into()),
                )
                .cite(SOURCE)
            });
            cells.push(ComparedCell {
                region: c.region.clone(),
                period: c.period.clone(),
                target,
                contractor: c.contractor,
                mirror: c.mirror,
                contractor_met,
                mirror_met,
                contractor_minus_mirror: diff,
            });
        }
        domains.push(ComparedDomain {
            domain: d.domain.clone(),
            direction: d.direction,
            cells,
            contractor_met: cm,
            contractor_cells: cn,
            mirror_met: mm,
            mirror_cells: mn,
        });
    }
    Ok(CompareResponse {
        domains,
        trace: trace.into_steps(),
    })
}

/// The `outcomes.compare` document handler.
pub(crate) fn run_compare_document(body: &Value, ctx: &Context) -> Result<Value> {
    let req: CompareRequest = crate::json::decode(body, "")?;
    crate::json::to_value(&compare(&req, ctx.trace)?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<Percent> {
        s.parse().ok()
    }

    #[test]
    fn permanency_cells_of_002_by_hand() {
        // Permanency targets: Springfield 24%, Kansas City 30%, St. Louis 32%.
        let mut targets = BTreeMap::new();
        for (r, t) in [
            ("Springfield", "24%"),
            ("Kansas City", "30%"),
            ("St. Louis", "32%"),
        ] {
            targets.insert(r.to_string(), p(t).unwrap_or_default());
        }
        let cell = |region: &str, period: &str, c: &str, m: Option<&str>| OutcomeCell {
            region: region.into(),
            period: period.into(),
            contractor: p(c),
            mirror: m.and_then(p),
        };
        let req = CompareRequest {
            domains: vec![OutcomeDomain {
                domain: "Permanency".into(),
                target: None,
                regional_targets: targets,
                direction: Direction::HigherIsBetter,
                cells: vec![
                    cell("Springfield", "Year 1", "23.0%", Some("20.0%")),
                    cell("Springfield", "Year 2", "27.0%", Some("34.0%")),
                    cell("St. Louis", "Year 2", "30.0%", None),
                ],
            }],
            met_rule: MetRule::AtLeast,
        };
        let out = compare(&req, false).unwrap_or_else(|_| unreachable!());
        let c = &out.domains[0].cells;
        // 23 < 24 not met; 20 < 24 not met; 23 - 20 = +3 points.
        assert_eq!(
            (c[0].contractor_met, c[0].mirror_met),
            (Some(false), Some(false))
        );
        assert_eq!(
            c[0].contractor_minus_mirror.map(|x| x.to_string()),
            Some("3%".into())
        );
        // 27 >= 24 met; 34 >= 24 met; 27 - 34 = -7 points.
        assert_eq!(
            c[1].contractor_minus_mirror.map(|x| x.to_string()),
            Some("-7%".into())
        );
        // St. Louis has no mirror: N/A.
        assert_eq!(
            (
                c[2].contractor_met,
                c[2].mirror_met,
                c[2].contractor_minus_mirror
            ),
            (Some(false), None, None)
        );
        assert_eq!(
            (out.domains[0].contractor_met, out.domains[0].mirror_met),
            (1, 1)
        );
    }

    #[test]
    fn exceeds_rule_is_strict() {
        assert!(MetRule::AtLeast.met(
            Direction::HigherIsBetter,
            Percent::ONE_HUNDRED,
            Percent::ONE_HUNDRED
        ));
        assert!(!MetRule::Exceeds.met(
            Direction::HigherIsBetter,
            Percent::ONE_HUNDRED,
            Percent::ONE_HUNDRED
        ));
        assert!(MetRule::AtLeast.met(
            Direction::LowerIsBetter,
            Percent::ZERO,
            Percent::ONE_HUNDRED
        ));
    }
}
