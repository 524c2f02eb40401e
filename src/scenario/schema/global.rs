//! The `global:` section: Aurora Global Database's secondary regions and
//! the RPO guard.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::settings::{bandwidth, global_rpo, jitter, latency, ship_interval};
use crate::scenario::defaults as d;
use crate::sim::SimDuration;

/// The cluster as the primary of a global database: its storage ships
/// redo to a storage volume in each secondary region.
///
/// ```yaml
/// global:
///   primary: us-east-1
///   secondaries:
///     - { name: us-west-2, rtt: 55ms }
///   rpo: 20s
/// ```
///
/// Each secondary region has AZs of its own, as many as the primary's, and
/// a storage node layout like the primary's; instances and clients may be
/// placed in them (`az: us-west-2a`). A secondary region's instances are
/// its cluster's readers: they serve no reads of the primary's and become
/// the writer and readers only if their region is promoted.
///
/// ```yaml
/// instances:
///   - { name: east-1, az: a, role: writer }
///   - { name: west-1, az: us-west-2a, tier: 0 }
/// ```
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GlobalSpec {
    /// The cluster's own region, by name.
    #[schemars(with = "String")]
    pub primary: Spanned<String>,
    /// The secondary regions: one to ten.
    #[schemars(with = "Vec<RegionSpec>")]
    pub secondaries: Spanned<Vec<RegionSpec>>,
    /// `rds.global_db_rpo` (Aurora PostgreSQL): while no secondary is
    /// within this much of the primary, commits on the primary wait.
    /// From 20 s; absent: no guard.
    #[serde(default, deserialize_with = "global_rpo::read")]
    #[schemars(schema_with = "global_rpo::schema")]
    pub rpo: Option<SimDuration>,
    /// How often the primary's replication server sends what its storage
    /// made durable since the last send.
    #[serde(default = "d::ship_interval", deserialize_with = "ship_interval::read")]
    #[schemars(schema_with = "ship_interval::schema")]
    pub ship_interval: SimDuration,
}

/// A secondary region and the link to it.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RegionSpec {
    /// Its name, e.g. `us-west-2`.
    #[schemars(with = "String")]
    pub name: Spanned<String>,
    /// Median round trip from the primary region.
    #[serde(default = "d::region_rtt", deserialize_with = "latency::read")]
    #[schemars(schema_with = "latency::schema")]
    pub rtt: SimDuration,
    /// Lognormal sigma of one crossing.
    #[serde(default = "d::region_jitter", deserialize_with = "jitter::read")]
    #[schemars(schema_with = "jitter::schema")]
    pub jitter: f64,
    /// What the replication link carries, Gb/s.
    #[serde(
        default = "d::region_bandwidth_gbps",
        deserialize_with = "bandwidth::read"
    )]
    #[schemars(schema_with = "bandwidth::schema")]
    pub bandwidth_gbps: f64,
    /// The region's AZs, as many as the primary's; absent: the region's
    /// name followed by each of the primary's AZ names (`us-west-2a`).
    #[serde(default)]
    #[schemars(with = "Option<Vec<String>>")]
    pub azs: Option<Spanned<Vec<String>>>,
    /// Whether the region's cluster forwards writes to the primary
    /// (`EnableGlobalWriteForwarding`; off unless turned on, \[UG\]).
    #[serde(default)]
    pub write_forwarding: bool,
}
