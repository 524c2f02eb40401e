//! The machine under an instance: its processors and its buffer cache.
//!
//! The processors are one queue served at `vcpus` seconds of work per
//! second (a fluid model of a multi-core server): work that arrives while
//! they are busy waits its turn, so offered load beyond the class's
//! capacity queues and its latency grows, and a smaller class carries less.
//! Work is measured in CPU time per operation ([`EngineConfig`]).
//!
//! The buffer cache lives as long as the host's memory: a process restart
//! (a promotion, a step-down, a reboot) keeps it, so a promoted reader
//! starts with the pages it had cached as a reader; a host that fails or is
//! replaced loses it. Modelling choice: this is Aurora PostgreSQL's
//! survivable buffer cache, and the issue of a cold cache after failover is
//! then the reader's own cache, as \[UG\] cluster cache management describes.
//!
//! [`EngineConfig`]: crate::model::config::EngineConfig

use super::cache::BufferCache;
use super::class::InstanceClass;
use crate::sim::{SimDuration, SimTime};

/// One instance's machine.
#[derive(Clone, Debug)]
pub struct Server {
    /// vCPUs and memory.
    pub class: InstanceClass,
    /// The pages it holds.
    pub cache: BufferCache,
    /// When the processors finish the work they have been given.
    busy_until: SimTime,
    /// When the current busy stretch began.
    busy_from: SimTime,
    /// Busy time of the stretches before it.
    banked: SimDuration,
}

impl Server {
    /// A server of `class` caching pages of `page_bytes` from a working set
    /// of `pages`, its cache empty.
    pub fn new(class: InstanceClass, page_bytes: u64, pages: u64) -> Self {
        Server {
            class,
            cache: BufferCache::new(class.cache_pages(page_bytes), pages),
            busy_until: SimTime::ZERO,
            busy_from: SimTime::ZERO,
            banked: SimDuration::ZERO,
        }
    }

    /// Gives the processors `work` (CPU time) at `now`; returns when it is
    /// done.
    pub fn run(&mut self, now: SimTime, work: SimDuration) -> SimTime {
        if self.busy_until <= now {
            self.close_stretch(now);
        }
        let start = self.busy_until.max(now);
        self.busy_until = start + work / u64::from(self.class.vcpus);
        self.busy_until
    }

    /// When work given at `now` would start: once the queue ahead of it
    /// is through.
    pub fn idle_at(&self, now: SimTime) -> SimTime {
        self.busy_until.max(now)
    }

    /// The processors' busy time from the start to `t` (all of them
    /// busy counting as one second per second): utilisation over an
    /// interval is the difference at its ends over its length.
    pub fn busy_through(&self, t: SimTime) -> SimDuration {
        let end = t.min(self.busy_until);
        self.banked
            + if end > self.busy_from {
                end.since(self.busy_from)
            } else {
                SimDuration::ZERO
            }
    }

    /// Banks the busy stretch that ends by `now` and starts a new one
    /// there.
    fn close_stretch(&mut self, now: SimTime) {
        self.banked = self.busy_through(now);
        self.busy_from = now;
        self.busy_until = now;
    }

    /// Whether the processors are through their queue before `t`: work
    /// given now would start before then.
    pub fn free_before(&self, t: SimTime) -> bool {
        self.busy_until < t
    }

    /// The process restarts: the work queued for the old one is gone; the
    /// cache stays.
    pub fn restart(&mut self, now: SimTime) {
        self.close_stretch(now);
    }

    /// The machine is replaced by a host of `class` caching pages of
    /// `page_bytes` from a working set of `pages`, its cache empty; the
    /// busy time counted so far stays counted.
    pub fn new_host(
        &mut self,
        class: InstanceClass,
        (page_bytes, pages): (u64, u64),
        now: SimTime,
    ) {
        self.close_stretch(now);
        self.class = class;
        self.cache = BufferCache::new(class.cache_pages(page_bytes), pages);
    }

    /// The host is gone: its memory and any queued work with it.
    pub fn lose_host(&mut self, now: SimTime) {
        self.cache.clear();
        self.close_stretch(now);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn work_beyond_capacity_queues_and_more_vcpus_carry_more() {
        let small = InstanceClass::parse("db.r6g.large").unwrap();
        let big = InstanceClass::parse("db.r6g.2xlarge").unwrap();
        let ms = SimDuration::from_millis;
        let (mut a, mut b) = (Server::new(small, 16384, 10), Server::new(big, 16384, 10));
        // 8 ms of CPU offered at once: 4 ms on 2 vCPUs, 1 ms on 8.
        let t0 = SimTime::ZERO;
        let (mut done_a, mut done_b) = (t0, t0);
        for _ in 0..8 {
            done_a = a.run(t0, ms(1));
            done_b = b.run(t0, ms(1));
        }
        assert_eq!((done_a, done_b), (t0 + ms(4), t0 + ms(1)));
        assert!(!a.free_before(t0 + ms(4)) && a.free_before(t0 + ms(5)));
        // Busy time counts as it passes.
        assert_eq!(a.busy_through(t0 + ms(2)), ms(2));
        // Idle time is not banked.
        let later = t0 + ms(100);
        assert_eq!(a.run(later, ms(2)), later + ms(1));
        // Busy 4 ms, idle, busy 1 ms: 5 ms in all.
        assert_eq!(a.busy_through(later), ms(4));
        assert_eq!(a.busy_through(later + ms(10)), ms(5));
        // A restart drops the queue and the busy time it would have been.
        a.run(later + ms(10), ms(20));
        a.restart(later + ms(12));
        assert_eq!(a.busy_through(later + ms(50)), ms(7));
        assert_eq!(a.idle_at(later + ms(13)), later + ms(13));
    }
}
