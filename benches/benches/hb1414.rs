//! HB 1414 measurement: every Phase I and Phase II metric and the CFSR-style indicators, for the
//! system and every region, circuit, county and provider, over 20 quarters, on the synthetic
//! Missouri dataset.
//!
//! Scales come from `HB1414_BENCH_SCALES` (comma-separated, default `1`), for example
//! `HB1414_BENCH_SCALES=1,10 cargo bench -p cwfinance-benches --bench hb1414`. Throughput is
//! reported in case-level rows (all tables) per second.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cwfinance::metrics::data::Table;
use cwfinance::metrics::measure::{
    Granularity, Level, MeasureOptions, PeriodSpec, measure, published_values,
};
use cwfinance::metrics::suppress::SuppressionOptions;
use cwfinance::metrics::synth::{SynthOptions, generate};
use rust_decimal::Decimal;

fn scales() -> Vec<Decimal> {
    std::env::var("HB1414_BENCH_SCALES")
        .unwrap_or_else(|_| "1".into())
        .split(',')
        .filter_map(|s| s.trim().parse::<Decimal>().ok())
        .collect()
}

fn bench(c: &mut Criterion) {
    // 20 quarters: 2020Q1 to 2024Q4, the synthetic data's five years.
    let periods = PeriodSpec {
        granularity: Granularity::Quarter,
        first: chrono::NaiveDate::from_ymd_opt(2020, 1, 1).unwrap_or_default(),
        count: 20,
    }
    .periods()
    .unwrap_or_default();
    let options = MeasureOptions::default();
    let mut group = c.benchmark_group("hb1414");
    group.sample_size(10);
    for scale in scales() {
        let Ok(ds) = generate(&SynthOptions::new(1).scale(scale)) else {
            eprintln!("hb1414 bench: cannot generate scale {scale}");
            continue;
        };
        let rows: usize = Table::ALL.iter().map(|t| ds.rows(*t)).sum();
        eprintln!(
            "hb1414 bench: scale {scale}: {} children, {} episodes, {} visits, {rows} rows in all",
            ds.children.len(),
            ds.episodes.len(),
            ds.visits.len()
        );
        group.throughput(Throughput::Elements(rows as u64));
        group.bench_function(format!("measure_20_quarters/scale_{scale}"), |b| {
            b.iter(|| measure(black_box(&ds), black_box(&periods), black_box(&options)))
        });
        if let Ok(m) = measure(&ds, &periods, &options) {
            group.bench_function(format!("publish_with_suppression/scale_{scale}"), |b| {
                b.iter(|| {
                    published_values(
                        black_box(&m),
                        &Level::ALL,
                        &[],
                        &SuppressionOptions::default(),
                    )
                })
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
