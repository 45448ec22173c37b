//! HB 1414 metrics on small datasets built by hand: every metric and scoring rule, with the
//! arithmetic in the comments, plus the edge cases of issue 3 (an empty provider, a zero
//! denominator, a child crossing a quarter, a child who turns 18).
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cwfinance::metrics::data::*;
use cwfinance::metrics::definitions::MetricId;
use cwfinance::metrics::measure::*;
use cwfinance::metrics::score::{Goals, ScoreOptions, UnitValues, score_unit};
use cwfinance::metrics::suppress::{Reason, SuppressionOptions};
use serde_json::Value;

fn d(y: i32, m: u32, day: u32) -> Day {
    Day::from_ymd(y, m, day).unwrap()
}

/// A dataset with one county/circuit/region and three providers (P1, P2 contractors in
/// Springfield; P3 with no children at all).
struct Builder {
    ds: Dataset,
    county: CountyIx,
    circuit: CircuitIx,
    region: RegionIx,
    p1: ProviderIx,
    p2: ProviderIx,
    w1: WorkerIx,
    w2: WorkerIx,
}

impl Builder {
    fn new() -> Builder {
        let mut ds = Dataset::default();
        let county = ds.counties.intern("Greene");
        let circuit = ds.circuits.intern("31");
        let region = ds.regions.intern("Springfield");
        let p1 = ds
            .providers
            .push("P1", "Provider One", ProviderKind::Contractor, Some(region));
        let p2 = ds
            .providers
            .push("P2", "Provider Two", ProviderKind::Contractor, Some(region));
        ds.providers.push(
            "P3",
            "Provider Three",
            ProviderKind::Contractor,
            Some(region),
        );
        let worker = |provider| Worker {
            provider,
            role: WorkerRole::CaseManager,
            supervisor: None,
            trauma_trained: None,
            hired: None,
            left: None,
        };
        let w1 = ds.workers.push("W1", worker(p1));
        let w2 = ds.workers.push("W2", worker(p2));
        Builder {
            ds,
            county,
            circuit,
            region,
            p1,
            p2,
            w1,
            w2,
        }
    }

    fn child(&mut self, id: &str, birth: Day) -> ChildIx {
        self.ds.children.push(id, birth)
    }

    fn episode(
        &mut self,
        child: ChildIx,
        removal: Day,
        exit: Option<Day>,
        reason: Option<ExitReason>,
    ) {
        self.ds.episodes.push(Episode {
            child,
            removal,
            exit,
            exit_reason: reason,
            county: self.county,
            circuit: self.circuit,
            region: self.region,
        });
    }

    fn assign(
        &mut self,
        child: ChildIx,
        provider: ProviderIx,
        worker: WorkerIx,
        start: Day,
        end: Option<Day>,
    ) {
        self.ds.assignments.push(Assignment {
            child,
            provider,
            worker,
            start,
            end,
        });
    }

    fn visit(&mut self, child: ChildIx, date: Day, kind: VisitKind, parent: Option<ParentIx>) {
        self.ds.visits.push(Visit {
            child,
            date,
            kind,
            parent,
            entered: None,
        });
    }

    fn report(&mut self, child: ChildIx, date: Day, substantiated: bool) {
        self.ds.reports.push(Report {
            child,
            date,
            substantiated,
            entered: None,
        });
    }

    fn run(mut self, first: Day, count: u32, options: &MeasureOptions) -> Measurement {
        self.ds.finalize();
        let periods = PeriodSpec {
            granularity: Granularity::Quarter,
            first: first.date(),
            count,
        }
        .periods()
        .unwrap();
        measure(&self.ds, &periods, options).unwrap()
    }
}

fn sys(m: &Measurement, period: usize, metric: MetricId) -> (u64, u64) {
    m.count(Level::System, 0, period, metric).unwrap()
}

fn prov(m: &Measurement, name: &str, period: usize, metric: MetricId) -> (u64, u64) {
    let u = m.unit(Level::Provider, name).unwrap();
    m.count(Level::Provider, u, period, metric).unwrap()
}

#[test]
fn worker_child_visits_for_a_child_crossing_a_quarter() {
    let mut b = Builder::new();
    let a = b.child("A", d(2015, 1, 1));
    // Removed mid-May 2024, still in care; P1 until August 1, then P2.
    b.episode(a, d(2024, 5, 15), None, None);
    let (p1, p2, w1, w2) = (b.p1, b.p2, b.w1, b.w2);
    b.assign(a, p1, w1, d(2024, 5, 15), Some(d(2024, 8, 1)));
    b.assign(a, p2, w2, d(2024, 8, 1), None);
    for date in [
        d(2024, 5, 20),
        d(2024, 6, 10),
        d(2024, 7, 5),
        d(2024, 9, 30),
    ] {
        b.visit(a, date, VisitKind::WorkerChild, None);
    }
    let ds_any = {
        let mut c = Builder::new();
        std::mem::swap(&mut c.ds, &mut b.ds);
        let copy = c.ds.clone();
        std::mem::swap(&mut c.ds, &mut b.ds);
        copy
    };
    let m = b.run(d(2024, 4, 1), 2, &MeasureOptions::default());
    // Q2 (full months only): May is partial (removed the 15th) and is not counted; June has a
    // visit: 1 of 1. Q3: July yes, August no, September yes: 2 of 3.
    assert_eq!(sys(&m, 0, MetricId::WorkerChildVisits), (1, 1));
    assert_eq!(sys(&m, 1, MetricId::WorkerChildVisits), (2, 3));
    // July goes to P1 (assigned on July 31); August and September to P2.
    assert_eq!(prov(&m, "P1", 1, MetricId::WorkerChildVisits), (1, 1));
    assert_eq!(prov(&m, "P2", 1, MetricId::WorkerChildVisits), (1, 2));
    // The county, circuit and region carry the same counts as the system.
    assert_eq!(
        m.count(Level::County, 0, 1, MetricId::WorkerChildVisits),
        Some((2, 3))
    );
    assert_eq!(
        m.count(Level::Region, 0, 1, MetricId::WorkerChildVisits),
        Some((2, 3))
    );

    // With any day in care counting, May counts too (visit on May 20): Q2 is 2 of 2.
    let mut ds = ds_any;
    ds.finalize();
    let periods = PeriodSpec {
        granularity: Granularity::Quarter,
        first: d(2024, 4, 1).date(),
        count: 1,
    }
    .periods()
    .unwrap();
    let any = MeasureOptions {
        partial_month: PartialMonthRule::AnyDay,
        ..MeasureOptions::default()
    };
    let m = measure(&ds, &periods, &any).unwrap();
    assert_eq!(sys(&m, 0, MetricId::WorkerChildVisits), (2, 2));
}

