//! Case-level data for HB 1414: loading, problems, load statistics and the synthetic generator.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cwfinance::metrics::data::*;
use cwfinance::metrics::load::{LoadOptions, UnknownColumns, from_csv, from_csv_bytes, from_json};
use cwfinance::metrics::synth::{SynthOptions, bad_rows, generate, to_csv};
use cwfinance::{DataProblem, Error};
use proptest::prelude::*;
use rust_decimal::Decimal;

/// A small, complete dataset: every table, every code family, a forward supervisor reference,
/// one exact duplicate visit.
fn base() -> Vec<(String, String)> {
    let files: [(&str, &str); 13] = [
        (
            "providers.csv",
            "provider_id,name,kind,region\n\
             CD,Children's Division,division,\n\
             FCCM1,Ozarks Family Partnership,contractor,Springfield\n",
        ),
        (
            "children.csv",
            "child_id,birth_date\nC1,2010-03-15\nC2,2006-07-01\nC3,2023-02-10\n",
        ),
        (
            "workers.csv",
            "worker_id,provider_id,role,supervisor_id,trauma_training_date,hire_date,end_date\n\
             W1,FCCM1,case_manager,S1,2022-05-01,2021-01-04,\n\
             S1,FCCM1,supervisor,,2021-03-01,2019-06-01,\n\
             W2,CD,case_manager,,,2020-02-01,2024-03-01\n",
        ),
        (
            "parents.csv",
            "parent_id,child_id,visits_allowed\nP1,C1,true\nP2,C1,false\nP3,C3,yes\n",
        ),
        (
            "episodes.csv",
            "child_id,removal_date,exit_date,exit_reason,county,circuit,region\n\
             C1,2022-01-10,2023-01-05,reunification,Greene,31,Springfield\n\
             C1,2023-06-01,,,Greene,31,Springfield\n\
             C2,2023-03-01,2024-07-01,emancipation,Jackson,16,Kansas City\n\
             C3,2023-02-10,2023-02-14,reunification,Greene,31,Springfield\n",
        ),
        (
            "assignments.csv",
            "child_id,provider_id,worker_id,start_date,end_date\n\
             C1,FCCM1,W1,2022-01-10,2023-01-05\n\
             C1,FCCM1,W1,2023-06-01,\n\
             C2,CD,W2,2023-03-01,2024-03-01\n",
        ),
        (
            "placements.csv",
            "child_id,setting,start_date,end_date,entered_date\n\
             C1,family_foster,2022-01-10,2022-08-01,2022-01-12\n\
             C1,trial_home_visit,2022-08-01,2023-01-05,\n\
             C1,relative,2023-06-01,,\n\
             C2,residential,2023-03-01,2024-07-01,2023-04-20\n",
        ),
        (
            "visits.csv",
            "child_id,visit_date,kind,parent_id,entered_date\n\
             C1,2023-06-20,worker_child,,2023-06-21\n\
             C1,2023-06-20,worker_child,,2023-06-21\n\
             C1,2023-06-25,worker_parent,P2,\n\
             C1,2023-06-10,parent_child,P1,2023-07-20\n\
             C2,2023-03-05,worker_child,,\n",
        ),
        (
            "hcy_exams.csv",
            "child_id,exam_date,entered_date\nC1,2022-02-01,\nC2,2023-04-15,2023-04-16\n",
        ),
        (
            "reports.csv",
            "child_id,report_date,substantiated,entered_date\n\
             C1,2022-01-05,true,\n\
             C1,2022-05-05,false,2022-05-06\n",
        ),
        (
            "permanency_goals.csv",
            "child_id,goal,approved_date\nC1,reunification,2022-02-20\nC2,appla,2023-04-01\n",
        ),
        (
            "sentinel_events.csv",
            "child_id,kind,occurred_date,reported_date\n\
             C2,elopement,2023-09-01,2023-09-02\n\
             C2,self_harm,2023-10-01,\n",
        ),
        (
            "case_returns.csv",
            "child_id,provider_id,return_date,reason,cost\n\
             C1,FCCM1,2022-12-01,catastrophic_cost,125000.50\n",
        ),
    ];
    files
        .iter()
        .map(|(n, t)| (n.to_string(), t.to_string()))
        .collect()
}

