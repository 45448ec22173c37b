//! `cwfinance`: the command-line interface to the cwfinance rules.
//!
//! - `cwfinance demo` prints a readable report on built-in data.
//! - `cwfinance eval FILE|-` runs a calculation document and prints the response.
//! - `cwfinance programs` lists the program presets with their sources.
//! - `cwfinance schema --out DIR` writes the JSON Schemas of every request and response.
//! - `cwfinance synth` writes a synthetic Missouri-sized case-level dataset.
//! - `cwfinance hb1414 score` prints an HB 1414 scorecard from case-level CSV files.

use std::io::Read;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod demo;
mod hb1414;
mod synth;

#[derive(Parser)]
#[command(
    name = "cwfinance",
    version,
    about = "Exact, cited child-welfare finance rules: case rates, risk corridors, milestone payments, funding splits and HB 1414 metrics."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print a readable report on built-in data: a Missouri month split six ways, Commonworks
    /// corridor settlements, a Kansas case through its milestones, Project Destiny's extended
    /// rate, and an HB 1414 scorecard.
    Demo,
    /// Run a calculation document (a JSON file, or - for standard input) and print the response.
    Eval {
        /// The request file, or - for standard input.
        file: String,
        /// Indent the output (the default is canonical JSON: sorted keys, no whitespace).
        #[arg(long)]
        pretty: bool,
    },
    /// List the program presets with their sources.
    Programs {
        /// Print JSON instead of a table.
        #[arg(long)]
        json: bool,
    },
    /// Write the JSON Schema of every request and response kind.
    Schema {
        /// The folder to write to (printed to standard output when absent).
        #[arg(long)]
        out: Option<String>,
    },
    /// Write a deterministic synthetic case-level dataset (CSV, one file per table).
    Synth(synth::SynthArgs),
    /// HB 1414 performance measurement.
    Hb1414(hb1414::Hb1414Args),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo => demo::run(),
        Command::Eval { file, pretty } => eval(&file, pretty),
        Command::Programs { json } => programs(json),
        Command::Schema { out } => schema(out.as_deref()),
        Command::Synth(args) => synth::run(&args),
        Command::Hb1414(args) => hb1414::run(&args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(msg) => {
            eprintln!("cwfinance: {msg}");
            ExitCode::FAILURE
        }
    }
}

fn eval(file: &str, pretty: bool) -> Result<(), String> {
    let text = if file == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| format!("cannot read standard input: {e}"))?;
        s
    } else {
        std::fs::read_to_string(file).map_err(|e| format!("cannot read {file}: {e}"))?
    };
    let out = cwfinance::evaluate_str(&text);
    let is_error = out.starts_with(r#"{"error":"#);
    if pretty {
        let v: serde_json::Value = serde_json::from_str(&out).map_err(|e| e.to_string())?;
        println!(
            "{}",
            serde_json::to_string_pretty(&v).map_err(|e| e.to_string())?
        );
    } else {
        println!("{out}");
    }
    if is_error {
        Err("the request failed (the error is printed above)".into())
    } else {
        Ok(())
    }
}

fn programs(json: bool) -> Result<(), String> {
    let programs = cwfinance::Program::builtins().map_err(|e| e.to_string())?;
    if json {
        let list: Vec<_> = programs
            .iter()
            .map(|p| {
                serde_json::json!({
                    "id": p.id, "name": p.name, "jurisdiction": p.jurisdiction,
                    "sources": p.sources, "sections": p.sections.keys().collect::<Vec<_>>(),
                })
            })
            .collect();
        println!("{}", cwfinance::json::to_canonical_string(&list));
        return Ok(());
    }
    for p in &programs {
        println!("{:<40} {}", p.id, p.name);
        println!(
            "{:<40} sections: {}; sources: {}; {} cited values",
            "",
            p.sections.keys().cloned().collect::<Vec<_>>().join(", "),
            p.sources.join(", "),
            p.citations.len()
        );
    }
    Ok(())
}

fn schema(out: Option<&str>) -> Result<(), String> {
    let schemas = cwfinance::document::schemas();
    match out {
        Some(dir) => {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {dir}: {e}"))?;
            for (name, s) in &schemas {
                let path = std::path::Path::new(dir).join(name);
                let text = serde_json::to_string_pretty(s).map_err(|e| e.to_string())? + "\n";
                std::fs::write(&path, text)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            }
            println!("wrote {} schemas to {dir}", schemas.len());
        }
        None => {
            let all: serde_json::Map<String, serde_json::Value> = schemas.into_iter().collect();
            println!(
                "{}",
                serde_json::to_string_pretty(&all).map_err(|e| e.to_string())?
            );
        }
    }
    Ok(())
}
