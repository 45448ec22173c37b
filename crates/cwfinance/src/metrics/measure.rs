//! Measurement: every metric, for every reporting period, for the whole system and each region,
//! judicial circuit, county and provider, in one pass over the sorted columnar tables.
//!
//! [`measure`] walks the children in order. For each child it reads its contiguous rows of
//! every table (episodes, assignments, placements, visits, parents, exams, reports, goals,
//! sentinel events, returns) and, for each reporting period, adds numerator and denominator
//! counts to flat counter arrays indexed by (unit, period, metric). Nothing is allocated per
//! row: the only allocations are the counter arrays and two per-worker flag arrays, sized once.
//!
//! Each count goes to the system, to the region, circuit and county of the child's removal
//! episode (13 CSR 35-35.100(4)(H): "across the whole system, and then by judicial circuit,
//! county ..., and provider"), and to the provider assigned to the child on the day that the
//! metric's definition names (see [`crate::metrics::definitions`]).
//!
//! Every convention the sources leave open is a named field of [`MeasureOptions`] with a
//! documented default. The docs page `docs/hb1414.md` lists them with why.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::calendar::Quarter;
use crate::document::Context;
use crate::error::{Error, Result};
use crate::metrics::data::{
    ChildIx, CircuitIx, CountyIx, Dataset, Day, ExitReason, Goal, PlacementSetting, ProviderIx,
    RegionIx, VisitKind, WorkerRole,
};
use crate::metrics::definitions::MetricId;
use crate::metrics::suppress::{self, SuppressionOptions};

/// Which child-months need a visit.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::measure::PartialMonthRule;
/// assert_eq!(PartialMonthRule::default(), PartialMonthRule::FullMonthOnly);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum PartialMonthRule {
    /// Only months the child was in care from the first to the last day. The default: the
    /// federal caseworker-visit measure counts full months in care, and (3)(E) says the metrics
    /// should mirror the federal ones; a child removed on the 28th cannot fairly fail that month.
    #[default]
    FullMonthOnly,
    /// Every month with at least one day in care.
    AnyDay,
}

/// The window of the per-day rates (maltreatment in care).
///
/// # Example
///
/// ```
/// use cwfinance::metrics::measure::RateWindow;
/// assert_eq!(RateWindow::default(), RateWindow::TwelveMonthsEndingWithPeriod);
/// ```
#[derive(
    Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum RateWindow {
    /// The 12 months ending with the period. The default: 004 defines the rate over "a 12-month
    /// period", and a quarter's few victimizations make a very noisy rate.
    #[default]
    TwelveMonthsEndingWithPeriod,
    /// The reporting period itself.
    Period,
}

fn default_reentry_reasons() -> Vec<ExitReason> {
    vec![
        ExitReason::Reunification,
        ExitReason::LivingWithRelative,
        ExitReason::Guardianship,
    ]
}
fn default_residential() -> Vec<PlacementSetting> {
    vec![PlacementSetting::Residential]
}
fn default_excluded_exits() -> Vec<ExitReason> {
    vec![ExitReason::Death, ExitReason::Transfer]
}
fn thirty() -> u32 {
    30
}
fn yes() -> bool {
    true
}
fn one() -> u32 {
    1
}
fn fifteen() -> u32 {
    15
}
fn eight() -> u32 {
    8
}
fn seven() -> u32 {
    7
}
fn fourteen() -> u32 {
    14
}
fn months_12() -> u32 {
    12
}
fn months_18() -> u32 {
    18
}
fn months_24() -> u32 {
    24
}

/// Every convention of measurement the sources leave open, with its default.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::measure::MeasureOptions;
/// let o = MeasureOptions::default();
/// assert_eq!((o.hcy_days, o.reunification_months, o.guardianship_months, o.adoption_months), (30, 12, 18, 24));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureOptions {
    /// Which child-months need a visit (worker/child, parent/child, worker/parent).
    #[serde(default)]
    pub partial_month: PartialMonthRule,
    /// The window of the maltreatment-in-care rate (Phase I).
    #[serde(default)]
    pub rate_window: RateWindow,
    /// Exits followed up for the Phase I re-entry metric (default: reunification, living with a
    /// relative, guardianship, the CFSR set; an adoption or emancipation is not "returned home").
    #[serde(default = "default_reentry_reasons")]
    pub reentry_exit_reasons: Vec<ExitReason>,
    /// Days after removal allowed for the HCY/EPSDT exam (004: "within 30 days"). Inclusive.
    #[serde(default = "thirty")]
    pub hcy_days: u32,
    /// Leave out entries that ended before the exam deadline without an exam (default true: the
    /// provider had less than the allowed time).
    #[serde(default = "yes")]
    pub hcy_exclude_early_exits: bool,
    /// Only visit-eligible parents count for worker/parent visits (default false: 004 says
    /// "each parent"; the court-order limit is written for parent/child visits).
    #[serde(default)]
    pub worker_parent_visits_eligible_only: bool,
    /// Settings that count as residential placement (default: residential or institutional).
    #[serde(default = "default_residential")]
    pub residential_settings: Vec<PlacementSetting>,
    /// Timeframe for a reunification goal, months (004: 12).
    #[serde(default = "months_12")]
    pub reunification_months: u32,
    /// Timeframe for a guardianship goal, months (004: 18).
    #[serde(default = "months_18")]
    pub guardianship_months: u32,
    /// Timeframe for an adoption goal, months (004: 24).
    #[serde(default = "months_24")]
    pub adoption_months: u32,
    /// Exits before the deadline left out of timely permanency (default: death, transfer).
    #[serde(default = "default_excluded_exits")]
    pub permanency_excluded_exits: Vec<ExitReason>,
    /// Days allowed to report a sentinel event (default 1: the next day; no source sets it).
    #[serde(default = "one")]
    pub sentinel_report_days: u32,
    /// The day of the following month by which data must be entered ((4)(A): the 15th).
    #[serde(default = "fifteen")]
    pub data_entry_day: u32,
    /// CFSR: stays shorter than this many days are left out (8).
    #[serde(default = "eight")]
    pub cfsr_min_stay_days: u32,
    /// CFSR: reports in the first days of an episode are left out (7).
    #[serde(default = "seven")]
    pub cfsr_first_days_excluded: u32,
    /// CFSR recurrence: a report within this many days of the first is the same incident (14).
    #[serde(default = "fourteen")]
    pub recurrence_same_incident_days: u32,
    /// CFSR: a discharge to reunification from a trial home visit longer than this many days
    /// counts as reunified this many days after the visit began (30).
    #[serde(default = "thirty")]
    pub trial_home_visit_days: u32,
}

impl Default for MeasureOptions {
    fn default() -> Self {
        MeasureOptions {
            partial_month: PartialMonthRule::default(),
            rate_window: RateWindow::default(),
            reentry_exit_reasons: default_reentry_reasons(),
            hcy_days: 30,
            hcy_exclude_early_exits: true,
            worker_parent_visits_eligible_only: false,
            residential_settings: default_residential(),
            reunification_months: 12,
            guardianship_months: 18,
            adoption_months: 24,
            permanency_excluded_exits: default_excluded_exits(),
            sentinel_report_days: 1,
            data_entry_day: 15,
            cfsr_min_stay_days: 8,
            cfsr_first_days_excluded: 7,
            recurrence_same_incident_days: 14,
            trial_home_visit_days: 30,
        }
    }
}

impl MeasureOptions {
    fn check(&self) -> Result<()> {
        let bound = |field: &str, v: u32, max: u32| -> Result<()> {
            if v > max {
                return Err(Error::OutOfRange {
                    field: format!("options.{field}"),
                    value: v.to_string(),
                    rule: format!("at most {max}"),
                });
            }
            Ok(())
        };
        bound("hcy_days", self.hcy_days, 3650)?;
        bound("reunification_months", self.reunification_months, 600)?;
        bound("guardianship_months", self.guardianship_months, 600)?;
        bound("adoption_months", self.adoption_months, 600)?;
        bound("sentinel_report_days", self.sentinel_report_days, 3650)?;
        bound("cfsr_min_stay_days", self.cfsr_min_stay_days, 3650)?;
        bound(
            "cfsr_first_days_excluded",
            self.cfsr_first_days_excluded,
            3650,
        )?;
        bound(
            "recurrence_same_incident_days",
            self.recurrence_same_incident_days,
            3650,
        )?;
        bound("trial_home_visit_days", self.trial_home_visit_days, 3650)?;
        if !(1..=28).contains(&self.data_entry_day) {
            return Err(Error::OutOfRange {
                field: "options.data_entry_day".into(),
                value: self.data_entry_day.to_string(),
                rule: "a day from 1 to 28 of the following month".into(),
            });
        }
        Ok(())
    }
}

