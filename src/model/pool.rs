//! Client-side connection pools: clients of one application process
//! share a bounded set of connections.
//!
//! A pool lends an idle connection (the one returned last, as HikariCP's
//! bag does), or lets the borrower open a new one while the pool is below
//! its size, or queues the borrower until a connection comes back or its
//! acquire timeout passes. A connection that failed a request is closed
//! and its place freed; one past its lifetime is closed when it is
//! returned. Connections are opened when a borrower needs one, so after a
//! failover the pool refills as fast as its clients ask, each opening
//! costing the new writer what any connection costs ([`super::compute`]).

use std::collections::VecDeque;

use crate::sim::SimTime;
use crate::vocab::ids::{ClientId, InstanceId};

/// A connection the pool holds while no client uses it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pooled {
    /// The instance it is open to.
    pub inst: InstanceId,
    /// The process that accepted it.
    pub incarnation: u32,
    /// When it was opened.
    pub opened: SimTime,
}

/// One pool.
#[derive(Clone, Debug, Default)]
pub struct Pool {
    /// Connections open or being opened, lent or idle.
    held: u32,
    idle: Vec<Pooled>,
    waiters: VecDeque<(ClientId, u32)>,
}

/// What a borrower gets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Lend {
    /// An idle connection.
    Idle(Pooled),
    /// A free place: the borrower opens a connection for the pool.
    Open,
    /// Nothing: the borrower waits its turn.
    Wait,
}

impl Pool {
    /// A borrower at step `seq` asks for a connection from a pool of at
    /// most `size`.
    pub fn borrow(&mut self, size: u32, client: ClientId, seq: u32) -> Lend {
        if let Some(c) = self.idle.pop() {
            return Lend::Idle(c);
        }
        if self.held < size {
            self.held += 1;
            return Lend::Open;
        }
        self.waiters.push_back((client, seq));
        Lend::Wait
    }

    /// A connection comes back in working order; returns the borrower to
    /// wake, if one waits.
    pub fn give_back(&mut self, c: Pooled) -> Option<(ClientId, u32)> {
        self.idle.push(c);
        self.waiters.pop_front()
    }

    /// A lent or opening connection is gone (closed, failed, or never
    /// opened); returns the borrower to wake, who may open another.
    pub fn lose(&mut self) -> Option<(ClientId, u32)> {
        self.held = self.held.saturating_sub(1);
        self.waiters.pop_front()
    }

    /// A waiting borrower gave up.
    pub fn leave(&mut self, client: ClientId) {
        self.waiters.retain(|&(c, _)| c != client);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_pool_lends_idle_then_opens_then_queues() {
        let mut p = Pool::default();
        let (a, b, c) = (ClientId(0), ClientId(1), ClientId(2));
        assert_eq!(p.borrow(2, a, 1), Lend::Open);
        assert_eq!(p.borrow(2, b, 1), Lend::Open);
        assert_eq!(p.borrow(2, c, 1), Lend::Wait);
        let conn = Pooled {
            inst: InstanceId(0),
            incarnation: 1,
            opened: SimTime::ZERO,
        };
        // A returned connection wakes the first waiter, who finds it idle.
        assert_eq!(p.give_back(conn), Some((c, 1)));
        assert_eq!(p.borrow(2, c, 2), Lend::Idle(conn));
        // A lost one frees a place to open.
        assert_eq!(p.lose(), None);
        assert_eq!(p.held, 1);
        assert_eq!(p.borrow(2, a, 3), Lend::Open);
        assert_eq!(p.borrow(2, b, 3), Lend::Wait);
        p.leave(b);
        assert_eq!(p.lose(), None);
    }
}
