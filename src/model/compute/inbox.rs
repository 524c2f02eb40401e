//! Acknowledgements on their way to a writer.
//!
//! Every segment acknowledges every batch it persists, so a writer hears
//! six answers for each batch it ships, and most of them move nothing:
//! once four have arrived, the PG's PGCL covers what the other two say.
//! Rather than one event per answer, an answer waits here from the moment
//! its segment sends it, stamped with where it arrives in the order of
//! events (its time, and the place among that instant's events it would
//! have had as an event of its own), and the writer wakes
//! (an [`Event::Quorum`](crate::model::event::Event::Quorum)) only in the
//! place of the answer that moves a PG's PGCL: the first by which the
//! answers arrived make a write quorum of copies above it.
//!
//! What an answer does besides — raise the writer's record of its
//! segment's SCL, which the inbox keeps — is a maximum, so the answers
//! commute, and each is applied, as of its arrival, when something is
//! about to read that record (the wake-up for its PG, a read choosing a
//! complete copy, a resend choosing the copies that lack a batch) or a
//! new answer for its PG comes in. An answer from a node that crashed
//! since it left, or reaching a writer still recovering, is dropped as it
//! would be on arrival: an event that may change those conditions, or
//! the quorum itself (membership, a copy hydrated, a node's incarnation,
//! a writer's recovery), first applies every answer that arrived before
//! it, and afterwards recomputes each wake-up. An answer that can never
//! be news — no higher than what the writer knows of its segment, or than
//! an answer from the same node that arrives no later — is not kept, so a
//! storm of resends answered alike does not pile up.
//!
//! Most PGCL moves are news to no one when they happen: a PG whose first
//! record not yet durable lies above another PG's cannot move VCL, and
//! only the writer itself reads its PGCL. Such a wake-up is *settled*
//! without an event: it keeps its place, and before the next event is
//! handled, every wake-up placed before that event is carried out, in
//! order, each as of its own place (its time, and the answers arrived by
//! then). A wake-up is queued as an event only while it may do more than
//! move its PG's PGCL: for the PG that pins VCL, and for a PG with records
//! waiting to ship, which the move may let go (`Writer::promote_wakes`).

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use crate::model::event::{AckInFlight, Kind};
use crate::model::storage::lsn::{Lsn, LsnPoints};
use crate::model::storage::volume::Volume;
use crate::sim::{Place, SimTime};
use crate::vocab::ids::{PgId, SegmentId};

/// A place no arrival reaches.
const NEVER: Place = (SimTime::MAX, u64::MAX);

/// Whether an event of `kind` may change what a quorum is or which
/// answers count towards it: membership and a joining copy's hydration
/// (repair, gossip), nodes' incarnations (faults), a writer's recovery
/// and its end. Every answer that arrived before it is applied first.
pub fn may_change_quorum(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::FaultStart
            | Kind::FaultEnd
            | Kind::RepairCheck
            | Kind::RepairChunk
            | Kind::RepairDone
            | Kind::GossipPush
            | Kind::RecoveryReply
            | Kind::RecoveryRetry
            | Kind::InstanceUp
            | Kind::WriterOpen
            | Kind::Demote
            | Kind::Fenced
    )
}

/// One writer's record of each segment's SCL, the acknowledgements in
/// flight that will raise it, by PG, and when the writer is to wake for
/// each PG.
#[derive(Clone, Debug)]
pub struct Inbox {
    /// The latest SCL each segment acknowledged, by segment id, as of the
    /// answers applied so far.
    known: Vec<Lsn>,
    /// Per segment, the highest answer kept while the writer had
    /// recovered (the earliest of equals): a later answer from the same
    /// node that is no higher can never be news.
    highest: Vec<Option<AckInFlight>>,
    /// Per PG, the acknowledgements in flight in order of arrival (ties
    /// in the order they were sent).
    pending: Vec<Vec<AckInFlight>>,
    /// Per PG, when the writer wakes for it: the arrival of the
    /// acknowledgement in flight that will move its PGCL.
    wake: Vec<Option<Place>>,
    /// Per PG, the place of the last wake-up queued as an event for it: a
    /// wake-up in any other place is settled without one.
    queued: Vec<Option<Place>>,
    /// Wake-ups placed without an event, earliest first; one whose PG's
    /// wake-up has since moved or been queued is dropped when it comes up.
    unqueued: BinaryHeap<Reverse<(Place, PgId)>>,
    /// PGs with acknowledgements in flight (`pending` non-empty), each
    /// once.
    busy: Vec<PgId>,
    /// No answer in flight arrives before this place.
    earliest: Place,
}

