//! Benchmarks for cwfinance; see `benches/`.
