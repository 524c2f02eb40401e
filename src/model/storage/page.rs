//! Page contents, modelled cheaply but truly.
//!
//! A page's content is a fold of the LSNs applied to it, in order. Two copies
//! that applied the same records in the same order hold the same value, and
//! a copy that missed or reordered a record almost surely does not, so a
//! read can be checked against the writer's record of what was committed.
//!
//! A content is 32 bits: a wrong copy passes for the right one once in
//! 2³² reads, and every copy's pages, and the checker's, take half the
//! memory they would at 64. A materialization pass writes pages at random
//! across its PG, so the page maps' size decides how many of those writes
//! miss the processor's caches.

use super::lsn::Lsn;

/// The content of a page that no record has touched.
pub const EMPTY_PAGE: u64 = 0;

/// Applies one record to a page's content: a SplitMix64 finaliser over the
/// content xor the LSN, of which the high 32 bits are kept. Cheap,
/// specified and order-sensitive; the result is below 2³².
#[inline]
pub fn fold(content: u64, lsn: Lsn) -> u64 {
    let mut z = (content ^ lsn.0).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    (z ^ (z >> 31)) >> 32
}

/// Page contents by dense page number (see `model::workload`): a vector
/// that grows to the highest page written. Lookups only, so no order can
/// leak into a result.
#[derive(Clone, Debug, Default)]
pub struct PageMap {
    pages: Vec<u32>,
}

impl PageMap {
    /// How many pages have been written.
    pub fn written(&self) -> usize {
        self.pages
            .iter()
            .filter(|&&p| u64::from(p) != EMPTY_PAGE)
            .count()
    }

    /// The content of a page ([`EMPTY_PAGE`] if never written).
    #[inline]
    pub fn get(&self, page: u64) -> u64 {
        self.pages
            .get(page as usize)
            .map_or(EMPTY_PAGE, |&c| u64::from(c))
    }

    /// Applies a record to a page.
    #[inline]
    pub fn apply(&mut self, page: u64, lsn: Lsn) {
        let i = page as usize;
        let len = self.pages.len();
        if i >= len {
            // Grown by an eighth at least, not doubled: page maps are most
            // of a large run's memory, and pages are touched in random
            // order, so the highest index settles after a few growths.
            self.pages.reserve_exact((i + 1 - len).max(len / 8));
            self.pages.resize(i + 1, EMPTY_PAGE as u32);
        }
        let folded = fold(u64::from(self.pages[i]), lsn);
        self.pages[i] = u32::try_from(folded).expect("a content has 32 bits");
    }
}

/// The distinct pages a materialization pass writes, counted without
/// sorting: each page is stamped with the last pass that counted it.
/// Pages are numbered densely within their PG, so the stamps are as many
/// as one PG's pages.
#[derive(Clone, Debug, Default)]
pub struct DistinctPages {
    stamps: Vec<u32>,
    pass: u32,
    count: u64,
}

impl DistinctPages {
    /// Starts a pass with no page counted.
    pub fn start(&mut self) {
        if self.pass == u32::MAX {
            self.stamps.fill(0);
            self.pass = 0;
        }
        self.pass += 1;
        self.count = 0;
    }

    /// Counts `page`, unless this pass has counted it already.
    #[inline]
    pub fn touch(&mut self, page: u32) {
        let i = page as usize;
        if i >= self.stamps.len() {
            self.stamps.resize(i + 1, 0);
        }
        if self.stamps[i] != self.pass {
            self.stamps[i] = self.pass;
            self.count += 1;
        }
    }

    /// How many distinct pages this pass has counted.
    pub fn count(&self) -> u64 {
        self.count
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fold_is_order_sensitive() {
        let ab = fold(fold(EMPTY_PAGE, Lsn(1)), Lsn(2));
        let ba = fold(fold(EMPTY_PAGE, Lsn(2)), Lsn(1));
        assert_ne!(ab, ba);
        let mut m = PageMap::default();
        m.apply(7, Lsn(1));
        m.apply(7, Lsn(2));
        assert_eq!(m.get(7), ab);
        assert_eq!(m.get(8), EMPTY_PAGE);
        assert_eq!(m.get(3), EMPTY_PAGE);
        assert!(ab < 1 << 32 && ba < 1 << 32);
    }

    #[test]
    fn distinct_pages_count_each_page_once_a_pass() {
        let mut d = DistinctPages::default();
        d.start();
        for page in [7, 3, 7, 7, 100, 3] {
            d.touch(page);
        }
        assert_eq!(d.count(), 3);
        d.start();
        d.touch(3);
        assert_eq!(d.count(), 1);
        // The stamps survive the pass counter wrapping.
        d.pass = u32::MAX;
        d.start();
        d.touch(3);
        d.touch(3);
        assert_eq!(d.count(), 1);
    }
}
