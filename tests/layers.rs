//! The crate's layers point one way: each module imports only from itself
//! and the layers below it. Read from the `crate::` paths in the sources,
//! so a new import that points up fails here, naming the file and line.

use std::path::Path;

/// The layers, lowest first. A module may use anything in its own layer
/// or below.
pub(crate) const LAYERS: &[&[&str]] = &[
    &["sim"],
    &["vocab", "error"],
    &["metrics"],
    &["model"],
    &["check"],
    &["scenario"],
    &["run", "testing"],
    &["study"],
    &["report"],
    &["cli", "main"],
];

/// What a root re-export (`crate::Scenario`) or exported macro belongs to.
fn owner(first: &str) -> &str {
    match first {
        "Simulation" | "Outcome" => "run",
        "Scenario" => "scenario",
        "InputError" => "error",
        "typed_id" => "sim",
        m => m,
    }
}

fn layer(module: &str) -> Option<usize> {
    LAYERS.iter().position(|l| l.contains(&module))
}

fn sources(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).expect("src/ lists") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            sources(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

#[test]
fn every_import_points_down() {
    let src = crate::repo("src");
    let mut files = Vec::new();
    sources(&src, &mut files);
    files.sort();
    let mut upward = Vec::new();
    for file in &files {
        let rel = file.strip_prefix(&src).expect("under src");
        let first = rel.components().next().expect("a component");
        let module = first.as_os_str().to_string_lossy();
        let module = module.trim_end_matches(".rs");
        if module == "lib" {
            continue;
        }
        let own = layer(module).unwrap_or_else(|| panic!("{} is in no layer", rel.display()));
        let text = std::fs::read_to_string(file).expect("readable");
        for (n, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for (at, _) in line.match_indices("crate::") {
                let path = &line[at + "crate::".len()..];
                let name: String = path
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_')
                    .collect();
                if name.is_empty() {
                    continue;
                }
                let target = owner(&name);
                let theirs = layer(target).unwrap_or_else(|| {
                    panic!("{}:{}: crate::{name} is in no layer", rel.display(), n + 1)
                });
                if theirs > own {
                    upward.push(format!(
                        "{}:{}: {module} uses crate::{name}",
                        rel.display(),
                        n + 1
                    ));
                }
            }
        }
    }
    assert!(
        upward.is_empty(),
        "imports that point up:\n{}",
        upward.join("\n")
    );
}

#[test]
fn every_module_of_the_crate_has_a_layer() {
    let lib = std::fs::read_to_string(crate::repo("src/lib.rs")).expect("lib.rs");
    for line in lib.lines() {
        let line = line.trim();
        let module = line
            .strip_prefix("pub mod ")
            .or_else(|| line.strip_prefix("mod "))
            .map(|m| m.trim_end_matches(';'));
        if let Some(m) = module {
            assert!(layer(m).is_some(), "module {m} has no layer");
        }
    }
}
