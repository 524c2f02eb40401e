//! Measurements: the recorder the model feeds while it runs, the timeline
//! it bins them into, and the summary computed at the end.

mod performance;
mod recorder;
mod redundancy;
mod replication;
mod summary;
pub mod units;

pub use performance::FailoverCapacity;
pub use performance::Storm;
pub(crate) use performance::{
    failover_capacity, level_before, rate_after, recovered_performance, storm, Judged,
};
pub use recorder::TimelineRow;
pub(crate) use recorder::{timeline_rows, Recorder};
pub use redundancy::{PgRedundancy, Redundancy, RedundancySummary};
pub use replication::{Exposure, Promotion, RegionMeasures, Replication};
pub use summary::{
    AutoScalingSummary, Candidate, CapacitySummary, ClientErrors, ClientGroup, ClientObserved,
    Commits, CommonPrefix, CustomEndpointSummary, Expectation, FailedAttempt, Failover,
    FaultSummary, ForwardingSummary, GlobalSummary, GroupObserved, GroupResult, Healing,
    InstanceSummary, InvariantResult, Lag, Latency, Maintenance, NodeUse, Outage, PatchedInstance,
    Reads, RegionExposure, RegionPromotion, RegionSummary, Rto, ScalingActivity, ServerlessSummary,
    Steps, StorageSummary, Summary, Topology, Violation, FORMAT_VERSION,
};
