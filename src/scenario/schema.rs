//! The scenario file format, as serde reads it.
//!
//! Every struct denies unknown fields, so a typo is an error with its line
//! and column rather than a silently ignored setting. Every numeric value
//! is checked against its documented range ([`d::Limit`]) while it is
//! read, so the error points at the value itself; checks that relate two
//! fields happen in [`super::validate`], which uses the spans kept here in
//! [`Spanned`] fields.

use std::fmt;

use schemars::{json_schema, JsonSchema, Schema, SchemaGenerator};
use serde::de::{self, IntoDeserializer};
use serde::{Deserialize, Deserializer, Serialize};
use serde_saphyr::{Location, Spanned};

use super::defaults::{self as d, Limit};
use super::expect::ExpectSpec;
use crate::model::config::{CacheSpec, Cut, Placement, TieBreak};
use crate::sim::time::{ParseDurationError, DURATION_FORMAT};
use crate::sim::SimDuration;

/// A whole scenario file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Short name; also the default output directory under `results/`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// What the scenario shows, for the summary and the report.
    #[serde(default)]
    pub description: String,
    /// Root seed of every random stream; any `u64`.
    #[serde(default = "d::seed")]
    pub seed: u64,
    /// Simulated time to run.
    #[serde(deserialize_with = "run_length::read")]
    #[schemars(schema_with = "run_length::schema")]
    pub duration: Spanned<SimDuration>,
    /// AZs and the storage fleet.
    #[serde(default)]
    pub topology: TopologySpec,
    /// The DB instances: one writer and up to 15 readers. Default: one
    /// writer named `writer` in the first AZ.
    #[serde(default)]
    #[schemars(with = "Option<Vec<InstanceSpec>>")]
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
    /// RDS Proxy between the clients whose `connection` is `proxy` and
    /// the writer; absent: no proxy; present but empty: every default.
    #[serde(default, deserialize_with = "proxy_section")]
    pub proxy: Option<ProxySpec>,
    /// Volume, quorum and storage-node behaviour.
    #[serde(default)]
    pub storage: StorageSpec,
    /// Link latencies.
    #[serde(default)]
    pub network: NetworkSpec,
    /// What the application asks of the writer.
    #[serde(default)]
    pub workload: WorkloadSpec,
    /// CPU costs and engine features.
    #[serde(default)]
    pub engine: EngineSpec,
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
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopologySpec {
    /// AZ names.
    #[serde(default = "spanned_azs")]
    #[schemars(with = "Vec<String>")]
    pub azs: Spanned<Vec<String>>,
    /// Storage nodes in each AZ; named `<az>-1` … `<az>-N`.
    #[serde(
        default = "spanned_nodes_per_az",
        deserialize_with = "nodes_per_az::read"
    )]
    #[schemars(schema_with = "nodes_per_az::schema")]
    pub storage_nodes_per_az: Spanned<u32>,
}

impl Default for TopologySpec {
    fn default() -> Self {
        TopologySpec {
            azs: spanned_azs(),
            storage_nodes_per_az: spanned_nodes_per_az(),
        }
    }
}

/// The storage volume and its quorum.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StorageSpec {
    /// Volume size in GiB (at most 128 TiB = 131,072 GiB).
    #[serde(default = "spanned_volume", deserialize_with = "volume::read")]
    #[schemars(schema_with = "volume::schema")]
    pub volume_gib: Spanned<u64>,
    /// Protection-group size in GiB.
    #[serde(default = "spanned_segment", deserialize_with = "segment::read")]
    #[schemars(schema_with = "segment::schema")]
    pub segment_gib: Spanned<u64>,
    /// Copies of each PG, spread evenly over the AZs.
    #[serde(default = "spanned_copies", deserialize_with = "copies::read")]
    #[schemars(schema_with = "copies::schema")]
    pub copies: Spanned<u32>,
    /// Copies that must hold a record before it is durable.
    #[serde(
        default = "spanned_write_quorum",
        deserialize_with = "write_quorum::read"
    )]
    #[schemars(schema_with = "write_quorum::schema")]
    pub write_quorum: Spanned<u32>,
    /// Copies recovery must reach to find every durable record.
    #[serde(
        default = "spanned_read_quorum",
        deserialize_with = "read_quorum::read"
    )]
    #[schemars(schema_with = "read_quorum::schema")]
    pub read_quorum: Spanned<u32>,
    /// Accept quorums that break read + write > copies or 2 x write >
    /// copies, to watch what goes wrong: the run then fails its quorum
    /// intersection check.
    #[serde(default)]
    pub unsafe_quorum: bool,
    /// Median time to persist a batch.
    #[serde(default = "d::disk_latency", deserialize_with = "latency::read")]
    #[schemars(schema_with = "latency::schema")]
    pub disk_latency: SimDuration,
    /// Lognormal sigma of the persist time.
    #[serde(default = "d::disk_jitter", deserialize_with = "jitter::read")]
    #[schemars(schema_with = "jitter::schema")]
    pub disk_jitter: f64,
    /// LSN allocation limit (LAL) above VDL.
    #[serde(
        default = "spanned_lal",
        deserialize_with = "lsn_allocation_limit::read"
    )]
    #[schemars(schema_with = "lsn_allocation_limit::schema")]
    pub lsn_allocation_limit: Spanned<u64>,
    /// Delay before a segment with a gap asks a peer.
    #[serde(default = "d::gossip_interval", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub gossip_interval: SimDuration,
    /// Period of background page materialization.
    #[serde(default = "d::materialize_interval", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub materialize_interval: SimDuration,
    /// Time a node may be unreachable before its segments are re-created.
    #[serde(default = "d::repair_after", deserialize_with = "duration::read")]
    #[schemars(schema_with = "duration::schema")]
    pub repair_after: SimDuration,
    /// A cap on one repair copy's rate in Gb/s; without it a copy takes
    /// what the nodes' disks and NICs leave.
    #[serde(default, deserialize_with = "optional_bandwidth::read")]
    #[schemars(schema_with = "optional_bandwidth::schema")]
    pub repair_gbps: Option<f64>,
    /// Where a lost copy is re-created.
    #[serde(default)]
    pub repair_placement: Placement,
    /// Batches one PG may have in flight to its segments.
    #[serde(
        default = "d::batches_in_flight",
        deserialize_with = "batches_in_flight::read"
    )]
    #[schemars(schema_with = "batches_in_flight::schema")]
    pub batches_in_flight: u32,
    /// Bytes of one redo record, on the wire and on disk.
    #[serde(default = "d::record_bytes", deserialize_with = "record_bytes::read")]
    #[schemars(schema_with = "record_bytes::schema")]
    pub record_bytes: u32,
    /// A storage node's NIC, Gb/s each way.
    #[serde(default = "d::node_gbps", deserialize_with = "bandwidth::read")]
    #[schemars(schema_with = "bandwidth::schema")]
    pub node_gbps: f64,
    /// A storage node's disk bandwidth, Gb/s.
    #[serde(default = "d::disk_gbps", deserialize_with = "bandwidth::read")]
    #[schemars(schema_with = "bandwidth::schema")]
    pub disk_gbps: f64,
    /// A storage node's disk operations per second.
    #[serde(default = "d::disk_iops", deserialize_with = "disk_iops::read")]
    #[schemars(schema_with = "disk_iops::schema")]
    pub disk_iops: f64,
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
            lsn_allocation_limit: spanned_lal(),
            gossip_interval: d::gossip_interval(),
            materialize_interval: d::materialize_interval(),
            repair_after: d::repair_after(),
            repair_gbps: None,
            repair_placement: Placement::default(),
            batches_in_flight: d::batches_in_flight(),
            record_bytes: d::record_bytes(),
            node_gbps: d::node_gbps(),
            disk_gbps: d::disk_gbps(),
            disk_iops: d::disk_iops(),
        }
    }
}