/// How reporting periods are laid out.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::measure::Granularity;
/// assert_eq!(serde_json::to_value(Granularity::Rolling12Months).unwrap(), "rolling_12_months");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Granularity {
    /// Calendar months.
    Month,
    /// Calendar quarters (the rule's reports are quarterly, (6)(C)).
    Quarter,
    /// 12-month windows ending with each month.
    #[serde(rename = "rolling_12_months")]
    Rolling12Months,
}

/// Consecutive reporting periods: `count` periods of `granularity` starting with the one that
/// contains `first` (for rolling windows, the window ending with that month).
///
/// # Example
///
/// ```
/// use cwfinance::metrics::measure::{Granularity, PeriodSpec};
/// let spec = PeriodSpec { granularity: Granularity::Quarter, first: "2024-07-15".parse().unwrap(), count: 2 };
/// let p = spec.periods().unwrap();
/// assert_eq!((p[0].label.as_str(), p[1].label.as_str()), ("2024Q3", "2024Q4"));
/// assert_eq!(p[1].end.to_string(), "2025-01-01");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PeriodSpec {
    /// Months, quarters or rolling 12 months.
    pub granularity: Granularity,
    /// A day in the first period (for rolling windows, in its last month).
    pub first: NaiveDate,
    /// How many periods (1 to 240).
    pub count: u32,
}

/// A reporting period `[start, end)`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct ReportingPeriod {
    /// `2024Q3`, `2024-07`, or `12 months to 2024-07`.
    pub label: String,
    /// The first day.
    pub start: NaiveDate,
    /// The first day after.
    pub end: NaiveDate,
}

/// The most periods one measurement computes.
pub const MAX_PERIODS: u32 = 240;

impl PeriodSpec {
    /// The periods.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::metrics::measure::{Granularity, PeriodSpec};
    /// let spec = PeriodSpec { granularity: Granularity::Rolling12Months, first: "2024-06-30".parse().unwrap(), count: 1 };
    /// let p = &spec.periods().unwrap()[0];
    /// assert_eq!((p.start.to_string(), p.end.to_string()), ("2023-07-01".to_string(), "2024-07-01".to_string()));
    /// ```
    pub fn periods(&self) -> Result<Vec<ReportingPeriod>> {
        if self.count == 0 || self.count > MAX_PERIODS {
            return Err(Error::OutOfRange {
                field: "periods.count".into(),
                value: self.count.to_string(),
                rule: format!("from 1 to {MAX_PERIODS}"),
            });
        }
        let first_month = crate::calendar::first_of_month(self.first);
        let mut out = Vec::with_capacity(self.count as usize);
        for i in 0..self.count as i32 {
            let (start, end, label) = match self.granularity {
                Granularity::Month => {
                    let s = crate::calendar::add_months(first_month, i);
                    (
                        s,
                        crate::calendar::add_months(s, 1),
                        s.format("%Y-%m").to_string(),
                    )
                }
                Granularity::Quarter => {
                    let q = Quarter::of(self.first).offset(i);
                    let p = q.period();
                    (p.start, p.end, q.to_string())
                }
                Granularity::Rolling12Months => {
                    let last = crate::calendar::add_months(first_month, i);
                    let end = crate::calendar::add_months(last, 1);
                    (
                        crate::calendar::add_months(end, -12),
                        end,
                        format!("12 months to {}", last.format("%Y-%m")),
                    )
                }
            };
            if Day::from_date(start).is_none() || Day::from_date(end).is_none() {
                return Err(Error::OutOfRange {
                    field: "periods.first".into(),
                    value: self.first.to_string(),
                    rule: "periods must lie in the years 1900 to 2199".into(),
                });
            }
            out.push(ReportingPeriod { label, start, end });
        }
        Ok(out)
    }
}

/// A level of aggregation.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::measure::Level;
/// assert_eq!(Level::ALL.len(), 5);
/// ```
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    schemars::JsonSchema,
)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// The whole system.
    System,
    /// A Children's Division region.
    Region,
    /// A judicial circuit.
    Circuit,
    /// A county.
    County,
    /// A provider (the division or a contractor).
    Provider,
}

impl Level {
    /// Every level, from the top.
    pub const ALL: [Level; 5] = [
        Level::System,
        Level::Region,
        Level::Circuit,
        Level::County,
        Level::Provider,
    ];
}

/// Why a case or count was left out of a metric.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::measure::Exclusion;
/// assert_eq!(Exclusion::StayUnder8Days.as_str(), "stay_under_min_days");
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Exclusion {
    /// CFSR: a stay shorter than `cfsr_min_stay_days`.
    StayUnder8Days,
    /// CFSR: entered care at 18 or older.
    EnteredAt18OrOlder,
    /// CFSR: 18 or older on the first day of the window.
    Aged18OnFirstDay,
    /// CFSR: days in care on or after the 18th birthday.
    DaysAfter18,
    /// CFSR: a report in the first days of an episode.
    ReportInFirstDays,
    /// CFSR: a later entry of a child already in the cohort.
    NotFirstEntryInWindow,
    /// HCY: exited before the deadline without an exam.
    ExitedBeforeExamDeadline,
    /// Timely permanency: no court-approved goal.
    NoPermanencyGoal,
    /// Timely permanency: the goal has no timeframe (APPLA, living with a relative).
    GoalWithoutTimeframe,
    /// Timely permanency: exited before the deadline for an excluded reason.
    ExcludedExitReason,
    /// Data entry: a record without an entry date.
    NoEntryDate,
    /// Counted for the system and place but assigned to no provider.
    NoProviderAssigned,
    /// Counted for the system and provider but outside any removal episode (no place).
    NoEpisode,
}

impl Exclusion {
    const COUNT: usize = 13;
    const ALL: [Exclusion; 13] = [
        Exclusion::StayUnder8Days,
        Exclusion::EnteredAt18OrOlder,
        Exclusion::Aged18OnFirstDay,
        Exclusion::DaysAfter18,
        Exclusion::ReportInFirstDays,
        Exclusion::NotFirstEntryInWindow,
        Exclusion::ExitedBeforeExamDeadline,
        Exclusion::NoPermanencyGoal,
        Exclusion::GoalWithoutTimeframe,
        Exclusion::ExcludedExitReason,
        Exclusion::NoEntryDate,
        Exclusion::NoProviderAssigned,
        Exclusion::NoEpisode,
    ];

    /// The stable code.
    pub fn as_str(self) -> &'static str {
        match self {
            Exclusion::StayUnder8Days => "stay_under_min_days",
            Exclusion::EnteredAt18OrOlder => "entered_at_18_or_older",
            Exclusion::Aged18OnFirstDay => "aged_18_on_first_day",
            Exclusion::DaysAfter18 => "days_after_18th_birthday",
            Exclusion::ReportInFirstDays => "report_in_first_days_of_episode",
            Exclusion::NotFirstEntryInWindow => "not_first_entry_in_window",
            Exclusion::ExitedBeforeExamDeadline => "exited_before_exam_deadline",
            Exclusion::NoPermanencyGoal => "no_permanency_goal",
            Exclusion::GoalWithoutTimeframe => "goal_without_timeframe",
            Exclusion::ExcludedExitReason => "excluded_exit_reason",
            Exclusion::NoEntryDate => "no_entry_date",
            Exclusion::NoProviderAssigned => "no_provider_assigned",
            Exclusion::NoEpisode => "no_episode",
        }
    }

    fn index(self) -> usize {
        self as usize
    }
}

const N_METRICS: usize = 22;

fn metric_index(m: MetricId) -> usize {
    m as usize
}

/// Where one count goes: the episode's place and the provider.
#[derive(Clone, Copy)]
struct Target {
    place: Option<(RegionIx, CircuitIx, CountyIx)>,
    provider: Option<ProviderIx>,
}

