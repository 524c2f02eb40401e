//! Page contents, modelled cheaply but truly.
//!
//! A page's content is a fold of the LSNs applied to it, in order. Two copies
//! that applied the same records in the same order hold the same value, and
//! a copy that missed or reordered a record almost surely does not, so a
//! read can be checked against the writer's record of what was committed.

#[allow(clippy::disallowed_types)] // keyed lookups only; see PageMap
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::lsn::Lsn;

/// The content of a page that no record has touched.
pub const EMPTY_PAGE: u64 = 0;

/// Applies one record to a page's content (a SplitMix64 finaliser over the
/// content xor the LSN: cheap, specified, and order-sensitive).
#[inline]
pub fn fold(content: u64, lsn: Lsn) -> u64 {
    let mut z = (content ^ lsn.0).wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// A fixed, specified hasher for page numbers (FxHash's multiply), so the
/// map's behaviour never depends on a per-process random key.
#[derive(Default, Clone, Copy)]
pub struct PageHasher(u64);

impl Hasher for PageHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(5) ^ b as u64).wrapping_mul(0x517c_c1b7_2722_0a95);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

/// Page contents by page number. Deliberately offers lookups only, no
/// iteration, so the map's internal order can never leak into a result.
#[derive(Clone, Debug, Default)]
pub struct PageMap {
    // The only `HashMap` in the model: keyed lookups, never iterated.
    #[allow(clippy::disallowed_types)]
    pages: HashMap<u64, u64, BuildHasherDefault<PageHasher>>,
}

impl PageMap {
    /// The content of a page ([`EMPTY_PAGE`] if never written).
    #[inline]
    pub fn get(&self, page: u64) -> u64 {
        self.pages.get(&page).copied().unwrap_or(EMPTY_PAGE)
    }

    /// Applies a record to a page.
    #[inline]
    pub fn apply(&mut self, page: u64, lsn: Lsn) {
        let c = self.pages.entry(page).or_insert(EMPTY_PAGE);
        *c = fold(*c, lsn);
    }

    /// Pages ever written.
    pub fn len(&self) -> usize {
        self.pages.len()
    }

    /// Whether no page was ever written.
    pub fn is_empty(&self) -> bool {
        self.pages.is_empty()
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
    }
}
