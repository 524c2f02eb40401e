//! From a parsed [`ScenarioFile`] to a runnable [`Scenario`]: names become
//! ids, and every check that relates two fields happens here, with the
//! location of the offending value.

use std::path::Path;

use serde_saphyr::Spanned;

use super::schema::{EndpointSpec, ExpectSpec, FaultSpec, RoleSpec, ScenarioFile};
use crate::error::{InputError, Location};
use crate::model::config::{
    ClientConfig, Config, ControlConfig, DnsConfig, Fault, FaultKind, InstanceConfig, LossScope,
    MetricsConfig, NetworkConfig, StorageConfig, Topology, WorkloadConfig,
};
use crate::sim::{SimDuration, SimTime};
use crate::vocab::ids::{AzId, InstanceId, NodeId};
use crate::vocab::quorum::{Quorum, QuorumError};

/// A validated scenario: the configuration a world is built from, and
/// the expectations its run is judged by.
#[derive(Debug, Clone)]
pub struct Scenario {
    /// What to simulate.
    pub config: Config,
    /// Expectations.
    pub expect: ExpectSpec,
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
/// One writer and up to 15 readers ([UG]).
const MAX_INSTANCES: usize = 16;

/// Relative size of an instance class such as `db.r6g.2xlarge`: the size
/// word after the family, in units where `large` is 2 (its vCPU count in
/// the memory-optimised families).
fn class_size(class: &str) -> Option<u32> {
    let size = class.strip_prefix("db.")?.split_once('.')?.1;
    match size {
        "micro" | "small" | "medium" => Some(1),
        "large" => Some(2),
        "xlarge" => Some(4),
        _ => {
            let n: u32 = size.strip_suffix("xlarge")?.parse().ok()?;
            (1..=64).contains(&n).then_some(n * 4)
        }
    }
}

fn valid_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
}

