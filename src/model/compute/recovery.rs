//! Storage recovery by a writer that has just started ([P17] §4.3, [P18]).
//!
//! The writer takes a new volume epoch and sends it to every segment. A
//! segment adopts it (from then on it refuses the old writer's batches) and
//! answers, once what it has accepted is on disk, with its chain. When a
//! read quorum of every PG has answered, the writer computes the recovered
//! VDL (`storage::recovery::recover`), records the truncation of everything
//! above it up to the top of the allocation range the old writer could have
//! used, and opens for writes. Segments apply the truncation when they next
//! see the new epoch. Probes are resent to PGs short of a read quorum.

use crate::model::ids::{InstanceId, SegmentId};
use crate::model::storage::lsn::{Lsn, LsnPoints};
use crate::model::storage::recovery::recover;
use crate::model::storage::segment::RecoveryInfo;
use crate::model::writer::Writer;
use crate::model::{Event, World};
use crate::sim::SimDuration;

/// A recovery in progress.
#[derive(Debug)]
pub struct Recovery {
    /// The epoch it establishes.
    pub epoch: u32,
    /// Answers by segment id.
    answers: Vec<Option<RecoveryInfo>>,
    /// Answers per PG.
    counts: Vec<u32>,
    /// PGs still short of a read quorum of answers.
    short: usize,
}

/// How often probes are resent to PGs short of a read quorum. Modelling
/// choice: a storage round trip is a millisecond; a second lets a
/// partition or a crash show before the next attempt.
const PROBE_RETRY: SimDuration = SimDuration::from_secs(1);

impl World {
    /// `inst` has started as writer: take a new epoch and probe storage.
    pub(crate) fn start_recovery(&mut self, inst: InstanceId) {
        self.latest_epoch += 1;
        let epoch = self.latest_epoch;
        let incarnation = self.instances[inst.index()].incarnation;
        let placeholder = LsnPoints::new(0, self.scenario.storage.lsn_allocation_limit);
        let fresh = Writer::new(
            inst,
            incarnation,
            epoch,
            placeholder,
            self.volume.pgs.len(),
            self.volume.segments.len(),
        );
        self.abandon_waiting();
        let mut old = std::mem::replace(&mut self.writer, fresh);
        // The workload's reads move to the new writer with the rest of it.
        old.reads.clear();
        old.free_reads.clear();
        self.deposed.push(old);
        self.recovery = Some(Recovery {
            epoch,
            answers: vec![None; self.volume.segments.len()],
            counts: vec![0; self.volume.pgs.len()],
            short: self.volume.pgs.len(),
        });
        self.probe_storage(epoch);
    }

    /// Sends the epoch to every segment of every PG still short of a read
    /// quorum that has not answered, and arms the retry.
    fn probe_storage(&mut self, epoch: u32) {
        let Some(r) = self.recovery.as_ref().filter(|r| r.epoch == epoch) else {
            return;
        };
        let need = self.volume.quorum.read();
        let mut targets = Vec::new();
        for (p, g) in self.volume.pgs.iter().enumerate() {
            if r.counts[p] >= need {
                continue;
            }
            targets.extend(
                g.members
                    .iter()
                    .copied()
                    .filter(|s| r.answers[s.index()].is_none()),
            );
        }
        let now = self.engine.now();
        let from = self.writer_endpoint();
        for seg in targets {
            let to = self.seg_endpoint(seg);
            self.send(now, from, to, Event::RecoveryProbe { seg, epoch });
        }
        self.engine
            .after(PROBE_RETRY, Event::RecoveryRetry { epoch });
    }

    pub(crate) fn on_recovery_retry(&mut self, epoch: u32) {
        self.probe_storage(epoch);
    }

    /// A probe reaches a segment: it applies the truncations it has not
    /// yet seen, adopts the epoch, and answers once its log is on disk.
    pub(crate) fn on_recovery_probe(&mut self, seg: SegmentId, epoch: u32) {
        if !self.seg_up(seg) || !self.volume.segments[seg.index()].hydrated {
            return;
        }
        self.adopt_fences(seg, epoch);
        let now = self.engine.now();
        let s = &mut self.volume.segments[seg.index()];
        s.adopt_epoch(epoch);
        let done = s.persisted_by(now);
        let info = s.recovery_info(done);
        let incarnation = self.volume.node_of(seg).incarnation;
        let reply = Event::RecoveryReply(Box::new((seg, epoch, incarnation, info)));
        let (from, to) = (self.seg_endpoint(seg), self.writer_endpoint());
        self.send(done, from, to, reply);
    }

