//! The scenario file format, as serde reads it.
//!
//! Every struct denies unknown fields, so a typo is an error with its line
//! and column rather than a silently ignored setting. Values with a range
//! are checked while they are read, so the error points at the value itself;
//! checks that relate two fields happen in [`super::validate`], which uses
//! the spans kept here in [`Spanned`] fields.

use serde::{Deserialize, Deserializer};
use serde_saphyr::{Location, Spanned};

use super::defaults as d;
use crate::model::config::{CacheSpec, TieBreak};
use crate::sim::SimDuration;

/// A whole scenario file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Short name; also the default output directory under `results/`.
    pub name: Spanned<String>,
    /// What the scenario shows, for the summary and the report.
    #[serde(default)]
    pub description: String,
    /// Root seed of every random stream.
    #[serde(default = "d::seed")]
    pub seed: u64,
    /// Simulated time to run.
    #[serde(deserialize_with = "run_length")]
    pub duration: SimDuration,
    /// AZs and the storage fleet.
    #[serde(default)]
    pub topology: TopologySpec,
    /// The DB instances: one writer and up to 15 readers. Default: one
    /// writer named `writer` in the first AZ.
    #[serde(default)]
    pub instances: Option<Spanned<Vec<InstanceSpec>>>,
    /// Health checks, promotion and provisioning.
    #[serde(default)]
    pub control_plane: ControlPlaneSpec,
    /// The cluster and reader endpoints' DNS records.
    #[serde(default)]
    pub dns: DnsSpec,
    /// Application clients that reach the cluster through its endpoints.
    #[serde(default)]
    pub clients: Vec<ClientSpec>,
    /// Volume, quorum and storage-node behaviour.
    #[serde(default)]
    pub storage: StorageSpec,
    /// Link latencies.
    #[serde(default)]
    pub network: NetworkSpec,
    /// What the application asks of the writer.
    #[serde(default)]
    pub workload: WorkloadSpec,
    /// How results are binned and judged.
    #[serde(default)]
    pub metrics: MetricsSpec,
    /// Faults injected during the run.
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
    /// Expectations the run must meet for exit code 0.
    #[serde(default)]
    pub expect: ExpectSpec,
}

/// The cluster's physical layout.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TopologySpec {
    /// AZ names. Default `[a, b, c]`.
    #[serde(default = "spanned_azs")]
    pub azs: Spanned<Vec<String>>,
    /// Storage nodes in each AZ; named `<az>-1` … `<az>-N`.
    #[serde(default = "d::storage_nodes_per_az", deserialize_with = "nodes_per_az")]
    pub storage_nodes_per_az: u32,
}

impl Default for TopologySpec {
    fn default() -> Self {
        TopologySpec {
            azs: spanned_azs(),
            storage_nodes_per_az: d::storage_nodes_per_az(),
        }
    }
}

/// The storage volume and its quorum.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StorageSpec {
    /// Volume size in GiB (at most 128 TiB = 131,072 GiB).
    #[serde(default = "spanned_volume")]
    pub volume_gib: Spanned<u64>,
    /// Protection-group size in GiB.
    #[serde(default = "spanned_segment")]
    pub segment_gib: Spanned<u64>,
    /// Copies of each PG, spread evenly over the AZs.
    #[serde(default = "spanned_copies")]
    pub copies: Spanned<u32>,
    /// Copies that must hold a record before it is durable.
    #[serde(default = "spanned_write_quorum")]
    pub write_quorum: Spanned<u32>,
    /// Copies recovery must reach to find every durable record.
    #[serde(default = "spanned_read_quorum")]
    pub read_quorum: Spanned<u32>,
    /// Accept quorums that break read + write > copies or 2 x write >
    /// copies, to watch what goes wrong: the run then fails its quorum
    /// intersection check.
    #[serde(default)]
    pub unsafe_quorum: bool,
    /// Median time to persist a batch.
    #[serde(default = "d::disk_latency", deserialize_with = "latency")]
    pub disk_latency: SimDuration,
    /// Lognormal sigma of the persist time.
    #[serde(default = "d::disk_jitter", deserialize_with = "jitter")]
    pub disk_jitter: f64,
    /// LSN allocation limit (LAL) above VDL.
    #[serde(default = "d::lsn_allocation_limit", deserialize_with = "positive_u64")]
    pub lsn_allocation_limit: u64,
    /// Delay before a segment with a gap asks a peer.
    #[serde(default = "d::gossip_interval", deserialize_with = "period")]
    pub gossip_interval: SimDuration,
    /// Period of background page materialization.
    #[serde(default = "d::materialize_interval", deserialize_with = "period")]
    pub materialize_interval: SimDuration,
    /// Time a node may be unreachable before its segments are re-created.
    #[serde(default = "d::repair_after", deserialize_with = "run_length")]
    pub repair_after: SimDuration,
    /// Repair copy bandwidth in Gb/s.
    #[serde(default = "d::repair_gbps", deserialize_with = "positive_f64")]
    pub repair_gbps: f64,
}

