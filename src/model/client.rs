//! Application clients: request loops through the cluster's endpoints.
//!
//! Each client resolves its endpoint (honouring the record TTL, or its own
//! cache when it keeps one longer), connects (`connect_timeout`), sends one
//! request at a time (`read_timeout`, or none: then a request to a host
//! that vanished waits forever) and thinks between requests. On an error
//! it closes the connection, backs off exponentially with jitter, and
//! starts again from the lookup. Writes to an instance that is no longer
//! the writer fail as read-only ([KC]).

use rand::Rng;

use super::ids::{AzId, ClientId, InstanceId};
use super::network::Endpoint;
use super::{Event, World};
use crate::scenario::{CacheSpec, ClientConfig};
use crate::sim::{SimDuration, SimRng, SimTime};

/// Why a request failed, as the application sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ClientError {
    /// No answer within the connect or read timeout.
    Timeout,
    /// The host refused the connection (the database is not running).
    Refused,
    /// The connection was reset (the database process restarted).
    Reset,
    /// A write reached an instance that is not the writer.
    ReadOnly,
    /// The DNS lookup came back empty.
    DnsEmpty,
}

impl ClientError {
    /// Every kind, in report order.
    pub const ALL: [ClientError; 5] = [
        ClientError::Timeout,
        ClientError::Refused,
        ClientError::Reset,
        ClientError::ReadOnly,
        ClientError::DnsEmpty,
    ];

    /// The summary key.
    pub fn name(self) -> &'static str {
        match self {
            ClientError::Timeout => "timeout",
            ClientError::Refused => "refused",
            ClientError::Reset => "reset",
            ClientError::ReadOnly => "read_only",
            ClientError::DnsEmpty => "dns_empty",
        }
    }
}

/// How an instance answered a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Answer {
    /// Done: committed, or read.
    Ok,
    /// Failed.
    Failed(ClientError),
}

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
}

/// One application client.
#[derive(Debug)]
pub struct Client {
    /// Index of its group in the scenario.
    pub group: usize,
    az: AzId,
    step: Step,
    /// Bumped at every step: a timer or answer for an older one is stale.
    seq: u32,
    cache: Option<(InstanceId, Option<SimTime>)>,
    conn: Option<(InstanceId, u32)>,
    errors_in_row: u32,
    /// Time of the first successful request.
    pub first_ok: Option<SimTime>,
    /// Time of the last successful request.
    pub last_ok: Option<SimTime>,
    /// Requests that succeeded.
    pub requests_ok: u64,
    /// Gaps of at least [`GAP_MIN`] between successes: (last success
    /// before, first success after).
    pub gaps: Vec<(SimTime, SimTime)>,
    rng: SimRng,
}

/// Shorter gaps between successes are ordinary think and latency time.
pub const GAP_MIN: SimDuration = SimDuration::from_millis(250);

impl Client {
    /// A client of group `group`, idle at time zero.
    pub fn new(group: usize, cfg: &ClientConfig, rng: SimRng) -> Self {
        Client {
            group,
            az: cfg.az,
            step: Step::Idle,
            seq: 0,
            cache: None,
            conn: None,
            errors_in_row: 0,
            first_ok: None,
            last_ok: None,
            requests_ok: 0,
            gaps: Vec::new(),
            rng,
        }
    }

    /// A random point in the first think time, so clients do not start in
    /// lock step.
    pub fn start_delay(&mut self, think: SimDuration) -> SimDuration {
        SimDuration::from_nanos(self.rng.random_range(0..=think.as_nanos()))
    }

    /// When its request in flight was sent, if one is.
    pub fn waiting_since(&self) -> Option<SimTime> {
        match self.step {
            Step::Waiting(t) => Some(t),
            _ => None,
        }
    }

    fn endpoint(&self) -> Endpoint {
        Endpoint::Client(self.az)
    }
}

impl World {
    fn client_cfg(&self, c: ClientId) -> &ClientConfig {
        &self.scenario.clients[self.clients[c.index()].group]
    }

    /// Moves the client to `step` and returns the new sequence number.
    fn client_step(&mut self, c: ClientId, step: Step) -> u32 {
        let cl = &mut self.clients[c.index()];
        cl.step = step;
        cl.seq = cl.seq.wrapping_add(1);
        cl.seq
    }

    fn client_timer(&mut self, c: ClientId, seq: u32, after: SimDuration) {
        self.engine
            .after(after, Event::ClientTimer { client: c, seq });
    }

