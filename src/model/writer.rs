//! The writer's storage client: LSN allocation, group commit, quorum
//! tracking from acknowledgements, commit acknowledgement, and page reads
//! from a single segment.
//!
//! One `Writer` exists per volume epoch: the instance the control plane
//! made writer builds it when its process starts, and it lives on (as a
//! deposed writer, see `World::deposed`) while that instance keeps running
//! unaware that a newer epoch has fenced it.

use std::collections::VecDeque;
use std::sync::Arc;

use super::compute::{Instance, Role};
use super::ids::{ClientId, InstanceId, PgId, SegmentId};
use super::storage::lsn::{Batch, Lsn, LsnPoints, Record};
use crate::sim::SimTime;

/// A commit's origin: the background workload, or a client's request.
pub type Origin = Option<(ClientId, u32)>;

/// A commit that has its LSNs and waits for VDL.
#[derive(Clone, Copy, Debug)]
pub struct Commit {
    /// Its commit record's LSN.
    pub lsn: Lsn,
    /// When the application asked.
    pub arrival: SimTime,
    /// Who to answer.
    pub origin: Origin,
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
    /// The committed content at the read point.
    pub expected: u64,
    /// When the application asked.
    pub issued: SimTime,
    /// Attempt number; replies to older attempts are ignored.
    pub attempt: u32,
    /// Segment asked by the current attempt, if any could be.
    pub seg: Option<SegmentId>,
    /// When the current attempt was sent.
    pub sent_at: SimTime,
}

/// The writer's state.
#[derive(Debug)]
pub struct Writer {
    /// The instance it runs on.
    pub instance: InstanceId,
    /// That instance's process incarnation: the writer dies with it.
    pub incarnation: u32,
    /// Volume epoch stamped on every batch.
    pub epoch: u32,
    /// Whether it takes commits (its recovery is done, it is not closed).
    pub open: bool,
    /// The VDL a later recovery reached, once one superseded this writer:
    /// a commit it acknowledges above that is a split-brain commit.
    pub superseded_at: Option<Lsn>,
    /// When VDL last moved.
    pub vdl_at: SimTime,
    /// The `vdl_at` last streamed to readers.
    pub streamed_at: SimTime,
    /// Durability points.
    pub points: LsnPoints,
    /// Latest SCL each segment acknowledged, by segment id.
    pub acked_scl: Vec<Lsn>,
    /// Allocated commits awaiting VDL.
    pub commits: VecDeque<Commit>,
    /// Offered commits not yet allocated (LAL back-pressure).
    pub backlog: VecDeque<(SimTime, Origin)>,
    /// Records allocated since the last shipment, per PG, with the
    /// back-link of the first.
    pub buffers: Vec<(Lsn, Vec<Record>)>,
    /// PGs with buffered records, in first-touch order (may hold PGs whose
    /// buffer was shipped since; `listed` says which are really waiting).
    pub touched: Vec<PgId>,
    /// Whether each PG is in `touched`.
    pub listed: Vec<bool>,
    /// Last LSN shipped to each PG: a batch is in flight while PGCL is below.
    pub shipped: Vec<Lsn>,
    /// Last time each PG's PGCL moved (or its records were resent).
    pub last_progress: Vec<SimTime>,
    /// Reads in flight, by slot.
    pub reads: Vec<Option<PendingRead>>,
    /// Free read slots.
    pub free_reads: Vec<u32>,
    /// Until when each segment is avoided for reads after a timeout.
    pub avoid_until: Vec<SimTime>,
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
            superseded_at: None,
            vdl_at: SimTime::ZERO,
            streamed_at: SimTime::ZERO,
            points,
            acked_scl: vec![Lsn(0); segments],
            commits: VecDeque::new(),
            backlog: VecDeque::new(),
            buffers: vec![(Lsn(0), Vec::new()); pgs],
            touched: Vec::new(),
            listed: vec![false; pgs],
            shipped: vec![Lsn(0); pgs],
            last_progress: vec![SimTime::ZERO; pgs],
            reads: Vec::new(),
            free_reads: Vec::new(),
            avoid_until: vec![SimTime::ZERO; segments],
        }
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
    pub fn batch(&self, pg: PgId, prev: Lsn, records: Vec<Record>) -> Arc<Batch> {
        Arc::new(Batch {
            pg,
            prev,
            records,
            min_read_point: self.min_read_point(),
            epoch: self.epoch,
        })
    }

    /// The minimum read point: no outstanding read is below it, and no
    /// future read will be (they start at VDL).
    pub fn min_read_point(&self) -> Lsn {
        self.reads
            .iter()
            .flatten()
            .map(|r| r.point)
            .fold(self.points.vdl(), Lsn::min)
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
        let a = self.commits.front().map(|c| c.arrival);
        let b = self.backlog.front().map(|b| b.0);
        match (a, b) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        }
    }

    /// Issue time of the oldest read in flight.
    pub fn oldest_waiting_read(&self) -> Option<SimTime> {
        self.reads.iter().flatten().map(|r| r.issued).min()
    }

    /// Commits offered and not yet acknowledged.
    pub fn waiting(&self) -> u64 {
        (self.commits.len() + self.backlog.len()) as u64
    }
}
