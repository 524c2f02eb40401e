//! The command line: clap's parse is the low-level form; `execute` turns it
//! into validated scenarios and runs them. Each command has its own
//! function, in a file named for it (`sweep`, `durability` and `merge` in
//! study.rs). One function, [`ExitStatus::code`], owns the exit codes.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::InputError;
use crate::study::grid::{Seeds, Setting};
use crate::study::shard::Shard;

/// Writes a line to standard error, as `eprintln!` does, except that a
/// standard error that cannot be written (closed, a full device) is no
/// reason to abort the command: what it writes elsewhere and its exit
/// code stand.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stderr().lock(), $($arg)*);
    }};
}

mod completions;
mod explain;
mod man;
mod memory;
mod progress;
mod report;
mod results_dir;
mod run;
mod scaffold;
mod schema;
mod study;
mod summary;
mod validate;

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
    Run(run::RunArgs),
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
        /// Simulate each cell up to its first fault once, on this seed's
        /// streams, and continue a copy for each seed on its own streams
        /// (common random numbers: docs/studies.md says what it does to
        /// the intervals).
        #[arg(long, value_name = "SEED")]
        common_prefix: Option<u64>,
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
    /// Run the validation suite: each published figure's scenario over
    /// seeds, judged against the figure, into OUT/validation/
    /// (validation.md, validation.json, a chart). Exit code 1 when a
    /// figure a default was fitted to is missed.
    Validation {
        /// The folder of items (one YAML file per published figure).
        #[arg(default_value = "validation")]
        dir: PathBuf,
        /// The short form: each item's `quick_seeds` rather than its
        /// `seeds`.
        #[arg(long)]
        quick: bool,
        /// Threads (default: one per core).
        #[arg(short = 'j', long, value_parser = clap::value_parser!(u16).range(1..=1024))]
        jobs: Option<u16>,
        /// Parent of the results directory.
        #[arg(long, default_value = "out")]
        out: PathBuf,
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
    /// Print a commented scenario to start from (`aurora-sim init
    /// my-failover > my-failover.yaml`), or write it to a new file.
    Init {
        /// The scenario's name.
        #[arg(default_value = "my-scenario")]
        name: String,
        /// A file to write it to (`-`: standard output, as without it);
        /// one that exists is left alone.
        #[arg(long)]
        out: Option<PathBuf>,
    },
    /// Make a scenario from a real cluster and an FIS experiment: the JSON
    /// `aws rds describe-db-clusters` and `describe-db-instances` print,
    /// and an experiment template; what cannot be mapped is said.
    Import {
        /// `aws rds describe-db-clusters` output (`-`: standard input, for
        /// one of the three files).
        #[arg(long)]
        clusters: PathBuf,
        /// `aws rds describe-db-instances` output: classes and AZs.
        #[arg(long)]
        instances: Option<PathBuf>,
        /// An AWS FIS experiment template: its actions become faults.
        #[arg(long)]
        fis: Option<PathBuf>,
        /// Which cluster, when the file describes several.
        #[arg(long)]
        cluster: Option<String>,
        /// A file to write the scenario to (`-`: standard output, as
        /// without it); one that exists is left alone.
        #[arg(long)]
        out: Option<PathBuf>,
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
    /// Print the results directory's JSON (sweep.json, durability.json)
    /// on stdout instead of the text summary; failures still go to
    /// stderr and set the exit code.
    #[arg(long)]
    json: bool,
}

impl StudyArgs {
    fn execution(&self) -> study::Execution {
        study::Execution {
            jobs: self.jobs.map(usize::from),
            shard: self.shard.unwrap_or(Shard::ALL),
            told: if self.json {
                study::Told::Json
            } else {
                study::Told::Text
            },
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
        Command::Run(args) => run::run(args),
        Command::Sweep {
            scenario,
            set,
            seeds,
            how,
            max_events,
            common_prefix,
        } => study::sweep(
            &scenario,
            set,
            seeds,
            common_prefix,
            max_events,
            how.execution(),
            &how.out,
        ),
        Command::Durability {
            study: file,
            set,
            how,
        } => study::durability(&file, set, how.execution(), &how.out),
        Command::Validation {
            dir,
            quick,
            jobs,
            out,
        } => study::validation(&dir, quick, jobs.map(usize::from), &out),
        Command::Merge { partials, out } => study::merge(&partials, &out),
        Command::Report { dirs, out } => report::report(&dirs, &out),
        Command::Validate { scenarios } => validate::validate(&scenarios),
        Command::Completions { shell } => completions::completions(shell),
        Command::Schema => schema::schema(),
        Command::Explain { topic } => explain::explain(topic.as_deref()),
        Command::Man { command } => man::man(command.as_deref()),
        Command::Init { name, out } => scaffold::init(&name, out.as_deref()),
        Command::Import {
            clusters,
            instances,
            fis,
            cluster,
            out,
        } => {
            let files = scaffold::ImportFiles {
                clusters,
                instances,
                fis,
                cluster,
            };
            scaffold::import(&files, out.as_deref())
        }
    }
}

/// Writes a file whole or not at all: into a temporary file beside it,
/// then renamed over it.
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    staged_beside(path, bytes)?
        .persist(path)
        .map(drop)
        .map_err(|e| e.error)
}

/// Writes a file whole or not at all, and never over one that appears
/// meanwhile: linked in place only if nothing is there.
fn write_new(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    staged_beside(path, bytes)?
        .persist_noclobber(path)
        .map(drop)
        .map_err(|e| e.error)
}

/// `bytes` in a temporary file in `path`'s directory, ready to take its
/// place.
fn staged_beside(path: &Path, bytes: &[u8]) -> std::io::Result<tempfile::NamedTempFile> {
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::NotFound,
            format!("no directory {}", crate::error::shown(parent)),
        ));
    }
    let mut builder = tempfile::Builder::new();
    // A file others read: the umask decides, as for any file written,
    // not the private mode of a temporary file.
    #[cfg(unix)]
    builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
    let mut tmp = builder.tempfile_in(parent)?;
    tmp.write_all(bytes)?;
    Ok(tmp)
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

fn bad_input(e: &InputError) -> ExitStatus {
    say!("error: {e}");
    ExitStatus::BadInput
}

/// Results that cannot be written where asked count as bad input: the
/// command line named the place.
fn bad_output(e: &str) -> ExitStatus {
    say!("error: {e}");
    ExitStatus::BadInput
}
