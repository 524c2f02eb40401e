//! The writer's storage client: LSN allocation, group commit, quorum
//! tracking from acknowledgements, commit acknowledgement, and page reads
//! from a single segment.
//!
//! One `Writer` exists per volume epoch: the instance the control plane
//! made writer builds it when its process starts, and it lives on (as a
//! deposed writer in [`Writers`]) while that instance keeps running
//! unaware that a newer epoch has fenced it. Every writer runs the same
//! handlers; messages carry the epoch of the writer they are for.

use std::collections::{BTreeMap, VecDeque};
use std::rc::Rc;

use super::inbox::Inbox;
use super::instance::{ccm_partner, instance_endpoint, Instance, Role};
use super::server::Server;
use crate::model::answer::{acknowledge_commit, answer_client, Caller, Callers};
use crate::model::context::Ctx;
use crate::model::event::{AckInFlight, Answer, Event, ReadAnswer, ReadAsk};
use crate::model::network::Endpoint;
use crate::model::note::Note;
use crate::model::routes::Routes;
use crate::model::storage::lsn::{Allocated, Batch, Lsn, LsnPoints, Record, Records};
use crate::model::storage::segment::ReadResult;
use crate::model::storage::volume::Volume;
use crate::model::workload::Workload;
use crate::sim::{Place, SimDuration, SimTime};
use crate::vocab::ids::{InstanceId, PgId, SegmentId};
use crate::vocab::ClientError;

/// A commit's origin: the background workload, or a client's request.
pub type Origin = Option<Caller>;

/// A commit that has its LSNs and waits for VDL.
#[derive(Clone, Copy, Debug)]
pub struct Commit {
    /// Its commit record's LSN.
    pub lsn: Lsn,
    /// When the application asked.
    pub arrival: SimTime,
    /// When it got its LSNs: from then on only storage holds it back.
    pub allocated: SimTime,
    /// Who to answer.
    pub origin: Origin,
}

/// A commit that has had its CPU and waits for pages it reads or
/// changes to arrive from storage: a change is made to a page in the
/// buffer cache, so a page the cache lacks is read first. A
/// transaction's statements run one after another, so it reads the
/// pages it lacks one at a time, and a cold cache costs it a storage
/// round trip per missing page.
#[derive(Clone, Debug)]
pub struct Held {
    /// When the application asked.
    pub arrival: SimTime,
    /// Who to answer.
    pub origin: Origin,
    /// The working-set pages its records change, in record order.
    pub pages: Vec<u64>,
    /// The pages it has yet to read, the next last.
    unread: Vec<u64>,
}

/// A page read in progress.
#[derive(Clone, Debug)]
pub struct PendingRead {
    /// The PG holding the page.
    pub pg: PgId,
    /// The page within the PG.
    pub page: u32,
    /// Read point: VDL when the read was issued.
    pub point: Lsn,
    /// The PG's last record at or below the read point: a segment is
    /// complete for this read once its SCL reaches it.
    pub need: Lsn,
    /// When the application asked.
    pub issued: SimTime,
    /// The current attempt's number, unique among this writer's read
    /// attempts: a reply to an older attempt — of this read, or of an
    /// earlier read that used the same slot — is ignored.
    pub attempt: u32,
    /// Attempts sent so far.
    pub tries: u32,
    /// Segment asked by the current attempt, if any could be.
    pub seg: Option<SegmentId>,
    /// When the current attempt was sent.
    pub sent_at: SimTime,
    /// Whether it fetches a page for held commits (not a workload read).
    pub fetch: bool,
}

#[cfg(test)]
thread_local! {
    /// Queues every wake-up as an event, as writers did before most were
    /// settled without one: a test runs scenarios both ways.
    pub(crate) static EVERY_WAKE_AN_EVENT: std::cell::Cell<bool> =
        const { std::cell::Cell::new(false) };
}

