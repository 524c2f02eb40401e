//! The Aurora world: storage nodes and their segments, the DB instances and
//! the control plane, DNS, application clients, and the network between
//! them, driven by one event queue.
//!
//! Every interaction is an [`Event`] delivered with a network delay (or a
//! timer an actor set for itself); handlers are plain methods dispatched by
//! a `match`. Randomness comes from named streams: the workload, the
//! network, gossip peer choice, the control plane, DNS, one stream per
//! storage node's disk and one per client.

pub mod client;
pub mod compute;
pub mod dns;
pub mod faults;
pub mod ids;
pub mod network;
mod repair;
pub mod storage;
pub mod workload;
pub mod writer;

use std::sync::Arc;

use rand::Rng;
use rand_distr::{Distribution, Poisson};

use crate::metrics::Recorder;
use crate::scenario::Scenario;
use crate::sim::dist::LogNormal;
use crate::sim::{Engine, RngFactory, SimDuration, SimRng, SimTime, StreamId, Trace};
use client::{Answer, Client, ClientError};
use compute::control::ControlPlane;
use compute::recovery::Recovery;
use compute::Instance;
use dns::{Dns, Record};
use ids::{ClientId, InstanceId, NodeId, PgId, SegmentId};
use network::{Endpoint, Network};
use storage::lsn::{Batch, Lsn, LsnPoints};
use storage::page::PageMap;
use storage::segment::{Accept, GossipPayload, ReadResult, RecoveryInfo};
use storage::volume::Volume;
use writer::{Commit, PendingRead, Writer};

/// Everything that can happen, addressed to the actor that handles it.
#[derive(Debug)]
pub enum Event {
    /// The writer's group-commit timer: admit offered work, ship batches.
    Tick,
    /// A batch of redo records reaches a segment.
    Batch {
        /// The receiving segment.
        seg: SegmentId,
        /// The records.
        batch: Arc<Batch>,
    },
    /// A segment's acknowledgement reaches the writer of its epoch.
    Ack {
        /// The acknowledging segment.
        seg: SegmentId,
        /// Its SCL once the persist completed.
        scl: Lsn,
        /// Its node's incarnation when it sent.
        incarnation: u32,
        /// The epoch of the writer it answers.
        epoch: u32,
    },
    /// A page read reaches a segment.
    ReadRequest(Box<ReadAsk>),
    /// A segment's answer reaches the writer.
    ReadReply(Box<ReadAnswer>),
    /// A segment's gossip timer: ask a peer to fill a gap.
    GossipTimer {
        /// The segment with the gap.
        seg: SegmentId,
    },
    /// A gossip request reaches a peer.
    GossipPull {
        /// The peer asked.
        to: SegmentId,
        /// The asker.
        from: SegmentId,
        /// The asker's SCL.
        since: Lsn,
        /// The asker's epoch: the peer applies its truncations first.
        epoch: u32,
    },
    /// A peer's records reach the asker.
    GossipPush {
        /// The asker.
        to: SegmentId,
        /// What the peer sent.
        payload: Box<GossipPayload>,
        /// The newest epoch whose truncation the peer had applied.
        cut: u32,
    },
    /// A segment's background materialization timer.
    Materialize {
        /// The segment.
        seg: SegmentId,
    },
    /// The writer's housekeeping: read timeouts and write resends.
    Maintenance,
    /// End of a timeline bin.
    Sample,
    /// A scenario fault starts.
    FaultStart(u32),
    /// A scenario fault ends.
    FaultEnd(u32),
    /// Repair looks at a node that went down.
    RepairCheck {
        /// The node.
        node: NodeId,
        /// Its incarnation when it went down.
        incarnation: u32,
    },
    /// A replacement segment has finished copying.
    RepairDone {
        /// The PG being repaired.
        pg: PgId,
    },
    /// The control plane's health-check timer.
    HealthTick,
    /// A health probe reaches an instance.
    HealthProbe {
        /// The instance probed.
        inst: InstanceId,
        /// The probe's number.
        seq: u32,
    },
    /// An instance's answer reaches the control plane.
    HealthReply {
        /// The instance that answered.
        inst: InstanceId,
        /// The probe answered.
        seq: u32,
    },
    /// The control plane stops waiting for candidate readers.
    SelectionDone {
        /// The selection probe's number.
        seq: u32,
    },
    /// The control plane's order to stop writing reaches an instance.
    Demote {
        /// The instance.
        inst: InstanceId,
    },
    /// An instance's database process has started.
    InstanceUp {
        /// The instance.
        inst: InstanceId,
        /// The process started.
        incarnation: u32,
    },
    /// A recovering writer's probe reaches a segment.
    RecoveryProbe {
        /// The segment.
        seg: SegmentId,
        /// The new epoch.
        epoch: u32,
    },
    /// A segment's answer reaches the recovering writer: segment, epoch,
    /// node incarnation, what it holds.
    RecoveryReply(Box<(SegmentId, u32, u32, RecoveryInfo)>),
    /// Recovery resends probes to PGs without a read quorum of answers.
    RecoveryRetry {
        /// The epoch being established.
        epoch: u32,
    },
    /// Storage tells a writer that its epoch is stale.
    Fenced {
        /// The stale epoch.
        epoch: u32,
    },
    /// The redo stream reaches a reader: VDL as of `at`.
    Replica {
        /// The reader.
        inst: InstanceId,
        /// When the writer's VDL reached the streamed value.
        at: SimTime,
    },
    /// A client's think, backoff or timeout timer.
    ClientTimer {
        /// The client.
        client: ClientId,
        /// The client step it belongs to.
        seq: u32,
    },
    /// A client's lookup reaches DNS.
    DnsQuery {
        /// The client.
        client: ClientId,
        /// Its step.
        seq: u32,
    },
    /// DNS answers a client.
    DnsAnswer {
        /// The client.
        client: ClientId,
        /// Its step.
        seq: u32,
        /// The host, or none (an empty answer).
        host: Option<InstanceId>,
    },
    /// A client's connection attempt reaches an instance.
    Connect {
        /// The client.
        client: ClientId,
        /// Its step.
        seq: u32,
        /// The instance.
        inst: InstanceId,
    },
    /// An instance answers a connection attempt.
    Connected {
        /// The client.
        client: ClientId,
        /// Its step.
        seq: u32,
        /// The instance.
        inst: InstanceId,
        /// The process that accepted, or none (refused).
        accepted: Option<u32>,
    },
    /// A client's request reaches an instance.
    Request {
        /// The client.
        client: ClientId,
        /// Its step.
        seq: u32,
        /// The instance.
        inst: InstanceId,
        /// The process the connection belongs to.
        incarnation: u32,
    },
    /// An instance's answer reaches a client.
    Response {
        /// The client.
        client: ClientId,
        /// Its step.
        seq: u32,
        /// The answer.
        answer: Answer,
    },
}

