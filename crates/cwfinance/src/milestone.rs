//! Placeholder: replaced by the milestone implementation.
#![allow(missing_docs)]
use crate::{Error, Result};
use serde_json::Value;
#[derive(serde::Deserialize, schemars::JsonSchema)] pub struct PayRequest {}
#[derive(serde::Serialize, schemars::JsonSchema)] pub struct PayResponse {}
pub(crate) fn check_section(_: &Value) -> Result<()> { Ok(()) }
pub(crate) fn run_document(_: &Value, _: &crate::document::Context) -> Result<Value> { Err(Error::MissingField { field: "todo".into() }) }
