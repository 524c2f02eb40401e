//! The command line: clap's parse is the low-level form; `execute` turns it
//! into validated scenarios and runs them. One function, [`ExitStatus::code`],
//! owns the exit codes.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use rayon::prelude::*;

use crate::error::InputError;
use crate::metrics::{units, ClientObserved};
use crate::report::{self, Results};
use crate::scenario::document::Document;
use crate::study::grid::{Cell, Seeds, Setting};
use crate::study::shard::Shard;
use crate::{Scenario, Simulation};

mod progress;
mod results_dir;
mod study;

use progress::Progress;
use results_dir::OutRoot;

/// The scenario `run` uses when given none.
const DEFAULT_SCENARIO: (&str, &str) = (
    "scenarios/az-outage.yaml",
    include_str!("../../scenarios/az-outage.yaml"),
);

/// Deterministic simulator of Amazon Aurora storage under failure.
#[derive(Debug, Parser)]
#[command(name = "aurora-sim", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run scenarios, print a summary of each, write summary.json and
    /// timeline.csv (and charts) to OUT/<scenario name>/.
    Run {
        /// Scenario files, run in parallel; `-` reads one from standard
        /// input; the shipped `scenarios/az-outage.yaml` when none is
        /// given.
        scenarios: Vec<PathBuf>,
        /// Root seed, overriding the scenarios'.
        #[arg(long)]
        seed: Option<u64>,
        /// Parent of the output directories; each run replaces its own
        /// OUT/<scenario name>/ whole.
        #[arg(long, default_value = "out")]
        out: PathBuf,
        /// Also write every event to events.jsonl (large; docs/trace.md
        /// lists the events and their fields).
        #[arg(long)]
        trace: bool,
        /// Write only these kinds of event to the trace (`commit_ack,failover`).
        #[arg(long, value_delimiter = ',', requires = "trace", value_parser = trace_kind)]
        trace_kinds: Vec<crate::model::Kind>,
        /// Write only events from this simulated time on (`60s`).
        #[arg(long, requires = "trace", value_parser = sim_duration)]
        trace_from: Option<crate::sim::SimDuration>,
        /// Write only events up to this simulated time (`90s`).
        #[arg(long, requires = "trace", value_parser = sim_duration)]
        trace_to: Option<crate::sim::SimDuration>,
        /// Also draw the charts, as PNG and SVG.
        #[arg(long)]
        charts: bool,
        /// Stop a run after this many events and report it as stopped
        /// early (the one-hour `baseline` takes about 240 million).
        #[arg(long, default_value_t = crate::model::DEFAULT_MAX_EVENTS)]
        max_events: u64,
        /// Change a field before validation, by its dotted YAML path
        /// (`dns.ttl=30s`, `faults.0.writer_crash.at=90s`); repeatable.
        #[arg(long = "set", value_name = "PATH=VALUE")]
        set: Vec<Setting>,
        /// Print each run's summary.json on stdout, one JSON document per
        /// line, instead of the text summary.
        #[arg(long)]
        json: bool,
        /// Print nothing but errors and failed expectations.
        #[arg(short, long)]
        quiet: bool,
        /// Scenarios run at once (default: one per core).
        #[arg(short = 'j', long, value_parser = clap::value_parser!(u16).range(1..=1024))]
        jobs: Option<u16>,
    },
    /// Run one scenario over a grid of settings and seeds, on every core:
    /// OUT/<scenario>-sweep/ gets sweep.csv (a row per run), sweep.json
    /// (per-cell quantiles with 95 % intervals) and charts.
    Sweep {
        /// The scenario file.
        scenario: PathBuf,
        /// A field and the values it takes (`dns.ttl=1s,5s,30s`), by its
        /// dotted YAML path; repeat for a grid.
        #[arg(long = "set", value_name = "PATH=V1,V2,...")]
        set: Vec<Setting>,
        /// Seeds each cell runs with: `A..B` (both included), `1,5,9`, or
        /// one seed; the scenario's own seed when not given.
        #[arg(long)]
        seeds: Option<Seeds>,
        #[command(flatten)]
        how: StudyArgs,
        /// The event budget of each run.
        #[arg(long, default_value_t = crate::model::DEFAULT_MAX_EVENTS)]
        max_events: u64,
    },
    /// Monte Carlo of storage failures and repairs alone: the chance per
    /// PG-year and per volume-year of losing write availability, read
    /// availability and data, with 95 % intervals, into OUT/<study name>/.
    Durability {
        /// The study file (see studies/).
        study: PathBuf,
        /// A field and the values it takes, added to the file's `vary`.
        #[arg(long = "set", value_name = "PATH=V1,V2,...")]
        set: Vec<Setting>,
        #[command(flatten)]
        how: StudyArgs,
    },
    /// Combine the partial results of every shard of one sweep or study
    /// into exactly what the unsharded run writes.
    Merge {
        /// The partial files (`*.part-K-of-N.json`), one per shard.
        #[arg(required = true)]
        partials: Vec<PathBuf>,
        /// Parent of the results directory.
        #[arg(long, default_value = "out")]
        out: PathBuf,
    },
    /// Build one self-contained HTML page from results directories; with
    /// several, the runs are compared side by side.
    Report {
        /// Results directories (each with summary.json and timeline.csv).
        #[arg(required = true)]
        dirs: Vec<PathBuf>,
        /// The page to write.
        #[arg(long, default_value = "report.html")]
        out: PathBuf,
    },
    /// Check scenario files without running them.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
    /// Print a shell completion script (`aurora-sim completions bash >
    /// /etc/bash_completion.d/aurora-sim`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the JSON Schema of the scenario format, for editors
    /// (`# yaml-language-server: $schema=…` at the top of a scenario) and
    /// validators.
    Schema,
    /// Describe the scenario format: with no topic, its sections and fault
    /// kinds; with one (`dns`, `dns.ttl`, `ttl`, `az_outage`), each setting
    /// under it with its range, default and the default's source.
    Explain {
        /// A section, setting or fault kind.
        topic: Option<String>,
    },
    /// Print the man page, as roff (`aurora-sim man | man -l -`), or a
    /// command's page with its flags (`aurora-sim man run`).
    Man {
        /// The command (`run`, `sweep`, …); the tool's own page when absent.
        command: Option<String>,
    },
}

