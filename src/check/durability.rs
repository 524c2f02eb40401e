//! No acknowledged commit is lost, as long as no PG permanently loses more
//! than `copies − read_quorum` segments (AZ+1 for 4/6 writes and 3/6
//! reads): every recovery finds every commit acknowledged before it, every
//! read returns the committed page state, and the storage left at the end
//! can rebuild every acknowledged commit (checked in `Checks::finish`).

use crate::model::faults::permanently_lost_nodes;
use crate::model::World;

pub(super) struct Durability {
    not_applicable: Option<String>,
    lost_at_recovery: u64,
    wrong_reads: u64,
}

impl Durability {
    /// Works out, from the scenario's faults, whether the premise holds.
    pub(super) fn new(world: &World) -> Durability {
        let lost_nodes = permanently_lost_nodes(&world.scenario);
        let q = &world.volume.quorum;
        let tolerable = q.copies() - q.read().min(q.copies());
        let worst = world
            .volume
            .pgs
            .iter()
            .enumerate()
            .map(|(pg, g)| {
                let lost = g
                    .members
                    .iter()
                    .filter(|&&s| lost_nodes[world.volume.segments[s.index()].node.index()])
                    .count() as u32;
                (lost, pg)
            })
            .max();
        let not_applicable = worst.filter(|&(lost, _)| lost > tolerable).map(|(lost, pg)| {
            format!(
                "PG {pg} permanently loses {lost} of {} segments, more than copies − read quorum = {tolerable}",
                q.copies()
            )
        });
        Durability {
            not_applicable,
            lost_at_recovery: 0,
            wrong_reads: 0,
        }
    }

    pub(super) fn not_applicable(&self) -> Option<&str> {
        self.not_applicable.as_deref()
    }

    #[inline]
    pub(super) fn after(&mut self, world: &World) -> Option<String> {
        let rec = &world.rec;
        if rec.lost_at_recovery > self.lost_at_recovery {
            let n = rec.lost_at_recovery - self.lost_at_recovery;
            self.lost_at_recovery = rec.lost_at_recovery;
            return Some(format!(
                "recovery under epoch {} reached VDL {} below {n} acknowledged commit(s)",
                world.latest_epoch,
                world.writer.points.vdl().0
            ));
        }
        if rec.reads_wrong > self.wrong_reads {
            self.wrong_reads = rec.reads_wrong;
            return Some("a read returned a page state that was never committed".to_owned());
        }
        None
    }
}