/// The counters of one measurement, and the names of its units.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::{data::Dataset, measure::*};
/// let periods = PeriodSpec { granularity: Granularity::Quarter, first: "2024-07-01".parse().unwrap(), count: 1 }.periods().unwrap();
/// let m = measure(&Dataset::default(), &periods, &MeasureOptions::default()).unwrap();
/// let system = m.count(Level::System, 0, 0, cwfinance::metrics::definitions::MetricId::WorkerChildVisits);
/// assert_eq!(system, Some((0, 0)));
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct Measurement {
    /// The periods, in order.
    pub periods: Vec<ReportingPeriod>,
    /// Unit names per level (system has one, `Missouri`... named `system`).
    pub names: BTreeMap<Level, Vec<String>>,
    /// County → circuit and circuit → region, as the episodes nest them.
    pub county_circuit: Vec<Option<usize>>,
    /// Circuit → region.
    pub circuit_region: Vec<Option<usize>>,
    /// Provider → region (from the providers table).
    pub provider_region: Vec<Option<usize>>,
    /// Provider is a contractor.
    pub provider_contractor: Vec<bool>,
    /// Counts left out, by period, metric and reason (system level).
    exclusions: Vec<u64>,
    slot_base: [usize; 5],
    counters: Vec<[u64; 2]>,
    /// How many rows were read from each table.
    pub rows: BTreeMap<String, u64>,
}

impl Measurement {
    fn slot(&self, level: Level, unit: usize) -> Option<usize> {
        let n = self.names.get(&level).map_or(0, Vec::len);
        (unit < n).then(|| self.slot_base[level as usize] + unit)
    }

    fn idx(&self, slot: usize, period: usize, metric: usize) -> usize {
        (slot * self.periods.len() + period) * N_METRICS + metric
    }

    /// `(numerator, denominator)` of `metric` for unit `unit` of `level` in period `period`.
    pub fn count(
        &self,
        level: Level,
        unit: usize,
        period: usize,
        metric: MetricId,
    ) -> Option<(u64, u64)> {
        if period >= self.periods.len() {
            return None;
        }
        let slot = self.slot(level, unit)?;
        self.counters
            .get(self.idx(slot, period, metric_index(metric)))
            .map(|c| (c[0], c[1]))
    }

    /// The unit index of `name` at `level`.
    pub fn unit(&self, level: Level, name: &str) -> Option<usize> {
        self.names.get(&level)?.iter().position(|n| n == name)
    }

    /// Counts left out of `metric` in `period`, by reason (non-zero only).
    pub fn exclusions(&self, period: usize, metric: MetricId) -> BTreeMap<String, u64> {
        let mut out = BTreeMap::new();
        for r in Exclusion::ALL {
            let i = (period * N_METRICS + metric_index(metric)) * Exclusion::COUNT + r.index();
            if let Some(&n) = self.exclusions.get(i) {
                if n > 0 {
                    out.insert(r.as_str().to_string(), n);
                }
            }
        }
        out
    }
}

struct Acc<'a> {
    periods: usize,
    base: [usize; 5],
    counters: &'a mut [[u64; 2]],
    exclusions: &'a mut [u64],
}

impl Acc<'_> {
    #[inline]
    fn bump(&mut self, slot: usize, period: usize, metric: MetricId, num: u64, den: u64) {
        let i = (slot * self.periods + period) * N_METRICS + metric_index(metric);
        if let Some(c) = self.counters.get_mut(i) {
            c[0] = c[0].saturating_add(num);
            c[1] = c[1].saturating_add(den);
        }
    }

    #[inline]
    fn add(&mut self, period: usize, metric: MetricId, t: Target, num: u64, den: u64) {
        self.bump(0, period, metric, num, den);
        match t.place {
            Some((r, c, k)) => {
                self.bump(self.base[1] + r.index(), period, metric, num, den);
                self.bump(self.base[2] + c.index(), period, metric, num, den);
                self.bump(self.base[3] + k.index(), period, metric, num, den);
            }
            None => self.exclude(period, metric, Exclusion::NoEpisode, 1),
        }
        match t.provider {
            Some(p) => self.bump(self.base[4] + p.index(), period, metric, num, den),
            None => self.exclude(period, metric, Exclusion::NoProviderAssigned, 1),
        }
    }

    #[inline]
    fn exclude(&mut self, period: usize, metric: MetricId, why: Exclusion, n: u64) {
        let i = (period * N_METRICS + metric_index(metric)) * Exclusion::COUNT + why.index();
        if let Some(c) = self.exclusions.get_mut(i) {
            *c = c.saturating_add(n);
        }
    }
}

/// A period's day bounds and the windows derived from it.
#[derive(Clone, Copy)]
struct Win {
    start: Day,
    end: Day,
    last: Day,
    year_start: Day,
    back24: Day,
    back36: Day,
    rate_start: Day,
}

fn days_between(a: Day, b: Day) -> u64 {
    u64::try_from(b.days_since(a)).unwrap_or(0)
}

/// One child's rows (ranges into the dataset's columns).
struct ChildRows<'a> {
    ds: &'a Dataset,
    child: ChildIx,
    asg: std::ops::Range<usize>,
}

impl ChildRows<'_> {
    #[inline]
    fn provider_on(&self, day: Day) -> Option<ProviderIx> {
        let a = &self.ds.assignments;
        for i in self.asg.clone().rev() {
            let (Some(&s), Some(&e)) = (a.start.get(i), a.end.get(i)) else {
                continue;
            };
            if s <= day && e.is_none_or(|e| day < e) {
                return a.provider.get(i).copied();
            }
        }
        None
    }

    /// Split `[from, to)` into spans with one provider each.
    #[inline]
    fn provider_spans(&self, from: Day, to: Day, mut f: impl FnMut(Option<ProviderIx>, Day, Day)) {
        let a = &self.ds.assignments;
        let mut cur = from;
        while cur < to {
            let p = self.provider_on(cur);
            let mut next = to;
            for i in self.asg.clone() {
                if let Some(&s) = a.start.get(i) {
                    if s > cur && s < next {
                        next = s;
                    }
                }
                if let Some(Some(e)) = a.end.get(i) {
                    if *e > cur && *e < next {
                        next = *e;
                    }
                }
            }
            f(p, cur, next);
            cur = next;
        }
    }
}

/// First index in `dates[range]` with date >= `day`.
#[inline]
fn lower_bound(dates: &[Day], range: &std::ops::Range<usize>, day: Day) -> usize {
    let slice = dates.get(range.clone()).unwrap_or_default();
    range.start + slice.partition_point(|d| *d < day)
}

