//! `cwfinance hb1414`: HB 1414 measurement and scorecards from case-level CSV files.
//!
//! - `cwfinance hb1414 score --data DIR --quarter 2024Q3 --by provider [--format text|json|csv]`
//!   measures every metric for the quarter, suppresses small cells, and scores each unit against
//!   the goals in force on the quarter's last day (13 CSR 35-35.100(3)(H)).
//! - `cwfinance hb1414 measure --data DIR --quarter 2024Q3 [--quarters N] [--by LEVEL]...
//!   [--format json|csv]` prints the metric values themselves.

use std::path::Path;

use clap::{Args, Subcommand, ValueEnum};
use cwfinance::Quarter;
use cwfinance::metrics::definitions::MetricId;
use cwfinance::metrics::measure::{
    Granularity, Level, MeasureOptions, MetricValue, PeriodSpec, measure, published_values,
    unit_values_for_scoring,
};
use cwfinance::metrics::score::{Goals, ScoreOptions, Scorecard, WeightPolicy, score_unit};
use cwfinance::metrics::suppress::SuppressionOptions;

/// Arguments of `cwfinance hb1414`.
#[derive(Debug, Args)]
pub struct Hb1414Args {
    #[command(subcommand)]
    command: Hb1414Command,
}

#[derive(Debug, Subcommand)]
enum Hb1414Command {
    /// Print a scorecard per unit for one quarter.
    Score(ScoreArgs),
    /// Print metric values for one or more quarters.
    Measure(MeasureArgs),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Csv,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum By {
    System,
    Region,
    Circuit,
    County,
    Provider,
}

impl By {
    fn level(self) -> Level {
        match self {
            By::System => Level::System,
            By::Region => Level::Region,
            By::Circuit => Level::Circuit,
            By::County => Level::County,
            By::Provider => Level::Provider,
        }
    }
}

#[derive(Debug, Args)]
struct DataArgs {
    /// The folder of CSV files (`children.csv`, `episodes.csv`, ... as in docs/data.md).
    #[arg(long)]
    data: String,
    /// The quarter, such as 2024Q3.
    #[arg(long)]
    quarter: String,
    /// Hide cells whose denominator is from 1 to this minus 1 (13 CSR 35-35.100(6)(D)); 0 shows all.
    #[arg(long, default_value_t = 11)]
    min_denominator: u64,
}

#[derive(Debug, Args)]
struct ScoreArgs {
    #[command(flatten)]
    data: DataArgs,
    /// The units to score.
    #[arg(long, value_enum, default_value_t = By::Provider)]
    by: By,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Rescale each total to the weights actually scored (100% is perfect).
    #[arg(long)]
    normalize: bool,
    /// Do not cap each item at 100% of its goal.
    #[arg(long)]
    no_cap: bool,
}

#[derive(Debug, Args)]
struct MeasureArgs {
    #[command(flatten)]
    data: DataArgs,
    /// How many quarters, starting with --quarter.
    #[arg(long, default_value_t = 1)]
    quarters: u32,
    /// Levels to print (repeatable; default all).
    #[arg(long, value_enum)]
    by: Vec<By>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Csv)]
    format: Format,
}

/// Run `cwfinance hb1414`.
pub fn run(args: &Hb1414Args) -> Result<(), String> {
    match &args.command {
        Hb1414Command::Score(a) => {
            let ds = load_dir(&a.data.data)?;
            let quarter: Quarter = a
                .data
                .quarter
                .parse()
                .map_err(|e: cwfinance::Error| e.to_string())?;
            let options = ScoreOptions {
                cap_at_100: !a.no_cap,
                weights: if a.normalize {
                    WeightPolicy::NormalizeTo100
                } else {
                    WeightPolicy::AsPublished
                },
                ..ScoreOptions::default()
            };
            let suppression = SuppressionOptions {
                min_denominator: a.data.min_denominator,
                complementary: true,
            };
            let (phase, cards) = scorecards(&ds, quarter, a.by.level(), &options, &suppression)?;
            let out = match a.format {
                Format::Text => scorecard_text(quarter, &phase, a.by.level(), &cards),
                Format::Json => serde_json::to_string_pretty(&serde_json::json!({
                    "quarter": quarter.to_string(), "phase": phase, "by": a.by.level(), "scorecards": cards,
                }))
                .map_err(|e| e.to_string())?,
                Format::Csv => scorecard_csv(quarter, &cards),
            };
            print!("{out}");
            Ok(())
        }
        Hb1414Command::Measure(a) => {
            let ds = load_dir(&a.data.data)?;
            let quarter: Quarter = a
                .data
                .quarter
                .parse()
                .map_err(|e: cwfinance::Error| e.to_string())?;
            let spec = PeriodSpec {
                granularity: Granularity::Quarter,
                first: quarter.period().start,
                count: a.quarters,
            };
            let periods = spec.periods().map_err(|e| e.to_string())?;
            let m =
                measure(&ds, &periods, &MeasureOptions::default()).map_err(|e| e.to_string())?;
            let levels: Vec<Level> = if a.by.is_empty() {
                Level::ALL.to_vec()
            } else {
                a.by.iter().map(|b| b.level()).collect()
            };
            let suppression = SuppressionOptions {
                min_denominator: a.data.min_denominator,
                complementary: true,
            };
            let values = published_values(&m, &levels, &[], &suppression);
            let out = match a.format {
                Format::Json => serde_json::to_string_pretty(&values).map_err(|e| e.to_string())?,
                Format::Csv | Format::Text => values_csv(&values),
            };
            print!("{out}");
            Ok(())
        }
    }
}

