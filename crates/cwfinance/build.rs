//! Compiles the program presets in `programs/<id>/` into the crate, so the library reads no
//! file at run time. Each preset is `program.json` (its description) plus one JSON file per
//! section (`case_rate.json`, `corridor.json`, ...).

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("programs");
    println!("cargo:rerun-if-changed={}", root.display());
    let mut ids: Vec<_> = std::fs::read_dir(&root)
        .map(|rd| {
            rd.filter_map(|e| e.ok())
                .map(|e| e.path())
                .filter(|p| p.is_dir())
                .collect()
        })
        .unwrap_or_default();
    ids.sort();
    let mut out = String::from(
        "/// The built-in presets: (id, description, [(section, text)]).\nstatic PRESETS: &[Preset] = &[\n",
    );
    for dir in ids {
        println!("cargo:rerun-if-changed={}", dir.display());
        let id = dir
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        let meta = dir.join("program.json");
        if !meta.exists() {
            continue;
        }
        let mut sections: Vec<_> = std::fs::read_dir(&dir)
            .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect())
            .unwrap_or_default();
        sections.retain(|p: &std::path::PathBuf| {
            p.extension().is_some_and(|e| e == "json")
                && p.file_name().is_some_and(|n| n != "program.json")
        });
        sections.sort();
        let _ = write!(
            out,
            "    ({id:?}, include_str!({:?}), &[",
            meta.display().to_string()
        );
        for s in sections {
            println!("cargo:rerun-if-changed={}", s.display());
            let name = s.file_stem().and_then(|n| n.to_str()).unwrap_or_default();
            let _ = write!(
                out,
                "({name:?}, include_str!({:?})), ",
                s.display().to_string()
            );
        }
        out.push_str("]),\n");
    }
    out.push_str("];\n");
    let dest = Path::new(&std::env::var("OUT_DIR").unwrap_or_default()).join("presets.rs");
    if let Err(e) = std::fs::write(&dest, out) {
        println!("cargo:warning=cannot write {}: {e}", dest.display());
        std::process::exit(1);
    }
}
