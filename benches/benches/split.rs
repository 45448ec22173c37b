//! Funding splits: Missouri's six divisions (000_b605dc6c8d05d2b7.txt, Case rate financing by
//! division) under the preset's `normalize` policy, so every allocation has leftover cents to
//! distribute by largest remainder.
//!
//! - `split/allocate_six_way`: `PreparedSplit::allocate`, the convenient path that returns names,
//!   shares and exact parts (allocates a `Vec` and clones six names per call).
//! - `split/allocate_into_six_way`: `PreparedSplit::allocate_into`, the allocation-free hot path
//!   batch billing uses.
//! - `split/allocate_cents_into_six_way`: the same on integer cents.
//! - `split/ledger_10000_lines`: `PreparedSplit::allocate_ledger` over 10,000 amounts.
//! - `split/prepare_six_way`: checking the split and building the exact fractions, paid once.
//!
//! Run: `cargo bench -p cwfinance-benches --bench split -- --warm-up-time 1 --measurement-time 3`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cwfinance::split::{PreparedSplit, SharePolicy, Split};
use cwfinance::{Money, Program, Rounding};

const LEDGER_LINES: usize = 10_000;

fn missouri() -> Option<Split> {
    Program::builtin("missouri-interdepartmental-initiative")
        .and_then(|p| p.require_section::<Split>("split"))
        .ok()
}

fn prepared() -> Option<PreparedSplit> {
    missouri()?.prepare().ok()
}

/// Amount `i` of the ledger: prorated months for 1 to 250 children, $3,555.00 a child-month,
/// with a recoupment every 97th line, so the remainders vary from line to line.
fn ledger_amount(i: usize) -> Money {
    let children = i64::try_from(i % 250 + 1).unwrap_or(1);
    let days = i64::try_from(i % 31 + 1).unwrap_or(1);
    let cents = 355_500 * children * days / 31;
    Money::from_cents(if i.is_multiple_of(97) { -cents } else { cents })
}

fn bench_split(c: &mut Criterion) {
    let (Some(split), Some(p)) = (missouri(), prepared()) else {
        eprintln!("the Missouri preset has no usable split section; nothing to bench");
        return;
    };
    let month = Money::from_cents(88_875_000);
    let mut group = c.benchmark_group("split");
    group.throughput(Throughput::Elements(1));
    group.bench_function("prepare_six_way", |b| {
        b.iter(|| {
            black_box(&split)
                .prepare_with(&SharePolicy::Normalize, Rounding::HalfUp)
                .ok()
        })
    });
    group.bench_function("allocate_six_way", |b| {
        b.iter(|| p.allocate(black_box(month)).ok())
    });
    let mut out = [Money::ZERO; 6];
    group.bench_function("allocate_into_six_way", |b| {
        b.iter(|| {
            let _ = p.allocate_into(black_box(month), &mut out);
            black_box(&out);
        })
    });
    let mut cents = [0i64; 6];
    group.bench_function("allocate_cents_into_six_way", |b| {
        b.iter(|| {
            let _ = p.allocate_cents_into(black_box(88_875_000), &mut cents);
            black_box(&cents);
        })
    });
    let amounts: Vec<Money> = (0..LEDGER_LINES).map(ledger_amount).collect();
    group.throughput(Throughput::Elements(LEDGER_LINES as u64));
    group.bench_function("ledger_10000_lines", |b| {
        b.iter(|| p.allocate_ledger(black_box(&amounts)).ok())
    });
    group.bench_function("allocate_into_10000_lines", |b| {
        b.iter(|| {
            for a in &amounts {
                let _ = p.allocate_into(*a, &mut out);
                black_box(&out);
            }
        })
    });
    group.finish();
}

criterion_group!(benches, bench_split);
criterion_main!(benches);
