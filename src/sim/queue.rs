//! The event queue: the one place where the same-instant ordering contract
//! lives.
//!
//! **Contract.** Events leave the queue in order of their scheduled
//! [`SimTime`]; events scheduled for the *same* instant leave in the order
//! they were pushed (first in, first out). Every push takes the next value of
//! a counter that is never reused, so `(time, seq)` is a total order and no
//! tie is ever left to the queue's internal layout.
//!
//! The queue has two parts, and an event may wait in either: the earliest
//! of the two heads leaves first, so where an event waits never changes
//! when it leaves.
//!
//! - *The wheel* holds what is due within the next 16.8 ms, in 2,048
//!   buckets of 8.2 µs, each kept sorted. Most of a simulation's events
//!   are messages a fraction of a millisecond away, so a push is a short
//!   sorted insert into a bucket holding a few keys, and a pop takes the
//!   last key of the first bucket a bitmap of occupied buckets names: no
//!   walk down a heap's levels, each load waiting on the one before.
//! - *The heap* holds the rest — timers further out, and keys that find
//!   their bucket full (a run with hundreds of thousands of events due
//!   within a few milliseconds) — as a four-ary min-heap: half the levels
//!   of a binary heap, the four keys of a node's children in two cache
//!   lines, the earliest of them chosen without branches.
//!
//! A key is `(time, seq)` compared as one 128-bit number, time above
//! sequence, and names the slot where its event waits. Events are larger
//! than their keys (most carry a payload): keeping them in a slab, still
//! while their keys move, halves the bytes a push and a pop move. Freed
//! slots are reused, so the slab is as large as the most events ever
//! pending at once. `std`'s `BinaryHeap` of the same keys and the
//! `priority-queue` crate were measured against it
//! (`bench/benches/engine.rs`): the crate maintains an index for priority
//! changes that a simulator does not need, since timers are cancelled
//! lazily by their owners instead.

use super::time::SimTime;

/// A wheel bucket spans 2^`SHIFT` ns (8.2 µs). Measured on the open-loop
/// baseline against 1, 4.1, 16.4 and 65.5 µs (2^10, 2^12, 2^14 and 2^16
/// ns): wider buckets hold more keys to insert among, and narrower ones
/// spread the same keys over more memory; 4.1 µs ran as fast.
const SHIFT: u32 = 13;
/// Buckets in the wheel: it spans 2^24 ns (16.8 ms) from the start of
/// the bucket of the last event taken, which covers a message's flight
/// and a group-commit tick many times over.
const BUCKETS: usize = 2048;
/// Keys a bucket takes before further ones wait in the heap, which bounds
/// the cost of a sorted insert.
const BUCKET_CAP: usize = 64;
const SPAN: u64 = (BUCKETS as u64) << SHIFT;

/// Pending events, popped in `(time, insertion sequence)` order.
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    /// Keys due before `base + SPAN`, by bucket (`time >> SHIFT`, modulo
    /// the buckets); each bucket sorted latest first.
    wheel: Box<[Vec<Key>]>,
    /// Which buckets hold keys, one bit each.
    occupied: Box<[u64]>,
    /// Keys in the wheel.
    in_wheel: usize,
    /// The start of the bucket of the last event taken: no key is earlier,
    /// and every key in the wheel is due within `SPAN` of it, so the
    /// buckets from this one on, wrapping round, are in time order.
    base: u64,
    /// The other keys, as a four-ary heap: the children of `i` are
    /// `4i + 1 ..= 4i + 4`.
    heap: Vec<Key>,
    /// The events, where their keys say; `None` in a free slot.
    slab: Vec<Option<E>>,
    /// Free slots of `slab`.
    free: Vec<u32>,
    next_seq: u64,
}

/// Where an event is in the order, and where it waits.
#[derive(Clone, Copy, Debug)]
struct Key {
    time: SimTime,
    seq: u64,
    slot: u32,
}

impl Key {
    /// The key's place in the order as one number: earlier is smaller.
    #[inline]
    fn rank(&self) -> u128 {
        (u128::from(self.time.as_nanos()) << 64) | u128::from(self.seq)
    }
}

