//! The batch jobs the Python package runs, end to end in Rust, from in-memory columns: the
//! baseline of the binding's overhead (`python benches/python/bench.py` runs the same jobs from
//! DataFrames and prints the ratio against these medians).
//!
//! - `hb1414_columns_to_scorecards/scale_1`: the synthetic dataset (scale 1, 2.58 million rows)
//!   held as typed columns, as `pandas.read_csv` holds it (text, dates, booleans), loaded with
//!   `metrics::load::from_columns`, measured (every metric, every level, 20 quarters, published
//!   with suppression), the response written as canonical JSON, and the providers of the last
//!   quarter scored: what `cw.measure(frames, ...)` and `cw.score(m.units(), ...)` do.
//! - `bill_table/100000_enrollments`: 1,000,000 child-months (100,000 enrollments of ten
//!   months) billed and split six ways (Missouri) into one table of columns with
//!   `case_rate::batch::bill_table`: what `cw.bill_frame(table, split=True)` does.
//!
//! - `split_table/1000000_amounts`: a million payments split six ways (Missouri) into one column
//!   per funder with `PreparedSplit::allocate_table`: what `cw.split_frame(table, program=...)`
//!   does.
//!
//! - `settle_table/1000000_rows`: a million Commonworks settlements ($100,000 targets, actual
//!   costs $90,000 to $110,000, the 3% stage) with `Corridor::settle_table`: what
//!   `cw.settle_frame(table, program="commonworks-1998", as_of=...)` does.
//!
//! Run: `cargo bench -p cwfinance-benches --bench pipelines`. `PIPELINES=billing` (or `hb1414`,
//! `splitting`, `settling`, comma-separated) prepares and runs only those jobs, so that the bench binary's
//! peak memory under `/usr/bin/time -v` is that job's.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use criterion::{Criterion, criterion_group, criterion_main};
use cwfinance::Program;
use cwfinance::case_rate::RateSchedule;
use cwfinance::case_rate::batch::{BatchSchedule, EnrollmentColumns, bill_table};
use cwfinance::metrics::data::{Day, Table};
use cwfinance::metrics::load::{CellValue, Column, ColumnTable, LoadOptions, from_columns};
use cwfinance::metrics::measure::{
    Granularity, Level, MeasureOptions, MetricValue, PeriodSpec, measure_dataset,
};
use cwfinance::metrics::score::{ScoreOptions, ScoreRequest, UnitValues, score_request};
use cwfinance::metrics::suppress::SuppressionOptions;
use cwfinance::metrics::synth::{SynthOptions, generate, to_csv};
use cwfinance::split::Split;
use rust_decimal::Decimal;

/// One column as a DataFrame holds it after `read_csv`.
enum Typed {
    Text(TextColumn),
    Days(Vec<Option<Day>>),
    Bools(Vec<Option<bool>>),
}

impl Typed {
    fn column(&self) -> &dyn Column {
        match self {
            Typed::Text(v) => v,
            Typed::Days(v) => v,
            Typed::Bools(v) => v,
        }
    }
}

/// Text cells in one buffer with offsets, as Arrow (and so pandas' and polars' string columns)
/// holds them; `None` cells have an empty range and a cleared validity flag.
struct TextColumn {
    data: String,
    offsets: Vec<u32>,
    valid: Vec<bool>,
}

impl TextColumn {
    fn new(cells: &[Option<String>]) -> TextColumn {
        let mut data = String::new();
        let mut offsets = vec![0u32];
        let mut valid = Vec::with_capacity(cells.len());
        for c in cells {
            data.push_str(c.as_deref().unwrap_or(""));
            offsets.push(u32::try_from(data.len()).unwrap());
            valid.push(c.is_some());
        }
        TextColumn {
            data,
            offsets,
            valid,
        }
    }
}

impl Column for TextColumn {
    fn len(&self) -> usize {
        self.valid.len()
    }
    fn get(&self, row: usize) -> CellValue<'_> {
        match (
            self.valid.get(row),
            self.offsets.get(row),
            self.offsets.get(row + 1),
        ) {
            (Some(true), Some(&a), Some(&b)) => self
                .data
                .get(a as usize..b as usize)
                .map_or(CellValue::Null, CellValue::Text),
            _ => CellValue::Null,
        }
    }
}