fn load(files: &[(String, String)]) -> Result<Dataset, Error> {
    load_with(files, &LoadOptions::default())
}

fn load_with(files: &[(String, String)], options: &LoadOptions) -> Result<Dataset, Error> {
    let pairs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    from_csv(&pairs, options)
}

fn problems_of(files: &[(String, String)]) -> Vec<DataProblem> {
    match load(files) {
        Err(Error::InvalidData { problems }) => problems,
        other => panic!("expected invalid data, got {other:?}"),
    }
}

/// The base files with one line appended to `file`.
fn appended(file: &str, line: &str) -> Vec<(String, String)> {
    let mut files = base();
    let f = files.iter_mut().find(|(n, _)| n == file).unwrap();
    f.1.push_str(line);
    f.1.push('\n');
    files
}

/// The base files with `file` replaced.
fn replaced(file: &str, text: &str) -> Vec<(String, String)> {
    let mut files = base();
    let f = files.iter_mut().find(|(n, _)| n == file).unwrap();
    f.1 = text.to_string();
    files
}

fn d(s: &str) -> Day {
    s.parse().unwrap()
}

#[test]
fn complete_small_dataset_loads_with_every_value_in_place() {
    let ds = load(&base()).unwrap();
    let c1 = ds.children.ids.get("C1").unwrap();
    let c2 = ds.children.ids.get("C2").unwrap();
    let fccm = ds.providers.ids.get("FCCM1").unwrap();
    let cd = ds.providers.ids.get("CD").unwrap();

    assert_eq!(ds.providers.kind[cd.index()], ProviderKind::Division);
    assert_eq!(ds.providers.region[cd.index()], None);
    assert_eq!(
        ds.regions.name(ds.providers.region[fccm.index()].unwrap()),
        "Springfield"
    );

    // Forward reference: W1's supervisor S1 is listed after W1.
    let w1 = ds.workers.get(ds.workers.ids.get("W1").unwrap()).unwrap();
    assert_eq!(w1.supervisor, ds.workers.ids.get("S1"));
    assert_eq!(w1.trauma_trained, Some(d("2022-05-01")));
    let w2 = ds.workers.get(ds.workers.ids.get("W2").unwrap()).unwrap();
    assert!(!w2.active_on(d("2024-03-01")));

    // Episodes of C1, in removal order, the second still open.
    let eps: Vec<Episode> = ds.episodes.rows_of(c1).collect();
    assert_eq!(eps.len(), 2);
    assert_eq!(eps[0].exit_reason, Some(ExitReason::Reunification));
    // 2022-01-10 to 2023-01-10 is 365 days; the exit is 5 days earlier: 365 - 5 = 360 days in care.
    assert_eq!(eps[0].exit.unwrap().days_since(eps[0].removal), 360);
    assert_eq!(eps[1].exit, None);
    assert_eq!(ds.counties.name(eps[0].county), "Greene");
    assert_eq!(ds.circuits.name(eps[0].circuit), "31");

    // C2 turns 18 on 2024-07-01, the day its episode ends.
    assert_eq!(ds.children.birthday(c2, 18), Some(d("2024-07-01")));
    assert_eq!(ds.children.age_on(c2, d("2024-06-30")), Some(17));

    // Visits are sorted by date; the exact duplicate is excluded and counted.
    let dates: Vec<String> = ds.visits.rows_of(c1).map(|v| v.date.to_string()).collect();
    assert_eq!(dates, ["2023-06-10", "2023-06-20", "2023-06-25"]);
    let pv = ds.visits.rows_of(c1).next().unwrap();
    assert_eq!(pv.kind, VisitKind::ParentChild);
    assert_eq!(ds.parent_ids.name(pv.parent.unwrap()), "P1");
    assert_eq!(pv.entered, Some(d("2023-07-20")));

    // Parents: P2 may not visit; "yes" reads as true.
    let links: Vec<(String, bool)> = ds
        .parents
        .rows_of(c1)
        .map(|p| (ds.parent_ids.name(p.parent).to_string(), p.visits_allowed))
        .collect();
    assert_eq!(links, [("P1".into(), true), ("P2".into(), false)]);

    assert_eq!(ds.provider_on(c1, d("2022-06-01")), Some(fccm));
    assert_eq!(ds.provider_on(c1, d("2023-03-01")), None);
    assert_eq!(ds.episode_on(c1, d("2023-06-01")), Some(1));

    let p: Vec<PlacementSetting> = ds.placements.rows_of(c1).map(|p| p.setting).collect();
    assert_eq!(
        p,
        [
            PlacementSetting::FamilyFoster,
            PlacementSetting::TrialHomeVisit,
            PlacementSetting::Relative
        ]
    );
    let ret = ds.case_returns.get(0).unwrap();
    assert_eq!(ret.cost.unwrap().to_string(), "125000.50");
    assert_eq!(ret.reason, ReturnReason::CatastrophicCost);
    let s: Vec<Option<Day>> = ds.sentinel_events.rows_of(c2).map(|s| s.reported).collect();
    assert_eq!(s, [Some(d("2023-09-02")), None]);
    assert_eq!(
        ds.permanency_goals.rows_of(c2).next().unwrap().goal,
        Goal::Appla
    );
    assert!(ds.reports.rows_of(c1).next().unwrap().substantiated);
}

