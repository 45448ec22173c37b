//! Risk pools: a share of the budget set aside for high-cost children, drawn down as stop-loss.
//!
//! Missouri's Interdepartmental Initiative: "The CMO contract specifies 3 percent risk sharing –
//! 3 percent of the budget was set aside to handle high-cost children – but there was no procedure
//! established to access that risk pool." (`000_b605dc6c8d05d2b7.txt, Case rate and risk
//! sharing`). A [`RiskPool`] encodes the set-aside and a procedure the source does not have:
//!
//! - the **pool** is `pool_share × budget`, rounded to cents;
//! - each child whose cost exceeds the **attachment point** claims `coverage × (cost − attachment
//!   point)`, rounded to cents. The source publishes no attachment point, so it is a required
//!   parameter; `coverage` defaults to 100%;
//! - when the claims exceed the pool, the [`DrawdownOrder`] decides: `pro_rata` (default) pays
//!   every claim the same fraction, `first_come` pays claims in the order they are listed;
//! - the report says what each child was paid, what went unpaid, and what is left in the pool.
//!
//! # Example
//!
//! ```
//! use cwfinance::risk_pool::{ChildCost, RiskPool};
//! use cwfinance::Money;
//!
//! // A year at capacity: 250 children × $3,555 × 12 months = $10,665,000; 3% = $319,950.
//! let pool = RiskPool::missouri().attachment_point(Money::from_cents(5_000_000));
//! let children = [ChildCost::new("A", Money::from_cents(8_000_000))];
//! let report = pool.settle(Money::from_cents(1_066_500_000), &children).unwrap();
//! assert_eq!(report.pool.to_string(), "319950.00");
//! assert_eq!(report.total_paid.to_string(), "30000.00");
//! assert_eq!(report.remaining.to_string(), "289950.00");
//! ```

use std::collections::BTreeSet;

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::corridor::{check_share, cumulative_parts};
use crate::document::Context;
use crate::error::{Error, Result};
use crate::money::{Money, Percent, Rounding};
use crate::trace::{Trace, TraceStep};

/// The source of Missouri's risk pool.
///
/// # Example
///
/// ```
/// assert!(cwfinance::risk_pool::MISSOURI_SOURCE.starts_with("000_b605dc6c8d05d2b7.txt"));
/// ```
pub const MISSOURI_SOURCE: &str = "000_b605dc6c8d05d2b7.txt, Case rate and risk sharing";

/// The order in which claims are paid when the pool cannot pay them all.
///
/// The default is [`DrawdownOrder::ProRata`]: Missouri established "no procedure ... to access
/// that risk pool", and paying every high-cost child the same fraction does not depend on who
/// claimed first.
///
/// # Example
///
/// ```
/// use cwfinance::risk_pool::DrawdownOrder;
/// assert_eq!(DrawdownOrder::default(), DrawdownOrder::ProRata);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum DrawdownOrder {
    /// Every claim is paid the same fraction (`pool ÷ total claims`), to the cent, with the
    /// parts adding up to the pool exactly.
    #[default]
    ProRata,
    /// Claims are paid in full in the order listed until the pool runs out; list them in the
    /// order they were made.
    FirstCome,
}

/// How a risk pool is funded and drawn down.
///
/// # Example
///
/// ```
/// use cwfinance::risk_pool::RiskPool;
/// let pool = RiskPool::missouri();
/// assert_eq!(pool.pool_share.to_string(), "3%");
/// assert_eq!(pool.attachment_point, None); // unpublished: a required parameter
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskPool {
    /// The share of the budget set aside.
    pub pool_share: Percent,
    /// The cost per child above which the pool pays. Required, here or in the request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attachment_point: Option<Money>,
    /// The share of the cost above the attachment point that the pool pays (default 100%).
    #[serde(default = "full_coverage")]
    pub coverage: Percent,
    /// The order of drawdown when the pool runs out (default `pro_rata`).
    #[serde(default)]
    pub drawdown_order: DrawdownOrder,
    /// How the pool and the claims are rounded to cents (default `half_up`).
    #[serde(default)]
    pub rounding: Rounding,
}

