//! Segment repair under the membership protocol (\[P18\]).
//!
//! A segment whose node has been down for `repair_after` is replaced: the
//! PG's membership moves from F to {F, G} under a new membership epoch, G
//! is created on a node the placement policy allows and copied from a
//! member a read quorum vouches for, and once copied the membership moves
//! to G under another epoch. While G copies, writes go to it as well and
//! need a write quorum of the old set and of the new one
//! ([`Volume::durable_lsn`]). If F's node returns before G is copied, the
//! change rolls back to F under a new epoch and the copy is dropped: a
//! change completes or rolls back, never both.
//!
//! The copy is real traffic: chunks of [`CHUNK_BYTES`] read from the
//! source's disk, sent out of its NIC, into the target's and onto its disk,
//! each at background priority ([`super::device`]). Many copies
//! from one lost node share those devices, so a repair storm takes as long
//! as the busiest source or target can carry, and commits on those nodes
//! feel it. `repair_gbps` optionally caps each copy.
//!
//! [`Volume::durable_lsn`]: super::volume::Volume::durable_lsn

use super::device::occupancy;
use super::fleet::Storage;
use super::volume::Joining;
use crate::model::config::Placement;
use crate::model::context::Ctx;
use crate::model::event::Event;
use crate::model::network::Endpoint;
use crate::model::order::Order;
use crate::model::routes::Routes;
use crate::sim::{SimDuration, SimTime};
use crate::vocab::ids::{NodeId, PgId, SegmentId};

