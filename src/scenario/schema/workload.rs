//! The `workload:` section: what the application asks of the writer, and
//! how it picks pages.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::settings::{
    commit_rate, group_commit_interval, page_size, period, read_rate, records, spanned_records,
    spanned_working_set, working_set, zipf_exponent,
};
use crate::scenario::defaults as d;
use crate::sim::SimDuration;

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