/// Measure every metric for every period.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::{data::*, measure::*, definitions::MetricId};
/// let mut ds = Dataset::default();
/// let p = ds.providers.push("P1", "Provider One", ProviderKind::Contractor, None);
/// let w = ds.workers.push("W1", Worker { provider: p, role: WorkerRole::CaseManager, supervisor: None, trauma_trained: None, hired: None, left: None });
/// let c = ds.children.push("C1", Day::from_ymd(2015, 1, 1).unwrap());
/// let (county, circuit, region) = (ds.counties.intern("Greene"), ds.circuits.intern("31"), ds.regions.intern("Springfield"));
/// let d = |m, day| Day::from_ymd(2024, m, day).unwrap();
/// ds.episodes.push(Episode { child: c, removal: d(1, 1), exit: None, exit_reason: None, county, circuit, region });
/// ds.assignments.push(Assignment { child: c, provider: p, worker: w, start: d(1, 1), end: None });
/// // Visits in July and September, none in August.
/// for (m, day) in [(7, 3), (9, 20)] {
///     ds.visits.push(Visit { child: c, date: d(m, day), kind: VisitKind::WorkerChild, parent: None, entered: None });
/// }
/// ds.finalize();
/// let periods = PeriodSpec { granularity: Granularity::Quarter, first: d(7, 1).date(), count: 1 }.periods().unwrap();
/// let m = measure(&ds, &periods, &MeasureOptions::default()).unwrap();
/// // 2 of 3 child-months had a visit.
/// assert_eq!(m.count(Level::Provider, 0, 0, MetricId::WorkerChildVisits), Some((2, 3)));
/// ```
pub fn measure(
    ds: &Dataset,
    periods: &[ReportingPeriod],
    options: &MeasureOptions,
) -> Result<Measurement> {
    options.check()?;
    let n_periods = periods.len();
    let mut wins = Vec::with_capacity(n_periods);
    for p in periods {
        let bad = || {
            Error::invalid(
                "periods",
                p.label.clone(),
                "period out of the supported date range",
            )
        };
        let start = Day::from_date(p.start).ok_or_else(bad)?;
        let end = Day::from_date(p.end).ok_or_else(bad)?;
        if end <= start {
            return Err(Error::EndBeforeStart {
                field: "periods".into(),
                start: p.start.to_string(),
                end: p.end.to_string(),
            });
        }
        let back = |n: i32| end.add_months(-n).ok_or_else(bad);
        let year_start = back(12)?;
        wins.push(Win {
            start,
            end,
            last: end.add_days(-1).ok_or_else(bad)?,
            year_start,
            back24: back(24)?,
            back36: back(36)?,
            rate_start: match options.rate_window {
                RateWindow::TwelveMonthsEndingWithPeriod => year_start,
                RateWindow::Period => start,
            },
        });
    }
    let n_regions = ds.regions.len();
    let n_circuits = ds.circuits.len();
    let n_counties = ds.counties.len();
    let n_providers = ds.providers.len();
    let base = [
        0,
        1,
        1 + n_regions,
        1 + n_regions + n_circuits,
        1 + n_regions + n_circuits + n_counties,
    ];
    let slots = base[4] + n_providers;
    let size = slots
        .checked_mul(n_periods)
        .and_then(|x| x.checked_mul(N_METRICS))
        .filter(|&x| x <= 200_000_000)
        .ok_or_else(|| Error::TooLarge {
            field: "measurement".into(),
            value: format!("{slots} units x {n_periods} periods"),
            limit: "200,000,000 counters".into(),
        })?;
    let mut counters = vec![[0u64; 2]; size];
    let mut exclusions = vec![0u64; n_periods * N_METRICS * Exclusion::COUNT];
    let n_workers = ds.workers.len();
    let mut cm_active = vec![false; n_workers.saturating_mul(n_periods)];
    let mut county_circuit: Vec<Option<usize>> = vec![None; n_counties];
    let mut circuit_region: Vec<Option<usize>> = vec![None; n_circuits];
    {
        let mut acc = Acc {
            periods: n_periods,
            base,
            counters: &mut counters,
            exclusions: &mut exclusions,
        };
        for child in ds.children.ixs() {
            let rows = ChildRows {
                ds,
                child,
                asg: ds.assignments.of(child),
            };
            measure_child(
                ds,
                &rows,
                &wins,
                options,
                &mut acc,
                &mut cm_active,
                n_periods,
            );
        }
        for (k, c, r) in ds
            .episodes
            .county
            .iter()
            .zip(ds.episodes.circuit.iter())
            .zip(ds.episodes.region.iter())
            .map(|((k, c), r)| (k, c, r))
        {
            if let Some(slot) = county_circuit.get_mut(k.index()) {
                slot.get_or_insert(c.index());
            }
            if let Some(slot) = circuit_region.get_mut(c.index()) {
                slot.get_or_insert(r.index());
            }
        }
        measure_workers(ds, &wins, &cm_active, &mut acc);
    }
    let mut names = BTreeMap::new();
    names.insert(Level::System, vec!["system".to_string()]);
    names.insert(Level::Region, ds.regions.names().to_vec());
    names.insert(Level::Circuit, ds.circuits.names().to_vec());
    names.insert(Level::County, ds.counties.names().to_vec());
    names.insert(Level::Provider, ds.providers.ids.names().to_vec());
    let mut rows = BTreeMap::new();
    for t in crate::metrics::data::Table::ALL {
        rows.insert(t.as_str().to_string(), ds.rows(*t) as u64);
    }
    Ok(Measurement {
        periods: periods.to_vec(),
        names,
        county_circuit,
        circuit_region,
        provider_region: ds
            .providers
            .region
            .iter()
            .map(|r| r.map(RegionIx::index))
            .collect(),
        provider_contractor: ds
            .providers
            .kind
            .iter()
            .map(|k| *k == crate::metrics::data::ProviderKind::Contractor)
            .collect(),
        exclusions,
        slot_base: base,
        counters,
        rows,
    })
}

fn measure_workers(ds: &Dataset, wins: &[Win], cm_active: &[bool], acc: &mut Acc<'_>) {
    let w = &ds.workers;
    let n_periods = wins.len();
    for (p, win) in wins.iter().enumerate() {
        for i in 0..w.len() {
            let Some(worker) =
                crate::metrics::data::WorkerIx::from_index(i).and_then(|ix| w.get(ix))
            else {
                continue;
            };
            let target = Target {
                place: None,
                provider: Some(worker.provider),
            };
            let employed = worker.active_on(win.last);
            // Trauma training: case managers and supervisors employed on the last day.
            if matches!(
                worker.role,
                WorkerRole::CaseManager | WorkerRole::Supervisor
            ) && employed
            {
                let trained = worker.trauma_trained.is_some_and(|d| d <= win.last);
                add_no_place(
                    acc,
                    p,
                    MetricId::TraumaTraining,
                    target,
                    u64::from(trained),
                    1,
                );
            }
            // Supervisor ratio: case managers carrying a child on the last day over the
            // provider's supervisors employed on that day. The `supervisor_id` column is not
            // used: an extract gives it as a snapshot (the latest supervisor), so counting the
            // supervisors it names would count predecessors and successors for past periods.
            if worker.role == WorkerRole::CaseManager
                && cm_active.get(i * n_periods + p).copied().unwrap_or(false)
            {
                add_no_place(acc, p, MetricId::SupervisorRatio, target, 1, 0);
            }
            if worker.role == WorkerRole::Supervisor && employed {
                add_no_place(acc, p, MetricId::SupervisorRatio, target, 0, 1);
            }
        }
    }
}

/// Worker metrics have no place: count for the system and provider without an exclusion.
fn add_no_place(acc: &mut Acc<'_>, p: usize, m: MetricId, t: Target, num: u64, den: u64) {
    acc.bump(0, p, m, num, den);
    if let Some(pr) = t.provider {
        acc.bump(acc.base[4] + pr.index(), p, m, num, den);
    }
}

