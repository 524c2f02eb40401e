//! The validated configuration a world is built from: every section of a
//! scenario with names resolved to ids and every value in range.
//! `scenario::validate` is the only way to build one from text.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

pub use super::compute::class::{HalfAcus, InstanceClass};
use crate::sim::{LogNormal, SimDuration, SimTime};
use crate::vocab::fault::FaultName;
use crate::vocab::ids::{AzId, InstanceId, NodeId};
use crate::vocab::quorum::Quorum;

/// A validated configuration, ready to build a world.
#[derive(Debug, Clone)]
pub struct Config {
    /// Short name.
    pub name: String,
    /// What the scenario shows.
    pub description: String,
    /// Root seed.
    pub seed: u64,
    /// Simulated time to run.
    pub duration: SimDuration,
    /// Physical layout.
    pub topology: Topology,
    /// DB instances; exactly one starts as the writer.
    pub instances: Vec<InstanceConfig>,
    /// Failure detection and failover.
    pub control: ControlConfig,
    /// Endpoint DNS records.
    pub dns: DnsConfig,
    /// Application client groups.
    pub clients: Vec<ClientConfig>,
    /// Custom endpoints, in the order written.
    pub endpoints: Vec<CustomEndpoint>,
    /// RDS Proxy, if the scenario has one.
    pub proxy: Option<ProxyConfig>,
    /// Volume and storage behaviour.
    pub storage: StorageConfig,
    /// Link latencies.
    pub network: NetworkConfig,
    /// Application demand.
    pub workload: WorkloadConfig,
    /// The database engine: CPU costs and engine features.
    pub engine: EngineConfig,
    /// Binning and judging.
    pub metrics: MetricsConfig,
    /// Faults in the order written.
    pub faults: Vec<Fault>,
    /// Aurora Global Database: the regions the volume replicates to.
    pub global: Option<GlobalConfig>,
    /// Aurora Serverless v2: the range its instances scale within.
    pub serverless: Option<ServerlessConfig>,
    /// Aurora Replicas auto scaling, if a policy is attached.
    pub auto_scaling: Option<AutoScalingConfig>,
}

impl Config {
    /// The classes instance `i` runs on during a run: its own, then any a
    /// class change gives it.
    pub fn classes_of(&self, i: usize) -> impl Iterator<Item = InstanceClass> + '_ {
        let changes = self.faults.iter().filter_map(move |f| match &f.kind {
            FaultKind::ClassChange { inst, spec, .. } if inst.index() == i => Some(*spec),
            _ => None,
        });
        std::iter::once(self.instances[i].spec).chain(changes)
    }

    /// The slowest a request to storage and its answer can be under these
    /// settings: two legs over the slower link and a persist, each at the
    /// largest value its draw can take. Queueing is not in it: it bounds
    /// the path, not the load.
    pub fn slowest_round_trip(&self) -> SimDuration {
        let leg = self.slowest_leg();
        let persist = LogNormal::new(self.storage.disk_latency, self.storage.disk_jitter).max();
        leg + leg + persist
    }

    /// The longest one storage node can take to write everything a writer
    /// may have in flight ([`Config::most_in_flight`]), at the
    /// slower of its disk and NIC: how long a queue the settings allow
    /// can hold a record back while storage is healthy but busy.
    pub fn longest_drain(&self) -> SimDuration {
        let s = &self.storage;
        let bits = self.most_in_flight() as f64 * f64::from(s.record_bytes) * 8.0;
        SimDuration::from_secs_f64(bits / (s.disk_gbps.min(s.node_gbps) * 1e9))
    }

    /// The most records a writer may have allocated and not yet durable:
    /// its LSN allocation limit, and never more than the run offers (the
    /// workload's commits over the whole run, and one commit in flight
    /// per client).
    pub fn most_in_flight(&self) -> u64 {
        let wl = &self.workload;
        let records = f64::from(wl.records_per_commit);
        let clients: u64 = self.clients.iter().map(|g| u64::from(g.count)).sum();
        let offered =
            wl.commits_per_s * records * self.duration.as_secs_f64() + clients as f64 * records;
        (offered.ceil() as u64).min(self.storage.lsn_allocation_limit)
    }

    /// The slowest one message can be on the network under these
    /// settings: the slower link at the largest value its draw can take.
    pub fn slowest_leg(&self) -> SimDuration {
        let n = &self.network;
        LogNormal::new(n.same_az_latency.max(n.cross_az_latency), n.jitter).max()
    }

    /// Whether anything asks for commits: a client on the cluster
    /// endpoint, or open-loop arrivals. Without either, a time with no
    /// open writer costs no write availability.
    pub fn wants_writes(&self) -> bool {
        self.workload.commits_per_s > 0.0 || self.clients.iter().any(|g| !g.reader && g.count > 0)
    }

    /// Whether a global database's region may be promoted in the run.
    pub fn promotes_regions(&self) -> bool {
        self.faults
            .iter()
            .any(|f| matches!(f.kind, FaultKind::RegionPromotion { .. }))
    }

    /// The regions of a global database measured as secondaries: every
    /// secondary, and the primary too when a promotion may make it one.
    pub fn measured_regions(&self) -> Vec<RegionId> {
        let Some(g) = &self.global else {
            return Vec::new();
        };
        let first = if self.promotes_regions() { 0 } else { 1 };
        (first..g.regions() as u8).map(RegionId).collect()
    }

    /// When the last fault is over: `None` when there is no fault, or one
    /// lasts for good, so that the cluster is never whole again.
    pub fn faults_over(&self) -> Option<SimTime> {
        let ends: Option<Vec<SimTime>> = self.faults.iter().map(Fault::over).collect();
        ends?.into_iter().max()
    }
}

