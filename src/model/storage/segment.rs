//! A segment: one copy of one protection group, on one storage node.
//!
//! The foreground path is short (\[P17\] §3.3, steps 1–2): receive a batch,
//! append it to the log if it continues the chain, persist, acknowledge with
//! the SCL. Everything else is background: batches that arrive ahead of a gap
//! are parked until gossip with a peer fills the gap, and records are
//! coalesced into pages ("materialized") periodically, never beyond the
//! writer's minimum read point, so any outstanding read can still be served
//! at its read point.
//!
//! Persistence is FIFO per segment: a crash keeps exactly the records whose
//! persist completed before it, and loses the rest of the in-memory queue.

use std::collections::{BTreeMap, VecDeque};
use std::ops::RangeInclusive;
use std::rc::Rc;

use super::lsn::{Batch, Lsn};
use super::page::{DistinctPages, PageMap};
use crate::sim::SimTime;
use crate::vocab::ids::{NodeId, PgId, SegmentId};

/// A slice `from..to` of a batch's records, all in this segment's chain.
#[derive(Clone, Debug)]
pub struct LogSlice {
    batch: Rc<Batch>,
    from: u32,
    to: u32,
}

impl LogSlice {
    /// The whole batch.
    pub fn whole(batch: Rc<Batch>) -> Self {
        let to = batch.records.len() as u32;
        LogSlice { batch, from: 0, to }
    }

    fn records(&self) -> &[super::lsn::Record] {
        &self.batch.records[self.from as usize..self.to as usize]
    }

    fn prev(&self) -> Lsn {
        if self.from == 0 {
            self.batch.prev
        } else {
            self.batch.records[self.from as usize - 1].lsn
        }
    }

    fn last(&self) -> Lsn {
        self.records().last().map_or(self.prev(), |r| r.lsn)
    }

    /// The part of this slice above `lsn`, if any.
    fn above(&self, lsn: Lsn) -> Option<LogSlice> {
        self.within(lsn, Lsn(u64::MAX))
    }

    /// The part of this slice above `after` and at or below `upto`, if any.
    fn within(&self, after: Lsn, upto: Lsn) -> Option<LogSlice> {
        let records = self.records();
        let from = self.from + records.partition_point(|r| r.lsn <= after) as u32;
        let to = self.from + records.partition_point(|r| r.lsn <= upto) as u32;
        (from < to).then(|| LogSlice {
            batch: self.batch.clone(),
            from,
            to,
        })
    }
}

/// What a segment did with an incoming batch.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Accept {
    /// Appended (with any parked batches it unblocked); SCL is now this.
    Appended(Lsn),
    /// Already held; the SCL is unchanged.
    Duplicate(Lsn),
    /// It follows a gap; parked until the gap is filled.
    Gap,
    /// It carries an older volume epoch and was refused (fencing).
    StaleEpoch,
}

/// What a segment answers to a page read.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ReadResult {
    /// The page's content at the read point.
    Page(u64),
    /// The segment does not yet hold every record up to the read point.
    Incomplete,
}

/// Records a segment lacks: those above the first LSN, up to and
/// including the last.
pub type Gap = RangeInclusive<Lsn>;

/// What a peer sends to fill a gap.
#[derive(Clone, Debug)]
pub enum GossipPayload {
    /// The records above the asker's SCL.
    Records(Vec<LogSlice>),
    /// The peer has already coalesced past the asker's SCL: its pages and log.
    Snapshot {
        /// Materialized pages.
        pages: PageMap,
        /// LSN they are materialized to.
        applied: Lsn,
        /// Records above `applied`.
        log: Vec<LogSlice>,
        /// The peer's epochs (see [`Segment::epochs`]).
        epochs: (u32, u32),
    },
}

impl GossipPayload {
    /// Bytes it moves: its records, and a snapshot's written pages.
    pub fn bytes(&self, record_bytes: u64, page_bytes: u64) -> u64 {
        let records = |log: &[LogSlice]| log.iter().map(|s| s.records().len() as u64).sum::<u64>();
        match self {
            GossipPayload::Records(log) => records(log) * record_bytes,
            GossipPayload::Snapshot { pages, log, .. } => {
                pages.written() as u64 * page_bytes + records(log) * record_bytes
            }
        }
    }
}