impl Default for StorageSpec {
    fn default() -> Self {
        StorageSpec {
            volume_gib: spanned_volume(),
            segment_gib: spanned_segment(),
            copies: spanned_copies(),
            write_quorum: spanned_write_quorum(),
            read_quorum: spanned_read_quorum(),
            unsafe_quorum: false,
            disk_latency: d::disk_latency(),
            disk_jitter: d::disk_jitter(),
            lsn_allocation_limit: d::lsn_allocation_limit(),
            gossip_interval: d::gossip_interval(),
            materialize_interval: d::materialize_interval(),
            repair_after: d::repair_after(),
            repair_gbps: d::repair_gbps(),
        }
    }
}

/// One DB instance.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InstanceSpec {
    /// Instance identifier, e.g. `reader-1`.
    pub name: Spanned<String>,
    /// The AZ it runs in.
    pub az: Spanned<String>,
    /// Instance class, e.g. `db.r6g.2xlarge`; failover prefers larger ones.
    #[serde(default = "spanned_class")]
    pub class: Spanned<String>,
    /// Promotion tier, 0 (first choice) to 15.
    #[serde(default = "d::promotion_tier", deserialize_with = "tier")]
    pub tier: u8,
    /// `writer` for exactly one instance; the others are readers.
    #[serde(default)]
    pub role: RoleSpec,
}

/// An instance's role when the run starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RoleSpec {
    /// The one instance that writes.
    Writer,
    /// A replica serving reads, and a failover target.
    #[default]
    Reader,
}

/// The control plane: failure detection and failover.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ControlPlaneSpec {
    /// Period of the writer's health check.
    #[serde(default = "d::health_check_interval", deserialize_with = "period")]
    pub health_check_interval: SimDuration,
    /// Consecutive missed checks before the writer is declared failed.
    #[serde(default = "d::failure_threshold", deserialize_with = "threshold")]
    pub failure_threshold: u32,
    /// Time for a reader to restart as the writer.
    #[serde(default = "d::promotion_time", deserialize_with = "run_length")]
    pub promotion_time: SimDuration,
    /// Time for an instance to restart in place (reboot, or a crashed
    /// instance whose host survived).
    #[serde(default = "d::restart_time", deserialize_with = "run_length")]
    pub restart_time: SimDuration,
    /// Time to create a replacement instance when no reader can take over.
    #[serde(default = "d::provision_time", deserialize_with = "run_length")]
    pub provision_time: SimDuration,
    /// Choice among readers of equal tier and size.
    #[serde(default)]
    pub tie_break: TieBreak,
}

impl Default for ControlPlaneSpec {
    fn default() -> Self {
        ControlPlaneSpec {
            health_check_interval: d::health_check_interval(),
            failure_threshold: d::failure_threshold(),
            promotion_time: d::promotion_time(),
            restart_time: d::restart_time(),
            provision_time: d::provision_time(),
            tie_break: TieBreak::default(),
        }
    }
}

/// The endpoints' DNS records.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DnsSpec {
    /// Time-to-live of every answer.
    #[serde(default = "d::dns_ttl", deserialize_with = "run_length")]
    pub ttl: SimDuration,
    /// Time for a record change to reach the authoritative servers.
    #[serde(default = "d::dns_update_delay", deserialize_with = "run_length")]
    pub update_delay: SimDuration,
    /// While a record switches, lookups come back empty for this long.
    #[serde(default = "d::dns_empty_answers", deserialize_with = "run_length")]
    pub empty_answers: SimDuration,
}

impl Default for DnsSpec {
    fn default() -> Self {
        DnsSpec {
            ttl: d::dns_ttl(),
            update_delay: d::dns_update_delay(),
            empty_answers: d::dns_empty_answers(),
        }
    }
}

/// Which endpoint a client uses, and so what it asks.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndpointSpec {
    /// The cluster (writer) endpoint: each request is a commit.
    #[default]
    Cluster,
    /// The reader endpoint: each request is a read on a replica.
    Reader,
}

