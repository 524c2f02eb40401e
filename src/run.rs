//! Running a scenario and collecting what it measured.

use std::io::Write;

use std::collections::BTreeMap;

use crate::check::Checks;
use crate::metrics::{level_before, rate_after, recovered_performance, Judged};
use crate::metrics::{
    AutoScalingSummary, Candidate, CapacitySummary, ClientErrors, ClientGroup, ClientObserved,
    Commits, CommonPrefix, CustomEndpointSummary, FailedAttempt, Failover, FaultSummary,
    ForwardingSummary, GlobalSummary, GroupObserved, GroupResult, Healing, InstanceSummary,
    InvariantResult, Lag, Latency, Maintenance, Outage, PatchedInstance, Reads, RegionExposure,
    RegionPromotion, RegionSummary, Rto, ScalingActivity, ServerlessSummary, Steps, StorageSummary,
    Summary, TimelineRow, Topology, FORMAT_VERSION,
};
use crate::model::client::{Client, GAP_MIN};
use crate::model::compute::instance::{Instance, Process};
use crate::model::compute::patch::PatchOutcome;
use crate::model::config::{
    CacheSpec, Config, Connection, Environment, FaultKind, HalfAcus, Members, RegionId,
    ScalingMetric, TieBreak,
};
use crate::model::control::{Answer, FailoverRecord, Reason};
use crate::model::{Observer, World, DEFAULT_MAX_EVENTS};
use crate::scenario::{expect, ExpectSpec, Scenario};
use crate::sim::memory::Ceiling;
use crate::sim::{SimDuration, SimTime, Trace, TraceFilter};
use crate::vocab::ids::InstanceId;

/// One run of one scenario.
#[derive(Clone)]
pub struct Simulation {
    world: World,
    expect: ExpectSpec,
    max_events: u64,
    /// A memory ceiling in bytes, and where it comes from.
    ceiling: Option<(u64, String)>,
    /// Where the run leaves a prefix it shares with other seeds' runs.
    fork: Option<Fork>,
}

/// Where a run forked from a common prefix leaves it, and the seed whose
/// streams it continues on.
#[derive(Clone, Copy, Debug)]
struct Fork {
    at: SimTime,
    /// The seed of the prefix.
    prefix: u64,
    /// The run's own seed.
    seed: u64,
}

/// Why a scenario has no common prefix to share: nothing in it differs
/// between seeds' runs before a fault but the draws themselves.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum NoPrefix {
    /// The scenario schedules no fault.
    NoFault,
    /// Its first fault starts at 0 s.
    FaultAtStart,
}

impl std::fmt::Display for NoPrefix {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            NoPrefix::NoFault => {
                "a common prefix ends at the first fault, and the scenario schedules none"
            }
            NoPrefix::FaultAtStart => {
                "a common prefix ends at the first fault, and the scenario's first fault starts at 0 s"
            }
        })
    }
}

/// Where runs of `cfg` leave the prefix they share: the first fault's
/// start.
pub(crate) fn fork_at(cfg: &Config) -> Result<SimTime, NoPrefix> {
    let at = cfg
        .faults
        .iter()
        .map(|f| f.at)
        .min()
        .ok_or(NoPrefix::NoFault)?;
    if at == SimTime::ZERO {
        return Err(NoPrefix::FaultAtStart);
    }
    Ok(at)
}

/// A run simulated up to where it leaves the prefix it shares with other
/// seeds' runs: each of those runs continues a copy of it on its own
/// seed's streams ([`Simulation::common_prefix`]).
#[derive(Clone)]
pub struct Prefix {
    sim: Simulation,
    checks: Checks,
    /// Why the prefix stopped early, if it did.
    stopped: Option<String>,
}

/// What a run produced.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// The summary (`summary.json`).
    pub summary: Summary,
    /// The timeline (`timeline.csv`), one row per bin.
    pub timeline: Vec<TimelineRow>,
    /// Bin width of the timeline.
    pub bin: SimDuration,
    /// The most the run's thread held at once, in bytes, when it ran
    /// under a memory ceiling (see [`Simulation::memory_ceiling`]).
    pub peak_memory: Option<u64>,
}

impl Outcome {
    /// Whether the run reached its end and every expectation and every
    /// invariant held.
    pub fn passed(&self) -> bool {
        self.summary.stopped_early.is_none()
            && self.summary.expectations.iter().all(|e| e.passed)
            && self.invariants_held()
    }

    /// Whether every invariant held.
    pub fn invariants_held(&self) -> bool {
        self.summary.invariants.iter().all(|i| i.held)
    }

    /// The invariants that were violated.
    pub fn violations(&self) -> impl Iterator<Item = &InvariantResult> {
        self.summary.invariants.iter().filter(|i| !i.held)
    }

    /// `summary.json` text.
    pub fn summary_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(&self.summary).expect("summary serializes");
        s.push('\n');
        s
    }

    /// `timeline.csv` text.
    pub fn timeline_csv(&self) -> String {
        let mut out = Vec::new();
        self.write_timeline_csv(&mut out)
            .expect("writing to memory succeeds");
        String::from_utf8(out).expect("the timeline is UTF-8")
    }

    /// Writes `timeline.csv` row by row, so that a long timeline is never
    /// held twice in memory.
    pub fn write_timeline_csv(&self, w: &mut impl Write) -> std::io::Result<()> {
        std::io::copy(&mut self.timeline_csv_reader(), w).map(drop)
    }

    /// `timeline.csv` as a reader that makes each line when it is read.
    pub fn timeline_csv_reader(&self) -> impl std::io::Read + '_ {
        let topology = &self.summary.topology;
        let names: Vec<&str> = topology.instances.iter().map(|i| i.name.as_str()).collect();
        let groups: Vec<&str> = topology.clients.iter().map(|c| c.name.as_str()).collect();
        let regions: Vec<&str> = self
            .summary
            .global
            .iter()
            .flat_map(|g| g.regions.iter().map(|r| r.name.as_str()))
            .collect();
        let serverless: Vec<&str> = topology
            .instances
            .iter()
            .filter(|i| i.acu.is_some())
            .map(|i| i.name.as_str())
            .collect();
        let header = TimelineRow::csv_header(&names, &groups, &regions, &serverless);
        let rows = self
            .timeline
            .iter()
            .map(move |row| row.csv(self.bin, &names));
        LinesReader {
            lines: std::iter::once(header).chain(rows),
            line: Vec::new(),
            at: 0,
        }
    }
}

/// Lines, each ended by a newline, read as bytes when asked for.
struct LinesReader<I> {
    lines: I,
    line: Vec<u8>,
    at: usize,
}