/// How a study runs and where it writes: the same for `sweep` and
/// `durability`.
#[derive(Debug, clap::Args)]
struct StudyArgs {
    /// Threads (default: one per core).
    #[arg(short = 'j', long, value_parser = clap::value_parser!(u16).range(1..=1024))]
    jobs: Option<u16>,
    /// Run only slice K of N and write it as a partial result for `merge`
    /// (`--shard 3/8`).
    #[arg(long, value_name = "K/N")]
    shard: Option<Shard>,
    /// Parent of the results directory.
    #[arg(long, default_value = "out")]
    out: PathBuf,
}

impl StudyArgs {
    fn execution(&self) -> study::Execution {
        study::Execution {
            jobs: self.jobs.map(usize::from),
            shard: self.shard.unwrap_or(Shard::ALL),
        }
    }
}

/// How a command ended; with several runs, the worst of them counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ExitStatus {
    /// Everything ran and every expectation held.
    Passed,
    /// A run finished but an expectation failed.
    ExpectationFailed,
    /// The input could not be used; nothing was written.
    BadInput,
}

impl ExitStatus {
    /// The process exit code: 0, 1 or 2.
    pub fn code(self) -> ExitCode {
        match self {
            ExitStatus::Passed => ExitCode::SUCCESS,
            ExitStatus::ExpectationFailed => ExitCode::from(1),
            ExitStatus::BadInput => ExitCode::from(2),
        }
    }
}

