//! Milestone and incentive payments: a schedule of triggers applied to a case's dated events.
//!
//! Performance-based contracts pay part of a provider's reimbursement when a case reaches a
//! milestone (a referral, a progress report, a permanent placement) or an outcome holds for a
//! while (a placement maintained six months). A [`MilestoneSchedule`] holds:
//!
//! - **triggers** ([`Trigger`]): an id, the event types that fire it, an [`Amount`] (fixed, a
//!   percentage of a named base such as the case rate, or a parameter the caller supplies), an
//!   optional [`Deadline`] ("within N days of event X"), once or repeatable (with an optional
//!   maximum count), an optional exclusive `group` (alternative routes to one payment), an
//!   optional `sustained_months` (the event must hold that long without an `unless` event), and a
//!   citation carried into every result;
//! - **aftercare** ([`Aftercare`]): a monthly payment for M months after the case leaves care;
//! - **withholds** ([`Withhold`]): an amount held back and released on outcomes, or forfeited.
//!
//! [`MilestoneSchedule::pay`] applies the schedule to a case's events as of a date. It returns
//! every payment with the rule that caused it and its citations, and every trigger that did not
//! pay with a [`FailureReason`] (not occurred yet, deadline missed, already paid, requires a
//! parameter, ...).
//!
//! **Installments of a base add up exactly.** The once-only triggers that pay a percentage of the
//! same base are that base's installments. Each but the last is `base × percent`, rounded to cents
//! with the named [`Rounding`]; the last takes the remainder, so the installments add up to
//! `base × Σ percent` rounded, which is exactly the base when the percentages add to 100%
//! (Kansas: 25% + 25% + 25% + 25% of $13,564.01 is $3,391.00 three times and $3,391.01).
//!
//! **Deadlines count day N.** "Within N days of X" is met by an event on or before X's date plus N
//! days: X's own day is day 0, and an event on day N is in time; on day N + 1 it is late.
//!
//! Sources: `001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks` ($1,000 at intake
//! and key points, $400 aftercare for six months), `Case Rates, Project Destiny` ($250,000 flexible
//! funds, $150,000 held in trust), and `Practice Forum` (Wayne County, Arizona, Michigan, Kansas).
//!
//! # Example
//!
//! ```
//! use cwfinance::milestone::{CaseEvent, MilestoneSchedule, Parameters, PayOptions};
//! use cwfinance::Program;
//!
//! let kansas = Program::builtin("kansas-privatization-fy2000").unwrap();
//! let schedule: MilestoneSchedule = kansas.require_section("milestones").unwrap();
//! let d = |s: &str| s.parse::<chrono::NaiveDate>().unwrap();
//! let events = [
//!     CaseEvent::new("referral", d("1999-08-02")),
//!     CaseEvent::new("progress_report_60_day", d("1999-10-01")),
//! ];
//! let params = Parameters::new().with("case_rate", "13564.00").with("referral_fee", "500.00");
//! let out = schedule.pay(&events, d("1999-12-31"), &params, &PayOptions::default()).unwrap();
//! // $500.00 referral fee + 25% of $13,564.00 ($3,391.00) at referral + $3,391.00 at the report.
//! assert_eq!(out.totals.paid.to_string(), "7282.00");
//! ```

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use serde::{Deserialize, Deserializer, Serialize};
use serde_json::Value;

use crate::calendar::add_months;
use crate::document::Context;
use crate::error::{Error, Result};
use crate::money::{Money, Percent, Rounding, encode_err, parse_decimal};
use crate::trace::{Trace, TraceStep};

/// The longest deadline, in days, a schedule may state (about 273 years).
///
/// # Example
///
/// ```
/// assert_eq!(cwfinance::milestone::MAX_DEADLINE_DAYS, 100_000);
/// ```
pub const MAX_DEADLINE_DAYS: u32 = 100_000;

/// The longest span, in months, for sustained triggers, month deadlines and aftercare (100 years).
///
/// # Example
///
/// ```
/// assert_eq!(cwfinance::milestone::MAX_MONTHS, 1_200);
/// ```
pub const MAX_MONTHS: u32 = 1_200;

// ---------------------------------------------------------------------------------------------
// Whole numbers that cross JSON as strings (days, months, counts).
// ---------------------------------------------------------------------------------------------

fn parse_whole(text: &str) -> std::result::Result<u32, String> {
    let d = parse_decimal("", text).map_err(|e| e.to_string())?;
    if !d.fract().is_zero() || d.is_sign_negative() && !d.is_zero() {
        return Err("a whole number of 0 or more".into());
    }
    u32::try_from(d.trunc()).map_err(|_| "a whole number up to 4294967295".into())
}

pub(crate) mod whole {
    use super::*;

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> std::result::Result<u32, D::Error> {
        let s = crate::money::deserialize_decimal_text(
            d,
            "a whole number as a string, such as \"60\"",
        )?;
        parse_whole(&s)
            .map_err(|why| serde::de::Error::custom(encode_err("out_of_range", &s, &why)))
    }

    pub fn serialize<S: serde::Serializer>(v: &u32, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.collect_str(v)
    }

    pub mod option {
        use super::*;

        pub fn deserialize<'de, D: Deserializer<'de>>(
            d: D,
        ) -> std::result::Result<Option<u32>, D::Error> {
            super::deserialize(d).map(Some)
        }

        pub fn serialize<S: serde::Serializer>(
            v: &Option<u32>,
            s: S,
        ) -> std::result::Result<S::Ok, S::Error> {
            match v {
                Some(n) => s.collect_str(n),
                None => s.serialize_none(),
            }
        }
    }
}

fn decimal_text_option<'de, D: Deserializer<'de>>(
    d: D,
) -> std::result::Result<Option<String>, D::Error> {
    crate::money::deserialize_decimal_text(d, "a decimal string").map(Some)
}

// ---------------------------------------------------------------------------------------------
// Parameters: values the sources do not publish, supplied by the caller.
// ---------------------------------------------------------------------------------------------

/// Values for a schedule's declared parameters, by name, each a decimal string
/// (`"14000.00"`, `"90"`, `"25%"`). JSON numbers are refused, as for every amount.
///
/// # Example
///
/// ```
/// use cwfinance::milestone::Parameters;
/// let p = Parameters::new().with("case_rate", "14763.00");
/// assert_eq!(p.get("case_rate"), Some("14763.00"));
/// let err = cwfinance::json::decode::<Parameters>(&serde_json::json!({"case_rate": 14763}), "parameters").unwrap_err();
/// assert_eq!(err.kind(), "not_a_decimal_string");
/// assert_eq!(err.field(), "parameters.case_rate");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
#[serde(transparent)]
pub struct Parameters(pub BTreeMap<String, String>);

impl Parameters {
    /// No parameters.
    ///
    /// # Example
    ///
    /// ```
    /// assert!(cwfinance::milestone::Parameters::new().0.is_empty());
    /// ```
    pub fn new() -> Self {
        Parameters::default()
    }

    /// These parameters plus `name = value`.
    ///
    /// # Example
    ///
    /// ```
    /// let p = cwfinance::milestone::Parameters::new().with("referral_fee", "250.00");
    /// assert_eq!(p.0.len(), 1);
    /// ```
    pub fn with(mut self, name: &str, value: &str) -> Self {
        self.0.insert(name.to_string(), value.to_string());
        self
    }

    /// The text given for `name`.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::milestone::Parameters::new().get("x"), None);
    /// ```
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.get(name).map(String::as_str)
    }
}

impl<'de> Deserialize<'de> for Parameters {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        struct Text(String);
        impl<'de> Deserialize<'de> for Text {
            fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                crate::money::deserialize_decimal_text(d, "a decimal string").map(Text)
            }
        }
        let map = BTreeMap::<String, Text>::deserialize(d)?;
        Ok(Parameters(map.into_iter().map(|(k, v)| (k, v.0)).collect()))
    }
}

/// What a parameter measures, which decides how its text is read and checked.
///
/// # Example
///
/// ```
/// use cwfinance::milestone::ParameterUnit;
/// assert_eq!(serde_json::to_string(&ParameterUnit::Days).unwrap(), "\"days\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ParameterUnit {
    /// Dollars in whole cents, zero or more (`"13564.00"`).
    Money,
    /// A whole number of days, 0 to [`MAX_DEADLINE_DAYS`] (`"90"`).
    Days,
    /// A percentage from 0% to 100% (`"25%"` or `"0.25"`).
    Percent,
    /// A decimal number, zero or more (`"182.5"`).
    Number,
}

/// A parameter a rule needs because its source does not publish the value.
///
/// `why` says where the source is silent; it is the message of [`Error::MissingParameter`] when
/// the caller leaves the parameter out. `min` and `max` (inclusive, in the parameter's unit)
/// hold a published range, such as Kansas's case rate "ranging from $13,564 to $14,763".
///
/// # Example
///
/// ```
/// use cwfinance::milestone::{ParameterSpec, ParameterUnit};
/// let spec = ParameterSpec::new("referral_fee", ParameterUnit::Money, "the fee is not published");
/// assert_eq!(spec.min, None);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ParameterSpec {
    /// The name callers use in `parameters`.
    pub name: String,
    /// What it measures.
    pub unit: ParameterUnit,
    /// Why it is required: what the source says and what it leaves out.
    pub why: String,
    /// The smallest value allowed (inclusive), as a decimal string in the unit.
    #[serde(
        default,
        deserialize_with = "decimal_text_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub min: Option<String>,
    /// The largest value allowed (inclusive), as a decimal string in the unit.
    #[serde(
        default,
        deserialize_with = "decimal_text_option",
        skip_serializing_if = "Option::is_none"
    )]
    pub max: Option<String>,
}

impl ParameterSpec {
    /// A parameter with no range.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::milestone::{ParameterSpec, ParameterUnit};
    /// assert_eq!(ParameterSpec::new("days", ParameterUnit::Days, "unpublished").name, "days");
    /// ```
    pub fn new(name: &str, unit: ParameterUnit, why: &str) -> Self {
        ParameterSpec {
            name: name.to_string(),
            unit,
            why: why.to_string(),
            min: None,
            max: None,
        }
    }

    /// The same parameter limited to `[min, max]` (either may be `None`).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::milestone::{ParameterSpec, ParameterUnit};
    /// let s = ParameterSpec::new("case_rate", ParameterUnit::Money, "a range").range(Some("13564.00"), Some("14763.00"));
    /// assert_eq!(s.max.as_deref(), Some("14763.00"));
    /// ```
    pub fn range(mut self, min: Option<&str>, max: Option<&str>) -> Self {
        self.min = min.map(str::to_string);
        self.max = max.map(str::to_string);
        self
    }

    fn read(&self, field: &str, text: &str) -> Result<ParamValue> {
        let v = match self.unit {
            ParameterUnit::Money => {
                let m = Money::parse(field, text)?
                    .non_negative(field, "a parameter amount cannot be negative")?;
                if m.cents().is_none() {
                    return Err(Error::invalid(
                        field,
                        text,
                        "a parameter amount is paid in whole cents; give at most two decimals",
                    ));
                }
                ParamValue::Money(m)
            }
            ParameterUnit::Days => {
                let n = parse_whole(text).map_err(|why| Error::OutOfRange {
                    field: field.to_string(),
                    value: text.to_string(),
                    rule: format!("days are {why}"),
                })?;
                if n > MAX_DEADLINE_DAYS {
                    return Err(Error::OutOfRange {
                        field: field.to_string(),
                        value: text.to_string(),
                        rule: format!("days must be at most {MAX_DEADLINE_DAYS}"),
                    });
                }
                ParamValue::Days(n)
            }
            ParameterUnit::Percent => {
                let p = Percent::parse(field, text)?
                    .non_negative(field, "a percentage parameter cannot be negative")?;
                if p.fraction() > Decimal::ONE {
                    return Err(Error::OutOfRange {
                        field: field.to_string(),
                        value: text.to_string(),
                        rule: "a percentage parameter lies between 0% and 100%".into(),
                    });
                }
                ParamValue::Percent(p)
            }
            ParameterUnit::Number => {
                let d = parse_decimal(field, text)?;
                if d.is_sign_negative() && !d.is_zero() {
                    return Err(Error::negative(
                        field,
                        text,
                        "this parameter cannot be negative",
                    ));
                }
                if d > crate::money::MAX_ABS_AMOUNT {
                    return Err(Error::OutOfRange {
                        field: field.to_string(),
                        value: text.to_string(),
                        rule: "numbers must lie within ±10^15".into(),
                    });
                }
                ParamValue::Number(d)
            }
        };
        Ok(v)
    }

