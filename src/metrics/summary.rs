//! `summary.json`: what a run measured, and whether its expectations held.

use super::performance::{FailoverCapacity, Storm};
use super::redundancy::RedundancySummary;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// The version of the layout of a run's files, `summary.json` and
/// `timeline.csv` together: raised whenever a key or column changes name
/// or meaning, so a reader can tell which it has. `docs/outputs.md` says
/// what changed in each.
pub const FORMAT_VERSION: u32 = 8;

/// A prefix a run shares with other seeds' runs: everything before its
/// first fault drawn from one seed's streams (common random numbers), the
/// rest from the run's own.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq)]
pub struct CommonPrefix {
    /// The seed the prefix draws from.
    pub seed: u64,
    /// Where the run leaves it: the first fault's start, simulated
    /// seconds.
    pub until_s: f64,
}

/// The whole summary. Field order is the JSON key order.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Summary {
    /// [`FORMAT_VERSION`] of the files this summary came with.
    pub format_version: u32,
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: String,
    /// Root seed: rerun with it to get the same bytes.
    pub seed: u64,
    /// The prefix this run shares with other seeds' runs, when it was
    /// made with one (`--common-prefix`): rerun with both seeds to get
    /// the same bytes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub common_prefix: Option<CommonPrefix>,
    /// Simulated seconds.
    pub simulated_s: f64,
    /// Events the engine processed.
    pub events_processed: u64,
    /// Digest of the event trace (see `sim::trace` for the function).
    pub trace_digest: String,
    /// What was simulated: AZs, storage, instances, clients.
    pub topology: Topology,
    /// The scenario's faults, in the order written.
    pub faults: Vec<FaultSummary>,
    /// Commit counts and rates.
    pub commits: Commits,
    /// Commit latency percentiles, milliseconds.
    pub commit_latency_ms: Latency,
    /// Client requests, from the first attempt to success with retries
    /// and backoff included: the latency users saw, outages and all.
    /// `None` when the scenario has no clients.
    pub client_latency_ms: Option<Latency>,
    /// Fraction of simulated time in which a commit could be acknowledged.
    pub write_availability: f64,
    /// Fraction of simulated time in which a page read could be served.
    pub read_availability: f64,
    /// Write outages (merged stall intervals).
    pub write_outages: Vec<Outage>,
    /// PGs whose pending record held VCL (and so every commit) back during
    /// a write stall: the volume-wide effect of one PG losing write quorum.
    pub write_outage_blocking_pgs: Vec<u32>,
    /// Storage reads.
    pub reads: Reads,
    /// Peak number of PGs with fewer live copies than a write quorum.
    pub pgs_below_write_quorum_max: u32,
    /// Peak number of PGs with fewer live copies than a read quorum.
    pub pgs_below_read_quorum_max: u32,
    /// Peak number of PGs of which the running writer reached fewer live
    /// copies than a write quorum (a partition between them).
    pub pgs_out_of_writer_reach_max: u32,
    /// Storage behaviour.
    pub storage: StorageSummary,
    /// Time PGs spent short of full copies.
    pub redundancy: RedundancySummary,
    /// Each storage node's load and the repair bytes it moved.
    pub storage_nodes: Vec<NodeUse>,
    /// Each failover's recovery time, phase by phase.
    pub rto: Vec<Rto>,
    /// Each failover: who, why, where.
    pub failovers: Vec<Failover>,
    /// Each planned event (an engine patch, an operating-system update):
    /// what each instance did and what the clients saw.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub maintenance: Vec<Maintenance>,
    /// How the cluster came back once the last fault was over (since
    /// format version 5; older files read as not recorded).
    #[serde(default)]
    pub healing: Healing,
    /// Replica lag per reader (instances that served as readers).
    pub replica_lag_ms: BTreeMap<String, Lag>,
    /// A global database's replication to its secondary regions; absent
    /// for a cluster in one region.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub global: Option<GlobalSummary>,
    /// Aurora Serverless v2: the capacity range and what each
    /// `db.serverless` instance's capacity came to; absent without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub serverless: Option<ServerlessSummary>,
    /// Aurora Replicas auto scaling: the policy and what it did; absent
    /// without one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub auto_scaling: Option<AutoScalingSummary>,
    /// Failed client requests by kind.
    pub client_errors: ClientErrors,
    /// Client requests that completed.
    pub client_requests_ok: u64,
    /// Clients whose request had waited past the stall threshold when the
    /// run ended (no read timeout, host gone).
    pub hung_clients: u32,
    /// Each client group's requests, errors and view of each failover, in
    /// scenario order.
    pub client_groups: Vec<GroupResult>,
    /// Why the run stopped before its end (its event budget was spent, or
    /// events piled up at one instant); `null` when it ran to the end.
    /// Every figure then covers only the time simulated.
    pub stopped_early: Option<String>,
    /// What the run's own settings did that a reader may not expect: load
    /// that clients add on top of the workload's rate, an instance
    /// saturated before any fault. Empty when there is nothing to say.
    #[serde(default)]
    pub warnings: Vec<String>,
    /// The invariant checks and whether each held.
    pub invariants: Vec<InvariantResult>,
    /// The run's expectations and whether each held.
    pub expectations: Vec<Expectation>,
}

impl Summary {
    /// The seeds the run drew from: `seed 3`, or `seed 3 from 5 s, seed 9
    /// before` for a run that shares its prefix with other seeds' runs.
    pub fn seeds(&self) -> String {
        match self.common_prefix {
            Some(p) => format!(
                "seed {} from {} s, seed {} before",
                self.seed, p.until_s, p.seed
            ),
            None => format!("seed {}", self.seed),
        }
    }

