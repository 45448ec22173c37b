//! The browser and Node package of cwfinance: a thin wasm-bindgen layer over the core.
//!
//! Nothing is computed here. Every function turns its JS input into JSON, hands it to the core,
//! and turns the answer back. Requests and responses cross as JSON (through the engine's own
//! `JSON.stringify`/`JSON.parse`), so money stays a decimal string end to end and the outputs are
//! byte for byte those of the Rust core ([`cwfinance::evaluate_str`]).
//!
//! Errors are converted in one place, [`to_js_error`]: a JS `Error` named `CwfinanceError` with
//! `code` (the core's [`cwfinance::Error::kind`]), `field`, `value`, `message` and, for data
//! errors, `problems`. The core returns errors for every input; the panic hook only reports a bug
//! on the console before the module traps.
//!
//! The typed functions (`settleCorridor`, `billCaseRate`, ...) are in `js/api.js`: each builds a
//! request and calls [`call`].

use cwfinance::Error;
use serde_json::Value;
use wasm_bindgen::prelude::*;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = console, js_name = error)]
    fn console_error(message: &str);
}

/// Installs the panic hook. A panic would be a bug in the core (which returns errors for every
/// input), so the hook only makes the trap diagnosable.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        console_error(&format!(
            "cwfinance: internal error (please report): {info}"
        ));
    }));
}

/// The one conversion of a core error into a JS value: an `Error` with `name` `CwfinanceError`,
/// `code`, `field`, `value` (a string or `null`), `message` and, for `invalid_data`, `problems`.
pub fn to_js_error(err: &Error) -> JsValue {
    let js = js_sys::Error::new(&err.to_string());
    js.set_name("CwfinanceError");
    let obj: &JsValue = js.as_ref();
    let set = |key: &str, value: &JsValue| {
        // Setting a property on a fresh Error cannot fail; nothing useful to do if it did.
        let _ = js_sys::Reflect::set(obj, &JsValue::from_str(key), value);
    };
    set("code", &JsValue::from_str(err.kind()));
    set("field", &JsValue::from_str(err.field()));
    set(
        "value",
        &err.value().map_or(JsValue::NULL, JsValue::from_str),
    );
    if let Some(problems) = err.to_json().get("error").and_then(|e| e.get("problems")) {
        set("problems", &json_to_js(problems).unwrap_or(JsValue::NULL));
    }
    js.into()
}

/// A JS value as JSON text, through the engine's own `JSON.stringify`.
fn js_to_json_text(value: &JsValue, field: &str) -> Result<String, Error> {
    match js_sys::JSON::stringify(value) {
        Ok(s) => s.as_string().ok_or_else(|| {
            Error::invalid(
                field,
                "undefined",
                "expected a JSON value (an object), found undefined or a function",
            )
        }),
        Err(e) => Err(Error::invalid(
            field,
            "",
            format!(
                "cannot be written as JSON ({}); use plain objects, strings and booleans",
                e.as_string()
                    .or_else(|| js_sys::Error::from(e).message().as_string())
                    .unwrap_or_default()
            ),
        )),
    }
}

fn js_to_value(value: &JsValue, field: &str) -> Result<Value, Error> {
    cwfinance::json::parse(&js_to_json_text(value, field)?)
}

fn json_to_js(value: &Value) -> Result<JsValue, Error> {
    js_sys::JSON::parse(&value.to_string())
        .map_err(|_| Error::invalid("response", "", "the response is not valid JSON"))
}

/// Run a calculation document given as JSON text; the answer is canonical JSON text, byte for
/// byte the Rust core's. Errors come back as an `{"error": ...}` document, never thrown.
#[wasm_bindgen(js_name = evaluateJson)]
pub fn evaluate_json(request: &str) -> String {
    cwfinance::evaluate_str(request)
}

