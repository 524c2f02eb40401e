//! One integration-test binary; modules are named for the behaviour they
//! pin down.

mod capacity;
mod cli;
mod compute;
mod connections;
mod determinism;
mod docs;
mod durability;
mod failover;
mod fuzz;
mod global;
mod invariants;
mod layers;
mod maintenance;
mod reference;
mod regression;
mod repair;
mod report;
mod scenario_errors;
mod scenarios;
mod studies;
mod tidy;
mod trust;
mod validation;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Mutex, OnceLock};

use aurora_sim::{Outcome, Scenario, ScenarioBuilder, Simulation};

/// Runs count what they hold, as in the `aurora-sim` binary, so that
/// tests can hold a run to its memory ceiling.
#[global_allocator]
static ALLOC: aurora_sim::sim::memory::CountingAllocator =
    aurora_sim::sim::memory::CountingAllocator;

/// Path of a file in the repository.
pub fn repo(path: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Loads a shipped scenario.
pub fn shipped(name: &str) -> Scenario {
    Scenario::load(&repo(&format!("scenarios/{name}.yaml"))).expect("shipped scenario is valid")
}

/// A shipped scenario with fields changed, each `(path, YAML value)`.
pub fn shipped_with(name: &str, sets: &[(&str, &str)]) -> Scenario {
    let path = repo(&format!("scenarios/{name}.yaml"));
    sets.iter()
        .fold(
            ScenarioBuilder::load(&path).expect("shipped scenario reads"),
            |b, (p, v)| b.set(p, v),
        )
        .build()
        .unwrap_or_else(|e| panic!("{e}"))
}

/// Runs a scenario to completion.
pub fn run(sc: &Scenario) -> Outcome {
    Simulation::new(sc).run().expect("no trace sink to fail")
}

/// The outcome of a shipped scenario run as written, simulated once
/// however many tests read it: a run is deterministic, so each test sees
/// what a run of its own would give.
pub fn shipped_outcome(name: &'static str) -> &'static Outcome {
    static RUNS: Mutex<BTreeMap<&str, &OnceLock<Outcome>>> = Mutex::new(BTreeMap::new());
    let run_of = *RUNS
        .lock()
        .expect("never held across a run")
        .entry(name)
        .or_insert_with(|| Box::leak(Box::default()));
    run_of.get_or_init(|| run(&shipped(name)))
}

/// Parses scenario text, panicking with the error if it is invalid.
pub fn parse(yaml: &str) -> Scenario {
    Scenario::parse(yaml, Path::new("test.yaml")).unwrap_or_else(|e| panic!("{e}"))
}

/// Runs the `aurora-sim` binary in `cwd`.
pub fn aurora(args: &[&str], cwd: &Path) -> Output {
    Command::new(env!("CARGO_BIN_EXE_aurora-sim"))
        .args(args)
        .current_dir(cwd)
        .output()
        .expect("binary runs")
}

/// Runs the `aurora-sim` binary in `cwd` with `input` on its standard
/// input.
pub fn aurora_fed(args: &[&str], cwd: &Path, input: &[u8]) -> Output {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_aurora-sim"))
        .args(args)
        .current_dir(cwd)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("binary runs");
    // A command that refuses its arguments never reads its input: the
    // pipe may close before it is written.
    let _ = child.stdin.take().expect("stdin").write_all(input);
    child.wait_with_output().expect("waits")
}

/// Everything a run of the binary printed, stdout then stderr.
pub fn text(o: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    )
}

/// Writes `yaml` as a scenario file in a fresh directory and runs
/// `aurora-sim run <file> --out out <extra…>` there; the directory lives
/// as long as the returned handle.
pub fn run_file(yaml: &str, extra: &[&str]) -> (tempfile::TempDir, Output) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("scenario.yaml");
    std::fs::write(&path, yaml).expect("write scenario");
    let mut args = vec!["run", path.to_str().expect("utf-8"), "--out", "out"];
    args.extend_from_slice(extra);
    let o = aurora(&args, dir.path());
    (dir, o)
}