/// The writer's state.
#[derive(Clone, Debug)]
pub struct Writer {
    /// The instance it runs on.
    pub instance: InstanceId,
    /// That instance's process incarnation: the writer dies with it.
    pub incarnation: u32,
    /// Volume epoch stamped on every batch.
    pub epoch: u32,
    /// Whether it takes commits (its recovery is done, it is not closed).
    pub open: bool,
    /// The VDL the recovery that superseded this writer reached (an LSN):
    /// once set, storage has moved on without it.
    pub successor_vdl: Option<Lsn>,
    /// When VDL last moved.
    pub vdl_at: SimTime,
    /// Whether a global database's RPO guard holds its commits: durable
    /// ones wait for their acknowledgement until a secondary region is
    /// back within the RPO (`model::global`).
    pub rpo_hold: bool,
    /// When it last opened for commits.
    pub opened: SimTime,
    /// Records VDL passed since the last shipment to readers (collected
    /// only by the newest epoch's writer).
    pub redo: Vec<Allocated>,
    /// Whether it streams redo to readers: deposed writers do not.
    pub streams: bool,
    /// Durability points.
    pub points: LsnPoints,
    /// What the writer knows of each segment's SCL, and the
    /// acknowledgements on their way.
    pub inbox: Inbox,
    /// Allocated commits awaiting VDL.
    pub commits: VecDeque<Commit>,
    /// Offered commits not yet given CPU or LSNs (CPU queueing, LAL
    /// back-pressure).
    pub backlog: VecDeque<(SimTime, Origin)>,
    /// Zero-downtime patching holds new work: commits in the backlog wait
    /// there while those already admitted finish.
    pub paused: bool,
    /// Commits whose pages are all cached, waiting for LSNs (the LAL).
    pub ready: VecDeque<Held>,
    /// Commits waiting for pages from storage, by slot.
    held: Vec<Option<Held>>,
    free_held: Vec<u32>,
    /// Pages being fetched, with the held commits waiting for each.
    fetches: BTreeMap<u64, Vec<u32>>,
    /// The pages of the commit being admitted.
    scratch: Vec<u64>,
    /// Records allocated since the last shipment, per PG, with the
    /// back-link of the first.
    pub buffers: Vec<(Lsn, Records)>,
    /// PGs with buffered records, in first-touch order (may hold PGs whose
    /// buffer was shipped since; `listed` says which are really waiting).
    pub touched: Vec<PgId>,
    /// Whether each PG is in `touched`.
    pub listed: Vec<bool>,
    /// Per PG, the last LSN of each batch in flight (shipped, PGCL still
    /// below it), oldest first.
    pub in_flight: Vec<VecDeque<Lsn>>,
    /// Last time each PG's PGCL moved (or its records were resent).
    pub last_progress: Vec<SimTime>,
    /// Whether a wake-up was placed, records were buffered or a PGCL
    /// moved since the wake-ups that must be events were last queued.
    pub(crate) recheck: bool,
    /// Last time each PG owed nothing or its PGCL moved: the I/O
    /// watchdog's clock.
    pub durable_at: Vec<SimTime>,
    /// Reads in flight, by slot.
    pub reads: Vec<Option<PendingRead>>,
    /// Free read slots.
    pub free_reads: Vec<u32>,
    /// The number the next read attempt takes.
    pub next_attempt: u32,
    /// Until when each segment is avoided for reads after a timeout.
    pub avoid_until: Vec<SimTime>,
    /// A global database that may promote a region keeps the primary's
    /// log above what every reachable secondary stores: materialization
    /// waits below it (`model::global`). A writer that takes over keeps
    /// its predecessor's until the next send says otherwise.
    pub shipped: Lsn,
}

impl Writer {
    /// A writer on `instance` (process `incarnation`) for `epoch`, closed
    /// until its points are set by recovery (or, for a fresh volume, at
    /// once by the caller).
    pub fn new(
        instance: InstanceId,
        incarnation: u32,
        epoch: u32,
        points: LsnPoints,
        pgs: usize,
        segments: usize,
    ) -> Self {
        Writer {
            instance,
            incarnation,
            epoch,
            open: false,
            successor_vdl: None,
            vdl_at: SimTime::ZERO,
            rpo_hold: false,
            opened: SimTime::ZERO,
            redo: Vec::new(),
            streams: true,
            points,
            inbox: Inbox::new(pgs, segments),
            commits: VecDeque::new(),
            backlog: VecDeque::new(),
            paused: false,
            ready: VecDeque::new(),
            held: Vec::new(),
            free_held: Vec::new(),
            fetches: BTreeMap::new(),
            scratch: Vec::new(),
            buffers: vec![(Lsn(0), Records::new()); pgs],
            touched: Vec::new(),
            listed: vec![false; pgs],
            in_flight: vec![VecDeque::new(); pgs],
            last_progress: vec![SimTime::ZERO; pgs],
            recheck: false,
            durable_at: vec![SimTime::ZERO; pgs],
            reads: Vec::new(),
            free_reads: Vec::new(),
            next_attempt: 1,
            avoid_until: vec![SimTime::ZERO; segments],
            shipped: Lsn(u64::MAX),
        }
    }

    /// Keeps the log above `floor` (what every reachable secondary
    /// stores).
    pub fn retain_above(&mut self, floor: Lsn) {
        self.shipped = floor;
    }

    /// Whether its instance still runs the process that built it, as a
    /// writer.
    pub fn alive(&self, instances: &[Instance]) -> bool {
        let i = &instances[self.instance.index()];
        i.running() && i.incarnation == self.incarnation && i.role == Role::Writer
    }

    /// Buffers a record for the next shipment.
    pub fn buffer(&mut self, pg: PgId, record: Record, prev: Lsn) {
        let buf = &mut self.buffers[pg.index()];
        if buf.1.is_empty() {
            self.recheck = true;
            buf.0 = prev;
            if !self.listed[pg.index()] {
                self.listed[pg.index()] = true;
                self.touched.push(pg);
            }
        }
        buf.1.push(record);
    }

    /// A batch of `records` for `pg`, stamped with this writer's epoch and
    /// current minimum read point.
    pub fn batch(&self, pg: PgId, prev: Lsn, records: Records) -> Rc<Batch> {
        Rc::new(Batch {
            pg,
            prev,
            records,
            min_read_point: self.min_read_point(),
            epoch: self.epoch,
        })
    }

    /// The minimum read point: no outstanding read is below it, and no
    /// future read will be (they start at VDL); and nothing a secondary
    /// region may still need is below it.
    pub fn min_read_point(&self) -> Lsn {
        self.reads
            .iter()
            .flatten()
            .map(|r| r.point)
            .fold(self.points.vdl().min(self.shipped), Lsn::min)
    }

