//! Corridor settlement: the Commonworks phased-in corridor (001_f8713068464777ee.txt, Case Rates,
//! Massachusetts Commonworks), loaded from the built-in preset.
//!
//! - `corridor/commonworks_one`: one settlement of $105,000 of costs against $100,000 at the 3%
//!   stage (validation, phase lookup and bands included).
//! - `corridor/commonworks_batch_100000`: 100,000 settlements, costs spread from $90,000 to
//!   $110,000 and dates over the three phases.
//! - `document/commonworks_one`: the same single settlement through the JSON document API.
//!
//! Run: `cargo bench -p cwfinance-benches --bench settlement -- --warm-up-time 1 --measurement-time 5`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cwfinance::corridor::Corridor;
use cwfinance::{Money, Program};

const BATCH: u64 = 100_000;

fn corridor() -> Corridor {
    Program::builtin("commonworks-1998")
        .and_then(|p| p.require_section("corridor"))
        .unwrap_or_else(|_| Corridor::commonworks(date(1998, 10, 1)))
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

/// (actual cost in cents, as_of) for settlement `i`: costs from $90,000 to $110,000 and dates
/// across the 1%, 2% and 3% phases.
fn case(i: u64) -> (Money, NaiveDate) {
    let cents = 9_000_000 + i64::try_from((i * 7_919) % 2_000_001).unwrap_or(0);
    let months = [(1998, 11), (1999, 3), (1999, 7)];
    let (y, m) = months[usize::try_from(i % 3).unwrap_or(0)];
    (Money::from_cents(cents), date(y, m, 15))
}

fn bench(c: &mut Criterion) {
    let corridor = corridor();
    let target = Money::from_cents(10_000_000);
    let as_of = Some(date(1999, 7, 15));
    let actual = Money::from_cents(10_500_000);

    let mut group = c.benchmark_group("corridor");
    group.throughput(Throughput::Elements(1));
    group.bench_function("commonworks_one", |b| {
        b.iter(|| black_box(&corridor).settle(black_box(target), black_box(actual), as_of))
    });
    let cases: Vec<(Money, NaiveDate)> = (0..BATCH).map(case).collect();
    group.throughput(Throughput::Elements(BATCH));
    group.bench_function("commonworks_batch_100000", |b| {
        b.iter(|| {
            let mut provider = Money::ZERO;
            for (actual, as_of) in &cases {
                if let Ok(s) = corridor.settle(target, *actual, Some(*as_of)) {
                    provider += s.provider_share;
                }
            }
            black_box(provider)
        })
    });
    group.finish();

    let request = r#"{"kind":"corridor.settle","program":"commonworks-1998","as_of":"1999-07-15","target":"100000.00","actual":"105000.00"}"#;
    let mut group = c.benchmark_group("document");
    group.throughput(Throughput::Elements(1));
    group.bench_function("commonworks_one", |b| {
        b.iter(|| cwfinance::evaluate_str(black_box(request)))
    });
    group.finish();
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(20).measurement_time(Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