impl Inbox {
    /// An empty inbox for `pgs` PGs of `segments` segments, knowing
    /// nothing of them.
    pub fn new(pgs: usize, segments: usize) -> Self {
        Inbox {
            known: vec![Lsn(0); segments],
            highest: vec![None; segments],
            pending: vec![Vec::new(); pgs],
            wake: vec![None; pgs],
            queued: vec![None; pgs],
            busy: Vec::new(),
            earliest: NEVER,
            unqueued: BinaryHeap::new(),
        }
    }

    /// The latest SCL each segment acknowledged, as of the last
    /// settling.
    pub fn known(&self) -> &[Lsn] {
        &self.known
    }

    /// Recovery read `scl` from segment `seg`: the writer starts from it.
    pub fn recovered(&mut self, seg: SegmentId, scl: Lsn) {
        self.known[seg.index()] = scl;
    }

    /// Repair added a segment.
    pub fn segment_added(&mut self) {
        self.known.push(Lsn(0));
        self.highest.push(None);
    }

    /// Takes in an acknowledgement; returns when the writer is now to wake
    /// for its PG, if that changed.
    pub fn post(&mut self, volume: &Volume, points: &LsnPoints, ack: AckInFlight) -> Option<Place> {
        let (pg, seg) = (ack.pg, ack.seg.index());
        let surpassed = self.highest[seg].is_some_and(|h| {
            h.incarnation == ack.incarnation && h.at <= ack.at && h.scl >= ack.scl
        });
        if ack.scl <= self.known[seg] || surpassed {
            return None;
        }
        if points.recovered() && self.highest[seg].is_none_or(|h| ack.scl > h.scl) {
            self.highest[seg] = Some(ack);
        }
        let list = &mut self.pending[pg.index()];
        if list.is_empty() {
            self.busy.push(pg);
        }
        // Answers mostly arrive in the order they are sent.
        let i = list
            .iter()
            .rposition(|a| a.at <= ack.at)
            .map_or(0, |i| i + 1);
        list.insert(i, ack);
        self.earliest = self.earliest.min(ack.at);
        // An answer arriving after the wake-up cannot bring it forward,
        // nor can one at or below the PGCL; a writer still recovering has
        // no PGCL to move yet, and its opening recomputes every wake-up.
        let late = self.wake[pg.index()].is_some_and(|w| ack.at >= w);
        if late || !points.recovered() || ack.scl <= points.pgcl(pg) {
            return None;
        }
        self.rewake(volume, points, pg)
    }

    /// Recomputes when to wake for `pg`; returns the new place if it
    /// changed and there is one.
    pub fn rewake(&mut self, volume: &Volume, points: &LsnPoints, pg: PgId) -> Option<Place> {
        let pending = &self.pending[pg.index()];
        let when = quorum_time(volume, points, &self.known, pg, pending);
        let old = std::mem::replace(&mut self.wake[pg.index()], when);
        when.filter(|_| when != old)
    }

    /// Recomputes every wake-up, after the quorum itself may have changed;
    /// returns each PG whose wake-up moved, with its new place.
    pub fn rewake_all(&mut self, volume: &Volume, points: &LsnPoints) -> Vec<(PgId, Place)> {
        let busy = std::mem::take(&mut self.busy);
        let moved = busy
            .iter()
            .filter_map(|&pg| self.rewake(volume, points, pg).map(|t| (pg, t)))
            .collect();
        self.busy = busy;
        moved
    }

    /// Whether the wake-up for `pg` being handled, at `place`, is still
    /// wanted; it is then taken.
    pub fn wakes(&mut self, pg: PgId, place: Place) -> bool {
        let p = pg.index();
        if self.queued[p] == Some(place) {
            self.queued[p] = None;
        }
        let due = self.wake[p] == Some(place);
        if due {
            self.wake[p] = None;
        }
        due
    }

    /// The PGs with answers in flight.
    #[cfg(test)]
    pub fn busy(&self) -> &[PgId] {
        &self.busy
    }