    /// Stores a new read and returns its slot.
    pub fn add_read(&mut self, read: PendingRead) -> u32 {
        match self.free_reads.pop() {
            Some(slot) => {
                self.reads[slot as usize] = Some(read);
                slot
            }
            None => {
                self.reads.push(Some(read));
                (self.reads.len() - 1) as u32
            }
        }
    }

    /// Removes a finished read.
    pub fn finish_read(&mut self, slot: u32) -> Option<PendingRead> {
        let r = self.reads.get_mut(slot as usize)?.take();
        if r.is_some() {
            self.free_reads.push(slot);
        }
        r
    }

    /// Arrival of the oldest commit not yet acknowledged (to within one
    /// group-commit interval: arrivals inside one interval are unordered).
    pub fn oldest_waiting_commit(&self) -> Option<SimTime> {
        let held = self.held.iter().flatten().chain(&self.ready);
        [
            self.commits.front().map(|c| c.arrival),
            self.backlog.front().map(|b| b.0),
            held.map(|h| h.arrival).min(),
        ]
        .into_iter()
        .flatten()
        .min()
    }

    /// When the oldest commit that has its LSNs got them: what storage
    /// alone holds back.
    pub fn oldest_allocated_commit(&self) -> Option<SimTime> {
        self.commits.front().map(|c| c.allocated)
    }

    /// Issue time of the oldest read in flight.
    pub fn oldest_waiting_read(&self) -> Option<SimTime> {
        self.reads.iter().flatten().map(|r| r.issued).min()
    }

    /// The I/O watchdog: whether some PG has owed records for longer than
    /// `limit` without its PGCL moving (the writer cannot reach a write
    /// quorum of it, or storage is that slow).
    /// Returns when the stuck PG that has owed records longest last made
    /// progress: writes have waited on it since then.
    pub fn io_stalled_since(&self, now: SimTime, limit: SimDuration) -> Option<SimTime> {
        let oldest = self.durable_at.iter().copied().min()?;
        (self.open && now.since(oldest) > limit).then_some(oldest)
    }

    /// Commits offered and not yet acknowledged.
    pub fn waiting(&self) -> u64 {
        let fetching = self.held_count() + self.ready.len();
        (self.commits.len() + self.backlog.len() + fetching) as u64
    }

    /// Commits waiting for pages from storage.
    fn held_count(&self) -> usize {
        self.held.len() - self.free_held.len()
    }
}

/// What a writer's handlers read of the rest of the world, and the
/// machines whose CPU and caches they use.
pub(crate) struct WriterEnv<'a> {
    /// Storage membership and placement.
    pub volume: &'a Volume,
    /// Instances, for the writer's own AZ and endpoint.
    pub instances: &'a [Instance],
    /// Where each client is, to answer its commits.
    pub callers: &'a Callers,
    /// Every instance's machine: the writer's own, and a reader kept warm
    /// by cluster cache management.
    pub servers: &'a mut [Server],
}

impl Writer {
    /// Whether no transaction is in flight: none admitted and unanswered
    /// (waiting for pages, for LSNs or for VDL) and no read out to
    /// storage. Commits offered and not yet admitted are not in flight.
    pub fn idle(&self) -> bool {
        self.commits.is_empty()
            && self.ready.is_empty()
            && self.held.len() == self.free_held.len()
            && self.reads.len() == self.free_reads.len()
    }

    /// Gives waiting commits the writer's CPU while it has capacity in
    /// this group-commit interval, and LSNs while VDL + LAL allows. A
    /// commit whose pages are all cached takes its LSNs at once; one that
    /// changes pages the cache lacks waits for storage to send them.
    pub(crate) fn admit_commits(&mut self, cx: &mut Ctx, env: &mut WriterEnv, wl: &mut Workload) {
        let records = cx.cfg.workload.records_per_commit;
        while self.points.can_allocate(records as u64) {
            let Some(c) = self.ready.pop_front() else {
                break;
            };
            self.allocate(cx.now(), c.arrival, c.origin, &c.pages, wl);
        }
        if !self.ready.is_empty() || self.paused {
            return;
        }
        let now = cx.now();
        let horizon = now + cx.cfg.workload.group_commit_interval;
        let reads = cx.cfg.workload.reads_per_transaction;
        let cost = cx.cfg.engine.cpu_per_record * u64::from(records)
            + cx.cfg.engine.cpu_per_read * u64::from(reads);
        let me = self.instance.index();
        // A transaction's pages: those its records change, then those it
        // only reads. It goes ahead once every one is in the cache.
        let touched = (records + reads) as usize;
        let mut pages = std::mem::take(&mut self.scratch);
        while let Some(&(arrival, origin)) = self.backlog.front() {
            let server = &mut env.servers[me];
            if !self.points.can_allocate(records as u64) || !server.free_before(horizon) {
                break;
            }
            self.backlog.pop_front();
            server.run(now, cost);
            pages.clear();
            pages.extend((0..touched).map(|_| wl.popularity.draw(&mut wl.rng)));
            let mut hits = 0;
            for &p in &pages {
                hits += u32::from(server.cache.touch(p));
            }
            cx.rec.cache_hits += u64::from(hits);
            if hits as usize == touched {
                self.allocate(now, arrival, origin, &pages[..records as usize], wl);
            } else {
                self.hold(cx, env, wl, (arrival, origin), &pages, records as usize);
            }
        }
        self.scratch = pages;
    }

