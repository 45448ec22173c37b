//! JSON at the edge: typed decoding with field paths, limits, and canonical output.
//!
//! Every calculation document is decoded through [`decode`], which turns serde's messages into
//! typed [`Error`]s naming the path of the offending field (`funders[2].share`). Every response is
//! written by [`to_canonical_string`]: object keys sorted, no whitespace, so the same request gives
//! byte-identical output in Rust, Python and JS.
//!
//! # Example
//!
//! ```
//! let v = cwfinance::json::parse(r#"{"b": "1.00", "a": "2.00"}"#).unwrap();
//! assert_eq!(cwfinance::json::to_canonical_string(&v), r#"{"a":"2.00","b":"1.00"}"#);
//! ```

use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::{Error, Result};
use crate::money::ERR_MARK;

/// The largest request accepted, in bytes of JSON text (64 MiB).
///
/// # Example
///
/// ```
/// use cwfinance::json::{parse, MAX_REQUEST_BYTES};
///
/// let huge = format!("\"{}\"", " ".repeat(MAX_REQUEST_BYTES));
/// assert_eq!(parse(&huge).unwrap_err().kind(), "too_large");
/// ```
pub const MAX_REQUEST_BYTES: usize = 64 * 1024 * 1024;

/// The deepest nesting of arrays and objects accepted in a request.
///
/// # Example
///
/// ```
/// use cwfinance::json::{parse, MAX_DEPTH};
///
/// let nested = |n: usize| "[".repeat(n) + &"]".repeat(n);
/// assert!(parse(&nested(MAX_DEPTH)).is_ok());
/// assert_eq!(parse(&nested(MAX_DEPTH + 1)).unwrap_err().kind(), "too_large");
/// ```
pub const MAX_DEPTH: usize = 64;

/// Parse JSON text into a [`Value`], enforcing [`MAX_REQUEST_BYTES`] and [`MAX_DEPTH`].
///
/// # Example
///
/// ```
/// let v = cwfinance::json::parse(r#"{"kind": "split"}"#).unwrap();
/// assert_eq!(v["kind"], "split");
/// let deep = "[".repeat(1000) + &"]".repeat(1000);
/// assert_eq!(cwfinance::json::parse(&deep).unwrap_err().kind(), "too_large");
/// ```
pub fn parse(text: &str) -> Result<Value> {
    if text.len() > MAX_REQUEST_BYTES {
        return Err(Error::TooLarge {
            field: "request".into(),
            value: format!("{} bytes", text.len()),
            limit: format!("{MAX_REQUEST_BYTES} bytes"),
        });
    }
    // Measure nesting on the raw text before serde recurses, so no input can exhaust the stack.
    let mut depth = 0usize;
    let mut in_str = false;
    let mut escaped = false;
    for b in text.bytes() {
        if in_str {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_str = false,
                _ => {}
            }
            continue;
        }
        match b {
            b'"' => in_str = true,
            b'[' | b'{' => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(Error::TooLarge {
                        field: "request.depth".into(),
                        value: format!("more than {MAX_DEPTH} levels"),
                        limit: format!("{MAX_DEPTH} levels"),
                    });
                }
            }
            b']' | b'}' => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    serde_json::from_str(text).map_err(|e| Error::InvalidRequest {
        field: "request".into(),
        value: format!("line {}, column {}", e.line(), e.column()),
        message: format!("not valid JSON: {e}"),
    })
}

/// Decode `value` into `T`, mapping serde's errors to typed [`Error`]s with the field path
/// prefixed by `prefix`.
///
/// # Example
///
/// ```
/// use cwfinance::Money;
/// #[derive(serde::Deserialize, Debug)]
/// #[serde(deny_unknown_fields)]
/// struct Req { amount: Money }
///
/// let err = cwfinance::json::decode::<Req>(&serde_json::json!({"amount": 12.5}), "").unwrap_err();
/// assert_eq!(err.kind(), "not_a_decimal_string");
/// assert_eq!(err.field(), "amount");
/// let err = cwfinance::json::decode::<Req>(&serde_json::json!({"amount": "1", "x": 1}), "").unwrap_err();
/// assert_eq!(err.kind(), "unknown_field");
/// ```
pub fn decode<T: DeserializeOwned>(value: &Value, prefix: &str) -> Result<T> {
    match serde_path_to_error::deserialize::<_, T>(value) {
        Ok(t) => Ok(t),
        Err(e) => {
            let path = render_path(e.path());
            let msg = e.inner().to_string();
            Err(classify(&path, &msg, value).at(prefix))
        }
    }
}

fn render_path(path: &serde_path_to_error::Path) -> String {
    let mut out = String::new();
    for seg in path.iter() {
        match seg {
            serde_path_to_error::Segment::Seq { index } => out.push_str(&format!("[{index}]")),
            serde_path_to_error::Segment::Map { key }
            | serde_path_to_error::Segment::Enum { variant: key } => {
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            serde_path_to_error::Segment::Unknown => {}
        }
    }
    if out == "?" { String::new() } else { out }
}

fn between<'a>(msg: &'a str, open: &str, close: char) -> Option<&'a str> {
    let start = msg.find(open)? + open.len();
    let rest = &msg[start..];
    let end = rest.find(close)?;
    Some(&rest[..end])
}

