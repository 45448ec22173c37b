//! The metrics: ids, definitions, directions, units and citations.
//!
//! Every metric the HB 1414 evaluation tool and the CFSR-style statewide indicators use has a
//! [`MetricId`] and a [`MetricDefinition`] (numerator, denominator, exclusions, window, direction,
//! unit, citation). The definitions are data ([`MetricId::definition`]), so the CLI, the docs and
//! the scorecard all print the same words.
//!
//! Values are reported in the metric's [`Unit`]: percentages as [`crate::Percent`] strings,
//! rates per 100,000 or 1,000 days in care as plain decimals, ratios as plain decimals and costs
//! as [`crate::Money`].

use rust_decimal::Decimal;
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::money::{Money, Percent, Rounding};

/// Which way is better for a metric.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::definitions::{Direction, MetricId};
/// assert_eq!(MetricId::ReentryWithin12Months.definition().direction, Direction::LowerIsBetter);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Direction {
    /// A larger value is better performance (visit completion).
    HigherIsBetter,
    /// A smaller value is better performance (re-entry, maltreatment).
    LowerIsBetter,
}

/// The unit a metric's value is reported in.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::definitions::{MetricId, Unit};
/// assert_eq!(MetricId::MaltreatmentInCare.definition().unit, Unit::Per100000Days);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// numerator ÷ denominator as a percentage (`"95.24%"`).
    Percent,
    /// numerator ÷ days in care × 100,000 (`"9.67"` victimizations per 100,000 days).
    Per100000Days,
    /// numerator ÷ days in care × 1,000 (`"4.12"` moves per 1,000 days).
    Per1000Days,
    /// numerator ÷ denominator as a plain number (`"1.83"` workers per child).
    Ratio,
    /// The numerator as dollars (the denominator counts the cases).
    Dollars,
}

impl Unit {
    /// The factor that turns numerator ÷ denominator into a value in this unit.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::definitions::Unit;
    /// assert_eq!(Unit::Per100000Days.scale().to_string(), "100000");
    /// ```
    pub fn scale(self) -> Decimal {
        match self {
            Unit::Per100000Days => Decimal::from(100_000),
            Unit::Per1000Days => Decimal::from(1_000),
            Unit::Percent | Unit::Ratio | Unit::Dollars => Decimal::ONE,
        }
    }

    /// The value numerator ÷ denominator in this unit, rounded half-up to the unit's published
    /// precision (0.01 percentage point, 0.01 per 1,000 or 100,000 days, 0.01 ratio, 1 cent);
    /// `None` when the denominator is zero (there is nothing to measure). For [`Unit::Dollars`]
    /// the value is the numerator (cents) as dollars whatever the denominator.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::definitions::Unit;
    /// // 20 of 21 child-months with a visit: 95.238...% -> 0.9524
    /// assert_eq!(Unit::Percent.value(20, 21).unwrap().to_string(), "0.9524");
    /// // 1 victimization in 10,341 days: 9.6702... per 100,000 days -> 9.67
    /// assert_eq!(Unit::Per100000Days.value(1, 10_341).unwrap().to_string(), "9.67");
    /// assert_eq!(Unit::Percent.value(0, 0), None);
    /// ```
    pub fn value(self, numerator: u64, denominator: u64) -> Option<Decimal> {
        let n = Decimal::from(numerator);
        if self == Unit::Dollars {
            return Some(Rounding::HalfUp.round(n / Decimal::ONE_HUNDRED, 2));
        }
        if denominator == 0 {
            return None;
        }
        let d = Decimal::from(denominator);
        let exact = n.checked_mul(self.scale())?.checked_div(d)?;
        let dp = if self == Unit::Percent { 4 } else { 2 };
        Some(Rounding::HalfUp.round(exact, dp))
    }

    /// Print a value of this unit the way reports and JSON show it.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::definitions::Unit;
    /// use rust_decimal::Decimal;
    /// assert_eq!(Unit::Percent.format(Decimal::new(9524, 4)), "95.24%");
    /// assert_eq!(Unit::Per100000Days.format(Decimal::new(967, 2)), "9.67");
    /// assert_eq!(Unit::Dollars.format(Decimal::new(1250, 1)), "125.00");
    /// ```
    pub fn format(self, value: Decimal) -> String {
        match self {
            Unit::Percent => Percent::from_fraction(value).to_string(),
            Unit::Dollars => Money::new(value).to_string(),
            Unit::Per100000Days | Unit::Per1000Days | Unit::Ratio => value.normalize().to_string(),
        }
    }

