//! Sweeps: one scenario run over a grid of settings × seeds, each run a
//! pure function of (scenario text, cell, seed), and the runs of each cell
//! summarized with confidence intervals.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::grid::{Cell, Grid, Seeds, MAX_CELLS, MAX_RUNS};
use super::shard::Shard;
use super::stats::{Distribution, CONFIDENCE};
use crate::error::InputError;
use crate::run::fork_at;
use crate::scenario::document::Document;
use crate::{Outcome, Prefix, Scenario, Simulation};

/// Version of `sweep.json`, `sweep.csv` and the partial files' layout.
pub const FORMAT: u32 = 1;

/// What a sweep is: enough to run any of its runs again, and to check
/// that partial results belong to the same sweep.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Plan {
    /// The scenario's name.
    pub scenario: String,
    /// The scenario file, as named on the command line.
    pub file: String,
    /// The scenario's text, exactly as read.
    pub text: String,
    /// The settings varied.
    pub grid: Grid,
    /// The seeds every cell runs with.
    pub seeds: Seeds,
    /// The event budget of each run.
    pub max_events: u64,
    /// The seed of the prefix each cell's runs share, up to its first
    /// fault, when they share one (`--common-prefix`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_prefix: Option<u64>,
}

/// A plan with its cells validated, ready to run. A cell's scenario is
/// built again for each of its runs rather than kept, so a large grid
/// costs the memory of its runs in flight, not of every cell.
pub struct Sweep {
    /// The plan.
    pub plan: Plan,
    file: PathBuf,
    doc: Document,
    cells: Vec<Cell>,
    footprint: u64,
    /// Tells this sweep's prefixes from another's in a thread's cache.
    id: u64,
}

/// Numbers each sweep made in this process.
static SWEEPS: AtomicU64 = AtomicU64::new(0);

thread_local! {
    /// The prefix this thread last simulated: the sweep's id and the
    /// cell's index, and the prefix. A thread runs a cell's runs one after
    /// another, so it simulates each cell's prefix about once; a prefix
    /// holds the model's shared batches (`Rc`), so it cannot move between
    /// threads, and each thread keeps its own.
    static PREFIX: RefCell<Option<((u64, usize), Prefix)>> = const { RefCell::new(None) };
}