    /// Allocates a commit's records, one per page, the last its commit
    /// record.
    fn allocate(
        &mut self,
        now: SimTime,
        arrival: SimTime,
        origin: Origin,
        pages: &[u64],
        wl: &Workload,
    ) {
        let mut last = Lsn(0);
        for (r, &page) in pages.iter().enumerate() {
            let (pg, in_pg) = wl.working_set.locate(page);
            let (record, prev) = self.points.allocate(pg, in_pg, r + 1 == pages.len());
            self.buffer(pg, record, prev);
            last = record.lsn;
        }
        self.commits.push_back(Commit {
            lsn: last,
            arrival,
            allocated: now,
            origin,
        });
    }

    /// Holds a commit until the pages its cache lacks arrive, one after
    /// another, fetching each page once however many commits wait for
    /// it; the first `changed` of its `pages` are those its records
    /// change.
    fn hold(
        &mut self,
        cx: &mut Ctx,
        env: &mut WriterEnv,
        wl: &mut Workload,
        (arrival, origin): (SimTime, Origin),
        pages: &[u64],
        changed: usize,
    ) {
        let slot = match self.free_held.pop() {
            Some(s) => s,
            None => {
                self.held.push(None);
                (self.held.len() - 1) as u32
            }
        };
        // `read_next` passes over the pages the cache holds.
        let unread = pages.iter().rev().copied().collect();
        self.held[slot as usize] = Some(Held {
            arrival,
            origin,
            pages: pages[..changed].to_vec(),
            unread,
        });
        self.read_next(cx, env, wl, slot);
    }

    /// Sends held commit `slot` on to its next page the cache lacks,
    /// joining a fetch of it already on its way; with none left, the
    /// commit is ready for its LSNs.
    fn read_next(&mut self, cx: &mut Ctx, env: &WriterEnv, wl: &Workload, slot: u32) {
        let cache = &env.servers[self.instance.index()].cache;
        let h = self.held[slot as usize].as_mut().expect("held commit");
        while let Some(page) = h.unread.pop() {
            if cache.holds(page) {
                continue;
            }
            let waiting = self.fetches.entry(page).or_default();
            waiting.push(slot);
            if waiting.len() == 1 {
                self.start_read(cx, env, wl, page, true);
            }
            return;
        }
        let h = self.held[slot as usize].take().expect("held commit");
        self.free_held.push(slot);
        self.ready.push_back(h);
    }

    /// A page arrived from storage: it enters the cache (and, under
    /// cluster cache management, the designated reader's), and the
    /// commits waiting for it go on to their next page, or are ready for
    /// their LSNs.
    fn page_arrived(
        &mut self,
        cx: &mut Ctx,
        env: &mut WriterEnv,
        wl: &Workload,
        page: u64,
        fetch: bool,
    ) {
        env.servers[self.instance.index()].cache.insert(page);
        if let Some(r) = ccm_partner(cx.cfg, env.instances, self.instance) {
            env.servers[r.index()].cache.insert(page);
        }
        if !fetch {
            return;
        }
        for slot in self.fetches.remove(&page).unwrap_or_default() {
            self.read_next(cx, env, wl, slot);
        }
    }

    /// Group commit ("boxcar") with a pipeline: each PG has at most
    /// `batches_in_flight` batches on their way to durability. A PG with
    /// room gets its buffered records now; the others keep buffering, and
    /// ship from [`Writer::on_ack`] the moment their oldest batch becomes
    /// durable. Under load batches grow instead of multiplying, and a
    /// volume of few PGs does not make its commits wait for round trips a
    /// volume of many PGs would overlap.
    pub(crate) fn ship(&mut self, cx: &mut Ctx, env: &WriterEnv) {
        // The PGs whose batches must wait stay listed.
        let mut touched = std::mem::take(&mut self.touched);
        let window = cx.cfg.storage.batches_in_flight;
        touched.retain(|&pg| {
            if self.buffers[pg.index()].1.is_empty() {
                self.listed[pg.index()] = false;
                false
            } else if self.has_room(pg, window) {
                self.listed[pg.index()] = false;
                self.ship_pg(cx, env, pg);
                false
            } else {
                true
            }
        });
        self.touched = touched;
    }

    /// Whether `pg` has fewer than `window` batches in flight; forgets
    /// those PGCL has reached.
    fn has_room(&mut self, pg: PgId, window: u32) -> bool {
        let pgcl = self.points.pgcl(pg);
        let flight = &mut self.in_flight[pg.index()];
        while flight.front().is_some_and(|&last| last <= pgcl) {
            flight.pop_front();
        }
        flight.len() < window as usize
    }

    /// Ships one PG's buffered records as a batch to all its segments.
    fn ship_pg(&mut self, cx: &mut Ctx, env: &WriterEnv, pg: PgId) {
        let buf = &mut self.buffers[pg.index()];
        if buf.1.is_empty() {
            return;
        }
        let records = std::mem::take(&mut buf.1);
        let prev = buf.0;
        let batch = self.batch(pg, prev, records);
        self.in_flight[pg.index()].push_back(batch.last());
        self.send_batch(cx, env, &batch, None);
    }