impl Event {
    /// Three words for the trace: a stable code (an index into
    /// [`EVENT_NAMES`]) and the two ids or LSNs that identify the event.
    fn words(&self) -> [u64; 3] {
        match self {
            Event::Tick => [kind::TICK, 0, 0],
            Event::Batch { seg, batch } => [kind::BATCH, seg.0 as u64, batch.last().0],
            Event::Ack { seg, scl, .. } => [kind::ACK, seg.0 as u64, scl.0],
            Event::ReadRequest(a) => [4, a.seg.0 as u64, a.read as u64],
            Event::ReadReply(a) => [5, a.seg.0 as u64, a.read as u64],
            Event::GossipTimer { seg } => [6, seg.0 as u64, 0],
            Event::GossipPull { to, since, .. } => [7, to.0 as u64, since.0],
            Event::GossipPush { to, .. } => [kind::GOSSIP_PUSH, to.0 as u64, 0],
            Event::Materialize { seg } => [9, seg.0 as u64, 0],
            Event::Maintenance => [10, 0, 0],
            Event::Sample => [11, 0, 0],
            Event::FaultStart(i) => [12, *i as u64, 0],
            Event::FaultEnd(i) => [13, *i as u64, 0],
            Event::RepairCheck { node, .. } => [14, node.0 as u64, 0],
            Event::RepairDone { pg } => [15, pg.0 as u64, 0],
            Event::HealthTick => [16, 0, 0],
            Event::HealthProbe { inst, seq } => [17, inst.0 as u64, *seq as u64],
            Event::HealthReply { inst, seq } => [18, inst.0 as u64, *seq as u64],
            Event::SelectionDone { seq } => [kind::SELECTION_DONE, *seq as u64, 0],
            Event::Demote { inst } => [20, inst.0 as u64, 0],
            Event::InstanceUp { inst, incarnation } => [21, inst.0 as u64, *incarnation as u64],
            Event::RecoveryProbe { seg, epoch } => {
                [kind::RECOVERY_PROBE, seg.0 as u64, *epoch as u64]
            }
            Event::RecoveryReply(r) => [23, r.0 .0 as u64, r.1 as u64],
            Event::RecoveryRetry { epoch } => [24, *epoch as u64, 0],
            Event::Fenced { epoch } => [kind::FENCED, *epoch as u64, 0],
            Event::Replica { inst, at } => [26, inst.0 as u64, at.as_nanos()],
            Event::ClientTimer { client, seq } => [27, client.0 as u64, *seq as u64],
            Event::DnsQuery { client, seq } => [28, client.0 as u64, *seq as u64],
            Event::DnsAnswer { client, seq, .. } => [29, client.0 as u64, *seq as u64],
            Event::Connect { client, seq, .. } => [30, client.0 as u64, *seq as u64],
            Event::Connected { client, seq, .. } => [31, client.0 as u64, *seq as u64],
            Event::Request { client, seq, .. } => [32, client.0 as u64, *seq as u64],
            Event::Response { client, seq, .. } => [33, client.0 as u64, *seq as u64],
        }
    }
}

/// Watches a run without changing it: shown the world after every event,
/// with the event's trace words (kind, then two operands: for storage
/// events the segment first).
pub trait Observer {
    /// Called after `event` was handled at `now`.
    fn after(&mut self, world: &World, now: SimTime, event: [u64; 3]);
}

/// Observes nothing.
impl Observer for () {
    #[inline]
    fn after(&mut self, _: &World, _: SimTime, _: [u64; 3]) {}
}

/// Event kinds, as the first of the words an [`Observer`] is shown.
pub mod kind {
    /// The writer's group-commit tick.
    pub const TICK: u64 = 1;
    /// A batch of records reaches a segment (operands: segment, last LSN).
    pub const BATCH: u64 = 2;
    /// A segment's acknowledgement reaches a writer (segment, SCL).
    pub const ACK: u64 = 3;
    /// A gossip payload reaches a segment (segment).
    pub const GOSSIP_PUSH: u64 = 8;
    /// Failover: the control plane has chosen a target.
    pub const SELECTION_DONE: u64 = 19;
    /// A recovery probe reaches a segment (segment, epoch).
    pub const RECOVERY_PROBE: u64 = 22;
    /// A segment tells a writer it was fenced.
    pub const FENCED: u64 = 25;
}

/// The name of an event kind, by the first word of [`Observer::after`].
pub fn event_name(kind: u64) -> &'static str {
    EVENT_NAMES[kind as usize]
}

/// Event names by code, for the JSON-lines trace.
const EVENT_NAMES: [&str; 34] = [
    "",
    "tick",
    "batch",
    "ack",
    "read_request",
    "read_reply",
    "gossip_timer",
    "gossip_pull",
    "gossip_push",
    "materialize",
    "maintenance",
    "sample",
    "fault_start",
    "fault_end",
    "repair_check",
    "repair_done",
    "health_tick",
    "health_probe",
    "health_reply",
    "selection_done",
    "demote",
    "instance_up",
    "recovery_probe",
    "recovery_reply",
    "recovery_retry",
    "fenced",
    "replica",
    "client_timer",
    "dns_query",
    "dns_answer",
    "connect",
    "connected",
    "request",
    "response",
];

/// A page read as sent to one segment.
#[derive(Debug, Clone, Copy)]
pub struct ReadAsk {
    /// The segment asked.
    pub seg: SegmentId,
    /// The asking writer's epoch.
    pub epoch: u32,
    /// The writer's read slot.
    pub read: u32,
    /// The attempt this request belongs to.
    pub attempt: u32,
    /// Page within the PG.
    pub page: u32,
    /// Read point.
    pub point: Lsn,
    /// The PG's last record at or below the read point.
    pub need: Lsn,
}

