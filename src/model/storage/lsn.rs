//! Log sequence numbers and the durability points the writer tracks.
//!
//! Names as in \[P17\] §4.1:
//!
//! * **SCL** (segment complete LSN): the highest LSN below which a segment
//!   holds every record of its PG. Segments follow the back-links of records
//!   to find gaps.
//! * **PGCL** (PG complete LSN): the highest LSN below which a write quorum of
//!   the PG holds every record of the PG.
//! * **VCL** (volume complete LSN): the highest LSN below which every record
//!   of every PG is durable.
//! * **CPL** (consistency point LSN): the last record of a mini-transaction;
//!   here, the commit record of each commit.
//! * **VDL** (volume durable LSN): the highest CPL ≤ VCL. A commit is
//!   acknowledged once VDL ≥ its commit LSN.
//! * **LAL** (LSN allocation limit): no LSN beyond VDL + LAL is allocated.
//!
//! Two PGs, one lagging (`x` = record durable on a write quorum, `.` = not):
//!
//! ```text
//!   LSN     1  2  3  4  5  6  7  8
//!   PG 0    x     x        x  .       PGCL(0) = 6
//!   PG 1       x     .  x        x    PGCL(1) = 2 (record 4 pending)
//!   VCL = 3 (record 4 is the first not durable), VDL = last CPL ≤ 3
//! ```
//!
//! VCL is volume-wide: while one PG cannot reach write quorum, its first
//! pending record pins VCL, and every commit above it waits, whichever PGs
//! it touched.

use std::collections::{BTreeMap, VecDeque};
use std::fmt;

use smallvec::SmallVec;

use crate::vocab::ids::PgId;

/// A log sequence number. LSN 0 means "nothing": the first record is 1.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Lsn(pub u64);

impl fmt::Display for Lsn {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

/// One redo record: it changes one page of its PG.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Record {
    /// Its LSN.
    pub lsn: Lsn,
    /// The page it changes, numbered densely within the PG (see
    /// `model::workload`).
    pub page: u32,
}

/// A batch's records. Most batches carry a handful (a commit's three
/// records spread over ten PGs make about two a batch), which are kept
/// inline: a batch is then one allocation, and a segment folding its log
/// into pages reaches the records without a second pointer to follow.
pub type Records = SmallVec<[Record; 4]>;

/// A run of consecutive records of one PG, shipped together (group commit).
/// The back-link of each record is the one before it; that of the first is
/// `prev`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Batch {
    /// The PG all records belong to.
    pub pg: PgId,
    /// LSN of the PG's record before the first one here (0 if none).
    pub prev: Lsn,
    /// The records, in LSN order.
    pub records: Records,
    /// The writer's minimum read point when it shipped: segments may
    /// materialize pages up to it (\[P17\] §4.2.3, PGMRPL).
    pub min_read_point: Lsn,
    /// Volume epoch of the writer that shipped it.
    pub epoch: u32,
}

impl Batch {
    /// LSN of the last record.
    pub fn last(&self) -> Lsn {
        self.records.last().map_or(self.prev, |r| r.lsn)
    }
}

/// A record the writer has allocated but VDL has not yet passed.
#[derive(Clone, Copy, Debug)]
pub struct Allocated {
    /// Its LSN.
    pub lsn: Lsn,
    /// Its PG.
    pub pg: PgId,
    /// Its page within the PG.
    pub page: u32,
    /// Whether it ends a commit (a CPL).
    pub cpl: bool,
}

#[derive(Debug, Default, Clone)]
struct PgPoints {
    /// Records not yet durable, in LSN order.
    pending: VecDeque<Record>,
    /// Highest LSN durable on a write quorum.
    pgcl: Lsn,
    /// LSN of the PG's last allocated record: the next record's back-link.
    tail: Lsn,
    /// LSN of the PG's last record at or below VDL.
    below_vdl: Lsn,
}

/// The writer's view of every durability point.
#[derive(Debug, Clone)]
pub struct LsnPoints {
    next: u64,
    /// The last LSN of the range a recovery truncated: allocation resumes
    /// above it, and the LAL counts from the higher of it and VDL.
    base: u64,
    vdl: Lsn,
    lal: u64,
    pgs: Vec<PgPoints>,
    /// First pending LSN of each PG that has one; the smallest pins VCL.
    fronts: BTreeMap<Lsn, PgId>,
    /// Allocated records above VDL, in LSN order.
    above_vdl: VecDeque<Allocated>,
}

impl LsnPoints {
    /// Points for a fresh volume of `pgs` PGs with allocation limit `lal`.
    pub fn new(pgs: u32, lal: u64) -> Self {
        LsnPoints {
            next: 1,
            base: 0,
            vdl: Lsn(0),
            lal,
            pgs: vec![PgPoints::default(); pgs as usize],
            fronts: BTreeMap::new(),
            above_vdl: VecDeque::new(),
        }
    }

