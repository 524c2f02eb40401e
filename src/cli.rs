//! The command line: clap's parse is the low-level form; `execute` turns it
//! into validated scenarios and runs them. One function, [`Outcome::code`],
//! owns the exit codes.

use std::fs;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::InputError;
use crate::{Scenario, Simulation};

/// The scenario `run` uses when given none.
const DEFAULT_SCENARIO: (&str, &str) = (
    "scenarios/az-outage.yaml",
    include_str!("../scenarios/az-outage.yaml"),
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
    /// Run a scenario, print a summary, write summary.json and timeline.csv.
    Run {
        /// Scenario file; the shipped `scenarios/az-outage.yaml` when absent.
        scenario: Option<PathBuf>,
        /// Root seed, overriding the scenario's.
        #[arg(long)]
        seed: Option<u64>,
        /// Output directory [default: results/<scenario name>].
        #[arg(long)]
        out: Option<PathBuf>,
        /// Also write every event to events.jsonl (large).
        #[arg(long)]
        trace: bool,
    },
    /// Check scenario files without running them.
    Validate {
        /// Scenario files.
        #[arg(required = true)]
        scenarios: Vec<PathBuf>,
    },
}

/// How a command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Everything ran and every expectation held.
    Passed,
    /// A run finished but an expectation failed.
    ExpectationFailed,
    /// The input could not be used; nothing was written.
    BadInput,
}

impl Outcome {
    /// The process exit code: 0, 1 or 2.
    pub fn code(self) -> ExitCode {
        match self {
            Outcome::Passed => ExitCode::SUCCESS,
            Outcome::ExpectationFailed => ExitCode::from(1),
            Outcome::BadInput => ExitCode::from(2),
        }
    }
}

/// Runs a parsed command line, printing to stdout and stderr.
pub fn execute(cli: Cli) -> Outcome {
    match cli.command {
        Command::Run {
            scenario,
            seed,
            out,
            trace,
        } => {
            let loaded = match &scenario {
                Some(path) => Scenario::load(path),
                None => Scenario::parse(DEFAULT_SCENARIO.1, Path::new(DEFAULT_SCENARIO.0)),
            };
            let mut sc = match loaded {
                Ok(sc) => sc,
                Err(e) => return bad_input(&e),
            };
            if let Some(seed) = seed {
                sc.seed = seed;
            }
            let out = out.unwrap_or_else(|| Path::new("results").join(&sc.name));
            run(&sc, &out, trace)
        }
        Command::Validate { scenarios } => {
            let mut outcome = Outcome::Passed;
            for path in &scenarios {
                match Scenario::load(path) {
                    Ok(sc) => println!("{}: ok ({})", path.display(), sc.name),
                    Err(e) => outcome = bad_input(&e),
                }
            }
            outcome
        }
    }
}

fn bad_input(e: &InputError) -> Outcome {
    eprintln!("error: {e}");
    Outcome::BadInput
}

fn run(sc: &Scenario, out: &Path, trace: bool) -> Outcome {
    // Stage every output in a fresh directory beside the target and move it
    // into place only once complete, so no partial file is ever left.
    let parent = out
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let staged = fs::create_dir_all(parent).and_then(|()| {
        tempfile::Builder::new()
            .prefix(".aurora-sim-")
            .tempdir_in(parent)
    });
    let staging = match staged {
        Ok(dir) => dir,
        Err(e) => return io_failure(out, &e),
    };
    let sim = if trace {
        match fs::File::create(staging.path().join("events.jsonl")) {
            Ok(f) => Simulation::with_trace(sc, Box::new(BufWriter::new(f))),
            Err(e) => return io_failure(out, &e),
        }
    } else {
        Simulation::new(sc)
    };
    let outcome = match sim.run() {
        Ok(o) => o,
        Err(e) => return io_failure(out, &e),
    };
    let files = [
        ("summary.json", outcome.summary_json()),
        ("timeline.csv", outcome.timeline_csv()),
    ];
    let written = files
        .iter()
        .try_for_each(|(name, text)| fs::write(staging.path().join(name), text))
        .and_then(|()| publish(staging.path(), out, trace));
    if let Err(e) = written {
        return io_failure(out, &e);
    }
    print_summary(&outcome, out, trace);
    if outcome.passed() {
        Outcome::Passed
    } else {
        let failed: Vec<&str> = outcome
            .summary
            .expectations
            .iter()
            .filter(|e| !e.passed)
            .map(|e| e.name.as_str())
            .collect();
        eprintln!("expectation failed: {}", failed.join(", "));
        Outcome::ExpectationFailed
    }
}