#[test]
fn parent_visits_respect_court_orders() {
    let mut b = Builder::new();
    let a = b.child("A", d(2015, 1, 1));
    b.episode(a, d(2024, 1, 1), None, None);
    let pa = b.ds.parent_ids.intern("PA");
    let pb = b.ds.parent_ids.intern("PB");
    b.ds.parents.push(ParentLink {
        child: a,
        parent: pa,
        visits_allowed: true,
    });
    b.ds.parents.push(ParentLink {
        child: a,
        parent: pb,
        visits_allowed: false,
    });
    b.visit(a, d(2024, 7, 9), VisitKind::ParentChild, Some(pa));
    b.visit(a, d(2024, 7, 9), VisitKind::WorkerParent, Some(pa));
    b.visit(a, d(2024, 8, 19), VisitKind::WorkerParent, Some(pb));
    let mut b2 = Builder::new();
    b2.ds = b.ds.clone();
    let m = b.run(d(2024, 7, 1), 1, &MeasureOptions::default());
    // Parent/child: only PA is eligible; 3 months, a visit in July: 1 of 3.
    assert_eq!(sys(&m, 0, MetricId::ParentChildVisits), (1, 3));
    // Worker/parent: both parents, 3 months = 6 parent-months; July PA and August PB: 2 of 6.
    assert_eq!(sys(&m, 0, MetricId::WorkerParentVisits), (2, 6));
    // No provider assigned: counted for the system, reported as an exclusion for providers.
    assert_eq!(
        m.exclusions(0, MetricId::WorkerChildVisits)
            .get("no_provider_assigned"),
        Some(&3)
    );
    let eligible_only = MeasureOptions {
        worker_parent_visits_eligible_only: true,
        ..MeasureOptions::default()
    };
    let m = b2.run(d(2024, 7, 1), 1, &eligible_only);
    // Only PA: 1 of 3.
    assert_eq!(sys(&m, 0, MetricId::WorkerParentVisits), (1, 3));
}

#[test]
fn maltreatment_and_the_child_who_turns_18() {
    let mut b = Builder::new();
    // Born 2006-08-01: 17 at removal on 2024-01-01, 18 on 2024-08-01.
    let u = b.child("U", d(2006, 8, 1));
    b.episode(u, d(2024, 1, 1), None, None);
    b.report(u, d(2024, 1, 5), true); // in the first 7 days (CFSR leaves it out)
    b.report(u, d(2024, 5, 1), true);
    b.report(u, d(2024, 6, 1), false); // unsubstantiated: never counted
    b.report(u, d(2024, 9, 1), true); // after the 18th birthday (CFSR leaves it out)
    let m = b.run(d(2024, 7, 1), 1, &MeasureOptions::default());
    // Phase I, 12 months to 2024-09-30: days 2024-01-01..2024-10-01 = 274 (31+29+31+30+31+30+31+31+30);
    // 3 substantiated reports.
    assert_eq!(sys(&m, 0, MetricId::MaltreatmentInCare), (3, 274));
    // 3 / 274 * 100,000 = 1094.890... -> 1094.89 per 100,000 days.
    let unit = MetricId::MaltreatmentInCare.definition().unit;
    assert_eq!(unit.format(unit.value(3, 274).unwrap()), "1094.89");
    // CFSR: days before the 18th birthday 2024-01-01..2024-08-01 = 213; 1 report counted.
    assert_eq!(sys(&m, 0, MetricId::CfsrMaltreatmentInCare), (1, 213));
    let ex = m.exclusions(0, MetricId::CfsrMaltreatmentInCare);
    assert_eq!(ex.get("days_after_18th_birthday"), Some(&61)); // Aug 31 + Sep 30
    assert_eq!(ex.get("report_in_first_days_of_episode"), Some(&1));
    // 1 / 213 * 100,000 = 469.483... -> 469.48
    assert_eq!(unit.format(unit.value(1, 213).unwrap()), "469.48");
}

#[test]
fn hcy_exam_within_30_days() {
    let mut b = Builder::new();
    let c = b.child("C", d(2015, 1, 1));
    let dd = b.child("D", d(2015, 1, 1));
    let e = b.child("E", d(2015, 1, 1));
    // C: removed June 20, exam July 20 = day 30: on time; deadline July 20 is in Q3.
    b.episode(c, d(2024, 6, 20), None, None);
    b.ds.hcy_exams.push(HcyExam {
        child: c,
        date: d(2024, 7, 20),
        entered: None,
    });
    // D: removed July 1, exam August 1 = day 31: late.
    b.episode(dd, d(2024, 7, 1), None, None);
    b.ds.hcy_exams.push(HcyExam {
        child: dd,
        date: d(2024, 8, 1),
        entered: None,
    });
    // E: removed July 5, home July 15 without an exam: left out.
    b.episode(
        e,
        d(2024, 7, 5),
        Some(d(2024, 7, 15)),
        Some(ExitReason::Reunification),
    );
    let m = b.run(d(2024, 7, 1), 1, &MeasureOptions::default());
    assert_eq!(sys(&m, 0, MetricId::HcyExamWithin30Days), (1, 2));
    assert_eq!(
        m.exclusions(0, MetricId::HcyExamWithin30Days)
            .get("exited_before_exam_deadline"),
        Some(&1)
    );
}

#[test]
fn reentry_within_12_months_of_exit() {
    let mut b = Builder::new();
    let f = b.child("F", d(2012, 1, 1));
    let g = b.child("G", d(2012, 1, 1));
    let h = b.child("H", d(2012, 1, 1));
    // F: home 2023-08-10, back 2024-03-01: follow-up ends 2024-08-10, in Q3: re-entered.
    b.episode(
        f,
        d(2023, 1, 1),
        Some(d(2023, 8, 10)),
        Some(ExitReason::Reunification),
    );
    b.episode(f, d(2024, 3, 1), None, None);
    // G: adopted: not followed up.
    b.episode(
        g,
        d(2022, 1, 1),
        Some(d(2023, 7, 1)),
        Some(ExitReason::Adoption),
    );
    // H: guardianship 2023-09-30, no return: follow-up ends 2024-09-30, in Q3.
    b.episode(
        h,
        d(2022, 1, 1),
        Some(d(2023, 9, 30)),
        Some(ExitReason::Guardianship),
    );
    let m = b.run(d(2024, 7, 1), 1, &MeasureOptions::default());
    // 1 of 2 = 50%.
    assert_eq!(sys(&m, 0, MetricId::ReentryWithin12Months), (1, 2));
}

