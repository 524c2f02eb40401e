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
    /// Pages in the working set.
    pages: u64,
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
            pages,
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

    /// The cache's memory becomes `capacity` pages (an Aurora Serverless
    /// v2 instance scaling): a larger cache fills as pages are used; a
    /// smaller one evicts by CLOCK, the hand sweeping from where it stands
    /// and giving referenced pages their second chance, until what is left
    /// fits.
    pub fn resize(&mut self, capacity: u64) {
        self.capacity = capacity.clamp(1, self.pages.max(1));
        let len = self.ring.len();
        let Some(mut over) = len.checked_sub(self.capacity as usize).filter(|&n| n > 0) else {
            return;
        };
        // The ring from the hand on: the order the hand meets its pages.
        self.ring.rotate_left(self.hand);
        let mut at = 0;
        while over > 0 {
            let page = self.ring[at % len];
            if self.resident.get(page) {
                if self.referenced.get(page) {
                    self.referenced.set(page, false);
                } else {
                    self.resident.set(page, false);
                    over -= 1;
                }
            }
            at += 1;
        }
        // The hand stays at the first page it had not passed.
        let passed = at.min(len);
        let kept_before = self.ring[..passed]
            .iter()
            .filter(|&&p| self.resident.get(p))
            .count();
        let resident = &self.resident;
        self.ring.retain(|&p| resident.get(p));
        self.hand = if self.ring.is_empty() {
            0
        } else {
            kept_before % self.ring.len()
        };
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
    fn a_shrink_evicts_by_clock_and_keeps_recently_used_pages() {
        let mut c = BufferCache::new(6, 100);
        for p in 0..6 {
            c.insert(p);
        }
        // Pages 1 and 4 were used since they entered.
        c.touch(1);
        c.touch(4);
        c.resize(2);
        assert_eq!(c.len(), 2);
        assert!(c.holds(1) && c.holds(4));
        assert!((0..6).filter(|&p| p != 1 && p != 4).all(|p| !c.holds(p)));
        // It keeps working: a miss evicts one of the two, by CLOCK.
        c.insert(50);
        assert_eq!(c.len(), 2);
        assert!(c.holds(50));
        // Growing keeps every page and fills as pages come.
        c.resize(4);
        c.insert(60);
        c.insert(61);
        assert_eq!(c.len(), 4);
        // Never below one page, never above the working set.
        c.resize(0);
        assert_eq!(c.len(), 1);
        c.resize(1_000);
        assert_eq!(c.capacity, 100);
    }

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