/// Moves staged files into `out`, replacing earlier results of the same
/// names (and a stale trace when this run wrote none).
fn publish(staging: &Path, out: &Path, trace: bool) -> std::io::Result<()> {
    fs::create_dir_all(out)?;
    let mut names = vec!["summary.json", "timeline.csv"];
    if trace {
        names.push("events.jsonl");
    } else if out.join("events.jsonl").exists() {
        fs::remove_file(out.join("events.jsonl"))?;
    }
    for name in names {
        fs::rename(staging.join(name), out.join(name))?;
    }
    Ok(())
}

fn io_failure(out: &Path, e: &std::io::Error) -> Outcome {
    eprintln!("error: cannot write results to {}: {e}", out.display());
    Outcome::BadInput
}

fn print_summary(o: &crate::Outcome, out: &Path, trace: bool) {
    let s = &o.summary;
    let mut w = std::io::stdout().lock();
    let longest = s.longest_write_stall_s();
    let _ = writeln!(
        w,
        "{} (seed {}): {:.0} s simulated, {} events, trace {}",
        s.scenario, s.seed, s.simulated_s, s.events_processed, s.trace_digest
    );
    let _ = writeln!(
        w,
        "  commits   {} acknowledged ({:.1}/s), {} lost; latency p50 {:.2} ms, p99 {:.2} ms, max {:.1} ms",
        s.commits.acknowledged,
        s.commits.per_s,
        s.commits.lost,
        s.commit_latency_ms.p50,
        s.commit_latency_ms.p99,
        s.commit_latency_ms.max
    );
    let _ = writeln!(
        w,
        "  writes    availability {:.4}%, {} outage(s), longest {:.3} s{}",
        s.write_availability * 100.0,
        s.write_stalls.len(),
        longest,
        if s.write_stall_blocking_pgs.is_empty() {
            String::new()
        } else {
            format!(
                "; whole volume held back by PG(s) {:?}",
                s.write_stall_blocking_pgs
            )
        }
    );
    let _ = writeln!(
        w,
        "  reads     availability {:.4}%, {} correct, {} wrong, {} retried; p99 {:.2} ms",
        s.read_availability * 100.0,
        s.reads.correct,
        s.reads.wrong,
        s.reads.retried,
        s.reads.latency_ms.p99
    );
    let _ = writeln!(
        w,
        "  storage   peak {} of {} PGs below write quorum, {} below read quorum; {} segments repaired, {} gossip fills",
        s.pgs_below_write_quorum_max,
        s.storage.pgs,
        s.pgs_below_read_quorum_max,
        s.storage.segments_repaired,
        s.storage.gossip_fills
    );
    print_failovers(&mut w, s);
    for e in &s.expectations {
        let mark = if e.passed { "pass" } else { "FAIL" };
        let _ = writeln!(w, "  {mark}      {}: {}", e.name, e.detail);
    }
    let _ = writeln!(
        w,
        "  wrote     {}/summary.json, timeline.csv{}",
        out.display(),
        if trace { ", events.jsonl" } else { "" }
    );
}

/// The failovers as a small table: one row per failover, one column per
/// RTO phase, then what the slowest and median clients saw.
fn print_failovers(w: &mut impl Write, s: &crate::metrics::Summary) {
    if s.failovers.is_empty() {
        return;
    }
    let e = &s.client_errors;
    let _ = writeln!(
        w,
        "  clients   {} requests ok; errors: {} timeout, {} refused, {} reset, {} read-only, {} DNS empty; {} hung",
        s.client_requests_ok, e.timeout, e.refused, e.reset, e.read_only, e.dns_empty, s.hung_clients
    );
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
            "            {:>8} {:>8} {:>8} {:>8} {:>8} {:>9} | {:>11} {:>8}",
            "detect", "select", "promote", "recover", "dns", "total", "clients p50", "max"
        );
        let total = r
            .total_s
            .map_or("unfinished".into(), |t| format!("{t:.3}s"));
        let c = &r.client_observed_s;
        let clients = |v: f64| {
            if c.clients == 0 {
                "-".to_owned()
            } else {
                format!("{v:.2}s")
            }
        };
        let _ = writeln!(
            w,
            "            {:>7.3}s {:>7.3}s {:>7.3}s {:>7.3}s {:>7.3}s {:>9} | {:>11} {:>8}",
            r.detection_s,
            r.selection_s,
            r.promotion_s,
            r.recovery_s,
            r.dns_s,
            total,
            clients(c.p50),
            clients(c.max)
        );
    }
}
