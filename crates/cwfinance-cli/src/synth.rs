//! Placeholder: `cwfinance synth` (replaced by the synthetic-data implementation).
/// Arguments of `cwfinance synth`.
#[derive(Debug, clap::Args)]
pub struct SynthArgs {}
/// Run `cwfinance synth`.
pub fn run(_args: &SynthArgs) -> Result<(), String> {
    Err("not built yet".into())
}
