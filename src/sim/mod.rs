//! The generic discrete-event engine. Nothing in here knows what it
//! simulates: the model supplies an event type and a handler, and the engine
//! supplies time, ordering, randomness and the trace.
//!
//! ```text
//!   model ──schedule(t, e)──▶ EventQueue ──pop (t, seq)──▶ model.handle(e)
//!                                 ▲                              │
//!                                 └────────── schedule ──────────┘
//! ```

pub mod dist;
pub mod id;
pub mod memory;
pub mod queue;
pub mod rng;
pub mod time;
pub mod trace;

pub use dist::LogNormal;
pub use queue::EventQueue;
pub use rng::{RngFactory, SimRng, StreamId};
pub use time::{SimDuration, SimTime};
pub use trace::{Digest, Trace, TraceFilter};

/// Where an event stands in the order of everything scheduled: its time,
/// then its insertion sequence number among the events of that instant.
pub type Place = (SimTime, u64);

/// The clock and the queue of one run.
///
/// The model owns an `Engine` beside its own state and drives it with
/// [`Engine::next`]; handlers schedule follow-up events with
/// [`Engine::at`] and [`Engine::after`].
#[derive(Clone, Debug)]
pub struct Engine<E> {
    queue: EventQueue<E>,
    now: SimTime,
    /// The insertion sequence number of the event being handled.
    seq: u64,
    processed: u64,
}

impl<E> Default for Engine<E> {
    fn default() -> Self {
        Self::new()
    }
}

impl<E> Engine<E> {
    /// An engine at time zero with nothing scheduled.
    pub fn new() -> Self {
        Engine {
            queue: EventQueue::new(),
            now: SimTime::ZERO,
            seq: 0,
            processed: 0,
        }
    }

    /// The current simulated time: the time of the event being handled.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.now
    }

    /// Where the event being handled stands among those of its instant:
    /// with [`Engine::now`], the place in the order of everything
    /// scheduled.
    #[inline]
    pub fn place(&self) -> Place {
        (self.now, self.seq)
    }

    /// Takes the next place in the same-instant order without scheduling
    /// anything ([`EventQueue::reserve`]).
    #[inline]
    pub fn reserve(&mut self) -> u64 {
        self.queue.reserve()
    }

    /// Schedules `event` at `time` in the place of sequence number `seq`,
    /// taken with [`Engine::reserve`].
    #[inline]
    pub fn at_reserved(&mut self, time: SimTime, seq: u64, event: E) {
        debug_assert!(time >= self.now, "event scheduled in the past");
        self.queue.push_at(time.max(self.now), seq, event);
    }

    /// Events handed out so far.
    pub fn processed(&self) -> u64 {
        self.processed
    }

    /// Events scheduled and not yet handed out.
    pub fn pending(&self) -> usize {
        self.queue.len()
    }

    /// Schedules `event` at `time`. Scheduling in the past is a model bug.
    #[inline]
    pub fn at(&mut self, time: SimTime, event: E) {
        debug_assert!(time >= self.now, "event scheduled in the past");
        self.queue.push(time.max(self.now), event);
    }

    /// Schedules `event` after `delay` from now.
    #[inline]
    pub fn after(&mut self, delay: SimDuration, event: E) {
        self.queue.push(self.now + delay, event);
    }

    /// Moves the clock forward to `t` with no event (the end of a run).
    pub fn advance_to(&mut self, t: SimTime) {
        self.now = self.now.max(t);
    }

    /// When the next event is due, if at or before `until`; the clock does
    /// not move.
    #[inline]
    pub fn next_due(&self, until: SimTime) -> Option<SimTime> {
        self.queue.next_due(until)
    }

    /// The place of the earliest event queued, if any.
    #[inline]
    pub fn next_place(&self) -> Option<Place> {
        self.queue.next_place()
    }

    /// Pops the next event due at or before `until`, advancing the clock to
    /// its time. Returns `None`, with the clock at `until`, when nothing more
    /// is due.
    #[inline]
    pub fn next(&mut self, until: SimTime) -> Option<E> {
        match self.queue.pop_due(until) {
            Some((t, seq, e)) => {
                self.now = t;
                self.seq = seq;
                self.processed += 1;
                Some(e)
            }
            None => {
                self.now = self.now.max(until);
                None
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn engine_runs_a_toy_model_in_time_order() {
        #[derive(Debug, PartialEq)]
        enum Ping {
            Ping(u32),
        }
        let mut engine = Engine::new();
        engine.at(SimTime::from_nanos(10), Ping::Ping(1));
        let mut seen = Vec::new();
        while let Some(Ping::Ping(n)) = engine.next(SimTime::from_nanos(100)) {
            seen.push((engine.now().as_nanos(), n));
            if n < 3 {
                engine.after(SimDuration::from_nanos(40), Ping::Ping(n + 1));
            }
        }
        assert_eq!(seen, vec![(10, 1), (50, 2), (90, 3)]);
        assert_eq!(engine.processed(), 3);
        assert_eq!(engine.now(), SimTime::from_nanos(100));
    }
}