/// AZs and storage nodes, in every region of a global database.
#[derive(Debug, Clone)]
pub struct Topology {
    /// AZ names, indexed by [`AzId`]: the primary region's first, then
    /// each secondary region's, as many in each.
    pub azs: Vec<String>,
    /// AZs in each region: region `r` has AZs `r * azs_per_region` up to
    /// the next region's.
    pub azs_per_region: usize,
    /// Storage nodes per AZ; node `i` of AZ `z` has id `z * nodes_per_az + i`.
    pub nodes_per_az: u32,
}

impl Topology {
    /// The regions: one without a global database.
    pub fn regions(&self) -> usize {
        self.azs.len() / self.azs_per_region
    }

    /// The region `az` is in.
    pub fn region_of(&self, az: AzId) -> RegionId {
        RegionId((az.index() / self.azs_per_region) as u8)
    }

    /// Region `r`'s AZs.
    pub fn region_azs(&self, r: RegionId) -> impl Iterator<Item = AzId> {
        let first = r.0 as usize * self.azs_per_region;
        (first..first + self.azs_per_region).map(AzId::from_index)
    }

    /// The region storage node `n` is in.
    pub fn region_of_node(&self, n: NodeId) -> RegionId {
        self.region_of(AzId::from_index((n.0 / self.nodes_per_az) as usize))
    }

    /// A node's name as scenarios write it: `<az>-<n>`, counting from 1.
    pub fn node_name(&self, n: NodeId) -> String {
        let az = n.0 / self.nodes_per_az;
        format!("{}-{}", self.azs[az as usize], n.0 % self.nodes_per_az + 1)
    }
}

/// One DB instance.
#[derive(Debug, Clone, PartialEq)]
pub struct InstanceConfig {
    /// Identifier.
    pub name: String,
    /// Its AZ.
    pub az: AzId,
    /// Instance class as written.
    pub class: String,
    /// What the class gives: vCPUs and memory.
    pub spec: InstanceClass,
    /// Promotion tier, 0–15.
    pub tier: u8,
    /// Whether it starts as the writer.
    pub writer: bool,
    /// The environment of a blue/green deployment it belongs to.
    pub environment: Environment,
    /// An Aurora Serverless v2 instance's capacity at the start (`spec`
    /// is then its capacity at the cluster's maximum); `None` for a
    /// provisioned class.
    pub acu: Option<HalfAcus>,
    /// A reader replica auto scaling may create: it does not exist until
    /// the policy adds it.
    pub autoscaled: bool,
}

/// An Aurora Replicas auto scaling policy (target tracking).
#[derive(Debug, Clone)]
pub struct AutoScalingConfig {
    /// What it tracks.
    pub metric: ScalingMetric,
    /// The value it keeps the metric at.
    pub target: f64,
    /// The fewest readers.
    pub min: u32,
    /// The most readers.
    pub max: u32,
    /// After adding readers, how long before adding more.
    pub out_cooldown: SimDuration,
    /// After removing one, how long before removing another.
    pub in_cooldown: SimDuration,
    /// Never remove readers.
    pub disable_scale_in: bool,
}

/// The metric a replica auto scaling policy tracks, averaged over the
/// cluster's available readers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalingMetric {
    /// CPU utilisation, percent.
    Cpu,
    /// Open connections.
    Connections,
}

