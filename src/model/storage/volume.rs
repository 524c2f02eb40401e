//! The volume: protection groups, their segments, and the storage nodes
//! that hold them.
//!
//! A volume of `volume_gib` is cut into PGs of `segment_gib` (\[P17\] §2.2).
//! Each PG has `copies` segments, the same number in every AZ (\[P17\] §2.1:
//! two in each of three). Segments are placed round-robin over each AZ's
//! nodes, offset by the AZ's position so that equal node numbers in two AZs
//! do not hold the same PGs. One node therefore holds segments of many PGs,
//! and a node crash touches all of them.
//!
//! **Membership change** (\[P18\]): while a failed segment F is replaced by G,
//! a write must reach a write quorum of the old set *and* of the new set,
//! and G only counts once its data has been copied in.

use super::lsn::Lsn;
use super::segment::Segment;
use crate::model::network::{Endpoint, Network};
use crate::sim::SimTime;
use crate::vocab::ids::{AzId, NodeId, PgId, SegmentId};
use crate::vocab::quorum::Quorum;

/// A storage host. Its segments' data survives a crash on disk.
#[derive(Clone, Debug)]
pub struct StorageNode {
    /// Its AZ.
    pub az: AzId,
    /// Whether it is running.
    pub up: bool,
    /// Faults currently holding it down (crash, AZ outage); up when zero.
    pub faults: u32,
    /// Bumped at every crash; a message that left before a crash and
    /// arrives after it is recognised as stale.
    pub incarnation: u32,
    /// When it last went down.
    pub down_since: SimTime,
    /// Disk and network slow-down (gray failure); 1 is healthy.
    pub slowness: f64,
    /// Segments placed on it, in creation order.
    pub segments: Vec<SegmentId>,
}

/// A replacement in progress: `new` is being hydrated to take `old`'s place.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Joining {
    /// The segment being replaced.
    pub old: SegmentId,
    /// Its replacement.
    pub new: SegmentId,
    /// The member it copies from.
    pub source: SegmentId,
    /// Bytes copied so far.
    pub copied: u64,
}

/// A protection group's membership.
#[derive(Clone, Debug)]
pub struct ProtectionGroup {
    /// Current members, one per copy slot.
    pub members: Vec<SegmentId>,
    /// A replacement being hydrated, if any.
    pub joining: Option<Joining>,
    /// Bumped by every membership change (\[P18\]): F to {F, G} when a
    /// replacement starts, then to G when it completes or back to F when
    /// it rolls back.
    pub membership: u32,
}

impl ProtectionGroup {
    /// Every segment that should receive writes: members and the joiner.
    pub fn write_targets(&self) -> impl Iterator<Item = SegmentId> + '_ {
        self.members
            .iter()
            .copied()
            .chain(self.joining.map(|j| j.new))
    }
}

/// All PGs, segments and storage nodes.
#[derive(Clone, Debug)]
pub struct Volume {
    /// Copies and quorum sizes.
    pub quorum: Quorum,
    /// PGs by id.
    pub pgs: Vec<ProtectionGroup>,
    /// Segments by id; replaced segments stay, retired.
    pub segments: Vec<Segment>,
    /// Storage nodes by id.
    pub nodes: Vec<StorageNode>,
}