/// The synthetic tables as typed columns: date columns as dates, boolean columns as booleans,
/// the rest as text.
fn typed_tables(scale: Decimal) -> Vec<(String, Vec<(String, Typed)>)> {
    let ds = generate(&SynthOptions::new(1).scale(scale)).unwrap();
    to_csv(&ds)
        .into_iter()
        .map(|(file, text)| {
            let table = Table::from_file_name(&file).unwrap();
            let mut reader = csv::ReaderBuilder::new().from_reader(text.as_bytes());
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
                    let c = record.get(k).unwrap_or("");
                    column.push((!c.is_empty()).then(|| c.to_string()));
                }
            }
            let columns = header
                .into_iter()
                .zip(cells)
                .map(|(name, column)| {
                    let ty = table
                        .columns()
                        .iter()
                        .find(|c| c.name == name)
                        .map(|c| c.ty);
                    let typed = match ty {
                        Some(cwfinance::metrics::data::ColumnType::Date) => Typed::Days(
                            column
                                .iter()
                                .map(|c| c.as_deref().and_then(Day::parse))
                                .collect(),
                        ),
                        Some(cwfinance::metrics::data::ColumnType::Bool) => Typed::Bools(
                            column
                                .iter()
                                .map(|c| c.as_deref().map(|s| s == "true"))
                                .collect(),
                        ),
                        _ => Typed::Text(TextColumn::new(&column)),
                    };
                    (name, typed)
                })
                .collect();
            (file.trim_end_matches(".csv").to_string(), columns)
        })
        .collect()
}

/// Load, measure, publish, and score the providers of the last quarter.
fn hb1414_job(tables: &[(String, Vec<(String, Typed)>)]) -> (usize, [Duration; 4]) {
    let t0 = Instant::now();
    let views: Vec<ColumnTable> = tables
        .iter()
        .map(|(name, columns)| ColumnTable {
            name,
            columns: columns
                .iter()
                .map(|(n, c)| (n.as_str(), c.column()))
                .collect(),
        })
        .collect();
    let ds = from_columns(&views, &LoadOptions::default()).unwrap();
    let t1 = Instant::now();
    let periods = PeriodSpec {
        granularity: Granularity::Quarter,
        first: NaiveDate::from_ymd_opt(2020, 1, 1).unwrap(),
        count: 20,
    };
    let mut response = measure_dataset(
        &ds,
        periods,
        &Level::ALL,
        &[],
        &MeasureOptions::default(),
        &SuppressionOptions::default(),
    )
    .unwrap();
    let t2 = Instant::now();
    let values: Vec<MetricValue> = std::mem::take(&mut response.values);
    let json = cwfinance::json::to_canonical_string(&response);
    let t3 = Instant::now();
    let last = response.periods.last().unwrap().label.clone();
    // The providers' values of the last quarter, a unit each, in the order first seen.
    let mut units: Vec<UnitValues> = Vec::new();
    let mut index: std::collections::HashMap<&str, usize> = std::collections::HashMap::new();
    for v in values
        .iter()
        .filter(|v| v.level == Level::Provider && v.period == last)
    {
        let k = *index.entry(v.unit.as_str()).or_insert_with(|| {
            units.push(UnitValues::new(v.unit.clone()));
            units.len() - 1
        });
        if let Some(u) = units.get_mut(k) {
            u.values.insert(v.metric, v.value.clone());
        }
    }
    let cards = score_request(
        &ScoreRequest {
            as_of: NaiveDate::from_ymd_opt(2024, 12, 31).unwrap(),
            units,
            items: None,
            regional_goals: None,
            options: ScoreOptions::default(),
        },
        false,
    )
    .unwrap();
    let t4 = Instant::now();
    black_box((json, values));
    (cards.scorecards.len(), [t1 - t0, t2 - t1, t3 - t2, t4 - t3])
}

/// Whether `job` is among those chosen by `PIPELINES` (all when unset).
fn chosen(job: &str) -> bool {
    std::env::var("PIPELINES").map_or(true, |v| v.split(',').any(|j| j.trim() == job))
}

