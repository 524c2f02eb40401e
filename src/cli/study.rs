//! The study commands: `sweep`, `durability`, `merge` and `validation`.

use std::fmt::Write as _;
use std::fs;
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use indicatif::{ProgressBar, ProgressStyle};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::memory::headroom;
use super::results_dir::{self, OutRoot};
use super::{bad_input, bad_output, print_bytes, write_atomically, ExitStatus};
use crate::error::InputError;
use crate::metrics::units::count;
use crate::metrics::units::NOT_REACHED;
use crate::report::charts::StudyData;
use crate::study::durability::{self, BlockResult, DurabilityResult, Study};
use crate::study::grid::{Grid, Seeds, Setting};
use crate::study::shard::{check_complete, Partial, Shard};
use crate::study::stats::Estimate;
use crate::study::sweep::{self, Row, Sweep, SweepResult, SweepSummary};
use crate::study::validation::Suite;

/// How a study runs: threads and shard.
#[derive(Debug, Clone, Copy)]
pub struct Execution {
    /// Threads (`None`: one per core).
    pub jobs: Option<usize>,
    /// Which slice.
    pub shard: Shard,
    /// How the finished study is told on standard output.
    pub told: Told,
}

/// How a finished study is told: the text summary, or the JSON its
/// results directory holds, on standard output.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Told {
    /// The text summary.
    Text,
    /// The JSON written to the results directory.
    Json,
}

/// A shard's file: a sweep's rows or a durability study's blocks.
#[derive(Debug, Serialize, Deserialize)]
#[serde(untagged)]
enum AnyPartial {
    Sweep(Partial<SweepResult>),
    Durability(Partial<DurabilityPartial>),
}

/// A durability shard: the plan (for checking) and its blocks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct DurabilityPartial {
    plan: durability::Plan,
    blocks: Vec<BlockResult>,
}

/// A shard's partial result, as text.
fn read_partial_file(path: &Path) -> Result<String, InputError> {
    fs::read_to_string(path).map_err(|source| InputError::Io {
        path: path.to_owned(),
        source,
    })
}

/// Work spread over a thread pool with a progress display: a bar on a
/// terminal, a plain line at each tenth otherwise.
fn par_map<T: Send>(
    what: &str,
    indices: &[usize],
    jobs: Option<usize>,
    unit: &str,
    f: impl Fn(usize) -> T + Sync,
) -> Result<Vec<T>, String> {
    let total = indices.len();
    let bar = std::io::stderr().is_terminal().then(|| {
        let bar = ProgressBar::new(total as u64);
        bar.set_style(
            ProgressStyle::with_template(&format!(
                "{what}: {{bar:40}} {{pos}}/{{len}} {unit} ({{per_sec}}, {{eta}} left)"
            ))
            .expect("the template is valid"),
        );
        bar
    });
    let done = AtomicUsize::new(0);
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.unwrap_or(0))
        .build()
    {
        Ok(p) => p,
        Err(e) => return Err(format!("cannot start {} threads: {e}", jobs.unwrap_or(0))),
    };
    let out = pool.install(|| {
        indices
            .par_iter()
            .map(|&i| {
                let r = f(i);
                let d = done.fetch_add(1, Ordering::Relaxed) + 1;
                match &bar {
                    Some(b) => b.inc(1),
                    None if d * 10 / total.max(1) > (d - 1) * 10 / total.max(1) => {
                        say!("{what}: {d}/{total} {unit}");
                    }
                    None => {}
                }
                r
            })
            .collect()
    });
    if let Some(b) = bar {
        b.finish_and_clear();
    }
    Ok(out)
}