impl Sweep {
    /// Validates the scenario, each setting on its own (so an error names
    /// the setting at fault), then every cell.
    pub fn new(
        file: &Path,
        text: &str,
        grid: Grid,
        seeds: Option<Seeds>,
        max_events: u64,
    ) -> Result<Sweep, InputError> {
        let base = Scenario::parse(text, file)?;
        let doc = Document::parse(text, file)?;
        let seeds = seeds.unwrap_or_else(|| Seeds(vec![base.config.seed]));
        let too_many = |message| InputError::about_file(file, message);
        let cells_n = grid.len();
        if cells_n > MAX_CELLS {
            return Err(too_many(format!(
                "the settings make {cells_n} cells; a study has at most {MAX_CELLS}"
            )));
        }
        let runs = cells_n.saturating_mul(seeds.0.len());
        if runs > MAX_RUNS {
            return Err(too_many(format!(
                "{runs} runs (cells × seeds); a study runs at most {MAX_RUNS}"
            )));
        }
        // Each cell is checked whole: a value may be valid only beside
        // another setting's (a fault moved before a shorter end).
        let cells = grid.cells();
        let mut footprint = 0;
        for c in &cells {
            footprint = cell_scenario(&doc, c, file)?
                .footprint
                .bytes()
                .max(footprint);
        }
        Ok(Sweep {
            plan: Plan {
                scenario: base.config.name.clone(),
                file: file.display().to_string(),
                text: text.to_owned(),
                grid,
                seeds,
                max_events,
                common_prefix: None,
            },
            file: file.to_owned(),
            doc,
            cells,
            footprint,
            id: SWEEPS.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The sweep a partial result's plan describes, validated again.
    pub fn of_plan(plan: &Plan) -> Result<Sweep, InputError> {
        let sweep = Sweep::new(
            Path::new(&plan.file),
            &plan.text,
            plan.grid.clone(),
            Some(plan.seeds.clone()),
            plan.max_events,
        )?;
        match plan.common_prefix {
            Some(seed) => sweep.common_prefix(seed),
            None => Ok(sweep),
        }
    }

    /// The same sweep with each cell's runs sharing everything before the
    /// cell's first fault, simulated once on `seed`'s streams, and each
    /// continuing on its own seed's streams (common random numbers; see
    /// [`Simulation::common_prefix`]). Every cell must have a fault after
    /// 0 s.
    pub fn common_prefix(mut self, seed: u64) -> Result<Sweep, InputError> {
        for c in &self.cells {
            let sc = cell_scenario(&self.doc, c, &self.file)?;
            if let Err(e) = fork_at(&sc.config) {
                return Err(InputError::about_file(
                    &self.file,
                    format!("--common-prefix: {e} ({})", c.label()),
                ));
            }
        }
        self.plan.common_prefix = Some(seed);
        Ok(self)
    }

    /// Every run's index, cell-major.
    pub fn runs(&self) -> usize {
        self.cells.len() * self.plan.seeds.0.len()
    }

    /// The largest memory estimate of any cell's scenario, in bytes.
    pub fn footprint(&self) -> u64 {
        self.footprint
    }

    /// The cell and seed of run `index`.
    fn cell_and_seed(&self, index: usize) -> (usize, u64) {
        let seeds = &self.plan.seeds.0;
        (index / seeds.len(), seeds[index % seeds.len()])
    }

    /// Runs one run by its index.
    pub fn run(&self, index: usize) -> Row {
        let (cell, seed) = self.cell_and_seed(index);
        let sim = |seed| {
            let mut sc = cell_scenario(&self.doc, &self.cells[cell], &self.file)
                .expect("every cell was validated when the sweep was planned");
            sc.config.seed = seed;
            let (ceiling, why) = sc.footprint.ceiling();
            Simulation::new(&sc)
                .max_events(self.plan.max_events)
                .memory_ceiling(ceiling, why)
        };
        let outcome = match self.plan.common_prefix {
            None => (sim(seed).run()).expect("a run without a trace sink cannot fail to write"),
            Some(prefix) => PREFIX.with_borrow_mut(|cached| {
                let key = (self.id, cell);
                if cached.as_ref().is_none_or(|(k, _)| *k != key) {
                    // The previous cell's prefix goes before this one is made.
                    *cached = None;
                    let sim = (sim(prefix).common_prefix(prefix))
                        .expect("every cell was checked for a fault to fork at");
                    *cached = Some((key, sim.run_prefix()));
                }
                let (_, p) = cached.as_ref().expect("just made");
                p.continue_on(seed)
            }),
        };
        Row::of(index, cell, seed, &outcome)
    }

    /// The indices of the runs of shard `shard`.
    pub fn shard(&self, shard: Shard) -> Vec<usize> {
        shard.slice(self.runs()).collect()
    }

    /// Checks that `rows` are exactly shard `shard`'s runs of this sweep,
    /// each with its own cell and seed.
    pub fn check_rows(&self, rows: &[Row], shard: Shard) -> Result<(), String> {
        let expected = self.shard(shard);
        if rows.len() != expected.len() {
            return Err(format!(
                "shard {shard} holds {} runs; it has {}",
                rows.len(),
                expected.len()
            ));
        }
        for (r, &i) in rows.iter().zip(&expected) {
            let (cell, seed) = self.cell_and_seed(i);
            if r.index != i || r.cell != cell || r.seed != seed {
                return Err(format!(
                    "shard {shard}: a row claims run {} (cell {}, seed {}); run {i} is cell {cell}, seed {seed}",
                    r.index, r.cell, r.seed
                ));
            }
        }
        Ok(())
    }
}

/// A cell's scenario: the document with the cell's values, validated.
/// Errors name the cell's settings, since the text validated is not the
/// file's.
pub(crate) fn cell_scenario(
    doc: &Document,
    cell: &Cell,
    file: &Path,
) -> Result<Scenario, InputError> {
    doc.validate(&cell.0, |text| Scenario::parse(text, file))
}

/// What one run measured that a study compares. `None` inside a measure
/// means not reached ([`units::NOT_REACHED`](crate::metrics::units::NOT_REACHED): the run ended first); a measure
/// that does not apply (no failover, no client) is `None` outside.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// The run's index in the sweep.
    pub index: usize,
    /// The cell's index.
    pub cell: usize,
    /// The root seed.
    pub seed: u64,
    /// The trace digest, to check a replay.
    pub trace_digest: String,
    /// Events processed.
    pub events: u64,
    /// Expectations that failed, invariants violated, or an early stop.
    pub failed: Vec<String>,
    /// Whether the run stopped at its event budget: its measures are left
    /// out of the cell's statistics.
    pub stopped_early: bool,
    /// Invariants violated.
    pub invariants_violated: Vec<String>,
    /// Failovers (attempts that ended in a new writer or are still open).
    pub failovers: usize,
    /// The first failover's phases and client view, if there was one.
    pub rto: Option<RowRto>,
    /// The longest time no commit could be acknowledged, seconds; `None`
    /// when an outage was still open at the end of the run.
    pub longest_write_outage_s: Option<f64>,
    /// Acknowledged commits lost.
    pub lost_commits: u64,
    /// Acknowledged commits whose copies were down (not destroyed) at the
    /// end.
    pub unavailable_commits: u64,
    /// Commits acknowledged.
    pub acknowledged_commits: u64,
    /// Fraction of time writes were possible.
    pub write_availability: f64,
    /// Failed client requests by kind, in [`ClientError::ALL`] order.
    ///
    /// [`ClientError::ALL`]: crate::vocab::ClientError::ALL
    #[serde(default)]
    pub client_errors: Vec<u64>,
}

/// The first failover of a run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RowRto {
    /// Fault → writable through a fresh lookup; `None`: never.
    pub total_s: Option<f64>,
    /// The six phases, in [`crate::metrics::Rto::PHASES`] order.
    pub phases_s: [f64; 6],
    /// Whether any client of the cluster endpoint was measured.
    pub clients_measured: bool,
    /// Median client-observed RTO (`None`: never).
    pub client_p50_s: Option<f64>,
    /// Slowest client.
    pub client_max_s: Option<f64>,
    /// Clients that never wrote again.
    pub clients_never_recovered: u32,
    /// Whether there was a level before the fault for performance to
    /// come back to.
    pub performance_level: bool,
    /// Fault → throughput and p99 back to their level.
    pub recovered_performance_s: Option<f64>,
    /// The new writer's load after it opened.
    #[serde(default)]
    pub storm: Option<crate::metrics::Storm>,
}

impl Row {
    fn of(index: usize, cell: usize, seed: u64, o: &Outcome) -> Row {
        let s = &o.summary;
        let failed = s
            .expectations
            .iter()
            .filter(|e| !e.passed)
            .map(|e| e.name.clone())
            .chain(o.violations().map(|i| i.name.clone()))
            .chain(
                s.stopped_early
                    .iter()
                    .map(|why| format!("stopped early: {why}")),
            )
            .collect();
        let rto = s.rto.first().map(|r| {
            let c = r.client_observed_s.as_ref();
            RowRto {
                total_s: r.total_s,
                phases_s: r.phases(),
                clients_measured: c.is_some(),
                client_p50_s: c.and_then(|c| c.p50),
                client_max_s: c.and_then(|c| c.max),
                clients_never_recovered: c.map_or(0, |c| c.unrecovered),
                performance_level: r.commits_per_s_before.is_some(),
                recovered_performance_s: r.recovered_performance_s,
                storm: r.storm.clone(),
            }
        });
        Row {
            index,
            cell,
            seed,
            trace_digest: s.trace_digest.clone(),
            events: s.events_processed,
            failed,
            stopped_early: s.stopped_early.is_some(),
            invariants_violated: o.violations().map(|i| i.name.clone()).collect(),
            failovers: s.failovers.len(),
            rto,
            longest_write_outage_s: s
                .write_outages
                .iter()
                .all(|w| w.to_s < s.simulated_s)
                .then(|| s.longest_write_outage_s()),
            lost_commits: s.commits.lost,
            unavailable_commits: s.commits.unavailable_at_end,
            acknowledged_commits: s.commits.acknowledged,
            write_availability: s.write_availability,
            client_errors: s.client_errors.counts().to_vec(),
        }
    }
}

/// A figure of the new writer's load after the first failover.
fn storm(r: &Row, f: fn(&crate::metrics::Storm) -> f64) -> Option<Option<f64>> {
    r.rto.as_ref()?.storm.as_ref().map(|s| Some(f(s)))
}

/// One measure a sweep summarizes: its column name, what it is, and how a
/// row gives it.
pub struct Measure {
    /// Column and key name.
    pub name: &'static str,
    /// What it is, for tables.
    pub what: &'static str,
    /// Its unit as printed after a value (`s`, or empty for counts and
    /// fractions).
    pub unit: &'static str,
    /// Digits after the point in tables: none for a count.
    pub places: usize,
    /// The value in a row: outer `None` when it does not apply, inner
    /// `None` for "never".
    pub of: fn(&Row) -> Option<Option<f64>>,
}

/// A phase of a failover that finished (an unfinished one's phases are
/// not all measured).
fn phase(r: &Row, i: usize) -> Option<Option<f64>> {
    r.rto
        .as_ref()
        .filter(|x| x.total_s.is_some())
        .map(|x| Some(x.phases_s[i]))
}

/// Every measure, in column order.
pub const MEASURES: [Measure; 20] = [
    Measure {
        name: "rto_s",
        unit: "s",
        places: 2,
        what: "cluster RTO of the first failover",
        of: |r| r.rto.as_ref().map(|x| x.total_s),
    },
    Measure {
        name: "detection_s",
        unit: "s",
        places: 2,
        what: "detection",
        of: |r| phase(r, 0),
    },
    Measure {
        name: "failed_attempts_s",
        unit: "s",
        places: 2,
        what: "failed attempts",
        of: |r| phase(r, 1),
    },
    Measure {
        name: "selection_s",
        unit: "s",
        places: 2,
        what: "selection",
        of: |r| phase(r, 2),
    },
    Measure {
        name: "promotion_s",
        unit: "s",
        places: 2,
        what: "promotion",
        of: |r| phase(r, 3),
    },
    Measure {
        name: "recovery_s",
        unit: "s",
        places: 2,
        what: "recovery",
        of: |r| phase(r, 4),
    },
    Measure {
        name: "dns_s",
        unit: "s",
        places: 2,
        what: "DNS",
        of: |r| phase(r, 5),
    },
    Measure {
        name: "client_rto_p50_s",
        unit: "s",
        places: 2,
        what: "median client-observed RTO",
        of: |r| {
            r.rto
                .as_ref()
                .filter(|x| x.clients_measured)
                .map(|x| x.client_p50_s)
        },
    },
    Measure {
        name: "client_rto_max_s",
        unit: "s",
        places: 2,
        what: "slowest client's RTO",
        of: |r| {
            r.rto
                .as_ref()
                .filter(|x| x.clients_measured)
                .map(|x| x.client_max_s)
        },
    },
    Measure {
        name: "clients_never_recovered",
        unit: "",
        places: 0,
        what: "clients that never recovered",
        of: |r| {
            r.rto
                .as_ref()
                .map(|x| Some(f64::from(x.clients_never_recovered)))
        },
    },
    Measure {
        name: "recovered_performance_s",
        unit: "s",
        places: 2,
        what: "fault to throughput and p99 back",
        of: |r| {
            r.rto
                .as_ref()
                .filter(|x| x.performance_level)
                .map(|x| x.recovered_performance_s)
        },
    },
    Measure {
        name: "longest_write_outage_s",
        unit: "s",
        places: 2,
        what: "longest write outage",
        of: |r| Some(r.longest_write_outage_s),
    },
    Measure {
        name: "lost_commits",
        unit: "",
        places: 0,
        what: "acknowledged commits lost",
        of: |r| Some(Some(r.lost_commits as f64)),
    },
    Measure {
        name: "unavailable_commits",
        unit: "",
        places: 0,
        what: "commits unavailable at the end",
        of: |r| Some(Some(r.unavailable_commits as f64)),
    },
    Measure {
        name: "write_availability",
        unit: "",
        places: 4,
        what: "write availability",
        of: |r| Some(Some(r.write_availability)),
    },
    Measure {
        name: "client_errors",
        unit: "",
        places: 0,
        what: "failed client requests",
        of: |r| Some(Some(r.client_errors.iter().sum::<u64>() as f64)),
    },
    Measure {
        name: "new_writer_connections",
        unit: "",
        places: 0,
        what: "connections the new writer accepted in 30 s",
        of: |r| storm(r, |s| s.connections_accepted as f64),
    },
    Measure {
        name: "new_writer_connect_cpu_s",
        unit: "s",
        places: 2,
        what: "CPU-seconds those connections cost",
        of: |r| storm(r, |s| s.connect_cpu_s),
    },
    Measure {
        name: "new_writer_cpu_peak",
        unit: "",
        places: 2,
        what: "new writer's busiest second (CPU share)",
        of: |r| storm(r, |s| s.cpu_peak),
    },
    Measure {
        name: "new_writer_commit_p99_peak_ms",
        unit: "ms",
        places: 2,
        what: "worst commit p99 in its first 30 s",
        // No commit in the window is nothing measured, not "never".
        of: |r| r.rto.as_ref()?.storm.as_ref()?.commit_p99_peak_ms.map(Some),
    },
];

/// A finished sweep (or a merge of its shards): the plan and every row.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepResult {
    /// The plan.
    pub plan: Plan,
    /// One row per run, in index order.
    pub rows: Vec<Row>,
}