#[test]
fn load_stats_count_rows_read_used_and_excluded_per_reason() {
    let mut ds = load(&base()).unwrap();
    let v = ds.stats.table(Table::Visits);
    // 5 rows read, 1 exact duplicate excluded: 5 = 4 + 1.
    assert_eq!((v.read, v.used, v.excluded_total()), (5, 4, 1));
    assert_eq!(ds.stats.excluded(Table::Visits, "duplicate_row"), 1);
    assert_eq!(ds.visits.len(), 4);
    assert_eq!(ds.stats.read(Table::Episodes), 4);
    assert_eq!(ds.stats.read(Table::Providers), 2);

    // A metric's own exclusion: C3's 4-day stay (2023-02-10 to 2023-02-14) is under 8 days.
    let short = ds
        .episodes
        .iter()
        .filter(|e| e.exit.is_some_and(|x| x.days_since(e.removal) < 8))
        .count() as u64;
    assert_eq!(short, 1);
    ds.stats
        .exclude(Table::Episodes, "stay_under_8_days", short);
    let e = ds.stats.table(Table::Episodes);
    assert_eq!((e.read, e.used), (4, 3));
    assert_eq!(e.excluded["stay_under_8_days"], 1);

    // Stats serialize as a plain object per table.
    let json = serde_json::to_value(&ds.stats).unwrap();
    assert_eq!(json["tables"]["visits"]["excluded"]["duplicate_row"], 1);
}