    /// Sends a batch to its PG's write targets (only those whose
    /// acknowledged SCL is below `behind`, when given).
    fn send_batch(
        &mut self,
        cx: &mut Ctx,
        env: &WriterEnv,
        batch: &Rc<Batch>,
        behind: Option<Lsn>,
    ) {
        if behind.is_some() {
            self.settle_acks(env.volume, cx.place());
        }
        let (now, from) = (cx.now(), instance_endpoint(env.instances, self.instance));
        for seg in env.volume.pgs[batch.pg.index()].write_targets() {
            if behind.is_some_and(|l| self.inbox.known()[seg.index()] >= l) {
                continue;
            }
            let event = Event::Batch {
                seg,
                batch: batch.clone(),
            };
            cx.send(now, from, env.volume.endpoint(seg), event);
        }
    }

    /// A segment's acknowledgement left for this writer: it waits in the
    /// inbox until it arrives, and the writer wakes if it is the one that
    /// will move its PG's PGCL.
    pub(crate) fn post_ack(&mut self, volume: &Volume, ack: AckInFlight) {
        if let Some(at) = self.inbox.post(volume, &self.points, ack) {
            self.wake_at(ack.pg, at);
        }
    }

    /// The writer is to wake in the place of the acknowledgement that
    /// moves a PG's PGCL, `at`: settled without an event unless
    /// [`Writer::promote_wakes`] finds the move may be news.
    fn wake_at(&mut self, pg: PgId, at: Place) {
        self.inbox.placed(pg, at);
        self.recheck = true;
    }

    /// Queues as events the wake-ups that may do more than move their
    /// PG's PGCL: the one of the PG that pins VCL, and those of PGs with
    /// records waiting to ship. Called after every event, so the rest
    /// stay news to no one until they are settled.
    pub(crate) fn promote_wakes(&mut self, cx: &mut Ctx) {
        if !std::mem::take(&mut self.recheck) {
            return;
        }
        #[cfg(test)]
        if EVERY_WAKE_AN_EVENT.get() {
            for pg in self.inbox.busy().to_vec() {
                self.queue_wake(cx, pg);
            }
        }
        if let Some(pg) = self.points.vcl_blocker() {
            self.queue_wake(cx, pg);
        }
        for k in 0..self.touched.len() {
            let pg = self.touched[k];
            if !self.buffers[pg.index()].1.is_empty() {
                self.queue_wake(cx, pg);
            }
        }
    }

    /// Queues `pg`'s wake-up as an event, in its place, unless it is
    /// queued already.
    fn queue_wake(&mut self, cx: &mut Ctx, pg: PgId) {
        if let Some(at) = self.inbox.enqueue(pg) {
            let event = Event::Quorum {
                epoch: self.epoch,
                pg,
            };
            cx.at_place(at, event);
        }
    }

    /// Settles, in order, each wake-up without an event placed before
    /// `before`, as of its own place: the PG's answers arrived by then
    /// move its PGCL, and nothing else happens, as nothing else would
    /// have then (it neither pins VCL nor holds records back).
    #[inline]
    pub(crate) fn settle_wakes(&mut self, volume: &Volume, instances: &[Instance], before: Place) {
        if self.inbox.any_due(before) {
            self.settle_due(volume, instances, before);
        }
    }

    /// [`Writer::settle_wakes`] once one is due.
    #[inline(never)]
    fn settle_due(&mut self, volume: &Volume, instances: &[Instance], before: Place) {
        while let Some((pg, at)) = self.inbox.due(before) {
            if !self.alive(instances) {
                self.inbox.lapse(pg, at);
                continue;
            }
            self.inbox.wakes(pg, at);
            if self.move_pgcl(volume, pg, at) {
                debug_assert!(self.points.vcl_blocker() != Some(pg));
                debug_assert!(self.buffers[pg.index()].1.is_empty());
            }
            if let Some(next) = self.inbox.rewake(volume, &self.points, pg) {
                self.wake_at(pg, next);
            }
        }
    }

    /// At the place `at` of `pg`'s wake-up: the answers for it arrived by
    /// then are in, and a write quorum of copies may hold more of the PG.
    /// Returns whether its PGCL moved.
    fn move_pgcl(&mut self, volume: &Volume, pg: PgId, at: Place) -> bool {
        let (now, seq) = at;
        self.inbox
            .settle_pg(volume, &self.points, pg, (now, seq + 1));
        let known = self.inbox.known();
        let durable = volume.durable_lsn(pg, |s| known[s.index()]);
        let moved = self.points.set_durable(pg, durable);
        if moved {
            self.last_progress[pg.index()] = now;
            self.durable_at[pg.index()] = now;
        }
        moved
    }

    /// Applies the acknowledgements that arrive before `before` to what
    /// the writer knows of each segment's SCL.
    #[inline]
    pub(crate) fn settle_acks(&mut self, volume: &Volume, before: Place) {
        self.inbox.settle(volume, &self.points, before);
    }

    /// The quorum itself may have changed (membership, a copy hydrated, a
    /// node's incarnation, this writer's recovery): each PG's wake-up is
    /// recomputed.
    pub(crate) fn rewake(&mut self, volume: &Volume) {
        for (pg, at) in self.inbox.rewake_all(volume, &self.points) {
            self.wake_at(pg, at);
        }
    }