    fn bound(&self, which: &str, text: &str) -> Result<Decimal> {
        self.read(which, text).map(ParamValue::comparable)
    }
}

/// A parameter's value, read in its unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ParamValue {
    Money(Money),
    Days(u32),
    Percent(Percent),
    Number(Decimal),
}

impl ParamValue {
    fn comparable(self) -> Decimal {
        match self {
            ParamValue::Money(m) => m.amount(),
            ParamValue::Days(n) => Decimal::from(n),
            ParamValue::Percent(p) => p.fraction(),
            ParamValue::Number(d) => d,
        }
    }

    fn text(self) -> String {
        match self {
            ParamValue::Money(m) => m.to_string(),
            ParamValue::Days(n) => n.to_string(),
            ParamValue::Percent(p) => p.to_string(),
            ParamValue::Number(d) => d.to_string(),
        }
    }
}

/// Declared parameters with the caller's values, checked.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResolvedParameters {
    values: BTreeMap<String, ParamValue>,
}

impl ResolvedParameters {
    pub(crate) fn money(&self, name: &str) -> Option<Money> {
        match self.values.get(name) {
            Some(ParamValue::Money(m)) => Some(*m),
            _ => None,
        }
    }
    pub(crate) fn days(&self, name: &str) -> Option<u32> {
        match self.values.get(name) {
            Some(ParamValue::Days(n)) => Some(*n),
            _ => None,
        }
    }
    pub(crate) fn percent(&self, name: &str) -> Option<Percent> {
        match self.values.get(name) {
            Some(ParamValue::Percent(p)) => Some(*p),
            _ => None,
        }
    }
    pub(crate) fn number(&self, name: &str) -> Option<Decimal> {
        match self.values.get(name) {
            Some(ParamValue::Number(d)) => Some(*d),
            Some(ParamValue::Days(n)) => Some(Decimal::from(*n)),
            _ => None,
        }
    }
    pub(crate) fn texts(&self) -> BTreeMap<String, String> {
        self.values
            .iter()
            .map(|(k, v)| (k.clone(), v.text()))
            .collect()
    }
}

/// Check the declared parameters themselves: unique names, readable and ordered bounds.
pub(crate) fn validate_parameter_specs(specs: &[ParameterSpec], prefix: &str) -> Result<()> {
    let mut seen = BTreeSet::new();
    for (j, spec) in specs.iter().enumerate() {
        let at = format!("{prefix}[{j}]");
        if spec.name.trim().is_empty() {
            return Err(Error::invalid(
                format!("{at}.name"),
                "",
                "a parameter needs a name",
            ));
        }
        if !seen.insert(spec.name.as_str()) {
            return Err(Error::invalid(
                format!("{at}.name"),
                spec.name.clone(),
                "parameter names must be unique",
            ));
        }
        let min = spec
            .min
            .as_deref()
            .map(|t| spec.bound(&format!("{at}.min"), t))
            .transpose()?;
        let max = spec
            .max
            .as_deref()
            .map(|t| spec.bound(&format!("{at}.max"), t))
            .transpose()?;
        if let (Some(lo), Some(hi)) = (min, max) {
            if lo > hi {
                return Err(Error::invalid(
                    format!("{at}.max"),
                    spec.max.clone().unwrap_or_default(),
                    format!("max is below min {}", spec.min.clone().unwrap_or_default()),
                ));
            }
        }
    }
    Ok(())
}

/// Read and check every given parameter against its declaration. A name nobody declared is
/// [`Error::UnknownId`] (so a typo cannot silently leave a rule unpaid); a value outside a cited
/// range is [`Error::OutOfRange`] naming the range and its source.
pub(crate) fn resolve_parameters(
    specs: &[ParameterSpec],
    given: &Parameters,
    citations: &BTreeMap<String, String>,
    section: &str,
) -> Result<ResolvedParameters> {
    let mut out = ResolvedParameters::default();
    for (name, text) in &given.0 {
        let field = format!("parameters.{name}");
        let Some((j, spec)) = specs.iter().enumerate().find(|(_, s)| &s.name == name) else {
            return Err(Error::UnknownId {
                field: "parameters".into(),
                value: name.clone(),
                what: "parameter".into(),
                known: if specs.is_empty() {
                    "(none: this rule takes no parameters)".into()
                } else {
                    specs
                        .iter()
                        .map(|s| s.name.as_str())
                        .collect::<Vec<_>>()
                        .join(", ")
                },
            });
        };
        let v = spec.read(&field, text)?;
        let c = v.comparable();
        let lo = spec
            .min
            .as_deref()
            .map(|t| spec.bound("min", t))
            .transpose()?;
        let hi = spec
            .max
            .as_deref()
            .map(|t| spec.bound("max", t))
            .transpose()?;
        if lo.is_some_and(|lo| c < lo) || hi.is_some_and(|hi| c > hi) {
            let sources = labels(citations, &format!("{section}.parameters[{j}]"), None);
            let range = match (&spec.min, &spec.max) {
                (Some(a), Some(b)) => format!("from {a} to {b}"),
                (Some(a), None) => format!("at least {a}"),
                (None, Some(b)) => format!("at most {b}"),
                (None, None) => String::new(),
            };
            let cite = if sources.is_empty() {
                String::new()
            } else {
                format!(" ({})", sources.join("; "))
            };
            return Err(Error::OutOfRange {
                field,
                value: text.clone(),
                rule: format!("{name} must lie {range}{cite}"),
            });
        }
        out.values.insert(name.clone(), v);
    }
    Ok(out)
}

/// [`Error::MissingParameter`] for the first declared parameter the caller left out.
pub(crate) fn require_all(specs: &[ParameterSpec], resolved: &ResolvedParameters) -> Result<()> {
    match specs
        .iter()
        .find(|s| !resolved.values.contains_key(&s.name))
    {
        Some(s) => Err(Error::MissingParameter {
            field: format!("parameters.{}", s.name),
            rule: s.why.clone(),
        }),
        None => Ok(()),
    }
}

/// The citation labels stored under `prefix` (and `own`, a rule's own citation), sorted, unique.
pub(crate) fn labels(
    citations: &BTreeMap<String, String>,
    prefix: &str,
    own: Option<&String>,
) -> Vec<String> {
    let mut out = BTreeSet::new();
    if let Some(c) = own {
        if !c.trim().is_empty() {
            out.insert(c.clone());
        }
    }
    for (k, v) in citations {
        let under = k == prefix
            || k.strip_prefix(prefix)
                .is_some_and(|r| r.starts_with('.') || r.starts_with('['));
        if under && !v.is_empty() {
            out.insert(v.clone());
        }
    }
    out.into_iter().collect()
}

// ---------------------------------------------------------------------------------------------
// The schedule.
// ---------------------------------------------------------------------------------------------

/// How much a rule pays: exactly one of a fixed amount, a parameter, or a percentage of a base.
///
/// # Example
///
/// ```
/// use cwfinance::milestone::Amount;
/// let a: Amount = serde_json::from_value(serde_json::json!({"percent": "25%", "of": "case_rate"})).unwrap();
/// assert_eq!(a, Amount::percent_of("25%".parse().unwrap(), "case_rate"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Amount {
    /// A fixed amount in whole cents.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fixed: Option<Money>,
    /// A percentage of the base named by `of`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percent: Option<Percent>,
    /// The base (a key of the schedule's `bases`) that `percent` applies to.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub of: Option<String>,
    /// A money parameter the caller supplies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub parameter: Option<String>,
}

impl Amount {
    /// A fixed amount.
    ///
    /// # Example
    ///
    /// ```
    /// let a = cwfinance::milestone::Amount::fixed(cwfinance::Money::from_cents(100_000));
    /// assert!(a.fixed.is_some());
    /// ```
    pub fn fixed(amount: Money) -> Self {
        Amount {
            fixed: Some(amount),
            ..Amount::default()
        }
    }

    /// A percentage of the base `of`.
    ///
    /// # Example
    ///
    /// ```
    /// let a = cwfinance::milestone::Amount::percent_of("60%".parse().unwrap(), "adoption_payment");
    /// assert_eq!(a.of.as_deref(), Some("adoption_payment"));
    /// ```
    pub fn percent_of(percent: Percent, of: &str) -> Self {
        Amount {
            percent: Some(percent),
            of: Some(of.to_string()),
            ..Amount::default()
        }
    }

    /// A money parameter.
    ///
    /// # Example
    ///
    /// ```
    /// let a = cwfinance::milestone::Amount::parameter("referral_fee");
    /// assert_eq!(a.parameter.as_deref(), Some("referral_fee"));
    /// ```
    pub fn parameter(name: &str) -> Self {
        Amount {
            parameter: Some(name.to_string()),
            ..Amount::default()
        }
    }

    fn validate(&self, at: &str, allow_percent: bool) -> Result<()> {
        let forms = [
            self.fixed.is_some(),
            self.parameter.is_some(),
            self.percent.is_some() || self.of.is_some(),
        ];
        if forms.iter().filter(|f| **f).count() != 1 {
            return Err(Error::invalid(
                at,
                "",
                "an amount is exactly one of {\"fixed\"}, {\"parameter\"} or {\"percent\", \"of\"}",
            ));
        }
        if let Some(m) = self.fixed {
            m.non_negative(
                &format!("{at}.fixed"),
                "a milestone payment cannot be negative",
            )?;
            if m.cents().is_none() {
                return Err(Error::invalid(
                    format!("{at}.fixed"),
                    m.to_string(),
                    "a fixed payment is a whole number of cents",
                ));
            }
        }
        if let Some(p) = &self.parameter {
            if p.trim().is_empty() {
                return Err(Error::invalid(
                    format!("{at}.parameter"),
                    "",
                    "a parameter needs a name",
                ));
            }
        }
        if self.percent.is_some() || self.of.is_some() {
            if !allow_percent {
                return Err(Error::invalid(
                    at,
                    "",
                    "a base is a fixed amount or a parameter, not a percentage of another base",
                ));
            }
            let Some(p) = self.percent else {
                return Err(Error::MissingField {
                    field: format!("{at}.percent"),
                });
            };
            if self.of.is_none() {
                return Err(Error::MissingField {
                    field: format!("{at}.of"),
                });
            }
            if p.fraction() <= Decimal::ZERO || p.fraction() > Decimal::ONE {
                return Err(Error::OutOfRange {
                    field: format!("{at}.percent"),
                    value: p.to_string(),
                    rule: "a percentage of a base lies above 0% and at most 100%".into(),
                });
            }
        }
        Ok(())
    }
}

