//! Capacity that moves: the `serverless:` section (the cluster's Aurora
//! Serverless v2 capacity range, which every `db.serverless` instance
//! scales within, and how they scale and pause) and the
//! `replica_auto_scaling:` section (a policy that adds and removes
//! readers).

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::settings::{
    acu, auto_pause, duration, growth, jitter, replica_count, scaling_interval, scaling_target,
    spanned_min_readers, utilisation,
};
use crate::scenario::defaults as d;
use crate::sim::SimDuration;

/// The cluster's Aurora Serverless v2 scaling configuration
/// (`ServerlessV2ScalingConfiguration`): every instance of class
/// `db.serverless` scales on its own within this range.
///
/// ```yaml
/// serverless:
///   min_acu: 0.5
///   max_acu: 64
/// instances:
///   - { name: writer, az: a, class: db.serverless, role: writer }
///   - { name: reader-1, az: b, class: db.serverless, tier: 1 }
///   - { name: reader-2, az: c, class: db.r6g.xlarge, tier: 2 }
/// ```
///
/// An ACU is 2 GiB of memory and a quarter of a vCPU; the buffer cache
/// is three quarters of the memory, so it grows and shrinks with the
/// capacity. Readers in promotion tiers 0 and 1 scale at least as high
/// as the writer; readers in tiers 2 to 15 scale with their own load.
/// With `min_acu: 0` an instance without connections for
/// `seconds_until_auto_pause` pauses (the writer together with the readers
/// in tiers 0 and 1), and the next connection to it waits while it
/// resumes.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ServerlessSpec {
    /// `MinCapacity`: the least capacity of each instance, in ACUs, in
    /// steps of 0.5; 0 lets idle instances pause.
    #[serde(deserialize_with = "acu::read")]
    #[schemars(schema_with = "acu::schema")]
    pub min_acu: Spanned<f64>,
    /// `MaxCapacity`: the most, in ACUs, in steps of 0.5, from 1 to 256.
    #[serde(deserialize_with = "acu::read")]
    #[schemars(schema_with = "acu::schema")]
    pub max_acu: Spanned<f64>,
    /// `SecondsUntilAutoPause`: how long an instance goes without user
    /// connections before it pauses, with `min_acu: 0`; 300 to 86,400.
    #[serde(
        default = "d::seconds_until_auto_pause",
        deserialize_with = "auto_pause::read"
    )]
    #[schemars(schema_with = "auto_pause::schema")]
    pub seconds_until_auto_pause: u32,
    /// Median time a paused instance takes to resume once a connection
    /// asks for it.
    #[serde(default = "d::resume_time", deserialize_with = "duration::read")]
    #[schemars(schema_with = "duration::schema")]
    pub resume_time: SimDuration,
    /// Lognormal sigma of the resume time (0: always the median).
    #[serde(default = "d::resume_sigma", deserialize_with = "jitter::read")]
    #[schemars(schema_with = "jitter::schema")]
    pub resume_sigma: f64,
    /// How often each instance's capacity is set anew from its load.
    #[serde(
        default = "d::scaling_interval",
        deserialize_with = "scaling_interval::read"
    )]
    #[schemars(schema_with = "scaling_interval::schema")]
    pub scaling_interval: SimDuration,
    /// The processor utilisation capacity is sized for: an instance whose
    /// load would keep its processors busier than this scales up.
    #[serde(
        default = "d::target_utilisation",
        deserialize_with = "utilisation::read"
    )]
    #[schemars(schema_with = "utilisation::schema")]
    pub target_utilisation: f64,
    /// The most capacity grows in a second, as a share of itself (at least
    /// 0.5 ACU a step): the higher the capacity, the faster it scales up.
    #[serde(default = "d::scale_up_per_s", deserialize_with = "growth::read")]
    #[schemars(schema_with = "growth::schema")]
    pub scale_up_per_s: f64,
    /// The most capacity shrinks in a second, as a share of itself (at
    /// least 0.5 ACU a step).
    #[serde(default = "d::scale_down_per_s", deserialize_with = "growth::read")]
    #[schemars(schema_with = "growth::schema")]
    pub scale_down_per_s: f64,
}

/// Aurora Replicas auto scaling: an Application Auto Scaling
/// target-tracking policy that adds readers to the cluster when its
/// readers' average CPU or connections run above a target, and removes
/// the ones it added when they run well below it.
///
/// ```yaml
/// replica_auto_scaling:
///   metric: cpu        # RDSReaderAverageCPUUtilization
///   target: 40         # percent
///   min_readers: 1
///   max_readers: 4
/// ```
///
/// A new reader has the writer's class and promotion tier 15, is named
/// `application-autoscaling-<n>`, goes to the AZ with the fewest of the
/// cluster's instances, and takes a drawn creation time
/// (`control_plane.provision_time`) before it joins the reader endpoint.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct AutoScalingSpec {
    /// What the policy tracks, averaged over the cluster's available
    /// readers: `cpu` (`RDSReaderAverageCPUUtilization`, percent) or
    /// `connections` (`RDSReaderAverageDatabaseConnections`).
    #[schemars(with = "ScalingMetricSpec")]
    pub metric: Spanned<ScalingMetricSpec>,
    /// The value it keeps the metric at, or close to.
    #[serde(deserialize_with = "scaling_target::read")]
    #[schemars(schema_with = "scaling_target::schema")]
    pub target: Spanned<f64>,
    /// `MinCapacity`: the fewest readers, 0 to 15.
    #[serde(
        default = "spanned_min_readers",
        deserialize_with = "replica_count::read"
    )]
    #[schemars(schema_with = "replica_count::schema")]
    pub min_readers: Spanned<u32>,
    /// `MaxCapacity`: the most readers, 0 to 15.
    #[serde(deserialize_with = "replica_count::read")]
    #[schemars(schema_with = "replica_count::schema")]
    pub max_readers: Spanned<u32>,
    /// `ScaleOutCooldown`: after adding readers, how long before it adds
    /// more.
    #[serde(default = "d::scale_out_cooldown", deserialize_with = "duration::read")]
    #[schemars(schema_with = "duration::schema")]
    pub scale_out_cooldown: SimDuration,
    /// `ScaleInCooldown`: after removing a reader, how long before it
    /// removes another.
    #[serde(default = "d::scale_in_cooldown", deserialize_with = "duration::read")]
    #[schemars(schema_with = "duration::schema")]
    pub scale_in_cooldown: SimDuration,
    /// `DisableScaleIn`: never remove readers.
    #[serde(default)]
    pub disable_scale_in: bool,
}

/// The metric a replica auto scaling policy tracks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum ScalingMetricSpec {
    /// `RDSReaderAverageCPUUtilization`: the readers' mean CPU, percent.
    Cpu,
    /// `RDSReaderAverageDatabaseConnections`: the readers' mean open
    /// connections.
    Connections,
}