    /// Points of a writer that recovered the volume to `vdl` (\[P17\] §4.3):
    /// each PG's last record at or below it is `tails[pg]`, and allocation
    /// resumes at `resume`, above the truncated range.
    pub fn resume(lal: u64, vdl: Lsn, resume: Lsn, tails: &[Lsn]) -> Self {
        assert!(resume > vdl, "allocation resumes above the recovered VDL");
        LsnPoints {
            next: resume.0,
            base: resume.0 - 1,
            vdl,
            lal,
            pgs: tails
                .iter()
                .map(|&t| PgPoints {
                    pending: VecDeque::new(),
                    pgcl: t,
                    tail: t,
                    below_vdl: t,
                })
                .collect(),
            fronts: BTreeMap::new(),
            above_vdl: VecDeque::new(),
        }
    }

    /// Hands every allocated record at or below `lsn` and above VDL to
    /// `passed`, in LSN order, and forgets them: what a recovery that
    /// reached `lsn` made committed of this (former) writer's records.
    pub fn pass_up_to(&mut self, lsn: Lsn, mut passed: impl FnMut(&Allocated)) {
        while self.above_vdl.front().is_some_and(|r| r.lsn <= lsn) {
            let r = self.above_vdl.pop_front().expect("checked");
            passed(&r);
        }
    }

    /// VCL: every record at or below it is durable. Just below the first
    /// pending record of the PG that pins it; the last LSN allocated (or
    /// the top of the range a recovery truncated) when none is pending.
    pub fn vcl(&self) -> Lsn {
        match self.fronts.first_key_value() {
            Some((&front, _)) => Lsn(front.0 - 1),
            None => self.allocated(),
        }
    }

    /// Whether VDL stands at the end of a commit. Commits of `records_per_commit` records
    /// are allocated back to back above the base, so their ends are the
    /// base plus multiples of `records_per_commit`; a VDL at or below the base is the one
    /// recovery found, which it cut to a commit's end.
    pub fn vdl_at_consistency_point(&self, records_per_commit: u64) -> bool {
        self.vdl.0 <= self.base || (self.vdl.0 - self.base).is_multiple_of(records_per_commit)
    }

    /// VDL: the highest consistency point at or below VCL.
    pub fn vdl(&self) -> Lsn {
        self.vdl
    }

    /// The last LSN allocated (or the top of the truncated range, before
    /// the first allocation after a recovery).
    pub fn allocated(&self) -> Lsn {
        Lsn(self.next - 1)
    }

    /// Where this writer's allocation began: 0 for a fresh volume, the top
    /// of the truncated range after a recovery.
    pub fn base(&self) -> Lsn {
        Lsn(self.base)
    }

    /// The allocation limit (LAL).
    pub fn lal(&self) -> u64 {
        self.lal
    }

    /// Whether these are a writer's points, rather than the placeholder of
    /// a writer whose recovery has not finished.
    pub fn recovered(&self) -> bool {
        !self.pgs.is_empty()
    }

    /// PGCL of one PG.
    pub fn pgcl(&self, pg: PgId) -> Lsn {
        self.pgs[pg.index()].pgcl
    }

    /// The PG's last record at or below VDL: what must survive for no
    /// acknowledged commit to be lost.
    pub fn last_record_below_vdl(&self, pg: PgId) -> Lsn {
        self.pgs[pg.index()].below_vdl
    }

    /// The PG whose pending record pins VCL, if any.
    pub fn vcl_blocker(&self) -> Option<PgId> {
        self.fronts.first_key_value().map(|(_, &pg)| pg)
    }