/// One DB instance.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct InstanceSpec {
    /// Instance identifier, e.g. `reader-1`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// The AZ it runs in.
    #[schemars(with = "String")]
    pub az: Spanned<String>,
    /// Instance class, e.g. `db.r6g.2xlarge`; failover prefers larger ones.
    #[serde(default = "spanned_class")]
    #[schemars(with = "String")]
    pub class: Spanned<String>,
    /// Promotion tier, 0 (first choice) to 15.
    #[serde(default = "d::promotion_tier", deserialize_with = "tier::read")]
    #[schemars(schema_with = "tier::schema")]
    pub tier: u8,
    /// `writer` for exactly one instance; the others are readers.
    #[serde(default)]
    pub role: RoleSpec,
}

/// An instance's role when the run starts.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum RoleSpec {
    /// The one instance that writes.
    Writer,
    /// A replica serving reads, and a failover target.
    #[default]
    Reader,
}

/// The control plane: failure detection and failover.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ControlPlaneSpec {
    /// Period of the writer's health check.
    #[serde(
        default = "d::health_check_interval",
        deserialize_with = "health_check_interval::read"
    )]
    #[schemars(schema_with = "health_check_interval::schema")]
    pub health_check_interval: SimDuration,
    /// Consecutive missed checks before the writer is declared failed.
    #[serde(default = "d::failure_threshold", deserialize_with = "threshold::read")]
    #[schemars(schema_with = "threshold::schema")]
    pub failure_threshold: u32,
    /// A database process stopping (before a restart or promotion).
    #[serde(default = "StepSpec::process_stop")]
    pub process_stop: StepSpec,
    /// The engine starting, before its buffer pool is set up.
    #[serde(default = "StepSpec::engine_start")]
    pub engine_start: StepSpec,
    /// GiB of buffer pool set up per second of a start.
    #[serde(
        default = "d::buffer_pool_gib_per_s",
        deserialize_with = "buffer_pool_rate::read"
    )]
    #[schemars(schema_with = "buffer_pool_rate::schema")]
    pub buffer_pool_gib_per_s: f64,
    /// A new writer rebuilding its in-memory state after storage recovery.
    #[serde(default = "StepSpec::rebuild")]
    pub rebuild: StepSpec,
    /// A started process opening for connections.
    #[serde(default = "StepSpec::open")]
    pub open: StepSpec,
    /// How long a PG may hold pending records without write progress
    /// before the writer's I/O watchdog reports it unhealthy.
    #[serde(default = "d::io_watchdog", deserialize_with = "io_watchdog::read")]
    #[schemars(schema_with = "io_watchdog::schema")]
    pub io_watchdog: SimDuration,
    /// Time to create a replacement instance when no reader can take over.
    #[serde(default = "d::provision_time", deserialize_with = "duration::read")]
    #[schemars(schema_with = "duration::schema")]
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
            process_stop: StepSpec::process_stop(),
            engine_start: StepSpec::engine_start(),
            buffer_pool_gib_per_s: d::buffer_pool_gib_per_s(),
            rebuild: StepSpec::rebuild(),
            open: StepSpec::open(),
            io_watchdog: d::io_watchdog(),
            provision_time: d::provision_time(),
            tie_break: TieBreak::default(),
        }
    }
}

/// One step of a process start: a lognormal time.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StepSpec {
    /// Median time.
    #[serde(deserialize_with = "duration::read")]
    #[schemars(schema_with = "duration::schema")]
    pub median: SimDuration,
    /// Log-space sigma (0: always the median).
    #[serde(deserialize_with = "jitter::read")]
    #[schemars(schema_with = "jitter::schema")]
    pub sigma: f64,
}

impl StepSpec {
    fn of((median, sigma): (SimDuration, f64)) -> Self {
        StepSpec { median, sigma }
    }
    fn process_stop() -> Self {
        Self::of(d::process_stop())
    }
    fn engine_start() -> Self {
        Self::of(d::engine_start())
    }
    fn rebuild() -> Self {
        Self::of(d::rebuild())
    }
    fn proxy_latency() -> Self {
        Self::of(d::proxy_latency())
    }
    fn open() -> Self {
        Self::of(d::open())
    }
}

