//! The network between instances, storage nodes, clients and the regional
//! control plane.
//!
//! Every message crosses it: latency is lognormal around a median that
//! depends on the link class (same AZ, cross AZ, or between two regions of
//! a global database; the regional control plane and DNS count as another
//! AZ of the sender's region) and is multiplied by the slowness of a
//! gray-failing endpoint. A message is dropped when either end is in an AZ
//! that is down, when a partition separates the two ends, or by an active
//! packet-loss fault. Whether the receiving host is *running* is
//! checked on arrival by the receiver, so a message in flight to a host that
//! crashes meanwhile is lost too.

use rand::Rng;

use crate::model::config::{Cut, GlobalConfig, LossScope, NetworkConfig, RegionId, Topology};
use crate::sim::dist::LogNormal;
use crate::sim::rng::reseed;
use crate::sim::{SimDuration, SimRng};
use crate::vocab::ids::{AzId, InstanceId, NodeId};

/// One end of a message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Endpoint {
    /// A DB instance, in its AZ.
    Instance(InstanceId, AzId),
    /// A storage node, in its AZ.
    Node(NodeId, AzId),
    /// An application client, in its AZ.
    Client(AzId),
    /// The proxy's node in an AZ.
    Proxy(AzId),
    /// The regional control plane and DNS service: in no single AZ, so no
    /// AZ outage takes it down.
    Control,
}

impl Endpoint {
    fn az(self) -> Option<AzId> {
        match self {
            Endpoint::Instance(_, az)
            | Endpoint::Node(_, az)
            | Endpoint::Client(az)
            | Endpoint::Proxy(az) => Some(az),
            Endpoint::Control => None,
        }
    }

    /// An application's end (a client, or the proxy carrying its
    /// traffic), whose messages draw from their own stream.
    #[inline]
    fn is_app(self) -> bool {
        matches!(self, Endpoint::Client(_) | Endpoint::Proxy(_))
    }

    fn node(self) -> Option<NodeId> {
        match self {
            Endpoint::Node(n, _) => Some(n),
            _ => None,
        }
    }

    fn instance(self) -> Option<InstanceId> {
        match self {
            Endpoint::Instance(i, _) => Some(i),
            _ => None,
        }
    }
}

/// Link state and the random stream for latency and loss.
#[derive(Clone, Debug)]
pub struct Network {
    same_az: LogNormal,
    cross_az: LogNormal,
    /// With a global database: each AZ's region, and the crossing between
    /// regions `a` and `b` at `between[a * regions + b]`.
    regions: Option<Regions>,
    rng: SimRng,
    /// A separate stream for application traffic, so that clients (their
    /// number, caches, timeouts) never move the draws of the cluster's own
    /// messages.
    app_rng: SimRng,
    azs: usize,
    az_down: Vec<u32>,
    /// `cut[a * azs + b]`: partitions between AZs a and b in force.
    cut: Vec<u32>,
    isolated: Vec<u32>,
    /// Partitions of each instance from storage, and from the control
    /// plane, in force.
    instance_cut: Vec<[u32; 2]>,
    /// Slow-down factor of each instance's links.
    instance_slowness: Vec<f64>,
    /// Outages, cuts and isolations in force, all counted together.
    disruptions: u32,
    slowness: Vec<f64>,
    /// Nodes and instances slowed (a factor above 1) now.
    slowed: usize,
    losses: Vec<(LossScope, f64)>,
}

/// The regions of a global database as the network sees them.
#[derive(Clone, Debug)]
struct Regions {
    of_az: Vec<RegionId>,
    count: usize,
    between: Vec<LogNormal>,
}

impl Regions {
    /// The crossings between every two regions: half the round trip
    /// [`GlobalConfig::between`] gives them, with its jitter.
    fn new(topology: &Topology, g: &GlobalConfig) -> Self {
        let count = topology.regions();
        let mut between = Vec::with_capacity(count * count);
        for a in 0..count as u8 {
            for b in 0..count as u8 {
                let (rtt, jitter, _) = g.between(RegionId(a), RegionId(b));
                between.push(LogNormal::new(rtt / 2, jitter));
            }
        }
        Regions {
            of_az: (0..topology.azs.len())
                .map(|z| topology.region_of(AzId::from_index(z)))
                .collect(),
            count,
            between,
        }
    }

    /// The crossing between the regions of `a` and `b`, if they differ.
    fn crossing(&self, a: Option<AzId>, b: Option<AzId>) -> Option<&LogNormal> {
        let (ra, rb) = (
            self.of_az[a?.index()].0 as usize,
            self.of_az[b?.index()].0 as usize,
        );
        (ra != rb).then(|| &self.between[ra * self.count + rb])
    }
}

impl Network {
    /// Moves its streams to root seed `seed`, for a run forked from a
    /// prefix it shares with other seeds' runs.
    pub(crate) fn reseed(&mut self, seed: u64) {
        reseed(&mut self.rng, seed);
        reseed(&mut self.app_rng, seed);
    }

