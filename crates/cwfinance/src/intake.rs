//! Intake adjustment: keep or reduce a contractor's new referrals by its length of stay.
//!
//! Illinois's performance contracts for children in relative homes tie a contractor's caseload to
//! its average length of stay (LOS): "After the contracts were launched in July, 1997, the state
//! tracked average length of stay (LOS) during the first six months of the contracts and used this
//! information to set LOS standards. If a contractor's LOS meets these standards, the state
//! maintains the contractor's intake; if the contractor does not meet these standards, intake is
//! decreased." Fewer referrals mean less reimbursement ("decrease contractors' caseloads (and,
//! subsequently, their reimbursements)") — `001_f8713068464777ee.txt, Practice Forum, Illinois`.
//!
//! An [`IntakeRule`] states the standard (average days), the reduction (a percentage of intake),
//! and when a measured LOS meets the standard ([`MeetsWhen::AtOrBelow`] by default: shorter stays
//! are the goal). The source publishes neither the standards nor the size of the decrease, so the
//! Illinois preset takes both as required parameters.
//!
//! The formula: with measured average LOS `L`, standard `S` and reduction `r`,
//!
//! - `L ≤ S`: intake is maintained;
//! - `L > S`: intake becomes `intake × (1 − r)`, rounded to whole referrals by
//!   [`IntakeRounding`] (down by default), and reimbursement becomes
//!   `intake after × reimbursement per referral`, to the cent.
//!
//! When stays are given, `L = Σ days / n` and the test is made exactly as `Σ days ≤ S × n`, so no
//! rounding of the average can change the decision; the average is shown rounded to two decimals.
//!
//! # Example
//!
//! ```
//! use cwfinance::intake::{IntakeRule, LosMeasure};
//! use cwfinance::milestone::Parameters;
//! use rust_decimal::Decimal;
//!
//! let p = cwfinance::Program::builtin("illinois-relative-care-los").unwrap();
//! let rule: IntakeRule = p.require_section("intake").unwrap();
//! let params = Parameters::new().with("los_standard_days", "180").with("intake_reduction", "25%");
//! let out = rule.adjust(&LosMeasure::Average(Decimal::from(200)), Decimal::from(40), None,
//!     &params, &Default::default()).unwrap();
//! // 200 days > 180: intake 40 × (1 − 25%) = 30 referrals.
//! assert_eq!(out.intake_after.to_string(), "30");
//! ```

use std::collections::BTreeMap;

use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::calendar::add_months;
use crate::document::Context;
use crate::error::{Error, Result};
use crate::milestone::{
    ParameterSpec, ParameterUnit, Parameters, labels, require_all, resolve_parameters,
    validate_parameter_specs,
};
use crate::money::{MAX_ABS_AMOUNT, Money, Percent, Rounding, parse_decimal};
use crate::trace::{Trace, TraceStep};

fn decimal_text_option<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    crate::money::deserialize_decimal_text(d, "a decimal string").map(Some)
}

/// A value given in the rule or taken from a parameter: exactly one of `fixed` and `parameter`.
///
/// # Example
///
/// ```
/// let v: cwfinance::intake::RuleValue = serde_json::from_value(serde_json::json!({"parameter": "intake_reduction"})).unwrap();
/// assert_eq!(v.parameter.as_deref(), Some("intake_reduction"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RuleValue {
    /// The value itself, as a decimal string (a percentage for the reduction).
    #[serde(
        default,
        deserialize_with = "decimal_text_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub fixed: Option<String>,
    /// The parameter holding it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

impl RuleValue {
    /// A fixed value.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::intake::RuleValue::fixed("180").fixed.as_deref(), Some("180"));
    /// ```
    pub fn fixed(text: &str) -> Self {
        RuleValue {
            fixed: Some(text.to_string()),
            parameter: None,
        }
    }

    /// A value from parameter `name`.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(cwfinance::intake::RuleValue::parameter("x").fixed.is_none());
    /// ```
    pub fn parameter(name: &str) -> Self {
        RuleValue {
            fixed: None,
            parameter: Some(name.to_string()),
        }
    }
}

