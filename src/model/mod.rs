//! The Aurora world: storage nodes and their segments, the writer, and the
//! network between them, driven by one event queue.
//!
//! Every interaction is an [`Event`] delivered with a network delay (or a
//! timer an actor set for itself); handlers are plain methods dispatched by
//! a `match`. Randomness comes from named streams: the workload, the
//! network, gossip peer choice, and one stream per storage node's disk.

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
use ids::{NodeId, PgId, SegmentId};
use network::{Endpoint, Network};
use storage::lsn::{Batch, Lsn, LsnPoints};
use storage::segment::{Accept, GossipPayload, ReadResult};
use storage::volume::Volume;
use writer::{PendingRead, Writer};

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
    /// A segment's acknowledgement reaches the writer.
    Ack {
        /// The acknowledging segment.
        seg: SegmentId,
        /// Its SCL once the persist completed.
        scl: Lsn,
        /// Its node's incarnation when it sent.
        incarnation: u32,
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
    },
    /// A peer's records reach the asker.
    GossipPush {
        /// The asker.
        to: SegmentId,
        /// What the peer sent.
        payload: Box<GossipPayload>,
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
}

impl Event {
    /// Three words for the trace: a stable code (an index into
    /// [`EVENT_NAMES`]) and the two ids or LSNs that identify the event.
    fn words(&self) -> [u64; 3] {
        match self {
            Event::Tick => [1, 0, 0],
            Event::Batch { seg, batch } => [2, seg.0 as u64, batch.last().0],
            Event::Ack { seg, scl, .. } => [3, seg.0 as u64, scl.0],
            Event::ReadRequest(a) => [4, a.seg.0 as u64, a.read as u64],
            Event::ReadReply(a) => [5, a.seg.0 as u64, a.read as u64],
            Event::GossipTimer { seg } => [6, seg.0 as u64, 0],
            Event::GossipPull { to, since, .. } => [7, to.0 as u64, since.0],
            Event::GossipPush { to, .. } => [8, to.0 as u64, 0],
            Event::Materialize { seg } => [9, seg.0 as u64, 0],
            Event::Maintenance => [10, 0, 0],
            Event::Sample => [11, 0, 0],
            Event::FaultStart(i) => [12, *i as u64, 0],
            Event::FaultEnd(i) => [13, *i as u64, 0],
            Event::RepairCheck { node, .. } => [14, node.0 as u64, 0],
            Event::RepairDone { pg } => [15, pg.0 as u64, 0],
        }
    }
}

/// Event names by code, for the JSON-lines trace.
const EVENT_NAMES: [&str; 16] = [
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
];

/// A page read as sent to one segment.
#[derive(Debug, Clone, Copy)]
pub struct ReadAsk {
    /// The segment asked.
    pub seg: SegmentId,
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
    pub const DISK_BASE: u64 = 1 << 32;
}

