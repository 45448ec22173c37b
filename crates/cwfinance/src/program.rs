//! Programs: dated, cited data files that configure the generic mechanisms.
//!
//! A program (Commonworks 1998, Kansas FY2000, ...) is a JSON document. Its `sections` configure
//! mechanisms by name (`case_rate`, `split`, `milestones`, `corridor`, `risk_pool`, `savings`,
//! `rate_setting`, `intake`). Inside `sections`, every number and date is a **cited value**:
//!
//! ```json
//! {"value": "4476.00", "source": "001_f8713068464777ee.txt", "section": "Commonworks, case rate"}
//! ```
//!
//! or, where the source is silent and the preset had to choose, a **documented choice**:
//!
//! ```json
//! {"value": "1998-10-01", "choice": "the source says the 3% stage begins June 1999"}
//! ```
//!
//! A bare number or date is [`Error::MissingCitation`]. The built-in presets are compiled into the
//! crate (no file is read at run time); a user's own program loads the same way with
//! [`Program::from_json_str`].
//!
//! # Example
//!
//! ```
//! use cwfinance::Program;
//!
//! let p = Program::builtin("commonworks-1998").unwrap();
//! assert_eq!(p.id, "commonworks-1998");
//! assert!(p.citations.values().any(|c| c.source.as_deref() == Some("001_f8713068464777ee.txt")));
//! ```

use std::collections::BTreeMap;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::error::{Error, Result};

/// A built-in preset: its id, its `program.json`, and its section files by name.
type Preset = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str)],
);

include!(concat!(env!("OUT_DIR"), "/presets.rs"));

/// Where a value comes from: a source document and section, or a documented choice.
///
/// # Example
///
/// ```
/// let p = cwfinance::Program::builtin("missouri-interdepartmental-initiative").unwrap();
/// let c = &p.citations["split.funders[5].share"];
/// assert_eq!(c.value, "60.99%");
/// assert_eq!(c.source.as_deref(), Some("000_b605dc6c8d05d2b7.txt"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Citation {
    /// The cited value as written in the program file.
    pub value: String,
    /// The source document's file name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// The section of the source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub section: Option<String>,
    /// The source's words, when quoted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub quote: Option<String>,
    /// Why the preset chose this value where the source is silent or inconsistent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub choice: Option<String>,
}

impl Citation {
    /// `file, section` (or `choice: ...`), for traces.
    ///
    /// # Example
    ///
    /// ```
    /// let p = cwfinance::Program::builtin("missouri-interdepartmental-initiative").unwrap();
    /// assert!(p.citations["split.funders[5].share"].label().starts_with("000_b605dc6c8d05d2b7.txt, "));
    /// ```
    pub fn label(&self) -> String {
        match (&self.source, &self.section, &self.choice) {
            (Some(src), Some(sec), _) => format!("{src}, {sec}"),
            (Some(src), None, _) => src.clone(),
            (None, _, Some(why)) => format!("choice: {why}"),
            _ => String::new(),
        }
    }
}

/// A choice a preset made where its source is silent or inconsistent.
///
/// # Example
///
/// ```
/// let p = cwfinance::Program::builtin("missouri-interdepartmental-initiative").unwrap();
/// assert!(!p.choices.is_empty());
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct Choice {
    /// The parameter chosen (a path into `sections`, or a name).
    pub parameter: String,
    /// The value chosen.
    pub value: String,
    /// Why.
    pub why: String,
}