/// Runs a parsed command line, printing to stdout and stderr.
pub fn execute(cli: Cli) -> ExitStatus {
    match cli.command {
        Command::Run {
            scenarios,
            seed,
            out,
            trace,
            trace_kinds,
            trace_from,
            trace_to,
            charts,
            max_events,
            set,
            json,
            quiet,
            jobs,
        } => {
            if scenarios.iter().filter(|p| p.as_os_str() == "-").count() > 1 {
                eprintln!("error: standard input (-) can be read only once");
                return ExitStatus::BadInput;
            }
            let loaded: Vec<Result<Scenario, InputError>> = if scenarios.is_empty() {
                vec![with_settings(
                    DEFAULT_SCENARIO.1,
                    Path::new(DEFAULT_SCENARIO.0),
                    &set,
                )]
            } else {
                scenarios
                    .iter()
                    .map(|p| read_scenario(p).and_then(|(text, p)| with_settings(&text, &p, &set)))
                    .collect()
            };
            // Every file is checked before anything runs or is written.
            let mut scs = Vec::new();
            let mut outcome = ExitStatus::Passed;
            for sc in loaded {
                match sc {
                    Ok(sc) => scs.push(sc),
                    Err(e) => outcome = bad_input(&e),
                }
            }
            if let Some(twice) = scs
                .iter()
                .enumerate()
                .find(|(i, a)| scs[..*i].iter().any(|b| b.config.name == a.config.name))
            {
                eprintln!(
                    "error: two scenarios are named {:?}; they would write to the same directory",
                    twice.1.config.name
                );
                outcome = ExitStatus::BadInput;
            }
            if outcome != ExitStatus::Passed {
                return outcome;
            }
            if let Some(seed) = seed {
                scs = scs.into_iter().map(|sc| sc.with_seed(seed)).collect();
            }
            if let Some(free) = available_memory() {
                for sc in &scs {
                    if let Err(e) = sc.footprint.within(free, "what this machine has free") {
                        outcome = bad_input(&e);
                    }
                }
            }
            if outcome != ExitStatus::Passed {
                return outcome;
            }
            // Where results go is settled before anything runs.
            let root = match OutRoot::open(&out) {
                Ok(root) => root,
                Err(e) => return bad_output(&e),
            };
            for sc in &scs {
                if let Err(e) = root.check_replaceable(&sc.config.name) {
                    outcome = bad_output(&e);
                }
            }
            if outcome != ExitStatus::Passed {
                return outcome;
            }
            results_dir::clean_up_on_interrupt();
            let trace = trace.then(|| {
                let mut filter = crate::sim::TraceFilter::default();
                if !trace_kinds.is_empty() {
                    filter = filter.kinds(trace_kinds.iter().map(|&k| k as u8));
                }
                let at = |d: crate::sim::SimDuration| crate::sim::SimTime::ZERO + d;
                filter.window(
                    at(trace_from.unwrap_or_default()),
                    trace_to.map_or(crate::sim::SimTime::from_nanos(u64::MAX), at),
                )
            });
            if let Some(filter) = &trace {
                for sc in &scs {
                    eprintln!("{}", trace_estimate(sc, filter));
                }
            }
            let opts = RunOptions {
                trace,
                charts,
                max_events,
                json,
                quiet,
            };
            let pool = match rayon::ThreadPoolBuilder::new()
                .num_threads(jobs.map_or(0, usize::from))
                .build()
            {
                Ok(pool) => pool,
                Err(e) => return bad_output(&format!("cannot start threads: {e}")),
            };
            let progress = Progress::new(quiet || json);
            // Each result is printed, in the order the scenarios were
            // given, as soon as it and every one before it have ended.
            let released = std::sync::Mutex::new(InOrder::default());
            pool.install(|| {
                scs.par_iter().enumerate().for_each(|(i, sc)| {
                    let ended = run(sc, &root, &opts, &progress);
                    let mut released = released.lock().expect("no run panics holding it");
                    for (name, (outcome, stdout, stderr)) in released.push(i, (sc, ended)) {
                        // A summary that could not be printed is not a pass;
                        // a reader that stopped reading (`| head`) is no error.
                        let printed = match progress.print(&stdout) {
                            Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
                                bad_output(&format!(
                                    "{}: cannot write the summary to standard output: {e}",
                                    name.config.name
                                ))
                            }
                            _ => ExitStatus::Passed,
                        };
                        eprint!("{stderr}");
                        released.worst = released.worst.max(outcome).max(printed);
                    }
                });
            });
            released
                .into_inner()
                .expect("no run panics holding it")
                .worst
        }
        Command::Sweep {
            scenario,
            set,
            seeds,
            how,
            max_events,
        } => study::sweep(&scenario, set, seeds, max_events, how.execution(), &how.out),
        Command::Durability {
            study: file,
            set,
            how,
        } => study::durability(&file, set, how.execution(), &how.out),
        Command::Merge { partials, out } => study::merge(&partials, &out),
        Command::Report { dirs, out } => {
            let mut runs = Vec::new();
            let mut studies = Vec::new();
            for dir in &dirs {
                match report::Study::load(dir) {
                    Some(Ok(s)) => studies.push(s),
                    Some(Err(e)) => return bad_input(&e),
                    None => match Results::load(dir) {
                        Ok(r) => runs.push(r),
                        Err(e) => {
                            return match offer_runs(dir) {
                                Some(offer) => bad_output(&offer),
                                None => bad_input(&e),
                            }
                        }
                    },
                }
            }
            // A file already there is replaced only if it is a report.
            if let Ok(old) = fs::read(&out) {
                if !old.starts_with(b"<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>aurora-sim: ") {
                    eprintln!(
                        "error: {} exists and is not a report aurora-sim wrote; choose another --out",
                        out.display()
                    );
                    return ExitStatus::BadInput;
                }
            }
            let page = report::page_with_studies(&runs, &studies);
            let written = write_atomically(&out, page.as_bytes());
            if let Err(e) = written {
                eprintln!("error: cannot write {}: {e}", out.display());
                return ExitStatus::BadInput;
            }
            println!(
                "wrote {} ({} run(s), {} stud(ies))",
                out.display(),
                runs.len(),
                studies.len()
            );
            ExitStatus::Passed
        }
        Command::Completions { shell } => {
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "aurora-sim", &mut script);
            print_bytes(&script)
        }
        Command::Schema => {
            let schema = crate::scenario::reference::json_schema();
            let text = serde_json::to_string_pretty(&schema).expect("a JSON value serializes");
            print_bytes(format!("{text}\n").as_bytes())
        }
        Command::Explain { topic } => match crate::scenario::reference::explain(topic.as_deref()) {
            Ok(text) => print_bytes(text.as_bytes()),
            Err(e) => bad_output(&e),
        },
        Command::Man { command } => {
            let top = <Cli as clap::CommandFactory>::command();
            let cmd = match &command {
                None => top,
                Some(name) => match top.find_subcommand(name) {
                    Some(sub) => sub.clone().display_name(format!("aurora-sim-{name}")),
                    None => {
                        let names: Vec<&str> =
                            top.get_subcommands().map(|c| c.get_name()).collect();
                        return bad_output(&format!(
                            "no command is named {name:?}; the commands are {}",
                            names.join(", ")
                        ));
                    }
                },
            };
            let mut page = Vec::new();
            match clap_mangen::Man::new(cmd).render(&mut page) {
                Ok(()) => print_bytes(&page),
                Err(e) => bad_output(&format!("cannot render the man page: {e}")),
            }
        }
        Command::Validate { scenarios } => {
            let mut outcome = ExitStatus::Passed;
            for path in &scenarios {
                match Scenario::load(path) {
                    Ok(sc) => {
                        let line = format!(
                            "{}: ok ({}; may hold up to about {} MiB of memory)\n",
                            path.display(),
                            sc.config.name,
                            sc.footprint.bytes().div_ceil(1 << 20)
                        );
                        if print_bytes(line.as_bytes()) != ExitStatus::Passed {
                            return ExitStatus::BadInput;
                        }
                    }
                    Err(e) => outcome = bad_input(&e),
                }
            }
            outcome
        }
    }
}