/// The database engine: what work costs and which features are on.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct EngineSpec {
    /// CPU time of one row change (one redo record).
    #[serde(default = "d::cpu_per_record", deserialize_with = "cpu_cost::read")]
    #[schemars(schema_with = "cpu_cost::schema")]
    pub cpu_per_record: SimDuration,
    /// CPU time of one page read.
    #[serde(default = "d::cpu_per_read", deserialize_with = "cpu_cost::read")]
    #[schemars(schema_with = "cpu_cost::schema")]
    pub cpu_per_read: SimDuration,
    /// CPU time for a reader to apply one record to a cached page.
    #[serde(default = "d::apply_per_record", deserialize_with = "cpu_cost::read")]
    #[schemars(schema_with = "cpu_cost::schema")]
    pub apply_per_record: SimDuration,
    /// Cluster cache management (Aurora PostgreSQL `apg_ccm_enabled`).
    #[serde(default)]
    pub cluster_cache_management: bool,
    /// Readers keep serving through a writer failover or reboot.
    #[serde(default = "d::read_availability")]
    pub read_availability: bool,
    /// A reader lagging more than this restarts.
    #[serde(default = "d::max_replica_lag", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub max_replica_lag: SimDuration,
    /// CPU time to accept one connection (TLS handshake, authentication,
    /// a new session).
    #[serde(default = "d::cpu_per_connect", deserialize_with = "cpu_cost::read")]
    #[schemars(schema_with = "cpu_cost::schema")]
    pub cpu_per_connect: SimDuration,
    /// Connections one instance accepts at most; absent: its class's
    /// default.
    #[serde(default, deserialize_with = "optional_max_connections::read")]
    #[schemars(schema_with = "optional_max_connections::schema")]
    pub max_connections: Option<u32>,
}

impl Default for EngineSpec {
    fn default() -> Self {
        EngineSpec {
            cpu_per_record: d::cpu_per_record(),
            cpu_per_read: d::cpu_per_read(),
            apply_per_record: d::apply_per_record(),
            cluster_cache_management: false,
            read_availability: d::read_availability(),
            max_replica_lag: d::max_replica_lag(),
            cpu_per_connect: d::cpu_per_connect(),
            max_connections: None,
        }
    }
}

/// How the workload picks pages: `uniform`, or `{ zipf: s }`.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum AccessSpec {
    /// Every working-set page alike.
    Uniform,
    /// Popularity rank `k` weighs `1/k^s`.
    Zipf(
        #[serde(deserialize_with = "zipf_exponent::read")]
        #[schemars(schema_with = "zipf_exponent::schema")]
        f64,
    ),
}

impl Default for AccessSpec {
    fn default() -> Self {
        AccessSpec::Zipf(d::zipf_exponent())
    }
}

/// The endpoints' DNS records.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsSpec {
    /// Time-to-live of every answer.
    #[serde(default = "d::dns_ttl", deserialize_with = "duration::read")]
    #[schemars(schema_with = "duration::schema")]
    pub ttl: SimDuration,
    /// Time for a record change to reach the authoritative servers.
    #[serde(default = "d::dns_update_delay", deserialize_with = "duration::read")]
    #[schemars(schema_with = "duration::schema")]
    pub update_delay: SimDuration,
    /// While a record switches, lookups come back empty for this long.
    #[serde(default = "d::dns_empty_answers", deserialize_with = "duration::read")]
    #[schemars(schema_with = "duration::schema")]
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
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
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
        read(d, |s| match s {
            Scalar::Text(t) if t.trim() == "forever" => Ok(CacheSpec::Forever),
            s => s
                .duration(&d::DURATION)
                .map(CacheSpec::For)
                .map_err(|e| format!("{e}; a DNS cache may also be `forever`")),
        })
    }
}

/// A group of identical application clients, each a request loop.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ClientSpec {
    /// Group name; clients are `<name>-1` … `<name>-N`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// How many clients.
    #[serde(
        default = "spanned_client_count",
        deserialize_with = "client_count::read"
    )]
    #[schemars(schema_with = "client_count::schema")]
    pub count: Spanned<u32>,
    /// Endpoint used.
    #[serde(default)]
    pub endpoint: EndpointSpec,
    /// AZ the application runs in. Default: the first AZ.
    #[serde(default)]
    #[schemars(with = "Option<String>")]
    pub az: Option<Spanned<String>>,
    /// The client's own DNS cache; absent: it honours the record TTL.
    #[serde(default)]
    pub dns_cache: Option<CacheSpec>,
    /// Wait for a connection before giving up.
    #[serde(default = "d::connect_timeout", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub connect_timeout: SimDuration,
    /// Wait for an answer before giving up; absent: wait forever.
    #[serde(default, deserialize_with = "optional_period::read")]
    #[schemars(schema_with = "optional_period::schema")]
    pub read_timeout: Option<SimDuration>,
    /// Pause between one answer and the next request.
    #[serde(default = "d::think_time", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub think_time: SimDuration,
    /// First retry delay; doubles on each consecutive error.
    #[serde(default = "d::backoff_base", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub backoff_base: SimDuration,
    /// Longest retry delay.
    #[serde(default = "d::backoff_max", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub backoff_max: SimDuration,
    /// How requests reach the database.
    #[serde(default)]
    pub connection: ConnectionSpec,
}

/// A `proxy:` key that is present: its settings, or every default when it
/// is left empty.
fn proxy_section<'de, D: Deserializer<'de>>(d: D) -> Result<Option<ProxySpec>, D::Error> {
    match Option::<ProxySpec>::deserialize(d)? {
        Some(spec) => Ok(Some(spec)),
        None => {
            let empty =
                de::value::MapDeserializer::<_, D::Error>::new(std::iter::empty::<(&str, &str)>());
            ProxySpec::deserialize(empty).map(Some)
        }
    }
}