    /// The acknowledgement that moves `pg`'s PGCL has arrived: with the
    /// others arrived by now, a write quorum holds more of the PG.
    pub(crate) fn on_quorum(
        &mut self,
        cx: &mut Ctx,
        env: &mut WriterEnv,
        wl: &mut Workload,
        pg: PgId,
    ) {
        let place = cx.place();
        if !self.inbox.wakes(pg, place) {
            return;
        }
        // It is in, and so are the others for this PG arrived before it.
        if self.move_pgcl(env.volume, pg, place) {
            self.recheck = true;
            if self.has_room(pg, cx.cfg.storage.batches_in_flight) {
                self.ship_pg(cx, env, pg);
            }
            self.advance_vdl(cx, env, wl);
        }
        if let Some(at) = self.inbox.rewake(env.volume, &self.points, pg) {
            self.wake_at(pg, at);
        }
    }

    /// Moves VCL/VDL, acknowledges the commits VDL passed, and admits
    /// commits the LAL was holding back.
    fn advance_vdl(&mut self, cx: &mut Ctx, env: &mut WriterEnv, wl: &mut Workload) {
        let epoch = self.epoch;
        let (streams, redo) = (self.streams, &mut self.redo);
        let mut passed = 0;
        let moved = self.points.advance(|r| {
            cx.note(Note::Passed {
                epoch,
                lsn: r.lsn,
                pg: r.pg,
                page: r.page,
            });
            if streams {
                redo.push(*r);
            }
            passed += 1;
        });
        if !moved {
            return;
        }
        if streams {
            // The newest epoch's records only: a deposed writer's are not
            // the volume's.
            cx.rec.records_durable += passed;
        }
        self.vdl_at = cx.now();
        self.acknowledge(cx, env);
        if !self.backlog.is_empty() || !self.ready.is_empty() {
            self.admit_commits(cx, env, wl);
        }
    }

    /// Acknowledges the commits VDL has passed, unless the RPO guard
    /// holds them.
    fn acknowledge(&mut self, cx: &mut Ctx, env: &WriterEnv) {
        if self.rpo_hold {
            return;
        }
        let now = cx.now();
        let vdl = self.points.vdl();
        while let Some(&c) = self.commits.front() {
            if c.lsn > vdl {
                break;
            }
            self.commits.pop_front();
            cx.note(Note::Acknowledged {
                epoch: self.epoch,
                lsn: c.lsn,
            });
            cx.rec.commit(now, c.arrival);
            if let Some(caller) = c.origin {
                let from = instance_endpoint(env.instances, self.instance);
                acknowledge_commit(cx, from, env.callers, caller, c.lsn);
            }
        }
    }

    /// The RPO guard holds (`held`) or releases this writer's commits; a
    /// release acknowledges every commit VDL has passed meanwhile.
    pub(crate) fn hold_commits(&mut self, cx: &mut Ctx, env: &WriterEnv, held: bool) {
        self.rpo_hold = held;
        self.acknowledge(cx, env);
    }

    /// Commits waiting for their acknowledgement at or below `lsn`: the
    /// durable ones the RPO guard holds.
    pub(crate) fn waiting_through(&self, lsn: Lsn) -> u64 {
        self.commits.iter().take_while(|c| c.lsn <= lsn).count() as u64
    }

    /// A client's write reaches this writer. An open writer queues it as a
    /// commit, which the next group-commit tick admits with every other
    /// that arrived meanwhile; one still recovering refuses it.
    pub(crate) fn take_commit(
        &mut self,
        cx: &mut Ctx,
        env: &mut WriterEnv,
        wl: &mut Workload,
        caller: Caller,
        arrived: SimTime,
    ) {
        if self.open {
            wl.arrived += 1;
            self.backlog.push_back((arrived, Some(caller)));
        } else {
            let from = instance_endpoint(env.instances, self.instance);
            let refused = Answer::Failed(ClientError::Refused);
            answer_client(cx, from, env.callers, caller, refused);
        }
    }

    /// A page read of the background workload: served from the buffer
    /// cache if the page is there, else from storage at the current VDL.
    pub(crate) fn issue_read(&mut self, cx: &mut Ctx, env: &mut WriterEnv, wl: &mut Workload) {
        let page = wl.popularity.draw(&mut wl.rng);
        let now = cx.now();
        let server = &mut env.servers[self.instance.index()];
        server.run(now, cx.cfg.engine.cpu_per_read);
        if server.cache.touch(page) {
            cx.rec.cache_hits += 1;
            return;
        }
        self.start_read(cx, env, wl, page, false);
    }

    /// Starts a storage read of working-set page `page` at the current
    /// VDL.
    fn start_read(&mut self, cx: &mut Ctx, env: &WriterEnv, wl: &Workload, page: u64, fetch: bool) {
        let (pg, in_pg) = wl.working_set.locate(page);
        let now = cx.now();
        cx.rec.cache_misses += 1;
        let read = PendingRead {
            pg,
            page: in_pg,
            point: self.points.vdl(),
            need: self.points.last_record_below_vdl(pg),
            issued: now,
            attempt: 0,
            tries: 0,
            seg: None,
            sent_at: now,
            fetch,
        };
        let slot = self.add_read(read);
        cx.note(Note::ReadIssued {
            epoch: self.epoch,
            read: slot,
            pg,
            page: in_pg,
        });
        self.dispatch_read(cx, env, slot);
    }

