//! Placeholder: replaced by the metrics implementation.