/// One copy of a PG.
#[derive(Clone, Debug)]
pub struct Segment {
    /// The PG it is a copy of.
    pub pg: PgId,
    /// The node it lives on.
    pub node: NodeId,
    /// Whether its data has been copied in; a segment created by repair
    /// takes writes but does not count until hydrated.
    pub hydrated: bool,
    /// Whether a gossip timer is pending.
    pub gossip_armed: bool,
    /// When its unanswered gossip pull went out, if one is out.
    pub pull_out: Option<SimTime>,
    /// Peers of its PG that asked it to fill a gap: the SCL each asked
    /// from, and when it last asked.
    peer_needs: Vec<(SegmentId, Lsn, SimTime)>,
    /// Answers to peers' pulls still being read and sent: to whom, and
    /// when the last of it leaves.
    answering: Vec<(SegmentId, SimTime)>,
    /// Whether a materialize timer is pending.
    pub materialize_armed: bool,
    scl: Lsn,
    persisted_scl: Lsn,
    /// Persists in progress: (completion time, SCL once complete).
    inflight: VecDeque<(SimTime, Lsn)>,
    last_persist: SimTime,
    /// When the last write started on the disk; before then, new records
    /// can still join it.
    queued_until: SimTime,
    log: VecDeque<LogSlice>,
    parked: BTreeMap<Lsn, LogSlice>,
    pages: PageMap,
    applied: Lsn,
    min_read_point: Lsn,
    epoch: u32,
    cut_epoch: u32,
}

/// The epochs a segment knows of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SegmentEpochs {
    /// The newest volume epoch it has seen: it serves that epoch's writer
    /// and refuses older ones.
    pub serving: u32,
    /// The newest epoch whose truncation it has applied.
    pub truncated: u32,
}

/// What a segment tells a recovering writer (\[P17\] §4.3): enough to find,
/// with the other segments of a read quorum, every durable record.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecoveryInfo {
    /// SCL of what is on disk.
    pub scl: Lsn,
    /// The newest minimum read point a writer sent: a VDL it had reached,
    /// so every record at or below it is durable.
    pub min_read_point: Lsn,
    /// LSN pages are materialized to (the log holds everything above).
    pub applied: Lsn,
    /// LSNs of the persisted chain above `applied`, in order.
    pub lsns: Vec<Lsn>,
}

impl Segment {
    /// An empty copy of `pg` on `node`.
    pub fn new(pg: PgId, node: NodeId, hydrated: bool) -> Self {
        Segment {
            pg,
            node,
            hydrated,
            gossip_armed: false,
            pull_out: None,
            peer_needs: Vec::new(),
            answering: Vec::new(),
            materialize_armed: false,
            scl: Lsn(0),
            persisted_scl: Lsn(0),
            inflight: VecDeque::new(),
            last_persist: SimTime::ZERO,
            queued_until: SimTime::ZERO,
            log: VecDeque::new(),
            parked: BTreeMap::new(),
            pages: PageMap::default(),
            applied: Lsn(0),
            min_read_point: Lsn(0),
            epoch: 0,
            cut_epoch: 0,
        }
    }

    /// A copy of `source`'s data up to `upto` on `node`, on disk, serving
    /// `epoch`: a secondary region's copy of a PG, as its replication agent
    /// wrote it, when the region is promoted. `source` has materialized no
    /// further than `upto` (the primary kept its log until the region
    /// stored it).
    pub fn copy_upto(source: &Segment, node: NodeId, upto: Lsn, epoch: u32) -> Self {
        debug_assert!(source.applied <= upto, "pages materialized past the copy");
        let mut copy = Segment::new(source.pg, node, true);
        copy.pages = source.pages.clone();
        copy.applied = source.applied;
        copy.log = source.log.clone();
        copy.scl = source.log.back().map_or(source.applied, LogSlice::last);
        copy.truncate(epoch, upto);
        copy.persisted_scl = copy.scl;
        // What the source knew durable, as far as the copy holds it.
        copy.min_read_point = source.min_read_point.min(upto);
        copy
    }