fn full_coverage() -> Percent {
    Percent::ONE_HUNDRED
}

/// One child's cost for the pool's period.
///
/// # Example
///
/// ```
/// use cwfinance::{risk_pool::ChildCost, Money};
/// let c = ChildCost::new("A", Money::from_cents(100));
/// assert_eq!(c.id, "A");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ChildCost {
    /// The child's identifier.
    pub id: String,
    /// The child's cost over the budget's period.
    pub cost: Money,
}

impl ChildCost {
    /// Child `id` with `cost`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{risk_pool::ChildCost, Money};
    /// assert_eq!(ChildCost::new("B", Money::ZERO).cost, Money::ZERO);
    /// ```
    pub fn new(id: impl Into<String>, cost: Money) -> ChildCost {
        ChildCost {
            id: id.into(),
            cost,
        }
    }
}

/// One child's line in a risk-pool report.
///
/// # Example
///
/// ```
/// use cwfinance::risk_pool::{ChildCost, RiskPool};
/// use cwfinance::Money;
/// let pool = RiskPool::missouri().attachment_point(Money::from_cents(5_000_000));
/// let r = pool.settle(Money::from_cents(1_066_500_000), &[ChildCost::new("A", Money::from_cents(4_266_000))]).unwrap();
/// assert_eq!(r.children[0].claim, Money::ZERO); // below the attachment point
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct ChildDrawdown {
    /// The child.
    pub id: String,
    /// Its cost.
    pub cost: Money,
    /// `max(cost − attachment point, 0)`.
    pub excess: Money,
    /// What it claims: `coverage × excess`, rounded to cents.
    pub claim: Money,
    /// What the pool pays.
    pub paid: Money,
    /// `claim − paid`.
    pub unpaid: Money,
}

/// A risk-pool report: the pool, each child's drawdown, and what is left.
///
/// # Example
///
/// ```
/// use cwfinance::risk_pool::{ChildCost, RiskPool};
/// use cwfinance::Money;
/// let pool = RiskPool::missouri().attachment_point(Money::from_cents(5_000_000));
/// let r = pool.settle(Money::from_cents(1_066_500_000), &[]).unwrap();
/// assert_eq!(r.remaining, r.pool);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct RiskPoolReport {
    /// The budget the pool is a share of.
    pub budget: Money,
    /// The share set aside.
    pub pool_share: Percent,
    /// The pool: `pool_share × budget`, rounded to cents.
    pub pool: Money,
    /// The attachment point used.
    pub attachment_point: Money,
    /// The coverage above the attachment point.
    pub coverage: Percent,
    /// The drawdown order used.
    pub drawdown_order: DrawdownOrder,
    /// The rounding used.
    pub rounding: Rounding,
    /// Each child, in the order given.
    pub children: Vec<ChildDrawdown>,
    /// The sum of the claims.
    pub total_claimed: Money,
    /// The sum paid.
    pub total_paid: Money,
    /// The sum of the claims left unpaid.
    pub total_unpaid: Money,
    /// What is left in the pool: `pool − total_paid`.
    pub remaining: Money,
}

fn overflow(field: &str, value: impl std::fmt::Display) -> Error {
    Error::overflow(field, value)
}

impl RiskPool {
    /// A pool of `pool_share` with no attachment point yet, 100% coverage, pro-rata drawdown and
    /// half-up rounding.
    ///
    /// # Example
    ///
    /// ```
    /// let pool = cwfinance::risk_pool::RiskPool::new("5%".parse().unwrap());
    /// assert_eq!(pool.coverage.to_string(), "100%");
    /// ```
    pub fn new(pool_share: Percent) -> RiskPool {
        RiskPool {
            pool_share,
            attachment_point: None,
            coverage: Percent::ONE_HUNDRED,
            drawdown_order: DrawdownOrder::ProRata,
            rounding: Rounding::HalfUp,
        }
    }