    /// `pg`'s wake-up was placed at `at`: until it is queued, it is
    /// settled without an event.
    pub fn placed(&mut self, pg: PgId, at: Place) {
        self.unqueued.push(Reverse((at, pg)));
    }

    /// The wake-up for `pg`, if no event is queued for it yet; it is then
    /// taken as queued.
    pub fn enqueue(&mut self, pg: PgId) -> Option<Place> {
        let w = self.unqueued(pg)?;
        self.queued[pg.index()] = Some(w);
        Some(w)
    }

    /// The wake-up for `pg`, if no event is queued for it.
    fn unqueued(&self, pg: PgId) -> Option<Place> {
        let p = pg.index();
        self.wake[p].filter(|&w| self.queued[p] != Some(w))
    }

    /// Whether a wake-up without an event may come before `before`.
    #[inline]
    pub fn any_due(&self, before: Place) -> bool {
        self.unqueued
            .peek()
            .is_some_and(|Reverse((w, _))| *w < before)
    }

    /// Takes the earliest wake-up without an event, with its PG, if it
    /// comes before `before`.
    pub fn due(&mut self, before: Place) -> Option<(PgId, Place)> {
        while let Some(&Reverse((w, pg))) = self.unqueued.peek() {
            if w >= before {
                break;
            }
            self.unqueued.pop();
            // The PG's wake-up may have moved, or been queued, since.
            if self.unqueued(pg) == Some(w) {
                return Some((pg, w));
            }
        }
        None
    }

    /// The wake-up for `pg` at `at` passes as its event would for a
    /// writer whose process is gone: without effect, the wake-up left
    /// where it was.
    pub fn lapse(&mut self, pg: PgId, at: Place) {
        self.queued[pg.index()] = Some(at);
    }

    /// Applies the acknowledgements for `pg` that arrive before `before`
    /// in the order of events.
    pub fn settle_pg(&mut self, volume: &Volume, points: &LsnPoints, pg: PgId, before: Place) {
        // `earliest` stays a bound: the next full settling renews it.
        if !self.apply_arrived(volume, points, pg, before) {
            self.busy.retain(|&p| p != pg);
        }
    }

    /// Applies every acknowledgement that arrives before `before` in the
    /// order of events.
    #[inline]
    pub fn settle(&mut self, volume: &Volume, points: &LsnPoints, before: Place) {
        if self.earliest >= before {
            return;
        }
        let mut busy = std::mem::take(&mut self.busy);
        busy.retain(|&pg| self.apply_arrived(volume, points, pg, before));
        self.earliest = busy
            .iter()
            .map(|pg| self.pending[pg.index()][0].at)
            .min()
            .unwrap_or(NEVER);
        self.busy = busy;
    }

    /// Applies `pg`'s answers that arrive before `before`, each taken as
    /// it would be on arrival; returns whether some are still in flight.
    fn apply_arrived(
        &mut self,
        volume: &Volume,
        points: &LsnPoints,
        pg: PgId,
        before: Place,
    ) -> bool {
        let list = &mut self.pending[pg.index()];
        let arrived = list.partition_point(|a| a.at < before);
        for a in list.drain(..arrived) {
            let fresh = volume.nodes[a.node.index()].incarnation == a.incarnation;
            let known = &mut self.known[a.seg.index()];
            if fresh && points.recovered() && a.scl > *known {
                *known = a.scl;
            }
        }
        !list.is_empty()
    }
}

