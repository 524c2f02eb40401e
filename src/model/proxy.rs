//! RDS Proxy: a managed proxy between the clients and the writer.
//!
//! It has a node in each of its AZs (an AZ outage takes that node: the
//! network drops what is sent to it). A client talks to one node and its
//! session lives there, whatever happens to the database behind it. Each
//! node multiplexes its clients over its own share of a bounded set of
//! database connections (`max_connections_percent` of the writer's
//! `max_connections`): a transaction borrows one for its duration, unless
//! its session is *pinned* (a drawn share of sessions, [UG]: when reuse is
//! unsafe), which keeps one to itself. A request that finds no connection
//! waits in its node's queue up to `borrow_timeout`; past `max_queued` the
//! node sheds it. A node opens at most `max_opening_per_s` connections a
//! second ([UG]: it throttles what it cannot serve at once rather than
//! overwhelm the database), so a queue drains through the connections it
//! already has while its pool grows.
//!
//! The proxy finds the writer with its own health checks, not DNS: every
//! `health_check_interval` it asks each instance which is the writer open
//! for writes. When the writer misses `failure_threshold` checks, or an
//! answer names another one, its connections to the old writer are closed
//! (a transaction in flight on one fails, and its client retries on the
//! same session) and new requests wait until an answer names the new
//! writer; then it opens connections to it as requests need them.
//!
//! Every answer it forwards takes the proxy's own time, a draw ([`ProxyConfig`]).
//!
//! [`ProxyConfig`]: crate::model::config::ProxyConfig

use std::collections::VecDeque;

use rand::Rng;

use super::context::Ctx;
use super::event::{Answer, Asker, Event, Via};
use super::network::Endpoint;
use super::routes::Reach;
use super::tcp::send_close;
use crate::model::config::ProxyConfig;
use crate::sim::rng::reseed;
use crate::sim::{SimDuration, SimRng, SimTime};
use crate::vocab::ids::{AzId, ClientId, InstanceId};
use crate::vocab::ClientError;

/// What one database connection of the proxy is doing.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Use {
    /// Being opened, for a request waiting at its node.
    Opening,
    /// Open, lent to no one.
    Idle,
    /// Carrying this client's transaction (step `seq`).
    Busy(ClientId, u32),
    /// Closed; the slot may be reused.
    Closed,
}

/// One database connection of the proxy.
#[derive(Clone, Copy, Debug)]
struct Backend {
    /// The node that opened it.
    node: AzId,
    inst: InstanceId,
    incarnation: u32,
    state: Use,
    /// The session it is pinned to, if one.
    pinned_to: Option<ClientId>,
    /// Which opening of the proxy's it came from: an answer to an
    /// earlier opening in the same slot is not for it.
    opening: u32,
}

/// A client's session at the proxy.
///
/// A client waits for one answer at a time. A request that comes while
/// an older one is unanswered means the client gave up on that one (its
/// timeout): the old session is over. Its queued request is dropped, and
/// an answer still to come for it is not forwarded. A connection pinned
/// to the old session is closed once it is free, because its session
/// state cannot be handed to another session.
#[derive(Clone, Copy, Debug)]
struct Session {
    /// Whether it is pinned (drawn at its first request).
    pinned: Option<bool>,
    /// The connection pinned to it.
    own: Option<u32>,
    /// The step whose answer the client waits for.
    waiting: Option<u32>,
    /// The client's AZ, where answers go.
    az: AzId,
}

/// A request waiting for a database connection.
#[derive(Clone, Copy, Debug)]
struct Queued {
    client: ClientId,
    seq: u32,
}

/// The proxy and its nodes.
#[derive(Clone, Debug)]
pub struct Proxy {
    backends: Vec<Backend>,
    sessions: Vec<Session>,
    /// Per node (in `ProxyConfig::azs` order), the requests waiting.
    queues: Vec<VecDeque<Queued>>,
    /// The writer it sends to, once a check named one.
    target: Option<InstanceId>,
    /// Health-check rounds.
    round: u32,
    /// Whether the target answered the current round.
    answered: bool,
    /// Rounds in a row the target did not answer.
    misses: u32,
    /// Per node, when it may open its next database connection.
    next_open: Vec<SimTime>,
    rng: SimRng,
    /// Database connections it opened in all.
    pub opened: u64,
}