/// `aurora-sim sweep`.
pub fn sweep(
    scenario: &Path,
    set: Vec<Setting>,
    seeds: Option<Seeds>,
    common_prefix: Option<u64>,
    max_events: u64,
    exec: Execution,
    out: &Path,
) -> ExitStatus {
    let plan = crate::scenario::read_text(scenario).and_then(|text| {
        let doc_err = |e: String| InputError::Scenario {
            location: crate::error::Location {
                file: scenario.to_owned(),
                line: 0,
                column: 0,
            },
            message: e,
        };
        let grid = Grid::new(set).map_err(doc_err)?;
        let sweep = Sweep::new(scenario, &text, grid, seeds, max_events)?;
        match common_prefix {
            Some(seed) => sweep.common_prefix(seed),
            None => Ok(sweep),
        }
    });
    let sweep = match plan {
        Ok(s) => s,
        Err(e) => return bad_input(&e),
    };
    let threads = exec.jobs.unwrap_or_else(rayon::current_num_threads).max(1);
    if let Some(room) = headroom().map(|room| room.share(threads)) {
        // A thread continuing copies of a shared prefix holds the prefix
        // beside the copy.
        let held = sweep.footprint()
            * if sweep.plan.common_prefix.is_some() {
                2
            } else {
                1
            };
        if held > room.bytes {
            say!(
                "error: each of {threads} runs at once may hold about {} MiB; its share of {} is {} MiB: lower -j",
                held >> 20,
                room.what,
                room.bytes >> 20
            );
            return ExitStatus::BadInput;
        }
    }
    let name = format!("{}-sweep", sweep.plan.scenario);
    let run_all = |jobs| {
        let indices = sweep.shard(exec.shard);
        par_map(&name, &indices, jobs, "runs", |i| sweep.run(i)).map(|rows| SweepResult {
            plan: sweep.plan.clone(),
            rows,
        })
    };
    if !exec.shard.is_all() {
        // Shards write one file each, side by side in OUT, without its
        // lock: many may share it.
        if let Err(e) = partial_dir(out) {
            return bad_output(&e);
        }
        let result = match run_all(exec.jobs) {
            Ok(r) => r,
            Err(e) => return bad_output(&e),
        };
        let failures = result.failures();
        let partial = Partial {
            format: sweep::FORMAT,
            study: "sweep".to_owned(),
            shard: exec.shard,
            result,
        };
        let written = write_partial(out, &name, exec.shard, &partial);
        if written != ExitStatus::Passed || failures.is_empty() {
            return written;
        }
        // A shard's failed runs fail it, as they fail the whole sweep.
        for f in &failures {
            println!("  FAIL      {f}");
        }
        say!(
            "{name}: shard {}: {} of {} runs failed an expectation or invariant",
            exec.shard,
            failures.len(),
            partial.result.rows.len()
        );
        return ExitStatus::ExpectationFailed;
    }
    let root = match OutRoot::open(out) {
        Ok(r) => r,
        Err(e) => return bad_output(&e),
    };
    if let Err(e) = root.check_replaceable(&name) {
        return bad_output(&e);
    }
    results_dir::clean_up_on_interrupt();
    match run_all(exec.jobs) {
        Ok(r) => publish_sweep(&root, &name, &r, exec.told),
        Err(e) => bad_output(&e),
    }
}

/// Creates `OUT` for partial results if needed.
fn partial_dir(out: &Path) -> Result<(), String> {
    if out.exists() && !out.is_dir() {
        return Err(format!(
            "--out {} is a file; it must name a directory",
            crate::error::shown(out)
        ));
    }
    fs::create_dir_all(out)
        .map_err(|e| format!("cannot create --out {}: {e}", crate::error::shown(out)))
}

/// Writes a shard's partial result as one file in `OUT`, in one step.
fn write_partial<T: Serialize>(out: &Path, name: &str, shard: Shard, p: &T) -> ExitStatus {
    let path = out.join(shard.file_name(name));
    if let Ok(meta) = fs::symlink_metadata(&path) {
        let ours = meta.is_file()
            && fs::read_to_string(&path)
                .ok()
                .and_then(|t| serde_json::from_str::<AnyPartial>(&t).ok())
                .is_some();
        if !ours {
            return bad_output(&format!(
                "{} exists and is not a partial result aurora-sim wrote; move it or choose another --out",
                crate::error::shown(&path)
            ));
        }
    }
    let mut text = serde_json::to_string(p).expect("a partial serializes");
    text.push('\n');
    if let Err(e) = write_atomically(&path, text.as_bytes()) {
        return bad_output(&format!("cannot write {}: {e}", crate::error::shown(&path)));
    }
    println!(
        "wrote {} (shard {shard}); merge all {} with `aurora-sim merge`",
        crate::error::shown(&path),
        shard.n
    );
    ExitStatus::Passed
}