/// Each case: the files, then the one expected problem (file, row, column, value, code).
#[test]
fn every_problem_kind_names_file_row_column_and_value() {
    type Case = (
        Vec<(String, String)>,
        (
            &'static str,
            Option<u64>,
            &'static str,
            &'static str,
            &'static str,
        ),
    );
    let cases: Vec<Case> = vec![
        (
            appended(
                "episodes.csv",
                "C3,2023-05-01,2023-04-01,adoption,Greene,31,Springfield",
            ),
            (
                "episodes.csv",
                Some(5),
                "exit_date",
                "2023-04-01",
                "exit_before_removal",
            ),
        ),
        (
            appended("episodes.csv", "C2,2024-01-01,,,Jackson,16,Kansas City"),
            (
                "episodes.csv",
                Some(5),
                "removal_date",
                "2024-01-01",
                "overlapping_episodes",
            ),
        ),
        (
            appended("placements.csv", "C2,foster_home,2024-07-01,,"),
            (
                "placements.csv",
                Some(5),
                "setting",
                "foster_home",
                "unknown_code",
            ),
        ),
        (
            replaced("hcy_exams.csv", "child_id,entered_date\nC1,2022-02-01\n"),
            ("hcy_exams.csv", None, "exam_date", "", "missing_column"),
        ),
        (
            appended("children.csv", "C1,2011-01-01"),
            ("children.csv", Some(4), "child_id", "C1", "duplicate_id"),
        ),
        (
            appended("parents.csv", "P1,C1,false"),
            ("parents.csv", Some(4), "parent_id", "P1", "duplicate_id"),
        ),
        (
            appended("reports.csv", "C9,2023-01-01,true,"),
            ("reports.csv", Some(3), "child_id", "C9", "unknown_child"),
        ),
        (
            appended("assignments.csv", "C2,FCCM9,W2,2024-03-01,"),
            (
                "assignments.csv",
                Some(4),
                "provider_id",
                "FCCM9",
                "unknown_provider",
            ),
        ),
        (
            appended("assignments.csv", "C2,CD,W9,2024-03-01,"),
            (
                "assignments.csv",
                Some(4),
                "worker_id",
                "W9",
                "unknown_worker",
            ),
        ),
        (
            appended("visits.csv", "C1,2023-07-01,parent_child,P9,"),
            ("visits.csv", Some(6), "parent_id", "P9", "unknown_parent"),
        ),
        (
            appended("visits.csv", "C2,2023-07-01,worker_parent,P1,"),
            (
                "visits.csv",
                Some(6),
                "parent_id",
                "P1",
                "parent_not_of_child",
            ),
        ),
        (
            appended("visits.csv", "C2,2023-07-01,parent_child,,"),
            ("visits.csv", Some(6), "parent_id", "", "missing_value"),
        ),
        (
            appended("hcy_exams.csv", "C1,2023-13-01,"),
            (
                "hcy_exams.csv",
                Some(3),
                "exam_date",
                "2023-13-01",
                "invalid_date",
            ),
        ),
        (
            appended("hcy_exams.csv", "C1,03/01/2023,"),
            (
                "hcy_exams.csv",
                Some(3),
                "exam_date",
                "03/01/2023",
                "invalid_date",
            ),
        ),
        (
            appended("reports.csv", "C1,2023-01-01,maybe,"),
            (
                "reports.csv",
                Some(3),
                "substantiated",
                "maybe",
                "invalid_bool",
            ),
        ),
        (
            appended("case_returns.csv", "C2,FCCM1,2024-01-01,court_order,-5.00"),
            (
                "case_returns.csv",
                Some(2),
                "cost",
                "-5.00",
                "negative_amount",
            ),
        ),
        (
            appended(
                "case_returns.csv",
                "C2,FCCM1,2024-01-01,court_order,\"12,50\"",
            ),
            (
                "case_returns.csv",
                Some(2),
                "cost",
                "12,50",
                "invalid_money",
            ),
        ),
        (
            appended(
                "episodes.csv",
                "C3,2023-05-01,2023-06-01,,Greene,31,Springfield",
            ),
            ("episodes.csv", Some(5), "exit_reason", "", "missing_value"),
        ),
        (
            appended("episodes.csv", "C3,,,,Greene,31,Springfield"),
            ("episodes.csv", Some(5), "removal_date", "", "missing_value"),
        ),
        (
            appended(
                "episodes.csv",
                "C3,2023-05-01,,adoption,Greene,31,Springfield",
            ),
            (
                "episodes.csv",
                Some(5),
                "exit_reason",
                "adoption",
                "reason_without_exit",
            ),
        ),
        (
            appended(
                "episodes.csv",
                "C3,2023-01-01,2023-01-05,reunification,Greene,31,Springfield",
            ),
            (
                "episodes.csv",
                Some(5),
                "removal_date",
                "2023-01-01",
                "removal_before_birth",
            ),
        ),
        (
            appended("episodes.csv", "C3,2024-01-01,,,Greene,16,Springfield"),
            (
                "episodes.csv",
                Some(5),
                "circuit",
                "16",
                "inconsistent_geography",
            ),
        ),
        (
            appended("assignments.csv", "C2,CD,W2,2024-03-01,2024-02-01"),
            (
                "assignments.csv",
                Some(4),
                "end_date",
                "2024-02-01",
                "end_before_start",
            ),
        ),
        (
            appended("placements.csv", "C1,group_home,2023-07-01,,"),
            (
                "placements.csv",
                Some(5),
                "start_date",
                "2023-07-01",
                "overlapping_placements",
            ),
        ),
        (
            appended("sentinel_events.csv", "C2,fire,2023-11-05,2023-11-04"),
            (
                "sentinel_events.csv",
                Some(3),
                "reported_date",
                "2023-11-04",
                "reported_before_occurred",
            ),
        ),
        (
            appended("visits.csv", "C2,2023-03-07,worker_child,,2023-03-06"),
            (
                "visits.csv",
                Some(6),
                "entered_date",
                "2023-03-06",
                "entered_before_event",
            ),
        ),
        (
            appended("workers.csv", "W3,CD,case_manager,W3,,,"),
            (
                "workers.csv",
                Some(4),
                "supervisor_id",
                "W3",
                "self_supervision",
            ),
        ),
        (
            appended("workers.csv", "W3,CD,case_manager,S9,,,"),
            (
                "workers.csv",
                Some(4),
                "supervisor_id",
                "S9",
                "unknown_worker",
            ),
        ),
        (
            replaced(
                "children.csv",
                "child_id,birth_date,nickname\nC1,2010-03-15,x\nC2,2006-07-01,y\nC3,2023-02-10,z\n",
            ),
            (
                "children.csv",
                Some(0),
                "nickname",
                "nickname",
                "unknown_column",
            ),
        ),
        (
            replaced(
                "hcy_exams.csv",
                "child_id,exam_date,exam_date\nC1,2022-02-01,2022-02-01\n",
            ),
            (
                "hcy_exams.csv",
                Some(0),
                "exam_date",
                "exam_date",
                "duplicate_column",
            ),
        ),
        (
            appended("children.csv", "C7,2011-01-01,extra"),
            ("children.csv", Some(4), "", "3", "wrong_field_count"),
        ),
    ];
    for (files, (file, row, column, value, code)) in cases {
        let problems = problems_of(&files);
        assert_eq!(problems.len(), 1, "{code}: {problems:#?}");
        let p = &problems[0];
        assert_eq!(
            (
                p.file.as_str(),
                p.row,
                p.column.as_str(),
                p.value.as_str(),
                p.code.as_str()
            ),
            (file, row, column, value, code),
            "{p}"
        );
        assert!(!p.message.is_empty());
    }
}