impl Volume {
    /// Lays out `pgs` PGs over the first `azs` AZs of `nodes_per_az` nodes
    /// each (the primary region's), with the nodes of `all` AZs (every
    /// region's) standing by.
    pub fn new(pgs: u32, (azs, all): (usize, usize), nodes_per_az: u32, quorum: Quorum) -> Self {
        let per_az = quorum.copies() as usize / azs;
        assert!(
            per_az * azs == quorum.copies() as usize && per_az <= nodes_per_az as usize,
            "copies must spread evenly over AZs, at most one per node"
        );
        let mut nodes: Vec<StorageNode> = (0..all * nodes_per_az as usize)
            .map(|i| StorageNode {
                az: AzId((i / nodes_per_az as usize) as u8),
                up: true,
                faults: 0,
                incarnation: 0,
                down_since: SimTime::ZERO,
                slowness: 1.0,
                segments: Vec::new(),
            })
            .collect();
        let mut segments = Vec::with_capacity(pgs as usize * quorum.copies() as usize);
        let mut groups = Vec::with_capacity(pgs as usize);
        for p in 0..pgs as usize {
            let mut members = Vec::with_capacity(quorum.copies() as usize);
            for node in placement(p, 0..azs, per_az, nodes_per_az) {
                let id = SegmentId::from_index(segments.len());
                segments.push(Segment::new(PgId::from_index(p), node, true));
                nodes[node.index()].segments.push(id);
                members.push(id);
            }
            groups.push(ProtectionGroup {
                members,
                joining: None,
                membership: 0,
            });
        }
        Volume {
            quorum,
            pgs: groups,
            segments,
            nodes,
        }
    }

    /// The segment's node.
    pub fn node_of(&self, seg: SegmentId) -> &StorageNode {
        &self.nodes[self.segments[seg.index()].node.index()]
    }

    /// The network end of a segment: its node, in the node's AZ.
    pub fn endpoint(&self, seg: SegmentId) -> Endpoint {
        let node = self.segments[seg.index()].node;
        Endpoint::Node(node, self.nodes[node.index()].az)
    }

    /// The highest LSN durable on the PG, from each segment's SCL as `scl`
    /// reports it: a write quorum of the members, and during a replacement
    /// also of the new set (where the joiner counts only once hydrated).
    pub fn durable_lsn(&self, pg: PgId, scl: impl Fn(SegmentId) -> Lsn) -> Lsn {
        let g = &self.pgs[pg.index()];
        let n = g.members.len();
        // Copies are at most 30 (validated), so the sets fit on the stack.
        let mut buf = [Lsn(0); 32];
        for (slot, &s) in g.members.iter().enumerate() {
            buf[slot] = scl(s);
        }
        let old = self.quorum.durable_lsn(&mut buf[..n]);
        let Some(j) = g.joining else {
            return old;
        };
        for (slot, &s) in g.members.iter().enumerate() {
            buf[slot] = if s != j.old {
                scl(s)
            } else if self.segments[j.new.index()].hydrated {
                scl(j.new)
            } else {
                Lsn(0)
            };
        }
        old.min(self.quorum.durable_lsn(&mut buf[..n]))
    }

    /// Whether the segment's data can be used now: hydrated, on a running
    /// node.
    pub fn is_live(&self, seg: SegmentId) -> bool {
        self.segments[seg.index()].hydrated && self.node_of(seg).up
    }

    /// How many of `g`'s members are live and, if `from` is given, reached
    /// from that endpoint over `net`.
    pub fn live_copies(&self, g: &ProtectionGroup, net: &Network, from: Option<Endpoint>) -> u32 {
        g.members
            .iter()
            .filter(|&&s| {
                self.is_live(s) && from.is_none_or(|e| net.reachable(e, self.endpoint(s)))
            })
            .count() as u32
    }

    /// Whether `from` reaches a read quorum of live copies of every PG.
    pub fn reaches_read_quorum(&self, net: &Network, from: Endpoint) -> bool {
        let need = self.quorum.read();
        self.pgs
            .iter()
            .all(|g| self.live_copies(g, net, Some(from)) >= need)
    }

    /// Whether `from` reaches a write quorum of live copies of every PG:
    /// what a writer there could commit to.
    pub fn reaches_write_quorum(&self, net: &Network, from: Endpoint) -> bool {
        let need = self.quorum.write();
        self.pgs
            .iter()
            .all(|g| self.live_copies(g, net, Some(from)) >= need)
    }