    /// The newest volume epoch seen, and the newest whose truncation has
    /// been applied.
    pub fn epochs(&self) -> SegmentEpochs {
        SegmentEpochs {
            serving: self.epoch,
            truncated: self.cut_epoch,
        }
    }

    /// Takes on a newer volume epoch (\[P18\]): from now on, batches of an
    /// older epoch are refused.
    pub fn adopt_epoch(&mut self, epoch: u32) {
        self.epoch = self.epoch.max(epoch);
    }

    /// Applies the truncation of `epoch` (\[P17\] §4.3): every record above
    /// `above` belongs to a writer that recovery superseded, and goes.
    pub fn truncate(&mut self, epoch: u32, above: Lsn) {
        self.adopt_epoch(epoch);
        self.cut_epoch = self.cut_epoch.max(epoch);
        self.parked.clear();
        if self.scl <= above {
            return;
        }
        self.cut_log_above(above);
        self.scl = self.log.back().map_or(self.applied, LogSlice::last);
        self.persisted_scl = self.persisted_scl.min(self.scl);
        for f in &mut self.inflight {
            f.1 = f.1.min(self.scl);
        }
    }

    /// Drops every log record above `lsn`.
    fn cut_log_above(&mut self, lsn: Lsn) {
        while let Some(last) = self.log.back_mut() {
            if last.prev() >= lsn {
                self.log.pop_back();
            } else {
                let cut = last.records().partition_point(|r| r.lsn <= lsn) as u32;
                last.to = last.from + cut;
                break;
            }
        }
    }

    /// What this segment holds on disk, for a recovering writer.
    pub fn recovery_info(&mut self, now: SimTime) -> RecoveryInfo {
        self.settle(now);
        let scl = self.persisted_scl;
        RecoveryInfo {
            scl,
            min_read_point: self.min_read_point,
            applied: self.applied,
            lsns: self
                .log
                .iter()
                .flat_map(|s| s.records())
                .map(|r| r.lsn)
                .take_while(|&l| l <= scl)
                .collect(),
        }
    }

    /// SCL, including records whose persist is still in progress.
    pub fn scl(&self) -> Lsn {
        self.scl
    }

    /// SCL of what has reached disk by `now`.
    pub fn persisted_scl(&mut self, now: SimTime) -> Lsn {
        self.settle(now);
        self.persisted_scl
    }

    /// SCL of what had reached disk when the segment last settled its
    /// finished persists (materialization, a crash, a read, a recovery
    /// probe): what it knows to be durable, without looking at `now`.
    pub fn durable_scl(&self) -> Lsn {
        self.persisted_scl
    }

    /// Whether batches are parked behind a gap.
    pub fn has_gap(&self) -> bool {
        !self.parked.is_empty()
    }

    /// The records it lacks below its highest parked batch, lowest first:
    /// each gap runs from the last record it holds to the one the next
    /// parked batch follows.
    pub fn gaps(&self) -> Vec<Gap> {
        let mut top = self.scl;
        let mut gaps = Vec::new();
        for s in self.parked.values() {
            if s.prev() > top {
                gaps.push(top..=s.prev());
            }
            top = top.max(s.last());
        }
        gaps
    }

    /// Whether records await materialization.
    pub fn has_log(&self) -> bool {
        !self.log.is_empty()
    }

    /// Whether another materialization pass could apply more without new
    /// input: only while persists are still completing. Records held back
    /// by the minimum read point wait for the next batch, which brings a
    /// newer one.
    pub fn can_materialize_more(&self) -> bool {
        !self.log.is_empty() && !self.inflight.is_empty()
    }

    /// Takes in a batch from the writer.
    pub fn receive(&mut self, batch: Rc<Batch>) -> Accept {
        if batch.epoch < self.epoch {
            return Accept::StaleEpoch;
        }
        self.epoch = batch.epoch;
        self.min_read_point = self.min_read_point.max(batch.min_read_point);
        self.offer(LogSlice::whole(batch))
    }