impl<'de> Deserialize<'de> for CacheSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        if text.trim() == "forever" {
            return Ok(CacheSpec::Forever);
        }
        SimDuration::parse(&text)
            .map(CacheSpec::For)
            .map_err(|e| serde::de::Error::custom(format!("expected a duration or `forever`: {e}")))
    }
}

/// A group of identical application clients, each a request loop.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    /// Group name; clients are `<name>-1` … `<name>-N`.
    pub name: Spanned<String>,
    /// How many clients.
    #[serde(default = "d::client_count", deserialize_with = "client_count")]
    pub count: u32,
    /// Endpoint used.
    #[serde(default)]
    pub endpoint: EndpointSpec,
    /// AZ the application runs in. Default: the first AZ.
    #[serde(default)]
    pub az: Option<Spanned<String>>,
    /// The client's own DNS cache; absent: it honours the record TTL.
    #[serde(default)]
    pub dns_cache: Option<CacheSpec>,
    /// Wait for a connection before giving up.
    #[serde(default = "d::connect_timeout", deserialize_with = "period")]
    pub connect_timeout: SimDuration,
    /// Wait for an answer before giving up; absent: wait forever.
    #[serde(default, deserialize_with = "optional_period")]
    pub read_timeout: Option<SimDuration>,
    /// Pause between one answer and the next request.
    #[serde(default = "d::think_time", deserialize_with = "period")]
    pub think_time: SimDuration,
    /// First retry delay; doubles on each consecutive error.
    #[serde(default = "d::backoff_base", deserialize_with = "period")]
    pub backoff_base: SimDuration,
    /// Longest retry delay.
    #[serde(default = "d::backoff_max", deserialize_with = "period")]
    pub backoff_max: SimDuration,
}

/// Link latencies (lognormal around the median).
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// Median one-way latency inside an AZ.
    #[serde(default = "d::same_az_latency", deserialize_with = "latency")]
    pub same_az_latency: SimDuration,
    /// Median one-way latency between AZs.
    #[serde(default = "d::cross_az_latency", deserialize_with = "latency")]
    pub cross_az_latency: SimDuration,
    /// Lognormal sigma of every link.
    #[serde(default = "d::network_jitter", deserialize_with = "jitter")]
    pub jitter: f64,
}

impl Default for NetworkSpec {
    fn default() -> Self {
        NetworkSpec {
            same_az_latency: d::same_az_latency(),
            cross_az_latency: d::cross_az_latency(),
            jitter: d::network_jitter(),
        }
    }
}

/// The application's demand on the writer.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    /// Commits offered per second (Poisson arrivals).
    #[serde(default = "d::commits_per_s", deserialize_with = "rate")]
    pub commits_per_s: f64,
    /// Redo records per commit; the last is the commit record (a CPL).
    #[serde(default = "d::records_per_commit", deserialize_with = "records")]
    pub records_per_commit: u32,
    /// GiB of distinct pages written and read, spread over the volume.
    #[serde(default = "spanned_working_set")]
    pub working_set_gib: Spanned<f64>,
    /// Page size in KiB.
    #[serde(default = "d::page_kib", deserialize_with = "page_size")]
    pub page_kib: u32,
    /// Page reads per second that go to storage.
    #[serde(default = "d::reads_per_s", deserialize_with = "rate")]
    pub reads_per_s: f64,
    /// How often the writer admits arrived commits and ships idle PGs.
    #[serde(default = "d::group_commit_interval", deserialize_with = "period")]
    pub group_commit_interval: SimDuration,
    /// Wait for a storage read before trying another segment.
    #[serde(default = "d::storage_read_timeout", deserialize_with = "period")]
    pub storage_read_timeout: SimDuration,
    /// Wait without write progress on a PG before resending its records.
    #[serde(default = "d::write_retry_interval", deserialize_with = "period")]
    pub write_retry_interval: SimDuration,
}

impl Default for WorkloadSpec {
    fn default() -> Self {
        WorkloadSpec {
            commits_per_s: d::commits_per_s(),
            records_per_commit: d::records_per_commit(),
            working_set_gib: spanned_working_set(),
            page_kib: d::page_kib(),
            reads_per_s: d::reads_per_s(),
            group_commit_interval: d::group_commit_interval(),
            storage_read_timeout: d::storage_read_timeout(),
            write_retry_interval: d::write_retry_interval(),
        }
    }
}