/// How a client group's requests reach the database: `direct`, `proxy`,
/// `{ pool: {…} }` or `{ driver: {…} }`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionSpec {
    /// Each client holds its own connection, found through DNS.
    #[default]
    Direct,
    /// Clients share connection pools.
    Pool(PoolSpec),
    /// Through RDS Proxy (the scenario's `proxy`).
    Proxy,
    /// A topology-aware driver (the AWS wrappers' failover plugin).
    Driver(DriverSpec),
}

/// The ways to connect, as written.
const CONNECTIONS: &[&str] = &["direct", "proxy", "pool", "driver"];

/// Read by hand, so that each mistake is told what to write instead.
impl<'de> Deserialize<'de> for ConnectionSpec {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(ConnectionVisitor)
    }
}

struct ConnectionVisitor;

impl<'de> de::Visitor<'de> for ConnectionVisitor {
    type Value = ConnectionSpec;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("`direct`, `proxy`, `{ pool: {…} }` or `{ driver: {…} }`")
    }

    fn visit_str<E: de::Error>(self, way: &str) -> Result<ConnectionSpec, E> {
        match way {
            "direct" => Ok(ConnectionSpec::Direct),
            "proxy" => Ok(ConnectionSpec::Proxy),
            "pool" | "driver" => Err(E::custom(format!(
                "`{way}` takes settings: write `connection: {{ {way}: {{}} }}` for its defaults"
            ))),
            other => Err(E::unknown_variant(other, CONNECTIONS)),
        }
    }

    fn visit_map<A: de::MapAccess<'de>>(self, mut map: A) -> Result<ConnectionSpec, A::Error> {
        let Some(way) = map.next_key::<String>()? else {
            return Err(de::Error::custom(NO_CONNECTION));
        };
        let spec = match way.as_str() {
            "pool" => ConnectionSpec::Pool(map.next_value()?),
            "driver" => ConnectionSpec::Driver(map.next_value()?),
            "direct" | "proxy" => {
                return Err(de::Error::custom(format!(
                    "`{way}` takes no settings: write `connection: {way}`"
                )))
            }
            other => return Err(de::Error::unknown_variant(other, CONNECTIONS)),
        };
        match map.next_key::<String>()? {
            Some(second) if !CONNECTIONS.contains(&second.as_str()) => {
                Err(de::Error::unknown_variant(&second, CONNECTIONS))
            }
            Some(second) => Err(de::Error::custom(format!(
                "one way to connect, found a second: `{second}` after `{way}`"
            ))),
            None => Ok(spec),
        }
    }

    fn visit_unit<E: de::Error>(self) -> Result<ConnectionSpec, E> {
        Err(E::custom(NO_CONNECTION))
    }

    fn visit_none<E: de::Error>(self) -> Result<ConnectionSpec, E> {
        Err(E::custom(NO_CONNECTION))
    }
}

/// What an empty or null `connection:` is told.
const NO_CONNECTION: &str =
    "no way to connect given: write `direct`, `proxy`, `{ pool: {…} }` or `{ driver: {…} }`";

/// A client-side connection pool.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct PoolSpec {
    /// Connections one pool holds at most.
    #[serde(default = "d::pool_size", deserialize_with = "pool_size::read")]
    #[schemars(schema_with = "pool_size::schema")]
    pub size: u32,
    /// Clients sharing one pool (one application process); absent: the
    /// whole group.
    #[serde(default, deserialize_with = "optional_client_count::read")]
    #[schemars(schema_with = "optional_client_count::schema")]
    pub clients_per_pool: Option<u32>,
    /// Longest a request waits to borrow a connection.
    #[serde(default = "d::acquire_timeout", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub acquire_timeout: SimDuration,
    /// Check a borrowed connection before using it.
    #[serde(default = "d::validate")]
    pub validate: bool,
    /// Longest a check waits for its answer.
    #[serde(default = "d::validation_timeout", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub validation_timeout: SimDuration,
    /// A connection older than this is closed when it is returned.
    #[serde(default = "d::max_lifetime", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub max_lifetime: SimDuration,
}

/// A topology-aware driver's failover settings.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DriverSpec {
    /// How often it refreshes the topology while all is well
    /// (`failoverClusterTopologyRefreshRateMs`).
    #[serde(default = "d::topology_refresh", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub topology_refresh: SimDuration,
    /// How often it asks again for the new writer during a failover
    /// (`failoverWriterReconnectIntervalMs`).
    #[serde(
        default = "d::writer_reconnect_interval",
        deserialize_with = "reconnect_interval::read"
    )]
    #[schemars(schema_with = "reconnect_interval::schema")]
    pub writer_reconnect_interval: SimDuration,
    /// How long it looks for the new writer before giving up
    /// (`failoverTimeoutMs`).
    #[serde(default = "d::failover_timeout", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub failover_timeout: SimDuration,
    /// Ask the instance reached through DNS for the topology on each new
    /// connection and, told that another is the writer, move there before
    /// the next request (the wrapper's `auroraStaleDns` plugin).
    #[serde(default = "d::stale_dns_guard")]
    pub stale_dns_guard: bool,
}