/// The cluster's Aurora Serverless v2 scaling configuration and how its
/// instances follow their load.
#[derive(Debug, Clone)]
pub struct ServerlessConfig {
    /// Each instance's least capacity; zero lets idle instances pause.
    pub min: HalfAcus,
    /// Each instance's most.
    pub max: HalfAcus,
    /// How long an instance goes without user connections before it
    /// pauses, with a minimum of zero.
    pub auto_pause: SimDuration,
    /// A paused instance's resume.
    pub resume: LogNormal,
    /// How often capacity is set anew.
    pub interval: SimDuration,
    /// The processor utilisation capacity is sized for.
    pub target_utilisation: f64,
    /// The most capacity grows in a second, as a share of itself.
    pub up_per_s: f64,
    /// The most it shrinks in a second, as a share of itself.
    pub down_per_s: f64,
}

impl ServerlessConfig {
    /// The least capacity a running instance has: the minimum, or half an
    /// ACU above a minimum of zero (zero is paused).
    pub fn least_running(&self) -> HalfAcus {
        self.min.max(HalfAcus(1))
    }
}

/// The environment of a blue/green deployment an instance belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Environment {
    /// Production: the cluster.
    Blue,
    /// The green environment's writer, which follows blue's by
    /// replication until a switchover.
    GreenWriter,
    /// A reader of the green environment.
    GreenReader,
}

/// Failure detection and failover.
#[derive(Debug, Clone)]
pub struct ControlConfig {
    /// Health-check period.
    pub health_check_interval: SimDuration,
    /// Consecutive misses before failover.
    pub failure_threshold: u32,
    /// A process start, step by step.
    pub start: StartSteps,
    /// How long the writer may go without write progress on a PG with
    /// records pending before its I/O watchdog counts it unhealthy.
    pub io_watchdog: SimDuration,
    /// Replacement instance creation.
    pub provision_time: LogNormal,
    /// Choice among equals.
    pub tie_break: TieBreak,
    /// An instance's operating-system update, host down.
    pub os_update_time: SimDuration,
}

/// The steps of a database process start, each a draw: the old process
/// stops, the engine starts (longer for a larger buffer pool), and once
/// storage is recovered (a writer) the engine rebuilds what it needs in
/// memory and opens for connections.
#[derive(Debug, Clone)]
pub struct StartSteps {
    /// The running process stops.
    pub stop: LogNormal,
    /// The engine starts, before its buffer pool is set up.
    pub engine_start: LogNormal,
    /// GiB of buffer pool set up per second.
    pub buffer_pool_gib_per_s: f64,
    /// A new writer rebuilds its in-memory state after storage recovery.
    pub rebuild: LogNormal,
    /// The process opens for connections.
    pub open: LogNormal,
}

impl StartSteps {
    /// Time to set up the buffer pool of `class`.
    pub fn buffer_pool(&self, class: &InstanceClass) -> SimDuration {
        let gib = class.memory_gib as f64 * super::compute::class::CACHE_SHARE;
        SimDuration::from_secs_f64(gib / self.buffer_pool_gib_per_s)
    }

    /// The longest a start of `class` can take, every draw at its
    /// largest: what a liveness bound must allow.
    pub fn longest(&self, class: &InstanceClass) -> SimDuration {
        self.stop.max()
            + self.engine_start.max()
            + self.buffer_pool(class)
            + self.rebuild.max()
            + self.open.max()
    }
}

/// The database engine: what work costs, and the features that change
/// failover.
#[derive(Debug, Clone)]
pub struct EngineConfig {
    /// CPU time to execute one redo-producing change (a row write).
    pub cpu_per_record: SimDuration,
    /// CPU time of one page read by the workload.
    pub cpu_per_read: SimDuration,
    /// CPU time for a reader to apply one redo record to a cached page.
    pub apply_per_record: SimDuration,
    /// Cluster cache management (Aurora PostgreSQL): the writer keeps its
    /// single tier-0 reader of its own class warm.
    pub cluster_cache_management: bool,
    /// Whether a writer failover or reboot leaves the other readers
    /// serving (newer engine versions), or restarts them all.
    pub read_availability: bool,
    /// A reader lagging more than this restarts.
    pub max_replica_lag: SimDuration,
    /// CPU time to accept one connection.
    pub cpu_per_connect: SimDuration,
    /// How long zero-downtime patching waits for a quiet point.
    pub zdp_quiet_wait: SimDuration,
    /// Connections one instance accepts at most; `None`: its class's
    /// default.
    pub max_connections: Option<u32>,
}

