//! The `dns:` section: the cluster and reader endpoints' records.

use schemars::JsonSchema;
use serde::Deserialize;

use super::settings::{duration, jitter};
use crate::scenario::defaults as d;
use crate::sim::SimDuration;

/// The endpoints' DNS records.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DnsSpec {
    /// Time-to-live of every answer.
    #[serde(default = "d::dns_ttl", deserialize_with = "duration::read")]
    #[schemars(schema_with = "duration::schema")]
    pub ttl: SimDuration,
    /// Median time for a record change to reach the authoritative servers.
    #[serde(default = "d::dns_update_delay", deserialize_with = "duration::read")]
    #[schemars(schema_with = "duration::schema")]
    pub update_delay: SimDuration,
    /// Lognormal sigma of that time (0: always the median).
    #[serde(default = "d::dns_update_sigma", deserialize_with = "jitter::read")]
    #[schemars(schema_with = "jitter::schema")]
    pub update_sigma: f64,
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
            update_sigma: d::dns_update_sigma(),
            empty_answers: d::dns_empty_answers(),
        }
    }
}
