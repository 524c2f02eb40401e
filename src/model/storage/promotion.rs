//! A global database's region promotion, as storage lives it: the promoted
//! region's copies become the volume.
//!
//! Before the promotion the region's storage is the global database's
//! ledger of what it stored (`model::global`); here each PG gets six
//! segments on that region's nodes, placed as the primary's were, each
//! holding the log up to the promotion point as the region's replication
//! agent wrote it. Those copies serve a new epoch, so that the old primary's
//! writer, if it still runs, is refused by them and fenced; the old
//! primary's segments adopt that epoch too, so that it is refused there as
//! well. A truncation recorded at the promotion point keeps the new
//! writer's LSNs clear of everything the old one may have allocated.

use super::fleet::Storage;
use super::lsn::Lsn;
use super::recovery::Truncation;
use super::segment::Segment;
use super::volume::placement;
use crate::model::config::{RegionId, Topology};
use crate::vocab::ids::SegmentId;

impl Storage {
    /// `region` becomes the volume's home with the log up to `upto`; its
    /// copies serve epoch `fence`, and a writer after the promotion
    /// allocates from `resume`. Returns how many segments were added.
    pub(crate) fn rehome(
        &mut self,
        topology: &Topology,
        (region, upto): (RegionId, Lsn),
        (fence, resume): (u32, Lsn),
    ) -> usize {
        let v = &mut self.volume;
        let per_region = topology.azs_per_region;
        let per_az = v.quorum.copies() as usize / per_region;
        let first = region.0 as usize * per_region;
        let before = v.segments.len();
        let mut tails = Vec::with_capacity(v.pgs.len());
        for p in 0..v.pgs.len() {
            // The member holding the most of the log stands for what the
            // region's agent applied: every copy holds the same log, and
            // the region stores at most what a write quorum here made
            // durable.
            let members = v.pgs[p].members.clone();
            let source = members
                .iter()
                .copied()
                .max_by_key(|&s| (v.segments[s.index()].scl(), std::cmp::Reverse(s)))
                .expect("a PG has members");
            let copies: Vec<Segment> =
                placement(p, first..first + per_region, per_az, topology.nodes_per_az)
                    .map(|node| Segment::copy_upto(&v.segments[source.index()], node, upto, fence))
                    .collect();
            tails.push(copies[0].scl());
            let mut new = Vec::with_capacity(copies.len());
            for copy in copies {
                let id = SegmentId::from_index(v.segments.len());
                v.nodes[copy.node.index()].segments.push(id);
                v.segments.push(copy);
                new.push(id);
            }
            for old in members {
                v.segments[old.index()].adopt_epoch(fence);
            }
            let g = &mut v.pgs[p];
            g.members = new;
            g.joining = None;
            g.membership += 1;
        }
        self.truncations.push(Truncation {
            epoch: fence,
            vdl: upto,
            resume,
            tails,
        });
        v.segments.len() - before
    }
}
