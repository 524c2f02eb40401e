//! The `metrics:` section: how results are binned and judged.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::settings::{period, spanned_bin, spanned_period};
use crate::scenario::defaults as d;
use crate::sim::SimDuration;

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
