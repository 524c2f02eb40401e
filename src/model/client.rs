//! Application clients: request loops through the cluster's endpoints.
//!
//! Each client resolves its endpoint (honouring the record TTL, or its own
//! cache when it keeps one longer), connects (`connect_timeout`), sends one
//! request at a time (`read_timeout`, or none: then a request to a host
//! that vanished waits forever) and thinks between requests. On an error
//! it closes the connection, backs off exponentially with jitter, and
//! starts again from the lookup. Writes to an instance that is no longer
//! the writer fail as read-only (\[KC\]).
//!
//! How a request reaches the database is the group's [`Connection`]:
//!
//! * **direct**: the client holds its own connection;
//! * **pool**: clients of one process share a [`Pool`]; a borrowed
//!   connection may be checked first (a round trip), a failed one is
//!   closed and its place freed;
//! * **proxy**: the client talks to the RDS Proxy node of its AZ
//!   ([`super::proxy`]), which holds its session across a failover;
//! * **driver**: a topology-aware driver (the AWS wrappers' failover
//!   plugin): on a failed request it asks the instances for the topology
//!   every `writer_reconnect_interval` and connects straight to the writer
//!   they name, skipping DNS, until `failover_timeout`. It acts on network
//!   errors (a timeout, a reset), not on a read-only answer: that one is
//!   for its stale-DNS guard, which asks the instance it reached through
//!   DNS for the topology and, told that another is the writer, moves
//!   there before its next request (the wrapper's `auroraStaleDns`
//!   plugin).

use rand::Rng;

use super::answer::{answer_client, Caller, Callers};
use super::context::Ctx;
use super::event::{Answer, Asker, Event};
use super::network::Endpoint;
use super::pool::{Lend, Pool, Pooled};
use super::routes::Reach;
use super::tcp::send_close;
use crate::model::config::{CacheSpec, ClientConfig, Connection, DriverConfig};
use crate::sim::rng::reseed;
use crate::sim::{Place, SimDuration, SimRng, SimTime};
use crate::vocab::ids::{AzId, ClientId, InstanceId};
use crate::vocab::ClientError;

/// Where a client is in its loop.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Step {
    /// Thinking or backing off.
    Idle,
    /// Waiting for DNS.
    Resolving,
    /// Waiting for the connection.
    Connecting,
    /// Waiting for the answer to a request sent at this time.
    Waiting(SimTime),
    /// Waiting for its pool to lend a connection.
    Acquiring,
    /// Waiting for the check of a borrowed connection.
    Validating,
    /// A driver in failover, waiting for an instance to name the writer.
    Topology,
}

/// The parts of the world a client's handlers use: the instances it may
/// connect to and the pools it borrows from.
pub(crate) struct ClientEnv<'a, R: Reach + ?Sized> {
    /// DB instances, in scenario order.
    pub instances: &'a R,
    /// Every client-side pool.
    pub pools: &'a mut [Pool],
}