#[test]
fn table_level_problems() {
    let mut files = base();
    files.push(("kids.csv".into(), "child_id\n".into()));
    files.push(("data/children.csv".into(), "child_id,birth_date\n".into()));
    files.retain(|(n, _)| n != "episodes.csv");
    let codes: Vec<(String, String)> = problems_of(&files)
        .into_iter()
        .map(|p| (p.file, p.code))
        .collect();
    assert_eq!(
        codes,
        [
            ("kids.csv".to_string(), "unknown_table".to_string()),
            ("data/children.csv".into(), "duplicate_table".into()),
            ("episodes.csv".into(), "missing_table".into()),
        ]
    );
}

#[test]
fn all_problems_are_collected_in_table_then_row_order() {
    let mut files = base();
    for (file, line) in [
        ("visits.csv", "C9,2023-07-01,worker_child,,"),
        ("visits.csv", "C1,2023-07-01,home_visit,,"),
        (
            "episodes.csv",
            "C3,2023-05-01,2023-04-01,adoption,Greene,31,Springfield",
        ),
        ("children.csv", "C1,2011-01-01"),
    ] {
        let f = files.iter_mut().find(|(n, _)| n == file).unwrap();
        f.1.push_str(line);
        f.1.push('\n');
    }
    // Two problems in one row are both reported.
    let f = files.iter_mut().find(|(n, _)| n == "reports.csv").unwrap();
    f.1.push_str("C8,2023-02-30,perhaps,\n");
    let got: Vec<(String, Option<u64>, String)> = problems_of(&files)
        .into_iter()
        .map(|p| (p.file, p.row, p.code))
        .collect();
    let want = [
        ("children.csv", Some(4), "duplicate_id"),
        ("episodes.csv", Some(5), "exit_before_removal"),
        ("visits.csv", Some(6), "unknown_child"),
        ("visits.csv", Some(7), "unknown_code"),
        ("reports.csv", Some(3), "unknown_child"),
        ("reports.csv", Some(3), "invalid_date"),
        ("reports.csv", Some(3), "invalid_bool"),
    ];
    let want: Vec<(String, Option<u64>, String)> = want
        .iter()
        .map(|(f, r, c)| (f.to_string(), *r, c.to_string()))
        .collect();
    assert_eq!(got, want);
}