    /// Sends (or resends) a read to one segment whose acknowledged SCL
    /// covers the read point, preferring the writer's own AZ (\[P17\] §4.2.3:
    /// no quorum read; the writer picks a complete segment).
    fn dispatch_read(&mut self, cx: &mut Ctx, env: &WriterEnv, slot: u32) {
        self.settle_acks(env.volume, cx.place());
        let now = cx.now();
        let Some(r) = self.reads[slot as usize].as_ref() else {
            return;
        };
        let (pg, point, need, page) = (r.pg, r.point, r.need, r.page);
        let home = env.instances[self.instance.index()].az;
        let mut choice: Option<(bool, SegmentId)> = None;
        for &s in &env.volume.pgs[pg.index()].members {
            if self.inbox.known()[s.index()] < need
                || self.avoid_until[s.index()] > now
                || !env.volume.segments[s.index()].hydrated
            {
                continue;
            }
            let remote = env.volume.node_of(s).az != home;
            if choice.is_none_or(|(best_remote, _)| best_remote && !remote) {
                choice = Some((remote, s));
            }
        }
        let r = self.reads[slot as usize].as_mut().expect("checked");
        r.tries += 1;
        r.attempt = self.next_attempt;
        self.next_attempt = self.next_attempt.wrapping_add(1);
        r.sent_at = now;
        r.seg = choice.map(|c| c.1);
        let attempt = r.attempt;
        if r.tries > 1 {
            cx.rec.read_retries += 1;
        }
        let Some((_, seg)) = choice else {
            return;
        };
        let ask = ReadAsk {
            seg,
            epoch: self.epoch,
            read: slot,
            attempt,
            page,
            point,
            need,
            reader: None,
        };
        let (from, to) = (
            instance_endpoint(env.instances, self.instance),
            env.volume.endpoint(seg),
        );
        cx.send(now, from, to, Event::ReadRequest { ask: Box::new(ask) });
    }

    /// A segment answered a read.
    pub(crate) fn on_read_reply(
        &mut self,
        cx: &mut Ctx,
        env: &mut WriterEnv,
        wl: &mut Workload,
        answer: ReadAnswer,
    ) {
        let ReadAnswer {
            read: slot,
            attempt,
            seg,
            result,
            ..
        } = answer;
        let now = cx.now();
        // The slot may be gone: a deposed writer drops its reads.
        let current = self
            .reads
            .get(slot as usize)
            .and_then(Option::as_ref)
            .is_some_and(|r| r.attempt == attempt);
        if !current {
            return;
        }
        match result {
            ReadResult::Page(content) => {
                let r = self.finish_read(slot).expect("current read");
                cx.rec.read(now, r.issued);
                cx.note(Note::ReadAnswered {
                    epoch: self.epoch,
                    read: slot,
                    content,
                });
                let page = wl.working_set.index(r.pg, r.page);
                self.page_arrived(cx, env, wl, page, r.fetch);
                if r.fetch && self.open {
                    self.admit_commits(cx, env, wl);
                    self.ship(cx, env);
                }
            }
            ReadResult::Incomplete => {
                self.avoid_until[seg.index()] = now + cx.cfg.workload.storage_read_timeout;
                self.dispatch_read(cx, env, slot);
            }
        }
    }

    /// Housekeeping: reads that got no answer are retried elsewhere, PGs
    /// without progress get a resend, and the PG pinning VCL during a
    /// stall is named. `healthy`: the control plane counts this writer
    /// serving.
    pub(crate) fn maintenance(&mut self, cx: &mut Ctx, env: &WriterEnv, healthy: bool) {
        let now = cx.now();
        let wl = &cx.cfg.workload;
        let (timeout, retry) = (wl.storage_read_timeout, wl.write_retry_interval);
        // Reads that got no answer: avoid that segment for a while, retry.
        for slot in 0..self.reads.len() as u32 {
            let Some(r) = self.reads[slot as usize].as_ref() else {
                continue;
            };
            if r.seg.is_none() || now.since(r.sent_at) >= timeout {
                if let Some(s) = r.seg {
                    self.avoid_until[s.index()] = now + timeout * SILENT_SEGMENT_AVOID;
                }
                self.dispatch_read(cx, env, slot);
            }
        }
        // PGs whose pending records made no progress: resend to the
        // segments that have not acknowledged them.
        for p in 0..env.volume.pgs.len() {
            let pg = PgId::from_index(p);
            let pending = self.points.pending(pg);
            if pending.len() == 0 {
                self.durable_at[p] = now;
            }
            if pending.len() == 0 || now.since(self.last_progress[p]) < retry {
                continue;
            }
            let records: Records = pending.take(RESEND_MAX).copied().collect();
            let last = records.last().expect("non-empty").lsn;
            let batch = self.batch(pg, self.points.pending_prev(pg), records);
            cx.rec.records_resent += batch.records.len() as u64;
            self.send_batch(cx, env, &batch, Some(last));
            self.last_progress[p] = now;
        }
        // A commit waiting beyond the threshold: name the PG pinning VCL.
        // Only a writer the control plane counts healthy: one cut off from
        // all storage is not held back by any one PG; nor are commits the
        // RPO guard holds, which are durable.
        if let Some(oldest) = self.oldest_allocated_commit() {
            let waits = now.since(oldest) > cx.rec.threshold();
            if waits && healthy && self.successor_vdl.is_none() && !self.rpo_hold {
                if let Some(pg) = self.points.vcl_blocker() {
                    cx.rec.vcl_blockers.insert(pg.0);
                }
            }
        }
    }