impl EngineConfig {
    /// Connections an instance of `class` accepts at most.
    pub fn max_connections(&self, class: &InstanceClass) -> u32 {
        self.max_connections
            .unwrap_or_else(|| class.max_connections())
    }
}

/// Endpoint DNS records.
#[derive(Debug, Clone)]
pub struct DnsConfig {
    /// Answer TTL.
    pub ttl: SimDuration,
    /// Propagation of a change to the authoritative servers.
    pub update_delay: LogNormal,
    /// Window of empty answers while a record switches.
    pub empty_answers: SimDuration,
}

/// A group of identical clients.
#[derive(Debug, Clone)]
pub struct ClientConfig {
    /// Group name.
    pub name: String,
    /// Clients in the group.
    pub count: u32,
    /// Whether they use the reader endpoint (reads) rather than the
    /// cluster endpoint (commits).
    pub reader: bool,
    /// Their AZ.
    pub az: AzId,
    /// Their own DNS cache, overriding the TTL.
    pub dns_cache: Option<CacheSpec>,
    /// Connect timeout.
    pub connect_timeout: SimDuration,
    /// Request timeout; `None` waits forever.
    pub read_timeout: Option<SimDuration>,
    /// Pause between requests.
    pub think_time: SimDuration,
    /// First retry delay.
    pub backoff_base: SimDuration,
    /// Longest retry delay.
    pub backoff_max: SimDuration,
    /// How its requests reach the database.
    pub connection: Connection,
    /// With write forwarding: each request is a write the reader it
    /// reaches forwards to the writer, then a read at this consistency.
    pub forward: Option<Consistency>,
    /// The custom endpoint its readers use (an index into
    /// [`Config::endpoints`]), rather than the reader endpoint.
    pub custom: Option<usize>,
}

/// A custom endpoint of the cluster (\[UG\] Amazon Aurora endpoint
/// connections, custom endpoints): a DNS name for a chosen set of its
/// instances, resolved like the reader endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct CustomEndpoint {
    /// Its name.
    pub name: String,
    /// `ANY` (its members whatever their role) rather than `READER` (its
    /// members while they are readers).
    pub any: bool,
    /// Its members.
    pub members: Members,
}

/// Which instances a custom endpoint is for.
#[derive(Debug, Clone, PartialEq)]
pub enum Members {
    /// These (`StaticMembers`).
    Static(Vec<InstanceId>),
    /// Every instance but these (`ExcludedMembers`), instances added later
    /// included.
    Excluded(Vec<InstanceId>),
}

impl CustomEndpoint {
    /// Whether `inst` is one of its members.
    pub fn lists(&self, inst: InstanceId) -> bool {
        match &self.members {
            Members::Static(m) => m.contains(&inst),
            Members::Excluded(m) => !m.contains(&inst),
        }
    }

    /// `ANY` or `READER`, as the API writes the type.
    pub fn kind(&self) -> &'static str {
        if self.any {
            "ANY"
        } else {
            "READER"
        }
    }
}

/// What a read after a forwarded write waits for
/// (`aurora_replica_read_consistency`, \[UG\] Read consistency for write
/// forwarding).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Consistency {
    /// Nothing: the read may not see the session's own write.
    Eventual,
    /// The session's own writes: the read waits until the reader has
    /// applied the write it forwarded.
    Session,
    /// Everything the writer had committed when the read began.
    Global,
}

impl Consistency {
    /// As written in a scenario and in results.
    pub fn name(self) -> &'static str {
        match self {
            Consistency::Eventual => "eventual",
            Consistency::Session => "session",
            Consistency::Global => "global",
        }
    }
}

/// How a client group's requests reach the database.
#[derive(Debug, Clone, PartialEq)]
pub enum Connection {
    /// Each client holds its own connection through the endpoint's DNS.
    Direct,
    /// Clients share pools of connections.
    Pool(PoolConfig),
    /// Through RDS Proxy.
    Proxy,
    /// A topology-aware driver (the AWS wrappers' failover plugin).
    Driver(DriverConfig),
}

/// A client-side connection pool (HikariCP's settings and defaults).
#[derive(Debug, Clone, PartialEq)]
pub struct PoolConfig {
    /// Connections one pool holds at most.
    pub size: u32,
    /// Clients that share one pool (one application process).
    pub clients_per_pool: u32,
    /// Longest a request waits to borrow a connection.
    pub acquire_timeout: SimDuration,
    /// Whether a borrowed connection is checked first.
    pub validate: bool,
    /// Longest a check waits for its answer.
    pub validation_timeout: SimDuration,
    /// A connection older than this is closed when it is returned.
    pub max_lifetime: SimDuration,
}