    /// The invariants' verdict in words: `6 of 6 invariants held`, or
    /// `5 of 6 invariants held, 1 not applicable` when one's premise did
    /// not hold in this run (a held invariant that was not checked is
    /// not counted as held).
    pub fn invariants_in_words(&self) -> String {
        let all = self.invariants.len();
        let na = self
            .invariants
            .iter()
            .filter(|i| i.not_applicable.is_some())
            .count();
        let held = self
            .invariants
            .iter()
            .filter(|i| i.held && i.not_applicable.is_none())
            .count();
        match na {
            0 => format!("{held} of {all} invariants held"),
            na => format!("{held} of {all} invariants held, {na} not applicable"),
        }
    }

    /// The repair traffic in one line: bytes copied, and the busiest source
    /// and target (what bounded the copies); `None` when nothing was copied.
    pub fn repair_traffic(&self) -> Option<String> {
        let gib = |b: u64| b as f64 / f64::from(1u32 << 30);
        let total: u64 = self.storage_nodes.iter().map(|n| n.repair_in_bytes).sum();
        let out = self
            .storage_nodes
            .iter()
            .max_by_key(|n| (n.repair_out_bytes, std::cmp::Reverse(&n.node)))?;
        let into = self
            .storage_nodes
            .iter()
            .max_by_key(|n| (n.repair_in_bytes, std::cmp::Reverse(&n.node)))?;
        (total > 0).then(|| {
            format!(
                "{:.1} GiB copied; busiest source {} ({:.1} GiB out, disk {:.0}% busy over the run), busiest target {} ({:.1} GiB in)",
                gib(total),
                out.node,
                gib(out.repair_out_bytes),
                out.disk_busy * 100.0,
                into.node,
                gib(into.repair_in_bytes)
            )
        })
    }

    /// How the cluster came back once the faults were over: each part's
    /// time, or why there is none.
    pub fn healing_in_words(&self) -> String {
        let (s, h) = (self, &self.healing);
        let Some(over) = h.faults_over_s else {
            return if s.faults.is_empty() {
                "no fault to heal from".into()
            } else {
                "never healed (a fault lasts for good)".into()
            };
        };
        if over > s.simulated_s {
            return format!("the faults are over at {over:.3}s, after the run ended");
        }
        let part = |t: Option<f64>| t.map_or_else(|| "never".to_owned(), |t| format!("{t:.3}s"));
        let clients = match (h.clients_not_back, h.clients_back_s) {
            (0, None) => "no clients".to_owned(),
            (0, t) => format!("clients back {}", part(t)),
            (n, _) => format!("{n} client(s) never back"),
        };
        format!(
            "after the faults were over at {over:.3}s: writes back {}, instances up {}, full copies {}, {clients}",
            part(h.writes_back_s),
            part(h.instances_back_s),
            part(h.full_copies_s)
        )
    }

    /// The longest cluster RTO, seconds (an unfinished failover counts as
    /// infinite).
    pub fn longest_rto_s(&self) -> Option<f64> {
        self.rto
            .iter()
            .map(|r| r.total_s.unwrap_or(f64::INFINITY))
            .reduce(f64::max)
    }

    /// The longest RTO of a global database's region promotions (fault to
    /// the promoted region's writer reached through a fresh lookup),
    /// seconds: infinite for one unfinished at the end; `None` without
    /// one.
    pub fn longest_region_rto_s(&self) -> Option<f64> {
        self.failovers
            .iter()
            .zip(&self.rto)
            .filter(|(f, _)| f.reason.starts_with("global_"))
            .map(|(_, r)| r.total_s.unwrap_or(f64::INFINITY))
            .reduce(f64::max)
    }

    /// The slowest client's observed RTO over all failovers, seconds:
    /// infinite when a client never recovered, `None` when no client was
    /// measured.
    pub fn longest_client_rto_s(&self) -> Option<f64> {
        self.rto
            .iter()
            .filter_map(|r| r.client_observed_s.as_ref())
            .map(|c| c.max.unwrap_or(f64::INFINITY))
            .reduce(f64::max)
    }

    /// The slowest client's time back over all planned events, seconds:
    /// infinite when a client never came back, `None` when no client was
    /// measured.
    pub fn longest_maintenance_downtime_s(&self) -> Option<f64> {
        self.maintenance
            .iter()
            .flat_map(|p| &p.clients)
            .filter_map(|g| g.observed.as_ref())
            .map(|c| c.max.unwrap_or(f64::INFINITY))
            .reduce(f64::max)
    }

    /// Length of the longest write outage, seconds (0 if none).
    pub fn longest_write_outage_s(&self) -> f64 {
        self.write_outages
            .iter()
            .map(|w| w.duration_s)
            .fold(0.0, f64::max)
    }
}

/// The simulated cluster, as the scenario configured it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Topology {
    /// AZ names.
    pub azs: Vec<String>,
    /// Storage nodes in each AZ.
    pub storage_nodes_per_az: u32,
    /// Volume size, GiB.
    pub volume_gib: u64,
    /// Copies of each PG.
    pub copies: u32,
    /// Write quorum.
    pub write_quorum: u32,
    /// Read quorum.
    pub read_quorum: u32,
    /// DB instances.
    pub instances: Vec<InstanceSummary>,
    /// Application client groups.
    pub clients: Vec<ClientGroup>,
    /// Custom endpoints; absent without one.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_endpoints: Vec<CustomEndpointSummary>,
}