/// When a measured average LOS meets the standard.
///
/// # Example
///
/// ```
/// assert_eq!(cwfinance::intake::MeetsWhen::default(), cwfinance::intake::MeetsWhen::AtOrBelow);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MeetsWhen {
    /// The LOS is at most the standard (the default: the contracts aim at permanency sooner, so
    /// a shorter stay meets a length-of-stay standard, and equality meets it).
    #[default]
    AtOrBelow,
    /// The LOS is strictly below the standard.
    Below,
}

/// How a reduced intake is rounded to whole referrals.
///
/// # Example
///
/// ```
/// assert_eq!(cwfinance::intake::IntakeRounding::default(), cwfinance::intake::IntakeRounding::Down);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum IntakeRounding {
    /// Down to a whole referral (the default: a child cannot be part-referred, and rounding down
    /// never gives back part of the reduction).
    #[default]
    Down,
    /// Half-up to a whole referral.
    HalfUp,
    /// No rounding: intake as a rate (referrals per month may be fractional).
    Exact,
}

/// The period whose stays set the standard (for reporting; the standard itself is a value).
///
/// # Example
///
/// ```
/// let p: cwfinance::intake::StandardPeriod = serde_json::from_value(serde_json::json!({"start": "1997-07-01", "months": "6"})).unwrap();
/// assert_eq!(p.months, 6);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StandardPeriod {
    /// The first day.
    pub start: NaiveDate,
    /// How many months, as a whole-number string such as `"6"`.
    #[serde(with = "crate::milestone::whole")]
    #[schemars(with = "String")]
    pub months: u32,
}

/// An intake rule (a program's `intake` section).
///
/// # Example
///
/// ```
/// use cwfinance::intake::{IntakeRule, RuleValue};
/// let rule = IntakeRule::new(RuleValue::fixed("180"), RuleValue::fixed("25%"));
/// assert!(rule.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeRule {
    /// What the rule is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Parameters the caller must supply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<ParameterSpec>,
    /// The LOS standard, in days (average length of stay).
    pub standard_days: RuleValue,
    /// The share of intake removed when the standard is missed.
    pub reduction: RuleValue,
    /// The period whose stays set the standard.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub standard_period: Option<StandardPeriod>,
    /// When a measured LOS meets the standard.
    #[serde(default)]
    pub meets_when: MeetsWhen,
    /// How reduced intake is rounded.
    #[serde(default)]
    pub intake_rounding: IntakeRounding,
    /// The source of the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
}

/// How the contractor's LOS was measured.
///
/// # Example
///
/// ```
/// use cwfinance::intake::{LosMeasure, Stay};
/// let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
/// let m = LosMeasure::Stays(vec![Stay { start: d("1998-01-01"), end: d("1998-07-01") }]);
/// assert!(matches!(m, LosMeasure::Stays(_)));
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LosMeasure {
    /// An average already computed, in days.
    Average(Decimal),
    /// Completed stays, averaged here.
    Stays(Vec<Stay>),
}

/// One completed stay: `[start, end)`, so its length is `end − start` days.
///
/// # Example
///
/// ```
/// let s: cwfinance::intake::Stay = serde_json::from_value(serde_json::json!({"start": "1998-01-01", "end": "1998-01-31"})).unwrap();
/// assert_eq!((s.end - s.start).num_days(), 30);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Stay {
    /// The day the child entered care with the contractor.
    pub start: NaiveDate,
    /// The day the stay ended.
    pub end: NaiveDate,
}

/// Options of [`IntakeRule::adjust`].
///
/// # Example
///
/// ```
/// assert!(!cwfinance::intake::AdjustOptions::default().trace);
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AdjustOptions {
    /// Rounding of reimbursement and of the shown average (default half-up).
    pub rounding: Option<Rounding>,
    /// Record the steps.
    pub trace: bool,
    /// `path -> "file, section"` labels of the program's `intake` citations.
    pub citations: BTreeMap<String, String>,
}