    /// Records of the PG not yet durable.
    pub fn pending(&self, pg: PgId) -> impl ExactSizeIterator<Item = &Record> + '_ {
        self.pgs[pg.index()].pending.iter()
    }

    /// The back-link of the PG's first pending record: its last durable one.
    pub fn pending_prev(&self, pg: PgId) -> Lsn {
        self.pgs[pg.index()].pgcl
    }

    /// Whether `n` more LSNs fit under VDL + LAL.
    pub fn can_allocate(&self, n: u64) -> bool {
        self.next - 1 + n <= self.vdl.0.max(self.base) + self.lal
    }

    /// Allocates the next LSN for a record of `pg` changing `page`. Returns
    /// the record and its back-link. Panics beyond the allocation limit: the
    /// caller must ask [`LsnPoints::can_allocate`] first.
    pub fn allocate(&mut self, pg: PgId, page: u32, cpl: bool) -> (Record, Lsn) {
        assert!(self.can_allocate(1), "LSN allocated beyond VDL + LAL");
        let lsn = Lsn(self.next);
        self.next += 1;
        let p = &mut self.pgs[pg.index()];
        let prev = p.tail;
        p.tail = lsn;
        let record = Record { lsn, page };
        if p.pending.is_empty() {
            self.fronts.insert(lsn, pg);
        }
        p.pending.push_back(record);
        self.above_vdl.push_back(Allocated { lsn, pg, page, cpl });
        (record, prev)
    }

    /// Records that a write quorum of `pg` holds everything up to `durable`.
    /// Returns whether anything became durable.
    pub fn set_durable(&mut self, pg: PgId, durable: Lsn) -> bool {
        let p = &mut self.pgs[pg.index()];
        if durable <= p.pgcl {
            return false;
        }
        p.pgcl = durable;
        let front = p.pending.front().map(|r| r.lsn);
        while p.pending.front().is_some_and(|r| r.lsn <= durable) {
            p.pending.pop_front();
        }
        let new_front = p.pending.front().map(|r| r.lsn);
        if front != new_front {
            if let Some(f) = front {
                self.fronts.remove(&f);
            }
            if let Some(f) = new_front {
                self.fronts.insert(f, pg);
            }
        }
        true
    }

    /// Moves VDL up to the last CPL at or below VCL, handing each record
    /// it passes to `passed` in LSN order. Returns whether VDL moved.
    pub fn advance(&mut self, mut passed: impl FnMut(&Allocated)) -> bool {
        let vcl = self.vcl();
        let before = self.vdl;
        // Walk only through complete commits: a record above the last CPL
        // stays until its commit record is durable too.
        let mut last_cpl = None;
        for (i, r) in self.above_vdl.iter().enumerate() {
            if r.lsn > vcl {
                break;
            }
            if r.cpl {
                last_cpl = Some(i);
            }
        }
        if let Some(end) = last_cpl {
            for r in self.above_vdl.drain(..=end) {
                self.pgs[r.pg.index()].below_vdl = r.lsn;
                self.vdl = r.lsn;
                passed(&r);
            }
        }
        assert!(self.vdl <= vcl, "VDL {} ran past VCL {}", self.vdl, vcl);
        self.vdl > before
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pg(i: u32) -> PgId {
        PgId(i)
    }

    /// One commit of two records: PG 0 then PG 1 (the commit record).
    fn commit(p: &mut LsnPoints) -> (Lsn, Lsn) {
        let (a, _) = p.allocate(pg(0), 7, false);
        let (b, _) = p.allocate(pg(1), 9, true);
        (a.lsn, b.lsn)
    }

    #[test]
    fn vdl_waits_for_every_pg_of_the_commit() {
        let mut p = LsnPoints::new(2, 100);
        let (a, b) = commit(&mut p);
        p.set_durable(pg(0), a);
        assert!(!p.advance(|_| {}));
        assert_eq!(p.vcl(), a, "VCL stops below PG 1's pending record");
        assert_eq!(p.vdl(), Lsn(0), "VDL only moves to a CPL");
        p.set_durable(pg(1), b);
        assert!(p.advance(|_| {}));
        assert_eq!((p.vcl(), p.vdl()), (b, b));
    }

    #[test]
    fn one_stuck_pg_stalls_the_whole_volume() {
        let mut p = LsnPoints::new(2, 100);
        let (a1, _) = p.allocate(pg(1), 1, true); // commit 1 touches PG 1 only
        let (a2, _) = p.allocate(pg(0), 1, true); // commit 2 touches PG 0 only
        p.set_durable(pg(0), a2.lsn);
        p.advance(|_| {});
        assert_eq!(p.vdl(), Lsn(0), "commit 2 waits for commit 1's PG");
        assert_eq!(p.vcl_blocker(), Some(pg(1)));
        p.set_durable(pg(1), a1.lsn);
        p.advance(|_| {});
        assert_eq!(p.vdl(), a2.lsn);
        assert_eq!(p.vcl_blocker(), None);
    }

    #[test]
    fn back_links_chain_each_pg() {
        let mut p = LsnPoints::new(2, 100);
        let (r1, prev1) = p.allocate(pg(0), 1, false);
        let (_, prev2) = p.allocate(pg(1), 1, false);
        let (_, prev3) = p.allocate(pg(0), 1, true);
        assert_eq!((prev1, prev2, prev3), (Lsn(0), Lsn(0), r1.lsn));
    }

    #[test]
    fn lal_back_pressure() {
        let mut p = LsnPoints::new(1, 3);
        for _ in 0..3 {
            p.allocate(pg(0), 0, true);
        }
        assert!(!p.can_allocate(1), "VDL 0 + LAL 3 reached");
        p.set_durable(pg(0), Lsn(2));
        p.advance(|_| {});
        assert!(p.can_allocate(2) && !p.can_allocate(3));
    }

    #[test]
    #[should_panic(expected = "beyond VDL + LAL")]
    fn allocating_past_lal_is_a_bug() {
        let mut p = LsnPoints::new(1, 1);
        p.allocate(pg(0), 0, true);
        p.allocate(pg(0), 0, true);
    }

    #[test]
    fn passed_records_arrive_in_lsn_order() {
        let mut p = LsnPoints::new(2, 100);
        commit(&mut p);
        commit(&mut p);
        p.set_durable(pg(1), Lsn(4));
        p.set_durable(pg(0), Lsn(3));
        let mut seen = Vec::new();
        p.advance(|r| seen.push(r.lsn.0));
        assert_eq!(seen, vec![1, 2, 3, 4]);
        assert_eq!(p.last_record_below_vdl(pg(0)), Lsn(3));
    }
}
