//! The JSON Schemas in `docs/schema/` are generated from the serde types; this test fails when
//! they are stale. `CWFINANCE_BLESS=1` regenerates them.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::path::Path;

#[test]
fn published_schemas_are_current() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/schema");
    let bless = std::env::var_os("CWFINANCE_BLESS").is_some();
    if bless {
        let _ = std::fs::create_dir_all(&dir);
    }
    let mut stale = Vec::new();
    let schemas = cwfinance::document::schemas();
    for (name, schema) in &schemas {
        let text = serde_json::to_string_pretty(schema).unwrap_or_default() + "\n";
        let path = dir.join(name);
        let current = std::fs::read_to_string(&path).unwrap_or_default();
        if current != text {
            if bless {
                std::fs::write(&path, &text).unwrap_or_default();
            } else {
                stale.push(name.clone());
            }
        }
    }
    // No schema file without a kind behind it.
    if let Ok(entries) = std::fs::read_dir(&dir) {
        for e in entries.flatten() {
            let name = e.file_name().to_string_lossy().to_string();
            if name.ends_with(".json") && !schemas.iter().any(|(n, _)| *n == name) {
                if bless {
                    let _ = std::fs::remove_file(e.path());
                } else {
                    stale.push(format!("{name} (no longer generated)"));
                }
            }
        }
    }
    assert!(
        stale.is_empty(),
        "stale schemas (run CWFINANCE_BLESS=1 cargo test -p cwfinance --test schemas): {stale:?}"
    );
}
