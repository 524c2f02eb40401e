//! Storage recovery by a writer that has just started (\[P17\] §4.3, \[P18\]).
//!
//! The writer takes a new volume epoch and sends it to every segment. A
//! segment adopts it (from then on it refuses the old writer's batches) and
//! answers, once what it has accepted is on disk, with its chain. When a
//! read quorum of every PG has answered, the writer computes the recovered
//! VDL (`storage::recovery::recover`), records the truncation of everything
//! above it up to the top of the allocation range the old writer could have
//! used, and opens for writes. Segments apply the truncation when they next
//! see the new epoch. Probes are resent to PGs short of a read quorum.

use super::instance::Instance;
use super::server::Server;
use super::writer::{Hosts, Writer, Writers};
use crate::model::context::Ctx;
use crate::model::event::{Event, RecoveryReply};
use crate::model::note::Note;
use crate::model::order::Order;
use crate::model::routes::Routes;
use crate::model::storage::lsn::{Lsn, LsnPoints};
use crate::model::storage::recovery::{recover, resume_point, Recovered, Truncation};
use crate::model::storage::segment::RecoveryInfo;
use crate::model::storage::volume::Volume;
use crate::sim::{SimDuration, SimTime};
use crate::vocab::ids::InstanceId;

/// What a recovery works with: the writers (the new one it sets up, the
/// deposed ones it settles), the instances they run on and their
/// machines, and storage as it stands (its volume and the truncations
/// earlier recoveries recorded), read only.
pub(crate) struct Writing<'a> {
    /// The writers of every epoch that may still act.
    pub writers: &'a mut Writers,
    /// The recovery in progress.
    pub recovery: &'a mut Option<Recovery>,
    /// DB instances, in scenario order.
    pub instances: &'a [Instance],
    /// Every instance's machine.
    pub servers: &'a mut [Server],
    /// Storage's nodes, segments and protection groups.
    pub volume: &'a Volume,
    /// Truncations recorded by earlier recoveries, oldest first.
    pub truncations: &'a [Truncation],
}

impl Writing<'_> {
    fn hosts(&self) -> Hosts<'_> {
        Hosts::new(self.writers, self.instances)
    }
}

/// A recovery in progress.
#[derive(Clone, Debug)]
pub struct Recovery {
    /// The epoch it establishes.
    pub epoch: u32,
    /// Answers by segment id.
    answers: Vec<Option<RecoveryInfo>>,
    /// Answers per PG.
    counts: Vec<u32>,
    /// PGs still short of a read quorum of answers.
    short: usize,
    /// When the last new answer arrived (or the recovery began).
    progressed: SimTime,
    /// Every PG has a read quorum of answers, but they reach a lower VDL
    /// than an earlier recovery established: the copies that hold the
    /// rest have not answered yet, so every member is asked.
    widened: bool,
}

/// How often probes are resent to PGs short of a read quorum. Modelling
/// choice: a storage round trip is a millisecond; a second lets a
/// partition or a crash show before the next attempt.
const PROBE_RETRY: SimDuration = SimDuration::from_secs(1);

/// Probe rounds without a single new answer after which a recovery counts
/// as stalled: if storage is then out of its reach, its instance stops
/// answering health checks as healthy, so the control plane gives the
/// attempt up and tries another instance. Modelling choice: \[P17\] §4.3 has
/// recovery finish in seconds, so five silent rounds are not slowness.
const STALLED_ROUNDS: u64 = 5;

/// Writer CPU to examine one segment's answer: parse it and merge its
/// chain into the PG's state. Modelling choice: a few hundred bytes of
/// message, tens of microseconds. With [`RECOVERY_PER_RECORD`] it makes a
/// recovery's cost grow with the PGs to probe and the records above the
/// durable point, spread over the instance's vCPUs as \[P17\] §4.3 has
/// recovery run in parallel.
const RECOVERY_PER_ANSWER: SimDuration = SimDuration::from_micros(20);

/// Writer CPU per record of a segment's chain above its materialized
/// pages: each is checked against the chain's back-links and, above the
/// recovered VDL, marked for truncation. Modelling choice.
const RECOVERY_PER_RECORD: SimDuration = SimDuration::from_micros(1);

/// How long a recovery goes without a new answer before it is stalled.
pub const STALL: SimDuration = SimDuration::from_nanos(PROBE_RETRY.as_nanos() * STALLED_ROUNDS);

impl Recovery {
    /// Whether no new answer has arrived for [`STALL`].
    pub fn stalled(&self, now: SimTime) -> bool {
        now.since(self.progressed) >= STALL
    }
}