impl Proxy {
    /// Moves its random stream to root seed `seed`, for a run forked from a
    /// prefix it shares with other seeds' runs.
    pub(crate) fn reseed(&mut self, seed: u64) {
        reseed(&mut self.rng, seed);
    }

    /// A proxy for `clients` clients, sending to `writer` from the start.
    pub fn new(cfg: Option<&ProxyConfig>, clients: usize, writer: InstanceId, rng: SimRng) -> Self {
        let nodes = cfg.map_or(0, |c| c.azs.len());
        Proxy {
            backends: Vec::new(),
            sessions: vec![
                Session {
                    pinned: None,
                    own: None,
                    waiting: None,
                    az: AzId(0),
                };
                if nodes > 0 { clients } else { 0 }
            ],
            queues: vec![VecDeque::new(); nodes],
            next_open: vec![SimTime::ZERO; nodes],
            target: Some(writer),
            round: 0,
            answered: true,
            misses: 0,
            rng,
            opened: 0,
        }
    }

    fn node_index(cfg: &ProxyConfig, node: AzId) -> usize {
        cfg.azs.iter().position(|&z| z == node).unwrap_or(0)
    }

    /// A client's request reaches node `node`.
    pub(crate) fn on_request(
        &mut self,
        cx: &mut Ctx,
        instances: &(impl Reach + ?Sized),
        client: ClientId,
        seq: u32,
        (node, from): (AzId, AzId),
    ) {
        let Some(cfg) = cx.cfg.proxy.as_ref() else {
            return;
        };
        if self.sessions[client.index()].waiting.is_some() {
            self.end_session(cx, instances, client);
        }
        let session = &mut self.sessions[client.index()];
        session.az = from;
        session.waiting = Some(seq);
        session
            .pinned
            .get_or_insert_with(|| self.rng.random::<f64>() < cfg.pinned);
        // A pinned session's own connection, else any idle one of the node.
        let own = session.own.filter(|&slot| {
            let b = self.backends[slot as usize];
            b.state == Use::Idle && Some(b.inst) == self.target
        });
        if let Some(slot) = own.or_else(|| self.idle_at(node)) {
            return self.dispatch(cx, instances, slot, client, seq);
        }
        let n = Proxy::node_index(cfg, node);
        if self.queues[n].len() >= cfg.max_queued as usize {
            let shed = Answer::Failed(ClientError::ProxyShed);
            return self.answer(cx, (client, seq), node, shed);
        }
        self.queues[n].push_back(Queued { client, seq });
        cx.after(
            cfg.borrow_timeout,
            Event::ProxyBorrowTimeout { client, seq },
        );
        self.open_for_queue(cx, instances, node);
    }

    /// An idle, unpinned connection of `node` to the target.
    fn idle_at(&self, node: AzId) -> Option<u32> {
        self.backends
            .iter()
            .position(|b| {
                b.node == node
                    && b.state == Use::Idle
                    && b.pinned_to.is_none()
                    && Some(b.inst) == self.target
            })
            .map(|s| s as u32)
    }

    /// Connections of `node` open or being opened.
    fn held_at(&self, node: AzId) -> usize {
        self.backends
            .iter()
            .filter(|b| b.node == node && b.state != Use::Closed)
            .count()
    }

    /// The connections node `n` may hold: its share of
    /// `max_connections_percent` of the target's `max_connections`, the
    /// remainder going to the first nodes, so that together they never
    /// ask for more than the instance takes (a share may be none).
    fn cap(cx: &Ctx, instances: &(impl Reach + ?Sized), target: InstanceId, n: usize) -> usize {
        let cfg = cx.cfg.proxy.as_ref().expect("a proxy");
        let max = cx.cfg.engine.max_connections(instances.class(target));
        let all = (u64::from(max) * u64::from(cfg.max_connections_percent) / 100) as usize;
        let nodes = cfg.azs.len();
        all / nodes + usize::from(n < all % nodes)
    }

