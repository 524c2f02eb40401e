//! LSN order (\[P17\] §4.2): VDL ≤ VCL; VDL only at consistency points
//! (ends of commits); VDL, PGCL and the durable SCL never go backwards
//! within an epoch (a new epoch may truncate; a crash may lose records not
//! yet on disk, which were never acknowledged); no LSN allocated beyond
//! VDL + LAL. After a recovery, allocation resumes above the truncated
//! range, so the limit counts from there until VDL passes it; and above
//! every LSN a writer of an earlier epoch allocated, so that no LSN names
//! two records.

use crate::model::storage::lsn::{Lsn, LsnPoints};
use crate::model::{Kind, Seen, World};

#[derive(Clone)]
pub(super) struct LsnOrder {
    /// Records per commit: commit ends are multiples of it from the base.
    records_per_commit: u64,
    /// The current writer's epoch, its (VDL, VCL, last allocated LSN) and
    /// PGCLs last seen in that epoch.
    epoch: u32,
    seen: Option<(Lsn, Lsn, Lsn)>,
    pgcl: Vec<Lsn>,
    /// Each segment's SCL last seen, with the truncation epoch it had.
    scl: Vec<(u32, Lsn)>,
    /// The highest LSN writers of earlier epochs allocated.
    earlier: Lsn,
}

impl LsnOrder {
    pub(super) fn new(world: &World) -> LsnOrder {
        LsnOrder {
            records_per_commit: world.config().workload.records_per_commit as u64,
            epoch: world.current_writer().epoch,
            seen: None,
            pgcl: vec![Lsn(0); world.volume().pgs.len()],
            scl: Vec::new(),
            earlier: Lsn(0),
        }
    }

    #[inline]
    pub(super) fn after(&mut self, world: &World, event: Seen) -> Option<String> {
        match event.kind {
            Kind::GroupCommit | Kind::Quorum => self.points(world, event),
            Kind::Batch | Kind::GossipPush | Kind::RecoveryProbe => {
                self.segment(world, event.operands[0] as usize)
            }
            _ => None,
        }
    }

    fn points(&mut self, world: &World, event: Seen) -> Option<String> {
        // Deposed writers that still run are few and short-lived: checked
        // in full each time. (The current writer comes first.)
        let w = world.current_writer();
        for old in world.writers().skip(1) {
            if let Some(d) = self.order(&old.points) {
                return Some(format!("writer of epoch {}: {d}", old.epoch));
            }
            if old.epoch < w.epoch {
                self.earlier = self.earlier.max(old.points.allocated());
            }
        }
        if !w.points.recovered() {
            // A writer still recovering has no points yet.
            return None;
        }
        if w.epoch != self.epoch {
            // What the writer of the last epoch seen had allocated.
            if let Some((.., allocated)) = self.seen {
                self.earlier = self.earlier.max(allocated);
            }
            self.epoch = w.epoch;
            self.seen = None;
            self.pgcl.iter_mut().for_each(|p| *p = Lsn(0));
        }
        if w.points.base() < self.earlier {
            return Some(format!(
                "writer of epoch {} allocates from LSN {}, at or below LSN {} a writer of an earlier epoch allocated",
                w.epoch,
                w.points.base().0 + 1,
                self.earlier.0
            ));
        }
        // Most acks move none of VDL, VCL and the allocation: the rules are
        // checked again only when one of them moved.
        let p = &w.points;
        let now = (p.vdl(), p.vcl(), p.allocated());
        if self.seen != Some(now) {
            if let Some(d) = self.order(p) {
                return Some(format!("writer of epoch {}: {d}", w.epoch));
            }
            if let Some((vdl, ..)) = self.seen.filter(|s| now.0 < s.0) {
                return Some(format!(
                    "VDL went back from {} to {} within epoch {}",
                    vdl.0, now.0, w.epoch
                ));
            }
            self.seen = Some(now);
        }
        if event.kind == Kind::Quorum {
            let pg = crate::vocab::ids::PgId::from_index(event.operands[0] as usize);
            let pgcl = w.points.pgcl(pg);
            let last = &mut self.pgcl[pg.index()];
            if pgcl < *last {
                return Some(format!(
                    "PGCL of PG {} went back from {} to {} within epoch {}",
                    pg.index(),
                    last.0,
                    pgcl.0,
                    w.epoch
                ));
            }
            *last = pgcl;
        }
        None
    }

    /// The rules one writer's points must keep at every instant.
    fn order(&self, p: &LsnPoints) -> Option<String> {
        let (vdl, vcl) = (p.vdl(), p.vcl());
        if vdl > vcl {
            return Some(format!("VDL {} above VCL {}", vdl.0, vcl.0));
        }
        if !p.vdl_at_consistency_point(self.records_per_commit) {
            return Some(format!("VDL {} is not the end of a commit", vdl.0));
        }
        let from = vdl.max(p.base());
        if p.allocated().0 > from.0 + p.lal() {
            return Some(format!(
                "LSN {} allocated beyond {} + LAL {}",
                p.allocated().0,
                from.0,
                p.lal()
            ));
        }
        None
    }

    fn segment(&mut self, world: &World, seg: usize) -> Option<String> {
        let s = &world.volume().segments[seg];
        if self.scl.len() <= seg {
            self.scl.resize(world.volume().segments.len(), (0, Lsn(0)));
        }
        let (cut_epoch, scl) = (s.epochs().truncated, s.durable_scl());
        let last = &mut self.scl[seg];
        if cut_epoch == last.0 && scl < last.1 {
            return Some(format!(
                "durable SCL of segment {seg} went back from {} to {} within epoch {cut_epoch}",
                last.1 .0, scl.0
            ));
        }
        *last = (cut_epoch, scl);
        None
    }
}