/// One cell's summary in `sweep.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellSummary {
    /// The cell's values, as `PATH=VALUE`.
    pub settings: Vec<String>,
    /// Runs.
    pub runs: usize,
    /// Runs in which an expectation or invariant failed, or that stopped
    /// early.
    pub failed_runs: usize,
    /// Runs stopped at the event budget, left out of the measures.
    pub stopped_early: usize,
    /// Runs with an invariant violated.
    pub invariant_failures: usize,
    /// Runs with at least one failover.
    pub runs_with_failover: usize,
    /// Each measure that applied to some run.
    pub measures: Vec<MeasureSummary>,
    /// The headline measure's values, sorted (`null`: never), for the
    /// distribution chart.
    pub headline_sample: Vec<Option<f64>>,
    /// Failed client requests per run, by kind in
    /// [`crate::vocab::ClientError::ALL`] order: the mean over the cell's
    /// runs.
    #[serde(default)]
    pub client_errors: Vec<f64>,
}

impl CellSummary {
    /// A measure's distribution, if it applied to some run of the cell.
    pub fn measure(&self, name: &str) -> Option<&Distribution> {
        self.measures
            .iter()
            .find(|m| m.measure == name)
            .map(|m| &m.distribution)
    }
}

/// One measure of one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasureSummary {
    /// The measure's name ([`MEASURES`]).
    pub measure: String,
    /// Its distribution over the cell's runs.
    #[serde(flatten)]
    pub distribution: Distribution,
}