/// A scenario with `run --set` values put in: each setting takes one
/// value, and without settings the text is validated as it is, so
/// errors keep their lines.
fn with_settings(text: &str, file: &Path, set: &[Setting]) -> Result<Scenario, InputError> {
    if set.is_empty() {
        return Scenario::parse(text, file);
    }
    Scenario::parse(text, file)?;
    let doc = Document::parse(text, file)?;
    let mut cell = Cell(Vec::new());
    for s in set {
        match s.values.as_slice() {
            [one] => cell.0.push((s.path.clone(), one.clone())),
            _ => {
                return Err(doc.error_in(
                    &s.to_string(),
                    "run takes one value per setting; `aurora-sim sweep` runs several".to_owned(),
                ))
            }
        }
    }
    crate::study::grid::Grid::new(set.to_vec()).map_err(|e| doc.error_in("the settings", e))?;
    crate::study::sweep::cell_scenario(&doc, &cell, file)
}

/// Runs that ended, held until every run given before them has ended, so
/// that parallel runs print in the order they were named.
struct InOrder<'a> {
    next: usize,
    waiting: std::collections::BTreeMap<usize, Ended<'a>>,
    /// The worst exit status among the runs released.
    worst: ExitStatus,
}

/// A scenario, and how its run ended with what it has to say on stdout
/// and stderr.
type Ended<'a> = (&'a Scenario, (ExitStatus, String, String));

impl Default for InOrder<'_> {
    fn default() -> Self {
        Self {
            next: 0,
            waiting: std::collections::BTreeMap::new(),
            worst: ExitStatus::Passed,
        }
    }
}

impl<'a> InOrder<'a> {
    /// Takes run `i`'s result; returns the runs now free to print, in order.
    fn push(&mut self, i: usize, ended: Ended<'a>) -> Vec<Ended<'a>> {
        self.waiting.insert(i, ended);
        let mut free = Vec::new();
        while let Some(ended) = self.waiting.remove(&self.next) {
            free.push(ended);
            self.next += 1;
        }
        free
    }
}

/// Writes generated text to stdout; a reader that stopped early (`| head`)
/// is not an error.
fn print_bytes(bytes: &[u8]) -> ExitStatus {
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            bad_output(&format!("cannot write to standard output: {e}"))
        }
        _ => ExitStatus::Passed,
    }
}