/// The first arrival among `pending` (in order of arrival) at which the
/// writer moves `pg`'s PGCL, taking each answer as it would on arrival: an
/// answer that is news (fresh, from a write target, above what the writer
/// knows of its segment and above the PGCL) makes it look at the quorum,
/// and the PGCL moves if a write quorum of copies is then above it — which
/// may already have been so before this answer, after a membership change
/// made the quorum easier.
fn quorum_time(
    volume: &Volume,
    points: &LsnPoints,
    known: &[Lsn],
    pg: PgId,
    pending: &[AckInFlight],
) -> Option<Place> {
    if !points.recovered() {
        return None;
    }
    let pgcl = points.pgcl(pg);
    let group = &volume.pgs[pg.index()];
    let (members, joiner) = (&group.members, group.joining.map(|j| j.new));
    // Each write target's SCL as the answers arrived so far raise it over
    // `known`, by its place among the targets: the members in order, then
    // the joiner. A PG has at most 31 write targets.
    let mut scl = [Lsn(0); 32];
    for (k, &s) in members.iter().chain(joiner.iter()).enumerate() {
        scl[k] = known[s.index()];
    }
    let place_of = |s: SegmentId| {
        members
            .iter()
            .position(|&m| m == s)
            .or_else(|| (joiner == Some(s)).then_some(members.len()))
    };
    // Without a replacement under way, a write quorum of members above
    // the PGCL is what moves it; during one, both sets must have one.
    let plain = joiner.is_none();
    let need = volume.quorum.write() as usize;
    let mut above = scl[..members.len()].iter().filter(|&&l| l > pgcl).count();
    for a in pending {
        if a.scl <= pgcl {
            continue;
        }
        // The answer's PG is `pg`: its write targets are looked up there,
        // not through the answering segment's record.
        let Some(k) = place_of(a.seg) else {
            continue;
        };
        let fresh = volume.nodes[a.node.index()].incarnation == a.incarnation;
        let was = scl[k];
        if !fresh || a.scl <= was {
            continue;
        }
        scl[k] = a.scl;
        let moved = if plain {
            if was <= pgcl {
                above += 1;
            }
            above >= need
        } else {
            let scl_of = |s: SegmentId| place_of(s).map_or(known[s.index()], |k| scl[k]);
            volume.durable_lsn(pg, scl_of) > pgcl
        };
        if moved {
            return Some(a.at);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::vocab::quorum::Quorum;

    /// One PG of six copies over three AZs of two nodes each, and fresh
    /// points (PGCL 0).
    fn world() -> (Volume, LsnPoints) {
        (
            Volume::new(1, (3, 3), 2, Quorum::AURORA),
            LsnPoints::new(1, 100),
        )
    }

    /// Points whose PGCL is at the PG's first record, and that record.
    fn durable_first(points: &mut LsnPoints) -> Lsn {
        let (record, _) = points.allocate(PgId::from_index(0), 1, true);
        points.set_durable(PgId::from_index(0), record.lsn);
        record.lsn
    }

    fn ack(volume: &Volume, seg: usize, at_ns: u64, seq: u64, scl: u64) -> AckInFlight {
        let seg = SegmentId::from_index(seg);
        let node = volume.segments[seg.index()].node;
        AckInFlight {
            epoch: 1,
            pg: PgId::from_index(0),
            at: (SimTime::from_nanos(at_ns), seq),
            seg,
            node,
            scl: Lsn(scl),
            incarnation: volume.nodes[node.index()].incarnation,
        }
    }

    #[test]
    fn the_writer_wakes_at_the_fourth_arrival_whatever_the_order_they_were_sent() {
        let (volume, points) = world();
        let mut inbox = Inbox::new(1, 6);
        // Sent in one order, arriving in another: 50, 10, 40, 30, 20, 60.
        let arrivals = [50, 10, 40, 30, 20, 60];
        let wakes: Vec<_> = arrivals
            .iter()
            .enumerate()
            .map(|(seg, &at)| inbox.post(&volume, &points, ack(&volume, seg, at, seg as u64, 5)))
            .collect();
        // Three answers make no quorum; the fourth sent wakes it at its
        // own arrival (40: 10, 20, 30, 40 are the four first), and the
        // fifth, arriving earlier, brings the wake-up forward.
        let at = |ns, seq| Some((SimTime::from_nanos(ns), seq));
        assert_eq!(wakes, vec![None, None, None, at(50, 0), at(40, 2), None]);
        assert!(!inbox.wakes(PgId::from_index(0), (SimTime::from_nanos(50), 0)));
        assert!(inbox.wakes(PgId::from_index(0), (SimTime::from_nanos(40), 2)));
    }

    #[test]
    fn a_wake_up_is_settled_without_an_event_until_it_is_queued() {
        let (volume, points) = world();
        let mut inbox = Inbox::new(1, 6);
        let pg = PgId::from_index(0);
        let at = |ns, seq| (SimTime::from_nanos(ns), seq);
        for (seg, ns) in [10, 20, 30, 50].into_iter().enumerate() {
            if let Some(w) = inbox.post(&volume, &points, ack(&volume, seg, ns, seg as u64, 5)) {
                inbox.placed(pg, w);
            }
        }
        // Due before any later place, not before its own.
        assert!(!inbox.any_due(at(50, 3)));
        assert!(inbox.any_due(at(50, 4)));
        // Once queued, it is its event's to handle, not due.
        assert_eq!(inbox.enqueue(pg), Some(at(50, 3)));
        assert_eq!(inbox.enqueue(pg), None, "queued once");
        assert_eq!(inbox.due(NEVER), None);
        // An answer arriving earlier moves it to a place with no event:
        // due again, and the event queued before is stale.
        let w = inbox.post(&volume, &points, ack(&volume, 4, 40, 4, 5));
        assert_eq!(w, Some(at(40, 4)));
        inbox.placed(pg, at(40, 4));
        assert!(!inbox.wakes(pg, at(50, 3)), "the stale event does nothing");
        assert_eq!(inbox.due(NEVER), Some((pg, at(40, 4))));
        assert_eq!(inbox.due(NEVER), None, "taken");
        // A writer whose process is gone lets it lapse, as its event
        // would have: it stays where it was, and is not due again.
        inbox.placed(pg, at(40, 4));
        inbox.lapse(pg, at(40, 4));
        assert_eq!(inbox.due(NEVER), None);
        assert!(inbox.wakes(pg, at(40, 4)));
    }

    #[test]
    fn answers_are_applied_only_up_to_a_place_and_only_from_the_node_that_sent_them() {
        let (mut volume, points) = world();
        let mut inbox = Inbox::new(1, 6);
        let (a, b, c) = (
            ack(&volume, 0, 10, 1, 7),
            ack(&volume, 1, 10, 2, 7),
            ack(&volume, 2, 30, 3, 7),
        );
        // Segment 2's node crashes after its answer left.
        let n = volume.segments[2].node.index();
        volume.nodes[n].incarnation += 1;
        for x in [a, b, c] {
            inbox.post(&volume, &points, x);
        }
        // Before the second answer's place: only the first is in.
        inbox.settle(&volume, &points, (SimTime::from_nanos(10), 2));
        assert_eq!(&inbox.known()[..3], &[Lsn(7), Lsn(0), Lsn(0)]);
        inbox.settle(&volume, &points, (SimTime::from_nanos(100), 0));
        assert_eq!(
            &inbox.known()[..3],
            &[Lsn(7), Lsn(7), Lsn(0)],
            "a stale node's answer is dropped"
        );
    }

    #[test]
    fn an_answer_at_or_below_the_pgcl_never_wakes_the_writer() {
        let (volume, mut points) = world();
        let first = durable_first(&mut points);
        let mut inbox = Inbox::new(1, 6);
        let wakes: Vec<_> = (0..6)
            .map(|s| {
                let a = ack(&volume, s, 10 + s as u64, s as u64, first.0);
                inbox.post(&volume, &points, a)
            })
            .collect();
        assert!(wakes.iter().all(Option::is_none), "{wakes:?}");
    }

    #[test]
    fn a_quorum_already_met_moves_at_the_next_answer_that_is_news() {
        // A replacement rolled back while the writer waited: four copies
        // are above the PGCL already, and no answer lifts one above it.
        let (volume, mut points) = world();
        let above = Lsn(durable_first(&mut points).0 + 5);
        let mut inbox = Inbox::new(1, 6);
        for s in 0..4 {
            inbox.recovered(SegmentId::from_index(s), above);
        }
        // An answer that is not news does not wake the writer; one that is
        // news does, although its copy was above the PGCL before.
        let stale = inbox.post(&volume, &points, ack(&volume, 0, 10, 1, above.0));
        let news = inbox.post(&volume, &points, ack(&volume, 1, 20, 2, above.0 + 3));
        assert_eq!(stale, None);
        assert_eq!(news, Some((SimTime::from_nanos(20), 2)));
    }

    #[test]
    fn a_storm_of_resends_answered_alike_keeps_one_answer_per_copy() {
        let (volume, points) = world();
        let mut inbox = Inbox::new(1, 6);
        // Each copy answers the same SCL a thousand times, arriving later
        // each time, all sent before any arrived.
        for k in 0..1000u64 {
            for s in 0..3 {
                let a = ack(&volume, s, 100 + k, k * 3 + s as u64, 9);
                inbox.post(&volume, &points, a);
            }
        }
        assert_eq!(inbox.pending[0].len(), 3);
        inbox.settle(&volume, &points, NEVER);
        assert_eq!(&inbox.known()[..3], &[Lsn(9); 3]);
    }
}