/// The simulated cluster and its clock.
#[derive(Debug)]
pub struct World {
    pub(crate) engine: Engine<Event>,
    pub(crate) scenario: Scenario,
    pub(crate) volume: Volume,
    pub(crate) net: Network,
    pub(crate) writer: Writer,
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
        let writer = Writer::new(
            sc.topology.writer_az,
            points,
            volume.pgs.len(),
            volume.segments.len(),
            rngs.stream(StreamId(streams::WORKLOAD)),
        );
        let net = Network::new(
            sc.network.clone(),
            rngs.stream(StreamId(streams::NETWORK)),
            azs,
            volume.nodes.len(),
        );
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
            scenario: sc,
            volume,
            net,
            writer,
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
        for (i, f) in sc.faults.iter().enumerate() {
            self.engine.at(f.at, Event::FaultStart(i as u32));
            if let Some(d) = f.duration {
                self.engine.at(f.at + d, Event::FaultEnd(i as u32));
            }
        }
    }

    /// Runs to the end of the scenario.
    pub fn run(&mut self) {
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
        }
        if self.end > self.bin_start {
            self.close_bin();
        }
        let (c, r) = (
            self.writer.oldest_waiting_commit(),
            self.writer.oldest_waiting_read(),
        );
        self.rec.unfinished(self.end, c, r);
    }

    fn dispatch(&mut self, ev: Event) {
        match ev {
            Event::Tick => self.on_tick(),
            Event::Batch { seg, batch } => self.on_batch(seg, batch),
            Event::Ack {
                seg,
                scl,
                incarnation,
            } => self.on_ack(seg, scl, incarnation),
            Event::ReadRequest(ask) => self.on_read_request(*ask),
            Event::ReadReply(a) => self.on_read_reply(a.read, a.attempt, a.seg, a.result),
            Event::GossipTimer { seg } => self.on_gossip_timer(seg),
            Event::GossipPull { to, from, since } => self.on_gossip_pull(to, from, since),
            Event::GossipPush { to, payload } => self.on_gossip_push(to, *payload),
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
        }
    }

    fn close_bin(&mut self) {
        let waiting = self.writer.waiting();
        let vdl = self.writer.points.vdl().0;
        self.rec.close_bin(self.bin_start, waiting, vdl);
        self.bin_start = self.engine.now();
    }

    // ----- endpoints and delays -------------------------------------------

    fn writer_endpoint(&self) -> Endpoint {
        Endpoint::Writer(self.writer.az)
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

    fn on_tick(&mut self) {
        let now = self.engine.now();
        let interval = self.scenario.workload.group_commit_interval;
        if let Some(dist) = self.commits_per_tick {
            let n = dist.sample(&mut self.writer.rng) as u64;
            for _ in 0..n {
                let back = self.writer.rng.random_range(0..interval.as_nanos().max(1));
                let arrival = SimTime::from_nanos(now.as_nanos().saturating_sub(back));
                self.writer.backlog.push_back(arrival);
            }
            self.writer.offered += n;
        }
        self.admit_commits();
        if let Some(dist) = self.reads_per_tick {
            let n = dist.sample(&mut self.writer.rng) as u64;
            for _ in 0..n {
                self.issue_read();
            }
        }
        self.ship();
        self.engine.after(interval, Event::Tick);
    }

    /// Allocates LSNs for waiting commits while VDL + LAL allows.
    fn admit_commits(&mut self) {
        let rpc = self.scenario.workload.records_per_commit;
        let ws = self.working_set;
        while let Some(&arrival) = self.writer.backlog.front() {
            if !self.writer.points.can_allocate(rpc as u64) {
                break;
            }
            self.writer.backlog.pop_front();
            let mut last = Lsn(0);
            for r in 0..rpc {
                let (pg, page) = ws.locate(self.writer.rng.random_range(0..ws.pages()));
                let (record, prev) = self.writer.points.allocate(pg, page, r + 1 == rpc);
                self.writer.buffer(pg, record, prev);
                last = record.lsn;
            }
            self.writer.commits.push_back((last, arrival));
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
        let truth = &mut self.writer.truth;
        let moved = self
            .writer
            .points
            .advance(|r| truth.apply(ws.index(r.pg, r.page), r.lsn));
        if !moved {
            return;
        }
        let now = self.engine.now();
        let vdl = self.writer.points.vdl();
        while let Some(&(lsn, arrival)) = self.writer.commits.front() {
            if lsn > vdl {
                break;
            }
            self.writer.commits.pop_front();
            self.rec.commit(now, arrival);
        }
        if !self.writer.backlog.is_empty() {
            self.admit_commits();
        }
    }

    fn issue_read(&mut self) {
        let i = self.writer.rng.random_range(0..self.working_set.pages());
        let (pg, page) = self.working_set.locate(i);
        let now = self.engine.now();
        let read = PendingRead {
            pg,
            page,
            point: self.writer.points.vdl(),
            need: self.writer.points.last_record_below_vdl(pg),
            expected: self.writer.truth.get(i),
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
        let mut choice: Option<(bool, SegmentId)> = None;
        for &s in &self.volume.pgs[pg.index()].members {
            if self.writer.acked_scl[s.index()] < need
                || self.writer.avoid_until[s.index()] > now
                || !self.volume.segments[s.index()].hydrated
            {
                continue;
            }
            let remote = self.volume.node_of(s).az != self.writer.az;
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
        let current = self.writer.reads[slot as usize]
            .as_ref()
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

    fn on_maintenance(&mut self) {
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
        if let Some(oldest) = self.writer.commits.front().map(|c| c.1) {
            if now.since(oldest) > self.rec.threshold() {
                if let Some(pg) = self.writer.points.vcl_blocker() {
                    self.rec.vcl_blockers.insert(pg.0);
                }
            }
        }
        self.engine.after(retry, Event::Maintenance);
    }

    // ----- segments --------------------------------------------------------

    fn on_batch(&mut self, seg: SegmentId, batch: Arc<Batch>) {
        if !self.seg_up(seg) {
            return;
        }
        let accept = self.volume.segments[seg.index()].receive(batch);
        match accept {
            Accept::StaleEpoch => self.rec.stale_epoch_refusals += 1,
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
        let scl = s.scl();
        if s.has_log() {
            self.arm_materialize(seg);
        }
        let incarnation = self.volume.node_of(seg).incarnation;
        let ack = Event::Ack {
            seg,
            scl,
            incarnation,
        };
        self.send(done, self.seg_endpoint(seg), self.writer_endpoint(), ack);
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
            let pull = Event::GossipPull {
                to: peer,
                from: seg,
                since: self.volume.segments[seg.index()].scl(),
            };
            let now = self.engine.now();
            self.send(now, self.seg_endpoint(seg), self.seg_endpoint(peer), pull);
        }
        self.arm_gossip(seg);
    }

    fn on_gossip_pull(&mut self, to: SegmentId, from: SegmentId, since: Lsn) {
        if !self.seg_up(to) {
            return;
        }
        let Some(payload) = self.volume.segments[to.index()].gossip_for(since) else {
            return;
        };
        let push = Event::GossipPush {
            to: from,
            payload: Box::new(payload),
        };
        let now = self.engine.now();
        self.send(now, self.seg_endpoint(to), self.seg_endpoint(from), push);
    }

    fn on_gossip_push(&mut self, to: SegmentId, payload: GossipPayload) {
        if !self.seg_up(to) {
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
            read,
            attempt,
            seg,
            result,
        }));
        self.send(done, self.seg_endpoint(seg), self.writer_endpoint(), reply);
    }

    /// Counts PGs whose running, reachable, hydrated members fall below the
    /// write and read quorum, as the writer would see them.
    pub(crate) fn update_quorum_health(&mut self) {
        let (w, r) = (self.volume.quorum.write(), self.volume.quorum.read());
        let (mut below_w, mut below_r) = (0, 0);
        let writer = self.writer_endpoint();
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

    /// What recovery could rebuild from the storage left at the end.
    pub(crate) fn recoverable_vdl(&mut self) -> Lsn {
        storage::recovery::recoverable_vdl(
            &mut self.volume,
            &self.writer.points,
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
