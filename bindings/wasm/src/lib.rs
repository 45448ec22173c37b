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
        console_error(&format!("cwfinance: internal error (please report): {info}"));
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
    set("value", &err.value().map_or(JsValue::NULL, JsValue::from_str));
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