/// "Within N days (or months) of event X": the anchor is the first `of` event of the case.
///
/// Day N counts: with `within_days: "60"` and the anchor on 1999-07-01, an event on 1999-08-30
/// is in time and one on 1999-08-31 is late. Exactly one of `within_days`,
/// `within_days_parameter` and `within_months` is given. Months clamp to the month's end
/// ([`add_months`]).
///
/// # Example
///
/// ```
/// let d: cwfinance::milestone::Deadline = serde_json::from_value(serde_json::json!(
///     {"of": "referral", "within_days": "60"})).unwrap();
/// assert_eq!(d.within_days, Some(60));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Deadline {
    /// The anchor event type.
    pub of: String,
    /// N days after the anchor (day N counts).
    #[serde(
        default,
        with = "whole::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    pub within_days: Option<u32>,
    /// A `days` parameter holding N, where the source does not publish it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub within_days_parameter: Option<String>,
    /// N calendar months after the anchor (the date N months on counts).
    #[serde(
        default,
        with = "whole::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    pub within_months: Option<u32>,
}

impl Deadline {
    fn validate(&self, at: &str) -> Result<()> {
        if self.of.trim().is_empty() {
            return Err(Error::invalid(
                format!("{at}.of"),
                "",
                "a deadline needs an anchor event",
            ));
        }
        let forms = [
            self.within_days.is_some(),
            self.within_days_parameter.is_some(),
            self.within_months.is_some(),
        ];
        if forms.iter().filter(|f| **f).count() != 1 {
            return Err(Error::invalid(
                at,
                "",
                "a deadline has exactly one of within_days, within_days_parameter, within_months",
            ));
        }
        if let Some(n) = self.within_days {
            if n > MAX_DEADLINE_DAYS {
                return Err(Error::OutOfRange {
                    field: format!("{at}.within_days"),
                    value: n.to_string(),
                    rule: format!("at most {MAX_DEADLINE_DAYS} days"),
                });
            }
        }
        if let Some(n) = self.within_months {
            if n > MAX_MONTHS {
                return Err(Error::OutOfRange {
                    field: format!("{at}.within_months"),
                    value: n.to_string(),
                    rule: format!("at most {MAX_MONTHS} months"),
                });
            }
        }
        Ok(())
    }
}

/// One milestone or incentive payment rule.
///
/// It fires on each occurrence (in date order) of any of its `events`. With `sustained_months`,
/// an occurrence pays only once it has lasted that many months with no `unless` event (the
/// payment is dated at the end of the period). A once-only trigger pays its first qualifying
/// occurrence; later ones are reported as already paid. Triggers sharing a `group` are
/// alternative routes to one payment: the earliest qualifying one pays.
///
/// # Example
///
/// ```
/// use cwfinance::milestone::{Amount, Trigger};
/// let t = Trigger::new("intake", &["intake"], Amount::fixed(cwfinance::Money::from_cents(100_000)));
/// assert!(!t.repeatable);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Trigger {
    /// A unique id, named in every payment and failure.
    pub id: String,
    /// What the payment is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The event types that fire it (any of them).
    pub events: Vec<String>,
    /// How much it pays.
    pub amount: Amount,
    /// An optional deadline for the firing event.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Deadline>,
    /// Pay only when the event has lasted this many months with no `unless` event.
    #[serde(
        default,
        with = "whole::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    pub sustained_months: Option<u32>,
    /// Event types that break a sustained period.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub unless: Vec<String>,
    /// True when every qualifying occurrence pays (up to `max_count`); false pays once.
    #[serde(default)]
    pub repeatable: bool,
    /// The most payments a repeatable trigger makes.
    #[serde(
        default,
        with = "whole::option",
        skip_serializing_if = "Option::is_none"
    )]
    #[schemars(with = "Option<String>")]
    pub max_count: Option<u32>,
    /// Alternative routes to one payment share a group; only the earliest pays.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// The source of the rule (`file, section`), carried into every result.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
}

impl Trigger {
    /// A once-only trigger on `events` paying `amount`.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::milestone::{Amount, Trigger};
    /// let t = Trigger::new("referral_fee", &["referral"], Amount::parameter("referral_fee"));
    /// assert_eq!(t.events, vec!["referral".to_string()]);
    /// ```
    pub fn new(id: &str, events: &[&str], amount: Amount) -> Self {
        Trigger {
            id: id.to_string(),
            description: None,
            events: events.iter().map(|e| e.to_string()).collect(),
            amount,
            deadline: None,
            sustained_months: None,
            unless: Vec::new(),
            repeatable: false,
            max_count: None,
            group: None,
            citation: None,
        }
    }

    fn is_installment_of(&self, base: &str) -> bool {
        !self.repeatable && self.amount.of.as_deref() == Some(base) && self.amount.percent.is_some()
    }
}

/// Aftercare: `monthly` for `months` months after the first `after` event (the case's exit).
///
/// Month k (1-based) is paid on the exit date plus k − 1 months, that is at the start of each
/// aftercare month; a `stops_on` event after the exit stops the months that fall on or after it.
///
/// # Example
///
/// ```
/// let a: cwfinance::milestone::Aftercare = serde_json::from_value(serde_json::json!({
///     "id": "aftercare", "after": ["discharge"], "monthly": {"fixed": "400.00"}, "months": "6"})).unwrap();
/// assert_eq!(a.months, 6);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Aftercare {
    /// A unique id.
    pub id: String,
    /// What it is for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The exit event types; aftercare starts at the first of them.
    pub after: Vec<String>,
    /// The monthly payment.
    pub monthly: Amount,
    /// How many months.
    #[serde(with = "whole")]
    #[schemars(with = "String")]
    pub months: u32,
    /// Event types (such as a re-entry into care) that stop the remaining months.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stops_on: Vec<String>,
    /// The source of the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
}

/// A release of part of a withhold when an outcome event occurs.
///
/// # Example
///
/// ```
/// let r: cwfinance::milestone::Release = serde_json::from_value(serde_json::json!({
///     "id": "outcomes", "events": ["outcomes_met"], "percent": "100%"})).unwrap();
/// assert_eq!(r.percent.to_string(), "100%");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Release {
    /// An id, unique within the withhold.
    pub id: String,
    /// The outcome event types that release it.
    pub events: Vec<String>,
    /// The share of the withheld amount released (releases are installments of it).
    pub percent: Percent,
    /// An optional deadline; a release that misses it is forfeited.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deadline: Option<Deadline>,
}

/// An amount held back at `held_at` and released on outcomes, or forfeited.
///
/// # Example
///
/// ```
/// let p = cwfinance::Program::builtin("project-destiny-1997").unwrap();
/// let s: cwfinance::milestone::MilestoneSchedule = p.require_section("milestones").unwrap();
/// assert_eq!(s.withholds[0].amount.fixed.unwrap().to_string(), "150000.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Withhold {
    /// A unique id.
    pub id: String,
    /// What it is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// The amount held back.
    pub amount: Amount,
    /// The event type at whose first occurrence the amount is held.
    pub held_at: String,
    /// The releases; their percentages add to at most 100%.
    pub releases: Vec<Release>,
    /// Event types that forfeit whatever is still held.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forfeit_on: Vec<String>,
    /// The source of the rule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub citation: Option<String>,
}

/// A schedule of milestone payments, aftercare and withholds (a program's `milestones` section).
///
/// # Example
///
/// ```
/// use cwfinance::milestone::{Amount, MilestoneSchedule, Trigger};
/// let mut s = MilestoneSchedule::default();
/// s.triggers.push(Trigger::new("intake", &["intake"], Amount::fixed(cwfinance::Money::from_cents(100_000))));
/// assert!(s.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MilestoneSchedule {
    /// What the schedule is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// Payments falling due before this date are not made under this schedule.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub effective_from: Option<NaiveDate>,
    /// The event types a case may carry, with their meaning. When given, any other event type in
    /// a request is an error, so a misspelt event cannot silently leave a milestone unpaid.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub event_types: BTreeMap<String, String>,
    /// Parameters the caller must supply.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parameters: Vec<ParameterSpec>,
    /// Named base amounts (such as `case_rate`) for percentage payments.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub bases: BTreeMap<String, Amount>,
    /// The payment rules.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub triggers: Vec<Trigger>,
    /// Monthly payments after exit.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub aftercare: Vec<Aftercare>,
    /// Amounts held back and released on outcomes.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub withholds: Vec<Withhold>,
    /// How percentage amounts are rounded to cents (default half-up).
    #[serde(default)]
    pub rounding: Rounding,
}

impl MilestoneSchedule {
    /// Check the schedule: unique ids, one form per amount, declared bases and parameters,
    /// installments of a base at most 100%, sane deadlines and counts, declared event types.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::milestone::{Amount, MilestoneSchedule, Trigger};
    /// let mut s = MilestoneSchedule::default();
    /// s.triggers.push(Trigger::new("x", &["referral"], Amount::percent_of("25%".parse().unwrap(), "case_rate")));
    /// let err = s.validate().unwrap_err();
    /// assert_eq!(err.field(), "triggers[0].amount.of");
    /// ```
    pub fn validate(&self) -> Result<()> {
        validate_parameter_specs(&self.parameters, "parameters")?;
        let mut c = Checker {
            schedule: self,
            used_params: BTreeSet::new(),
            ids: BTreeSet::new(),
            events: Vec::new(),
        };
        for (name, base) in &self.bases {
            let at = format!("bases.{name}");
            base.validate(&at, false)?;
            if let Some(p) = &base.parameter {
                c.use_param(p, ParameterUnit::Money, format!("{at}.parameter"))?;
            }
        }
        for (i, t) in self.triggers.iter().enumerate() {
            c.trigger(i, t)?;
        }
        for base in self.bases.keys() {
            let total = self
                .triggers
                .iter()
                .filter(|t| t.is_installment_of(base))
                .filter_map(|t| t.amount.percent)
                .try_fold(Decimal::ZERO, |acc, p| acc.checked_add(p.fraction()));
            if total.is_none_or(|s| s > Decimal::ONE) {
                return Err(Error::OutOfRange {
                    field: "triggers".into(),
                    value: total
                        .map(|s| Percent::from_fraction(s).to_string())
                        .unwrap_or_default(),
                    rule: format!(
                        "the once-only percentages of base {base} are its installments and add up to at most 100%"
                    ),
                });
            }
        }
        for (i, a) in self.aftercare.iter().enumerate() {
            c.aftercare(i, a)?;
        }
        for (i, w) in self.withholds.iter().enumerate() {
            c.withhold(i, w)?;
        }
        if !self.event_types.is_empty() {
            for (at, e) in &c.events {
                if !self.event_types.contains_key(e) {
                    return Err(Error::UnknownId {
                        field: at.clone(),
                        value: e.clone(),
                        what: "event type".into(),
                        known: self
                            .event_types
                            .keys()
                            .cloned()
                            .collect::<Vec<_>>()
                            .join(", "),
                    });
                }
            }
        }
        if let Some((j, spec)) = self
            .parameters
            .iter()
            .enumerate()
            .find(|(_, s)| !c.used_params.contains(&s.name))
        {
            return Err(Error::invalid(
                format!("parameters[{j}].name"),
                spec.name.clone(),
                "this parameter is declared but no rule uses it",
            ));
        }
        Ok(())
    }

