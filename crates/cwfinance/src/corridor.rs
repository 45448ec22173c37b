//! Placeholder: replaced by the corridor implementation.
#![allow(missing_docs)]
use crate::{Error, Result};
use serde_json::Value;
#[derive(serde::Deserialize, schemars::JsonSchema)] pub struct SettleRequest {}
#[derive(serde::Serialize, schemars::JsonSchema)] pub struct SettleResponse {}
pub(crate) fn check_section(_: &Value) -> Result<()> { Ok(()) }
pub(crate) fn run_document(_: &Value, _: &crate::document::Context) -> Result<Value> { Err(Error::MissingField { field: "todo".into() }) }
#[derive(serde::Deserialize, schemars::JsonSchema)] pub struct SavingsRequest {}
#[derive(serde::Serialize, schemars::JsonSchema)] pub struct SavingsResponse {}
pub(crate) fn check_savings_section(_: &Value) -> Result<()> { Ok(()) }
pub(crate) fn run_savings_document(_: &Value, _: &crate::document::Context) -> Result<Value> { Err(Error::MissingField { field: "todo".into() }) }