/// A custom endpoint as configured.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CustomEndpointSummary {
    /// Its name.
    pub name: String,
    /// `READER` or `ANY`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The instances it lists.
    pub members: Vec<String>,
    /// Whether those are the ones it excludes (every other instance is a
    /// member) rather than its members.
    pub excluded: bool,
}

/// One DB instance as configured.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InstanceSummary {
    /// Identifier.
    pub name: String,
    /// AZ.
    pub az: String,
    /// Instance class.
    pub class: String,
    /// Promotion tier.
    pub tier: u8,
    /// `writer` or `reader` at the start (of its environment).
    pub role: String,
    /// `green` for an instance of a blue/green deployment's green
    /// environment; absent for the cluster's own.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub environment: Option<String>,
    /// An Aurora Serverless v2 instance's (`class: db.serverless`)
    /// capacity at the start, ACUs (0: paused); absent for a provisioned
    /// class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acu: Option<f64>,
    /// A reader replica auto scaling may add: absent from the cluster
    /// until it does.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub autoscaled: bool,
}

/// One group of application clients as configured.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClientGroup {
    /// Group name.
    pub name: String,
    /// Clients in the group.
    pub count: u32,
    /// `cluster` (writes) or `reader` (reads).
    pub endpoint: String,
    /// AZ.
    pub az: String,
    /// DNS caching: `ttl`, a duration, or `forever`.
    pub dns_cache: String,
    /// Read timeout, seconds (`null`: none).
    pub read_timeout_s: Option<f64>,
    /// How its requests reach the database: `direct`, `pool of N per M
    /// clients`, `proxy` or `driver`.
    #[serde(default = "direct")]
    pub connection: String,
    /// With write forwarding, the consistency of the read after each
    /// forwarded write: `eventual`, `session` or `global`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub forward_writes: Option<String>,
}

fn direct() -> String {
    "direct".to_owned()
}

impl ClientGroup {
    /// How the group reaches the database, in words, its DNS cache
    /// included where the cache decides where it goes: "direct to the
    /// cluster endpoint, DNS cache honours the TTL", "through RDS Proxy",
    /// "topology-aware driver on the cluster endpoint".
    pub fn connects(&self) -> String {
        let cache = match self.dns_cache.as_str() {
            "ttl" => "DNS cache honours the TTL".to_owned(),
            "forever" => "DNS cached forever".to_owned(),
            d => format!("DNS cached {d}"),
        };
        let endpoint = &self.endpoint;
        let connects = match self.connection.as_str() {
            // The proxy's endpoint stays where it is through a failover.
            "proxy" => "through RDS Proxy".to_owned(),
            "driver" => format!("topology-aware driver on the {endpoint} endpoint, {cache} until it knows the topology"),
            "direct" => format!("direct to the {endpoint} endpoint, {cache}"),
            pool => format!("{pool} on the {endpoint} endpoint, {cache}"),
        };
        match &self.forward_writes {
            Some(c) => format!("{connects}, forwarding writes ({c} consistency)"),
            None => connects,
        }
    }
}

/// One fault as scheduled.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FaultSummary {
    /// Start, seconds.
    pub at_s: f64,
    /// End, seconds (`null`: it lasts).
    pub until_s: Option<f64>,
    /// The scenario key, e.g. `az_outage`.
    pub kind: String,
    /// What it hits, e.g. `c`, `b-2`, `a|b`, `writer-1`.
    pub target: String,
    /// Why the cluster refused it (a requested failover), if it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refused: Option<String>,
}

impl FaultSummary {
    /// The fault in words, as charts and the report name it: `writer_crash`
    /// is "writer crash (w1)" when `writer` names the writer it hit, `a|c`
    /// "AZs a and c partitioned".
    pub fn words(&self, writer: Option<&str>) -> String {
        crate::vocab::fault::fault_words(&self.kind, &self.target, writer)
    }

    /// A short label for charts and tables: kind and target.
    pub fn label(&self) -> String {
        if self.target.is_empty() {
            self.kind.clone()
        } else {
            format!("{} {}", self.kind, self.target)
        }
    }
}

/// Commit counts.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Commits {
    /// Commits the application asked for: open-loop arrivals, and the
    /// requests clients on the cluster endpoint sent. A retry after a
    /// timeout is another request, and the one it replaces may still
    /// commit, so a transaction can commit twice; a request may also fail
    /// before it reaches an open writer.
    pub offered: u64,
    /// Commits that reached an open writer, or arrived open-loop while
    /// none was open: each is acknowledged, refused, abandoned or still
    /// waiting at the end.
    pub arrived: u64,
    /// Commits offered per simulated second: the load asked for, beside
    /// `per_s`, the load achieved.
    pub offered_per_s: f64,
    /// Commits acknowledged (VDL reached their commit LSN).
    pub acknowledged: u64,
    /// Acknowledged commits that no surviving copy can rebuild: a
    /// recovery found them missing, or the copies left at the end (those
    /// not on nodes lost for good) cannot (must be 0 within AZ+1).
    pub lost: u64,
    /// Acknowledged commits not lost but unavailable at the end: their
    /// copies are intact but down (an outage still in force), so a
    /// recovery now could not reach them.
    pub unavailable_at_end: u64,
    /// Background commits refused because no writer was open.
    pub refused: u64,
    /// Commits a writer held when its process went away, or that a
    /// deposed writer still holds at the end: never answered.
    pub abandoned: u64,
    /// Commits still waiting when the run ended.
    pub waiting_at_end: u64,
    /// Acknowledged commits per simulated second.
    pub per_s: f64,
    /// Commits a superseded writer acknowledged above the VDL its
    /// successor recovered (split brain; must be 0).
    pub split_brain: u64,
    /// Acknowledged commits a global database's failover gave up, beyond
    /// what the promoted region held: its RPO, a measured outcome, not a
    /// violation (a switchover may give up none). Absent when none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lost_to_rpo: Option<u64>,
}