    /// Apply the schedule to a case's `events` as of `as_of`.
    ///
    /// Events dated after `as_of` are ignored (`as_of` is the last day whose events are known).
    /// Parameters are read and checked against their declarations; under the default
    /// [`MissingParameterPolicy::Error`] a missing one is [`Error::MissingParameter`] naming it
    /// and why.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::milestone::{CaseEvent, MilestoneSchedule, Parameters, PayOptions};
    /// let p = cwfinance::Program::builtin("commonworks-1998").unwrap();
    /// let s: MilestoneSchedule = p.require_section("milestones").unwrap();
    /// let d = |t: &str| t.parse::<chrono::NaiveDate>().unwrap();
    /// let out = s.pay(&[CaseEvent::new("intake", d("1998-09-01"))], d("1998-12-31"),
    ///     &Parameters::new(), &PayOptions::default()).unwrap();
    /// assert_eq!(out.payments[0].amount.to_string(), "1000.00");
    /// ```
    pub fn pay(
        &self,
        events: &[CaseEvent],
        as_of: NaiveDate,
        parameters: &Parameters,
        options: &PayOptions,
    ) -> Result<PayResponse> {
        self.validate()?;
        let rounding = options.rounding.unwrap_or(self.rounding);
        let params = resolve_parameters(
            &self.parameters,
            parameters,
            &options.citations,
            &options.section,
        )?;
        if options.missing_parameters == MissingParameterPolicy::Error {
            require_all(&self.parameters, &params)?;
        }
        if !self.event_types.is_empty() {
            if let Some((i, e)) = events
                .iter()
                .enumerate()
                .find(|(_, e)| !self.event_types.contains_key(&e.event))
            {
                return Err(Error::UnknownId {
                    field: format!("events[{i}].event"),
                    value: e.event.clone(),
                    what: "event type".into(),
                    known: self
                        .event_types
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        let mut run = Run::new(self, events, as_of, params, rounding, options);
        run.record_inputs();
        run.triggers()?;
        run.aftercare()?;
        run.withholds()?;
        run.finish()
    }
}

/// The state of [`MilestoneSchedule::validate`]: ids seen, parameters used, events named.
struct Checker<'s> {
    schedule: &'s MilestoneSchedule,
    used_params: BTreeSet<String>,
    ids: BTreeSet<String>,
    events: Vec<(String, String)>,
}

impl Checker<'_> {
    fn use_param(&mut self, name: &str, unit: ParameterUnit, at: String) -> Result<()> {
        let specs = &self.schedule.parameters;
        let Some(spec) = specs.iter().find(|s| s.name == name) else {
            return Err(Error::UnknownId {
                field: at,
                value: name.to_string(),
                what: "parameter".into(),
                known: specs
                    .iter()
                    .map(|s| s.name.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        };
        if spec.unit != unit {
            return Err(Error::invalid(
                at,
                name,
                format!(
                    "this parameter is used as {} but declared as {}",
                    code(&unit),
                    code(&spec.unit)
                ),
            ));
        }
        self.used_params.insert(spec.name.clone());
        Ok(())
    }

    fn id(&mut self, id: &str, at: String) -> Result<()> {
        if id.trim().is_empty() {
            return Err(Error::invalid(at, "", "a rule needs an id"));
        }
        if !self.ids.insert(id.to_string()) {
            return Err(Error::invalid(
                at,
                id,
                "rule ids must be unique in a schedule",
            ));
        }
        Ok(())
    }

    fn note(&mut self, at: &str, list: &str, events: &[String]) {
        for (k, e) in events.iter().enumerate() {
            self.events.push((format!("{at}.{list}[{k}]"), e.clone()));
        }
    }

    fn events(&mut self, events: &[String], at: &str, list: &str) -> Result<()> {
        if events.is_empty() {
            return Err(Error::invalid(
                format!("{at}.{list}"),
                "[]",
                "name at least one event type",
            ));
        }
        if let Some(i) = events.iter().position(|e| e.trim().is_empty()) {
            return Err(Error::invalid(
                format!("{at}.{list}[{i}]"),
                "",
                "an event type cannot be empty",
            ));
        }
        self.note(at, list, events);
        Ok(())
    }

    fn amount(&mut self, amount: &Amount, at: String) -> Result<()> {
        amount.validate(&at, true)?;
        if let Some(p) = &amount.parameter {
            self.use_param(p, ParameterUnit::Money, format!("{at}.parameter"))?;
        }
        if let Some(of) = &amount.of {
            if !self.schedule.bases.contains_key(of) {
                return Err(Error::UnknownId {
                    field: format!("{at}.of"),
                    value: of.clone(),
                    what: "base".into(),
                    known: self
                        .schedule
                        .bases
                        .keys()
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(", "),
                });
            }
        }
        Ok(())
    }

    fn deadline(&mut self, dl: &Deadline, at: String) -> Result<()> {
        dl.validate(&at)?;
        self.events.push((format!("{at}.of"), dl.of.clone()));
        if let Some(p) = &dl.within_days_parameter {
            self.use_param(
                p,
                ParameterUnit::Days,
                format!("{at}.within_days_parameter"),
            )?;
        }
        Ok(())
    }

    fn trigger(&mut self, i: usize, t: &Trigger) -> Result<()> {
        let at = format!("triggers[{i}]");
        self.id(&t.id, format!("{at}.id"))?;
        self.events(&t.events, &at, "events")?;
        self.note(&at, "unless", &t.unless);
        self.amount(&t.amount, format!("{at}.amount"))?;
        if let Some(dl) = &t.deadline {
            self.deadline(dl, format!("{at}.deadline"))?;
        }
        match t.sustained_months {
            Some(n) if n == 0 || n > MAX_MONTHS => {
                return Err(Error::OutOfRange {
                    field: format!("{at}.sustained_months"),
                    value: n.to_string(),
                    rule: format!("from 1 to {MAX_MONTHS} months"),
                });
            }
            None if !t.unless.is_empty() => {
                return Err(Error::invalid(
                    format!("{at}.unless"),
                    t.unless.join(", "),
                    "unless applies only to a trigger with sustained_months",
                ));
            }
            _ => {}
        }
        if let Some(n) = t.max_count {
            if !t.repeatable {
                return Err(Error::invalid(
                    format!("{at}.max_count"),
                    n.to_string(),
                    "max_count applies only to a repeatable trigger",
                ));
            }
            if n == 0 {
                return Err(Error::OutOfRange {
                    field: format!("{at}.max_count"),
                    value: "0".into(),
                    rule: "a repeatable trigger pays at least once".into(),
                });
            }
        }
        if let Some(g) = &t.group {
            if t.repeatable {
                return Err(Error::invalid(
                    format!("{at}.group"),
                    g.clone(),
                    "a trigger in a group of alternatives pays once, so it cannot be repeatable",
                ));
            }
            if g.trim().is_empty() {
                return Err(Error::invalid(
                    format!("{at}.group"),
                    "",
                    "a group needs a name",
                ));
            }
        }
        Ok(())
    }

    fn aftercare(&mut self, i: usize, a: &Aftercare) -> Result<()> {
        let at = format!("aftercare[{i}]");
        self.id(&a.id, format!("{at}.id"))?;
        self.events(&a.after, &at, "after")?;
        self.note(&at, "stops_on", &a.stops_on);
        self.amount(&a.monthly, format!("{at}.monthly"))?;
        if a.months == 0 || a.months > MAX_MONTHS {
            return Err(Error::OutOfRange {
                field: format!("{at}.months"),
                value: a.months.to_string(),
                rule: format!("from 1 to {MAX_MONTHS} months"),
            });
        }
        Ok(())
    }

    fn withhold(&mut self, i: usize, w: &Withhold) -> Result<()> {
        let at = format!("withholds[{i}]");
        self.id(&w.id, format!("{at}.id"))?;
        self.amount(&w.amount, format!("{at}.amount"))?;
        if w.held_at.trim().is_empty() {
            return Err(Error::invalid(
                format!("{at}.held_at"),
                "",
                "name the event at which the amount is held",
            ));
        }
        self.events
            .push((format!("{at}.held_at"), w.held_at.clone()));
        self.note(&at, "forfeit_on", &w.forfeit_on);
        if w.releases.is_empty() {
            return Err(Error::invalid(
                format!("{at}.releases"),
                "[]",
                "a withhold needs at least one release",
            ));
        }
        let mut total = Decimal::ZERO;
        for (k, r) in w.releases.iter().enumerate() {
            let rat = format!("{at}.releases[{k}]");
            self.id(&format!("{}.{}", w.id, r.id), format!("{rat}.id"))?;
            self.events(&r.events, &rat, "events")?;
            let f = r.percent.fraction();
            if f <= Decimal::ZERO || f > Decimal::ONE {
                return Err(Error::OutOfRange {
                    field: format!("{rat}.percent"),
                    value: r.percent.to_string(),
                    rule: "a release lies above 0% and at most 100% of the withhold".into(),
                });
            }
            total += f;
            if let Some(dl) = &r.deadline {
                self.deadline(dl, format!("{rat}.deadline"))?;
            }
        }
        if total > Decimal::ONE {
            return Err(Error::OutOfRange {
                field: format!("{at}.releases"),
                value: Percent::from_fraction(total).to_string(),
                rule: "releases add up to at most 100% of the withhold".into(),
            });
        }
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Installments.
// ---------------------------------------------------------------------------------------------

fn checked_times(base: Money, p: Percent, field: &str) -> Result<Money> {
    base.amount()
        .checked_mul(p.fraction())
        .map(Money::new)
        .ok_or_else(|| Error::overflow(field, base))
}

/// Split `base` into installments of `percents` (in order), to the cent, adding up exactly.
///
/// Each installment but the last is `base × percent` rounded with `rounding`; the last takes the
/// remainder, `round(base × Σ percents) − (the others)`. When the percentages add to 100% the
/// installments add to exactly `base`. The base must be whole cents, the percentages above zero
/// and at most 100% together. Source of the 25/25/25/25 practice:
/// `001_f8713068464777ee.txt, Practice Forum, Kansas`.
///
/// # Example
///
/// ```
/// use cwfinance::{Money, Percent, Rounding};
/// use cwfinance::milestone::installments;
/// let quarter: Percent = "25%".parse().unwrap();
/// // $13,564.01 / 4 = $3,391.0025: three installments of $3,391.00 and a last one of $3,391.01.
/// let parts = installments("13564.01".parse().unwrap(), &[quarter; 4], Rounding::HalfUp).unwrap();
/// let text: Vec<String> = parts.iter().map(|m| m.to_string()).collect();
/// assert_eq!(text, ["3391.00", "3391.00", "3391.00", "3391.01"]);
/// ```
pub fn installments(base: Money, percents: &[Percent], rounding: Rounding) -> Result<Vec<Money>> {
    base.non_negative("base", "an installment base cannot be negative")?;
    if base.cents().is_none() {
        return Err(Error::invalid(
            "base",
            base.to_string(),
            "an installment base is a whole number of cents",
        ));
    }
    let mut total = Decimal::ZERO;
    for (i, p) in percents.iter().enumerate() {
        if p.fraction() <= Decimal::ZERO {
            return Err(Error::OutOfRange {
                field: format!("percents[{i}]"),
                value: p.to_string(),
                rule: "an installment is above 0%".into(),
            });
        }
        total = total
            .checked_add(p.fraction())
            .filter(|t| *t <= Decimal::ONE)
            .ok_or_else(|| Error::OutOfRange {
                field: "percents".into(),
                value: p.to_string(),
                rule: "installments add up to at most 100% of their base".into(),
            })?;
    }
    let Some((_, rest)) = percents.split_last() else {
        return Ok(Vec::new());
    };
    let mut out = Vec::with_capacity(percents.len());
    let mut sum = Money::ZERO;
    for p in rest {
        let a = checked_times(base, *p, "base")?.round_to_cents(rounding);
        sum = sum.checked_add(a, "installments")?;
        out.push(a);
    }
    let whole =
        checked_times(base, Percent::from_fraction(total), "base")?.round_to_cents(rounding);
    let last = whole - sum;
    if last.is_negative() {
        return Err(Error::invalid(
            "base",
            base.to_string(),
            format!(
                "the installments before the last round to {sum}, more than {whole}; the base is too small to split this way"
            ),
        ));
    }
    out.push(last);
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Requests, results.
// ---------------------------------------------------------------------------------------------

/// One dated event of a case (`referral`, `permanent_placement`, ...).
///
/// # Example
///
/// ```
/// let e = cwfinance::milestone::CaseEvent::new("referral", "1999-07-01".parse().unwrap());
/// assert_eq!(e.event, "referral");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct CaseEvent {
    /// The event type.
    pub event: String,
    /// When it happened.
    pub date: NaiveDate,
}

impl CaseEvent {
    /// An event of type `event` on `date`.
    ///
    /// # Example
    ///
    /// ```
    /// let e = cwfinance::milestone::CaseEvent::new("discharge", "1999-06-30".parse().unwrap());
    /// assert_eq!(e.date.to_string(), "1999-06-30");
    /// ```
    pub fn new(event: &str, date: NaiveDate) -> Self {
        CaseEvent {
            event: event.to_string(),
            date,
        }
    }
}

/// What to do when a declared parameter is not given.
///
/// # Example
///
/// ```
/// use cwfinance::milestone::MissingParameterPolicy;
/// assert_eq!(MissingParameterPolicy::default(), MissingParameterPolicy::Error);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum MissingParameterPolicy {
    /// [`Error::MissingParameter`] naming the first missing parameter and why (the default).
    #[default]
    Error,
    /// Compute what can be computed; each rule that needs a missing parameter is reported as a
    /// failed trigger with reason `requires_parameter`.
    FailTrigger,
}

/// Options of [`MilestoneSchedule::pay`].
///
/// # Example
///
/// ```
/// let o = cwfinance::milestone::PayOptions::default();
/// assert!(!o.trace);
/// assert_eq!(o.section, "milestones");
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PayOptions {
    /// Overrides the schedule's rounding.
    pub rounding: Option<Rounding>,
    /// What a missing parameter does.
    pub missing_parameters: MissingParameterPolicy,
    /// Record the steps.
    pub trace: bool,
    /// `path -> "file, section"` labels of the program's citations (see
    /// [`crate::Program::citations_under`]), carried into results.
    pub citations: BTreeMap<String, String>,
    /// The section name the citation paths start with.
    pub section: String,
}

impl Default for PayOptions {
    fn default() -> Self {
        PayOptions {
            rounding: None,
            missing_parameters: MissingParameterPolicy::Error,
            trace: false,
            citations: BTreeMap::new(),
            section: "milestones".into(),
        }
    }
}

/// The kind of rule behind a payment or failure.
///
/// # Example
///
/// ```
/// assert_eq!(serde_json::to_string(&cwfinance::milestone::RuleKind::WithholdRelease).unwrap(), "\"withhold_release\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RuleKind {
    /// A [`Trigger`].
    Trigger,
    /// An [`Aftercare`] rule.
    Aftercare,
    /// A [`Release`] of a [`Withhold`].
    WithholdRelease,
}

/// Why a rule did not pay.
///
/// # Example
///
/// ```
/// assert_eq!(serde_json::to_string(&cwfinance::milestone::FailureReason::DeadlineMissed).unwrap(), "\"deadline_missed\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum FailureReason {
    /// The event (or the end of a sustained period) has not happened by `as_of`.
    NotOccurredYet,
    /// The event came after its deadline, or the deadline passed without it.
    DeadlineMissed,
    /// The deadline's anchor event has not happened, so the deadline cannot be measured.
    AnchorNotOccurred,
    /// The event came before its deadline's anchor.
    BeforeAnchor,
    /// A once-only rule (or its group of alternatives, or its max count) was already paid.
    AlreadyPaid,
    /// An `unless`, `stops_on` or forfeit event broke the condition.
    ConditionBroken,
    /// The payment would fall due before the schedule's `effective_from`.
    BeforeEffectiveDate,
    /// The rule needs a parameter that was not given.
    RequiresParameter,
}

/// One payment, with the rule that caused it and its sources.
///
/// # Example
///
/// ```
/// # use cwfinance::milestone::*;
/// let p = cwfinance::Program::builtin("wayne-county-permanency-pilot").unwrap();
/// let s: MilestoneSchedule = p.require_section("milestones").unwrap();
/// let out = s.pay(&[CaseEvent::new("referral", "1997-06-02".parse().unwrap())], "1997-06-30".parse().unwrap(),
///     &Parameters::new().with("permanency_deadline_days", "365"), &PayOptions::default()).unwrap();
/// assert_eq!(out.payments[0].rule, "initial_payment");
/// assert_eq!(out.payments[0].amount.to_string(), "1990.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct Payment {
    /// The rule's id (`withhold.release` for a release).
    pub rule: String,
    /// The kind of rule.
    pub rule_kind: RuleKind,
    /// The date the payment falls due.
    pub date: NaiveDate,
    /// The amount, in cents.
    pub amount: Money,
    /// The event that caused it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// The date of that event (differs from `date` for sustained triggers and aftercare).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event_date: Option<NaiveDate>,
    /// 1 for the rule's first payment, 2 for its second, ...
    pub occurrence: u32,
    /// How the amount was found, in words.
    pub basis: String,
    /// The sources of the rule.
    pub citations: Vec<String>,
}

/// A rule that did not pay, and why.
///
/// # Example
///
/// ```
/// # use cwfinance::milestone::*;
/// let p = cwfinance::Program::builtin("michigan-adoption").unwrap();
/// let s: MilestoneSchedule = p.require_section("milestones").unwrap();
/// let out = s.pay(&[], "2000-01-01".parse().unwrap(),
///     &Parameters::new().with("adoption_payment", "10000.00"), &PayOptions::default()).unwrap();
/// assert_eq!(out.failed[0].reason, FailureReason::NotOccurredYet);
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct FailedTrigger {
    /// The rule's id.
    pub rule: String,
    /// The kind of rule.
    pub rule_kind: RuleKind,
    /// Why it did not pay.
    pub reason: FailureReason,
    /// The event concerned, when there is one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub event: Option<String>,
    /// The date concerned (the event's, or the date a payment would fall due).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// The reason in words, with the dates and amounts involved.
    pub detail: String,
    /// The sources of the rule.
    pub citations: Vec<String>,
}

/// Where a withhold stands.
///
/// # Example
///
/// ```
/// assert_eq!(serde_json::to_string(&cwfinance::milestone::WithholdState::Held).unwrap(), "\"held\"");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum WithholdState {
    /// The holding event has not happened.
    NotHeld,
    /// All of it is held.
    Held,
    /// Part released, the rest still held.
    PartlyReleased,
    /// All released.
    Released,
    /// All forfeited.
    Forfeited,
    /// Nothing left held: part released, part forfeited.
    Settled,
}

/// A withhold's state as of the request's date.
///
/// # Example
///
/// ```
/// # use cwfinance::milestone::*;
/// let p = cwfinance::Program::builtin("project-destiny-1997").unwrap();
/// let s: MilestoneSchedule = p.require_section("milestones").unwrap();
/// let out = s.pay(&[CaseEvent::new("contract_inception", "1997-04-01".parse().unwrap())],
///     "1998-01-01".parse().unwrap(), &Parameters::new(), &PayOptions::default()).unwrap();
/// assert_eq!(out.withholds[0].held.to_string(), "150000.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct WithholdStatus {
    /// The withhold's id.
    pub id: String,
    /// The amount withheld (absent when it needs a missing parameter).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub amount: Option<Money>,
    /// When it was held.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held_on: Option<NaiveDate>,
    /// Released so far.
    pub released: Money,
    /// Forfeited so far.
    pub forfeited: Money,
    /// Still held.
    pub held: Money,
    /// The state in a word.
    pub status: WithholdState,
    /// The sources of the rule.
    pub citations: Vec<String>,
}

/// Sums of a [`PayResponse`].
///
/// # Example
///
/// ```
/// let t = cwfinance::milestone::PayTotals::default();
/// assert!(t.paid.amount().is_zero());
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PayTotals {
    /// Every payment.
    pub paid: Money,
    /// Trigger payments.
    pub triggers: Money,
    /// Aftercare payments.
    pub aftercare: Money,
    /// Releases of withholds.
    pub withholds_released: Money,
    /// Withheld amounts still held.
    pub withheld: Money,
    /// Withheld amounts forfeited.
    pub forfeited: Money,
}

/// The request of kind `milestones.pay`.
///
/// `schedule` is the request's own schedule; without it, the program's `milestones` section is
/// used. `parameters` supply what the source does not publish.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate_str(r#"{"kind": "milestones.pay", "program": "michigan-adoption",
///   "as_of": "2000-06-30", "parameters": {"adoption_payment": "10000.00"},
///   "events": [{"event": "adoptive_placement", "date": "2000-01-10"}]}"#);
/// assert!(out.contains(r#""amount":"6000.00""#), "{out}");
/// ```
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PayRequest {
    /// The last day whose events are known; later events are ignored.
    pub as_of: NaiveDate,
    /// The case's dated events.
    #[serde(default)]
    pub events: Vec<CaseEvent>,
    /// The request's own schedule (else the program's `milestones` section).
    #[serde(default)]
    pub schedule: Option<MilestoneSchedule>,
    /// Values of the schedule's parameters.
    #[serde(default)]
    pub parameters: Parameters,
    /// Overrides the schedule's rounding.
    #[serde(default)]
    pub rounding: Option<Rounding>,
    /// What a missing parameter does (default `error`).
    #[serde(default)]
    pub missing_parameters: MissingParameterPolicy,
}

/// The response of kind `milestones.pay`.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({"kind": "milestones.pay", "program": "commonworks-1998",
///   "as_of": "1998-12-31", "events": [{"event": "intake", "date": "1998-09-01"}]}));
/// assert_eq!(out["totals"]["paid"], "1000.00");
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct PayResponse {
    /// The request's date.
    pub as_of: NaiveDate,
    /// The rounding applied to percentage amounts.
    pub rounding: Rounding,
    /// The parameters used, as read.
    pub parameters: BTreeMap<String, String>,
    /// Payments in date order.
    pub payments: Vec<Payment>,
    /// Rules that did not pay, in schedule order.
    pub failed: Vec<FailedTrigger>,
    /// Each withhold's state.
    pub withholds: Vec<WithholdStatus>,
    /// Sums.
    pub totals: PayTotals,
    /// The steps, when asked for.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trace: Option<Vec<TraceStep>>,
}

// ---------------------------------------------------------------------------------------------
// The evaluation.
// ---------------------------------------------------------------------------------------------

/// A value, or the names of the parameters it needs and lacks.
type Need<T> = std::result::Result<T, Vec<String>>;

#[derive(Clone, Copy)]
enum Limit {
    Days(u32),
    Months(u32),
}

impl Limit {
    fn after(self, anchor: NaiveDate) -> Option<NaiveDate> {
        match self {
            Limit::Days(n) => anchor.checked_add_days(Days::new(u64::from(n))),
            Limit::Months(n) => months_after(anchor, n),
        }
    }
    fn text(self) -> String {
        match self {
            Limit::Days(n) => format!("{n} days"),
            Limit::Months(n) => format!("{n} months"),
        }
    }
}

/// `date` plus `n` months, or `None` when that falls beyond the calendar.
fn months_after(date: NaiveDate, n: u32) -> Option<NaiveDate> {
    let months = i32::try_from(n).ok()?;
    let d = add_months(date, months);
    (n == 0 || d > date).then_some(d)
}

enum Verdict {
    Qualifies,
    Fails(FailureReason, String),
}

struct Candidate {
    order: usize,
    payment: Payment,
}

struct Run<'a> {
    schedule: &'a MilestoneSchedule,
    events: Vec<&'a CaseEvent>,
    ignored: usize,
    as_of: NaiveDate,
    params: ResolvedParameters,
    rounding: Rounding,
    options: &'a PayOptions,
    trace: Trace,
    payments: Vec<Candidate>,
    failed: Vec<(usize, FailedTrigger)>,
    withholds: Vec<WithholdStatus>,
    withheld: Money,
    forfeited: Money,
    installments: BTreeMap<usize, Need<(Money, String)>>,
}