/// A segment's answer to a [`ReadAsk`].
#[derive(Debug, Clone, Copy)]
pub struct ReadAnswer {
    /// The asking writer's epoch.
    pub epoch: u32,
    /// The writer's read slot.
    pub read: u32,
    /// The attempt answered.
    pub attempt: u32,
    /// The answering segment.
    pub seg: SegmentId,
    /// The answer.
    pub result: ReadResult,
}

/// Random stream numbers. Node disks use `DISK_BASE + node id`.
mod streams {
    pub const WORKLOAD: u64 = 1;
    pub const NETWORK: u64 = 2;
    pub const GOSSIP: u64 = 3;
    pub const CONTROL: u64 = 4;
    pub const DNS: u64 = 5;
    pub const APP_NETWORK: u64 = 6;
    pub const DISK_BASE: u64 = 1 << 32;
    pub const CLIENT_BASE: u64 = 2 << 32;
}

/// The simulated cluster and its clock.
#[derive(Debug)]
pub struct World {
    pub(crate) engine: Engine<Event>,
    pub(crate) scenario: Scenario,
    pub(crate) volume: Volume,
    pub(crate) net: Network,
    /// The writer of the newest epoch (closed while it recovers, or once
    /// its instance is gone).
    pub(crate) writer: Writer,
    /// Writers of older epochs, oldest first, kept until a recovery has
    /// settled what became of their records; one whose instance still runs
    /// keeps acting (fenced by its epoch) until it learns it was replaced.
    pub(crate) deposed: Vec<Writer>,
    /// The newest volume epoch handed out.
    pub(crate) latest_epoch: u32,
    /// Truncations recovery recorded: (epoch, recovered VDL, resume LSN);
    /// no LSN strictly between the last two exists.
    pub(crate) fences: Vec<(u32, Lsn, Lsn)>,
    /// Recovery in progress.
    pub(crate) recovery: Option<Recovery>,
    /// DB instances, in scenario order.
    pub(crate) instances: Vec<Instance>,
    /// The control plane.
    pub(crate) control: ControlPlane,
    /// The endpoints' records.
    pub(crate) dns: Dns,
    dns_rng: SimRng,
    /// Application clients.
    pub(crate) clients: Vec<Client>,
    /// For each `writer_crash` fault, the instance it took down.
    crashed_writers: Vec<Option<InstanceId>>,
    /// The committed truth: every record VDL passed, folded into its page.
    /// An oracle of the simulation, not part of any instance.
    pub(crate) truth: PageMap,
    /// Commits the background workload offered.
    pub(crate) offered: u64,
    workload_rng: SimRng,
    disk: LogNormal,
    disks: Vec<SimRng>,
    gossip_rng: SimRng,
    pub(crate) rec: Recorder,
    pub(crate) trace: Trace,
    end: SimTime,
    bin_start: SimTime,
    commits_per_tick: Option<Poisson<f64>>,
    reads_per_tick: Option<Poisson<f64>>,
    working_set: workload::WorkingSet,
}

impl World {
    /// Builds the world a validated scenario describes, at time zero.
    pub fn new(scenario: &Scenario, trace: Trace) -> Self {
        let sc = scenario.clone();
        let rngs = RngFactory::new(sc.seed);
        let azs = sc.topology.azs.len();
        let volume = Volume::new(
            sc.storage.pgs,
            azs,
            sc.topology.nodes_per_az,
            sc.storage.quorum,
        );
        let points = LsnPoints::new(sc.storage.pgs, sc.storage.lsn_allocation_limit);
        let instances: Vec<Instance> = sc.instances.iter().map(Instance::new).collect();
        let first = InstanceId::from_index(
            sc.instances
                .iter()
                .position(|i| i.writer)
                .expect("validated: one writer"),
        );
        let mut writer = Writer::new(first, 1, 1, points, volume.pgs.len(), volume.segments.len());
        writer.open = true;
        let readers = (0..instances.len())
            .map(InstanceId::from_index)
            .filter(|i| instances[i.index()].serving_reads())
            .collect();
        let net = Network::new(
            sc.network.clone(),
            (
                rngs.stream(StreamId(streams::NETWORK)),
                rngs.stream(StreamId(streams::APP_NETWORK)),
            ),
            azs,
            volume.nodes.len(),
            instances.len(),
        );
        let mut clients = Vec::new();
        for (g, cfg) in sc.clients.iter().enumerate() {
            for _ in 0..cfg.count {
                let stream = StreamId(streams::CLIENT_BASE + clients.len() as u64);
                clients.push(Client::new(g, cfg, rngs.stream(stream)));
            }
        }
        let disks = (0..volume.nodes.len() as u64)
            .map(|n| rngs.stream(StreamId(streams::DISK_BASE + n)))
            .collect();
        let tick = sc.workload.group_commit_interval.as_secs_f64();
        let per_tick = |rate: f64| Poisson::new(rate * tick).ok();
        let disk = LogNormal::new(sc.storage.disk_latency, sc.storage.disk_jitter);
        let mut world = World {
            engine: Engine::new(),
            end: SimTime::ZERO + sc.duration,
            bin_start: SimTime::ZERO,
            commits_per_tick: per_tick(sc.workload.commits_per_s),
            reads_per_tick: per_tick(sc.workload.reads_per_s),
            working_set: workload::WorkingSet::new(
                sc.workload.working_set_pages,
                sc.workload.pages_per_pg,
                sc.storage.pgs,
            ),
            rec: Recorder::new(sc.metrics.bin, sc.metrics.stall_threshold),
            gossip_rng: rngs.stream(StreamId(streams::GOSSIP)),
            control: ControlPlane::new(first, rngs.stream(StreamId(streams::CONTROL))),
            dns: Dns {
                cluster: Record::new(vec![first]),
                reader: Record::new(readers),
            },
            dns_rng: rngs.stream(StreamId(streams::DNS)),
            clients,
            crashed_writers: vec![None; sc.faults.len()],
            instances,
            truth: PageMap::default(),
            offered: 0,
            workload_rng: rngs.stream(StreamId(streams::WORKLOAD)),
            scenario: sc,
            volume,
            net,
            writer,
            deposed: Vec::new(),
            latest_epoch: 1,
            fences: Vec::new(),
            recovery: None,
            disk,
            disks,
            trace,
        };
        world.schedule_start();
        world
    }