/// How results are binned and judged.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSpec {
    /// Width of a `timeline.csv` row.
    #[serde(default = "d::bin", deserialize_with = "period")]
    pub bin: SimDuration,
    /// Waiting beyond this counts as unavailability.
    #[serde(default = "d::stall_threshold", deserialize_with = "period")]
    pub stall_threshold: SimDuration,
}

impl Default for MetricsSpec {
    fn default() -> Self {
        MetricsSpec {
            bin: d::bin(),
            stall_threshold: d::stall_threshold(),
        }
    }
}

/// One injected fault. Written as a one-key map naming the kind:
///
/// ```yaml
/// faults:
///   - storage_node_crash: { at: 30s, node: b-3 }
///   - az_outage: { at: 1m, az: c, duration: 2m }
/// ```
#[derive(Debug, Deserialize)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultSpec {
    /// A storage node stops; its in-memory (unpersisted) records are lost.
    StorageNodeCrash {
        /// When it crashes.
        at: Spanned<SimDuration>,
        /// Which node, e.g. `b-3`.
        node: Spanned<String>,
        /// When given, the node restarts with its persisted data after this long.
        #[serde(default, deserialize_with = "optional_run_length")]
        recover_after: Option<SimDuration>,
    },
    /// Every storage node and link of an AZ is down.
    AzOutage {
        /// When the AZ goes down.
        at: Spanned<SimDuration>,
        /// Which AZ.
        az: Spanned<String>,
        /// How long; forever when absent.
        #[serde(default, deserialize_with = "optional_run_length")]
        duration: Option<SimDuration>,
    },
    /// Messages between two AZs, or to and from one node, are dropped.
    NetworkPartition {
        /// When the partition starts.
        at: Spanned<SimDuration>,
        /// Two AZs that can no longer talk.
        #[serde(default)]
        between: Option<Spanned<Vec<String>>>,
        /// A node cut off from everything.
        #[serde(default)]
        node: Option<Spanned<String>>,
        /// A DB instance cut off from storage (it still answers the control
        /// plane and its clients).
        #[serde(default)]
        instance: Option<Spanned<String>>,
        /// How long; forever when absent.
        #[serde(default, deserialize_with = "optional_run_length")]
        duration: Option<SimDuration>,
    },
    /// Whichever instance is the writer at that moment crashes.
    WriterCrash {
        /// When it crashes.
        at: Spanned<SimDuration>,
        /// When given, its host comes back after this long and the instance
        /// restarts (as a reader, if another took over meanwhile).
        #[serde(default, deserialize_with = "optional_run_length")]
        recover_after: Option<SimDuration>,
    },
    /// A named instance crashes.
    InstanceCrash {
        /// When it crashes.
        at: Spanned<SimDuration>,
        /// Which instance.
        instance: Spanned<String>,
        /// When given, its host comes back after this long.
        #[serde(default, deserialize_with = "optional_run_length")]
        recover_after: Option<SimDuration>,
    },
    /// A named instance reboots; a writer rebooted with `failover: true`
    /// hands over to a reader first.
    InstanceReboot {
        /// When the reboot is asked for.
        at: Spanned<SimDuration>,
        /// Which instance.
        instance: Spanned<String>,
        /// Fail over to a reader instead of waiting for the writer.
        #[serde(default)]
        failover: bool,
    },
    /// A manual failover (`FailoverDBCluster`, the FIS action
    /// `aws:rds:failover-db-cluster`).
    Failover {
        /// When it is asked for.
        at: Spanned<SimDuration>,
        /// The reader to promote; absent: the control plane chooses.
        #[serde(default)]
        target: Option<Spanned<String>>,
    },
    /// A gray failure: a node's disk and links become `factor` times slower.
    SlowNode {
        /// When it slows down.
        at: Spanned<SimDuration>,
        /// Which node.
        node: Spanned<String>,
        /// Slow-down factor, at least 1.
        #[serde(deserialize_with = "slowdown")]
        factor: f64,
        /// How long; forever when absent.
        #[serde(default, deserialize_with = "optional_run_length")]
        duration: Option<SimDuration>,
    },
    /// A gray failure: a fraction of messages to and from a node (or an AZ,
    /// or everything when neither is named) is lost.
    PacketLoss {
        /// When loss starts.
        at: Spanned<SimDuration>,
        /// Only this node's messages.
        #[serde(default)]
        node: Option<Spanned<String>>,
        /// Only this AZ's messages.
        #[serde(default)]
        az: Option<Spanned<String>>,
        /// Probability that one message is lost, in [0, 1).
        #[serde(deserialize_with = "loss_rate")]
        rate: f64,
        /// How long; forever when absent.
        #[serde(default, deserialize_with = "optional_run_length")]
        duration: Option<SimDuration>,
    },
}