impl FailedTrigger {
    fn new(
        rule: &str,
        kind: RuleKind,
        reason: FailureReason,
        detail: String,
        cites: &[String],
    ) -> Self {
        FailedTrigger {
            rule: rule.to_string(),
            rule_kind: kind,
            reason,
            event: None,
            date: None,
            detail,
            citations: cites.to_vec(),
        }
    }

    /// The event concerned; its date too, unless [`FailedTrigger::on`] sets another.
    fn event(mut self, e: Option<&CaseEvent>) -> Self {
        if let Some(e) = e {
            self.event = Some(e.event.clone());
            self.date = Some(e.date);
        }
        self
    }

    fn on(mut self, date: Option<NaiveDate>) -> Self {
        if date.is_some() {
            self.date = date;
        }
        self
    }
}

/// The JSON name of a code (`half_up`, `not_occurred_yet`), for traces.
pub(crate) fn code<T: Serialize>(value: &T) -> String {
    match serde_json::to_value(value) {
        Ok(Value::String(s)) => s,
        _ => String::new(),
    }
}

fn needs(missing: &[String]) -> String {
    format!("needs parameter {} (not given)", missing.join(", "))
}

impl<'a> Run<'a> {
    fn new(
        schedule: &'a MilestoneSchedule,
        events: &'a [CaseEvent],
        as_of: NaiveDate,
        params: ResolvedParameters,
        rounding: Rounding,
        options: &'a PayOptions,
    ) -> Self {
        let mut evs: Vec<&CaseEvent> = events.iter().filter(|e| e.date <= as_of).collect();
        // Stable: events on one day keep the order the caller gave them.
        evs.sort_by_key(|e| e.date);
        Run {
            schedule,
            ignored: events.len() - evs.len(),
            events: evs,
            as_of,
            params,
            rounding,
            options,
            trace: Trace::new(options.trace),
            payments: Vec::new(),
            failed: Vec::new(),
            withholds: Vec::new(),
            withheld: Money::ZERO,
            forfeited: Money::ZERO,
            installments: BTreeMap::new(),
        }
    }

