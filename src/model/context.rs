//! What a handler is given besides its own actor: the clock, the event
//! queue, the network, the measurements and the notes for observers.
//!
//! Handlers never reach the engine or the network directly: every timer
//! goes through [`Ctx::after`], every message through [`Ctx::send`] (where
//! the network delays it or drops it), every measurement through
//! [`Ctx::rec`], every fact an observer may want through [`Ctx::note`],
//! every step it asks of another actor through [`Ctx::order`].

use super::event::Event;
use super::network::{Endpoint, Network};
use super::note::Note;
use super::order::Order;
use crate::metrics::Recorder;
use crate::model::config::Config;
use crate::sim::{Engine, Place, SimDuration, SimTime};

/// The effects a handler may have, and the configuration it runs under.
pub(crate) struct Ctx<'a> {
    /// The validated configuration.
    pub cfg: &'a Config,
    /// Measurements (never read back by the model's decisions, nor by the
    /// checkers).
    pub rec: &'a mut Recorder,
    engine: &'a mut Engine<Event>,
    net: &'a mut Network,
    notes: &'a mut Vec<Note>,
    orders: &'a mut Vec<Order>,
}

impl<'a> Ctx<'a> {
    /// A context over the world's shared parts.
    pub fn new(
        cfg: &'a Config,
        engine: &'a mut Engine<Event>,
        net: &'a mut Network,
        rec: &'a mut Recorder,
        notes: &'a mut Vec<Note>,
        orders: &'a mut Vec<Order>,
    ) -> Self {
        Ctx {
            cfg,
            rec,
            engine,
            net,
            notes,
            orders,
        }
    }

    /// The current simulated time.
    #[inline]
    pub fn now(&self) -> SimTime {
        self.engine.now()
    }

    /// Schedules `event` for `delay` from now (a timer).
    #[inline]
    pub fn after(&mut self, delay: SimDuration, event: Event) {
        self.engine.after(delay, event);
    }

    /// Sends `event` from `from` to `to`, leaving at `depart` (now, or
    /// later when the sender first has work to finish, such as a persist).
    /// The network decides the delay, or drops the message: then it
    /// returns false (a sender that retransmits, as TCP does, needs to
    /// know).
    #[inline]
    pub fn send(&mut self, depart: SimTime, from: Endpoint, to: Endpoint, event: Event) -> bool {
        match self.arrival(depart, from, to) {
            Some(at) => {
                self.at_place(at, event);
                true
            }
            None => false,
        }
    }

    /// Where a message from `from` to `to` leaving at `depart` arrives in
    /// the order of events — when, and its place among the events of that
    /// instant, as if it were sent as one — or `None` if the network drops
    /// it: for a message its receiver takes in without an event of its own
    /// (a writer's acknowledgements, `compute::inbox`).
    #[inline]
    pub fn arrival(&mut self, depart: SimTime, from: Endpoint, to: Endpoint) -> Option<Place> {
        let d = self.net.delay(from, to)?;
        Some((depart + d, self.engine.reserve()))
    }

    /// A place at `at` in the order of events, taken now as a timer set
    /// now would take it, for an event scheduled there later
    /// ([`Ctx::at_place`]) or never.
    #[inline]
    pub fn place_at(&mut self, at: SimTime) -> Place {
        (at, self.engine.reserve())
    }

    /// Where the event being handled stands in the order of events.
    #[inline]
    pub fn place(&self) -> Place {
        self.engine.place()
    }

    /// Schedules `event` in the place `at` an [`Ctx::arrival`] took.
    #[inline]
    pub fn at_place(&mut self, at: Place, event: Event) {
        self.engine.at_reserved(at.0, at.1, event);
    }

    /// The network, to ask what is reachable.
    #[inline]
    pub fn net(&self) -> &Network {
        self.net
    }

    /// The network, to change it (faults).
    #[inline]
    pub fn net_mut(&mut self) -> &mut Network {
        self.net
    }

    /// Tells observers a fact about this event.
    #[inline]
    pub fn note(&mut self, note: Note) {
        self.notes.push(note);
    }

    /// Asks another actor to carry out `order` once this handler returns,
    /// before any other event ([`super::order`]).
    #[inline]
    pub fn order(&mut self, order: Order) {
        self.orders.push(order);
    }
}
