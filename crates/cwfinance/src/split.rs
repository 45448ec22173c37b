//! Placeholder: replaced by the split implementation.
#![allow(missing_docs)]
use crate::{Error, Money, Percent, Result, Rounding};
use serde_json::Value;
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
pub struct Split { pub funders: Vec<Funder> }
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
pub struct Funder { pub name: String, pub share: Percent }
#[derive(Debug, Clone, Copy)]
pub enum SharePolicy { Strict, Normalize }
pub struct Allocation { pub amount: Money }
impl Split {
    pub fn from_pairs(_: &[(&str, &str)]) -> Result<Split> { Err(Error::MissingField { field: "todo".into() }) }
    pub fn allocate(&self, _: Money, _: SharePolicy, _: Rounding) -> Result<Vec<Allocation>> { Err(Error::MissingField { field: "todo".into() }) }
}
#[derive(serde::Deserialize, schemars::JsonSchema)] pub struct SplitRequest {}
#[derive(serde::Serialize, schemars::JsonSchema)] pub struct SplitResponse {}
#[derive(serde::Deserialize, schemars::JsonSchema)] pub struct DeriveRequest {}
#[derive(serde::Serialize, schemars::JsonSchema)] pub struct DeriveResponse {}
pub(crate) fn check_section(_: &Value) -> Result<()> { Ok(()) }
pub(crate) fn run_document(_: &Value, _: &crate::document::Context) -> Result<Value> { Err(Error::MissingField { field: "todo".into() }) }
pub(crate) fn run_derive_document(_: &Value, _: &crate::document::Context) -> Result<Value> { Err(Error::MissingField { field: "todo".into() }) }
