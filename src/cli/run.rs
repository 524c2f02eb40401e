//! `run`: scenarios validated together, run in parallel, each written to
//! its own directory and its summary printed in the order they were
//! named.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};

use rayon::prelude::*;

use super::memory::headroom;
use super::progress::Progress;
use super::results_dir::{self, OutRoot};
use super::summary::print_summary;
use super::{bad_input, bad_output, ExitStatus};
use crate::error::InputError;
use crate::report::{self, Results};
use crate::scenario::document::Document;
use crate::study::grid::{Cell, Setting};
use crate::{Scenario, Simulation};

/// The scenario `run` uses when given none.
const DEFAULT_SCENARIO: (&str, &str) = (
    "scenarios/az-outage.yaml",
    include_str!("../../scenarios/az-outage.yaml"),
);

/// What `run` is given.
#[derive(Debug, clap::Args)]
pub(super) struct RunArgs {
    /// Scenario files, run in parallel; `-` reads one from standard
    /// input; the shipped `scenarios/az-outage.yaml` when none is
    /// given.
    scenarios: Vec<PathBuf>,
    /// Root seed, overriding the scenarios'.
    #[arg(long)]
    seed: Option<u64>,
    /// Draw everything before the first fault from this seed's streams,
    /// and the rest from the run's own: one run of a sweep made with
    /// `--common-prefix`, replayed alone.
    #[arg(long, value_name = "SEED")]
    common_prefix: Option<u64>,
    /// Parent of the output directories; each run replaces its own
    /// OUT/<scenario name>/ whole.
    #[arg(long, default_value = "out")]
    out: PathBuf,
    /// Also write every event to events.jsonl (large; docs/trace.md
    /// lists the events and their fields).
    #[arg(long)]
    trace: bool,
    /// Write only these kinds of event to the trace (`batch,quorum`; docs/trace.md lists them).
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
}

/// Runs the scenarios: every file is checked, and where results go is
/// settled, before anything runs or is written.
pub(super) fn run(args: RunArgs) -> ExitStatus {
    let scs = match scenarios(&args) {
        Ok(scs) => scs,
        Err(status) => return status,
    };
    let root = match OutRoot::open(&args.out) {
        Ok(root) => root,
        Err(e) => return bad_output(&e),
    };
    let mut outcome = ExitStatus::Passed;
    for sc in &scs {
        if let Err(e) = root.check_replaceable(&sc.config.name) {
            outcome = bad_output(&e);
        }
    }
    if outcome != ExitStatus::Passed {
        return outcome;
    }
    results_dir::clean_up_on_interrupt();
    let trace = args.trace.then(|| trace_filter(&args));
    if let Some(filter) = &trace {
        for sc in &scs {
            say!("{}", trace_estimate(sc, filter));
        }
    }
    let opts = RunOptions {
        trace,
        charts: args.charts,
        max_events: args.max_events,
        json: args.json,
        quiet: args.quiet,
        room: headroom().map(|room| room.share(at_once(&args, &scs))),
        common_prefix: args.common_prefix,
    };
    run_all(&scs, &root, &opts, args.jobs)
}

/// How many of `scs` run at once under `-j`.
fn at_once(args: &RunArgs, scs: &[Scenario]) -> usize {
    args.jobs
        .map_or_else(rayon::current_num_threads, usize::from)
        .clamp(1, scs.len().max(1))
}

/// The scenarios named (the default one when none is), with the settings
/// and the seed put in; every error is printed, and any makes the command
/// bad input.
fn scenarios(args: &RunArgs) -> Result<Vec<Scenario>, ExitStatus> {
    let set = &args.set;
    // One field set twice is a mistake, as in a sweep's grid.
    if let Err(e) = crate::study::grid::Grid::new(set.clone()) {
        say!("error: --set: {e}");
        return Err(ExitStatus::BadInput);
    }
    if let (Some(from), Some(to)) = (args.trace_from, args.trace_to) {
        if from > to {
            say!("error: --trace-from {from} is later than --trace-to {to}: the trace would hold nothing");
            return Err(ExitStatus::BadInput);
        }
    }
    if args
        .scenarios
        .iter()
        .filter(|p| p.as_os_str() == "-")
        .count()
        > 1
    {
        say!("error: standard input (-) can be read only once");
        return Err(ExitStatus::BadInput);
    }
    let loaded: Vec<Result<Scenario, InputError>> = if args.scenarios.is_empty() {
        vec![with_settings(
            DEFAULT_SCENARIO.1,
            Path::new(DEFAULT_SCENARIO.0),
            set,
        )]
    } else {
        args.scenarios
            .iter()
            .map(|p| {
                crate::scenario::read_input(p, crate::scenario::YAML)
                    .and_then(|(text, p)| with_settings(&text, &p, set))
            })
            .collect()
    };
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
        say!(
            "error: two scenarios are named {:?}; they would write to the same directory",
            twice.1.config.name
        );
        outcome = ExitStatus::BadInput;
    }
    if outcome != ExitStatus::Passed {
        return Err(outcome);
    }
    if let Some(seed) = args.seed {
        scs = scs.into_iter().map(|sc| sc.with_seed(seed)).collect();
    }
    if args.common_prefix.is_some() {
        for sc in &scs {
            if let Err(e) = crate::run::fork_at(&sc.config) {
                say!("error: {}: --common-prefix: {e}", sc.config.name);
                outcome = ExitStatus::BadInput;
            }
        }
    }
    if let Some(room) = headroom().map(|room| room.share(at_once(args, &scs))) {
        for sc in &scs {
            if let Err(e) = sc.footprint.within(room.bytes, room.what) {
                outcome = bad_input(&e);
            }
        }
    }
    if outcome != ExitStatus::Passed {
        return Err(outcome);
    }
    Ok(scs)
}