    /// Missouri's pool: 3% of the budget (`000_b605dc6c8d05d2b7.txt, Case rate and risk
    /// sharing`). The attachment point is unpublished and must be set.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{risk_pool::RiskPool, Money};
    /// let err = RiskPool::missouri().settle(Money::from_cents(100), &[]).unwrap_err();
    /// assert_eq!((err.kind(), err.field()), ("missing_parameter", "attachment_point"));
    /// ```
    pub fn missouri() -> RiskPool {
        RiskPool::new(Percent::from_percent(Decimal::from(3)))
    }

    /// The same pool with an attachment point.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{risk_pool::RiskPool, Money};
    /// let pool = RiskPool::missouri().attachment_point(Money::from_cents(100));
    /// assert_eq!(pool.attachment_point, Some(Money::from_cents(100)));
    /// ```
    pub fn attachment_point(mut self, attachment_point: Money) -> RiskPool {
        self.attachment_point = Some(attachment_point);
        self
    }

    /// The same pool with another drawdown order.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::risk_pool::{DrawdownOrder, RiskPool};
    /// let pool = RiskPool::missouri().drawdown_order(DrawdownOrder::FirstCome);
    /// assert_eq!(pool.drawdown_order, DrawdownOrder::FirstCome);
    /// ```
    pub fn drawdown_order(mut self, order: DrawdownOrder) -> RiskPool {
        self.drawdown_order = order;
        self
    }

    /// Check the configuration: shares from 0% to 100% and a non-negative attachment point when
    /// one is given.
    ///
    /// # Example
    ///
    /// ```
    /// let pool = cwfinance::risk_pool::RiskPool::new("120%".parse().unwrap());
    /// assert_eq!(pool.validate().unwrap_err().field(), "pool_share");
    /// ```
    pub fn validate(&self) -> Result<()> {
        check_share(self.pool_share, "pool_share")?;
        check_share(self.coverage, "coverage")?;
        if let Some(a) = self.attachment_point {
            a.non_negative(
                "attachment_point",
                "an attachment point is a cost and cannot be negative",
            )?;
        }
        Ok(())
    }