    /// A client's timer: the end of a think or backoff, or a timeout.
    pub(crate) fn on_client_timer(&mut self, c: ClientId, seq: u32) {
        let cl = &self.clients[c.index()];
        if cl.seq != seq {
            return;
        }
        match cl.step {
            Step::Idle => self.client_next(c),
            Step::Resolving | Step::Connecting | Step::Waiting(_) => {
                self.client_failed(c, ClientError::Timeout)
            }
        }
    }

    /// Starts the next request: on the open connection, or from a lookup.
    fn client_next(&mut self, c: ClientId) {
        let now = self.engine.now();
        let cl = &self.clients[c.index()];
        if cl.conn.is_some() {
            return self.client_send(c);
        }
        match cl.cache {
            Some((host, expires)) if expires.is_none_or(|e| e > now) => {
                self.client_connect(c, host)
            }
            _ => {
                let seq = self.client_step(c, Step::Resolving);
                let timeout = self.client_cfg(c).connect_timeout;
                self.client_timer(c, seq, timeout);
                let from = self.clients[c.index()].endpoint();
                self.send(
                    now,
                    from,
                    Endpoint::Control,
                    Event::DnsQuery { client: c, seq },
                );
            }
        }
    }

    /// The DNS service answers a lookup with what the record says now.
    pub(crate) fn on_dns_query(&mut self, c: ClientId, seq: u32) {
        let now = self.engine.now();
        let reader = self.client_cfg(c).reader;
        let hosts = if reader && !self.dns.reader.at(now).is_empty() {
            self.dns.reader.at(now)
        } else {
            // The reader endpoint of a cluster without readers resolves to
            // the writer ([UG] Endpoints).
            self.dns.cluster.at(now)
        };
        let host = match hosts.len() {
            0 => None,
            1 => Some(hosts[0]),
            n => Some(hosts[self.dns_rng.random_range(0..n)]),
        };
        let to = self.clients[c.index()].endpoint();
        let answer = Event::DnsAnswer {
            client: c,
            seq,
            host,
        };
        self.send(now, Endpoint::Control, to, answer);
    }

    pub(crate) fn on_dns_answer(&mut self, c: ClientId, seq: u32, host: Option<InstanceId>) {
        let now = self.engine.now();
        let cl = &self.clients[c.index()];
        if cl.seq != seq || cl.step != Step::Resolving {
            return;
        }
        let Some(host) = host else {
            return self.client_failed(c, ClientError::DnsEmpty);
        };
        let expires = match self.client_cfg(c).dns_cache {
            None => Some(now + self.scenario.dns.ttl),
            Some(CacheSpec::For(d)) => Some(now + d),
            Some(CacheSpec::Forever) => None,
        };
        self.clients[c.index()].cache = Some((host, expires));
        self.client_connect(c, host);
    }

    fn client_connect(&mut self, c: ClientId, host: InstanceId) {
        let now = self.engine.now();
        let seq = self.client_step(c, Step::Connecting);
        let timeout = self.client_cfg(c).connect_timeout;
        self.client_timer(c, seq, timeout);
        let (from, to) = (
            self.clients[c.index()].endpoint(),
            self.instance_endpoint(host),
        );
        let connect = Event::Connect {
            client: c,
            seq,
            inst: host,
        };
        self.send(now, from, to, connect);
    }

    /// A connection attempt reaches an instance: a running database
    /// accepts, a host without one refuses, a dead host says nothing.
    pub(crate) fn on_connect(&mut self, c: ClientId, seq: u32, inst: InstanceId) {
        let i = &self.instances[inst.index()];
        if !i.answers_clients() {
            return;
        }
        let accepted = i.running().then_some(i.incarnation);
        let reply = Event::Connected {
            client: c,
            seq,
            inst,
            accepted,
        };
        self.instance_to_client(inst, c, reply);
    }

    pub(crate) fn on_connected(
        &mut self,
        c: ClientId,
        seq: u32,
        inst: InstanceId,
        accepted: Option<u32>,
    ) {
        let cl = &mut self.clients[c.index()];
        if cl.seq != seq || cl.step != Step::Connecting {
            return;
        }
        match accepted {
            Some(incarnation) => {
                cl.conn = Some((inst, incarnation));
                self.client_send(c);
            }
            None => self.client_failed(c, ClientError::Refused),
        }
    }