    fn schedule_start(&mut self) {
        let sc = &self.scenario;
        self.engine.at(SimTime::ZERO, Event::Tick);
        self.engine
            .after(sc.workload.write_retry_interval, Event::Maintenance);
        self.engine.after(sc.metrics.bin, Event::Sample);
        self.engine
            .after(sc.control.health_check_interval, Event::HealthTick);
        // Clients start spread over their first think time.
        for c in 0..self.clients.len() {
            let think = self.scenario.clients[self.clients[c].group].think_time;
            let start = self.clients[c].start_delay(think);
            self.engine.after(
                start,
                Event::ClientTimer {
                    client: ClientId::from_index(c),
                    seq: 0,
                },
            );
        }
        for (i, f) in sc.faults.iter().enumerate() {
            self.engine.at(f.at, Event::FaultStart(i as u32));
            if let Some(d) = f.duration {
                self.engine.at(f.at + d, Event::FaultEnd(i as u32));
            }
        }
    }

    /// Runs to the end of the scenario, showing `observer` the world after
    /// every event.
    pub fn run(&mut self, observer: &mut impl Observer) {
        while let Some(ev) = self.engine.next(self.end) {
            let now = self.engine.now();
            let words = ev.words();
            self.trace.event(now, &words);
            if self.trace.is_writing() {
                self.trace.line(format_args!(
                    "{{\"t_ns\":{},\"event\":\"{}\",\"a\":{},\"b\":{}}}",
                    now.as_nanos(),
                    EVENT_NAMES[words[0] as usize],
                    words[1],
                    words[2]
                ));
            }
            self.dispatch(ev);
            observer.after(self, now, words);
        }
        if self.end > self.bin_start {
            self.close_bin();
        }
        let (c, r) = (
            self.writer.oldest_waiting_commit(),
            self.writer.oldest_waiting_read(),
        );
        self.rec.unfinished(self.end, c, r);
        self.control.finish();
    }

    fn dispatch(&mut self, ev: Event) {
        match ev {
            Event::Tick => self.on_tick(),
            Event::Batch { seg, batch } => self.on_batch(seg, batch),
            Event::Ack {
                seg,
                scl,
                incarnation,
                epoch,
            } => self.as_writer(epoch, |w| w.on_ack(seg, scl, incarnation)),
            Event::ReadRequest(ask) => self.on_read_request(*ask),
            Event::ReadReply(a) => self.as_writer(a.epoch, |w| {
                w.on_read_reply(a.read, a.attempt, a.seg, a.result)
            }),
            Event::GossipTimer { seg } => self.on_gossip_timer(seg),
            Event::GossipPull {
                to,
                from,
                since,
                epoch,
            } => self.on_gossip_pull(to, from, since, epoch),
            Event::GossipPush { to, payload, cut } => self.on_gossip_push(to, *payload, cut),
            Event::Materialize { seg } => self.on_materialize(seg),
            Event::Maintenance => self.on_maintenance(),
            Event::Sample => {
                self.close_bin();
                self.engine.after(self.scenario.metrics.bin, Event::Sample);
            }
            Event::FaultStart(i) => self.apply_fault(i as usize, true),
            Event::FaultEnd(i) => self.apply_fault(i as usize, false),
            Event::RepairCheck { node, incarnation } => self.on_repair_check(node, incarnation),
            Event::RepairDone { pg } => self.on_repair_done(pg),
            Event::HealthTick => self.on_health_tick(),
            Event::HealthProbe { inst, seq } => self.on_health_probe(inst, seq),
            Event::HealthReply { inst, seq } => self.on_health_reply(inst, seq),
            Event::SelectionDone { seq } => self.on_selection_done(seq),
            Event::Demote { inst } => self.on_demote(inst),
            Event::InstanceUp { inst, incarnation } => self.on_instance_up(inst, incarnation),
            Event::RecoveryProbe { seg, epoch } => self.on_recovery_probe(seg, epoch),
            Event::RecoveryReply(r) => {
                let (seg, epoch, incarnation, info) = *r;
                self.on_recovery_reply(seg, epoch, incarnation, info);
            }
            Event::RecoveryRetry { epoch } => self.on_recovery_retry(epoch),
            Event::Fenced { epoch } => self.on_fenced(epoch),
            Event::Replica { inst, at } => self.on_replica(inst, at),
            Event::ClientTimer { client, seq } => self.on_client_timer(client, seq),
            Event::DnsQuery { client, seq } => self.on_dns_query(client, seq),
            Event::DnsAnswer { client, seq, host } => self.on_dns_answer(client, seq, host),
            Event::Connect { client, seq, inst } => self.on_connect(client, seq, inst),
            Event::Connected {
                client,
                seq,
                inst,
                accepted,
            } => self.on_connected(client, seq, inst, accepted),
            Event::Request {
                client,
                seq,
                inst,
                incarnation,
            } => self.on_request(client, seq, inst, incarnation),
            Event::Response {
                client,
                seq,
                answer,
            } => self.on_response(client, seq, answer),
        }
    }

    fn close_bin(&mut self) {
        let waiting = self.writer.waiting();
        let vdl = self.last_points().vdl().0;
        let lag: Vec<u64> = self
            .instances
            .iter_mut()
            .map(|i| std::mem::take(&mut i.lag_bin_max))
            .collect();
        let writer = self.writer_alive() && self.writer.open;
        let writer = writer.then_some(self.writer.instance.0);
        self.rec
            .close_bin(self.bin_start, waiting, vdl, &lag, writer);
        self.bin_start = self.engine.now();
    }

    // ----- writers: the current one and deposed ones ----------------------