    fn cites(&self, path: &str, own: Option<&String>) -> Vec<String> {
        labels(
            &self.options.citations,
            &format!("{}.{path}", self.options.section),
            own,
        )
    }

    fn record_inputs(&mut self) {
        let params = self.params.texts();
        let (count, ignored, as_of, rounding) =
            (self.events.len(), self.ignored, self.as_of, self.rounding);
        self.trace.record(|| {
            let mut s = TraceStep::new("read the case's events up to as_of", count)
                .input("as_of", as_of)
                .input("events_after_as_of_ignored", ignored)
                .input("rounding", code(&rounding));
            for (k, v) in &params {
                s = s.input(&format!("parameter {k}"), v);
            }
            s
        });
    }

    fn first_of(&self, types: &[String], after: Option<usize>) -> Option<(usize, &'a CaseEvent)> {
        self.events
            .iter()
            .copied()
            .enumerate()
            .find(|(i, e)| after.is_none_or(|a| *i > a) && types.contains(&e.event))
    }

    fn fail(&mut self, order: usize, f: FailedTrigger) {
        self.trace.record(|| {
            TraceStep::new(format!("rule {} does not pay", f.rule), code(&f.reason))
                .input("detail", &f.detail)
        });
        self.failed.push((order, f));
    }

    fn base(&self, name: &str) -> Need<Money> {
        match self.schedule.bases.get(name) {
            Some(Amount { fixed: Some(m), .. }) => Ok(*m),
            Some(Amount {
                parameter: Some(p), ..
            }) => self.params.money(p).ok_or_else(|| vec![p.clone()]),
            _ => Err(vec![format!("bases.{name}")]),
        }
    }

    fn simple_amount(&self, amount: &Amount, field: &str) -> Result<Need<(Money, String)>> {
        if let Some(m) = amount.fixed {
            return Ok(Ok((m, format!("fixed amount {m}"))));
        }
        if let Some(p) = &amount.parameter {
            return Ok(self
                .params
                .money(p)
                .map(|m| (m, format!("parameter {p} = {m}")))
                .ok_or_else(|| vec![p.clone()]));
        }
        match (&amount.percent, &amount.of) {
            (Some(pct), Some(of)) => match self.base(of) {
                Ok(b) => {
                    let a = checked_times(b, *pct, field)?.round_to_cents(self.rounding);
                    Ok(Ok((
                        a,
                        format!("{pct} of {of} {b}, rounded {}", code(&self.rounding)),
                    )))
                }
                Err(missing) => Ok(Err(missing)),
            },
            _ => Ok(Err(vec![field.to_string()])),
        }
    }

    /// The installments of each base: once-only percentage triggers, the last takes the rest.
    fn compute_installments(&mut self) -> Result<()> {
        for name in self.schedule.bases.keys() {
            let members: Vec<(usize, Percent)> = self
                .schedule
                .triggers
                .iter()
                .enumerate()
                .filter(|(_, t)| t.is_installment_of(name))
                .filter_map(|(i, t)| t.amount.percent.map(|p| (i, p)))
                .collect();
            if members.is_empty() {
                continue;
            }
            let b = match self.base(name) {
                Ok(b) => b,
                Err(missing) => {
                    for (i, _) in &members {
                        self.installments.insert(*i, Err(missing.clone()));
                    }
                    continue;
                }
            };
            let pcts: Vec<Percent> = members.iter().map(|(_, p)| *p).collect();
            let parts = installments(b, &pcts, self.rounding)
                .map_err(|e| e.at(&format!("bases.{name}")))?;
            let last = members.len().saturating_sub(1);
            for (k, ((i, p), a)) in members.iter().zip(parts.iter()).enumerate() {
                let basis = if k == last && members.len() > 1 {
                    format!(
                        "{p} of {name} {b}, the last installment: it takes the remainder so the installments add up exactly"
                    )
                } else {
                    format!("{p} of {name} {b}, rounded {}", code(&self.rounding))
                };
                self.installments.insert(*i, Ok((*a, basis)));
            }
            let text: Vec<String> = parts.iter().map(|m| m.to_string()).collect();
            let sum: Money = parts.iter().copied().sum();
            let rounding = self.rounding;
            let cite = self
                .cites(&format!("bases.{name}"), None)
                .into_iter()
                .next();
            self.trace.record(|| {
                let s = TraceStep::new(format!("split base {name} into installments"), sum)
                    .input("base", b)
                    .input(
                        "percents",
                        pcts.iter()
                            .map(|p| p.to_string())
                            .collect::<Vec<_>>()
                            .join(" + "),
                    )
                    .input("installments", text.join(" + "))
                    .input("rounding", code(&rounding));
                match cite {
                    Some(c) => s.cite(c),
                    None => s,
                }
            });
        }
        Ok(())
    }

    fn limit(&self, dl: &Deadline) -> Need<Limit> {
        if let Some(n) = dl.within_days {
            return Ok(Limit::Days(n));
        }
        if let Some(n) = dl.within_months {
            return Ok(Limit::Months(n));
        }
        match &dl.within_days_parameter {
            Some(p) => self
                .params
                .days(p)
                .map(Limit::Days)
                .ok_or_else(|| vec![p.clone()]),
            None => Err(vec!["deadline".into()]),
        }
    }

    fn check_deadline(&self, dl: &Deadline, limit: Limit, event: &CaseEvent) -> Verdict {
        let Some((_, anchor)) = self.first_of(std::slice::from_ref(&dl.of), None) else {
            return Verdict::Fails(
                FailureReason::AnchorNotOccurred,
                format!(
                    "{} on {} must come within {} of {}, but no {} event has occurred by {}",
                    event.event,
                    event.date,
                    limit.text(),
                    dl.of,
                    dl.of,
                    self.as_of
                ),
            );
        };
        if event.date < anchor.date {
            return Verdict::Fails(
                FailureReason::BeforeAnchor,
                format!(
                    "{} on {} came before {} on {}, the event its deadline counts from",
                    event.event, event.date, dl.of, anchor.date
                ),
            );
        }
        match limit.after(anchor.date) {
            Some(due) if event.date > due => Verdict::Fails(
                FailureReason::DeadlineMissed,
                format!(
                    "{} on {} is after the deadline {} ({} after {} on {}; the last day counts)",
                    event.event,
                    event.date,
                    due,
                    limit.text(),
                    dl.of,
                    anchor.date
                ),
            ),
            _ => Verdict::Qualifies,
        }
    }

    /// When a sustained trigger's occurrence at `pos` pays: the end of its period, or why not.
    fn sustained_end(
        &self,
        t: &Trigger,
        n: u32,
        pos: usize,
        e: &CaseEvent,
    ) -> std::result::Result<NaiveDate, (FailureReason, String, Option<NaiveDate>)> {
        let end = months_after(e.date, n);
        // The period is [event, end): an `unless` event on the end date comes too late to break it.
        let broken = self
            .events
            .iter()
            .enumerate()
            .find(|(k, u)| {
                *k > pos && t.unless.contains(&u.event) && end.is_none_or(|end| u.date < end)
            })
            .map(|(_, u)| *u);
        if let Some(u) = broken {
            return Err((
                FailureReason::ConditionBroken,
                format!(
                    "{} on {} did not last {n} months: {} on {}",
                    e.event, e.date, u.event, u.date
                ),
                None,
            ));
        }
        match end {
            Some(end) if end <= self.as_of => Ok(end),
            _ => {
                let when = end.map_or_else(|| "beyond the calendar".to_string(), |d| d.to_string());
                Err((
                    FailureReason::NotOccurredYet,
                    format!(
                        "{} on {} must last {n} months, until {when}, after as_of {}",
                        e.event, e.date, self.as_of
                    ),
                    end,
                ))
            }
        }
    }

    fn triggers(&mut self) -> Result<()> {
        self.compute_installments()?;
        let schedule = self.schedule;
        for (i, t) in schedule.triggers.iter().enumerate() {
            let cites = self.cites(&format!("triggers[{i}]"), t.citation.as_ref());
            let fail = |reason, detail| {
                FailedTrigger::new(&t.id, RuleKind::Trigger, reason, detail, &cites)
            };
            let amount = match self.installments.get(&i) {
                Some(a) => a.clone(),
                None => self.simple_amount(&t.amount, &format!("triggers[{i}].amount"))?,
            };
            let limit = t.deadline.as_ref().map(|dl| self.limit(dl)).transpose();
            let (amount, basis, limit) = match (amount, limit) {
                (Ok((a, b)), Ok(l)) => (a, b, l),
                (a, l) => {
                    let mut missing = a.err().unwrap_or_default();
                    missing.extend(l.err().unwrap_or_default());
                    let f = fail(FailureReason::RequiresParameter, needs(&missing));
                    self.fail(i, f);
                    continue;
                }
            };
            let cap = if t.repeatable {
                t.max_count.unwrap_or(u32::MAX)
            } else {
                1
            };
            let occurrences: Vec<(usize, &CaseEvent)> = self
                .events
                .iter()
                .copied()
                .enumerate()
                .filter(|(_, e)| t.events.contains(&e.event))
                .collect();
            let mut paid = 0u32;
            for &(pos, e) in &occurrences {
                if let (Some(dl), Some(l)) = (&t.deadline, limit) {
                    if let Verdict::Fails(reason, detail) = self.check_deadline(dl, l, e) {
                        let f = fail(reason, detail).event(Some(e));
                        self.fail(i, f);
                        continue;
                    }
                }
                let due = match t.sustained_months {
                    None => e.date,
                    Some(n) => match self.sustained_end(t, n, pos, e) {
                        Ok(end) => end,
                        Err((reason, detail, date)) => {
                            let f = fail(reason, detail).event(Some(e)).on(date);
                            self.fail(i, f);
                            continue;
                        }
                    },
                };
                if let Some(from) = schedule.effective_from {
                    if due < from {
                        let f = fail(
                            FailureReason::BeforeEffectiveDate,
                            format!("the payment would fall due on {due}, before the schedule takes effect on {from}"),
                        )
                        .event(Some(e))
                        .on(Some(due));
                        self.fail(i, f);
                        continue;
                    }
                }
                if paid >= cap {
                    let detail = if t.repeatable {
                        format!("{} has already paid its maximum of {cap}", t.id)
                    } else {
                        format!("{} pays once and has already paid", t.id)
                    };
                    let f = fail(FailureReason::AlreadyPaid, detail)
                        .event(Some(e))
                        .on(Some(due));
                    self.fail(i, f);
                    continue;
                }
                paid += 1;
                let payment = Payment {
                    rule: t.id.clone(),
                    rule_kind: RuleKind::Trigger,
                    date: due,
                    amount,
                    event: Some(e.event.clone()),
                    event_date: Some(e.date),
                    occurrence: paid,
                    basis: basis.clone(),
                    citations: cites.clone(),
                };
                self.payments.push(Candidate { order: i, payment });
            }
            if occurrences.is_empty() {
                let (reason, detail, date) = self.not_occurred(t, limit);
                let f = fail(reason, detail).on(date);
                self.fail(i, f);
            }
        }
        self.resolve_groups();
        Ok(())
    }

