//! The `topology:` and `storage:` sections: the AZs, the storage fleet,
//! the volume and its quorum.

use schemars::JsonSchema;
use serde::Deserialize;
use serde_saphyr::Spanned;

use super::settings::{
    bandwidth, batches_in_flight, copies, disk_iops, duration, jitter, latency,
    lsn_allocation_limit, nodes_per_az, optional_bandwidth, period, read_quorum, record_bytes,
    segment, spanned_azs, spanned_copies, spanned_lal, spanned_nodes_per_az, spanned_read_quorum,
    spanned_segment, spanned_volume, spanned_write_quorum, volume, write_quorum,
};
use crate::model::config::Placement;
use crate::scenario::defaults as d;
use crate::sim::SimDuration;

/// The cluster's physical layout.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct TopologySpec {
    /// AZ names.
    #[serde(default = "spanned_azs")]
    #[schemars(with = "Vec<String>")]
    pub azs: Spanned<Vec<String>>,
    /// Storage nodes in each AZ; named `<az>-1` … `<az>-N`.
    #[serde(
        default = "spanned_nodes_per_az",
        deserialize_with = "nodes_per_az::read"
    )]
    #[schemars(schema_with = "nodes_per_az::schema")]
    pub storage_nodes_per_az: Spanned<u32>,
}

impl Default for TopologySpec {
    fn default() -> Self {
        TopologySpec {
            azs: spanned_azs(),
            storage_nodes_per_az: spanned_nodes_per_az(),
        }
    }
}

/// The storage volume and its quorum.
#[derive(Debug, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct StorageSpec {
    /// Volume size in GiB (at most 128 TiB = 131,072 GiB).
    #[serde(default = "spanned_volume", deserialize_with = "volume::read")]
    #[schemars(schema_with = "volume::schema")]
    pub volume_gib: Spanned<u64>,
    /// Protection-group size in GiB.
    #[serde(default = "spanned_segment", deserialize_with = "segment::read")]
    #[schemars(schema_with = "segment::schema")]
    pub segment_gib: Spanned<u64>,
    /// Copies of each PG, spread evenly over the AZs.
    #[serde(default = "spanned_copies", deserialize_with = "copies::read")]
    #[schemars(schema_with = "copies::schema")]
    pub copies: Spanned<u32>,
    /// Copies that must hold a record before it is durable.
    #[serde(
        default = "spanned_write_quorum",
        deserialize_with = "write_quorum::read"
    )]
    #[schemars(schema_with = "write_quorum::schema")]
    pub write_quorum: Spanned<u32>,
    /// Copies recovery must reach to find every durable record.
    #[serde(
        default = "spanned_read_quorum",
        deserialize_with = "read_quorum::read"
    )]
    #[schemars(schema_with = "read_quorum::schema")]
    pub read_quorum: Spanned<u32>,
    /// Accept quorums that break read + write > copies or 2 x write >
    /// copies, to watch what goes wrong: the run then fails its quorum
    /// intersection check.
    #[serde(default)]
    pub unsafe_quorum: bool,
    /// Median time to persist a batch.
    #[serde(default = "d::disk_latency", deserialize_with = "latency::read")]
    #[schemars(schema_with = "latency::schema")]
    pub disk_latency: SimDuration,
    /// Lognormal sigma of the persist time.
    #[serde(default = "d::disk_jitter", deserialize_with = "jitter::read")]
    #[schemars(schema_with = "jitter::schema")]
    pub disk_jitter: f64,
    /// LSN allocation limit (LAL) above VDL.
    #[serde(
        default = "spanned_lal",
        deserialize_with = "lsn_allocation_limit::read"
    )]
    #[schemars(schema_with = "lsn_allocation_limit::schema")]
    pub lsn_allocation_limit: Spanned<u64>,
    /// Delay before a segment with a gap asks a peer.
    #[serde(default = "d::gossip_interval", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub gossip_interval: SimDuration,
    /// Period of background page materialization.
    #[serde(default = "d::materialize_interval", deserialize_with = "period::read")]
    #[schemars(schema_with = "period::schema")]
    pub materialize_interval: SimDuration,
    /// Time a node may be unreachable before its segments are re-created.
    #[serde(default = "d::repair_after", deserialize_with = "duration::read")]
    #[schemars(schema_with = "duration::schema")]
    pub repair_after: SimDuration,
    /// A cap on one repair copy's rate in Gb/s; without it a copy takes
    /// what the nodes' disks and NICs leave.
    #[serde(default, deserialize_with = "optional_bandwidth::read")]
    #[schemars(schema_with = "optional_bandwidth::schema")]
    pub repair_gbps: Option<f64>,
    /// Where a lost copy is re-created.
    #[serde(default)]
    pub repair_placement: Placement,
    /// Batches one PG may have in flight to its segments.
    #[serde(
        default = "d::batches_in_flight",
        deserialize_with = "batches_in_flight::read"
    )]
    #[schemars(schema_with = "batches_in_flight::schema")]
    pub batches_in_flight: u32,
    /// Bytes of one redo record, on the wire and on disk.
    #[serde(default = "d::record_bytes", deserialize_with = "record_bytes::read")]
    #[schemars(schema_with = "record_bytes::schema")]
    pub record_bytes: u32,
    /// A storage node's NIC, Gb/s each way.
    #[serde(default = "d::node_gbps", deserialize_with = "bandwidth::read")]
    #[schemars(schema_with = "bandwidth::schema")]
    pub node_gbps: f64,
    /// A storage node's disk bandwidth, Gb/s.
    #[serde(default = "d::disk_gbps", deserialize_with = "bandwidth::read")]
    #[schemars(schema_with = "bandwidth::schema")]
    pub disk_gbps: f64,
    /// A storage node's disk operations per second.
    #[serde(default = "d::disk_iops", deserialize_with = "disk_iops::read")]
    #[schemars(schema_with = "disk_iops::schema")]
    pub disk_iops: f64,
}

impl Default for StorageSpec {
    fn default() -> Self {
        StorageSpec {
            volume_gib: spanned_volume(),
            segment_gib: spanned_segment(),
            copies: spanned_copies(),
            write_quorum: spanned_write_quorum(),
            read_quorum: spanned_read_quorum(),
            unsafe_quorum: false,
            disk_latency: d::disk_latency(),
            disk_jitter: d::disk_jitter(),
            lsn_allocation_limit: spanned_lal(),
            gossip_interval: d::gossip_interval(),
            materialize_interval: d::materialize_interval(),
            repair_after: d::repair_after(),
            repair_gbps: None,
            repair_placement: Placement::default(),
            batches_in_flight: d::batches_in_flight(),
            record_bytes: d::record_bytes(),
            node_gbps: d::node_gbps(),
            disk_gbps: d::disk_gbps(),
            disk_iops: d::disk_iops(),
        }
    }
}