/// Writes a whole sweep's directory and prints its summary.
fn publish_sweep(root: &OutRoot, name: &str, result: &SweepResult, told: Told) -> ExitStatus {
    let summary = result.summary();
    let json = sweep::summary_json(&summary);
    let staged = match root.stage(name) {
        Ok(s) => s,
        Err(e) => return bad_output(&format!("cannot write results: {e}")),
    };
    let written = fs::write(staged.path().join("sweep.csv"), result.csv())
        .and_then(|()| fs::write(staged.path().join("sweep.json"), &json))
        .and_then(|()| StudyData::Sweep(&summary).write_all(staged.path()));
    let names = match written.and_then(|names| staged.publish().map(|()| names)) {
        Ok(n) => n,
        Err(e) => return bad_output(&format!("cannot write results: {e}")),
    };
    let failures = result.failures();
    if told == Told::Json {
        let printed = print_bytes(json.as_bytes());
        if printed != ExitStatus::Passed {
            return printed;
        }
    } else {
        print!("{}", sweep_text(&summary));
        for f in failures.iter().take(5) {
            println!("  FAIL      {f}");
        }
        if failures.len() > 5 {
            println!(
                "  FAIL      … and {} more runs (sweep.csv has them all)",
                failures.len() - 5
            );
        }
        println!(
            "  wrote     {}: sweep.csv, sweep.json, {}",
            crate::error::shown(&root.target(name)),
            names.join(", ")
        );
    }
    if failures.is_empty() {
        ExitStatus::Passed
    } else {
        say!(
            "{}: {} of {} runs failed an expectation or invariant",
            summary.scenario,
            failures.len(),
            summary.runs
        );
        ExitStatus::ExpectationFailed
    }
}

/// A quantity with its interval: `12.3 s [11.9, 12.8]`; ends that are
/// not bounded print as `?`, values not reached within the run as
/// [`NOT_REACHED`].
fn with_interval(e: &Estimate, unit: &str) -> String {
    let end = |x: Option<f64>, unbounded: bool| match x {
        Some(x) => format!("{x:.2}"),
        None if unbounded => "?".to_owned(),
        None => NOT_REACHED.to_owned(),
    };
    let value = e
        .value
        .map_or_else(|| NOT_REACHED.to_owned(), |x| format!("{x:.2}{unit}"));
    format!(
        "{value} [{}, {}]",
        end(e.low, e.low_unbounded),
        end(e.high, e.high_unbounded)
    )
}

/// The printed summary of a sweep: verdicts first, then each cell.
pub fn sweep_text(s: &SweepSummary) -> String {
    let mut w = String::new();
    let _ = writeln!(
        w,
        "{} sweep: {} runs ({} cell(s) × {} seed(s)); intervals are {:.0} %",
        s.scenario,
        s.runs,
        s.cells.len(),
        s.seeds.len(),
        s.confidence * 100.0
    );
    if s.invariant_failures == 0 {
        let _ = writeln!(w, "  ok        every invariant held in every run");
    } else {
        let _ = writeln!(
            w,
            "  FAIL      invariants violated in {}",
            count(s.invariant_failures, "run", "runs")
        );
    }
    if let Some(note) = s.prefix_note() {
        let _ = writeln!(w, "  note      {note}");
    }
    for c in &s.cells {
        let label = if c.settings.is_empty() {
            "as written".to_owned()
        } else {
            c.settings.join(" ")
        };
        let _ = writeln!(
            w,
            "  cell      {label}: {} runs, {} failed, {} with a failover{}",
            c.runs,
            c.failed_runs,
            c.runs_with_failover,
            if c.stopped_early > 0 {
                format!(
                    ", {} stopped at the event budget (left out)",
                    c.stopped_early
                )
            } else {
                String::new()
            }
        );
        for m in &c.measures {
            if ![
                "rto_s",
                "client_rto_max_s",
                "longest_write_outage_s",
                "lost_commits",
            ]
            .contains(&m.measure.as_str())
            {
                continue;
            }
            let d = &m.distribution;
            let unit = sweep::MEASURES
                .iter()
                .find(|x| x.name == m.measure)
                .map_or("", |x| x.unit);
            let never = if d.never > 0 {
                format!(", {} {NOT_REACHED}", d.never)
            } else {
                String::new()
            };
            let _ = writeln!(
                w,
                "    {:<24} median {}  p90 {}  p99 {}  max {}{never}",
                m.measure,
                with_interval(&d.median, unit),
                with_interval(&d.p90, unit),
                with_interval(&d.p99, unit),
                d.max
                    .map_or_else(|| NOT_REACHED.to_owned(), |x| format!("{x:.2}{unit}")),
            );
        }
    }
    w
}