#[test]
fn caseload_changes_count_distinct_workers() {
    let mut b = Builder::new();
    let (p1, p2, w1, w2) = (b.p1, b.p2, b.w1, b.w2);
    let a = b.child("A", d(2015, 1, 1));
    b.episode(a, d(2024, 5, 15), None, None);
    b.assign(a, p1, w1, d(2024, 5, 15), Some(d(2024, 8, 1)));
    b.assign(a, p2, w2, d(2024, 8, 1), None);
    let i = b.child("I", d(2012, 1, 1));
    b.episode(i, d(2022, 1, 1), None, None);
    b.assign(i, p1, w1, d(2022, 1, 1), Some(d(2023, 1, 1)));
    b.assign(i, p2, w2, d(2023, 1, 1), Some(d(2024, 1, 1)));
    b.assign(i, p1, w1, d(2024, 1, 1), None);
    let m = b.run(d(2024, 7, 1), 1, &MeasureOptions::default());
    // On 2024-09-30, A (4.5 months in care) had W1 and W2: 2 workers for 1 child.
    assert_eq!(sys(&m, 0, MetricId::CaseloadChangesUnder12Months), (2, 1));
    // I (2.7 years in care) had W1, W2, W1 again: 2 distinct workers for 1 child.
    assert_eq!(sys(&m, 0, MetricId::CaseloadChanges12MonthsOrMore), (2, 1));
    // Attributed to the provider on the last day: A -> P2, I -> P1.
    assert_eq!(
        prov(&m, "P2", 0, MetricId::CaseloadChangesUnder12Months),
        (2, 1)
    );
    assert_eq!(
        prov(&m, "P1", 0, MetricId::CaseloadChanges12MonthsOrMore),
        (2, 1)
    );
}

#[test]
fn residential_days_training_and_supervision() {
    let mut b = Builder::new();
    let (p1, p2, w1, w2) = (b.p1, b.p2, b.w1, b.w2);
    let j = b.child("J", d(2012, 1, 1));
    b.episode(j, d(2024, 1, 1), None, None);
    b.assign(j, p1, w1, d(2024, 1, 1), None);
    let k = b.child("K", d(2012, 1, 1));
    b.episode(k, d(2024, 1, 1), None, None);
    b.assign(k, p2, w2, d(2024, 1, 1), None);
    b.ds.placements.push(Placement {
        child: j,
        setting: PlacementSetting::FamilyFoster,
        start: d(2024, 1, 1),
        end: Some(d(2024, 8, 1)),
        entered: None,
    });
    b.ds.placements.push(Placement {
        child: j,
        setting: PlacementSetting::Residential,
        start: d(2024, 8, 1),
        end: Some(d(2024, 8, 11)),
        entered: None,
    });
    b.ds.placements.push(Placement {
        child: j,
        setting: PlacementSetting::FamilyFoster,
        start: d(2024, 8, 11),
        end: None,
        entered: None,
    });
    // Supervisor S (P1, trained) supervises W1 (trained on the last day) and W3 (P1, untrained,
    // carrying no child). W2 (P2) is trained after the quarter and has no supervisor.
    let s = b.ds.workers.push(
        "S",
        Worker {
            provider: p1,
            role: WorkerRole::Supervisor,
            supervisor: None,
            trauma_trained: Some(d(2024, 1, 1)),
            hired: None,
            left: None,
        },
    );
    b.ds.workers.supervisor[w1.index()] = Some(s);
    b.ds.workers.trauma_trained[w1.index()] = Some(d(2024, 9, 30));
    b.ds.workers.trauma_trained[w2.index()] = Some(d(2024, 10, 5));
    b.ds.workers.push(
        "W3",
        Worker {
            provider: p1,
            role: WorkerRole::CaseManager,
            supervisor: Some(s),
            trauma_trained: None,
            hired: None,
            left: None,
        },
    );
    let m = b.run(d(2024, 7, 1), 1, &MeasureOptions::default());
    // Residential: J 10 of 92 days; K 0 of 92: system 10 of 184 = 5.43%; P1 10 of 92 = 10.87%.
    assert_eq!(sys(&m, 0, MetricId::ResidentialPlacement), (10, 184));
    assert_eq!(prov(&m, "P1", 0, MetricId::ResidentialPlacement), (10, 92));
    let unit = MetricId::ResidentialPlacement.definition().unit;
    assert_eq!(unit.format(unit.value(10, 92).unwrap()), "10.87%");
    // Trauma training on 2024-09-30: P1 has W1, S (trained) and W3 (not): 2 of 3; P2 0 of 1.
    assert_eq!(prov(&m, "P1", 0, MetricId::TraumaTraining), (2, 3));
    assert_eq!(prov(&m, "P2", 0, MetricId::TraumaTraining), (0, 1));
    // Supervisor ratio: P1 has one case manager carrying a child (W1) and one supervisor
    // employed on 2024-09-30 (S): 1 / 1; P2 employs no supervisor: 1 / 0, no value.
    assert_eq!(prov(&m, "P1", 0, MetricId::SupervisorRatio), (1, 1));
    assert_eq!(prov(&m, "P2", 0, MetricId::SupervisorRatio), (1, 0));
    assert_eq!(
        MetricId::SupervisorRatio.definition().unit.value(1, 0),
        None
    );
}