/// Whether intake is kept or cut.
///
/// # Example
///
/// ```
/// assert_eq!(serde_json::to_string(&cwfinance::intake::IntakeDecision::Reduced).unwrap(), "\"reduced\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum IntakeDecision {
    /// The LOS met the standard: intake is maintained.
    Maintained,
    /// The LOS missed the standard: intake is reduced.
    Reduced,
}

/// The period a standard was set from, as dates.
///
/// # Example
///
/// ```
/// let p = cwfinance::intake::StandardWindow { start: "1997-07-01".parse().unwrap(), end: "1998-01-01".parse().unwrap() };
/// assert_eq!((p.end - p.start).num_days(), 184);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct StandardWindow {
    /// The first day.
    pub start: NaiveDate,
    /// The first day after.
    pub end: NaiveDate,
}

/// The request of kind `intake.adjust`.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({"kind": "intake.adjust", "program": "illinois-relative-care-los",
///   "parameters": {"los_standard_days": "180", "intake_reduction": "25%"},
///   "measured_average_los_days": "175", "intake": "40"}));
/// assert_eq!(out["decision"], "maintained");
/// ```
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct IntakeRequest {
    /// The request's own rule (else the program's `intake` section).
    #[serde(default)]
    pub rule: Option<IntakeRule>,
    /// Values of the rule's parameters.
    #[serde(default)]
    pub parameters: Parameters,
    /// The contractor's measured average LOS in days (or give `stays`).
    #[serde(default, deserialize_with = "decimal_text_option")]
    pub measured_average_los_days: Option<String>,
    /// The contractor's completed stays (or give `measured_average_los_days`).
    #[serde(default)]
    pub stays: Option<Vec<Stay>>,
    /// The contractor's current intake: new referrals per period.
    #[serde(with = "crate::money::decimal_string")]
    #[schemars(with = "String")]
    pub intake: Decimal,
    /// Reimbursement per referral, to show the effect on payment.
    #[serde(default)]
    pub reimbursement_per_referral: Option<Money>,
    /// Rounding of reimbursement and of the shown average (default half-up).
    #[serde(default)]
    pub rounding: Option<Rounding>,
}

/// The response of kind `intake.adjust`.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({"kind": "intake.adjust", "program": "illinois-relative-care-los",
///   "parameters": {"los_standard_days": "180", "intake_reduction": "25%"},
///   "measured_average_los_days": "200", "intake": "40", "reimbursement_per_referral": "1000.00"}));
/// assert_eq!(out["reimbursement_after"], "30000.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct IntakeResponse {
    /// Maintained or reduced.
    pub decision: IntakeDecision,
    /// True when the LOS met the standard.
    pub meets_standard: bool,
    /// The measured average LOS in days, rounded to two decimals for display.
    #[schemars(with = "String")]
    #[serde(with = "crate::money::decimal_string")]
    pub measured_average_los_days: Decimal,
    /// How many stays were averaged, when stays were given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stays_measured: Option<u64>,
    /// Total days of those stays.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_stay_days: Option<i64>,
    /// The standard, in days.
    #[schemars(with = "String")]
    #[serde(with = "crate::money::decimal_string")]
    pub standard_los_days: Decimal,
    /// The period the standard was set from, when the rule names it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub standard_set_from: Option<StandardWindow>,
    /// The reduction applied (0% when maintained).
    pub reduction_applied: Percent,
    /// Intake before.
    #[schemars(with = "String")]
    #[serde(with = "crate::money::decimal_string")]
    pub intake_before: Decimal,
    /// Intake after.
    #[schemars(with = "String")]
    #[serde(with = "crate::money::decimal_string")]
    pub intake_after: Decimal,
    /// Reimbursement for the intake before, when a per-referral amount was given.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reimbursement_before: Option<Money>,
    /// Reimbursement for the intake after.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reimbursement_after: Option<Money>,
    /// The parameters used, as read.
    pub parameters: BTreeMap<String, String>,
    /// The sources of the rule.
    pub citations: Vec<String>,
    /// The steps, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceStep>>,
}