/// RDS Proxy.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ProxySpec {
    /// The AZs it has a node in; absent: every AZ.
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub azs: Option<Spanned<Vec<Spanned<String>>>>,
    /// Database connections it may open, percent of the writer's
    /// `max_connections` (`MaxConnectionsPercent`), split evenly over its
    /// nodes: how the proxy shares the limit among its nodes is not
    /// documented, and an even split never lets one node's idle
    /// connections starve another's clients (a modelling choice; clients
    /// all in one AZ get that node's share only).
    #[serde(
        default = "d::max_connections_percent",
        deserialize_with = "percent::read"
    )]
    #[schemars(schema_with = "percent::schema")]
    pub max_connections_percent: u32,
    /// Longest a request waits for a database connection
    /// (`ConnectionBorrowTimeout`).
    #[serde(default = "d::borrow_timeout", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub borrow_timeout: SimDuration,
    /// Requests one node queues at most; more are shed.
    #[serde(default = "d::max_queued", deserialize_with = "queue_length::read")]
    #[schemars(schema_with = "queue_length::schema")]
    pub max_queued: u32,
    /// Connections one node opens a second at most.
    #[serde(
        default = "d::max_opening_per_s",
        deserialize_with = "opening_rate::read"
    )]
    #[schemars(schema_with = "opening_rate::schema")]
    pub max_opening_per_s: u32,
    /// Share of client sessions pinned to one database connection.
    #[serde(default, deserialize_with = "share::read")]
    #[schemars(schema_with = "share::schema")]
    pub pinned: f64,
    /// How often it asks the instances which is the writer.
    #[serde(
        default = "d::proxy_health_check_interval",
        deserialize_with = "health_check_interval::read"
    )]
    #[schemars(schema_with = "health_check_interval::schema")]
    pub health_check_interval: SimDuration,
    /// Checks in a row the writer may miss before it is taken as gone.
    #[serde(
        default = "d::proxy_failure_threshold",
        deserialize_with = "threshold::read"
    )]
    #[schemars(schema_with = "threshold::schema")]
    pub failure_threshold: u32,
    /// The proxy's own time per request.
    #[serde(default = "StepSpec::proxy_latency")]
    pub latency: StepSpec,
}

/// Link latencies (lognormal around the median).
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct NetworkSpec {
    /// Median one-way latency inside an AZ.
    #[serde(default = "d::same_az_latency", deserialize_with = "latency::read")]
    #[schemars(schema_with = "latency::schema")]
    pub same_az_latency: SimDuration,
    /// Median one-way latency between AZs.
    #[serde(default = "d::cross_az_latency", deserialize_with = "latency::read")]
    #[schemars(schema_with = "latency::schema")]
    pub cross_az_latency: SimDuration,
    /// Lognormal sigma of every link.
    #[serde(default = "d::network_jitter", deserialize_with = "jitter::read")]
    #[schemars(schema_with = "jitter::schema")]
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
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    /// Commits offered per second (Poisson arrivals).
    #[serde(default = "d::commits_per_s", deserialize_with = "commit_rate::read")]
    #[schemars(schema_with = "commit_rate::schema")]
    pub commits_per_s: f64,
    /// Redo records per commit; the last is the commit record (a CPL).
    #[serde(default = "spanned_records", deserialize_with = "records::read")]
    #[schemars(schema_with = "records::schema")]
    pub records_per_commit: Spanned<u32>,
    /// GiB of distinct pages written and read, spread over the volume;
    /// more than one page.
    #[serde(
        default = "spanned_working_set",
        deserialize_with = "working_set::read"
    )]
    #[schemars(schema_with = "working_set::schema")]
    pub working_set_gib: Spanned<f64>,
    /// Page size in KiB.
    #[serde(default = "d::page_kib", deserialize_with = "page_size::read")]
    #[schemars(schema_with = "page_size::schema")]
    pub page_kib: u32,
    /// Page reads per second at the writer; those its buffer cache misses
    /// go to storage.
    #[serde(default = "d::reads_per_s", deserialize_with = "read_rate::read")]
    #[schemars(schema_with = "read_rate::schema")]
    pub reads_per_s: f64,
    /// How often the writer admits arrived commits and ships idle PGs.
    #[serde(
        default = "d::group_commit_interval",
        deserialize_with = "group_commit_interval::read"
    )]
    #[schemars(schema_with = "group_commit_interval::schema")]
    pub group_commit_interval: SimDuration,
    /// Wait for a storage read before trying another segment.
    #[serde(default = "d::storage_read_timeout", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub storage_read_timeout: SimDuration,
    /// Wait without write progress on a PG before resending its records.
    #[serde(default = "d::write_retry_interval", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub write_retry_interval: SimDuration,
    /// How pages are picked: `uniform` or `{ zipf: 0.99 }`.
    #[serde(default)]
    pub access: AccessSpec,
}

impl Default for WorkloadSpec {
    fn default() -> Self {
        WorkloadSpec {
            commits_per_s: d::commits_per_s(),
            records_per_commit: spanned_records(),
            working_set_gib: spanned_working_set(),
            page_kib: d::page_kib(),
            reads_per_s: d::reads_per_s(),
            group_commit_interval: d::group_commit_interval(),
            storage_read_timeout: d::storage_read_timeout(),
            write_retry_interval: d::write_retry_interval(),
            access: AccessSpec::default(),
        }
    }
}

/// How results are binned and judged.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct MetricsSpec {
    /// Width of a `timeline.csv` row.
    #[serde(default = "spanned_bin", deserialize_with = "spanned_period::read")]
    #[schemars(schema_with = "spanned_period::schema")]
    pub bin: Spanned<SimDuration>,
    /// Waiting beyond this counts as unavailability.
    #[serde(default = "d::stall_threshold", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub stall_threshold: SimDuration,
}