    /// A healthy network over `topology`'s AZs, with `global`'s regions.
    pub fn new(
        cfg: NetworkConfig,
        (rng, app_rng): (SimRng, SimRng),
        (topology, global): (&Topology, Option<&GlobalConfig>),
        nodes: usize,
        instances: usize,
    ) -> Self {
        let azs = topology.azs.len();
        Network {
            same_az: LogNormal::new(cfg.same_az_latency, cfg.jitter),
            cross_az: LogNormal::new(cfg.cross_az_latency, cfg.jitter),
            regions: global
                .filter(|_| topology.regions() > 1)
                .map(|g| Regions::new(topology, g)),
            rng,
            app_rng,
            azs,
            az_down: vec![0; azs],
            cut: vec![0; azs * azs],
            isolated: vec![0; nodes],
            instance_cut: vec![[0; 2]; instances],
            instance_slowness: vec![1.0; instances],
            disruptions: 0,
            slowness: vec![1.0; nodes],
            slowed: 0,
            losses: Vec::new(),
        }
    }

    /// Whether a message from `a` to `b` can get through now (ignoring
    /// random loss).
    #[inline]
    pub fn reachable(&self, a: Endpoint, b: Endpoint) -> bool {
        // Most of a run has no outage, partition or isolation in force.
        self.disruptions == 0 || self.reachable_despite_disruptions(a, b)
    }

    /// [`Network::reachable`] while some outage, partition or isolation
    /// is in force.
    fn reachable_despite_disruptions(&self, a: Endpoint, b: Endpoint) -> bool {
        let up = |z: Option<AzId>| z.is_none_or(|z| self.az_up(z));
        let linked = match (a.az(), b.az()) {
            (Some(za), Some(zb)) => self.cut[za.index() * self.azs + zb.index()] == 0,
            _ => true,
        };
        let cut_off = |x: Endpoint, y: Endpoint| {
            x.instance().is_some_and(|i| {
                let [storage, control] = self.instance_cut[i.index()];
                (storage > 0 && matches!(y, Endpoint::Node(..)))
                    || (control > 0 && matches!(y, Endpoint::Control))
            })
        };
        up(a.az())
            && up(b.az())
            && linked
            && a.node().is_none_or(|n| self.isolated[n.index()] == 0)
            && b.node().is_none_or(|n| self.isolated[n.index()] == 0)
            && !cut_off(a, b)
            && !cut_off(b, a)
    }

    /// Whether an AZ is up (no outage in force).
    pub fn az_up(&self, az: AzId) -> bool {
        self.az_down[az.index()] == 0
    }

    /// The one-way delay of a message, or `None` if it is dropped.
    pub fn delay(&mut self, from: Endpoint, to: Endpoint) -> Option<SimDuration> {
        // Most of a run has nothing disrupted, lossy or slowed: the link
        // and the stream are all there is to it.
        if self.disruptions == 0 && self.slowed == 0 && self.losses.is_empty() {
            let (link, rng) = self.link_and_stream(from, to);
            return Some(link.sample(rng));
        }
        self.delay_in_general(from, to)
    }

    /// [`Network::delay`] while something is disrupted, lossy or slowed.
    #[inline(never)]
    fn delay_in_general(&mut self, from: Endpoint, to: Endpoint) -> Option<SimDuration> {
        if !self.reachable(from, to) || self.lost(from, to) {
            return None;
        }
        let (link, rng) = self.link_and_stream(from, to);
        let d = link.sample(rng);
        if self.slowed == 0 {
            return Some(d);
        }
        let mut slow = 1.0;
        for n in [from.node(), to.node()].into_iter().flatten() {
            slow = f64::max(slow, self.slowness[n.index()]);
        }
        for i in [from.instance(), to.instance()].into_iter().flatten() {
            slow = f64::max(slow, self.instance_slowness[i.index()]);
        }
        Some(if slow > 1.0 { d.mul_f64(slow) } else { d })
    }

    /// Whether an active packet-loss fault drops a message from `from` to
    /// `to`, each drawing on the message's stream.
    fn lost(&mut self, from: Endpoint, to: Endpoint) -> bool {
        for k in 0..self.losses.len() {
            let (scope, rate) = self.losses[k];
            let applies = match scope {
                LossScope::All => true,
                LossScope::Az(z) => from.az() == Some(z) || to.az() == Some(z),
                LossScope::Node(n) => from.node() == Some(n) || to.node() == Some(n),
                LossScope::Instance(i) => from.instance() == Some(i) || to.instance() == Some(i),
            };
            if applies && self.link_and_stream(from, to).1.random::<f64>() < rate {
                return true;
            }
        }
        false
    }

    /// The latency distribution of the link between `from` and `to`, and
    /// the stream their message draws from.
    #[inline]
    fn link_and_stream(&mut self, from: Endpoint, to: Endpoint) -> (&LogNormal, &mut SimRng) {
        let (a, b) = (from.az(), to.az());
        let link = match self.regions.as_ref().and_then(|r| r.crossing(a, b)) {
            Some(crossing) => crossing,
            None if a == b => &self.same_az,
            None => &self.cross_az,
        };
        let rng = if from.is_app() || to.is_app() {
            &mut self.app_rng
        } else {
            &mut self.rng
        };
        (link, rng)
    }

