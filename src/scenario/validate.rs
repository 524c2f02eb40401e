//! From a parsed [`ScenarioFile`] to a runnable [`Scenario`]: names become
//! ids, and every check that relates two fields happens here, with the
//! location of the offending value.

use std::path::Path;

use serde_saphyr::Spanned;

use super::schema::{ExpectSpec, FaultSpec, ScenarioFile};
use crate::error::{InputError, Location};
use crate::model::ids::{AzId, NodeId};
use crate::model::storage::quorum::Quorum;
use crate::sim::{SimDuration, SimTime};

/// A validated scenario, ready to build a world.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// Short name.
    pub name: String,
    /// What the scenario shows.
    pub description: String,
    /// Root seed.
    pub seed: u64,
    /// Simulated time to run.
    pub duration: SimDuration,
    /// Physical layout.
    pub topology: Topology,
    /// Volume and storage behaviour.
    pub storage: StorageConfig,
    /// Link latencies.
    pub network: NetworkConfig,
    /// Application demand.
    pub workload: WorkloadConfig,
    /// Binning and judging.
    pub metrics: MetricsConfig,
    /// Faults in the order written.
    pub faults: Vec<Fault>,
    /// Expectations.
    pub expect: ExpectSpec,
}

/// AZs and storage nodes.
#[derive(Debug, Clone)]
pub struct Topology {
    /// AZ names, indexed by [`AzId`].
    pub azs: Vec<String>,
    /// Storage nodes per AZ; node `i` of AZ `z` has id `z * nodes_per_az + i`.
    pub nodes_per_az: u32,
    /// AZ of the writer instance.
    pub writer_az: AzId,
}

/// Volume, quorum and storage-node behaviour.
#[derive(Debug, Clone)]
pub struct StorageConfig {
    /// Volume size in GiB.
    pub volume_gib: u64,
    /// PG size in GiB.
    pub segment_gib: u64,
    /// Number of protection groups (volume / PG size, rounded up).
    pub pgs: u32,
    /// Copies and quorum sizes.
    pub quorum: Quorum,
    /// Median persist time.
    pub disk_latency: SimDuration,
    /// Lognormal sigma of persist time.
    pub disk_jitter: f64,
    /// LSN allocation limit above VDL.
    pub lsn_allocation_limit: u64,
    /// Delay before gap-filling gossip.
    pub gossip_interval: SimDuration,
    /// Background materialization period.
    pub materialize_interval: SimDuration,
    /// Unreachability before repair.
    pub repair_after: SimDuration,
    /// Repair bandwidth in Gb/s.
    pub repair_gbps: f64,
}

/// Link latencies.
#[derive(Debug, Clone)]
pub struct NetworkConfig {
    /// Median one-way latency inside an AZ.
    pub same_az_latency: SimDuration,
    /// Median one-way latency between AZs.
    pub cross_az_latency: SimDuration,
    /// Lognormal sigma.
    pub jitter: f64,
}

/// Application demand.
#[derive(Debug, Clone)]
pub struct WorkloadConfig {
    /// Commits offered per second.
    pub commits_per_s: f64,
    /// Records per commit.
    pub records_per_commit: u32,
    /// Distinct pages in the working set.
    pub working_set_pages: u64,
    /// Pages per protection group.
    pub pages_per_pg: u64,
    /// Storage reads per second.
    pub reads_per_s: f64,
    /// Group-commit interval.
    pub group_commit_interval: SimDuration,
    /// Storage read retry timeout.
    pub storage_read_timeout: SimDuration,
    /// Write resend interval.
    pub write_retry_interval: SimDuration,
}

/// Binning and judging.
#[derive(Debug, Clone)]
pub struct MetricsConfig {
    /// Timeline bin width.
    pub bin: SimDuration,
    /// Waiting beyond this is unavailability.
    pub stall_threshold: SimDuration,
}

/// One fault, resolved to ids.
#[derive(Debug, Clone, PartialEq)]
pub struct Fault {
    /// When it starts.
    pub at: SimTime,
    /// What happens.
    pub kind: FaultKind,
    /// How long it lasts; `None` is forever.
    pub duration: Option<SimDuration>,
}