fn nonneg_decimal(field: &str, text: &str) -> Result<Decimal> {
    let d = parse_decimal(field, text)?;
    if d.is_sign_negative() && !d.is_zero() {
        return Err(Error::negative(
            field,
            text,
            "this value cannot be negative",
        ));
    }
    if d > MAX_ABS_AMOUNT {
        return Err(Error::OutOfRange {
            field: field.to_string(),
            value: text.to_string(),
            rule: "values must lie within ±10^15".into(),
        });
    }
    Ok(d)
}

fn fixed_reduction(field: &str, text: &str) -> Result<Percent> {
    let p = Percent::parse(field, text)?
        .non_negative(field, "an intake reduction cannot be negative")?;
    if p.fraction() > Decimal::ONE {
        return Err(Error::OutOfRange {
            field: field.to_string(),
            value: text.to_string(),
            rule: "an intake reduction lies between 0% and 100%".into(),
        });
    }
    Ok(p)
}

impl IntakeRule {
    /// A rule with this standard and reduction, the defaults otherwise.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::intake::{IntakeRule, RuleValue};
    /// let r = IntakeRule::new(RuleValue::fixed("120"), RuleValue::fixed("10%"));
    /// assert_eq!(r.meets_when, cwfinance::intake::MeetsWhen::AtOrBelow);
    /// ```
    pub fn new(standard_days: RuleValue, reduction: RuleValue) -> Self {
        IntakeRule {
            description: None,
            parameters: Vec::new(),
            standard_days,
            reduction,
            standard_period: None,
            meets_when: MeetsWhen::default(),
            intake_rounding: IntakeRounding::default(),
            citation: None,
        }
    }

    /// Check the rule: one form per value, readable fixed values, declared and used parameters.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::intake::{IntakeRule, RuleValue};
    /// let r = IntakeRule::new(RuleValue::parameter("standard"), RuleValue::fixed("10%"));
    /// assert_eq!(r.validate().unwrap_err().kind(), "unknown_id");
    /// ```
    pub fn validate(&self) -> Result<()> {
        validate_parameter_specs(&self.parameters, "parameters")?;
        let mut used = Vec::new();
        for (name, value, unit) in [
            ("standard_days", &self.standard_days, ParameterUnit::Number),
            ("reduction", &self.reduction, ParameterUnit::Percent),
        ] {
            match (&value.fixed, &value.parameter) {
                (Some(text), None) => {
                    let field = format!("{name}.fixed");
                    match unit {
                        ParameterUnit::Percent => fixed_reduction(&field, text).map(|_| ())?,
                        _ => nonneg_decimal(&field, text).map(|_| ())?,
                    }
                }
                (None, Some(p)) => {
                    let spec = self
                        .parameters
                        .iter()
                        .find(|s| &s.name == p)
                        .ok_or_else(|| Error::UnknownId {
                            field: format!("{name}.parameter"),
                            value: p.clone(),
                            what: "parameter".into(),
                            known: self
                                .parameters
                                .iter()
                                .map(|s| s.name.as_str())
                                .collect::<Vec<_>>()
                                .join(", "),
                        })?;
                    let ok = match unit {
                        ParameterUnit::Percent => spec.unit == ParameterUnit::Percent,
                        _ => matches!(spec.unit, ParameterUnit::Number | ParameterUnit::Days),
                    };
                    if !ok {
                        return Err(Error::invalid(
                            format!("{name}.parameter"),
                            p.clone(),
                            format!(
                                "{name} needs a parameter of unit {}, not {}",
                                crate::milestone::code(&unit),
                                crate::milestone::code(&spec.unit)
                            ),
                        ));
                    }
                    used.push(p.clone());
                }
                _ => {
                    return Err(Error::invalid(
                        name,
                        "",
                        "give exactly one of {\"fixed\"} and {\"parameter\"}",
                    ));
                }
            }
        }
        if let Some((j, s)) = self
            .parameters
            .iter()
            .enumerate()
            .find(|(_, s)| !used.contains(&s.name))
        {
            return Err(Error::invalid(
                format!("parameters[{j}].name"),
                s.name.clone(),
                "this parameter is declared but the rule does not use it",
            ));
        }
        if let Some(p) = &self.standard_period {
            if !(1..=crate::milestone::MAX_MONTHS).contains(&p.months) {
                return Err(Error::OutOfRange {
                    field: "standard_period.months".into(),
                    value: p.months.to_string(),
                    rule: "a whole number of months from 1 to 1200".into(),
                });
            }
        }
        Ok(())
    }