    /// The process is gone or restarting: it takes no more commits, and
    /// those it held are never answered. The time they waited beyond the
    /// stall threshold counts as unavailable.
    pub(crate) fn close(&mut self, cx: &mut Ctx) {
        self.abandon_waiting(cx);
        cx.rec
            .abandoned((self.commits.len() + self.backlog.len()) as u64);
        self.forget_reads(cx);
        self.open = false;
        self.commits.clear();
        self.backlog.clear();
    }

    /// The workload's reads leave this writer for its successor; commits
    /// waiting for pages those reads were fetching are given up.
    pub(crate) fn forget_reads(&mut self, cx: &mut Ctx) {
        cx.rec
            .abandoned((self.held_count() + self.ready.len()) as u64);
        self.ready.clear();
        self.held.clear();
        self.free_held.clear();
        self.fetches.clear();
        self.reads.clear();
        self.free_reads.clear();
    }

    /// The workload gives up on what this writer holds.
    pub(crate) fn abandon_waiting(&self, cx: &mut Ctx) {
        let now = cx.now();
        let (c, r) = (self.oldest_waiting_commit(), self.oldest_waiting_read());
        cx.rec.unfinished(now, c, r);
    }
}

/// The writers of every epoch that may still act.
#[derive(Clone, Debug)]
pub struct Writers {
    /// The writer of the newest epoch (closed while it recovers, or once
    /// its instance is gone).
    pub current: Writer,
    /// Writers of older epochs, oldest first, kept until a recovery has
    /// settled what became of their records; one whose instance still runs
    /// keeps acting (fenced by its epoch) until it learns it was replaced.
    pub deposed: Vec<Writer>,
    /// The newest volume epoch handed out.
    pub latest_epoch: u32,
    /// Whether a global database's RPO guard holds the cluster's commits:
    /// a writer that takes over holds them too.
    pub held: bool,
}

impl Writers {
    /// The first writer, of epoch 1.
    pub fn new(first: Writer) -> Self {
        Writers {
            latest_epoch: first.epoch,
            current: first,
            deposed: Vec::new(),
            held: false,
        }
    }

    /// Every writer: the current one first, then the deposed ones.
    pub fn iter(&self) -> impl Iterator<Item = &Writer> {
        std::iter::once(&self.current).chain(&self.deposed)
    }

    /// The same, mutably.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Writer> {
        std::iter::once(&mut self.current).chain(&mut self.deposed)
    }

    /// The writer of `epoch`, if its process still runs: messages for a
    /// writer whose process is gone are dropped.
    pub fn running_mut(&mut self, epoch: u32, instances: &[Instance]) -> Option<&mut Writer> {
        if epoch == self.current.epoch {
            return self.current.alive(instances).then_some(&mut self.current);
        }
        self.deposed
            .iter_mut()
            .find(|w| w.epoch == epoch && w.alive(instances))
    }

    /// The epoch of the writer running on `inst`, if one is.
    pub fn running_on(&self, inst: InstanceId, instances: &[Instance]) -> Option<u32> {
        self.writer_on(inst, instances).map(|w| w.epoch)
    }

    /// The writer running on `inst`, if one is.
    pub fn writer_on(&self, inst: InstanceId, instances: &[Instance]) -> Option<&Writer> {
        self.iter()
            .find(|w| w.instance == inst && w.alive(instances))
    }

    /// What the primary's storage holds for a global database's
    /// replication: the VDL of the newest recovered writer, when it was
    /// reached, and the commits at or below it acknowledged (`acked` so
    /// far) or held by the RPO guard for acknowledgement.
    pub(crate) fn primary_point(&self, acked: u64) -> (Lsn, SimTime, u64) {
        let w = self.last_recovered();
        let vdl = w.points.vdl();
        (vdl, w.vdl_at, acked + w.waiting_through(vdl))
    }

    /// The points of the newest writer that finished its recovery: what
    /// was acknowledged last, even while a successor is still recovering.
    pub fn last_points(&self) -> &LsnPoints {
        &self.last_recovered().points
    }

    /// The newest writer that finished its recovery.
    pub fn last_recovered(&self) -> &Writer {
        self.iter()
            .filter(|w| w.points.recovered())
            .max_by_key(|w| w.epoch)
            .unwrap_or(&self.current)
    }
}

/// Where the writers are: a read-only view for routing messages to the
/// writer of an epoch.
#[derive(Clone, Copy)]
pub(crate) struct Hosts<'a> {
    writers: &'a Writers,
    instances: &'a [Instance],
}

impl<'a> Hosts<'a> {
    /// A view of the writers and the instances they run on.
    pub fn new(writers: &'a Writers, instances: &'a [Instance]) -> Self {
        Hosts { writers, instances }
    }

    /// Whether the newest epoch's writer runs and takes commits.
    pub fn current_writer_open(&self) -> bool {
        self.writers.current.open && self.current_writer_alive()
    }
}

impl Routes for Hosts<'_> {
    #[inline]
    fn instance(&self, inst: InstanceId) -> Endpoint {
        instance_endpoint(self.instances, inst)
    }

    #[inline]
    fn writer_of_epoch(&self, epoch: u32) -> Option<Endpoint> {
        self.writers
            .iter()
            .find(|w| w.epoch == epoch)
            .map(|w| self.instance(w.instance))
    }

    #[inline]
    fn current_writer(&self) -> Endpoint {
        self.instance(self.writers.current.instance)
    }

    #[inline]
    fn current_writer_alive(&self) -> bool {
        self.writers.current.alive(self.instances)
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
