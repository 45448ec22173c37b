//! Placeholder: HB 1414 performance measurement (replaced by the metrics implementation).
#![allow(missing_docs)]
pub mod data;
pub mod load;
pub mod synth;
