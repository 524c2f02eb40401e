//! Crash recovery's view of the volume: what a new writer could rebuild
//! from the storage that is left.
//!
//! Recovery contacts a read quorum of every PG; because every read quorum
//! meets every write quorum ([P17] §2.1), the highest SCL it finds covers
//! every durable record of the PG. From those it computes the recoverable
//! VCL and truncates above the last consistency point ([P17] §4.3).

use super::lsn::{Lsn, LsnPoints};
use super::volume::Volume;
use crate::model::ids::PgId;
use crate::sim::SimTime;

/// The VDL a recovery at `now` would reach, given each commit's
/// `records_per_commit` records (so every multiple of it is a CPL).
///
/// A PG with fewer than a read quorum of running, hydrated segments cannot
/// be recovered at all. When a PG's best surviving SCL is below its last
/// record under VDL, its records above that SCL are lost; the exact next
/// record of the PG is not retained, so recovery is taken to stop at that
/// SCL, which makes the lost-commit count an upper bound in that (already
/// failing) case and exact otherwise.
pub fn recoverable_vdl(
    volume: &mut Volume,
    points: &LsnPoints,
    records_per_commit: u64,
    now: SimTime,
) -> Lsn {
    let read_quorum = volume.quorum.read() as usize;
    let mut limit = points.vdl();
    for p in 0..volume.pgs.len() {
        let pg = PgId::from_index(p);
        let needed = points.last_record_below_vdl(pg);
        // Without a read quorum, recovery cannot prove anything for the PG.
        let best = match volume.best_live_member(pg, None, now) {
            (live, Some((scl, _))) if live >= read_quorum => scl,
            _ => Lsn(0),
        };
        if best < needed {
            limit = limit.min(best);
        }
    }
    Lsn(limit.0 / records_per_commit * records_per_commit)
}
