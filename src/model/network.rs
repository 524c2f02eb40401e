//! The network between the writer and the storage nodes.
//!
//! Every message crosses it: latency is lognormal around a median that
//! depends on the link class (same AZ or cross AZ) and is multiplied by the
//! slowness of a gray-failing endpoint. A message is dropped when either end
//! is in an AZ that is down, when a partition separates the two ends, or by
//! an active packet-loss fault. Whether the receiving host is *running* is
//! checked on arrival by the receiver, so a message in flight to a host that
//! crashes meanwhile is lost too.

use rand::Rng;

use super::ids::{AzId, NodeId};
use crate::scenario::{LossScope, NetworkConfig};
use crate::sim::dist::LogNormal;
use crate::sim::{SimDuration, SimRng};

/// One end of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// The writer instance, in its AZ.
    Writer(AzId),
    /// A storage node, in its AZ.
    Node(NodeId, AzId),
}

impl Endpoint {
    fn az(self) -> AzId {
        match self {
            Endpoint::Writer(az) | Endpoint::Node(_, az) => az,
        }
    }

    fn node(self) -> Option<NodeId> {
        match self {
            Endpoint::Node(n, _) => Some(n),
            Endpoint::Writer(_) => None,
        }
    }
}

/// Link state and the random stream for latency and loss.
#[derive(Debug)]
pub struct Network {
    same_az: LogNormal,
    cross_az: LogNormal,
    rng: SimRng,
    azs: usize,
    az_down: Vec<u32>,
    /// `cut[a * azs + b]`: partitions between AZs a and b in force.
    cut: Vec<u32>,
    isolated: Vec<u32>,
    slowness: Vec<f64>,
    losses: Vec<(LossScope, f64)>,
}

impl Network {
    /// A healthy network.
    pub fn new(cfg: NetworkConfig, rng: SimRng, azs: usize, nodes: usize) -> Self {
        Network {
            same_az: LogNormal::new(cfg.same_az_latency, cfg.jitter),
            cross_az: LogNormal::new(cfg.cross_az_latency, cfg.jitter),
            rng,
            azs,
            az_down: vec![0; azs],
            cut: vec![0; azs * azs],
            isolated: vec![0; nodes],
            slowness: vec![1.0; nodes],
            losses: Vec::new(),
        }
    }

    /// Whether a message from `a` to `b` can get through now (ignoring
    /// random loss).
    pub fn reachable(&self, a: Endpoint, b: Endpoint) -> bool {
        let (za, zb) = (a.az().index(), b.az().index());
        self.az_down[za] == 0
            && self.az_down[zb] == 0
            && self.cut[za * self.azs + zb] == 0
            && a.node().is_none_or(|n| self.isolated[n.index()] == 0)
            && b.node().is_none_or(|n| self.isolated[n.index()] == 0)
    }

    /// The one-way delay of a message, or `None` if it is dropped.
    pub fn delay(&mut self, from: Endpoint, to: Endpoint) -> Option<SimDuration> {
        if !self.reachable(from, to) {
            return None;
        }
        for &(scope, rate) in &self.losses {
            let applies = match scope {
                LossScope::All => true,
                LossScope::Az(z) => from.az() == z || to.az() == z,
                LossScope::Node(n) => from.node() == Some(n) || to.node() == Some(n),
            };
            if applies && self.rng.random::<f64>() < rate {
                return None;
            }
        }
        let link = if from.az() == to.az() {
            &self.same_az
        } else {
            &self.cross_az
        };
        let mut slow = 1.0;
        for n in [from.node(), to.node()].into_iter().flatten() {
            slow = f64::max(slow, self.slowness[n.index()]);
        }
        let d = link.sample(&mut self.rng);
        Some(if slow > 1.0 { d.mul_f64(slow) } else { d })
    }

    /// Takes an AZ down (nestable) or brings it back.
    pub fn set_az_down(&mut self, az: AzId, down: bool) {
        bump(&mut self.az_down[az.index()], down);
    }

    /// Cuts or restores the links between two AZs (both directions).
    pub fn set_cut(&mut self, a: AzId, b: AzId, cut: bool) {
        bump(&mut self.cut[a.index() * self.azs + b.index()], cut);
        bump(&mut self.cut[b.index() * self.azs + a.index()], cut);
    }

    /// Isolates a node from everything, or ends that.
    pub fn set_isolated(&mut self, node: NodeId, isolated: bool) {
        bump(&mut self.isolated[node.index()], isolated);
    }

    /// Sets a node's slowness factor (1 = healthy).
    pub fn set_slowness(&mut self, node: NodeId, factor: f64) {
        self.slowness[node.index()] = factor;
    }

    /// Starts a packet-loss fault.
    pub fn add_loss(&mut self, scope: LossScope, rate: f64) {
        self.losses.push((scope, rate));
    }

    /// Ends a packet-loss fault started with the same arguments.
    pub fn remove_loss(&mut self, scope: LossScope, rate: f64) {
        if let Some(i) = self.losses.iter().position(|&l| l == (scope, rate)) {
            self.losses.remove(i);
        }
    }
}

fn bump(counter: &mut u32, on: bool) {
    if on {
        *counter += 1;
    } else {
        *counter = counter.saturating_sub(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sim::{RngFactory, StreamId};

    fn net() -> Network {
        let cfg = NetworkConfig {
            same_az_latency: SimDuration::from_micros(250),
            cross_az_latency: SimDuration::from_micros(750),
            jitter: 0.2,
        };
        Network::new(cfg, RngFactory::new(3).stream(StreamId(0)), 3, 6)
    }

    const W: Endpoint = Endpoint::Writer(AzId(0));
    const N_B: Endpoint = Endpoint::Node(NodeId(2), AzId(1));

    #[test]
    fn median_latency_matches_link_class() {
        let mut n = net();
        let mut cross: Vec<u64> = (0..2001)
            .map(|_| n.delay(W, N_B).unwrap().as_nanos())
            .collect();
        cross.sort_unstable();
        let median = cross[1000] as f64;
        assert!((median / 750_000.0 - 1.0).abs() < 0.03, "median {median}");
    }

    #[test]
    fn loss_rate_is_statistically_right_over_fixed_seeds() {
        let mut lost = 0;
        let trials = 20_000;
        let mut n = net();
        n.add_loss(LossScope::Node(NodeId(2)), 0.1);
        for _ in 0..trials {
            if n.delay(W, N_B).is_none() {
                lost += 1;
            }
        }
        let rate = lost as f64 / trials as f64;
        assert!((rate - 0.1).abs() < 0.01, "loss rate {rate}");
        n.remove_loss(LossScope::Node(NodeId(2)), 0.1);
        assert!((0..1000).all(|_| n.delay(W, N_B).is_some()));
    }

    #[test]
    fn partitions_and_outages_drop_messages_until_healed() {
        let mut n = net();
        n.set_cut(AzId(1), AzId(0), true);
        assert!(n.delay(W, N_B).is_none());
        n.set_cut(AzId(1), AzId(0), false);
        n.set_az_down(AzId(1), true);
        assert!(n.delay(N_B, W).is_none());
        n.set_az_down(AzId(1), false);
        n.set_isolated(NodeId(2), true);
        assert!(n.delay(W, N_B).is_none());
        n.set_isolated(NodeId(2), false);
        assert!(n.delay(W, N_B).is_some());
    }
}