/// The supervisor column is a snapshot (the latest supervisor), so the ratio counts the
/// supervisors employed on the last day, not the supervisors the case managers name.
#[test]
fn supervisor_ratio_counts_supervisors_employed_on_the_last_day() {
    let mut b = Builder::new();
    let p1 = b.p1;
    let sup = |b: &mut Builder, id: &str, hired: Option<Day>, left: Option<Day>| {
        b.ds.workers.push(
            id,
            Worker {
                provider: p1,
                role: WorkerRole::Supervisor,
                supervisor: None,
                trauma_trained: None,
                hired,
                left,
            },
        )
    };
    // S_OLD left in June (named by a case manager who left with her), S_NOW employed all along,
    // S_NEXT hired in November, after the quarter (named by case managers still employed at the
    // end of the extract), S_TWO employed and supervising nobody named.
    let s_old = sup(&mut b, "S_OLD", Some(d(2019, 1, 1)), Some(d(2024, 6, 1)));
    let s_now = sup(&mut b, "S_NOW", Some(d(2020, 1, 1)), Some(d(2024, 11, 1)));
    let s_next = sup(&mut b, "S_NEXT", Some(d(2024, 11, 1)), None);
    sup(&mut b, "S_TWO", Some(d(2018, 1, 1)), None);
    let cm = |b: &mut Builder, id: &str, s| {
        b.ds.workers.push(
            id,
            Worker {
                provider: p1,
                role: WorkerRole::CaseManager,
                supervisor: Some(s),
                trauma_trained: None,
                hired: None,
                left: None,
            },
        )
    };
    let w1 = b.w1;
    b.ds.workers.supervisor[w1.index()] = Some(s_old);
    let cms = [
        w1,
        cm(&mut b, "CM_A", s_now),
        cm(&mut b, "CM_B", s_next),
        cm(&mut b, "CM_C", s_next),
        cm(&mut b, "CM_D", s_now),
    ];
    // CM_E carries no child on 2024-09-30 (assignment ended 2024-09-30, half-open): not counted.
    let cm_e = cm(&mut b, "CM_E", s_now);
    for (n, w) in cms.iter().enumerate() {
        let c = b.child(&format!("K{n}"), d(2015, 1, 1));
        b.episode(c, d(2024, 1, 1), None, None);
        b.assign(c, p1, *w, d(2024, 1, 1), None);
    }
    let c = b.child("KE", d(2015, 1, 1));
    b.episode(c, d(2024, 1, 1), None, None);
    b.assign(c, p1, cm_e, d(2024, 1, 1), Some(d(2024, 9, 30)));
    let m = b.run(d(2024, 7, 1), 2, &MeasureOptions::default());
    // 2024Q3, last day 2024-09-30: 5 case managers carry a child (W1, CM_A..CM_D); employed
    // supervisors S_NOW and S_TWO: 5 / 2 = 2.50. Counting the named supervisors (S_OLD, S_NOW,
    // S_NEXT) would give 5 / 3 = 1.67.
    assert_eq!(prov(&m, "P1", 0, MetricId::SupervisorRatio), (5, 2));
    assert_eq!(sys(&m, 0, MetricId::SupervisorRatio), (5, 2));
    let unit = MetricId::SupervisorRatio.definition().unit;
    assert_eq!(unit.format(unit.value(5, 2).unwrap()), "2.5");
    // 2024Q4, last day 2024-12-31: the same 5 case managers; S_NOW left 2024-11-01, S_NEXT and
    // S_TWO employed: 5 / 2.
    assert_eq!(prov(&m, "P1", 1, MetricId::SupervisorRatio), (5, 2));
    // P3 has no workers at all: 0 / 0.
    assert_eq!(prov(&m, "P3", 0, MetricId::SupervisorRatio), (0, 0));
}

#[test]
fn timely_permanency_by_goal() {
    let mut b = Builder::new();
    let goal = |b: &mut Builder, child, goal, date| {
        b.ds.permanency_goals
            .push(PermanencyGoal { child, goal, date })
    };
    // K: reunification goal, home 2024-08-15 before the 12-month deadline 2024-09-01: timely.
    let k = b.child("K", d(2015, 1, 1));
    b.episode(
        k,
        d(2023, 9, 1),
        Some(d(2024, 8, 15)),
        Some(ExitReason::Reunification),
    );
    goal(&mut b, k, Goal::Reunification, d(2023, 10, 1));
    // M: guardianship goal, removed 2022-08-01, deadline 2024-02-01 passed in care: counted in Q1.
    let mm = b.child("M", d(2015, 1, 1));
    b.episode(mm, d(2022, 8, 1), None, None);
    goal(&mut b, mm, Goal::Guardianship, d(2022, 9, 1));
    // N: reunification goal but exit to guardianship on 2024-07-20: not the goal.
    let n = b.child("N", d(2015, 1, 1));
    b.episode(
        n,
        d(2024, 1, 10),
        Some(d(2024, 7, 20)),
        Some(ExitReason::Guardianship),
    );
    goal(&mut b, n, Goal::Reunification, d(2024, 2, 1));
    // O: APPLA has no timeframe: left out (counted when it ends in Q3).
    let o = b.child("O", d(2008, 1, 1));
    b.episode(
        o,
        d(2023, 1, 1),
        Some(d(2024, 9, 1)),
        Some(ExitReason::Emancipation),
    );
    goal(&mut b, o, Goal::Appla, d(2023, 2, 1));
    let m = b.run(d(2024, 1, 1), 3, &MeasureOptions::default());
    // Q1 (period 0): M's deadline: 0 of 1. Q3 (period 2): K yes, N no: 1 of 2.
    assert_eq!(sys(&m, 0, MetricId::TimelyPermanency), (0, 1));
    assert_eq!(sys(&m, 2, MetricId::TimelyPermanency), (1, 2));
    assert_eq!(
        m.exclusions(2, MetricId::TimelyPermanency)
            .get("goal_without_timeframe"),
        Some(&1)
    );
}

