//! Synthetic Missouri-sized case-level data (being written: the signatures below are stable).
use rust_decimal::Decimal;

use super::data::Dataset;

/// Generator options.
///
/// # Example
///
/// ```
/// let o = cwfinance::metrics::synth::SynthOptions::new(7);
/// assert_eq!(o.seed, 7);
/// ```
#[derive(Debug, Clone, PartialEq)]
pub struct SynthOptions {
    /// The seed.
    pub seed: u64,
    /// The scale (1 = Missouri-sized).
    pub scale: Decimal,
}

impl SynthOptions {
    /// Options with a seed and scale 1.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::metrics::synth::SynthOptions::new(1).scale, rust_decimal::Decimal::ONE);
    /// ```
    pub fn new(seed: u64) -> Self {
        SynthOptions { seed, scale: Decimal::ONE }
    }
}

/// Generate a dataset.
///
/// # Example
///
/// ```
/// let ds = cwfinance::metrics::synth::generate(&cwfinance::metrics::synth::SynthOptions::new(1));
/// assert!(ds.children.len() == 0 || ds.children.len() > 0);
/// ```
pub fn generate(_options: &SynthOptions) -> Dataset {
    Dataset::default()
}