/// The trace's filter: the kinds and the window `run` was given.
fn trace_filter(args: &RunArgs) -> crate::sim::TraceFilter {
    let mut filter = crate::sim::TraceFilter::default();
    if !args.trace_kinds.is_empty() {
        filter = filter.kinds(args.trace_kinds.iter().map(|&k| k as u8));
    }
    let at = |d: crate::sim::SimDuration| crate::sim::SimTime::ZERO + d;
    filter.window(
        at(args.trace_from.unwrap_or_default()),
        args.trace_to
            .map_or(crate::sim::SimTime::from_nanos(u64::MAX), at),
    )
}

/// Runs every scenario on `jobs` threads; each result is printed, in the
/// order the scenarios were given, as soon as it and every one before it
/// have ended. Returns the worst status.
fn run_all(scs: &[Scenario], root: &OutRoot, opts: &RunOptions, jobs: Option<u16>) -> ExitStatus {
    let pool = match rayon::ThreadPoolBuilder::new()
        .num_threads(jobs.map_or(0, usize::from))
        .build()
    {
        Ok(pool) => pool,
        Err(e) => return bad_output(&format!("cannot start threads: {e}")),
    };
    let progress = Progress::new(opts.quiet || opts.json);
    let released = std::sync::Mutex::new(InOrder::default());
    pool.install(|| {
        scs.par_iter().enumerate().for_each(|(i, sc)| {
            let ended = run_one(sc, root, opts, &progress);
            let mut released = released.lock().expect("no run panics holding it");
            for (name, (outcome, stdout, stderr)) in released.push(i, (sc, ended)) {
                // A summary that could not be printed is not a pass;
                // a reader that stopped reading (`| head`) is no error.
                let printed = match progress.print(&stdout) {
                    Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => bad_output(&format!(
                        "{}: cannot write the summary to standard output: {e}",
                        name.config.name
                    )),
                    _ => ExitStatus::Passed,
                };
                anstream::eprint!("{stderr}");
                released.worst = released.worst.max(outcome).max(printed);
            }
        });
    });
    released
        .into_inner()
        .expect("no run panics holding it")
        .worst
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

/// Runs one scenario into its directory under `root`; returns how it ended
/// and what it has to say on stdout and stderr, so that parallel runs
/// print in order.
fn run_one(
    sc: &Scenario,
    root: &OutRoot,
    opts: &RunOptions,
    progress: &Progress,
) -> (ExitStatus, String, String) {
    let name = &sc.config.name;
    let out = root.target(name);
    let failed = |e: String| {
        let msg = format!(
            "error: cannot write results to {}: {e}\n",
            crate::error::shown(&out)
        );
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
    let sim = match opts.common_prefix {
        None => sim,
        Some(seed) => {
            (sim.common_prefix(seed)).expect("every scenario was checked for a fault to fork at")
        }
    };
    let mut watch = progress.run(name, sc.config.duration);
    let (mut ceiling, mut why) = sc.footprint.ceiling();
    if let Some(room) = opts.room.filter(|room| room.bytes < ceiling) {
        (ceiling, why) = (room.bytes, format!("its share of {}", room.what));
    }
    let sim = sim.max_events(opts.max_events).memory_ceiling(ceiling, why);
    let outcome = match sim.run_observed(&mut watch) {
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
            .map(|e| format!("{} ({})", e.name, e.detail))
            .chain(outcome.violations().map(|i| i.name.clone()))
            .chain(
                s.stopped_early
                    .iter()
                    .map(|why| format!("the run stopped before its end ({why})")),
            )
            .collect();
        let red = anstyle::AnsiColor::Red.on_default().bold();
        let stderr = format!(
            "{}: {red}expectation failed{red:#}: {}\n",
            outcome.summary.scenario,
            failed.join(", ")
        );
        (ExitStatus::ExpectationFailed, stdout, stderr)
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
    /// Each run's share of the memory the process may still take.
    room: Option<super::memory::Headroom>,
    /// The seed of the prefix every run shares up to its first fault.
    common_prefix: Option<u64>,
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

/// A trace kind by its name, for `--trace-kinds`.
fn trace_kind(name: &str) -> Result<crate::model::Kind, String> {
    crate::model::Kind::named(name).ok_or_else(|| {
        let names: Vec<&str> = crate::model::Kind::ALL.iter().map(|k| k.name()).collect();
        format!(
            "no event is named {name:?}; the events are {}{}",
            names.join(", "),
            crate::error::did_you_mean(name, names.iter().copied())
        )
    })
}

/// A simulated duration, for `--trace-from` and `--trace-to`.
fn sim_duration(text: &str) -> Result<crate::sim::SimDuration, String> {
    crate::sim::SimDuration::parse(text).map_err(|e| e.to_string())
}