/// What the run must show. Every field is optional; each one given becomes
/// a named expectation in `summary.json`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExpectSpec {
    /// At most this many acknowledged commits lost.
    #[serde(default)]
    pub lost_commits: Option<u64>,
    /// At most this many reads returning a page state other than the
    /// committed one.
    #[serde(default)]
    pub wrong_reads: Option<u64>,
    /// Write availability at least this fraction.
    #[serde(default, deserialize_with = "optional_fraction")]
    pub min_write_availability: Option<f64>,
    /// Write availability at most this fraction (a scenario that must stall).
    #[serde(default, deserialize_with = "optional_fraction")]
    pub max_write_availability: Option<f64>,
    /// Read availability at least this fraction.
    #[serde(default, deserialize_with = "optional_fraction")]
    pub min_read_availability: Option<f64>,
    /// Longest write outage at most this long.
    #[serde(default, deserialize_with = "optional_run_length")]
    pub max_write_unavailable: Option<SimDuration>,
    /// Longest write outage at least this long.
    #[serde(default, deserialize_with = "optional_run_length")]
    pub min_write_unavailable: Option<SimDuration>,
    /// Mean acknowledged commits per second at least this.
    #[serde(default, deserialize_with = "optional_rate")]
    pub min_commits_per_s: Option<f64>,
    /// p99 commit latency at most this.
    #[serde(default, deserialize_with = "optional_run_length")]
    pub max_commit_p99: Option<SimDuration>,
    /// Peak PGs below write quorum at most this.
    #[serde(default)]
    pub max_pgs_below_write_quorum: Option<u32>,
    /// Peak PGs below write quorum at least this.
    #[serde(default)]
    pub min_pgs_below_write_quorum: Option<u32>,
    /// Peak PGs below read quorum at most this.
    #[serde(default)]
    pub max_pgs_below_read_quorum: Option<u32>,
    /// Peak PGs below read quorum at least this.
    #[serde(default)]
    pub min_pgs_below_read_quorum: Option<u32>,
    /// Segments re-created by repair at least this many.
    #[serde(default)]
    pub min_segments_repaired: Option<u32>,
    /// Exactly this many failovers.
    #[serde(default)]
    pub failovers: Option<u32>,
    /// The instances promoted, in order.
    #[serde(default)]
    pub promoted: Option<Vec<String>>,
    /// Every failover's cluster RTO (fault to writable through a fresh
    /// DNS lookup) at most this long.
    #[serde(default, deserialize_with = "optional_run_length")]
    pub max_rto: Option<SimDuration>,
    /// Some failover's cluster RTO at least this long.
    #[serde(default, deserialize_with = "optional_run_length")]
    pub min_rto: Option<SimDuration>,
    /// The slowest client's observed RTO at most this long, in every
    /// failover.
    #[serde(default, deserialize_with = "optional_run_length")]
    pub max_client_rto: Option<SimDuration>,
    /// The slowest client's observed RTO at least this long, in some
    /// failover.
    #[serde(default, deserialize_with = "optional_run_length")]
    pub min_client_rto: Option<SimDuration>,
    /// At most this many clients left hanging at the end.
    #[serde(default)]
    pub max_hung_clients: Option<u32>,
    /// At least this many clients left hanging at the end.
    #[serde(default)]
    pub min_hung_clients: Option<u32>,
    /// At most this many commits acknowledged by a writer whose epoch had
    /// been superseded (split brain; must be 0).
    #[serde(default)]
    pub split_brain_commits: Option<u64>,
    /// At least this many batches refused for a stale epoch (fencing seen
    /// at work).
    #[serde(default)]
    pub min_stale_epoch_refusals: Option<u64>,
    /// Every reader's p99 replica lag at most this.
    #[serde(default, deserialize_with = "optional_run_length")]
    pub max_replica_lag_p99: Option<SimDuration>,
}

fn unknown<T>(value: T) -> Spanned<T> {
    Spanned::new(value, Location::UNKNOWN, Location::UNKNOWN)
}