/// A loaded program: its description, its sections with citations stripped, and the citations.
///
/// # Example
///
/// ```
/// let p = cwfinance::Program::builtin("kansas-privatization-fy2000").unwrap();
/// assert!(p.sections.contains_key("milestones"));
/// ```
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct Program {
    /// The program's id, such as `commonworks-1998`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The state or county.
    pub jurisdiction: String,
    /// What it is, in a sentence or two.
    pub summary: String,
    /// The source documents it cites.
    pub sources: Vec<String>,
    /// Choices made where the sources are silent or inconsistent.
    pub choices: Vec<Choice>,
    /// Parameters a caller must supply because the source does not publish them, with why.
    pub required_parameters: BTreeMap<String, String>,
    /// The sections, as plain values (citations stripped).
    pub sections: BTreeMap<String, Value>,
    /// Every cited value, by its path under `sections` (`corridor.phases[2].provider_share`).
    pub citations: BTreeMap<String, Citation>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProgram {
    id: String,
    name: String,
    jurisdiction: String,
    summary: String,
    sources: Vec<String>,
    #[serde(default)]
    choices: Vec<Choice>,
    #[serde(default)]
    required_parameters: BTreeMap<String, String>,
    sections: Map<String, Value>,
}

/// The section names a program may carry, with the check each mechanism applies to its section.
/// A mechanism's check of its section of a program.
type SectionCheck = fn(&Value) -> Result<()>;

const SECTIONS: &[(&str, SectionCheck)] = &[
    ("split", crate::split::check_section),
    ("case_rate", crate::case_rate::check_section),
    ("milestones", crate::milestone::check_section),
    ("corridor", crate::corridor::check_section),
    ("risk_pool", crate::risk_pool::check_section),
    ("savings", crate::corridor::check_savings_section),
    ("rate_setting", crate::rate_setting::check_section),
    ("intake", crate::intake::check_section),
];

impl Program {
    /// The ids of the built-in presets, sorted.
    ///
    /// # Example
    ///
    /// ```
    /// let ids = cwfinance::Program::builtin_ids();
    /// assert!(ids.contains(&"commonworks-1997"));
    /// assert_eq!(ids.len(), 11);
    /// ```
    pub fn builtin_ids() -> Vec<&'static str> {
        PRESETS.iter().map(|(id, _, _)| *id).collect()
    }

    /// Load a built-in preset by id; [`Error::UnknownId`] lists the known ids.
    ///
    /// # Example
    ///
    /// ```
    /// let err = cwfinance::Program::builtin("commonworks-2099").unwrap_err();
    /// assert_eq!(err.kind(), "unknown_id");
    /// ```
    pub fn builtin(id: &str) -> Result<Program> {
        let preset = PRESETS
            .iter()
            .find(|(pid, _, _)| *pid == id)
            .ok_or_else(|| Error::UnknownId {
                field: "program".into(),
                value: id.to_string(),
                what: "program".into(),
                known: Program::builtin_ids().join(", "),
            })?;
        Program::from_value(&assemble(preset)?)
    }

    /// Every built-in preset, loaded.
    ///
    /// # Example
    ///
    /// ```
    /// assert_eq!(cwfinance::Program::builtins().unwrap().len(), 11);
    /// ```
    pub fn builtins() -> Result<Vec<Program>> {
        PRESETS
            .iter()
            .map(|p| Program::from_value(&assemble(p)?))
            .collect()
    }

    /// Load a program from JSON text in the preset format (a user's own program).
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::Program;
    /// let text = r#"{
    ///   "id": "my-state", "name": "My State", "jurisdiction": "Somewhere",
    ///   "summary": "A two-funder split.", "sources": ["contract.pdf"],
    ///   "sections": {"split": {"funders": [
    ///     {"name": "State", "share": {"value": "70%", "source": "contract.pdf", "section": "4.1"}},
    ///     {"name": "Federal", "share": {"value": "30%", "source": "contract.pdf", "section": "4.1"}}
    ///   ]}}
    /// }"#;
    /// let p = Program::from_json_str(text).unwrap();
    /// assert_eq!(p.citations["split.funders[1].share"].section.as_deref(), Some("4.1"));
    ///
    /// let bare = text.replace(r#"{"value": "30%", "source": "contract.pdf", "section": "4.1"}"#, r#""30%""#);
    /// assert_eq!(Program::from_json_str(&bare).unwrap_err().kind(), "missing_citation");
    /// ```
    pub fn from_json_str(text: &str) -> Result<Program> {
        let value = crate::json::parse(text)?;
        Program::from_value(&value)
    }

    /// Load a program from a parsed JSON value.
    ///
    /// # Example
    ///
    /// ```
    /// let err = cwfinance::Program::from_value(&serde_json::json!({"id": "x"})).unwrap_err();
    /// assert_eq!(err.kind(), "missing_field");
    /// ```
    pub fn from_value(value: &Value) -> Result<Program> {
        let raw: RawProgram = crate::json::decode(value, "program")?;
        if raw.id.trim().is_empty() {
            return Err(Error::invalid(
                "program.id",
                "",
                "a program id cannot be empty",
            ));
        }
        let mut citations = BTreeMap::new();
        let mut sections = BTreeMap::new();
        for (name, section) in &raw.sections {
            let check = SECTIONS
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, f)| *f)
                .ok_or_else(|| Error::UnknownId {
                    field: "program.sections".into(),
                    value: name.clone(),
                    what: "section".into(),
                    known: SECTIONS
                        .iter()
                        .map(|(n, _)| *n)
                        .collect::<Vec<_>>()
                        .join(", "),
                })?;
            let plain = strip_citations(section, name, &mut citations)?;
            check(&plain).map_err(|e| e.at(&format!("program.sections.{name}")))?;
            sections.insert(name.clone(), plain);
        }
        Ok(Program {
            id: raw.id,
            name: raw.name,
            jurisdiction: raw.jurisdiction,
            summary: raw.summary,
            sources: raw.sources,
            choices: raw.choices,
            required_parameters: raw.required_parameters,
            sections,
            citations,
        })
    }

    /// Decode section `name` into the mechanism's configuration type.
    ///
    /// # Example
    ///
    /// ```
    /// use cwfinance::{Program, split::Split};
    /// let p = Program::builtin("missouri-interdepartmental-initiative").unwrap();
    /// let split: Split = p.section("split").unwrap().unwrap();
    /// assert_eq!(split.funders.len(), 6);
    /// ```
    pub fn section<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>> {
        match self.sections.get(name) {
            None => Ok(None),
            Some(v) => crate::json::decode(v, &format!("program.sections.{name}")).map(Some),
        }
    }

    /// Like [`Program::section`], but [`Error::MissingField`] when the program has no such section.
    ///
    /// # Example
    ///
    /// ```
    /// let p = cwfinance::Program::builtin("wraparound-milwaukee").unwrap();
    /// let err = p.require_section::<cwfinance::split::Split>("split").unwrap_err();
    /// assert_eq!(err.field(), "program.sections.split");
    /// ```
    pub fn require_section<T: DeserializeOwned>(&self, name: &str) -> Result<T> {
        self.section(name)?.ok_or_else(|| Error::MissingField {
            field: format!("program.sections.{name}"),
        })
    }

    /// The citations under section path `prefix` (such as `corridor`), as `file, section` labels.
    ///
    /// # Example
    ///
    /// ```
    /// let p = cwfinance::Program::builtin("commonworks-1998").unwrap();
    /// assert!(!p.citations_under("corridor").is_empty());
    /// ```
    pub fn citations_under(&self, prefix: &str) -> BTreeMap<String, String> {
        self.citations
            .iter()
            .filter(|(k, _)| {
                k.as_str() == prefix
                    || k.strip_prefix(prefix)
                        .is_some_and(|r| r.starts_with('.') || r.starts_with('['))
            })
            .map(|(k, c)| (k.clone(), c.label()))
            .collect()
    }
}