/// Aurora Serverless v2 capacity over the run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ServerlessSummary {
    /// The cluster's least capacity per instance, ACUs.
    pub min_acu: f64,
    /// Its most.
    pub max_acu: f64,
    /// Each `db.serverless` instance, in scenario order.
    pub instances: Vec<CapacitySummary>,
}

/// A replica auto scaling policy and its activities.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct AutoScalingSummary {
    /// `cpu` or `connections`.
    pub metric: String,
    /// The target it tracked.
    pub target: f64,
    /// The fewest readers it keeps.
    pub min_readers: u32,
    /// The most.
    pub max_readers: u32,
    /// What it did, in order.
    pub activities: Vec<ScalingActivity>,
    /// The highest datapoint it took, in the metric's unit (`null`: none).
    pub peak_metric: Option<f64>,
}

/// One reader replica auto scaling added or removed.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ScalingActivity {
    /// When it decided, seconds.
    pub at_s: f64,
    /// `add` or `remove`.
    pub action: String,
    /// The reader.
    pub instance: String,
    /// Its AZ.
    pub az: String,
    /// The datapoint that moved it (`null`: added to reach the minimum).
    pub metric: Option<f64>,
    /// An added reader: when it joined the reader endpoint, seconds
    /// (`null`: not by the end of the run).
    pub serving_s: Option<f64>,
    /// An added reader that never served: its creation failed with its
    /// host (a crash, an AZ outage) before it joined.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub lost: bool,
}

impl ScalingActivity {
    /// What became of a reader it added, in words (empty for a removal).
    pub fn outcome(&self) -> String {
        match (self.action.as_str(), self.serving_s, self.lost) {
            ("add", Some(t), _) => format!("serving from {t:.0} s"),
            ("add", None, true) => "lost before it served".to_owned(),
            ("add", None, false) => "not serving by the end of the run".to_owned(),
            _ => String::new(),
        }
    }
}

/// What one Aurora Serverless v2 instance's capacity came to.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct CapacitySummary {
    /// The instance.
    pub name: String,
    /// Capacity at the start, ACUs.
    pub start_acu: f64,
    /// Capacity at the end.
    pub end_acu: f64,
    /// Its highest.
    pub peak_acu: f64,
    /// Mean over the run.
    pub mean_acu: f64,
    /// ACU-hours used: what Aurora Serverless v2 bills by.
    pub acu_hours: f64,
    /// Times it paused at zero capacity.
    pub pauses: u32,
    /// Times it resumed.
    pub resumes: u32,
    /// Seconds it spent paused.
    pub paused_s: f64,
}

/// One failover's recovery time, in seconds. The phases add up to
/// `total_s`: from the fault (or the request) until a client resolving
/// the cluster endpoint afresh reaches the new, writable writer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Rto {
    /// Fault → failure declared (missed health checks; 0 when requested).
    pub detection_s: f64,
    /// A global database switchover: requested → every region
    /// synchronised and the region promoted (the writer stopped, its last
    /// redo stored everywhere). Absent for any other failover.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub synchronise_s: Option<f64>,
    /// Declared (or synchronised) → the last attempt began: time spent on
    /// attempts whose target failed before it was writable (0 when the
    /// first succeeded).
    pub failed_attempts_s: f64,
    /// The last attempt began → target chosen (candidate readers probed).
    pub selection_s: f64,
    /// Chosen → the target's process up as writer (restart, or creating a
    /// replacement).
    pub promotion_s: f64,
    /// Up → storage recovered and writes accepted.
    pub recovery_s: f64,
    /// Writable → the cluster endpoint's new answer visible.
    pub dns_s: f64,
    /// The sum: fault → writable through a fresh lookup. `null` when the
    /// failover had not finished when the run ended.
    pub total_s: Option<f64>,
    /// The promotion and recovery phases step by step, each measured
    /// from the run.
    pub steps: Steps,
    /// Fault → commit throughput and p99 back within 10 % of their level
    /// before it, or within the spread of its bins if wider, for 5 s: failover performance, not only failover time.
    /// `null`: not back by the end of the run, or (with
    /// `commits_per_s_before` null) no level to come back to.
    pub recovered_performance_s: Option<f64>,
    /// Mean commits per second in the 30 s before the fault: the level.
    /// `null`: the run had not lasted that long, nothing was committed,
    /// an earlier failover overlaps those 30 s, or a disruption in them
    /// (a bin below half the mean rate, or a p99 above twice the mean).
    pub commits_per_s_before: Option<f64>,
    /// Mean commits per second in the 30 s after the new writer was
    /// writable (`null`: it never was, or the run ended first).
    pub commits_per_s_after: Option<f64>,
    /// Per cluster-endpoint client, last successful write before the fault
    /// to the first after it; a client already down when the fault struck
    /// (an earlier failover's) is counted from the fault.
    pub client_observed_s: Option<ClientObserved>,
    /// The new writer's load in the 30 s after it opened: connections,
    /// CPU, commit p99 (`null`: it never opened).
    #[serde(default)]
    pub storm: Option<Storm>,
    /// Attempts of this failover whose target failed, in order.
    pub attempts: Vec<FailedAttempt>,
    /// Aurora Serverless v2 capacity through it: the failed writer's,
    /// the promoted instance's before and when writable, and how long its
    /// capacity took to be back at the writer's. Absent when neither is
    /// a `db.serverless` instance.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub capacity: Option<FailoverCapacity>,
}

