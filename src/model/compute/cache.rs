//! An instance's buffer cache: which working-set pages it holds.
//!
//! A page read that hits is served from memory; one that misses goes to
//! storage and the page enters the cache, evicting another when it is full.
//! Eviction is CLOCK (second chance), the approximation of LRU buffer
//! managers use: every hit sets a page's reference bit, and the hand
//! passes over referenced pages once, clearing the bit, before it evicts.
//! Contents are only which pages are resident: what a page holds is the
//! storage model's business.

/// A set of bits indexed by page.
#[derive(Clone, Debug, Default)]
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: u64) -> Self {
        Bits(vec![0; n.div_ceil(64) as usize])
    }

    #[inline]
    fn get(&self, i: u64) -> bool {
        self.0[(i / 64) as usize] & (1 << (i % 64)) != 0
    }

    #[inline]
    fn set(&mut self, i: u64, v: bool) {
        let (w, b) = ((i / 64) as usize, 1u64 << (i % 64));
        if v {
            self.0[w] |= b;
        } else {
            self.0[w] &= !b;
        }
    }

    fn clear(&mut self) {
        self.0.fill(0);
    }
}

/// The pages one instance holds in memory.
#[derive(Clone, Debug)]
pub struct BufferCache {
    capacity: u64,
    resident: Bits,
    referenced: Bits,
    /// Resident pages in CLOCK order.
    ring: Vec<u64>,
    hand: usize,
}

impl BufferCache {
    /// An empty cache of `capacity` pages over a working set of `pages`.
    pub fn new(capacity: u64, pages: u64) -> Self {
        BufferCache {
            capacity: capacity.clamp(1, pages.max(1)),
            resident: Bits::new(pages),
            referenced: Bits::new(pages),
            ring: Vec::new(),
            hand: 0,
        }
    }

    /// Bytes it holds for a working set of `pages` and a capacity of
    /// `capacity` pages: two bits per working-set page and a ring slot per
    /// resident page. The memory bound counts this per instance.
    pub fn footprint(capacity: u64, pages: u64) -> u64 {
        2 * pages.div_ceil(64) * 8 + capacity.min(pages) * 8
    }

    /// Pages it holds.
    pub fn len(&self) -> u64 {
        self.ring.len() as u64
    }

    /// Whether `page` is held, without touching it (redo apply asks this:
    /// applying a record is not a use of the page).
    #[inline]
    pub fn holds(&self, page: u64) -> bool {
        self.resident.get(page)
    }

    /// A use of `page`: whether it was held; a hit marks it recently used.
    #[inline]
    pub fn touch(&mut self, page: u64) -> bool {
        let hit = self.resident.get(page);
        if hit {
            self.referenced.set(page, true);
        }
        hit
    }

    /// `page` arrives from storage (or from the writer, under cluster
    /// cache management); a full cache evicts by CLOCK first.
    pub fn insert(&mut self, page: u64) {
        if self.resident.get(page) {
            return;
        }
        self.resident.set(page, true);
        if (self.ring.len() as u64) < self.capacity {
            self.ring.push(page);
            return;
        }
        loop {
            let victim = self.ring[self.hand];
            if self.referenced.get(victim) {
                self.referenced.set(victim, false);
                self.hand = (self.hand + 1) % self.ring.len();
                continue;
            }
            self.resident.set(victim, false);
            self.ring[self.hand] = page;
            self.hand = (self.hand + 1) % self.ring.len();
            return;
        }
    }

    /// The process's memory is gone (its host failed or was replaced).
    pub fn clear(&mut self) {
        self.resident.clear();
        self.referenced.clear();
        self.ring.clear();
        self.hand = 0;
    }

    /// Fills it with `pages` in order until it is full.
    pub fn fill(&mut self, pages: impl Iterator<Item = u64>) {
        for p in pages {
            if self.len() >= self.capacity {
                break;
            }
            self.insert(p);
        }
    }

    /// Copies of `other`'s pages, as far as they fit (cluster cache
    /// management hands the writer's cache to its designated reader).
    pub fn fill_from(&mut self, other: &BufferCache) {
        self.fill(other.ring.iter().copied());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_miss_enters_and_a_full_cache_evicts_the_page_not_used_since() {
        let mut c = BufferCache::new(3, 100);
        for p in [1, 2, 3] {
            assert!(!c.touch(p));
            c.insert(p);
        }
        assert!(c.touch(1) && c.touch(3));
        c.insert(4);
        assert!(!c.holds(2), "2 was the only page not used again");
        assert!(c.holds(1) && c.holds(3) && c.holds(4));
        assert_eq!(c.len(), 3);
        c.clear();
        assert!(c.len() == 0 && !c.holds(1));
    }

    #[test]
    fn capacity_is_at_most_the_working_set() {
        let mut c = BufferCache::new(1_000, 10);
        c.fill(0..100);
        assert_eq!((c.capacity, c.len()), (10, 10));
    }
}