/// A built-in preset is stored as `programs/<id>/program.json` plus one file per section
/// (`programs/<id>/<section>.json`); put them together into one program document.
fn assemble(preset: &Preset) -> Result<Value> {
    let (id, meta, sections) = preset;
    let mut doc = crate::json::parse(meta).map_err(|e| e.at(&format!("presets.{id}")))?;
    let mut map = Map::new();
    for (name, text) in sections.iter() {
        let v = crate::json::parse(text).map_err(|e| e.at(&format!("presets.{id}.{name}")))?;
        map.insert((*name).to_string(), v);
    }
    if let Value::Object(o) = &mut doc {
        o.insert("sections".into(), Value::Object(map));
    }
    Ok(doc)
}

fn looks_numeric_or_date(s: &str) -> bool {
    let t = s.trim().trim_end_matches('%');
    if t.is_empty() {
        return false;
    }
    let numeric = t
        .strip_prefix(['-', '+'])
        .unwrap_or(t)
        .chars()
        .all(|c| c.is_ascii_digit() || c == '.')
        && t.chars().any(|c| c.is_ascii_digit());
    let date = t.len() == 10
        && t.as_bytes().get(4) == Some(&b'-')
        && t.parse::<chrono::NaiveDate>().is_ok();
    numeric || date
}