    fn window(&self) -> Option<StandardWindow> {
        let p = self.standard_period.as_ref()?;
        let months = i32::try_from(p.months).ok()?;
        let end = add_months(p.start, months);
        (end > p.start).then_some(StandardWindow {
            start: p.start,
            end,
        })
    }

    /// Decide whether the measured LOS meets the standard, and adjust intake and reimbursement.
    ///
    /// `intake` is the contractor's current new referrals per period; `reimbursement_per_referral`
    /// (optional) shows what the decision does to payment. A missing parameter is
    /// [`Error::MissingParameter`] naming it and why.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::intake::{IntakeRule, LosMeasure, RuleValue, Stay};
    /// use cwfinance::milestone::Parameters;
    /// use rust_decimal::Decimal;
    /// let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
    /// let rule = IntakeRule::new(RuleValue::fixed("150"), RuleValue::fixed("20%"));
    /// // Stays of 120 and 190 days: 310 days ≤ 150 × 2 = 300? No, so intake is reduced.
    /// let stays = vec![
    ///     Stay { start: d("1998-01-01"), end: d("1998-05-01") },
    ///     Stay { start: d("1998-01-01"), end: d("1998-07-10") },
    /// ];
    /// let out = rule.adjust(&LosMeasure::Stays(stays), Decimal::from(12), None, &Parameters::new(), &Default::default()).unwrap();
    /// assert_eq!(out.measured_average_los_days.to_string(), "155.00");
    /// assert_eq!(out.intake_after.to_string(), "9"); // 12 × 0.8 = 9.6, rounded down
    /// ```
    pub fn adjust(
        &self,
        measure: &LosMeasure,
        intake: Decimal,
        reimbursement_per_referral: Option<Money>,
        parameters: &Parameters,
        options: &AdjustOptions,
    ) -> Result<IntakeResponse> {
        self.validate()?;
        let rounding = options.rounding.unwrap_or_default();
        let params =
            resolve_parameters(&self.parameters, parameters, &options.citations, "intake")?;
        require_all(&self.parameters, &params)?;
        let mut trace = Trace::new(options.trace);

        let standard = match (&self.standard_days.fixed, &self.standard_days.parameter) {
            (Some(t), _) => nonneg_decimal("standard_days.fixed", t)?,
            (_, Some(p)) => params.number(p).ok_or_else(|| Error::MissingParameter {
                field: format!("parameters.{p}"),
                rule: "the LOS standard is required".into(),
            })?,
            _ => {
                return Err(Error::MissingField {
                    field: "standard_days".into(),
                });
            }
        };
        let reduction = match (&self.reduction.fixed, &self.reduction.parameter) {
            (Some(t), _) => fixed_reduction("reduction.fixed", t)?,
            (_, Some(p)) => params.percent(p).ok_or_else(|| Error::MissingParameter {
                field: format!("parameters.{p}"),
                rule: "the intake reduction is required".into(),
            })?,
            _ => {
                return Err(Error::MissingField {
                    field: "reduction".into(),
                });
            }
        };
        if intake.is_sign_negative() && !intake.is_zero() {
            return Err(Error::negative(
                "intake",
                intake,
                "intake is a number of referrals",
            ));
        }
        if intake > MAX_ABS_AMOUNT {
            return Err(Error::OutOfRange {
                field: "intake".into(),
                value: intake.to_string(),
                rule: "values must lie within ±10^15".into(),
            });
        }
        if let Some(r) = reimbursement_per_referral {
            r.non_negative(
                "reimbursement_per_referral",
                "a reimbursement per referral cannot be negative",
            )?;
        }

        // The decision compares exactly: Σ days against S × n, or the given average against S.
        let (average, stays_measured, total_days, at_or_below, strictly_below) = match measure {
            LosMeasure::Average(avg) => {
                if avg.is_sign_negative() && !avg.is_zero() {
                    return Err(Error::negative(
                        "measured_average_los_days",
                        avg,
                        "a length of stay cannot be negative",
                    ));
                }
                if *avg > MAX_ABS_AMOUNT {
                    return Err(Error::OutOfRange {
                        field: "measured_average_los_days".into(),
                        value: avg.to_string(),
                        rule: "values must lie within ±10^15".into(),
                    });
                }
                (*avg, None, None, *avg <= standard, *avg < standard)
            }
            LosMeasure::Stays(stays) => {
                if stays.is_empty() {
                    return Err(Error::invalid(
                        "stays",
                        "[]",
                        "give at least one completed stay to average",
                    ));
                }
                let mut total: i64 = 0;
                for (i, s) in stays.iter().enumerate() {
                    if s.end < s.start {
                        return Err(Error::EndBeforeStart {
                            field: format!("stays[{i}]"),
                            start: s.start.to_string(),
                            end: s.end.to_string(),
                        });
                    }
                    total = total
                        .checked_add((s.end - s.start).num_days())
                        .ok_or_else(|| Error::overflow(format!("stays[{i}]"), total))?;
                }
                let n = u64::try_from(stays.len()).unwrap_or(u64::MAX);
                let days = Decimal::from(total);
                let count = Decimal::from(n);
                let limit = standard
                    .checked_mul(count)
                    .ok_or_else(|| Error::overflow("stays", standard))?;
                let avg = days.checked_div(count).unwrap_or(Decimal::ZERO);
                (avg, Some(n), Some(total), days <= limit, days < limit)
            }
        };
        let meets = match self.meets_when {
            MeetsWhen::AtOrBelow => at_or_below,
            MeetsWhen::Below => strictly_below,
        };
        let shown_average = rounding.round(average, 2);
        trace.record(|| {
            let mut s = TraceStep::new("compare average LOS with the standard", meets)
                .input("average_los_days", shown_average)
                .input("standard_days", standard)
                .input("meets_when", crate::milestone::code(&self.meets_when));
            if let (Some(n), Some(t)) = (stays_measured, total_days) {
                s = s
                    .input("stays", n)
                    .input("total_days", t)
                    .input("test", format!("{t} vs {standard} × {n}"));
            }
            if let Some(c) = &self.citation {
                s = s.cite(c.clone());
            }
            s
        });

        let (decision, applied, intake_after) = if meets {
            (IntakeDecision::Maintained, Percent::ZERO, intake)
        } else {
            let keep = Decimal::ONE - reduction.fraction();
            let exact = intake
                .checked_mul(keep)
                .ok_or_else(|| Error::overflow("intake", intake))?;
            let after = match self.intake_rounding {
                IntakeRounding::Down => exact.floor(),
                IntakeRounding::HalfUp => Rounding::HalfUp.round(exact, 0),
                IntakeRounding::Exact => exact,
            };
            (IntakeDecision::Reduced, reduction, after)
        };
        let intake_after = intake_after.normalize();
        trace.record(|| {
            TraceStep::new("adjust intake", intake_after)
                .input("intake", intake)
                .input("reduction", applied)
                .input("rounding", crate::milestone::code(&self.intake_rounding))
        });
        let pay = |count: Decimal, field: &str| -> Result<Option<Money>> {
            reimbursement_per_referral
                .map(|r| {
                    r.amount()
                        .checked_mul(count)
                        .map(|x| Money::new(x).round_to_cents(rounding))
                        .ok_or_else(|| Error::overflow(field, r))
                })
                .transpose()
        };
        let reimbursement_before = pay(intake, "reimbursement_before")?;
        let reimbursement_after = pay(intake_after, "reimbursement_after")?;
        if let (Some(b), Some(a)) = (reimbursement_before, reimbursement_after) {
            trace.record(|| {
                TraceStep::new("reimbursement follows intake", a)
                    .input("before", b)
                    .input(
                        "per_referral",
                        reimbursement_per_referral.unwrap_or_default(),
                    )
            });
        }
        Ok(IntakeResponse {
            decision,
            meets_standard: meets,
            measured_average_los_days: shown_average,
            stays_measured,
            total_stay_days: total_days,
            standard_los_days: standard.normalize(),
            standard_set_from: self.window(),
            reduction_applied: applied,
            intake_before: intake.normalize(),
            intake_after,
            reimbursement_before,
            reimbursement_after,
            parameters: params.texts(),
            citations: labels(&options.citations, "intake", self.citation.as_ref()),
            trace: trace.into_steps(),
        })
    }
}

