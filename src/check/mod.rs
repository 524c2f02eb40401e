//! Invariant checkers: observers shown the world after every event, which
//! never change it ([`Observer`] gets `&World`). Every run carries them; a
//! violated invariant fails the run (exit code 1) and is reported by name,
//! with the simulated time and the events that led to it.
//!
//! Each checker is cheap per event: it looks only at what the event can
//! have changed (the writer's points after an ack, one segment after a
//! batch), so checking costs a few percent of a run.

mod durability;
mod epochs;
mod failover;
mod heal;
mod liveness;

pub use heal::heal_bound;
mod lsn_order;
mod quorum;

use crate::metrics::{InvariantResult, Violation};
use crate::model::storage::lsn::Lsn;
use crate::model::{Kind, Observer, Seen, World};
use crate::sim::SimTime;

/// The invariants, each named by the sentence it asserts. Declared in
/// report order: `invariant as usize` indexes [`Invariant::ALL`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Invariant {
    /// No acknowledged commit is lost (while no PG permanently loses more
    /// than `copies − read_quorum` segments): recoveries find every
    /// acknowledged commit, reads return the committed page state, and the
    /// storage left at the end can rebuild every acknowledged commit.
    NoAcknowledgedCommitIsLost,
    /// At most one writer per volume epoch, and no commit a superseded
    /// writer acknowledges survives (no split brain).
    OneWriterPerEpoch,
    /// VDL ≤ VCL, VDL at consistency points, SCL, PGCL and VDL never go
    /// backwards within an epoch, nothing allocated beyond VDL + LAL.
    LsnOrder,
    /// While every PG has a write quorum of live segments the writer can
    /// reach and a writer is open, a waiting commit sees the VDL advance
    /// within 10 s (`liveness::BOUND`) beyond the slowest a commit's own
    /// round trip and persist are under the scenario's settings, plus the
    /// time one node takes to write all a writer may have in flight:
    /// progress at the pace the settings allow, however long the queues.
    QuorumLiveness,
    /// read + write > copies and 2 · write > copies.
    QuorumIntersection,
    /// A writer is open again soon while an instance could take over.
    FailoverLiveness,
}

impl Invariant {
    /// Every invariant, in report order.
    pub const ALL: [Invariant; 6] = [
        Invariant::NoAcknowledgedCommitIsLost,
        Invariant::OneWriterPerEpoch,
        Invariant::LsnOrder,
        Invariant::QuorumLiveness,
        Invariant::QuorumIntersection,
        Invariant::FailoverLiveness,
    ];

    /// The invariant as a sentence.
    pub fn sentence(self) -> &'static str {
        match self {
            Invariant::NoAcknowledgedCommitIsLost => "no acknowledged commit is lost",
            Invariant::OneWriterPerEpoch => "at most one writer per volume epoch",
            Invariant::LsnOrder => "LSNs keep their order",
            Invariant::QuorumLiveness => "commits are acknowledged while quorums are live",
            Invariant::QuorumIntersection => "read and write quorums intersect",
            Invariant::FailoverLiveness => {
                "a writer is open again soon while an instance could take over"
            }
        }
    }
}

/// Events kept for a violation's report (a power of two: the ring index
/// wraps with a mask on every event).
const RECENT: usize = 16;

/// Every checker, and the recent events they report with.
#[derive(Clone)]
pub(crate) struct Checks {
    durability: durability::Durability,
    epochs: epochs::Epochs,
    lsn_order: lsn_order::LsnOrder,
    liveness: liveness::Liveness,
    failover: failover::FailoverLiveness,
    results: Vec<InvariantResult>,
    recent: [Option<(SimTime, Seen)>; RECENT],
    next: usize,
}

impl Checks {
    /// Checkers for a world about to run.
    pub fn new(world: &World) -> Checks {
        let durability = durability::Durability::new(world);
        let results: Vec<InvariantResult> = Invariant::ALL
            .iter()
            .map(|i| InvariantResult {
                name: i.sentence().to_owned(),
                held: true,
                not_applicable: None,
                violations: 0,
                first: None,
            })
            .collect();
        let mut checks = Checks {
            durability,
            epochs: epochs::Epochs::default(),
            lsn_order: lsn_order::LsnOrder::new(world),
            liveness: liveness::Liveness::new(world.config()),
            failover: failover::FailoverLiveness::new(world.config()),
            results,
            recent: [None; RECENT],
            next: 0,
        };
        // A property of the configuration: broken before the first event.
        if let Some(d) = quorum::broken_rule(world) {
            checks.violated(Invariant::QuorumIntersection, SimTime::ZERO, d);
        }
        checks
    }