    /// Opens connections at `node` for requests queued there, while it is
    /// below its share and a writer is known.
    fn open_for_queue(&mut self, cx: &mut Ctx, instances: &(impl Reach + ?Sized), node: AzId) {
        let Some(target) = self.target else {
            return;
        };
        let cfg = cx.cfg.proxy.as_ref().expect("a proxy");
        let n = Proxy::node_index(cfg, node);
        let opening = self
            .backends
            .iter()
            .filter(|b| b.node == node && b.state == Use::Opening)
            .count();
        let want = self.queues[n].len().saturating_sub(opening);
        let room = Proxy::cap(cx, instances, target, n).saturating_sub(self.held_at(node));
        // One opening every 1/rate: a node's openings are spread, never
        // a burst.
        let now = cx.now();
        if want.min(room) == 0 || now < self.next_open[n] {
            return;
        }
        let spacing = SimDuration::from_secs(1) / u64::from(cfg.max_opening_per_s.max(1));
        self.next_open[n] = now + spacing;
        let backend = Backend {
            node,
            inst: target,
            incarnation: 0,
            state: Use::Opening,
            pinned_to: None,
            opening: self.opened as u32,
        };
        let slot = match self.backends.iter().position(|b| b.state == Use::Closed) {
            Some(s) => {
                self.backends[s] = backend;
                s
            }
            None => {
                self.backends.push(backend);
                self.backends.len() - 1
            }
        };
        self.opened += 1;
        let connect = Event::Connect {
            asker: Asker::Backend(slot as u32),
            seq: backend.opening,
            inst: target,
            address: instances.address(target),
        };
        let to = instances.endpoint(target);
        cx.send(cx.now(), Endpoint::Proxy(node), to, connect);
    }

    /// Sends `client`'s request on connection `slot`.
    fn dispatch(
        &mut self,
        cx: &mut Ctx,
        instances: &(impl Reach + ?Sized),
        slot: u32,
        client: ClientId,
        seq: u32,
    ) {
        let b = &mut self.backends[slot as usize];
        b.state = Use::Busy(client, seq);
        let session = &mut self.sessions[client.index()];
        if session.pinned == Some(true) {
            b.pinned_to = Some(client);
            session.own = Some(slot);
        }
        let request = Event::Request {
            client,
            seq,
            inst: b.inst,
            incarnation: b.incarnation,
            via: Some(Via::Proxy { node: b.node, slot }),
        };
        let to = instances.endpoint(b.inst);
        cx.send(cx.now(), Endpoint::Proxy(b.node), to, request);
    }

    /// An instance answered a connection the proxy opened.
    pub(crate) fn on_connected(
        &mut self,
        cx: &mut Ctx,
        instances: &(impl Reach + ?Sized),
        (slot, opening): (u32, u32),
        inst: InstanceId,
        accepted: Result<u32, ClientError>,
    ) {
        let b = &mut self.backends[slot as usize];
        if b.state != Use::Opening || b.opening != opening {
            // Given up on while it opened: the late connection is closed.
            if let Ok(incarnation) = accepted {
                let from = Endpoint::Proxy(b.node);
                send_close(cx, instances, from, (inst, incarnation), 0);
            }
            return;
        }
        let node = b.node;
        match accepted {
            Ok(incarnation) if Some(b.inst) == self.target => {
                b.incarnation = incarnation;
                b.state = Use::Idle;
                self.serve_queue(cx, instances, node);
            }
            Ok(incarnation) => {
                let (inst, from) = (b.inst, Endpoint::Proxy(node));
                b.state = Use::Closed;
                send_close(cx, instances, from, (inst, incarnation), 0);
            }
            // Refused: the queue waits for the next check to say more.
            Err(_) => b.state = Use::Closed,
        }
    }

    /// Gives idle connections of `node` to the requests queued there.
    fn serve_queue(&mut self, cx: &mut Ctx, instances: &(impl Reach + ?Sized), node: AzId) {
        let cfg = cx.cfg.proxy.as_ref().expect("a proxy");
        let n = Proxy::node_index(cfg, node);
        while let Some(slot) = self.idle_at(node) {
            let Some(q) = self.queues[n].pop_front() else {
                return;
            };
            self.dispatch(cx, instances, slot, q.client, q.seq);
        }
        self.open_for_queue(cx, instances, node);
    }

