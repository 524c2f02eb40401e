//! Config faults as verbs on the world: each fault starts at its time
//! and, if it has a duration, is undone at its end. A fault event carries
//! the fault it starts or ends.
//!
//! Faults nest: a node down for two reasons (its own crash inside an AZ
//! outage) comes back only when both end.

use super::compute::control::{ControlPlane, Reason};
use super::compute::Fleet;
use super::context::Ctx;
use super::event::Event;
use crate::model::config::Config;
use crate::model::config::{Cut, Fault, FaultKind};
use crate::sim::Engine;
use crate::vocab::ids::{InstanceId, NodeId};

/// The fault schedule's own state.
#[derive(Debug)]
pub struct Faults {
    /// For each `writer_crash` fault, the instance it took down: its end
    /// brings back that host, whoever is the writer by then.
    crashed_writers: Vec<Option<InstanceId>>,
    /// For each requested failover the cluster refused, why.
    refused: Vec<Option<&'static str>>,
}

impl Faults {
    /// State for a schedule of `n` faults.
    pub fn new(n: usize) -> Self {
        Faults {
            crashed_writers: vec![None; n],
            refused: vec![None; n],
        }
    }

    /// Why the cluster refused fault `id` (a requested failover), if it did.
    pub fn refused(&self, id: usize) -> Option<&'static str> {
        self.refused[id]
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

    /// Starts (`start = true`) or ends fault `id`.
    pub(crate) fn apply(
        &mut self,
        cx: &mut Ctx,
        f: &mut Fleet,
        control: &mut ControlPlane,
        id: u32,
        fault: &Fault,
        start: bool,
    ) {
        match fault.kind {
            FaultKind::NodeCrash(n) => f.storage.node_down(cx, n, start),
            FaultKind::AzOutage(az) => {
                cx.net_mut().set_az_down(az, start);
                let nodes: Vec<NodeId> = (0..f.storage.volume.nodes.len())
                    .map(NodeId::from_index)
                    .filter(|n| f.storage.volume.nodes[n.index()].az == az)
                    .collect();
                for n in nodes {
                    f.storage.node_down(cx, n, start);
                }
                let instances: Vec<InstanceId> = (0..f.instances.len())
                    .map(InstanceId::from_index)
                    .filter(|i| f.instances[i.index()].az == az)
                    .collect();
                for i in instances {
                    f.host_fault(cx, control, i, start);
                }
            }
            FaultKind::PartitionAzs(a, b) => cx.net_mut().set_cut(a, b, start),
            FaultKind::IsolateNode(n) => cx.net_mut().set_isolated(n, start),
            FaultKind::SlowNode(n, factor) => {
                let factor = if start { factor } else { 1.0 };
                cx.net_mut().set_slowness(n, factor);
                f.storage.volume.nodes[n.index()].slowness = factor;
            }
            FaultKind::PacketLoss(scope, rate) => {
                if start {
                    cx.net_mut().add_loss(scope, rate);
                } else {
                    cx.net_mut().remove_loss(scope, rate);
                }
            }
            FaultKind::IsolateInstance(i, cut) => {
                cx.net_mut().set_instance_cut(i, cut, start);
                if start && i == control.writer && cut != Cut::ControlPlane {
                    control.impaired(cx.now());
                }
            }
            FaultKind::SlowInstance(i, factor) => {
                let factor = if start { factor } else { 1.0 };
                cx.net_mut().set_instance_slowness(i, factor);
            }
            FaultKind::WriterCrash => {
                // The instance that was the writer when the fault began.
                let writer = *self.crashed_writers[id as usize].get_or_insert(control.writer);
                f.host_fault(cx, control, writer, start);
            }
            FaultKind::InstanceCrash(i) => f.host_fault(cx, control, i, start),
            FaultKind::InstanceReboot(i, failover) => control.reboot(cx, f, i, failover),
            FaultKind::Failover(target) => {
                let outcome = control.manual_failover(cx, f, Reason::Manual, target);
                self.refused[id as usize] = outcome.err();
            }
        }
        f.record_quorum_health(cx);
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