/// `aurora-sim durability`.
pub fn durability(file: &Path, set: Vec<Setting>, exec: Execution, out: &Path) -> ExitStatus {
    let study = match crate::scenario::read_text(file).and_then(|text| Study::new(file, &text, set))
    {
        Ok(s) => s,
        Err(e) => return bad_input(&e),
    };
    let name = study.plan.name.clone();
    let run_all = || {
        let indices: Vec<usize> = exec.shard.slice(study.blocks()).collect();
        par_map(&name, &indices, exec.jobs, "blocks", |i| study.block(i))
    };
    if !exec.shard.is_all() {
        if let Err(e) = partial_dir(out) {
            return bad_output(&e);
        }
        let blocks = match run_all() {
            Ok(b) => b,
            Err(e) => return bad_output(&e),
        };
        let partial = Partial {
            format: durability::FORMAT,
            study: "durability".to_owned(),
            shard: exec.shard,
            result: DurabilityPartial {
                plan: study.plan.clone(),
                blocks,
            },
        };
        return write_partial(out, &name, exec.shard, &partial);
    }
    let root = match OutRoot::open(out) {
        Ok(r) => r,
        Err(e) => return bad_output(&e),
    };
    if let Err(e) = root.check_replaceable(&name) {
        return bad_output(&e);
    }
    results_dir::clean_up_on_interrupt();
    match run_all() {
        Ok(blocks) => publish_durability(&root, &study.result(&blocks), exec.told),
        Err(e) => bad_output(&e),
    }
}

fn publish_durability(root: &OutRoot, r: &DurabilityResult, told: Told) -> ExitStatus {
    let name = &r.plan.name;
    let json = durability::result_json(r);
    let staged = match root.stage(name) {
        Ok(s) => s,
        Err(e) => return bad_output(&format!("cannot write results: {e}")),
    };
    let written = fs::write(staged.path().join("durability.json"), &json)
        .and_then(|()| StudyData::Durability(r).write_all(staged.path()));
    let names = match written.and_then(|n| staged.publish().map(|()| n)) {
        Ok(n) => n,
        Err(e) => return bad_output(&format!("cannot write results: {e}")),
    };
    if told == Told::Json {
        return print_bytes(json.as_bytes());
    }
    print!("{}", durability_text(r));
    println!(
        "  wrote     {}: durability.json, {}",
        crate::error::shown(&root.target(name)),
        names.join(", ")
    );
    ExitStatus::Passed
}

/// The printed summary of a durability study.
pub fn durability_text(r: &DurabilityResult) -> String {
    let mut w = String::new();
    let _ = writeln!(
        w,
        "{}: {} volume-years per cell; intervals are {:.0} %",
        r.plan.name,
        r.plan.volume_years,
        r.confidence * 100.0
    );
    for c in &r.cells {
        let label = if c.settings.is_empty() {
            "as written".to_owned()
        } else {
            c.settings.join(" ")
        };
        let (v, wq, rq) = c.quorum;
        let _ = writeln!(
            w,
            "  cell      {label}: {wq}/{v} writes, {rq}/{v} reads, {} PGs per volume, a copy takes {:.1} s, {} PG-years{}",
            c.pgs,
            c.copy_s,
            c.pg_years,
            if c.importance_sampling { ", data loss by importance sampling" } else { "" }
        );
        for (unit, figures) in [
            ("per PG-year", &c.per_pg_year),
            ("per volume-year", &c.per_volume_year),
        ] {
            for f in figures {
                let _ = writeln!(w, "    {unit:<16} {:<40} {}", f.measure, f.text());
            }
        }
    }
    w
}