/// A topology-aware driver's failover settings.
#[derive(Debug, Clone, PartialEq)]
pub struct DriverConfig {
    /// How often it refreshes the topology while all is well.
    pub topology_refresh: SimDuration,
    /// How often it asks again for the new writer during a failover.
    pub writer_reconnect_interval: SimDuration,
    /// How long it looks for the new writer before giving up.
    pub failover_timeout: SimDuration,
    /// Whether it refuses a DNS answer that names an instance its
    /// topology knows is not the writer.
    pub stale_dns_guard: bool,
}

/// RDS Proxy in front of the cluster endpoint.
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    /// The AZs it has a node in.
    pub azs: Vec<AzId>,
    /// Database connections it may open, percent of the writer's
    /// `max_connections`.
    pub max_connections_percent: u32,
    /// Longest a request waits for a database connection.
    pub borrow_timeout: SimDuration,
    /// Requests one node queues at most; more are shed.
    pub max_queued: u32,
    /// Connections one node opens a second at most.
    pub max_opening_per_s: u32,
    /// Share of client sessions pinned to one database connection.
    pub pinned: f64,
    /// How often it checks the instances' roles.
    pub health_check_interval: SimDuration,
    /// Checks in a row the writer may miss before it is taken as gone.
    pub failure_threshold: u32,
    /// Its own time per request, each way together.
    pub latency: LogNormal,
}

/// Volume, quorum and storage-node behaviour.
#[derive(Debug, Clone)]
pub struct StorageConfig {
    /// Volume size in GiB.
    pub volume_gib: u64,
    /// PG size in GiB.
    pub segment_gib: u64,
    /// Number of protection groups (volume / PG size, rounded up).
    pub pgs: u32,
    /// Copies and quorum sizes.
    pub quorum: Quorum,
    /// Median persist time.
    pub disk_latency: SimDuration,
    /// Lognormal sigma of persist time.
    pub disk_jitter: f64,
    /// LSN allocation limit above VDL.
    pub lsn_allocation_limit: u64,
    /// Delay before gap-filling gossip.
    pub gossip_interval: SimDuration,
    /// Background materialization period.
    pub materialize_interval: SimDuration,
    /// Unreachability before repair.
    pub repair_after: SimDuration,
    /// Cap on one repair copy's rate, Gb/s.
    pub repair_gbps: Option<f64>,
    /// Where a lost copy is re-created.
    pub repair_placement: Placement,
    /// Batches one PG may have in flight.
    pub batches_in_flight: u32,
    /// Bytes of one redo record.
    pub record_bytes: u32,
    /// A storage node's NIC, Gb/s each way.
    pub node_gbps: f64,
    /// A storage node's disk bandwidth, Gb/s.
    pub disk_gbps: f64,
    /// A storage node's disk operations per second.
    pub disk_iops: f64,
}

/// Where repair re-creates a lost copy. The references do not say what
/// Aurora does while a whole AZ is down; both policies are modelling
/// choices, and the default keeps the layout AZ+1 relies on.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Placement {
    /// Only in the lost copy's AZ. Modelling choice: the references do not
    /// say where a repair goes; this keeps \[P17\] §2.1's two copies per AZ,
    /// and while that AZ is down the PG stays short of copies.
    #[default]
    SameAz,
    /// In the lost copy's AZ if a node there can take it, else in another
    /// AZ that holds no more than its even share: full copy count returns
    /// during an AZ outage, at the price of three copies in each of the
    /// other two. Copies are not moved back when the AZ returns, so the
    /// loss of one of those AZs then leaves 3 of 6: a read quorum, no data
    /// lost, but no writes until it returns.
    PreferSameAz,
}

/// Aurora Global Database: the cluster's storage ships its redo to a
/// storage volume in each secondary region (\[UG\] aurora-global-database).
#[derive(Debug, Clone)]
pub struct GlobalConfig {
    /// The cluster's own region.
    pub primary: String,
    /// The secondary regions, in the order written.
    pub secondaries: Vec<RegionConfig>,
    /// `rds.global_db_rpo`: commits wait while no secondary is within it.
    pub rpo: Option<SimDuration>,
    /// How often the replication server sends what the primary's storage
    /// has made durable since its last send.
    pub ship_interval: SimDuration,
}

impl GlobalConfig {
    /// The regions: the primary and its secondaries.
    pub fn regions(&self) -> usize {
        1 + self.secondaries.len()
    }