    /// Runs `f` as the writer of `epoch`: the current writer, or a deposed
    /// one that is still running (swapped in for the call, so that every
    /// writer runs the same code). Messages for a writer whose process is
    /// gone are dropped.
    fn as_writer(&mut self, epoch: u32, f: impl FnOnce(&mut World)) {
        if epoch == self.writer.epoch {
            if self.writer_alive() {
                f(self);
            }
            return;
        }
        let Some(i) = self
            .deposed
            .iter()
            .position(|w| w.epoch == epoch && w.alive(&self.instances))
        else {
            return;
        };
        std::mem::swap(&mut self.writer, &mut self.deposed[i]);
        f(self);
        std::mem::swap(&mut self.writer, &mut self.deposed[i]);
    }

    /// Whether the current writer's process is running.
    pub(crate) fn writer_alive(&self) -> bool {
        self.writer.alive(&self.instances)
    }

    /// Every writer: the current one first, then the deposed ones.
    pub(crate) fn writers(&self) -> impl Iterator<Item = &Writer> {
        std::iter::once(&self.writer).chain(&self.deposed)
    }

    /// The same, mutably.
    pub(crate) fn writers_mut(&mut self) -> impl Iterator<Item = &mut Writer> {
        std::iter::once(&mut self.writer).chain(&mut self.deposed)
    }

    /// The epoch of the writer running on `inst`, if one is.
    fn writer_of(&self, inst: InstanceId) -> Option<u32> {
        self.writers()
            .find(|w| w.instance == inst && w.alive(&self.instances))
            .map(|w| w.epoch)
    }

    /// A client's write reaches the writer of `epoch`. An open writer
    /// queues it as a commit; one still recovering refuses it.
    fn client_commit(&mut self, epoch: u32, c: ClientId, seq: u32) {
        let now = self.engine.now();
        self.as_writer(epoch, |w| {
            let inst = w.writer.instance;
            if w.writer.open {
                w.writer.backlog.push_back((now, Some((c, seq))));
                w.admit_commits();
                w.ship();
            } else {
                w.answer_client(inst, c, seq, Answer::Failed(ClientError::Refused));
            }
        });
    }

    /// The writer's process is gone or restarting: it takes no more
    /// commits, and those it held are never answered.
    pub(crate) fn close_writer(&mut self) {
        self.abandon_waiting();
        let w = &mut self.writer;
        w.open = false;
        w.commits.clear();
        w.backlog.clear();
        w.reads.clear();
        w.free_reads.clear();
        self.recovery = None;
    }

    /// The workload gives up on what the current writer holds: the time it
    /// waited beyond the stall threshold counts as unavailable.
    fn abandon_waiting(&mut self) {
        let now = self.engine.now();
        let (c, r) = (
            self.writer.oldest_waiting_commit(),
            self.writer.oldest_waiting_read(),
        );
        self.rec.unfinished(now, c, r);
    }

    /// Storage refused a batch of `epoch`: its writer steps down.
    fn on_fenced(&mut self, epoch: u32) {
        let stale = self
            .deposed
            .iter()
            .find(|w| w.epoch == epoch && w.alive(&self.instances))
            .map(|w| w.instance);
        if let Some(inst) = stale {
            self.step_down(inst);
        }
    }

    /// The instance endpoint of the writer of `epoch`, if it is known.
    fn epoch_endpoint(&self, epoch: u32) -> Option<Endpoint> {
        self.writers()
            .find(|w| w.epoch == epoch)
            .map(|w| self.instance_endpoint(w.instance))
    }

    // ----- endpoints and delays -------------------------------------------

    fn writer_endpoint(&self) -> Endpoint {
        self.instance_endpoint(self.writer.instance)
    }

    fn seg_endpoint(&self, seg: SegmentId) -> Endpoint {
        endpoint(&self.volume, seg)
    }

    /// Sends `event` from `from` to `to`, leaving at `depart` (now, or
    /// later when the sender first has work to finish, such as a persist).
    /// The network decides the delay, or drops the message.
    #[inline]
    fn send(&mut self, depart: SimTime, from: Endpoint, to: Endpoint, event: Event) {
        deliver(&mut self.net, &mut self.engine, depart, from, to, event);
    }

    fn seg_up(&self, seg: SegmentId) -> bool {
        self.volume.node_of(seg).up
    }

    /// Draws a disk service time for the segment's node.
    fn disk_time(&mut self, seg: SegmentId) -> SimDuration {
        let node = self.volume.segments[seg.index()].node.index();
        let slow = self.volume.nodes[node].slowness;
        let d = self.disk.sample(&mut self.disks[node]);
        if slow > 1.0 {
            d.mul_f64(slow)
        } else {
            d
        }
    }

    // ----- the writer ------------------------------------------------------

    /// The group-commit tick. The background workload offers its commits
    /// and reads to the writer; with no open writer they are refused, and
    /// the tick's interval counts as unavailable.
    fn on_tick(&mut self) {
        let now = self.engine.now();
        let interval = self.scenario.workload.group_commit_interval;
        self.engine.after(interval, Event::Tick);
        let open = self.writer.open && self.writer_alive();
        if let Some(dist) = self.commits_per_tick {
            let n = dist.sample(&mut self.workload_rng) as u64;
            self.offered += n;
            if !open {
                self.rec.refused_writes(now, interval);
            } else {
                for _ in 0..n {
                    let back = self
                        .workload_rng
                        .random_range(0..interval.as_nanos().max(1));
                    let arrival = SimTime::from_nanos(now.as_nanos().saturating_sub(back));
                    self.writer.backlog.push_back((arrival, None));
                }
            }
        }
        if !open {
            if self.reads_per_tick.is_some() {
                self.rec.refused_reads(now, interval);
            }
            return;
        }
        self.admit_commits();
        if let Some(dist) = self.reads_per_tick {
            let n = dist.sample(&mut self.workload_rng) as u64;
            for _ in 0..n {
                self.issue_read();
            }
        }
        self.ship();
        self.stream_to_readers();
    }

    /// Allocates LSNs for waiting commits while VDL + LAL allows.
    fn admit_commits(&mut self) {
        let rpc = self.scenario.workload.records_per_commit;
        let ws = self.working_set;
        while let Some(&(arrival, origin)) = self.writer.backlog.front() {
            if !self.writer.points.can_allocate(rpc as u64) {
                break;
            }
            self.writer.backlog.pop_front();
            let mut last = Lsn(0);
            for r in 0..rpc {
                let (pg, page) = ws.locate(self.workload_rng.random_range(0..ws.pages()));
                let (record, prev) = self.writer.points.allocate(pg, page, r + 1 == rpc);
                self.writer.buffer(pg, record, prev);
                last = record.lsn;
            }
            self.writer.commits.push_back(Commit {
                lsn: last,
                arrival,
                origin,
            });
        }
    }