/// For a directory that holds no results but whose subdirectories do
/// (`report out` after `run --out out`), the command that reports them.
fn offer_runs(dir: &Path) -> Option<String> {
    if dir.join("summary.json").exists() {
        return None;
    }
    let mut runs: Vec<PathBuf> = fs::read_dir(dir)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.join("summary.json").is_file()
                || p.join("sweep.json").is_file()
                || p.join("durability.json").is_file()
        })
        .collect();
    runs.sort();
    if runs.is_empty() {
        return None;
    }
    let list: Vec<String> = runs.iter().map(|p| p.display().to_string()).collect();
    Some(format!(
        "{} holds no results of its own, but {} of its subdirectories do; report them with\n  aurora-sim report {}",
        dir.display(),
        runs.len(),
        list.join(" ")
    ))
}

fn bad_input(e: &InputError) -> ExitStatus {
    eprintln!("error: {e}");
    ExitStatus::BadInput
}

/// Results that cannot be written where asked count as bad input: the
/// command line named the place.
fn bad_output(e: &str) -> ExitStatus {
    eprintln!("error: {e}");
    ExitStatus::BadInput
}

/// The memory the machine has free (Linux's `MemAvailable`), if known.
fn available_memory() -> Option<u64> {
    let info = fs::read_to_string("/proc/meminfo").ok()?;
    let line = info.lines().find(|l| l.starts_with("MemAvailable:"))?;
    let kib: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kib * 1024)
}

/// Simulated time a trace's size is measured over before a run.
const TRACE_PILOT: crate::sim::SimDuration = crate::sim::SimDuration::from_secs(10);

/// How big a run's trace will be, said before it runs: the first seconds
/// of the very run are simulated into a byte counter and the size scaled
/// to the whole duration (faults change the rate, so it is an estimate).
fn trace_estimate(sc: &Scenario, filter: &crate::sim::TraceFilter) -> String {
    let full = sc.config.duration;
    let mut pilot = sc.clone();
    pilot.config.duration = full.min(TRACE_PILOT);
    let counted = std::rc::Rc::new(std::cell::Cell::new(0));
    let sink = ByteCounter(counted.clone());
    let name = &sc.config.name;
    if Simulation::with_filtered_trace(&pilot, Box::new(sink), filter.clone())
        .run()
        .is_err()
    {
        return format!("{name}: the trace's size could not be estimated");
    }
    let bytes = counted.get();
    let scale = full.as_secs_f64() / pilot.config.duration.as_secs_f64();
    format!(
        "{name}: events.jsonl: the first {} wrote {:.1} MB; at that rate the whole run writes about {:.1} MB (faults change the rate)",
        pilot.config.duration,
        bytes as f64 / 1e6,
        bytes as f64 * scale / 1e6
    )
}

/// A trace sink that only counts what is written to it.
struct ByteCounter(std::rc::Rc<std::cell::Cell<u64>>);

