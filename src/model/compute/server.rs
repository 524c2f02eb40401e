//! The machine under an instance: its processors and its buffer cache.
//!
//! The processors are one queue served at `vcpus` seconds of work per
//! second (a fluid model of a multi-core server): work that arrives while
//! they are busy waits its turn, so offered load beyond the class's
//! capacity queues and its latency grows, and a smaller class carries less.
//! Work is measured in CPU time per operation ([`EngineConfig`]).
//!
//! An Aurora Serverless v2 instance's machine changes size while it runs:
//! [`Server::resize`] gives it more or fewer processors from that instant
//! and grows or shrinks its cache, a shrink evicting.
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
use super::class::Capacity;
use crate::sim::{SimDuration, SimTime};

/// One instance's machine.
#[derive(Clone, Debug)]
pub struct Server {
    /// vCPUs and memory now.
    pub capacity: Capacity,
    /// The pages it holds.
    pub cache: BufferCache,
    /// When the processors finish the work they have been given.
    busy_until: SimTime,
    /// When the current busy stretch began.
    busy_from: SimTime,
    /// Busy time of the stretches before it.
    banked: SimDuration,
    /// CPU time of all the work it has been given: the load, whether or
    /// not the processors kept up with it.
    offered: SimDuration,
}

impl Server {
    /// A server of `capacity` caching pages of `page_bytes` from a working
    /// set of `pages`, its cache empty.
    pub fn new(capacity: Capacity, page_bytes: u64, pages: u64) -> Self {
        Server {
            capacity,
            cache: BufferCache::new(capacity.cache_pages(page_bytes), pages),
            busy_until: SimTime::ZERO,
            busy_from: SimTime::ZERO,
            banked: SimDuration::ZERO,
            offered: SimDuration::ZERO,
        }
    }

    /// Gives the processors `work` (CPU time) at `now`; returns when it is
    /// done.
    pub fn run(&mut self, now: SimTime, work: SimDuration) -> SimTime {
        if self.busy_until <= now {
            self.close_stretch(now);
        }
        let start = self.busy_until.max(now);
        self.offered += work;
        self.busy_until = start + self.spread(work);
        self.busy_until
    }

    /// How long `work` keeps every processor busy.
    fn spread(&self, work: SimDuration) -> SimDuration {
        // A paused machine has no processors; nothing is given to it.
        let eighths = u64::from(self.capacity.cpu_eighths.max(1));
        SimDuration::from_nanos(work.as_nanos() * 8 / eighths)
    }

    /// CPU time of all the work given so far.
    pub fn offered(&self) -> SimDuration {
        self.offered
    }

    /// The machine takes `capacity` from `now`: the queued work still to
    /// do is spread over the new processors (work already given keeps the
    /// completion time it was promised; only what is given from now on
    /// queues behind the re-spread backlog), and the cache grows or, by
    /// CLOCK, evicts down to its new size.
    pub fn resize(&mut self, capacity: Capacity, page_bytes: u64, now: SimTime) {
        if self.busy_until > now {
            let left = self.busy_until.since(now);
            let work = left.as_nanos() * u64::from(self.capacity.cpu_eighths.max(1)) / 8;
            self.capacity = capacity;
            self.close_stretch_at(now);
            self.busy_until = now + self.spread(SimDuration::from_nanos(work));
        } else {
            self.capacity = capacity;
        }
        self.cache.resize(capacity.cache_pages(page_bytes));
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
        self.close_stretch_at(now);
        self.busy_until = now;
    }

    /// Banks the busy time up to `now` and counts on from there, the queue
    /// left as it is.
    fn close_stretch_at(&mut self, now: SimTime) {
        self.banked = self.busy_through(now);
        self.busy_from = now;
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

    /// The machine is replaced by a host of `capacity` caching pages of
    /// `page_bytes` from a working set of `pages`, its cache empty; the
    /// busy time counted so far stays counted.
    pub fn new_host(&mut self, capacity: Capacity, (page_bytes, pages): (u64, u64), now: SimTime) {
        self.close_stretch(now);
        self.capacity = capacity;
        self.cache = BufferCache::new(capacity.cache_pages(page_bytes), pages);
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
    use crate::model::compute::class::{HalfAcus, InstanceClass};

    #[test]
    fn work_beyond_capacity_queues_and_more_vcpus_carry_more() {
        let small = InstanceClass::parse("db.r6g.large").unwrap().capacity();
        let big = InstanceClass::parse("db.r6g.2xlarge").unwrap().capacity();
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

    #[test]
    fn a_resize_respreads_the_backlog_and_shrinks_the_cache() {
        let ms = SimDuration::from_millis;
        let t0 = SimTime::ZERO;
        // 2 ACUs: half a vCPU. 4 ms of CPU take 8 ms.
        let mut s = Server::new(HalfAcus(4).capacity(), 1 << 30, 10);
        s.cache.fill(0..10);
        assert_eq!(s.cache.len(), 3);
        assert_eq!(s.run(t0, ms(4)), t0 + ms(8));
        // At 2 ms, 3 ms of CPU are left; at 8 ACUs (2 vCPUs) they take 1.5 ms.
        s.resize(HalfAcus(16).capacity(), 1 << 30, t0 + ms(2));
        assert_eq!(
            s.idle_at(t0 + ms(2)),
            t0 + ms(2) + SimDuration::from_micros(1500)
        );
        assert_eq!(s.offered(), ms(4));
        // Down to 1 ACU: a cache of 1.5 GiB holds one 1 GiB page.
        s.resize(HalfAcus(2).capacity(), 1 << 30, t0 + ms(10));
        assert_eq!(s.cache.len(), 1);
    }
}