    /// Group commit ("boxcar"): each PG has at most one batch in flight.
    /// A PG with nothing in flight gets its buffered records now; the others
    /// keep buffering, and ship from [`World::on_ack`] the moment their
    /// batch in flight becomes durable. Under load, batches grow instead of
    /// multiplying.
    fn ship(&mut self) {
        let touched = std::mem::take(&mut self.writer.touched);
        let mut waiting = Vec::new();
        for &pg in &touched {
            if self.writer.buffers[pg.index()].1.is_empty() {
                self.writer.listed[pg.index()] = false;
            } else if self.writer.points.pgcl(pg) >= self.writer.shipped[pg.index()] {
                self.writer.listed[pg.index()] = false;
                self.ship_pg(pg);
            } else {
                waiting.push(pg);
            }
        }
        self.writer.touched = waiting;
    }

    /// Ships one PG's buffered records as a batch to all its segments.
    fn ship_pg(&mut self, pg: PgId) {
        let buf = &mut self.writer.buffers[pg.index()];
        if buf.1.is_empty() {
            return;
        }
        // Leave a buffer of the same size behind: the next batch is likely
        // as large, and growing from empty costs more than the records.
        let capacity = buf.1.len();
        let records = std::mem::replace(&mut buf.1, Vec::with_capacity(capacity));
        let prev = buf.0;
        let batch = self.writer.batch(pg, prev, records);
        self.writer.shipped[pg.index()] = batch.last();
        self.send_batch(&batch, None);
    }

    /// Sends a batch to its PG's write targets (only those whose
    /// acknowledged SCL is below `behind`, when given).
    fn send_batch(&mut self, batch: &Arc<Batch>, behind: Option<Lsn>) {
        let (now, from) = (self.engine.now(), self.writer_endpoint());
        for seg in self.volume.pgs[batch.pg.index()].write_targets() {
            if behind.is_some_and(|l| self.writer.acked_scl[seg.index()] >= l) {
                continue;
            }
            let event = Event::Batch {
                seg,
                batch: batch.clone(),
            };
            let to = endpoint(&self.volume, seg);
            deliver(&mut self.net, &mut self.engine, now, from, to, event);
        }
    }

    fn on_ack(&mut self, seg: SegmentId, scl: Lsn, incarnation: u32) {
        if self.volume.node_of(seg).incarnation != incarnation {
            return;
        }

        let acked = &mut self.writer.acked_scl[seg.index()];
        if scl <= *acked {
            return;
        }
        *acked = scl;
        let pg = self.volume.segments[seg.index()].pg;
        // An SCL at or below PGCL cannot move it; most acks after the
        // fourth of a batch end here.
        if scl <= self.writer.points.pgcl(pg) || !self.volume.is_write_target(seg) {
            return;
        }
        let acked = &self.writer.acked_scl;
        let durable = self.volume.durable_lsn(pg, |s| acked[s.index()]);
        if self.writer.points.set_durable(pg, durable) {
            self.writer.last_progress[pg.index()] = self.engine.now();
            if durable >= self.writer.shipped[pg.index()] {
                self.ship_pg(pg);
            }
            self.advance_vdl();
        }
    }

    /// Moves VCL/VDL, folds passed records into the truth, acknowledges
    /// commits, and admits commits the LAL was holding back.
    fn advance_vdl(&mut self) {
        let ws = self.working_set;
        let truth = &mut self.truth;
        // A superseded writer's records are not the truth: recovery has
        // already decided what of them survives.
        let current = self.writer.superseded_at.is_none();
        let moved = self.writer.points.advance(|r| {
            if current {
                truth.apply(ws.index(r.pg, r.page), r.lsn)
            }
        });
        if !moved {
            return;
        }
        let now = self.engine.now();
        self.writer.vdl_at = now;
        let vdl = self.writer.points.vdl();
        while let Some(&c) = self.writer.commits.front() {
            if c.lsn > vdl {
                break;
            }
            self.writer.commits.pop_front();
            if self.writer.superseded_at.is_some_and(|t| c.lsn > t) {
                self.rec.split_brain_commits += 1;
            }
            self.rec.commit(now, c.arrival);
            if let Some((client, seq)) = c.origin {
                self.answer_client(self.writer.instance, client, seq, Answer::Ok);
            }
        }
        if !self.writer.backlog.is_empty() {
            self.admit_commits();
        }
    }

    fn issue_read(&mut self) {
        let i = self.workload_rng.random_range(0..self.working_set.pages());
        let (pg, page) = self.working_set.locate(i);
        let now = self.engine.now();
        let read = PendingRead {
            pg,
            page,
            point: self.writer.points.vdl(),
            need: self.writer.points.last_record_below_vdl(pg),
            expected: self.truth.get(i),
            issued: now,
            attempt: 0,
            seg: None,
            sent_at: now,
        };
        let slot = self.writer.add_read(read);
        self.dispatch_read(slot);
    }

    /// Sends (or resends) a read to one segment whose acknowledged SCL
    /// covers the read point, preferring the writer's own AZ ([P17] §4.2.3:
    /// no quorum read; the writer picks a complete segment).
    fn dispatch_read(&mut self, slot: u32) {
        let now = self.engine.now();
        let Some(r) = self.writer.reads[slot as usize].as_ref() else {
            return;
        };
        let (pg, point, need, page) = (r.pg, r.point, r.need, r.page);
        let home = self.instances[self.writer.instance.index()].az;
        let mut choice: Option<(bool, SegmentId)> = None;
        for &s in &self.volume.pgs[pg.index()].members {
            if self.writer.acked_scl[s.index()] < need
                || self.writer.avoid_until[s.index()] > now
                || !self.volume.segments[s.index()].hydrated
            {
                continue;
            }
            let remote = self.volume.node_of(s).az != home;
            if choice.is_none_or(|(best_remote, _)| best_remote && !remote) {
                choice = Some((remote, s));
            }
        }
        let r = self.writer.reads[slot as usize].as_mut().expect("checked");
        r.attempt += 1;
        r.sent_at = now;
        r.seg = choice.map(|c| c.1);
        let attempt = r.attempt;
        if attempt > 1 {
            self.rec.read_retries += 1;
        }
        let Some((_, seg)) = choice else {
            return;
        };
        let ask = ReadAsk {
            seg,
            epoch: self.writer.epoch,
            read: slot,
            attempt,
            page,
            point,
            need,
        };
        let (from, to) = (self.writer_endpoint(), self.seg_endpoint(seg));
        self.send(now, from, to, Event::ReadRequest(Box::new(ask)));
    }