    /// Fund the pool from `budget` and draw it down for `children`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::risk_pool::{ChildCost, DrawdownOrder, RiskPool};
    /// use cwfinance::Money;
    /// let pool = RiskPool::new("10%".parse().unwrap())
    ///     .attachment_point(Money::from_cents(10_000))
    ///     .drawdown_order(DrawdownOrder::FirstCome);
    /// // Pool 10% of $1,000 = $100; claims $80 and $50: the first is paid in full, the second $20.
    /// let r = pool.settle(Money::from_cents(100_000), &[
    ///     ChildCost::new("A", Money::from_cents(18_000)),
    ///     ChildCost::new("B", Money::from_cents(15_000)),
    /// ]).unwrap();
    /// assert_eq!(r.children[1].paid.to_string(), "20.00");
    /// assert_eq!(r.remaining, Money::ZERO);
    /// ```
    pub fn settle(&self, budget: Money, children: &[ChildCost]) -> Result<RiskPoolReport> {
        self.validate()?;
        let attachment = self.attachment_point.ok_or_else(|| Error::MissingParameter {
            field: "attachment_point".into(),
            rule: format!(
                "the cost per child above which the pool pays; {MISSOURI_SOURCE} publishes none (\"there was no procedure established to access that risk pool\")"
            ),
        })?;
        let budget = budget.non_negative("budget", "a budget cannot be negative")?;
        let pool = self.rounding.to_cents(
            budget
                .amount()
                .checked_mul(self.pool_share.fraction())
                .ok_or_else(|| overflow("budget", budget))?,
        );
        let mut seen = BTreeSet::new();
        let mut lines = Vec::with_capacity(children.len());
        let mut total_claimed = Decimal::ZERO;
        for (i, child) in children.iter().enumerate() {
            if child.id.trim().is_empty() {
                return Err(Error::invalid(
                    format!("children[{i}].id"),
                    "",
                    "a child needs an id",
                ));
            }
            if !seen.insert(child.id.as_str()) {
                return Err(Error::invalid(
                    format!("children[{i}].id"),
                    child.id.clone(),
                    "each child is listed once; add up a child's costs before settling",
                ));
            }
            let cost = child.cost.non_negative(
                &format!("children[{i}].cost"),
                "a child's cost cannot be negative",
            )?;
            let excess = cost
                .amount()
                .checked_sub(attachment.amount())
                .ok_or_else(|| overflow(&format!("children[{i}].cost"), cost))?
                .max(Decimal::ZERO);
            let claim = self.rounding.to_cents(
                excess
                    .checked_mul(self.coverage.fraction())
                    .ok_or_else(|| overflow(&format!("children[{i}].cost"), cost))?,
            );
            total_claimed = total_claimed
                .checked_add(claim)
                .ok_or_else(|| overflow("children", claim))?;
            lines.push(ChildDrawdown {
                id: child.id.clone(),
                cost,
                excess: Money::new(excess),
                claim: Money::new(claim),
                paid: Money::ZERO,
                unpaid: Money::ZERO,
            });
        }
        let claims: Vec<Decimal> = lines.iter().map(|l| l.claim.amount()).collect();
        let paid: Vec<Decimal> = if total_claimed <= pool {
            claims.clone()
        } else {
            match self.drawdown_order {
                // Claims are whole cents and the pool is short, so each cumulative-rounded part
                // stays at or under its claim.
                DrawdownOrder::ProRata => {
                    cumulative_parts(pool, &claims, self.rounding, "children")?
                }
                DrawdownOrder::FirstCome => {
                    let mut left = pool;
                    claims
                        .iter()
                        .map(|c| {
                            let take = left.min(*c);
                            left -= take;
                            take
                        })
                        .collect()
                }
            }
        };
        let mut total_paid = Decimal::ZERO;
        for (line, p) in lines.iter_mut().zip(paid) {
            line.paid = Money::new(p);
            line.unpaid = Money::new(line.claim.amount() - p);
            total_paid += p;
        }
        Ok(RiskPoolReport {
            budget,
            pool_share: self.pool_share,
            pool: Money::new(pool),
            attachment_point: attachment,
            coverage: self.coverage,
            drawdown_order: self.drawdown_order,
            rounding: self.rounding,
            children: lines,
            total_claimed: Money::new(total_claimed),
            total_paid: Money::new(total_paid),
            total_unpaid: Money::new(total_claimed - total_paid),
            remaining: Money::new(pool - total_paid),
        })
    }
}

/// The request of `risk_pool.settle`.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({
///     "kind": "risk_pool.settle", "program": "missouri-interdepartmental-initiative",
///     "budget": "10665000.00", "attachment_point": "50000.00",
///     "children": [{"id": "A", "cost": "80000.00"}]
/// }));
/// assert_eq!(out["pool"], "319950.00");
/// assert_eq!(out["remaining"], "289950.00");
/// ```
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RiskPoolRequest {
    /// The budget the pool is a share of (for example a year of case-rate payments).
    pub budget: Money,
    /// Each child's cost over the budget's period.
    pub children: Vec<ChildCost>,
    /// The attachment point; overrides the configuration's, and required when it has none.
    #[serde(default)]
    pub attachment_point: Option<Money>,
    /// Overrides the drawdown order.
    #[serde(default)]
    pub drawdown_order: Option<DrawdownOrder>,
    /// The pool's configuration; when absent, the program's `risk_pool` section.
    #[serde(default)]
    pub risk_pool: Option<RiskPool>,
}

/// The response of `risk_pool.settle`: the [`RiskPoolReport`] and, when asked for, the trace.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({
///     "kind": "risk_pool.settle", "program": "missouri-interdepartmental-initiative",
///     "budget": "10665000.00", "children": []
/// }));
/// assert_eq!(out["error"]["kind"], "missing_parameter");
/// ```
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct RiskPoolResponse {
    /// The report.
    #[serde(flatten)]
    pub report: RiskPoolReport,
    /// The steps and their sources, when the request asked for a trace.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceStep>>,
}