#[test]
fn the_error_lists_problems_in_its_json() {
    let err = load(&appended("reports.csv", "C9,2023-01-01,true,")).unwrap_err();
    assert_eq!(err.kind(), "invalid_data");
    let json = err.to_json();
    let p = &json["error"]["problems"][0];
    assert_eq!(p["file"], "reports.csv");
    assert_eq!(p["row"], 3);
    assert_eq!(p["column"], "child_id");
    assert_eq!(p["value"], "C9");
    assert_eq!(p["code"], "unknown_child");
}

#[test]
fn unknown_columns_can_be_ignored() {
    let files = replaced(
        "children.csv",
        "child_id,birth_date,nickname\nC1,2010-03-15,x\nC2,2006-07-01,y\nC3,2023-02-10,z\n",
    );
    let options = LoadOptions {
        unknown_columns: UnknownColumns::Ignore,
        ..LoadOptions::default()
    };
    let ds = load_with(&files, &options).unwrap();
    assert_eq!(ds.children.len(), 3);
}

#[test]
fn columns_may_come_in_any_order_and_optional_ones_may_be_absent() {
    let files = replaced(
        "visits.csv",
        "kind,child_id,visit_date\nworker_child,C1,2023-06-20\nworker_child,C2,2023-03-05\n",
    );
    let ds = load(&files).unwrap();
    assert_eq!(ds.visits.len(), 2);
    assert!(ds.visits.entered.iter().all(Option::is_none));
}

#[test]
fn invalid_utf8_is_reported_per_cell() {
    let files: [(&str, &[u8]); 2] = [
        ("children.csv", b"child_id,birth_date\nC\xff1,2010-01-01\n"),
        (
            "episodes.csv",
            b"child_id,removal_date,county,circuit,region\n",
        ),
    ];
    let Err(Error::InvalidData { problems }) = from_csv_bytes(&files, &LoadOptions::default())
    else {
        panic!()
    };
    assert_eq!(problems.len(), 1);
    assert_eq!(
        (
            problems[0].row,
            problems[0].column.as_str(),
            problems[0].code.as_str()
        ),
        (Some(1), "child_id", "invalid_utf8")
    );
}

#[test]
fn inline_json_loads_the_same_tables_as_csv() {
    let json = serde_json::json!({
        "providers": [{"provider_id": "CD", "kind": "division"}],
        "children": [{"child_id": "C1", "birth_date": "2010-03-15"}],
        "parents": [{"parent_id": "P1", "child_id": "C1", "visits_allowed": false}],
        "episodes": [{"child_id": "C1", "removal_date": "2022-01-10", "exit_date": null,
                      "county": "Greene", "circuit": "31", "region": "Springfield"}],
        "reports": [{"child_id": "C1", "report_date": "2022-01-05", "substantiated": true}],
        "case_returns": [],
    });
    let from_inline = from_json(&json, &LoadOptions::default()).unwrap();
    let csv = [
        ("providers.csv", "provider_id,kind\nCD,division\n"),
        ("children.csv", "child_id,birth_date\nC1,2010-03-15\n"),
        (
            "parents.csv",
            "parent_id,child_id,visits_allowed\nP1,C1,false\n",
        ),
        (
            "episodes.csv",
            "child_id,removal_date,exit_date,county,circuit,region\nC1,2022-01-10,,Greene,31,Springfield\n",
        ),
        (
            "reports.csv",
            "child_id,report_date,substantiated\nC1,2022-01-05,true\n",
        ),
        (
            "case_returns.csv",
            "child_id,provider_id,return_date,reason,cost\n",
        ),
    ];
    let from_text = from_csv(&csv, &LoadOptions::default()).unwrap();
    assert_eq!(from_inline.episodes, from_text.episodes);
    assert_eq!(from_inline.parents, from_text.parents);
    assert_eq!(from_inline.reports, from_text.reports);
    assert_eq!(from_inline.providers, from_text.providers);
    assert_eq!(from_inline.stats.read(Table::Reports), 1);
}