impl Rto {
    /// What a switchover waited for before selection, by the failover's
    /// reason.
    pub fn synchronised_what(&self, reason: &str) -> &'static str {
        if reason == "blue_green_switchover" {
            "the green writer to apply blue's last write"
        } else {
            "every region to store the stopped writer's last redo"
        }
    }

    /// The phases' names, in order.
    pub const PHASES: [&'static str; 6] = [
        "detection",
        "failed attempts",
        "selection",
        "promotion",
        "recovery",
        "DNS",
    ];

    /// The phases' lengths in [`Rto::PHASES`] order; they add up to
    /// `total_s` once the failover has finished.
    pub fn phases(&self) -> [f64; 6] {
        [
            self.detection_s,
            self.failed_attempts_s,
            self.selection_s,
            self.promotion_s,
            self.recovery_s,
            self.dns_s,
        ]
    }

    /// Their sum, whether or not the failover finished.
    pub fn cluster_s(&self) -> f64 {
        self.phases().iter().sum()
    }
}

/// The steps of the last attempt's promotion and recovery, seconds:
/// `null` for a step not reached by the end of the run.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Steps {
    /// The target's reader process stops.
    pub stop_s: Option<f64>,
    /// Its engine starts as writer and sets up its buffer pool (or a
    /// replacement is created).
    pub engine_start_s: Option<f64>,
    /// Storage recovery: a read quorum of every PG, the recovered VDL.
    pub storage_recovery_s: Option<f64>,
    /// In-memory state rebuilt.
    pub rebuild_s: Option<f64>,
    /// Open for connections.
    pub open_s: Option<f64>,
}

/// A failover attempt whose target failed before it was writable.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct FailedAttempt {
    /// The instance being promoted (or re-created).
    pub to: Option<String>,
    /// When its selection began, seconds.
    pub from_s: f64,
    /// When the control plane gave up on it, seconds.
    pub failed_s: f64,
}

/// Client-observed RTO across clients, seconds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ClientObserved {
    /// Clients measured.
    pub clients: u32,
    /// Median; `null` when it falls among clients that never recovered
    /// (or no client was measured).
    pub p50: Option<f64>,
    /// 99th percentile, the same way.
    pub p99: Option<f64>,
    /// Slowest; `null` ("never") when any client never recovered.
    pub max: Option<f64>,
    /// Clients that never wrote again before the run ended.
    pub unrecovered: u32,
}

impl ClientObserved {
    /// A client-observed time as people read it, in the unit of every
    /// printed latency (`20.35 s`), or "never" for clients that never
    /// recovered.
    pub fn show(v: Option<f64>) -> String {
        v.map_or_else(|| "never".to_owned(), |s| super::units::ms(s * 1000.0))
    }
}

/// How the cluster came back once the last fault was over: the run's
/// answer to "when were we whole again?". Each time is seconds after the
/// faults were over, and `null` when it had not happened by the end.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Healing {
    /// When the last fault was over, seconds; `null` when there was no
    /// fault or one lasted for good.
    pub faults_over_s: Option<f64>,
    /// Until writes were back for good: a writer open from then to the
    /// end, and no write outage after it (0 when writes were not out when
    /// the faults were over).
    pub writes_back_s: Option<f64>,
    /// Until every instance was up and running for good.
    #[serde(default)]
    pub instances_back_s: Option<f64>,
    /// Until every PG was back at full copy count for good.
    pub full_copies_s: Option<f64>,
    /// Until every client was back for good: a success whose request was
    /// sent after the faults were over, and no gap between successes
    /// after it (nor one still open at the end); `null` also when there
    /// are no clients.
    pub clients_back_s: Option<f64>,
    /// Clients not back for good by the end.
    pub clients_not_back: u32,
}

impl Healing {
    /// The longest of the three times: when the cluster was whole again
    /// (`None`: it was not by the end, or there was nothing to heal from).
    pub fn whole_s(&self) -> Option<f64> {
        self.faults_over_s?;
        let clients = match self.clients_not_back {
            0 => self.clients_back_s.or(Some(0.0)),
            _ => None,
        };
        [
            self.writes_back_s,
            self.instances_back_s,
            self.full_copies_s,
            clients,
        ]
        .into_iter()
        .try_fold(0.0f64, |most, t| t.map(|t| most.max(t)))
    }
}

/// One failover.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Failover {
    /// When the writer stopped serving, seconds.
    pub at_s: f64,
    /// The old writer.
    pub from: String,
    /// The new writer (`null` if none was chosen by the end).
    pub to: Option<String>,
    /// `health_check`, `manual`, `reboot_with_failover`, `os_update`
    /// (a rolling update's hand-over), `class_change` (a reader changed
    /// with `promote`), `storage_watchdog`, or a global database's
    /// `global_failover` or `global_switchover` (the writer is in the
    /// promoted region).
    pub reason: String,
    /// The new writer's promotion tier.
    pub tier: Option<u8>,
    /// The new writer's AZ.
    pub az: Option<String>,
    /// Whether a replacement instance was created (no reader could take
    /// over).
    pub provisioned: bool,
    /// Each reader the last selection asked and what it answered.
    #[serde(default)]
    pub candidates: Vec<Candidate>,
    /// Why the new writer is the one it is, in words.
    #[serde(default)]
    pub choice: String,
}

