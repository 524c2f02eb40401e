//! The documents that describe the code's shape say what the code is: the
//! codemap in ARCHITECTURE.md lists every file under `src/` and nothing
//! else, and its layer list is the one `tests/layers.rs` enforces.

use std::collections::BTreeSet;
use std::path::Path;

use crate::repo;

/// The fenced block under `## Codemap`.
fn codemap(architecture: &str) -> &str {
    let start = architecture.find("## Codemap").expect("a codemap section");
    let rest = &architecture[start..];
    let open = rest.find("```\n").expect("a fenced codemap") + 4;
    let close = rest[open..].find("```").expect("the codemap's end");
    &rest[open..open + close]
}

/// The files the codemap names under `src/`: an entry is a name at an
/// indentation below the description column, a directory (`cli/`) opens
/// a level for the entries indented under it, and a name may carry a
/// path of its own (`charts/study.rs`).
fn mapped_files(map: &str) -> BTreeSet<String> {
    const DESCRIPTION_COLUMN: usize = 20;
    let mut files = BTreeSet::new();
    let mut dirs: Vec<(usize, String)> = Vec::new();
    let mut in_src = false;
    for line in map.lines() {
        let indent = line.len() - line.trim_start().len();
        let Some(name) = line.split_whitespace().next() else {
            continue;
        };
        if indent >= DESCRIPTION_COLUMN {
            continue;
        }
        if indent == 0 {
            in_src = name == "src/";
            dirs.clear();
            continue;
        }
        if !in_src {
            continue;
        }
        while dirs.last().is_some_and(|(at, _)| *at >= indent) {
            dirs.pop();
        }
        let parent: String = dirs.iter().map(|(_, d)| d.as_str()).collect();
        if let Some(dir) = name.strip_suffix('/') {
            dirs.push((indent, format!("{dir}/")));
        } else {
            files.insert(format!("{parent}{name}"));
        }
    }
    files
}

fn source_files(dir: &Path, root: &Path, out: &mut BTreeSet<String>) {
    for entry in std::fs::read_dir(dir).expect("src/ lists") {
        let path = entry.expect("entry").path();
        if path.is_dir() {
            source_files(&path, root, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            let rel = path.strip_prefix(root).expect("under src");
            out.insert(rel.to_string_lossy().replace('\\', "/"));
        }
    }
}

#[test]
fn the_codemap_lists_every_source_file_and_nothing_else() {
    let text = std::fs::read_to_string(repo("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let mapped = mapped_files(codemap(&text));
    let src = repo("src");
    let mut files = BTreeSet::new();
    source_files(&src, &src, &mut files);
    let missing: Vec<_> = files.difference(&mapped).collect();
    let gone: Vec<_> = mapped.difference(&files).collect();
    assert!(
        missing.is_empty() && gone.is_empty(),
        "ARCHITECTURE.md's codemap is out of step with src/: not listed {missing:?}; listed but absent {gone:?}"
    );
}

#[test]
fn the_documented_layers_are_the_enforced_ones() {
    let text = std::fs::read_to_string(repo("ARCHITECTURE.md")).expect("ARCHITECTURE.md");
    let start = text.find("## Layering").expect("a layering section");
    let documented: Vec<Vec<String>> = text[start..]
        .lines()
        .skip(1)
        .skip_while(|l| !l.starts_with("1. "))
        .take_while(|l| !l.trim().is_empty())
        .filter(|l| l.chars().next().is_some_and(|c| c.is_ascii_digit()))
        .map(|l| {
            let names = l.split_once(". ").expect("a numbered line").1;
            let names = names.split(" — ").next().expect("names");
            names
                .split(", ")
                .map(|n| n.trim_end_matches('.').trim_matches('`').to_owned())
                .collect()
        })
        .collect();
    let enforced: Vec<Vec<String>> = crate::layers::LAYERS
        .iter()
        .map(|l| l.iter().map(|&n| n.to_owned()).collect())
        .collect();
    assert_eq!(documented, enforced);
}

#[test]
fn the_codemap_reader_follows_nesting() {
    let map = "src/\n  lib.rs            x\n  cli/              y\n    mod.rs          z\n                    more words\n  report/\n    charts/study.rs a\n  main.rs           b\nassets/             c\n";
    let files: Vec<String> = mapped_files(map).into_iter().collect();
    assert_eq!(
        files,
        ["cli/mod.rs", "lib.rs", "main.rs", "report/charts/study.rs"]
    );
}
