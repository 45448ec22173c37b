//! `cwfinance demo`: a readable report on built-in data.

/// Print the demo report.
pub fn run() -> Result<(), String> {
    Err("the demo is being rebuilt".into())
}