#[allow(clippy::too_many_arguments)]
fn measure_child(
    ds: &Dataset,
    rows: &ChildRows<'_>,
    wins: &[Win],
    o: &MeasureOptions,
    acc: &mut Acc<'_>,
    cm_active: &mut [bool],
    n_periods: usize,
) {
    let child = rows.child;
    let e = &ds.episodes;
    let eps = e.of(child);
    let birthday18 = ds.children.birthday(child, 18);
    let visits = ds.visits.of(child);
    let parents = ds.parents.of(child);
    let exams = ds.hcy_exams.of(child);
    let reports = ds.reports.of(child);
    let goals = ds.permanency_goals.of(child);
    let placements = ds.placements.of(child);

    // Supervisor ratio needs which case managers carry a child on each period's last day.
    for i in rows.asg.clone() {
        let a = &ds.assignments;
        let (Some(&s), Some(&end), Some(&w)) = (a.start.get(i), a.end.get(i), a.worker.get(i))
        else {
            continue;
        };
        for (p, win) in wins.iter().enumerate() {
            if s <= win.last && end.is_none_or(|x| win.last < x) {
                if let Some(flag) = cm_active.get_mut(w.index() * n_periods + p) {
                    *flag = true;
                }
            }
        }
    }

    for ei in eps.clone() {
        let (
            Some(&removal),
            Some(&exit),
            Some(&reason),
            Some(&county),
            Some(&circuit),
            Some(&region),
        ) = (
            e.removal.get(ei),
            e.exit.get(ei),
            e.exit_reason.get(ei),
            e.county.get(ei),
            e.circuit.get(ei),
            e.region.get(ei),
        )
        else {
            continue;
        };
        let place = Some((region, circuit, county));
        let next_removal = if ei + 1 < eps.end {
            e.removal.get(ei + 1).copied()
        } else {
            None
        };
        let prev_removal = if ei > eps.start {
            e.removal.get(ei - 1).copied()
        } else {
            None
        };
        let stay_days = exit.map(|x| x.days_since(removal));
        let short_stay = stay_days.is_some_and(|d| d < o.cfsr_min_stay_days as i32);
        let adult_at_entry = birthday18.is_some_and(|b| removal >= b);
        // Why the federal CFSR definitions leave this episode out, if they do.
        let cfsr_exclusion = if short_stay {
            Some(Exclusion::StayUnder8Days)
        } else if adult_at_entry {
            Some(Exclusion::EnteredAt18OrOlder)
        } else {
            None
        };
        // The exit with the CFSR trial-home-visit adjustment.
        let adjusted_exit = exit.map(|x| {
            if reason != Some(ExitReason::Reunification) {
                return x;
            }
            let last_placement = placements.clone().rev().find(|&i| {
                ds.placements
                    .start
                    .get(i)
                    .is_some_and(|&s| s >= removal && s < x)
            });
            match last_placement.and_then(|i| {
                (ds.placements.setting.get(i) == Some(&PlacementSetting::TrialHomeVisit))
                    .then(|| ds.placements.start.get(i).copied())
                    .flatten()
            }) {
                Some(thv) if x.days_since(thv) > o.trial_home_visit_days as i32 => {
                    thv.add_days(o.trial_home_visit_days as i32).unwrap_or(x)
                }
                _ => x,
            }
        });
        let in_care_until = |to: Day| exit.map_or(to, |x| x.min(to));
        // Dates that do not depend on the period, computed once per episode.
        let removal_plus_12 = removal.add_months(12);
        let removal_plus_24 = removal.add_months(24);
        let exit_plus_12 = exit.and_then(|x| x.add_months(12));
        let hcy_deadline = removal.add_days(o.hcy_days as i32);
        let (goal, goal_deadline) = permanency_goal(ds, goals.clone(), o, removal, exit);
        // The last day this episode can count in any metric: its exit, the 12-month re-entry
        // follow-up, the permanency deadline, the CFSR cohorts' 36 months after removal.
        let horizon = exit.map(|x| {
            [Some(x), exit_plus_12, removal.add_months(36), goal_deadline]
                .into_iter()
                .flatten()
                .max()
                .unwrap_or(x)
        });

        for (p, win) in wins.iter().enumerate() {
            if removal >= win.end || horizon.is_some_and(|h| win.start > h) {
                continue;
            }
            // ---- Visits, by month -------------------------------------------------------
            if removal < win.end && exit.is_none_or(|x| x > win.start) {
                let mut month = win.start.max(removal).first_of_month();
                while month < win.end {
                    let Some(month_end) = month.add_months(1) else {
                        break;
                    };
                    let care_from = removal.max(month);
                    let care_to = in_care_until(month_end);
                    if care_from >= care_to {
                        if exit.is_some_and(|x| x <= month) {
                            break;
                        }
                        month = month_end;
                        continue;
                    }
                    let qualifies = month >= win.start
                        && match o.partial_month {
                            PartialMonthRule::FullMonthOnly => {
                                removal <= month && exit.is_none_or(|x| x >= month_end)
                            }
                            PartialMonthRule::AnyDay => true,
                        };
                    if qualifies {
                        let last_day = care_to.add_days(-1).unwrap_or(care_from);
                        let t = Target {
                            place,
                            provider: rows.provider_on(last_day),
                        };
                        let first = lower_bound(&ds.visits.date, &visits, care_from);
                        let mut seen_wc = false;
                        let in_month =
                            |i: usize| ds.visits.date.get(i).is_some_and(|d| *d < care_to);
                        let mut i = first;
                        while i < visits.end && in_month(i) {
                            if ds.visits.kind.get(i) == Some(&VisitKind::WorkerChild) {
                                seen_wc = true;
                                break;
                            }
                            i += 1;
                        }
                        acc.add(p, MetricId::WorkerChildVisits, t, u64::from(seen_wc), 1);
                        for li in parents.clone() {
                            let (Some(&parent), Some(&allowed)) =
                                (ds.parents.parent.get(li), ds.parents.visits_allowed.get(li))
                            else {
                                continue;
                            };
                            let mut seen_pc = false;
                            let mut seen_wp = false;
                            let mut i = first;
                            while i < visits.end && in_month(i) {
                                if ds.visits.parent.get(i) == Some(&Some(parent)) {
                                    match ds.visits.kind.get(i) {
                                        Some(VisitKind::ParentChild) => seen_pc = true,
                                        Some(VisitKind::WorkerParent) => seen_wp = true,
                                        _ => {}
                                    }
                                }
                                i += 1;
                            }
                            if allowed {
                                acc.add(p, MetricId::ParentChildVisits, t, u64::from(seen_pc), 1);
                            }
                            if allowed || !o.worker_parent_visits_eligible_only {
                                acc.add(p, MetricId::WorkerParentVisits, t, u64::from(seen_wp), 1);
                            }
                        }
                    }
                    month = month_end;
                }
            }

            // ---- Maltreatment in care (Phase I), residential days ----------------------
            let rate_from = removal.max(win.rate_start);
            let rate_to = in_care_until(win.end);
            if rate_from < rate_to {
                rows.provider_spans(rate_from, rate_to, |prov, a, b| {
                    let t = Target {
                        place,
                        provider: prov,
                    };
                    acc.add(p, MetricId::MaltreatmentInCare, t, 0, days_between(a, b));
                });
                let mut i = lower_bound(&ds.reports.date, &reports, rate_from);
                while i < reports.end {
                    let Some(&d) = ds.reports.date.get(i) else {
                        break;
                    };
                    if d >= rate_to {
                        break;
                    }
                    if ds.reports.substantiated.get(i) == Some(&true) {
                        let t = Target {
                            place,
                            provider: rows.provider_on(d),
                        };
                        acc.add(p, MetricId::MaltreatmentInCare, t, 1, 0);
                    }
                    i += 1;
                }
            }
            let care_from = removal.max(win.start);
            let care_to = in_care_until(win.end);
            if care_from < care_to {
                rows.provider_spans(care_from, care_to, |prov, a, b| {
                    let t = Target {
                        place,
                        provider: prov,
                    };
                    acc.add(p, MetricId::ResidentialPlacement, t, 0, days_between(a, b));
                });
                for pi in placements.clone() {
                    let (Some(&s), Some(&end), Some(setting)) = (
                        ds.placements.start.get(pi),
                        ds.placements.end.get(pi),
                        ds.placements.setting.get(pi),
                    ) else {
                        continue;
                    };
                    if !o.residential_settings.contains(setting) {
                        continue;
                    }
                    let a = s.max(care_from);
                    let b = end.map_or(care_to, |x| x.min(care_to));
                    if a < b {
                        rows.provider_spans(a, b, |prov, a, b| {
                            let t = Target {
                                place,
                                provider: prov,
                            };
                            acc.add(p, MetricId::ResidentialPlacement, t, days_between(a, b), 0);
                        });
                    }
                }
            }

            // ---- HCY/EPSDT exam within hcy_days of entry --------------------------------
            if let Some(deadline) = hcy_deadline {
                if deadline >= win.start && deadline < win.end {
                    let first = lower_bound(&ds.hcy_exams.date, &exams, removal);
                    let on_time = ds
                        .hcy_exams
                        .date
                        .get(first)
                        .is_some_and(|d| first < exams.end && *d <= deadline);
                    let exited_early = exit.is_some_and(|x| x <= deadline);
                    if exited_early && !on_time && o.hcy_exclude_early_exits {
                        acc.exclude(
                            p,
                            MetricId::HcyExamWithin30Days,
                            Exclusion::ExitedBeforeExamDeadline,
                            1,
                        );
                    } else {
                        let day =
                            exit.map_or(deadline, |x| x.add_days(-1).unwrap_or(x).min(deadline));
                        let t = Target {
                            place,
                            provider: rows.provider_on(day),
                        };
                        acc.add(p, MetricId::HcyExamWithin30Days, t, u64::from(on_time), 1);
                    }
                }
            }

            // ---- Re-entry within 12 months of exit (Phase I) -----------------------------
            if let (Some(x), Some(r)) = (exit, reason) {
                if o.reentry_exit_reasons.contains(&r) {
                    if let Some(follow_end) = exit_plus_12 {
                        if follow_end >= win.start && follow_end < win.end {
                            let back = next_removal.is_some_and(|n| n >= x && n < follow_end);
                            let t = Target {
                                place,
                                provider: rows.provider_on(x.add_days(-1).unwrap_or(x)),
                            };
                            acc.add(p, MetricId::ReentryWithin12Months, t, u64::from(back), 1);
                        }
                    }
                }
            }

            // ---- Caseload changes: workers per child on the last day ---------------------
            if removal <= win.last && exit.is_none_or(|x| x > win.last) {
                let a = &ds.assignments;
                let mut workers = 0u64;
                for i in rows.asg.clone() {
                    let (Some(&s), Some(&end), Some(&w)) =
                        (a.start.get(i), a.end.get(i), a.worker.get(i))
                    else {
                        continue;
                    };
                    if s > win.last || end.is_some_and(|x| x <= removal) {
                        continue;
                    }
                    // Count each worker once: skip if an earlier overlapping row had the worker.
                    let dup = (rows.asg.start..i).any(|j| {
                        a.worker.get(j) == Some(&w)
                            && a.start.get(j).is_some_and(|&s2| s2 <= win.last)
                            && a.end
                                .get(j)
                                .is_some_and(|e2| e2.is_none_or(|x| x > removal))
                    });
                    workers += u64::from(!dup);
                }
                let long = removal_plus_12.is_some_and(|d| d <= win.last);
                let m = if long {
                    MetricId::CaseloadChanges12MonthsOrMore
                } else {
                    MetricId::CaseloadChangesUnder12Months
                };
                let t = Target {
                    place,
                    provider: rows.provider_on(win.last),
                };
                acc.add(p, m, t, workers, 1);
            }

            // ---- Timely permanency (Phase II) -------------------------------------------
            timely_permanency(
                rows,
                o,
                acc,
                (p, win, p + 1 == wins.len()),
                removal,
                exit,
                reason,
                (goal, goal_deadline),
                place,
            );

            // ---- CFSR: permanency in 12 months for entries --------------------------------
            if removal >= win.back24 && removal < win.year_start {
                if let Some(why) = cfsr_exclusion {
                    acc.exclude(p, MetricId::CfsrPermanency12MonthsEntries, why, 1);
                } else if prev_removal.is_some_and(|r| r >= win.back24) {
                    acc.exclude(
                        p,
                        MetricId::CfsrPermanency12MonthsEntries,
                        Exclusion::NotFirstEntryInWindow,
                        1,
                    );
                } else if let Some(due) = removal_plus_12 {
                    let ok = matches!((adjusted_exit, reason), (Some(x), Some(r)) if r.is_permanency() && x < due);
                    let last = exit
                        .map_or(due, |x| x.min(due))
                        .add_days(-1)
                        .unwrap_or(removal);
                    let t = Target {
                        place,
                        provider: rows.provider_on(last),
                    };
                    acc.add(
                        p,
                        MetricId::CfsrPermanency12MonthsEntries,
                        t,
                        u64::from(ok),
                        1,
                    );
                }
            }

            // ---- CFSR: permanency in 12 months for children in care 12-23 / 24+ months ---
            let first_day = win.year_start;
            if removal <= first_day && exit.is_none_or(|x| x > first_day) {
                let m12 = removal_plus_12;
                let m24 = removal_plus_24;
                let metric = if m24.is_some_and(|d| d <= first_day) {
                    Some(MetricId::CfsrPermanency12Months24Plus)
                } else if m12.is_some_and(|d| d <= first_day) {
                    Some(MetricId::CfsrPermanency12MonthsIn12To23)
                } else {
                    None
                };
                if let Some(m) = metric {
                    if birthday18.is_some_and(|b| first_day >= b) {
                        acc.exclude(p, m, Exclusion::Aged18OnFirstDay, 1);
                    } else {
                        let ok = matches!((exit, reason), (Some(x), Some(r))
                            if r.is_permanency() && x < win.end && birthday18.is_none_or(|b| x <= b));
                        let t = Target {
                            place,
                            provider: rows.provider_on(first_day),
                        };
                        acc.add(p, m, t, u64::from(ok), 1);
                    }
                }
            }

            // ---- CFSR: re-entry in 12 months ----------------------------------------------
            if removal >= win.back36 && removal < win.back24 {
                if let Some(why) = cfsr_exclusion {
                    acc.exclude(p, MetricId::CfsrReentry12Months, why, 1);
                } else if prev_removal.is_some_and(|r| r >= win.back36) {
                    acc.exclude(
                        p,
                        MetricId::CfsrReentry12Months,
                        Exclusion::NotFirstEntryInWindow,
                        1,
                    );
                } else if let (Some(x), Some(r), Some(due)) = (exit, reason, removal_plus_12) {
                    let discharged = x < due
                        && matches!(
                            r,
                            ExitReason::Reunification
                                | ExitReason::LivingWithRelative
                                | ExitReason::Guardianship
                        );
                    if discharged {
                        let back = match (next_removal, exit_plus_12) {
                            (Some(n), Some(f)) => n >= x && n < f,
                            _ => false,
                        };
                        let t = Target {
                            place,
                            provider: rows.provider_on(x.add_days(-1).unwrap_or(x)),
                        };
                        acc.add(p, MetricId::CfsrReentry12Months, t, u64::from(back), 1);
                    }
                }
            }

            // ---- CFSR: placement stability ------------------------------------------------
            if removal >= win.year_start && removal < win.end {
                if let Some(why) = cfsr_exclusion {
                    acc.exclude(p, MetricId::CfsrPlacementStability, why, 1);
                } else {
                    let to = birthday18
                        .map_or(in_care_until(win.end), |b| in_care_until(win.end).min(b));
                    if removal < to {
                        rows.provider_spans(removal, to, |prov, a, b| {
                            let t = Target {
                                place,
                                provider: prov,
                            };
                            acc.add(
                                p,
                                MetricId::CfsrPlacementStability,
                                t,
                                0,
                                days_between(a, b),
                            );
                        });
                        count_moves(ds, rows, acc, p, placements.clone(), removal, to, place);
                    }
                }
            }

            // ---- CFSR: maltreatment in care -------------------------------------------------
            let from = removal.max(win.year_start);
            let to = in_care_until(win.end);
            if from < to {
                if let Some(why) = cfsr_exclusion {
                    acc.exclude(p, MetricId::CfsrMaltreatmentInCare, why, 1);
                } else {
                    let to18 = birthday18.map_or(to, |b| to.min(b));
                    if to18 < to {
                        acc.exclude(
                            p,
                            MetricId::CfsrMaltreatmentInCare,
                            Exclusion::DaysAfter18,
                            days_between(to18.max(from), to),
                        );
                    }
                    if from < to18 {
                        rows.provider_spans(from, to18, |prov, a, b| {
                            let t = Target {
                                place,
                                provider: prov,
                            };
                            acc.add(
                                p,
                                MetricId::CfsrMaltreatmentInCare,
                                t,
                                0,
                                days_between(a, b),
                            );
                        });
                        let counted_from = removal
                            .add_days(o.cfsr_first_days_excluded as i32)
                            .unwrap_or(removal);
                        let mut i = lower_bound(&ds.reports.date, &reports, from);
                        while i < reports.end {
                            let Some(&d) = ds.reports.date.get(i) else {
                                break;
                            };
                            if d >= to18 {
                                break;
                            }
                            if ds.reports.substantiated.get(i) == Some(&true) {
                                if d < counted_from {
                                    acc.exclude(
                                        p,
                                        MetricId::CfsrMaltreatmentInCare,
                                        Exclusion::ReportInFirstDays,
                                        1,
                                    );
                                } else {
                                    let t = Target {
                                        place,
                                        provider: rows.provider_on(d),
                                    };
                                    acc.add(p, MetricId::CfsrMaltreatmentInCare, t, 1, 0);
                                }
                            }
                            i += 1;
                        }
                    }
                }
            }
        }
    }

    // ---- Child-level events: recurrence, sentinel events, returns, data entry -------------
    for (p, win) in wins.iter().enumerate() {
        recurrence(ds, rows, o, acc, p, win, reports.clone());
        let place_on = |d: Day| -> Option<(RegionIx, CircuitIx, CountyIx)> {
            eps.clone().find_map(|i| {
                let r = *e.removal.get(i)?;
                let x = *e.exit.get(i)?;
                (r <= d && x.is_none_or(|x| d < x))
                    .then(|| Some((*e.region.get(i)?, *e.circuit.get(i)?, *e.county.get(i)?)))
                    .flatten()
            })
        };
        let se = &ds.sentinel_events;
        let range = ds.sentinel_events.of(child);
        let mut i = lower_bound(&se.occurred, &range, win.start);
        while i < range.end {
            let Some(&d) = se.occurred.get(i) else { break };
            if d >= win.end {
                break;
            }
            let on_time = se
                .reported
                .get(i)
                .copied()
                .flatten()
                .is_some_and(|r| r.days_since(d) <= o.sentinel_report_days as i32);
            let t = Target {
                place: place_on(d),
                provider: rows.provider_on(d),
            };
            acc.add(
                p,
                MetricId::SentinelEventTimeliness,
                t,
                u64::from(on_time),
                1,
            );
            i += 1;
        }
        let cr = &ds.case_returns;
        let range = cr.of(child);
        let mut i = lower_bound(&cr.date, &range, win.start);
        while i < range.end {
            let Some(&d) = cr.date.get(i) else { break };
            if d >= win.end {
                break;
            }
            let cents = cr
                .cost
                .get(i)
                .copied()
                .flatten()
                .and_then(|m| m.round_to_cents(crate::money::Rounding::HalfUp).cents())
                .and_then(|c| u64::try_from(c).ok())
                .unwrap_or(0);
            let look = d.add_days(-1).unwrap_or(d);
            let t = Target {
                place: place_on(d).or_else(|| place_on(look)),
                provider: cr.provider.get(i).copied(),
            };
            acc.add(p, MetricId::CatastrophicReturns, t, cents, 1);
            i += 1;
        }
        data_entry(
            ds,
            rows,
            o,
            acc,
            p,
            win,
            &visits,
            &ds.visits.date,
            &ds.visits.entered,
            &place_on,
        );
        data_entry(
            ds,
            rows,
            o,
            acc,
            p,
            win,
            &exams,
            &ds.hcy_exams.date,
            &ds.hcy_exams.entered,
            &place_on,
        );
        data_entry(
            ds,
            rows,
            o,
            acc,
            p,
            win,
            &reports,
            &ds.reports.date,
            &ds.reports.entered,
            &place_on,
        );
        // Placements are sorted by start, so the same binary search applies.
        data_entry(
            ds,
            rows,
            o,
            acc,
            p,
            win,
            &placements,
            &ds.placements.start,
            &ds.placements.entered,
            &place_on,
        );
    }
}

