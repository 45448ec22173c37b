//! The `case_rate.bill` calculation document.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::billing::{
    ActualCost, Bill, BillLine, BillOptions, Comparison, Enrollment, Note, Totals, bill_traced,
};
use super::schedule::RateSchedule;
use crate::calendar::{Period, ProrationConvention};
use crate::document::Context;
use crate::error::{Error, Result};
use crate::money::Rounding;
use crate::split::{SharePolicy, Split};
use crate::trace::{Trace, TraceStep};

/// The request of `case_rate.bill`.
///
/// The schedule is the request's own `schedule`, else the `case_rate` section of the request's
/// `program`. `split` is `true` (use the program's `split` section) or a split object.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({
///     "kind": "case_rate.bill", "program": "missouri-interdepartmental-initiative",
///     "as_of": "1999-04-01",
///     "enrollments": [{"child": "MO-1", "start": "1999-03-15"}]
/// }));
/// assert_eq!(out["lines"][0]["amount"], "1949.52", "{out}");
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct BillRequest {
    /// The enrollment spans to bill.
    pub enrollments: Vec<Enrollment>,
    /// Billing cut-off: days before `as_of` are billed, and open enrollments run up to it.
    pub as_of: NaiveDate,
    /// Bill only days inside this period (half-open).
    #[serde(default)]
    pub period: Option<Period>,
    /// The rate schedule; absent means the program's `case_rate` section.
    #[serde(default)]
    pub schedule: Option<RateSchedule>,
    /// Overrides the schedule's proration convention.
    #[serde(default)]
    pub convention: Option<ProrationConvention>,
    /// Overrides the schedule's rounding of each line to cents.
    #[serde(default)]
    pub rounding: Option<Rounding>,
    /// Actual costs per child-month, paid in hold-harmless months.
    #[serde(default)]
    pub actual_costs: Vec<ActualCost>,
    /// Split each line across funders: `true` for the program's `split` section, or a split.
    #[serde(default)]
    #[schemars(with = "Option<SplitChoice>")]
    pub split: Option<Value>,
    /// Overrides the split's share policy (`strict`, `normalize`, `{"residual": {"funder"}}`).
    #[serde(default)]
    pub split_policy: Option<SharePolicy>,
}

/// The two forms of `split` in a request (for the schema).
///
/// # Example
///
/// ```
/// use cwfinance::case_rate::SplitChoice;
/// let c: SplitChoice = serde_json::from_value(serde_json::json!(true)).unwrap();
/// assert_eq!(c, SplitChoice::UseProgram(true));
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize, schemars::JsonSchema)]
#[serde(untagged)]
pub enum SplitChoice {
    /// `true`: the program's `split` section; `false`: no split.
    UseProgram(bool),
    /// The request's own split.
    Own(Split),
}

/// The response of `case_rate.bill`.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({
///     "kind": "case_rate.bill", "program": "wraparound-milwaukee", "as_of": "2000-02-01",
///     "enrollments": [{"child": "WM-1", "start": "2000-01-01"}]
/// }));
/// assert_eq!(out["totals"]["grand_total"], "3300.00", "{out}");
/// assert_eq!(out["comparisons"][0]["difference"], "1400.00");
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct BillResponse {
    /// One line per child per month per enrollment.
    pub lines: Vec<BillLine>,
    /// Totals per child, month and funder, and the grand total.
    pub totals: Totals,
    /// The proration convention used.
    pub convention: ProrationConvention,
    /// The rounding used (once per line).
    pub rounding: Rounding,
    /// Reference-rate comparisons, when the schedule has reference rates.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub comparisons: Vec<Comparison>,
    /// Notes: spans cut at their maximum, balances not paid, actual costs not used.
    pub notes: Vec<Note>,
    /// The steps, when `trace` was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceStep>>,
}

/// Check a program's `case_rate` section (citations already stripped).
pub(crate) fn check_section(section: &Value) -> Result<()> {
    let schedule: RateSchedule = crate::json::decode(section, "")?;
    schedule.validate()
}

pub(crate) fn run_document(body: &Value, ctx: &Context) -> Result<Value> {
    let req: BillRequest = crate::json::decode(body, "")?;
    let from_program = req.schedule.is_none();
    let schedule: RateSchedule = ctx.config(req.schedule, "schedule", "case_rate")?;
    let cites = if from_program {
        ctx.citations("case_rate")
    } else {
        Default::default()
    };
    let mut options = BillOptions::as_of(req.as_of).actual_costs(req.actual_costs);
    options.period = req.period;
    options.convention = req.convention;
    options.rounding = req.rounding;
    let mut trace = Trace::new(ctx.trace);
    let mut bill = bill_traced(&schedule, &req.enrollments, &options, &mut trace, &cites)?;
    let split = match req.split {
        None | Some(Value::Null) | Some(Value::Bool(false)) => None,
        Some(Value::Bool(true)) => {
            Some(
                ctx.section::<Split>("split")?
                    .ok_or_else(|| Error::MissingField {
                        field: match &ctx.program {
                            Some(p) => format!("split (program {} has no split section)", p.id),
                            None => "split (true needs a program with a split section)".into(),
                        },
                    })?,
            )
        }
        Some(v @ Value::Object(_)) => Some(crate::json::decode::<Split>(&v, "split")?),
        Some(other) => {
            return Err(Error::invalid(
                "split",
                other.to_string(),
                "split is true (the program's split section) or a split object",
            ));
        }
    };
    if let Some(split) = split {
        let policy = req.split_policy.unwrap_or_else(|| split.policy.clone());
        let prepared = split
            .prepare_with(&policy, split.rounding)
            .map_err(|e| e.at("split"))?;
        bill.apply_split(&prepared)?;
        trace.record(|| {
            let mut step = TraceStep::new(
                "split each line across funders (largest remainder, to the cent)",
                format!("{} funders", prepared.len()),
            )
            .input("policy", policy.describe());
            for (f, s) in prepared.funders().iter().zip(prepared.shares_used()) {
                step = step.input(&f.name, format!("listed {}, used {s}", f.share));
            }
            step.cite(
                ctx.citations("split")
                    .into_values()
                    .next()
                    .unwrap_or_else(|| "000_b605dc6c8d05d2b7.txt, contributing percentages".into()),
            )
        });
    }
    crate::json::to_value(&response(bill, trace))
}

fn response(bill: Bill, trace: Trace) -> BillResponse {
    let totals = bill.totals();
    BillResponse {
        totals,
        convention: bill.convention,
        rounding: bill.rounding,
        comparisons: bill.comparisons,
        notes: bill.notes,
        lines: bill.lines,
        trace: trace.into_steps(),
    }
}