    /// Parse a value written in this unit: a percentage (`"95%"` or `"0.95"`) for
    /// [`Unit::Percent`], a plain decimal otherwise. A percentage written with `%` for a per-day
    /// rate is read as a share of days in care: `"0.00967%"` is 9.67 per 100,000 days (the
    /// reading of the Phase I maltreatment benchmark).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::definitions::Unit;
    /// assert_eq!(Unit::Per100000Days.parse("benchmark", "0.00967%").unwrap().normalize().to_string(), "9.67");
    /// assert_eq!(Unit::Percent.parse("value", "95%").unwrap().to_string(), "0.95");
    /// assert_eq!(Unit::Ratio.parse("value", "x").unwrap_err().kind(), "invalid_decimal");
    /// ```
    pub fn parse(self, field: &str, text: &str) -> Result<Decimal> {
        match self {
            Unit::Percent => Ok(Percent::parse(field, text)?.fraction()),
            Unit::Dollars => Ok(Money::parse(field, text)?.amount()),
            Unit::Per100000Days | Unit::Per1000Days | Unit::Ratio => {
                if text.trim().ends_with('%') {
                    let share = Percent::parse(field, text)?.fraction();
                    return share
                        .checked_mul(self.scale())
                        .ok_or_else(|| Error::overflow(field, text));
                }
                let d = crate::money::parse_decimal(field, text)?;
                if d.abs() > crate::money::MAX_ABS_AMOUNT {
                    return Err(Error::OutOfRange {
                        field: field.to_string(),
                        value: text.to_string(),
                        rule: "values must lie within ±10^15".into(),
                    });
                }
                Ok(d)
            }
        }
    }
}

/// The domain of 13 CSR 35-35.100(3)(E) a metric belongs to, or `cfsr` for the federal
/// statewide indicators.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::definitions::{Domain, MetricId};
/// assert_eq!(MetricId::HcyExamWithin30Days.definition().domain, Domain::WellBeing);
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Domain {
    /// (3)(E)1, Safety Domain.
    Safety,
    /// (3)(E)2, Well-Being Domain.
    WellBeing,
    /// (3)(E)3, Permanency Domain.
    Permanency,
    /// (3)(E)4, Service Domain.
    Service,
    /// A CFSR statewide data indicator, which (3)(E) says the metrics should mirror.
    Cfsr,
}