#[allow(clippy::too_many_arguments)]
fn data_entry(
    _ds: &Dataset,
    rows: &ChildRows<'_>,
    o: &MeasureOptions,
    acc: &mut Acc<'_>,
    p: usize,
    win: &Win,
    range: &std::ops::Range<usize>,
    dates: &[Day],
    entered: &[Option<Day>],
    place_on: &dyn Fn(Day) -> Option<(RegionIx, CircuitIx, CountyIx)>,
) {
    let mut i = lower_bound(dates, range, win.start);
    while i < range.end {
        let Some(&d) = dates.get(i) else { break };
        if d >= win.end {
            break;
        }
        match entered.get(i).copied().flatten() {
            None => acc.exclude(p, MetricId::TimelyDataEntry, Exclusion::NoEntryDate, 1),
            Some(at) => {
                // The deadline: day `data_entry_day` of the month after the event's month.
                let deadline = Day::from_month_number(d.month_number() + 1)
                    .and_then(|m| m.add_days(o.data_entry_day as i32 - 1));
                let on_time = deadline.is_some_and(|dl| at <= dl);
                let t = Target {
                    place: place_on(d),
                    provider: rows.provider_on(d),
                };
                acc.add(p, MetricId::TimelyDataEntry, t, u64::from(on_time), 1);
            }
        }
        i += 1;
    }
}