impl Default for MetricsSpec {
    fn default() -> Self {
        MetricsSpec {
            bin: spanned_bin(),
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
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case", deny_unknown_fields)]
pub enum FaultSpec {
    /// A storage node stops; its in-memory (unpersisted) records are lost.
    StorageNodeCrash {
        /// When it crashes.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Which node, e.g. `b-3`.
        #[schemars(with = "String")]
        node: Spanned<String>,
        /// When given, the node restarts with its persisted data after this long.
        #[serde(default, deserialize_with = "optional_duration::read")]
        #[schemars(schema_with = "optional_duration::schema")]
        recover_after: Option<SimDuration>,
    },
    /// Every storage node and link of an AZ is down.
    AzOutage {
        /// When the AZ goes down.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Which AZ.
        #[schemars(with = "String")]
        az: Spanned<String>,
        /// How long; forever when absent.
        #[serde(default, deserialize_with = "optional_duration::read")]
        #[schemars(schema_with = "optional_duration::schema")]
        duration: Option<SimDuration>,
    },
    /// Messages are dropped: between two AZs (`between`), to and from one
    /// storage node (`node`), or between a DB instance and storage or the
    /// control plane (`instance`, with `from`). Exactly one of the three.
    NetworkPartition {
        /// When the partition starts.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Two AZs that can no longer talk.
        #[serde(default)]
        #[schemars(with = "Option<Vec<String>>")]
        between: Option<Spanned<Vec<String>>>,
        /// A node cut off from everything.
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        node: Option<Spanned<String>>,
        /// A DB instance cut off (its clients still reach it).
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        instance: Option<Spanned<String>>,
        /// What the instance is cut off from: `everything` (storage and
        /// the control plane, the default), `storage` or `control_plane`.
        #[serde(default)]
        #[schemars(with = "Option<Cut>")]
        from: Option<Spanned<Cut>>,
        /// How long; forever when absent.
        #[serde(default, deserialize_with = "optional_duration::read")]
        #[schemars(schema_with = "optional_duration::schema")]
        duration: Option<SimDuration>,
    },
    /// Whichever instance is the writer at that moment crashes.
    WriterCrash {
        /// When it crashes.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// When given, its host comes back after this long and the instance
        /// restarts (as a reader, if another took over meanwhile).
        #[serde(default, deserialize_with = "optional_duration::read")]
        #[schemars(schema_with = "optional_duration::schema")]
        recover_after: Option<SimDuration>,
    },
    /// A named instance crashes.
    InstanceCrash {
        /// When it crashes.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Which instance.
        #[schemars(with = "String")]
        instance: Spanned<String>,
        /// When given, its host comes back after this long.
        #[serde(default, deserialize_with = "optional_duration::read")]
        #[schemars(schema_with = "optional_duration::schema")]
        recover_after: Option<SimDuration>,
    },
    /// A named instance reboots; a writer rebooted with `failover: true`
    /// hands over to a reader first.
    InstanceReboot {
        /// When the reboot is asked for.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Which instance.
        #[schemars(with = "String")]
        instance: Spanned<String>,
        /// Fail over to a reader instead of waiting for the writer.
        #[serde(default)]
        failover: bool,
    },
    /// A manual failover (`FailoverDBCluster`, the FIS action
    /// `aws:rds:failover-db-cluster`).
    Failover {
        /// When it is asked for.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// The reader to promote; absent: the control plane chooses.
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        target: Option<Spanned<String>>,
    },
    /// A gray failure: a storage node's disk and links (`node`), or a DB
    /// instance's links (`instance`), become `factor` times slower. Exactly
    /// one of the two.
    SlowNode {
        /// When it slows down.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Which node.
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        node: Option<Spanned<String>>,
        /// Or which DB instance.
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        instance: Option<Spanned<String>>,
        /// Slow-down factor, at least 1.
        #[serde(deserialize_with = "slowdown::read")]
        #[schemars(schema_with = "slowdown::schema")]
        factor: f64,
        /// How long; forever when absent.
        #[serde(default, deserialize_with = "optional_duration::read")]
        #[schemars(schema_with = "optional_duration::schema")]
        duration: Option<SimDuration>,
    },
    /// A gray failure: a fraction `rate` of the messages to and from one
    /// storage node (`node`), one AZ (`az`) or one DB instance (`instance`)
    /// is lost; of every message when none of them is named.
    PacketLoss {
        /// When loss starts.
        #[serde(deserialize_with = "at::read")]
        #[schemars(schema_with = "at::schema")]
        at: Spanned<SimDuration>,
        /// Only this node's messages.
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        node: Option<Spanned<String>>,
        /// Only this AZ's messages.
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        az: Option<Spanned<String>>,
        /// Only this DB instance's messages.
        #[serde(default)]
        #[schemars(with = "Option<String>")]
        instance: Option<Spanned<String>>,
        /// Probability that one message is lost, in [0, 1).
        #[serde(deserialize_with = "loss_rate::read")]
        #[schemars(schema_with = "loss_rate::schema")]
        rate: f64,
        /// How long; forever when absent.
        #[serde(default, deserialize_with = "optional_duration::read")]
        #[schemars(schema_with = "optional_duration::schema")]
        duration: Option<SimDuration>,
    },
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
fn spanned_nodes_per_az() -> Spanned<u32> {
    unknown(d::storage_nodes_per_az())
}
fn spanned_lal() -> Spanned<u64> {
    unknown(d::lsn_allocation_limit())
}
fn spanned_client_count() -> Spanned<u32> {
    unknown(d::client_count())
}
fn spanned_records() -> Spanned<u32> {
    unknown(d::records_per_commit())
}
fn spanned_bin() -> Spanned<SimDuration> {
    unknown(d::bin())
}

/// One YAML value as the parser typed it, before a setting gives it a
/// meaning and a range. Reading every number this way, rather than as the
/// setting's Rust type, lets a value beyond that type (`tier: 256`) get the
/// setting's own message instead of the parser's "invalid u8".
pub(crate) enum Scalar {
    /// An integer; YAML integers beyond `u64` arrive as [`Scalar::Real`].
    Whole(i128),
    /// A floating-point number (never NaN or infinite: the parser refuses
    /// those).
    Real(f64),
    /// Any other scalar text, such as `30s`.
    Text(String),
    /// `true` or `false`.
    Bool(bool),
    /// An empty value or `~`.
    Null,
    /// A list or a mapping where one value belongs.
    Collection(&'static str),
}

impl<'de> Deserialize<'de> for Scalar {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> de::Visitor<'de> for Visitor {
            type Value = Scalar;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a single value")
            }
            fn visit_bool<E>(self, v: bool) -> Result<Scalar, E> {
                Ok(Scalar::Bool(v))
            }
            fn visit_i64<E>(self, v: i64) -> Result<Scalar, E> {
                Ok(Scalar::Whole(v.into()))
            }
            fn visit_u64<E>(self, v: u64) -> Result<Scalar, E> {
                Ok(Scalar::Whole(v.into()))
            }
            fn visit_f64<E>(self, v: f64) -> Result<Scalar, E> {
                Ok(Scalar::Real(v))
            }
            fn visit_str<E>(self, v: &str) -> Result<Scalar, E> {
                Ok(Scalar::Text(v.to_owned()))
            }
            fn visit_unit<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_none<E>(self) -> Result<Scalar, E> {
                Ok(Scalar::Null)
            }
            fn visit_seq<A: de::SeqAccess<'de>>(self, _: A) -> Result<Scalar, A::Error> {
                Ok(Scalar::Collection("a list"))
            }
            fn visit_map<A: de::MapAccess<'de>>(self, _: A) -> Result<Scalar, A::Error> {
                Ok(Scalar::Collection("a mapping"))
            }
        }
        d.deserialize_any(Visitor)
    }
}

