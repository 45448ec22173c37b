//! Placeholder: replaced by the rate_setting implementation.
#![allow(missing_docs)]
use crate::{Error, Result};
use serde_json::Value;
#[derive(serde::Deserialize, schemars::JsonSchema)] pub struct RateRequest {}
#[derive(serde::Serialize, schemars::JsonSchema)] pub struct RateResponse {}
pub(crate) fn check_section(_: &Value) -> Result<()> { Ok(()) }
pub(crate) fn run_document(_: &Value, _: &crate::document::Context) -> Result<Value> { Err(Error::MissingField { field: "todo".into() }) }