/// Check a program's `intake` section (citations already stripped).
pub(crate) fn check_section(section: &Value) -> Result<()> {
    let rule: IntakeRule = crate::json::decode(section, "")?;
    rule.validate()
}

/// Run an `intake.adjust` document.
pub(crate) fn run_document(body: &Value, ctx: &Context) -> Result<Value> {
    let req: IntakeRequest = crate::json::decode(body, "")?;
    let own = req.rule.is_some();
    if let Some(r) = &req.rule {
        r.validate().map_err(|e| e.at("rule"))?;
    }
    let rule: IntakeRule = ctx.config(req.rule, "rule", "intake")?;
    let measure = match (&req.measured_average_los_days, req.stays) {
        (Some(text), None) => {
            LosMeasure::Average(nonneg_decimal("measured_average_los_days", text)?)
        }
        (None, Some(stays)) => LosMeasure::Stays(stays),
        (Some(_), Some(_)) => {
            return Err(Error::invalid(
                "stays",
                "",
                "give either measured_average_los_days or stays, not both",
            ));
        }
        (None, None) => {
            return Err(Error::MissingField {
                field: "measured_average_los_days".into(),
            });
        }
    };
    let options = AdjustOptions {
        rounding: req.rounding,
        trace: ctx.trace,
        citations: if own {
            BTreeMap::new()
        } else {
            ctx.citations("intake")
        },
    };
    let response = rule.adjust(
        &measure,
        req.intake,
        req.reimbursement_per_referral,
        &req.parameters,
        &options,
    )?;
    crate::json::to_value(&response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn illinois() -> Option<IntakeRule> {
        crate::Program::builtin("illinois-relative-care-los")
            .ok()?
            .section("intake")
            .ok()?
    }

    #[test]
    fn equality_meets_the_standard() {
        let Some(rule) = illinois() else {
            unreachable!("the Illinois preset loads")
        };
        let params = Parameters::new()
            .with("los_standard_days", "180")
            .with("intake_reduction", "25%");
        let out = rule.adjust(
            &LosMeasure::Average(Decimal::from(180)),
            Decimal::from(40),
            None,
            &params,
            &AdjustOptions::default(),
        );
        assert_eq!(
            out.map(|o| o.decision).ok(),
            Some(IntakeDecision::Maintained)
        );
    }

    proptest! {
        #[test]
        fn reduced_intake_never_exceeds_intake(intake in 0i64..100_000, pct in 0u32..=100, avg in 0i64..1000) {
            let rule = IntakeRule::new(RuleValue::fixed("180"), RuleValue::fixed(&format!("{pct}%")));
            let out = rule.adjust(&LosMeasure::Average(Decimal::from(avg)), Decimal::from(intake), Some(Money::from_cents(12_345)), &Parameters::new(), &AdjustOptions::default());
            prop_assert!(out.is_ok());
            if let Ok(o) = out {
                prop_assert!(o.intake_after <= o.intake_before);
                prop_assert_eq!(o.meets_standard, avg <= 180);
            }
        }
    }
}
