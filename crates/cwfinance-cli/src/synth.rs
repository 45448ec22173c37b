//! `cwfinance synth`: write a deterministic synthetic Missouri-sized case-level dataset as CSV.
//!
//! `cwfinance synth --seed N --scale S --out DIR [--bad-rows K] [--as-of DATE] [--years Y]`
//! writes one file per table (`children.csv`, `episodes.csv`, ... as in docs/data.md) into
//! `DIR`, table by table, so that scale 10 does not hold gigabytes of text in memory. With
//! `--bad-rows K`, K invalid rows (each triggering exactly one loader problem) are appended, for
//! trying the error paths. Never write into the repository outside `/data/` or `/synth*/`
//! (both ignored by git): generated data must not be committed.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;

use cwfinance::metrics::data::{Day, Table};
use cwfinance::metrics::synth::{SynthOptions, bad_rows, generate, write_csv};
use rust_decimal::Decimal;

/// Arguments of `cwfinance synth`.
#[derive(Debug, clap::Args)]
pub struct SynthArgs {
    /// The seed: the same seed and options write the same files, byte for byte.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// The size relative to Missouri: 1 is about 13,000 children in care and 6,000 entries a
    /// year; 0.01 is a small sample; at most 50.
    #[arg(long, default_value = "1")]
    scale: String,
    /// The folder to write the CSV files to (created if absent).
    #[arg(long)]
    out: String,
    /// Append this many invalid rows (for the loader's error paths).
    #[arg(long, default_value_t = 0)]
    bad_rows: usize,
    /// The last day of the data (YYYY-MM-DD).
    #[arg(long, default_value = "2024-12-31")]
    as_of: String,
    /// Years of history before the last day (1 to 20).
    #[arg(long, default_value_t = 5)]
    years: u32,
}

/// Run `cwfinance synth`.
pub fn run(args: &SynthArgs) -> Result<(), String> {
    let scale: Decimal = args
        .scale
        .trim()
        .parse()
        .map_err(|_| format!("--scale {:?} is not a decimal number", args.scale))?;
    let as_of = Day::parse(&args.as_of)
        .ok_or_else(|| format!("--as-of {:?} is not a date YYYY-MM-DD", args.as_of))?;
    let options = SynthOptions::new(args.seed)
        .scale(scale)
        .as_of(as_of)
        .years(args.years);
    let ds = generate(&options).map_err(|e| e.to_string())?;
    let bad = bad_rows(&ds, args.bad_rows);

    let dir = Path::new(&args.out);
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut total = 0usize;
    println!(
        "synthetic dataset: seed {}, scale {}, {} to {}",
        args.seed,
        scale,
        options.first_day().map_or(String::new(), |d| d.to_string()),
        as_of
    );
    for table in Table::ALL {
        let path = dir.join(table.file_name());
        let write = || -> std::io::Result<usize> {
            let mut out = BufWriter::with_capacity(1 << 20, File::create(&path)?);
            write_csv(&ds, *table, &mut out)?;
            let mut extra = 0;
            for b in bad.iter().filter(|b| b.table == *table) {
                out.write_all(b.line.as_bytes())?;
                out.write_all(b"\n")?;
                extra += 1;
            }
            out.flush()?;
            Ok(extra)
        };
        let extra = write().map_err(|e| format!("{}: {e}", path.display()))?;
        let rows = ds.rows(*table);
        total += rows + extra;
        if extra > 0 {
            println!(
                "  {:<22} {:>10} rows (+{extra} bad)",
                table.file_name(),
                rows
            );
        } else {
            println!("  {:<22} {:>10} rows", table.file_name(), rows);
        }
    }
    println!("wrote {total} rows to {}", dir.display());
    if !bad.is_empty() {
        let mut codes: Vec<&str> = bad.iter().map(|b| b.code).collect();
        codes.sort_unstable();
        codes.dedup();
        println!(
            "{} bad rows appended; the loader reports: {}",
            bad.len(),
            codes.join(", ")
        );
    }
    Ok(())
}