fn load_dir(dir: &str) -> Result<cwfinance::metrics::data::Dataset, String> {
    let entries = std::fs::read_dir(Path::new(dir)).map_err(|e| format!("{dir}: {e}"))?;
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for e in entries.flatten() {
        let p = e.path();
        if p.extension().is_some_and(|x| x == "csv") {
            let name = p
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_string();
            let bytes = std::fs::read(&p).map_err(|err| format!("{}: {err}", p.display()))?;
            files.push((name, bytes));
        }
    }
    files.sort();
    let pairs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    cwfinance::metrics::load::from_csv_bytes(&pairs, &Default::default()).map_err(|e| match e {
        cwfinance::Error::InvalidData { problems } => {
            let mut msg = format!("{} data problem(s):", problems.len());
            for p in problems.iter().take(50) {
                msg.push_str(&format!("\n  {p}"));
            }
            msg
        }
        other => other.to_string(),
    })
}

/// Measure one quarter and score every unit of `level`.
fn scorecards(
    ds: &cwfinance::metrics::data::Dataset,
    quarter: Quarter,
    level: Level,
    options: &ScoreOptions,
    suppression: &SuppressionOptions,
) -> Result<(String, Vec<Scorecard>), String> {
    let period = quarter.period();
    let spec = PeriodSpec {
        granularity: Granularity::Quarter,
        first: period.start,
        count: 1,
    };
    let periods = spec.periods().map_err(|e| e.to_string())?;
    let m = measure(ds, &periods, &MeasureOptions::default()).map_err(|e| e.to_string())?;
    let values = published_values(&m, &[level], &[], suppression);
    let as_of = period.end.pred_opt().unwrap_or(period.start);
    let goals = Goals::in_force(as_of).map_err(|e| e.to_string())?;
    let mut cards = Vec::new();
    for unit in unit_values_for_scoring(&m, &values, level, &quarter.to_string()) {
        cards.push(
            score_unit(&unit, &goals, options, &mut cwfinance::Trace::disabled())
                .map_err(|e| e.to_string())?,
        );
    }
    Ok((goals.phase, cards))
}

fn dash(s: Option<&str>) -> String {
    s.map_or_else(|| "—".to_string(), str::to_string)
}

fn scorecard_text(quarter: Quarter, phase: &str, level: Level, cards: &[Scorecard]) -> String {
    let mut out = format!(
        "HB 1414 scorecard, {quarter} ({phase} in force; 13 CSR 35-35.100(3)(H)), by {}\n",
        serde_json::to_value(level)
            .ok()
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap_or_default()
    );
    for c in cards {
        out.push_str(&format!(
            "\n{}{}\n",
            c.unit,
            c.region
                .as_deref()
                .map(|r| format!(" ({r})"))
                .unwrap_or_default()
        ));
        out.push_str(&format!(
            "  {:<36} {:>10} {:>10} {:>9} {:>7} {:>9}  {}\n",
            "item", "goal", "actual", "% goal", "weight", "weighted", "note"
        ));
        for i in &c.items {
            let note = match (i.not_scored, i.met) {
                (Some(r), _) => format!(
                    "not scored: {}",
                    serde_json::to_value(r)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_default()
                ),
                (None, Some(true)) => "met".into(),
                (None, Some(false)) => "not met".into(),
                (None, None) => String::new(),
            };
            out.push_str(&format!(
                "  {:<36} {:>10} {:>10} {:>9} {:>7} {:>9}  {}\n",
                MetricId::definition(i.metric).name,
                dash(i.goal.as_deref()),
                dash(i.actual.as_deref()),
                dash(i.percent_of_goal.map(|p| p.to_string()).as_deref()),
                i.weight.to_string(),
                dash(i.weighted.map(|p| p.to_string()).as_deref()),
                note
            ));
        }
        out.push_str(&format!(
            "  total {} ({}; weights in force sum to {}, scored {})\n",
            c.total,
            match c.weight_policy {
                WeightPolicy::AsPublished => "weights as published",
                WeightPolicy::NormalizeTo100 => "normalized to the scored weights",
            },
            c.weight_sum,
            c.scored_weight_sum
        ));
        out.push_str(&format!(
            "  goals met: {}\n",
            match c.goals_met {
                Some(true) => "yes",
                Some(false) => "no",
                None => "cannot be judged (nothing scored or values missing)",
            }
        ));
        for w in &c.weakness {
            out.push_str(&format!(
                "  weakness: {} {} below {} ({})\n",
                w.metric
                    .map(|m| m.to_string())
                    .unwrap_or_else(|| "total".into()),
                w.value,
                w.threshold,
                w.flag
            ));
        }
        out.push_str(&format!(
            "  incentive: {} ({})\n",
            c.incentive.share, c.incentive.reason
        ));
    }
    out
}