/// The plan shared by a complete set of shards: every shard of one
/// split once, all of one `what` (sweep or study).
fn one_plan<T, P: PartialEq + Clone>(
    parts: &[(&PathBuf, Partial<T>)],
    plan: impl Fn(&T) -> &P,
    what: &str,
) -> Result<P, String> {
    let shards: Vec<Shard> = parts.iter().map(|(_, s)| s.shard).collect();
    check_complete(&shards)?;
    let (first, head) = &parts[0];
    let shared = plan(&head.result);
    match parts.iter().find(|(_, s)| plan(&s.result) != shared) {
        Some((p, _)) => Err(format!(
            "{} is a shard of another {what} than {}",
            crate::error::shown(p),
            crate::error::shown(first)
        )),
        None => Ok(shared.clone()),
    }
}

/// A partial file's contents. Its `shard` header is read on its own
/// first, so that a shard out of range is named (`Err`) rather than lost
/// in "not a partial result" (`Ok(None)`).
fn read_partial(text: &str) -> Result<Option<AnyPartial>, serde_json::Error> {
    let Ok(value) = serde_json::from_str::<serde_json::Value>(text) else {
        return Ok(None);
    };
    if let Some(shard) = value.get("shard") {
        Shard::deserialize(shard)?;
    }
    Ok(AnyPartial::deserialize(&value).ok())
}

/// `aurora-sim merge`.
pub fn merge(partials: &[PathBuf], out: &Path) -> ExitStatus {
    let mut sweeps = Vec::new();
    let mut studies = Vec::new();
    for p in partials {
        let text = match read_partial_file(p) {
            Ok(t) => t,
            Err(e) => return bad_input(&e),
        };
        let partial = match read_partial(&text) {
            Ok(partial) => partial,
            Err(e) => {
                say!("error: {}: shard: {e}", crate::error::shown(p));
                return ExitStatus::BadInput;
            }
        };
        match partial {
            Some(AnyPartial::Sweep(s)) if s.study == "sweep" && s.format == sweep::FORMAT => {
                sweeps.push((p, s))
            }
            Some(AnyPartial::Durability(d))
                if d.study == "durability" && d.format == durability::FORMAT =>
            {
                studies.push((p, d))
            }
            _ => {
                say!(
                    "error: {}: not a partial result of this version of aurora-sim",
                    crate::error::shown(p)
                );
                return ExitStatus::BadInput;
            }
        }
    }
    if !sweeps.is_empty() && !studies.is_empty() {
        say!("error: the partials mix a sweep and a durability study");
        return ExitStatus::BadInput;
    }
    // Everything is checked before OUT is touched.
    let open = || OutRoot::open(out);
    if !sweeps.is_empty() {
        let plan = match one_plan(&sweeps, |r| &r.plan, "sweep") {
            Ok(p) => p,
            Err(e) => {
                say!("error: {e}");
                return ExitStatus::BadInput;
            }
        };
        // The plan is validated again, as the sweep was, and every row
        // must be its shard's own run.
        let sweep = match Sweep::of_plan(&plan) {
            Ok(s) if s.plan == plan => s,
            Ok(_) => {
                say!("error: the partials' sweep does not validate again as it was run");
                return ExitStatus::BadInput;
            }
            Err(e) => {
                say!("error: the partials' sweep does not validate again: {e}");
                return ExitStatus::BadInput;
            }
        };
        for (p, s) in &sweeps {
            if let Err(e) = sweep.check_rows(&s.result.rows, s.shard) {
                say!("error: {}: {e}", crate::error::shown(p));
                return ExitStatus::BadInput;
            }
        }
        let mut rows: Vec<Row> = sweeps
            .into_iter()
            .flat_map(|(_, s)| s.result.rows)
            .collect();
        rows.sort_by_key(|r| r.index);
        let root = match open() {
            Ok(r) => r,
            Err(e) => return bad_output(&e),
        };
        let name = format!("{}-sweep", plan.scenario);
        if let Err(e) = root.check_replaceable(&name) {
            return bad_output(&e);
        }
        return publish_sweep(&root, &name, &SweepResult { plan, rows }, Told::Text);
    }
    let plan = match one_plan(&studies, |r| &r.plan, "study") {
        Ok(p) => p,
        Err(e) => {
            say!("error: {e}");
            return ExitStatus::BadInput;
        }
    };
    // The plan carries the study's text and grid: validate them again to
    // rebuild the cells.
    let file = PathBuf::from(&plan.file);
    let study = match Study::with_grid(&file, &plan.text, plan.grid.clone()) {
        Ok(s) if s.plan == plan => s,
        Ok(_) | Err(_) => {
            say!("error: the partials' study does not validate again as it was run");
            return ExitStatus::BadInput;
        }
    };
    for (p, s) in &studies {
        let expected: Vec<usize> = s.shard.slice(study.blocks()).collect();
        let held: Vec<usize> = s.result.blocks.iter().map(|b| b.index).collect();
        if held != expected {
            say!(
                "error: {}: shard {} holds other blocks than the study gives it",
                crate::error::shown(p),
                s.shard
            );
            return ExitStatus::BadInput;
        }
        if let Some(e) = s
            .result
            .blocks
            .iter()
            .find_map(|b| study.check_block(b).err())
        {
            say!("error: {}: {e}", crate::error::shown(p));
            return ExitStatus::BadInput;
        }
    }
    let mut blocks: Vec<BlockResult> = studies
        .into_iter()
        .flat_map(|(_, s)| s.result.blocks)
        .collect();
    blocks.sort_by_key(|b| b.index);
    let name = study.plan.name.clone();
    let root = match open() {
        Ok(r) => r,
        Err(e) => return bad_output(&e),
    };
    if let Err(e) = root.check_replaceable(&name) {
        return bad_output(&e);
    }
    publish_durability(&root, &study.result(&blocks), Told::Text)
}