pub(super) fn validate(raw: ScenarioFile, file: &Path) -> Result<Scenario, InputError> {
    let cx = Ctx { file };
    let name = raw.name.value.trim().to_owned();
    if !valid_name(&name) {
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
    let topology = Topology {
        azs: azs.clone(),
        nodes_per_az: raw.topology.storage_nodes_per_az,
    };

    // Instances.
    let instances = match &raw.instances {
        None => vec![InstanceConfig {
            name: "writer".into(),
            az: AzId(0),
            class: super::defaults::instance_class(),
            size: class_size(&super::defaults::instance_class()).expect("default class"),
            tier: super::defaults::promotion_tier(),
            writer: true,
        }],
        Some(list) => {
            if list.value.is_empty() || list.value.len() > MAX_INSTANCES {
                return Err(cx.at(
                    list,
                    format!(
                        "expected one writer and at most 15 readers, found {} instances",
                        list.value.len()
                    ),
                ));
            }
            let mut out: Vec<InstanceConfig> = Vec::with_capacity(list.value.len());
            for i in &list.value {
                let name = i.name.value.clone();
                if !valid_name(&name) || out.iter().any(|o| o.name == name) {
                    return Err(cx.at(
                        &i.name,
                        format!("instance names must be distinct letters, digits, '-', '_' or '.', found {name:?}"),
                    ));
                }
                let size = class_size(&i.class.value).ok_or_else(|| {
                    cx.at(
                        &i.class,
                        format!(
                            "expected an instance class like db.r6g.2xlarge, found {:?}",
                            i.class.value
                        ),
                    )
                })?;
                out.push(InstanceConfig {
                    name,
                    az: az_id(&i.az)?,
                    class: i.class.value.clone(),
                    size,
                    tier: i.tier,
                    writer: i.role == RoleSpec::Writer,
                });
            }
            if out.iter().filter(|i| i.writer).count() != 1 {
                return Err(cx.at(list, "expected exactly one instance with `role: writer`"));
            }
            out
        }
    };
    let instance_id = |s: &Spanned<String>| -> Result<InstanceId, InputError> {
        instances
            .iter()
            .position(|i| i.name == s.value)
            .map(InstanceId::from_index)
            .ok_or_else(|| {
                let names: Vec<&str> = instances.iter().map(|i| i.name.as_str()).collect();
                cx.at(
                    s,
                    format!(
                        "no instance named {:?}; the cluster has {}",
                        s.value,
                        names.join(", ")
                    ),
                )
            })
    };

    // Clients.
    let mut clients = Vec::with_capacity(raw.clients.len());
    for c in &raw.clients {
        if !valid_name(&c.name.value) {
            return Err(cx.at(
                &c.name,
                format!(
                    "expected a client name of letters, digits, '-', '_' or '.', found {:?}",
                    c.name.value
                ),
            ));
        }
        if c.backoff_max < c.backoff_base {
            return Err(cx.at(&c.name, "backoff_max must be at least backoff_base"));
        }
        clients.push(ClientConfig {
            name: c.name.value.clone(),
            count: c.count,
            reader: c.endpoint == EndpointSpec::Reader,
            az: c.az.as_ref().map(&az_id).transpose()?.unwrap_or(AzId(0)),
            dns_cache: c.dns_cache,
            connect_timeout: c.connect_timeout,
            read_timeout: c.read_timeout,
            think_time: c.think_time,
            backoff_base: c.backoff_base,
            backoff_max: c.backoff_max,
        });
    }
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
    let (w, r) = (st.write_quorum.value, st.read_quorum.value);
    let checked = match Quorum::new(copies, w, r) {
        Err(e) if st.unsafe_quorum && !matches!(e, QuorumError::OutOfRange { .. }) => {
            Ok(Quorum::unchecked(copies, w, r))
        }
        checked => checked,
    };
    let quorum = checked.map_err(|e| {
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
                instance,
                duration,
            } => {
                let kind = match (between, node, instance) {
                    (Some(pair), None, None) => {
                        if pair.value.len() != 2 || pair.value[0] == pair.value[1] {
                            return Err(cx.at(pair, "expected `between` to name two different AZs"));
                        }
                        let named = |i: usize| Spanned::new(pair.value[i].clone(), pair.referenced, pair.defined);
                        FaultKind::PartitionAzs(az_id(&named(0))?, az_id(&named(1))?)
                    }
                    (None, Some(node), None) => FaultKind::IsolateNode(node_id(node)?),
                    (None, None, Some(i)) => FaultKind::IsolateInstance(instance_id(i)?),
                    _ => {
                        return Err(cx.at(
                            at,
                            "a network_partition names one of `between: [az, az]`, `node: <node>` or `instance: <instance>`",
                        ))
                    }
                };
                (at, kind, *duration)
            }
            FaultSpec::WriterCrash { at, recover_after } => {
                (at, FaultKind::WriterCrash, *recover_after)
            }
            FaultSpec::InstanceCrash {
                at,
                instance,
                recover_after,
            } => (
                at,
                FaultKind::InstanceCrash(instance_id(instance)?),
                *recover_after,
            ),
            FaultSpec::InstanceReboot {
                at,
                instance,
                failover,
            } => (
                at,
                FaultKind::InstanceReboot(instance_id(instance)?, *failover),
                None,
            ),
            FaultSpec::Failover { at, target } => {
                let target = target.as_ref().map(&instance_id).transpose()?;
                (at, FaultKind::Failover(target), None)
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
        config: Config {
            name,
            description: raw.description.trim().to_owned(),
            seed: raw.seed,
            duration: raw.duration,
            topology,
            instances,
            control: ControlConfig {
                health_check_interval: raw.control_plane.health_check_interval,
                failure_threshold: raw.control_plane.failure_threshold,
                promotion_time: raw.control_plane.promotion_time,
                restart_time: raw.control_plane.restart_time,
                provision_time: raw.control_plane.provision_time,
                tie_break: raw.control_plane.tie_break,
            },
            dns: DnsConfig {
                ttl: raw.dns.ttl,
                update_delay: raw.dns.update_delay,
                empty_answers: raw.dns.empty_answers,
            },
            clients,
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
        },
        expect: raw.expect,
    })
}
