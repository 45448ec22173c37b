//! One calculation document format for every mechanism.
//!
//! A request is a JSON object with a `kind` (such as `"corridor.settle"`), the kind's fields,
//! and optionally `"trace": true` (add the steps and their sources) and `"program"` (a preset id
//! or a whole program object, whose section fills in any configuration the request leaves out).
//! Amounts are decimal strings and dates ISO strings. The response is a JSON object; an error is
//! `{"error": {"kind", "field", "value", "message"}}`.
//!
//! Field names are a public contract: they are extended, never renamed. A JSON Schema for every
//! request and response is published in `docs/schema/` (see [`schemas`]).
//!
//! # Example
//!
//! ```
//! let out = cwfinance::evaluate_str(r#"{
//!     "kind": "corridor.settle", "program": "commonworks-1998", "as_of": "1999-07-15",
//!     "target": "100000.00", "actual": "103000.00"
//! }"#);
//! assert!(out.contains(r#""provider_gain":"-3000.00""#), "{out}");
//! ```

use serde_json::{Map, Value};

use crate::error::{Error, Result};
use crate::program::Program;

/// What every handler gets besides its own fields.
///
/// # Example
///
/// ```
/// let ctx = cwfinance::document::Context::default();
/// assert!(!ctx.trace);
/// assert!(ctx.program.is_none());
/// ```
#[derive(Debug, Clone, Default)]
pub struct Context {
    /// True when the request asked for a trace.
    pub trace: bool,
    /// The program the request named, loaded.
    pub program: Option<Program>,
}

impl Context {
    /// The section `name` of the request's program, when the request names a program.
    pub(crate) fn section<T: serde::de::DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        match &self.program {
            Some(p) => p.section(name),
            None => Ok(None),
        }
    }

    /// The request's own configuration `own`, else the program's section `name`, else
    /// [`Error::MissingField`] naming `field`.
    pub(crate) fn config<T: serde::de::DeserializeOwned>(
        &self,
        own: Option<T>,
        field: &str,
        name: &str,
    ) -> Result<T> {
        if let Some(t) = own {
            return Ok(t);
        }
        self.section(name)?.ok_or_else(|| match &self.program {
            Some(p) => Error::MissingField {
                field: format!("{field} (program {} has no {name} section)", p.id),
            },
            None => Error::MissingField {
                field: field.to_string(),
            },
        })
    }

    /// `file, section` labels of the program's citations under section path `prefix`.
    pub(crate) fn citations(&self, prefix: &str) -> std::collections::BTreeMap<String, String> {
        self.program
            .as_ref()
            .map(|p| p.citations_under(prefix))
            .unwrap_or_default()
    }
}

type Handler = fn(&Value, &Context) -> Result<Value>;
type SchemaFn = fn() -> schemars::Schema;

/// A kind of calculation document.
///
/// # Example
///
/// ```
/// let split = cwfinance::document::KINDS.iter().find(|k| k.name == "split").unwrap();
/// assert!(!split.summary.is_empty());
/// ```
pub struct Kind {
    /// The `kind` string.
    pub name: &'static str,
    /// What it computes.
    pub summary: &'static str,
    handler: Handler,
}

fn schema<T: schemars::JsonSchema>() -> schemars::Schema {
    schemars::SchemaGenerator::default().into_root_schema_for::<T>()
}

// One list makes two tables: `KINDS` for dispatch and `SCHEMA_FNS` for `schemas()`. Only
// `schemas()` refers to the second, so a build that never publishes schemas (the wasm package)
// links no schemars code: about 110 KiB of its gzipped size.
macro_rules! kinds {
    ($(kind!($name:expr, $summary:expr, $handler:path, $req:ty, $resp:ty $(,)?)),* $(,)?) => {
        /// Every kind of calculation document, in the order the docs list them.
        ///
        /// # Example
        ///
        /// ```
        /// let names: Vec<&str> = cwfinance::document::KINDS.iter().map(|k| k.name).collect();
        /// for kind in ["split", "case_rate.bill", "milestones.pay", "corridor.settle",
        ///              "risk_pool.settle", "rate.from_history", "program.show"] {
        ///     assert!(names.contains(&kind), "{kind}");
        /// }
        /// ```
        pub static KINDS: &[Kind] = &[$(Kind { name: $name, summary: $summary, handler: $handler }),*];
        static SCHEMA_FNS: &[(SchemaFn, SchemaFn)] = &[$((schema::<$req>, schema::<$resp>)),*];
    };
}

