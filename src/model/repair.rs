//! Segment repair: a segment whose node has been down longer than
//! `repair_after` is re-created on another node of the same AZ and
//! hydrated from a healthy peer at `repair_gbps` ([P17] §2.2: 10 GB in about
//! 10 s over 10 Gb/s). While it copies, the PG is in a membership change
//! ([P18]): writes need a quorum of the old set and of the new one.

use super::compute::{Hosts, Instance};
use super::context::Ctx;
use super::event::Event;
use super::network::Endpoint;
use super::storage::fleet::Storage;
use super::storage::lsn::Lsn;
use super::storage::volume::Joining;
use super::writer::Writers;
use crate::sim::{SimDuration, SimTime};
use crate::vocab::ids::{NodeId, PgId, SegmentId};

impl Storage {
    /// A node has been down for `repair_after`: re-create each of its
    /// segments elsewhere, or look again later.
    pub(crate) fn on_repair_check(
        &mut self,
        cx: &mut Ctx,
        writers: &mut Writers,
        instances: &[Instance],
        node: NodeId,
        incarnation: u32,
    ) {
        let n = &self.volume.nodes[node.index()];
        if n.up || n.incarnation != incarnation {
            return;
        }
        let mut retry = false;
        for s in n.segments.clone() {
            let pg = self.volume.segments[s.index()].pg;
            let g = &self.volume.pgs[pg.index()];
            if !g.members.contains(&s) {
                continue;
            }
            let joining = g.joining.is_some();
            // Without a read quorum of live copies nothing can prove
            // which copy is complete: the PG waits rather than being
            // rebuilt from one unproven copy.
            let live = self.volume.best_live_member(pg, Some(s), cx.now()).0;
            if live < self.volume.quorum.read() as usize {
                cx.rec.repairs_waiting_for_quorum += 1;
                retry = true;
            } else if joining || !self.start_repair(cx, writers, instances, pg, s) {
                retry = true;
            }
        }
        if retry {
            // A PG already repairing, no node free, or no quorum: look
            // again soon rather than a whole `repair_after` later.
            cx.after(REPAIR_RETRY, Event::RepairCheck { node, incarnation });
        }
    }

    /// Picks a new home for `old` in its AZ and starts copying. Returns
    /// false if no node can take it now.
    fn start_repair(
        &mut self,
        cx: &mut Ctx,
        writers: &mut Writers,
        instances: &[Instance],
        pg: PgId,
        old: SegmentId,
    ) -> bool {
        let az = self.volume.node_of(old).az;
        let writer = Hosts::new(writers, instances).current_writer();
        let holders: Vec<NodeId> = self.volume.pgs[pg.index()]
            .members
            .iter()
            .map(|s| self.volume.segments[s.index()].node)
            .collect();
        // The least-loaded running, reachable node of the AZ that holds no
        // copy of this PG; ties go to the lowest id.
        let target = (0..self.volume.nodes.len())
            .map(NodeId::from_index)
            .filter(|n| {
                let node = &self.volume.nodes[n.index()];
                node.az == az
                    && node.up
                    && !holders.contains(n)
                    && cx.net().reachable(writer, Endpoint::Node(*n, az))
            })
            .min_by_key(|n| (self.volume.nodes[n.index()].segments.len(), *n));
        let Some(target) = target else {
            return false;
        };
        let new = self.volume.add_segment(pg, target, false);
        // Every writer that may still run learns of the new segment.
        for w in writers.iter_mut() {
            w.acked_scl.push(Lsn(0));
            w.avoid_until.push(SimTime::ZERO);
        }
        self.volume.pgs[pg.index()].joining = Some(Joining { old, new });
        cx.rec.segments_repairing += 1;
        cx.after(copy_time(cx), Event::RepairDone { pg });
        self.record_quorum_health(cx, &Hosts::new(writers, instances));
        true
    }

    /// A replacement segment has finished copying: it joins its PG.
    pub(crate) fn on_repair_done(
        &mut self,
        cx: &mut Ctx,
        writers: &Writers,
        instances: &[Instance],
        pg: PgId,
    ) {
        let Some(j) = self.volume.pgs[pg.index()].joining else {
            return;
        };
        let now = cx.now();
        if !self.volume.node_of(j.new).up {
            // The new home failed mid-copy: give up on it; the old node's
            // repair check will try again.
            self.volume.pgs[pg.index()].joining = None;
            cx.rec.segments_repairing -= 1;
            let old_node = self.volume.segments[j.old.index()].node;
            let incarnation = self.volume.nodes[old_node.index()].incarnation;
            cx.after(
                SimDuration::ZERO,
                Event::RepairCheck {
                    node: old_node,
                    incarnation,
                },
            );
            return;
        }
        // Copy from the running member with the most complete log, once a
        // read quorum of them can vouch for it.
        let (live, source) = self.volume.best_live_member(pg, Some(j.old), now);
        let Some((_, source)) = source.filter(|_| live >= self.volume.quorum.read() as usize)
        else {
            cx.after(REPAIR_RETRY, Event::RepairDone { pg });
            return;
        };
        let snapshot = self.volume.segments[source.index()].snapshot();
        let new_seg = &mut self.volume.segments[j.new.index()];
        new_seg.merge(snapshot);
        new_seg.hydrated = true;
        let g = &mut self.volume.pgs[pg.index()];
        for m in g.members.iter_mut() {
            if *m == j.old {
                *m = j.new;
            }
        }
        g.joining = None;
        cx.rec.segments_repairing -= 1;
        cx.rec.segments_repaired += 1;
        let hosts = Hosts::new(writers, instances);
        self.persist_and_ack(cx, &hosts, j.new);
        self.record_quorum_health(cx, &hosts);
    }
}

/// How soon repair looks again at a segment it could not start (its PG
/// already repairing or below read quorum, or no node free). Modelling
/// choice: short beside a copy (seconds), long beside a storage round trip.
const REPAIR_RETRY: SimDuration = SimDuration::from_secs(1);

/// How long copying one segment takes at the repair bandwidth.
fn copy_time(cx: &Ctx) -> SimDuration {
    let st = &cx.cfg.storage;
    let bits = st.segment_gib as f64 * (1u64 << 30) as f64 * 8.0;
    SimDuration::from_secs_f64(bits / (st.repair_gbps * 1e9))
}