/// Run a calculation document given as a JS object. Like the core's `evaluate`, an error is a
/// response document (`{error: {kind, field, value, message}}`), not a throw.
#[wasm_bindgen(js_name = evaluate, unchecked_return_type = "unknown")]
pub fn evaluate(#[wasm_bindgen(unchecked_param_type = "unknown")] request: JsValue) -> JsValue {
    let out = match js_to_json_text(&request, "request") {
        Ok(text) => cwfinance::evaluate_str(&text),
        Err(e) => cwfinance::json::to_canonical_string(&e.to_json()),
    };
    js_sys::JSON::parse(&out).unwrap_or(JsValue::NULL)
}

/// Run the calculation `kind` on `body` (the request without `kind`); returns the response
/// object, or throws a `CwfinanceError`.
#[wasm_bindgen(js_name = call, unchecked_return_type = "unknown")]
pub fn call(
    kind: &str,
    #[wasm_bindgen(unchecked_param_type = "unknown")] body: JsValue,
) -> Result<JsValue, JsValue> {
    call_inner(kind, &body).map_err(|e| to_js_error(&e))
}

fn call_inner(kind: &str, body: &JsValue) -> Result<JsValue, Error> {
    let mut request = match js_to_value(body, "request")? {
        Value::Object(map) => map,
        other => {
            return Err(Error::invalid(
                "request",
                other.to_string(),
                "a request is an object of the kind's fields",
            ));
        }
    };
    if let Some(Value::String(given)) = request.get("kind") {
        if given != kind {
            return Err(Error::invalid(
                "kind",
                given.clone(),
                format!("this function computes {kind:?}; leave kind out or use evaluate()"),
            ));
        }
    }
    request.insert("kind".into(), Value::String(kind.into()));
    json_to_js(&cwfinance::document::try_evaluate(&Value::Object(request))?)
}

/// The ids of the built-in program presets, sorted.
#[wasm_bindgen(js_name = programIds)]
pub fn program_ids() -> Vec<String> {
    cwfinance::Program::builtin_ids()
        .into_iter()
        .map(String::from)
        .collect()
}

/// A built-in program preset, with every cited value; throws `unknown_id` for an unknown id.
#[wasm_bindgen(js_name = program, unchecked_return_type = "unknown")]
pub fn program(id: &str) -> Result<JsValue, JsValue> {
    cwfinance::Program::builtin(id)
        .and_then(|p| json_value(&p))
        .and_then(|v| json_to_js(&v))
        .map_err(|e| to_js_error(&e))
}

/// Load and check a user's own program (JSON text, or an object) in the preset format.
#[wasm_bindgen(js_name = loadProgram, unchecked_return_type = "unknown")]
pub fn load_program(
    #[wasm_bindgen(unchecked_param_type = "unknown")] program: JsValue,
) -> Result<JsValue, JsValue> {
    let loaded = match program.as_string() {
        Some(text) => cwfinance::Program::from_json_str(&text),
        None => js_to_value(&program, "program").and_then(|v| cwfinance::Program::from_value(&v)),
    };
    loaded
        .and_then(|p| json_value(&p))
        .and_then(|v| json_to_js(&v))
        .map_err(|e| to_js_error(&e))
}

fn json_value<T: serde::Serialize>(value: &T) -> Result<Value, Error> {
    serde_json::to_value(value).map_err(|e| Error::invalid("response", "", e.to_string()))
}

/// Every calculation kind, as `[name, summary]` pairs.
#[wasm_bindgen(js_name = kindList, unchecked_return_type = "Array<[string, string]>")]
pub fn kind_list() -> Result<JsValue, JsValue> {
    let list: Vec<Value> = cwfinance::document::KINDS
        .iter()
        .map(|k| Value::from(vec![k.name, k.summary]))
        .collect();
    json_to_js(&Value::from(list)).map_err(|e| to_js_error(&e))
}

/// Every error code the package can throw.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> Vec<String> {
    Error::KINDS.iter().map(|k| (*k).to_string()).collect()
}

/// The version of the core this package was built from.
#[wasm_bindgen(js_name = version)]
pub fn version() -> String {
    env!("CARGO_PKG_VERSION").to_string()
}

// ---- HB 1414 from case-level files -------------------------------------------------------

