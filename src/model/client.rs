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

use super::compute::{instance_endpoint, Instance};
use super::context::Ctx;
use super::event::Event;
use super::network::Endpoint;
use crate::model::config::{CacheSpec, ClientConfig};
use crate::sim::{SimDuration, SimRng, SimTime};
use crate::vocab::ids::{AzId, ClientId, InstanceId};
use crate::vocab::ClientError;

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
    cache: Option<((InstanceId, u32), Option<SimTime>)>,
    conn: Option<(InstanceId, u32)>,
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
    /// When the request in progress was first tried (retries keep it).
    first_try: SimTime,
    /// Gaps of at least [`GAP_MIN`] between successes.
    pub gaps: Vec<Gap>,
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
            last_ok_sent: None,
            first_try: SimTime::ZERO,
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
    fn cfg<'c>(&self, cx: &'c Ctx) -> &'c ClientConfig {
        &cx.cfg.clients[self.group]
    }

    /// Moves the client to `step` and returns the new sequence number.
    fn step_to(&mut self, step: Step) -> u32 {
        self.step = step;
        self.seq = self.seq.wrapping_add(1);
        self.seq
    }

    fn timer(cx: &mut Ctx, client: ClientId, seq: u32, after: SimDuration) {
        cx.after(after, Event::ClientTimer { client, seq });
    }

    /// A client's timer: the end of a think or backoff, or a timeout.
    pub(crate) fn on_timer(
        &mut self,
        cx: &mut Ctx,
        id: ClientId,
        instances: &[Instance],
        seq: u32,
    ) {
        if self.seq != seq {
            return;
        }
        match self.step {
            Step::Idle => self.next(cx, id, instances),
            Step::Resolving | Step::Connecting | Step::Waiting(_) => {
                self.failed(cx, id, ClientError::Timeout)
            }
        }
    }

    /// Starts the next request: on the open connection, or from a lookup.
    fn next(&mut self, cx: &mut Ctx, id: ClientId, instances: &[Instance]) {
        let now = cx.now();
        if self.errors_in_row == 0 {
            self.first_try = now;
        }
        if self.conn.is_some() {
            return self.send(cx, id, instances);
        }
        match self.cache {
            Some((host, expires)) if expires.is_none_or(|e| e > now) => {
                self.connect(cx, id, instances, host)
            }
            _ => {
                let seq = self.step_to(Step::Resolving);
                let timeout = self.cfg(cx).connect_timeout;
                Client::timer(cx, id, seq, timeout);
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
        instances: &[Instance],
        seq: u32,
        host: Option<(InstanceId, u32)>,
    ) {
        let now = cx.now();
        if self.seq != seq || self.step != Step::Resolving {
            return;
        }
        let Some(host) = host else {
            return self.failed(cx, id, ClientError::DnsEmpty);
        };
        let expires = match self.cfg(cx).dns_cache {
            None => Some(now + cx.cfg.dns.ttl),
            Some(CacheSpec::For(d)) => Some(now + d),
            Some(CacheSpec::Forever) => None,
        };
        self.cache = Some((host, expires));
        self.connect(cx, id, instances, host);
    }

    fn connect(
        &mut self,
        cx: &mut Ctx,
        id: ClientId,
        instances: &[Instance],
        (host, address): (InstanceId, u32),
    ) {
        let now = cx.now();
        let seq = self.step_to(Step::Connecting);
        let timeout = self.cfg(cx).connect_timeout;
        Client::timer(cx, id, seq, timeout);
        let to = instance_endpoint(instances, host);
        let connect = Event::Connect {
            client: id,
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
        instances: &[Instance],
        seq: u32,
        inst: InstanceId,
        accepted: Option<u32>,
    ) {
        if self.seq != seq || self.step != Step::Connecting {
            return;
        }
        match accepted {
            Some(incarnation) => {
                self.conn = Some((inst, incarnation));
                self.send(cx, id, instances);
            }
            None => self.failed(cx, id, ClientError::Refused),
        }
    }

    fn send(&mut self, cx: &mut Ctx, id: ClientId, instances: &[Instance]) {
        let now = cx.now();
        let seq = self.step_to(Step::Waiting(now));
        if let Some(timeout) = self.cfg(cx).read_timeout {
            Client::timer(cx, id, seq, timeout);
        }
        let (inst, incarnation) = self.conn.expect("connected");
        let to = instance_endpoint(instances, inst);
        let request = Event::Request {
            client: id,
            seq,
            inst,
            incarnation,
        };
        cx.send(now, self.endpoint(), to, request);
    }

    /// An instance's answer arrives.
    pub(crate) fn on_response(&mut self, cx: &mut Ctx, id: ClientId, seq: u32, answer: Answer) {
        let now = cx.now();
        let Step::Waiting(sent) = self.step else {
            return;
        };
        if self.seq != seq {
            return;
        }
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
                cx.rec.client_request(now.since(self.first_try));
                self.requests_ok += 1;
                self.errors_in_row = 0;
                let seq = self.step_to(Step::Idle);
                let think = self.cfg(cx).think_time;
                Client::timer(cx, id, seq, think);
            }
            Answer::Failed(e) => self.failed(cx, id, e),
        }
    }

    /// Counts the error, drops the connection, and backs off: exponential
    /// in the errors in a row, with half of it jittered.
    fn failed(&mut self, cx: &mut Ctx, id: ClientId, e: ClientError) {
        cx.rec.client_error(self.group, e);
        let cfg = self.cfg(cx);
        let (base, max) = (cfg.backoff_base, cfg.backoff_max);
        self.conn = None;
        self.errors_in_row += 1;
        let doublings = (self.errors_in_row - 1).min(30);
        let full = SimDuration::from_nanos(
            base.as_nanos()
                .saturating_mul(1 << doublings)
                .min(max.as_nanos()),
        );
        let half = full.as_nanos() / 2;
        let delay = SimDuration::from_nanos(half + self.rng.random_range(0..=half));
        let seq = self.step_to(Step::Idle);
        Client::timer(cx, id, seq, delay);
    }
}

/// Sends an instance's answer to a client, now.
pub(crate) fn answer_client(
    cx: &mut Ctx,
    from: Endpoint,
    to: Endpoint,
    client: ClientId,
    seq: u32,
    answer: Answer,
) {
    answer_client_at(cx, cx.now(), from, to, client, seq, answer);
}

/// Sends `answer` to a client at `at`, once the work behind it is done.
pub(crate) fn answer_client_at(
    cx: &mut Ctx,
    at: SimTime,
    from: Endpoint,
    to: Endpoint,
    client: ClientId,
    seq: u32,
    answer: Answer,
) {
    let response = Event::Response {
        client,
        seq,
        answer,
    };
    cx.send(at, from, to, response);
}