/// `sweep.json`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepSummary {
    /// Layout version.
    pub format: u32,
    /// The scenario's name.
    pub scenario: String,
    /// The scenario file.
    pub file: String,
    /// Settings varied, as `PATH=V1,V2`.
    pub settings: Vec<String>,
    /// The seeds.
    pub seeds: Vec<u64>,
    /// The seed of the prefix each cell's runs share up to its first
    /// fault, when they share one: what the prefix settled (the
    /// health-check phase at the fault, the caches' contents) is the same
    /// in every run of a cell, and the intervals are conditional on it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_prefix: Option<u64>,
    /// Runs in all.
    pub runs: usize,
    /// Confidence level of every interval.
    pub confidence: f64,
    /// The measure the charts show: `rto_s` when any run failed over,
    /// else `longest_write_outage_s`.
    pub headline: String,
    /// Runs with an invariant violated, in all: these lead every output.
    pub invariant_failures: usize,
    /// One entry per cell, in grid order.
    pub cells: Vec<CellSummary>,
}

impl SweepSummary {
    /// What a shared prefix means for the runs, when they share one.
    pub fn prefix_note(&self) -> Option<String> {
        self.common_prefix.map(|seed| {
            format!(
                "each cell's runs share its prefix up to the first fault (seed {seed}): what was \
                 settled before it, such as the health checks' phase, is the same in every run, \
                 and the intervals are conditional on it"
            )
        })
    }
}