/// Where the earliest key waits.
#[derive(Clone, Copy)]
enum Head {
    Wheel(usize),
    Heap,
}

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
            wheel: (0..BUCKETS).map(|_| Vec::new()).collect(),
            occupied: vec![0; BUCKETS / 64].into_boxed_slice(),
            in_wheel: 0,
            base: 0,
            heap: Vec::new(),
            slab: Vec::new(),
            free: Vec::new(),
            next_seq: 0,
        }
    }

    /// Schedules `event` at `time`, after every event already scheduled for
    /// that same instant.
    #[inline]
    pub fn push(&mut self, time: SimTime, event: E) {
        let seq = self.reserve();
        self.push_at(time, seq, event);
    }

    /// Takes the next insertion sequence number without scheduling
    /// anything: a message its receiver takes in without an event of its
    /// own keeps its place in the same-instant order this way, and an
    /// event standing for it later ([`EventQueue::push_at`]) takes that
    /// place.
    #[inline]
    pub fn reserve(&mut self) -> u64 {
        let seq = self.next_seq;
        self.next_seq += 1;
        seq
    }

    /// Schedules `event` at `time` in the place of sequence number `seq`,
    /// taken earlier with [`EventQueue::reserve`]. `time` is not before
    /// the last event taken.
    #[inline]
    pub fn push_at(&mut self, time: SimTime, seq: u64, event: E) {
        debug_assert!(seq < self.next_seq, "a sequence number is reserved first");
        let slot = match self.free.pop() {
            Some(slot) => {
                self.slab[slot as usize] = Some(event);
                slot
            }
            None => {
                self.slab.push(Some(event));
                u32::try_from(self.slab.len() - 1).expect("fewer than 2^32 pending events")
            }
        };
        let key = Key { time, seq, slot };
        let t = time.as_nanos();
        if t >= self.base && t - self.base < SPAN {
            let b = (t >> SHIFT) as usize % BUCKETS;
            let bucket = &mut self.wheel[b];
            if bucket.len() < BUCKET_CAP {
                // Latest first: the keys later than this one, then it.
                let rank = key.rank();
                let i = bucket.partition_point(|k| k.rank() > rank);
                bucket.insert(i, key);
                self.occupied[b / 64] |= 1 << (b % 64);
                self.in_wheel += 1;
                return;
            }
        }
        self.heap.push(key);
        self.sift_up(self.heap.len() - 1);
    }

    /// The first occupied bucket from the base's on, wrapping round: the
    /// one holding the wheel's earliest key.
    #[inline]
    fn first_bucket(&self) -> Option<usize> {
        if self.in_wheel == 0 {
            return None;
        }
        let from = (self.base >> SHIFT) as usize % BUCKETS;
        let words = BUCKETS / 64;
        let (w0, bit) = (from / 64, from % 64);
        let here = self.occupied[w0] & (u64::MAX << bit);
        if here != 0 {
            return Some(w0 * 64 + here.trailing_zeros() as usize);
        }
        (1..=words).find_map(|i| {
            let w = (w0 + i) % words;
            let bits = self.occupied[w];
            (bits != 0).then(|| w * 64 + bits.trailing_zeros() as usize)
        })
    }

    /// Where the earliest key waits, and the key.
    #[inline]
    fn head(&self) -> Option<(Head, Key)> {
        let wheel = self
            .first_bucket()
            .map(|b| (Head::Wheel(b), *self.wheel[b].last().expect("occupied")));
        match (wheel, self.heap.first()) {
            (Some(w), Some(h)) if h.rank() < w.1.rank() => Some((Head::Heap, *h)),
            (Some(w), _) => Some(w),
            (None, h) => h.map(|&h| (Head::Heap, h)),
        }
    }

    /// Moves the key at `i` up to its place.
    #[inline]
    fn sift_up(&mut self, mut i: usize) {
        let key = self.heap[i];
        let rank = key.rank();
        while i > 0 {
            let parent = (i - 1) / 4;
            if self.heap[parent].rank() < rank {
                break;
            }
            self.heap[i] = self.heap[parent];
            i = parent;
        }
        self.heap[i] = key;
    }

    /// Removes the heap's earliest key; the heap is not empty.
    #[inline]
    fn pop_key(&mut self) -> Key {
        let last = self.heap.pop().expect("the heap is not empty");
        let Some(&root) = self.heap.first() else {
            return last;
        };
        // Sift the last key down from the root's place.
        let (n, rank) = (self.heap.len(), last.rank());
        let mut i = 0;
        loop {
            let first = 4 * i + 1;
            if first >= n {
                break;
            }
            // The earliest child, chosen without branches: which child
            // wins is a coin toss the processor would mispredict.
            let pick = |a: (usize, u128), b: (usize, u128)| if b.1 < a.1 { b } else { a };
            let at = |c: usize| (c, self.heap[c].rank());
            let (best, best_rank) = if first + 4 <= n {
                pick(
                    pick(at(first), at(first + 1)),
                    pick(at(first + 2), at(first + 3)),
                )
            } else {
                (first + 1..n).map(at).fold(at(first), pick)
            };
            if rank < best_rank {
                break;
            }
            self.heap[i] = self.heap[best];
            i = best;
        }
        self.heap[i] = last;
        root
    }

    /// Takes the earliest key from where it waits, and the event in its
    /// slot, which leaves the queue, with its time and sequence number.
    #[inline]
    fn take(&mut self, head: Head) -> (SimTime, u64, E) {
        let key = match head {
            Head::Wheel(b) => {
                let bucket = &mut self.wheel[b];
                let key = bucket.pop().expect("occupied");
                if bucket.is_empty() {
                    self.occupied[b / 64] &= !(1 << (b % 64));
                }
                self.in_wheel -= 1;
                key
            }
            Head::Heap => self.pop_key(),
        };
        // Nothing left is earlier: the wheel's span starts here now.
        self.base = self.base.max(key.time.as_nanos() & !((1 << SHIFT) - 1));
        self.free.push(key.slot);
        let event = self.slab[key.slot as usize].take();
        (
            key.time,
            key.seq,
            event.expect("a key names a pending event"),
        )
    }

    /// Removes and returns the earliest event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        let (head, _) = self.head()?;
        let (time, _, event) = self.take(head);
        Some((time, event))
    }

    /// When the earliest event is due, if at or before `until`.
    #[inline]
    pub fn next_due(&self, until: SimTime) -> Option<SimTime> {
        self.next_place().map(|(t, _)| t).filter(|&t| t <= until)
    }

    /// The time and sequence number of the earliest event, if any.
    #[inline]
    pub fn next_place(&self) -> Option<(SimTime, u64)> {
        self.head().map(|(_, k)| (k.time, k.seq))
    }

    /// Removes and returns the earliest event, with its time and sequence
    /// number, if it is due at or before `until`; leaves the queue
    /// untouched otherwise.
    #[inline]
    pub fn pop_due(&mut self, until: SimTime) -> Option<(SimTime, u64, E)> {
        let (head, key) = self.head()?;
        if key.time > until {
            return None;
        }
        Some(self.take(head))
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.in_wheel + self.heap.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Toy {
        A,
        B,
        C,
    }

    #[test]
    fn same_instant_events_leave_in_push_order() {
        let mut q = EventQueue::new();
        let t = SimTime::from_nanos(5);
        q.push(t, Toy::B);
        q.push(t, Toy::A);
        q.push(t, Toy::C);
        assert_eq!(q.pop(), Some((t, Toy::B)));
        assert_eq!(q.pop(), Some((t, Toy::A)));
        assert_eq!(q.pop(), Some((t, Toy::C)));
        assert_eq!(q.pop(), None);
    }

    #[test]
    fn pop_due_leaves_later_events_alone() {
        let mut q = EventQueue::new();
        q.push(SimTime::from_nanos(5), Toy::A);
        q.push(SimTime::from_nanos(9), Toy::B);
        let until = SimTime::from_nanos(6);
        assert_eq!(q.pop_due(until), Some((SimTime::from_nanos(5), 0, Toy::A)));
        assert_eq!(q.pop_due(until), None);
        assert_eq!(q.len(), 1);
    }

    #[test]
    fn a_reserved_place_keeps_its_order_among_same_instant_events() {
        let mut q = EventQueue::new();
        let t = SimTime::from_nanos(5);
        q.push(t, Toy::A);
        let seq = q.reserve();
        q.push(t, Toy::C);
        // Scheduled last, it leaves in the place it reserved.
        q.push_at(t, seq, Toy::B);
        assert_eq!(q.pop(), Some((t, Toy::A)));
        assert_eq!(q.pop(), Some((t, Toy::B)));
        assert_eq!(q.pop(), Some((t, Toy::C)));
    }

    #[test]
    fn earlier_time_wins_over_earlier_push() {
        let mut q = EventQueue::new();
        q.push(SimTime::from_nanos(9), Toy::A);
        q.push(SimTime::from_nanos(3), Toy::B);
        assert_eq!(q.pop(), Some((SimTime::from_nanos(3), Toy::B)));
    }

    #[test]
    fn a_full_bucket_sends_the_rest_to_the_heap_in_order() {
        let mut q = EventQueue::new();
        let t = SimTime::from_nanos(1_000);
        for i in 0..3 * BUCKET_CAP {
            q.push(t, i);
        }
        assert_eq!(q.wheel.iter().map(Vec::len).sum::<usize>(), BUCKET_CAP);
        assert_eq!(q.len(), 3 * BUCKET_CAP);
        let got: Vec<usize> = std::iter::from_fn(|| q.pop()).map(|(_, i)| i).collect();
        assert_eq!(got, (0..3 * BUCKET_CAP).collect::<Vec<_>>());
    }

    #[test]
    fn keys_beyond_the_span_wait_in_the_heap_and_leave_in_time_order() {
        let mut q = EventQueue::new();
        // Beyond the span, a lap later in the same bucket, and just inside.
        q.push(SimTime::from_nanos(SPAN + 5), Toy::C);
        q.push(SimTime::from_nanos(5), Toy::A);
        q.push(SimTime::from_nanos(SPAN - 1), Toy::B);
        assert_eq!(q.heap.len(), 1);
        assert_eq!(q.pop(), Some((SimTime::from_nanos(5), Toy::A)));
        assert_eq!(q.pop(), Some((SimTime::from_nanos(SPAN - 1), Toy::B)));
        // A key pushed once the span has moved past the heap's lands in
        // the wheel, a lap round, and still leaves after it.
        q.push(SimTime::from_nanos(SPAN + 6), Toy::A);
        assert_eq!(q.pop(), Some((SimTime::from_nanos(SPAN + 5), Toy::C)));
        assert_eq!(q.pop(), Some((SimTime::from_nanos(SPAN + 6), Toy::A)));
        assert!(q.is_empty());
    }

    proptest! {
        /// Pushes a hold model's way (each a random distance after the
        /// last event taken, from within a bucket to beyond the wheel's
        /// span, some at the same instant) and pops interleaved leave in
        /// the order of a sorted set, the wheel, its wrap and the heap
        /// alike.
        #[test]
        fn far_and_near_keys_leave_in_order(
            ops in proptest::collection::vec((0u64..4, 0u64..(3 * SPAN), any::<bool>()), 0..600),
        ) {
            let mut q = EventQueue::new();
            let mut model = std::collections::BTreeSet::new();
            let mut now = 0;
            for (scale, dt, pop) in ops {
                if pop && !model.is_empty() {
                    let (t, seq) = model.pop_first().expect("not empty");
                    now = t;
                    prop_assert_eq!(q.pop(), Some((SimTime::from_nanos(t), seq)));
                } else {
                    // Same instant, within a bucket, within the span, beyond it.
                    let d = [0, dt % (1 << SHIFT), dt % SPAN, dt][scale as usize];
                    let seq = q.reserve();
                    q.push_at(SimTime::from_nanos(now + d), seq, seq);
                    model.insert((now + d, seq));
                }
                prop_assert_eq!(q.len(), model.len());
                prop_assert_eq!(
                    q.next_place(),
                    model.first().map(|&(t, s)| (SimTime::from_nanos(t), s))
                );
            }
            while let Some((t, seq)) = model.pop_first() {
                prop_assert_eq!(q.pop(), Some((SimTime::from_nanos(t), seq)));
            }
            prop_assert_eq!(q.pop(), None);
        }

        /// The queue agrees with a stable sort of the pushes by time.
        #[test]
        fn matches_a_stably_sorted_vec(times in proptest::collection::vec(0u64..20, 0..200)) {
            let mut q = EventQueue::new();
            for (i, &t) in times.iter().enumerate() {
                q.push(SimTime::from_nanos(t), i);
            }
            let mut expected: Vec<(u64, usize)> = times.iter().copied().zip(0..).collect();
            expected.sort_by_key(|&(t, _)| t);
            let got: Vec<(u64, usize)> = std::iter::from_fn(|| q.pop())
                .map(|(t, i)| (t.as_nanos(), i))
                .collect();
            prop_assert_eq!(got, expected);
        }

        /// Pushes and pops interleaved, with reserved places taken late,
        /// leave in the order of a sorted set of `(time, seq)`.
        #[test]
        fn interleaved_matches_a_sorted_set(
            ops in proptest::collection::vec((0u64..30, 0u8..4), 0..400),
        ) {
            let mut q = EventQueue::new();
            let mut model = std::collections::BTreeSet::new();
            let mut reserved = Vec::new();
            let mut now = 0;
            for (dt, op) in ops {
                match op {
                    0 if !model.is_empty() => {
                        let (t, seq) = model.pop_first().expect("not empty");
                        now = t;
                        prop_assert_eq!(q.pop(), Some((SimTime::from_nanos(t), seq)));
                    }
                    1 => reserved.push((now + dt, q.reserve())),
                    2 if !reserved.is_empty() => {
                        let (t, seq) = reserved.swap_remove(0);
                        q.push_at(SimTime::from_nanos(t), seq, seq);
                        model.insert((t, seq));
                    }
                    _ => {
                        let seq = q.reserve();
                        q.push_at(SimTime::from_nanos(now + dt), seq, seq);
                        model.insert((now + dt, seq));
                    }
                }
                prop_assert_eq!(q.len(), model.len());
            }
            while let Some((t, seq)) = model.pop_first() {
                prop_assert_eq!(q.pop(), Some((SimTime::from_nanos(t), seq)));
            }
            prop_assert_eq!(q.pop(), None);
        }
    }
}