    pub(crate) fn on_recovery_reply(
        &mut self,
        seg: SegmentId,
        epoch: u32,
        incarnation: u32,
        info: RecoveryInfo,
    ) {
        if self.volume.node_of(seg).incarnation != incarnation || !self.writer_alive() {
            return;
        }
        let need = self.volume.quorum.read();
        let pg = self.volume.segments[seg.index()].pg;
        let Some(r) = self.recovery.as_mut().filter(|r| r.epoch == epoch) else {
            return;
        };
        if r.answers[seg.index()].is_some() {
            return;
        }
        r.answers[seg.index()] = Some(info);
        r.counts[pg.index()] += 1;
        if r.counts[pg.index()] == need {
            r.short -= 1;
            if r.short == 0 {
                self.finish_recovery();
            }
        }
    }

    /// Every PG has a read quorum of answers: compute the recovered VDL,
    /// truncate above it, and open the writer.
    fn finish_recovery(&mut self) {
        let r = self.recovery.take().expect("recovery in progress");
        let rpc = self.scenario.workload.records_per_commit as u64;
        let floor = r
            .answers
            .iter()
            .flatten()
            .map(|i| i.min_read_point)
            .max()
            .unwrap_or(Lsn(0));
        let best: Vec<&RecoveryInfo> = self
            .volume
            .pgs
            .iter()
            .map(|g| {
                g.members
                    .iter()
                    .filter_map(|s| r.answers[s.index()].as_ref())
                    .max_by_key(|i| i.scl)
                    .expect("a read quorum answered")
            })
            .collect();
        let truncated: Vec<(Lsn, Lsn)> = self.fences.iter().map(|f| (f.1, f.2)).collect();
        let out = recover(&best, floor, &truncated, rpc);
        let lal = self.scenario.storage.lsn_allocation_limit;
        // Resume above anything the old writers could have allocated
        // (their VDL + LAL is at most ours + LAL), keeping commit ends at
        // multiples of the commit size.
        let resume = Lsn((out.vdl.0 + lal).div_ceil(rpc) * rpc + 1);
        self.fences.push((r.epoch, out.vdl, resume));
        self.settle_superseded(out.vdl);
        self.writer.points = LsnPoints::resume(lal, out.vdl, resume, &out.tails);
        for (p, g) in self.volume.pgs.iter().enumerate() {
            for &s in &g.members {
                if let Some(i) = r.answers[s.index()].as_ref() {
                    self.writer.acked_scl[s.index()] = i.scl.min(out.tails[p]);
                }
            }
            self.writer.shipped[p] = out.tails[p];
        }
        let now = self.engine.now();
        self.writer.open = true;
        self.writer.vdl_at = now;
        self.rec.recoveries += 1;
        self.writer_opened();
    }

    /// What the recovery that reached `vdl` means for the writers it
    /// superseded: their records at or below it (outside truncated ranges)
    /// became committed, and any commit they acknowledged above it is lost.
    fn settle_superseded(&mut self, vdl: Lsn) {
        let rpc = self.scenario.workload.records_per_commit as u64;
        let fences = &self.fences;
        let truncated = |l: Lsn| fences.iter().any(|f| l > f.1 && l < f.2);
        let ws = self.working_set;
        for w in &mut self.deposed {
            if w.points.vdl() > vdl && w.superseded_at.is_none() {
                self.rec.lost_at_recovery += (w.points.vdl().0 - vdl.0) / rpc;
            }
            w.superseded_at.get_or_insert(vdl);
            let truth = &mut self.truth;
            w.points.pass_up_to(vdl, |a| {
                if !truncated(a.lsn) {
                    truth.apply(ws.index(a.pg, a.page), a.lsn);
                }
            });
        }
        let instances = &self.instances;
        self.deposed.retain(|w| w.alive(instances));
    }

    /// Applies to `seg` every truncation of an epoch up to `epoch` that it
    /// has not applied: it cuts at the lowest such truncation point, since
    /// everything it holds above that came from superseded writers.
    pub(crate) fn adopt_fences(&mut self, seg: SegmentId, epoch: u32) {
        let s = &mut self.volume.segments[seg.index()];
        let (_, cut) = s.epochs();
        let unseen = self.fences.iter().filter(|f| f.0 > cut && f.0 <= epoch);
        let folded = unseen.fold(None, |acc: Option<(u32, Lsn)>, &(e, above, _)| {
            Some(acc.map_or((e, above), |(n, a)| (n.max(e), a.min(above))))
        });
        if let Some((newest, above)) = folded {
            s.truncate(newest, above);
        }
    }
}