mod hb1414 {
    //! HB 1414 measurement and scorecards from case-level tables dropped into a page: CSV files
    //! (text or bytes) or parsed rows. The composition (measure one quarter, suppress small
    //! cells, score each unit against the goals in force on the quarter's last day) is the
    //! CLI's `cwfinance hb1414 score`, call for call, so the page and the CLI agree.

    use cwfinance::metrics::data::Dataset;
    use cwfinance::metrics::measure::{
        Granularity, Level, MeasureOptions, MeasureRequest, MetricValue, PeriodSpec, measure,
        measure_dataset, published_values, unit_values_for_scoring,
    };
    use cwfinance::metrics::score::{Goals, ScoreOptions, Scorecard, WeightPolicy, score_unit};
    use cwfinance::metrics::suppress::SuppressionOptions;
    use cwfinance::{Error, Quarter, Trace};
    use serde_json::Value;

    fn default_level() -> Level {
        Level::Provider
    }
    fn default_min_denominator() -> u64 {
        SuppressionOptions::default().min_denominator
    }
    fn yes() -> bool {
        true
    }

    /// The options of `scoreCsv` / `scoreRows`, the CLI's flags by the same names.
    #[derive(Debug, serde::Deserialize)]
    #[serde(deny_unknown_fields)]
    pub struct ScorecardOptions {
        /// The quarter, such as `2024Q3`.
        quarter: String,
        /// The units to score (default `provider`).
        #[serde(default = "default_level")]
        by: Level,
        /// Hide cells whose denominator is from 1 to this minus 1; 0 shows all.
        #[serde(default = "default_min_denominator")]
        min_denominator: u64,
        /// Rescale each total to the weights actually scored.
        #[serde(default)]
        normalize: bool,
        /// Cap each item at 100% of its goal (default true).
        #[serde(default = "yes")]
        cap_at_100: bool,
    }

    /// The answer of `scoreCsv` / `scoreRows`.
    #[derive(Debug, serde::Serialize)]
    pub struct ScorecardsResponse {
        quarter: String,
        phase: String,
        by: Level,
        scorecards: Vec<Scorecard>,
        values: Vec<MetricValue>,
        suppression: SuppressionOptions,
        data: cwfinance::metrics::data::LoadStats,
    }

    pub fn scorecards(ds: &Dataset, options: &Value) -> Result<ScorecardsResponse, Error> {
        let o: ScorecardOptions = cwfinance::json::decode(options, "options")?;
        let quarter: Quarter = o.quarter.parse().map_err(|e: Error| e.at("options"))?;
        let period = quarter.period();
        let spec = PeriodSpec {
            granularity: Granularity::Quarter,
            first: period.start,
            count: 1,
        };
        let periods = spec.periods()?;
        let m = measure(ds, &periods, &MeasureOptions::default())?;
        let suppression = SuppressionOptions {
            min_denominator: o.min_denominator,
            complementary: true,
        };
        let values = published_values(&m, &[o.by], &[], &suppression);
        let as_of = period.end.pred_opt().unwrap_or(period.start);
        let goals = Goals::in_force(as_of)?;
        let score_options = ScoreOptions {
            cap_at_100: o.cap_at_100,
            weights: if o.normalize {
                WeightPolicy::NormalizeTo100
            } else {
                WeightPolicy::AsPublished
            },
            ..ScoreOptions::default()
        };
        let label = quarter.to_string();
        let mut cards = Vec::new();
        for unit in unit_values_for_scoring(&m, &values, o.by, &label) {
            cards.push(score_unit(
                &unit,
                &goals,
                &score_options,
                &mut Trace::disabled(),
            )?);
        }
        Ok(ScorecardsResponse {
            quarter: label,
            phase: goals.phase,
            by: o.by,
            scorecards: cards,
            values,
            suppression,
            data: ds.stats.clone(),
        })
    }