kinds![
    kind!(
        "split",
        "Allocate amounts across funders by share, to the cent.",
        crate::split::run_document,
        crate::split::SplitRequest,
        crate::split::SplitResponse
    ),
    kind!(
        "split.derive",
        "Derive funding shares from historical expenditures by funder.",
        crate::split::run_derive_document,
        crate::split::DeriveRequest,
        crate::split::DeriveResponse
    ),
    kind!(
        "case_rate.bill",
        "Bill enrollment spans month by month under a dated rate schedule.",
        crate::case_rate::run_document,
        crate::case_rate::BillRequest,
        crate::case_rate::BillResponse
    ),
    kind!(
        "milestones.pay",
        "Apply a milestone schedule to a case's dated events.",
        crate::milestone::run_document,
        crate::milestone::PayRequest,
        crate::milestone::PayResponse
    ),
    kind!(
        "corridor.settle",
        "Settle actual cost against a target through a risk corridor.",
        crate::corridor::run_document,
        crate::corridor::SettleRequest,
        crate::corridor::SettleResponse
    ),
    kind!(
        "savings.distribute",
        "Distribute retained savings between the provider and the region.",
        crate::corridor::run_savings_document,
        crate::corridor::SavingsRequest,
        crate::corridor::SavingsResponse
    ),
    kind!(
        "risk_pool.settle",
        "Draw down a risk pool for children above a stop-loss attachment point.",
        crate::risk_pool::run_document,
        crate::risk_pool::RiskPoolRequest,
        crate::risk_pool::RiskPoolResponse
    ),
    kind!(
        "rate.from_history",
        "Set a case rate from historical per-child monthly costs by region.",
        crate::rate_setting::run_document,
        crate::rate_setting::RateRequest,
        crate::rate_setting::RateResponse
    ),
    kind!(
        "intake.adjust",
        "Reduce intake payments when length-of-stay standards are missed.",
        crate::intake::run_document,
        crate::intake::IntakeRequest,
        crate::intake::IntakeResponse
    ),
    kind!(
        "program.show",
        "Show a program preset with every cited value.",
        run_program_show,
        ProgramShowRequest,
        Program
    ),
    kind!(
        "hb1414.measure",
        "Measure HB 1414 and CFSR-style metrics from small inline case-level tables.",
        crate::metrics::measure::run_measure_document,
        crate::metrics::measure::MeasureRequest,
        crate::metrics::measure::MeasureResponse
    ),
    kind!(
        "hb1414.score",
        "Score metric values against the HB 1414 goals in force: weighted score, weakness flags, incentive.",
        crate::metrics::score::run_score_document,
        crate::metrics::score::ScoreRequest,
        crate::metrics::score::ScoreResponse
    ),
    kind!(
        "outcomes.compare",
        "Compare contractor and public mirror-unit outcomes with their targets.",
        crate::metrics::outcomes::run_compare_document,
        crate::metrics::outcomes::CompareRequest,
        crate::metrics::outcomes::CompareResponse
    ),
];

/// The request of `program.show`: only the common `program` field.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!(
///     {"kind": "program.show", "program": "kansas-privatization-fy2000"}
/// ));
/// assert_eq!(out["id"], "kansas-privatization-fy2000");
/// ```
#[derive(Debug, Clone, serde::Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProgramShowRequest {}

fn run_program_show(body: &Value, ctx: &Context) -> Result<Value> {
    let _: ProgramShowRequest = crate::json::decode(body, "")?;
    match &ctx.program {
        Some(p) => crate::json::to_value(p),
        None => Err(Error::MissingField {
            field: "program".into(),
        }),
    }
}

/// Run a calculation document; errors come back as `{"error": {...}}`, never as a panic.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({"kind": "nope"}));
/// assert_eq!(out["error"]["kind"], "unknown_id");
/// assert_eq!(out["error"]["field"], "kind");
/// ```
pub fn evaluate(request: &Value) -> Value {
    match try_evaluate(request) {
        Ok(v) => v,
        Err(e) => e.to_json(),
    }
}

/// Run a calculation document given as JSON text, and answer in canonical JSON text.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate_str("{not json");
/// assert!(out.starts_with(r#"{"error":{"field":"request","kind":"invalid_request""#), "{out}");
/// ```
pub fn evaluate_str(request: &str) -> String {
    let out = match crate::json::parse(request) {
        Ok(v) => evaluate(&v),
        Err(e) => e.to_json(),
    };
    crate::json::to_canonical_string(&out)
}