/// `aurora-sim validation`: the suite in `dir` run, judged and written to
/// `OUT/validation/`. Exit code 1 when a fitted figure is no longer met:
/// a default whose fit has come undone. A checked figure the model
/// misses is a finding, shown in the table with its reason, not a failure
/// of the run.
pub fn validation(dir: &Path, quick: bool, jobs: Option<usize>, out: &Path) -> ExitStatus {
    let suite = match Suite::load(dir, quick) {
        Ok(s) => s,
        Err(e) => return bad_input(&e),
    };
    let root = match OutRoot::open(out) {
        Ok(r) => r,
        Err(e) => return bad_output(&e),
    };
    let name = "validation";
    if let Err(e) = root.check_replaceable(name) {
        return bad_output(&e);
    }
    results_dir::clean_up_on_interrupt();
    let indices: Vec<usize> = (0..suite.runs()).collect();
    let values = match par_map(name, &indices, jobs, "runs", |i| suite.run(i)) {
        Ok(v) => v,
        Err(e) => return bad_output(&e),
    };
    let result = match suite.judge(&values) {
        Ok(r) => r,
        Err(e) => {
            say!("error: {e}");
            return ExitStatus::BadInput;
        }
    };
    let staged = match root.stage(name) {
        Ok(s) => s,
        Err(e) => return bad_output(&format!("cannot write results: {e}")),
    };
    let written = fs::write(staged.path().join("validation.json"), result.json())
        .and_then(|()| fs::write(staged.path().join("validation.md"), result.markdown()))
        .and_then(|()| StudyData::Validation(&result).write_all(staged.path()));
    let names = match written.and_then(|names| staged.publish().map(|()| names)) {
        Ok(n) => n,
        Err(e) => return bad_output(&format!("cannot write results: {e}")),
    };
    for j in &result.items {
        println!(
            "  {:<6} {:<5} {}: published {}; simulated {} {}",
            j.verdict.label(),
            j.used.label(),
            j.figure,
            j.published,
            j.statistic(),
            j.simulated()
        );
    }
    println!(
        "  wrote     {}: validation.json, validation.md, {}",
        crate::error::shown(&root.target(name)),
        names.join(", ")
    );
    let broken = result.broken_fits();
    if broken.is_empty() {
        ExitStatus::Passed
    } else {
        for j in broken {
            say!(
                "{}: a fitted figure is missed ({}): the default it set no longer gives it",
                j.file,
                j.figure
            );
        }
        ExitStatus::ExpectationFailed
    }
}