    fn offer(&mut self, slice: LogSlice) -> Accept {
        if slice.last() <= self.scl {
            return Accept::Duplicate(self.scl);
        }
        if slice.prev() > self.scl {
            self.parked.entry(slice.prev()).or_insert(slice);
            return Accept::Gap;
        }
        self.append(slice);
        // Each append may unblock parked batches; take every one that now
        // overlaps or continues the chain, dropping those it covers.
        while let Some((&prev, _)) = self.parked.first_key_value() {
            if prev > self.scl {
                break;
            }
            let (_, s) = self.parked.pop_first().expect("peeked");
            if s.last() > self.scl {
                self.append(s);
            }
        }
        Accept::Appended(self.scl)
    }

    fn append(&mut self, slice: LogSlice) {
        let s = slice
            .above(self.scl)
            .expect("appended slice extends the chain");
        self.scl = s.last();
        self.log.push_back(s);
    }

    /// Whether records have arrived that no persist has been started for.
    pub fn needs_persist(&self) -> bool {
        let queued = self
            .inflight
            .back()
            .map_or(self.persisted_scl, |&(_, scl)| scl);
        self.scl > queued
    }

    /// When everything received so far is on disk, if no new persist is
    /// needed (see [`Segment::needs_persist`]).
    pub fn persisted_by(&self, now: SimTime) -> SimTime {
        self.last_persist.max(now)
    }

    /// Starts persisting everything received so far: the write waits on
    /// the node's disk from now to `start`, holds it until `turn`, and
    /// completes `service` (the disk time drawn for it) later. Returns
    /// when it completes.
    pub fn persist(
        &mut self,
        start: SimTime,
        turn: SimTime,
        service: crate::sim::SimDuration,
    ) -> SimTime {
        let done = (turn + service).max(self.last_persist);
        self.last_persist = done;
        self.queued_until = start;
        self.inflight.push_back((done, self.scl));
        done
    }

    /// If the segment's last write is still waiting for the disk at
    /// `now`, everything received so far joins it; returns when it
    /// completes.
    pub fn join_queued_persist(&mut self, now: SimTime) -> Option<SimTime> {
        if now >= self.queued_until || !self.needs_persist() {
            return None;
        }
        let last = self.inflight.back_mut()?;
        last.1 = self.scl;
        Some(last.0)
    }

    fn settle(&mut self, now: SimTime) {
        while let Some(&(done, scl)) = self.inflight.front() {
            if done > now {
                break;
            }
            self.persisted_scl = scl;
            self.inflight.pop_front();
        }
    }

    /// The node crashed at `now`: keep what reached disk, lose the rest.
    pub fn crash(&mut self, now: SimTime) {
        self.settle(now);
        self.inflight.clear();
        self.parked.clear();
        self.last_persist = now;
        let keep = self.persisted_scl;
        self.cut_log_above(keep);
        self.scl = keep;
    }

    /// Coalesces persisted records up to the minimum read point into pages.
    /// Returns how many records were applied; `touched` counts the
    /// distinct pages the pass writes.
    ///
    /// Records a peer asked for at or after `heard_since` are kept in the
    /// log: \[P17\] §4.2.3 lets storage coalesce and collect records below
    /// the minimum read point, but a segment that folded into its pages
    /// what a lagging peer still lacks could only send that peer a copy
    /// of every page, and under a lossy link such copies come faster than
    /// the peer's disk writes them.
    pub fn materialize(
        &mut self,
        now: SimTime,
        heard_since: SimTime,
        touched: &mut DistinctPages,
    ) -> usize {
        self.settle(now);
        self.peer_needs.retain(|&(_, _, at)| at >= heard_since);
        let lagging = self.peer_needs.iter().map(|&(_, scl, _)| scl).min();
        let limit = self
            .persisted_scl
            .min(self.min_read_point)
            .min(lagging.unwrap_or(Lsn(u64::MAX)));
        let mut applied = 0;
        while let Some(front) = self.log.front_mut() {
            let records = front.records();
            let n = records.partition_point(|r| r.lsn <= limit);
            for r in &records[..n] {
                self.pages.apply(r.page as u64, r.lsn);
                self.applied = r.lsn;
                touched.touch(r.page);
            }
            applied += n;
            if n == records.len() {
                self.log.pop_front();
            } else {
                front.from += n as u32;
                break;
            }
        }
        applied
    }