    /// Takes an AZ down (nestable) or brings it back.
    pub fn set_az_down(&mut self, az: AzId, down: bool) {
        bump(&mut self.az_down[az.index()], &mut self.disruptions, down);
    }

    /// Cuts or restores the links between two AZs (both directions).
    pub fn set_cut(&mut self, a: AzId, b: AzId, cut: bool) {
        bump(
            &mut self.cut[a.index() * self.azs + b.index()],
            &mut self.disruptions,
            cut,
        );
        bump(
            &mut self.cut[b.index() * self.azs + a.index()],
            &mut self.disruptions,
            cut,
        );
    }

    /// Isolates a node from everything, or ends that.
    pub fn set_isolated(&mut self, node: NodeId, isolated: bool) {
        bump(
            &mut self.isolated[node.index()],
            &mut self.disruptions,
            isolated,
        );
    }

    /// Whether a partition cuts `instance` off from storage or the control
    /// plane now.
    pub fn instance_cut_off(&self, instance: InstanceId) -> bool {
        self.instance_cut[instance.index()] != [0, 0]
    }

    /// Cuts an instance off from storage, the control plane or both, or
    /// ends that.
    pub fn set_instance_cut(&mut self, instance: InstanceId, what: Cut, cut: bool) {
        let counts = &mut self.instance_cut[instance.index()];
        if matches!(what, Cut::Everything | Cut::Storage) {
            bump(&mut counts[0], &mut self.disruptions, cut);
        }
        if matches!(what, Cut::Everything | Cut::ControlPlane) {
            bump(&mut counts[1], &mut self.disruptions, cut);
        }
    }

    /// Sets an instance's link slowness factor (1 = healthy).
    pub fn set_instance_slowness(&mut self, instance: InstanceId, factor: f64) {
        let old = std::mem::replace(&mut self.instance_slowness[instance.index()], factor);
        self.count_slowed(old, factor);
    }

    /// Keeps count of the nodes and instances slowed, as one changes from
    /// `old` to `new`.
    fn count_slowed(&mut self, old: f64, new: f64) {
        match (old > 1.0, new > 1.0) {
            (false, true) => self.slowed += 1,
            (true, false) => self.slowed -= 1,
            _ => {}
        }
    }

    /// Whether a gray failure touches `e`: a slowed node, or packet loss
    /// on a scope that holds it.
    pub fn gray(&self, e: Endpoint) -> bool {
        let slowed = e.node().is_some_and(|n| self.slowness[n.index()] > 1.0)
            || e.instance()
                .is_some_and(|i| self.instance_slowness[i.index()] > 1.0);
        slowed
            || self.losses.iter().any(|&(scope, _)| match scope {
                LossScope::All => true,
                LossScope::Az(z) => e.az() == Some(z),
                LossScope::Node(n) => e.node() == Some(n),
                LossScope::Instance(i) => e.instance() == Some(i),
            })
    }

    /// Sets a node's slowness factor (1 = healthy).
    pub fn set_slowness(&mut self, node: NodeId, factor: f64) {
        let old = std::mem::replace(&mut self.slowness[node.index()], factor);
        self.count_slowed(old, factor);
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

/// Starts (`on`) or ends one reason for a link state, keeping the count
/// of every reason in force.
fn bump(counter: &mut u32, total: &mut u32, on: bool) {
    if on {
        *counter += 1;
        *total += 1;
    } else if *counter > 0 {
        *counter -= 1;
        *total -= 1;
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
        let f = RngFactory::new(3);
        let topology = Topology {
            azs: vec!["a".into(), "b".into(), "c".into()],
            azs_per_region: 3,
            nodes_per_az: 2,
        };
        Network::new(
            cfg,
            (f.stream(StreamId(0)), f.stream(StreamId(1))),
            (&topology, None),
            6,
            2,
        )
    }

    const W: Endpoint = Endpoint::Instance(InstanceId(0), AzId(0));
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

    #[test]
    fn a_cut_off_instance_still_reaches_its_clients() {
        let mut n = net();
        n.set_instance_cut(InstanceId(0), Cut::Everything, true);
        assert!(n.delay(W, N_B).is_none(), "no storage");
        assert!(n.delay(Endpoint::Control, W).is_none(), "no control plane");
        assert!(n.delay(Endpoint::Client(AzId(1)), W).is_some(), "clients");
        n.set_instance_cut(InstanceId(0), Cut::Everything, false);
        n.set_instance_cut(InstanceId(0), Cut::Storage, true);
        assert!(n.delay(W, N_B).is_none(), "no storage");
        assert!(n.delay(Endpoint::Control, W).is_some(), "the control plane");
        n.set_instance_cut(InstanceId(0), Cut::Storage, false);
        n.set_instance_cut(InstanceId(0), Cut::ControlPlane, true);
        assert!(n.delay(W, N_B).is_some(), "storage");
        assert!(n.delay(Endpoint::Control, W).is_none(), "no control plane");
        n.set_instance_cut(InstanceId(0), Cut::ControlPlane, false);
        assert!(n.delay(W, N_B).is_some());
    }
}