/// Run a calculation document, returning the typed error on failure.
///
/// # Example
///
/// ```
/// let err = cwfinance::document::try_evaluate(&serde_json::json!({"kind": "split", "trace": "yes"})).unwrap_err();
/// assert_eq!(err.field(), "trace");
/// ```
pub fn try_evaluate(request: &Value) -> Result<Value> {
    let Value::Object(map) = request else {
        return Err(Error::invalid(
            "request",
            type_name(request),
            "a request is a JSON object with a \"kind\"",
        ));
    };
    let kind_name = match map.get("kind") {
        Some(Value::String(s)) => s.as_str(),
        Some(other) => {
            return Err(Error::invalid(
                "kind",
                other.to_string(),
                "kind must be a string",
            ));
        }
        None => {
            return Err(Error::MissingField {
                field: "kind".into(),
            });
        }
    };
    let kind = KINDS
        .iter()
        .find(|k| k.name == kind_name)
        .ok_or_else(|| Error::UnknownId {
            field: "kind".into(),
            value: kind_name.to_string(),
            what: "kind".into(),
            known: KINDS.iter().map(|k| k.name).collect::<Vec<_>>().join(", "),
        })?;
    let trace = match map.get("trace") {
        None | Some(Value::Null) => false,
        Some(Value::Bool(b)) => *b,
        Some(other) => {
            return Err(Error::invalid(
                "trace",
                other.to_string(),
                "trace must be true or false",
            ));
        }
    };
    let program = map
        .get("program")
        .map(crate::program::resolve)
        .transpose()?;
    let ctx = Context { trace, program };
    // Handlers see their own fields; `kind`, `trace` and `program` are the context's.
    let mut body = Map::new();
    for (k, v) in map {
        if !matches!(k.as_str(), "kind" | "trace" | "program") {
            body.insert(k.clone(), v.clone());
        }
    }
    (kind.handler)(&Value::Object(body), &ctx)
}

fn type_name(v: &Value) -> String {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
    .into()
}

/// The JSON Schema of every request and response, by file name
/// (`corridor.settle.request.json`, ...), as published in `docs/schema/`.
///
/// # Example
///
/// ```
/// let schemas = cwfinance::document::schemas();
/// assert!(schemas.iter().any(|(name, _)| name == "split.request.json"));
/// ```
pub fn schemas() -> Vec<(String, Value)> {
    let mut out = Vec::new();
    for (k, (request_schema, response_schema)) in KINDS.iter().zip(SCHEMA_FNS) {
        let mut request = request_schema().to_value();
        add_common_fields(&mut request, k.name);
        out.push((format!("{}.request.json", k.name), request));
        out.push((
            format!("{}.response.json", k.name),
            response_schema().to_value(),
        ));
    }
    out.push(("error.json".into(), schema::<ErrorResponse>().to_value()));
    for (_, schema) in &mut out {
        strip_examples(schema);
    }
    out
}

/// Schema descriptions come from the Rust doc comments; their `# Example` sections are Rust code
/// that means nothing to a state system validating JSON, so they are cut.
fn strip_examples(v: &mut Value) {
    match v {
        Value::Object(map) => {
            for (k, item) in map.iter_mut() {
                if k == "description" {
                    if let Value::String(text) = item {
                        if let Some(i) = text.find("# Example") {
                            *text = text[..i].trim_end().to_string();
                        }
                    }
                } else {
                    strip_examples(item);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(strip_examples),
        _ => {}
    }
}

/// Every request also carries `kind`, `trace` and `program`, which the context takes.
fn add_common_fields(schema: &mut Value, kind: &str) {
    let Value::Object(root) = schema else { return };
    let props = root
        .entry("properties")
        .or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(props) = props {
        props.insert(
            "kind".into(),
            serde_json::json!({"const": kind, "description": "The kind of calculation."}),
        );
        props.insert("trace".into(), serde_json::json!({"type": "boolean", "description": "Add the steps of the calculation and their sources."}));
        props.insert("program".into(), serde_json::json!({
            "description": "A built-in preset id, or a program object in the preset format, whose section fills in configuration the request leaves out.",
            "oneOf": [{"type": "string"}, {"type": "object"}]
        }));
    }
    let required = root
        .entry("required")
        .or_insert_with(|| Value::Array(Vec::new()));
    if let Value::Array(req) = required {
        req.insert(0, Value::String("kind".into()));
    }
}

/// The shape of every error response.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({"kind": "program.show", "program": "nowhere"}));
/// assert_eq!(out["error"]["kind"], "unknown_id");
/// assert_eq!(out["error"]["field"], "program");
/// assert_eq!(out["error"]["value"], "nowhere");
/// ```
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct ErrorResponse {
    /// The error.
    pub error: ErrorBody,
}

/// The body of an error response.
///
/// # Example
///
/// ```
/// let out = cwfinance::evaluate(&serde_json::json!({"kind": "split", "amount": 3329.0}));
/// let body = &out["error"];
/// assert_eq!(body["kind"], "not_a_decimal_string");
/// assert_eq!(body["field"], "amount");
/// assert!(body["message"].as_str().unwrap().contains("amount"));
/// ```
#[derive(Debug, Clone, serde::Serialize, schemars::JsonSchema)]
pub struct ErrorBody {
    /// The stable error code, one of [`Error::KINDS`].
    pub kind: String,
    /// The path of the offending field.
    pub field: String,
    /// The offending value, when there is one.
    pub value: Option<String>,
    /// What is wrong, in words.
    pub message: String,
    /// For `invalid_data`: every problem found.
    pub problems: Option<Vec<crate::error::DataProblem>>,
}