fn classify(path: &str, msg: &str, root: &Value) -> Error {
    // A message encoded by our own deserializers: \u{1}kind\u{1}value\u{1}extra.
    if let Some(start) = msg.find(ERR_MARK) {
        let parts: Vec<&str> = msg[start + 1..].splitn(3, ERR_MARK).collect();
        let (kind, value, extra) = (
            parts.first().copied().unwrap_or(""),
            parts.get(1).copied().unwrap_or("").to_string(),
            parts.get(2).copied().unwrap_or("").to_string(),
        );
        let field = path.to_string();
        return match kind {
            "not_a_decimal_string" => Error::NotADecimalString {
                field,
                value,
                found: extra,
            },
            "invalid_decimal" => Error::InvalidDecimal {
                field,
                value,
                reason: extra,
            },
            "out_of_range" => Error::OutOfRange {
                field,
                value,
                rule: extra,
            },
            "invalid_date" => Error::InvalidDate { field, value },
            "negative_amount" => Error::NegativeAmount {
                field,
                value,
                rule: extra,
            },
            "end_before_start" => Error::EndBeforeStart {
                field,
                start: extra,
                end: value,
            },
            _ => Error::InvalidRequest {
                field,
                value,
                message: extra,
            },
        };
    }
    if let Some(name) = between(msg, "unknown field `", '`') {
        return Error::UnknownField {
            field: path
                .rsplit_once('.')
                .map(|(p, _)| p.to_string())
                .unwrap_or_default(),
            value: name.to_string(),
        };
    }
    if let Some(name) = between(msg, "missing field `", '`') {
        let field = if path.is_empty() {
            name.to_string()
        } else {
            format!("{path}.{name}")
        };
        return Error::MissingField { field };
    }
    if let Some(name) = between(msg, "unknown variant `", '`') {
        let known = msg
            .split_once("expected ")
            .map(|(_, k)| k.replace('`', ""))
            .unwrap_or_default();
        return Error::UnknownId {
            field: path.to_string(),
            value: name.to_string(),
            what: "code".into(),
            known: known.trim_start_matches("one of ").to_string(),
        };
    }
    if [
        "input contains invalid characters",
        "premature end of input",
        "input is out of range",
        "input is not enough for unique date",
        "trailing input",
        "expected a formatted date",
    ]
    .iter()
    .any(|m| msg.contains(m))
    {
        return Error::InvalidDate {
            field: path.to_string(),
            value: lookup(root, path),
        };
    }
    Error::InvalidRequest {
        field: path.to_string(),
        value: lookup(root, path),
        message: msg.to_string(),
    }
}

/// The JSON text at a dotted path such as `funders[2].share`, or empty when absent.
fn lookup(root: &Value, path: &str) -> String {
    let mut cur = root;
    for part in path.split('.') {
        let (key, idx) = match part.find('[') {
            Some(i) => (&part[..i], Some(&part[i..])),
            None => (part, None),
        };
        if !key.is_empty() {
            match cur.get(key) {
                Some(v) => cur = v,
                None => return String::new(),
            }
        }
        if let Some(idx) = idx {
            for n in idx.split(['[', ']']).filter(|s| !s.is_empty()) {
                match n.parse::<usize>().ok().and_then(|i| cur.get(i)) {
                    Some(v) => cur = v,
                    None => return String::new(),
                }
            }
        }
    }
    match cur {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// Serialize to canonical JSON text: keys sorted, no whitespace.
///
/// # Example
///
/// ```
/// let text = cwfinance::json::to_canonical_string(&serde_json::json!({"b": 1, "a": [true]}));
/// assert_eq!(text, r#"{"a":[true],"b":1}"#);
/// ```
pub fn to_canonical_string<T: Serialize + ?Sized>(value: &T) -> String {
    // serde_json's Map is a BTreeMap (no `preserve_order`), so going through Value sorts keys.
    match serde_json::to_value(value) {
        Ok(v) => v.to_string(),
        Err(e) => Error::invalid("response", "", e.to_string())
            .to_json()
            .to_string(),
    }
}

/// Serialize a response to a [`Value`]; failures (which would be bugs) become typed errors.
pub(crate) fn to_value<T: Serialize>(value: &T) -> Result<Value> {
    serde_json::to_value(value).map_err(|e| Error::invalid("response", "", e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lookup_follows_paths() {
        let v = serde_json::json!({"a": [{"b": "x"}, {"b": 5}]});
        assert_eq!(lookup(&v, "a[1].b"), "5");
        assert_eq!(lookup(&v, "a[0].b"), "x");
        assert_eq!(lookup(&v, "a[9].b"), "");
    }

    #[test]
    fn depth_counting_ignores_brackets_in_strings() {
        let s = format!("{{\"k\": \"{}\"}}", "[".repeat(500));
        assert!(parse(&s).is_ok());
    }
}
