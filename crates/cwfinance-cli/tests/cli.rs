//! The `cwfinance` command end to end: each subcommand on real inputs, exit codes included.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn cwfinance(args: &[&str], stdin: Option<&str>) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cwfinance"));
    cmd.args(args);
    match stdin {
        None => cmd.output().unwrap(),
        Some(text) => {
            use std::io::Write;
            let mut child = cmd
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap();
            child
                .stdin
                .take()
                .unwrap()
                .write_all(text.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        }
    }
}

fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).to_string()
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn eval_answers_a_vector_byte_for_byte() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/vectors/corridor.settle/commonworks-1998-3pct-at-103000.json");
    let doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let out = cwfinance(&["eval", "-"], Some(&doc["request"].to_string()));
    assert!(out.status.success());
    assert_eq!(
        stdout(&out).trim_end(),
        cwfinance::json::to_canonical_string(&doc["expected"])
    );
}

#[test]
fn eval_of_a_bad_request_prints_the_typed_error_and_fails() {
    let out = cwfinance(
        &["eval", "-"],
        Some(
            r#"{"kind": "split", "amount": 3329.0, "split": {"funders": [{"name": "A", "share": "100%"}]}}"#,
        ),
    );
    assert_eq!(out.status.code(), Some(1));
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v["error"]["kind"], "not_a_decimal_string");
    assert_eq!(v["error"]["field"], "amount");
}

#[test]
fn programs_lists_the_eleven_presets() {
    let out = cwfinance(&["programs", "--json"], None);
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert_eq!(v.as_array().map(Vec::len), Some(11));
}

#[test]
fn demo_prints_the_missouri_month_and_the_corridor_example() {
    let out = cwfinance(&["demo"], None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = stdout(&out);
    // 250 children x (3,329 + 226) = 888,750.00 (000_b605dc6c8d05d2b7.txt).
    assert!(text.contains("$888,750.00"), "{text}");
    // At $103,000 against $100,000 the agency bears the whole $3,000 (001, Commonworks).
    assert!(text.contains("-3,000.00"), "{text}");
    // Kansas at the top of its range: 4 x 3,690.75 = 14,763.00, plus the example $500 fee.
    assert!(text.contains("15,263.00"), "{text}");
    assert!(text.contains("78,748.00"), "{text}");
    assert!(text.contains("HB 1414 scorecard"), "{text}");
}

#[test]
fn synth_then_score_a_quarter() {
    let dir = scratch("synth-small");
    let d = dir.to_str().unwrap();
    let out = cwfinance(
        &["synth", "--seed", "7", "--scale", "0.02", "--out", d],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(dir.join("children.csv").exists());
    let out = cwfinance(
        &[
            "hb1414",
            "score",
            "--data",
            d,
            "--quarter",
            "2024Q3",
            "--by",
            "provider",
            "--format",
            "json",
        ],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_str(stdout(&out).trim()).unwrap();
    assert!(v.is_object() || v.is_array());
    // The same seed writes the same files, byte for byte.
    let again = scratch("synth-small-again");
    let a = again.to_str().unwrap();
    assert!(
        cwfinance(
            &["synth", "--seed", "7", "--scale", "0.02", "--out", a],
            None
        )
        .status
        .success()
    );
    for f in ["children.csv", "episodes.csv", "visits.csv"] {
        assert_eq!(
            std::fs::read(dir.join(f)).unwrap(),
            std::fs::read(again.join(f)).unwrap(),
            "{f}"
        );
    }
}

#[test]
fn scoring_bad_rows_lists_every_problem_and_fails() {
    let dir = scratch("synth-bad");
    let d = dir.to_str().unwrap();
    assert!(
        cwfinance(
            &[
                "synth",
                "--seed",
                "3",
                "--scale",
                "0.01",
                "--bad-rows",
                "5",
                "--out",
                d
            ],
            None
        )
        .status
        .success()
    );
    let out = cwfinance(
        &["hb1414", "score", "--data", d, "--quarter", "2024Q3"],
        None,
    );
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("row"), "{err}");
}