/// One application client.
#[derive(Clone, Debug)]
pub struct Client {
    /// Index of its group in the scenario.
    pub group: usize,
    az: AzId,
    step: Step,
    /// Bumped at every step: a timer or answer for an older one is stale.
    seq: u32,
    cache: Option<((InstanceId, u32), Option<SimTime>)>,
    conn: Option<(InstanceId, u32)>,
    /// When its connection was opened.
    opened: SimTime,
    /// The pool it borrows from, if its group pools.
    pool: Option<usize>,
    /// Whether it is opening a connection in a place its pool gave it.
    opening: bool,
    /// The proxy node it talks to, if its group goes through the proxy.
    proxy_node: Option<AzId>,
    /// A driver's topology: the writer it last heard of, and when.
    topology: Option<(InstanceId, SimTime)>,
    /// When a driver's failover began, while it runs.
    failover_since: Option<SimTime>,
    /// Whether its connection is to an instance the topology says is not
    /// the writer (the stale-DNS guard closes it before the next request).
    stale: bool,
    errors_in_row: u32,
    /// Time of the first successful request.
    pub first_ok: Option<SimTime>,
    /// Time of the last successful request.
    pub last_ok: Option<SimTime>,
    /// When the last successful request was sent: a success whose
    /// request was already in flight at a fault says nothing about
    /// recovering from it.
    pub last_ok_sent: Option<SimTime>,
    /// Requests that succeeded.
    pub requests_ok: u64,
    /// When the scenario's last fault is over, if it ever is.
    faults_over: Option<SimTime>,
    /// When the first success whose request was sent after the last fault
    /// was over completed.
    pub back: Option<SimTime>,
    /// When the request in progress was first tried (retries keep it).
    first_try: SimTime,
    /// Gaps of at least [`GAP_MIN`] between successes.
    pub gaps: Vec<Gap>,
    /// The timers set in the current step, each in its place in the order
    /// of events.
    armed: Vec<Place>,
    /// When each of its timer events still queued is due. Most timers
    /// are timeouts that an answer makes moot, so a timer does not queue
    /// an event of its own while one is queued at or before it: that one
    /// queues the timer in its own place when it comes.
    queued: Vec<SimTime>,
    rng: SimRng,
}

/// A stretch without success, from one successful request to the next.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Gap {
    /// When the success before it completed.
    pub from: SimTime,
    /// When the next success completed.
    pub to: SimTime,
    /// When that next success's request was sent.
    pub to_sent: SimTime,
}

/// Shorter gaps between successes are ordinary think and latency time.
pub const GAP_MIN: SimDuration = SimDuration::from_millis(250);

impl Client {
    /// Moves its random stream to root seed `seed`, for a run forked from a
    /// prefix it shares with other seeds' runs.
    pub(crate) fn reseed(&mut self, seed: u64) {
        reseed(&mut self.rng, seed);
    }

    /// A client of group `group`, idle at time zero; `pool` is the pool it
    /// borrows from, if its group pools; `faults_over` is when the
    /// scenario's last fault is over, after which it watches for its first
    /// success.
    pub fn new(
        group: usize,
        cfg: &ClientConfig,
        pool: Option<usize>,
        faults_over: Option<SimTime>,
        rng: SimRng,
    ) -> Self {
        Client {
            group,
            az: cfg.az,
            step: Step::Idle,
            seq: 0,
            cache: None,
            conn: None,
            opened: SimTime::ZERO,
            pool,
            opening: false,
            proxy_node: None,
            topology: None,
            failover_since: None,
            stale: false,
            errors_in_row: 0,
            first_ok: None,
            last_ok: None,
            last_ok_sent: None,
            first_try: SimTime::ZERO,
            requests_ok: 0,
            faults_over,
            back: None,
            gaps: Vec::new(),
            armed: Vec::new(),
            queued: Vec::new(),
            rng,
        }
    }

    /// A random point in the first think time, so clients do not start in
    /// lock step.
    pub fn start_delay(&mut self, think: SimDuration) -> SimDuration {
        SimDuration::from_nanos(self.rng.random_range(0..=think.as_nanos()))
    }

    /// When the request in progress was first tried, if one is (sent,
    /// or backing off after a failure); none while the client thinks.
    pub fn pending_since(&self) -> Option<SimTime> {
        (self.step != Step::Idle || self.errors_in_row > 0).then_some(self.first_try)
    }

    /// When the answer it waits for was asked for, if it waits for one.
    pub fn waiting_since(&self) -> Option<SimTime> {
        match self.step {
            Step::Waiting(t) => Some(t),
            _ => None,
        }
    }

    /// Its AZ.
    pub fn az(&self) -> AzId {
        self.az
    }

    /// The network end of the client: its AZ.
    pub fn endpoint(&self) -> Endpoint {
        Endpoint::Client(self.az)
    }

    /// Its current step's number.
    pub fn seq(&self) -> u32 {
        self.seq
    }

    /// Whether it waits for an answer on a connection to `inst`.
    pub fn waits_on(&self, inst: InstanceId) -> bool {
        self.conn.is_some_and(|(i, _)| i == inst) && matches!(self.step, Step::Waiting(_))
    }
}