/// A planned event: an engine patch (`engine_patch`) or an
/// operating-system update (`os_update`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Maintenance {
    /// `engine_patch`, `os_update` or `class_change`.
    pub kind: String,
    /// When it started, seconds.
    pub at_s: f64,
    /// For an engine patch, whether zero-downtime patching was asked for.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub zero_downtime: Option<bool>,
    /// For a class change, the new class.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// Each instance it reached.
    pub instances: Vec<PatchedInstance>,
    /// What each client group saw, in scenario order: how long after the
    /// patch began each client was back.
    pub clients: Vec<GroupObserved>,
}

impl Maintenance {
    /// The event in words: "engine patch with zero-downtime patching".
    pub fn words(&self) -> String {
        match (self.kind.as_str(), self.zero_downtime, &self.class) {
            ("engine_patch", Some(true), _) => "engine patch with zero-downtime patching".into(),
            ("engine_patch", ..) => "engine patch, every process restarting".into(),
            ("class_change", _, Some(class)) => format!("class change to {class}"),
            _ => "operating-system update".into(),
        }
    }
}

/// One instance's part in a planned event.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct PatchedInstance {
    /// The instance.
    pub name: String,
    /// `connections_kept` (zero-downtime patching restarted the engine
    /// under open connections), `fell_back` (no quiet point in time: a
    /// restart), `restarted` (a restart, asked for), `updated` (its
    /// operating system updated, its host rebooted), `moved` (its database
    /// moved to a new host of its new class), `overtaken` (a
    /// crash, failover or other restart came first, or its host failed
    /// before it served again), `skipped` (left as
    /// it was: `why` says why), `waiting` (a rolling update's writer still
    /// waiting for the failover, or a class change for its new host, when
    /// the run ended) or `underway` (still
    /// holding requests when the run ended).
    pub outcome: String,
    /// When the event reached it, seconds after the event began (a
    /// rolling update reaches the old writer after the failover).
    pub from_s: f64,
    /// Seconds new requests were held on their connections (zero-downtime
    /// patching), from when the event reached it to the engine's return.
    pub held_s: Option<f64>,
    /// Seconds from when the event reached it until it served again after
    /// a restart (a writer: open for writes); `null` if it had not by the
    /// end, or did not restart.
    pub unavailable_s: Option<f64>,
    /// Why it was skipped.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub why: Option<String>,
}

impl PatchedInstance {
    /// What the event did to it, in words: "connections kept", "no quiet
    /// point in time, restarted", "skipped (not running)".
    pub fn outcome_words(&self) -> String {
        let words = match self.outcome.as_str() {
            "fell_back" => "no quiet point in time, restarted".to_owned(),
            other => other.replace('_', " "),
        };
        match &self.why {
            Some(why) => format!("{words} ({why})"),
            None => words,
        }
    }

    /// Whether it restarted, so that `unavailable_s` measures it (`null`:
    /// not serving again by the end).
    pub fn restarted(&self) -> bool {
        matches!(
            self.outcome.as_str(),
            "restarted" | "updated" | "moved" | "fell_back"
        )
    }
}

/// What one client group saw of a disruption.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GroupObserved {
    /// The group.
    pub group: String,
    /// Its clients' times back; `null` when it has no client measured.
    pub observed: Option<ClientObserved>,
}

/// A reader a failover asked, and its answer.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Candidate {
    /// The reader.
    pub instance: String,
    /// Its promotion tier.
    pub tier: u8,
    /// `eligible`, `silent` (no answer in time), `not_serving` or
    /// `cannot_write` (a storage-watchdog failover needs one that can).
    pub answer: String,
}

/// Replica lag of one reader, milliseconds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Lag {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// Maximum.
    pub max: f64,
}

/// A global database: each secondary region's lag, the RPO guard, and
/// what each region lacked whenever the primary region went dark.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GlobalSummary {
    /// The primary region.
    pub primary: String,
    /// `rds.global_db_rpo`, seconds; `None`: no guard.
    pub rpo_guard_s: Option<f64>,
    /// Each secondary region, in the order written.
    pub regions: Vec<RegionSummary>,
    /// Each time the RPO guard held the primary's commits.
    pub guard_holds: Vec<Outage>,
    /// Seconds the guard held commits in all.
    pub guard_held_s: f64,
    /// The most acknowledged work the best-placed secondary lacked at
    /// once, in time (from the oldest acknowledged commit it lacked to the
    /// newest acknowledged), ms: what a region loss would have cost at
    /// worst, and what the RPO guard bounds.
    pub at_risk_max_ms: f64,
    /// What each secondary lacked when the primary region went dark: what
    /// promoting it then would have lost.
    pub exposures: Vec<RegionExposure>,
    /// Each region promotion asked for: a failover or a switchover. Its
    /// RTO, phase by phase, is the failover with reason
    /// `global_failover` or `global_switchover`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub promotions: Vec<RegionPromotion>,
    /// Each client group that forwarded writes from a secondary region.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub forwarding: Vec<ForwardingSummary>,
}

/// What one client group's forwarded writes did: each of its
/// transactions is a write a secondary region's reader forwards to the
/// writer, then a read there at the group's consistency.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ForwardingSummary {
    /// The client group.
    pub group: String,
    /// The region it forwards from.
    pub region: String,
    /// `eventual`, `session` or `global` (`aurora_replica_read_consistency`).
    pub consistency: String,
    /// Writes the writer acknowledged through a forwarding reader.
    pub writes: u64,
    /// From the reader forwarding a write to the acknowledgement reaching
    /// it: the round trip between the regions and the commit, ms.
    pub write_ms: Option<Lag>,
    /// Reads after a forwarded write that began.
    pub reads: u64,
    /// From the acknowledgement to the read beginning: what the
    /// consistency waited for, ms.
    pub read_wait_ms: Option<Lag>,
    /// Reads that began before their reader had applied the session's own
    /// write (only `eventual` lets one).
    pub reads_missing_own_write: u64,
}