/// Decode and validate a program's `risk_pool` section.
pub(crate) fn check_section(section: &Value) -> Result<()> {
    let pool: RiskPool = crate::json::decode(section, "")?;
    pool.validate()
}

pub(crate) fn run_document(body: &Value, ctx: &Context) -> Result<Value> {
    let req: RiskPoolRequest = crate::json::decode(body, "")?;
    let own = req.risk_pool.is_some();
    let mut pool: RiskPool = ctx.config(req.risk_pool, "risk_pool", "risk_pool")?;
    pool.validate().map_err(|e| e.at("risk_pool"))?;
    if let Some(a) = req.attachment_point {
        pool.attachment_point = Some(a);
    }
    if let Some(o) = req.drawdown_order {
        pool.drawdown_order = o;
    }
    let cites = if own {
        Default::default()
    } else {
        ctx.citations("risk_pool")
    };
    let choice = |parameter: &str| {
        ctx.program.as_ref().and_then(|p| {
            p.choices
                .iter()
                .find(|c| c.parameter == parameter)
                .map(|c| format!("choice: {}", c.why))
        })
    };
    let r = pool.settle(req.budget, &req.children)?;
    let mut trace = Trace::new(ctx.trace);
    trace.record(|| {
        let step = TraceStep::new("pool = pool_share x budget, rounded", r.pool)
            .input("pool_share", r.pool_share)
            .input("budget", r.budget);
        match cites.get("risk_pool.pool_share") {
            Some(s) => step.cite(s.clone()),
            None => step,
        }
    });
    trace.record(|| {
        let step = TraceStep::new(
            "claim per child = coverage x max(cost - attachment_point, 0), rounded",
            r.total_claimed,
        )
        .input("attachment_point", r.attachment_point)
        .input("coverage", r.coverage)
        .input("children", r.children.len());
        let source = if req.attachment_point.is_some() {
            Some("request parameter attachment_point".to_string())
        } else {
            cites.get("risk_pool.attachment_point").cloned()
        };
        match source {
            Some(s) => step.cite(s),
            None => step,
        }
    });
    trace.record(|| {
        let step = TraceStep::new(
            format!(
                "draw down the pool ({})",
                crate::corridor::code(&r.drawdown_order)
            ),
            r.total_paid,
        )
        .input("pool", r.pool)
        .input("total_claimed", r.total_claimed);
        let source = if req.drawdown_order.is_some() {
            Some("request parameter drawdown_order".to_string())
        } else {
            choice("risk_pool.drawdown_order")
        };
        match source {
            Some(s) => step.cite(s),
            None => step,
        }
    });
    trace.record(|| {
        TraceStep::new("remaining = pool - total_paid", r.remaining)
            .input("total_unpaid", r.total_unpaid)
    });
    crate::json::to_value(&RiskPoolResponse {
        report: r,
        trace: trace.into_steps(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn money(s: &str) -> Money {
        Money::parse("m", s).unwrap()
    }

    fn missouri_children() -> Vec<ChildCost> {
        vec![
            ChildCost::new("A", money("42660")),
            ChildCost::new("B", money("200000")),
            ChildCost::new("C", money("250000")),
            ChildCost::new("D", money("80000")),
        ]
    }

    #[test]
    fn missouri_pool_pro_rata() {
        // Budget 250 × 3,555 × 12 = 10,665,000; pool 3% = 319,950.
        // Attachment 50,000 (a test value; the source publishes none):
        // claims A 0, B 150,000, C 200,000, D 30,000; total 380,000 > 319,950.
        // Ratio 319,950 / 380,000. Cumulative: B 150,000 × r = 126,296.0526 -> 126,296.05;
        // B+C 350,000 × r = 294,690.7895 -> 294,690.79, C = 168,394.74; D = 319,950 - 294,690.79
        // = 25,259.21.
        let pool = RiskPool::missouri().attachment_point(money("50000"));
        let r = pool
            .settle(money("10665000"), &missouri_children())
            .unwrap();
        assert_eq!(r.pool, money("319950"));
        assert_eq!(r.total_claimed, money("380000"));
        let paid: Vec<Money> = r.children.iter().map(|c| c.paid).collect();
        assert_eq!(
            paid,
            vec![
                money("0"),
                money("126296.05"),
                money("168394.74"),
                money("25259.21")
            ]
        );
        assert_eq!(r.total_paid, money("319950"));
        assert_eq!(r.remaining, money("0"));
        assert_eq!(r.total_unpaid, money("60050"));
    }

    #[test]
    fn missouri_pool_first_come() {
        // B 150,000 in full; C gets the 169,950 left (30,050 unpaid); D nothing.
        let pool = RiskPool::missouri()
            .attachment_point(money("50000"))
            .drawdown_order(DrawdownOrder::FirstCome);
        let r = pool
            .settle(money("10665000"), &missouri_children())
            .unwrap();
        let paid: Vec<Money> = r.children.iter().map(|c| c.paid).collect();
        assert_eq!(
            paid,
            vec![money("0"), money("150000"), money("169950"), money("0")]
        );
        assert_eq!(r.children[2].unpaid, money("30050"));
        assert_eq!(r.remaining, money("0"));
    }

    #[test]
    fn coverage_and_errors() {
        let mut pool = RiskPool::missouri().attachment_point(money("100"));
        pool.coverage = "80%".parse().unwrap();
        // 80% of (150.01 - 100) = 40.008 -> 40.01.
        let r = pool
            .settle(money("100000"), &[ChildCost::new("A", money("150.01"))])
            .unwrap();
        assert_eq!(r.children[0].claim, money("40.01"));
        let dup = [
            ChildCost::new("A", money("1")),
            ChildCost::new("A", money("2")),
        ];
        assert_eq!(
            pool.settle(money("1"), &dup).unwrap_err().field(),
            "children[1].id"
        );
        let neg = [ChildCost::new("A", money("-1"))];
        assert_eq!(
            pool.settle(money("1"), &neg).unwrap_err().kind(),
            "negative_amount"
        );
        assert_eq!(pool.settle(money("-1"), &[]).unwrap_err().field(), "budget");
    }

    proptest! {
        #[test]
        fn drawdown_adds_up_and_never_overpays(
            budget in 0i64..100_000_000_000,
            share in 0i64..=100,
            attach in 0i64..10_000_000,
            costs in proptest::collection::vec(0i64..100_000_000, 0..20),
            first in any::<bool>(),
        ) {
            let pool = RiskPool::new(Percent::from_fraction(Decimal::new(share, 2)))
                .attachment_point(Money::from_cents(attach))
                .drawdown_order(if first { DrawdownOrder::FirstCome } else { DrawdownOrder::ProRata });
            let children: Vec<ChildCost> = costs.iter().enumerate()
                .map(|(i, c)| ChildCost::new(format!("c{i}"), Money::from_cents(*c))).collect();
            let r = pool.settle(Money::from_cents(budget), &children).unwrap();
            prop_assert_eq!(r.total_paid + r.remaining, r.pool);
            prop_assert!(!r.remaining.is_negative());
            prop_assert_eq!(r.children.iter().map(|c| c.paid).sum::<Money>(), r.total_paid);
            for c in &r.children {
                prop_assert!(c.paid <= c.claim && !c.paid.is_negative());
                prop_assert!(c.paid.cents().is_some());
            }
            if r.total_claimed > r.pool {
                prop_assert_eq!(r.remaining, Money::ZERO);
            }
        }

        #[test]
        fn settle_never_panics(budget in any::<i64>(), scale in 0u32..28, cost in any::<i64>(), attach in any::<i64>()) {
            let pool = RiskPool::missouri().attachment_point(Money::new(Decimal::new(attach, scale)));
            let _ = pool.settle(Money::new(Decimal::new(budget, scale)), &[ChildCost::new("x", Money::new(Decimal::new(cost, scale)))]);
        }
    }
}