    /// `hb1414.measure` over a loaded dataset: the request is the document without `data`.
    pub fn measurement(ds: &Dataset, request: &Value) -> Result<Value, Error> {
        let mut body = match request {
            Value::Object(map) => map.clone(),
            other => {
                return Err(Error::invalid(
                    "request",
                    other.to_string(),
                    "the measurement request is an object (periods, by, metrics, options, suppression)",
                ));
            }
        };
        if body.contains_key("data") {
            return Err(Error::invalid(
                "data",
                "",
                "the tables come from the files; leave data out of the request",
            ));
        }
        body.remove("kind");
        body.insert("data".into(), Value::Object(Default::default()));
        let req: MeasureRequest = cwfinance::json::decode(&Value::Object(body), "")?;
        let resp = measure_dataset(
            ds,
            req.periods,
            &req.by,
            &req.metrics,
            &req.options,
            &req.suppression,
        )?;
        serde_json::to_value(resp).map_err(|e| Error::invalid("response", "", e.to_string()))
    }
}

/// Case-level CSV files as `(name, bytes)`: each content is a string or a `Uint8Array`.
fn csv_files(names: Vec<String>, contents: Vec<JsValue>) -> Result<Vec<(String, Vec<u8>)>, Error> {
    if names.len() != contents.len() {
        return Err(Error::invalid(
            "files",
            format!("{} names, {} contents", names.len(), contents.len()),
            "every file needs a name and a content",
        ));
    }
    names
        .into_iter()
        .zip(contents)
        .map(|(name, content)| {
            let bytes = match content.as_string() {
                Some(text) => text.into_bytes(),
                None if content.is_instance_of::<js_sys::Uint8Array>() => {
                    js_sys::Uint8Array::new(&content).to_vec()
                }
                None => {
                    return Err(Error::invalid(
                        format!("files[{name}]"),
                        "",
                        "a file's content is text (a string) or bytes (a Uint8Array)",
                    ));
                }
            };
            Ok((name, bytes))
        })
        .collect()
}

fn load_csv(names: Vec<String>, contents: Vec<JsValue>) -> Result<Dataset, Error> {
    let files = csv_files(names, contents)?;
    let pairs: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(n, b)| (n.as_str(), b.as_slice()))
        .collect();
    cwfinance::metrics::load::from_csv_bytes(&pairs, &Default::default())
}

fn load_rows(tables: &JsValue) -> Result<Dataset, Error> {
    let tables = js_to_value(tables, "data")?;
    cwfinance::metrics::load::from_json(&tables, &Default::default()).map_err(|e| e.at("data"))
}

use cwfinance::metrics::data::Dataset;

fn respond<T: serde::Serialize>(result: Result<T, Error>) -> Result<JsValue, JsValue> {
    result
        .and_then(|r| json_value(&r))
        .and_then(|v| json_to_js(&v))
        .map_err(|e| to_js_error(&e))
}

/// HB 1414 scorecards for one quarter from case-level CSV files (`children.csv`,
/// `episodes.csv`, ... as in docs/data.md), like `cwfinance hb1414 score`.
#[wasm_bindgen(js_name = scoreCsv, unchecked_return_type = "unknown")]
pub fn score_csv(
    names: Vec<String>,
    #[wasm_bindgen(unchecked_param_type = "Array<string | Uint8Array>")] contents: Vec<JsValue>,
    #[wasm_bindgen(unchecked_param_type = "unknown")] options: JsValue,
) -> Result<JsValue, JsValue> {
    respond(
        load_csv(names, contents)
            .and_then(|ds| hb1414::scorecards(&ds, &js_to_value(&options, "options")?)),
    )
}

/// HB 1414 scorecards for one quarter from parsed rows (`{children: [{child_id, ...}], ...}`).
#[wasm_bindgen(js_name = scoreRows, unchecked_return_type = "unknown")]
pub fn score_rows(
    #[wasm_bindgen(unchecked_param_type = "unknown")] tables: JsValue,
    #[wasm_bindgen(unchecked_param_type = "unknown")] options: JsValue,
) -> Result<JsValue, JsValue> {
    respond(
        load_rows(&tables)
            .and_then(|ds| hb1414::scorecards(&ds, &js_to_value(&options, "options")?)),
    )
}

