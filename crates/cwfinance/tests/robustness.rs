//! No input makes the document API panic.
//!
//! Every leaf of every vector's request is replaced, one at a time, by hostile values (wrong
//! types, huge and tiny numbers, impossible dates, empty and long strings), and a seeded
//! generator applies random multi-point mutations. Each answer must be a JSON object: a response
//! or a typed error. Tests run in debug, so an integer overflow would panic here too.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

fn vector_requests() -> Vec<(PathBuf, Value)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/vectors");
    let mut out = Vec::new();
    let mut stack = vec![root];
    while let Some(dir) = stack.pop() {
        for e in std::fs::read_dir(&dir).into_iter().flatten().flatten() {
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else if p.extension().is_some_and(|x| x == "json") {
                let text = std::fs::read_to_string(&p).unwrap_or_default();
                if let Ok(doc) = serde_json::from_str::<Value>(&text) {
                    if let Some(r) = doc.get("request") {
                        out.push((p, r.clone()));
                    }
                }
            }
        }
    }
    out.sort_by(|a, b| a.0.cmp(&b.0));
    out
}

fn hostile() -> Vec<Value> {
    vec![
        json!(null),
        json!(true),
        json!(1.5),
        json!(-1),
        json!(""),
        json!("-1"),
        json!("0"),
        json!("-0.001"),
        json!("999999999999999"),
        json!("1000000000000000"),
        json!("79228162514264337593543950335"),
        json!("0.0000000000000000000000000001"),
        json!("1e400"),
        json!("NaN"),
        json!("2024-02-30"),
        json!("0001-01-01"),
        json!("9999-12-31"),
        json!("-100%"),
        json!("1000000%"),
        json!([]),
        json!({}),
        json!("x".repeat(10_000)),
    ]
}

/// The paths of every leaf (and every container) in `v`.
fn paths(v: &Value, prefix: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(prefix.clone());
    match v {
        Value::Object(m) => {
            for (k, item) in m {
                prefix.push(Step::Key(k.clone()));
                paths(item, prefix, out);
                prefix.pop();
            }
        }
        Value::Array(a) => {
            for (i, item) in a.iter().enumerate().take(4) {
                prefix.push(Step::Index(i));
                paths(item, prefix, out);
                prefix.pop();
            }
        }
        _ => {}
    }
}

#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

fn slot<'a>(v: &'a mut Value, path: &[Step]) -> Option<&'a mut Value> {
    let mut cur = v;
    for s in path {
        cur = match s {
            Step::Key(k) => cur.get_mut(k.as_str())?,
            Step::Index(i) => cur.get_mut(*i)?,
        };
    }
    Some(cur)
}

fn check(request: &Value, what: &str) {
    let text = request.to_string();
    let out = std::panic::catch_unwind(|| cwfinance::evaluate_str(&text));
    match out {
        Ok(s) => {
            let parsed: Result<Value, _> = serde_json::from_str(&s);
            assert!(
                matches!(parsed, Ok(Value::Object(_))),
                "{what}: not a JSON object: {s}"
            );
        }
        Err(_) => unreachable!("{what}: panicked on {text}"),
    }
}

#[test]
fn hostile_value_at_every_leaf_never_panics() {
    let values = hostile();
    let mut runs = 0usize;
    for (path, request) in vector_requests() {
        let mut all = Vec::new();
        paths(&request, &mut Vec::new(), &mut all);
        // Big inline datasets: mutate only the first few hundred places.
        for p in all.iter().skip(1).take(300) {
            for h in &values {
                let mut r = request.clone();
                if let Some(s) = slot(&mut r, p) {
                    *s = h.clone();
                }
                check(&r, &format!("{} at {p:?}", path.display()));
                runs += 1;
            }
        }
    }
    assert!(runs > 1000, "only {runs} mutations ran");
}

#[test]
fn random_multi_point_mutations_never_panic() {
    let requests = vector_requests();
    let values = hostile();
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut next = || {
        // splitmix64
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    };
    for _ in 0..2_000 {
        let idx = (next() % requests.len().max(1) as u64) as usize;
        let Some((path, request)) = requests.get(idx) else {
            continue;
        };
        let mut all = Vec::new();
        paths(request, &mut Vec::new(), &mut all);
        let mut r = request.clone();
        for _ in 0..3 {
            let p = &all[(next() % all.len() as u64) as usize];
            let h = &values[(next() % values.len() as u64) as usize];
            if let Some(s) = slot(&mut r, p) {
                *s = h.clone();
            }
        }
        check(&r, &path.display().to_string());
    }
}