#[test]
fn cfsr_permanency_for_entries_with_trial_home_visit() {
    let mut b = Builder::new();
    // Period 2024Q3: the entry cohort is 2022-10-01..2023-10-01.
    let p = b.child("P", d(2015, 1, 1));
    b.episode(
        p,
        d(2023, 1, 5),
        Some(d(2023, 11, 1)),
        Some(ExitReason::Reunification),
    );
    let q = b.child("Q", d(2015, 1, 1));
    b.episode(
        q,
        d(2023, 2, 1),
        Some(d(2023, 2, 5)),
        Some(ExitReason::Reunification),
    ); // 4 days
    let r = b.child("R", d(2005, 1, 1));
    b.episode(r, d(2023, 3, 1), None, None); // 18 at entry
    // S: on a trial home visit from 2024-01-10, discharged 2024-06-01 (past the 12 months
    // ending 2024-04-01); the visit lasted over 30 days, so the discharge counts on 2024-02-09.
    let s = b.child("S", d(2015, 1, 1));
    b.episode(
        s,
        d(2023, 4, 1),
        Some(d(2024, 6, 1)),
        Some(ExitReason::Reunification),
    );
    b.ds.placements.push(Placement {
        child: s,
        setting: PlacementSetting::FamilyFoster,
        start: d(2023, 4, 1),
        end: Some(d(2024, 1, 10)),
        entered: None,
    });
    b.ds.placements.push(Placement {
        child: s,
        setting: PlacementSetting::TrialHomeVisit,
        start: d(2024, 1, 10),
        end: Some(d(2024, 6, 1)),
        entered: None,
    });
    let t = b.child("T", d(2015, 1, 1));
    b.episode(t, d(2023, 5, 1), None, None);
    let m = b.run(d(2024, 7, 1), 1, &MeasureOptions::default());
    // P and S reach permanency within 12 months; T does not: 2 of 3.
    assert_eq!(sys(&m, 0, MetricId::CfsrPermanency12MonthsEntries), (2, 3));
    let ex = m.exclusions(0, MetricId::CfsrPermanency12MonthsEntries);
    assert_eq!(
        (
            ex.get("stay_under_min_days"),
            ex.get("entered_at_18_or_older")
        ),
        (Some(&1), Some(&1))
    );
    // Without the adjustment (a 400-day threshold), S is late: 1 of 3.
    let mut b2 = Builder::new();
    b2.ds = m_dataset_for_thv();
    let late = MeasureOptions {
        trial_home_visit_days: 400,
        ..MeasureOptions::default()
    };
    let m2 = b2.run(d(2024, 7, 1), 1, &late);
    assert_eq!(sys(&m2, 0, MetricId::CfsrPermanency12MonthsEntries), (0, 1));
}

fn m_dataset_for_thv() -> Dataset {
    let mut b = Builder::new();
    let s = b.child("S", d(2015, 1, 1));
    b.episode(
        s,
        d(2023, 4, 1),
        Some(d(2024, 6, 1)),
        Some(ExitReason::Reunification),
    );
    b.ds.placements.push(Placement {
        child: s,
        setting: PlacementSetting::TrialHomeVisit,
        start: d(2024, 1, 10),
        end: Some(d(2024, 6, 1)),
        entered: None,
    });
    b.ds
}

#[test]
fn cfsr_in_care_12_23_and_24_plus_reentry_stability_recurrence() {
    let mut b = Builder::new();
    // Period 2024Q3; first day of its 12 months: 2023-10-01.
    // A1: in care since 2022-06-01 (16 months on 2023-10-01), adopted 2024-05-01: 12-23, yes.
    let a1 = b.child("A1", d(2015, 1, 1));
    b.episode(
        a1,
        d(2022, 6, 1),
        Some(d(2024, 5, 1)),
        Some(ExitReason::Adoption),
    );
    // A2: since 2021-01-01 (33 months), still in care: 24+, no.
    let a2 = b.child("A2", d(2015, 1, 1));
    b.episode(a2, d(2021, 1, 1), None, None);
    // V: entered 2022-01-01 (re-entry cohort 2021-10-01..2022-10-01), home 2022-06-01, back 2023-01-01.
    let v = b.child("V", d(2015, 1, 1));
    b.episode(
        v,
        d(2022, 1, 1),
        Some(d(2022, 6, 1)),
        Some(ExitReason::Reunification),
    );
    b.episode(
        v,
        d(2023, 1, 1),
        Some(d(2023, 3, 1)),
        Some(ExitReason::Reunification),
    );
    // W: entered 2024-01-01; foster, runaway, back to foster (not a move), relative (move),
    // group home (move): 2 moves in 274 days.
    let w = b.child("W", d(2015, 1, 1));
    b.episode(w, d(2024, 1, 1), None, None);
    for (setting, start) in [
        (PlacementSetting::FamilyFoster, d(2024, 1, 1)),
        (PlacementSetting::Runaway, d(2024, 3, 1)),
        (PlacementSetting::FamilyFoster, d(2024, 3, 5)),
        (PlacementSetting::Relative, d(2024, 5, 1)),
        (PlacementSetting::GroupHome, d(2024, 9, 1)),
    ] {
        b.ds.placements.push(Placement {
            child: w,
            setting,
            start,
            end: None,
            entered: None,
        });
    }
    // Placements must not overlap in loaded data; built by hand, give each an end.
    let ends = [d(2024, 3, 1), d(2024, 3, 5), d(2024, 5, 1), d(2024, 9, 1)];
    for (i, e) in ends.iter().enumerate() {
        b.ds.placements.end[i] = Some(*e);
    }
    // Recurrence cohort 2022-10-01..2023-10-01: X recurs (Jan 1, same incident Jan 10, again
    // Dec 1); Y's next report is 13 months later.
    let x = b.child("X", d(2015, 1, 1));
    b.report(x, d(2023, 1, 1), true);
    b.report(x, d(2023, 1, 10), true);
    b.report(x, d(2023, 12, 1), true);
    let y = b.child("Y", d(2015, 1, 1));
    b.report(y, d(2023, 2, 1), true);
    b.report(y, d(2024, 3, 1), true);
    let m = b.run(d(2024, 7, 1), 1, &MeasureOptions::default());
    assert_eq!(sys(&m, 0, MetricId::CfsrPermanency12MonthsIn12To23), (1, 1));
    assert_eq!(sys(&m, 0, MetricId::CfsrPermanency12Months24Plus), (0, 1));
    assert_eq!(sys(&m, 0, MetricId::CfsrReentry12Months), (1, 1));
    assert_eq!(sys(&m, 0, MetricId::CfsrPlacementStability), (2, 274));
    // 2 / 274 * 1,000 = 7.299... -> 7.30
    let unit = MetricId::CfsrPlacementStability.definition().unit;
    assert_eq!(unit.format(unit.value(2, 274).unwrap()), "7.3");
    assert_eq!(sys(&m, 0, MetricId::CfsrRecurrenceOfMaltreatment), (1, 2));
}