impl Write for ByteCounter {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.set(self.0.get() + buf.len() as u64);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// What `run` writes besides the summary and the timeline, and what it
/// prints.
#[derive(Debug, Clone)]
struct RunOptions {
    /// The trace's filter, when a trace is written.
    trace: Option<crate::sim::TraceFilter>,
    charts: bool,
    max_events: u64,
    json: bool,
    quiet: bool,
}

/// A trace kind by its name, for `--trace-kinds`.
fn trace_kind(name: &str) -> Result<crate::model::Kind, String> {
    crate::model::Kind::named(name).ok_or_else(|| {
        let names: Vec<&str> = crate::model::Kind::ALL.iter().map(|k| k.name()).collect();
        format!(
            "no event is named {name:?}; the events are {}",
            names.join(", ")
        )
    })
}

/// A simulated duration, for `--trace-from` and `--trace-to`.
fn sim_duration(text: &str) -> Result<crate::sim::SimDuration, String> {
    crate::sim::SimDuration::parse(text).map_err(|e| e.to_string())
}

/// A scenario's text and the name its errors give it: `-` is standard
/// input.
fn read_scenario(path: &Path) -> Result<(String, PathBuf), InputError> {
    if path.as_os_str() != "-" {
        return Ok((crate::scenario::read_text(path)?, path.to_owned()));
    }
    let stdin = PathBuf::from("<stdin>");
    let mut bytes = Vec::new();
    std::io::Read::read_to_end(&mut std::io::stdin(), &mut bytes).map_err(|source| {
        InputError::Io {
            path: stdin.clone(),
            source,
        }
    })?;
    Ok((crate::scenario::text_of(bytes, &stdin)?, stdin))
}

/// Runs one scenario into its directory under `root`; returns how it ended
/// and what it has to say on stdout and stderr, so that parallel runs
/// print in order.
fn run(
    sc: &Scenario,
    root: &OutRoot,
    opts: &RunOptions,
    progress: &Progress,
) -> (ExitStatus, String, String) {
    let name = &sc.config.name;
    let out = root.target(name);
    let failed = |e: String| {
        let msg = format!("error: cannot write results to {}: {e}\n", out.display());
        (ExitStatus::BadInput, String::new(), msg)
    };
    // Every output is staged and the directory swapped into place only
    // once complete, so no partial or mixed set of files is ever seen.
    let staging = match root.stage(name) {
        Ok(dir) => dir,
        Err(e) => return failed(e.to_string()),
    };
    let sim = if let Some(filter) = &opts.trace {
        match fs::File::create(staging.path().join("events.jsonl")) {
            Ok(f) => {
                Simulation::with_filtered_trace(sc, Box::new(BufWriter::new(f)), filter.clone())
            }
            Err(e) => return failed(e.to_string()),
        }
    } else {
        Simulation::new(sc)
    };
    let mut watch = progress.run(name, sc.config.duration);
    let outcome = match sim.max_events(opts.max_events).run_observed(&mut watch) {
        Ok(o) => o,
        Err(e) => return failed(e.to_string()),
    };
    let mut names = vec!["summary.json".to_owned(), "timeline.csv".to_owned()];
    let written = fs::write(staging.path().join(&names[0]), outcome.summary_json())
        .and_then(|()| {
            let mut csv = BufWriter::new(fs::File::create(staging.path().join(&names[1]))?);
            outcome.write_timeline_csv(&mut csv)?;
            csv.flush()
        })
        .and_then(|()| {
            if opts.trace.is_some() {
                names.push("events.jsonl".to_owned());
            }
            if opts.charts {
                let results = Results::from_outcome(&outcome);
                names.extend(report::charts::write_all(&results, staging.path())?);
            }
            Ok(())
        });
    if let Err(e) = written {
        return failed(e.to_string());
    }
    // Files put there during the run are not ours to replace.
    if let Err(e) = root.check_replaceable(name) {
        return (ExitStatus::BadInput, String::new(), format!("error: {e}\n"));
    }
    if let Err(e) = staging.publish() {
        return failed(e.to_string());
    }
    drop(watch);
    let stdout = if opts.json {
        let mut line = serde_json::to_string(&outcome.summary).expect("summary serializes");
        line.push('\n');
        line
    } else if opts.quiet {
        String::new()
    } else {
        let mut stdout = Vec::new();
        print_summary(&mut stdout, &outcome, &out, &names);
        String::from_utf8(stdout).expect("the summary is UTF-8")
    };
    if outcome.passed() {
        (ExitStatus::Passed, stdout, String::new())
    } else {
        let s = &outcome.summary;
        let failed: Vec<String> = s
            .expectations
            .iter()
            .filter(|e| !e.passed)
            .map(|e| e.name.clone())
            .chain(outcome.violations().map(|i| i.name.clone()))
            .chain(
                s.stopped_early
                    .iter()
                    .map(|why| format!("the run stopped before its end ({why})")),
            )
            .collect();
        let stderr = format!(
            "{}: expectation failed: {}\n",
            outcome.summary.scenario,
            failed.join(", ")
        );
        (ExitStatus::ExpectationFailed, stdout, stderr)
    }
}

/// Writes a file whole or not at all: into a temporary file beside it,
/// then renamed over it.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let mut builder = tempfile::Builder::new();
    // A page others read: the umask decides, as for any file written,
    // not the private mode of a temporary file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(parent)?;
    tmp.write_all(bytes)?;
    tmp.persist(path).map(drop).map_err(|e| e.error)
}