    fn violated(&mut self, invariant: Invariant, now: SimTime, detail: String) {
        let r = &mut self.results[invariant as usize];
        if r.not_applicable.is_some() {
            return;
        }
        r.held = false;
        r.violations += 1;
        if r.first.is_none() {
            // Slots never written are left out.
            let events = (0..RECENT)
                .filter_map(|k| self.recent[(self.next + k) % RECENT])
                .map(|(t, seen)| format!("{:.6} s {seen}", t.as_secs_f64()))
                .collect();
            r.first = Some(Violation {
                at_s: now.as_secs_f64(),
                detail,
                events,
            });
        }
    }

    /// The run has ended: `recoverable` is the VDL a recovery from the
    /// copies that survive reaches, `available` the VDL one from the
    /// copies running now reaches. Judges what is destroyed (only that
    /// breaks durability), counts what is unavailable, and returns every
    /// verdict with the evidence counted.
    pub fn finish(mut self, end: SimTime, recoverable: Lsn, available: Lsn) -> Verdicts {
        let lost = self.durability.lost(recoverable);
        let unavailable = self.durability.lost(available).saturating_sub(lost);
        if lost > 0 {
            let d =
                format!("the storage left at the end cannot rebuild {lost} acknowledged commit(s)");
            self.violated(Invariant::NoAcknowledgedCommitIsLost, end, d);
        }
        Verdicts {
            lost_commits: lost,
            unavailable_commits: unavailable,
            split_brain_commits: self.durability.split_brain,
            lost_to_rpo: self.durability.lost_to_rpo,
            reads_correct: self.durability.reads_correct,
            reads_wrong: self.durability.reads_wrong,
            invariants: self.results,
        }
    }
}

/// What the checkers found over a run.
#[derive(Debug, Clone)]
pub(crate) struct Verdicts {
    /// Each invariant's verdict, in [`Invariant::ALL`] order.
    pub invariants: Vec<InvariantResult>,
    /// Acknowledged commits no recovery found, or that the storage left at
    /// the end cannot rebuild.
    pub lost_commits: u64,
    /// Acknowledged commits not lost but out of reach at the end: their
    /// copies are down, not destroyed.
    pub unavailable_commits: u64,
    /// Commits a superseded writer acknowledged above its successor's
    /// recovered VDL.
    pub split_brain_commits: u64,
    /// Acknowledged commits a global failover gave up: its RPO.
    pub lost_to_rpo: u64,
    /// Reads that returned the committed page state.
    pub reads_correct: u64,
    /// Reads that returned a state that was never committed.
    pub reads_wrong: u64,
}

impl Observer for Checks {
    #[inline]
    fn after(&mut self, world: &World, now: SimTime, event: Seen) {
        self.recent[self.next] = Some((now, event));
        self.next = (self.next + 1) % RECENT;
        if let Some(found) = self.durability.after(world) {
            if let Some(d) = found.lost {
                self.violated(Invariant::NoAcknowledgedCommitIsLost, now, d);
            }
            if let Some(d) = found.split_brain {
                self.violated(Invariant::OneWriterPerEpoch, now, d);
            }
        }
        if matches!(event.kind, Kind::FaultStart | Kind::RepairDone) {
            if let Some(why) = self.durability.premise(world, now, event) {
                let r = &mut self.results[Invariant::NoAcknowledgedCommitIsLost as usize];
                r.not_applicable = Some(why);
            }
        }
        if let Some(d) = self.epochs.after(world, event) {
            self.violated(Invariant::OneWriterPerEpoch, now, d);
        }
        if let Some(d) = self.lsn_order.after(world, event) {
            self.violated(Invariant::LsnOrder, now, d);
        }
        if let Some(d) = self.liveness.after(world, now, event) {
            self.violated(Invariant::QuorumLiveness, now, d);
        }
        // Failover liveness looks only at health ticks and faults.
        if matches!(
            event.kind,
            Kind::HealthTick | Kind::FaultStart | Kind::FaultEnd
        ) {
            if let Some(d) = self.failover.after(world, now, event) {
                self.violated(Invariant::FailoverLiveness, now, d);
            }
        }
    }
}

/// Whether `from` reaches, in every PG, a write quorum of copies that are
/// live and free of gray failure, with no gray failure on `from` itself:
/// the premise under which the liveness invariants promise progress. A
/// copy on a node slowed ten-thousandfold, or behind packet loss, is live
/// and may still be waited for as long as it likes.
fn healthy_write_quorum(world: &World, from: crate::model::network::Endpoint) -> bool {
    let (volume, net) = (world.volume(), world.network());
    let need = volume.quorum.write();
    !net.gray(from)
        && volume.pgs.iter().all(|g| {
            let healthy = g.members.iter().filter(|&&s| {
                let at = volume.endpoint(s);
                volume.is_live(s) && net.reachable(from, at) && !net.gray(at)
            });
            healthy.count() as u32 >= need
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_invariant_indexes_its_place_in_the_report() {
        for (i, inv) in Invariant::ALL.iter().enumerate() {
            assert_eq!(*inv as usize, i, "{inv:?}");
        }
    }
}