/// What a fault does.
#[derive(Debug, Clone, PartialEq)]
pub enum FaultKind {
    /// A storage node stops; with a duration it restarts with its persisted data.
    NodeCrash(NodeId),
    /// Every node and link of an AZ is down.
    AzOutage(AzId),
    /// Two AZs cannot reach each other.
    PartitionAzs(AzId, AzId),
    /// One node is cut off from everything.
    IsolateNode(NodeId),
    /// A node's disk and links are slower by a factor.
    SlowNode(NodeId, f64),
    /// Messages in a scope are lost with a probability.
    PacketLoss(LossScope, f64),
}

/// Which messages a packet-loss fault affects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LossScope {
    /// Every message.
    All,
    /// Messages to or from endpoints in this AZ.
    Az(AzId),
    /// Messages to or from this node.
    Node(NodeId),
}

/// Turns a serde-saphyr error into a located input error.
pub(super) fn syntax_error(e: &serde_saphyr::Error, file: &Path) -> InputError {
    let (line, column) = e
        .location()
        .map(|l| (l.line(), l.column()))
        .unwrap_or((0, 0));
    // The crate's rendering may append a source snippet and its own location;
    // keep the first line, which is the message proper.
    let rendered = e.to_string();
    let first = rendered.lines().next().unwrap_or("invalid scenario").trim();
    // Drop the crate's own "error: line L column C: " prefix; the location
    // is printed once, in the `file:line:column` form.
    let message = first
        .strip_prefix("error: ")
        .and_then(|rest| rest.strip_prefix("line "))
        .and_then(|rest| rest.split_once(": "))
        .map_or(first, |(_, msg)| msg)
        .to_owned();
    InputError::Scenario {
        location: Location {
            file: file.to_owned(),
            line,
            column,
        },
        message,
    }
}

struct Ctx<'a> {
    file: &'a Path,
}

impl Ctx<'_> {
    /// An error about the file as a whole (a relation between settings
    /// that have no single location).
    fn whole(&self, message: impl Into<String>) -> InputError {
        InputError::Scenario {
            location: Location {
                file: self.file.to_owned(),
                line: 0,
                column: 0,
            },
            message: message.into(),
        }
    }

    fn at<T>(&self, span: &Spanned<T>, message: impl Into<String>) -> InputError {
        InputError::Scenario {
            location: Location {
                file: self.file.to_owned(),
                line: span.referenced.line(),
                column: span.referenced.column(),
            },
            message: message.into(),
        }
    }
}

/// The unit of page and volume arithmetic.
const KIB_PER_GIB: u64 = 1024 * 1024;
/// Most rows a timeline may have (a year of seconds fits easily below).
const MAX_BINS: u64 = 10_000_000;
/// 128 TiB, the Aurora volume limit ([UG]).
const MAX_VOLUME_GIB: u64 = 128 * 1024;