#[test]
fn inline_json_problems() {
    let json = serde_json::json!({
        "children": [{"child_id": "C1", "birth_date": 20100315}, "C2"],
        "episodes": {"child_id": "C1"},
        "kids": [],
    });
    let Err(Error::InvalidData { problems }) = from_json(&json, &LoadOptions::default()) else {
        panic!()
    };
    let got: Vec<(String, Option<u64>, String, String)> = problems
        .into_iter()
        .map(|p| (p.file, p.row, p.column, p.code))
        .collect();
    let want: Vec<(String, Option<u64>, String, String)> = [
        ("children", Some(1), "birth_date", "not_a_string"),
        ("children", Some(2), "", "invalid_row"),
        ("episodes", None, "", "invalid_table"),
        ("kids", None, "", "unknown_table"),
        ("episodes.csv", None, "", "missing_table"),
        // The two children rows then fail on their empty required cells.
        ("children", Some(1), "birth_date", "missing_value"),
        ("children", Some(2), "child_id", "missing_value"),
        ("children", Some(2), "birth_date", "missing_value"),
    ]
    .iter()
    .map(|(f, r, c, k)| (f.to_string(), *r, c.to_string(), k.to_string()))
    .collect();
    assert_eq!(got, want);
    assert_eq!(
        from_json(&serde_json::json!([]), &LoadOptions::default())
            .unwrap_err()
            .kind(),
        "invalid_request"
    );
}

#[test]
fn data_dictionary_documents_every_table_column_and_code() {
    let doc = include_str!("../../../docs/data.md");
    for table in Table::ALL {
        assert!(
            doc.contains(&format!("`{}`", table.file_name())),
            "{}",
            table.file_name()
        );
        for c in table.columns() {
            assert!(
                doc.contains(&format!("| `{}` |", c.name)),
                "{}.{}",
                table.as_str(),
                c.name
            );
            if let ColumnType::Code(codes) = c.ty {
                for code in codes {
                    assert!(doc.contains(&format!("`{code}`")), "{code}");
                }
            }
        }
    }
    for code in [
        "exit_before_removal",
        "overlapping_episodes",
        "overlapping_placements",
        "unknown_code",
        "missing_column",
        "duplicate_id",
        "unknown_child",
        "unknown_provider",
        "unknown_worker",
        "unknown_parent",
        "parent_not_of_child",
        "invalid_date",
        "duplicate_row",
        "too_many_problems",
        "inconsistent_geography",
    ] {
        assert!(doc.contains(&format!("`{code}`")), "{code}");
    }
}

// ---------------------------------------------------------------------------------------------
// Synthetic data
// ---------------------------------------------------------------------------------------------

fn small(seed: u64) -> Dataset {
    generate(&SynthOptions::new(seed).scale(Decimal::new(2, 2))).unwrap()
}

#[test]
fn synth_is_deterministic_and_seed_sensitive() {
    let a = to_csv(&small(11));
    let b = to_csv(&small(11));
    let c = to_csv(&small(12));
    assert_eq!(a, b);
    assert_ne!(a, c);
    // Every table with rows differs with the seed, not just one (providers are fixed; a 2% sample
    // may have no case returns at all).
    for ((name, x), (_, y)) in a.iter().zip(&c) {
        if name != "providers.csv" && x.lines().count() > 3 {
            assert_ne!(x, y, "{name}");
        }
    }
}

#[test]
fn synth_csv_loads_back_row_for_row() {
    let ds = small(3);
    let files = to_csv(&ds);
    let pairs: Vec<(String, String)> = files.clone();
    let back = load(&pairs).unwrap();
    assert_eq!(to_csv(&back), files);
    for t in Table::ALL {
        assert_eq!(back.stats.read(*t), ds.rows(*t) as u64, "{}", t.as_str());
        assert_eq!(back.stats.used(*t), ds.rows(*t) as u64, "{}", t.as_str());
    }
}

#[test]
fn synth_bad_rows_each_trigger_exactly_their_problem() {
    let ds = small(5);
    let bad = bad_rows(&ds, 22);
    let mut files = to_csv(&ds);
    for b in &bad {
        let f = files
            .iter_mut()
            .find(|(n, _)| n == b.table.file_name())
            .unwrap();
        f.1.push_str(&b.line);
        f.1.push('\n');
    }
    let problems = problems_of(&files);
    let mut got: Vec<&str> = problems.iter().map(|p| p.code.as_str()).collect();
    let mut want: Vec<&str> = bad.iter().map(|b| b.code).collect();
    got.sort_unstable();
    want.sort_unstable();
    assert_eq!(got, want);
    assert_eq!(want.len(), 22);
}