/// A secondary region's promotion to primary.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RegionPromotion {
    /// `failover` (unplanned, with what the region held) or `switchover`
    /// (planned: every region synchronised first).
    pub kind: String,
    /// The region promoted.
    pub region: String,
    /// The primary region it replaced.
    pub from: String,
    /// When it was asked for, seconds.
    pub requested_s: f64,
    /// When the region became the primary, seconds; `null` if it had not
    /// by the end of the run (a switchover still synchronising).
    pub promoted_s: Option<f64>,
    /// Commits the old primary had acknowledged that the region lacked:
    /// lost, the RPO in commits (0 for a switchover).
    pub commits_lost: u64,
    /// The acknowledged work it lacked, in time: from the oldest
    /// acknowledged commit it lacked to the newest acknowledged, seconds.
    /// The RPO in time (0 for a switchover).
    pub rpo_s: f64,
}

impl GlobalSummary {
    /// The RPO, seconds of acknowledged work: of the region promotions
    /// the run made, the worst; without one, the worst over the primary
    /// region's outages of what the secondary that lacked least lacked
    /// then (what promoting it would have lost); `None` when no region was
    /// promoted and the primary never went dark.
    pub fn best_rpo_s(&self) -> Option<f64> {
        let promoted = self.promotions.iter().filter(|p| p.promoted_s.is_some());
        if let Some(worst) = promoted.map(|p| p.rpo_s).reduce(f64::max) {
            return Some(worst);
        }
        let mut worst: Option<f64> = None;
        for at in self.exposures.iter().map(|e| e.at_s) {
            let best = self
                .exposures
                .iter()
                .filter(|e| e.at_s == at)
                .map(|e| e.at_risk_s)
                .fold(f64::INFINITY, f64::min);
            worst = Some(worst.map_or(best, |w| w.max(best)));
        }
        worst
    }
}

/// One secondary region of a global database.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RegionSummary {
    /// Its name.
    pub name: String,
    /// Median round trip from the first primary, ms (for the first
    /// primary itself, measured once a promotion makes it a secondary:
    /// from the region first promoted).
    pub rtt_ms: f64,
    /// The replication link's bandwidth, Gb/s.
    pub bandwidth_gbps: f64,
    /// Replication lag of each shipment stored there: from the primary's
    /// storage making it durable to a write quorum of the region's copies
    /// holding it, ms. `None` when nothing was stored.
    pub replication_lag_ms: Option<Lag>,
    /// The largest RPO lag seen: how long the oldest redo the primary had
    /// made durable that the region lacked had been durable, ms.
    pub rpo_lag_max_ms: f64,
    /// Its RPO lag at the end of the run, ms: redo never stored there by
    /// then is at least this late.
    pub behind_at_end_ms: f64,
    /// The most acknowledged work the region lacked, in time: from the
    /// oldest acknowledged commit it lacked to the newest acknowledged
    /// commit, ms. The RPO guard bounds this.
    pub at_risk_max_ms: f64,
    /// Redo the link carried, MiB.
    pub shipped_mib: f64,
}

/// What one secondary region lacked when the primary region went dark.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct RegionExposure {
    /// When the primary went dark, seconds.
    pub at_s: f64,
    /// The secondary region.
    pub region: String,
    /// Commits the primary had acknowledged that the region lacked.
    pub commits: u64,
    /// Its RPO lag then (how long the oldest redo it lacked had been
    /// durable on the primary): how far back promoting it would have
    /// recovered to, seconds.
    pub rpo_s: f64,
    /// The span from the oldest of them to the newest acknowledged commit,
    /// seconds: the acknowledged work lost, in time.
    pub at_risk_s: f64,
}

/// What one client group did and saw.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct GroupResult {
    /// The group's name.
    pub name: String,
    /// Requests that completed.
    pub requests_ok: u64,
    /// Failed requests by kind.
    pub errors: ClientErrors,
    /// Clients whose request had waited past the stall threshold when the
    /// run ended.
    pub hung: u32,
    /// What the group's clients saw of each failover, in `rto` order;
    /// empty for a group on the reader endpoint, which a failover of the
    /// writer does not measure.
    pub client_observed_s: Vec<ClientObserved>,
}

/// Failed client requests by kind.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ClientErrors {
    /// No answer within a connect or read timeout.
    pub timeout: u64,
    /// Connection refused: the database was not running.
    pub refused: u64,
    /// Connection reset: the database process restarted.
    pub reset: u64,
    /// A write reached an instance that is not the writer.
    pub read_only: u64,
    /// A DNS lookup came back empty.
    pub dns_empty: u64,
    /// The instance already held `max_connections` connections.
    #[serde(default)]
    pub too_many_connections: u64,
    /// No pooled connection within the pool's acquire timeout.
    #[serde(default)]
    pub pool_timeout: u64,
    /// The proxy found no database connection within its borrow timeout.
    #[serde(default)]
    pub proxy_timeout: u64,
    /// The proxy's queue was full and it shed the request.
    #[serde(default)]
    pub proxy_shed: u64,
}