macro_rules! metric_ids {
    ($($(#[$doc:meta])* $variant:ident = $name:literal,)*) => {
        /// The id of a metric.
        ///
        /// # Example
        ///
        /// ```
        /// use cwfinance::metrics::definitions::MetricId;
        /// let id: MetricId = "worker_child_visits".parse().unwrap();
        /// assert_eq!(id, MetricId::WorkerChildVisits);
        /// assert_eq!(id.as_str(), "worker_child_visits");
        /// assert_eq!(MetricId::ALL.len(), 22);
        /// ```
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, schemars::JsonSchema)]
        pub enum MetricId {
            $($(#[$doc])* #[serde(rename = $name)] $variant,)*
        }

        impl MetricId {
            /// Every metric, in report order.
            pub const ALL: &'static [MetricId] = &[$(MetricId::$variant,)*];

            /// The snake_case id.
            ///
            /// # Example
            ///
            /// ```
            /// assert_eq!(cwfinance::metrics::definitions::MetricId::TimelyPermanency.as_str(), "timely_permanency");
            /// ```
            pub fn as_str(self) -> &'static str {
                match self { $(MetricId::$variant => $name,)* }
            }
        }
    };
}

metric_ids! {
    /// Phase I, Safety: worker/child visit completion.
    WorkerChildVisits = "worker_child_visits",
    /// Phase I, Safety: substantiated abuse/neglect while in care, per 100,000 days in care.
    MaltreatmentInCare = "maltreatment_in_care",
    /// Phase I, Well-Being: parent/child visits (parents eligible for visits).
    ParentChildVisits = "parent_child_visits",
    /// Phase I, Well-Being: HCY/EPSDT exam within 30 days of entry.
    HcyExamWithin30Days = "hcy_exam_within_30_days",
    /// Phase I, Permanency: worker/parent visit completion.
    WorkerParentVisits = "worker_parent_visits",
    /// Phase I, Permanency: re-entry within 12 months of exit.
    ReentryWithin12Months = "reentry_within_12_months",
    /// Phase I, Service: average workers per child, children in care under 12 months.
    CaseloadChangesUnder12Months = "caseload_changes_under_12_months",
    /// Phase I, Service: average workers per child, children in care 12 months or more.
    CaseloadChanges12MonthsOrMore = "caseload_changes_12_months_or_more",
    /// Phase II, Well-Being: share of days in care spent in residential or institutional care.
    ResidentialPlacement = "residential_placement",
    /// Phase II, Well-Being: case managers and supervisors who completed trauma training.
    TraumaTraining = "trauma_training",
    /// Phase II, Permanency: timely achievement of the court-approved permanency goal.
    TimelyPermanency = "timely_permanency",
    /// Phase II, Service: case managers per supervisor.
    SupervisorRatio = "supervisor_ratio",
    /// Phase II, Service: cost of cases returned to the division for catastrophic cost or
    /// court order.
    CatastrophicReturns = "catastrophic_returns",
    /// (3)(E)4.C: sentinel events reported on time.
    SentinelEventTimeliness = "sentinel_event_timeliness",
    /// (4)(A): records entered by the 15th of the following month.
    TimelyDataEntry = "timely_data_entry",
    /// CFSR: permanency in 12 months for children entering care.
    CfsrPermanency12MonthsEntries = "cfsr_permanency_12_months_entries",
    /// CFSR: permanency in 12 months for children in care 12 to 23 months.
    CfsrPermanency12MonthsIn12To23 = "cfsr_permanency_12_months_in_care_12_23",
    /// CFSR: permanency in 12 months for children in care 24 months or more.
    CfsrPermanency12Months24Plus = "cfsr_permanency_12_months_in_care_24_plus",
    /// CFSR: re-entry to care within 12 months of discharge.
    CfsrReentry12Months = "cfsr_reentry_12_months",
    /// CFSR: placement moves per 1,000 days in care (also the (3)(E)3.D stability metric).
    CfsrPlacementStability = "cfsr_placement_stability",
    /// CFSR: victimizations in care per 100,000 days in care.
    CfsrMaltreatmentInCare = "cfsr_maltreatment_in_care",
    /// CFSR: recurrence of maltreatment within 12 months.
    CfsrRecurrenceOfMaltreatment = "cfsr_recurrence_of_maltreatment",
}

impl std::fmt::Display for MetricId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for MetricId {
    type Err = Error;
    fn from_str(s: &str) -> Result<MetricId> {
        MetricId::ALL
            .iter()
            .copied()
            .find(|m| m.as_str() == s)
            .ok_or_else(|| Error::UnknownId {
                field: "metric".into(),
                value: s.to_string(),
                what: "metric".into(),
                known: MetricId::ALL
                    .iter()
                    .map(|m| m.as_str())
                    .collect::<Vec<_>>()
                    .join(", "),
            })
    }
}

/// What a metric measures, in words, with its source.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::definitions::MetricId;
/// let d = MetricId::MaltreatmentInCare.definition();
/// assert!(d.numerator.contains("substantiated"));
/// assert!(d.citation.starts_with("004_c47e555d576af250.txt"));
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MetricDefinition {
    /// The metric.
    pub id: MetricId,
    /// A short name for tables.
    pub name: &'static str,
    /// The domain.
    pub domain: Domain,
    /// What is counted on top.
    pub numerator: &'static str,
    /// What it is counted out of.
    pub denominator: &'static str,
    /// What is left out, and why.
    pub exclusions: &'static str,
    /// The observation window relative to the reporting period.
    pub window: &'static str,
    /// Which way is better.
    pub direction: Direction,
    /// The unit of the value.
    pub unit: Unit,
    /// How the metric is attributed to a provider and a place.
    pub attribution: &'static str,
    /// `file, section` of the rule.
    pub citation: &'static str,
}

impl MetricId {
    /// The metric's definition.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::definitions::{MetricId, Unit};
    /// assert_eq!(MetricId::CfsrPlacementStability.definition().unit, Unit::Per1000Days);
    /// ```
    pub fn definition(self) -> MetricDefinition {
        use Direction::{HigherIsBetter as Hi, LowerIsBetter as Lo};
        let d = |name,
                 domain,
                 numerator,
                 denominator,
                 exclusions,
                 window,
                 direction,
                 unit,
                 attribution,
                 citation| MetricDefinition {
            id: self,
            name,
            domain,
            numerator,
            denominator,
            exclusions,
            window,
            direction,
            unit,
            attribution,
            citation,
        };
        match self {
            MetricId::WorkerChildVisits => d(
                "Worker/child visits",
                Domain::Safety,
                "child-months in the denominator with at least one worker/child visit dated in that month while the child was in care",
                "child-months in care: each calendar month of the period in which the child was in care (by default only months in care from the first to the last day; see `partial_month`)",
                "months that do not qualify under `partial_month`",
                "the reporting period",
                Hi,
                Unit::Percent,
                "the provider assigned on the child's last day in care in the month; the county of the episode",
                "004_c47e555d576af250.txt, Phase I Metrics, Safety Domain, Metric - Worker/Child Visit Completion",
            ),
            MetricId::MaltreatmentInCare => d(
                "Abuse/neglect in care",
                Domain::Safety,
                "substantiated abuse/neglect reports with a report date on a day the child was in care (victimizations; one per report)",
                "days in care in the window (reported as victimizations per 100,000 days in care; 9.67 per 100,000 days is 0.00967%)",
                "unsubstantiated reports; reports dated outside care",
                "the 12 months ending with the reporting period (`rate_window`)",
                Lo,
                Unit::Per100000Days,
                "days and reports to the provider assigned on that day; the county of the episode",
                "004_c47e555d576af250.txt, Phase I Metrics, Safety Domain, Metric - Reports of Child Abuse/Neglect in Foster Care",
            ),
            MetricId::ParentChildVisits => d(
                "Parent/child visits",
                Domain::WellBeing,
                "parent-child-months in the denominator with at least one parent/child visit with that parent in the month",
                "for each child-month in care (as for worker/child visits), each of the child's parents who is eligible for visits (not forbidden by court order) on the last day of the month",
                "parents a court order forbids visits with",
                "the reporting period",
                Hi,
                Unit::Percent,
                "as for worker/child visits",
                "004_c47e555d576af250.txt, Phase I Metrics, Well-Being Domain, Metric - Parent/child visits completion",
            ),
            MetricId::HcyExamWithin30Days => d(
                "HCY/EPSDT exam in 30 days",
                Domain::WellBeing,
                "entries in the denominator with an HCY/EPSDT exam dated from the removal date to 30 days after it, inclusive",
                "removal episodes whose 30-day deadline (removal + 30 days) falls in the period",
                "episodes that ended before the deadline without an exam (`hcy_exclude_early_exits`)",
                "deadline in the reporting period",
                Hi,
                Unit::Percent,
                "the provider assigned on the deadline (or the last day in care before it)",
                "004_c47e555d576af250.txt, Phase I Metrics, Well-Being Domain, Metric - Healthy Child & Youth Exam (HCY/EPSDT) Completion",
            ),
            MetricId::WorkerParentVisits => d(
                "Worker/parent visits",
                Domain::Permanency,
                "parent-child-months in the denominator with at least one worker/parent visit with that parent in the month",
                "for each child-month in care, each of the child's parents (all parents by default; only visit-eligible ones with `worker_parent_visits_eligible_only`)",
                "see denominator",
                "the reporting period",
                Hi,
                Unit::Percent,
                "as for worker/child visits",
                "004_c47e555d576af250.txt, Phase I Metrics, Permanency Domain, Metric - Worker/Parent Visit Completion",
            ),
            MetricId::ReentryWithin12Months => d(
                "Re-entry in 12 months",
                Domain::Permanency,
                "exits in the denominator followed by a new removal within 12 months of the exit",
                "exits (with a reason in `reentry_exit_reasons`) whose 12-month follow-up ends in the period, i.e. exit dates 12 months before the period",
                "exits for other reasons (adoption, emancipation, transfer, death, runaway, other by default)",
                "exits in the reporting period shifted back 12 months",
                Lo,
                Unit::Percent,
                "the provider assigned on the last day in care; the county of the exited episode",
                "004_c47e555d576af250.txt, Phase I Metrics, Permanency Domain, Metric – Re-entries into foster care",
            ),
            MetricId::CaseloadChangesUnder12Months => d(
                "Workers per child (<12 months)",
                Domain::Service,
                "distinct workers assigned to the child from the removal date to the last day of the period",
                "children in care on the last day of the period who had been in care less than 12 months",
                "children not in care on the last day",
                "point in time: the last day of the period",
                Lo,
                Unit::Ratio,
                "the provider assigned on the last day",
                "004_c47e555d576af250.txt, Phase I Metrics, Service Domain, Metric – Caseload Changes for Foster Children",
            ),
            MetricId::CaseloadChanges12MonthsOrMore => d(
                "Workers per child (12+ months)",
                Domain::Service,
                "distinct workers assigned to the child from the removal date to the last day of the period",
                "children in care on the last day of the period who had been in care 12 months or more",
                "children not in care on the last day",
                "point in time: the last day of the period",
                Lo,
                Unit::Ratio,
                "the provider assigned on the last day",
                "004_c47e555d576af250.txt, Phase I Metrics, Service Domain, Metric – Caseload Changes for Foster Children",
            ),
            MetricId::ResidentialPlacement => d(
                "Residential placement",
                Domain::WellBeing,
                "days in care in a setting listed in `residential_settings` (residential or institutional by default)",
                "days in care in the period",
                "none",
                "the reporting period",
                Lo,
                Unit::Percent,
                "the provider assigned on each day",
                "004_c47e555d576af250.txt, Phase II Metrics, Well-Being Domain, Metric - Residential",
            ),
            MetricId::TraumaTraining => d(
                "Trauma training",
                Domain::WellBeing,
                "workers in the denominator whose trauma-training completion date is before the end of the period",
                "case managers and supervisors of the provider listed in the workers table",
                "workers with other roles",
                "point in time: the last day of the period",
                Hi,
                Unit::Percent,
                "the worker's provider; not measured by place",
                "004_c47e555d576af250.txt, Phase II Metrics, Well-Being Domain, Metric – All case managers and supervisors successfully complete training",
            ),
            MetricId::TimelyPermanency => d(
                "Timely permanency",
                Domain::Permanency,
                "episodes in the denominator that ended with an exit matching the court-approved goal within its timeframe (reunification 12, guardianship 18, adoption 24 months)",
                "episodes whose court-approved goal is reunification, guardianship or adoption, counted once on the earlier of the exit date and the goal's deadline, when that date falls in the period",
                "episodes with another goal or none; episodes ending in an exit listed in `permanency_excluded_exits` before the deadline",
                "exit or deadline in the reporting period",
                Hi,
                Unit::Percent,
                "the provider assigned on the last day in care up to that date; the county of the episode",
                "004_c47e555d576af250.txt, Phase II Metrics, Permanency Domain, Metric - Timely Achievement of the child's court approved permanency plan",
            ),
            MetricId::SupervisorRatio => d(
                "Case managers per supervisor",
                Domain::Service,
                "case managers of the provider with an assignment on the last day of the period",
                "supervisors of the provider employed on the last day of the period",
                "case managers without an assignment on that day; the supervisor_id column (a snapshot of the latest supervisor)",
                "point in time: the last day of the period",
                Lo,
                Unit::Ratio,
                "the worker's provider; not measured by place",
                "004_c47e555d576af250.txt, Phase II Metrics, Service Domain, Metric – Effective ratio of supervisors to supervision of case managers",
            ),
            MetricId::CatastrophicReturns => d(
                "Cases returned (cost)",
                Domain::Service,
                "the cost of cases the provider returned to the division in the period (dollars)",
                "the number of those cases",
                "none",
                "return date in the reporting period",
                Lo,
                Unit::Dollars,
                "the returning provider; the county of the child's episode on the return date, when in care",
                "004_c47e555d576af250.txt, Phase II Metrics, Service Domain, Metric – Cases returned to the Children's Division",
            ),
            MetricId::SentinelEventTimeliness => d(
                "Sentinel events reported on time",
                Domain::Service,
                "sentinel events reported no more than `sentinel_report_days` days after they occurred",
                "sentinel events that occurred in the period",
                "none",
                "occurrence date in the reporting period",
                Hi,
                Unit::Percent,
                "the provider assigned to the child on the occurrence date, else the event's provider",
                "003_d493ecb4a837036e.txt, 13 CSR 35-35.100(3)(E)4.C",
            ),
            MetricId::TimelyDataEntry => d(
                "Timely data entry",
                Domain::Service,
                "records entered no later than the 15th day of the month after the month of the event",
                "records (visits, exams, reports, placements, ... with an entry timestamp) whose event date falls in the period",
                "records without an entry timestamp (not measured)",
                "event date in the reporting period",
                Hi,
                Unit::Percent,
                "the provider assigned to the child on the event date",
                "003_d493ecb4a837036e.txt, 13 CSR 35-35.100(4)(A)",
            ),
            MetricId::CfsrPermanency12MonthsEntries => d(
                "CFSR permanency in 12 months (entries)",
                Domain::Cfsr,
                "children in the denominator discharged to permanency (reunification, living with a relative, guardianship, adoption) within 12 months of entering",
                "children who entered care in the 12-month cohort window (first entry in the window per child)",
                "stays under 8 days; children 18 or older at entry",
                "entries in the 12 months ending 12 months before the end of the period (so the follow-up is complete)",
                Hi,
                Unit::Percent,
                "the provider assigned on the last day in care (or the end of the follow-up); the county of the episode",
                "003_d493ecb4a837036e.txt, 13 CSR 35-35.100(3)(E) (mirror the federal CFSR measures)",
            ),
            MetricId::CfsrPermanency12MonthsIn12To23 => d(
                "CFSR permanency in 12 months (12-23 months)",
                Domain::Cfsr,
                "children in the denominator discharged to permanency within the 12 months and before turning 18",
                "children in care on the first day of the 12 months ending with the period, who had then been in care 12 to 23 months",
                "children 18 or older on the first day",
                "the 12 months ending with the period",
                Hi,
                Unit::Percent,
                "the provider assigned on the first day; the county of the episode",
                "003_d493ecb4a837036e.txt, 13 CSR 35-35.100(3)(E) (mirror the federal CFSR measures)",
            ),
            MetricId::CfsrPermanency12Months24Plus => d(
                "CFSR permanency in 12 months (24+ months)",
                Domain::Cfsr,
                "children in the denominator discharged to permanency within the 12 months and before turning 18",
                "children in care on the first day of the 12 months ending with the period, who had then been in care 24 months or more",
                "children 18 or older on the first day",
                "the 12 months ending with the period",
                Hi,
                Unit::Percent,
                "the provider assigned on the first day; the county of the episode",
                "003_d493ecb4a837036e.txt, 13 CSR 35-35.100(3)(E) (mirror the federal CFSR measures)",
            ),
            MetricId::CfsrReentry12Months => d(
                "CFSR re-entry in 12 months",
                Domain::Cfsr,
                "children in the denominator who re-entered care within 12 months of that discharge",
                "children who entered care in the cohort window and were discharged within 12 months to reunification, living with a relative or guardianship",
                "stays under 8 days; children 18 or older at entry",
                "entries in the 12 months ending 24 months before the end of the period",
                Lo,
                Unit::Percent,
                "the provider assigned on the last day in care; the county of the episode",
                "003_d493ecb4a837036e.txt, 13 CSR 35-35.100(3)(E) (mirror the federal CFSR measures)",
            ),
            MetricId::CfsrPlacementStability => d(
                "CFSR placement stability",
                Domain::Cfsr,
                "placement moves during the 12 months (the first placement is not a move; runaway and trial-home-visit spells are not placements, and a return to the same setting after one is not a move)",
                "days in care in the 12 months of children who entered in them (reported per 1,000 days)",
                "stays under 8 days; children 18 or older at entry",
                "entries in, and days and moves during, the 12 months ending with the period",
                Lo,
                Unit::Per1000Days,
                "moves and days to the provider assigned on each day; the county of the episode",
                "003_d493ecb4a837036e.txt, 13 CSR 35-35.100(3)(E)3.D and (3)(E) (mirror the federal CFSR measures)",
            ),
            MetricId::CfsrMaltreatmentInCare => d(
                "CFSR maltreatment in care",
                Domain::Cfsr,
                "substantiated reports dated while in care, from the 8th day of the episode, before the 18th birthday",
                "days in care in the 12 months before the 18th birthday (reported per 100,000 days)",
                "stays under 8 days; children 18 or older at entry; reports in the first 7 days of an episode",
                "the 12 months ending with the period",
                Lo,
                Unit::Per100000Days,
                "days and reports to the provider assigned on that day; the county of the episode",
                "003_d493ecb4a837036e.txt, 13 CSR 35-35.100(3)(E) (mirror the federal CFSR measures)",
            ),
            MetricId::CfsrRecurrenceOfMaltreatment => d(
                "CFSR recurrence of maltreatment",
                Domain::Cfsr,
                "children in the denominator with another substantiated report more than 14 days and at most 12 months after the first",
                "children with a substantiated report in the cohort window (their first in it)",
                "reports within 14 days of the first (the same incident)",
                "first reports in the 12 months ending 12 months before the end of the period",
                Lo,
                Unit::Percent,
                "the provider and county of the episode in care on the first report date; system only when the child was not in care",
                "003_d493ecb4a837036e.txt, 13 CSR 35-35.100(3)(E) (mirror the federal CFSR measures)",
            ),
        }
    }
}

/// The maltreatment rate as the Phase I text literally words it: children in care divided by
/// substantiated reports, times 100,000. Not used for scoring: it is upside down (more reports
/// give a *lower* rate, and no reports divide by zero). Kept so the docs and tests can show why.
///
/// `004_c47e555d576af250.txt, Phase I Metrics, Safety Domain, Metric - Reports of Child
/// Abuse/Neglect in Foster Care`: "the number of children who were in foster care during a
/// 12-month period is divided by the number of substantiated reports ... multiplied by 100,000".
///
/// # Example
///
/// ```
/// use cwfinance::metrics::definitions::literal_maltreatment_rate;
/// // 13,000 children and 2 reports: 650,000,000 "per 100,000", beside a 0.00967% benchmark.
/// assert_eq!(literal_maltreatment_rate(13_000, 2).unwrap().to_string(), "650000000");
/// assert_eq!(literal_maltreatment_rate(13_000, 0), None);
/// ```
pub fn literal_maltreatment_rate(
    children_in_care: u64,
    substantiated_reports: u64,
) -> Option<Decimal> {
    if substantiated_reports == 0 {
        return None;
    }
    Decimal::from(children_in_care)
        .checked_mul(Decimal::from(100_000))?
        .checked_div(Decimal::from(substantiated_reports))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_round_trip_and_are_unique() {
        let mut seen = std::collections::BTreeSet::new();
        for m in MetricId::ALL {
            assert!(seen.insert(m.as_str()));
            assert_eq!(m.as_str().parse::<MetricId>().ok(), Some(*m));
            let json = serde_json::to_value(m).unwrap_or_default();
            assert_eq!(json, serde_json::json!(m.as_str()));
            assert_eq!(m.definition().id, *m);
        }
        assert_eq!("nope".parse::<MetricId>().unwrap_err().kind(), "unknown_id");
    }

    #[test]
    fn benchmark_reading_of_the_maltreatment_rate() {
        // 0.00967% of days in care = 0.0000967 victimizations per day = 9.67 per 100,000 days.
        let b = Unit::Per100000Days
            .parse("b", "0.00967%")
            .unwrap_or_default();
        assert_eq!(b, Decimal::new(967, 2));
        // 2 victimizations in 20,682 days: 2 / 20,682 * 100,000 = 9.670...
        assert_eq!(
            Unit::Per100000Days.value(2, 20_682),
            Some(Decimal::new(967, 2))
        );
    }

    #[test]
    fn literal_reading_is_nonsense() {
        // The same 2 victimizations among 60 children (20,682 days): the literal formula gives
        // 60 / 2 * 100,000 = 3,000,000 "per 100,000" -- 3,000,000 / 9.67 = about 310,000 times
        // the benchmark -- and it improves as reports increase (60 / 6 * 100,000 = 1,000,000).
        let two = literal_maltreatment_rate(60, 2).unwrap_or_default();
        let six = literal_maltreatment_rate(60, 6).unwrap_or_default();
        assert_eq!(two, Decimal::from(3_000_000));
        assert!(six < two, "more reports must not look better");
        assert!(
            two > Decimal::from(100_000),
            "a share of children cannot exceed 100%"
        );
    }

    #[test]
    fn unit_values_round_half_up() {
        // 1 of 8 = 12.5% exactly; 2 of 3 = 66.666...% -> 66.67%.
        assert_eq!(Unit::Percent.value(1, 8), Some(Decimal::new(1250, 4)));
        assert_eq!(Unit::Percent.value(2, 3), Some(Decimal::new(6667, 4)));
        // 3 moves in 1,460 days = 2.0547... per 1,000 days -> 2.05
        assert_eq!(
            Unit::Per1000Days.value(3, 1_460),
            Some(Decimal::new(205, 2))
        );
        assert_eq!(
            Unit::Dollars.value(1_234_567, 3),
            Some(Decimal::new(1_234_567, 2))
        );
        assert_eq!(Unit::Ratio.value(7, 0), None);
    }
}
