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

/// What a root re-export (`crate::Scenario`) belongs to.
fn owner(first: &str) -> &str {
    match first {
        "Simulation" | "Outcome" => "run",
        "Scenario" => "scenario",
        "InputError" => "error",
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

/// Inside `model/`, the files every actor shares: the event vocabulary
/// with its payloads, the handler's context and the orders it carries,
/// notes, the configuration, the network, how answers and connections
/// travel, the workload's offer, and the storage and instance data types.
/// They import only each other, never an actor, so that an actor's file
/// can import them without joining another actor's.
const MODEL_LEAVES: &[&str] = &[
    "event",
    "context",
    "order",
    "note",
    "config",
    "network",
    "routes",
    "answer",
    "tcp",
    "pool",
    "workload",
    "storage/lsn",
    "storage/page",
    "storage/segment",
    "storage/volume",
    "storage/device",
    "storage/recovery",
    "compute/instance",
    "compute/class",
    "compute/cache",
    "compute/server",
];

/// Files of `model/` that read actors without being one: the world that
/// builds the actors and routes events and orders between them
/// (`model/mod.rs`), and the memory estimate that sizes their structures.
/// No actor imports them.
const MODEL_VIEWS: &[&str] = &["", "footprint"];

/// The actor a file of `model/` belongs to: its top-level module (every
/// file under `compute/` is the instances', every file under `storage/`
/// the storage nodes').
fn room(file: &str) -> &str {
    file.split('/').next().unwrap_or(file)
}

/// Each file of `model/` by its module path (`compute/writer`; `""` for
/// `model/mod.rs`), with the model files it imports: `crate::model::…`,
/// `super::…` and `self::…` paths, and names of its own child modules.
fn model_imports() -> std::collections::BTreeMap<String, std::collections::BTreeSet<String>> {
    let root = crate::repo("src/model");
    let mut files = Vec::new();
    sources(&root, &mut files);
    let module = |p: &Path| {
        let rel = p.strip_prefix(&root).expect("under model/");
        let m = rel.to_string_lossy().replace('\\', "/");
        let m = m.trim_end_matches(".rs").to_owned();
        match m.strip_suffix("mod") {
            Some(parent) => parent.trim_end_matches('/').to_owned(),
            None => m,
        }
    };
    let known: std::collections::BTreeSet<String> = files.iter().map(|p| module(p)).collect();
    let resolve = |own: &str, path: &[&str]| -> Option<String> {
        let mut base: Vec<&str> = own.split('/').filter(|s| !s.is_empty()).collect();
        let mut rest = path;
        match rest.first() {
            Some(&"crate") if rest.get(1) == Some(&"model") => {
                base.clear();
                rest = &rest[2..];
            }
            Some(&"crate") => return None,
            Some(&"super") => {
                while rest.first() == Some(&"super") {
                    base.pop();
                    rest = &rest[1..];
                }
            }
            Some(&"self") => rest = &rest[1..],
            _ => {}
        }
        let mut found = None;
        let mut at = base.join("/");
        if known.contains(&at) {
            found = Some(at.clone());
        }
        for part in rest {
            at = if at.is_empty() {
                (*part).to_owned()
            } else {
                format!("{at}/{part}")
            };
            if !known.contains(&at) {
                break;
            }
            found = Some(at.clone());
        }
        found
    };
    let mut graph = std::collections::BTreeMap::new();
    for file in &files {
        let own = module(file);
        let text = std::fs::read_to_string(file).expect("readable");
        // Unit tests may reach anything.
        let text = text.split("#[cfg(test)]\nmod tests").next().expect("text");
        let mut deps = std::collections::BTreeSet::new();
        for line in text.lines() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            let words: Vec<&str> = line
                .split(|c: char| !(c.is_alphanumeric() || c == '_' || c == ':'))
                .filter(|w| w.contains("::"))
                .collect();
            for word in words {
                let path: Vec<&str> = word.split("::").filter(|s| !s.is_empty()).collect();
                let child = (path.len() > 1 && !matches!(path[0], "crate" | "super" | "self"))
                    .then_some(path.as_slice());
                let target = match child {
                    // A name of one of its own submodules.
                    Some(p) => resolve(&own, &[&["self"], p].concat()),
                    None => resolve(&own, &path),
                };
                if let Some(t) = target.filter(|t| *t != own) {
                    deps.insert(t);
                }
            }
        }
        graph.insert(own, deps);
    }
    graph
}

/// Files of `graph` that lie on a cycle: those that reach themselves.
fn on_cycles(
    graph: &std::collections::BTreeMap<String, std::collections::BTreeSet<String>>,
) -> std::collections::BTreeSet<String> {
    let reaches = |from: &String| {
        let mut seen = std::collections::BTreeSet::new();
        let mut stack: Vec<&String> = graph[from].iter().collect();
        while let Some(n) = stack.pop() {
            if seen.insert(n.clone()) {
                stack.extend(graph.get(n).into_iter().flatten());
            }
        }
        seen.contains(from)
    };
    graph.keys().filter(|f| reaches(f)).cloned().collect()
}

#[test]
fn the_model_s_shared_files_import_no_actor() {
    let graph = model_imports();
    let mut wrong = Vec::new();
    for leaf in MODEL_LEAVES {
        let deps = graph
            .get(*leaf)
            .unwrap_or_else(|| panic!("model/{leaf} exists"));
        for d in deps.iter().filter(|d| !MODEL_LEAVES.contains(&d.as_str())) {
            wrong.push(format!("model/{leaf} imports model/{d}"));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_model_has_no_import_cycle() {
    let cycle = on_cycles(&model_imports());
    assert!(
        cycle.is_empty(),
        "files of model/ on an import cycle: {cycle:?}"
    );
}

/// An actor's files import the shared files and each other, never another
/// actor's: actors meet through events, orders and read-only views that
/// the world hands them.
#[test]
fn no_actor_imports_another() {
    let graph = model_imports();
    let mut wrong = Vec::new();
    for (file, deps) in &graph {
        if MODEL_VIEWS.contains(&file.as_str()) || MODEL_LEAVES.contains(&file.as_str()) {
            continue;
        }
        for d in deps {
            let shared = MODEL_LEAVES.contains(&d.as_str());
            if !shared && room(d) != room(file) {
                wrong.push(format!("model/{file} imports model/{d}"));
            }
        }
    }
    for (file, deps) in &graph {
        for view in deps.iter().filter(|d| MODEL_VIEWS.contains(&d.as_str())) {
            if !MODEL_VIEWS.contains(&file.as_str()) {
                wrong.push(format!("model/{file} imports the view model/{view}"));
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The rule above holds for something: the model has several actors,
/// each with handlers of its own.
#[test]
fn the_model_has_rooms() {
    let graph = model_imports();
    let rooms: std::collections::BTreeSet<&str> = graph
        .keys()
        .filter(|f| !MODEL_LEAVES.contains(&f.as_str()) && !MODEL_VIEWS.contains(&f.as_str()))
        .map(|f| room(f))
        .collect();
    let expected = [
        "autoscaling",
        "client",
        "compute",
        "control",
        "dns",
        "faults",
        "global",
        "proxy",
        "storage",
    ];
    assert_eq!(rooms.into_iter().collect::<Vec<_>>(), expected);
}
