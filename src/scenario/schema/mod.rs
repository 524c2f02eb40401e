//! The scenario file format, as serde reads it.
//!
//! Every struct denies unknown fields, so a typo is an error with its line
//! and column rather than a silently ignored setting. Every numeric value
//! is checked against its documented range ([`d::Limit`]) while it is
//! read, so the error points at the value itself; checks that relate two
//! fields happen in [`super::validate`], which uses the spans kept here in
//! [`Spanned`] fields.
//!
//! Split by section of the format, as [`super::validate`] treats them;
//! the readers the sections share are in `settings`.

mod clients;
mod dns;
mod faults;
mod global;
mod instances;
mod metrics;
mod network;
mod serverless;
mod settings;
mod topology;
mod workload;

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::defaults as d;
use super::expect::ExpectSpec;
use crate::sim::SimDuration;
use clients::proxy_section;
use settings::run_length;

pub use clients::{
    ClientSpec, ConnectionSpec, ConsistencySpec, CustomEndpointSpec, CustomEndpointType,
    EndpointSpec, ProxySpec,
};
pub use dns::DnsSpec;
pub use faults::FaultSpec;
pub use global::GlobalSpec;
pub use instances::{
    ControlPlaneSpec, EngineSpec, EnvironmentSpec, InstanceSpec, RoleSpec, StepSpec,
};
pub use metrics::MetricsSpec;
pub use network::NetworkSpec;
pub use serverless::{AutoScalingSpec, ScalingMetricSpec, ServerlessSpec};
pub(crate) use settings::{optional_commit_rate, optional_duration, optional_fraction, read};
pub use topology::{StorageSpec, TopologySpec};
pub use workload::{AccessSpec, WorkloadSpec};

/// A whole scenario file.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ScenarioFile {
    /// Short name; also the name of its results directory under `--out`
    /// (`out/` unless given).
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
    /// Custom endpoints: DNS names for chosen sets of the cluster's
    /// instances, which client groups may use.
    #[serde(default)]
    pub endpoints: Vec<CustomEndpointSpec>,
    /// Aurora Serverless v2: the capacity range of the cluster's
    /// `db.serverless` instances and how they scale; absent: every
    /// instance has a provisioned class.
    #[serde(default)]
    pub serverless: Option<ServerlessSpec>,
    /// Aurora Replicas auto scaling: a policy adding readers when the
    /// readers run above a target; absent: the readers are those listed.
    #[serde(default)]
    pub replica_auto_scaling: Option<AutoScalingSpec>,
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
    /// Aurora Global Database: the secondary regions the volume
    /// replicates to; absent: one region.
    #[serde(default)]
    pub global: Option<GlobalSpec>,
    /// Faults injected during the run.
    #[serde(default)]
    pub faults: Vec<FaultSpec>,
    /// Expectations the run must meet for exit code 0.
    #[serde(default)]
    pub expect: ExpectSpec,
}