impl<I: Iterator<Item = String>> std::io::Read for LinesReader<I> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.at == self.line.len() {
            let Some(line) = self.lines.next() else {
                return Ok(0);
            };
            self.line = line.into_bytes();
            self.line.push(b'\n');
            self.at = 0;
        }
        let n = buf.len().min(self.line.len() - self.at);
        buf[..n].copy_from_slice(&self.line[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// How the cluster came back once the last fault was over, up to `end`.
fn healing(w: &World, write_stalls: &[(SimTime, SimTime)], end: SimTime) -> Healing {
    let Some(over) = w.config().faults_over() else {
        return Healing::default();
    };
    let mut healing = Healing {
        faults_over_s: Some(over.as_secs_f64()),
        ..Healing::default()
    };
    if over > end {
        return healing;
    }
    let after = |t: SimTime| t.max(over).since(over).as_secs_f64();
    // Work still waiting at the end is an outage to the end: not back.
    let stalled_to = write_stalls.last().map_or(SimTime::ZERO, |s| s.1);
    healing.writes_back_s = (w.writer_open() && stalled_to < end)
        .then(|| after(w.current_writer().opened.max(stalled_to)));
    // The readers replica auto scaling adds and removes are the policy's,
    // not the cluster the scenario lists: whether it has them is its own
    // account (`auto_scaling`), not the cluster's healing.
    let listed: Vec<&Instance> = w
        .instances()
        .iter()
        .zip(&w.config().instances)
        .filter(|(_, c)| !c.autoscaled)
        .map(|(i, _)| i)
        .collect();
    let up = |i: &&Instance| i.host_up() && i.running();
    healing.instances_back_s = listed
        .iter()
        .all(up)
        .then(|| after(listed.iter().map(|i| i.started).max().unwrap_or(over)));
    healing.full_copies_s = w.recorder().redundancy.all_full_since().map(after);
    let mut latest = None::<SimTime>;
    for c in w.clients() {
        match back_for_good(c, end) {
            Some(t) => latest = latest.max(Some(t)),
            None => healing.clients_not_back += 1,
        }
    }
    if healing.clients_not_back == 0 {
        healing.clients_back_s = latest.map(after);
    }
    healing
}

/// When client `c` was back for good after the faults were over: its
/// first success sent after them, or the end of a later gap between
/// successes; `None` if it has none, or is waiting out a gap at the end.
fn back_for_good(c: &Client, end: SimTime) -> Option<SimTime> {
    let first = c.back?;
    if c.pending_since().is_some_and(|t| end.since(t) >= GAP_MIN) {
        return None;
    }
    let gap = c.gaps.last().map_or(first, |g| g.to);
    Some(first.max(gap))
}

/// Seconds between two optional instants (0 when either is missing).
fn span(from: Option<SimTime>, to: Option<SimTime>) -> f64 {
    match (from, to) {
        (Some(a), Some(b)) => b.since(a).as_secs_f64(),
        _ => 0.0,
    }
}

/// What the clients on the cluster endpoint (of `group` only, if given,
/// which may also be a custom endpoint's group) saw of failover `f`;
/// `None` when there were none.
fn observed(w: &World, f: &FailoverRecord, group: Option<usize>) -> Option<ClientObserved> {
    let started = f.started;
    let mut recovered = Vec::new();
    let mut unrecovered = 0;
    for c in w.clients() {
        // Clients of the cluster endpoint only, or the custom endpoint
        // group asked about.
        let g = &w.config().clients[c.group];
        let measured = match group {
            None => !g.reader,
            Some(k) => k == c.group && (!g.reader || g.custom.is_some()),
        };
        if !measured {
            continue;
        }
        // One that had not yet written when the fault struck (a fault at
        // the start) waited from the fault to its first success.
        if c.first_ok.is_none_or(|t| t > started) {
            match c.first_ok {
                Some(t) => recovered.push(t.since(started).as_secs_f64()),
                None => unrecovered += 1,
            }
            continue;
        }
        // Back at the first success whose request was sent after the
        // fault; a response already in flight at the fault does not count.
        // A client already down when this fault struck (an earlier
        // failover's fault falls in its gap) is counted from this fault:
        // the time before it is the earlier failover's.
        match c.gaps.iter().find(|g| g.to_sent > started) {
            Some(g) => {
                let earlier =
                    (w.failovers().iter()).any(|e| e.started > g.from && e.started < started);
                let from = if earlier { started } else { g.from };
                recovered.push(g.to.since(from).as_secs_f64());
            }
            // No gap: either it never stopped succeeding, or it never
            // succeeded again (and may be waiting out a gap at the end).
            None if c.last_ok_sent.is_some_and(|t| t > started) && !out_at_end(w, c) => {
                recovered.push(0.0)
            }
            None => unrecovered += 1,
        }
    }
    summarize(recovered, unrecovered)
}

/// Each planned event (engine patch, operating-system update, class
/// change): its instances' parts and what each client group saw from its
/// start.
fn maintenance(w: &World) -> Vec<Maintenance> {
    let sc = w.config();
    let planned = sc
        .faults
        .iter()
        .enumerate()
        .filter_map(|(id, f)| match &f.kind {
            FaultKind::EnginePatch(zdp) => Some((id, f.at, "engine_patch", Some(*zdp), None)),
            FaultKind::OsUpdate => Some((id, f.at, "os_update", None, None)),
            FaultKind::ClassChange { class, .. } => {
                Some((id, f.at, "class_change", None, Some(class.clone())))
            }
            _ => None,
        });
    planned
        .map(|(id, at, kind, zero_downtime, class)| {
            let instances: Vec<PatchedInstance> = (w.patches().iter())
                .filter(|r| r.fault as usize == id)
                .map(|r| {
                    let since = |t: SimTime| t.since(r.asked).as_secs_f64();
                    let (outcome, held_s) = match r.outcome {
                        PatchOutcome::Kept { resumed } => {
                            ("connections_kept", Some(since(resumed)))
                        }
                        PatchOutcome::FellBack => ("fell_back", None),
                        PatchOutcome::Restarted => ("restarted", None),
                        PatchOutcome::Updated => ("updated", None),
                        PatchOutcome::Moved => ("moved", None),
                        PatchOutcome::Overtaken => ("overtaken", None),
                        PatchOutcome::Underway => ("underway", None),
                        PatchOutcome::Waiting => ("waiting", None),
                        PatchOutcome::Skipped(_) => ("skipped", None),
                    };
                    PatchedInstance {
                        name: sc.instances[r.inst.index()].name.clone(),
                        outcome: outcome.to_owned(),
                        from_s: r.asked.since(at).as_secs_f64(),
                        held_s,
                        unavailable_s: r.back.map(since),
                        why: match r.outcome {
                            PatchOutcome::Skipped(why) => Some(why.to_owned()),
                            _ => None,
                        },
                    }
                })
                .collect();
            // An event that reached no instance (refused, skipping every
            // one, or still waiting for its turn at the end) caused no
            // outage of its own.
            let reached =
                (instances.iter()).any(|i| !matches!(i.outcome.as_str(), "skipped" | "waiting"));
            let until = under_way_until(w, id, at);
            let clients = (sc.clients.iter().enumerate())
                .filter(|_| reached)
                .map(|(g, group)| GroupObserved {
                    group: group.name.clone(),
                    observed: observed_during(w, (at, until), g),
                })
                .collect();
            Maintenance {
                kind: kind.to_owned(),
                at_s: at.as_secs_f64(),
                zero_downtime,
                class,
                instances,
                clients,
            }
        })
        .collect()
}

/// A warning for each instance a planned event left as it was, or had not
/// finished with when the run ended: the cluster ends on mixed versions,
/// or an instance on the class it was to leave.
fn unfinished_maintenance(events: &[Maintenance]) -> Vec<String> {
    let unfinished = |i: &&PatchedInstance| {
        matches!(
            i.outcome.as_str(),
            "skipped" | "overtaken" | "waiting" | "underway"
        )
    };
    (events.iter())
        .flat_map(|m| m.instances.iter().filter(unfinished).map(move |i| (m, i)))
        .map(|(m, i)| {
            format!(
                "{} at {:.1} s did not reach {}: {}; it is left on {}",
                m.kind,
                m.at_s,
                i.name,
                i.outcome_words(),
                if m.class.is_some() {
                    "its old class"
                } else {
                    "the old version"
                }
            )
        })
        .collect()
}

/// Until when planned event `id`, begun `at`, was under way: until the
/// last of its instances served again or resumed (a rolling update's old
/// writer is reached only after the failover), or the end of the run if
/// one had not.
fn under_way_until(w: &World, id: usize, at: SimTime) -> SimTime {
    let mut until = at;
    for r in w.patches().iter().filter(|r| r.fault as usize == id) {
        let done = match r.outcome {
            PatchOutcome::Kept { resumed } => Some(resumed),
            PatchOutcome::Skipped(_) => Some(r.asked),
            o if o.restarts() => r.back,
            _ => None,
        };
        until = until.max(done.unwrap_or_else(|| w.now()));
    }
    until
}

/// What the clients of `group` saw of a planned event under way over
/// `span`: each client's longest time without a success among the
/// outages that began while it was under way (counted from the event's
/// start for one already out then); "never" for a client out at the end
/// since then. Outages of other faults in the same span are counted too:
/// the run does not know which event a client's outage is owed to.
fn observed_during(
    w: &World,
    (from, until): (SimTime, SimTime),
    group: usize,
) -> Option<ClientObserved> {
    let mut recovered = Vec::new();
    let mut unrecovered = 0;
    for c in w.clients().iter().filter(|c| c.group == group) {
        if out_at_end(w, c) && c.pending_since().is_some_and(|t| t < until) {
            unrecovered += 1;
            continue;
        }
        let longest = (c.gaps.iter())
            .filter(|g| g.to > from && g.from < until)
            .map(|g| g.to.since(g.from.max(from)).as_secs_f64())
            .fold(0.0, f64::max);
        recovered.push(longest);
    }
    summarize(recovered, unrecovered)
}

/// Whether client `c` is waiting out a gap at the end of the run: its
/// request in progress was first tried at least [`GAP_MIN`] before.
fn out_at_end(w: &World, c: &Client) -> bool {
    c.pending_since()
        .is_some_and(|t| w.now().since(t) >= GAP_MIN)
}

/// Times back, and clients that never came back, as percentiles: a
/// percentile that falls among the clients that never came back is
/// "never" (null), not a number. `None` when no client was measured.
fn summarize(mut recovered: Vec<f64>, unrecovered: usize) -> Option<ClientObserved> {
    recovered.sort_by(f64::total_cmp);
    let measured = recovered.len() + unrecovered;
    if measured == 0 {
        return None;
    }
    let q = |p: f64| {
        let i = ((measured - 1) as f64 * p).round() as usize;
        recovered.get(i).copied()
    };
    Some(ClientObserved {
        clients: measured as u32,
        p50: q(0.5),
        p99: q(0.99),
        max: q(1.0),
        unrecovered: unrecovered as u32,
    })
}

/// Each client group's requests, errors and view of each failover.
fn client_groups(w: &World) -> Vec<GroupResult> {
    w.config()
        .clients
        .iter()
        .enumerate()
        .map(|(g, cfg)| {
            let members = || w.clients().iter().filter(move |c| c.group == g);
            GroupResult {
                name: cfg.name.clone(),
                requests_ok: members().map(|c| c.requests_ok).sum(),
                errors: ClientErrors::from_counts(w.recorder().group_errors[g]),
                hung: members().filter(|c| hung(w, c)).count() as u32,
                client_observed_s: w
                    .failovers()
                    .iter()
                    .filter_map(|f| observed(w, f, Some(g)))
                    .collect(),
            }
        })
        .collect()
}

/// Whether a client's request had waited past the stall threshold when the
/// run ended.
fn hung(w: &World, c: &Client) -> bool {
    c.waiting_since()
        .is_some_and(|t| w.now().since(t) > w.recorder().threshold())
}

/// One failover's phases and what its clients saw, as they stood when
/// the run ended.
fn rto(w: &World, f: &FailoverRecord) -> Rto {
    let f = &f.as_of(w.end());
    let started = Some(f.started);
    let (rows, bin) = (w.recorder().rows(), w.recorder().bin());
    let earlier: Vec<Judged> = w
        .failovers()
        .iter()
        .map(|e| Judged {
            started: e.started,
            writable: e.writable,
        })
        .collect();
    let level = level_before(rows, bin, f.started, &earlier);
    let commits_per_s_after = rate_after(rows, bin, f.writable, w.end());
    let secs = |a: Option<SimTime>, b: Option<SimTime>| Some(b?.since(a?).as_secs_f64());
    let steps = Steps {
        stop_s: f.promoted.and(secs(f.selected, f.stopped)),
        engine_start_s: secs(f.stopped, f.promoted),
        storage_recovery_s: secs(f.promoted, f.recovered),
        rebuild_s: f.writable.and(secs(f.recovered, f.rebuilt)),
        open_s: secs(f.rebuilt, f.writable),
    };
    Rto {
        detection_s: span(started, Some(f.declared)),
        synchronise_s: f.synchronised.map(|t| t.since(f.declared).as_secs_f64()),
        failed_attempts_s: span(f.synchronised.or(Some(f.declared)), Some(f.attempt_began)),
        selection_s: span(Some(f.attempt_began), f.selected),
        promotion_s: span(f.selected, f.promoted),
        recovery_s: span(f.promoted, f.writable),
        dns_s: span(f.writable, f.dns_visible),
        total_s: f.dns_visible.map(|t| t.since(f.started).as_secs_f64()),
        steps,
        recovered_performance_s: level
            .and_then(|l| recovered_performance(rows, bin, l, f.started, f.writable)),
        commits_per_s_before: level.map(|l| l.commits_per_s),
        commits_per_s_after,
        client_observed_s: observed(w, f, None),
        storm: f.to.and_then(|to| {
            crate::metrics::storm(
                rows,
                bin,
                to.index(),
                f.writable,
                w.config().engine.cpu_per_connect,
                level,
            )
        }),
        attempts: f
            .failed_attempts
            .iter()
            .map(|&(to, began, failed)| FailedAttempt {
                to: Some(w.instances()[to.index()].name.clone()),
                from_s: began.as_secs_f64(),
                failed_s: failed.as_secs_f64(),
            })
            .collect(),
        capacity: capacity(w, f),
    }
}

/// The replica auto scaling policy and what it did.
fn auto_scaling(w: &World) -> Option<AutoScalingSummary> {
    let policy = w.config().auto_scaling.as_ref()?;
    let done = w.autoscaling()?;
    let instances = w.instances();
    let activities = done
        .activities
        .iter()
        .enumerate()
        .map(|(k, a)| {
            let i = &instances[a.inst.index()];
            let again = done.activities[k + 1..].iter().any(|b| b.inst == a.inst);
            let stopped = i.process == Process::Stopped;
            ScalingActivity {
                lost: a.added && a.serving.is_none() && (again || stopped),
                at_s: a.at.as_secs_f64(),
                action: if a.added { "add" } else { "remove" }.to_owned(),
                instance: i.name.clone(),
                az: w.config().topology.azs[i.az.index()].clone(),
                metric: a.metric,
                serving_s: a.serving.map(SimTime::as_secs_f64),
            }
        })
        .collect();
    Some(AutoScalingSummary {
        metric: match policy.metric {
            ScalingMetric::Cpu => "cpu",
            ScalingMetric::Connections => "connections",
        }
        .to_owned(),
        target: policy.target,
        min_readers: policy.min,
        max_readers: policy.max,
        activities,
        peak_metric: done
            .datapoints
            .iter()
            .filter_map(|&(_, m)| m)
            .reduce(f64::max),
    })
}

/// What each Aurora Serverless v2 instance's capacity came to by `now`.
fn serverless(w: &World, now: SimTime) -> Option<ServerlessSummary> {
    let range = w.config().serverless.as_ref()?;
    let instances: Vec<CapacitySummary> = w
        .instances()
        .iter()
        .zip(&w.config().instances)
        .filter_map(|(i, c)| {
            let s = i.serverless?;
            let used = s.used_through(now);
            let run = now.as_secs_f64();
            Some(CapacitySummary {
                name: i.name.clone(),
                start_acu: c.acu?.acu(),
                end_acu: s.acu.acu(),
                peak_acu: used.peak.acu(),
                mean_acu: if run > 0.0 {
                    used.acu_s / run
                } else {
                    s.acu.acu()
                },
                acu_hours: used.acu_s / 3600.0,
                pauses: used.pauses,
                resumes: used.resumes,
                paused_s: used.paused_s,
            })
        })
        .collect();
    (!instances.is_empty()).then(|| ServerlessSummary {
        min_acu: range.min.acu(),
        max_acu: range.max.acu(),
        instances,
    })
}

/// A failover's Aurora Serverless v2 capacity record, when the failed
/// writer or the instance promoted is a `db.serverless` instance.
fn capacity(w: &World, f: &FailoverRecord) -> Option<crate::metrics::FailoverCapacity> {
    let instances = &w.config().instances;
    let column = |i: InstanceId| {
        instances[i.index()].acu.map(|_| {
            instances[..i.index()]
                .iter()
                .filter(|c| c.acu.is_some())
                .count()
        })
    };
    let (from, to) = (column(f.from), f.to.and_then(column));
    (from.is_some() || to.is_some()).then(|| {
        let (rows, bin) = (w.recorder().rows(), w.recorder().bin());
        crate::metrics::failover_capacity(rows, bin, (from, to), f.started, f.writable)
    })
}

fn topology(sc: &Config) -> Topology {
    let az = |z: crate::vocab::ids::AzId| sc.topology.azs[z.index()].clone();
    Topology {
        azs: sc.topology.azs.clone(),
        storage_nodes_per_az: sc.topology.nodes_per_az,
        volume_gib: sc.storage.volume_gib,
        copies: sc.storage.quorum.copies(),
        write_quorum: sc.storage.quorum.write(),
        read_quorum: sc.storage.quorum.read(),
        instances: sc
            .instances
            .iter()
            .map(|i| InstanceSummary {
                name: i.name.clone(),
                az: az(i.az),
                class: i.class.clone(),
                tier: i.tier,
                role: if i.writer || i.environment == Environment::GreenWriter {
                    "writer"
                } else {
                    "reader"
                }
                .to_owned(),
                environment: (i.environment != Environment::Blue).then(|| "green".to_owned()),
                acu: i.acu.map(HalfAcus::acu),
                autoscaled: i.autoscaled,
            })
            .collect(),
        clients: sc
            .clients
            .iter()
            .map(|c| ClientGroup {
                name: c.name.clone(),
                count: c.count,
                endpoint: match c.custom {
                    Some(k) => sc.endpoints[k].name.clone(),
                    None if c.reader => "reader".to_owned(),
                    None => "cluster".to_owned(),
                },
                az: az(c.az),
                dns_cache: match c.dns_cache {
                    None => "ttl".to_owned(),
                    Some(CacheSpec::For(d)) => d.to_string(),
                    Some(CacheSpec::Forever) => "forever".to_owned(),
                },
                read_timeout_s: c.read_timeout.map(|d| d.as_secs_f64()),
                connection: match &c.connection {
                    Connection::Direct => "direct".to_owned(),
                    Connection::Pool(p) => {
                        format!("pool of {} per {} clients", p.size, p.clients_per_pool)
                    }
                    Connection::Proxy => "proxy".to_owned(),
                    Connection::Driver(_) => "driver".to_owned(),
                },
                forward_writes: c.forward.map(|f| f.name().to_owned()),
            })
            .collect(),
        custom_endpoints: sc
            .endpoints
            .iter()
            .map(|e| {
                let (members, excluded) = match &e.members {
                    Members::Static(m) => (m, false),
                    Members::Excluded(m) => (m, true),
                };
                CustomEndpointSummary {
                    name: e.name.clone(),
                    kind: e.kind().to_owned(),
                    members: members
                        .iter()
                        .map(|i| sc.instances[i.index()].name.clone())
                        .collect(),
                    excluded,
                }
            })
            .collect(),
    }
}

fn failover(w: &World, f: &FailoverRecord) -> Failover {
    let to = f.to.map(|i| &w.instances()[i.index()]);
    let name = |i: InstanceId| w.instances()[i.index()].name.clone();
    let candidates: Vec<Candidate> = f
        .candidates
        .iter()
        .map(|&(i, answer)| Candidate {
            instance: name(i),
            tier: w.instances()[i.index()].tier,
            answer: answer.name().to_owned(),
        })
        .collect();
    Failover {
        choice: choice(
            f,
            to.map(|i| i.tier),
            &candidates,
            w.config().control.tie_break,
        ),
        candidates,
        at_s: f.started.as_secs_f64(),
        from: w.instances()[f.from.index()].name.clone(),
        to: to.map(|i| i.name.clone()),
        reason: f.reason.name().to_owned(),
        tier: to.map(|i| i.tier),
        // A replacement still being created is going to its new AZ.
        az: to.map(|i| w.config().topology.azs[i.replacing.unwrap_or(i.az).index()].clone()),
        provisioned: f.provisioned,
    }
}

impl Prefix {
    /// Continues a copy of the prefix on `seed`'s streams to the end, and
    /// measures: the same outcome as the run with that seed and this
    /// prefix made alone.
    pub fn continue_on(&self, seed: u64) -> Outcome {
        let mut ceiling =
            (self.sim.ceiling.clone()).and_then(|(bytes, why)| Ceiling::from_now(bytes, why));
        let (mut sim, mut checks) = (self.sim.clone(), self.checks.clone());
        let observer = &mut (&mut checks, &mut ());
        let stopped = match sim.fork {
            Some(_) => sim.after_prefix(observer, ceiling.as_mut(), self.stopped.clone(), seed),
            None => (sim.world).run(observer, sim.max_events, ceiling.as_mut()),
        };
        sim.measured(checks, stopped, ceiling)
    }
}

impl Simulation {
    /// A simulation of a validated scenario.
    pub fn new(scenario: &Scenario) -> Self {
        Simulation {
            world: World::new(&scenario.config, Trace::default()),
            expect: scenario.expect.clone(),
            max_events: DEFAULT_MAX_EVENTS,
            ceiling: None,
            fork: None,
        }
    }

    /// A simulation that also streams every event to `sink` as JSON lines.
    pub fn with_trace(scenario: &Scenario, sink: Box<dyn Write>) -> Self {
        Simulation::with_filtered_trace(scenario, sink, TraceFilter::default())
    }

    /// A simulation that streams to `sink` the events `filter` admits
    /// (its digest still covers every event).
    pub fn with_filtered_trace(
        scenario: &Scenario,
        sink: Box<dyn Write>,
        filter: TraceFilter,
    ) -> Self {
        Simulation {
            world: World::new(&scenario.config, Trace::with_filtered_sink(sink, filter)),
            expect: scenario.expect.clone(),
            max_events: DEFAULT_MAX_EVENTS,
            ceiling: None,
            fork: None,
        }
    }

    /// Stops the run, reported as stopped early, once it has processed
    /// `max_events` events (default [`DEFAULT_MAX_EVENTS`]).
    pub fn max_events(mut self, max_events: u64) -> Self {
        self.max_events = max_events;
        self
    }

    /// Stops the run, reported as stopped early with the setting to
    /// change, once it holds more than `bytes` beyond what its thread held
    /// at its start; `why` says where the ceiling comes from. It takes
    /// effect only in a program that installs
    /// [`CountingAllocator`](crate::sim::memory::CountingAllocator), as the
    /// `aurora-sim` binary does.
    pub fn memory_ceiling(mut self, bytes: u64, why: impl Into<String>) -> Self {
        self.ceiling = Some((bytes, why.into()));
        self
    }

    /// The same run, with everything before the scenario's first fault
    /// simulated on `prefix_seed`'s random streams instead of its own:
    /// runs of one scenario given the same `prefix_seed` are identical up
    /// to that instant (common random numbers), and from there each
    /// continues on its own seed's streams, each from its start. A sweep
    /// simulates the prefix once and continues copies of it
    /// ([`Simulation::run_prefix`]); a run made this way alone gives the
    /// same result, trace digest included.
    pub fn common_prefix(mut self, prefix_seed: u64) -> Result<Self, NoPrefix> {
        let cfg = self.world.config();
        let at = fork_at(cfg)?;
        let seed = cfg.seed;
        // A world built on another seed has drawn at its start (the first
        // health check, the clients' starts): the prefix's is built anew.
        if seed != prefix_seed {
            let mut prefix = cfg.clone();
            prefix.seed = prefix_seed;
            let trace = self.world.take_trace();
            self.world = World::new(&prefix, trace);
        }
        self.fork = Some(Fork {
            at,
            prefix: prefix_seed,
            seed,
        });
        Ok(self)
    }

    /// Runs to the end and measures. Fails only if the trace sink fails.
    pub fn run(self) -> std::io::Result<Outcome> {
        self.run_observed(&mut ())
    }

    /// Runs to the end with `observer` watching every event beside the
    /// invariant checkers, and measures.
    pub fn run_observed(mut self, observer: &mut impl Observer) -> std::io::Result<Outcome> {
        let mut checks = Checks::new(&self.world);
        let mut ceiling = self
            .ceiling
            .take()
            .and_then(|(bytes, why)| Ceiling::from_now(bytes, why));
        let observer = &mut (&mut checks, observer);
        let max = self.max_events;
        let stopped = match self.fork {
            None => self.world.run(observer, max, ceiling.as_mut()),
            Some(fork) => {
                let early = (self.world).advance(observer, max, ceiling.as_mut(), Some(fork.at));
                self.after_prefix(observer, ceiling.as_mut(), early, fork.seed)
            }
        };
        self.world.finish_trace()?;
        Ok(self.measured(checks, stopped, ceiling))
    }

    /// From the end of the prefix, or where it stopped `early`, the rest
    /// of the run on `seed`'s streams, with its books closed; returns why
    /// it stopped early, if it did.
    fn after_prefix(
        &mut self,
        observer: &mut impl Observer,
        ceiling: Option<&mut Ceiling>,
        early: Option<String>,
        seed: u64,
    ) -> Option<String> {
        if let Some(fork) = &mut self.fork {
            fork.seed = seed;
        }
        self.world.reseed(seed);
        let early = early.or_else(|| self.world.advance(observer, self.max_events, ceiling, None));
        self.world.finish(early)
    }

    /// The outcome of a run that ended or `stopped` early, under its
    /// memory `ceiling`.
    fn measured(
        &mut self,
        checks: Checks,
        stopped: Option<String>,
        ceiling: Option<Ceiling>,
    ) -> Outcome {
        let mut outcome = self.outcome(checks);
        outcome.summary.stopped_early = stopped;
        outcome.peak_memory = ceiling.map(|c| c.peak());
        outcome
    }

    /// Simulates the prefix a run made with [`Simulation::common_prefix`]
    /// shares with other seeds' runs, once, for [`Prefix::continue_on`]
    /// to continue for each; without a common prefix, nothing is
    /// simulated yet.
    pub fn run_prefix(mut self) -> Prefix {
        let mut checks = Checks::new(&self.world);
        let stopped = self.fork.and_then(|fork| {
            let mut ceiling =
                (self.ceiling.clone()).and_then(|(bytes, why)| Ceiling::from_now(bytes, why));
            let observer = &mut (&mut checks, &mut ());
            (self.world).advance(observer, self.max_events, ceiling.as_mut(), Some(fork.at))
        });
        Prefix {
            sim: self,
            checks,
            stopped,
        }
    }

    fn outcome(&mut self, checks: Checks) -> Outcome {
        let (recoverable, available) = self.world.recoverable_now();
        let w = &self.world;
        let sc = w.config();
        // The time simulated: the scenario's duration, or less if the run
        // stopped early.
        let duration = w.end().as_secs_f64();
        let now = w.now();
        let verdicts = checks.finish(now, recoverable, available);
        let rec = w.recorder();
        let write_stalls = rec.write_stalls();
        let latency = |h: &hdrhistogram::Histogram<u64>| {
            let ms = |q: f64| {
                if h.is_empty() {
                    0.0
                } else {
                    h.value_at_quantile(q) as f64 / 1e3
                }
            };
            Latency {
                p50: ms(0.5),
                p99: ms(0.99),
                p999: ms(0.999),
                max: if h.is_empty() {
                    0.0
                } else {
                    h.max() as f64 / 1e3
                },
            }
        };
        // Nothing measured is not a latency of zero.
        let measured = |h: &hdrhistogram::Histogram<u64>| (!h.is_empty()).then(|| latency(h));
        let mut summary = Summary {
            format_version: FORMAT_VERSION,
            scenario: sc.name.clone(),
            description: sc.description.clone(),
            seed: sc.seed,
            common_prefix: self.fork.map(|f| CommonPrefix {
                seed: f.prefix,
                until_s: f.at.as_secs_f64(),
            }),
            simulated_s: duration,
            events_processed: w.events_processed(),
            trace_digest: w.trace_digest(),
            topology: topology(sc),
            faults: fault_summaries(w),
            commits: Commits {
                offered: w.commits_offered(),
                arrived: w.commits_arrived(),
                offered_per_s: w.commits_offered() as f64 / duration,
                acknowledged: rec.commits_acked,
                lost: verdicts.lost_commits,
                unavailable_at_end: verdicts.unavailable_commits,
                refused: rec.commits_refused,
                // A deposed writer that has not learned it was replaced
                // still holds commits that storage will never let it
                // acknowledge: abandoned, like a dead writer's.
                abandoned: rec.commits_abandoned
                    + w.writers().skip(1).map(|w| w.waiting()).sum::<u64>(),
                waiting_at_end: w.current_writer().waiting(),
                per_s: rec.commits_acked as f64 / duration,
                split_brain: verdicts.split_brain_commits,
                lost_to_rpo: (verdicts.lost_to_rpo > 0).then_some(verdicts.lost_to_rpo),
            },
            commit_latency_ms: latency(&rec.commit_latency),
            client_latency_ms: measured(
                &rec.client_latency_at_end(
                    w.clients()
                        .iter()
                        .filter_map(|c| c.pending_since())
                        .map(|t| now.since(t)),
                ),
            ),
            write_availability: (1.0 - rec.write_unavailable_s() / duration).max(0.0),
            read_availability: (1.0 - rec.read_unavailable_s() / duration).max(0.0),
            write_outages: write_stalls
                .iter()
                .map(|(a, b)| Outage {
                    from_s: a.as_secs_f64(),
                    to_s: b.as_secs_f64(),
                    duration_s: b.since(*a).as_secs_f64(),
                })
                .collect(),
            write_outage_blocking_pgs: rec.vcl_blockers.iter().copied().collect(),
            reads: Reads {
                correct: verdicts.reads_correct,
                wrong: verdicts.reads_wrong,
                retried: rec.read_retries,
                latency_ms: measured(&rec.read_latency),
            },
            pgs_below_write_quorum_max: rec.pgs_below_write.1,
            pgs_below_read_quorum_max: rec.pgs_below_read.1,
            pgs_out_of_writer_reach_max: rec.pgs_out_of_writer_reach.1,
            storage: storage_summary(w, recoverable.0),
            redundancy: rec.redundancy.summary(now),
            storage_nodes: w.node_loads(),
            rto: w.failovers().iter().map(|f| rto(w, f)).collect(),
            failovers: w.failovers().iter().map(|f| failover(w, f)).collect(),
            maintenance: maintenance(w),
            healing: healing(w, &write_stalls, now),
            replica_lag_ms: replica_lag(w),
            global: global(w, now),
            serverless: serverless(w, now),
            auto_scaling: auto_scaling(w),
            client_errors: ClientErrors::from_counts(rec.client_errors),
            client_requests_ok: w.clients().iter().map(|c| c.requests_ok).sum(),
            hung_clients: w.clients().iter().filter(|c| hung(w, c)).count() as u32,
            client_groups: client_groups(w),
            stopped_early: None,
            warnings: Vec::new(),
            invariants: verdicts.invariants,
            expectations: Vec::new(),
        };
        summary.expectations = expect::evaluate(&self.expect, &summary);
        let bin = rec.bin();
        let mut timeline = self.world.take_timeline();
        // The first primary's column, kept for a promotion that did not
        // go ahead, goes with its summary row.
        let measured = &self.world.recorder().replication.measured;
        if measured.first() == Some(&0) && !first_was_secondary(&self.world) {
            for row in &mut timeline {
                row.region_rpo_lag_ms.remove(0);
            }
        }
        summary.warnings = warnings(self.world.config(), &timeline);
        summary
            .warnings
            .extend(unfinished_maintenance(&summary.maintenance));
        Outcome {
            summary,
            timeline,
            bin,
            peak_memory: None,
        }
    }
}

/// A share of an instance's vCPUs above which, before any fault, the run
/// says the load alone saturates it: queues grow there without a fault.
const BUSY: f64 = 0.9;

/// What a reader of the run should know about its own load: clients on
/// the cluster endpoint add their commits to an open-loop rate, nothing
/// asks for commits at all, or an instance above [`BUSY`] of its CPU in the median bin
/// before the first fault (or in a run without faults) is saturated by
/// the load alone.
fn warnings(sc: &Config, timeline: &[TimelineRow]) -> Vec<String> {
    let mut out = Vec::new();
    let (writers, clients): (u32, f64) =
        sc.clients
            .iter()
            .filter(|g| !g.reader)
            .fold((0, 0.0), |(n, rate), g| {
                let each = 1.0 / g.think_time.as_secs_f64();
                (n + g.count, rate + f64::from(g.count) * each)
            });
    if writers > 0 && sc.workload.commits_per_s > 0.0 {
        out.push(format!(
            "{writers} client(s) on the cluster endpoint offer up to {clients:.0} commits/s on top of workload.open_loop.commits_per_s ({:.0}/s, arriving whatever the database does)",
            sc.workload.commits_per_s
        ));
    }
    if !sc.wants_writes() {
        out.push(
            "nothing asks for commits (no client on the cluster endpoint, no open-loop commits): write figures describe an idle writer".into(),
        );
    }
    let first_fault = sc
        .faults
        .iter()
        .map(|f| f.at.as_secs_f64())
        .fold(f64::INFINITY, f64::min);
    for (i, inst) in sc.instances.iter().enumerate() {
        // The median bin, so that a moment's spike (every client
        // connecting at the start) does not count as saturation.
        let mut busy: Vec<f64> = timeline
            .iter()
            .filter(|r| r.t_s < first_fault)
            .filter_map(|r| r.cpu_util.get(i).copied())
            .collect();
        busy.sort_by(f64::total_cmp);
        // The lower median, so that of two bins a spike is not the middle.
        let middle = busy.len().saturating_sub(1) / 2;
        if let Some(&cpu) = busy.get(middle).filter(|&&cpu| cpu > BUSY) {
            let when = if first_fault.is_finite() {
                "before the first fault"
            } else {
                "in a run without faults"
            };
            let of = match inst.acu {
                Some(_) => "its Aurora Serverless v2 capacity".to_owned(),
                None => format!("its {} vCPUs", inst.spec.vcpus),
            };
            out.push(format!(
                "{} ran at {:.0} % of {of} in its median bin {when}: the load alone keeps it that busy, so latencies before any fault already include queueing",
                inst.name,
                cpu * 100.0,
            ));
        }
    }
    out
}

/// Why a failover's target is the one it is: the rule that chose it, and
/// any reader of a lower tier that was passed over, with its answer.
fn choice(f: &FailoverRecord, tier: Option<u8>, asked: &[Candidate], ties: TieBreak) -> String {
    let passed_over = |below: u8| {
        let skipped: Vec<String> = asked
            .iter()
            .filter(|c| c.tier < below && c.answer != Answer::Eligible.name())
            .map(|c| {
                format!(
                    "{} (tier {}, {})",
                    c.instance,
                    c.tier,
                    c.answer.replace('_', " ")
                )
            })
            .collect();
        if skipped.is_empty() {
            String::new()
        } else {
            format!("; passed over: {}", skipped.join(", "))
        }
    };
    match (f.to, tier) {
        (None, _) => "no target chosen by the end of the run".to_owned(),
        (Some(_), _) if f.reason == Reason::BlueGreenSwitchover => {
            "the green environment's writer, which took over without a restart".to_owned()
        }
        (Some(to), _) if to == f.from => {
            let how = if f.provisioned {
                "a replacement was created"
            } else {
                "the writer restarted in place"
            };
            format!(
                "no reader answered able to take over: {how}{}",
                passed_over(u8::MAX)
            )
        }
        (Some(_), Some(tier)) if asked.len() == 1 => {
            format!("the only reader asked (tier {tier}){}", passed_over(tier))
        }
        (Some(_), Some(tier)) => {
            let eligible = asked
                .iter()
                .filter(|c| c.answer == Answer::Eligible.name())
                .count();
            let ties = match ties {
                TieBreak::Name => "ties by larger class, then name",
                TieBreak::Random => "ties by larger class, then at random",
            };
            format!(
                "lowest tier ({tier}) of the {eligible} of {} readers asked that could take over ({ties}){}",
                asked.len(),
                passed_over(tier)
            )
        }
        (Some(_), None) => String::new(),
    }
}

/// Storage's figures: its PGs and segments, the LSN points the last
/// writer reached, what a recovery now could rebuild (`recoverable`), and
/// the recorder's counts of repair, gossip, fencing and caching.
fn storage_summary(w: &World, recoverable: u64) -> StorageSummary {
    let (sc, rec, points) = (w.config(), w.recorder(), w.last_points());
    StorageSummary {
        pgs: sc.storage.pgs,
        segments: w.volume().pgs.iter().map(|g| g.members.len() as u32).sum(),
        vcl: points.vcl().0,
        vdl: points.vdl().0,
        recoverable_vdl: recoverable,
        segments_repaired: rec.segments_repaired,
        repairs_rolled_back: rec.repairs_rolled_back,
        repairs_waiting_for_quorum: rec.repairs_waiting_for_quorum,
        gossip_fills: rec.gossip_fills,
        records_resent: rec.records_resent,
        stale_epoch_refusals: rec.stale_epoch_refusals,
        recoveries: rec.recoveries,
        watchdog_failovers_declined: w.watchdog_failovers_declined(),
        lag_restarts: rec.lag_restarts,
        cache_hits: rec.cache_hits,
        cache_misses: rec.cache_misses,
        epoch: w.latest_epoch(),
    }
}

/// Each scheduled fault: when, what it hit, and why the cluster refused
/// it, if it did.
fn fault_summaries(w: &World) -> Vec<FaultSummary> {
    let sc = w.config();
    sc.faults
        .iter()
        .enumerate()
        .map(|(id, f)| {
            let (kind, target) = f.describe(sc);
            FaultSummary {
                at_s: f.at.as_secs_f64(),
                until_s: f.duration.map(|d| (f.at + d).as_secs_f64()),
                kind: kind.key().to_owned(),
                target,
                refused: w.refused(id as u32).map(str::to_owned),
            }
        })
        .collect()
}

/// Whether the first primary region of a global database was ever a
/// secondary (a promotion went ahead): only then is it measured as one.
fn first_was_secondary(w: &World) -> bool {
    let rep = &w.recorder().replication;
    rep.promotions.iter().any(|p| p.promoted.is_some())
}

/// A global database's replication, as measured.
fn global(w: &World, end: SimTime) -> Option<GlobalSummary> {
    let g = w.config().global.as_ref()?;
    let rep = &w.recorder().replication;
    let ms = |d: SimDuration| d.as_secs_f64() * 1e3;
    let name = |r: usize| g.region_name(RegionId(r as u8)).to_owned();
    // The link a region is measured over: from the first primary, and for
    // the first primary, from the region first promoted.
    let first_promoted = rep
        .promotions
        .iter()
        .find(|p| p.promoted.is_some())
        .map_or(0, |p| p.region as u8);
    let link = |r: usize| match r {
        0 => g.between(RegionId(first_promoted), RegionId::PRIMARY),
        r => g.between(RegionId::PRIMARY, RegionId(r as u8)),
    };
    let regions = rep
        .measured
        .iter()
        .filter(|&&r| r != 0 || first_was_secondary(w))
        .map(|&r| (r, &rep.regions[r]))
        .map(|(r, m)| RegionSummary {
            name: name(r),
            rtt_ms: ms(link(r).0),
            bandwidth_gbps: link(r).2,
            replication_lag_ms: (!m.lag.is_empty()).then(|| Lag {
                p50: m.lag.value_at_quantile(0.5) as f64 / 1e3,
                p99: m.lag.value_at_quantile(0.99) as f64 / 1e3,
                max: m.lag.max() as f64 / 1e3,
            }),
            rpo_lag_max_ms: ms(m.rpo_lag_max),
            behind_at_end_ms: ms(m.behind),
            at_risk_max_ms: ms(m.at_risk_max),
            shipped_mib: m.bytes_sent as f64 / f64::from(1u32 << 20),
        })
        .collect();
    Some(GlobalSummary {
        primary: g.primary.clone(),
        rpo_guard_s: g.rpo.map(|d| d.as_secs_f64()),
        regions,
        guard_holds: rep
            .holds
            .iter()
            .map(|&(from, to)| {
                let to = to.unwrap_or(end);
                Outage {
                    from_s: from.as_secs_f64(),
                    to_s: to.as_secs_f64(),
                    duration_s: to.since(from).as_secs_f64(),
                }
            })
            .collect(),
        guard_held_s: rep.held_s(end),
        at_risk_max_ms: ms(rep.best_at_risk_max),
        exposures: rep
            .exposures
            .iter()
            .map(|e| RegionExposure {
                at_s: e.at.as_secs_f64(),
                region: name(e.region),
                commits: e.commits,
                rpo_s: e.rpo.as_secs_f64(),
                at_risk_s: e.span.as_secs_f64(),
            })
            .collect(),
        promotions: rep
            .promotions
            .iter()
            .map(|p| RegionPromotion {
                kind: if p.switchover {
                    "switchover"
                } else {
                    "failover"
                }
                .to_owned(),
                region: name(p.region),
                from: name(p.from),
                requested_s: p.requested.as_secs_f64(),
                promoted_s: p.promoted.map(SimTime::as_secs_f64),
                commits_lost: p.commits_lost,
                rpo_s: p.rpo.as_secs_f64(),
            })
            .collect(),
        forwarding: forwarding(w),
    })
}

/// What each group that forwarded writes saw of it.
fn forwarding(w: &World) -> Vec<ForwardingSummary> {
    let cfg = w.config();
    let g = cfg
        .global
        .as_ref()
        .expect("forwarding only with a global database");
    let lag = |h: &hdrhistogram::Histogram<u64>| {
        let ms = |us: u64| us as f64 / 1e3;
        (!h.is_empty()).then(|| Lag {
            p50: ms(h.value_at_quantile(0.5)),
            p99: ms(h.value_at_quantile(0.99)),
            max: ms(h.max()),
        })
    };
    cfg.clients
        .iter()
        .zip(&w.recorder().replication.forwarding)
        .filter_map(|(group, f)| Some((group, f.as_ref()?)))
        .map(|(group, f)| ForwardingSummary {
            group: group.name.clone(),
            region: g.region_name(cfg.topology.region_of(group.az)).to_owned(),
            consistency: group.forward.map_or("", |c| c.name()).to_owned(),
            writes: f.write.len(),
            write_ms: lag(&f.write),
            reads: f.read_wait.len(),
            read_wait_ms: lag(&f.read_wait),
            reads_missing_own_write: f.missed_own_write,
        })
        .collect()
}

/// Each instance's replica lag, for those that measured any.
fn replica_lag(w: &World) -> BTreeMap<String, Lag> {
    w.instances()
        .iter()
        .filter(|i| !i.lag.is_empty())
        .map(|i| {
            let ms = |q: f64| i.lag.value_at_quantile(q) as f64 / 1e3;
            let lag = Lag {
                p50: ms(0.5),
                p99: ms(0.99),
                max: i.lag.max() as f64 / 1e3,
            };
            (i.name.clone(), lag)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scenario::ScenarioBuilder;

    /// The shipped scenario `name` with `sets` applied.
    fn scenario(name: &str, sets: &[(&str, &str)]) -> Scenario {
        let path = format!("{}/scenarios/{name}.yaml", env!("CARGO_MANIFEST_DIR"));
        let builder = ScenarioBuilder::load(std::path::Path::new(&path)).expect("reads");
        (sets.iter().fold(builder, |b, (p, v)| b.set(p, v)))
            .build()
            .expect("valid")
    }

    fn shipped(name: &str, sets: &[(&str, &str)]) -> crate::model::config::Config {
        scenario(name, sets).config().clone()
    }

    /// The run's trace digest and what it left pending: a draw whose
    /// event falls after the end still shows.
    fn digest(mut world: World) -> String {
        world.run(&mut (), u64::MAX, None);
        format!("{} {}", world.trace_digest(), world.pending_events())
    }

    /// A PGCL move settled without an event is the same as one handled
    /// as an event: with every wake-up queued as an event, a run ends
    /// with the same summary (but for the events run and their digest)
    /// and the same timeline, through a writer's crash and recovery, a
    /// node's crash and its repair, an AZ's outage and gray failure, and
    /// a writer's recovery while a PG below its write quorum pins VCL for
    /// good.
    #[test]
    fn wake_ups_settled_without_events_change_no_outcome() {
        use crate::model::compute::writer::EVERY_WAKE_AN_EVENT;
        let outcome = |sc: &Scenario, every: bool| {
            EVERY_WAKE_AN_EVENT.set(every);
            let out = Simulation::new(sc).run().expect("runs");
            EVERY_WAKE_AN_EVENT.set(false);
            let mut json = serde_json::to_value(&out.summary).expect("serializes");
            let fields = json.as_object_mut().expect("an object");
            let events = fields.remove("events_processed").and_then(|v| v.as_u64());
            fields.remove("trace_digest");
            (json, out.timeline, events.expect("counted"))
        };
        let case = |name: &str, sets: &[(&str, &str)]| (name.to_string(), scenario(name, sets));
        let pinned = "
name: recovery-behind-a-pinned-pg
seed: 3
duration: 40s
storage: { repair_after: 1h }
workload: { working_set_gib: 60, reads_per_transaction: 1 }
instances:
  - { name: writer-1, az: a, class: db.r6g.2xlarge, tier: 1, role: writer }
  - { name: reader-1, az: b, class: db.r6g.2xlarge, tier: 0 }
  - { name: reader-2, az: c, class: db.r6g.2xlarge, tier: 1 }
clients:
  - { name: app, count: 50, az: b, think_time: 7ms, connect_timeout: 2s, read_timeout: 5s }
faults:
  - az_outage: { at: 5s, az: c, duration: 200s }
  - storage_node_crash: { at: 7s, node: b-2 }
  - writer_crash: { at: 9s }
";
        let file = std::path::Path::new("recovery-behind-a-pinned-pg.yaml");
        let cases = [
            case(
                "writer-crash",
                &[("duration", "40s"), ("faults.0.writer_crash.at", "5s")],
            ),
            case(
                "repair-storm",
                &[
                    ("duration", "20s"),
                    ("faults.0.storage_node_crash.at", "3s"),
                ],
            ),
            case(
                "az-outage",
                &[
                    ("duration", "20s"),
                    ("faults.0.az_outage.at", "3s"),
                    ("faults.0.az_outage.duration", "10s"),
                ],
            ),
            case(
                "gray-failure",
                &[
                    ("duration", "15s"),
                    ("faults.0.slow_node.at", "2s"),
                    ("faults.0.slow_node.duration", "10s"),
                    ("faults.1.packet_loss.at", "2s"),
                    ("faults.1.packet_loss.duration", "10s"),
                    ("faults.2.network_partition.at", "5s"),
                    ("faults.2.network_partition.duration", "5s"),
                ],
            ),
            (
                "recovery-behind-a-pinned-pg".to_string(),
                ScenarioBuilder::from_yaml(pinned, file)
                    .and_then(ScenarioBuilder::build)
                    .expect("valid"),
            ),
        ];
        for (name, sc) in &cases {
            let (settled, settled_rows, fewer) = outcome(sc, false);
            let (queued, queued_rows, more) = outcome(sc, true);
            assert_eq!(settled, queued, "{name}");
            assert!(settled_rows == queued_rows, "{name}: the timelines differ");
            assert!(fewer < more, "{name}: {fewer} events against {more}");
        }
    }

    /// A world moved to another seed before anything is drawn runs as
    /// one built with that seed: no component's stream stays behind on
    /// the old seed. Between them the scenarios draw from every stream
    /// in a way that shows: clients, a proxy pinning half its sessions,
    /// the control plane and DNS, gossip and disks after a node's crash,
    /// a global database's replication, and replica auto scaling's
    /// creation times.
    #[test]
    fn reseeding_moves_every_stream() {
        for (name, sets) in [
            (
                "connection-storm",
                &[
                    ("duration", "8s"),
                    ("faults.0.writer_crash.at", "3s"),
                    ("clients.0.connection", "proxy"),
                    ("proxy.pinned", "0.5"),
                ][..],
            ),
            (
                "repair-storm",
                &[("duration", "8s"), ("faults.0.storage_node_crash.at", "2s")][..],
            ),
            (
                "global-switchover-planned",
                &[("duration", "5s"), ("faults.0.global_switchover.at", "3s")][..],
            ),
            (
                "replica-autoscaling-reader-lost",
                &[
                    ("duration", "181s"),
                    ("replica_auto_scaling.target", "20"),
                    ("faults.0.instance_crash.at", "100s"),
                ][..],
            ),
        ] {
            let mut cfg = shipped(name, sets);
            cfg.seed = 5;
            let moved = World::reseeded_at_start(&cfg, 9);
            let five = digest(World::new(&cfg, Trace::default()));
            cfg.seed = 9;
            let nine = digest(World::new(&cfg, Trace::default()));
            assert_eq!(digest(moved), nine, "{name}");
            assert_ne!(five, nine, "{name}");
        }
    }
}