fn print_summary(w: &mut impl Write, o: &crate::Outcome, out: &Path, names: &[String]) {
    let s = &o.summary;
    let longest = s.longest_write_outage_s();
    let _ = writeln!(
        w,
        "{} (seed {}): {:.0} s simulated, {} events, trace {}",
        s.scenario, s.seed, s.simulated_s, s.events_processed, s.trace_digest
    );
    // The verdicts lead: whether the run can be trusted comes first.
    if let Some(why) = &s.stopped_early {
        let _ = writeln!(w, "  FAIL      stopped early: {why}");
    }
    print_invariants(w, s);
    let _ = writeln!(
        w,
        "  commits   {} acknowledged ({:.1}/s), {} lost{}; latency p50 {}, p99 {}, max {}",
        s.commits.acknowledged,
        s.commits.per_s,
        s.commits.lost,
        {
            let c = &s.commits;
            let mut extra = String::new();
            if c.unavailable_at_end > 0 {
                extra += &format!(
                    ", {} unavailable at the end (copies down, not destroyed)",
                    c.unavailable_at_end
                );
            }
            if c.refused + c.abandoned > 0 {
                extra += &format!(
                    ", {} refused and {} abandoned with no writer open",
                    c.refused, c.abandoned
                );
            }
            extra
        },
        units::ms(s.commit_latency_ms.p50),
        units::ms(s.commit_latency_ms.p99),
        units::ms(s.commit_latency_ms.max)
    );
    let _ = writeln!(
        w,
        "  writes    availability {}, {} outage(s), longest {:.3} s{}",
        units::percent(s.write_availability),
        s.write_outages.len(),
        longest,
        if s.write_outage_blocking_pgs.is_empty() {
            String::new()
        } else {
            format!(
                "; whole volume held back by PG(s) {:?}",
                s.write_outage_blocking_pgs
            )
        }
    );
    let from_storage = match &s.reads.latency_ms {
        Some(l) => format!(
            "{} correct, {} wrong, {} retried; p99 {}",
            s.reads.correct,
            s.reads.wrong,
            s.reads.retried,
            units::ms(l.p99)
        ),
        None => "none reached storage (all served from the buffer cache)".to_owned(),
    };
    let _ = writeln!(
        w,
        "  reads     availability {}; storage reads: {from_storage}",
        units::percent(s.read_availability),
    );
    let _ = writeln!(
        w,
        "  storage   peak {} of {} PGs below write quorum, {} below read quorum (live copies), {} out of the writer's reach; {} segments repaired, {} gossip fills",
        s.pgs_below_write_quorum_max,
        s.storage.pgs,
        s.pgs_below_read_quorum_max,
        s.pgs_out_of_writer_reach_max,
        s.storage.segments_repaired,
        s.storage.gossip_fills
    );
    let _ = writeln!(w, "  copies    {}", s.redundancy.describe(s.storage.pgs));
    if let Some(line) = s.repair_traffic() {
        let _ = writeln!(w, "  repair    {line}");
    }
    for f in s.faults.iter() {
        if let Some(why) = &f.refused {
            let _ = writeln!(w, "  refused   {} at {:.1} s: {why}", f.label(), f.at_s);
        }
    }
    print_failovers(w, s);
    for e in &s.expectations {
        let mark = if e.passed { "pass" } else { "FAIL" };
        let _ = writeln!(w, "  {mark}      {}: {}", e.name, e.detail);
    }
    let _ = writeln!(w, "  wrote     {}: {}", out.display(), names.join(", "));
}

/// One line when every invariant held; otherwise each violated one with
/// its first violation and the events that led to it.
fn print_invariants(w: &mut impl Write, s: &crate::metrics::Summary) {
    let held = s.invariants.iter().filter(|i| i.held).count();
    let _ = writeln!(
        w,
        "  check     {held} of {} invariants held",
        s.invariants.len()
    );
    for i in &s.invariants {
        if let Some(why) = &i.not_applicable {
            let _ = writeln!(w, "  n/a       {}: {why}", i.name);
        }
        let Some(v) = i.first.as_ref().filter(|_| !i.held) else {
            continue;
        };
        let _ = writeln!(
            w,
            "  FAIL      {}: {} violation(s); first at {:.6} s: {}",
            i.name, i.violations, v.at_s, v.detail
        );
        for e in &v.events {
            let _ = writeln!(w, "              after {e}");
        }
    }
}