    /// The link between regions `a` and `b`: its median round trip,
    /// jitter and bandwidth (Gb/s). A secondary's link to the primary is
    /// its own. Between two secondaries none is given: the longer round
    /// trip of the two to the primary stands in, with the larger jitter
    /// and the smaller bandwidth (a modelling choice: it errs slow for two
    /// regions close to each other, and matters only once one of them is
    /// promoted).
    pub fn between(&self, a: RegionId, b: RegionId) -> (SimDuration, f64, f64) {
        let own = |r: RegionId| r.secondary().map(|k| &self.secondaries[k]);
        match (own(a), own(b)) {
            (None, None) => (SimDuration::ZERO, 0.0, f64::INFINITY),
            (Some(r), None) | (None, Some(r)) => (r.rtt, r.jitter, r.bandwidth_gbps),
            (Some(x), Some(y)) => (
                x.rtt.max(y.rtt),
                x.jitter.max(y.jitter),
                x.bandwidth_gbps.min(y.bandwidth_gbps),
            ),
        }
    }

    /// A region's name; region 0 is the primary, `k` the `k`-th secondary.
    pub fn region_name(&self, r: RegionId) -> &str {
        match r.0 {
            0 => &self.primary,
            k => &self.secondaries[k as usize - 1].name,
        }
    }
}

/// A region of a global database: 0 the primary, `k` the `k`-th secondary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct RegionId(pub u8);

impl RegionId {
    /// The primary region.
    pub const PRIMARY: RegionId = RegionId(0);

    /// The index of a secondary among the secondaries.
    pub fn secondary(self) -> Option<usize> {
        (self.0 > 0).then(|| self.0 as usize - 1)
    }
}

/// A secondary region and the link the primary's replication server
/// reaches it over.
#[derive(Debug, Clone)]
pub struct RegionConfig {
    /// Its name.
    pub name: String,
    /// Median round trip between the two regions.
    pub rtt: SimDuration,
    /// Lognormal sigma of one crossing.
    pub jitter: f64,
    /// What the link carries, Gb/s.
    pub bandwidth_gbps: f64,
    /// Whether its cluster forwards writes to the primary
    /// (`EnableGlobalWriteForwarding`).
    pub write_forwarding: bool,
}

/// Link latencies.
#[derive(Debug, Clone)]
pub struct NetworkConfig {
    /// Median one-way latency inside an AZ.
    pub same_az_latency: SimDuration,
    /// Median one-way latency between AZs.
    pub cross_az_latency: SimDuration,
    /// Lognormal sigma.
    pub jitter: f64,
}

/// What a transaction does, and the load that arrives open-loop.
#[derive(Debug, Clone)]
pub struct WorkloadConfig {
    /// Commits arriving per second whatever the database does.
    pub commits_per_s: f64,
    /// Page reads a transaction makes at the writer before its changes.
    pub reads_per_transaction: u32,
    /// Records per commit.
    pub records_per_commit: u32,
    /// Distinct pages in the working set.
    pub working_set_pages: u64,
    /// Pages per protection group.
    pub pages_per_pg: u64,
    /// Page size, KiB.
    pub page_kib: u32,
    /// Page reads arriving at the writer per second whatever it does.
    pub reads_per_s: f64,
    /// Group-commit interval.
    pub group_commit_interval: SimDuration,
    /// Storage read retry timeout.
    pub storage_read_timeout: SimDuration,
    /// Write resend interval.
    pub write_retry_interval: SimDuration,
    /// How the workload picks pages.
    pub access: Access,
}

/// How the workload picks the pages it reads and writes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Access {
    /// Every working-set page alike.
    Uniform,
    /// The page of popularity rank `k` with weight `1/k^s`.
    Zipf(f64),
}

/// Binning and judging.
#[derive(Debug, Clone)]
pub struct MetricsConfig {
    /// Timeline bin width.
    pub bin: SimDuration,
    /// Waiting beyond this is unavailability.
    pub stall_threshold: SimDuration,
}

/// One fault, resolved to ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// When it starts.
    pub at: SimTime,
    /// What happens.
    pub kind: FaultKind,
    /// How long it lasts; `None` is forever.
    pub duration: Option<SimDuration>,
}