    /// An instance's answer to a request forwarded on connection `slot`:
    /// the connection is free again (closed, when the answer says it is
    /// broken or its pinned session is over), and the answer goes on to
    /// the client if it still waits for it.
    pub(crate) fn on_backend_response(
        &mut self,
        cx: &mut Ctx,
        instances: &(impl Reach + ?Sized),
        slot: u32,
        (client, seq): (ClientId, u32),
        answer: Answer,
    ) {
        let b = self.backends[slot as usize];
        if b.state != Use::Busy(client, seq) {
            // Closed while the answer was on its way; the client was told.
            return;
        }
        let broken = matches!(
            answer,
            Answer::Failed(ClientError::Reset | ClientError::ReadOnly | ClientError::Refused)
        );
        let session_over = b.pinned_to.is_some() && self.sessions[client.index()].own != Some(slot);
        if broken || session_over {
            // A reset connection is gone already; any other is closed.
            let open = answer != Answer::Failed(ClientError::Reset);
            self.close(cx, instances, slot, open);
            // A read-only answer means the writer moved: check now.
            if answer == Answer::Failed(ClientError::ReadOnly) {
                self.misses = cx.cfg.proxy.as_ref().map_or(0, |c| c.failure_threshold);
            }
        } else {
            self.backends[slot as usize].state = Use::Idle;
        }
        self.answer(cx, (client, seq), b.node, answer);
        self.serve_queue(cx, instances, b.node);
    }

    /// Closes connection `slot`, unpinning its session; `open` when the
    /// instance still holds its end and is told.
    fn close(&mut self, cx: &mut Ctx, instances: &(impl Reach + ?Sized), slot: u32, open: bool) {
        let b = self.backends[slot as usize];
        if let Some(c) = b.pinned_to {
            let session = &mut self.sessions[c.index()];
            if session.own == Some(slot) {
                session.own = None;
            }
        }
        self.backends[slot as usize].state = Use::Closed;
        self.backends[slot as usize].pinned_to = None;
        if open && b.state != Use::Opening {
            let from = Endpoint::Proxy(b.node);
            send_close(cx, instances, from, (b.inst, b.incarnation), 0);
        }
    }

    /// The client gave up on its request: its queued request is dropped,
    /// and its pinned connection closed now if idle, or when its answer
    /// comes back.
    fn end_session(&mut self, cx: &mut Ctx, instances: &(impl Reach + ?Sized), client: ClientId) {
        for q in &mut self.queues {
            q.retain(|w| w.client != client);
        }
        let session = &mut self.sessions[client.index()];
        session.waiting = None;
        session.pinned = None;
        if let Some(slot) = session.own.take() {
            if self.backends[slot as usize].state == Use::Idle {
                self.close(cx, instances, slot, true);
            }
        }
    }

    /// Sends an answer from `node` to a client that still waits for it,
    /// after the proxy's own time.
    fn answer(&mut self, cx: &mut Ctx, (client, seq): (ClientId, u32), node: AzId, answer: Answer) {
        let session = &mut self.sessions[client.index()];
        if session.waiting != Some(seq) {
            return;
        }
        session.waiting = None;
        let cfg = cx.cfg.proxy.as_ref().expect("a proxy");
        let at = cx.now() + cfg.latency.sample(&mut self.rng);
        let to = Endpoint::Client(session.az);
        let response = Event::Response {
            client,
            seq,
            answer,
        };
        cx.send(at, Endpoint::Proxy(node), to, response);
    }

    /// A queued request's borrow timeout.
    pub(crate) fn on_borrow_timeout(&mut self, cx: &mut Ctx, client: ClientId, seq: u32) {
        let Some(cfg) = cx.cfg.proxy.as_ref() else {
            return;
        };
        for (n, q) in self.queues.iter_mut().enumerate() {
            if let Some(i) = q.iter().position(|w| w.client == client && w.seq == seq) {
                q.remove(i);
                let node = cfg.azs[n];
                let timeout = Answer::Failed(ClientError::ProxyTimeout);
                return self.answer(cx, (client, seq), node, timeout);
            }
        }
    }