impl fmt::Display for Scalar {
    /// The value as a message quotes it after "found".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Scalar::Whole(n) => write!(f, "{n}"),
            // Debug keeps the fraction (`2.0`, `1e300`) that says the
            // value was written as a real number.
            Scalar::Real(x) => write!(f, "{x:?}"),
            Scalar::Text(t) => write!(f, "{t:?}"),
            Scalar::Bool(b) => write!(f, "{b}"),
            Scalar::Null => f.write_str("nothing"),
            Scalar::Collection(what) => f.write_str(what),
        }
    }
}

impl<T: PartialOrd + fmt::Display> Limit<T> {
    /// "expected a promotion tier from 0 to 15, found 256".
    fn refuse(&self, found: &Scalar) -> String {
        let upto = if self.max_excluded { "to below" } else { "to" };
        format!(
            "expected {} from {} {upto} {}, found {found}",
            self.what, self.min, self.max
        )
    }
}

/// A span as a message names a limit: `720h (30 days)`.
fn spelled(d: SimDuration) -> String {
    const DAY: u64 = 86_400_000_000_000;
    let ns = d.as_nanos();
    if ns >= 2 * DAY && ns.is_multiple_of(DAY) {
        format!("{d} ({} days)", ns / DAY)
    } else {
        d.to_string()
    }
}

impl Scalar {
    /// An integer in `limit`.
    pub(crate) fn whole<T>(self, limit: &Limit<T>) -> Result<T, String>
    where
        T: TryFrom<i128> + PartialOrd + fmt::Display,
    {
        match &self {
            Scalar::Whole(n) => T::try_from(*n).ok().filter(|v| limit.admits(v)),
            _ => None,
        }
        .ok_or_else(|| limit.refuse(&self))
    }

    /// A number in `limit`; integers are read as reals.
    pub(crate) fn real(self, limit: &Limit<f64>) -> Result<f64, String> {
        match self {
            Scalar::Whole(n) => Some(n as f64),
            Scalar::Real(x) => Some(x),
            _ => None,
        }
        .filter(|v| limit.admits(v))
        .ok_or_else(|| limit.refuse(&self))
    }

    /// A duration in `limit`. Text is read by [`SimDuration::parse`], and
    /// an integer by [`SimDuration`]'s own deserializer, which tells a bare
    /// `30` to add a unit.
    pub(crate) fn duration(self, limit: &Limit<SimDuration>) -> Result<SimDuration, String> {
        let too_long = |written: &str| {
            format!(
                "too long: {} is at most {}, found {written}",
                limit.what,
                spelled(limit.max)
            )
        };
        let (value, written) = match self {
            Scalar::Text(t) => match SimDuration::parse(&t) {
                Ok(v) => (v, t.trim().to_owned()),
                Err(ParseDurationError::TooLong(_)) => return Err(too_long(t.trim())),
                Err(e) => return Err(e.to_string()),
            },
            Scalar::Whole(n) => {
                let own = match u64::try_from(n) {
                    Ok(u) => SimDuration::deserialize(u.into_deserializer()),
                    // Negative, so it came from an `i64`.
                    Err(_) => SimDuration::deserialize((n as i64).into_deserializer()),
                };
                (
                    own.map_err(|e: de::value::Error| e.to_string())?,
                    n.to_string(),
                )
            }
            other => return Err(format!("expected {DURATION_FORMAT}, found {other}")),
        };
        if value > limit.max {
            Err(too_long(&written))
        } else if value < limit.min && limit.min == SimDuration::from_nanos(1) {
            Err(format!(
                "too short: {} is longer than 0s, found {written}",
                limit.what
            ))
        } else if value < limit.min {
            Err(format!(
                "too short: {} is at least {}, found {written}",
                limit.what, limit.min
            ))
        } else {
            Ok(value)
        }
    }
}

/// Reads one value and gives it meaning with `f`, whose error becomes the
/// message at the value's location.
pub(crate) fn read<'de, D, T>(
    d: D,
    f: impl FnOnce(Scalar) -> Result<T, String>,
) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
{
    f(Scalar::deserialize(d)?).map_err(de::Error::custom)
}

/// As [`read`], keeping the value's location for checks in validation.
fn read_spanned<'de, D, T>(
    d: D,
    f: impl FnOnce(Scalar) -> Result<T, String>,
) -> Result<Spanned<T>, D::Error>
where
    D: Deserializer<'de>,
{
    let s = Spanned::<Scalar>::deserialize(d)?;
    let value = f(s.value).map_err(de::Error::custom)?;
    Ok(Spanned::new(value, s.referenced, s.defined))
}

/// As [`read`], for a setting that may be absent.
fn read_optional<'de, D, T>(
    d: D,
    f: impl FnOnce(Scalar) -> Result<T, String>,
) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
{
    read(d, f).map(Some)
}

/// Declares each range-checked setting as a module holding the function
/// serde reads it with (`read`) and the one that describes it in the JSON
/// Schema (`schema`), both from one [`Limit`], so the range a file is held
/// to and the range an editor shows cannot part.
macro_rules! settings {
    ($($name:ident: $out:ty = $how:ident($kind:ident, $limit:ident);)*) => {$(
        pub(crate) mod $name {
            use super::*;
            pub(crate) fn read<'de, D: Deserializer<'de>>(d: D) -> Result<$out, D::Error> {
                super::$how(d, |s| s.$kind(&d::$limit))
            }
            pub(crate) fn schema(_: &mut SchemaGenerator) -> Schema {
                d::$limit.schema()
            }
        }
    )*};
}