/// Children in care on `day` and entries in `year`.
fn census(ds: &Dataset, on: Day, year: i32) -> (usize, usize) {
    let in_care = ds
        .episodes
        .iter()
        .filter(|e| e.removal <= on && e.exit.is_none_or(|x| on < x))
        .count();
    let entries = ds
        .episodes
        .iter()
        .filter(|e| e.removal.year() == year)
        .count();
    (in_care, entries)
}

#[test]
fn synth_scale_tenth_census_is_a_tenth_of_missouri() {
    let ds = generate(&SynthOptions::new(1).scale(Decimal::new(1, 1))).unwrap();
    assert_eq!(ds.counties.len(), 115);
    assert_eq!(ds.circuits.len(), 46);
    assert_eq!(ds.regions.len(), 5);
    assert_eq!(ds.providers.contractors().count(), 7);
    let (in_care, entries) = census(&ds, d("2022-07-01"), 2022);
    assert!((1_100..1_500).contains(&in_care), "{in_care}");
    assert!((500..700).contains(&entries), "{entries}");
    // Every contractor has children, and some children turn 18 in care.
    for p in ds.providers.contractors() {
        assert!(ds.assignments.provider.contains(&p));
    }
    let aged_out = ds
        .episodes
        .iter()
        .filter(|e| e.exit_reason == Some(ExitReason::Emancipation))
        .count();
    assert!(aged_out > 20, "{aged_out}");
}

/// Scale 1 is slow in a debug build: run with
/// `cargo test --release -p cwfinance --test metrics_data -- --ignored`.
#[test]
#[ignore]
fn synth_scale_one_census_is_missouri_sized() {
    let ds = generate(&SynthOptions::new(42)).unwrap();
    for (on, year) in [("2021-07-01", 2021), ("2023-07-01", 2023)] {
        let (in_care, entries) = census(&ds, d(on), year);
        assert!((11_000..15_000).contains(&in_care), "{in_care}");
        assert!((5_000..7_000).contains(&entries), "{entries}");
    }
    // Worker/child visits near the 95% benchmark: children in care all of June 2023.
    let (start, end) = (d("2023-06-01"), d("2023-07-01"));
    let (mut seen, mut due) = (0u32, 0u32);
    for c in ds.children.ixs() {
        let whole_month = ds
            .episodes
            .rows_of(c)
            .any(|e| e.removal <= start && e.exit.is_none_or(|x| x >= end));
        if whole_month {
            due += 1;
            if ds
                .visits
                .rows_of(c)
                .any(|v| v.kind == VisitKind::WorkerChild && v.date >= start && v.date < end)
            {
                seen += 1;
            }
        }
    }
    let per_mille = seen * 1000 / due;
    assert!((920..=990).contains(&per_mille), "{per_mille}");
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    #[test]
    fn loader_never_panics_on_arbitrary_csv(
        table in 0usize..13,
        header_pick in proptest::collection::vec(0usize..8, 0..8),
        body in "(?s).{0,400}",
        raw in proptest::collection::vec(any::<u8>(), 0..200),
    ) {
        let t = Table::ALL[table];
        let cols = t.columns();
        let header: Vec<&str> = header_pick.iter().filter_map(|&i| cols.get(i).map(|c| c.name)).collect();
        let text = format!("{}\n{}", header.join(","), body);
        let mut files = base();
        if let Some(f) = files.iter_mut().find(|(n, _)| n == t.file_name()) {
            f.1 = text.clone();
        }
        let _ = load(&files);
        let pairs: Vec<(&str, &[u8])> = files
            .iter()
            .map(|(n, s)| (n.as_str(), if n == t.file_name() { raw.as_slice() } else { s.as_bytes() }))
            .collect();
        let _ = from_csv_bytes(&pairs, &LoadOptions::default());
    }

    #[test]
    fn appended_garbage_rows_never_panic_and_are_reported(table in 0usize..13, line in "[A-Za-z0-9_,\\- .:\"]{0,80}") {
        let t = Table::ALL[table];
        let files = appended(t.file_name(), &line);
        match load(&files) {
            Ok(ds) => prop_assert!(ds.stats.read(t) >= 1),
            Err(Error::InvalidData { problems }) => prop_assert!(!problems.is_empty()),
            Err(other) => prop_assert!(false, "{other}"),
        }
    }
}