#[test]
fn sentinel_events_data_entry_and_returns() {
    let mut b = Builder::new();
    let (p1, w1) = (b.p1, b.w1);
    let a = b.child("A", d(2015, 1, 1));
    b.episode(a, d(2024, 1, 1), None, None);
    b.assign(a, p1, w1, d(2024, 1, 1), None);
    for (occurred, reported) in [
        (d(2024, 7, 1), Some(d(2024, 7, 2))),
        (d(2024, 7, 10), Some(d(2024, 7, 15))),
        (d(2024, 7, 20), None),
    ] {
        b.ds.sentinel_events.push(SentinelEvent {
            child: a,
            kind: SentinelKind::Elopement,
            occurred,
            reported,
        });
    }
    for (date, entered) in [
        (d(2024, 7, 31), Some(d(2024, 8, 15))),
        (d(2024, 8, 1), Some(d(2024, 9, 16))),
        (d(2024, 8, 2), None),
    ] {
        b.ds.visits.push(Visit {
            child: a,
            date,
            kind: VisitKind::WorkerChild,
            parent: None,
            entered,
        });
    }
    b.ds.case_returns.push(CaseReturn {
        child: a,
        provider: p1,
        date: d(2024, 8, 1),
        reason: ReturnReason::CatastrophicCost,
        cost: Some("12500.50".parse().unwrap()),
    });
    b.ds.case_returns.push(CaseReturn {
        child: a,
        provider: p1,
        date: d(2024, 9, 1),
        reason: ReturnReason::CourtOrder,
        cost: None,
    });
    let m = b.run(d(2024, 7, 1), 1, &MeasureOptions::default());
    // Reported the next day: on time; 5 days: late; never: late. 1 of 3.
    assert_eq!(sys(&m, 0, MetricId::SentinelEventTimeliness), (1, 3));
    // July 31 entered Aug 15 (the deadline): on time; Aug 1 entered Sep 16: late. 1 of 2.
    assert_eq!(sys(&m, 0, MetricId::TimelyDataEntry), (1, 2));
    assert_eq!(
        m.exclusions(0, MetricId::TimelyDataEntry)
            .get("no_entry_date"),
        Some(&1)
    );
    // Returns: $12,500.50 over 2 cases.
    assert_eq!(
        prov(&m, "P1", 0, MetricId::CatastrophicReturns),
        (1_250_050, 2)
    );
}

#[test]
fn empty_provider_and_zero_denominators_are_not_scored() {
    let mut b = Builder::new();
    let (p1, w1) = (b.p1, b.w1);
    let a = b.child("A", d(2015, 1, 1));
    b.episode(a, d(2024, 1, 1), None, None);
    b.assign(a, p1, w1, d(2024, 1, 1), None);
    let m = b.run(d(2024, 7, 1), 1, &MeasureOptions::default());
    let values = published_values(
        &m,
        &[Level::Provider],
        &[],
        &SuppressionOptions {
            min_denominator: 0,
            complementary: false,
        },
    );
    // P3 has no children: every count is zero and no value except the returns' $0.00.
    let p3: Vec<_> = values.iter().filter(|v| v.unit == "P3").collect();
    assert_eq!(p3.len(), MetricId::ALL.len());
    assert!(p3.iter().all(|v| v.denominator == Some(0)));
    assert!(
        p3.iter()
            .all(|v| v.value.is_none() || v.metric == MetricId::CatastrophicReturns)
    );
    let mut unit = UnitValues::new("P3").region("Springfield");
    for v in &p3 {
        unit.values.insert(v.metric, v.value.clone());
    }
    let goals = Goals::in_force("2024-09-30".parse().unwrap()).unwrap();
    let card = score_unit(
        &unit,
        &goals,
        &ScoreOptions::default(),
        &mut cwfinance::Trace::disabled(),
    )
    .unwrap();
    assert!(card.items.iter().all(|i| !i.scored));
    assert_eq!(card.goals_met, None);
    assert_eq!(card.total.to_string(), "0%");
    assert_eq!(card.incentive.share.to_string(), "0%");
}

#[test]
fn small_cells_are_suppressed_with_a_complement() {
    // Two counties in one circuit; county B has a single child-month.
    let mut ds = Dataset::default();
    let region = ds.regions.intern("Springfield");
    let circuit = ds.circuits.intern("31");
    let ca = ds.counties.intern("A");
    let cb = ds.counties.intern("B");
    let cc = ds.counties.intern("C");
    let circuit2 = ds.circuits.intern("32");
    let mut n = 0;
    let mut add = |ds: &mut Dataset, county, circuit, removal: Day| {
        n += 1;
        let c = ds.children.push(&format!("C{n}"), d(2015, 1, 1));
        ds.episodes.push(Episode {
            child: c,
            removal,
            exit: None,
            exit_reason: None,
            county,
            circuit,
            region,
        });
    };
    for _ in 0..5 {
        add(&mut ds, ca, circuit, d(2024, 1, 1)); // 3 child-months each in Q3: 15
    }
    add(&mut ds, cb, circuit, d(2024, 9, 1)); // September only: 1
    for _ in 0..4 {
        add(&mut ds, cc, circuit2, d(2024, 1, 1)); // 12
    }
    ds.finalize();
    let periods = PeriodSpec {
        granularity: Granularity::Quarter,
        first: d(2024, 7, 1).date(),
        count: 1,
    }
    .periods()
    .unwrap();
    let m = measure(&ds, &periods, &MeasureOptions::default()).unwrap();
    let vals = published_values(
        &m,
        &Level::ALL,
        &[MetricId::WorkerChildVisits],
        &SuppressionOptions::default(),
    );
    let get = |level, unit: &str| {
        vals.iter()
            .find(|v| v.level == level && v.unit == unit)
            .unwrap()
    };
    // System 28, circuit 31 = 16 (A 15 + B 1), circuit 32 = 12 (C 12).
    assert_eq!(get(Level::System, "system").denominator, Some(28));
    assert_eq!(get(Level::County, "B").suppressed, Some(Reason::Primary));
    // A is B's only sibling: hidden too, else 16 - 15 = 1.
    assert_eq!(
        get(Level::County, "A").suppressed,
        Some(Reason::Complementary)
    );
    assert_eq!(get(Level::County, "C").suppressed, None);
    assert_eq!(get(Level::Circuit, "31").suppressed, None);
}