impl SweepResult {
    /// The per-cell statistics.
    pub fn summary(&self) -> SweepSummary {
        let cells_n = self.plan.grid.len();
        let headline = if self.rows.iter().any(|r| r.rto.is_some()) {
            "rto_s"
        } else {
            "longest_write_outage_s"
        };
        let head = MEASURES.iter().find(|m| m.name == headline).expect("known");
        let cells = self
            .plan
            .grid
            .cells()
            .iter()
            .enumerate()
            .take(cells_n)
            .map(|(ci, cell)| {
                let all: Vec<&Row> = self.rows.iter().filter(|r| r.cell == ci).collect();
                let rows: Vec<&Row> = all.iter().copied().filter(|r| !r.stopped_early).collect();
                let measures = MEASURES
                    .iter()
                    .enumerate()
                    .filter_map(|(mi, m)| {
                        let sample: Vec<Option<f64>> =
                            rows.iter().filter_map(|r| (m.of)(r)).collect();
                        let stream = (ci * MEASURES.len() + mi) as u64;
                        Distribution::of(&sample, stream).map(|d| MeasureSummary {
                            measure: m.name.to_owned(),
                            distribution: d,
                        })
                    })
                    .collect();
                let mut headline_sample: Vec<Option<f64>> =
                    rows.iter().filter_map(|r| (head.of)(r)).collect();
                headline_sample.sort_by(|a, b| match (a, b) {
                    (Some(x), Some(y)) => x.total_cmp(y),
                    (a, b) => a.is_none().cmp(&b.is_none()),
                });
                CellSummary {
                    settings: cell.0.iter().map(|(p, v)| format!("{p}={v}")).collect(),
                    runs: all.len(),
                    stopped_early: all.len() - rows.len(),
                    failed_runs: all.iter().filter(|r| !r.failed.is_empty()).count(),
                    invariant_failures: all
                        .iter()
                        .filter(|r| !r.invariants_violated.is_empty())
                        .count(),
                    runs_with_failover: rows.iter().filter(|r| r.failovers > 0).count(),
                    measures,
                    headline_sample,
                    client_errors: (0..crate::vocab::ERROR_KINDS)
                        .map(|k| {
                            let n = rows.len().max(1) as f64;
                            rows.iter()
                                .map(|r| r.client_errors.get(k).copied().unwrap_or(0) as f64)
                                .sum::<f64>()
                                / n
                        })
                        .collect(),
                }
            })
            .collect::<Vec<_>>();
        SweepSummary {
            format: FORMAT,
            scenario: self.plan.scenario.clone(),
            file: self.plan.file.clone(),
            settings: self
                .plan
                .grid
                .settings
                .iter()
                .map(|s| s.to_string())
                .collect(),
            seeds: self.plan.seeds.0.clone(),
            common_prefix: self.plan.common_prefix,
            runs: self.rows.len(),
            confidence: CONFIDENCE,
            headline: headline.to_owned(),
            invariant_failures: cells.iter().map(|c| c.invariant_failures).sum(),
            cells,
        }
    }

