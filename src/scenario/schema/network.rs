//! The `network:` section: link latencies.

use schemars::JsonSchema;
use serde::Deserialize;

use super::settings::{jitter, latency};
use crate::scenario::defaults as d;
use crate::sim::SimDuration;

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