/// HB 1414 metric values (the `hb1414.measure` response) from case-level CSV files; `request`
/// is the `hb1414.measure` document without `kind` and `data`.
#[wasm_bindgen(js_name = measureCsv, unchecked_return_type = "unknown")]
pub fn measure_csv(
    names: Vec<String>,
    #[wasm_bindgen(unchecked_param_type = "Array<string | Uint8Array>")] contents: Vec<JsValue>,
    #[wasm_bindgen(unchecked_param_type = "unknown")] request: JsValue,
) -> Result<JsValue, JsValue> {
    respond(
        load_csv(names, contents)
            .and_then(|ds| hb1414::measurement(&ds, &js_to_value(&request, "request")?)),
    )
}

/// Every problem in case-level CSV files, without measuring: `[]` when they load cleanly.
#[wasm_bindgen(js_name = checkCsv, unchecked_return_type = "unknown")]
pub fn check_csv(
    names: Vec<String>,
    #[wasm_bindgen(unchecked_param_type = "Array<string | Uint8Array>")] contents: Vec<JsValue>,
) -> Result<JsValue, JsValue> {
    match load_csv(names, contents) {
        Ok(ds) => respond(Ok(ds.stats)),
        Err(e) => Err(to_js_error(&e)),
    }
}

/// The synthetic Missouri-sized dataset as CSV files `[[name, text], ...]`, the same bytes as
/// `cwfinance synth --seed SEED --scale SCALE` (`options`: `{seed, scale, as_of, years}`).
#[wasm_bindgen(js_name = synthesizeCsv, unchecked_return_type = "Array<[string, string]>")]
pub fn synthesize_csv(
    #[wasm_bindgen(unchecked_param_type = "unknown")] options: JsValue,
) -> Result<JsValue, JsValue> {
    respond(js_to_value(&options, "options").and_then(|v| synth(&v)))
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct SynthRequest {
    #[serde(default = "one")]
    seed: u64,
    #[serde(default = "scale_one")]
    scale: String,
    #[serde(default)]
    as_of: Option<String>,
    #[serde(default)]
    years: Option<u32>,
}
fn one() -> u64 {
    1
}
fn scale_one() -> String {
    "1".into()
}

fn synth(options: &Value) -> Result<Vec<(String, String)>, Error> {
    use cwfinance::metrics::data::Day;
    use cwfinance::metrics::synth::{SynthOptions, generate, to_csv};
    let req: SynthRequest = cwfinance::json::decode(options, "options")?;
    let mut o = SynthOptions::new(req.seed).scale(cwfinance::money::parse_decimal(
        "options.scale",
        &req.scale,
    )?);
    if let Some(text) = req.as_of {
        let day = Day::parse(&text).ok_or_else(|| Error::InvalidDate {
            field: "options.as_of".into(),
            value: text.clone(),
        })?;
        o = o.as_of(day);
    }
    if let Some(years) = req.years {
        o = o.years(years);
    }
    Ok(to_csv(&generate(&o)?))
}

/// Every HB 1414 / CFSR-style metric's definition: id, name, numerator, denominator,
/// exclusions, window, direction, unit and citation.
#[wasm_bindgen(js_name = metricDefinitions, unchecked_return_type = "unknown")]
pub fn metric_definitions() -> Result<JsValue, JsValue> {
    use cwfinance::metrics::definitions::MetricId;
    let list: Vec<_> = MetricId::ALL.iter().map(|m| m.definition()).collect();
    respond(Ok(list))
}

/// The size of the module's linear memory in bytes (it only grows), for measuring a page's
/// memory use; 0 outside WebAssembly.
#[wasm_bindgen(js_name = wasmMemoryBytes)]
pub fn wasm_memory_bytes() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        // Pages of 64 KiB; an f64 holds any wasm32 memory size exactly.
        (core::arch::wasm32::memory_size(0) as u64 * 65536) as f64
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}