fn is_cited(map: &Map<String, Value>) -> bool {
    map.contains_key("value") && (map.contains_key("source") || map.contains_key("choice"))
}

/// Replace every cited value by its plain value, recording the citation by path.
///
/// Also used by `crate::metrics::phases` for the HB 1414 phase data, which follows the same
/// cited-value format as the program sections.
pub(crate) fn strip_citations(
    v: &Value,
    path: &str,
    out: &mut BTreeMap<String, Citation>,
) -> Result<Value> {
    match v {
        Value::Number(n) => Err(Error::MissingCitation {
            field: format!("program.sections.{path}"),
            value: n.to_string(),
        }),
        Value::String(s) if looks_numeric_or_date(s) => Err(Error::MissingCitation {
            field: format!("program.sections.{path}"),
            value: s.clone(),
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .map(|(i, item)| strip_citations(item, &format!("{path}[{i}]"), out))
            .collect::<Result<Vec<_>>>()
            .map(Value::Array),
        Value::Object(map) if is_cited(map) => {
            let mut c: Citation = crate::json::decode(v, &format!("program.sections.{path}"))
                .map_err(|e| match e {
                    Error::UnknownField { field, value } => Error::UnknownField { field, value },
                    other => other,
                })?;
            let inner = map.get("value").cloned().unwrap_or(Value::Null);
            c.value = match &inner {
                Value::String(s) => s.clone(),
                other => other.to_string(),
            };
            if let Some(src) = &c.source {
                if src.trim().is_empty() {
                    return Err(Error::MissingCitation {
                        field: format!("program.sections.{path}.source"),
                        value: c.value.clone(),
                    });
                }
            }
            out.insert(path.to_string(), c);
            Ok(inner)
        }
        Value::Object(map) if map.contains_key("value") => Err(Error::MissingCitation {
            field: format!("program.sections.{path}"),
            value: map.get("value").map(|x| x.to_string()).unwrap_or_default(),
        }),
        Value::Object(map) => {
            let mut plain = Map::new();
            for (k, item) in map {
                plain.insert(
                    k.clone(),
                    strip_citations(item, &format!("{path}.{k}"), out)?,
                );
            }
            Ok(Value::Object(plain))
        }
        other => Ok(other.clone()),
    }
}

/// The program a request names: a built-in id (`"program": "commonworks-1998"`) or a whole
/// program object in the preset format.
pub(crate) fn resolve(value: &Value) -> Result<Program> {
    match value {
        Value::String(id) => Program::builtin(id),
        Value::Object(_) => Program::from_value(value),
        other => Err(Error::invalid(
            "program",
            other.to_string(),
            "a program is a preset id string or a program object",
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_builtin_loads_and_cites_only_known_sources() {
        let known = [
            "000_b605dc6c8d05d2b7.txt",
            "001_f8713068464777ee.txt",
            "002_acb0e5b8f340becc.txt",
            "003_d493ecb4a837036e.txt",
            "004_c47e555d576af250.txt",
        ];
        let programs = Program::builtins();
        assert!(programs.is_ok(), "{programs:?}");
        for p in programs.unwrap_or_default() {
            assert!(!p.citations.is_empty(), "{} has no citations", p.id);
            for (path, c) in &p.citations {
                match &c.source {
                    Some(src) => {
                        assert!(
                            known.contains(&src.as_str()),
                            "{}: {path} cites {src}",
                            p.id
                        );
                        assert!(c.section.is_some(), "{}: {path} has no section", p.id);
                    }
                    None => assert!(c.choice.is_some(), "{}: {path}", p.id),
                }
            }
        }
    }

    #[test]
    fn numbers_need_citations() {
        assert!(looks_numeric_or_date("4476.00"));
        assert!(looks_numeric_or_date("3%"));
        assert!(looks_numeric_or_date("1998-07-01"));
        assert!(!looks_numeric_or_date("half_up"));
        assert!(!looks_numeric_or_date("DSS/Family Services"));
    }
}