impl Recovery {
    /// `inst` has started as writer: it takes a new epoch and probes
    /// storage. The writer it replaces is deposed.
    pub(crate) fn begin(cx: &mut Ctx, f: &mut Writing, inst: InstanceId) {
        f.writers.latest_epoch += 1;
        let epoch = f.writers.latest_epoch;
        let incarnation = f.instances[inst.index()].incarnation;
        let placeholder = LsnPoints::new(0, cx.cfg.storage.lsn_allocation_limit);
        let volume = f.volume;
        let mut fresh = Writer::new(
            inst,
            incarnation,
            epoch,
            placeholder,
            volume.pgs.len(),
            volume.segments.len(),
        );
        f.writers.current.abandon_waiting(cx);
        // The RPO guard holds the cluster's commits, whoever writes them.
        fresh.rpo_hold = f.writers.held;
        fresh.shipped = f.writers.current.shipped;
        let mut old = std::mem::replace(&mut f.writers.current, fresh);
        // The workload's reads move to the new writer with the rest of it.
        old.forget_reads(cx);
        old.streams = false;
        old.redo = Vec::new();
        f.writers.deposed.push(old);
        *f.recovery = Some(Recovery {
            epoch,
            answers: vec![None; volume.segments.len()],
            counts: vec![0; volume.pgs.len()],
            short: volume.pgs.len(),
            progressed: cx.now(),
            widened: false,
        });
        Recovery::probe(cx, f, epoch);
    }

    /// Sends the epoch to every segment of every PG still short of a read
    /// quorum that has not answered, and arms the retry.
    fn probe(cx: &mut Ctx, f: &mut Writing, epoch: u32) {
        let Some(r) = f.recovery.as_ref().filter(|r| r.epoch == epoch) else {
            return;
        };
        let volume = f.volume;
        let need = volume.quorum.read();
        let mut targets = Vec::new();
        for (p, g) in volume.pgs.iter().enumerate() {
            if r.counts[p] >= need && !r.widened {
                continue;
            }
            targets.extend(
                g.members
                    .iter()
                    .copied()
                    .filter(|s| r.answers.get(s.index()).is_none_or(Option::is_none)),
            );
        }
        let now = cx.now();
        let from = f.hosts().current_writer();
        for seg in targets {
            cx.send(
                now,
                from,
                volume.endpoint(seg),
                Event::RecoveryProbe { seg, epoch },
            );
        }
        cx.after(PROBE_RETRY, Event::RecoveryRetry { epoch });
    }

    /// The retry timer: probe again the PGs still short of answers. A
    /// widened recovery that has heard nothing new for [`STALL`] finishes
    /// with what it has: the copies it waited for are gone. Returns when
    /// storage recovery finished, if it did.
    pub(crate) fn on_retry(cx: &mut Ctx, f: &mut Writing, epoch: u32) -> Option<SimTime> {
        let gone = f
            .recovery
            .as_ref()
            .is_some_and(|r| r.epoch == epoch && r.widened && r.stalled(cx.now()));
        if gone && f.hosts().current_writer_alive() {
            let r = f.recovery.take().expect("recovery in progress");
            let done = cx.now();
            r.finish(cx, f);
            return Some(done);
        }
        Recovery::probe(cx, f, epoch);
        None
    }

    /// A segment's answer arrives; with a read quorum of every PG the
    /// recovery finishes: returns when, once the writer's processors have
    /// examined the last answer.
    pub(crate) fn on_reply(cx: &mut Ctx, f: &mut Writing, reply: RecoveryReply) -> Option<SimTime> {
        let RecoveryReply {
            seg,
            epoch,
            incarnation,
            info,
        } = reply;
        let volume = f.volume;
        if volume.node_of(seg).incarnation != incarnation || !f.hosts().current_writer_alive() {
            return None;
        }
        let need = volume.quorum.read();
        let pg = volume.segments[seg.index()].pg;
        let r = f.recovery.as_mut().filter(|r| r.epoch == epoch)?;
        // A repair may have added the segment since the recovery began.
        if r.answers.len() <= seg.index() {
            r.answers.resize(seg.index() + 1, None);
        }
        if r.answers[seg.index()].is_some() {
            return None;
        }
        let work = RECOVERY_PER_ANSWER + RECOVERY_PER_RECORD * info.lsns.len() as u64;
        let writer = f.writers.current.instance;
        let done = f.servers[writer.index()].run(cx.now(), work);
        r.answers[seg.index()] = Some(info);
        r.counts[pg.index()] += 1;
        r.progressed = cx.now();
        if r.counts[pg.index()] == need {
            r.short -= 1;
        }
        if r.short > 0 {
            return None;
        }
        // A read quorum of every PG: done, unless an earlier recovery
        // established records these copies lack (it read other copies,
        // and what it kept need not sit on a write quorum): a higher VDL
        // than these reach, or a PG's last record below its VDL that no
        // answer holds. Then the other copies are asked and awaited.
        let established = f.truncations.iter().map(|t| t.vdl).max();
        let reached = r.recovered(cx, volume, f.truncations).vdl;
        let short_of_tail = f.truncations.last().is_some_and(|t| {
            r.best(volume)
                .iter()
                .zip(&t.tails)
                .any(|(i, &tail)| i.scl < tail && i.applied < tail)
        });
        let unanswered = volume
            .pgs
            .iter()
            .flat_map(|g| &g.members)
            .any(|s| r.answers.get(s.index()).is_none_or(Option::is_none));
        if (short_of_tail || established.is_some_and(|e| reached < e)) && unanswered {
            if !r.widened {
                r.widened = true;
                Recovery::probe(cx, f, epoch);
            }
            return None;
        }
        let r = f.recovery.take().expect("recovery in progress");
        r.finish(cx, f);
        Some(done)
    }