    fn not_occurred(
        &self,
        t: &Trigger,
        limit: Option<Limit>,
    ) -> (FailureReason, String, Option<NaiveDate>) {
        let names = t.events.join(" or ");
        if let (Some(dl), Some(l)) = (&t.deadline, limit) {
            if let Some((_, anchor)) = self.first_of(std::slice::from_ref(&dl.of), None) {
                if let Some(due) = l.after(anchor.date) {
                    if self.as_of >= due {
                        return (
                            FailureReason::DeadlineMissed,
                            format!(
                                "no {names} by the deadline {due} ({} after {} on {}; the last day counts)",
                                l.text(),
                                dl.of,
                                anchor.date
                            ),
                            Some(due),
                        );
                    }
                    return (
                        FailureReason::NotOccurredYet,
                        format!("no {names} by {}; the deadline is {due}", self.as_of),
                        Some(due),
                    );
                }
            }
        }
        (
            FailureReason::NotOccurredYet,
            format!("no {names} event by {}", self.as_of),
            None,
        )
    }

    /// Alternatives in a group pay once: the earliest qualifying payment (ties: schedule order)
    /// wins, and every other member is reported as already paid, replacing its own failures.
    fn resolve_groups(&mut self) {
        let schedule = self.schedule;
        let mut groups: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
        for (i, t) in schedule.triggers.iter().enumerate() {
            if let Some(g) = &t.group {
                groups.entry(g.as_str()).or_default().push(i);
            }
        }
        for (group, members) in groups {
            let winner = self
                .payments
                .iter()
                .filter(|c| members.contains(&c.order))
                .min_by_key(|c| (c.payment.date, c.order))
                .map(|c| (c.order, c.payment.rule.clone(), c.payment.date));
            let Some((win_order, win_rule, win_date)) = winner else {
                continue;
            };
            let mut displaced = Vec::new();
            self.payments.retain(|c| {
                let lose = members.contains(&c.order) && c.order != win_order;
                if lose {
                    displaced.push((c.order, c.payment.date, c.payment.event.clone()));
                }
                !lose
            });
            self.failed
                .retain(|(o, _)| !(members.contains(o) && *o != win_order));
            for &m in &members {
                let Some(t) = schedule.triggers.get(m).filter(|_| m != win_order) else {
                    continue;
                };
                let cites = self.cites(&format!("triggers[{m}]"), t.citation.as_ref());
                let (date, event) = displaced
                    .iter()
                    .find(|(o, _, _)| *o == m)
                    .map(|(_, d, e)| (Some(*d), e.clone()))
                    .unwrap_or((None, None));
                let mut f = FailedTrigger::new(
                    &t.id,
                    RuleKind::Trigger,
                    FailureReason::AlreadyPaid,
                    format!(
                        "group {group} pays once: its alternative {win_rule} paid on {win_date}"
                    ),
                    &cites,
                );
                f.event = event;
                f.date = date;
                self.trace.record(|| {
                    TraceStep::new(format!("group {group} pays once"), &win_rule)
                        .input("alternative_reported_as_already_paid", &t.id)
                });
                self.failed.push((m, f));
            }
        }
    }

    fn aftercare(&mut self) -> Result<()> {
        let schedule = self.schedule;
        let base_order = schedule.triggers.len();
        for (i, a) in schedule.aftercare.iter().enumerate() {
            let order = base_order + i;
            let cites = self.cites(&format!("aftercare[{i}]"), a.citation.as_ref());
            let fail = |reason, detail| {
                FailedTrigger::new(&a.id, RuleKind::Aftercare, reason, detail, &cites)
            };
            let (monthly, basis) =
                match self.simple_amount(&a.monthly, &format!("aftercare[{i}].monthly"))? {
                    Ok(x) => x,
                    Err(missing) => {
                        let f = fail(FailureReason::RequiresParameter, needs(&missing));
                        self.fail(order, f);
                        continue;
                    }
                };
            let Some((exit_pos, exit)) = self.first_of(&a.after, None) else {
                let f = fail(
                    FailureReason::NotOccurredYet,
                    format!(
                        "no {} event by {}, so aftercare has not started",
                        a.after.join(" or "),
                        self.as_of
                    ),
                );
                self.fail(order, f);
                continue;
            };
            let stop = self.first_of(&a.stops_on, Some(exit_pos)).map(|(_, e)| e);
            for k in 1..=a.months {
                let Some(due) = months_after(exit.date, k - 1) else {
                    let f = fail(
                        FailureReason::NotOccurredYet,
                        format!("months {k} to {} fall beyond the calendar", a.months),
                    )
                    .event(Some(exit));
                    self.fail(order, f);
                    break;
                };
                if let Some(s) = stop.filter(|s| due >= s.date) {
                    let f = fail(
                        FailureReason::ConditionBroken,
                        format!(
                            "{} on {} stopped aftercare: months {k} to {} (from {due}) are not paid",
                            s.event, s.date, a.months
                        ),
                    )
                    .event(Some(s))
                    .on(Some(due));
                    self.fail(order, f);
                    break;
                }
                if due > self.as_of {
                    let f = fail(
                        FailureReason::NotOccurredYet,
                        format!(
                            "months {k} to {} fall due from {due}, after as_of {}",
                            a.months, self.as_of
                        ),
                    )
                    .event(Some(exit))
                    .on(Some(due));
                    self.fail(order, f);
                    break;
                }
                if let Some(from) = schedule.effective_from.filter(|from| due < *from) {
                    let f = fail(
                        FailureReason::BeforeEffectiveDate,
                        format!("month {k} falls due on {due}, before the schedule takes effect on {from}"),
                    )
                    .event(Some(exit))
                    .on(Some(due));
                    self.fail(order, f);
                    continue;
                }
                let payment = Payment {
                    rule: a.id.clone(),
                    rule_kind: RuleKind::Aftercare,
                    date: due,
                    amount: monthly,
                    event: Some(exit.event.clone()),
                    event_date: Some(exit.date),
                    occurrence: k,
                    basis: format!("month {k} of {}: {basis}", a.months),
                    citations: cites.clone(),
                };
                self.payments.push(Candidate { order, payment });
            }
        }
        Ok(())
    }

    fn withholds(&mut self) -> Result<()> {
        let schedule = self.schedule;
        let base_order = schedule.triggers.len() + schedule.aftercare.len();
        for (i, w) in schedule.withholds.iter().enumerate() {
            let order = base_order + i;
            let cites = self.cites(&format!("withholds[{i}]"), w.citation.as_ref());
            let mut status = WithholdStatus {
                id: w.id.clone(),
                amount: None,
                held_on: None,
                released: Money::ZERO,
                forfeited: Money::ZERO,
                held: Money::ZERO,
                status: WithholdState::NotHeld,
                citations: cites.clone(),
            };
            let (amount, amount_basis) =
                match self.simple_amount(&w.amount, &format!("withholds[{i}].amount"))? {
                    Ok(x) => x,
                    Err(missing) => {
                        let f = FailedTrigger::new(
                            &w.id,
                            RuleKind::WithholdRelease,
                            FailureReason::RequiresParameter,
                            needs(&missing),
                            &cites,
                        );
                        self.fail(order, f);
                        self.withholds.push(status);
                        continue;
                    }
                };
            status.amount = Some(amount);
            let Some((held_pos, held)) = self.first_of(std::slice::from_ref(&w.held_at), None)
            else {
                for r in &w.releases {
                    let f = FailedTrigger::new(
                        &format!("{}.{}", w.id, r.id),
                        RuleKind::WithholdRelease,
                        FailureReason::NotOccurredYet,
                        format!(
                            "nothing is held yet: no {} event by {}",
                            w.held_at, self.as_of
                        ),
                        &cites,
                    );
                    self.fail(order, f);
                }
                self.withholds.push(status);
                continue;
            };
            status.held_on = Some(held.date);
            let pcts: Vec<Percent> = w.releases.iter().map(|r| r.percent).collect();
            let parts = installments(amount, &pcts, self.rounding)
                .map_err(|e| e.at(&format!("withholds[{i}]")))?;
            let forfeit = self.first_of(&w.forfeit_on, Some(held_pos));
            let mut released = Money::ZERO;
            let mut lost = Money::ZERO;
            let mut pending = Money::ZERO;
            for (r, part) in w.releases.iter().zip(parts.iter().copied()) {
                let rule = format!("{}.{}", w.id, r.id);
                let fail = |reason, detail| {
                    FailedTrigger::new(&rule, RuleKind::WithholdRelease, reason, detail, &cites)
                };
                let release = self.first_of(&r.events, Some(held_pos));
                let verdict = match (release, forfeit) {
                    (None, None) => Verdict::Fails(
                        FailureReason::NotOccurredYet,
                        format!(
                            "no {} after {} on {} by {}",
                            r.events.join(" or "),
                            w.held_at,
                            held.date,
                            self.as_of
                        ),
                    ),
                    (None, Some((_, f))) => Verdict::Fails(
                        FailureReason::ConditionBroken,
                        format!("{} on {} forfeited what was still held", f.event, f.date),
                    ),
                    (Some((pos, e)), Some((fpos, f))) if fpos < pos => Verdict::Fails(
                        FailureReason::ConditionBroken,
                        format!(
                            "{} on {} came after {} on {}, which forfeited what was still held",
                            e.event, e.date, f.event, f.date
                        ),
                    ),
                    (Some((_, e)), _) => match &r.deadline {
                        None => Verdict::Qualifies,
                        Some(dl) => match self.limit(dl) {
                            Ok(l) => self.check_deadline(dl, l, e),
                            Err(missing) => {
                                Verdict::Fails(FailureReason::RequiresParameter, needs(&missing))
                            }
                        },
                    },
                };
                let event = release.map(|(_, e)| e).or(forfeit.map(|(_, f)| f));
                match verdict {
                    Verdict::Fails(reason, detail) => {
                        // A release that missed its deadline can never be paid: it is forfeited.
                        if matches!(
                            reason,
                            FailureReason::DeadlineMissed
                                | FailureReason::BeforeAnchor
                                | FailureReason::AnchorNotOccurred
                        ) && release.is_some()
                        {
                            lost += part;
                        } else {
                            pending += part;
                        }
                        let f = fail(reason, detail).event(event);
                        self.fail(order, f);
                    }
                    Verdict::Qualifies => {
                        let Some((_, e)) = release else { continue };
                        released += part;
                        let payment = Payment {
                            rule: rule.clone(),
                            rule_kind: RuleKind::WithholdRelease,
                            date: e.date,
                            amount: part,
                            event: Some(e.event.clone()),
                            event_date: Some(e.date),
                            occurrence: 1,
                            basis: format!("{} of withhold {} ({amount_basis})", r.percent, w.id),
                            citations: cites.clone(),
                        };
                        self.payments.push(Candidate { order, payment });
                    }
                }
            }
            let unallocated = amount - parts.iter().copied().sum::<Money>();
            if forfeit.is_some() {
                lost += pending + unallocated;
            }
            status.released = released;
            status.forfeited = lost;
            status.held = amount - released - lost;
            status.status = if !status.held.amount().is_zero() {
                if released.amount().is_zero() {
                    WithholdState::Held
                } else {
                    WithholdState::PartlyReleased
                }
            } else if lost.amount().is_zero() {
                WithholdState::Released
            } else if released.amount().is_zero() {
                WithholdState::Forfeited
            } else {
                WithholdState::Settled
            };
            self.withheld = self.withheld.checked_add(status.held, "totals.withheld")?;
            self.forfeited = self
                .forfeited
                .checked_add(status.forfeited, "totals.forfeited")?;
            let st = status.clone();
            self.trace.record(|| {
                TraceStep::new(format!("withhold {}", st.id), code(&st.status))
                    .input("amount", amount)
                    .input("released", st.released)
                    .input("forfeited", st.forfeited)
                    .input("held", st.held)
            });
            self.withholds.push(status);
        }
        Ok(())
    }