fn hb1414(c: &mut Criterion) {
    if !chosen("hb1414") {
        return;
    }
    let tables = typed_tables(Decimal::ONE);
    let rows: usize = tables
        .iter()
        .map(|(_, cols)| cols.first().map_or(0, |(_, c)| c.column().len()))
        .sum();
    let (cards, [load, measure, json, score]) = hb1414_job(&tables);
    eprintln!(
        "hb1414 job: {rows} rows, {cards} scorecards; one run: load {load:.2?}, measure and \
         publish {measure:.2?}, JSON {json:.2?}, score {score:.2?}"
    );
    let mut group = c.benchmark_group("pipelines");
    group.sample_size(10);
    group.bench_function("hb1414_columns_to_scorecards/scale_1", |b| {
        b.iter(|| hb1414_job(black_box(&tables)))
    });
    group.finish();
}

fn billing(c: &mut Criterion) {
    if !chosen("billing") {
        return;
    }
    let program = Program::builtin("missouri-interdepartmental-initiative").unwrap();
    let rates: RateSchedule = program.require_section("case_rate").unwrap();
    let split: Split = program.require_section("split").unwrap();
    let schedule = BatchSchedule::new(&rates, None, None).unwrap();
    let split = split.prepare().unwrap();
    let as_of = NaiveDate::from_ymd_opt(2001, 1, 1).unwrap();
    // As benches/python/bench.py: enrolled on the 2nd..28th of March 1999 for nine months.
    let mut input = EnrollmentColumns::default();
    for i in 0..100_000u32 {
        let start = NaiveDate::from_ymd_opt(1999, 3, 2 + i % 27).unwrap();
        let end = NaiveDate::from_ymd_opt(1999, 12, 2 + i % 27).unwrap();
        input.push(start, Some(end), true);
    }
    let out = bill_table(&schedule, &input, as_of, Some(&split)).unwrap();
    assert_eq!(out.len(), 1_000_000);
    let mut group = c.benchmark_group("pipelines");
    group.sample_size(10);
    group.bench_function("bill_table/100000_enrollments", |b| {
        b.iter(|| {
            bill_table(&schedule, black_box(&input), as_of, Some(&split))
                .map(|t| t.len())
                .unwrap_or(0)
        })
    });
    group.finish();
}

fn splitting(c: &mut Criterion) {
    if !chosen("splitting") {
        return;
    }
    let program = Program::builtin("missouri-interdepartmental-initiative").unwrap();
    let split: Split = program.require_section("split").unwrap();
    let split = split.prepare().unwrap();
    // As benches/python/bench.py: $3,329.00 to $4,328.00, a million payments.
    let amounts: Vec<cwfinance::Money> = (0..1_000_000i64)
        .map(|i| cwfinance::Money::from_cents((3_329 + i % 1_000) * 100))
        .collect();
    let mut group = c.benchmark_group("pipelines");
    group.sample_size(10);
    group.bench_function("split_table/1000000_amounts", |b| {
        b.iter(|| {
            split
                .allocate_table(black_box(&amounts))
                .map(|t| t.total_cents)
                .unwrap_or(0)
        })
    });
    group.finish();
}

fn settling(c: &mut Criterion) {
    if !chosen("settling") {
        return;
    }
    let corridor =
        cwfinance::corridor::Corridor::commonworks(NaiveDate::from_ymd_opt(1998, 10, 1).unwrap());
    // As benches/python/bench.py: $100,000 targets, actual costs $90,000 to $110,000, settled
    // on 1999-07-15 (the 3% stage).
    let n = 1_000_000i64;
    let targets = vec![cwfinance::Money::from_cents(10_000_000); n as usize];
    let actuals: Vec<cwfinance::Money> = (0..n)
        .map(|i| cwfinance::Money::from_cents(9_000_000 + (i % 2_001) * 1_000))
        .collect();
    let dates = vec![NaiveDate::from_ymd_opt(1999, 7, 15); n as usize];
    let mut group = c.benchmark_group("pipelines");
    group.sample_size(10);
    group.bench_function("settle_table/1000000_rows", |b| {
        b.iter(|| {
            corridor
                .settle_table(black_box(&targets), black_box(&actuals), &dates)
                .map(|t| t.payer_share.len())
                .unwrap_or(0)
        })
    });
    group.finish();
}

criterion_group!(benches, hb1414, billing, splitting, settling);
criterion_main!(benches);
