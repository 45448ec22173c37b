//! Loading HB 1414 tables from in-memory columns (`metrics::load::from_columns`, the Python
//! package's Arrow path): the same dataset, statistics and problems as the same tables in CSV.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use cwfinance::metrics::data::*;
use cwfinance::metrics::load::{
    CellValue, Column, ColumnTable, LoadOptions, from_columns, from_csv,
};
use cwfinance::metrics::synth::{SynthOptions, bad_rows, generate, to_csv};
use cwfinance::{DataProblem, Error};
use rust_decimal::Decimal;

/// One parsed CSV column, typed as a DataFrame library would hold it.
enum Parsed {
    Text(Vec<Option<String>>),
    Days(Vec<Option<Day>>),
    Bools(Vec<Option<bool>>),
}

impl Parsed {
    fn column(&self) -> &dyn Column {
        match self {
            Parsed::Text(v) => v,
            Parsed::Days(v) => v,
            Parsed::Bools(v) => v,
        }
    }
}

/// Split CSV text into columns. With `typed`, a column whose every non-empty cell is an ISO
/// date (or `true`/`false`) becomes a date (boolean) column, as `read_csv` would infer.
fn parse(text: &str, typed: bool) -> Vec<(String, Parsed)> {
    let mut reader = csv::ReaderBuilder::new()
        .flexible(true)
        .from_reader(text.as_bytes());
    let header: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    let mut cells: Vec<Vec<Option<String>>> = vec![Vec::new(); header.len()];
    for record in reader.records() {
        let record = record.unwrap();
        for (k, column) in cells.iter_mut().enumerate() {
            let cell = record.get(k).unwrap_or("");
            column.push((!cell.is_empty()).then(|| cell.to_string()));
        }
    }
    header
        .into_iter()
        .zip(cells)
        .map(|(name, column)| {
            let present = || column.iter().flatten();
            let parsed =
                if typed && present().count() > 0 && present().all(|s| Day::parse(s).is_some()) {
                    Parsed::Days(
                        column
                            .iter()
                            .map(|c| c.as_deref().and_then(Day::parse))
                            .collect(),
                    )
                } else if typed
                    && present().count() > 0
                    && present().all(|s| s == "true" || s == "false")
                {
                    Parsed::Bools(
                        column
                            .iter()
                            .map(|c| c.as_deref().map(|s| s == "true"))
                            .collect(),
                    )
                } else {
                    Parsed::Text(column)
                };
            (name, parsed)
        })
        .collect()
}

fn load_columns(files: &[(String, String)], typed: bool) -> Result<Dataset, Error> {
    let parsed: Vec<(String, Vec<(String, Parsed)>)> = files
        .iter()
        .map(|(name, text)| (name.clone(), parse(text, typed)))
        .collect();
    let tables: Vec<ColumnTable> = parsed
        .iter()
        .map(|(name, columns)| ColumnTable {
            name,
            columns: columns
                .iter()
                .map(|(n, c)| (n.as_str(), c.column()))
                .collect(),
        })
        .collect();
    from_columns(&tables, &LoadOptions::default())
}

fn load_csv(files: &[(String, String)]) -> Result<Dataset, Error> {
    let pairs: Vec<(&str, &str)> = files
        .iter()
        .map(|(n, t)| (n.as_str(), t.as_str()))
        .collect();
    from_csv(&pairs, &LoadOptions::default())
}

fn problems(r: Result<Dataset, Error>) -> Vec<DataProblem> {
    match r {
        Err(Error::InvalidData { problems }) => problems,
        other => panic!("expected invalid data, got {other:?}"),
    }
}

fn small(seed: u64) -> Dataset {
    generate(&SynthOptions::new(seed).scale(Decimal::new(2, 2))).unwrap()
}

#[test]
fn columns_load_the_same_dataset_as_csv_text_or_typed() {
    let files = to_csv(&small(7));
    let from_text = load_csv(&files).unwrap();
    let as_text = load_columns(&files, false).unwrap();
    let typed = load_columns(&files, true).unwrap();
    // The whole dataset: every table, interned id, and the load statistics.
    assert_eq!(as_text, from_text);
    assert_eq!(typed, from_text);
    assert!(from_text.visits.len() > 1_000);
}

#[test]
fn columns_report_the_same_problems_as_csv() {
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
    let want = problems(load_csv(&files));
    assert_eq!(want.len(), 22);
    // Tables named as the files: every problem identical, file, row, column, value and code.
    assert_eq!(problems(load_columns(&files, false)), want);
    // Typed columns give the same codes at the same cells.
    let key = |p: &DataProblem| (p.file.clone(), p.row, p.column.clone(), p.code.clone());
    let typed: Vec<_> = problems(load_columns(&files, true))
        .iter()
        .map(key)
        .collect();
    assert_eq!(typed, want.iter().map(key).collect::<Vec<_>>());
}

