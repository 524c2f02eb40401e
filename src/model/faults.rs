//! Config faults as verbs on the world: each fault starts at its time
//! and, if it has a duration, is undone at its end. A fault event carries
//! the fault it starts or ends.
//!
//! Faults nest: a node down for two reasons (its own crash inside an AZ
//! outage) comes back only when both end.

use super::compute::instance::Instance;
use super::context::Ctx;
use super::event::Event;
use super::order::Order;
use super::storage::volume::Volume;
use crate::model::config::Config;
use crate::model::config::{Cut, Fault, FaultKind};
use crate::sim::Engine;
use crate::vocab::ids::{AzId, InstanceId, NodeId};

/// The fault schedule's own state.
#[derive(Clone, Debug)]
pub struct Faults {
    /// For each `writer_crash` fault, the instance it took down: its end
    /// brings back that host, whoever is the writer by then.
    crashed_writers: Vec<Option<InstanceId>>,
}

impl Faults {
    /// State for a schedule of `n` faults.
    pub fn new(n: usize) -> Self {
        Faults {
            crashed_writers: vec![None; n],
        }
    }

    /// Puts every fault's start, and its end if it has one, on the queue.
    pub fn schedule(&self, engine: &mut Engine<Event>, faults: &[Fault]) {
        for (id, f) in faults.iter().enumerate() {
            let (id, fault) = (id as u32, Box::new(f.clone()));
            engine.at(
                f.at,
                Event::FaultStart {
                    id,
                    fault: fault.clone(),
                },
            );
            if let Some(d) = f.duration {
                engine.at(f.at + d, Event::FaultEnd { id, fault });
            }
        }
    }

    /// Starts (`start = true`) or ends fault `id`: the network changes at
    /// once; storage nodes, instance hosts and the control plane are
    /// ordered. `writer` is the instance the control plane names as the
    /// writer now; `instances` and `volume` say what an AZ holds.
    pub(crate) fn apply(
        &mut self,
        cx: &mut Ctx,
        (instances, volume): (&[Instance], &Volume),
        writer: InstanceId,
        (id, fault): (u32, &Fault),
        start: bool,
    ) {
        let node_fault = |node| Order::NodeFault { node, down: start };
        let host_fault = |inst| Order::HostFault { inst, down: start };
        match fault.kind {
            FaultKind::NodeCrash(n) => cx.order(node_fault(n)),
            FaultKind::AzOutage(az) => az_outage(cx, (instances, volume), az, start),
            FaultKind::RegionOutage(region) => {
                for az in cx.cfg.topology.region_azs(region) {
                    az_outage(cx, (instances, volume), az, start);
                }
                cx.order(Order::RegionDark {
                    region,
                    dark: start,
                });
            }
            FaultKind::RegionPartition(region) => {
                // Cut off from every other region: its AZs from theirs.
                let topology = &cx.cfg.topology;
                let inside: Vec<AzId> = topology.region_azs(region).collect();
                let outside: Vec<AzId> = (0..topology.azs.len())
                    .map(AzId::from_index)
                    .filter(|z| topology.region_of(*z) != region)
                    .collect();
                for &a in &inside {
                    for &b in &outside {
                        cx.net_mut().set_cut(a, b, start);
                    }
                }
                cx.order(Order::RegionCut { region, cut: start });
            }
            FaultKind::RegionSlowdown(region, factor) => cx.order(Order::RegionSlowness {
                region,
                factor,
                on: start,
            }),
            FaultKind::PartitionAzs(a, b) => cx.net_mut().set_cut(a, b, start),
            FaultKind::IsolateNode(n) => cx.net_mut().set_isolated(n, start),
            FaultKind::SlowNode(node, factor) => {
                let factor = if start { factor } else { 1.0 };
                cx.net_mut().set_slowness(node, factor);
                cx.order(Order::NodeSlowness { node, factor });
            }
            FaultKind::PacketLoss(scope, rate) => {
                if start {
                    cx.net_mut().add_loss(scope, rate);
                } else {
                    cx.net_mut().remove_loss(scope, rate);
                }
            }
            FaultKind::IsolateInstance(inst, cut) => {
                cx.net_mut().set_instance_cut(inst, cut, start);
                if start && cut != Cut::ControlPlane {
                    cx.order(Order::Impaired { inst });
                } else if !start && !cx.net().instance_cut_off(inst) {
                    cx.order(Order::Reconnected { inst });
                }
            }
            FaultKind::SlowInstance(i, factor) => {
                let factor = if start { factor } else { 1.0 };
                cx.net_mut().set_instance_slowness(i, factor);
            }
            FaultKind::WriterCrash => {
                // The instance that was the writer when the fault began.
                let writer = *self.crashed_writers[id as usize].get_or_insert(writer);
                cx.order(host_fault(writer));
            }
            FaultKind::InstanceCrash(i) => cx.order(host_fault(i)),
            FaultKind::InstanceReboot(inst, failover) => {
                cx.order(Order::Reboot { inst, failover });
            }
            FaultKind::Failover(target) => cx.order(Order::Failover { fault: id, target }),
            FaultKind::EnginePatch(zero_downtime) => cx.order(Order::PatchCluster {
                fault: id,
                zero_downtime,
            }),
            FaultKind::OsUpdate => cx.order(Order::UpdateCluster { fault: id }),
            FaultKind::BlueGreenSwitchover { timeout } => {
                cx.order(Order::BlueGreenSwitchover { fault: id, timeout });
            }
            FaultKind::RegionPromotion { region, switchover } => {
                cx.order(Order::PromoteRegion {
                    fault: id,
                    region,
                    switchover,
                });
            }
            FaultKind::ClassChange { inst, .. } => {
                cx.order(Order::ChangeClass { fault: id, inst });
            }
        }
        cx.order(Order::QuorumHealth);
    }
}

/// Every node and instance of AZ `az` goes down (`start`) or comes back.
fn az_outage(cx: &mut Ctx, (instances, volume): (&[Instance], &Volume), az: AzId, start: bool) {
    cx.net_mut().set_az_down(az, start);
    for (n, node) in volume.nodes.iter().enumerate() {
        if node.az == az {
            cx.order(Order::NodeFault {
                node: NodeId::from_index(n),
                down: start,
            });
        }
    }
    for (i, inst) in instances.iter().enumerate() {
        if inst.az == az {
            cx.order(Order::HostFault {
                inst: InstanceId::from_index(i),
                down: start,
            });
        }
    }
}

/// The storage nodes a scenario takes down for good (a crash without
/// `recover_after`, an AZ outage without a duration), by node index.
pub fn permanently_lost_nodes(sc: &Config) -> Vec<bool> {
    let per_az = sc.topology.nodes_per_az as usize;
    let mut lost = vec![false; sc.topology.azs.len() * per_az];
    for f in sc.faults.iter().filter(|f| f.duration.is_none()) {
        match f.kind {
            FaultKind::NodeCrash(n) => lost[n.index()] = true,
            FaultKind::AzOutage(az) => {
                lost[az.index() * per_az..(az.index() + 1) * per_az].fill(true);
            }
            _ => {}
        }
    }
    lost
}
