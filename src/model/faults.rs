//! Scenario faults as verbs on the world: each fault starts at its time
//! and, if it has a duration, is undone at its end.
//!
//! Faults nest: a node down for two reasons (its own crash inside an AZ
//! outage) comes back only when both end.

use super::compute::control::Reason;
use super::ids::{InstanceId, NodeId};
use super::World;
use crate::scenario::{FaultKind, Scenario};

impl World {
    /// Starts (`start = true`) or ends fault `i` of the scenario.
    pub(crate) fn apply_fault(&mut self, i: usize, start: bool) {
        let kind = self.scenario.faults[i].kind.clone();
        match kind {
            FaultKind::NodeCrash(n) => self.node_down(n, start),
            FaultKind::AzOutage(az) => {
                self.net.set_az_down(az, start);
                let nodes: Vec<NodeId> = (0..self.volume.nodes.len())
                    .map(NodeId::from_index)
                    .filter(|n| self.volume.nodes[n.index()].az == az)
                    .collect();
                for n in nodes {
                    self.node_down(n, start);
                }
                let instances: Vec<InstanceId> = (0..self.instances.len())
                    .map(InstanceId::from_index)
                    .filter(|i| self.instances[i.index()].az == az)
                    .collect();
                for i in instances {
                    self.host_fault(i, start);
                }
            }
            FaultKind::PartitionAzs(a, b) => self.net.set_cut(a, b, start),
            FaultKind::IsolateNode(n) => self.net.set_isolated(n, start),
            FaultKind::SlowNode(n, factor) => {
                let f = if start { factor } else { 1.0 };
                self.net.set_slowness(n, f);
                self.volume.nodes[n.index()].slowness = f;
            }
            FaultKind::PacketLoss(scope, rate) => {
                if start {
                    self.net.add_loss(scope, rate);
                } else {
                    self.net.remove_loss(scope, rate);
                }
            }
            FaultKind::IsolateInstance(i) => {
                self.net.set_instance_cut(i, start);
                if start && i == self.control.writer {
                    let now = self.engine.now();
                    self.control.impaired(now);
                }
            }
            FaultKind::WriterCrash => {
                // The instance that was the writer when the fault began.
                let writer = *self.crashed_writers[i].get_or_insert(self.control.writer);
                self.host_fault(writer, start);
            }
            FaultKind::InstanceCrash(i) => self.host_fault(i, start),
            FaultKind::InstanceReboot(i, failover) => self.reboot(i, failover),
            FaultKind::Failover(target) => self.manual_failover(Reason::Manual, target),
        }
        self.update_quorum_health();
    }

    /// A node goes down (losing its unpersisted records) or one reason for
    /// it being down ends.
    fn node_down(&mut self, n: NodeId, down: bool) {
        let now = self.engine.now();
        let node = &mut self.volume.nodes[n.index()];
        if down {
            node.faults += 1;
            if node.up {
                node.up = false;
                node.incarnation += 1;
                node.down_since = now;
                let incarnation = node.incarnation;
                for &s in &node.segments {
                    self.volume.segments[s.index()].crash(now);
                }
                self.engine.after(
                    self.scenario.storage.repair_after,
                    super::Event::RepairCheck {
                        node: n,
                        incarnation,
                    },
                );
            }
        } else {
            node.faults = node.faults.saturating_sub(1);
            node.up = node.faults == 0;
        }
    }
}

/// The storage nodes a scenario takes down for good (a crash without
/// `recover_after`, an AZ outage without a duration), by node index.
pub fn permanently_lost_nodes(sc: &Scenario) -> Vec<bool> {
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