    /// Reads `page` as of `point`, materializing on demand from the log.
    /// `need` is the PG's last record at or below `point`: the segment is
    /// complete for the read once its SCL reaches it.
    pub fn read(&self, page: u32, point: Lsn, need: Lsn) -> ReadResult {
        // It must prove it holds the read point: every record of the PG up
        // to it, and none folded into its pages beyond it (a request that
        // was delayed past the writer's minimum read point).
        if need > self.scl || !self.hydrated || self.applied > point {
            return ReadResult::Incomplete;
        }
        let mut content = self.pages.get(page as u64);
        'log: for slice in &self.log {
            for r in slice.records() {
                if r.lsn > point {
                    break 'log;
                }
                if r.page == page {
                    content = super::page::fold(content, r.lsn);
                }
            }
        }
        ReadResult::Page(content)
    }

    /// Notes that `peer`, with SCL `scl`, asked at `now` to fill a gap.
    pub fn heard_need(&mut self, peer: SegmentId, scl: Lsn, now: SimTime) {
        match self.peer_needs.iter_mut().find(|(p, ..)| *p == peer) {
            Some(need) => *need = (peer, scl, now),
            None => self.peer_needs.push((peer, scl, now)),
        }
    }

    /// Whether an answer to `peer` is still leaving at `now`. A peer gets
    /// one answer at a time: a pull repeated while the last answer is
    /// still queued on this node's disk or NIC would only queue the same
    /// records (or the same copy of every page) again behind it.
    pub fn still_answering(&mut self, peer: SegmentId, now: SimTime) -> bool {
        self.answering.retain(|&(_, leaves)| leaves > now);
        self.answering.iter().any(|&(p, _)| p == peer)
    }

    /// Notes that an answer to `peer` leaves at `leaves`.
    pub fn answers(&mut self, peer: SegmentId, leaves: SimTime) {
        self.answering.push((peer, leaves));
    }

    /// What this segment can give a peer at SCL `since` with `gaps`, if
    /// it holds more than `since`. Only the gaps' records are sent: a
    /// segment behind a lossy link holds most of what follows its SCL
    /// parked, and sending that again would cost its disk the more the
    /// further behind it is.
    pub fn gossip_for(&self, since: Lsn, gaps: &[Gap]) -> Option<GossipPayload> {
        if self.scl <= since || !self.hydrated {
            return None;
        }
        if since >= self.applied {
            let mut slices = Vec::new();
            let mut rest = gaps;
            for s in &self.log {
                // Gaps wholly below this slice are done with.
                while rest.first().is_some_and(|g| *g.end() <= s.prev()) {
                    rest = &rest[1..];
                }
                for g in rest.iter().take_while(|g| *g.start() < s.last()) {
                    slices.extend(s.within(*g.start(), *g.end()));
                }
            }
            Some(GossipPayload::Records(slices))
        } else {
            Some(self.snapshot())
        }
    }

    /// A full copy of this segment's data, for repair.
    pub fn snapshot(&self) -> GossipPayload {
        GossipPayload::Snapshot {
            pages: self.pages.clone(),
            applied: self.applied,
            log: self.log.iter().cloned().collect(),
            epochs: (self.epoch, self.cut_epoch),
        }
    }

    /// Takes in what a peer sent. Returns the new SCL if it grew.
    pub fn merge(&mut self, payload: GossipPayload) -> Option<Lsn> {
        let before = self.scl;
        match payload {
            GossipPayload::Records(slices) => {
                for s in slices {
                    self.offer(s);
                }
            }
            GossipPayload::Snapshot {
                pages,
                applied,
                log,
                epochs,
            } => {
                let last = log.last().map_or(applied, LogSlice::last);
                self.epoch = self.epoch.max(epochs.0);
                self.cut_epoch = self.cut_epoch.max(epochs.1);
                if last > self.scl {
                    self.pages = pages;
                    self.applied = applied;
                    self.log = log.into();
                    self.scl = last;
                    self.hydrated = true;
                    let parked = std::mem::take(&mut self.parked);
                    for s in parked.into_values() {
                        self.offer(s);
                    }
                }
            }
        }
        (self.scl > before).then_some(self.scl)
    }
}

