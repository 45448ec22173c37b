//! Billing throughput: child-months billed with proration and a six-way split (Missouri's six
//! divisions, 000_b605dc6c8d05d2b7.txt), through the columnar batch path.
//!
//! Every child is enrolled mid-month for nine months (with the authorised extension), so each
//! child is ten lines: a prorated first month, eight whole months and a prorated last month.
//!
//! - `1M_lines/10_children_per_call`: 1,000,000 child-months in 100,000 calls of 10 children.
//! - `1M_lines/10000_children_per_call`: 1,000,000 child-months in 10 calls of 10,000 children.
//! - `10M_lines/10000_children_per_call`: 10,000,000 child-months in 100 calls of 10,000
//!   children: time per line should stay within 1.2x of the 1M run (linear scaling).
//! - `1M_lines/10000_children_per_call/no_split`: the same without the split, for comparison.
//!
//! Run: `cargo bench -p cwfinance-benches --bench billing -- --warm-up-time 1 --measurement-time 5`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::hint::black_box;
use std::time::Duration;

use chrono::NaiveDate;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use cwfinance::Program;
use cwfinance::case_rate::RateSchedule;
use cwfinance::case_rate::batch::{BatchSchedule, EnrollmentColumns, LineColumns, bill_columns};
use cwfinance::split::{PreparedSplit, Split};

const LINES_PER_CHILD: u64 = 10;

struct Setup {
    schedule: BatchSchedule,
    split: PreparedSplit,
    as_of: NaiveDate,
}

fn setup() -> Result<Setup, cwfinance::Error> {
    let program = Program::builtin("missouri-interdepartmental-initiative")?;
    let rates: RateSchedule = program.require_section("case_rate")?;
    let split: Split = program.require_section("split")?;
    Ok(Setup {
        schedule: BatchSchedule::new(&rates, None, None)?,
        split: split.prepare()?,
        as_of: NaiveDate::from_ymd_opt(2001, 1, 1).unwrap_or_default(),
    })
}

/// `n` children enrolled on days 2..=28 of March 1999, each for nine months.
fn children(n: usize) -> EnrollmentColumns {
    let mut input = EnrollmentColumns::default();
    for i in 0..n {
        let day = 2 + u32::try_from(i % 27).unwrap_or(0);
        let start = NaiveDate::from_ymd_opt(1999, 3, day).unwrap_or_default();
        let end = cwfinance::calendar::add_months(start, 9);
        input.push(start, Some(end), true);
    }
    input
}

fn billing(c: &mut Criterion) {
    let setup = match setup() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("billing bench setup failed: {e}");
            return;
        }
    };
    let mut group = c.benchmark_group("case_rate_billing");
    group.sample_size(10);
    group.warm_up_time(Duration::from_secs(1));
    for (name, lines, per_call) in [
        ("1M_lines/10_children_per_call", 1_000_000u64, 10usize),
        ("1M_lines/10000_children_per_call", 1_000_000, 10_000),
        ("10M_lines/10000_children_per_call", 10_000_000, 10_000),
    ] {
        let input = children(per_call);
        let calls = lines / (LINES_PER_CHILD * per_call as u64);
        let mut out = LineColumns::default();
        // One call up front sizes the buffers; the measured calls reuse them.
        if let Err(e) = bill_columns(
            &setup.schedule,
            &input,
            setup.as_of,
            Some(&setup.split),
            &mut out,
        ) {
            eprintln!("{name}: {e}");
            continue;
        }
        if out.len() as u64 != LINES_PER_CHILD * per_call as u64 {
            eprintln!(
                "{name}: expected {} lines per call, got {}",
                LINES_PER_CHILD * per_call as u64,
                out.len()
            );
            continue;
        }
        group.throughput(Throughput::Elements(lines));
        group.bench_function(name, |b| {
            b.iter(|| {
                let mut total = 0i128;
                for _ in 0..calls {
                    if bill_columns(
                        &setup.schedule,
                        &input,
                        setup.as_of,
                        Some(&setup.split),
                        &mut out,
                    )
                    .is_ok()
                    {
                        total += out.total_cents();
                    }
                }
                black_box(total)
            })
        });
    }
    // The billing core alone (proration, no split), to show what the split costs per line.
    let input = children(10_000);
    let mut out = LineColumns::default();
    group.throughput(Throughput::Elements(1_000_000));
    group.bench_function("1M_lines/10000_children_per_call/no_split", |b| {
        b.iter(|| {
            let mut total = 0i128;
            for _ in 0..10 {
                if bill_columns(&setup.schedule, &input, setup.as_of, None, &mut out).is_ok() {
                    total += out.total_cents();
                }
            }
            black_box(total)
        })
    });
    group.finish();
}

criterion_group!(benches, billing);
criterion_main!(benches);