/// The court-approved goal of an episode (the latest dated in it, up to and including the exit
/// day) and its deadline (removal + the goal's timeframe), when the goal has a timeframe.
fn permanency_goal(
    ds: &Dataset,
    goals: std::ops::Range<usize>,
    o: &MeasureOptions,
    removal: Day,
    exit: Option<Day>,
) -> (Option<Goal>, Option<Day>) {
    let g = &ds.permanency_goals;
    let goal = goals.rev().find_map(|i| {
        let d = *g.date.get(i)?;
        (d >= removal && exit.is_none_or(|x| d <= x))
            .then(|| g.goal.get(i).copied())
            .flatten()
    });
    let months = match goal {
        Some(Goal::Reunification) => Some(o.reunification_months),
        Some(Goal::Guardianship) => Some(o.guardianship_months),
        Some(Goal::Adoption) => Some(o.adoption_months),
        Some(_) | None => None,
    };
    (goal, months.and_then(|m| removal.add_months(m as i32)))
}

#[allow(clippy::too_many_arguments)]
fn timely_permanency(
    rows: &ChildRows<'_>,
    o: &MeasureOptions,
    acc: &mut Acc<'_>,
    (p, win, last_period): (usize, &Win, bool),
    removal: Day,
    exit: Option<Day>,
    reason: Option<ExitReason>,
    (goal, deadline): (Option<Goal>, Option<Day>),
    place: Option<(RegionIx, CircuitIx, CountyIx)>,
) {
    let _ = removal;
    let Some(deadline) = deadline else {
        // Count the exclusion once per episode: in the period containing its exit, or the last
        // period when it is still open.
        let counted_here = match exit {
            Some(x) => x >= win.start && x < win.end,
            None => last_period,
        };
        if counted_here {
            let why = if goal.is_none() {
                Exclusion::NoPermanencyGoal
            } else {
                Exclusion::GoalWithoutTimeframe
            };
            acc.exclude(p, MetricId::TimelyPermanency, why, 1);
        }
        return;
    };
    let (event, timely) = match exit {
        Some(x) if x <= deadline => {
            let matched = matches!(
                (goal, reason),
                (Some(Goal::Reunification), Some(ExitReason::Reunification))
                    | (Some(Goal::Guardianship), Some(ExitReason::Guardianship))
                    | (Some(Goal::Adoption), Some(ExitReason::Adoption))
            );
            if reason.is_some_and(|r| o.permanency_excluded_exits.contains(&r)) {
                if x >= win.start && x < win.end {
                    acc.exclude(
                        p,
                        MetricId::TimelyPermanency,
                        Exclusion::ExcludedExitReason,
                        1,
                    );
                }
                return;
            }
            (x, matched)
        }
        _ => (deadline, false),
    };
    if event >= win.start && event < win.end {
        let last = if timely || exit.is_some_and(|x| x <= deadline) {
            event.add_days(-1).unwrap_or(event)
        } else {
            deadline
        };
        let t = Target {
            place,
            provider: rows.provider_on(last),
        };
        acc.add(p, MetricId::TimelyPermanency, t, u64::from(timely), 1);
    }
}

#[allow(clippy::too_many_arguments)]
fn count_moves(
    ds: &Dataset,
    rows: &ChildRows<'_>,
    acc: &mut Acc<'_>,
    p: usize,
    placements: std::ops::Range<usize>,
    removal: Day,
    to: Day,
    place: Option<(RegionIx, CircuitIx, CountyIx)>,
) {
    let pl = &ds.placements;
    let is_spell = |s: PlacementSetting| {
        matches!(
            s,
            PlacementSetting::Runaway | PlacementSetting::TrialHomeVisit
        )
    };
    // The setting of the last real placement, and whether a runaway/THV spell followed it.
    let mut previous: Option<PlacementSetting> = None;
    let mut after_spell = false;
    for i in placements {
        let (Some(&s), Some(&setting)) = (pl.start.get(i), pl.setting.get(i)) else {
            continue;
        };
        if s < removal {
            continue;
        }
        if s >= to {
            break;
        }
        if is_spell(setting) {
            after_spell = previous.is_some();
            continue;
        }
        let is_move = match previous {
            None => false,
            Some(prev) => !(after_spell && prev == setting),
        };
        if is_move {
            let t = Target {
                place,
                provider: rows.provider_on(s),
            };
            acc.add(p, MetricId::CfsrPlacementStability, t, 1, 0);
        }
        previous = Some(setting);
        after_spell = false;
    }
}

fn recurrence(
    ds: &Dataset,
    rows: &ChildRows<'_>,
    o: &MeasureOptions,
    acc: &mut Acc<'_>,
    p: usize,
    win: &Win,
    reports: std::ops::Range<usize>,
) {
    let r = &ds.reports;
    let mut i = lower_bound(&r.date, &reports, win.back24);
    let first = loop {
        if i >= reports.end {
            return;
        }
        let Some(&d) = r.date.get(i) else { return };
        if d >= win.year_start {
            return;
        }
        if r.substantiated.get(i) == Some(&true) {
            break d;
        }
        i += 1;
    };
    let (Some(from), Some(until)) = (
        first.add_days(o.recurrence_same_incident_days as i32 + 1),
        first.add_months(12),
    ) else {
        return;
    };
    let mut j = lower_bound(&r.date, &reports, from);
    let mut again = false;
    while j < reports.end {
        let Some(&d) = r.date.get(j) else { break };
        if d >= until {
            break;
        }
        if r.substantiated.get(j) == Some(&true) {
            again = true;
            break;
        }
        j += 1;
    }
    let e = &ds.episodes;
    let place = e.of(rows.child).find_map(|k| {
        let rm = *e.removal.get(k)?;
        let x = *e.exit.get(k)?;
        (rm <= first && x.is_none_or(|x| first < x))
            .then(|| Some((*e.region.get(k)?, *e.circuit.get(k)?, *e.county.get(k)?)))
            .flatten()
    });
    let t = Target {
        place,
        provider: place.and_then(|_| rows.provider_on(first)),
    };
    acc.add(
        p,
        MetricId::CfsrRecurrenceOfMaltreatment,
        t,
        u64::from(again),
        1,
    );
}

// ---------------------------------------------------------------------------------------------
// Published values
// ---------------------------------------------------------------------------------------------

/// One published metric value.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MetricValue {
    /// The period label.
    pub period: String,
    /// The level.
    pub level: Level,
    /// The unit's name.
    pub unit: String,
    /// The metric.
    pub metric: MetricId,
    /// The numerator (absent when suppressed).
    pub numerator: Option<u64>,
    /// The denominator (absent when suppressed).
    pub denominator: Option<u64>,
    /// The value in the metric's unit (absent when the denominator is zero or suppressed).
    pub value: Option<String>,
    /// `primary` (small denominator) or `complementary` when suppressed.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub suppressed: Option<suppress::Reason>,
}

