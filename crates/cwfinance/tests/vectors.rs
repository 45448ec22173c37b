//! Runs every cross-language vector in `tests/vectors/` and compares the response byte for byte.
//!
//! A vector is `{"description", "request", "expected"}`. The Python and JS packages run the same
//! files. `CWFINANCE_BLESS=1` rewrites `expected` from the current output, for review in the diff.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use serde_json::Value;

fn vector_files() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

#[test]
fn every_vector_matches_byte_for_byte() {
    let bless = std::env::var_os("CWFINANCE_BLESS").is_some();
    let files = vector_files();
    assert!(!files.is_empty(), "no vectors found");
    let mut failures = Vec::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let mut doc: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => {
                failures.push(format!("{}: not JSON: {e}", path.display()));
                continue;
            }
        };
        let Some(request) = doc.get("request") else {
            failures.push(format!("{}: no request", path.display()));
            continue;
        };
        let actual = cwfinance::evaluate_str(&request.to_string());
        if bless {
            let parsed: Value = serde_json::from_str(&actual).unwrap_or(Value::Null);
            doc["expected"] = parsed;
            let pretty = serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n";
            if pretty != text {
                std::fs::write(path, pretty).unwrap_or_default();
            }
            continue;
        }
        let expected = doc
            .get("expected")
            .map(cwfinance::json::to_canonical_string)
            .unwrap_or_default();
        if actual != expected {
            failures.push(format!(
                "{}\n  expected: {expected}\n  actual:   {actual}",
                path.display()
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} of {} vectors differ:\n{}",
        failures.len(),
        files.len(),
        failures.join("\n")
    );
}

#[test]
fn every_kind_and_program_has_a_vector() {
    let files = vector_files();
    let mut kinds = std::collections::BTreeSet::new();
    let mut programs = std::collections::BTreeSet::new();
    for path in &files {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let doc: Value = serde_json::from_str(&text).unwrap_or(Value::Null);
        if let Some(k) = doc["request"]["kind"].as_str() {
            kinds.insert(k.to_string());
        }
        if let Some(p) = doc["request"]["program"].as_str() {
            if doc["request"]["kind"] != "program.show" {
                programs.insert(p.to_string());
            }
        }
    }
    for k in cwfinance::document::KINDS {
        assert!(kinds.contains(k.name), "no vector for kind {}", k.name);
    }
    for id in cwfinance::Program::builtin_ids() {
        assert!(
            programs.contains(id),
            "no calculation vector uses program {id}"
        );
    }
}