impl ClientErrors {
    /// Counts in [`crate::vocab::ClientError::ALL`] order.
    pub fn from_counts(
        [timeout, refused, reset, read_only, dns_empty, too_many_connections, pool_timeout, proxy_timeout, proxy_shed]: [u64; crate::vocab::ERROR_KINDS],
    ) -> Self {
        ClientErrors {
            timeout,
            refused,
            reset,
            read_only,
            dns_empty,
            too_many_connections,
            pool_timeout,
            proxy_timeout,
            proxy_shed,
        }
    }

    /// Counts in [`crate::vocab::ClientError::ALL`] order.
    pub fn counts(&self) -> [u64; crate::vocab::ERROR_KINDS] {
        [
            self.timeout,
            self.refused,
            self.reset,
            self.read_only,
            self.dns_empty,
            self.too_many_connections,
            self.pool_timeout,
            self.proxy_timeout,
            self.proxy_shed,
        ]
    }

    /// Failed requests of every kind.
    pub fn total(&self) -> u64 {
        self.counts().iter().sum()
    }

    /// The kinds that happened, with their counts, as people read them:
    /// `6000 timeout, 12 reset`, or `none`.
    pub fn describe(&self) -> String {
        const WORDS: [&str; crate::vocab::ERROR_KINDS] = [
            "timeout",
            "refused",
            "reset",
            "read-only",
            "DNS empty",
            "too many connections",
            "pool timeout",
            "proxy timeout",
            "shed by the proxy",
        ];
        let seen: Vec<String> = self
            .counts()
            .iter()
            .zip(WORDS)
            .filter(|(n, _)| **n > 0)
            .map(|(n, w)| format!("{n} {w}"))
            .collect();
        if seen.is_empty() {
            "none".to_owned()
        } else {
            seen.join(", ")
        }
    }
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Maximum.
    pub max: f64,
}

/// One write outage.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Outage {
    /// Start, seconds.
    pub from_s: f64,
    /// End, seconds.
    pub to_s: f64,
    /// Length, seconds.
    pub duration_s: f64,
}

/// Storage reads.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Reads {
    /// Reads that returned the committed page content.
    pub correct: u64,
    /// Reads that returned anything else (must be 0).
    pub wrong: u64,
    /// Attempts retried on another segment after a timeout.
    pub retried: u64,
    /// Read latency percentiles, milliseconds; `None` when no read
    /// reached storage (every one was served from the buffer cache).
    pub latency_ms: Option<Latency>,
}

/// What the storage layer did.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct StorageSummary {
    /// Protection groups.
    pub pgs: u32,
    /// Segments in the volume's membership at the end.
    pub segments: u32,
    /// Final VCL.
    pub vcl: u64,
    /// Final VDL.
    pub vdl: u64,
    /// VDL that a recovery from the storage left at the end would reach.
    pub recoverable_vdl: u64,
    /// Segments re-created by repair.
    pub segments_repaired: u32,
    /// Membership changes rolled back because the replaced segment's node
    /// returned, or the new one's failed, before the copy was done.
    pub repairs_rolled_back: u32,
    /// Repair checks that found a PG below read quorum and waited for one
    /// rather than rebuild it from a copy nothing can prove complete.
    pub repairs_waiting_for_quorum: u64,
    /// Gaps filled by gossip between peers.
    pub gossip_fills: u64,
    /// Records the writer resent to a PG that made no progress.
    pub records_resent: u64,
    /// Batches refused for carrying an old volume epoch.
    pub stale_epoch_refusals: u64,
    /// Times the writer's I/O watchdog fired with no reader able to write
    /// either, so the writer was kept.
    pub watchdog_failovers_declined: u32,
    /// Readers restarted for lagging beyond `max_replica_lag`.
    pub lag_restarts: u32,
    /// Page uses the writers' buffer caches served.
    pub cache_hits: u64,
    /// Page uses the writers sent to storage (reads that missed, pages a
    /// commit changes that were not cached).
    pub cache_misses: u64,
    /// Storage recoveries run by a starting writer.
    pub recoveries: u32,
    /// Volume epoch at the end.
    pub epoch: u32,
}

/// One storage node over the run (`summary.json` `storage_nodes[]`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NodeUse {
    /// Its name, `<az>-<n>`.
    pub node: String,
    /// Fraction of the run its disk was busy.
    pub disk_busy: f64,
    /// Fraction of the run its NIC was busy receiving.
    pub nic_in_busy: f64,
    /// Fraction of the run its NIC was busy sending.
    pub nic_out_busy: f64,
    /// Bytes repair copied onto it.
    pub repair_in_bytes: u64,
    /// Bytes repair copied from it.
    pub repair_out_bytes: u64,
}

/// One expectation and its outcome.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Expectation {
    /// The `expect:` key.
    pub name: String,
    /// Whether it held.
    pub passed: bool,
    /// Expected and measured values.
    pub detail: String,
}

/// How one invariant fared in a run (`summary.json` `invariants[]`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct InvariantResult {
    /// The invariant's sentence.
    pub name: String,
    /// Whether it held (true when it did not apply).
    pub held: bool,
    /// Why it was not checked in this run, if it was not (its premise
    /// did not hold).
    pub not_applicable: Option<String>,
    /// Violations seen.
    pub violations: u64,
    /// The first violation.
    pub first: Option<Violation>,
}

/// One violation: when, what, and the events just before it.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Violation {
    /// Simulated time, seconds.
    pub at_s: f64,
    /// What was seen.
    pub detail: String,
    /// The last events up to and including the one after which it was
    /// seen: `time kind operand=value …`.
    pub events: Vec<String>,
}