    /// `sweep.csv`: one row per run. A measure that does not apply is
    /// empty; one that never happened is `never`.
    #[cfg(feature = "csv")]
    pub fn csv(&self) -> String {
        let mut w = csv::Writer::from_writer(Vec::new());
        let mut header: Vec<String> = vec!["run".into(), "cell".into()];
        header.extend(self.plan.grid.settings.iter().map(|s| s.path.clone()));
        header.extend(
            [
                "seed",
                "trace_digest",
                "events",
                "passed",
                "invariants",
                "failovers",
            ]
            .map(String::from),
        );
        header.extend(MEASURES.iter().map(|m| m.name.to_owned()));
        header.push("acknowledged_commits".into());
        w.write_record(&header).expect("writing to memory succeeds");
        let cells = self.plan.grid.cells();
        for r in &self.rows {
            let mut rec: Vec<String> = vec![r.index.to_string(), r.cell.to_string()];
            rec.extend(cells[r.cell].0.iter().map(|(_, v)| v.clone()));
            rec.push(r.seed.to_string());
            rec.push(r.trace_digest.clone());
            rec.push(r.events.to_string());
            rec.push(r.failed.is_empty().to_string());
            rec.push(if r.invariants_violated.is_empty() {
                "held".into()
            } else {
                format!("violated: {}", r.invariants_violated.join("; "))
            });
            rec.push(r.failovers.to_string());
            for m in &MEASURES {
                rec.push(match (m.of)(r) {
                    None => String::new(),
                    Some(None) => "never".into(),
                    Some(Some(v)) => v.to_string(),
                });
            }
            rec.push(r.acknowledged_commits.to_string());
            w.write_record(&rec).expect("writing to memory succeeds");
        }
        String::from_utf8(w.into_inner().expect("flushes to memory")).expect("UTF-8")
    }

    /// The runs that failed, each with the command that replays it.
    pub fn failures(&self) -> Vec<String> {
        let cells = self.plan.grid.cells();
        self.rows
            .iter()
            .filter(|r| !r.failed.is_empty())
            .map(|r| {
                let file = crate::error::shown(std::path::Path::new(&self.plan.file));
                let mut cmd = format!("aurora-sim run {file} --seed {}", r.seed);
                if let Some(prefix) = self.plan.common_prefix {
                    let _ = write!(cmd, " --common-prefix {prefix}");
                }
                for (p, v) in &cells[r.cell].0 {
                    let _ = write!(cmd, " --set {p}={v}");
                }
                // A run stopped by the sweep's event budget replays only
                // under the same budget.
                if self.plan.max_events != crate::model::DEFAULT_MAX_EVENTS {
                    let _ = write!(cmd, " --max-events {}", self.plan.max_events);
                }
                format!("{}: {cmd}", r.failed.join(", "))
            })
            .collect()
    }
}

/// `sweep.json` text.
pub fn summary_json(s: &SweepSummary) -> String {
    let mut text = serde_json::to_string_pretty(s).expect("a sweep summary serializes");
    text.push('\n');
    text
}