    fn finish(mut self) -> Result<PayResponse> {
        self.payments
            .sort_by_key(|c| (c.payment.date, c.order, c.payment.occurrence));
        self.failed.sort_by_key(|(o, _)| *o);
        let mut totals = PayTotals {
            withheld: self.withheld,
            forfeited: self.forfeited,
            ..PayTotals::default()
        };
        for c in &self.payments {
            let p = &c.payment;
            totals.paid = totals.paid.checked_add(p.amount, "totals.paid")?;
            let part = match p.rule_kind {
                RuleKind::Trigger => &mut totals.triggers,
                RuleKind::Aftercare => &mut totals.aftercare,
                RuleKind::WithholdRelease => &mut totals.withholds_released,
            };
            *part = part.checked_add(p.amount, "totals")?;
            let pay = p.clone();
            self.trace.record(|| {
                let mut s = TraceStep::new(format!("pay {}", pay.rule), pay.amount)
                    .input("date", pay.date)
                    .input("basis", &pay.basis);
                if let Some(e) = &pay.event {
                    s = s.input("event", e);
                }
                if let Some(c) = pay.citations.first() {
                    s = s.cite(c.clone());
                }
                s
            });
        }
        let paid = totals.paid;
        self.trace.record(|| TraceStep::new("total paid", paid));
        Ok(PayResponse {
            as_of: self.as_of,
            rounding: self.rounding,
            parameters: self.params.texts(),
            payments: self.payments.into_iter().map(|c| c.payment).collect(),
            failed: self.failed.into_iter().map(|(_, f)| f).collect(),
            withholds: self.withholds,
            totals,
            trace: self.trace.into_steps(),
        })
    }
}

/// Check a program's `milestones` section (citations already stripped).
pub(crate) fn check_section(section: &Value) -> Result<()> {
    let schedule: MilestoneSchedule = crate::json::decode(section, "")?;
    schedule.validate()
}

/// Run a `milestones.pay` document.
pub(crate) fn run_document(body: &Value, ctx: &Context) -> Result<Value> {
    let req: PayRequest = crate::json::decode(body, "")?;
    let own = req.schedule.is_some();
    if let Some(s) = &req.schedule {
        s.validate().map_err(|e| e.at("schedule"))?;
    }
    let schedule: MilestoneSchedule = ctx.config(req.schedule, "schedule", "milestones")?;
    let options = PayOptions {
        rounding: req.rounding,
        missing_parameters: req.missing_parameters,
        trace: ctx.trace,
        citations: if own {
            BTreeMap::new()
        } else {
            ctx.citations("milestones")
        },
        section: "milestones".into(),
    };
    let response = schedule.pay(&req.events, req.as_of, &req.parameters, &options)?;
    crate::json::to_value(&response)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap_or_default()
    }

    fn pct(s: &str) -> Percent {
        Percent::parse("p", s).unwrap_or_default()
    }

    #[test]
    fn kansas_quarters_of_the_published_rates_are_exact() {
        // $13,564 / 4 = $3,391.00 and $14,763 / 4 = $3,690.75: both divide into whole cents.
        for (base, each) in [("13564.00", "3391.00"), ("14763.00", "3690.75")] {
            let parts = installments(
                Money::parse("b", base).unwrap_or_default(),
                &[pct("25%"); 4],
                Rounding::HalfUp,
            )
            .unwrap_or_default();
            assert_eq!(
                parts.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
                vec![each; 4]
            );
        }
    }

    #[test]
    fn the_last_installment_takes_the_remainder() {
        // $13,564.02 / 4 = $3,391.005. Half-up: 3 × $3,391.01 = $10,173.03, last $3,390.99.
        // Half-even: 3 × $3,391.00 = $10,173.00, last $3,391.02. Both add to $13,564.02.
        let base = Money::parse("b", "13564.02").unwrap_or_default();
        let up = installments(base, &[pct("25%"); 4], Rounding::HalfUp).unwrap_or_default();
        assert_eq!(
            up.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
            ["3391.01", "3391.01", "3391.01", "3390.99"]
        );
        let even = installments(base, &[pct("25%"); 4], Rounding::HalfEven).unwrap_or_default();
        assert_eq!(
            even.iter().map(|m| m.to_string()).collect::<Vec<_>>(),
            ["3391.00", "3391.00", "3391.00", "3391.02"]
        );
    }

    #[test]
    fn installments_refuse_more_than_the_base() {
        let base = Money::from_cents(100);
        assert_eq!(
            installments(base, &[pct("60%"), pct("50%")], Rounding::HalfUp).map_err(|e| e.kind()),
            Err("out_of_range")
        );
        // 30% + 30% + 30% of $0.05 round to $0.02 each, more than round($0.045) = $0.05 allows.
        let tiny = Money::from_cents(5);
        assert_eq!(
            installments(
                tiny,
                &[pct("30%"), pct("30%"), pct("30%"), pct("10%")],
                Rounding::HalfUp
            )
            .map_err(|e| e.kind()),
            Err("invalid_request")
        );
    }

    #[test]
    fn deadline_day_n_counts() {
        let t = Trigger {
            deadline: Some(Deadline {
                of: "referral".into(),
                within_days: Some(60),
                within_days_parameter: None,
                within_months: None,
            }),
            ..Trigger::new("report", &["report"], Amount::fixed(Money::from_cents(100)))
        };
        let s = MilestoneSchedule {
            triggers: vec![t],
            ..MilestoneSchedule::default()
        };
        // 1999-07-01 + 60 days = 1999-08-30 (30 days left in July + 30 in August).
        for (day, pays) in [("1999-08-30", true), ("1999-08-31", false)] {
            let ev = [
                CaseEvent::new("referral", d("1999-07-01")),
                CaseEvent::new("report", d(day)),
            ];
            let out = s.pay(
                &ev,
                d("1999-12-31"),
                &Parameters::new(),
                &PayOptions::default(),
            );
            let out = out.unwrap_or_else(|e| unreachable!("{e}"));
            assert_eq!(out.payments.len() == 1, pays, "{day}");
        }
    }

    fn arb_event() -> impl Strategy<Value = CaseEvent> {
        let names = prop::sample::select(vec![
            "referral",
            "intake",
            "discharge",
            "permanent_placement",
            "placement_disrupted",
            "re_entry",
            "transition_to_lower_level_of_care",
            "contract_inception",
            "outcomes_met",
            "outcomes_not_met",
            "parental_rights_terminated",
            "adoptive_placement",
        ]);
        (names, -200_000i32..200_000).prop_map(|(n, off)| {
            let base = NaiveDate::from_ymd_opt(1999, 1, 1).unwrap_or_default();
            let date = if off >= 0 {
                base.checked_add_days(Days::new(off as u64))
            } else {
                base.checked_sub_days(Days::new(off.unsigned_abs() as u64))
            };
            CaseEvent::new(n, date.unwrap_or(base))
        })
    }

    proptest! {
        #[test]
        fn percentages_of_a_base_add_up_exactly(
            cents in 0i64..10_000_000_000,
            cuts in prop::collection::vec(1u32..10_000, 1..8),
            even in any::<bool>(),
        ) {
            // Percentages in basis points that add to exactly 100%.
            let total: u32 = cuts.iter().sum();
            let mut bps: Vec<i64> = cuts.iter().map(|c| i64::from(*c) * 10_000 / i64::from(total)).collect();
            let used: i64 = bps.iter().sum();
            if let Some(last) = bps.last_mut() { *last += 10_000 - used; }
            prop_assume!(bps.iter().all(|b| *b > 0));
            let pcts: Vec<Percent> = bps.iter().map(|b| Percent::from_fraction(Decimal::new(*b, 4))).collect();
            let base = Money::from_cents(cents);
            let rounding = if even { Rounding::HalfEven } else { Rounding::HalfUp };
            match installments(base, &pcts, rounding) {
                Ok(parts) => {
                    prop_assert_eq!(parts.iter().copied().sum::<Money>(), base);
                    prop_assert!(parts.iter().all(|p| !p.is_negative() && p.cents().is_some()));
                }
                // Only a base of a few cents split many ways can round past itself.
                Err(e) => prop_assert!(cents < 100, "{e}"),
            }
        }

        #[test]
        fn no_preset_panics_on_arbitrary_events(
            events in prop::collection::vec(arb_event(), 0..12),
            as_of_off in -200_000i32..200_000,
            rate in 13_564i64..=14_763,
        ) {
            let as_of = NaiveDate::from_ymd_opt(1999, 1, 1)
                .and_then(|b| if as_of_off >= 0 { b.checked_add_days(Days::new(as_of_off as u64)) } else { b.checked_sub_days(Days::new(as_of_off.unsigned_abs() as u64)) })
                .unwrap_or_default();
            let params = Parameters::new()
                .with("case_rate", &format!("{rate}.00"))
                .with("referral_fee", "100.00")
                .with("permanency_deadline_days", "365")
                .with("adoption_payment", "9999.99")
                .with("referral_fee_az", "1.00");
            for id in ["kansas-privatization-fy2000", "wayne-county-permanency-pilot", "michigan-adoption",
                       "arizona-reunification", "commonworks-1998", "project-destiny-1997"] {
                let program = crate::Program::builtin(id);
                prop_assert!(program.is_ok());
                let Ok(program) = program else { continue };
                let Ok(Some(s)) = program.section::<MilestoneSchedule>("milestones") else { continue };
                let mine: Vec<CaseEvent> = events.iter().filter(|e| s.event_types.contains_key(&e.event)).cloned().collect();
                let names: BTreeSet<&str> = s.parameters.iter().map(|p| p.name.as_str()).collect();
                let given = Parameters(params.0.iter().filter(|(k, _)| names.contains(k.as_str())).map(|(k, v)| (k.clone(), v.clone())).collect());
                let opts = PayOptions { missing_parameters: MissingParameterPolicy::FailTrigger, trace: true, ..PayOptions::default() };
                let out = s.pay(&mine, as_of, &given, &opts);
                prop_assert!(out.is_ok(), "{id}: {out:?}");
                if let Ok(out) = out {
                    let sum: Money = out.payments.iter().map(|p| p.amount).sum();
                    prop_assert_eq!(sum, out.totals.paid);
                }
            }
        }
    }
}
