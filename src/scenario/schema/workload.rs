//! The `workload:` section: what one transaction does, how it picks
//! pages, and any load that arrives open-loop, whatever the database does.
//! The load itself comes from the `clients:` groups, each a closed loop.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_saphyr::Spanned;

use super::settings::{
    commit_rate, group_commit_interval, page_size, period, read_rate, records, spanned_records,
    spanned_working_set, transaction_reads, working_set, zipf_exponent,
};
use crate::scenario::defaults as d;
use crate::sim::SimDuration;

/// What a transaction does, and the load that arrives regardless.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct WorkloadSpec {
    /// Load that arrives at the writer whatever it does (Poisson
    /// arrivals), on top of the clients' closed loops; none by default.
    #[serde(default)]
    pub open_loop: OpenLoopSpec,
    /// Page reads a transaction makes at the writer before its changes;
    /// those its buffer cache misses go to storage, and the transaction
    /// waits for them.
    #[serde(
        default = "d::reads_per_transaction",
        deserialize_with = "transaction_reads::read"
    )]
    #[schemars(schema_with = "transaction_reads::schema")]
    pub reads_per_transaction: u32,
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
            open_loop: OpenLoopSpec::default(),
            reads_per_transaction: d::reads_per_transaction(),
            records_per_commit: spanned_records(),
            working_set_gib: spanned_working_set(),
            page_kib: d::page_kib(),
            group_commit_interval: d::group_commit_interval(),
            storage_read_timeout: d::storage_read_timeout(),
            write_retry_interval: d::write_retry_interval(),
            access: AccessSpec::default(),
        }
    }
}

/// Load offered at a rate, whatever the database does: arrivals do not
/// wait for earlier answers, so a slow writer builds a queue instead of
/// slowing its clients. Zero by default: load comes from clients.
#[derive(Debug, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct OpenLoopSpec {
    /// Commits arriving per second (Poisson), each one transaction.
    #[serde(default, deserialize_with = "commit_rate::read")]
    #[schemars(schema_with = "commit_rate::schema")]
    pub commits_per_s: f64,
    /// Page reads arriving at the writer per second (Poisson); those its
    /// buffer cache misses go to storage.
    #[serde(default, deserialize_with = "read_rate::read")]
    #[schemars(schema_with = "read_rate::schema")]
    pub reads_per_s: f64,
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