/// What a fault does.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// A storage node stops; with a duration it restarts with its persisted data.
    NodeCrash(NodeId),
    /// Every node and link of an AZ is down.
    AzOutage(AzId),
    /// Two AZs cannot reach each other.
    PartitionAzs(AzId, AzId),
    /// One node is cut off from everything.
    IsolateNode(NodeId),
    /// A node's disk and links are slower by a factor.
    SlowNode(NodeId, f64),
    /// Messages in a scope are lost with a probability.
    PacketLoss(LossScope, f64),
    /// An instance loses its links to storage, to the control plane, or
    /// both.
    IsolateInstance(InstanceId, Cut),
    /// An instance's links become slower by a factor.
    SlowInstance(InstanceId, f64),
    /// Whoever is the writer crashes; with a duration its host returns.
    WriterCrash,
    /// An instance crashes; with a duration its host returns.
    InstanceCrash(InstanceId),
    /// An instance restarts in place, or (`true`) hands over first.
    InstanceReboot(InstanceId, bool),
    /// A manual failover, optionally to a named reader.
    Failover(Option<InstanceId>),
    /// A planned engine patch of every instance, with zero-downtime
    /// patching (`true`) or without.
    EnginePatch(bool),
    /// A planned operating-system update of every instance, rolling.
    OsUpdate,
    /// A region goes dark: every AZ, node and instance of the primary, or
    /// a secondary's storage and link.
    RegionOutage(RegionId),
    /// A region is cut off from every other.
    RegionPartition(RegionId),
    /// A region's replication link carries a factor less.
    RegionSlowdown(RegionId, f64),
    /// A secondary region is promoted: at once with what it holds, or
    /// (`switchover`) once every region is synchronised.
    RegionPromotion {
        /// The region promoted.
        region: RegionId,
        /// A switchover rather than a failover.
        switchover: bool,
    },
    /// A blue/green deployment's switchover: writes stop on both
    /// environments, green catches up, and green becomes production; it
    /// is rolled back if that takes longer than `timeout`.
    BlueGreenSwitchover {
        /// The switchover timeout.
        timeout: SimDuration,
    },
    /// A planned change of an instance's class; with `promote`, a reader
    /// then becomes the writer by a requested failover.
    ClassChange {
        /// The instance.
        inst: InstanceId,
        /// Its new class, as written.
        class: String,
        /// What the new class gives.
        spec: InstanceClass,
        /// Whether a reader then becomes the writer.
        promote: bool,
    },
}

impl FaultKind {
    /// Whether it is an action at an instant (what follows is the
    /// cluster's own doing), which takes no duration.
    pub fn instant(&self) -> bool {
        self.name().instant()
    }

    /// The kind of fault a scenario file names for this action.
    pub fn name(&self) -> FaultName {
        match self {
            FaultKind::NodeCrash(_) => FaultName::StorageNodeCrash,
            FaultKind::AzOutage(_) => FaultName::AzOutage,
            FaultKind::PartitionAzs(..)
            | FaultKind::IsolateNode(_)
            | FaultKind::IsolateInstance(..) => FaultName::NetworkPartition,
            FaultKind::SlowNode(..) | FaultKind::SlowInstance(..) => FaultName::SlowNode,
            FaultKind::PacketLoss(..) => FaultName::PacketLoss,
            FaultKind::WriterCrash => FaultName::WriterCrash,
            FaultKind::InstanceCrash(_) => FaultName::InstanceCrash,
            FaultKind::InstanceReboot(..) => FaultName::InstanceReboot,
            FaultKind::Failover(_) => FaultName::Failover,
            FaultKind::EnginePatch(_) => FaultName::EnginePatch,
            FaultKind::OsUpdate => FaultName::OsUpdate,
            FaultKind::ClassChange { .. } => FaultName::ClassChange,
            FaultKind::BlueGreenSwitchover { .. } => FaultName::BlueGreenSwitchover,
            FaultKind::RegionOutage(_) => FaultName::RegionOutage,
            FaultKind::RegionPartition(_) => FaultName::RegionPartition,
            FaultKind::RegionSlowdown(..) => FaultName::RegionSlowdown,
            FaultKind::RegionPromotion {
                switchover: false, ..
            } => FaultName::GlobalFailover,
            FaultKind::RegionPromotion {
                switchover: true, ..
            } => FaultName::GlobalSwitchover,
        }
    }
}

impl Fault {
    /// When the fault is over: a reboot, a manual failover or a patch is an
    /// action at its instant (what follows is the cluster's own doing); any other
    /// fault ends when its duration runs out, or never.
    pub fn over(&self) -> Option<SimTime> {
        if self.kind.instant() {
            Some(self.at)
        } else {
            self.duration.map(|d| self.at + d)
        }
    }