    /// Every PG has a read quorum of answers: compute the recovered VDL,
    /// truncate above it, and set the writer's points (it opens once it
    /// has rebuilt its state).
    fn finish(self, cx: &mut Ctx, f: &mut Writing) {
        let records = cx.cfg.workload.records_per_commit as u64;
        let out = self.recovered(cx, f.volume, f.truncations);
        let lal = cx.cfg.storage.lsn_allocation_limit;
        let resume = resume_point(out.vdl, f.truncations, (lal, records));
        let epoch = self.epoch;
        cx.order(Order::Truncate(Truncation {
            epoch,
            vdl: out.vdl,
            resume,
            tails: out.tails.clone(),
        }));
        cx.note(Note::Recovered {
            epoch,
            vdl: out.vdl,
            resume,
        });
        settle_superseded(cx, f, out.vdl);
        self.resume_writer(cx, f, &out, resume);
    }

    /// What the answers so far recover: the VDL and each PG's tail.
    fn recovered(&self, cx: &Ctx, volume: &Volume, truncations: &[Truncation]) -> Recovered {
        let records = cx.cfg.workload.records_per_commit as u64;
        let floor = self
            .answers
            .iter()
            .flatten()
            .map(|i| i.min_read_point)
            .max()
            .unwrap_or(Lsn(0));
        let best = self.best(volume);
        let truncated: Vec<(Lsn, Lsn)> = truncations.iter().map(|t| (t.vdl, t.resume)).collect();
        recover(&best, floor, &truncated, records)
    }

    /// Per PG, the answer with the highest SCL: the most complete copy
    /// of the PG's log among those that answered.
    fn best<'v>(&'v self, volume: &Volume) -> Vec<&'v RecoveryInfo> {
        volume
            .pgs
            .iter()
            .map(|g| {
                g.members
                    .iter()
                    .filter_map(|s| self.answers.get(s.index()).and_then(Option::as_ref))
                    .max_by_key(|i| i.scl)
                    .expect("a read quorum answered")
            })
            .collect()
    }

    /// Sets the new writer's points from what was recovered.
    fn resume_writer(&self, cx: &mut Ctx, f: &mut Writing, out: &Recovered, resume: Lsn) {
        let lal = cx.cfg.storage.lsn_allocation_limit;
        let volume = f.volume;
        let w = &mut f.writers.current;
        w.points = LsnPoints::resume(lal, out.vdl, resume, &out.tails);
        for (p, g) in volume.pgs.iter().enumerate() {
            for &s in &g.members {
                if let Some(i) = self.answers.get(s.index()).and_then(Option::as_ref) {
                    w.inbox.recovered(s, i.scl.min(out.tails[p]));
                }
            }
        }
        w.vdl_at = cx.now();
        cx.rec.recoveries += 1;
    }
}

/// What the recovery that reached `vdl` means for the writers it
/// superseded: their records at or below it became committed (storage
/// holds them durably), the rest is gone; those no longer running are
/// forgotten.
fn settle_superseded(cx: &mut Ctx, f: &mut Writing, vdl: Lsn) {
    for w in &mut f.writers.deposed {
        w.successor_vdl.get_or_insert(vdl);
        let epoch = w.epoch;
        w.points.pass_up_to(vdl, |r| {
            cx.note(Note::Passed {
                epoch,
                lsn: r.lsn,
                pg: r.pg,
                page: r.page,
            })
        });
    }
    // A writer whose process is gone is forgotten; the commits it still
    // held are never answered.
    let instances = f.instances;
    f.writers.deposed.retain(|w| {
        let alive = w.alive(instances);
        if !alive {
            cx.rec.abandoned(w.waiting());
        }
        alive
    });
}
