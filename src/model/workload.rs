//! The pages the workload touches.
//!
//! The working set is `pages` pages spread evenly over the volume: page `i`
//! of the working set is volume page `i · stride`. Each PG therefore holds a
//! contiguous run of working-set pages, and within a PG they are numbered
//! densely from 0. Pages outside the working set are never written, so they
//! need no number, and every page map in the model can be a plain vector.

use super::ids::PgId;

/// Where each working-set page lives.
#[derive(Clone, Copy, Debug)]
pub struct WorkingSet {
    pages: u64,
    stride: u64,
    pages_per_pg: u64,
}

impl WorkingSet {
    /// `pages` working-set pages over `pgs` PGs of `pages_per_pg` pages.
    pub fn new(pages: u64, pages_per_pg: u64, pgs: u32) -> Self {
        let volume_pages = pages_per_pg * pgs as u64;
        assert!(
            pages >= 1 && pages <= volume_pages,
            "working set must fit the volume"
        );
        WorkingSet {
            pages,
            stride: volume_pages / pages,
            pages_per_pg,
        }
    }

    /// Pages in the working set.
    pub fn pages(&self) -> u64 {
        self.pages
    }

    /// First working-set page in `pg`.
    fn first(&self, pg: u64) -> u64 {
        (pg * self.pages_per_pg).div_ceil(self.stride)
    }

    /// The PG of working-set page `i`, and its dense number within the PG.
    #[inline]
    pub fn locate(&self, i: u64) -> (PgId, u32) {
        let pg = i * self.stride / self.pages_per_pg;
        (PgId(pg as u32), (i - self.first(pg)) as u32)
    }

    /// The working-set index of dense page `page` of `pg`.
    #[inline]
    pub fn index(&self, pg: PgId, page: u32) -> u64 {
        self.first(pg.0 as u64) + page as u64
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn locate_and_index_round_trip_and_spread_evenly() {
        for (pages, ppp, pgs) in [(65_536, 655_360, 10), (7, 100, 3), (300, 100, 3)] {
            let ws = WorkingSet::new(pages, ppp, pgs);
            let mut per_pg = vec![0u64; pgs as usize];
            for i in 0..pages {
                let (pg, page) = ws.locate(i);
                assert_eq!(ws.index(pg, page), i);
                assert_eq!(page as u64, per_pg[pg.index()], "dense numbering");
                per_pg[pg.index()] += 1;
            }
            let (min, max) = (per_pg.iter().min().unwrap(), per_pg.iter().max().unwrap());
            assert!(max - min <= 1, "{per_pg:?}");
        }
    }
}