    /// The kind of this fault and what it hits, in the names the scenario
    /// file uses (`storage_node_crash`, `b-2`).
    pub fn describe(&self, sc: &Config) -> (FaultName, String) {
        let az = |z: AzId| sc.topology.azs[z.index()].clone();
        let node = |n: NodeId| sc.topology.node_name(n);
        let inst = |i: InstanceId| sc.instances[i.index()].name.clone();
        let region = |r: RegionId| {
            sc.global
                .as_ref()
                .map(|g| g.region_name(r).to_owned())
                .unwrap_or_default()
        };
        match &self.kind {
            FaultKind::RegionOutage(r) => (FaultName::RegionOutage, region(*r)),
            FaultKind::RegionPartition(r) => (FaultName::RegionPartition, region(*r)),
            FaultKind::RegionSlowdown(r, factor) => (
                FaultName::RegionSlowdown,
                format!("{} ×{factor}", region(*r)),
            ),
            FaultKind::RegionPromotion { region: r, .. } => (self.kind.name(), region(*r)),
            FaultKind::NodeCrash(n) => (FaultName::StorageNodeCrash, node(*n)),
            FaultKind::AzOutage(z) => (FaultName::AzOutage, az(*z)),
            FaultKind::PartitionAzs(a, b) => (
                FaultName::NetworkPartition,
                format!("{}|{}", az(*a), az(*b)),
            ),
            FaultKind::IsolateNode(n) => (FaultName::NetworkPartition, node(*n)),
            FaultKind::SlowNode(n, factor) => {
                (FaultName::SlowNode, format!("{} ×{factor}", node(*n)))
            }
            FaultKind::PacketLoss(scope, rate) => {
                let scope = match scope {
                    LossScope::All => "all".to_owned(),
                    LossScope::Az(z) => az(*z),
                    LossScope::Node(n) => node(*n),
                    LossScope::Instance(i) => inst(*i),
                };
                (FaultName::PacketLoss, format!("{scope} {}%", rate * 100.0))
            }
            FaultKind::IsolateInstance(i, cut) => (
                FaultName::NetworkPartition,
                match cut {
                    Cut::Everything => inst(*i),
                    Cut::Storage => format!("{} from storage", inst(*i)),
                    Cut::ControlPlane => format!("{} from the control plane", inst(*i)),
                },
            ),
            FaultKind::SlowInstance(i, factor) => {
                (FaultName::SlowNode, format!("{} ×{factor}", inst(*i)))
            }
            FaultKind::WriterCrash => (FaultName::WriterCrash, String::new()),
            FaultKind::InstanceCrash(i) => (FaultName::InstanceCrash, inst(*i)),
            FaultKind::InstanceReboot(i, failover) => (
                FaultName::InstanceReboot,
                if *failover {
                    format!("{} with failover", inst(*i))
                } else {
                    inst(*i)
                },
            ),
            FaultKind::Failover(target) => {
                (FaultName::Failover, target.map(inst).unwrap_or_default())
            }
            FaultKind::EnginePatch(zdp) => (
                FaultName::EnginePatch,
                if *zdp { "zero-downtime" } else { "" }.to_owned(),
            ),
            FaultKind::OsUpdate => (FaultName::OsUpdate, String::new()),
            FaultKind::BlueGreenSwitchover { .. } => {
                (FaultName::BlueGreenSwitchover, String::new())
            }
            FaultKind::ClassChange {
                inst: i,
                class,
                promote,
                ..
            } => (
                FaultName::ClassChange,
                format!(
                    "{} to {class}{}",
                    inst(*i),
                    if *promote { ", promoted" } else { "" }
                ),
            ),
        }
    }
}

/// Which messages a packet-loss fault affects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LossScope {
    /// Every message.
    All,
    /// Messages to or from endpoints in this AZ.
    Az(AzId),
    /// Messages to or from this node.
    Node(NodeId),
    /// Messages to or from this DB instance.
    Instance(InstanceId),
}

/// What an instance's network partition cuts it off from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Cut {
    /// Storage and the control plane (its clients still reach it).
    #[default]
    Everything,
    /// Storage only: it answers health checks, but cannot write.
    Storage,
    /// The control plane only: it writes, but misses health checks.
    ControlPlane,
}

/// How failover picks among readers of equal tier and size.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum TieBreak {
    /// The first by instance name.
    Name,
    /// One drawn from the control plane's seeded stream: \[UG\] Fault
    /// tolerance says the choice among equals is arbitrary.
    #[default]
    Random,
}

/// How long a client keeps a DNS answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CacheSpec {
    /// For this long, whatever the record's TTL.
    For(SimDuration),
    /// Until the process restarts (a JVM with a security manager).
    Forever,
}