    fn client_send(&mut self, c: ClientId) {
        let now = self.engine.now();
        let seq = self.client_step(c, Step::Waiting(now));
        if let Some(timeout) = self.client_cfg(c).read_timeout {
            self.client_timer(c, seq, timeout);
        }
        let (inst, incarnation) = self.clients[c.index()].conn.expect("connected");
        let (from, to) = (
            self.clients[c.index()].endpoint(),
            self.instance_endpoint(inst),
        );
        let request = Event::Request {
            client: c,
            seq,
            inst,
            incarnation,
        };
        self.send(now, from, to, request);
    }

    /// A request reaches an instance.
    pub(crate) fn on_request(&mut self, c: ClientId, seq: u32, inst: InstanceId, incarnation: u32) {
        let i = &self.instances[inst.index()];
        if !i.answers_clients() {
            return;
        }
        let answer = if !i.running() || i.incarnation != incarnation {
            Answer::Failed(ClientError::Reset)
        } else if self.client_cfg(c).reader {
            Answer::Ok
        } else if let Some(w) = self.writer_of(inst) {
            // The writer (or a deposed one that does not know yet) takes
            // the commit; the answer comes when VDL passes it.
            return self.client_commit(w, c, seq);
        } else {
            Answer::Failed(ClientError::ReadOnly)
        };
        self.answer_client(inst, c, seq, answer);
    }

    /// Sends an instance's answer to a client.
    pub(crate) fn answer_client(
        &mut self,
        inst: InstanceId,
        c: ClientId,
        seq: u32,
        answer: Answer,
    ) {
        let response = Event::Response {
            client: c,
            seq,
            answer,
        };
        self.instance_to_client(inst, c, response);
    }

    /// Sends `event` from an instance to a client, now.
    fn instance_to_client(&mut self, inst: InstanceId, c: ClientId, event: Event) {
        let now = self.engine.now();
        let (from, to) = (
            self.instance_endpoint(inst),
            self.clients[c.index()].endpoint(),
        );
        self.send(now, from, to, event);
    }

    pub(crate) fn on_response(&mut self, c: ClientId, seq: u32, answer: Answer) {
        let now = self.engine.now();
        let cl = &mut self.clients[c.index()];
        if cl.seq != seq || !matches!(cl.step, Step::Waiting(_)) {
            return;
        }
        match answer {
            Answer::Ok => {
                if let Some(last) = cl.last_ok {
                    if now.since(last) >= GAP_MIN {
                        cl.gaps.push((last, now));
                    }
                }
                cl.first_ok.get_or_insert(now);
                cl.last_ok = Some(now);
                cl.requests_ok += 1;
                cl.errors_in_row = 0;
                let seq = self.client_step(c, Step::Idle);
                let think = self.client_cfg(c).think_time;
                self.client_timer(c, seq, think);
            }
            Answer::Failed(e) => self.client_failed(c, e),
        }
    }

    /// Counts the error, drops the connection, and backs off: exponential
    /// in the errors in a row, with half of it jittered.
    fn client_failed(&mut self, c: ClientId, e: ClientError) {
        self.rec.client_error(e);
        let cfg = self.client_cfg(c);
        let (base, max) = (cfg.backoff_base, cfg.backoff_max);
        let cl = &mut self.clients[c.index()];
        cl.conn = None;
        cl.errors_in_row += 1;
        let doublings = (cl.errors_in_row - 1).min(30);
        let full = SimDuration::from_nanos(
            base.as_nanos()
                .saturating_mul(1 << doublings)
                .min(max.as_nanos()),
        );
        let half = full.as_nanos() / 2;
        let delay = SimDuration::from_nanos(half + cl.rng.random_range(0..=half));
        let seq = self.client_step(c, Step::Idle);
        self.client_timer(c, seq, delay);
    }

    /// Resets every connection to `inst`: its database process exited
    /// while the host stayed up, so waiting clients hear of it at once.
    pub(crate) fn reset_connections(&mut self, inst: InstanceId) {
        for c in 0..self.clients.len() {
            let cl = &self.clients[c];
            if cl.conn.is_some_and(|(i, _)| i == inst) && matches!(cl.step, Step::Waiting(_)) {
                let seq = cl.seq;
                self.answer_client(
                    inst,
                    ClientId::from_index(c),
                    seq,
                    Answer::Failed(ClientError::Reset),
                );
            }
        }
    }
}
