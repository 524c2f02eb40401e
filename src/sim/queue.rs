//! The event queue: the one place where the same-instant ordering contract
//! lives.
//!
//! **Contract.** Events leave the queue in order of their scheduled
//! [`SimTime`]; events scheduled for the *same* instant leave in the order
//! they were pushed (first in, first out). Every push takes the next value of
//! a counter that is never reused, so `(time, seq)` is a total order and no
//! tie is ever left to the heap's internal layout.
//!
//! The queue is a `std::collections::BinaryHeap` keyed by `(time, seq)`. The
//! `priority-queue` crate was measured against it (`benches/engine.rs`) and
//! ran at less than half its rate, because it maintains an index for
//! priority changes that a simulator does not need: timers are cancelled
//! lazily by their owners instead.

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::time::SimTime;

/// Pending events, popped in `(time, insertion sequence)` order.
#[derive(Debug)]
pub struct EventQueue<E> {
    heap: BinaryHeap<Entry<E>>,
    next_seq: u64,
}

#[derive(Debug)]
struct Entry<E> {
    time: SimTime,
    seq: u64,
    event: E,
}

impl<E> PartialEq for Entry<E> {
    fn eq(&self, other: &Self) -> bool {
        (self.time, self.seq) == (other.time, other.seq)
    }
}

impl<E> Eq for Entry<E> {}

impl<E> PartialOrd for Entry<E> {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl<E> Ord for Entry<E> {
    /// Reversed, so that the max-heap yields the earliest `(time, seq)`.
    fn cmp(&self, other: &Self) -> Ordering {
        (other.time, other.seq).cmp(&(self.time, self.seq))
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
            heap: BinaryHeap::new(),
            next_seq: 0,
        }
    }

    /// Schedules `event` at `time`, after every event already scheduled for
    /// that same instant.
    pub fn push(&mut self, time: SimTime, event: E) {
        let seq = self.next_seq;
        self.next_seq += 1;
        self.heap.push(Entry { time, seq, event });
    }

    /// Removes and returns the earliest event.
    pub fn pop(&mut self) -> Option<(SimTime, E)> {
        self.heap.pop().map(|e| (e.time, e.event))
    }

    /// When the earliest event is due, if at or before `until`.
    #[inline]
    pub fn next_due(&self, until: SimTime) -> Option<SimTime> {
        self.heap.peek().map(|e| e.time).filter(|&t| t <= until)
    }

    /// Removes and returns the earliest event if it is due at or before
    /// `until`; leaves the queue untouched otherwise.
    #[inline]
    pub fn pop_due(&mut self, until: SimTime) -> Option<(SimTime, E)> {
        let top = self.heap.peek_mut()?;
        if top.time > until {
            return None;
        }
        let e = std::collections::binary_heap::PeekMut::pop(top);
        Some((e.time, e.event))
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
        assert_eq!(q.pop_due(until), Some((SimTime::from_nanos(5), Toy::A)));
        assert_eq!(q.pop_due(until), None);
        assert_eq!(q.len(), 1);
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
    }
}
