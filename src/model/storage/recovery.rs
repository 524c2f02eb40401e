//! Crash recovery's view of the volume: what a new writer could rebuild
//! from the storage that is left.
//!
//! Recovery contacts a read quorum of every PG; because every read quorum
//! meets every write quorum (\[P17\] §2.1), the highest SCL it finds covers
//! every durable record of the PG. From those it computes the recoverable
//! VCL and truncates above the last consistency point (\[P17\] §4.3).

use super::lsn::Lsn;
use super::volume::Volume;
use crate::sim::SimTime;
use crate::vocab::ids::{PgId, SegmentId};

/// A truncation a recovery recorded: nothing strictly between `vdl` and
/// `resume` exists from `epoch` on, and each PG's last record at or below
/// `vdl` is its entry of `tails`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Truncation {
    /// The epoch whose recovery recorded it.
    pub epoch: u32,
    /// The recovered VDL: records above it are cut.
    pub vdl: Lsn,
    /// Where the new writer allocates from.
    pub resume: Lsn,
    /// Per PG, its last record at or below `vdl`: what a later recovery
    /// must find again, since these records are committed though they may
    /// sit on fewer copies than a write quorum.
    pub tails: Vec<Lsn>,
}

/// Where a writer after the log was cut at `vdl` allocates from: above
/// anything the writers before it could have allocated, keeping commit
/// ends at multiples of the commit size. A writer allocates at most
/// `lal` above its VDL, or above where its epoch resumed (`truncations`)
/// when its VDL never passed that: a writer recovered but never able to
/// commit still sent records from its resume point up, and they must not
/// share LSNs with the next one's.
pub fn resume_point(
    vdl: Lsn,
    truncations: &[Truncation],
    (lal, records_per_commit): (u64, u64),
) -> Lsn {
    let base = truncations
        .iter()
        .map(|t| t.resume.0 - 1)
        .fold(vdl.0, u64::max);
    Lsn((base + lal).div_ceil(records_per_commit) * records_per_commit + 1)
}

/// The VDL a recovery at `now` would reach from the segments `counts`
/// admits, up to `vdl` with each PG's last record at or below it
/// `needed`, given each commit's `records_per_commit` records (so every
/// multiple of it is a CPL). Counting the running segments gives what is
/// available now; counting every segment whose disk survives (running, or
/// down but coming back) gives what is not destroyed.
///
/// A PG with fewer than a read quorum of counted, hydrated segments cannot
/// be recovered at all. When a PG's best surviving SCL is below its last
/// record under VDL, its records above that SCL are lost; the exact next
/// record of the PG is not retained, so recovery is taken to stop at that
/// SCL, which makes the lost-commit count an upper bound in that (already
/// failing) case and exact otherwise.
pub fn recoverable_vdl(
    volume: &mut Volume,
    (vdl, needed): (Lsn, &dyn Fn(PgId) -> Lsn),
    records_per_commit: u64,
    now: SimTime,
    counts: impl Fn(&Volume, SegmentId) -> bool,
) -> Lsn {
    let read_quorum = volume.quorum.read() as usize;
    let mut limit = vdl;
    for p in 0..volume.pgs.len() {
        let pg = PgId::from_index(p);
        let needed = needed(pg);
        // Without a read quorum, recovery cannot prove anything for the PG.
        let best = match volume.best_member(pg, None, now, &counts) {
            (live, Some((scl, _))) if live >= read_quorum => scl,
            _ => Lsn(0),
        };
        if best < needed {
            limit = limit.min(best);
        }
    }
    Lsn(limit.0 / records_per_commit * records_per_commit)
}

/// The outcome of a recovery: the volume's new VDL and, for each PG, its
/// last record at or below it (the back-link of the PG's next record).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Recovered {
    /// The recovered VDL: the last consistency point below the first LSN
    /// no PG holds.
    pub vdl: Lsn,
    /// Per PG, its last record at or below `vdl`.
    pub tails: Vec<Lsn>,
}

/// Computes the recovered VDL from the most complete segment of each PG's
/// read quorum (\[P17\] §4.3).
///
/// LSNs are allocated densely, one per record, so a durable prefix of the
/// log is a run of consecutive LSNs: starting at `floor` (a VDL some writer
/// reached, hence durable), the walk goes up through the LSNs the PGs hold
/// until one is missing. Ranges an earlier recovery truncated,
/// `(above, resume)` exclusive, hold no LSN and are stepped over. The
/// result stops at the last commit record (every multiple of
/// `records_per_commit` is one).
pub fn recover(
    best: &[&super::segment::RecoveryInfo],
    floor: Lsn,
    truncated: &[(Lsn, Lsn)],
    records_per_commit: u64,
) -> Recovered {
    let mut present: Vec<Lsn> = best
        .iter()
        .flat_map(|i| i.lsns.iter().copied().filter(|&l| l > floor))
        .collect();
    present.sort_unstable();
    let mut next = floor.0 + 1;
    let mut vdl = floor;
    for &l in &present {
        while let Some(&(_, resume)) = truncated
            .iter()
            .find(|(above, resume)| next > above.0 && next < resume.0)
        {
            next = resume.0;
        }
        if l.0 != next {
            break;
        }
        if l.0 % records_per_commit == 0 {
            vdl = l;
        }
        next += 1;
    }
    let tails = best
        .iter()
        .map(|i| {
            let in_log = i.lsns.iter().copied().take_while(|&l| l <= vdl).last();
            in_log.unwrap_or(Lsn(0)).max(i.applied)
        })
        .collect();
    Recovered { vdl, tails }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::storage::segment::RecoveryInfo;

    fn info(applied: u64, lsns: &[u64]) -> RecoveryInfo {
        RecoveryInfo {
            scl: Lsn(lsns.last().copied().unwrap_or(applied)),
            min_read_point: Lsn(0),
            applied: Lsn(applied),
            lsns: lsns.iter().map(|&l| Lsn(l)).collect(),
        }
    }

    #[test]
    fn the_first_missing_lsn_ends_the_volume() {
        // Commits of two records: PG 0 holds 1..4 and 7, PG 1 holds 5, 6
        // but not 8: the commit ending at 8 is incomplete.
        let (a, b) = (info(0, &[1, 2, 3, 4, 7]), info(0, &[5, 6]));
        let r = recover(&[&a, &b], Lsn(0), &[], 2);
        assert_eq!(r.vdl, Lsn(6));
        assert_eq!(r.tails, vec![Lsn(4), Lsn(6)]);
    }

    #[test]
    fn truncated_ranges_are_stepped_over() {
        // An earlier recovery kept 1..4 and resumed at 11.
        let (a, b) = (info(2, &[3, 11, 12]), info(4, &[13, 14]));
        let r = recover(&[&a, &b], Lsn(4), &[(Lsn(4), Lsn(11))], 2);
        assert_eq!(r.vdl, Lsn(14));
        assert_eq!(r.tails, vec![Lsn(12), Lsn(14)]);
    }

    #[test]
    fn materialized_records_count_as_the_tail() {
        let (a, b) = (info(8, &[]), info(6, &[7]));
        let r = recover(&[&a, &b], Lsn(8), &[], 2);
        assert_eq!((r.vdl, r.tails.clone()), (Lsn(8), vec![Lsn(8), Lsn(7)]));
    }
}
