//! `cwfinance demo`: a readable report on built-in data.
//!
//! Every figure comes from a calculation document run through [`cwfinance::evaluate`], the same
//! path the Python and browser packages use, so the demo doubles as a smoke test of them all.

use serde_json::{Value, json};

fn run_doc(request: Value) -> Result<Value, String> {
    let out = cwfinance::evaluate(&request);
    if let Some(err) = out.get("error") {
        return Err(format!(
            "{} failed: {}",
            request["kind"],
            err["message"].as_str().unwrap_or("unknown error")
        ));
    }
    Ok(out)
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or("?")
}

/// A decimal string with thousands separators, for reading: "888750.00" becomes "888,750.00".
fn money(v: &Value) -> String {
    let text = s(v);
    let (sign, body) = match text.strip_prefix('-') {
        Some(rest) => ("-", rest),
        None => ("", text),
    };
    let (int, frac) = body.split_once('.').unwrap_or((body, ""));
    let mut grouped = String::new();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    if frac.is_empty() {
        format!("{sign}{grouped}")
    } else {
        format!("{sign}{grouped}.{frac}")
    }
}

/// Print the demo report.
pub fn run() -> Result<(), String> {
    missouri_month()?;
    commonworks_corridor()?;
    kansas_case()?;
    project_destiny()?;
    scorecard()?;
    Ok(())
}

fn heading(title: &str, source: &str) {
    println!("\n{title}");
    println!("{}", "=".repeat(title.len()));
    println!("source: {source}\n");
}

fn missouri_month() -> Result<(), String> {
    heading(
        "Missouri Interdepartmental Initiative: one month for 250 children",
        "000_b605dc6c8d05d2b7.txt (case rate $3,329 + $226 case management; six funding divisions)",
    );
    let enrollments: Vec<Value> = (1..=250)
        .map(|i| json!({"child": format!("MO-{i:03}"), "start": "1999-03-01"}))
        .collect();
    let out = run_doc(json!({
        "kind": "case_rate.bill",
        "program": "missouri-interdepartmental-initiative",
        "as_of": "1999-04-01",
        "split": true,
        "enrollments": enrollments,
    }))?;
    let totals = &out["totals"];
    println!(
        "March 1999, 250 children x ($3,329.00 + $226.00) = ${}",
        money(&totals["grand_total"])
    );
    println!("\n  {:<55} {:>14}", "funder", "amount");
    let mut sum = rust_decimal::Decimal::ZERO;
    for f in totals["by_funder"].as_array().into_iter().flatten() {
        println!("  {:<55} {:>14}", s(&f["name"]), money(&f["amount"]));
        sum += s(&f["amount"])
            .parse::<rust_decimal::Decimal>()
            .unwrap_or_default();
    }
    println!(
        "  {:<55} {:>14}",
        "total (adds up to the cent)",
        money(&Value::String(sum.to_string()))
    );
    println!(
        "\nThe published shares sum to 100.01%; the preset normalizes them (a documented choice)."
    );
    println!(
        "Each child's $3,555.00 line is split to the cent and the lines are summed per funder, so a\n\
         funder's total is what its invoices add up to; splitting the $888,750.00 total at once\n\
         (`split` on the whole amount) differs by cents per funder, and both add up exactly."
    );
    Ok(())
}

fn commonworks_corridor() -> Result<(), String> {
    heading(
        "Massachusetts Commonworks: risk corridor at the 3% stage (from June 1999)",
        "001_f8713068464777ee.txt, Case Rates, Massachusetts Commonworks",
    );
    println!(
        "  {:>12} {:>12} {:>14} {:>18}",
        "target", "actual cost", "provider gain", "payer pays in all"
    );
    for actual in [
        "95000.00",
        "97000.00",
        "99000.00",
        "101000.00",
        "103000.00",
        "105000.00",
    ] {
        let out = run_doc(json!({
            "kind": "corridor.settle",
            "program": "commonworks-1998",
            "as_of": "1999-07-15",
            "target": "100000.00",
            "actual": actual,
        }))?;
        println!(
            "  {:>12} {:>12} {:>14} {:>18}",
            money(&out["target"]),
            money(&out["actual"]),
            money(&out["provider_gain"]),
            money(&out["payer_total"])
        );
    }
    println!(
        "\nThe agency covers costs up to $103,000 and keeps savings up to $3,000; beyond the band the payer bears or keeps the rest."
    );
    Ok(())
}

fn kansas_case() -> Result<(), String> {
    heading(
        "Kansas privatization FY2000: one case through its four milestones",
        "001_f8713068464777ee.txt, Practice Forum, Kansas (case rate $13,564 to $14,763, paid 25/25/25/25)",
    );
    let out = run_doc(json!({
        "kind": "milestones.pay",
        "program": "kansas-privatization-fy2000",
        "as_of": "2000-06-30",
        "parameters": {"case_rate": "14763.00", "referral_fee": "500.00"},
        "events": [
            {"event": "referral", "date": "1999-08-02"},
            {"event": "progress_report_60_day", "date": "1999-10-01"},
            {"event": "case_plan_180_day", "date": "2000-01-28"},
            {"event": "reunification", "date": "2000-06-15"}
        ],
    }))?;
    println!("  {:<12} {:<32} {:>10}", "date", "rule", "amount");
    for p in out["payments"].as_array().into_iter().flatten() {
        println!(
            "  {:<12} {:<32} {:>10}",
            s(&p["date"]),
            s(&p["rule"]),
            money(&p["amount"])
        );
    }
    println!(
        "  {:<45} {:>10}",
        "total paid",
        money(&out["totals"]["paid"])
    );
    println!("\nThe referral fee is not published: $500.00 here is an example parameter.");
    Ok(())
}

fn project_destiny() -> Result<(), String> {
    heading(
        "Project Destiny: an extended-period case rate",
        "001_f8713068464777ee.txt, Project Destiny ($78,748 per child for 24 months)",
    );
    let out = run_doc(json!({
        "kind": "case_rate.bill",
        "program": "project-destiny-1997",
        "as_of": "1999-04-01",
        "enrollments": [{"child": "PD-1", "start": "1997-04-01"}],
    }))?;
    let lines = out["lines"].as_array().cloned().unwrap_or_default();
    for l in lines.iter().take(3) {
        println!("  {}  {:>10}", s(&l["month"]), money(&l["amount"]));
    }
    println!("  ...");
    for l in lines.iter().skip(lines.len().saturating_sub(2)) {
        println!("  {}  {:>10}", s(&l["month"]), money(&l["amount"]));
    }
    println!(
        "  {} months, total ${} (78,748 / 24 = 3,281.1666..., spread to the cent)",
        lines.len(),
        money(&out["totals"]["grand_total"])
    );
    Ok(())
}

fn scorecard() -> Result<(), String> {
    heading(
        "HB 1414: a provider scorecard from built-in synthetic data",
        "003_d493ecb4a837036e.txt, 13 CSR 35-35.100(3)(H); 004_c47e555d576af250.txt, Phase I",
    );
    let text = crate::hb1414::demo_scorecard_text()?;
    println!("{text}");
    Ok(())
}
