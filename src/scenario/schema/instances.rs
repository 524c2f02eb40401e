//! The `instances:`, `control_plane:` and `engine:` sections: the DB
//! instances and their roles, failure detection and the steps of a
//! process start, and what the engine's work costs.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::settings::{
    buffer_pool_rate, cpu_cost, duration, health_check_interval, io_watchdog, jitter, optional_acu,
    optional_max_connections, period, spanned_class, threshold, tier,
};
use crate::model::config::TieBreak;
use crate::scenario::defaults as d;
use crate::sim::SimDuration;

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
    /// Instance class, e.g. `db.r6g.2xlarge`, or `db.serverless` for an
    /// Aurora Serverless v2 instance (which needs the `serverless:`
    /// section); failover prefers larger ones.
    #[serde(default = "spanned_class")]
    #[schemars(with = "String")]
    pub class: Spanned<String>,
    /// A `db.serverless` instance's capacity when the run starts, in ACUs
    /// within the cluster's range (0: paused); default the range's
    /// minimum, or 0.5 ACU above a minimum of 0. Its load moves it from
    /// there.
    #[serde(default, deserialize_with = "optional_acu::read")]
    #[schemars(schema_with = "optional_acu::schema")]
    pub acu: Option<Spanned<f64>>,
    /// Promotion tier, 0 (first choice) to 15.
    #[serde(default = "d::promotion_tier", deserialize_with = "tier::read")]
    #[schemars(schema_with = "tier::schema")]
    pub tier: u8,
    /// `writer` for exactly one instance; the others are readers.
    #[serde(default)]
    pub role: RoleSpec,
    /// The environment of a blue/green deployment it belongs to: `blue`
    /// (production) or `green` (the staging copy that follows it by
    /// replication until a `blue_green_switchover`); the green
    /// environment has a writer of its own.
    #[serde(default)]
    pub environment: EnvironmentSpec,
}

/// A blue/green deployment's environment.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, Serialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum EnvironmentSpec {
    /// Production.
    #[default]
    Blue,
    /// The staging copy.
    Green,
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
    /// Median time to create a replacement instance when no reader can
    /// take over.
    #[serde(default = "d::provision_time", deserialize_with = "duration::read")]
    #[schemars(schema_with = "duration::schema")]
    pub provision_time: SimDuration,
    /// Lognormal sigma of the replacement's creation time (0: always the
    /// median).
    #[serde(default = "d::provision_sigma", deserialize_with = "jitter::read")]
    #[schemars(schema_with = "jitter::schema")]
    pub provision_sigma: f64,
    /// Choice among readers of equal tier and size.
    #[serde(default)]
    pub tie_break: TieBreak,
    /// How long an instance's operating-system update keeps it down, its
    /// host rebooting, before its database starts.
    #[serde(default = "d::os_update_time", deserialize_with = "duration::read")]
    #[schemars(schema_with = "duration::schema")]
    pub os_update_time: SimDuration,
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
            provision_sigma: d::provision_sigma(),
            tie_break: TieBreak::default(),
            os_update_time: d::os_update_time(),
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
    pub(super) fn proxy_latency() -> Self {
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
    /// How long zero-downtime patching waits for a quiet point (no
    /// transaction in flight) before it falls back to a plain restart.
    #[serde(default = "d::zdp_quiet_wait", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub zdp_quiet_wait: SimDuration,
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
            zdp_quiet_wait: d::zdp_quiet_wait(),
        }
    }
}