impl Client {
    fn cfg<'c>(&self, cx: &Ctx<'c>) -> &'c ClientConfig {
        &cx.cfg.clients[self.group]
    }

    /// Moves the client to `step` and returns the new sequence number.
    fn step_to(&mut self, step: Step) -> u32 {
        self.step = step;
        self.seq = self.seq.wrapping_add(1);
        // The timers set for the step before can no longer fire.
        self.armed.clear();
        self.seq
    }

    /// Sets a timer for the current step to fire `after` from now, in the
    /// place among that instant's events a timer event queued now would
    /// take.
    fn timer(&mut self, cx: &mut Ctx, client: ClientId, after: SimDuration) {
        let at = cx.place_at(cx.now() + after);
        self.armed.push(at);
        self.queue_armed(cx, client);
    }

    /// Queues an event for each timer set with none queued at or before
    /// its time.
    fn queue_armed(&mut self, cx: &mut Ctx, client: ClientId) {
        for &(at, place) in &self.armed {
            if !self.queued.iter().any(|&q| q <= at) {
                self.queued.push(at);
                let seq = self.seq;
                cx.at_place((at, place), Event::ClientTimer { client, seq });
            }
        }
    }

    /// One of the client's timer events: the end of a think or backoff,
    /// or a timeout, when it is the timer of the current step `seq` in
    /// its own place; in any case, the timers set wait for another event.
    pub(crate) fn on_timer(
        &mut self,
        cx: &mut Ctx,
        id: ClientId,
        env: &mut ClientEnv<impl Reach + ?Sized>,
        seq: u32,
    ) {
        let here = cx.place();
        if let Some(i) = self.queued.iter().position(|&q| q == here.0) {
            self.queued.swap_remove(i);
        }
        if self.seq == seq {
            self.armed.retain(|&p| p != here);
            self.fire(cx, id, env);
        }
        self.queue_armed(cx, id);
    }

    /// The current step's timer fires.
    fn fire(&mut self, cx: &mut Ctx, id: ClientId, env: &mut ClientEnv<impl Reach + ?Sized>) {
        match self.step {
            Step::Idle => self.next(cx, id, env),
            Step::Acquiring => {
                if let Some(p) = self.pool {
                    env.pools[p].leave(id);
                }
                self.failed(cx, id, env, ClientError::PoolTimeout)
            }
            // A connection that does not answer its check is closed; the
            // borrower tries again.
            Step::Validating => {
                self.drop_connection(cx, id, env);
                self.next(cx, id, env)
            }
            Step::Topology => self.topology_round_over(cx, id, env),
            Step::Resolving | Step::Connecting | Step::Waiting(_) => {
                self.failed(cx, id, env, ClientError::Timeout)
            }
        }
    }

    /// Steps to waiting for the answer to a request sent now, counting a
    /// write as offered: a retry after a timeout is another request, and
    /// the one it replaces may still commit.
    fn waiting(&mut self, cx: &mut Ctx, now: SimTime) -> u32 {
        if !self.cfg(cx).reader {
            cx.rec.write_requests += 1;
        }
        self.step_to(Step::Waiting(now))
    }

    /// Starts the next request: on the open connection, or from a lookup.
    fn next(&mut self, cx: &mut Ctx, id: ClientId, env: &mut ClientEnv<impl Reach + ?Sized>) {
        let now = cx.now();
        if self.errors_in_row == 0 {
            self.first_try = now;
        }
        if cx.cfg.clients[self.group].connection == Connection::Proxy {
            return self.send_to_proxy(cx, id);
        }
        if std::mem::take(&mut self.stale) {
            self.drop_connection(cx, id, env);
        }
        if self.conn.is_some() {
            return self.send(cx, id, env);
        }
        if self.failover_since.is_some() {
            return self.ask_topology(cx, id, env);
        }
        if let (Some(p), Connection::Pool(pool)) = (self.pool, &self.cfg(cx).connection) {
            let (size, acquire, validate) = (pool.size, pool.acquire_timeout, pool.validate);
            let seq = self.step_to(Step::Acquiring);
            match env.pools[p].borrow(size, id, seq) {
                Lend::Idle(c) => {
                    self.conn = Some((c.inst, c.incarnation));
                    self.opened = c.opened;
                    return if validate {
                        self.validate(cx, id, env)
                    } else {
                        self.send(cx, id, env)
                    };
                }
                Lend::Open => self.opening = true,
                Lend::Wait => return self.timer(cx, id, acquire),
            }
        }
        match self.cache {
            Some((host, expires)) if expires.is_none_or(|e| e > now) => {
                self.connect(cx, id, env, host)
            }
            _ => {
                let seq = self.step_to(Step::Resolving);
                let timeout = self.cfg(cx).connect_timeout;
                self.timer(cx, id, timeout);
                let query = Event::DnsQuery { client: id, seq };
                cx.send(now, self.endpoint(), Endpoint::Control, query);
            }
        }
    }

    /// DNS answered a lookup.
    pub(crate) fn on_dns_answer(
        &mut self,
        cx: &mut Ctx,
        id: ClientId,
        env: &mut ClientEnv<impl Reach + ?Sized>,
        seq: u32,
        host: Option<(InstanceId, u32)>,
    ) {
        let now = cx.now();
        if self.seq != seq || self.step != Step::Resolving {
            return;
        }
        let Some(host) = host else {
            return self.failed(cx, id, env, ClientError::DnsEmpty);
        };
        let expires = match self.cfg(cx).dns_cache {
            None => Some(now + cx.cfg.dns.ttl),
            Some(CacheSpec::For(d)) => Some(now + d),
            Some(CacheSpec::Forever) => None,
        };
        self.cache = Some((host, expires));
        self.connect(cx, id, env, host);
    }

    fn connect(
        &mut self,
        cx: &mut Ctx,
        id: ClientId,
        env: &ClientEnv<impl Reach + ?Sized>,
        (host, address): (InstanceId, u32),
    ) {
        let now = cx.now();
        let seq = self.step_to(Step::Connecting);
        let timeout = self.cfg(cx).connect_timeout;
        self.timer(cx, id, timeout);
        let to = env.instances.endpoint(host);
        let connect = Event::Connect {
            asker: Asker::Client(id),
            seq,
            inst: host,
            address,
        };
        cx.send(now, self.endpoint(), to, connect);
    }

    /// An instance answered a connection attempt.
    pub(crate) fn on_connected(
        &mut self,
        cx: &mut Ctx,
        id: ClientId,
        env: &mut ClientEnv<impl Reach + ?Sized>,
        seq: u32,
        inst: InstanceId,
        accepted: Result<u32, ClientError>,
    ) {
        if self.seq != seq || self.step != Step::Connecting {
            // Given up on already: the late connection is closed.
            if let Ok(incarnation) = accepted {
                self.disconnect(cx, env, inst, incarnation);
            }
            return;
        }
        match accepted {
            Ok(incarnation) => {
                self.conn = Some((inst, incarnation));
                self.opened = cx.now();
                self.opening = false;
                if self.failover_since.take().is_some() {
                    cx.rec.driver_failovers += 1;
                }
                self.send(cx, id, env);
            }
            Err(e) => self.failed(cx, id, env, e),
        }
    }

    /// Checks a borrowed connection with a round trip.
    fn validate(&mut self, cx: &mut Ctx, id: ClientId, env: &ClientEnv<impl Reach + ?Sized>) {
        let now = cx.now();
        let seq = self.step_to(Step::Validating);
        if let Connection::Pool(p) = &self.cfg(cx).connection {
            self.timer(cx, id, p.validation_timeout);
        }
        let (inst, incarnation) = self.conn.expect("borrowed");
        let ping = Event::Ping {
            client: id,
            seq,
            inst,
            incarnation,
        };
        cx.send(now, self.endpoint(), env.instances.endpoint(inst), ping);
    }

    fn send(&mut self, cx: &mut Ctx, id: ClientId, env: &ClientEnv<impl Reach + ?Sized>) {
        let now = cx.now();
        let seq = self.waiting(cx, now);
        if let Some(timeout) = self.cfg(cx).read_timeout {
            self.timer(cx, id, timeout);
        }
        let (inst, incarnation) = self.conn.expect("connected");
        let to = env.instances.endpoint(inst);
        // A driver refreshes its topology on its own clock, from the
        // instance it is connected to, and asks a new connection's
        // instance at once: that answer is what its stale-DNS guard acts on.
        if let Connection::Driver(d) = &self.cfg(cx).connection {
            if self
                .topology
                .is_none_or(|(_, at)| at < self.opened || now.since(at) >= d.topology_refresh)
            {
                let ask = Event::TopologyQuery {
                    asker: Asker::Client(id),
                    seq: 0,
                    inst,
                };
                cx.send(now, self.endpoint(), to, ask);
            }
        }
        let request = Event::Request {
            client: id,
            seq,
            inst,
            incarnation,
            via: None,
        };
        cx.send(now, self.endpoint(), to, request);
    }

    /// Sends the request to its proxy node, choosing one if it has none:
    /// the node in its own AZ, else one by its number.
    fn send_to_proxy(&mut self, cx: &mut Ctx, id: ClientId) {
        let now = cx.now();
        let seq = self.waiting(cx, now);
        if let Some(timeout) = self.cfg(cx).read_timeout {
            self.timer(cx, id, timeout);
        }
        let azs = &cx.cfg.proxy.as_ref().expect("validated: a proxy").azs;
        let node = *self.proxy_node.get_or_insert_with(|| {
            if azs.contains(&self.az) {
                self.az
            } else {
                azs[id.index() % azs.len()]
            }
        });
        let request = Event::ProxyRequest {
            client: id,
            seq,
            node,
            from: self.az,
        };
        cx.send(now, self.endpoint(), Endpoint::Proxy(node), request);
    }

    /// An answer arrives: to a request, or to a connection check.
    pub(crate) fn on_response(
        &mut self,
        cx: &mut Ctx,
        id: ClientId,
        env: &mut ClientEnv<impl Reach + ?Sized>,
        seq: u32,
        answer: Answer,
    ) {
        let now = cx.now();
        if self.seq != seq {
            return;
        }
        if self.step == Step::Validating {
            return match answer {
                Answer::Ok => self.send(cx, id, env),
                Answer::Failed(_) => {
                    self.drop_connection(cx, id, env);
                    self.next(cx, id, env)
                }
            };
        }
        let Step::Waiting(sent) = self.step else {
            return;
        };
        match answer {
            Answer::Ok => {
                if let Some(last) = self.last_ok {
                    if now.since(last) >= GAP_MIN {
                        self.gaps.push(Gap {
                            from: last,
                            to: now,
                            to_sent: sent,
                        });
                    }
                }
                self.first_ok.get_or_insert(now);
                self.last_ok = Some(now);
                self.last_ok_sent = Some(sent);
                if self.back.is_none() && self.faults_over.is_some_and(|t| sent >= t) {
                    self.back = Some(now);
                }
                cx.rec.client_request(self.group, now.since(self.first_try));
                self.requests_ok += 1;
                self.errors_in_row = 0;
                self.give_back(cx, env);
                self.step_to(Step::Idle);
                let think = self.cfg(cx).think_time;
                self.timer(cx, id, think);
            }
            Answer::Failed(e) => self.failed(cx, id, env, e),
        }
    }

    /// Returns a pooled connection after a request: to the pool, or
    /// closed if it has outlived its lifetime.
    fn give_back(&mut self, cx: &mut Ctx, env: &mut ClientEnv<impl Reach + ?Sized>) {
        let (Some(p), Connection::Pool(cfg)) = (self.pool, &self.cfg(cx).connection) else {
            return;
        };
        let Some((inst, incarnation)) = self.conn.take() else {
            return;
        };
        let now = cx.now();
        let woken = if now.since(self.opened) >= cfg.max_lifetime {
            self.disconnect(cx, env, inst, incarnation);
            env.pools[p].lose()
        } else {
            env.pools[p].give_back(Pooled {
                inst,
                incarnation,
                opened: self.opened,
            })
        };
        wake(cx, woken);
    }

    /// Closes its connection, or gives back the place it was opening one
    /// in.
    fn drop_connection(
        &mut self,
        cx: &mut Ctx,
        _id: ClientId,
        env: &mut ClientEnv<impl Reach + ?Sized>,
    ) {
        let had = self.conn.take();
        if let Some((inst, incarnation)) = had {
            self.disconnect(cx, env, inst, incarnation);
        }
        if let Some(p) = self.pool {
            if had.is_some() || std::mem::take(&mut self.opening) {
                let woken = env.pools[p].lose();
                wake(cx, woken);
            }
        }
    }

    /// Tells an instance a connection to it is closed.
    fn disconnect(
        &self,
        cx: &mut Ctx,
        env: &ClientEnv<impl Reach + ?Sized>,
        inst: InstanceId,
        incarnation: u32,
    ) {
        send_close(cx, env.instances, self.endpoint(), (inst, incarnation), 0);
    }

    /// Its pool has a connection for it again.
    pub(crate) fn on_pool_ready(
        &mut self,
        cx: &mut Ctx,
        id: ClientId,
        env: &mut ClientEnv<impl Reach + ?Sized>,
        seq: u32,
    ) {
        if self.seq == seq && self.step == Step::Acquiring {
            self.next(cx, id, env);
        }
    }

    /// A driver in failover asks every instance which is the writer.
    fn ask_topology(&mut self, cx: &mut Ctx, id: ClientId, env: &ClientEnv<impl Reach + ?Sized>) {
        let Connection::Driver(d) = &self.cfg(cx).connection else {
            return;
        };
        let now = cx.now();
        let interval = self.failover_wait(now, d);
        let seq = self.step_to(Step::Topology);
        self.timer(cx, id, interval);
        for i in 0..cx.cfg.instances.len() {
            let inst = InstanceId::from_index(i);
            let ask = Event::TopologyQuery {
                asker: Asker::Client(id),
                seq,
                inst,
            };
            cx.send(now, self.endpoint(), env.instances.endpoint(inst), ask);
        }
    }

    /// How long a driver waits before its next topology round: its
    /// reconnect interval, cut short where the failover timeout ends
    /// first, so that it gives up on time (the wrapper's
    /// `failoverTimeoutMs` bounds the whole failover).
    fn failover_wait(&self, now: SimTime, d: &DriverConfig) -> SimDuration {
        let left = self.failover_since.map_or(d.failover_timeout, |since| {
            d.failover_timeout.saturating_sub(now.since(since))
        });
        d.writer_reconnect_interval.min(left)
    }

    /// No instance named a writer within the interval: ask again, or give
    /// up once the failover timeout has passed and fall back to DNS.
    fn topology_round_over(
        &mut self,
        cx: &mut Ctx,
        id: ClientId,
        env: &mut ClientEnv<impl Reach + ?Sized>,
    ) {
        let (Connection::Driver(d), Some(since)) = (&self.cfg(cx).connection, self.failover_since)
        else {
            return;
        };
        if cx.now().since(since) >= d.failover_timeout {
            // What it knew of the topology led nowhere: it starts over
            // from DNS.
            self.failover_since = None;
            self.topology = None;
            return self.failed(cx, id, env, ClientError::Timeout);
        }
        self.ask_topology(cx, id, env);
    }

    /// An instance told a driver which instance is the writer (`None`:
    /// none is open for writes now).
    pub(crate) fn on_topology(
        &mut self,
        cx: &mut Ctx,
        id: ClientId,
        env: &mut ClientEnv<impl Reach + ?Sized>,
        seq: u32,
        writer: Option<InstanceId>,
    ) {
        let Some(w) = writer else {
            return;
        };
        self.topology = Some((w, cx.now()));
        let address = env.instances.address(w);
        if self.step == Step::Topology && self.seq == seq {
            return self.connect(cx, id, env, (w, address));
        }
        // The stale-DNS guard: told by a live instance that the writer is
        // not the one its record names, the driver connects to the writer
        // from now on, and leaves a connection to any other before its
        // next request.
        let guarded =
            matches!(&self.cfg(cx).connection, Connection::Driver(d) if d.stale_dns_guard);
        if guarded {
            if let Some((host, _)) = &mut self.cache {
                *host = (w, address);
            }
            self.stale = self.conn.is_some_and(|(i, _)| i != w);
        }
    }

    /// Counts the error, drops the connection, and backs off: exponential
    /// in the errors in a row, with half of it jittered. A driver instead
    /// starts (or goes on with) its failover; a proxy client that heard
    /// nothing from its node tries the next one.
    fn failed(
        &mut self,
        cx: &mut Ctx,
        id: ClientId,
        env: &mut ClientEnv<impl Reach + ?Sized>,
        e: ClientError,
    ) {
        cx.rec.client_error(self.group, e);
        let had_connection = self.conn.is_some();
        self.drop_connection(cx, id, env);
        self.errors_in_row += 1;
        let cfg = self.cfg(cx);
        if let Connection::Driver(d) = &cfg.connection {
            // The failover plugin acts on network errors; a read-only
            // answer is the database's, and the stale-DNS guard's business.
            let lost_writer =
                had_connection && matches!(e, ClientError::Timeout | ClientError::Reset);
            if lost_writer && self.failover_since.is_none() {
                self.failover_since = Some(cx.now());
                return self.ask_topology(cx, id, env);
            }
            if self.failover_since.is_some() {
                let wait = self.failover_wait(cx.now(), d);
                self.step_to(Step::Idle);
                return self.timer(cx, id, wait);
            }
        }
        // A client whose AZ has no proxy node moves to the next node up
        // when its own goes silent: the proxy endpoint's DNS names the
        // nodes that are up.
        if let (ClientError::Timeout, Some(node), Some(proxy)) = (e, self.proxy_node, &cx.cfg.proxy)
        {
            if !proxy.azs.contains(&self.az) {
                let at = proxy.azs.iter().position(|&z| z == node).unwrap_or(0);
                let n = proxy.azs.len();
                let next = (1..=n)
                    .map(|k| proxy.azs[(at + k) % n])
                    .find(|&z| cx.net().az_up(z));
                self.proxy_node = Some(next.unwrap_or(node));
            }
        }
        let (base, max) = (cfg.backoff_base, cfg.backoff_max);
        let doublings = (self.errors_in_row - 1).min(30);
        let full = SimDuration::from_nanos(
            base.as_nanos()
                .saturating_mul(1 << doublings)
                .min(max.as_nanos()),
        );
        let half = full.as_nanos() / 2;
        let delay = SimDuration::from_nanos(half + self.rng.random_range(0..=half));
        self.step_to(Step::Idle);
        self.timer(cx, id, delay);
    }
}

/// `inst`'s process exited while its host stayed up: every client waiting
/// on a connection to it hears of the reset at once.
pub(crate) fn reset_waiting(
    cx: &mut Ctx,
    (clients, callers): (&[Client], &Callers),
    instances: &(impl Reach + ?Sized),
    inst: InstanceId,
) {
    let from = instances.endpoint(inst);
    for (c, cl) in clients.iter().enumerate() {
        if cl.waits_on(inst) {
            let caller = Caller::direct(ClientId::from_index(c), cl.seq());
            answer_client(
                cx,
                from,
                callers,
                caller,
                Answer::Failed(ClientError::Reset),
            );
        }
    }
}

/// Wakes a borrower its pool can serve now.
fn wake(cx: &mut Ctx, woken: Option<(ClientId, u32)>) {
    if let Some((client, seq)) = woken {
        cx.after(SimDuration::ZERO, Event::PoolReady { client, seq });
    }
}