    fn on_read_reply(&mut self, slot: u32, attempt: u32, seg: SegmentId, result: ReadResult) {
        let now = self.engine.now();
        // The slot may be gone: a deposed writer drops its reads.
        let current = self
            .writer
            .reads
            .get(slot as usize)
            .and_then(Option::as_ref)
            .is_some_and(|r| r.attempt == attempt);
        if !current {
            return;
        }
        match result {
            ReadResult::Page(content) => {
                let r = self.writer.finish_read(slot).expect("current read");
                self.rec.read(now, r.issued, content == r.expected);
            }
            ReadResult::Incomplete => {
                self.writer.avoid_until[seg.index()] =
                    now + self.scenario.workload.storage_read_timeout;
                self.dispatch_read(slot);
            }
        }
    }

    /// Housekeeping of every running writer: the current one and any
    /// deposed one that has not yet learned of its successor.
    fn on_maintenance(&mut self) {
        let retry = self.scenario.workload.write_retry_interval;
        self.engine.after(retry, Event::Maintenance);
        let epochs: Vec<u32> = self.writers().filter(|w| w.open).map(|w| w.epoch).collect();
        for epoch in epochs {
            self.as_writer(epoch, World::writer_maintenance);
        }
    }

    fn writer_maintenance(&mut self) {
        let now = self.engine.now();
        let wl = &self.scenario.workload;
        let (timeout, retry) = (wl.storage_read_timeout, wl.write_retry_interval);
        // Reads that got no answer: avoid that segment for a while, retry.
        for slot in 0..self.writer.reads.len() as u32 {
            let Some(r) = self.writer.reads[slot as usize].as_ref() else {
                continue;
            };
            if r.seg.is_none() || now.since(r.sent_at) >= timeout {
                if let Some(s) = r.seg {
                    self.writer.avoid_until[s.index()] = now + timeout * SILENT_SEGMENT_AVOID;
                }
                self.dispatch_read(slot);
            }
        }
        // PGs whose pending records made no progress: resend to the
        // segments that have not acknowledged them.
        for p in 0..self.volume.pgs.len() {
            let pg = PgId::from_index(p);
            let pending = self.writer.points.pending(pg);
            if pending.len() == 0 || now.since(self.writer.last_progress[p]) < retry {
                continue;
            }
            let records: Vec<_> = pending.take(RESEND_MAX).copied().collect();
            let last = records.last().expect("non-empty").lsn;
            let batch = self
                .writer
                .batch(pg, self.writer.points.pending_prev(pg), records);
            self.rec.records_resent += batch.records.len() as u64;
            self.send_batch(&batch, Some(last));
            self.writer.last_progress[p] = now;
        }
        // A commit waiting beyond the threshold: name the PG pinning VCL.
        if let Some(oldest) = self.writer.commits.front().map(|c| c.arrival) {
            // Only a writer the control plane counts healthy: one cut off
            // from all storage is not held back by any one PG.
            let healthy = self.control.impaired_at.is_none() && self.writer.superseded_at.is_none();
            if now.since(oldest) > self.rec.threshold() && healthy {
                if let Some(pg) = self.writer.points.vcl_blocker() {
                    self.rec.vcl_blockers.insert(pg.0);
                }
            }
        }
    }

    // ----- segments --------------------------------------------------------

    fn on_batch(&mut self, seg: SegmentId, batch: Arc<Batch>) {
        if !self.seg_up(seg) {
            return;
        }
        let epoch = batch.epoch;
        self.adopt_fences(seg, epoch);
        let accept = self.volume.segments[seg.index()].receive(batch);
        match accept {
            Accept::StaleEpoch => {
                // Tell the sender its epoch is over ([P18]: fencing).
                self.rec.stale_epoch_refusals += 1;
                if let Some(to) = self.epoch_endpoint(epoch) {
                    let now = self.engine.now();
                    self.send(now, self.seg_endpoint(seg), to, Event::Fenced { epoch });
                }
            }
            Accept::Gap => self.arm_gossip(seg),
            Accept::Duplicate(_) | Accept::Appended(_) => self.persist_and_ack(seg),
        }
    }

    /// Persists what the segment holds and acknowledges its SCL once done.
    /// A duplicate (a resend the segment already holds) needs no disk write:
    /// it is acknowledged once the persists already under way complete.
    fn persist_and_ack(&mut self, seg: SegmentId) {
        let now = self.engine.now();
        let done = if self.volume.segments[seg.index()].needs_persist() {
            let service = self.disk_time(seg);
            self.volume.segments[seg.index()].persist(now, service)
        } else {
            self.volume.segments[seg.index()].persisted_by(now)
        };
        let s = &self.volume.segments[seg.index()];
        // The ack goes to the writer of the segment's epoch.
        let (scl, epoch) = (s.scl(), s.epochs().0);
        if s.has_log() {
            self.arm_materialize(seg);
        }
        let incarnation = self.volume.node_of(seg).incarnation;
        let Some(to) = self.epoch_endpoint(epoch) else {
            return;
        };
        let ack = Event::Ack {
            seg,
            scl,
            incarnation,
            epoch,
        };
        self.send(done, self.seg_endpoint(seg), to, ack);
    }

    /// Schedules the segment's next background materialization, unless one
    /// is already pending.
    #[inline]
    fn arm_materialize(&mut self, seg: SegmentId) {
        let s = &mut self.volume.segments[seg.index()];
        if !s.materialize_armed {
            s.materialize_armed = true;
            let interval = self.scenario.storage.materialize_interval;
            self.engine.after(interval, Event::Materialize { seg });
        }
    }