    /// The health-check timer: counts a miss, gives up on a writer that
    /// missed too many, and asks every instance which is the writer.
    pub(crate) fn on_tick(&mut self, cx: &mut Ctx, instances: &(impl Reach + ?Sized)) {
        let Some(cfg) = cx.cfg.proxy.as_ref() else {
            return;
        };
        cx.after(cfg.health_check_interval, Event::ProxyTick);
        if self.target.is_some() {
            self.misses = if self.answered { 0 } else { self.misses + 1 };
            if self.misses >= cfg.failure_threshold {
                self.retarget(cx, instances, None);
            }
        }
        for node in cfg.azs.clone() {
            self.serve_queue(cx, instances, node);
        }
        let cfg = cx.cfg.proxy.as_ref().expect("a proxy");
        self.round = self.round.wrapping_add(1);
        self.answered = false;
        // The monitor runs on the first node whose AZ is up.
        let Some(&node) = cfg.azs.iter().find(|&&z| cx.net().az_up(z)) else {
            return;
        };
        // A proxy serves its own region's cluster: once a global database
        // promotes another region, it finds no writer there.
        let topology = &cx.cfg.topology;
        let home = topology.region_of(node);
        for i in 0..cx.cfg.instances.len() {
            let inst = InstanceId::from_index(i);
            if matches!(instances.endpoint(inst), Endpoint::Instance(_, az) if topology.region_of(az) != home)
            {
                continue;
            }
            let ask = Event::TopologyQuery {
                asker: Asker::Monitor,
                seq: self.round,
                inst,
            };
            cx.send(
                cx.now(),
                Endpoint::Proxy(node),
                instances.endpoint(inst),
                ask,
            );
        }
    }

    /// An instance answered the monitor.
    pub(crate) fn on_topology(
        &mut self,
        cx: &mut Ctx,
        instances: &(impl Reach + ?Sized),
        seq: u32,
        inst: InstanceId,
        writer: Option<InstanceId>,
    ) {
        if seq != self.round {
            return;
        }
        if Some(inst) == self.target && writer == Some(inst) {
            self.answered = true;
        }
        if let Some(w) = writer {
            if Some(w) != self.target {
                self.retarget(cx, instances, Some(w));
            }
        }
    }

    /// Sends to `target` from now on: connections to any other instance
    /// are closed, failing the transactions on them, and queued requests
    /// get connections to the new one.
    fn retarget(
        &mut self,
        cx: &mut Ctx,
        instances: &(impl Reach + ?Sized),
        target: Option<InstanceId>,
    ) {
        self.target = target;
        self.answered = target.is_some();
        self.misses = 0;
        for slot in 0..self.backends.len() {
            let b = self.backends[slot];
            if b.state == Use::Closed || Some(b.inst) == target {
                continue;
            }
            self.close(cx, instances, slot as u32, true);
            if let Use::Busy(client, seq) = b.state {
                let reset = Answer::Failed(ClientError::Reset);
                self.answer(cx, (client, seq), b.node, reset);
            }
        }
        if let Some(cfg) = cx.cfg.proxy.as_ref() {
            for node in cfg.azs.clone() {
                self.serve_queue(cx, instances, node);
            }
        }
    }

    /// The instance `inst`'s process exited with its host up: the
    /// transactions the proxy has on it fail at once.
    pub(crate) fn reset(
        &mut self,
        cx: &mut Ctx,
        instances: &(impl Reach + ?Sized),
        inst: InstanceId,
    ) {
        for slot in 0..self.backends.len() {
            let b = self.backends[slot];
            if b.inst != inst || b.state == Use::Closed {
                continue;
            }
            self.close(cx, instances, slot as u32, false);
            if let Use::Busy(client, seq) = b.state {
                let reset = Answer::Failed(ClientError::Reset);
                self.answer(cx, (client, seq), b.node, reset);
            }
        }
    }

    /// The network end of the node a backend connection belongs to, or
    /// that the monitor speaks from: the first node in an AZ that is up.
    pub(crate) fn end_of(&self, cx: &Ctx, asker: Asker) -> Endpoint {
        let azs = cx.cfg.proxy.as_ref().map_or(&[][..], |p| &p.azs[..]);
        let node = match asker {
            Asker::Backend(slot) => self.node_of(slot),
            _ => azs.iter().copied().find(|&z| cx.net().az_up(z)),
        };
        Endpoint::Proxy(node.or(azs.first().copied()).unwrap_or_default())
    }

    /// The node a database connection belongs to.
    pub fn node_of(&self, slot: u32) -> Option<AzId> {
        self.backends.get(slot as usize).map(|b| b.node)
    }
}