settings! {
    run_length: Spanned<SimDuration> = read_spanned(duration, RUN);
    at: Spanned<SimDuration> = read_spanned(duration, DURATION);
    duration: SimDuration = read(duration, DURATION);
    optional_duration: Option<SimDuration> = read_optional(duration, DURATION);
    period: SimDuration = read(duration, PERIOD);
    spanned_period: Spanned<SimDuration> = read_spanned(duration, PERIOD);
    optional_period: Option<SimDuration> = read_optional(duration, PERIOD);
    health_check_interval: SimDuration = read(duration, HEALTH_CHECK_INTERVAL);
    group_commit_interval: SimDuration = read(duration, GROUP_COMMIT_INTERVAL);
    latency: SimDuration = read(duration, LATENCY);
    io_watchdog: SimDuration = read(duration, IO_WATCHDOG);
    cpu_cost: SimDuration = read(duration, CPU_COST);
    tier: u8 = read(whole, PROMOTION_TIER);
    threshold: u32 = read(whole, FAILURE_THRESHOLD);
    client_count: Spanned<u32> = read_spanned(whole, CLIENTS_PER_GROUP);
    nodes_per_az: Spanned<u32> = read_spanned(whole, STORAGE_NODES_PER_AZ);
    volume: Spanned<u64> = read_spanned(whole, VOLUME_GIB);
    segment: Spanned<u64> = read_spanned(whole, SEGMENT_GIB);
    copies: Spanned<u32> = read_spanned(whole, COPIES);
    write_quorum: Spanned<u32> = read_spanned(whole, WRITE_QUORUM);
    read_quorum: Spanned<u32> = read_spanned(whole, READ_QUORUM);
    lsn_allocation_limit: Spanned<u64> = read_spanned(whole, LSN_ALLOCATION_LIMIT);
    records: Spanned<u32> = read_spanned(whole, RECORDS_PER_COMMIT);
    batches_in_flight: u32 = read(whole, BATCHES_IN_FLIGHT);
    record_bytes: u32 = read(whole, RECORD_BYTES);
    jitter: f64 = read(real, JITTER);
    bandwidth: f64 = read(real, BANDWIDTH_GBPS);
    optional_bandwidth: Option<f64> = read_optional(real, BANDWIDTH_GBPS);
    disk_iops: f64 = read(real, DISK_IOPS);
    commit_rate: f64 = read(real, COMMITS_PER_S);
    optional_commit_rate: Option<f64> = read_optional(real, COMMITS_PER_S);
    read_rate: f64 = read(real, READS_PER_S);
    working_set: Spanned<f64> = read_spanned(real, WORKING_SET_GIB);
    zipf_exponent: f64 = read(real, ZIPF_EXPONENT);
    buffer_pool_rate: f64 = read(real, BUFFER_POOL_RATE);
    slowdown: f64 = read(real, SLOWDOWN);
    loss_rate: f64 = read(real, LOSS_RATE);
    optional_fraction: Option<f64> = read_optional(real, FRACTION);
    optional_max_connections: Option<u32> = read_optional(whole, MAX_CONNECTIONS);
    pool_size: u32 = read(whole, POOL_SIZE);
    optional_client_count: Option<u32> = read_optional(whole, CLIENTS_PER_GROUP);
    percent: u32 = read(whole, PERCENT);
    queue_length: u32 = read(whole, QUEUE_LENGTH);
    opening_rate: u32 = read(whole, OPENING_RATE);
    reconnect_interval: SimDuration = read(duration, RECONNECT_INTERVAL);
    share: f64 = read(real, SHARE);
}

/// The page size, one of the sizes InnoDB supports.
mod page_size {
    use super::*;
    pub(super) fn read<'de, D: Deserializer<'de>>(d: D) -> Result<u32, D::Error> {
        super::read(d, |s| match s {
            Scalar::Whole(n) if d::PAGE_KIB.iter().any(|&k| i128::from(k) == n) => Ok(n as u32),
            other => Err(format!(
                "expected a page size of 4, 8, 16, 32 or 64 KiB, found {other}"
            )),
        })
    }
    pub(super) fn schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "type": "integer", "enum": d::PAGE_KIB })
    }
}

/// What the JSON Schema says of a value a [`Limit`] admits.
trait InSchema {
    fn schema(&self) -> Schema;
}

macro_rules! whole_in_schema {
    ($($t:ty),*) => {$(
        impl InSchema for Limit<$t> {
            fn schema(&self) -> Schema {
                json_schema!({ "type": "integer", "minimum": self.min, "maximum": self.max })
            }
        }
    )*};
}
whole_in_schema!(u8, u32, u64);

impl InSchema for Limit<f64> {
    fn schema(&self) -> Schema {
        let top = if self.max_excluded {
            "exclusiveMaximum"
        } else {
            "maximum"
        };
        let mut schema = json_schema!({ "type": "number", "minimum": self.min });
        schema.insert(top.into(), self.max.into());
        schema
    }
}

impl InSchema for Limit<SimDuration> {
    /// A duration is text with a unit, or a bare 0. JSON Schema cannot
    /// compare spans, so the range is stated in `x-minimum`/`x-maximum`.
    fn schema(&self) -> Schema {
        let text = json_schema!({ "type": "string", "pattern": DURATION_PATTERN });
        let mut schema = if self.min == SimDuration::ZERO {
            json_schema!({ "oneOf": [text, { "const": 0 }] })
        } else {
            text
        };
        schema.insert("x-minimum".into(), self.min.to_string().into());
        schema.insert("x-maximum".into(), spelled(self.max).into());
        schema
    }
}

/// What [`SimDuration::parse`] reads: a number, an optional exponent and
/// a unit, or `0`.
const DURATION_PATTERN: &str =
    r"^\s*(0|(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*(ns|us|µs|ms|s|m|min|h))\s*$";

impl JsonSchema for CacheSpec {
    fn schema_name() -> std::borrow::Cow<'static, str> {
        "DnsCache".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "oneOf": [d::DURATION.schema(), { "const": "forever" }] })
    }
}