impl Storage {
    /// A node has been down for `repair_after`: re-create each of its
    /// segments elsewhere, or look again later.
    pub(crate) fn on_repair_check(
        &mut self,
        cx: &mut Ctx,
        hosts: &impl Routes,
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
            if g.joining.is_some_and(|j| j.old == s) {
                continue;
            }
            let joining = g.joining.is_some();
            // Without a read quorum of live copies nothing can prove
            // which copy is complete: the PG waits rather than being
            // rebuilt from one unproven copy.
            let (live, _) = self.volume.best_live_member(pg, Some(s), cx.now());
            if live < self.volume.quorum.read() as usize {
                cx.rec.repairs_waiting_for_quorum += 1;
                retry = true;
            } else if joining {
                // One change at a time per PG: the other lost copy waits.
                retry = true;
            } else {
                // The copy is chunked from a member the new node reaches;
                // which one is settled at the first chunk.
                let source = self.repair_source(cx.now(), pg, s, &|_| true);
                let source = source.expect("a live member");
                retry |= !self.start_repair(cx, hosts, pg, s, source);
            }
        }
        if retry {
            // A PG already repairing, no node free, or no quorum: look
            // again soon rather than a whole `repair_after` later.
            cx.after(REPAIR_RETRY, Event::RepairCheck { node, incarnation });
        }
    }

    /// Picks a new home for `old` under the placement policy and starts
    /// copying from `source`. Returns false if no node can take it now.
    fn start_repair(
        &mut self,
        cx: &mut Ctx,
        hosts: &impl Routes,
        pg: PgId,
        old: SegmentId,
        source: SegmentId,
    ) -> bool {
        let Some(target) = self.repair_target(cx, hosts, pg, old) else {
            return false;
        };
        let new = self.volume.add_segment(pg, target, false);
        // Every writer that may still run learns of the new segment.
        cx.order(Order::SegmentAdded);
        let g = &mut self.volume.pgs[pg.index()];
        g.joining = Some(Joining {
            old,
            new,
            source,
            copied: 0,
        });
        g.membership += 1;
        let membership = g.membership;
        cx.rec.segments_repairing += 1;
        cx.after(SimDuration::ZERO, Event::RepairChunk { pg, membership });
        self.record_quorum_health(cx, hosts);
        true
    }

    /// The running node, reachable from the writer, holding no copy of
    /// `pg` and taking fewer than [`COPIES_IN_PER_NODE`] copies, that takes
    /// the replacement of `old`: in `old`'s AZ, or (under
    /// [`Placement::PreferSameAz`]) in another AZ when none there can. The
    /// one with the fewest copies arriving, then the fewest segments, then
    /// the lowest id. With none free the repair waits its turn.
    fn repair_target(
        &self,
        cx: &Ctx,
        hosts: &impl Routes,
        pg: PgId,
        old: SegmentId,
    ) -> Option<NodeId> {
        let az = self.volume.node_of(old).az;
        let writer = hosts.current_writer();
        // Copies per AZ among the PG's other members: another AZ may take
        // one beyond its even share, never more, so that losing any one AZ
        // still leaves a read quorum.
        let mut in_az = vec![0u32; cx.cfg.topology.azs.len()];
        for s in self.volume.pgs[pg.index()].write_targets() {
            if s != old {
                in_az[self.volume.node_of(s).az.index()] += 1;
            }
        }
        // The volume's region: a copy is replaced there.
        let topology = &cx.cfg.topology;
        let region = topology.region_of(az);
        let share = self.volume.quorum.copies() / topology.azs_per_region as u32;
        let holders: Vec<NodeId> = self.volume.pgs[pg.index()]
            .write_targets()
            .map(|s| self.volume.segments[s.index()].node)
            .collect();
        let mut arriving = vec![0u32; self.volume.nodes.len()];
        for g in &self.volume.pgs {
            if let Some(j) = g.joining {
                arriving[self.volume.segments[j.new.index()].node.index()] += 1;
            }
        }
        let pick = |same_az: bool| {
            (0..self.volume.nodes.len())
                .map(NodeId::from_index)
                .filter(|n| {
                    let node = &self.volume.nodes[n.index()];
                    (node.az == az) == same_az
                        && topology.region_of(node.az) == region
                        && (same_az || in_az[node.az.index()] < share + 1)
                        && arriving[n.index()] < COPIES_IN_PER_NODE
                        && node.up
                        && !holders.contains(n)
                        && cx.net().reachable(writer, Endpoint::Node(*n, node.az))
                })
                .min_by_key(|n| {
                    let load = self.volume.nodes[n.index()].segments.len();
                    (arriving[n.index()], load, *n)
                })
        };
        match cx.cfg.storage.repair_placement {
            Placement::SameAz => pick(true),
            Placement::PreferSameAz => pick(true).or_else(|| pick(false)),
        }
    }

    /// The live member of `pg` (other than `old`) a copy reads from: the
    /// one on the node serving the fewest copies, then whose disk is free
    /// soonest, then the lowest id, so that the copies of one lost node
    /// spread over their PGs' other copies. Which copy is complete matters
    /// only at the end, when the new segment takes the writes it missed
    /// from the most complete one.
    fn repair_source(
        &self,
        now: SimTime,
        pg: PgId,
        old: SegmentId,
        reaches: &dyn Fn(SegmentId) -> bool,
    ) -> Option<SegmentId> {
        let mut serving = vec![0u32; self.volume.nodes.len()];
        for g in &self.volume.pgs {
            if let Some(j) = g.joining {
                serving[self.volume.segments[j.source.index()].node.index()] += 1;
            }
        }
        self.volume.pgs[pg.index()]
            .members
            .iter()
            .copied()
            .filter(|&s| s != old && self.volume.is_live(s) && reaches(s))
            .min_by_key(|&s| {
                let node = self.volume.segments[s.index()].node;
                let ready = self.io[node.index()].disk.background_ready(now);
                (serving[node.index()], ready, node)
            })
    }

    /// The copy of `pg`'s replacement moves on by one chunk, or finishes.
    pub(crate) fn on_repair_chunk(
        &mut self,
        cx: &mut Ctx,
        hosts: &impl Routes,
        pg: PgId,
        membership: u32,
    ) {
        let g = &self.volume.pgs[pg.index()];
        let Some(j) = g.joining.filter(|_| g.membership == membership) else {
            return;
        };
        let now = cx.now();
        // The source must stay live, and a read quorum must vouch for the
        // copy it serves; else the copy moves to the best live member, or
        // waits.
        let (live, best) = self.volume.best_live_member(pg, Some(j.old), now);
        let quorum = live >= self.volume.quorum.read() as usize;
        // A copy needs a path between the two nodes.
        let reaches = |s: SegmentId| {
            cx.net()
                .reachable(self.volume.endpoint(s), self.volume.endpoint(j.new))
        };
        let source = if self.volume.is_live(j.source) && reaches(j.source) {
            Some(j.source)
        } else {
            self.repair_source(now, pg, j.old, &|s| reaches(s))
        };
        let Some(source) = source.filter(|_| quorum) else {
            cx.after(REPAIR_RETRY, Event::RepairChunk { pg, membership });
            return;
        };
        let total = cx.cfg.storage.segment_gib << 30;
        if j.copied >= total {
            self.complete(cx, hosts, pg, j, best.map_or(source, |b| b.1));
            return;
        }
        let bytes = CHUNK_BYTES.min(total - j.copied);
        let end = self.copy_chunk(cx, source, j.new, bytes);
        let copied = j.copied + bytes;
        let g = &mut self.volume.pgs[pg.index()];
        g.joining = Some(Joining {
            source,
            copied,
            ..j
        });
        // The last chunk's landing completes the change: its own event, so
        // that what watches membership changes need not look at chunks.
        let next = if copied >= total {
            Event::RepairDone { pg, membership }
        } else {
            Event::RepairChunk { pg, membership }
        };
        cx.after(end.since(now), next);
    }

    /// Moves one chunk of `bytes` from `from`'s node to `to`'s: a disk
    /// read, both NICs and a disk write, each at background priority.
    /// Returns when the chunk has landed.
    fn copy_chunk(&mut self, cx: &Ctx, from: SegmentId, to: SegmentId, bytes: u64) -> SimTime {
        let st = &cx.cfg.storage;
        let (src, dst) = (
            self.volume.segments[from.index()].node,
            self.volume.segments[to.index()].node,
        );
        let (src_disk, src_link) = self.costs(st, src.index(), bytes, 1);
        let (dst_disk, dst_link) = self.costs(st, dst.index(), bytes, 1);
        let occ = [src_disk, src_link, dst_link, dst_disk];
        let cap = st.repair_gbps.map_or(SimDuration::ZERO, |gbps| {
            occupancy(bytes, 0, gbps, None, 1.0)
        });
        let [s, d] = self
            .io
            .get_disjoint_mut([src.index(), dst.index()])
            .expect("a copy goes between two nodes");
        let now = cx.now();
        // The stages stream: each device serves its part as soon as it
        // can, and the chunk has landed when the slowest is through.
        let ends = [
            s.disk.background(now, occ[0]),
            s.nic_out.background(now, occ[1]),
            d.nic_in.background(now, occ[2]),
            d.disk.background(now, occ[3]),
        ];
        s.repair_out += bytes;
        d.repair_in += bytes;
        let end = ends.into_iter().max().expect("four devices");
        end.max(now + cap)
    }

    /// The copy is done: G takes the data the most complete live member
    /// holds now (the writes it missed while copying), and the membership
    /// moves to G under a new epoch.
    fn complete(
        &mut self,
        cx: &mut Ctx,
        hosts: &impl Routes,
        pg: PgId,
        j: Joining,
        best: SegmentId,
    ) {
        let snapshot = self.volume.segments[best.index()].snapshot();
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
        g.membership += 1;
        cx.rec.segments_repairing -= 1;
        cx.rec.segments_repaired += 1;
        let now = cx.now();
        self.persist_and_ack(cx, hosts, j.new, now, 0);
        self.record_quorum_health(cx, hosts);
    }

    /// The change of `pg` goes back to its old membership under a new
    /// epoch; the half-copied segment is dropped.
    fn roll_back(&mut self, cx: &mut Ctx, pg: PgId) {
        let g = &mut self.volume.pgs[pg.index()];
        if g.joining.take().is_some() {
            g.membership += 1;
            cx.rec.segments_repairing -= 1;
            cx.rec.repairs_rolled_back += 1;
        }
    }

    /// `node` is running again: a change replacing one of its segments
    /// that has not finished copying rolls back, since F is back.
    pub(crate) fn on_node_back(&mut self, cx: &mut Ctx, node: NodeId) {
        for i in 0..self.volume.nodes[node.index()].segments.len() {
            let s = self.volume.nodes[node.index()].segments[i];
            let pg = self.volume.segments[s.index()].pg;
            if self.volume.pgs[pg.index()]
                .joining
                .is_some_and(|j| j.old == s)
            {
                self.roll_back(cx, pg);
            }
        }
    }

    /// `node` went down: a change copying onto it rolls back, and the
    /// node of the segment it was replacing is looked at again at once.
    pub(crate) fn on_node_lost(&mut self, cx: &mut Ctx, node: NodeId) {
        for i in 0..self.volume.nodes[node.index()].segments.len() {
            let s = self.volume.nodes[node.index()].segments[i];
            let pg = self.volume.segments[s.index()].pg;
            let Some(j) = self.volume.pgs[pg.index()].joining.filter(|j| j.new == s) else {
                continue;
            };
            self.roll_back(cx, pg);
            let old = self.volume.segments[j.old.index()].node;
            let incarnation = self.volume.nodes[old.index()].incarnation;
            cx.after(
                SimDuration::ZERO,
                Event::RepairCheck {
                    node: old,
                    incarnation,
                },
            );
        }
    }
}

/// How soon repair looks again at a segment it could not start (its PG
/// already repairing or below read quorum, or no node free). Modelling
/// choice: short beside a copy (seconds), long beside a storage round trip.
const REPAIR_RETRY: SimDuration = SimDuration::from_secs(1);

/// Copies one node takes at a time: 2. Modelling choice: repairs queue
/// per node, so that copies onto one node finish one pair after another
/// rather than all at the end, while two keep its disk busy when a source
/// is slower than the target.
const COPIES_IN_PER_NODE: u32 = 2;

/// Bytes of one repair chunk: 1 MiB. Modelling choice: the unit a copy
/// holds a device for, so a persist arriving behind it waits at most about
/// a millisecond on the default disk; smaller chunks cost more events for
/// the same copy.
pub const CHUNK_BYTES: u64 = 1 << 20;