fn csv_field(s: &str) -> String {
    if s.contains([',', '"', '\n']) {
        format!("\"{}\"", s.replace('"', "\"\""))
    } else {
        s.to_string()
    }
}

fn scorecard_csv(quarter: Quarter, cards: &[Scorecard]) -> String {
    let mut out = String::from(
        "quarter,unit,region,metric,goal,actual,met,scored,not_scored,percent_of_goal,weight,weighted,total,weight_sum,goals_met,incentive_share\n",
    );
    for c in cards {
        for i in &c.items {
            let row = [
                quarter.to_string(),
                c.unit.clone(),
                c.region.clone().unwrap_or_default(),
                i.metric.to_string(),
                i.goal.clone().unwrap_or_default(),
                i.actual.clone().unwrap_or_default(),
                i.met.map(|b| b.to_string()).unwrap_or_default(),
                i.scored.to_string(),
                i.not_scored
                    .and_then(|r| serde_json::to_value(r).ok())
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                i.percent_of_goal.map(|p| p.to_string()).unwrap_or_default(),
                i.weight.to_string(),
                i.weighted.map(|p| p.to_string()).unwrap_or_default(),
                c.total.to_string(),
                c.weight_sum.to_string(),
                c.goals_met.map(|b| b.to_string()).unwrap_or_default(),
                c.incentive.share.to_string(),
            ];
            out.push_str(
                &row.iter()
                    .map(|f| csv_field(f))
                    .collect::<Vec<_>>()
                    .join(","),
            );
            out.push('\n');
        }
    }
    out
}

fn values_csv(values: &[MetricValue]) -> String {
    let mut out = String::from("period,level,unit,metric,numerator,denominator,value,suppressed\n");
    for v in values {
        let row = [
            v.period.clone(),
            serde_json::to_value(v.level)
                .ok()
                .and_then(|x| x.as_str().map(str::to_string))
                .unwrap_or_default(),
            v.unit.clone(),
            v.metric.to_string(),
            v.numerator.map(|n| n.to_string()).unwrap_or_default(),
            v.denominator.map(|n| n.to_string()).unwrap_or_default(),
            v.value.clone().unwrap_or_default(),
            v.suppressed
                .and_then(|r| serde_json::to_value(r).ok())
                .and_then(|x| x.as_str().map(str::to_string))
                .unwrap_or_default(),
        ];
        out.push_str(
            &row.iter()
                .map(|f| csv_field(f))
                .collect::<Vec<_>>()
                .join(","),
        );
        out.push('\n');
    }
    out
}

/// A scorecard of 2024Q3, by provider, from a small built-in synthetic dataset (for
/// `cwfinance demo`).
pub fn demo_scorecard_text() -> Result<String, String> {
    use cwfinance::metrics::synth::{SynthOptions, generate};
    let options = SynthOptions::new(1414).scale(rust_decimal::Decimal::new(1, 1));
    let ds = generate(&options).map_err(|e| e.to_string())?;
    let quarter: Quarter = "2024Q3"
        .parse()
        .map_err(|e: cwfinance::Error| e.to_string())?;
    let (phase, cards) = scorecards(
        &ds,
        quarter,
        Level::Provider,
        &ScoreOptions::default(),
        &SuppressionOptions::default(),
    )?;
    Ok(format!(
        "Synthetic Missouri data (seed 1414, scale 0.1; not real children)\n{}",
        scorecard_text(quarter, &phase, Level::Provider, &cards)
    ))
}