pub(super) fn validate(raw: ScenarioFile, file: &Path) -> Result<Scenario, InputError> {
    let cx = Ctx { file };
    let name = raw.name.value.trim().to_owned();
    if name.is_empty()
        || !name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
    {
        return Err(cx.at(
            &raw.name,
            format!("expected a name of letters, digits, '-', '_' or '.', found {name:?}"),
        ));
    }
    if raw.duration == SimDuration::ZERO {
        return Err(cx.whole("duration must be longer than 0s"));
    }

    // Topology.
    let azs = raw.topology.azs.value.clone();
    if azs.is_empty() || azs.len() > 16 {
        return Err(cx.at(&raw.topology.azs, "expected between 1 and 16 AZ names"));
    }
    for (i, az) in azs.iter().enumerate() {
        if az.is_empty() || azs[..i].contains(az) {
            return Err(cx.at(
                &raw.topology.azs,
                format!("AZ names must be distinct and non-empty, found {az:?} twice or empty"),
            ));
        }
    }
    let az_id = |s: &Spanned<String>| -> Result<AzId, InputError> {
        azs.iter()
            .position(|a| *a == s.value)
            .map(|i| AzId(i as u8))
            .ok_or_else(|| {
                cx.at(
                    s,
                    format!(
                        "no AZ named {:?}; the topology has {}",
                        s.value,
                        azs.join(", ")
                    ),
                )
            })
    };
    let writer_az = match &raw.topology.writer_az {
        Some(s) => az_id(s)?,
        None => AzId(0),
    };
    let topology = Topology {
        azs: azs.clone(),
        nodes_per_az: raw.topology.storage_nodes_per_az,
        writer_az,
    };
    let node_id = |s: &Spanned<String>| -> Result<NodeId, InputError> {
        let bad = || {
            cx.at(
                s,
                format!(
                    "no storage node named {:?}; nodes are named <az>-<n> with n from 1 to {} (e.g. {}-1)",
                    s.value, topology.nodes_per_az, azs[0]
                ),
            )
        };
        let (az, n) = s.value.rsplit_once('-').ok_or_else(bad)?;
        let z = azs.iter().position(|a| a == az).ok_or_else(bad)?;
        let n: u32 = n.parse().map_err(|_| bad())?;
        if n == 0 || n > topology.nodes_per_az {
            return Err(bad());
        }
        Ok(NodeId(z as u32 * topology.nodes_per_az + n - 1))
    };

    // Storage.
    let st = &raw.storage;
    if st.segment_gib.value == 0 || st.segment_gib.value > 1024 {
        return Err(cx.at(&st.segment_gib, "expected a PG size between 1 and 1024 GiB"));
    }
    if st.volume_gib.value < st.segment_gib.value || st.volume_gib.value > MAX_VOLUME_GIB {
        return Err(cx.at(
            &st.volume_gib,
            format!(
                "expected a volume between one PG ({} GiB) and 128 TiB ({MAX_VOLUME_GIB} GiB), found {}",
                st.segment_gib.value, st.volume_gib.value
            ),
        ));
    }
    let copies = st.copies.value;
    if copies == 0 || copies > 30 || copies as usize % azs.len() != 0 {
        return Err(cx.at(
            &st.copies,
            format!(
                "expected copies to be a multiple of the {} AZs (at most 30), found {copies}",
                azs.len()
            ),
        ));
    }
    let per_az = copies / azs.len() as u32;
    if per_az > topology.nodes_per_az {
        return Err(cx.at(
            &st.copies,
            format!(
                "{per_az} copies per AZ need at least {per_az} storage nodes per AZ, the topology has {}",
                topology.nodes_per_az
            ),
        ));
    }
    let quorum = Quorum::new(copies, st.write_quorum.value, st.read_quorum.value).map_err(|e| {
        let span = if st.write_quorum.referenced != serde_saphyr::Location::UNKNOWN {
            &st.write_quorum
        } else if st.read_quorum.referenced != serde_saphyr::Location::UNKNOWN {
            &st.read_quorum
        } else {
            &st.copies
        };
        cx.at(span, e.to_string())
    })?;
    let pgs = st.volume_gib.value.div_ceil(st.segment_gib.value) as u32;
    let storage = StorageConfig {
        volume_gib: st.volume_gib.value,
        segment_gib: st.segment_gib.value,
        pgs,
        quorum,
        disk_latency: st.disk_latency,
        disk_jitter: st.disk_jitter,
        lsn_allocation_limit: st.lsn_allocation_limit,
        gossip_interval: st.gossip_interval,
        materialize_interval: st.materialize_interval,
        repair_after: st.repair_after,
        repair_gbps: st.repair_gbps,
    };

    // Workload.
    let wl = &raw.workload;
    let pages_per_pg = st.segment_gib.value * KIB_PER_GIB / wl.page_kib as u64;
    let volume_pages = pages_per_pg * pgs as u64;
    let ws = wl.working_set_gib.value;
    let working_set_pages = (ws * KIB_PER_GIB as f64 / wl.page_kib as f64).round() as u64;
    if ws.is_nan() || ws <= 0.0 || working_set_pages == 0 || working_set_pages > volume_pages {
        return Err(cx.at(
            &wl.working_set_gib,
            format!(
                "expected a working set larger than one page and at most the volume ({} GiB), found {ws}",
                st.volume_gib.value
            ),
        ));
    }
    if st.lsn_allocation_limit < wl.records_per_commit as u64 {
        return Err(cx.whole(format!(
                "lsn_allocation_limit ({}) must fit at least one commit ({} records), or no commit could ever start",
                st.lsn_allocation_limit, wl.records_per_commit
            )));
    }
    let bins = raw.duration.as_nanos() / raw.metrics.bin.as_nanos();
    if bins > MAX_BINS {
        return Err(cx.whole(format!(
                "metrics.bin {} over a {} run makes {bins} timeline rows; at most {MAX_BINS} are allowed",
                raw.metrics.bin, raw.duration
            )));
    }
    let workload = WorkloadConfig {
        commits_per_s: wl.commits_per_s,
        records_per_commit: wl.records_per_commit,
        working_set_pages,
        pages_per_pg,
        reads_per_s: wl.reads_per_s,
        group_commit_interval: wl.group_commit_interval,
        storage_read_timeout: wl.storage_read_timeout,
        write_retry_interval: wl.write_retry_interval,
    };

    // Faults.
    let mut faults = Vec::with_capacity(raw.faults.len());
    for f in &raw.faults {
        let (at, kind, duration) = match f {
            FaultSpec::StorageNodeCrash {
                at,
                node,
                recover_after,
            } => (at, FaultKind::NodeCrash(node_id(node)?), *recover_after),
            FaultSpec::AzOutage { at, az, duration } => {
                (at, FaultKind::AzOutage(az_id(az)?), *duration)
            }
            FaultSpec::NetworkPartition {
                at,
                between,
                node,
                duration,
            } => {
                let kind = match (between, node) {
                    (Some(pair), None) => {
                        if pair.value.len() != 2 || pair.value[0] == pair.value[1] {
                            return Err(cx.at(pair, "expected `between` to name two different AZs"));
                        }
                        let named = |i: usize| Spanned::new(pair.value[i].clone(), pair.referenced, pair.defined);
                        FaultKind::PartitionAzs(az_id(&named(0))?, az_id(&named(1))?)
                    }
                    (None, Some(node)) => FaultKind::IsolateNode(node_id(node)?),
                    _ => {
                        return Err(cx.at(
                            at,
                            "a network_partition names either `between: [az, az]` or `node: <node>`, not both or neither",
                        ))
                    }
                };
                (at, kind, *duration)
            }
            FaultSpec::SlowNode {
                at,
                node,
                factor,
                duration,
            } => (at, FaultKind::SlowNode(node_id(node)?, *factor), *duration),
            FaultSpec::PacketLoss {
                at,
                node,
                az,
                rate,
                duration,
            } => {
                let scope = match (node, az) {
                    (Some(n), None) => LossScope::Node(node_id(n)?),
                    (None, Some(a)) => LossScope::Az(az_id(a)?),
                    (None, None) => LossScope::All,
                    (Some(_), Some(a)) => {
                        return Err(cx.at(a, "packet_loss names a node or an AZ, not both"))
                    }
                };
                (at, FaultKind::PacketLoss(scope, *rate), *duration)
            }
        };
        if at.value >= raw.duration {
            return Err(cx.at(
                at,
                format!(
                    "fault at {} is not before the end of the run ({})",
                    at.value, raw.duration
                ),
            ));
        }
        faults.push(Fault {
            at: SimTime::ZERO + at.value,
            kind,
            duration,
        });
    }

    Ok(Scenario {
        name,
        description: raw.description.trim().to_owned(),
        seed: raw.seed,
        duration: raw.duration,
        topology,
        storage,
        network: NetworkConfig {
            same_az_latency: raw.network.same_az_latency,
            cross_az_latency: raw.network.cross_az_latency,
            jitter: raw.network.jitter,
        },
        workload,
        metrics: MetricsConfig {
            bin: raw.metrics.bin,
            stall_threshold: raw.metrics.stall_threshold,
        },
        faults,
        expect: raw.expect,
    })
}