#[cfg(test)]
mod tests {
    use super::super::lsn::Record;
    use super::*;
    use crate::sim::SimDuration;

    fn batch(prev: u64, lsns: &[u64]) -> Rc<Batch> {
        Rc::new(Batch {
            pg: PgId(0),
            prev: Lsn(prev),
            records: lsns
                .iter()
                .map(|&l| Record {
                    lsn: Lsn(l),
                    page: (l % 3) as u32,
                })
                .collect(),
            min_read_point: Lsn(0),
            epoch: 1,
        })
    }

    #[test]
    fn scl_follows_back_links_and_parks_after_a_gap() {
        let mut s = Segment::new(PgId(0), NodeId(0), true);
        assert_eq!(s.receive(batch(0, &[1, 2])), Accept::Appended(Lsn(2)));
        assert_eq!(s.receive(batch(5, &[7])), Accept::Gap);
        assert_eq!(s.scl(), Lsn(2));
        assert_eq!(s.receive(batch(2, &[4, 5])), Accept::Appended(Lsn(7)));
        assert_eq!(s.receive(batch(2, &[4, 5])), Accept::Duplicate(Lsn(7)));
    }

    #[test]
    fn older_epoch_is_refused() {
        let mut s = Segment::new(PgId(0), NodeId(0), true);
        let mut b = (*batch(0, &[1])).clone();
        b.epoch = 3;
        s.receive(Rc::new(b.clone()));
        b.epoch = 2;
        b.prev = Lsn(1);
        b.records[0].lsn = Lsn(2);
        assert_eq!(s.receive(Rc::new(b)), Accept::StaleEpoch);
        assert_eq!(s.scl(), Lsn(1));
    }

    #[test]
    fn crash_keeps_only_persisted_records() {
        let mut s = Segment::new(PgId(0), NodeId(0), true);
        let t0 = SimTime::ZERO;
        s.receive(batch(0, &[1, 2]));
        s.persist(t0, t0, SimDuration::from_millis(1));
        s.receive(batch(2, &[3]));
        s.persist(t0, t0, SimDuration::from_millis(5));
        s.crash(t0 + SimDuration::from_millis(2));
        assert_eq!(s.scl(), Lsn(2));
        assert_eq!(s.receive(batch(2, &[3])), Accept::Appended(Lsn(3)));
    }

    #[test]
    fn reads_fold_the_log_on_demand_and_match_materialized_pages() {
        let mut s = Segment::new(PgId(0), NodeId(0), true);
        let mut b = (*batch(0, &[1, 2, 3, 4])).clone();
        b.min_read_point = Lsn(4);
        s.receive(Rc::new(b));
        let t = s.persist(SimTime::ZERO, SimTime::ZERO, SimDuration::from_millis(1));
        let before = s.read(1, Lsn(4), Lsn(4));
        let mut touched = DistinctPages::default();
        touched.start();
        assert_eq!(s.materialize(t, SimTime::ZERO, &mut touched), 4);
        // LSNs 1 and 4 both write page 1.
        assert_eq!(touched.count(), 3);
        assert_eq!(s.read(1, Lsn(4), Lsn(4)), before);
        assert_eq!(s.read(1, Lsn(9), Lsn(9)), ReadResult::Incomplete);
        assert_ne!(s.read(1, Lsn(9), Lsn(4)), ReadResult::Incomplete);
        // Pages folded up to LSN 4 cannot show the state at LSN 2.
        assert_eq!(s.read(1, Lsn(2), Lsn(2)), ReadResult::Incomplete);
    }

