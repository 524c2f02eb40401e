//! The `dns:` section: the cluster and reader endpoints' records.

use schemars::JsonSchema;
use serde::Deserialize;

use super::settings::duration;
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
