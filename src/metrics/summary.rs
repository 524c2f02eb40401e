//! `summary.json`: what a run measured, and whether its expectations held.

use serde::Serialize;

/// The whole summary. Field order is the JSON key order.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Summary {
    /// Scenario name.
    pub scenario: String,
    /// Scenario description.
    pub description: String,
    /// Root seed: rerun with it to get the same bytes.
    pub seed: u64,
    /// Simulated seconds.
    pub simulated_s: f64,
    /// Events the engine processed.
    pub events_processed: u64,
    /// Digest of the event trace (see `sim::trace` for the function).
    pub trace_digest: String,
    /// Commit counts and rates.
    pub commits: Commits,
    /// Commit latency percentiles, milliseconds.
    pub commit_latency_ms: Latency,
    /// Fraction of simulated time in which a commit could be acknowledged.
    pub write_availability: f64,
    /// Fraction of simulated time in which a page read could be served.
    pub read_availability: f64,
    /// Write outages (merged stall intervals).
    pub write_stalls: Vec<Stall>,
    /// PGs whose pending record held VCL (and so every commit) back during
    /// a write stall: the volume-wide effect of one PG losing write quorum.
    pub write_stall_blocking_pgs: Vec<u32>,
    /// Storage reads.
    pub reads: Reads,
    /// Peak number of PGs below write quorum.
    pub pgs_below_write_quorum_max: u32,
    /// Peak number of PGs below read quorum.
    pub pgs_below_read_quorum_max: u32,
    /// Storage behaviour.
    pub storage: StorageSummary,
    /// The run's expectations and whether each held.
    pub expectations: Vec<Expectation>,
}

impl Summary {
    /// Length of the longest write outage, seconds (0 if none).
    pub fn longest_write_stall_s(&self) -> f64 {
        self.write_stalls
            .iter()
            .map(|w| w.duration_s)
            .fold(0.0, f64::max)
    }
}

/// Commit counts.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Commits {
    /// Commits offered by the workload.
    pub offered: u64,
    /// Commits acknowledged (VDL reached their commit LSN).
    pub acknowledged: u64,
    /// Acknowledged commits that the storage left at the end of the run
    /// cannot recover (must be 0 within AZ+1).
    pub lost: u64,
    /// Acknowledged commits per simulated second.
    pub per_s: f64,
}

/// Latency percentiles in milliseconds.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Latency {
    /// Median.
    pub p50: f64,
    /// 99th percentile.
    pub p99: f64,
    /// 99.9th percentile.
    pub p999: f64,
    /// Maximum.
    pub max: f64,
}

/// One write outage.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Stall {
    /// Start, seconds.
    pub from_s: f64,
    /// End, seconds.
    pub to_s: f64,
    /// Length, seconds.
    pub duration_s: f64,
}

/// Storage reads.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Reads {
    /// Reads that returned the committed page content.
    pub correct: u64,
    /// Reads that returned anything else (must be 0).
    pub wrong: u64,
    /// Attempts retried on another segment after a timeout.
    pub retried: u64,
    /// Read latency percentiles, milliseconds.
    pub latency_ms: Latency,
}

/// What the storage layer did.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct StorageSummary {
    /// Protection groups.
    pub pgs: u32,
    /// Segments in the volume's membership at the end.
    pub segments: u32,
    /// Final VCL.
    pub vcl: u64,
    /// Final VDL.
    pub vdl: u64,
    /// VDL that a recovery from the storage left at the end would reach.
    pub recoverable_vdl: u64,
    /// Segments re-created by repair.
    pub segments_repaired: u32,
    /// Gaps filled by gossip between peers.
    pub gossip_fills: u64,
    /// Records the writer resent to a PG that made no progress.
    pub records_resent: u64,
    /// Batches refused for carrying an old volume epoch.
    pub stale_epoch_refusals: u64,
}

/// One expectation and its outcome.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Expectation {
    /// The `expect:` key.
    pub name: String,
    /// Whether it held.
    pub passed: bool,
    /// Expected and measured values.
    pub detail: String,
}
