//! The event queue: the one place where the same-instant ordering contract
//! lives.
//!
//! **Contract.** Events leave the queue in order of their scheduled
//! [`SimTime`]; events scheduled for the *same* instant leave in the order
//! they were pushed (first in, first out). Every push takes the next value of
//! a counter that is never reused, so `(time, seq)` is a total order and no
//! tie is ever left to the heap's internal layout.
//!
//! The queue is a four-ary min-heap of `(time, seq)` keys, each naming the
//! slot where its event waits. Events are larger than their keys (most
//! carry a payload), and a heap moves its entries at every level it sifts
//! through: keeping them in a slab, still while their keys move, halves the
//! bytes a push and a pop move. Freed slots are reused, so the slab is as
//! large as the most events ever pending at once. Four children a node
//! halve the levels a pop sifts through against a binary heap, and the four
//! keys of a node's children lie in two cache lines; a key compares as one
//! 128-bit number, time above sequence. `std`'s `BinaryHeap` of the same
//! keys, and the `priority-queue` crate, were measured against it
//! (`bench/benches/engine.rs`): the crate maintains an index for priority
//! changes that a simulator does not need, since timers are cancelled
//! lazily by their owners instead.

use super::time::SimTime;

/// Pending events, popped in `(time, insertion sequence)` order.
#[derive(Clone, Debug)]
pub struct EventQueue<E> {
    /// The keys, as a four-ary heap: the children of `i` are
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

impl<E> Default for EventQueue<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> EventQueue<E> {
    /// An empty queue.
    pub fn new() -> Self {
        EventQueue {
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
    /// taken earlier with [`EventQueue::reserve`].
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
        self.heap.push(Key { time, seq, slot });
        self.sift_up(self.heap.len() - 1);
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

    /// Removes the earliest key; the heap is not empty.
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

    /// The event waiting in the slot of `key`, which leaves the queue,
    /// with its time and sequence number.
    #[inline]
    fn take(&mut self, key: Key) -> (SimTime, u64, E) {
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
        if self.heap.is_empty() {
            return None;
        }
        let key = self.pop_key();
        let (time, _, event) = self.take(key);
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
        self.heap.first().map(|k| (k.time, k.seq))
    }

    /// Removes and returns the earliest event, with its time and sequence
    /// number, if it is due at or before `until`; leaves the queue
    /// untouched otherwise.
    #[inline]
    pub fn pop_due(&mut self, until: SimTime) -> Option<(SimTime, u64, E)> {
        if self.heap.first()?.time > until {
            return None;
        }
        let key = self.pop_key();
        Some(self.take(key))
    }

    /// Number of pending events.
    pub fn len(&self) -> usize {
        self.heap.len()
    }

    /// Whether nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.heap.is_empty()
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

    proptest! {
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