/// Every value of a measurement for the chosen levels and metrics, with suppression applied
/// within each (metric, period) over the hierarchies system ⊃ region ⊃ circuit ⊃ county and
/// system ⊃ provider.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::{data::Dataset, measure::*, suppress::SuppressionOptions};
/// let periods = PeriodSpec { granularity: Granularity::Month, first: "2024-07-01".parse().unwrap(), count: 1 }.periods().unwrap();
/// let m = measure(&Dataset::default(), &periods, &MeasureOptions::default()).unwrap();
/// let rows = published_values(&m, &[Level::System], &[], &SuppressionOptions::default());
/// assert_eq!(rows.len(), 22);
/// assert!(rows.iter().all(|r| r.value.is_none() || r.metric.as_str() == "catastrophic_returns"));
/// ```
pub fn published_values(
    m: &Measurement,
    levels: &[Level],
    metrics: &[MetricId],
    suppression: &SuppressionOptions,
) -> Vec<MetricValue> {
    let metrics: Vec<MetricId> = if metrics.is_empty() {
        MetricId::ALL.to_vec()
    } else {
        metrics.to_vec()
    };
    let plan = suppress::Plan::new(m);
    let mut out = Vec::new();
    for (p, period) in m.periods.iter().enumerate() {
        for &metric in &metrics {
            let unit = metric.definition().unit;
            let dens = plan.denominators(m, p, metric);
            let marks = plan.apply(&dens, suppression);
            for level in Level::ALL {
                if !levels.contains(&level) {
                    continue;
                }
                let n = m.names.get(&level).map_or(0, Vec::len);
                for u in 0..n {
                    let Some((num, den)) = m.count(level, u, p, metric) else {
                        continue;
                    };
                    let mark = plan
                        .cell(level, u)
                        .and_then(|c| marks.get(c).copied().flatten());
                    let name = m
                        .names
                        .get(&level)
                        .and_then(|v| v.get(u))
                        .cloned()
                        .unwrap_or_default();
                    out.push(MetricValue {
                        period: period.label.clone(),
                        level,
                        unit: name,
                        metric,
                        numerator: mark.is_none().then_some(num),
                        denominator: mark.is_none().then_some(den),
                        value: if mark.is_some() {
                            None
                        } else {
                            unit.value(num, den).map(|v| unit.format(v))
                        },
                        suppressed: mark,
                    });
                }
            }
        }
    }
    out
}

// ---------------------------------------------------------------------------------------------
// The hb1414.measure document
// ---------------------------------------------------------------------------------------------

fn all_levels() -> Vec<Level> {
    Level::ALL.to_vec()
}

/// The request of `hb1414.measure`: small case-level tables inline, metric values out.
#[derive(Debug, Clone, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MeasureRequest {
    /// The tables, as `{"children": [{...}], "episodes": [...], ...}` (see `docs/data.md`).
    pub data: Value,
    /// The reporting periods.
    pub periods: PeriodSpec,
    /// The levels to report (default all).
    #[serde(default = "all_levels")]
    pub by: Vec<Level>,
    /// The metrics to report (default all).
    #[serde(default)]
    pub metrics: Vec<MetricId>,
    /// Measurement conventions.
    #[serde(default)]
    pub options: MeasureOptions,
    /// Small-cell suppression (default: denominators 1 to 10 hidden, with complements; set
    /// `min_denominator` to 0 to see every cell of a small test dataset).
    #[serde(default)]
    pub suppression: SuppressionOptions,
}

/// Rows read, used and excluded per table, and counts left out of each metric.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, schemars::JsonSchema)]
pub struct MeasureResponse {
    /// The periods.
    pub periods: Vec<ReportingPeriod>,
    /// The values.
    pub values: Vec<MetricValue>,
    /// Counts left out, by period label, metric and reason.
    pub excluded: BTreeMap<String, BTreeMap<String, BTreeMap<String, u64>>>,
    /// Rows per table: read, used, excluded by reason (from loading).
    pub data: crate::metrics::data::LoadStats,
    /// The suppression applied.
    pub suppression: SuppressionOptions,
}

/// Measure a request.
///
/// # Example
///
/// ```
/// use cwfinance::metrics::measure::*;
/// let periods = PeriodSpec { granularity: Granularity::Quarter, first: "2024-07-01".parse().unwrap(), count: 1 };
/// let r = measure_dataset(&cwfinance::metrics::data::Dataset::default(), periods, &[Level::System], &[], &MeasureOptions::default(), &Default::default()).unwrap();
/// assert_eq!(r.periods[0].label, "2024Q3");
/// ```
pub fn measure_dataset(
    ds: &Dataset,
    periods: PeriodSpec,
    by: &[Level],
    metrics: &[MetricId],
    options: &MeasureOptions,
    suppression: &SuppressionOptions,
) -> Result<MeasureResponse> {
    let list = periods.periods()?;
    let m = measure(ds, &list, options)?;
    let values = published_values(&m, by, metrics, suppression);
    let mut excluded = BTreeMap::new();
    let chosen: Vec<MetricId> = if metrics.is_empty() {
        MetricId::ALL.to_vec()
    } else {
        metrics.to_vec()
    };
    for (p, period) in list.iter().enumerate() {
        let mut per = BTreeMap::new();
        for &metric in &chosen {
            let ex = m.exclusions(p, metric);
            if !ex.is_empty() {
                per.insert(metric.to_string(), ex);
            }
        }
        excluded.insert(period.label.clone(), per);
    }
    Ok(MeasureResponse {
        periods: list,
        values,
        excluded,
        data: ds.stats.clone(),
        suppression: *suppression,
    })
}

/// The `hb1414.measure` document handler.
pub(crate) fn run_measure_document(body: &Value, _ctx: &Context) -> Result<Value> {
    let req: MeasureRequest = crate::json::decode(body, "")?;
    let ds = crate::metrics::load::from_json(&req.data, &Default::default())
        .map_err(|e| e.at("data"))?;
    let resp = measure_dataset(
        &ds,
        req.periods,
        &req.by,
        &req.metrics,
        &req.options,
        &req.suppression,
    )?;
    crate::json::to_value(&resp)
}

/// The published values of one period and level, gathered per unit for scoring: the unit's
/// region (its own for a provider from the providers table, its parent region for a circuit
/// or county) and whether it is a contractor (providers of kind `contractor` only).
///
/// # Example
///
/// ```
/// use cwfinance::metrics::{data::Dataset, measure::*, suppress::SuppressionOptions};
/// let periods = PeriodSpec { granularity: Granularity::Quarter, first: "2024-07-01".parse().unwrap(), count: 1 }.periods().unwrap();
/// let m = measure(&Dataset::default(), &periods, &MeasureOptions::default()).unwrap();
/// let values = published_values(&m, &[Level::System], &[], &SuppressionOptions::default());
/// let units = unit_values_for_scoring(&m, &values, Level::System, "2024Q3");
/// assert_eq!(units.len(), 1);
/// assert!(!units[0].contractor);
/// ```
pub fn unit_values_for_scoring(
    m: &Measurement,
    values: &[MetricValue],
    level: Level,
    period: &str,
) -> Vec<crate::metrics::score::UnitValues> {
    let names = m.names.get(&level).cloned().unwrap_or_default();
    let region_name = |r: Option<usize>| {
        r.and_then(|r| m.names.get(&Level::Region).and_then(|v| v.get(r)).cloned())
    };
    names
        .iter()
        .enumerate()
        .map(|(u, name)| {
            let region = match level {
                Level::System => None,
                Level::Region => Some(name.clone()),
                Level::Circuit => region_name(m.circuit_region.get(u).copied().flatten()),
                Level::County => region_name(
                    m.county_circuit
                        .get(u)
                        .copied()
                        .flatten()
                        .and_then(|c| m.circuit_region.get(c).copied().flatten()),
                ),
                Level::Provider => region_name(m.provider_region.get(u).copied().flatten()),
            };
            let mut unit = crate::metrics::score::UnitValues::new(name.clone());
            unit.region = region;
            unit.contractor =
                level == Level::Provider && m.provider_contractor.get(u).copied().unwrap_or(false);
            for v in values
                .iter()
                .filter(|v| v.level == level && v.period == period && &v.unit == name)
            {
                unit.values.insert(v.metric, v.value.clone());
            }
            unit
        })
        .collect()
}