fn vector(kind: &str, name: &str) -> Value {
    let path = format!(
        "{}/../../tests/vectors/{kind}/{name}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

#[test]
fn measure_vector_figures_by_hand() {
    let v = vector("hb1414.measure", "visits_hcy_maltreatment");
    let out = cwfinance::evaluate(&v["request"]);
    let find = |period: &str, level: &str, unit: &str, metric: &str| -> Value {
        out["values"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| {
                r["period"] == period
                    && r["level"] == level
                    && r["unit"] == unit
                    && r["metric"] == metric
            })
            .cloned()
            .unwrap_or(Value::Null)
    };
    // C1 removed 2024-05-15 (crosses into Q3); visits June 10, July 5, Sept 30.
    // Q2: June only (May partial): 1 of 1. Q3: July, Sept of 3 months: 2 of 3 = 66.67%.
    assert_eq!(
        find("2024Q2", "system", "system", "worker_child_visits")["value"],
        "100%"
    );
    assert_eq!(
        find("2024Q3", "system", "system", "worker_child_visits")["value"],
        "66.67%"
    );
    // July with FCCM1; Aug and Sept with CD (assigned from Aug 1): FCCM1 1/1, CD 1/2.
    assert_eq!(
        find("2024Q3", "provider", "FCCM1", "worker_child_visits")["value"],
        "100%"
    );
    assert_eq!(
        find("2024Q3", "provider", "CD", "worker_child_visits")["value"],
        "50%"
    );
    // HCY: C1 removed May 15, deadline June 14, exam June 1: Q2 1 of 1.
    assert_eq!(
        find("2024Q2", "system", "system", "hcy_exam_within_30_days")["value"],
        "100%"
    );
    // Maltreatment, 12 months to 2024-09-30: C1 in care 2024-05-15..2024-10-01 = 139 days
    // (17 + 30 + 31 + 31 + 30), one substantiated report Aug 20: 1 / 139 * 100,000 = 719.42.
    let malt = find("2024Q3", "system", "system", "maltreatment_in_care");
    assert_eq!(
        (malt["numerator"].as_u64(), malt["denominator"].as_u64()),
        (Some(1), Some(139))
    );
    assert_eq!(malt["value"], "719.42");
}

#[test]
fn score_vector_figures_by_hand() {
    let v = vector("hb1414.score", "phase1_and_phase2");
    let out = cwfinance::evaluate(&v["request"]);
    let card = &out["scorecards"][0];
    // Phase I (as of 2023-06-30) for FCCM A, Springfield:
    //   worker/child 90/95 = 94.7368% x 25 = 23.68; maltreatment 9.67/12.5 = 77.36% x 20 = 15.47;
    //   HCY 98/98 x 25 = 25; worker/parent 60/50 capped 100% x 15 = 15; re-entry 8.1/9 = 90% x 20 = 18.
    //   Total 97.15 of 105.
    assert_eq!(card["total"], "97.15%");
    assert_eq!(card["weight_sum"], "105%");
    assert_eq!(card["goals_met"], false);
    let card2 = &out["scorecards"][1];
    // The Division: all goals met -> total 105%, but not a contractor: no incentive.
    assert_eq!(card2["total"], "105%");
    assert_eq!(card2["incentive"]["share"], "0%");

    let v = vector("hb1414.score", "phase2_incentive_normalized");
    let out = cwfinance::evaluate(&v["request"]);
    // Phase II, every item at or above goal and capped at 100%: 25 + 20 + 25 + 15 + 20 + 50 =
    // 155 of 155 scored, normalized 155 / 155 = 100%. Kansas City 31% > 30%: qualifies (50%)
    // and meets every goal (50%); St. Louis 32% equals 32%: does not exceed, earns nothing.
    let kc = &out["scorecards"][0];
    assert_eq!(
        (kc["raw_total"].as_str(), kc["total"].as_str()),
        (Some("155%"), Some("100%"))
    );
    assert_eq!(kc["incentive"]["share"], "100%");
    let stl = &out["scorecards"][1];
    assert_eq!(stl["goals_met"], true);
    assert_eq!(stl["incentive"]["exceeds_permanency_goal"], false);
    assert_eq!(stl["incentive"]["share"], "0%");
}

#[test]
fn outcome_table_of_002_by_hand() {
    let v = vector("outcomes.compare", "missouri_fccm_outcomes_002");
    let out = cwfinance::evaluate(&v["request"]);
    let cell = |domain: usize, i: usize| out["domains"][domain]["cells"][i].clone();
    // Re-entry (target 91.4%): Springfield Year 1 95.4 vs 100.0: both met, -4.6 points.
    let c = cell(0, 0);
    assert_eq!(
        (c["contractor_met"].clone(), c["mirror_met"].clone()),
        (Value::Bool(true), Value::Bool(true))
    );
    assert_eq!(c["contractor_minus_mirror"], "-4.6%");
    // Kansas City Year 1 94.9 vs 81.3: mirror not met, +13.6 points.
    let c = cell(0, 2);
    assert_eq!(c["mirror_met"], false);
    assert_eq!(c["contractor_minus_mirror"], "13.6%");
    // Stability (82%): St. Louis Year 2 80.0: not met, no mirror.
    let c = cell(1, 5);
    assert_eq!(c["contractor_met"], false);
    assert!(c.get("mirror_met").is_none_or(Value::is_null));
    // Permanency: Springfield Year 1 23% < 24% not met; Kansas City Year 2 mirror 34% >= 30% met.
    assert_eq!(cell(2, 0)["contractor_met"], false);
    assert_eq!(cell(2, 3)["mirror_met"], true);
    // Safety (99.43%): Kansas City Year 1 99.5 vs 100.0: -0.5 points.
    assert_eq!(cell(3, 2)["contractor_minus_mirror"], "-0.5%");
    // Counts: re-entry contractors met 5 of 6 (Kansas City Year 2, 90.9%, is below 91.4%);
    // mirrors 2 of 4 (Kansas City 81.3% and 85.2% are below).
    assert_eq!(out["domains"][0]["contractor_met"], 5);
    assert_eq!(out["domains"][0]["mirror_met"], 2);
}

/// (domain, region, period, contractor, mirror, target, contractor met, mirror met, minus).
type Cell002 = (
    usize,
    &'static str,
    &'static str,
    &'static str,
    Option<&'static str>,
    &'static str,
    bool,
    Option<bool>,
    Option<&'static str>,
);

/// Every cell of the 002 outcome table, read from the source by hand: contractor, mirror, target,
/// then met (value >= target) and contractor minus mirror in points.
#[test]
fn outcome_table_of_002_every_cell_by_hand() {
    let v = vector("outcomes.compare", "missouri_fccm_outcomes_002");
    let out = cwfinance::evaluate(&v["request"]);
    // (domain, region, period, contractor, mirror, target, contractor met, mirror met, minus)
    #[rustfmt::skip]
    let table: [Cell002; 24] = [
        // Re-entry, target 91.4%
        (0, "Springfield", "Year 1", "95.4%", Some("100%"), "91.4%", true, Some(true), Some("-4.6%")),   // 95.4 - 100.0
        (0, "Springfield", "Year 2", "96.8%", Some("94%"), "91.4%", true, Some(true), Some("2.8%")),     // 96.8 - 94.0
        (0, "Kansas City", "Year 1", "94.9%", Some("81.3%"), "91.4%", true, Some(false), Some("13.6%")), // 94.9 - 81.3
        (0, "Kansas City", "Year 2", "90.9%", Some("85.2%"), "91.4%", false, Some(false), Some("5.7%")), // 90.9 - 85.2
        (0, "St. Louis", "Year 1", "96.2%", None, "91.4%", true, None, None),
        (0, "St. Louis", "Year 2", "96.4%", None, "91.4%", true, None, None),
        // Stability, target 82%
        (1, "Springfield", "Year 1", "97%", Some("95%"), "82%", true, Some(true), Some("2%")),
        (1, "Springfield", "Year 2", "87%", Some("86%"), "82%", true, Some(true), Some("1%")),
        (1, "Kansas City", "Year 1", "94%", Some("89%"), "82%", true, Some(true), Some("5%")),
        (1, "Kansas City", "Year 2", "86%", Some("79%"), "82%", true, Some(false), Some("7%")),
        (1, "St. Louis", "Year 1", "92%", None, "82%", true, None, None),
        (1, "St. Louis", "Year 2", "80%", None, "82%", false, None, None),
        // Permanency, regional targets Springfield 24%, Kansas City 30%, St. Louis 32%
        (2, "Springfield", "Year 1", "23%", Some("20%"), "24%", false, Some(false), Some("3%")),
        (2, "Springfield", "Year 2", "27%", Some("34%"), "24%", true, Some(true), Some("-7%")),
        (2, "Kansas City", "Year 1", "37%", Some("40%"), "30%", true, Some(true), Some("-3%")),
        (2, "Kansas City", "Year 2", "33%", Some("34%"), "30%", true, Some(true), Some("-1%")),
        (2, "St. Louis", "Year 1", "26%", None, "32%", false, None, None),
        (2, "St. Louis", "Year 2", "30%", None, "32%", false, None, None),
        // Safety, target 99.43%
        (3, "Springfield", "Year 1", "100%", Some("99.6%"), "99.43%", true, Some(true), Some("0.4%")),
        (3, "Springfield", "Year 2", "99.8%", Some("99.6%"), "99.43%", true, Some(true), Some("0.2%")),
        (3, "Kansas City", "Year 1", "99.5%", Some("100%"), "99.43%", true, Some(true), Some("-0.5%")),
        (3, "Kansas City", "Year 2", "99.6%", Some("100%"), "99.43%", true, Some(true), Some("-0.4%")),
        (3, "St. Louis", "Year 1", "99.6%", None, "99.43%", true, None, None),
        (3, "St. Louis", "Year 2", "100%", None, "99.43%", true, None, None),
    ];
    let opt_str = |v: &Value| v.as_str().map(str::to_string);
    for (i, (dom, region, period, con, mir, target, con_met, mir_met, minus)) in
        table.iter().enumerate()
    {
        let c = &out["domains"][*dom]["cells"][i % 6];
        assert_eq!(c["region"], *region, "row {i}");
        assert_eq!(c["period"], *period, "row {i}");
        assert_eq!(c["contractor"], *con, "row {i}");
        assert_eq!(opt_str(&c["mirror"]), mir.map(str::to_string), "row {i}");
        assert_eq!(c["target"], *target, "row {i}");
        assert_eq!(c["contractor_met"], *con_met, "row {i}");
        assert_eq!(c["mirror_met"].as_bool(), *mir_met, "row {i}");
        assert_eq!(
            opt_str(&c["contractor_minus_mirror"]),
            minus.map(str::to_string),
            "row {i}"
        );
    }
    // Met counts per domain (contractors of 6, mirrors of 4): re-entry 5, 2; stability 5, 3;
    // permanency 3, 3; safety 6, 4.
    for (dom, con, mir) in [(0, 5, 2), (1, 5, 3), (2, 3, 3), (3, 6, 4)] {
        assert_eq!(out["domains"][dom]["contractor_met"], con);
        assert_eq!(out["domains"][dom]["mirror_met"], mir);
    }
}

/// The same child measured by month, by quarter and over rolling 12 months.
#[test]
fn months_quarters_and_rolling_twelve_months() {
    let mut b = Builder::new();
    let (p1, w1) = (b.p1, b.w1);
    let a = b.child("A", d(2015, 1, 1));
    // Removed 2023-11-10 (November partial), still in care; visits in Dec, Feb, Jul, Sep.
    b.episode(a, d(2023, 11, 10), None, None);
    b.assign(a, p1, w1, d(2023, 11, 10), None);
    for date in [d(2023, 12, 4), d(2024, 2, 9), d(2024, 7, 1), d(2024, 9, 30)] {
        b.visit(a, date, VisitKind::WorkerChild, None);
    }
    b.ds.finalize();
    let run = |granularity, first: Day, count| {
        let periods = PeriodSpec {
            granularity,
            first: first.date(),
            count,
        }
        .periods()
        .unwrap();
        let labels: Vec<String> = periods.iter().map(|p| p.label.clone()).collect();
        (
            labels,
            measure(&b.ds, &periods, &MeasureOptions::default()).unwrap(),
        )
    };
    // Months July, August, September 2024: visit, none, visit.
    let (labels, m) = run(Granularity::Month, d(2024, 7, 1), 3);
    assert_eq!(labels, ["2024-07", "2024-08", "2024-09"]);
    assert_eq!(sys(&m, 0, MetricId::WorkerChildVisits), (1, 1));
    assert_eq!(sys(&m, 1, MetricId::WorkerChildVisits), (0, 1));
    assert_eq!(sys(&m, 2, MetricId::WorkerChildVisits), (1, 1));
    // 2024Q3 as a quarter: 2 of 3, the sum of its months.
    let (_, m) = run(Granularity::Quarter, d(2024, 7, 1), 1);
    assert_eq!(sys(&m, 0, MetricId::WorkerChildVisits), (2, 3));
    // 12 months to 2024-09 = 2023-10-01..2024-10-01: full months in care Dec..Sep = 10
    // (November 2023 is partial); visits in Dec, Feb, Jul, Sep = 4 of 10 = 40%.
    let (labels, m) = run(Granularity::Rolling12Months, d(2024, 9, 1), 1);
    assert_eq!(labels, ["12 months to 2024-09"]);
    assert_eq!(sys(&m, 0, MetricId::WorkerChildVisits), (4, 10));
    assert_eq!(prov(&m, "P1", 0, MetricId::WorkerChildVisits), (4, 10));
}