    fn arm_gossip(&mut self, seg: SegmentId) {
        let s = &mut self.volume.segments[seg.index()];
        if s.hydrated && !s.gossip_armed {
            s.gossip_armed = true;
            self.engine.after(
                self.scenario.storage.gossip_interval,
                Event::GossipTimer { seg },
            );
        }
    }

    fn on_gossip_timer(&mut self, seg: SegmentId) {
        self.volume.segments[seg.index()].gossip_armed = false;
        if !self.seg_up(seg) || !self.volume.segments[seg.index()].has_gap() {
            return;
        }
        let pg = self.volume.segments[seg.index()].pg;
        let peers: Vec<SegmentId> = self.volume.pgs[pg.index()]
            .members
            .iter()
            .copied()
            .filter(|&p| p != seg)
            .collect();
        if let Some(&peer) = peers.get(self.gossip_rng.random_range(0..peers.len().max(1))) {
            let s = &self.volume.segments[seg.index()];
            let pull = Event::GossipPull {
                to: peer,
                from: seg,
                since: s.scl(),
                epoch: s.epochs().1,
            };
            let now = self.engine.now();
            self.send(now, self.seg_endpoint(seg), self.seg_endpoint(peer), pull);
        }
        self.arm_gossip(seg);
    }

    fn on_gossip_pull(&mut self, to: SegmentId, from: SegmentId, since: Lsn, epoch: u32) {
        if !self.seg_up(to) {
            return;
        }
        self.adopt_fences(to, epoch);
        let peer = &self.volume.segments[to.index()];
        let Some(payload) = peer.gossip_for(since) else {
            return;
        };
        let push = Event::GossipPush {
            to: from,
            payload: Box::new(payload),
            cut: peer.epochs().1,
        };
        let now = self.engine.now();
        self.send(now, self.seg_endpoint(to), self.seg_endpoint(from), push);
    }

    fn on_gossip_push(&mut self, to: SegmentId, payload: GossipPayload, cut: u32) {
        // Records from a peer that has not applied a truncation this
        // segment has may be ones that truncation removed.
        if !self.seg_up(to) || self.volume.segments[to.index()].epochs().1 > cut {
            return;
        }
        if self.volume.segments[to.index()].merge(payload).is_some() {
            self.rec.gossip_fills += 1;
            self.persist_and_ack(to);
        }
    }

    fn on_materialize(&mut self, seg: SegmentId) {
        let now = self.engine.now();
        let s = &mut self.volume.segments[seg.index()];
        s.materialize_armed = false;
        if !self.volume.nodes[s.node.index()].up {
            return;
        }
        s.materialize(now);
        if s.can_materialize_more() {
            self.arm_materialize(seg);
        }
    }

    fn on_read_request(&mut self, ask: ReadAsk) {
        let ReadAsk {
            seg,
            epoch,
            read,
            attempt,
            page,
            point,
            need,
        } = ask;
        if !self.seg_up(seg) {
            return;
        }
        let result = self.volume.segments[seg.index()].read(page, point, need);
        let done = self.engine.now() + self.disk_time(seg);
        let reply = Event::ReadReply(Box::new(ReadAnswer {
            epoch,
            read,
            attempt,
            seg,
            result,
        }));
        let Some(to) = self.epoch_endpoint(epoch) else {
            return;
        };
        self.send(done, self.seg_endpoint(seg), to, reply);
    }

    /// Counts PGs whose running, reachable, hydrated members fall below the
    /// write and read quorum.
    pub(crate) fn update_quorum_health(&mut self) {
        let (w, r) = (self.volume.quorum.write(), self.volume.quorum.read());
        let (mut below_w, mut below_r) = (0, 0);
        // As the writer sees them; with no writer, as any instance could.
        let writer = if self.writer_alive() {
            self.writer_endpoint()
        } else {
            Endpoint::Control
        };
        for g in &self.volume.pgs {
            let live = g
                .members
                .iter()
                .filter(|&&s| {
                    self.volume.is_live(s) && self.net.reachable(writer, self.seg_endpoint(s))
                })
                .count() as u32;
            below_w += u32::from(live < w);
            below_r += u32::from(live < r);
        }
        self.rec.quorum_health(below_w, below_r);
    }

    /// The points of the newest writer that finished its recovery: what
    /// was acknowledged last, even while a successor is still recovering.
    pub(crate) fn last_points(&self) -> &LsnPoints {
        self.writers()
            .filter(|w| w.points.recovered())
            .max_by_key(|w| w.epoch)
            .map_or(&self.writer.points, |w| &w.points)
    }

    /// What recovery could rebuild from the storage left at the end.
    pub(crate) fn recoverable_vdl(&mut self) -> Lsn {
        let points = self.last_points().clone();
        storage::recovery::recoverable_vdl(
            &mut self.volume,
            &points,
            self.scenario.workload.records_per_commit as u64,
            self.engine.now(),
        )
    }
}

/// The network end of a segment: its node, in the node's AZ.
fn endpoint(volume: &Volume, seg: SegmentId) -> Endpoint {
    let node = volume.segments[seg.index()].node;
    Endpoint::Node(node, volume.nodes[node.index()].az)
}

/// Puts a message on the network: it arrives after the network's delay
/// from `depart`, or never. A free function so that callers can hold other
/// parts of the world borrowed while they send.
#[inline]
fn deliver(
    net: &mut Network,
    engine: &mut Engine<Event>,
    depart: SimTime,
    from: Endpoint,
    to: Endpoint,
    event: Event,
) {
    if let Some(d) = net.delay(from, to) {
        engine.at(depart + d, event);
    }
}

/// A segment that did not answer a read within the timeout is avoided for
/// this many timeouts: long enough not to keep hitting a dead node, short
/// enough to use it again soon after it returns. (One that answers
/// "incomplete" is only behind, and is avoided for one timeout.)
const SILENT_SEGMENT_AVOID: u64 = 10;

/// Most records one resend carries; later resends carry the rest. It bounds
/// the copy a stalled PG costs every retry interval (about 50 KiB) while a
/// few resends cover seconds of records at the default rates.
const RESEND_MAX: usize = 4096;