fn spanned_azs() -> Spanned<Vec<String>> {
    unknown(d::azs())
}
fn spanned_volume() -> Spanned<u64> {
    unknown(d::volume_gib())
}
fn spanned_segment() -> Spanned<u64> {
    unknown(d::segment_gib())
}
fn spanned_copies() -> Spanned<u32> {
    unknown(d::copies())
}
fn spanned_write_quorum() -> Spanned<u32> {
    unknown(d::write_quorum())
}
fn spanned_read_quorum() -> Spanned<u32> {
    unknown(d::read_quorum())
}
fn spanned_working_set() -> Spanned<f64> {
    unknown(d::working_set_gib())
}
fn spanned_class() -> Spanned<String> {
    unknown(d::instance_class())
}

/// Reads a value and rejects it unless `ok` holds, saying what was expected.
fn checked<'de, D, T>(d: D, ok: impl Fn(&T) -> bool, expected: &str) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de> + std::fmt::Debug,
{
    let v = T::deserialize(d)?;
    if ok(&v) {
        Ok(v)
    } else {
        Err(serde::de::Error::custom(format!(
            "expected {expected}, found {v:?}"
        )))
    }
}

const MONTH: SimDuration = SimDuration::from_secs(30 * 86_400);

fn run_length<'de, D: Deserializer<'de>>(d: D) -> Result<SimDuration, D::Error> {
    checked(
        d,
        |v: &SimDuration| *v <= MONTH,
        "a duration of at most 30 days",
    )
}
fn optional_run_length<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SimDuration>, D::Error> {
    run_length(d).map(Some)
}
fn period<'de, D: Deserializer<'de>>(d: D) -> Result<SimDuration, D::Error> {
    checked(
        d,
        |v: &SimDuration| *v >= SimDuration::from_micros(1) && *v <= SimDuration::from_secs(3600),
        "a period between 1us and 1h",
    )
}
fn optional_period<'de, D: Deserializer<'de>>(d: D) -> Result<Option<SimDuration>, D::Error> {
    period(d).map(Some)
}
fn tier<'de, D: Deserializer<'de>>(d: D) -> Result<u8, D::Error> {
    checked(d, |v: &u8| *v <= 15, "a promotion tier from 0 to 15")
}
fn threshold<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    checked(
        d,
        |v: &u32| (1..=100).contains(v),
        "between 1 and 100 missed checks",
    )
}
fn client_count<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    checked(
        d,
        |v: &u32| (1..=1000).contains(v),
        "between 1 and 1000 clients",
    )
}
fn latency<'de, D: Deserializer<'de>>(d: D) -> Result<SimDuration, D::Error> {
    checked(
        d,
        |v: &SimDuration| *v >= SimDuration::from_nanos(1) && *v <= SimDuration::from_secs(10),
        "a latency between 1ns and 10s",
    )
}
fn jitter<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    checked(
        d,
        |v: &f64| (0.0..=2.0).contains(v),
        "a lognormal sigma between 0 and 2",
    )
}
fn positive_u64<'de, D: Deserializer<'de>>(d: D) -> Result<u64, D::Error> {
    checked(d, |v: &u64| *v > 0, "a positive integer")
}
fn positive_f64<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    checked(d, |v: &f64| *v > 0.0 && v.is_finite(), "a positive number")
}
fn nodes_per_az<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    checked(
        d,
        |v: &u32| (1..=10_000).contains(v),
        "between 1 and 10000 nodes per AZ",
    )
}
fn rate<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    checked(
        d,
        |v: &f64| (0.0..=1e6).contains(v),
        "a rate between 0 and 1000000 per second",
    )
}
fn optional_rate<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    rate(d).map(Some)
}
fn records<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    checked(
        d,
        |v: &u32| (1..=1000).contains(v),
        "between 1 and 1000 records per commit",
    )
}
fn page_size<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
    checked(
        d,
        |v: &u32| [4, 8, 16, 32, 64].contains(v),
        "a page size of 4, 8, 16, 32 or 64 KiB",
    )
}
fn slowdown<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    checked(
        d,
        |v: &f64| (1.0..=1e6).contains(v),
        "a slow-down factor of at least 1",
    )
}
fn loss_rate<'de, D: Deserializer<'de>>(d: D) -> Result<f64, D::Error> {
    checked(
        d,
        |v: &f64| (0.0..1.0).contains(v),
        "a loss probability in [0, 1)",
    )
}
fn optional_fraction<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
    checked(
        d,
        |v: &f64| (0.0..=1.0).contains(v),
        "a fraction between 0 and 1",
    )
    .map(Some)
}