/// What the clients saw (whenever there are clients), then the failovers
/// as a small table: one row per failover, one column per RTO phase, then
/// what the slowest and median clients saw.
fn print_failovers(w: &mut impl Write, s: &crate::metrics::Summary) {
    if s.failovers.is_empty() && s.topology.clients.is_empty() {
        return;
    }
    match &s.client_latency_ms {
        None => {
            let _ = writeln!(
                w,
                "  clients   none: the scenario has no clients, so no client measured the outage"
            );
        }
        Some(latency) => print_clients(w, s, latency),
    }
    for (f, r) in s.failovers.iter().zip(&s.rto) {
        let _ = writeln!(
            w,
            "  failover  {} → {}{}, {}, at {:.1} s{}",
            f.from,
            f.to.as_deref().unwrap_or("(none)"),
            match (f.tier, &f.az) {
                (Some(t), Some(az)) => format!(" (tier {t}, AZ {az})"),
                _ => String::new(),
            },
            f.reason,
            f.at_s,
            if f.provisioned {
                ", replacement created"
            } else {
                ""
            }
        );
        let _ = writeln!(
            w,
            "            {:>8} {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} | {:>11} {:>8}",
            "detect",
            "retries",
            "select",
            "promote",
            "recover",
            "dns",
            "total",
            "clients p50",
            "max"
        );
        let total = r
            .total_s
            .map_or("unfinished".into(), |t| format!("{t:.3}s"));
        let c = r.client_observed_s.as_ref();
        let clients = |v: fn(&ClientObserved) -> Option<f64>| {
            c.map_or("-".to_owned(), |c| ClientObserved::show(v(c)))
        };
        let _ = writeln!(
            w,
            "            {} {:>9} | {:>11} {:>8}",
            r.phases().map(|p| format!("{p:>7.3}s")).join(" "),
            total,
            clients(|c| c.p50),
            clients(|c| c.max)
        );
        let st = &r.steps;
        let step = |v: Option<f64>| v.map_or("-".to_owned(), |v| format!("{v:.3}s"));
        let _ = writeln!(
            w,
            "            steps: stop {}, engine start {}, storage recovery {}, rebuild {}, open {}",
            step(st.stop_s),
            step(st.engine_start_s),
            step(st.storage_recovery_s),
            step(st.rebuild_s),
            step(st.open_s)
        );
        let _ = writeln!(
            w,
            "            throughput and p99 back within 10% after {}",
            match (r.commits_per_s_before, r.recovered_performance_s) {
                (None, _) => "n/a (no clean 30 s before the fault to compare with)".to_owned(),
                (Some(_), None) => "never (within the run)".to_owned(),
                (Some(_), Some(v)) => format!("{v:.1} s"),
            }
        );
        if let Some(st) = &r.storm {
            let _ = writeln!(
                w,
                "            new writer, first {:.0} s open: {} connections ({:.2} CPU-s), CPU peak {}, mean {}, commit p99 peak {}{}",
                st.window_s,
                st.connections_accepted,
                st.connect_cpu_s,
                units::share(st.cpu_peak),
                units::share(st.cpu_mean),
                st.commit_p99_peak_ms.map_or("-".to_owned(), units::ms),
                st.commit_p99_before_ms
                    .map_or(String::new(), |b| format!(" ({} before the fault)", units::ms(b)))
            );
        }
        for a in &r.attempts {
            let _ = writeln!(
                w,
                "            attempt to promote {} from {:.3} s failed at {:.3} s",
                a.to.as_deref().unwrap_or("(none)"),
                a.from_s,
                a.failed_s
            );
        }
    }
}

/// The clients' requests, latency and errors, in all and per group.
fn print_clients(
    w: &mut impl Write,
    s: &crate::metrics::Summary,
    latency: &crate::metrics::Latency,
) {
    let e = &s.client_errors;
    let _ = writeln!(
        w,
        "  clients   {} requests ok, p50 {}, p99 {} with retries; errors: {}; {} hung",
        s.client_requests_ok,
        units::ms(latency.p50),
        units::ms(latency.p99),
        e.describe(),
        s.hung_clients
    );
    if s.client_groups.len() > 1 {
        for (g, spec) in s.client_groups.iter().zip(&s.topology.clients) {
            let e = &g.errors;
            let seen = g
                .client_observed_s
                .iter()
                .map(|c| {
                    format!(
                        "p50 {}, max {}",
                        ClientObserved::show(c.p50),
                        ClientObserved::show(c.max)
                    )
                })
                .collect::<Vec<_>>()
                .join("; ");
            let _ = writeln!(
                w,
                "    {:<12} {} × {}, DNS cache {}: {} ok; errors {}; {} hung{}",
                g.name,
                spec.count,
                spec.connection,
                spec.dns_cache,
                g.requests_ok,
                e.describe(),
                g.hung,
                if seen.is_empty() {
                    String::new()
                } else {
                    format!("; failover seen: {seen}")
                }
            );
        }
    }
}
