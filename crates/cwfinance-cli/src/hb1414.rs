//! Placeholder: `cwfinance hb1414` (replaced by the scorecard implementation).
/// Arguments of `cwfinance hb1414`.
#[derive(Debug, clap::Args)]
pub struct Hb1414Args {}
/// Run `cwfinance hb1414`.
pub fn run(_args: &Hb1414Args) -> Result<(), String> {
    Err("not built yet".into())
}