    #[test]
    fn truncation_cuts_a_superseded_writers_records() {
        let mut s = Segment::new(PgId(0), NodeId(0), true);
        s.receive(batch(0, &[1, 2]));
        s.receive(batch(2, &[5, 7]));
        s.receive(batch(9, &[10])); // parked behind a gap
        let t = s.persist(SimTime::ZERO, SimTime::ZERO, SimDuration::from_millis(1));
        s.truncate(2, Lsn(5));
        assert_eq!((s.scl(), s.has_gap()), (Lsn(5), false));
        assert_eq!(s.recovery_info(t).lsns, vec![Lsn(1), Lsn(2), Lsn(5)]);
        // The old writer's epoch is refused; the new writer continues at 5.
        assert_eq!(s.receive(batch(7, &[8])), Accept::StaleEpoch);
        let mut b = (*batch(5, &[20])).clone();
        b.epoch = 2;
        assert_eq!(s.receive(Rc::new(b)), Accept::Appended(Lsn(20)));
    }

    #[test]
    fn recovery_reports_only_what_reached_disk() {
        let mut s = Segment::new(PgId(0), NodeId(0), true);
        s.receive(batch(0, &[1, 2]));
        s.persist(SimTime::ZERO, SimTime::ZERO, SimDuration::from_millis(1));
        s.receive(batch(2, &[3]));
        s.persist(SimTime::ZERO, SimTime::ZERO, SimDuration::from_millis(9));
        let info = s.recovery_info(SimTime::ZERO + SimDuration::from_millis(2));
        assert_eq!((info.scl, info.lsns.len()), (Lsn(2), 2));
    }

    #[test]
    fn records_a_lagging_peer_asked_for_are_not_folded_away() {
        let mut s = Segment::new(PgId(0), NodeId(0), true);
        let mut b = (*batch(0, &[1, 2, 3, 4])).clone();
        b.min_read_point = Lsn(4);
        s.receive(Rc::new(b));
        let t = s.persist(SimTime::ZERO, SimTime::ZERO, SimDuration::from_millis(1));
        s.heard_need(SegmentId(9), Lsn(2), t);
        let mut touched = DistinctPages::default();
        assert_eq!(s.materialize(t, t, &mut touched), 2);
        // The peer can still be sent records, not a copy of every page.
        let payload = s
            .gossip_for(Lsn(2), &[Lsn(2)..=Lsn(4)])
            .expect("s is ahead");
        assert!(matches!(payload, GossipPayload::Records(_)));
        // A peer that stopped asking no longer holds the log back.
        let later = t + SimDuration::from_secs(1);
        assert_eq!(s.materialize(later, later, &mut touched), 2);
        assert!(!s.has_log());
    }

    #[test]
    fn gossip_sends_every_gap_and_nothing_between() {
        let mut a = Segment::new(PgId(0), NodeId(0), true);
        let mut b = Segment::new(PgId(0), NodeId(1), true);
        a.receive(batch(0, &[1, 2, 3, 4, 5, 6, 7]));
        b.receive(batch(0, &[1]));
        b.receive(batch(2, &[3]));
        b.receive(batch(5, &[6, 7]));
        assert_eq!(b.gaps(), [Lsn(1)..=Lsn(2), Lsn(3)..=Lsn(5)]);
        let payload = a.gossip_for(b.scl(), &b.gaps()).expect("a is ahead");
        // Records 2, 4 and 5: not 3, 6 or 7, which b holds.
        assert_eq!(payload.bytes(1, 0), 3);
        assert_eq!(b.merge(payload), Some(Lsn(7)));
        assert!(b.gaps().is_empty());
    }

    #[test]
    fn gossip_fills_a_gap() {
        let mut a = Segment::new(PgId(0), NodeId(0), true);
        let mut b = Segment::new(PgId(0), NodeId(1), true);
        for s in [&mut a, &mut b] {
            s.receive(batch(0, &[1]));
        }
        a.receive(batch(1, &[2, 3]));
        a.receive(batch(3, &[4, 5]));
        b.receive(batch(3, &[4, 5]));
        assert!(b.has_gap());
        assert_eq!(b.gaps(), [Lsn(1)..=Lsn(3)]);
        let payload = a.gossip_for(b.scl(), &b.gaps()).expect("a is ahead");
        // Only the gap travels, not the records b already holds.
        assert_eq!(payload.bytes(1, 0), 2);
        assert_eq!(b.merge(payload), Some(Lsn(5)));
        assert!(!b.has_gap());
    }
}