fn child_table<'a>(ids: &'a dyn Column, births: &'a dyn Column) -> ColumnTable<'a> {
    ColumnTable {
        name: "children",
        columns: vec![("child_id", ids), ("birth_date", births)],
    }
}

#[test]
fn typed_cells_in_the_wrong_column_and_out_of_range_dates_are_reported() {
    // A date in the id column, a boolean in the date column, a date beyond 2199.
    let ids: Vec<Option<Day>> = vec![Day::from_ymd(2020, 1, 1)];
    let ok_ids = vec![Some("C1"), Some("C2"), Some("C3")];
    let births: Vec<Option<bool>> = vec![Some(true)];
    struct Days(Vec<i32>);
    impl Column for Days {
        fn len(&self) -> usize {
            self.0.len()
        }
        fn get(&self, row: usize) -> CellValue<'_> {
            self.0
                .get(row)
                .map_or(CellValue::Null, |d| CellValue::UnixDays(*d))
        }
    }
    // 2200-01-01 is 84,006 days after 1970-01-01; 2199-12-31 is the last day held.
    let dates = Days(vec![84_005, 84_006, -25_568]);
    let no_episodes: Vec<Option<&str>> = Vec::new();
    let episodes = |cols: &'static [&'static str]| cols.to_vec();
    let ep_cols = episodes(&["child_id", "removal_date", "county", "circuit", "region"]);
    let ep = ColumnTable {
        name: "episodes",
        columns: ep_cols
            .iter()
            .map(|n| (*n, &no_episodes as &dyn Column))
            .collect(),
    };

    let got = problems(from_columns(
        &[child_table(&ids, &births), ep],
        &LoadOptions::default(),
    ));
    let got: Vec<(Option<u64>, &str, &str, &str)> = got
        .iter()
        .map(|p| (p.row, p.column.as_str(), p.value.as_str(), p.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(1), "child_id", "2020-01-01", "wrong_type"),
            (Some(1), "birth_date", "true", "wrong_type"),
        ]
    );

    let ep = ColumnTable {
        name: "episodes",
        columns: ep_cols
            .iter()
            .map(|n| (*n, &no_episodes as &dyn Column))
            .collect(),
    };
    let got = problems(from_columns(
        &[child_table(&ok_ids, &dates), ep],
        &LoadOptions::default(),
    ));
    // 1900-01-01 is 25,567 days before 1970-01-01, so -25,568 is 1899-12-31.
    let got: Vec<(Option<u64>, &str, &str)> = got
        .iter()
        .map(|p| (p.row, p.value.as_str(), p.code.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            (Some(2), "2200-01-01", "invalid_date"),
            (Some(3), "1899-12-31", "invalid_date"),
        ]
    );
}

#[test]
fn columns_of_unequal_length_and_table_names_are_checked() {
    let ids = vec![Some("C1"), Some("C2")];
    let births = vec![Day::from_ymd(2010, 1, 1)];
    let empty: Vec<Option<&str>> = Vec::new();
    let ep_cols = ["child_id", "removal_date", "county", "circuit", "region"];
    let ep = || ColumnTable {
        name: "episodes.csv",
        columns: ep_cols
            .iter()
            .map(|n| (*n, &empty as &dyn Column))
            .collect(),
    };
    let kids = ColumnTable {
        name: "kids",
        columns: Vec::new(),
    };
    let got = problems(from_columns(
        &[child_table(&ids, &births), ep(), ep(), kids],
        &LoadOptions::default(),
    ));
    let got: Vec<(&str, &str, &str, &str)> = got
        .iter()
        .map(|p| {
            (
                p.file.as_str(),
                p.column.as_str(),
                p.value.as_str(),
                p.code.as_str(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            ("children", "birth_date", "1", "column_length"),
            ("episodes.csv", "", "", "duplicate_table"),
            ("kids", "", "", "unknown_table"),
        ]
    );
}

#[test]
fn an_empty_column_list_is_an_empty_table_missing_its_columns() {
    let table = ColumnTable {
        name: "children",
        columns: Vec::new(),
    };
    let got = problems(from_columns(&[table], &LoadOptions::default()));
    let codes: Vec<&str> = got.iter().map(|p| p.code.as_str()).collect();
    assert_eq!(
        codes,
        ["missing_table", "missing_column", "missing_column"],
        "{got:?}"
    );
}