    /// How many of the PG's members (other than `except`) are live, and
    /// the live one with the most complete persisted log: what recovery
    /// and repair both look for.
    pub fn best_live_member(
        &mut self,
        pg: PgId,
        except: Option<SegmentId>,
        now: SimTime,
    ) -> (usize, Option<(Lsn, SegmentId)>) {
        self.best_member(pg, except, now, Volume::is_live)
    }

    /// How many of the PG's members (other than `except`) `counts`, and
    /// the counted one with the most complete persisted log.
    pub fn best_member(
        &mut self,
        pg: PgId,
        except: Option<SegmentId>,
        now: SimTime,
        counts: impl Fn(&Volume, SegmentId) -> bool,
    ) -> (usize, Option<(Lsn, SegmentId)>) {
        let mut live = 0;
        let mut best: Option<(Lsn, SegmentId)> = None;
        for i in 0..self.pgs[pg.index()].members.len() {
            let s = self.pgs[pg.index()].members[i];
            if Some(s) == except || !counts(self, s) {
                continue;
            }
            live += 1;
            let scl = self.segments[s.index()].persisted_scl(now);
            if best.is_none_or(|(b, _)| scl > b) {
                best = Some((scl, s));
            }
        }
        (live, best)
    }

    /// Adds a new, empty segment of `pg` on `node`.
    pub fn add_segment(&mut self, pg: PgId, node: NodeId, hydrated: bool) -> SegmentId {
        let id = SegmentId::from_index(self.segments.len());
        self.segments.push(Segment::new(pg, node, hydrated));
        self.nodes[node.index()].segments.push(id);
        id
    }
}

/// Where PG `p`'s copies go in the AZs `azs`, `per_az` in each: round-robin
/// over each AZ's nodes, offset by the AZ's position so that equal node
/// numbers in two AZs do not hold the same PGs.
pub fn placement(
    p: usize,
    azs: std::ops::Range<usize>,
    per_az: usize,
    nodes_per_az: u32,
) -> impl Iterator<Item = NodeId> {
    let first = azs.start;
    azs.flat_map(move |z| {
        (0..per_az).map(move |j| {
            let n = (p * per_az + j + (z - first)) % nodes_per_az as usize;
            NodeId::from_index(z * nodes_per_az as usize + n)
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placement_puts_two_copies_in_each_az_on_distinct_nodes() {
        let v = Volume::new(10, (3, 3), 16, Quorum::AURORA);
        for g in &v.pgs {
            let mut per_az = [0; 3];
            let mut nodes: Vec<_> = g
                .members
                .iter()
                .map(|&s| v.segments[s.index()].node)
                .collect();
            for n in &nodes {
                per_az[v.nodes[n.index()].az.index()] += 1;
            }
            assert_eq!(per_az, [2, 2, 2]);
            nodes.sort();
            nodes.dedup();
            assert_eq!(nodes.len(), 6);
        }
        // One node holds segments of more than one PG.
        assert!(v.nodes.iter().any(|n| n.segments.len() > 1));
    }

    #[test]
    fn replacement_needs_both_quorums() {
        let mut v = Volume::new(1, (3, 3), 4, Quorum::AURORA);
        let old = v.pgs[0].members[5];
        let new = v.add_segment(PgId(0), NodeId(11), false);
        v.pgs[0].joining = Some(Joining {
            old,
            new,
            source: v.pgs[0].members[0],
            copied: 0,
        });
        // Members A..E at 10, F (dead) at 0, G (joining, not hydrated).
        let scl = |s: SegmentId| {
            if s == old || s == new {
                Lsn(0)
            } else {
                Lsn(10)
            }
        };
        assert_eq!(v.durable_lsn(PgId(0), scl), Lsn(10));
        // Two of A..E fall behind: neither set has four at 10.
        let members = v.pgs[0].members.clone();
        let scl = |s: SegmentId| {
            if s == old || s == new || s == members[0] || s == members[1] {
                Lsn(0)
            } else {
                Lsn(10)
            }
        };
        assert_eq!(v.durable_lsn(PgId(0), scl), Lsn(0));
    }
}
